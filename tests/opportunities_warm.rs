//! After a load, `serve`'s warmer computes the *Oportunidades CEDI* and *Expansión de
//! Catálogo* drawers (spec 40 §7.6) and the BI product facts (*Por Producto*, *Rentabilidad*)
//! too, so the first person to open them does not wait: at start-up at once, after a load
//! once the warehouse is quiet.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::time::{Duration, Instant};

use common::{sale_line, spawn_app};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warmer_computes_the_opportunity_drawers_and_bi_product_facts_after_each_load() {
    let app = spawn_app(true).await;
    let st = &app.state;
    let warm = || {
        st.opportunities.is_warm(&st.tenant, &st.warehouse, st.tenant.today()) && fluxion::bi::products::is_warm(&st.tenant, &st.warehouse)
    };
    assert!(!warm(), "nothing computed before the warmer runs");
    let wait = |what: &'static str| async move {
        let started = Instant::now();
        while !warm() {
            assert!(started.elapsed() < Duration::from_secs(120), "{what}: the drawers were not computed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    // At start-up the first pass does not wait for the interval (serve's is 15 s).
    let warmer = fluxion::jobs::spawn_inventory_warmer(st, Duration::from_secs(3600));
    wait("first start").await;
    warmer.abort();
    // The *Inventarios* landing's per-location health is computed with the tables.
    let conn = fluxion::appdb::connect(&st.app_db_path).unwrap();
    for l in st.tenant.stores().iter().filter(|s| s.active) {
        let t = st.inventory_tables.get(&st.tenant, &conn, &st.warehouse, &l.id, st.tenant.today()).unwrap();
        assert!(t.health.get().is_some(), "{}: health computed by the warmer", l.id);
    }
    let warmer = fluxion::jobs::spawn_inventory_warmer(st, Duration::from_millis(50));

    // A load makes them stale; the warmer computes them again once the warehouse is quiet.
    let at = common::end_date().and_hms_opt(10, 0, 0).unwrap();
    let code: String = st.warehouse.reader().unwrap().query_row("SELECT min(producto_codigo) FROM ventas", [], |r| r.get(0)).unwrap();
    app.load_sales(&[sale_line("tienda_01", "WARM-1", at, &code, 3.0, 1.0)]);
    assert!(!warm(), "stale after the load");
    wait("after a load").await;
    warmer.abort();

    // What the warmer kept is what the drawers answer.
    for path in ["/api/inventario/oportunidades-cedi", "/api/inventario/expansion-catalogo"] {
        let (status, body) = app.get_with_status(path, &app.admin_token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.is_array());
    }
    let (status, body) = app.get_with_status("/api/bi/products/matrix", &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(warm(), "still kept after the requests");
}
