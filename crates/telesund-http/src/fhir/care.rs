//! A citizen's care relationships over FHIR: care teams and the consent history.

use super::rest::{Params, reference, searchset};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use telesund_core::ids::CitizenId;
use telesund_fhir::care_team::{MemberFacts, TeamFacts, from_team};
use telesund_fhir::consent::from_consent;

fn patient_param(params: &Params) -> Result<CitizenId, ApiError> {
    let Some(p) = params.one("patient")? else {
        return Err(ApiError::invalid("give the patient (Patient/<id>)").at("patient"));
    };
    reference(p, "Patient", "patient")
}

pub async fn search_care_teams(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient"])?;
    let citizen = patient_param(&params)?;
    let teams = state.db.care_teams_of(&auth.ctx(), citizen).await?;
    let entries = teams
        .iter()
        .map(|t| {
            let facts = TeamFacts {
                id: t.id.to_string(),
                citizen_id: citizen,
                name: &t.name,
                active: t.active,
                managing_org: (t.managing_org_id.to_string(), &t.managing_org_name),
                members: t
                    .members
                    .iter()
                    .map(|m| MemberFacts {
                        org: (m.member.org_id.to_string(), &m.org_name),
                        user: m
                            .member
                            .user_id
                            .map(|u| (u.to_string(), m.user_name.as_deref().unwrap_or(""))),
                        role: m.member.role,
                        scope: m.member.scope,
                        valid_from: m.member.valid_from,
                        valid_to: m.member.valid_to,
                    })
                    .collect(),
            };
            (format!("CareTeam/{}", t.id), from_team(&facts))
        })
        .collect();
    Ok(searchset(&state, "CareTeam", &params, None, entries))
}

pub async fn search_consents(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient"])?;
    let citizen = patient_param(&params)?;
    let consents = state.db.consents_of(&auth.ctx(), citizen).await?;
    let entries = consents
        .iter()
        .map(|c| (format!("Consent/{}", c.id), from_consent(c)))
        .collect();
    Ok(searchset(&state, "Consent", &params, None, entries))
}
