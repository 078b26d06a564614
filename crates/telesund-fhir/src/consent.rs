//! Consent: each of Telesund's consent records (given or withdrawn) as an R4 Consent. A
//! withdrawal is a Consent with status `inactive` and a `deny` provision, so the history reads
//! the same in FHIR as in the portal.

use crate::datatypes::{CodeableConcept, Coding, Reference, instant};
use crate::systems;
use serde::Serialize;
use telesund_core::care::{Consent as DomainConsent, ConsentStatus, ConsentType};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub resource_type: &'static str,
    pub id: String,
    pub status: &'static str,
    pub scope: CodeableConcept,
    pub category: Vec<CodeableConcept>,
    pub patient: Reference,
    pub date_time: String,
    pub performer: Vec<Reference>,
    pub policy_rule: CodeableConcept,
    pub provision: Provision,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provision {
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<ProvisionData>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProvisionData {
    pub meaning: &'static str,
    pub reference: Reference,
}

pub fn type_display(t: ConsentType) -> &'static str {
    match t {
        ConsentType::TelemedicineParticipation => "Deltagelse i telemedicinsk forløb",
        ConsentType::CrossSectorSharing => "Deling med anden sektor",
        ConsentType::LogisticsAddressSharing => "Deling af adresse med logistikpartner",
        ConsentType::SocialStaffSharing => "Deling med socialfagligt personale",
    }
}

pub fn from_consent(c: &DomainConsent) -> Consent {
    let given = c.status == ConsentStatus::Given;
    // Participation is consent to treatment; the three sharing consents concern privacy.
    let (scope_code, scope_display) = match c.consent_type {
        ConsentType::TelemedicineParticipation => ("treatment", "Treatment"),
        _ => ("patient-privacy", "Privacy Consent"),
    };
    let performer = match c.recorded_by {
        Some(u) => Reference::to("Practitioner", u, Some(&c.recorded_by_name)),
        None => Reference::to("Patient", c.citizen_id, Some(&c.recorded_by_name)),
    };
    Consent {
        resource_type: "Consent",
        id: c.id.to_string(),
        status: if given { "active" } else { "inactive" },
        scope: CodeableConcept::coded(
            "http://terminology.hl7.org/CodeSystem/consentscope",
            scope_code,
            scope_display,
        ),
        category: vec![CodeableConcept {
            coding: vec![
                Coding::new(
                    systems::CONSENT_TYPE,
                    c.consent_type.as_str(),
                    type_display(c.consent_type),
                ),
                Coding::new("http://loinc.org", "59284-0", "Patient Consent"),
            ],
            text: (!c.note.is_empty()).then(|| c.note.clone()),
        }],
        patient: Reference::to("Patient", c.citizen_id, None),
        date_time: instant(c.recorded_at),
        performer: vec![performer],
        policy_rule: CodeableConcept::coded(
            "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            if given { "OPTIN" } else { "OPTOUT" },
            if given { "opt-in" } else { "opt-out" },
        ),
        provision: Provision {
            type_: if given { "permit" } else { "deny" },
            data: c
                .programme_id
                .map(|p| ProvisionData {
                    meaning: "related",
                    reference: Reference::to("PlanDefinition", p, None),
                })
                .into_iter()
                .collect(),
        },
    }
}
