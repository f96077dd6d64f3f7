//! *Inventario de una ubicación* (`GET /api/stock`, spec 40 §7.2) on the `tiny` synthetic
//! chain through the HTTP API on real files: each row's figures against an independent
//! recomputation in SQL from the raw sale lines and stock, the filters, the page
//! statistics, the CEDI branch, the Excel export and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

async fn stock(app: &common::TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let r = app.client.get(app.url(&format!("/api/stock?fecha={}&{query}", today()))).bearer_auth(token).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The tiny chain with its classification caches built for `today`, as after a sales load.
async fn classified_app() -> common::TestApp {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, today()).unwrap();
    app
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Per product of tienda_01: P75 of the daily units of its selling days in the 20 complete
/// days before `today`, computed by DuckDB from the raw sale lines.
fn sql_p75s(app: &common::TestApp) -> HashMap<String, f64> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r
        .prepare(&format!(
            "WITH d AS (SELECT producto_codigo, fecha, sum(cantidad_vendida)::DOUBLE AS q FROM ventas
                        WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN DATE '{}' AND DATE '{}' GROUP BY ALL)
             SELECT producto_codigo, quantile_cont(q, 0.75)::DOUBLE FROM d GROUP BY 1",
            today() - Duration::days(20),
            today() - Duration::days(1)
        ))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[tokio::test]
