//! PlanDefinition: one version of a programme — what the citizen measures and answers, and
//! when (one `action` each), with the programme's default thresholds, change rules and kit.
//!
//! Modelling choices:
//!
//! - **Identity.** The resource id is the version's id, and so is the canonical `url`
//!   (`https://telesund.dk/fhir/PlanDefinition/<version id>`): a care plan knows the version
//!   it was made from by id only, and points at it with `instantiatesCanonical` = that url.
//!   `version` is the version number and `identifier` (system [`PROGRAMME`]) the programme,
//!   which groups the versions of one programme.
//! - **Actions.** One action per activity, its key (`measurement:weight`,
//!   `questionnaire:who5`) in the [`ACTIVITY_KEY`] extension (not the element `id`: the R4
//!   models we validate with hold element ids to the id pattern, without `:` and `_`),
//!   `code` = every coding Telesund writes for the measurement type (as on
//!   Observation.code, plus our own measurement-type code), `timingTiming` from the
//!   schedule (see [`timing`]) and `description` = the schedule in Danish. Questionnaire
//!   actions carry `definitionCanonical` = the Questionnaire's canonical url. The citizen does
//!   each action (`participant.type` = patient).
//! - **Thresholds, change rules and kit** have no home in R4's PlanDefinition (a Goal would
//!   say what to aim for, not when to raise an alarm), so each travels as a documented
//!   Telesund extension on the resource: [`THRESHOLD`], [`CHANGE_RULE`] and [`KIT_ITEM`].
//!   Values are Quantities in the canonical UCUM unit. The same extensions are on CarePlan,
//!   where they hold the plan's own (possibly overridden) copy.
//! - **Owner.** The owning organisation is the `publisher` (its name) and an
//!   [`OWNING_ORGANIZATION`] extension (`Organization/<id>`), as PlanDefinition has no
//!   Reference to an organisation.

use crate::clinical_impression::colour_coding;
use crate::datatypes::{
    CodeableConcept, Coding, Identifier, Period, Reference, Timing, TimingRepeat, ValueX,
    WrittenExtension, instant,
};
use crate::observation::SimpleQuantity;
use serde::Serialize;
use serde_json::Number;
use telesund_core::ids::{OrgId, ProgrammeVersionId};
use telesund_core::monitoring::codes::{self, MeasurementType, Quantity};
use telesund_core::monitoring::programme::{
    self as domain, Activity, KitItem, ProgrammeVersion, VersionStatus,
};
use telesund_core::monitoring::questionnaire;
use telesund_core::monitoring::rules::{ChangeRule, Direction};
use telesund_core::monitoring::schedule::{Schedule, Weekday};
use telesund_core::monitoring::thresholds::Bounds;

/// The identifier system of a programme (all its versions share it).
pub const PROGRAMME: &str = "https://telesund.dk/fhir/NamingSystem/programme";
/// Telesund's measurement types (`weight`, `blood_pressure`, …).
pub const MEASUREMENT_TYPE: &str = "https://telesund.dk/fhir/CodeSystem/measurement-type";
/// Telesund's measured quantities (`systolic`, `weight`, …), each with one canonical unit.
pub const QUANTITY: &str = "https://telesund.dk/fhir/CodeSystem/quantity";
/// The kinds of equipment a kit names (`scale`, `blood_pressure_monitor`, …).
pub const DEVICE_KIND: &str = "https://telesund.dk/fhir/CodeSystem/device-kind";
/// `PlanDefinition.type`'s code system.
pub const PLAN_DEFINITION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/plan-definition-type";

