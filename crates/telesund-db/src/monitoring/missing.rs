//! Missing results (blue): the scheduler that finds the windows which closed without the
//! measurement or questionnaire a plan asks for, gives the plan's team one open task per
//! activity, and queues a reminder for the citizen.
//!
//! One replica at a time runs it, by a lease row in `job_leases`. Each active plan is checked
//! from its `missing_checked_until` to now, and that mark moves to now, so a window is
//! reported once. It is the system's own work, on no one's request and for no principal, so
//! it writes no audit record (the codebase has no audit convention for background jobs): it
//! reads only the times of results and whether a phone number is a mobile one, and discloses
//! nothing: the team sees the task through their own audited reads, and the reminder
//! carries no clinical value.
//!
//! At scale (10,000 active plans, millions of results) the work goes by pages of citizens:
//! one query lists the ids of every active plan, each page of 200 citizens' plans is read by
//! primary key, the schedules are evaluated in memory (each distinct definition parsed once),
//! and only for citizens with a window that closed does one query fetch the times of all
//! their results in that span (on the `(citizen_id, time)` indexes) — never a query per
//! window. The writes of a page share one transaction and one commit; a citizen with
//! something missing is written inside a savepoint, so one citizen's failure is logged and
//! costs nobody else their check (their mark does not move, so the next run tries again).

use super::from_json;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use telesund_core::Timestamp;
use telesund_core::ids::*;
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::MeasurementType;
use telesund_core::monitoring::assess::TaskCategory;
use telesund_core::monitoring::programme::{Activity, PlanDefinition};
use telesund_core::monitoring::schedule::Occurrence;
use telesund_core::monitoring::work::{Task, TaskStatus};
use time::{Date, OffsetDateTime, Time};

/// What one run of the check did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MissingRun {
    /// False when another holder has the lease: this run did nothing.
    pub ran: bool,
    /// Active plans looked at.
    pub plans_checked: usize,
    /// Missing tasks created or raised (one per plan and activity at most).
    pub tasks_raised: usize,
    /// Reminders queued for citizens (one per citizen at most).
    pub reminders: usize,
}

/// The lease's name in `job_leases`.
const JOB: &str = "missing_results";
/// How long a holder keeps the lease without renewing it: if the replica dies, another takes
/// over after this.
const LEASE_MICROS: i64 = 5 * 60 * 1_000_000;
/// How often a long run renews its lease: well inside [`LEASE_MICROS`].
const RENEW_AFTER: Duration = Duration::from_secs(60);
/// Citizens per page: a page's writes are one commit.
const CITIZENS_PER_PAGE: usize = 200;

/// An active plan as the check needs it.
struct PlanRow {
    id: CarePlanId,
    citizen: CitizenId,
    team: CareTeamId,
    definition: Arc<PlanDefinition>,
    /// Windows starting before this are never missing: the plan began (or resumed) during them.
    active_since: Timestamp,
    checked_until: Timestamp,
}

/// One activity of one plan with the windows that closed without enough results.
struct MissingActivity {
    key: String,
    activity: Activity,
    /// Oldest first; each with the number of results it held.
    windows: Vec<(Occurrence, usize)>,
}

/// What to write for one plan: move its mark, and the activities it misses.
struct PlanWork<'a> {
    plan: &'a PlanRow,
    missing: Vec<MissingActivity>,
}

/// What to write for one citizen.
struct CitizenWork<'a> {
    citizen: CitizenId,
    plans: Vec<PlanWork<'a>>,
    /// "sms" or "portal".
    channel: &'static str,
}

/// A result's kind and what it is of, for matching it to activities.
enum Received {
    Measurement(String),
    Questionnaire(String),
}

impl Db {
    /// Takes or renews the lease for `holder`: free, expired (`until < now`) or already
    /// ours. One statement, so two replicas can never both get it.
    pub(crate) async fn take_lease(&self, job: &str, now: Timestamp, holder: &str) -> Result<bool> {
        let taken = on_write!(self, |tx| {
            let r = sqlx::query(
                "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
                 WHERE job_leases.until < $4 OR job_leases.holder = $2",
            )
            .bind(job)
            .bind(holder)
            .bind(now.0 + LEASE_MICROS)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            Ok(r.rows_affected())
        })?;
        Ok(taken == 1)
    }

