//! *Agotados visuales* (spec 40 §6.4) and *Ventas perdidas* V3 (§6.5) through the HTTP API
//! on the `tiny` chain's real files: every listed figure recomputed here from the raw sale
//! lines with SQL and an open-hours count of this file's own (minute by minute), the badge
//! against the list, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Open hours between two instants, counted minute by minute (spec 40 §1.4), for a store
/// open `[open, close)` each day (`close` 00:00 = midnight; wrapping windows allowed).
fn open_hours(open: NaiveTime, close: NaiveTime, a: NaiveDateTime, b: NaiveDateTime) -> f64 {
    let is_open = |t: NaiveTime| {
        let (o, c) = (open.num_seconds_from_midnight(), close.num_seconds_from_midnight());
        let s = t.num_seconds_from_midnight();
        if c == 0 || c > o {
            s >= o && (c == 0 || s < c)
        } else {
            s >= o || s < c
        }
    };
    let mut minutes = 0;
    let mut t = a;
    while t < b {
        if is_open(t.time()) {
            minutes += 1;
        }
        t += Duration::minutes(1);
    }
    f64::from(minutes) / 60.0
}

/// The instant `hours` open hours before `now` (walking back minute by minute).
fn open_hours_before(open: NaiveTime, close: NaiveTime, now: NaiveDateTime, hours: i64) -> NaiveDateTime {
    let mut t = now;
    let mut left = hours * 60;
    while left > 0 {
        t -= Duration::minutes(1);
        if open_hours(open, close, t, t + Duration::minutes(1)) > 0.0 {
            left -= 1;
        }
    }
    t
}

fn store_hours(app: &common::TestApp, store: &str) -> (NaiveTime, NaiveTime) {
    let s = app.state.tenant.stores().iter().find(|s| s.id == store).unwrap();
    let (o, c) = s.hours();
    (NaiveTime::parse_from_str(&o, "%H:%M").unwrap(), NaiveTime::parse_from_str(&c, "%H:%M").unwrap())
}

