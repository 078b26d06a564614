//! `POST /fhir`: transaction and batch Bundles of measurements. A transaction is stored all
//! or nothing (the first failing entry is named in the OperationOutcome); a batch answers
//! entry by entry, each with its own status and, when refused, its own OperationOutcome.

use super::observation::{location, new_observation, submission_error};
use super::outcome_for;
use super::rest::Fhir;
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use telesund_core::ErrorCode;
use telesund_core::monitoring::observation::NewObservation;
use telesund_db::monitoring::observations::{Atomicity, Submitted};
use telesund_fhir::bundle::{EntryResponse, ResponseBundle, ResponseEntry, parse_submission};
use telesund_fhir::observation::from_domain;

/// Entries one Bundle may carry: a day of a busy gateway's buffer, not a bulk import.
pub const MAX_ENTRIES: usize = 1_000;

pub async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(json): JsonBody<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    let bundle = parse_submission(&json).map_err(super::observation::input_error)?;
    if bundle.entries.len() > MAX_ENTRIES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("a Bundle may carry at most {MAX_ENTRIES} entries; send the rest in another"),
        )
        .at("Bundle.entry"));
    }
    // Read every entry first; a transaction stops at the first it cannot read.
    let mut read: Vec<Result<NewObservation, ApiError>> = Vec::new();
    for (i, entry) in bundle.entries.iter().enumerate() {
        let at = format!("Bundle.entry[{i}]");
        let one = if entry.method != "POST" || entry.resource_type != "Observation" {
            Err(ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!(
                    "a Bundle entry may POST an Observation; {} {} is not supported here",
                    entry.method, entry.resource_type
                ),
            )
            .at(format!("{at}.request")))
        } else {
            match &entry.resource {
                None => {
                    Err(ApiError::invalid("the entry has no resource").at(format!("{at}.resource")))
                }
                Some(resource) => new_observation(&auth, resource).map_err(|mut e| {
                    e.location = Some(match e.location.take() {
                        Some(l) => {
                            format!("{at}.resource.{}", l.trim_start_matches("Observation."))
                        }
                        None => format!("{at}.resource"),
                    });
                    e
                }),
            }
        };
        if bundle.transaction
            && let Err(e) = one
        {
            return Err(e);
        }
        read.push(one);
    }

    let atomicity = if bundle.transaction {
        Atomicity::AllOrNothing
    } else {
        Atomicity::EachOnItsOwn
    };
    let mut places = Vec::new();
    let mut items = Vec::new();
    for (i, r) in read.iter_mut().enumerate() {
        if let Ok(new) = r {
            places.push(i);
            items.push(new.clone());
        }
    }
    let stored = state
        .db
        .submit_observations(&auth.ctx(), items, atomicity)
        .await
        .map_err(|failed| {
            let mut e = submission_error(failed.error);
            let at = format!(
                "Bundle.entry[{}]",
                places.get(failed.index).copied().unwrap_or(0)
            );
            e.location = Some(match e.location.take() {
                Some(l) => format!("{at}.resource.{}", l.trim_start_matches("Observation.")),
                None => at,
            });
            e
        })?;

    let request_id = auth.request.request_id.clone();
    let mut answers: Vec<Option<ResponseEntry>> = read
        .into_iter()
        .map(|r| r.err().map(|e| refused(&e, &request_id)))
        .collect();
    for (place, outcome) in places.into_iter().zip(stored) {
        answers[place] = Some(match outcome {
            Ok(s) => stored_entry(&state, &s),
            Err(e) => {
                let mut e = submission_error(e);
                e.location = e.location.map(|l| {
                    format!(
                        "Bundle.entry[{place}].resource.{}",
                        l.trim_start_matches("Observation.")
                    )
                });
                refused(&e, &request_id)
            }
        });
    }
    Ok(Fhir(ResponseBundle::new(
        bundle.transaction,
        answers.into_iter().flatten().collect(),
    )))
}

fn stored_entry(state: &AppState, s: &Submitted) -> ResponseEntry {
    let url = location(state, s.observation.id);
    ResponseEntry {
        full_url: Some(url.clone()),
        resource: serde_json::to_value(from_domain(&s.observation)).ok(),
        response: EntryResponse {
            status: if s.created { "201 Created" } else { "200 OK" }.into(),
            location: Some(format!("Observation/{}", s.observation.id)),
            last_modified: Some(s.observation.received_at.to_rfc3339()),
            outcome: None,
        },
    }
}

fn refused(e: &ApiError, request_id: &str) -> ResponseEntry {
    let status = e.status();
    ResponseEntry {
        full_url: None,
        resource: None,
        response: EntryResponse {
            status: format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            ),
            location: None,
            last_modified: None,
            outcome: Some(outcome_for(e, request_id)),
        },
    }
}
