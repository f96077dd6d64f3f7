//! The UI in a real headless Chromium (driven over the DevTools protocol): tenant branding,
//! the login flow, the network summary with data, the locale's number format.
//! Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::{end_date, set_key, spawn_app_with, with_branding, ADMIN, ADMIN_PASSWORD};
use serde_json::json;

/// 12345.678 → "12.345,68" (formatNumber with 2 decimals, es-VE).
fn es_ve(v: f64) -> String {
    let s = format!("{:.2}", v);
    let (int, dec) = s.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{grouped},{dec}")
}

async fn cell(b: &mut Browser, id: &str, campo: &str) -> Option<f64> {
    let js = format!(
        "(() => {{ const td = document.querySelector('tr[data-ubicacion=\"{id}\"] td[data-campo=\"{campo}\"]'); \
           return td ? Number(td.dataset.valor) : null; }})()"
    );
    b.eval(&js).await.as_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_summary_screen_shows_the_data_with_tenant_branding() {
    let app = spawn_app_with(true, |t| with_branding(&set_key(&t, "display_name", "\"Mercados La Prueba\""), "#7c3aed")).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url(&format!("/inventarios?hasta={}", end_date()))).await;
    b.wait_ready().await;
    b.screenshot(&artifacts_dir().join("resumen-red.png")).await;

    assert_eq!(b.eval("document.title").await, json!("Fluxion · Mercados La Prueba"));
    assert_eq!(b.eval("document.querySelector('h1').textContent.trim()").await, json!("Resumen de red"));
    let primary = b.eval("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()").await;
    assert_eq!(primary, json!("#7c3aed"), "branding colour applied");
    assert!(b.html().await.contains("Mercados La Prueba"), "tenant name in the header");

    // Below, the regional health: one tab per region, a row per location, almacenes on demand.
    b.wait_for("document.querySelector('[data-role=health-table] tbody tr')").await;
    let tabs = b.eval("[...document.querySelectorAll('[data-role=health-regions] [data-region]')].map((t) => t.dataset.region)").await;
    assert_eq!(tabs, json!(["VALENCIA", "CARACAS"]));
    let fill = b.eval("document.querySelector('[data-role=health-table] tbody tr[data-loc=tienda_01] td:nth-child(6)').textContent").await;
    let health: serde_json::Value = app.get_admin("/api/ubicaciones/summary-regional").await.json().await.unwrap();
    let t1 = health["regiones"][0]["ubicaciones"].as_array().unwrap().iter().find(|u| u["ubicacion_id"] == "tienda_01").unwrap().clone();
    assert!(fill.as_str().unwrap().starts_with(&format!("{:.1}", t1["fill_rate"].as_f64().unwrap()).replace('.', ",")), "{fill} vs {t1}");
    b.click("[data-toggle=tienda_01]").await;
    b.wait_for("document.querySelector('[data-role=health-table] tr.sub-row')").await;
    b.eval("document.querySelector('[data-role=health]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("inventarios-salud-regional.png")).await;
    b.click("[data-role=health-regions] [data-region=CARACAS]").await;
    b.wait_for("document.querySelector('[data-role=health-table] tbody tr[data-loc=tienda_02]')").await;

    // The figures on screen are the server's figures.
    let api: serde_json::Value = app.get_admin(&format!("/api/resumen-red?hasta={}", end_date())).await.json().await.unwrap();
    for loc in api["ubicaciones"].as_array().unwrap() {
        let id = loc["id"].as_str().unwrap();
        let stock = cell(&mut b, id, "valor_stock_costo_usd").await.expect("stock value cell");
        assert!((stock - loc["valor_stock_costo_usd"].as_f64().unwrap()).abs() < 0.01, "{id} stock value");
        if loc["tipo"] == "tienda" {
            let ventas = cell(&mut b, id, "ventas_usd").await.expect("sales cell");
            assert!((ventas - loc["ventas_usd"].as_f64().unwrap()).abs() < 0.01, "{id} sales");
            assert_eq!(cell(&mut b, id, "tickets").await.unwrap() as i64, loc["tickets"].as_i64().unwrap(), "{id} tickets");
        }
    }
    // Numbers read like numbers in es-VE: thousands with '.', decimals with ','.
    let total_sales = api["totales"]["ventas_usd"].as_f64().unwrap();
    assert!(total_sales > 1000.0);
    let body_text = b.eval("document.body.innerText").await;
    assert!(body_text.as_str().unwrap().contains(&es_ve(total_sales)), "total shown as {}", es_ve(total_sales));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_screen_then_landing_then_logout() {
    let app = spawn_app_with(true, |t| t).await;
    let mut b = Browser::launch().await;
    b.goto(&app.url("/inventarios")).await;
    b.wait_ready().await;
    assert_eq!(b.eval("document.body.dataset.screen").await, json!("login"), "no session → login");
    let page = b.html().await;
    assert!(page.contains("Usuario") && page.contains("Contraseña"));
    assert!(!page.contains(ADMIN_PASSWORD), "no credentials are ever printed");

    // A wrong password: Spanish error, still on the login screen.
    b.fill("input[name=username]", ADMIN).await;
    b.fill("input[name=password]", "equivocada-123").await;
    b.click("button[type=submit]").await;
    b.wait_for("!document.querySelector('.banner-error').hidden").await;
    let banner = b.eval("document.querySelector('.banner-error').textContent").await;
    assert_eq!(banner, json!("Usuario o contraseña incorrectos"));
    b.screenshot(&artifacts_dir().join("login-error.png")).await;

    b.fill("input[name=password]", ADMIN_PASSWORD).await;
    b.click("button[type=submit]").await;
    b.wait_for("document.body.dataset.screen === 'app' && document.body.dataset.state === 'ready'").await;
    assert_eq!(b.eval("location.pathname").await, json!("/inventarios"), "back to the requested page");
    assert!(b.html().await.contains("Resumen de red"));
    b.screenshot(&artifacts_dir().join("tras-login.png")).await;

    b.click("[data-action=logout]").await;
    b.wait_for("document.body.dataset.screen === 'login'").await;
    // The cookie is gone: the API refuses the browser now.
    let status = b.eval("fetch('/api/auth/me').then(r => r.status)").await;
    assert_eq!(status, json!(401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_sees_only_the_navigation_of_its_role() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("mirada", "clave-de-vista-1", "visualizador", &[]);
    let token = app.token("mirada", "clave-de-vista-1").await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &token).await;
    b.goto(&app.url("/")).await;
    b.wait_ready().await;
    assert_eq!(b.eval("location.pathname").await, json!("/inventarios"), "a viewer lands on a screen it may open");
    let nav = b.eval("[...document.querySelectorAll('a[data-nav]')].map(a => a.dataset.nav)").await;
    let nav: Vec<String> = serde_json::from_value(nav).unwrap();
    assert!(!nav.contains(&"pedidos".to_string()), "{nav:?}");
    assert!(!nav.contains(&"bi".to_string()), "{nav:?}");
    assert!(!nav.contains(&"administrador".to_string()), "{nav:?}");
    assert!(nav.contains(&"inventarios".to_string()), "{nav:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_rules_pass_in_the_browser() {
    let app = spawn_app_with(false, |t| t).await;
    let mut b = Browser::launch().await;
    b.goto(&app.url("/selftest.html")).await;
    b.wait_ready().await;
    let failures = b.eval("document.getElementById('resultado').dataset.fallos").await;
    assert_eq!(failures, json!("0"), "{}", b.eval("document.getElementById('resultado').textContent").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_tenant_shows_the_empty_state() {
    let app = spawn_app_with(false, |t| t).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/inventarios")).await;
    b.wait_ready().await;
    b.screenshot(&artifacts_dir().join("resumen-vacio.png")).await;
    assert!(b.html().await.contains("Aún no hay datos"), "empty state explains what to do");
}
