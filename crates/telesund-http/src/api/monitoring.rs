//! Telemonitoring over JSON, for the citizen portal and simple gateways that do not speak
//! FHIR: measurements in and out, and a citizen's care plans.

use super::parse_id;
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use telesund_core::ids::CitizenId;
use telesund_core::monitoring::MeasurementType;
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::{Principal, Timestamp};
use telesund_db::monitoring::observations::Submitted;

/// A measurement as a gateway or the portal sends it. `effective_at` is RFC 3339 and
/// defaults to now (a value typed in as it is measured).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementInput {
    #[serde(rename = "type")]
    kind: MeasurementType,
    values: Vec<SentValue>,
    #[serde(default)]
    effective_at: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    identifier: Option<String>,
}

pub(crate) fn submitted_json(s: &Submitted) -> serde_json::Value {
    json!({
        "observation": s.observation,
        "created": s.created,
        "assessments": s.assessments.iter().map(|(plan, a)| json!({
            "care_plan_id": plan,
            "colour": a.colour,
            "findings": a.findings,
        })).collect::<Vec<_>>(),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MeasurementInput>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let effective_at = match input.effective_at.as_deref() {
        None => Timestamp::now(),
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| {
            ApiError::invalid(
                "effective_at must be an RFC 3339 time with a zone, e.g. 2026-11-22T08:00:00+01:00",
            )
            .at("effective_at")
        })?,
    };
    let source = Source::of_submission(
        matches!(auth.principal, Principal::Citizen { .. }),
        input.device.is_some(),
    );
    let new = NewObservation {
        citizen_id: citizen,
        kind: input.kind,
        values: input.values,
        effective_at,
        source,
        device: input.device.filter(|d| !d.trim().is_empty()),
        identifier: input.identifier.filter(|i| !i.trim().is_empty()),
        on_behalf_of_name: None,
    };
    let s = state.db.submit_observation(&auth.ctx(), new).await?;
    let status = if s.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(
            header::LOCATION,
            format!("/api/v1/observations/{}", s.observation.id),
        )],
        Json(submitted_json(&s)),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default, rename = "type")]
    kind: Option<MeasurementType>,
    #[serde(default)]
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let found = state
        .db
        .observations_of(&auth.ctx(), citizen, q.kind, limit)
        .await?;
    Ok(Json(json!({ "observations": found })))
}

pub async fn care_plans(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let plans = state.db.care_plans_of(&auth.ctx(), citizen).await?;
    Ok(Json(json!({ "care_plans": plans })))
}
