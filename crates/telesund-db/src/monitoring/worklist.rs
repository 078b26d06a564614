//! The care team's work, read and done: the worklist (who needs attention now), a citizen's
//! assessed results, acknowledging them (with a message to the citizen), tasks taken,
//! released and completed, monitoring notes, messages, and a programme's alarm burden.
//!
//! Whose work is whose: a task belongs to its care plan's team, and a staff member works on
//! the teams they are a current *clinical* member of — named, or through one of their
//! clinician memberships (organisation + role) — within the member's validity, on an active
//! team. That selection is done in SQL; every citizen it yields is then decided by the full
//! rule (`authorize`, with the citizen's current consents) before anything about them is
//! shown, and every citizen shown is audited.

use super::from_json;
use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use telesund_core::access::{Action, DataCategory, Decision, Principal, Resource, authorize};
use telesund_core::audit::AuditAction;
use telesund_core::identity::Role;
use telesund_core::ids::*;
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::assess::{Assessment, Finding, RuleRef, TaskCategory};
use telesund_core::monitoring::work::{
    Acknowledgement, ResultRef, StoredAssessment, Task, TaskStatus, WorklistEntry, worklist_order,
};
use telesund_core::{DomainError, ErrorCode, Timestamp};

/// A message to the citizen is at most this long (characters, after trimming).
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// A monitoring note is at most this long (characters, after trimming).
pub const MAX_NOTE_CHARS: usize = 4_000;
/// The portal notice a message raises. It says that there is a message, never what it says:
/// a notification may be read by someone else (a lock screen, a shared e-mail account).
pub const MESSAGE_NOTICE: &str =
    "Du har fået en besked fra dit behandlerteam. Log ind for at læse den.";

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;
const DAY_US: f64 = 86_400_000_000.0;

/// Which worklist: every citizen with open work on my teams, or only a programme's, or only
/// the teams one organisation manages.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorklistFilter {
    pub programme_id: Option<ProgrammeId>,
    /// The organisation managing the task's care team.
    pub org_id: Option<OrgId>,
    /// Rows at most: 0 gives 50, more than 500 gives 500.
    pub limit: i64,
}

/// What to acknowledge: one result, or every result of the citizen not yet acknowledged on
/// the plans of the caller's teams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum AckScope {
    One(AssessmentId),
    AllOfCitizen,
}

/// What an acknowledgement did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckOutcome {
    /// Results acknowledged (every colour: green results are seen too).
    pub acknowledged: usize,
    /// Open assessment and unexpected-measurement tasks completed because their plan has no
    /// unacknowledged yellow or red result left.
    pub tasks_completed: usize,
    /// The message to the citizen, when one was written.
    pub message_id: Option<uuid::Uuid>,
}

/// Whose tasks a task search asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TaskOwner {
    /// Taken by this staff member.
    User(UserId),
    /// Of this care team (taken or not).
    Team(CareTeamId),
}

/// A task search (FHIR `Task?patient=&status=&owner=`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TaskQuery {
    /// A citizen's tasks (any team's); without one, the tasks of the caller's own teams.
    pub citizen: Option<CitizenId>,
    pub status: Option<TaskStatus>,
    pub owner: Option<TaskOwner>,
    /// Rows at most: 0 gives 50, more than 500 gives 500.
    pub limit: i64,
}

/// A clinician's note in a citizen's monitoring record, optionally about one plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: uuid::Uuid,
    pub citizen_id: CitizenId,
    pub care_plan_id: Option<CarePlanId>,
    /// Shown prominently (e.g. "hard of hearing: call the daughter").
    pub important: bool,
    pub text: String,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: Timestamp,
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageDirection {
    ToCitizen,
    FromCitizen,
}

impl MessageDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageDirection::ToCitizen => "to_citizen",
            MessageDirection::FromCitizen => "from_citizen",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "to_citizen" => Ok(MessageDirection::ToCitizen),
            "from_citizen" => Ok(MessageDirection::FromCitizen),
            other => Err(DbError::Internal(format!(
                "stored message direction '{other}'"
            ))),
        }
    }
}

/// A message between a citizen and their care team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: uuid::Uuid,
    pub citizen_id: CitizenId,
    pub direction: MessageDirection,
    pub author_name: String,
    pub text: String,
    pub created_at: Timestamp,
    /// When the recipient read it (for messages to the citizen: when the citizen did).
    pub read_at: Option<Timestamp>,
}

/// How often a programme's rules raise alarms, and how often an alarm led to nothing: the
/// numbers a programme owner tunes thresholds by. No citizen's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmBurden {
    pub programme_id: ProgrammeId,
    pub from: Timestamp,
    pub to: Timestamp,
    /// Days the programme's care plans were active (not paused, not ended, not yet to come)
    /// within the period, summed over the plans.
    pub citizen_days: f64,
    /// Yellow and red results of those plans in the period.
    pub alarms: u64,
    /// `None` when no plan was active in the period.
    pub alarms_per_100_citizen_days: Option<f64>,
    /// Per rule and colour, the most alarms first. One result can be counted under several
    /// rules (every rule that fired), so these can add up to more than `alarms`.
    pub by_rule: Vec<RuleBurden>,
    /// Of the alarms, those acknowledged so far.
    pub acknowledged: u64,
    /// Of those, the ones acknowledged as having led to no action.
    pub acknowledged_without_action: u64,
    /// `acknowledged_without_action / acknowledged`; `None` when nothing is acknowledged.
    pub share_without_action: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleBurden {
    /// `RuleRef::key()`: "change:weight:0", "threshold:systolic:warning_high", ...
    pub rule: String,
    pub colour: Colour,
    pub alarms: u64,
    pub per_100_citizen_days: Option<f64>,
}

/// The teams a principal works on: the operator's tools act on every team; a staff member on
/// those they are a current clinical member of, through a clinician membership.
enum Teams {
    All,
    Of {
        user: uuid::Uuid,
        /// The organisations of the principal's clinician memberships.
        orgs: Vec<uuid::Uuid>,
    },
}

impl Teams {
    /// `None` for a citizen, who has no teams.
    fn of(principal: &Principal) -> Option<Teams> {
        match principal {
            Principal::System => Some(Teams::All),
            Principal::Citizen { .. } => None,
            Principal::Staff {
                user_id,
                memberships,
                ..
            } => {
                let mut orgs: Vec<uuid::Uuid> = memberships
                    .iter()
                    .filter(|m| m.role == Role::Clinician)
                    .map(|m| m.org_id.0)
                    .collect();
                orgs.sort();
                orgs.dedup();
                Some(Teams::Of {
                    user: user_id.0,
                    orgs,
                })
            }
        }
    }

    fn is_none(&self) -> bool {
        matches!(self, Teams::Of { orgs, .. } if orgs.is_empty())
    }

