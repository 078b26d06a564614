//! The clinician's telemonitoring pages: the worklist of the teams they work on, a citizen's
//! results with charts and threshold bands, acknowledging (one result or all, with an
//! optional message to the citizen), notes, taking a task, and a programme's alarm burden.

use crate::chart;
use crate::page::{OrPage, Page, PageResult, StaffAuth, path_id, render, see_other};
use crate::staff::{Tab, citizen_tabs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use telesund_core::Timestamp;
use telesund_core::ids::{AssessmentId, CarePlanId, CitizenId, OrgId, ProgrammeId, TaskId};
use telesund_core::monitoring::programme::PlanStatus;
use telesund_core::monitoring::rules::danish_number;
use telesund_core::monitoring::thresholds::Bounds;
use telesund_core::monitoring::work::{ResultRef, TaskStatus};
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};
use telesund_db::monitoring::worklist::{AckScope, WorklistFilter};
use telesund_http::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arbejdsliste", get(worklist))
        .route("/borgere/{id}/maalinger", get(results))
        .route("/borgere/{id}/maalinger/kvitter", post(acknowledge))
        .route("/borgere/{id}/maalinger/noter", post(add_note))
        .route(
            "/borgere/{id}/maalinger/planer/{plan}/status",
            post(plan_status),
        )
        .route(
            "/borgere/{id}/maalinger/planer/{plan}/graenser",
            post(override_thresholds),
        )
        .route("/opgaver/{id}/tag", post(take_task))
        .route("/programmer/{id}/alarmbyrde", get(alarm_burden))
}

/// A colour as text and a CSS class, so it is never told by colour alone.
pub struct Badge {
    pub class: &'static str,
    pub text: String,
}

fn badge(page: &Page, c: Colour) -> Badge {
    Badge {
        class: match c {
            Colour::Red => "badge red",
            Colour::Yellow => "badge yellow",
            Colour::Blue => "badge blue",
            Colour::Green => "badge green",
        },
        text: page.label("colour", c.as_str()),
    }
}

pub struct WorklistRow {
    pub citizen_id: String,
    pub name: String,
    pub cpr: String,
    pub badge: Badge,
    pub headline: String,
    pub programmes: String,
    pub waiting_since: String,
    pub open_tasks: u32,
    pub owners: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    page: Page,
    rows: Vec<WorklistRow>,
    programmes: Vec<Choice>,
    orgs: Vec<Choice>,
    /// Programmes the user's organisations own: links to their alarm burden.
    owned: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    #[serde(default)]
    programme: String,
    #[serde(default)]
    org: String,
}

pub async fn worklist(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Query(q): Query<WorklistQuery>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "worklist-title", "/arbejdsliste");
    let programme_id: Option<ProgrammeId> = q.programme.parse().ok();
    let org_id: Option<OrgId> = q.org.parse().ok();
    let entries = state
        .db
        .worklist(
            &auth.ctx(),
            &WorklistFilter {
                programme_id,
                org_id,
                limit: 100,
            },
        )
        .await
        .or_page(&page)?;
    let rows = entries
        .into_iter()
        .map(|e| WorklistRow {
            citizen_id: e.citizen_id.to_string(),
            name: e.name,
            cpr: e.cpr,
            badge: badge(&page, e.colour),
            headline: e.headline,
            programmes: e.programmes.join(", "),
            waiting_since: e.oldest_at.danish(),
            open_tasks: e.open_tasks,
            owners: e.owners.join(", "),
        })
        .collect();
    let all = state.db.programmes().await?;
    let my_orgs: Vec<OrgId> = auth
        .staff
        .as_ref()
        .map(|s| s.memberships.iter().map(|m| m.membership.org_id).collect())
        .unwrap_or_default();
    let owned = all
        .iter()
        .filter(|p| my_orgs.contains(&p.owner_org_id))
        .map(|p| Choice {
            value: format!("/programmer/{}/alarmbyrde", p.id),
            label: p.name.clone(),
            selected: false,
        })
        .collect();
    let programmes = all
        .into_iter()
        .map(|p| Choice {
            selected: Some(p.id) == programme_id,
            value: p.id.to_string(),
            label: p.name,
        })
        .collect();
    let orgs = auth
        .staff
        .as_ref()
        .map(|s| {
            s.memberships
                .iter()
                .map(|m| Choice {
                    selected: Some(m.membership.org_id) == org_id,
                    value: m.membership.org_id.to_string(),
                    label: m.org_name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &WorklistPage {
            page,
            rows,
            programmes,
            orgs,
            owned,
        },
    ))
}

pub struct ResultRow {
    pub id: String,
    pub at: String,
    pub what: String,
    pub badge: Badge,
    pub reasons: String,
    pub programme: String,
    pub acknowledged: Option<String>,
}

pub struct TaskRow {
    pub id: String,
    pub badge: Badge,
    pub description: String,
    pub programme: String,
    pub owner: String,
    pub takeable: bool,
}

pub struct PlanRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub since: String,
    /// On one of my teams: I may change it.
    pub mine: bool,
    pub paused: bool,
    pub ended: bool,
    pub thresholds: Vec<ThresholdRow>,
    /// The quantities the plan measures, for the override form.
    pub quantities: Vec<Choice>,
    pub history: Vec<String>,
}

