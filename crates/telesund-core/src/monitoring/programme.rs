//! A programme's definition (FHIR PlanDefinition with ActivityDefinitions): what the citizen
//! measures and answers, when, the default thresholds and change rules, and the equipment kit.
//!
//! A definition belongs to one programme *version*. Versions are immutable once active;
//! enrolment copies the activities, thresholds and rules into the citizen's care plan, so a
//! later version never changes a running plan behind the clinician's back.

use super::codes::{MeasurementType, Quantity};
use super::rules::ChangeRule;
use super::schedule::Schedule;
use super::thresholds::ThresholdSet;
use crate::error::DomainError;
use crate::identity::string_enum;
use crate::ids::{CarePlanId, CareTeamId, CitizenId, EnrolmentId, ProgrammeId, ProgrammeVersionId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

string_enum!(
    /// Where a programme version is in its life: drafts are edited, one version is active
    /// (new enrolments get it), retired versions keep serving the plans made from them.
    VersionStatus { Draft = "draft", Active = "active", Retired = "retired" }
);

impl VersionStatus {
    /// The only moves: draft → active → retired (and a draft may be retired unused).
    pub fn can_become(self, next: VersionStatus) -> bool {
        matches!(
            (self, next),
            (VersionStatus::Draft, VersionStatus::Active)
                | (VersionStatus::Draft, VersionStatus::Retired)
                | (VersionStatus::Active, VersionStatus::Retired)
        )
    }
}

string_enum!(
    /// The kinds of approved equipment a programme's kit names; the equipment register
    /// holds the units.
    DeviceKind {
        Scale = "scale",
        BloodPressureMonitor = "blood_pressure_monitor",
        PulseOximeter = "pulse_oximeter",
        GlucoseMeter = "glucose_meter",
        Thermometer = "thermometer",
        Spirometer = "spirometer",
        ActivityTracker = "activity_tracker",
        Tablet = "tablet",
    }
);

impl DeviceKind {
    /// The device that measures a type. Pulse comes from the BP monitor or the oximeter;
    /// the kit names the one the programme hands out.
    pub fn measures(self, kind: MeasurementType) -> bool {
        use MeasurementType as M;
        matches!(
            (self, kind),
            (DeviceKind::Scale, M::Weight)
                | (
                    DeviceKind::BloodPressureMonitor,
                    M::BloodPressure | M::Pulse
                )
                | (DeviceKind::PulseOximeter, M::SpO2 | M::Pulse)
                | (DeviceKind::GlucoseMeter, M::Glucose)
                | (DeviceKind::Thermometer, M::Temperature)
                | (DeviceKind::Spirometer, M::Fev1)
                | (DeviceKind::ActivityTracker, M::Steps)
        )
    }

    pub fn danish(self) -> &'static str {
        match self {
            DeviceKind::Scale => "Vægt",
            DeviceKind::BloodPressureMonitor => "Blodtryksmåler",
            DeviceKind::PulseOximeter => "Iltmætningsmåler",
            DeviceKind::GlucoseMeter => "Blodsukkerapparat",
            DeviceKind::Thermometer => "Termometer",
            DeviceKind::Spirometer => "Spirometer",
            DeviceKind::ActivityTracker => "Skridttæller",
            DeviceKind::Tablet => "Tablet",
        }
    }
}

/// One thing the citizen does on a schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "activity", rename_all = "snake_case", deny_unknown_fields)]
pub enum Activity {
    Measurement {
        #[serde(rename = "type")]
        kind: MeasurementType,
        schedule: Schedule,
    },
    Questionnaire {
        /// The questionnaire's stable key (e.g. "who5"); its version is fixed at enrolment.
        questionnaire: String,
        schedule: Schedule,
    },
}

impl Activity {
    pub fn schedule(&self) -> &Schedule {
        match self {
            Activity::Measurement { schedule, .. } | Activity::Questionnaire { schedule, .. } => {
                schedule
            }
        }
    }

