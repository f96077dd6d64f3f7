//! A product's sales drill-downs (spec 40 §6.3) through the HTTP API on the `tiny` chain's
//! real files: daily by store, hourly on a day (a sale at 23:30 local stays on its day),
//! the last 20 days without atypical days, the lines with their totals, the sales + stock
//! history; store scope and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app};
use fluxion::domain::records::SaleLine;
use reqwest::StatusCode;
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// tienda_01's best seller over the generated data.
fn best_seller(app: &common::TestApp) -> String {
    let r = app.state.warehouse.reader().unwrap();
    r.query_row(
        "SELECT producto_codigo FROM ventas WHERE ubicacion_id = 'tienda_01' GROUP BY 1 ORDER BY sum(cantidad_vendida) DESC, 1 LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn sql_rows(app: &common::TestApp, sql: &str) -> Vec<(String, f64)> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn daily_hourly_and_recent_days_match_the_raw_lines_and_a_late_sale_stays_on_its_local_day() {
    let app = spawn_app(true).await;
    let token = app.admin_token.clone();
    let code = best_seller(&app);
    let day = end_date() - Duration::days(3);
    // A sale at 23:30 local: the same local day, hour 23 (never the next day, whatever the
    // host's zone).
    let late = SaleLine {
        ubicacion_id: "tienda_01".into(),
        numero_factura: "LATE-1".into(),
        linea: 1,
        fecha_venta: day.and_hms_opt(23, 30, 0).unwrap(),
        producto_codigo: code.clone(),
        cantidad_vendida: 7.0,
        venta_total: 21.0,
        precio_unitario: Some(3.0),
        factor_unidad_medida: 1.0,
        ..SaleLine::default()
    };
    let now = chrono::Utc::now().naive_utc();
    app.state.warehouse.write(|c| fluxion::warehouse::sales::load_sales(c, [&late], None, now)).unwrap();

    // Daily by store: every (store, date) with sales, as the raw lines say.
    let (from, to) = (end_date() - Duration::days(27), end_date());
    let (s, body) = app
        .get_with_status(&format!("/api/ventas/producto/diario?codigo_producto={code}&fecha_inicio={from}&fecha_fin={to}"), &token)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let expected = sql_rows(
        &app,
        &format!(
            "SELECT ubicacion_id || ' ' || fecha, sum(cantidad_vendida)::DOUBLE FROM ventas
             WHERE producto_codigo = '{code}' AND fecha BETWEEN DATE '{from}' AND DATE '{to}' GROUP BY 1 ORDER BY 1"
        ),
    );
    let mut got = Vec::new();
    for t in body["tiendas"].as_array().unwrap() {
        for d in t["dias"].as_array().unwrap() {
            got.push((format!("{} {}", t["ubicacion_id"].as_str().unwrap(), d["fecha"].as_str().unwrap()), f(&d["unidades"])));
            let pack = f(&body["unidades_por_bulto"]);
            assert!(close(f(&d["bultos"]), (f(&d["unidades"]) / pack * 100.0).round() / 100.0), "{d}");
        }
    }
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.0, e.0);
        assert!(close(g.1, e.1), "{g:?} vs {e:?}");
    }
    assert!(got.iter().any(|(k, _)| k == &format!("tienda_01 {day}")));
    // Per store over the same range: the days summed.
    let (s, per_store) =
        app.get_with_status(&format!("/api/productos/{code}/ventas-por-tienda?fecha_inicio={from}&fecha_fin={to}"), &token).await;
    assert_eq!(s, StatusCode::OK, "{per_store}");
    for t in per_store["tiendas"].as_array().unwrap() {
        let id = t["ubicacion_id"].as_str().unwrap();
        let want: f64 = got.iter().filter(|(k, _)| k.starts_with(&format!("{id} "))).map(|(_, u)| u).sum();
        assert!(close(f(&t["unidades"]), want), "{id}: {t}");
    }

    // Hourly on that day: 06–22 always listed, plus hour 23 with the late sale.
    let (s, body) = app
        .get_with_status(&format!("/api/ventas/producto/horario?codigo_producto={code}&fecha={day}&ubicaciones=tienda_01"), &token)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let store = &body["tiendas"][0];
    let hours: Vec<u64> = store["horas"].as_array().unwrap().iter().map(|h| h["hora"].as_u64().unwrap()).collect();
    assert!((6..=22).all(|h| hours.contains(&h)), "{hours:?}");
    let h23 = store["horas"].as_array().unwrap().iter().find(|h| h["hora"] == 23).expect("hour 23 listed");
    assert!(f(&h23["unidades"]) >= 7.0, "{h23}");
    let expected = sql_rows(
        &app,
        &format!(
            "SELECT hour(fecha_venta)::VARCHAR, sum(cantidad_vendida)::DOUBLE FROM ventas
             WHERE producto_codigo = '{code}' AND ubicacion_id = 'tienda_01' AND fecha = DATE '{day}' GROUP BY 1"
        ),
    );
    for (h, units) in expected {
        let got = store["horas"].as_array().unwrap().iter().find(|x| x["hora"].as_u64().unwrap().to_string() == h).unwrap();
        assert!(close(f(&got["unidades"]), units), "hour {h}");
    }
    let day_units: f64 = store["horas"].as_array().unwrap().iter().map(|h| f(&h["unidades"])).sum();
    assert!(close(f(&store["total"]["unidades"]), day_units));

    // Last 20 days (today excluded): days with sales only, an atypical day left out.
    let today = app.state.tenant.today();
    let atypical = end_date() - Duration::days(1);
    {
        let conn = app.state.app_db.lock().unwrap();
        conn.execute(
            "INSERT INTO dias_excluidos_ventas (ubicacion_id, fecha, motivo) VALUES ('tienda_01', ?1, 'inventario')",
            [atypical.to_string()],
        )
        .unwrap();
    }
    let (s, body) = app.get_with_status(&format!("/api/ventas/producto/{code}/ultimos-20-dias?ubicacion_id=tienda_01"), &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let dias = body["dias"].as_array().unwrap();
    let expected = sql_rows(
        &app,
        &format!(
            "SELECT fecha::VARCHAR, sum(cantidad_vendida)::DOUBLE FROM ventas WHERE producto_codigo = '{code}' AND ubicacion_id = 'tienda_01'
             AND fecha BETWEEN DATE '{}' AND DATE '{}' AND fecha <> DATE '{atypical}' GROUP BY 1 HAVING sum(cantidad_vendida) <> 0 ORDER BY 1",
            today - Duration::days(20),
            today - Duration::days(1)
        ),
    );
    assert_eq!(dias.len(), expected.len(), "{body}");
    for (d, (fecha, units)) in dias.iter().zip(&expected) {
        assert_eq!(d["fecha"].as_str().unwrap(), fecha);
        assert!(close(f(&d["unidades"]), *units));
        let weekday = NaiveDate::parse_from_str(fecha, "%Y-%m-%d").unwrap().format("%u").to_string();
        let names = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"];
        assert_eq!(d["dia_semana"], names[weekday.parse::<usize>().unwrap() - 1]);
    }
    assert!(dias.iter().all(|d| d["fecha"] != atypical.to_string()));
}

