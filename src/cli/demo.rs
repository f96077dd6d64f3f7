//! `fluxion demo`: a complete demo tenant (config, secrets, synthetic data, an
//! administrator) in one folder, then served. Rerunning on the same folder reuses it.

use std::path::Path;

use crate::appdb;
use crate::auth::password;
use crate::sources::synthetic::{self, Scale};

const ADMIN: &str = "admin";

pub fn run(scale: Scale, seed: u64, port: u16, dir: &Path, no_serve: bool) -> i32 {
    match prepare(scale, seed, port, dir) {
        Ok(state) if no_serve => {
            drop(state);
            0
        }
        Ok(state) => {
            println!("Fluxion demo: http://localhost:{port}/  (Ctrl-C para detener)");
            super::serve::serve_state(state, &format!("127.0.0.1:{port}"))
        }
        Err(code) => code,
    }
}

fn prepare(scale: Scale, seed: u64, port: u16, dir: &Path) -> Result<crate::app::AppState, i32> {
    let config = dir.join("tenant.toml");
    if config.exists() {
        println!("Reutilizando la demo existente en {} (borre la carpeta para generarla de nuevo).", dir.display());
    } else {
        write_tenant(scale, port, dir).map_err(|e| {
            eprintln!("error: cannot write the demo tenant into {}: {e}", dir.display());
            1
        })?;
    }
    let state = super::open_tenant(&config)?;
    let has_sales: bool = state
        .warehouse
        .reader()
        .and_then(|r| Ok(r.query_row("SELECT count(*) > 0 FROM ventas_diarias_ubicacion", [], |row| row.get(0))?))
        .map_err(|e| {
            eprintln!("error: {e}");
            1
        })?;
    if !has_sales {
        super::generate::generate_into(&state, scale, seed, None).map_err(|e| {
            eprintln!("error: {e}");
            1
        })?;
    }
    let conn = state.app_db.lock().unwrap_or_else(|p| p.into_inner());
    let admin_exists = appdb::users::exists(&conn, ADMIN).map_err(|e| {
        eprintln!("error: {e}");
        1
    })?;
    if admin_exists {
        println!("Usuario administrador: {ADMIN} (la contraseña se mostró al crear la demo).");
    } else {
        let pw = password::generate(14);
        let hash = password::hash(&pw);
        let admin = appdb::users::NewUser {
            username: ADMIN,
            password_hash: &hash,
            nombre_completo: Some("Administrador demo"),
            email: None,
            rol_id: "super_admin",
            // A demo should open straight away; real accounts from `fluxion user add` must change it.
            must_change_password: false,
        };
        appdb::users::create(&conn, &admin).map_err(|e| {
            eprintln!("error: {e}");
            1
        })?;
        println!("Usuario administrador creado: {ADMIN} / contraseña: {pw}");
        println!("(Guárdela: no se volverá a mostrar.)");
    }
    drop(conn);
    Ok(state)
}

/// Writes tenant.toml and a secrets file with a fresh JWT key (mode 0600).
fn write_tenant(scale: Scale, port: u16, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("tenant.toml"), synthetic::demo_tenant_toml(scale, port))?;
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    write_private(&dir.join("secrets.toml"), &format!("[auth]\njwt_secret = \"{}\"\n", hex::encode(key)))
}

/// Creates a file readable only by its owner.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}
