//! Units: the list by state with the receive form, the unit page (history, assignments,
//! reprocessing, maintenance, "who had this unit", the manual lifecycle events, replacement
//! in the home) and its QR label as SVG.

use super::{
    Flash, Opt, Shell, UnitRow, dk_date, eq_page, gate, iso_date, kr, model_name, opt,
    parse_iso_date, refusal, share_percent, today, unit_row,
};
use crate::page::{OrPage, Page, PageResult, StaffAuth, path_id, render, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use std::collections::HashMap;
use telesund_core::equipment::catalogue::MaintenanceKind;
use telesund_core::equipment::parse_dkk;
use telesund_core::equipment::reprocessing::ReprocessingRecord;
use telesund_core::equipment::udi::element_string;
use telesund_core::equipment::unit::{Location, UnitEvent, UnitState};
use telesund_core::ids::{CitizenId, ModelId, UnitId, WarehouseId};
use telesund_db::equipment::units::NewUnit;
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

// ---------------------------------------------------------------- the list and receiving

/// The receive form's values as typed.
#[derive(Deserialize, Default)]
pub struct ReceiveForm {
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub lot: String,
    #[serde(default)]
    pub expiry: String,
    #[serde(default)]
    pub software_version: String,
    #[serde(default)]
    pub device_id: String,
    #[serde(default)]
    pub purchased_on: String,
    #[serde(default)]
    pub purchase_price: String,
    #[serde(default)]
    pub warehouse: String,
}

pub struct StateCount {
    pub value: String,
    pub label: String,
    pub count: usize,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "equipment_units.html")]
struct UnitsPage {
    page: Page,
    eq: Shell,
    counts: Vec<StateCount>,
    filtered: bool,
    units: Vec<UnitRow>,
    form: ReceiveForm,
    models: Vec<Opt>,
    warehouses: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    tilstand: String,
    #[serde(default)]
    ok: Option<String>,
}

