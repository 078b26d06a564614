//! Getting help: the citizen portal's "Få hjælp" page (the one number, the opening hours,
//! the guides for the citizen's own equipment, writing to the desk, their cases with replies,
//! reopening and rating), the staff portal's help page (staff ask the desk for themselves),
//! and the rating link sent by SMS, which works without signing in.

use crate::page::{
    CitizenAuth, OrPage, Page, PageResult, StaffAuth, UiError, path_id, render, see_other,
    visitor_language,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;
use telesund_core::access::Principal;
use telesund_core::ids::{CaseId, CitizenId};
use telesund_core::servicedesk::case::{Category, Channel, Impact, Urgency};
use telesund_core::servicedesk::kb::Audience;
use telesund_core::servicedesk::sla::BusinessCalendar;
use telesund_db::servicedesk::cases::{CaseAction, CasePage, NewCase};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/hjaelp", get(portal_help).post(portal_ask))
        .route("/portal/hjaelp/sager/{id}", get(portal_case))
        .route("/portal/hjaelp/sager/{id}/svar", post(portal_reply))
        .route("/portal/hjaelp/sager/{id}/genaabn", post(portal_reopen))
        .route("/portal/hjaelp/sager/{id}/bedoem", post(portal_rate))
        .route("/hjaelp", get(staff_help).post(staff_ask))
        .route("/hjaelp/sager/{id}", get(staff_case))
        .route("/hjaelp/sager/{id}/svar", post(staff_reply))
        .route("/hjaelp/bedoem/{token}", get(rating_form).post(rate))
}

/// The desk's number and its week, as every help page shows them.
pub struct DeskView {
    pub phone: String,
    pub hours: Vec<(String, String)>,
    pub holidays_closed: bool,
}

async fn desk_view(state: &AppState, page: &Page) -> Result<Option<DeskView>, UiError> {
    let desk = state.db.desks().await?.into_iter().next();
    Ok(desk.map(|d| DeskView {
        phone: d.phone,
        hours: week(page, &d.calendar),
        holidays_closed: d.calendar.closed_on_holidays,
    }))
}

fn week(page: &Page, cal: &BusinessCalendar) -> Vec<(String, String)> {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    cal.week
        .iter()
        .zip(DAYS)
        .map(|(h, d)| {
            (
                page.label("help-day", d),
                match h {
                    Some(h) => format!(
                        "{:02}:{:02}–{:02}:{:02}",
                        h.open / 60,
                        h.open % 60,
                        h.close / 60,
                        h.close % 60
                    ),
                    None => page.t("help-closed"),
                },
            )
        })
        .collect()
}

/// One of the asker's cases in a list.
pub struct MyCase {
    pub href: String,
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub opened: String,
}

/// A case as its asker sees it.
pub struct AskerCase {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub live: bool,
    pub resolved: bool,
    pub rated: Option<String>,
    pub entries: Vec<(String, String, String, String)>,
}

fn asker_case(page: &Page, p: &CasePage) -> AskerCase {
    let c = &p.case;
    AskerCase {
        number: c.number,
        subject: c.subject.clone(),
        status: page.label("sd-status", c.status.as_str()),
        live: c.status.is_active(),
        resolved: c.status == telesund_core::servicedesk::case::CaseStatus::Resolved,
        rated: p.rating.as_ref().map(|r| format!("{}/5", r.score)),
        entries: p
            .timeline
            .iter()
            .map(|e| {
                (
                    e.at.danish(),
                    page.label("sd-entry", &e.kind),
                    e.by_name.clone(),
                    e.text.clone(),
                )
            })
            .collect(),
    }
}

fn categories(page: &Page, which: &[Category]) -> Vec<(&'static str, String)> {
    which
        .iter()
        .map(|k| (k.as_str(), page.label("sd-category", k.as_str())))
        .collect()
}

