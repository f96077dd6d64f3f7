//! KLK connector and ETL pipeline against a fake KLK API served over HTTP by axum:
//! the worked examples of spec 20 §5.4–§5.5, response shapes and quirks, windows per
//! local date, quarantine, refusal of empty/truncated listings, retries and timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use std::time::Duration;

use fluxion::etl::{EtlJob, RunKind};
use serde_json::json;
use support::*;

/// The three items of the §5.4 response (item 3 repeats item 1's key).
fn worked_example_items() -> Vec<serde_json::Value> {
    serde_json::from_str(
        r#"[
  {"numero_factura": "C10-01-00008064", "fecha": "2025-11-17", "hora": "12:49:56.8966141", "linea": 1,
   "producto": [{"codigo_producto": "001853", "descripcion_producto": "NECTAR PERA 250 ML",
                 "categoria_producto": "NECTARES Y JUGOS", "grupo_articulo": "BEBIDAS",
                 "cuadrante_producto": "CUADRANTE II"}],
   "cantidad": [{"codigo_almacen": "APP-TPF", "nombre_almacen": "PISO DE VENTA", "cantidad_vendida": 2,
                 "peso_unitario": 0, "unidad_medida_venta": "UNIDAD", "factor_unidad_medida": 1}],
   "financiero": [{"precio_unitario_usd": 1.5, "costo_unitario_usd": 1.0, "venta_total_usd": 3.0,
                   "costo_total_usd": 2.0, "utilidad_bruta_usd": 1.0, "precio_unitario_bs": 354.69,
                   "venta_total_bs": 709.38, "impuesto_porcentaje": 16, "impuesto_monto": 113.50}],
   "total_factura": 822.88, "tasa_usd": 236.46, "es_no_fiscal": false},
  {"numero_factura": "C10-01-00008071", "fecha": "2025-11-17", "hora": "13:05:00.0000000", "linea": 1,
   "producto": [{"codigo_producto": "000006", "descripcion_producto": "ROMERO KG"}],
   "cantidad": [{"codigo_almacen": "APP-TPF", "nombre_almacen": "PISO DE VENTA", "cantidad_vendida": 0.74,
                 "peso_unitario": 1, "unidad_medida_venta": "KG", "factor_unidad_medida": 1}],
   "financiero": [{"precio_unitario_usd": 6.0, "costo_unitario_usd": 5.0, "venta_total_usd": 4.44,
                   "costo_total_usd": 3.70, "utilidad_bruta_usd": 0.74}],
   "tasa_usd": 236.46},
  {"numero_factura": "C10-01-00008064", "fecha": "2025-11-17", "hora": "12:49:56.8966141", "linea": 1,
   "producto": [{"codigo_producto": "001853"}],
   "cantidad": [{"codigo_almacen": "APP-TPF", "cantidad_vendida": 2, "peso_unitario": 0,
                 "unidad_medida_venta": "UNIDAD", "factor_unidad_medida": 1}],
   "financiero": [{"precio_unitario_usd": 1.5, "costo_unitario_usd": 1.0, "venta_total_usd": 3.0,
                   "costo_total_usd": 2.0, "utilidad_bruta_usd": 1.0}], "tasa_usd": 236.46}
]"#,
    )
    .unwrap()
}

