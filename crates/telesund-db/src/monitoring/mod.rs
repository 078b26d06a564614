//! Telemonitoring storage: programme versions, care plans, home measurements and their
//! triage (assessments and tasks). The rules themselves live in
//! `telesund_core::monitoring`; this module loads what they need, stores what they decide.

#[doc(hidden)]
pub mod bench_load;
pub mod missing;
pub mod observations;
pub mod plans;
pub mod programmes;
pub mod questionnaires;
mod tasks;
pub mod worklist;
pub(crate) mod writer;

/// A JSON document column (definitions, findings): written and read whole.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> crate::error::Result<String> {
    serde_json::to_string(v).map_err(|e| crate::DbError::Internal(format!("json: {e}")))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> crate::error::Result<T> {
    serde_json::from_str(s).map_err(|e| crate::DbError::Internal(format!("stored json: {e}")))
}
