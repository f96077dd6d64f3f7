//! *Emergencias de inventario* in a real headless Chromium (spec 40 §4.8, 50 §9.2): the
//! dashboard with each store's counts and last scan, "Escanear ahora", the type filter, the
//! product detail with the day's curves and the projected stock line in SVG, the settings
//! panel (edit refused out of order, in Spanish), a viewer without admin actions, and the nav
//! entry gone when the feature is off. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app, spawn_app_with};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emergencies_dashboard_and_a_products_day() {
    let app = spawn_app(true).await;
    for store in ["tienda_01", "tienda_02"] {
        let r = app
            .client
            .post(app.url(&format!("/api/emergencias/config/tiendas/{store}/habilitar")))
            .bearer_auth(&app.admin_token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    app.state.emergency_clock.fix(Some(end_date().and_hms_opt(10, 30, 0).unwrap()));
    let scan: Value = app
        .client
        .post(app.url("/api/emergencias/scan"))
        .bearer_auth(&app.admin_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = scan["emergencias"].as_array().unwrap().len();
    assert!(total > 0);

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/emergencias")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=emergencies] tbody tr').length > 0").await;
    assert_eq!(b.eval("document.querySelector('#nav-main [data-nav=emergencias]').getAttribute('aria-current')").await, json!("page"));
    assert_eq!(b.eval("document.querySelectorAll('[data-role=emergencies] tbody tr').length").await, json!(total));
    // Each store's row: its counts per type as the scan gave them, and the time of its scan.
    let rows = b.eval("[...document.querySelectorAll('[data-role=store-summary] tbody tr')].map(r => [r.dataset.store, r.cells[6].textContent.trim(), r.cells[2].textContent.trim()])").await;
    for (i, s) in scan["resumen_tiendas"].as_array().unwrap().iter().enumerate() {
        assert_eq!(rows[i][0], s["ubicacion_id"]);
        assert_eq!(rows[i][1], json!(s["emergencias"]["stockout"].as_u64().unwrap().to_string()));
        assert_eq!(rows[i][2], json!("25/11 10:30"), "the local time the scan evaluated");
    }
    let cards = b.eval("document.querySelector('[data-role=cards]').textContent").await;
    assert!(!cards.as_str().unwrap().contains(','), "four cards and nothing else: {cards}");
    b.screenshot(&artifacts_dir().join("emergencias-tablero.png")).await;

    // The CRITICO card filters the list.
    b.click("[data-role=cards] [data-type=CRITICO]").await;
    let criticos = scan["emergencias"].as_array().unwrap().iter().filter(|e| e["tipo"] == "CRITICO").count();
    let shown = b.eval("document.querySelectorAll('[data-role=emergencies] tbody tr').length").await;
    if criticos > 0 {
        assert_eq!(shown, json!(criticos));
        assert_eq!(
            b.eval("[...document.querySelectorAll('[data-role=emergencies] tbody .badge')].every(x => x.textContent === 'Crítico')").await,
            json!(true)
        );
    }
    b.click("[data-role=cards] [data-type=CRITICO]").await;

    // The detail: figures, the cumulative curves with "Ahora" and the stock line.
    b.click("[data-role=emergencies] [data-detail='0']").await;
    b.wait_for("document.querySelector('dialog.emg-detail [data-role=cumulative-chart]')").await;
    assert_eq!(b.eval("document.querySelectorAll('dialog.emg-detail [data-role=cumulative-chart] path').length >= 4").await, json!(true));
    assert_eq!(b.eval("!!document.querySelector('dialog.emg-detail .emg-now')").await, json!(true));
    let height = b.eval("document.querySelector('dialog.emg-detail [data-role=cumulative-chart]').getBoundingClientRect().height").await;
    assert!(height.as_f64().unwrap() > 150.0, "the curves are drawn at full size: {height}");
    assert_eq!(b.eval("!!document.querySelector('dialog.emg-detail [data-role=hourly-chart] path.stock-line')").await, json!(true));
    assert_eq!(
        b.eval("document.querySelectorAll('dialog.emg-detail [data-role=hourly-chart] rect').length").await,
        json!(if scan["emergencias"][0]["ubicacion_id"] == "tienda_01" { 14 } else { 16 }),
        "one bar per opening hour (07–21 h, 08–24 h)"
    );
    assert_eq!(b.eval("!!document.querySelector('dialog.emg-detail [data-role=recommendation]')").await, json!(true));
    b.screenshot(&artifacts_dir().join("emergencias-detalle.png")).await;
    b.eval("document.querySelector('dialog.emg-detail [data-action=close]').click()").await;
    b.wait_for("!document.querySelector('dialog.emg-detail')").await;

    // "Escanear ahora" runs a scan and redraws.
    b.click("[data-role=scan]").await;
    b.wait_for("document.querySelector('[data-role=notice]').textContent.includes('Escaneo terminado')").await;
    let scans: i64 = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row("SELECT count(*) FROM emergencias_scans WHERE disparado_por = 'MANUAL'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(scans, 1);

    // Settings: thresholds out of order are refused next to the field, in Spanish.
    b.click("[data-role=config] [data-edit=tienda_01]").await;
    b.wait_for("document.querySelector('dialog.modal input[name=umbral_critico]')").await;
    b.fill("dialog.modal input[name=umbral_critico]", "60").await;
    b.fill("dialog.modal input[name=umbral_inminente]", "50").await;
    b.click("dialog.modal button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-error-for=umbral_inminente]').hidden").await;
    let msg = b.eval("document.querySelector('[data-error-for=umbral_inminente]').textContent").await;
    assert_eq!(msg, json!("El umbral inminente (50 %) debe ser mayor que el crítico (60 %)"));
    b.screenshot(&artifacts_dir().join("emergencias-configurar.png")).await;

    // A viewer scans but sees no settings actions.
    app.add_user("mirador", "clave-de-prueba-5", "visualizador", &[]);
    let viewer = app.token("mirador", "clave-de-prueba-5").await;
    let mut v = Browser::launch().await;
    v.set_cookie(&app.url("/"), "fluxion_session", &viewer).await;
    v.goto(&app.url("/emergencias")).await;
    v.wait_ready().await;
    v.wait_for("document.querySelector('[data-role=config-table]')").await;
    assert_eq!(v.eval("document.querySelectorAll('[data-edit], [data-toggle]').length").await, json!(0));
    assert_eq!(v.eval("!!document.querySelector('[data-role=scan]')").await, json!(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_feature_off_the_nav_has_no_emergencias() {
    let app = spawn_app_with(false, |t| t.replace("[features]\n", "[features]\nemergencias = false\n")).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/inventarios")).await;
    b.wait_ready().await;
    let nav: Vec<String> =
        serde_json::from_value(b.eval("[...document.querySelectorAll('#nav-main a')].map(a => a.dataset.nav)").await).unwrap();
    assert!(!nav.contains(&"emergencias".to_string()), "{nav:?}");
    assert!(nav.contains(&"inventarios".to_string()));
    b.goto(&app.url("/emergencias")).await;
    b.wait_ready().await;
    assert_eq!(b.eval("!!document.querySelector('[data-role=emergencies], [data-role=scan]')").await, json!(false));
}
