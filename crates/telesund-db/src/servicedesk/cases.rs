//! Cases: opening, reading, acting on them, the agents' queue and the citizen's rating. Each
//! change is one transaction: the case row (status, clocks, next deadline), its timeline
//! entries, whatever the action sends (an SMS in the outbox, a task for the care team) and
//! the audit record. The lifecycle itself is `telesund_core::servicedesk::case::CaseState`.

use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::equipment::units::{actor, support_record};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::access::{Action, DataCategory, Principal};
use telesund_core::audit::{AuditAction, AuditRecord};
use telesund_core::equipment::order::{OrderStatus, ServiceType};
use telesund_core::ids::*;
use telesund_core::monitoring::assess::TaskCategory;
use telesund_core::servicedesk::case::{
    CaseEvent, CaseState, CaseStatus, Category, Channel, Impact, Priority, RequesterKind, Urgency,
    check_rating, check_subject,
};
use telesund_core::servicedesk::sla::BusinessCalendar;
use telesund_core::{DomainError, ErrorCode, Timestamp};

/// A case as the desk sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub number: i64,
    pub centre_org_id: OrgId,
    pub citizen_id: Option<CitizenId>,
    pub citizen_name: Option<String>,
    pub requester_kind: RequesterKind,
    pub requester_name: String,
    pub requester_user_id: Option<UserId>,
    pub channel: Channel,
    pub category: Category,
    pub subject: String,
    pub status: CaseStatus,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub state: CaseState,
    /// When the first running clock reaches its target.
    pub due_at: Option<Timestamp>,
    /// The highest escalation level notified so far (0–3).
    pub escalation: i64,
    pub assignee_user_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub unit_id: Option<UnitId>,
    pub unit_serial: Option<String>,
    pub model_id: Option<ModelId>,
    pub model_name: Option<String>,
    pub payer_org_id: Option<OrgId>,
    pub care_plan_id: Option<CarePlanId>,
    pub task_id: Option<TaskId>,
    pub merged_into: Option<CaseId>,
    pub resolution: Option<String>,
    pub first_contact: bool,
    pub data_flowing_at: Option<Timestamp>,
    pub opened_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// One entry of a case's timeline.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseEntry {
    pub at: Timestamp,
    pub kind: String,
    /// Whether the citizen sees it (their own case in the portal) or only staff.
    pub citizen_visible: bool,
    pub text: String,
    /// What the entry made or used: an order, a task, an article, another case.
    pub reference: Option<String>,
    pub by_name: String,
}

/// A citizen's rating of the help.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rating {
    pub score: i64,
    pub comment: String,
    pub via: String,
    pub rated_at: Timestamp,
}

/// A case with its timeline and rating. For the citizen (or a staff requester) the timeline
/// holds only what they may see.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CasePage {
    pub case: Case,
    pub timeline: Vec<CaseEntry>,
    pub rating: Option<Rating>,
    /// The clocks as they stand now: (clock, state), and the centre's calendar they run on.
    pub clocks: Vec<(
        telesund_core::servicedesk::case::ClockName,
        telesund_core::servicedesk::sla::ClockState,
    )>,
}

/// Who asked, when the desk registers it for someone else (a call matched to a relative).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    pub kind: RequesterKind,
    pub name: String,
}

/// What a new case is opened with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    #[serde(default)]
    pub citizen_id: Option<CitizenId>,
    /// Who is asking, when an agent registers the case; otherwise the signed-in person.
    #[serde(default)]
    pub requester: Option<Requester>,
    pub channel: Channel,
    pub category: Category,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    pub impact: Impact,
    pub urgency: Urgency,
    /// The acute lane: a high-risk citizen whose monitoring has stopped.
    #[serde(default)]
    pub acute: bool,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// The call the case was opened from.
    #[serde(default)]
    pub call_id: Option<CallId>,
}

/// The channels a message to the citizen goes by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageChannel {
    Sms,
    Email,
}

/// Everything that can be done to a case.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseAction {
    /// Take the case (no user: the caller takes it) or hand it to a colleague.
    Assign {
        #[serde(default)]
        user_id: Option<UserId>,
    },
    /// An internal note (call notes): the citizen does not see it.
    Note {
        text: String,
    },
    /// An answer the citizen sees on their case (the portal) — and from the citizen, their
    /// reply, which brings a case waiting for them back to the desk.
    Reply {
        text: String,
    },
    /// An SMS or e-mail to the citizen through the notification outbox.
    SendMessage {
        channel: MessageChannel,
        text: String,
    },
    /// A guide followed with the caller (or sent to them).
    UseArticle {
        article_id: ArticleId,
        #[serde(default)]
        sent_to_citizen: bool,
    },
    Wait {
        status: CaseStatus,
        #[serde(default)]
        note: String,
    },
    Resume {
        #[serde(default)]
        note: String,
    },
    Reprioritise {
        impact: Impact,
        urgency: Urgency,
        #[serde(default)]
        acute: bool,
    },
    Categorise {
        category: Category,
    },
    /// Fixed on the phone (a restart, a re-pairing): recorded and resolved.
    RemoteFix {
        text: String,
    },
    /// The unit is faulty: a REPLACE order and its visit; the case waits for the visit.
    SwapDevice {
        unit_id: UnitId,
        fault: String,
    },
    /// A technician's visit (training, calibration, maintenance, repair on site).
    BookTechnician {
        unit_id: UnitId,
        service: ServiceType,
        note: String,
    },
    /// The call revealed a clinical concern: a task for the citizen's care team with the
    /// agent's note. The desk gives no clinical advice.
    HandOverClinical {
        note: String,
    },
    Resolve {
        resolution: String,
    },
    Reopen {
        #[serde(default)]
        reason: String,
    },
    Close,
    /// This case is a duplicate of another, which goes on.
    Merge {
        into: CaseId,
    },
}

/// Which cases the queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueView {
    /// Everything not resolved or closed, the next deadline first.
    All,
    Mine,
    /// Not assigned to anyone yet.
    Unassigned,
    /// Running clocks due within the next working hour, or breached.
    BreachingSoon,
    WaitingForCitizen,
    /// Resolved and closed, newest first.
    Done,
}

/// A line of the queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueLine {
    pub case: Case,
    /// The worst clock state now.
    pub escalation_now: u8,
}

pub(crate) const CASE_COLUMNS: &str = "c.id, c.number, c.centre_org_id, c.citizen_id, \
    ci.given_name || ' ' || ci.family_name AS citizen_name, c.requester_kind, c.requester_name, c.requester_user_id, \
    c.channel, c.category, c.subject, c.status, c.impact, c.urgency, c.priority, c.state, c.due_at, c.escalation, \
    c.assignee_user_id, c.assignee_name, c.unit_id, u.serial AS unit_serial, c.model_id, \
    m.manufacturer || ' ' || m.name AS model_name, c.payer_org_id, c.care_plan_id, c.task_id, c.merged_into, \
    c.resolution, c.first_contact, c.data_flowing_at, c.opened_at, c.first_response_at, c.resolved_at, \
    c.closed_at, c.updated_at \
    FROM service_cases c LEFT JOIN citizens ci ON ci.id = c.citizen_id \
    LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN device_models m ON m.id = c.model_id";

