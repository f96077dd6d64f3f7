//! The HTTP edge: axum router, admission guard, JSON errors, embedded UI.
//! Handlers stay thin: they parse, call storage/domain off the async workers, and answer.

mod assets;
pub mod error;
pub mod guard;
mod health;
mod summary;
mod tenant;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

use crate::config::Tenant;
use crate::warehouse::Warehouse;
use error::ApiError;

pub use health::VERSION;

/// Shared state of every handler: the tenant and its two stores.
#[derive(Clone)]
pub struct AppState {
    pub tenant: Arc<Tenant>,
    pub warehouse: Arc<Warehouse>,
    pub app_db: Arc<Mutex<rusqlite::Connection>>,
    pub app_db_path: PathBuf,
}

impl AppState {
    /// Runs a closure on the SQLite connection on the blocking pool.
    pub async fn with_app_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.app_db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = db.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await?
    }
}

const BODY_LIMIT: usize = 10 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/version", get(health::version))
        .route("/api/tenant", get(tenant::tenant_info))
        .route("/branding/logo", get(tenant::logo))
        .route("/branding/favicon", get(tenant::favicon))
        .route("/api/resumen-red", get(summary::network))
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::admission))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::headers_and_log))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(state: AppState, listener: TcpListener) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
