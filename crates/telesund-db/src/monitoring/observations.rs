//! Home measurements in: checked, converted, stored once (a retry is recognised), triaged
//! for every active plan that asks for the type, and turned into work for each plan's team.

use super::to_json;
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result, is_unique_violation};
use sha2::{Digest, Sha256};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, DataCategory};
use telesund_core::audit::AuditAction;
use telesund_core::ids::*;
use telesund_core::monitoring::assess::{
    Assessment, PlanTriage, TaskCategory, history_days, route_measurement,
};
use telesund_core::monitoring::observation::{
    NewObservation, Observation, ObservationStatus, Source,
};
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};

/// What a submission did: the stored measurement (the first one, for a retry) and its
/// triage per plan.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub observation: Observation,
    /// False when this was a retry of a measurement already stored.
    pub created: bool,
    pub assessments: Vec<(CarePlanId, Assessment)>,
}

/// The stored form of a retry key: 16 bytes of its SHA-256, so the unique index stays small
/// at tens of millions of rows.
fn dedup_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes())[..16].to_vec()
}

const OBS_COLUMNS: &str = "id, citizen_id, type, value, value2, effective_at, received_at, source, entered_by_name, \
     on_behalf_of_name, device, original, identifier, unexpected, status";

macro_rules! observation_from_row {
    ($r:expr) => {{
        let kind = MeasurementType::parse(&$r.try_get::<String, _>("type")?)?;
        let quantities = kind.quantities();
        let mut values = vec![(quantities[0], $r.try_get::<f64, _>("value")?)];
        if let (Some(q), Some(v)) = (quantities.get(1), $r.try_get::<Option<f64>, _>("value2")?) {
            values.push((*q, v));
        }
        Observation {
            id: ObservationId($r.try_get("id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            kind,
            values,
            effective_at: Timestamp($r.try_get("effective_at")?),
            received_at: Timestamp($r.try_get("received_at")?),
            source: Source::parse(&$r.try_get::<String, _>("source")?)?,
            entered_by_name: $r.try_get("entered_by_name")?,
            on_behalf_of_name: $r.try_get("on_behalf_of_name")?,
            device: $r.try_get("device")?,
            original: $r.try_get("original")?,
            identifier: $r.try_get("identifier")?,
            unexpected: $r.try_get("unexpected")?,
            status: ObservationStatus::parse(&$r.try_get::<String, _>("status")?)?,
        }
    }};
}

impl Db {
    /// Submits one measurement for a citizen. Refused input changes nothing; a retry with the
    /// same identifier (or device and time) returns the first measurement, unchanged.
    pub async fn submit_observation(
        &self,
        ctx: &AccessCtx,
        new: NewObservation,
    ) -> Result<Submitted> {
        let citizen = new.citizen_id;
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::SubmitResults,
                AuditAction::Create,
                "observation",
            )
            .await?;
        let now = Timestamp::now();
        let (values, original) = new.canonical(now)?;
        let dedup = new.dedup_key().map(|k| dedup_hash(&k));
        let audit_record = |id: ObservationId| {
            let mut r = ctx.record(
                &decision,
                AuditAction::Create,
                "observation",
                Some(citizen),
                Some(DataCategory::Clinical),
            );
            r.entity_id = Some(id.to_string());
            r
        };
        if let Some(key) = &dedup
            && let Some(first) = self.observation_by_dedup(key).await?
        {
            return self.answer_retry(first, audit_record).await;
        }

        let plans = self.plans_of_citizen(citizen).await?;
        let history = match history_days(&plans, new.kind) {
            Some(days) => {
                self.history(citizen, new.kind, days, new.effective_at)
                    .await?
            }
            None => Vec::new(),
        };
        let routing = route_measurement(&plans, new.kind, new.effective_at, &values, &|q| {
            history
                .iter()
                .filter(|(k, _, _)| *k == q)
                .map(|(_, t, v)| (*t, *v))
                .collect()
        });
        let unexpected = routing.unexpected;

        let observation = Observation {
            id: ObservationId::new(),
            citizen_id: citizen,
            kind: new.kind,
            values,
            effective_at: new.effective_at,
            received_at: now,
            source: new.source,
            entered_by_name: ctx.principal.display_name().to_string(),
            on_behalf_of_name: new.on_behalf_of_name.clone(),
            device: new.device.clone(),
            original,
            identifier: new.identifier.clone(),
            unexpected,
            status: ObservationStatus::Final,
        };
        let entered_by = match &ctx.principal {
            telesund_core::Principal::Staff { user_id, .. } => Some(user_id.0),
            telesund_core::Principal::Citizen { citizen_id, .. } => Some(citizen_id.0),
            telesund_core::Principal::System => None,
        };
        let records = [audit_record(observation.id)];
        let findings: Vec<String> = routing
            .triage
            .iter()
            .map(|t| to_json(&t.assessment.findings))
            .collect::<Result<_>>()?;
        let o = &observation;
        let stored = on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO observations (id, citizen_id, type, value, value2, effective_at, received_at, source, entered_by, \
                 entered_by_name, on_behalf_of_name, device, original, identifier, dedup_key, unexpected, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(o.id.0)
            .bind(citizen.0)
            .bind(o.kind.as_str())
            .bind(o.values[0].1)
            .bind(o.values.get(1).map(|v| v.1))
            .bind(o.effective_at.0)
            .bind(o.received_at.0)
            .bind(o.source.as_str())
            .bind(entered_by)
            .bind(&o.entered_by_name)
            .bind(o.on_behalf_of_name.as_deref())
            .bind(o.device.as_deref())
            .bind(o.original.as_deref())
            .bind(o.identifier.as_deref())
            .bind(dedup.as_deref())
            .bind(o.unexpected)
            .bind(o.status.as_str())
            .execute(&mut *tx)
            .await?;
            for (t, findings) in routing.triage.iter().zip(&findings) {
                sqlx::query(
                    "INSERT INTO assessments (id, citizen_id, care_plan_id, observation_id, colour, findings, result_at, assessed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(AssessmentId::new().0)
                .bind(citizen.0)
                .bind(t.plan.0)
                .bind(o.id.0)
                .bind(t.assessment.colour.as_str())
                .bind(findings)
                .bind(o.effective_at.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            for t in &routing.triage {
                if let Some((category, description)) = &t.task {
                    raise_task!(tx, t, *category, description, citizen, o.effective_at, now);
                }
            }
            crate::audit::insert_records!(tx, records)
        });
        match stored {
            Ok(()) => Ok(Submitted {
                observation,
                created: true,
                assessments: routing
                    .triage
                    .into_iter()
                    .map(|t| (t.plan, t.assessment))
                    .collect(),
            }),
            // Two copies of one measurement raced: the first one stored wins, and this
            // submission answers as a retry.
            Err(DbError::Sql(e)) if dedup.is_some() && is_unique_violation(&e) => {
                let first = self
                    .observation_by_dedup(dedup.as_deref().unwrap_or_default())
                    .await?
                    .ok_or(DbError::Sql(e))?;
                self.answer_retry(first, audit_record).await
            }
            Err(e) => Err(e),
        }
    }

    async fn answer_retry(
        &self,
        first: Observation,
        audit_record: impl Fn(ObservationId) -> telesund_core::audit::AuditRecord,
    ) -> Result<Submitted> {
        self.audit(vec![audit_record(first.id)]).await?;
        let assessments = self.assessments_of_observation(first.id).await?;
        Ok(Submitted {
            observation: first,
            created: false,
            assessments,
        })
    }

    async fn observation_by_dedup(&self, key: &[u8]) -> Result<Option<Observation>> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE dedup_key = $1"
            )))
            .bind(key)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok(observation_from_row!(r))).transpose()
        })
    }

    async fn assessments_of_observation(
        &self,
        id: ObservationId,
    ) -> Result<Vec<(CarePlanId, Assessment)>> {
        on_read!(self, |c| {
            let rows = sqlx::query("SELECT care_plan_id, findings FROM assessments WHERE observation_id = $1 ORDER BY id")
                .bind(id.0)
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let plan: uuid::Uuid = r.try_get("care_plan_id")?;
                    let findings: String = r.try_get("findings")?;
                    Ok((
                        CarePlanId(plan),
                        Assessment::from_findings(super::from_json(&findings)?),
                    ))
                })
                .collect()
        })
    }

    /// Earlier values of this type in the `days` before `at` (what change rules compare with).
    async fn history(
        &self,
        citizen: CitizenId,
        kind: MeasurementType,
        days: u32,
        at: Timestamp,
    ) -> Result<Vec<(Quantity, Timestamp, f64)>> {
        let since = at.0 - i64::from(days) * 86_400_000_000;
        let quantities = kind.quantities();
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT effective_at, value, value2 FROM observations \
                 WHERE citizen_id = $1 AND type = $2 AND effective_at >= $3 AND effective_at < $4 AND status = 'final'",
            )
            .bind(citizen.0)
            .bind(kind.as_str())
            .bind(since)
            .bind(at.0)
            .fetch_all(&mut *c)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let t = Timestamp(r.try_get("effective_at")?);
                out.push((quantities[0], t, r.try_get::<f64, _>("value")?));
                if let (Some(q), Some(v)) =
                    (quantities.get(1), r.try_get::<Option<f64>, _>("value2")?)
                {
                    out.push((*q, t, v));
                }
            }
            Ok::<_, DbError>(out)
        })
    }

    /// A citizen's measurements, newest first, for the caller who may read clinical data.
    pub async fn observations_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        kind: Option<MeasurementType>,
        limit: i64,
    ) -> Result<Vec<Observation>> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "observation",
            )
            .await?;
        let rows = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE citizen_id = $1 AND ($2 IS NULL OR type = $2) \
                 ORDER BY effective_at DESC, id DESC LIMIT $3"
            )))
            .bind(citizen.0)
            .bind(kind.map(|k| k.as_str()))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(observation_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![ctx.record(
            &decision,
            AuditAction::Read,
            "observation",
            Some(citizen),
            Some(DataCategory::Clinical),
        )])
        .await?;
        Ok(rows)
    }
}