    /// Finds the windows that closed without results since each active plan was last
    /// checked, raises one blue task per plan and activity, queues one reminder per citizen
    /// and moves each plan's mark to `now`. Paused and ended plans are skipped (resuming
    /// moves the mark, so a pause is never reported). Returns `ran: false`, having done
    /// nothing, when another holder has the lease.
    pub async fn check_missing(&self, now: Timestamp, holder: &str) -> Result<MissingRun> {
        let mut run = MissingRun::default();
        if !self.take_lease(JOB, now, holder).await? {
            return Ok(run);
        }
        run.ran = true;
        let started = Instant::now();
        let mut renewed = started;
        let titles = self.questionnaire_titles().await?;
        let active = self.active_plan_ids().await?;
        let mut definitions = HashMap::new();
        let mut rest = active.as_slice();
        while !rest.is_empty() {
            // The plans of the next CITIZENS_PER_PAGE citizens: a citizen's plans never
            // straddle two pages, so a citizen gets one reminder however many plans miss.
            let mut end = 0;
            let mut citizens = 0;
            while end < rest.len() {
                if end == 0 || rest[end].0 != rest[end - 1].0 {
                    if citizens == CITIZENS_PER_PAGE {
                        break;
                    }
                    citizens += 1;
                }
                end += 1;
            }
            let (ids, next) = rest.split_at(end);
            rest = next;
            let page = self.plans_to_check(ids, &mut definitions).await?;
            run.plans_checked += page.len();
            self.check_page(&page, now, &titles, &mut run).await?;
            if rest.is_empty() {
                break;
            }
            // A long run renews the lease as it goes (well before it would lapse), and stops
            // if it was lost.
            if renewed.elapsed() >= RENEW_AFTER {
                let elapsed = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX / 2);
                if !self
                    .take_lease(JOB, Timestamp(now.0 + elapsed), holder)
                    .await?
                {
                    tracing::warn!(holder, "the missing-results lease was taken over mid-run");
                    break;
                }
                renewed = Instant::now();
            }
        }
        Ok(run)
    }

    /// Titles of the active questionnaires by key, for the worklist lines.
    async fn questionnaire_titles(&self) -> Result<HashMap<String, String>> {
        on_read!(self, |c| {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT key, title FROM questionnaires WHERE status = 'active' ORDER BY created_at",
            )
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(rows.into_iter().collect())
        })
    }

    /// Every active plan as (citizen, plan), ordered by citizen: one scan, a few bytes a
    /// plan, and the run's list of work. (Paging the plans themselves by citizen would make
    /// SQLite, which prefers the equality on `status`, scan and sort every active plan for
    /// each page.)
    async fn active_plan_ids(&self) -> Result<Vec<(uuid::Uuid, uuid::Uuid)>> {
        on_read!(self, |c| {
            sqlx::query_as(
                "SELECT citizen_id, id FROM care_plans WHERE status = 'active' ORDER BY citizen_id, id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })
    }

    /// The plans of `ids` (citizen, plan) that are still active, by their primary key.
    /// Definitions are parsed once per distinct text: plans of one programme version share
    /// their activities, whatever thresholds were overridden.
    async fn plans_to_check(
        &self,
        ids: &[(uuid::Uuid, uuid::Uuid)],
        definitions: &mut HashMap<String, Arc<PlanDefinition>>,
    ) -> Result<Vec<PlanRow>> {
        type Raw = (
            uuid::Uuid,
            uuid::Uuid,
            uuid::Uuid,
            String,
            i64,
            i64,
            Option<i64>,
        );
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT cp.id, cp.citizen_id, cp.care_team_id, cp.definition, cp.started_at, cp.missing_checked_until, \
             (SELECT MAX(ch.changed_at) FROM care_plan_changes ch WHERE ch.care_plan_id = cp.id AND ch.kind = 'resumed') \
             FROM care_plans cp WHERE cp.status = 'active' AND cp.id IN ({}) ORDER BY cp.citizen_id, cp.id",
            placeholders.join(", ")
        );
        let rows: Vec<Raw> = on_read!(self, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for (_, id) in ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?;
        let mut plans = Vec::with_capacity(rows.len());
        for (id, citizen, team, text, started_at, checked_until, resumed_at) in rows {
            let definition = match definitions.get(&text) {
                Some(d) => d.clone(),
                // One unreadable plan must not stop the check for everyone else.
                None => match from_json::<PlanDefinition>(&text) {
                    Ok(d) => {
                        let d = Arc::new(d);
                        definitions.insert(text, d.clone());
                        d
                    }
                    Err(e) => {
                        tracing::error!(plan = %id, error = %e, "care plan definition unreadable; not checked");
                        continue;
                    }
                },
            };
            plans.push(PlanRow {
                id: CarePlanId(id),
                citizen: CitizenId(citizen),
                team: CareTeamId(team),
                definition,
                active_since: Timestamp(started_at.max(resumed_at.unwrap_or(i64::MIN))),
                checked_until: Timestamp(checked_until),
            });
        }
        Ok(plans)
    }

    async fn check_page(
        &self,
        page: &[PlanRow],
        now: Timestamp,
        titles: &HashMap<String, String>,
        run: &mut MissingRun,
    ) -> Result<()> {
        // Windows that closed since each plan's mark, before looking at any result: most
        // runs find none for most plans, and those plans cost no query and no write.
        let mut spans: Vec<(CitizenId, Timestamp, Timestamp)> = Vec::new();
        let mut due: Vec<&PlanRow> = Vec::new();
        for p in page {
            let closed = p.definition.activities.iter().flat_map(|a| {
                a.schedule()
                    .missing(p.active_since, p.checked_until, now, &[])
            });
            let (lo, hi) = closed.fold((None, None), |(lo, hi): (Option<i64>, Option<i64>), o| {
                (
                    Some(lo.map_or(o.start.0, |l| l.min(o.start.0))),
                    Some(hi.map_or(o.end.0, |h| h.max(o.end.0))),
                )
            });
            let (Some(lo), Some(hi)) = (lo, hi) else {
                continue;
            };
            due.push(p);
            match spans.last_mut() {
                Some((c, l, h)) if *c == p.citizen => {
                    l.0 = l.0.min(lo);
                    h.0 = h.0.max(hi);
                }
                _ => spans.push((p.citizen, Timestamp(lo), Timestamp(hi))),
            }
        }
        if due.is_empty() {
            return Ok(());
        }

        // The times of every result of those citizens in the span that matters: one query
        // per citizen, all on one connection.
        let received: HashMap<CitizenId, Vec<(Received, Timestamp)>> = on_read!(self, |c| {
            let mut out = HashMap::new();
            for (citizen, lo, hi) in &spans {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT 'measurement', type, effective_at FROM observations \
                     WHERE citizen_id = $1 AND effective_at >= $2 AND effective_at < $3 AND status = 'final' \
                     UNION ALL \
                     SELECT 'questionnaire', q.key, r.authored_at FROM questionnaire_responses r \
                     JOIN questionnaires q ON q.id = r.questionnaire_id \
                     WHERE r.citizen_id = $1 AND r.authored_at >= $2 AND r.authored_at < $3",
                )
                .bind(citizen.0)
                .bind(lo.0)
                .bind(hi.0)
                .fetch_all(&mut *c)
                .await?;
                let times = rows
                    .into_iter()
                    .map(|(source, what, at)| {
                        let r = if source == "measurement" {
                            Received::Measurement(what)
                        } else {
                            Received::Questionnaire(what)
                        };
                        (r, Timestamp(at))
                    })
                    .collect::<Vec<_>>();
                out.insert(*citizen, times);
            }
            Ok::<_, DbError>(out)
        })?;

        let mut work: Vec<CitizenWork> = Vec::new();
        for p in due {
            let results = received.get(&p.citizen).map_or(&[][..], Vec::as_slice);
            let mut missing = Vec::new();
            for activity in &p.definition.activities {
                let times: Vec<Timestamp> = results
                    .iter()
                    .filter(|(r, _)| match (r, activity) {
                        (Received::Measurement(t), Activity::Measurement { kind, .. }) => {
                            t == kind.as_str()
                        }
                        (
                            Received::Questionnaire(k),
                            Activity::Questionnaire { questionnaire, .. },
                        ) => k == questionnaire,
                        _ => false,
                    })
                    .map(|(_, t)| *t)
                    .collect();
                let windows: Vec<(Occurrence, usize)> = activity
                    .schedule()
                    .missing(p.active_since, p.checked_until, now, &times)
                    .into_iter()
                    .map(|o| (o, times.iter().filter(|t| o.contains(**t)).count()))
                    .collect();
                if !windows.is_empty() {
                    missing.push(MissingActivity {
                        key: activity.key(),
                        activity: activity.clone(),
                        windows,
                    });
                }
            }
            let plan = PlanWork { plan: p, missing };
            match work.last_mut() {
                Some(w) if w.citizen == p.citizen => w.plans.push(plan),
                _ => work.push(CitizenWork {
                    citizen: p.citizen,
                    plans: vec![plan],
                    channel: "portal",
                }),
            }
        }

        // Where a reminder goes: by text message when the citizen has a mobile number.
        let reminded: Vec<CitizenId> = work
            .iter()
            .filter(|w| w.plans.iter().any(|p| !p.missing.is_empty()))
            .map(|w| w.citizen)
            .collect();
        if !reminded.is_empty() {
            let mobile: Vec<CitizenId> = on_read!(self, |c| {
                let mut out = Vec::new();
                for citizen in &reminded {
                    let phones: Vec<String> = sqlx::query_scalar(
                        "SELECT phone FROM citizen_phones WHERE citizen_id = $1 ORDER BY position",
                    )
                    .bind(citizen.0)
                    .fetch_all(&mut *c)
                    .await?;
                    if phones.iter().any(|p| is_danish_mobile(p)) {
                        out.push(*citizen);
                    }
                }
                Ok::<_, DbError>(out)
            })?;
            for w in &mut work {
                if mobile.contains(&w.citizen) {
                    w.channel = "sms";
                }
            }
        }

        let (tasks, reminders) = on_write!(self, |tx| {
            let (mut tasks, mut reminders) = (0usize, 0usize);
            for w in &work {
                if w.plans.iter().all(|p| p.missing.is_empty()) {
                    // Every window held its results: only the marks move, one statement a
                    // plan, with nothing to undo on its own.
                    for p in &w.plans {
                        sqlx::query(
                            "UPDATE care_plans SET missing_checked_until = $1 \
                             WHERE id = $2 AND status = 'active' AND missing_checked_until = $3",
                        )
                        .bind(now.0)
                        .bind(p.plan.id.0)
                        .bind(p.plan.checked_until.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    continue;
                }
                sqlx::query("SAVEPOINT citizen").execute(&mut *tx).await?;
                let one: Result<(usize, usize)> = async {
                    let (mut raised, mut to_remind) = (0usize, Vec::<&Activity>::new());
                    for p in &w.plans {
                        let plan = p.plan;
                        // Only if the plan is still active and nobody moved its mark meanwhile
                        // (a pause, or another run): otherwise this plan's check is void.
                        let moved = sqlx::query(
                            "UPDATE care_plans SET missing_checked_until = $1 \
                             WHERE id = $2 AND status = 'active' AND missing_checked_until = $3",
                        )
                        .bind(now.0)
                        .bind(plan.id.0)
                        .bind(plan.checked_until.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if moved == 0 || p.missing.is_empty() {
                            continue;
                        }
                        let open: Vec<(uuid::Uuid, Option<String>)> = sqlx::query_as(
                            "SELECT id, activity FROM tasks WHERE citizen_id = $1 AND care_plan_id = $2 \
                             AND category = $3 AND status IN ('requested','in-progress')",
                        )
                        .bind(w.citizen.0)
                        .bind(plan.id.0)
                        .bind(TaskCategory::Missing.as_str())
                        .fetch_all(&mut *tx)
                        .await?;
                        for m in &p.missing {
                            let (Some((first, _)), Some((latest, _))) =
                                (m.windows.first(), m.windows.last())
                            else {
                                continue;
                            };
                            let description = missing_description(m, titles);
                            // The open task may have been completed by a clinician committing
                            // meanwhile: the update then touches nothing, and a new task opens.
                            let updated = match open
                                .iter()
                                .find(|(_, a)| a.as_deref() == Some(m.key.as_str()))
                            {
                                Some((id, _)) => {
                                    sqlx::query(
                                        "UPDATE tasks SET window_start = $1, window_end = $2, description = $3, updated_at = $4 \
                                         WHERE id = $5 AND status IN ('requested','in-progress')",
                                    )
                                    .bind(latest.start.0)
                                    .bind(latest.end.0)
                                    .bind(&description)
                                    .bind(now.0)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?
                                    .rows_affected()
                                        > 0
                                }
                                None => false,
                            };
                            if !updated {
                                sqlx::query(
                                    "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, \
                                     activity, window_start, window_end, description, oldest_result_at, created_at, updated_at) \
                                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, $10, $11, $12, $13, $13)",
                                )
                                .bind(TaskId::new().0)
                                .bind(w.citizen.0)
                                .bind(plan.id.0)
                                .bind(plan.team.0)
                                .bind(TaskCategory::Missing.as_str())
                                .bind(Colour::Blue.as_str())
                                .bind(Colour::Blue.task_priority())
                                .bind(&m.key)
                                .bind(latest.start.0)
                                .bind(latest.end.0)
                                .bind(&description)
                                // The task's age: since the first window closed empty.
                                .bind(first.end.0)
                                .bind(now.0)
                                .execute(&mut *tx)
                                .await?;
                            }
                            raised += 1;
                            to_remind.push(&m.activity);
                        }
                    }
                    if to_remind.is_empty() {
                        return Ok((raised, 0));
                    }
                    sqlx::query(
                        "INSERT INTO notification_outbox (id, citizen_id, channel, kind, body, created_at, sent_at, attempts) \
                         VALUES ($1, $2, $3, 'missing_reminder', $4, $5, NULL, 0)",
                    )
                    .bind(uuid::Uuid::now_v7())
                    .bind(w.citizen.0)
                    .bind(w.channel)
                    .bind(reminder_body(&to_remind))
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                    Ok((raised, 1))
                }
                .await;
                match one {
                    Ok((t, r)) => {
                        sqlx::query("RELEASE SAVEPOINT citizen")
                            .execute(&mut *tx)
                            .await?;
                        tasks += t;
                        reminders += r;
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT citizen")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT citizen")
                            .execute(&mut *tx)
                            .await?;
                        tracing::error!(citizen = %w.citizen, error = %e, "missing-results check failed for a citizen; retried next run");
                    }
                }
            }
            Ok::<_, DbError>((tasks, reminders))
        })?;
        run.tasks_raised += tasks;
        run.reminders += reminders;
        Ok(())
    }

    /// Moves a care plan's start and missing-results mark back to `at`, so a test can let
    /// windows pass without waiting for them.
    #[doc(hidden)]
    pub async fn backdate_care_plan_for_test(&self, plan: CarePlanId, at: Timestamp) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query(
                "UPDATE care_plans SET started_at = $1, missing_checked_until = $1 WHERE id = $2",
            )
            .bind(at.0)
            .bind(plan.0)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Every task of a citizen, oldest first, without an access check (for tests).
    #[doc(hidden)]
    pub async fn tasks_for_test(&self, citizen: CitizenId) -> Result<Vec<Task>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, owner_user_id, owner_name, \
                 activity, window_start, window_end, description, oldest_result_at, created_at, updated_at, completed_at, completed_by_name, support_note \
                 FROM tasks WHERE citizen_id = $1 ORDER BY created_at, id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let owner: Option<uuid::Uuid> = r.try_get("owner_user_id")?;
                    let owner_name: Option<String> = r.try_get("owner_name")?;
                    let start: Option<i64> = r.try_get("window_start")?;
                    let end: Option<i64> = r.try_get("window_end")?;
                    Ok(Task {
                        id: TaskId(r.try_get("id")?),
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        care_plan_id: CarePlanId(r.try_get("care_plan_id")?),
                        care_team_id: CareTeamId(r.try_get("care_team_id")?),
                        category: TaskCategory::parse(&r.try_get::<String, _>("category")?)?,
                        colour: Colour::parse(&r.try_get::<String, _>("colour")?)?,
                        priority: r.try_get("priority")?,
                        status: TaskStatus::parse(&r.try_get::<String, _>("status")?)?,
                        owner: owner.map(|u| (UserId(u), owner_name.unwrap_or_default())),
                        activity: r.try_get("activity")?,
                        window: start.zip(end).map(|(s, e)| (Timestamp(s), Timestamp(e))),
                        description: r.try_get("description")?,
                        oldest_result_at: Timestamp(r.try_get("oldest_result_at")?),
                        created_at: Timestamp(r.try_get("created_at")?),
                        updated_at: Timestamp(r.try_get("updated_at")?),
                        completed_at: r.try_get::<Option<i64>, _>("completed_at")?.map(Timestamp),
                        completed_by_name: r.try_get("completed_by_name")?,
                        support_note: r.try_get("support_note")?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    /// Who holds a job's lease, if anyone has taken it (for tests).
    #[doc(hidden)]
    pub async fn lease_holder_for_test(&self, name: &str) -> Result<Option<String>> {
        on_read!(self, |c| {
            sqlx::query_scalar("SELECT holder FROM job_leases WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
        })
    }

    /// A citizen's queued notifications as (channel, kind, body), oldest first (for tests).
    #[doc(hidden)]
    pub async fn outbox_for_test(
        &self,
        citizen: CitizenId,
    ) -> Result<Vec<(String, String, String)>> {
        on_read!(self, |c| {
            sqlx::query_as(
                "SELECT channel, kind, body FROM notification_outbox WHERE citizen_id = $1 ORDER BY created_at, id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })
    }
}

/// Runs [`Db::check_missing`] every `every` for as long as the process lives, as `holder`
/// (a name unique to this replica). Each run is its own task, so even a panic in one run is
/// logged and the next run still comes; failures are logged and retried at the next tick.
pub fn spawn_missing_scheduler(
    db: Db,
    every: Duration,
    holder: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (db, who) = (db.clone(), holder.clone());
            let run = tokio::spawn(async move { db.check_missing(Timestamp::now(), &who).await });
            match run.await {
                Ok(Ok(r)) if r.ran => tracing::info!(
                    plans_checked = r.plans_checked,
                    tasks_raised = r.tasks_raised,
                    reminders = r.reminders,
                    "missing results checked"
                ),
                Ok(Ok(_)) => {
                    tracing::debug!(holder, "missing results: another replica holds the lease")
                }
                Ok(Err(e)) => tracing::error!(error = %e, "missing-results check failed"),
                Err(e) => tracing::error!(error = %e, "missing-results check stopped"),
            }
        }
    })
}

/// The Danish numbering plan's mobile series (+45 2x, 30–31, 40–42, 50–53, 60–61, 71, 81,
/// 91–93). A number abroad is not texted: the reminder goes to the portal instead.
fn is_danish_mobile(phone: &str) -> bool {
    let Some(national) = phone.strip_prefix("+45") else {
        return false;
    };
    if national.len() != 8 || !national.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    matches!(
        national[..2].parse::<u8>(),
        Ok(20..=31 | 40..=42 | 50..=53 | 60 | 61 | 71 | 81 | 91..=93)
    )
}

/// What is missing in lower case, as it reads inside a sentence ("vægt").
fn activity_danish(activity: &Activity, titles: &HashMap<String, String>) -> String {
    match activity {
        Activity::Measurement { kind, .. } => {
            let name = kind.danish();
            let mut chars = name.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
        Activity::Questionnaire { questionnaire, .. } => format!(
            "spørgeskemaet «{}»",
            titles.get(questionnaire).unwrap_or(questionnaire)
        ),
    }
}

/// The worklist line: "Mangler: vægt (ons. 19. nov. 06:00–10:00)", with how many results
/// were short when a window needs several, and how many windows when more than one closed.
fn missing_description(m: &MissingActivity, titles: &HashMap<String, String>) -> String {
    let name = activity_danish(&m.activity, titles);
    let Some((latest, held)) = m.windows.last() else {
        return format!("Mangler: {name}");
    };
    let window = window_danish(latest.start, latest.end);
    let short = if latest.required > 1 {
        format!(
            ", {} af {} gange",
            usize::from(latest.required).saturating_sub(*held),
            latest.required
        )
    } else {
        String::new()
    };
    match m.windows.len() {
        1 => format!("Mangler: {name}{short} ({window})"),
        n => format!("Mangler: {name}{short} ({n} gange, senest {window})"),
    }
}

/// The citizen's reminder: what to do, never a value, and where to get help.
fn reminder_body(activities: &[&Activity]) -> String {
    let mut measure: Vec<&'static str> = Vec::new();
    let mut questionnaires = 0;
    for a in activities {
        match a {
            Activity::Measurement { kind, .. } => {
                let p = possessive(*kind);
                if !measure.contains(&p) {
                    measure.push(p);
                }
            }
            Activity::Questionnaire { .. } => questionnaires += 1,
        }
    }
    let answer = match questionnaires {
        0 => None,
        1 => Some("besvare dit spørgeskema"),
        _ => Some("besvare dine spørgeskemaer"),
    };
    let what = match (join_danish(&measure), answer) {
        (Some(m), Some(a)) => format!("måle {m} og at {a}"),
        (Some(m), None) => format!("måle {m}"),
        (None, Some(a)) => a.to_string(),
        (None, None) => "måle og svare, som aftalt".to_string(),
    };
    format!("Husk at {what}. Har du brug for hjælp, så ring til servicecentret.")
}

/// "din vægt", "dit blodtryk": the measurement as the citizen's own.
fn possessive(kind: MeasurementType) -> &'static str {
    match kind {
        MeasurementType::BloodPressure => "dit blodtryk",
        MeasurementType::Pulse => "din puls",
        MeasurementType::SpO2 => "din iltmætning",
        MeasurementType::Weight => "din vægt",
        MeasurementType::Temperature => "din temperatur",
        MeasurementType::Glucose => "dit blodsukker",
        MeasurementType::Steps => "dine skridt",
        MeasurementType::Fev1 => "din lungefunktion",
    }
}

/// "a", "a og b", "a, b og c".
fn join_danish(items: &[&str]) -> Option<String> {
    match items {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} og {last}", rest.join(", "))),
    }
}

/// "ons. 19. nov.".
fn day_danish(d: Date) -> String {
    const DAYS: [&str; 7] = ["man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn."];
    const MONTHS: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.",
        "dec.",
    ];
    format!(
        "{} {}. {}",
        DAYS[usize::from(d.weekday().number_days_from_monday())],
        d.day(),
        MONTHS[usize::from(d.month() as u8) - 1]
    )
}

/// A window in Copenhagen time: "ons. 19. nov. 06:00–10:00", or whole days
/// "man. 17. nov. – søn. 23. nov." (the end is exclusive, so a window ending at midnight
/// ends on the day before).
fn window_danish(start: Timestamp, end: Timestamp) -> String {
    let s = start.in_copenhagen();
    let e = end.in_copenhagen();
    let hm = |t: OffsetDateTime| format!("{:02}:{:02}", t.hour(), t.minute());
    let ends_at_midnight = e.time() == Time::MIDNIGHT;
    let last_day = if ends_at_midnight {
        e.date().previous_day().unwrap_or(e.date())
    } else {
        e.date()
    };
    let end_time = if ends_at_midnight {
        "24:00".to_string()
    } else {
        hm(e)
    };
    if s.time() == Time::MIDNIGHT && ends_at_midnight {
        if s.date() >= last_day {
            day_danish(s.date())
        } else {
            format!("{} – {}", day_danish(s.date()), day_danish(last_day))
        }
    } else if s.date() == last_day {
        format!("{} {}–{}", day_danish(s.date()), hm(s), end_time)
    } else {
        format!(
            "{} {} – {} {}",
            day_danish(s.date()),
            hm(s),
            day_danish(last_day),
            end_time
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telesund_core::monitoring::schedule::Schedule;
    use time::macros::datetime;

    fn at(dt: OffsetDateTime) -> Timestamp {
        Timestamp::from_datetime(dt)
    }

    #[test]
    fn windows_read_in_danish_time() {
        // 19 November 2025 is a Wednesday, in winter time (UTC+1).
        assert_eq!(
            window_danish(
                at(datetime!(2025-11-19 05:00 UTC)),
                at(datetime!(2025-11-19 09:00 UTC))
            ),
            "ons. 19. nov. 06:00–10:00"
        );
        // Summer time (UTC+2), a window to midnight.
        assert_eq!(
            window_danish(
                at(datetime!(2025-07-06 18:00 UTC)),
                at(datetime!(2025-07-06 22:00 UTC))
            ),
            "søn. 6. jul. 20:00–24:00"
        );
        // A calendar week, Monday to Sunday.
        assert_eq!(
            window_danish(
                at(datetime!(2025-11-16 23:00 UTC)),
                at(datetime!(2025-11-23 23:00 UTC))
            ),
            "man. 17. nov. – søn. 23. nov."
        );
        assert_eq!(
            window_danish(
                at(datetime!(2025-04-30 22:00 UTC)),
                at(datetime!(2025-05-01 22:00 UTC))
            ),
            "tors. 1. maj"
        );
    }

    #[test]
    fn mobile_numbers_get_text_messages() {
        assert!(is_danish_mobile("+4521345678"));
        assert!(is_danish_mobile("+4530124578"));
        assert!(is_danish_mobile("+4593000000"));
        assert!(!is_danish_mobile("+4575601234"), "a landline in Horsens");
        assert!(!is_danish_mobile("+4586123456"), "a landline in Aarhus");
        assert!(!is_danish_mobile("+46701234567"), "abroad");
        assert!(!is_danish_mobile("+452134567"));
    }

    fn weight(every: &str) -> Activity {
        Activity::Measurement {
            kind: MeasurementType::Weight,
            schedule: serde_json::from_str::<Schedule>(every).unwrap(),
        }
    }

    #[test]
    fn reminders_name_what_to_do_and_nothing_clinical() {
        let daily =
            r#"{"every":"days","weekdays":["mon"],"windows":[{"start":"06:00","end":"10:00"}]}"#;
        let w = weight(daily);
        let bp = Activity::Measurement {
            kind: MeasurementType::BloodPressure,
            schedule: serde_json::from_str(daily).unwrap(),
        };
        let q = Activity::Questionnaire {
            questionnaire: "hf_symptoms".into(),
            schedule: serde_json::from_str(daily).unwrap(),
        };
        assert_eq!(
            reminder_body(&[&w]),
            "Husk at måle din vægt. Har du brug for hjælp, så ring til servicecentret."
        );
        assert_eq!(
            reminder_body(&[&w, &bp, &w.clone(), &q]),
            "Husk at måle din vægt og dit blodtryk og at besvare dit spørgeskema. Har du brug for hjælp, så ring til servicecentret."
        );
        assert_eq!(join_danish(&["a", "b", "c"]).as_deref(), Some("a, b og c"));
    }

    #[test]
    fn descriptions_name_the_activity_and_the_window() {
        let titles = HashMap::from([("who5".to_string(), "WHO-5 Trivselsindeks".to_string())]);
        let window = |start: OffsetDateTime, end: OffsetDateTime, required: u8| Occurrence {
            start: at(start),
            end: at(end),
            required,
        };
        let m = MissingActivity {
            key: "measurement:weight".into(),
            activity: weight(r#"{"every":"week","times":3}"#),
            windows: vec![(
                window(
                    datetime!(2025-11-16 23:00 UTC),
                    datetime!(2025-11-23 23:00 UTC),
                    3,
                ),
                1,
            )],
        };
        assert_eq!(
            missing_description(&m, &titles),
            "Mangler: vægt, 2 af 3 gange (man. 17. nov. – søn. 23. nov.)"
        );
        let q = MissingActivity {
            key: "questionnaire:who5".into(),
            activity: Activity::Questionnaire {
                questionnaire: "who5".into(),
                schedule: serde_json::from_str(r#"{"every":"month","day":1,"within_days":7}"#)
                    .unwrap(),
            },
            windows: vec![
                (
                    window(
                        datetime!(2025-10-31 23:00 UTC),
                        datetime!(2025-11-07 23:00 UTC),
                        1,
                    ),
                    0,
                ),
                (
                    window(
                        datetime!(2025-11-30 23:00 UTC),
                        datetime!(2025-12-07 23:00 UTC),
                        1,
                    ),
                    0,
                ),
            ],
        };
        assert_eq!(
            missing_description(&q, &titles),
            "Mangler: spørgeskemaet «WHO-5 Trivselsindeks» (2 gange, senest man. 1. dec. – søn. 7. dec.)"
        );
    }
}
