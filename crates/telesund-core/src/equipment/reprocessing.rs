//! The hygiene record that makes a returned unit available again: cleaning and disinfection
//! (method, agent, contact time), who did it, the data wipe and factory reset of a device that
//! holds personal data, and the function test. A unit leaves reprocessing for `available`
//! only with a record that passes [`ReprocessingRecord::outcome`].

use super::catalogue::Model;
use super::unit::UnitEvent;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReprocessingRecord {
    /// How it was cleaned: "manual wipe", "washer cycle 3" ...
    pub cleaning_method: String,
    /// The disinfectant, e.g. "70 % ethanol" or "chlorine 1,000 ppm".
    pub disinfection_agent: String,
    pub contact_time_minutes: u32,
    /// The person who did the work, by name (also stored with their user id).
    pub operator: String,
    pub data_wiped: bool,
    pub factory_reset: bool,
    pub function_test_passed: bool,
    pub notes: String,
}

impl ReprocessingRecord {
    /// Checks the record is complete for this model and says what it leads to: available
    /// when everything passed, repair when the function test failed. An incomplete record
    /// is refused, so the unit stays in reprocessing.
    pub fn outcome(&self, model: &Model) -> Result<UnitEvent, DomainError> {
        let missing =
            |what: &str| DomainError::invalid(format!("the reprocessing record needs {what}"));
        if self.cleaning_method.trim().is_empty() {
            return Err(missing("the cleaning method"));
        }
        if self.disinfection_agent.trim().is_empty() {
            return Err(missing("the disinfection agent"));
        }
        if self.contact_time_minutes == 0 {
            return Err(missing("the disinfectant's contact time"));
        }
        if self.operator.trim().is_empty() {
            return Err(missing("the operator's name"));
        }
        if !self.function_test_passed {
            return Ok(UnitEvent::FailReprocessing);
        }
        if model.role.holds_personal_data() && !(self.data_wiped && self.factory_reset) {
            return Err(DomainError::invalid(format!(
                "a {} holds the previous citizen's data: it must be wiped and reset to factory settings",
                model.role
            )));
        }
        Ok(UnitEvent::PassReprocessing)
    }
}
