//! What the POS connectors (KLK, Stellar) have in common: the product attributes a source
//! reports, the reason a source row was refused, and the tolerant value readers used to
//! decode source payloads (spec 10 §1 sentinels: `""`, `"N/A"`, `"None"`, `"nan"` are NULL).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Product attributes as one source reports them (spec 10 §3.4). `None` = the source did
/// not say; the loader applies the precedence rules (KLK non-NULL beats Stellar, Stellar
/// fills NULLs, admin overrides in SQLite beat both).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceProduct {
    pub codigo: String,
    pub descripcion: Option<String>,
    pub codigo_barras: Option<String>,
    pub categoria: Option<String>,
    pub grupo: Option<String>,
    pub subgrupo: Option<String>,
    pub marca: Option<String>,
    pub modelo: Option<String>,
    pub presentacion: Option<String>,
    pub cuadrante: Option<String>,
    pub unidades_por_bulto: Option<i32>,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
    pub es_pesable: Option<bool>,
    pub precio_venta_usd: Option<f64>,
    pub costo_unitario_usd: Option<f64>,
    pub iva_pct: Option<f64>,
}

/// Why a source row was refused (quarantined). `category` is a spec 20 §9.4 transform
/// category: `missing_fields`, `data_format` or `data_validation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub category: &'static str,
    pub reason: String,
    /// The row's key as far as it could be read (`C10-01-00008064/1`, `001853`).
    pub key: String,
}

impl Rejection {
    pub fn missing(field: &str, key: &str) -> Self {
        Rejection { category: "missing_fields", reason: format!("{field}: falta el valor"), key: key.to_string() }
    }
    pub fn format(field: &str, detail: impl std::fmt::Display, key: &str) -> Self {
        Rejection { category: "data_format", reason: format!("{field}: {detail}"), key: key.to_string() }
    }
    pub fn validation(reason: impl Into<String>, key: &str) -> Self {
        Rejection { category: "data_validation", reason: reason.into(), key: key.to_string() }
    }
}

const NULL_SENTINELS: &[&str] = &["", "N/A", "None", "nan", "NULL", "null"];

/// The trimmed text, or `None` when it is blank or a NULL sentinel.
pub fn clean_text(s: &str) -> Option<&str> {
    let t = s.trim();
    (!NULL_SENTINELS.contains(&t)).then_some(t)
}

/// A decimal as sources write it in text (`12.08`, `-4.5`, `.75`); `None` for NULL
/// sentinels; `Err` with the offending text otherwise.
pub fn parse_decimal(s: &str) -> Result<Option<f64>, String> {
    let Some(t) = clean_text(s) else { return Ok(None) };
    let ok = !t.is_empty()
        && t.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || b == b'.' || ((b == b'-' || b == b'+') && i == 0))
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return Err(format!("no es un número: {t:?}"));
    }
    t.parse::<f64>().map(Some).map_err(|_| format!("no es un número: {t:?}"))
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let head = t.get(..10).unwrap_or(t);
    NaiveDate::parse_from_str(head, "%Y-%m-%d").map_err(|_| format!("fecha inválida: {t:?}"))
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fffffff`; the fractional part is **truncated**
/// (spec 20 §5.1: `12:49:56.8966141` → `12:49:56`).
pub fn parse_time_truncated(s: &str) -> Result<NaiveTime, String> {
    let t = s.trim();
    let whole = t.split('.').next().unwrap_or(t);
    let bad = || format!("hora inválida: {t:?}");
    let parts: Vec<&str> = whole.split(':').collect();
    let num = |p: &str| -> Result<u32, String> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse::<u32>().map_err(|_| bad())
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (num(h)?, num(m)?, 0),
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        _ => return Err(bad()),
    };
    if t.contains('.') && !t.split('.').nth(1).is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    NaiveTime::from_hms_opt(h, m, sec).ok_or_else(bad)
}

/// A local timestamp from its date and time parts (time truncated to whole seconds).
pub fn combine(date: &str, time: &str) -> Result<NaiveDateTime, String> {
    Ok(parse_date(date)?.and_time(parse_time_truncated(time)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_truncated_not_rounded() {
        assert_eq!(parse_time_truncated("12:49:56.8966141").unwrap(), NaiveTime::from_hms_opt(12, 49, 56).unwrap());
        assert_eq!(parse_time_truncated("13:05").unwrap(), NaiveTime::from_hms_opt(13, 5, 0).unwrap());
        assert!(parse_time_truncated("25:00:00").is_err());
        assert!(parse_time_truncated("12:4x:00").is_err());
        assert!(parse_time_truncated("12:40:00.").is_err());
        assert!(parse_time_truncated("").is_err());
    }

    #[test]
    fn decimals_and_sentinels() {
        assert_eq!(parse_decimal(" 12.08 ").unwrap(), Some(12.08));
        assert_eq!(parse_decimal("-4.5").unwrap(), Some(-4.5));
        assert_eq!(parse_decimal("N/A").unwrap(), None);
        assert_eq!(parse_decimal("").unwrap(), None);
        assert!(parse_decimal("12,5").is_err());
        assert!(parse_decimal("1e3").is_err());
        assert!(parse_decimal("-").is_err());
        assert_eq!(clean_text("  N/A "), None);
        assert_eq!(clean_text(" MARCA X "), Some("MARCA X"));
    }

    #[test]
    fn dates() {
        assert_eq!(combine("2025-11-17", "12:49:56.8966141").unwrap().to_string(), "2025-11-17 12:49:56");
        assert!(combine("2025-13-17", "12:00").is_err());
        assert!(parse_date("17/11/2025").is_err());
    }
}
