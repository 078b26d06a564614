//! The service desk's pages under `/servicedesk`: the agents' queue and incoming calls, the
//! caller screen, the case page, the knowledge base and its editor, and the reports; and the
//! help pages of both portals. Storage decides every call (`RunServiceDesk`, and the
//! citizen's support side per citizen); these pages only render.

mod cases;
mod help;
mod knowledge;
mod reports;
mod settings;

use axum::Router;
use telesund_http::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(cases::routes())
        .merge(help::routes())
        .merge(knowledge::routes())
        .merge(reports::routes())
        .merge(settings::routes())
}
