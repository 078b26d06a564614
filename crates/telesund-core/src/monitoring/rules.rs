//! Change rules: a colour for how fast a quantity moves, not where it stands. The classic is
//! heart failure: a weight gain of more than 2 kg in 3 days means fluid, and is red even when
//! the weight itself is inside its thresholds.

use super::codes::Quantity;
use super::triage::Colour;
use crate::error::DomainError;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Rise,
    Fall,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRule {
    pub quantity: Quantity,
    pub direction: Direction,
    /// The change, in the quantity's canonical unit, that must be exceeded.
    pub more_than: f64,
    /// Compared with every earlier value measured within this many days.
    pub within_days: u32,
    pub colour: Colour,
}

/// A rule that fired, with the earlier value it compared against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeFinding {
    pub colour: Colour,
    pub change: f64,
    pub compared_with: f64,
    pub compared_at: Timestamp,
    /// "vægt steget 2,6 kg på 3 dage" — the reason shown on the worklist.
    pub reason: String,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl ChangeRule {
    pub fn validate(&self) -> Result<(), DomainError> {
        if !(self.more_than.is_finite() && self.more_than > 0.0) {
            return Err(DomainError::invalid(
                "a change rule needs a positive change to exceed",
            ));
        }
        if !(1..=90).contains(&self.within_days) {
            return Err(DomainError::invalid(
                "a change rule looks back between 1 and 90 days",
            ));
        }
        if !matches!(self.colour, Colour::Yellow | Colour::Red) {
            return Err(DomainError::invalid("a change rule colours yellow or red"));
        }
        Ok(())
    }

    /// Evaluates a new value measured at `at` against the earlier values of the same quantity
    /// (`history`: (measured at, value), any order; values after `at` are ignored, so a late
    /// upload of an old measurement is judged by what came before it).
    pub fn evaluate(
        &self,
        at: Timestamp,
        value: f64,
        history: &[(Timestamp, f64)],
    ) -> Option<ChangeFinding> {
        let since = at.0 - i64::from(self.within_days) * MICROS_PER_DAY;
        let earlier = history.iter().filter(|(t, _)| t.0 >= since && *t < at);
        // The largest change against any earlier value in the window: the lowest earlier
        // value for a rise, the highest for a fall.
        let (compared_at, compared_with) = match self.direction {
            Direction::Rise => earlier.min_by(|a, b| a.1.total_cmp(&b.1))?,
            Direction::Fall => earlier.max_by(|a, b| a.1.total_cmp(&b.1))?,
        };
        let change = match self.direction {
            Direction::Rise => value - compared_with,
            Direction::Fall => compared_with - value,
        };
        // Rounded to the precision devices report, so 2.0000000001 does not fire a 2 kg rule.
        let change = (change * 1000.0).round() / 1000.0;
        (change > self.more_than).then(|| ChangeFinding {
            colour: self.colour,
            change,
            compared_with: *compared_with,
            compared_at: *compared_at,
            reason: format!(
                "{} {} {} {} på {} {}",
                self.quantity.danish(),
                match self.direction {
                    Direction::Rise => "steget",
                    Direction::Fall => "faldet",
                },
                danish_number(change),
                self.quantity.unit_display(),
                self.within_days,
                if self.within_days == 1 { "dag" } else { "dage" }
            ),
        })
    }
}

/// A number the Danish way: decimal comma, no needless zeros ("2,6", "3").
pub fn danish_number(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: i64) -> Timestamp {
        Timestamp(1_790_000_000_000_000 + d * MICROS_PER_DAY)
    }

    fn hf_weight() -> ChangeRule {
        ChangeRule {
            quantity: Quantity::Weight,
            direction: Direction::Rise,
            more_than: 2.0,
            within_days: 3,
            colour: Colour::Red,
        }
    }

    #[test]
    fn heart_failure_weight_gain() {
        let history = [(day(0), 80.0), (day(1), 80.4), (day(2), 81.0)];
        let f = hf_weight().evaluate(day(3), 82.6, &history).unwrap();
        assert_eq!(f.colour, Colour::Red);
        assert_eq!(f.compared_with, 80.0);
        assert!((f.change - 2.6).abs() < 1e-9);
        assert_eq!(f.reason, "vægt steget 2,6 kg på 3 dage");
        // Exactly 2 kg is not more than 2 kg.
        assert!(hf_weight().evaluate(day(3), 82.0, &history).is_none());
        // Outside the window the old low does not count.
        assert!(hf_weight().evaluate(day(5), 82.6, &history).is_none());
        // A later value is not history for an earlier one.
        assert!(
            hf_weight()
                .evaluate(day(-1), 83.0, &[(day(0), 80.0)])
                .is_none()
        );
        // Nothing to compare with.
        assert!(hf_weight().evaluate(day(3), 99.0, &[]).is_none());
    }

    #[test]
    fn a_fall_compares_with_the_highest() {
        let rule = ChangeRule {
            quantity: Quantity::SpO2,
            direction: Direction::Fall,
            more_than: 4.0,
            within_days: 1,
            colour: Colour::Yellow,
        };
        let history = [
            (day(0), 95.0),
            (day(0).plus(time::Duration::hours(2)), 97.0),
        ];
        let f = rule
            .evaluate(day(0).plus(time::Duration::hours(5)), 92.0, &history)
            .unwrap();
        assert_eq!(f.compared_with, 97.0);
        assert_eq!(f.reason, "iltmætning faldet 5 % på 1 dag");
    }

    #[test]
    fn validation() {
        assert!(hf_weight().validate().is_ok());
        let mut r = hf_weight();
        r.more_than = 0.0;
        assert!(r.validate().is_err());
        let mut r = hf_weight();
        r.within_days = 0;
        assert!(r.validate().is_err());
        let mut r = hf_weight();
        r.colour = Colour::Green;
        assert!(r.validate().is_err());
    }

    #[test]
    fn danish_numbers() {
        assert_eq!(danish_number(2.6), "2,6");
        assert_eq!(danish_number(3.0), "3");
        assert_eq!(danish_number(0.25), "0,25");
    }

    proptest! {
        #[test]
        fn fires_exactly_when_some_earlier_value_in_the_window_is_exceeded(
            values in proptest::collection::vec((0i64..10, 60.0f64..100.0), 0..12),
            new in 60.0f64..100.0,
        ) {
            let history: Vec<_> = values.iter().map(|(d, v)| (day(*d), *v)).collect();
            let at = day(10);
            let rule = hf_weight();
            let expected = history.iter().any(|(t, v)| {
                t.0 >= at.0 - 3 * MICROS_PER_DAY && *t < at && ((new - v) * 1000.0).round() / 1000.0 > 2.0
            });
            prop_assert_eq!(rule.evaluate(at, new, &history).is_some(), expected);
        }
    }
}
