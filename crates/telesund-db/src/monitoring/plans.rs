//! Care plans: a programme version applied to a citizen at enrolment, with the citizen's own
//! copy of thresholds and rules, routed to a care team; threshold overrides with their
//! history; pause, resume and end.

use super::{from_json, to_json};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, DataCategory};
use telesund_core::audit::AuditAction;
use telesund_core::ids::*;
use telesund_core::monitoring::Quantity;
use telesund_core::monitoring::programme::{CarePlan, PlanStatus, ProgrammeVersion};
use telesund_core::monitoring::thresholds::Bounds;

/// What enrolment adds when the programme has an active version: the plan, and the team it
/// is routed to (the citizen's team managed by the enrolling organisation, made if missing).
pub(crate) struct PendingPlan {
    pub(crate) plan_id: CarePlanId,
    pub(crate) version: ProgrammeVersion,
    pub(crate) team_id: CareTeamId,
    /// A new team: its name; the enrolling organisation's clinicians are its members.
    pub(crate) new_team: Option<String>,
}

/// One entry in a plan's history.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanChange {
    pub kind: String,
    pub quantity: Option<Quantity>,
    pub old_value: Option<Bounds>,
    pub new_value: Option<Bounds>,
    pub reason: String,
    pub changed_by_name: String,
    pub changed_at: Timestamp,
}

pub(crate) const PLAN_COLUMNS: &str = "cp.id, cp.citizen_id, cp.enrolment_id, cp.programme_version_id, cp.care_team_id, cp.status, cp.definition, \
     cp.started_at, cp.paused_at, cp.ended_at, pv.programme_id, p.name AS programme_name";
pub(crate) const PLAN_FROM: &str = "FROM care_plans cp JOIN programme_versions pv ON pv.id = cp.programme_version_id \
     JOIN programmes p ON p.id = pv.programme_id";

/// One row of a plan's history, as written: who, when, what and why.
pub(crate) struct ChangeRow {
    pub(crate) kind: &'static str,
    pub(crate) quantity: Option<&'static str>,
    pub(crate) old_value: Option<String>,
    pub(crate) new_value: Option<String>,
    pub(crate) reason: String,
    pub(crate) by: Option<uuid::Uuid>,
    pub(crate) by_name: String,
    pub(crate) at: Timestamp,
}

impl ChangeRow {
    pub(crate) fn by(ctx: &AccessCtx, kind: &'static str, reason: &str, at: Timestamp) -> Self {
        Self {
            kind,
            quantity: None,
            old_value: None,
            new_value: None,
            reason: reason.trim().to_string(),
            by: ctx.principal.user_id().map(|u| u.0),
            by_name: ctx.principal.display_name().to_string(),
            at,
        }
    }
}

/// Appends a row to a plan's history inside the caller's transaction.
macro_rules! insert_change {
    ($tx:expr, $plan:expr, $row:expr) => {{
        let row: &$crate::monitoring::plans::ChangeRow = $row;
        sqlx::query(
            "INSERT INTO care_plan_changes (id, care_plan_id, kind, quantity, old_value, new_value, reason, changed_by, changed_by_name, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($plan.0)
        .bind(row.kind)
        .bind(row.quantity)
        .bind(row.old_value.as_deref())
        .bind(row.new_value.as_deref())
        .bind(&row.reason)
        .bind(row.by)
        .bind(&row.by_name)
        .bind(row.at.0)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use insert_change;

/// The plans of several citizens, each newest first, by citizen: `$c` a connection, `$ids`
/// the citizens, `$list` their placeholders from `$1`. For the citizen facts cache.
macro_rules! plans_of_citizens {
    ($c:expr, $ids:expr, $list:expr) => {{
        use $crate::monitoring::plans::{PLAN_COLUMNS, PLAN_FROM};
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PLAN_COLUMNS} {PLAN_FROM} WHERE cp.citizen_id IN ({}) \
             ORDER BY cp.citizen_id, cp.started_at DESC, cp.id",
            $list
        )));
        for id in $ids {
            q = q.bind(id.0);
        }
        let mut by_citizen: std::collections::HashMap<
            telesund_core::ids::CitizenId,
            Vec<telesund_core::monitoring::programme::CarePlan>,
        > = std::collections::HashMap::new();
        for r in q.fetch_all(&mut *$c).await? {
            let plan = $crate::monitoring::plans::plan_from_row!(r);
            by_citizen.entry(plan.citizen_id).or_default().push(plan);
        }
        by_citizen
    }};
}
pub(crate) use plans_of_citizens;