async fn every_row_matches_a_recomputation_from_the_raw_sale_lines_and_stock() {
    let app = classified_app().await;
    let (s, body) = stock(&app, &app.admin_token, "ubicacion_id=tienda_01&page_size=100000").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    let rows: i64 = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM inventario_actual i JOIN productos p ON p.codigo = i.producto_codigo AND p.activo WHERE i.ubicacion_id = 'tienda_01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(items.len() as i64, rows, "one row per stock row of an active product");
    assert_eq!(body["estadisticas"]["total"], rows);

    let p75s = sql_p75s(&app);
    let classes: HashMap<String, String> = {
        let r = app.state.warehouse.reader().unwrap();
        let mut s = r.prepare("SELECT producto_codigo, clase_abc FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01'").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    let mut with_demand = 0;
    let mut states: HashMap<String, usize> = HashMap::new();
    for l in items {
        let code = l["codigo_producto"].as_str().unwrap();
        let p75 = p75s.get(code).copied().unwrap_or(0.0);
        assert!(close(f(&l["p75"]), p75), "{code}: P75 {} against SQL {p75}", l["p75"]);
        // Defaults: LT 1.5; coverage A 7, B 14, C 21, D 30, no class → C.
        let target = match classes.get(code).map(String::as_str) {
            Some("A") => 7.0,
            Some("B") => 14.0,
            Some("D") => 30.0,
            _ => 21.0,
        };
        let (ss, rop, max) = (p75 * 1.5, p75 * (1.5 + target / 2.0), p75 * (1.5 + target));
        assert!(
            close(f(&l["stock_seguridad"]), ss) && close(f(&l["punto_reorden"]), rop) && close(f(&l["stock_maximo"]), max),
            "{code}: levels"
        );
        let stock = f(&l["stock"]);
        let expected = if p75 <= 0.0 {
            "SIN_DEMANDA"
        } else if stock <= ss {
            "CRITICO"
        } else if stock <= rop {
            "URGENTE"
        } else if stock <= max {
            "OPTIMO"
        } else {
            "EXCESO"
        };
        assert_eq!(l["estado_criticidad"], expected, "{code}");
        if p75 > 0.0 {
            with_demand += 1;
            assert!(close(f(&l["dias_cobertura_actual"]), stock / p75), "{code}: coverage days");
        } else {
            assert!(l["dias_cobertura_actual"].is_null());
        }
        *states.entry(expected.to_string()).or_default() += 1;
    }
    assert!(with_demand > 100, "a real test: {with_demand} rows with demand");
    let classes_seen: std::collections::HashSet<&str> = items.iter().filter_map(|l| l["clase_abc"].as_str()).collect();
    assert!(classes_seen.len() >= 3, "the store's classes are used: {classes_seen:?}");
    assert!(states.len() >= 4, "several states appear: {states:?}");
    let stats = &body["estadisticas"];
    assert_eq!(stats["criticos"].as_u64().unwrap() as usize, states.get("CRITICO").copied().unwrap_or(0));
    assert_eq!(stats["urgentes"].as_u64().unwrap() as usize, states.get("URGENTE").copied().unwrap_or(0));

    // The region's CEDI stock per row, against SQL.
    let cedi_stock: f64 = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            &format!(
                "SELECT coalesce(sum(cantidad), 0)::DOUBLE FROM inventario_actual WHERE producto_codigo = '{}' AND ubicacion_id IN
                   (SELECT id FROM app.ubicaciones WHERE tipo = 'cedi' AND activo AND region = (SELECT region FROM app.ubicaciones WHERE id = 'tienda_01'))",
                items[0]["codigo_producto"].as_str().unwrap()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(close(f(&items[0]["stock_cedi"]), cedi_stock));
}

#[tokio::test]
async fn filters_sort_and_page_statistics_follow_the_rows() {
    let app = classified_app().await;
    let token = &app.admin_token;
    let (_, all) = stock(&app, token, "ubicacion_id=tienda_01&page_size=100000").await;
    let items = all["items"].as_array().unwrap();
    // Default sort: stock, largest first.
    let stocks: Vec<f64> = items.iter().map(|l| f(&l["stock"])).collect();
    assert!(stocks.windows(2).all(|w| w[0] >= w[1]));

    for (query, check) in [
        ("estado=CRITICO", Box::new(|l: &Value| l["estado_criticidad"] == "CRITICO") as Box<dyn Fn(&Value) -> bool>),
        ("abc=A", Box::new(|l: &Value| l["clase_abc"] == "A")),
        ("abc=SIN_VENTAS", Box::new(|l: &Value| l["clase_abc"].is_null())),
        ("stock_tienda=SIN_STOCK", Box::new(|l: &Value| f(&l["stock"]) <= 0.0)),
        ("clasificacion=ACTIVO", Box::new(|l: &Value| l["clasificacion_producto"] == "ACTIVO")),
        ("velocidad=MUY_ALTA", Box::new(|l: &Value| l["velocidad_venta"] == "MUY_ALTA")),
        ("top=20", Box::new(|l: &Value| l["rank_ventas"].as_i64().is_some_and(|r| r <= 20))),
    ] {
        let (s, body) = stock(&app, token, &format!("ubicacion_id=tienda_01&page_size=100000&{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}");
        let got = body["items"].as_array().unwrap();
        let expected = items.iter().filter(|l| check(l)).count();
        assert!(expected > 0, "{query} keeps some rows of the tiny chain");
        assert_eq!(got.len(), expected, "{query}");
        assert_eq!(body["estadisticas"]["total"].as_u64().unwrap() as usize, expected, "{query}: statistics of the filtered set");
    }

    // Codes without their leading zeros; SQL-shaped text is only text.
    let code = items[0]["codigo_producto"].as_str().unwrap();
    let (_, by_code) = stock(&app, token, &format!("ubicacion_id=tienda_01&search={}", code.trim_start_matches('0'))).await;
    assert!(by_code["items"].as_array().unwrap().iter().any(|l| l["codigo_producto"] == code));
    let (s, hostile) = stock(&app, token, "ubicacion_id=tienda_01&search=%27%3B%20DROP%20TABLE%20ventas%3B--").await;
    assert_eq!((s, hostile["estadisticas"]["total"].as_u64()), (StatusCode::OK, Some(0)));

    // Days of stock ascending, no-demand rows last; rank always best first.
    let (_, by_days) = stock(&app, token, "ubicacion_id=tienda_01&page_size=100000&sort_by=dias_stock&sort_order=asc").await;
    let days: Vec<Option<f64>> = by_days["items"].as_array().unwrap().iter().map(|l| l["dias_cobertura_actual"].as_f64()).collect();
    let first_null = days.iter().position(Option::is_none).unwrap_or(days.len());
    assert!(days[first_null..].iter().all(Option::is_none), "nulls last");
    assert!(days[..first_null].windows(2).all(|w| w[0] <= w[1]));
    let (_, by_rank) = stock(&app, token, "ubicacion_id=tienda_01&page_size=100000&sort_by=rank_ventas&sort_order=desc").await;
    let ranks: Vec<i64> = by_rank["items"].as_array().unwrap().iter().filter_map(|l| l["rank_ventas"].as_i64()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]) && ranks[0] == 1);

    // Pages: 50 a page by default, the last one holds the rest.
    let (_, p1) = stock(&app, token, "ubicacion_id=tienda_01").await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 50);
    let pages = p1["total_pages"].as_u64().unwrap() as usize;
    assert_eq!(pages, items.len().div_ceil(50));
    let (_, last) = stock(&app, token, &format!("ubicacion_id=tienda_01&page={pages}")).await;
    assert_eq!(last["items"].as_array().unwrap().len(), items.len() - 50 * (pages - 1));
}

