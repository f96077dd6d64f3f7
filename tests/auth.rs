//! Nobody gets in where they don't belong: the route table, lockout, throttling,
//! revocation, store scoping and hostile input, over real HTTP on real files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::{end_date, spawn_app, ADMIN, ADMIN_PASSWORD};
use fluxion::domain::access::{Role, ALL_ROLES};
use fluxion::http::session::Access;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn concrete(path: &str) -> String {
    path.replace("{id}", "00000000-0000-4000-8000-000000000000")
}

async fn call(app: &common::TestApp, method: &Method, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.request(method.clone(), app.url(&concrete(path)));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if *method == Method::POST || *method == Method::PUT {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap()
}

/// Every declared /api route: anonymous → 401 unless public; a role without the
/// capability → 403. A route cannot exist without a declared access (see http::api_routes).
#[tokio::test]
async fn every_route_refuses_anonymous_and_unprivileged_callers() {
    let app = spawn_app(false).await;
    let mut tokens = Vec::new();
    for role in ALL_ROLES {
        let name = format!("u.{}", role.id());
        app.add_user(&name, "clave-de-rol-123", role.id(), if *role == Role::GerenteTienda { &["tienda_01"] } else { &[] });
        tokens.push((*role, app.token(&name, "clave-de-rol-123").await));
    }
    let routes = fluxion::http::api_routes();
    assert!(routes.len() >= 15);
    let public: Vec<&str> = routes.iter().filter(|r| r.access == Access::Public).map(|r| r.path).collect();
    assert_eq!(
        public,
        [
            "/healthz",
            "/readyz",
            "/api/version",
            "/metrics",
            "/api/maintenance",
            "/api/tenant",
            "/branding/logo",
            "/branding/favicon",
            "/api/auth/login"
        ],
        "only these are public"
    );
    for r in &routes {
        let anon = call(&app, &r.method, r.path, None).await;
        if r.access == Access::Public {
            assert_ne!(anon.status(), StatusCode::UNAUTHORIZED, "{} {} is public", r.method, r.path);
            continue;
        }
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED, "{} {} without a session", r.method, r.path);
        assert_eq!(anon.json::<Value>().await.unwrap()["code"], "unauthorized");
        if let Access::Capability(cap) = r.access {
            for (role, token) in &tokens {
                let resp = call(&app, &r.method, r.path, Some(token)).await;
                let allowed = fluxion::domain::access::capabilities(*role, &[]).contains(&cap);
                if allowed {
                    // A store manager may still get `store_forbidden` for a store outside its
                    // scope (the empty body names none); never the capability refusal.
                    let status = resp.status();
                    let code = resp.json::<Value>().await.map(|b| b["code"].clone()).unwrap_or(Value::Null);
                    assert!(!(status == StatusCode::FORBIDDEN && code == "forbidden"), "{role:?} may {} {}", r.method, r.path);
                } else {
                    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{role:?} must not {} {}", r.method, r.path);
                    assert_eq!(resp.json::<Value>().await.unwrap()["code"], "forbidden");
                }
            }
        }
    }
}

#[tokio::test]
async fn lockout_after_five_failures_with_retry_after() {
    let app = spawn_app(false).await;
    app.add_user("usuario.a", "clave-correcta-1", "visualizador", &[]);
    for i in 1..=5 {
        let r = app.login("usuario.a", "mala-clave-99").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "failure {i}");
    }
    let locked = app.login("usuario.a", "clave-correcta-1").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "the right password is not even checked while locked");
    let retry: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((895..=900).contains(&retry), "locked for 15 minutes from the 5th failure: {retry}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    assert!(body["detail"].as_str().unwrap().contains("15 minuto"), "{body}");
    // Another user is not affected.
    app.add_user("usuario.b", "clave-correcta-2", "visualizador", &[]);
    assert_eq!(app.login("usuario.b", "clave-correcta-2").await.status(), StatusCode::OK);
    // The lockout is audited.
    let audit: Value = app.get_admin("/api/admin/audit?accion=bloqueo").await.json().await.unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!(audit[0]["usuario"], "usuario.a");
    assert_eq!(audit[0]["ip"], "127.0.0.1");
}

