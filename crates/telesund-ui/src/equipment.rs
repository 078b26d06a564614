//! The service centre's equipment pages under `/udstyr`: the logistics dashboard, the
//! catalogue and kits, units (with their history, reprocessing, maintenance and QR labels),
//! orders, the technicians' day plan, stock and stock-takes, recalls and the monthly
//! statements. Storage decides every call (`ManageEquipment`, audited); these pages only
//! turn its answers into forms and tables. Every page has the scan field at the top, which
//! takes a typed serial number, a device id or a scanned GS1 label.

mod catalogue;
mod costs;
mod orders;
mod stock;
mod units;
mod visits;

use crate::i18n;
use crate::page::{OrPage, Page, PageResult, StaffAuth, UiError, encode, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use telesund_core::ErrorCode;
use telesund_core::equipment::order::OrderStatus;
use telesund_core::equipment::unit::UnitState;
use telesund_core::equipment::{Ore, format_dkk};
use telesund_db::equipment::orders::Order;
use telesund_db::equipment::units::UnitSummary;
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/udstyr", get(dashboard))
        .route("/udstyr/find", get(find))
        .route("/udstyr/vedligehold/planlaeg", post(plan_maintenance))
        .route(
            "/udstyr/katalog",
            get(catalogue::catalogue).post(catalogue::save_model),
        )
        .route("/udstyr/katalog/priser", post(catalogue::set_price))
        .route("/udstyr/kits", get(catalogue::kits))
        .route("/udstyr/kits/{programme}", post(catalogue::save_kit))
        .route("/udstyr/enheder", get(units::list).post(units::receive))
        .route("/udstyr/enheder/{id}", get(units::unit))
        .route("/udstyr/enheder/{id}/etiket.svg", get(units::label))
        .route("/udstyr/enheder/{id}/haendelse", post(units::event))
        .route("/udstyr/enheder/{id}/genbehandling", post(units::reprocess))
        .route("/udstyr/enheder/{id}/vedligehold", post(units::maintain))
        .route("/udstyr/enheder/{id}/ombyt", post(units::replace))
        .route("/udstyr/enheder/{id}/service", post(units::service))
        .route("/udstyr/ordrer/{id}", get(orders::order))
        .route("/udstyr/ordrer/{id}/status", post(orders::status))
        .route("/udstyr/ordrer/{id}/planlaeg", post(orders::schedule))
        .route("/udstyr/ordrer/{id}/tildel", post(orders::allocate))
        .route("/udstyr/ordrer/{id}/send", post(orders::dispatch))
        .route("/udstyr/besoeg", get(visits::day_plan))
        .route("/udstyr/besoeg/{id}/udfoer", post(visits::complete))
        .route("/udstyr/lager", get(stock::stock))
        .route("/udstyr/lager/genbestilling", post(stock::reorder))
        .route("/udstyr/lager/optaelling", post(stock::start_take))
        .route("/udstyr/lager/optaelling/{id}", get(stock::take))
        .route("/udstyr/lager/optaelling/{id}/scan", post(stock::scan))
        .route("/udstyr/lager/optaelling/{id}/afslut", post(stock::finish))
        .route(
            "/udstyr/tilbagekald",
            get(stock::recall_page).post(stock::recall),
        )
        .route("/udstyr/opgoerelse", get(costs::statements))
        .route("/udstyr/opgoerelse.csv", get(costs::csv))
}

// ---------------------------------------------------------------- shared pieces

/// The navigation link every equipment page marks as current.
pub(crate) const NAV: &str = "/udstyr";

