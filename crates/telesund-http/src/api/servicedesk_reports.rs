//! The service desk's reports over JSON and CSV: `GET /servicedesk/reports` and
//! `GET /servicedesk/reports.csv`, for a period of Copenhagen dates (`from`, `to`, both
//! included; the current month when both are left out) and optionally one service centre.
//! Storage decides (`RunServiceDesk`) and counts; this only reads the query and shapes the
//! answer. As elsewhere in the API an unknown query parameter is refused, not ignored.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::ids::OrgId;
use telesund_core::servicedesk::report::Period;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/servicedesk/reports", get(report))
        .route("/servicedesk/reports.csv", get(report_csv))
}

const PARAMS: &[&str] = &["from", "to", "centre"];

/// What a report request asks for.
#[derive(Debug, PartialEq)]
struct ReportQuery {
    period: Period,
    centre: Option<OrgId>,
}

impl ReportQuery {
    /// Reads `from`, `to` and `centre`, each at most once; `today` makes the default month.
    fn parse(raw: Option<&str>, today: Date) -> Result<ReportQuery, ApiError> {
        let pairs = match raw {
            None | Some("") => Vec::new(),
            Some(q) => crate::middleware::urlencoded_pairs(q.as_bytes()),
        };
        let mut values: [Option<String>; 3] = Default::default();
        for (k, v) in pairs {
            let Some(i) = PARAMS.iter().position(|p| *p == k) else {
                return Err(ApiError::new(
                    ErrorCode::UnknownField,
                    format!(
                        "unknown query parameter '{k}'; known: {}",
                        PARAMS.join(", ")
                    ),
                )
                .at(k));
            };
            if values[i].is_some() {
                return Err(ApiError::invalid(format!("give '{k}' once")).at(k));
            }
            values[i] = Some(v.trim().to_string()).filter(|v| !v.is_empty());
        }
        let [from, to, centre] = values;
        let period = match (from, to) {
            (None, None) => Period::month_of(today),
            (Some(f), Some(t)) => {
                let (from, to) = (date(&f, "from")?, date(&t, "to")?);
                Period::new(from, to).map_err(|e| ApiError::from(e).at("to"))?
            }
            (Some(_), None) => {
                return Err(ApiError::invalid("give to as well, e.g. to=2026-11-30").at("to"));
            }
            (None, Some(_)) => {
                return Err(ApiError::invalid("give from as well, e.g. from=2026-11-01").at("from"));
            }
        };
        let centre = centre
            .map(|c| {
                c.parse::<OrgId>()
                    .map_err(|_| ApiError::invalid("centre must be an id").at("centre"))
            })
            .transpose()?;
        Ok(ReportQuery { period, centre })
    }
}

fn date(s: &str, field: &str) -> Result<Date, ApiError> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
        ApiError::invalid(format!("{field} must be a date as YYYY-MM-DD, not '{s}'")).at(field)
    })
}

fn today() -> Date {
    Timestamp::now().in_copenhagen().date()
}

/// The report as JSON (`ServiceReport`).
async fn report(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = ReportQuery::parse(query.as_deref(), today())?;
    let report = state
        .db
        .service_report(&auth.ctx(), q.centre, q.period)
        .await?;
    Ok(Json(report))
}

/// The report as CSV for a spreadsheet: semicolons, decimal commas, one figure a row.
async fn report_csv(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = ReportQuery::parse(query.as_deref(), today())?;
    let report = state
        .db
        .service_report(&auth.ctx(), q.centre, q.period)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"telesund-servicedesk-{}-{}.csv\"",
                    report.period.from, report.period.to
                ),
            ),
        ],
        report.to_csv(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 18);

    #[test]
    fn the_period_defaults_to_this_month_and_is_read_strictly() {
        let q = ReportQuery::parse(None, TODAY).unwrap();
        assert_eq!(q.period, Period::month_of(TODAY));
        assert_eq!(q.centre, None);
        let q = ReportQuery::parse(Some("from=2026-10-01&to=2026-12-31"), TODAY).unwrap();
        assert_eq!(
            (q.period.from, q.period.to),
            (date!(2026 - 10 - 01), date!(2026 - 12 - 31))
        );
        let err = |raw| ReportQuery::parse(Some(raw), TODAY).unwrap_err();
        assert_eq!(err("month=2026-11").code, ErrorCode::UnknownField);
        assert_eq!(err("from=2026-11-01").location.as_deref(), Some("to"));
        assert_eq!(
            err("from=1.11.2026&to=2026-11-30").location.as_deref(),
            Some("from")
        );
        assert_eq!(
            err("from=2026-11-30&to=2026-11-01").code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            err("from=2026-11-01&from=2026-11-02&to=2026-11-30").code,
            ErrorCode::InvalidInput
        );
        assert_eq!(err("centre=x").location.as_deref(), Some("centre"));
    }
}
