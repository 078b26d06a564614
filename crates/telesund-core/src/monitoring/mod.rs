//! Telemonitoring: what citizens measure at home, how it is coded and converted, when it is
//! due, and how each result is triaged against the citizen's own thresholds.
//!
//! Everything here is a pure function over data: programmes, thresholds and rules are stored
//! per programme and per care plan, and evaluated by this module, so a test can walk them.

pub mod assess;
pub mod codes;
pub mod observation;
pub mod programme;
pub mod questionnaire;
pub mod rules;
pub mod schedule;
pub mod thresholds;
pub mod today;
pub mod triage;
pub mod units;
pub mod work;

pub use codes::{MeasurementType, Quantity};
pub use triage::Colour;
