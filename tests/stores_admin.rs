//! Store administration over HTTP (spec 50 §7.3, §7.4): `stock-params` (defaults, a UI
//! override, the tenant.toml seed, store-manager scope, unknown ids, a failing lookup),
//! `GET /api/admin/tiendas` (every location, no secrets, admins only) and
//! `POST /api/admin/tiendas/{id}/probar` against a live KLK stand-in (a real HTTP server),
//! a live TDS server (Stellar) and a closed port.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;
#[path = "etl_support/mod.rs"]
mod support;

use mssql_mock_tds::MockTdsServer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{klk_tenant_toml, spawn_klk, FakeKlk, Fault};

const STELLAR_PASSWORD: &str = "clave-stellar-secreta-77";
const KLK_API_KEY: &str = "klk-api-key-secreta-42";
const PASSWORD: &str = "clave-de-prueba-5";

/// The 15 keys of `stock-params`.
const KEYS: [&str; 15] = [
    "stock_min_mult_a",
    "stock_seg_mult_a",
    "stock_max_mult_a",
    "stock_min_mult_ab",
    "stock_seg_mult_ab",
    "stock_max_mult_ab",
    "stock_min_mult_b",
    "stock_seg_mult_b",
    "stock_max_mult_b",
    "stock_min_mult_bc",
    "stock_seg_mult_bc",
    "stock_max_mult_bc",
    "stock_min_mult_c",
    "stock_seg_mult_c",
    "stock_max_mult_c",
];

struct Env {
    app: common::TestApp,
    klk: FakeKlk,
    _secrets: tempfile::TempDir,
}

/// A port nobody listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn spawn_tds() -> u16 {
    let server = MockTdsServer::new("127.0.0.1:0").await.unwrap();
    let port = server.local_addr().port();
    tokio::spawn(async move {
        let _ = server.run().await;
    });
    port
}

/// Two KLK stores and the KLK CEDI (fake KLK), a Stellar store on a live TDS server, a
/// Stellar store on a closed port, a file-fed store seeded with the original's Caracas CEDI
/// parameters, and an inactive store.
async fn env() -> Env {
    let klk = spawn_klk().await;
    *klk.state.pisoventa.lock().unwrap() = vec![
        json!({"NombreSucursal": "PERIFERICO", "CodigoSucursal": "SUC001", "CodigoAlmacen": "APP-TPF", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "AV. BOLIVAR", "CodigoSucursal": "SUC007", "CodigoAlmacen": "TAVBOL", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "CEDI", "CodigoSucursal": "CEDI", "CodigoAlmacen": "PCDICS", "NombreAlmacen": "PRINCIPAL"}),
    ];
    let tds = spawn_tds().await;
    let closed = closed_port();
    let secrets = tempfile::tempdir().unwrap();
    let secrets_path = secrets.path().join("secrets.toml");
    common::write_private(
        &secrets_path,
        &format!(
            "[auth]\njwt_secret = \"{}\"\n\n[pos.klk]\napi_key = \"{KLK_API_KEY}\"\n\n\
             [stellar_credentials.stellar_default]\nusername = \"fluxion_ro\"\npassword = \"{STELLAR_PASSWORD}\"\n",
            common::JWT_HEX
        ),
    );
    let extra = format!(
        "\n[[stores]]\nid = \"tienda_21\"\nname = \"TIENDA STELLAR\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\npos = \"stellar\"\n\
         opening = \"08:00\"\nclosing = \"20:00\"\ngo_live = \"2026-01-15\"\n\n  \
         [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {tds}\n  database = \"VAD20\"\n  codigo_deposito = \"2102\"\n  timeout_seconds = 2\n\n  \
         [[stores.almacenes]]\n  codigo = \"2102\"\n  nombre = \"DEPOSITO TIENDA\"\n  tipo = \"principal\"\n  incluir_en_deficit = false\n\n\
         [[stores]]\nid = \"tienda_22\"\nname = \"TIENDA SIN RED\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\npos = \"stellar\"\n\n  \
         [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {closed}\n  codigo_deposito = \"2202\"\n  timeout_seconds = 2\n\n\
         [[stores]]\nid = \"tienda_30\"\nname = \"TIENDA CARACAS\"\nkind = \"tienda\"\nregion = \"CARACAS\"\npos = \"none\"\n\n  \
         [stores.params]\n  lead_time_days = 2.0\n  cobertura_dias = {{ a = 10, b = 10, c = 10 }}\n\n\
         [[stores]]\nid = \"tienda_40\"\nname = \"TIENDA CERRADA\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\npos = \"none\"\nactive = false\n\n\
         [pos.stellar]\ncredentials = \"stellar_default\"\n\n[paths]\nsecrets_file = \"{}\"\n",
        secrets_path.display()
    );
    let toml = klk_tenant_toml(&klk.base_url(), 2, &extra);
    let app = common::spawn_app_with(false, move |_| toml).await;
    Env { app, klk, _secrets: secrets }
}

