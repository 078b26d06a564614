//! `/fhir`: FHIR R4 over the same storage and access rules as the JSON API.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// An error as an OperationOutcome, with the request id in `diagnostics`.
pub fn outcome_for(err: &ApiError, request_id: &str) -> serde_json::Value {
    serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": "processing", "details": { "text": err.message }, "diagnostics": format!("request id {request_id}") }]
    })
}
