//! Telesund's portals: server-rendered pages for staff and citizens.

use axum::Router;
use telesund_http::AppState;

pub fn routes(state: AppState) -> Router {
    Router::new().with_state(state)
}