#[tokio::test]
async fn visual_stockouts_match_the_raw_lines_and_open_hours_and_the_badge_matches_the_list() {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    let now = app.state.tenant.now_local();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, now.date()).unwrap();
    let (open, close) = store_hours(&app, "tienda_01");
    let since = now - Duration::days(14);
    // Two stocked, active products without sales in the last 14 days: P gets 9 tickets one
    // open hour apart ending 6 open hours ago (an alert: 6 h without selling against one
    // every hour), Q only 4 (too few to judge).
    let (p, q): (String, String) = {
        let r = app.state.warehouse.reader().unwrap();
        let mut stmt = r
            .prepare(&format!(
                "SELECT i.producto_codigo FROM inventario_actual i JOIN productos_v p ON p.codigo = i.producto_codigo AND p.activo
                 WHERE i.ubicacion_id = 'tienda_01' GROUP BY 1 HAVING sum(i.cantidad) > 0
                 AND i.producto_codigo NOT IN (SELECT producto_codigo FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha_venta >= TIMESTAMP '{since}')
                 ORDER BY 1 LIMIT 2"
            ))
            .unwrap();
        let codes: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        (codes[0].clone(), codes[1].clone())
    };
    let mut lines = Vec::new();
    for k in 0..9 {
        let at = open_hours_before(open, close, now, 6 + k);
        lines.push(common::sale_line("tienda_01", &format!("AGT-P{k}"), at.with_second(0).unwrap(), &p, 2.0, 3.0));
    }
    for k in 0..4 {
        let at = open_hours_before(open, close, now, 6 + k);
        lines.push(common::sale_line("tienda_01", &format!("AGT-Q{k}"), at.with_second(0).unwrap(), &q, 1.0, 3.0));
    }
    app.load_sales(&lines);

    let token = app.admin_token.clone();
    let (s, body) = app.get_with_status("/api/ventas/agotados-visuales/tienda_01", &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let at = NaiveDateTime::parse_from_str(body["fecha_analisis"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    assert!((now - at).num_minutes().abs() <= 2, "analysis time {at} is local now {now}");
    let items = body["items"].as_array().unwrap();
    let by_code: HashMap<&str, &Value> = items.iter().map(|i| (i["codigo_producto"].as_str().unwrap(), i)).collect();
    let pi = by_code.get(p.as_str()).unwrap_or_else(|| panic!("{p} must be an alert: {body}"));
    assert!(!by_code.contains_key(q.as_str()), "4 events are too few to judge");
    assert_eq!(pi["eventos"], 9);
    // 8 open hours between the first and the last sale: one every hour; 6 hours since.
    assert!(near(f(&pi["prom_h"]), open_hours(open, close, lines[8].fecha_venta, at) / 8.0, 0.051), "{pi}");
    assert!(near(f(&pi["sin_vender_h"]), 6.0, 0.051), "{pi}");
    assert_eq!(pi["ultima_venta"]["numero_factura"], "AGT-P0");

    // Every listed item, recomputed from the raw lines (tickets, first and last sale), the
    // store's stock, the ABC cache and the region's tickets; and no product left out.
    let r = app.state.warehouse.reader().unwrap();
    let region: Vec<String> = {
        let me = app.state.tenant.stores().iter().find(|s| s.id == "tienda_01").unwrap();
        app.state
            .tenant
            .stores()
            .iter()
            .filter(|s| s.active && !s.is_cedi() && s.region == me.region && s.id != me.id)
            .map(|s| s.id.clone())
            .collect()
    };
    let region_list = region.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",");
    let region_list = if region_list.is_empty() { "''".to_string() } else { region_list };
    let sql = format!(
        "WITH ev AS (SELECT producto_codigo c, numero_factura, min(fecha_venta) t FROM ventas
                     WHERE ubicacion_id = 'tienda_01' AND fecha_venta >= TIMESTAMP '{s}' AND fecha_venta <= TIMESTAMP '{at}' GROUP BY 1, 2),
              e AS (SELECT c, count(*) n, min(t) t1, max(t) tn FROM ev GROUP BY c HAVING count(*) >= 5),
              st AS (SELECT producto_codigo c, sum(cantidad)::DOUBLE q FROM inventario_actual WHERE ubicacion_id = 'tienda_01' GROUP BY 1),
              rg AS (SELECT producto_codigo c, count(DISTINCT (ubicacion_id, numero_factura)) n FROM ventas
                     WHERE ubicacion_id IN ({region_list}) AND fecha BETWEEN DATE '{d0}' AND DATE '{d1}' GROUP BY 1)
         SELECT e.c, e.n, e.t1, e.tn, coalesce(st.q, 0), coalesce(a.clase_abc, ''), coalesce(rg.n, 0)
         FROM e JOIN productos_v p ON p.codigo = e.c AND p.activo
         LEFT JOIN st ON st.c = e.c LEFT JOIN rg ON rg.c = e.c
         LEFT JOIN productos_abc_tienda a ON a.producto_codigo = e.c AND a.ubicacion_id = 'tienda_01'
         WHERE coalesce(st.q, 0) > 0",
        s = at - Duration::days(14),
        d0 = at.date() - Duration::days(13),
        d1 = at.date(),
    );
    let mut stmt = r.prepare(&sql).unwrap();
    let rows: Vec<(String, i64, NaiveDateTime, NaiveDateTime, f64, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected = HashSet::new();
    for (c, n, t1, tn, stock, abc, region_events) in rows {
        let prom = open_hours(open, close, t1, at) / (n - 1) as f64;
        let quiet = open_hours(open, close, tn, at);
        if !(prom > 0.0 && prom <= 24.0 && quiet >= 2.0 * prom - 1e-9) {
            continue;
        }
        expected.insert(c.clone());
        let Some(item) = by_code.get(c.as_str()) else { continue }; // beyond the 100-row cap
        let factor = quiet / prom;
        let score = (10.0 * factor).min(40.0)
            + match abc.as_str() {
                "A" => 30.0,
                "B" => 20.0,
                "C" => 10.0,
                _ => 0.0,
            }
            + if stock >= 100.0 {
                15.0
            } else if stock >= 50.0 {
                10.0
            } else if stock >= 20.0 {
                5.0
            } else {
                0.0
            }
            + if region_events >= 20 {
                15.0
            } else if region_events >= 10 {
                10.0
            } else if region_events >= 5 {
                5.0
            } else {
                0.0
            };
        assert_eq!(item["eventos"], n, "{c}");
        assert!(near(f(&item["stock_actual"]), stock, 1e-6), "{c}: {item}");
        assert_eq!(item["eventos_region"], region_events, "{c}");
        // The output is rounded to 0.1; this file counts open time by whole minutes from
        // instants with seconds, so each end may be one minute off the server's count.
        let minute_slack = factor * (1.0 / 60.0) * (1.0 / quiet + 1.0 / (prom * (n - 1) as f64));
        assert!(near(f(&item["factor_alerta"]), factor, 0.051 + minute_slack), "{c}: {item} vs {factor}");
        assert!(near(f(&item["score"]), score, 1.0), "{c}: {item} vs {score}");
        let priority = if item["score"].as_u64().unwrap() >= 70 {
            1
        } else if item["score"].as_u64().unwrap() >= 50 {
            2
        } else {
            3
        };
        assert_eq!(item["prioridad"], priority, "{c}");
    }
    assert!(expected.contains(&p));
    assert_eq!(body["total_alertas"].as_u64().unwrap() as usize, expected.len(), "alerts: {expected:?}");
    assert_eq!(items.len(), expected.len().min(100));
    // Ordered by score, highest first.
    let scores: Vec<u64> = items.iter().map(|i| i["score"].as_u64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // The badge counts what the list counts.
    let (s, count) = app.get_with_status("/api/ventas/agotados-visuales/tienda_01/count", &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count["total"], body["total_alertas"]);

    // A store manager of the other store: refused; unknown store and almacén: 422.
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    assert_eq!(app.get_with_status("/api/ventas/agotados-visuales/tienda_01", &manager).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get_with_status("/api/ventas/agotados-visuales/tienda_01/count", &manager).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get_with_status("/api/ventas/agotados-visuales/tienda_02", &manager).await.0, StatusCode::OK);
    let (s, e) = app.get_with_status("/api/ventas/agotados-visuales/tienda_99", &token).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("tienda_99"), "{e}");
    let (s, e) = app.get_with_status("/api/ventas/agotados-visuales/tienda_01?almacen_codigo=NOPE", &token).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

/// Lost sales of a product over a period, from the raw lines (spec 40 §6.5).
struct Expected {
    pct: f64,
    usd: f64,
    level: &'static str,
}

fn expected_losses(app: &common::TestApp, inicio: NaiveDate, fin: NaiveDate) -> HashMap<String, Expected> {
    let (h0, h1) = (inicio - Duration::days(30), inicio - Duration::days(1));
    let n = ((fin - inicio).num_days() + 1) as f64;
    let sql = format!(
        "SELECT producto_codigo,
                coalesce(sum(cantidad_vendida) FILTER (WHERE fecha BETWEEN DATE '{inicio}' AND DATE '{fin}'), 0)::DOUBLE,
                coalesce(sum(cantidad_vendida) FILTER (WHERE fecha BETWEEN DATE '{h0}' AND DATE '{h1}'), 0)::DOUBLE,
                avg(precio_unitario) FILTER (WHERE fecha BETWEEN DATE '{inicio}' AND DATE '{fin}')::DOUBLE,
                avg(precio_unitario) FILTER (WHERE fecha BETWEEN DATE '{h0}' AND DATE '{h1}')::DOUBLE
         FROM ventas WHERE ubicacion_id = 'tienda_01' AND precio_unitario > 0 AND fecha BETWEEN DATE '{h0}' AND DATE '{fin}'
         GROUP BY 1"
    );
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r.prepare(&sql).unwrap();
    type Row = (String, f64, f64, Option<f64>, Option<f64>);
    let rows: Vec<Row> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).unwrap().map(Result::unwrap).collect();
    let mut out = HashMap::new();
    for (c, vp, vh, pp, ph) in rows {
        if vh < 0.5 * 30.0 || vp >= vh / 30.0 * n * 0.75 {
            continue;
        }
        let pct = (vp / n) / (vh / 30.0) * 100.0;
        let price = pp.or(ph).unwrap();
        let usd = (vh / 30.0 - vp / n).max(0.0) * n * price;
        let level = if pct <= 30.0 {
            "critico"
        } else if pct <= 50.0 {
            "alto"
        } else {
            "medio"
        };
        out.insert(c, Expected { pct, usd, level });
    }
    out
}

#[tokio::test]
async fn lost_sales_match_the_raw_lines_with_the_history_price_when_nothing_sold() {
    let app = spawn_app(true).await;
    let token = app.admin_token.clone();
    // A week inside the generated data, and the week after it ends (nothing sold at all:
    // every product with a pace becomes a loss valued at its history price).
    for (inicio, fin) in [(end_date() - Duration::days(6), end_date()), (end_date() + Duration::days(1), end_date() + Duration::days(7))] {
        let (s, body) =
            app.get_with_status(&format!("/api/ventas/ventas-perdidas-v3/tienda_01?fecha_inicio={inicio}&fecha_fin={fin}"), &token).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let expected = expected_losses(&app, inicio, fin);
        assert_eq!(body["resumen"]["incidentes"].as_u64().unwrap() as usize, expected.len(), "{inicio}..{fin}");
        assert!(!expected.is_empty(), "the scenario must produce losses ({inicio}..{fin})");
        let total: f64 = expected.values().map(|e| e.usd).sum();
        assert!(near(f(&body["resumen"]["venta_perdida_usd"]), total, 0.011 * expected.len() as f64), "{}", body["resumen"]);
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), expected.len().min(200));
        for i in items {
            let c = i["codigo_producto"].as_str().unwrap();
            let e = &expected[c];
            assert!(near(f(&i["venta_perdida_usd"]), e.usd, 0.006), "{c}: {i} vs {}", e.usd);
            assert!(near(f(&i["pct_vs_historico"]), e.pct, 0.051), "{c}: {i} vs {}", e.pct);
            assert_eq!(i["nivel"], e.level, "{c}");
            let quiebre = i["dias_stock_cero"].as_u64().unwrap() > 0;
            assert_eq!(i["causa"], if quiebre { "quiebre" } else { "caida_demanda" }, "{c}: {i}");
        }
        let usd: Vec<f64> = items.iter().map(|i| f(&i["venta_perdida_usd"])).collect();
        assert!(usd.windows(2).all(|w| w[0] >= w[1]), "ordered by lost USD");
        let by_cat: f64 = body["resumen"]["por_categoria"].as_array().unwrap().iter().map(|c| f(&c["pct"])).sum();
        assert!(near(by_cat, 100.0, 0.5), "category shares add up to 100 %: {by_cat}");
    }

    // The period ends yesterday at the latest (today is partial).
    let today = app.state.tenant.today();
    let path = format!("/api/ventas/ventas-perdidas-v3/tienda_01?fecha_inicio={}&fecha_fin={today}", today - Duration::days(3));
    let (s, body) = app.get_with_status(&path, &token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["fecha_fin"], (today - Duration::days(1)).to_string());
    assert_eq!(body["dias_periodo"], 3);

    // Bad input: 422 with a Spanish message naming the problem; scope: 403.
    for (query, field) in [
        (format!("fecha_inicio={}&fecha_fin={}", end_date(), end_date() - Duration::days(3)), "fecha_fin"),
        (format!("fecha_inicio={today}"), "fecha_inicio"),
        ("fecha_inicio=2026-13-01".to_string(), "fecha_inicio"),
        ("umbral_critico=80&umbral_alto=50".to_string(), "umbrales"),
        ("dias_historico=0".to_string(), "dias_historico"),
        ("dias_historico=1000000000".to_string(), "dias_historico"),
    ] {
        let (s, e) = app.get_with_status(&format!("/api/ventas/ventas-perdidas-v3/tienda_01?{query}"), &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{query}: {e}");
    }
    app.add_user("gerente2", "clave-gerente-2", "gerente_tienda", &["tienda_02"]);
    let manager = app.token("gerente2", "clave-gerente-2").await;
    assert_eq!(app.get_with_status("/api/ventas/ventas-perdidas-v3/tienda_01", &manager).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get_with_status("/api/ventas/ventas-perdidas-v3/tienda_02", &manager).await.0, StatusCode::OK);
}
