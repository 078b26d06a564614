//! Device: one serial-numbered unit of the service centre's equipment (a tablet, a blood
//! pressure monitor, a scale …), as R4 Device.
//!
//! - `identifier`: the serial number in [`DEVICE_SERIAL`] (the system Observations use for a
//!   device they know by its own id) and, when the device reports measurements with another
//!   id (IEEE 11073 system id, Bluetooth MAC), that id in [`DEVICE_ID`].
//! - `udiCarrier`: the GS1 UDI — the model's UDI-DI, and the human-readable element string
//!   of DI, expiry, lot and serial (`carrierHRF`), issued by GS1 under the EU's jurisdiction.
//! - `status` is what FHIR can say (see [`DeviceStatus::of`]); the unit's own lifecycle
//!   state travels in the [`LIFECYCLE_STATE`] extension, and `statusReason` says in Danish
//!   why a unit is out of service.
//! - `type` is the role the device fills in a kit, in [`DEVICE_ROLE`].
//! - `patient` is the citizen the unit is with (reserved for, on its way to, in the home of);
//!   `owner` the service centre that owns it.

use crate::datatypes::{CodeableConcept, Coding, Extension, Identifier, Meta, Reference};
use crate::observation::DEVICE_SERIAL;
use crate::patient::InputError;
use serde::Serialize;
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::equipment::catalogue::{DeviceRole, Model};
use telesund_core::equipment::udi::{check_udi_di, element_string};
use telesund_core::equipment::unit::{UdiPi, UnitState};
use telesund_core::ids::{CitizenId, UnitId};

/// The identifier system of the id a device reports its measurements with, when that is not
/// its serial number: an IEEE 11073 system id or a Bluetooth MAC.
pub const DEVICE_ID: &str = "https://telesund.dk/fhir/NamingSystem/device-id";
/// What a device is for in a kit (`DeviceRole`: tablet, bp_monitor, scale …).
pub const DEVICE_ROLE: &str = "https://telesund.dk/fhir/CodeSystem/device-role";
/// The unit's lifecycle state (`UnitState`: available, in_use, quarantine …), as a valueCode.
pub const LIFECYCLE_STATE: &str =
    "https://telesund.dk/fhir/StructureDefinition/device-lifecycle-state";
/// GS1, the issuing agency of the UDIs Telesund reads.
pub const GS1_DI: &str = "http://hl7.org/fhir/NamingSystem/gs1-di";
/// The EU's UDI jurisdiction.
pub const EU_UDI: &str = "http://hl7.org/fhir/NamingSystem/eu-ec-udi";
/// The canonical of Telesund's own `serial-number` search parameter (R4 defines none for
/// `Device.serialNumber`).
pub const SERIAL_NUMBER_PARAM: &str =
    "https://telesund.dk/fhir/SearchParameter/Device-serial-number";

