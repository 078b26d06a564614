//! Telemonitoring over JSON, for the portals, simple gateways that do not speak FHIR and the
//! clinicians' own tools: measurements and answers in, care plans (thresholds, pause, end),
//! the worklist, acknowledging, tasks, notes, messages, programme versions and alarm burden.

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
use telesund_core::ids::{
    AssessmentId, CarePlanId, CitizenId, OrgId, ProgrammeId, ProgrammeVersionId, TaskId,
};
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::programme::{PlanDefinition, PlanStatus, VersionStatus};
use telesund_core::monitoring::questionnaire::Answer;
use telesund_core::monitoring::thresholds::Bounds;
use telesund_core::monitoring::{MeasurementType, Quantity};
use telesund_core::{Principal, Timestamp};
use telesund_db::monitoring::observations::Submitted;
use telesund_db::monitoring::questionnaires::NewResponse;
use telesund_db::monitoring::worklist::{AckScope, WorklistFilter};

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdInput {
    #[serde(default)]
    alert_low: Option<f64>,
    #[serde(default)]
    warning_low: Option<f64>,
    #[serde(default)]
    warning_high: Option<f64>,
    #[serde(default)]
    alert_high: Option<f64>,
    reason: String,
}

/// Overrides one quantity's thresholds for this citizen's plan (reason required; the old and
/// new bounds are kept in the plan's history).
pub async fn override_thresholds(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, quantity)): Path<(String, String)>,
    JsonBody(input): JsonBody<ThresholdInput>,
) -> Result<impl IntoResponse, ApiError> {
    let plan: CarePlanId = parse_id(&id, "care plan")?;
    let quantity = Quantity::parse(&quantity).map_err(|e| ApiError::from(e).at("quantity"))?;
    let p = state
        .db
        .override_thresholds(
            &auth.ctx(),
            plan,
            quantity,
            Bounds::new(
                input.alert_low,
                input.warning_low,
                input.warning_high,
                input.alert_high,
            ),
            &input.reason,
        )
        .await?;
    Ok(Json(p))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    status: PlanStatus,
    reason: String,
}

/// Pauses (e.g. during admission), resumes or ends a plan.
pub async fn set_plan_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<StatusInput>,
) -> Result<impl IntoResponse, ApiError> {
    let plan: CarePlanId = parse_id(&id, "care plan")?;
    let p = state
        .db
        .set_care_plan_status(&auth.ctx(), plan, input.status, &input.reason)
        .await?;
    Ok(Json(p))
}

