//! The agents' side of the desk: the queue with the calls ringing now (polled every few
//! seconds), answering a call, the caller screen, opening a case, and the case page with its
//! timeline, clocks and every action.

use crate::page::{OrPage, Page, PageResult, StaffAuth, encode, path_id, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use telesund_core::equipment::order::ServiceType;
use telesund_core::ids::{ArticleId, CallId, CaseId, CitizenId, UnitId};
use telesund_core::servicedesk::caller::CallerMatch;
use telesund_core::servicedesk::case::{
    CaseStatus, Category, Channel, Impact, RequesterKind, Urgency,
};
use telesund_core::servicedesk::kb::{ArticleKind, Audience};
use telesund_db::servicedesk::cases::{
    Case, CaseAction, MessageChannel, NewCase, QueueView, Requester,
};
use telesund_db::servicedesk::kb::ArticleQuery;
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/servicedesk", get(queue))
        .route("/servicedesk/opkald", get(ringing))
        .route("/servicedesk/opkald/{id}", get(call_page))
        .route("/servicedesk/opkald/{id}/besvar", post(answer))
        .route("/servicedesk/soeg", get(search))
        .route("/servicedesk/borger/{id}", get(caller_screen))
        .route("/servicedesk/sager", post(open_case))
        .route("/servicedesk/sager/{id}", get(case_page))
        .route("/servicedesk/sager/{id}/handling", post(case_action))
}

/// A form field read as a closed value; a wrong one is shown in the page.
fn field<T>(
    r: Result<T, telesund_core::DomainError>,
    page: &Page,
) -> Result<T, crate::page::UiError> {
    r.map_err(ApiError::from).or_page(page)
}

/// The navigation entry of every desk page.
pub(crate) const NAV: &str = "/servicedesk";

fn desk_page(auth: &Auth, back: String, title_key: &str) -> Page {
    let title = crate::i18n::t(auth.language(), title_key);
    Page::staff(auth, back, title, NAV)
}

/// A case as a queue line or a list entry.
pub struct CaseRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub who: String,
    pub category: String,
    pub priority: String,
    pub priority_code: &'static str,
    pub status: String,
    pub assignee: String,
    pub due: String,
    pub escalation: u8,
    pub opened: String,
}

fn case_row(page: &Page, c: &Case, escalation: u8) -> CaseRow {
    CaseRow {
        id: c.id.to_string(),
        number: c.number,
        subject: c.subject.clone(),
        who: c
            .citizen_name
            .clone()
            .unwrap_or_else(|| c.requester_name.clone()),
        category: page.label("sd-category", c.category.as_str()),
        priority: page.label("sd-priority", c.priority.as_str()),
        priority_code: c.priority.as_str(),
        status: page.label("sd-status", c.status.as_str()),
        assignee: c.assignee_name.clone().unwrap_or_default(),
        due: c.due_at.map(|t| t.danish()).unwrap_or_default(),
        escalation,
        opened: c.opened_at.danish(),
    }
}

// ---------------------------------------------------------------- the queue

pub struct ViewLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "servicedesk/queue.html")]
struct QueuePage {
    page: Page,
    views: Vec<ViewLink>,
    cases: Vec<CaseRow>,
    notifications: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    vis: String,
}

const VIEWS: [(&str, QueueView); 6] = [
    ("mine", QueueView::Mine),
    ("alle", QueueView::All),
    ("ufordelte", QueueView::Unassigned),
    ("frist", QueueView::BreachingSoon),
    ("venter", QueueView::WaitingForCitizen),
    ("afsluttede", QueueView::Done),
];

pub async fn queue(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    let chosen = VIEWS
        .iter()
        .find(|(k, _)| *k == q.vis)
        .copied()
        .unwrap_or(("alle", QueueView::All));
    let page = desk_page(
        &auth,
        format!("/servicedesk?vis={}", chosen.0),
        "sd-queue-title",
    );
    let lines = state
        .db
        .case_queue(&auth.ctx(), chosen.1)
        .await
        .or_page(&page)?;
    let notifications = state
        .db
        .desk_notifications(&auth.ctx(), 5)
        .await
        .or_page(&page)?
        .into_iter()
        .map(|(_, body, at)| (at.danish(), body))
        .collect();
    let views = VIEWS
        .iter()
        .map(|(k, _)| ViewLink {
            href: format!("/servicedesk?vis={k}"),
            label: page.label("sd-view", k),
            current: *k == chosen.0,
        })
        .collect();
    let cases = lines
        .iter()
        .map(|l| case_row(&page, &l.case, l.escalation_now))
        .collect();
    let body = QueuePage {
        page,
        views,
        cases,
        notifications,
    };
    Ok(render(StatusCode::OK, &body))
}

