//! CarePlan: a citizen's plan in one programme — the programme version applied to them, with
//! their own copy of the activities, thresholds and rules, routed to one care team.
//!
//! - `status`: active → active, paused → on-hold, ended → completed; `intent` plan;
//!   `period` from the start to the end; a pause is also a `note` with its time.
//! - `instantiatesCanonical` is the PlanDefinition of the programme version the plan was
//!   made from ([`crate::plan_definition::canonical`]); `basedOn` cannot hold it, since R4
//!   allows only CarePlans there.
//! - `careTeam` the plan's team, `title` the programme's name.
//! - One `activity` per plan activity, its key in the
//!   [`crate::plan_definition::ACTIVITY_KEY`] extension (as on the PlanDefinition's action;
//!   a missing-result Task's `activity` input names it). `detail.code` is the measurement
//!   type with every coding Telesund writes (as on Observation.code) or the questionnaire's
//!   title, a questionnaire activity's `detail.instantiatesCanonical` the Questionnaire's
//!   canonical url (without a version: the plan names the questionnaire by key),
//!   `scheduledTiming` the schedule and `description` the schedule in Danish.
//!   `detail.status` follows the plan (in-progress, on-hold, completed).
//! - The plan's thresholds, change rules and kit are the same extensions as on
//!   PlanDefinition ([`crate::plan_definition::THRESHOLD`], `CHANGE_RULE`, `KIT_ITEM`), here
//!   with the plan's own values, which a clinician may have overridden.

