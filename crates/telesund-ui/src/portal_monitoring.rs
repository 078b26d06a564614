//! The citizen's own telemonitoring in the portal (being written).

use axum::Router;
use telesund_http::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
