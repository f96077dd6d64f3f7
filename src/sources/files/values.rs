//! Cell parsers of the import format (spec 15 "General rules"). Each takes a cell that is
//! already trimmed and known not to be NULL, and returns the value or the reason it was
//! refused (the reason quotes the offending text, e.g. `not a decimal: "12,5"`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Values that mean NULL (spec 10 §1), compared after trimming: `""`, `" "` (blank),
/// `"N/A"`, `"None"`, `"nan"`.
const NULL_SENTINELS: &[&str] = &["", "N/A", "None", "nan"];

/// The trimmed cell, or `None` when it is empty or a NULL sentinel.
pub fn non_null(cell: &str) -> Option<&str> {
    let t = cell.trim();
    (!NULL_SENTINELS.contains(&t)).then_some(t)
}

/// Scale of every quantity and money column in the warehouse (`DECIMAL(18,4)`).
const SCALE_DIGITS: usize = 4;
const SCALE: i128 = 10_000;
/// Largest magnitude `DECIMAL(18,4)` holds, in units of 10⁻⁴.
const MAX_UNITS: i128 = 999_999_999_999_999_999;

/// A decimal written with `.` as decimal point and no thousands separators, optionally
/// signed: `12`, `-0.5`, `.75`, `3.`. Exponents, `NaN`, `inf`, `,` are refused. The value is
/// rounded half away from zero to the 4 decimals the warehouse stores, so that the number
/// read back from the warehouse is bit-for-bit the one loaded (re-imports stay no-ops).
pub fn decimal(s: &str) -> Result<f64, String> {
    let bad = || format!("not a decimal: {s:?}");
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty()) || !all_digits(int_part) || !all_digits(frac_part) {
        return Err(bad());
    }
    let significant = int_part.trim_start_matches('0');
    if significant.len() > 14 {
        return Err(format!("out of range (more than 14 integer digits): {s:?}"));
    }
    let mut units: i128 = if significant.is_empty() { 0 } else { significant.parse::<i128>().map_err(|_| bad())? };
    units *= SCALE;
    let frac = frac_part.as_bytes();
    let mut place = SCALE / 10;
    for &d in frac.iter().take(SCALE_DIGITS) {
        units += i128::from(d - b'0') * place;
        place /= 10;
    }
    if frac.len() > SCALE_DIGITS && frac[SCALE_DIGITS] >= b'5' {
        units += 1;
    }
    if units > MAX_UNITS {
        return Err(format!("out of range (more than 14 integer digits): {s:?}"));
    }
    let value = units as f64 / SCALE as f64;
    Ok(if negative && units != 0 { -value } else { value })
}

/// A decimal that must not be negative (prices and costs of `productos.csv`).
pub fn non_negative_decimal(s: &str) -> Result<f64, String> {
    let v = decimal(s)?;
    if v < 0.0 {
        return Err(format!("must not be negative: {s:?}"));
    }
    Ok(v)
}

/// An integer (`12`, `+3`, `-1`; no decimal point) of at least `min`, fitting in 32 bits.
pub fn integer_at_least(s: &str, min: i32) -> Result<i32, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not an integer: {s:?}"));
    }
    let v: i64 = match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) => return Err(format!("out of range: {s:?}")),
    };
    if v < i64::from(min) {
        return Err(format!("must be at least {min}: {s:?}"));
    }
    i32::try_from(v).map_err(|_| format!("out of range: {s:?}"))
}

/// `true`/`false`/`1`/`0`, case-insensitive.
pub fn boolean(s: &str) -> Result<bool, String> {
    if s == "1" || s.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if s == "0" || s.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(format!("not a boolean (true/false/1/0): {s:?}"))
    }
}

/// `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, local time without zone, optionally
/// followed by `.` and fractional digits, which are truncated (never rounded).
pub fn timestamp(s: &str) -> Result<NaiveDateTime, String> {
    let bad = || format!("not a timestamp YYYY-MM-DD HH:MM:SS: {s:?}");
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() < 19 || !(b[10] == b' ' || b[10] == b'T') {
        return Err(bad());
    }
    let fraction = &s[19..];
    if !fraction.is_empty() {
        let digits = fraction.strip_prefix('.').ok_or_else(bad)?;
        if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
            return Err(bad());
        }
    }
    let date = date(&s[..10]).map_err(|_| bad())?;
    let t = &b[11..19];
    let shape_ok = t[2] == b':' && t[5] == b':' && [0, 1, 3, 4, 6, 7].iter().all(|&i| t[i].is_ascii_digit());
    if !shape_ok {
        return Err(bad());
    }
    let num = |i: usize| u32::from(t[i] - b'0') * 10 + u32::from(t[i + 1] - b'0');
    let time = NaiveTime::from_hms_opt(num(0), num(3), num(6)).ok_or_else(bad)?;
    Ok(date.and_time(time))
}

/// `YYYY-MM-DD` (exactly: four-digit year, two-digit month and day).
pub fn date(s: &str) -> Result<NaiveDate, String> {
    let bad = || format!("not a date YYYY-MM-DD: {s:?}");
    let b = s.as_bytes();
    let shape_ok =
        b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(bad());
    }
    let y: i32 = s[..4].parse().map_err(|_| bad())?;
    let m: u32 = s[5..7].parse().map_err(|_| bad())?;
    let d: u32 = s[8..].parse().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)
}

