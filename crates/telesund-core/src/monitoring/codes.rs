//! What citizens measure: the canonical types we store, and every code that names them.
//!
//! A device or EHR may name weight by LOINC 29463-7, IEEE 11073 MDC 188736 or NPU03804;
//! all three mean [`Quantity::Weight`], stored once, and all known codings go back out on
//! `Observation.code` (FUT's rule: the Danish code beside LOINC and MDC).

use crate::identity::string_enum;

string_enum!(
    /// One measured number with one canonical UCUM unit. Blood pressure is two quantities
    /// (systolic and diastolic) with their own thresholds.
    Quantity {
        Systolic = "systolic",
        Diastolic = "diastolic",
        Pulse = "pulse",
        SpO2 = "spo2",
        Weight = "weight",
        Temperature = "temperature",
        Glucose = "glucose",
        Steps = "steps",
        Fev1 = "fev1",
    }
);

string_enum!(
    /// What one Observation is. All but blood pressure carry one quantity; blood pressure is
    /// one Observation with systolic and diastolic components (HL7 PHD IG).
    MeasurementType {
        BloodPressure = "blood_pressure",
        Pulse = "pulse",
        SpO2 = "spo2",
        Weight = "weight",
        Temperature = "temperature",
        Glucose = "glucose",
        Steps = "steps",
        Fev1 = "fev1",
    }
);

impl Quantity {
    /// The canonical UCUM unit every value is stored in.
    pub fn ucum(self) -> &'static str {
        match self {
            Quantity::Systolic | Quantity::Diastolic => "mm[Hg]",
            Quantity::Pulse => "/min",
            Quantity::SpO2 => "%",
            Quantity::Weight => "kg",
            Quantity::Temperature => "Cel",
            Quantity::Glucose => "mmol/L",
            Quantity::Steps => "/d",
            Quantity::Fev1 => "L",
        }
    }

    /// The unit as people read it.
    pub fn unit_display(self) -> &'static str {
        match self {
            Quantity::Systolic | Quantity::Diastolic => "mmHg",
            Quantity::Pulse => "slag/min",
            Quantity::SpO2 => "%",
            Quantity::Weight => "kg",
            Quantity::Temperature => "°C",
            Quantity::Glucose => "mmol/l",
            Quantity::Steps => "skridt",
            Quantity::Fev1 => "l",
        }
    }

    /// The Danish name, lower case, for sentences ("vægt steget 2,6 kg").
    pub fn danish(self) -> &'static str {
        match self {
            Quantity::Systolic => "systolisk blodtryk",
            Quantity::Diastolic => "diastolisk blodtryk",
            Quantity::Pulse => "puls",
            Quantity::SpO2 => "iltmætning",
            Quantity::Weight => "vægt",
            Quantity::Temperature => "temperatur",
            Quantity::Glucose => "blodsukker",
            Quantity::Steps => "skridt",
            Quantity::Fev1 => "FEV1",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Quantity::Systolic => "systolic blood pressure",
            Quantity::Diastolic => "diastolic blood pressure",
            Quantity::Pulse => "pulse",
            Quantity::SpO2 => "oxygen saturation",
            Quantity::Weight => "body weight",
            Quantity::Temperature => "body temperature",
            Quantity::Glucose => "capillary blood glucose",
            Quantity::Steps => "steps",
            Quantity::Fev1 => "FEV1",
        }
    }

    /// Values outside this range (canonical unit, inclusive) cannot come from a living person
    /// or a working device, and are refused rather than triaged: SpO2 above 100 %, a negative
    /// weight. Wide on purpose — a very ill citizen must never be refused.
    pub fn plausible(self) -> (f64, f64) {
        match self {
            Quantity::Systolic => (40.0, 300.0),
            Quantity::Diastolic => (15.0, 200.0),
            Quantity::Pulse => (15.0, 300.0),
            Quantity::SpO2 => (30.0, 100.0),
            Quantity::Weight => (0.5, 400.0),
            Quantity::Temperature => (25.0, 45.0),
            Quantity::Glucose => (0.5, 50.0),
            Quantity::Steps => (0.0, 150_000.0),
            Quantity::Fev1 => (0.1, 10.0),
        }
    }

    /// Decimals worth showing (and storing): devices report no finer than this.
    pub fn decimals(self) -> usize {
        match self {
            Quantity::Weight | Quantity::Temperature | Quantity::Glucose => 1,
            Quantity::Fev1 => 2,
            _ => 0,
        }
    }
}

