//! The citizen record's "Udstyr" tab: the equipment in the home and which plans each unit
//! serves, each plan's kit compared with what is there, ordering the kit in three clicks
//! (tab, "Bestil kit", confirm), the citizen's orders and visits.

use crate::page::{OrPage, Page, PageResult, StaffAuth, path_id, render, see_other};
use crate::staff::{Tab, citizen_tabs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::Deserialize;
use telesund_core::care::{ConsentType, has_consent};
use telesund_core::equipment::catalogue::DeviceRole;
use telesund_core::equipment::kit::KitPlan;
use telesund_core::equipment::order::{Delivery, OrderStatus, Priority, ServiceType};
use telesund_core::ids::{CarePlanId, CitizenId, OrderId, UnitId};
use telesund_core::monitoring::programme::PlanStatus;
use telesund_db::equipment::orders::KitOrder;
use telesund_db::equipment::stock::CitizenEquipment;
use telesund_http::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/borgere/{id}/udstyr", get(equipment_tab))
        .route(
            "/borgere/{id}/udstyr/bestil/{plan}",
            get(order_form).post(place_order),
        )
        .route(
            "/borgere/{id}/udstyr/ordrer/{order}/annuller",
            post(cancel_order),
        )
}

pub struct UnitRow {
    pub role: String,
    pub model: String,
    pub serial: String,
    pub state: String,
    /// "Telemedicinsk hjertesvigt (50 %)", one per plan served.
    pub serves: Vec<String>,
}

pub struct KitRow {
    pub plan_id: String,
    pub programme: String,
    pub kit_name: Option<String>,
    /// What the comparison says, role by role.
    pub lines: Vec<String>,
    pub complete: bool,
    pub can_order: bool,
}

pub struct OrderRow {
    pub id: String,
    pub created: String,
    pub what: String,
    pub status: String,
    pub lines: Vec<String>,
    pub can_cancel: bool,
}

pub struct VisitRow {
    pub day: String,
    pub kind: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "citizen_equipment.html")]
struct EquipmentTab {
    page: Page,
    tabs: Vec<Tab>,
    citizen_id: String,
    name: String,
    notice: Option<String>,
    address_consent: bool,
    units: Vec<UnitRow>,
    kits: Vec<KitRow>,
    orders: Vec<OrderRow>,
    visits: Vec<VisitRow>,
}

#[derive(Deserialize, Default)]
pub struct TabQuery {
    #[serde(default)]
    ok: Option<String>,
}

/// A unit's serial number, from the citizen's equipment.
fn serial_in(equipment: &CitizenEquipment, unit: UnitId) -> String {
    equipment
        .units
        .iter()
        .find(|(x, _)| x.unit.id == unit)
        .map(|(x, _)| x.unit.pi.serial.clone())
        .unwrap_or_default()
}

fn role(page: &Page, r: DeviceRole) -> String {
    page.label("ceq-role", r.as_str())
}

fn percent(share: u32) -> String {
    let whole = share / 100;
    match share % 100 {
        0 => format!("{whole} %"),
        rest => format!("{whole},{rest:02} %"),
    }
}

/// The comparison of a plan's kit with the home, as lines for the page.
fn kit_lines(page: &Page, plan: &KitPlan, serial_of: &dyn Fn(UnitId) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    for (r, u) in &plan.already {
        lines.push(page.t1(
            "ceq-kit-already",
            "device",
            format!("{} ({})", role(page, *r), serial_of(*u)),
        ));
    }
    for (r, u) in &plan.share {
        lines.push(page.t1(
            "ceq-kit-share",
            "device",
            format!("{} ({})", role(page, *r), serial_of(*u)),
        ));
    }
    for (r, _) in &plan.join {
        lines.push(page.t1("ceq-kit-join", "device", role(page, *r)));
    }
    for (r, _) in &plan.order {
        lines.push(page.t1("ceq-kit-order", "device", role(page, *r)));
    }
    lines
}

