//! Task: work for a care team — a result to assess, a result that did not come (a missing
//! window), or a measurement no plan asked for.
//!
//! - `status` as stored (requested, in-progress, completed, cancelled), `intent` order,
//!   `priority` routine or urgent (red).
//! - `code` is the kind of work in [`TASK_CATEGORY`] (assessment, missing, unexpected);
//!   `businessStatus` is the triage colour (the worst the task holds) in
//!   [`crate::clinical_impression::TRIAGE_COLOUR_SYSTEM`], so a worklist can sort on it.
//! - `for` the citizen, `basedOn` the care plan, `owner` the team member who took it
//!   (`Practitioner/<user id>` with their name) or else the plan's team (`CareTeam/<id>`).
//! - `authoredOn` when the task was raised, `lastModified` its last change, and
//!   `executionPeriod.end` when it was completed or cancelled (with who did it as a `note`).
//! - Facts with no element of their own are `input`s, typed in [`TASK_INPUT`]:
//!   `oldest-result` (valueDateTime: the age the worklist sorts by), and for a missing
//!   result `activity` (valueString: the plan activity, e.g. `measurement:weight`, as in the
//!   activity-key extension of the PlanDefinition action and CarePlan activity) and `missing-window`
//!   (valuePeriod: the window that closed without a result). The window is not
//!   `executionPeriod`, which in R4 is when the *team* worked on the task, nor
//!   `restriction.period`, which is when the team's work is wanted.

use crate::clinical_impression::colour_coding;
use crate::datatypes::{CodeableConcept, Coding, Meta, Period, Reference, ValueX, instant};
use crate::observation::Annotation;
use serde::Serialize;
use telesund_core::monitoring::assess::TaskCategory;
use telesund_core::monitoring::work::{Task as DomainTask, TaskStatus};

/// The kinds of work triage gives a care team.
pub const TASK_CATEGORY: &str = "https://telesund.dk/fhir/CodeSystem/task-category";
/// The types of `Task.input`: `activity`, `missing-window`, `oldest-result`.
pub const TASK_INPUT: &str = "https://telesund.dk/fhir/CodeSystem/task-input";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub based_on: Vec<Reference>,
    pub status: &'static str,
    pub business_status: CodeableConcept,
    pub intent: &'static str,
    pub priority: &'static str,
    pub code: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "for")]
    pub for_: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_period: Option<Period>,
    pub authored_on: String,
    pub last_modified: String,
    pub owner: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
    pub input: Vec<TaskInput>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TaskInput {
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    #[serde(flatten)]
    pub value: ValueX,
}

fn input(code: &str, display: &str, value: ValueX) -> TaskInput {
    TaskInput {
        type_: CodeableConcept::coded(TASK_INPUT, code, display),
        value,
    }
}

/// The Danish name of a kind of work.
pub fn category_display(c: TaskCategory) -> &'static str {
    match c {
        TaskCategory::Assessment => "Resultat til vurdering",
        TaskCategory::Missing => "Manglende resultat",
        TaskCategory::Unexpected => "Uventet måling",
        TaskCategory::ServiceDesk => "Henvendelse fra servicedesken",
    }
}

