//! Who is calling. Telephony integrations send the caller's number in many shapes
//! ("+4520123456", "004520123456", "4520123456", "20 12 34 56", "anonymous"); the desk
//! matches its digits with the numbers on record for citizens, next of kin and staff.

use crate::error::DomainError;
use crate::ids::{CitizenId, UserId};
use serde::{Deserialize, Serialize};

/// The digits a number is matched by (the Danish +45 prefix dropped, as stored), or None for
/// a withheld number. Refuses what is not a number at all.
pub fn caller_digits(raw: &str) -> Result<Option<String>, DomainError> {
    let t = raw.trim();
    if t.is_empty()
        || ["anonymous", "unknown", "private", "restricted", "skjult"]
            .iter()
            .any(|w| t.eq_ignore_ascii_case(w))
    {
        return Ok(None);
    }
    if t.chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.')))
    {
        return Err(DomainError::invalid(format!("'{t}' is not a phone number")));
    }
    let mut digits = crate::text::phone_digits(t);
    // E.164 without the plus, as many exchanges send it.
    if digits.len() == 10 && digits.starts_with("45") {
        digits.drain(..2);
    }
    if !(3..=15).contains(&digits.len()) {
        return Err(DomainError::invalid(format!("'{t}' is not a phone number")));
    }
    Ok(Some(digits))
}

/// Whom a number belongs to. A next of kin calls on a citizen's behalf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallerMatch {
    Citizen {
        citizen_id: CitizenId,
        name: String,
    },
    NextOfKin {
        citizen_id: CitizenId,
        citizen_name: String,
        name: String,
        relation: String,
    },
    Staff {
        user_id: UserId,
        name: String,
        organisations: Vec<String>,
    },
}

impl CallerMatch {
    /// The citizen the call is about, if any.
    pub fn citizen(&self) -> Option<CitizenId> {
        match self {
            CallerMatch::Citizen { citizen_id, .. } | CallerMatch::NextOfKin { citizen_id, .. } => {
                Some(*citizen_id)
            }
            CallerMatch::Staff { .. } => None,
        }
    }

    /// Who is on the line.
    pub fn caller_name(&self) -> &str {
        match self {
            CallerMatch::Citizen { name, .. }
            | CallerMatch::NextOfKin { name, .. }
            | CallerMatch::Staff { name, .. } => name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_shape_meet_the_stored_digits() {
        for raw in [
            "+4520123456",
            "004520123456",
            "4520123456",
            "20 12 34 56",
            "+45 20-12-34-56",
        ] {
            assert_eq!(
                caller_digits(raw).unwrap().as_deref(),
                Some("20123456"),
                "{raw}"
            );
        }
        // A foreign number keeps its country code.
        assert_eq!(
            caller_digits("+46701234567").unwrap().as_deref(),
            Some("46701234567")
        );
        assert_eq!(caller_digits("anonymous").unwrap(), None);
        assert_eq!(caller_digits("").unwrap(), None);
        assert!(caller_digits("20123456; DROP TABLE").is_err());
        assert!(caller_digits("12").is_err());
    }
}
