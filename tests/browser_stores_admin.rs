//! *Administrador → Tiendas* in a real headless Chromium: an administrator opens the screen
//! from the admin panel, reads the locations grouped by region, opens one location's
//! warehouses and stock parameters, and probes a KLK store against a live stand-in API and a
//! Stellar store on a closed port. Screenshot: tests/artifacts/tiendas-admin.png.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;
#[path = "etl_support/mod.rs"]
mod support;

use base64::Engine;
use common::browser::{artifacts_dir, Browser};
use serde_json::json;
use support::{klk_tenant_toml, spawn_klk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_reads_the_stores_and_probes_their_connections() {
    let klk = spawn_klk().await;
    *klk.state.pisoventa.lock().unwrap() = vec![
        json!({"NombreSucursal": "PERIFERICO", "CodigoSucursal": "SUC001", "CodigoAlmacen": "APP-TPF", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "AV. BOLIVAR", "CodigoSucursal": "SUC007", "CodigoAlmacen": "TAVBOL", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "MAÑONGO", "CodigoSucursal": "SUC008", "CodigoAlmacen": "TTMAN", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "CEDI", "CodigoSucursal": "CEDI", "CodigoAlmacen": "PCDICS", "NombreAlmacen": "PRINCIPAL"}),
    ];
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let secrets = tempfile::tempdir().unwrap();
    let secrets_path = secrets.path().join("secrets.toml");
    common::write_private(
        &secrets_path,
        &format!(
            "[auth]\njwt_secret = \"{}\"\n\n[stellar_credentials.stellar_default]\nusername = \"fluxion_ro\"\npassword = \"x-secreta\"\n",
            common::JWT_HEX
        ),
    );
    let extra = format!(
        "\n[[stores]]\nid = \"tienda_21\"\nname = \"LOS GUAYOS\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\ncity = \"Valencia\"\npos = \"stellar\"\n\
         go_live = \"2026-01-15\"\n\n  [stores.stellar]\n  host = \"127.0.0.1\"\n  port = {closed}\n  database = \"VAD20\"\n  \
         codigo_deposito = \"2102\"\n  timeout_seconds = 2\n\n\
         [[stores]]\nid = \"tienda_30\"\nname = \"LA CASTELLANA\"\nkind = \"tienda\"\nregion = \"CARACAS\"\ncity = \"Caracas\"\npos = \"none\"\n\
         opening = \"08:00\"\nclosing = \"22:00\"\n\n  [stores.params]\n  lead_time_days = 2.0\n  cobertura_dias = {{ a = 10, b = 10, c = 10 }}\n\n  \
         [[stores.almacenes]]\n  codigo = \"T30-PV\"\n  nombre = \"PISO DE VENTA\"\n  tipo = \"piso_venta\"\n\n\
         [[stores]]\nid = \"tienda_40\"\nname = \"NAGUANAGUA\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\npos = \"none\"\nactive = false\n\n\
         [pos.stellar]\ncredentials = \"stellar_default\"\n\n[paths]\nsecrets_file = \"{}\"\n",
        secrets_path.display()
    );
    let toml = klk_tenant_toml(&klk.base_url(), 3, &extra);
    let app = common::spawn_app_with(false, move |_| toml).await;
    // A recent inventory load of tienda_01.
    {
        let conn = app.state.app_db.lock().unwrap();
        conn.execute(
            "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, started_at, finished_at, status)
             VALUES ('inventario', 'scheduled', 'scheduler', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-12 minutes'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-12 minutes'), 'success')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO etl_execution_details (execution_id, tienda_id, status, started_at, finished_at)
             SELECT id, 'tienda_01', 'success', started_at, finished_at FROM etl_executions",
            [],
        )
        .unwrap();
    }

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.click("a[data-shortcut=tiendas]").await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=stores] tr[data-ubicacion=tienda_01]')").await;
    assert_eq!(b.eval("location.pathname").await, json!("/administrador/tiendas"));
    assert_eq!(b.eval("document.querySelector('h1').textContent").await, json!("Tiendas"));
    assert!(b.eval("document.querySelector('[data-role=ops-note]').textContent").await.as_str().unwrap().contains("tenant.toml"));
    // Grouped by region in tenant.toml order, every location (inactive ones too).
    let groups = b.eval("[...document.querySelectorAll('tr.group-row')].map((r) => r.dataset.region)").await;
    assert_eq!(groups, json!(["VALENCIA", "CARACAS"]));
    let rows = b.eval("document.querySelectorAll('[data-role=stores] tr[data-ubicacion]').length").await;
    assert_eq!(rows, json!(7));
    let load = b.eval("document.querySelector('tr[data-ubicacion=tienda_01] [data-load=inventario]').textContent").await;
    assert!(load.as_str().unwrap().contains("hace 12 min"), "{load}");

    // The seeded store's warehouses and stock parameters.
    b.click("[data-toggle=tienda_30]").await;
    b.wait_for("document.querySelector('[data-detail=tienda_30] [data-role=stock-params]')").await;
    let row_a = b.eval("[...document.querySelectorAll('[data-detail=tienda_30] [data-role=stock-params] tr[data-clase=AB] td')].map((c) => c.textContent)").await;
    assert_eq!(row_a, json!(["2,0", "7,0", "12,0"]), "seg, min, max of AB");
    assert_eq!(b.eval("document.querySelector('[data-detail=tienda_30] [data-fuente]').dataset.fuente").await, json!("tenant.toml"));

    // A KLK store answering.
    b.click("[data-probe=tienda_01]").await;
    b.wait_for("document.querySelector('[data-probe-cell=tienda_01] [data-result]')").await;
    let ok = b.eval("document.querySelector('[data-probe-cell=tienda_01] [data-result]').textContent").await;
    assert!(ok.as_str().unwrap().starts_with("✓ Accesible") && ok.as_str().unwrap().ends_with(" ms"), "{ok}");

    // Every active location with a connector, one after the other: the closed Stellar port fails.
    b.click("[data-action=probe-all]").await;
    b.wait_for("document.querySelector('[data-summary=conectadas]')").await;
    let summary = b.eval("document.querySelector('[data-role=probe-summary]').textContent").await;
    assert_eq!(summary.as_str().unwrap().split_whitespace().collect::<Vec<_>>().join(" "), "4 / 5 conectadas (80,0 %)");
    let fail = b.eval("document.querySelector('[data-probe-cell=tienda_21] [data-result=error]').textContent").await;
    assert!(fail.as_str().unwrap().contains("no se pudo conectar"), "{fail}");
    b.click("[data-toggle=tienda_01]").await;
    b.wait_for("document.querySelector('[data-detail=tienda_01] [data-role=almacenes]')").await;
    // The whole page, the opened detail below the fold included.
    let shot = b.call("Page.captureScreenshot", json!({"format": "png", "captureBeyondViewport": true})).await;
    let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
    std::fs::write(artifacts_dir().join("tiendas-admin.png"), png).unwrap();
    drop(secrets);
}
