//! Equipment over JSON, for the service centre's own tools and the clinicians' systems: the
//! catalogue (models, kits, visit prices, warehouses), units and their lifecycle, lots and
//! recalls, kit orders and their fulfilment, home visits and maintenance, stock and
//! stock-takes, and the monthly statements (JSON and CSV).
//!
//! Dates are `YYYY-MM-DD` both ways and money is integer øre. Storage decides and audits
//! every access; this module only reads requests and shapes answers. Query parameters are
//! checked like bodies: an unknown one is refused with `unknown_field`, a bad value with
//! `invalid_input`, both in the standard error body.

use super::parse_id;
use super::shared::*;
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use telesund_core::equipment::catalogue::{
    Connectivity, DeviceRole, HygieneClass, Kit, KitRole, Maintenance, MaintenanceKind, Model,
    ModelStatus,
};
use telesund_core::equipment::kit::KitPlan;
use telesund_core::equipment::order::{Delivery, OrderStatus, Priority, ServiceType};
use telesund_core::equipment::reprocessing::ReprocessingRecord;
use telesund_core::equipment::unit::{UnitEvent, UnitState};
use telesund_core::equipment::visit::InstallationProof;
use telesund_core::equipment::{Ore, cost};
use telesund_core::ids::*;
use telesund_core::monitoring::MeasurementType;
use telesund_db::equipment::orders::KitOrder;
use telesund_db::equipment::units::NewUnit;
use time::{Date, Month};

// ---------------------------------------------------------------------------------------
// Catalogue.

pub async fn models(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    ok(&json!({ "models": state.db.models().await? }))
}

/// A model as staff type it: without `id` it is new, with one it replaces that model.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInput {
    #[serde(default)]
    id: Option<ModelId>,
    manufacturer: String,
    name: String,
    role: DeviceRole,
    udi_di: String,
    #[serde(default)]
    measures: Vec<MeasurementType>,
    connectivity: Connectivity,
    hygiene_class: HygieneClass,
    reprocessing_procedure: String,
    #[serde(default)]
    maintenance: Option<Maintenance>,
    purchase_price: Ore,
    day_rate: Ore,
    reprocessing_price: Ore,
    #[serde(default = "approved")]
    status: ModelStatus,
    #[serde(default)]
    programmes: Vec<ProgrammeId>,
    #[serde(default)]
    organisations: Vec<OrgId>,
}

fn approved() -> ModelStatus {
    ModelStatus::Approved
}

pub async fn save_model(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<ModelInput>,
) -> Result<impl IntoResponse, ApiError> {
    let is_new = b.id.is_none();
    let model = Model {
        id: b.id.unwrap_or_else(ModelId::new),
        manufacturer: b.manufacturer,
        name: b.name,
        role: b.role,
        udi_di: b.udi_di.trim().to_string(),
        measures: b.measures,
        connectivity: b.connectivity,
        hygiene_class: b.hygiene_class,
        reprocessing_procedure: b.reprocessing_procedure,
        maintenance: b.maintenance,
        purchase_price: b.purchase_price,
        day_rate: b.day_rate,
        reprocessing_price: b.reprocessing_price,
        status: b.status,
        programmes: b.programmes,
        organisations: b.organisations,
    };
    let saved = state.db.save_model(&auth.ctx(), model).await?;
    if is_new { created(&saved) } else { ok(&saved) }
}

