//! Programme versions (FHIR PlanDefinition.version): drafts, the one active version new
//! enrolments get, and retired versions that keep serving the plans made from them.

use super::{from_json, to_json};
use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::access::{Action, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::ids::{ProgrammeId, ProgrammeVersionId};
use telesund_core::monitoring::programme::{PlanDefinition, ProgrammeVersion, VersionStatus};

const COLUMNS: &str = "id, programme_id, version, status, definition, created_by_name, created_at, activated_at, retired_at";

macro_rules! version_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        let definition: String = $r.try_get("definition")?;
        ProgrammeVersion {
            id: ProgrammeVersionId($r.try_get("id")?),
            programme_id: ProgrammeId($r.try_get("programme_id")?),
            version: $r.try_get("version")?,
            status: VersionStatus::parse(&status)?,
            definition: from_json(&definition)?,
            created_by_name: $r.try_get("created_by_name")?,
            created_at: Timestamp($r.try_get("created_at")?),
            activated_at: $r.try_get::<Option<i64>, _>("activated_at")?.map(Timestamp),
            retired_at: $r.try_get::<Option<i64>, _>("retired_at")?.map(Timestamp),
        }
    }};
}

impl Db {
    /// Decides a change to a programme by its owning organisation (and that organisation's
    /// ancestors), and audits a refusal.
    async fn authorize_programme(
        &self,
        ctx: &AccessCtx,
        programme: ProgrammeId,
        action: AuditAction,
    ) -> Result<telesund_core::Decision> {
        let owner = self.programme(programme).await?.owner_org_id;
        let ancestors = self.organisation_ancestors(owner).await?;
        guard(
            self,
            ctx,
            Action::ManageProgramme { org_id: owner },
            Resource::Organisation {
                id: owner,
                ancestors: &ancestors,
            },
            action,
            "programme",
            None,
        )
        .await
    }

    /// Writes a new draft version (numbered after the last one).
    pub async fn create_programme_version(
        &self,
        ctx: &AccessCtx,
        programme: ProgrammeId,
        definition: &PlanDefinition,
    ) -> Result<ProgrammeVersion> {
        let decision = self
            .authorize_programme(ctx, programme, AuditAction::Create)
            .await?;
        definition.validate()?;
        let json = to_json(definition)?;
        let mut v = ProgrammeVersion {
            id: ProgrammeVersionId::new(),
            programme_id: programme,
            version: 0,
            status: VersionStatus::Draft,
            definition: definition.clone(),
            created_by_name: ctx.principal.display_name().to_string(),
            created_at: Timestamp::now(),
            activated_at: None,
            retired_at: None,
        };
        let mut record = ctx.record(
            &decision,
            AuditAction::Create,
            "programme_version",
            None,
            None,
        );
        record.entity_id = Some(v.id.to_string());
        let records = [record];
        v.version = on_write!(self, |tx| {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(version) FROM programme_versions WHERE programme_id = $1",
            )
            .bind(programme.0)
            .fetch_one(&mut *tx)
            .await?;
            let version = last.unwrap_or(0) + 1;
            sqlx::query(
                "INSERT INTO programme_versions (id, programme_id, version, status, definition, created_by_name, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(v.id.0)
            .bind(programme.0)
            .bind(version)
            .bind(v.status.as_str())
            .bind(&json)
            .bind(&v.created_by_name)
            .bind(v.created_at.0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)?;
            Ok::<_, DbError>(version)
        })?;
        Ok(v)
    }

    /// Moves a version on (draft → active → retired). Activating retires the version that
    /// was active, in the same transaction, so there is always at most one.
    pub async fn set_programme_version_status(
        &self,
        ctx: &AccessCtx,
        id: ProgrammeVersionId,
        next: VersionStatus,
    ) -> Result<ProgrammeVersion> {
        let current = self.programme_version(id).await?;
        let decision = self
            .authorize_programme(ctx, current.programme_id, AuditAction::Update)
            .await?;
        if !current.status.can_become(next) {
            return Err(telesund_core::DomainError::new(
                telesund_core::ErrorCode::Conflict,
                format!(
                    "a {} version cannot become {}",
                    current.status.as_str(),
                    next.as_str()
                ),
            )
            .into());
        }
        let now = Timestamp::now();
        let mut record = ctx.record(
            &decision,
            AuditAction::Update,
            "programme_version",
            None,
            None,
        );
        record.entity_id = Some(id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            if next == VersionStatus::Active {
                sqlx::query(
                    "UPDATE programme_versions SET status = 'retired', retired_at = $1 \
                     WHERE programme_id = $2 AND status = 'active'",
                )
                .bind(now.0)
                .bind(current.programme_id.0)
                .execute(&mut *tx)
                .await?;
            }
            let column = if next == VersionStatus::Active {
                "activated_at"
            } else {
                "retired_at"
            };
            // `column` is one of two fixed names, never input.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE programme_versions SET status = $1, {column} = $2 WHERE id = $3 AND status = $4"
            )))
            .bind(next.as_str())
            .bind(now.0)
            .bind(id.0)
            .bind(current.status.as_str())
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        self.programme_version(id).await
    }

    pub async fn programme_version(&self, id: ProgrammeVersionId) -> Result<ProgrammeVersion> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM programme_versions WHERE id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("programme version"))?;
            Ok(version_from_row!(r))
        })
    }

    /// Every version of a programme, newest first.
    pub async fn programme_versions(
        &self,
        programme: ProgrammeId,
    ) -> Result<Vec<ProgrammeVersion>> {
        on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM programme_versions WHERE programme_id = $1 ORDER BY version DESC"
            )))
            .bind(programme.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| Ok(version_from_row!(r))).collect()
        })
    }

    /// The version new enrolments get.
    pub async fn active_programme_version(
        &self,
        programme: ProgrammeId,
    ) -> Result<Option<ProgrammeVersion>> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM programme_versions WHERE programme_id = $1 AND status = 'active'"
            )))
            .bind(programme.0)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok(version_from_row!(r))).transpose()
        })
    }
}
