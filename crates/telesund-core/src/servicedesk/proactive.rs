//! When the desk steps in by itself: a missing measurement whose device has gone quiet is
//! an equipment matter before it is a clinical one. These rules decide which unit should
//! have measured, whether it is silent, and how urgent the case is.

use super::case::{Impact, Priority, Urgency};
use crate::monitoring::{Colour, MeasurementType};
use crate::time::Timestamp;

/// Whether a unit measuring `measures` is the one a missing plan activity needed (its key is
/// `measurement:<type>`, as `Activity::key` writes it; questionnaires need no device).
pub fn unit_serves_activity(activity_key: &str, measures: &[MeasurementType]) -> bool {
    activity_key
        .strip_prefix("measurement:")
        .and_then(|k| MeasurementType::parse(k).ok())
        .is_some_and(|k| measures.contains(&k))
}

/// A unit is silent when nothing has come from it since `since` (the missing window opened).
pub fn silent_since(last_from_unit: Option<Timestamp>, since: Timestamp) -> bool {
    last_from_unit.is_none_or(|t| t < since)
}

/// How long a unit may send nothing before the caller screen marks it as quiet.
pub const QUIET_AFTER_MICROS: i64 = 48 * 3_600_000_000;

/// Whether the caller screen marks a unit as having gone quiet by `now`.
pub fn looks_quiet(last_from_unit: Option<Timestamp>, now: Timestamp) -> bool {
    silent_since(last_from_unit, Timestamp(now.0 - QUIET_AFTER_MICROS))
}

/// A proactive case's weight from the plan's worst open alarm: red is the acute lane, yellow
/// is high, anything else a normal case.
pub fn weigh(worst_open_alarm: Option<Colour>) -> (Impact, Urgency, Priority) {
    match worst_open_alarm {
        Some(Colour::Red) => (Impact::High, Urgency::High, Priority::Acute),
        Some(Colour::Yellow) => (Impact::High, Urgency::High, Priority::High),
        _ => (
            Impact::Medium,
            Urgency::Medium,
            Priority::from_matrix(Impact::Medium, Urgency::Medium),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_serves_a_missing_weight_and_nothing_serves_a_questionnaire() {
        let scale = [MeasurementType::Weight];
        assert!(unit_serves_activity("measurement:weight", &scale));
        assert!(!unit_serves_activity("measurement:blood_pressure", &scale));
        assert!(!unit_serves_activity("questionnaire:who5", &scale));
        assert!(!unit_serves_activity("measurement:nonsense", &scale));
    }

    #[test]
    fn silence_and_weight() {
        let t = Timestamp(1_000_000_000_000);
        assert!(silent_since(None, t));
        assert!(silent_since(Some(Timestamp(t.0 - 1)), t));
        assert!(!silent_since(Some(t), t));
        assert!(looks_quiet(
            Some(Timestamp(t.0 - QUIET_AFTER_MICROS - 1)),
            t
        ));
        assert!(!looks_quiet(Some(Timestamp(t.0 - 60_000_000)), t));
        assert_eq!(weigh(Some(Colour::Red)).2, Priority::Acute);
        assert_eq!(weigh(Some(Colour::Yellow)).2, Priority::High);
        assert_eq!(weigh(Some(Colour::Blue)).2, Priority::Normal);
        assert_eq!(weigh(None).2, Priority::Normal);
    }
}
