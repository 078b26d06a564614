//! Organization ⇄ organisation: SOR and CVR identifiers, the kind as a type, the parent as
//! `partOf`.

use crate::datatypes::{CodeableConcept, Coding, Identifier, Reference};
use crate::systems;
use serde::Serialize;
use telesund_core::identity::{OrgKind, Organisation};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    pub active: bool,
    #[serde(rename = "type")]
    pub type_: Vec<CodeableConcept>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_of: Option<Reference>,
}

/// Danish and English display names for each kind.
pub fn kind_display(kind: OrgKind) -> (&'static str, &'static str) {
    match kind {
        OrgKind::Region => ("Region", "Region"),
        OrgKind::Municipality => ("Kommune", "Municipality"),
        OrgKind::Hospital => ("Hospital", "Hospital"),
        OrgKind::HospitalDepartment => ("Hospitalsafdeling", "Hospital department"),
        OrgKind::GeneralPractice => ("Almen praksis", "General practice"),
        OrgKind::ServiceCentre => ("Servicecenter", "Service centre"),
        OrgKind::Partner => ("Samarbejdspartner", "Partner"),
    }
}

/// The HL7 organization-type code nearest to each kind, next to Telesund's own code.
fn hl7_type(kind: OrgKind) -> (&'static str, &'static str) {
    match kind {
        OrgKind::Region | OrgKind::Municipality => ("govt", "Government"),
        OrgKind::Hospital | OrgKind::GeneralPractice => ("prov", "Healthcare Provider"),
        OrgKind::HospitalDepartment => ("dept", "Hospital Department"),
        OrgKind::ServiceCentre => ("bus", "Non-Healthcare Business or Corporation"),
        OrgKind::Partner => ("cg", "Community Group"),
    }
}

pub fn from_organisation(o: &Organisation) -> Organization {
    let mut identifier = Vec::new();
    if let Some(sor) = &o.sor_code {
        identifier.push(Identifier::official(systems::SOR, sor));
    }
    if let Some(cvr) = &o.cvr {
        identifier.push(Identifier::official(systems::CVR, cvr));
    }
    let (hl7_code, hl7_display) = hl7_type(o.kind);
    Organization {
        resource_type: "Organization",
        id: o.id.to_string(),
        identifier,
        active: o.active,
        type_: vec![CodeableConcept {
            coding: vec![
                Coding::new(systems::ORG_KIND, o.kind.as_str(), kind_display(o.kind).0),
                Coding::new(
                    "http://terminology.hl7.org/CodeSystem/organization-type",
                    hl7_code,
                    hl7_display,
                ),
            ],
            text: None,
        }],
        name: o.name.clone(),
        part_of: o.parent_id.map(|p| Reference::to("Organization", p, None)),
    }
}