pub async fn equipment_tab(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
    Query(q): Query<TabQuery>,
) -> PageResult {
    let mut page = Page::staff_at(&auth, &parts, "ceq-title", "/borgere");
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    let ctx = auth.ctx();
    let equipment = state
        .db
        .citizen_equipment(&ctx, citizen)
        .await
        .or_page(&page)?;
    let overview = state
        .db
        .citizen_overview(&ctx, citizen)
        .await
        .or_page(&page)?;
    let name = format!(
        "{} {}",
        overview.citizen.given_name, overview.citizen.family_name
    );
    // Staff who cannot see consents are not shown a warning they cannot check; storage
    // refuses the order without the consent either way.
    let address_consent = overview
        .consents
        .as_deref()
        .is_none_or(|c| has_consent(c, ConsentType::LogisticsAddressSharing, None));
    let serial_of = |u: UnitId| serial_in(&equipment, u);
    let units = equipment
        .units
        .iter()
        .map(|(u, assignments)| UnitRow {
            role: role(&page, u.model.role),
            model: format!("{} {}", u.model.manufacturer, u.model.name),
            serial: u.unit.pi.serial.clone(),
            state: page.label("ceq-state", u.unit.state.as_str()),
            // A unit in the home that serves no plan any more waits for its pickup.
            serves: if assignments.is_empty() && u.unit.state.is_out() {
                vec![page.t("ceq-awaiting-pickup")]
            } else {
                assignments
                    .iter()
                    .map(|a| format!("{} ({})", a.programme_name, percent(a.share)))
                    .collect()
            },
        })
        .collect();
    // Each current plan's kit against the home.
    let plans = state
        .db
        .equipment_plans_of(&ctx, citizen)
        .await
        .or_page(&page)?;
    let mut kits = Vec::new();
    for plan in plans.iter().filter(|p| p.status != PlanStatus::Ended) {
        let preview = state
            .db
            .preview_kit_order(&ctx, plan.id)
            .await
            .or_page(&page)?;
        let kit = state.db.kit_for_programme(plan.programme_id).await?;
        let (lines, complete) = match &preview {
            Some(p) => (
                kit_lines(&page, p, &serial_of),
                p.order.is_empty() && p.share.is_empty() && p.join.is_empty(),
            ),
            None => (vec![page.t("ceq-no-kit")], true),
        };
        kits.push(KitRow {
            plan_id: plan.id.to_string(),
            programme: plan.programme_name.clone(),
            kit_name: kit.map(|k| k.name),
            lines,
            complete,
            can_order: preview.is_some() && address_consent,
        });
    }
    let orders = equipment
        .orders
        .iter()
        .map(|o| OrderRow {
            id: o.id.to_string(),
            created: o.created_at.danish(),
            what: format!(
                "{}{}",
                page.label("ceq-service", o.service_type.as_str()),
                o.programme_name
                    .as_ref()
                    .map(|p| format!(" – {p}"))
                    .unwrap_or_default()
            ),
            status: page.label("ceq-order", o.status.as_str()),
            lines: o
                .lines
                .iter()
                .map(|l| match &l.serial {
                    Some(s) => format!("{} ({s})", role(&page, l.role)),
                    None => role(&page, l.role),
                })
                .collect(),
            can_cancel: o.status == OrderStatus::Submitted,
        })
        .collect();
    let visits = equipment
        .visits
        .iter()
        .map(|v| VisitRow {
            day: v.planned_on.to_string(),
            kind: page.label("ceq-visit", v.kind.as_str()),
            status: page.label("ceq-visit-status", v.status.as_str()),
        })
        .collect();
    let notice = q.ok.as_deref().map(|ok| match ok {
        "annulleret" => page.t("ceq-cancelled"),
        other => page.t1("ceq-ordered", "what", other),
    });
    page.title = name.clone();
    let body = EquipmentTab {
        tabs: citizen_tabs(&page, &id, "/udstyr"),
        citizen_id: id,
        name,
        notice,
        address_consent,
        units,
        kits,
        orders,
        visits,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Template)]
#[template(path = "citizen_equipment_order.html")]
struct OrderForm {
    page: Page,
    citizen_id: String,
    plan_id: String,
    programme: String,
    kit_name: String,
    lines: Vec<String>,
    needs_delivery: bool,
    earliest: String,
}

