//! Test harness: every test gets its own temp folder, tenant config, real SQLite and DuckDB
//! files, and a server on a free port (zero2prod style).
#![allow(dead_code)]

pub mod browser;
pub mod smtp;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use fluxion::config::Tenant;
use fluxion::http::AppState;
use fluxion::sources::synthetic::{self, GenerateOptions, Scale};

pub const JWT_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Fixed so that generated data, and every figure derived from it, is reproducible.
pub fn end_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Writes a tenant folder (tenant.toml + secrets.toml) and returns the tenant.toml path.
pub fn write_tenant(dir: &Path, toml_text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("tenant.toml");
    std::fs::write(&path, toml_text).unwrap();
    write_private(&dir.join("secrets.toml"), &format!("[auth]\njwt_secret = \"{JWT_HEX}\"\n"));
    path
}

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "clave-de-prueba-1";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    /// Bearer token of the super admin `admin`.
    pub admin_token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Creates an account directly in the store (no forced password change).
    pub fn add_user(&self, username: &str, password: &str, role: &str, stores: &[&str]) -> String {
        let conn = self.state.app_db.lock().unwrap();
        add_user_to(&conn, username, password, role, stores)
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Logs in and returns the bearer token (panics on failure).
    pub async fn token(&self, username: &str, password: &str) -> String {
        let r = self.login(username, password).await;
        assert_eq!(r.status(), reqwest::StatusCode::OK, "login of {username}");
        r.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    }

    /// A consistent copy of this tenant (config, secrets, both databases) in a new folder,
    /// for CLI commands: DuckDB lets one process at a time open a database file, and this
    /// process holds it while the test server runs.
    pub fn snapshot_tenant(&self) -> (tempfile::TempDir, PathBuf) {
        let copy = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(copy.path().join("data")).unwrap();
        for f in ["tenant.toml", "secrets.toml"] {
            std::fs::copy(self.dir.path().join(f), copy.path().join(f)).unwrap();
        }
        self.state.warehouse.checkpoint().unwrap();
        std::fs::copy(self.dir.path().join("data/warehouse.duckdb"), copy.path().join("data/warehouse.duckdb")).unwrap();
        let conn = self.state.app_db.lock().unwrap();
        conn.execute("VACUUM INTO ?1", [copy.path().join("data/app.sqlite").to_str().unwrap()]).unwrap();
        let config = copy.path().join("tenant.toml");
        (copy, config)
    }

    /// GET with the admin's bearer token.
    pub async fn get_admin(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(&self.admin_token).send().await.unwrap()
    }

    /// GET with a bearer token, the body as JSON (panics on a non-JSON body).
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap().json().await.unwrap()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("tenant.toml")
    }

    /// GET with a bearer token: the status and the body as JSON (`Null` when it is not).
    pub async fn get_with_status(&self, path: &str, token: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let r = self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Loads sale lines into the warehouse as an ETL batch would.
    pub fn load_sales(&self, lines: &[fluxion::domain::records::SaleLine]) {
        let now = chrono::Utc::now().naive_utc();
        self.state.warehouse.write(|c| fluxion::warehouse::sales::load_sales(c, lines.iter(), None, now)).unwrap();
    }
}

/// One priced sale line (line 1 of its invoice; cost 70 % of the price).
pub fn sale_line(
    store: &str,
    invoice: &str,
    at: chrono::NaiveDateTime,
    code: &str,
    qty: f64,
    price: f64,
) -> fluxion::domain::records::SaleLine {
    fluxion::domain::records::SaleLine {
        ubicacion_id: store.into(),
        numero_factura: invoice.into(),
        linea: 1,
        fecha_venta: at,
        producto_codigo: code.into(),
        cantidad_vendida: qty,
        venta_total: qty * price,
        costo_total: Some(qty * price * 0.7),
        precio_unitario: Some(price),
        costo_unitario: Some(price * 0.7),
        factor_unidad_medida: 1.0,
        ..fluxion::domain::records::SaleLine::default()
    }
}

/// A served tenant with the `tiny` synthetic chain (or empty, with `generate = false`).
pub async fn spawn_app(generate: bool) -> TestApp {
    spawn_app_with(generate, |t| t).await
}

