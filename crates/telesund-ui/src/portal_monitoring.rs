//! The citizen's own telemonitoring in the portal: today's tasks and the history of their
//! measurements ("Mine målinger"), entering a measurement by hand, answering a questionnaire
//! of one of their plans, and the messages from their care team.
//!
//! Every form is a plain HTML form (CSRF token, POST-redirect-GET, errors by the field, the
//! input kept), so it works without JavaScript, with a keyboard and a screen reader. A
//! per-form random token becomes the submission's identifier, so a double click or a resent
//! form stores nothing twice.

use crate::chart::{self, BandKind};
use crate::i18n;
use crate::page::{
    CitizenAuth, OrPage, Page, PageResult, UiError, path_and_query, render, see_other,
};
use crate::view::parse_number;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::get;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use telesund_core::access::Principal;
use telesund_core::identity::Language;
use telesund_core::ids::CitizenId;
use telesund_core::monitoring::observation::{
    MAX_CLOCK_AHEAD_MICROS, NewObservation, ObservationStatus, SentValue, Source,
};
use telesund_core::monitoring::programme::{CarePlan, PlanStatus};
use telesund_core::monitoring::questionnaire::{Answer, Item, ItemKind, Operator, Questionnaire};
use telesund_core::monitoring::schedule::{LocalTime, Weekday};
use telesund_core::monitoring::today::{self, Period, Status, Subject, TodayTask};
use telesund_core::monitoring::{MeasurementType, Quantity};
use telesund_core::{ErrorCode, Timestamp};
use telesund_db::monitoring::observations::ObservationQuery;
use telesund_db::monitoring::questionnaires::NewResponse;
use telesund_db::monitoring::worklist::MessageDirection;
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};
use time::Month;

const DAY_MICROS: i64 = 86_400_000_000;
/// The history shown: the last 30 days.
const HISTORY_DAYS: i64 = 30;
/// The identifier system of results sent from the portal's forms.
const FORM_SYSTEM: &str = "urn:telesund:portal-form";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/maalinger", get(measurements))
        .route(
            "/portal/maalinger/ny",
            get(entry_form).post(submit_measurement),
        )
        .route(
            "/portal/spoergeskema/{key}",
            get(questionnaire_form).post(submit_questionnaire),
        )
        .route("/portal/beskeder", get(messages))
}

fn own_id(auth: &Auth) -> Option<CitizenId> {
    match auth.principal {
        Principal::Citizen { citizen_id, .. } => Some(citizen_id),
        _ => None,
    }
}

fn not_found(page: &Page, what: &str) -> UiError {
    UiError::in_page(ApiError::not_found(what), page)
}

/// The plans that still run (active or paused): what the citizen may send results for.
fn running(plans: &[CarePlan]) -> impl Iterator<Item = &CarePlan> {
    plans.iter().filter(|p| p.status != PlanStatus::Ended)
}

/// The measurement types the citizen's running plans ask for, in a fixed order.
fn planned_types(plans: &[CarePlan]) -> Vec<MeasurementType> {
    MeasurementType::ALL
        .iter()
        .copied()
        .filter(|k| running(plans).any(|p| p.definition.measures(*k)))
        .collect()
}

/// A fresh token for one form: random, so resending the same form is recognised.
fn form_token() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// The identifier a form's token gives a submission, scoped to the citizen; none for a
/// token that is not one of ours.
fn form_identifier(citizen: CitizenId, token: &str) -> Option<String> {
    let token = uuid::Uuid::try_parse(token.trim()).ok()?;
    Some(format!("{FORM_SYSTEM}|{citizen}.{}", token.simple()))
}

// --- text -----------------------------------------------------------------------------------

fn month_name(m: Month, lang: Language) -> &'static str {
    const DA: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = m as usize - 1;
    match lang {
        Language::Danish => DA[i],
        Language::English => EN[i],
    }
}

/// "10. februar 2026" / "10 February 2026", in Copenhagen.
fn date_text(ts: Timestamp, lang: Language) -> String {
    let l = ts.in_copenhagen();
    match lang {
        Language::Danish => format!("{}. {} {}", l.day(), month_name(l.month(), lang), l.year()),
        Language::English => format!("{} {} {}", l.day(), month_name(l.month(), lang), l.year()),
    }
}

/// "tirsdag 10. februar" / "Tuesday 10 February".
fn day_text(ts: Timestamp, lang: Language) -> String {
    let l = ts.in_copenhagen();
    let weekday = Weekday::from_time(l.weekday());
    match lang {
        Language::Danish => format!(
            "{} {}. {}",
            weekday.danish(),
            l.day(),
            month_name(l.month(), lang)
        ),
        Language::English => format!(
            "{} {} {}",
            weekday.english(),
            l.day(),
            month_name(l.month(), lang)
        ),
    }
}

/// "07:05", in Copenhagen.
fn clock(ts: Timestamp) -> String {
    let l = ts.in_copenhagen();
    format!("{:02}:{:02}", l.hour(), l.minute())
}