const SALES_ROWS: &str = "SELECT ubicacion_id, numero_factura, linea::VARCHAR, strftime(fecha_venta, '%Y-%m-%d %H:%M:%S'),
    producto_codigo, cantidad_vendida::VARCHAR, peso_calculado::VARCHAR, total_cantidad_por_unidad_medida::VARCHAR,
    venta_total::VARCHAR, costo_total::VARCHAR, utilidad_bruta::VARCHAR, margen_bruto_pct::VARCHAR
    FROM ventas ORDER BY ubicacion_id, numero_factura, linea";

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[tokio::test]
async fn worked_example_5_4_sales_payload_to_rows() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", worked_example_items());
    // A line of another warehouse of the same branch is not this location's sale.
    klk.state.add_sales("SUC001", vec![sale_item("C10-99-1", 1, "2025-11-17", "13:00:00.0000000", "000777", 1.0, 2.0, "APP-DEV")]);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    env.set_watermark("tienda_01", "2025-11-17 13:00:04");

    // The window of the hourly run at 14:00:05 local (18:00:05Z), run manually so that the
    // hour-gap re-extraction of the scheduled job (a store without history flags every
    // empty hour, §7.2) does not add requests to the worked example.
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.now = Some(utc("2025-11-17T18:00:05Z"))).await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    let reqs = klk.state.requests_to("/ventas");
    assert_eq!(
        reqs,
        vec![json!({"sucursal": "SUC001", "fecha_desde": "2025-11-17", "fecha_hasta": "2025-11-17",
                    "hora_desde": "12:30:04", "hora_hasta": "14:00:05", "almacen": "APP-TPF"})]
    );
    let o = &r.location("tienda_01").unwrap().outcome;
    assert_eq!((o.records_extracted, o.duplicates_skipped, o.loaded()), (3, 1, 2));
    assert_eq!(
        env.dump(SALES_ROWS),
        vec![
            s(&[
                "tienda_01",
                "C10-01-00008064",
                "1",
                "2025-11-17 12:49:56",
                "001853",
                "2.0000",
                "0.0000",
                "2.0000",
                "3.0000",
                "2.0000",
                "1.0000",
                "33.33"
            ]),
            s(&[
                "tienda_01",
                "C10-01-00008071",
                "1",
                "2025-11-17 13:05:00",
                "000006",
                "0.7400",
                "0.7400",
                "0.7400",
                "4.4400",
                "3.7000",
                "0.7400",
                "16.67"
            ]),
        ]
    );
    // The last occurrence won: it carries no Bs amounts and no warehouse name.
    assert_eq!(
        env.dump("SELECT almacen_codigo, almacen_nombre, precio_unitario_bs::VARCHAR, tasa_usd::VARCHAR FROM ventas WHERE linea = 1 AND numero_factura = 'C10-01-00008064'"),
        vec![s(&["APP-TPF", "NULL", "NULL", "236.4600"])]
    );
    // Product side effects: placeholders named from the lines; KG marks weighed goods.
    assert_eq!(
        env.dump("SELECT codigo, descripcion, es_pesable::VARCHAR FROM productos ORDER BY codigo"),
        vec![s(&["000006", "ROMERO KG", "true"]), s(&["001853", "NECTAR PERA 250 ML", "false"])]
    );
    assert_eq!(env.watermark("tienda_01").as_deref(), Some("2025-11-17 14:00:05"));
    let conn = env.sqlite();
    // A sales load rebuilds the classification and demand caches, for the run's business date.
    let (rebuilt, fecha_base): (i64, String) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM abc_cache_control WHERE estado = 'completado'),
                    (SELECT fecha_base FROM demanda_p75_cache WHERE ubicacion_id = 'tienda_01')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((rebuilt, fecha_base.as_str()), (1, "2025-11-17"));
    let (ext, dup, loaded, ins, upd): (i64, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT records_extracted, duplicates_skipped, records_loaded, records_inserted, records_updated
             FROM etl_execution_details WHERE execution_id = ?1 AND tienda_id = 'tienda_01'",
            [r.execution_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!((ext, dup, loaded, ins, upd), (3, 1, 2, 2, 0));

    // Re-running the same request later: inserted 0, updated 2, row count unchanged.
    let before = env.dump("SELECT * FROM ventas ORDER BY numero_factura, linea");
    let r2 = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.now = Some(utc("2025-11-17T18:00:05Z"))).await;
    let id2 = r2.execution_id;
    let (loaded, ins, upd): (i64, i64, i64) = conn
        .query_row(
            "SELECT records_loaded, records_inserted, records_updated FROM etl_execution_details WHERE execution_id = ?1",
            [id2],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((loaded, ins, upd), (2, 0, 2));
    assert_eq!(env.dump("SELECT * FROM ventas ORDER BY numero_factura, linea"), before, "identical rows, bookkeeping included");
    assert!(klk.state.violations.lock().unwrap().is_empty());
}

fn worked_example_articles() -> Vec<serde_json::Value> {
    vec![
        article("QUESO AMARILLO KG", "000002", "00010", "99", "N/A", "99", "QUESOS", "N/A", 12.08, 16.0, 23.0),
        article("ROMERO KG", "000006", "01024", "08", "FRUVER", "1", "POR PESO", "N/A", 6.00, 0.0, -4.5),
        article("NECTAR PERA 250 ML", "001853", "7590000000017", "12", "VIVERES", "3", "JUGOS", "MARCA X", 1.5, 16.0, 0.0),
    ]
}

#[tokio::test]
async fn worked_example_5_5_articles_to_products_and_stock() {
    let klk = spawn_klk().await;
    klk.state.set_articles("APP-TPF", worked_example_articles());
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    let r = env
        .run(EtlJob::Inventario, RunKind::Manual, |q| {
            q.now = Some(utc("2025-11-17T14:30:02Z"));
            q.stores = vec!["tienda_01".into()];
        })
        .await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    assert_eq!(klk.state.requests_to("/maestra/articulos/almacen"), vec![json!({"Codigoalmacen": "APP-TPF"})]);
    assert_eq!(
        env.dump(
            "SELECT codigo, descripcion, codigo_barras, coalesce(categoria, 'NULL'), coalesce(grupo, 'NULL'), coalesce(subgrupo, 'NULL'),
                    coalesce(marca, 'NULL'), precio_venta_usd::VARCHAR, iva_pct::VARCHAR, fuente
             FROM productos ORDER BY codigo"
        ),
        vec![
            s(&["000002", "QUESO AMARILLO KG", "00010", "NULL", "QUESOS", "NULL", "NULL", "12.0800", "16.00", "klk"]),
            s(&["000006", "ROMERO KG", "01024", "FRUVER", "POR PESO", "NULL", "NULL", "6.0000", "0.00", "klk"]),
            s(&["001853", "NECTAR PERA 250 ML", "7590000000017", "VIVERES", "JUGOS", "NULL", "MARCA X", "1.5000", "16.00", "klk"]),
        ]
    );
    assert_eq!(
        env.dump(
            "SELECT ubicacion_id, almacen_codigo, producto_codigo, cantidad::VARCHAR, strftime(fecha_actualizacion, '%H:%M:%S'), origen
             FROM inventario_actual ORDER BY producto_codigo"
        ),
        vec![
            s(&["tienda_01", "APP-TPF", "000002", "23.0000", "10:30:02", "etl"]),
            s(&["tienda_01", "APP-TPF", "000006", "-4.5000", "10:30:02", "etl"]),
            s(&["tienda_01", "APP-TPF", "001853", "0.0000", "10:30:02", "etl"]),
        ]
    );
    assert_eq!(env.count("SELECT count(*) FROM inventario_historico WHERE cantidad_cambio IS NULL AND presente"), 3);
    assert_eq!(env.count("SELECT count(*) FROM inventario_cargas WHERE filas = 3"), 1);

    // Next snapshot: A changes, one disappears ⇒ change-only history (spec 10 §4.4).
    let mut next = worked_example_articles();
    next[0]["stock"] = json!(20);
    next.remove(2);
    klk.state.set_articles("APP-TPF", next);
    let r = env
        .run(EtlJob::Inventario, RunKind::Manual, |q| {
            q.now = Some(utc("2025-11-17T15:00:02Z"));
            q.stores = vec!["tienda_01".into()];
        })
        .await;
    assert_eq!(r.status, "success");
    assert_eq!(
        env.dump(
            "SELECT producto_codigo, cantidad::VARCHAR, coalesce(cantidad_cambio::VARCHAR, 'NULL'), presente::VARCHAR
             FROM inventario_historico WHERE strftime(fecha_snapshot, '%H:%M:%S') = '11:00:02' ORDER BY producto_codigo"
        ),
        vec![s(&["000002", "20.0000", "-3.0000", "true"]), s(&["001853", "0.0000", "0.0000", "false"])]
    );
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual"), 2);
    assert!(klk.state.violations.lock().unwrap().is_empty());
}

#[tokio::test]
async fn bare_array_shapes_are_accepted() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", worked_example_items());
    klk.state.bare_array("SUC001");
    klk.state.set_articles("APP-TPF", worked_example_articles());
    klk.state.bare_array("APP-TPF");
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((day("2025-11-17"), day("2025-11-17")))).await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 2);
    // A whole day is requested without hour fields.
    let body = &klk.state.requests_to("/ventas")[0];
    assert!(body.get("hora_desde").is_none() && body.get("hora_hasta").is_none(), "{body}");
    let r = env.run(EtlJob::Inventario, RunKind::Manual, |q| q.stores = vec!["tienda_01".into()]).await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual"), 3);
}

