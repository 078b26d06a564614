//! The group-committing results writer: measurements from concurrent requests share one
//! transaction and one commit, so throughput does not stop at the disk's fsync rate.
//!
//! A request decides everything before it queues (authorisation, conversion, triage; see
//! `observations.rs`) and hands the writer only rows to insert. The writer takes all that is
//! queued, writes it in one transaction — all jobs' rows together in a few multi-row
//! statements, or, when that fails, each job inside its own savepoint, so one job's failure
//! (say, a duplicate that raced in) costs nobody else their write — commits, and only then
//! answers every waiting request: nothing is acknowledged before it is durable.

use super::tasks::raise_tasks;
use crate::db::Pools;
use crate::error::{DbError, is_unique_violation};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use telesund_core::audit::AuditRecord;
use telesund_core::ids::AssessmentId;
use telesund_core::monitoring::assess::PlanTriage;
use telesund_core::monitoring::observation::Observation;
use telesund_core::monitoring::work::{Raise, fold_raises};
use tokio::sync::{mpsc, oneshot};

/// A measurement ready to store: the row, its triage per plan and its audit record.
pub(crate) struct Prepared {
    pub observation: Observation,
    pub dedup: Option<Vec<u8>>,
    pub entered_by: Option<uuid::Uuid>,
    pub triage: Vec<PlanTriage>,
    /// The findings of each triage as stored JSON, in `triage` order.
    pub findings: Vec<String>,
    pub audit: AuditRecord,
}

/// Why one entry was not written.
#[derive(Clone, Debug)]
pub(crate) enum WriteFailure {
    /// Its retry key is taken: a copy of the same measurement was stored first.
    Duplicate,
    /// Not written because another entry of the same all-or-nothing job failed.
    Abandoned,
    Failed(String),
}

/// What a job asks: entries written each on its own, or all of them or none.
pub(crate) struct Job {
    pub entries: Vec<Prepared>,
    pub all_or_nothing: bool,
    pub reply: oneshot::Sender<Vec<Result<(), WriteFailure>>>,
}

/// Entries per commit, at most: a commit carrying more would keep the first waiter waiting
/// longer than a second fsync costs.
const MAX_ENTRIES_PER_COMMIT: usize = 2_000;
/// Rows per multi-row INSERT (17 columns each: well within both backends' parameter limits).
const ROWS_PER_INSERT: usize = 100;

pub(crate) struct ResultsWriter {
    tx: mpsc::UnboundedSender<Job>,
    entries: Arc<AtomicU64>,
    commits: Arc<AtomicU64>,
}

impl ResultsWriter {
    pub(crate) fn start(pools: &Pools) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let entries = Arc::new(AtomicU64::new(0));
        let commits = Arc::new(AtomicU64::new(0));
        let target = match pools {
            Pools::Sqlite { write, .. } => Target::Sqlite(write.clone()),
            Pools::Postgres(p) => Target::Postgres(p.clone()),
        };
        tokio::spawn(run(target, rx, entries.clone(), commits.clone()));
        ResultsWriter {
            tx,
            entries,
            commits,
        }
    }

    /// Measurements written and commits made so far.
    pub(crate) fn stats(&self) -> (u64, u64) {
        (
            self.entries.load(Ordering::Relaxed),
            self.commits.load(Ordering::Relaxed),
        )
    }

    /// Queues the entries and waits until they are committed (or refused), one outcome per
    /// entry in order.
    pub(crate) async fn write(
        &self,
        entries: Vec<Prepared>,
        all_or_nothing: bool,
    ) -> Result<Vec<Result<(), WriteFailure>>, DbError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, wait) = oneshot::channel();
        let stopped = || DbError::Internal("the results writer has stopped".into());
        self.tx
            .send(Job {
                entries,
                all_or_nothing,
                reply,
            })
            .map_err(|_| stopped())?;
        wait.await.map_err(|_| stopped())
    }
}