    /// A stable key for the activity within a plan ("measurement:weight", "questionnaire:who5"),
    /// used to name missing-measurement tasks and statistics.
    pub fn key(&self) -> String {
        match self {
            Activity::Measurement { kind, .. } => format!("measurement:{}", kind.as_str()),
            Activity::Questionnaire { questionnaire, .. } => {
                format!("questionnaire:{questionnaire}")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitItem {
    pub device: DeviceKind,
    #[serde(default = "one")]
    pub count: u8,
}

fn one() -> u8 {
    1
}

/// The definition of one programme version; also the shape of a care plan's own copy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDefinition {
    pub activities: Vec<Activity>,
    #[serde(default)]
    pub thresholds: ThresholdSet,
    #[serde(default)]
    pub change_rules: Vec<ChangeRule>,
    #[serde(default)]
    pub kit: Vec<KitItem>,
}

impl PlanDefinition {
    /// Whether the plan asks for this measurement type (so a measurement of it is expected).
    pub fn measures(&self, kind: MeasurementType) -> bool {
        self.activities
            .iter()
            .any(|a| matches!(a, Activity::Measurement { kind: k, .. } if *k == kind))
    }

    pub fn questionnaires(&self) -> impl Iterator<Item = &str> {
        self.activities.iter().filter_map(|a| match a {
            Activity::Questionnaire { questionnaire, .. } => Some(questionnaire.as_str()),
            _ => None,
        })
    }

    /// A clinician's override of one quantity's thresholds for this plan: a reason is
    /// required, the plan must measure the quantity, and the bounds must be in order.
    /// Returns the bounds it replaces.
    pub fn override_thresholds(
        &mut self,
        quantity: Quantity,
        bounds: super::thresholds::Bounds,
        reason: &str,
    ) -> Result<Option<super::thresholds::Bounds>, DomainError> {
        if reason.trim().is_empty() {
            return Err(DomainError::invalid(
                "give a reason for changing the thresholds",
            ));
        }
        if !self.measures(MeasurementType::of(quantity)) {
            return Err(DomainError::invalid(format!(
                "the plan does not measure {}",
                quantity.as_str()
            )));
        }
        let old = self.thresholds.get(quantity).copied();
        self.thresholds.set(quantity, bounds)?;
        Ok(old)
    }

    /// A definition is usable when every activity is scheduled well and appears once, every
    /// threshold and change rule concerns a quantity the plan measures, and the kit can
    /// measure every measurement activity.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.activities.is_empty() {
            return Err(DomainError::invalid(
                "a programme needs at least one measurement or questionnaire",
            ));
        }
        let mut keys = Vec::new();
        for a in &self.activities {
            let key = a.key();
            if keys.contains(&key) {
                return Err(DomainError::invalid(format!(
                    "the activity {key} appears twice; give one activity several time windows instead"
                )));
            }
            a.schedule()
                .validate()
                .map_err(|e| DomainError::invalid(format!("schedule of {key}: {}", e.message)))?;
            keys.push(key);
        }
        let measured = |q: Quantity| self.measures(MeasurementType::of(q));
        self.thresholds.validate()?;
        for (q, _) in &self.thresholds.0 {
            if !measured(*q) {
                return Err(DomainError::invalid(format!(
                    "thresholds for {} but the programme does not measure it",
                    q.as_str()
                )));
            }
        }
        for rule in &self.change_rules {
            rule.validate()?;
            if !measured(rule.quantity) {
                return Err(DomainError::invalid(format!(
                    "a change rule for {} but the programme does not measure it",
                    rule.quantity.as_str()
                )));
            }
        }
        for a in &self.activities {
            if let Activity::Measurement { kind, .. } = a
                && !self.kit.is_empty()
                && !self.kit.iter().any(|k| k.device.measures(*kind))
            {
                return Err(DomainError::invalid(format!(
                    "the kit has no device that measures {}",
                    kind.as_str()
                )));
            }
        }
        for k in &self.kit {
            if k.count == 0 {
                return Err(DomainError::invalid(format!(
                    "the kit lists {} with count 0",
                    k.device.as_str()
                )));
            }
        }
        Ok(())
    }
}

/// One version of a programme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeVersion {
    pub id: ProgrammeVersionId,
    pub programme_id: ProgrammeId,
    pub version: i64,
    pub status: VersionStatus,
    pub definition: PlanDefinition,
    pub created_by_name: String,
    pub created_at: Timestamp,
    pub activated_at: Option<Timestamp>,
    pub retired_at: Option<Timestamp>,
}

string_enum!(
    /// A care plan follows its enrolment: active, paused (e.g. during admission: results are
    /// kept but not triaged, nothing is missing), ended.
    PlanStatus { Active = "active", Paused = "paused", Ended = "ended" }
);

impl PlanStatus {
    /// The name of a move in the plan's history, or `None` when the move is not allowed:
    /// pause and resume, and end from either; an ended plan stays ended.
    pub fn change_to(self, next: PlanStatus) -> Option<&'static str> {
        match (self, next) {
            (PlanStatus::Active, PlanStatus::Paused) => Some("paused"),
            (PlanStatus::Paused, PlanStatus::Active) => Some("resumed"),
            (PlanStatus::Active | PlanStatus::Paused, PlanStatus::Ended) => Some("ended"),
            _ => None,
        }
    }
}

