//! *Ventas — resumen regional* (`GET /api/ventas/summary-regional`, spec 40 §6.1) through the
//! HTTP API on the `tiny` chain's real files, with a second Caracas store (so a region has
//! two stores) and an inactive one: every figure recomputed here with SQL over the raw sale
//! lines, the order of regions and stores, a store manager's scope, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;

/// A second store in Caracas (generated like the others) and an inactive one.
const MORE_STORES: &str = r#"
[[stores]]
id     = "tienda_03"
name   = "CHACAO"
kind   = "tienda"
region = "CARACAS"
city   = "Caracas"
pos    = "none"

  [[stores.almacenes]]
  codigo = "T03-PV"
  nombre = "PISO DE VENTA"
  tipo   = "piso_venta"

[[stores]]
id     = "tienda_04"
name   = "CERRADA"
kind   = "tienda"
region = "CARACAS"
city   = "Caracas"
pos    = "none"
active = false

  [[stores.almacenes]]
  codigo = "T04-PV"
  nombre = "PISO DE VENTA"
  tipo   = "piso_venta"
"#;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Per store, from the raw lines of `desde..=hasta`.
#[derive(Debug)]
struct Expected {
    tickets: i64,
    productos: i64,
    unidades: f64,
    venta: f64,
    dias: i64,
    primera: String,
    ultima: String,
}

fn expected(app: &common::TestApp, stores: &[&str], desde: NaiveDate, hasta: NaiveDate) -> HashMap<String, Expected> {
    let r = app.state.warehouse.reader().unwrap();
    let list = stores.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT ubicacion_id, count(DISTINCT (ubicacion_id, numero_factura)), count(DISTINCT producto_codigo),
                sum(cantidad_vendida)::DOUBLE, sum(venta_total)::DOUBLE, count(DISTINCT fecha),
                strftime(min(fecha_venta), '%Y-%m-%d %H:%M'), strftime(max(fecha_venta), '%Y-%m-%d %H:%M')
         FROM ventas WHERE fecha BETWEEN DATE '{desde}' AND DATE '{hasta}' AND ubicacion_id IN ({list})
         GROUP BY ubicacion_id"
    );
    let mut stmt = r.prepare(&sql).unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Expected {
                    tickets: r.get(1)?,
                    productos: r.get(2)?,
                    unidades: r.get(3)?,
                    venta: r.get(4)?,
                    dias: r.get(5)?,
                    primera: r.get(6)?,
                    ultima: r.get(7)?,
                },
            ))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Distinct products sold by these stores together.
fn products_of(app: &common::TestApp, stores: &[&str], desde: NaiveDate, hasta: NaiveDate) -> i64 {
    let list = stores.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT count(DISTINCT producto_codigo) FROM ventas WHERE fecha BETWEEN DATE '{desde}' AND DATE '{hasta}' AND ubicacion_id IN ({list})"
    );
    app.state.warehouse.reader().unwrap().query_row(&sql, [], |r| r.get(0)).unwrap()
}

/// Checks one store row against the raw lines.
fn check_store(row: &Value, e: &Expected) {
    assert_eq!(row["tickets"], e.tickets, "{row}");
    assert_eq!(row["productos_distintos"], e.productos, "{row}");
    assert!(near(f(&row["unidades"]), e.unidades, 0.0051), "{row} vs {e:?}");
    assert!(near(f(&row["venta_total"]), e.venta, 0.0051), "{row} vs {e:?}");
    assert_eq!(row["dias_con_venta"], e.dias, "{row}");
    assert!(near(f(&row["promedio_unidades_diarias"]), e.unidades / e.dias as f64, 0.0051), "{row} vs {e:?}");
    assert_eq!(row["primera_venta"], e.primera.as_str(), "{row}");
    assert_eq!(row["ultima_venta"], e.ultima.as_str(), "{row}");
    // Money and averages with at most 2 decimals.
    for k in ["unidades", "venta_total", "promedio_unidades_diarias"] {
        let v = f(&row[k]);
        assert!(near(v * 100.0, (v * 100.0).round(), 1e-6), "{k} = {v} has more than 2 decimals");
    }
}

