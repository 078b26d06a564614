//! Who may do what to whom. `authorize` is the only place this is decided; storage calls it
//! for every access to a citizen's data and audits the answer, allowed or not.
//!
//! A staff member's access to a citizen comes from a *care relationship*:
//! - an enrolment of the citizen in a programme by the member's organisation (or by a
//!   department of it), while the citizen's consent to the programme is in force; or
//! - a membership of the citizen's care team, for the member personally or for everyone of
//!   their organisation and role, within the member's scope (clinical, social support,
//!   service support). A team managed in another sector needs the consent to share across
//!   sectors, and social-support access needs the consent to share with social staff.
//!
//! The service centre serves every citizen in a telehealth programme, but only the support
//! side (identity, contact, programmes, equipment and cases), never clinical values.

use crate::care::{CareTeam, Consent, ConsentType, Enrolment, TeamScope, has_consent};
use crate::identity::{OrgKind, Role};
use crate::ids::{CitizenId, OrgId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An authenticated party, with the memberships in force now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Staff {
        user_id: UserId,
        name: String,
        memberships: Vec<ActingRole>,
    },
    Citizen {
        citizen_id: CitizenId,
        name: String,
    },
    /// The command-line tools run by the operator on the server itself.
    System,
}

/// One role a staff member holds in one organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingRole {
    pub org_id: OrgId,
    pub org_kind: OrgKind,
    pub role: Role,
}

impl Principal {
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Principal::Staff { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
    pub fn display_name(&self) -> &str {
        match self {
            Principal::Staff { name, .. } | Principal::Citizen { name, .. } => name,
            Principal::System => "system",
        }
    }
    pub fn has_role(&self, role: Role) -> bool {
        matches!(self, Principal::Staff { memberships, .. } if memberships.iter().any(|m| m.role == role))
    }
}

/// The kinds of a citizen's data, from least to most sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Name, CPR number, date of birth.
    Identity,
    /// Address, phones, e-mail, next of kin.
    Contact,
    /// Programmes, enrolments and care teams (names and organisations).
    CareRelationships,
    Consents,
    /// Measurements, assessments, care plans, notes.
    Clinical,
    /// Equipment, orders, visits, service cases.
    Support,
    /// Who has looked at the citizen's data.
    AccessLog,
}

impl DataCategory {
    pub const ALL: [DataCategory; 7] = [
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::CareRelationships,
        DataCategory::Consents,
        DataCategory::Clinical,
        DataCategory::Support,
        DataCategory::AccessLog,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Identity => "identity",
            DataCategory::Contact => "contact",
            DataCategory::CareRelationships => "care_relationships",
            DataCategory::Consents => "consents",
            DataCategory::Clinical => "clinical",
            DataCategory::Support => "support",
            DataCategory::AccessLog => "access_log",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Find citizens by CPR, name or phone (the hits show identity only, and are audited).
    SearchCitizens,
    /// Register a new citizen.
    RegisterCitizen,
    /// Enrol a citizen in a programme run by this organisation (with the citizen's consent).
    Enrol {
        org_id: OrgId,
    },
    Read(DataCategory),
    Write(DataCategory),
    ManageOrganisations,
    /// Manage staff users and their memberships in this organisation.
    ManageStaff {
        org_id: OrgId,
    },
    /// Read the audit log of all organisations (None) or of one.
    ReadAuditLog {
        org_id: Option<OrgId>,
    },
    ManageApiTokens,
    /// Submit home measurements and questionnaire answers for a citizen: the citizen, their
    /// clinicians, and support staff who help them measure (who may submit what they cannot
    /// read back).
    SubmitResults,
    /// Write and publish the versions of a programme this organisation owns.
    ManageProgramme {
        org_id: OrgId,
    },
    /// Read a programme's statistics (alarm burden, adherence), never a citizen's data.
    ReadProgrammeStatistics {
        org_id: OrgId,
    },
    /// Run the service centre's equipment: catalogue, kits, warehouses, units, fulfilment,
    /// visits, reprocessing, maintenance, recalls. Tracing a unit to the citizens who had it
    /// (recall, infection control) is part of this and audited per citizen.
    ManageEquipment,
    /// Read the monthly equipment statement of a paying organisation (None: all of them).
    ReadEquipmentCosts {
        org_id: Option<OrgId>,
    },
    /// Work the service desk: incoming calls, the case queue, the knowledge base, reports.
    /// Cases name citizens; each citizen's support side is still decided per citizen.
    RunServiceDesk,
}

/// What an access decision is made about.
#[derive(Clone, Copy, Debug)]
pub enum Resource<'a> {
    Citizen(&'a CitizenFacts),
    /// An organisation and its ancestors (parent first).
    Organisation {
        id: OrgId,
        ancestors: &'a [OrgId],
    },
    /// Nothing in particular: search, registration, the platform itself.
    Platform,
}

/// The facts about a citizen that access depends on, loaded by storage in one go.
#[derive(Clone, Debug, Default)]
pub struct CitizenFacts {
    pub citizen_id: Option<CitizenId>,
    pub enrolments: Vec<Enrolment>,
    pub care_teams: Vec<CareTeam>,
    pub consents: Vec<Consent>,
    /// Kind and parent of every organisation named in the enrolments and teams.
    pub orgs: Vec<(OrgId, OrgKind, Option<OrgId>)>,
    pub now: Timestamp,
}

impl CitizenFacts {
    fn org(&self, id: OrgId) -> Option<(OrgKind, Option<OrgId>)> {
        self.orgs
            .iter()
            .find(|(o, _, _)| *o == id)
            .map(|(_, k, p)| (*k, *p))
    }
}

/// The answer, with the membership that granted it, for the audit record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub via: Option<ActingRole>,
    pub reason: &'static str,
}