#[tokio::test]
async fn error_key_is_not_retried_and_http_errors_are() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", worked_example_items());
    klk.state.set_sales("SUC007", day_of_sales("B", "2025-11-17", 50, "TAVBOL"));
    klk.state.set_sales("SUC008", day_of_sales("C", "2025-11-17", 40, "TTMAN"));
    klk.state.fault("SUC001", Fault::ErrorKey("sucursal bloqueada".into()));
    klk.state.fault("SUC007", Fault::FailTimes(2));
    klk.state.fault("SUC008", Fault::NotJson);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 3, ""), "", fast_options()).await;
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((day("2025-11-17"), day("2025-11-17")))).await;
    assert_eq!(r.status, "partial");
    let per_branch = |suc: &str| klk.state.requests_to("/ventas").iter().filter(|b| b["sucursal"] == suc).count();
    // `error` key: one request, failed at once; no end-of-run retry either (not transient).
    assert_eq!(per_branch("SUC001"), 1);
    let t1 = r.location("tienda_01").unwrap();
    assert_eq!(t1.status, "failed");
    assert_eq!(t1.error_kind.as_ref().unwrap().category.as_str(), "api_bad_payload");
    assert!(t1.error.as_deref().unwrap().contains("sucursal bloqueada"));
    // Two 502s then a good answer: success after 3 requests.
    assert_eq!(per_branch("SUC007"), 3);
    assert_eq!(r.location("tienda_02").unwrap().status, "success");
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE ubicacion_id = 'tienda_02'"), 50);
    // Not JSON: retried 3 times, then failed as a bad payload.
    assert_eq!(per_branch("SUC008"), 3);
    assert_eq!(r.location("tienda_03").unwrap().error_kind.as_ref().unwrap().category.as_str(), "api_bad_payload");
    let conn = env.sqlite();
    let (status, reqs, errs): (String, i64, i64) = conn
        .query_row("SELECT status, api_requests_count, api_errors_count FROM etl_executions WHERE id = ?1", [r.execution_id], |x| {
            Ok((x.get(0)?, x.get(1)?, x.get(2)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), reqs, errs), ("partial", 7, 6));
}