pub async fn kits(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    ok(&json!({ "kits": state.db.kits().await? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitRoleInput {
    role: DeviceRole,
    models: Vec<ModelId>,
}

/// A programme's kit (one per programme: saving replaces its roles).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitInput {
    #[serde(default)]
    id: Option<KitId>,
    programme_id: ProgrammeId,
    name: String,
    roles: Vec<KitRoleInput>,
}

pub async fn save_kit(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<KitInput>,
) -> Result<impl IntoResponse, ApiError> {
    let kit = Kit {
        id: b.id.unwrap_or_else(KitId::new),
        programme_id: b.programme_id,
        name: b.name,
        roles: b
            .roles
            .into_iter()
            .map(|r| KitRole {
                role: r.role,
                models: r.models,
            })
            .collect(),
    };
    ok(&state.db.save_kit(&auth.ctx(), kit).await?)
}

async fn prices_json(state: &AppState) -> Result<Value, ApiError> {
    let prices: Vec<Value> = state
        .db
        .service_prices()
        .await?
        .into_iter()
        .map(|(service_type, price)| json!({ "service_type": service_type, "price": price }))
        .collect();
    Ok(json!({ "prices": prices }))
}

pub async fn service_prices(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(prices_json(&state).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePriceInput {
    service_type: ServiceType,
    /// Øre.
    price: Ore,
}

pub async fn set_service_price(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<ServicePriceInput>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .db
        .set_service_price(&auth.ctx(), b.service_type, b.price)
        .await?;
    Ok(Json(prices_json(&state).await?))
}

pub async fn warehouses(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    ok(&json!({ "warehouses": state.db.warehouses().await? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWarehouse {
    org_id: OrgId,
    name: String,
    #[serde(default)]
    address: String,
}

pub async fn create_warehouse(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<NewWarehouse>,
) -> Result<impl IntoResponse, ApiError> {
    let w = state
        .db
        .create_warehouse(&auth.ctx(), b.org_id, &b.name, &b.address)
        .await?;
    created(&w)
}

// ---------------------------------------------------------------------------------------
// Units.

/// A unit received from the supplier into a warehouse.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUnitInput {
    model_id: ModelId,
    serial: String,
    #[serde(default)]
    lot: Option<String>,
    #[serde(default, deserialize_with = "ymd::optional")]
    expiry: Option<Date>,
    #[serde(default)]
    software_version: Option<String>,
    #[serde(default)]
    device_id: Option<String>,
    #[serde(deserialize_with = "ymd::required")]
    purchased_on: Date,
    /// Øre; the model's purchase price when left out.
    #[serde(default)]
    purchase_price: Option<Ore>,
    warehouse_id: WarehouseId,
}

pub async fn receive_unit(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<NewUnitInput>,
) -> Result<impl IntoResponse, ApiError> {
    let s = state
        .db
        .receive_unit(
            &auth.ctx(),
            NewUnit {
                model_id: b.model_id,
                serial: b.serial,
                lot: b.lot,
                expiry: b.expiry,
                software_version: b.software_version,
                device_id: b.device_id,
                purchased_on: b.purchased_on,
                purchase_price: b.purchase_price,
                warehouse_id: b.warehouse_id,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/equipment/units/{}", s.unit.id),
        )],
        Json(out(&s)?),
    ))
}

/// Units in the given states (`state=reprocessing,quarantine`, or repeated); every state
/// when left out.
pub async fn units(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["state"])?;
    let given = q.list("state");
    let states = if given.is_empty() {
        UnitState::ALL.to_vec()
    } else {
        enum_values(&given, "state", UnitState::ALL, UnitState::as_str)?
    };
    let units = state.db.units_in_states(&auth.ctx(), &states).await?;
    ok(&json!({ "units": out(&units)? }))
}

/// A unit by what was typed or scanned (GS1 label, serial number, reported device id).
pub async fn lookup(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["scan"])?;
    let scan = q.required("scan", "5240100201")?;
    match state.db.find_unit(&auth.ctx(), scan).await? {
        Some(s) => ok(&s),
        None => Err(ApiError::not_found("unit with that serial number or label")),
    }
}

pub async fn unit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    ok(&state.db.unit_page(&auth.ctx(), id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitEventInput {
    event: UnitEvent,
    #[serde(default)]
    reason: String,
}

/// A lifecycle event recorded by hand; one the lifecycle does not allow now, or one that
/// belongs to an order, a reprocessing record or a recall, is a 409.
pub async fn record_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<UnitEventInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    ok(&state
        .db
        .record_unit_event(&auth.ctx(), id, b.event, &b.reason)
        .await?)
}

/// The hygiene record that ends a unit's reprocessing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReprocessingInput {
    cleaning_method: String,
    disinfection_agent: String,
    contact_time_minutes: u32,
    operator: String,
    #[serde(default)]
    data_wiped: bool,
    #[serde(default)]
    factory_reset: bool,
    function_test_passed: bool,
    #[serde(default)]
    notes: String,
}

pub async fn record_reprocessing(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReprocessingInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    let s = state
        .db
        .record_reprocessing(
            &auth.ctx(),
            id,
            ReprocessingRecord {
                cleaning_method: b.cleaning_method,
                disinfection_agent: b.disinfection_agent,
                contact_time_minutes: b.contact_time_minutes,
                operator: b.operator,
                data_wiped: b.data_wiped,
                factory_reset: b.factory_reset,
                function_test_passed: b.function_test_passed,
                notes: b.notes,
            },
        )
        .await?;
    created(&s)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceRecordInput {
    kind: MaintenanceKind,
    /// Today when left out.
    #[serde(default, deserialize_with = "ymd::optional")]
    done_on: Option<Date>,
    #[serde(default)]
    notes: String,
}

pub async fn record_maintenance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MaintenanceRecordInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    let done_on = b
        .done_on
        .unwrap_or_else(|| telesund_core::Timestamp::now().in_copenhagen().date());
    state
        .db
        .record_maintenance(&auth.ctx(), id, b.kind, done_on, &b.notes)
        .await?;
    created(&json!({
        "unit_id": id,
        "kind": b.kind,
        "done_on": date_text(done_on),
        "notes": b.notes.trim(),
    }))
}

pub async fn holders(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    ok(&json!({ "holders": state.db.unit_holders(&auth.ctx(), id).await? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplacementInput {
    fault: String,
}

/// A faulty unit in a home: a REPLACE order for a unit of the same role.
pub async fn order_replacement(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReplacementInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    let order = state
        .db
        .order_replacement(&auth.ctx(), id, &b.fault)
        .await?;
    created(&order)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOrderInput {
    service: ServiceType,
    #[serde(default)]
    note: String,
}

/// A service visit for a unit in a home: training, calibration, maintenance, on-site repair.
pub async fn order_service(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ServiceOrderInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    let order = state
        .db
        .order_service(&auth.ctx(), id, b.service, &b.note)
        .await?;
    created(&order)
}

// ---------------------------------------------------------------------------------------
// Lots and recalls.

pub async fn lot_holders(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["udi_di", "lot"])?;
    let udi_di = q.required("udi_di", "05712345000028")?;
    let lot = q.one("lot")?;
    let holders = state.db.lot_holders(&auth.ctx(), udi_di, lot).await?;
    ok(&json!({ "holders": holders }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecallInput {
    udi_di: String,
    #[serde(default)]
    lot: Option<String>,
    reason: String,
}

/// Puts every unit of a model (or of one lot of it) on recall hold and lists the citizens
/// who have one.
pub async fn recall(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<RecallInput>,
) -> Result<impl IntoResponse, ApiError> {
    let report = state
        .db
        .recall(&auth.ctx(), &b.udi_di, b.lot.as_deref(), &b.reason)
        .await?;
    created(&report)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    reason: String,
}

pub async fn release_recall_hold(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReasonInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: UnitId = parse_id(&id, "unit")?;
    ok(&state
        .db
        .release_recall_hold(&auth.ctx(), id, &b.reason)
        .await?)
}

// ---------------------------------------------------------------------------------------
// Orders.

/// A citizen's units (each with the plans it serves), orders and visits.
pub async fn citizen_equipment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: CitizenId = parse_id(&id, "citizen")?;
    let e = state.db.citizen_equipment(&auth.ctx(), id).await?;
    let units: Vec<Value> = e
        .units
        .iter()
        .map(|(s, assignments)| {
            json!({
                "unit": s.unit,
                "model": s.model,
                "holder": s.holder,
                "assignments": assignments,
            })
        })
        .collect();
    ok(&json!({ "units": units, "orders": e.orders, "visits": e.visits }))
}

/// A kit comparison as objects rather than pairs.
fn kit_plan_json(p: &KitPlan) -> Value {
    json!({
        "already": p.already.iter().map(|(role, unit)| json!({ "role": role, "unit_id": unit })).collect::<Vec<_>>(),
        "share": p.share.iter().map(|(role, unit)| json!({ "role": role, "unit_id": unit })).collect::<Vec<_>>(),
        "join": p.join.iter().map(|(role, line)| json!({ "role": role, "order_line_id": line })).collect::<Vec<_>>(),
        "order": p.order.iter().map(|(role, models)| json!({ "role": role, "models": models })).collect::<Vec<_>>(),
        "needs_delivery": p.needs_delivery(),
    })
}

/// What ordering the plan's kit would come to now, without ordering.
pub async fn preview_kit_order(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let plan: CarePlanId = parse_id(&id, "care plan")?;
    match state.db.preview_kit_order(&auth.ctx(), plan).await? {
        Some(p) => ok(&kit_plan_json(&p)),
        None => Err(ApiError::not_found("kit for the plan's programme")),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeliveryInput {
    #[serde(default, deserialize_with = "ymd::optional")]
    earliest: Option<Date>,
    #[serde(default, deserialize_with = "ymd::optional")]
    latest: Option<Date>,
    #[serde(default)]
    door_code: String,
    #[serde(default)]
    contact_person: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitOrderInput {
    /// INSTALL (the default: a technician installs it in the home) or DELIVER.
    #[serde(default = "install")]
    service: ServiceType,
    #[serde(default = "routine")]
    priority: Priority,
    #[serde(default)]
    delivery: DeliveryInput,
}

fn install() -> ServiceType {
    ServiceType::Install
}

fn routine() -> Priority {
    Priority::Routine
}

/// Orders the plan's kit: only what the citizen does not already have (or has on its way).
pub async fn order_kit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<KitOrderInput>,
) -> Result<impl IntoResponse, ApiError> {
    let plan: CarePlanId = parse_id(&id, "care plan")?;
    let outcome = state
        .db
        .order_kit(
            &auth.ctx(),
            plan,
            KitOrder {
                service: b.service,
                priority: b.priority,
                delivery: Delivery {
                    earliest: b.delivery.earliest,
                    latest: b.delivery.latest,
                    door_code: b.delivery.door_code,
                    contact_person: b.delivery.contact_person,
                    notes: b.delivery.notes,
                },
            },
        )
        .await?;
    created(&json!({
        "plan": kit_plan_json(&outcome.plan),
        "order": out(&outcome.order)?,
    }))
}

/// Orders in the given statuses (`status=submitted,accepted`, or repeated), oldest first;
/// every open order when left out.
pub async fn orders(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["status"])?;
    let given = q.list("status");
    let statuses = if given.is_empty() {
        OrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect()
    } else {
        enum_values(&given, "status", OrderStatus::ALL, OrderStatus::as_str)?
    };
    let orders = state.db.orders_in_status(&auth.ctx(), &statuses).await?;
    ok(&json!({ "orders": out(&orders)? }))
}

pub async fn order(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrderId = parse_id(&id, "order")?;
    ok(&state.db.order(&auth.ctx(), id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusInput {
    status: OrderStatus,
    #[serde(default)]
    note: String,
}

/// Accept, reject, cancel, request a return or close an order by hand.
pub async fn change_order_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<OrderStatusInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrderId = parse_id(&id, "order")?;
    ok(&state
        .db
        .change_order_status(&auth.ctx(), id, b.status, &b.note)
        .await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    scan: String,
}

/// Allocates a scanned unit to an order line.
pub async fn allocate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ScanInput>,
) -> Result<impl IntoResponse, ApiError> {
    let line: OrderLineId = parse_id(&id, "order line")?;
    ok(&state.db.allocate_unit(&auth.ctx(), line, &b.scan).await?)
}

pub async fn dispatch(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrderId = parse_id(&id, "order")?;
    ok(&state.db.dispatch_order(&auth.ctx(), id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    #[serde(deserialize_with = "ymd::required")]
    day: Date,
    #[serde(default)]
    technician_id: Option<UserId>,
}

/// Schedules the visit an accepted order (or a requested return) needs.
pub async fn schedule_visit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<VisitInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: OrderId = parse_id(&id, "order")?;
    let v = state
        .db
        .schedule_visit(&auth.ctx(), id, b.day, b.technician_id)
        .await?;
    created(&v)
}

// ---------------------------------------------------------------------------------------
// Visits and maintenance.

/// The visits planned for a day (today when left out), of all technicians or one.
pub async fn day_plan(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["day", "technician"])?;
    let day = match q.one("day")? {
        Some(d) => parse_date(d, "day")?,
        None => telesund_core::Timestamp::now().in_copenhagen().date(),
    };
    let technician: Option<UserId> = q
        .one("technician")?
        .map(|t| id_param(t, "technician"))
        .transpose()?;
    let visits = state.db.day_plan(&auth.ctx(), day, technician).await?;
    ok(&json!({ "day": date_text(day), "visits": out(&visits)? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofInput {
    pairing_tested: bool,
    first_measurement_received: bool,
    citizen_instructed: bool,
    signed_by: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    /// Required for an installation.
    #[serde(default)]
    proof: Option<ProofInput>,
    #[serde(default)]
    notes: String,
}

pub async fn complete_visit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CompletionInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: VisitId = parse_id(&id, "visit")?;
    let proof = b.proof.map(|p| InstallationProof {
        pairing_tested: p.pairing_tested,
        first_measurement_received: p.first_measurement_received,
        citizen_instructed: p.citizen_instructed,
        signed_by: p.signed_by,
    });
    ok(&state
        .db
        .complete_visit(&auth.ctx(), id, proof, &b.notes)
        .await?)
}

/// The longest look ahead for maintenance, in days.
const MAX_HORIZON_DAYS: i64 = 3_650;

fn horizon(days: i64, field: &str) -> Result<i64, ApiError> {
    if (0..=MAX_HORIZON_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(
            ApiError::invalid(format!("{field} must be from 0 to {MAX_HORIZON_DAYS}"))
                .at(field.to_string()),
        )
    }
}

/// Units due for preventive maintenance within `days` (30 when left out), or overdue.
pub async fn maintenance_due(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = QueryParams::parse(query.as_deref(), &["days"])?;
    let days = match q.one("days")? {
        None => 30,
        Some(d) => horizon(
            d.parse()
                .map_err(|_| ApiError::invalid("days must be a whole number").at("days"))?,
            "days",
        )?,
    };
    let due = state.db.maintenance_due(&auth.ctx(), days).await?;
    ok(&json!({ "days": days, "units": out(&due)? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceVisitsInput {
    days: i64,
}

/// Plans a calibration visit for every unit in a home due within `days` without one.
pub async fn plan_maintenance_visits(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<MaintenanceVisitsInput>,
) -> Result<impl IntoResponse, ApiError> {
    let days = horizon(b.days, "days")?;
    let n = state.db.plan_maintenance_visits(&auth.ctx(), days).await?;
    created(&json!({ "planned": n }))
}

// ---------------------------------------------------------------------------------------
// Stock.

pub async fn stock(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<impl IntoResponse, ApiError> {
    let lines: Vec<Value> = state
        .db
        .stock(&auth.ctx())
        .await?
        .iter()
        .map(|l| {
            let mut v = json!(l);
            v["below_reorder_level"] = json!(l.below_reorder_level());
            v
        })
        .collect();
    ok(&json!({ "stock": lines }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReorderLevelInput {
    warehouse_id: WarehouseId,
    model_id: ModelId,
    level: i64,
}

pub async fn set_reorder_level(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<ReorderLevelInput>,
) -> Result<impl IntoResponse, ApiError> {
    known_warehouse(&state, b.warehouse_id).await?;
    state
        .db
        .set_reorder_level(&auth.ctx(), b.warehouse_id, b.model_id, b.level)
        .await?;
    ok(&json!({ "warehouse_id": b.warehouse_id, "model_id": b.model_id, "level": b.level }))
}

/// A warehouse named in a body must exist (storage would otherwise meet a foreign key).
/// Warehouses are not secret: every staff member may list them.
async fn known_warehouse(state: &AppState, id: WarehouseId) -> Result<(), ApiError> {
    if state.db.warehouses().await?.iter().any(|w| w.id == id) {
        Ok(())
    } else {
        Err(ApiError::not_found("warehouse").at("warehouse_id"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockTakeInput {
    warehouse_id: WarehouseId,
}

pub async fn start_stock_take(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(b): JsonBody<StockTakeInput>,
) -> Result<impl IntoResponse, ApiError> {
    known_warehouse(&state, b.warehouse_id).await?;
    let id = state
        .db
        .start_stock_take(&auth.ctx(), b.warehouse_id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "warehouse_id": b.warehouse_id })),
    ))
}

pub async fn scan_for_stock_take(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ScanInput>,
) -> Result<impl IntoResponse, ApiError> {
    let take: uuid::Uuid = parse_id(&id, "stock-take")?;
    ok(&state
        .db
        .scan_for_stock_take(&auth.ctx(), take, &b.scan)
        .await?)
}

pub async fn finish_stock_take(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let take: uuid::Uuid = parse_id(&id, "stock-take")?;
    ok(&state.db.finish_stock_take(&auth.ctx(), take).await?)
}

// ---------------------------------------------------------------------------------------
// Statements.

/// `month=YYYY-MM`.
fn parse_month(s: &str) -> Result<(i32, Month), ApiError> {
    let bad =
        || ApiError::invalid(format!("month must be YYYY-MM, e.g. 2026-11, not '{s}'")).at("month");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    Ok((year, Month::try_from(month).map_err(|_| bad())?))
}

struct StatementQuery {
    year: i32,
    month: Month,
    payer: Option<OrgId>,
}

impl StatementQuery {
    fn parse(raw: Option<&str>) -> Result<StatementQuery, ApiError> {
        let q = QueryParams::parse(raw, &["month", "payer"])?;
        let (year, month) = parse_month(q.required("month", "2026-11")?)?;
        let payer = q.one("payer")?.map(|p| id_param(p, "payer")).transpose()?;
        Ok(StatementQuery { year, month, payer })
    }

    fn month_text(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month as u8)
    }
}

/// A month's statements: of every paying organisation (the service centre), or of one.
pub async fn statements(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = StatementQuery::parse(query.as_deref())?;
    let found = state
        .db
        .equipment_statements(&auth.ctx(), q.year, q.month, q.payer)
        .await?;
    ok(&json!({ "month": q.month_text(), "statements": found }))
}

/// One paying organisation's statement as CSV for its finance system.
pub async fn statement_csv(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = StatementQuery::parse(query.as_deref())?;
    let payer = q.payer.ok_or_else(|| {
        ApiError::invalid("a CSV statement is for one paying organisation: give payer=<id>")
            .at("payer")
    })?;
    let found = state
        .db
        .equipment_statements(&auth.ctx(), q.year, q.month, Some(payer))
        .await?;
    let month = q.month_text();
    let csv = match found.into_iter().next() {
        Some(s) => cost::to_csv(&s.statement, &s.payer_name, &month),
        None => {
            // Nothing charged this month: a statement with only its (zero) total.
            let name = state
                .db
                .organisation_name(Some(payer))
                .await?
                .unwrap_or_default();
            let empty = cost::Statement {
                payer,
                lines: Vec::new(),
                total: 0,
            };
            cost::to_csv(&empty, &name, &month)
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"telesund-udstyr-{month}-{payer}.csv\""),
            ),
        ],
        csv,
    ))
}
