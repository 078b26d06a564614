//! The care team's work as it is read back: tasks, stored assessments (what FHIR calls a
//! ClinicalImpression), questionnaire responses, and the worklist with its ordering rule.

use super::assess::{Assessment, TaskCategory};
use super::observation::Source;
use super::questionnaire::Answer;
use super::triage::Colour;
use crate::identity::string_enum;
use crate::ids::*;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

string_enum!(
    /// `Task.status` as FHIR names it: open work is requested (nobody has it yet) or
    /// in progress (a team member owns it).
    TaskStatus {
        Requested = "requested",
        InProgress = "in-progress",
        Completed = "completed",
        Cancelled = "cancelled",
    }
);

impl TaskStatus {
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Requested | TaskStatus::InProgress)
    }
}

/// Work for a care team: one open task per plan and category, its colour the worst of the
/// results it holds and its age the oldest one's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub citizen_id: CitizenId,
    pub care_plan_id: CarePlanId,
    pub care_team_id: CareTeamId,
    pub category: TaskCategory,
    pub colour: Colour,
    /// FHIR `Task.priority`: routine or urgent.
    pub priority: String,
    pub status: TaskStatus,
    /// The team member who took it; the team stays the fallback owner.
    pub owner: Option<(UserId, String)>,
    /// For a missing result: the activity key ("measurement:weight") and its window.
    pub activity: Option<String>,
    pub window: Option<(Timestamp, Timestamp)>,
    /// The worklist line, in Danish.
    pub description: String,
    pub oldest_result_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub completed_by_name: Option<String>,
    /// What the service desk found about the equipment behind this task (a missing result
    /// whose unit stopped sending; data flowing again).
    #[serde(default)]
    pub support_note: Option<String>,
}

/// A clinician's acknowledgement of a result: seen, with an optional message to the
/// citizen, and whether it led to action (alarm burden counts the ones that did not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub at: Timestamp,
    pub by_name: String,
    pub note: Option<String>,
    pub action_taken: bool,
}

/// What a result is: a measurement or a questionnaire response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ResultRef {
    Observation(ObservationId),
    Response(ResponseId),
}

/// One result triaged for one care plan, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredAssessment {
    pub id: AssessmentId,
    pub citizen_id: CitizenId,
    pub care_plan_id: CarePlanId,
    pub result: ResultRef,
    pub assessment: Assessment,
    pub result_at: Timestamp,
    pub assessed_at: Timestamp,
    pub acknowledgement: Option<Acknowledgement>,
}

/// A questionnaire answered, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireResponse {
    pub id: ResponseId,
    pub citizen_id: CitizenId,
    pub questionnaire_id: QuestionnaireId,
    /// The questionnaire's stable key ("who5") and version.
    pub questionnaire_key: String,
    pub questionnaire_version: String,
    pub answers: Vec<(String, Answer)>,
    pub score: Option<f64>,
    pub authored_at: Timestamp,
    pub received_at: Timestamp,
    pub source: Source,
    pub entered_by_name: String,
    pub on_behalf_of_name: Option<String>,
    pub identifier: Option<String>,
}

/// One citizen on a clinician's worklist: the worst open task and the oldest result no one
/// has assessed yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorklistEntry {
    pub citizen_id: CitizenId,
    pub name: String,
    pub cpr: String,
    pub colour: Colour,
    /// The oldest result (or missing window) among the open tasks.
    pub oldest_at: Timestamp,
    pub open_tasks: u32,
    /// Programme names of the plans with open tasks, sorted.
    pub programmes: Vec<String>,
    /// The description of the worst task (the line to read first).
    pub headline: String,
    /// Names of team members who took a task, if any.
    pub owners: Vec<String>,
}

/// The worklist order: the most severe first, then whoever has waited longest, then by
/// name so that equal rows keep their place between refreshes.
pub fn worklist_order(a: &WorklistEntry, b: &WorklistEntry) -> std::cmp::Ordering {
    b.colour
        .cmp(&a.colour)
        .then(a.oldest_at.cmp(&b.oldest_at))
        .then_with(|| a.name.cmp(&b.name))
        .then(a.citizen_id.0.cmp(&b.citizen_id.0))
}

