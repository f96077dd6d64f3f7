//! `fluxion etl run|status|check` as a user runs them: summary table, exit codes, history
//! and watermarks, reachability of the configured sources.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use serde_json::json;
use support::*;

async fn fluxion(args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_fluxion")).args(args).output().await.unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_status_and_check_from_the_command_line() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", day_of_sales("A", "2025-11-17", 120, "APP-TPF"));
    klk.state.set_sales("SUC007", day_of_sales("B", "2025-11-17", 80, "TAVBOL"));
    *klk.state.pisoventa.lock().unwrap() = vec![
        json!({"CodigoSucursal": "SUC001", "CodigoAlmacen": "APP-TPF"}),
        json!({"CodigoSucursal": "SUC007", "CodigoAlmacen": "TAVBOL"}),
    ];
    klk.state.reposicion.lock().unwrap().insert("SUC001".into(), vec![json!({"CodigoSucursal": "SUC001", "CodigoAlmacen": "PCDICS"})]);
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant_files(dir.path(), &klk_tenant_toml(&klk.base_url(), 2, ""), "[pos.klk]\napi_key = \"clave-klk\"\n");
    let cfg = config.display().to_string();

    let (code, out, err) = fluxion(&["etl", "run", "ventas", "--from", "2025-11-17", "--to", "2025-11-17", "--config", &cfg]).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("ubicación") && out.contains("leídas") && out.contains("cuarentena"), "{out}");
    let row = out.lines().find(|l| l.starts_with("tienda_01")).unwrap();
    assert!(row.contains("success") && row.contains("120"), "{row}");
    assert!(out.contains("estado success"), "{out}");

    // One branch failing ⇒ exit 1, the other still loads.
    klk.state.fault("SUC007", Fault::ErrorKey("mantenimiento".into()));
    let (code, out, _) = fluxion(&["etl", "run", "ventas", "--from", "2025-11-17", "--config", &cfg]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().any(|l| l.starts_with("tienda_02") && l.contains("failed") && l.contains("mantenimiento")), "{out}");
    assert!(out.contains("estado partial"), "{out}");
    // The API key from the secrets file is sent.
    let keys = klk.state.api_keys.lock().unwrap().clone();
    assert!(keys.len() >= 3 && keys.iter().all(|k| k.as_deref() == Some("clave-klk")), "{keys:?}");

    let (code, out, _) = fluxion(&["etl", "status", "--config", &cfg]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Últimas ejecuciones") && out.contains("partial") && out.contains("success"), "{out}");
    assert!(out.contains("tienda_01") && out.contains("Backfill:"), "{out}");

    // Stores and the CEDI: the CEDI's warehouse appears in a Reposicion listing.
    let (code, out, _) = fluxion(&["etl", "check", "--config", &cfg]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 de 3 conectadas (100.0 %)"), "{out}");
    klk.state.fault("pisoventa", Fault::Status(502));
    let (code, out, _) = fluxion(&["etl", "check", "--config", &cfg]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 de 3 conectadas"), "{out}");

    // Bad arguments.
    let (code, _, err) = fluxion(&["etl", "run", "inventario", "--from", "2025-11-17", "--config", &cfg]).await;
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = fluxion(&["etl", "run", "ventas", "--store", "tienda_99", "--config", &cfg]).await;
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("tienda_99"), "{err}");
}
