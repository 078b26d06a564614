//! The audit trail: the group-committing writer and the queries that read the log.
//!
//! Auditing every read turns every read into a write. Requests hand their records to one
//! writer task and wait; the task takes everything queued, writes it in one transaction and
//! one commit, then releases all waiters. Under load many records share one fsync; alone, a
//! record costs one commit, as it must: no answer leaves before its record is durable.

use crate::db::{Db, Pools};
use crate::error::{DbError, Result};
use sqlx::{AssertSqlSafe, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use telesund_core::Timestamp;
use telesund_core::access::DataCategory;
use telesund_core::audit::{ActorKind, AuditAction, AuditFilter, AuditRecord};
use telesund_core::identity::Role;
use telesund_core::ids::{AuditId, CitizenId, OrgId, UserId};
use tokio::sync::{mpsc, oneshot};

type Batch = (
    Vec<AuditRecord>,
    oneshot::Sender<std::result::Result<(), String>>,
);

/// Records per INSERT statement (21 columns each, well under both backends' parameter limits).
pub(crate) const ROWS_PER_STATEMENT: usize = 200;
/// Records per commit, at most.
const MAX_BATCH: usize = 4096;

pub(crate) struct AuditWriter {
    tx: mpsc::UnboundedSender<Batch>,
    records: Arc<AtomicU64>,
    commits: Arc<AtomicU64>,
}

impl AuditWriter {
    pub(crate) fn start(pools: &Pools) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let records = Arc::new(AtomicU64::new(0));
        let commits = Arc::new(AtomicU64::new(0));
        let target = match pools {
            Pools::Sqlite { write, .. } => Target::Sqlite(write.clone()),
            Pools::Postgres(p) => Target::Postgres(p.clone()),
        };
        tokio::spawn(run(target, rx, records.clone(), commits.clone()));
        AuditWriter {
            tx,
            records,
            commits,
        }
    }

    pub(crate) fn stats(&self) -> (u64, u64) {
        (
            self.records.load(Ordering::Relaxed),
            self.commits.load(Ordering::Relaxed),
        )
    }

    /// Waits until everything queued so far is committed.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send((Vec::new(), done)).is_ok() {
            let _ = wait.await;
        }
    }

    async fn append(&self, records: Vec<AuditRecord>) -> Result<()> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((records, done))
            .map_err(|_| DbError::Internal("the audit writer has stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DbError::Internal(format!("audit write failed: {e}"))),
            Err(_) => Err(DbError::Internal("the audit writer has stopped".into())),
        }
    }
}

enum Target {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn run(
    target: Target,
    mut rx: mpsc::UnboundedReceiver<Batch>,
    records: Arc<AtomicU64>,
    commits: Arc<AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let mut count = batch[0].0.len();
        while count < MAX_BATCH {
            match rx.try_recv() {
                Ok(b) => {
                    count += b.0.len();
                    batch.push(b);
                }
                Err(_) => break,
            }
        }
        let all: Vec<&AuditRecord> = batch.iter().flat_map(|(r, _)| r.iter()).collect();
        let outcome = if all.is_empty() {
            Ok(())
        } else {
            let r = match &target {
                Target::Sqlite(pool) => insert_in_one_commit(pool, &all).await,
                Target::Postgres(pool) => insert_in_one_commit(pool, &all).await,
            };
            if r.is_ok() {
                records.fetch_add(all.len() as u64, Ordering::Relaxed);
                commits.fetch_add(1, Ordering::Relaxed);
            }
            r
        };
        if let Err(e) = &outcome {
            tracing::error!(error = %e, records = all.len(), "audit batch failed");
        }
        for (_, done) in batch {
            let _ = done.send(outcome.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        }
    }
}

const COLUMNS: &str = "id, at, actor_kind, actor_user_id, actor_citizen_id, actor_name, actor_org_id, actor_org_name, \
     actor_role, action, entity, entity_id, citizen_id, category, purpose, outcome_allowed, reason, request_id, client_addr";
const NCOLS: usize = 19;

pub(crate) fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO audit_log ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..NCOLS {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * NCOLS + c + 1));
        }
        sql.push(')');
    }
    sql
}

