//! Organisations, staff, roles and citizens.

use crate::cpr::Cpr;
use crate::error::DomainError;
use crate::ids::{CitizenId, MembershipId, NextOfKinId, OrgId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }
        // One spelling everywhere: JSON, SQL and the UI all use `as_str`.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            pub fn parse(s: &str) -> Result<Self, $crate::error::DomainError> {
                match s {
                    $($s => Ok($name::$variant),)*
                    _ => Err($crate::error::DomainError::invalid(format!(
                        "unknown {} '{}'", stringify!($name), s))),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// The kind of organisation; it decides the sector.
    OrgKind {
        Region = "region",
        Municipality = "municipality",
        Hospital = "hospital",
        HospitalDepartment = "hospital_department",
        GeneralPractice = "general_practice",
        ServiceCentre = "service_centre",
        Partner = "partner",
    }
);

string_enum!(
    /// The Danish health-care sectors; sharing across them needs the citizen's consent.
    Sector {
        Regional = "regional",
        Municipal = "municipal",
        PracticeSector = "practice",
        Support = "support",
        Civil = "civil",
    }
);

impl OrgKind {
    pub fn sector(self) -> Sector {
        match self {
            OrgKind::Region | OrgKind::Hospital | OrgKind::HospitalDepartment => Sector::Regional,
            OrgKind::Municipality => Sector::Municipal,
            OrgKind::GeneralPractice => Sector::PracticeSector,
            OrgKind::ServiceCentre => Sector::Support,
            OrgKind::Partner => Sector::Civil,
        }
    }
}

string_enum!(
    /// What a staff member may do in one organisation. The mapping to the national FUT roles
    /// is in ARCHITECTURE.md.
    Role {
        SystemAdmin = "system_admin",
        OrgAdmin = "org_admin",
        Clinician = "clinician",
        SocialSupporter = "social_supporter",
        ServiceDeskAgent = "service_desk_agent",
        LogisticsTechnician = "logistics_technician",
        Educator = "educator",
        Analyst = "analyst",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    /// The national health-care organisation register code (Sundhedsvæsenets Organisationsregister).
    pub sor_code: Option<String>,
    /// The Danish company register number (8 digits).
    pub cvr: Option<String>,
    pub parent_id: Option<OrgId>,
    pub active: bool,
}

/// Validates the parts of an organisation a user types.
pub fn validate_organisation(
    name: &str,
    sor: Option<&str>,
    cvr: Option<&str>,
) -> Result<(), DomainError> {
    if name.trim().is_empty() {
        return Err(DomainError::invalid("an organisation needs a name"));
    }
    if let Some(cvr) = cvr
        && (cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DomainError::invalid("a CVR number has 8 digits"));
    }
    if let Some(sor) = sor
        && (sor.is_empty() || sor.len() > 18 || !sor.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DomainError::invalid("a SOR code has up to 18 digits"));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub active: bool,
    pub totp_enabled: bool,
    pub created_at: Timestamp,
}

/// A staff user's role in one organisation for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub id: MembershipId,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub role: Role,
    pub valid_from: Timestamp,
    pub valid_to: Option<Timestamp>,
}

impl Membership {
    pub fn active_at(&self, t: Timestamp) -> bool {
        self.valid_from <= t && self.valid_to.is_none_or(|end| t < end)
    }
}

pub fn validate_email(email: &str) -> Result<String, DomainError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(char::is_whitespace);
    if ok {
        Ok(e)
    } else {
        Err(DomainError::invalid(format!(
            "'{email}' is not an e-mail address"
        )))
    }
}

string_enum!(
    /// The language a citizen or staff member reads.
    Language { Danish = "da", English = "en" }
);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextOfKin {
    pub id: NextOfKinId,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
}

/// A citizen as registered in Telesund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    pub id: CitizenId,
    pub cpr: Cpr,
    pub given_name: String,
    pub family_name: String,
    pub address: Address,
    /// The municipality the citizen lives in (an organisation of kind municipality).
    pub municipality_id: Option<OrgId>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub language: Language,
    /// The citizen needs assisted digital support (help with the tablet, a relative, calls).
    pub needs_assisted_support: bool,
    pub next_of_kin: Vec<NextOfKin>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Citizen {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// What a client sends to register or update a citizen; validated into a [`Citizen`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenInput {
    pub cpr: String,
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub address: Address,
    #[serde(default)]
    pub municipality_id: Option<OrgId>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default = "default_language")]
    pub language: Language,
    #[serde(default)]
    pub needs_assisted_support: bool,
    #[serde(default)]
    pub next_of_kin: Vec<NextOfKinInput>,
}