/// What storage knows about a unit, flattened so this crate does not depend on storage.
pub struct DeviceFacts<'a> {
    pub id: UnitId,
    pub model: &'a Model,
    pub pi: &'a UdiPi,
    /// The id the device reports measurements with (Bluetooth MAC, IEEE 11073 system id).
    pub device_id: Option<&'a str>,
    pub state: UnitState,
    /// The citizen the unit is with, if any.
    pub citizen: Option<CitizenId>,
    /// (organisation id, name) of the service centre owning the unit.
    pub owner_org: (String, &'a str),
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub udi_carrier: Vec<UdiCarrier>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_reason: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_name: Vec<DeviceName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_number: Option<String>,
    #[serde(rename = "type")]
    pub type_: CodeableConcept,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub version: Vec<DeviceVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<Reference>,
    pub owner: Reference,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UdiCarrier {
    pub device_identifier: String,
    pub issuer: &'static str,
    pub jurisdiction: &'static str,
    #[serde(rename = "carrierHRF")]
    pub carrier_hrf: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceName {
    pub name: String,
    /// `udi-label-name | user-friendly-name | patient-reported-name | manufacturer-name |
    /// model-name | other`.
    #[serde(rename = "type")]
    pub type_: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceVersion {
    pub value: String,
}

/// FHIR's device status, as far as Telesund can say it. `entered-in-error` and `unknown` are
/// never written: every unit has a known lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceStatus {
    Active,
    Inactive,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Active => "active",
            DeviceStatus::Inactive => "inactive",
        }
    }

    /// The FHIR status of a unit in `state`. R4: inactive is "no longer available for use
    /// (e.g. lost, expired, damaged)", so:
    ///
    /// - `inactive`: `lost`, `retired`, `disposed` — out of the fleet, or gone until found;
    /// - `active`: every other state. Serving or about to serve a citizen (`reserved`,
    ///   `prepared`, `in_transit`, `in_use`, `swap_pending`), ready in stock (`available`),
    ///   and the warehouse steps a unit passes through on its way back into service
    ///   (`received`, `incoming_inspection`, `in_transit_back`, `quarantine`, `reprocessing`,
    ///   `repair`, `recall_hold`). The lifecycle extension and `statusReason` tell these apart.
    pub fn of(state: UnitState) -> DeviceStatus {
        match state {
            UnitState::Lost | UnitState::Retired | UnitState::Disposed => DeviceStatus::Inactive,
            UnitState::Received
            | UnitState::IncomingInspection
            | UnitState::Available
            | UnitState::Reserved
            | UnitState::Prepared
            | UnitState::InTransit
            | UnitState::InUse
            | UnitState::SwapPending
            | UnitState::InTransitBack
            | UnitState::Quarantine
            | UnitState::Reprocessing
            | UnitState::Repair
            | UnitState::RecallHold => DeviceStatus::Active,
        }
    }

    /// The lifecycle states with this status, for storage to filter a `status` search on.
    pub fn states(self) -> Vec<UnitState> {
        UnitState::ALL
            .iter()
            .copied()
            .filter(|s| DeviceStatus::of(*s) == self)
            .collect()
    }
}

/// The Danish name of a device role.
pub fn role_display(role: DeviceRole) -> &'static str {
    match role {
        DeviceRole::Tablet => "Tablet",
        DeviceRole::BloodPressureMonitor => "Blodtryksmåler",
        DeviceRole::Scale => "Vægt",
        DeviceRole::PulseOximeter => "Pulsoximeter",
        DeviceRole::GlucoseMeter => "Blodsukkermåler",
        DeviceRole::Thermometer => "Termometer",
        DeviceRole::Spirometer => "Spirometer",
    }
}

/// Why a unit is out of service, in Danish, for `statusReason`; `None` for a unit in service
/// or on its ordinary way back into it.
fn out_of_service(state: UnitState) -> Option<&'static str> {
    match state {
        UnitState::Repair => Some("Til reparation"),
        UnitState::RecallHold => Some("Spærret på grund af tilbagekaldelse"),
        UnitState::Lost => Some("Bortkommet"),
        UnitState::Retired => Some("Udfaset"),
        UnitState::Disposed => Some("Bortskaffet"),
        _ => None,
    }
}

fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A unit as an R4 Device. References are relative, so no base URL is needed.
pub fn from_unit(f: &DeviceFacts) -> Device {
    let serial = f.pi.serial.trim();
    let lot = f.pi.lot.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let device_id = f.device_id.map(str::trim).filter(|d| !d.is_empty());
    let mut identifier = Vec::new();
    if !serial.is_empty() {
        identifier.push(Identifier {
            use_: None,
            system: Some(DEVICE_SERIAL.into()),
            value: Some(serial.into()),
        });
    }
    if let Some(d) = device_id.filter(|d| !d.eq_ignore_ascii_case(serial)) {
        identifier.push(Identifier {
            use_: None,
            system: Some(DEVICE_ID.into()),
            value: Some(d.into()),
        });
    }
    let di = f.model.udi_di.trim();
    let udi_carrier = if di.is_empty() {
        Vec::new()
    } else {
        vec![UdiCarrier {
            device_identifier: di.into(),
            issuer: GS1_DI,
            jurisdiction: EU_UDI,
            carrier_hrf: element_string(di, serial, lot, f.pi.expiry),
        }]
    };
    let model_name = non_empty(&f.model.name);
    Device {
        resource_type: "Device",
        id: f.id.to_string(),
        meta: Meta::updated(f.updated_at),
        extension: vec![Extension::code(LIFECYCLE_STATE, f.state.as_str())],
        identifier,
        udi_carrier,
        status: DeviceStatus::of(f.state).as_str(),
        status_reason: out_of_service(f.state)
            .map(CodeableConcept::text)
            .into_iter()
            .collect(),
        manufacturer: non_empty(&f.model.manufacturer),
        expiration_date: f.pi.expiry.map(date),
        lot_number: lot.map(str::to_string),
        serial_number: non_empty(serial),
        device_name: model_name
            .iter()
            .map(|name| DeviceName {
                name: name.clone(),
                type_: "model-name",
            })
            .collect(),
        model_number: model_name,
        type_: CodeableConcept {
            coding: vec![Coding::new(
                DEVICE_ROLE,
                f.model.role.as_str(),
                role_display(f.model.role),
            )],
            text: None,
        },
        version: f
            .pi
            .software_version
            .as_deref()
            .and_then(non_empty)
            .map(|value| DeviceVersion { value })
            .into_iter()
            .collect(),
        patient: f.citizen.map(|c| Reference::to("Patient", c, None)),
        owner: Reference::to("Organization", &f.owner_org.0, Some(f.owner_org.1)),
    }
}

// ---------------------------------------------------------------------------------------
// Search.

/// The search parameters a Device search takes (besides `_count` and `_format`).
pub const SEARCH_PARAMS: &[&str] = &["patient", "serial-number", "status", "udi-di", "_page"];
/// Devices per page unless `_count` says otherwise, and the most a page holds.
pub const DEFAULT_COUNT: u32 = 50;
pub const MAX_COUNT: u32 = 500;

/// A Device search: every filter given must hold. Results are ordered by id (UUID v7, so in
/// the order units were registered) and paged by `_page`, the id of the last Device of the
/// previous page, which a next link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSearch {
    /// `patient`: the units with this citizen.
    pub patient: Option<CitizenId>,
    /// `serial-number`: exact, ignoring case (as a device reports it).
    pub serial_number: Option<String>,
    /// `status`: active or inactive (see [`DeviceStatus::of`] and [`DeviceStatus::states`]).
    pub status: Option<DeviceStatus>,
    /// `udi-di`: the model's GS1 UDI-DI, all 14 digits.
    pub udi_di: Option<String>,
    /// `_count`, within 1..=[`MAX_COUNT`].
    pub count: u32,
    /// `_page`: list the units after this one.
    pub after: Option<UnitId>,
}

fn invalid(param: &str, message: impl Into<String>) -> InputError {
    InputError {
        code: ErrorCode::InvalidInput,
        message: message.into(),
        expression: Some(param.to_string()),
    }
}