impl MeasurementType {
    /// The quantities one Observation of this type carries, in component order.
    pub fn quantities(self) -> &'static [Quantity] {
        match self {
            MeasurementType::BloodPressure => &[Quantity::Systolic, Quantity::Diastolic],
            MeasurementType::Pulse => &[Quantity::Pulse],
            MeasurementType::SpO2 => &[Quantity::SpO2],
            MeasurementType::Weight => &[Quantity::Weight],
            MeasurementType::Temperature => &[Quantity::Temperature],
            MeasurementType::Glucose => &[Quantity::Glucose],
            MeasurementType::Steps => &[Quantity::Steps],
            MeasurementType::Fev1 => &[Quantity::Fev1],
        }
    }

    /// The type a single quantity is measured as (blood pressure for either component).
    pub fn of(q: Quantity) -> MeasurementType {
        match q {
            Quantity::Systolic | Quantity::Diastolic => MeasurementType::BloodPressure,
            Quantity::Pulse => MeasurementType::Pulse,
            Quantity::SpO2 => MeasurementType::SpO2,
            Quantity::Weight => MeasurementType::Weight,
            Quantity::Temperature => MeasurementType::Temperature,
            Quantity::Glucose => MeasurementType::Glucose,
            Quantity::Steps => MeasurementType::Steps,
            Quantity::Fev1 => MeasurementType::Fev1,
        }
    }

    pub fn danish(self) -> &'static str {
        match self {
            MeasurementType::BloodPressure => "Blodtryk",
            MeasurementType::Pulse => "Puls",
            MeasurementType::SpO2 => "Iltmætning",
            MeasurementType::Weight => "Vægt",
            MeasurementType::Temperature => "Temperatur",
            MeasurementType::Glucose => "Blodsukker",
            MeasurementType::Steps => "Skridt",
            MeasurementType::Fev1 => "Lungefunktion (FEV1)",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            MeasurementType::BloodPressure => "Blood pressure",
            MeasurementType::Pulse => "Pulse",
            MeasurementType::SpO2 => "Oxygen saturation",
            MeasurementType::Weight => "Weight",
            MeasurementType::Temperature => "Temperature",
            MeasurementType::Glucose => "Blood glucose",
            MeasurementType::Steps => "Steps",
            MeasurementType::Fev1 => "Lung function (FEV1)",
        }
    }
}

// CODING TABLES: see the section below (written with the tables in
// ../shared/research/telemonitoring-anchors.md).

/// The code systems we read and write. The Danish OIDs are the ones FUT and MedCom use on
/// `Coding.system`; a coding with another spelling of the same system is not recognised.
pub mod systems {
    pub const LOINC: &str = "http://loinc.org";
    /// ISO/IEEE 11073-10101 nomenclature (MDC), numeric codes as in the HL7 PHD IG.
    pub const MDC: &str = "urn:iso:std:iso:11073:10101";
    /// NPU, including the Danish DNK extension codes (DNK05472 and friends).
    pub const NPU: &str = "urn:oid:1.2.208.176.2.1";
    /// MedCom's own measurement codes (MCS…), for what NPU has no code for.
    pub const MEDCOM: &str = "urn:oid:1.2.208.184.100.8";
    pub const UCUM: &str = "http://unitsofmeasure.org";
}

/// One FHIR `Coding`, as a compile-time table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coding {
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
}

impl Coding {
    /// Whether this coding is exactly `system` + `code` (FHIR codes are case-sensitive).
    pub fn is(&self, system: &str, code: &str) -> bool {
        self.system == system && self.code == code
    }
}

const fn c(system: &'static str, code: &'static str, display: &'static str) -> Coding {
    Coding {
        system,
        code,
        display,
    }
}

use systems::{LOINC, MDC, MEDCOM, NPU};

// Displays: the Danish NPU/MedCom texts are the ones in FUT's and MedCom's CodeSystems; LOINC
// uses the long common name and MDC the reference id, as in the HL7 PHD IG examples.

