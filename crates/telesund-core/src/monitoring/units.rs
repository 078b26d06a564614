//! UCUM units in, canonical units stored.
//!
//! Every value is stored in its quantity's canonical unit ([`Quantity::ucum`]) so thresholds,
//! trends and charts never convert. Input may come in any unit listed in [`accepted_units`];
//! anything else is refused with a message naming the UCUM spelling to use, because a
//! guessed unit (lb read as kg, mg/dL read as mmol/L) silently triages the wrong number.
//!
//! Codes are case-sensitive, as UCUM is. UCUM itself also has lower-case `l` for litre; we
//! accept one spelling per unit so stored and compared codes stay uniform, and the refusal
//! says which spelling to use.

use super::codes::Quantity;
use crate::error::DomainError;
use std::fmt;

/// Why a value could not be converted.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    /// Not a unit of any quantity we measure (a typo, an alias such as "lbs", or the wrong
    /// case such as "mg/dl").
    Unknown {
        unit: String,
        quantity: Quantity,
        accepted: Vec<&'static str>,
    },
    /// A unit we know, but of another quantity ("kg" for a pulse).
    Wrong {
        unit: String,
        quantity: Quantity,
        accepted: Vec<&'static str>,
    },
    /// The value (or its conversion) is NaN or infinite.
    NotANumber { quantity: Quantity },
}

impl UnitError {
    fn unknown(q: Quantity, unit: &str) -> Self {
        UnitError::Unknown {
            unit: unit.to_owned(),
            quantity: q,
            accepted: accepted_units(q).to_vec(),
        }
    }

    fn wrong(q: Quantity, unit: &str) -> Self {
        UnitError::Wrong {
            unit: unit.to_owned(),
            quantity: q,
            accepted: accepted_units(q).to_vec(),
        }
    }
}

/// The unit as it goes into a message: escaped (no line breaks in logs) and cut short (the
/// caller sent it, so it can be anything).
fn quoted(unit: &str) -> String {
    const MAX: usize = 32;
    let mut s: String = unit.chars().take(MAX).collect();
    if unit.chars().count() > MAX {
        s.push('…');
    }
    format!("'{}'", s.escape_debug())
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::Unknown {
                unit,
                quantity,
                accepted,
            } => {
                let name = quantity.english();
                if unit.trim().is_empty() {
                    write!(f, "no unit given for {name}")?;
                } else {
                    write!(
                        f,
                        "{} is not an accepted UCUM unit for {name}",
                        quoted(unit)
                    )?;
                    // Only suggest a spelling that would actually be accepted here: "bpm"
                    // sent for a weight is not helped by "write /min".
                    if let Some(hint) = ucum_spelling(unit).filter(|h| accepted.contains(h)) {
                        write!(f, " (in UCUM it is written {hint})")?;
                    }
                }
                write!(f, "; use one of {}", accepted.join(", "))
            }
            UnitError::Wrong {
                unit,
                quantity,
                accepted,
            } => write!(
                f,
                "{} is not a unit of {}; use one of {}",
                quoted(unit),
                quantity.english(),
                accepted.join(", ")
            ),
            UnitError::NotANumber { quantity } => {
                write!(f, "a {} value must be a finite number", quantity.english())
            }
        }
    }
}

impl std::error::Error for UnitError {}

impl From<UnitError> for DomainError {
    fn from(e: UnitError) -> Self {
        DomainError::invalid(e.to_string())
    }
}

/// The UCUM codes accepted for a quantity, canonical unit first.
pub fn accepted_units(q: Quantity) -> &'static [&'static str] {
    match q {
        Quantity::Systolic | Quantity::Diastolic => &["mm[Hg]", "kPa"],
        // Annotations in braces do not change a UCUM unit, so all four are "per minute".
        Quantity::Pulse => &["/min", "{beats}/min", "{Beats}/min", "1/min"],
        Quantity::SpO2 => &["%"],
        Quantity::Weight => &["kg", "g", "[lb_av]"],
        Quantity::Temperature => &["Cel", "[degF]", "K"],
        Quantity::Glucose => &["mmol/L", "mg/dL"],
        // A daily step total: devices write it as a rate, a count or a bare number.
        Quantity::Steps => &["/d", "{steps}", "{steps}/d", "1"],
        Quantity::Fev1 => &["L", "mL"],
    }
}