#[tokio::test]
async fn windows_never_span_two_dates_and_midnight_in_caracas_is_split() {
    let klk = spawn_klk().await;
    let mut items = day_of_sales("A", "2025-11-17", 20, "APP-TPF");
    items.push(sale_item("A-LATE", 1, "2025-11-17", "23:10:00.0000000", "000100", 1.0, 2.0, "APP-TPF"));
    items.push(sale_item("A-EARLY", 1, "2025-11-18", "00:20:00.1234567", "000101", 1.0, 2.0, "APP-TPF"));
    klk.state.set_sales("SUC001", items);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    env.set_watermark("tienda_01", "2025-11-17 23:00:00");
    // 04:30Z on the 18th = 00:30 local.
    let r = env.run(EtlJob::Ventas, RunKind::Scheduled, |q| q.now = Some(utc("2025-11-18T04:30:00Z"))).await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    let reqs = klk.state.requests_to("/ventas");
    assert_eq!(
        reqs,
        vec![
            json!({"sucursal": "SUC001", "fecha_desde": "2025-11-17", "fecha_hasta": "2025-11-17", "hora_desde": "22:30:00", "hora_hasta": "23:59:59", "almacen": "APP-TPF"}),
            json!({"sucursal": "SUC001", "fecha_desde": "2025-11-18", "fecha_hasta": "2025-11-18", "hora_desde": "00:00:00", "hora_hasta": "00:30:00", "almacen": "APP-TPF"}),
        ]
    );
    assert_eq!(
        env.dump("SELECT numero_factura, fecha::VARCHAR FROM ventas ORDER BY fecha_venta"),
        vec![s(&["A-LATE", "2025-11-17"]), s(&["A-EARLY", "2025-11-18"])]
    );
    assert_eq!(env.watermark("tienda_01").as_deref(), Some("2025-11-18 00:30:00"));

    // A three-day outage: clamped to 48 h, whole middle day without hour fields, older
    // days queued as backfill tasks.
    klk.state.clear_requests();
    env.set_watermark("tienda_01", "2025-11-17 08:00:00");
    let r = env.run(EtlJob::Ventas, RunKind::Scheduled, |q| q.now = Some(utc("2025-11-20T13:00:00Z"))).await;
    assert_eq!(r.status, "success");
    let reqs = klk.state.requests_to("/ventas");
    assert_eq!(reqs.len(), 3);
    assert_eq!((reqs[0]["fecha_desde"].as_str(), reqs[0]["hora_desde"].as_str()), (Some("2025-11-18"), Some("09:00:00")));
    assert!(reqs[1].get("hora_desde").is_none() && reqs[1]["fecha_desde"] == "2025-11-19");
    assert_eq!((reqs[2]["fecha_desde"].as_str(), reqs[2]["hora_hasta"].as_str()), (Some("2025-11-20"), Some("09:00:00")));
    assert!(klk.state.violations.lock().unwrap().is_empty());
    let queued: Vec<String> = env
        .sqlite()
        .prepare("SELECT fecha FROM etl_backfill_tareas WHERE ubicacion_id = 'tienda_01' AND estado = 'pendiente' ORDER BY fecha")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(queued, ["2025-11-17", "2025-11-18"]);
    // The task worker loads them as whole days and marks them done.
    let report = fluxion::etl::jobs::run_pending_backfill(&env.etl, fluxion::etl::Trigger::Cli).await.unwrap();
    assert_eq!(report.status, "success");
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_backfill_tareas WHERE estado = 'ok'"), 2);
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE fecha = '2025-11-17'"), 21);
}

