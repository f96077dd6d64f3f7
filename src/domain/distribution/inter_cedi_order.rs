//! The life of an inter-CEDI order (spec 31 §3.9): its states, the one transition each action
//! makes, what may still be edited or deleted, and the line an action's notes add to the
//! observations. Pure rules; the order store applies them in one transaction.

use serde::{Deserialize, Serialize};

/// `borrador ─confirmar→ confirmado ─despachar→ despachado ─recibir→ recibido`, and a draft
/// may be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterCediState {
    Borrador,
    Confirmado,
    Despachado,
    Recibido,
    Cancelado,
}

pub const ALL_STATES: &[InterCediState] = &[
    InterCediState::Borrador,
    InterCediState::Confirmado,
    InterCediState::Despachado,
    InterCediState::Recibido,
    InterCediState::Cancelado,
];

impl InterCediState {
    pub fn id(self) -> &'static str {
        match self {
            InterCediState::Borrador => "borrador",
            InterCediState::Confirmado => "confirmado",
            InterCediState::Despachado => "despachado",
            InterCediState::Recibido => "recibido",
            InterCediState::Cancelado => "cancelado",
        }
    }

    pub fn parse(id: &str) -> Option<InterCediState> {
        ALL_STATES.iter().copied().find(|s| s.id() == id)
    }

    /// Only a draft is edited (`PUT`) or cancelled.
    pub fn is_editable(self) -> bool {
        self == InterCediState::Borrador
    }

    /// A draft or a confirmed order may still be deleted; once goods moved, the record stays.
    pub fn is_deletable(self) -> bool {
        matches!(self, InterCediState::Borrador | InterCediState::Confirmado)
    }

    /// Goods on the way to the destination (counted by the next calculation, D-13).
    pub fn is_in_transit(self) -> bool {
        matches!(self, InterCediState::Confirmado | InterCediState::Despachado)
    }
}

/// What a user does to an order; each has exactly one state it starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Confirmar,
    Despachar,
    Recibir,
    Cancelar,
}

impl Action {
    pub fn parse(id: &str) -> Option<Action> {
        match id {
            "confirmar" => Some(Action::Confirmar),
            "despachar" => Some(Action::Despachar),
            "recibir" => Some(Action::Recibir),
            "cancelar" => Some(Action::Cancelar),
            _ => None,
        }
    }

    /// `(required current state, new state)`.
    pub fn states(self) -> (InterCediState, InterCediState) {
        use InterCediState::*;
        match self {
            Action::Confirmar => (Borrador, Confirmado),
            Action::Despachar => (Confirmado, Despachado),
            Action::Recibir => (Despachado, Recibido),
            Action::Cancelar => (Borrador, Cancelado),
        }
    }
}

/// Why an action cannot apply: the state it needs and the one the order is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongState {
    pub required: InterCediState,
    pub current: InterCediState,
}

impl std::fmt::Display for WrongState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "El pedido debe estar en estado «{}»; estado actual: «{}»", self.required.id(), self.current.id())
    }
}

/// The state `action` leads to from `current`.
pub fn next_state(current: InterCediState, action: Action) -> Result<InterCediState, WrongState> {
    let (required, to) = action.states();
    if current == required {
        Ok(to)
    } else {
        Err(WrongState { required, current })
    }
}

/// The observations after an action with notes: a new line `[{new state}] {notes}` (§3.9).
/// Blank notes change nothing.
pub fn append_note(observaciones: Option<&str>, to: InterCediState, notas: Option<&str>) -> Option<String> {
    let note = notas.map(str::trim).filter(|n| !n.is_empty());
    let previous = observaciones.filter(|o| !o.is_empty());
    match (previous, note) {
        (None, None) => None,
        (Some(p), None) => Some(p.to_string()),
        (None, Some(n)) => Some(format!("[{}] {n}", to.id())),
        (Some(p), Some(n)) => Some(format!("{p}\n[{}] {n}", to.id())),
    }
}

/// Weight of a line in kg: packs × units per pack × kg per unit.
pub fn line_weight_kg(packs: f64, unidades_por_bulto: f64, peso_unitario_kg: f64) -> f64 {
    packs * unidades_por_bulto * peso_unitario_kg
}

/// The `IC-NNNNN` number of the `n`-th inter-CEDI order (5 digits, more when needed).
pub fn order_number(n: u64) -> String {
    format!("IC-{n:05}")
}

#[cfg(test)]
mod tests {
    use super::InterCediState::*;
    use super::*;

    #[test]
    fn each_action_starts_from_one_state() {
        assert_eq!(next_state(Borrador, Action::Confirmar), Ok(Confirmado));
        assert_eq!(next_state(Confirmado, Action::Despachar), Ok(Despachado));
        assert_eq!(next_state(Despachado, Action::Recibir), Ok(Recibido));
        assert_eq!(next_state(Borrador, Action::Cancelar), Ok(Cancelado));
        // The message names both states, as the original's 400 did.
        let e = next_state(Confirmado, Action::Recibir).unwrap_err();
        assert_eq!(e, WrongState { required: Despachado, current: Confirmado });
        assert_eq!(e.to_string(), "El pedido debe estar en estado «despachado»; estado actual: «confirmado»");
        assert!(next_state(Confirmado, Action::Cancelar).is_err(), "only a draft is cancelled");
        assert!(next_state(Recibido, Action::Confirmar).is_err());
        for s in ALL_STATES {
            assert_eq!(InterCediState::parse(s.id()), Some(*s));
        }
        assert_eq!(Action::parse("despachar"), Some(Action::Despachar));
        assert_eq!(Action::parse("aprobar"), None);
    }

    #[test]
    fn edits_deletions_and_transit_by_state() {
        assert!(Borrador.is_editable() && !Confirmado.is_editable());
        assert!(Borrador.is_deletable() && Confirmado.is_deletable());
        assert!(!Despachado.is_deletable() && !Recibido.is_deletable() && !Cancelado.is_deletable());
        assert!(Confirmado.is_in_transit() && Despachado.is_in_transit());
        assert!(!Borrador.is_in_transit() && !Recibido.is_in_transit() && !Cancelado.is_in_transit());
    }

    #[test]
    fn notes_become_a_tagged_line_of_the_observations() {
        assert_eq!(append_note(None, Despachado, Some("  camión 12 ")), Some("[despachado] camión 12".into()));
        assert_eq!(append_note(Some("Urgente"), Cancelado, Some("sin chofer")), Some("Urgente\n[cancelado] sin chofer".into()));
        assert_eq!(append_note(Some("Urgente"), Recibido, Some("  ")), Some("Urgente".into()));
        assert_eq!(append_note(None, Recibido, None), None);
    }

    #[test]
    fn weight_and_numbering() {
        // 3 packs of 12 units of 0.5 kg = 18 kg.
        assert_eq!(line_weight_kg(3.0, 12.0, 0.5), 18.0);
        assert_eq!(order_number(7), "IC-00007");
        assert_eq!(order_number(123_456), "IC-123456");
    }
}