/// "10. februar 2026 kl. 07:05" / "10 February 2026 at 07:05".
fn when_text(ts: Timestamp, lang: Language) -> String {
    i18n::t_args(
        lang,
        "pm-date-time",
        &[("date", &date_text(ts, lang)), ("time", &clock(ts))],
    )
}

/// A number with a unit's decimals: "84,5" in Danish, "84.5" in English.
fn number(v: f64, decimals: usize, lang: Language) -> String {
    chart::number(v, decimals, lang)
}

/// A bound or a limit: no more decimals than it needs ("400", "0,5", "37,5").
fn plain(v: f64, decimals: usize, lang: Language) -> String {
    let s = number(v, decimals, lang);
    if s.contains([',', '.']) {
        s.trim_end_matches('0')
            .trim_end_matches([',', '.'])
            .to_string()
    } else {
        s
    }
}

fn type_name(kind: MeasurementType, lang: Language) -> &'static str {
    match lang {
        Language::Danish => kind.danish(),
        Language::English => kind.english(),
    }
}

/// The unit as the citizen reads it ("kg", "slag/min" / "beats/min").
fn unit(q: Quantity, lang: Language) -> String {
    i18n::label(lang, "pm-unit", q.as_str())
}

/// A quantity's name on a form field and a chart ("Vægt", "Det høje tal (systolisk)").
fn quantity_name(q: Quantity, lang: Language) -> String {
    i18n::label(lang, "pm-q", q.as_str())
}

/// A clock time as typed or sent by a time field: "07:30", "7:30", "07.30", "7".
fn parse_clock(s: &str) -> Option<LocalTime> {
    let s = s.trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) => (h, m.get(..2).unwrap_or(m)),
        None => (s, "0"),
    };
    let ok = |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 {
        return None;
    }
    LocalTime::new(h, m).ok()
}

// --- "Mine målinger" ------------------------------------------------------------------------

pub struct TaskView {
    pub name: String,
    pub when: String,
    pub status: String,
    pub done: bool,
    /// `done`, `due`, `later` or `overdue`, for the style.
    pub state: &'static str,
    pub programmes: String,
    pub href: String,
    pub action: String,
}

pub struct ChartView {
    pub id: String,
    pub heading: String,
    pub target: Option<String>,
    pub latest: Option<String>,
    pub svg: String,
    pub table: String,
    pub entry_href: String,
    pub entry_label: String,
}

pub struct ResponseRow {
    pub date: String,
    pub datetime: String,
    pub title: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "portal_measurements.html")]
struct MeasurementsPage {
    page: Page,
    notice: Option<String>,
    unread: usize,
    today: String,
    tasks: Vec<TaskView>,
    charts: Vec<ChartView>,
    entry_types: Vec<(String, String)>,
    responses: Vec<ResponseRow>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub ok: Option<String>,
}

/// The title of a questionnaire by key, in the language, from the stored library (its
/// active version).
fn titles(
    catalogue: &[(telesund_core::ids::QuestionnaireId, Questionnaire, String)],
    lang: Language,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (_, q, status) in catalogue {
        let title = match lang {
            Language::Danish => q.title.clone(),
            Language::English => q.title_en.clone(),
        };
        if status == "active" || !out.contains_key(&q.key) {
            out.insert(q.key.clone(), title);
        }
    }
    out
}

fn task_view(t: &TodayTask, titles: &HashMap<String, String>, page: &Page) -> TaskView {
    let lang = page.lang;
    let (name, href, action) = match &t.subject {
        Subject::Measurement(kind) => (
            type_name(*kind, lang).to_string(),
            format!("/portal/maalinger/ny?type={}", kind.as_str()),
            i18n::label(lang, "pm-entry", kind.as_str()),
        ),
        Subject::Questionnaire(key) => (
            titles.get(key).cloned().unwrap_or_else(|| key.clone()),
            format!("/portal/spoergeskema/{key}"),
            page.t("pm-answer-questionnaire"),
        ),
    };
    let o = &t.occurrence;
    let when = match t.period {
        Period::Window => {
            let (_, day_end) = today::day_of(o.start);
            let end = if o.end >= day_end {
                "24:00".to_string()
            } else {
                clock(o.end)
            };
            i18n::t_args(
                lang,
                "pm-when-window",
                &[("from", &clock(o.start)), ("to", &end)],
            )
        }
        Period::Week if o.required <= 1 => page.t("pm-when-week-once"),
        Period::Week => i18n::t_args(
            lang,
            "pm-when-week",
            &[
                ("done", &t.received.min(u32::from(o.required)).to_string()),
                ("count", &o.required.to_string()),
            ],
        ),
        Period::Month => page.t1(
            "pm-when-month",
            "date",
            date_text(Timestamp(o.end.0 - 1), lang),
        ),
    };
    let (state, status) = match t.status {
        Status::Done => (
            "done",
            match t.last_result {
                Some(at) => page.t1("pm-status-done-at", "time", clock(at)),
                None => page.t("pm-status-done"),
            },
        ),
        Status::Due => ("due", page.t("pm-status-due")),
        Status::Later => ("later", page.t("pm-status-later")),
        Status::Overdue => ("overdue", page.t("pm-status-overdue")),
    };
    TaskView {
        name,
        when,
        status,
        done: t.is_done(),
        state,
        programmes: page.t1("pm-for-programmes", "names", t.programmes.join(", ")),
        href,
        action,
    }
}

