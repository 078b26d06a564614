//! Service desk storage: cases with their clocks and timeline, incoming calls and the caller
//! screen, the knowledge base and the reports. The rules (what a case may do next, how its
//! clocks run, what a priority promises) live in `telesund_core::servicedesk`.

#[doc(hidden)]
pub mod bench_load;
pub mod calls;
pub mod cases;
pub mod kb;
pub mod reports;
pub mod sweep;

use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use serde::Serialize;
use telesund_core::Timestamp;
use telesund_core::access::{Action, Decision, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::ids::OrgId;
use telesund_core::servicedesk::sla::BusinessCalendar;

/// A service centre's desk as citizens and agents see it: its one number and its hours.
#[derive(Clone, Debug, Serialize)]
pub struct Desk {
    pub org_id: OrgId,
    pub name: String,
    pub phone: String,
    pub calendar: BusinessCalendar,
}

/// Whether the principal works the desk, decided without an audit record (the caller audits
/// what it then reads or writes).
pub(crate) fn works_desk(ctx: &AccessCtx) -> bool {
    telesund_core::authorize(&ctx.principal, Action::RunServiceDesk, Resource::Platform).allowed
}

impl Db {
    /// The service desk's own work (calls, the queue, the knowledge base, reports): decides
    /// `RunServiceDesk`, auditing a refusal.
    pub(crate) async fn desk_guard(
        &self,
        ctx: &AccessCtx,
        action: AuditAction,
        entity: &str,
    ) -> Result<Decision> {
        guard(
            self,
            ctx,
            Action::RunServiceDesk,
            Resource::Platform,
            action,
            entity,
            None,
        )
        .await
    }

    /// Whether the caller works the service desk (decided and, when refused, audited): for
    /// pages that show no citizen.
    pub async fn check_desk_access(&self, ctx: &AccessCtx) -> Result<()> {
        self.desk_guard(ctx, AuditAction::Read, "service_desk")
            .await
            .map(|_| ())
    }

    /// Sets a service centre's one phone number and its business calendar.
    pub async fn set_desk(
        &self,
        ctx: &AccessCtx,
        org: OrgId,
        phone: &str,
        calendar: &BusinessCalendar,
    ) -> Result<Desk> {
        let decision = self
            .desk_guard(ctx, AuditAction::Update, "service_centre")
            .await?;
        calendar.validate()?;
        if self.organisation(org).await?.kind != telesund_core::identity::OrgKind::ServiceCentre {
            return Err(
                telesund_core::DomainError::invalid("a desk belongs to a service centre").into(),
            );
        }
        // The centre's own agents and lead keep its number and hours; not another centre's.
        let own = matches!(&ctx.principal, telesund_core::access::Principal::Staff { memberships, .. }
            if memberships.iter().any(|m| m.org_id == org
                && matches!(m.role, telesund_core::identity::Role::ServiceDeskAgent | telesund_core::identity::Role::OrgAdmin)));
        if !own && !matches!(ctx.principal, telesund_core::access::Principal::System) {
            return Err(DbError::forbidden(
                "a centre's agents and administrators keep its number and hours",
            ));
        }
        let phone = telesund_core::identity::normalise_phone(phone)?;
        let json = serde_json::to_string(calendar)
            .map_err(|e| DbError::Internal(format!("calendar: {e}")))?;
        let mut record = ctx.record(&decision, AuditAction::Update, "service_centre", None, None);
        record.entity_id = Some(org.to_string());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO service_centres (org_id, phone, calendar, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id) DO UPDATE SET phone = excluded.phone, calendar = excluded.calendar, updated_at = excluded.updated_at",
            )
            .bind(org.0)
            .bind(&phone)
            .bind(&json)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        self.desk(org)
            .await?
            .ok_or_else(|| DbError::Internal("the desk just written is gone".into()))
    }

    /// A service centre's desk; None when it has not been set up. Public: the number and the
    /// hours are what every citizen is told.
    pub async fn desk(&self, org: OrgId) -> Result<Option<Desk>> {
        Ok(self.desks().await?.into_iter().find(|d| d.org_id == org))
    }

    /// Every service centre's desk, by name (the platform has one in most regions).
    pub async fn desks(&self) -> Result<Vec<Desk>> {
        let rows: Vec<(uuid::Uuid, String, String, String)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT s.org_id, o.name, s.phone, s.calendar FROM service_centres s \
                 JOIN organisations o ON o.id = s.org_id ORDER BY o.name",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        rows.into_iter()
            .map(|(org, name, phone, calendar)| {
                Ok(Desk {
                    org_id: OrgId(org),
                    name,
                    phone,
                    calendar: serde_json::from_str::<BusinessCalendar>(&calendar)
                        .map_err(|e| DbError::Internal(format!("stored calendar: {e}")))?,
                })
            })
            .collect()
    }

    /// The calendar a centre's clocks run on: its own, or the Danish office day if it has
    /// none yet.
    pub(crate) async fn desk_calendar(&self, org: OrgId) -> Result<BusinessCalendar> {
        Ok(self
            .desk(org)
            .await?
            .map(|d| d.calendar)
            .unwrap_or_else(BusinessCalendar::office_hours))
    }
}
