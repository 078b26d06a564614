//! The desk's background sweep, run every minute under a lease:
//! - **proactive cases**: a missing-measurement task whose plan's unit for that measurement
//!   has stopped sending opens a case for the service centre instead of leaving a clinical
//!   alarm, prioritised by the plan's clinical risk; the task is told the desk is on it;
//! - **data flows again**: the unit of a proactive case has sent data since the case opened;
//!   the case's timeline and the care team's task say so;
//! - **visits done**: a case waiting for a visit goes back to the desk when its visits are done;
//! - **escalation**: clocks past 80 % warn the assignee, a breach tells the desk, half a
//!   target more tells the centre's lead (staff notifications, once per level);
//! - **closing**: resolved cases close after seven days.

use super::cases::{
    CASE_COLUMNS, Case, Entry, Opening, case_from_row, insert_entries, update_case,
};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::Serialize;
use sqlx::Row;
use telesund_core::equipment::unit::UnitState;
use telesund_core::ids::*;
use telesund_core::monitoring::{Colour, MeasurementType};
use telesund_core::servicedesk::case::{
    CaseEvent, CaseState, CaseStatus, Category, Channel, Impact, Priority, RequesterKind, Urgency,
};
use telesund_core::servicedesk::proactive;
use telesund_core::servicedesk::sla::BusinessCalendar;
use telesund_core::{ErrorCode, Timestamp};

/// Resolved cases close after this long (the citizen may still reopen or rate until then).
const CLOSE_AFTER_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepRun {
    pub proactive_opened: usize,
    pub data_flowing: usize,
    pub visits_done: usize,
    pub notifications: usize,
    pub closed: usize,
}

/// A missing-measurement task and the unit that should have measured it.
struct Silent {
    task: TaskId,
    citizen: CitizenId,
    plan: CarePlanId,
    window_start: Timestamp,
    unit: UnitId,
    model: ModelId,
    model_name: String,
    serial: String,
    payer: OrgId,
    programme: String,
}

impl Db {
    /// One sweep at `now` (see the module's description). Each part is its own transaction;
    /// a failure in one case is logged and retried next minute, the rest goes on.
    pub async fn sweep_service_desk(&self, now: Timestamp) -> Result<SweepRun> {
        let mut run = SweepRun::default();
        let centre = match self.default_centre().await {
            Ok(c) => c,
            // No service centre, no desk: nothing to sweep.
            Err(DbError::Domain(e)) if e.code == ErrorCode::Conflict => return Ok(run),
            Err(e) => return Err(e),
        };
        let cal = self.desk_calendar(centre).await?;
        run.proactive_opened = self.open_proactive_cases(centre, &cal, now).await?;
        run.data_flowing = self.notice_data_flowing(now).await?;
        run.visits_done = self.resume_after_visits(&cal, now).await?;
        run.notifications = self.escalate(&cal, now).await?;
        run.closed = self.close_resolved(&cal, now).await?;
        Ok(run)
    }