// There is no Danish panel code for blood pressure: DK sends the two components only.
const BLOOD_PRESSURE: &[Coding] = &[
    c(
        LOINC,
        "85354-9",
        "Blood pressure panel with all children optional",
    ),
    c(MDC, "150020", "MDC_PRESS_BLD_NONINV"),
];

const SYSTOLIC: &[Coding] = &[
    c(NPU, "DNK05472", "Arm—Blodtryk(systolisk); tryk = ? mmHg"),
    // MedCom's code for a home measurement, which is what FUT's examples send.
    c(
        MEDCOM,
        "MCS88019",
        "Arm—Blodtryk(systolisk) hjemme; tryk = ? mmHg",
    ),
    c(LOINC, "8480-6", "Systolic blood pressure"),
    c(MDC, "150021", "MDC_PRESS_BLD_NONINV_SYS"),
];

const DIASTOLIC: &[Coding] = &[
    c(NPU, "DNK05473", "Arm—Blodtryk(diastolisk); tryk = ? mmHg"),
    c(
        MEDCOM,
        "MCS88020",
        "Arm—Blodtryk(diastolisk) hjemme; tryk = ? mmHg",
    ),
    c(LOINC, "8462-4", "Diastolic blood pressure"),
    c(MDC, "150022", "MDC_PRESS_BLD_NONINV_DIA"),
];

const PULSE: &[Coding] = &[
    c(NPU, "NPU21692", "Hjerte—Systole; frekv. = ? × 1/min"),
    c(LOINC, "8867-4", "Heart rate"),
    // A BP cuff and a pulse oximeter each report pulse under their own MDC code.
    c(MDC, "149546", "MDC_PULS_RATE_NON_INV"),
    c(MDC, "149530", "MDC_PULS_OXIM_PULS_RATE"),
];

const SPO2: &[Coding] = &[
    c(
        NPU,
        "NPU03011",
        "Hb(Fe; O2-bind.; aB)—Oxygen(O2); mætn. = ?",
    ),
    c(
        LOINC,
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
    ),
    c(MDC, "150456", "MDC_PULS_OXIM_SAT_O2"),
];

const WEIGHT: &[Coding] = &[
    c(NPU, "NPU03804", "Pt—Legeme; masse = ? kg"),
    c(LOINC, "29463-7", "Body weight"),
    c(MDC, "188736", "MDC_MASS_BODY_ACTUAL"),
];

const TEMPERATURE: &[Coding] = &[
    c(NPU, "NPU08676", "Pt—Legeme; temp. = ? °C"),
    c(LOINC, "8310-5", "Body temperature"),
    c(MDC, "150364", "MDC_TEMP_BODY"),
];

const GLUCOSE: &[Coding] = &[
    c(NPU, "NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L"),
    c(
        LOINC,
        "14743-9",
        "Glucose [Moles/volume] in Capillary blood by Glucometer",
    ),
    // The mass-concentration twin of 14743-9: a meter set to mg/dL reports this one.
    c(
        LOINC,
        "41653-7",
        "Glucose [Mass/volume] in Capillary blood by Glucometer",
    ),
    c(MDC, "160184", "MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD"),
    c(MDC, "160188", "MDC_CONC_GLU_CAPILLARY_PLASMA"),
];

const STEPS: &[Coding] = &[
    c(MEDCOM, "MCS88192", "Skridt per dag;Pt"),
    c(LOINC, "41950-7", "Number of steps in 24 hour Measured"),
];

const FEV1: &[Coding] = &[
    c(
        MEDCOM,
        "MCS88015",
        "Lunge—Lungefunktionsundersøgelse FEV1; vol. = ? L",
    ),
    c(LOINC, "20150-9", "FEV1"),
];

/// Codes we recognise on input but never write: older or less specific codes that devices
/// and EHRs still send for the same thing.
const INPUT_ONLY: &[(&str, &str, Quantity)] = &[
    // "Oxygen saturation in Arterial blood", without the pulse-oximetry method.
    (LOINC, "2708-6", Quantity::SpO2),
    // "Glucose [Moles/volume] in Blood" and "[Mass/volume] in Blood", without "capillary".
    (LOINC, "15074-8", Quantity::Glucose),
    (LOINC, "2339-0", Quantity::Glucose),
];

