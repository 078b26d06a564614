//! Orders: a clinician orders "the kit for this programme" and the service centre carries it
//! out. Ordering compares the kit with what the citizen already has (`plan_kit_order`), so
//! only what is missing is ordered and units in the home get a new assignment instead. Every
//! status change writes a trace line in the same transaction; the lifecycle itself is
//! `OrderStatus::next`.

use super::opt_date;
use super::units::{Transition, UnitSummary, actor, support_record, write_transition};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write, placeholders};
use crate::error::{DbError, Result};
use crate::monitoring::from_json;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, DataCategory};
use telesund_core::audit::AuditAction;
use telesund_core::care::{ConsentType, has_consent};
use telesund_core::equipment::catalogue::DeviceRole;
use telesund_core::equipment::kit::{HeldUnit, KitPlan, OpenLine, plan_kit_order};
use telesund_core::equipment::order::{Delivery, LineStatus, OrderStatus, Priority, ServiceType};
use telesund_core::equipment::unit::{UnitEvent, UnitState};
use telesund_core::ids::*;
use telesund_core::monitoring::programme::PlanStatus;
use telesund_core::{DomainError, ErrorCode};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderLine {
    pub id: OrderLineId,
    pub role: DeviceRole,
    /// The models that may fill the line.
    pub models: Vec<ModelId>,
    pub unit_id: Option<UnitId>,
    pub serial: Option<String>,
    pub replaces_unit_id: Option<UnitId>,
    pub status: LineStatus,
    /// The plans the unit will serve once installed.
    pub plans: Vec<CarePlanId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceLine {
    pub at: Timestamp,
    pub by_name: String,
    pub status_from: Option<OrderStatus>,
    pub status_to: Option<OrderStatus>,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub citizen_id: CitizenId,
    pub citizen_name: String,
    pub care_plan_id: Option<CarePlanId>,
    pub programme_name: Option<String>,
    pub payer_org_id: OrgId,
    pub payer_name: String,
    pub service_type: ServiceType,
    pub status: OrderStatus,
    pub priority: Priority,
    pub delivery: Delivery,
    pub created_by_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub lines: Vec<OrderLine>,
    pub trace: Vec<TraceLine>,
}

/// What a clinician chooses when ordering a kit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KitOrder {
    /// Delivery only, or installation in the home (the default: clinicians never handle
    /// equipment).
    pub service: ServiceType,
    pub priority: Priority,
    pub delivery: Delivery,
}

/// What ordering a kit came to: the comparison, and the order if anything was missing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KitOrderOutcome {
    pub plan: KitPlan,
    pub order: Option<Order>,
}