/// A task as an R4 Task. References are relative, so no base URL is needed.
pub fn from_domain(t: &DomainTask) -> Task {
    let owner = match &t.owner {
        Some((user, name)) => Reference::to("Practitioner", user, Some(name)),
        None => Reference::to("CareTeam", t.care_team_id, None),
    };
    // The domain stores "routine" or "urgent"; anything else is read from the colour, so
    // the element always holds a RequestPriority code.
    let priority = match t.priority.as_str() {
        "routine" => "routine",
        "urgent" => "urgent",
        "asap" => "asap",
        "stat" => "stat",
        _ => t.colour.task_priority(),
    };
    let mut inputs = vec![input(
        "oldest-result",
        "Ældste resultat",
        ValueX::DateTime(instant(t.oldest_result_at)),
    )];
    if let Some(activity) = t.activity.as_ref().filter(|a| !a.is_empty()) {
        inputs.push(input(
            "activity",
            "Aktivitet i planen",
            ValueX::String(activity.clone()),
        ));
    }
    if let Some((start, end)) = t.window {
        inputs.push(input(
            "missing-window",
            "Tidsvindue uden resultat",
            ValueX::Period(Period::from(start, Some(end))),
        ));
    }
    let closed = matches!(t.status, TaskStatus::Completed | TaskStatus::Cancelled);
    let completed_at = t.completed_at.filter(|_| closed);
    let mut note = match (completed_at, t.completed_by_name.as_deref()) {
        (Some(at), Some(name)) if !name.trim().is_empty() => vec![Annotation {
            author_string: Some(name.to_string()),
            time: Some(instant(at)),
            text: match t.status {
                TaskStatus::Cancelled => "Annulleret",
                _ => "Afsluttet",
            }
            .into(),
        }],
        _ => Vec::new(),
    };
    // What the service desk found about the equipment behind the task (Task.note).
    if let Some(text) = t.support_note.as_ref().filter(|n| !n.trim().is_empty()) {
        note.push(Annotation {
            author_string: Some("Servicecentret".into()),
            time: None,
            text: text.clone(),
        });
    }
    // inv-1: lastModified is never before authoredOn.
    let last_modified = t.updated_at.max(t.created_at);
    Task {
        resource_type: "Task",
        id: t.id.to_string(),
        meta: Meta::updated(last_modified),
        based_on: vec![Reference::to("CarePlan", t.care_plan_id, None)],
        status: match t.status {
            TaskStatus::Requested => "requested",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        },
        business_status: CodeableConcept {
            coding: vec![colour_coding(t.colour)],
            text: None,
        },
        intent: "order",
        priority,
        code: CodeableConcept {
            coding: vec![Coding::new(
                TASK_CATEGORY,
                t.category.as_str(),
                category_display(t.category),
            )],
            text: None,
        },
        description: (!t.description.trim().is_empty()).then(|| t.description.clone()),
        for_: Reference::to("Patient", t.citizen_id, None),
        execution_period: completed_at.map(|at| Period {
            start: None,
            end: Some(instant(at)),
        }),
        authored_on: instant(t.created_at),
        last_modified: instant(last_modified),
        owner,
        note,
        input: inputs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical_impression::TRIAGE_COLOUR_SYSTEM;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use serde_json::json;
    use telesund_core::Timestamp;
    use telesund_core::ids::*;
    use telesund_core::monitoring::Colour;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn red_assessment_task() -> DomainTask {
        DomainTask {
            id: TaskId::new(),
            citizen_id: CitizenId::new(),
            care_plan_id: CarePlanId::new(),
            care_team_id: CareTeamId::new(),
            category: TaskCategory::Assessment,
            colour: Colour::Red,
            priority: "urgent".into(),
            status: TaskStatus::Requested,
            owner: None,
            activity: None,
            window: None,
            description: "Vægt: vægt steget 2,6 kg på 3 dage".into(),
            oldest_result_at: t("2026-11-22T06:30:00Z"),
            created_at: t("2026-11-22T06:30:01Z"),
            updated_at: t("2026-11-22T07:10:00Z"),
            completed_at: None,
            completed_by_name: None,
            support_note: None,
        }
    }

    #[test]
    fn an_open_red_task_for_the_team() {
        let d = red_assessment_task();
        let j = serde_json::to_value(from_domain(&d)).unwrap();
        assert_no_empty(&j, "Task");
        assert_eq!(
            j,
            json!({
                "resourceType": "Task",
                "id": d.id.to_string(),
                "meta": { "lastUpdated": "2026-11-22T07:10:00Z" },
                "basedOn": [{ "reference": format!("CarePlan/{}", d.care_plan_id) }],
                "status": "requested",
                "businessStatus": { "coding": [{
                    "system": TRIAGE_COLOUR_SYSTEM, "code": "red", "display": "rød" }] },
                "intent": "order",
                "priority": "urgent",
                "code": { "coding": [{
                    "system": TASK_CATEGORY, "code": "assessment", "display": "Resultat til vurdering" }] },
                "description": "Vægt: vægt steget 2,6 kg på 3 dage",
                "for": { "reference": format!("Patient/{}", d.citizen_id) },
                "authoredOn": "2026-11-22T06:30:01Z",
                "lastModified": "2026-11-22T07:10:00Z",
                "owner": { "reference": format!("CareTeam/{}", d.care_team_id) },
                "input": [{
                    "type": { "coding": [{ "system": TASK_INPUT, "code": "oldest-result", "display": "Ældste resultat" }] },
                    "valueDateTime": "2026-11-22T06:30:00Z"
                }]
            })
        );
        validate_r4(&j);
    }

    #[test]
    fn a_missing_weight_taken_and_completed() {
        let mut d = red_assessment_task();
        let user = UserId::new();
        d.category = TaskCategory::Missing;
        d.colour = Colour::Blue;
        d.priority = "routine".into();
        d.status = TaskStatus::InProgress;
        d.owner = Some((user, "Sygeplejerske Lise Holm".into()));
        d.activity = Some("measurement:weight".into());
        d.window = Some((t("2026-11-22T05:00:00Z"), t("2026-11-22T09:00:00Z")));
        d.description = "Vægt mangler (22-11-2026 06:00–10:00)".into();
        let j = serde_json::to_value(from_domain(&d)).unwrap();
        assert_no_empty(&j, "Task");
        assert_eq!(j["status"], "in-progress");
        assert_eq!(j["code"]["coding"][0]["code"], "missing");
        assert_eq!(j["businessStatus"]["coding"][0]["code"], "blue");
        assert_eq!(j["priority"], "routine");
        assert_eq!(
            j["owner"],
            json!({ "reference": format!("Practitioner/{user}"), "display": "Sygeplejerske Lise Holm" })
        );
        assert_eq!(j["input"][1]["valueString"], "measurement:weight");
        assert_eq!(j["input"][1]["type"]["coding"][0]["code"], "activity");
        assert_eq!(
            j["input"][2]["valuePeriod"],
            json!({ "start": "2026-11-22T05:00:00Z", "end": "2026-11-22T09:00:00Z" })
        );
        assert!(j.get("executionPeriod").is_none() && j.get("note").is_none());
        validate_r4(&j);

        d.status = TaskStatus::Completed;
        d.completed_at = Some(t("2026-11-22T10:02:00Z"));
        d.completed_by_name = Some("Sygeplejerske Lise Holm".into());
        d.updated_at = t("2026-11-22T10:02:00Z");
        let j = serde_json::to_value(from_domain(&d)).unwrap();
        assert_no_empty(&j, "Task");
        assert_eq!(j["status"], "completed");
        assert_eq!(
            j["executionPeriod"],
            json!({ "end": "2026-11-22T10:02:00Z" })
        );
        assert_eq!(
            j["note"],
            json!([{ "authorString": "Sygeplejerske Lise Holm", "time": "2026-11-22T10:02:00Z", "text": "Afsluttet" }])
        );
        validate_r4(&j);
    }

    #[test]
    fn priority_is_always_a_request_priority_and_last_modified_never_precedes_authored() {
        let mut d = red_assessment_task();
        d.category = TaskCategory::Unexpected;
        d.colour = Colour::Yellow;
        d.priority = String::new();
        d.updated_at = t("2026-11-22T06:00:00Z");
        d.status = TaskStatus::Cancelled;
        let j = serde_json::to_value(from_domain(&d)).unwrap();
        assert_eq!(j["priority"], "routine");
        assert_eq!(j["code"]["coding"][0]["display"], "Uventet måling");
        assert_eq!(j["lastModified"], j["authoredOn"]);
        // Cancelled without a time: no execution period, no note.
        assert!(j.get("executionPeriod").is_none() && j.get("note").is_none());
        validate_r4(&j);
    }
}