/// Codes whose meaning fixes the unit. Only glucose is listed: there the property in the
/// code (substance vs mass concentration) decides between mmol/L and mg/dL, and believing
/// the wrong one is an 18-fold error. Every other code names a kind of quantity (mass,
/// pressure, temperature) whose accepted units all convert exactly, so it constrains nothing.
const CODE_UNITS: &[(&str, &str, &str)] = &[
    (NPU, "NPU22089", "mmol/L"),
    (LOINC, "14743-9", "mmol/L"),
    (LOINC, "15074-8", "mmol/L"),
    (LOINC, "41653-7", "mg/dL"),
    (LOINC, "2339-0", "mg/dL"),
];

impl MeasurementType {
    /// Every known coding of `Observation.code` for this type: the Danish code first, then
    /// LOINC, then MDC. For blood pressure these are the panel codes; the components' codes
    /// are on [`Quantity::codings`].
    ///
    /// The list is for recognising codes. Glucose and pulse carry alternatives that do not
    /// all fit one Observation (mg/dL vs mmol/L, cuff vs oximeter), so a writer picks those
    /// that match the value and the device.
    pub fn codings(self) -> &'static [Coding] {
        match self {
            MeasurementType::BloodPressure => BLOOD_PRESSURE,
            MeasurementType::Pulse => PULSE,
            MeasurementType::SpO2 => SPO2,
            MeasurementType::Weight => WEIGHT,
            MeasurementType::Temperature => TEMPERATURE,
            MeasurementType::Glucose => GLUCOSE,
            MeasurementType::Steps => STEPS,
            MeasurementType::Fev1 => FEV1,
        }
    }
}

impl Quantity {
    /// Every known coding of this quantity as an `Observation.component.code` (systolic,
    /// diastolic) or, for a single-quantity type, the same codings as its
    /// [`MeasurementType::codings`]. Danish codes first, then LOINC, then MDC.
    pub fn codings(self) -> &'static [Coding] {
        match self {
            Quantity::Systolic => SYSTOLIC,
            Quantity::Diastolic => DIASTOLIC,
            Quantity::Pulse => PULSE,
            Quantity::SpO2 => SPO2,
            Quantity::Weight => WEIGHT,
            Quantity::Temperature => TEMPERATURE,
            Quantity::Glucose => GLUCOSE,
            Quantity::Steps => STEPS,
            Quantity::Fev1 => FEV1,
        }
    }
}

/// The measurement type an `Observation.code` coding names, if we know it. Matching is exact
/// on system and code; MDC must be the numeric code ("188736"), not the reference id
/// ("MDC_MASS_BODY_ACTUAL"). A blood-pressure component code (8480-6) is not an Observation
/// code and gives `None`: resolve it with [`quantity_for`].
pub fn measurement_type_for(system: &str, code: &str) -> Option<MeasurementType> {
    MeasurementType::ALL
        .iter()
        .copied()
        .find(|t| t.codings().iter().any(|c| c.is(system, code)))
        .or_else(|| input_only(system, code).map(MeasurementType::of))
}

/// The quantity a component code names (systolic, diastolic), or the quantity of a
/// single-quantity type's Observation code (29463-7 gives weight). The blood-pressure panel
/// code gives `None`: it names two quantities.
pub fn quantity_for(system: &str, code: &str) -> Option<Quantity> {
    Quantity::ALL
        .iter()
        .copied()
        .find(|q| q.codings().iter().any(|c| c.is(system, code)))
        .or_else(|| input_only(system, code))
}

/// The UCUM unit a code itself implies (LOINC 41653-7 is mg/dL), so a caller can refuse a
/// value whose stated unit disagrees with its code; `None` when the code allows any of the
/// quantity's units or is unknown.
pub fn unit_for_code(system: &str, code: &str) -> Option<&'static str> {
    CODE_UNITS
        .iter()
        .find(|&&(s, c, _)| s == system && c == code)
        .map(|&(_, _, unit)| unit)
}

