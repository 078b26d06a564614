//! The database handle: a SQLite pair of pools (one writer, many readers) or a PostgreSQL pool.

use crate::audit::AuditWriter;
use crate::error::Result;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: String,
    /// Connections to PostgreSQL, or readers for SQLite.
    pub max_connections: u32,
}

pub(crate) enum Pools {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

pub(crate) struct Inner {
    pub(crate) pools: Pools,
    pub(crate) audit: AuditWriter,
    pub(crate) results: crate::monitoring::writer::ResultsWriter,
    pub(crate) bearer_cache: crate::bearer_cache::BearerCache,
    pub(crate) facts: crate::citizen_facts::FactsCache,
    /// Where the platform is reached from outside, for links in messages it sends (a rating
    /// link by SMS); empty: links are paths.
    pub(crate) public_url: std::sync::RwLock<String>,
}

/// `$first, $first+1, …` for `n` values: the placeholders of an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Arc<Inner>,
}

/// Runs `$body` with `$c` bound to one connection for reading (`&mut *c` in each query),
/// once per backend. One connection for all of a body's queries, because every pool
/// checkout costs a round trip (the pool tests a connection as it takes it back), and on
/// SQLite each round trip is a hop to the connection's worker thread.
#[macro_export]
#[doc(hidden)]
macro_rules! on_read {
    ($db:expr, |$c:ident| $body:expr) => {
        match &$db.inner.pools {
            $crate::db::Pools::Sqlite { read, .. } => {
                let mut conn = read.acquire().await?;
                let $c = &mut *conn;
                $body
            }
            $crate::db::Pools::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let $c = &mut *conn;
                $body
            }
        }
    };
}

/// Runs `$body` inside one write transaction (`BEGIN IMMEDIATE` on SQLite, so a write never
/// fails half-way on a lock upgrade), commits if it returns `Ok`, rolls back otherwise.
/// `$tx` is a `&mut` connection inside the body.
#[macro_export]
#[doc(hidden)]
macro_rules! on_write {
    ($db:expr, |$tx:ident| $body:expr) => {
        match &$db.inner.pools {
            $crate::db::Pools::Sqlite { write, .. } => {
                let mut txn = write.begin_with("BEGIN IMMEDIATE").await?;
                // An async block, so `?` and `return` in the body end the body, not the
                // caller: the commit below is never skipped by an early `Ok` return.
                let result: ::std::result::Result<_, $crate::DbError> = async {
                    let $tx = &mut *txn;
                    $body
                }
                .await;
                if result.is_ok() {
                    txn.commit().await?;
                }
                result
            }
            $crate::db::Pools::Postgres(pool) => {
                let mut txn = pool.begin().await?;
                let result: ::std::result::Result<_, $crate::DbError> = async {
                    let $tx = &mut *txn;
                    $body
                }
                .await;
                if result.is_ok() {
                    txn.commit().await?;
                }
                result
            }
        }
    };
}

pub(crate) use {on_read, on_write};

impl Db {
    /// Connects, runs pending migrations and starts the audit writer.
    /// Sets the platform's public address, which links in outgoing messages start with.
    pub fn set_public_url(&self, url: &str) {
        if let Ok(mut u) = self.inner.public_url.write() {
            *u = url.trim_end_matches('/').to_string();
        }
    }

    /// A link to a path of the platform, as a message outside it must carry.
    pub(crate) fn public_link(&self, path: &str) -> String {
        let base = self
            .inner
            .public_url
            .read()
            .map(|u| u.clone())
            .unwrap_or_default();
        format!("{base}{path}")
    }