#[tokio::test]
async fn every_figure_matches_sql_over_the_raw_sale_lines_and_a_manager_sees_only_his_store() {
    let app = spawn_app_with(true, |t| format!("{t}{MORE_STORES}")).await;
    let today = app.state.tenant.today();
    let hasta = today - Duration::days(1);
    // The window starts 20 days before the generated data ends (and runs to yesterday).
    let desde = end_date() - Duration::days(19);
    let dias = (hasta - desde).num_days() + 1;
    assert!((21..=400).contains(&dias), "the generated data ({}) is more than a year old", end_date());

    // A late sale of tienda_01 three days after the generated data (its last day is then not
    // the others'), one today (outside: today is partial) and lines of the inactive store.
    let code: String = app.state.warehouse.reader().unwrap().query_row("SELECT min(codigo) FROM productos", [], |r| r.get(0)).unwrap();
    let late = (end_date() + Duration::days(3)).and_hms_opt(23, 47, 31).unwrap();
    let lines = [
        common::sale_line("tienda_01", "RES-LATE", late, &code, 2.5, 3.1),
        common::sale_line("tienda_01", "RES-TODAY", today.and_hms_opt(0, 0, 30).unwrap(), &code, 1.0, 3.1),
        common::sale_line("tienda_04", "RES-CLOSED", end_date().and_hms_opt(12, 0, 0).unwrap(), &code, 4.0, 2.0),
    ];
    app.load_sales(&lines);

    let token = app.admin_token.clone();
    let (s, body) = app.get_with_status(&format!("/api/ventas/summary-regional?dias={dias}"), &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["desde"], desde.to_string());
    assert_eq!(body["hasta"], hasta.to_string());
    assert_eq!(body["dias"], dias);

    // Regions in declared order (VALENCIA before CARACAS, not alphabetical), stores in
    // tenant.toml order, the inactive store left out.
    let regiones = body["regiones"].as_array().unwrap();
    let names: Vec<&str> = regiones.iter().map(|r| r["region"].as_str().unwrap()).collect();
    assert_eq!(names, ["VALENCIA", "CARACAS"], "{body}");
    let stores_of =
        |r: &Value| r["tiendas"].as_array().unwrap().iter().map(|t| t["ubicacion_id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(stores_of(&regiones[0]), ["tienda_01"]);
    assert_eq!(stores_of(&regiones[1]), ["tienda_02", "tienda_03"]);

    let all = expected(&app, &["tienda_01", "tienda_02", "tienda_03"], desde, hasta);
    assert_eq!(all["tienda_01"].ultima, "2026-11-28 23:47", "the late sale is the last one");
    for region in regiones {
        let tiendas = region["tiendas"].as_array().unwrap();
        let ids: Vec<&str> = tiendas.iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
        for t in tiendas {
            check_store(t, &all[t["ubicacion_id"].as_str().unwrap()]);
        }
        let of = |k: fn(&Expected) -> f64| ids.iter().map(|id| k(&all[*id])).sum::<f64>();
        assert_eq!(region["ubicaciones"], ids.len(), "{region}");
        assert_eq!(f(&region["tickets"]), of(|e| e.tickets as f64), "{region}");
        assert!(near(f(&region["unidades"]), of(|e| e.unidades), 0.0051), "{region}");
        assert!(near(f(&region["venta_total"]), of(|e| e.venta), 0.0051), "{region}");
        assert!(near(f(&region["unidades_diarias"]), of(|e| e.unidades / e.dias as f64), 0.0051), "{region}");
        assert_eq!(region["productos_distintos"], products_of(&app, &ids, desde, hasta), "{region}");
    }
    // Caracas' two stores share products: the region counts each once.
    let caracas = &regiones[1];
    let sum = all["tienda_02"].productos + all["tienda_03"].productos;
    assert!(caracas["productos_distintos"].as_i64().unwrap() < sum, "distinct across the region, not the sum: {caracas}");

    // Per location: the same rows without the regions' totals.
    let (s, flat) = app.get_with_status(&format!("/api/ventas/summary?dias={dias}"), &token).await;
    assert_eq!(s, StatusCode::OK);
    let rows = flat["ubicaciones"].as_array().unwrap();
    let listed: usize = body["regiones"].as_array().unwrap().iter().map(|r| r["tiendas"].as_array().unwrap().len()).sum();
    assert_eq!(rows.len(), listed);
    for r in body["regiones"].as_array().unwrap() {
        for t in r["tiendas"].as_array().unwrap() {
            let row = rows.iter().find(|x| x["ubicacion_id"] == t["ubicacion_id"]).unwrap();
            assert_eq!((row["region"].clone(), row["tickets"].clone()), (r["region"].clone(), t["tickets"].clone()));
        }
    }

    // A store manager: his store only, and his region's totals over it alone.
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    let (s, mine) = app.get_with_status(&format!("/api/ventas/summary-regional?dias={dias}"), &manager).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let regiones = mine["regiones"].as_array().unwrap();
    assert_eq!(regiones.len(), 1, "{mine}");
    let r = &regiones[0];
    assert_eq!(r["region"], "CARACAS");
    assert_eq!(stores_of(r), ["tienda_02"]);
    let e = &all["tienda_02"];
    check_store(&r["tiendas"][0], e);
    assert_eq!(r["ubicaciones"], 1);
    assert_eq!(r["tickets"], e.tickets);
    assert_eq!(r["productos_distintos"], e.productos);
    assert!(near(f(&r["unidades"]), e.unidades, 0.0051) && near(f(&r["venta_total"]), e.venta, 0.0051), "{r}");
    assert!(near(f(&r["unidades_diarias"]), e.unidades / e.dias as f64, 0.0051), "{r}");
}

#[tokio::test]
async fn the_default_window_is_30_days_to_yesterday_and_bad_input_is_named() {
    let app = spawn_app(true).await;
    let token = app.admin_token.clone();
    let hasta = app.state.tenant.today() - Duration::days(1);
    let (s, body) = app.get_with_status("/api/ventas/summary-regional", &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["dias"], 30);
    assert_eq!(body["hasta"], hasta.to_string());
    assert_eq!(body["desde"], (hasta - Duration::days(29)).to_string());
    assert!(body["regiones"].is_array(), "{body}");
    // Yesterday alone has no generated sales: no store, no region.
    if hasta > end_date() {
        let (s, body) = app.get_with_status("/api/ventas/summary-regional?dias=1", &token).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["regiones"], Value::Array(vec![]), "{body}");
    }

    for (query, field) in [("dias=0", "dias"), ("dias=100000", "dias"), ("dias=-3", "dias"), ("dias=401", "dias")] {
        let (s, e) = app.get_with_status(&format!("/api/ventas/summary-regional?{query}"), &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{query}: {e}");
    }
    for query in ["dias=abc", "ubicacion_id=tienda_01"] {
        let (s, e) = app.get_with_status(&format!("/api/ventas/summary-regional?{query}"), &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
    }
    let (s, _) = app.get_with_status("/api/ventas/summary-regional?dias=400", &token).await;
    assert_eq!(s, StatusCode::OK);

    // A store manager without stores sees no region; anonymous callers are refused.
    app.add_user("sin.tiendas", "clave-gerente-3", "gerente_tienda", &[]);
    let none = app.token("sin.tiendas", "clave-gerente-3").await;
    let (s, body) = app.get_with_status("/api/ventas/summary-regional?dias=400", &none).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["regiones"], Value::Array(vec![]), "{body}");
    let anon = app.client.get(app.url("/api/ventas/summary-regional")).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}