pub struct ThresholdRow {
    pub quantity: String,
    pub bounds: [String; 4],
}

pub struct NoteRow {
    pub at: String,
    pub author: String,
    pub text: String,
    pub important: bool,
}

pub struct ChartView {
    pub svg: String,
    pub table: String,
}

#[derive(Template)]
#[template(path = "citizen_monitoring.html")]
struct ResultsPage {
    page: Page,
    tabs: Vec<Tab>,
    citizen_id: String,
    name: String,
    notice: Option<String>,
    plans: Vec<PlanRow>,
    tasks: Vec<TaskRow>,
    unacknowledged: Vec<ResultRow>,
    /// Unseen results of plans on other teams: shown, theirs to acknowledge.
    other_teams: Vec<ResultRow>,
    acknowledged: Vec<ResultRow>,
    charts: Vec<ChartView>,
    notes: Vec<NoteRow>,
}

#[derive(Deserialize, Default)]
pub struct ResultsQuery {
    #[serde(default)]
    ok: Option<String>,
}

/// What a stored measurement shows as ("Vægt 84,5 kg", "Blodtryk 142/88 mmHg").
fn describe(o: &telesund_core::monitoring::observation::Observation) -> String {
    let kind = o.kind.danish();
    let mut name = kind.to_string();
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    let values: Vec<String> = o.values.iter().map(|(_, v)| danish_number(*v)).collect();
    let unit = o
        .values
        .first()
        .map(|(q, _)| q.unit_display())
        .unwrap_or("");
    format!("{name} {} {unit}", values.join("/"))
}

