//! Local days at their edges (spec 40 §1.1): sale lines are local wall-clock time, so a line
//! belongs to the local day written on it — also on the nights a zone with daylight saving
//! (America/Santiago) repeats or skips an hour.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use common::{sale_line, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

/// Units of `code` at tienda_01 on `day` by plain SQL over the raw lines, without the
/// invoices the test planted (prefix `prefix`).
fn chain_units(app: &TestApp, code: &str, day: NaiveDate, prefix: &str) -> f64 {
    app.state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT coalesce(sum(cantidad_vendida), 0)::DOUBLE FROM ventas
             WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ? AND fecha_venta::DATE = ? AND NOT starts_with(numero_factura, ?)",
            duckdb::params![code, day, prefix],
            |r| r.get(0),
        )
        .unwrap()
}

/// `cantidad_total` of `code` in the store sales table of tienda_01 over [desde, hasta].
async fn detail_units(app: &TestApp, code: &str, desde: NaiveDate, hasta: NaiveDate) -> f64 {
    let path = format!("/api/ventas/detail?ubicacion_id=tienda_01&fecha_inicio={desde}&fecha_fin={hasta}&search={code}&page_size=1000");
    let (status, body) = app.get_with_status(&path, &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().iter().find(|i| i["codigo_producto"] == code).map_or(0.0, |i| i["cantidad_total"].as_f64().unwrap())
}

/// Units per date of `code` at tienda_01 from the daily drill-down over [desde, hasta].
async fn daily_units(app: &TestApp, code: &str, desde: NaiveDate, hasta: NaiveDate) -> Value {
    let path = format!("/api/ventas/producto/diario?codigo_producto={code}&ubicaciones=tienda_01&fecha_inicio={desde}&fecha_fin={hasta}");
    let (status, body) = app.get_with_status(&path, &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["tiendas"][0]["dias"].clone()
}

fn units_on(days: &Value, day: NaiveDate) -> f64 {
    days.as_array().unwrap().iter().find(|d| d["fecha"] == day.to_string()).map_or(0.0, |d| d["unidades"].as_f64().unwrap())
}

#[tokio::test]
async fn sale_lines_around_chiles_dst_nights_count_in_the_local_day_written_on_them() {
    let app = spawn_app_with(true, |t| common::set_key(&t, "timezone", "\"America/Santiago\"")).await;
    let tz = chrono_tz::America::Santiago;
    assert_eq!(app.state.tenant.timezone, tz);
    // The two nights of 2026 (chrono-tz): on 4 April 23:00–23:59 happens twice (back to −4 at
    // midnight), on 6 September 00:00–00:59 does not exist (forward to −3).
    assert!(matches!(tz.from_local_datetime(&at(2026, 4, 4, 23, 30)), LocalResult::Ambiguous(..)));
    assert!(matches!(tz.from_local_datetime(&at(2026, 9, 6, 0, 30)), LocalResult::None));
    assert!(matches!(tz.from_local_datetime(&at(2026, 9, 5, 23, 30)), LocalResult::Single(_)));

    let code: String = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT min(producto_codigo) FROM ventas WHERE ubicacion_id = 'tienda_01'", [], |r| r.get(0))
        .unwrap();
    let planted = [
        (at(2026, 4, 4, 22, 30), 5.0),
        (at(2026, 4, 4, 23, 30), 20.0), // the first 23:30 (−3)
        (at(2026, 4, 4, 23, 30), 40.0), // the second 23:30, an hour later (−4)
        (at(2026, 4, 5, 0, 30), 100.0),
        (at(2026, 4, 5, 1, 30), 200.0),
        (at(2026, 9, 5, 23, 30), 1000.0),
        (at(2026, 9, 6, 0, 30), 300.0), // a wall-clock time the zone skipped, as a POS clock may write it
        (at(2026, 9, 6, 1, 30), 70.0),
    ];
    let lines: Vec<_> =
        planted.iter().enumerate().map(|(i, (t, q))| sale_line("tienda_01", &format!("DST-{i}"), *t, &code, *q, 2.0)).collect();
    app.load_sales(&lines);

    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    for (d, mine) in [(day(4, 4), 65.0), (day(4, 5), 300.0), (day(9, 5), 1000.0), (day(9, 6), 370.0)] {
        let expected = chain_units(&app, &code, d, "DST-") + mine;
        assert_eq!(detail_units(&app, &code, d, d).await, expected, "sales table of {d}");
        assert_eq!(units_on(&daily_units(&app, &code, d, d).await, d), expected, "daily drill-down of {d}");
    }
    // Both nights at once: nothing lost or counted twice.
    let april = daily_units(&app, &code, day(4, 3), day(4, 6)).await;
    assert_eq!(
        units_on(&april, day(4, 4)) + units_on(&april, day(4, 5)),
        365.0 + chain_units(&app, &code, day(4, 4), "DST-") + chain_units(&app, &code, day(4, 5), "DST-")
    );

    // The repeated hour is one wall-clock hour of its day: 23:00 of 4 April holds both lines.
    let path = format!("/api/ventas/producto/horario?codigo_producto={code}&ubicaciones=tienda_01&fecha=2026-04-04");
    let (status, hourly) = app.get_with_status(&path, &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{hourly}");
    let hours = hourly["tiendas"][0]["horas"].as_array().unwrap();
    let hour = |h: u64| hours.iter().find(|x| x["hora"] == h).map_or(0.0, |x| x["unidades"].as_f64().unwrap());
    let chain_hour = |h: i64| -> f64 {
        app.state
            .warehouse
            .reader()
            .unwrap()
            .query_row(
                "SELECT coalesce(sum(cantidad_vendida), 0)::DOUBLE FROM ventas WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?
                 AND fecha_venta::DATE = DATE '2026-04-04' AND hour(fecha_venta) = ? AND NOT starts_with(numero_factura, 'DST-')",
                duckdb::params![code, h],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(hour(23), 60.0 + chain_hour(23), "{hourly}");
    assert_eq!(hour(22), 5.0 + chain_hour(22));
    assert_eq!(hourly["tiendas"][0]["total"]["unidades"].as_f64().unwrap(), 65.0 + chain_units(&app, &code, day(4, 4), "DST-"));
    let path = format!("/api/ventas/producto/horario?codigo_producto={code}&ubicaciones=tienda_01&fecha=2026-09-06");
    let (_, hourly) = app.get_with_status(&path, &app.admin_token).await;
    let hours = hourly["tiendas"][0]["horas"].as_array().unwrap();
    assert_eq!(hours.iter().find(|x| x["hora"] == 0).map(|x| x["unidades"].as_f64().unwrap()), Some(300.0), "{hourly}");

    // "Today" is Santiago's date, not the host's nor Caracas'.
    let santiago_today = chrono::Utc::now().with_timezone(&tz).date_naive();
    assert_eq!(app.state.tenant.today(), santiago_today);
}
