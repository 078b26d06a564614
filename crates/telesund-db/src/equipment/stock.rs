//! Stock per warehouse and model with reorder levels, stock-taking by scanning, recalls by
//! UDI-DI or lot, and a citizen's equipment (the "Udstyr" tab).

use super::orders::Order;
use super::units::{Assignment, Transition, UnitSummary, support_reads, write_transition};
use super::visits::Visit;
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, DataCategory};
use telesund_core::audit::AuditAction;
use telesund_core::equipment::unit::UnitEvent;
use telesund_core::ids::*;
use telesund_core::{DomainError, ErrorCode};

/// One warehouse's stock of one model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StockLine {
    pub warehouse_id: WarehouseId,
    pub warehouse_name: String,
    pub model_id: ModelId,
    pub model_name: String,
    /// Ready to allocate.
    pub available: i64,
    /// On the shelf but not ready: received, inspected, reserved, prepared.
    pub other_ready: i64,
    /// Waiting to be cleaned or being cleaned.
    pub dirty: i64,
    pub reorder_level: i64,
}

impl StockLine {
    /// Fewer available units than the reorder level.
    pub fn below_reorder_level(&self) -> bool {
        self.available < self.reorder_level
    }
}

/// What a finished stock-take found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StockTakeResult {
    pub scanned: usize,
    /// Recorded in the warehouse, not scanned.
    pub missing: Vec<UnitSummary>,
    /// Scanned, but recorded elsewhere.
    pub unexpected: Vec<UnitSummary>,
}

/// What a recall did and whom it concerns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecallReport {
    pub id: uuid::Uuid,
    pub held: Vec<UnitSummary>,
    /// Citizens who have (or are about to get) an affected unit, with the plans and teams
    /// to tell.
    pub affected: Vec<AffectedCitizen>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AffectedCitizen {
    pub citizen_id: CitizenId,
    pub citizen_name: String,
    pub serial: String,
    pub programmes: Vec<String>,
    pub teams: Vec<String>,
}

/// A care plan as the support side sees it: which programme, and whether it runs. No
/// thresholds or other clinical content.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: CarePlanId,
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    pub status: telesund_core::monitoring::programme::PlanStatus,
}

/// A citizen's equipment: units with their assignments, orders and visits.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CitizenEquipment {
    pub units: Vec<(UnitSummary, Vec<Assignment>)>,
    pub orders: Vec<Order>,
    pub visits: Vec<Visit>,
}

