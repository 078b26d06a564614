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

/// One `value[x]` of the types Telesund writes, for extensions and `Task.input`. Serialised
/// with its FHIR element name as the key (`{"valueCode": "red"}`), so a struct that flattens
/// it gets exactly one `value[x]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ValueX {
    #[serde(rename = "valueBoolean")]
    Boolean(bool),
    #[serde(rename = "valueCode")]
    Code(String),
    #[serde(rename = "valueString")]
    String(String),
    #[serde(rename = "valueInteger")]
    Integer(i64),
    #[serde(rename = "valuePositiveInt")]
    PositiveInt(u32),
    #[serde(rename = "valueDecimal")]
    Decimal(serde_json::Number),
    #[serde(rename = "valueDateTime")]
    DateTime(String),
    #[serde(rename = "valueCoding")]
    Coding(Coding),
    #[serde(rename = "valueCodeableConcept")]
    CodeableConcept(CodeableConcept),
    #[serde(rename = "valueQuantity")]
    Quantity(crate::observation::SimpleQuantity),
    /// A Quantity of time in UCUM (`{"value": 3, "unit": "d", "system": UCUM, "code": "d"}`).
    #[serde(rename = "valueDuration")]
    Duration(crate::observation::SimpleQuantity),
    #[serde(rename = "valuePeriod")]
    Period(Period),
    #[serde(rename = "valueReference")]
    Reference(Reference),
}

/// An extension Telesund writes (never reads): one value, or sub-extensions for a complex
/// extension — never both (`ext-1`), which the two constructors guarantee.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WrittenExtension {
    pub url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub value: Option<ValueX>,
}

impl WrittenExtension {
    pub fn value(url: &str, value: ValueX) -> WrittenExtension {
        WrittenExtension {
            url: url.into(),
            extension: Vec::new(),
            value: Some(value),
        }
    }
    /// A complex extension: its parts, each with a (usually relative) url of its own.
    pub fn complex(url: &str, parts: Vec<WrittenExtension>) -> WrittenExtension {
        WrittenExtension {
            url: url.into(),
            extension: parts,
            value: None,
        }
    }
}

/// The extensions of a primitive element, written as its `_name` sibling in JSON
/// (`"_title": {"extension": [...]}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrimitiveExtensions {
    pub extension: Vec<WrittenExtension>,
}

/// The core translation extension on a primitive string, for the English text beside the
/// Danish one.
pub const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";

impl PrimitiveExtensions {
    /// `_element` for a translation of the element into `lang`; `None` when there is none.
    pub fn translation(lang: &str, content: &str) -> Option<PrimitiveExtensions> {
        (!content.trim().is_empty()).then(|| PrimitiveExtensions {
            extension: vec![WrittenExtension::complex(
                TRANSLATION,
                vec![
                    WrittenExtension::value("lang", ValueX::Code(lang.into())),
                    WrittenExtension::value("content", ValueX::String(content.into())),
                ],
            )],
        })
    }
}

/// An R4 `Timing` as Telesund writes it: a repeat rule and, optionally, a code or text.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timing {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<TimingRepeat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
}

/// `Timing.repeat`: `frequency` times per `period` `periodUnit` (UCUM: d, wk, mo), on the
/// given days of the week (`mon` … `sun`) when not every day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimingRepeat {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<WrittenExtension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub day_of_week: Vec<&'static str>,
}

/// Checks for the mapping tests: FHIR's `ele-1` and the official R4 models.
#[cfg(test)]
pub(crate) mod tests_support {
    use serde_json::Value;

    /// No `[]`, `{}`, `null` or `""` anywhere (ele-1).
    pub(crate) fn assert_no_empty(v: &Value, at: &str) {
        match v {
            Value::Null => panic!("null at {at}"),
            Value::String(s) => assert!(!s.is_empty(), "empty string at {at}"),
            Value::Array(a) => {
                assert!(!a.is_empty(), "empty array at {at}");
                for (i, x) in a.iter().enumerate() {
                    assert_no_empty(x, &format!("{at}[{i}]"));
                }
            }
            Value::Object(o) => {
                assert!(!o.is_empty(), "empty object at {at}");
                // ext-1: an extension has a value or sub-extensions, not both.
                if o.contains_key("url") && at.contains("extension") {
                    let values = o.keys().filter(|k| k.starts_with("value")).count();
                    let nested = o.contains_key("extension");
                    assert!(
                        (values == 1) != nested,
                        "ext-1 at {at}: {values} values, nested {nested}"
                    );
                }
                for (k, x) in o {
                    assert_no_empty(x, &format!("{at}.{k}"));
                }
            }
            _ => {}
        }
    }

    /// Feeds a resource to the R4 validator named by `TELESUND_FHIR_VALIDATOR` (which
    /// `scripts/test` installs) and fails on any problem; without it, checks nothing. With
    /// `TELESUND_FHIR_SAMPLES` set to a directory, also writes the resource there.
    pub(crate) fn validate_r4(resource: &Value) {
        let kind = resource["resourceType"].as_str().unwrap_or("resource");
        if let Ok(dir) = std::env::var("TELESUND_FHIR_SAMPLES") {
            let id = resource["id"].as_str().unwrap_or("sample");
            let path = std::path::Path::new(&dir).join(format!("{kind}-{id}.json"));
            std::fs::write(path, serde_json::to_string_pretty(resource).unwrap()).unwrap();
        }
        let Ok(python) = std::env::var("TELESUND_FHIR_VALIDATOR") else {
            return;
        };
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/fhir-validate.py"
        );
        let mut child = std::process::Command::new(python)
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the validator starts");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(resource.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{kind} is not valid FHIR R4:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
