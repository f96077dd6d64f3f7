//! A product's class history per store (`GET /api/productos/{codigo}/historico-clasificacion`,
//! spec 50 §9.3): each rebuild of the classification caches keeps what changed, and the
//! endpoint gives the periods per store, limited to a store manager's stores. The 360° view
//! shows them as a strip per store (screenshot in tests/artifacts/).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

type Classes = BTreeMap<String, (String, Option<String>)>;

fn rebuild(app: &TestApp, date: NaiveDate) {
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, date).unwrap();
}

/// The cache's (ABC, XYZ) class of `code` per location ('*' = chain), read with plain SQL.
fn cached(app: &TestApp, code: &str) -> Classes {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(
            "SELECT ubicacion_id, clase_abc, clase_xyz FROM productos_abc_tienda WHERE producto_codigo = ?
             UNION ALL SELECT ubicacion_id, clase_abc, clase_xyz FROM productos_abc_cache WHERE producto_codigo = ?",
        )
        .unwrap();
    let rows = stmt.query_map([code, code], |r| Ok((r.get::<_, String>(0)?, (r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))));
    rows.unwrap().map(Result::unwrap).collect()
}

/// The class of the period of `periods` covering `date`.
fn class_on(periods: &Value, date: NaiveDate) -> Option<(String, Option<String>)> {
    let d = date.to_string();
    periods
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["desde"].as_str().unwrap() <= d.as_str() && d.as_str() <= p["hasta"].as_str().unwrap())
        .map(|p| (p["clase_abc"].as_str().unwrap().to_string(), p["clase_xyz"].as_str().map(str::to_string)))
}

fn store<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["tiendas"].as_array().unwrap().iter().find(|t| t["ubicacion_id"] == id).unwrap_or_else(|| panic!("{id} in {body}"))
}

