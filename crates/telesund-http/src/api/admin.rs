//! Administration over JSON: organisations, staff and memberships, programmes, the audit log.

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
use telesund_core::Timestamp;
use telesund_core::audit::{AuditAction, AuditFilter};
use telesund_core::ids::{AuditId, CitizenId, MembershipId, OrgId, UserId};
use telesund_db::organisations::NewOrganisation;
use telesund_db::staff::{NewMembership, NewStaffUser};

pub async fn programmes(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        serde_json::json!({ "programmes": state.db.programmes().await? }),
    ))
}

#[derive(Deserialize)]
pub struct OrgQuery {
    q: Option<String>,
}

pub async fn organisations(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<OrgQuery>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        serde_json::json!({ "organisations": state.db.organisations(q.q.as_deref()).await? }),
    ))
}

pub async fn organisation(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrgId = parse_id(&id, "organisation")?;
    Ok(Json(state.db.organisation(id).await?))
}

pub async fn create_organisation(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<NewOrganisation>,
) -> Result<impl IntoResponse, ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.db.create_organisation(&auth.ctx(), b).await?),
    ))
}

#[derive(Deserialize)]
pub struct UserQuery {
    org: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UserQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let org = q
        .org
        .as_deref()
        .map(|o| parse_id::<OrgId>(o, "organisation"))
        .transpose()?;
    Ok(Json(
        serde_json::json!({ "users": state.db.list_staff(&auth.ctx(), org).await? }),
    ))
}

pub async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<NewStaffUser>,
) -> Result<impl IntoResponse, ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.db.create_staff_user(&auth.ctx(), b).await?),
    ))
}

pub async fn add_membership(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewMembership>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UserId = parse_id(&id, "user")?;
    let m = state.db.add_membership(&auth.ctx(), id, b).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": m }))))
}

pub async fn end_membership(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: MembershipId = parse_id(&id, "membership")?;
    state.db.end_membership(&auth.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Audit-log filters as query parameters (dates as RFC 3339 or YYYY-MM-DD in Danish time).
#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub citizen: Option<String>,
    pub user: Option<String>,
    pub org: Option<String>,
    pub action: Option<String>,
    pub denied: Option<bool>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<u32>,
    pub before: Option<String>,
}

pub(crate) fn parse_time(s: &str, end_of_day: bool) -> Result<Timestamp, ApiError> {
    if let Some(t) = Timestamp::parse_rfc3339(s) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt).map_err(|_| {
        ApiError::invalid(format!(
            "'{s}' is not a date (YYYY-MM-DD) or an RFC 3339 time"
        ))
    })?;
    let d = if end_of_day {
        d.next_day().unwrap_or(d)
    } else {
        d
    };
    Ok(telesund_core::time::copenhagen_midnight(d))
}

impl AuditQuery {
    pub fn to_filter(&self) -> Result<AuditFilter, ApiError> {
        let nonempty = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(AuditFilter {
            citizen_id: nonempty(&self.citizen)
                .map(|s| {
                    s.parse()
                        .map_err(|_| ApiError::invalid("citizen must be an id"))
                })
                .transpose()
                .map(|o| o.map(CitizenId))?,
            actor_user_id: nonempty(&self.user)
                .map(|s| {
                    s.parse()
                        .map_err(|_| ApiError::invalid("user must be an id"))
                })
                .transpose()
                .map(|o| o.map(UserId))?,
            actor_org_id: nonempty(&self.org)
                .map(|s| {
                    s.parse()
                        .map_err(|_| ApiError::invalid("org must be an id"))
                })
                .transpose()
                .map(|o| o.map(OrgId))?,
            action: nonempty(&self.action)
                .map(|a| {
                    AuditAction::parse(&a)
                        .ok_or_else(|| ApiError::invalid(format!("unknown action '{a}'")))
                })
                .transpose()?,
            only_denied: self.denied.unwrap_or(false),
            from: nonempty(&self.from)
                .map(|s| parse_time(&s, false))
                .transpose()?,
            to: nonempty(&self.to)
                .map(|s| parse_time(&s, true))
                .transpose()?,
            limit: self.limit.unwrap_or(100),
            before: nonempty(&self.before)
                .map(|s| {
                    s.parse()
                        .map_err(|_| ApiError::invalid("before must be an id"))
                })
                .transpose()
                .map(|o| o.map(AuditId))?,
        })
    }
}

pub async fn audit_events(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = q.to_filter()?;
    Ok(Json(
        serde_json::json!({ "events": state.db.admin_audit_log(&auth.ctx(), &filter).await? }),
    ))
}
