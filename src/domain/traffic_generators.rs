//! Traffic generators (*generadores de tráfico*, spec 40 §5): products that sell little but
//! are in many tickets. The ranks and GAP of §5.1, the states and actions of §5.2 and the
//! settings of §5.4, as plain values.

use serde::Serialize;

/// One product's sales over the analysis window (the excluded product left out).
#[derive(Debug, Clone, PartialEq)]
pub struct ProductTraffic {
    pub codigo: String,
    /// Σ venta_total (USD).
    pub venta: f64,
    /// Distinct tickets (store, invoice) containing the product.
    pub tickets: u64,
}

/// §5.1 per product.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrafficMetrics {
    pub codigo: String,
    pub venta: f64,
    pub tickets: u64,
    /// tickets / total tickets of the window × 100, unrounded.
    pub penetracion_pct: f64,
    /// 1 = highest revenue; ties by code ascending.
    pub rank_valor: u32,
    /// 1 = in most tickets; ties by code ascending.
    pub rank_penetracion: u32,
    /// rank_valor − rank_penetracion: positive = far more frequent than its revenue suggests.
    pub gap: i64,
}

/// Penetration in % (0 when the window has no tickets).
pub fn penetration_pct(tickets: u64, total_tickets: u64) -> f64 {
    if total_tickets == 0 {
        0.0
    } else {
        tickets as f64 / total_tickets as f64 * 100.0
    }
}

/// Positions (1-based) of `rows` ordered by `key` descending, ties by code ascending.
fn ranks(rows: &[ProductTraffic], key: impl Fn(&ProductTraffic) -> f64) -> Vec<u32> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| key(&rows[b]).total_cmp(&key(&rows[a])).then_with(|| rows[a].codigo.cmp(&rows[b].codigo)));
    let mut out = vec![0u32; rows.len()];
    for (pos, &i) in order.iter().enumerate() {
        out[i] = pos as u32 + 1;
    }
    out
}

/// §5.1: revenue rank, ticket rank, GAP and penetration of every product, ordered by code.
/// The rank is by **revenue** (the original's later switch to units made the GAP meaningless
/// for items sold by the unit).
pub fn rank(rows: &[ProductTraffic], total_tickets: u64) -> Vec<TrafficMetrics> {
    let r_v = ranks(rows, |p| p.venta);
    let r_t = ranks(rows, |p| p.tickets as f64);
    let mut out: Vec<TrafficMetrics> = rows
        .iter()
        .enumerate()
        .map(|(i, p)| TrafficMetrics {
            codigo: p.codigo.clone(),
            venta: p.venta,
            tickets: p.tickets,
            penetracion_pct: penetration_pct(p.tickets, total_tickets),
            rank_valor: r_v[i],
            rank_penetracion: r_t[i],
            gap: i64::from(r_v[i]) - i64::from(r_t[i]),
        })
        .collect();
    out.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    out
}

/// The flags of §5.2 kept per product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// The effective `es_generador_trafico` (what the replenishment engine uses).
    pub activo: bool,
    pub sugerido: bool,
    pub ignorado: bool,
}

/// The state the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Activo,
    Ignorado,
    Sugerido,
    Ninguno,
}

impl State {
    pub fn of(f: Flags) -> State {
        if f.activo {
            State::Activo
        } else if f.ignorado {
            State::Ignorado
        } else if f.sugerido {
            State::Sugerido
        } else {
            State::Ninguno
        }
    }
}

/// An administrator's decision on a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Aprobar,
    Rechazar,
    Remover,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "aprobar" => Some(Action::Aprobar),
            "rechazar" => Some(Action::Rechazar),
            "remover" => Some(Action::Remover),
            _ => None,
        }
    }

    /// The history's `accion`.
    pub fn logged_as(self) -> &'static str {
        match self {
            Action::Aprobar => "aprobado",
            Action::Rechazar => "rechazado",
            Action::Remover => "removido",
        }
    }
}

/// Rejecting an active generator: it must be removed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectActive;

/// §5.2 actions. `aprobar`: active, not ignored, not suggested. `rechazar`: ignored, not
/// suggested — refused for an active generator (the original left it active *and* ignored).
/// `remover`: not active, not suggested and not ignored, so the state is `ninguno` and the next
/// suggestion run may propose it again (the original left `sugerido` set on approval, so a
/// removed product jumped back to the suggestions).
pub fn apply(f: Flags, action: Action) -> Result<Flags, RejectActive> {
    match action {
        Action::Aprobar => Ok(Flags { activo: true, sugerido: false, ignorado: false }),
        Action::Rechazar if f.activo => Err(RejectActive),
        Action::Rechazar => Ok(Flags { activo: false, sugerido: false, ignorado: true }),
        Action::Remover => Ok(Flags { activo: false, sugerido: false, ignorado: false }),
    }
}

