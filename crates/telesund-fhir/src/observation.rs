//! Observation ⇄ home measurement. One Observation is one measurement: a single
//! `valueQuantity`, or — for blood pressure, as in the HL7 Personal Health Device IG — the
//! panel code 85354-9 with a systolic and a diastolic `component`.
//!
//! Incoming: [`parse`] checks the JSON element by element (so every refusal carries a
//! FHIRPath expression), then [`into_new`] maps it to a [`NewObservation`] with the values
//! and units as sent; `NewObservation::canonical` converts and checks plausibility later.
//! `text`, `meta`, `category`, `interpretation`, `note`, `referenceRange`, `method` and
//! `bodySite` are accepted and ignored; `id`, `issued` and `performer` are read but not used
//! (the server assigns the id and the time received, and the caller's login decides who
//! entered it). Every other element is refused by name.
//!
//! Outgoing: [`from_domain`] writes every coding Telesund knows for the type (Danish code,
//! LOINC, MDC) with the value in its canonical UCUM unit.

use crate::datatypes::{CodeableConcept, Coding, Identifier, Meta, Reference, instant};
use crate::input::{
    CODEABLE_CONCEPT, Field, IDENTIFIER, Kind, REFERENCE, err, ignored, many, one, walk,
};
use crate::patient::InputError;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Number, Value};
use telesund_core::Timestamp;
use telesund_core::ids::CitizenId;
use telesund_core::monitoring::codes::{
    self, MeasurementType, Quantity, measurement_type_for, quantity_for, unit_for_code,
};
use telesund_core::monitoring::observation::{
    self as domain, NewObservation, ObservationStatus, SentValue, Source,
};
use telesund_core::monitoring::units;

/// `Observation.category`'s code system.
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The identifier system of a device we know only by its own id (serial number, IEEE 11073
/// system id or Bluetooth MAC), on `Observation.device.identifier`.
pub const DEVICE_SERIAL: &str = "https://telesund.dk/fhir/NamingSystem/device-serial";

/// The subset of the R4 Observation Telesund reads and writes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Observation {
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Written; on input accepted and ignored (and dropped if it is not a Meta we can read).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub text: Option<IgnoredAny>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Written; on input accepted and ignored.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub performer: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<SimpleQuantity>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub interpretation: Option<IgnoredAny>,
    /// Written; on input accepted and ignored.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub note: Vec<Annotation>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub body_site: Option<IgnoredAny>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub method: Option<IgnoredAny>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<Reference>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub reference_range: Option<IgnoredAny>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<Component>,
}

/// A Quantity without `comparator` (R4 SimpleQuantity): a measured value is a number, never
/// "< 5". `value` keeps the JSON number as written, so 120 stays 120 and 80.0 stays 80.0.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimpleQuantity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Number>,
    /// The unit as people read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The UCUM code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Component {
    pub code: CodeableConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<SimpleQuantity>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub interpretation: Option<IgnoredAny>,
    /// Never written; accepted and ignored on input.
    #[serde(default, skip_serializing)]
    pub reference_range: Option<IgnoredAny>,
}

/// An R4 Annotation (only written by Telesund; incoming notes are ignored).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub text: String,
}

/// Elements that are accepted and ignored on input: whatever they hold, a shape we cannot
/// read becomes the default rather than an error.
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// Parsing: the element tables the walk in input.rs checks, so every structural refusal has
// its FHIRPath. They mirror the serde structs (datatypes.rs and above); `parse` then lets
// serde do the rest, so a divergence costs a less precise message, never a wrong acceptance.

const QUANTITY: &[Field] = &[
    one("value", Kind::Num),
    one("unit", Kind::Str),
    one("system", Kind::Str),
    one("code", Kind::Str),
];
const COMPONENT: &[Field] = &[
    one("code", Kind::Obj(CODEABLE_CONCEPT)),
    one("valueQuantity", Kind::Obj(QUANTITY)),
    ignored("interpretation"),
    ignored("referenceRange"),
];
const OBSERVATION: &[Field] = &[
    one("resourceType", Kind::Str),
    one("id", Kind::Str),
    ignored("meta"),
    ignored("text"),
    many("identifier", Kind::Obj(IDENTIFIER)),
    one("status", Kind::Str),
    ignored("category"),
    one("code", Kind::Obj(CODEABLE_CONCEPT)),
    one("subject", Kind::Obj(REFERENCE)),
    one("effectiveDateTime", Kind::Str),
    one("issued", Kind::Str),
    many("performer", Kind::Obj(REFERENCE)),
    one("valueQuantity", Kind::Obj(QUANTITY)),
    ignored("interpretation"),
    ignored("note"),
    ignored("bodySite"),
    ignored("method"),
    one("device", Kind::Obj(REFERENCE)),
    ignored("referenceRange"),
    many("component", Kind::Obj(COMPONENT)),
];

/// The hints an Observation gives for elements it does not read.
fn observation_hint(name: &str) -> Option<&'static str> {
    if name.starts_with("effective") {
        Some("send the time of measurement as effectiveDateTime")
    } else if name == "dataAbsentReason" {
        Some("a measurement without a value cannot be stored")
    } else if name.starts_with("value") {
        Some("send the value as valueQuantity")
    } else if name == "hasMember" || name == "derivedFrom" {
        Some(
            "send each measurement as its own Observation (blood pressure as one Observation \
             with components)",
        )
    } else {
        None
    }
}

/// An incoming Observation from its JSON. Unknown elements (at any depth) and elements of
/// the wrong JSON type are refused with their FHIRPath expression. Deserialising the struct
/// directly with serde also refuses unknown elements, but its messages name no path.
pub fn parse(json: &Value) -> Result<Observation, InputError> {
    match json.get("resourceType").and_then(Value::as_str) {
        Some("Observation") => {}
        Some(other) => {
            return Err(err(
                "resourceType",
                format!("expected an Observation, got {other}"),
            ));
        }
        None => return Err(err("resourceType", "expected an Observation")),
    }
    walk(json, OBSERVATION, "Observation", observation_hint)?;
    Observation::deserialize(json).map_err(|e| err("Observation", e.to_string()))
}