fn default_language() -> Language {
    Language::Danish
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextOfKinInput {
    pub name: String,
    pub relation: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A Danish phone number: 8 digits, optionally with +45, spaces allowed. Stored as +45XXXXXXXX;
/// other international numbers are kept as typed, digits only with a leading +.
pub fn normalise_phone(input: &str) -> Result<String, DomainError> {
    let digits = crate::text::phone_digits(input);
    let international = input.trim_start().starts_with('+') || input.trim_start().starts_with("00");
    if digits.len() == 8 {
        Ok(format!("+45{digits}"))
    } else if international && (7..=15).contains(&digits.len()) {
        Ok(format!("+{}", digits.trim_start_matches("00")))
    } else {
        Err(DomainError::invalid(format!(
            "'{input}' is not a phone number"
        )))
    }
}

impl CitizenInput {
    /// Validates the input into a citizen with the given id and times.
    pub fn into_citizen(
        self,
        id: CitizenId,
        now: Timestamp,
        created_at: Timestamp,
    ) -> Result<Citizen, DomainError> {
        let cpr = Cpr::parse(&self.cpr)?;
        let given = self.given_name.trim().to_string();
        let family = self.family_name.trim().to_string();
        if given.is_empty() || family.is_empty() {
            return Err(DomainError::invalid(
                "a citizen needs a given name and a family name",
            ));
        }
        if given.len() > 200 || family.len() > 200 {
            return Err(DomainError::invalid("names are at most 200 characters"));
        }
        let phones = self
            .phones
            .iter()
            .map(|p| normalise_phone(p))
            .collect::<Result<Vec<_>, _>>()?;
        let email = match self.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(validate_email(e)?),
        };
        let pc = self.address.postal_code.trim();
        if !pc.is_empty() && (pc.len() != 4 || !pc.bytes().all(|b| b.is_ascii_digit())) {
            return Err(DomainError::invalid("a Danish postal code has 4 digits"));
        }
        let next_of_kin = self
            .next_of_kin
            .into_iter()
            .map(|k| {
                if k.name.trim().is_empty() {
                    return Err(DomainError::invalid("a next of kin needs a name"));
                }
                Ok(NextOfKin {
                    id: NextOfKinId::new(),
                    name: k.name.trim().to_string(),
                    relation: k.relation.trim().to_string(),
                    phone: k
                        .phone
                        .as_deref()
                        .filter(|p| !p.trim().is_empty())
                        .map(normalise_phone)
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Citizen {
            id,
            cpr,
            given_name: given,
            family_name: family,
            address: Address {
                line: self.address.line.trim().to_string(),
                postal_code: pc.to_string(),
                city: self.address.city.trim().to_string(),
            },
            municipality_id: self.municipality_id,
            phones,
            email,
            language: self.language,
            needs_assisted_support: self.needs_assisted_support,
            next_of_kin,
            created_at,
            updated_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_plus45() {
        assert_eq!(normalise_phone("20 12 34 56").unwrap(), "+4520123456");
        assert_eq!(normalise_phone("+45 2012 3456").unwrap(), "+4520123456");
        assert_eq!(normalise_phone("+46 70 123 45 67").unwrap(), "+46701234567");
        assert!(normalise_phone("123").is_err());
    }

    #[test]
    fn organisations_validate_cvr_and_sor() {
        assert!(validate_organisation("Horsens Kommune", Some("123456"), Some("29189641")).is_ok());
        assert!(validate_organisation("", None, None).is_err());
        assert!(validate_organisation("X", None, Some("1234")).is_err());
        assert!(validate_organisation("X", Some("12a"), None).is_err());
    }

    #[test]
    fn sector_follows_kind() {
        assert_eq!(OrgKind::HospitalDepartment.sector(), Sector::Regional);
        assert_eq!(OrgKind::Municipality.sector(), Sector::Municipal);
        assert_eq!(Role::parse("clinician").unwrap(), Role::Clinician);
        assert!(Role::parse("nurse").is_err());
    }
}
