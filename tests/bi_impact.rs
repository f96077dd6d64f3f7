//! *Impacto Fluxion* (spec 40 §3.8) through the API on the `tiny` chain: activating a store
//! freezes the stock value at cost at the end of the day before (recomputed here from the
//! change-only history in plain SQL), a later stock load moves today's stock but never the
//! baseline, the summary, regions and stores recompute from the raw tables, deactivation and
//! reactivation, the empty state, access (reading with `bi.ver`, changing with
//! `admin.sistema`) and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The general manager may read BI here (a grant) but is no system administrator.
async fn app() -> TestApp {
    spawn_app_with(true, |t| format!("{t}\n[rbac.grant]\ngerente_general = [\"bi.ver\"]\n")).await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 0.011 + b.abs() * 1e-9, "{what}: {a} vs {b}");
}

fn r2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

async fn post(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let r = app.client.post(app.url("/api/bi/impact/activaciones")).bearer_auth(token).json(&body).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn delete(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    let r = app.client.delete(app.url(&format!("/api/bi/impact/activaciones/{id}"))).bearer_auth(token).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Unit cost of §1.6 at a store for the 30 days ending `fin`, as SQL over the sale lines.
const COST: &str = "coalesce(nullif(p.costo_unitario_usd, 0)::DOUBLE,
    (SELECT sum(costo_total) / sum(cantidad_vendida) FROM ventas v WHERE v.producto_codigo = q.producto_codigo AND v.ubicacion_id = ?1
       AND v.fecha BETWEEN ?2::DATE - 29 AND ?2::DATE HAVING sum(cantidad_vendida) > 0 AND sum(costo_total) > 0),
    (SELECT sum(costo_total) / sum(cantidad_vendida) FROM ventas v WHERE v.producto_codigo = q.producto_codigo
       AND v.fecha BETWEEN ?2::DATE - 29 AND ?2::DATE HAVING sum(cantidad_vendida) > 0 AND sum(costo_total) > 0))";

/// Stock value at cost at the end of `day`: each almacén's last quantity up to that day.
fn value_at_end_of(app: &TestApp, store: &str, day: NaiveDate) -> f64 {
    let r = app.state.warehouse.reader().unwrap();
    r.query_row(
        &format!(
            "WITH last AS (SELECT almacen_codigo, producto_codigo, arg_max(cantidad, fecha_snapshot)::DOUBLE AS c FROM inventario_historico
                           WHERE ubicacion_id = ?1 AND fecha_snapshot < ?2::DATE + 1 GROUP BY ALL),
                  q AS (SELECT producto_codigo, sum(greatest(c, 0)) AS c FROM last GROUP BY ALL)
             SELECT coalesce(sum(q.c * {COST}), 0)::DOUBLE FROM q LEFT JOIN productos p ON p.codigo = q.producto_codigo WHERE q.c > 0"
        ),
        duckdb::params![store, day.to_string()],
        |x| x.get(0),
    )
    .unwrap()
}

