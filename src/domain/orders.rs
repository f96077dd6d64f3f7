//! The life of a store order (spec 30 §11–§12): its states and the transitions between them,
//! its number, and how far its goods arrived. Plain values only: storage keeps the order,
//! this module decides what may happen to it.
//!
//! *Why one table of transitions:* the original stored twelve states, reached four through the
//! API and one through the UI ("Enviar Pedido" only saved a draft, rejection always failed).
//! Every action here is a row of §11.1 and nothing else moves an order.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The states of §11.1, stored and sent by their snake_case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Borrador,
    PendienteAprobacion,
    Aprobado,
    Rechazado,
    Enviado,
    Recibido,
    Cancelado,
}

pub const ALL_STATES: &[OrderState] = &[
    OrderState::Borrador,
    OrderState::PendienteAprobacion,
    OrderState::Aprobado,
    OrderState::Rechazado,
    OrderState::Enviado,
    OrderState::Recibido,
    OrderState::Cancelado,
];

impl OrderState {
    pub fn id(self) -> &'static str {
        match self {
            OrderState::Borrador => "borrador",
            OrderState::PendienteAprobacion => "pendiente_aprobacion",
            OrderState::Aprobado => "aprobado",
            OrderState::Rechazado => "rechazado",
            OrderState::Enviado => "enviado",
            OrderState::Recibido => "recibido",
            OrderState::Cancelado => "cancelado",
        }
    }

    pub fn parse(id: &str) -> Option<OrderState> {
        ALL_STATES.iter().copied().find(|s| s.id() == id)
    }

    /// The Spanish label of the badge.
    pub fn label(self) -> &'static str {
        match self {
            OrderState::Borrador => "Borrador",
            OrderState::PendienteAprobacion => "Pendiente de aprobación",
            OrderState::Aprobado => "Aprobado",
            OrderState::Rechazado => "Rechazado",
            OrderState::Enviado => "Enviado",
            OrderState::Recibido => "Recibido",
            OrderState::Cancelado => "Cancelado",
        }
    }

    /// `porcentaje_avance` of the list (§11.1).
    pub fn progress_pct(self) -> u8 {
        match self {
            OrderState::Borrador => 10,
            OrderState::PendienteAprobacion => 30,
            OrderState::Aprobado => 50,
            OrderState::Enviado => 80,
            OrderState::Recibido => 100,
            OrderState::Rechazado | OrderState::Cancelado => 0,
        }
    }

    /// Lines may be edited (quantity, included, note) only before approval.
    pub fn lines_editable(self) -> bool {
        matches!(self, OrderState::Borrador | OrderState::PendienteAprobacion)
    }

    /// Goods of this order may be on their way (§8 step 1).
    pub fn is_open_for_transit(self) -> bool {
        matches!(self, OrderState::PendienteAprobacion | OrderState::Aprobado | OrderState::Enviado)
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a user does to an existing order (§11.1, §15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Submit,
    Approve,
    Reject,
    Reopen,
    MarkSent,
    Close,
    Cancel,
}

impl OrderAction {
    /// The Spanish verb of error messages and history rows.
    pub fn verb(self) -> &'static str {
        match self {
            OrderAction::Submit => "enviar a aprobación",
            OrderAction::Approve => "aprobar",
            OrderAction::Reject => "rechazar",
            OrderAction::Reopen => "reabrir",
            OrderAction::MarkSent => "marcar como enviado",
            OrderAction::Close => "cerrar",
            OrderAction::Cancel => "cancelar",
        }
    }

    /// The reason is mandatory for these (§11.1: reject; cancel carries one too).
    pub fn needs_reason(self) -> bool {
        matches!(self, OrderAction::Reject | OrderAction::Cancel)
    }

    /// The history text when the user gave none.
    pub fn default_reason(self) -> &'static str {
        match self {
            OrderAction::Submit => "Enviado a aprobación",
            OrderAction::Approve => "Pedido aprobado",
            OrderAction::Reject => "Pedido rechazado",
            OrderAction::Reopen => "Pedido reabierto",
            OrderAction::MarkSent => "Pedido despachado desde el CEDI",
            OrderAction::Close => "Pedido recibido y cerrado",
            OrderAction::Cancel => "Pedido cancelado",
        }
    }
}