pub async fn plan_history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let plan: CarePlanId = parse_id(&id, "care plan")?;
    let h = state.db.care_plan_history(&auth.ctx(), plan).await?;
    Ok(Json(json!({ "changes": h })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WorklistQuery {
    #[serde(default)]
    programme: Option<ProgrammeId>,
    #[serde(default)]
    org: Option<OrgId>,
    #[serde(default)]
    limit: Option<i64>,
}

pub async fn worklist(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<WorklistQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let entries = state
        .db
        .worklist(
            &auth.ctx(),
            &WorklistFilter {
                programme_id: q.programme,
                org_id: q.org,
                limit: q.limit.unwrap_or(50),
            },
        )
        .await?;
    Ok(Json(json!({ "citizens": entries })))
}

pub async fn assessments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let found = state
        .db
        .assessments_of(&auth.ctx(), citizen, None, 200)
        .await?;
    Ok(Json(json!({ "assessments": found })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckInput {
    /// One result; all of the citizen's on the caller's teams when left out.
    #[serde(default)]
    assessment_id: Option<AssessmentId>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    action_taken: bool,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AckInput>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let scope = match input.assessment_id {
        Some(a) => AckScope::One(a),
        None => AckScope::AllOfCitizen,
    };
    let outcome = state
        .db
        .acknowledge(
            &auth.ctx(),
            citizen,
            scope,
            input.message,
            input.action_taken,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TaskChangeInput {
    #[serde(default)]
    note: Option<String>,
}

/// Take, release or complete a task (`/tasks/{id}/take` and so on).
pub async fn change_task(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, change)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, ApiError> {
    // The body is optional: a bare POST takes or releases.
    let input: TaskChangeInput = if body.is_empty() {
        TaskChangeInput::default()
    } else {
        crate::body::parse_json(&body)?
    };
    let task: TaskId = parse_id(&id, "task")?;
    let ctx = auth.ctx();
    let t = match change.as_str() {
        "take" => state.db.take_task(&ctx, task).await?,
        "release" => state.db.release_task(&ctx, task).await?,
        "complete" => state.db.complete_task(&ctx, task, input.note).await?,
        _ => return Err(ApiError::not_found("task action")),
    };
    Ok(Json(t))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    text: String,
    #[serde(default)]
    important: bool,
    #[serde(default)]
    care_plan_id: Option<CarePlanId>,
}

pub async fn notes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(
        json!({ "notes": state.db.notes_of(&auth.ctx(), citizen).await? }),
    ))
}

pub async fn add_note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NoteInput>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let note = state
        .db
        .add_note(
            &auth.ctx(),
            citizen,
            input.care_plan_id,
            &input.text,
            input.important,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(note)))
}

pub async fn messages(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(
        json!({ "messages": state.db.messages_of(&auth.ctx(), citizen).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    questionnaire: String,
    #[serde(default)]
    version: Option<String>,
    answers: Vec<(String, Answer)>,
    #[serde(default)]
    authored_at: Option<String>,
    #[serde(default)]
    identifier: Option<String>,
}

/// Answers to a questionnaire, as `[["linkId", {"choice": "a2"}], ...]`.
pub async fn submit_response(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ResponseInput>,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let authored_at = rfc3339_or_now(input.authored_at.as_deref(), "authored_at")?;
    let s = state
        .db
        .submit_response(
            &auth.ctx(),
            NewResponse {
                citizen_id: citizen,
                questionnaire_key: input.questionnaire,
                version: input.version,
                answers: input.answers,
                authored_at,
                source: Source::of_submission(
                    matches!(auth.principal, Principal::Citizen { .. }),
                    false,
                ),
                identifier: input.identifier.filter(|i| !i.trim().is_empty()),
                on_behalf_of_name: None,
            },
        )
        .await?;
    let status = if s.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "response": s.response,
            "created": s.created,
            "assessments": s.assessments.iter().map(|(plan, a)| json!({
                "care_plan_id": plan, "colour": a.colour, "findings": a.findings,
            })).collect::<Vec<_>>(),
        })),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// Alarms per 100 citizen-days, per rule, and the share acknowledged without action; the
/// last 90 days unless `from`/`to` (RFC 3339) say otherwise.
pub async fn alarm_burden(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let programme: ProgrammeId = parse_id(&id, "programme")?;
    let to = rfc3339_or_now(q.to.as_deref(), "to")?;
    let from = match q.from.as_deref() {
        Some(_) => rfc3339_or_now(q.from.as_deref(), "from")?,
        None => Timestamp(to.0 - 90 * 86_400_000_000),
    };
    let b = state
        .db
        .alarm_burden(&auth.ctx(), programme, from, to)
        .await?;
    Ok(Json(b))
}

pub async fn programme_versions(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let programme: ProgrammeId = parse_id(&id, "programme")?;
    let versions = state.db.programme_versions(programme).await?;
    Ok(Json(json!({ "versions": versions })))
}

/// A new draft version of a programme (its owner's clinicians and administrators).
pub async fn create_programme_version(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(definition): JsonBody<PlanDefinition>,
) -> Result<impl IntoResponse, ApiError> {
    let programme: ProgrammeId = parse_id(&id, "programme")?;
    let v = state
        .db
        .create_programme_version(&auth.ctx(), programme, &definition)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionStatusInput {
    status: VersionStatus,
}

/// Activates (retiring the active one) or retires a version.
pub async fn set_version_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VersionStatusInput>,
) -> Result<impl IntoResponse, ApiError> {
    let version: ProgrammeVersionId = parse_id(&id, "programme version")?;
    let v = state
        .db
        .set_programme_version_status(&auth.ctx(), version, input.status)
        .await?;
    Ok(Json(v))
}

/// An RFC 3339 time with a zone, or now when left out.
fn rfc3339_or_now(value: Option<&str>, field: &str) -> Result<Timestamp, ApiError> {
    match value {
        None => Ok(Timestamp::now()),
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| {
            ApiError::invalid(format!(
                "{field} must be an RFC 3339 time with a zone, e.g. 2026-11-22T08:00:00+01:00"
            ))
            .at(field.to_string())
        }),
    }
}
