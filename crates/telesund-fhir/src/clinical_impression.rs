//! ClinicalImpression: Telesund's triage of one result (a measurement or a questionnaire
//! response) for one care plan, and the clinician's acknowledgement of it.
//!
//! - `status` completed (the triage is done when it is stored), `subject` the citizen,
//!   `date` when it was assessed, `effectiveDateTime` when the result was taken.
//! - `investigation[0].item` is the result: `Observation/<id>` or
//!   `QuestionnaireResponse/<id>`.
//! - `finding[]`: one per rule that fired; `itemCodeableConcept` carries the rule's stable key
//!   (`threshold:weight:warning_high`, `change:weight:0`, `questionnaire:breathless`) in
//!   [`TRIAGE_RULE`] and the Danish sentence as `text`; the finding's own colour is a
//!   [`TRIAGE_COLOUR`] extension on it. `summary` is every reason in one line, worst first.
//! - `supportingInfo` is the care plan whose thresholds and rules judged the result.
//! - The acknowledgement is a `note` (author, time, and the message to the citizen or
//!   "Set"); whether it led to action is the [`ACTION_TAKEN`] extension.
//!
//! **The colour** is a [`TRIAGE_COLOUR`] extension (valueCoding in [`TRIAGE_COLOUR_SYSTEM`])
//! on the resource, not `prognosisCodeableConcept`: a prognosis is an estimate of the
//! citizen's likely outcome, while the colour says how urgently a clinician should look at
//! one result against one plan's thresholds. Putting it in `prognosis` would invite reading
//! "red" as "poor outcome"; an extension says exactly what it is, and readers that do not know
//! it lose nothing else, since the findings and summary carry the reasons.

use crate::datatypes::{
    CodeableConcept, Coding, Meta, Reference, ValueX, WrittenExtension, instant,
};
use crate::observation::Annotation;
use serde::Serialize;
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::work::{ResultRef, StoredAssessment};

/// The triage colours (green, blue, yellow, red), with their Danish names as display.
pub const TRIAGE_COLOUR_SYSTEM: &str = "https://telesund.dk/fhir/CodeSystem/triage-colour";
/// valueCoding in [`TRIAGE_COLOUR_SYSTEM`]: the colour of an assessment or of one finding.
pub const TRIAGE_COLOUR: &str = "https://telesund.dk/fhir/StructureDefinition/triage-colour";
/// The rules that give a colour, by their stable key (`RuleRef::key`).
pub const TRIAGE_RULE: &str = "https://telesund.dk/fhir/CodeSystem/triage-rule";
/// valueBoolean: whether the clinician's acknowledgement led to action (alarm burden counts
/// those that did not).
pub const ACTION_TAKEN: &str =
    "https://telesund.dk/fhir/StructureDefinition/acknowledgement-action-taken";

/// A triage colour as a Coding.
pub fn colour_coding(c: Colour) -> Coding {
    Coding::new(TRIAGE_COLOUR_SYSTEM, c.as_str(), c.danish())
}

