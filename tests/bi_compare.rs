//! *Comparar Tiendas*, *Ranking Tiendas* and a store's *Top categorías* (spec 40 §3.2, §3.3)
//! through the API on the `tiny` chain: every figure recomputed from the raw sale lines in
//! SQL (tickets are distinct store × invoice, categories without NULL/blank/SIN CATEGORIA),
//! the best store of each metric, the radar's scale, and bad input by name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.get_with_status(path, &app.admin_token).await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn round(v: f64, d: i32) -> f64 {
    let m = 10f64.powi(d);
    (v * m).round() / m
}

/// (ventas, costo, items, tickets) of one store's raw lines.
fn raw(app: &TestApp, store: &str, from: NaiveDate, to: NaiveDate) -> (f64, f64, f64, i64) {
    let r = app.state.warehouse.reader().unwrap();
    r.query_row(
        "SELECT coalesce(sum(venta_total), 0)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE, coalesce(sum(cantidad_vendida), 0)::DOUBLE,
                count(DISTINCT numero_factura)
         FROM ventas WHERE ubicacion_id = ? AND fecha BETWEEN ?::DATE AND ?::DATE",
        duckdb::params![store, from.to_string(), to.to_string()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
    )
    .unwrap()
}

/// Per categorised merchandise category of a store: (categoria, ventas, costo, productos, tickets), by ventas desc.
fn raw_categories(app: &TestApp, store: &str, from: NaiveDate, to: NaiveDate) -> Vec<(String, f64, f64, i64, i64)> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(
            "SELECT trim(p.categoria), sum(v.venta_total)::DOUBLE, coalesce(sum(v.costo_total), 0)::DOUBLE, count(DISTINCT v.producto_codigo),
                    count(DISTINCT v.numero_factura)
             FROM ventas v JOIN productos_v p ON p.codigo = v.producto_codigo
             WHERE v.ubicacion_id = ? AND v.fecha BETWEEN ?::DATE AND ?::DATE
               AND coalesce(trim(p.categoria), '') <> '' AND upper(trim(p.categoria)) NOT IN ('SIN CATEGORIA', 'SIN CATEGORÍA')
             GROUP BY 1 ORDER BY 2 DESC, 1",
        )
        .unwrap();
    stmt.query_map(duckdb::params![store, from.to_string(), to.to_string()], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test]
async fn comparing_stores_matches_the_raw_lines_and_names_the_best() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let inicio = fin - Duration::days(20);
    let (s, c) = get(
        &app,
        &format!("/api/bi/stores/compare-multi?ubicacion_ids=tienda_02,tienda_01,cedi_seco,nada&fecha_inicio={inicio}&fecha_fin={fin}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["datos_al"], fin.to_string());
    let tiendas = c["tiendas"].as_array().unwrap();
    let ids: Vec<&str> = tiendas.iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["tienda_02", "tienda_01"], "in the request's order, the CEDI and the unknown id skipped");
    assert_eq!(c["omitidas"], serde_json::json!(["cedi_seco", "nada"]));
    let mut raws = Vec::new();
    for t in tiendas {
        let id = t["ubicacion_id"].as_str().unwrap();
        let (ventas, costo, items, tickets) = raw(&app, id, inicio, fin);
        raws.push((ventas, costo, tickets));
        assert_eq!(f(&t["ventas_total"]), round(ventas, 2), "{id}");
        assert_eq!(t["tickets"].as_i64().unwrap(), tickets, "{id}: tickets are invoices, not lines");
        assert_eq!(f(&t["ticket_promedio"]), round(ventas / tickets as f64, 2));
        assert_eq!(f(&t["items_totales"]), round(items, 2));
        assert_eq!(f(&t["items_por_ticket"]), round(items / tickets as f64, 2));
        assert_eq!(f(&t["margen_pct"]), round((ventas - costo) / ventas * 100.0, 2));
        let cats = raw_categories(&app, id, inicio, fin);
        assert!(!cats.is_empty(), "the tiny chain's products have categories");
        assert_eq!(t["top_categoria"]["nombre"], cats[0].0.as_str(), "{id}");
        assert_eq!(f(&t["top_categoria"]["ventas"]), round(cats[0].1, 2));
    }
    // The best of each metric, and the radar: the best store at 100, the other at 0.
    let best_sales = if raws[0].0 >= raws[1].0 { 0 } else { 1 };
    assert_eq!(c["comparacion"]["mejor_ventas"], ids[best_sales]);
    assert_eq!(f(&tiendas[best_sales]["radar"]["ventas_total"]), 100.0);
    assert_eq!(f(&tiendas[1 - best_sales]["radar"]["ventas_total"]), 0.0);
    let margin = |r: (f64, f64, i64)| (r.0 - r.1) / r.0;
    assert_eq!(c["comparacion"]["mejor_margen"], ids[if margin(raws[0]) >= margin(raws[1]) { 0 } else { 1 }]);
    let ticket = |r: (f64, f64, i64)| r.0 / r.2 as f64;
    assert_eq!(c["comparacion"]["mejor_ticket_promedio"], ids[if ticket(raws[0]) >= ticket(raws[1]) { 0 } else { 1 }]);

    // One store alone: every radar axis at 50 (all equal).
    let (_, one) = get(&app, &format!("/api/bi/stores/compare-multi?ubicacion_ids=tienda_01&fecha_inicio={inicio}&fecha_fin={fin}")).await;
    assert_eq!(f(&one["tiendas"][0]["radar"]["margen_pct"]), 50.0);
    assert_eq!(one["comparacion"]["mejor_ventas"], "tienda_01");
}

#[tokio::test]
async fn the_sales_ranking_covers_every_store_with_the_networks_weighted_figures() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let inicio = fin - Duration::days(29);
    let (s, r) = get(&app, &format!("/api/bi/stores/sales-ranking?fecha_inicio={inicio}&fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["datos_al"], fin.to_string());
    let a = raw(&app, "tienda_01", inicio, fin);
    let b = raw(&app, "tienda_02", inicio, fin);
    let (ventas, costo, tickets) = (a.0 + b.0, a.1 + b.1, a.3 + b.3);
    let sum = &r["resumen"];
    assert_eq!((sum["tiendas"].as_i64(), sum["tickets"].as_i64().unwrap()), (Some(2), tickets));
    assert_eq!(f(&sum["ventas_total"]), round(ventas, 2));
    assert_eq!(f(&sum["ticket_promedio"]), round(ventas / tickets as f64, 2), "Σventas / Σtickets");
    assert_eq!(f(&sum["margen_pct"]), round((ventas - costo) / ventas * 100.0, 2), "weighted, not the mean of the stores' margins");
    let rows = r["tiendas"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["posicion"], 1);
    assert!(f(&rows[0]["ventas_total"]) >= f(&rows[1]["ventas_total"]));
    let first = if a.0 >= b.0 { a } else { b };
    assert_eq!(f(&rows[0]["pct_red"]), round(first.0 / ventas * 100.0, 2));
    assert_eq!(f(&rows[0]["margen_vs_red_pp"]), round((first.0 - first.1) / first.0 * 100.0 - (ventas - costo) / ventas * 100.0, 1));
    assert_eq!(r["podio"]["mejor_ventas"], rows[0]["ubicacion_id"]);

    // One region (any case): its one store.
    let (_, v) = get(&app, &format!("/api/bi/stores/sales-ranking?fecha_inicio={inicio}&fecha_fin={fin}&region=valencia")).await;
    assert_eq!(v["region"], "VALENCIA");
    assert_eq!(v["tiendas"].as_array().unwrap().len(), 1);
    assert_eq!(v["tiendas"][0]["ubicacion_id"], "tienda_01");
    assert_eq!(f(&v["tiendas"][0]["pct_red"]), 100.0);
}

#[tokio::test]
async fn a_stores_top_categories_match_the_raw_lines() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let inicio = fin - Duration::days(13);
    let (s, c) = get(&app, &format!("/api/bi/stores/tienda_02/categories?fecha_inicio={inicio}&fecha_fin={fin}&limite=3")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let raw = raw_categories(&app, "tienda_02", inicio, fin);
    let total: f64 = raw.iter().map(|r| r.1).sum();
    assert_eq!(c["totales"]["categorias_activas"].as_u64().unwrap() as usize, raw.len(), "all categories, not the top N");
    assert_eq!(f(&c["totales"]["ventas_total"]), round(total, 2));
    let rows = c["categorias"].as_array().unwrap();
    assert_eq!(rows.len(), raw.len().min(3));
    for (row, (name, ventas, costo, productos, tickets)) in rows.iter().zip(&raw) {
        assert_eq!(row["categoria"], name.as_str());
        assert_eq!(f(&row["ventas_total"]), round(*ventas, 2), "{name}");
        assert_eq!(f(&row["pct_ventas"]), round(ventas / total * 100.0, 2), "{name}");
        assert_eq!(f(&row["margen_pct"]), round((ventas - costo) / ventas * 100.0, 2), "{name}");
        assert_eq!((row["productos"].as_i64().unwrap(), row["tickets"].as_i64().unwrap()), (*productos, *tickets), "{name}");
    }
    assert_eq!(c["datos_al"], fin.to_string());
    assert_eq!(get(&app, "/api/bi/stores/cedi_seco/categories").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/api/bi/stores/tienda_01/categories?limite=51").await.0, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_comparisons_are_refused_in_spanish_by_name() {
    let app = spawn_app(true).await;
    let many: Vec<String> = (1..=21).map(|i| format!("tienda_{i:02}")).collect();
    let ok = "fecha_inicio=2026-11-01&fecha_fin=2026-11-20";
    for (path, field) in [
        (format!("/api/bi/stores/compare-multi?ubicacion_ids={}&{ok}", many.join(",")), "ubicacion_ids"),
        (format!("/api/bi/stores/compare-multi?{ok}"), "ubicacion_ids"),
        ("/api/bi/stores/compare-multi?ubicacion_ids=tienda_01&fecha_inicio=2026-11-20&fecha_fin=2026-11-01".into(), "fecha_inicio"),
        ("/api/bi/stores/compare-multi?ubicacion_ids=tienda_01&fecha_inicio=2026-13-01&fecha_fin=2026-11-20".into(), "fecha_inicio"),
        ("/api/bi/stores/sales-ranking?fecha_inicio=2026-11-20&fecha_fin=2026-11-01".into(), "fecha_inicio"),
        ("/api/bi/stores/sales-ranking?fecha_inicio=2026-11-01&fecha_fin=25/11/2026".into(), "fecha_fin"),
        (format!("/api/bi/stores/sales-ranking?{ok}&region=MARACAIBO"), "region"),
        ("/api/bi/stores/tienda_01/categories?fecha_inicio=2026-11-20&fecha_fin=2026-11-01".into(), "fecha_inicio"),
    ] {
        let (s, e) = get(&app, &path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        assert_eq!(e["code"], "validation_error", "{path}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{path}: {e}");
    }
    let (_, e) = get(&app, &format!("/api/bi/stores/compare-multi?ubicacion_ids={}&{ok}", many.join(","))).await;
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("hasta 20 tiendas"), "{e}");
    // Twenty is allowed (unknown ids are skipped).
    let (s, _) = get(&app, &format!("/api/bi/stores/compare-multi?ubicacion_ids={}&{ok}", many[..20].join(","))).await;
    assert_eq!(s, StatusCode::OK);
}
