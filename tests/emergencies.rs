//! *Emergencias de inventario* (spec 40 §4) through the HTTP API on the tiny chain, with the
//! module's clock fixed: before opening, mid-morning and after closing; a store with less than
//! two weeks of history (default profile); scans kept across a restart; the e-mail of a new
//! STOCKOUT through the outbox to a local SMTP sink, once; thresholds out of order refused with
//! nothing written; the feature switched off; who may scan and configure; the scheduler's scan
//! only while a store is open. Figures are recomputed from the raw sale lines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use common::{end_date, spawn_app, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn at(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_hms_opt(h, m, 0).unwrap()
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::POST, path, &app.admin_token, Some(body)).await
}

async fn enable(app: &TestApp, store: &str) {
    let (s, b) = post(app, &format!("/api/emergencias/config/tiendas/{store}/habilitar"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn scan_at(app: &TestApp, now: NaiveDateTime) -> Value {
    app.state.emergency_clock.fix(Some(now));
    let (s, b) = post(app, "/api/emergencias/scan", json!({"origen": "MANUAL"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// The store's day recomputed from its raw sale lines: (F, factor, learned?).
fn day_from_lines(app: &TestApp, store: &str, now: NaiveDateTime, hours: (u32, u32)) -> (f64, f64, bool) {
    let today = now.date();
    let days: Vec<String> = (1..=4).map(|w| format!("DATE '{}'", today - Duration::days(7 * w))).collect();
    let conn = app.state.warehouse.reader().unwrap();
    let mut by_hour = [0.0f64; 24];
    let mut stmt = conn
        .prepare(&format!(
            "SELECT hour(fecha_venta)::INTEGER AS h, sum(venta_total)::DOUBLE AS v FROM ventas
             WHERE ubicacion_id = ? AND fecha IN ({}) GROUP BY 1",
            days.join(", ")
        ))
        .unwrap();
    let rows = stmt.query_map([store], |r| Ok((r.get::<_, i32>("h")?, r.get::<_, f64>("v")?))).unwrap();
    for r in rows {
        let (h, v) = r.unwrap();
        by_hour[h as usize] += v;
    }
    let day_totals: Vec<f64> = conn
        .prepare(&format!(
            "SELECT sum(venta_total)::DOUBLE AS v FROM ventas WHERE ubicacion_id = ? AND fecha IN ({}) GROUP BY fecha HAVING sum(venta_total) > 0",
            days.join(", ")
        ))
        .unwrap()
        .query_map([store], |r| r.get::<_, f64>("v"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let learned = day_totals.len() >= 2;
    let total: f64 = by_hour.iter().sum();
    let mut w = [0.0; 24];
    if learned {
        for h in 0..24 {
            w[h] = by_hour[h] / total;
        }
    } else {
        for (h, v) in [
            (9, 0.05),
            (10, 0.08),
            (11, 0.10),
            (12, 0.12),
            (13, 0.10),
            (14, 0.08),
            (15, 0.10),
            (16, 0.12),
            (17, 0.10),
            (18, 0.10),
            (19, 0.05),
        ] {
            w[h] = v;
        }
    }
    let (h, m) = (now.hour(), now.minute());
    let f = if h < hours.0 {
        0.0
    } else if h >= hours.1 {
        1.0
    } else {
        (w[..h as usize].iter().sum::<f64>() + w[h as usize] * f64::from(m) / 60.0).min(1.0)
    };
    let vbar = if day_totals.is_empty() { 0.0 } else { day_totals.iter().sum::<f64>() / day_totals.len() as f64 };
    let actual: f64 = conn
        .query_row(
            "SELECT coalesce(sum(venta_total), 0)::DOUBLE FROM ventas WHERE ubicacion_id = ? AND fecha = ? AND fecha_venta <= ?",
            duckdb::params![store, today, now],
            |r| r.get(0),
        )
        .unwrap();
    let expected = vbar * f;
    (f, if expected > 0.0 { actual / expected } else { 1.0 }, learned)
}

/// Every product of the store whose coverage is below `alerta`, recomputed from the raw
/// lines and the stock: code → (R, c).
fn emergencies_from_lines(app: &TestApp, store: &str, now: NaiveDateTime, f: f64, factor: f64, alerta: f64) -> Vec<(String, f64, f64)> {
    let today = now.date();
    let conn = app.state.warehouse.reader().unwrap();
    let mut stmt = conn
        .prepare(
            "WITH dias AS (SELECT count(DISTINCT fecha) AS n FROM ventas WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?3),
                  u AS (SELECT producto_codigo, sum(cantidad_vendida)::DOUBLE AS q FROM ventas
                        WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?3 GROUP BY 1),
                  s AS (SELECT producto_codigo, sum(cantidad)::DOUBLE AS s FROM inventario_actual WHERE ubicacion_id = ?1 GROUP BY 1),
                  h AS (SELECT DISTINCT producto_codigo FROM ventas WHERE ubicacion_id = ?1 AND fecha = ?4 AND fecha_venta <= ?5)
             SELECT u.producto_codigo AS codigo, u.q / (SELECT n FROM dias) AS d, coalesce(s.s, 0) AS stock
             FROM u JOIN productos p ON p.codigo = u.producto_codigo AND p.activo
             LEFT JOIN s USING (producto_codigo) LEFT JOIN h USING (producto_codigo)
             WHERE s.producto_codigo IS NOT NULL OR h.producto_codigo IS NOT NULL",
        )
        .unwrap();
    let rows = stmt
        .query_map(duckdb::params![store, today - Duration::days(30), today - Duration::days(1), today, now], |r| {
            Ok((r.get::<_, String>("codigo")?, r.get::<_, f64>("d")?, r.get::<_, f64>("stock")?))
        })
        .unwrap();
    let mut out = Vec::new();
    for r in rows {
        let (code, d, stock) = r.unwrap();
        let rem = d * factor * (1.0 - f);
        if d > 0.0 && rem > 0.1 && stock / rem < alerta {
            out.push((code, rem, stock / rem));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn summary<'a>(scan: &'a Value, store: &str) -> &'a Value {
    scan["resumen_tiendas"].as_array().unwrap().iter().find(|s| s["ubicacion_id"] == store).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_scanned_before_opening_mid_morning_and_after_closing() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await; // 07:00–21:00
    let day = end_date();

    // Mid-morning: the learned profile, the factor of today's revenue so far, and exactly the
    // products whose stock does not cover the rest of the day.
    let now = at(day, 10, 30);
    let scan = scan_at(&app, now).await;
    let s = summary(&scan, "tienda_01");
    let (f, factor, learned) = day_from_lines(&app, "tienda_01", now, (7, 21));
    assert!(learned);
    assert_eq!(s["perfil"], "aprendido");
    assert_eq!(s["estado_tienda"], "abierta");
    assert!((s["porcentaje_dia_transcurrido"].as_f64().unwrap() - f * 100.0).abs() < 0.006, "{s} vs F {f}");
    assert!(f > 0.05 && f < 0.6, "mid-morning F {f}");
    assert!((s["factor_intensidad"].as_f64().unwrap() - factor).abs() < 0.00006, "{s} vs factor {factor}");
    let expected = emergencies_from_lines(&app, "tienda_01", now, f, factor, 0.75);
    let mut got: Vec<(String, f64, f64)> = scan["emergencias"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["producto_codigo"].as_str().unwrap().to_string(), e["demanda_restante"].as_f64().unwrap(), e["cobertura"].as_f64().unwrap())
        })
        .collect();
    assert!(!expected.is_empty(), "the tiny chain has products short for the day");
    assert_eq!(got.len(), expected.len(), "the same products as the raw lines say");
    got.sort_by(|a, b| a.0.cmp(&b.0));
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.0, e.0);
        assert!((g.1 - e.1).abs() < 0.006, "{g:?} vs {e:?}");
        assert!((g.2 - e.2).abs() < 0.00006, "{g:?} vs {e:?}");
    }
    // Types by the default thresholds, most severe first.
    let list = scan["emergencias"].as_array().unwrap();
    let rank = |t: &str| ["STOCKOUT", "CRITICO", "INMINENTE", "ALERTA"].iter().position(|x| *x == t).unwrap();
    for w in list.windows(2) {
        assert!(rank(w[0]["tipo"].as_str().unwrap()) <= rank(w[1]["tipo"].as_str().unwrap()));
    }
    for e in list {
        let c = e["cobertura"].as_f64().unwrap();
        let want = if c <= 0.0 {
            "STOCKOUT"
        } else if c < 0.25 {
            "CRITICO"
        } else if c < 0.5 {
            "INMINENTE"
        } else {
            "ALERTA"
        };
        assert_eq!(e["tipo"], want, "{e}");
        if e["stock_actual"].as_f64().unwrap() > 0.0 {
            if let Some(h) = e["hora_agotamiento"].as_str() {
                assert!(("10:30".."21:00").contains(&h), "runs out later today: {e}");
            }
        }
    }
    assert_eq!(scan["totales"]["total"].as_u64().unwrap() as usize, list.len());

    // Before opening: nothing of the day has gone, the factor is 1 and the whole day is ahead.
    let early = scan_at(&app, at(day, 6, 15)).await;
    let s = summary(&early, "tienda_01");
    assert_eq!(s["estado_tienda"], "antes_de_abrir");
    assert_eq!(s["porcentaje_dia_transcurrido"], 0.0);
    assert_eq!(s["factor_intensidad"], 1.0);
    let early_expected = emergencies_from_lines(&app, "tienda_01", at(day, 6, 15), 0.0, 1.0, 0.75);
    assert_eq!(early["emergencias"].as_array().unwrap().len(), early_expected.len());
    for e in early["emergencias"].as_array().unwrap() {
        let d = e["demanda_diaria"].as_f64().unwrap();
        assert!((e["demanda_restante"].as_f64().unwrap() - d).abs() < 0.011, "whole day remaining: {e}");
    }

    // After closing: the day is over, nothing is flagged.
    let late = scan_at(&app, at(day, 21, 30)).await;
    let s = summary(&late, "tienda_01");
    assert_eq!(s["estado_tienda"], "cerrada");
    assert_eq!(s["porcentaje_dia_transcurrido"], 100.0);
    assert_eq!(late["emergencias"].as_array().unwrap().len(), 0);
    assert_eq!(late["totales"]["total"], 0);

    // The intensity endpoint agrees with the scan.
    app.state.emergency_clock.fix(Some(now));
    let fx = app.get_json("/api/emergencias/factor-intensidad?ubicacion_id=tienda_01", &app.admin_token).await;
    assert!((fx["tiendas"][0]["factor_intensidad"].as_f64().unwrap() - factor).abs() < 0.00006, "{fx}");
    assert_eq!(fx["tiendas"][0]["hora_actual"], "10:30");
    let (st, b) = app.get_with_status("/api/emergencias/factor-intensidad?ubicacion_id=tienda_02", &app.admin_token).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "tienda_02 has no settings: {b}");

    // The detail of a listed product: same figures as the list, curves over the opening hours.
    let mid = scan_at(&app, now).await;
    let first = &mid["emergencias"][0];
    let code = first["producto_codigo"].as_str().unwrap();
    let d = app.get_json(&format!("/api/emergencias/detalle/tienda_01/{code}"), &app.admin_token).await;
    assert_eq!(d["tipo"], first["tipo"]);
    assert_eq!(d["demanda_restante"], first["demanda_restante"]);
    assert_eq!(d["hora_agotamiento"], first["hora_agotamiento"]);
    let hours: Vec<u64> = d["horas"].as_array().unwrap().iter().map(|h| h["hora"].as_u64().unwrap()).collect();
    assert_eq!(hours, (7..21).collect::<Vec<u64>>(), "07:00–21:00");
    let projected: Vec<bool> = d["horas"].as_array().unwrap().iter().map(|h| h["es_proyeccion"].as_bool().unwrap()).collect();
    assert_eq!(projected.iter().filter(|p| !**p).count(), 4, "07–10 h actual, the rest projected");
    assert!(d["recomendacion"].as_str().is_some_and(|r| !r.is_empty()));
    if first["stock_actual"].as_f64().unwrap() > 0.0 && first["hora_agotamiento"].is_string() {
        // The stock line reaches zero in the hour of the stock-out clock.
        let h: u64 = first["hora_agotamiento"].as_str().unwrap()[..2].parse().unwrap();
        let at_h = d["horas"].as_array().unwrap().iter().find(|p| p["hora"] == h).unwrap();
        assert!(at_h["stock_proyectado"].as_f64().unwrap() <= 0.05, "{at_h}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_two_weeks_of_history_uses_the_default_profile() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await;
    // The tiny chain starts 59 days before its end: 8 days in, one same weekday of history.
    let start = end_date() - Duration::days(59);
    let day = start + Duration::days(8);
    let now = at(day, 14, 30);
    let scan = scan_at(&app, now).await;
    let s = summary(&scan, "tienda_01");
    assert_eq!(s["perfil"], "por_defecto");
    assert_eq!(s["dias_perfil"], 1);
    // E6: 14:30 with the default profile → F = 0.45 + 0.08 × 0.5 = 0.49.
    assert_eq!(s["porcentaje_dia_transcurrido"], 49.0);
    let (f, factor, learned) = day_from_lines(&app, "tienda_01", now, (7, 21));
    assert!(!learned);
    assert!((f - 0.49).abs() < 1e-9);
    assert!((s["factor_intensidad"].as_f64().unwrap() - factor).abs() < 0.00006, "{s} vs {factor}");
    // Two weeks later the store's own profile is used.
    let later = scan_at(&app, at(day + Duration::days(14), 14, 30)).await;
    assert_eq!(summary(&later, "tienda_01")["perfil"], "aprendido");
    assert_eq!(day.weekday(), (day + Duration::days(14)).weekday());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_scan_is_kept_and_survives_a_restart() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await;
    enable(&app, "tienda_02").await;
    let day = end_date();
    let all = scan_at(&app, at(day, 11, 0)).await;
    assert_eq!(all["tiendas"], json!(["tienda_01", "tienda_02"]));
    // A later scan of one store replaces that store's list only.
    app.state.emergency_clock.fix(Some(at(day, 12, 0)));
    let (s, one) = post(&app, "/api/emergencias/scan", json!({"tiendas": ["tienda_02"]})).await;
    assert_eq!(s, StatusCode::OK, "{one}");
    assert_eq!(one["disparado_por"], "API");
    let latest = app.get_json("/api/emergencias", &app.admin_token).await;
    let scans: Vec<(String, String)> = latest["escaneos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["ubicacion_id"].as_str().unwrap().to_string(), s["scan_id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        scans,
        vec![("tienda_01".into(), all["scan_id"].as_str().unwrap().into()), ("tienda_02".into(), one["scan_id"].as_str().unwrap().into())]
    );
    let of = |v: &Value, store: &str| -> Vec<Value> {
        v["emergencias"].as_array().unwrap().iter().filter(|e| e["ubicacion_id"] == store).cloned().collect()
    };
    assert_eq!(of(&latest, "tienda_01"), of(&all, "tienda_01"));
    assert_eq!(of(&latest, "tienda_02"), of(&one, "tienda_02"));
    // Filters: type and store.
    let only = app.get_json("/api/emergencias?tipo=alerta&ubicacion_id=tienda_02", &app.admin_token).await;
    assert!(only["emergencias"].as_array().unwrap().iter().all(|e| e["tipo"] == "ALERTA" && e["ubicacion_id"] == "tienda_02"));
    let (st, b) = app.get_with_status("/api/emergencias?tipo=URGENTE", &app.admin_token).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    // A new process on the same files answers the same list.
    let (_copy, config) = app.snapshot_tenant();
    let tenant = fluxion::config::Tenant::load(&config).unwrap();
    let state = tokio::task::spawn_blocking(move || fluxion::app::open(tenant).unwrap()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { fluxion::http::serve(state, listener).await.unwrap() });
    let login: Value = app
        .client
        .post(format!("http://{addr}/api/auth/login"))
        .json(&json!({"username": common::ADMIN, "password": common::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let again: Value =
        app.client.get(format!("http://{addr}/api/emergencias")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["emergencias"], latest["emergencias"]);
    assert_eq!(again["resumen_tiendas"], latest["resumen_tiendas"]);
    assert_eq!(again["escaneos"], latest["escaneos"]);
}

/// The demo tenant with e-mail on (plain SMTP to 127.0.0.1:`port`) and tienda_01's order recipients.
fn with_mail(text: String, port: u16) -> String {
    let mut t: toml::Table = text.parse().unwrap();
    let mut email = toml::toml! {
        enabled = true
        transport = "smtp"
        smtp_host = "127.0.0.1"
        starttls = false
        from = "Fluxion <fluxion@example.com>"
        recipients = ["operaciones@example.com"]
    };
    email.insert("smtp_port".into(), toml::Value::Integer(i64::from(port)));
    t.entry("notifications")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .unwrap()
        .insert("email".into(), email.into());
    for s in t["stores"].as_array_mut().unwrap() {
        if s["id"].as_str() == Some("tienda_01") {
            s.as_table_mut().unwrap().insert("order_recipients".into(), toml::Value::Array(vec!["gerente.t1@example.com".into()]));
        }
    }
    toml::to_string(&t).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_stockout_is_mailed_to_the_store_once() {
    let (port, mails) = common::smtp::spawn_smtp_sink().await;
    let app = spawn_app_with(true, |t| with_mail(t, port)).await;
    let (s, b) = post(
        &app,
        "/api/emergencias/config/tiendas/tienda_01/habilitar",
        json!({"emails_notificacion": ["Jefe.Piso@example.com", "jefe.piso@example.com"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["config"]["emails_notificacion"], json!(["jefe.piso@example.com"]), "trimmed, lower-cased, once");
    let day = end_date();
    let now = at(day, 10, 30);
    // The best seller of the last 30 days runs out: set its stock to zero.
    let code: String = {
        let conn = app.state.warehouse.reader().unwrap();
        conn.query_row(
            "SELECT v.producto_codigo FROM ventas v JOIN inventario_actual i ON i.ubicacion_id = v.ubicacion_id AND i.producto_codigo = v.producto_codigo
             WHERE v.ubicacion_id = 'tienda_01' AND v.fecha BETWEEN ? AND ? GROUP BY 1 ORDER BY sum(v.cantidad_vendida) DESC, 1 LIMIT 1",
            duckdb::params![day - Duration::days(30), day - Duration::days(1)],
            |r| r.get(0),
        )
        .unwrap()
    };
    app.state
        .warehouse
        .write(|c| c.execute("UPDATE inventario_actual SET cantidad = 0 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?", [&code]))
        .unwrap();
    let scan = scan_at(&app, now).await;
    let stockouts: Vec<&Value> = scan["emergencias"].as_array().unwrap().iter().filter(|e| e["tipo"] == "STOCKOUT").collect();
    assert!(stockouts.iter().any(|e| e["producto_codigo"] == code.as_str()), "the emptied product is a STOCKOUT");
    assert_eq!(scan["notificaciones_encoladas"], 1, "one mail for the store");
    let notified = scan["emergencias"].as_array().unwrap().iter().filter(|e| e["tipo"] == "STOCKOUT" || e["tipo"] == "CRITICO").count();

    let mailer = fluxion::mail::Mailer::new(&app.state.tenant);
    let sent = fluxion::mail::outbox::deliver_due(&app.state.app_db_path, &mailer, chrono::Utc::now()).await.unwrap();
    assert_eq!(sent.sent, 1);
    {
        let mails = mails.lock().unwrap();
        assert_eq!(mails.len(), 1);
        let m = mail_parser::MessageParser::default().parse(mails[0].as_bytes()).unwrap();
        let to: Vec<String> = m.to().unwrap().iter().map(|a| a.address().unwrap().to_string()).collect();
        assert_eq!(to, vec!["jefe.piso@example.com".to_string(), "gerente.t1@example.com".to_string()]);
        assert!(m.subject().unwrap().contains(&format!("{notified} emergencia(s) nueva(s)")), "{:?}", m.subject());
        let text = m.body_text(0).unwrap();
        assert!(text.contains(&format!("STOCKOUT · {code}")), "{text}");
        assert_eq!(text.matches(&format!("· {code} ")).count(), 1, "each item once");
        assert!(m.body_html(0).is_some());
    }
    // The next scan of the day finds the same items: nothing new, no mail.
    let again = scan_at(&app, at(day, 11, 0)).await;
    assert_eq!(again["notificaciones_encoladas"], 0);
    let sent = fluxion::mail::outbox::deliver_due(&app.state.app_db_path, &mailer, chrono::Utc::now()).await.unwrap();
    assert_eq!(sent.sent, 0);
    let queued: i64 = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row("SELECT count(*) FROM notification_outbox WHERE tipo = 'emergencias'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, 1);
    // With notifications paused nothing is queued even for a new day.
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/emergencias/config/tiendas/tienda_01",
        &app.admin_token,
        Some(json!({"notificaciones_activas": false})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let next_day = scan_at(&app, at(day + Duration::days(1), 10, 30)).await;
    assert_eq!(next_day["notificaciones_encoladas"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_out_of_order_are_refused_and_nothing_is_written() {
    let app = spawn_app(false).await;
    let rows = |app: &TestApp| -> i64 {
        app.state.app_db.lock().unwrap().query_row("SELECT count(*) FROM emergencias_config_tienda", [], |r| r.get(0)).unwrap()
    };
    // E8: {crítico 0.6, inminente 0.5} is refused.
    let (s, b) =
        post(&app, "/api/emergencias/config/tiendas/tienda_01/habilitar", json!({"umbral_critico": 0.6, "umbral_inminente": 0.5})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "validation_error");
    assert_eq!(b["errors"][0]["field"], "umbral_inminente");
    assert_eq!(b["errors"][0]["message"], "El umbral inminente (50 %) debe ser mayor que el crítico (60 %)");
    assert_eq!(rows(&app), 0, "nothing written");
    let one = app.get_json("/api/emergencias/config/tiendas/tienda_01", &app.admin_token).await;
    assert_eq!((one["habilitado"].clone(), one["configurada"].clone()), (json!(false), json!(false)));

    // Custom thresholds survive a disable and a re-enable without values (the original reset them).
    let (s, b) = post(
        &app,
        "/api/emergencias/config/tiendas/tienda_01/habilitar",
        json!({"umbral_critico": 0.3, "umbral_inminente": 0.55, "umbral_alerta": 0.8}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    post(&app, "/api/emergencias/config/tiendas/tienda_01/deshabilitar", json!({})).await;
    let (_, b) = post(&app, "/api/emergencias/config/tiendas/tienda_01/habilitar", json!({})).await;
    assert_eq!((b["config"]["umbral_critico"].clone(), b["config"]["umbral_alerta"].clone()), (json!(0.3), json!(0.8)));
    assert_eq!(b["config"]["habilitado"], true);

    // A partial update out of range is refused, the stored values stay.
    for (body, field) in [
        (json!({"umbral_alerta": 1.2}), "umbral_alerta"),
        (json!({"umbral_critico": 0}), "umbral_critico"),
        (json!({"umbral_alerta": 0.55}), "umbral_alerta"),
        (json!({"emails_notificacion": ["no-es-correo"]}), "emails_notificacion"),
    ] {
        let (s, b) = send(&app, reqwest::Method::PUT, "/api/emergencias/config/tiendas/tienda_01", &app.admin_token, Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["errors"][0]["field"], field, "{b}");
    }
    let one = app.get_json("/api/emergencias/config/tiendas/tienda_01", &app.admin_token).await;
    assert_eq!(
        (one["umbral_critico"].clone(), one["umbral_inminente"].clone(), one["umbral_alerta"].clone()),
        (json!(0.3), json!(0.55), json!(0.8))
    );
    // No fields: "Sin cambios"; an unknown field: 422; a store never enabled: 404 to update.
    let (s, b) = send(&app, reqwest::Method::PUT, "/api/emergencias/config/tiendas/tienda_01", &app.admin_token, Some(json!({}))).await;
    assert_eq!((s, b["mensaje"].clone()), (StatusCode::OK, json!("Sin cambios")));
    let (s, _) =
        send(&app, reqwest::Method::PUT, "/api/emergencias/config/tiendas/tienda_01", &app.admin_token, Some(json!({"umbral": 0.3}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = send(
        &app,
        reqwest::Method::PUT,
        "/api/emergencias/config/tiendas/tienda_02",
        &app.admin_token,
        Some(json!({"umbral_alerta": 0.9})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("habilítela primero"));
    let (s, _) = post(&app, "/api/emergencias/config/tiendas/no_existe/habilitar", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let list = app.get_json("/api/emergencias/config/tiendas", &app.admin_token).await;
    assert_eq!((list["total"].clone(), list["total_habilitadas"].clone()), (json!(2), json!(1)));
}

#[tokio::test]
async fn with_the_feature_off_every_endpoint_answers_404() {
    let app = spawn_app_with(false, |t| t.replace("[features]\n", "[features]\nemergencias = false\n")).await;
    for path in ["/api/emergencias", "/api/emergencias/config/tiendas", "/api/emergencias/factor-intensidad"] {
        let (s, b) = app.get_with_status(path, &app.admin_token).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(b["code"], "feature_disabled", "{path}");
    }
    let (s, b) = post(&app, "/api/emergencias/scan", json!({})).await;
    assert_eq!((s, b["code"].clone()), (StatusCode::NOT_FOUND, json!("feature_disabled")));
    let tenant = app.get_json("/api/tenant", &app.admin_token).await;
    assert_eq!(tenant["features"]["emergencias"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_scan_but_do_not_configure_and_store_managers_stay_in_their_store() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await;
    enable(&app, "tienda_02").await;
    app.add_user("mirador", "clave-de-prueba-2", "visualizador", &[]);
    app.add_user("gerente.t1", "clave-de-prueba-3", "gerente_tienda", &["tienda_01"]);
    let viewer = app.token("mirador", "clave-de-prueba-2").await;
    let manager = app.token("gerente.t1", "clave-de-prueba-3").await;
    app.state.emergency_clock.fix(Some(at(end_date(), 10, 0)));

    let (s, b) =
        send(&app, reqwest::Method::POST, "/api/emergencias/config/tiendas/tienda_01/deshabilitar", &viewer, Some(json!({}))).await;
    assert_eq!((s, b["code"].clone()), (StatusCode::FORBIDDEN, json!("forbidden")));
    let (s, b) = send(&app, reqwest::Method::POST, "/api/emergencias/scan", &viewer, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["tiendas"], json!(["tienda_01", "tienda_02"]));
    assert_eq!(b["usuario"], "mirador");

    let (s, b) = send(&app, reqwest::Method::POST, "/api/emergencias/scan", &manager, Some(json!({"tiendas": ["tienda_02"]}))).await;
    assert_eq!((s, b["code"].clone()), (StatusCode::FORBIDDEN, json!("store_forbidden")));
    let (s, b) = send(&app, reqwest::Method::POST, "/api/emergencias/scan", &manager, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["tiendas"], json!(["tienda_01"]), "his store only");
    let latest = app.get_json("/api/emergencias", &manager).await;
    assert!(latest["emergencias"].as_array().unwrap().iter().all(|e| e["ubicacion_id"] == "tienda_01"));
    assert!(latest["resumen_tiendas"].as_array().unwrap().iter().all(|e| e["ubicacion_id"] == "tienda_01"));
    let (s, _) = app.get_with_status("/api/emergencias/detalle/tienda_02/000001", &manager).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = send(&app, reqwest::Method::POST, "/api/emergencias/scan", &viewer, Some(json!({"tiendas": ["cedi_seco"]}))).await;
    assert_eq!((s, b["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("tiendas")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_stock_is_one_open_anomaly_however_many_scans_find_it() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await;
    let code: String = {
        let conn = app.state.warehouse.reader().unwrap();
        conn.query_row(
            "SELECT min(i.producto_codigo) FROM inventario_actual i JOIN productos p ON p.codigo = i.producto_codigo AND p.activo
             WHERE i.ubicacion_id = 'tienda_01'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    app.state
        .warehouse
        .write(|c| {
            c.execute("UPDATE inventario_actual SET cantidad = -3 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?", [&code])
        })
        .unwrap();
    for h in [10, 11] {
        let scan = scan_at(&app, at(end_date(), h, 0)).await;
        let a: Vec<&Value> = scan["anomalias"].as_array().unwrap().iter().filter(|a| a["producto_codigo"] == code.as_str()).collect();
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0]["tipo"].clone(), a[0]["severidad"].clone(), a[0]["valor_detectado"].clone()),
            (json!("STOCK_NEGATIVO"), json!("ALTA"), json!(-3.0))
        );
        assert_eq!(a[0]["descripcion"], "Stock negativo detectado: -3 unidades");
    }
    let list = app.get_json("/api/emergencias/anomalias?ubicacion_id=tienda_01&tipo=STOCK_NEGATIVO", &app.admin_token).await;
    let mine: Vec<&Value> = list["anomalias"].as_array().unwrap().iter().filter(|a| a["producto_codigo"] == code.as_str()).collect();
    assert_eq!(mine.len(), 1, "re-detection updates the open anomaly");
    let id = mine[0]["id"].as_i64().unwrap();
    let (s, b) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/emergencias/anomalias/{id}"),
        &app.admin_token,
        Some(json!({"estado": "RESUELTO", "nota": "Conteo corregido"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["estado"].clone(), b["revisado_por"].clone(), b["nota_revision"].clone()),
        (json!("RESUELTO"), json!("admin"), json!("Conteo corregido"))
    );
    let pending = app.get_json("/api/emergencias/anomalias?ubicacion_id=tienda_01", &app.admin_token).await;
    assert!(pending["anomalias"].as_array().unwrap().iter().all(|a| a["id"] != id));
    let (s, _) = app.get_with_status("/api/emergencias/anomalias?limit=0", &app.admin_token).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_scans_only_the_enabled_stores_that_are_open() {
    let app = spawn_app(true).await;
    enable(&app, "tienda_01").await; // 07:00–21:00
    enable(&app, "tienda_02").await; // 08:00–00:00
    let state = app.state.clone();
    let run = |now: NaiveDateTime| {
        let state = state.clone();
        async move {
            state.emergency_clock.fix(Some(now));
            tokio::task::spawn_blocking(move || fluxion::jobs::scheduled_emergency_scan(&state).unwrap()).await.unwrap()
        }
    };
    assert!(run(at(end_date(), 6, 30)).await.is_none(), "both closed: no scan at all");
    let early = run(at(end_date(), 7, 30)).await.unwrap();
    assert_eq!(early.tiendas, vec!["tienda_01".to_string()]);
    let late = run(at(end_date(), 22, 0)).await.unwrap();
    assert_eq!(late.tiendas, vec!["tienda_02".to_string()]);
    let stored: (String, Option<String>) = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row("SELECT disparado_por, usuario FROM emergencias_scans WHERE id = ?", [&late.scan_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(stored, ("SCHEDULER".to_string(), None));
    assert!(fluxion::config::Schedules::default().0.contains_key("emergencias"), "on by default, every 30 minutes");
}