/// The [`TRIAGE_COLOUR`] extension.
pub fn colour_extension(c: Colour) -> WrittenExtension {
    WrittenExtension::value(TRIAGE_COLOUR, ValueX::Coding(colour_coding(c)))
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClinicalImpression {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub extension: Vec<WrittenExtension>,
    pub status: &'static str,
    pub subject: Reference,
    pub effective_date_time: String,
    pub date: String,
    pub investigation: Vec<Investigation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub finding: Vec<Finding>,
    pub supporting_info: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Investigation {
    pub code: CodeableConcept,
    pub item: Vec<Reference>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub extension: Vec<WrittenExtension>,
    pub item_codeable_concept: CodeableConcept,
}

/// A stored assessment as a ClinicalImpression.
pub fn from_domain(a: &StoredAssessment) -> ClinicalImpression {
    let (investigation, item) = match a.result {
        ResultRef::Observation(id) => ("Hjemmemåling", Reference::to("Observation", id, None)),
        ResultRef::Response(id) => (
            "Spørgeskemabesvarelse",
            Reference::to("QuestionnaireResponse", id, None),
        ),
    };
    let mut extension = vec![colour_extension(a.assessment.colour)];
    let mut note = Vec::new();
    if let Some(ack) = &a.acknowledgement {
        extension.push(WrittenExtension::value(
            ACTION_TAKEN,
            ValueX::Boolean(ack.action_taken),
        ));
        note.push(Annotation {
            author_string: (!ack.by_name.trim().is_empty()).then(|| ack.by_name.clone()),
            time: Some(instant(ack.at)),
            text: ack
                .note
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "Set".into()),
        });
    }
    let summary = a.assessment.summary();
    let last_change = a
        .acknowledgement
        .as_ref()
        .map_or(a.assessed_at, |ack| ack.at.max(a.assessed_at));
    ClinicalImpression {
        resource_type: "ClinicalImpression",
        id: a.id.to_string(),
        meta: Meta::updated(last_change),
        extension,
        status: "completed",
        subject: Reference::to("Patient", a.citizen_id, None),
        effective_date_time: instant(a.result_at),
        date: instant(a.assessed_at),
        investigation: vec![Investigation {
            code: CodeableConcept::text(investigation),
            item: vec![item],
        }],
        summary: (!summary.is_empty()).then_some(summary),
        finding: a
            .assessment
            .findings
            .iter()
            .map(|f| Finding {
                extension: vec![colour_extension(f.colour)],
                item_codeable_concept: CodeableConcept {
                    coding: vec![Coding::new(TRIAGE_RULE, &f.rule.key(), "")],
                    text: (!f.text.is_empty()).then(|| f.text.clone()),
                },
            })
            .collect(),
        supporting_info: vec![Reference::to("CarePlan", a.care_plan_id, None)],
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use serde_json::json;
    use telesund_core::Timestamp;
    use telesund_core::ids::*;
    use telesund_core::monitoring::Quantity;
    use telesund_core::monitoring::assess::{Assessment, Finding as DomainFinding, RuleRef};
    use telesund_core::monitoring::thresholds::Bound;
    use telesund_core::monitoring::work::Acknowledgement;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn red_weight() -> StoredAssessment {
        StoredAssessment {
            id: AssessmentId::new(),
            citizen_id: CitizenId::new(),
            care_plan_id: CarePlanId::new(),
            result: ResultRef::Observation(ObservationId::new()),
            assessment: Assessment::from_findings(vec![
                DomainFinding {
                    colour: Colour::Yellow,
                    rule: RuleRef::Threshold {
                        quantity: Quantity::Weight,
                        bound: Bound::WarningHigh,
                    },
                    text: "vægt 92,4 kg over advarselsgrænsen (90)".into(),
                },
                DomainFinding {
                    colour: Colour::Red,
                    rule: RuleRef::Change {
                        quantity: Quantity::Weight,
                        index: 0,
                    },
                    text: "vægt steget 2,6 kg på 3 dage".into(),
                },
            ]),
            result_at: t("2026-11-22T06:30:00Z"),
            assessed_at: t("2026-11-22T06:30:01Z"),
            acknowledgement: None,
        }
    }

    #[test]
    fn a_red_weight_gain() {
        let a = red_weight();
        let j = serde_json::to_value(from_domain(&a)).unwrap();
        assert_no_empty(&j, "ClinicalImpression");
        assert_eq!(j["resourceType"], "ClinicalImpression");
        assert_eq!(j["status"], "completed");
        assert_eq!(
            j["subject"]["reference"],
            format!("Patient/{}", a.citizen_id)
        );
        assert_eq!(j["date"], "2026-11-22T06:30:01Z");
        assert_eq!(j["effectiveDateTime"], "2026-11-22T06:30:00Z");
        assert_eq!(j["meta"]["lastUpdated"], "2026-11-22T06:30:01Z");
        let ResultRef::Observation(obs) = a.result else {
            unreachable!()
        };
        assert_eq!(
            j["investigation"],
            json!([{ "code": { "text": "Hjemmemåling" },
                     "item": [{ "reference": format!("Observation/{obs}") }] }])
        );
        assert_eq!(
            j["extension"],
            json!([{ "url": TRIAGE_COLOUR, "valueCoding": {
                "system": TRIAGE_COLOUR_SYSTEM, "code": "red", "display": "rød" } }])
        );
        assert_eq!(
            j["summary"],
            "vægt steget 2,6 kg på 3 dage; vægt 92,4 kg over advarselsgrænsen (90)"
        );
        assert_eq!(
            j["finding"][0],
            json!({
                "extension": [{ "url": TRIAGE_COLOUR, "valueCoding": {
                    "system": TRIAGE_COLOUR_SYSTEM, "code": "yellow", "display": "gul" } }],
                "itemCodeableConcept": {
                    "coding": [{ "system": TRIAGE_RULE, "code": "threshold:weight:warning_high" }],
                    "text": "vægt 92,4 kg over advarselsgrænsen (90)"
                }
            })
        );
        assert_eq!(
            j["finding"][1]["itemCodeableConcept"]["coding"][0]["code"],
            "change:weight:0"
        );
        assert_eq!(
            j["supportingInfo"],
            json!([{ "reference": format!("CarePlan/{}", a.care_plan_id) }])
        );
        assert!(j.get("note").is_none());
        validate_r4(&j);
    }

    #[test]
    fn an_acknowledged_questionnaire_and_a_green_result() {
        let mut a = red_weight();
        let response = ResponseId::new();
        a.result = ResultRef::Response(response);
        a.assessment = Assessment::from_findings(vec![DomainFinding {
            colour: Colour::Red,
            rule: RuleRef::Questionnaire {
                link_id: Some("breathless".into()),
            },
            text: "Åndenød: Meget mere end normalt".into(),
        }]);
        a.acknowledgement = Some(Acknowledgement {
            at: t("2026-11-22T08:15:00Z"),
            by_name: "Sygeplejerske Lise Holm".into(),
            note: Some("Jeg ringer til dig i formiddag.".into()),
            action_taken: true,
        });
        let j = serde_json::to_value(from_domain(&a)).unwrap();
        assert_no_empty(&j, "ClinicalImpression");
        assert_eq!(
            j["investigation"][0]["item"][0]["reference"],
            format!("QuestionnaireResponse/{response}")
        );
        assert_eq!(
            j["finding"][0]["itemCodeableConcept"]["coding"][0]["code"],
            "questionnaire:breathless"
        );
        assert_eq!(
            j["note"],
            json!([{ "authorString": "Sygeplejerske Lise Holm", "time": "2026-11-22T08:15:00Z",
                     "text": "Jeg ringer til dig i formiddag." }])
        );
        assert_eq!(
            j["extension"][1],
            json!({ "url": ACTION_TAKEN, "valueBoolean": true })
        );
        assert_eq!(j["meta"]["lastUpdated"], "2026-11-22T08:15:00Z");
        validate_r4(&j);

        // Seen without a message, nothing done; and a green result has no findings.
        a.assessment = Assessment::from_findings(vec![]);
        a.acknowledgement.as_mut().unwrap().note = None;
        a.acknowledgement.as_mut().unwrap().action_taken = false;
        let j = serde_json::to_value(from_domain(&a)).unwrap();
        assert_no_empty(&j, "ClinicalImpression");
        assert_eq!(j["extension"][0]["valueCoding"]["code"], "green");
        assert!(j.get("finding").is_none() && j.get("summary").is_none());
        assert_eq!(j["note"][0]["text"], "Set");
        assert_eq!(j["extension"][1]["valueBoolean"], false);
        validate_r4(&j);
    }
}
