//! Thresholds: four bounds per measured quantity (alert low, warning low, warning high, alert
//! high), as OpenTele had them and FUT types them (red range, yellow range).
//!
//! A value below `alert_low` or above `alert_high` is red; below `warning_low` or above
//! `warning_high` is yellow; otherwise green. A bound left out is not checked, so a quantity
//! that only matters when it is high (weight gain) sets the high bounds only.

use super::codes::Quantity;
use super::triage::Colour;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_high: Option<f64>,
}

/// Which bound a value crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    AlertLow,
    WarningLow,
    WarningHigh,
    AlertHigh,
}

impl Bound {
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::AlertLow => "alert_low",
            Bound::WarningLow => "warning_low",
            Bound::WarningHigh => "warning_high",
            Bound::AlertHigh => "alert_high",
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            Bound::AlertLow => "under alarmgrænsen",
            Bound::WarningLow => "under advarselsgrænsen",
            Bound::WarningHigh => "over advarselsgrænsen",
            Bound::AlertHigh => "over alarmgrænsen",
        }
    }
}

impl Bounds {
    pub fn new(
        alert_low: Option<f64>,
        warning_low: Option<f64>,
        warning_high: Option<f64>,
        alert_high: Option<f64>,
    ) -> Self {
        Self {
            alert_low,
            warning_low,
            warning_high,
            alert_high,
        }
    }

    /// The bounds from low to high, as (bound, value) for those that are set.
    pub fn set(&self) -> Vec<(Bound, f64)> {
        [
            (Bound::AlertLow, self.alert_low),
            (Bound::WarningLow, self.warning_low),
            (Bound::WarningHigh, self.warning_high),
            (Bound::AlertHigh, self.alert_high),
        ]
        .into_iter()
        .filter_map(|(b, v)| v.map(|v| (b, v)))
        .collect()
    }

    /// Bounds must be finite and ordered: alert low ≤ warning low < warning high ≤ alert
    /// high. A clinician who types them in the wrong order gets told, not silently obeyed.
    pub fn validate(&self, quantity: Quantity) -> Result<(), DomainError> {
        let set = self.set();
        if set.is_empty() {
            return Err(DomainError::invalid(format!(
                "thresholds for {} need at least one bound",
                quantity.as_str()
            )));
        }
        for (b, v) in &set {
            if !v.is_finite() {
                return Err(DomainError::invalid(format!(
                    "{} for {} must be a number",
                    b.as_str(),
                    quantity.as_str()
                )));
            }
        }
        for pair in set.windows(2) {
            let ((b1, v1), (b2, v2)) = (pair[0], pair[1]);
            // The warning band may be empty on one side (alert low = warning low), but the
            // green band between the lows and the highs may not.
            let crosses_green = matches!(b1, Bound::AlertLow | Bound::WarningLow)
                && matches!(b2, Bound::WarningHigh | Bound::AlertHigh);
            let wrong = if crosses_green { v1 >= v2 } else { v1 > v2 };
            if wrong {
                return Err(DomainError::invalid(format!(
                    "thresholds for {} are out of order: {} ({v1}) must be below {} ({v2})",
                    quantity.as_str(),
                    b1.as_str(),
                    b2.as_str()
                )));
            }
        }
        Ok(())
    }

    /// The colour of a value and the bound it crossed (none when green).
    pub fn evaluate(&self, value: f64) -> (Colour, Option<Bound>) {
        if self.alert_low.is_some_and(|b| value < b) {
            (Colour::Red, Some(Bound::AlertLow))
        } else if self.alert_high.is_some_and(|b| value > b) {
            (Colour::Red, Some(Bound::AlertHigh))
        } else if self.warning_low.is_some_and(|b| value < b) {
            (Colour::Yellow, Some(Bound::WarningLow))
        } else if self.warning_high.is_some_and(|b| value > b) {
            (Colour::Yellow, Some(Bound::WarningHigh))
        } else {
            (Colour::Green, None)
        }
    }
}

/// The thresholds of a programme or a care plan: bounds per quantity (systolic and diastolic
/// separately), kept sorted by quantity so equal sets compare and serialise equal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdSet(pub Vec<(Quantity, Bounds)>);

impl ThresholdSet {
    pub fn get(&self, q: Quantity) -> Option<&Bounds> {
        self.0.iter().find(|(k, _)| *k == q).map(|(_, b)| b)
    }

