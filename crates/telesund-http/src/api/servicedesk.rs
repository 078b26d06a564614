//! The service desk over JSON: the telephony integration's webhook, the ringing calls and
//! the caller screen, cases (open, read, act, queue, rate) and the centre's desk (its one
//! number and business calendar). Storage decides and audits every access.

use super::parse_id;
use super::shared::{QueryParams, created, enum_values, ok};
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;
use telesund_core::ids::*;
use telesund_core::servicedesk::sla::BusinessCalendar;
use telesund_db::servicedesk::cases::{CaseAction, NewCase, QueueView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/telephony/incoming-call", post(incoming_call))
        .route("/servicedesk/calls", get(ringing_calls))
        .route("/servicedesk/calls/{id}/answer", post(answer_call))
        .route("/servicedesk/caller-screen/{id}", get(caller_screen))
        .route("/servicedesk/cases", get(queue).post(open_case))
        .route("/servicedesk/cases/{id}", get(case))
        .route("/servicedesk/cases/{id}/actions", post(case_action))
        .route("/servicedesk/cases/{id}/rating", post(rate_case))
        .route("/citizens/{id}/service-cases", get(citizen_cases))
        .route("/servicedesk/desks", get(desks))
        .route("/servicedesk/desks/{id}", put(set_desk))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingCallInput {
    /// The caller's number as the exchange has it (any common shape; "anonymous" when
    /// withheld).
    caller: String,
    /// The exchange's own id for the call.
    #[serde(default)]
    call_id: Option<String>,
}

/// The telephony integration (a bearer token of a desk member) reports a call. The answer
/// carries match counts only: no citizen's name goes back to the exchange.
pub async fn incoming_call(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<IncomingCallInput>,
) -> Result<impl IntoResponse, ApiError> {
    let call = state
        .db
        .register_call(&auth.ctx(), &b.caller, b.call_id.as_deref())
        .await?;
    created(&call)
}

pub async fn ringing_calls(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    let calls = state.db.ringing_calls(&auth.ctx()).await?;
    ok(&json!({ "calls": calls }))
}

pub async fn answer_call(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CallId = parse_id(&id, "call")?;
    let call = state.db.answer_call(&auth.ctx(), id).await?;
    ok(&call)
}

pub async fn caller_screen(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let citizen: CitizenId = parse_id(&id, "citizen")?;
    let q = QueryParams::parse(query.as_deref(), &["call"])?;
    let call = match q.one("call")? {
        Some(c) => Some(
            c.parse::<CallId>()
                .map_err(|_| ApiError::invalid("call must be an id").at("call".to_string()))?,
        ),
        None => None,
    };
    let screen = state.db.caller_screen(&auth.ctx(), citizen, call).await?;
    ok(&screen)
}

const VIEWS: &[QueueView] = &[
    QueueView::All,
    QueueView::Mine,
    QueueView::Unassigned,
    QueueView::BreachingSoon,
    QueueView::WaitingForCitizen,
    QueueView::Done,
];

fn view_name(v: QueueView) -> &'static str {
    match v {
        QueueView::All => "all",
        QueueView::Mine => "mine",
        QueueView::Unassigned => "unassigned",
        QueueView::BreachingSoon => "breaching_soon",
        QueueView::WaitingForCitizen => "waiting_for_citizen",
        QueueView::Done => "done",
    }
}

/// The agents' queue: `view` = all (default), mine, unassigned, breaching_soon,
/// waiting_for_citizen, done.
pub async fn queue(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["view"])?;
    let view = match q.one("view")? {
        Some(v) => enum_values(&[v], "view", VIEWS, view_name)?[0],
        None => QueueView::All,
    };
    let lines = state.db.case_queue(&auth.ctx(), view).await?;
    ok(&json!({ "cases": lines }))
}

pub async fn open_case(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<NewCase>,
) -> Result<impl IntoResponse, ApiError> {
    let page = state.db.open_case(&auth.ctx(), b).await?;
    created(&page)
}

pub async fn case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CaseId = parse_id(&id, "case")?;
    let page = state.db.case(&auth.ctx(), id).await?;
    ok(&page)
}

pub async fn case_action(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CaseAction>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CaseId = parse_id(&id, "case")?;
    let page = state.db.case_action(&auth.ctx(), id, b).await?;
    ok(&page)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    score: i64,
    #[serde(default)]
    comment: String,
}

/// The citizen rates the help on their resolved case.
pub async fn rate_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RatingInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CaseId = parse_id(&id, "case")?;
    state
        .db
        .rate_case(&auth.ctx(), id, b.score, &b.comment)
        .await?;
    created(&json!({ "case_id": id, "score": b.score }))
}

pub async fn citizen_cases(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    let cases = state.db.citizen_cases(&auth.ctx(), id).await?;
    ok(&json!({ "cases": cases }))
}

/// Every service centre's one number and opening hours (anyone signed in: they are what
/// every citizen is told).
pub async fn desks(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    let desks = state.db.desks().await?;
    ok(&json!({ "desks": desks }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskInput {
    phone: String,
    calendar: BusinessCalendar,
}

/// Sets a service centre's number and business calendar (opening hours per weekday, own
/// closing days, whether public holidays close it).
pub async fn set_desk(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DeskInput>,
) -> Result<impl IntoResponse, ApiError> {
    let org: OrgId = parse_id(&id, "organisation")?;
    let desk = state
        .db
        .set_desk(&auth.ctx(), org, &b.phone, &b.calendar)
        .await?;
    ok(&desk)
}
