//! The approved catalogue: device models and the kits each programme needs. "The same
//! approved equipment everywhere" means an order can only name a model approved for the
//! programme and the ordering organisation.

use super::Ore;
use crate::error::DomainError;
use crate::identity::string_enum;
use crate::ids::{KitId, ModelId, OrgId, ProgrammeId};
use crate::monitoring::MeasurementType;
use serde::{Deserialize, Serialize};

string_enum!(
    /// What a device is for in a kit; a citizen needs at most one unit per role, whatever
    /// the number of programmes they are in.
    DeviceRole {
        Tablet = "tablet",
        BloodPressureMonitor = "bp_monitor",
        Scale = "scale",
        PulseOximeter = "pulse_oximeter",
        GlucoseMeter = "glucose_meter",
        Thermometer = "thermometer",
        Spirometer = "spirometer",
    }
);

impl DeviceRole {
    /// A device that stores the citizen's data and must be wiped and reset between users.
    pub fn holds_personal_data(self) -> bool {
        self == DeviceRole::Tablet
    }
    /// The Danish name, for records written by the system (trace lines, statements).
    pub fn danish(self) -> &'static str {
        match self {
            DeviceRole::Tablet => "tablet",
            DeviceRole::BloodPressureMonitor => "blodtryksmåler",
            DeviceRole::Scale => "vægt",
            DeviceRole::PulseOximeter => "pulsoximeter",
            DeviceRole::GlucoseMeter => "blodsukkermåler",
            DeviceRole::Thermometer => "termometer",
            DeviceRole::Spirometer => "spirometer",
        }
    }
}

string_enum!(
    /// How a device sends its measurements.
    Connectivity { Bluetooth = "bluetooth", Cellular = "cellular", Wifi = "wifi", None = "none" }
);

string_enum!(
    /// Spaulding class: what reprocessing between citizens needs (home devices touch intact
    /// skin only, so they are non-critical; a tablet is a touched surface).
    HygieneClass { NonCritical = "non_critical", SemiCritical = "semi_critical" }
);

string_enum!(
    /// Whether new orders may name the model.
    ModelStatus { Approved = "approved", PhasingOut = "phasing_out", Withdrawn = "withdrawn" }
);

string_enum!(
    /// What a model's preventive maintenance is.
    MaintenanceKind { Calibration = "calibration", Battery = "battery", SoftwareUpdate = "software_update" }
);

/// A model's preventive maintenance: what, and every how many days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    pub kind: MaintenanceKind,
    pub interval_days: u32,
}

/// An approved device model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub id: ModelId,
    pub manufacturer: String,
    pub name: String,
    pub role: DeviceRole,
    /// GS1 UDI device identifier (14 digits), the model part of the UDI.
    pub udi_di: String,
    pub measures: Vec<MeasurementType>,
    pub connectivity: Connectivity,
    pub hygiene_class: HygieneClass,
    /// The manufacturer's instructions for cleaning and disinfection, as staff follow them.
    pub reprocessing_procedure: String,
    /// Preventive maintenance, if the model has a fixed interval.
    pub maintenance: Option<Maintenance>,
    pub purchase_price: Ore,
    /// What a paying organisation is charged per day a unit serves it.
    pub day_rate: Ore,
    /// What one reprocessing of a unit of this model costs.
    pub reprocessing_price: Ore,
    pub status: ModelStatus,
    /// The programmes the model is approved for; empty: every programme.
    pub programmes: Vec<ProgrammeId>,
    /// The organisations that may order it; empty: every organisation.
    pub organisations: Vec<OrgId>,
}

impl Model {
    /// Whether an order for this programme by this organisation may name the model.
    pub fn orderable_for(&self, programme: ProgrammeId, org: OrgId) -> bool {
        self.status == ModelStatus::Approved
            && (self.programmes.is_empty() || self.programmes.contains(&programme))
            && (self.organisations.is_empty() || self.organisations.contains(&org))
    }

    /// Checks what staff typed before it is stored.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.manufacturer.trim().is_empty() || self.name.trim().is_empty() {
            return Err(DomainError::invalid(
                "a model needs a manufacturer and a name",
            ));
        }
        super::udi::check_udi_di(&self.udi_di)?;
        if self.reprocessing_procedure.trim().is_empty() {
            return Err(DomainError::invalid(
                "a model needs its reprocessing procedure (cleaning and disinfection)",
            ));
        }
        if self.purchase_price < 0 || self.day_rate < 0 || self.reprocessing_price < 0 {
            return Err(DomainError::invalid("prices cannot be negative"));
        }
        if let Some(m) = self.maintenance
            && m.interval_days == 0
        {
            return Err(DomainError::invalid(
                "a maintenance interval is at least one day",
            ));
        }
        Ok(())
    }
}

/// One role in a kit and the models that may fill it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitRole {
    pub role: DeviceRole,
    pub models: Vec<ModelId>,
}

/// What a programme's citizens get at home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kit {
    pub id: KitId,
    pub programme_id: ProgrammeId,
    pub name: String,
    pub roles: Vec<KitRole>,
}

impl Kit {
    /// A kit names each role once and offers at least one model for it, each of that role.
    pub fn validate(&self, models: &[Model]) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("a kit needs a name"));
        }
        if self.roles.is_empty() {
            return Err(DomainError::invalid("a kit needs at least one device role"));
        }
        for (i, r) in self.roles.iter().enumerate() {
            if self.roles[..i].iter().any(|o| o.role == r.role) {
                return Err(DomainError::invalid(format!(
                    "the kit names the role {} twice",
                    r.role
                )));
            }
            if r.models.is_empty() {
                return Err(DomainError::invalid(format!(
                    "the role {} has no approved model",
                    r.role
                )));
            }
            for m in &r.models {
                match models.iter().find(|x| x.id == *m) {
                    None => return Err(DomainError::not_found("model")),
                    Some(x) if x.role != r.role => {
                        return Err(DomainError::invalid(format!(
                            "{} {} is a {}, not a {}",
                            x.manufacturer, x.name, x.role, r.role
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(())
    }
}
