//! The FHIR R4 data types Telesund uses. Empty optional elements are left out, because FHIR
//! forbids empty elements (`ele-1`).

use serde::{Deserialize, Serialize};
use telesund_core::Timestamp;

/// An instant in FHIR's `instant` format (UTC, RFC 3339).
pub fn instant(t: Timestamp) -> String {
    t.to_rfc3339()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<Coding>,
}

impl Meta {
    pub fn updated(t: Timestamp) -> Option<Meta> {
        Some(Meta {
            last_updated: Some(instant(t)),
            ..Meta::default()
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    pub fn new(system: &str, code: &str, display: &str) -> Coding {
        Coding {
            system: Some(system.into()),
            version: None,
            code: Some(code.into()),
            display: (!display.is_empty()).then(|| display.into()),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeableConcept {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    pub fn coded(system: &str, code: &str, display: &str) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding::new(system, code, display)],
            text: None,
        }
    }
    pub fn text(text: &str) -> CodeableConcept {
        CodeableConcept {
            coding: Vec::new(),
            text: Some(text.into()),
        }
    }
    /// The code this concept carries in `system`, if any.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref() == Some(system))
            .and_then(|c| c.code.as_deref())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identifier {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Identifier {
    pub fn official(system: &str, value: &str) -> Identifier {
        Identifier {
            use_: Some("official".into()),
            system: Some(system.into()),
            value: Some(value.into()),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    /// A literal reference, e.g. `Patient/0193…`, with an optional display text.
    pub fn to(resource_type: &str, id: impl std::fmt::Display, display: Option<&str>) -> Reference {
        Reference {
            reference: Some(format!("{resource_type}/{id}")),
            type_: None,
            identifier: None,
            display: display.filter(|d| !d.is_empty()).map(str::to_string),
        }
    }
    pub fn display(display: &str) -> Reference {
        Reference {
            display: Some(display.into()),
            ..Reference::default()
        }
    }
    /// The id in a literal reference to `resource_type` (relative, or absolute ending in it).
    pub fn id_of(&self, resource_type: &str) -> Option<&str> {
        let r = self.reference.as_deref()?;
        let tail = r
            .rsplit_once(&format!("{resource_type}/"))
            .map(|(_, id)| id)?;
        (!tail.is_empty() && !tail.contains('/')).then_some(tail)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

impl Period {
    pub fn from(start: Timestamp, end: Option<Timestamp>) -> Period {
        Period {
            start: Some(instant(start)),
            end: end.map(instant),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HumanName {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactPoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
}

impl ContactPoint {
    pub fn new(system: &str, value: &str) -> ContactPoint {
        ContactPoint {
            system: Some(system.into()),
            value: Some(value.into()),
            use_: None,
            rank: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Extension {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
}

impl Extension {
    pub fn boolean(url: &str, value: bool) -> Extension {
        Extension {
            url: url.into(),
            value_boolean: Some(value),
            value_code: None,
        }
    }
    pub fn code(url: &str, value: &str) -> Extension {
        Extension {
            url: url.into(),
            value_boolean: None,
            value_code: Some(value.into()),
        }
    }
}

/// `Narrative` is optional in every resource; Telesund does not generate it. Incoming
/// narratives are accepted and ignored, since the structured data is authoritative.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Narrative {
    pub status: String,
    pub div: String,
}

/// For `skip_serializing_if` on booleans that mean nothing when false.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