    /// How many parameters [`Teams::condition`] uses.
    fn params(&self) -> usize {
        match self {
            Teams::Of { orgs, .. } if !orgs.is_empty() => 2 + orgs.len(),
            _ => 0,
        }
    }

    /// ` AND <column> IN (my teams)`, its parameters numbered from `$first`: my user id, the
    /// time now, then my organisations (bound by [`bind_teams!`], in that order). The same
    /// match as `authorize` makes: the member's organisation and role are one of my
    /// memberships, and the member is everyone of it or me by name.
    fn condition(&self, column: &str, first: usize) -> String {
        match self {
            Teams::All => String::new(),
            Teams::Of { orgs, .. } if orgs.is_empty() => " AND 1 = 0".into(),
            Teams::Of { orgs, .. } => {
                let list = (0..orgs.len())
                    .map(|i| format!("${}", first + 2 + i))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    " AND {column} IN (SELECT m.team_id FROM care_team_members m \
                     WHERE m.org_id IN ({list}) AND m.role = 'clinician' AND m.scope = 'clinical' \
                     AND (m.user_id IS NULL OR m.user_id = ${user}) \
                     AND m.valid_from <= ${now} AND (m.valid_to IS NULL OR m.valid_to > ${now}))",
                    user = first,
                    now = first + 1,
                )
            }
        }
    }
}

/// Binds the parameters of a [`Teams::condition`].
macro_rules! bind_teams {
    ($q:expr, $teams:expr, $now:expr) => {{
        let mut q = $q;
        if let Teams::Of { user, orgs } = $teams
            && !orgs.is_empty()
        {
            q = q.bind(*user).bind($now);
            for o in orgs {
                q = q.bind(*o);
            }
        }
        q
    }};
}

const TASK_COLUMNS: &str = "t.id, t.citizen_id, t.care_plan_id, t.care_team_id, t.category, t.colour, t.priority, t.status, \
     t.owner_user_id, t.owner_name, t.activity, t.window_start, t.window_end, t.description, t.oldest_result_at, \
     t.created_at, t.updated_at, t.completed_at, t.completed_by_name, t.support_note";