pub(crate) fn actor_kind_str(k: ActorKind) -> &'static str {
    match k {
        ActorKind::Staff => "staff",
        ActorKind::Citizen => "citizen",
        ActorKind::System => "system",
    }
}

macro_rules! bind_record {
    ($q:expr, $r:expr) => {
        $q.bind($r.id.0)
            .bind($r.at.0)
            .bind($crate::audit::actor_kind_str($r.actor_kind))
            .bind($r.actor_user_id.map(|u| u.0))
            .bind($r.actor_citizen_id.map(|c| c.0))
            .bind($r.actor_name.as_str())
            .bind($r.actor_org_id.map(|o| o.0))
            .bind($r.actor_org_name.as_deref())
            .bind($r.actor_role.map(|r| r.as_str()))
            .bind($r.action.as_str())
            .bind($r.entity.as_str())
            .bind($r.entity_id.as_deref())
            .bind($r.citizen_id.map(|c| c.0))
            .bind($r.category.map(|c| c.as_str()))
            .bind($r.purpose.as_str())
            .bind($r.outcome_allowed)
            .bind($r.reason.as_str())
            .bind($r.request_id.as_str())
            .bind($r.client_addr.as_str())
    };
}

/// Inserts records with an open connection or transaction (used inside write commands, so a
/// change and its audit record commit together).
macro_rules! insert_records {
    ($conn:expr, $records:expr) => {{
        for chunk in $records.chunks($crate::audit::ROWS_PER_STATEMENT) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe($crate::audit::insert_sql(chunk.len())));
            for r in chunk {
                q = $crate::audit::bind_record!(q, r);
            }
            q.execute(&mut *$conn).await?;
        }
        Ok::<(), $crate::DbError>(())
    }};
}

async fn insert_in_one_commit<DB>(pool: &sqlx::Pool<DB>, records: &[&AuditRecord]) -> Result<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> uuid::Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<uuid::Uuid>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let begin: &'static str = if std::any::type_name::<DB>().contains("Sqlite") {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    let mut tx = pool.begin_with(begin).await?;
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::query::<DB>(AssertSqlSafe(insert_sql(chunk.len())));
        for r in chunk {
            q = bind_record!(q, r);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Db {
    /// Appends records through the group-committing writer; returns once they are durable.
    pub async fn audit(&self, records: Vec<AuditRecord>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.inner.audit.append(records).await
    }

    /// Reads the audit log, newest first. Callers authorise first (see `admin_audit_log`).
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        let mut sql = String::from(
            "SELECT a.id, a.at, a.actor_kind, a.actor_user_id, a.actor_citizen_id, a.actor_name, a.actor_org_id, \
             COALESCE(a.actor_org_name, o.name) AS actor_org_name, a.actor_role, a.action, a.entity, a.entity_id, a.citizen_id, \
             a.category, a.purpose, a.outcome_allowed, a.reason, a.request_id, a.client_addr \
             FROM audit_log a LEFT JOIN organisations o ON o.id = a.actor_org_id WHERE 1 = 1",
        );
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if filter.citizen_id.is_some() {
            sql += &format!(" AND a.citizen_id = {}", next());
        }
        if filter.actor_user_id.is_some() {
            sql += &format!(" AND a.actor_user_id = {}", next());
        }
        if filter.actor_org_id.is_some() {
            sql += &format!(" AND a.actor_org_id = {}", next());
        }
        if filter.action.is_some() {
            sql += &format!(" AND a.action = {}", next());
        }
        if filter.only_denied {
            sql += &format!(" AND a.outcome_allowed = {}", next());
        }
        if filter.from.is_some() {
            sql += &format!(" AND a.at >= {}", next());
        }
        if filter.to.is_some() {
            sql += &format!(" AND a.at < {}", next());
        }
        if filter.before.is_some() {
            sql += &format!(" AND a.id < {}", next());
        }
        sql += &format!(" ORDER BY a.id DESC LIMIT {}", next());
        let limit = if filter.limit == 0 {
            100
        } else {
            filter.limit.min(1000)
        } as i64;
        crate::db::on_read!(self, |c| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            if let Some(v) = filter.citizen_id {
                q = q.bind(v.0);
            }
            if let Some(v) = filter.actor_user_id {
                q = q.bind(v.0);
            }
            if let Some(v) = filter.actor_org_id {
                q = q.bind(v.0);
            }
            if let Some(v) = filter.action {
                q = q.bind(v.as_str());
            }
            if filter.only_denied {
                q = q.bind(false);
            }
            if let Some(v) = filter.from {
                q = q.bind(v.0);
            }
            if let Some(v) = filter.to {
                q = q.bind(v.0);
            }
            if let Some(v) = filter.before {
                q = q.bind(v.0);
            }
            let rows = q.bind(limit).fetch_all(&mut *c).await?;
            rows.iter().map(record_from_row).collect::<Result<Vec<_>>>()
        })
    }
}

