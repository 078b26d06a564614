//! Preventive maintenance by model interval (calibration, battery, software), also for units
//! in citizens' homes: a due list, and visits planned on a working day ahead of the due date.

use super::catalogue::{MaintenanceKind, Model};
use super::unit::{Unit, UnitState};
use crate::calendar::working_day_on_or_before;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// How many days ahead of a due date a visit to a home is planned.
pub const VISIT_LEAD_DAYS: i64 = 14;

/// One unit's next maintenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub kind: MaintenanceKind,
    pub due_on: Date,
    pub overdue: bool,
}

/// When `unit` is next due, counted from its last maintenance of the model's kind (or its
/// purchase). None for a model without an interval or a unit out of service for good.
pub fn next_due(model: &Model, unit: &Unit, last_done: Option<Date>, today: Date) -> Option<Due> {
    let m = model.maintenance?;
    let (kind, days) = (m.kind, m.interval_days);
    if matches!(
        unit.state,
        UnitState::Retired | UnitState::Disposed | UnitState::Lost
    ) {
        return None;
    }
    let from = last_done.unwrap_or(unit.purchased_on);
    let due_on = from + Duration::days(i64::from(days));
    Some(Due {
        kind,
        due_on,
        overdue: due_on < today,
    })
}

/// Whether the due list shows the unit: due within `horizon_days`, or overdue.
pub fn is_due_within(due: &Due, today: Date, horizon_days: i64) -> bool {
    due.due_on <= today + Duration::days(horizon_days)
}

/// The day a maintenance visit to a home is planned for: a working day [`VISIT_LEAD_DAYS`]
/// before it is due, but never in the past.
pub fn visit_day(due_on: Date, today: Date) -> Date {
    let planned = working_day_on_or_before(due_on - Duration::days(VISIT_LEAD_DAYS));
    if planned < today {
        crate::calendar::working_day_on_or_after(today)
    } else {
        planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::is_working_day;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_maintenance_visit_is_on_a_working_day_never_in_the_past_and_before_the_due_date_when_it_can_be(
            due_offset in -30i64..400, today_offset in 0i64..365
        ) {
            let today = time::macros::date!(2026 - 01 - 01) + Duration::days(today_offset);
            let due_on = today + Duration::days(due_offset);
            let day = visit_day(due_on, today);
            prop_assert!(is_working_day(day));
            prop_assert!(day >= today);
            if due_offset > VISIT_LEAD_DAYS + 7 {
                prop_assert!(day < due_on);
            }
        }
    }
}