#[tokio::test]
async fn transactions_history_scope_and_bad_input() {
    let app = spawn_app(true).await;
    let token = app.admin_token.clone();
    let code = best_seller(&app);
    let (from, to) = (end_date() - Duration::days(29), end_date());
    let range = format!("fecha_inicio={from}&fecha_fin={to}");
    let (s, first) = app
        .get_with_status(&format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01&{range}&page_size=20"), &token)
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let r = app.state.warehouse.reader().unwrap();
    let (lines, invoices, units, sales): (i64, i64, f64, f64) = r
        .query_row(
            &format!(
                "SELECT count(*), count(DISTINCT numero_factura), sum(cantidad_vendida)::DOUBLE, sum(venta_total)::DOUBLE FROM ventas
                 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '{code}' AND fecha BETWEEN DATE '{from}' AND DATE '{to}'"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    drop(r);
    assert_eq!(first["totales"]["lineas"], lines);
    assert_eq!(first["totales"]["facturas"], invoices);
    assert!(close(f(&first["totales"]["cantidad"]), units));
    assert!((f(&first["totales"]["venta_total"]) - sales).abs() < 0.006);
    assert_eq!(first["total_pages"].as_i64().unwrap(), (lines + 19) / 20);
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 20.min(lines as usize));
    let times: Vec<&str> = items.iter().map(|i| i["fecha_venta"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(items[0]["factura_linea"].as_str().unwrap().starts_with(items[0]["factura"].as_str().unwrap()));
    // Page 2 continues where page 1 ended.
    let (_, second) = app
        .get_with_status(&format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01&{range}&page_size=20&page=2"), &token)
        .await;
    assert!(second["items"][0]["fecha_venta"].as_str().unwrap() <= times[times.len() - 1]);

    // Sales + stock history: daily over 30 days, every calendar day listed, units as sold.
    let (s, h) = app.get_with_status(&format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01"), &token).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert_eq!(h["puntos"].as_array().unwrap().len(), 30);
    let units: f64 = h["puntos"].as_array().unwrap().iter().map(|p| f(&p["unidades"])).sum();
    assert!(close(units, f(&h["totales"]["unidades"])));
    assert!(close(f(&h["totales"]["promedio_diario"]), (units / 30.0 * 100.0).round() / 100.0));
    assert!(
        ["ruptura_stock", "falta_exhibicion", "baja_demanda", "sin_diagnostico"].contains(&h["diagnostico"]["tipo"].as_str().unwrap()),
        "{h}"
    );
    let (s, h) = app
        .get_with_status(
            &format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01&granularidad=horario&dias=2"),
            &token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let points = h["puntos"].as_array().unwrap();
    assert!(points.len() > 17 && points.len() <= 34, "yesterday's 17 hours and today's so far: {}", points.len());
    assert!(points[0]["periodo"].as_str().unwrap().ends_with(" 06:00"));

    // Scope: a manager of tienda_02 sees only tienda_02, by default and when asking.
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    let (s, body) = app.get_with_status(&format!("/api/ventas/producto/diario?codigo_producto={code}"), &manager).await;
    assert_eq!(s, StatusCode::OK);
    let stores: Vec<&str> = body["tiendas"].as_array().unwrap().iter().map(|t| t["ubicacion_id"].as_str().unwrap()).collect();
    assert_eq!(stores, vec!["tienda_02"]);
    for path in [
        format!("/api/ventas/producto/diario?codigo_producto={code}&ubicaciones=tienda_01"),
        format!("/api/ventas/producto/horario?codigo_producto={code}&ubicaciones=tienda_02,tienda_01"),
        format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01"),
        format!("/api/ventas/producto/{code}/ultimos-20-dias?ubicacion_id=tienda_01"),
        format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01"),
    ] {
        assert_eq!(app.get_with_status(&path, &manager).await.0, StatusCode::FORBIDDEN, "{path}");
    }

    // Bad input: a clear 4xx, never a 5xx, nothing written.
    let before: i64 = app.state.warehouse.reader().unwrap().query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap();
    for (path, status) in [
        (
            format!("/api/ventas/producto/diario?codigo_producto={code}&fecha_inicio={to}&fecha_fin={from}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (format!("/api/ventas/producto/diario?codigo_producto={code}&ubicaciones=tienda_99"), StatusCode::UNPROCESSABLE_ENTITY),
        (format!("/api/ventas/producto/horario?codigo_producto={code}&fecha=2099-01-01"), StatusCode::UNPROCESSABLE_ENTITY),
        (format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01&page_size=0"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01&page_size=1000000000"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01&page=0"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01&granularidad=semanal"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01&dias=100000"), StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/ventas/producto/NOEXISTE/ultimos-20-dias?ubicacion_id=tienda_01".to_string(), StatusCode::NOT_FOUND),
        ("/api/ventas/producto/x'%3B%20DROP%20TABLE%20ventas%3B--/transacciones?ubicacion_id=tienda_01".to_string(), StatusCode::NOT_FOUND),
        (format!("/api/ventas/producto/diario?codigo_producto={}", "9".repeat(60)), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (s, e) = app.get_with_status(&path, &token).await;
        assert_eq!(s, status, "{path}: {e}");
        assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()), "{path}: {e}");
    }
    let after: i64 = app.state.warehouse.reader().unwrap().query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after);
}