pub(crate) fn record_from_row<R>(r: &R) -> Result<AuditRecord>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> uuid::Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get("actor_kind")?;
    let action: String = r.try_get("action")?;
    let role: Option<String> = r.try_get("actor_role")?;
    let category: Option<String> = r.try_get("category")?;
    Ok(AuditRecord {
        id: AuditId(r.try_get("id")?),
        at: Timestamp(r.try_get("at")?),
        actor_kind: match kind.as_str() {
            "staff" => ActorKind::Staff,
            "citizen" => ActorKind::Citizen,
            _ => ActorKind::System,
        },
        actor_user_id: r
            .try_get::<Option<uuid::Uuid>, _>("actor_user_id")?
            .map(UserId),
        actor_citizen_id: r
            .try_get::<Option<uuid::Uuid>, _>("actor_citizen_id")?
            .map(CitizenId),
        actor_name: r.try_get("actor_name")?,
        actor_org_id: r
            .try_get::<Option<uuid::Uuid>, _>("actor_org_id")?
            .map(OrgId),
        actor_org_name: r.try_get("actor_org_name")?,
        actor_org_kind: None,
        actor_role: role.as_deref().and_then(|s| Role::parse(s).ok()),
        action: AuditAction::parse(&action).unwrap_or(AuditAction::Read),
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        citizen_id: r
            .try_get::<Option<uuid::Uuid>, _>("citizen_id")?
            .map(CitizenId),
        category: category
            .as_deref()
            .and_then(|c| DataCategory::ALL.iter().copied().find(|x| x.as_str() == c)),
        purpose: r.try_get("purpose")?,
        outcome_allowed: r.try_get("outcome_allowed")?,
        reason: r.try_get("reason")?,
        request_id: r.try_get("request_id")?,
        client_addr: r.try_get("client_addr")?,
    })
}

pub(crate) use {bind_record, insert_records};

impl Db {
    /// The audit log for an administrator: system administrators see everything; an
    /// organisation's administrator sees what was done in the name of their organisation.
    /// Reading the log is itself audited.
    pub async fn admin_audit_log(
        &self,
        ctx: &crate::AccessCtx,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>> {
        use telesund_core::access::{Action, Resource};
        let decision = crate::access::guard(
            self,
            ctx,
            Action::ReadAuditLog {
                org_id: filter.actor_org_id,
            },
            Resource::Platform,
            AuditAction::Read,
            "audit_log",
            filter.citizen_id,
        )
        .await?;
        let records = self.audit_log(filter).await?;
        let mut r = ctx.record(
            &decision,
            AuditAction::Read,
            "audit_log",
            filter.citizen_id,
            None,
        );
        r.entity_id = None;
        self.audit(vec![r]).await?;
        Ok(records)
    }
}

impl Db {
    /// Tries to change and to delete audit records with plain SQL; the schema must refuse
    /// both. Exists so a test can prove that the trail is append-only at the database level.
    #[doc(hidden)]
    pub async fn try_tamper_with_audit_log_for_test(&self) -> (Result<()>, Result<()>) {
        (
            self.execute_for_test("UPDATE audit_log SET reason = 'changed'")
                .await,
            self.execute_for_test("DELETE FROM audit_log").await,
        )
    }

    async fn execute_for_test(&self, sql: &'static str) -> Result<()> {
        crate::db::on_write!(self, |tx| {
            sqlx::query(sql).execute(&mut *tx).await?;
            Ok(())
        })
    }
}
