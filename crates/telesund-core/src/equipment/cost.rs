//! Cost per paying partner. Each day a unit serves plans, its day rate is split between
//! them by their cost shares; visits and reprocessing are priced from the catalogue. Amounts
//! are integer øre and every split hands out its remainder, so a month's statements add up
//! exactly to what the units, visits and reprocessing cost.

use super::Ore;
use crate::ids::{AssignmentId, OrgId, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration};

/// One assignment of a unit, as the statement sees it. `to` is the first day no longer
/// charged (the day the assignment ended), so a day is charged from installation up to,
/// not including, the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargedAssignment {
    pub assignment_id: AssignmentId,
    pub payer: OrgId,
    /// Basis points of the day rate this plan carries while others share the unit.
    pub share: u32,
    pub from: Date,
    pub to: Option<Date>,
    /// What the line says: the programme and citizen's initials, never a CPR number.
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargedUnit {
    pub unit_id: UnitId,
    pub serial: String,
    pub model: String,
    pub day_rate: Ore,
    pub assignments: Vec<ChargedAssignment>,
}

/// A priced piece of work: a visit or a reprocessing, charged to one organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargedWork {
    pub payer: OrgId,
    pub on: Date,
    pub kind: LineKind,
    pub description: String,
    pub price: Ore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Rent,
    Visit,
    Reprocessing,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Rent => "rent",
            LineKind::Visit => "visit",
            LineKind::Reprocessing => "reprocessing",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub kind: LineKind,
    pub description: String,
    /// Unit serial for rent, empty for work.
    pub serial: String,
    /// Days charged (rent) or 1 (work).
    pub quantity: i64,
    pub amount: Ore,
}

/// One organisation's statement for one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub payer: OrgId,
    pub lines: Vec<StatementLine>,
    pub total: Ore,
}

/// Splits `amount` by `weights` with the largest-remainder method: the parts add up to
/// exactly `amount`, and ties go to the earlier weight.
pub fn split(amount: Ore, weights: &[u32]) -> Vec<Ore> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<Ore> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = i128::from(amount) * i128::from(*w);
        parts.push((exact / sum) as Ore);
        remainders.push((exact % sum, i));
    }
    let mut left = amount - parts.iter().sum::<Ore>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// The statements of every paying organisation for the days `first..=last`.
pub fn statements(
    first: Date,
    last: Date,
    units: &[ChargedUnit],
    work: &[ChargedWork],
) -> Vec<Statement> {
    let mut by_payer: BTreeMap<OrgId, Vec<StatementLine>> = BTreeMap::new();
    for unit in units {
        // Each assignment's days and amount, summed over the stretches of days on which the
        // same assignments share the unit.
        let mut days = vec![0i64; unit.assignments.len()];
        let mut amounts = vec![0 as Ore; unit.assignments.len()];
        let mut day = first;
        while day <= last {
            let active: Vec<usize> = (0..unit.assignments.len())
                .filter(|i| {
                    let a = &unit.assignments[*i];
                    a.from <= day && a.to.is_none_or(|t| day < t)
                })
                .collect();
            // Extend the stretch while the same assignments are active.
            let mut end = day;
            while end < last {
                let next = end + Duration::days(1);
                let same = (0..unit.assignments.len()).all(|i| {
                    let a = &unit.assignments[i];
                    let on = a.from <= next && a.to.is_none_or(|t| next < t);
                    on == active.contains(&i)
                });
                if !same {
                    break;
                }
                end = next;
            }
            let n = (end - day).whole_days() + 1;
            if !active.is_empty() {
                let weights: Vec<u32> = active
                    .iter()
                    .map(|i| unit.assignments[*i].share.max(1))
                    .collect();
                for (k, part) in split(n * unit.day_rate, &weights).into_iter().enumerate() {
                    days[active[k]] += n;
                    amounts[active[k]] += part;
                }
            }
            day = end + Duration::days(1);
        }
        for (i, a) in unit.assignments.iter().enumerate() {
            if days[i] > 0 {
                by_payer.entry(a.payer).or_default().push(StatementLine {
                    kind: LineKind::Rent,
                    description: format!("{} – {}", unit.model, a.label),
                    serial: unit.serial.clone(),
                    quantity: days[i],
                    amount: amounts[i],
                });
            }
        }
    }
    for w in work.iter().filter(|w| first <= w.on && w.on <= last) {
        by_payer.entry(w.payer).or_default().push(StatementLine {
            kind: w.kind,
            description: format!("{} {}", w.on, w.description),
            serial: String::new(),
            quantity: 1,
            amount: w.price,
        });
    }
    by_payer
        .into_iter()
        .map(|(payer, mut lines)| {
            lines.sort_by(|a, b| {
                a.kind
                    .cmp(&b.kind)
                    .then(a.serial.cmp(&b.serial))
                    .then(a.description.cmp(&b.description))
            });
            let total = lines.iter().map(|l| l.amount).sum();
            Statement {
                payer,
                lines,
                total,
            }
        })
        .collect()
}

