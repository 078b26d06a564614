//! Monthly statements per paying organisation: the units' day rates split by assignment
//! shares, visits and reprocessing priced from the catalogue. The arithmetic is
//! `telesund_core::equipment::cost`; this loads the month's assignments and work.

use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read};
use crate::error::{DbError, Result};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::equipment::cost::{
    ChargedAssignment, ChargedUnit, ChargedWork, LineKind, Statement, statements,
};
use telesund_core::equipment::visit::VisitKind;
use telesund_core::ids::*;
use telesund_core::time::copenhagen_midnight;
use time::{Date, Month};

/// A month's statement with the paying organisation's name.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NamedStatement {
    pub payer_name: String,
    pub statement: Statement,
}

/// The first and last day of a month.
pub fn month_days(year: i32, month: Month) -> (Date, Date) {
    let first = Date::from_calendar_date(year, month, 1).expect("the first of a month");
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("the last of a month");
    (first, last)
}

fn local_day(t: Timestamp) -> Date {
    t.in_copenhagen().date()
}

impl Db {
    /// The statements of one month, for every paying organisation (`payer` None: the service
    /// centre's view) or one. Sums are integer øre and add up exactly.
    pub async fn equipment_statements(
        &self,
        ctx: &AccessCtx,
        year: i32,
        month: Month,
        payer: Option<OrgId>,
    ) -> Result<Vec<NamedStatement>> {
        let ancestors = match payer {
            Some(o) => self.organisation_ancestors(o).await?,
            None => Vec::new(),
        };
        let resource = match payer {
            Some(id) => Resource::Organisation {
                id,
                ancestors: &ancestors,
            },
            None => Resource::Platform,
        };
        let decision = guard(
            self,
            ctx,
            Action::ReadEquipmentCosts { org_id: payer },
            resource,
            AuditAction::Read,
            "equipment_statement",
            None,
        )
        .await?;
        let (first, last) = month_days(year, month);
        let from = copenhagen_midnight(first).0;
        let to = copenhagen_midnight(last.next_day().expect("a next day")).0;
        let (units, work, names) = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT a.id, a.unit_id, u.serial, m.manufacturer || ' ' || m.name AS model, m.day_rate, a.payer_org_id, a.share, \
                 a.started_at, a.ended_at, p.name AS programme, c.given_name, c.family_name \
                 FROM unit_assignments a JOIN units u ON u.id = a.unit_id JOIN device_models m ON m.id = u.model_id \
                 JOIN care_plans cp ON cp.id = a.care_plan_id JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                 JOIN programmes p ON p.id = pv.programme_id JOIN citizens c ON c.id = a.citizen_id \
                 WHERE a.started_at < $1 AND (a.ended_at IS NULL OR a.ended_at >= $2) ORDER BY u.serial, a.started_at, a.id",
            )
            .bind(to)
            .bind(from)
            .fetch_all(&mut *c)
            .await?;
            let mut units: Vec<ChargedUnit> = Vec::new();
            for r in &rows {
                let unit_id = UnitId(r.try_get("unit_id")?);
                let given: String = r.try_get("given_name")?;
                let family: String = r.try_get("family_name")?;
                // Initials, never a CPR number: statements travel to finance departments.
                let initials: String = [given.chars().next(), family.chars().next()]
                    .into_iter()
                    .flatten()
                    .collect();
                let programme: String = r.try_get("programme")?;
                let share: i64 = r.try_get("share")?;
                let a = ChargedAssignment {
                    assignment_id: AssignmentId(r.try_get("id")?),
                    payer: OrgId(r.try_get("payer_org_id")?),
                    share: share as u32,
                    from: local_day(Timestamp(r.try_get("started_at")?)),
                    to: r
                        .try_get::<Option<i64>, _>("ended_at")?
                        .map(|t| local_day(Timestamp(t))),
                    label: format!("{programme} ({initials})"),
                };
                match units.last_mut() {
                    Some(u) if u.unit_id == unit_id => u.assignments.push(a),
                    _ => units.push(ChargedUnit {
                        unit_id,
                        serial: r.try_get("serial")?,
                        model: r.try_get("model")?,
                        day_rate: r.try_get("day_rate")?,
                        assignments: vec![a],
                    }),
                }
            }
            let mut work = Vec::new();
            let rows = sqlx::query(
                "SELECT payer_org_id, kind, done_at, price FROM visits WHERE status = 'done' AND done_at >= $1 AND done_at < $2 AND price > 0",
            )
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                let kind: String = r.try_get("kind")?;
                work.push(ChargedWork {
                    payer: OrgId(r.try_get("payer_org_id")?),
                    on: local_day(Timestamp(r.try_get("done_at")?)),
                    kind: LineKind::Visit,
                    description: format!("besøg: {}", VisitKind::parse(&kind)?.danish()),
                    price: r.try_get("price")?,
                });
            }
            let rows = sqlx::query(
                "SELECT r.payer_org_id, r.completed_at, r.price, u.serial FROM reprocessing_records r JOIN units u ON u.id = r.unit_id \
                 WHERE r.payer_org_id IS NOT NULL AND r.completed_at >= $1 AND r.completed_at < $2 AND r.price > 0",
            )
            .bind(from)
            .bind(to)
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                let serial: String = r.try_get("serial")?;
                work.push(ChargedWork {
                    payer: OrgId(r.try_get("payer_org_id")?),
                    on: local_day(Timestamp(r.try_get("completed_at")?)),
                    kind: LineKind::Reprocessing,
                    description: format!("genbehandling SN {serial}"),
                    price: r.try_get("price")?,
                });
            }
            let names: Vec<(uuid::Uuid, String)> =
                sqlx::query_as("SELECT id, name FROM organisations")
                    .fetch_all(&mut *c)
                    .await?;
            Ok::<_, DbError>((units, work, names))
        })?;
        let mut all = statements(first, last, &units, &work);
        if let Some(p) = payer {
            all.retain(|s| s.payer == p);
        }
        self.audit(vec![ctx.record(
            &decision,
            AuditAction::Read,
            "equipment_statement",
            None,
            None,
        )])
        .await?;
        Ok(all
            .into_iter()
            .map(|statement| NamedStatement {
                payer_name: names
                    .iter()
                    .find(|(id, _)| *id == statement.payer.0)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                statement,
            })
            .collect())
    }
}