fn input_only(system: &str, code: &str) -> Option<Quantity> {
    INPUT_ONLY
        .iter()
        .find(|&&(s, c, _)| s == system && c == code)
        .map(|&(_, _, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn danish(system: &str) -> bool {
        system == NPU || system == MEDCOM
    }

    /// The required order of systems on a coding list: Danish, LOINC, MDC.
    fn rank(system: &str) -> u8 {
        match system {
            s if danish(s) => 0,
            LOINC => 1,
            MDC => 2,
            other => panic!("unexpected code system {other}"),
        }
    }

    fn all_lists() -> Vec<(&'static str, &'static [Coding])> {
        let types = MeasurementType::ALL
            .iter()
            .map(|t| (t.as_str(), t.codings()));
        let quantities = Quantity::ALL.iter().map(|q| (q.as_str(), q.codings()));
        types.chain(quantities).collect()
    }

    #[test]
    fn every_type_has_codings_that_resolve_back_to_it() {
        for &t in MeasurementType::ALL {
            assert!(!t.codings().is_empty(), "{t} has no codings");
            for c in t.codings() {
                assert_eq!(measurement_type_for(c.system, c.code), Some(t), "{c:?}");
            }
        }
    }

    #[test]
    fn every_quantity_has_codings_that_resolve_back_to_it() {
        for &q in Quantity::ALL {
            assert!(!q.codings().is_empty(), "{q} has no codings");
            for c in q.codings() {
                assert_eq!(quantity_for(c.system, c.code), Some(q), "{c:?}");
            }
        }
    }

    #[test]
    fn single_quantity_types_share_their_codings() {
        for &t in MeasurementType::ALL {
            if let [q] = t.quantities() {
                assert_eq!(q.codings(), t.codings(), "{t}");
            }
        }
    }

    #[test]
    fn no_code_maps_to_two_types_or_two_quantities() {
        let mut types: HashMap<(&str, &str), MeasurementType> = HashMap::new();
        let mut quantities: HashMap<(&str, &str), Quantity> = HashMap::new();
        let typed = MeasurementType::ALL
            .iter()
            .flat_map(|&t| t.codings().iter().map(move |c| ((c.system, c.code), t)));
        let aliases = INPUT_ONLY
            .iter()
            .map(|&(s, c, q)| ((s, c), MeasurementType::of(q)));
        for (key, t) in typed.chain(aliases) {
            if let Some(prev) = types.insert(key, t) {
                panic!("{key:?} names both {prev} and {t}");
            }
        }
        let quantified = Quantity::ALL
            .iter()
            .flat_map(|&q| q.codings().iter().map(move |c| ((c.system, c.code), q)));
        let aliases = INPUT_ONLY.iter().map(|&(s, c, q)| ((s, c), q));
        for (key, q) in quantified.chain(aliases) {
            if let Some(prev) = quantities.insert(key, q) {
                panic!("{key:?} names both {prev} and {q}");
            }
        }
        // Input-only codes are not also written: they would then be in the tables above twice.
        for &(s, c, _) in INPUT_ONLY {
            assert!(
                all_lists()
                    .iter()
                    .all(|(_, l)| !l.iter().any(|x| x.is(s, c)))
            );
        }
    }

    #[test]
    fn danish_code_comes_first_then_loinc_then_mdc() {
        for (name, list) in all_lists() {
            let ranks: Vec<u8> = list.iter().map(|c| rank(c.system)).collect();
            assert!(ranks.is_sorted(), "{name}: {ranks:?}");
            assert!(
                list.iter().any(|c| c.system == LOINC),
                "{name} has no LOINC"
            );
            // Blood pressure's panel is the one thing without a Danish code.
            if name != MeasurementType::BloodPressure.as_str() {
                assert!(danish(list[0].system), "{name} starts with {:?}", list[0]);
            }
        }
        assert_eq!(MeasurementType::Weight.codings()[0].code, "NPU03804");
        assert_eq!(Quantity::Systolic.codings()[0].code, "DNK05472");
        assert_eq!(MeasurementType::Steps.codings()[0].code, "MCS88192");
    }

    #[test]
    fn codings_are_well_formed() {
        for (name, list) in all_lists() {
            for c in list {
                assert!(!c.code.is_empty() && !c.display.is_empty(), "{name}: {c:?}");
                assert_eq!(c.code.trim(), c.code, "{name}: {c:?}");
                if c.system == MDC {
                    assert!(c.code.bytes().all(|b| b.is_ascii_digit()), "{c:?}");
                    assert!(c.display.starts_with("MDC_"), "{c:?}");
                }
            }
        }
    }

    #[test]
    fn blood_pressure_panel_and_components() {
        let bp = MeasurementType::BloodPressure;
        assert_eq!(measurement_type_for(LOINC, "85354-9"), Some(bp));
        assert_eq!(measurement_type_for(MDC, "150020"), Some(bp));
        // The panel names two quantities, so it is no quantity.
        assert_eq!(quantity_for(LOINC, "85354-9"), None);
        assert_eq!(quantity_for(MDC, "150020"), None);
        for (system, code) in [
            (NPU, "DNK05472"),
            (MEDCOM, "MCS88019"),
            (LOINC, "8480-6"),
            (MDC, "150021"),
        ] {
            assert_eq!(quantity_for(system, code), Some(Quantity::Systolic));
            assert_eq!(measurement_type_for(system, code), None);
        }
        for (system, code) in [
            (NPU, "DNK05473"),
            (MEDCOM, "MCS88020"),
            (LOINC, "8462-4"),
            (MDC, "150022"),
        ] {
            assert_eq!(quantity_for(system, code), Some(Quantity::Diastolic));
            assert_eq!(measurement_type_for(system, code), None);
        }
    }

    #[test]
    fn single_quantity_codes_resolve_both_ways() {
        assert_eq!(quantity_for(LOINC, "29463-7"), Some(Quantity::Weight));
        assert_eq!(quantity_for(MDC, "149530"), Some(Quantity::Pulse));
        assert_eq!(quantity_for(MDC, "149546"), Some(Quantity::Pulse));
        assert_eq!(quantity_for(MEDCOM, "MCS88015"), Some(Quantity::Fev1));
        assert_eq!(
            measurement_type_for(NPU, "NPU08676"),
            Some(MeasurementType::Temperature)
        );
        assert_eq!(
            measurement_type_for(LOINC, "41950-7"),
            Some(MeasurementType::Steps)
        );
    }

    #[test]
    fn older_codes_are_accepted_on_input() {
        assert_eq!(
            measurement_type_for(LOINC, "2708-6"),
            Some(MeasurementType::SpO2)
        );
        assert_eq!(quantity_for(LOINC, "2708-6"), Some(Quantity::SpO2));
        for code in ["15074-8", "2339-0", "41653-7", "14743-9"] {
            assert_eq!(
                measurement_type_for(LOINC, code),
                Some(MeasurementType::Glucose)
            );
            assert_eq!(quantity_for(LOINC, code), Some(Quantity::Glucose));
        }
        assert!(!SPO2.iter().any(|c| c.code == "2708-6"));
    }

    #[test]
    fn unknown_codes_give_none() {
        for (system, code) in [
            (LOINC, "0000-0"),
            (LOINC, ""),
            ("", ""),
            // Right code, wrong system.
            (NPU, "29463-7"),
            (MDC, "8480-6"),
            ("http://snomed.info/sct", "27113001"),
            // MDC by reference id is not supported.
            (MDC, "MDC_MASS_BODY_ACTUAL"),
            // Codes are case-sensitive and untrimmed.
            (NPU, "npu03804"),
            (LOINC, " 29463-7"),
            // BMI and CGM are in the anchors table but not measured here (yet).
            (NPU, "NPU27281"),
            (LOINC, "105272-9"),
        ] {
            assert_eq!(measurement_type_for(system, code), None, "{system}|{code}");
            assert_eq!(quantity_for(system, code), None, "{system}|{code}");
            assert_eq!(unit_for_code(system, code), None, "{system}|{code}");
        }
    }

    #[test]
    fn codes_that_imply_a_unit() {
        assert_eq!(unit_for_code(LOINC, "41653-7"), Some("mg/dL"));
        assert_eq!(unit_for_code(LOINC, "2339-0"), Some("mg/dL"));
        assert_eq!(unit_for_code(LOINC, "14743-9"), Some("mmol/L"));
        assert_eq!(unit_for_code(NPU, "NPU22089"), Some("mmol/L"));
        assert_eq!(unit_for_code(LOINC, "29463-7"), None);
        assert_eq!(unit_for_code(MDC, "160184"), None);
        // Every implied unit is one the code's own quantity accepts.
        for &(system, code, unit) in CODE_UNITS {
            let q = quantity_for(system, code).expect("implied-unit code is known");
            assert!(
                crate::monitoring::units::accepted_units(q).contains(&unit),
                "{code}: {unit}"
            );
        }
    }
}
