//! Care relationships: programmes, enrolments, care teams and consent. Access to a citizen
//! is derived from these records, never from free text.

use crate::identity::Role;
use crate::identity::string_enum;
use crate::ids::{
    CareTeamId, CitizenId, ConsentId, EnrolmentId, OrgId, ProgrammeId, TeamMemberId, UserId,
};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A care offer an organisation runs (heart failure telemonitoring, diabetes education ...).
/// The monitoring issue extends it with activities and thresholds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub description: String,
    pub owner_org_id: OrgId,
    pub active: bool,
}

string_enum!(
    /// Where an enrolment is in its life.
    EnrolmentStatus { Active = "active", Paused = "paused", Ended = "ended" }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub citizen_id: CitizenId,
    pub programme_id: ProgrammeId,
    /// The organisation responsible for the citizen in this programme.
    pub org_id: OrgId,
    pub status: EnrolmentStatus,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

impl Enrolment {
    /// A paused enrolment still relates the organisation to the citizen (e.g. during admission).
    pub fn is_current(&self, now: Timestamp) -> bool {
        self.status != EnrolmentStatus::Ended
            && self.started_at <= now
            && self.ended_at.is_none_or(|e| now < e)
    }
}

string_enum!(
    /// What part of a citizen's care a team member supports; it bounds what they may see.
    TeamScope {
        Clinical = "clinical",
        SocialSupport = "social_support",
        ServiceSupport = "service_support",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareTeam {
    pub id: CareTeamId,
    pub citizen_id: CitizenId,
    pub name: String,
    /// The organisation that manages the team.
    pub managing_org_id: OrgId,
    pub active: bool,
    /// Set on a team made for an enrolment's care plan: such a team grants access only while
    /// that enrolment is current and the citizen's consent to the programme holds, so
    /// withdrawing the consent closes the team too.
    pub enrolment_id: Option<EnrolmentId>,
    pub members: Vec<TeamMember>,
}

/// A member of a care team: one named staff user, or (with no user) every staff member of
/// the organisation who holds the role — e.g. "Horsens Kommune, hjemmesygeplejen".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub org_id: OrgId,
    pub user_id: Option<UserId>,
    pub role: Role,
    pub scope: TeamScope,
    pub valid_from: Timestamp,
    pub valid_to: Option<Timestamp>,
}

impl TeamMember {
    pub fn active_at(&self, t: Timestamp) -> bool {
        self.valid_from <= t && self.valid_to.is_none_or(|e| t < e)
    }
}

string_enum!(
    /// The consents Telesund asks for.
    ConsentType {
        TelemedicineParticipation = "telemedicine_participation",
        CrossSectorSharing = "cross_sector_sharing",
        LogisticsAddressSharing = "logistics_address_sharing",
        SocialStaffSharing = "social_staff_sharing",
    }
);

string_enum!(
    ConsentStatus { Given = "given", Withdrawn = "withdrawn" }
);

/// A consent decision. Giving or withdrawing writes a new record, so the history is kept and
/// a withdrawal acts at once (see [`has_consent`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub id: ConsentId,
    pub citizen_id: CitizenId,
    pub consent_type: ConsentType,
    /// A programme the consent is limited to, or none for all.
    pub programme_id: Option<ProgrammeId>,
    pub status: ConsentStatus,
    /// Who recorded it: a staff user, or none when the citizen did it themselves.
    pub recorded_by: Option<UserId>,
    pub recorded_by_name: String,
    pub recorded_at: Timestamp,
    pub note: String,
}

/// Whether a consent of this type is in force for the programme (`None`: a general consent).
/// The latest record that applies decides: one for this programme, or a general one. So a
/// general withdrawal ends every programme's consent of that type at once, and a later
/// programme-specific consent can follow it.
pub fn has_consent(history: &[Consent], kind: ConsentType, programme: Option<ProgrammeId>) -> bool {
    history
        .iter()
        .filter(|c| {
            c.consent_type == kind && (c.programme_id.is_none() || c.programme_id == programme)
        })
        .max_by_key(|c| (c.recorded_at, c.id))
        .is_some_and(|c| c.status == ConsentStatus::Given)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(kind: ConsentType, status: ConsentStatus, at: i64) -> Consent {
        Consent {
            id: ConsentId::new(),
            citizen_id: CitizenId(uuid::Uuid::nil()),
            consent_type: kind,
            programme_id: None,
            status,
            recorded_by: None,
            recorded_by_name: "x".into(),
            recorded_at: Timestamp(at),
            note: String::new(),
        }
    }

    #[test]
    fn latest_decision_wins() {
        let given = consent(ConsentType::CrossSectorSharing, ConsentStatus::Given, 1);
        let withdrawn = consent(ConsentType::CrossSectorSharing, ConsentStatus::Withdrawn, 2);
        assert!(has_consent(
            std::slice::from_ref(&given),
            ConsentType::CrossSectorSharing,
            None
        ));
        assert!(!has_consent(
            &[given.clone(), withdrawn.clone()],
            ConsentType::CrossSectorSharing,
            None
        ));
        assert!(!has_consent(
            &[withdrawn, given],
            ConsentType::CrossSectorSharing,
            None
        ));
    }

    #[test]
    fn a_general_withdrawal_ends_programme_consents() {
        let p = ProgrammeId::new();
        let mut given = consent(
            ConsentType::TelemedicineParticipation,
            ConsentStatus::Given,
            1,
        );
        given.programme_id = Some(p);
        let withdrawn = consent(
            ConsentType::TelemedicineParticipation,
            ConsentStatus::Withdrawn,
            2,
        );
        assert!(has_consent(
            std::slice::from_ref(&given),
            ConsentType::TelemedicineParticipation,
            Some(p)
        ));
        assert!(!has_consent(
            std::slice::from_ref(&given),
            ConsentType::TelemedicineParticipation,
            Some(ProgrammeId::new())
        ));
        assert!(!has_consent(
            &[given.clone(), withdrawn.clone()],
            ConsentType::TelemedicineParticipation,
            Some(p)
        ));
        let mut again = consent(
            ConsentType::TelemedicineParticipation,
            ConsentStatus::Given,
            3,
        );
        again.programme_id = Some(p);
        assert!(has_consent(
            &[given, withdrawn, again],
            ConsentType::TelemedicineParticipation,
            Some(p)
        ));
    }
}