/// An action the order's current state does not allow (HTTP 400 naming the state).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("No se puede {} un pedido en estado «{}» (estado actual: {})", .action.verb(), .from.label(), .from.id())]
pub struct InvalidTransition {
    pub from: OrderState,
    pub action: OrderAction,
}

/// The state an order in `from` reaches by `action`: the table of §11.1, exactly.
/// `requiere_aprobacion = false` makes a submit land on `aprobado` directly.
pub fn transition(from: OrderState, action: OrderAction, requiere_aprobacion: bool) -> Result<OrderState, InvalidTransition> {
    use OrderAction as A;
    use OrderState as S;
    let to = match (from, action) {
        (S::Borrador, A::Submit) if requiere_aprobacion => S::PendienteAprobacion,
        (S::Borrador, A::Submit) => S::Aprobado,
        (S::PendienteAprobacion, A::Approve) => S::Aprobado,
        (S::PendienteAprobacion, A::Reject) => S::Rechazado,
        (S::Rechazado, A::Reopen) => S::Borrador,
        (S::Aprobado, A::MarkSent) => S::Enviado,
        (S::Enviado, A::Close) => S::Recibido,
        (S::Borrador | S::PendienteAprobacion | S::Aprobado, A::Cancel) => S::Cancelado,
        _ => return Err(InvalidTransition { from, action }),
    };
    Ok(to)
}

/// The state a new order starts in: a draft, or submitted at once ("Enviar Pedido").
pub fn initial_state(enviar: bool, requiere_aprobacion: bool) -> OrderState {
    match enviar {
        false => OrderState::Borrador,
        true if requiere_aprobacion => OrderState::PendienteAprobacion,
        true => OrderState::Aprobado,
    }
}

/// Only drafts can be deleted (§11.1); the message names the current state.
pub fn check_deletable(state: OrderState) -> Result<(), String> {
    match state {
        OrderState::Borrador => Ok(()),
        s => Err(format!("Solo se pueden eliminar pedidos en borrador (estado actual: {})", s.id())),
    }
}

/// `PS-` + the counter, zero-padded to 5 digits; wider numbers grow naturally (§11.2, E21).
pub fn order_number(counter: u64) -> String {
    format!("PS-{counter:05}")
}

/// The counter value of a number (`PS-00012` and the batch form `PS-00012-3` both give 12).
pub fn number_counter(numero: &str) -> Option<u64> {
    numero.strip_prefix("PS-")?.split('-').next()?.parse().ok()
}

/// Default share of the ordered packs at which a line counts as arrived (§12.1, §14).
pub const DEFAULT_ARRIVAL_COMPLETE_PCT: f64 = 97.0;

/// How far a line's goods arrived (§12.1, §12.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalStatus {
    Completo,
    Parcial,
    NoLlego,
}

/// Arrived share of the ordered packs, in %, 0 when nothing was ordered (not capped).
pub fn arrival_pct(arrived_packs: f64, ordered_packs: f64) -> f64 {
    if ordered_packs > 0.0 && arrived_packs.is_finite() {
        arrived_packs.max(0.0) / ordered_packs * 100.0
    } else {
        0.0
    }
}

/// ≥ `complete_pct` % of the ordered packs → complete; anything above 0 → partial.
pub fn arrival_status(arrived_packs: f64, ordered_packs: f64, complete_pct: f64) -> ArrivalStatus {
    // Tolerance so that 9.7 of 10 packs (96.99999… % in floating point) is complete.
    let pct = arrival_pct(arrived_packs, ordered_packs);
    if ordered_packs > 0.0 && pct + 1e-9 >= complete_pct {
        ArrivalStatus::Completo
    } else if pct > 0.0 {
        ArrivalStatus::Parcial
    } else {
        ArrivalStatus::NoLlego
    }
}

