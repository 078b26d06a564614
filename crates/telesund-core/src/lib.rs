//! Telesund's domain: the types and rules every other crate builds on.
//!
//! This crate does no I/O and knows nothing of SQL, HTTP or HTML, so every rule here is
//! a pure function that a unit or property test can walk completely.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod care;
pub mod cpr;
pub mod equipment;
pub mod error;
pub mod identity;
pub mod ids;
pub mod monitoring;
pub mod servicedesk;
pub mod text;
pub mod time;

pub use access::{Action, DataCategory, Decision, Principal, authorize};
pub use cpr::Cpr;
pub use error::{DomainError, ErrorCode};
pub use time::Timestamp;