macro_rules! case_from_row {
    ($r:expr) => {{
        let r = $r;
        let ts = |name: &str| -> Result<Option<Timestamp>> {
            Ok(r.try_get::<Option<i64>, _>(name)?.map(Timestamp))
        };
        let state: String = r.try_get("state")?;
        Case {
            id: CaseId(r.try_get("id")?),
            number: r.try_get("number")?,
            centre_org_id: OrgId(r.try_get("centre_org_id")?),
            citizen_id: r
                .try_get::<Option<uuid::Uuid>, _>("citizen_id")?
                .map(CitizenId),
            citizen_name: r.try_get("citizen_name")?,
            requester_kind: RequesterKind::parse(&r.try_get::<String, _>("requester_kind")?)?,
            requester_name: r.try_get("requester_name")?,
            requester_user_id: r
                .try_get::<Option<uuid::Uuid>, _>("requester_user_id")?
                .map(UserId),
            channel: Channel::parse(&r.try_get::<String, _>("channel")?)?,
            category: Category::parse(&r.try_get::<String, _>("category")?)?,
            subject: r.try_get("subject")?,
            status: CaseStatus::parse(&r.try_get::<String, _>("status")?)?,
            impact: Impact::parse(&r.try_get::<String, _>("impact")?)?,
            urgency: Urgency::parse(&r.try_get::<String, _>("urgency")?)?,
            priority: Priority::parse(&r.try_get::<String, _>("priority")?)?,
            state: serde_json::from_str::<CaseState>(&state)
                .map_err(|e| DbError::Internal(format!("stored case state: {e}")))?,
            due_at: ts("due_at")?,
            escalation: r.try_get("escalation")?,
            assignee_user_id: r
                .try_get::<Option<uuid::Uuid>, _>("assignee_user_id")?
                .map(UserId),
            assignee_name: r.try_get("assignee_name")?,
            unit_id: r.try_get::<Option<uuid::Uuid>, _>("unit_id")?.map(UnitId),
            unit_serial: r.try_get("unit_serial")?,
            model_id: r.try_get::<Option<uuid::Uuid>, _>("model_id")?.map(ModelId),
            model_name: r.try_get("model_name")?,
            payer_org_id: r
                .try_get::<Option<uuid::Uuid>, _>("payer_org_id")?
                .map(OrgId),
            care_plan_id: r
                .try_get::<Option<uuid::Uuid>, _>("care_plan_id")?
                .map(CarePlanId),
            task_id: r.try_get::<Option<uuid::Uuid>, _>("task_id")?.map(TaskId),
            merged_into: r
                .try_get::<Option<uuid::Uuid>, _>("merged_into")?
                .map(CaseId),
            resolution: r.try_get("resolution")?,
            first_contact: r.try_get("first_contact")?,
            data_flowing_at: ts("data_flowing_at")?,
            opened_at: Timestamp(r.try_get("opened_at")?),
            first_response_at: ts("first_response_at")?,
            resolved_at: ts("resolved_at")?,
            closed_at: ts("closed_at")?,
            updated_at: Timestamp(r.try_get("updated_at")?),
        }
    }};
}
pub(crate) use case_from_row;

/// A timeline entry about to be written.
pub(crate) struct Entry {
    pub kind: &'static str,
    pub citizen_visible: bool,
    pub text: String,
    pub reference: Option<String>,
}

impl Entry {
    pub(crate) fn internal(kind: &'static str, text: impl Into<String>) -> Entry {
        Entry {
            kind,
            citizen_visible: false,
            text: text.into(),
            reference: None,
        }
    }
    pub(crate) fn public(kind: &'static str, text: impl Into<String>) -> Entry {
        Entry {
            kind,
            citizen_visible: true,
            text: text.into(),
            reference: None,
        }
    }
    pub(crate) fn with_ref(mut self, r: impl ToString) -> Entry {
        self.reference = Some(r.to_string());
        self
    }
}