#[tokio::test]
async fn four_failures_then_success_resets_the_count() {
    let app = spawn_app(false).await;
    app.add_user("usuario.c", "clave-correcta-3", "visualizador", &[]);
    for _ in 0..4 {
        app.login("usuario.c", "mala").await;
    }
    assert_eq!(app.login("usuario.c", "clave-correcta-3").await.status(), StatusCode::OK);
    for _ in 0..4 {
        assert_eq!(app.login("usuario.c", "mala").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login("usuario.c", "clave-correcta-3").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn per_ip_limit_answers_429_with_retry_after() {
    let app = spawn_app(false).await;
    // spawn_app already logged the admin in once from this IP.
    let mut statuses = Vec::new();
    for i in 0..fluxion::http::auth::LOGIN_ATTEMPTS_PER_MINUTE_PER_IP {
        // Different usernames: the per-user lockout must not be what answers.
        statuses.push(app.login(&format!("nadie{i}"), "x-clave-x").await.status());
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(limited, 1, "the 21st attempt within a minute is refused: {statuses:?}");
    let r = app.login("nadie-mas", "x-clave-x").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let app = spawn_app(false).await;
    let a = app.login("no-existe", "alguna-clave-1").await;
    let (sa, ba) = (a.status(), a.text().await.unwrap());
    let b = app.login(ADMIN, "alguna-clave-1").await;
    let (sb, bb) = (b.status(), b.text().await.unwrap());
    assert_eq!(sa, StatusCode::UNAUTHORIZED);
    assert_eq!((sa, ba), (sb, bb));
    // Inactive user with the right password: same answer.
    let id = app.add_user("inactivo", "clave-correcta-4", "visualizador", &[]);
    app.client.delete(app.url(&format!("/api/auth/users/{id}"))).bearer_auth(&app.admin_token).send().await.unwrap();
    let c = app.login("inactivo", "clave-correcta-4").await;
    assert_eq!(c.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(c.json::<Value>().await.unwrap()["code"], "invalid_credentials");
}

#[tokio::test]
async fn usernames_are_case_insensitive() {
    let app = spawn_app(false).await;
    app.add_user("Usuario.B", "clave-correcta-5", "visualizador", &[]);
    assert_eq!(app.login("USUARIO.B", "clave-correcta-5").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_password_change_role_change_and_disable_revoke_tokens() {
    let app = spawn_app(false).await;
    let me = |t: &str| {
        let req = app.client.get(app.url("/api/auth/me")).bearer_auth(t.to_string());
        async move { req.send().await.unwrap().status() }
    };
    // Logout.
    let t1 = app.token(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(me(&t1).await, StatusCode::OK);
    let out = app.client.post(app.url("/api/auth/logout")).bearer_auth(&t1).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(me(&t1).await, StatusCode::UNAUTHORIZED);

    // Own password change: every earlier token dies, the returned one works.
    app.add_user("gerente.norte", "clave-inicial-1", "gerente_tienda", &["tienda_01"]);
    let old = app.token("gerente.norte", "clave-inicial-1").await;
    let other_session = app.token("gerente.norte", "clave-inicial-1").await;
    let r = app
        .client
        .put(app.url("/api/auth/me/password"))
        .bearer_auth(&old)
        .json(&json!({"current_password": "clave-inicial-1", "new_password": "clave-nueva-22"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let fresh = r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&other_session).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&fresh).await, StatusCode::OK);
    assert_eq!(app.login("gerente.norte", "clave-inicial-1").await.status(), StatusCode::UNAUTHORIZED);

    // Role change by an admin (worked example 3).
    let users: Value = app.get_admin("/api/auth/users").await.json().await.unwrap();
    let id = users.as_array().unwrap().iter().find(|u| u["username"] == "gerente.norte").unwrap()["id"].as_str().unwrap().to_string();
    let r = app
        .client
        .put(app.url(&format!("/api/auth/users/{id}/role")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"rol_id": "gestor_abastecimiento", "tiendas_asignadas": ["tienda_01"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["tiendas_asignadas"], json!([]), "stores are dropped for non-store roles");
    assert_eq!(me(&fresh).await, StatusCode::UNAUTHORIZED);
    let again = app.token("gerente.norte", "clave-nueva-22").await;
    assert_eq!(me(&again).await, StatusCode::OK);
    let audit: Value = app.get_admin("/api/admin/audit?accion=cambiar_rol").await.json().await.unwrap();
    assert_eq!(audit[0]["detalle"]["de"], "gerente_tienda");
    assert_eq!(audit[0]["detalle"]["a"], "gestor_abastecimiento");
    assert_eq!(audit[0]["usuario"], ADMIN, "the real user, never 'sistema'");

    // Disable.
    let r = app.client.delete(app.url(&format!("/api/auth/users/{id}"))).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(me(&again).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn user_admin_rules() {
    let app = spawn_app(false).await;
    let post = |body: Value| {
        let req = app.client.post(app.url("/api/auth/register")).bearer_auth(app.admin_token.clone()).json(&body);
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, b) = post(json!({"username": "Gerente.Sur", "password": "clave-segura-77", "rol_id": "gerente_tienda",
                              "tiendas_asignadas": ["tienda_01", "tienda_02"]}))
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["username"], "gerente.sur");
    assert_eq!(b["must_change_password"], true);
    assert_eq!(b["tiendas_asignadas"], json!(["tienda_01", "tienda_02"]));
    let (s, b) = post(json!({"username": "gerente.sur", "password": "clave-segura-77", "rol_id": "visualizador"})).await;
    assert_eq!((s, b["code"].as_str().unwrap()), (StatusCode::CONFLICT, "username_taken"));
    let (s, b) = post(json!({"username": "nuevo.gt", "password": "clave-segura-77", "rol_id": "gerente_tienda"})).await;
    assert_eq!((s, b["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "stores_required"));
    let (s, b) = post(json!({"username": "nuevo.gt", "password": "clave-segura-77", "rol_id": "gerente_tienda",
                              "tiendas_asignadas": ["cedi_seco"]}))
    .await;
    assert_eq!((s, b["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_store"));
    let (s, b) = post(json!({"username": "nuevo.x", "password": "clave-segura-77", "rol_id": "jefe"})).await;
    assert_eq!((s, b["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_role"));
    let (s, b) = post(json!({"username": "nuevo.y", "password": "password123", "rol_id": "visualizador"})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "password"));

    // The new account must change its password before anything else.
    let t = app.token("gerente.sur", "clave-segura-77").await;
    let r = app.client.get(app.url("/api/resumen-red")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "password_change_required");
    let r = app.client.get(app.url("/api/auth/me")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The last super admin stays.
    let users: Value = app.get_admin("/api/auth/users").await.json().await.unwrap();
    let admin_id = users.as_array().unwrap().iter().find(|u| u["username"] == ADMIN).unwrap()["id"].as_str().unwrap().to_string();
    let r = app
        .client
        .put(app.url(&format!("/api/auth/users/{admin_id}/role")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"rol_id": "visualizador"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = app.client.delete(app.url(&format!("/api/auth/users/{admin_id}"))).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "nobody deactivates themselves");
}

#[tokio::test]
async fn store_manager_sees_only_assigned_stores_everywhere() {
    let app = spawn_app(true).await;
    app.add_user("gerente.uno", "clave-gerente-1", "gerente_tienda", &["tienda_01"]);
    let t = app.token("gerente.uno", "clave-gerente-1").await;
    let get = |path: String| {
        let req = app.client.get(app.url(&path)).bearer_auth(t.clone());
        async move { req.send().await.unwrap() }
    };
    let locs: Value = get("/api/ubicaciones".into()).await.json().await.unwrap();
    let ids: Vec<&str> = locs.as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tienda_01", "cedi_seco"], "own store and the CEDIs, never tienda_02");

    let mine: Value = get(format!("/api/resumen-red?hasta={}", end_date())).await.json().await.unwrap();
    let all: Value = app.get_admin(&format!("/api/resumen-red?hasta={}", end_date())).await.json().await.unwrap();
    let ids: Vec<&str> = mine["ubicaciones"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tienda_01", "cedi_seco"]);
    let sum: f64 = mine["ubicaciones"].as_array().unwrap().iter().map(|l| l["ventas_usd"].as_f64().unwrap()).sum();
    assert!((mine["totales"]["ventas_usd"].as_f64().unwrap() - sum).abs() < 0.01, "totals only over visible rows");
    assert!(mine["totales"]["ventas_usd"].as_f64().unwrap() < all["totales"]["ventas_usd"].as_f64().unwrap());

    // No assignments → stores nowhere.
    app.add_user("gerente.cero", "clave-gerente-2", "gerente_tienda", &[]);
    let t0 = app.token("gerente.cero", "clave-gerente-2").await;
    let r: Value = app.client.get(app.url("/api/ubicaciones")).bearer_auth(&t0).send().await.unwrap().json().await.unwrap();
    assert!(r.as_array().unwrap().iter().all(|l| l["tipo"] == "cedi"));
}

#[tokio::test]
async fn hostile_input_to_auth_fields_never_breaks_or_leaks() {
    let app = spawn_app(false).await;
    let big = "A".repeat(2 * 1024 * 1024);
    let shapes = [
        "' OR '1'='1",
        "admin'--",
        "admin\"; DROP TABLE usuarios; --",
        "%00admin",
        "admin\u{0000}",
        "ádmïn☃",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        big.as_str(),
    ];
    for s in shapes {
        for body in [json!({"username": s, "password": s}), json!({"username": ADMIN, "password": s}), json!({"username": s})] {
            let r = app.client.post(app.url("/api/auth/login")).json(&body).send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(status.is_client_error(), "{status} for {:.40}", s);
            for leak in ["sqlite", "SQL", "panicked", "usuarios", "Error:"] {
                assert!(!text.contains(leak), "{leak} leaked in {text:.200}");
            }
        }
    }
    // Not JSON at all, and a body over the 10 MiB limit.
    let r = app.client.post(app.url("/api/auth/login")).body("username=admin").send().await.unwrap();
    assert!(r.status().is_client_error());
    let huge = "x".repeat(11 * 1024 * 1024);
    let r = app.client.post(app.url("/api/auth/login")).header("content-type", "application/json").body(huge).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Garbage tokens.
    for t in ["", "x", "a.b.c", &"e".repeat(5000), "Bearer Bearer"] {
        let r = app.client.get(app.url("/api/auth/me")).header("authorization", format!("Bearer {t}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Nothing was damaged: the admin's session works and the accounts are intact
    // (logging in again from this IP is throttled by now, which is the point of the limit).
    assert_eq!(app.get_admin("/api/auth/me").await.status(), StatusCode::OK);
    let users: Value = app.get_admin("/api/auth/users").await.json().await.unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn cookie_sessions_refuse_cross_site_writes() {
    let app = spawn_app(false).await;
    let cookie = format!("fluxion_session={}", app.admin_token);
    let r = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf");
    let r = app.client.get(app.url("/api/auth/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "reads by cookie work");
    let r = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .header("origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "same-site write works");
}

#[tokio::test]
async fn login_sets_an_http_only_strict_cookie_and_imported_bcrypt_hashes_upgrade() {
    let app = spawn_app(false).await;
    let r = app.login(ADMIN, ADMIN_PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("fluxion_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age=28800"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["rol_id"], "super_admin");

    let id = app.add_user("heredado", "no-importa-1", "visualizador", &[]);
    let legacy = bcrypt::hash("clave-vieja-1", 4).unwrap();
    app.state.app_db.lock().unwrap().execute("UPDATE usuarios SET password_hash = ?1 WHERE id = ?2", [&legacy, &id]).unwrap();
    assert_eq!(app.login("heredado", "clave-vieja-1").await.status(), StatusCode::OK);
    let stored: String =
        app.state.app_db.lock().unwrap().query_row("SELECT password_hash FROM usuarios WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2id$"), "re-hashed on login");
    assert_eq!(app.login("heredado", "clave-vieja-1").await.status(), StatusCode::OK);
}

/// A body with a field the API does not take is refused in the API's JSON error format,
/// naming the field (not axum's plain text), on login and on an administrator's form.
#[tokio::test]
async fn unknown_body_fields_are_refused_as_json_naming_the_field() {
    let app = spawn_app(false).await;
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"username": ADMIN, "password": ADMIN_PASSWORD, "recordarme": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "invalid_body", "{e}");
    assert!(e["detail"].as_str().unwrap().contains("recordarme"), "{e}");
    let r = app
        .client
        .put(app.url("/api/admin/maintenance"))
        .bearer_auth(&app.admin_token)
        .json(&serde_json::json!({"active": false, "motivo": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "invalid_body", "{e}");
    assert!(e["detail"].as_str().unwrap().contains("motivo"), "{e}");
}