#[tokio::test]
async fn a_class_change_between_two_rebuilds_shows_as_two_periods_and_a_manager_sees_only_his_store() {
    let app = spawn_app(true).await;
    let (d0, d1, d2) = (end_date() - Duration::days(14), end_date() - Duration::days(9), end_date() + Duration::days(1));
    rebuild(&app, d1);
    // A product of class C or D in tienda_01 that tienda_02 also sells.
    let code: String = {
        let r = app.state.warehouse.reader().unwrap();
        r.query_row(
            "SELECT a.producto_codigo FROM productos_abc_tienda a JOIN productos_abc_tienda b USING (producto_codigo)
             WHERE a.ubicacion_id = 'tienda_01' AND b.ubicacion_id = 'tienda_02' AND a.clase_abc IN ('C', 'D')
             ORDER BY a.rank_cantidad DESC, a.producto_codigo LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let at_d1 = cached(&app, &code);
    assert!(["C", "D"].contains(&at_d1["tienda_01"].0.as_str()));

    // A huge sale the day before d2 makes it the best seller of tienda_01.
    let at = end_date().and_hms_opt(12, 0, 0).unwrap();
    app.load_sales(&[common::sale_line("tienda_01", "HIST-1", at, &code, 50_000.0, 10.0)]);
    rebuild(&app, d2);
    let at_d2 = cached(&app, &code);
    assert_eq!(at_d2["tienda_01"].0, "A", "the planted sale makes it class A");

    // A rebuild for an earlier date afterwards leaves the later dates' classes as computed.
    rebuild(&app, d0);
    let at_d0 = cached(&app, &code);

    let today = app.state.tenant.today();
    assert!(today >= d2, "the host clock is past the tiny chain's last day");
    let dias = (today - d0).num_days() + 1;
    assert!(dias <= 1095, "the tiny chain's dates fall inside the longest window");
    let path = format!("/api/productos/{code}/historico-clasificacion?dias={dias}");
    let (status, body) = app.get_with_status(&path, &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ultimo_calculo"], d2.to_string());
    assert_eq!(body["primer_calculo"], d0.to_string());
    assert_eq!(body["tiendas"].as_array().unwrap().len(), 2, "{body}");
    for (date, classes) in [(d0, &at_d0), (d1, &at_d1), (d2, &at_d2)] {
        for id in ["tienda_01", "tienda_02"] {
            assert_eq!(class_on(&store(&body, id)["periodos"], date).as_ref(), classes.get(id), "{id} on {date}: {body}");
        }
        assert_eq!(class_on(&body["red"], date).as_ref(), classes.get("*"), "chain on {date}");
    }
    let t1 = store(&body, "tienda_01")["periodos"].as_array().unwrap().clone();
    let last = t1.last().unwrap();
    assert_eq!((last["desde"].as_str().unwrap(), last["clase_abc"].as_str().unwrap()), (d2.to_string().as_str(), "A"));
    assert_eq!(last["hasta"], today.to_string(), "the last class computed is the one in force today");
    let before = &t1[t1.len() - 2];
    assert_eq!(before["hasta"], (d2 - Duration::days(1)).to_string(), "the earlier class holds until the day before the change");
    assert!(store(&body, "tienda_01")["cambios"].as_u64().unwrap() >= 1);
    assert_eq!(body["xyz_activo"], true, "the tiny tenant turns XYZ on");

    // A store manager of tienda_01: his store only, no chain line, tienda_02 refused.
    app.add_user("gerente01", "clave-gerente-1", "gerente_tienda", &["tienda_01"]);
    let token = app.token("gerente01", "clave-gerente-1").await;
    let (status, mine) = app.get_with_status(&path, &token).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let ids: Vec<&str> = mine["tiendas"].as_array().unwrap().iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tienda_01"]);
    assert!(mine["red"].is_null());
    assert_eq!(mine["tiendas"][0], *store(&body, "tienda_01"));
    let (status, _) = app.get_with_status(&format!("{path}&ubicacion_id=tienda_02"), &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, one) = app.get_with_status(&format!("{path}&ubicacion_id=tienda_01"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["tiendas"], mine["tiendas"]);

    // A one-day window: the class in force today only.
    let (_, short) = app.get_with_status(&format!("/api/productos/{code}/historico-clasificacion?dias=1"), &app.admin_token).await;
    assert_eq!(short["desde"], today.to_string());
    let t1 = store(&short, "tienda_01")["periodos"].clone();
    assert_eq!(t1.as_array().unwrap().len(), 1, "{short}");
    assert_eq!(class_on(&t1, today).as_ref(), at_d2.get("tienda_01"));
}

#[tokio::test]
async fn bad_requests_answer_in_spanish_and_an_unknown_product_is_404() {
    let app = spawn_app(true).await;
    rebuild(&app, end_date() + Duration::days(1));
    let code: String =
        app.state.warehouse.reader().unwrap().query_row("SELECT min(producto_codigo) FROM productos_abc_tienda", [], |r| r.get(0)).unwrap();
    let (status, body) = app.get_with_status("/api/productos/NOEXISTE/historico-clasificacion", &app.admin_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("no existe"), "{body}");
    for (query, field) in
        [("dias=0", "dias"), ("dias=5000", "dias"), ("ubicacion_id=tienda_99", "ubicacion_id"), ("ubicacion_id=cedi_seco", "ubicacion_id")]
    {
        let (status, body) = app.get_with_status(&format!("/api/productos/{code}/historico-clasificacion?{query}"), &app.admin_token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    for query in ["dias=muchos", "desde=2026-01-01"] {
        let (status, body) = app.get_with_status(&format!("/api/productos/{code}/historico-clasificacion?{query}"), &app.admin_token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("inválidos"), "{body}");
    }
    let (status, _) = app.get_with_status("/api/productos/%27%3B%20DROP%20TABLE%20x/historico-clasificacion", &app.admin_token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a SQL-shaped code is just an unknown product");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_360_view_shows_a_strip_of_classes_per_store() {
    use common::browser::{artifacts_dir, Browser};
    let app = spawn_app(true).await;
    let today = app.state.tenant.today();
    rebuild(&app, end_date() - Duration::days(9));
    let code: String = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT producto_codigo FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc IN ('C', 'D')
             ORDER BY rank_cantidad DESC, producto_codigo LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    app.load_sales(&[common::sale_line("tienda_01", "HIST-1", end_date().and_hms_opt(12, 0, 0).unwrap(), &code, 50_000.0, 10.0)]);
    rebuild(&app, today);
    app.add_user("gerente01", "clave-gerente-1", "gerente_tienda", &["tienda_01"]);

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/productos/analisis-maestro?ubicacion_id=tienda_01")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=master-list] tbody tr')").await;
    b.fill("input[name=search]", &code).await;
    b.wait_for("document.querySelectorAll('[data-role=master-list] tbody tr').length === 1").await;
    b.eval("document.querySelector('[data-role=master-list] tbody tr').click()").await;
    b.wait_for("document.querySelector('[data-role=class-history] .class-strip')").await;
    let strips = b
        .eval(
            "[...document.querySelectorAll('[data-role=class-history] tbody tr')].map((r) => [r.dataset.store, \
             [...r.querySelectorAll('.class-seg')].map((s) => s.title)])",
        )
        .await;
    let rows = strips.as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(ids, ["*", "tienda_01", "tienda_02"], "the chain, then each store");
    let t1: Vec<&str> = rows[1][1].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(t1.len() >= 2, "{t1:?}");
    let last = t1.last().unwrap();
    assert!(last.starts_with('A') && last.contains(&today.format("%d/%m/%Y").to_string()), "{t1:?}");
    b.eval("document.querySelector('[data-role=class-history]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("productos-360-historico-clasificacion.png")).await;

    // The store manager's drawer has his store only.
    let manager = app.token("gerente01", "clave-gerente-1").await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url("/productos/analisis-maestro?ubicacion_id=tienda_01")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=master-list] tbody tr')").await;
    b.fill("input[name=search]", &code).await;
    b.wait_for("document.querySelectorAll('[data-role=master-list] tbody tr').length === 1").await;
    b.eval("document.querySelector('[data-role=master-list] tbody tr').click()").await;
    b.wait_for("document.querySelector('[data-role=class-history] .class-strip')").await;
    let ids = b.eval("[...document.querySelectorAll('[data-role=class-history] tbody tr')].map((r) => r.dataset.store)").await;
    assert_eq!(ids, serde_json::json!(["tienda_01"]));
}
