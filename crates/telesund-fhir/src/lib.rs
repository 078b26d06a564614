//! The FHIR R4 (4.0.1) resources Telesund serves, and the mapping between them and the
//! domain in `telesund-core`. No I/O here: the HTTP crate reads and writes through storage,
//! and this crate only says what a citizen, an organisation or an audit record looks like in
//! FHIR — and turns an incoming Patient into a validated `CitizenInput`.
//!
//! Danish identifier systems follow HL7 Denmark's DK Core: CPR `urn:oid:1.2.208.176.1.2`,
//! SOR `urn:oid:1.2.208.176.1.1`, CVR `http://cvr.dk`.

pub mod audit_event;
pub mod bundle;
pub mod capability;
pub mod care_plan;
pub mod care_team;
pub mod clinical_impression;
pub mod consent;
pub mod datatypes;
pub mod device;
mod input;
pub mod observation;
pub mod organization;
pub mod outcome;
pub mod patient;
pub mod plan_definition;
pub mod practitioner;
pub mod questionnaire;
pub mod search;
pub mod task;

pub use bundle::{Bundle, SearchEntry};
pub use outcome::OperationOutcome;

/// The FHIR version every resource here conforms to.
pub const FHIR_VERSION: &str = "4.0.1";
/// The media type of FHIR JSON.
pub const FHIR_JSON: &str = "application/fhir+json";

pub mod systems {
    //! Identifier and code systems.
    pub const CPR: &str = "urn:oid:1.2.208.176.1.2";
    pub const SOR: &str = "urn:oid:1.2.208.176.1.1";
    pub const CVR: &str = "http://cvr.dk";
    pub const BCP47: &str = "urn:ietf:bcp:47";
    /// Telesund's own code systems and extensions live under this base.
    pub const TELESUND: &str = "https://telesund.dk/fhir";
    pub const ROLE: &str = "https://telesund.dk/fhir/CodeSystem/staff-role";
    pub const ORG_KIND: &str = "https://telesund.dk/fhir/CodeSystem/organisation-kind";
    pub const CONSENT_TYPE: &str = "https://telesund.dk/fhir/CodeSystem/consent-type";
    pub const CARE_TEAM_SCOPE: &str =
        "https://telesund.dk/fhir/StructureDefinition/care-team-scope";
    pub const ASSISTED_SUPPORT: &str =
        "https://telesund.dk/fhir/StructureDefinition/needs-assisted-digital-support";
    pub const REQUEST_ID: &str = "https://telesund.dk/fhir/NamingSystem/request-id";
    pub const STAFF_EMAIL: &str = "https://telesund.dk/fhir/NamingSystem/staff-email";
}