impl Decision {
    fn allow(via: Option<ActingRole>, reason: &'static str) -> Self {
        Self {
            allowed: true,
            via,
            reason,
        }
    }
    fn deny(via: Option<ActingRole>, reason: &'static str) -> Self {
        Self {
            allowed: false,
            via,
            reason,
        }
    }
}

/// The kinds of relationship a membership can have to a citizen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relationship {
    Clinical,
    SocialSupport,
    ServiceSupport,
    /// Any team membership (educators): identity and contact only.
    Team,
}

fn relationships(user: UserId, m: &ActingRole, facts: &CitizenFacts) -> Vec<Relationship> {
    let mut found = Vec::new();
    let now = facts.now;
    for e in facts.enrolments.iter().filter(|e| e.is_current(now)) {
        let (_, parent) = facts.org(e.org_id).unwrap_or((OrgKind::Partner, None));
        let own_org = e.org_id == m.org_id || parent == Some(m.org_id);
        if own_org
            && m.role == Role::Clinician
            && has_consent(
                &facts.consents,
                ConsentType::TelemedicineParticipation,
                Some(e.programme_id),
            )
        {
            found.push(Relationship::Clinical);
        }
    }
    let team_in_force = |team: &CareTeam| {
        team.active
            && team.enrolment_id.is_none_or(|id| {
                facts.enrolments.iter().any(|e| {
                    e.id == id
                        && e.is_current(now)
                        && has_consent(
                            &facts.consents,
                            ConsentType::TelemedicineParticipation,
                            Some(e.programme_id),
                        )
                })
            })
    };
    for team in facts.care_teams.iter().filter(|t| team_in_force(t)) {
        let team_sector = facts.org(team.managing_org_id).map(|(k, _)| k.sector());
        for member in team.members.iter().filter(|x| x.active_at(now)) {
            let is_me = member.org_id == m.org_id
                && member.role == m.role
                && member.user_id.is_none_or(|u| u == user);
            if !is_me {
                continue;
            }
            let cross_sector = team_sector != Some(m.org_kind.sector());
            if cross_sector && !has_consent(&facts.consents, ConsentType::CrossSectorSharing, None)
            {
                continue;
            }
            let rel = match member.scope {
                TeamScope::Clinical if m.role == Role::Clinician => Relationship::Clinical,
                TeamScope::SocialSupport => {
                    if !has_consent(&facts.consents, ConsentType::SocialStaffSharing, None) {
                        continue;
                    }
                    Relationship::SocialSupport
                }
                TeamScope::ServiceSupport => Relationship::ServiceSupport,
                TeamScope::Clinical => Relationship::Team,
            };
            found.push(rel);
        }
    }
    // The service centre serves every citizen in a telehealth programme (support side only).
    let in_programme = facts.enrolments.iter().any(|e| e.is_current(now));
    if m.org_kind == OrgKind::ServiceCentre
        && in_programme
        && matches!(m.role, Role::ServiceDeskAgent | Role::LogisticsTechnician)
    {
        found.push(Relationship::ServiceSupport);
    }
    found
}

