//! The access context every citizen-data function takes, and the one guard they all use:
//! load the facts, ask `authorize`, audit the answer, and only then go on.

use crate::db::Db;
use crate::error::{DbError, Result};
use telesund_core::access::{Action, DataCategory, Decision, Principal, Resource, authorize};
use telesund_core::audit::{AuditAction, AuditRecord, RequestInfo};
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
}