#[tokio::test]
async fn a_bad_row_is_quarantined_with_its_reason_and_too_many_fail_the_window() {
    let klk = spawn_klk().await;
    let mut items = day_of_sales("A", "2025-11-17", 30, "APP-TPF");
    items[4].as_object_mut().unwrap().remove("linea");
    items[7]["hora"] = json!("25:61:00");
    klk.state.set_sales("SUC001", items);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 2, ""), "", fast_options()).await;
    let r = env
        .run(EtlJob::Ventas, RunKind::Manual, |q| {
            q.range = Some((day("2025-11-17"), day("2025-11-17")));
            q.stores = vec!["tienda_01".into()];
        })
        .await;
    assert_eq!(r.status, "success");
    let o = &r.location("tienda_01").unwrap().outcome;
    assert_eq!((o.records_extracted, o.records_failed, o.records_inserted), (30, 2, 28));
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 28);
    let rows: Vec<(String, String, String)> = env
        .sqlite()
        .prepare("SELECT categoria, motivo, clave FROM etl_cuarentena WHERE execution_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([r.execution_id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "missing_fields");
    assert!(rows[0].1.contains("linea"), "{rows:?}");
    assert_eq!(rows[1].0, "data_format");
    assert!(rows[1].1.contains("25:61:00"), "{rows:?}");
    assert_eq!(env.sql_i64(&format!("SELECT records_failed FROM etl_executions WHERE id = {}", r.execution_id)), 2);

    // More than max(100, 1 %) rejected rows: the window fails and nothing is committed.
    let mut bad = day_of_sales("B", "2025-11-17", 300, "TAVBOL");
    for it in bad.iter_mut().take(101) {
        it["hora"] = json!("7 y media");
    }
    klk.state.set_sales("SUC007", bad);
    let r = env
        .run(EtlJob::Ventas, RunKind::Manual, |q| {
            q.range = Some((day("2025-11-17"), day("2025-11-17")));
            q.stores = vec!["tienda_02".into()];
        })
        .await;
    assert_eq!(r.status, "failed");
    let e = r.location("tienda_02").unwrap().error_kind.clone().unwrap();
    assert_eq!((e.phase.as_str(), e.category.as_str()), ("transform", "data_validation"));
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE ubicacion_id = 'tienda_02'"), 0);
    assert_eq!(env.sql_i64(&format!("SELECT count(*) FROM etl_cuarentena WHERE execution_id = {}", r.execution_id)), 101);
}

