//! Practitioner (a staff user) and PractitionerRole (one membership: a role in an
//! organisation for a period), with Telesund's roles as codes.

use crate::datatypes::{CodeableConcept, ContactPoint, HumanName, Identifier, Period, Reference};
use crate::systems;
use serde::Serialize;
use telesund_core::identity::{Membership, Role, StaffUser};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Practitioner {
    pub resource_type: &'static str,
    pub id: String,
    pub identifier: Vec<Identifier>,
    pub active: bool,
    pub name: Vec<HumanName>,
    pub telecom: Vec<ContactPoint>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerRole {
    pub resource_type: &'static str,
    pub id: String,
    pub active: bool,
    pub period: Period,
    pub practitioner: Reference,
    pub organization: Reference,
    pub code: Vec<CodeableConcept>,
}

/// Danish display names of the roles (the FUT mapping is in ARCHITECTURE.md).
pub fn role_display(role: Role) -> &'static str {
    match role {
        Role::SystemAdmin => "Systemadministrator",
        Role::OrgAdmin => "Organisationsadministrator",
        Role::Clinician => "Kliniker",
        Role::SocialSupporter => "Socialpædagogisk medarbejder",
        Role::ServiceDeskAgent => "Servicedeskmedarbejder",
        Role::LogisticsTechnician => "Logistiktekniker",
        Role::Educator => "Underviser",
        Role::Analyst => "Analytiker",
    }
}

pub fn role_concept(role: Role) -> CodeableConcept {
    CodeableConcept::coded(systems::ROLE, role.as_str(), role_display(role))
}

pub fn from_staff(u: &StaffUser) -> Practitioner {
    Practitioner {
        resource_type: "Practitioner",
        id: u.id.to_string(),
        identifier: vec![Identifier {
            use_: Some("secondary".into()),
            system: Some(systems::STAFF_EMAIL.into()),
            value: Some(u.email.clone()),
        }],
        active: u.active,
        name: vec![HumanName {
            text: Some(u.name.clone()),
            ..HumanName::default()
        }],
        telecom: vec![ContactPoint {
            use_: Some("work".into()),
            ..ContactPoint::new("email", &u.email)
        }],
    }
}

pub fn from_membership(
    m: &Membership,
    user_name: &str,
    org_name: &str,
    now: telesund_core::Timestamp,
) -> PractitionerRole {
    PractitionerRole {
        resource_type: "PractitionerRole",
        id: m.id.to_string(),
        active: m.active_at(now),
        period: Period::from(m.valid_from, m.valid_to),
        practitioner: Reference::to("Practitioner", m.user_id, Some(user_name)),
        organization: Reference::to("Organization", m.org_id, Some(org_name)),
        code: vec![role_concept(m.role)],
    }
}
