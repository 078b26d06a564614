//! Citizens over JSON: search, register, read, update, overview, consents, care teams,
//! enrolment, and the citizen's own access log.

use super::parse_id;
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use telesund_core::identity::CitizenInput;
use telesund_core::ids::{CitizenId, OrgId, ProgrammeId};
use telesund_db::care::{NewConsent, NewTeamMember};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<u32>,
}

pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let hits = state
        .db
        .search_citizens(&auth.ctx(), &q.q, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(serde_json::json!({ "results": hits })))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<CitizenInput>,
) -> Result<impl IntoResponse, ApiError> {
    let c = state.db.create_citizen(&auth.ctx(), input).await?;
    Ok((
        StatusCode::CREATED,
        [(
            axum::http::header::LOCATION,
            format!("/api/v1/citizens/{}", c.id),
        )],
        Json(c),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(state.db.citizen(&auth.ctx(), id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CitizenInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(state.db.update_citizen(&auth.ctx(), id, input).await?))
}

pub async fn overview(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(state.db.citizen_overview(&auth.ctx(), id).await?))
}

pub async fn consents(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(
        serde_json::json!({ "consents": state.db.consents_of(&auth.ctx(), id).await? }),
    ))
}

pub async fn record_consent(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewConsent>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok((
        StatusCode::CREATED,
        Json(state.db.record_consent(&auth.ctx(), id, b).await?),
    ))
}

pub async fn care_teams(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(
        serde_json::json!({ "care_teams": state.db.care_teams_of(&auth.ctx(), id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCareTeam {
    name: String,
    managing_org_id: OrgId,
    #[serde(default)]
    members: Vec<NewTeamMember>,
}

pub async fn create_care_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewCareTeam>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    let team = state
        .db
        .create_care_team(&auth.ctx(), id, &b.name, b.managing_org_id, b.members)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": team }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    programme_id: ProgrammeId,
    org_id: OrgId,
    /// How the citizen's consent to take part was given (e.g. "mundtligt ved samtale").
    consent_note: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewEnrolment>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    if b.consent_note.trim().is_empty() {
        return Err(
            ApiError::invalid("say how the citizen consented (consent_note)").at("consent_note"),
        );
    }
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .db
                .enrol(&auth.ctx(), id, b.programme_id, b.org_id, &b.consent_note)
                .await?,
        ),
    ))
}

pub async fn access_log(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    Ok(Json(
        serde_json::json!({ "entries": state.db.citizen_access_log(&auth.ctx(), id, 200).await? }),
    ))
}
