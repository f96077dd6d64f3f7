//! The *Dashboard de Red* in a real headless Chromium (spec 40 §3.1): the default period (the
//! 30 days ending two days before today), the KPI cards with their variations as the API
//! gives them, the region filter narrowing the store bars. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_dashboard_shows_the_apis_kpis_and_filters_by_region() {
    let app = spawn_app(true).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/bi")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-kpi=tickets]') !== null").await;
    // The default preset: the 30 days ending two days before today (tenant time zone).
    let today = app.state.tenant.today();
    let (desde, hasta) = (today - Duration::days(31), today - Duration::days(2));
    assert_eq!(b.eval("document.querySelector('input[name=desde]').value").await, json!(desde.to_string()));
    assert_eq!(b.eval("document.querySelector('input[name=hasta]').value").await, json!(hasta.to_string()));
    let k = app.get_json(&format!("/api/bi/stores/network/kpis?fecha_inicio={desde}&fecha_fin={hasta}"), &app.admin_token).await;
    let tickets = k["periodo_actual"]["tickets"].as_i64().unwrap();
    assert!(tickets > 0, "the tiny chain sold in that window");
    let shown = b.eval("document.querySelector('[data-kpi=tickets]').textContent").await;
    assert_eq!(shown.as_str().unwrap().replace('.', ""), tickets.to_string());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=stores] [data-store]').length").await, json!(2));
    assert_eq!(b.eval("document.querySelectorAll('[data-delta]').length").await, json!(4));
    b.screenshot(&artifacts_dir().join("bi-dashboard-red.png")).await;
    // One region: one store's bar.
    b.eval("(() => { const s = document.querySelector('select[name=region]'); s.value = 'CARACAS'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("document.querySelectorAll('[data-role=stores] [data-store]').length === 1").await;
    assert!(b.eval("document.querySelector('[data-role=periods]').textContent").await.as_str().unwrap().contains("CARACAS"));

    // Detalle de Tienda: the store's KPIs, its ticket buckets and its peak hour.
    b.click("[data-tab=tienda]").await;
    b.wait_for(
        "document.querySelector('[data-kpi=store-tickets]') !== null && document.querySelector('[data-role=heatmap] table') !== null",
    )
    .await;
    assert_eq!(b.eval("document.querySelectorAll('[data-role=tickets] tbody tr').length").await, json!(5));
    assert_eq!(b.eval("document.querySelectorAll('table.heatmap td.heat').length").await, json!(168));
    let (desde, hasta) = (today - Duration::days(30), today - Duration::days(1));
    let e = app.get_json(&format!("/api/bi/stores/tienda_01/evolution?fecha_inicio={desde}&fecha_fin={hasta}"), &app.admin_token).await;
    let shown = b.eval("document.querySelector('[data-kpi=store-tickets]').textContent").await;
    assert_eq!(shown.as_str().unwrap().replace('.', ""), e["totales"]["tickets"].as_i64().unwrap().to_string());
    assert!(b.eval("document.querySelector('[data-role=peak]') !== null").await.as_bool().unwrap(), "a peak hour in the last 30 days");
    let loaded = chrono::NaiveDate::parse_from_str(e["datos_al"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let hint = b.eval("document.querySelector('[data-role=store-datos-al]').textContent").await;
    assert!(hint.as_str().unwrap().contains(&loaded.format("%d/%m/%Y").to_string()), "{hint}");
    b.screenshot(&artifacts_dir().join("bi-detalle-tienda.png")).await;
    b.eval("document.querySelector('[data-role=heatmap]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-detalle-tienda-horas.png")).await;
}

/// *Comparar Tiendas* and *Ranking Tiendas* (spec 40 §3.3) and the *Top categorías* panel of
/// *Detalle de Tienda* (§3.2): the API's figures on screen, the radar drawn per store, the
/// 5-store cap enforced by the picker, the ranking's rows and podium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comparing_and_ranking_stores_and_a_stores_categories() {
    let app = spawn_app(true).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    let today = app.state.tenant.today();
    let (desde, hasta) = (today - Duration::days(31), today - Duration::days(2));

    b.goto(&app.url("/bi?tab=comparar")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=compare-table]') !== null").await;
    let c = app
        .get_json(
            &format!("/api/bi/stores/compare-multi?ubicacion_ids=tienda_01,tienda_02&fecha_inicio={desde}&fecha_fin={hasta}"),
            &app.admin_token,
        )
        .await;
    assert_eq!(b.eval("document.querySelectorAll('[data-role=compare-table] thead th').length").await, json!(3), "two stores by default");
    let tickets =
        b.eval("[...document.querySelectorAll('[data-metric=tickets] td')].map((td) => td.textContent.replaceAll('.', ''))").await;
    assert_eq!(tickets, json!([c["tiendas"][0]["tickets"].to_string(), c["tiendas"][1]["tickets"].to_string()]));
    let best = c["comparacion"]["mejor_ventas"].as_str().unwrap();
    let best_name = c["tiendas"].as_array().unwrap().iter().find(|t| t["ubicacion_id"] == best).unwrap()["nombre"].clone();
    assert_eq!(b.eval("document.querySelector('[data-best=ventas]').textContent").await, best_name);
    assert_eq!(b.eval("document.querySelectorAll('[data-role=radar] polygon.radar-area').length").await, json!(2));
    assert_eq!(b.eval("document.querySelectorAll('[data-metric=ventas_total] td.cell-best').length").await, json!(1));
    b.screenshot(&artifacts_dir().join("bi-comparar-tiendas.png")).await;
    // One store alone is not a comparison.
    b.click("input[name=tienda][value=tienda_02]").await;
    b.wait_for("document.querySelector('[data-role=compare-table]') === null").await;
    assert!(b.eval("document.querySelector('[data-role=pick-note]').textContent").await.as_str().unwrap().contains("al menos dos"));

    b.click("[data-tab=ranking]").await;
    b.wait_for("document.querySelector('[data-role=ranking-table]') !== null").await;
    let r = app.get_json(&format!("/api/bi/stores/sales-ranking?fecha_inicio={desde}&fecha_fin={hasta}"), &app.admin_token).await;
    assert_eq!(
        b.eval("[...document.querySelectorAll('[data-role=ranking-table] tbody tr')].map((tr) => tr.dataset.store)").await,
        json!([r["tiendas"][0]["ubicacion_id"], r["tiendas"][1]["ubicacion_id"]])
    );
    let shown = b.eval("document.querySelector('[data-kpi=ranking-tickets]').textContent").await;
    assert_eq!(shown.as_str().unwrap().replace('.', ""), r["resumen"]["tickets"].to_string());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=podium] .kpi').length").await, json!(3));
    // The ranking by inventory: GMROI by default, then by stock value.
    b.wait_for("document.querySelectorAll('[data-inv-store]').length === 2").await;
    b.click("[data-metric-pick=stock]").await;
    b.wait_for("document.querySelector('[data-metric-pick=stock][aria-pressed=true]') !== null && document.querySelectorAll('[data-inv-store]').length === 2").await;
    let inv = app.get_json("/api/bi/stores/ranking?metrica=stock", &app.admin_token).await;
    b.wait_for(&format!("document.querySelector('[data-inv-store]').dataset.invStore === {}", inv["tiendas"][0]["ubicacion_id"])).await;
    b.screenshot(&artifacts_dir().join("bi-ranking-tiendas.png")).await;

    b.click("[data-tab=tienda]").await;
    b.wait_for("document.querySelector('[data-role=categories] table') !== null").await;
    let (desde, hasta) = (today - Duration::days(30), today - Duration::days(1));
    let k = app
        .get_json(&format!("/api/bi/stores/tienda_01/categories?fecha_inicio={desde}&fecha_fin={hasta}&limite=10"), &app.admin_token)
        .await;
    let rows = k["categorias"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_eq!(b.eval("document.querySelectorAll('[data-role=categories] tbody tr').length").await, json!(rows.len()));
    assert_eq!(b.eval("document.querySelectorAll('[data-role=categories] svg.donut path').length").await, json!(rows.len()));
    assert_eq!(b.eval("document.querySelector('[data-role=categories] tbody tr').dataset.category").await, rows[0]["categoria"]);
    b.eval("document.querySelector('[data-role=categories]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-detalle-tienda-categorias.png")).await;
}