/// Like `spawn_app`, with a hook to edit the tenant.toml text first (branding, hosts…).
pub async fn spawn_app_with(generate: bool, edit: impl FnOnce(String) -> String) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(dir.path(), &edit(synthetic::demo_tenant_toml(Scale::Tiny, 0)));
    let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let state = tokio::task::spawn_blocking(move || {
        let state = fluxion::app::open(tenant).unwrap();
        if generate {
            let opts = GenerateOptions { scale: Scale::Tiny, seed: 7, end_date: end_date() };
            synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|_, _, _| {}).unwrap();
        }
        state
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = state.clone();
    tokio::spawn(async move { fluxion::http::serve(served, listener).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    {
        let conn = state.app_db.lock().unwrap();
        add_user_to(&conn, ADMIN, ADMIN_PASSWORD, "super_admin", &[]);
    }
    let mut app = TestApp { addr, state, dir, client, admin_token: String::new() };
    app.admin_token = app.token(ADMIN, ADMIN_PASSWORD).await;
    app
}

pub fn add_user_to(conn: &rusqlite::Connection, username: &str, password: &str, role: &str, stores: &[&str]) -> String {
    use fluxion::appdb::users;
    let hash = fluxion::auth::password::hash(password);
    let id = users::create(
        conn,
        &users::NewUser {
            username,
            password_hash: &hash,
            nombre_completo: Some(username),
            email: None,
            rol_id: role,
            must_change_password: false,
        },
    )
    .unwrap();
    let stores: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    users::set_stores(conn, &id, &stores, "test").unwrap();
    id
}

/// Replaces the value of the first `key = …` line (any alignment) of a TOML text.
pub fn set_key(text: &str, key: &str, value: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let is_key = trimmed.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='));
            if is_key && !done {
                done = true;
                format!("{key} = {value}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Appends a `[branding]` table (the demo config has none).
pub fn with_branding(text: &str, primary: &str) -> String {
    format!("{text}\n[branding]\nprimary_color = \"{primary}\"\nsecondary_color = \"#4c1d95\"\n")
}

/// The tiny chain with two more Valencia stores, `tienda_03` (Guacara) and `tienda_04` (Los
/// Guayos), without a POS: three stores in one region (the coverage tests' tenant).
pub fn with_two_more_valencia_stores(toml: String) -> String {
    format!(
        "{toml}\n{}",
        "[[stores]]
id = \"tienda_03\"
name = \"Tienda Guacara\"
kind = \"tienda\"
region = \"VALENCIA\"
city = \"Guacara\"
pos = \"none\"
  [[stores.almacenes]]
  codigo = \"T03-PV\"
  nombre = \"PISO DE VENTA\"
  tipo   = \"piso_venta\"

[[stores]]
id = \"tienda_04\"
name = \"Tienda Los Guayos\"
kind = \"tienda\"
region = \"VALENCIA\"
city = \"Los Guayos\"
pos = \"none\"
  [[stores.almacenes]]
  codigo = \"T04-PV\"
  nombre = \"PISO DE VENTA\"
  tipo   = \"piso_venta\"
"
    )
}

/// The tiny chain with `cedi_caracas` replenishing the Caracas region, and a route from
/// `cedi_seco` with frozen goods covered 5 days (the inter-CEDI tests' tenant).
pub fn with_receiving_cedi(toml: String) -> String {
    let toml = toml.replace("cedi_reposicion = \"cedi_seco\"", "cedi_reposicion = \"cedi_caracas\"");
    assert!(toml.contains("cedi_reposicion = \"cedi_caracas\""), "the tiny tenant names its Caracas supplier");
    format!(
        "{toml}\n[[stores]]\nid = \"cedi_caracas\"\nname = \"CEDI Caracas\"\nkind = \"cedi\"\nregion = \"CARACAS\"\ncity = \"Caracas\"\npos = \"none\"\n\
         visible_pedidos = true\n\n[[stores.almacenes]]\ncodigo = \"CCS-01\"\nnombre = \"PRINCIPAL\"\ntipo = \"principal\"\n\n\
         [[routes]]\norigin = \"cedi_seco\"\ndestination = \"cedi_caracas\"\ndias_cobertura_congelados = 5\n"
    )
}
