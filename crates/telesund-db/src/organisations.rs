//! Organisations of every sector. Organisation data is not personal data: any signed-in staff
//! member may list it; changing it is for system administrators.

use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result, is_unique_violation};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::access::{Action, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::identity::{OrgKind, Organisation, validate_organisation};
use telesund_core::ids::OrgId;
use telesund_core::{ErrorCode, Timestamp};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrgKind,
    #[serde(default)]
    pub sor_code: Option<String>,
    #[serde(default)]
    pub cvr: Option<String>,
    #[serde(default)]
    pub parent_id: Option<OrgId>,
}

macro_rules! org_from_row {
    ($r:expr) => {{
        let kind: String = $r.try_get("kind")?;
        Organisation {
            id: OrgId($r.try_get("id")?),
            name: $r.try_get("name")?,
            kind: OrgKind::parse(&kind)?,
            sor_code: $r.try_get("sor_code")?,
            cvr: $r.try_get("cvr")?,
            parent_id: $r.try_get::<Option<uuid::Uuid>, _>("parent_id")?.map(OrgId),
            active: $r.try_get("active")?,
        }
    }};
}

/// `SELECT ... FROM organisations` followed by a tail, as one `&'static str` at compile time.
macro_rules! select_orgs {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, kind, sor_code, cvr, parent_id, active FROM organisations",
            $tail
        )
    };
}

impl Db {
    pub async fn create_organisation(
        &self,
        ctx: &AccessCtx,
        new: NewOrganisation,
    ) -> Result<Organisation> {
        let decision = guard(
            self,
            ctx,
            Action::ManageOrganisations,
            Resource::Platform,
            AuditAction::Create,
            "organisation",
            None,
        )
        .await?;
        let sor = new
            .sor_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let cvr = new.cvr.as_deref().map(str::trim).filter(|s| !s.is_empty());
        validate_organisation(&new.name, sor, cvr)?;
        if let Some(parent) = new.parent_id {
            self.organisation(parent).await?;
        }
        let org = Organisation {
            id: OrgId::new(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            sor_code: sor.map(str::to_string),
            cvr: cvr.map(str::to_string),
            parent_id: new.parent_id,
            active: true,
        };
        let mut record = ctx.record(&decision, AuditAction::Create, "organisation", None, None);
        record.entity_id = Some(org.id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO organisations (id, name, search_name, kind, sor_code, cvr, parent_id, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(org.id.0)
            .bind(&org.name)
            .bind(telesund_core::text::fold(&org.name))
            .bind(org.kind.as_str())
            .bind(&org.sor_code)
            .bind(&org.cvr)
            .bind(org.parent_id.map(|p| p.0))
            .bind(true)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if is_unique_violation(&e) => Err(DbError::conflict(
                    ErrorCode::Conflict,
                    "an organisation with this SOR code exists",
                )),
                Err(e) => Err(e.into()),
                Ok(_) => crate::audit::insert_records!(tx, records),
            }
        })?;
        Ok(org)
    }

    pub async fn organisation(&self, id: OrgId) -> Result<Organisation> {
        on_read!(self, |c| {
            let row = sqlx::query(select_orgs!(" WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some(r) => Ok(org_from_row!(r)),
                None => Err(DbError::not_found("organisation")),
            }
        })
    }

    /// The name of an organisation, when there is one (for the display text of a reference).
    pub async fn organisation_name(&self, id: Option<OrgId>) -> Result<Option<String>> {
        match id {
            None => Ok(None),
            Some(id) => Ok(Some(self.organisation(id).await?.name)),
        }
    }

    pub async fn organisation_by_sor(&self, sor: &str) -> Result<Option<Organisation>> {
        on_read!(self, |c| {
            let row = sqlx::query(select_orgs!(" WHERE sor_code = $1"))
                .bind(sor)
                .fetch_optional(&mut *c)
                .await?;
            row.map(|r| Ok(org_from_row!(r))).transpose()
        })
    }

    /// All organisations, optionally only those whose folded name contains the query.
    pub async fn organisations(&self, query: Option<&str>) -> Result<Vec<Organisation>> {
        let pattern = format!("%{}%", telesund_core::text::fold(query.unwrap_or("")));
        on_read!(self, |c| {
            let rows = sqlx::query(select_orgs!(" WHERE search_name LIKE $1 ORDER BY name"))
                .bind(&pattern)
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| Ok(org_from_row!(r))).collect()
        })
    }

    /// The chain of parents of an organisation, nearest first.
    pub async fn organisation_ancestors(&self, id: OrgId) -> Result<Vec<OrgId>> {
        let mut out = Vec::new();
        let mut current = self.organisation(id).await?.parent_id;
        while let Some(p) = current {
            if out.contains(&p) || out.len() > 16 {
                break; // a cycle cannot be made through the API, but never loop on one
            }
            out.push(p);
            current = self.organisation(p).await?.parent_id;
        }
        Ok(out)
    }
}
