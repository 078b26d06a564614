//! The Danish civil registration number (CPR): DDMMYY-SSSS.
//!
//! Validation follows the CPR office's rules: ten digits, a real calendar date, and the
//! century read from the seventh digit. The modulus-11 check is deliberately *not*
//! applied: since 2007 CPR numbers are issued that fail it.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cpr(String); // always the ten digits, no hyphen

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("a CPR number has ten digits, optionally written DDMMYY-SSSS")]
    Format,
    #[error("the first six digits of a CPR number must be a real date (DDMMYY)")]
    Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Cpr {
    /// Parses "DDMMYYSSSS" or "DDMMYY-SSSS" (surrounding spaces allowed).
    pub fn parse(input: &str) -> Result<Self, CprError> {
        let trimmed = input.trim();
        let digits: String = match trimmed.len() {
            10 => trimmed.to_string(),
            11 if trimmed.as_bytes()[6] == b'-' => format!("{}{}", &trimmed[..6], &trimmed[7..]),
            _ => return Err(CprError::Format),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CprError::Format);
        }
        let cpr = Cpr(digits);
        cpr.birth_date()?;
        Ok(cpr)
    }

    fn digit(&self, i: usize) -> u32 {
        (self.0.as_bytes()[i] - b'0') as u32
    }

    fn two(&self, i: usize) -> u32 {
        self.digit(i) * 10 + self.digit(i + 1)
    }

    /// The century follows from the seventh digit and the two-digit year.
    fn full_year(&self) -> i32 {
        let yy = self.two(4) as i32;
        let century = match self.digit(6) {
            0..=3 => 1900,
            4 | 9 => {
                if yy <= 36 {
                    2000
                } else {
                    1900
                }
            }
            _ => {
                if yy <= 57 {
                    2000
                } else {
                    1800
                }
            }
        };
        century + yy
    }

    pub fn birth_date(&self) -> Result<Date, CprError> {
        let month = Month::try_from(self.two(2) as u8).map_err(|_| CprError::Date)?;
        Date::from_calendar_date(self.full_year(), month, self.two(0) as u8)
            .map_err(|_| CprError::Date)
    }

    pub fn sex(&self) -> Sex {
        if self.digit(9) % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The ten digits without a hyphen, as stored and as sent in FHIR identifiers.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// DDMMYY-SSSS, as Danes write it.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.0[..6], &self.0[6..])
    }

    /// Whether the number passes the old modulus-11 check (informational only).
    pub fn passes_modulus11(&self) -> bool {
        const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        (0..10).map(|i| self.digit(i) * WEIGHTS[i]).sum::<u32>() % 11 == 0
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

// CPR numbers are personal data: a Debug print shows the birth date part only.
impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({}-xxxx)", &self.0[..6])
    }
}

impl TryFrom<String> for Cpr {
    type Error = CprError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Cpr::parse(&s)
    }
}

impl From<Cpr> for String {
    fn from(c: Cpr) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn year(s: &str) -> i32 {
        Cpr::parse(s).unwrap().birth_date().unwrap().year()
    }

    #[test]
    fn century_follows_the_seventh_digit() {
        assert_eq!(year("0101351234"), 1935);
        assert_eq!(year("0101354234"), 2035);
        assert_eq!(year("0101374234"), 1937);
        assert_eq!(year("0101575234"), 2057);
        assert_eq!(year("0101585234"), 1858);
        assert_eq!(year("0101368234"), 2036);
        assert_eq!(year("0101369234"), 2036);
        assert_eq!(year("0101999234"), 1999);
    }

    #[test]
    fn accepts_hyphen_and_spaces() {
        assert_eq!(Cpr::parse(" 120345-6789 ").unwrap().as_str(), "1203456789");
        assert_eq!(Cpr::parse("1203456789").unwrap().formatted(), "120345-6789");
    }

    #[test]
    fn rejects_bad_format_and_dates() {
        assert_eq!(Cpr::parse("12034567"), Err(CprError::Format));
        assert_eq!(Cpr::parse("12034a6789"), Err(CprError::Format));
        assert_eq!(Cpr::parse("120345+6789"), Err(CprError::Format));
        assert_eq!(Cpr::parse("3202451234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("0013451234"), Err(CprError::Date));
        // 29 February exists in 2000 but not in 1900.
        assert!(Cpr::parse("2902004234").is_ok());
        assert_eq!(Cpr::parse("2902001234"), Err(CprError::Date));
    }

    #[test]
    fn modulus11_is_not_required() {
        let cpr = Cpr::parse("0101701235").unwrap();
        assert!(!cpr.passes_modulus11());
    }

    #[test]
    fn sex_from_last_digit_and_debug_hides_serial() {
        let c = Cpr::parse("0101701235").unwrap();
        assert_eq!(c.sex(), Sex::Male);
        assert_eq!(Cpr::parse("0101701234").unwrap().sex(), Sex::Female);
        assert_eq!(format!("{c:?}"), "Cpr(010170-xxxx)");
    }

    proptest! {
        #[test]
        fn any_real_date_with_any_serial_parses(day in 1u8..=28, month in 1u8..=12, yy in 0u8..=99, serial in 0u16..=9999) {
            let s = format!("{day:02}{month:02}{yy:02}{serial:04}");
            let cpr = Cpr::parse(&s).unwrap();
            let d = cpr.birth_date().unwrap();
            prop_assert_eq!(d.day(), day);
            prop_assert_eq!(d.year() % 100, yy as i32);
            prop_assert!((1858..=2057).contains(&d.year()));
            prop_assert_eq!(Cpr::parse(&cpr.formatted()).unwrap(), cpr);
        }

        #[test]
        fn never_panics(s in "\\PC{0,14}") {
            let _ = Cpr::parse(&s);
        }
    }
}
