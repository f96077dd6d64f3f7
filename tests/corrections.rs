//! *Centro de Comando de Corrección* (spec 40 §7.5) through the HTTP API on real files:
//! negatives and "venta zombie" items in the list and the badge alike, with their sale
//! lines; physical counts recorded with user and batch, never over the POS's stock, and
//! still there after the next stock load.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::spawn_app;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn import(app: &common::TestApp, file: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), text).unwrap();
    let opts = fluxion::sources::files::ImportOptions { skip_bad_rows: false, now_utc: chrono::Utc::now().naive_utc() };
    fluxion::sources::files::import_dir(&app.state.warehouse, &app.state.tenant, dir.path(), &opts).unwrap();
}

fn stock_of(app: &common::TestApp, code: &str) -> f64 {
    app.state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT sum(cantidad)::DOUBLE FROM inventario_actual WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?",
            [code],
            |r| r.get(0),
        )
        .unwrap()
}

async fn post(app: &common::TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let r = app.client.post(app.url("/api/stock/ajustes")).bearer_auth(token).json(&body).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn negatives_and_zombies_are_listed_counted_and_corrected_beside_the_pos() {
    let app = spawn_app(true).await;
    let today = app.state.tenant.today();
    // 000101 is negative; 000103 is at 0 and sold this morning with no stock seen today.
    let (negative, zombie) = ("000101", "000103");
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(&format!(
                "UPDATE inventario_actual SET cantidad = CASE WHEN almacen_codigo = (SELECT min(almacen_codigo) FROM inventario_actual WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '{negative}') THEN -5 ELSE 0 END
                   WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '{negative}';
                 UPDATE inventario_actual SET cantidad = 0 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '{zombie}';"
            ))
        })
        .unwrap();
    import(
        &app,
        "ventas.csv",
        &format!(
            "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n\
             tienda_01,Z-1,1,{today} 00:01:00,{zombie},2,3.00\n\
             tienda_01,Z-2,1,{today} 00:02:00,{negative},1,1.50\n"
        ),
    );

    let r = app.client.get(app.url("/api/stock/anomalias/tienda_01")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = r.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    let find = |c: &str| items.iter().find(|i| i["codigo_producto"] == c).unwrap_or_else(|| panic!("{c} is listed: {list}")).clone();
    let neg = find(negative);
    assert_eq!((neg["tipo"].as_str(), neg["stock_actual"].as_f64()), (Some("stock_negativo"), Some(-5.0)));
    assert_eq!(items[0]["codigo_producto"], negative, "most negative first");
    assert_eq!(neg["ultimas_ventas"][0]["numero_factura"], "Z-2");
    assert_eq!(neg["ultimas_ventas"][0]["hora"], "00:02");
    let z = find(zombie);
    assert_eq!(z["tipo"], "venta_zombie");
    assert_eq!(z["ventas_7d_unidades"], 2.0);
    assert!(list["nota"].as_str().unwrap().contains("POS"), "the screen says the POS must be corrected too");
    let badge: Value = app.get_json("/api/stock/anomalias/tienda_01/count", &app.admin_token).await;
    assert_eq!(badge["total"], list["total"], "the badge counts what the list shows");
    assert_eq!(badge["ventas_zombie"].as_u64().unwrap() as usize, items.iter().filter(|i| i["tipo"] == "venta_zombie").count());

    // A count: recorded with user and batch for the negative; the zombie's 0 agrees; an
    // unknown code is not applied.
    app.add_user("gerente.t1", "clave-gerente-123", "gerente_tienda", &["tienda_01"]);
    let manager = app.token("gerente.t1", "clave-gerente-123").await;
    let (s, rec) = post(
        &app,
        &manager,
        json!({"ubicacion_id": "tienda_01", "ajustes": [
            {"producto_codigo": negative, "conteo": 12, "observaciones": "conteo de pasillo"},
            {"producto_codigo": zombie, "conteo": 0},
            {"producto_codigo": "NO-EXISTE", "conteo": 3}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    assert_eq!(rec["registrados"], 1);
    let outcome = |c: &str| rec["resultados"].as_array().unwrap().iter().find(|r| r["producto_codigo"] == c).unwrap()["resultado"].clone();
    assert_eq!(
        (outcome(negative), outcome(zombie), outcome("NO-EXISTE")),
        (json!("registrado"), json!("sin_diferencia"), json!("no_encontrado"))
    );
    assert!(rec["lote"].as_str().unwrap().starts_with(&format!("AUDITORIA_{}", today.format("%Y%m%d"))));
    assert_eq!(stock_of(&app, negative), -5.0, "the POS mirror is not overwritten");

    let listed: Value = app.get_json("/api/stock/ajustes?ubicacion_id=tienda_01", &manager).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!((listed[0]["usuario"].as_str(), listed[0]["diferencia"].as_f64()), (Some("gerente.t1"), Some(17.0)));

    // The next stock load carries the POS's figure again: the count stays recorded.
    import(&app, "inventario.csv", &format!("ubicacion_id,almacen_codigo,producto_codigo,cantidad\ntienda_01,,{negative},-4\n"));
    let after: Value = app.get_json("/api/stock/ajustes?ubicacion_id=tienda_01", &manager).await;
    assert_eq!(after, listed, "a stock sync leaves the counts in place");

    // Bad input: named 4xx, nothing recorded.
    for (body, status) in [
        (json!({"ubicacion_id": "tienda_01", "ajustes": [{"producto_codigo": negative, "conteo": -1}]}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"ubicacion_id": "tienda_01", "ajustes": []}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"ubicacion_id": "tienda_01", "ajustes": [{"producto_codigo": negative, "conteo": "doce"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"ubicacion_id": "tienda_02", "ajustes": [{"producto_codigo": negative, "conteo": 1}]}), StatusCode::FORBIDDEN),
        (
            json!({"ubicacion_id": "tienda_01", "almacen": "NO-ES", "ajustes": [{"producto_codigo": negative, "conteo": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_eq!(post(&app, &manager, body.clone()).await.0, status, "{body}");
    }
    app.add_user("mirada", "clave-mirada-1234", "visualizador", &[]);
    let viewer = app.token("mirada", "clave-mirada-1234").await;
    assert_eq!(
        post(&app, &viewer, json!({"ubicacion_id": "tienda_01", "ajustes": [{"producto_codigo": negative, "conteo": 1}]})).await.0,
        StatusCode::FORBIDDEN
    );
    let still: Value = app.get_json("/api/stock/ajustes?ubicacion_id=tienda_01", &manager).await;
    assert_eq!(still.as_array().unwrap().len(), 1, "nothing else was recorded");
}
