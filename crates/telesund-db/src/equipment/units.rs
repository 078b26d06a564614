//! Units: receiving, finding by serial or scanned label, the lifecycle (every transition
//! checked by `UnitState::after` and written to the unit's append-only history in the same
//! transaction), reprocessing and maintenance records, "who had this unit", lots and recalls.

use super::{date_text, parse_date};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write, placeholders};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{DataCategory, Decision};
use telesund_core::audit::{AuditAction, AuditRecord};
use telesund_core::equipment::Ore;
use telesund_core::equipment::catalogue::{MaintenanceKind, Model};
use telesund_core::equipment::reprocessing::ReprocessingRecord;
use telesund_core::equipment::udi;
use telesund_core::equipment::unit::{
    Location, LocationKind, Unit, UnitEvent, UnitState, location_after,
};
use telesund_core::ids::*;
use telesund_core::{DomainError, ErrorCode};
use time::Date;

pub(crate) const UNIT_COLUMNS: &str = "u.id, u.model_id, u.serial, u.device_id, u.lot, u.expiry, u.software_version, u.purchased_on, \
     u.purchase_price, u.state, u.before_hold, u.location_kind, u.location_ref, u.warehouse_id, u.citizen_id, u.updated_at";

macro_rules! unit_from_row {
    ($r:expr) => {{
        // The names the macro uses, wherever it is expanded.
        use telesund_core::Timestamp;
        use telesund_core::equipment::unit::{Location, LocationKind, UdiPi, Unit, UnitState};
        use telesund_core::ids::{CitizenId, ModelId, UnitId, UserId, WarehouseId};
        use $crate::DbError;
        use $crate::equipment::{opt_date, parse_date};
        let kind: String = $r.try_get("location_kind")?;
        let loc_ref: Option<uuid::Uuid> = $r.try_get("location_ref")?;
        let state: String = $r.try_get("state")?;
        let before: Option<String> = $r.try_get("before_hold")?;
        let purchased: String = $r.try_get("purchased_on")?;
        let missing = || DbError::Internal("a unit's location has no reference".into());
        let location = match LocationKind::parse(&kind)? {
            LocationKind::Warehouse => Location::Warehouse {
                warehouse_id: WarehouseId(loc_ref.ok_or_else(missing)?),
            },
            LocationKind::Home => Location::Home {
                citizen_id: CitizenId(loc_ref.ok_or_else(missing)?),
            },
            LocationKind::Technician => Location::Technician {
                user_id: loc_ref.map(UserId),
            },
            LocationKind::Supplier => Location::Supplier,
        };
        let citizen: Option<uuid::Uuid> = $r.try_get("citizen_id")?;
        (
            Unit {
                id: UnitId($r.try_get("id")?),
                model_id: ModelId($r.try_get("model_id")?),
                pi: UdiPi {
                    serial: $r.try_get("serial")?,
                    lot: $r.try_get("lot")?,
                    expiry: opt_date($r.try_get("expiry")?)?,
                    software_version: $r.try_get("software_version")?,
                },
                device_id: $r.try_get("device_id")?,
                purchased_on: parse_date(&purchased)?,
                purchase_price: $r.try_get("purchase_price")?,
                state: UnitState::parse(&state)?,
                before_hold: before.as_deref().map(UnitState::parse).transpose()?,
                location,
                warehouse_id: WarehouseId($r.try_get("warehouse_id")?),
                updated_at: Timestamp($r.try_get("updated_at")?),
            },
            citizen.map(CitizenId),
        )
    }};
}

pub(crate) use unit_from_row;

/// How many ids one `IN (…)` list binds.
const ID_CHUNK: usize = 500;

/// Joins units to their models (the catalogue is small and read whole).
pub(crate) fn with_models(
    rows: Vec<(Unit, Option<CitizenId>)>,
    models: &[Model],
) -> Result<Vec<UnitSummary>> {
    let by_id: std::collections::HashMap<ModelId, &Model> =
        models.iter().map(|m| (m.id, m)).collect();
    rows.into_iter()
        .map(|(unit, holder)| {
            let model = by_id
                .get(&unit.model_id)
                .map(|m| (*m).clone())
                .ok_or_else(|| DbError::Internal("a unit's model is missing".into()))?;
            Ok(UnitSummary {
                unit,
                model,
                holder,
            })
        })
        .collect()
}