/// The arrival indicators of an order from its registered quantities (§12.3):
/// `(completos, parciales, no_llegaron)` over lines with ordered packs > 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ArrivalSummary {
    pub completos: u32,
    pub parciales: u32,
    pub no_llegaron: u32,
    pub pct_completos: f64,
    pub pct_parciales: f64,
    pub pct_no_llegaron: f64,
    /// Any line has a registered receipt.
    pub tiene_verificacion: bool,
}

/// `(ordered packs, received packs)` per line.
pub fn arrival_summary(lines: impl IntoIterator<Item = (f64, f64)>, complete_pct: f64) -> ArrivalSummary {
    let mut s = ArrivalSummary::default();
    for (ordered, received) in lines {
        if ordered <= 0.0 {
            continue;
        }
        s.tiene_verificacion |= received > 0.0;
        match arrival_status(received, ordered, complete_pct) {
            ArrivalStatus::Completo => s.completos += 1,
            ArrivalStatus::Parcial => s.parciales += 1,
            ArrivalStatus::NoLlego => s.no_llegaron += 1,
        }
    }
    let total = f64::from(s.completos + s.parciales + s.no_llegaron);
    if total > 0.0 {
        let pct = |n: u32| (f64::from(n) / total * 1000.0).round() / 10.0;
        (s.pct_completos, s.pct_parciales, s.pct_no_llegaron) = (pct(s.completos), pct(s.parciales), pct(s.no_llegaron));
    }
    s
}

/// What the user did with the engine's suggestion on one product (override tracking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Ordered exactly what was suggested.
    SinCambio,
    Aumentado,
    Reducido,
    /// Suggested packs > 0, not ordered.
    Eliminado,
}

