#![recursion_limit = "512"]
//! Telesund over HTTP: `/api/v1` (JSON), `/fhir` (R4), health and metrics, and the
//! authentication, CSRF, request-id and error-rendering layers every route shares.
//! Domain rules live in `telesund-core`; data access goes through `telesund-db`.

pub mod api;
pub mod auth;
pub mod body;
pub mod error;
pub mod fhir;
pub mod health;
pub mod metrics;
pub mod middleware;
mod state;

pub use error::ApiError;
pub use state::{AppState, HttpConfig, OidcConfig};

use axum::Router;

/// The routes this crate serves (the UI crate adds its pages); middleware is added by
/// [`with_middleware`] once the whole router is assembled.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::routes())
        .nest("/fhir", fhir::routes())
        .merge(health::routes())
        .merge(auth::oidc::routes())
        .with_state(state)
}

/// Wraps the assembled application in the shared layers (outermost first): request id and
/// logging, error rendering, security headers, body limit, CSRF.
pub fn with_middleware(app: Router, state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    app.layer(from_fn_with_state(state.clone(), middleware::csrf_guard))
        .layer(axum::extract::DefaultBodyLimit::max(
            state.config.max_body_bytes,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(from_fn_with_state(state, middleware::request_context))
}
