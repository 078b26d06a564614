//! Programmes, enrolments, care teams and consent: the records access is derived from.

use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, DataCategory, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::care::*;
use telesund_core::identity::Role;
use telesund_core::ids::*;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub enrolment: Enrolment,
    pub programme_name: String,
    pub org_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TeamMemberView {
    pub member: TeamMember,
    pub org_name: String,
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CareTeamView {
    pub id: CareTeamId,
    pub name: String,
    pub managing_org_id: OrgId,
    pub managing_org_name: String,
    pub active: bool,
    pub members: Vec<TeamMemberView>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeamMember {
    pub org_id: OrgId,
    #[serde(default)]
    pub user_id: Option<UserId>,
    pub role: Role,
    pub scope: TeamScope,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    pub consent_type: ConsentType,
    #[serde(default)]
    pub programme_id: Option<ProgrammeId>,
    pub status: ConsentStatus,
    #[serde(default)]
    pub note: String,
}

const PROGRAMME_COLUMNS: &str = "id, name, description, owner_org_id, active";

macro_rules! programme_from_row {
    ($r:expr) => {
        Programme {
            id: ProgrammeId($r.try_get("id")?),
            name: $r.try_get("name")?,
            description: $r.try_get("description")?,
            owner_org_id: OrgId($r.try_get("owner_org_id")?),
            active: $r.try_get("active")?,
        }
    };
}

impl Db {
    pub async fn create_programme(
        &self,
        ctx: &AccessCtx,
        name: &str,
        description: &str,
        owner: OrgId,
    ) -> Result<Programme> {
        let decision = guard(
            self,
            ctx,
            Action::ManageOrganisations,
            Resource::Platform,
            AuditAction::Create,
            "programme",
            None,
        )
        .await?;
        if name.trim().is_empty() {
            return Err(telesund_core::DomainError::invalid("a programme needs a name").into());
        }
        self.organisation(owner).await?;
        let p = Programme {
            id: ProgrammeId::new(),
            name: name.trim().into(),
            description: description.trim().into(),
            owner_org_id: owner,
            active: true,
        };
        let mut record = ctx.record(&decision, AuditAction::Create, "programme", None, None);
        record.entity_id = Some(p.id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO programmes (id, name, description, owner_org_id, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(p.id.0)
                .bind(&p.name)
                .bind(&p.description)
                .bind(owner.0)
                .bind(true)
                .bind(Timestamp::now().0)
                .execute(&mut *tx)
                .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(p)
    }

    pub async fn programmes(&self) -> Result<Vec<Programme>> {
        on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PROGRAMME_COLUMNS} FROM programmes ORDER BY name"
            )))
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| Ok(programme_from_row!(r))).collect()
        })
    }

    pub async fn programme(&self, id: ProgrammeId) -> Result<Programme> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("programme"))?;
            Ok(programme_from_row!(r))
        })
    }

    /// Enrols a citizen in a programme run by `org`, recording the citizen's consent to take
    /// part in the same transaction: no enrolment exists without its consent.
    pub async fn enrol(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        programme: ProgrammeId,
        org: OrgId,
        consent_note: &str,
    ) -> Result<Enrolment> {
        self.citizen_exists(citizen).await?;
        let decision = guard(
            self,
            ctx,
            Action::Enrol { org_id: org },
            Resource::Platform,
            AuditAction::Create,
            "enrolment",
            Some(citizen),
        )
        .await?;
        let programme_name = Some(self.programme(programme).await?)
            .filter(|p| p.active)
            .ok_or_else(|| DbError::not_found("programme"))?
            .name;
        // Enrolment applies the programme's active version: the care plan is made in the
        // same transaction, so there is never an enrolment without its plan.
        let pending = self
            .pending_plan(citizen, programme, &programme_name, org)
            .await?;
        let now = Timestamp::now();
        let e = Enrolment {
            id: EnrolmentId::new(),
            citizen_id: citizen,
            programme_id: programme,
            org_id: org,
            status: EnrolmentStatus::Active,
            started_at: now,
            ended_at: None,
        };
        let records = [
            ctx.record(
                &decision,
                AuditAction::Create,
                "enrolment",
                Some(citizen),
                Some(DataCategory::CareRelationships),
            ),
            ctx.record(
                &decision,
                AuditAction::Create,
                "consent",
                Some(citizen),
                Some(DataCategory::Consents),
            ),
        ];
        let by = ctx.principal.user_id();
        let by_name = ctx.principal.display_name().to_string();
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO consents (id, citizen_id, consent_type, programme_id, status, recorded_by, recorded_by_name, recorded_at, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(ConsentId::new().0)
            .bind(citizen.0)
            .bind(ConsentType::TelemedicineParticipation.as_str())
            .bind(programme.0)
            .bind(ConsentStatus::Given.as_str())
            .bind(by.map(|u| u.0))
            .bind(&by_name)
            .bind(now.0)
            .bind(consent_note)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO enrolments (id, citizen_id, programme_id, org_id, status, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
                .bind(e.id.0)
                .bind(citizen.0)
                .bind(programme.0)
                .bind(org.0)
                .bind(e.status.as_str())
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            if let Some(p) = &pending {
                crate::monitoring::plans::insert_pending_plan!(tx, p, citizen, e.id, org, now, ctx);
            }
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(e)
    }

    /// Creates a care team around a citizen. The caller needs the right to change the
    /// citizen's care relationships (a clinician in their care, or the operator).
    pub async fn create_care_team(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        name: &str,
        managing_org: OrgId,
        members: Vec<NewTeamMember>,
    ) -> Result<CareTeamId> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Write(DataCategory::CareRelationships),
                AuditAction::Create,
                "care_team",
            )
            .await?;
        if name.trim().is_empty() {
            return Err(telesund_core::DomainError::invalid("a care team needs a name").into());
        }
        self.organisation(managing_org).await?;
        for m in &members {
            self.organisation(m.org_id).await?;
        }
        let id = CareTeamId::new();
        let now = Timestamp::now();
        let records = [ctx.record(
            &decision,
            AuditAction::Create,
            "care_team",
            Some(citizen),
            Some(DataCategory::CareRelationships),
        )];
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO care_teams (id, citizen_id, name, managing_org_id, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id.0)
                .bind(citizen.0)
                .bind(name.trim())
                .bind(managing_org.0)
                .bind(true)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            for m in &members {
                sqlx::query(
                    "INSERT INTO care_team_members (id, team_id, org_id, user_id, role, scope, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
                )
                .bind(TeamMemberId::new().0)
                .bind(id.0)
                .bind(m.org_id.0)
                .bind(m.user_id.map(|u| u.0))
                .bind(m.role.as_str())
                .bind(m.scope.as_str())
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(id)
    }

    /// Records a consent decision (given or withdrawn). It takes effect for the next read.
    pub async fn record_consent(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        new: NewConsent,
    ) -> Result<Consent> {
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Write(DataCategory::Consents),
                AuditAction::Create,
                "consent",
            )
            .await?;
        let consent = Consent {
            id: ConsentId::new(),
            citizen_id: citizen,
            consent_type: new.consent_type,
            programme_id: new.programme_id,
            status: new.status,
            recorded_by: ctx.principal.user_id(),
            recorded_by_name: ctx.principal.display_name().to_string(),
            recorded_at: Timestamp::now(),
            note: new.note.trim().to_string(),
        };
        let records = [ctx.record(
            &decision,
            AuditAction::Create,
            "consent",
            Some(citizen),
            Some(DataCategory::Consents),
        )];
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO consents (id, citizen_id, consent_type, programme_id, status, recorded_by, recorded_by_name, recorded_at, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(consent.id.0)
            .bind(citizen.0)
            .bind(consent.consent_type.as_str())
            .bind(consent.programme_id.map(|p| p.0))
            .bind(consent.status.as_str())
            .bind(consent.recorded_by.map(|u| u.0))
            .bind(&consent.recorded_by_name)
            .bind(consent.recorded_at.0)
            .bind(&consent.note)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(consent)
    }

    /// Enrolments with programme and organisation names (no access check: callers check).
    pub(crate) async fn enrolment_views(&self, citizen: CitizenId) -> Result<Vec<EnrolmentView>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT e.id, e.programme_id, e.org_id, e.status, e.started_at, e.ended_at, p.name AS programme_name, o.name AS org_name \
                 FROM enrolments e JOIN programmes p ON p.id = e.programme_id JOIN organisations o ON o.id = e.org_id \
                 WHERE e.citizen_id = $1 ORDER BY e.started_at",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let status: String = r.try_get("status")?;
                    Ok(EnrolmentView {
                        enrolment: Enrolment {
                            id: EnrolmentId(r.try_get("id")?),
                            citizen_id: citizen,
                            programme_id: ProgrammeId(r.try_get("programme_id")?),
                            org_id: OrgId(r.try_get("org_id")?),
                            status: EnrolmentStatus::parse(&status)?,
                            started_at: Timestamp(r.try_get("started_at")?),
                            ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(Timestamp),
                        },
                        programme_name: r.try_get("programme_name")?,
                        org_name: r.try_get("org_name")?,
                    })
                })
                .collect()
        })
    }

    /// Care teams with organisation and member names (no access check: callers check).
    pub(crate) async fn care_team_views(&self, citizen: CitizenId) -> Result<Vec<CareTeamView>> {
        let facts = self.citizen_facts(citizen).await?;
        let names: Vec<(uuid::Uuid, String)> = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT o.id, o.name FROM organisations o WHERE o.id IN \
                 (SELECT managing_org_id FROM care_teams WHERE citizen_id = $1 UNION \
                  SELECT m.org_id FROM care_team_members m JOIN care_teams t ON t.id = m.team_id WHERE t.citizen_id = $1) \
                 UNION SELECT u.id, u.name FROM staff_users u WHERE u.id IN \
                 (SELECT m.user_id FROM care_team_members m JOIN care_teams t ON t.id = m.team_id WHERE t.citizen_id = $1)",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
                .collect::<Result<Vec<_>>>()
        })?;
        let name = |id: uuid::Uuid| {
            names
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        Ok(facts
            .care_teams
            .into_iter()
            .map(|t| CareTeamView {
                id: t.id,
                name: t.name,
                managing_org_id: t.managing_org_id,
                managing_org_name: name(t.managing_org_id.0),
                active: t.active,
                members: t
                    .members
                    .into_iter()
                    .map(|m| TeamMemberView {
                        org_name: name(m.org_id.0),
                        user_name: m.user_id.map(|u| name(u.0)),
                        member: m,
                    })
                    .collect(),
            })
            .collect())
    }

    /// A citizen's care teams for a caller allowed to read care relationships (audited).
    pub async fn care_teams_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
    ) -> Result<Vec<CareTeamView>> {
        let d = self
            .guard_citizen(
                ctx,
                citizen,
                Action::Read(DataCategory::CareRelationships),
                AuditAction::Read,
                "care_team",
            )
            .await?;
        let teams = self.care_team_views(citizen).await?;
        self.audit(vec![ctx.record(
            &d,
            AuditAction::Read,
            "care_team",
            Some(citizen),
            Some(DataCategory::CareRelationships),
        )])
        .await?;
        Ok(teams)
    }

    /// A citizen's consent history for a caller allowed to read consents (audited).
    pub async fn consents_of(&self, ctx: &AccessCtx, citizen: CitizenId) -> Result<Vec<Consent>> {
        self.citizen_exists(citizen).await?;
        let facts = self.citizen_facts(citizen).await?;
        // The consents are part of the facts the decision reads: one load serves both.
        let d = guard(
            self,
            ctx,
            Action::Read(DataCategory::Consents),
            Resource::Citizen(&facts),
            AuditAction::Read,
            "consent",
            Some(citizen),
        )
        .await?;
        self.audit(vec![ctx.record(
            &d,
            AuditAction::Read,
            "consent",
            Some(citizen),
            Some(DataCategory::Consents),
        )])
        .await?;
        Ok(facts.consents)
    }
}