// ---------------------------------------------------------------- calls

pub struct RingingRow {
    pub id: String,
    pub caller: String,
    pub since: String,
    pub who: String,
}

#[derive(Template)]
#[template(path = "servicedesk/ringing.html")]
struct RingingFragment {
    page: Page,
    calls: Vec<RingingRow>,
}

/// The calls ringing now: a fragment the queue polls.
pub async fn ringing(State(state): State<AppState>, StaffAuth(auth): StaffAuth) -> PageResult {
    let page = desk_page(&auth, "/servicedesk".into(), "sd-queue-title");
    let calls = state
        .db
        .ringing_calls(&auth.ctx())
        .await
        .or_page(&page)?
        .into_iter()
        .map(|c| {
            let who = if !c.staff.is_empty() {
                page.t1("sd-call-staff", "names", c.staff.join(", "))
            } else if c.citizens > 0 {
                page.t1("sd-call-citizens", "count", c.citizens)
            } else if c.next_of_kin > 0 {
                page.t1("sd-call-kin", "count", c.next_of_kin)
            } else {
                page.t("sd-call-unknown")
            };
            RingingRow {
                id: c.id.to_string(),
                caller: c.caller,
                since: c.received_at.danish(),
                who,
            }
        })
        .collect();
    Ok(render(StatusCode::OK, &RingingFragment { page, calls }))
}

/// Takes a call: straight to the caller screen when the number belongs to one citizen (or
/// their relative), else to the call's page with every match and the search.
pub async fn answer(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = desk_page(&auth, "/servicedesk".into(), "sd-queue-title");
    let id: CallId = path_id(&id, "call", &page)?;
    let call = state.db.answer_call(&auth.ctx(), id).await.or_page(&page)?;
    let mut citizens: Vec<CitizenId> = call.matches.iter().filter_map(|m| m.citizen()).collect();
    citizens.dedup();
    let only_citizens = call
        .matches
        .iter()
        .all(|m| !matches!(m, CallerMatch::Staff { .. }));
    Ok(match citizens.as_slice() {
        [one] if only_citizens => see_other(&format!("/servicedesk/borger/{one}?opkald={id}")),
        _ => see_other(&format!("/servicedesk/opkald/{id}")),
    })
}

