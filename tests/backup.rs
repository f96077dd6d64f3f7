//! Backups and restore on real files: the library as `serve` uses it (live warehouse) and
//! the real binary as ops use it (`fluxion backup`, `fluxion restore`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{add_user_to, end_date, set_key, write_tenant};
use fluxion::config::Tenant;
use fluxion::ops::backup::{self, Kind, Options, WarehouseSource};
use fluxion::sources::synthetic::{self, demo_tenant_toml, GenerateOptions, Scale};
use sha2::{Digest, Sha256};

fn fluxion(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxion")).args(args).env("FLUXION_LOG", "warn").output().expect("binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A tenant folder with the tiny synthetic chain and two accounts; returns tenant.toml.
fn tenant_with_data(dir: &Path, id: &str) -> PathBuf {
    let toml = set_key(&demo_tenant_toml(Scale::Tiny, 0), "id", &format!("\"{id}\""));
    let config = write_tenant(dir, &toml);
    let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let state = fluxion::app::open(tenant).unwrap();
    let opts = GenerateOptions { scale: Scale::Tiny, seed: 11, end_date: end_date() };
    synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|_, _, _| {}).unwrap();
    let conn = state.app_db.lock().unwrap();
    add_user_to(&conn, "admin", "clave-de-prueba-1", "super_admin", &[]);
    add_user_to(&conn, "gerente", "clave-de-prueba-2", "gerente_tienda", &["tienda_01"]);
    config
}

/// Row count and a checksum of the full contents of every table of both stores.
fn fingerprint(data: &Path) -> BTreeMap<String, (i64, String)> {
    let sqlite = rusqlite::Connection::open(data.join("app.sqlite")).unwrap();
    let duck = duckdb::Connection::open(data.join("warehouse.duckdb")).unwrap();
    fingerprint_of(&sqlite, &duck)
}

fn fingerprint_of(sqlite: &rusqlite::Connection, duck: &duckdb::Connection) -> BTreeMap<String, (i64, String)> {
    let mut out = BTreeMap::new();
    let tables: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() > 30, "the application schema has its tables");
    for t in tables {
        let mut stmt = sqlite.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("\u{1f}")))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        let digest = hex::encode(Sha256::digest(rows.join("\u{1e}").as_bytes()));
        out.insert(format!("sqlite.{t}"), (rows.len() as i64, digest));
    }
    let tables: Vec<String> = duck
        .prepare(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables
             WHERE table_type = 'BASE TABLE' ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.len() > 5, "the warehouse schema has its tables");
    for t in tables {
        let (n, sum): (i64, String) = duck
            .query_row(&format!("SELECT count(*), coalesce(sum(hash(x::VARCHAR)::HUGEINT), 0)::VARCHAR FROM {t} AS x"), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        out.insert(format!("duckdb.{t}"), (n, sum));
    }
    out
}

#[test]
fn live_backup_then_restore_brings_back_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let config = tenant_with_data(dir.path(), "granja");
    let data = dir.path().join("data");

    // As inside `serve`: the stores are open (and the warehouse writer busy-able).
    let tenant = Tenant::load(&config).unwrap();
    let state = fluxion::app::open(tenant.clone()).unwrap();
    let before = fingerprint_of(&state.app_db.lock().unwrap(), &state.warehouse.reader().unwrap());
    assert!(before["duckdb.main.ventas"].0 > 1000, "the chain has sales");
    assert!(before["sqlite.usuarios"].0 == 2);
    let m = backup::create(&tenant, WarehouseSource::Live(&state.warehouse), Options { kind: Kind::Daily, with_analytics: true }).unwrap();
    assert!(m.has_warehouse());
    assert_eq!(m.tenant, "granja");
    assert_eq!(m.schema.app, fluxion::appdb::SCHEMA_VERSION);
    assert_eq!(m.schema.warehouse, Some(fluxion::warehouse::SCHEMA_VERSION));
    let folder = tenant.backup_dir.join(&m.id);
    assert!(folder.join("app.sqlite.zst").is_file() && folder.join("warehouse.duckdb.zst").is_file());
    assert!(folder.join("tenant.toml").is_file());
    assert!(!folder.join("secrets.toml").exists(), "secrets are never in a backup");
    let everything = std::fs::read_dir(&folder).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect::<Vec<_>>();
    assert!(
        !everything.iter().any(|bytes| bytes.windows(common::JWT_HEX.len()).any(|w| w == common::JWT_HEX.as_bytes())),
        "the JWT secret appears nowhere in the backup"
    );

    // Damage after the backup: rows deleted in both stores, an account added.
    state.warehouse.write(|c| c.execute_batch("DELETE FROM ventas WHERE ubicacion_id = 'tienda_01'")).unwrap();
    {
        let conn = state.app_db.lock().unwrap();
        conn.execute("DELETE FROM usuarios_tiendas", []).unwrap();
        add_user_to(&conn, "intruso", "clave-de-prueba-3", "visualizador", &[]);
    }
    drop(state);
    assert_ne!(fingerprint(&data), before);

    let o = fluxion(&["restore", &m.id, "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("restored backup"), "{}", text(&o));
    assert_eq!(fingerprint(&data), before, "every table has the same rows as at backup time");
    let replaced: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".replaced-"))
        .collect();
    assert!(replaced.iter().any(|n| n.starts_with("app.sqlite.replaced-")), "{replaced:?}");
    assert!(replaced.iter().any(|n| n.starts_with("warehouse.duckdb.replaced-")), "{replaced:?}");

    // The restored tenant opens and serves as before.
    let state = fluxion::app::open(Tenant::load(&config).unwrap()).unwrap();
    assert_eq!(fluxion::appdb::users::count(&state.app_db.lock().unwrap()).unwrap(), 2);
}

