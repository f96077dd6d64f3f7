//! *Oportunidades CEDI* and *Expansión de Catálogo* (spec 40 §7.6) through the HTTP API on
//! the tiny chain with both stores in one region.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::end_date;
use reqwest::StatusCode;
use serde_json::Value;

async fn one_region_app() -> common::TestApp {
    let app = common::spawn_app_with(true, |toml| {
        toml.lines()
            .map(|l| if l.trim_start().starts_with("region ") { l.replace("CARACAS", "VALENCIA") } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
    })
    .await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    app
}

fn int(app: &common::TestApp, sql: &str) -> f64 {
    app.state.warehouse.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_cedi_product_is_an_opportunity_when_a_store_of_its_region_runs_low() {
    let app = one_region_app().await;
    // 000101: the CEDI holds plenty; tienda_01 has 2; tienda_02 holds no row at all (→ 0).
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(
                "UPDATE inventario_actual SET cantidad = 500 WHERE ubicacion_id = 'cedi_seco' AND producto_codigo = '000101';
                 UPDATE inventario_actual SET cantidad = 2 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '000101';
                 DELETE FROM inventario_actual WHERE ubicacion_id = 'tienda_02' AND producto_codigo = '000101';",
            )
        })
        .unwrap();
    let groups: Value = app.get_json("/api/inventario/oportunidades-cedi", &app.admin_token).await;
    let seco = groups.as_array().unwrap().iter().find(|g| g["cedi_id"] == "cedi_seco").expect("cedi_seco has opportunities");
    let p = seco["productos"].as_array().unwrap().iter().find(|p| p["codigo_producto"] == "000101").expect("000101 is one");
    let cedi_stock =
        int(&app, "SELECT sum(cantidad)::DOUBLE FROM inventario_actual WHERE ubicacion_id = 'cedi_seco' AND producto_codigo = '000101'");
    assert_eq!(p["stock_cedi"].as_f64().unwrap(), cedi_stock);
    let cell = |id: &str| p["tiendas"].as_array().unwrap().iter().find(|t| t["ubicacion_id"] == id).unwrap().clone();
    assert_eq!(
        (cell("tienda_01")["stock"].as_f64(), cell("tienda_02")["stock"].as_f64()),
        (Some(2.0), Some(0.0)),
        "a store without a row counts as 0"
    );
    // The P75 shown is the inventory table's (§7.2).
    let row: Value = app.get_json("/api/stock?ubicacion_id=tienda_01&search=000101", &app.admin_token).await;
    assert_eq!(cell("tienda_01")["p75"], row["items"][0]["p75"]);
    // Every product listed has a low store and enough CEDI stock; largest CEDI stock first.
    let products = seco["productos"].as_array().unwrap();
    assert!(products.iter().all(|p| p["stock_cedi"].as_f64().unwrap() >= 10.0
        && p["tiendas"].as_array().unwrap().iter().any(|t| t["stock"].as_f64().unwrap() <= 5.0)));
    assert!(products.windows(2).all(|w| w[0]["stock_cedi"].as_f64() >= w[1]["stock_cedi"].as_f64()));
    assert!(products.len() <= 50 && seco["oportunidades"].as_u64().unwrap() as usize >= products.len());
}

#[tokio::test]
async fn catalogue_expansion_lists_products_sold_in_part_of_the_region() {
    let app = one_region_app().await;
    // Both stores sell the whole tiny catalogue: tienda_02 stops selling three of tienda_01's
    // best sellers (its lines removed, the aggregates and classes rebuilt as after a load).
    app.state
        .warehouse
        .write(|c| -> Result<(), fluxion::warehouse::load::LoadError> {
            c.execute_batch(
                "DELETE FROM ventas WHERE ubicacion_id = 'tienda_02' AND producto_codigo IN
                   (SELECT producto_codigo FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND producto_codigo <> '003760'
                    ORDER BY venta_30d DESC LIMIT 3)",
            )?;
            fluxion::warehouse::sales::rebuild_daily_sales(c)
        })
        .unwrap();
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    let out: Value = app.get_json("/api/inventario/expansion-catalogo?region=VALENCIA", &app.admin_token).await;
    let region = &out[0];
    assert_eq!(region["region"], "VALENCIA");
    // With two stores, a candidate sells in exactly one (50 % coverage) at ≥ 5 USD a week.
    let sold_in_one = int(
        &app,
        "SELECT count(*)::DOUBLE FROM (SELECT producto_codigo FROM productos_abc_tienda WHERE venta_30d > 0 GROUP BY 1
           HAVING count(*) = 1 AND sum(venta_30d) / 30 * 7 >= 5)",
    );
    assert!(sold_in_one > 0.0, "the tiny chain has candidates");
    assert_eq!(region["candidatos"].as_f64().unwrap(), sold_in_one);
    let p = &region["productos"][0];
    assert_eq!(p["cobertura_pct"], 50.0);
    assert_eq!(p["tiendas_sin_producto"].as_array().unwrap().len(), 1);
    assert!(
        (p["venta_potencial"].as_f64().unwrap() - p["venta_semanal_por_tienda"].as_f64().unwrap()).abs() < 1e-9,
        "one store without it"
    );
    let r = app.client.get(app.url("/api/inventario/expansion-catalogo?region=MARTE")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
