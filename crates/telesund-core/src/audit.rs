//! The audit trail: one record for every read or change of a citizen's data, allowed or
//! denied, and for administrative changes. Records are appended, never changed.

use crate::access::{DataCategory, Decision};
use crate::identity::{OrgKind, Role};
use crate::ids::{AuditId, CitizenId, OrgId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Search,
    Create,
    Update,
    Delete,
    Login,
    LoginFailed,
    Logout,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Search => "search",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Login => "login",
            Self::LoginFailed => "login_failed",
            Self::Logout => "logout",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Read,
            Self::Search,
            Self::Create,
            Self::Update,
            Self::Delete,
            Self::Login,
            Self::LoginFailed,
            Self::Logout,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// Who the actor was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Staff,
    Citizen,
    System,
}

/// One audit record. `outcome_allowed == false` records a denial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_kind: ActorKind,
    pub actor_user_id: Option<UserId>,
    pub actor_citizen_id: Option<CitizenId>,
    pub actor_name: String,
    /// The organisation and role the actor acted in (the membership that granted or was refused).
    pub actor_org_id: Option<OrgId>,
    pub actor_org_name: Option<String>,
    pub actor_org_kind: Option<OrgKind>,
    pub actor_role: Option<Role>,
    pub action: AuditAction,
    /// The kind of thing touched: "citizen", "consent", "organisation", "user", "token" ...
    pub entity: String,
    pub entity_id: Option<String>,
    pub citizen_id: Option<CitizenId>,
    pub category: Option<DataCategory>,
    pub purpose: String,
    pub outcome_allowed: bool,
    pub reason: String,
    pub request_id: String,
    pub client_addr: String,
}

impl AuditRecord {
    /// A record of an access decision about a citizen's data.
    pub fn for_decision(
        actor: &crate::access::Principal,
        decision: &Decision,
        action: AuditAction,
        entity: &str,
        citizen_id: Option<CitizenId>,
        category: Option<DataCategory>,
        request: &RequestInfo,
    ) -> Self {
        let (actor_kind, actor_user_id, actor_citizen_id) = match actor {
            crate::access::Principal::Staff { user_id, .. } => {
                (ActorKind::Staff, Some(*user_id), None)
            }
            crate::access::Principal::Citizen { citizen_id, .. } => {
                (ActorKind::Citizen, None, Some(*citizen_id))
            }
            crate::access::Principal::System => (ActorKind::System, None, None),
        };
        AuditRecord {
            id: AuditId::new(),
            at: Timestamp::now(),
            actor_kind,
            actor_user_id,
            actor_citizen_id,
            actor_name: actor.display_name().to_string(),
            actor_org_id: decision.via.map(|v| v.org_id),
            actor_org_name: None,
            actor_org_kind: decision.via.map(|v| v.org_kind),
            actor_role: decision.via.map(|v| v.role),
            action,
            entity: entity.to_string(),
            entity_id: citizen_id.map(|c| c.to_string()),
            citizen_id,
            category,
            purpose: request.purpose.clone(),
            outcome_allowed: decision.allowed,
            reason: decision.reason.to_string(),
            request_id: request.request_id.clone(),
            client_addr: request.client_addr.clone(),
        }
    }
}

/// Where a request came from and why it was made; carried into every audit record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInfo {
    pub request_id: String,
    pub client_addr: String,
    /// Why the data is accessed: "treatment", "support", "self_service", "administration" ...
    pub purpose: String,
}

/// Filters for reading the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub citizen_id: Option<CitizenId>,
    pub actor_user_id: Option<UserId>,
    pub actor_org_id: Option<OrgId>,
    pub action: Option<AuditAction>,
    pub only_denied: bool,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub limit: u32,
    /// Records strictly older than this (id order), for paging.
    pub before: Option<AuditId>,
}