/// Inserts one order trace line inside the caller's transaction.
macro_rules! insert_trace {
    ($tx:expr, $order:expr, $at:expr, $by_user:expr, $by_name:expr, $from:expr, $to:expr, $text:expr) => {{
        let from: Option<telesund_core::equipment::order::OrderStatus> = $from;
        let to: Option<telesund_core::equipment::order::OrderStatus> = $to;
        sqlx::query(
            "INSERT INTO order_trace (id, order_id, at, by_user, by_name, status_from, status_to, text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($order.0)
        .bind($at.0)
        .bind($by_user)
        .bind($by_name)
        .bind(from.map(|s| s.as_str()))
        .bind(to.map(|s| s.as_str()))
        .bind($text)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_trace;

/// A new order, whole: its row, its lines with the plans each will serve, and the first
/// trace line. Written by [`insert_order!`], the one way orders are created.
pub(crate) struct NewOrder {
    pub(crate) id: OrderId,
    pub(crate) citizen: CitizenId,
    pub(crate) plan: Option<CarePlanId>,
    pub(crate) payer: OrgId,
    pub(crate) service: ServiceType,
    pub(crate) priority: Priority,
    pub(crate) delivery: Delivery,
    pub(crate) lines: Vec<NewLine>,
    pub(crate) by_user: Option<uuid::Uuid>,
    pub(crate) by_name: String,
    pub(crate) at: Timestamp,
    pub(crate) text: String,
}

pub(crate) struct NewLine {
    pub(crate) role: DeviceRole,
    pub(crate) models: Vec<ModelId>,
    pub(crate) unit: Option<UnitId>,
    pub(crate) replaces: Option<UnitId>,
    pub(crate) status: LineStatus,
    /// The plans the line's unit will serve, and who pays for each.
    pub(crate) plans: Vec<(CarePlanId, OrgId)>,
}

/// Lets a plan wait for an order line's unit.
macro_rules! insert_line_plan {
    ($tx:expr, $line:expr, $plan:expr, $payer:expr) => {{
        sqlx::query("INSERT INTO order_line_plans (line_id, care_plan_id, payer_org_id) VALUES ($1, $2, $3)")
            .bind($line)
            .bind($plan)
            .bind($payer)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use insert_line_plan;

/// Writes a [`NewOrder`] (status submitted) inside the caller's transaction.
macro_rules! insert_order {
    ($tx:expr, $order:expr) => {{
        let o: &$crate::equipment::orders::NewOrder = $order;
        sqlx::query(
            "INSERT INTO equipment_orders (id, citizen_id, care_plan_id, payer_org_id, service_type, status, priority, \
             earliest, latest, door_code, contact_person, notes, created_by, created_by_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(o.id.0)
        .bind(o.citizen.0)
        .bind(o.plan.map(|p| p.0))
        .bind(o.payer.0)
        .bind(o.service.as_str())
        .bind(o.priority.as_str())
        .bind(o.delivery.earliest.map($crate::equipment::date_text))
        .bind(o.delivery.latest.map($crate::equipment::date_text))
        .bind(o.delivery.door_code.trim())
        .bind(o.delivery.contact_person.trim())
        .bind(o.delivery.notes.trim())
        .bind(o.by_user)
        .bind(&o.by_name)
        .bind(o.at.0)
        .execute(&mut *$tx)
        .await?;
        for l in &o.lines {
            let line = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO order_lines (id, order_id, role, models, unit_id, replaces_unit_id, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(line)
            .bind(o.id.0)
            .bind(l.role.as_str())
            .bind($crate::monitoring::to_json(&l.models)?)
            .bind(l.unit.map(|u| u.0))
            .bind(l.replaces.map(|u| u.0))
            .bind(l.status.as_str())
            .execute(&mut *$tx)
            .await?;
            for (plan, payer) in &l.plans {
                $crate::equipment::orders::insert_line_plan!($tx, line, plan.0, payer.0);
            }
        }
        $crate::equipment::orders::insert_trace!(
            $tx,
            o.id,
            o.at,
            o.by_user,
            &o.by_name,
            None,
            Some(telesund_core::equipment::order::OrderStatus::Submitted),
            &o.text
        );
    }};
}
pub(crate) use insert_order;

/// Moves an order to `next` (checked against the lifecycle, and only from the status it was
/// read in) and writes the trace line.
macro_rules! step_order {
    ($tx:expr, $order:expr, $from:expr, $next:expr, $at:expr, $by_user:expr, $by_name:expr, $text:expr) => {{
        let from: telesund_core::equipment::order::OrderStatus = $from;
        let next: telesund_core::equipment::order::OrderStatus = $next;
        from.check_step(next)?;
        let changed = sqlx::query("UPDATE equipment_orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(next.as_str())
            .bind($at.0)
            .bind($order.0)
            .bind(from.as_str())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err($crate::DbError::conflict(
                telesund_core::ErrorCode::Conflict,
                "the order changed while this was recorded; look at it again",
            ));
        }
        $crate::equipment::orders::insert_trace!($tx, $order, $at, $by_user, $by_name, Some(from), Some(next), $text);
    }};
}
pub(crate) use step_order;

/// Makes every open assignment of `$unit` pay an equal share (after a plan joined or left).
macro_rules! rebalance_shares {
    ($tx:expr, $unit:expr) => {{
        let open: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL ORDER BY started_at, id",
        )
        .bind($unit)
        .fetch_all(&mut *$tx)
        .await?;
        for (id, share) in open.iter().zip(telesund_core::equipment::kit::equal_shares(open.len())) {
            sqlx::query("UPDATE unit_assignments SET share = $1 WHERE id = $2")
                .bind(i64::from(share))
                .bind(*id)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use rebalance_shares;

/// Starts a unit's service to one plan and rebalances the unit's shares.
macro_rules! assign_unit {
    ($tx:expr, $unit:expr, $plan:expr, $citizen:expr, $payer:expr, $order:expr, $at:expr) => {{
        sqlx::query(
            "INSERT INTO unit_assignments (id, unit_id, care_plan_id, citizen_id, payer_org_id, order_id, share, started_at, ended_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 10000, $7, NULL)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($unit)
        .bind($plan)
        .bind($citizen)
        .bind($payer)
        .bind($order)
        .bind($at.0)
        .execute(&mut *$tx)
        .await?;
        $crate::equipment::orders::rebalance_shares!($tx, $unit);
    }};
}
pub(crate) use assign_unit;

/// Closes the pickup orders of a unit that has come back to the warehouse, once every unit
/// of the order is back.
macro_rules! close_collected_orders {
    ($tx:expr, $unit:expr, $at:expr, $by_name:expr) => {{
        let orders: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT o.id FROM equipment_orders o JOIN order_lines l ON l.order_id = o.id \
             WHERE l.unit_id = $1 AND o.status = 'collected'",
        )
        .bind($unit.0)
        .fetch_all(&mut *$tx)
        .await?;
        for order in orders {
            let still_out: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM order_lines l JOIN units u ON u.id = l.unit_id \
                 WHERE l.order_id = $1 AND l.status = 'returned' AND u.state = 'in_transit_back'",
            )
            .bind(order)
            .fetch_one(&mut *$tx)
            .await?;
            if still_out == 0 {
                $crate::equipment::orders::step_order!(
                    $tx,
                    telesund_core::ids::OrderId(order),
                    telesund_core::equipment::order::OrderStatus::Collected,
                    telesund_core::equipment::order::OrderStatus::Closed,
                    $at,
                    None::<uuid::Uuid>,
                    $by_name,
                    "alle enheder er tilbage på lageret"
                );
            }
        }
    }};
}
pub(crate) use close_collected_orders;

/// Ends a plan's equipment inside the transaction that ends the plan: its assignments end,
/// shared units stay in the home for the other plans, units no plan uses any more get a
/// pickup order, and open order lines stop waiting for the plan.
macro_rules! end_plan_equipment {
    ($tx:expr, $plan:expr, $at:expr, $by_user:expr, $by_name:expr) => {{
        let ended: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
            "UPDATE unit_assignments SET ended_at = $1 WHERE care_plan_id = $2 AND ended_at IS NULL \
             RETURNING unit_id, citizen_id, payer_org_id",
        )
        .bind($at.0)
        .bind($plan.0)
        .fetch_all(&mut *$tx)
        .await?;
        let mut pickup: Vec<(uuid::Uuid, String)> = Vec::new();
        for (unit, _, _) in &ended {
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL",
            )
            .bind(*unit)
            .fetch_one(&mut *$tx)
            .await?;
            if left > 0 {
                $crate::equipment::orders::rebalance_shares!($tx, *unit);
            } else {
                let role: String = sqlx::query_scalar(
                    "SELECT m.role FROM units u JOIN device_models m ON m.id = u.model_id WHERE u.id = $1",
                )
                .bind(*unit)
                .fetch_one(&mut *$tx)
                .await?;
                pickup.push((*unit, role));
            }
        }
        if let Some((_, citizen, payer)) = ended.first() {
            if !pickup.is_empty() {
                let order = $crate::equipment::orders::NewOrder {
                    id: telesund_core::ids::OrderId::new(),
                    citizen: telesund_core::ids::CitizenId(*citizen),
                    plan: Some($plan),
                    payer: telesund_core::ids::OrgId(*payer),
                    service: telesund_core::equipment::order::ServiceType::Pickup,
                    priority: telesund_core::equipment::order::Priority::Routine,
                    delivery: Default::default(),
                    lines: pickup
                        .iter()
                        .map(|(unit, role)| {
                            Ok($crate::equipment::orders::NewLine {
                                role: telesund_core::equipment::catalogue::DeviceRole::parse(role)?,
                                models: Vec::new(),
                                unit: Some(telesund_core::ids::UnitId(*unit)),
                                replaces: None,
                                status: telesund_core::equipment::order::LineStatus::Delivered,
                                plans: Vec::new(),
                            })
                        })
                        .collect::<std::result::Result<Vec<_>, telesund_core::DomainError>>()?,
                    by_user: $by_user,
                    by_name: $by_name.to_string(),
                    at: $at,
                    text: format!(
                        "afhentning bestilt automatisk: forløbet er afsluttet, og {} enhed(er) bruges ikke i andre forløb",
                        pickup.len()
                    ),
                };
                $crate::equipment::orders::insert_order!($tx, &order);
            }
        }
        // Open lines stop waiting for the plan; a line no plan waits for is cancelled, and
        // an order left with no line is cancelled.
        let waiting: Vec<(uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
            "SELECT l.id, l.order_id, l.status FROM order_line_plans lp JOIN order_lines l ON l.id = lp.line_id \
             WHERE lp.care_plan_id = $1 AND l.status IN ('pending','allocated')",
        )
        .bind($plan.0)
        .fetch_all(&mut *$tx)
        .await?;
        sqlx::query(
            "DELETE FROM order_line_plans WHERE care_plan_id = $1 AND line_id IN \
             (SELECT id FROM order_lines WHERE status IN ('pending','allocated'))",
        )
        .bind($plan.0)
        .execute(&mut *$tx)
        .await?;
        for (line, order, status) in &waiting {
            let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_line_plans WHERE line_id = $1")
                .bind(*line)
                .fetch_one(&mut *$tx)
                .await?;
            if plans > 0 {
                continue;
            }
            if status == "pending" {
                sqlx::query("UPDATE order_lines SET status = 'cancelled' WHERE id = $1")
                    .bind(*line)
                    .execute(&mut *$tx)
                    .await?;
            }
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM order_lines WHERE order_id = $1 AND status <> 'cancelled'",
            )
            .bind(*order)
            .fetch_one(&mut *$tx)
            .await?;
            let current: String = sqlx::query_scalar("SELECT status FROM equipment_orders WHERE id = $1")
                .bind(*order)
                .fetch_one(&mut *$tx)
                .await?;
            let current = telesund_core::equipment::order::OrderStatus::parse(&current)?;
            if open == 0 && current.can_become(telesund_core::equipment::order::OrderStatus::Cancelled) {
                $crate::equipment::orders::step_order!(
                    $tx,
                    telesund_core::ids::OrderId(*order),
                    current,
                    telesund_core::equipment::order::OrderStatus::Cancelled,
                    $at,
                    $by_user,
                    $by_name,
                    "forløbet blev afsluttet før levering; intet på ordren skal bruges længere"
                );
            } else if status == "allocated" {
                $crate::equipment::orders::insert_trace!(
                    $tx,
                    telesund_core::ids::OrderId(*order),
                    $at,
                    $by_user,
                    $by_name,
                    None,
                    None,
                    "forløbet er afsluttet: en tildelt enhed på ordren skal ikke bruges længere; frigiv den"
                );
            }
        }
    }};
}
pub(crate) use end_plan_equipment;

const ORDER_SELECT: &str = "SELECT o.id, o.citizen_id, c.given_name || ' ' || c.family_name AS citizen_name, o.care_plan_id, \
     p.name AS programme_name, o.payer_org_id, org.name AS payer_name, o.service_type, o.status, o.priority, o.earliest, o.latest, \
     o.door_code, o.contact_person, o.notes, o.created_by_name, o.created_at, o.updated_at \
     FROM equipment_orders o JOIN citizens c ON c.id = o.citizen_id JOIN organisations org ON org.id = o.payer_org_id \
     LEFT JOIN care_plans cp ON cp.id = o.care_plan_id LEFT JOIN programme_versions pv ON pv.id = cp.programme_version_id \
     LEFT JOIN programmes p ON p.id = pv.programme_id";

impl Db {
    /// Orders by id, whole (lines, their plans, the trace), in the order of `ids`.
    pub(crate) async fn orders_by_ids(&self, ids: &[OrderId]) -> Result<Vec<Order>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(1, ids.len());
        let mut orders: Vec<Order> = on_read!(self, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{ORDER_SELECT} WHERE o.id IN ({list})"
            )));
            for id in ids {
                q = q.bind(id.0);
            }
            let rows = q.fetch_all(&mut *c).await?;
            let mut orders = rows
                .iter()
                .map(|r| {
                    Ok(Order {
                        id: OrderId(r.try_get("id")?),
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        citizen_name: r.try_get("citizen_name")?,
                        care_plan_id: r
                            .try_get::<Option<uuid::Uuid>, _>("care_plan_id")?
                            .map(CarePlanId),
                        programme_name: r.try_get("programme_name")?,
                        payer_org_id: OrgId(r.try_get("payer_org_id")?),
                        payer_name: r.try_get("payer_name")?,
                        service_type: ServiceType::parse(&r.try_get::<String, _>("service_type")?)?,
                        status: OrderStatus::parse(&r.try_get::<String, _>("status")?)?,
                        priority: Priority::parse(&r.try_get::<String, _>("priority")?)?,
                        delivery: Delivery {
                            earliest: opt_date(r.try_get("earliest")?)?,
                            latest: opt_date(r.try_get("latest")?)?,
                            door_code: r.try_get("door_code")?,
                            contact_person: r.try_get("contact_person")?,
                            notes: r.try_get("notes")?,
                        },
                        created_by_name: r.try_get("created_by_name")?,
                        created_at: Timestamp(r.try_get("created_at")?),
                        updated_at: Timestamp(r.try_get("updated_at")?),
                        lines: Vec::new(),
                        trace: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT l.id, l.order_id, l.role, l.models, l.unit_id, u.serial, l.replaces_unit_id, l.status \
                 FROM order_lines l LEFT JOIN units u ON u.id = l.unit_id WHERE l.order_id IN ({list}) ORDER BY l.id"
            )));
            for id in ids {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&mut *c).await? {
                let order = OrderId(r.try_get("order_id")?);
                let models: String = r.try_get("models")?;
                let line = OrderLine {
                    id: OrderLineId(r.try_get("id")?),
                    role: DeviceRole::parse(&r.try_get::<String, _>("role")?)?,
                    models: from_json(&models)?,
                    unit_id: r.try_get::<Option<uuid::Uuid>, _>("unit_id")?.map(UnitId),
                    serial: r.try_get("serial")?,
                    replaces_unit_id: r
                        .try_get::<Option<uuid::Uuid>, _>("replaces_unit_id")?
                        .map(UnitId),
                    status: LineStatus::parse(&r.try_get::<String, _>("status")?)?,
                    plans: Vec::new(),
                };
                if let Some(o) = orders.iter_mut().find(|o| o.id == order) {
                    o.lines.push(line);
                }
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT lp.line_id, lp.care_plan_id, l.order_id FROM order_line_plans lp JOIN order_lines l ON l.id = lp.line_id \
                 WHERE l.order_id IN ({list}) ORDER BY lp.care_plan_id"
            )));
            for id in ids {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&mut *c).await? {
                let order = OrderId(r.try_get("order_id")?);
                let line = OrderLineId(r.try_get("line_id")?);
                let plan = CarePlanId(r.try_get("care_plan_id")?);
                if let Some(l) = orders
                    .iter_mut()
                    .find(|o| o.id == order)
                    .and_then(|o| o.lines.iter_mut().find(|l| l.id == line))
                {
                    l.plans.push(plan);
                }
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT order_id, at, by_name, status_from, status_to, text FROM order_trace WHERE order_id IN ({list}) ORDER BY at, id"
            )));
            for id in ids {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&mut *c).await? {
                let order = OrderId(r.try_get("order_id")?);
                let from: Option<String> = r.try_get("status_from")?;
                let to: Option<String> = r.try_get("status_to")?;
                let t = TraceLine {
                    at: Timestamp(r.try_get("at")?),
                    by_name: r.try_get("by_name")?,
                    status_from: from.as_deref().map(OrderStatus::parse).transpose()?,
                    status_to: to.as_deref().map(OrderStatus::parse).transpose()?,
                    text: r.try_get("text")?,
                };
                if let Some(o) = orders.iter_mut().find(|o| o.id == order) {
                    o.trace.push(t);
                }
            }
            Ok::<_, DbError>(orders)
        })?;
        orders.sort_by_key(|o| ids.iter().position(|i| *i == o.id));
        Ok(orders)
    }

    pub(crate) async fn order_by_id(&self, id: OrderId) -> Result<Order> {
        self.orders_by_ids(&[id])
            .await?
            .pop()
            .ok_or_else(|| DbError::not_found("order"))
    }

    /// One order, for the service centre or for staff who may see the citizen's support data.
    pub async fn order(&self, ctx: &AccessCtx, id: OrderId) -> Result<Order> {
        let order = self.order_by_id(id).await?;
        let decision = match self.equipment_guard_quiet(ctx) {
            Some(d) => d,
            None => {
                self.guard_citizen(
                    ctx,
                    order.citizen_id,
                    Action::Read(DataCategory::Support),
                    AuditAction::Read,
                    "equipment_order",
                )
                .await?
            }
        };
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Read,
            "equipment_order",
            order.citizen_id,
            Some(id.to_string()),
        );
        self.audit(vec![record]).await?;
        Ok(order)
    }

    /// The service centre's decision without auditing a refusal (for reads that other staff
    /// may also make through a care relationship).
    pub(crate) fn equipment_guard_quiet(
        &self,
        ctx: &AccessCtx,
    ) -> Option<telesund_core::access::Decision> {
        let d = telesund_core::authorize(
            &ctx.principal,
            Action::ManageEquipment,
            telesund_core::access::Resource::Platform,
        );
        d.allowed.then_some(d)
    }

    /// Orders in the given statuses, oldest first (the logistics dashboard's queues).
    pub async fn orders_in_status(
        &self,
        ctx: &AccessCtx,
        statuses: &[OrderStatus],
    ) -> Result<Vec<Order>> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Read, "equipment_order")
            .await?;
        let list = placeholders(1, statuses.len().max(1));
        let ids: Vec<OrderId> = on_read!(self, |c| {
            let mut q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM equipment_orders WHERE status IN ({list}) ORDER BY created_at"
            )));
            if statuses.is_empty() {
                q = q.bind("");
            }
            for s in statuses {
                q = q.bind(s.as_str());
            }
            Ok::<_, DbError>(
                q.fetch_all(&mut *c)
                    .await?
                    .into_iter()
                    .map(OrderId)
                    .collect(),
            )
        })?;
        let orders = self.orders_by_ids(&ids).await?;
        let citizens: Vec<CitizenId> = orders.iter().map(|o| o.citizen_id).collect();
        self.audit(super::units::support_reads(
            ctx,
            &decision,
            "equipment_order",
            &citizens,
        ))
        .await?;
        Ok(orders)
    }

    /// The units a citizen has in use (with the plans each serves) and the roles on open
    /// order lines: what a kit order is compared with. A unit whose plans have all ended is
    /// on its way back (its pickup order stands), so it serves no new plan.
    async fn held_and_open(&self, citizen: CitizenId) -> Result<(Vec<HeldUnit>, Vec<OpenLine>)> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT u.id, u.model_id, m.role, a.care_plan_id FROM units u JOIN device_models m ON m.id = u.model_id \
                 JOIN unit_assignments a ON a.unit_id = u.id AND a.ended_at IS NULL \
                 WHERE u.citizen_id = $1 AND u.state IN ('in_use','swap_pending') ORDER BY u.id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let mut held: Vec<HeldUnit> = Vec::new();
            for r in &rows {
                let id = UnitId(r.try_get("id")?);
                let plan: Option<uuid::Uuid> = r.try_get("care_plan_id")?;
                if held.last().is_none_or(|h| h.unit_id != id) {
                    held.push(HeldUnit {
                        unit_id: id,
                        model_id: ModelId(r.try_get("model_id")?),
                        role: DeviceRole::parse(&r.try_get::<String, _>("role")?)?,
                        plans: Vec::new(),
                    });
                }
                if let (Some(h), Some(p)) = (held.last_mut(), plan) {
                    h.plans.push(CarePlanId(p));
                }
            }
            let rows = sqlx::query(
                "SELECT l.id, l.role, lp.care_plan_id FROM order_lines l JOIN equipment_orders o ON o.id = l.order_id \
                 LEFT JOIN order_line_plans lp ON lp.line_id = l.id \
                 WHERE o.citizen_id = $1 AND l.status IN ('pending','allocated') \
                 AND o.status NOT IN ('rejected','cancelled','closed') ORDER BY l.id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let mut open: Vec<OpenLine> = Vec::new();
            for r in &rows {
                let id = OrderLineId(r.try_get("id")?);
                let plan: Option<uuid::Uuid> = r.try_get("care_plan_id")?;
                if open.last().is_none_or(|l| l.line_id != id) {
                    open.push(OpenLine {
                        line_id: id,
                        role: DeviceRole::parse(&r.try_get::<String, _>("role")?)?,
                        plans: Vec::new(),
                    });
                }
                if let (Some(l), Some(p)) = (open.last_mut(), plan) {
                    l.plans.push(CarePlanId(p));
                }
            }
            Ok((held, open))
        })
    }

    /// What ordering the plan's kit would come to now, without ordering (the "Udstyr" tab).
    pub async fn preview_kit_order(
        &self,
        ctx: &AccessCtx,
        plan_id: CarePlanId,
    ) -> Result<Option<KitPlan>> {
        let plan = self.plan(plan_id).await?;
        let record = {
            let d = self
                .guard_citizen(
                    ctx,
                    plan.citizen_id,
                    Action::Read(DataCategory::Support),
                    AuditAction::Read,
                    "equipment",
                )
                .await?;
            ctx.record(
                &d,
                AuditAction::Read,
                "equipment",
                Some(plan.citizen_id),
                Some(DataCategory::Support),
            )
        };
        let Some(kit) = self.kit_for_programme(plan.programme_id).await? else {
            return Ok(None);
        };
        let payer = self.plan_payer(&plan).await?;
        let (held, open) = self.held_and_open(plan.citizen_id).await?;
        let preview = plan_kit_order(&kit, plan.id, payer, &self.models().await?, &held, &open)?;
        self.audit(vec![record]).await?;
        Ok(Some(preview))
    }

    /// The organisation that pays for a plan's equipment: the one that enrolled the citizen.
    async fn plan_payer(
        &self,
        plan: &telesund_core::monitoring::programme::CarePlan,
    ) -> Result<OrgId> {
        let facts = self.citizen_facts(plan.citizen_id).await?;
        facts
            .enrolments
            .iter()
            .find(|e| e.id == plan.enrolment_id)
            .map(|e| e.org_id)
            .ok_or_else(|| DbError::Internal("a care plan without its enrolment".into()))
    }

    /// Orders the kit of a plan's programme: units the citizen already has take the plan on
    /// (a new assignment, shares rebalanced), roles already on their way join that line, and
    /// only the rest is ordered. Needs the citizen's consent to share the address with the
    /// logistics partner.
    pub async fn order_kit(
        &self,
        ctx: &AccessCtx,
        plan_id: CarePlanId,
        input: KitOrder,
    ) -> Result<KitOrderOutcome> {
        let plan = self.plan(plan_id).await?;
        let decision = self
            .guard_citizen(
                ctx,
                plan.citizen_id,
                Action::Write(DataCategory::Support),
                AuditAction::Create,
                "equipment_order",
            )
            .await?;
        if plan.status == PlanStatus::Ended {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                "the plan has ended; equipment cannot be ordered for it",
            )
            .into());
        }
        if !matches!(input.service, ServiceType::Deliver | ServiceType::Install) {
            return Err(DomainError::invalid("a kit is delivered or installed").into());
        }
        let facts = self.citizen_facts(plan.citizen_id).await?;
        if !has_consent(&facts.consents, ConsentType::LogisticsAddressSharing, None) {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                "the citizen has not consented to sharing their address with the logistics partner; record that consent before ordering",
            )
            .into());
        }
        input.delivery.validate(super::today())?;
        let kit = self
            .kit_for_programme(plan.programme_id)
            .await?
            .ok_or_else(|| {
                DomainError::invalid(format!(
                    "{} has no kit in the catalogue",
                    plan.programme_name
                ))
            })?;
        let payer = self.plan_payer(&plan).await?;
        let (held, open) = self.held_and_open(plan.citizen_id).await?;
        let kit_plan = plan_kit_order(&kit, plan.id, payer, &self.models().await?, &held, &open)?;
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let order_id = kit_plan.needs_delivery().then(OrderId::new);
        let mut record = ctx.record(
            &decision,
            AuditAction::Create,
            "equipment_order",
            Some(plan.citizen_id),
            Some(DataCategory::Support),
        );
        record.entity_id = order_id
            .map(|o| o.to_string())
            .or(Some(plan.id.to_string()));
        let records = [record];
        let role_list = |roles: &mut dyn Iterator<Item = DeviceRole>| {
            roles.map(|r| r.danish()).collect::<Vec<_>>().join(", ")
        };
        let summary = format!(
            "{} til {}: bestilt {}; genbruges fra hjemmet: {}; allerede på vej: {}",
            kit.name,
            plan.programme_name,
            role_list(&mut kit_plan.order.iter().map(|(r, _)| *r)),
            role_list(&mut kit_plan.share.iter().map(|(r, _)| *r)),
            role_list(&mut kit_plan.join.iter().map(|(r, _)| *r)),
        );
        let new_order = order_id.map(|id| NewOrder {
            id,
            citizen: plan.citizen_id,
            plan: Some(plan.id),
            payer,
            service: input.service,
            priority: input.priority,
            delivery: input.delivery.clone(),
            lines: kit_plan
                .order
                .iter()
                .map(|(role, models)| NewLine {
                    role: *role,
                    models: models.clone(),
                    unit: None,
                    replaces: None,
                    status: LineStatus::Pending,
                    plans: vec![(plan.id, payer)],
                })
                .collect(),
            by_user,
            by_name: by_name.clone(),
            at: now,
            text: summary,
        });
        on_write!(self, |tx| {
            for (_, unit) in &kit_plan.share {
                assign_unit!(
                    tx,
                    unit.0,
                    plan.id.0,
                    plan.citizen_id.0,
                    payer.0,
                    order_id.map(|o| o.0),
                    now
                );
            }
            for (_, line) in &kit_plan.join {
                insert_line_plan!(tx, line.0, plan.id.0, payer.0);
            }
            if let Some(order) = &new_order {
                insert_order!(tx, order);
            }
            crate::audit::insert_records!(tx, records)
        })?;
        let order = match order_id {
            Some(id) => Some(self.order_by_id(id).await?),
            None => None,
        };
        Ok(KitOrderOutcome {
            plan: kit_plan,
            order,
        })
    }

    /// A status change the service centre makes by hand: accept, reject (with a reason),
    /// cancel (with a reason; allocated units go back), request a return, close. The other
    /// steps happen through allocation, dispatch and visits. The ordering clinician may also
    /// cancel an order that has not been accepted.
    pub async fn change_order_status(
        &self,
        ctx: &AccessCtx,
        id: OrderId,
        next: OrderStatus,
        note: &str,
    ) -> Result<Order> {
        let order = self.order_by_id(id).await?;
        let decision = match self.equipment_guard_quiet(ctx) {
            Some(d) => d,
            None if next == OrderStatus::Cancelled && order.status == OrderStatus::Submitted => {
                self.guard_citizen(
                    ctx,
                    order.citizen_id,
                    Action::Write(DataCategory::Support),
                    AuditAction::Update,
                    "equipment_order",
                )
                .await?
            }
            None => {
                self.equipment_guard(ctx, AuditAction::Update, "equipment_order")
                    .await?
            }
        };
        use OrderStatus as S;
        let by_hand = matches!(
            next,
            S::Accepted
                | S::Rejected
                | S::Cancelled
                | S::ReturnRequested
                | S::ChangeRequested
                | S::Active
                | S::Closed
        );
        if !by_hand {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "an order becomes {next} through its allocation, dispatch or visit, not by hand"
                ),
            )
            .into());
        }
        order.status.check_step(next)?;
        if matches!(
            next,
            S::Rejected | S::Cancelled | S::ReturnRequested | S::ChangeRequested
        ) && note.trim().is_empty()
        {
            return Err(DomainError::invalid(format!("say why the order is {next}")).into());
        }
        // Units allocated to a cancelled order go back: a reserved unit to the shelf, a
        // prepared one to be cleaned.
        let allocated: Vec<UnitId> = order
            .lines
            .iter()
            .filter(|l| l.status == LineStatus::Allocated)
            .filter_map(|l| l.unit_id)
            .collect();
        let mut releases = Vec::new();
        if next == S::Cancelled {
            for s in self.unit_summaries(&allocated).await? {
                releases.push(Transition::decide(
                    ctx,
                    &s.unit,
                    s.holder,
                    UnitEvent::Release,
                    None,
                    Some(id),
                    "ordren blev annulleret",
                )?);
            }
        }
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Update,
            "equipment_order",
            order.citizen_id,
            Some(id.to_string()),
        );
        let records = [record];
        // The trace line's status columns say what changed; the text is the staff's note.
        let text = note.trim().to_string();
        on_write!(self, |tx| {
            step_order!(tx, id, order.status, next, now, by_user, &by_name, &text);
            for t in &releases {
                write_transition!(tx, t);
            }
            if next == S::Cancelled {
                sqlx::query("UPDATE order_lines SET status = 'cancelled', unit_id = NULL WHERE order_id = $1 AND status IN ('pending','allocated')")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.order_by_id(id).await
    }

    /// Allocates a unit (by scanned label or serial) to a line: the unit must be available
    /// and of a model the line accepts. The first allocation starts the picking.
    pub async fn allocate_unit(
        &self,
        ctx: &AccessCtx,
        line: OrderLineId,
        scanned: &str,
    ) -> Result<Order> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "equipment_order")
            .await?;
        let order_id: uuid::Uuid = on_read!(self, |c| {
            sqlx::query_scalar::<_, uuid::Uuid>("SELECT order_id FROM order_lines WHERE id = $1")
                .bind(line.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("order line"))
        })?;
        let order = self.order_by_id(OrderId(order_id)).await?;
        if !matches!(order.status, OrderStatus::Scheduled | OrderStatus::Picking) {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "units are allocated to a scheduled order; this one is {}",
                    order.status
                ),
            )
            .into());
        }
        let l = order
            .lines
            .iter()
            .find(|l| l.id == line)
            .ok_or_else(|| DbError::not_found("order line"))?;
        if l.status != LineStatus::Pending {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("the line is {}, not waiting for a unit", l.status),
            )
            .into());
        }
        let unit: UnitSummary = self
            .find_unit(ctx, scanned)
            .await?
            .ok_or_else(|| DomainError::not_found("unit with that serial number or label"))?;
        if unit.model.role != l.role || !(l.models.is_empty() || l.models.contains(&unit.model.id))
        {
            return Err(DomainError::invalid(format!(
                "{} {} is not a model this {} line accepts",
                unit.model.manufacturer, unit.model.name, l.role
            ))
            .into());
        }
        if unit.unit.state != UnitState::Available {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "unit {} is {}, not available",
                    unit.unit.pi.serial, unit.unit.state
                ),
            )
            .into());
        }
        let t = Transition::decide(
            ctx,
            &unit.unit,
            unit.holder,
            UnitEvent::Reserve,
            Some(order.citizen_id),
            Some(order.id),
            "tildelt ordren",
        )?;
        let now = t.at;
        let by_user = t.by_user;
        let by_name = t.by_name.clone();
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Update,
            "equipment_order",
            order.citizen_id,
            Some(order.id.to_string()),
        );
        let records = [record];
        let text = format!(
            "{} {} (SN {}) tildelt linjen {}",
            unit.model.manufacturer,
            unit.model.name,
            unit.unit.pi.serial,
            l.role.danish()
        );
        on_write!(self, |tx| {
            write_transition!(tx, &t);
            let changed = sqlx::query("UPDATE order_lines SET unit_id = $1, status = 'allocated' WHERE id = $2 AND status = 'pending'")
                .bind(unit.unit.id.0)
                .bind(line.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed != 1 {
                return Err(DbError::conflict(
                    ErrorCode::Conflict,
                    "the line was allocated meanwhile",
                ));
            }
            if order.status == OrderStatus::Scheduled {
                step_order!(
                    tx,
                    order.id,
                    OrderStatus::Scheduled,
                    OrderStatus::Picking,
                    now,
                    by_user,
                    &by_name,
                    &text
                );
            } else {
                insert_trace!(tx, order.id, now, by_user, &by_name, None, None, &text);
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.order_by_id(order.id).await
    }

    /// Sends a picked order out: every line must have its unit; each unit is prepared and
    /// handed to the technician.
    pub async fn dispatch_order(&self, ctx: &AccessCtx, id: OrderId) -> Result<Order> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "equipment_order")
            .await?;
        let order = self.order_by_id(id).await?;
        order.status.check_step(OrderStatus::Dispatched)?;
        let live: Vec<&OrderLine> = order
            .lines
            .iter()
            .filter(|l| l.status != LineStatus::Cancelled)
            .collect();
        if let Some(l) = live.iter().find(|l| l.status != LineStatus::Allocated) {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("the {} line has no unit yet", l.role),
            )
            .into());
        }
        let units: Vec<UnitId> = live.iter().filter_map(|l| l.unit_id).collect();
        let mut steps = Vec::new();
        for s in self.unit_summaries(&units).await? {
            let prepare = Transition::decide(
                ctx,
                &s.unit,
                s.holder,
                UnitEvent::Prepare,
                None,
                Some(id),
                "parret, testet og pakket",
            )?;
            let mut prepared = s.unit.clone();
            prepared.state = prepare.to;
            prepared.location = prepare.location;
            let dispatch = Transition::decide(
                ctx,
                &prepared,
                prepare.holder,
                UnitEvent::Dispatch,
                None,
                Some(id),
                "ud med teknikeren",
            )?;
            steps.push(prepare);
            steps.push(dispatch);
        }
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Update,
            "equipment_order",
            order.citizen_id,
            Some(id.to_string()),
        );
        let records = [record];
        on_write!(self, |tx| {
            for t in &steps {
                write_transition!(tx, t);
            }
            step_order!(
                tx,
                id,
                order.status,
                OrderStatus::Dispatched,
                now,
                by_user,
                &by_name,
                "afsendt"
            );
            crate::audit::insert_records!(tx, records)
        })?;
        self.order_by_id(id).await
    }

    /// A faulty unit in a home gets a replacement: the unit is marked swap pending and a
    /// REPLACE order for a unit of the same role takes over all of its plans on installation.
    pub async fn order_replacement(
        &self,
        ctx: &AccessCtx,
        unit_id: UnitId,
        fault: &str,
    ) -> Result<Order> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "equipment_order")
            .await?;
        if fault.trim().is_empty() {
            return Err(DomainError::invalid("describe the fault").into());
        }
        let s = self.unit_summary(unit_id).await?;
        let citizen = s.holder.ok_or_else(|| {
            DomainError::new(ErrorCode::Conflict, "the unit is not with a citizen")
        })?;
        let assignments: Vec<(uuid::Uuid, uuid::Uuid)> = on_read!(self, |c| {
            let rows: Vec<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                "SELECT care_plan_id, payer_org_id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL ORDER BY started_at",
            )
            .bind(unit_id.0)
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(rows)
        })?;
        let payer = assignments
            .first()
            .map(|(_, p)| *p)
            .ok_or_else(|| DomainError::new(ErrorCode::Conflict, "the unit serves no plan"))?;
        let fault_step = if s.unit.state == UnitState::InUse {
            Some(Transition::decide(
                ctx,
                &s.unit,
                s.holder,
                UnitEvent::ReportFault,
                None,
                None,
                fault,
            )?)
        } else if s.unit.state == UnitState::SwapPending {
            None
        } else {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "a unit that is {} cannot be replaced in the home",
                    s.unit.state
                ),
            )
            .into());
        };
        let models: Vec<ModelId> = self
            .models()
            .await?
            .into_iter()
            .filter(|m| {
                m.role == s.model.role
                    && m.status == telesund_core::equipment::ModelStatus::Approved
            })
            .map(|m| m.id)
            .collect();
        let order = OrderId::new();
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Create,
            "equipment_order",
            citizen,
            Some(order.to_string()),
        );
        let records = [record];
        let text = format!(
            "ombytning af {} {} (SN {}): {}",
            s.model.manufacturer,
            s.model.name,
            s.unit.pi.serial,
            fault.trim()
        );
        let new_order = NewOrder {
            id: order,
            citizen,
            plan: None,
            payer: OrgId(payer),
            service: ServiceType::Replace,
            priority: Priority::Urgent,
            delivery: Delivery {
                notes: fault.trim().to_string(),
                ..Default::default()
            },
            lines: vec![NewLine {
                role: s.model.role,
                models,
                unit: None,
                replaces: Some(unit_id),
                status: LineStatus::Pending,
                plans: assignments
                    .iter()
                    .map(|(p, o)| (CarePlanId(*p), OrgId(*o)))
                    .collect(),
            }],
            by_user,
            by_name: by_name.clone(),
            at: now,
            text,
        };
        on_write!(self, |tx| {
            if let Some(t) = &fault_step {
                write_transition!(tx, t);
            }
            insert_order!(tx, &new_order);
            crate::audit::insert_records!(tx, records)
        })?;
        self.order_by_id(order).await
    }

    /// Orders a service visit for a unit in a home: training, calibration, maintenance or a
    /// repair on site. No unit moves; the order closes when its visit is done. The unit's
    /// first plan's organisation pays.
    pub async fn order_service(
        &self,
        ctx: &AccessCtx,
        unit_id: UnitId,
        service: ServiceType,
        note: &str,
    ) -> Result<Order> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "equipment_order")
            .await?;
        if !service.is_service_visit() {
            return Err(DomainError::invalid(format!(
                "{service} is not a service visit (training, calibration, maintenance or repair)"
            ))
            .into());
        }
        let s = self.unit_summary(unit_id).await?;
        let citizen = match (s.holder, s.unit.state) {
            (Some(c), UnitState::InUse | UnitState::SwapPending) => c,
            _ => {
                return Err(DomainError::new(
                    ErrorCode::Conflict,
                    format!("unit {} is not in use in a home", s.unit.pi.serial),
                )
                .into());
            }
        };
        let payer: uuid::Uuid = on_read!(self, |c| {
            sqlx::query_scalar::<_, uuid::Uuid>(
                "SELECT payer_org_id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL ORDER BY started_at LIMIT 1",
            )
            .bind(unit_id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::conflict(ErrorCode::Conflict, "the unit serves no plan"))
        })?;
        let id = OrderId::new();
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Create,
            "equipment_order",
            citizen,
            Some(id.to_string()),
        );
        let records = [record];
        let new_order = NewOrder {
            id,
            citizen,
            plan: None,
            payer: OrgId(payer),
            service,
            priority: Priority::Routine,
            delivery: Delivery {
                notes: note.trim().to_string(),
                ..Default::default()
            },
            lines: vec![NewLine {
                role: s.model.role,
                models: vec![s.model.id],
                unit: Some(unit_id),
                replaces: None,
                status: LineStatus::Delivered,
                plans: Vec::new(),
            }],
            by_user: ctx.principal.user_id().map(|u| u.0),
            by_name: ctx.principal.display_name().to_string(),
            at: Timestamp::now(),
            text: format!(
                "{} {} (SN {}): {}",
                s.model.manufacturer,
                s.model.name,
                s.unit.pi.serial,
                note.trim()
            ),
        };
        on_write!(self, |tx| {
            insert_order!(tx, &new_order);
            crate::audit::insert_records!(tx, records)
        })?;
        self.order_by_id(id).await
    }
}
