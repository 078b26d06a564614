//! The access context every citizen-data function takes, and the one guard they all use:
//! load the facts, ask `authorize`, audit the answer, and only then go on.

use crate::db::{Db, on_read};
use crate::error::{DbError, Result};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{
    Action, CitizenFacts, DataCategory, Decision, Principal, Resource, authorize,
};
use telesund_core::audit::{AuditAction, AuditRecord, RequestInfo};
use telesund_core::care::{
    CareTeam, Consent, ConsentStatus, ConsentType, Enrolment, EnrolmentStatus, TeamMember,
    TeamScope,
};
use telesund_core::identity::{OrgKind, Role};
use telesund_core::ids::*;

/// Who is asking, and for what purpose; passed to every function that touches personal data.
#[derive(Clone, Debug)]
pub struct AccessCtx {
    pub principal: Principal,
    pub request: RequestInfo,
}

impl AccessCtx {
    pub fn new(principal: Principal, request: RequestInfo) -> Self {
        Self { principal, request }
    }

    /// The operator's command-line tools.
    pub fn system(purpose: &str) -> Self {
        Self {
            principal: Principal::System,
            request: RequestInfo {
                request_id: "cli".into(),
                client_addr: "local".into(),
                purpose: purpose.into(),
            },
        }
    }

    pub(crate) fn record(
        &self,
        decision: &Decision,
        action: AuditAction,
        entity: &str,
        citizen: Option<CitizenId>,
        category: Option<DataCategory>,
    ) -> AuditRecord {
        AuditRecord::for_decision(
            &self.principal,
            decision,
            action,
            entity,
            citizen,
            category,
            &self.request,
        )
    }
}

/// Decides, audits a denial at once, and returns the decision when allowed.
pub(crate) async fn guard(
    db: &Db,
    ctx: &AccessCtx,
    action: Action,
    resource: Resource<'_>,
    audit_action: AuditAction,
    entity: &str,
    citizen: Option<CitizenId>,
) -> Result<Decision> {
    let decision = authorize(&ctx.principal, action, resource);
    if !decision.allowed {
        let category = match action {
            Action::Read(c) | Action::Write(c) => Some(c),
            _ => None,
        };
        db.audit(vec![ctx.record(
            &decision,
            audit_action,
            entity,
            citizen,
            category,
        )])
        .await?;
        return Err(DbError::forbidden(decision.reason));
    }
    Ok(decision)
}

impl Db {
    /// The start of every operation on one citizen's data: the citizen must exist (404
    /// before 403), then [`guard`] decides against the citizen's facts.
    pub(crate) async fn guard_citizen(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        action: Action,
        audit_action: AuditAction,
        entity: &str,
    ) -> Result<Decision> {
        self.citizen_exists(citizen).await?;
        let facts = self.citizen_facts(citizen).await?;
        guard(
            self,
            ctx,
            action,
            Resource::Citizen(&facts),
            audit_action,
            entity,
            Some(citizen),
        )
        .await
    }

    /// Decides an action on a citizen's clinical data (a refusal is audited at once) and
    /// returns the audit record of the allowed action, for the caller to write with its
    /// change or after its read. `entity_id` names the one record acted on, if any.
    pub(crate) async fn clinical_guard(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        action: Action,
        audit_action: AuditAction,
        entity: &str,
        entity_id: Option<String>,
    ) -> Result<telesund_core::audit::AuditRecord> {
        let decision = self
            .guard_citizen(ctx, citizen, action, audit_action, entity)
            .await?;
        let mut record = ctx.record(
            &decision,
            audit_action,
            entity,
            Some(citizen),
            Some(telesund_core::access::DataCategory::Clinical),
        );
        record.entity_id = entity_id;
        Ok(record)
    }

