//! `/fhir`: FHIR R4 over the same storage, access rules and audit as the JSON API. The
//! resources and their mapping live in `telesund-fhir`; this module is the REST layer:
//! routing, search parameters, Bundles and OperationOutcomes.

mod audit;
mod bundle;
mod care;
mod care_work;
mod device;
mod directory;
mod observation;
mod patient;
mod rest;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use rest::Fhir;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", post(bundle::submit))
        .route("/metadata", get(metadata))
        .route(
            "/Observation",
            get(observation::search).post(observation::create),
        )
        .route("/Observation/{id}", get(observation::read))
        .route("/CarePlan", get(care_work::search_care_plans))
        .route("/PlanDefinition", get(care_work::search_plan_definitions))
        .route("/PlanDefinition/{id}", get(care_work::read_plan_definition))
        .route("/Questionnaire", get(care_work::search_questionnaires))
        .route("/Questionnaire/{id}", get(care_work::read_questionnaire))
        .route(
            "/QuestionnaireResponse",
            get(care_work::search_responses).post(care_work::create_response),
        )
        .route("/QuestionnaireResponse/{id}", get(care_work::read_response))
        .route(
            "/ClinicalImpression",
            get(care_work::search_clinical_impressions),
        )
        .route("/Task", get(care_work::search_tasks))
        .route("/Task/{id}", get(care_work::read_task))
        .route("/Device", get(device::search))
        .route("/Device/{id}", get(device::read))
        .route("/Patient", get(patient::search).post(patient::create))
        .route("/Patient/{id}", get(patient::read).put(patient::update))
        .route("/Organization", get(directory::search_organizations))
        .route("/Organization/{id}", get(directory::read_organization))
        .route("/Practitioner/{id}", get(directory::read_practitioner))
        .route(
            "/PractitionerRole",
            get(directory::search_practitioner_roles),
        )
        .route("/CareTeam", get(care::search_care_teams))
        .route("/Consent", get(care::search_consents))
        .route("/AuditEvent", get(audit::search))
}

/// The CapabilityStatement; public, as FHIR clients fetch it before they authenticate.
async fn metadata(State(state): State<AppState>) -> impl IntoResponse {
    let date = telesund_core::Timestamp::now().to_rfc3339();
    Fhir(telesund_fhir::capability::statement(
        &rest::base(&state),
        env!("CARGO_PKG_VERSION"),
        &date[..10],
    ))
}

/// An error as an OperationOutcome, with the request id in `diagnostics`.
pub fn outcome_for(err: &ApiError, request_id: &str) -> serde_json::Value {
    serde_json::to_value(telesund_fhir::OperationOutcome::error(
        err.code,
        &err.message,
        err.location.as_deref(),
        request_id,
    ))
    .unwrap_or_default()
}
