//! What the benchmarks share: the client-scale chain (generated once into
//! $FLUXION_BENCH_DIR, default ~/.cache/fluxion-bench/client, and reused) and a server on a
//! free port with a logged-in super administrator.
#![allow(dead_code)] // each bench uses its part

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use fluxion::config::Tenant;
use fluxion::sources::synthetic::{self, GenerateOptions, Scale};

pub fn end_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn bench_dir() -> PathBuf {
    std::env::var_os("FLUXION_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/fluxion-bench/client"))
}

pub fn client_tenant() -> fluxion::http::AppState {
    let dir = bench_dir();
    let config = dir.join("tenant.toml");
    let fresh = !config.exists();
    if fresh {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&config, synthetic::demo_tenant_toml(Scale::Client, 0)).unwrap();
        let secrets = dir.join("secrets.toml");
        std::fs::write(&secrets, "[auth]\njwt_secret = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let state = fluxion::app::open(Tenant::load(&config).unwrap()).unwrap();
    let has_data: bool =
        state.warehouse.reader().unwrap().query_row("SELECT count(*) > 0 FROM ventas_diarias_ubicacion", [], |r| r.get(0)).unwrap();
    if !has_data {
        let started = Instant::now();
        let opts = GenerateOptions { scale: Scale::Client, seed: 42, end_date: end_date() };
        let report = synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|_, _, _| {}).unwrap();
        println!(
            "generated client scale in {:.1} s: {} products, {} sale lines, {} tickets, {} history rows, {} stock loads",
            started.elapsed().as_secs_f64(),
            report.products,
            report.sale_lines,
            report.tickets,
            report.history_rows,
            report.stock_loads
        );
        state.warehouse.checkpoint().unwrap();
    }
    state
}

/// A served copy of `state` and a session of the `bench` super administrator.
pub struct Server {
    pub rt: tokio::runtime::Runtime,
    pub client: reqwest::Client,
    pub token: String,
    pub addr: std::net::SocketAddr,
}

impl Server {
    pub fn start(state: &fluxion::http::AppState) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (addr, client) = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let served = state.clone();
            tokio::spawn(async move { fluxion::http::serve(served, listener).await.unwrap() });
            (addr, reqwest::Client::new())
        });
        {
            let conn = state.app_db.lock().unwrap();
            if !fluxion::appdb::users::exists(&conn, "bench").unwrap() {
                let hash = fluxion::auth::password::hash("clave-del-banco-1");
                fluxion::appdb::users::create(
                    &conn,
                    &fluxion::appdb::users::NewUser {
                        username: "bench",
                        password_hash: &hash,
                        nombre_completo: None,
                        email: None,
                        rol_id: "super_admin",
                        must_change_password: false,
                    },
                )
                .unwrap();
            }
        }
        let token: String = rt.block_on(async {
            let r = client
                .post(format!("http://{addr}/api/auth/login"))
                .header("host", "localhost")
                .json(&serde_json::json!({"username": "bench", "password": "clave-del-banco-1"}))
                .send()
                .await
                .unwrap();
            r.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
        });
        Server { rt, client, token, addr }
    }

    /// GET `path` as the browser does (gzip accepted); panics unless 2xx; the body's size
    /// on the wire.
    pub fn get(&self, path: &str) -> usize {
        self.rt.block_on(async {
            let r = self
                .client
                .get(format!("http://{}{path}", self.addr))
                .header("host", "localhost")
                .header("accept-encoding", "gzip")
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.bytes().await.unwrap().len()
        })
    }

    /// POST `body` as JSON; panics unless 2xx. With `gzip`, as the browser sends it (the
    /// body's size on the wire, no JSON: this client does not decompress); without, the JSON.
    pub fn post(&self, path: &str, body: &serde_json::Value, gzip: bool) -> (usize, serde_json::Value) {
        self.rt.block_on(async {
            let mut req =
                self.client.post(format!("http://{}{path}", self.addr)).header("host", "localhost").bearer_auth(&self.token).json(body);
            if gzip {
                req = req.header("accept-encoding", "gzip");
            }
            let r = req.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            let bytes = r.bytes().await.unwrap();
            let json = if gzip { serde_json::Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
            (bytes.len(), json)
        })
    }
}
