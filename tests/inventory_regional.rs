//! The Inventarios landing's regional health (`GET /api/ubicaciones/summary-regional`, spec
//! 50 §7.2) on the `tiny` chain's real files: every location's figures restated from its
//! stock table rows, the region's as Σ numerators / Σ denominators, a store manager's scope.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::BTreeMap;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// (products, with stock, zero, negative, risk, active, coverage A, B, C) of a location's rows.
fn expected(rows: &[Value]) -> (usize, usize, usize, usize, usize, usize, [Option<f64>; 3]) {
    let mut products: BTreeMap<&str, (f64, f64, String)> = BTreeMap::new();
    for r in rows {
        let e = products.entry(r["codigo_producto"].as_str().unwrap()).or_insert((
            0.0,
            f(&r["p75"]),
            r["clase_abc"].as_str().unwrap_or("").to_string(),
        ));
        e.0 += f(&r["stock"]);
    }
    let (mut with, mut zero, mut neg, mut risk, mut active) = (0, 0, 0, 0, 0);
    let mut cover: [(f64, usize); 3] = [(0.0, 0); 3];
    for (stock, p75, class) in products.values() {
        if *stock > 0.0 {
            with += 1;
        } else if *stock < 0.0 {
            neg += 1;
        } else {
            zero += 1;
        }
        if *p75 > 0.0 || *stock > 0.0 {
            active += 1;
        }
        let i = ["A", "B", "C"].iter().position(|c| c == class);
        if let (Some(i), true) = (i, *p75 > 0.0) {
            let d = stock / p75;
            if (0.0..=365.0).contains(&d) {
                cover[i].0 += d;
                cover[i].1 += 1;
            }
            if *stock > 0.0 && d < 1.0 {
                risk += 1;
            }
        }
    }
    (products.len(), with, zero, neg, risk, active, cover.map(|(s, n)| (n > 0).then(|| round1(s / n as f64))))
}

#[tokio::test]
async fn every_locations_health_follows_its_stock_rows_and_regions_sum_them() {
    let app = spawn_app(true).await;
    let today = app.state.tenant.today();
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, today).unwrap();
    let token = app.admin_token.clone();
    let (s, body) = app.get_with_status("/api/ubicaciones/summary-regional", &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let regions = body["regiones"].as_array().unwrap();
    let names: Vec<&str> = regions.iter().map(|r| r["region"].as_str().unwrap()).collect();
    assert_eq!(names, ["VALENCIA", "CARACAS"], "the declared order");
    let mut seen = 0;
    for r in regions {
        let (mut with, mut active) = (0usize, 0usize);
        for u in r["ubicaciones"].as_array().unwrap() {
            seen += 1;
            let id = u["ubicacion_id"].as_str().unwrap();
            let (_, stock) = app.get_with_status(&format!("/api/stock?ubicacion_id={id}&fecha={today}&page_size=100000"), &token).await;
            let (n, w, z, ng, risk, act, cov) = expected(stock["items"].as_array().unwrap());
            assert_eq!(
                (
                    u["total_skus"].as_u64().unwrap() as usize,
                    u["skus_con_stock"].as_u64().unwrap() as usize,
                    u["stock_cero"].as_u64().unwrap() as usize
                ),
                (n, w, z),
                "{id}"
            );
            assert_eq!(u["stock_negativo"].as_u64().unwrap() as usize, ng, "{id}");
            assert_eq!(u["riesgo_quiebre"].as_u64().unwrap() as usize, risk, "{id}");
            let fill = if act == 0 { 0.0 } else { round1(100.0 * w as f64 / act as f64) };
            assert_eq!(f(&u["fill_rate"]), fill, "{id}");
            for (k, c) in ["cobertura_a", "cobertura_b", "cobertura_c"].iter().zip(cov) {
                assert_eq!(u[*k], c.map_or(Value::Null, |v| json!(v)), "{id} {k}");
            }
            let almacen_skus: u64 = u["almacenes"].as_array().unwrap().iter().map(|a| a["total_skus"].as_u64().unwrap()).sum();
            assert!(almacen_skus >= u["total_skus"].as_u64().unwrap(), "every product is in some almacén");
            with += w;
            active += act;
        }
        let fill = if active == 0 { 0.0 } else { round1(100.0 * with as f64 / active as f64) };
        assert_eq!(f(&r["fill_rate"]), fill, "{}: Σ numerators / Σ denominators", r["region"]);
        assert_eq!(r["total_ubicaciones"].as_u64().unwrap() as usize, r["ubicaciones"].as_array().unwrap().len());
    }
    let active_locations = app.state.tenant.stores().iter().filter(|s| s.active).count();
    assert_eq!(seen, active_locations);

    // The same figures flat, one row per almacén and one per location.
    let (s, flat) = app.get_with_status("/api/ubicaciones/summary", &token).await;
    assert_eq!(s, StatusCode::OK);
    let flat = flat.as_array().unwrap();
    for r in regions {
        for u in r["ubicaciones"].as_array().unwrap() {
            let whole = flat.iter().find(|x| x["ubicacion_id"] == u["ubicacion_id"] && x["almacen_codigo"].is_null()).unwrap();
            assert_eq!((whole["total_skus"].clone(), whole["fill_rate"].clone()), (u["total_skus"].clone(), u["fill_rate"].clone()));
            let parts = flat.iter().filter(|x| x["ubicacion_id"] == u["ubicacion_id"] && !x["almacen_codigo"].is_null()).count();
            assert_eq!(parts, u["almacenes"].as_array().unwrap().len());
        }
    }

    // A store manager: his store and the CEDIs, nothing of the other store.
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    let (s, mine) = app.get_with_status("/api/ubicaciones/summary-regional", &manager).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = mine["regiones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["ubicaciones"].as_array().unwrap().iter().map(|u| u["ubicacion_id"].as_str().unwrap()))
        .collect();
    assert!(ids.contains(&"tienda_02") && !ids.contains(&"tienda_01"), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("cedi")), "{ids:?}");
}
