//! Triage of one result for one care plan: every rule that fires, and the worst colour.

use super::codes::{MeasurementType, Quantity};
use super::programme::{CarePlan, PlanDefinition, PlanStatus};
use super::questionnaire::{Evaluation, Questionnaire};
use super::rules::danish_number;
use super::thresholds::Bound;
use super::triage::Colour;
use crate::identity::string_enum;
use crate::ids::{CarePlanId, CareTeamId};
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

string_enum!(
    /// The kinds of work triage gives a care team (FUT's Task categories).
    TaskCategory {
        Assessment = "assessment",
        Missing = "missing",
        Unexpected = "unexpected",
        ServiceDesk = "service_desk",
    }
);

/// The triage of one measurement for one plan, and the work it gives the plan's team.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanTriage {
    pub plan: CarePlanId,
    pub team: CareTeamId,
    pub assessment: Assessment,
    /// The task to create or raise, with its line on the worklist; none when green.
    pub task: Option<(TaskCategory, String)>,
}

/// How one measurement is routed across a citizen's plans.
#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    pub triage: Vec<PlanTriage>,
    /// No plan (active or paused) asks for this type.
    pub unexpected: bool,
}

/// Plans that ask for a type: active or paused (a paused plan keeps the result quietly).
fn asking(plans: &[CarePlan], kind: MeasurementType) -> impl Iterator<Item = &CarePlan> {
    plans
        .iter()
        .filter(move |p| p.status != PlanStatus::Ended && p.definition.measures(kind))
}

/// Days of earlier values the change rules of the triaging plans look back, if any.
pub fn history_days(plans: &[CarePlan], kind: MeasurementType) -> Option<u32> {
    asking(plans, kind)
        .filter(|p| p.status == PlanStatus::Active)
        .flat_map(|p| &p.definition.change_rules)
        .filter(|r| MeasurementType::of(r.quantity) == kind)
        .map(|r| r.within_days)
        .max()
}

/// Routes one measurement: triaged against every active plan that asks for its type, each
/// with its own thresholds and rules; kept untriaged by a paused plan; and, when no plan
/// asks for it, shown to the team of every active plan as an unexpected measurement.
pub fn route_measurement(
    plans: &[CarePlan],
    kind: MeasurementType,
    measured_at: Timestamp,
    values: &[(Quantity, f64)],
    history: &dyn Fn(Quantity) -> Vec<(Timestamp, f64)>,
) -> Routing {
    let unexpected = asking(plans, kind).next().is_none();
    let triage = if unexpected {
        let text = format!("{} uden en aktiv plan, der beder om det", kind.danish());
        plans
            .iter()
            .filter(|p| p.status == PlanStatus::Active)
            .map(|p| PlanTriage {
                plan: p.id,
                team: p.care_team_id,
                assessment: Assessment::from_findings(vec![Finding {
                    colour: Colour::Yellow,
                    rule: RuleRef::Unexpected,
                    text: text.clone(),
                }]),
                task: Some((TaskCategory::Unexpected, format!("Uventet måling: {text}"))),
            })
            .collect()
    } else {
        asking(plans, kind)
            .filter(|p| p.status == PlanStatus::Active)
            .map(|p| {
                let assessment = assess_measurement(&p.definition, measured_at, values, history);
                let task = assessment.colour.needs_attention().then(|| {
                    (
                        TaskCategory::Assessment,
                        format!("{}: {}", kind.danish(), assessment.summary()),
                    )
                });
                PlanTriage {
                    plan: p.id,
                    team: p.care_team_id,
                    assessment,
                    task,
                }
            })
            .collect()
    };
    Routing { triage, unexpected }
}

/// Plans that ask for a questionnaire: active or paused, as for measurements.
fn asking_for<'a>(plans: &'a [CarePlan], key: &'a str) -> impl Iterator<Item = &'a CarePlan> {
    plans.iter().filter(move |p| {
        p.status != PlanStatus::Ended && p.definition.questionnaires().any(|q| q == key)
    })
}

