//! Two live tenants — two `fluxion serve` processes with their own ids, secrets and data
//! folders — and every way a request, token or host of one could reach the other.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{set_key, write_private};
use fluxion::auth::token::TokenKeys;
use fluxion::sources::synthetic::{demo_tenant_toml, Scale};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "clave-inicial-77";
const NEW_PASSWORD: &str = "clave-definitiva-78";

struct Tenant {
    id: &'static str,
    host: String,
    secret: Vec<u8>,
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Tenant {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn fluxion() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fluxion"));
    c.env("FLUXION_LOG", "warn");
    c
}

async fn start(id: &'static str, secret_byte: u8) -> Tenant {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let host = format!("{id}.test");
    let mut toml = demo_tenant_toml(Scale::Tiny, port);
    toml = set_key(&toml, "id", &format!("\"{id}\""));
    toml = set_key(&toml, "public_url", &format!("\"http://{host}\""));
    toml = set_key(&toml, "allowed_hosts", &format!("[\"{host}\"]"));
    let config = dir.path().join("tenant.toml");
    std::fs::write(&config, toml).unwrap();
    let secret = vec![secret_byte; 32];
    write_private(&dir.path().join("secrets.toml"), &format!("[auth]\njwt_secret = \"{}\"\n", hex::encode(&secret)));

    let mut add = fluxion()
        .args(["user", "add", "--config", config.to_str().unwrap(), "--username", "admin", "--role", "super_admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success(), "user add: {}", String::from_utf8_lossy(&out.stderr));

    let child =
        fluxion().args(["serve", "--config", config.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let t = Tenant { id, host, secret, port, child, _dir: dir };
    let started = Instant::now();
    loop {
        let ok = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.is_ok_and(|r| r.status().is_success());
        if ok {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "tenant {id} did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

impl Tenant {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// First login (forced password change), then a working session token.
    async fn session(&self) -> String {
        let r = client()
            .post(self.url("/api/auth/login"))
            .header("host", &self.host)
            .json(&json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login on {}", self.id);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["must_change_password"], true, "CLI accounts must change their password");
        let first = body["access_token"].as_str().unwrap().to_string();
        let r = client()
            .put(self.url("/api/auth/me/password"))
            .header("host", &self.host)
            .bearer_auth(&first)
            .json(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    }

    async fn get(&self, path: &str, host: &str, token: &str) -> reqwest::Response {
        client().get(self.url(path)).header("host", host).bearer_auth(token).send().await.unwrap()
    }
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenant_can_never_reach_another() {
    let a = start("alfa", 0xA1).await;
    let b = start("beta", 0xB2).await;
    let token_a = a.session().await;
    let token_b = b.session().await;

    // Each token works at home.
    assert_eq!(a.get("/api/auth/me", &a.host, &token_a).await.status(), StatusCode::OK);
    assert_eq!(b.get("/api/auth/me", &b.host, &token_b).await.status(), StatusCode::OK);

    // A's token at B: refused, and nothing of A is readable through B.
    for path in ["/api/auth/me", "/api/resumen-red", "/api/auth/users", "/api/ubicaciones", "/api/admin/audit"] {
        let r = b.get(path, &b.host, &token_a).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.json::<Value>().await.unwrap()["detail"], "No se pudo validar las credenciales");
    }
    // A's host sent to B: 421, whatever the token.
    let r = b.get("/api/auth/me", &a.host, &token_b).await;
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let r = client().get(b.url("/api/tenant")).header("host", &a.host).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    // A's tenant id in the header at B: 400.
    let r = client().get(b.url("/api/tenant")).header("host", &b.host).header("x-tenant-id", a.id).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Forged tokens for A's admin (real user id and version, so only the forgery is wrong).
    let c = claims_of(&token_a);
    let (sub, ver) = (c["sub"].as_str().unwrap(), c["ver"].as_i64().unwrap());
    let now = chrono::Utc::now().timestamp();
    let forged = [
        // expired an hour ago
        ("expired", TokenKeys::new(&a.secret, a.id).mint(sub, "admin", "super_admin", ver, now - 9 * 3600, 480).0),
        // issued in the future
        ("future", TokenKeys::new(&a.secret, a.id).mint(sub, "admin", "super_admin", ver, now + 3600, 480).0),
        // A's claims signed with B's secret
        ("other secret", TokenKeys::new(&b.secret, a.id).mint(sub, "admin", "super_admin", ver, now, 480).0),
        // A's secret reused by mistake, but B's tenant id
        ("wrong tid", TokenKeys::new(&a.secret, b.id).mint(sub, "admin", "super_admin", ver, now, 480).0),
        // stale version
        ("old version", TokenKeys::new(&a.secret, a.id).mint(sub, "admin", "super_admin", ver - 1, now, 480).0),
    ];
    for (what, t) in &forged {
        let r = a.get("/api/auth/me", &a.host, t).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
    }
    let parts: Vec<&str> = token_a.split('.').collect();
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let hs512_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
    let mut tampered_payload = claims_of(&token_a);
    tampered_payload["rol"] = json!("super_admin");
    tampered_payload["sub"] = json!("someone-else");
    let tampered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tampered_payload.to_string());
    for (what, t) in [
        ("alg none", format!("{none_header}.{}.", parts[1])),
        ("alg HS512", format!("{hs512_header}.{}.{}", parts[1], parts[2])),
        ("tampered payload", format!("{}.{tampered}.{}", parts[0], parts[2])),
    ] {
        assert_eq!(a.get("/api/auth/me", &a.host, &t).await.status(), StatusCode::UNAUTHORIZED, "{what}");
    }
    // Anonymous requests to protected routes of either tenant: 401.
    for t in [&a, &b] {
        let r = client().get(t.url("/api/resumen-red")).header("host", &t.host).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The public tenant endpoint tells them apart.
    let ta: Value = client().get(a.url("/api/tenant")).header("host", &a.host).send().await.unwrap().json().await.unwrap();
    let tb: Value = client().get(b.url("/api/tenant")).header("host", &b.host).send().await.unwrap().json().await.unwrap();
    assert_eq!((ta["id"].as_str(), tb["id"].as_str()), (Some("alfa"), Some("beta")));
}
