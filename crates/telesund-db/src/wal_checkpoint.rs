//! SQLite's write-ahead log is copied back into the database file by a checkpoint. Left to
//! itself, SQLite runs one inside whichever commit pushes the log past 1,000 pages, and that
//! commit — with every request grouped into it — then waits for the copy and the database
//! file's fsync (tens of milliseconds). Here a background task checkpoints every
//! [`INTERVAL`] on a connection of its own, in PASSIVE mode (it never waits for, nor blocks,
//! readers or the writer), so commits only append to the log. The writer keeps SQLite's own
//! checkpoint as a backstop at [`BACKSTOP_PAGES`], should this task fall behind.

use crate::db::Inner;
use sqlx::SqlitePool;
use std::sync::Weak;
use std::time::Duration;

/// How often the log is copied back.
const INTERVAL: Duration = Duration::from_millis(250);

/// The writer checkpoints itself only beyond this many log pages (40 MB of 4 KiB pages).
pub(crate) const BACKSTOP_PAGES: u32 = 10_000;

/// Runs until the database is dropped or closed.
pub(crate) fn start(inner: Weak<Inner>, pool: SqlitePool) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(INTERVAL).await;
            if inner.upgrade().is_none() || pool.is_closed() {
                break;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "WAL checkpoint failed; the writer's backstop remains");
            }
        }
    });
}
