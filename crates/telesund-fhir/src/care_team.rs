//! CareTeam: a team spanning organisations around one citizen. A member is a named staff user
//! (Practitioner, on behalf of their organisation) or a whole organisation's staff in a role
//! (Organization). The member's scope (clinical, social support, service support) bounds what
//! they may see and travels as an extension on the participant.

use crate::datatypes::{CodeableConcept, Extension, Period, Reference};
use crate::practitioner::role_concept;
use crate::systems;
use serde::Serialize;
use telesund_core::Timestamp;
use telesund_core::ids::CitizenId;

/// What storage knows about a team, flattened so this crate does not depend on storage.
pub struct TeamFacts<'a> {
    pub id: String,
    pub citizen_id: CitizenId,
    pub name: &'a str,
    pub active: bool,
    pub managing_org: (String, &'a str),
    pub members: Vec<MemberFacts<'a>>,
}

pub struct MemberFacts<'a> {
    pub org: (String, &'a str),
    pub user: Option<(String, &'a str)>,
    pub role: telesund_core::identity::Role,
    pub scope: telesund_core::care::TeamScope,
    pub valid_from: Timestamp,
    pub valid_to: Option<Timestamp>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CareTeam {
    pub resource_type: &'static str,
    pub id: String,
    pub status: &'static str,
    pub name: String,
    pub subject: Reference,
    pub participant: Vec<Participant>,
    pub managing_organization: Vec<Reference>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub extension: Vec<Extension>,
    pub role: Vec<CodeableConcept>,
    pub member: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Reference>,
    pub period: Period,
}

pub fn from_team(t: &TeamFacts) -> CareTeam {
    CareTeam {
        resource_type: "CareTeam",
        id: t.id.clone(),
        status: if t.active { "active" } else { "inactive" },
        name: t.name.to_string(),
        subject: Reference::to("Patient", t.citizen_id, None),
        participant: t
            .members
            .iter()
            .map(|m| {
                let org = Reference::to("Organization", &m.org.0, Some(m.org.1));
                // ctm-1: onBehalfOf only when the member is a Practitioner.
                let (member, on_behalf_of) = match &m.user {
                    Some((id, name)) => (Reference::to("Practitioner", id, Some(name)), Some(org)),
                    None => (org, None),
                };
                Participant {
                    extension: vec![Extension::code(systems::CARE_TEAM_SCOPE, m.scope.as_str())],
                    role: vec![role_concept(m.role)],
                    member,
                    on_behalf_of,
                    period: Period::from(m.valid_from, m.valid_to),
                }
            })
            .collect(),
        managing_organization: vec![Reference::to(
            "Organization",
            &t.managing_org.0,
            Some(t.managing_org.1),
        )],
    }
}
