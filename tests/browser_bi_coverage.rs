//! *Cobertura* and *Impacto Fluxion* (spec 40 §3.7, §3.8) in a real headless Chromium on the
//! `tiny` chain with two more Valencia stores (one of them missing a few products the others
//! sell): the cards, tables and badges as the API gives them, the region filter, the empty
//! impact, and a store activated from the dialog. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app_with};
use serde_json::json;

fn text_number(v: &serde_json::Value) -> String {
    v.as_str().unwrap().chars().filter(|c| c.is_ascii_digit()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_and_impact_tabs_show_the_apis_figures_and_activate_a_store() {
    let app = spawn_app_with(true, common::with_two_more_valencia_stores).await;
    // tienda_03 never carried the 8 best sellers of tienda_01.
    app.state
        .warehouse
        .write(|c| {
            let pick = "(SELECT producto_codigo FROM ventas_diarias WHERE ubicacion_id = 'tienda_01' GROUP BY 1 ORDER BY sum(venta_total) DESC, 1 LIMIT 8)";
            for t in ["inventario_actual", "ventas", "ventas_diarias"] {
                c.execute(&format!("DELETE FROM {t} WHERE ubicacion_id = 'tienda_03' AND producto_codigo IN {pick}"), [])?;
            }
            Ok::<_, duckdb::Error>(())
        })
        .unwrap();
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;

    b.goto(&app.url("/bi?tab=cobertura")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-kpi=skus]') !== null").await;
    let s = app.get_json("/api/bi/coverage/summary", &app.admin_token).await;
    assert_eq!(text_number(&b.eval("document.querySelector('[data-kpi=skus]').textContent").await), s["total_skus"].to_string());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=coverage-regions] tbody tr').length").await, json!(2));
    let low = app.get_json("/api/bi/coverage/low-coverage-products?limite=50", &app.admin_token).await;
    assert_eq!(
        b.eval("document.querySelectorAll('[data-role=low-table] tbody tr').length").await,
        json!(low["productos"].as_array().unwrap().len())
    );
    assert!(b.eval("document.querySelectorAll('[data-role=low-table] .cov-fill').length > 0").await.as_bool().unwrap());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=catalogue-table] tbody tr').length").await, json!(4));
    b.screenshot(&artifacts_dir().join("bi-cobertura.png")).await;

    // Valencia only: its gaps (tienda_03's missing products) with their priority badges.
    b.eval("(() => { const s = document.querySelector('select[name=region]'); s.value = 'VALENCIA'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("document.querySelector('[data-role=coverage-period]') && document.querySelector('[data-role=coverage-period]').textContent.includes('VALENCIA') && document.querySelector('[data-role=gaps-table]') !== null").await;
    let g = app.get_json("/api/bi/coverage/store-gaps?region=VALENCIA&limite=100", &app.admin_token).await;
    let gaps = g["oportunidades"].as_array().unwrap();
    assert!(gaps.len() >= 8, "the carved gaps: {}", gaps.len());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=gaps-table] tbody tr').length").await, json!(gaps.len()));
    assert_eq!(b.eval("document.querySelector('[data-role=gaps-table] tbody tr .badge').textContent").await, gaps[0]["prioridad"]);
    b.eval("document.querySelector('[data-role=trapped-table], [data-role=gaps-table]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-cobertura-atrapado.png")).await;
    b.eval("document.querySelector('[data-role=gaps-table]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-cobertura-oportunidades.png")).await;

    // Impacto Fluxion: empty, then tienda_01 activated from the dialog.
    b.click("[data-tab=impacto]").await;
    b.wait_for("document.querySelector('[data-kpi=tiendas]') !== null").await;
    assert!(b.eval("document.body.textContent.includes('No hay tiendas activas con Fluxion aún')").await.as_bool().unwrap());
    b.screenshot(&artifacts_dir().join("bi-impacto-vacio.png")).await;
    b.click("[data-role=activate]").await;
    b.wait_for("document.querySelector('dialog[open] select[name=ubicacion_id]') !== null").await;
    b.eval(&format!(
        "(() => {{ const f = document.querySelector('dialog[open] form'); f.ubicacion_id.value = 'tienda_01'; f.fecha_activacion.value = '{}'; }})()",
        end_date()
    ))
    .await;
    b.screenshot(&artifacts_dir().join("bi-impacto-dialogo.png")).await;
    b.click("dialog[open] button[type=submit]").await;
    b.wait_for("document.querySelectorAll('[data-role=impact-stores] tbody tr').length === 1").await;
    let by = app.get_json("/api/bi/impact/by-store", &app.admin_token).await;
    let t = &by["tiendas"][0];
    assert_eq!(t["ubicacion_id"], "tienda_01");
    let row = b.eval("document.querySelector('[data-role=impact-stores] tbody tr').textContent").await;
    let money = |v: f64| {
        let s = format!("{:.2}", v.abs());
        let (int, dec) = s.split_once('.').unwrap();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(c);
        }
        format!("{grouped},{dec}")
    };
    for field in ["stock_baseline", "stock_actual", "capital_liberado"] {
        assert!(row.as_str().unwrap().contains(&money(t[field].as_f64().unwrap())), "{field} {t} in {row}");
    }
    assert_eq!(b.eval("document.querySelectorAll('[data-role=impact-stores] [data-band]').length").await, json!(2));
    assert!(b.eval("document.querySelector('[data-role=flash]').textContent").await.as_str().unwrap().contains("activada"));
    b.screenshot(&artifacts_dir().join("bi-impacto.png")).await;
}
