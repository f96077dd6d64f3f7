//! *Análisis ABC consolidado* (spec 40 §3.5) and the product comparison between stores
//! (§3.9) through the API on the `tiny` chain, with the ABC caches rebuilt and a few
//! product-store classes removed (they count as D): every figure recomputed from the raw
//! sale lines in SQL — tickets as distinct store × invoice per class, products distinct per
//! class, categories without NULL/blank/SIN CATEGORIA —, the region and store filters, and
//! bad input by name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::{BTreeMap, HashMap};

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

fn near(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 0.006, "{what}: {a} vs {b}");
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        round(part / whole * 100.0, 2)
    }
}

/// The chain with its ABC caches, minus the classes of five products of tienda_01 (→ D).
async fn classified_app() -> TestApp {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(
                "DELETE FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND producto_codigo IN
                   (SELECT producto_codigo FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc = 'A'
                    ORDER BY producto_codigo LIMIT 5)",
            )
        })
        .unwrap();
    app
}

/// The window's lines of `stores` with the class of their product at their store.
const LINES: &str = "WITH l AS (
    SELECT v.ubicacion_id, v.numero_factura, v.producto_codigo, v.venta_total::DOUBLE AS venta, coalesce(v.costo_total, 0)::DOUBLE AS costo,
           v.cantidad_vendida::DOUBLE AS cantidad, coalesce(c.clase_abc, 'D') AS clase, p.categoria
    FROM ventas v LEFT JOIN productos_abc_tienda c ON c.ubicacion_id = v.ubicacion_id AND c.producto_codigo = v.producto_codigo
    LEFT JOIN productos_v p ON p.codigo = v.producto_codigo
    WHERE v.fecha BETWEEN ?1::DATE AND ?2::DATE AND list_contains(string_split(?3, ','), v.ubicacion_id))";