/// Parses a Device search from the query's (decoded) name–value pairs. As for every other
/// resource, an unknown parameter or any modifier is refused rather than ignored (an
/// ignored filter would list more than was asked for), and each parameter is given once.
/// The error names the parameter in `expression`.
pub fn parse_search(pairs: &[(String, String)]) -> Result<DeviceSearch, InputError> {
    for (k, v) in pairs {
        if k == "_format" {
            if !matches!(
                v.as_str(),
                "json" | "application/json" | "application/fhir+json"
            ) {
                return Err(InputError {
                    code: ErrorCode::UnsupportedMediaType,
                    message: "Telesund serves FHIR as JSON only".into(),
                    expression: None,
                });
            }
            continue;
        }
        if k.contains(':') {
            return Err(InputError {
                code: ErrorCode::UnknownField,
                message: format!("search modifiers are not supported ({k})"),
                expression: Some(k.clone()),
            });
        }
        if k != "_count" && !SEARCH_PARAMS.contains(&k.as_str()) {
            return Err(InputError {
                code: ErrorCode::UnknownField,
                message: format!(
                    "unsupported search parameter '{k}'; supported: {}",
                    SEARCH_PARAMS.join(", ")
                ),
                expression: Some(k.clone()),
            });
        }
    }
    let one = |name: &str| -> Result<Option<&str>, InputError> {
        let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(invalid(name, format!("give '{name}' once")));
        }
        Ok(first.map(|v| v.trim()).filter(|v| !v.is_empty()))
    };

    let patient = match one("patient")? {
        None => None,
        Some(p) => {
            let id = p.rsplit_once("Patient/").map_or(p, |(_, id)| id);
            Some(id.parse().map_err(|_| {
                invalid(
                    "patient",
                    "'patient' must refer to a Patient (e.g. Patient/<id>)",
                )
            })?)
        }
    };
    let status = match one("status")? {
        None => None,
        Some(s) => {
            // A token: `code`, `|code` or `http://hl7.org/fhir/device-status|code`.
            let code = match s.split_once('|') {
                Some(("" | "http://hl7.org/fhir/device-status", code)) => code,
                _ => s,
            };
            Some(match code {
                "active" => DeviceStatus::Active,
                "inactive" => DeviceStatus::Inactive,
                _ => {
                    return Err(invalid(
                        "status",
                        format!("status '{s}' is not one of active, inactive"),
                    ));
                }
            })
        }
    };
    // A token: `serial`, `|serial` or `<DEVICE_SERIAL>|serial`.
    let serial_number = match one("serial-number")? {
        None => None,
        Some(v) => Some(match v.split_once('|') {
            None => v.to_string(),
            Some(("", sn)) => sn.trim().to_string(),
            Some((system, sn)) if system == DEVICE_SERIAL => sn.trim().to_string(),
            Some((system, _)) => {
                return Err(invalid(
                    "serial-number",
                    format!("serial numbers are in {DEVICE_SERIAL}, not {system}"),
                ));
            }
        })
        .filter(|sn| !sn.is_empty()),
    };
    let udi_di = match one("udi-di")? {
        None => None,
        Some(di) => {
            check_udi_di(di).map_err(|e| invalid("udi-di", e.message))?;
            Some(di.to_string())
        }
    };
    let count = match one("_count")? {
        None => DEFAULT_COUNT,
        Some(v) => v
            .parse::<u32>()
            .map(|n| n.clamp(1, MAX_COUNT))
            .map_err(|_| invalid("_count", "_count must be a number"))?,
    };
    let after = match one("_page")? {
        None => None,
        Some(v) => Some(v.parse().map_err(|_| {
            invalid(
                "_page",
                "_page is a cursor from a next link; use it as given",
            )
        })?),
    };
    Ok(DeviceSearch {
        patient,
        serial_number,
        status,
        udi_di,
        count,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datatypes::tests_support::{assert_no_empty, validate_r4};
    use serde_json::json;
    use telesund_core::equipment::catalogue::{
        Connectivity, HygieneClass, MaintenanceKind, ModelStatus,
    };
    use telesund_core::equipment::udi::with_check_digit;
    use telesund_core::ids::ModelId;
    use telesund_core::monitoring::MeasurementType;
    use time::macros::date;

    fn model() -> Model {
        Model {
            id: ModelId::new(),
            manufacturer: "A&D Medical".into(),
            name: "UA-651BLE".into(),
            role: DeviceRole::BloodPressureMonitor,
            udi_di: with_check_digit("0571234500001"),
            measures: vec![MeasurementType::ALL[0]],
            connectivity: Connectivity::Bluetooth,
            hygiene_class: HygieneClass::NonCritical,
            reprocessing_procedure: "Aftør med 70 % ethanol.".into(),
            maintenance: Some(telesund_core::equipment::catalogue::Maintenance {
                kind: MaintenanceKind::Calibration,
                interval_days: 730,
            }),
            purchase_price: 59_900,
            day_rate: 150,
            reprocessing_price: 4_500,
            status: ModelStatus::Approved,
            programmes: Vec::new(),
            organisations: Vec::new(),
        }
    }

    fn pi() -> UdiPi {
        UdiPi {
            serial: "SN-778".into(),
            lot: Some("L2026".into()),
            expiry: Some(date!(2028 - 12 - 31)),
            software_version: Some("4.2.1".into()),
        }
    }

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_monitor_in_a_home() {
        let (m, pi) = (model(), pi());
        let (id, citizen) = (UnitId::new(), CitizenId::new());
        let f = DeviceFacts {
            id,
            model: &m,
            pi: &pi,
            device_id: Some("00-09-1F-FE-FF-80-12-34"),
            state: UnitState::InUse,
            citizen: Some(citizen),
            owner_org: (
                "0193a1b2-0000-7000-8000-000000000001".into(),
                "Servicecenter Midt",
            ),
            updated_at: Timestamp::parse_rfc3339("2026-11-22T07:10:00Z").unwrap(),
        };
        let j = serde_json::to_value(from_unit(&f)).unwrap();
        assert_no_empty(&j, "Device");
        let di = m.udi_di.clone();
        assert_eq!(
            j,
            json!({
                "resourceType": "Device",
                "id": id.to_string(),
                "meta": { "lastUpdated": "2026-11-22T07:10:00Z" },
                "extension": [{ "url": LIFECYCLE_STATE, "valueCode": "in_use" }],
                "identifier": [
                    { "system": "https://telesund.dk/fhir/NamingSystem/device-serial", "value": "SN-778" },
                    { "system": DEVICE_ID, "value": "00-09-1F-FE-FF-80-12-34" }
                ],
                "udiCarrier": [{
                    "deviceIdentifier": di,
                    "issuer": "http://hl7.org/fhir/NamingSystem/gs1-di",
                    "jurisdiction": "http://hl7.org/fhir/NamingSystem/eu-ec-udi",
                    "carrierHRF": format!("(01){di}(17)281231(10)L2026(21)SN-778")
                }],
                "status": "active",
                "manufacturer": "A&D Medical",
                "expirationDate": "2028-12-31",
                "lotNumber": "L2026",
                "serialNumber": "SN-778",
                "deviceName": [{ "name": "UA-651BLE", "type": "model-name" }],
                "modelNumber": "UA-651BLE",
                "type": { "coding": [{
                    "system": "https://telesund.dk/fhir/CodeSystem/device-role",
                    "code": "bp_monitor",
                    "display": "Blodtryksmåler"
                }] },
                "version": [{ "value": "4.2.1" }],
                "patient": { "reference": format!("Patient/{citizen}") },
                "owner": {
                    "reference": "Organization/0193a1b2-0000-7000-8000-000000000001",
                    "display": "Servicecenter Midt"
                }
            })
        );
        validate_r4(&j);
    }

    #[test]
    fn a_retired_scale_in_stock_has_only_what_is_known() {
        let mut m = model();
        m.role = DeviceRole::Scale;
        let pi = UdiPi {
            serial: "SC-1".into(),
            lot: None,
            expiry: None,
            software_version: Some(" ".into()),
        };
        let f = DeviceFacts {
            id: UnitId::new(),
            model: &m,
            pi: &pi,
            device_id: Some("sc-1"),
            state: UnitState::Retired,
            citizen: None,
            owner_org: ("org-1".into(), "Servicecenter Midt"),
            updated_at: Timestamp::parse_rfc3339("2026-11-22T07:10:00Z").unwrap(),
        };
        let j = serde_json::to_value(from_unit(&f)).unwrap();
        assert_no_empty(&j, "Device");
        assert_eq!(j["status"], "inactive");
        assert_eq!(j["statusReason"], json!([{ "text": "Udfaset" }]));
        assert_eq!(j["extension"][0]["valueCode"], "retired");
        assert_eq!(j["type"]["coding"][0]["display"], "Vægt");
        // The device id is the serial number: one identifier.
        assert_eq!(j["identifier"].as_array().unwrap().len(), 1);
        assert_eq!(
            j["udiCarrier"][0]["carrierHRF"],
            format!("(01){}(21)SC-1", m.udi_di)
        );
        for absent in ["patient", "lotNumber", "expirationDate", "version"] {
            assert!(j.get(absent).is_none(), "{absent}");
        }
        validate_r4(&j);
    }

    #[test]
    fn lifecycle_states_map_to_device_status() {
        use UnitState as S;
        for s in [S::Retired, S::Disposed, S::Lost] {
            assert_eq!(DeviceStatus::of(s), DeviceStatus::Inactive, "{s}");
        }
        for s in [
            S::InUse,
            S::SwapPending,
            S::InTransit,
            S::Reserved,
            S::Prepared,
            S::Available,
            S::Quarantine,
            S::Reprocessing,
            S::Repair,
            S::RecallHold,
        ] {
            assert_eq!(DeviceStatus::of(s), DeviceStatus::Active, "{s}");
        }
        let (active, inactive) = (
            DeviceStatus::Active.states(),
            DeviceStatus::Inactive.states(),
        );
        assert_eq!(active.len() + inactive.len(), UnitState::ALL.len());
        assert_eq!(inactive, vec![S::Lost, S::Retired, S::Disposed]);
        assert_eq!(DeviceStatus::Inactive.as_str(), "inactive");
        for r in DeviceRole::ALL {
            assert!(!role_display(*r).is_empty());
        }
    }

    #[test]
    fn the_search_takes_its_four_parameters() {
        let citizen = CitizenId::new();
        let di = with_check_digit("0571234500001");
        let s = parse_search(&pairs(&[
            ("patient", &format!("Patient/{citizen}")),
            ("serial-number", "SN-778"),
            ("status", "inactive"),
            ("udi-di", &di),
            ("_count", "1000"),
            ("_format", "json"),
        ]))
        .unwrap();
        assert_eq!(
            s,
            DeviceSearch {
                patient: Some(citizen),
                serial_number: Some("SN-778".into()),
                status: Some(DeviceStatus::Inactive),
                udi_di: Some(di),
                count: MAX_COUNT,
                after: None,
            }
        );
        // A bare id, an absolute reference, a status token with its system, and a cursor.
        let unit = UnitId::new();
        let s = parse_search(&pairs(&[
            ("patient", &citizen.to_string()),
            ("status", "http://hl7.org/fhir/device-status|active"),
            ("_page", &unit.to_string()),
        ]))
        .unwrap();
        assert_eq!(s.patient, Some(citizen));
        assert_eq!(s.status, Some(DeviceStatus::Active));
        assert_eq!(s.after, Some(unit));
        assert_eq!(s.count, DEFAULT_COUNT);
        let s = parse_search(&pairs(&[(
            "patient",
            &format!("https://telesund.example/fhir/Patient/{citizen}"),
        )]))
        .unwrap();
        assert_eq!(s.patient, Some(citizen));
        let s = parse_search(&pairs(&[(
            "serial-number",
            "https://telesund.dk/fhir/NamingSystem/device-serial|SN-778",
        )]))
        .unwrap();
        assert_eq!(s.serial_number.as_deref(), Some("SN-778"));
        let none = parse_search(&[]).unwrap();
        assert_eq!((none.patient, none.status), (None, None));
    }

    #[test]
    fn the_search_refuses_what_it_would_not_honour() {
        let err = parse_search(&pairs(&[("manufacturer", "A&D")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownField);
        assert_eq!(err.expression.as_deref(), Some("manufacturer"));
        assert!(err.message.contains("serial-number"), "{}", err.message);
        let err = parse_search(&pairs(&[("serial-number:exact", "SN-778")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownField);
        for (q, param) in [
            (vec![("status", "entered-in-error")], "status"),
            (vec![("status", "active"), ("status", "inactive")], "status"),
            (vec![("patient", "Practitioner/abc")], "patient"),
            (vec![("udi-di", "05712345000010")], "udi-di"),
            (vec![("_count", "many")], "_count"),
            (vec![("_page", "2")], "_page"),
            (
                vec![("serial-number", "urn:oid:1.2|SN-778")],
                "serial-number",
            ),
        ] {
            let err = parse_search(&pairs(&q)).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{q:?}");
            assert_eq!(err.expression.as_deref(), Some(param), "{q:?}");
        }
        let err = parse_search(&pairs(&[("_format", "xml")])).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnsupportedMediaType);
    }
}
