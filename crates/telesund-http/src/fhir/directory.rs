//! The directory over FHIR: organisations (Organization), staff users (Practitioner) and their
//! memberships (PractitionerRole).

use super::rest::{Fhir, Params, logical_id, reference, searchset, token};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::IntoResponse;
use telesund_core::Timestamp;
use telesund_core::identity::OrgKind;
use telesund_core::ids::{OrgId, UserId};
use telesund_fhir::organization::from_organisation;
use telesund_fhir::practitioner::{from_membership, from_staff};
use telesund_fhir::systems;

pub async fn read_organization(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrgId = logical_id(&id, "Organization")?;
    Ok(Fhir(from_organisation(&state.db.organisation(id).await?)))
}

/// The organisation directory is open to every signed-in caller, as SOR is.
pub async fn search_organizations(
    State(state): State<AppState>,
    _auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(
        query.as_deref(),
        &["_id", "name", "identifier", "type", "partof"],
    )?;
    let id = params
        .one("_id")?
        .map(|v| v.parse::<OrgId>().ok())
        .map(|o| o.ok_or(()));
    let identifier = params.one("identifier")?.map(token);
    let kind = params
        .one("type")?
        .map(|v| {
            let (_, code) = token(v);
            OrgKind::parse(code).map_err(|_| {
                ApiError::invalid(format!("unknown organisation type '{code}'")).at("type")
            })
        })
        .transpose()?;
    let part_of: Option<OrgId> = params
        .one("partof")?
        .map(|v| reference(v, "Organization", "partof"))
        .transpose()?;
    let count = params.count(100, 500)? as usize;
    let all = state.db.organisations(params.one("name")?).await?;
    let entries: Vec<_> = all
        .iter()
        .filter(|o| match &id {
            None => true,
            Some(Ok(id)) => o.id == *id,
            Some(Err(())) => false,
        })
        .filter(|o| match identifier {
            None => true,
            Some((system, code)) => {
                let sor =
                    o.sor_code.as_deref() == Some(code) && system.is_none_or(|s| s == systems::SOR);
                let cvr =
                    o.cvr.as_deref() == Some(code) && system.is_none_or(|s| s == systems::CVR);
                sor || cvr
            }
        })
        .filter(|o| kind.is_none_or(|k| o.kind == k))
        .filter(|o| part_of.is_none_or(|p| o.parent_id == Some(p)))
        .take(count)
        .map(|o| (format!("Organization/{}", o.id), from_organisation(o)))
        .collect();
    Ok(searchset(&state, "Organization", &params, None, entries))
}

/// Staff see each other's names and work addresses, as in any hospital directory; citizens
/// do not browse staff.
pub async fn read_practitioner(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if auth.staff.is_none() {
        return Err(ApiError::new(
            telesund_core::ErrorCode::Forbidden,
            "the staff directory is for staff",
        ));
    }
    let id: UserId = logical_id(&id, "Practitioner")?;
    Ok(Fhir(from_staff(&state.db.staff_profile(id).await?.user)))
}

/// The memberships of an organisation (for its administrators), optionally of one user.
pub async fn search_practitioner_roles(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["organization", "practitioner"])?;
    let Some(org) = params.one("organization")? else {
        return Err(
            ApiError::invalid("give the organization whose staff to list").at("organization"),
        );
    };
    let org: OrgId = reference(org, "Organization", "organization")?;
    let practitioner: Option<UserId> = params
        .one("practitioner")?
        .map(|v| reference(v, "Practitioner", "practitioner"))
        .transpose()?;
    // Storage authorises (organisation administrators) and audits the listing.
    let users = state.db.list_staff(&auth.ctx(), Some(org)).await?;
    let now = Timestamp::now();
    let mut entries = Vec::new();
    for u in users
        .iter()
        .filter(|u| practitioner.is_none_or(|p| u.id == p))
    {
        let profile = state.db.staff_profile(u.id).await?;
        for m in profile
            .memberships
            .iter()
            .filter(|m| m.membership.org_id == org)
        {
            entries.push((
                format!("PractitionerRole/{}", m.membership.id),
                from_membership(&m.membership, &u.name, &m.org_name, now),
            ));
        }
    }
    Ok(searchset(
        &state,
        "PractitionerRole",
        &params,
        None,
        entries,
    ))
}
