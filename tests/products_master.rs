//! *Análisis Maestro* and the product 360° view (spec 50 §9.3) through the HTTP API on the
//! `tiny` chain's real files: every product's state restated from the stock table's own
//! figures, the state × class counts against the list, the 360° view against SQL, scope and
//! bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::Duration;
use common::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The state the screen must show for a product's total stock, its levels and sales.
fn expected_state(stock: f64, ss: f64, rop: f64, p75: f64, u30: f64, u14: f64) -> &'static str {
    if stock <= 0.0 {
        return if u30 > 0.0 { "ANOMALIA" } else { "FANTASMA" };
    }
    if u30 <= 0.0 {
        return "SIN_VENTAS";
    }
    if u14 <= 0.0 {
        return "DORMIDO";
    }
    if p75 > 0.0 && stock <= ss {
        "CRITICO"
    } else if p75 > 0.0 && stock <= rop {
        "AGOTANDOSE"
    } else {
        "ACTIVO"
    }
}

#[tokio::test]
async fn states_follow_the_stock_table_and_the_counts_follow_the_list() {
    let app = spawn_app(true).await;
    let today = app.state.tenant.today();
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, today).unwrap();
    let token = app.admin_token.clone();

    // The stock table of today, per product (almacenes summed).
    let (s, stock) = app.get_with_status(&format!("/api/stock?ubicacion_id=tienda_01&fecha={today}&page_size=100000"), &token).await;
    assert_eq!(s, StatusCode::OK, "{stock}");
    // stock, SS, ROP, P75, units 30 d, units 14 d, class
    type Facts = (f64, f64, f64, f64, f64, f64, String);
    let mut per_product: HashMap<String, Facts> = HashMap::new();
    for l in stock["items"].as_array().unwrap() {
        let e = per_product.entry(l["codigo_producto"].as_str().unwrap().to_string()).or_insert((
            0.0,
            f(&l["stock_seguridad"]),
            f(&l["punto_reorden"]),
            f(&l["p75"]),
            f(&l["unidades_30d"]),
            f(&l["unidades_14d"]),
            l["clase_abc"].as_str().unwrap_or("SIN_CLASE").to_string(),
        ));
        e.0 += f(&l["stock"]);
    }

    let (s, summary) = app.get_with_status("/api/productos/analisis-maestro/resumen?ubicacion_id=tienda_01", &token).await;
    assert_eq!(s, StatusCode::OK, "{summary}");
    assert_eq!(summary["total"].as_u64().unwrap() as usize, per_product.len());
    let (s, list) = app.get_with_status("/api/productos/analisis-maestro?ubicacion_id=tienda_01&page_size=500", &token).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut items: Vec<Value> = list["items"].as_array().unwrap().clone();
    for page in 2..=list["total_pages"].as_u64().unwrap() {
        let (_, more) =
            app.get_with_status(&format!("/api/productos/analisis-maestro?ubicacion_id=tienda_01&page_size=500&page={page}"), &token).await;
        items.extend(more["items"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(items.len(), per_product.len());
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for i in &items {
        let code = i["codigo_producto"].as_str().unwrap();
        let (stock, ss, rop, p75, u30, u14, class) = per_product[code].clone();
        assert_eq!(i["estado"], expected_state(stock, ss, rop, p75, u30, u14), "{code}: {i}");
        assert!((f(&i["stock"]) - stock).abs() < 1e-6);
        *counts.entry((i["estado"].as_str().unwrap().to_string(), class)).or_default() += 1;
    }
    let states: Vec<&str> = summary["estados"].as_array().unwrap().iter().map(|e| e["estado"].as_str().unwrap()).collect();
    assert_eq!(states, ["ACTIVO", "AGOTANDOSE", "CRITICO", "DORMIDO", "SIN_VENTAS", "ANOMALIA", "FANTASMA"]);
    for e in summary["estados"].as_array().unwrap() {
        for class in ["A", "B", "C", "D", "SIN_CLASE"] {
            let want = counts.get(&(e["estado"].as_str().unwrap().to_string(), class.to_string())).copied().unwrap_or(0);
            assert_eq!(e["por_clase"][class].as_u64().unwrap() as usize, want, "{} × {class}", e["estado"]);
        }
    }
    // A cell of the grid lists exactly its products.
    let busiest = summary["estados"].as_array().unwrap().iter().max_by_key(|e| e["por_clase"]["A"].as_u64().unwrap()).unwrap();
    let path = format!("/api/productos/analisis-maestro?ubicacion_id=tienda_01&estado={}&abc=A", busiest["estado"].as_str().unwrap());
    let (_, cell) = app.get_with_status(&path, &token).await;
    assert_eq!(cell["total"], busiest["por_clase"]["A"]);
    assert!(cell["items"].as_array().unwrap().iter().all(|i| i["clase_abc"] == "A" && i["estado"] == busiest["estado"]));

    // Bad input and scope.
    for (path, status) in [
        ("/api/productos/analisis-maestro?ubicacion_id=tienda_01&estado=FELIZ", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/analisis-maestro?ubicacion_id=tienda_01&abc=Q", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/analisis-maestro?ubicacion_id=tienda_01&page_size=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/analisis-maestro/resumen?ubicacion_id=cedi_seco", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/analisis-maestro/resumen?ubicacion_id=tienda_99", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/NOEXISTE/detalle-completo", StatusCode::NOT_FOUND),
    ] {
        let (s, e) = app.get_with_status(path, &token).await;
        assert_eq!(s, status, "{path}: {e}");
    }
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    assert_eq!(
        app.get_with_status("/api/productos/analisis-maestro/resumen?ubicacion_id=tienda_01", &manager).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get_with_status("/api/productos/analisis-maestro/resumen?ubicacion_id=tienda_02", &manager).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_360_view_shows_every_visible_store_the_cedis_and_twelve_weeks() {
    let app = spawn_app(true).await;
    let token = app.admin_token.clone();
    let r = app.state.warehouse.reader().unwrap();
    let code: String = r
        .query_row("SELECT producto_codigo FROM ventas GROUP BY 1 ORDER BY sum(cantidad_vendida) DESC, 1 LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let stock_in = |loc: &str| -> f64 {
        r.query_row(
            &format!("SELECT coalesce(sum(cantidad), 0)::DOUBLE FROM inventario_actual WHERE ubicacion_id = '{loc}' AND producto_codigo = '{code}'"),
            [],
            |x| x.get(0),
        )
        .unwrap()
    };
    let today = app.state.tenant.today();
    let (from, to) = (today - Duration::days(84), today - Duration::days(1));
    let sold: f64 = r
        .query_row(
            &format!(
                "SELECT coalesce(sum(cantidad_vendida), 0)::DOUBLE FROM ventas WHERE producto_codigo = '{code}' AND fecha BETWEEN DATE '{from}' AND DATE '{to}'"
            ),
            [],
            |x| x.get(0),
        )
        .unwrap();
    let (s, v) = app.get_with_status(&format!("/api/productos/{code}/detalle-completo"), &token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["producto"]["codigo"], code.as_str());
    let stores: Vec<&str> = v["tiendas"].as_array().unwrap().iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
    assert_eq!(stores, ["tienda_01", "tienda_02"]);
    for t in v["tiendas"].as_array().unwrap() {
        assert!((f(&t["stock"]) - stock_in(t["ubicacion_id"].as_str().unwrap())).abs() < 1e-6, "{t}");
    }
    let cedi = v["cedis"].as_array().unwrap().iter().find(|c| c["ubicacion_id"] == "cedi_seco").unwrap();
    assert!((f(&cedi["stock"]) - stock_in("cedi_seco")).abs() < 1e-6);
    let weeks = v["semanas"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[11]["hasta"], to.to_string());
    assert_eq!(weeks[0]["desde"], (today - Duration::days(84)).to_string());
    let units: f64 = weeks.iter().map(|w| f(&w["unidades"])).sum();
    assert!((units - sold).abs() < 1e-6, "{units} vs {sold}");
    drop(r);
    // The same parts on their own (spec 50 §10.2): per store, and the weekly series.
    let (s, stores) = app.get_with_status(&format!("/api/productos/{code}/detalle-tiendas"), &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stores["tiendas"], v["tiendas"]);
    let (s, weekly) = app.get_with_status(&format!("/api/productos/{code}/ventas-semanales"), &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(weekly["semanas"], v["semanas"]);
    for path in ["/api/productos/NOEXISTE/detalle-tiendas", "/api/productos/NOEXISTE/ventas-semanales"] {
        assert_eq!(app.get_with_status(path, &token).await.0, StatusCode::NOT_FOUND, "{path}");
    }

    // A store manager sees his store only (the CEDIs stay visible).
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    let (s, v) = app.get_with_status(&format!("/api/productos/{code}/detalle-completo"), &manager).await;
    assert_eq!(s, StatusCode::OK);
    let stores: Vec<&str> = v["tiendas"].as_array().unwrap().iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
    assert_eq!(stores, ["tienda_02"]);
    assert!(!v["cedis"].as_array().unwrap().is_empty());
}