/// What a role with a relationship may do with each category of a citizen's data.
fn grants(role: Role, rel: Relationship, action: Action, facts: &CitizenFacts) -> bool {
    use DataCategory::*;
    let (write, cat) = match action {
        Action::Read(c) => (false, c),
        Action::Write(c) => (true, c),
        _ => return false,
    };
    if cat == AccessLog {
        return false; // the access log is the citizen's own
    }
    match (role, rel) {
        (Role::Clinician, Relationship::Clinical) => true,
        (Role::SocialSupporter, Relationship::SocialSupport) => {
            !write && matches!(cat, Identity | Contact | CareRelationships)
        }
        (Role::ServiceDeskAgent, Relationship::ServiceSupport) => {
            matches!(cat, Identity | Contact | CareRelationships | Support)
                && (!write || cat == Support)
                || (!write && cat == Consents)
        }
        (Role::LogisticsTechnician, Relationship::ServiceSupport) => match cat {
            Identity | CareRelationships => !write,
            Support => true,
            // The address goes to the logistics partner only with the citizen's consent.
            Contact => {
                !write && has_consent(&facts.consents, ConsentType::LogisticsAddressSharing, None)
            }
            _ => false,
        },
        (Role::Educator, Relationship::Team) => {
            !write && matches!(cat, Identity | Contact | CareRelationships)
        }
        _ => false,
    }
}

/// Decides one access. Pure: the same facts give the same answer.
pub fn authorize(principal: &Principal, action: Action, resource: Resource<'_>) -> Decision {
    match principal {
        Principal::System => Decision::allow(None, "system"),
        Principal::Citizen { citizen_id, .. } => match (action, resource) {
            (Action::Read(_), Resource::Citizen(f)) if f.citizen_id == Some(*citizen_id) => {
                Decision::allow(None, "own data")
            }
            // Citizens ask the service desk for help (a case about their own equipment).
            (
                Action::Write(
                    DataCategory::Contact | DataCategory::Consents | DataCategory::Support,
                ),
                Resource::Citizen(f),
            ) if f.citizen_id == Some(*citizen_id) => Decision::allow(None, "own data"),
            (Action::SubmitResults, Resource::Citizen(f)) if f.citizen_id == Some(*citizen_id) => {
                Decision::allow(None, "own measurements")
            }
            _ => Decision::deny(None, "citizens see only their own data"),
        },
        Principal::Staff {
            user_id,
            memberships,
            ..
        } => staff(*user_id, memberships, action, resource),
    }
}