/// One link of the equipment pages' own navigation.
pub struct SubLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every equipment page shows above its content: its own navigation and the scan field.
pub struct Shell {
    pub sub: Vec<SubLink>,
    /// What the scan field holds (a search that found nothing keeps it).
    pub scan: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Shell {
    pub(crate) fn new(page: &Page, current: &str) -> Self {
        let links = [
            ("/udstyr", "eq-nav-dashboard"),
            ("/udstyr/besoeg", "eq-nav-visits"),
            ("/udstyr/enheder", "eq-nav-units"),
            ("/udstyr/lager", "eq-nav-stock"),
            ("/udstyr/katalog", "eq-nav-catalogue"),
            ("/udstyr/kits", "eq-nav-kits"),
            ("/udstyr/tilbagekald", "eq-nav-recall"),
            ("/udstyr/opgoerelse", "eq-nav-statements"),
        ];
        Shell {
            sub: links
                .into_iter()
                .map(|(href, key)| SubLink {
                    href,
                    label: page.t(key),
                    current: href == current,
                })
                .collect(),
            scan: String::new(),
            notice: None,
            error: None,
        }
    }

    /// The status a page with this shell answers with: 422 when it shows a refused form.
    pub(crate) fn status(&self) -> StatusCode {
        if self.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

/// A message to show on the page a form returns to: a notice (`?ok=`) or a refusal.
#[derive(Default)]
pub(crate) struct Flash {
    pub ok: Option<String>,
    pub error: Option<String>,
}

impl Flash {
    pub(crate) fn ok(key: Option<&str>) -> Self {
        Flash {
            ok: key.map(String::from),
            error: None,
        }
    }
    pub(crate) fn error(message: String) -> Self {
        Flash {
            ok: None,
            error: Some(message),
        }
    }
    /// Puts the message into the page's shell, the notice in the user's language.
    pub(crate) fn into_shell(self, page: &Page, shell: &mut Shell) {
        shell.notice = self.ok.as_deref().and_then(|k| notice(page, k));
        shell.error = self.error;
    }
}

/// The notice for `?ok=key` after a form succeeded; unknown keys show nothing.
fn notice(page: &Page, key: &str) -> Option<String> {
    Some(match key {
        "saved" => page.t("eq-ok-saved"),
        "service" => page.t("eq-ok-service"),
        "price" => page.t("eq-ok-price"),
        "kit" => page.t("eq-ok-kit"),
        "received" => page.t("eq-ok-received"),
        "event" => page.t("eq-ok-event"),
        "reprocessed" => page.t("eq-ok-reprocessed"),
        "maintained" => page.t("eq-ok-maintained"),
        "status" => page.t("eq-ok-status"),
        "scheduled" => page.t("eq-ok-scheduled"),
        "allocated" => page.t("eq-ok-allocated"),
        "dispatched" => page.t("eq-ok-dispatched"),
        "completed" => page.t("eq-ok-completed"),
        "reorder" => page.t("eq-ok-reorder"),
        "replacement" => page.t("eq-ok-replacement"),
        "recall" => page.t("eq-ok-recall"),
        _ => return None,
    })
}

/// A storage refusal a user can act on (a rule, a conflict, something not found) as a
/// message on the form's page; anything else (a refusal of access, a failure) as an error
/// page.
pub(crate) fn refusal(page: &Page, e: impl Into<ApiError>) -> Result<String, UiError> {
    let e = e.into();
    let key = match e.code {
        ErrorCode::InvalidInput | ErrorCode::UnknownField => "eq-error-invalid",
        ErrorCode::Conflict => "eq-error-conflict",
        ErrorCode::NotFound => "eq-error-not-found",
        _ => return Err(UiError::in_page(e, page)),
    };
    Ok(i18n::t_args(page.lang, key, &[("detail", &e.message)]))
}

/// Lets only the service centre in. Storage decides every call on these pages as well; this
/// check covers the catalogue reads that are not personal data (a refusal is audited).
pub(crate) async fn gate(state: &AppState, auth: &Auth, page: &Page) -> Result<(), UiError> {
    state
        .db
        .check_equipment_access(&auth.ctx())
        .await
        .or_page(page)
}

/// A staff page of the equipment section.
pub(crate) fn eq_page(auth: &Auth, back: String, title_key: &str) -> Page {
    Page::staff(auth, back, i18n::t(auth.language(), title_key), NAV)
}

/// An `<option>` or a checkbox.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

/// "27-11-2026", as `Timestamp::danish` writes the date.
pub(crate) fn dk_date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), d.month() as u8, d.year())
}

