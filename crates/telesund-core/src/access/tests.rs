//! The access matrix, walked exhaustively: every role, in every kind of organisation, with
//! every kind of relationship to the citizen, under every combination of consents, for every
//! action on every category of data.

use super::*;
use crate::care::{CareTeam, ConsentStatus, EnrolmentStatus, TeamMember};
use crate::ids::{CareTeamId, ConsentId, EnrolmentId, ProgrammeId, TeamMemberId};
use DataCategory::*;
use proptest::prelude::*;

const NOW: Timestamp = Timestamp(1_000_000);

fn org(n: u128) -> OrgId {
    OrgId(uuid::Uuid::from_u128(n))
}
const ME_ORG: u128 = 1;
const MY_DEPT: u128 = 2;
const OTHER_ORG: u128 = 3;
const HOSPITAL: u128 = 4;
const ME: u128 = 10;
const SOMEONE_ELSE: u128 = 11;
const PROGRAMME: u128 = 20;

/// The ways a staff member can stand to a citizen.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Setup {
    Nothing,
    EnrolledByMyOrg,
    EnrolledByMyDepartment,
    EnrolledByOtherOrg,
    EndedEnrolmentByMyOrg,
    Team {
        personal: bool,
        scope: TeamScope,
        cross_sector: bool,
        expired: bool,
        other_user: bool,
    },
}

fn setups() -> Vec<Setup> {
    let mut v = vec![
        Setup::Nothing,
        Setup::EnrolledByMyOrg,
        Setup::EnrolledByMyDepartment,
        Setup::EnrolledByOtherOrg,
        Setup::EndedEnrolmentByMyOrg,
    ];
    for personal in [true, false] {
        for scope in TeamScope::ALL.iter().copied() {
            for cross_sector in [true, false] {
                for expired in [true, false] {
                    for other_user in [true, false] {
                        v.push(Setup::Team {
                            personal,
                            scope,
                            cross_sector,
                            expired,
                            other_user,
                        });
                    }
                }
            }
        }
    }
    v
}

fn enrolment(org_id: OrgId, status: EnrolmentStatus) -> Enrolment {
    Enrolment {
        id: EnrolmentId::new(),
        citizen_id: CitizenId(uuid::Uuid::from_u128(99)),
        programme_id: ProgrammeId(uuid::Uuid::from_u128(PROGRAMME)),
        org_id,
        status,
        started_at: Timestamp(0),
        ended_at: None,
    }
}

fn facts(setup: Setup, role: Role, my_kind: OrgKind, consents: &[ConsentType]) -> CitizenFacts {
    let citizen = CitizenId(uuid::Uuid::from_u128(99));
    let mut f = CitizenFacts {
        citizen_id: Some(citizen),
        now: NOW,
        orgs: vec![
            (org(ME_ORG), my_kind, None),
            (org(MY_DEPT), my_kind, Some(org(ME_ORG))),
            (org(OTHER_ORG), my_kind, None),
            (org(HOSPITAL), OrgKind::Hospital, None),
        ],
        ..Default::default()
    };
    f.consents = consents
        .iter()
        .map(|t| Consent {
            id: ConsentId::new(),
            citizen_id: citizen,
            consent_type: *t,
            programme_id: None,
            status: ConsentStatus::Given,
            recorded_by: None,
            recorded_by_name: "citizen".into(),
            recorded_at: Timestamp(1),
            note: String::new(),
        })
        .collect();
    match setup {
        Setup::Nothing => {}
        Setup::EnrolledByMyOrg => f
            .enrolments
            .push(enrolment(org(ME_ORG), EnrolmentStatus::Active)),
        Setup::EnrolledByMyDepartment => f
            .enrolments
            .push(enrolment(org(MY_DEPT), EnrolmentStatus::Paused)),
        Setup::EnrolledByOtherOrg => f
            .enrolments
            .push(enrolment(org(OTHER_ORG), EnrolmentStatus::Active)),
        Setup::EndedEnrolmentByMyOrg => f
            .enrolments
            .push(enrolment(org(ME_ORG), EnrolmentStatus::Ended)),
        Setup::Team {
            personal,
            scope,
            cross_sector,
            expired,
            other_user,
        } => {
            let same_sector_org = if my_kind.sector() == OrgKind::Hospital.sector() {
                org(HOSPITAL)
            } else {
                org(OTHER_ORG)
            };
            let managing = if cross_sector && my_kind.sector() != OrgKind::Hospital.sector() {
                org(HOSPITAL)
            } else if cross_sector {
                // A regional member: a municipal team is the other sector.
                f.orgs.push((org(5), OrgKind::Municipality, None));
                org(5)
            } else {
                same_sector_org
            };
            f.care_teams.push(CareTeam {
                id: CareTeamId::new(),
                citizen_id: citizen,
                name: "team".into(),
                managing_org_id: managing,
                active: true,
                enrolment_id: None,
                members: vec![TeamMember {
                    id: TeamMemberId::new(),
                    org_id: org(ME_ORG),
                    user_id: personal.then(|| {
                        UserId(uuid::Uuid::from_u128(if other_user {
                            SOMEONE_ELSE
                        } else {
                            ME
                        }))
                    }),
                    role,
                    scope,
                    valid_from: Timestamp(0),
                    valid_to: expired.then_some(Timestamp(10)),
                }],
            });
        }
    }
    f
}

