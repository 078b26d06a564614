//! Equipment and logistics for the joint service centre: the approved catalogue and the
//! programmes' kits, serial-numbered units with an enforced lifecycle, orders that reuse what
//! a citizen already has, home visits, reprocessing, maintenance and cost per paying partner.
//!
//! Pure rules over data, as the rest of this crate: storage keeps the records and asks these
//! functions what may happen next.

pub mod catalogue;
pub mod cost;
pub mod kit;
pub mod maintenance;
pub mod order;
pub mod reprocessing;
pub mod udi;
pub mod unit;
pub mod visit;

pub use catalogue::{DeviceRole, Kit, KitRole, Model, ModelStatus};
pub use order::{OrderStatus, ServiceType};
pub use unit::{Location, UnitEvent, UnitState};

/// Money is counted in øre (1/100 DKK) as integers, so statements add up exactly.
pub type Ore = i64;

/// Formats øre as Danish kroner: `1234567` → `12.345,67`.
pub fn format_dkk(ore: Ore) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    let kroner = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in kroner.chars().enumerate() {
        if i > 0 && (kroner.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// Parses kroner as typed by staff (`1.234,50`, `1234.5`, `1234`) into øre.
pub fn parse_dkk(text: &str) -> Result<Ore, crate::DomainError> {
    let t = text.trim().replace(' ', "");
    let bad = || crate::DomainError::invalid(format!("'{text}' is not an amount in kroner"));
    // A comma is the Danish decimal mark; dots are then thousands separators.
    let normal = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    let (kr, ore) = match normal.split_once('.') {
        Some((k, o)) if o.len() <= 2 && !o.is_empty() => (k, format!("{o:0<2}")),
        Some(_) => return Err(bad()),
        None => (normal.as_str(), "00".to_string()),
    };
    if kr.is_empty() || !kr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let kr: i64 = kr.parse().map_err(|_| bad())?;
    let ore: i64 = ore.parse().map_err(|_| bad())?;
    kr.checked_mul(100)
        .and_then(|k| k.checked_add(ore))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kroner_are_written_and_read_the_danish_way() {
        assert_eq!(format_dkk(1_234_567), "12.345,67");
        assert_eq!(format_dkk(5), "0,05");
        assert_eq!(format_dkk(-100), "-1,00");
        assert_eq!(parse_dkk("1.234,5").unwrap(), 123_450);
        assert_eq!(parse_dkk("1234.50").unwrap(), 123_450);
        assert_eq!(parse_dkk("17").unwrap(), 1_700);
        assert!(parse_dkk("12,345").is_err());
        assert!(parse_dkk("-3").is_err());
        assert!(parse_dkk("").is_err());
    }
}
