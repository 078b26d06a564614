//! Forward-only migrations, embedded in the binary and run at start. Each backend has its own
//! folder with the same numbered files; the schema-parity test keeps them equal.

use crate::db::Pools;
use crate::error::Result;
use sqlx::{AssertSqlSafe, Executor};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "monitoring",
        sqlite: include_str!("../migrations/sqlite/0002_monitoring.sql"),
        postgres: include_str!("../migrations/postgres/0002_monitoring.sql"),
    },
    Migration {
        version: 3,
        name: "worklist indexes",
        sqlite: include_str!("../migrations/sqlite/0003_worklist_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0003_worklist_indexes.sql"),
    },
    Migration {
        version: 4,
        name: "citizen facts version",
        sqlite: include_str!("../migrations/sqlite/0004_citizen_facts_version.sql"),
        postgres: include_str!("../migrations/postgres/0004_citizen_facts_version.sql"),
    },
    Migration {
        version: 5,
        name: "equipment",
        sqlite: include_str!("../migrations/sqlite/0005_equipment.sql"),
        postgres: include_str!("../migrations/postgres/0005_equipment.sql"),
    },
    Migration {
        version: 6,
        name: "service desk",
        sqlite: include_str!("../migrations/sqlite/0006_servicedesk.sql"),
        postgres: include_str!("../migrations/postgres/0006_servicedesk.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub(crate) async fn run(pools: &Pools) -> Result<()> {
    let now = telesund_core::Timestamp::now().micros();
    match pools {
        Pools::Sqlite { write, .. } => {
            write.execute(CREATE_TABLE).await?;
            for m in MIGRATIONS {
                let mut tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    tracing::info!(version = m.version, name = m.name, "applying migration");
                    tx.execute(AssertSqlSafe(m.sqlite)).await?;
                    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(m.version)
                        .bind(m.name)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        Pools::Postgres(pool) => {
            // One migrator at a time across replicas.
            let mut tx = pool.begin().await?;
            tx.execute("SELECT pg_advisory_xact_lock(7465737)").await?;
            tx.execute(CREATE_TABLE).await?;
            for m in MIGRATIONS {
                let done: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                        .bind(m.version)
                        .fetch_optional(&mut *tx)
                        .await?;
                if done.is_none() {
                    tracing::info!(version = m.version, name = m.name, "applying migration");
                    tx.execute(AssertSqlSafe(m.postgres)).await?;
                    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(m.version)
                        .bind(m.name)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