fn staff(role: Role, kind: OrgKind) -> Principal {
    Principal::Staff {
        user_id: UserId(uuid::Uuid::from_u128(ME)),
        name: "me".into(),
        memberships: vec![ActingRole {
            org_id: org(ME_ORG),
            org_kind: kind,
            role,
        }],
    }
}

fn consent_sets() -> Vec<Vec<ConsentType>> {
    (0..16u8)
        .map(|bits| {
            ConsentType::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

fn actions() -> Vec<Action> {
    DataCategory::ALL
        .iter()
        .flat_map(|c| [Action::Read(*c), Action::Write(*c)])
        .collect()
}

fn allowed(
    role: Role,
    kind: OrgKind,
    setup: Setup,
    consents: &[ConsentType],
    action: Action,
) -> bool {
    let f = facts(setup, role, kind, consents);
    authorize(&staff(role, kind), action, Resource::Citizen(&f)).allowed
}

#[test]
fn the_whole_matrix_keeps_its_invariants() {
    let mut checked = 0;
    for role in Role::ALL.iter().copied() {
        for kind in OrgKind::ALL.iter().copied() {
            for setup in setups() {
                for consents in consent_sets() {
                    for action in actions() {
                        let ok = allowed(role, kind, setup, &consents, action);
                        checked += 1;
                        let cat = match action {
                            Action::Read(c) | Action::Write(c) => c,
                            _ => unreachable!(),
                        };
                        let ctx =
                            format!("{role:?} in {kind:?}, {setup:?}, {consents:?}, {action:?}");
                        // Administrators and analysts never see a citizen's data.
                        if matches!(role, Role::SystemAdmin | Role::OrgAdmin | Role::Analyst) {
                            assert!(!ok, "{ctx}");
                        }
                        // Only the citizen reads their access log.
                        if cat == AccessLog {
                            assert!(!ok, "{ctx}");
                        }
                        // Support staff never see clinical values.
                        if matches!(
                            role,
                            Role::ServiceDeskAgent
                                | Role::LogisticsTechnician
                                | Role::SocialSupporter
                                | Role::Educator
                        ) {
                            assert!(!(cat == Clinical && ok), "{ctx}");
                        }
                        // No relationship, no access — except the service centre, which
                        // serves every citizen in a programme.
                        if setup == Setup::Nothing || setup == Setup::EndedEnrolmentByMyOrg {
                            assert!(!ok, "{ctx}");
                        }
                        if setup == Setup::EnrolledByOtherOrg && kind != OrgKind::ServiceCentre {
                            assert!(!ok, "{ctx}");
                        }
                        if let Setup::Team { expired: true, .. }
                        | Setup::Team {
                            personal: true,
                            other_user: true,
                            ..
                        } = setup
                            && kind != OrgKind::ServiceCentre
                        {
                            assert!(!ok, "{ctx}");
                        }
                        // A cross-sector team needs the consent to share across sectors.
                        if let Setup::Team {
                            cross_sector: true, ..
                        } = setup
                            && !consents.contains(&ConsentType::CrossSectorSharing)
                            && kind != OrgKind::ServiceCentre
                        {
                            assert!(!ok, "{ctx}");
                        }
                        // Social staff see nothing without the consent to share with them.
                        if role == Role::SocialSupporter
                            && !consents.contains(&ConsentType::SocialStaffSharing)
                        {
                            assert!(!ok, "{ctx}");
                        }
                        // The logistics partner gets the address only with consent.
                        if role == Role::LogisticsTechnician
                            && cat == Contact
                            && !consents.contains(&ConsentType::LogisticsAddressSharing)
                        {
                            assert!(!ok, "{ctx}");
                        }
                        // An enrolment gives access only while the programme consent is in force.
                        if matches!(
                            setup,
                            Setup::EnrolledByMyOrg | Setup::EnrolledByMyDepartment
                        ) && !consents.contains(&ConsentType::TelemedicineParticipation)
                            && kind != OrgKind::ServiceCentre
                        {
                            assert!(!ok, "{ctx}");
                        }
                        // And the positive cases the product exists for.
                        if role == Role::Clinician
                            && matches!(
                                setup,
                                Setup::EnrolledByMyOrg | Setup::EnrolledByMyDepartment
                            )
                            && consents.contains(&ConsentType::TelemedicineParticipation)
                            && cat != AccessLog
                        {
                            assert!(ok, "{ctx}");
                        }
                        if kind == OrgKind::ServiceCentre
                            && role == Role::ServiceDeskAgent
                            && matches!(setup, Setup::EnrolledByMyOrg | Setup::EnrolledByOtherOrg)
                            && action == Action::Read(Support)
                        {
                            assert!(ok, "{ctx}");
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        checked,
        Role::ALL.len() * OrgKind::ALL.len() * setups().len() * 16 * 14
    );
}

#[test]
fn a_clinician_elsewhere_is_denied_and_told_why() {
    let f = facts(
        Setup::EnrolledByOtherOrg,
        Role::Clinician,
        OrgKind::Municipality,
        ConsentType::ALL,
    );
    let d = authorize(
        &staff(Role::Clinician, OrgKind::Municipality),
        Action::Read(Identity),
        Resource::Citizen(&f),
    );
    assert!(!d.allowed);
    assert_eq!(d.reason, "no care relationship that allows this");
    assert_eq!(d.via.map(|v| v.org_id), Some(org(ME_ORG)));
}

#[test]
fn citizens_see_only_themselves() {
    let f = facts(Setup::Nothing, Role::Clinician, OrgKind::Municipality, &[]);
    let me = Principal::Citizen {
        citizen_id: CitizenId(uuid::Uuid::from_u128(99)),
        name: "c".into(),
    };
    let other = Principal::Citizen {
        citizen_id: CitizenId(uuid::Uuid::from_u128(98)),
        name: "o".into(),
    };
    for a in actions() {
        assert!(!authorize(&other, a, Resource::Citizen(&f)).allowed);
    }
    assert!(authorize(&me, Action::Read(AccessLog), Resource::Citizen(&f)).allowed);
    assert!(authorize(&me, Action::Read(Clinical), Resource::Citizen(&f)).allowed);
    assert!(authorize(&me, Action::Write(Consents), Resource::Citizen(&f)).allowed);
    assert!(!authorize(&me, Action::Write(Clinical), Resource::Citizen(&f)).allowed);
    assert!(authorize(&me, Action::SubmitResults, Resource::Citizen(&f)).allowed);
    assert!(!authorize(&other, Action::SubmitResults, Resource::Citizen(&f)).allowed);
    assert!(!authorize(&me, Action::SearchCitizens, Resource::Platform).allowed);
}

#[test]
fn submitting_results_needs_a_helping_care_relationship() {
    let mut checked = 0;
    for role in Role::ALL.iter().copied() {
        for kind in OrgKind::ALL.iter().copied() {
            for setup in setups() {
                for consents in consent_sets() {
                    let ok = allowed(role, kind, setup, &consents, Action::SubmitResults);
                    let ctx = format!("{role:?} in {kind:?}, {setup:?}, {consents:?}");
                    checked += 1;
                    // Whoever may submit is in the citizen's care: they may see who it is.
                    if ok {
                        assert!(
                            allowed(role, kind, setup, &consents, Action::Read(Identity)),
                            "{ctx}"
                        );
                    }
                    // Administrators, analysts and educators never submit results.
                    if matches!(
                        role,
                        Role::SystemAdmin | Role::OrgAdmin | Role::Analyst | Role::Educator
                    ) {
                        assert!(!ok, "{ctx}");
                    }
                    // A clinician submits exactly where they may write clinical data.
                    if role == Role::Clinician {
                        assert_eq!(
                            ok,
                            allowed(role, kind, setup, &consents, Action::Write(Clinical)),
                            "{ctx}"
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 1000);
}

#[test]
fn programmes_are_managed_by_their_owning_organisation() {
    let hospital = org(200);
    let clinic = org(201);
    let who = |o: OrgId, role: Role| Principal::Staff {
        user_id: UserId::new(),
        name: "p".into(),
        memberships: vec![ActingRole {
            org_id: o,
            org_kind: OrgKind::Hospital,
            role,
        }],
    };
    let target = Resource::Organisation {
        id: clinic,
        ancestors: &[hospital],
    };
    let manage = Action::ManageProgramme { org_id: clinic };
    let stats = Action::ReadProgrammeStatistics { org_id: clinic };
    assert!(authorize(&who(clinic, Role::Clinician), manage, target).allowed);
    assert!(authorize(&who(hospital, Role::Clinician), manage, target).allowed);
    assert!(authorize(&who(hospital, Role::OrgAdmin), manage, target).allowed);
    assert!(!authorize(&who(org(202), Role::Clinician), manage, target).allowed);
    assert!(!authorize(&who(clinic, Role::Analyst), manage, target).allowed);
    assert!(authorize(&who(clinic, Role::Analyst), stats, target).allowed);
    assert!(!authorize(&who(clinic, Role::ServiceDeskAgent), stats, target).allowed);
    assert!(authorize(&who(org(9), Role::SystemAdmin), manage, target).allowed);
}

#[test]
fn administration_follows_the_organisation_tree() {
    let region = org(100);
    let municipality = org(101);
    let admin = |o: OrgId, role: Role| Principal::Staff {
        user_id: UserId::new(),
        name: "a".into(),
        memberships: vec![ActingRole {
            org_id: o,
            org_kind: OrgKind::Region,
            role,
        }],
    };
    let target = Resource::Organisation {
        id: municipality,
        ancestors: &[region],
    };
    let manage = Action::ManageStaff {
        org_id: municipality,
    };
    assert!(authorize(&admin(region, Role::OrgAdmin), manage, target).allowed);
    assert!(authorize(&admin(municipality, Role::OrgAdmin), manage, target).allowed);
    assert!(!authorize(&admin(org(102), Role::OrgAdmin), manage, target).allowed);
    assert!(!authorize(&admin(municipality, Role::Clinician), manage, target).allowed);
    assert!(authorize(&admin(org(102), Role::SystemAdmin), manage, target).allowed);
    assert!(
        !authorize(
            &admin(municipality, Role::OrgAdmin),
            Action::ManageOrganisations,
            Resource::Platform
        )
        .allowed
    );
    assert!(
        authorize(
            &admin(municipality, Role::OrgAdmin),
            Action::ReadAuditLog {
                org_id: Some(municipality)
            },
            Resource::Platform
        )
        .allowed
    );
    assert!(
        !authorize(
            &admin(municipality, Role::OrgAdmin),
            Action::ReadAuditLog { org_id: None },
            Resource::Platform
        )
        .allowed
    );
}

#[test]
fn equipment_is_run_by_the_service_centre_and_its_costs_read_by_the_payer() {
    let centre = org(300);
    let region = org(301);
    let municipality = org(302);
    let who = |o: OrgId, kind: OrgKind, role: Role| Principal::Staff {
        user_id: UserId::new(),
        name: "e".into(),
        memberships: vec![ActingRole {
            org_id: o,
            org_kind: kind,
            role,
        }],
    };
    for role in Role::ALL {
        let allowed = authorize(
            &who(centre, OrgKind::ServiceCentre, *role),
            Action::ManageEquipment,
            Resource::Platform,
        )
        .allowed;
        assert_eq!(
            allowed,
            matches!(
                role,
                Role::LogisticsTechnician | Role::ServiceDeskAgent | Role::OrgAdmin
            ),
            "{role}"
        );
        assert!(
            !authorize(
                &who(municipality, OrgKind::Municipality, *role),
                Action::ManageEquipment,
                Resource::Platform
            )
            .allowed,
            "{role} of a municipality"
        );
    }
    // The service desk is the centre's agents', technicians' and lead's, nobody else's.
    for role in Role::ALL {
        let desk = |o, kind| {
            authorize(
                &who(o, kind, *role),
                Action::RunServiceDesk,
                Resource::Platform,
            )
            .allowed
        };
        assert_eq!(
            desk(centre, OrgKind::ServiceCentre),
            matches!(
                role,
                Role::LogisticsTechnician | Role::ServiceDeskAgent | Role::OrgAdmin
            ),
            "{role}"
        );
        assert!(
            !desk(municipality, OrgKind::Municipality),
            "{role} of a municipality"
        );
    }
    let costs = |o| Action::ReadEquipmentCosts { org_id: Some(o) };
    let target = Resource::Organisation {
        id: municipality,
        ancestors: &[region],
    };
    assert!(
        authorize(
            &who(municipality, OrgKind::Municipality, Role::Analyst),
            costs(municipality),
            target
        )
        .allowed
    );
    assert!(
        authorize(
            &who(region, OrgKind::Region, Role::OrgAdmin),
            costs(municipality),
            target
        )
        .allowed
    );
    assert!(
        !authorize(
            &who(org(303), OrgKind::Municipality, Role::OrgAdmin),
            costs(municipality),
            target
        )
        .allowed
    );
    assert!(
        !authorize(
            &who(municipality, OrgKind::Municipality, Role::Clinician),
            costs(municipality),
            target
        )
        .allowed
    );
    assert!(
        authorize(
            &who(centre, OrgKind::ServiceCentre, Role::LogisticsTechnician),
            Action::ReadEquipmentCosts { org_id: None },
            Resource::Platform
        )
        .allowed
    );
}

proptest! {
    /// Withdrawing a consent never grants more, whatever the rest of the picture.
    #[test]
    fn withdrawing_consent_never_grants_more(
        role in prop::sample::select(Role::ALL.to_vec()),
        kind in prop::sample::select(OrgKind::ALL.to_vec()),
        setup in prop::sample::select(setups()),
        bits in 0u8..16,
        drop in 0usize..4,
        action in prop::sample::select(actions()),
    ) {
        let all: Vec<ConsentType> = ConsentType::ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, c)| *c).collect();
        let fewer: Vec<ConsentType> = all.iter().copied().filter(|c| *c != ConsentType::ALL[drop]).collect();
        if allowed(role, kind, setup, &fewer, action) {
            prop_assert!(allowed(role, kind, setup, &all, action));
        }
        // A later withdrawal record acts at once.
        let mut f = facts(setup, role, kind, &all);
        let withdrawn: Vec<Consent> = f.consents.iter().map(|c| Consent { id: ConsentId::new(), status: ConsentStatus::Withdrawn, recorded_at: Timestamp(2), ..c.clone() }).collect();
        f.consents.extend(withdrawn);
        let none = facts(setup, role, kind, &[]);
        prop_assert_eq!(
            authorize(&staff(role, kind), action, Resource::Citizen(&f)).allowed,
            authorize(&staff(role, kind), action, Resource::Citizen(&none)).allowed
        );
    }
}
