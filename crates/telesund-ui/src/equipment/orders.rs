//! One order: its lines and trace, and what its status allows — accept, reject or cancel
//! with a reason, schedule the visit (on a working day), allocate a scanned unit to each
//! line, dispatch, request a return or a change, close.

use super::{Flash, Shell, dk_date, eq_page, gate, iso_date, parse_iso_date, refusal, today};
use crate::page::{OrPage, Page, PageResult, StaffAuth, path_id, render, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use telesund_core::calendar::add_working_days;
use telesund_core::equipment::order::{LineStatus, OrderStatus};
use telesund_core::ids::{OrderId, OrderLineId};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

pub struct LineRow {
    pub id: String,
    pub role: String,
    pub models: String,
    pub unit_id: Option<String>,
    pub serial: String,
    pub replaces: Option<String>,
    pub status: String,
    /// Waiting for a unit on an order that is being picked: the scan form is shown.
    pub allocatable: bool,
}

pub struct TraceRow {
    pub at: String,
    pub by: String,
    pub change: String,
    pub text: String,
}

/// A status change offered as a button (with a reason field when the step needs one).
pub struct StatusAction {
    pub status: String,
    pub label: String,
    pub needs_reason: bool,
    pub danger: bool,
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "equipment_order.html")]
struct OrderPage {
    page: Page,
    eq: Shell,
    id: String,
    heading: String,
    status: String,
    facts: Vec<Fact>,
    lines: Vec<LineRow>,
    trace: Vec<TraceRow>,
    actions: Vec<StatusAction>,
    can_schedule: bool,
    schedule_default: String,
    schedule_min: String,
    can_dispatch: bool,
    dispatch_ready: bool,
}

#[derive(Deserialize, Default)]
pub struct OrderQuery {
    #[serde(default)]
    ok: Option<String>,
}

/// The steps staff take by hand (storage refuses the rest, which happen through allocation,
/// dispatch and visits).
fn by_hand(next: OrderStatus) -> Option<(&'static str, bool, bool)> {
    use OrderStatus as S;
    // (label key, needs a reason, a step that ends the order)
    Some(match next {
        S::Accepted => ("eq-order-accept", false, false),
        S::Rejected => ("eq-order-reject", true, true),
        S::Cancelled => ("eq-order-cancel", true, true),
        S::ReturnRequested => ("eq-order-request-return", true, false),
        S::ChangeRequested => ("eq-order-request-change", true, false),
        S::Active => ("eq-order-activate", false, false),
        S::Closed => ("eq-order-close", false, false),
        _ => return None,
    })
}