/// Complex extension, one per quantity: `quantity` (valueCodeableConcept: our quantity code
/// and the standard codings) and any of `alertLow`, `warningLow`, `warningHigh`, `alertHigh`
/// (valueQuantity, canonical UCUM unit). Below alertLow or above alertHigh is red, below
/// warningLow or above warningHigh yellow; a value on a bound is inside it.
pub const THRESHOLD: &str = "https://telesund.dk/fhir/StructureDefinition/threshold";
/// Complex extension, one per change rule: `quantity` (valueCodeableConcept), `direction`
/// (valueCode rise|fall), `moreThan` (valueQuantity: the change that must be exceeded),
/// `withinDays` (valueDuration in days) and `colour` (valueCoding, [`crate::clinical_impression::TRIAGE_COLOUR`]).
pub const CHANGE_RULE: &str = "https://telesund.dk/fhir/StructureDefinition/change-rule";
/// Complex extension, one per kind of device handed out: `device` (valueCoding,
/// [`DEVICE_KIND`]) and `count` (valuePositiveInt).
pub const KIT_ITEM: &str = "https://telesund.dk/fhir/StructureDefinition/kit-item";
/// valueString on a PlanDefinition action and a CarePlan activity: the activity's stable key
/// in the plan (`measurement:weight`, `questionnaire:who5`), which a Task about a missing
/// result names in its `activity` input.
pub const ACTIVITY_KEY: &str = "https://telesund.dk/fhir/StructureDefinition/activity-key";
/// valueReference to the Organization that owns the programme.
pub const OWNING_ORGANIZATION: &str =
    "https://telesund.dk/fhir/StructureDefinition/owning-organization";
/// On `Timing.repeat`, one per daily window: `start` and `end` (valueString, Copenhagen
/// wall-clock "HH:MM", end exclusive, "24:00" = midnight — which FHIR `time` cannot say).
pub const TIME_WINDOW: &str = "https://telesund.dk/fhir/StructureDefinition/time-window";
/// On `Timing.repeat` of a monthly schedule: `day` (valuePositiveInt, day of the month; past
/// the month's end means its last day) and `withinDays` (valuePositiveInt, window length).
pub const MONTH_WINDOW: &str = "https://telesund.dk/fhir/StructureDefinition/month-window";

const UCUM: &str = codes::systems::UCUM;

