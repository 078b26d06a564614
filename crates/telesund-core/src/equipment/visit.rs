//! Home visits by a technician: install, collect, swap, training, calibration. Installing
//! needs a proof, so a clinician can trust that data will flow.

use crate::error::DomainError;
use crate::identity::string_enum;
use serde::{Deserialize, Serialize};

string_enum!(
    /// What a visit is for.
    VisitKind {
        Install = "install",
        Collect = "collect",
        Swap = "swap",
        Training = "training",
        Calibration = "calibration",
    }
);

string_enum!(
    VisitStatus { Planned = "planned", Done = "done", Cancelled = "cancelled" }
);

impl VisitKind {
    /// The Danish name, for records written by the system (trace lines, statements).
    pub fn danish(self) -> &'static str {
        match self {
            VisitKind::Install => "installation",
            VisitKind::Collect => "afhentning",
            VisitKind::Swap => "ombytning",
            VisitKind::Training => "oplæring",
            VisitKind::Calibration => "kalibrering",
        }
    }

    /// The FUT service type a visit of this kind carries out (for pricing).
    pub fn service_type(self) -> super::ServiceType {
        use super::ServiceType as T;
        match self {
            VisitKind::Install => T::Install,
            VisitKind::Collect => T::Pickup,
            VisitKind::Swap => T::Replace,
            VisitKind::Training => T::Training,
            VisitKind::Calibration => T::Calibration,
        }
    }
}

/// What the technician confirms in the home before the units count as installed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationProof {
    /// The peripherals paired with the tablet and a test transfer worked.
    pub pairing_tested: bool,
    /// A first real measurement reached Telesund.
    pub first_measurement_received: bool,
    /// The citizen (or a relative) was shown how to measure and whom to call.
    pub citizen_instructed: bool,
    /// The name of the person who signed for the equipment.
    pub signed_by: String,
}

impl InstallationProof {
    /// A delivery without installation: the courier cannot test the pairing or wait for a
    /// measurement, so only the signature of whoever received the equipment is required.
    pub fn validate_delivery(&self) -> Result<(), DomainError> {
        if self.signed_by.trim().is_empty() {
            return Err(DomainError::invalid(
                "the delivery is not proven: missing the name of the person who signed",
            ));
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        let mut missing = Vec::new();
        if !self.pairing_tested {
            missing.push("the pairing test");
        }
        if !self.first_measurement_received {
            missing.push("a first measurement received");
        }
        if !self.citizen_instructed {
            missing.push("the citizen's instruction");
        }
        if self.signed_by.trim().is_empty() {
            missing.push("the name of the person who signed");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid(format!(
                "the installation is not proven: missing {}",
                missing.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installation_is_proven_only_with_every_check_and_a_signature() {
        let full = InstallationProof {
            pairing_tested: true,
            first_measurement_received: true,
            citizen_instructed: true,
            signed_by: "Bent Hansen".into(),
        };
        assert!(full.validate().is_ok());
        let unsigned = InstallationProof {
            signed_by: " ".into(),
            ..full.clone()
        };
        assert!(unsigned.validate().unwrap_err().message.contains("signed"));
        let untested = InstallationProof {
            pairing_tested: false,
            ..full
        };
        assert!(untested.validate().unwrap_err().message.contains("pairing"));
    }
}