/// `None` for a product neither suggested nor ordered (nothing to judge).
pub fn adjustment(suggested_packs: u64, ordered_packs: u64) -> Option<Adjustment> {
    use std::cmp::Ordering::*;
    match (suggested_packs, ordered_packs) {
        (0, 0) => None,
        (_, 0) => Some(Adjustment::Eliminado),
        (s, o) => Some(match o.cmp(&s) {
            Equal => Adjustment::SinCambio,
            Greater => Adjustment::Aumentado,
            Less => Adjustment::Reducido,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderAction as A;
    use OrderState as S;

    #[test]
    fn the_transition_table_of_spec_30_11_1_exactly() {
        let allowed = [
            (S::Borrador, A::Submit, S::PendienteAprobacion),
            (S::PendienteAprobacion, A::Approve, S::Aprobado),
            (S::PendienteAprobacion, A::Reject, S::Rechazado),
            (S::Rechazado, A::Reopen, S::Borrador),
            (S::Aprobado, A::MarkSent, S::Enviado),
            (S::Enviado, A::Close, S::Recibido),
            (S::Borrador, A::Cancel, S::Cancelado),
            (S::PendienteAprobacion, A::Cancel, S::Cancelado),
            (S::Aprobado, A::Cancel, S::Cancelado),
        ];
        let actions = [A::Submit, A::Approve, A::Reject, A::Reopen, A::MarkSent, A::Close, A::Cancel];
        for from in ALL_STATES {
            for action in actions {
                let expected = allowed.iter().find(|(f, a, _)| f == from && *a == action).map(|(_, _, to)| *to);
                match (transition(*from, action, true), expected) {
                    (Ok(to), Some(e)) => assert_eq!(to, e, "{from:?} {action:?}"),
                    (Err(err), None) => {
                        assert_eq!(err, InvalidTransition { from: *from, action });
                        assert!(err.to_string().contains(from.id()), "the message names the current state: {err}");
                    }
                    (got, e) => panic!("{from:?} {action:?}: got {got:?}, expected {e:?}"),
                }
            }
        }
    }

    #[test]
    fn without_approval_a_submit_lands_on_approved() {
        assert_eq!(transition(S::Borrador, A::Submit, false), Ok(S::Aprobado));
        assert_eq!(initial_state(true, false), S::Aprobado);
        assert_eq!(initial_state(true, true), S::PendienteAprobacion);
        assert_eq!(initial_state(false, true), S::Borrador);
        // Approving an approved order is still refused.
        assert!(transition(S::Aprobado, A::Approve, false).is_err());
    }

    #[test]
    fn only_drafts_are_deleted_and_progress_follows_the_state() {
        assert!(check_deletable(S::Borrador).is_ok());
        let e = check_deletable(S::Aprobado).unwrap_err();
        assert!(e.contains("estado actual: aprobado"), "{e}");
        let progress: Vec<u8> = ALL_STATES.iter().map(|s| s.progress_pct()).collect();
        assert_eq!(progress, vec![10, 30, 50, 0, 80, 100, 0]);
        for s in ALL_STATES {
            assert_eq!(OrderState::parse(s.id()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.id());
        }
        assert_eq!(OrderState::parse("pendiente_aprobacion_gerente"), None);
    }

    #[test]
    fn e21_numbering() {
        assert_eq!(order_number(13), "PS-00013");
        assert_eq!(order_number(123_456), "PS-123456");
        assert_eq!(number_counter("PS-00009"), Some(9));
        assert_eq!(number_counter("PS-00012-3"), Some(12));
        assert_eq!(number_counter("IC-00001"), None);
        // Existing PS-00009 and PS-00012-3: the next single order is PS-00013.
        let next = ["PS-00009", "PS-00012-3"].iter().filter_map(|n| number_counter(n)).max().unwrap_or(0) + 1;
        assert_eq!(order_number(next), "PS-00013");
    }

    #[test]
    fn e18_arrival_thresholds() {
        // 60 units of 10 packs × 12 arrived: 5 packs, 50 % → partial.
        assert_eq!(arrival_pct(5.0, 10.0), 50.0);
        assert_eq!(arrival_status(5.0, 10.0, DEFAULT_ARRIVAL_COMPLETE_PCT), ArrivalStatus::Parcial);
        assert_eq!(arrival_status(9.7, 10.0, DEFAULT_ARRIVAL_COMPLETE_PCT), ArrivalStatus::Completo);
        assert_eq!(arrival_status(9.69, 10.0, DEFAULT_ARRIVAL_COMPLETE_PCT), ArrivalStatus::Parcial);
        assert_eq!(arrival_status(0.0, 10.0, DEFAULT_ARRIVAL_COMPLETE_PCT), ArrivalStatus::NoLlego);
        assert_eq!(arrival_status(3.0, 0.0, DEFAULT_ARRIVAL_COMPLETE_PCT), ArrivalStatus::NoLlego);
        assert_eq!(arrival_pct(15.0, 10.0), 150.0);
    }

    #[test]
    fn list_indicators_come_from_registered_quantities() {
        let s = arrival_summary([(10.0, 10.0), (10.0, 4.0), (10.0, 0.0), (0.0, 5.0)], 97.0);
        assert_eq!((s.completos, s.parciales, s.no_llegaron), (1, 1, 1));
        assert_eq!((s.pct_completos, s.pct_parciales, s.pct_no_llegaron), (33.3, 33.3, 33.3));
        assert!(s.tiene_verificacion);
        let none = arrival_summary([(10.0, 0.0)], 97.0);
        assert!(!none.tiene_verificacion);
        assert_eq!(none.pct_no_llegaron, 100.0);
    }

    #[test]
    fn adjustments_compare_ordered_with_suggested() {
        assert_eq!(adjustment(5, 5), Some(Adjustment::SinCambio));
        assert_eq!(adjustment(5, 7), Some(Adjustment::Aumentado));
        assert_eq!(adjustment(5, 2), Some(Adjustment::Reducido));
        assert_eq!(adjustment(5, 0), Some(Adjustment::Eliminado));
        assert_eq!(adjustment(0, 3), Some(Adjustment::Aumentado));
        assert_eq!(adjustment(0, 0), None);
    }
}
