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

/// `p75` of `code`'s rows in tienda_01's stock table.
async fn stock_p75(app: &TestApp, code: &str) -> f64 {
    let (status, body) =
        app.get_with_status(&format!("/api/stock?ubicacion_id=tienda_01&search={code}&page_size=100"), &app.admin_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().iter().find(|i| i["codigo_producto"] == code).unwrap_or_else(|| panic!("{code} in {body}"))["p75"]
        .as_f64()
        .unwrap()
}

async fn summary_units(app: &TestApp) -> f64 {
    let body = app.get_json("/api/ventas/summary-regional", &app.admin_token).await;
    body["regiones"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["tiendas"].as_array().unwrap().iter())
        .find(|t| t["ubicacion_id"] == "tienda_01")
        .unwrap_or_else(|| panic!("tienda_01 in {body}"))["unidades"]
        .as_f64()
        .unwrap()
}

/// Spec 40 §1.1: windows of N days are the complete days ending yesterday — today's partial
/// day changes none of them — while the explicitly intraday views and the sales table's
/// periods ("Hoy", "Último mes" through today, §6.2) show today's lines.
#[tokio::test]
async fn todays_partial_day_is_left_out_of_complete_day_windows_and_shown_by_the_live_views() {
    let app = spawn_app_with(true, |t| t).await;
    let today = app.state.tenant.today();
    let yesterday = today - chrono::Duration::days(1);
    // Two products tienda_01 sells and stocks, the best sellers of its last days of data.
    let codes: Vec<String> = {
        let r = app.state.warehouse.reader().unwrap();
        let mut stmt = r
            .prepare(
                "SELECT v.producto_codigo FROM ventas v JOIN inventario_actual i ON i.ubicacion_id = v.ubicacion_id AND i.producto_codigo = v.producto_codigo
                 WHERE v.ubicacion_id = 'tienda_01' AND v.fecha_venta >= (SELECT max(fecha_venta) FROM ventas) - INTERVAL 20 DAY
                 GROUP BY v.producto_codigo ORDER BY count(*) DESC, v.producto_codigo LIMIT 2",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let (p, q) = (codes[0].clone(), codes[1].clone());
    let (p75_p, p75_q, units_before) = (stock_p75(&app, &p).await, stock_p75(&app, &q).await, summary_units(&app).await);

    // Today (a minute ago, local time): a huge sale of P. Yesterday: one of Q.
    let now = app.state.tenant.now_local();
    let this_morning = (now - chrono::Duration::minutes(1)).max(today.and_hms_opt(0, 0, 0).unwrap());
    app.load_sales(&[
        sale_line("tienda_01", "HOY-1", this_morning, &p, 7777.0, 1.0),
        sale_line("tienda_01", "AYER-1", yesterday.and_hms_opt(12, 0, 0).unwrap(), &q, 333.0, 1.0),
    ]);

    // Complete-day windows: yesterday's line is in, today's is not.
    assert_eq!(summary_units(&app).await, units_before + 333.0, "Ventas landing: the 30 days ending yesterday");
    assert_eq!(stock_p75(&app, &p).await, p75_p, "the stock table's P75: 20 complete days");
    assert_ne!(stock_p75(&app, &q).await, p75_q, "…which did take yesterday's sale");
    let last20 = app.get_json(&format!("/api/ventas/producto/{p}/ultimos-20-dias?ubicacion_id=tienda_01"), &app.admin_token).await;
    assert_eq!(last20["hasta"], yesterday.to_string());
    assert!(last20["dias"].as_array().unwrap().iter().all(|d| d["fecha"] != today.to_string()), "{last20}");
    let last20 = app.get_json(&format!("/api/ventas/producto/{q}/ultimos-20-dias?ubicacion_id=tienda_01"), &app.admin_token).await;
    assert!(last20["dias"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["fecha"] == yesterday.to_string() && d["unidades"].as_f64().unwrap() >= 333.0));
    let weekday = chrono::Datelike::weekday(&today).num_days_from_sunday();
    let same_days = app
        .get_json(&format!("/api/ventas/producto/{p}/historico-dia?ubicacion_id=tienda_01&dia_semana={weekday}"), &app.admin_token)
        .await;
    assert!(same_days["fechas"].as_array().unwrap().iter().all(|d| d["fecha"] != today.to_string()), "{same_days}");
    let weeks = app.get_json(&format!("/api/productos/{p}/ventas-semanales"), &app.admin_token).await;
    let weeks = weeks["semanas"].as_array().unwrap();
    assert_eq!(weeks.last().unwrap()["hasta"], yesterday.to_string());
    assert!(weeks.iter().all(|w| w["unidades"].as_f64().unwrap() < 7777.0), "{weeks:?}");
    let lost = app
        .get_json(
            &format!("/api/ventas/ventas-perdidas-v3/tienda_01?fecha_inicio={}&fecha_fin={today}", today - chrono::Duration::days(7)),
            &app.admin_token,
        )
        .await;
    assert_eq!(lost["fecha_fin"], yesterday.to_string(), "lost sales: the period is clamped to yesterday");
    let evolution = app.get_json("/api/bi/stores/tienda_01/evolution", &app.admin_token).await;
    assert_eq!(evolution["fecha_fin"], yesterday.to_string(), "BI: the 30 complete days ending yesterday");
    assert!(evolution["dias"].as_array().unwrap().iter().all(|d| d["fecha"] != today.to_string()));

    // Live views: today's line shows.
    assert_eq!(detail_units(&app, &p, today, today).await, 7777.0, "Ventas, period «Hoy»");
    let (status, default) =
        app.get_with_status(&format!("/api/ventas/detail?ubicacion_id=tienda_01&search={p}&page_size=1000"), &app.admin_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(default["fecha_fin"], today.to_string(), "«Último mes» runs through today (§6.2)");
    let desde = NaiveDate::parse_from_str(default["fecha_inicio"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let mut expected = 0.0;
    let mut d = desde;
    while d <= today {
        expected += chain_units(&app, &p, d, "#"); // no invoice starts with #: every line, today's too
        d += chrono::Duration::days(1);
    }
    let row = default["items"].as_array().unwrap().iter().find(|i| i["codigo_producto"] == p.as_str()).unwrap();
    assert_eq!(row["cantidad_total"].as_f64().unwrap(), expected);
    assert!(expected >= 7777.0);
    let hourly = app.get_json(&format!("/api/ventas/producto/horario?codigo_producto={p}&ubicaciones=tienda_01"), &app.admin_token).await;
    assert_eq!(hourly["fecha"], today.to_string(), "the hourly drill-down opens on today");
    assert_eq!(hourly["tiendas"][0]["total"]["unidades"].as_f64().unwrap(), 7777.0);
    let daily = daily_units(&app, &p, today - chrono::Duration::days(3), today).await;
    assert_eq!(units_on(&daily, today), 7777.0, "the daily drill-down shows today…");
    assert!(daily.as_array().unwrap().iter().filter(|d| d["fecha"] == today.to_string()).all(|d| d["atipico"] == false), "…never flagged");
}