async fn units_page(
    state: &AppState,
    auth: &Auth,
    filter: &str,
    form: ReceiveForm,
    flash: Flash,
) -> PageResult {
    let back = if filter.is_empty() {
        "/udstyr/enheder".to_string()
    } else {
        format!("/udstyr/enheder?tilstand={filter}")
    };
    let page = eq_page(auth, back, "eq-units-title");
    let mut eq = Shell::new(&page, "/udstyr/enheder");
    flash.into_shell(&page, &mut eq);
    let chosen = UnitState::parse(filter).ok();
    // Disposed units are gone for good; they are listed only when asked for.
    let states: Vec<UnitState> = UnitState::ALL
        .iter()
        .copied()
        .filter(|s| *s != UnitState::Disposed || chosen == Some(UnitState::Disposed))
        .collect();
    let all = state
        .db
        .units_in_states(&auth.ctx(), &states)
        .await
        .or_page(&page)?;
    let counts = UnitState::ALL
        .iter()
        .map(|s| StateCount {
            value: s.as_str().into(),
            label: page.label("eq-unitstate", s.as_str()),
            count: all.iter().filter(|u| u.unit.state == *s).count(),
            current: chosen == Some(*s),
        })
        .filter(|c| c.count > 0 || c.current)
        .collect();
    let mut listed: Vec<_> = all
        .iter()
        .filter(|u| chosen.is_none_or(|c| u.unit.state == c))
        .collect();
    listed.sort_by(|a, b| {
        let pos = |s: UnitState| UnitState::ALL.iter().position(|x| *x == s);
        pos(a.unit.state)
            .cmp(&pos(b.unit.state))
            .then(a.unit.pi.serial.cmp(&b.unit.pi.serial))
    });
    let units = listed.into_iter().map(|s| unit_row(&page, s)).collect();
    let form = ReceiveForm {
        purchased_on: if form.purchased_on.is_empty() {
            iso_date(today())
        } else {
            form.purchased_on
        },
        ..form
    };
    let models = state
        .db
        .models()
        .await?
        .into_iter()
        .map(|m| {
            let id = m.id.to_string();
            let selected = id == form.model;
            opt(
                id,
                format!(
                    "{} {} ({})",
                    m.manufacturer,
                    m.name,
                    page.label("eq-role", m.role.as_str())
                ),
                selected,
            )
        })
        .collect();
    let warehouses = state
        .db
        .warehouses()
        .await?
        .into_iter()
        .map(|w| {
            let id = w.id.to_string();
            let selected = id == form.warehouse;
            opt(id, w.name, selected)
        })
        .collect();
    let body = UnitsPage {
        counts,
        filtered: chosen.is_some(),
        units,
        form,
        models,
        warehouses,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn list(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    units_page(
        &state,
        &auth,
        &q.tilstand,
        ReceiveForm::default(),
        Flash::ok(q.ok.as_deref()),
    )
    .await
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The new unit the receive form describes, or what is wrong with it.
fn new_unit(page: &Page, f: &ReceiveForm) -> Result<NewUnit, String> {
    let not_found = || page.t("error-not-found-form");
    let date = |s: &str, label: &str| -> Result<Option<time::Date>, String> {
        match optional(s) {
            None => Ok(None),
            Some(s) => parse_iso_date(&s)
                .map(Some)
                .ok_or_else(|| page.t1("eq-error-date", "field", page.t(label))),
        }
    };
    Ok(NewUnit {
        model_id: f.model.parse::<ModelId>().map_err(|_| not_found())?,
        serial: f.serial.trim().to_string(),
        lot: optional(&f.lot),
        expiry: date(&f.expiry, "eq-unit-expiry")?,
        software_version: optional(&f.software_version),
        device_id: optional(&f.device_id),
        purchased_on: date(&f.purchased_on, "eq-unit-purchased")?.unwrap_or_else(today),
        purchase_price: match optional(&f.purchase_price) {
            None => None,
            Some(p) => Some(parse_dkk(&p).map_err(|_| {
                page.t1("eq-error-amount", "field", page.t("eq-unit-purchase-price"))
            })?),
        },
        warehouse_id: f
            .warehouse
            .parse::<WarehouseId>()
            .map_err(|_| not_found())?,
    })
}

pub async fn receive(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<ReceiveForm>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/enheder".into(), "eq-units-title");
    let new = match new_unit(&page, &f) {
        Ok(n) => n,
        Err(msg) => return units_page(&state, &auth, "", f, Flash::error(msg)).await,
    };
    match state.db.receive_unit(&auth.ctx(), new).await {
        Ok(s) => Ok(see_other(&format!(
            "/udstyr/enheder/{}?ok=received",
            s.unit.id
        ))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            units_page(&state, &auth, "", f, Flash::error(msg)).await
        }
    }
}

// ---------------------------------------------------------------- the unit page

pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct HistoryRow {
    pub at: String,
    pub event: String,
    pub from: String,
    pub to: String,
    pub location: String,
    pub citizen: String,
    pub order_id: Option<String>,
    pub by: String,
    pub reason: String,
}

pub struct AssignmentRow {
    pub programme: String,
    pub citizen: String,
    pub payer: String,
    pub share: String,
    pub from: String,
    pub to: String,
    pub open: bool,
}

pub struct ReprocessingRow {
    pub at: String,
    pub passed: bool,
    pub method: String,
    pub agent: String,
    pub minutes: u32,
    pub operator: String,
    pub wiped: bool,
    pub reset: bool,
    pub notes: String,
    pub price: String,
}

pub struct MaintenanceRow {
    pub kind: String,
    pub done_on: String,
    pub by: String,
    pub notes: String,
}

pub struct HolderRow {
    pub citizen: String,
    pub from: String,
    pub to: String,
}

/// The reprocessing form's values as typed.
#[derive(Deserialize, Default)]
pub struct ReprocessingForm {
    #[serde(default)]
    pub cleaning_method: String,
    #[serde(default)]
    pub disinfection_agent: String,
    #[serde(default)]
    pub contact_time_minutes: String,
    #[serde(default)]
    pub operator: String,
    #[serde(default)]
    pub data_wiped: Option<String>,
    #[serde(default)]
    pub factory_reset: Option<String>,
    #[serde(default)]
    pub function_test_passed: Option<String>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Template)]
#[template(path = "equipment_unit.html")]
struct UnitPageView {
    page: Page,
    eq: Shell,
    id: String,
    heading: String,
    facts: Vec<Fact>,
    state: String,
    label_alt: String,
    element: String,
    measurements: i64,
    last_measurement: Option<String>,
    events: Vec<Opt>,
    reprocessing_open: bool,
    holds_personal_data: bool,
    procedure: String,
    repro: ReprocessingForm,
    maintenance_kinds: Vec<Opt>,
    today_iso: String,
    replaceable: bool,
    assignments: Vec<AssignmentRow>,
    history: Vec<HistoryRow>,
    reprocessing: Vec<ReprocessingRow>,
    maintenance: Vec<MaintenanceRow>,
    holders: Vec<HolderRow>,
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn unit_page(
    state: &AppState,
    auth: &Auth,
    id: &str,
    repro: Option<ReprocessingForm>,
    flash: Flash,
) -> PageResult {
    let mut page = eq_page(auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    let unit_id: UnitId = path_id(id, "unit", &page)?;
    let ctx = auth.ctx();
    let u = state.db.unit_page(&ctx, unit_id).await.or_page(&page)?;
    let holders = state.db.unit_holders(&ctx, unit_id).await.or_page(&page)?;
    let warehouses = state.db.warehouses().await?;
    let mut eq = Shell::new(&page, "/udstyr/enheder");
    flash.into_shell(&page, &mut eq);

    let names: HashMap<CitizenId, String> = holders
        .iter()
        .map(|h| (h.citizen_id, h.citizen_name.clone()))
        .collect();
    let citizen_name = |c: CitizenId| {
        names
            .get(&c)
            .cloned()
            .unwrap_or_else(|| page.t("eq-citizen-unnamed"))
    };
    let warehouse_name = |w: WarehouseId| {
        warehouses
            .iter()
            .find(|x| x.id == w)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let s = &u.summary;
    let unit = &s.unit;
    let location = match unit.location {
        Location::Warehouse { warehouse_id } => {
            page.t1("eq-at-warehouse", "name", warehouse_name(warehouse_id))
        }
        Location::Home { citizen_id } => page.t1("eq-at-home", "name", citizen_name(citizen_id)),
        Location::Technician { .. } => page.label("eq-location", "technician"),
        Location::Supplier => page.label("eq-location", "supplier"),
    };
    let name = model_name(s);
    let mut facts = vec![
        Fact {
            label: page.t("eq-col-model"),
            value: name.clone(),
        },
        Fact {
            label: page.t("eq-col-role"),
            value: page.label("eq-role", s.model.role.as_str()),
        },
        Fact {
            label: page.t("eq-col-udi-di"),
            value: s.model.udi_di.clone(),
        },
        Fact {
            label: page.t("eq-col-serial"),
            value: unit.pi.serial.clone(),
        },
    ];
    let mut optional_fact = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            facts.push(Fact {
                label: page.t(key),
                value: v,
            });
        }
    };
    optional_fact("eq-unit-lot", unit.pi.lot.clone());
    optional_fact("eq-unit-expiry", unit.pi.expiry.map(dk_date));
    optional_fact("eq-unit-software", unit.pi.software_version.clone());
    optional_fact("eq-unit-device-id", unit.device_id.clone());
    facts.push(Fact {
        label: page.t("eq-unit-location"),
        value: location,
    });
    if let Some(h) = s.holder {
        facts.push(Fact {
            label: page.t("eq-unit-holder"),
            value: citizen_name(h),
        });
    }
    facts.push(Fact {
        label: page.t("eq-unit-home-warehouse"),
        value: u.warehouse_name.clone(),
    });
    facts.push(Fact {
        label: page.t("eq-unit-purchased"),
        value: format!(
            "{} · {}",
            dk_date(unit.purchased_on),
            kr(&page, unit.purchase_price)
        ),
    });
    let element = element_string(
        &s.model.udi_di,
        &unit.pi.serial,
        unit.pi.lot.as_deref(),
        unit.pi.expiry,
    );
    let history = u
        .history
        .iter()
        .map(|h| HistoryRow {
            at: h.at.danish(),
            event: page.label("eq-unitevent", &h.event),
            from: page.label("eq-unitstate", h.from.as_str()),
            to: page.label("eq-unitstate", h.to.as_str()),
            location: page.label("eq-location", h.location.as_str()),
            citizen: h.citizen_id.map(&citizen_name).unwrap_or_default(),
            order_id: h.order_id.map(|o| o.to_string()),
            by: h.by_name.clone(),
            reason: h.reason.clone(),
        })
        .collect();
    let assignments = u
        .assignments
        .iter()
        .map(|a| AssignmentRow {
            programme: a.programme_name.clone(),
            citizen: citizen_name(a.citizen_id),
            payer: a.payer_name.clone(),
            share: share_percent(a.share),
            from: a.started_at.danish(),
            to: a.ended_at.map(|t| t.danish()).unwrap_or_default(),
            open: a.ended_at.is_none(),
        })
        .collect();
    let reprocessing = u
        .reprocessing
        .iter()
        .map(|r| ReprocessingRow {
            at: r.completed_at.danish(),
            passed: r.passed,
            method: r.record.cleaning_method.clone(),
            agent: r.record.disinfection_agent.clone(),
            minutes: r.record.contact_time_minutes,
            operator: r.record.operator.clone(),
            wiped: r.record.data_wiped,
            reset: r.record.factory_reset,
            notes: r.record.notes.clone(),
            price: kr(&page, r.price),
        })
        .collect();
    let maintenance = u
        .maintenance
        .iter()
        .map(|m| MaintenanceRow {
            kind: page.label("eq-maint", m.kind.as_str()),
            done_on: dk_date(m.done_on),
            by: m.by_name.clone(),
            notes: m.notes.clone(),
        })
        .collect();
    let holder_rows = holders
        .iter()
        .map(|h| HolderRow {
            citizen: h.citizen_name.clone(),
            from: h.from.danish(),
            to: h
                .to
                .map(|t| t.danish())
                .unwrap_or_else(|| page.t("eq-still")),
        })
        .collect();
    let events = u
        .manual_events
        .iter()
        .map(|e| opt(e.as_str(), page.label("eq-unitevent", e.as_str()), false))
        .collect();
    let model_kind = s.model.maintenance.map(|m| m.kind);
    let maintenance_kinds = MaintenanceKind::ALL
        .iter()
        .map(|k| {
            opt(
                k.as_str(),
                page.label("eq-maint", k.as_str()),
                Some(*k) == model_kind,
            )
        })
        .collect();
    let repro = repro.unwrap_or_else(|| ReprocessingForm {
        operator: auth.principal.display_name().to_string(),
        ..Default::default()
    });
    page.title = format!("{name} · SN {}", unit.pi.serial);
    let body = UnitPageView {
        id: unit_id.to_string(),
        heading: page.title.clone(),
        state: page.label("eq-unitstate", unit.state.as_str()),
        label_alt: page.t1("eq-label-alt", "serial", &unit.pi.serial),
        element,
        measurements: u.measurements,
        last_measurement: u.last_measurement_at.map(|t| t.danish()),
        events,
        reprocessing_open: unit.state == UnitState::Reprocessing,
        holds_personal_data: s.model.role.holds_personal_data(),
        procedure: s.model.reprocessing_procedure.clone(),
        repro,
        maintenance_kinds,
        today_iso: iso_date(today()),
        replaceable: matches!(unit.state, UnitState::InUse | UnitState::SwapPending),
        facts,
        assignments,
        history,
        reprocessing,
        maintenance,
        holders: holder_rows,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn unit(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<UnitQuery>,
) -> PageResult {
    unit_page(&state, &auth, &id, None, Flash::ok(q.ok.as_deref())).await
}

/// The unit's QR label (its GS1 element string) for a label printer.
pub async fn label(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    let s = &state.db.unit(&auth.ctx(), unit_id).await.or_page(&page)?;
    let element = element_string(
        &s.model.udi_di,
        &s.unit.pi.serial,
        s.unit.pi.lot.as_deref(),
        s.unit.pi.expiry,
    );
    let svg = crate::label::unit_label_svg(&model_name(s), &s.unit.pi.serial, &element);
    let mut r = (StatusCode::OK, svg).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"etiket-{}.svg\"",
        s.unit
            .pi
            .serial
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    )) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[derive(Deserialize)]
pub struct EventForm {
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
}

pub async fn event(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<EventForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    let result = match UnitEvent::parse(&f.event) {
        Ok(e) => state
            .db
            .record_unit_event(&auth.ctx(), unit_id, e, f.reason.trim())
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/udstyr/enheder/{id}?ok=event"))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            unit_page(&state, &auth, &id, None, Flash::error(msg)).await
        }
    }
}

pub async fn reprocess(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReprocessingForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    let minutes = f.contact_time_minutes.trim();
    let Ok(minutes) = minutes.parse::<u32>() else {
        let msg = page.t("eq-error-contact-time");
        return unit_page(&state, &auth, &id, Some(f), Flash::error(msg)).await;
    };
    let record = ReprocessingRecord {
        cleaning_method: f.cleaning_method.trim().to_string(),
        disinfection_agent: f.disinfection_agent.trim().to_string(),
        contact_time_minutes: minutes,
        operator: f.operator.trim().to_string(),
        data_wiped: f.data_wiped.is_some(),
        factory_reset: f.factory_reset.is_some(),
        function_test_passed: f.function_test_passed.is_some(),
        notes: f.notes.trim().to_string(),
    };
    match state
        .db
        .record_reprocessing(&auth.ctx(), unit_id, record)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/udstyr/enheder/{id}?ok=reprocessed"))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            unit_page(&state, &auth, &id, Some(f), Flash::error(msg)).await
        }
    }
}

#[derive(Deserialize)]
pub struct MaintenanceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    notes: String,
}