/// "Dit mål: 95–160 mmHg" in words, from the green band, so the target never hides in a colour.
fn target_text(bands: &[chart::Band], q: Quantity, page: &Page) -> Option<String> {
    let normal = bands.iter().find(|b| b.kind == BandKind::Normal)?;
    let (floor, ceiling) = q.plausible();
    let d = q.decimals();
    let u = unit(q, page.lang);
    let lo = plain(normal.from, d, page.lang);
    let hi = plain(normal.to, d, page.lang);
    let open_low = normal.from <= floor;
    let open_high = normal.to >= ceiling;
    let range = match (open_low, open_high) {
        (false, false) => i18n::t_args(
            page.lang,
            "pm-range-between",
            &[("low", &lo), ("high", &hi), ("unit", &u)],
        ),
        (true, false) => i18n::t_args(
            page.lang,
            "pm-range-at-most",
            &[("high", &hi), ("unit", &u)],
        ),
        (false, true) => i18n::t_args(
            page.lang,
            "pm-range-at-least",
            &[("low", &lo), ("unit", &u)],
        ),
        (true, true) => return None,
    };
    Some(page.t1("pm-target", "range", range))
}

pub async fn measurements(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    parts: Parts,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let lang = auth.language();
    let page = Page::citizen(
        &auth,
        path_and_query(&parts),
        i18n::t(lang, "pm-title"),
        "/portal/maalinger",
    );
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let ctx = auth.ctx();
    let now = Timestamp::now();
    let since = Timestamp(now.0 - (HISTORY_DAYS + 1) * DAY_MICROS);
    let plans = state.db.care_plans_of(&ctx, id).await.or_page(&page)?;
    let observations = state
        .db
        .search_observations(
            &ctx,
            id,
            &ObservationQuery {
                from: Some(since),
                limit: 5_000,
                ..Default::default()
            },
        )
        .await
        .or_page(&page)?;
    let observations: Vec<_> = observations
        .into_iter()
        .filter(|o| o.status == ObservationStatus::Final)
        .collect();
    let responses = state
        .db
        .responses_of(&ctx, id, None, 200)
        .await
        .or_page(&page)?;
    let unread = state
        .db
        .messages_of(&ctx, id)
        .await
        .or_page(&page)?
        .iter()
        .filter(|m| m.direction == MessageDirection::ToCitizen && m.read_at.is_none())
        .count();
    let catalogue = state.db.questionnaires().await?;
    let titles = titles(&catalogue, lang);

    // Today.
    let results: Vec<(Subject, Timestamp)> = observations
        .iter()
        .map(|o| (Subject::Measurement(o.kind), o.effective_at))
        .chain(responses.iter().map(|r| {
            (
                Subject::Questionnaire(r.questionnaire_key.clone()),
                r.authored_at,
            )
        }))
        .collect();
    let tasks = today::today(&plans, &results, now)
        .iter()
        .map(|t| task_view(t, &titles, &page))
        .collect();

    // History: a chart per quantity of every type the plans measure.
    let from = Timestamp(now.0 - HISTORY_DAYS * DAY_MICROS);
    let mut charts = Vec::new();
    let types = planned_types(&plans);
    for kind in &types {
        let two = kind.quantities().len() > 1;
        for q in kind.quantities() {
            let mut c =
                chart::quantity_chart(*q, &observations, &plans, &HashMap::new(), from, now, lang);
            let heading = if two {
                quantity_name(*q, lang)
            } else {
                type_name(*kind, lang).to_string()
            };
            let latest = c.series[0]
                .points
                .iter()
                .max_by_key(|(t, _)| *t)
                .map(|(t, v)| {
                    i18n::t_args(
                        lang,
                        "pm-latest",
                        &[
                            ("value", &number(*v, q.decimals(), lang)),
                            ("unit", &unit(*q, lang)),
                            ("when", &when_text(*t, lang)),
                        ],
                    )
                });
            let target = target_text(&c.bands, *q, &page);
            c.title = heading.clone();
            c.unit = unit(*q, lang);
            c.series[0].label = String::new();
            charts.push(ChartView {
                id: format!("chart-{}", q.as_str()),
                heading,
                target,
                latest,
                svg: chart::render(&c, lang),
                table: chart::table(&c, lang),
                entry_href: format!("/portal/maalinger/ny?type={}", kind.as_str()),
                entry_label: i18n::label(lang, "pm-entry", kind.as_str()),
            });
        }
    }
    let entry_types = types
        .iter()
        .map(|k| {
            (
                format!("/portal/maalinger/ny?type={}", k.as_str()),
                i18n::label(lang, "pm-entry", k.as_str()),
            )
        })
        .collect();

    let responses = responses
        .iter()
        .take(10)
        .map(|r| ResponseRow {
            date: when_text(r.authored_at, lang),
            datetime: r.authored_at.to_rfc3339(),
            title: titles
                .get(&r.questionnaire_key)
                .cloned()
                .unwrap_or_else(|| r.questionnaire_key.clone()),
            score: r.score.map(|s| plain(s, 1, lang)).unwrap_or_default(),
        })
        .collect();
    let notice = match q.ok.as_deref() {
        Some("measurement") => Some(page.t("pm-notice-measurement")),
        Some("answers") => Some(page.t("pm-notice-answers")),
        _ => None,
    };
    let body = MeasurementsPage {
        notice,
        unread,
        today: day_text(now, lang),
        tasks,
        charts,
        entry_types,
        responses,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

// --- entering a measurement -------------------------------------------------------------------

pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub unit: String,
    pub hint: String,
    pub inputmode: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_measure_entry.html")]
struct EntryPage {
    page: Page,
    kind: &'static str,
    heading: String,
    fields: Vec<FieldView>,
    token: String,
    time: String,
    time_error: Option<String>,
    form_error: Option<String>,
    /// Links to the fields in error, for the summary at the top.
    errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal_measure_choose.html")]
struct ChoosePage {
    page: Page,
    types: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct EntryQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

fn entry_page(auth: &Auth, kind: Option<MeasurementType>) -> Page {
    let lang = auth.language();
    let (back, title) = match kind {
        Some(k) => (
            format!("/portal/maalinger/ny?type={}", k.as_str()),
            i18n::label(lang, "pm-entry", k.as_str()),
        ),
        None => (
            "/portal/maalinger/ny".to_string(),
            i18n::t(lang, "pm-choose-title"),
        ),
    };
    Page::citizen(auth, back, title, "/portal/maalinger")
}

fn blank_fields(kind: MeasurementType, lang: Language) -> Vec<FieldView> {
    kind.quantities()
        .iter()
        .map(|q| FieldView {
            name: q.as_str(),
            label: quantity_name(*q, lang),
            unit: unit(*q, lang),
            hint: i18n::label(lang, "pm-hint", q.as_str()),
            inputmode: if q.decimals() == 0 {
                "numeric"
            } else {
                "decimal"
            },
            value: String::new(),
            error: None,
        })
        .collect()
}

/// The measurement type asked for, if the citizen's plans ask for it.
fn wanted(plans: &[CarePlan], kind: &str) -> Option<MeasurementType> {
    let k = MeasurementType::parse(kind.trim()).ok()?;
    planned_types(plans).contains(&k).then_some(k)
}

pub async fn entry_form(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Query(q): Query<EntryQuery>,
) -> PageResult {
    let lang = auth.language();
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let probe = entry_page(&auth, None);
    let plans = state
        .db
        .care_plans_of(&auth.ctx(), id)
        .await
        .or_page(&probe)?;
    let Some(raw) = q.kind.filter(|k| !k.trim().is_empty()) else {
        let types = planned_types(&plans)
            .into_iter()
            .map(|k| {
                (
                    format!("/portal/maalinger/ny?type={}", k.as_str()),
                    i18n::label(lang, "pm-entry", k.as_str()),
                )
            })
            .collect();
        return Ok(render(StatusCode::OK, &ChoosePage { page: probe, types }));
    };
    let Some(kind) = wanted(&plans, &raw) else {
        return Err(not_found(&probe, "measurement type"));
    };
    let page = entry_page(&auth, Some(kind));
    let body = EntryPage {
        kind: kind.as_str(),
        heading: page.title.clone(),
        fields: blank_fields(kind, lang),
        token: form_token(),
        time: String::new(),
        time_error: None,
        form_error: None,
        errors: Vec::new(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

fn form_value<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// Checks a typed value of a quantity: a number a living person can have.
fn check_value(q: Quantity, raw: &str, lang: Language) -> Result<f64, String> {
    if raw.trim().is_empty() {
        return Err(i18n::label(lang, "pm-error-empty", q.as_str()));
    }
    let Some(v) = parse_number(raw, q.decimals() == 0) else {
        return Err(i18n::t_args(
            lang,
            "pm-error-number",
            &[("example", &i18n::label(lang, "pm-example", q.as_str()))],
        ));
    };
    let (lo, hi) = q.plausible();
    if !(lo..=hi).contains(&v) {
        return Err(i18n::t_args(
            lang,
            "pm-error-range",
            &[
                ("low", &plain(lo, q.decimals(), lang)),
                ("high", &plain(hi, q.decimals(), lang)),
                ("unit", &unit(q, lang)),
            ],
        ));
    }
    Ok(v)
}

pub async fn submit_measurement(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.language();
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let ctx = auth.ctx();
    let probe = entry_page(&auth, None);
    let plans = state.db.care_plans_of(&ctx, id).await.or_page(&probe)?;
    let Some(kind) = wanted(&plans, form_value(&form, "type")) else {
        return Err(not_found(&probe, "measurement type"));
    };
    let page = entry_page(&auth, Some(kind));
    let now = Timestamp::now();

    let mut fields = blank_fields(kind, lang);
    let mut values = Vec::new();
    for f in &mut fields {
        let q = Quantity::parse(f.name).expect("a quantity's own name");
        f.value = form_value(&form, f.name).trim().chars().take(40).collect();
        match check_value(q, &f.value, lang) {
            Ok(v) => values.push((q, v)),
            Err(e) => f.error = Some(e),
        }
    }
    // The two numbers of a blood pressure are easily swapped.
    if let (Some((_, sys)), Some((_, dia))) = (
        values.iter().find(|(q, _)| *q == Quantity::Systolic),
        values.iter().find(|(q, _)| *q == Quantity::Diastolic),
    ) && sys <= dia
        && let Some(f) = fields.iter_mut().find(|f| f.name == "systolic")
    {
        f.error = Some(i18n::t(lang, "pm-error-systolic-low"));
    }
    let time: String = form_value(&form, "time").trim().chars().take(10).collect();
    let mut time_error = None;
    let effective_at = if time.is_empty() {
        now
    } else {
        match parse_clock(&time) {
            None => {
                time_error = Some(i18n::t(lang, "pm-error-time"));
                now
            }
            Some(t) => {
                let at = today::today_at(now, t);
                if at.0 > now.0 + MAX_CLOCK_AHEAD_MICROS {
                    time_error = Some(i18n::t(lang, "pm-error-time-future"));
                }
                at
            }
        }
    };
    let token = form_value(&form, "token").trim().to_string();
    let token = if uuid::Uuid::try_parse(&token).is_ok() {
        token
    } else {
        form_token()
    };
    let rerender = |page: Page,
                    fields: Vec<FieldView>,
                    time_error: Option<String>,
                    form_error: Option<String>| {
        let mut errors: Vec<(String, String)> = fields
            .iter()
            .filter_map(|f| {
                f.error
                    .as_ref()
                    .map(|e| (format!("#f-{}", f.name), format!("{}: {e}", f.label)))
            })
            .collect();
        if let Some(e) = &time_error {
            errors.push(("#f-time".into(), e.clone()));
        }
        let body = EntryPage {
            kind: kind.as_str(),
            heading: page.title.clone(),
            fields,
            token: token.clone(),
            time: time.clone(),
            time_error,
            form_error,
            errors,
            page,
        };
        render(StatusCode::UNPROCESSABLE_ENTITY, &body)
    };
    if fields.iter().any(|f| f.error.is_some()) || time_error.is_some() {
        return Ok(rerender(page, fields, time_error, None));
    }

    let new = NewObservation {
        citizen_id: id,
        kind,
        values: values
            .into_iter()
            .map(|(q, v)| SentValue {
                quantity: q,
                value: v,
                unit: q.ucum().to_string(),
            })
            .collect(),
        effective_at,
        source: Source::Citizen,
        device: None,
        identifier: form_identifier(id, &token),
        on_behalf_of_name: None,
    };
    match state.db.submit_observation(&ctx, new).await {
        Ok(_) => Ok(see_other("/portal/maalinger?ok=measurement")),
        Err(e) => {
            let e = ApiError::from(e);
            if e.code == ErrorCode::InvalidInput {
                let message = i18n::t(lang, "pm-error-refused");
                Ok(rerender(page, fields, None, Some(message)))
            } else {
                Err(UiError::in_page(e, &page))
            }
        }
    }
}

// --- questionnaires ---------------------------------------------------------------------------

pub struct OptionView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct ItemView {
    pub id: String,
    pub field: String,
    /// `display`, `boolean`, `choice`, `integer`, `decimal` or `string`.
    pub kind: &'static str,
    pub text: String,
    pub options: Vec<OptionView>,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    /// When the item only applies given an earlier answer, that condition in words.
    pub condition: Option<String>,
    pub max_length: String,
    pub inputmode: &'static str,
}

impl ItemView {
    /// The ids that describe the item: its condition and its error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.condition.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

#[derive(Template)]
#[template(path = "portal_measure_questionnaire.html")]
struct QuestionnairePage {
    page: Page,
    key: String,
    title: String,
    description: String,
    items: Vec<ItemView>,
    token: String,
    form_error: Option<String>,
    errors: Vec<(String, String)>,
}

fn item_text(item: &Item, lang: Language) -> String {
    match lang {
        Language::Danish => item.text.clone(),
        Language::English if !item.text_en.trim().is_empty() => item.text_en.clone(),
        Language::English => item.text.clone(),
    }
}

/// The condition under which an item applies, in words, when it is a simple one.
fn condition_text(q: &Questionnaire, item: &Item, lang: Language) -> Option<String> {
    let first = match item.enable_when.as_slice() {
        [] => return None,
        [one] => one,
        _ => return Some(i18n::t(lang, "pm-q-applies-if")),
    };
    let Some(question) = q.item(&first.question) else {
        return Some(i18n::t(lang, "pm-q-applies-if"));
    };
    let text = item_text(question, lang);
    let answer = match (&first.operator, &first.answer, &question.kind) {
        (Operator::Equal, Answer::Boolean(true), _) => i18n::t(lang, "pm-yes"),
        (Operator::Equal, Answer::Boolean(false), _) => i18n::t(lang, "pm-no"),
        (Operator::Equal, Answer::Choice(code), ItemKind::Choice { options }) => {
            match options.iter().find(|o| &o.code == code) {
                Some(o) if lang == Language::English => o.display_en.clone(),
                Some(o) => o.display.clone(),
                None => return Some(i18n::t(lang, "pm-q-applies-if")),
            }
        }
        _ => return Some(i18n::t(lang, "pm-q-applies-if")),
    };
    Some(i18n::t_args(
        lang,
        "pm-q-applies-if-answer",
        &[("answer", &answer), ("question", &text)],
    ))
}

/// The form of a questionnaire, with what was typed and the errors by the item.
fn item_views(
    q: &Questionnaire,
    typed: &HashMap<usize, String>,
    errors: &HashMap<usize, String>,
    lang: Language,
) -> Vec<ItemView> {
    q.items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = format!("q-{i}");
            let value = typed.get(&i).cloned().unwrap_or_default();
            let option = |n: usize, v: &str, label: String| OptionView {
                id: format!("{id}-{n}"),
                value: v.to_string(),
                checked: value == v,
                label,
            };
            let (kind, options, max_length, inputmode) = match &item.kind {
                ItemKind::Display => ("display", Vec::new(), String::new(), "text"),
                ItemKind::Boolean { .. } => (
                    "boolean",
                    vec![
                        option(0, "true", i18n::t(lang, "pm-yes")),
                        option(1, "false", i18n::t(lang, "pm-no")),
                    ],
                    String::new(),
                    "text",
                ),
                ItemKind::Choice { options } => (
                    "choice",
                    options
                        .iter()
                        .enumerate()
                        .map(|(n, o)| {
                            let label = match lang {
                                Language::English if !o.display_en.is_empty() => {
                                    o.display_en.clone()
                                }
                                _ => o.display.clone(),
                            };
                            option(n, &o.code, label)
                        })
                        .collect(),
                    String::new(),
                    "text",
                ),
                ItemKind::Integer { .. } => ("integer", Vec::new(), String::new(), "numeric"),
                ItemKind::Decimal { .. } => ("decimal", Vec::new(), String::new(), "decimal"),
                ItemKind::String { max_length } => (
                    "string",
                    Vec::new(),
                    max_length.map(|m| m.to_string()).unwrap_or_default(),
                    "text",
                ),
            };
            ItemView {
                field: format!("a{i}"),
                kind,
                text: item_text(item, lang),
                options,
                value,
                error: errors.get(&i).cloned(),
                required: item.required && item.enable_when.is_empty(),
                condition: condition_text(q, item, lang),
                max_length,
                inputmode,
                id,
            }
        })
        .collect()
}

/// The questionnaire asked for, if one of the citizen's running plans asks for it.
async fn planned_questionnaire(
    state: &AppState,
    auth: &Auth,
    citizen: CitizenId,
    key: &str,
    page: &Page,
) -> Result<Questionnaire, UiError> {
    let plans = state
        .db
        .care_plans_of(&auth.ctx(), citizen)
        .await
        .or_page(page)?;
    if !running(&plans).any(|p| p.definition.questionnaires().any(|k| k == key)) {
        return Err(not_found(page, "questionnaire"));
    }
    match state.db.questionnaire_by_key(key).await {
        Ok((_, q)) => Ok(q),
        Err(e) => Err(UiError::in_page(e.into(), page)),
    }
}

fn questionnaire_page(auth: &Auth, key: &str) -> Page {
    Page::citizen(
        auth,
        format!("/portal/spoergeskema/{}", crate::page::encode(key)),
        i18n::t(auth.language(), "pm-questionnaire"),
        "/portal/maalinger",
    )
}

fn title_of(q: &Questionnaire, lang: Language) -> String {
    match lang {
        Language::English if !q.title_en.is_empty() => q.title_en.clone(),
        _ => q.title.clone(),
    }
}

pub async fn questionnaire_form(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(key): Path<String>,
) -> PageResult {
    let lang = auth.language();
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let mut page = questionnaire_page(&auth, &key);
    let q = planned_questionnaire(&state, &auth, id, &key, &page).await?;
    let title = title_of(&q, lang);
    page.title = title.clone();
    let body = QuestionnairePage {
        key: q.key.clone(),
        title,
        description: q.description.clone(),
        items: item_views(&q, &HashMap::new(), &HashMap::new(), lang),
        token: form_token(),
        form_error: None,
        errors: Vec::new(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

/// One typed answer as the engine takes it: `Ok(None)` when left blank.
fn parse_answer(item: &Item, raw: &str, lang: Language) -> Result<Option<Answer>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match &item.kind {
        ItemKind::Display => Ok(None),
        ItemKind::Boolean { .. } => match raw {
            "true" => Ok(Some(Answer::Boolean(true))),
            "false" => Ok(Some(Answer::Boolean(false))),
            _ => Err(i18n::t(lang, "pm-error-yes-no")),
        },
        ItemKind::Choice { .. } => Ok(Some(Answer::Choice(raw.to_string()))),
        ItemKind::Integer { .. } => {
            match parse_number(raw, true).filter(|v| v.fract() == 0.0 && v.abs() < 1e15) {
                Some(v) => Ok(Some(Answer::Integer(v as i64))),
                None => Err(i18n::t(lang, "pm-error-whole-number")),
            }
        }
        ItemKind::Decimal { .. } => match parse_number(raw, false) {
            Some(v) => Ok(Some(Answer::Decimal(v))),
            None => Err(i18n::t_args(
                lang,
                "pm-error-number",
                &[("example", "38,2")],
            )),
        },
        ItemKind::String { .. } => Ok(Some(Answer::String(raw.to_string()))),
    }
}

pub async fn submit_questionnaire(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.language();
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let mut page = questionnaire_page(&auth, &key);
    let q = planned_questionnaire(&state, &auth, id, &key, &page).await?;
    let title = title_of(&q, lang);
    page.title = title.clone();

    // Read every item's field, then keep only the answers to items that apply.
    let mut typed: HashMap<usize, String> = HashMap::new();
    let mut parse_errors: HashMap<usize, String> = HashMap::new();
    let mut answers: Vec<(usize, String, Answer)> = Vec::new();
    for (i, item) in q.items.iter().enumerate() {
        let raw: String = form_value(&form, &format!("a{i}"))
            .chars()
            .take(5_000)
            .collect();
        if !item.is_answerable() {
            continue;
        }
        match parse_answer(item, &raw, lang) {
            Ok(Some(a)) => answers.push((i, item.link_id.clone(), a)),
            Ok(None) => {}
            Err(e) => {
                parse_errors.insert(i, e);
            }
        }
        typed.insert(i, raw);
    }
    let all: Vec<(String, Answer)> = answers
        .iter()
        .map(|(_, l, a)| (l.clone(), a.clone()))
        .collect();
    let enabled: BTreeSet<&str> = q
        .enabled_items(&all)
        .into_iter()
        .map(|item| item.link_id.as_str())
        .collect();
    let index_of = |link_id: &str| q.items.iter().position(|it| it.link_id == link_id);
    let answers: Vec<(String, Answer)> = answers
        .into_iter()
        .filter(|(_, l, _)| enabled.contains(l.as_str()))
        .map(|(_, l, a)| (l, a))
        .collect();
    let mut errors: HashMap<usize, String> = parse_errors
        .into_iter()
        .filter(|(i, _)| enabled.contains(q.items[*i].link_id.as_str()))
        .collect();
    if let Err(found) = q.evaluate(&answers) {
        for e in found {
            if let Some(i) = index_of(&e.link_id) {
                let message = match lang {
                    Language::Danish => e.message,
                    Language::English => e.message_en,
                };
                // A question typed wrongly is left unanswered: its own error says more.
                errors.entry(i).or_insert(message);
            }
        }
    }
    let token = form_value(&form, "token").trim().to_string();
    let token = if uuid::Uuid::try_parse(&token).is_ok() {
        token
    } else {
        form_token()
    };
    let rerender = |page: Page, errors: HashMap<usize, String>, form_error: Option<String>| {
        let items = item_views(&q, &typed, &errors, lang);
        let summary = items
            .iter()
            .filter_map(|it| {
                it.error
                    .as_ref()
                    .map(|e| (format!("#{}", it.id), format!("{} {e}", it.text)))
            })
            .collect();
        let body = QuestionnairePage {
            key: q.key.clone(),
            title: title.clone(),
            description: q.description.clone(),
            items,
            token: token.clone(),
            form_error,
            errors: summary,
            page,
        };
        render(StatusCode::UNPROCESSABLE_ENTITY, &body)
    };
    if !errors.is_empty() {
        return Ok(rerender(page, errors, None));
    }
    let new = NewResponse {
        citizen_id: id,
        questionnaire_key: q.key.clone(),
        version: Some(q.version.clone()),
        answers,
        authored_at: Timestamp::now(),
        source: Source::Citizen,
        identifier: form_identifier(id, &token),
        on_behalf_of_name: None,
    };
    match state.db.submit_response(&auth.ctx(), new).await {
        Ok(_) => Ok(see_other("/portal/maalinger?ok=answers")),
        Err(e) => {
            let e = ApiError::from(e);
            if e.code == ErrorCode::InvalidInput {
                let message = i18n::t(lang, "pm-error-answers-refused");
                Ok(rerender(page, HashMap::new(), Some(message)))
            } else {
                Err(UiError::in_page(e, &page))
            }
        }
    }
}

// --- messages ---------------------------------------------------------------------------------

pub struct MessageView {
    pub author: String,
    pub at: String,
    pub datetime: String,
    pub text: String,
    pub new: bool,
    pub from_me: bool,
}

#[derive(Template)]
#[template(path = "portal_messages.html")]
struct MessagesPage {
    page: Page,
    messages: Vec<MessageView>,
    unread: usize,
}

pub async fn messages(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    parts: Parts,
) -> PageResult {
    let lang = auth.language();
    let page = Page::citizen(
        &auth,
        path_and_query(&parts),
        i18n::t(lang, "pm-messages-title"),
        "/portal/beskeder",
    );
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let ctx = auth.ctx();
    let stored = state.db.messages_of(&ctx, id).await.or_page(&page)?;
    let messages: Vec<MessageView> = stored
        .iter()
        .map(|m| {
            let to_me = m.direction == MessageDirection::ToCitizen;
            MessageView {
                author: if to_me {
                    m.author_name.clone()
                } else {
                    page.t("pm-messages-me")
                },
                at: when_text(m.created_at, lang),
                datetime: m.created_at.to_rfc3339(),
                text: m.text.clone(),
                new: to_me && m.read_at.is_none(),
                from_me: !to_me,
            }
        })
        .collect();
    let unread = messages.iter().filter(|m| m.new).count();
    if unread > 0 {
        state.db.mark_messages_read(&ctx, id).await.or_page(&page)?;
    }
    Ok(render(
        StatusCode::OK,
        &MessagesPage {
            page,
            messages,
            unread,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_danes_and_others_type_them() {
        assert_eq!(parse_number("84,5", false), Some(84.5));
        assert_eq!(parse_number(" 84.5 ", false), Some(84.5));
        assert_eq!(parse_number("84", false), Some(84.0));
        assert_eq!(parse_number("12.000", true), Some(12_000.0));
        assert_eq!(parse_number("12 000", true), Some(12_000.0));
        assert_eq!(parse_number("1.234,5", false), Some(1234.5));
        assert_eq!(parse_number("1.5", true), Some(1.5));
        assert_eq!(parse_number("-3", false), Some(-3.0));
        for bad in [
            "", "abc", "84,5,1", "1e3", "inf", "NaN", ",5", "5,", "84,5 kg", "1.23,4", "--1",
        ] {
            assert_eq!(parse_number(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn clock_times_are_read_leniently() {
        assert_eq!(parse_clock("07:30"), LocalTime::new(7, 30).ok());
        assert_eq!(parse_clock("7.05"), LocalTime::new(7, 5).ok());
        assert_eq!(parse_clock("07:30:00"), LocalTime::new(7, 30).ok());
        assert_eq!(parse_clock("9"), LocalTime::new(9, 0).ok());
        for bad in ["", "24:00", "7:60", "kl. 7", "07:3x"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn form_tokens_become_identifiers_scoped_to_the_citizen() {
        let c = CitizenId::new();
        let token = form_token();
        let id = form_identifier(c, &token).unwrap();
        assert!(id.starts_with("urn:telesund:portal-form|"), "{id}");
        assert!(id.contains(&c.to_string()));
        assert_eq!(form_identifier(c, &token), Some(id.clone()));
        assert_ne!(form_identifier(CitizenId::new(), &token), Some(id));
        assert_eq!(form_identifier(c, "not-a-token"), None);
        assert_ne!(form_token(), token);
    }

    /// Keys built at run time (per quantity and type) exist in both languages.
    #[test]
    fn every_quantity_and_type_has_its_texts() {
        for lang in [Language::Danish, Language::English] {
            for q in Quantity::ALL {
                for prefix in ["pm-q", "pm-unit", "pm-hint", "pm-example", "pm-error-empty"] {
                    let key = format!("{prefix}-{}", q.as_str().replace('_', "-"));
                    assert_ne!(i18n::t(lang, &key), key, "{lang:?} lacks {key}");
                }
            }
            for k in MeasurementType::ALL {
                let key = format!("pm-entry-{}", k.as_str().replace('_', "-"));
                assert_ne!(i18n::t(lang, &key), key, "{lang:?} lacks {key}");
            }
        }
        assert_eq!(unit(Quantity::Pulse, Language::English), "beats/min");
        assert_eq!(unit(Quantity::Weight, Language::Danish), "kg");
    }

    #[test]
    fn bounds_have_only_the_decimals_they_need() {
        assert_eq!(plain(400.0, 1, Language::Danish), "400");
        assert_eq!(plain(0.5, 1, Language::Danish), "0,5");
        assert_eq!(plain(0.5, 1, Language::English), "0.5");
        assert_eq!(plain(150_000.0, 0, Language::Danish), "150000");
        assert_eq!(plain(2.50, 2, Language::Danish), "2,5");
    }

    #[test]
    fn dates_read_naturally() {
        let ts = Timestamp::parse_rfc3339("2026-02-10T06:05:00Z").unwrap();
        assert_eq!(date_text(ts, Language::Danish), "10. februar 2026");
        assert_eq!(date_text(ts, Language::English), "10 February 2026");
        assert_eq!(day_text(ts, Language::Danish), "tirsdag 10. februar");
        assert_eq!(
            when_text(ts, Language::Danish),
            "10. februar 2026 kl. 07:05"
        );
        assert_eq!(
            when_text(ts, Language::English),
            "10 February 2026 at 07:05"
        );
    }

    #[test]
    fn conditions_are_said_in_words() {
        let q = telesund_core::monitoring::questionnaire::heart_failure_symptoms();
        let follow_up = q.item("chest_pain_long").unwrap();
        let text = condition_text(&q, follow_up, Language::Danish).unwrap();
        assert!(text.contains("«Ja»"), "{text}");
        assert!(text.contains("smerter eller trykken i brystet"), "{text}");
        let first = &q.items[0];
        assert_eq!(condition_text(&q, first, Language::Danish), None);
    }
}
