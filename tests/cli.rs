//! The real binary, as ops and newcomers use it: config check, new-tenant, demo, generate
//! and import with their exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{set_key, with_branding, write_tenant};
use fluxion::sources::synthetic::{demo_tenant_toml, Scale};

fn fluxion(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxion")).args(args).env("FLUXION_LOG", "warn").output().expect("binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["config", "check", "--help"],
        vec!["import", "--help"],
        vec!["classify", "--help"],
        vec!["generate", "--help"],
    ] {
        let o = fluxion(&cmd);
        assert!(o.status.success(), "{cmd:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn config_check_accepts_a_valid_file_and_lists_every_problem_of_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_tenant(&dir.path().join("ok"), &demo_tenant_toml(Scale::Tiny, 8080));
    let o = fluxion(&["config", "check", path_str(&good)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("OK"));

    let broken = with_branding(&set_key(&demo_tenant_toml(Scale::Tiny, 8080), "timezone", "\"Mars/Olympus\""), "verde");
    let bad = write_tenant(&dir.path().join("bad"), &broken);
    let o = fluxion(&["config", "check", path_str(&bad)]);
    assert_eq!(o.status.code(), Some(78), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("tenant.timezone") && out.contains("Mars/Olympus"), "{out}");
    assert!(out.contains("branding.primary_color") && out.contains("#RRGGBB"), "{out}");

    let o = fluxion(&["config", "check", "/no/such/tenant.toml"]);
    assert_eq!(o.status.code(), Some(78));
}

#[test]
fn new_tenant_copies_the_template_with_a_private_secret() {
    let root = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/new-tenant.sh");
    let o = Command::new("bash").arg(&script).arg("cliente2").env("TENANTS_DIR", root.path()).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Fill in these placeholders"));
    let dir = root.path().join("cliente2");
    let toml = std::fs::read_to_string(dir.join("tenant.toml")).unwrap();
    assert!(toml.contains("id                 = \"cliente2\""));
    let secrets = std::fs::read_to_string(dir.join("secrets.toml")).unwrap();
    let secret = secrets.lines().find(|l| l.starts_with("jwt_secret")).unwrap();
    let hex = secret.split('"').nth(1).unwrap();
    assert_eq!(hex.len(), 64);
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("secrets.toml")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Unfilled placeholders are what config check reports.
    let o = fluxion(&["config", "check", path_str(&dir.join("tenant.toml"))]);
    assert_eq!(o.status.code(), Some(78));
    assert!(text(&o).contains("placeholder"), "{}", text(&o));
    // A second run never overwrites a tenant.
    let again = Command::new("bash").arg(&script).arg("cliente2").env("TENANTS_DIR", root.path()).output().unwrap();
    assert!(!again.status.success());
}

#[test]
fn demo_prepares_a_tenant_once_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let args = ["demo", "--scale", "tiny", "--seed", "3", "--data-dir", path_str(&demo), "--no-serve"];
    let first = fluxion(&args);
    assert!(first.status.success(), "{}", text(&first));
    let out = text(&first);
    assert!(out.contains("contraseña:"), "the admin password is printed once: {out}");
    assert!(demo.join("tenant.toml").is_file() && demo.join("data/warehouse.duckdb").is_file());
    let o = fluxion(&["config", "check", path_str(&demo.join("tenant.toml"))]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let second = fluxion(&args);
    assert!(second.status.success(), "{}", text(&second));
    let out2 = text(&second);
    assert!(out2.contains("Reutilizando"), "{out2}");
    assert!(!out2.contains("contraseña:"), "the password is never shown again: {out2}");
    assert!(!out2.contains("Cadena sintética"), "data is not regenerated: {out2}");
}

#[test]
fn generate_reports_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(dir.path(), &demo_tenant_toml(Scale::Tiny, 8080));
    let o = fluxion(&["generate", "--scale", "tiny", "--seed", "9", "--end-date", "2026-11-25", "--config", path_str(&config)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("líneas de venta"), "{}", text(&o));
}

#[test]
fn import_exit_codes_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Tiny, 8080));
    let good = dir.path().join("good");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::write(
        good.join("ventas.csv"),
        "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n\
         tienda_01,F-1,1,2026-11-20 10:15:00,000001,2,3.50\n\
         tienda_01,F-1,2,2026-11-20 10:15:00,000002,1.250,4.10\n",
    )
    .unwrap();
    let o = fluxion(&["import", path_str(&good), "--config", path_str(&config)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("ventas.csv"));
    // An import is a sales load: the classification and demand caches were rebuilt.
    let app = rusqlite::Connection::open(dir.path().join("t/data/app.sqlite")).unwrap();
    let (runs, stores): (i64, i64) = app
        .query_row(
            "SELECT (SELECT count(*) FROM abc_cache_control WHERE estado = 'completado'), (SELECT count(*) FROM demanda_p75_cache)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((runs, stores), (1, 2), "one rebuild, a cache row per store");

    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("ventas.csv"),
        "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n\
         tienda_01,F-2,1,2026-11-20 10:15:00,000001,12,5,3.50\n\
         tienda_99,F-2,2,2026-11-20 10:15:00,000001,1,3.50\n",
    )
    .unwrap();
    let o = fluxion(&["import", path_str(&bad), "--config", path_str(&config)]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
    assert!(text(&o).contains("ventas.csv:3:ubicacion_id"), "{}", text(&o));

    let o = fluxion(&["import", path_str(&good), "--config", "/no/such/tenant.toml"]);
    assert_eq!(o.status.code(), Some(78));
}

/// A chain onboarded from history needs its caches for the day after its last sales, not
/// for the real date: `import --date` and `classify --date` build them for that day.
#[test]
fn import_and_classify_rebuild_the_caches_for_the_date_given() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Tiny, 8080));
    let config = path_str(&config);
    let import = dir.path().join("import");
    std::fs::create_dir_all(&import).unwrap();
    let mut ventas = String::from("ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total\n");
    for day in 1..=20 {
        for store in ["tienda_01", "tienda_02"] {
            ventas.push_str(&format!("{store},F-{day},1,2025-06-{day:02} 10:00:00,000001,{},3.50\n", day % 4 + 1));
        }
    }
    std::fs::write(import.join("ventas.csv"), ventas).unwrap();
    let cache_dates = || -> Vec<String> {
        let app = rusqlite::Connection::open(dir.path().join("t/data/app.sqlite")).unwrap();
        let mut stmt = app.prepare("SELECT DISTINCT fecha_base FROM demanda_p75_cache ORDER BY 1").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };

    let o = fluxion(&["import", path_str(&import), "--config", config, "--date", "2025-06-21"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Clasificación para 2025-06-21: 2 tiendas"), "{}", text(&o));
    assert_eq!(cache_dates(), vec!["2025-06-21"]);
    let abc: i64 = rusqlite::Connection::open(dir.path().join("t/data/app.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM abc_cache_control WHERE estado = 'completado'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(abc, 1);

    // A week earlier, without importing anything.
    let o = fluxion(&["classify", "--config", config, "--date", "2025-06-14"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Clasificación para 2025-06-14"), "{}", text(&o));
    assert_eq!(cache_dates(), vec!["2025-06-14"]);
    let wh = fluxion::warehouse::Warehouse::open(&dir.path().join("t/data/warehouse.duckdb")).unwrap();
    let (rows, base): (i64, String) = wh
        .reader()
        .unwrap()
        .query_row("SELECT count(*), min(fecha_calculo)::VARCHAR FROM productos_abc_tienda", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((rows, base.as_str()), (2, "2025-06-14"), "one product classified in each store, for that date");

    let o = fluxion(&["classify", "--config", config, "--date", "2025-13-01"]);
    assert_eq!(o.status.code(), Some(2), "a date that does not exist is a usage error: {}", text(&o));
}