/// `unidad_pedido`: `Bulto`, `Unidad` or `KG`; matched case-insensitively and stored in
/// that canonical spelling.
pub fn order_unit(s: &str) -> Result<String, String> {
    ["Bulto", "Unidad", "KG"]
        .iter()
        .find(|u| u.eq_ignore_ascii_case(s))
        .map(|u| u.to_string())
        .ok_or_else(|| format!("must be one of Bulto, Unidad, KG: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_are_null_and_cells_are_trimmed() {
        for s in ["", " ", "  ", "N/A", "None", "nan", " N/A "] {
            assert_eq!(non_null(s), None, "{s:?}");
        }
        assert_eq!(non_null(" 001086268 "), Some("001086268"));
        assert_eq!(non_null("NONE"), Some("NONE"), "only the exact sentinels are NULL");
        assert_eq!(non_null("0"), Some("0"));
    }

    #[test]
    fn decimals_use_a_point_and_no_separators() {
        assert_eq!(decimal("12"), Ok(12.0));
        assert_eq!(decimal("-0.735"), Ok(-0.735));
        assert_eq!(decimal("+.5"), Ok(0.5));
        assert_eq!(decimal("3."), Ok(3.0));
        assert_eq!(decimal("007.10"), Ok(7.1));
        assert_eq!(decimal("-0"), Ok(0.0));
        assert!(decimal("-0").unwrap().is_sign_positive());
        assert_eq!(decimal("12,5"), Err("not a decimal: \"12,5\"".to_string()));
        for s in ["1.234,5", "1,234.5", "1 234", "1e3", "NaN", "inf", ".", "-", "+", "1.2.3", "--1", "0x10", "١٢"] {
            assert!(decimal(s).is_err(), "{s:?} must be refused");
        }
    }

    #[test]
    fn decimals_round_half_away_to_four_places_and_are_range_checked() {
        assert_eq!(decimal("0.974138"), Ok(0.9741));
        assert_eq!(decimal("0.12345"), Ok(0.1235));
        assert_eq!(decimal("-0.12345"), Ok(-0.1235));
        assert_eq!(decimal("0.123449"), Ok(0.1234));
        assert_eq!(decimal("0.99995"), Ok(1.0));
        assert_eq!(decimal("99999999999999.9999"), Ok(99_999_999_999_999.999_9));
        assert!(decimal("99999999999999.99995").unwrap_err().starts_with("out of range"));
        assert!(decimal("100000000000000").unwrap_err().starts_with("out of range"));
        assert_eq!(decimal("000000000000000000001"), Ok(1.0), "leading zeros do not count");
        // The value equals what DECIMAL(18,4) → DOUBLE gives back: units / 10⁴.
        assert_eq!(decimal("1.2346").unwrap(), 12346.0 / 10000.0);
    }

    #[test]
    fn non_negative_decimals() {
        assert_eq!(non_negative_decimal("0"), Ok(0.0));
        assert_eq!(non_negative_decimal("-0.01"), Err("must not be negative: \"-0.01\"".to_string()));
    }

    #[test]
    fn integers() {
        assert_eq!(integer_at_least("12", 1), Ok(12));
        assert_eq!(integer_at_least("+3", 0), Ok(3));
        assert_eq!(integer_at_least("0", 0), Ok(0));
        assert_eq!(integer_at_least("0", 1), Err("must be at least 1: \"0\"".to_string()));
        assert_eq!(integer_at_least("-1", 0), Err("must be at least 0: \"-1\"".to_string()));
        assert_eq!(integer_at_least("12.0", 1), Err("not an integer: \"12.0\"".to_string()));
        assert_eq!(integer_at_least("2147483648", 0), Err("out of range: \"2147483648\"".to_string()));
        assert_eq!(integer_at_least("99999999999999999999", 0), Err("out of range: \"99999999999999999999\"".to_string()));
        assert!(integer_at_least("", 0).is_err());
        assert!(integer_at_least("1_000", 0).is_err());
    }

    #[test]
    fn booleans() {
        for (s, v) in [("true", true), ("TRUE", true), ("True", true), ("1", true), ("false", false), ("FaLsE", false), ("0", false)] {
            assert_eq!(boolean(s), Ok(v), "{s}");
        }
        for s in ["yes", "no", "si", "t", "2", "01"] {
            assert!(boolean(s).is_err(), "{s}");
        }
    }

    #[test]
    fn timestamps_accept_space_or_t_and_truncate_fractions() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(timestamp("2025-03-01 14:05:09"), Ok(at("2025-03-01 14:05:09")));
        assert_eq!(timestamp("2025-03-01T14:05:09"), Ok(at("2025-03-01 14:05:09")));
        assert_eq!(timestamp("2025-03-01 14:05:09.999"), Ok(at("2025-03-01 14:05:09")), "truncated, not rounded");
        assert_eq!(timestamp("2025-03-01T23:59:59.9999999999"), Ok(at("2025-03-01 23:59:59")));
        for s in [
            "2025-03-01",
            "2025-03-01 14:05",
            "2025-3-01 14:05:09",
            "01/03/2025 14:05:09",
            "2025-03-01 24:00:00",
            "2025-02-30 10:00:00",
            "2025-03-01 14:05:09Z",
            "2025-03-01 14:05:09+00:00",
            "2025-03-01 14:05:09.",
            "2025-03-01_14:05:09",
            "2025-03-01 14:5:09 ",
        ] {
            assert_eq!(timestamp(s), Err(format!("not a timestamp YYYY-MM-DD HH:MM:SS: {s:?}")), "{s}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date("2024-02-29"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
        for s in ["2023-02-29", "2024-2-29", "29/02/2024", "2024-02-29 00:00:00", "+024-02-29"] {
            assert!(date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn order_units_are_canonicalised() {
        assert_eq!(order_unit("bulto"), Ok("Bulto".to_string()));
        assert_eq!(order_unit("KG"), Ok("KG".to_string()));
        assert_eq!(order_unit("kg"), Ok("KG".to_string()));
        assert_eq!(order_unit("Caja"), Err("must be one of Bulto, Unidad, KG: \"Caja\"".to_string()));
    }
}