/// What a suggestion run changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestionChanges {
    /// Newly suggested, with their GAP.
    pub nuevos: Vec<(String, i64)>,
    /// Suggestions withdrawn (their GAP no longer qualifies, or they left the window).
    pub retirados: Vec<String>,
    /// Products whose GAP reached the minimum (the run's candidates).
    pub candidatos: usize,
}

/// §5.2 *Calcular sugerencias*: every product with gap ≥ `gap_minimo` that is not active, not
/// ignored and not already suggested becomes suggested; suggested products whose gap no longer
/// qualifies (or that have no metrics) are withdrawn. Active products are never touched.
/// `flags(code)` gives a product's current flags; `suggested` lists the suggested codes.
pub fn suggestion_run<'a>(
    metrics: impl IntoIterator<Item = (&'a str, i64)>,
    flags: impl Fn(&str) -> Flags,
    suggested: &[String],
    gap_minimo: i64,
) -> SuggestionChanges {
    let mut out = SuggestionChanges::default();
    let mut qualifying = std::collections::HashSet::new();
    for (code, gap) in metrics {
        if gap < gap_minimo {
            continue;
        }
        out.candidatos += 1;
        qualifying.insert(code.to_string());
        let f = flags(code);
        if !f.activo && !f.ignorado && !f.sugerido {
            out.nuevos.push((code.to_string(), gap));
        }
    }
    for code in suggested {
        let f = flags(code);
        if f.sugerido && !f.activo && !qualifying.contains(code) {
            out.retirados.push(code.clone());
        }
    }
    out.nuevos.sort();
    out.retirados.sort();
    out
}

/// The GAP above which the summary counts a product as a "Candidato GAP alto" and the
/// *Todos los productos* tab lists it.
pub const GAP_ALTO: i64 = 200;

/// The settings of §5.4 (`config_generadores_trafico`), with their defaults.
pub const CONFIG_KEYS: &[&str] =
    &["gap_minimo", "clase_abc_requerida", "stock_seguridad_extra_pct", "producto_excluido_bolsas", "dias_analisis", "frecuencia_calculo"];

