//! Maintenance windows and the manual switch (spec 50 §12.2): GETs keep working, non-GET
//! requests of non super admins get 503 `maintenance` with Retry-After.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, Utc};
use common::{spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A window from one hour ago to two hours ahead, in the demo tenant's time zone.
fn window_around_now() -> String {
    let tz: chrono_tz::Tz = "America/Caracas".parse().unwrap();
    let now = Utc::now().with_timezone(&tz);
    let start = (now - Duration::hours(1)).format("%H:%M");
    let end = (now + Duration::hours(2)).format("%H:%M");
    format!(
        "\n[maintenance]\nenabled = true\n[[maintenance.windows]]\nstart = \"{start}\"\nend = \"{end}\"\nmessage = \"Cargando datos nocturnos\"\n"
    )
}

async fn change_password(app: &common::TestApp, token: &str) -> reqwest::Response {
    app.client
        .put(app.url("/api/auth/me/password"))
        .bearer_auth(token)
        .json(&json!({"current_password": "no-es-la-clave", "new_password": "otra-clave-larga-1"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn during_a_window_only_super_admins_write() {
    let app = spawn_app_with(false, |t| t + &window_around_now()).await;
    app.add_user("lector", "clave-de-lector-1", "visualizador", &[]);

    let m: Value = app.client.get(app.url("/api/maintenance")).send().await.unwrap().json().await.unwrap();
    assert_eq!(m["active"], true);
    assert_eq!(m["source"], "window");
    assert_eq!(m["message"], "Cargando datos nocturnos");
    let minutes = m["minutes_remaining"].as_i64().unwrap();
    assert!((119..=120).contains(&minutes), "{minutes}");
    let tenant: Value = app.client.get(app.url("/api/tenant")).send().await.unwrap().json().await.unwrap();
    assert_eq!(tenant["maintenance"]["active"], true, "the UI's maintenance notice is driven by this");

    // Sign-in stays open; reads keep working.
    let token = app.token("lector", "clave-de-lector-1").await;
    let me = app.client.get(app.url("/api/auth/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let r = change_password(&app, &token).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((7080..=7200).contains(&retry), "seconds until the end of the window: {retry}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "maintenance");
    assert_eq!(body["detail"], "Cargando datos nocturnos");

    // The super admin works normally (here: the handler's own validation answers).
    let r = change_password(&app, &app.admin_token).await;
    assert_ne!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn windows_do_not_apply_unless_enabled() {
    let app = spawn_app_with(false, |t| t + &window_around_now().replace("enabled = true", "enabled = false")).await;
    let m: Value = app.client.get(app.url("/api/maintenance")).send().await.unwrap().json().await.unwrap();
    assert_eq!(m["active"], false);
    assert_eq!(m["minutes_remaining"], Value::Null);
    app.add_user("lector", "clave-de-lector-1", "visualizador", &[]);
    let token = app.token("lector", "clave-de-lector-1").await;
    assert_eq!(change_password(&app, &token).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_manual_switch_expires_and_is_audited() {
    let app = spawn_app(false).await;
    app.add_user("gestor", "clave-de-gestor-1", "gestor_abastecimiento", &[]);
    let token = app.token("gestor", "clave-de-gestor-1").await;
    let until = (Utc::now() + Duration::minutes(10)).to_rfc3339();

    // Only a super admin may switch it.
    let r = app.client.put(app.url("/api/admin/maintenance")).bearer_auth(&token).json(&json!({"active": true})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .put(app.url("/api/admin/maintenance"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"active": true, "message": "Migración de datos", "until": until}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.unwrap();
    assert_eq!((m["active"].clone(), m["source"].clone()), (json!(true), json!("manual")));
    assert_eq!(m["minutes_remaining"], 10);

    let r = change_password(&app, &token).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((590..=600).contains(&retry), "{retry}");

    // A past end is refused; switching off reopens writes.
    let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let r = app
        .client
        .put(app.url("/api/admin/maintenance"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"active": true, "until": past}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .client
        .put(app.url("/api/admin/maintenance"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(change_password(&app, &token).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let audit: Value = app.get_admin("/api/admin/audit").await.json().await.unwrap();
    let text = audit.to_string();
    assert!(text.contains("mantenimiento_activar") && text.contains("mantenimiento_desactivar"), "{text}");

    // An expired switch is inactive without anyone switching it off.
    {
        let conn = app.state.app_db.lock().unwrap();
        let old = json!({"active": true, "message": null, "until": (Utc::now() - Duration::seconds(1)).to_rfc3339(),
            "started_at": Utc::now().to_rfc3339(), "by": "admin"});
        conn.execute("UPDATE configuraciones SET config = ?1 WHERE tipo = 'mantenimiento'", [old.to_string()]).unwrap();
    }
    let m: Value = app.client.get(app.url("/api/maintenance")).send().await.unwrap().json().await.unwrap();
    assert_eq!(m["active"], false);
}