/// A unit with what a list shows about it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitSummary {
    pub unit: Unit,
    pub model: Model,
    /// The citizen the unit is reserved for, on its way to, or with.
    pub holder: Option<CitizenId>,
}

/// One entry of a unit's history.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitHistoryEntry {
    pub event: String,
    pub from: UnitState,
    pub to: UnitState,
    pub location: LocationKind,
    pub citizen_id: Option<CitizenId>,
    pub order_id: Option<OrderId>,
    pub reason: String,
    pub by_name: String,
    pub at: Timestamp,
}

/// One of a unit's assignments to a care plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub unit_id: UnitId,
    pub care_plan_id: CarePlanId,
    pub citizen_id: CitizenId,
    pub programme_name: String,
    pub payer_org_id: OrgId,
    pub payer_name: String,
    /// Basis points of the day rate.
    pub share: u32,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredReprocessing {
    pub id: ReprocessingId,
    pub record: ReprocessingRecord,
    pub passed: bool,
    pub price: Ore,
    pub completed_at: Timestamp,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MaintenanceEntry {
    pub kind: MaintenanceKind,
    pub done_on: Date,
    pub by_name: String,
    pub notes: String,
}

/// Everything the unit page shows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitPage {
    pub summary: UnitSummary,
    pub warehouse_name: String,
    pub history: Vec<UnitHistoryEntry>,
    pub assignments: Vec<Assignment>,
    pub reprocessing: Vec<StoredReprocessing>,
    pub maintenance: Vec<MaintenanceEntry>,
    /// Measurements that arrived naming this unit (serial or device id): count and latest.
    pub measurements: i64,
    pub last_measurement_at: Option<Timestamp>,
    /// The events staff may record by hand now (the others belong to orders, reprocessing
    /// and recalls).
    pub manual_events: Vec<UnitEvent>,
}

/// A citizen who had a unit (or a unit of a lot), and when.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Holder {
    pub citizen_id: CitizenId,
    pub citizen_name: String,
    pub unit_id: UnitId,
    pub serial: String,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
}

/// What a new unit is received with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewUnit {
    pub model_id: ModelId,
    pub serial: String,
    pub lot: Option<String>,
    pub expiry: Option<Date>,
    pub software_version: Option<String>,
    pub device_id: Option<String>,
    pub purchased_on: Date,
    pub purchase_price: Option<Ore>,
    pub warehouse_id: WarehouseId,
}

/// The events that belong to another flow and may not be recorded by hand.
fn belongs_to_a_flow(e: UnitEvent) -> Option<&'static str> {
    use UnitEvent as E;
    match e {
        E::Reserve | E::Release | E::Prepare | E::Dispatch | E::Install | E::Collect => {
            Some("it is recorded by the order it belongs to")
        }
        E::PassReprocessing | E::FailReprocessing => {
            Some("it is recorded with a reprocessing record")
        }
        E::PutOnRecallHold | E::ReleaseRecallHold => Some("it is recorded by a recall"),
        _ => None,
    }
}

/// One lifecycle step, decided before the transaction: the caller's unit as read, and what
/// it becomes. Written by [`write_transition!`], which refuses it if the unit changed since.
pub(crate) struct Transition {
    pub(crate) unit_id: UnitId,
    pub(crate) event: UnitEvent,
    pub(crate) from: UnitState,
    pub(crate) to: UnitState,
    pub(crate) before_hold: Option<UnitState>,
    pub(crate) location: Location,
    pub(crate) holder: Option<CitizenId>,
    pub(crate) order_id: Option<OrderId>,
    pub(crate) reason: String,
    pub(crate) by_user: Option<uuid::Uuid>,
    pub(crate) by_name: String,
    pub(crate) at: Timestamp,
}