/// *Por Producto* (§3.4) and *Rentabilidad* (§3.6): the quadrant cards as the API counts them,
/// a click on a card filtering the table, the scatter drawn, the families' table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gmroi_matrix_and_profitability_tabs() {
    let app = spawn_app(true).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/bi?tab=productos")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=product-table]') !== null").await;
    let m = app.get_json("/api/bi/products/matrix", &app.admin_token).await;
    for c in m["cuadrantes"].as_array().unwrap() {
        let q = c["cuadrante"].as_str().unwrap();
        let shown = b.eval(&format!("document.querySelector('[data-count={q}]').textContent")).await;
        assert_eq!(shown.as_str().unwrap().replace('.', ""), c["productos"].to_string(), "{q}");
    }
    assert!(b.eval("document.querySelectorAll('[data-role=scatter] circle').length").await.as_u64().unwrap() > 0);
    b.screenshot(&artifacts_dir().join("bi-por-producto.png")).await;
    b.click("[data-quadrant=PERRO]").await;
    b.wait_for("document.querySelector('[data-quadrant=PERRO][aria-pressed=true]') !== null").await;
    b.wait_for("document.querySelector('[data-role=product-table]') === null || [...document.querySelectorAll('[data-role=product-table] tbody .badge')].every((e) => e.textContent === 'PERRO')").await;

    b.click("[data-tab=rentabilidad]").await;
    b.wait_for("document.querySelector('[data-role=family-table]') !== null").await;
    let p = app.get_json("/api/bi/profitability/by-category", &app.admin_token).await;
    assert_eq!(
        b.eval("document.querySelectorAll('[data-role=family-table] tbody tr').length").await,
        json!(p["familias"].as_array().unwrap().len())
    );
    let shown = b.eval("document.querySelector('[data-kpi=profit-ventas]').textContent").await;
    let shown: f64 = shown.as_str().unwrap().trim_start_matches("$ ").replace('.', "").replace(',', ".").parse().unwrap();
    assert_eq!(shown, p["resumen"]["ventas_30d"].as_f64().unwrap(), "es-VE format of the API's figure");
    b.screenshot(&artifacts_dir().join("bi-rentabilidad.png")).await;
}
