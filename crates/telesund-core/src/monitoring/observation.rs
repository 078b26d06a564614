//! A home measurement as it arrives and as we keep it: one canonical type, values in
//! canonical units, who entered it and with which device.

use super::codes::{MeasurementType, Quantity};
use super::units;
use crate::error::DomainError;
use crate::identity::string_enum;
use crate::ids::{CitizenId, ObservationId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// How far ahead of the server's clock a measurement may be stamped: device clocks drift,
/// but a result from tomorrow is a wrong clock, not a measurement.
pub const MAX_CLOCK_AHEAD_MICROS: i64 = 5 * 60 * 1_000_000;

string_enum!(
    /// Who entered a measurement.
    Source { Device = "device", Citizen = "citizen", Staff = "staff" }
);

impl Source {
    /// Who entered a measurement that arrives without saying so: a device when the device
    /// is named (a gateway forwarding it), else the citizen themself, else staff on the
    /// citizen's behalf.
    pub fn of_submission(by_citizen: bool, names_device: bool) -> Source {
        if names_device {
            Source::Device
        } else if by_citizen {
            Source::Citizen
        } else {
            Source::Staff
        }
    }
}

string_enum!(
    ObservationStatus { Final = "final", EnteredInError = "entered-in-error" }
);

/// Values in canonical units, in `MeasurementType::quantities()` order.
pub type CanonicalValues = Vec<(Quantity, f64)>;

/// One value as sent: a quantity, a number and its UCUM unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentValue {
    pub quantity: Quantity,
    pub value: f64,
    pub unit: String,
}

/// A measurement as submitted (FHIR, JSON API or the portal form), before checks.
#[derive(Clone, Debug, PartialEq)]
pub struct NewObservation {
    pub citizen_id: CitizenId,
    pub kind: MeasurementType,
    pub values: Vec<SentValue>,
    pub effective_at: Timestamp,
    pub source: Source,
    /// The device's own id: serial number, IEEE 11073 system id or Bluetooth MAC.
    pub device: Option<String>,
    /// `Observation.identifier` as "system|value": a retry with the same one is the same
    /// measurement.
    pub identifier: Option<String>,
    /// The citizen's name when staff enter on the citizen's behalf.
    pub on_behalf_of_name: Option<String>,
}

/// A stored measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub id: ObservationId,
    pub citizen_id: CitizenId,
    pub kind: MeasurementType,
    /// Canonical units, in `kind.quantities()` order.
    pub values: Vec<(Quantity, f64)>,
    pub effective_at: Timestamp,
    pub received_at: Timestamp,
    pub source: Source,
    pub entered_by_name: String,
    pub on_behalf_of_name: Option<String>,
    pub device: Option<String>,
    /// The values as sent when a unit was converted ("176.4 [lb_av]").
    pub original: Option<String>,
    pub identifier: Option<String>,
    /// No active plan of the citizen asks for this type: kept, and shown to the team.
    pub unexpected: bool,
    pub status: ObservationStatus,
}

impl Observation {
    pub fn value(&self, q: Quantity) -> Option<f64> {
        self.values.iter().find(|(k, _)| *k == q).map(|(_, v)| *v)
    }
}

impl NewObservation {
    /// Checks and converts: every quantity of the type exactly once, known units, values a
    /// living person can have, and a time that is not in the future. Returns the canonical
    /// values and, when anything was converted, the original as text.
    pub fn canonical(
        &self,
        now: Timestamp,
    ) -> Result<(CanonicalValues, Option<String>), DomainError> {
        if self.effective_at.0 > now.0 + MAX_CLOCK_AHEAD_MICROS {
            return Err(DomainError::invalid(format!(
                "the measurement is dated {} which is in the future; check the device's clock",
                self.effective_at.to_rfc3339()
            )));
        }
        let mut out = Vec::new();
        let mut converted = false;
        for q in self.kind.quantities() {
            let sent: Vec<&SentValue> = self.values.iter().filter(|v| v.quantity == *q).collect();
            let v = match sent.as_slice() {
                [one] => *one,
                [] => {
                    return Err(DomainError::invalid(format!(
                        "{} needs a value for {}",
                        self.kind.as_str(),
                        q.english()
                    )));
                }
                _ => {
                    return Err(DomainError::invalid(format!(
                        "{} is given more than once",
                        q.english()
                    )));
                }
            };
            let value = units::to_canonical(*q, v.value, &v.unit)?;
            converted |= v.unit != q.ucum();
            let (lo, hi) = q.plausible();
            if !(lo..=hi).contains(&value) {
                return Err(DomainError::invalid(format!(
                    "{} of {} {} cannot be right (expected {}–{} {})",
                    q.english(),
                    v.value,
                    v.unit,
                    lo,
                    hi,
                    q.ucum()
                )));
            }
            out.push((*q, value));
        }
        if let Some(extra) = self
            .values
            .iter()
            .find(|v| !self.kind.quantities().contains(&v.quantity))
        {
            return Err(DomainError::invalid(format!(
                "{} is not part of a {} measurement",
                extra.quantity.english(),
                self.kind.as_str()
            )));
        }
        let original = converted.then(|| {
            self.values
                .iter()
                .map(|v| format!("{} {}", v.value, v.unit))
                .collect::<Vec<_>>()
                .join(" / ")
        });
        Ok((out, original))
    }