pub async fn order_form(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path((id, plan)): Path<(String, String)>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "ceq-order-title", "/borgere");
    let _: CitizenId = path_id(&id, "citizen", &page)?;
    let plan_id: CarePlanId = path_id(&plan, "care plan", &page)?;
    let ctx = auth.ctx();
    let preview = state
        .db
        .preview_kit_order(&ctx, plan_id)
        .await
        .or_page(&page)?
        .ok_or_else(|| ApiError::invalid("the programme has no kit"))
        .or_page(&page)?;
    let citizen: CitizenId = path_id(&id, "citizen", &page)?;
    let equipment = state
        .db
        .citizen_equipment(&ctx, citizen)
        .await
        .or_page(&page)?;
    let serial_of = |u: UnitId| serial_in(&equipment, u);
    let plans = state
        .db
        .equipment_plans_of(&ctx, citizen)
        .await
        .or_page(&page)?;
    let plan = plans
        .iter()
        .find(|p| p.id == plan_id)
        .ok_or_else(|| ApiError::not_found("care plan"))
        .or_page(&page)?;
    let kit = state.db.kit_for_programme(plan.programme_id).await?;
    let today = telesund_core::Timestamp::now().in_copenhagen().date();
    let body = OrderForm {
        lines: kit_lines(&page, &preview, &serial_of),
        needs_delivery: preview.needs_delivery(),
        citizen_id: id,
        plan_id: plan.id.to_string(),
        programme: plan_name(plan),
        kit_name: kit.map(|k| k.name).unwrap_or_default(),
        earliest: telesund_core::calendar::add_working_days(today, 2).to_string(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

fn plan_name(p: &telesund_db::equipment::stock::PlanSummary) -> String {
    p.programme_name.clone()
}

#[derive(Deserialize)]
pub struct OrderFormInput {
    #[serde(default)]
    service: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    earliest: String,
    #[serde(default)]
    latest: String,
    #[serde(default)]
    door_code: String,
    #[serde(default)]
    contact_person: String,
    #[serde(default)]
    notes: String,
}

fn form_date(s: &str, field: &str) -> Result<Option<time::Date>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| {
            ApiError::invalid(format!("'{s}' is not a date (YYYY-MM-DD)")).at(field.to_string())
        })
}

pub async fn place_order(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path((id, plan)): Path<(String, String)>,
    axum::Form(f): axum::Form<OrderFormInput>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "ceq-order-title", "/borgere");
    let plan: CarePlanId = path_id(&plan, "care plan", &page)?;
    let service = match f.service.as_str() {
        "" => ServiceType::Install,
        s => ServiceType::parse(s)
            .map_err(ApiError::from)
            .or_page(&page)?,
    };
    let priority = match f.priority.as_str() {
        "" => Priority::Routine,
        p => Priority::parse(p).map_err(ApiError::from).or_page(&page)?,
    };
    let delivery = Delivery {
        earliest: form_date(&f.earliest, "earliest").or_page(&page)?,
        latest: form_date(&f.latest, "latest").or_page(&page)?,
        door_code: f.door_code,
        contact_person: f.contact_person,
        notes: f.notes,
    };
    let outcome = state
        .db
        .order_kit(
            &auth.ctx(),
            plan,
            KitOrder {
                service,
                priority,
                delivery,
            },
        )
        .await
        .or_page(&page)?;
    let mut what: Vec<String> = outcome
        .plan
        .order
        .iter()
        .map(|(r, _)| role(&page, *r))
        .collect();
    if what.is_empty() {
        what.push(page.t("ceq-nothing-ordered"));
    }
    Ok(see_other(&format!(
        "/borgere/{id}/udstyr?ok={}",
        crate::page::encode(&what.join(", "))
    )))
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

pub async fn cancel_order(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path((id, order)): Path<(String, String)>,
    axum::Form(f): axum::Form<CancelForm>,
) -> PageResult {
    let page = Page::staff_at(&auth, &parts, "ceq-title", "/borgere");
    let order: OrderId = path_id(&order, "order", &page)?;
    let reason = if f.reason.trim().is_empty() {
        page.t("ceq-cancel-default-reason")
    } else {
        f.reason
    };
    state
        .db
        .change_order_status(&auth.ctx(), order, OrderStatus::Cancelled, &reason)
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/borgere/{id}/udstyr?ok=annulleret")))
}
