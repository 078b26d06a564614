//! Patient ⇄ citizen. A citizen is identified by CPR; the municipality of residence is the
//! managing organisation; the need for assisted digital support is a Telesund extension.

use crate::datatypes::{
    Address, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier, Meta,
    Narrative, Reference, is_false,
};
use crate::systems;
use serde::{Deserialize, Serialize};
use telesund_core::cpr::Sex;
use telesund_core::identity::{Citizen, CitizenInput, Language, NextOfKinInput};
use telesund_core::ids::OrgId;
use telesund_core::{Cpr, ErrorCode};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Patient {
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing)]
    pub text: Option<Narrative>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<HumanName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub telecom: Vec<ContactPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<PatientContact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub communication: Vec<Communication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managing_organization: Option<Reference>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatientContact {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationship: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<HumanName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub telecom: Vec<ContactPoint>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Communication {
    pub language: CodeableConcept,
    #[serde(default, skip_serializing_if = "is_false")]
    pub preferred: bool,
}

/// Why an incoming resource cannot be taken, and where (a FHIRPath expression).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub code: ErrorCode,
    pub message: String,
    pub expression: Option<String>,
}

impl InputError {
    fn at(expression: &str, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            expression: Some(expression.into()),
        }
    }
}

fn language_code(l: Language) -> (&'static str, &'static str) {
    match l {
        Language::Danish => ("da", "dansk"),
        Language::English => ("en", "English"),
    }
}

/// A citizen as a Patient. `contact_visible` is false when the caller may see identity but not
/// contact details (those fields are then left out, not sent empty).
pub fn from_citizen(c: &Citizen, municipality_name: Option<&str>) -> Patient {
    let (lang, lang_display) = language_code(c.language);
    let has_address = !c.address.line.is_empty()
        || !c.address.postal_code.is_empty()
        || !c.address.city.is_empty();
    let mut telecom: Vec<ContactPoint> = c
        .phones
        .iter()
        .map(|p| ContactPoint::new("phone", p))
        .collect();
    if let Some(e) = &c.email {
        telecom.push(ContactPoint::new("email", e));
    }
    Patient {
        resource_type: "Patient".into(),
        id: Some(c.id.to_string()),
        meta: Meta::updated(c.updated_at),
        text: None,
        extension: if c.needs_assisted_support {
            vec![Extension::boolean(systems::ASSISTED_SUPPORT, true)]
        } else {
            Vec::new()
        },
        identifier: vec![Identifier::official(systems::CPR, c.cpr.as_str())],
        active: Some(true),
        name: vec![HumanName {
            use_: Some("official".into()),
            text: Some(c.full_name()),
            family: Some(c.family_name.clone()),
            given: c
                .given_name
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        }],
        telecom,
        gender: Some(sex_code(c.cpr.sex()).into()),
        birth_date: c.cpr.birth_date().ok().map(|d| d.to_string()),
        address: if has_address {
            vec![Address {
                use_: Some("home".into()),
                text: None,
                line: vec![c.address.line.clone()]
                    .into_iter()
                    .filter(|l| !l.is_empty())
                    .collect(),
                city: Some(c.address.city.clone()).filter(|s| !s.is_empty()),
                postal_code: Some(c.address.postal_code.clone()).filter(|s| !s.is_empty()),
                country: Some("DK".into()),
            }]
        } else {
            Vec::new()
        },
        contact: c
            .next_of_kin
            .iter()
            .map(|k| PatientContact {
                relationship: if k.relation.is_empty() {
                    Vec::new()
                } else {
                    vec![CodeableConcept::text(&k.relation)]
                },
                name: Some(HumanName {
                    text: Some(k.name.clone()),
                    ..HumanName::default()
                }),
                telecom: k
                    .phone
                    .iter()
                    .map(|p| ContactPoint::new("phone", p))
                    .collect(),
            })
            .collect(),
        communication: vec![Communication {
            language: CodeableConcept {
                coding: vec![Coding::new(systems::BCP47, lang, lang_display)],
                text: None,
            },
            preferred: true,
        }],
        managing_organization: c
            .municipality_id
            .map(|m| Reference::to("Organization", m, municipality_name)),
    }
}

/// The administrative gender FHIR expects, from the CPR number's last digit.
fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