    /// The key a retry is recognised by: the sender's identifier, else the device and the
    /// time it stamped. A measurement typed in by hand has neither and is never merged.
    pub fn dedup_key(&self) -> Option<String> {
        // The citizen is part of the key: a retry only ever finds that citizen's own
        // measurement, so nobody learns another citizen's by guessing an identifier.
        let citizen = self.citizen_id;
        if let Some(id) = &self.identifier {
            return Some(format!("{citizen}|identifier|{id}"));
        }
        self.device.as_ref().map(|d| {
            format!(
                "{citizen}|device|{d}|{}|{}",
                self.kind.as_str(),
                self.effective_at.0
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight(value: f64, unit: &str) -> NewObservation {
        NewObservation {
            citizen_id: CitizenId::new(),
            kind: MeasurementType::Weight,
            values: vec![SentValue {
                quantity: Quantity::Weight,
                value,
                unit: unit.into(),
            }],
            effective_at: Timestamp(1_000_000_000),
            source: Source::Device,
            device: Some("SN-1".into()),
            identifier: None,
            on_behalf_of_name: None,
        }
    }

    #[test]
    fn converts_and_keeps_the_original() {
        let now = Timestamp(2_000_000_000);
        let (v, orig) = weight(176.37, "[lb_av]").canonical(now).unwrap();
        assert!((v[0].1 - 80.0).abs() < 0.01);
        assert_eq!(orig.as_deref(), Some("176.37 [lb_av]"));
        let (_, orig) = weight(80.0, "kg").canonical(now).unwrap();
        assert_eq!(orig, None);
    }

    #[test]
    fn refuses_what_cannot_be_right() {
        let now = Timestamp(2_000_000_000);
        assert!(weight(-3.0, "kg").canonical(now).is_err());
        assert!(weight(80.0, "lb").canonical(now).is_err());
        let mut future = weight(80.0, "kg");
        future.effective_at = Timestamp(now.0 + MAX_CLOCK_AHEAD_MICROS + 1);
        assert!(
            future
                .canonical(now)
                .unwrap_err()
                .message
                .contains("future")
        );
        future.effective_at = Timestamp(now.0 + MAX_CLOCK_AHEAD_MICROS);
        assert!(
            future.canonical(now).is_ok(),
            "a few minutes of drift is fine"
        );
        let mut spo2 = weight(101.0, "%");
        spo2.kind = MeasurementType::SpO2;
        spo2.values[0].quantity = Quantity::SpO2;
        assert!(
            spo2.canonical(now)
                .unwrap_err()
                .message
                .contains("cannot be right")
        );
        let mut bp = weight(120.0, "mm[Hg]");
        bp.kind = MeasurementType::BloodPressure;
        bp.values[0].quantity = Quantity::Systolic;
        assert!(bp.canonical(now).unwrap_err().message.contains("diastolic"));
        bp.values.push(SentValue {
            quantity: Quantity::Diastolic,
            value: 80.0,
            unit: "mm[Hg]".into(),
        });
        assert_eq!(
            bp.canonical(now).unwrap().0,
            vec![(Quantity::Systolic, 120.0), (Quantity::Diastolic, 80.0)]
        );
        bp.values.push(SentValue {
            quantity: Quantity::Pulse,
            value: 60.0,
            unit: "/min".into(),
        });
        assert!(bp.canonical(now).unwrap_err().message.contains("not part"));
    }

    #[test]
    fn retries_are_recognised_by_identifier_or_device_and_time() {
        let mut a = weight(80.0, "kg");
        let c = a.citizen_id;
        assert_eq!(
            a.dedup_key().unwrap(),
            format!("{c}|device|SN-1|weight|1000000000")
        );
        a.identifier = Some("urn:ietf:rfc:3986|urn:uuid:1".into());
        assert_eq!(
            a.dedup_key().unwrap(),
            format!("{c}|identifier|urn:ietf:rfc:3986|urn:uuid:1")
        );
        // The same identifier for another citizen is another measurement.
        let mut other = a.clone();
        other.citizen_id = crate::ids::CitizenId::new();
        assert_ne!(other.dedup_key(), a.dedup_key());
        a.identifier = None;
        a.device = None;
        assert_eq!(a.dedup_key(), None);
    }
}
