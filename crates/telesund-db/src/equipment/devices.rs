//! Units as FHIR Devices: one unit by id, and a search by citizen, serial number, lifecycle
//! states and UDI-DI, ordered by unit id for keyset paging. Each unit comes with what the
//! Device mapping needs besides the unit and its model: the organisation that owns it (the
//! organisation of the unit's home warehouse).
//!
//! Access: a search for one citizen's units is a read of that citizen's support data
//! (`Read(Support)`: their clinicians, the service centre, the citizen themself), audited for
//! the citizen. Anything else — a read of a unit whose citizen the caller may not see, a unit
//! with nobody, a search across citizens — is the service centre's (`ManageEquipment`), and
//! every citizen it names is audited as a support read.

use super::units::{UnitSummary, support_reads};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, placeholders};
use crate::error::{DbError, Result};
use sqlx::Row;
use telesund_core::access::{Action, DataCategory};
use telesund_core::audit::AuditAction;
use telesund_core::equipment::unit::UnitState;
use telesund_core::ids::*;

/// A unit with its model, the citizen it is with, and the organisation that owns it.
#[derive(Clone, Debug)]
pub struct DeviceRecord {
    pub summary: UnitSummary,
    pub owner_org_id: OrgId,
    pub owner_name: String,
}

/// A Device search: every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct DeviceFilter {
    /// The units with this citizen (reserved for, on the way to, in the home of).
    pub patient: Option<CitizenId>,
    /// Exact, ignoring case.
    pub serial_number: Option<String>,
    /// Units in one of these states (None: any state).
    pub states: Option<Vec<UnitState>>,
    /// The model's UDI-DI, exact.
    pub udi_di: Option<String>,
    /// Units after this one (by id): the previous page's last.
    pub after: Option<UnitId>,
    /// At most this many (the caller asks for one more than a page to know if more follow).
    pub limit: u32,
}

/// A value bound to the search query, which is assembled from fixed fragments.
enum Bind {
    Id(uuid::Uuid),
    Text(String),
}

const ENTITY: &str = "device";

impl Db {
    /// One unit as a Device. The citizen it is with may read it, and so may whoever sees
    /// that citizen's support data; otherwise it is the service centre's.
    pub async fn device(&self, ctx: &AccessCtx, id: UnitId) -> Result<DeviceRecord> {
        let summary = self.unit_summary(id).await?;
        let records = match (self.equipment_guard_quiet(ctx), summary.holder) {
            (Some(d), holder) => {
                let mut records =
                    support_reads(ctx, &d, ENTITY, &holder.into_iter().collect::<Vec<_>>());
                if records.is_empty() {
                    records.push(ctx.record(&d, AuditAction::Read, ENTITY, None, None));
                }
                records
            }
            (None, Some(citizen)) => {
                let d = self
                    .guard_citizen(
                        ctx,
                        citizen,
                        Action::Read(DataCategory::Support),
                        AuditAction::Read,
                        ENTITY,
                    )
                    .await?;
                vec![ctx.record(
                    &d,
                    AuditAction::Read,
                    ENTITY,
                    Some(citizen),
                    Some(DataCategory::Support),
                )]
            }
            (None, None) => {
                let d = self.equipment_guard(ctx, AuditAction::Read, ENTITY).await?;
                vec![ctx.record(&d, AuditAction::Read, ENTITY, None, None)]
            }
        };
        let mut records = records;
        for r in &mut records {
            r.entity_id = Some(id.to_string());
        }
        let mut found = self.with_owners(vec![summary]).await?;
        self.audit(records).await?;
        found.pop().ok_or_else(|| DbError::not_found("unit"))
    }

