//! *Dashboard de Red* (spec 40 §3.1) through the API on the `tiny` chain: every KPI of both
//! periods recomputed from the raw sale lines in SQL (tickets are distinct store × invoice),
//! the variations, the region filter, the comparison ranges, and bad input by name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

async fn kpis(app: &TestApp, query: &str) -> (StatusCode, Value) {
    let r = app.client.get(app.url(&format!("/api/bi/stores/network/kpis?{query}"))).bearer_auth(&app.admin_token).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// (ventas, costo, items, tickets) of the raw lines of the stores of `region` (all when None).
fn raw(app: &TestApp, from: NaiveDate, to: NaiveDate, region: Option<&str>) -> (f64, f64, f64, i64) {
    let stores: Vec<String> =
        app.state.tenant.stores().iter().filter(|s| !s.is_cedi() && region.is_none_or(|r| s.region == r)).map(|s| s.id.clone()).collect();
    let r = app.state.warehouse.reader().unwrap();
    r.query_row(
        "SELECT coalesce(sum(venta_total), 0)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE, coalesce(sum(cantidad_vendida), 0)::DOUBLE,
                count(DISTINCT (ubicacion_id, numero_factura))
         FROM ventas WHERE fecha BETWEEN ?::DATE AND ?::DATE AND list_contains(string_split(?, ','), ubicacion_id)",
        duckdb::params![from.to_string(), to.to_string(), stores.join(",")],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )
    .unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn round(v: f64, d: i32) -> f64 {
    let m = 10f64.powi(d);
    (v * m).round() / m
}

fn check(period: &Value, raw: (f64, f64, f64, i64)) {
    let (ventas, costo, items, tickets) = raw;
    assert_eq!(f(&period["ventas_total"]), round(ventas, 2), "{period}");
    assert_eq!(period["tickets"].as_i64().unwrap(), tickets);
    assert_eq!(f(&period["ticket_promedio"]), round(ventas / tickets as f64, 2));
    assert_eq!(f(&period["margen_pct"]), round((ventas - costo) / ventas * 100.0, 2));
    assert_eq!(f(&period["items_totales"]), round(items, 2));
}

#[tokio::test]
async fn the_network_kpis_and_their_variations_match_the_raw_lines() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let inicio = fin - Duration::days(6);
    let (s, k) = kpis(&app, &format!("fecha_inicio={inicio}&fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    assert_eq!((k["dias_periodo"].as_i64(), k["comparar_con"].as_str()), (Some(7), Some("anterior")));
    assert_eq!(k["periodo_comparacion"]["fecha_inicio"], (inicio - Duration::days(7)).to_string());
    assert_eq!(k["periodo_comparacion"]["fecha_fin"], (inicio - Duration::days(1)).to_string());
    assert_eq!(k["datos_al"], fin.to_string());
    let now = raw(&app, inicio, fin, None);
    let before = raw(&app, inicio - Duration::days(7), inicio - Duration::days(1), None);
    check(&k["periodo_actual"], now);
    check(&k["periodo_comparacion"], before);
    let v = &k["variaciones"];
    assert_eq!(f(&v["ventas_pct"]), round((now.0 - before.0) / before.0 * 100.0, 1));
    assert_eq!(f(&v["tickets_pct"]), round((now.3 - before.3) as f64 / before.3 as f64 * 100.0, 1));
    let margin = |t: (f64, f64, f64, i64)| (t.0 - t.1) / t.0 * 100.0;
    assert_eq!(f(&v["margen_pp"]), round(margin(now) - margin(before), 1), "percentage points, not percent");
    // Sales per store add up to the network's, biggest first.
    let stores = k["ventas_por_tienda"].as_array().unwrap();
    assert_eq!(stores.len(), 2, "stores only, never a CEDI");
    let sum: f64 = stores.iter().map(|s| f(&s["ventas_total"])).sum();
    assert!((sum - f(&k["periodo_actual"]["ventas_total"])).abs() < 0.02);
    assert!(f(&stores[0]["ventas_total"]) >= f(&stores[1]["ventas_total"]));

    // One region (any case), and last year's range.
    let (_, r) = kpis(&app, &format!("fecha_inicio={inicio}&fecha_fin={fin}&region=caracas&comparar_con=ano_anterior")).await;
    assert_eq!(r["region"], "CARACAS");
    check(&r["periodo_actual"], raw(&app, inicio, fin, Some("CARACAS")));
    assert_eq!(r["periodo_comparacion"]["fecha_inicio"], (inicio - Duration::days(365)).to_string());
    assert_eq!(r["ventas_por_tienda"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_periods_and_comparisons_are_refused_by_name() {
    let app = spawn_app(true).await;
    for (query, field) in [
        ("fecha_inicio=2026-11-20&fecha_fin=2026-11-10", "fecha_inicio"),
        ("fecha_inicio=20-11-2026&fecha_fin=2026-11-25", "fecha_inicio"),
        ("fecha_inicio=2026-11-20&fecha_fin=2026-11-25&comparar_con=semana", "comparar_con"),
        ("fecha_inicio=2026-11-20&fecha_fin=2026-11-25&region=MARACAIBO", "region"),
    ] {
        let (s, e) = kpis(&app, query).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{query}: {e}");
    }
    // BI is the super admin's (spec 50 §4.3): a general manager is refused.
    app.add_user("gerente.general", "clave-general-1", "gerente_general", &[]);
    let token = app.token("gerente.general", "clave-general-1").await;
    let r = app
        .client
        .get(app.url("/api/bi/stores/network/kpis?fecha_inicio=2026-11-20&fecha_fin=2026-11-25"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let r = app.client.get(app.url(path)).bearer_auth(&app.admin_token).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_stores_evolution_tickets_and_hours_match_the_raw_lines() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let inicio = fin - Duration::days(13);
    let q = format!("fecha_inicio={inicio}&fecha_fin={fin}");
    let r = app.state.warehouse.reader().unwrap();

    // Evolution: each day's sales and tickets, and the network's mean over the stores that sold.
    let (s, e) = get(&app, &format!("/api/bi/stores/tienda_01/evolution?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let days = e["dias"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    for d in days.iter().take(3) {
        let day = d["fecha"].as_str().unwrap();
        let (ventas, tickets): (f64, i64) = r
            .query_row(
                "SELECT sum(venta_total)::DOUBLE, count(DISTINCT numero_factura) FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha = ?::DATE",
                [day],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((f(&d["ventas_total"]), d["tickets"].as_i64().unwrap()), (round(ventas, 2), tickets), "{day}");
        let mean: f64 = r
            .query_row(
                "SELECT avg(s)::DOUBLE FROM (SELECT sum(venta_total) AS s FROM ventas WHERE fecha = ?::DATE AND ubicacion_id LIKE 'tienda_%' GROUP BY ubicacion_id)",
                [day],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(f(&d["promedio_red"]), round(mean, 2), "{day}");
    }
    check(&e["totales"], raw(&app, inicio, fin, Some("VALENCIA")));

    // Tickets: the five buckets add up to the store's tickets and sales.
    let (_, t) = get(&app, &format!("/api/bi/stores/tienda_01/ticket-distribution?{q}")).await;
    let buckets = t["rangos"].as_array().unwrap();
    assert_eq!(buckets.iter().map(|b| b["rango"].as_str().unwrap()).collect::<Vec<_>>(), vec!["$0-5", "$5-15", "$15-30", "$30-50", "$50+"]);
    let (ventas, _, _, tickets) = raw(&app, inicio, fin, Some("VALENCIA"));
    assert_eq!(t["total_tickets"].as_i64().unwrap(), tickets);
    assert_eq!(buckets.iter().map(|b| b["tickets"].as_i64().unwrap()).sum::<i64>(), tickets);
    assert!((f(&t["total_ventas"]) - ventas).abs() < 0.01);
    let small: i64 = r
        .query_row(
            "SELECT count(*) FROM (SELECT sum(venta_total) AS t FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN ?::DATE AND ?::DATE
             GROUP BY numero_factura) WHERE t < 5",
            [inicio.to_string(), fin.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(buckets[0]["tickets"].as_i64().unwrap(), small);

    // Heat map: 7 × 24, the peak is the busiest (weekday, hour) of the 30 days before today.
    let (_, h) = get(&app, "/api/bi/stores/tienda_01/hourly-heatmap?dias=30").await;
    assert_eq!(h["celdas"].as_array().unwrap().len(), 168);
    let today = app.state.tenant.today();
    let (peak_day, peak_hour): (i64, i64) = r
        .query_row(
            "SELECT dayofweek(fecha), hour(fecha_venta) FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN ?::DATE AND ?::DATE
             GROUP BY 1, 2 ORDER BY sum(venta_total) DESC, 1, 2 LIMIT 1",
            [(today - Duration::days(30)).to_string(), (today - Duration::days(1)).to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((h["hora_pico"]["dia_semana"].as_i64().unwrap(), h["hora_pico"]["hora"].as_i64().unwrap()), (peak_day, peak_hour));
    // Every panel says up to which day the store's sales are loaded.
    let last: String =
        r.query_row("SELECT max(fecha)::VARCHAR FROM ventas WHERE ubicacion_id = 'tienda_01'", [], |row| row.get(0)).unwrap();
    for body in [&e, &t, &h] {
        assert_eq!(body["datos_al"].as_str(), Some(last.as_str()));
    }
    // Unknown store or a CEDI: 404; a bad window: 422.
    assert_eq!(get(&app, "/api/bi/stores/cedi_seco/evolution").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/api/bi/stores/tienda_01/hourly-heatmap?dias=0").await.0, StatusCode::UNPROCESSABLE_ENTITY);
}