// ---------------------------------------------------------------------------------------
// Incoming: Observation → NewObservation.

fn system_name(system: &str) -> &str {
    match system {
        codes::systems::LOINC => "LOINC",
        codes::systems::MDC => "MDC",
        codes::systems::NPU => "NPU",
        codes::systems::MEDCOM => "MedCom",
        other => other,
    }
}

fn accepted_codings() -> String {
    MeasurementType::ALL
        .iter()
        .map(|t| {
            let list: Vec<String> = t
                .codings()
                .iter()
                .map(|c| format!("{}|{}", c.system, c.code))
                .collect();
            format!("{}: {}", t.english(), list.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The measurement type `Observation.code` names: the first coding we recognise, as long as
/// no other recognised coding names something else.
fn measurement_type(code: &CodeableConcept) -> Result<MeasurementType, InputError> {
    let mut found: Option<(usize, MeasurementType)> = None;
    for (i, c) in code.coding.iter().enumerate() {
        let (Some(system), Some(value)) = (c.system.as_deref(), c.code.as_deref()) else {
            continue;
        };
        let Some(t) = measurement_type_for(system, value) else {
            continue;
        };
        match found {
            None => found = Some((i, t)),
            Some((first, prev)) if prev != t => {
                return Err(err(
                    &format!("Observation.code.coding[{i}]"),
                    format!(
                        "the codings disagree: coding[{first}] is {} and coding[{i}] is {}",
                        prev.english().to_lowercase(),
                        t.english().to_lowercase()
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some((_, t)) = found {
        return Ok(t);
    }
    // A blood-pressure component code sent as an Observation's own code.
    let component = code.coding.iter().find_map(|c| {
        let q = quantity_for(c.system.as_deref()?, c.code.as_deref()?)?;
        matches!(q, Quantity::Systolic | Quantity::Diastolic).then_some((q, c))
    });
    if let Some((q, c)) = component {
        return Err(err(
            "Observation.code",
            format!(
                "{} {} is {}, a component of blood pressure: send one Observation with code \
                 {}|85354-9 and the systolic and diastolic values as components",
                system_name(c.system.as_deref().unwrap_or_default()),
                c.code.as_deref().unwrap_or_default(),
                q.english(),
                codes::systems::LOINC
            ),
        ));
    }
    Err(err(
        "Observation.code",
        format!(
            "no coding on Observation.code is a measurement Telesund takes; accepted codings \
             (system|code): {}",
            accepted_codings()
        ),
    ))
}

/// The quantity a component's code names, with the same rule as [`measurement_type`].
fn component_quantity(code: &CodeableConcept, at: &str) -> Result<Quantity, InputError> {
    let mut found: Option<(usize, Quantity)> = None;
    for (i, c) in code.coding.iter().enumerate() {
        let (Some(system), Some(value)) = (c.system.as_deref(), c.code.as_deref()) else {
            continue;
        };
        let Some(q) = quantity_for(system, value) else {
            continue;
        };
        match found {
            None => found = Some((i, q)),
            Some((first, prev)) if prev != q => {
                return Err(err(
                    &format!("{at}.coding[{i}]"),
                    format!(
                        "the codings disagree: coding[{first}] is {} and coding[{i}] is {}",
                        prev.english(),
                        q.english()
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    found.map(|(_, q)| q).ok_or_else(|| {
        let sys = Quantity::Systolic.codings();
        let dia = Quantity::Diastolic.codings();
        let list = |l: &[codes::Coding]| {
            l.iter()
                .map(|c| format!("{}|{}", c.system, c.code))
                .collect::<Vec<_>>()
                .join(", ")
        };
        err(
            at,
            format!(
                "a blood-pressure component must be systolic ({}) or diastolic ({})",
                list(sys),
                list(dia)
            ),
        )
    })
}

/// One `valueQuantity` as sent: the number and its UCUM unit, checked against the quantity
/// and against any unit the code itself implies (glucose: 41653-7 is mg/dL).
fn sent_value(
    vq: Option<&SimpleQuantity>,
    q: Quantity,
    code: &CodeableConcept,
    code_at: &str,
    at: &str,
) -> Result<SentValue, InputError> {
    let Some(vq) = vq else {
        return Err(err(at, format!("a {} measurement needs {at}", q.english())));
    };
    let value = vq.value.as_ref().and_then(Number::as_f64).ok_or_else(|| {
        err(
            &format!("{at}.value"),
            format!("the {} value is missing", q.english()),
        )
    })?;
    if let Some(system) = vq.system.as_deref()
        && system != codes::systems::UCUM
    {
        return Err(err(
            &format!("{at}.system"),
            format!(
                "units must be UCUM ({}), not {system}",
                codes::systems::UCUM
            ),
        ));
    }
    let (unit, unit_at) = match (vq.code.as_deref(), vq.unit.as_deref()) {
        (Some(c), _) => (c, format!("{at}.code")),
        (None, Some(u)) => (u, format!("{at}.unit")),
        (None, None) => {
            return Err(err(
                &format!("{at}.code"),
                format!(
                    "the {} value needs its UCUM unit, one of {}",
                    q.english(),
                    units::accepted_units(q).join(", ")
                ),
            ));
        }
    };
    if let Err(e) = units::to_canonical(q, value, unit) {
        return Err(err(&unit_at, e.to_string()));
    }
    for (i, c) in code.coding.iter().enumerate() {
        let (Some(system), Some(value_code)) = (c.system.as_deref(), c.code.as_deref()) else {
            continue;
        };
        if let Some(implied) = unit_for_code(system, value_code)
            && implied != unit
        {
            return Err(err(
                &unit_at,
                format!(
                    "{code_at}.coding[{i}] ({} {value_code}) means a value in {implied}, but \
                     the value is in {unit}: send the code that matches the unit",
                    system_name(system)
                ),
            ));
        }
    }
    Ok(SentValue {
        quantity: q,
        value,
        unit: unit.to_string(),
    })
}

/// The characters of an R4 `id`.
fn is_fhir_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// An incoming Observation as the measurement the domain checks, and the subject's logical
/// id as sent.
///
/// The subject must be a relative literal reference `Patient/<id>` where the id is a
/// Telesund citizen id (a UUID); anything else is refused at `Observation.subject`. Whether
/// that citizen exists, and whether the caller may submit for them, is for the caller.
///
/// `default_source` becomes the source (the caller knows whether a device, the citizen or
/// staff is sending); `performer`, `issued` and `id` are not used. `on_behalf_of_name` is
/// left `None`: the caller, which knows the citizen, fills it for staff.
pub fn into_new(
    obs: &Observation,
    default_source: Source,
) -> Result<(String, NewObservation), InputError> {
    if obs.resource_type != "Observation" {
        return Err(err(
            "resourceType",
            format!("expected an Observation, got {}", obs.resource_type),
        ));
    }
    match obs.status.as_deref() {
        Some("final" | "amended" | "corrected" | "preliminary") => {}
        Some(other) => {
            return Err(err(
                "Observation.status",
                format!("a measurement sent in must be final, amended or preliminary, not {other}"),
            ));
        }
        None => {
            return Err(err(
                "Observation.status",
                "an Observation needs a status (final)",
            ));
        }
    }
    let code = obs
        .code
        .as_ref()
        .ok_or_else(|| err("Observation.code", "an Observation needs a code"))?;
    let kind = measurement_type(code)?;

    let subject = obs.subject.as_ref().ok_or_else(|| {
        err(
            "Observation.subject",
            "an Observation needs its subject as Patient/<id>",
        )
    })?;
    let id = subject
        .reference
        .as_deref()
        .and_then(|r| r.strip_prefix("Patient/"))
        .filter(|id| is_fhir_id(id))
        .ok_or_else(|| {
            err(
                "Observation.subject",
                "refer to the citizen as Patient/<id>, with the id of Telesund's Patient",
            )
        })?;
    let citizen_id: CitizenId = id.parse().map_err(|_| {
        err(
            "Observation.subject",
            format!("Patient/{id} is not a Telesund Patient id"),
        )
    })?;

    let effective = obs.effective_date_time.as_deref().ok_or_else(|| {
        err(
            "Observation.effectiveDateTime",
            "a measurement needs the time it was taken, as effectiveDateTime",
        )
    })?;
    let effective_at = Timestamp::parse_rfc3339(effective).ok_or_else(|| {
        err(
            "Observation.effectiveDateTime",
            format!(
                "the time of measurement must be a full date and time with its UTC offset, \
                 e.g. 2026-11-22T14:05:00+01:00 (got {effective})"
            ),
        )
    })?;

    let values = match kind.quantities() {
        [q] => {
            if !obs.component.is_empty() {
                return Err(err(
                    "Observation.component",
                    format!(
                        "a {} measurement carries its value in valueQuantity, not in components",
                        q.english()
                    ),
                ));
            }
            vec![sent_value(
                obs.value_quantity.as_ref(),
                *q,
                code,
                "Observation.code",
                "Observation.valueQuantity",
            )?]
        }
        expected => {
            if obs.value_quantity.is_some() {
                return Err(err(
                    "Observation.valueQuantity",
                    "blood pressure carries its values in components (systolic and diastolic), \
                     not in valueQuantity",
                ));
            }
            let mut values: Vec<SentValue> = Vec::new();
            for (i, c) in obs.component.iter().enumerate() {
                let at = format!("Observation.component[{i}]");
                let code_at = format!("{at}.code");
                let q = component_quantity(&c.code, &code_at)?;
                if !expected.contains(&q) {
                    return Err(err(
                        &code_at,
                        format!(
                            "{} is not part of a blood pressure; send it as its own Observation",
                            q.english()
                        ),
                    ));
                }
                if values.iter().any(|v| v.quantity == q) {
                    return Err(err(&at, format!("{} is given twice", q.english())));
                }
                values.push(sent_value(
                    c.value_quantity.as_ref(),
                    q,
                    &c.code,
                    &code_at,
                    &format!("{at}.valueQuantity"),
                )?);
            }
            if let Some(missing) = expected
                .iter()
                .find(|q| !values.iter().any(|v| v.quantity == **q))
            {
                return Err(err(
                    "Observation.component",
                    format!(
                        "blood pressure needs a systolic and a diastolic component; {} is missing",
                        missing.english()
                    ),
                ));
            }
            values
        }
    };

    let identifier = match obs.identifier.first() {
        None => None,
        Some(i) => {
            let value = i
                .value
                .as_deref()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    err(
                        "Observation.identifier[0].value",
                        "an identifier needs a value",
                    )
                })?;
            Some(format!(
                "{}|{value}",
                i.system.as_deref().unwrap_or_default()
            ))
        }
    };

    let device = match &obs.device {
        None => None,
        Some(d) => Some(
            d.identifier
                .as_ref()
                .and_then(|i| i.value.clone())
                .or_else(|| d.display.clone())
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| {
                    err(
                        "Observation.device",
                        "identify the device by identifier (serial number, IEEE 11073 system \
                         id or Bluetooth MAC) or display; Telesund does not resolve Device \
                         references",
                    )
                })?,
        ),
    };

    Ok((
        id.to_string(),
        NewObservation {
            citizen_id,
            kind,
            values,
            effective_at,
            source: default_source,
            device,
            identifier,
            on_behalf_of_name: None,
        },
    ))
}

// ---------------------------------------------------------------------------------------
// Outgoing: stored measurement → Observation.

fn category(kind: MeasurementType) -> CodeableConcept {
    let (code, display) = match kind {
        MeasurementType::Steps => ("activity", "Activity"),
        _ => ("vital-signs", "Vital Signs"),
    };
    CodeableConcept::coded(OBSERVATION_CATEGORY, code, display)
}

/// The codings written for a type: all we know, less the alternatives that do not fit a
/// value stored in the canonical unit or are device-specific.
fn written_codings(kind: MeasurementType) -> Vec<Coding> {
    kind.codings()
        .iter()
        .filter(|c| match kind {
            // Stored in mmol/L, so not the mg/dL code.
            MeasurementType::Glucose => !c.is(codes::systems::LOINC, "41653-7"),
            // The cuff's pulse code; the oximeter's (149530) only on input.
            MeasurementType::Pulse => !c.is(codes::systems::MDC, "149530"),
            _ => true,
        })
        .map(|c| Coding::new(c.system, c.code, c.display))
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A canonical value rounded to the decimals its quantity is kept with, as a JSON number:
/// whole-number quantities as integers (120, not 120.0).
fn rounded(q: Quantity, v: f64) -> Option<Number> {
    let d = q.decimals();
    if d == 0 {
        let r = v.round();
        (r.is_finite() && r.abs() < 9.0e15).then(|| Number::from(r as i64))
    } else {
        let p = 10f64.powi(d as i32);
        Number::from_f64((v * p).round() / p)
    }
}

fn quantity(q: Quantity, v: f64) -> SimpleQuantity {
    SimpleQuantity {
        value: rounded(q, v),
        unit: Some(q.unit_display().into()),
        system: Some(codes::systems::UCUM.into()),
        code: Some(q.ucum().into()),
    }
}

/// A stored measurement as an Observation. References are relative (`Patient/<id>`), so no
/// base URL is needed.
pub fn from_domain(o: &domain::Observation) -> Observation {
    let identifier = o
        .identifier
        .as_deref()
        .map(|s| match s.split_once('|') {
            Some((system, value)) => Identifier {
                use_: None,
                system: (!system.is_empty()).then(|| system.to_string()),
                value: Some(value.to_string()),
            },
            None => Identifier {
                use_: None,
                system: None,
                value: Some(s.to_string()),
            },
        })
        .into_iter()
        .collect();
    let performer = match o.source {
        Source::Device | Source::Citizen => Some(Reference::to(
            "Patient",
            o.citizen_id,
            Some(&o.entered_by_name),
        )),
        Source::Staff => {
            let display = match &o.on_behalf_of_name {
                Some(citizen) if !o.entered_by_name.is_empty() => {
                    format!("{} på vegne af {citizen}", o.entered_by_name)
                }
                _ => o.entered_by_name.clone(),
            };
            (!display.is_empty()).then(|| Reference::display(&display))
        }
    };
    let (value_quantity, component) = match o.kind.quantities() {
        [q] => (o.value(*q).map(|v| quantity(*q, v)), Vec::new()),
        _ => (
            None,
            o.values
                .iter()
                .map(|&(q, v)| Component {
                    code: CodeableConcept {
                        coding: q
                            .codings()
                            .iter()
                            .map(|c| Coding::new(c.system, c.code, c.display))
                            .collect(),
                        text: Some(capitalised(q.danish())),
                    },
                    value_quantity: Some(quantity(q, v)),
                    ..Component::default()
                })
                .collect(),
        ),
    };
    Observation {
        resource_type: "Observation".into(),
        id: Some(o.id.to_string()),
        meta: Meta::updated(o.received_at),
        identifier,
        status: Some(
            match o.status {
                ObservationStatus::Final => "final",
                ObservationStatus::EnteredInError => "entered-in-error",
            }
            .into(),
        ),
        category: vec![category(o.kind)],
        code: Some(CodeableConcept {
            coding: written_codings(o.kind),
            text: Some(o.kind.danish().into()),
        }),
        subject: Some(Reference::to("Patient", o.citizen_id, None)),
        effective_date_time: Some(o.effective_at.to_rfc3339()),
        issued: Some(instant(o.received_at)),
        performer: performer.into_iter().collect(),
        value_quantity,
        note: o
            .original
            .iter()
            .map(|orig| Annotation {
                text: format!("Indsendt som {orig}"),
                ..Annotation::default()
            })
            .collect(),
        device: o.device.as_ref().map(|d| Reference {
            identifier: Some(Identifier {
                use_: None,
                system: Some(DEVICE_SERIAL.into()),
                value: Some(d.clone()),
            }),
            display: Some(d.clone()),
            ..Reference::default()
        }),
        component,
        ..Observation::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codes::systems::{LOINC, MDC, NPU, UCUM};
    use serde_json::json;
    use telesund_core::ErrorCode;
    use telesund_core::ids::ObservationId;

    const CITIZEN: &str = "0193a5f2-7c1e-7d3a-9b2e-1f2a3b4c5d6e";

    /// The weight fixture with one change made to it.
    fn weight_with(change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let mut v = weight_json();
        change(&mut v);
        v
    }

    fn weight_json() -> Value {
        json!({
            "resourceType": "Observation",
            "identifier": [{ "system": "urn:ietf:rfc:3986", "value": "urn:uuid:42" }],
            "status": "final",
            "category": [{ "coding": [{ "system": OBSERVATION_CATEGORY, "code": "vital-signs" }] }],
            "code": { "coding": [{ "system": LOINC, "code": "29463-7", "display": "Body weight" }] },
            "subject": { "reference": format!("Patient/{CITIZEN}") },
            "effectiveDateTime": "2026-11-22T07:30:00+01:00",
            "valueQuantity": { "value": 176.4, "unit": "lb", "system": UCUM, "code": "[lb_av]" },
            "device": { "identifier": { "system": "urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680", "value": "00-09-1F-FE-FF-80-12-34" }, "display": "A&D UC-352BLE" }
        })
    }

    fn bp_json() -> Value {
        json!({
            "resourceType": "Observation",
            "status": "final",
            "code": { "coding": [{ "system": MDC, "code": "150020", "display": "MDC_PRESS_BLD_NONINV" }] },
            "subject": { "reference": format!("Patient/{CITIZEN}") },
            "effectiveDateTime": "2026-11-22T06:30:00Z",
            "device": { "display": "UA-651BLE" },
            "component": [
                {
                    "code": { "coding": [{ "system": MDC, "code": "150021" }] },
                    "valueQuantity": { "value": 128, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" }
                },
                {
                    "code": { "coding": [{ "system": MDC, "code": "150022" }] },
                    "valueQuantity": { "value": 84, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" }
                }
            ]
        })
    }

    fn read(v: Value) -> Result<(String, NewObservation), InputError> {
        into_new(&parse(&v)?, Source::Device)
    }

    /// The FHIRPath of the refusal of `v` with `edit` applied.
    fn refused(mut v: Value, edit: impl FnOnce(&mut Value)) -> InputError {
        edit(&mut v);
        read(v).unwrap_err()
    }

    fn expr(e: &InputError) -> &str {
        e.expression.as_deref().unwrap_or_default()
    }

    #[test]
    fn weight_in_pounds_with_loinc_only_keeps_the_unit_as_sent() {
        let (id, new) = read(weight_json()).unwrap();
        assert_eq!(id, CITIZEN);
        assert_eq!(new.citizen_id.to_string(), CITIZEN);
        assert_eq!(new.kind, MeasurementType::Weight);
        assert_eq!(
            new.values,
            vec![SentValue {
                quantity: Quantity::Weight,
                value: 176.4,
                unit: "[lb_av]".into()
            }]
        );
        assert_eq!(
            new.effective_at,
            Timestamp::parse_rfc3339("2026-11-22T06:30:00Z").unwrap()
        );
        assert_eq!(new.source, Source::Device);
        assert_eq!(new.device.as_deref(), Some("00-09-1F-FE-FF-80-12-34"));
        assert_eq!(
            new.identifier.as_deref(),
            Some("urn:ietf:rfc:3986|urn:uuid:42")
        );
        assert_eq!(new.on_behalf_of_name, None);
        // And the domain converts it.
        let (canonical, original) = new.canonical(Timestamp::now()).unwrap();
        assert!((canonical[0].1 - 80.01).abs() < 0.01);
        assert_eq!(original.as_deref(), Some("176.4 [lb_av]"));
    }

    #[test]
    fn npu_only_and_mdc_only_codes_are_enough() {
        let (_, new) = read(json!({
            "resourceType": "Observation",
            "status": "final",
            "code": { "coding": [{ "system": NPU, "code": "NPU03804" }] },
            "subject": { "reference": format!("Patient/{CITIZEN}") },
            "effectiveDateTime": "2026-11-22T07:30:00.123+01:00",
            "valueQuantity": { "value": 80.5, "system": UCUM, "code": "kg" }
        }))
        .unwrap();
        assert_eq!(new.kind, MeasurementType::Weight);
        assert_eq!(new.values[0].unit, "kg");
        assert_eq!(new.device, None);
        assert_eq!(new.identifier, None);

        let (_, new) = read(json!({
            "resourceType": "Observation",
            "status": "preliminary",
            "code": { "coding": [
                { "system": "http://snomed.info/sct", "code": "78564009" },
                { "system": MDC, "code": "149530", "display": "MDC_PULS_OXIM_PULS_RATE" }
            ] },
            "subject": { "reference": format!("Patient/{CITIZEN}") },
            "effectiveDateTime": "2026-11-22T07:30:00Z",
            // No code: the unit is the fallback.
            "valueQuantity": { "value": 64, "unit": "/min" }
        }))
        .unwrap();
        assert_eq!(new.kind, MeasurementType::Pulse);
        assert_eq!(
            new.values,
            vec![SentValue {
                quantity: Quantity::Pulse,
                value: 64.0,
                unit: "/min".into()
            }]
        );
    }

    #[test]
    fn blood_pressure_as_the_phd_ig_sends_it() {
        let (_, new) = read(bp_json()).unwrap();
        assert_eq!(new.kind, MeasurementType::BloodPressure);
        assert_eq!(new.device.as_deref(), Some("UA-651BLE"));
        let (values, original) = new.canonical(Timestamp::now()).unwrap();
        assert_eq!(
            values,
            vec![(Quantity::Systolic, 128.0), (Quantity::Diastolic, 84.0)]
        );
        assert_eq!(original, None);

        // Components in either order, LOINC panel, kPa.
        let mut v = bp_json();
        v["code"] = json!({ "coding": [{ "system": LOINC, "code": "85354-9" }] });
        v["component"] = json!([
            { "code": { "coding": [{ "system": LOINC, "code": "8462-4" }] },
              "valueQuantity": { "value": 11.2, "system": UCUM, "code": "kPa" } },
            { "code": { "coding": [{ "system": NPU, "code": "DNK05472" }] },
              "valueQuantity": { "value": 17.1, "system": UCUM, "code": "kPa" } }
        ]);
        let (_, new) = read(v).unwrap();
        assert_eq!(new.values[0].quantity, Quantity::Diastolic);
        assert_eq!(new.values[1].quantity, Quantity::Systolic);
        assert_eq!(new.values[1].unit, "kPa");
    }

    #[test]
    fn ignored_elements_are_accepted() {
        let mut v = weight_json();
        let o = v.as_object_mut().unwrap();
        o.insert(
            "text".into(),
            json!({ "status": "generated", "div": "<div/>" }),
        );
        o.insert("meta".into(), json!({ "source": "#gw", "profile": ["x"] }));
        o.insert("interpretation".into(), json!([{ "text": "N" }]));
        o.insert(
            "note".into(),
            json!([{ "text": "efter morgenmad", "odd": 1 }]),
        );
        o.insert("referenceRange".into(), json!([{ "low": { "value": 1 } }]));
        o.insert("method".into(), json!({ "text": "stående" }));
        o.insert("bodySite".into(), json!({ "text": "arm" }));
        o.insert(
            "category".into(),
            json!([{ "coding": [{ "userSelected": true }] }]),
        );
        o.insert("issued".into(), json!("2026-11-22T07:31:00Z"));
        o.insert("performer".into(), json!([{ "display": "Bent" }]));
        o.insert("id".into(), json!("abc"));
        let obs = parse(&v).unwrap();
        assert!(obs.category.is_empty(), "an unreadable category is dropped");
        assert_eq!(
            into_new(&obs, Source::Citizen).unwrap().1.source,
            Source::Citizen
        );
        // Deserialised directly too.
        let direct: Observation = serde_json::from_value(v).unwrap();
        assert_eq!(direct, obs);
    }

    #[test]
    fn unknown_elements_are_refused_with_their_path() {
        type Edit = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["encounter"] = json!({ "reference": "Encounter/1" })),
                "Observation.encounter",
            ),
            (
                Box::new(|v| v["modifierExtension"] = json!([{ "url": "x" }])),
                "Observation.modifierExtension",
            ),
            (
                Box::new(|v| v["effectivePeriod"] = json!({ "start": "2026-01-01" })),
                "Observation.effectivePeriod",
            ),
            (
                Box::new(|v| v["valueQuantity"]["comparator"] = json!("<")),
                "Observation.valueQuantity.comparator",
            ),
            (
                Box::new(|v| v["code"]["coding"][0]["userSelected"] = json!(true)),
                "Observation.code.coding[0].userSelected",
            ),
            (
                Box::new(|v| v["device"]["identifier"]["period"] = json!({})),
                "Observation.device.identifier.period",
            ),
            (
                Box::new(|v| v["_status"] = json!({ "id": "s" })),
                "Observation._status",
            ),
        ];
        for (edit, path) in cases {
            let e = refused(weight_json(), edit);
            assert_eq!(expr(&e), path, "{e:?}");
            assert_eq!(e.code, ErrorCode::UnknownField);
            assert!(e.message.contains(path), "{}", e.message);
        }
        let mut v = bp_json();
        v["component"][1]["dataAbsentReason"] = json!({ "text": "fejl" });
        let e = read(v).unwrap_err();
        assert_eq!(expr(&e), "Observation.component[1].dataAbsentReason");

        // Serde alone still refuses, naming the element.
        let mut v = weight_json();
        v["encounter"] = json!({});
        let e = serde_json::from_value::<Observation>(v).unwrap_err();
        assert!(e.to_string().contains("encounter"), "{e}");
    }

    #[test]
    fn wrong_json_types_are_refused_with_their_path() {
        let e = refused(weight_json(), |v| v["valueQuantity"]["value"] = json!("80"));
        assert_eq!(expr(&e), "Observation.valueQuantity.value");
        let e = refused(weight_json(), |v| v["identifier"] = json!({ "value": "x" }));
        assert_eq!(expr(&e), "Observation.identifier");
        let e = refused(weight_json(), |v| v["status"] = Value::Null);
        assert_eq!(expr(&e), "Observation.status");
        let e = refused(weight_json(), |v| v["resourceType"] = json!("Patient"));
        assert_eq!(expr(&e), "resourceType");
    }

    #[test]
    fn every_refusal_names_its_element() {
        let subject = |v: &mut Value, r: &str| v["subject"] = json!({ "reference": r });
        let cases: Vec<(Value, &str, &str)> = vec![
            // Unknown code, with the accepted codings listed.
            (
                weight_with(|v| {
                    v["code"] = json!({ "coding": [{ "system": LOINC, "code": "39156-5" }] });
                }),
                "Observation.code",
                "29463-7",
            ),
            // A component code as the Observation's code.
            (
                weight_with(|v| {
                    v["code"] = json!({ "coding": [{ "system": LOINC, "code": "8480-6" }] });
                }),
                "Observation.code",
                "85354-9",
            ),
            // Codings that disagree.
            (
                weight_with(|v| {
                    v["code"]["coding"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({ "system": MDC, "code": "149546" }));
                }),
                "Observation.code.coding[1]",
                "disagree",
            ),
            (
                weight_with(|v| {
                    v.as_object_mut().unwrap().remove("valueQuantity");
                }),
                "Observation.valueQuantity",
                "needs",
            ),
            (
                weight_with(|v| {
                    v["valueQuantity"].as_object_mut().unwrap().remove("value");
                }),
                "Observation.valueQuantity.value",
                "missing",
            ),
            (
                weight_with(|v| {
                    v["effectiveDateTime"] = json!("2026-11-22");
                }),
                "Observation.effectiveDateTime",
                "full date and time",
            ),
            (
                weight_with(|v| {
                    v["effectiveDateTime"] = json!("2026-11-22T07:30:00");
                }),
                "Observation.effectiveDateTime",
                "offset",
            ),
            (
                weight_with(|v| {
                    v.as_object_mut().unwrap().remove("effectiveDateTime");
                }),
                "Observation.effectiveDateTime",
                "time it was taken",
            ),
            (
                weight_with(|v| {
                    subject(v, "Group/1");
                }),
                "Observation.subject",
                "Patient/<id>",
            ),
            (
                weight_with(|v| {
                    subject(v, "https://elsewhere.example/fhir/Patient/1");
                }),
                "Observation.subject",
                "Patient/<id>",
            ),
            (
                weight_with(|v| {
                    subject(v, "Patient/1203451235");
                }),
                "Observation.subject",
                "not a Telesund Patient id",
            ),
            (
                weight_with(|v| {
                    v["subject"] = json!({ "identifier": { "system": crate::systems::CPR, "value": "1203451235" } });
                }),
                "Observation.subject",
                "Patient/<id>",
            ),
            (
                weight_with(|v| {
                    v["valueQuantity"]["system"] = json!("http://snomed.info/sct");
                }),
                "Observation.valueQuantity.system",
                "UCUM",
            ),
            (
                weight_with(|v| {
                    v["valueQuantity"] = json!({ "value": 80, "unit": "lbs" });
                }),
                "Observation.valueQuantity.unit",
                "[lb_av]",
            ),
            (
                weight_with(|v| {
                    v["valueQuantity"] = json!({ "value": 80, "system": UCUM });
                }),
                "Observation.valueQuantity.code",
                "kg, g, [lb_av]",
            ),
            (
                weight_with(|v| {
                    v["valueQuantity"]["code"] = json!("mm[Hg]");
                }),
                "Observation.valueQuantity.code",
                "not a unit of body weight",
            ),
            // The unit the code implies: 41653-7 is glucose in mg/dL.
            (
                weight_with(|v| {
                    v["code"] = json!({ "coding": [{ "system": LOINC, "code": "41653-7" }] });
                    v["valueQuantity"] =
                        json!({ "value": 6.2, "unit": "mmol/l", "system": UCUM, "code": "mmol/L" });
                }),
                "Observation.valueQuantity.code",
                "41653-7",
            ),
            (
                weight_with(|v| {
                    v["status"] = json!("entered-in-error");
                }),
                "Observation.status",
                "final",
            ),
            (
                weight_with(|v| {
                    v.as_object_mut().unwrap().remove("status");
                }),
                "Observation.status",
                "status",
            ),
            (
                weight_with(|v| {
                    v.as_object_mut().unwrap().remove("code");
                }),
                "Observation.code",
                "code",
            ),
            (
                weight_with(|v| {
                    v["identifier"] = json!([{ "system": "urn:x" }]);
                }),
                "Observation.identifier[0].value",
                "value",
            ),
            (
                weight_with(|v| {
                    v["device"] = json!({ "reference": "Device/1" });
                }),
                "Observation.device",
                "Device references",
            ),
            (
                weight_with(|v| {
                    v["component"] = bp_json()["component"].clone();
                }),
                "Observation.component",
                "valueQuantity",
            ),
            // Blood pressure.
            (
                {
                    let mut v = bp_json();
                    v["valueQuantity"] = json!({ "value": 120, "code": "mm[Hg]" });
                    v
                },
                "Observation.valueQuantity",
                "components",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"].as_array_mut().unwrap().pop();
                    v
                },
                "Observation.component",
                "diastolic blood pressure is missing",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"][1]["code"]["coding"][0]["code"] = json!("150021");
                    v
                },
                "Observation.component[1]",
                "twice",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"][1]["code"] =
                        json!({ "coding": [{ "system": MDC, "code": "150023" }] });
                    v
                },
                "Observation.component[1].code",
                "8462-4",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"].as_array_mut().unwrap().push(
                        json!({ "code": { "coding": [{ "system": MDC, "code": "149546" }] },
                                      "valueQuantity": { "value": 60, "code": "/min" } }),
                    );
                    v
                },
                "Observation.component[2].code",
                "its own Observation",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"][1]["valueQuantity"]["code"] = json!("mmHg");
                    v
                },
                "Observation.component[1].valueQuantity.code",
                "mm[Hg]",
            ),
            (
                {
                    let mut v = bp_json();
                    v["component"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("valueQuantity");
                    v
                },
                "Observation.component[0].valueQuantity",
                "needs",
            ),
        ];
        for (v, path, says) in cases {
            let e = read(v).unwrap_err();
            assert_eq!(expr(&e), path, "{e:?}");
            assert!(e.message.contains(says), "{path}: {}", e.message);
            assert_eq!(e.code, ErrorCode::InvalidInput);
        }
    }

    fn stored(kind: MeasurementType, values: Vec<(Quantity, f64)>) -> domain::Observation {
        let t = Timestamp::parse_rfc3339("2026-11-22T06:30:00Z").unwrap();
        domain::Observation {
            id: ObservationId::new(),
            citizen_id: CITIZEN.parse().unwrap(),
            kind,
            values,
            effective_at: t,
            received_at: t.plus(time::Duration::seconds(42)),
            source: Source::Device,
            entered_by_name: "Bent Hansen".into(),
            on_behalf_of_name: None,
            device: Some("SN-778".into()),
            original: None,
            identifier: Some("urn:ietf:rfc:3986|urn:uuid:42".into()),
            unexpected: false,
            status: ObservationStatus::Final,
        }
    }

    /// No `[]`, `{}`, `null` or `""` anywhere (ele-1).
    fn assert_no_empty(v: &Value, at: &str) {
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
                for (k, x) in o {
                    assert_no_empty(x, &format!("{at}.{k}"));
                }
            }
            _ => {}
        }
    }

    #[test]
    fn a_weight_as_fhir() {
        let mut o = stored(MeasurementType::Weight, vec![(Quantity::Weight, 80.0134)]);
        o.original = Some("176.4 [lb_av]".into());
        let v = serde_json::to_value(from_domain(&o)).unwrap();
        assert_no_empty(&v, "Observation");
        assert_eq!(
            v,
            json!({
                "resourceType": "Observation",
                "id": o.id.to_string(),
                "meta": { "lastUpdated": "2026-11-22T06:30:42Z" },
                "identifier": [{ "system": "urn:ietf:rfc:3986", "value": "urn:uuid:42" }],
                "status": "final",
                "category": [{ "coding": [{
                    "system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"
                }] }],
                "code": {
                    "coding": [
                        { "system": NPU, "code": "NPU03804", "display": "Pt—Legeme; masse = ? kg" },
                        { "system": LOINC, "code": "29463-7", "display": "Body weight" },
                        { "system": MDC, "code": "188736", "display": "MDC_MASS_BODY_ACTUAL" }
                    ],
                    "text": "Vægt"
                },
                "subject": { "reference": format!("Patient/{CITIZEN}") },
                "effectiveDateTime": "2026-11-22T06:30:00Z",
                "issued": "2026-11-22T06:30:42Z",
                "performer": [{ "reference": format!("Patient/{CITIZEN}"), "display": "Bent Hansen" }],
                "valueQuantity": { "value": 80.0, "unit": "kg", "system": UCUM, "code": "kg" },
                "note": [{ "text": "Indsendt som 176.4 [lb_av]" }],
                "device": {
                    "identifier": { "system": DEVICE_SERIAL, "value": "SN-778" },
                    "display": "SN-778"
                }
            })
        );
        // 80.0, not 80: the decimal keeps the precision weight is kept with.
        let text = serde_json::to_string(&from_domain(&o)).unwrap();
        assert!(text.contains(r#""value":80.0,"#), "{text}");
    }

    #[test]
    fn a_blood_pressure_as_fhir() {
        let mut o = stored(
            MeasurementType::BloodPressure,
            vec![(Quantity::Systolic, 127.6), (Quantity::Diastolic, 84.0)],
        );
        o.source = Source::Staff;
        o.entered_by_name = "Sygeplejerske Lise Holm".into();
        o.on_behalf_of_name = Some("Bent Hansen".into());
        o.identifier = None;
        o.device = None;
        o.status = ObservationStatus::EnteredInError;
        let v = serde_json::to_value(from_domain(&o)).unwrap();
        assert_no_empty(&v, "Observation");
        assert_eq!(v["resourceType"], "Observation");
        assert_eq!(v["status"], "entered-in-error");
        assert_eq!(
            v["code"]["coding"],
            json!([
                { "system": LOINC, "code": "85354-9", "display": "Blood pressure panel with all children optional" },
                { "system": MDC, "code": "150020", "display": "MDC_PRESS_BLD_NONINV" }
            ])
        );
        assert_eq!(v["code"]["text"], "Blodtryk");
        assert_eq!(
            v["performer"],
            json!([{ "display": "Sygeplejerske Lise Holm på vegne af Bent Hansen" }])
        );
        for key in ["valueQuantity", "identifier", "device", "note"] {
            assert!(v.get(key).is_none(), "{key}");
        }
        let c = v["component"].as_array().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["code"]["text"], "Systolisk blodtryk");
        let codes: Vec<&str> = c[0]["code"]["coding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DNK05472", "MCS88019", "8480-6", "150021"]);
        assert_eq!(
            c[0]["valueQuantity"],
            json!({ "value": 128, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" })
        );
        assert_eq!(c[1]["code"]["coding"][2]["code"], "8462-4");
        assert_eq!(c[1]["valueQuantity"]["value"], 84);
        let text = serde_json::to_string(&from_domain(&o)).unwrap();
        assert!(text.contains(r#""value":128,"#), "{text}");
    }

    #[test]
    fn glucose_pulse_and_steps_codings() {
        let g = from_domain(&stored(
            MeasurementType::Glucose,
            vec![(Quantity::Glucose, 6.44)],
        ));
        let codes: Vec<&str> = g
            .code
            .as_ref()
            .unwrap()
            .coding
            .iter()
            .map(|c| c.code.as_deref().unwrap())
            .collect();
        assert!(!codes.contains(&"41653-7"), "{codes:?}");
        assert!(codes.contains(&"14743-9"));
        assert_eq!(g.value_quantity.unwrap().value, Number::from_f64(6.4));
        let p = from_domain(&stored(
            MeasurementType::Pulse,
            vec![(Quantity::Pulse, 71.6)],
        ));
        let codes: Vec<&str> = p
            .code
            .as_ref()
            .unwrap()
            .coding
            .iter()
            .map(|c| c.code.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["NPU21692", "8867-4", "149546"]);
        assert_eq!(p.value_quantity.unwrap().value, Some(Number::from(72)));
        let s = from_domain(&stored(
            MeasurementType::Steps,
            vec![(Quantity::Steps, 8123.0)],
        ));
        assert_eq!(s.category[0].coding[0].code.as_deref(), Some("activity"));
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_measurement() {
        let cases = [
            (MeasurementType::Weight, vec![(Quantity::Weight, 80.3)]),
            (
                MeasurementType::BloodPressure,
                vec![(Quantity::Systolic, 128.0), (Quantity::Diastolic, 84.0)],
            ),
            (MeasurementType::Pulse, vec![(Quantity::Pulse, 64.0)]),
            (MeasurementType::SpO2, vec![(Quantity::SpO2, 96.0)]),
            (
                MeasurementType::Temperature,
                vec![(Quantity::Temperature, 37.2)],
            ),
            (MeasurementType::Glucose, vec![(Quantity::Glucose, 6.4)]),
            (MeasurementType::Steps, vec![(Quantity::Steps, 8123.0)]),
            (MeasurementType::Fev1, vec![(Quantity::Fev1, 2.35)]),
        ];
        for (kind, values) in cases {
            let mut o = stored(kind, values.clone());
            o.original = Some("whatever".into());
            let text = serde_json::to_string(&from_domain(&o)).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            let (id, new) = into_new(&parse(&v).unwrap(), Source::Device).unwrap();
            assert_eq!(id, CITIZEN);
            assert_eq!(new.kind, kind);
            assert_eq!(new.effective_at, o.effective_at);
            assert_eq!(new.device, o.device);
            assert_eq!(new.identifier, o.identifier);
            let (canonical, original) = new.canonical(Timestamp::now()).unwrap();
            assert_eq!(canonical, values, "{kind}");
            assert_eq!(original, None, "{kind}: canonical units need no conversion");
            // And straight through serde.
            let direct: Observation = serde_json::from_str(&text).unwrap();
            assert_eq!(into_new(&direct, Source::Device).unwrap().1, new);
        }
        // An identifier without a system survives too.
        let mut o = stored(MeasurementType::Weight, vec![(Quantity::Weight, 80.0)]);
        o.identifier = Some("|abc".into());
        let v = serde_json::to_value(from_domain(&o)).unwrap();
        assert_eq!(v["identifier"], json!([{ "value": "abc" }]));
        let (_, new) = into_new(&parse(&v).unwrap(), Source::Device).unwrap();
        assert_eq!(new.identifier.as_deref(), Some("|abc"));
    }
}