use crate::datatypes::{CodeableConcept, Period, Reference, Timing, WrittenExtension, instant};
use crate::observation::Annotation;
use crate::plan_definition::{
    self, activity_key, definition_extensions, measurement_code, questionnaire_title, timing,
};
use serde::Serialize;
use telesund_core::monitoring::programme::{Activity, CarePlan as DomainPlan, PlanStatus};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarePlan {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    pub instantiates_canonical: Vec<String>,
    pub status: &'static str,
    pub intent: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub subject: Reference,
    pub period: Period,
    pub care_team: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<PlanActivity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanActivity {
    /// The [`crate::plan_definition::ACTIVITY_KEY`].
    pub extension: Vec<WrittenExtension>,
    pub detail: ActivityDetail,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDetail {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instantiates_canonical: Vec<String>,
    pub code: CodeableConcept,
    pub status: &'static str,
    pub scheduled_timing: Timing,
    pub description: String,
}

fn activity(a: &Activity, status: &'static str) -> PlanActivity {
    let (code, instantiates_canonical) = match a {
        Activity::Measurement { kind, .. } => (measurement_code(*kind), Vec::new()),
        Activity::Questionnaire { questionnaire, .. } => (
            CodeableConcept::text(&questionnaire_title(questionnaire)),
            vec![crate::questionnaire::canonical(questionnaire)],
        ),
    };
    PlanActivity {
        extension: vec![activity_key(a)],
        detail: ActivityDetail {
            instantiates_canonical,
            code,
            status,
            scheduled_timing: timing(a.schedule()),
            description: a.schedule().describe_danish(),
        },
    }
}

/// A care plan as an R4 CarePlan.
pub fn from_domain(p: &DomainPlan) -> CarePlan {
    let (status, activity_status) = match p.status {
        PlanStatus::Active => ("active", "in-progress"),
        PlanStatus::Paused => ("on-hold", "on-hold"),
        PlanStatus::Ended => ("completed", "completed"),
    };
    let note = match (p.status, p.paused_at) {
        (PlanStatus::Paused, Some(at)) => vec![Annotation {
            author_string: None,
            time: Some(instant(at)),
            text: "Planen er sat på pause".into(),
        }],
        _ => Vec::new(),
    };
    CarePlan {
        resource_type: "CarePlan",
        id: p.id.to_string(),
        extension: definition_extensions(&p.definition),
        instantiates_canonical: vec![plan_definition::canonical(p.programme_version_id)],
        status,
        intent: "plan",
        title: (!p.programme_name.trim().is_empty()).then(|| p.programme_name.clone()),
        subject: Reference::to("Patient", p.citizen_id, None),
        period: Period::from(p.started_at, p.ended_at.filter(|e| *e >= p.started_at)),
        care_team: vec![Reference::to("CareTeam", p.care_team_id, None)],
        activity: p
            .definition
            .activities
            .iter()
            .map(|a| activity(a, activity_status))
            .collect(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use crate::plan_definition::tests::{heart_failure, type2_diabetes};
    use crate::plan_definition::{CHANGE_RULE, KIT_ITEM, THRESHOLD};
    use serde_json::{Value, json};
    use telesund_core::Timestamp;
    use telesund_core::ids::*;
    use telesund_core::monitoring::Quantity;
    use telesund_core::monitoring::thresholds::Bounds;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn plan(definition: telesund_core::monitoring::programme::PlanDefinition) -> DomainPlan {
        DomainPlan {
            id: CarePlanId::new(),
            citizen_id: CitizenId::new(),
            enrolment_id: EnrolmentId::new(),
            programme_id: ProgrammeId::new(),
            programme_name: "Hjertesvigt".into(),
            programme_version_id: ProgrammeVersionId::new(),
            care_team_id: CareTeamId::new(),
            status: PlanStatus::Active,
            definition,
            started_at: t("2026-10-01T09:12:00Z"),
            paused_at: None,
            ended_at: None,
        }
    }

    fn urls(j: &Value, url: &str) -> usize {
        j["extension"]
            .as_array()
            .map_or(0, |a| a.iter().filter(|e| e["url"] == url).count())
    }

    #[test]
    fn an_active_heart_failure_plan_with_an_overridden_threshold() {
        let mut p = plan(heart_failure());
        p.definition
            .override_thresholds(
                Quantity::Systolic,
                Bounds::new(Some(80.0), Some(90.0), Some(150.0), Some(170.0)),
                "Lavt blodtryk er vanligt for borgeren",
            )
            .unwrap();
        let j = serde_json::to_value(from_domain(&p)).unwrap();
        assert_no_empty(&j, "CarePlan");
        assert_eq!(j["resourceType"], "CarePlan");
        assert_eq!(j["status"], "active");
        assert_eq!(j["intent"], "plan");
        assert_eq!(j["title"], "Hjertesvigt");
        assert_eq!(
            j["instantiatesCanonical"],
            json!([format!(
                "https://telesund.dk/fhir/PlanDefinition/{}",
                p.programme_version_id
            )])
        );
        assert_eq!(
            j["subject"]["reference"],
            format!("Patient/{}", p.citizen_id)
        );
        assert_eq!(j["period"], json!({ "start": "2026-10-01T09:12:00Z" }));
        assert_eq!(
            j["careTeam"],
            json!([{ "reference": format!("CareTeam/{}", p.care_team_id) }])
        );
        assert_eq!(urls(&j, THRESHOLD), 3);
        assert_eq!(urls(&j, CHANGE_RULE), 2);
        assert_eq!(urls(&j, KIT_ITEM), 3);
        // The plan's own bounds, not the programme's.
        assert!(j["extension"].to_string().contains(r#""value":170.0"#));
        assert!(!j["extension"].to_string().contains(r#""value":180.0"#));

        let a = j["activity"].as_array().unwrap();
        assert_eq!(a.len(), 4);
        assert_eq!(a[0]["extension"][0]["valueString"], "measurement:weight");
        assert_eq!(a[0]["detail"]["status"], "in-progress");
        assert_eq!(a[0]["detail"]["code"]["text"], "Vægt");
        assert_eq!(a[0]["detail"]["code"]["coding"][1]["code"], "29463-7");
        assert_eq!(a[0]["detail"]["description"], "Hver dag kl. 06:00–10:00");
        assert_eq!(
            a[0]["detail"]["scheduledTiming"]["repeat"]["periodUnit"],
            "d"
        );
        assert!(a[0]["detail"].get("instantiatesCanonical").is_none());
        assert_eq!(
            a[3]["extension"][0]["valueString"],
            "questionnaire:hf_symptoms"
        );
        assert_eq!(
            a[3]["detail"]["instantiatesCanonical"],
            json!(["https://telesund.dk/fhir/Questionnaire/hf_symptoms"])
        );
        assert_eq!(
            a[3]["detail"]["code"],
            json!({ "text": "Dine symptomer ved hjertesvigt" })
        );
        assert!(j.get("note").is_none());
        validate_r4(&j);
    }

    #[test]
    fn paused_and_ended_plans() {
        let mut p = plan(type2_diabetes());
        p.programme_name = "Type 2-diabetes".into();
        p.status = PlanStatus::Paused;
        p.paused_at = Some(t("2026-11-02T13:00:00Z"));
        let j = serde_json::to_value(from_domain(&p)).unwrap();
        assert_no_empty(&j, "CarePlan");
        assert_eq!(j["status"], "on-hold");
        assert_eq!(j["activity"][0]["detail"]["status"], "on-hold");
        assert_eq!(
            j["note"],
            json!([{ "time": "2026-11-02T13:00:00Z", "text": "Planen er sat på pause" }])
        );
        assert_eq!(
            j["activity"][2]["detail"]["description"],
            "Hver måned, inden for 7 dage fra den 1."
        );
        validate_r4(&j);

        p.status = PlanStatus::Ended;
        p.ended_at = Some(t("2026-12-24T10:00:00Z"));
        let j = serde_json::to_value(from_domain(&p)).unwrap();
        assert_no_empty(&j, "CarePlan");
        assert_eq!(j["status"], "completed");
        assert_eq!(j["activity"][1]["detail"]["status"], "completed");
        assert_eq!(
            j["period"],
            json!({ "start": "2026-10-01T09:12:00Z", "end": "2026-12-24T10:00:00Z" })
        );
        assert!(j.get("note").is_none());
        validate_r4(&j);
    }
}