    /// Everything `authorize` needs to know about a citizen, in three queries.
    pub async fn citizen_facts(&self, citizen: CitizenId) -> Result<CitizenFacts> {
        let now = Timestamp::now();
        on_read!(self, |c| {
            let enrolments = sqlx::query(
                "SELECT e.id, e.programme_id, e.org_id, e.status, e.started_at, e.ended_at, o.kind, o.parent_id \
                 FROM enrolments e JOIN organisations o ON o.id = e.org_id WHERE e.citizen_id = $1",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let members = sqlx::query(
                "SELECT t.id AS team_id, t.name, t.managing_org_id, t.active, t.enrolment_id, mo.kind AS managing_kind, \
                        m.id, m.org_id, m.user_id, m.role, m.scope, m.valid_from, m.valid_to \
                 FROM care_teams t JOIN organisations mo ON mo.id = t.managing_org_id \
                 LEFT JOIN care_team_members m ON m.team_id = t.id WHERE t.citizen_id = $1 ORDER BY t.id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            let consents = sqlx::query(
                "SELECT id, consent_type, programme_id, status, recorded_by, recorded_by_name, recorded_at, note \
                 FROM consents WHERE citizen_id = $1 ORDER BY recorded_at, id",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;

            let mut facts = CitizenFacts {
                citizen_id: Some(citizen),
                now,
                ..Default::default()
            };
            for r in &enrolments {
                let org_id = OrgId(r.try_get("org_id")?);
                let kind: String = r.try_get("kind")?;
                let parent: Option<uuid::Uuid> = r.try_get("parent_id")?;
                facts
                    .orgs
                    .push((org_id, OrgKind::parse(&kind)?, parent.map(OrgId)));
                let status: String = r.try_get("status")?;
                facts.enrolments.push(Enrolment {
                    id: EnrolmentId(r.try_get("id")?),
                    citizen_id: citizen,
                    programme_id: ProgrammeId(r.try_get("programme_id")?),
                    org_id,
                    status: EnrolmentStatus::parse(&status)?,
                    started_at: Timestamp(r.try_get("started_at")?),
                    ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(Timestamp),
                });
            }
            for r in &members {
                let team_id = CareTeamId(r.try_get("team_id")?);
                if facts.care_teams.last().map(|t| t.id) != Some(team_id) {
                    let managing = OrgId(r.try_get("managing_org_id")?);
                    let kind: String = r.try_get("managing_kind")?;
                    facts.orgs.push((managing, OrgKind::parse(&kind)?, None));
                    facts.care_teams.push(CareTeam {
                        id: team_id,
                        citizen_id: citizen,
                        name: r.try_get("name")?,
                        managing_org_id: managing,
                        active: r.try_get("active")?,
                        enrolment_id: r
                            .try_get::<Option<uuid::Uuid>, _>("enrolment_id")?
                            .map(EnrolmentId),
                        members: Vec::new(),
                    });
                }
                let member_id: Option<uuid::Uuid> = r.try_get("id")?;
                if let (Some(id), Some(team)) = (member_id, facts.care_teams.last_mut()) {
                    let role: String = r.try_get("role")?;
                    let scope: String = r.try_get("scope")?;
                    team.members.push(TeamMember {
                        id: TeamMemberId(id),
                        org_id: OrgId(r.try_get("org_id")?),
                        user_id: r.try_get::<Option<uuid::Uuid>, _>("user_id")?.map(UserId),
                        role: Role::parse(&role)?,
                        scope: TeamScope::parse(&scope)?,
                        valid_from: Timestamp(r.try_get("valid_from")?),
                        valid_to: r.try_get::<Option<i64>, _>("valid_to")?.map(Timestamp),
                    });
                }
            }
            for r in &consents {
                let kind: String = r.try_get("consent_type")?;
                let status: String = r.try_get("status")?;
                facts.consents.push(Consent {
                    id: ConsentId(r.try_get("id")?),
                    citizen_id: citizen,
                    consent_type: ConsentType::parse(&kind)?,
                    programme_id: r
                        .try_get::<Option<uuid::Uuid>, _>("programme_id")?
                        .map(ProgrammeId),
                    status: ConsentStatus::parse(&status)?,
                    recorded_by: r
                        .try_get::<Option<uuid::Uuid>, _>("recorded_by")?
                        .map(UserId),
                    recorded_by_name: r.try_get("recorded_by_name")?,
                    recorded_at: Timestamp(r.try_get("recorded_at")?),
                    note: r.try_get("note")?,
                });
            }
            Ok(facts)
        })
    }
}
