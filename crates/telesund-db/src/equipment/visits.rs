//! Home visits: scheduling an order's visit on a working day, a technician's day plan, and
//! completing a visit — installation with its proof moves the units into use and starts
//! their assignments; a collection brings them back; a calibration records maintenance.
//! Also the preventive-maintenance due list, which plans visits ahead of the due date.

use super::orders::{Order, assign_unit, insert_trace, rebalance_shares, step_order};
use super::units::{
    Transition, UNIT_COLUMNS, UnitSummary, actor, support_reads, support_record, unit_from_row,
    with_models, write_transition,
};
use super::{date_text, parse_date, today};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use crate::monitoring::{from_json, to_json};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::DataCategory;
use telesund_core::audit::AuditAction;
use telesund_core::calendar;
use telesund_core::care::{ConsentType, has_consent};
use telesund_core::equipment::catalogue::MaintenanceKind;
use telesund_core::equipment::maintenance::{Due, is_due_within, next_due, visit_day};
use telesund_core::equipment::order::{LineStatus, OrderStatus, ServiceType};
use telesund_core::equipment::unit::{Unit, UnitEvent, UnitState};
use telesund_core::equipment::visit::{InstallationProof, VisitKind, VisitStatus};
use telesund_core::ids::*;
use telesund_core::{DomainError, ErrorCode};
use time::Date;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    pub order_id: Option<OrderId>,
    pub unit_id: Option<UnitId>,
    pub citizen_id: CitizenId,
    pub citizen_name: String,
    pub payer_org_id: OrgId,
    pub kind: VisitKind,
    pub status: VisitStatus,
    pub planned_on: Date,
    pub technician_id: Option<UserId>,
    pub technician_name: Option<String>,
    pub proof: Option<InstallationProof>,
    pub notes: String,
    pub price: Option<i64>,
    pub done_at: Option<Timestamp>,
    pub done_by_name: Option<String>,
}

/// A visit on a technician's day plan, with what they need at the door.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlannedVisit {
    pub visit: Visit,
    /// The address and phone, only with the citizen's consent to share them with logistics.
    pub address: Option<String>,
    pub phone: Option<String>,
    pub order: Option<Order>,
}

/// A unit due for preventive maintenance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DueUnit {
    pub unit: UnitSummary,
    pub due: Due,
    /// A planned visit for it, if any.
    pub visit_on: Option<Date>,
}