impl Transition {
    /// Asks the lifecycle whether `event` may happen to the unit, and where it leaves it.
    /// `holder` is the citizen a reservation is for; other events keep or clear the holder.
    pub(crate) fn decide(
        ctx: &AccessCtx,
        unit: &Unit,
        current_holder: Option<CitizenId>,
        event: UnitEvent,
        holder: Option<CitizenId>,
        order_id: Option<OrderId>,
        reason: &str,
    ) -> Result<Transition> {
        let to = unit.state.after(event, unit.before_hold)?;
        let by_user = ctx.principal.user_id();
        let holder = match event {
            UnitEvent::Reserve => holder,
            UnitEvent::GoodsIn
            | UnitEvent::Release
            | UnitEvent::Undeliverable
            | UnitEvent::Found => None,
            _ => current_holder,
        };
        Ok(Transition {
            unit_id: unit.id,
            event,
            from: unit.state,
            to,
            before_hold: match event {
                UnitEvent::PutOnRecallHold => Some(unit.state),
                UnitEvent::ReleaseRecallHold => None,
                _ => unit.before_hold,
            },
            location: location_after(event, unit.location, unit.warehouse_id, holder, by_user),
            holder,
            order_id,
            reason: reason.trim().to_string(),
            by_user: by_user.map(|u| u.0),
            by_name: ctx.principal.display_name().to_string(),
            at: Timestamp::now(),
        })
    }
}

fn location_parts(l: &Location) -> (&'static str, Option<uuid::Uuid>) {
    match l {
        Location::Warehouse { warehouse_id } => ("warehouse", Some(warehouse_id.0)),
        Location::Home { citizen_id } => ("home", Some(citizen_id.0)),
        Location::Technician { user_id } => ("technician", user_id.map(|u| u.0)),
        Location::Supplier => ("supplier", None),
    }
}