impl Db {
    /// Stock of every model in every warehouse that has or wants some.
    pub async fn stock(&self, ctx: &AccessCtx) -> Result<Vec<StockLine>> {
        self.equipment_guard(ctx, AuditAction::Read, "stock")
            .await?;
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT w.id AS warehouse_id, w.name AS warehouse_name, m.id AS model_id, m.manufacturer || ' ' || m.name AS model_name, \
                 COALESCE(SUM(CASE WHEN u.state = 'available' THEN 1 ELSE 0 END), 0) AS available, \
                 COALESCE(SUM(CASE WHEN u.state IN ('received','incoming_inspection','reserved','prepared') THEN 1 ELSE 0 END), 0) AS other_ready, \
                 COALESCE(SUM(CASE WHEN u.state IN ('quarantine','reprocessing') THEN 1 ELSE 0 END), 0) AS dirty, \
                 COALESCE(MAX(s.reorder_level), 0) AS reorder_level \
                 FROM warehouses w CROSS JOIN device_models m \
                 LEFT JOIN units u ON u.model_id = m.id AND u.location_kind = 'warehouse' AND u.location_ref = w.id \
                 LEFT JOIN stock_levels s ON s.warehouse_id = w.id AND s.model_id = m.id \
                 GROUP BY w.id, w.name, m.id, m.manufacturer, m.name \
                 HAVING COUNT(u.id) > 0 OR COALESCE(MAX(s.reorder_level), 0) > 0 \
                 ORDER BY w.name, m.manufacturer, m.name",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StockLine {
                        warehouse_id: WarehouseId(r.try_get("warehouse_id")?),
                        warehouse_name: r.try_get("warehouse_name")?,
                        model_id: ModelId(r.try_get("model_id")?),
                        model_name: r.try_get("model_name")?,
                        available: r.try_get("available")?,
                        other_ready: r.try_get("other_ready")?,
                        dirty: r.try_get("dirty")?,
                        reorder_level: r.try_get("reorder_level")?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    pub async fn set_reorder_level(
        &self,
        ctx: &AccessCtx,
        warehouse: WarehouseId,
        model: ModelId,
        level: i64,
    ) -> Result<()> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "stock")
            .await?;
        if level < 0 {
            return Err(DomainError::invalid("a reorder level cannot be negative").into());
        }
        self.model(model).await?;
        let records = [ctx.record(&decision, AuditAction::Update, "stock", None, None)];
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO stock_levels (warehouse_id, model_id, reorder_level) VALUES ($1, $2, $3) \
                 ON CONFLICT (warehouse_id, model_id) DO UPDATE SET reorder_level = excluded.reorder_level",
            )
            .bind(warehouse.0)
            .bind(model.0)
            .bind(level)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })
    }

    pub async fn start_stock_take(
        &self,
        ctx: &AccessCtx,
        warehouse: WarehouseId,
    ) -> Result<uuid::Uuid> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Create, "stock_take")
            .await?;
        let id = uuid::Uuid::now_v7();
        let records = [ctx.record(&decision, AuditAction::Create, "stock_take", None, None)];
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO stock_takes (id, warehouse_id, started_at, finished_at, by_name) VALUES ($1, $2, $3, NULL, $4)")
                .bind(id)
                .bind(warehouse.0)
                .bind(Timestamp::now().0)
                .bind(ctx.principal.display_name())
                .execute(&mut *tx)
                .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(id)
    }

    /// Records one scan in a running stock-take; returns the unit found (scanning twice is
    /// harmless).
    pub async fn scan_for_stock_take(
        &self,
        ctx: &AccessCtx,
        take: uuid::Uuid,
        scanned: &str,
    ) -> Result<UnitSummary> {
        self.equipment_guard(ctx, AuditAction::Update, "stock_take")
            .await?;
        let unit = self
            .find_unit(ctx, scanned)
            .await?
            .ok_or_else(|| DomainError::not_found("unit with that serial number or label"))?;
        on_write!(self, |tx| {
            let open: Option<Option<i64>> =
                sqlx::query_scalar("SELECT finished_at FROM stock_takes WHERE id = $1")
                    .bind(take)
                    .fetch_optional(&mut *tx)
                    .await?;
            match open {
                None => return Err(DbError::not_found("stock-take")),
                Some(Some(_)) => {
                    return Err(DbError::conflict(
                        ErrorCode::Conflict,
                        "the stock-take is finished",
                    ));
                }
                Some(None) => {}
            }
            sqlx::query(
                "INSERT INTO stock_take_scans (stock_take_id, unit_id, at) VALUES ($1, $2, $3) ON CONFLICT (stock_take_id, unit_id) DO NOTHING",
            )
            .bind(take)
            .bind(unit.unit.id.0)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })?;
        Ok(unit)
    }

    /// Finishes a stock-take: what the records say is in the warehouse but was not scanned,
    /// and what was scanned but is recorded elsewhere.
    pub async fn finish_stock_take(
        &self,
        ctx: &AccessCtx,
        take: uuid::Uuid,
    ) -> Result<StockTakeResult> {
        self.equipment_guard(ctx, AuditAction::Update, "stock_take")
            .await?;
        let (warehouse, scanned): (uuid::Uuid, Vec<uuid::Uuid>) = on_write!(self, |tx| {
            let warehouse: uuid::Uuid =
                sqlx::query_scalar("SELECT warehouse_id FROM stock_takes WHERE id = $1")
                    .bind(take)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| DbError::not_found("stock-take"))?;
            sqlx::query(
                "UPDATE stock_takes SET finished_at = $1 WHERE id = $2 AND finished_at IS NULL",
            )
            .bind(Timestamp::now().0)
            .bind(take)
            .execute(&mut *tx)
            .await?;
            let scanned: Vec<uuid::Uuid> =
                sqlx::query_scalar("SELECT unit_id FROM stock_take_scans WHERE stock_take_id = $1")
                    .bind(take)
                    .fetch_all(&mut *tx)
                    .await?;
            Ok((warehouse, scanned))
        })?;
        let expected: Vec<uuid::Uuid> = on_read!(self, |c| {
            let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                "SELECT id FROM units WHERE location_kind = 'warehouse' AND location_ref = $1 AND state NOT IN ('retired','disposed','lost')",
            )
            .bind(warehouse)
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(ids)
        })?;
        let missing: Vec<UnitId> = expected
            .iter()
            .filter(|u| !scanned.contains(u))
            .map(|u| UnitId(*u))
            .collect();
        let unexpected: Vec<UnitId> = scanned
            .iter()
            .filter(|u| !expected.contains(u))
            .map(|u| UnitId(*u))
            .collect();
        Ok(StockTakeResult {
            scanned: scanned.len(),
            missing: self.unit_summaries(&missing).await?,
            unexpected: self.unit_summaries(&unexpected).await?,
        })
    }

    /// Recalls every unit of a model (UDI-DI), or of one lot of it: each unit not yet out of
    /// service is put on recall hold (its history says why), and the citizens who have one
    /// are listed with their plans and care teams. Each listed citizen is audited.
    pub async fn recall(
        &self,
        ctx: &AccessCtx,
        udi_di: &str,
        lot: Option<&str>,
        reason: &str,
    ) -> Result<RecallReport> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "recall")
            .await?;
        if reason.trim().is_empty() {
            return Err(DomainError::invalid(
                "a recall needs its reason (the field safety notice)",
            )
            .into());
        }
        let lot = lot.map(str::trim).filter(|l| !l.is_empty());
        let ids: Vec<UnitId> = on_read!(self, |c| {
            let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                "SELECT u.id FROM units u JOIN device_models m ON m.id = u.model_id WHERE m.udi_di = $1 AND ($2 IS NULL OR u.lot = $2)",
            )
            .bind(udi_di.trim())
            .bind(lot)
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(ids.into_iter().map(UnitId).collect())
        })?;
        if ids.is_empty() {
            return Err(DomainError::not_found("unit of that UDI-DI and lot").into());
        }
        let units = self.unit_summaries(&ids).await?;
        let text = format!("tilbagekaldelse: {}", reason.trim());
        let holds: Vec<Transition> = units
            .iter()
            .filter(|s| s.unit.state.after(UnitEvent::PutOnRecallHold, None).is_ok())
            .map(|s| {
                Transition::decide(
                    ctx,
                    &s.unit,
                    s.holder,
                    UnitEvent::PutOnRecallHold,
                    None,
                    None,
                    &text,
                )
            })
            .collect::<Result<_>>()?;
        let recall_id = uuid::Uuid::now_v7();
        let records = [ctx.record(&decision, AuditAction::Create, "recall", None, None)];
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO recalls (id, udi_di, lot, reason, by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(recall_id)
                .bind(udi_di.trim())
                .bind(lot)
                .bind(reason.trim())
                .bind(ctx.principal.display_name())
                .bind(Timestamp::now().0)
                .execute(&mut *tx)
                .await?;
            for t in &holds {
                write_transition!(tx, t);
            }
            crate::audit::insert_records!(tx, records)
        })?;
        let held = self.unit_summaries(&ids).await?;
        // Each affected citizen's plans, teams and name, read for all of them at once.
        let holders: Vec<(CitizenId, &UnitSummary)> = held
            .iter()
            .filter_map(|s| {
                s.holder
                    .or_else(|| s.unit.location.citizen())
                    .map(|c| (c, s))
            })
            .collect();
        let ids: Vec<CitizenId> = holders.iter().map(|(c, _)| *c).collect();
        let snapshots = self.snapshots(&ids).await?;
        let names = self.citizen_names(&ids).await?;
        let mut affected = Vec::with_capacity(holders.len());
        for (citizen, s) in holders {
            let Some(snapshot) = snapshots.get(&citizen) else {
                continue;
            };
            let programmes = snapshot
                .plans
                .iter()
                .filter(|p| p.status != telesund_core::monitoring::programme::PlanStatus::Ended)
                .map(|p| p.programme_name.clone())
                .collect();
            let teams = snapshot
                .facts_now()
                .care_teams
                .iter()
                .filter(|t| t.active)
                .map(|t| t.name.clone())
                .collect();
            affected.push(AffectedCitizen {
                citizen_id: citizen,
                citizen_name: names.get(&citizen).cloned().unwrap_or_default(),
                serial: s.unit.pi.serial.clone(),
                programmes,
                teams,
            });
        }
        let citizens: Vec<CitizenId> = affected.iter().map(|a| a.citizen_id).collect();
        self.audit(support_reads(ctx, &decision, "recall", &citizens))
            .await?;
        Ok(RecallReport {
            id: recall_id,
            held,
            affected,
        })
    }

    /// Citizens' names ("given family") by id, in chunks of a few hundred.
    async fn citizen_names(
        &self,
        ids: &[CitizenId],
    ) -> Result<std::collections::HashMap<CitizenId, String>> {
        let mut names = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = crate::db::placeholders(1, chunk.len());
            let rows: Vec<(uuid::Uuid, String)> = on_read!(self, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, given_name || ' ' || family_name FROM citizens WHERE id IN ({list})"
                )));
                for id in chunk {
                    q = q.bind(id.0);
                }
                Ok::<_, DbError>(q.fetch_all(&mut *c).await?)
            })?;
            names.extend(rows.into_iter().map(|(id, n)| (CitizenId(id), n)));
        }
        Ok(names)
    }

    /// Lifts a recall hold on one unit after the manufacturer's all-clear: a unit in a home
    /// stays in use, anything else goes to quarantine to be checked and cleaned.
    pub async fn release_recall_hold(
        &self,
        ctx: &AccessCtx,
        id: UnitId,
        reason: &str,
    ) -> Result<UnitSummary> {
        let decision = self
            .equipment_guard(ctx, AuditAction::Update, "recall")
            .await?;
        if reason.trim().is_empty() {
            return Err(DomainError::invalid("say why the hold is lifted").into());
        }
        let s = self.unit_summary(id).await?;
        let t = Transition::decide(
            ctx,
            &s.unit,
            s.holder,
            UnitEvent::ReleaseRecallHold,
            None,
            None,
            reason,
        )?;
        let records = [ctx.record(&decision, AuditAction::Update, "recall", None, None)];
        on_write!(self, |tx| {
            write_transition!(tx, &t);
            crate::audit::insert_records!(tx, records)
        })?;
        self.unit_summary(id).await
    }

    /// A citizen's plans as the support side sees them (what equipment is for).
    pub async fn equipment_plans_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
    ) -> Result<Vec<PlanSummary>> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Read(DataCategory::Support),
                AuditAction::Read,
                "equipment",
            )
            .await?;
        let plans = self
            .snapshot(citizen)
            .await?
            .plans
            .iter()
            .map(|p| PlanSummary {
                id: p.id,
                programme_id: p.programme_id,
                programme_name: p.programme_name.clone(),
                status: p.status,
            })
            .collect();
        self.audit(vec![ctx.record(
            &decision,
            AuditAction::Read,
            "equipment",
            Some(citizen),
            Some(DataCategory::Support),
        )])
        .await?;
        Ok(plans)
    }

    /// A citizen's equipment, for staff who may see the citizen's support data.
    pub async fn citizen_equipment(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
    ) -> Result<CitizenEquipment> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Read(DataCategory::Support),
                AuditAction::Read,
                "equipment",
            )
            .await?;
        let (unit_ids, order_ids, assignments) = on_read!(self, |c| {
            let units: Vec<uuid::Uuid> =
                sqlx::query_scalar("SELECT id FROM units WHERE citizen_id = $1 ORDER BY serial")
                    .bind(citizen.0)
                    .fetch_all(&mut *c)
                    .await?;
            let orders: Vec<uuid::Uuid> = sqlx::query_scalar(
                "SELECT id FROM equipment_orders WHERE citizen_id = $1 ORDER BY created_at DESC",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{} WHERE a.citizen_id = $1 AND a.ended_at IS NULL ORDER BY a.started_at",
                super::units::ASSIGNMENT_SELECT
            )))
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let assignments = rows
                .iter()
                .map(|r| Ok(super::units::assignment_from_row!(r)))
                .collect::<Result<Vec<Assignment>>>()?;
            Ok::<_, DbError>((
                units.into_iter().map(UnitId).collect::<Vec<_>>(),
                orders.into_iter().map(OrderId).collect::<Vec<_>>(),
                assignments,
            ))
        })?;
        let units = self
            .unit_summaries(&unit_ids)
            .await?
            .into_iter()
            .map(|u| {
                let a = assignments
                    .iter()
                    .filter(|a| a.unit_id == u.unit.id)
                    .cloned()
                    .collect();
                (u, a)
            })
            .collect();
        let orders = self.orders_by_ids(&order_ids).await?;
        let visits = self.visits_of_citizen(citizen).await?;
        let record = ctx.record(
            &decision,
            AuditAction::Read,
            "equipment",
            Some(citizen),
            Some(DataCategory::Support),
        );
        self.audit(vec![record]).await?;
        Ok(CitizenEquipment {
            units,
            orders,
            visits,
        })
    }
}