/// A search hit: identity only, tagged SUBSETTED so clients know to read the full resource.
pub fn summary(id: &str, cpr: &Cpr, name: &str, municipality: Option<&str>) -> Patient {
    Patient {
        resource_type: "Patient".into(),
        id: Some(id.into()),
        meta: Some(Meta {
            tag: vec![Coding::new(
                "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                "SUBSETTED",
                "subsetted",
            )],
            ..Meta::default()
        }),
        identifier: vec![Identifier::official(systems::CPR, cpr.as_str())],
        name: vec![HumanName {
            use_: Some("official".into()),
            text: Some(name.into()),
            ..HumanName::default()
        }],
        gender: Some(sex_code(cpr.sex()).into()),
        birth_date: cpr.birth_date().ok().map(|d| d.to_string()),
        managing_organization: municipality.map(Reference::display),
        ..Patient::default()
    }
}

/// An incoming Patient (create or update) as the citizen input the domain validates. Every
/// element Telesund cannot store is refused by name rather than silently dropped.
pub fn into_input(p: Patient) -> Result<CitizenInput, InputError> {
    if p.resource_type != "Patient" {
        return Err(InputError::at(
            "resourceType",
            format!("expected a Patient, got {}", p.resource_type),
        ));
    }
    let cprs: Vec<&Identifier> = p
        .identifier
        .iter()
        .filter(|i| i.system.as_deref() == Some(systems::CPR))
        .collect();
    let cpr = match cprs.as_slice() {
        [one] => one.value.clone().unwrap_or_default(),
        [] => {
            return Err(InputError::at(
                "Patient.identifier",
                format!(
                    "a Patient needs its CPR number as an identifier with system {}",
                    systems::CPR
                ),
            ));
        }
        _ => {
            return Err(InputError::at(
                "Patient.identifier",
                "more than one CPR number",
            ));
        }
    };
    if let Some(other) = p
        .identifier
        .iter()
        .position(|i| i.system.as_deref() != Some(systems::CPR))
    {
        return Err(InputError::at(
            &format!("Patient.identifier[{other}]"),
            "Telesund stores only the CPR identifier",
        ));
    }
    let name = match p.name.as_slice() {
        [] => return Err(InputError::at("Patient.name", "a Patient needs a name")),
        names => names
            .iter()
            .find(|n| n.use_.as_deref() == Some("official"))
            .unwrap_or(&names[0]),
    };
    let family = name.family.clone().unwrap_or_default();
    let given = name.given.join(" ");
    if family.trim().is_empty() || given.trim().is_empty() {
        return Err(InputError::at(
            "Patient.name",
            "the name needs both family and given",
        ));
    }
    let mut phones = Vec::new();
    let mut email = None;
    for (i, t) in p.telecom.iter().enumerate() {
        let value = t.value.clone().unwrap_or_default();
        match t.system.as_deref() {
            Some("phone") | Some("sms") => phones.push(value),
            Some("email") if email.is_none() => email = Some(value),
            _ => {
                return Err(InputError::at(
                    &format!("Patient.telecom[{i}]"),
                    "Telesund stores phone numbers and one e-mail address",
                ));
            }
        }
    }
    let address = match p.address.as_slice() {
        [] => Default::default(),
        [a] => {
            if a.line.len() > 1 {
                return Err(InputError::at(
                    "Patient.address[0].line",
                    "one address line",
                ));
            }
            telesund_core::identity::Address {
                line: a.line.first().cloned().unwrap_or_default(),
                postal_code: a.postal_code.clone().unwrap_or_default(),
                city: a.city.clone().unwrap_or_default(),
            }
        }
        _ => {
            return Err(InputError::at(
                "Patient.address",
                "Telesund stores one address",
            ));
        }
    };
    let municipality_id = match &p.managing_organization {
        None => None,
        Some(r) => Some(
            r.id_of("Organization")
                .and_then(|id| id.parse::<OrgId>().ok())
                .ok_or_else(|| {
                    InputError::at(
                        "Patient.managingOrganization",
                        "refer to the municipality as Organization/<id>",
                    )
                })?,
        ),
    };
    let language = match p
        .communication
        .iter()
        .find(|c| c.preferred)
        .or(p.communication.first())
    {
        None => Language::Danish,
        Some(c) => match c.language.code_in(systems::BCP47) {
            Some(code) if code.starts_with("da") => Language::Danish,
            Some(code) if code.starts_with("en") => Language::English,
            _ => {
                return Err(InputError::at(
                    "Patient.communication.language",
                    "the language must be da or en (urn:ietf:bcp:47)",
                ));
            }
        },
    };
    let mut needs_assisted_support = false;
    for (i, e) in p.extension.iter().enumerate() {
        if e.url == systems::ASSISTED_SUPPORT {
            needs_assisted_support = e.value_boolean.unwrap_or(false);
        } else {
            return Err(InputError::at(
                &format!("Patient.extension[{i}]"),
                format!("unknown extension {}", e.url),
            ));
        }
    }
    let next_of_kin = p
        .contact
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = c
                .name
                .as_ref()
                .and_then(|n| {
                    n.text.clone().or_else(|| {
                        let s = format!(
                            "{} {}",
                            n.given.join(" "),
                            n.family.clone().unwrap_or_default()
                        );
                        (!s.trim().is_empty()).then(|| s.trim().to_string())
                    })
                })
                .ok_or_else(|| {
                    InputError::at(
                        &format!("Patient.contact[{i}].name"),
                        "a contact needs a name",
                    )
                })?;
            let relation = c
                .relationship
                .first()
                .and_then(|r| {
                    r.text.clone().or_else(|| {
                        r.coding
                            .first()
                            .and_then(|c| c.display.clone().or(c.code.clone()))
                    })
                })
                .unwrap_or_default();
            let phone = c
                .telecom
                .iter()
                .find(|t| t.system.as_deref() == Some("phone"))
                .and_then(|t| t.value.clone());
            Ok(NextOfKinInput {
                name,
                relation,
                phone,
            })
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    if p.gender.is_some() || p.birth_date.is_some() {
        // Both follow from the CPR number; a contradiction is an error, not a silent override.
        if let Ok(parsed) = Cpr::parse(&cpr) {
            if let Some(g) = &p.gender
                && g != sex_code(parsed.sex())
            {
                return Err(InputError::at(
                    "Patient.gender",
                    "the gender contradicts the CPR number",
                ));
            }
            if let Some(b) = &p.birth_date
                && parsed.birth_date().ok().map(|d| d.to_string()).as_deref() != Some(b.as_str())
            {
                return Err(InputError::at(
                    "Patient.birthDate",
                    "the birth date contradicts the CPR number",
                ));
            }
        }
    }
    Ok(CitizenInput {
        cpr,
        given_name: given,
        family_name: family,
        address,
        municipality_id,
        phones,
        email,
        language,
        needs_assisted_support,
        next_of_kin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use telesund_core::Timestamp;
    use telesund_core::identity::Address as DkAddress;
    use telesund_core::ids::CitizenId;

    fn bent() -> CitizenInput {
        CitizenInput {
            cpr: "1203451235".into(),
            given_name: "Bent Ove".into(),
            family_name: "Hansen".into(),
            address: DkAddress {
                line: "Søndergade 12".into(),
                postal_code: "8700".into(),
                city: "Horsens".into(),
            },
            municipality_id: Some(OrgId::new()),
            phones: vec!["+4522334455".into()],
            email: Some("bent@example.dk".into()),
            language: Language::Danish,
            needs_assisted_support: true,
            next_of_kin: vec![NextOfKinInput {
                name: "Inge Hansen".into(),
                relation: "hustru".into(),
                phone: Some("+4599887766".into()),
            }],
        }
    }

    #[test]
    fn a_citizen_survives_the_trip_through_fhir_json() {
        let input = bent();
        let now = Timestamp::now();
        let citizen = input
            .clone()
            .into_citizen(CitizenId::new(), now, now)
            .unwrap();
        let json = serde_json::to_string(&from_citizen(&citizen, Some("Horsens Kommune"))).unwrap();
        let back: Patient = serde_json::from_str(&json).unwrap();
        assert_eq!(into_input(back).unwrap(), input);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["gender"], "male");
        assert_eq!(v["birthDate"], "1945-03-12");
        assert_eq!(v["identifier"][0]["system"], systems::CPR);
    }

    #[test]
    fn what_telesund_cannot_store_is_refused_by_name() {
        let unknown = serde_json::json!({
            "resourceType": "Patient",
            "identifier": [{ "system": systems::CPR, "value": "1203451235" }],
            "name": [{ "family": "Hansen", "given": ["Bent"] }],
            "maritalStatus": { "text": "gift" }
        });
        let err = serde_json::from_value::<Patient>(unknown).unwrap_err();
        assert!(err.to_string().contains("maritalStatus"), "{err}");

        let p: Patient = serde_json::from_value(serde_json::json!({
            "resourceType": "Patient",
            "identifier": [{ "system": systems::CPR, "value": "1203451235" }],
            "name": [{ "family": "Hansen", "given": ["Bent"] }],
            "gender": "female"
        }))
        .unwrap();
        let err = into_input(p).unwrap_err();
        assert_eq!(err.expression.as_deref(), Some("Patient.gender"));

        let p: Patient = serde_json::from_value(serde_json::json!({
            "resourceType": "Patient",
            "name": [{ "family": "Hansen", "given": ["Bent"] }]
        }))
        .unwrap();
        assert_eq!(
            into_input(p).unwrap_err().expression.as_deref(),
            Some("Patient.identifier")
        );
    }
}