pub async fn results(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
    Query(q): Query<ResultsQuery>,
) -> PageResult {
    let mut page = Page::staff_at(&auth, &parts, "results-title", "/borgere");
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    let ctx = auth.ctx();
    let overview = state
        .db
        .citizen_overview(&ctx, citizen)
        .await
        .or_page(&page)?;
    let plans = state.db.care_plans_of(&ctx, citizen).await.or_page(&page)?;
    let observations = state
        .db
        .observations_of(&ctx, citizen, None, 1000)
        .await
        .or_page(&page)?;
    let assessments = state
        .db
        .assessments_of(&ctx, citizen, None, 200)
        .await
        .or_page(&page)?;
    let tasks = state
        .db
        .tasks(
            &ctx,
            &telesund_db::monitoring::worklist::TaskQuery {
                citizen: Some(citizen),
                status: None,
                owner: None,
                limit: 50,
            },
        )
        .await
        .or_page(&page)?;
    let notes = state.db.notes_of(&ctx, citizen).await.or_page(&page)?;
    let mine = state.db.my_plans_of(&ctx, citizen).await.or_page(&page)?;

    let plan_name: HashMap<_, _> = plans
        .iter()
        .map(|p| (p.id, p.programme_name.clone()))
        .collect();
    let by_id: HashMap<_, _> = observations.iter().map(|o| (o.id, o)).collect();
    let mut colours = HashMap::new();
    let mut unacknowledged = Vec::new();
    let mut acknowledged = Vec::new();
    let mut other_teams = Vec::new();
    for a in &assessments {
        let what = match a.result {
            ResultRef::Observation(o) => {
                if let Some(c) = colours.get_mut(&o) {
                    *c = a.assessment.colour.max(*c);
                } else {
                    colours.insert(o, a.assessment.colour);
                }
                by_id
                    .get(&o)
                    .map(|o| describe(o))
                    .unwrap_or_else(|| page.t("results-measurement"))
            }
            ResultRef::Response(_) => page.t("results-questionnaire"),
        };
        let row = ResultRow {
            id: a.id.to_string(),
            at: a.result_at.danish(),
            what,
            badge: badge(&page, a.assessment.colour),
            reasons: a.assessment.summary(),
            programme: plan_name.get(&a.care_plan_id).cloned().unwrap_or_default(),
            acknowledged: a
                .acknowledgement
                .as_ref()
                .map(|k| format!("{} {}", k.by_name, k.at.danish())),
        };
        if row.acknowledged.is_some() {
            acknowledged.push(row);
        } else if mine.contains(&a.care_plan_id) {
            unacknowledged.push(row);
        } else {
            other_teams.push(row);
        }
    }
    acknowledged.truncate(20);
    let now = Timestamp::now();
    let from = Timestamp(now.0 - 30 * 86_400_000_000);
    let charts = chart::quantity_charts(&observations, &plans, &colours, from, now, page.lang)
        .iter()
        .map(|c| ChartView {
            svg: chart::render(c, page.lang),
            table: chart::table(c, page.lang),
        })
        .collect();
    let tasks = tasks
        .into_iter()
        .filter(|t| t.status.is_open())
        .map(|t| TaskRow {
            id: t.id.to_string(),
            badge: badge(&page, t.colour),
            description: t.description,
            programme: plan_name.get(&t.care_plan_id).cloned().unwrap_or_default(),
            takeable: t.status == TaskStatus::Requested,
            owner: t.owner.map(|(_, n)| n).unwrap_or_default(),
        })
        .collect();
    let mut plan_rows = Vec::with_capacity(plans.len());
    for p in &plans {
        let mine = mine.contains(&p.id);
        let history = if mine {
            state
                .db
                .care_plan_history(&ctx, p.id)
                .await
                .or_page(&page)?
                .iter()
                .rev()
                .take(10)
                .map(|c| {
                    format!(
                        "{}: {} — {} ({})",
                        c.changed_at.danish(),
                        page.label("plan-change", &c.kind),
                        c.reason,
                        c.changed_by_name
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        plan_rows.push(PlanRow {
            id: p.id.to_string(),
            name: p.programme_name.clone(),
            status: page.label("plan-status", p.status.as_str()),
            since: p.started_at.danish(),
            mine,
            paused: p.status == PlanStatus::Paused,
            ended: p.status == PlanStatus::Ended,
            thresholds: p
                .definition
                .thresholds
                .0
                .iter()
                .map(|(q, b)| ThresholdRow {
                    quantity: format!("{} ({})", q.danish(), q.unit_display()),
                    bounds: [b.alert_low, b.warning_low, b.warning_high, b.alert_high]
                        .map(|v| v.map(danish_number).unwrap_or_else(|| "–".into())),
                })
                .collect(),
            quantities: Quantity::ALL
                .iter()
                .filter(|q| p.definition.measures(MeasurementType::of(**q)))
                .map(|q| Choice {
                    value: q.as_str().to_string(),
                    label: q.danish().to_string(),
                    selected: false,
                })
                .collect(),
            history,
        });
    }
    let plans = plan_rows;
    let notes = notes
        .into_iter()
        .map(|n| NoteRow {
            at: n.created_at.danish(),
            author: n.author_name,
            text: n.text,
            important: n.important,
        })
        .collect();
    let name = format!(
        "{} {}",
        overview.citizen.given_name, overview.citizen.family_name
    );
    page.title = format!("{name} · {}", page.t("results-title"));
    let notice = match q.ok.as_deref() {
        Some("acknowledged") => Some(page.t("results-acknowledged")),
        Some("note") => Some(page.t("results-note-added")),
        Some("taken") => Some(page.t("results-task-taken")),
        Some("plan") => Some(page.t("results-plan-changed")),
        Some("thresholds") => Some(page.t("results-thresholds-changed")),
        _ => None,
    };
    let body = ResultsPage {
        tabs: citizen_tabs(&page, &id, "/maalinger"),
        citizen_id: id,
        name,
        notice,
        plans,
        tasks,
        unacknowledged,
        other_teams,
        acknowledged,
        charts,
        notes,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Deserialize)]
pub struct AckForm {
    /// One result's id, or empty for all of the citizen's.
    #[serde(default)]
    assessment: String,
    #[serde(default)]
    message: String,
    /// "on" when the result led to action.
    #[serde(default)]
    action_taken: Option<String>,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<AckForm>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "results-title", "/borgere");
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    let scope = match f.assessment.trim() {
        "" => AckScope::AllOfCitizen,
        one => AckScope::One(
            one.parse::<AssessmentId>()
                .map_err(|_| ApiError::not_found("result"))
                .or_page(&page)?,
        ),
    };
    let message = Some(f.message.trim().to_string()).filter(|m| !m.is_empty());
    state
        .db
        .acknowledge(
            &auth.ctx(),
            citizen,
            scope,
            message,
            f.action_taken.is_some(),
        )
        .await
        .map_err(ApiError::from)
        .or_page(&page)?;
    Ok(see_other(&format!(
        "/borgere/{id}/maalinger?ok=acknowledged"
    )))
}

#[derive(Deserialize)]
pub struct NoteForm {
    text: String,
    #[serde(default)]
    important: Option<String>,
}

pub async fn add_note(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<NoteForm>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "results-title", "/borgere");
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    state
        .db
        .add_note(
            &auth.ctx(),
            citizen,
            None,
            f.text.trim(),
            f.important.is_some(),
        )
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/borgere/{id}/maalinger?ok=note")))
}

pub async fn take_task(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "results-title", "/arbejdsliste");
    let task: TaskId = path_id(&id, "task", &page)?;
    let t = state.db.take_task(&auth.ctx(), task).await.or_page(&page)?;
    Ok(see_other(&format!(
        "/borgere/{}/maalinger?ok=taken",
        t.citizen_id
    )))
}

pub struct BurdenRow {
    pub rule: String,
    pub badge: Badge,
    pub alarms: u64,
    pub per_100: String,
}

#[derive(Template)]
#[template(path = "alarm_burden.html")]
struct BurdenPage {
    page: Page,
    programme: String,
    period: String,
    citizen_days: String,
    alarms: u64,
    per_100: String,
    acknowledged: u64,
    without_action: u64,
    share_without_action: String,
    rows: Vec<BurdenRow>,
}

fn per_100(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}").replace('.', ","))
        .unwrap_or_else(|| "–".into())
}

