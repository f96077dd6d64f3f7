//! *Ventas de una ubicación* (`GET /api/ventas/detail`, spec 40 §6.2) on the `tiny`
//! synthetic chain through the HTTP API on real files: every figure against SQL over the
//! raw sale lines, the filters, a late-evening sale's day, the export and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

/// The period of the tests: the last 28 generated days.
fn period() -> (NaiveDate, NaiveDate) {
    (end_date() - Duration::days(27), end_date())
}

async fn detail(app: &common::TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let (d, h) = period();
    let r = app
        .client
        .get(app.url(&format!("/api/ventas/detail?fecha_inicio={d}&fecha_fin={h}&{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Per product of tienda_01 over the period, from the raw lines: (units, sales, P75 without
/// stock-out days, P75 of each weekday the same way, Q15 %).
type Expected = (f64, f64, f64, [Option<f64>; 7], f64);

fn expected(app: &common::TestApp) -> (HashMap<String, Expected>, i64) {
    let (d, h) = period();
    let r = app.state.warehouse.reader().unwrap();
    let days: i64 = r
        .query_row(
            &format!(
                "SELECT count(DISTINCT fecha) FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN DATE '{d}' AND DATE '{h}'"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let sql = format!(
        "WITH d AS (SELECT producto_codigo AS c, fecha, sum(cantidad_vendida)::DOUBLE AS q, sum(venta_total)::DOUBLE AS v
                    FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN DATE '{d}' AND DATE '{h}' GROUP BY ALL),
              m AS (SELECT c, avg(q) AS mean FROM d GROUP BY c),
              w AS (SELECT d.c, dayofweek(fecha) AS wd, avg(q) AS mean FROM d GROUP BY ALL),
              overall AS (SELECT d.c, quantile_cont(q, 0.75) AS p75 FROM d JOIN m USING (c) WHERE q >= 0.4 * m.mean GROUP BY d.c),
              per_day AS (SELECT d.c, dayofweek(d.fecha) AS wd, quantile_cont(q, 0.75) AS p75 FROM d JOIN w ON w.c = d.c AND w.wd = dayofweek(d.fecha)
                          WHERE q >= 0.4 * w.mean GROUP BY ALL),
              q15 AS (SELECT c, avg(q) FILTER (WHERE day(fecha) BETWEEN 15 AND 20) AS pay, avg(q) FILTER (WHERE day(fecha) NOT BETWEEN 15 AND 20) AS other FROM d GROUP BY c)
         SELECT d.c, sum(q), sum(v), any_value(o.p75), (SELECT list(wd || ':' || p75) FROM per_day p WHERE p.c = d.c)::VARCHAR,
                coalesce(CASE WHEN any_value(q15.other) > 0 AND any_value(q15.pay) IS NOT NULL THEN round((any_value(q15.pay) / any_value(q15.other) - 1) * 100, 1) END, 0)::DOUBLE
         FROM d JOIN overall o ON o.c = d.c JOIN q15 ON q15.c = d.c GROUP BY d.c"
    );
    let mut stmt = r.prepare(&sql).unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, f64>(5)?,
            ))
        })
        .unwrap();
    let mut out = HashMap::new();
    for row in rows {
        let (c, q, v, p75, per_day, q15) = row.unwrap();
        let mut days = [None; 7];
        for item in per_day.trim_matches(['[', ']']).split(", ").filter(|s| !s.is_empty()) {
            let (wd, p) = item.trim_matches(['\'', '"']).split_once(':').unwrap();
            days[wd.parse::<usize>().unwrap()] = Some(p.parse::<f64>().unwrap());
        }
        out.insert(c, (q, v, p75, days, q15));
    }
    (out, days)
}

#[tokio::test]
async fn every_figure_matches_sql_over_the_raw_sale_lines() {
    let app = spawn_app(true).await;
    let (s, body) = detail(&app, &app.admin_token, "ubicacion_id=tienda_01&page_size=1000").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (want, days) = expected(&app);
    assert_eq!(body["dias_con_venta"], days);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), want.len(), "one row per product sold in the period");
    let total_units: f64 = want.values().map(|w| w.0).sum();
    let mut with_q15 = 0;
    for l in items {
        let code = l["codigo_producto"].as_str().unwrap();
        let (q, v, p75, per_day, q15) = want[code];
        assert!(close(f(&l["cantidad_total"]), q) && close(f(&l["venta_total"]), v), "{code}: totals");
        assert!(close(f(&l["promedio_diario"]), q / days as f64), "{code}: average per selling day of the store");
        assert!(close(f(&l["porcentaje_total"]), q / total_units * 100.0), "{code}: share");
        assert!(close(f(&l["p75"]), p75), "{code}: P75 {} against SQL {p75}", l["p75"]);
        for (wd, p) in per_day.iter().enumerate() {
            match p {
                Some(p) => assert!(close(f(&l["p75_dia_semana"][wd]), *p), "{code}: weekday {wd}"),
                None => assert!(l["p75_dia_semana"][wd].is_null(), "{code}: weekday {wd} without sales"),
            }
        }
        assert_eq!(f(&l["q15_pct"]), q15, "{code}: Q15");
        with_q15 += usize::from(q15 != 0.0);
        let rank = l["rank"].as_u64().unwrap();
        assert_eq!(
            l["clase_abc_periodo"],
            if rank <= 50 {
                "A"
            } else if rank <= 200 {
                "B"
            } else {
                "C"
            }
        );
    }
    assert!(with_q15 > 20, "the payday effect is measured for real: {with_q15}");
    let units: Vec<f64> = items.iter().map(|l| f(&l["cantidad_total"])).collect();
    assert!(units.windows(2).all(|w| w[0] >= w[1]), "sorted by units by default");
}