/// A statement as CSV for the paying organisation's finance system: semicolon-separated
/// (Danish spreadsheets read commas as decimal marks), amounts in kroner with a decimal
/// comma, and the total as the last row.
pub fn to_csv(statement: &Statement, payer_name: &str, month: &str) -> String {
    let field = |s: &str| {
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let kr = |ore: Ore| {
        format!(
            "{}{},{:02}",
            if ore < 0 { "-" } else { "" },
            ore.abs() / 100,
            ore.abs() % 100
        )
    };
    let mut out = String::from("betaler;måned;art;beskrivelse;serienummer;antal;beløb_kr\n");
    for l in &statement.lines {
        out.push_str(&format!(
            "{};{};{};{};{};{};{}\n",
            field(payer_name),
            month,
            l.kind.as_str(),
            field(&l.description),
            field(&l.serial),
            l.quantity,
            kr(l.amount)
        ));
    }
    out.push_str(&format!(
        "{};{};total;;;;{}\n",
        field(payer_name),
        month,
        kr(statement.total)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    proptest! {
        #[test]
        fn a_split_always_adds_up_and_no_part_is_more_than_one_ore_from_its_exact_share(
            amount in 0i64..10_000_000, weights in proptest::collection::vec(1u32..10_000, 1..6)
        ) {
            let parts = split(amount, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), amount);
            let sum: f64 = weights.iter().map(|w| f64::from(*w)).sum();
            for (p, w) in parts.iter().zip(&weights) {
                let exact = amount as f64 * f64::from(*w) / sum;
                prop_assert!((*p as f64 - exact).abs() < 1.0 + 1e-6);
            }
        }

        #[test]
        fn the_statements_of_a_month_add_up_to_exactly_what_the_units_cost(
            rate in 1i64..5_000,
            spans in proptest::collection::vec((0i64..40, 1i64..40, 1u32..10_000, 0usize..3), 1..5),
        ) {
            let first = date!(2026 - 11 - 01);
            let last = date!(2026 - 11 - 30);
            let payers = [OrgId::new(), OrgId::new(), OrgId::new()];
            let start = date!(2026 - 10 - 20);
            let assignments: Vec<ChargedAssignment> = spans.iter().map(|(from, len, share, payer)| ChargedAssignment {
                assignment_id: AssignmentId::new(),
                payer: payers[*payer],
                share: *share,
                from: start + Duration::days(*from),
                to: Some(start + Duration::days(from + len)),
                label: "x".into(),
            }).collect();
            // The expected total: each day in the month on which any assignment is active.
            let mut expected = 0;
            let mut d = first;
            while d <= last {
                if assignments.iter().any(|a| a.from <= d && a.to.is_none_or(|t| d < t)) {
                    expected += rate;
                }
                d += Duration::days(1);
            }
            let unit = ChargedUnit { unit_id: UnitId::new(), serial: "S".into(), model: "M".into(), day_rate: rate, assignments };
            let work = vec![ChargedWork { payer: payers[0], on: date!(2026 - 11 - 03), kind: LineKind::Visit, description: "INSTALL".into(), price: 45_000 }];
            let all = statements(first, last, &[unit], &work);
            let total: i64 = all.iter().map(|s| s.total).sum();
            prop_assert_eq!(total, expected + 45_000);
            for s in &all {
                prop_assert_eq!(s.total, s.lines.iter().map(|l| l.amount).sum::<i64>());
            }
        }
    }

    #[test]
    fn two_plans_sharing_a_tablet_each_pay_half_of_the_days_they_share() {
        let hospital = OrgId::new();
        let municipality = OrgId::new();
        let unit = ChargedUnit {
            unit_id: UnitId::new(),
            serial: "TAB-1".into(),
            model: "Samsung Galaxy Tab A9".into(),
            day_rate: 1_001,
            assignments: vec![
                ChargedAssignment {
                    assignment_id: AssignmentId::new(),
                    payer: hospital,
                    share: 5_000,
                    from: date!(2026 - 10 - 01),
                    to: None,
                    label: "Hjertesvigt".into(),
                },
                ChargedAssignment {
                    assignment_id: AssignmentId::new(),
                    payer: municipality,
                    share: 5_000,
                    from: date!(2026 - 11 - 11),
                    to: None,
                    label: "Type 2-diabetes".into(),
                },
            ],
        };
        let s = statements(date!(2026 - 11 - 01), date!(2026 - 11 - 30), &[unit], &[]);
        let of = |org| s.iter().find(|x| x.payer == org).unwrap();
        // 10 days alone (10,010), then 20 days shared: 20 × 1,001 = 20,020 split 10,010 each.
        assert_eq!(of(hospital).total, 10_010 + 10_010);
        assert_eq!(of(municipality).total, 10_010);
        assert_eq!(of(municipality).lines[0].quantity, 20);
        let csv = to_csv(of(municipality), "Horsens Kommune", "2026-11");
        assert!(
            csv.ends_with("Horsens Kommune;2026-11;total;;;;100,10\n"),
            "{csv}"
        );
    }
}
