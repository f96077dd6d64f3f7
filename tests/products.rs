//! Product administration (spec 50 §8) on the `tiny` synthetic chain, through the HTTP API
//! on real SQLite and DuckDB files: the list and its filters, the edit form's corrections,
//! and that a correction outlives every later load and reaches the next calculation.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn get(app: &common::TestApp, path: &str) -> (StatusCode, Value) {
    let r = app.client.get(app.url(path)).bearer_auth(&app.admin_token).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn put(app: &common::TestApp, codigo: &str, body: Value) -> (StatusCode, Value) {
    let r =
        app.client.put(app.url(&format!("/api/admin/productos/{codigo}"))).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn count(app: &common::TestApp, sql: &str) -> i64 {
    app.state.warehouse.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// tienda_01's proposal from cedi_seco for the day after the generated data.
async fn proposal(app: &common::TestApp) -> Value {
    let fecha = (end_date() + Duration::days(1)).to_string();
    let r = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": fecha}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn line<'a>(p: &'a Value, code: &str) -> &'a Value {
    p["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code).unwrap_or_else(|| panic!("{code} not in the proposal"))
}

#[tokio::test]
async fn the_list_pages_filters_and_refuses_bad_queries_with_a_spanish_message() {
    let app = spawn_app(true).await;
    let active = count(&app, "SELECT count(*) FROM productos WHERE activo");
    assert!(active > 100, "the tiny chain has {active} active products");

    let (s, page1) = get(&app, "/api/admin/productos?page_size=50").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page1["total"], active);
    assert_eq!(page1["total_pages"], (active + 49) / 50);
    let codes: Vec<&str> = page1["productos"].as_array().unwrap().iter().map(|p| p["codigo"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 50);
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "ordered by code");

    // The last page holds the rest; the one after it is empty, not an error.
    let last = page1["total_pages"].as_i64().unwrap();
    let (_, tail) = get(&app, &format!("/api/admin/productos?page_size=50&page={last}")).await;
    assert_eq!(tail["productos"].as_array().unwrap().len() as i64, active - 50 * (last - 1));
    let (s, past) = get(&app, &format!("/api/admin/productos?page_size=50&page={}", last + 1)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(past["productos"].as_array().unwrap().len(), 0);

    // A category filter gives what SQL on the raw rows gives.
    let categoria: String = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT categoria FROM productos WHERE activo GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let (_, by_cat) = get(&app, &format!("/api/admin/productos?page_size=200&categoria={}", urlencode(&categoria))).await;
    assert_eq!(by_cat["total"], count(&app, &format!("SELECT count(*) FROM productos WHERE activo AND categoria = '{categoria}'")));
    assert!(by_cat["productos"].as_array().unwrap().iter().all(|p| p["categoria"] == categoria.as_str()));

    // Search: a substring of the code or the description, case-insensitive.
    let (_, found) = get(&app, "/api/admin/productos?search=bolsa").await;
    assert!(found["productos"].as_array().unwrap().iter().any(|p| p["codigo"] == "003760"), "BOLSA PLASTICA is found by «bolsa»");
    let (s, hostile) = get(&app, &format!("/api/admin/productos?search={}", urlencode("'; DROP TABLE productos; --"))).await;
    assert_eq!((s, hostile["total"].as_i64()), (StatusCode::OK, Some(0)), "SQL-shaped text is only text");
    assert_eq!(count(&app, "SELECT count(*) FROM productos WHERE activo"), active, "nothing was dropped");

    for (query, field) in [
        ("search=a", "search"),
        ("page_size=0", "page_size"),
        ("page_size=1000000000", "page_size"),
        ("page=0", "page"),
        ("estado=borrados", "estado"),
    ] {
        let (s, body) = get(&app, &format!("/api/admin/productos?{query}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().chars().any(|c| c.is_alphabetic()), "{query}: a message");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let (s, body) = get(&app, "/api/admin/productos?page=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["detail"].as_str().unwrap().starts_with("Parámetros de consulta inválidos"), "{body}");

    let (s, body) = get(&app, "/api/admin/productos/NO-EXISTE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], "Producto NO-EXISTE no encontrado");

    let (s, cats) = get(&app, "/api/admin/productos/opciones/categorias").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cats[0]["valor"], categoria.as_str(), "most used first");
    let (s, _) = get(&app, "/api/admin/productos/opciones/colores").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn a_pack_size_correction_outlives_every_load_and_changes_the_next_calculation() {
    let app = spawn_app(true).await;
    // A product tienda_01 is told to order, with a pack size the POS gave.
    let before = proposal(&app).await;
    let chosen = before["productos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() >= 2 && l["cantidad_bultos"].as_f64().unwrap() < 12.0)
        .max_by(|a, b| a["cantidad_sugerida_unid"].as_f64().unwrap().total_cmp(&b["cantidad_sugerida_unid"].as_f64().unwrap()))
        .expect("a line with an order");
    let code = chosen["codigo_producto"].as_str().unwrap().to_string();
    let pos_upb = chosen["cantidad_bultos"].as_f64().unwrap();

    // Bad edits are refused by name, and write nothing.
    assert_eq!(put(&app, &code, json!({})).await.0, StatusCode::BAD_REQUEST);
    let (s, body) = put(&app, &code, json!({"unidades_por_bulto": 0})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "unidades_por_bulto");
    assert_eq!(put(&app, &code, json!({"unidades_por_bulto": "doce"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(&app, &code, json!({"cedi_origen_id": "tienda_02"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(&app, "NO-EXISTE", json!({"unidades_por_bulto": 6})).await.0, StatusCode::NOT_FOUND);
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    let overrides = |db: &rusqlite::Connection| -> i64 { db.query_row("SELECT count(*) FROM producto_ajustes", [], |r| r.get(0)).unwrap() };
    assert_eq!(overrides(&db), 0);

    // The worked example of spec 50 §8.
    let (s, body) = put(&app, &code, json!({"unidades_por_bulto": 12, "peso_unitario": 0.85})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["message"], format!("Producto {code} actualizado correctamente"));
    assert_eq!(body["producto"]["unidades_por_bulto"], 12);
    assert_eq!(body["producto"]["valores_pos"]["unidades_por_bulto"].as_f64(), Some(pos_upb));
    let audit: String =
        db.query_row("SELECT detalle FROM audit_log WHERE accion = 'producto.ajustar' AND entidad_id = ?1", [&code], |r| r.get(0)).unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!((audit["antes"]["unidades_por_bulto"].clone(), audit["despues"]["unidades_por_bulto"].clone()), (Value::Null, json!(12)));

    // The next calculation orders whole packs of 12.
    let after = proposal(&app).await;
    let l = line(&after, &code);
    assert_eq!(l["cantidad_bultos"], 12.0);
    let units = chosen["cantidad_sugerida_unid"].as_f64().unwrap();
    assert_ne!(l["cantidad_sugerida_bultos"], chosen["cantidad_sugerida_bultos"], "{units} units are fewer packs of 12 than of {pos_upb}");
    assert_eq!(l["cantidad_sugerida_unid"].as_f64().unwrap() % 12.0, 0.0, "whole packs of 12");

    // A CSV import that says pack 3 and a new description, then a KLK product load that
    // says nothing of the pack: the POS values change, the correction stays.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("productos.csv"),
        format!("codigo,descripcion,unidades_por_bulto,cedi_origen_id,activo\n{code},DESCRIPCION NUEVA DEL POS,3,cedi_seco,true\n"),
    )
    .unwrap();
    let opts = fluxion::sources::files::ImportOptions { skip_bad_rows: false, now_utc: chrono::Utc::now().naive_utc() };
    fluxion::sources::files::import_dir(&app.state.warehouse, &app.state.tenant, dir.path(), &opts).unwrap();
    let klk =
        fluxion::sources::pos::SourceProduct { codigo: code.clone(), descripcion: Some("DESCRIPCION KLK".into()), ..Default::default() };
    app.state.warehouse.write(|c| fluxion::etl::load::merge_products(c, &[klk], "klk", chrono::Utc::now().naive_utc())).unwrap();
    let (_, detail) = get(&app, &format!("/api/admin/productos/{code}")).await;
    assert_eq!(detail["descripcion"], "DESCRIPCION KLK", "the POS still writes the product");
    assert_eq!(detail["valores_pos"]["unidades_por_bulto"], 3, "the import's pack size is the POS value");
    assert_eq!((detail["unidades_por_bulto"].clone(), detail["peso_unitario"].clone()), (json!(12), json!(0.85)), "the corrections stay");
    assert_eq!(line(&proposal(&app).await, &code)["cantidad_bultos"], 12.0);

    // Restoring the POS value: the import's 3 applies at once.
    let (s, _) = put(&app, &code, json!({"restablecer": ["unidades_por_bulto", "peso_unitario"]})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(overrides(&db), 0, "nothing overridden, no row left");
    assert_eq!(line(&proposal(&app).await, &code)["cantidad_bultos"], 3.0);

    // The SQLite copy is the authority: a warehouse that lost the mirror (a restore, a crash
    // between the edit and its mirror) gets it back when the tenant is opened.
    put(&app, &code, json!({"unidades_por_bulto": 24})).await;
    app.state.warehouse.write(|c| c.execute_batch("DELETE FROM app.producto_ajustes")).unwrap();
    let (_copy, config) = app.snapshot_tenant();
    let reopened = fluxion::app::open(fluxion::config::Tenant::load(&config).unwrap()).unwrap();
    let upb: i64 = reopened
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT unidades_por_bulto FROM productos_v WHERE codigo = ?", [&code], |r| r.get(0))
        .unwrap();
    assert_eq!(upb, 24);
}

#[tokio::test]
async fn a_klk_product_without_a_pack_size_is_flagged_until_someone_sets_it() {
    let app = spawn_app(true).await;
    // A product as if only KLK had ever described it (KLK sends no pack size), then a KLK
    // product load.
    let best = "003760".to_string();
    let klk =
        fluxion::sources::pos::SourceProduct { codigo: best.clone(), descripcion: Some("BOLSA PLASTICA".into()), ..Default::default() };
    app.state
        .warehouse
        .write(|c| -> Result<_, fluxion::warehouse::load::LoadError> {
            c.execute("UPDATE productos SET unidades_por_bulto = 1, fuente = 'klk' WHERE codigo = ?", [&best])?;
            fluxion::etl::load::merge_products(c, &[klk], "klk", chrono::Utc::now().naive_utc())
        })
        .unwrap();
    let flagged = line(&proposal(&app).await, &best).clone();
    assert_eq!(flagged["bulto_sin_definir"], true);
    assert!(flagged["warnings_calculo"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().starts_with("bulto_sin_definir")));
    let (_, list) = get(&app, "/api/admin/productos?solo_sin_bulto=true").await;
    assert!(list["productos"].as_array().unwrap().iter().any(|p| p["codigo"] == best.as_str()));
    assert!(list["productos"].as_array().unwrap().iter().all(|p| p["bulto_sin_definir"] == true));

    // An administrator confirms 1: no longer flagged, anywhere.
    put(&app, &best, json!({"unidades_por_bulto": 1})).await;
    assert_eq!(line(&proposal(&app).await, &best)["bulto_sin_definir"], false);
    let (_, list) = get(&app, "/api/admin/productos?solo_sin_bulto=true").await;
    assert!(!list["productos"].as_array().unwrap().iter().any(|p| p["codigo"] == best.as_str()));
}

#[tokio::test]
async fn deactivating_a_product_takes_it_out_of_the_order_and_only_an_administrator_may() {
    let app = spawn_app(true).await;
    let code = proposal(&app).await["productos"][0]["codigo_producto"].as_str().unwrap().to_string();
    let (s, _) = put(&app, &code, json!({"activo": false, "categoria": "DESCONTINUADOS", "cuadrante": ""})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(proposal(&app).await["productos"].as_array().unwrap().iter().all(|l| l["codigo_producto"] != code.as_str()));
    let (_, inactive) = get(&app, "/api/admin/productos?estado=inactivos&categoria=DESCONTINUADOS").await;
    assert_eq!(inactive["total"], 1);
    assert_eq!(inactive["productos"][0]["cuadrante"], "NO ESPECIFICADO");

    app.add_user("comprador.p", "clave-comprador-123", "gestor_abastecimiento", &[]);
    let token = app.token("comprador.p", "clave-comprador-123").await;
    let r = app
        .client
        .put(app.url(&format!("/api/admin/productos/{code}")))
        .bearer_auth(&token)
        .json(&json!({"activo": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, still) = get(&app, &format!("/api/admin/productos/{code}")).await;
    assert_eq!(still["activo"], false, "nothing written");
}

#[tokio::test]
async fn the_abc_xyz_matrix_adds_up_to_the_classification_and_lists_each_cell() {
    let app = spawn_app(true).await;
    {
        let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
        fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    }
    let classified = count(&app, "SELECT count(*) FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01'");
    assert!(classified > 100);
    let (s, m) = get(&app, "/api/productos/matriz-abc-xyz?ubicacion_id=tienda_01").await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let cells = m["matriz"]["celdas"].as_array().unwrap();
    assert_eq!(cells.len(), 12, "A–D × X–Z");
    assert_eq!(cells.iter().map(|c| c["productos"].as_i64().unwrap()).sum::<i64>(), classified);
    let a_count = count(&app, "SELECT count(*) FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc = 'A'");
    assert_eq!(m["abc"][0]["productos"], a_count);
    // Undetermined XYZ counts as Y.
    let ax =
        count(&app, "SELECT count(*) FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc = 'A' AND clase_xyz = 'X'");
    let ay = count(
        &app,
        "SELECT count(*) FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc = 'A' AND coalesce(clase_xyz, 'Y') = 'Y'",
    );
    let cell = |c: &str| cells.iter().find(|x| x["celda"] == c).unwrap()["productos"].as_i64().unwrap();
    assert_eq!((cell("AX"), cell("AY")), (ax, ay));
    let (_, list) = get(&app, "/api/productos/lista-por-matriz?ubicacion_id=tienda_01&abc=A&xyz=Y&page_size=500").await;
    assert_eq!(list["total"], ay);
    assert!(list["productos"].as_array().unwrap().iter().all(|p| p["clase_abc"] == "A"));
    // The whole chain.
    let (s, chain) = get(&app, "/api/productos/matriz-abc-xyz").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        chain["matriz"]["celdas"].as_array().unwrap().iter().map(|c| c["productos"].as_i64().unwrap()).sum::<i64>(),
        count(&app, "SELECT count(*) FROM productos_abc_cache WHERE ubicacion_id = '*'")
    );

    app.add_user("gerente.t2", "clave-gerente-123", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente.t2", "clave-gerente-123").await;
    for (path, status) in [
        ("/api/productos/matriz-abc-xyz?ubicacion_id=tienda_01", StatusCode::FORBIDDEN),
        ("/api/productos/matriz-abc-xyz", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/productos/matriz-abc-xyz?ubicacion_id=tienda_02", StatusCode::OK),
    ] {
        let got = app.client.get(app.url(path)).bearer_auth(&manager).send().await.unwrap().status();
        assert_eq!(got, status, "{path}: a store manager sees his store, not the chain");
    }
    let (s, _) = get(&app, "/api/productos/lista-por-matriz?abc=Q").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn without_the_xyz_analysis_only_the_abc_distribution_is_shown() {
    let app = common::spawn_app_with(true, |t| t.replace("xyz_analysis        = true", "xyz_analysis        = false")).await;
    let (s, m) = get(&app, "/api/productos/matriz-abc-xyz").await;
    assert_eq!(s, StatusCode::OK);
    assert!(m["matriz"].is_null() && m["xyz"].is_null(), "{m}");
    assert_eq!(m["abc"].as_array().unwrap().len(), 4);
    let (s, _) = get(&app, "/api/productos/lista-por-matriz?abc=A&xyz=X").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
