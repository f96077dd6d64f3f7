//! `fluxion user add|passwd|list|disable|enable|assign-stores --config tenant.toml`
//! Passwords come from a prompt (terminal) or the first line of stdin — never from argv.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Subcommand;
use serde_json::json;

use crate::app::AppState;
use crate::appdb::{audit, users};
use crate::auth::password;
use crate::domain::access::Role;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (the user must change the password at first login).
    Add {
        #[arg(long)]
        username: String,
        /// visualizador | gerente_tienda | gestor_abastecimiento | gerente_general | super_admin
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Assigned store (repeat for several); required for gerente_tienda.
        #[arg(long = "store")]
        stores: Vec<String>,
    },
    /// Set a new password (ends the user's sessions; must be changed at next login).
    Passwd {
        #[arg(long)]
        username: String,
    },
    /// List the accounts.
    List,
    /// Deactivate an account (ends its sessions).
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Reactivate an account.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Replace the stores of a store manager.
    AssignStores {
        #[arg(long)]
        username: String,
        #[arg(long = "store", required = true)]
        stores: Vec<String>,
    },
}

pub fn run(config: &Path, command: UserCommand) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match execute(&state, command) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

/// Reads a password: hidden prompt on a terminal, else one line of stdin.
fn read_password(prompt: &str) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repita la contraseña: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

fn validated_stores(state: &AppState, role: Role, stores: &[String]) -> Result<Vec<String>, String> {
    if !role.is_store_scoped() {
        if !stores.is_empty() {
            return Err(format!("--store applies only to gerente_tienda, not {}", role.id()));
        }
        return Ok(vec![]);
    }
    if stores.is_empty() {
        return Err("a gerente_tienda needs at least one --store".into());
    }
    for s in stores {
        if !state.tenant.stores().iter().any(|x| x.id == *s && x.active && !x.is_cedi()) {
            return Err(format!("{s:?} is not an active store of this tenant"));
        }
    }
    Ok(stores.to_vec())
}

fn cli_audit(conn: &rusqlite::Connection, accion: &str, user_id: &str, detalle: serde_json::Value) -> Result<(), String> {
    audit::append(
        conn,
        &audit::Entry {
            usuario: Some("cli"),
            ip: None,
            accion,
            entidad: Some("usuario"),
            entidad_id: Some(user_id),
            detalle: Some(detalle),
        },
    )
    .map_err(|e| e.to_string())
}

fn execute(state: &AppState, command: UserCommand) -> Result<(), String> {
    let min = state.tenant.file.auth.password_min_length as usize;
    let conn = state.app_db.lock().unwrap_or_else(|p| p.into_inner());
    let find = |username: &str| -> Result<users::User, String> {
        users::by_username(&conn, username).map_err(|e| e.to_string())?.ok_or_else(|| format!("no user {username:?}"))
    };
    match command {
        UserCommand::Add { username, role, name, email, stores } => {
            let username = username.trim().to_lowercase();
            if !crate::domain::access::is_valid_username(&username) {
                return Err("username must be 3-50 characters: a-z, 0-9, '.', '_' or '-'".into());
            }
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role:?}"))?;
            let stores = validated_stores(state, role, &stores)?;
            if users::exists(&conn, &username).map_err(|e| e.to_string())? {
                return Err(format!("user {username:?} already exists"));
            }
            let pw = read_password("Contraseña: ")?;
            password::check_policy(&pw, min)?;
            let hash = password::hash(&pw);
            let id = users::create(
                &conn,
                &users::NewUser {
                    username: &username,
                    password_hash: &hash,
                    nombre_completo: name.as_deref(),
                    email: email.as_deref(),
                    rol_id: role.id(),
                    must_change_password: true,
                },
            )
            .map_err(|e| e.to_string())?;
            users::set_stores(&conn, &id, &stores, "cli").map_err(|e| e.to_string())?;
            cli_audit(&conn, "crear_usuario", &id, json!({"username": username, "rol_id": role.id(), "tiendas": stores}))?;
            println!("Usuario {username} creado con rol {} (deberá cambiar la contraseña al entrar).", role.id());
        }
        UserCommand::Passwd { username } => {
            let u = find(&username)?;
            let pw = read_password("Nueva contraseña: ")?;
            password::check_policy(&pw, min)?;
            users::set_password(&conn, &u.id, &password::hash(&pw), true).map_err(|e| e.to_string())?;
            cli_audit(&conn, "restablecer_contrasena", &u.id, json!({}))?;
            println!("Contraseña de {} cambiada; sus sesiones se cerraron.", u.username);
        }
        UserCommand::List => {
            println!("{:<24} {:<24} {:<8} {:<22} tiendas", "usuario", "rol", "activo", "último ingreso");
            for u in users::list(&conn).map_err(|e| e.to_string())? {
                let stores = users::assigned_stores(&conn, &u.id).map_err(|e| e.to_string())?;
                println!(
                    "{:<24} {:<24} {:<8} {:<22} {}",
                    u.username,
                    u.rol_id,
                    if u.activo { "sí" } else { "no" },
                    u.ultimo_login.as_deref().unwrap_or("-"),
                    stores.join(",")
                );
            }
        }
        UserCommand::Disable { username } => {
            let u = find(&username)?;
            if u.rol_id == "super_admin" && u.activo && users::active_admins(&conn).map_err(|e| e.to_string())? <= 1 {
                return Err("refusing to deactivate the last active super_admin".into());
            }
            users::set_active(&conn, &u.id, false).map_err(|e| e.to_string())?;
            cli_audit(&conn, "desactivar_usuario", &u.id, json!({}))?;
            println!("Usuario {} desactivado.", u.username);
        }
        UserCommand::Enable { username } => {
            let u = find(&username)?;
            users::set_active(&conn, &u.id, true).map_err(|e| e.to_string())?;
            cli_audit(&conn, "reactivar_usuario", &u.id, json!({}))?;
            println!("Usuario {} reactivado.", u.username);
        }
        UserCommand::AssignStores { username, stores } => {
            let u = find(&username)?;
            let role = Role::parse(&u.rol_id).ok_or("unknown role")?;
            let stores = validated_stores(state, role, &stores)?;
            users::set_stores(&conn, &u.id, &stores, "cli").map_err(|e| e.to_string())?;
            users::revoke_all(&conn, &u.id).map_err(|e| e.to_string())?;
            cli_audit(&conn, "asignar_tiendas", &u.id, json!({"tiendas": stores}))?;
            println!("Tiendas de {}: {}", u.username, stores.join(", "));
        }
    }
    Ok(())
}