/// Checks one setting's new value and returns it normalised, or a Spanish message.
pub fn validate_setting(clave: &str, valor: &str) -> Result<String, String> {
    let v = valor.trim();
    let int_in = |lo: i64, hi: i64| -> Result<String, String> {
        match v.parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n.to_string()),
            _ => Err(format!("{clave} debe ser un número entero entre {lo} y {hi}")),
        }
    };
    match clave {
        "gap_minimo" => int_in(1, 100_000),
        "dias_analisis" => int_in(7, 365),
        "stock_seguridad_extra_pct" => int_in(0, 500),
        "clase_abc_requerida" => match v.to_uppercase().as_str() {
            c @ ("A" | "B" | "C" | "D") => Ok(c.to_string()),
            _ => Err("clase_abc_requerida debe ser A, B, C o D".into()),
        },
        "frecuencia_calculo" => match v.to_lowercase().as_str() {
            f @ ("diario" | "semanal" | "manual") => Ok(f.to_string()),
            _ => Err("frecuencia_calculo debe ser diario, semanal o manual".into()),
        },
        "producto_excluido_bolsas" => {
            let codes: Vec<&str> = v.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
            if codes.iter().any(|c| c.len() > 50 || c.chars().any(char::is_whitespace)) {
                Err("producto_excluido_bolsas: códigos separados por comas, sin espacios, de hasta 50 caracteres".into())
            } else {
                Ok(codes.join(","))
            }
        }
        _ => Err(format!("Parámetro {clave} desconocido")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(codigo: &str, venta: f64, tickets: u64) -> ProductTraffic {
        ProductTraffic { codigo: codigo.into(), venta, tickets }
    }

    /// A low-price staple in many tickets against dearer products in few: it ranks last by
    /// revenue and first by tickets, so its GAP is the number of products minus one.
    #[test]
    fn gap_is_revenue_rank_minus_ticket_rank() {
        let m = rank(&[p("pan", 10.0, 90), p("vino", 500.0, 5), p("queso", 200.0, 20), p("aceite", 300.0, 10)], 100);
        let pan = m.iter().find(|r| r.codigo == "pan").unwrap();
        assert_eq!((pan.rank_valor, pan.rank_penetracion, pan.gap), (4, 1, 3));
        assert!((pan.penetracion_pct - 90.0).abs() < 1e-12);
        let vino = m.iter().find(|r| r.codigo == "vino").unwrap();
        assert_eq!((vino.rank_valor, vino.rank_penetracion, vino.gap), (1, 4, -3));
        // Output ordered by code.
        assert_eq!(m.iter().map(|r| r.codigo.as_str()).collect::<Vec<_>>(), ["aceite", "pan", "queso", "vino"]);
    }

    #[test]
    fn ties_are_broken_by_code_ascending_in_both_ranks() {
        let m = rank(&[p("b", 100.0, 7), p("a", 100.0, 7), p("c", 50.0, 7)], 10);
        let by = |c: &str| m.iter().find(|r| r.codigo == c).unwrap().clone();
        assert_eq!((by("a").rank_valor, by("b").rank_valor, by("c").rank_valor), (1, 2, 3));
        assert_eq!((by("a").rank_penetracion, by("b").rank_penetracion, by("c").rank_penetracion), (1, 2, 3));
        assert_eq!(by("c").gap, 0);
    }

    #[test]
    fn penetration_without_tickets_is_zero() {
        assert_eq!(penetration_pct(3, 0), 0.0);
        assert!((penetration_pct(1, 3) - 33.333_333_333).abs() < 1e-6);
    }

    #[test]
    fn state_precedence_is_active_then_ignored_then_suggested() {
        let f = |activo, sugerido, ignorado| State::of(Flags { activo, sugerido, ignorado });
        assert_eq!(f(true, true, true), State::Activo);
        assert_eq!(f(false, true, true), State::Ignorado);
        assert_eq!(f(false, true, false), State::Sugerido);
        assert_eq!(f(false, false, false), State::Ninguno);
    }

    #[test]
    fn actions_follow_the_rebuilds_table() {
        let sugerido = Flags { activo: false, sugerido: true, ignorado: false };
        let aprobado = apply(sugerido, Action::Aprobar).unwrap();
        assert_eq!(aprobado, Flags { activo: true, sugerido: false, ignorado: false }, "approval clears the suggestion");
        assert_eq!(apply(aprobado, Action::Rechazar), Err(RejectActive), "an active generator is not rejected");
        let removido = apply(aprobado, Action::Remover).unwrap();
        assert_eq!(State::of(removido), State::Ninguno);
        let rechazado = apply(sugerido, Action::Rechazar).unwrap();
        assert_eq!(State::of(rechazado), State::Ignorado);
        assert_eq!(State::of(apply(rechazado, Action::Aprobar).unwrap()), State::Activo, "an ignored product can still be approved");
        assert_eq!(Action::parse("marcar"), None);
        assert_eq!(Action::parse("remover").map(Action::logged_as), Some("removido"));
    }

    #[test]
    fn a_suggestion_run_adds_new_candidates_withdraws_stale_ones_and_never_touches_active_ones() {
        let flags = |c: &str| match c {
            "activo" => Flags { activo: true, ..Default::default() },
            "ignorado" => Flags { ignorado: true, ..Default::default() },
            "ya_sugerido" | "sugerido_bajo" | "sugerido_sin_ventas" => Flags { sugerido: true, ..Default::default() },
            _ => Flags::default(),
        };
        let metrics = [("activo", 900), ("ignorado", 800), ("ya_sugerido", 700), ("nuevo", 400), ("bajo", 399), ("sugerido_bajo", 10)];
        let suggested: Vec<String> = ["ya_sugerido", "sugerido_bajo", "sugerido_sin_ventas"].map(String::from).to_vec();
        let c = suggestion_run(metrics, flags, &suggested, 400);
        assert_eq!(c.nuevos, vec![("nuevo".to_string(), 400)], "gap ≥ minimum, and only products in no state");
        assert_eq!(c.retirados, vec!["sugerido_bajo".to_string(), "sugerido_sin_ventas".to_string()]);
        assert_eq!(c.candidatos, 4);
    }

    #[test]
    fn settings_are_validated_one_key_at_a_time() {
        assert_eq!(validate_setting("gap_minimo", " 250 "), Ok("250".into()));
        assert!(validate_setting("gap_minimo", "-3").is_err());
        assert!(validate_setting("gap_minimo", "abc").is_err());
        assert!(validate_setting("dias_analisis", "3").is_err());
        assert_eq!(validate_setting("clase_abc_requerida", "b"), Ok("B".into()));
        assert_eq!(validate_setting("producto_excluido_bolsas", "003760, 003761"), Ok("003760,003761".into()));
        assert!(validate_setting("frecuencia_calculo", "cada hora").is_err());
        assert!(validate_setting("otra", "1").is_err());
        assert!(CONFIG_KEYS.iter().all(|k| *k != "otra"));
    }
}
