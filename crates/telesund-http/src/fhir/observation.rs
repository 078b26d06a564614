//! `/fhir/Observation`: home measurements in (create) and out (read, search).

use super::rest::{Fhir, Params, base, logical_id, reference, searchset, token};
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use telesund_core::ErrorCode;
use telesund_core::Principal;
use telesund_core::ids::{CitizenId, ObservationId};
use telesund_core::monitoring::MeasurementType;
use telesund_core::monitoring::codes::measurement_type_for;
use telesund_core::monitoring::observation::{NewObservation, Source};
use telesund_db::monitoring::observations::{ObservationQuery, Submitted};
use telesund_fhir::observation::{from_domain, into_new, parse};
use telesund_fhir::patient::InputError;
use telesund_fhir::search::{TimeRange, date_param};

pub(crate) fn input_error(e: InputError) -> ApiError {
    let mut err = ApiError::new(e.code, e.message);
    err.location = e.expression;
    err
}

/// An incoming Observation (JSON) as a measurement to submit, with who entered it decided
/// from the caller and the resource.
pub(crate) fn new_observation(
    auth: &Auth,
    json: &serde_json::Value,
) -> Result<NewObservation, ApiError> {
    let obs = parse(json).map_err(input_error)?;
    let source = Source::of_submission(
        matches!(auth.principal, Principal::Citizen { .. }),
        obs.device.is_some(),
    );
    let (_, new) = into_new(&obs, source).map_err(input_error)?;
    Ok(new)
}

/// A refusal of a measurement, said about the measurement: an unknown citizen is a fault in
/// `Observation.subject`, not a missing page.
pub(crate) fn submission_error(e: telesund_db::DbError) -> ApiError {
    let e = ApiError::from(e);
    if e.code == ErrorCode::NotFound {
        return ApiError::new(
            ErrorCode::InvalidInput,
            "Observation.subject refers to no citizen known here",
        )
        .at("Observation.subject");
    }
    e
}

pub(crate) fn location(state: &AppState, id: ObservationId) -> String {
    format!("{}/Observation/{id}", base(state))
}

/// Creates a measurement. A retry (same identifier, or same device and time) creates nothing
/// and answers with the measurement stored the first time, with 200 instead of 201.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(json): JsonBody<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    let new = new_observation(&auth, &json)?;
    let Submitted {
        observation,
        created,
        ..
    } = state
        .db
        .submit_observation(&auth.ctx(), new)
        .await
        .map_err(submission_error)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, location(&state, observation.id))],
        Fhir(from_domain(&observation)),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ObservationId = logical_id(&id, "Observation")?;
    let o = state.db.observation(&auth.ctx(), id).await?;
    Ok(Fhir(from_domain(&o)))
}

/// Search one citizen's measurements by `code`, `date` (ranges, repeated to AND), newest
/// first by default (`_sort=date` for oldest first), `_count` per page, and a `_page` cursor
/// in the next link.
pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(
        query.as_deref(),
        &["patient", "subject", "code", "date", "_sort", "_page"],
    )?;
    let citizen: CitizenId = match (params.one("patient")?, params.one("subject")?) {
        (Some(p), None) => reference(p, "Patient", "patient")?,
        (None, Some(s)) => reference(s, "Patient", "subject")?,
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("give patient or subject, not both"));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "search measurements of one citizen: give patient=Patient/<id>",
            )
            .at("patient"));
        }
    };
    let mut kinds: Vec<MeasurementType> = Vec::new();
    for value in params.all("code") {
        for one in value.split(',') {
            let (system, code) = token(one);
            let kind = match system {
                Some(system) => measurement_type_for(system, code),
                None => MeasurementType::ALL
                    .iter()
                    .copied()
                    .find(|t| t.codings().iter().any(|c| c.code == code)),
            };
            match kind {
                Some(k) => kinds.push(k),
                None => {
                    return Err(ApiError::invalid(format!(
                        "'{one}' is not a measurement code known here (LOINC, IEEE 11073 MDC, NPU or MedCom)"
                    ))
                    .at("code"));
                }
            }
        }
    }
    let mut range = TimeRange::default();
    for value in params.all("date") {
        range = range.and(date_param(value).map_err(|m| ApiError::invalid(m).at("date"))?);
    }
    let oldest_first = match params.one("_sort")? {
        None | Some("-date") => false,
        Some("date") => true,
        Some(other) => {
            return Err(
                ApiError::invalid(format!("sort by date or -date, not '{other}'")).at("_sort"),
            );
        }
    };
    let after = match params.one("_page")? {
        None => None,
        Some(cursor) => Some(parse_cursor(cursor)?),
    };
    let count = params.count(50, 500)?;
    let q = ObservationQuery {
        kinds,
        from: range.from,
        until: range.until,
        oldest_first,
        after,
        limit: i64::from(count),
    };
    let mut found = if range.is_empty() {
        Vec::new()
    } else {
        state
            .db
            .search_observations(&auth.ctx(), citizen, &q)
            .await?
    };
    let next = if found.len() > count as usize {
        found.truncate(count as usize);
        found
            .last()
            .map(|o| ("_page", format!("{}.{}", o.effective_at.0, o.id)))
    } else {
        None
    };
    let entries = found
        .iter()
        .map(|o| (format!("Observation/{}", o.id), from_domain(o)))
        .collect();
    Ok(searchset(&state, "Observation", &params, next, entries))
}

/// The next-page cursor: the time (µs) and id of the previous page's last row.
fn parse_cursor(s: &str) -> Result<(telesund_core::Timestamp, ObservationId), ApiError> {
    let bad =
        || ApiError::invalid("_page is a cursor from a next link; use it as given").at("_page");
    let (at, id) = s.split_once('.').ok_or_else(bad)?;
    Ok((
        telesund_core::Timestamp(at.parse().map_err(|_| bad())?),
        id.parse().map_err(|_| bad())?,
    ))
}