/// The UCUM spelling of a common non-UCUM or wrongly cased unit ("lbs" → "[lb_av]",
/// "mg/dl" → "mg/dL"), for messages and UI hints. `None` when there is nothing to suggest.
pub fn ucum_spelling(unit: &str) -> Option<&'static str> {
    const ALIASES: &[(&str, &str)] = &[
        ("lb", "[lb_av]"),
        ("lbs", "[lb_av]"),
        ("mmHg", "mm[Hg]"),
        ("mm Hg", "mm[Hg]"),
        ("bpm", "/min"),
        ("°C", "Cel"),
        ("℃", "Cel"),
        ("C", "Cel"),
        ("°F", "[degF]"),
        ("℉", "[degF]"),
        ("F", "[degF]"),
        ("steps", "{steps}"),
    ];
    let trimmed = unit.trim();
    if let Some(&(_, ucum)) = ALIASES.iter().find(|(alias, _)| *alias == trimmed) {
        return Some(ucum);
    }
    // "mg/dl", "mmol/l", "l", "ml", "KG", "kpa", "kg ": right unit, wrong case or spaces.
    Quantity::ALL
        .iter()
        .flat_map(|&q| accepted_units(q))
        .copied()
        .find(|accepted| accepted.eq_ignore_ascii_case(trimmed))
        .filter(|&accepted| accepted != unit)
}

/// `canonical = (value + shift) * factor`; the shift is only for temperature scales.
#[derive(Clone, Copy)]
struct Affine {
    shift: f64,
    factor: f64,
}

const fn scale(factor: f64) -> Affine {
    Affine { shift: 0.0, factor }
}

const SAME: Affine = scale(1.0);

/// The conventional millimetre of mercury is 133.322387415 Pa, so 1 kPa ≈ 7.500617 mm[Hg].
const MMHG_PER_KPA: f64 = 1000.0 / 133.322_387_415;
/// The international avoirdupois pound, exactly.
const KG_PER_LB: f64 = 0.453_592_37;
/// mg/dL → mmol/L: glucose's molar mass 180.16 g/mol, over 10 for dL → L.
const MG_DL_PER_MMOL_L: f64 = 18.016;

fn conversion(q: Quantity, unit: &str) -> Option<Affine> {
    use Quantity::*;
    Some(match (q, unit) {
        (Systolic | Diastolic, "mm[Hg]") => SAME,
        (Systolic | Diastolic, "kPa") => scale(MMHG_PER_KPA),
        (Pulse, "/min" | "{beats}/min" | "{Beats}/min" | "1/min") => SAME,
        (SpO2, "%") => SAME,
        (Weight, "kg") => SAME,
        (Weight, "g") => scale(1e-3),
        (Weight, "[lb_av]") => scale(KG_PER_LB),
        (Temperature, "Cel") => SAME,
        (Temperature, "[degF]") => Affine {
            shift: -32.0,
            factor: 5.0 / 9.0,
        },
        (Temperature, "K") => Affine {
            shift: -273.15,
            factor: 1.0,
        },
        (Glucose, "mmol/L") => SAME,
        (Glucose, "mg/dL") => scale(1.0 / MG_DL_PER_MMOL_L),
        (Steps, "/d" | "{steps}" | "{steps}/d" | "1") => SAME,
        (Fev1, "L") => SAME,
        (Fev1, "mL") => scale(1e-3),
        _ => return None,
    })
}