#[tokio::test]
async fn filters_rank_within_the_filtered_set_and_sort_as_asked() {
    let app = spawn_app(true).await;
    let token = &app.admin_token;
    let (_, all) = detail(&app, token, "ubicacion_id=tienda_01&page_size=1000").await;
    let items = all["items"].as_array().unwrap();
    let cat = items[0]["categoria"].as_str().unwrap();
    let (_, by_cat) = detail(&app, token, &format!("ubicacion_id=tienda_01&page_size=1000&categoria={}", cat.replace(' ', "%20"))).await;
    let rows = by_cat["items"].as_array().unwrap();
    assert_eq!(rows.len(), items.iter().filter(|l| l["categoria"] == cat).count());
    assert_eq!(rows[0]["rank"], 1, "ranked within the category");
    assert!(close(rows.iter().map(|l| f(&l["porcentaje_total"])).sum::<f64>(), 100.0));

    let (_, a) = detail(&app, token, "ubicacion_id=tienda_01&page_size=1000&abc=A").await;
    assert_eq!(a["items"].as_array().unwrap().len(), 50.min(items.len()));
    let (_, by_sales) = detail(&app, token, "ubicacion_id=tienda_01&page_size=1000&sort_by=venta_total").await;
    let sales: Vec<f64> = by_sales["items"].as_array().unwrap().iter().map(|l| f(&l["venta_total"])).collect();
    assert!(sales.windows(2).all(|w| w[0] >= w[1]));
    let (_, found) = detail(&app, token, "ubicacion_id=tienda_01&search=bolsa").await;
    assert!(found["items"].as_array().unwrap().iter().all(|l| l["descripcion"].as_str().unwrap().to_lowercase().contains("bolsa")));
    let (s, hostile) = detail(&app, token, "ubicacion_id=tienda_01&search=%27%20OR%201%3D1%20--").await;
    assert_eq!((s, hostile["totales"]["productos"].as_u64()), (StatusCode::OK, Some(0)));

    // Paging: 50 a page.
    let (_, p2) = detail(&app, token, "ubicacion_id=tienda_01&page=2").await;
    assert_eq!(p2["items"][0]["rank"], 51);

    // The same weekdays drill-down: Mondays only, newest first, at most 8.
    let code = items[0]["codigo_producto"].as_str().unwrap();
    let r = app
        .client
        .get(app.url(&format!("/api/ventas/producto/{code}/historico-dia?ubicacion_id=tienda_01&dia_semana=1")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h: Value = r.json().await.unwrap();
    let dates: Vec<NaiveDate> = h["fechas"].as_array().unwrap().iter().map(|d| d["fecha"].as_str().unwrap().parse().unwrap()).collect();
    assert!(
        dates.len() <= 8 && dates.iter().all(|d| d.weekday() == chrono::Weekday::Mon) && dates.windows(2).all(|w| w[0] > w[1]),
        "{dates:?}"
    );
}

#[tokio::test]
async fn a_sale_at_half_past_eleven_at_night_belongs_to_that_local_day() {
    let app = spawn_app(true).await;
    let day = end_date() - Duration::days(3);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ventas.csv"),
        format!("ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\ntienda_01,NOCHE-1,1,{day} 23:30:00,003760,1000,50.00\n"),
    )
    .unwrap();
    let opts = fluxion::sources::files::ImportOptions { skip_bad_rows: false, now_utc: chrono::Utc::now().naive_utc() };
    fluxion::sources::files::import_dir(&app.state.warehouse, &app.state.tenant, dir.path(), &opts).unwrap();
    let one_day = |d: NaiveDate| format!("/api/ventas/detail?ubicacion_id=tienda_01&fecha_inicio={d}&fecha_fin={d}&search=003760");
    let units = |v: &Value| v["items"].as_array().unwrap().first().map_or(0.0, |l| f(&l["cantidad_total"]));
    let that: Value = app.get_json(&one_day(day), &app.admin_token).await;
    let next: Value = app.get_json(&one_day(day + Duration::days(1)), &app.admin_token).await;
    let raw = |d: NaiveDate| -> f64 {
        app.state
            .warehouse
            .reader()
            .unwrap()
            .query_row(&format!("SELECT coalesce(sum(cantidad_vendida), 0)::DOUBLE FROM ventas WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '003760' AND fecha_venta::DATE = DATE '{d}'"), [], |r| r.get(0))
            .unwrap()
    };
    assert!(units(&that) >= 1000.0, "the 23:30 sale is in {day}");
    assert_eq!(units(&that), raw(day));
    assert_eq!(units(&next), raw(day + Duration::days(1)), "and not in the next day");
}

#[tokio::test]
async fn the_export_has_both_sheets_and_bad_requests_are_named() {
    let app = spawn_app(true).await;
    let token = &app.admin_token;
    let (_, all) = detail(&app, token, "ubicacion_id=tienda_01&page_size=1000").await;
    let n = all["items"].as_array().unwrap().len();
    let (d, h) = period();
    let r = app
        .client
        .get(app.url(&format!("/api/ventas/export-resumen?ubicacion_id=tienda_01&fecha_inicio={d}&fecha_fin={h}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("ventas_tienda_01_{d}_{h}.xlsx")));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let book = read("xl/workbook.xml");
    assert!(book.contains("Resumen Ventas") && book.contains("Ventas Diarias"), "{book}");
    assert_eq!(read("xl/worksheets/sheet1.xml").matches("<row ").count(), n + 1);
    assert_eq!(read("xl/worksheets/sheet2.xml").matches("<row ").count(), n + 1);
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains(&h.to_string()) && strings.contains(&d.to_string()), "one column per date");

    app.add_user("gerente.t2", "clave-gerente-123", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente.t2", "clave-gerente-123").await;
    assert_eq!(detail(&app, &manager, "ubicacion_id=tienda_01").await.0, StatusCode::FORBIDDEN);
    assert_eq!(detail(&app, &manager, "ubicacion_id=tienda_02").await.0, StatusCode::OK);
    for (query, field) in [
        ("ubicacion_id=tienda_99", "ubicacion_id"),
        ("ubicacion_id=cedi_seco", "ubicacion_id"),
        ("ubicacion_id=tienda_01&page_size=0", "page_size"),
        ("ubicacion_id=tienda_01&page_size=1000000000", "page_size"),
        ("ubicacion_id=tienda_01&abc=D", "abc"),
        ("ubicacion_id=tienda_01&sort_by=precio", "sort_by"),
    ] {
        let (s, body) = detail(&app, token, query).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
    let reversed = app
        .client
        .get(app.url(&format!("/api/ventas/detail?ubicacion_id=tienda_01&fecha_inicio={h}&fecha_fin={d}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(reversed.status(), StatusCode::UNPROCESSABLE_ENTITY, "reversed dates");
    let body: Value = reversed.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("anterior"), "{body}");
    let future =
        app.client.get(app.url("/api/ventas/detail?ubicacion_id=tienda_01&fecha_fin=2999-01-01")).bearer_auth(token).send().await.unwrap();
    assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_category_choices_and_the_daily_export_path() {
    let app = spawn_app(true).await;
    let token = &app.admin_token;
    let (d, h) = period();
    let (_, all) = detail(&app, token, "ubicacion_id=tienda_01&page_size=1000").await;
    let r = app
        .client
        .get(app.url(&format!("/api/ventas/categorias?ubicacion_id=tienda_01&fecha_inicio={d}&fecha_fin={h}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    let sold: std::collections::BTreeSet<String> =
        all["items"].as_array().unwrap().iter().filter_map(|i| i["categoria"].as_str().map(str::to_string)).collect();
    let listed: Vec<String> = serde_json::from_value(c["categorias"].clone()).unwrap();
    assert_eq!(listed, sold.into_iter().collect::<Vec<_>>(), "exactly the categories of the products sold, sorted");
    let r = app
        .client
        .get(app.url(&format!("/api/ventas/export-diario?ubicacion_id=tienda_01&fecha_inicio={d}&fecha_fin={h}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("ventas_tienda_01_{d}_{h}.xlsx")));
}