/// One result's claim on its plan's open task of a kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Raise<'a> {
    pub citizen: CitizenId,
    pub plan: CarePlanId,
    pub team: CareTeamId,
    pub category: TaskCategory,
    pub colour: Colour,
    pub description: &'a str,
    /// When the result was measured or answered: the task's age is its oldest result's.
    pub result_at: Timestamp,
    pub now: Timestamp,
}

/// Results' claims folded into one per plan and kind of work, in the order first seen: the
/// worst colour, the oldest result, the latest description and time. This is what raising
/// them one after another would leave, so a commit may raise them all at once.
pub fn fold_raises<'a>(raises: impl IntoIterator<Item = Raise<'a>>) -> Vec<Raise<'a>> {
    let mut folded: Vec<Raise<'a>> = Vec::new();
    let mut at: HashMap<(CarePlanId, TaskCategory), usize> = HashMap::new();
    for r in raises {
        match at.get(&(r.plan, r.category)) {
            Some(&i) => {
                let f = &mut folded[i];
                f.colour = f.colour.max(r.colour);
                f.result_at = f.result_at.min(r.result_at);
                f.description = r.description;
                f.now = f.now.max(r.now);
            }
            None => {
                at.insert((r.plan, r.category), folded.len());
                folded.push(r);
            }
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, colour: Colour, at: i64) -> WorklistEntry {
        WorklistEntry {
            citizen_id: CitizenId::new(),
            name: name.into(),
            cpr: String::new(),
            colour,
            oldest_at: Timestamp(at),
            open_tasks: 1,
            programmes: vec![],
            headline: String::new(),
            owners: vec![],
        }
    }

    #[test]
    fn severity_first_then_longest_waiting() {
        let mut list = [
            entry("Anna", Colour::Yellow, 10),
            entry("Bent", Colour::Red, 50),
            entry("Carl", Colour::Blue, 1),
            entry("Dora", Colour::Red, 20),
            entry("Erik", Colour::Yellow, 5),
        ];
        list.sort_by(worklist_order);
        let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Dora", "Bent", "Erik", "Anna", "Carl"]);
    }

    #[test]
    fn open_statuses() {
        assert!(TaskStatus::Requested.is_open());
        assert!(TaskStatus::InProgress.is_open());
        assert!(!TaskStatus::Completed.is_open());
        assert!(!TaskStatus::Cancelled.is_open());
    }

    fn raise(plan: CarePlanId, colour: Colour, description: &str, at: i64) -> Raise<'_> {
        Raise {
            citizen: CitizenId(uuid::Uuid::nil()),
            plan,
            team: CareTeamId(uuid::Uuid::nil()),
            category: TaskCategory::Assessment,
            colour,
            description,
            result_at: Timestamp(at),
            now: Timestamp(at + 1),
        }
    }

    #[test]
    fn folding_keeps_one_claim_per_plan_with_the_worst_colour_and_the_oldest_result() {
        let a = CarePlanId(uuid::Uuid::from_u128(1));
        let b = CarePlanId(uuid::Uuid::from_u128(2));
        let folded = fold_raises([
            raise(a, Colour::Yellow, "første", 20),
            raise(b, Colour::Yellow, "anden plan", 30),
            raise(a, Colour::Red, "rød", 10),
            raise(a, Colour::Yellow, "seneste", 40),
        ]);
        assert_eq!(folded.len(), 2);
        assert_eq!(folded[0].plan, a, "in the order first seen");
        assert_eq!(folded[0].colour, Colour::Red);
        assert_eq!(folded[0].result_at, Timestamp(10));
        assert_eq!(folded[0].description, "seneste");
        assert_eq!(folded[0].now, Timestamp(41));
        assert_eq!(folded[1], raise(b, Colour::Yellow, "anden plan", 30));
    }
}