#[tokio::test]
async fn empty_or_truncated_listing_never_wipes_stock() {
    let klk = spawn_klk().await;
    klk.state.set_articles("APP-TPF", catalogue(100, 3));
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    let inv = |at: &'static str, force: bool| {
        let env = &env;
        async move {
            env.run(EtlJob::Inventario, RunKind::Manual, |q| {
                q.now = Some(utc(at));
                q.stores = vec!["tienda_01".into()];
                q.force = force;
            })
            .await
        }
    };
    assert_eq!(inv("2025-11-17T14:00:00Z", false).await.status, "success");
    let stock = env.dump("SELECT * FROM inventario_actual ORDER BY producto_codigo");
    let history = env.dump("SELECT * FROM inventario_historico ORDER BY producto_codigo, fecha_snapshot");
    assert_eq!(stock.len(), 100);

    klk.state.set_articles("APP-TPF", vec![]);
    let r = inv("2025-11-17T14:30:00Z", false).await;
    assert_eq!(r.status, "failed");
    let e = r.location("tienda_01").unwrap().error_kind.clone().unwrap();
    assert_eq!((e.phase.as_str(), e.category.as_str()), ("transform", "data_validation"));
    assert!(e.message.contains("vacío"), "{e}");
    assert_eq!(env.dump("SELECT * FROM inventario_actual ORDER BY producto_codigo"), stock);
    assert_eq!(env.dump("SELECT * FROM inventario_historico ORDER BY producto_codigo, fecha_snapshot"), history);

    klk.state.set_articles("APP-TPF", catalogue(40, 3));
    let r = inv("2025-11-17T15:00:00Z", false).await;
    assert_eq!(r.status, "failed");
    assert!(r.locations[0].error.as_deref().unwrap().contains("truncado"));
    assert_eq!(env.dump("SELECT * FROM inventario_actual ORDER BY producto_codigo"), stock);
    assert_eq!(env.count("SELECT count(*) FROM inventario_cargas"), 1);

    // An administrator may force it.
    let r = inv("2025-11-17T15:30:00Z", true).await;
    assert_eq!(r.status, "success");
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual"), 40);
    assert_eq!(env.count("SELECT count(*) FROM inventario_historico WHERE NOT presente"), 60);
}