async fn order_page(state: &AppState, auth: &Auth, id: &str, flash: Flash) -> PageResult {
    let mut page = eq_page(auth, format!("/udstyr/ordrer/{id}"), "eq-order-title");
    gate(state, auth, &page).await?;
    let order_id: OrderId = path_id(id, "order", &page)?;
    let o = state.db.order(&auth.ctx(), order_id).await.or_page(&page)?;
    let models = state.db.models().await?;
    let mut eq = Shell::new(&page, "");
    flash.into_shell(&page, &mut eq);
    let service = page.label("eq-service", o.service_type.as_str());
    page.title = format!("{service} · {}", o.citizen_name);
    let mut facts = vec![
        Fact {
            label: page.t("col-name"),
            value: o.citizen_name.clone(),
        },
        Fact {
            label: page.t("eq-col-service"),
            value: service.clone(),
        },
        Fact {
            label: page.t("eq-order-priority"),
            value: page.label("eq-priority", o.priority.as_str()),
        },
        Fact {
            label: page.t("eq-col-payer"),
            value: o.payer_name.clone(),
        },
    ];
    if let Some(p) = &o.programme_name {
        facts.push(Fact {
            label: page.t("col-programme"),
            value: p.clone(),
        });
    }
    let d = &o.delivery;
    if d.earliest.is_some() || d.latest.is_some() {
        facts.push(Fact {
            label: page.t("eq-order-window"),
            value: format!(
                "{} – {}",
                d.earliest.map(dk_date).unwrap_or_default(),
                d.latest.map(dk_date).unwrap_or_default()
            ),
        });
    }
    for (key, value) in [
        ("eq-door-code", &d.door_code),
        ("eq-contact-person", &d.contact_person),
        ("eq-notes", &d.notes),
    ] {
        if !value.trim().is_empty() {
            facts.push(Fact {
                label: page.t(key),
                value: value.clone(),
            });
        }
    }
    facts.push(Fact {
        label: page.t("eq-order-created"),
        value: format!("{} ({})", o.created_at.danish(), o.created_by_name),
    });
    let picking = matches!(o.status, OrderStatus::Scheduled | OrderStatus::Picking)
        && o.service_type.brings_equipment();
    let lines: Vec<LineRow> = o
        .lines
        .iter()
        .map(|l| LineRow {
            id: l.id.to_string(),
            role: page.label("eq-role", l.role.as_str()),
            models: l
                .models
                .iter()
                .filter_map(|id| models.iter().find(|m| m.id == *id))
                .map(|m| format!("{} {}", m.manufacturer, m.name))
                .collect::<Vec<_>>()
                .join(", "),
            unit_id: l.unit_id.map(|u| u.to_string()),
            serial: l.serial.clone().unwrap_or_default(),
            replaces: l.replaces_unit_id.map(|u| u.to_string()),
            status: page.label("eq-line", l.status.as_str()),
            allocatable: picking && l.status == LineStatus::Pending,
        })
        .collect();
    let trace = o
        .trace
        .iter()
        .map(|t| TraceRow {
            at: t.at.danish(),
            by: t.by_name.clone(),
            change: match (t.status_from, t.status_to) {
                (Some(a), Some(b)) => format!(
                    "{} → {}",
                    page.label("eq-orderstatus", a.as_str()),
                    page.label("eq-orderstatus", b.as_str())
                ),
                (None, Some(b)) => page.label("eq-orderstatus", b.as_str()),
                _ => String::new(),
            },
            text: t.text.clone(),
        })
        .collect();
    let actions = o
        .status
        .next()
        .iter()
        .filter_map(|n| {
            by_hand(*n).map(|(key, needs_reason, danger)| StatusAction {
                status: n.as_str().into(),
                label: page.t(key),
                needs_reason,
                danger,
            })
        })
        .collect();
    let live = o.lines.iter().filter(|l| l.status != LineStatus::Cancelled);
    let dispatch_ready =
        live.clone().count() > 0 && live.clone().all(|l| l.status == LineStatus::Allocated);
    let day = today();
    let body = OrderPage {
        id: o.id.to_string(),
        heading: page.title.clone(),
        status: page.label("eq-orderstatus", o.status.as_str()),
        facts,
        lines,
        trace,
        actions,
        can_schedule: o.status.can_become(OrderStatus::Scheduled),
        schedule_default: iso_date(add_working_days(day, 1)),
        schedule_min: iso_date(day),
        can_dispatch: o.status.can_become(OrderStatus::Dispatched),
        dispatch_ready,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn order(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<OrderQuery>,
) -> PageResult {
    order_page(&state, &auth, &id, Flash::ok(q.ok.as_deref())).await
}

/// Where a form on the order page goes next: the order again with a notice, or the page
/// with the refusal.
async fn after(
    state: &AppState,
    auth: &Auth,
    id: &str,
    page: &Page,
    result: Result<(), ApiError>,
    ok: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/udstyr/ordrer/{id}?ok={ok}"))),
        Err(e) => {
            let msg = refusal(page, e)?;
            order_page(state, auth, id, Flash::error(msg)).await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

pub async fn status(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<StatusForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/ordrer/{id}"), "eq-order-title");
    gate(&state, &auth, &page).await?;
    let order_id: OrderId = path_id(&id, "order", &page)?;
    let result = match OrderStatus::parse(&f.status) {
        Ok(next) => state
            .db
            .change_order_status(&auth.ctx(), order_id, next, f.reason.trim())
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    after(&state, &auth, &id, &page, result, "status").await
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    day: String,
}

pub async fn schedule(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ScheduleForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/ordrer/{id}"), "eq-order-title");
    let order_id: OrderId = path_id(&id, "order", &page)?;
    let Some(day) = parse_iso_date(&f.day) else {
        let msg = page.t1("eq-error-date", "field", page.t("eq-order-visit-day"));
        return order_page(&state, &auth, &id, Flash::error(msg)).await;
    };
    let result = state
        .db
        .schedule_visit(&auth.ctx(), order_id, day, None)
        .await
        .map(|_| ())
        .map_err(ApiError::from);
    after(&state, &auth, &id, &page, result, "scheduled").await
}

#[derive(Deserialize)]
pub struct AllocateForm {
    #[serde(default)]
    line: String,
    #[serde(default)]
    scanned: String,
}

pub async fn allocate(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<AllocateForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/ordrer/{id}"), "eq-order-title");
    let _: OrderId = path_id(&id, "order", &page)?;
    let line: OrderLineId = path_id(&f.line, "order line", &page)?;
    let result = state
        .db
        .allocate_unit(&auth.ctx(), line, f.scanned.trim())
        .await
        .map(|_| ())
        .map_err(ApiError::from);
    after(&state, &auth, &id, &page, result, "allocated").await
}

pub async fn dispatch(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/ordrer/{id}"), "eq-order-title");
    let order_id: OrderId = path_id(&id, "order", &page)?;
    let result = state
        .db
        .dispatch_order(&auth.ctx(), order_id)
        .await
        .map(|_| ())
        .map_err(ApiError::from);
    after(&state, &auth, &id, &page, result, "dispatched").await
}