#[tokio::test]
async fn a_cedi_row_carries_its_regions_demand_and_store_stock() {
    let app = spawn_app(true).await;
    let (s, body) = stock(&app, &app.admin_token, "ubicacion_id=cedi_seco&page_size=100000").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["es_cedi"], true);
    let items = body["items"].as_array().unwrap();
    let l = items.iter().find(|l| f(&l["p75"]) > 0.0).expect("a product with regional demand");
    let code = l["codigo_producto"].as_str().unwrap();
    // Σ over the region's stores of each store's 30-day P75 (selling days), in SQL.
    let (p75, store_stock): (f64, f64) = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            &format!(
                "WITH region AS (SELECT id FROM app.ubicaciones WHERE tipo = 'tienda' AND activo
                                  AND region = (SELECT region FROM app.ubicaciones WHERE id = 'cedi_seco')),
                      d AS (SELECT ubicacion_id, fecha, sum(cantidad_vendida)::DOUBLE AS q FROM ventas
                            WHERE producto_codigo = '{code}' AND ubicacion_id IN (SELECT id FROM region)
                              AND fecha BETWEEN DATE '{}' AND DATE '{}' GROUP BY ALL),
                      p AS (SELECT ubicacion_id, quantile_cont(q, 0.75) AS p75 FROM d GROUP BY 1)
                 SELECT (SELECT coalesce(sum(p75), 0) FROM p)::DOUBLE,
                        (SELECT coalesce(sum(cantidad), 0) FROM inventario_actual WHERE producto_codigo = '{code}'
                           AND ubicacion_id IN (SELECT id FROM region))::DOUBLE",
                today() - Duration::days(30),
                today() - Duration::days(1)
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(close(f(&l["p75"]), p75), "{code}: regional P75 {} against SQL {p75}", l["p75"]);
    assert!(close(f(&l["stock_cedi"]), store_stock), "{code}: stock in the region's stores");
    assert_eq!(l["lead_time"], 2.0);
    assert!(l["clasificacion_producto"].is_null() && l["velocidad_venta"].is_null(), "stores only");
}

