//! Service desk pages: knowledge.

use axum::Router;
use telesund_http::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