/// A citizen's care plan: the programme version applied to them, with their own copy of the
/// activities, thresholds and rules, routed to one care team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarePlan {
    pub id: CarePlanId,
    pub citizen_id: CitizenId,
    pub enrolment_id: EnrolmentId,
    pub programme_id: ProgrammeId,
    pub programme_name: String,
    pub programme_version_id: ProgrammeVersionId,
    pub care_team_id: CareTeamId,
    pub status: PlanStatus,
    pub definition: PlanDefinition,
    pub started_at: Timestamp,
    pub paused_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::Colour;
    use crate::monitoring::rules::Direction;
    use crate::monitoring::thresholds::Bounds;

    fn daily() -> Schedule {
        serde_json::from_str(r#"{"every":"days","weekdays":["mon","tue","wed","thu","fri","sat","sun"],"windows":[{"start":"06:00","end":"10:00"}]}"#).unwrap()
    }

    fn heart_failure() -> PlanDefinition {
        let mut thresholds = ThresholdSet::default();
        thresholds
            .set(
                Quantity::Weight,
                Bounds::new(None, None, Some(95.0), Some(100.0)),
            )
            .unwrap();
        PlanDefinition {
            activities: vec![
                Activity::Measurement {
                    kind: MeasurementType::Weight,
                    schedule: daily(),
                },
                Activity::Questionnaire {
                    questionnaire: "hf_symptoms".into(),
                    schedule: daily(),
                },
            ],
            thresholds,
            change_rules: vec![ChangeRule {
                quantity: Quantity::Weight,
                direction: Direction::Rise,
                more_than: 2.0,
                within_days: 3,
                colour: Colour::Red,
            }],
            kit: vec![KitItem {
                device: DeviceKind::Scale,
                count: 1,
            }],
        }
    }

    #[test]
    fn a_sound_definition_validates_and_round_trips() {
        let d = heart_failure();
        d.validate().unwrap();
        assert!(d.measures(MeasurementType::Weight));
        assert!(!d.measures(MeasurementType::Pulse));
        assert_eq!(d.questionnaires().collect::<Vec<_>>(), ["hf_symptoms"]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<PlanDefinition>(&json).unwrap(), d);
    }

    #[test]
    fn inconsistent_definitions_are_refused() {
        let mut d = heart_failure();
        d.activities.clear();
        assert!(d.validate().is_err());

        let mut d = heart_failure();
        d.activities.push(d.activities[0].clone());
        assert!(d.validate().unwrap_err().message.contains("twice"));

        let mut d = heart_failure();
        d.thresholds
            .set(
                Quantity::SpO2,
                Bounds::new(Some(88.0), Some(92.0), None, None),
            )
            .unwrap();
        assert!(
            d.validate()
                .unwrap_err()
                .message
                .contains("does not measure")
        );

        let mut d = heart_failure();
        d.change_rules[0].quantity = Quantity::Pulse;
        assert!(d.validate().is_err());

        let mut d = heart_failure();
        d.kit = vec![KitItem {
            device: DeviceKind::PulseOximeter,
            count: 1,
        }];
        assert!(d.validate().unwrap_err().message.contains("kit"));

        let mut d = heart_failure();
        d.kit[0].count = 0;
        assert!(d.validate().is_err());
    }

    #[test]
    fn plans_pause_resume_and_end_once() {
        use PlanStatus::*;
        assert_eq!(Active.change_to(Paused), Some("paused"));
        assert_eq!(Paused.change_to(Active), Some("resumed"));
        assert_eq!(Paused.change_to(Ended), Some("ended"));
        assert_eq!(Active.change_to(Active), None);
        assert_eq!(Paused.change_to(Paused), None);
        assert_eq!(Ended.change_to(Active), None);
    }

    #[test]
    fn versions_move_forward_only() {
        use VersionStatus::*;
        assert!(Draft.can_become(Active));
        assert!(Active.can_become(Retired));
        assert!(Draft.can_become(Retired));
        assert!(!Active.can_become(Draft));
        assert!(!Retired.can_become(Active));
        assert!(!Retired.can_become(Draft));
    }

    #[test]
    fn every_measurement_type_has_a_device() {
        for kind in MeasurementType::ALL {
            assert!(DeviceKind::ALL.iter().any(|d| d.measures(*kind)), "{kind}");
        }
    }
}