async fn get(app: &common::TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn probe(app: &common::TestApp, id: &str, token: &str) -> reqwest::Response {
    app.client.post(app.url(&format!("/api/admin/tiendas/{id}/probar"))).bearer_auth(token).send().await.unwrap()
}

fn assert_table(v: &Value, expected: [f64; 15]) {
    for (k, want) in KEYS.iter().zip(expected) {
        assert_eq!(v[*k].as_f64(), Some(want), "{k} in {v}");
    }
}

/// Spec 50 §7.3, defaults: A (5.0, 1.5, 8.5), AB (6.8, 1.5, 12.0), B (8.5, 1.5, 15.5),
/// BC (10.3, 1.5, 19.0), C (12.0, 1.5, 22.5) as (min, seg, max).
const DEFAULTS: [f64; 15] = [5.0, 1.5, 8.5, 6.8, 1.5, 12.0, 8.5, 1.5, 15.5, 10.3, 1.5, 19.0, 12.0, 1.5, 22.5];
/// Override LT 2.0, A = B = C = 10: every class seg 2.0, min 7.0, max 12.0.
const OVERRIDE: [f64; 15] = [7.0, 2.0, 12.0, 7.0, 2.0, 12.0, 7.0, 2.0, 12.0, 7.0, 2.0, 12.0, 7.0, 2.0, 12.0];

#[tokio::test]
async fn stock_params_defaults_override_seed_and_scope() {
    let Env { app, .. } = env().await;
    let admin = app.admin_token.clone();

    // Defaults: exactly the 15 keys plus the id.
    let r = get(&app, "/api/ubicaciones/tienda_01/stock-params", &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ubicacion_id"], "tienda_01");
    assert_eq!(v.as_object().unwrap().len(), 16, "{v}");
    assert_table(&v, DEFAULTS);

    // The tenant.toml seed (the original's Caracas CEDI values).
    assert_table(&app.get_json("/api/ubicaciones/tienda_30/stock-params", &admin).await, OVERRIDE);

    // An override saved in the parameter screen wins.
    let put = app
        .client
        .put(app.url("/api/config-inventario/parametros-abc/tienda/tienda_02"))
        .bearer_auth(&admin)
        .json(&json!({"lead_time_override": 2.0, "dias_cobertura_a": 10, "dias_cobertura_b": 10, "dias_cobertura_c": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK, "{}", put.text().await.unwrap());
    assert_table(&app.get_json("/api/ubicaciones/tienda_02/stock-params", &admin).await, OVERRIDE);

    // A store manager: his store and the CEDIs, not another store.
    app.add_user("gerente.t1", PASSWORD, "gerente_tienda", &["tienda_01"]);
    let manager = app.token("gerente.t1", PASSWORD).await;
    assert_eq!(get(&app, "/api/ubicaciones/tienda_01/stock-params", &manager).await.status(), StatusCode::OK);
    assert_eq!(get(&app, "/api/ubicaciones/cedi_caracas/stock-params", &manager).await.status(), StatusCode::OK);
    let other = get(&app, "/api/ubicaciones/tienda_02/stock-params", &manager).await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    assert_eq!(other.json::<Value>().await.unwrap()["code"], "store_forbidden");
    // Any signed-in role may read it.
    app.add_user("lector", PASSWORD, "visualizador", &[]);
    let viewer = app.token("lector", PASSWORD).await;
    assert_eq!(get(&app, "/api/ubicaciones/tienda_21/stock-params", &viewer).await.status(), StatusCode::OK);
    assert_eq!(app.client.get(app.url("/api/ubicaciones/tienda_01/stock-params")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // Unknown location: 422 naming it.
    let unknown = get(&app, "/api/ubicaciones/tienda_99/stock-params", &admin).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("tienda_99"));

    // The override lookup failing is never a 500: the seed, else the defaults.
    app.state.app_db.lock().unwrap().execute_batch("ALTER TABLE config_parametros_abc_tienda RENAME TO roto").unwrap();
    let r = get(&app, "/api/ubicaciones/tienda_02/stock-params", &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_table(&r.json::<Value>().await.unwrap(), DEFAULTS);
    assert_table(&app.get_json("/api/ubicaciones/tienda_30/stock-params", &admin).await, OVERRIDE);
    let list: Value = app.get_admin("/api/admin/tiendas").await.json().await.unwrap();
    assert_eq!(list["total"], 7, "the admin list survives the failure too: {list}");
}

#[tokio::test]
async fn admin_list_shows_every_location_without_secrets() {
    let Env { app, .. } = env().await;
    // ETL history: two successful inventory loads of tienda_01 and a later failed one; a sales load.
    {
        let conn = app.state.app_db.lock().unwrap();
        let exec = |name: &str, at: &str, status: &str| -> i64 {
            conn.execute(
                "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, started_at, finished_at, status)
                 VALUES (?1, 'scheduled', 'scheduler', ?2, ?2, ?3)",
                rusqlite::params![name, at, status],
            )
            .unwrap();
            conn.last_insert_rowid()
        };
        for (name, store, at, status) in [
            ("inventario", "tienda_01", "2026-11-25T13:30:00Z", "success"),
            ("inventario", "tienda_01", "2026-11-25T14:05:00Z", "success"),
            ("inventario", "tienda_01", "2026-11-25T14:35:00Z", "failed"),
            ("ventas", "tienda_01", "2026-11-25T03:10:00Z", "success"),
        ] {
            let id = exec(name, at, if status == "success" { "success" } else { "partial" });
            conn.execute(
                "INSERT INTO etl_execution_details (execution_id, tienda_id, status, started_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                rusqlite::params![id, store, status, at],
            )
            .unwrap();
        }
    }
    // tienda_02 gets a UI override, tienda_30 keeps its tenant.toml seed.
    let put = app
        .client
        .put(app.url("/api/config-inventario/parametros-abc/tienda/tienda_02"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"lead_time_override": 2.0, "dias_cobertura_a": 10, "dias_cobertura_b": 10, "dias_cobertura_c": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);

    let r = app.get_admin("/api/admin/tiendas").await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    for secret in [STELLAR_PASSWORD, KLK_API_KEY, "stellar_default", common::JWT_HEX] {
        assert!(!text.contains(secret), "the list must not carry {secret}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    let rows = v["ubicaciones"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Grouped by region in tenant.toml order (VALENCIA, CARACAS), stores then CEDIs, by name;
    // inactive locations included.
    assert_eq!(ids, ["tienda_02", "tienda_01", "tienda_40", "tienda_22", "tienda_21", "tienda_30", "cedi_caracas"], "{v}");
    assert_eq!(v["total"], 7);
    assert_eq!(v["regiones"], json!([{"id": "VALENCIA", "nombre": "Valencia"}, {"id": "CARACAS", "nombre": "Caracas"}]));
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();

    let t1 = row("tienda_01");
    assert_eq!(t1["nombre"], "PERIFERICO");
    assert_eq!(t1["tipo"], "tienda");
    assert_eq!(t1["sistema_pos"], "klk");
    assert_eq!(t1["tiene_conector"], true);
    assert_eq!(t1["klk"], json!({"sucursal": "SUC001", "almacen_ventas": "APP-TPF"}));
    assert_eq!(t1["stellar"], Value::Null);
    assert_eq!(
        t1["almacenes"],
        json!([{"codigo": "APP-TPF", "nombre": "PISO DE VENTA", "tipo": "piso_venta", "incluir_en_deficit": true, "activo": true}])
    );
    assert_eq!((t1["hora_apertura"].as_str(), t1["hora_cierre"].as_str()), (Some("07:00"), Some("21:00")));
    assert_eq!(t1["activo"], true);
    assert_eq!(t1["visible_pedidos"], false);
    assert_eq!(t1["visible_reportes"], true);
    // UTC 14:05 is 10:05 in Caracas; the failed load after it does not count.
    assert_eq!(t1["ultima_carga_inventario"], "2026-11-25T10:05:00");
    assert_eq!(t1["ultima_carga_ventas"], "2026-11-24T23:10:00");
    assert_eq!(t1["parametros_stock"]["fuente"], "por defecto");
    assert_eq!(t1["parametros_stock"]["lead_time_dias"], 1.5);
    assert_eq!(t1["parametros_stock"]["cobertura_dias"], json!({"a": 7.0, "b": 14.0, "c": 21.0, "d": 30.0}));
    assert_table(&t1["parametros_stock"], DEFAULTS);

    assert_eq!(row("tienda_02")["parametros_stock"]["fuente"], "ajuste");
    assert_table(&row("tienda_02")["parametros_stock"], OVERRIDE);
    let t30 = row("tienda_30");
    assert_eq!(t30["parametros_stock"]["fuente"], "tenant.toml");
    assert_table(&t30["parametros_stock"], OVERRIDE);
    assert_eq!(t30["tiene_conector"], false);
    assert_eq!(t30["ultima_carga_inventario"], Value::Null);

    let t21 = row("tienda_21");
    assert_eq!(t21["stellar"]["base_datos"], "VAD20");
    assert_eq!(t21["stellar"]["codigo_deposito"], "2102");
    assert!(t21["stellar"]["servidor"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert_eq!(t21["fecha_go_live"], "2026-01-15");
    assert_eq!((t21["hora_apertura"].as_str(), t21["hora_cierre"].as_str()), (Some("08:00"), Some("20:00")));
    assert_eq!(t21["almacenes"][0]["incluir_en_deficit"], false);
    // The default database of [pos.stellar] when the store names none.
    assert_eq!(row("tienda_22")["stellar"]["base_datos"], "VAD10");
    assert_eq!(row("tienda_40")["activo"], false);
    let cedi = row("cedi_caracas");
    assert_eq!(cedi["tipo"], "cedi");
    assert_eq!(cedi["sirve_regiones"], json!(["CARACAS"]));
    assert_eq!(cedi["visible_pedidos"], true);
    assert_eq!((cedi["hora_apertura"].as_str(), cedi["hora_cierre"].as_str()), (Some("06:00"), Some("22:00")));

    // Administrators only.
    app.add_user("gerente.general", PASSWORD, "gerente_general", &[]);
    let gg = app.token("gerente.general", PASSWORD).await;
    let denied = get(&app, "/api/admin/tiendas", &gg).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(denied.json::<Value>().await.unwrap()["code"], "forbidden");
    assert_eq!(probe(&app, "tienda_01", &gg).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn probe_live_sources_closed_ports_and_refusals() {
    let Env { app, klk, .. } = env().await;
    let admin = app.admin_token.clone();

    // KLK answering and listing the store's warehouse.
    let r = probe(&app, "tienda_01", &admin).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ubicacion_id"], "tienda_01");
    assert_eq!(v["accesible"], true, "{v}");
    assert!(v["tiempo_respuesta_ms"].is_u64(), "{v}");
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v.as_object().unwrap().len(), 4);
    // One store probed: its branch's listing only.
    let branches: Vec<Value> = klk.state.requests_to("/maestra/almacenes/Reposicion");
    assert_eq!(branches, [json!({"sucursal": "SUC001"})]);

    // The CEDI (no branch) finds its warehouse in the shared listing.
    assert_eq!(probe(&app, "cedi_caracas", &admin).await.json::<Value>().await.unwrap()["accesible"], true);

    // KLK down: not accessible, the error says why.
    klk.state.fault("pisoventa", Fault::Status(503));
    let v: Value = probe(&app, "tienda_02", &admin).await.json().await.unwrap();
    assert_eq!(v["accesible"], false);
    assert!(v["error"].as_str().unwrap().contains("503"), "{v}");
    klk.state.clear_fault("pisoventa");

    // Stellar on a live TDS server: connect, login, SELECT 1.
    let v: Value = probe(&app, "tienda_21", &admin).await.json().await.unwrap();
    assert_eq!(v["accesible"], true, "{v}");
    assert!(v["tiempo_respuesta_ms"].is_u64());

    // Stellar on a closed port: refused is not reachable.
    let v: Value = probe(&app, "tienda_22", &admin).await.json().await.unwrap();
    assert_eq!(v["accesible"], false, "{v}");
    assert_eq!(v["tiempo_respuesta_ms"], Value::Null);
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("no se pudo conectar") && error.contains("127.0.0.1:"), "{error}");

    // No POS connector, unknown location: 422 in Spanish.
    let none = probe(&app, "tienda_30", &admin).await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["code"], "sin_conector_pos");
    assert!(body["detail"].as_str().unwrap().contains("no tiene conector de POS"), "{body}");
    let unknown = probe(&app, "tienda_99", &admin).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["code"], "ubicacion_desconocida");
    assert!(body["detail"].as_str().unwrap().contains("tienda_99"));

    // Every probe is in the audit log, with its outcome.
    let conn = app.state.app_db.lock().unwrap();
    let audited: Vec<(String, String, String)> = conn
        .prepare("SELECT usuario, entidad_id, detalle FROM audit_log WHERE accion = 'probar_conexion' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let ids: Vec<&str> = audited.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(ids, ["tienda_01", "cedi_caracas", "tienda_02", "tienda_21", "tienda_22"]);
    assert!(audited.iter().all(|a| a.0 == common::ADMIN));
    let last: Value = serde_json::from_str(&audited[4].2).unwrap();
    assert_eq!((last["sistema"].as_str(), last["accesible"].as_bool()), (Some("stellar"), Some(false)));
}