    /// Sets (or replaces) the bounds of one quantity after validating them.
    pub fn set(&mut self, q: Quantity, bounds: Bounds) -> Result<(), DomainError> {
        bounds.validate(q)?;
        match self.0.iter_mut().find(|(k, _)| *k == q) {
            Some(entry) => entry.1 = bounds,
            None => {
                self.0.push((q, bounds));
                self.0.sort_by_key(|(k, _)| *k);
            }
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        for (i, (q, b)) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|(k, _)| k == q) {
                return Err(DomainError::invalid(format!(
                    "thresholds for {} are given twice",
                    q.as_str()
                )));
            }
            b.validate(*q)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hf_weight_free_systolic() -> Bounds {
        Bounds::new(Some(85.0), Some(95.0), Some(150.0), Some(170.0))
    }

    #[test]
    fn colours_at_and_across_each_bound() {
        let b = hf_weight_free_systolic();
        assert_eq!(b.evaluate(120.0), (Colour::Green, None));
        // A value on a bound is inside it: the bound is the last acceptable value.
        assert_eq!(b.evaluate(95.0), (Colour::Green, None));
        assert_eq!(b.evaluate(150.0), (Colour::Green, None));
        assert_eq!(b.evaluate(94.9), (Colour::Yellow, Some(Bound::WarningLow)));
        assert_eq!(
            b.evaluate(150.1),
            (Colour::Yellow, Some(Bound::WarningHigh))
        );
        assert_eq!(b.evaluate(84.0), (Colour::Red, Some(Bound::AlertLow)));
        assert_eq!(b.evaluate(171.0), (Colour::Red, Some(Bound::AlertHigh)));
    }

    #[test]
    fn missing_bounds_are_not_checked() {
        let high_only = Bounds::new(None, None, Some(37.5), Some(38.5));
        assert_eq!(high_only.evaluate(-40.0).0, Colour::Green);
        assert_eq!(high_only.evaluate(38.0).0, Colour::Yellow);
        assert_eq!(high_only.evaluate(39.0).0, Colour::Red);
    }

    #[test]
    fn order_is_enforced() {
        let q = Quantity::Systolic;
        assert!(hf_weight_free_systolic().validate(q).is_ok());
        assert!(
            Bounds::new(Some(95.0), Some(85.0), None, None)
                .validate(q)
                .is_err()
        );
        assert!(
            Bounds::new(None, Some(150.0), Some(150.0), None)
                .validate(q)
                .is_err(),
            "an empty green band"
        );
        assert!(
            Bounds::new(Some(90.0), Some(90.0), Some(140.0), Some(140.0))
                .validate(q)
                .is_ok(),
            "no yellow band on either side is allowed"
        );
        assert!(Bounds::default().validate(q).is_err());
        assert!(
            Bounds::new(None, Some(f64::NAN), None, None)
                .validate(q)
                .is_err()
        );
    }

    #[test]
    fn a_set_keeps_one_entry_per_quantity() {
        let mut s = ThresholdSet::default();
        s.set(Quantity::Weight, Bounds::new(None, None, Some(90.0), None))
            .unwrap();
        s.set(Quantity::Systolic, hf_weight_free_systolic())
            .unwrap();
        s.set(Quantity::Weight, Bounds::new(None, None, Some(92.0), None))
            .unwrap();
        assert_eq!(s.0.len(), 2);
        assert_eq!(s.get(Quantity::Weight).unwrap().warning_high, Some(92.0));
        assert!(
            s.set(
                Quantity::Pulse,
                Bounds::new(Some(60.0), Some(50.0), None, None)
            )
            .is_err()
        );
        assert!(
            s.get(Quantity::Pulse).is_none(),
            "a refused set changes nothing"
        );
    }

    fn ordered_bounds() -> impl Strategy<Value = Bounds> {
        // Four ordered numbers with a non-empty green band, each bound optionally left out.
        (
            proptest::collection::vec(0.0f64..300.0, 4),
            proptest::array::uniform4(any::<bool>()),
        )
            .prop_filter_map("green band", |(mut v, keep)| {
                v.sort_by(f64::total_cmp);
                if v[1] >= v[2] {
                    return None;
                }
                let pick = |i: usize| keep[i].then_some(v[i]);
                let b = Bounds::new(pick(0), pick(1), pick(2), pick(3));
                (!b.set().is_empty()).then_some(b)
            })
    }

    proptest! {
        #[test]
        fn colour_grows_with_distance_from_the_green_band(b in ordered_bounds(), x in -50.0f64..400.0, step in 0.0f64..50.0) {
            prop_assert!(b.validate(Quantity::Weight).is_ok());
            // Moving a value further out never makes it less severe.
            let (c, _) = b.evaluate(x);
            let lows = b.warning_low.or(b.alert_low);
            let highs = b.warning_high.or(b.alert_high);
            if lows.is_some_and(|l| x < l) {
                prop_assert!(b.evaluate(x - step).0 >= c);
            }
            if highs.is_some_and(|h| x > h) {
                prop_assert!(b.evaluate(x + step).0 >= c);
            }
            // Green exactly when no bound is crossed.
            let crossed = b.set().iter().any(|(bound, v)| match bound {
                Bound::AlertLow | Bound::WarningLow => x < *v,
                Bound::WarningHigh | Bound::AlertHigh => x > *v,
            });
            prop_assert_eq!(c == Colour::Green, !crossed);
        }
    }
}
