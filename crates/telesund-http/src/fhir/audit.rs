//! `/fhir/AuditEvent`: the audit log for administrators, newest first, paged. There is no
//! create, update or delete: records are written only by the server, before each answer.

use super::rest::{Params, reference, searchset};
use crate::api::admin::parse_time;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use telesund_core::Timestamp;
use telesund_core::audit::AuditFilter;
use telesund_core::ids::{AuditId, CitizenId, UserId};
use telesund_fhir::audit_event::from_record;

/// The opaque paging cursor in next links: the id of the last record on the previous page.
const CURSOR: &str = "_before";

pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(
        query.as_deref(),
        &["patient", "agent", "date", "outcome", CURSOR],
    )?;
    let limit = params.count(100, 500)?;
    let mut filter = AuditFilter {
        citizen_id: params
            .one("patient")?
            .map(|v| reference::<CitizenId>(v, "Patient", "patient"))
            .transpose()?,
        actor_user_id: params
            .one("agent")?
            .map(|v| reference::<UserId>(v, "Practitioner", "agent"))
            .transpose()?,
        only_denied: match params.one("outcome")? {
            None => false,
            Some("4") => true,
            Some(_) => {
                return Err(ApiError::invalid(
                    "outcome: only 4 (refused requests) can be searched for",
                )
                .at("outcome"));
            }
        },
        // One more than a page, to know whether there is a next one.
        limit: limit + 1,
        before: params
            .one(CURSOR)?
            .map(|v| {
                v.parse::<AuditId>()
                    .map_err(|_| ApiError::invalid("malformed paging cursor").at(CURSOR))
            })
            .transpose()?,
        ..AuditFilter::default()
    };
    for v in params.all("date") {
        apply_date(&mut filter, v.trim())?;
    }
    let mut records = state.db.admin_audit_log(&auth.ctx(), &filter).await?;
    let next = (records.len() > limit as usize).then(|| {
        records.truncate(limit as usize);
        let last = records.last().map(|r| r.id.to_string()).unwrap_or_default();
        (CURSOR, last)
    });
    let entries = records
        .iter()
        .map(|r| (format!("AuditEvent/{}", r.id), from_record(r)))
        .collect();
    Ok(searchset(&state, "AuditEvent", &params, next, entries))
}

/// A FHIR date parameter (`ge`, `gt`, `le`, `lt`, `eq` or no prefix) as bounds on the filter:
/// `from` is inclusive, `to` exclusive. A bare date is the whole day in Danish time.
fn apply_date(filter: &mut AuditFilter, value: &str) -> Result<(), ApiError> {
    let (prefix, v) = match value.get(..2) {
        Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let bad = |e: ApiError| e.at("date");
    let day = v.len() == 10;
    let start = parse_time(v, false).map_err(bad)?;
    // The first instant after the value: the next midnight for a day, the next µs for a time.
    let after = if day {
        parse_time(v, true).map_err(bad)?
    } else {
        start.plus(time::Duration::microseconds(1))
    };
    let (from, to): (Option<Timestamp>, Option<Timestamp>) = match prefix {
        "ge" => (Some(start), None),
        "gt" => (Some(after), None),
        "le" => (None, Some(after)),
        "lt" => (None, Some(start)),
        _ => (Some(start), Some(after)),
    };
    if let Some(f) = from {
        filter.from = Some(filter.from.map_or(f, |old| old.max(f)));
    }
    if let Some(t) = to {
        filter.to = Some(filter.to.map_or(t, |old| old.min(t)));
    }
    Ok(())
}
