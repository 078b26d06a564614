//! Typed identifiers. Ids are UUID v7, made by the application (time-sortable, and the same
//! on SQLite and PostgreSQL), and a citizen id can never be passed where a user id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self { Self(Uuid::now_v7()) }
            pub fn as_uuid(&self) -> Uuid { self.0 }
        }
        impl Default for $name { fn default() -> Self { Self::new() } }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Uuid::parse_str(s).map(Self) }
        }
        impl From<Uuid> for $name { fn from(u: Uuid) -> Self { Self(u) } }
    )*};
}

id_type!(
    /// An organisation of any sector.
    OrgId,
    /// A staff user (a person who works in one or more organisations).
    UserId,
    /// A citizen (patient).
    CitizenId,
    /// A programme (the care offer a citizen can be enrolled in).
    ProgrammeId,
    /// An enrolment of a citizen in a programme.
    EnrolmentId,
    /// A care team around one citizen.
    CareTeamId,
    /// A member of a care team.
    TeamMemberId,
    /// A consent record.
    ConsentId,
    /// A membership of a staff user in an organisation with one role.
    MembershipId,
    /// An API token for an integration.
    TokenId,
    /// An audit record.
    AuditId,
    /// A next-of-kin contact.
    NextOfKinId,
    /// One version of a programme's definition (FHIR PlanDefinition).
    ProgrammeVersionId,
    /// A citizen's care plan in one programme (FHIR CarePlan).
    CarePlanId,
    /// A questionnaire version (FHIR Questionnaire).
    QuestionnaireId,
    /// A home measurement (FHIR Observation).
    ObservationId,
    /// A citizen's answers to a questionnaire (FHIR QuestionnaireResponse).
    ResponseId,
    /// The triage of one result for one care plan (FHIR ClinicalImpression).
    AssessmentId,
    /// Work for a care team (FHIR Task).
    TaskId,
    /// An approved device model in the equipment catalogue.
    ModelId,
    /// A programme's kit: the device roles it needs.
    KitId,
    /// One serial-numbered device (FHIR Device).
    UnitId,
    /// A warehouse of the service centre or its logistics partner.
    WarehouseId,
    /// A unit's service to one care plan (who pays, from when, what share).
    AssignmentId,
    /// An equipment order (FUT SSL Order).
    OrderId,
    /// One line of an order: a device role, later a unit.
    OrderLineId,
    /// A technician's home visit.
    VisitId,
    /// One entry in a unit's history: a lifecycle transition.
    UnitEventId,
    /// The record of one cleaning, disinfection and function test.
    ReprocessingId,
    /// A calibration, battery change or repair done on a unit.
    MaintenanceId,
    /// A service desk case.
    CaseId,
    /// One entry in a case's timeline.
    CaseEventId,
    /// A call the telephony integration reported.
    CallId,
    /// A knowledge-base article or reply template.
    ArticleId,
    /// A picture in a knowledge-base article.
    ImageId,
);
