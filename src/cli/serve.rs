//! `fluxion serve --config tenant.toml`

use std::path::Path;

use crate::app::AppState;

pub fn run(config: &Path) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let listen = state.tenant.file.server.listen.clone();
    serve_state(state, &listen)
}

/// Starts the runtime and serves `state` on `listen` until SIGTERM.
pub fn serve_state(state: AppState, listen: &str) -> i32 {
    if state.tenant.file.server.tls.mode == "files" {
        eprintln!(
            "error: server.tls.mode = \"files\" is not supported yet; terminate TLS in the reverse proxy \
             (deploy/ has an example) and set tls = {{ mode = \"off\" }}"
        );
        return crate::config::EXIT_CONFIG;
    }
    let no_users = crate::appdb::users::count(&state.app_db.lock().unwrap_or_else(|p| p.into_inner())).unwrap_or(0) == 0;
    if no_users {
        tracing::warn!(
            "no user accounts yet: create the first administrator with \
             `fluxion user add --config <tenant.toml> --username <name> --role super_admin`"
        );
    }
    #[allow(clippy::expect_used)] // without a runtime the server cannot run at all; failing at start is the only outcome
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {listen}: {e}");
                return 1;
            }
        };
        let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| listen.to_string());
        tracing::info!(tenant = state.tenant.id(), %addr, version = crate::http::VERSION, "serving");
        let jobs = crate::app::jobs::registry(&state).into_jobs(&state.tenant.file.schedules);
        let scheduler = crate::scheduler::spawn(jobs, state.tenant.timezone);
        // Order e-mails wait in the outbox; this sends what is due every 30 s.
        let mailer = crate::mail::Mailer::new(&state.tenant);
        let outbox = tokio::spawn(crate::mail::outbox::run_worker(state.app_db_path.clone(), mailer, std::time::Duration::from_secs(30)));
        let warmer = crate::app::jobs::spawn_inventory_warmer(&state, std::time::Duration::from_secs(15));
        let served = crate::http::serve(state, listener).await;
        scheduler.abort();
        outbox.abort();
        warmer.abort();
        match served {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: server stopped: {e}");
                1
            }
        }
    })
}