    pub async fn connect(config: &DbConfig) -> Result<Db> {
        let pools =
            if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
                let opts = PgConnectOptions::from_str(&config.url)?;
                // No test on checkout: the pool already tests each connection as it takes it
                // back, and a second round trip per checkout halves what a read can do.
                let pool = PgPoolOptions::new()
                    .max_connections(config.max_connections.max(2))
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Pools::Postgres(pool)
            } else {
                let path = config
                    .url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                if let Some(dir) = std::path::Path::new(path).parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| crate::DbError::Internal(format!("creating {dir:?}: {e}")))?;
                }
                let base = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                // The writer syncs every commit (FULL): an audit record must survive a power cut.
                // The audit writer groups records so this costs a fraction of an fsync per request.
                // An embedded database has no connection to lose, so no test on checkout.
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(base.clone().synchronous(SqliteSynchronous::Full))
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(config.max_connections.max(2))
                    .test_before_acquire(false)
                    .connect_with(base.read_only(true))
                    .await?;
                Pools::Sqlite { read, write }
            };
        crate::migrate::run(&pools).await?;
        let audit = AuditWriter::start(&pools);
        let results = crate::monitoring::writer::ResultsWriter::start(&pools);
        let db = Db {
            inner: Arc::new(Inner {
                pools,
                audit,
                results,
                bearer_cache: Default::default(),
                facts: Default::default(),
                public_url: Default::default(),
            }),
        };
        // The questionnaires programmes refer to are library content, as migrations are.
        db.ensure_questionnaires(&telesund_core::monitoring::questionnaire::library())
            .await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self.inner.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        on_read!(self, |c| sqlx::query("SELECT 1")
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// How many rows a table holds (tests and the operator's statistics). Only plain table
    /// names are accepted, so this never carries input into SQL.
    pub async fn count_rows(&self, table: &str) -> Result<i64> {
        if table.is_empty() || !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(crate::DbError::Internal(format!(
                "'{table}' is not a table name"
            )));
        }
        on_read!(self, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table}"
        )))
        .fetch_one(&mut *c)
        .await
        .map_err(crate::DbError::from))
    }

    /// Audit throughput so far: (records, commits).
    pub fn audit_stats(&self) -> (u64, u64) {
        self.inner.audit.stats()
    }

    /// Results written so far by the group-committing writer: (measurements, commits).
    pub fn results_stats(&self) -> (u64, u64) {
        self.inner.results.stats()
    }

    /// A consistent copy of a SQLite database, taken while the service runs.
    pub async fn backup_sqlite(&self, dest: &str) -> Result<()> {
        match &self.inner.pools {
            Pools::Sqlite { write, .. } => {
                if std::path::Path::new(dest).exists() {
                    return Err(crate::DbError::Internal(format!("{dest} exists already")));
                }
                sqlx::query("VACUUM INTO $1")
                    .bind(dest)
                    .execute(write)
                    .await?;
                Ok(())
            }
            Pools::Postgres(_) => Err(crate::DbError::Internal(
                "backup copies a SQLite database; use pg_dump for PostgreSQL".into(),
            )),
        }
    }

    /// Closes the pools after the audit writer has flushed.
    pub async fn close(&self) {
        self.inner.audit.flush().await;
        match &self.inner.pools {
            Pools::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres(p) => p.close().await,
        }
    }

    /// Describes the schema as (table, column, type class, not null), sorted, for the
    /// schema-parity test: the SQLite and PostgreSQL migrations must describe the same tables.
    pub async fn schema_description(&self) -> Result<Vec<(String, String, String, bool)>> {
        use sqlx::Row;
        let mut cols = match &self.inner.pools {
            Pools::Sqlite { read, .. } => {
                let rows = sqlx::query(
                    "SELECT m.name AS t, p.name AS c, p.type AS ty, p.\"notnull\" AS nn, p.pk AS pk \
                     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(read)
                .await?;
                rows.iter()
                    .map(|r| {
                        let ty: String = r.get("ty");
                        let class = match ty.as_str() {
                            "BLOB" => "bytes",
                            "INTEGER" | "BIGINT" => "integer",
                            "REAL" => "real",
                            _ => "text",
                        };
                        let nn: i64 = r.get("nn");
                        let pk: i64 = r.get("pk");
                        (
                            r.get::<String, _>("t"),
                            r.get::<String, _>("c"),
                            class.to_string(),
                            nn == 1 || pk > 0,
                        )
                    })
                    .collect::<Vec<_>>()
            }
            Pools::Postgres(pool) => {
                let rows = sqlx::query(
                    "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_nullable::text AS nl \
                     FROM information_schema.columns WHERE table_schema = current_schema()",
                )
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let ty: String = r.get("ty");
                        let class = match ty.as_str() {
                            "uuid" | "bytea" => "bytes",
                            "bigint" | "boolean" => "integer",
                            "double precision" => "real",
                            _ => "text",
                        };
                        let nl: String = r.get("nl");
                        (
                            r.get::<String, _>("t"),
                            r.get::<String, _>("c"),
                            class.to_string(),
                            nl == "NO",
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        cols.sort();
        Ok(cols)
    }
}

/// Creates an empty PostgreSQL database next to the one `admin_url` points at and returns its
/// URL (for tests and first-time set-up).
pub async fn create_postgres_database(admin_url: &str, name: &str) -> Result<String> {
    use sqlx::Connection;
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(crate::DbError::Internal(format!(
            "'{name}' is not a safe database name"
        )));
    }
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = match admin_url.rfind('/') {
        Some(i) if admin_url[..i].contains("://") && i > admin_url.find("://").unwrap_or(0) + 2 => {
            &admin_url[..i]
        }
        _ => admin_url,
    };
    Ok(format!("{base}/{name}"))
}
