//! The UI in a real headless Chromium: tenant branding applied, the network summary with
//! data, the formatting rules of the tenant's locale. Screenshots go to tests/artifacts/.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{end_date, set_key, spawn_app_with, with_branding};

fn chromium() -> String {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(candidate).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return candidate.to_string();
        }
    }
    panic!("no Chromium found: install Debian's `chromium` (the CI script does)");
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `url` with `extra` arguments; returns stdout.
fn headless(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1440,900",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text of the first element matching `<td … data-campo="campo" data-valor="…">` in a row.
fn cell_value(row_html: &str, campo: &str) -> Option<f64> {
    let marker = format!("data-campo=\"{campo}\"");
    let at = row_html.find(&marker)?;
    let tail = &row_html[at..];
    let v = tail.find("data-valor=\"")? + "data-valor=\"".len();
    tail[v..].split('"').next()?.parse().ok()
}

fn row_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom.find(&format!("data-ubicacion=\"{id}\"")).unwrap_or_else(|| panic!("row {id} missing"));
    let end = dom[start..].find("</tr>").map(|e| start + e).unwrap_or(dom.len());
    &dom[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_summary_screen_shows_the_data_with_tenant_branding() {
    let app = spawn_app_with(true, |t| {
        with_branding(&set_key(&t, "display_name", "\"Mercados La Prueba\""), "#7c3aed")
    })
    .await;
    let url = app.url(&format!("/inventarios?hasta={}", end_date()));
    let shot = artifacts().join("resumen-red.png");
    let (dom, _) = tokio::task::spawn_blocking({
        let url = url.clone();
        let shot = shot.clone();
        move || {
            let dom = headless(&url, &["--dump-dom"]);
            let screenshot_arg = format!("--screenshot={}", shot.display());
            let _ = std::fs::remove_file(&shot);
            headless(&url, &[&screenshot_arg]);
            (dom, ())
        }
    })
    .await
    .unwrap();

    assert!(dom.contains("data-state=\"ready\""), "the screen settled: {}", &dom[..dom.len().min(2000)]);
    assert!(dom.contains("Resumen de red"), "heading present");
    assert!(dom.contains("Mercados La Prueba"), "tenant name in the header");
    assert!(dom.contains("Mercados La Prueba") && dom.contains("<title>Fluxion · Mercados La Prueba</title>"));
    assert!(dom.contains("--primary: #7c3aed") || dom.contains("--primary:#7c3aed"), "branding colour applied");

    // The figures on screen are the server's figures.
    let api: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/resumen-red?hasta={}", end_date())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for loc in api["ubicaciones"].as_array().unwrap() {
        let id = loc["id"].as_str().unwrap();
        let row = row_of(&dom, id);
        let shown = cell_value(row, "valor_stock_costo_usd").expect("stock value cell");
        assert!((shown - loc["valor_stock_costo_usd"].as_f64().unwrap()).abs() < 0.01, "{id} stock value");
        if loc["tipo"] == "tienda" {
            let ventas = cell_value(row, "ventas_usd").expect("sales cell");
            assert!((ventas - loc["ventas_usd"].as_f64().unwrap()).abs() < 0.01, "{id} sales");
            assert_eq!(cell_value(row, "tickets").unwrap() as i64, loc["tickets"].as_i64().unwrap(), "{id} tickets");
        }
    }
    // Numbers read like numbers in es-VE: thousands with '.', decimals with ','.
    let total_sales = api["totales"]["ventas_usd"].as_f64().unwrap();
    assert!(total_sales > 1000.0);
    assert!(dom.contains(&es_ve(total_sales)), "total {} shown as {}", total_sales, es_ve(total_sales));

    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.len() > 10_000 && png.starts_with(b"\x89PNG"), "a real screenshot");
}

/// 12345.678 → "12.345,68" (the spec's formatNumber with 2 decimals).
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_rules_pass_in_the_browser() {
    let app = spawn_app_with(false, |t| t).await;
    let url = app.url("/selftest.html");
    let dom = tokio::task::spawn_blocking(move || headless(&url, &["--dump-dom"])).await.unwrap();
    assert!(dom.contains("data-fallos=\"0\""), "format self-test failures: {dom}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_tenant_shows_the_empty_state() {
    let app = spawn_app_with(false, |t| t).await;
    let url = app.url("/inventarios");
    let shot = artifacts().join("resumen-vacio.png");
    let dom = tokio::task::spawn_blocking(move || {
        let dom = headless(&url, &["--dump-dom"]);
        headless(&url, &[&format!("--screenshot={}", shot.display())]);
        dom
    })
    .await
    .unwrap();
    assert!(dom.contains("data-state=\"ready\""));
    assert!(dom.contains("Aún no hay datos"), "empty state explains what to do");
}