/// Writes timeline entries inside a transaction.
macro_rules! insert_entries {
    ($tx:expr, $case:expr, $entries:expr, $at:expr, $by_user:expr, $by_name:expr) => {
        for e in $entries {
            sqlx::query(
                "INSERT INTO case_events (id, case_id, at, kind, visibility, text, ref, by_user_id, by_name) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(CaseEventId::new().0)
            .bind($case.0)
            .bind($at.0)
            .bind(e.kind)
            .bind(if e.citizen_visible { "citizen" } else { "internal" })
            .bind(&e.text)
            .bind(e.reference.as_deref())
            .bind($by_user)
            .bind($by_name)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use insert_entries;

/// Stores a case's changed row, only if nobody changed it since it was read.
macro_rules! update_case {
    ($tx:expr, $c:expr, $was_updated_at:expr) => {{
        let c = $c;
        let state = serde_json::to_string(&c.state)
            .map_err(|e| DbError::Internal(format!("case state: {e}")))?;
        let n = sqlx::query(
            "UPDATE service_cases SET status = $1, impact = $2, urgency = $3, priority = $4, state = $5, due_at = $6, \
             escalation = $7, assignee_user_id = $8, assignee_name = $9, category = $10, unit_id = $11, model_id = $12, \
             merged_into = $13, resolution = $14, first_contact = $15, data_flowing_at = $16, first_response_at = $17, \
             resolved_at = $18, closed_at = $19, updated_at = $20 WHERE id = $21 AND updated_at = $22",
        )
        .bind(c.status.as_str())
        .bind(c.impact.as_str())
        .bind(c.urgency.as_str())
        .bind(c.priority.as_str())
        .bind(&state)
        .bind(c.due_at.map(|t| t.0))
        .bind(c.escalation)
        .bind(c.assignee_user_id.map(|u| u.0))
        .bind(c.assignee_name.as_deref())
        .bind(c.category.as_str())
        .bind(c.unit_id.map(|u| u.0))
        .bind(c.model_id.map(|u| u.0))
        .bind(c.merged_into.map(|u| u.0))
        .bind(c.resolution.as_deref())
        .bind(c.first_contact)
        .bind(c.data_flowing_at.map(|t| t.0))
        .bind(c.first_response_at.map(|t| t.0))
        .bind(c.resolved_at.map(|t| t.0))
        .bind(c.closed_at.map(|t| t.0))
        .bind(c.updated_at.0)
        .bind(c.id.0)
        .bind($was_updated_at.0)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(DbError::conflict(
                ErrorCode::Conflict,
                format!("case {} changed meanwhile; reload it", c.number),
            ));
        }
    }};
}
pub(crate) use update_case;

/// What a new case starts from; everything else about it starts empty.
pub(crate) struct Opening {
    pub id: CaseId,
    pub centre: OrgId,
    pub citizen: Option<CitizenId>,
    pub requester_kind: RequesterKind,
    pub requester_name: String,
    pub requester_user: Option<UserId>,
    pub channel: Channel,
    pub category: Category,
    pub subject: String,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub unit: Option<UnitId>,
    pub model: Option<ModelId>,
    pub payer: Option<OrgId>,
    pub plan: Option<CarePlanId>,
    pub task: Option<TaskId>,
}

impl Case {
    /// A new case at `at`: its clocks start, its first deadline is set.
    pub(crate) fn opened(o: Opening, cal: &BusinessCalendar, at: Timestamp) -> Case {
        let mut case = Case {
            id: o.id,
            number: 0,
            centre_org_id: o.centre,
            citizen_id: o.citizen,
            citizen_name: None,
            requester_kind: o.requester_kind,
            requester_name: o.requester_name,
            requester_user_id: o.requester_user,
            channel: o.channel,
            category: o.category,
            subject: o.subject,
            status: CaseStatus::New,
            impact: o.impact,
            urgency: o.urgency,
            priority: o.priority,
            state: CaseState::open(o.priority, at),
            due_at: None,
            escalation: 0,
            assignee_user_id: None,
            assignee_name: None,
            unit_id: o.unit,
            unit_serial: None,
            model_id: o.model,
            model_name: None,
            payer_org_id: o.payer,
            care_plan_id: o.plan,
            task_id: o.task,
            merged_into: None,
            resolution: None,
            first_contact: false,
            data_flowing_at: None,
            opened_at: at,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            updated_at: at,
        };
        case.refresh(cal, at);
        case
    }

    /// Applies a lifecycle event and sets what follows from it: the status, the next
    /// deadline, the escalation level, and the times of the first answer, resolution and
    /// closing.
    pub(crate) fn step(
        &mut self,
        event: &CaseEvent,
        at: Timestamp,
        cal: &BusinessCalendar,
    ) -> std::result::Result<(), DomainError> {
        let next = self.state.apply(event, at)?;
        if next.responded && self.first_response_at.is_none() {
            self.first_response_at = Some(at);
        }
        match next.status {
            CaseStatus::Resolved if self.status != CaseStatus::Resolved => {
                self.resolved_at = Some(at);
                self.first_contact = next.first_contact(self.opened_at, at);
            }
            CaseStatus::Closed => self.closed_at = Some(at),
            CaseStatus::Open if self.status == CaseStatus::Resolved => {
                self.resolved_at = None;
                self.first_contact = false;
            }
            _ => {}
        }
        self.status = next.status;
        self.priority = next.priority;
        self.state = next;
        self.refresh(cal, at);
        Ok(())
    }

    /// The next deadline and the escalation level as the clocks stand at `now`.
    pub(crate) fn refresh(&mut self, cal: &BusinessCalendar, now: Timestamp) {
        self.due_at = self.state.next_due(cal, now);
        self.escalation = self.state.escalation_level(cal, now) as i64;
        self.updated_at = now;
    }
}

/// Where a new case's organisation-level facts come from: the unit (model, payer) or the
/// citizen's first active enrolment (payer).
struct CaseContext {
    model: Option<ModelId>,
    payer: Option<OrgId>,
}

impl Db {
    pub(crate) async fn load_case(&self, id: CaseId) -> Result<Case> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("case"))?;
            Ok(case_from_row!(&r))
        })
    }

    /// The service centre new cases go to: the one with a desk set up (the first by name),
    /// else the first service centre.
    pub(crate) async fn default_centre(&self) -> Result<OrgId> {
        if let Some(d) = self.desks().await?.into_iter().next() {
            return Ok(d.org_id);
        }
        let org: Option<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar(
                "SELECT id FROM organisations WHERE kind = 'service_centre' ORDER BY name LIMIT 1",
            )
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        org.map(OrgId).ok_or_else(|| {
            DbError::conflict(ErrorCode::Conflict, "no service centre runs a service desk")
        })
    }

    async fn case_context(
        &self,
        citizen: Option<CitizenId>,
        unit: Option<UnitId>,
    ) -> Result<CaseContext> {
        if let Some(u) = unit {
            let s = self.unit_summary(u).await?;
            if citizen.is_some() && s.holder != citizen {
                return Err(DomainError::invalid(format!(
                    "unit {} is not with this citizen",
                    s.unit.pi.serial
                ))
                .into());
            }
            let payer: Option<uuid::Uuid> = on_read!(self, |c| {
                sqlx::query_scalar(
                    "SELECT payer_org_id FROM unit_assignments WHERE unit_id = $1 AND ended_at IS NULL ORDER BY started_at LIMIT 1",
                )
                .bind(u.0)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
            })?;
            return Ok(CaseContext {
                model: Some(s.model.id),
                payer: payer.map(OrgId),
            });
        }
        let payer = match citizen {
            Some(c) => self.first_enrolling_org(c).await?,
            None => None,
        };
        Ok(CaseContext { model: None, payer })
    }

    /// The organisation of a citizen's first active enrolment: who pays for their support.
    pub(crate) async fn first_enrolling_org(&self, citizen: CitizenId) -> Result<Option<OrgId>> {
        let org: Option<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar(
                "SELECT org_id FROM enrolments WHERE citizen_id = $1 AND status = 'active' ORDER BY started_at LIMIT 1",
            )
            .bind(citizen.0)
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        Ok(org.map(OrgId))
    }

    /// Opens a case. The desk registers any channel but automatic; a citizen asks from the
    /// portal (web, about themselves); other staff ask from the staff portal (web, about
    /// themselves or a citizen in their care). Writing a citizen's case is a support write.
    pub async fn open_case(&self, ctx: &AccessCtx, new: NewCase) -> Result<CasePage> {
        check_subject(&new.subject)?;
        if new.description.chars().count() > 10_000 {
            return Err(DomainError::invalid("a description is at most 10,000 characters").into());
        }
        let desk = super::works_desk(ctx);
        let (citizen, requester, channel, requester_user) = match &ctx.principal {
            Principal::Citizen { citizen_id, name } => {
                if new.citizen_id.is_some_and(|c| c != *citizen_id) {
                    return Err(DbError::forbidden("citizens ask for help for themselves"));
                }
                (
                    Some(*citizen_id),
                    Requester {
                        kind: RequesterKind::Citizen,
                        name: name.clone(),
                    },
                    Channel::Web,
                    None,
                )
            }
            Principal::System => (
                new.citizen_id,
                Requester {
                    kind: RequesterKind::System,
                    name: "Telesund".into(),
                },
                Channel::Automatic,
                None,
            ),
            Principal::Staff { user_id, name, .. } => {
                if desk {
                    if new.channel == Channel::Automatic {
                        return Err(DomainError::invalid(
                            "automatic cases are opened by the platform",
                        )
                        .into());
                    }
                    let requester = new.requester.clone().unwrap_or(Requester {
                        kind: if new.citizen_id.is_some() {
                            RequesterKind::Citizen
                        } else {
                            RequesterKind::Staff
                        },
                        name: match new.citizen_id {
                            Some(c) => self.citizen_name(c).await?,
                            None => name.clone(),
                        },
                    });
                    let user = (requester.kind == RequesterKind::Staff && new.requester.is_none())
                        .then_some(*user_id);
                    (new.citizen_id, requester, new.channel, user)
                } else {
                    (
                        new.citizen_id,
                        Requester {
                            kind: RequesterKind::Staff,
                            name: name.clone(),
                        },
                        Channel::Web,
                        Some(*user_id),
                    )
                }
            }
        };
        if requester.name.trim().is_empty() {
            return Err(DomainError::invalid("who is asking?").into());
        }
        let id = CaseId::new();
        // A citizen's case is a support write on the citizen; a staff request about no
        // citizen touches nobody's data.
        let records = self
            .case_write_records(ctx, citizen, id, AuditAction::Create)
            .await?;
        if let Some(call) = new.call_id {
            if !desk {
                return Err(DbError::forbidden("only the desk links a case to a call"));
            }
            if self.load_call_answered(call).await?.is_none() {
                return Err(DbError::conflict(
                    ErrorCode::Conflict,
                    "answer the call before opening a case from it",
                ));
            }
        }
        let facts = self.case_context(citizen, new.unit_id).await?;
        let centre = self.default_centre().await?;
        let cal = self.desk_calendar(centre).await?;
        let now = Timestamp::now();
        // Only the desk weighs a case; anyone else's question starts as a normal one, and
        // the desk raises it if it is more.
        let (impact, urgency, acute) = if desk || matches!(ctx.principal, Principal::System) {
            (new.impact, new.urgency, new.acute)
        } else {
            (Impact::Medium, Urgency::Medium, false)
        };
        let priority = if acute {
            Priority::Acute
        } else {
            Priority::from_matrix(impact, urgency)
        };
        let case = Case::opened(
            Opening {
                id,
                centre,
                citizen,
                requester_kind: requester.kind,
                requester_name: requester.name.trim().to_string(),
                requester_user,
                channel,
                category: new.category,
                subject: new.subject.trim().to_string(),
                impact,
                urgency,
                priority,
                unit: new.unit_id,
                model: facts.model,
                payer: facts.payer,
                plan: None,
                task: None,
            },
            &cal,
            now,
        );
        let mut opened = format!("{} ({})", case.subject, channel);
        if !new.description.trim().is_empty() {
            opened = format!("{}\n\n{}", case.subject, new.description.trim());
        }
        let entries = vec![Entry::public("opened", opened)];
        self.insert_case(ctx, &case, new.call_id, entries, records)
            .await?;
        self.case(ctx, id).await
    }

    /// Writes a new case (its number drawn in the same transaction), its first timeline
    /// entries and audit records; marks the call it came from.
    pub(crate) async fn insert_case(
        &self,
        ctx: &AccessCtx,
        case: &Case,
        call: Option<CallId>,
        entries: Vec<Entry>,
        records: Vec<AuditRecord>,
    ) -> Result<i64> {
        let (by_user, by_name) = actor(ctx);
        let state = serde_json::to_string(&case.state)
            .map_err(|e| DbError::Internal(format!("case state: {e}")))?;
        on_write!(self, |tx| {
            let number: i64 = sqlx::query_scalar(
                "UPDATE counters SET value = value + 1 WHERE name = 'service_case' RETURNING value",
            )
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO service_cases (id, number, centre_org_id, citizen_id, requester_kind, requester_name, requester_user_id, \
                 channel, category, subject, status, impact, urgency, priority, state, due_at, escalation, unit_id, model_id, \
                 payer_org_id, care_plan_id, task_id, opened_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)",
            )
            .bind(case.id.0)
            .bind(number)
            .bind(case.centre_org_id.0)
            .bind(case.citizen_id.map(|c| c.0))
            .bind(case.requester_kind.as_str())
            .bind(&case.requester_name)
            .bind(case.requester_user_id.map(|u| u.0))
            .bind(case.channel.as_str())
            .bind(case.category.as_str())
            .bind(&case.subject)
            .bind(case.status.as_str())
            .bind(case.impact.as_str())
            .bind(case.urgency.as_str())
            .bind(case.priority.as_str())
            .bind(&state)
            .bind(case.due_at.map(|t| t.0))
            .bind(case.escalation)
            .bind(case.unit_id.map(|u| u.0))
            .bind(case.model_id.map(|u| u.0))
            .bind(case.payer_org_id.map(|u| u.0))
            .bind(case.care_plan_id.map(|u| u.0))
            .bind(case.task_id.map(|u| u.0))
            .bind(case.opened_at.0)
            .execute(&mut *tx)
            .await?;
            if let Some(call) = call {
                sqlx::query(
                    "UPDATE incoming_calls SET case_id = $1 WHERE id = $2 AND case_id IS NULL",
                )
                .bind(case.id.0)
                .bind(call.0)
                .execute(&mut *tx)
                .await?;
            }
            insert_entries!(tx, case.id, &entries, case.opened_at, by_user, &by_name);
            crate::audit::insert_records!(tx, records)?;
            Ok::<_, DbError>(number)
        })
    }

    /// A case with its timeline. The desk sees all of it (a support read of the citizen);
    /// the citizen it is about, or the member of staff who asked, sees what is meant for
    /// them.
    pub async fn case(&self, ctx: &AccessCtx, id: CaseId) -> Result<CasePage> {
        let case = self.load_case(id).await?;
        let full = self.authorize_case(ctx, &case, AuditAction::Read).await?;
        let cal = self.desk_calendar(case.centre_org_id).await?;
        let (timeline, rating) = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT at, kind, visibility, text, ref, by_name FROM case_events WHERE case_id = $1 ORDER BY at, id",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let timeline = rows
                .iter()
                .map(|r| {
                    Ok(CaseEntry {
                        at: Timestamp(r.try_get("at")?),
                        kind: r.try_get("kind")?,
                        citizen_visible: r.try_get::<String, _>("visibility")? == "citizen",
                        text: r.try_get("text")?,
                        reference: r.try_get("ref")?,
                        by_name: r.try_get("by_name")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let rating = sqlx::query(
                "SELECT score, comment, via, rated_at FROM case_ratings WHERE case_id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .map(|r| {
                Ok::<_, DbError>(Rating {
                    score: r.try_get("score")?,
                    comment: r.try_get("comment")?,
                    via: r.try_get("via")?,
                    rated_at: Timestamp(r.try_get("rated_at")?),
                })
            })
            .transpose()?;
            Ok::<_, DbError>((timeline, rating))
        })?;
        let timeline = timeline
            .into_iter()
            .filter(|e| full || e.citizen_visible)
            .collect();
        let clocks = case.state.clock_states(&cal, Timestamp::now());
        Ok(CasePage {
            case,
            timeline,
            rating,
            clocks,
        })
    }

    /// Decides who may read or act on a case, and audits it: the desk (a support access to
    /// the citizen); the citizen it is about; the member of staff who asked. Returns whether
    /// the caller sees the desk's side (internal notes).
    async fn authorize_case(
        &self,
        ctx: &AccessCtx,
        case: &Case,
        action: AuditAction,
    ) -> Result<bool> {
        let own_citizen = matches!(&ctx.principal, Principal::Citizen { citizen_id, .. } if Some(*citizen_id) == case.citizen_id);
        let own_request =
            case.requester_user_id.is_some() && ctx.principal.user_id() == case.requester_user_id;
        let full = super::works_desk(ctx) || matches!(ctx.principal, Principal::System);
        if !full && !own_citizen && !own_request {
            // Refused, and the refusal audited as the desk's guard does.
            self.desk_guard(ctx, action, "service_case").await?;
        }
        if let Some(citizen) = case.citizen_id {
            let category_action = if action == AuditAction::Read {
                Action::Read(DataCategory::Support)
            } else {
                Action::Write(DataCategory::Support)
            };
            let decision = self
                .guard_citizen(ctx, citizen, category_action, action, "service_case")
                .await?;
            if action == AuditAction::Read {
                let record = support_record(
                    ctx,
                    &decision,
                    action,
                    "service_case",
                    citizen,
                    Some(case.id.to_string()),
                );
                self.audit(vec![record]).await?;
            }
        }
        Ok(full)
    }

    /// Does something to a case; see [`CaseAction`]. Citizens may reply on their own case
    /// and reopen it; the rest is the desk's.
    pub async fn case_action(
        &self,
        ctx: &AccessCtx,
        id: CaseId,
        action: CaseAction,
    ) -> Result<CasePage> {
        let mut case = self.load_case(id).await?;
        let was = case.updated_at;
        let full = self.authorize_case(ctx, &case, AuditAction::Update).await?;
        let citizen_side = matches!(action, CaseAction::Reply { .. } | CaseAction::Reopen { .. });
        if !full && !citizen_side {
            self.desk_guard(ctx, AuditAction::Update, "service_case")
                .await?;
        }
        let cal = self.desk_calendar(case.centre_org_id).await?;
        let now = Timestamp::now();
        let mut entries: Vec<Entry> = Vec::new();
        let mut effects = Effects::default();
        let text_of = |t: &str, what: &str| -> Result<String> {
            let t = t.trim();
            if t.is_empty() {
                return Err(DomainError::invalid(format!("write {what}")).into());
            }
            if t.chars().count() > 10_000 {
                return Err(
                    DomainError::invalid(format!("{what} is at most 10,000 characters")).into(),
                );
            }
            Ok(t.to_string())
        };
        match action {
            CaseAction::Assign { user_id } => {
                let (user, name) = match user_id {
                    None => match &ctx.principal {
                        Principal::Staff { user_id, name, .. } => (*user_id, name.clone()),
                        _ => return Err(DbError::forbidden("only staff take cases")),
                    },
                    Some(u) => (u, self.desk_member_name(u).await?),
                };
                case.step(&CaseEvent::Assign, now, &cal)?;
                case.assignee_user_id = Some(user);
                case.assignee_name = Some(name.clone());
                entries.push(Entry::internal("assigned", format!("Tildelt {name}")));
            }
            CaseAction::Note { text } => {
                let text = text_of(&text, "the note")?;
                if case.status == CaseStatus::Closed {
                    return Err(DomainError::new(ErrorCode::Conflict, "the case is closed").into());
                }
                entries.push(Entry::internal("note", text));
                case.updated_at = now;
            }
            CaseAction::Reply { text } => {
                let text = text_of(&text, "the reply")?;
                if full {
                    case.step(&CaseEvent::Respond, now, &cal)?;
                    entries.push(Entry::public("reply", text));
                } else {
                    // The citizen (or the staff requester) answers: a case waiting for them
                    // comes back to the desk.
                    if !case.status.is_active() {
                        return Err(DomainError::new(
                            ErrorCode::Conflict,
                            "the case is resolved; reopen it to write more",
                        )
                        .into());
                    }
                    if case.status == CaseStatus::PendingCitizen {
                        case.step(&CaseEvent::Resume, now, &cal)?;
                    } else {
                        case.updated_at = now;
                    }
                    entries.push(Entry::public("requester_reply", text));
                }
            }
            CaseAction::SendMessage { channel, text } => {
                let text = text_of(&text, "the message")?;
                let citizen = case.citizen_id.ok_or_else(|| {
                    DomainError::invalid("only a citizen's case sends messages to the citizen")
                })?;
                case.step(&CaseEvent::Respond, now, &cal)?;
                let ch = match channel {
                    MessageChannel::Sms => "sms",
                    MessageChannel::Email => "email",
                };
                effects
                    .outbox
                    .push((citizen, ch, "service_case", text.clone()));
                entries.push(Entry::public(
                    if ch == "sms" { "sms" } else { "email" },
                    text,
                ));
            }
            CaseAction::UseArticle {
                article_id,
                sent_to_citizen,
            } => {
                let title = self.article_title(article_id).await?;
                if sent_to_citizen {
                    case.step(&CaseEvent::Respond, now, &cal)?;
                    entries.push(
                        Entry::public("article", format!("Vejledning: {title}"))
                            .with_ref(article_id),
                    );
                } else {
                    case.updated_at = now;
                    entries.push(
                        Entry::internal("article", format!("Fulgte vejledningen «{title}»"))
                            .with_ref(article_id),
                    );
                }
            }
            CaseAction::Wait { status, note } => {
                case.step(&CaseEvent::Wait(status), now, &cal)?;
                let mut text = format!("Afventer: {}", waiting_for(status));
                if !note.trim().is_empty() {
                    text = format!("{text} — {}", note.trim());
                }
                entries.push(Entry::public("status", text));
            }
            CaseAction::Resume { note } => {
                case.step(&CaseEvent::Resume, now, &cal)?;
                let mut text = "Tilbage hos servicedesken".to_string();
                if !note.trim().is_empty() {
                    text = format!("{text} — {}", note.trim());
                }
                entries.push(Entry::internal("status", text));
            }
            CaseAction::Reprioritise {
                impact,
                urgency,
                acute,
            } => {
                let p = if acute {
                    Priority::Acute
                } else {
                    Priority::from_matrix(impact, urgency)
                };
                case.step(&CaseEvent::Reprioritise(p), now, &cal)?;
                case.impact = impact;
                case.urgency = urgency;
                entries.push(Entry::internal(
                    "priority",
                    format!("Prioritet: {p} (påvirkning {impact}, hast {urgency})"),
                ));
            }
            CaseAction::Categorise { category } => {
                if !case.status.is_active() {
                    return Err(
                        DomainError::new(ErrorCode::Conflict, "the case is resolved").into(),
                    );
                }
                case.category = category;
                case.updated_at = now;
                entries.push(Entry::internal("category", format!("Kategori: {category}")));
            }
            CaseAction::RemoteFix { text } => {
                let text = text_of(&text, "what was done")?;
                case.step(&CaseEvent::Respond, now, &cal)?;
                case.step(&CaseEvent::Resolve, now, &cal)?;
                case.resolution = Some(text.clone());
                entries.push(Entry::public("remote_fix", text));
            }
            CaseAction::SwapDevice { unit_id, fault } => {
                let fault = text_of(&fault, "the fault")?;
                self.unit_of_case_citizen(&case, unit_id).await?;
                may_wait_for_visit(&case, now)?;
                // The equipment module does the swap: a REPLACE order, accepted, and its
                // visit on the next working day. The faulty unit is marked swap pending
                // and goes to repair when collected.
                let order = self.order_replacement(ctx, unit_id, &fault).await?;
                let (day, visit) = self
                    .book_visit(ctx, &mut case, order.id, unit_id, now, &cal)
                    .await?;
                entries.push(
                    Entry::public(
                        "swap",
                        format!("Ny enhed bestilt; teknikeren kommer {day} (fejl: {fault})"),
                    )
                    .with_ref(order.id),
                );
                entries.push(
                    Entry::internal("visit", format!("Besøg planlagt {day}")).with_ref(visit.id),
                );
            }
            CaseAction::BookTechnician {
                unit_id,
                service,
                note,
            } => {
                let note = text_of(&note, "what the technician should do")?;
                self.unit_of_case_citizen(&case, unit_id).await?;
                may_wait_for_visit(&case, now)?;
                let order = self.order_service(ctx, unit_id, service, &note).await?;
                let (day, visit) = self
                    .book_visit(ctx, &mut case, order.id, unit_id, now, &cal)
                    .await?;
                entries.push(
                    Entry::public("visit", format!("En tekniker kommer {day} ({service})"))
                        .with_ref(visit.id),
                );
            }
            CaseAction::HandOverClinical { note } => {
                let note = text_of(&note, "the note for the care team")?;
                if case.status == CaseStatus::Closed {
                    return Err(DomainError::new(ErrorCode::Conflict, "the case is closed").into());
                }
                let citizen = case
                    .citizen_id
                    .ok_or_else(|| DomainError::invalid("a clinical concern is about a citizen"))?;
                let plans = self.active_plan_teams(citizen).await?;
                if plans.is_empty() {
                    return Err(DomainError::new(
                        ErrorCode::Conflict,
                        "the citizen has no active plan with a care team to hand over to",
                    )
                    .into());
                }
                for (plan, team, programme) in plans {
                    let task = TaskId::new();
                    effects.tasks.push((
                        task,
                        citizen,
                        plan,
                        team,
                        format!("Servicedesken (sag {}): {note}", case.number),
                    ));
                    entries.push(
                        Entry::internal(
                            "clinical_handover",
                            format!("Overdraget til plejeteamet ({programme}): {note}"),
                        )
                        .with_ref(task),
                    );
                }
                case.updated_at = now;
            }
            CaseAction::Resolve { resolution } => {
                let text = text_of(&resolution, "the resolution")?;
                case.step(&CaseEvent::Resolve, now, &cal)?;
                case.resolution = Some(text.clone());
                entries.push(Entry::public("resolved", text));
                if case.citizen_id.is_some() {
                    effects.rating_link = true;
                }
            }
            CaseAction::Reopen { reason } => {
                case.step(&CaseEvent::Reopen, now, &cal)?;
                case.resolution = None;
                let mut text = "Genåbnet".to_string();
                if !reason.trim().is_empty() {
                    text = format!("{text}: {}", reason.trim());
                }
                entries.push(Entry::public("reopened", text));
            }
            CaseAction::Close => {
                case.step(&CaseEvent::Close, now, &cal)?;
                entries.push(Entry::internal("closed", "Lukket"));
            }
            CaseAction::Merge { into } => {
                if into == case.id {
                    return Err(DomainError::invalid("a case cannot be merged into itself").into());
                }
                let target = self.load_case(into).await?;
                if !target.status.is_active() {
                    return Err(DomainError::new(
                        ErrorCode::Conflict,
                        format!("case {} is resolved; merge into a live case", target.number),
                    )
                    .into());
                }
                if target.citizen_id != case.citizen_id {
                    return Err(DomainError::invalid(
                        "only cases about the same citizen are merged",
                    )
                    .into());
                }
                case.step(&CaseEvent::MergeInto, now, &cal)?;
                case.merged_into = Some(into);
                entries.push(
                    Entry::public("merged", format!("Lagt sammen med sag {}", target.number))
                        .with_ref(into),
                );
                effects.merged_into = Some((into, case.number));
            }
        }
        let token = effects.rating_link.then(rating_token);
        if let (Some((plain, _)), Some(citizen)) = (&token, case.citizen_id) {
            effects.outbox.push((
                citizen,
                "sms",
                "service_rating",
                format!(
                    "Din henvendelse {} er løst. Hvordan var hjælpen? Giv 1-5 stjerner: {}",
                    case.number,
                    self.public_link(&format!("/hjaelp/bedoem/{plain}"))
                ),
            ));
        }
        let records = self
            .case_write_records(ctx, case.citizen_id, case.id, AuditAction::Update)
            .await?;
        let (by_user, by_name) = actor(ctx);
        on_write!(self, |tx| {
            update_case!(tx, &case, was);
            insert_entries!(tx, case.id, &entries, now, by_user, &by_name);
            if let Some((_, hash)) = &token {
                sqlx::query("UPDATE service_cases SET rating_token_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(case.id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            for (citizen, channel, kind, body) in &effects.outbox {
                sqlx::query(
                    "INSERT INTO notification_outbox (id, citizen_id, channel, kind, body, created_at, sent_at, attempts) \
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(citizen.0)
                .bind(*channel)
                .bind(*kind)
                .bind(body)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            for (task, citizen, plan, team, description) in &effects.tasks {
                sqlx::query(
                    "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, \
                     activity, window_start, window_end, description, oldest_result_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'yellow', 'urgent', 'requested', NULL, NULL, NULL, $6, $7, $7, $7)",
                )
                .bind(task.0)
                .bind(citizen.0)
                .bind(plan.0)
                .bind(team.0)
                .bind(TaskCategory::ServiceDesk.as_str())
                .bind(description)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((target, number)) = effects.merged_into {
                let entry =
                    [
                        Entry::internal("merged", format!("Sag {number} er lagt sammen hermed"))
                            .with_ref(case.id),
                    ];
                insert_entries!(tx, target, &entry, now, by_user, &by_name);
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.case(ctx, id).await
    }

    /// The audit record of writing a case: a support write on its citizen, decided (and a
    /// refusal audited) here; none for a case about no citizen.
    async fn case_write_records(
        &self,
        ctx: &AccessCtx,
        citizen: Option<CitizenId>,
        case: CaseId,
        action: AuditAction,
    ) -> Result<Vec<AuditRecord>> {
        let Some(c) = citizen else {
            return Ok(Vec::new());
        };
        let decision = self
            .guard_citizen(
                ctx,
                c,
                Action::Write(DataCategory::Support),
                action,
                "service_case",
            )
            .await?;
        Ok(vec![support_record(
            ctx,
            &decision,
            action,
            "service_case",
            c,
            Some(case.to_string()),
        )])
    }

    /// A unit must be with the case's citizen for the desk to swap it or send a technician.
    async fn unit_of_case_citizen(&self, case: &Case, unit: UnitId) -> Result<()> {
        let s = self.unit_summary(unit).await?;
        if case.citizen_id.is_none() || s.holder != case.citizen_id {
            return Err(DomainError::invalid(format!(
                "unit {} is not with this case's citizen",
                s.unit.pi.serial
            ))
            .into());
        }
        Ok(())
    }

    /// The desk's part of a visit order (a swap, a technician): accept it, book the next
    /// working day; the case names the unit and waits for the visit.
    async fn book_visit(
        &self,
        ctx: &AccessCtx,
        case: &mut Case,
        order: OrderId,
        unit: UnitId,
        now: Timestamp,
        cal: &BusinessCalendar,
    ) -> Result<(time::Date, crate::equipment::visits::Visit)> {
        self.change_order_status(ctx, order, OrderStatus::Accepted, "fra servicedesken")
            .await?;
        let day = next_visit_day();
        let visit = self.schedule_visit(ctx, order, day, None).await?;
        case.unit_id = Some(unit);
        case.model_id = Some(self.unit_summary(unit).await?.model.id);
        if case.status != CaseStatus::PendingVisit {
            case.step(&CaseEvent::Wait(CaseStatus::PendingVisit), now, cal)?;
        }
        Ok((day, visit))
    }

    /// A member of the desk a case may be handed to.
    async fn desk_member_name(&self, user: UserId) -> Result<String> {
        let name: Option<String> = on_read!(self, |c| {
            sqlx::query_scalar(
                "SELECT u.name FROM staff_users u JOIN memberships ms ON ms.user_id = u.id \
                 JOIN organisations o ON o.id = ms.org_id \
                 WHERE u.id = $1 AND u.active = $2 AND o.kind = 'service_centre' \
                 AND ms.role IN ('service_desk_agent','logistics_technician','org_admin') AND ms.valid_to IS NULL LIMIT 1",
            )
            .bind(user.0)
            .bind(true)
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        name.ok_or_else(|| {
            DomainError::invalid("cases are handed to members of the service desk").into()
        })
    }

    /// The citizen's active plans with their care teams and programme names.
    async fn active_plan_teams(
        &self,
        citizen: CitizenId,
    ) -> Result<Vec<(CarePlanId, CareTeamId, String)>> {
        let rows: Vec<(uuid::Uuid, uuid::Uuid, String)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT p.id, p.care_team_id, pr.name FROM care_plans p \
                 JOIN programme_versions v ON v.id = p.programme_version_id JOIN programmes pr ON pr.id = v.programme_id \
                 WHERE p.citizen_id = $1 AND p.status = 'active' ORDER BY p.started_at",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        // One task per team: two plans of one team are one concern for that team.
        let mut seen = Vec::new();
        Ok(rows
            .into_iter()
            .filter(|(_, team, _)| {
                let new = !seen.contains(team);
                seen.push(*team);
                new
            })
            .map(|(p, t, n)| (CarePlanId(p), CareTeamId(t), n))
            .collect())
    }

    async fn article_title(&self, id: ArticleId) -> Result<String> {
        let title: Option<String> = on_read!(self, |c| {
            sqlx::query_scalar("SELECT title FROM kb_articles WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        title.ok_or_else(|| DbError::not_found("article"))
    }

    /// The agents' queue. Each line names a citizen: every citizen shown is audited as a
    /// support read.
    pub async fn case_queue(&self, ctx: &AccessCtx, view: QueueView) -> Result<Vec<QueueLine>> {
        let decision = self
            .desk_guard(ctx, AuditAction::Read, "service_case")
            .await?;
        let me = ctx.principal.user_id().map(|u| u.0);
        let now = Timestamp::now();
        let filter = match view {
            QueueView::All | QueueView::BreachingSoon => "c.status NOT IN ('resolved','closed')",
            QueueView::Mine => "c.status NOT IN ('resolved','closed') AND c.assignee_user_id = $1",
            QueueView::Unassigned => {
                "c.status NOT IN ('resolved','closed') AND c.assignee_user_id IS NULL"
            }
            QueueView::WaitingForCitizen => "c.status = 'pending_citizen'",
            QueueView::Done => "c.status IN ('resolved','closed')",
        };
        let order = if view == QueueView::Done {
            "COALESCE(c.resolved_at, c.closed_at) DESC LIMIT 200"
        } else {
            // Acute first, then the next deadline (none last), then the oldest.
            "CASE c.priority WHEN 'acute' THEN 0 ELSE 1 END, CASE WHEN c.due_at IS NULL THEN 1 ELSE 0 END, c.due_at, c.opened_at LIMIT 500"
        };
        let sql = format!("SELECT {CASE_COLUMNS} WHERE {filter} ORDER BY {order}");
        let cases: Vec<Case> = on_read!(self, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            if view == QueueView::Mine {
                q = q.bind(me);
            }
            let rows = q.fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut calendars: Vec<(OrgId, BusinessCalendar)> = Vec::new();
        let mut lines = Vec::new();
        for case in cases {
            let cal = match calendars.iter().find(|(o, _)| *o == case.centre_org_id) {
                Some((_, c)) => c.clone(),
                None => {
                    let c = self.desk_calendar(case.centre_org_id).await?;
                    calendars.push((case.centre_org_id, c.clone()));
                    c
                }
            };
            let level = case.state.escalation_level(&cal, now);
            if view == QueueView::BreachingSoon {
                let soon = case
                    .state
                    .next_due(&cal, now)
                    .is_some_and(|d| cal.working_minutes(now, d) <= 60);
                if !(soon || level >= 1) {
                    continue;
                }
            }
            lines.push(QueueLine {
                case,
                escalation_now: level,
            });
        }
        let citizens: Vec<CitizenId> = lines.iter().filter_map(|l| l.case.citizen_id).collect();
        let records =
            crate::equipment::units::support_reads(ctx, &decision, "service_case", &citizens);
        self.audit(records).await?;
        Ok(lines)
    }

    /// A citizen's cases, newest first: the desk's caller screen (audited with it), and the
    /// citizen's own list in the portal.
    pub async fn citizen_cases(&self, ctx: &AccessCtx, citizen: CitizenId) -> Result<Vec<Case>> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Read(DataCategory::Support),
                AuditAction::Read,
                "service_case",
            )
            .await?;
        let cases = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.citizen_id = $1 ORDER BY c.opened_at DESC LIMIT 100"
            )))
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        let record = support_record(
            ctx,
            &decision,
            AuditAction::Read,
            "service_case",
            citizen,
            None,
        );
        self.audit(vec![record]).await?;
        Ok(cases)
    }

    /// The cases a member of staff asked for (the staff portal's help page).
    pub async fn my_requests(&self, ctx: &AccessCtx) -> Result<Vec<Case>> {
        let Some(me) = ctx.principal.user_id() else {
            return Ok(Vec::new());
        };
        on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_COLUMNS} WHERE c.requester_user_id = $1 ORDER BY c.opened_at DESC LIMIT 100"
            )))
            .bind(me.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(case_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })
    }

    /// The citizen rates the help on their resolved case (the portal).
    pub async fn rate_case(
        &self,
        ctx: &AccessCtx,
        id: CaseId,
        score: i64,
        comment: &str,
    ) -> Result<()> {
        let case = self.load_case(id).await?;
        let own = matches!(&ctx.principal, Principal::Citizen { citizen_id, .. } if Some(*citizen_id) == case.citizen_id);
        if !own {
            return Err(DbError::forbidden(
                "only the citizen rates the help they got",
            ));
        }
        self.store_rating(&case, score, comment, "portal").await
    }

    /// The citizen rates the help through the link in the SMS (no sign-in: the link's
    /// token is the authority, and works once).
    pub async fn rate_case_by_token(&self, token: &str, score: i64, comment: &str) -> Result<i64> {
        let hash = crate::secrets::sha256_hex(token.trim());
        let id: Option<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar("SELECT id FROM service_cases WHERE rating_token_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        let id = id.ok_or_else(|| DbError::not_found("rating link"))?;
        let case = self.load_case(CaseId(id)).await?;
        self.store_rating(&case, score, comment, "sms").await?;
        Ok(case.number)
    }

    /// The case number a rating link is for, if it is still unused.
    pub async fn rating_link_case(&self, token: &str) -> Result<Option<i64>> {
        let hash = crate::secrets::sha256_hex(token.trim());
        on_read!(self, |c| {
            sqlx::query_scalar(
                "SELECT c.number FROM service_cases c WHERE c.rating_token_hash = $1 \
                 AND NOT EXISTS (SELECT 1 FROM case_ratings r WHERE r.case_id = c.id)",
            )
            .bind(&hash)
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })
    }

    async fn store_rating(&self, case: &Case, score: i64, comment: &str, via: &str) -> Result<()> {
        check_rating(score, comment)?;
        if case.resolved_at.is_none() {
            return Err(DomainError::new(
                ErrorCode::Conflict,
                "the help is rated once the case is resolved",
            )
            .into());
        }
        let now = Timestamp::now();
        let entry = [Entry::public(
            "rating",
            format!("Bedømmelse: {score}/5 {}", comment.trim())
                .trim_end()
                .to_string(),
        )];
        let name = case.requester_name.clone();
        let inserted = on_write!(self, |tx| {
            let n = sqlx::query(
                "INSERT INTO case_ratings (case_id, score, comment, via, rated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(case.id.0)
            .bind(score)
            .bind(comment.trim())
            .bind(via)
            .bind(now.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                insert_entries!(tx, case.id, &entry, now, None::<uuid::Uuid>, &name);
            }
            Ok::<_, DbError>(n > 0)
        })?;
        if !inserted {
            return Err(DbError::conflict(
                ErrorCode::Conflict,
                "the help on this case is already rated",
            ));
        }
        Ok(())
    }
}

#[derive(Default)]
struct Effects {
    /// (citizen, channel, kind, body)
    outbox: Vec<(CitizenId, &'static str, &'static str, String)>,
    /// (task, citizen, plan, team, description)
    tasks: Vec<(TaskId, CitizenId, CarePlanId, CareTeamId, String)>,
    rating_link: bool,
    merged_into: Option<(CaseId, i64)>,
}

/// Whether the case may wait for a visit now: checked before the equipment module orders
/// anything, so a refused swap leaves no order behind.
fn may_wait_for_visit(case: &Case, at: Timestamp) -> Result<()> {
    if case.status != CaseStatus::PendingVisit {
        case.state
            .apply(&CaseEvent::Wait(CaseStatus::PendingVisit), at)?;
    }
    Ok(())
}

/// Who the case waits for, in the citizen's words.
fn waiting_for(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::PendingCitizen => "svar fra dig",
        CaseStatus::PendingVisit => "teknikerbesøg",
        CaseStatus::PendingSupplier => "leverandør",
        _ => "—",
    }
}

/// The next working day: when the desk's technicians can come.
fn next_visit_day() -> time::Date {
    let today = Timestamp::now().in_copenhagen().date();
    telesund_core::calendar::add_working_days(today, 1)
}

/// A one-use rating link: the token goes in the SMS, only its hash is stored.
fn rating_token() -> (String, String) {
    let token = crate::secrets::random_secret("r");
    let hash = crate::secrets::sha256_hex(&token);
    (token, hash)
}

impl Db {
    /// Moves a case's opening and clocks `micros` into the past (for tests of deadlines).
    #[doc(hidden)]
    pub async fn backdate_case_for_test(&self, id: CaseId, micros: i64) -> Result<()> {
        let case = self.load_case(id).await?;
        let state = serde_json::to_string(&case.state.shifted_back(micros))
            .map_err(|e| DbError::Internal(e.to_string()))?;
        on_write!(self, |tx| {
            sqlx::query(
                "UPDATE service_cases SET state = $1, opened_at = opened_at - $2, due_at = due_at - $2 WHERE id = $3",
            )
            .bind(&state)
            .bind(micros)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            Ok::<_, DbError>(())
        })
    }

    /// The staff notifications of an organisation, newest first (for tests and the queue).
    pub async fn desk_notifications(
        &self,
        ctx: &AccessCtx,
        limit: i64,
    ) -> Result<Vec<(String, String, Timestamp)>> {
        self.desk_guard(ctx, AuditAction::Read, "staff_notification")
            .await?;
        let me = ctx.principal.user_id().map(|u| u.0);
        on_read!(self, |c| {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT kind, body, created_at FROM staff_notifications \
                 WHERE user_id = $1 OR user_id IS NULL ORDER BY created_at DESC LIMIT $2",
            )
            .bind(me)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
            Ok::<_, DbError>(
                rows.into_iter()
                    .map(|(k, b, t)| (k, b, Timestamp(t)))
                    .collect(),
            )
        })
    }
}

impl Db {
    /// A case found by its number (what citizens and agents say on the phone).
    pub async fn case_id_by_number(&self, ctx: &AccessCtx, number: i64) -> Result<CaseId> {
        self.desk_guard(ctx, AuditAction::Read, "service_case")
            .await?;
        let id: Option<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar("SELECT id FROM service_cases WHERE number = $1")
                .bind(number)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        id.map(CaseId).ok_or_else(|| DbError::not_found("case"))
    }
}
