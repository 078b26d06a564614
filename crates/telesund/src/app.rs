//! The whole service as one router, and serving it.

use axum::Router;
use telesund_db::Db;
use telesund_http::{AppState, HttpConfig};

/// Builds the application: API, FHIR, health, portal pages, and the shared layers.
pub fn build(db: Db, config: HttpConfig) -> Router {
    db.set_public_url(&config.public_url);
    let state = AppState::new(db, config);
    let app = telesund_http::routes(state.clone()).merge(telesund_ui::routes(state.clone()));
    telesund_http::with_middleware(app, state)
}

/// Serves until ctrl-c / SIGTERM, then lets the audit writer flush.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Db,
    config: HttpConfig,
) -> std::io::Result<()> {
    let app =
        build(db.clone(), config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    db.close().await;
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