/// Today's stock at cost (cost of the 30 days ending yesterday) and fill rate of a store.
fn today_of(app: &TestApp, store: &str) -> (f64, f64) {
    let fin = app.state.tenant.today() - Duration::days(1);
    let r = app.state.warehouse.reader().unwrap();
    let value: f64 = r
        .query_row(
            &format!(
                "WITH q AS (SELECT producto_codigo, sum(greatest(cantidad, 0))::DOUBLE AS c FROM inventario_actual WHERE ubicacion_id = ?1 GROUP BY ALL)
                 SELECT coalesce(sum(q.c * {COST}), 0)::DOUBLE FROM q LEFT JOIN productos p ON p.codigo = q.producto_codigo WHERE q.c > 0"
            ),
            duckdb::params![store, fin.to_string()],
            |x| x.get(0),
        )
        .unwrap();
    let (stocked, active): (i64, i64) = r
        .query_row(
            "WITH s AS (SELECT producto_codigo, sum(greatest(cantidad, 0)) AS q FROM inventario_actual WHERE ubicacion_id = ?1 GROUP BY ALL),
                  v AS (SELECT producto_codigo, sum(cantidad_vendida) AS u FROM ventas WHERE ubicacion_id = ?1
                        AND fecha BETWEEN ?2::DATE - 29 AND ?2::DATE GROUP BY ALL)
             SELECT count(*) FILTER (WHERE coalesce(s.q, 0) > 0), count(*) FILTER (WHERE coalesce(s.q, 0) > 0 OR coalesce(v.u, 0) > 0)
             FROM s FULL JOIN v USING (producto_codigo)",
            duckdb::params![store, fin.to_string()],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    (value, r2(stocked as f64 / active as f64 * 100.0))
}

#[tokio::test]
async fn activation_freezes_the_baseline_and_the_impact_recomputes_from_raw_tables() {
    let app = app().await;
    let admin = app.admin_token.clone();

    // Nobody active yet: zeros and the message.
    let (s, empty) = app.get_with_status("/api/bi/impact/summary", &admin).await;
    assert_eq!(s, StatusCode::OK, "{empty}");
    assert_eq!(empty["mensaje"], "No hay tiendas activas con Fluxion aún");
    assert_eq!((f(&empty["stock_actual"]), f(&empty["capital_liberado"]), f(&empty["reduccion_pct"])), (0.0, 0.0, 0.0));
    assert_eq!(empty["tiendas_activas_fluxion"], 0);
    assert!(empty["regiones"].as_array().unwrap().is_empty());
    assert!(empty.get("datos_al").is_some());

    // tienda_01 from the chain's last day: the baseline is the end of the day before.
    let day = end_date();
    let (s, a) = post(&app, &admin, json!({"ubicacion_id": "tienda_01", "fecha_activacion": day.to_string()})).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!((a["baseline_origen"].as_str(), a["activo"].as_bool()), (Some("historico"), Some(true)));
    let expected = value_at_end_of(&app, "tienda_01", day - Duration::days(1));
    assert!(expected > 0.0);
    near(f(&a["stock_baseline"]), expected, "baseline of tienda_01");
    assert_ne!(r2(expected), r2(today_of(&app, "tienda_01").0), "the day before differs from today here");

    // tienda_02 from a day before any stock load: today's stock is frozen.
    let (s, b) = post(&app, &admin, json!({"ubicacion_id": "tienda_02", "fecha_activacion": "2020-01-15"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["baseline_origen"], "actual");
    near(f(&b["stock_baseline"]), today_of(&app, "tienda_02").0, "baseline of tienda_02");

    // By store: figures from the raw tables, most capital freed first.
    let (s, by) = app.get_with_status("/api/bi/impact/by-store", &admin).await;
    assert_eq!(s, StatusCode::OK, "{by}");
    let rows = by["tiendas"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let today = app.state.tenant.today();
    let mut totals = (0.0, 0.0, 0.0, 0.0);
    for row in rows {
        let id = row["ubicacion_id"].as_str().unwrap();
        let base = f(&row["stock_baseline"]);
        let (actual, fill) = today_of(&app, id);
        near(f(&row["stock_actual"]), actual, id);
        near(f(&row["capital_liberado"]), base - actual, id);
        near(f(&row["reduccion_pct"]), r2((base - actual) / base * 100.0), id);
        near(f(&row["fill_rate"]), fill, id);
        let since = NaiveDate::parse_from_str(row["fecha_activacion"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(row["dias_activo"].as_i64().unwrap(), (today - since).num_days());
        totals = (totals.0 + base, totals.1 + actual, totals.2 + (base - actual), totals.3 + fill);
    }
    assert!(f(&rows[0]["capital_liberado"]) >= f(&rows[1]["capital_liberado"]), "most capital freed first");
    assert_eq!((rows[0]["posicion"].as_u64(), rows[1]["posicion"].as_u64()), (Some(1), Some(2)));

    // Summary and regions (tienda_01 Valencia, tienda_02 Caracas).
    let (_, sum) = app.get_with_status("/api/bi/impact/summary", &admin).await;
    assert!(sum["mensaje"].is_null());
    assert_eq!(sum["tiendas_activas_fluxion"], 2);
    near(f(&sum["stock_baseline"]), totals.0, "baseline total");
    near(f(&sum["stock_actual"]), totals.1, "actual total");
    near(f(&sum["capital_liberado"]), totals.2, "capital");
    near(f(&sum["reduccion_pct"]), r2(totals.2 / totals.0 * 100.0), "reduction");
    near(f(&sum["fill_rate"]), r2(totals.3 / 2.0), "mean fill rate");
    let band = |p: f64| match p {
        p if p > 35.0 => "excelente",
        p if p >= 25.0 => "bueno",
        p if p >= 15.0 => "aceptable",
        _ => "revisar",
    };
    assert_eq!(sum["banda_reduccion"], band(totals.2 / totals.0 * 100.0));
    let regions = sum["regiones"].as_array().unwrap();
    assert_eq!(regions.len(), 2);
    for r in regions {
        assert_eq!(r["tiendas_activas_fluxion"], 1);
        let store = rows.iter().find(|x| x["region"] == r["region"]).unwrap();
        assert_eq!(r["capital_liberado"], store["capital_liberado"]);
        assert_eq!(r["reduccion_pct"], store["reduccion_pct"]);
    }

    // A later stock load changes today's stock, never the frozen baseline.
    let frozen = f(&a["stock_baseline"]);
    let almacen: String = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT any_value(almacen_codigo) FROM inventario_actual WHERE ubicacion_id = 'tienda_01'", [], |x| x.get(0))
        .unwrap();
    let rows_now: Vec<(String, f64)> = {
        let r = app.state.warehouse.reader().unwrap();
        let mut stmt = r
            .prepare(
                "SELECT producto_codigo, cantidad::DOUBLE FROM inventario_actual WHERE ubicacion_id = 'tienda_01' AND almacen_codigo = ?",
            )
            .unwrap();
        stmt.query_map([&almacen], |x| Ok((x.get(0)?, x.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let listing = fluxion::domain::records::StockListing {
        ubicacion_id: "tienda_01".into(),
        almacen_codigo: almacen,
        fecha_snapshot: app.state.tenant.now_local(),
        rows: rows_now.iter().map(|(c, q)| (c.clone(), q * 3.0 + 5.0)).collect(),
    };
    let now = chrono::Utc::now().naive_utc();
    app.state.warehouse.write(|c| fluxion::etl::load::load_stock_listing(c, &listing, &[], "klk", 999, now)).unwrap();
    let (_, by2) = app.get_with_status("/api/bi/impact/by-store", &admin).await;
    let t1 = by2["tiendas"].as_array().unwrap().iter().find(|x| x["ubicacion_id"] == "tienda_01").unwrap().clone();
    assert_eq!(f(&t1["stock_baseline"]), r2(frozen), "the baseline stays frozen");
    near(f(&t1["stock_actual"]), today_of(&app, "tienda_01").0, "today's stock after the load");
    assert!(f(&t1["stock_actual"]) > 2.0 * f(&rows.iter().find(|x| x["ubicacion_id"] == "tienda_01").unwrap()["stock_actual"]));
    assert!(f(&t1["capital_liberado"]) < 0.0, "three times the stock: capital tied up, not freed");

    // Deactivate: out of the impact, row kept; reactivating keeps the baseline.
    let (s, off) = delete(&app, &admin, "tienda_01").await;
    assert_eq!(s, StatusCode::OK, "{off}");
    assert_eq!(off["activo"], false);
    let (_, sum) = app.get_with_status("/api/bi/impact/summary", &admin).await;
    assert_eq!(sum["tiendas_activas_fluxion"], 1);
    let (_, list) = app.get_with_status("/api/bi/impact/activaciones", &admin).await;
    assert_eq!(list["activaciones"].as_array().unwrap().len(), 2, "{list}");
    let (s, again) = post(&app, &admin, json!({"ubicacion_id": "tienda_01"})).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!((f(&again["stock_baseline"]), again["fecha_activacion"].as_str()), (r2(frozen), Some(day.to_string().as_str())));
    let (s, dup) = post(&app, &admin, json!({"ubicacion_id": "tienda_01"})).await;
    assert_eq!((s, dup["code"].as_str()), (StatusCode::CONFLICT, Some("ya_activa")));
    // Reactivated on another day after deactivating: a new baseline for that day.
    delete(&app, &admin, "tienda_01").await;
    let other = day - Duration::days(10);
    let (s, moved) = post(&app, &admin, json!({"ubicacion_id": "tienda_01", "fecha_activacion": other.to_string()})).await;
    assert_eq!(s, StatusCode::CREATED, "{moved}");
    near(f(&moved["stock_baseline"]), value_at_end_of(&app, "tienda_01", other - Duration::days(1)), "baseline of the new day");

    // Audited with the acting user.
    let n: i64 = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row("SELECT count(*) FROM audit_log WHERE accion LIKE 'fluxion_%' AND usuario = 'admin'", [], |x| x.get(0))
        .unwrap();
    assert_eq!(n, 6, "2 activations, 2 deactivations, 1 reactivation, 1 new activation");
}

#[tokio::test]
async fn activation_is_for_system_admins_and_refuses_bad_input() {
    let app = app().await;
    let admin = app.admin_token.clone();
    app.add_user("gerente", "clave-de-prueba-2", "gerente_general", &[]);
    let gg = app.token("gerente", "clave-de-prueba-2").await;
    // Reads with the bi.ver grant; never changes.
    let (s, _) = app.get_with_status("/api/bi/impact/summary", &gg).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(&app, &gg, json!({"ubicacion_id": "tienda_01"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = delete(&app, &gg, "tienda_01").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.add_user("visor", "clave-de-prueba-3", "visualizador", &[]);
    let v = app.token("visor", "clave-de-prueba-3").await;
    let (s, _) = app.get_with_status("/api/bi/impact/by-store", &v).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let tomorrow = app.state.tenant.today() + Duration::days(1);
    for (body, status, field) in [
        (
            json!({"ubicacion_id": "tienda_01", "fecha_activacion": tomorrow.to_string()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("fecha_activacion"),
        ),
        (
            json!({"ubicacion_id": "tienda_01", "fecha_activacion": "25/11/2026"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("fecha_activacion"),
        ),
        (json!({"ubicacion_id": "tienda_99"}), StatusCode::NOT_FOUND, None),
        (json!({"ubicacion_id": "cedi_seco"}), StatusCode::NOT_FOUND, None),
        (json!({"ubicacion_id": "tienda_01", "baseline": 5}), StatusCode::UNPROCESSABLE_ENTITY, None),
    ] {
        let (s, b) = post(&app, &admin, body.clone()).await;
        assert_eq!(s, status, "{body}: {b}");
        if let Some(field) = field {
            assert_eq!(b["errors"][0]["field"], field, "{b}");
        }
    }
    let (s, _) = delete(&app, &admin, "tienda_02").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "never activated");
    let (_, sum) = app.get_with_status("/api/bi/impact/summary", &admin).await;
    assert_eq!(sum["tiendas_activas_fluxion"], 0, "nothing was activated by the refused requests");
}
