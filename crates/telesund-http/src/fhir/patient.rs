//! `/fhir/Patient`: read, search, create and update citizens.

use super::rest::{Fhir, Params, base, logical_id, searchset, token};
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use telesund_core::ids::CitizenId;
use telesund_fhir::patient::{InputError, Patient, from_citizen, into_input, summary};
use telesund_fhir::systems;

fn input_error(e: InputError) -> ApiError {
    let mut err = ApiError::new(e.code, e.message);
    err.location = e.expression;
    err
}

pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = logical_id(&id, "Patient")?;
    let (citizen, municipality) = state.db.citizen_with_municipality(&auth.ctx(), id).await?;
    Ok(Fhir(from_citizen(&citizen, municipality.as_deref())))
}

/// Search by CPR (`identifier`), `name` or `phone` — one of them, since each is already
/// selective; `_id` reads the one citizen. Hits carry identity only (and are audited as a
/// search); reading the Patient gives the rest, subject to the care relationship.
pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["_id", "identifier", "name", "phone"])?;
    if let Some(id) = params.one("_id")? {
        let found = match id.parse::<CitizenId>() {
            Err(_) => Vec::new(),
            Ok(id) => match state.db.citizen_with_municipality(&auth.ctx(), id).await {
                Ok((c, m)) => vec![(format!("Patient/{id}"), from_citizen(&c, m.as_deref()))],
                Err(e) if e.code() == telesund_core::ErrorCode::NotFound => Vec::new(),
                Err(e) => return Err(e.into()),
            },
        };
        return Ok(searchset(&state, "Patient", &params, None, found));
    }
    let criteria: Vec<(&str, &str)> = ["identifier", "name", "phone"]
        .into_iter()
        .filter_map(|p| params.one(p).transpose().map(|v| v.map(|v| (p, v))))
        .collect::<Result<_, _>>()?;
    let (param, value) = match criteria.as_slice() {
        [] => {
            return Err(ApiError::invalid(
                "search citizens by identifier (CPR), name or phone",
            ));
        }
        [one] => *one,
        _ => {
            return Err(ApiError::invalid(
                "give one of identifier, name and phone; each is selective on its own",
            ));
        }
    };
    let q = if param == "identifier" {
        let (system, code) = token(value);
        if system.is_some_and(|s| s != systems::CPR) {
            return Err(ApiError::invalid(format!(
                "Patient identifiers are CPR numbers ({})",
                systems::CPR
            ))
            .at("identifier"));
        }
        // The domain's CPR rules, so a search refuses exactly what registration refuses.
        let cpr = telesund_core::Cpr::parse(code)
            .map_err(|e| ApiError::from(telesund_core::DomainError::from(e)).at("identifier"))?;
        cpr.as_str().to_string()
    } else {
        value.to_string()
    };
    let count = params.count(20, 50)?;
    let hits = state.db.search_citizens(&auth.ctx(), &q, count).await?;
    let entries = hits
        .iter()
        .map(|h| {
            (
                format!("Patient/{}", h.id),
                summary(
                    &h.id.to_string(),
                    &h.cpr,
                    &h.name,
                    h.municipality.as_deref(),
                ),
            )
        })
        .collect();
    Ok(searchset(&state, "Patient", &params, None, entries))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(patient): JsonBody<Patient>,
) -> Result<impl IntoResponse, ApiError> {
    let input = into_input(patient).map_err(input_error)?;
    let citizen = state.db.create_citizen(&auth.ctx(), input).await?;
    let location = format!("{}/Patient/{}", base(&state), citizen.id);
    let name = state.db.organisation_name(citizen.municipality_id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Fhir(from_citizen(&citizen, name.as_deref())),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(patient): JsonBody<Patient>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = logical_id(&id, "Patient")?;
    // FHIR update: the body's id must be the id in the URL.
    if patient.id.as_deref() != Some(id.to_string().as_str()) {
        return Err(
            ApiError::invalid("the Patient's id must match the id in the URL").at("Patient.id"),
        );
    }
    let input = into_input(patient).map_err(input_error)?;
    let citizen = state.db.update_citizen(&auth.ctx(), id, input).await?;
    let name = state.db.organisation_name(citizen.municipality_id).await?;
    Ok(Fhir(from_citizen(&citizen, name.as_deref())))
}