/// "2026-11-27", for `<input type="date">` and links.
pub(crate) fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub(crate) fn parse_iso_date(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Today in Denmark.
pub(crate) fn today() -> Date {
    telesund_core::Timestamp::now().in_copenhagen().date()
}

/// Kroner for display: "1.234,50 kr."
pub(crate) fn kr(page: &Page, ore: Ore) -> String {
    page.t1("eq-kr", "amount", format_dkk(ore))
}

/// A basis-point share as a percentage: 5000 → "50 %", 3333 → "33,33 %".
pub(crate) fn share_percent(bp: u32) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole} %"),
        r if r % 10 == 0 => format!("{whole},{} %", r / 10),
        r => format!("{whole},{r:02} %"),
    }
}

/// A unit's model as one name: "A&D Medical UA-651BLE".
pub(crate) fn model_name(s: &UnitSummary) -> String {
    format!("{} {}", s.model.manufacturer, s.model.name)
}

/// A unit in a list.
pub struct UnitRow {
    pub id: String,
    pub serial: String,
    pub model: String,
    pub role: String,
    pub state: String,
    pub lot: String,
    pub since: String,
}

pub(crate) fn unit_row(page: &Page, s: &UnitSummary) -> UnitRow {
    UnitRow {
        id: s.unit.id.to_string(),
        serial: s.unit.pi.serial.clone(),
        model: model_name(s),
        role: page.label("eq-role", s.model.role.as_str()),
        state: page.label("eq-unitstate", s.unit.state.as_str()),
        lot: s.unit.pi.lot.clone().unwrap_or_default(),
        since: s.unit.updated_at.danish(),
    }
}

/// An order in a list.
pub struct OrderRow {
    pub id: String,
    pub citizen: String,
    pub programme: String,
    pub service: String,
    pub status: String,
    pub urgent: bool,
    pub priority: String,
    pub created: String,
    pub lines: String,
}