/// Per class: (productos, ventas, costo, unidades, tickets).
fn raw_classes(app: &TestApp, stores: &[&str], from: NaiveDate, to: NaiveDate) -> BTreeMap<String, (i64, f64, f64, f64, i64)> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(&format!(
            "{LINES} SELECT clase, count(DISTINCT producto_codigo), sum(venta), sum(costo), sum(cantidad),
                           count(DISTINCT (ubicacion_id, numero_factura))
                    FROM l GROUP BY clase"
        ))
        .unwrap();
    stmt.query_map(duckdb::params![from.to_string(), to.to_string(), stores.join(",")], |row| {
        Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Whole scope: (productos, ventas, costo, unidades, tickets).
fn raw_totals(app: &TestApp, stores: &[&str], from: NaiveDate, to: NaiveDate) -> (i64, f64, f64, f64, i64) {
    let r = app.state.warehouse.reader().unwrap();
    r.query_row(
        &format!(
            "{LINES} SELECT count(DISTINCT producto_codigo), sum(venta), sum(costo), sum(cantidad), count(DISTINCT (ubicacion_id, numero_factura)) FROM l"
        ),
        duckdb::params![from.to_string(), to.to_string(), stores.join(",")],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
    )
    .unwrap()
}

/// Per (class, categorised category): (productos, ventas, costo, unidades).
fn raw_categories(app: &TestApp, stores: &[&str], from: NaiveDate, to: NaiveDate) -> BTreeMap<(String, String), (i64, f64, f64, f64)> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(&format!(
            "{LINES} SELECT clase, trim(categoria), count(DISTINCT producto_codigo), sum(venta), sum(costo), sum(cantidad) FROM l
                    WHERE coalesce(trim(categoria), '') <> '' AND upper(trim(categoria)) NOT IN ('SIN CATEGORIA', 'SIN CATEGORÍA')
                    GROUP BY ALL"
        ))
        .unwrap();
    stmt.query_map(duckdb::params![from.to_string(), to.to_string(), stores.join(",")], |row| {
        Ok(((row.get(0)?, row.get(1)?), (row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Every figure of one scope's analysis against the raw lines.
fn check_analysis(app: &TestApp, a: &Value, stores: &[&str], fin: NaiveDate) {
    let from = fin - Duration::days(29);
    assert_eq!(a["fecha_inicio"], from.to_string());
    assert_eq!(a["fecha_fin"], fin.to_string());
    assert_eq!(a["datos_al"], fin.to_string());
    assert_eq!(a["tiendas"], stores.len());
    let raw = raw_classes(app, stores, from, fin);
    let (productos, ventas, costo, unidades, tickets) = raw_totals(app, stores, from, fin);
    let t = &a["totales"];
    assert_eq!(t["productos"].as_i64().unwrap(), productos);
    near(f(&t["ventas"]), ventas, "ventas");
    near(f(&t["utilidad"]), ventas - costo, "utilidad");
    near(f(&t["unidades"]), unidades, "unidades");
    assert_eq!(t["tickets"].as_i64().unwrap(), tickets, "distinct store × invoice");
    near(f(&t["margen_pct"]), round((ventas - costo) / ventas * 100.0, 2), "margen");
    let clases = a["clases"].as_array().unwrap();
    assert_eq!(clases.iter().map(|c| c["clase"].as_str().unwrap()).collect::<Vec<_>>(), vec!["A", "B", "C", "D"]);
    for c in clases {
        let k = c["clase"].as_str().unwrap();
        let (n, v, co, u, tk) = raw.get(k).copied().unwrap_or((0, 0.0, 0.0, 0.0, 0));
        assert_eq!(c["productos"].as_i64().unwrap(), n, "{k}");
        near(f(&c["ventas"]), v, k);
        near(f(&c["utilidad"]), v - co, k);
        near(f(&c["unidades"]), u, k);
        assert_eq!(c["tickets"].as_i64().unwrap(), tk, "{k}: tickets with a line of the class, each once");
        assert_eq!(f(&c["pct_productos"]), pct(n as f64, productos as f64), "{k}");
        assert_eq!(f(&c["pct_ventas"]), pct(v, ventas), "{k}");
        assert_eq!(f(&c["margen_pct"]), if v == 0.0 { 0.0 } else { round((v - co) / v * 100.0, 2) }, "{k}");
        let per = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
        near(f(&c["ventas_por_producto"]), per(v), k);
        near(f(&c["unidades_por_producto"]), per(u), k);
    }
    let cats = raw_categories(app, stores, from, fin);
    let rows = a["categorias"].as_array().unwrap();
    assert_eq!(rows.len(), cats.len(), "one row per class × categorised category");
    let mut class_sales: HashMap<String, f64> = HashMap::new();
    for ((k, _), (_, v, _, _)) in &cats {
        *class_sales.entry(k.clone()).or_default() += v;
    }
    for row in rows {
        let key = (row["clase"].as_str().unwrap().to_string(), row["categoria"].as_str().unwrap().to_string());
        let (n, v, co, u) = cats[&key];
        assert_eq!(row["productos"].as_i64().unwrap(), n, "{key:?}");
        near(f(&row["ventas"]), v, "categoría ventas");
        near(f(&row["utilidad"]), v - co, "categoría utilidad");
        near(f(&row["unidades"]), u, "categoría unidades");
        assert_eq!(f(&row["pct_ventas_clase"]), pct(v, class_sales[&key.0]), "{key:?}");
    }
    // Per class, highest sales first.
    for w in rows.windows(2) {
        if w[0]["clase"] == w[1]["clase"] {
            assert!(f(&w[0]["ventas"]) >= f(&w[1]["ventas"]));
        }
    }
}

#[tokio::test]
async fn the_abc_analysis_matches_the_raw_lines_for_the_network_a_region_and_a_store() {
    let app = classified_app().await;
    let fin = end_date();
    let (s, net) = get(&app, &format!("/api/bi/products/abc-consolidated?fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{net}");
    check_analysis(&app, &net, &["tienda_01", "tienda_02"], fin);
    let d = net["clases"].as_array().unwrap().iter().find(|c| c["clase"] == "D").unwrap().clone();
    assert!(d["productos"].as_i64().unwrap() >= 5, "the products without a class count as D: {d}");
    let classes: i64 = net["clases"].as_array().unwrap().iter().map(|c| c["tickets"].as_i64().unwrap()).sum();
    assert!(classes > net["totales"]["tickets"].as_i64().unwrap(), "a ticket with lines of several classes counts in each");
    let products: i64 = net["clases"].as_array().unwrap().iter().map(|c| c["productos"].as_i64().unwrap()).sum();
    assert!(products > net["totales"]["productos"].as_i64().unwrap(), "a product holds different classes in the two stores");

    // Region (case-insensitive) and one store: only their lines.
    let (s, region) = get(&app, &format!("/api/bi/products/abc-consolidated?fecha_fin={fin}&region=caracas")).await;
    assert_eq!(s, StatusCode::OK, "{region}");
    assert_eq!(region["region"], "CARACAS");
    check_analysis(&app, &region, &["tienda_02"], fin);
    let (s, store) = get(&app, &format!("/api/bi/products/abc-consolidated?fecha_fin={fin}&ubicacion_id=tienda_01")).await;
    assert_eq!(s, StatusCode::OK, "{store}");
    assert_eq!(store["ubicacion_id"], "tienda_01");
    check_analysis(&app, &store, &["tienda_01"], fin);
    // In one store each product holds one class: the shares of products add up to 100.
    let sum: f64 = store["clases"].as_array().unwrap().iter().map(|c| f(&c["pct_productos"])).sum();
    near(sum, 100.0, "one store");
    // An earlier window.
    let earlier = fin - Duration::days(10);
    let (_, old) = get(&app, &format!("/api/bi/products/abc-consolidated?fecha_fin={earlier}&ubicacion_id=tienda_02")).await;
    assert_eq!(old["fecha_fin"], earlier.to_string());
    let raw = raw_totals(&app, &["tienda_02"], earlier - Duration::days(29), earlier);
    near(f(&old["totales"]["ventas"]), raw.1, "earlier window");
}

#[tokio::test]
async fn bad_abc_and_comparison_queries_are_refused_by_name() {
    let app = spawn_app(true).await;
    for (path, field) in [
        ("/api/bi/products/abc-consolidated?region=VALENCIA&ubicacion_id=tienda_01", "ubicacion_id"),
        ("/api/bi/products/abc-consolidated?region=MARACAIBO", "region"),
        ("/api/bi/products/abc-consolidated?fecha_fin=2026-02-30", "fecha_fin"),
        ("/api/bi/stores/compare?ubicacion_ids=tienda_01", "ubicacion_ids"),
        ("/api/bi/stores/compare", "ubicacion_ids"),
        ("/api/bi/stores/compare?ubicacion_ids=a,b,c,d,e,f", "ubicacion_ids"),
        ("/api/bi/stores/compare?ubicacion_ids=tienda_01,tienda_01", "ubicacion_ids"),
        ("/api/bi/stores/compare?ubicacion_ids=tienda_01,tienda_02&fecha_fin=ayer", "fecha_fin"),
    ] {
        let (s, e) = get(&app, path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        assert_eq!(e["code"], "validation_error", "{path}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{path}: {e}");
    }
    for path in ["/api/bi/products/abc-consolidated?ubicacion_id=cedi_seco", "/api/bi/stores/compare?ubicacion_ids=tienda_01,tienda_99"] {
        let (s, e) = get(&app, path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {e}");
    }
    assert!(get(&app, "/api/bi/products/abc-consolidated?tienda=tienda_01").await.0.is_client_error(), "unknown parameter");
    // Without a class cache every product sold is D.
    let (s, a) = get(&app, &format!("/api/bi/products/abc-consolidated?fecha_fin={}", end_date())).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["clases"][3]["productos"], a["totales"]["productos"]);
    assert_eq!(f(&a["clases"][3]["pct_ventas"]), 100.0);
}

/// Per product: ventas of each store of the window (0 where it did not sell).
fn raw_product_sales(app: &TestApp, stores: &[&str], from: NaiveDate, to: NaiveDate) -> BTreeMap<String, Vec<f64>> {
    let r = app.state.warehouse.reader().unwrap();
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (i, s) in stores.iter().enumerate() {
        let mut stmt = r
            .prepare(
                "SELECT producto_codigo, sum(venta_total)::DOUBLE FROM ventas WHERE ubicacion_id = ? AND fecha BETWEEN ?::DATE AND ?::DATE
                 GROUP BY 1 HAVING sum(venta_total) > 0",
            )
            .unwrap();
        for row in stmt
            .query_map(duckdb::params![s, from.to_string(), to.to_string()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?)))
            .unwrap()
        {
            let (code, v) = row.unwrap();
            out.entry(code).or_insert_with(|| vec![0.0; stores.len()])[i] = v;
        }
    }
    out
}

#[tokio::test]
async fn comparing_two_stores_splits_their_products_into_unique_and_common() {
    let app = spawn_app(true).await;
    let fin = end_date();
    let from = fin - Duration::days(29);
    // Every product of the tiny chain sells in both stores: three stop selling at tienda_01
    // and two at tienda_02 (their lines and daily rows removed), so both stores have únicos.
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(
                "CREATE TEMP TABLE quitar AS
                   SELECT 'tienda_01' AS u, codigo FROM (SELECT codigo FROM productos ORDER BY codigo LIMIT 3)
                   UNION ALL SELECT 'tienda_02', codigo FROM (SELECT codigo FROM productos ORDER BY codigo DESC LIMIT 2);
                 DELETE FROM ventas WHERE (ubicacion_id, producto_codigo) IN (SELECT (u, codigo) FROM quitar);
                 DELETE FROM ventas_diarias WHERE (ubicacion_id, producto_codigo) IN (SELECT (u, codigo) FROM quitar);
                 DROP TABLE quitar;",
            )
        })
        .unwrap();
    let stores = ["tienda_02", "tienda_01"];
    let (s, c) = get(&app, &format!("/api/bi/stores/compare?ubicacion_ids=tienda_02,tienda_01&fecha_fin={fin}")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["datos_al"], fin.to_string());
    assert_eq!((c["fecha_inicio"].as_str().unwrap(), c["dias"].as_i64().unwrap()), (from.to_string().as_str(), 30));
    let raw = raw_product_sales(&app, &stores, from, fin);
    let unique: Vec<(&String, usize, f64)> = raw
        .iter()
        .filter_map(|(k, v)| {
            let sold: Vec<usize> = (0..2).filter(|&i| v[i] > 0.0).collect();
            (sold.len() == 1).then(|| (k, sold[0], v[sold[0]]))
        })
        .collect();
    let common: Vec<(&String, f64)> = raw
        .iter()
        .filter(|(_, v)| v.iter().all(|x| *x > 0.0))
        .map(|(k, v)| {
            let (hi, lo) = (v[0].max(v[1]), v[0].min(v[1]));
            (k, (hi - lo) / lo * 100.0)
        })
        .collect();
    assert!(!unique.is_empty() && !common.is_empty(), "the tiny chain has both kinds");
    assert_eq!(c["totales"]["unicos"], unique.len());
    assert_eq!(c["totales"]["comunes"], common.len());
    assert_eq!(c["totales"]["parciales"], 0, "two stores: no partial products");
    assert!(c["parciales"].as_array().unwrap().is_empty());
    // Per store: products sold, sales, products only it sold; in the request's order.
    let tiendas = c["tiendas"].as_array().unwrap();
    assert_eq!(tiendas.iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect::<Vec<_>>(), stores.to_vec());
    for (i, t) in tiendas.iter().enumerate() {
        assert_eq!(t["productos_vendidos"], raw.values().filter(|v| v[i] > 0.0).count());
        near(f(&t["ventas_30d"]), raw.values().map(|v| v[i]).sum(), "ventas de la tienda");
        assert_eq!(t["unicos"], unique.iter().filter(|u| u.1 == i).count());
    }
    // Únicos: the top 50 by sales, each the store's own figure.
    let rows = c["unicos"].as_array().unwrap();
    assert_eq!(rows.len(), unique.len().min(50));
    let mut best: Vec<f64> = unique.iter().map(|u| round(u.2, 2)).collect();
    best.sort_by(|a, b| b.total_cmp(a));
    for (r, want) in rows.iter().zip(&best) {
        near(f(&r["ventas_30d"]), *want, "único");
    }
    for r in rows {
        let u = unique.iter().find(|u| u.0 == r["producto_codigo"].as_str().unwrap()).unwrap();
        assert_eq!(r["ubicacion_id"], stores[u.1]);
    }
    // Comunes: the top 100 by spread, (max − min) / min × 100.
    let rows = c["comunes"].as_array().unwrap();
    assert_eq!(rows.len(), common.len().min(100));
    let mut spreads: Vec<f64> = common.iter().map(|x| round(x.1, 2)).collect();
    spreads.sort_by(|a, b| b.total_cmp(a));
    for (r, want) in rows.iter().zip(&spreads) {
        // A half-cent case may round either way between the lines' and the daily sums.
        assert!((f(&r["diferencia_pct"]) - want).abs() <= 0.011, "{r} vs {want}");
    }
    for r in rows.iter().take(10) {
        let v = &raw[r["producto_codigo"].as_str().unwrap()];
        near(f(&r["ventas"][0]["ventas_30d"]), v[0], "tienda_02");
        near(f(&r["ventas"][1]["ventas_30d"]), v[1], "tienda_01");
        near(f(&r["ventas_max"]), v[0].max(v[1]), "max");
        near(f(&r["ventas_min"]), v[0].min(v[1]), "min");
        assert_eq!(r["tienda_max"], stores[if v[0] >= v[1] { 0 } else { 1 }]);
    }
}
