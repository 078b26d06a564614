//! Triage of one result for one care plan: every rule that fires, and the worst colour.

use super::codes::Quantity;
use super::programme::PlanDefinition;
use super::rules::danish_number;
use super::thresholds::Bound;
use super::triage::Colour;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Which rule gave a colour: a threshold bound, a change rule (by its index in the plan),
/// or a questionnaire answer. Stored with the assessment and counted for alarm burden.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RuleRef {
    Threshold {
        quantity: Quantity,
        bound: Bound,
    },
    Change {
        quantity: Quantity,
        index: usize,
    },
    Questionnaire {
        link_id: Option<String>,
    },
    /// A measurement no active plan asks for: stored, and shown to the team.
    Unexpected,
}

impl RuleRef {
    /// A short stable key for statistics ("threshold:weight:warning_high").
    pub fn key(&self) -> String {
        match self {
            RuleRef::Threshold { quantity, bound } => {
                format!("threshold:{}:{}", quantity.as_str(), bound.as_str())
            }
            RuleRef::Change { quantity, index } => format!("change:{}:{index}", quantity.as_str()),
            RuleRef::Questionnaire { link_id: Some(l) } => format!("questionnaire:{l}"),
            RuleRef::Questionnaire { link_id: None } => "questionnaire:score".into(),
            RuleRef::Unexpected => "unexpected".into(),
        }
    }
}

/// One rule that fired, with the sentence the clinician reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub colour: Colour,
    pub rule: RuleRef,
    pub text: String,
}

/// The triage of one result for one care plan: the worst colour and every rule that fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub colour: Colour,
    pub findings: Vec<Finding>,
}

impl Assessment {
    pub fn from_findings(findings: Vec<Finding>) -> Self {
        let colour = findings
            .iter()
            .map(|f| f.colour)
            .max()
            .unwrap_or(Colour::Green);
        Self { colour, findings }
    }

    /// The reasons in one line, worst first ("vægt 92,4 kg over alarmgrænsen (92)").
    pub fn summary(&self) -> String {
        let mut f: Vec<&Finding> = self.findings.iter().collect();
        f.sort_by_key(|f| std::cmp::Reverse(f.colour));
        f.iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Triages the values of one measurement (canonical units) against one plan's thresholds
/// and change rules. `history(q)` gives earlier values of that quantity for the citizen
/// (any order); only change rules look at it.
pub fn assess_measurement(
    plan: &PlanDefinition,
    measured_at: Timestamp,
    values: &[(Quantity, f64)],
    history: &dyn Fn(Quantity) -> Vec<(Timestamp, f64)>,
) -> Assessment {
    let mut findings = Vec::new();
    for &(q, v) in values {
        if let Some(bounds) = plan.thresholds.get(q)
            && let (colour, Some(bound)) = bounds.evaluate(v)
        {
            let limit = match bound {
                Bound::AlertLow => bounds.alert_low,
                Bound::WarningLow => bounds.warning_low,
                Bound::WarningHigh => bounds.warning_high,
                Bound::AlertHigh => bounds.alert_high,
            }
            .unwrap_or_default();
            findings.push(Finding {
                colour,
                rule: RuleRef::Threshold { quantity: q, bound },
                text: format!(
                    "{} {} {} {} ({})",
                    q.danish(),
                    danish_number(v),
                    q.unit_display(),
                    bound.danish(),
                    danish_number(limit)
                ),
            });
        }
        let rules: Vec<_> = plan
            .change_rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.quantity == q)
            .collect();
        if !rules.is_empty() {
            let past = history(q);
            for (index, rule) in rules {
                if let Some(found) = rule.evaluate(measured_at, v, &past) {
                    findings.push(Finding {
                        colour: found.colour,
                        rule: RuleRef::Change { quantity: q, index },
                        text: found.reason,
                    });
                }
            }
        }
    }
    Assessment::from_findings(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::rules::{ChangeRule, Direction};
    use crate::monitoring::thresholds::{Bounds, ThresholdSet};

    const DAY: i64 = 86_400_000_000;

    fn heart_failure() -> PlanDefinition {
        let mut t = ThresholdSet::default();
        t.set(
            Quantity::Weight,
            Bounds::new(None, None, Some(90.0), Some(95.0)),
        )
        .unwrap();
        t.set(
            Quantity::Systolic,
            Bounds::new(Some(85.0), Some(95.0), Some(150.0), Some(170.0)),
        )
        .unwrap();
        t.set(
            Quantity::Diastolic,
            Bounds::new(Some(45.0), Some(55.0), Some(95.0), Some(105.0)),
        )
        .unwrap();
        PlanDefinition {
            thresholds: t,
            change_rules: vec![ChangeRule {
                quantity: Quantity::Weight,
                direction: Direction::Rise,
                more_than: 2.0,
                within_days: 3,
                colour: Colour::Red,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_worst_finding_decides_and_every_finding_is_kept() {
        let plan = heart_failure();
        let now = Timestamp(1_790_000_000_000_000);
        let none = |_| Vec::new();
        let a = assess_measurement(&plan, now, &[(Quantity::Weight, 80.0)], &none);
        assert_eq!(
            a,
            Assessment {
                colour: Colour::Green,
                findings: vec![]
            }
        );

        // Inside the weight thresholds but 2.6 kg up in 3 days: red by the change rule.
        let history = |q| {
            assert_eq!(q, Quantity::Weight);
            vec![(Timestamp(now.0 - 2 * DAY), 85.4)]
        };
        let a = assess_measurement(&plan, now, &[(Quantity::Weight, 88.0)], &history);
        assert_eq!(a.colour, Colour::Red);
        assert_eq!(
            a.findings[0].rule,
            RuleRef::Change {
                quantity: Quantity::Weight,
                index: 0
            }
        );
        assert_eq!(a.summary(), "vægt steget 2,6 kg på 3 dage");

        // Blood pressure: systolic yellow, diastolic red; both kept, red wins.
        let a = assess_measurement(
            &plan,
            now,
            &[(Quantity::Systolic, 155.0), (Quantity::Diastolic, 110.0)],
            &none,
        );
        assert_eq!(a.colour, Colour::Red);
        assert_eq!(a.findings.len(), 2);
        assert_eq!(
            a.summary(),
            "diastolisk blodtryk 110 mmHg over alarmgrænsen (105); systolisk blodtryk 155 mmHg over advarselsgrænsen (150)"
        );
        assert_eq!(a.findings[0].rule.key(), "threshold:systolic:warning_high");
    }

    #[test]
    fn quantities_the_plan_has_no_thresholds_for_are_green() {
        let a = assess_measurement(
            &heart_failure(),
            Timestamp(0),
            &[(Quantity::Glucose, 30.0)],
            &|_| Vec::new(),
        );
        assert_eq!(a.colour, Colour::Green);
    }
}