/// Appends a maintenance record inside the caller's transaction and moves the unit's
/// last-maintenance day.
macro_rules! insert_maintenance {
    ($tx:expr, $unit:expr, $kind:expr, $done_on:expr, $by_name:expr, $notes:expr, $visit:expr) => {{
        sqlx::query(
            "INSERT INTO maintenance_records (id, unit_id, kind, done_on, by_name, notes, visit_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($unit.0)
        .bind($kind.as_str())
        .bind($crate::equipment::date_text($done_on))
        .bind($by_name)
        .bind($notes)
        .bind($visit)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE units SET last_maintenance_on = $1 WHERE id = $2 AND (last_maintenance_on IS NULL OR last_maintenance_on < $1)",
        )
        .bind($crate::equipment::date_text($done_on))
        .bind($unit.0)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_maintenance;

const VISIT_SELECT: &str = "SELECT v.id, v.order_id, v.unit_id, v.citizen_id, c.given_name || ' ' || c.family_name AS citizen_name, \
     v.payer_org_id, v.kind, v.status, v.planned_on, v.technician_id, us.name AS technician_name, v.proof, v.notes, v.price, \
     v.done_at, v.done_by_name FROM visits v JOIN citizens c ON c.id = v.citizen_id LEFT JOIN staff_users us ON us.id = v.technician_id";

macro_rules! visit_from_row {
    ($r:expr) => {{
        let proof: Option<String> = $r.try_get("proof")?;
        Visit {
            id: VisitId($r.try_get("id")?),
            order_id: $r
                .try_get::<Option<uuid::Uuid>, _>("order_id")?
                .map(OrderId),
            unit_id: $r.try_get::<Option<uuid::Uuid>, _>("unit_id")?.map(UnitId),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            citizen_name: $r.try_get("citizen_name")?,
            payer_org_id: OrgId($r.try_get("payer_org_id")?),
            kind: VisitKind::parse(&$r.try_get::<String, _>("kind")?)?,
            status: VisitStatus::parse(&$r.try_get::<String, _>("status")?)?,
            planned_on: parse_date(&$r.try_get::<String, _>("planned_on")?)?,
            technician_id: $r
                .try_get::<Option<uuid::Uuid>, _>("technician_id")?
                .map(UserId),
            technician_name: $r.try_get("technician_name")?,
            proof: proof.as_deref().map(from_json).transpose()?,
            notes: $r.try_get("notes")?,
            price: $r.try_get("price")?,
            done_at: $r.try_get::<Option<i64>, _>("done_at")?.map(Timestamp),
            done_by_name: $r.try_get("done_by_name")?,
        }
    }};
}

/// A unit an installation puts into use: the plans it will serve (with who pays for each),
/// and the faulty unit it replaces, if any.
struct Install {
    unit: UnitId,
    plans: Vec<(CarePlanId, OrgId)>,
    replaces: Option<UnitId>,
}

/// The visit an order needs: a requested return is collected, whatever brought it.
fn visit_kind_for(service: ServiceType, status: OrderStatus) -> VisitKind {
    if status == OrderStatus::ReturnRequested {
        return VisitKind::Collect;
    }
    match service {
        ServiceType::Deliver | ServiceType::Install => VisitKind::Install,
        ServiceType::Pickup => VisitKind::Collect,
        ServiceType::Replace | ServiceType::Repair => VisitKind::Swap,
        ServiceType::Training => VisitKind::Training,
        ServiceType::Calibration | ServiceType::Maintenance => VisitKind::Calibration,
    }
}

/// Refuses a visit day that is in the past, on a weekend or on a Danish holiday.
fn check_visit_day(day: Date) -> Result<()> {
    if day < today() {
        return Err(DomainError::invalid("a visit cannot be planned in the past").into());
    }
    if let Some(name) = calendar::holiday(day) {
        return Err(DomainError::invalid(format!("{day} is {name}; choose a working day")).into());
    }
    if !calendar::is_working_day(day) {
        return Err(
            DomainError::invalid(format!("{day} is a weekend day; choose a working day")).into(),
        );
    }
    Ok(())
}

impl Db {
    pub(crate) async fn visits_where(
        &self,
        condition: &str,
        binds: &[String],
    ) -> Result<Vec<Visit>> {
        on_read!(self, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{VISIT_SELECT} WHERE {condition} ORDER BY v.planned_on, v.id"
            )));
            for b in binds {
                q = q.bind(b.clone());
            }
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| Ok(visit_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })
    }

    async fn visit_by_id(&self, id: VisitId) -> Result<Visit> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{VISIT_SELECT} WHERE v.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("visit"))?;
            Ok(visit_from_row!(r))
        })
    }

    /// Schedules the visit an accepted order (or a requested return) needs, on a working
    /// day, optionally with a named technician.
    pub async fn schedule_visit(
        &self,
        ctx: &AccessCtx,
        order_id: OrderId,
        day: Date,
        technician: Option<UserId>,
    ) -> Result<Visit> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "visit")
            .await?;
        let order = self.order_by_id(order_id).await?;
        order.status.check_step(OrderStatus::Scheduled)?;
        check_visit_day(day)?;
        let kind = visit_kind_for(order.service_type, order.status);
        // A service visit is about the unit on the order's one line.
        let unit = if order.service_type.is_service_visit() {
            order.lines.first().and_then(|l| l.unit_id)
        } else {
            None
        };
        let id = VisitId::new();
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Create,
            "visit",
            order.citizen_id,
            Some(id.to_string()),
        );
        let records = [record];
        let text = format!("besøg ({}) planlagt til {day}", kind.danish());
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO visits (id, order_id, unit_id, citizen_id, payer_org_id, kind, status, planned_on, technician_id, proof, notes, price, done_at, done_by_name) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, NULL, '', NULL, NULL, NULL)",
            )
            .bind(id.0)
            .bind(order_id.0)
            .bind(unit.map(|u| u.0))
            .bind(order.citizen_id.0)
            .bind(order.payer_org_id.0)
            .bind(kind.as_str())
            .bind(date_text(day))
            .bind(technician.map(|t| t.0))
            .execute(&mut *tx)
            .await?;
            step_order!(
                tx,
                order_id,
                order.status,
                OrderStatus::Scheduled,
                now,
                by_user,
                &by_name,
                &text
            );
            crate::audit::insert_records!(tx, records)
        })?;
        self.visit_by_id(id).await
    }

    /// The visits planned for a day (all technicians, or one), with address and phone for
    /// each citizen who consented to sharing them with logistics. Each citizen is audited.
    pub async fn day_plan(
        &self,
        ctx: &AccessCtx,
        day: Date,
        technician: Option<UserId>,
    ) -> Result<Vec<PlannedVisit>> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Read, "visit")
            .await?;
        let mut visits = self
            .visits_where(
                "v.planned_on = $1 AND v.status = 'planned'",
                &[date_text(day)],
            )
            .await?;
        if let Some(t) = technician {
            visits.retain(|v| v.technician_id.is_none_or(|x| x == t));
        }
        let mut out = Vec::with_capacity(visits.len());
        let mut records = Vec::new();
        for visit in visits {
            let facts = self.citizen_facts(visit.citizen_id).await?;
            let shared = has_consent(&facts.consents, ConsentType::LogisticsAddressSharing, None);
            let (address, phone) = if shared {
                let c = self.citizen_contact(visit.citizen_id).await?;
                records.push(ctx.record(
                    &decision,
                    AuditAction::Read,
                    "visit",
                    Some(visit.citizen_id),
                    Some(DataCategory::Contact),
                ));
                (Some(c.0), c.1)
            } else {
                (None, None)
            };
            let order = match visit.order_id {
                Some(o) => Some(self.order_by_id(o).await?),
                None => None,
            };
            out.push(PlannedVisit {
                visit,
                address,
                phone,
                order,
            });
        }
        let citizens: Vec<CitizenId> = out.iter().map(|p| p.visit.citizen_id).collect();
        records.extend(support_reads(ctx, &decision, "visit", &citizens));
        self.audit(records).await?;
        Ok(out)
    }

    /// Address line with postcode and town, and the first phone number.
    async fn citizen_contact(&self, citizen: CitizenId) -> Result<(String, Option<String>)> {
        on_read!(self, |c| {
            let r =
                sqlx::query("SELECT address_line, postal_code, city FROM citizens WHERE id = $1")
                    .bind(citizen.0)
                    .fetch_one(&mut *c)
                    .await?;
            let address = format!(
                "{}, {} {}",
                r.try_get::<String, _>("address_line")?,
                r.try_get::<String, _>("postal_code")?,
                r.try_get::<String, _>("city")?
            );
            let phone: Option<String> = sqlx::query_scalar(
                "SELECT phone FROM citizen_phones WHERE citizen_id = $1 ORDER BY position LIMIT 1",
            )
            .bind(citizen.0)
            .fetch_optional(&mut *c)
            .await?;
            Ok((address, phone))
        })
    }

    /// Completes a visit. Installation (with its proof) puts the order's units into use in
    /// the home and starts their assignments; a replacement moves the faulty unit's plans to
    /// the new one and takes the faulty one back; a collection takes the units back; a
    /// calibration records maintenance. The visit is priced from the catalogue.
    pub async fn complete_visit(
        &self,
        ctx: &AccessCtx,
        id: VisitId,
        proof: Option<InstallationProof>,
        notes: &str,
    ) -> Result<Visit> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "visit")
            .await?;
        let visit = self.visit_by_id(id).await?;
        if visit.status != VisitStatus::Planned {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                format!("the visit is {}", visit.status),
            )
            .into());
        }
        let order = match visit.order_id {
            Some(o) => Some(self.order_by_id(o).await?),
            None => None,
        };
        let price = self
            .service_prices()
            .await?
            .into_iter()
            .find(|(t, _)| *t == visit.kind.service_type())
            .map_or(0, |(_, p)| p);
        let now = Timestamp::now();
        let (by_user, by_name) = actor(ctx);
        let citizen = visit.citizen_id;

        // Decide every unit step before the transaction.
        let mut steps: Vec<Transition> = Vec::new();
        let mut installs: Vec<Install> = Vec::new();
        let mut returns: Vec<UnitId> = Vec::new();
        let mut next_status: Vec<(OrderStatus, OrderStatus, String)> = Vec::new();
        match (visit.kind, &order) {
            (VisitKind::Install | VisitKind::Swap, Some(o)) => {
                let proof = proof.clone().unwrap_or_default();
                if o.service_type == ServiceType::Deliver {
                    proof.validate_delivery()?;
                } else {
                    proof.validate()?;
                }
                if o.status != OrderStatus::Dispatched {
                    return Err(DomainError::new(
                        ErrorCode::Conflict,
                        format!("the order is {}, not dispatched", o.status),
                    )
                    .into());
                }
                let lines: Vec<_> = o
                    .lines
                    .iter()
                    .filter(|l| l.status == LineStatus::Allocated)
                    .collect();
                let units: Vec<UnitId> = lines.iter().filter_map(|l| l.unit_id).collect();
                let summaries = self.unit_summaries(&units).await?;
                for l in &lines {
                    let s = summaries
                        .iter()
                        .find(|s| Some(s.unit.id) == l.unit_id)
                        .ok_or_else(|| {
                            DbError::Internal("an allocated line without its unit".into())
                        })?;
                    steps.push(Transition::decide(
                        ctx,
                        &s.unit,
                        Some(citizen),
                        UnitEvent::Install,
                        Some(citizen),
                        Some(o.id),
                        &format!("installeret; kvitteret af {}", proof.signed_by.trim()),
                    )?);
                    let payers = self.line_payers(l.id).await?;
                    installs.push(Install {
                        unit: s.unit.id,
                        plans: payers,
                        replaces: l.replaces_unit_id,
                    });
                    if let Some(old) = l.replaces_unit_id {
                        let old = self.unit_summary(old).await?;
                        if matches!(old.unit.state, UnitState::InUse | UnitState::SwapPending) {
                            steps.push(Transition::decide(
                                ctx,
                                &old.unit,
                                old.holder,
                                UnitEvent::Collect,
                                None,
                                Some(o.id),
                                "ombyttet; taget med retur til reparation",
                            )?);
                        }
                    }
                }
                let what = if o.service_type == ServiceType::Deliver {
                    "leveret".to_string()
                } else {
                    "installeret: parring testet, første måling modtaget, borgeren instrueret"
                        .to_string()
                };
                next_status.push((
                    o.status,
                    OrderStatus::Installed,
                    format!("{what}; kvitteret af {}", proof.signed_by.trim()),
                ));
                next_status.push((
                    OrderStatus::Installed,
                    OrderStatus::Active,
                    "aktiv: udstyret bruges i forløbet".into(),
                ));
            }
            (VisitKind::Collect, Some(o)) => {
                if o.status != OrderStatus::Scheduled {
                    return Err(DomainError::new(
                        ErrorCode::Conflict,
                        format!("the order is {}, not scheduled", o.status),
                    )
                    .into());
                }
                let units: Vec<UnitId> = o
                    .lines
                    .iter()
                    .filter(|l| l.status == LineStatus::Delivered)
                    .filter_map(|l| l.unit_id)
                    .collect();
                for s in self.unit_summaries(&units).await? {
                    steps.push(Transition::decide(
                        ctx,
                        &s.unit,
                        s.holder,
                        UnitEvent::Collect,
                        None,
                        Some(o.id),
                        "hentet i hjemmet",
                    )?);
                    returns.push(s.unit.id);
                }
                next_status.push((
                    o.status,
                    OrderStatus::Collected,
                    format!("{} enhed(er) hentet", returns.len()),
                ));
            }
            (VisitKind::Calibration | VisitKind::Training, order) => {
                if visit.kind == VisitKind::Calibration && visit.unit_id.is_none() {
                    return Err(DomainError::invalid("a calibration visit names its unit").into());
                }
                // A service order is done when its visit is.
                if let Some(o) = order {
                    next_status.push((
                        o.status,
                        OrderStatus::Closed,
                        format!("besøg ({}) udført", visit.kind.danish()),
                    ));
                }
            }
            (kind, None) => {
                return Err(
                    DomainError::invalid(format!("a {kind} visit belongs to an order")).into(),
                );
            }
        }
        let maintenance = match visit.unit_id {
            Some(u) if visit.kind == VisitKind::Calibration => {
                let s = self.unit_summary(u).await?;
                Some((
                    u,
                    s.model
                        .maintenance
                        .map_or(MaintenanceKind::Calibration, |m| m.kind),
                ))
            }
            _ => None,
        };
        let proof_json = proof.as_ref().map(to_json).transpose()?;
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Update,
            "visit",
            citizen,
            Some(id.to_string()),
        );
        let records = [record];
        let done_on = today();
        on_write!(self, |tx| {
            let changed = sqlx::query(
                "UPDATE visits SET status = 'done', proof = $1, notes = $2, price = $3, done_at = $4, done_by_name = $5 WHERE id = $6 AND status = 'planned'",
            )
            .bind(proof_json.as_deref())
            .bind(notes.trim())
            .bind(price)
            .bind(now.0)
            .bind(&by_name)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(DbError::conflict(
                    ErrorCode::Conflict,
                    "the visit was completed meanwhile",
                ));
            }
            for t in &steps {
                write_transition!(tx, t);
            }
            for Install {
                unit,
                plans: payers,
                replaces,
            } in &installs
            {
                sqlx::query("UPDATE order_lines SET status = 'delivered' WHERE unit_id = $1 AND order_id = $2")
                    .bind(unit.0)
                    .bind(visit.order_id.map(|o| o.0))
                    .execute(&mut *tx)
                    .await?;
                if let Some(old) = replaces {
                    sqlx::query("UPDATE unit_assignments SET ended_at = $1 WHERE unit_id = $2 AND ended_at IS NULL")
                        .bind(now.0)
                        .bind(old.0)
                        .execute(&mut *tx)
                        .await?;
                }
                for (plan, payer) in payers {
                    assign_unit!(
                        tx,
                        unit.0,
                        plan.0,
                        citizen.0,
                        payer.0,
                        visit.order_id.map(|o| o.0),
                        now
                    );
                }
            }
            for unit in &returns {
                sqlx::query("UPDATE unit_assignments SET ended_at = $1 WHERE unit_id = $2 AND ended_at IS NULL")
                    .bind(now.0)
                    .bind(unit.0)
                    .execute(&mut *tx)
                    .await?;
                rebalance_shares!(tx, unit.0);
                sqlx::query("UPDATE order_lines SET status = 'returned' WHERE unit_id = $1 AND order_id = $2")
                    .bind(unit.0)
                    .bind(visit.order_id.map(|o| o.0))
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some((unit, kind)) = maintenance {
                insert_maintenance!(tx, unit, kind, done_on, &by_name, notes.trim(), Some(id.0));
            }
            if let Some(o) = &order {
                for (from, to, text) in &next_status {
                    step_order!(tx, o.id, *from, *to, now, by_user, &by_name, text);
                }
                if next_status.is_empty() {
                    insert_trace!(
                        tx,
                        o.id,
                        now,
                        by_user,
                        &by_name,
                        None,
                        None,
                        &format!("besøg ({}) udført", visit.kind.danish())
                    );
                }
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.visit_by_id(id).await
    }

    /// The plans (and who pays for each) an order line's unit will serve.
    async fn line_payers(&self, line: OrderLineId) -> Result<Vec<(CarePlanId, OrgId)>> {
        on_read!(self, |c| {
            let rows: Vec<(uuid::Uuid, uuid::Uuid)> =
                sqlx::query_as("SELECT care_plan_id, payer_org_id FROM order_line_plans WHERE line_id = $1 ORDER BY care_plan_id")
                    .bind(line.0)
                    .fetch_all(&mut *c)
                    .await?;
            Ok(rows
                .into_iter()
                .map(|(p, o)| (CarePlanId(p), OrgId(o)))
                .collect())
        })
    }

    /// A citizen's visits, newest first (the citizen's "Udstyr" tab; the caller has decided
    /// access).
    pub(crate) async fn visits_of_citizen(&self, citizen: CitizenId) -> Result<Vec<Visit>> {
        on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{VISIT_SELECT} WHERE v.citizen_id = $1 ORDER BY v.planned_on DESC, v.id"
            )))
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(visit_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })
    }

    /// Units due for preventive maintenance within `horizon_days` (or overdue), wherever
    /// they are, with any visit already planned for them.
    pub async fn maintenance_due(
        &self,
        ctx: &AccessCtx,
        horizon_days: i64,
    ) -> Result<Vec<DueUnit>> {
        self.equipment_guard(ctx, AuditAction::Read, "unit").await?;
        let day = today();
        // One read of the units with a maintenance interval and their last maintenance.
        let rows: Vec<(Unit, Option<CitizenId>, Option<String>)> = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {UNIT_COLUMNS}, u.last_maintenance_on FROM units u JOIN device_models m ON m.id = u.model_id \
                 WHERE m.maintenance_days IS NOT NULL AND u.state NOT IN ('retired','disposed','lost')"
            )))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let (unit, holder) = unit_from_row!(r);
                    Ok((unit, holder, r.try_get("last_maintenance_on")?))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut last_done = std::collections::HashMap::with_capacity(rows.len());
        let mut units = Vec::with_capacity(rows.len());
        for (unit, holder, last) in rows {
            last_done.insert(unit.id, last.as_deref().map(parse_date).transpose()?);
            units.push((unit, holder));
        }
        let summaries = with_models(units, &self.models().await?)?;
        let planned = self
            .visits_where("v.kind = 'calibration' AND v.status = 'planned'", &[])
            .await?;
        let mut due = Vec::new();
        for s in summaries {
            let last = last_done.get(&s.unit.id).copied().flatten();
            if let Some(d) = next_due(&s.model, &s.unit, last, day)
                && is_due_within(&d, day, horizon_days)
            {
                let visit_on = planned
                    .iter()
                    .find(|v| v.unit_id == Some(s.unit.id))
                    .map(|v| v.planned_on);
                due.push(DueUnit {
                    unit: s,
                    due: d,
                    visit_on,
                });
            }
        }
        due.sort_by_key(|d| d.due.due_on);
        Ok(due)
    }

    /// Plans a calibration visit for every unit in a home that is due within `horizon_days`
    /// and has none planned: on a working day ahead of the due date. Returns how many.
    pub async fn plan_maintenance_visits(
        &self,
        ctx: &AccessCtx,
        horizon_days: i64,
    ) -> Result<usize> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "visit")
            .await?;
        let day = today();
        let mut new: Vec<(VisitId, UnitId, CitizenId, uuid::Uuid, Date)> = Vec::new();
        for d in self.maintenance_due(ctx, horizon_days).await? {
            if d.visit_on.is_some() || d.unit.unit.state != UnitState::InUse {
                continue;
            }
            let Some(citizen) = d.unit.holder else {
                continue;
            };
            let payer: Option<uuid::Uuid> = on_read!(self, |c| {
                let p: Option<uuid::Uuid> = sqlx::query_scalar(
                    "SELECT payer_org_id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL ORDER BY started_at LIMIT 1",
                )
                .bind(d.unit.unit.id.0)
                .fetch_optional(&mut *c)
                .await?;
                Ok::<_, DbError>(p)
            })?;
            let Some(payer) = payer else { continue };
            new.push((
                VisitId::new(),
                d.unit.unit.id,
                citizen,
                payer,
                visit_day(d.due.due_on, day),
            ));
        }
        let records: Vec<_> = new
            .iter()
            .map(|(v, _, c, _, _)| {
                support_record(
                    ctx,
                    &decision,
                    AuditAction::Create,
                    "visit",
                    *c,
                    Some(v.to_string()),
                )
            })
            .collect();
        let n = new.len();
        on_write!(self, |tx| {
            for (id, unit, citizen, payer, on) in &new {
                sqlx::query(
                    "INSERT INTO visits (id, order_id, unit_id, citizen_id, payer_org_id, kind, status, planned_on, technician_id, proof, notes, price, done_at, done_by_name) \
                     VALUES ($1, NULL, $2, $3, $4, 'calibration', 'planned', $5, NULL, NULL, 'forebyggende vedligeholdelse', NULL, NULL, NULL)",
                )
                .bind(id.0)
                .bind(unit.0)
                .bind(citizen.0)
                .bind(*payer)
                .bind(date_text(*on))
                .execute(&mut *tx)
                .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(n)
    }
}

/// How far ahead the daily run plans preventive-maintenance visits.
pub const MAINTENANCE_HORIZON_DAYS: i64 = 30;

/// Plans preventive-maintenance visits once an hour, on the replica that holds the
/// `equipment_maintenance` lease, as the service centre's system user. Planning is
/// idempotent (a unit with a planned visit gets no second one), so an hourly run costs one
/// read of the units with a maintenance interval and nothing more.
pub fn spawn_maintenance_planner(db: Db, holder: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (db, who) = (db.clone(), holder.clone());
            let run = tokio::spawn(async move {
                if !db
                    .take_lease("equipment_maintenance", Timestamp::now(), &who)
                    .await?
                {
                    return Ok(None);
                }
                let ctx = AccessCtx::system("preventive maintenance");
                db.plan_maintenance_visits(&ctx, MAINTENANCE_HORIZON_DAYS)
                    .await
                    .map(Some)
            });
            match run.await {
                Ok(Ok(Some(n))) => tracing::info!(visits = n, "preventive maintenance planned"),
                Ok(Ok(None)) => {
                    tracing::debug!("maintenance planning: another replica holds the lease")
                }
                Ok(Err(e)) => tracing::error!(error = %e, "maintenance planning failed"),
                Err(e) => tracing::error!(error = %e, "maintenance planning stopped"),
            }
        }
    })
}