fn staff(
    user: UserId,
    memberships: &[ActingRole],
    action: Action,
    resource: Resource<'_>,
) -> Decision {
    let first = memberships.first().copied();
    let any = |roles: &[Role], reason| match memberships.iter().find(|m| roles.contains(&m.role)) {
        Some(m) => Decision::allow(Some(*m), reason),
        None => Decision::deny(first, "role does not allow this"),
    };
    match (action, resource) {
        (Action::SearchCitizens, _) => any(
            &[
                Role::Clinician,
                Role::SocialSupporter,
                Role::ServiceDeskAgent,
                Role::LogisticsTechnician,
                Role::Educator,
            ],
            "search by care role",
        ),
        (Action::RegisterCitizen, _) => any(
            &[Role::Clinician, Role::ServiceDeskAgent],
            "registration by care role",
        ),
        (Action::Enrol { org_id }, _) => match memberships
            .iter()
            .find(|m| m.org_id == org_id && m.role == Role::Clinician)
        {
            Some(m) => Decision::allow(Some(*m), "clinician of the enrolling organisation"),
            None => Decision::deny(first, "only the organisation's clinicians enrol"),
        },
        (Action::ManageOrganisations | Action::ManageApiTokens, _) => {
            any(&[Role::SystemAdmin], "system administrator")
        }
        (Action::ManageStaff { org_id }, Resource::Organisation { ancestors, .. }) => {
            if let Some(m) = memberships.iter().find(|m| m.role == Role::SystemAdmin) {
                return Decision::allow(Some(*m), "system administrator");
            }
            match memberships.iter().find(|m| {
                m.role == Role::OrgAdmin && (m.org_id == org_id || ancestors.contains(&m.org_id))
            }) {
                Some(m) => Decision::allow(Some(*m), "administrator of the organisation"),
                None => Decision::deny(first, "not an administrator of this organisation"),
            }
        }
        (Action::ReadAuditLog { org_id }, _) => {
            if let Some(m) = memberships.iter().find(|m| m.role == Role::SystemAdmin) {
                return Decision::allow(Some(*m), "system administrator");
            }
            match memberships
                .iter()
                .find(|m| m.role == Role::OrgAdmin && Some(m.org_id) == org_id)
            {
                Some(m) => Decision::allow(Some(*m), "administrator of the organisation"),
                None => Decision::deny(first, "not an administrator of this organisation"),
            }
        }
        (
            Action::ManageProgramme { org_id } | Action::ReadProgrammeStatistics { org_id },
            Resource::Organisation { ancestors, .. },
        ) => {
            if let Some(m) = memberships.iter().find(|m| m.role == Role::SystemAdmin) {
                return Decision::allow(Some(*m), "system administrator");
            }
            let mut roles = vec![Role::Clinician, Role::OrgAdmin];
            if matches!(action, Action::ReadProgrammeStatistics { .. }) {
                roles.push(Role::Analyst);
            }
            match memberships.iter().find(|m| {
                roles.contains(&m.role) && (m.org_id == org_id || ancestors.contains(&m.org_id))
            }) {
                Some(m) => Decision::allow(Some(*m), "staff of the owning organisation"),
                None => Decision::deny(first, "the programme belongs to another organisation"),
            }
        }
        (Action::ManageEquipment, _) => match memberships.iter().find(|m| {
            m.org_kind == OrgKind::ServiceCentre
                && matches!(
                    m.role,
                    Role::LogisticsTechnician | Role::ServiceDeskAgent | Role::OrgAdmin
                )
        }) {
            Some(m) => Decision::allow(Some(*m), "service centre staff"),
            None => Decision::deny(first, "equipment is run by the service centre"),
        },
        (Action::RunServiceDesk, _) => match memberships.iter().find(|m| {
            m.org_kind == OrgKind::ServiceCentre
                && matches!(
                    m.role,
                    Role::ServiceDeskAgent | Role::LogisticsTechnician | Role::OrgAdmin
                )
        }) {
            Some(m) => Decision::allow(Some(*m), "service centre staff"),
            None => Decision::deny(first, "the service desk is run by the service centre"),
        },
        (Action::ReadEquipmentCosts { org_id }, resource) => {
            let ancestors = match resource {
                Resource::Organisation { ancestors, .. } => ancestors,
                _ => &[],
            };
            // The service centre bills the payers; its desk answers their questions too.
            if let Some(m) = memberships.iter().find(|m| {
                m.org_kind == OrgKind::ServiceCentre
                    && matches!(
                        m.role,
                        Role::LogisticsTechnician | Role::ServiceDeskAgent | Role::OrgAdmin
                    )
            }) {
                return Decision::allow(Some(*m), "service centre staff");
            }
            match memberships.iter().find(|m| {
                matches!(m.role, Role::OrgAdmin | Role::Analyst)
                    && org_id.is_some_and(|o| m.org_id == o || ancestors.contains(&m.org_id))
            }) {
                Some(m) => Decision::allow(Some(*m), "administration of the paying organisation"),
                None => Decision::deny(first, "the statement belongs to another organisation"),
            }
        }
        (Action::SubmitResults, Resource::Citizen(facts)) => {
            for m in memberships {
                for rel in relationships(user, m, facts) {
                    let helps = matches!(
                        (m.role, rel),
                        (Role::Clinician, Relationship::Clinical)
                            | (Role::SocialSupporter, Relationship::SocialSupport)
                            | (
                                Role::ServiceDeskAgent | Role::LogisticsTechnician,
                                Relationship::ServiceSupport
                            )
                    );
                    if helps {
                        return Decision::allow(Some(*m), "care relationship");
                    }
                }
            }
            Decision::deny(first, "no care relationship that allows submitting results")
        }
        (Action::Read(_) | Action::Write(_), Resource::Citizen(facts)) => {
            for m in memberships {
                for rel in relationships(user, m, facts) {
                    if grants(m.role, rel, action, facts) {
                        return Decision::allow(Some(*m), "care relationship");
                    }
                }
            }
            Decision::deny(first, "no care relationship that allows this")
        }
        _ => Decision::deny(first, "not allowed"),
    }
}

#[cfg(test)]
mod tests;