#[test]
fn cli_backup_with_the_service_stopped_and_its_tools() {
    let dir = tempfile::tempdir().unwrap();
    let config = tenant_with_data(dir.path(), "granja");
    let cfg = config.to_str().unwrap();
    let before = fingerprint(&dir.path().join("data"));

    let o = fluxion(&["backup", "--config", cfg, "--kind", "predeploy"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(id.ends_with("-predeploy"), "the id alone on stdout: {id:?}");
    let m = backup::read_manifest(&dir.path().join("backups").join(&id)).unwrap();
    assert!(m.has_warehouse(), "a pre-deploy backup carries the warehouse");

    let o = fluxion(&["backup", "verify", &id, "--config", cfg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = fluxion(&["backup", "list", "--config", cfg]);
    assert!(text(&o).contains(&id), "{}", text(&o));

    // Same binary, same schema: the rollback restore is not needed and does nothing.
    let o = fluxion(&["restore", &id, "--config", cfg, "--only-if-schema-newer"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("not needed"), "{}", text(&o));
    assert_eq!(fingerprint(&dir.path().join("data")), before);

    // A restore onto an empty data folder (disaster recovery on a new host).
    std::fs::rename(dir.path().join("data"), dir.path().join("old-data")).unwrap();
    let o = fluxion(&["restore", &id, "--config", cfg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fingerprint(&dir.path().join("data")), before);
}

#[test]
fn restore_refuses_another_tenant_a_newer_schema_and_damaged_files() {
    let dir = tempfile::tempdir().unwrap();
    let granja = tenant_with_data(&dir.path().join("granja"), "granja");
    let otro = tenant_with_data(&dir.path().join("otro"), "otro");
    let otro_before = fingerprint(&dir.path().join("otro/data"));

    let o = fluxion(&["backup", "--config", granja.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let folder = dir.path().join("granja/backups").join(&id);

    // Another tenant's backup, by path.
    let o = fluxion(&["restore", folder.to_str().unwrap(), "--config", otro.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
    assert!(text(&o).contains("granja") && text(&o).contains("otro"), "{}", text(&o));
    assert_eq!(fingerprint(&dir.path().join("otro/data")), otro_before, "nothing was touched");

    // An unknown id.
    let o = fluxion(&["restore", "20990101-000000-manual", "--config", otro.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(66), "{}", text(&o));

    // A newer schema (as made by a newer release).
    let copy = dir.path().join("newer");
    copy_dir(&folder, &copy);
    let mpath = copy.join("MANIFEST.json");
    let mut manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
    manifest["schema"]["app"] = serde_json::json!(fluxion::appdb::SCHEMA_VERSION + 1);
    std::fs::write(&mpath, manifest.to_string()).unwrap();
    let o = fluxion(&["restore", copy.to_str().unwrap(), "--config", granja.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
    assert!(text(&o).contains("newer than this binary"), "{}", text(&o));

    // A damaged archive.
    let archive = folder.join("app.sqlite.zst");
    let mut bytes = std::fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let o = fluxion(&["backup", "verify", &id, "--config", granja.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
    let o = fluxion(&["restore", &id, "--config", granja.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
    assert!(text(&o).contains("damaged"), "{}", text(&o));
}

#[test]
fn the_warehouse_of_a_running_server_is_not_copied_from_outside() {
    let dir = tempfile::tempdir().unwrap();
    let config = tenant_with_data(dir.path(), "granja");
    let cfg = config.to_str().unwrap();
    // This process holds the stores open, as `fluxion serve` would.
    let state = fluxion::app::open(Tenant::load(&config).unwrap()).unwrap();
    let o = fluxion(&["backup", "--config", cfg]);
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    assert!(text(&o).contains("in use"), "{}", text(&o));
    assert!(std::fs::read_dir(dir.path().join("backups")).unwrap().next().is_none(), "no partial backup is left behind");
    // The application database alone is fine while serving.
    let o = fluxion(&["backup", "--config", cfg, "--without-analytics"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Restore refuses while the server holds the warehouse.
    let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let o = fluxion(&["restore", &id, "--config", cfg]);
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    drop(state);
}

#[test]
fn scheduled_backups_follow_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let toml = demo_tenant_toml(Scale::Tiny, 0) + "\n[backup]\nkeep_daily = 2\nkeep_weekly = 0\n";
    let config = write_tenant(dir.path(), &toml);
    let tenant = Tenant::load(&config).unwrap();
    let state = fluxion::app::open(tenant.clone()).unwrap();
    for _ in 0..3 {
        backup::run_scheduled(&tenant, &state.warehouse);
    }
    let kept = backup::list(&tenant.backup_dir);
    assert_eq!(kept.len(), 2, "{:?}", kept.iter().map(|(_, m)| &m.id).collect::<Vec<_>>());
    assert!(kept.iter().all(|(_, m)| m.kind == Kind::Daily));
    for (path, _) in &kept {
        backup::verify(path).unwrap();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[tokio::test]
async fn admins_see_the_backup_list() {
    let app = common::spawn_app(false).await;
    let tenant = app.state.tenant.clone();
    let wh = app.state.warehouse.clone();
    tokio::task::spawn_blocking(move || {
        backup::create(&tenant, WarehouseSource::Live(&wh), Options { kind: Kind::Manual, with_analytics: false }).unwrap()
    })
    .await
    .unwrap();
    let r = app.get_admin("/api/admin/backups").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "manual");
    assert_eq!(items[0]["warehouse"], false);
    assert!(items[0]["size_bytes"].as_u64().unwrap() > 0);
}