/// Alarms per 100 citizen-days over the last 90 days, per rule, and the share of
/// acknowledged alarms that led to no action: what a programme owner tunes thresholds by.
pub async fn alarm_burden(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
) -> PageResult {
    let mut page = Page::staff_at(&auth, &parts, "burden-title", "/");
    let programme_id: ProgrammeId = path_id(&id, "programme", &page)?;
    let programme = state
        .db
        .programme(programme_id)
        .await
        .map_err(ApiError::from)
        .or_page(&page)?;
    let to = Timestamp::now();
    let from = Timestamp(to.0 - 90 * 86_400_000_000);
    let b = state
        .db
        .alarm_burden(&auth.ctx(), programme_id, from, to)
        .await
        .or_page(&page)?;
    page.title = format!("{} · {}", page.t("burden-title"), programme.name);
    let rows = b
        .by_rule
        .iter()
        .map(|r| BurdenRow {
            rule: r.rule.clone(),
            badge: badge(&page, r.colour),
            alarms: r.alarms,
            per_100: per_100(r.per_100_citizen_days),
        })
        .collect();
    let body = BurdenPage {
        programme: programme.name,
        period: format!("{} – {}", from.danish(), to.danish()),
        citizen_days: format!("{:.0}", b.citizen_days),
        alarms: b.alarms,
        per_100: per_100(b.alarms_per_100_citizen_days),
        acknowledged: b.acknowledged,
        without_action: b.acknowledged_without_action,
        share_without_action: b
            .share_without_action
            .map(|s| format!("{:.0} %", s * 100.0))
            .unwrap_or_else(|| "–".into()),
        rows,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Deserialize)]
pub struct PlanStatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

/// Pause (e.g. during admission), resume or end a plan, with a reason.
pub async fn plan_status(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path((id, plan)): Path<(String, String)>,
    axum::Form(f): axum::Form<PlanStatusForm>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "results-title", "/borgere");
    let plan: CarePlanId = path_id(&plan, "care plan", &page)?;
    let status = PlanStatus::parse(&f.status)
        .map_err(ApiError::from)
        .or_page(&page)?;
    state
        .db
        .set_care_plan_status(&auth.ctx(), plan, status, f.reason.trim())
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/borgere/{id}/maalinger?ok=plan")))
}

#[derive(Deserialize)]
pub struct ThresholdForm {
    quantity: String,
    #[serde(default)]
    alert_low: String,
    #[serde(default)]
    warning_low: String,
    #[serde(default)]
    warning_high: String,
    #[serde(default)]
    alert_high: String,
    #[serde(default)]
    reason: String,
}

/// A bound as typed: empty for none; "84,5" and "84.5" both read (as on the citizen's form).
fn bound(s: &str, field: &str) -> Result<Option<f64>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::view::parse_number(s, false)
        .map(Some)
        .ok_or_else(|| ApiError::invalid(format!("'{s}' is not a number")).at(field.to_string()))
}

/// Overrides one quantity's thresholds for this citizen (reason required, kept in history).
pub async fn override_thresholds(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path((id, plan)): Path<(String, String)>,
    axum::Form(f): axum::Form<ThresholdForm>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "results-title", "/borgere");
    let plan: CarePlanId = path_id(&plan, "care plan", &page)?;
    let quantity = Quantity::parse(&f.quantity)
        .map_err(ApiError::from)
        .or_page(&page)?;
    let bounds = Bounds::new(
        bound(&f.alert_low, "alert_low").or_page(&page)?,
        bound(&f.warning_low, "warning_low").or_page(&page)?,
        bound(&f.warning_high, "warning_high").or_page(&page)?,
        bound(&f.alert_high, "alert_high").or_page(&page)?,
    );
    state
        .db
        .override_thresholds(&auth.ctx(), plan, quantity, bounds, f.reason.trim())
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/borgere/{id}/maalinger?ok=thresholds")))
}
