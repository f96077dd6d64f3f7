//! Spec 40 §8 E11 (lost sales V3) through the HTTP API on real files: the example's five
//! products sold at tienda_01 in February–March 2025 (before the generated chain), their
//! categories set through product administration, and the endpoint's answer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{sale_line, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `units` spread evenly over the days `from..=to` (whole units per day, the rest on the
/// first day), at `price`, as one ticket per day.
fn spread(code: &str, units: u32, price: f64, from: NaiveDate, to: NaiveDate) -> Vec<fluxion::domain::records::SaleLine> {
    let n = ((to - from).num_days() + 1) as u32;
    (0..n)
        .filter_map(|i| {
            let q = units / n + if i == 0 { units % n } else { 0 };
            let d = from + Duration::days(i64::from(i));
            (q > 0).then(|| sale_line("tienda_01", &format!("E11-{code}-{d}"), d.and_hms_opt(10, 0, 0).unwrap(), code, f64::from(q), price))
        })
        .collect()
}

#[tokio::test]
async fn worked_example_e11_through_the_api() {
    let app = spawn_app(true).await;
    let (history, period) = ((day("2025-02-01"), day("2025-03-02")), (day("2025-03-03"), day("2025-03-09")));
    let mut lines = Vec::new();
    lines.extend(spread("E11A", 300, 2.50, history.0, history.1));
    lines.extend(spread("E11A", 14, 2.50, period.0, period.1));
    lines.extend(spread("E11B", 60, 4.00, history.0, history.1));
    lines.extend(spread("E11B", 7, 4.00, period.0, period.1));
    lines.extend(spread("E11C", 90, 1.20, history.0, history.1));
    lines.extend(spread("E11D", 10, 3.00, history.0, history.1));
    lines.extend(spread("E11E", 150, 1.00, history.0, history.1));
    lines.extend(spread("E11E", 30, 1.00, period.0, period.1));
    app.load_sales(&lines);
    for (code, categoria) in [("E11A", "Harinas"), ("E11B", "Lácteos"), ("E11C", "Harinas")] {
        let r = app
            .client
            .put(app.url(&format!("/api/admin/productos/{code}")))
            .bearer_auth(&app.admin_token)
            .json(&json!({"categoria": categoria}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{code}: {}", r.text().await.unwrap());
    }

    let (s, body) = app
        .get_with_status("/api/ventas/ventas-perdidas-v3/tienda_01?fecha_inicio=2025-03-03&fecha_fin=2025-03-09", &app.admin_token)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["dias_periodo"], 7);
    assert_eq!((body["historico_desde"].as_str(), body["historico_hasta"].as_str()), (Some("2025-02-01"), Some("2025-03-02")));
    let items = body["items"].as_array().unwrap();
    let get = |code: &str| items.iter().find(|i| i["codigo_producto"] == code).cloned().unwrap_or(Value::Null);
    // A: 10/day → 2/day, 20 %, 56 units × 2.50; B: 50 %, 7 × 4.00; C: nothing sold, the
    // history's price 1.20 (the original: $0); D (too little history) and E (a small drop) out.
    for (code, pct, lost_units, usd, level) in
        [("E11A", 20.0, 56.0, 140.0, "critico"), ("E11B", 50.0, 7.0, 28.0, "alto"), ("E11C", 0.0, 21.0, 25.2, "critico")]
    {
        let i = get(code);
        assert_eq!(i["pct_vs_historico"], json!(pct), "{code}: {i}");
        assert_eq!(i["unidades_perdidas"], json!(lost_units), "{code}");
        assert_eq!(i["venta_perdida_usd"], json!(usd), "{code}");
        assert_eq!(i["nivel"], level, "{code}");
        assert_eq!(i["causa"], "caida_demanda", "{code}: no stock record says it ran out");
    }
    assert_eq!(get("E11D"), Value::Null);
    assert_eq!(get("E11E"), Value::Null);
    let ours: Vec<&Value> = items.iter().filter(|i| i["codigo_producto"].as_str().unwrap().starts_with("E11")).collect();
    assert_eq!(ours.len(), 3);
    assert_eq!(items[0]["codigo_producto"], "E11A", "largest loss first");
    // Only the example's products sold in those weeks: the totals are the example's.
    assert_eq!(body["resumen"]["venta_perdida_usd"], json!(193.2));
    assert_eq!(body["resumen"]["incidentes"], 3);
    assert_eq!((body["resumen"]["por_nivel"]["critico"].as_u64(), body["resumen"]["por_nivel"]["alto"].as_u64()), (Some(2), Some(1)));
    let cats = body["resumen"]["por_categoria"].as_array().unwrap();
    assert_eq!(cats[0]["categoria"], "Harinas");
    assert_eq!((cats[0]["usd"].clone(), cats[0]["pct"].clone()), (json!(165.2), json!(85.5)));
    assert_eq!(cats[1]["categoria"], "Lácteos");
    assert_eq!((cats[1]["usd"].clone(), cats[1]["pct"].clone()), (json!(28.0), json!(14.5)));
}