/// Routes one questionnaire response, evaluated once (its colours belong to the
/// questionnaire, not to a plan), the way [`route_measurement`] routes a measurement: an
/// assessment for every active plan that asks for the questionnaire, its findings the
/// evaluation's reasons; kept untriaged by a paused plan; and, when no plan asks for it, shown
/// to the team of every active plan as an unexpected response (a citizen without an active
/// plan gets no triage at all).
pub fn route_response(
    plans: &[CarePlan],
    questionnaire: &Questionnaire,
    evaluation: &Evaluation,
) -> Routing {
    let key = questionnaire.key.as_str();
    let unexpected = asking_for(plans, key).next().is_none();
    let triage = if unexpected {
        let text = format!(
            "Spørgeskemaet «{}» uden en aktiv plan, der beder om det",
            questionnaire.title
        );
        plans
            .iter()
            .filter(|p| p.status == PlanStatus::Active)
            .map(|p| PlanTriage {
                plan: p.id,
                team: p.care_team_id,
                assessment: Assessment::from_findings(vec![Finding {
                    colour: Colour::Yellow,
                    rule: RuleRef::Unexpected,
                    text: text.clone(),
                }]),
                task: Some((TaskCategory::Unexpected, format!("Uventet svar: {text}"))),
            })
            .collect()
    } else {
        let findings: Vec<Finding> = evaluation
            .reasons
            .iter()
            .map(|r| Finding {
                colour: r.colour,
                rule: RuleRef::Questionnaire {
                    link_id: r.link_id.clone(),
                },
                text: r.text.clone(),
            })
            .collect();
        asking_for(plans, key)
            .filter(|p| p.status == PlanStatus::Active)
            .map(|p| {
                let assessment = Assessment::from_findings(findings.clone());
                let task = assessment.colour.needs_attention().then(|| {
                    (
                        TaskCategory::Assessment,
                        format!("Spørgeskema: {}", assessment.summary()),
                    )
                });
                PlanTriage {
                    plan: p.id,
                    team: p.care_team_id,
                    assessment,
                    task,
                }
            })
            .collect()
    };
    Routing { triage, unexpected }
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

    fn plan(status: PlanStatus, definition: PlanDefinition) -> CarePlan {
        use crate::ids::*;
        CarePlan {
            id: CarePlanId::new(),
            citizen_id: CitizenId::new(),
            enrolment_id: EnrolmentId::new(),
            programme_id: ProgrammeId::new(),
            programme_name: "p".into(),
            programme_version_id: ProgrammeVersionId::new(),
            care_team_id: CareTeamId::new(),
            status,
            definition,
            started_at: Timestamp(0),
            paused_at: None,
            ended_at: None,
        }
    }

    fn measuring(kind: MeasurementType, def: PlanDefinition) -> PlanDefinition {
        let schedule = serde_json::from_str(r#"{"every":"week","times":1}"#).unwrap();
        PlanDefinition {
            activities: vec![crate::monitoring::programme::Activity::Measurement {
                kind,
                schedule,
            }],
            ..def
        }
    }

    #[test]
    fn routing_serves_every_asking_plan_and_shows_the_unexpected() {
        let heart = plan(
            PlanStatus::Active,
            measuring(MeasurementType::Weight, heart_failure()),
        );
        let diabetes = plan(
            PlanStatus::Active,
            measuring(MeasurementType::Weight, PlanDefinition::default()),
        );
        let copd = plan(
            PlanStatus::Active,
            measuring(MeasurementType::SpO2, PlanDefinition::default()),
        );
        let paused = plan(
            PlanStatus::Paused,
            measuring(MeasurementType::Weight, heart_failure()),
        );
        let ended = plan(
            PlanStatus::Ended,
            measuring(MeasurementType::Pulse, heart_failure()),
        );
        let now = Timestamp(10 * DAY);
        let gained = |_| vec![(Timestamp(now.0 - DAY), 80.0)];
        let weight = [(Quantity::Weight, 82.5)];

        let r = route_measurement(
            &[heart.clone(), diabetes.clone(), copd.clone()],
            MeasurementType::Weight,
            now,
            &weight,
            &gained,
        );
        assert!(!r.unexpected);
        assert_eq!(r.triage.len(), 2, "both weight plans, not the COPD plan");
        assert_eq!(r.triage[0].assessment.colour, Colour::Red);
        assert_eq!(
            r.triage[0].task.as_ref().unwrap().0,
            TaskCategory::Assessment
        );
        assert_eq!(r.triage[1].assessment.colour, Colour::Green);
        assert!(r.triage[1].task.is_none());
        assert_eq!(
            history_days(&[heart.clone(), diabetes.clone()], MeasurementType::Weight),
            Some(3)
        );
        assert_eq!(
            history_days(std::slice::from_ref(&diabetes), MeasurementType::Weight),
            None
        );

        // A paused plan keeps the result: expected, but not triaged.
        let r = route_measurement(
            &[paused.clone(), copd.clone()],
            MeasurementType::Weight,
            now,
            &weight,
            &gained,
        );
        assert!(!r.unexpected && r.triage.is_empty());
        assert_eq!(history_days(&[paused], MeasurementType::Weight), None);

        // Nobody asks for pulse (the pulse plan ended): unexpected, shown to the active team.
        let r = route_measurement(
            &[ended, copd.clone()],
            MeasurementType::Pulse,
            now,
            &[(Quantity::Pulse, 70.0)],
            &|_| vec![],
        );
        assert!(r.unexpected);
        assert_eq!(r.triage.len(), 1);
        assert_eq!(r.triage[0].team, copd.care_team_id);
        assert_eq!(r.triage[0].assessment.colour, Colour::Yellow);
        assert_eq!(
            r.triage[0].task.as_ref().unwrap().0,
            TaskCategory::Unexpected
        );
    }

    fn answering(key: &str, def: PlanDefinition) -> PlanDefinition {
        let schedule = serde_json::from_str(r#"{"every":"week","times":1}"#).unwrap();
        let mut def = def;
        def.activities
            .push(crate::monitoring::programme::Activity::Questionnaire {
                questionnaire: key.into(),
                schedule,
            });
        def
    }

    fn answers(
        pairs: &[(&str, crate::monitoring::questionnaire::Answer)],
    ) -> Vec<(String, crate::monitoring::questionnaire::Answer)> {
        pairs
            .iter()
            .map(|(l, a)| (l.to_string(), a.clone()))
            .collect()
    }

    #[test]
    fn a_response_is_triaged_for_the_plans_that_ask_for_it() {
        use crate::monitoring::questionnaire::{Answer, heart_failure_symptoms, who5};
        let hf = heart_failure_symptoms();
        let heart = plan(
            PlanStatus::Active,
            answering("hf_symptoms", heart_failure()),
        );
        let heart2 = plan(
            PlanStatus::Active,
            answering("hf_symptoms", PlanDefinition::default()),
        );
        let diabetes = plan(
            PlanStatus::Active,
            answering("who5", PlanDefinition::default()),
        );
        let paused = plan(
            PlanStatus::Paused,
            answering("hf_symptoms", heart_failure()),
        );
        let ended = plan(
            PlanStatus::Ended,
            answering("who5", PlanDefinition::default()),
        );
        let red = hf
            .evaluate(&answers(&[
                ("breathless", Answer::Choice("much_more".into())),
                ("swollen", Answer::Boolean(true)),
                ("pillows", Answer::Boolean(false)),
                ("dizzy", Answer::Boolean(false)),
                ("chest_pain", Answer::Boolean(false)),
            ]))
            .unwrap();
        let r = route_response(
            &[
                heart.clone(),
                diabetes.clone(),
                paused.clone(),
                heart2.clone(),
            ],
            &hf,
            &red,
        );
        assert!(!r.unexpected);
        let plans: Vec<_> = r.triage.iter().map(|t| t.plan).collect();
        assert_eq!(
            plans,
            [heart.id, heart2.id],
            "not WHO-5's plan, not the paused one"
        );
        let t = &r.triage[0];
        assert_eq!(t.team, heart.care_team_id);
        assert_eq!(t.assessment.colour, Colour::Red);
        assert_eq!(
            t.assessment.findings[0].rule,
            RuleRef::Questionnaire {
                link_id: Some("breathless".into())
            }
        );
        assert_eq!(
            t.assessment.findings[0].rule.key(),
            "questionnaire:breathless"
        );
        assert_eq!(t.assessment.findings[1].colour, Colour::Yellow);
        let (category, line) = t.task.as_ref().unwrap();
        assert_eq!(*category, TaskCategory::Assessment);
        assert_eq!(
            line,
            "Spørgeskema: Åndenød: Meget mere end normalt; Hævede ankler eller ben: Ja"
        );

        // Green answers: an assessment, no task.
        let green = hf
            .evaluate(&answers(&[
                ("breathless", Answer::Choice("usual".into())),
                ("swollen", Answer::Boolean(false)),
                ("pillows", Answer::Boolean(false)),
                ("dizzy", Answer::Boolean(false)),
                ("chest_pain", Answer::Boolean(false)),
            ]))
            .unwrap();
        let r = route_response(std::slice::from_ref(&heart), &hf, &green);
        assert_eq!(r.triage.len(), 1);
        assert_eq!(r.triage[0].assessment.colour, Colour::Green);
        assert!(r.triage[0].task.is_none());

        // Only a paused plan asks: kept quietly, not unexpected.
        let r = route_response(&[paused, diabetes.clone()], &hf, &red);
        assert!(!r.unexpected && r.triage.is_empty());

        // A total score gives a finding without a link id.
        let q = who5();
        let low = q
            .evaluate(&answers(&[
                ("cheerful", Answer::Choice("1".into())),
                ("calm", Answer::Choice("1".into())),
                ("active", Answer::Choice("1".into())),
                ("rested", Answer::Choice("1".into())),
                ("interest", Answer::Choice("1".into())),
            ]))
            .unwrap();
        let r = route_response(&[heart.clone(), diabetes.clone()], &q, &low);
        assert_eq!(r.triage.len(), 1);
        assert_eq!(r.triage[0].plan, diabetes.id);
        assert_eq!(
            r.triage[0].assessment.findings[0].rule,
            RuleRef::Questionnaire { link_id: None }
        );
        assert_eq!(
            r.triage[0].task.as_ref().unwrap().1,
            "Spørgeskema: WHO-5 Trivselsindeks: score 20 (højst 28)"
        );

        // Nobody asks for WHO-5 (that plan ended): unexpected, yellow for the active teams.
        let r = route_response(&[ended.clone(), heart.clone()], &q, &low);
        assert!(r.unexpected);
        assert_eq!(r.triage.len(), 1);
        assert_eq!(r.triage[0].team, heart.care_team_id);
        assert_eq!(r.triage[0].assessment.colour, Colour::Yellow);
        assert_eq!(r.triage[0].assessment.findings[0].rule, RuleRef::Unexpected);
        assert_eq!(
            r.triage[0].task.as_ref().unwrap(),
            &(
                TaskCategory::Unexpected,
                "Uventet svar: Spørgeskemaet «WHO-5 Trivselsindeks» uden en aktiv plan, der beder om det".to_string()
            )
        );

        // No plan at all: stored by the caller, no triage.
        let r = route_response(&[ended], &q, &low);
        assert!(r.unexpected && r.triage.is_empty());
    }
}