macro_rules! task_from_row {
    ($r:expr) => {{
        let owner_id: Option<uuid::Uuid> = $r.try_get("owner_user_id")?;
        let owner_name: Option<String> = $r.try_get("owner_name")?;
        let window_start: Option<i64> = $r.try_get("window_start")?;
        let window_end: Option<i64> = $r.try_get("window_end")?;
        Task {
            id: TaskId($r.try_get("id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            care_plan_id: CarePlanId($r.try_get("care_plan_id")?),
            care_team_id: CareTeamId($r.try_get("care_team_id")?),
            category: TaskCategory::parse(&$r.try_get::<String, _>("category")?)?,
            colour: Colour::parse(&$r.try_get::<String, _>("colour")?)?,
            priority: $r.try_get("priority")?,
            status: TaskStatus::parse(&$r.try_get::<String, _>("status")?)?,
            owner: owner_id.map(|u| (UserId(u), owner_name.unwrap_or_default())),
            activity: $r.try_get("activity")?,
            window: window_start
                .zip(window_end)
                .map(|(s, e)| (Timestamp(s), Timestamp(e))),
            description: $r.try_get("description")?,
            oldest_result_at: Timestamp($r.try_get("oldest_result_at")?),
            created_at: Timestamp($r.try_get("created_at")?),
            updated_at: Timestamp($r.try_get("updated_at")?),
            completed_at: $r.try_get::<Option<i64>, _>("completed_at")?.map(Timestamp),
            completed_by_name: $r.try_get("completed_by_name")?,
            support_note: $r.try_get("support_note")?,
        }
    }};
}

const ASSESSMENT_COLUMNS: &str = "id, citizen_id, care_plan_id, observation_id, response_id, colour, findings, result_at, \
     assessed_at, acknowledged_at, acknowledged_by_name, acknowledgement_note, action_taken";

macro_rules! assessment_from_row {
    ($r:expr) => {{
        let observation: Option<uuid::Uuid> = $r.try_get("observation_id")?;
        let response: Option<uuid::Uuid> = $r.try_get("response_id")?;
        let result = match (observation, response) {
            (Some(o), _) => Some(ResultRef::Observation(ObservationId(o))),
            (None, Some(r)) => Some(ResultRef::Response(ResponseId(r))),
            (None, None) => None,
        }
        .ok_or_else(|| DbError::Internal("an assessment without its result".into()))?;
        let findings: Vec<Finding> = from_json(&$r.try_get::<String, _>("findings")?)?;
        let acknowledged_at: Option<i64> = $r.try_get("acknowledged_at")?;
        let by_name: Option<String> = $r.try_get("acknowledged_by_name")?;
        let note: Option<String> = $r.try_get("acknowledgement_note")?;
        let action_taken: Option<bool> = $r.try_get("action_taken")?;
        StoredAssessment {
            id: AssessmentId($r.try_get("id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            care_plan_id: CarePlanId($r.try_get("care_plan_id")?),
            result,
            // The stored colour is the triage's (a result can be blue without a finding).
            assessment: Assessment {
                colour: Colour::parse(&$r.try_get::<String, _>("colour")?)?,
                findings,
            },
            result_at: Timestamp($r.try_get("result_at")?),
            assessed_at: Timestamp($r.try_get("assessed_at")?),
            acknowledgement: acknowledged_at.map(|at| Acknowledgement {
                at: Timestamp(at),
                by_name: by_name.unwrap_or_default(),
                note,
                action_taken: action_taken.unwrap_or(false),
            }),
        }
    }};
}

/// A page size: 0 gives the default, more than the most gives the most, negative is refused.
fn page_size(limit: i64) -> Result<i64> {
    match limit {
        l if l < 0 => Err(DomainError::invalid("limit cannot be negative").into()),
        0 => Ok(DEFAULT_PAGE),
        l => Ok(l.min(MAX_PAGE)),
    }
}

/// Trimmed text, `None` when empty, refused when longer than `max` characters.
fn bounded_text(text: Option<&str>, max: usize, what: &str) -> Result<Option<String>> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let n = t.chars().count();
    if n > max {
        return Err(DomainError::invalid(format!(
            "{what} can be at most {max} characters; this one has {n}"
        ))
        .into());
    }
    Ok(Some(t.to_string()))
}

fn refusal(reason: &'static str, via: Option<telesund_core::access::ActingRole>) -> Decision {
    Decision {
        allowed: false,
        via,
        reason,
    }
}

const NOT_ON_TEAM: &str = "only a clinical member of the care plan's team does its work";

/// One open task of a citizen on the worklist page.
struct OpenTask {
    citizen: uuid::Uuid,
    id: uuid::Uuid,
    name: String,
    cpr: String,
    colour: Colour,
    oldest: i64,
    description: String,
    owner: Option<String>,
    programme: String,
}

/// The worklist's selection: open tasks on my teams, optionally of one programme and of
/// teams managed by one organisation. Parameters from `$1`: the programme and the
/// organisation when filtered on, then the teams' (bound by [`bind_selection!`]). Returns
/// the condition and the number of parameters it uses. The programme filter needs `pv`
/// (the plan's version), the organisation filter `ct` (the task's team).
fn selection(programme: bool, org: bool, teams: &Teams) -> (String, usize) {
    let mut sql = String::from("t.status IN ('requested','in-progress')");
    let mut n = 0;
    if programme {
        n += 1;
        sql += &format!(" AND pv.programme_id = ${n}");
    }
    if org {
        n += 1;
        sql += &format!(" AND ct.managing_org_id = ${n}");
    }
    sql += &teams.condition("t.care_team_id", n + 1);
    (sql, n + teams.params())
}

/// Binds the parameters of a [`selection`].
macro_rules! bind_selection {
    ($q:expr, $programme:expr, $org:expr, $teams:expr, $now:expr) => {{
        let mut q = $q;
        if let Some(p) = $programme {
            q = q.bind(p);
        }
        if let Some(o) = $org {
            q = q.bind(o);
        }
        bind_teams!(q, $teams, $now)
    }};
}

/// How much of `[from, to)` a plan was active: its own span minus its pauses.
fn active_us(
    from: i64,
    to: i64,
    started: i64,
    ended: Option<i64>,
    changes: &[(String, i64)],
) -> i64 {
    let (start, end) = (started.max(from), ended.unwrap_or(i64::MAX).min(to));
    if end <= start {
        return 0;
    }
    let mut pauses = Vec::new();
    let mut paused_since = None;
    for (kind, at) in changes {
        match kind.as_str() {
            "paused" => paused_since = paused_since.or(Some(*at)),
            "resumed" => {
                if let Some(p) = paused_since.take() {
                    pauses.push((p, *at));
                }
            }
            _ => {}
        }
    }
    if let Some(p) = paused_since {
        pauses.push((p, i64::MAX));
    }
    let paused: i64 = pauses
        .iter()
        .map(|&(p, r)| (r.min(end) - p.max(start)).max(0))
        .sum();
    end - start - paused
}

impl Db {
    /// The caller's worklist: one row per citizen with open tasks (requested or in progress)
    /// on the caller's care teams, the worst colour and longest-waiting first
    /// ([`worklist_order`]). Each citizen is decided by the full rule before being shown
    /// (a withdrawn consent drops them from the list, silently: nothing of theirs is shown),
    /// and each one shown is audited as a clinical read. A page can therefore be shorter
    /// than `limit`. Citizens have no worklist.
    pub async fn worklist(
        &self,
        ctx: &AccessCtx,
        f: &WorklistFilter,
    ) -> Result<Vec<WorklistEntry>> {
        let limit = page_size(f.limit)?;
        let teams = match &ctx.principal {
            Principal::Staff { .. } => Teams::of(&ctx.principal),
            _ => None,
        };
        let Some(teams) = teams else {
            let denial = refusal("only staff have a worklist", None);
            self.audit(vec![ctx.record(
                &denial,
                AuditAction::Read,
                "worklist",
                None,
                None,
            )])
            .await?;
            return Err(DbError::forbidden(denial.reason));
        };
        if teams.is_none() {
            // No clinician membership: no team whose work could be shown.
            return Ok(Vec::new());
        }
        let now = Timestamp::now().0;
        let programme = f.programme_id.map(|p| p.0);
        let org = f.org_id.map(|o| o.0);
        let (selected, used) = selection(programme.is_some(), org.is_some(), &teams);
        // The page: citizens by their worst open task, then the longest waiting. Only the
        // tasks table (and the plan or team when filtered on): at 2,000 citizens a team,
        // joins for every open task cost more than the rest of the query.
        let mut joins = String::new();
        if programme.is_some() {
            joins += " JOIN care_plans cp ON cp.id = t.care_plan_id \
                      JOIN programme_versions pv ON pv.id = cp.programme_version_id";
        }
        if org.is_some() {
            joins += " JOIN care_teams ct ON ct.id = t.care_team_id";
        }
        let page_sql = format!(
            "SELECT t.citizen_id, \
             MAX(CAST(CASE t.colour WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 1 ELSE 0 END AS BIGINT)) AS severity, \
             MIN(t.oldest_result_at) AS oldest_at \
             FROM tasks t{joins} WHERE {selected} \
             GROUP BY t.citizen_id ORDER BY severity DESC, oldest_at, t.citizen_id LIMIT ${}",
            used + 1
        );
        let tasks = on_read!(self, |c| {
            let q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(page_sql));
            let page = bind_selection!(q, programme, org, &teams, now)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?;
            // Their open tasks, with what a row shows; and only those of an active team.
            let citizens = (0..page.len())
                .map(|i| format!("${}", used + 2 + i))
                .collect::<Vec<_>>()
                .join(", ");
            let detail_sql = format!(
                "SELECT t.citizen_id, t.id, t.colour, t.oldest_result_at, t.description, t.owner_name, \
                 p.name AS programme_name, c.given_name, c.family_name, c.cpr \
                 FROM tasks t JOIN care_teams ct ON ct.id = t.care_team_id \
                 JOIN care_plans cp ON cp.id = t.care_plan_id \
                 JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                 JOIN programmes p ON p.id = pv.programme_id JOIN citizens c ON c.id = t.citizen_id \
                 WHERE {selected} AND ct.active = ${} AND t.citizen_id IN ({citizens})",
                used + 1
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(detail_sql));
            let mut q = bind_selection!(q, programme, org, &teams, now).bind(true);
            for id in &page {
                q = q.bind(*id);
            }
            // The body runs inline (no early return): an empty page asks for nothing more.
            let rows = if page.is_empty() {
                Vec::new()
            } else {
                q.fetch_all(&mut *c).await?
            };
            let mut tasks = Vec::with_capacity(rows.len());
            for r in &rows {
                let given: String = r.try_get("given_name")?;
                let family: String = r.try_get("family_name")?;
                tasks.push(OpenTask {
                    citizen: r.try_get("citizen_id")?,
                    id: r.try_get("id")?,
                    name: format!("{given} {family}"),
                    cpr: r.try_get("cpr")?,
                    colour: Colour::parse(&r.try_get::<String, _>("colour")?)?,
                    oldest: r.try_get("oldest_result_at")?,
                    description: r.try_get("description")?,
                    owner: r.try_get("owner_name")?,
                    programme: r.try_get("programme_name")?,
                });
            }
            Ok::<_, DbError>(tasks)
        })?;

        let mut by_citizen: BTreeMap<uuid::Uuid, Vec<&OpenTask>> = BTreeMap::new();
        for t in &tasks {
            by_citizen.entry(t.citizen).or_default().push(t);
        }
        let mut entries: Vec<WorklistEntry> = by_citizen
            .into_iter()
            .filter_map(|(citizen, mine)| {
                // The worst task, then the one waiting longest (then the first made).
                let worst = mine.iter().min_by(|a, b| {
                    b.colour
                        .cmp(&a.colour)
                        .then(a.oldest.cmp(&b.oldest))
                        .then(a.id.cmp(&b.id))
                })?;
                Some(WorklistEntry {
                    citizen_id: CitizenId(citizen),
                    name: worst.name.clone(),
                    cpr: worst.cpr.clone(),
                    colour: worst.colour,
                    oldest_at: Timestamp(mine.iter().map(|t| t.oldest).min()?),
                    open_tasks: u32::try_from(mine.len()).unwrap_or(u32::MAX),
                    programmes: mine
                        .iter()
                        .map(|t| t.programme.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                    headline: worst.description.clone(),
                    owners: mine
                        .iter()
                        .filter_map(|t| t.owner.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                })
            })
            .collect();

        // The full rule for every citizen on the page, a few at a time.
        let ids: Vec<CitizenId> = entries.iter().map(|e| e.citizen_id).collect();
        let allowed = self.clinically_readable(ctx, ids).await?;
        entries.retain(|e| allowed.contains_key(&e.citizen_id));
        entries.sort_by(worklist_order);
        let records = entries
            .iter()
            .map(|e| {
                ctx.record(
                    &allowed[&e.citizen_id],
                    AuditAction::Read,
                    "worklist",
                    Some(e.citizen_id),
                    Some(DataCategory::Clinical),
                )
            })
            .collect();
        self.audit(records).await?;
        Ok(entries)
    }

    /// Of these citizens, those whose clinical data the caller may read by the full rule
    /// (current consents), with the decision; decided a few at a time. Refused citizens are
    /// left out, unaudited: nothing of theirs is shown.
    async fn clinically_readable(
        &self,
        ctx: &AccessCtx,
        citizens: Vec<CitizenId>,
    ) -> Result<HashMap<CitizenId, Decision>> {
        let now = Timestamp::now();
        let decided: Vec<(CitizenId, Decision)> = self
            .snapshots(&citizens)
            .await?
            .into_iter()
            .map(|(id, snapshot)| {
                let facts = snapshot.facts_at(now);
                let decision = authorize(
                    &ctx.principal,
                    Action::Read(DataCategory::Clinical),
                    Resource::Citizen(&facts),
                );
                (id, decision)
            })
            .collect();
        Ok(decided.into_iter().filter(|(_, d)| d.allowed).collect())
    }

    /// Which of a citizen's care plans are on the caller's teams: the results the caller
    /// acknowledges (other teams' are theirs to see to). Plan ids only, no clinical content.
    pub async fn my_plans_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
    ) -> Result<Vec<CarePlanId>> {
        let Some(teams) = Teams::of(&ctx.principal) else {
            return Ok(Vec::new());
        };
        let now = Timestamp::now();
        let sql = format!(
            "SELECT id FROM care_plans WHERE citizen_id = $1{}",
            teams.condition("care_team_id", 2)
        );
        on_read!(self, |c| {
            let q = sqlx::query_scalar::<_, uuid::Uuid>(sqlx::AssertSqlSafe(sql)).bind(citizen.0);
            let ids = bind_teams!(q, &teams, now.0).fetch_all(&mut *c).await?;
            Ok::<_, DbError>(ids.into_iter().map(CarePlanId).collect())
        })
    }

    /// A citizen's triaged results, newest first, optionally only those since a time.
    pub async fn assessments_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        since: Option<Timestamp>,
        limit: i64,
    ) -> Result<Vec<StoredAssessment>> {
        let limit = page_size(limit)?;
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "assessment",
                None,
            )
            .await?;
        let found = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE citizen_id = $1 AND ($2 IS NULL OR result_at >= $2) \
                 ORDER BY result_at DESC, id DESC LIMIT $3"
            )))
            .bind(citizen.0)
            .bind(since.map(|s| s.0))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(assessment_from_row!(r));
            }
            Ok::<_, DbError>(out)
        })?;
        self.audit(vec![record]).await?;
        Ok(found)
    }

    /// Acknowledges results: seen by a clinician, with whether they led to action, and an
    /// optional message to the citizen (at most 2,000 characters). Only results of plans
    /// whose team the caller works on are acknowledged (the team that owns the plan does
    /// its work; another team's clinician may read the results but not close its alarms).
    /// A plan left without unacknowledged yellow or red results has its open assessment
    /// and unexpected-measurement tasks completed. A message is stored for the citizen with a
    /// portal notice that does not repeat it. Everything, with its audit records, commits
    /// together; a refusal changes nothing.
    pub async fn acknowledge(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        scope: AckScope,
        message: Option<String>,
        action_taken: bool,
    ) -> Result<AckOutcome> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Write(DataCategory::Clinical),
                AuditAction::Update,
                "assessment",
            )
            .await?;
        let message = bounded_text(
            message.as_deref(),
            MAX_MESSAGE_CHARS,
            "a message to the citizen",
        )?;
        let Some(teams) = Teams::of(&ctx.principal) else {
            return Err(DbError::forbidden(NOT_ON_TEAM));
        };
        let now = Timestamp::now();
        let by = ctx.principal.user_id().map(|u| u.0);
        let by_name = ctx.principal.display_name().to_string();
        let message_id = message.as_ref().map(|_| uuid::Uuid::now_v7());
        let mut record = ctx.record(
            &decision,
            AuditAction::Update,
            "assessment",
            Some(citizen),
            Some(DataCategory::Clinical),
        );
        record.entity_id = Some(match scope {
            AckScope::One(id) => id.to_string(),
            AckScope::AllOfCitizen => "all".into(),
        });
        let mut records = vec![record];
        if let Some(id) = message_id {
            let mut r = ctx.record(
                &decision,
                AuditAction::Create,
                "message",
                Some(citizen),
                Some(DataCategory::Clinical),
            );
            r.entity_id = Some(id.to_string());
            records.push(r);
        }
        // $1..$5 the acknowledgement, $6 the citizen, $7 true, $8 the assessment (one), then
        // the teams'.
        let (one, first_team) = match scope {
            AckScope::One(_) => (" AND id = $8", 9),
            AckScope::AllOfCitizen => ("", 8),
        };
        let update_sql = format!(
            "UPDATE assessments SET acknowledged_at = $1, acknowledged_by = $2, acknowledged_by_name = $3, \
             acknowledgement_note = $4, action_taken = $5 \
             WHERE citizen_id = $6 AND acknowledged_at IS NULL{one} AND care_plan_id IN \
             (SELECT cp.id FROM care_plans cp JOIN care_teams ct ON ct.id = cp.care_team_id \
              WHERE cp.citizen_id = $6 AND ct.active = $7{teams}) \
             RETURNING id, care_plan_id",
            teams = teams.condition("cp.care_team_id", first_team),
        );
        let outcome = on_write!(self, |tx| {
            let mut q =
                sqlx::query_as::<_, (uuid::Uuid, uuid::Uuid)>(sqlx::AssertSqlSafe(update_sql))
                    .bind(now.0)
                    .bind(by)
                    .bind(&by_name)
                    .bind(message.as_deref())
                    .bind(action_taken)
                    .bind(citizen.0)
                    .bind(true);
            if let AckScope::One(id) = scope {
                q = q.bind(id.0);
            }
            let acknowledged = bind_teams!(q, &teams, now.0).fetch_all(&mut *tx).await?;
            let plans: BTreeSet<uuid::Uuid> = acknowledged.iter().map(|(_, plan)| *plan).collect();
            if plans.is_empty() {
                return Err(match scope {
                    AckScope::One(id) => {
                        let found: Option<(uuid::Uuid, Option<i64>)> = sqlx::query_as(
                            "SELECT citizen_id, acknowledged_at FROM assessments WHERE id = $1",
                        )
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match found {
                            Some((c, _)) if c != citizen.0 => DbError::not_found("assessment"),
                            None => DbError::not_found("assessment"),
                            Some((_, Some(_))) => DbError::conflict(
                                ErrorCode::Conflict,
                                "this result is acknowledged already",
                            ),
                            Some((_, None)) => DbError::forbidden(NOT_ON_TEAM),
                        }
                    }
                    AckScope::AllOfCitizen => DbError::conflict(
                        ErrorCode::Conflict,
                        "the citizen has no unacknowledged results on your care teams' plans",
                    ),
                });
            }
            let mut tasks_completed = 0;
            for plan in &plans {
                tasks_completed += sqlx::query(
                    "UPDATE tasks SET status = 'completed', completed_at = $1, completed_by_name = $2, updated_at = $1 \
                     WHERE care_plan_id = $3 AND status IN ('requested','in-progress') AND category IN ('assessment','unexpected') \
                     AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.care_plan_id = $3 AND a.acknowledged_at IS NULL \
                     AND a.colour IN ('yellow','red'))",
                )
                .bind(now.0)
                .bind(&by_name)
                .bind(*plan)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            if let (Some(id), Some(text)) = (message_id, &message) {
                sqlx::query(
                    "INSERT INTO messages (id, citizen_id, direction, author_id, author_name, text, created_at, read_at) \
                     VALUES ($1, $2, 'to_citizen', $3, $4, $5, $6, NULL)",
                )
                .bind(id)
                .bind(citizen.0)
                .bind(by)
                .bind(&by_name)
                .bind(text)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO notification_outbox (id, citizen_id, channel, kind, body, created_at, sent_at, attempts) \
                     VALUES ($1, $2, 'portal', 'message', $3, $4, NULL, 0)",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(citizen.0)
                .bind(MESSAGE_NOTICE)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            crate::audit::insert_records!(tx, records)?;
            Ok(AckOutcome {
                acknowledged: acknowledged.len(),
                tasks_completed: usize::try_from(tasks_completed).unwrap_or_default(),
                message_id,
            })
        });
        self.audit_team_refusal(ctx, &decision, &outcome, "assessment", citizen)
            .await?;
        outcome
    }

    /// A refusal by the team rule (the citizen rule allowed, the plan's team is not the
    /// caller's) is audited as a denial, like every refusal.
    async fn audit_team_refusal<T>(
        &self,
        ctx: &AccessCtx,
        allowed: &Decision,
        outcome: &Result<T>,
        entity: &str,
        citizen: CitizenId,
    ) -> Result<()> {
        if let Err(e) = outcome
            && e.code() == ErrorCode::Forbidden
        {
            self.audit(vec![ctx.record(
                &refusal(NOT_ON_TEAM, allowed.via),
                AuditAction::Update,
                entity,
                Some(citizen),
                Some(DataCategory::Clinical),
            )])
            .await?;
        }
        Ok(())
    }

    async fn load_task(&self, id: TaskId) -> Result<Task> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("task"))?;
            Ok(task_from_row!(r))
        })
    }

    /// One task, for a caller who may read its citizen's clinical data.
    pub async fn task(&self, ctx: &AccessCtx, id: TaskId) -> Result<Task> {
        let task = self.load_task(id).await?;
        let record = self
            .clinical_guard(
                ctx,
                task.citizen_id,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "task",
                Some(id.to_string()),
            )
            .await?;
        self.audit(vec![record]).await?;
        Ok(task)
    }

    /// Takes a task: the caller owns it and it is in progress. A task another member has
    /// taken must be released first (by anyone on the team).
    pub async fn take_task(&self, ctx: &AccessCtx, id: TaskId) -> Result<Task> {
        self.change_task(ctx, id, TaskChange::Take).await
    }

    /// Gives a taken task back to the team (requested, no owner). Any member of the team may
    /// release it, so a task does not stay with someone who has gone off duty.
    pub async fn release_task(&self, ctx: &AccessCtx, id: TaskId) -> Result<Task> {
        self.change_task(ctx, id, TaskChange::Release).await
    }

    /// Completes a task without acknowledging results: for missing-measurement tasks. An
    /// assessment or unexpected-measurement task is refused while its plan has unacknowledged
    /// yellow or red results (acknowledge them; that completes it). A note (at most 4,000
    /// characters) is kept as a monitoring note on the task's plan.
    pub async fn complete_task(
        &self,
        ctx: &AccessCtx,
        id: TaskId,
        note: Option<String>,
    ) -> Result<Task> {
        let note = bounded_text(note.as_deref(), MAX_NOTE_CHARS, "a note")?;
        self.change_task(ctx, id, TaskChange::Complete(note)).await
    }

    async fn change_task(&self, ctx: &AccessCtx, id: TaskId, change: TaskChange) -> Result<Task> {
        let task = self.load_task(id).await?;
        let citizen = task.citizen_id;
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Write(DataCategory::Clinical),
                AuditAction::Update,
                "task",
            )
            .await?;
        let by = ctx.principal.user_id().map(|u| u.0);
        let needs_user = matches!(change, TaskChange::Take | TaskChange::Complete(Some(_)));
        if needs_user && by.is_none() {
            return Err(DbError::forbidden(
                "only a staff member takes a task or writes a note",
            ));
        }
        let Some(teams) = Teams::of(&ctx.principal) else {
            return Err(DbError::forbidden(NOT_ON_TEAM));
        };
        let now = Timestamp::now();
        let by_name = ctx.principal.display_name().to_string();
        let mut record = ctx.record(
            &decision,
            AuditAction::Update,
            "task",
            Some(citizen),
            Some(DataCategory::Clinical),
        );
        record.entity_id = Some(id.to_string());
        let mut records = vec![record];
        if let TaskChange::Complete(Some(_)) = change {
            records.push(ctx.record(
                &decision,
                AuditAction::Create,
                "note",
                Some(citizen),
                Some(DataCategory::Clinical),
            ));
        }
        // $1 the task's team, $2 true, then the teams'.
        let member_sql = format!(
            "SELECT COUNT(*) FROM care_teams ct WHERE ct.id = $1 AND ct.active = $2{}",
            teams.condition("ct.id", 3)
        );
        let outcome = on_write!(self, |tx| {
            let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(member_sql))
                .bind(task.care_team_id.0)
                .bind(true);
            if bind_teams!(q, &teams, now.0).fetch_one(&mut *tx).await? == 0 {
                return Err(DbError::forbidden(NOT_ON_TEAM));
            }
            let changed = match &change {
                TaskChange::Take => sqlx::query(
                    "UPDATE tasks SET status = 'in-progress', owner_user_id = $1, owner_name = $2, updated_at = $3 \
                     WHERE id = $4 AND status IN ('requested','in-progress') AND (owner_user_id IS NULL OR owner_user_id = $1)",
                )
                .bind(by)
                .bind(&by_name)
                .bind(now.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                TaskChange::Release => sqlx::query(
                    "UPDATE tasks SET status = 'requested', owner_user_id = NULL, owner_name = NULL, updated_at = $1 \
                     WHERE id = $2 AND status = 'in-progress'",
                )
                .bind(now.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                TaskChange::Complete(note) => {
                    let n = sqlx::query(
                        "UPDATE tasks SET status = 'completed', completed_at = $1, completed_by_name = $2, updated_at = $1 \
                         WHERE id = $3 AND status IN ('requested','in-progress') AND (category = 'missing' OR NOT EXISTS \
                         (SELECT 1 FROM assessments a WHERE a.care_plan_id = tasks.care_plan_id AND a.acknowledged_at IS NULL \
                          AND a.colour IN ('yellow','red')))",
                    )
                    .bind(now.0)
                    .bind(&by_name)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1
                        && let Some(text) = note
                    {
                        sqlx::query(
                            "INSERT INTO monitoring_notes (id, citizen_id, care_plan_id, important, text, author_id, author_name, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(uuid::Uuid::now_v7())
                        .bind(citizen.0)
                        .bind(task.care_plan_id.0)
                        .bind(false)
                        .bind(format!("Opgave afsluttet: {text}"))
                        .bind(by)
                        .bind(&by_name)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    n
                }
            };
            if changed == 0 {
                // Why not: read the task as it is now, inside the transaction.
                let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1"
                )))
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
                let now_task = task_from_row!(r);
                return Err(DbError::conflict(
                    ErrorCode::Conflict,
                    match (&change, now_task.status, &now_task.owner) {
                        (_, TaskStatus::Completed, _) => "the task is completed already".to_string(),
                        (_, TaskStatus::Cancelled, _) => "the task is cancelled".to_string(),
                        (TaskChange::Take, _, Some((_, name))) => {
                            format!("the task is taken by {name}; it must be released first")
                        }
                        (TaskChange::Release, _, _) => "the task is not taken".to_string(),
                        _ => "the plan has unacknowledged yellow or red results: acknowledge them, which completes the task"
                            .to_string(),
                    },
                ));
            }
            crate::audit::insert_records!(tx, records)?;
            Ok(())
        });
        self.audit_team_refusal(ctx, &decision, &outcome, "task", citizen)
            .await?;
        outcome?;
        self.load_task(id).await
    }

    /// Tasks, newest first. With a citizen: that citizen's tasks (any team's), for a caller
    /// who may read the citizen's clinical data. Without one: the tasks of the caller's own
    /// teams, each citizen decided by the full rule (refused ones left out) and audited.
    pub async fn tasks(&self, ctx: &AccessCtx, q: &TaskQuery) -> Result<Vec<Task>> {
        let limit = page_size(q.limit)?;
        let (decision, teams) = match (q.citizen, &ctx.principal) {
            (Some(citizen), _) => {
                let d = self
                    .guard_citizen(
                        ctx,
                        citizen,
                        Action::Read(DataCategory::Clinical),
                        AuditAction::Read,
                        "task",
                    )
                    .await?;
                (Some(d), None)
            }
            (None, Principal::Staff { .. }) => (None, Teams::of(&ctx.principal)),
            (None, _) => {
                let denial = refusal("a task search without a citizen is for staff", None);
                self.audit(vec![ctx.record(
                    &denial,
                    AuditAction::Read,
                    "task",
                    None,
                    None,
                )])
                .await?;
                return Err(DbError::forbidden(denial.reason));
            }
        };
        let (owner_user, owner_team) = match q.owner {
            Some(TaskOwner::User(u)) => (Some(u.0), None),
            Some(TaskOwner::Team(t)) => (None, Some(t.0)),
            None => (None, None),
        };
        let now = Timestamp::now().0;
        // Only the filters asked for, so each query can use its index (a citizen's tasks by
        // `tasks_citizen_status`, a team's by `tasks_team_status`).
        let mut sql = format!("SELECT {TASK_COLUMNS} FROM tasks t");
        if teams.is_some() {
            sql += " JOIN care_teams ct ON ct.id = t.care_team_id";
        }
        sql += " WHERE 1 = 1";
        let mut n = 0;
        for (set, column) in [
            (q.citizen.is_some(), "t.citizen_id"),
            (q.status.is_some(), "t.status"),
            (owner_user.is_some(), "t.owner_user_id"),
            (owner_team.is_some(), "t.care_team_id"),
        ] {
            if set {
                n += 1;
                sql += &format!(" AND {column} = ${n}");
            }
        }
        if let Some(t) = &teams {
            // The caller's own teams, and only active ones.
            sql += &format!(
                " AND ct.active = ${}{}",
                n + 1,
                t.condition("t.care_team_id", n + 2)
            );
            n += 1 + t.params();
        }
        sql += &format!(" ORDER BY t.created_at DESC, t.id DESC LIMIT ${}", n + 1);
        let mut found = on_read!(self, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(v) = q.citizen {
                query = query.bind(v.0);
            }
            if let Some(v) = q.status {
                query = query.bind(v.as_str());
            }
            if let Some(v) = owner_user {
                query = query.bind(v);
            }
            if let Some(v) = owner_team {
                query = query.bind(v);
            }
            if let Some(t) = &teams {
                query = bind_teams!(query.bind(true), t, now);
            }
            let rows = query.bind(limit).fetch_all(&mut *c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(task_from_row!(r));
            }
            Ok::<_, DbError>(out)
        })?;
        let records = match (q.citizen, decision) {
            (Some(citizen), Some(d)) => vec![ctx.record(
                &d,
                AuditAction::Read,
                "task",
                Some(citizen),
                Some(DataCategory::Clinical),
            )],
            _ => {
                let citizens: Vec<CitizenId> = found
                    .iter()
                    .map(|t| t.citizen_id)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let allowed = self.clinically_readable(ctx, citizens).await?;
                found.retain(|t| allowed.contains_key(&t.citizen_id));
                allowed
                    .iter()
                    .map(|(c, d)| {
                        ctx.record(
                            d,
                            AuditAction::Read,
                            "task",
                            Some(*c),
                            Some(DataCategory::Clinical),
                        )
                    })
                    .collect()
            }
        };
        self.audit(records).await?;
        Ok(found)
    }

    /// Adds a note to a citizen's monitoring record (at most 4,000 characters), optionally
    /// about one of the citizen's care plans.
    pub async fn add_note(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        plan: Option<CarePlanId>,
        text: impl AsRef<str>,
        important: bool,
    ) -> Result<Note> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Write(DataCategory::Clinical),
                AuditAction::Create,
                "note",
            )
            .await?;
        let Some(author_id) = ctx.principal.user_id() else {
            return Err(DbError::forbidden("only a staff member writes notes"));
        };
        let Some(text) = bounded_text(Some(text.as_ref()), MAX_NOTE_CHARS, "a note")? else {
            return Err(DomainError::invalid("a note needs a text").into());
        };
        let note = Note {
            id: uuid::Uuid::now_v7(),
            citizen_id: citizen,
            care_plan_id: plan,
            important,
            text,
            author_id,
            author_name: ctx.principal.display_name().to_string(),
            created_at: Timestamp::now(),
        };
        let mut record = ctx.record(
            &decision,
            AuditAction::Create,
            "note",
            Some(citizen),
            Some(DataCategory::Clinical),
        );
        record.entity_id = Some(note.id.to_string());
        let records = [record];
        let n = &note;
        on_write!(self, |tx| {
            if let Some(plan) = plan {
                let owner: Option<uuid::Uuid> =
                    sqlx::query_scalar("SELECT citizen_id FROM care_plans WHERE id = $1")
                        .bind(plan.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if owner != Some(citizen.0) {
                    return Err(DbError::not_found("care plan"));
                }
            }
            sqlx::query(
                "INSERT INTO monitoring_notes (id, citizen_id, care_plan_id, important, text, author_id, author_name, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(n.id)
            .bind(citizen.0)
            .bind(plan.map(|p| p.0))
            .bind(n.important)
            .bind(&n.text)
            .bind(n.author_id.0)
            .bind(&n.author_name)
            .bind(n.created_at.0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(note)
    }

    /// A citizen's monitoring notes, newest first.
    pub async fn notes_of(&self, ctx: &AccessCtx, citizen: CitizenId) -> Result<Vec<Note>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "note",
                None,
            )
            .await?;
        let notes = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT id, citizen_id, care_plan_id, important, text, author_id, author_name, created_at \
                 FROM monitoring_notes WHERE citizen_id = $1 ORDER BY created_at DESC, id DESC",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Note {
                        id: r.try_get("id")?,
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        care_plan_id: r
                            .try_get::<Option<uuid::Uuid>, _>("care_plan_id")?
                            .map(CarePlanId),
                        important: r.try_get("important")?,
                        text: r.try_get("text")?,
                        author_id: UserId(r.try_get("author_id")?),
                        author_name: r.try_get("author_name")?,
                        created_at: Timestamp(r.try_get("created_at")?),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![record]).await?;
        Ok(notes)
    }

    /// The messages between a citizen and their care teams, newest first: the citizen's own,
    /// or for staff who may read the citizen's clinical data.
    pub async fn messages_of(&self, ctx: &AccessCtx, citizen: CitizenId) -> Result<Vec<Message>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "message",
                None,
            )
            .await?;
        let messages = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT id, citizen_id, direction, author_name, text, created_at, read_at \
                 FROM messages WHERE citizen_id = $1 ORDER BY created_at DESC, id DESC",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Message {
                        id: r.try_get("id")?,
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        direction: MessageDirection::parse(&r.try_get::<String, _>("direction")?)?,
                        author_name: r.try_get("author_name")?,
                        text: r.try_get("text")?,
                        created_at: Timestamp(r.try_get("created_at")?),
                        read_at: r.try_get::<Option<i64>, _>("read_at")?.map(Timestamp),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![record]).await?;
        Ok(messages)
    }

    /// The citizen has read the messages sent to them: only the citizen marks them. Returns
    /// how many were unread.
    pub async fn mark_messages_read(&self, ctx: &AccessCtx, citizen: CitizenId) -> Result<u64> {
        self.citizen_exists(citizen).await?;
        let own = matches!(&ctx.principal, Principal::Citizen { citizen_id, .. } if *citizen_id == citizen);
        if !own {
            let denial = refusal("only the citizen marks their messages read", None);
            self.audit(vec![ctx.record(
                &denial,
                AuditAction::Update,
                "message",
                Some(citizen),
                Some(DataCategory::Clinical),
            )])
            .await?;
            return Err(DbError::forbidden(denial.reason));
        }
        let allowed = Decision {
            allowed: true,
            via: None,
            reason: "own data",
        };
        let records = [ctx.record(
            &allowed,
            AuditAction::Update,
            "message",
            Some(citizen),
            Some(DataCategory::Clinical),
        )];
        let now = Timestamp::now();
        on_write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE messages SET read_at = $1 WHERE citizen_id = $2 AND direction = 'to_citizen' AND read_at IS NULL",
            )
            .bind(now.0)
            .bind(citizen.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            crate::audit::insert_records!(tx, records)?;
            Ok(n)
        })
    }

    /// A programme's alarm burden in `[from, to)`: for its owning organisation (and that
    /// organisation's ancestors) and analysts; no citizen's data.
    pub async fn alarm_burden(
        &self,
        ctx: &AccessCtx,
        programme_id: ProgrammeId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<AlarmBurden> {
        let owner = self.programme(programme_id).await?.owner_org_id;
        let ancestors = self.organisation_ancestors(owner).await?;
        let decision = guard(
            self,
            ctx,
            Action::ReadProgrammeStatistics { org_id: owner },
            Resource::Organisation {
                id: owner,
                ancestors: &ancestors,
            },
            AuditAction::Read,
            "alarm_burden",
            None,
        )
        .await?;
        if from >= to {
            return Err(DomainError::invalid("the period must end after it starts").into());
        }
        // Days still to come are no days of monitoring.
        let until = to.0.min(Timestamp::now().0);
        let (plans, alarms) = on_read!(self, |c| {
            let plans = sqlx::query(
                "SELECT cp.id, cp.started_at, cp.ended_at, ch.kind, ch.changed_at \
                 FROM care_plans cp JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                 LEFT JOIN care_plan_changes ch ON ch.care_plan_id = cp.id AND ch.kind IN ('paused','resumed') \
                 WHERE pv.programme_id = $1 AND cp.started_at < $2 AND (cp.ended_at IS NULL OR cp.ended_at > $3) \
                 ORDER BY cp.id, ch.changed_at, ch.id",
            )
            .bind(programme_id.0)
            .bind(to.0)
            .bind(from.0)
            .fetch_all(&mut *c)
            .await?;
            let mut by_plan: BTreeMap<uuid::Uuid, PlanSpan> = BTreeMap::new();
            for r in &plans {
                let span = by_plan.entry(r.try_get("id")?).or_insert(PlanSpan {
                    started: r.try_get("started_at")?,
                    ended: r.try_get("ended_at")?,
                    changes: Vec::new(),
                });
                let kind: Option<String> = r.try_get("kind")?;
                let at: Option<i64> = r.try_get("changed_at")?;
                if let (Some(kind), Some(at)) = (kind, at) {
                    span.changes.push((kind, at));
                }
            }
            let rows = sqlx::query(
                "SELECT a.findings, a.acknowledged_at, a.action_taken \
                 FROM assessments a JOIN care_plans cp ON cp.id = a.care_plan_id \
                 JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                 WHERE pv.programme_id = $1 AND a.colour IN ('yellow','red') AND a.result_at >= $2 AND a.result_at < $3",
            )
            .bind(programme_id.0)
            .bind(from.0)
            .bind(to.0)
            .fetch_all(&mut *c)
            .await?;
            let mut alarms = Vec::with_capacity(rows.len());
            for r in &rows {
                let findings: Vec<FiredRule> = from_json(&r.try_get::<String, _>("findings")?)?;
                let acknowledged: Option<i64> = r.try_get("acknowledged_at")?;
                let action: Option<bool> = r.try_get("action_taken")?;
                alarms.push((findings, acknowledged.is_some(), action.unwrap_or(false)));
            }
            Ok::<_, DbError>((by_plan, alarms))
        })?;

        let active: i64 = plans
            .values()
            .map(|p| active_us(from.0, until, p.started, p.ended, &p.changes))
            .sum();
        let citizen_days = active as f64 / DAY_US;
        let per_100 = |n: u64| (citizen_days > 0.0).then(|| n as f64 * 100.0 / citizen_days);
        let mut by_rule: HashMap<(String, Colour), u64> = HashMap::new();
        let (mut acknowledged, mut without_action) = (0u64, 0u64);
        for (findings, ack, action) in &alarms {
            let fired: BTreeSet<(String, Colour)> = findings
                .iter()
                .filter(|f| matches!(f.colour, Colour::Yellow | Colour::Red))
                .map(|f| (f.rule.key(), f.colour))
                .collect();
            for k in fired {
                *by_rule.entry(k).or_default() += 1;
            }
            if *ack {
                acknowledged += 1;
                if !action {
                    without_action += 1;
                }
            }
        }
        let mut by_rule: Vec<RuleBurden> = by_rule
            .into_iter()
            .map(|((rule, colour), n)| RuleBurden {
                rule,
                colour,
                alarms: n,
                per_100_citizen_days: per_100(n),
            })
            .collect();
        by_rule.sort_by(|a, b| {
            b.alarms
                .cmp(&a.alarms)
                .then(b.colour.cmp(&a.colour))
                .then(a.rule.cmp(&b.rule))
        });
        let total = alarms.len() as u64;
        let mut record = ctx.record(&decision, AuditAction::Read, "alarm_burden", None, None);
        record.entity_id = Some(programme_id.to_string());
        self.audit(vec![record]).await?;
        Ok(AlarmBurden {
            programme_id,
            from,
            to,
            citizen_days,
            alarms: total,
            alarms_per_100_citizen_days: per_100(total),
            by_rule,
            acknowledged,
            acknowledged_without_action: without_action,
            share_without_action: (acknowledged > 0)
                .then(|| without_action as f64 / acknowledged as f64),
        })
    }
}