macro_rules! plan_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        let definition: String = $r.try_get("definition")?;
        telesund_core::monitoring::programme::CarePlan {
            id: telesund_core::ids::CarePlanId($r.try_get("id")?),
            citizen_id: telesund_core::ids::CitizenId($r.try_get("citizen_id")?),
            enrolment_id: telesund_core::ids::EnrolmentId($r.try_get("enrolment_id")?),
            programme_id: telesund_core::ids::ProgrammeId($r.try_get("programme_id")?),
            programme_name: $r.try_get("programme_name")?,
            programme_version_id: telesund_core::ids::ProgrammeVersionId(
                $r.try_get("programme_version_id")?,
            ),
            care_team_id: telesund_core::ids::CareTeamId($r.try_get("care_team_id")?),
            status: telesund_core::monitoring::programme::PlanStatus::parse(&status)?,
            definition: $crate::monitoring::from_json(&definition)?,
            started_at: telesund_core::Timestamp($r.try_get("started_at")?),
            paused_at: $r
                .try_get::<Option<i64>, _>("paused_at")?
                .map(telesund_core::Timestamp),
            ended_at: $r
                .try_get::<Option<i64>, _>("ended_at")?
                .map(telesund_core::Timestamp),
        }
    }};
}
pub(crate) use plan_from_row;

