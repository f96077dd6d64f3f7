//! *Por Producto* (GMROI × rotation, spec 40 §3.4) and *Rentabilidad* (§3.6) through the API
//! on the `tiny` chain: each product's sales, average inventory at cost, GMROI, rotation and
//! quadrant recomputed independently — the average stock of each day with a stock load read
//! from the whole history in plain SQL — the tenant's own thresholds, the stars and removal
//! candidates, the families' totals, and bad input by name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.get_with_status(path, &app.admin_token).await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// (ventas, costo, inv_prom at cost) of one product over the active stores, for the 30 days
/// ending `fin`: the end-of-day stock of each day with a load (each almacén's last quantity
/// up to that day, over the whole history), negatives as 0, averaged per store over its
/// days, valued at the product's POS cost, else the store's 30-day sale cost, else the network's.
fn raw_product(app: &TestApp, code: &str, fin: NaiveDate) -> (f64, f64, f64) {
    let from = fin - Duration::days(29);
    let r = app.state.warehouse.reader().unwrap();
    let (ventas, costo): (f64, f64) = r
        .query_row(
            "SELECT coalesce(sum(venta_total), 0)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE FROM ventas
             WHERE producto_codigo = ? AND fecha BETWEEN ?::DATE AND ?::DATE AND ubicacion_id LIKE 'tienda%'",
            duckdb::params![code, from.to_string(), fin.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let inv: f64 = r
        .query_row(
            "WITH dias AS (SELECT DISTINCT ubicacion_id, fecha_snapshot::DATE AS dia FROM inventario_cargas
                           WHERE ubicacion_id LIKE 'tienda%' AND fecha_snapshot::DATE BETWEEN ?2::DATE AND ?3::DATE),
                  eod AS (SELECT d.ubicacion_id, d.dia, h.almacen_codigo, arg_max(h.cantidad, h.fecha_snapshot)::DOUBLE AS q
                          FROM dias d JOIN inventario_historico h ON h.ubicacion_id = d.ubicacion_id AND h.producto_codigo = ?1
                               AND h.fecha_snapshot < d.dia + 1
                          GROUP BY ALL),
                  por_dia AS (SELECT d.ubicacion_id, d.dia, coalesce(sum(greatest(e.q, 0)), 0) AS q
                              FROM dias d LEFT JOIN eod e USING (ubicacion_id, dia) GROUP BY ALL),
                  prom AS (SELECT ubicacion_id, avg(q) AS q FROM por_dia GROUP BY ALL),
                  costo AS (SELECT p.ubicacion_id,
                                   coalesce((SELECT nullif(costo_unitario_usd, 0)::DOUBLE FROM productos WHERE codigo = ?1),
                                            (SELECT sum(costo_total) / nullif(sum(cantidad_vendida), 0) FROM ventas v
                                             WHERE v.producto_codigo = ?1 AND v.ubicacion_id = p.ubicacion_id
                                               AND v.fecha BETWEEN ?3::DATE - 29 AND ?3::DATE),
                                            (SELECT sum(costo_total) / nullif(sum(cantidad_vendida), 0) FROM ventas v
                                             WHERE v.producto_codigo = ?1 AND v.fecha BETWEEN ?3::DATE - 29 AND ?3::DATE)) AS c
                            FROM prom p)
             SELECT coalesce(sum(p.q * c.c), 0)::DOUBLE FROM prom p JOIN costo c USING (ubicacion_id)",
            duckdb::params![code, from.to_string(), fin.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    (ventas, costo, inv)
}

fn near(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 0.011 + b.abs() * 1e-6, "{what}: {a} vs {b}");
}

#[tokio::test]
async fn the_matrix_recomputes_gmroi_rotation_and_quadrants_from_the_stock_history() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let (s, m) = get(&app, &format!("/api/bi/products/matrix?fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!((m["dias"].as_i64(), m["fecha_inicio"].as_str()), (Some(30), Some((fin - Duration::days(29)).to_string().as_str())));
    assert_eq!(m["datos_al"], fin.to_string());
    let rows = m["productos"].as_array().unwrap();
    assert!(rows.len() > 20, "the tiny chain sells many products");
    let counted: u64 = m["cuadrantes"].as_array().unwrap().iter().map(|c| c["productos"].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, m["total_productos"].as_u64().unwrap() as usize);
    let cuts = |family: &str| {
        let u = m["umbrales"].as_array().unwrap().iter().find(|u| u["familia"] == family).unwrap();
        (f(&u["corte_gmroi"]), f(&u["corte_rotacion"]))
    };
    assert_eq!(cuts("cedi_seco"), (2.0, 6.0));
    assert_eq!(cuts("cedi_frio"), (1.6, 11.5));
    // The first, a middle and the last product by sales, recomputed.
    let mut with_stock = 0;
    for row in [&rows[0], &rows[rows.len() / 2], &rows[rows.len() - 1]] {
        let code = row["producto_codigo"].as_str().unwrap();
        let (ventas, costo, inv) = raw_product(&app, code, fin);
        near(f(&row["ventas_30d"]), ventas, code);
        near(f(&row["margen_bruto_30d"]), ventas - costo, code);
        near(f(&row["inv_prom"]), inv, code);
        let g = if inv > 0.0 { (ventas - costo) * 365.0 / 30.0 / inv } else { 0.0 };
        let r = if inv > 0.0 { costo * 365.0 / 30.0 / inv } else { 0.0 };
        near(f(&row["gmroi"]), g, code);
        near(f(&row["rotacion_anual"]), r, code);
        let (cg, cr) = cuts(row["familia"].as_str().unwrap());
        let expected = match (g >= cg, r >= cr) {
            (true, true) => "ESTRELLA",
            (true, false) => "NICHO",
            (false, true) => "VACA",
            (false, false) => "PERRO",
        };
        assert_eq!(row["cuadrante"], expected, "{code}: gmroi {g}, rotation {r}");
        with_stock += usize::from(inv > 0.0);
    }
    assert!(with_stock > 0, "some of the products had stock in the window");
    // Sorted by sales; one quadrant filters the table but not the counts.
    assert!(f(&rows[0]["ventas_30d"]) >= f(&rows[1]["ventas_30d"]));
    let (_, perros) = get(&app, &format!("/api/bi/products/matrix?fecha_fin={fin}&cuadrante=perro&limite=5")).await;
    assert!(perros["productos"].as_array().unwrap().iter().all(|r| r["cuadrante"] == "PERRO"));
    assert!(perros["productos"].as_array().unwrap().len() <= 5);
    assert_eq!(perros["cuadrantes"], m["cuadrantes"]);

    // Stars: ESTRELLA by GMROI × rotation; removal candidates: PERRO with stock, by its value.
    let (_, stars) = get(&app, &format!("/api/bi/products/stars?fecha_fin={fin}&limite=100")).await;
    let stars = stars["productos"].as_array().unwrap().clone();
    assert!(stars.iter().all(|r| r["cuadrante"] == "ESTRELLA"));
    let score: Vec<f64> = stars.iter().map(|r| f(&r["gmroi"]) * f(&r["rotacion_anual"])).collect();
    assert!(score.windows(2).all(|w| w[0] + 0.1 >= w[1]), "{score:?}");
    let (_, out) = get(&app, &format!("/api/bi/products/eliminate?fecha_fin={fin}")).await;
    let out = out["productos"].as_array().unwrap().clone();
    assert!(out.iter().all(|r| r["cuadrante"] == "PERRO" && f(&r["stock_valorizado"]) > 0.0));
    assert!(out.windows(2).all(|w| f(&w[0]["stock_valorizado"]) >= f(&w[1]["stock_valorizado"])));

    // One store: its own figures.
    let (s, one) = get(&app, &format!("/api/bi/products/matrix?fecha_fin={fin}&ubicacion_id=tienda_02&limite=1")).await;
    assert_eq!(s, StatusCode::OK, "{one}");
    let code = one["productos"][0]["producto_codigo"].as_str().unwrap();
    let r = app.state.warehouse.reader().unwrap();
    let ventas: f64 = r
        .query_row(
            "SELECT sum(venta_total)::DOUBLE FROM ventas WHERE producto_codigo = ? AND ubicacion_id = 'tienda_02' AND fecha BETWEEN ?::DATE AND ?::DATE",
            duckdb::params![code, (fin - Duration::days(29)).to_string(), fin.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    near(f(&one["productos"][0]["ventas_30d"]), ventas, code);
}

#[tokio::test]
async fn the_tenants_thresholds_move_products_between_quadrants() {
    // Cuts at 0.01 for the dry family: every product of it with stock and profit is a star.
    let app = spawn_app_with(true, |toml| {
        format!("{toml}\n[bi.umbrales.cedi_seco]\ngmroi_alto = 0.015\ngmroi_bajo = 0.005\nrot_alta = 0.015\nrot_baja = 0.005\n")
    })
    .await;
    let fin = end_date();
    let (s, m) = get(&app, &format!("/api/bi/products/matrix?fecha_fin={fin}&familia=cedi_seco&limite=2000")).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let seco = m["umbrales"].as_array().unwrap().iter().find(|u| u["familia"] == "cedi_seco").unwrap().clone();
    assert_eq!((f(&seco["corte_gmroi"]), f(&seco["corte_rotacion"])), (0.01, 0.01));
    let rows = m["productos"].as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["familia"], "cedi_seco");
        let expected =
            if f(&r["gmroi"]) >= 0.01 && f(&r["rotacion_anual"]) >= 0.01 { "ESTRELLA" } else { r["cuadrante"].as_str().unwrap() };
        assert_eq!(r["cuadrante"], expected);
    }
    assert!(rows.iter().any(|r| r["cuadrante"] == "ESTRELLA"), "stars at the tenant's low cuts");
}

#[tokio::test]
async fn profitability_by_family_adds_up_to_the_raw_lines() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let (s, p) = get(&app, &format!("/api/bi/profitability/by-category?fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let r = app.state.warehouse.reader().unwrap();
    let (ventas, costo): (f64, f64) = r
        .query_row(
            "SELECT sum(venta_total)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE FROM ventas
             WHERE ubicacion_id LIKE 'tienda%' AND fecha BETWEEN ?::DATE AND ?::DATE",
            [(fin - Duration::days(29)).to_string(), fin.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let sum = &p["resumen"];
    near(f(&sum["ventas_30d"]), ventas, "ventas");
    near(f(&sum["margen_bruto_30d"]), ventas - costo, "margen bruto");
    near(f(&sum["margen_pct"]), (ventas - costo) / ventas * 100.0, "margen %");
    let familias = p["familias"].as_array().unwrap();
    assert!(!familias.is_empty());
    let total: f64 = familias.iter().map(|x| f(&x["ventas_30d"])).sum();
    assert!((total - ventas).abs() < 0.05);
    // The family's GMROI from its totals, not a mean of the products'.
    for x in familias {
        let inv = f(&x["inv_prom"]);
        if inv > 0.0 {
            near(f(&x["gmroi"]), f(&x["margen_bruto_30d"]) * 365.0 / 30.0 / inv, x["familia"].as_str().unwrap());
        }
        for field in ["ventas_30d", "margen_bruto_30d", "margen_pct", "gmroi", "rotacion_anual", "stock_valorizado"] {
            assert!(x[field].is_number(), "{field} in {x}");
        }
    }
    // Top products by profit; one region narrows the sales.
    let (_, top) = get(&app, &format!("/api/bi/profitability/top-products?fecha_fin={fin}&orden=utilidad_total&limite=5")).await;
    let top = top["productos"].as_array().unwrap().clone();
    assert_eq!(top.len(), 5);
    assert!(top.windows(2).all(|w| f(&w[0]["margen_bruto_30d"]) >= f(&w[1]["margen_bruto_30d"])));
    let (_, v) = get(&app, &format!("/api/bi/profitability/by-category?fecha_fin={fin}&region=valencia")).await;
    assert_eq!(v["region"], "VALENCIA");
    assert!(f(&v["resumen"]["ventas_30d"]) < f(&sum["ventas_30d"]));
}

#[tokio::test]
async fn bad_product_queries_are_refused_by_name() {
    let app = spawn_app(true).await;
    for (path, field) in [
        ("/api/bi/products/matrix?familia=cedi_lunar", "familia"),
        ("/api/bi/products/matrix?cuadrante=GATO", "cuadrante"),
        ("/api/bi/products/matrix?limite=2001", "limite"),
        ("/api/bi/products/matrix?fecha_fin=2026-02-30", "fecha_fin"),
        ("/api/bi/products/stars?limite=101", "limite"),
        ("/api/bi/profitability/top-products?orden=ventas", "orden"),
        ("/api/bi/profitability/by-category?region=MARACAIBO", "region"),
    ] {
        let (s, e) = get(&app, path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{path}: {e}");
    }
    assert_eq!(get(&app, "/api/bi/products/matrix?ubicacion_id=cedi_seco").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stores_ranked_by_inventory_and_a_stores_kpi_card() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let from = fin - Duration::days(29);
    // Sales ranking: the raw lines per store; the mean and the distance to it (E18).
    let (s, r) = get(&app, &format!("/api/bi/stores/ranking?metrica=ventas&fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let rows = r["tiendas"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let reader = app.state.warehouse.reader().unwrap();
    let raw = |store: &str| -> (f64, f64) {
        reader
            .query_row(
                "SELECT sum(venta_total)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE FROM ventas WHERE ubicacion_id = ? AND fecha BETWEEN ?::DATE AND ?::DATE",
                duckdb::params![store, from.to_string(), fin.to_string()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap()
    };
    let values: Vec<f64> = rows.iter().map(|t| raw(t["ubicacion_id"].as_str().unwrap()).0).collect();
    let mean = (values[0] + values[1]) / 2.0;
    assert_eq!(rows[0]["posicion"], 1);
    assert!(values[0] >= values[1]);
    for (t, v) in rows.iter().zip(&values) {
        near(f(&t["valor"]), *v, "ventas");
        near(f(&t["vs_promedio"]), ((v / mean - 1.0) * 100.0 * 10.0).round() / 10.0, "vs_promedio");
        let fr = f(&t["fill_rate"]);
        assert!((0.0..=100.0).contains(&fr) && fr > 0.0, "{t}");
    }
    near(f(&r["promedio"]), mean, "promedio");
    // By GMROI: the store's from its totals, the same as its KPI card.
    let (_, g) = get(&app, &format!("/api/bi/stores/ranking?metrica=gmroi&fecha_fin={fin}")).await;
    let (s, k) = get(&app, &format!("/api/bi/store/tienda_01/kpis?fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let t1 = g["tiendas"].as_array().unwrap().iter().find(|t| t["ubicacion_id"] == "tienda_01").unwrap().clone();
    assert_eq!(t1["valor"], k["gmroi"]);
    let (ventas, costo) = raw("tienda_01");
    near(f(&k["ventas_30d"]), ventas, "ventas_30d");
    near(f(&k["utilidad_30d"]), ventas - costo, "utilidad_30d");
    let inv = f(&k["inv_prom"]);
    assert!(inv > 0.0);
    near(f(&k["gmroi"]), (ventas - costo) * 365.0 / 30.0 / inv, "gmroi from the store's totals");
    near(f(&k["dias_inventario"]), f(&k["stock_valorizado"]) / (costo / 30.0), "días de inventario at cost");
    assert_eq!(k["datos_al"], fin.to_string());
    assert!(k["vs_promedio_red"]["ventas_pct"].is_number());
    // Bad input.
    assert_eq!(get(&app, "/api/bi/stores/ranking?metrica=margen").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, "/api/bi/stores/ranking?region=LUNA").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, "/api/bi/store/cedi_seco/kpis").await.0, StatusCode::NOT_FOUND);
}
