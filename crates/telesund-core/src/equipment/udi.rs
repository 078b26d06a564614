//! GS1 UDI: the device identifier (UDI-DI, the model) and the production identifier (UDI-PI:
//! serial, lot, expiry, software version), as printed on labels or read by a scanner.

use crate::error::DomainError;
use time::{Date, Month};

/// Checks a GS1 GTIN-14 (the UDI-DI): 14 digits with a valid check digit.
pub fn check_udi_di(di: &str) -> Result<(), DomainError> {
    let bad = || {
        DomainError::invalid(format!(
            "'{di}' is not a GS1 UDI-DI (14 digits with a check digit)"
        ))
    };
    if di.len() != 14 || !di.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let digits: Vec<u32> = di.bytes().map(|b| u32::from(b - b'0')).collect();
    // Weights 3,1,3,1… from the digit left of the check digit.
    let sum: u32 = digits[..13]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    if (10 - sum % 10) % 10 == digits[13] {
        Ok(())
    } else {
        Err(bad())
    }
}

/// The check digit that completes 13 digits into a GTIN-14 (for making demo and test DIs).
pub fn with_check_digit(first13: &str) -> String {
    let sum: u32 = first13
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 { d * 3 } else { d }
        })
        .sum();
    format!("{first13}{}", (10 - sum % 10) % 10)
}

/// What a scanned or typed GS1 element string holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scanned {
    pub di: Option<String>,
    pub serial: Option<String>,
    pub lot: Option<String>,
    pub expiry: Option<Date>,
    pub software_version: Option<String>,
}

/// Reads a GS1 element string, either human-readable — `(01)05712345000015(17)281231(10)L1(21)SN9`
/// — or as a scanner sends it, with FNC1 as the ASCII group separator (0x1D) after each
/// variable-length field. Returns None when the text is not a GS1 string (then it is looked
/// up as a plain serial number).
pub fn parse_gs1(text: &str) -> Option<Scanned> {
    let text = text
        .trim()
        .trim_start_matches("]d2")
        .trim_start_matches("]Q3");
    let mut out = Scanned::default();
    let mut rest = text;
    let paren = rest.starts_with('(');
    if !paren && !rest.starts_with("01") {
        return None;
    }
    while !rest.is_empty() {
        let (ai, after) = if paren {
            let close = rest.find(')')?;
            (rest.get(1..close)?, &rest[close + 1..])
        } else {
            let n = if rest.starts_with("80") || rest.starts_with("24") {
                4
            } else {
                2
            };
            (rest.get(..n)?, &rest[n..])
        };
        let fixed = match ai {
            "01" => Some(14),
            "11" | "17" => Some(6),
            _ => None,
        };
        let value_end = match fixed {
            Some(n) => n,
            None if paren => after.find('(').unwrap_or(after.len()),
            None => after.find('\u{1d}').unwrap_or(after.len()),
        };
        let value = after.get(..value_end)?;
        match ai {
            "01" => out.di = Some(value.to_string()),
            "10" => out.lot = Some(value.to_string()),
            "17" => out.expiry = Some(yymmdd(value)?),
            "21" => out.serial = Some(value.to_string()),
            "8012" => out.software_version = Some(value.to_string()),
            "11" | "240" => {}
            _ => return None,
        }
        rest = after[value_end..].trim_start_matches('\u{1d}');
    }
    out.di
        .as_ref()
        .is_some_and(|d| check_udi_di(d).is_ok())
        .then_some(out)
}

/// GS1 dates are YYMMDD; a day of 00 means the last day of the month.
fn yymmdd(s: &str) -> Option<Date> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = 2000 + s[..2].parse::<i32>().ok()?;
    let month = Month::try_from(s[2..4].parse::<u8>().ok()?).ok()?;
    let day: u8 = s[4..].parse().ok()?;
    let day = if day == 0 {
        time::util::days_in_month(month, year)
    } else {
        day
    };
    Date::from_calendar_date(year, month, day).ok()
}

/// The human-readable element string for a unit's label.
pub fn element_string(di: &str, serial: &str, lot: Option<&str>, expiry: Option<Date>) -> String {
    let mut s = format!("(01){di}");
    if let Some(e) = expiry {
        s.push_str(&format!(
            "(17){:02}{:02}{:02}",
            e.year() % 100,
            e.month() as u8,
            e.day()
        ));
    }
    if let Some(l) = lot {
        s.push_str(&format!("(10){l}"));
    }
    s.push_str(&format!("(21){serial}"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_di_needs_its_check_digit() {
        let di = with_check_digit("0571234500001");
        assert!(check_udi_di(&di).is_ok());
        let mut wrong = di.clone().into_bytes();
        wrong[13] = if wrong[13] == b'9' {
            b'0'
        } else {
            wrong[13] + 1
        };
        assert!(check_udi_di(std::str::from_utf8(&wrong).unwrap()).is_err());
        assert!(check_udi_di("123").is_err());
    }

    #[test]
    fn labels_are_read_back_in_both_spellings() {
        let di = with_check_digit("0571234500001");
        let printed = element_string(&di, "SN-42", Some("L2026"), Some(date!(2028 - 12 - 31)));
        let p = parse_gs1(&printed).unwrap();
        assert_eq!(p.di.as_deref(), Some(di.as_str()));
        assert_eq!(p.serial.as_deref(), Some("SN-42"));
        assert_eq!(p.lot.as_deref(), Some("L2026"));
        assert_eq!(p.expiry, Some(date!(2028 - 12 - 31)));
        let raw = format!("]d201{di}17281200") + "10L2026\u{1d}8012v4.2\u{1d}21SN-42";
        let r = parse_gs1(&raw).unwrap();
        assert_eq!(r.expiry, Some(date!(2028 - 12 - 31)));
        assert_eq!(r.software_version.as_deref(), Some("v4.2"));
        assert_eq!(r.serial.as_deref(), Some("SN-42"));
        assert_eq!(parse_gs1("TAB-000123"), None);
    }
}