#[tokio::test]
async fn the_export_holds_every_filtered_row_and_bad_requests_are_named() {
    let app = spawn_app(true).await;
    let token = &app.admin_token;
    let (_, critical) = stock(&app, token, "ubicacion_id=tienda_01&estado=CRITICO").await;
    let n = critical["estadisticas"]["total"].as_u64().unwrap();
    let r = app
        .client
        .get(app.url(&format!("/api/stock/exportar?fecha={}&ubicacion_id=tienda_01&estado=CRITICO", today())))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("inventario_tienda_01_{}.xlsx", today())));
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a real .xlsx");
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    assert_eq!(sheet.matches("<row ").count() as u64, n + 2, "title, header and one row per critical row");

    app.add_user("gerente.t2", "clave-gerente-123", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente.t2", "clave-gerente-123").await;
    assert_eq!(stock(&app, &manager, "ubicacion_id=tienda_01").await.0, StatusCode::FORBIDDEN, "not his store");
    assert_eq!(stock(&app, &manager, "ubicacion_id=tienda_02").await.0, StatusCode::OK);

    for (query, field) in [
        ("ubicacion_id=tienda_99", "ubicacion_id"),
        ("page_size=0&ubicacion_id=tienda_01", "page_size"),
        ("page_size=1000000000&ubicacion_id=tienda_01", "page_size"),
        ("page=0&ubicacion_id=tienda_01", "page"),
        ("estado=ROJO&ubicacion_id=tienda_01", "estado"),
        ("abc=Z&ubicacion_id=tienda_01", "abc"),
        ("sort_by=precio&ubicacion_id=tienda_01", "sort_by"),
        ("stock_cedi=MUCHO&ubicacion_id=tienda_01", "stock_cedi"),
    ] {
        let (s, body) = stock(&app, token, query).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let r = app.client.get(app.url("/api/stock?ubicacion_id=tienda_01&fecha=2999-01-01")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a date in the future");
}

#[tokio::test]
async fn a_kept_table_is_replaced_once_the_stock_changes() {
    let app = spawn_app(true).await;
    let (_, before) = stock(&app, &app.admin_token, "ubicacion_id=tienda_01&page_size=1").await;
    let top = before["items"][0].clone();
    let code = top["codigo_producto"].as_str().unwrap();
    app.state
        .warehouse
        .write(|c| {
            c.execute(
                "UPDATE inventario_actual SET cantidad = cantidad + 1000000 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?",
                [code],
            )
        })
        .unwrap();
    let (_, after) = stock(&app, &app.admin_token, &format!("ubicacion_id=tienda_01&search={code}")).await;
    assert_eq!(f(&after["items"][0]["stock"]), f(&top["stock"]) + 1_000_000.0, "the next request sees the new stock");

    // Warming computes what a request would get; the next request finds it current.
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    let tables = &app.state.inventory_tables;
    app.state.warehouse.write(|c| c.execute_batch("UPDATE inventario_actual SET cantidad = cantidad WHERE false")).unwrap();
    assert!(!tables.is_current(&db, &app.state.warehouse, "tienda_01", today()).unwrap(), "a write makes the kept table stale");
    let locations = app.state.tenant.stores().iter().filter(|s| s.active).count();
    assert_eq!(tables.warm(&app.state.tenant, &db, &app.state.warehouse, today()), locations);
    assert!(tables.is_current(&db, &app.state.warehouse, "cedi_seco", today()).unwrap());
    assert!(tables.is_current(&db, &app.state.warehouse, "tienda_01", today()).unwrap());
}

#[tokio::test]
async fn the_health_chart_counts_the_tables_rows_by_class_and_state() {
    let app = classified_app().await;
    let token = &app.admin_token;
    for (cedi, filter) in [("", ""), ("&stock_cedi=CON_STOCK", "&stock_cedi=CON_STOCK")] {
        let (_, table) = stock(&app, token, &format!("ubicacion_id=tienda_01&page_size=100000{filter}")).await;
        let r = app
            .client
            .get(app.url(&format!("/api/stock/health/tienda_01?fecha={}{cedi}", today())))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let health: Value = r.json().await.unwrap();
        let blocks = health["bloques"].as_array().unwrap();
        let block = |c: &str| blocks.iter().find(|b| b["clase"] == c).unwrap().clone();
        let rows = table["items"].as_array().unwrap();
        for class in ["A", "B", "C", "D", "SIN_VENTAS"] {
            let of_class: Vec<&Value> = rows.iter().filter(|l| l["clase_abc"].as_str().unwrap_or("SIN_VENTAS") == class).collect();
            let b = block(class);
            for (field, state) in
                [("critico", "CRITICO"), ("urgente", "URGENTE"), ("optimo", "OPTIMO"), ("exceso", "EXCESO"), ("sin_demanda", "SIN_DEMANDA")]
            {
                assert_eq!(
                    b[field].as_u64().unwrap() as usize,
                    of_class.iter().filter(|l| l["estado_criticidad"] == state).count(),
                    "{class} {state}{filter}"
                );
            }
        }
        // A+B's score, recomputed: (óptimo + exceso) / rows, with and without the rows without demand.
        let ab = block("A+B");
        let n = |k: &str| ab[k].as_f64().unwrap();
        let healthy = n("optimo") + n("exceso");
        let all = healthy + n("critico") + n("urgente") + n("sin_demanda");
        assert!(all > 0.0, "the A+B block has rows");
        assert_eq!(f(&ab["salud"]), (healthy / all * 1000.0).round() / 10.0);
        assert_eq!(f(&ab["salud_sin_demanda_excluida"]), (healthy / (all - n("sin_demanda")) * 1000.0).round() / 10.0);
        assert_eq!(
            block("TOTAL")["critico"].as_u64().unwrap() as usize,
            rows.iter().filter(|l| l["estado_criticidad"] == "CRITICO").count()
        );
    }
}

#[tokio::test]
async fn the_two_hour_reconciliation_finds_the_units_sales_do_not_explain() {
    let app = spawn_app(true).await;
    // E14 in the last day: a block with stock 50 then 38 and 10 units sold between.
    let now = chrono::Utc::now().with_timezone(&app.state.tenant.timezone).naive_local();
    let start = fluxion::domain::reconciliation::block_start(now - Duration::hours(4));
    let at = |m: i64| start + Duration::minutes(m);
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(&format!(
                "INSERT INTO inventario_historico VALUES
                   ('tienda_01', 'T01-PV', '000101', TIMESTAMP '{}', 50, NULL, true, 'etl', NULL),
                   ('tienda_01', 'T01-PV', '000101', TIMESTAMP '{}', 38, -12, true, 'etl', NULL)",
                at(5).format("%Y-%m-%d %H:%M:%S"),
                at(95).format("%Y-%m-%d %H:%M:%S")
            ))
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ventas.csv"),
        format!(
            "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n\
             tienda_01,R-1,1,{},000101,4,6.00\ntienda_01,R-2,1,{},000101,6,9.00\n",
            at(30).format("%Y-%m-%d %H:%M:%S"),
            at(60).format("%Y-%m-%d %H:%M:%S")
        ),
    )
    .unwrap();
    let opts = fluxion::sources::files::ImportOptions { skip_bad_rows: false, now_utc: chrono::Utc::now().naive_utc() };
    fluxion::sources::files::import_dir(&app.state.warehouse, &app.state.tenant, dir.path(), &opts).unwrap();

    let r: Value = app.get_json("/api/productos/000101/reconciliacion-inventario?ubicacion_id=tienda_01&horas=24", &app.admin_token).await;
    let block = r["bloques"].as_array().unwrap().iter().find(|b| b["almacen_codigo"] == "T01-PV").expect("the block").clone();
    assert_eq!(
        (f(&block["inicio"]), f(&block["fin"]), f(&block["cambio"]), f(&block["ventas"]), f(&block["diferencia"])),
        (50.0, 38.0, -12.0, 10.0, -2.0)
    );
    let h: Value = app.get_json("/api/productos/000101/historico-inventario?ubicacion_id=tienda_01&dias=1", &app.admin_token).await;
    let points = h["puntos"].as_array().unwrap();
    assert!(points.iter().filter(|p| p["es_actual"] == false).count() >= 2, "{h}");
    assert!(points.iter().any(|p| p["es_actual"] == true), "the current stock closes the series");
    let bad = app
        .client
        .get(app.url("/api/productos/000101/reconciliacion-inventario?ubicacion_id=tienda_01&horas=0"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