impl Db {
    /// The plan an enrolment will make, or `None` when the programme has no active version
    /// (a programme without telemonitoring, e.g. education only).
    pub(crate) async fn pending_plan(
        &self,
        citizen: CitizenId,
        programme: ProgrammeId,
        programme_name: &str,
        org: OrgId,
    ) -> Result<Option<PendingPlan>> {
        let Some(version) = self.active_programme_version(programme).await? else {
            return Ok(None);
        };
        let existing: Option<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar(
            "SELECT id FROM care_teams WHERE citizen_id = $1 AND managing_org_id = $2 AND active = $3 ORDER BY created_at LIMIT 1"
        )
        .bind(citizen.0)
        .bind(org.0)
        .bind(true)
        .fetch_optional(&mut *c)
        .await
        })?;
        let org_name = self.organisation(org).await?.name;
        Ok(Some(PendingPlan {
            plan_id: CarePlanId::new(),
            version,
            // An existing team, or the id of the one the enrolment makes (a fresh id).
            team_id: existing.map(CareTeamId).unwrap_or_default(),
            new_team: existing
                .is_none()
                .then(|| format!("{programme_name} – {org_name}")),
        }))
    }

    /// The plans of a citizen, newest first, as the caller may see them (clinical data).
    pub async fn care_plans_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
    ) -> Result<Vec<CarePlan>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "care_plan",
                None,
            )
            .await?;
        let plans = self.plans_of_citizen(citizen).await?;
        self.audit(vec![record]).await?;
        Ok(plans)
    }

    /// Every plan of a citizen, newest first, for storage's own use (triage): no access
    /// check. Kept with the citizen's access facts (see `citizen_facts`).
    pub(crate) async fn plans_of_citizen(&self, citizen: CitizenId) -> Result<Vec<CarePlan>> {
        Ok(self.snapshot(citizen).await?.plans.clone())
    }

    pub(crate) async fn plan(&self, id: CarePlanId) -> Result<CarePlan> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PLAN_COLUMNS} {PLAN_FROM} WHERE cp.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("care plan"))?;
            Ok(plan_from_row!(r))
        })
    }

    /// Decides a clinical change to a plan; returns the audit record to write with it.
    async fn authorize_plan_change(
        &self,
        ctx: &AccessCtx,
        plan: &CarePlan,
    ) -> Result<telesund_core::audit::AuditRecord> {
        let record = self
            .clinical_guard(
                ctx,
                plan.citizen_id,
                Action::Write(DataCategory::Clinical),
                AuditAction::Update,
                "care_plan",
                Some(plan.id.to_string()),
            )
            .await?;
        Ok(record)
    }

    /// Overrides one quantity's thresholds for this citizen. A reason is required: it is
    /// shown in the plan's history next to the old and new bounds.
    pub async fn override_thresholds(
        &self,
        ctx: &AccessCtx,
        plan_id: CarePlanId,
        quantity: Quantity,
        bounds: Bounds,
        reason: &str,
    ) -> Result<CarePlan> {
        let mut plan = self.plan(plan_id).await?;
        let record = self.authorize_plan_change(ctx, &plan).await?;
        let old = plan
            .definition
            .override_thresholds(quantity, bounds, reason)?;
        let json = to_json(&plan.definition)?;
        let change = ChangeRow {
            quantity: Some(quantity.as_str()),
            old_value: old.map(|b| to_json(&b)).transpose()?,
            new_value: Some(to_json(&bounds)?),
            ..ChangeRow::by(ctx, "thresholds", reason, Timestamp::now())
        };
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query("UPDATE care_plans SET definition = $1 WHERE id = $2")
                .bind(&json)
                .bind(plan_id.0)
                .execute(&mut *tx)
                .await?;
            insert_change!(tx, plan_id, &change);
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(plan)
    }

    /// Pauses (e.g. during admission), resumes or ends a plan; the enrolment follows.
    pub async fn set_care_plan_status(
        &self,
        ctx: &AccessCtx,
        plan_id: CarePlanId,
        next: PlanStatus,
        reason: &str,
    ) -> Result<CarePlan> {
        let plan = self.plan(plan_id).await?;
        let record = self.authorize_plan_change(ctx, &plan).await?;
        let kind = plan.status.change_to(next).ok_or_else(|| {
            telesund_core::DomainError::new(
                telesund_core::ErrorCode::Conflict,
                format!(
                    "a {} plan cannot become {}",
                    plan.status.as_str(),
                    next.as_str()
                ),
            )
        })?;
        let now = Timestamp::now();
        let change = ChangeRow::by(ctx, kind, reason, now);
        let records = [record];
        on_write!(self, |tx| {
            // Resuming starts the missing-measurement check afresh: a paused stretch is
            // never reported as missing.
            sqlx::query(
                "UPDATE care_plans SET status = $1, paused_at = $2, ended_at = $3, \
                 missing_checked_until = CASE WHEN $4 THEN $5 ELSE missing_checked_until END WHERE id = $6",
            )
            .bind(next.as_str())
            .bind((next == PlanStatus::Paused).then_some(now.0))
            .bind((next == PlanStatus::Ended).then_some(now.0))
            .bind(next == PlanStatus::Active)
            .bind(now.0)
            .bind(plan_id.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE enrolments SET status = $1, ended_at = $2 WHERE id = $3")
                .bind(next.as_str())
                .bind((next == PlanStatus::Ended).then_some(now.0))
                .bind(plan.enrolment_id.0)
                .execute(&mut *tx)
                .await?;
            insert_change!(tx, plan_id, &change);
            if next == PlanStatus::Ended {
                sqlx::query(
                    "UPDATE tasks SET status = 'cancelled', updated_at = $1 WHERE care_plan_id = $2 AND status IN ('requested','in-progress')",
                )
                .bind(now.0)
                .bind(plan_id.0)
                .execute(&mut *tx)
                .await?;
                // Only this plan's equipment ends: units other plans use stay in the home.
                crate::equipment::orders::end_plan_equipment!(
                    tx,
                    plan_id,
                    now,
                    change.by,
                    &change.by_name
                );
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.plan(plan_id).await
    }

    /// A plan's history: creation, threshold overrides with reasons, pauses, the end.
    pub async fn care_plan_history(
        &self,
        ctx: &AccessCtx,
        plan_id: CarePlanId,
    ) -> Result<Vec<PlanChange>> {
        let plan = self.plan(plan_id).await?;
        let decision = self
            .guard_citizen(
                ctx,
                plan.citizen_id,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "care_plan",
            )
            .await?;
        let changes = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT kind, quantity, old_value, new_value, reason, changed_by_name, changed_at FROM care_plan_changes \
                 WHERE care_plan_id = $1 ORDER BY changed_at, id",
            )
            .bind(plan_id.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let quantity: Option<String> = r.try_get("quantity")?;
                    let old: Option<String> = r.try_get("old_value")?;
                    let new: Option<String> = r.try_get("new_value")?;
                    Ok(PlanChange {
                        kind: r.try_get("kind")?,
                        quantity: quantity.map(|q| Quantity::parse(&q)).transpose()?,
                        old_value: old.map(|s| from_json(&s)).transpose()?,
                        new_value: new.map(|s| from_json(&s)).transpose()?,
                        reason: r.try_get("reason")?,
                        changed_by_name: r.try_get("changed_by_name")?,
                        changed_at: Timestamp(r.try_get("changed_at")?),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut record = ctx.record(
            &decision,
            AuditAction::Read,
            "care_plan",
            Some(plan.citizen_id),
            Some(DataCategory::Clinical),
        );
        record.entity_id = Some(plan_id.to_string());
        self.audit(vec![record]).await?;
        Ok(changes)
    }
}

/// Inserts a pending plan (and its new team) inside the enrolment's transaction.
macro_rules! insert_pending_plan {
    ($tx:expr, $pending:expr, $citizen:expr, $enrolment:expr, $org:expr, $now:expr, $ctx:expr) => {{
        let p: &$crate::monitoring::plans::PendingPlan = $pending;
        if let Some(name) = &p.new_team {
            sqlx::query("INSERT INTO care_teams (id, citizen_id, name, managing_org_id, active, created_at, enrolment_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(p.team_id.0)
                .bind($citizen.0)
                .bind(name)
                .bind($org.0)
                .bind(true)
                .bind($now.0)
                .bind($enrolment.0)
                .execute(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO care_team_members (id, team_id, org_id, user_id, role, scope, valid_from, valid_to) VALUES ($1, $2, $3, NULL, $4, $5, $6, NULL)")
                .bind(uuid::Uuid::now_v7())
                .bind(p.team_id.0)
                .bind($org.0)
                .bind(telesund_core::identity::Role::Clinician.as_str())
                .bind(telesund_core::care::TeamScope::Clinical.as_str())
                .bind($now.0)
                .execute(&mut *$tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO care_plans (id, citizen_id, enrolment_id, programme_version_id, care_team_id, status, definition, started_at, missing_checked_until) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)",
        )
        .bind(p.plan_id.0)
        .bind($citizen.0)
        .bind($enrolment.0)
        .bind(p.version.id.0)
        .bind(p.team_id.0)
        .bind($crate::monitoring::to_json(&p.version.definition)?)
        .bind($now.0)
        .execute(&mut *$tx)
        .await?;
        let created = $crate::monitoring::plans::ChangeRow::by(
            $ctx,
            "created",
            &format!("programversion {}", p.version.version),
            $now,
        );
        $crate::monitoring::plans::insert_change!($tx, p.plan_id, &created);
    }};
}
pub(crate) use insert_pending_plan;