pub struct MatchRow {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "servicedesk/call.html")]
struct CallPage {
    page: Page,
    call_id: String,
    caller: String,
    matches: Vec<MatchRow>,
    /// The member of staff the number belongs to, for a case without a citizen.
    staff_name: String,
    categories: Vec<(&'static str, String)>,
}

fn match_row(page: &Page, m: &CallerMatch, call: CallId) -> MatchRow {
    match m {
        CallerMatch::Citizen { citizen_id, name } => MatchRow {
            text: page.t1("sd-match-citizen", "name", name),
            href: Some(format!("/servicedesk/borger/{citizen_id}?opkald={call}")),
        },
        CallerMatch::NextOfKin {
            citizen_id,
            citizen_name,
            name,
            relation,
        } => MatchRow {
            text: crate::i18n::t_args(
                page.lang,
                "sd-match-kin",
                &[
                    ("name", name.as_str()),
                    ("relation", relation.as_str()),
                    ("citizen", citizen_name.as_str()),
                ],
            ),
            href: Some(format!("/servicedesk/borger/{citizen_id}?opkald={call}")),
        },
        CallerMatch::Staff {
            name,
            organisations,
            ..
        } => MatchRow {
            text: crate::i18n::t_args(
                page.lang,
                "sd-match-staff",
                &[
                    ("name", name.as_str()),
                    ("orgs", organisations.join(", ").as_str()),
                ],
            ),
            href: None,
        },
    }
}

pub async fn call_page(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = desk_page(&auth, format!("/servicedesk/opkald/{id}"), "sd-call-title");
    let id: CallId = path_id(&id, "call", &page)?;
    let call = state.db.call(&auth.ctx(), id).await.or_page(&page)?;
    let matches = call
        .matches
        .iter()
        .map(|m| match_row(&page, m, id))
        .collect();
    let staff_name = call
        .matches
        .iter()
        .find_map(|m| match m {
            CallerMatch::Staff { name, .. } => Some(name.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let body = CallPage {
        call_id: id.to_string(),
        caller: call.caller,
        matches,
        staff_name,
        categories: Category::ALL
            .iter()
            .map(|k| (k.as_str(), page.label("sd-category", k.as_str())))
            .collect(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

// ---------------------------------------------------------------- search

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    opkald: Option<String>,
}

pub struct HitRow {
    pub href: String,
    pub name: String,
    pub cpr: String,
    pub municipality: String,
}

#[derive(Template)]
#[template(path = "servicedesk/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    call: String,
    hits: Option<Vec<HitRow>>,
}

/// Finds the caller by CPR number, name or phone when the number matched nobody.
pub async fn search(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let page = desk_page(
        &auth,
        format!("/servicedesk/soeg?q={}", encode(q.q.trim())),
        "sd-search-title",
    );
    let call = q
        .opkald
        .as_deref()
        .and_then(|c| c.parse::<CallId>().ok())
        .map(|c| format!("?opkald={c}"))
        .unwrap_or_default();
    let hits = if q.q.trim().is_empty() {
        None
    } else {
        Some(
            state
                .db
                .search_citizens(&auth.ctx(), q.q.trim(), 25)
                .await
                .or_page(&page)?
                .into_iter()
                .map(|h| HitRow {
                    href: format!("/servicedesk/borger/{}{call}", h.id),
                    name: h.name,
                    cpr: h.cpr.formatted(),
                    municipality: h.municipality.unwrap_or_default(),
                })
                .collect(),
        )
    };
    let body = SearchPage {
        q: q.q.trim().to_string(),
        call: q.opkald.unwrap_or_default(),
        hits,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

// ---------------------------------------------------------------- the caller screen

pub struct UnitRow {
    pub id: String,
    pub label: String,
    pub serial: String,
    pub state: String,
    pub state_code: &'static str,
    pub last_data: String,
    pub silent: bool,
    pub programmes: String,
}

pub struct LinkRow {
    pub href: String,
    pub text: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "servicedesk/caller.html")]
struct CallerPage {
    page: Page,
    citizen_id: String,
    name: String,
    cpr: String,
    phones: Vec<String>,
    address: Option<String>,
    needs_assisted_support: bool,
    calling: Option<String>,
    call_id: String,
    kin_name: String,
    programmes: Vec<LinkRow>,
    units: Vec<UnitRow>,
    orders: Vec<LinkRow>,
    visits: Vec<LinkRow>,
    cases: Vec<CaseRow>,
    guides: Vec<LinkRow>,
    categories: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
pub struct CallerQuery {
    #[serde(default)]
    opkald: Option<String>,
}

pub async fn caller_screen(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<CallerQuery>,
) -> PageResult {
    let mut page = desk_page(
        &auth,
        format!("/servicedesk/borger/{id}"),
        "sd-caller-title",
    );
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    let call = q.opkald.as_deref().and_then(|c| c.parse::<CallId>().ok());
    let screen = state
        .db
        .caller_screen(&auth.ctx(), citizen, call)
        .await
        .or_page(&page)?;
    let c = &screen.overview.citizen;
    let now = telesund_core::Timestamp::now();
    let (calling, kin_name) = match screen.call.as_ref().and_then(|call| {
        call.matches
            .iter()
            .find(|m| m.citizen() == Some(citizen))
            .cloned()
    }) {
        Some(CallerMatch::NextOfKin { name, relation, .. }) => (
            Some(crate::i18n::t_args(
                page.lang,
                "sd-calling-kin",
                &[("name", name.as_str()), ("relation", relation.as_str())],
            )),
            name,
        ),
        Some(CallerMatch::Citizen { .. }) => (Some(page.t("sd-calling-self")), String::new()),
        _ => (None, String::new()),
    };
    let models: Vec<_> = screen.units.iter().map(|u| u.unit.model.id).collect();
    let guides = state
        .db
        .guides_for_models(&auth.ctx(), &models, page.lang, Audience::Internal)
        .await
        .or_page(&page)?
        .into_iter()
        .map(|g| LinkRow {
            href: format!("/servicedesk/viden/{}", g.id),
            text: g.title,
            detail: g.excerpt,
        })
        .collect();
    let units = screen
        .units
        .iter()
        .map(|u| UnitRow {
            id: u.unit.unit.id.to_string(),
            label: format!(
                "{} · {} {}",
                page.label("eq-role", u.unit.model.role.as_str()),
                u.unit.model.manufacturer,
                u.unit.model.name
            ),
            serial: u.unit.unit.pi.serial.clone(),
            state: page.label("eq-state", u.unit.unit.state.as_str()),
            state_code: u.unit.unit.state.as_str(),
            last_data: u
                .last_data_at
                .map(|t| t.danish())
                .unwrap_or_else(|| page.t("sd-never")),
            silent: telesund_core::servicedesk::proactive::looks_quiet(u.last_data_at, now),
            programmes: u.programmes.join(", "),
        })
        .collect();
    let programmes = screen
        .overview
        .enrolments
        .iter()
        .flatten()
        .map(|e| LinkRow {
            href: String::new(),
            text: e.programme_name.clone(),
            detail: e.org_name.clone(),
        })
        .collect();
    let orders = screen
        .orders
        .iter()
        .map(|o| LinkRow {
            href: format!("/udstyr/ordrer/{}", o.id),
            text: page.label("eq-service", o.service_type.as_str()),
            detail: page.label("eq-order", o.status.as_str()),
        })
        .collect();
    let visits = screen
        .visits
        .iter()
        .map(|v| LinkRow {
            href: String::new(),
            text: page.label("eq-visitkind", v.kind.as_str()),
            detail: format!(
                "{:02}-{:02}-{}",
                v.planned_on.day(),
                v.planned_on.month() as u8,
                v.planned_on.year()
            ),
        })
        .collect();
    let cases = screen.cases.iter().map(|k| case_row(&page, k, 0)).collect();
    page.title = format!("{} · {}", page.t("sd-caller-title"), c.full_name());
    let body = CallerPage {
        citizen_id: citizen.to_string(),
        name: c.full_name(),
        cpr: c.cpr.formatted(),
        phones: c.phones.clone(),
        address: screen.overview.contact_visible.then(|| {
            format!(
                "{}, {} {}",
                c.address.line, c.address.postal_code, c.address.city
            )
        }),
        needs_assisted_support: c.needs_assisted_support,
        calling,
        call_id: call.map(|c| c.to_string()).unwrap_or_default(),
        kin_name,
        programmes,
        units,
        orders,
        visits,
        cases,
        guides,
        categories: Category::ALL
            .iter()
            .map(|k| (k.as_str(), page.label("sd-category", k.as_str())))
            .collect(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Deserialize)]
pub struct OpenForm {
    /// Empty for a caller who is no citizen's (a member of staff, an unknown number).
    #[serde(default)]
    citizen: String,
    #[serde(default)]
    call: String,
    /// Who is asking when it is not the citizen: a relative, or a member of staff.
    #[serde(default)]
    kin_name: String,
    #[serde(default)]
    requester_kind: String,
    category: String,
    subject: String,
    #[serde(default)]
    description: String,
    impact: String,
    urgency: String,
    #[serde(default)]
    acute: Option<String>,
    #[serde(default)]
    unit: String,
}

pub async fn open_case(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<OpenForm>,
) -> PageResult {
    let page = desk_page(&auth, "/servicedesk".into(), "sd-caller-title");
    let citizen: Option<CitizenId> = if f.citizen.trim().is_empty() {
        None
    } else {
        Some(path_id(&f.citizen, "citizen", &page)?)
    };
    let kind = if f.requester_kind == "staff" {
        RequesterKind::Staff
    } else {
        RequesterKind::NextOfKin
    };
    let new = NewCase {
        citizen_id: citizen,
        requester: (!f.kin_name.trim().is_empty()).then(|| Requester {
            kind,
            name: f.kin_name.trim().to_string(),
        }),
        channel: Channel::Phone,
        category: field(Category::parse(&f.category), &page)?,
        subject: f.subject,
        description: f.description,
        impact: field(Impact::parse(&f.impact), &page)?,
        urgency: field(Urgency::parse(&f.urgency), &page)?,
        acute: f.acute.is_some(),
        unit_id: f.unit.parse::<UnitId>().ok(),
        call_id: f.call.parse::<CallId>().ok(),
    };
    let case = state.db.open_case(&auth.ctx(), new).await.or_page(&page)?;
    Ok(see_other(&format!("/servicedesk/sager/{}", case.case.id)))
}

// ---------------------------------------------------------------- the case page

pub struct EntryRow {
    pub at: String,
    pub kind: String,
    pub text: String,
    pub by: String,
    pub internal: bool,
    pub link: Option<String>,
}

pub struct ClockRow {
    pub name: String,
    pub state: String,
    pub state_code: &'static str,
}

#[derive(Template)]
#[template(path = "servicedesk/case.html")]
struct CasePage {
    page: Page,
    case: CaseRow,
    live: bool,
    resolved: bool,
    channel: String,
    requester: String,
    citizen_href: Option<String>,
    unit: String,
    resolution: String,
    clocks: Vec<ClockRow>,
    timeline: Vec<EntryRow>,
    units: Vec<(String, String)>,
    guides: Vec<(String, String)>,
    templates: Vec<(String, String)>,
    waits: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    services: Vec<(&'static str, String)>,
    rating: Option<String>,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn case_page(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> PageResult {
    let mut page = desk_page(&auth, format!("/servicedesk/sager/{id}"), "sd-case-title");
    let id: CaseId = path_id(&id, "case", &page)?;
    let p = state.db.case(&auth.ctx(), id).await.or_page(&page)?;
    let c = &p.case;
    // The units in the home (to swap, or to send a technician to) and the guides for them.
    let (units, models) = match c.citizen_id {
        Some(citizen) => {
            let e = state
                .db
                .citizen_equipment(&auth.ctx(), citizen)
                .await
                .or_page(&page)?;
            let in_home: Vec<_> = e
                .units
                .iter()
                .filter(|(u, _)| u.unit.state == telesund_core::equipment::unit::UnitState::InUse)
                .collect();
            (
                in_home
                    .iter()
                    .map(|(u, _)| {
                        (
                            u.unit.id.to_string(),
                            format!(
                                "{} {} (SN {})",
                                u.model.manufacturer, u.model.name, u.unit.pi.serial
                            ),
                        )
                    })
                    .collect::<Vec<_>>(),
                in_home.iter().map(|(u, _)| u.model.id).collect::<Vec<_>>(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let guides = state
        .db
        .guides_for_models(&auth.ctx(), &models, page.lang, Audience::Internal)
        .await
        .or_page(&page)?
        .into_iter()
        .map(|g| (g.id.to_string(), g.title))
        .collect();
    let templates = state
        .db
        .search_articles(
            &auth.ctx(),
            &ArticleQuery {
                kind: Some(ArticleKind::ReplyTemplate),
                ..Default::default()
            },
        )
        .await
        .or_page(&page)?
        .into_iter()
        .map(|t| (t.id.to_string(), t.title))
        .collect();
    let timeline = p
        .timeline
        .iter()
        .map(|e| EntryRow {
            at: e.at.danish(),
            kind: page.label("sd-entry", &e.kind),
            text: e.text.clone(),
            by: e.by_name.clone(),
            internal: !e.citizen_visible,
            link: e.reference.as_ref().and_then(|r| match e.kind.as_str() {
                "swap" => Some(format!("/udstyr/ordrer/{r}")),
                "article" => Some(format!("/servicedesk/viden/{r}")),
                "merged" => Some(format!("/servicedesk/sager/{r}")),
                _ => None,
            }),
        })
        .collect();
    let clocks = p
        .clocks
        .iter()
        .map(|(name, st)| {
            let code = match st {
                telesund_core::servicedesk::sla::ClockState::Running => "running",
                telesund_core::servicedesk::sla::ClockState::Warning => "warning",
                telesund_core::servicedesk::sla::ClockState::Paused => "paused",
                telesund_core::servicedesk::sla::ClockState::Met => "met",
                telesund_core::servicedesk::sla::ClockState::Breached => "breached",
            };
            ClockRow {
                name: page.label("sd-clock", name.as_str()),
                state: page.label("sd-clockstate", code),
                state_code: code,
            }
        })
        .collect();
    page.title = format!("{} {} · {}", page.t("sd-case-title"), c.number, c.subject);
    let flash = q.ok.map(|k| page.label("sd-done", &k));
    let body = CasePage {
        case: case_row(&page, c, c.escalation as u8),
        live: c.status.is_active(),
        resolved: c.status == CaseStatus::Resolved,
        channel: page.label("sd-channel", c.channel.as_str()),
        requester: format!(
            "{} ({})",
            c.requester_name,
            page.label("sd-requester", c.requester_kind.as_str())
        ),
        citizen_href: c.citizen_id.map(|x| format!("/servicedesk/borger/{x}")),
        unit: match (&c.model_name, &c.unit_serial) {
            (Some(m), Some(s)) => format!("{m} (SN {s})"),
            (Some(m), None) => m.clone(),
            _ => String::new(),
        },
        resolution: c.resolution.clone().unwrap_or_default(),
        clocks,
        timeline,
        units,
        guides,
        templates,
        waits: [
            CaseStatus::PendingCitizen,
            CaseStatus::PendingVisit,
            CaseStatus::PendingSupplier,
        ]
        .iter()
        .map(|s| (s.as_str(), page.label("sd-status", s.as_str())))
        .collect(),
        categories: Category::ALL
            .iter()
            .map(|k| (k.as_str(), page.label("sd-category", k.as_str())))
            .collect(),
        services: [
            ServiceType::Training,
            ServiceType::Calibration,
            ServiceType::Maintenance,
            ServiceType::Repair,
        ]
        .iter()
        .map(|s| (s.as_str(), page.label("eq-service", s.as_str())))
        .collect(),
        rating: p
            .rating
            .as_ref()
            .map(|r| format!("{}/5 {}", r.score, r.comment)),
        flash,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

/// Every action's form posts here with its `action` and the fields it needs.
#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    acute: Option<String>,
    #[serde(default)]
    article: String,
    #[serde(default)]
    sent: Option<String>,
    #[serde(default)]
    into: String,
    #[serde(default)]
    channel: String,
    /// A reply template whose text is sent when no text of one's own is written.
    #[serde(default)]
    template: String,
}

pub async fn case_action(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(mut f): axum::Form<ActionForm>,
) -> PageResult {
    let page = desk_page(&auth, format!("/servicedesk/sager/{id}"), "sd-case-title");
    let id: CaseId = path_id(&id, "case", &page)?;
    let invalid =
        |what: &str| crate::page::UiError::in_page(ApiError::invalid(what.to_string()), &page);
    if f.text.trim().is_empty()
        && let Ok(template) = f.template.parse::<ArticleId>()
    {
        f.text = state
            .db
            .article(&auth.ctx(), template)
            .await
            .or_page(&page)?
            .body;
    }
    let unit = || {
        f.unit
            .parse::<UnitId>()
            .map_err(|_| invalid("choose a unit"))
    };
    let action = match f.action.as_str() {
        "assign" => CaseAction::Assign { user_id: None },
        "note" => CaseAction::Note { text: f.text },
        "reply" => CaseAction::Reply { text: f.text },
        "message" => CaseAction::SendMessage {
            channel: if f.channel == "email" {
                MessageChannel::Email
            } else {
                MessageChannel::Sms
            },
            text: f.text,
        },
        "article" => CaseAction::UseArticle {
            article_id: f
                .article
                .parse::<ArticleId>()
                .map_err(|_| invalid("choose a guide"))?,
            sent_to_citizen: f.sent.is_some(),
        },
        "wait" => CaseAction::Wait {
            status: field(CaseStatus::parse(&f.status), &page)?,
            note: f.text,
        },
        "resume" => CaseAction::Resume { note: f.text },
        "priority" => CaseAction::Reprioritise {
            impact: field(Impact::parse(&f.impact), &page)?,
            urgency: field(Urgency::parse(&f.urgency), &page)?,
            acute: f.acute.is_some(),
        },
        "category" => CaseAction::Categorise {
            category: field(Category::parse(&f.category), &page)?,
        },
        "remote_fix" => CaseAction::RemoteFix { text: f.text },
        "swap" => CaseAction::SwapDevice {
            unit_id: unit()?,
            fault: f.text,
        },
        "technician" => CaseAction::BookTechnician {
            unit_id: unit()?,
            service: field(ServiceType::parse(&f.service), &page)?,
            note: f.text,
        },
        "clinical" => CaseAction::HandOverClinical { note: f.text },
        "resolve" => CaseAction::Resolve { resolution: f.text },
        "reopen" => CaseAction::Reopen { reason: f.text },
        "close" => CaseAction::Close,
        "merge" => {
            let number: i64 = f
                .into
                .trim()
                .parse()
                .map_err(|_| invalid("give the number of the case to merge into"))?;
            let into = state
                .db
                .case_id_by_number(&auth.ctx(), number)
                .await
                .or_page(&page)?;
            CaseAction::Merge { into }
        }
        _ => return Err(invalid("unknown action")),
    };
    state
        .db
        .case_action(&auth.ctx(), id, action)
        .await
        .or_page(&page)?;
    Ok(see_other(&format!(
        "/servicedesk/sager/{id}?ok={}",
        encode(&f.action)
    )))
}