#[tokio::test]
async fn timeouts_are_retried_then_fail_the_location_only() {
    let klk = spawn_klk().await;
    for (_, _, _, alm) in &STORES[..3] {
        klk.state.set_articles(alm, catalogue(20, 1));
    }
    klk.state.set_articles("PCDICS", catalogue(30, 2));
    klk.state.fault("TTMAN", Fault::Slow(Duration::from_secs(3)));
    let env = open_env(
        &klk_tenant_toml(&klk.base_url(), 3, ""),
        "",
        fluxion::etl::EtlOptions { klk_timeout_override: Some(Duration::from_millis(400)), ..fast_options() },
    )
    .await;
    let started = std::time::Instant::now();
    let r = env.run(EtlJob::Inventario, RunKind::Scheduled, |_| {}).await;
    assert_eq!(r.status, "partial");
    let failed = r.location("tienda_03").unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.error_kind.as_ref().unwrap().category.as_str(), "api_timeout");
    // 3 attempts in the run + 3 more in the end-of-run retry of a transient failure.
    let attempts = klk.state.requests_to("/maestra/articulos/almacen").iter().filter(|b| b["Codigoalmacen"] == "TTMAN").count();
    assert_eq!(attempts, 6);
    assert!(started.elapsed() < Duration::from_secs(20));
    for id in ["tienda_01", "tienda_02", "cedi_caracas"] {
        assert_eq!(r.location(id).unwrap().status, "success", "{id}");
    }
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual WHERE ubicacion_id = 'cedi_caracas'"), 30);
    assert_eq!(env.count("SELECT count(*) FROM inventario_actual WHERE ubicacion_id = 'tienda_03'"), 0);
}

#[tokio::test]
async fn at_most_three_klk_locations_at_once_and_one_run_per_job() {
    let klk = spawn_klk().await;
    for (_, _, suc, alm) in STORES {
        klk.state.set_sales(suc, day_of_sales(suc, "2025-11-17", 10, alm));
    }
    *klk.state.base_delay.lock().unwrap() = Duration::from_millis(300);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 5, ""), "", fast_options()).await;
    let etl = env.etl.clone();
    let mut req = fluxion::etl::RunRequest::new(EtlJob::Ventas, RunKind::Manual, fluxion::etl::Trigger::Cli);
    req.range = Some((day("2025-11-17"), day("2025-11-17")));
    let running = tokio::spawn(async move { etl.run(req).await });
    // The fake answers after 300 ms: once it has a request, the run is in progress.
    klk.state.wait_for_requests("/ventas", 1).await;
    // Same job while running: refused; another job may run.
    let second = env.etl.run(fluxion::etl::RunRequest::new(EtlJob::Ventas, RunKind::Scheduled, fluxion::etl::Trigger::Scheduler)).await;
    assert!(matches!(second, Err(fluxion::etl::RunError::AlreadyRunning("ventas"))), "{:?}", second.err());
    let r = running.await.unwrap().unwrap();
    assert_eq!(r.status, "success");
    assert_eq!(klk.state.max_in_flight.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 50);
}