/// Writes a [`Transition`] inside the caller's transaction: the unit row (only if it is still
/// in the state the decision was made from) and its history entry.
macro_rules! write_transition {
    ($tx:expr, $t:expr) => {{
        let t: &$crate::equipment::units::Transition = $t;
        let (kind, loc_ref) = $crate::equipment::units::location_parts_of(&t.location);
        let changed = sqlx::query(
            "UPDATE units SET state = $1, before_hold = $2, location_kind = $3, location_ref = $4, citizen_id = $5, updated_at = $6 \
             WHERE id = $7 AND state = $8",
        )
        .bind(t.to.as_str())
        .bind(t.before_hold.map(|s| s.as_str()))
        .bind(kind)
        .bind(loc_ref)
        .bind(t.holder.map(|c| c.0))
        .bind(t.at.0)
        .bind(t.unit_id.0)
        .bind(t.from.as_str())
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err($crate::DbError::conflict(
                telesund_core::ErrorCode::Conflict,
                "the unit changed while this was recorded; look at it again",
            ));
        }
        sqlx::query(
            "INSERT INTO unit_events (id, unit_id, event, from_state, to_state, location_kind, location_ref, citizen_id, order_id, reason, by_user, by_name, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(t.unit_id.0)
        .bind(t.event.as_str())
        .bind(t.from.as_str())
        .bind(t.to.as_str())
        .bind(kind)
        .bind(loc_ref)
        .bind(t.holder.map(|c| c.0))
        .bind(t.order_id.map(|o| o.0))
        .bind(&t.reason)
        .bind(t.by_user)
        .bind(&t.by_name)
        .bind(t.at.0)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use write_transition;

pub(crate) fn location_parts_of(l: &Location) -> (&'static str, Option<uuid::Uuid>) {
    location_parts(l)
}

pub(crate) const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.unit_id, a.care_plan_id, a.citizen_id, a.payer_org_id, a.share, a.started_at, a.ended_at, \
     p.name AS programme_name, o.name AS payer_name \
     FROM unit_assignments a JOIN care_plans cp ON cp.id = a.care_plan_id \
     JOIN programme_versions pv ON pv.id = cp.programme_version_id JOIN programmes p ON p.id = pv.programme_id \
     JOIN organisations o ON o.id = a.payer_org_id";

macro_rules! assignment_from_row {
    ($r:expr) => {{
        let share: i64 = $r.try_get("share")?;
        Assignment {
            id: AssignmentId($r.try_get("id")?),
            unit_id: UnitId($r.try_get("unit_id")?),
            care_plan_id: CarePlanId($r.try_get("care_plan_id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            programme_name: $r.try_get("programme_name")?,
            payer_org_id: OrgId($r.try_get("payer_org_id")?),
            payer_name: $r.try_get("payer_name")?,
            share: share as u32,
            started_at: Timestamp($r.try_get("started_at")?),
            ended_at: $r.try_get::<Option<i64>, _>("ended_at")?.map(Timestamp),
        }
    }};
}
pub(crate) use assignment_from_row;

impl Db {
    /// Units by id, with their models; ids that do not exist are left out.
    pub(crate) async fn unit_summaries(&self, ids: &[UnitId]) -> Result<Vec<UnitSummary>> {
        let models = self.models().await?;
        let mut rows: Vec<(Unit, Option<CitizenId>)> = Vec::with_capacity(ids.len());
        // In chunks: SQLite binds by name, so one statement with thousands of parameters
        // costs far more than several with a few hundred (and has a hard limit).
        for chunk in ids.chunks(ID_CHUNK) {
            let list = placeholders(1, chunk.len());
            let found: Vec<(Unit, Option<CitizenId>)> = on_read!(self, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {UNIT_COLUMNS} FROM units u WHERE u.id IN ({list})"
                )));
                for id in chunk {
                    q = q.bind(id.0);
                }
                let rows = q.fetch_all(&mut *c).await?;
                rows.iter()
                    .map(|r| Ok(unit_from_row!(r)))
                    .collect::<Result<Vec<_>>>()
            })?;
            rows.extend(found);
        }
        rows.sort_by(|a, b| a.0.pi.serial.cmp(&b.0.pi.serial));
        with_models(rows, &models)
    }

    pub(crate) async fn unit_summary(&self, id: UnitId) -> Result<UnitSummary> {
        self.unit_summaries(&[id])
            .await?
            .pop()
            .ok_or_else(|| DbError::not_found("unit"))
    }

    /// One unit with its model, for the service centre (a label, a scan): no history, so no
    /// citizen is named beyond the holder, whose read is audited.
    pub async fn unit(&self, ctx: &AccessCtx, id: UnitId) -> Result<UnitSummary> {
        let decision = self.equipment_guard(ctx, AuditAction::Read, "unit").await?;
        let s = self.unit_summary(id).await?;
        if let Some(c) = s.holder {
            self.audit(support_reads(ctx, &decision, "unit", &[c]))
                .await?;
        }
        Ok(s)
    }

    /// Units matching a filter, for the service centre's queues and lists.
    pub async fn units_in_states(
        &self,
        ctx: &AccessCtx,
        states: &[UnitState],
    ) -> Result<Vec<UnitSummary>> {
        self.equipment_guard(ctx, AuditAction::Read, "unit").await?;
        let ids: Vec<UnitId> = on_read!(self, |c| {
            let list = placeholders(1, states.len().max(1));
            let mut q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM units WHERE state IN ({list}) ORDER BY updated_at"
            )));
            if states.is_empty() {
                q = q.bind("");
            }
            for s in states {
                q = q.bind(s.as_str());
            }
            Ok::<_, DbError>(
                q.fetch_all(&mut *c)
                    .await?
                    .into_iter()
                    .map(UnitId)
                    .collect(),
            )
        })?;
        self.unit_summaries(&ids).await
    }

    /// Receives a new unit into a warehouse (state `received`; it is inspected next).
    pub async fn receive_unit(&self, ctx: &AccessCtx, new: NewUnit) -> Result<UnitSummary> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "unit")
            .await?;
        let model = self.model(new.model_id).await?;
        let serial = new.serial.trim().to_string();
        if serial.is_empty() || serial.len() > 80 {
            return Err(DomainError::invalid(
                "a unit needs a serial number (at most 80 characters)",
            )
            .into());
        }
        if !self
            .warehouses()
            .await?
            .iter()
            .any(|w| w.id == new.warehouse_id)
        {
            return Err(DbError::not_found("warehouse"));
        }
        let id = UnitId::new();
        let now = Timestamp::now();
        let mut record = ctx.record(&decision, AuditAction::Create, "unit", None, None);
        record.entity_id = Some(id.to_string());
        let records = [record];
        let trimmed = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let result = on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO units (id, model_id, serial, device_id, lot, expiry, software_version, purchased_on, purchase_price, \
                 state, before_hold, location_kind, location_ref, warehouse_id, citizen_id, last_maintenance_on, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', NULL, 'warehouse', $10, $10, NULL, NULL, $11)",
            )
            .bind(id.0)
            .bind(model.id.0)
            .bind(&serial)
            .bind(trimmed(&new.device_id))
            .bind(trimmed(&new.lot))
            .bind(new.expiry.map(date_text))
            .bind(trimmed(&new.software_version))
            .bind(date_text(new.purchased_on))
            .bind(new.purchase_price.unwrap_or(model.purchase_price))
            .bind(new.warehouse_id.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO unit_events (id, unit_id, event, from_state, to_state, location_kind, location_ref, citizen_id, order_id, reason, by_user, by_name, at) \
                 VALUES ($1, $2, 'receive', 'received', 'received', 'warehouse', $3, NULL, NULL, $4, $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(id.0)
            .bind(new.warehouse_id.0)
            .bind("modtaget fra leverandøren")
            .bind(ctx.principal.user_id().map(|u| u.0))
            .bind(ctx.principal.display_name())
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        });
        match result {
            Err(DbError::Sql(e)) if crate::error::is_unique_violation(&e) => {
                Err(DbError::conflict(
                    ErrorCode::Conflict,
                    format!(
                        "a {} {} with serial number {serial} is already registered",
                        model.manufacturer, model.name
                    ),
                ))
            }
            other => other,
        }?;
        self.unit_summary(id).await
    }

    /// Finds a unit by what was typed or scanned: a GS1 label (UDI-DI and serial), a serial
    /// number, or the id the device reports with. Nothing found is `None`, not an error.
    pub async fn find_unit(&self, ctx: &AccessCtx, scanned: &str) -> Result<Option<UnitSummary>> {
        self.equipment_guard(ctx, AuditAction::Search, "unit")
            .await?;
        let text = scanned.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (di, serial) = match udi::parse_gs1(text) {
            Some(s) => (s.di, s.serial.unwrap_or_default()),
            None => (None, text.to_string()),
        };
        let ids: Vec<uuid::Uuid> = on_read!(self, |c| {
            let found: Vec<uuid::Uuid> = sqlx::query_scalar(
                "SELECT u.id FROM units u JOIN device_models m ON m.id = u.model_id \
                 WHERE (UPPER(u.serial) = UPPER($1) OR u.device_id = $1) AND ($2 IS NULL OR m.udi_di = $2) \
                 ORDER BY u.updated_at DESC",
            )
            .bind(&serial)
            .bind(di.as_deref())
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(found)
        })?;
        match ids.first() {
            Some(id) => Ok(Some(self.unit_summary(UnitId(*id)).await?)),
            None => Ok(None),
        }
    }

    /// A unit's page: the unit, its history, assignments, reprocessing and maintenance, and
    /// the measurements that named it. Citizens named in it are audited as read.
    pub async fn unit_page(&self, ctx: &AccessCtx, id: UnitId) -> Result<UnitPage> {
        let decision = self.equipment_guard(ctx, AuditAction::Read, "unit").await?;
        let summary = self.unit_summary(id).await?;
        let warehouse_name = self
            .warehouses()
            .await?
            .into_iter()
            .find(|w| w.id == summary.unit.warehouse_id)
            .map(|w| w.name)
            .unwrap_or_default();
        let (history, assignments, reprocessing, maintenance) = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT event, from_state, to_state, location_kind, citizen_id, order_id, reason, by_name, at \
                 FROM unit_events WHERE unit_id = $1 ORDER BY at DESC, id DESC",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let history = rows
                .iter()
                .map(|r| {
                    Ok(UnitHistoryEntry {
                        event: r.try_get("event")?,
                        from: UnitState::parse(&r.try_get::<String, _>("from_state")?)?,
                        to: UnitState::parse(&r.try_get::<String, _>("to_state")?)?,
                        location: LocationKind::parse(&r.try_get::<String, _>("location_kind")?)?,
                        citizen_id: r
                            .try_get::<Option<uuid::Uuid>, _>("citizen_id")?
                            .map(CitizenId),
                        order_id: r.try_get::<Option<uuid::Uuid>, _>("order_id")?.map(OrderId),
                        reason: r.try_get("reason")?,
                        by_name: r.try_get("by_name")?,
                        at: Timestamp(r.try_get("at")?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{ASSIGNMENT_SELECT} WHERE a.unit_id = $1 ORDER BY a.started_at DESC"
            )))
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let assignments = rows
                .iter()
                .map(|r| Ok(assignment_from_row!(r)))
                .collect::<Result<Vec<_>>>()?;
            let rows = sqlx::query(
                "SELECT id, cleaning_method, disinfection_agent, contact_time_minutes, operator_name, data_wiped, factory_reset, \
                 function_test_passed, notes, price, completed_at FROM reprocessing_records WHERE unit_id = $1 ORDER BY completed_at DESC",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let reprocessing = rows
                .iter()
                .map(|r| {
                    let minutes: i64 = r.try_get("contact_time_minutes")?;
                    let passed: bool = r.try_get("function_test_passed")?;
                    Ok(StoredReprocessing {
                        id: ReprocessingId(r.try_get("id")?),
                        record: ReprocessingRecord {
                            cleaning_method: r.try_get("cleaning_method")?,
                            disinfection_agent: r.try_get("disinfection_agent")?,
                            contact_time_minutes: minutes as u32,
                            operator: r.try_get("operator_name")?,
                            data_wiped: r.try_get("data_wiped")?,
                            factory_reset: r.try_get("factory_reset")?,
                            function_test_passed: passed,
                            notes: r.try_get("notes")?,
                        },
                        passed,
                        price: r.try_get("price")?,
                        completed_at: Timestamp(r.try_get("completed_at")?),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let rows = sqlx::query(
                "SELECT kind, done_on, by_name, notes FROM maintenance_records WHERE unit_id = $1 ORDER BY done_on DESC",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let maintenance = rows
                .iter()
                .map(|r| {
                    Ok(MaintenanceEntry {
                        kind: MaintenanceKind::parse(&r.try_get::<String, _>("kind")?)?,
                        done_on: parse_date(&r.try_get::<String, _>("done_on")?)?,
                        by_name: r.try_get("by_name")?,
                        notes: r.try_get("notes")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok::<_, DbError>((history, assignments, reprocessing, maintenance))
        })?;
        let mut citizens: Vec<CitizenId> = assignments.iter().map(|a| a.citizen_id).collect();
        citizens.extend(history.iter().filter_map(|h| h.citizen_id));
        citizens.extend(summary.holder);
        citizens.sort();
        citizens.dedup();
        let (measurements, last_measurement_at) = self
            .measurements_from_unit(&summary.unit, &citizens)
            .await?;
        let records = support_reads(ctx, &decision, "unit", &citizens);
        self.audit(records).await?;
        let manual_events = summary
            .unit
            .state
            .possible_events(summary.unit.before_hold)
            .into_iter()
            .filter(|e| belongs_to_a_flow(*e).is_none())
            .collect();
        Ok(UnitPage {
            summary,
            warehouse_name,
            history,
            assignments,
            reprocessing,
            maintenance,
            measurements,
            last_measurement_at,
            manual_events,
        })
    }

    /// How many of these citizens' measurements named the unit (by serial or device id), and
    /// the latest arrival. Read through the citizens' index: measurements are never scanned.
    pub(crate) async fn measurements_from_unit(
        &self,
        unit: &Unit,
        citizens: &[CitizenId],
    ) -> Result<(i64, Option<Timestamp>)> {
        if citizens.is_empty() {
            return Ok((0, None));
        }
        let list = placeholders(3, citizens.len());
        on_read!(self, |c| {
            let mut q = sqlx::query_as::<_, (i64, Option<i64>)>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*), MAX(received_at) FROM observations WHERE citizen_id IN ({list}) AND (device = $1 OR device = $2)"
            )))
            .bind(&unit.pi.serial)
            .bind(unit.device_id.as_deref().unwrap_or(&unit.pi.serial));
            for id in citizens {
                q = q.bind(id.0);
            }
            let (n, last) = q.fetch_one(&mut *c).await?;
            Ok((n, last.map(Timestamp)))
        })
    }

    /// Records a lifecycle event by hand (inspection, goods in, start of reprocessing, fault,
    /// loss, repair, retirement ...). Events that belong to an order, a reprocessing record or
    /// a recall are refused here with the reason.
    pub async fn record_unit_event(
        &self,
        ctx: &AccessCtx,
        id: UnitId,
        event: UnitEvent,
        reason: &str,
    ) -> Result<UnitSummary> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "unit")
            .await?;
        if let Some(why) = belongs_to_a_flow(event) {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("'{event}' cannot be recorded by hand: {why}"),
            )
            .into());
        }
        let s = self.unit_summary(id).await?;
        if matches!(
            event,
            UnitEvent::ReportLost
                | UnitEvent::Retire
                | UnitEvent::FailInspection
                | UnitEvent::ReportFault
        ) && reason.trim().is_empty()
        {
            return Err(DomainError::invalid(format!("say why: '{event}' needs a reason")).into());
        }
        let t = Transition::decide(ctx, &s.unit, s.holder, event, None, None, reason)?;
        let mut record = ctx.record(
            &decision,
            AuditAction::Update,
            "unit",
            s.holder,
            s.holder.map(|_| DataCategory::Support),
        );
        record.entity_id = Some(id.to_string());
        let records = [record];
        let now = t.at;
        on_write!(self, |tx| {
            write_transition!(tx, &t);
            // Collected units back in the warehouse close their pickup order.
            if event == UnitEvent::GoodsIn {
                crate::equipment::orders::close_collected_orders!(tx, id, now, &t.by_name);
            }
            // A lost unit serves nobody any more: its assignments end (and stop costing).
            if event == UnitEvent::ReportLost {
                sqlx::query("UPDATE unit_assignments SET ended_at = $1 WHERE unit_id = $2 AND ended_at IS NULL")
                    .bind(now.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.unit_summary(id).await
    }

    /// Completes a unit's reprocessing with its hygiene record: passed, the unit is
    /// available; a failed function test sends it to repair; an incomplete record is refused
    /// and the unit stays in reprocessing. The record's price is charged to the organisation
    /// whose assignment ended last.
    pub async fn record_reprocessing(
        &self,
        ctx: &AccessCtx,
        id: UnitId,
        record: ReprocessingRecord,
    ) -> Result<UnitSummary> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "unit")
            .await?;
        let s = self.unit_summary(id).await?;
        if s.unit.state != UnitState::Reprocessing {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("the unit is {}, not in reprocessing", s.unit.state),
            )
            .into());
        }
        let event = record.outcome(&s.model)?;
        let reason = if event == UnitEvent::PassReprocessing {
            format!(
                "rengjort med {} ({}); funktionstest bestået",
                record.disinfection_agent, record.cleaning_method
            )
        } else {
            format!("funktionstest fejlede: {}", record.notes)
        };
        let t = Transition::decide(ctx, &s.unit, s.holder, event, None, None, &reason)?;
        let (previous_citizen, payer): (Option<uuid::Uuid>, Option<uuid::Uuid>) = on_read!(
            self,
            |c| {
                let row: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                "SELECT citizen_id, payer_org_id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NOT NULL \
                 ORDER BY ended_at DESC LIMIT 1",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?;
                Ok::<_, DbError>(row.map_or((None, None), |(c, p)| (Some(c), Some(p))))
            }
        )?;
        let mut audit = ctx.record(&decision, AuditAction::Create, "reprocessing", None, None);
        audit.entity_id = Some(id.to_string());
        let records = [audit];
        let by = ctx.principal.user_id().map(|u| u.0);
        on_write!(self, |tx| {
            write_transition!(tx, &t);
            sqlx::query(
                "INSERT INTO reprocessing_records (id, unit_id, previous_citizen_id, payer_org_id, cleaning_method, disinfection_agent, \
                 contact_time_minutes, operator_id, operator_name, data_wiped, factory_reset, function_test_passed, notes, price, completed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(uuid::Uuid::now_v7())
            .bind(id.0)
            .bind(previous_citizen)
            .bind(payer)
            .bind(record.cleaning_method.trim())
            .bind(record.disinfection_agent.trim())
            .bind(i64::from(record.contact_time_minutes))
            .bind(by)
            .bind(record.operator.trim())
            .bind(record.data_wiped)
            .bind(record.factory_reset)
            .bind(record.function_test_passed)
            .bind(record.notes.trim())
            .bind(s.model.reprocessing_price)
            .bind(t.at.0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        self.unit_summary(id).await
    }

    /// Records a calibration, battery change or software update done on a unit.
    pub async fn record_maintenance(
        &self,
        ctx: &AccessCtx,
        id: UnitId,
        kind: MaintenanceKind,
        done_on: Date,
        notes: &str,
    ) -> Result<()> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "unit")
            .await?;
        let s = self.unit_summary(id).await?;
        if done_on > super::today() {
            return Err(
                DomainError::invalid("maintenance cannot be recorded for a future day").into(),
            );
        }
        let mut audit = ctx.record(&decision, AuditAction::Create, "maintenance", None, None);
        audit.entity_id = Some(s.unit.id.to_string());
        let records = [audit];
        on_write!(self, |tx| {
            crate::equipment::visits::insert_maintenance!(
                tx,
                id,
                kind,
                done_on,
                ctx.principal.display_name(),
                notes.trim(),
                None::<uuid::Uuid>
            );
            crate::audit::insert_records!(tx, records)
        })
    }

    /// Who had this unit, newest first: every citizen it served, and when.
    pub async fn unit_holders(&self, ctx: &AccessCtx, id: UnitId) -> Result<Vec<Holder>> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Read, "unit_holder")
            .await?;
        self.unit_summary(id).await?;
        let holders = self
            .holders_where("a.unit_id = $1", &[Bind::Id(id.0)])
            .await?;
        let citizens: Vec<CitizenId> = holders.iter().map(|h| h.citizen_id).collect();
        self.audit(support_reads(ctx, &decision, "unit_holder", &citizens))
            .await?;
        Ok(holders)
    }

    /// Which citizens had units of this model (UDI-DI) and, if given, this lot.
    pub async fn lot_holders(
        &self,
        ctx: &AccessCtx,
        udi_di: &str,
        lot: Option<&str>,
    ) -> Result<Vec<Holder>> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Read, "unit_holder")
            .await?;
        let holders = self
            .holders_where(
                "m.udi_di = $1 AND ($2 IS NULL OR u.lot = $2)",
                &[
                    Bind::Text(Some(udi_di.to_string())),
                    Bind::Text(lot.map(String::from)),
                ],
            )
            .await?;
        let citizens: Vec<CitizenId> = holders.iter().map(|h| h.citizen_id).collect();
        self.audit(support_reads(ctx, &decision, "unit_holder", &citizens))
            .await?;
        Ok(holders)
    }

    /// One query for both traces: the citizens whose assignments match `condition`, a span
    /// per citizen and unit.
    async fn holders_where(&self, condition: &str, binds: &[Bind]) -> Result<Vec<Holder>> {
        let sql = format!(
            "SELECT a.citizen_id, c.given_name || ' ' || c.family_name AS name, a.unit_id, u.serial, MIN(a.started_at) AS from_at, \
             MAX(COALESCE(a.ended_at, 9223372036854775807)) AS to_at \
             FROM unit_assignments a JOIN units u ON u.id = a.unit_id JOIN device_models m ON m.id = u.model_id \
             JOIN citizens c ON c.id = a.citizen_id WHERE {condition} \
             GROUP BY a.citizen_id, c.given_name, c.family_name, a.unit_id, u.serial ORDER BY from_at DESC"
        );
        on_read!(self, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in binds {
                q = match b {
                    Bind::Id(id) => q.bind(*id),
                    Bind::Text(t) => q.bind(t.clone()),
                };
            }
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    let to: i64 = r.try_get("to_at")?;
                    Ok(Holder {
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        citizen_name: r.try_get("name")?,
                        unit_id: UnitId(r.try_get("unit_id")?),
                        serial: r.try_get("serial")?,
                        from: Timestamp(r.try_get("from_at")?),
                        to: (to != i64::MAX).then_some(Timestamp(to)),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }
}

/// A value bound to a query assembled from fixed fragments.
enum Bind {
    Id(uuid::Uuid),
    Text(Option<String>),
}

/// The audit record of an action on one citizen's support data (equipment, orders, visits),
/// naming the record acted on.
pub(crate) fn support_record(
    ctx: &AccessCtx,
    decision: &Decision,
    action: AuditAction,
    entity: &str,
    citizen: CitizenId,
    entity_id: Option<String>,
) -> AuditRecord {
    let mut r = ctx.record(
        decision,
        action,
        entity,
        Some(citizen),
        Some(DataCategory::Support),
    );
    r.entity_id = entity_id;
    r
}

/// Who acts, as the history and trace lines record them: user id and display name.
pub(crate) fn actor(ctx: &AccessCtx) -> (Option<uuid::Uuid>, String) {
    (
        ctx.principal.user_id().map(|u| u.0),
        ctx.principal.display_name().to_string(),
    )
}

/// The audit records of a service-centre read that names citizens: one per citizen, in the
/// support category, so each citizen's access log shows who traced their equipment.
pub(crate) fn support_reads(
    ctx: &AccessCtx,
    decision: &Decision,
    entity: &str,
    citizens: &[CitizenId],
) -> Vec<AuditRecord> {
    let mut seen: Vec<CitizenId> = Vec::new();
    citizens
        .iter()
        .filter(|c| {
            if seen.contains(c) {
                false
            } else {
                seen.push(**c);
                true
            }
        })
        .map(|c| {
            ctx.record(
                decision,
                AuditAction::Read,
                entity,
                Some(*c),
                Some(DataCategory::Support),
            )
        })
        .collect()
}