    async fn open_proactive_cases(
        &self,
        centre: OrgId,
        cal: &BusinessCalendar,
        now: Timestamp,
    ) -> Result<usize> {
        // Open missing-measurement tasks without a case, and for each the in-use units of
        // the plan whose model measures what is missing.
        let candidates = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT t.id AS task_id, t.citizen_id, t.care_plan_id, t.activity, t.window_start, \
                 u.id AS unit_id, u.serial, u.device_id, u.state, m.id AS model_id, m.manufacturer || ' ' || m.name AS model_name, \
                 m.measures, a.payer_org_id, a.started_at, pr.name AS programme \
                 FROM tasks t \
                 JOIN unit_assignments a ON a.care_plan_id = t.care_plan_id AND a.ended_at IS NULL \
                 JOIN units u ON u.id = a.unit_id JOIN device_models m ON m.id = u.model_id \
                 JOIN care_plans p ON p.id = t.care_plan_id JOIN programme_versions v ON v.id = p.programme_version_id \
                 JOIN programmes pr ON pr.id = v.programme_id \
                 WHERE t.category = 'missing' AND t.status IN ('requested','in-progress') AND t.window_start IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM service_cases c WHERE c.task_id = t.id) \
                 AND NOT EXISTS (SELECT 1 FROM service_cases c WHERE c.care_plan_id = t.care_plan_id AND c.channel = 'automatic' \
                     AND c.status NOT IN ('resolved','closed')) \
                 ORDER BY t.created_at",
            )
            .fetch_all(&mut *c)
            .await?;
            let mut candidates: Vec<(Silent, Option<String>, Timestamp)> = Vec::new();
            for r in &rows {
                let activity: Option<String> = r.try_get("activity")?;
                let measures: Vec<MeasurementType> =
                    serde_json::from_str(&r.try_get::<String, _>("measures")?).unwrap_or_default();
                let state: String = r.try_get("state")?;
                if state != UnitState::InUse.as_str()
                    || !activity
                        .as_deref()
                        .is_some_and(|a| proactive::unit_serves_activity(a, &measures))
                {
                    continue;
                }
                let task = TaskId(r.try_get("task_id")?);
                if candidates.iter().any(|(s, _, _)| s.task == task) {
                    continue;
                }
                candidates.push((
                    Silent {
                        task,
                        citizen: CitizenId(r.try_get("citizen_id")?),
                        plan: CarePlanId(r.try_get("care_plan_id")?),
                        window_start: Timestamp(r.try_get::<i64, _>("window_start")?),
                        unit: UnitId(r.try_get("unit_id")?),
                        model: ModelId(r.try_get("model_id")?),
                        model_name: r.try_get("model_name")?,
                        serial: r.try_get("serial")?,
                        payer: OrgId(r.try_get("payer_org_id")?),
                        programme: r.try_get("programme")?,
                    },
                    r.try_get("device_id")?,
                    Timestamp(r.try_get::<i64, _>("started_at")?),
                ));
            }
            Ok::<_, DbError>(candidates)
        })?;
        let mut opened = 0;
        for (s, device_id, assigned_at) in candidates {
            // Silent: nothing from the unit since the task's window opened (a unit that
            // sends, but not this measurement, is the citizen's matter, not the desk's).
            let last = self.last_data_by_device(s.citizen).await?;
            let from_unit = [Some(s.serial.as_str()), device_id.as_deref()]
                .iter()
                .flatten()
                .filter_map(|k| last.get(*k).copied())
                .max();
            if !proactive::silent_since(from_unit, s.window_start) {
                continue;
            }
            let risk = self.plan_risk(s.plan).await?;
            match self
                .open_proactive(centre, cal, now, &s, risk, from_unit.or(Some(assigned_at)))
                .await
            {
                Ok(()) => opened += 1,
                Err(e) => {
                    tracing::error!(task = %s.task, error = %e, "proactive case not opened; retried next sweep")
                }
            }
        }
        Ok(opened)
    }

    /// The plan's clinical risk: the worst colour among its open alarms.
    async fn plan_risk(&self, plan: CarePlanId) -> Result<Option<Colour>> {
        let colours: Vec<String> = on_read!(self, |c| {
            sqlx::query_scalar(
                "SELECT colour FROM tasks WHERE care_plan_id = $1 AND status IN ('requested','in-progress') \
                 AND category IN ('assessment','unexpected')",
            )
            .bind(plan.0)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        // Colours order by severity: the greatest is the worst.
        Ok(colours.iter().filter_map(|c| Colour::parse(c).ok()).max())
    }

    async fn open_proactive(
        &self,
        centre: OrgId,
        cal: &BusinessCalendar,
        now: Timestamp,
        s: &Silent,
        risk: Option<Colour>,
        last_seen: Option<Timestamp>,
    ) -> Result<()> {
        let (impact, urgency, priority) = proactive::weigh(risk);
        let case = Case::opened(
            Opening {
                id: CaseId::new(),
                centre,
                citizen: Some(s.citizen),
                requester_kind: RequesterKind::System,
                requester_name: "Telesund".into(),
                requester_user: None,
                channel: Channel::Automatic,
                category: Category::EquipmentFault,
                subject: format!("{} (SN {}) sender ikke data", s.model_name, s.serial),
                impact,
                urgency,
                priority,
                unit: Some(s.unit),
                model: Some(s.model),
                payer: Some(s.payer),
                plan: Some(s.plan),
                task: Some(s.task),
            },
            cal,
            now,
        );
        let since = last_seen
            .map(Timestamp::danish)
            .unwrap_or_else(|| "—".into());
        let entries = vec![Entry::internal(
            "opened",
            format!(
                "Åbnet automatisk: en manglende måling i {} falder sammen med at {} (SN {}) ikke har sendt data siden {since}",
                s.programme, s.model_name, s.serial
            ),
        )
        .with_ref(s.task)];
        let ctx = crate::access::AccessCtx::system("proactive service case");
        let number = self
            .insert_case(&ctx, &case, None, entries, Vec::new())
            .await?;
        let note = format!(
            "Servicecentret undersøger udstyret: {} har ikke sendt data (sag {number}).",
            s.model_name
        );
        on_write!(self, |tx| {
            sqlx::query("UPDATE tasks SET support_note = $1 WHERE id = $2")
                .bind(&note)
                .bind(s.task.0)
                .execute(&mut *tx)
                .await?;
            Ok::<_, DbError>(())
        })?;
        Ok(())
    }

    /// Proactive cases whose unit has sent data since they opened: noted once.
    async fn notice_data_flowing(&self, now: Timestamp) -> Result<usize> {
        let cases: Vec<Case> = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.channel = 'automatic' AND c.data_flowing_at IS NULL AND c.unit_id IS NOT NULL \
                 AND c.status <> 'closed'"
            )))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut n = 0;
        for case in cases {
            let (Some(citizen), Some(unit)) = (case.citizen_id, case.unit_id) else {
                continue;
            };
            let s = self.unit_summary(unit).await?;
            let last = self.last_data_by_device(citizen).await?;
            let from_unit = [Some(s.unit.pi.serial.as_str()), s.unit.device_id.as_deref()]
                .iter()
                .flatten()
                .filter_map(|k| last.get(*k).copied())
                .max();
            let Some(at) = from_unit.filter(|t| *t > case.opened_at) else {
                continue;
            };
            let mut updated = case.clone();
            updated.data_flowing_at = Some(at);
            updated.updated_at = now;
            let when = at.danish();
            let entry = [Entry::internal(
                "data_flowing",
                format!("Data modtages igen fra {} ({when})", s.model.name),
            )];
            let note = format!(
                "Servicecentret: data modtages igen fra {} {} siden {when} (sag {}).",
                s.model.manufacturer, s.model.name, case.number
            );
            let result = on_write!(self, |tx| {
                update_case!(tx, &updated, case.updated_at);
                insert_entries!(tx, case.id, &entry, now, None::<uuid::Uuid>, "Telesund");
                if let Some(task) = case.task_id {
                    sqlx::query(
                        "UPDATE tasks SET support_note = $1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(&note)
                    .bind(now.0)
                    .bind(task.0)
                    .execute(&mut *tx)
                    .await?;
                }
                Ok::<_, DbError>(())
            });
            match result {
                Ok(()) => n += 1,
                Err(e) => {
                    tracing::warn!(case = case.number, error = %e, "data-flowing note not written; retried next sweep")
                }
            }
        }
        Ok(n)
    }

    /// Cases waiting for a visit whose visits (referenced from their timeline) are all done.
    async fn resume_after_visits(&self, cal: &BusinessCalendar, now: Timestamp) -> Result<usize> {
        // The visits each waiting case booked, from its timeline.
        let rows: Vec<(uuid::Uuid, Option<String>)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT c.id, e.ref FROM service_cases c JOIN case_events e ON e.case_id = c.id AND e.kind = 'visit' \
                 WHERE c.status = 'pending_visit' ORDER BY c.id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        let mut waiting: Vec<(uuid::Uuid, Vec<uuid::Uuid>)> = Vec::new();
        for (case, visit) in rows {
            let Some(visit) = visit.and_then(|v| uuid::Uuid::parse_str(&v).ok()) else {
                continue;
            };
            match waiting.iter_mut().find(|(c, _)| *c == case) {
                Some((_, visits)) => visits.push(visit),
                None => waiting.push((case, vec![visit])),
            }
        }
        let mut done = Vec::new();
        for (case, visits) in waiting {
            let mut all_done = true;
            for v in visits {
                let status: Option<String> = on_read!(self, |c| {
                    sqlx::query_scalar("SELECT status FROM visits WHERE id = $1")
                        .bind(v)
                        .fetch_optional(&mut *c)
                        .await
                        .map_err(DbError::from)
                })?;
                all_done &= status.as_deref() != Some("planned");
            }
            if all_done {
                done.push(case);
            }
        }
        let mut n = 0;
        for id in done {
            let case = self.load_case(CaseId(id)).await?;
            let mut updated = case.clone();
            if updated.step(&CaseEvent::Resume, now, cal).is_err() {
                continue;
            }
            let entry = Entry::public("visit_done", "Teknikerbesøget er gennemført");
            if self.save_step(&case, &updated, entry, now).await {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Notifies each new escalation level once: 1 the assignee (or the desk), 2 the desk,
    /// 3 the centre's lead (its administrators).
    async fn escalate(&self, cal: &BusinessCalendar, now: Timestamp) -> Result<usize> {
        let cases: Vec<Case> = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.status NOT IN ('resolved','closed')"
            )))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut sent = 0;
        for case in cases {
            let level = case.state.escalation_level(cal, now) as i64;
            if level <= case.escalation {
                continue;
            }
            let mut updated = case.clone();
            updated.escalation = level;
            updated.updated_at = now;
            let (text, user, role) = match level {
                1 => (
                    format!("Sag {} nærmer sig sin frist: {}", case.number, case.subject),
                    case.assignee_user_id,
                    "service_desk_agent",
                ),
                2 => (
                    format!(
                        "Sag {} har overskredet sin frist: {}",
                        case.number, case.subject
                    ),
                    None,
                    "service_desk_agent",
                ),
                _ => (
                    format!(
                        "Sag {} er eskaleret til ledelsen: {}",
                        case.number, case.subject
                    ),
                    None,
                    "org_admin",
                ),
            };
            let entry = [Entry::internal(
                "escalated",
                format!("Eskaleret til niveau {level}"),
            )];
            let result = on_write!(self, |tx| {
                update_case!(tx, &updated, case.updated_at);
                insert_entries!(tx, case.id, &entry, now, None::<uuid::Uuid>, "Telesund");
                sqlx::query(
                    "INSERT INTO staff_notifications (id, user_id, org_id, role, kind, body, case_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(user.map(|u| u.0))
                .bind(case.centre_org_id.0)
                .bind(if user.is_some() { None } else { Some(role) })
                .bind(format!("sla_level_{level}"))
                .bind(&text)
                .bind(case.id.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                Ok::<_, DbError>(())
            });
            if result.is_ok() {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Writes one case's step from the sweep with its timeline entry, if nobody changed the
    /// case since it was read; a case changed meanwhile is the next sweep's.
    async fn save_step(&self, was: &Case, updated: &Case, entry: Entry, now: Timestamp) -> bool {
        let result = self.write_step(was, updated, entry, now).await;
        if let Err(e) = &result {
            tracing::warn!(case = was.number, error = %e, "sweep step not written; retried next sweep");
        }
        result.is_ok()
    }

    async fn write_step(
        &self,
        was: &Case,
        updated: &Case,
        entry: Entry,
        now: Timestamp,
    ) -> Result<()> {
        let entry = [entry];
        on_write!(self, |tx| {
            update_case!(tx, updated, was.updated_at);
            insert_entries!(tx, was.id, &entry, now, None::<uuid::Uuid>, "Telesund");
            Ok::<_, DbError>(())
        })
    }

    async fn close_resolved(&self, cal: &BusinessCalendar, now: Timestamp) -> Result<usize> {
        let cases: Vec<Case> = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.status = 'resolved' AND c.resolved_at <= $1"
            )))
            .bind(now.0 - CLOSE_AFTER_MICROS)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut n = 0;
        for case in cases {
            let mut updated = case.clone();
            if updated.step(&CaseEvent::Close, now, cal).is_err() {
                continue;
            }
            let entry = Entry::internal("closed", "Lukket automatisk efter 7 dage");
            if self.save_step(&case, &updated, entry, now).await {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Runs the sweep every minute under the `service_desk` lease: one replica sweeps, the
/// clocks' warnings are at most a minute late.
pub fn spawn_desk_sweeper(db: Db, holder: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (db, who) = (db.clone(), holder.clone());
            let run = tokio::spawn(async move {
                let now = Timestamp::now();
                if !db.take_lease("service_desk", now, &who).await? {
                    return Ok(None);
                }
                db.sweep_service_desk(now).await.map(Some)
            });
            match run.await {
                Ok(Ok(Some(r))) if r != SweepRun::default() => {
                    tracing::info!(?r, "service desk swept")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "service desk sweep failed"),
                Err(e) => tracing::error!(error = %e, "service desk sweep stopped"),
            }
        }
    })
}