#[tokio::test]
async fn recovery_reconciles_voided_lines_of_whole_days() {
    let klk = spawn_klk().await;
    let d16 = day_of_sales("A", "2025-11-16", 40, "APP-TPF");
    let d17 = day_of_sales("B", "2025-11-17", 40, "APP-TPF");
    klk.state.set_sales("SUC001", d16.iter().chain(d17.iter()).cloned().collect());
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    env.set_watermark("tienda_01", "2025-11-16 09:00:00");
    // 03:00 local on the 18th: D−2 and D−1, whole days, no hour fields.
    let r = env.run(EtlJob::Ventas, RunKind::Recovery, |q| q.now = Some(utc("2025-11-18T07:00:00Z"))).await;
    assert_eq!(r.status, "success");
    let reqs = klk.state.requests_to("/ventas");
    assert_eq!(reqs.iter().map(|b| b["fecha_desde"].as_str().unwrap().to_string()).collect::<Vec<_>>(), ["2025-11-16", "2025-11-17"]);
    assert!(reqs.iter().all(|b| b.get("hora_desde").is_none()));
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 80);
    // Contiguity: the watermark (16th 09:00) moves to the end of the 17th.
    assert_eq!(env.watermark("tienda_01").as_deref(), Some("2025-11-17 23:59:59"));
    let is_rec = env.sql_i64(&format!("SELECT is_recovery FROM etl_executions WHERE id = {}", r.execution_id));
    assert_eq!(is_rec, 1);

    // Two lines of the 17th are voided at the POS: the next recovery deletes them.
    let mut d17b = d17.clone();
    d17b.remove(10);
    d17b.remove(20);
    klk.state.set_sales("SUC001", d16.iter().chain(d17b.iter()).cloned().collect());
    let r = env.run(EtlJob::Ventas, RunKind::Recovery, |q| q.now = Some(utc("2025-11-18T07:30:00Z"))).await;
    assert_eq!(r.status, "success");
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE fecha = '2025-11-17'"), 38);
    assert_eq!(env.count("SELECT lineas FROM ventas_diarias_ubicacion WHERE fecha = '2025-11-17'"), 38);

    // A suspiciously small extraction (< 50 %) deletes nothing and warns.
    klk.state.set_sales("SUC001", d17b[..10].to_vec());
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((day("2025-11-17"), day("2025-11-17")))).await;
    assert_eq!(r.status, "success");
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE fecha = '2025-11-17'"), 38);
    assert!(
        r.locations[0].outcome.advertencias.iter().any(|w| w.contains("conciliación omitida")),
        "{:?}",
        r.locations[0].outcome.advertencias
    );
}

#[tokio::test]
async fn an_hour_without_sales_is_detected_and_re_extracted_once() {
    let klk = spawn_klk().await;
    // Four previous Tuesdays with sales every hour, and today (Tuesday 2025-11-18) without
    // its 09h lines at first: they reach KLK late.
    let mut items = Vec::new();
    for (k, d) in ["2025-10-21", "2025-10-28", "2025-11-04", "2025-11-11"].iter().enumerate() {
        items.extend(day_of_sales(&format!("P{k}"), d, 280, "APP-TPF"));
    }
    let today = day_of_sales("T", "2025-11-18", 280, "APP-TPF");
    let (late, on_time): (Vec<_>, Vec<_>) = today.into_iter().partition(|i| i["hora"].as_str().unwrap().starts_with("09:"));
    assert!(!late.is_empty());
    items.extend(on_time);
    klk.state.set_sales("SUC001", items);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((day("2025-10-21"), day("2025-11-18")))).await;
    assert_eq!(r.status, "success");
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE fecha = '2025-11-18' AND hour(fecha_venta) = 9"), 0);

    // 14:10 local: hours 07–11 are evaluable; 09 has 0 lines against a median of ~20.
    klk.state.add_sales("SUC001", late.clone());
    klk.state.clear_requests();
    env.set_watermark("tienda_01", "2025-11-18 13:00:00");
    let r = env.run(EtlJob::Ventas, RunKind::Scheduled, |q| q.now = Some(utc("2025-11-18T18:10:00Z"))).await;
    assert_eq!(r.status, "success");
    let reqs = klk.state.requests_to("/ventas");
    assert!(reqs.iter().any(|b| b["hora_desde"] == "09:00:00" && b["hora_hasta"] == "09:59:59"), "{reqs:?}");
    assert_eq!(env.count("SELECT count(*) FROM ventas WHERE fecha = '2025-11-18' AND hour(fecha_venta) = 9"), late.len() as i64);
    assert!(r.locations[0].outcome.advertencias.iter().any(|w| w.contains("09h")), "{:?}", r.locations[0].outcome.advertencias);

    // The same hour is not re-extracted again by the next run.
    klk.state.clear_requests();
    env.run(EtlJob::Ventas, RunKind::Scheduled, |q| q.now = Some(utc("2025-11-18T19:10:00Z"))).await;
    assert!(!klk.state.requests_to("/ventas").iter().any(|b| b["hora_desde"] == "09:00:00"));
}
