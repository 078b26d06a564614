//! Telesund's portals: server-rendered pages for staff and citizens (askama + htmx), Danish
//! first and English second. Every citizen read goes through the guarded storage calls in
//! `telesund-db`, so authorisation and audit happen there; sign-in reuses
//! `telesund_http::auth::login`, so there is one way to sign in.

mod account;
mod admin;
mod assets;
pub mod chart;
mod citizen_equipment;
mod equipment;
mod i18n;
pub mod label;
mod monitoring;
mod page;
mod portal;
mod portal_monitoring;
mod servicedesk;
mod staff;
mod view;

use axum::Router;
use axum::routing::{get, post};
use telesund_http::AppState;

pub use i18n::{t, t_args};

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/static/{file}", get(assets::serve))
        .route("/login", get(staff::login_form).post(staff::login))
        .route("/login/totp", get(staff::totp_form).post(staff::totp))
        .route("/logout", post(staff::logout))
        .route("/sprog", post(account::switch_language))
        .route("/", get(staff::home))
        .route("/borgere", get(staff::citizens))
        .route("/borgere/soeg", get(staff::citizen_results))
        .route("/borgere/{id}", get(staff::citizen_overview))
        .route("/konto", get(account::account))
        .route("/konto/totp", post(account::totp_start))
        .route("/konto/totp/bekraeft", post(account::totp_confirm))
        .route("/konto/totp/slaa-fra", post(account::totp_disable))
        .route(
            "/admin/organisationer",
            get(admin::organisations).post(admin::create_organisation),
        )
        .route("/admin/brugere", get(admin::users).post(admin::create_user))
        .route(
            "/admin/brugere/{id}/medlemskaber",
            post(admin::add_membership),
        )
        .route("/admin/brugere/{id}/aktiv", post(admin::set_active))
        .route(
            "/admin/medlemskaber/{id}/afslut",
            post(admin::end_membership),
        )
        .route("/admin/audit", get(admin::audit))
        .route("/portal/login", get(portal::login_form).post(portal::login))
        .route("/portal", get(portal::home))
        .route("/portal/adgang", get(portal::access_log))
        .merge(monitoring::routes())
        .merge(equipment::routes())
        .merge(portal_monitoring::routes())
        .merge(citizen_equipment::routes())
        .merge(servicedesk::routes())
        .with_state(state)
}
