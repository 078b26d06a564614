//! A citizen's record shaped for display (shared by the staff overview and the citizen's
//! own portal): every value already formatted and translated.

use crate::page::Page;
use telesund_core::Timestamp;
use telesund_core::care::{ConsentStatus, Programme};
use telesund_db::citizens::CitizenOverview;

pub struct KinView {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

pub struct EnrolmentRow {
    pub programme: String,
    pub org: String,
    pub status: String,
    pub started: String,
    pub ended: String,
}

pub struct MemberRow {
    pub who: String,
    pub org: String,
    pub role: String,
    pub scope: String,
}

pub struct TeamView {
    pub name: String,
    pub managing_org: String,
    pub active: bool,
    pub members: Vec<MemberRow>,
}

pub struct ConsentRow {
    pub kind: String,
    pub programme: String,
    pub status: String,
    pub given: bool,
    pub by: String,
    pub at: String,
    pub note: String,
}

pub struct CitizenView {
    pub id: String,
    pub name: String,
    pub cpr: String,
    pub birth_date: String,
    pub age: String,
    pub language: String,
    pub assisted_support: bool,
    pub contact_visible: bool,
    pub address: Vec<String>,
    pub phones: Vec<String>,
    pub email: String,
    pub next_of_kin: Vec<KinView>,
    pub municipality: String,
    pub enrolments: Option<Vec<EnrolmentRow>>,
    pub care_teams: Option<Vec<TeamView>>,
    pub consents: Option<Vec<ConsentRow>>,
}

/// Whole years from `born` to today in Danish time.
fn age_on(born: time::Date, today: time::Date) -> i32 {
    let mut age = today.year() - born.year();
    if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
        age -= 1;
    }
    age
}

fn date(d: time::Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), d.month() as u8, d.year())
}

pub fn citizen_view(page: &Page, o: &CitizenOverview, programmes: &[Programme]) -> CitizenView {
    let c = &o.citizen;
    let today = Timestamp::now().in_copenhagen().date();
    let born = c.cpr.birth_date().ok();
    let programme_name = |id| {
        programmes
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let mut address = Vec::new();
    if !c.address.line.is_empty() {
        address.push(c.address.line.clone());
    }
    let town = format!("{} {}", c.address.postal_code, c.address.city)
        .trim()
        .to_string();
    if !town.is_empty() {
        address.push(town);
    }
    CitizenView {
        id: c.id.to_string(),
        name: c.full_name(),
        cpr: c.cpr.formatted(),
        birth_date: born.map(date).unwrap_or_default(),
        age: born
            .map(|b| page.t1("years", "n", age_on(b, today)))
            .unwrap_or_default(),
        language: page.label("language", c.language.as_str()),
        assisted_support: c.needs_assisted_support,
        contact_visible: o.contact_visible,
        address,
        phones: c.phones.clone(),
        email: c.email.clone().unwrap_or_default(),
        next_of_kin: c
            .next_of_kin
            .iter()
            .map(|k| KinView {
                name: k.name.clone(),
                relation: k.relation.clone(),
                phone: k.phone.clone().unwrap_or_default(),
            })
            .collect(),
        municipality: o.municipality_name.clone().unwrap_or_default(),
        enrolments: o.enrolments.as_ref().map(|es| {
            es.iter()
                .map(|e| EnrolmentRow {
                    programme: e.programme_name.clone(),
                    org: e.org_name.clone(),
                    status: page.label("enrolment", e.enrolment.status.as_str()),
                    started: e.enrolment.started_at.danish(),
                    ended: e.enrolment.ended_at.map(|t| t.danish()).unwrap_or_default(),
                })
                .collect()
        }),
        care_teams: o.care_teams.as_ref().map(|ts| {
            ts.iter()
                .map(|t| TeamView {
                    name: t.name.clone(),
                    managing_org: t.managing_org_name.clone(),
                    active: t.active,
                    members: t
                        .members
                        .iter()
                        .map(|m| MemberRow {
                            who: m
                                .user_name
                                .clone()
                                .unwrap_or_else(|| page.t("team-everyone-with-role")),
                            org: m.org_name.clone(),
                            role: page.label("role", m.member.role.as_str()),
                            scope: page.label("scope", m.member.scope.as_str()),
                        })
                        .collect(),
                })
                .collect()
        }),
        consents: o.consents.as_ref().map(|cs| {
            let mut rows: Vec<_> = cs.iter().collect();
            rows.sort_by_key(|c| std::cmp::Reverse((c.recorded_at, c.id)));
            rows.into_iter()
                .map(|c| ConsentRow {
                    kind: page.label("consent", c.consent_type.as_str()),
                    programme: c
                        .programme_id
                        .map(programme_name)
                        .unwrap_or_else(|| page.t("consent-all-programmes")),
                    status: page.label("consentstatus", c.status.as_str()),
                    given: c.status == ConsentStatus::Given,
                    by: if c.recorded_by.is_none() {
                        page.t("consent-by-citizen")
                    } else {
                        c.recorded_by_name.clone()
                    },
                    at: c.recorded_at.danish(),
                    note: c.note.clone(),
                })
                .collect()
        }),
    }
}

/// Parses a number as people type it: "84,5" and "84.5"; spaces and, for whole numbers,
/// Danish thousands points ("12.000 skridt") are allowed. Nothing else: no exponents, no
/// "inf", no letters.
pub(crate) fn parse_number(s: &str, whole: bool) -> Option<f64> {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    let commas = digits.matches(',').count();
    let points = digits.matches('.').count();
    let thousands = |t: &str, sep: char| {
        let mut groups = t.split(sep);
        let first = groups.next().unwrap_or_default();
        (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
    };
    let plain = match (commas, points) {
        (0, 0) => digits.to_string(),
        (1, 0) => digits.replace(',', "."),
        (0, 1) if !(whole && thousands(digits, '.')) => digits.to_string(),
        (0, _) if thousands(digits, '.') => digits.replace('.', ""),
        // "1.234,5": points group thousands, the comma is the decimal mark.
        (1, _) => {
            let (int, frac) = digits.split_once(',')?;
            if !thousands(int, '.') {
                return None;
            }
            format!("{}.{frac}", int.replace('.', ""))
        }
        _ => return None,
    };
    if plain.starts_with('.') || plain.ends_with('.') {
        return None;
    }
    let v: f64 = plain.parse().ok()?;
    let v = if negative { -v } else { v };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(
            super::age_on(date!(1945 - 03 - 12), date!(2026 - 03 - 11)),
            80
        );
        assert_eq!(
            super::age_on(date!(1945 - 03 - 12), date!(2026 - 03 - 12)),
            81
        );
    }
}