/// What alarm burden reads of a stored finding: its colour and rule (not its sentence).
#[derive(Deserialize)]
struct FiredRule {
    colour: Colour,
    rule: RuleRef,
}

/// A plan's life for alarm burden: started, ended, and its pauses and resumptions in order.
struct PlanSpan {
    started: i64,
    ended: Option<i64>,
    changes: Vec<(String, i64)>,
}

/// What [`Db::change_task`] does.
enum TaskChange {
    Take,
    Release,
    Complete(Option<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    #[test]
    fn active_time_is_the_plans_span_in_the_period_minus_its_pauses() {
        // Period 0..100h; plan from 10h, paused 20h–30h, paused again from 90h.
        let changes = vec![
            ("paused".to_string(), 20 * H),
            ("resumed".to_string(), 30 * H),
            ("paused".to_string(), 90 * H),
        ];
        assert_eq!(active_us(0, 100 * H, 10 * H, None, &changes), 70 * H);
        assert_eq!(
            active_us(0, 100 * H, 10 * H, Some(50 * H), &changes),
            30 * H
        );
        assert_eq!(active_us(60 * H, 100 * H, 10 * H, None, &[]), 40 * H);
        assert_eq!(active_us(0, 5 * H, 10 * H, None, &[]), 0);
    }

    #[test]
    fn team_condition_numbers_its_parameters() {
        let teams = Teams::Of {
            user: uuid::Uuid::nil(),
            orgs: vec![uuid::Uuid::nil(), uuid::Uuid::max()],
        };
        assert_eq!(teams.params(), 4);
        let sql = teams.condition("t.care_team_id", 4);
        assert!(sql.contains("m.org_id IN ($6, $7)"), "{sql}");
        assert!(sql.contains("m.user_id = $4") && sql.contains("m.valid_from <= $5"));
        let none = Teams::Of {
            user: uuid::Uuid::nil(),
            orgs: vec![],
        };
        assert_eq!(
            (none.params(), none.condition("x", 1).as_str()),
            (0, " AND 1 = 0")
        );
        assert_eq!(Teams::All.condition("x", 1), "");
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(bounded_text(Some("  "), 5, "x").unwrap(), None);
        assert_eq!(bounded_text(Some(" æøå "), 3, "x").unwrap().unwrap(), "æøå");
        assert_eq!(
            bounded_text(Some("abcdef"), 5, "x").unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(page_size(0).unwrap(), DEFAULT_PAGE);
        assert_eq!(page_size(10_000).unwrap(), MAX_PAGE);
        assert!(page_size(-1).is_err());
    }
}