enum Target {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn run(
    target: Target,
    mut rx: mpsc::UnboundedReceiver<Job>,
    entries: Arc<AtomicU64>,
    commits: Arc<AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut count = jobs[0].entries.len();
        while count < MAX_ENTRIES_PER_COMMIT {
            match rx.try_recv() {
                Ok(job) => {
                    count += job.entries.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let outcome = match &target {
            Target::Sqlite(pool) => write_jobs!(pool, "BEGIN IMMEDIATE", &jobs),
            Target::Postgres(pool) => write_jobs!(pool, "BEGIN", &jobs),
        };
        match outcome {
            Ok(per_job) => {
                let written = per_job.iter().flatten().filter(|r| r.is_ok()).count();
                entries.fetch_add(written as u64, Ordering::Relaxed);
                commits.fetch_add(1, Ordering::Relaxed);
                for (job, outcomes) in jobs.into_iter().zip(per_job) {
                    let _ = job.reply.send(outcomes);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, entries = count, "results commit failed");
                let failure = WriteFailure::Failed(e.to_string());
                for job in jobs {
                    let n = job.entries.len();
                    let _ = job.reply.send(vec![Err(failure.clone()); n]);
                }
            }
        }
    }
}

fn failure(e: DbError) -> WriteFailure {
    match &e {
        DbError::Sql(s) if is_unique_violation(s) => WriteFailure::Duplicate,
        _ => WriteFailure::Failed(e.to_string()),
    }
}

/// Writes every job in one transaction and commits: per job (all or nothing) or per entry,
/// inside a savepoint. The fast path writes a job's entries with multi-row INSERTs; when that
/// fails, an each-on-its-own job is written again entry by entry to find who failed.
macro_rules! write_jobs {
    ($pool:expr, $begin:expr, $jobs:expr) => {{
        async {
            let mut txn = $pool.begin_with($begin).await?;
            let mut outcomes: Vec<Vec<Result<(), WriteFailure>>> = Vec::new();
            // The common case first: every job's entries together, in a handful of multi-row
            // statements and nothing else. Only when that fails (a duplicate raced in, say) is
            // the transaction rolled back and written again job by job, each in a savepoint,
            // to give each its own outcome.
            if $jobs.len() > 1 {
                let all: Vec<&Prepared> = $jobs.iter().flat_map(|j| j.entries.iter()).collect();
                let bulk: Result<(), DbError> = async {
                    insert_entries!(&mut *txn, &all);
                    Ok(())
                }
                .await;
                if bulk.is_ok() {
                    txn.commit().await?;
                    return Ok($jobs
                        .iter()
                        .map(|j| vec![Ok(()); j.entries.len()])
                        .collect());
                }
                txn.rollback().await?;
                txn = $pool.begin_with($begin).await?;
            }
            for job in $jobs.iter() {
                let all: Vec<&Prepared> = job.entries.iter().collect();
                sqlx::query("SAVEPOINT job").execute(&mut *txn).await?;
                let bulk: Result<(), DbError> = async {
                    insert_entries!(&mut *txn, &all);
                    Ok(())
                }
                .await;
                match bulk {
                    Ok(()) => {
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *txn)
                            .await?;
                        outcomes.push(vec![Ok(()); all.len()]);
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT job")
                            .execute(&mut *txn)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT job")
                            .execute(&mut *txn)
                            .await?;
                        if job.all_or_nothing || all.len() == 1 {
                            let f = failure(e);
                            let mut per = vec![Err(WriteFailure::Abandoned); all.len()];
                            if all.len() == 1 {
                                per[0] = Err(f);
                            } else {
                                // Which entry failed is found by writing them one by one,
                                // each undone again: the job stays unwritten.
                                sqlx::query("SAVEPOINT probe").execute(&mut *txn).await?;
                                for (i, p) in all.iter().enumerate() {
                                    let one: Result<(), DbError> = async {
                                        insert_entries!(&mut *txn, &[*p]);
                                        Ok(())
                                    }
                                    .await;
                                    if let Err(e) = one {
                                        per[i] = Err(failure(e));
                                        break;
                                    }
                                }
                                sqlx::query("ROLLBACK TO SAVEPOINT probe")
                                    .execute(&mut *txn)
                                    .await?;
                                sqlx::query("RELEASE SAVEPOINT probe")
                                    .execute(&mut *txn)
                                    .await?;
                            }
                            outcomes.push(per);
                        } else {
                            let mut per = Vec::with_capacity(all.len());
                            for p in &all {
                                sqlx::query("SAVEPOINT entry").execute(&mut *txn).await?;
                                let one: Result<(), DbError> = async {
                                    insert_entries!(&mut *txn, &[*p]);
                                    Ok(())
                                }
                                .await;
                                match one {
                                    Ok(()) => {
                                        sqlx::query("RELEASE SAVEPOINT entry")
                                            .execute(&mut *txn)
                                            .await?;
                                        per.push(Ok(()));
                                    }
                                    Err(e) => {
                                        sqlx::query("ROLLBACK TO SAVEPOINT entry")
                                            .execute(&mut *txn)
                                            .await?;
                                        sqlx::query("RELEASE SAVEPOINT entry")
                                            .execute(&mut *txn)
                                            .await?;
                                        per.push(Err(failure(e)));
                                    }
                                }
                            }
                            outcomes.push(per);
                        }
                    }
                }
            }
            txn.commit().await?;
            Ok::<_, DbError>(outcomes)
        }
        .await
    }};
}
use write_jobs;

/// Inserts entries (`&[&Prepared]`) with multi-row statements: the measurements, their
/// assessments and their audit records; then creates or raises each plan's task in order,
/// so that a later result in the same commit sees the task an earlier one opened.
macro_rules! insert_entries {
    ($conn:expr, $entries:expr) => {{
        let entries: &[&Prepared] = $entries;
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(values_sql(
                "INSERT INTO observations (id, citizen_id, type, value, value2, effective_at, received_at, source, entered_by, \
                 entered_by_name, on_behalf_of_name, device, original, identifier, dedup_key, unexpected, status) VALUES ",
                17,
                chunk.len(),
            )));
            for p in chunk {
                let o = &p.observation;
                q = q
                    .bind(o.id.0)
                    .bind(o.citizen_id.0)
                    .bind(o.kind.as_str())
                    .bind(o.values[0].1)
                    .bind(o.values.get(1).map(|v| v.1))
                    .bind(o.effective_at.0)
                    .bind(o.received_at.0)
                    .bind(o.source.as_str())
                    .bind(p.entered_by)
                    .bind(o.entered_by_name.as_str())
                    .bind(o.on_behalf_of_name.as_deref())
                    .bind(o.device.as_deref())
                    .bind(o.original.as_deref())
                    .bind(o.identifier.as_deref())
                    .bind(p.dedup.as_deref())
                    .bind(o.unexpected)
                    .bind(o.status.as_str());
            }
            q.execute(&mut *$conn).await?;
        }
        let triaged: Vec<(&Prepared, &PlanTriage, &String)> = entries
            .iter()
            .flat_map(|p| p.triage.iter().zip(&p.findings).map(move |(t, f)| (*p, t, f)))
            .collect();
        for chunk in triaged.chunks(ROWS_PER_INSERT) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(values_sql(
                "INSERT INTO assessments (id, citizen_id, care_plan_id, observation_id, colour, findings, result_at, assessed_at) VALUES ",
                8,
                chunk.len(),
            )));
            for (p, t, findings) in chunk {
                let o = &p.observation;
                q = q
                    .bind(AssessmentId::new().0)
                    .bind(o.citizen_id.0)
                    .bind(t.plan.0)
                    .bind(o.id.0)
                    .bind(t.assessment.colour.as_str())
                    .bind(findings.as_str())
                    .bind(o.effective_at.0)
                    .bind(o.received_at.0);
            }
            q.execute(&mut *$conn).await?;
        }
        let raises = fold_raises(triaged.iter().filter_map(|(p, t, _)| {
            let (category, description) = t.task.as_ref()?;
            let o = &p.observation;
            Some(Raise {
                citizen: o.citizen_id,
                plan: t.plan,
                team: t.team,
                category: *category,
                colour: t.assessment.colour,
                description,
                result_at: o.effective_at,
                now: o.received_at,
            })
        }));
        raise_tasks!($conn, &raises);
        let records: Vec<&AuditRecord> = entries.iter().map(|p| &p.audit).collect();
        crate::audit::insert_records!($conn, records)?;
    }};
}
use insert_entries;

/// `head` followed by `rows` groups of `columns` numbered placeholders.
pub(crate) fn values_sql(head: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * columns * 5);
    sql.push_str(head);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..columns {
            if c > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(r * columns + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_sql_numbers_every_placeholder() {
        assert_eq!(
            super::values_sql("INSERT INTO t (a, b) VALUES ", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
    }
}