fn lookup(q: Quantity, unit: &str) -> Result<Affine, UnitError> {
    if let Some(a) = conversion(q, unit) {
        return Ok(a);
    }
    if Quantity::ALL
        .iter()
        .any(|&other| accepted_units(other).contains(&unit))
    {
        Err(UnitError::wrong(q, unit))
    } else {
        Err(UnitError::unknown(q, unit))
    }
}

fn finite(q: Quantity, v: f64) -> Result<f64, UnitError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(UnitError::NotANumber { quantity: q })
    }
}

/// Converts `value` in `ucum` to `q`'s canonical unit ([`Quantity::ucum`]).
pub fn to_canonical(q: Quantity, value: f64, ucum: &str) -> Result<f64, UnitError> {
    let a = lookup(q, ucum)?;
    // The unit is checked first so a bad unit is reported even when the value is bad too.
    let v = finite(q, value)?;
    // Checked again: a huge finite value can overflow in conversion.
    finite(q, (v + a.shift) * a.factor)
}

/// Converts a canonical value of `q` to `ucum`, for showing it in another unit.
pub fn from_canonical(q: Quantity, value: f64, ucum: &str) -> Result<f64, UnitError> {
    let a = lookup(q, ucum)?;
    let v = finite(q, value)?;
    finite(q, v / a.factor - a.shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn canon(q: Quantity, v: f64, u: &str) -> f64 {
        to_canonical(q, v, u).unwrap()
    }

    #[test]
    fn canonical_unit_is_accepted_first_and_converts_to_itself() {
        for &q in Quantity::ALL {
            assert_eq!(accepted_units(q)[0], q.ucum(), "{q}");
            assert_eq!(canon(q, 42.5, q.ucum()), 42.5);
            assert_eq!(from_canonical(q, 42.5, q.ucum()), Ok(42.5));
        }
    }

    #[test]
    fn accepted_list_and_conversions_agree() {
        let every: Vec<&str> = Quantity::ALL
            .iter()
            .flat_map(|&q| accepted_units(q))
            .copied()
            .collect();
        for &q in Quantity::ALL {
            for &u in &every {
                assert_eq!(
                    conversion(q, u).is_some(),
                    accepted_units(q).contains(&u),
                    "{q} {u}"
                );
            }
        }
    }

    #[test]
    fn blood_pressure() {
        assert!(close(canon(Quantity::Systolic, 16.0, "kPa"), 120.0, 0.1));
        assert!(close(
            canon(Quantity::Diastolic, 10.6658, "kPa"),
            80.0,
            0.001
        ));
        assert!(close(
            from_canonical(Quantity::Systolic, 120.0, "kPa").unwrap(),
            16.0,
            0.01
        ));
    }

    #[test]
    fn pulse_spellings_are_all_per_minute() {
        for u in accepted_units(Quantity::Pulse) {
            assert_eq!(canon(Quantity::Pulse, 72.0, u), 72.0, "{u}");
        }
        assert_eq!(canon(Quantity::SpO2, 97.0, "%"), 97.0);
    }

    #[test]
    fn weight() {
        assert!(close(
            canon(Quantity::Weight, 176.37, "[lb_av]"),
            80.0,
            0.001
        ));
        assert_eq!(canon(Quantity::Weight, 1.0, "[lb_av]"), 0.453_592_37);
        assert!(close(canon(Quantity::Weight, 80_500.0, "g"), 80.5, 1e-9));
        assert!(close(
            from_canonical(Quantity::Weight, 80.0, "[lb_av]").unwrap(),
            176.37,
            0.01
        ));
    }

    #[test]
    fn temperature() {
        let t = Quantity::Temperature;
        assert!(close(canon(t, 98.6, "[degF]"), 37.0, 1e-9));
        assert!(close(canon(t, 32.0, "[degF]"), 0.0, 1e-12));
        assert!(close(canon(t, 212.0, "[degF]"), 100.0, 1e-9));
        assert!(close(canon(t, 310.15, "K"), 37.0, 1e-9));
        assert!(close(
            from_canonical(t, 37.0, "[degF]").unwrap(),
            98.6,
            1e-9
        ));
        assert!(close(from_canonical(t, 0.0, "K").unwrap(), 273.15, 1e-9));
    }

    #[test]
    fn glucose() {
        let g = Quantity::Glucose;
        let v = canon(g, 100.0, "mg/dL");
        assert_eq!(format!("{v:.2}"), "5.55");
        assert!(close(canon(g, 180.16, "mg/dL"), 10.0, 1e-9));
        assert!(close(
            from_canonical(g, 5.5, "mg/dL").unwrap(),
            99.088,
            1e-9
        ));
    }

    #[test]
    fn steps_and_fev1() {
        for u in accepted_units(Quantity::Steps) {
            assert_eq!(canon(Quantity::Steps, 8_000.0, u), 8_000.0, "{u}");
        }
        assert!(close(canon(Quantity::Fev1, 2_350.0, "mL"), 2.35, 1e-12));
        assert!(close(
            from_canonical(Quantity::Fev1, 2.35, "mL").unwrap(),
            2_350.0,
            1e-9
        ));
    }

    #[test]
    fn aliases_are_unknown_and_name_the_ucum_spelling() {
        let cases = [
            (Quantity::Weight, "lb", "[lb_av]"),
            (Quantity::Weight, "lbs", "[lb_av]"),
            (Quantity::Systolic, "mmHg", "mm[Hg]"),
            (Quantity::Pulse, "bpm", "/min"),
            (Quantity::Temperature, "°C", "Cel"),
            (Quantity::Temperature, "C", "Cel"),
            (Quantity::Temperature, "°F", "[degF]"),
            (Quantity::Temperature, "F", "[degF]"),
            (Quantity::Glucose, "mg/dl", "mg/dL"),
            (Quantity::Glucose, "mmol/l", "mmol/L"),
            (Quantity::Fev1, "l", "L"),
            (Quantity::Fev1, "ml", "mL"),
            (Quantity::Weight, "KG", "kg"),
        ];
        for (q, unit, ucum) in cases {
            assert_eq!(ucum_spelling(unit), Some(ucum), "{unit}");
            let err = to_canonical(q, 1.0, unit).unwrap_err();
            assert!(matches!(err, UnitError::Unknown { .. }), "{unit}: {err:?}");
            let msg = err.to_string();
            assert!(msg.contains(&format!("written {ucum}")), "{msg}");
            assert!(msg.contains(q.english()), "{msg}");
            assert!(msg.contains(&accepted_units(q).join(", ")), "{msg}");
            assert_eq!(from_canonical(q, 1.0, unit), Err(err));
        }
        assert_eq!(
            to_canonical(Quantity::Weight, 180.0, "lb")
                .unwrap_err()
                .to_string(),
            "'lb' is not an accepted UCUM unit for body weight (in UCUM it is written [lb_av]); \
             use one of kg, g, [lb_av]"
        );
    }

    #[test]
    fn unknown_units_without_a_hint() {
        for unit in ["stone", "", " ", "kg ", "mmol", "[lb_us]"] {
            let err = to_canonical(Quantity::Weight, 1.0, unit).unwrap_err();
            assert!(matches!(err, UnitError::Unknown { .. }), "{unit:?}");
            assert!(err.to_string().ends_with("use one of kg, g, [lb_av]"));
        }
        assert_eq!(ucum_spelling("stone"), None);
        assert_eq!(ucum_spelling("kg"), None);
        assert_eq!(ucum_spelling(" kg "), Some("kg"));
        assert_eq!(
            to_canonical(Quantity::Weight, 1.0, "")
                .unwrap_err()
                .to_string(),
            "no unit given for body weight; use one of kg, g, [lb_av]"
        );
        // An alias of another quantity's unit gets no misleading hint.
        let msg = to_canonical(Quantity::Weight, 1.0, "bpm")
            .unwrap_err()
            .to_string();
        assert!(!msg.contains("/min"), "{msg}");
    }

    #[test]
    fn hostile_units_are_escaped_and_cut_short() {
        let unit = format!("kg\n{}", "x".repeat(100));
        let msg = to_canonical(Quantity::Weight, 1.0, &unit)
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.len() < 150, "{msg}");
    }

    #[test]
    fn units_of_another_quantity_are_wrong() {
        let cases = [
            (Quantity::Pulse, "kg"),
            (Quantity::Weight, "mm[Hg]"),
            (Quantity::Glucose, "%"),
            (Quantity::SpO2, "1"),
            (Quantity::Fev1, "Cel"),
            (Quantity::Temperature, "mL"),
            (Quantity::Steps, "/min"),
        ];
        for (q, unit) in cases {
            let err = to_canonical(q, 1.0, unit).unwrap_err();
            assert_eq!(
                err,
                UnitError::Wrong {
                    unit: unit.to_owned(),
                    quantity: q,
                    accepted: accepted_units(q).to_vec(),
                }
            );
            let msg = err.to_string();
            assert!(msg.starts_with(&format!("'{unit}' is not a unit of {}", q.english())));
        }
        // Systolic and diastolic share their units.
        assert!(to_canonical(Quantity::Diastolic, 80.0, "mm[Hg]").is_ok());
    }

    #[test]
    fn non_finite_values_are_refused() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = to_canonical(Quantity::Weight, v, "kg").unwrap_err();
            assert_eq!(
                err,
                UnitError::NotANumber {
                    quantity: Quantity::Weight
                }
            );
            assert!(from_canonical(Quantity::Weight, v, "g").is_err());
        }
        // Finite in, overflow out.
        assert!(matches!(
            to_canonical(Quantity::Systolic, f64::MAX, "kPa"),
            Err(UnitError::NotANumber { .. })
        ));
        // A bad unit is reported before a bad value.
        assert!(matches!(
            to_canonical(Quantity::Weight, f64::NAN, "lb"),
            Err(UnitError::Unknown { .. })
        ));
    }

    #[test]
    fn becomes_an_invalid_input_domain_error() {
        let err: DomainError = to_canonical(Quantity::Pulse, 70.0, "kg")
            .unwrap_err()
            .into();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("pulse"), "{}", err.message);
    }

    fn quantity_and_unit() -> impl Strategy<Value = (Quantity, &'static str)> {
        let pairs: Vec<(Quantity, &'static str)> = Quantity::ALL
            .iter()
            .flat_map(|&q| accepted_units(q).iter().map(move |&u| (q, u)))
            .collect();
        proptest::sample::select(pairs)
    }

    proptest! {
        #[test]
        fn round_trips_through_the_canonical_unit(
            (q, unit) in quantity_and_unit(),
            value in -1.0e6f64..1.0e6,
        ) {
            let canonical = to_canonical(q, value, unit).unwrap();
            let back = from_canonical(q, canonical, unit).unwrap();
            // Relative to the value, but never tighter than 1e-9 absolute: a temperature
            // shift (32, 273.15) dwarfs values near zero, whose last bits cannot survive.
            let tol = 1e-9 * value.abs().max(1.0);
            prop_assert!((back - value).abs() <= tol, "{q} {unit}: {value} -> {canonical} -> {back}");
        }

        #[test]
        fn canonical_round_trips_through_any_unit(
            (q, unit) in quantity_and_unit(),
            value in -1.0e6f64..1.0e6,
        ) {
            let shown = from_canonical(q, value, unit).unwrap();
            let back = to_canonical(q, shown, unit).unwrap();
            let tol = 1e-9 * value.abs().max(1.0);
            prop_assert!((back - value).abs() <= tol, "{q} {unit}: {value} -> {shown} -> {back}");
        }
    }
}