/// Creates the plan's open assessment task, or raises the open one: one task per plan and
/// kind of work, its colour the worst of what it holds, its age the oldest result's.
macro_rules! raise_task {
    ($tx:expr, $t:expr, $category:expr, $description:expr, $citizen:expr, $result_at:expr, $now:expr) => {{
        let t: &PlanTriage = $t;
        let category: TaskCategory = $category;
        let colour = t.assessment.colour;
        let open: Option<(uuid::Uuid, String)> = sqlx::query_as(
            "SELECT id, colour FROM tasks WHERE care_plan_id = $1 AND category = $2 AND status IN ('requested','in-progress') LIMIT 1",
        )
        .bind(t.plan.0)
        .bind(category.as_str())
        .fetch_optional(&mut *$tx)
        .await?;
        match open {
            Some((id, held)) => {
                let colour = Colour::parse(&held)?.max(colour);
                sqlx::query(
                    "UPDATE tasks SET colour = $1, priority = $2, description = $3, updated_at = $4, \
                     oldest_result_at = CASE WHEN oldest_result_at < $5 THEN oldest_result_at ELSE $5 END WHERE id = $6",
                )
                .bind(colour.as_str())
                .bind(colour.task_priority())
                .bind($description)
                .bind($now.0)
                .bind($result_at.0)
                .bind(id)
                .execute(&mut *$tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, description, oldest_result_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $10)",
                )
                .bind(TaskId::new().0)
                .bind($citizen.0)
                .bind(t.plan.0)
                .bind(t.team.0)
                .bind(category.as_str())
                .bind(colour.as_str())
                .bind(colour.task_priority())
                .bind($description)
                .bind($result_at.0)
                .bind($now.0)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}
use raise_task;
