//! Telesund storage: the only crate that speaks SQL.
//!
//! One SQL text per query, written in the subset SQLite and PostgreSQL share (`$N`
//! placeholders, `RETURNING`, `ON CONFLICT`), run on each backend's native pool. The
//! [`on_read!`] and [`on_write!`] macros expand a query body once per backend, so there is
//! one code path and the compiler checks it against both drivers' types.
//!
//! Every function that touches a citizen's data takes an [`AccessCtx`], asks
//! `telesund_core::authorize`, and writes an audit record before it returns.

pub mod access;
pub mod audit;
pub mod bearer_cache;
pub mod care;
mod citizen_facts;
pub mod citizens;
mod db;
pub mod equipment;
pub mod error;
mod migrate;
pub mod monitoring;
pub mod organisations;
pub mod secrets;
pub mod servicedesk;
pub mod sessions;
pub mod staff;
pub mod tokens;

pub use access::AccessCtx;
pub use db::{Backend, Db, DbConfig, create_postgres_database};
pub use error::DbError;