pub(crate) fn order_row(page: &Page, o: &Order) -> OrderRow {
    OrderRow {
        id: o.id.to_string(),
        citizen: o.citizen_name.clone(),
        programme: o.programme_name.clone().unwrap_or_default(),
        service: page.label("eq-service", o.service_type.as_str()),
        status: page.label("eq-orderstatus", o.status.as_str()),
        urgent: o.priority == telesund_core::equipment::order::Priority::Urgent,
        priority: page.label("eq-priority", o.priority.as_str()),
        created: o.created_at.danish(),
        lines: o
            .lines
            .iter()
            .filter(|l| l.status != telesund_core::equipment::order::LineStatus::Cancelled)
            .map(|l| page.label("eq-role", l.role.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

// ---------------------------------------------------------------- dashboard

/// The statuses of orders the service centre has work on.
const TO_HANDLE: [OrderStatus; 6] = [
    OrderStatus::Submitted,
    OrderStatus::Accepted,
    OrderStatus::Scheduled,
    OrderStatus::Picking,
    OrderStatus::Dispatched,
    OrderStatus::ReturnRequested,
];

/// How far ahead the dashboard looks for maintenance.
const MAINTENANCE_HORIZON_DAYS: i64 = 30;

pub struct VisitLine {
    pub citizen: String,
    pub kind: String,
    pub order_id: Option<String>,
    pub technician: String,
}

pub struct DueRow {
    pub unit: UnitRow,
    pub kind: String,
    pub due_on: String,
    pub overdue: bool,
    pub visit_on: Option<String>,
}

pub struct AlertRow {
    pub warehouse: String,
    pub model: String,
    pub available: i64,
    pub reorder_level: i64,
}

#[derive(Template)]
#[template(path = "equipment_dashboard.html")]
struct DashboardPage {
    page: Page,
    eq: Shell,
    orders: Vec<OrderRow>,
    today: String,
    today_iso: String,
    visits: Vec<VisitLine>,
    queue: Vec<UnitRow>,
    due: Vec<DueRow>,
    alerts: Vec<AlertRow>,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    pub ok: Option<String>,
    #[serde(default)]
    pub n: Option<usize>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr".into(), "eq-dashboard-title");
    let mut eq = Shell::new(&page, "/udstyr");
    Flash::ok(q.ok.as_deref()).into_shell(&page, &mut eq);
    if q.ok.as_deref() == Some("planned") {
        eq.notice = Some(page.t1("eq-ok-planned", "count", q.n.unwrap_or(0)));
    }
    let ctx = auth.ctx();
    let orders = state
        .db
        .orders_in_status(&ctx, &TO_HANDLE)
        .await
        .or_page(&page)?;
    let day = today();
    let visits = state
        .db
        .day_plan(&ctx, day, None)
        .await
        .or_page(&page)?
        .into_iter()
        .map(|p| VisitLine {
            citizen: p.visit.citizen_name.clone(),
            kind: page.label("eq-visitkind", p.visit.kind.as_str()),
            order_id: p.visit.order_id.map(|o| o.to_string()),
            technician: p.visit.technician_name.clone().unwrap_or_default(),
        })
        .collect();
    let queue = state
        .db
        .units_in_states(&ctx, &[UnitState::Quarantine, UnitState::Reprocessing])
        .await
        .or_page(&page)?
        .iter()
        .map(|s| unit_row(&page, s))
        .collect();
    let due = state
        .db
        .maintenance_due(&ctx, MAINTENANCE_HORIZON_DAYS)
        .await
        .or_page(&page)?
        .iter()
        .map(|d| DueRow {
            unit: unit_row(&page, &d.unit),
            kind: page.label("eq-maint", d.due.kind.as_str()),
            due_on: dk_date(d.due.due_on),
            overdue: d.due.overdue,
            visit_on: d.visit_on.map(dk_date),
        })
        .collect();
    let alerts = state
        .db
        .stock(&ctx)
        .await
        .or_page(&page)?
        .into_iter()
        .filter(|l| l.below_reorder_level())
        .map(|l| AlertRow {
            warehouse: l.warehouse_name,
            model: l.model_name,
            available: l.available,
            reorder_level: l.reorder_level,
        })
        .collect();
    let body = DashboardPage {
        orders: orders.iter().map(|o| order_row(&page, o)).collect(),
        today: dk_date(day),
        today_iso: iso_date(day),
        visits,
        queue,
        due,
        alerts,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn plan_maintenance(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr".into(), "eq-dashboard-title");
    let n = state
        .db
        .plan_maintenance_visits(&auth.ctx(), MAINTENANCE_HORIZON_DAYS)
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/udstyr?ok=planned&n={n}")))
}

// ---------------------------------------------------------------- the scan field

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    pub q: String,
}

#[derive(Template)]
#[template(path = "equipment_find.html")]
struct NotFoundPage {
    page: Page,
    eq: Shell,
}

/// What the scan field sends: a unit found goes to its page; nothing found is said plainly
/// on a page with the field again.
pub async fn find(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<FindQuery>,
) -> PageResult {
    let text = q.q.trim();
    let back = format!("/udstyr/find?q={}", encode(text));
    let page = eq_page(&auth, back, "eq-find-title");
    if text.is_empty() {
        return Ok(see_other("/udstyr"));
    }
    match state.db.find_unit(&auth.ctx(), text).await.or_page(&page)? {
        Some(s) => Ok(see_other(&format!("/udstyr/enheder/{}", s.unit.id))),
        None => {
            let mut eq = Shell::new(&page, "");
            eq.scan = text.to_string();
            let body = NotFoundPage { page, eq };
            Ok(render(StatusCode::NOT_FOUND, &body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telesund_core::equipment::catalogue::{
        Connectivity, DeviceRole, HygieneClass, MaintenanceKind, ModelStatus,
    };
    use telesund_core::equipment::cost::LineKind;
    use telesund_core::equipment::order::{LineStatus, Priority, ServiceType};
    use telesund_core::equipment::unit::{LocationKind, UnitEvent};
    use telesund_core::equipment::visit::{VisitKind, VisitStatus};
    use telesund_core::identity::Language;

    /// Every value of every closed set these pages show has a Danish and an English text.
    #[test]
    fn every_equipment_value_is_translated() {
        let mut want: Vec<(&str, &str)> = Vec::new();
        want.extend(UnitState::ALL.iter().map(|v| ("eq-unitstate", v.as_str())));
        want.extend(UnitEvent::ALL.iter().map(|v| ("eq-unitevent", v.as_str())));
        want.push(("eq-unitevent", "receive"));
        want.extend(
            OrderStatus::ALL
                .iter()
                .map(|v| ("eq-orderstatus", v.as_str())),
        );
        want.extend(DeviceRole::ALL.iter().map(|v| ("eq-role", v.as_str())));
        want.extend(
            Connectivity::ALL
                .iter()
                .map(|v| ("eq-connectivity", v.as_str())),
        );
        want.extend(HygieneClass::ALL.iter().map(|v| ("eq-hygiene", v.as_str())));
        want.extend(
            ModelStatus::ALL
                .iter()
                .map(|v| ("eq-modelstatus", v.as_str())),
        );
        want.extend(
            MaintenanceKind::ALL
                .iter()
                .map(|v| ("eq-maint", v.as_str())),
        );
        want.extend(ServiceType::ALL.iter().map(|v| ("eq-service", v.as_str())));
        want.extend(VisitKind::ALL.iter().map(|v| ("eq-visitkind", v.as_str())));
        want.extend(
            VisitStatus::ALL
                .iter()
                .map(|v| ("eq-visitstatus", v.as_str())),
        );
        want.extend(LineStatus::ALL.iter().map(|v| ("eq-line", v.as_str())));
        want.extend(Priority::ALL.iter().map(|v| ("eq-priority", v.as_str())));
        want.extend(
            LocationKind::ALL
                .iter()
                .map(|v| ("eq-location", v.as_str())),
        );
        for k in [LineKind::Rent, LineKind::Visit, LineKind::Reprocessing] {
            want.push(("eq-linekind", k.as_str()));
        }
        let months: Vec<String> = (1..=12).map(|m| m.to_string()).collect();
        want.extend(months.iter().map(|m| ("eq-month", m.as_str())));
        for (prefix, value) in want {
            for lang in [Language::Danish, Language::English] {
                let text = i18n::label(lang, prefix, value);
                assert_ne!(text, value, "{prefix}-{value} is not translated ({lang:?})");
            }
        }
        assert_eq!(
            i18n::label(Language::Danish, "eq-unitstate", "recall_hold"),
            "Tilbagekaldt – spærret"
        );
        assert_eq!(
            i18n::label(Language::Danish, "eq-orderstatus", "return_requested"),
            "Retur ønsket"
        );
    }

    #[test]
    fn shares_are_percentages_with_a_decimal_comma() {
        assert_eq!(share_percent(10_000), "100 %");
        assert_eq!(share_percent(5_000), "50 %");
        assert_eq!(share_percent(3_334), "33,34 %");
        assert_eq!(share_percent(3_330), "33,3 %");
    }

    #[test]
    fn dates_read_both_ways() {
        let d = parse_iso_date("2026-11-27").unwrap();
        assert_eq!(iso_date(d), "2026-11-27");
        assert_eq!(dk_date(d), "27-11-2026");
        assert!(parse_iso_date("27-11-2026").is_none());
    }
}