/// The canonical url of a programme version's PlanDefinition.
pub fn canonical(version: ProgrammeVersionId) -> String {
    format!("https://telesund.dk/fhir/PlanDefinition/{version}")
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDefinition {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    pub url: String,
    pub identifier: Vec<Identifier>,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    pub status: &'static str,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<ContactDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub action: Vec<Action>,
}

/// An R4 ContactDetail with a name only.
#[derive(Clone, Debug, Serialize)]
pub struct ContactDetail {
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// The [`ACTIVITY_KEY`].
    pub extension: Vec<WrittenExtension>,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeableConcept>,
    pub timing_timing: Timing,
    pub participant: Vec<ActionParticipant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_canonical: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActionParticipant {
    #[serde(rename = "type")]
    pub type_: &'static str,
}

// ---------------------------------------------------------------------------------------
// Shared with CarePlan: codes, schedules and the definition's extensions.

/// The codings written for a quantity or a type: every coding we know, less the
/// alternatives that do not fit a value in the canonical unit (glucose in mg/dL) or name
/// another device's reading (the oximeter's pulse) — the same choice as on Observation.
fn written(list: &[codes::Coding]) -> impl Iterator<Item = Coding> + '_ {
    list.iter()
        .filter(|c| !c.is(codes::systems::LOINC, "41653-7") && !c.is(codes::systems::MDC, "149530"))
        .map(|c| Coding::new(c.system, c.code, c.display))
}

/// `code` of a measurement activity: the standard codings, then our measurement-type code.
pub fn measurement_code(kind: MeasurementType) -> CodeableConcept {
    let mut coding: Vec<Coding> = written(kind.codings()).collect();
    coding.push(Coding::new(MEASUREMENT_TYPE, kind.as_str(), kind.danish()));
    CodeableConcept {
        coding,
        text: Some(kind.danish().into()),
    }
}

/// A quantity as a concept: our quantity code first (the one Telesund reads back), then the
/// standard codings.
pub fn quantity_concept(q: Quantity) -> CodeableConcept {
    let mut coding = vec![Coding::new(QUANTITY, q.as_str(), q.danish())];
    coding.extend(written(q.codings()));
    CodeableConcept {
        coding,
        text: Some(q.danish().into()),
    }
}

fn number(v: f64) -> Option<Number> {
    Number::from_f64(v)
}

/// A value of `q` in its canonical unit.
fn canonical_quantity(q: Quantity, v: f64) -> Option<SimpleQuantity> {
    Some(SimpleQuantity {
        value: Some(number(v)?),
        unit: Some(q.unit_display().into()),
        system: Some(UCUM.into()),
        code: Some(q.ucum().into()),
    })
}

fn threshold(q: Quantity, b: &Bounds) -> WrittenExtension {
    let mut parts = vec![WrittenExtension::value(
        "quantity",
        ValueX::CodeableConcept(quantity_concept(q)),
    )];
    for (name, v) in [
        ("alertLow", b.alert_low),
        ("warningLow", b.warning_low),
        ("warningHigh", b.warning_high),
        ("alertHigh", b.alert_high),
    ] {
        if let Some(value) = v.and_then(|v| canonical_quantity(q, v)) {
            parts.push(WrittenExtension::value(name, ValueX::Quantity(value)));
        }
    }
    WrittenExtension::complex(THRESHOLD, parts)
}

fn change_rule(r: &ChangeRule) -> WrittenExtension {
    let mut parts = vec![
        WrittenExtension::value(
            "quantity",
            ValueX::CodeableConcept(quantity_concept(r.quantity)),
        ),
        WrittenExtension::value(
            "direction",
            ValueX::Code(
                match r.direction {
                    Direction::Rise => "rise",
                    Direction::Fall => "fall",
                }
                .into(),
            ),
        ),
    ];
    if let Some(q) = canonical_quantity(r.quantity, r.more_than) {
        parts.push(WrittenExtension::value("moreThan", ValueX::Quantity(q)));
    }
    parts.push(WrittenExtension::value(
        "withinDays",
        ValueX::Duration(SimpleQuantity {
            value: Some(Number::from(r.within_days)),
            unit: Some(if r.within_days == 1 { "dag" } else { "dage" }.into()),
            system: Some(UCUM.into()),
            code: Some("d".into()),
        }),
    ));
    parts.push(WrittenExtension::value(
        "colour",
        ValueX::Coding(colour_coding(r.colour)),
    ));
    WrittenExtension::complex(CHANGE_RULE, parts)
}

fn kit_item(k: &KitItem) -> WrittenExtension {
    WrittenExtension::complex(
        KIT_ITEM,
        vec![
            WrittenExtension::value(
                "device",
                ValueX::Coding(Coding::new(
                    DEVICE_KIND,
                    k.device.as_str(),
                    k.device.danish(),
                )),
            ),
            WrittenExtension::value("count", ValueX::PositiveInt(u32::from(k.count.max(1)))),
        ],
    )
}

/// The kit, the thresholds and the change rules of a definition, as extensions.
pub fn definition_extensions(d: &domain::PlanDefinition) -> Vec<WrittenExtension> {
    d.kit
        .iter()
        .map(kit_item)
        .chain(d.thresholds.0.iter().map(|(q, b)| threshold(*q, b)))
        .chain(d.change_rules.iter().map(change_rule))
        .collect()
}

/// A schedule as a Timing. By days: `frequency` = windows a day, `period` 1 `d`, the days
/// in `dayOfWeek` unless every day, each window as a [`TIME_WINDOW`] extension. Per week:
/// `frequency` = times, `period` 1 `wk`. Monthly: once per 1 `mo`, the day and the window's
/// length in a [`MONTH_WINDOW`] extension. (Times of day are not `timeOfDay`: that would say
/// *at* 06:00, where the citizen may measure any time in the window.)
pub fn timing(s: &Schedule) -> Timing {
    let repeat = match s {
        Schedule::Days { weekdays, windows } => {
            let mut days = weekdays.clone();
            days.sort();
            days.dedup();
            let day_of_week = if days.len() == Weekday::ALL.len() {
                Vec::new()
            } else {
                days.iter().map(|d| d.as_str()).collect()
            };
            let mut sorted = windows.clone();
            sorted.sort_by_key(|w| (w.start, w.end));
            TimingRepeat {
                extension: sorted
                    .iter()
                    .map(|w| {
                        WrittenExtension::complex(
                            TIME_WINDOW,
                            vec![
                                WrittenExtension::value(
                                    "start",
                                    ValueX::String(w.start.to_string()),
                                ),
                                WrittenExtension::value("end", ValueX::String(w.end.to_string())),
                            ],
                        )
                    })
                    .collect(),
                frequency: Some(windows.len().max(1) as u32),
                period: Some(1),
                period_unit: Some("d"),
                day_of_week,
            }
        }
        Schedule::PerWeek { times } => TimingRepeat {
            frequency: Some(u32::from(*times).max(1)),
            period: Some(1),
            period_unit: Some("wk"),
            ..TimingRepeat::default()
        },
        Schedule::Monthly { day, within_days } => TimingRepeat {
            extension: vec![WrittenExtension::complex(
                MONTH_WINDOW,
                vec![
                    WrittenExtension::value("day", ValueX::PositiveInt(u32::from(*day).max(1))),
                    WrittenExtension::value(
                        "withinDays",
                        ValueX::PositiveInt(u32::from(*within_days).max(1)),
                    ),
                ],
            )],
            frequency: Some(1),
            period: Some(1),
            period_unit: Some("mo"),
            ..TimingRepeat::default()
        },
    };
    Timing {
        repeat: Some(repeat),
        code: None,
    }
}

/// The [`ACTIVITY_KEY`] extension of an activity.
pub fn activity_key(a: &Activity) -> WrittenExtension {
    WrittenExtension::value(ACTIVITY_KEY, ValueX::String(a.key()))
}

/// The Danish title of a questionnaire in the library, or a generic one for another key.
pub fn questionnaire_title(key: &str) -> String {
    questionnaire::library()
        .into_iter()
        .find(|q| q.key == key)
        .map(|q| q.title)
        .unwrap_or_else(|| format!("Spørgeskema {key}"))
}

// ---------------------------------------------------------------------------------------

fn action(a: &Activity) -> Action {
    let schedule = a.schedule();
    let (title, code, definition_canonical) = match a {
        Activity::Measurement { kind, .. } => (
            kind.danish().to_string(),
            vec![measurement_code(*kind)],
            None,
        ),
        Activity::Questionnaire { questionnaire, .. } => (
            questionnaire_title(questionnaire),
            Vec::new(),
            Some(crate::questionnaire::canonical(questionnaire)),
        ),
    };
    Action {
        extension: vec![activity_key(a)],
        title,
        description: schedule.describe_danish(),
        code,
        timing_timing: timing(schedule),
        participant: vec![ActionParticipant { type_: "patient" }],
        definition_canonical,
    }
}

/// A programme version as a PlanDefinition. `owner_org_name`, when known, becomes the
/// publisher; the owning organisation is referenced in any case.
pub fn from_domain(
    v: &ProgrammeVersion,
    programme_name: &str,
    owner_org_id: OrgId,
    owner_org_name: Option<&str>,
) -> PlanDefinition {
    let owner_name = owner_org_name.filter(|n| !n.trim().is_empty());
    let mut extension = vec![WrittenExtension::value(
        OWNING_ORGANIZATION,
        ValueX::Reference(Reference::to("Organization", owner_org_id, owner_name)),
    )];
    extension.extend(definition_extensions(&v.definition));
    // `date` changes with the status (R4: "must change if the status code changes").
    let date = v.retired_at.or(v.activated_at).unwrap_or(v.created_at);
    PlanDefinition {
        resource_type: "PlanDefinition",
        id: v.id.to_string(),
        extension,
        url: canonical(v.id),
        identifier: vec![Identifier {
            use_: None,
            system: Some(PROGRAMME.into()),
            value: Some(v.programme_id.to_string()),
        }],
        version: v.version.to_string(),
        title: (!programme_name.trim().is_empty()).then(|| programme_name.to_string()),
        type_: CodeableConcept::coded(
            PLAN_DEFINITION_TYPE,
            "clinical-protocol",
            "Clinical Protocol",
        ),
        status: match v.status {
            VersionStatus::Draft => "draft",
            VersionStatus::Active => "active",
            VersionStatus::Retired => "retired",
        },
        date: instant(date),
        publisher: owner_name.map(str::to_string),
        author: (!v.created_by_name.trim().is_empty())
            .then(|| ContactDetail {
                name: v.created_by_name.clone(),
            })
            .into_iter()
            .collect(),
        // A draft was never in force; a version retired unused has no start either.
        effective_period: v
            .activated_at
            .map(|start| Period::from(start, v.retired_at)),
        action: v.definition.activities.iter().map(action).collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use serde_json::{Value, json};
    use telesund_core::Timestamp;
    use telesund_core::ids::ProgrammeId;

    fn every_day(start: &str, end: &str) -> Value {
        json!({"every": "days", "weekdays": ["mon","tue","wed","thu","fri","sat","sun"],
               "windows": [{"start": start, "end": end}]})
    }

    /// The demo's heart-failure definition (crates/telesund/src/demo/programmes.rs).
    pub(crate) fn heart_failure() -> domain::PlanDefinition {
        let d: domain::PlanDefinition = serde_json::from_value(json!({
            "activities": [
                {"activity": "measurement", "type": "weight", "schedule": every_day("06:00", "10:00")},
                {"activity": "measurement", "type": "blood_pressure", "schedule": every_day("06:00", "12:00")},
                {"activity": "measurement", "type": "pulse", "schedule": every_day("06:00", "12:00")},
                {"activity": "questionnaire", "questionnaire": "hf_symptoms",
                 "schedule": {"every": "days", "weekdays": ["mon"], "windows": [{"start": "06:00", "end": "20:00"}]}}
            ],
            "thresholds": [
                ["systolic", {"alert_low": 85.0, "warning_low": 95.0, "warning_high": 160.0, "alert_high": 180.0}],
                ["diastolic", {"alert_low": 40.0, "warning_low": 50.0, "warning_high": 95.0, "alert_high": 105.0}],
                ["pulse", {"alert_low": 40.0, "warning_low": 50.0, "warning_high": 100.0, "alert_high": 120.0}]
            ],
            "change_rules": [
                {"quantity": "weight", "direction": "rise", "more_than": 2.0, "within_days": 3, "colour": "red"},
                {"quantity": "weight", "direction": "rise", "more_than": 1.0, "within_days": 1, "colour": "yellow"}
            ],
            "kit": [{"device": "scale"}, {"device": "blood_pressure_monitor"}, {"device": "tablet"}]
        }))
        .unwrap();
        d.validate().unwrap();
        d
    }

    /// The demo's diabetes definition: weekly and monthly schedules.
    pub(crate) fn type2_diabetes() -> domain::PlanDefinition {
        let d: domain::PlanDefinition = serde_json::from_value(json!({
            "activities": [
                {"activity": "measurement", "type": "glucose", "schedule": every_day("06:00", "10:00")},
                {"activity": "measurement", "type": "weight", "schedule": {"every": "week", "times": 1}},
                {"activity": "questionnaire", "questionnaire": "who5", "schedule": {"every": "month", "day": 1, "within_days": 7}}
            ],
            "thresholds": [
                ["glucose", {"alert_low": 3.0, "warning_low": 4.0, "warning_high": 12.0, "alert_high": 20.0}]
            ],
            "kit": [{"device": "glucose_meter"}, {"device": "scale"}, {"device": "tablet"}]
        }))
        .unwrap();
        d.validate().unwrap();
        d
    }

    fn version(definition: domain::PlanDefinition, status: VersionStatus) -> ProgrammeVersion {
        let t = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        ProgrammeVersion {
            id: ProgrammeVersionId::new(),
            programme_id: ProgrammeId::new(),
            version: 3,
            status,
            definition,
            created_by_name: "Overlæge Karen Holm".into(),
            created_at: t("2026-09-01T08:00:00Z"),
            activated_at: (status != VersionStatus::Draft).then(|| t("2026-09-15T08:00:00Z")),
            retired_at: (status == VersionStatus::Retired).then(|| t("2026-12-01T08:00:00Z")),
        }
    }

    fn ext<'a>(v: &'a Value, url: &str) -> Vec<&'a Value> {
        v["extension"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["url"] == url).collect())
            .unwrap_or_default()
    }

    fn part<'a>(e: &'a Value, url: &str) -> &'a Value {
        e["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["url"] == url)
            .unwrap_or_else(|| panic!("no {url} in {e}"))
    }

    #[test]
    fn the_heart_failure_programme_as_a_plan_definition() {
        let v = version(heart_failure(), VersionStatus::Active);
        let org = OrgId::new();
        let pd = from_domain(&v, "Hjertesvigt", org, Some("Regionshospitalet Horsens"));
        let j = serde_json::to_value(&pd).unwrap();
        assert_no_empty(&j, "PlanDefinition");
        assert_eq!(j["resourceType"], "PlanDefinition");
        assert_eq!(j["id"], v.id.to_string());
        assert_eq!(
            j["url"],
            format!("https://telesund.dk/fhir/PlanDefinition/{}", v.id)
        );
        assert_eq!(j["version"], "3");
        assert_eq!(j["status"], "active");
        assert_eq!(j["title"], "Hjertesvigt");
        assert_eq!(j["publisher"], "Regionshospitalet Horsens");
        assert_eq!(j["date"], "2026-09-15T08:00:00Z");
        assert_eq!(
            j["effectivePeriod"],
            json!({ "start": "2026-09-15T08:00:00Z" })
        );
        assert_eq!(
            j["identifier"],
            json!([{ "system": PROGRAMME, "value": v.programme_id.to_string() }])
        );
        assert_eq!(j["author"], json!([{ "name": "Overlæge Karen Holm" }]));
        assert_eq!(
            ext(&j, OWNING_ORGANIZATION)[0]["valueReference"],
            json!({ "reference": format!("Organization/{org}"), "display": "Regionshospitalet Horsens" })
        );

        let actions = j["action"].as_array().unwrap();
        assert_eq!(actions.len(), 4);
        let weight = &actions[0];
        assert_eq!(
            weight["extension"],
            json!([{ "url": ACTIVITY_KEY, "valueString": "measurement:weight" }])
        );
        assert_eq!(weight["title"], "Vægt");
        assert_eq!(weight["description"], "Hver dag kl. 06:00–10:00");
        let codes: Vec<&str> = weight["code"][0]["coding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["NPU03804", "29463-7", "188736", "weight"]);
        assert_eq!(
            weight["timingTiming"],
            json!({ "repeat": {
                "extension": [{ "url": TIME_WINDOW, "extension": [
                    { "url": "start", "valueString": "06:00" },
                    { "url": "end", "valueString": "10:00" }
                ] }],
                "frequency": 1, "period": 1, "periodUnit": "d"
            } })
        );
        assert_eq!(weight["participant"], json!([{ "type": "patient" }]));
        assert!(weight.get("definitionCanonical").is_none());
        let bp_codes = &actions[1]["code"][0]["coding"];
        assert_eq!(bp_codes[0]["code"], "85354-9");
        // The oximeter's pulse code is not the programme's.
        assert!(!actions[2].to_string().contains("149530"));

        let symptoms = &actions[3];
        assert_eq!(
            symptoms["extension"][0]["valueString"],
            "questionnaire:hf_symptoms"
        );
        assert_eq!(symptoms["title"], "Dine symptomer ved hjertesvigt");
        assert_eq!(
            symptoms["definitionCanonical"],
            "https://telesund.dk/fhir/Questionnaire/hf_symptoms"
        );
        assert_eq!(
            symptoms["timingTiming"]["repeat"]["dayOfWeek"],
            json!(["mon"])
        );
        assert_eq!(symptoms["description"], "Mandag kl. 06:00–20:00");

        // Thresholds: one per quantity, in canonical units.
        let thresholds = ext(&j, THRESHOLD);
        assert_eq!(thresholds.len(), 3);
        let systolic = thresholds
            .iter()
            .find(|t| {
                part(t, "quantity")["valueCodeableConcept"]["coding"][0]["code"] == "systolic"
            })
            .unwrap();
        assert_eq!(
            part(systolic, "alertHigh")["valueQuantity"],
            json!({ "value": 180.0, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" })
        );
        assert_eq!(part(systolic, "warningLow")["valueQuantity"]["value"], 95.0);
        let coding = &part(systolic, "quantity")["valueCodeableConcept"]["coding"];
        assert_eq!(coding[0]["system"], QUANTITY);
        assert!(coding.to_string().contains("8480-6"));

        // Change rules: 2 kg in 3 days is red, 1 kg in a day yellow.
        let rules = ext(&j, CHANGE_RULE);
        assert_eq!(rules.len(), 2);
        assert_eq!(part(rules[0], "direction")["valueCode"], "rise");
        assert_eq!(
            part(rules[0], "moreThan")["valueQuantity"],
            json!({ "value": 2.0, "unit": "kg", "system": UCUM, "code": "kg" })
        );
        assert_eq!(
            part(rules[0], "withinDays")["valueDuration"],
            json!({ "value": 3, "unit": "dage", "system": UCUM, "code": "d" })
        );
        assert_eq!(part(rules[0], "colour")["valueCoding"]["code"], "red");
        assert_eq!(part(rules[1], "colour")["valueCoding"]["code"], "yellow");

        // Kit.
        let kit = ext(&j, KIT_ITEM);
        let devices: Vec<&str> = kit
            .iter()
            .map(|k| part(k, "device")["valueCoding"]["code"].as_str().unwrap())
            .collect();
        assert_eq!(devices, ["scale", "blood_pressure_monitor", "tablet"]);
        assert_eq!(part(kit[0], "count")["valuePositiveInt"], 1);

        validate_r4(&j);
    }

    #[test]
    fn weekly_and_monthly_schedules_and_the_version_states() {
        let d = type2_diabetes();
        let draft = version(d.clone(), VersionStatus::Draft);
        let j = serde_json::to_value(from_domain(&draft, "Type 2-diabetes", OrgId::new(), None))
            .unwrap();
        assert_no_empty(&j, "PlanDefinition");
        assert_eq!(j["status"], "draft");
        assert_eq!(j["date"], "2026-09-01T08:00:00Z");
        assert!(j.get("effectivePeriod").is_none());
        assert!(j.get("publisher").is_none());
        let a = j["action"].as_array().unwrap();
        let glucose: Vec<&str> = a[0]["code"][0]["coding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        assert!(glucose.contains(&"14743-9") && !glucose.contains(&"41653-7"));
        assert_eq!(
            a[1]["timingTiming"],
            json!({ "repeat": { "frequency": 1, "period": 1, "periodUnit": "wk" } })
        );
        assert_eq!(a[1]["description"], "1 gang om ugen");
        assert_eq!(
            a[2]["timingTiming"],
            json!({ "repeat": {
                "extension": [{ "url": MONTH_WINDOW, "extension": [
                    { "url": "day", "valuePositiveInt": 1 },
                    { "url": "withinDays", "valuePositiveInt": 7 }
                ] }],
                "frequency": 1, "period": 1, "periodUnit": "mo"
            } })
        );
        assert_eq!(a[2]["title"], "WHO-5 Trivselsindeks");
        validate_r4(&j);

        let retired = version(d, VersionStatus::Retired);
        let j = serde_json::to_value(from_domain(&retired, "Type 2-diabetes", OrgId::new(), None))
            .unwrap();
        assert_eq!(j["status"], "retired");
        assert_eq!(j["date"], "2026-12-01T08:00:00Z");
        assert_eq!(
            j["effectivePeriod"],
            json!({ "start": "2026-09-15T08:00:00Z", "end": "2026-12-01T08:00:00Z" })
        );
        validate_r4(&j);
    }

    #[test]
    fn two_windows_a_day_on_some_days() {
        let s: Schedule = serde_json::from_value(json!({"every": "days",
            "weekdays": ["thu", "mon", "thu"],
            "windows": [{"start": "17:00", "end": "24:00"}, {"start": "07:00", "end": "11:00"}]}))
        .unwrap();
        let j = serde_json::to_value(timing(&s)).unwrap();
        assert_eq!(j["repeat"]["frequency"], 2);
        assert_eq!(j["repeat"]["dayOfWeek"], json!(["mon", "thu"]));
        let w = j["repeat"]["extension"].as_array().unwrap();
        assert_eq!(w[0]["extension"][0]["valueString"], "07:00");
        assert_eq!(w[1]["extension"][1]["valueString"], "24:00");
    }
}
