//! The JSON API at `/api/v1`. Every route is listed in the OpenAPI document (`openapi.rs`); a
//! test checks the two agree.

pub mod admin;
mod citizens;
mod equipment;
mod knowledge;
mod monitoring;
mod openapi;
mod servicedesk;
mod servicedesk_reports;
mod session;
mod shared;

use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get, post, put};

pub use openapi::document as openapi_document;

/// (method, path) of every route, in OpenAPI path syntax — the single list the router and the
/// OpenAPI test share.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/auth/login"),
    ("post", "/auth/citizen-login"),
    ("post", "/auth/totp"),
    ("post", "/auth/logout"),
    ("get", "/me"),
    ("get", "/citizens"),
    ("post", "/citizens"),
    ("get", "/citizens/{id}"),
    ("put", "/citizens/{id}"),
    ("get", "/citizens/{id}/overview"),
    ("get", "/citizens/{id}/consents"),
    ("post", "/citizens/{id}/consents"),
    ("get", "/citizens/{id}/care-teams"),
    ("post", "/citizens/{id}/care-teams"),
    ("post", "/citizens/{id}/enrolments"),
    ("get", "/citizens/{id}/access-log"),
    ("get", "/citizens/{id}/observations"),
    ("post", "/citizens/{id}/observations"),
    ("get", "/citizens/{id}/care-plans"),
    ("get", "/citizens/{id}/assessments"),
    ("post", "/citizens/{id}/acknowledgements"),
    ("get", "/citizens/{id}/notes"),
    ("post", "/citizens/{id}/notes"),
    ("get", "/citizens/{id}/messages"),
    ("post", "/citizens/{id}/questionnaire-responses"),
    ("put", "/care-plans/{id}/thresholds/{quantity}"),
    ("post", "/care-plans/{id}/status"),
    ("get", "/care-plans/{id}/history"),
    ("get", "/worklist"),
    ("post", "/tasks/{id}/{action}"),
    ("get", "/programmes/{id}/versions"),
    ("post", "/programmes/{id}/versions"),
    ("post", "/programme-versions/{id}/status"),
    ("get", "/programmes/{id}/alarm-burden"),
    ("get", "/programmes"),
    ("get", "/organisations"),
    ("post", "/organisations"),
    ("get", "/organisations/{id}"),
    ("get", "/users"),
    ("post", "/users"),
    ("post", "/users/{id}/memberships"),
    ("delete", "/memberships/{id}"),
    ("get", "/audit-events"),
    ("get", "/citizens/{id}/equipment"),
    ("get", "/care-plans/{id}/kit-order"),
    ("post", "/care-plans/{id}/kit-order"),
    ("get", "/equipment/models"),
    ("post", "/equipment/models"),
    ("get", "/equipment/kits"),
    ("put", "/equipment/kits"),
    ("get", "/equipment/service-prices"),
    ("put", "/equipment/service-prices"),
    ("get", "/equipment/warehouses"),
    ("post", "/equipment/warehouses"),
    ("get", "/equipment/units"),
    ("post", "/equipment/units"),
    ("get", "/equipment/units/lookup"),
    ("get", "/equipment/units/{id}"),
    ("post", "/equipment/units/{id}/events"),
    ("post", "/equipment/units/{id}/reprocessing"),
    ("post", "/equipment/units/{id}/maintenance"),
    ("get", "/equipment/units/{id}/holders"),
    ("post", "/equipment/units/{id}/replacement"),
    ("post", "/equipment/units/{id}/service-orders"),
    ("post", "/equipment/units/{id}/recall-release"),
    ("get", "/equipment/lots/holders"),
    ("post", "/equipment/recalls"),
    ("get", "/equipment/orders"),
    ("get", "/equipment/orders/{id}"),
    ("post", "/equipment/orders/{id}/status"),
    ("post", "/equipment/orders/{id}/dispatch"),
    ("post", "/equipment/orders/{id}/visits"),
    ("post", "/equipment/order-lines/{id}/allocation"),
    ("get", "/equipment/visits"),
    ("post", "/equipment/visits/{id}/completion"),
    ("get", "/equipment/maintenance-due"),
    ("post", "/equipment/maintenance-visits"),
    ("get", "/equipment/stock"),
    ("put", "/equipment/stock/reorder-levels"),
    ("post", "/equipment/stock-takes"),
    ("post", "/equipment/stock-takes/{id}/scans"),
    ("post", "/equipment/stock-takes/{id}/finish"),
    ("get", "/equipment/statements"),
    ("get", "/equipment/statements.csv"),
    // service desk (servicedesk.rs)
    ("post", "/telephony/incoming-call"),
    ("get", "/servicedesk/calls"),
    ("post", "/servicedesk/calls/{id}/answer"),
    ("get", "/servicedesk/caller-screen/{id}"),
    ("get", "/servicedesk/cases"),
    ("post", "/servicedesk/cases"),
    ("get", "/servicedesk/cases/{id}"),
    ("post", "/servicedesk/cases/{id}/actions"),
    ("post", "/servicedesk/cases/{id}/rating"),
    ("get", "/citizens/{id}/service-cases"),
    ("get", "/servicedesk/desks"),
    ("put", "/servicedesk/desks/{id}"),
    // knowledge base (knowledge.rs)
    ("get", "/knowledge/articles"),
    ("post", "/knowledge/articles"),
    ("get", "/knowledge/articles/{id}"),
    ("put", "/knowledge/articles/{id}"),
    ("post", "/knowledge/articles/{id}/images"),
    ("get", "/knowledge/images/{id}"),
    // service desk reports (servicedesk_reports.rs)
    ("get", "/servicedesk/reports"),
    ("get", "/servicedesk/reports.csv"),
    ("get", "/openapi.json"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(session::login))
        .route("/auth/citizen-login", post(session::citizen_login))
        .route("/auth/totp", post(session::totp))
        .route("/auth/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/citizens", get(citizens::search).post(citizens::create))
        .route("/citizens/{id}", get(citizens::read).put(citizens::update))
        .route("/citizens/{id}/overview", get(citizens::overview))
        .route(
            "/citizens/{id}/consents",
            get(citizens::consents).post(citizens::record_consent),
        )
        .route(
            "/citizens/{id}/care-teams",
            get(citizens::care_teams).post(citizens::create_care_team),
        )
        .route("/citizens/{id}/enrolments", post(citizens::enrol))
        .route("/citizens/{id}/access-log", get(citizens::access_log))
        .route(
            "/citizens/{id}/observations",
            get(monitoring::list).post(monitoring::submit),
        )
        .route("/citizens/{id}/care-plans", get(monitoring::care_plans))
        .route("/citizens/{id}/assessments", get(monitoring::assessments))
        .route(
            "/citizens/{id}/acknowledgements",
            post(monitoring::acknowledge),
        )
        .route(
            "/citizens/{id}/notes",
            get(monitoring::notes).post(monitoring::add_note),
        )
        .route("/citizens/{id}/messages", get(monitoring::messages))
        .route(
            "/citizens/{id}/questionnaire-responses",
            post(monitoring::submit_response),
        )
        .route(
            "/care-plans/{id}/thresholds/{quantity}",
            put(monitoring::override_thresholds),
        )
        .route("/care-plans/{id}/status", post(monitoring::set_plan_status))
        .route("/care-plans/{id}/history", get(monitoring::plan_history))
        .route("/worklist", get(monitoring::worklist))
        .route("/tasks/{id}/{action}", post(monitoring::change_task))
        .route(
            "/programmes/{id}/versions",
            get(monitoring::programme_versions).post(monitoring::create_programme_version),
        )
        .route(
            "/programme-versions/{id}/status",
            post(monitoring::set_version_status),
        )
        .route(
            "/programmes/{id}/alarm-burden",
            get(monitoring::alarm_burden),
        )
        .route("/programmes", get(admin::programmes))
        .route(
            "/organisations",
            get(admin::organisations).post(admin::create_organisation),
        )
        .route("/organisations/{id}", get(admin::organisation))
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/{id}/memberships", post(admin::add_membership))
        .route("/memberships/{id}", delete(admin::end_membership))
        .route("/audit-events", get(admin::audit_events))
        .route(
            "/citizens/{id}/equipment",
            get(equipment::citizen_equipment),
        )
        .route(
            "/care-plans/{id}/kit-order",
            get(equipment::preview_kit_order).post(equipment::order_kit),
        )
        .route(
            "/equipment/models",
            get(equipment::models).post(equipment::save_model),
        )
        .route(
            "/equipment/kits",
            get(equipment::kits).put(equipment::save_kit),
        )
        .route(
            "/equipment/service-prices",
            get(equipment::service_prices).put(equipment::set_service_price),
        )
        .route(
            "/equipment/warehouses",
            get(equipment::warehouses).post(equipment::create_warehouse),
        )
        .route(
            "/equipment/units",
            get(equipment::units).post(equipment::receive_unit),
        )
        .route("/equipment/units/lookup", get(equipment::lookup))
        .route("/equipment/units/{id}", get(equipment::unit))
        .route(
            "/equipment/units/{id}/events",
            post(equipment::record_event),
        )
        .route(
            "/equipment/units/{id}/reprocessing",
            post(equipment::record_reprocessing),
        )
        .route(
            "/equipment/units/{id}/maintenance",
            post(equipment::record_maintenance),
        )
        .route("/equipment/units/{id}/holders", get(equipment::holders))
        .route(
            "/equipment/units/{id}/replacement",
            post(equipment::order_replacement),
        )
        .route(
            "/equipment/units/{id}/service-orders",
            post(equipment::order_service),
        )
        .route(
            "/equipment/units/{id}/recall-release",
            post(equipment::release_recall_hold),
        )
        .route("/equipment/lots/holders", get(equipment::lot_holders))
        .route("/equipment/recalls", post(equipment::recall))
        .route("/equipment/orders", get(equipment::orders))
        .route("/equipment/orders/{id}", get(equipment::order))
        .route(
            "/equipment/orders/{id}/status",
            post(equipment::change_order_status),
        )
        .route("/equipment/orders/{id}/dispatch", post(equipment::dispatch))
        .route(
            "/equipment/orders/{id}/visits",
            post(equipment::schedule_visit),
        )
        .route(
            "/equipment/order-lines/{id}/allocation",
            post(equipment::allocate),
        )
        .route("/equipment/visits", get(equipment::day_plan))
        .route(
            "/equipment/visits/{id}/completion",
            post(equipment::complete_visit),
        )
        .route(
            "/equipment/maintenance-due",
            get(equipment::maintenance_due),
        )
        .route(
            "/equipment/maintenance-visits",
            post(equipment::plan_maintenance_visits),
        )
        .route("/equipment/stock", get(equipment::stock))
        .route(
            "/equipment/stock/reorder-levels",
            put(equipment::set_reorder_level),
        )
        .route("/equipment/stock-takes", post(equipment::start_stock_take))
        .route(
            "/equipment/stock-takes/{id}/scans",
            post(equipment::scan_for_stock_take),
        )
        .route(
            "/equipment/stock-takes/{id}/finish",
            post(equipment::finish_stock_take),
        )
        .route("/equipment/statements", get(equipment::statements))
        .route("/equipment/statements.csv", get(equipment::statement_csv))
        .route("/openapi.json", get(openapi::serve))
        .merge(servicedesk::routes())
        .merge(knowledge::routes())
        .merge(servicedesk_reports::routes())
}

/// Parses a path id, answering 404 (not 400) for ids that cannot exist.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, crate::ApiError> {
    s.parse().map_err(|_| crate::ApiError::not_found(what))
}