#[derive(Deserialize)]
pub struct AskForm {
    category: String,
    subject: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

fn ask(f: AskForm, citizen: Option<CitizenId>) -> Result<NewCase, telesund_core::DomainError> {
    Ok(NewCase {
        citizen_id: citizen,
        requester: None,
        channel: Channel::Web,
        category: Category::parse(&f.category)?,
        subject: f.subject,
        description: f.description,
        // A written question waits for an answer; the desk raises it if it is more.
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        acute: false,
        unit_id: None,
        call_id: None,
    })
}

// ---------------------------------------------------------------- the citizen portal

#[derive(Template)]
#[template(path = "servicedesk/portal_help.html")]
struct PortalHelp {
    page: Page,
    desk: Option<DeskView>,
    guides: Vec<(String, String, String)>,
    categories: Vec<(&'static str, String)>,
    cases: Vec<MyCase>,
}

fn own(auth: &Auth) -> Option<CitizenId> {
    match auth.principal {
        Principal::Citizen { citizen_id, .. } => Some(citizen_id),
        _ => None,
    }
}

fn portal_page(auth: &Auth, back: String) -> Page {
    let title = crate::i18n::t(auth.language(), "help-title");
    Page::citizen(auth, back, title, "/portal/hjaelp")
}

pub async fn portal_help(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
) -> PageResult {
    let page = portal_page(&auth, "/portal/hjaelp".into());
    let Some(me) = own(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let desk = desk_view(&state, &page).await?;
    let equipment = state
        .db
        .citizen_equipment(&auth.ctx(), me)
        .await
        .or_page(&page)?;
    let models: Vec<_> = equipment.units.iter().map(|(u, _)| u.model.id).collect();
    let guides = state
        .db
        .guides_for_models(&auth.ctx(), &models, page.lang, Audience::Public)
        .await
        .or_page(&page)?
        .into_iter()
        .map(|g| (format!("/portal/hjaelp/guide/{}", g.id), g.title, g.excerpt))
        .collect();
    let cases = state
        .db
        .citizen_cases(&auth.ctx(), me)
        .await
        .or_page(&page)?
        .into_iter()
        .filter(|c| c.merged_into.is_none())
        .map(|c| MyCase {
            href: format!("/portal/hjaelp/sager/{}", c.id),
            number: c.number,
            subject: c.subject,
            status: page.label("sd-status", c.status.as_str()),
            opened: c.opened_at.danish(),
        })
        .collect();
    let body = PortalHelp {
        desk,
        guides,
        categories: categories(
            &page,
            &[
                Category::MeasurementHelp,
                Category::EquipmentFault,
                Category::DeliveryPickup,
                Category::LoginAccess,
                Category::Other,
            ],
        ),
        cases,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

pub async fn portal_ask(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    axum::Form(f): axum::Form<AskForm>,
) -> PageResult {
    let page = portal_page(&auth, "/portal/hjaelp".into());
    let new = ask(f, own(&auth)).map_err(ApiError::from).or_page(&page)?;
    let p = state.db.open_case(&auth.ctx(), new).await.or_page(&page)?;
    Ok(see_other(&format!("/portal/hjaelp/sager/{}", p.case.id)))
}

#[derive(Template)]
#[template(path = "servicedesk/asker_case.html")]
struct AskerCasePage {
    page: Page,
    base: String,
    c: AskerCase,
    portal: bool,
}

pub async fn portal_case(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = portal_page(&auth, format!("/portal/hjaelp/sager/{id}"));
    asker_case_page(&state, &auth, page, &id, "/portal/hjaelp/sager", true).await
}

/// A case as its asker sees it, in their portal's layout; `base` is where its forms post.
async fn asker_case_page(
    state: &AppState,
    auth: &Auth,
    page: Page,
    id: &str,
    base: &str,
    portal: bool,
) -> PageResult {
    let id: CaseId = path_id(id, "case", &page)?;
    let p = state.db.case(&auth.ctx(), id).await.or_page(&page)?;
    let body = AskerCasePage {
        base: format!("{base}/{id}"),
        c: asker_case(&page, &p),
        portal,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

async fn asker_action(
    state: &AppState,
    auth: &Auth,
    page: &Page,
    id: &str,
    action: CaseAction,
    back: &str,
) -> PageResult {
    let id: CaseId = path_id(id, "case", page)?;
    state
        .db
        .case_action(&auth.ctx(), id, action)
        .await
        .or_page(page)?;
    Ok(see_other(&format!("{back}/{id}")))
}

pub async fn portal_reply(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<TextForm>,
) -> PageResult {
    let page = portal_page(&auth, format!("/portal/hjaelp/sager/{id}"));
    let action = CaseAction::Reply { text: f.text };
    asker_action(&state, &auth, &page, &id, action, "/portal/hjaelp/sager").await
}

pub async fn portal_reopen(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<TextForm>,
) -> PageResult {
    let page = portal_page(&auth, format!("/portal/hjaelp/sager/{id}"));
    let action = CaseAction::Reopen { reason: f.text };
    asker_action(&state, &auth, &page, &id, action, "/portal/hjaelp/sager").await
}

fn score(page: &Page, s: &str) -> Result<i64, UiError> {
    s.trim()
        .parse()
        .map_err(|_| UiError::in_page(ApiError::invalid("choose 1 to 5 stars"), page))
}

pub async fn portal_rate(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<RatingForm>,
) -> PageResult {
    let page = portal_page(&auth, format!("/portal/hjaelp/sager/{id}"));
    let case: CaseId = path_id(&id, "case", &page)?;
    state
        .db
        .rate_case(&auth.ctx(), case, score(&page, &f.score)?, &f.comment)
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/portal/hjaelp/sager/{case}")))
}

// ---------------------------------------------------------------- the staff portal

#[derive(Template)]
#[template(path = "servicedesk/staff_help.html")]
struct StaffHelp {
    page: Page,
    desk: Option<DeskView>,
    categories: Vec<(&'static str, String)>,
    cases: Vec<MyCase>,
}

fn staff_page(auth: &Auth, back: String) -> Page {
    let title = crate::i18n::t(auth.language(), "help-title");
    Page::staff(auth, back, title, "/hjaelp")
}

pub async fn staff_help(State(state): State<AppState>, StaffAuth(auth): StaffAuth) -> PageResult {
    let page = staff_page(&auth, "/hjaelp".into());
    let desk = desk_view(&state, &page).await?;
    let cases = state
        .db
        .my_requests(&auth.ctx())
        .await
        .or_page(&page)?
        .into_iter()
        .map(|c| MyCase {
            href: format!("/hjaelp/sager/{}", c.id),
            number: c.number,
            subject: c.subject,
            status: page.label("sd-status", c.status.as_str()),
            opened: c.opened_at.danish(),
        })
        .collect();
    let body = StaffHelp {
        desk,
        categories: categories(
            &page,
            &[
                Category::StaffQuestion,
                Category::LoginAccess,
                Category::EquipmentFault,
                Category::DeliveryPickup,
                Category::Other,
            ],
        ),
        cases,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

pub async fn staff_ask(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<AskForm>,
) -> PageResult {
    let page = staff_page(&auth, "/hjaelp".into());
    let new = ask(f, None).map_err(ApiError::from).or_page(&page)?;
    let p = state.db.open_case(&auth.ctx(), new).await.or_page(&page)?;
    Ok(see_other(&format!("/hjaelp/sager/{}", p.case.id)))
}

pub async fn staff_case(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = staff_page(&auth, format!("/hjaelp/sager/{id}"));
    asker_case_page(&state, &auth, page, &id, "/hjaelp/sager", false).await
}

pub async fn staff_reply(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<TextForm>,
) -> PageResult {
    let page = staff_page(&auth, format!("/hjaelp/sager/{id}"));
    let action = CaseAction::Reply { text: f.text };
    asker_action(&state, &auth, &page, &id, action, "/hjaelp/sager").await
}

// ---------------------------------------------------------------- the SMS rating link

#[derive(Template)]
#[template(path = "servicedesk/rate.html")]
struct RatePage {
    page: Page,
    token: String,
    number: Option<i64>,
    thanks: bool,
}

#[derive(Deserialize, Default)]
pub struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

fn anonymous(headers: &HeaderMap, lang: Option<&str>, token: &str) -> Page {
    let mut page = Page::anonymous(
        visitor_language(headers, lang),
        String::new(),
        format!("/hjaelp/bedoem/{token}"),
        "help-rate-title",
    );
    page.portal = true;
    page
}

/// The link in the SMS: the case's number and the stars, or a note that it is used.
pub async fn rating_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
) -> PageResult {
    let page = anonymous(&headers, q.lang.as_deref(), &token);
    let number = state.db.rating_link_case(&token).await.or_page(&page)?;
    let body = RatePage {
        token,
        number,
        thanks: false,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

pub async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::Form(f): axum::Form<RatingForm>,
) -> PageResult {
    let page = anonymous(&headers, None, &token);
    let number = state
        .db
        .rate_case_by_token(&token, score(&page, &f.score)?, &f.comment)
        .await
        .or_page(&page)?;
    let body = RatePage {
        token,
        number: Some(number),
        thanks: true,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}