    /// Units matching `filter`, by id. With a patient, decided on that citizen; without, the
    /// service centre's search.
    pub async fn search_devices(
        &self,
        ctx: &AccessCtx,
        filter: &DeviceFilter,
    ) -> Result<Vec<DeviceRecord>> {
        let decision = match filter.patient {
            Some(citizen) => {
                self.guard_citizen(
                    ctx,
                    citizen,
                    Action::Read(DataCategory::Support),
                    AuditAction::Read,
                    ENTITY,
                )
                .await?
            }
            None => {
                self.equipment_guard(ctx, AuditAction::Search, ENTITY)
                    .await?
            }
        };
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        // Binds a value and says its placeholder number.
        fn next(binds: &mut Vec<Bind>, b: Bind) -> usize {
            binds.push(b);
            binds.len()
        }
        if let Some(c) = filter.patient {
            let n = next(&mut binds, Bind::Id(c.0));
            conditions.push(format!("u.citizen_id = ${n}"));
        }
        if let Some(sn) = &filter.serial_number {
            let n = next(&mut binds, Bind::Text(sn.trim().to_uppercase()));
            conditions.push(format!("UPPER(u.serial) = ${n}"));
        }
        if let Some(di) = &filter.udi_di {
            let n = next(&mut binds, Bind::Text(di.trim().to_string()));
            conditions.push(format!("m.udi_di = ${n}"));
        }
        if let Some(states) = &filter.states {
            if states.is_empty() {
                conditions.push("1 = 0".into());
            } else {
                let first = binds.len() + 1;
                for s in states {
                    binds.push(Bind::Text(s.as_str().to_string()));
                }
                conditions.push(format!(
                    "u.state IN ({})",
                    placeholders(first, states.len())
                ));
            }
        }
        if let Some(after) = filter.after {
            let n = next(&mut binds, Bind::Id(after.0));
            conditions.push(format!("u.id > ${n}"));
        }
        let limit_at = binds.len() + 1;
        let sql = format!(
            "SELECT u.id FROM units u JOIN device_models m ON m.id = u.model_id WHERE {} ORDER BY u.id LIMIT ${limit_at}",
            if conditions.is_empty() {
                "1 = 1".to_string()
            } else {
                conditions.join(" AND ")
            }
        );
        let limit = i64::from(filter.limit.max(1));
        let ids: Vec<UnitId> = on_read!(self, |c| {
            let mut q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(sql));
            for b in &binds {
                q = match b {
                    Bind::Id(id) => q.bind(*id),
                    Bind::Text(t) => q.bind(t.clone()),
                };
            }
            let ids = q.bind(limit).fetch_all(&mut *c).await?;
            Ok::<_, DbError>(ids.into_iter().map(UnitId).collect())
        })?;
        let mut summaries = self.unit_summaries(&ids).await?;
        summaries.sort_by_key(|s| s.unit.id);
        let found = self.with_owners(summaries).await?;
        let records = match filter.patient {
            Some(citizen) => vec![ctx.record(
                &decision,
                AuditAction::Read,
                ENTITY,
                Some(citizen),
                Some(DataCategory::Support),
            )],
            None => {
                let citizens: Vec<CitizenId> =
                    found.iter().filter_map(|d| d.summary.holder).collect();
                support_reads(ctx, &decision, ENTITY, &citizens)
            }
        };
        self.audit(records).await?;
        Ok(found)
    }

    /// Adds the owning organisation (of each unit's home warehouse) to units.
    async fn with_owners(&self, units: Vec<UnitSummary>) -> Result<Vec<DeviceRecord>> {
        let owners: Vec<(uuid::Uuid, uuid::Uuid, String)> = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT w.id, o.id AS org_id, o.name FROM warehouses w JOIN organisations o ON o.id = w.org_id",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("org_id")?, r.try_get("name")?)))
                .collect::<Result<Vec<_>>>()
        })?;
        units
            .into_iter()
            .map(|summary| {
                let (_, org, name) = owners
                    .iter()
                    .find(|(w, _, _)| *w == summary.unit.warehouse_id.0)
                    .ok_or_else(|| DbError::Internal("a unit's warehouse is missing".into()))?;
                Ok(DeviceRecord {
                    owner_org_id: OrgId(*org),
                    owner_name: name.clone(),
                    summary,
                })
            })
            .collect()
    }
}