pub async fn maintain(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<MaintenanceForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    let Some(done_on) = parse_iso_date(&f.done_on) else {
        let msg = page.t1("eq-error-date", "field", page.t("eq-maintenance-done-on"));
        return unit_page(&state, &auth, &id, None, Flash::error(msg)).await;
    };
    let result = match MaintenanceKind::parse(&f.kind) {
        Ok(kind) => state
            .db
            .record_maintenance(&auth.ctx(), unit_id, kind, done_on, f.notes.trim())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/udstyr/enheder/{id}?ok=maintained"))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            unit_page(&state, &auth, &id, None, Flash::error(msg)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReplaceForm {
    #[serde(default)]
    fault: String,
}

/// A faulty unit in a home: a replacement order, the unit marked swap pending.
pub async fn replace(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReplaceForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    gate(&state, &auth, &page).await?;
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    match state
        .db
        .order_replacement(&auth.ctx(), unit_id, f.fault.trim())
        .await
    {
        Ok(order) => Ok(see_other(&format!(
            "/udstyr/ordrer/{}?ok=replacement",
            order.id
        ))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            unit_page(&state, &auth, &id, None, Flash::error(msg)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    note: String,
}

/// Orders a service visit (training, calibration, maintenance, repair on site) for a unit in
/// a home.
pub async fn service(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ServiceForm>,
) -> PageResult {
    let page = eq_page(&auth, format!("/udstyr/enheder/{id}"), "eq-unit-title");
    gate(&state, &auth, &page).await?;
    let unit_id: UnitId = path_id(&id, "unit", &page)?;
    let ordered = match telesund_core::equipment::ServiceType::parse(&f.service) {
        Ok(service) => {
            state
                .db
                .order_service(&auth.ctx(), unit_id, service, f.note.trim())
                .await
        }
        Err(e) => Err(e.into()),
    };
    match ordered {
        Ok(order) => Ok(see_other(&format!(
            "/udstyr/ordrer/{}?ok=service",
            order.id
        ))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            unit_page(&state, &auth, &id, None, Flash::error(msg)).await
        }
    }
}
