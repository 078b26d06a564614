//! The service desk's reports for a period: cases per channel, category, model and paying
//! organisation; first-response and resolution SLA attainment; first-contact resolution;
//! median time to resolve; the models with most faults; proactive cases and how fast data
//! flowed again. Pure: storage hands over one [`CaseFacts`] per case opened in the period
//! (merged duplicates left out) and the centres' calendars; [`ServiceReport::build`] does the
//! counting and [`ServiceReport::to_csv`] writes it for a spreadsheet.
//!
//! SLA attainment is read from the clocks the lifecycle kept (`CaseState::clocks`), on the
//! calendar the case's priority runs on, so paused time, reopening and priority changes count
//! exactly as the queue counted them while the case was live.

use super::case::{CaseState, CaseStatus, Category, Channel};
use super::sla::{BusinessCalendar, Clock, ClockState};
use crate::error::DomainError;
use crate::ids::OrgId;
use crate::time::{Timestamp, copenhagen_midnight};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration};

const MICROS_PER_MINUTE: i64 = 60_000_000;
/// A report covers at most a (leap) year: it reads every case of the period into memory.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// How many models the fault table shows.
pub const TOP_FAULT_MODELS: usize = 5;

/// The days a report covers, both included, as dates in Copenhagen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// A period from `from` to `to`, both included; refused when backwards or longer than
    /// [`MAX_PERIOD_DAYS`].
    pub fn new(from: Date, to: Date) -> Result<Period, DomainError> {
        if to < from {
            return Err(DomainError::invalid(
                "a report period ends on or after the day it starts",
            ));
        }
        if (to - from).whole_days() + 1 > MAX_PERIOD_DAYS {
            return Err(DomainError::invalid(format!(
                "a report period is at most {MAX_PERIOD_DAYS} days"
            )));
        }
        Ok(Period { from, to })
    }

    /// The calendar month `day` falls in: the pages' default.
    pub fn month_of(day: Date) -> Period {
        let from = day.replace_day(1).expect("every month has a first day");
        let to = from
            .replace_day(day.month().length(day.year()))
            .expect("a month's own length is a valid day");
        Period { from, to }
    }

    /// The instants the period spans: from its first local midnight up to (not including)
    /// the midnight after its last day, so a daylight-saving change inside is counted right.
    pub fn bounds(&self) -> (Timestamp, Timestamp) {
        (
            copenhagen_midnight(self.from),
            copenhagen_midnight(self.to + Duration::days(1)),
        )
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        let (start, end) = self.bounds();
        start <= t && t < end
    }
}

/// What the report needs of one case (never who it is about).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    /// The service centre whose calendar the case's clocks run on.
    pub centre: OrgId,
    pub channel: Channel,
    pub category: Category,
    /// The involved unit's model ("A&D Medical UA-651BLE"); None when no unit is involved.
    pub model: Option<String>,
    /// The paying organisation's name; None when the case has none.
    pub payer: Option<String>,
    /// The lifecycle state with its clocks; its status and priority are the case's.
    pub state: CaseState,
    /// Resolved in the first contact.
    pub first_contact: bool,
    pub opened_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    /// A proactive case: when the unit's data flowed again.
    pub data_flowing_at: Option<Timestamp>,
}

impl CaseFacts {
    /// Resolved, or resolved and then closed (merged duplicates never reach a report).
    fn is_resolved(&self) -> bool {
        matches!(self.state.status, CaseStatus::Resolved | CaseStatus::Closed)
    }
}

/// How many cases had one value of a closed set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Count<T> {
    pub value: T,
    pub cases: u64,
}

/// How many cases named one model or payer; `name` None: the cases without one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCount {
    pub name: Option<String>,
    pub cases: u64,
}

/// Where one SLA clock ended up over the period's cases.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attainment {
    /// Stopped within the target.
    pub met: u64,
    /// Past the target, stopped late or still running.
    pub breached: u64,
    /// Still running (or paused) within the target: not decided yet.
    pub running: u64,
    /// Share of the decided (met + breached) that was met, one decimal; None when none is
    /// decided.
    pub percent_met: Option<f64>,
}

/// First-contact resolution: of the resolved cases, how many were solved in the first call.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FirstContact {
    pub resolved: u64,
    pub first_contact: u64,
    pub percent: Option<f64>,
}

/// The median time from opening to resolution of the resolved cases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeToResolve {
    pub resolved: u64,
    /// Working minutes the resolution clock counted (pauses left out).
    pub median_working_minutes: Option<i64>,
    /// Minutes on the wall clock from opening to (the last) resolution.
    pub median_calendar_minutes: Option<i64>,
}

/// One model's equipment faults against all its cases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFaults {
    pub model: String,
    pub faults: u64,
    pub cases: u64,
    /// faults / cases, one decimal.
    pub percent_of_cases: f64,
}

/// Cases the platform opened itself from missing data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proactive {
    pub cases: u64,
    /// How many saw the unit's data flow again.
    pub data_flowing: u64,
    /// Median minutes from opening to the data flowing again, of those.
    pub median_minutes_to_data: Option<i64>,
}

/// The service desk's figures for a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub period: Period,
    /// Running clocks are judged at this instant.
    pub generated_at: Timestamp,
    pub total: u64,
    /// Every channel and category, in their fixed order, zero included.
    pub by_channel: Vec<Count<Channel>>,
    pub by_category: Vec<Count<Category>>,
    /// Most cases first, then by name; the cases without one last.
    pub by_model: Vec<NamedCount>,
    pub by_payer: Vec<NamedCount>,
    pub first_response: Attainment,
    pub resolution: Attainment,
    pub first_contact: FirstContact,
    pub time_to_resolve: TimeToResolve,
    /// At most [`TOP_FAULT_MODELS`], most faults first.
    pub top_faults: Vec<ModelFaults>,
    pub proactive: Proactive,
}

impl ServiceReport {
    /// The report over `cases` (those opened outside `period` are left out), each case's
    /// clocks judged at `now` on its centre's calendar (`calendar_of`) — or around the clock
    /// for the acute lane, as the queue does.
    pub fn build<'c>(
        period: Period,
        cases: &[CaseFacts],
        calendar_of: impl Fn(OrgId) -> &'c BusinessCalendar,
        now: Timestamp,
    ) -> ServiceReport {
        let cases: Vec<&CaseFacts> = cases
            .iter()
            .filter(|c| period.contains(c.opened_at))
            .collect();
        let all_day = BusinessCalendar::around_the_clock();

        let by_channel = Channel::ALL
            .iter()
            .map(|ch| Count {
                value: *ch,
                cases: cases.iter().filter(|c| c.channel == *ch).count() as u64,
            })
            .collect();
        let by_category = Category::ALL
            .iter()
            .map(|cat| Count {
                value: *cat,
                cases: cases.iter().filter(|c| c.category == *cat).count() as u64,
            })
            .collect();
        let by_model = named_counts(cases.iter().map(|c| c.model.as_deref()));
        let by_payer = named_counts(cases.iter().map(|c| c.payer.as_deref()));

        let mut first_response = Tally::default();
        let mut resolution = Tally::default();
        let mut working = Vec::new();
        let mut calendar = Vec::new();
        let mut first_contact = 0u64;
        for c in &cases {
            let cal = c.state.priority.calendar(calendar_of(c.centre), &all_day);
            first_response.add(&c.state.clocks.first_response, cal, now);
            resolution.add(&c.state.clocks.resolution, cal, now);
            if c.is_resolved() {
                working.push(c.state.clocks.resolution.elapsed_minutes(cal, now));
                // The column is the last resolution; the clock's stop is the same instant
                // and stands in should an older row lack the column.
                let resolved = c
                    .resolved_at
                    .or(c.state.clocks.resolution.stopped_at)
                    .unwrap_or(now);
                calendar.push(minutes_between(c.opened_at, resolved));
                first_contact += u64::from(c.first_contact);
            }
        }
        let resolved = working.len() as u64;

        let automatic: Vec<&&CaseFacts> = cases
            .iter()
            .filter(|c| c.channel == Channel::Automatic)
            .collect();
        let to_data: Vec<i64> = automatic
            .iter()
            .filter_map(|c| c.data_flowing_at.map(|d| minutes_between(c.opened_at, d)))
            .collect();

        ServiceReport {
            period,
            generated_at: now,
            total: cases.len() as u64,
            by_channel,
            by_category,
            by_model,
            by_payer,
            first_response: first_response.finish(),
            resolution: resolution.finish(),
            first_contact: FirstContact {
                resolved,
                first_contact,
                percent: percent(first_contact, resolved),
            },
            time_to_resolve: TimeToResolve {
                resolved,
                median_working_minutes: median(working),
                median_calendar_minutes: median(calendar),
            },
            top_faults: top_faults(&cases),
            proactive: Proactive {
                cases: automatic.len() as u64,
                data_flowing: to_data.len() as u64,
                median_minutes_to_data: median(to_data),
            },
        }
    }

    /// The report as CSV in the Danish way (semicolons, decimal commas), in long form — one
    /// figure a row under `afsnit;emne;nøgletal;værdi` — so a spreadsheet can pivot it and
    /// every section fits under one header. Closed sets are written as their codes, as in the
    /// equipment statements; a figure with nothing to measure yet is left empty.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("afsnit;emne;nøgletal;værdi\n");
        let mut row = |section: &str, subject: &str, figure: &str, value: String| {
            out.push_str(&format!(
                "{section};{};{figure};{value}\n",
                csv_text(subject)
            ));
        };
        let iso = |d: Date| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day());
        row("periode", "", "fra", iso(self.period.from));
        row("periode", "", "til", iso(self.period.to));
        row("sager", "", "antal", self.total.to_string());
        for c in &self.by_channel {
            row("kanal", c.value.as_str(), "antal", c.cases.to_string());
        }
        for c in &self.by_category {
            row("kategori", c.value.as_str(), "antal", c.cases.to_string());
        }
        for c in &self.by_model {
            row(
                "model",
                c.name.as_deref().unwrap_or(""),
                "antal",
                c.cases.to_string(),
            );
        }
        for c in &self.by_payer {
            row(
                "betaler",
                c.name.as_deref().unwrap_or(""),
                "antal",
                c.cases.to_string(),
            );
        }
        for (section, a) in [
            ("første_svar", &self.first_response),
            ("løsning", &self.resolution),
        ] {
            row(section, "", "overholdt", a.met.to_string());
            row(section, "", "overskredet", a.breached.to_string());
            row(section, "", "løbende", a.running.to_string());
            row(section, "", "overholdt_pct", opt_decimal(a.percent_met));
        }
        let f = &self.first_contact;
        row("første_kontakt", "", "løste", f.resolved.to_string());
        row(
            "første_kontakt",
            "",
            "løst_ved_første_kontakt",
            f.first_contact.to_string(),
        );
        row("første_kontakt", "", "andel_pct", opt_decimal(f.percent));
        let t = &self.time_to_resolve;
        row("løsningstid", "", "løste", t.resolved.to_string());
        row(
            "løsningstid",
            "",
            "median_arbejdstimer",
            opt_decimal(t.median_working_minutes.map(hours)),
        );
        row(
            "løsningstid",
            "",
            "median_kalendertimer",
            opt_decimal(t.median_calendar_minutes.map(hours)),
        );
        for m in &self.top_faults {
            row("fejl_pr_model", &m.model, "fejl", m.faults.to_string());
            row("fejl_pr_model", &m.model, "sager", m.cases.to_string());
            row(
                "fejl_pr_model",
                &m.model,
                "andel_pct",
                decimal_comma(m.percent_of_cases),
            );
        }
        let p = &self.proactive;
        row("proaktive", "", "antal", p.cases.to_string());
        row("proaktive", "", "data_igen", p.data_flowing.to_string());
        row(
            "proaktive",
            "",
            "median_minutter_til_data",
            p.median_minutes_to_data
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        out
    }
}

/// Minutes as hours (for display), unrounded.
pub fn hours(minutes: i64) -> f64 {
    minutes as f64 / 60.0
}

/// A number with one decimal and a decimal comma: 87.5 → "87,5".
pub fn decimal_comma(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

fn opt_decimal(value: Option<f64>) -> String {
    value.map(decimal_comma).unwrap_or_default()
}

/// A text field: quoted when it holds the separator, a quote or a line break (as the
/// equipment statements do), and a leading formula character neutralised with an apostrophe,
/// since model and organisation names are typed by people and a spreadsheet would run
/// "=…" as a formula.
fn csv_text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[derive(Default)]
struct Tally {
    met: u64,
    breached: u64,
    running: u64,
}

impl Tally {
    fn add(&mut self, clock: &Clock, cal: &BusinessCalendar, now: Timestamp) {
        match clock.state(cal, now) {
            ClockState::Met => self.met += 1,
            ClockState::Breached => self.breached += 1,
            // Running, warning or paused within the target: not attained or missed yet.
            ClockState::Running | ClockState::Warning | ClockState::Paused => self.running += 1,
        }
    }

    fn finish(self) -> Attainment {
        Attainment {
            met: self.met,
            breached: self.breached,
            running: self.running,
            percent_met: percent(self.met, self.met + self.breached),
        }
    }
}

/// `part` of `whole` in per cent with one decimal (rounded half up); None of nothing.
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| ((part * 1000 + whole / 2) / whole) as f64 / 10.0)
}

/// The median; of an even number the mean of the middle two, rounded down to the minute.
fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_euclid(2)
    })
}

/// Whole minutes from `from` to `to`, never negative (a clock set back must not report
/// negative durations).
fn minutes_between(from: Timestamp, to: Timestamp) -> i64 {
    (to.0 - from.0).max(0) / MICROS_PER_MINUTE
}

/// Cases per name, most first, ties by name; the nameless last.
fn named_counts<'a>(names: impl Iterator<Item = Option<&'a str>>) -> Vec<NamedCount> {
    let mut counts: BTreeMap<Option<&str>, u64> = BTreeMap::new();
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
    let mut out: Vec<NamedCount> = counts
        .into_iter()
        .map(|(name, cases)| NamedCount {
            name: name.map(str::to_string),
            cases,
        })
        .collect();
    out.sort_by(|a, b| {
        a.name
            .is_none()
            .cmp(&b.name.is_none())
            .then(b.cases.cmp(&a.cases))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// Equipment faults per model against all that model's cases, most faults first. A fault
/// case without a unit names no model and so belongs to no row.
fn top_faults(cases: &[&CaseFacts]) -> Vec<ModelFaults> {
    let mut per_model: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for c in cases {
        if let Some(model) = c.model.as_deref() {
            let e = per_model.entry(model).or_default();
            e.1 += 1;
            if c.category == Category::EquipmentFault {
                e.0 += 1;
            }
        }
    }
    let mut out: Vec<ModelFaults> = per_model
        .into_iter()
        .filter(|(_, (faults, _))| *faults > 0)
        .map(|(model, (faults, cases))| ModelFaults {
            model: model.to_string(),
            faults,
            cases,
            percent_of_cases: percent(faults, cases).unwrap_or(0.0),
        })
        .collect();
    out.sort_by(|a, b| b.faults.cmp(&a.faults).then(a.model.cmp(&b.model)));
    out.truncate(TOP_FAULT_MODELS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servicedesk::case::{CaseEvent, Priority};
    use crate::time::copenhagen_instant;
    use proptest::prelude::*;
    use time::macros::date;

    fn at(d: Date, h: u32, m: u32) -> Timestamp {
        copenhagen_instant(d, h * 60 + m)
    }

    const NOV: Period = Period {
        from: date!(2026 - 11 - 01),
        to: date!(2026 - 11 - 30),
    };

    /// A case opened at `opened` and taken through `events` (each at its own time).
    fn case(
        channel: Channel,
        category: Category,
        model: Option<&str>,
        priority: Priority,
        opened: Timestamp,
        events: &[(CaseEvent, Timestamp)],
    ) -> CaseFacts {
        let mut state = CaseState::open(priority, opened);
        let mut resolved_at = None;
        for (e, t) in events {
            state = state.apply(e, *t).unwrap();
            if *e == CaseEvent::Resolve {
                resolved_at = Some(*t);
            }
        }
        CaseFacts {
            centre: OrgId(uuid::Uuid::nil()),
            channel,
            category,
            model: model.map(str::to_string),
            payer: Some("Horsens Kommune".into()),
            state,
            first_contact: false,
            opened_at: opened,
            resolved_at,
            data_flowing_at: None,
        }
    }

    fn build(cases: &[CaseFacts], now: Timestamp) -> ServiceReport {
        let cal = BusinessCalendar::office_hours();
        ServiceReport::build(NOV, cases, |_| &cal, now)
    }

    #[test]
    fn periods_are_whole_copenhagen_days_and_refuse_nonsense() {
        assert_eq!(
            Period::month_of(date!(2026 - 02 - 14)).to,
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            Period::month_of(date!(2028 - 02 - 01)).to,
            date!(2028 - 02 - 29)
        );
        assert!(Period::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)).is_err());
        assert!(Period::new(date!(2026 - 01 - 01), date!(2026 - 12 - 31)).is_ok());
        assert!(Period::new(date!(2026 - 01 - 01), date!(2027 - 01 - 02)).is_err());
        // October 2026 ends with the change to winter time: its last instant is 23:00 UTC.
        let oct = Period::month_of(date!(2026 - 10 - 05));
        assert!(oct.contains(at(date!(2026 - 10 - 31), 23, 59)));
        assert!(!oct.contains(at(date!(2026 - 11 - 01), 0, 0)));
        assert!(oct.contains(at(date!(2026 - 10 - 01), 0, 0)));
        assert!(!oct.contains(at(date!(2026 - 09 - 30), 23, 59)));
    }

    #[test]
    fn attainment_reads_the_clocks_on_the_business_calendar() {
        use CaseEvent::*;
        let mon = date!(2026 - 11 - 02);
        let fri = date!(2026 - 11 - 06);
        let now = at(date!(2026 - 11 - 10), 12, 0);
        let cases = vec![
            // Answered after 1 h of a normal case's 2 h, resolved the same day: both met.
            case(
                Channel::Phone,
                Category::MeasurementHelp,
                None,
                Priority::Normal,
                at(mon, 9, 0),
                &[(Respond, at(mon, 10, 0)), (Resolve, at(mon, 14, 0))],
            ),
            // Opened Friday 15:30, answered Monday 09:00: 1½ working hours, met — on the
            // wall clock it took 65½ hours.
            case(
                Channel::Web,
                Category::LoginAccess,
                None,
                Priority::Normal,
                at(fri, 15, 30),
                &[(Respond, at(date!(2026 - 11 - 09), 9, 0))],
            ),
            // A high case (30 min) answered after 45 min: breached, then resolved within its
            // 8 h thanks to a day waiting for the citizen.
            case(
                Channel::Phone,
                Category::EquipmentFault,
                Some("A&D UA-651BLE"),
                Priority::High,
                at(mon, 8, 0),
                &[
                    (Respond, at(mon, 8, 45)),
                    (Wait(CaseStatus::PendingCitizen), at(mon, 9, 0)),
                    (Resume, at(date!(2026 - 11 - 03), 15, 0)),
                    (Resolve, at(date!(2026 - 11 - 03), 16, 0)),
                ],
            ),
            // Never answered and long past 2 h: breached on both counts (resolution 24 h
            // is past too by now: Tuesday 08:00 to Tuesday 12:00 a week later).
            case(
                Channel::Staff,
                Category::StaffQuestion,
                None,
                Priority::Normal,
                at(date!(2026 - 11 - 03), 8, 0),
                &[],
            ),
            // Opened this morning: both clocks still running.
            case(
                Channel::Automatic,
                Category::EquipmentFault,
                Some("A&D UA-651BLE"),
                Priority::Normal,
                at(date!(2026 - 11 - 10), 11, 0),
                &[],
            ),
        ];
        let r = build(&cases, now);
        assert_eq!(r.total, 5);
        // Met: the first two; breached: the high case and the unanswered one; the fifth
        // has used 1 h of its 2 h.
        let fr = &r.first_response;
        assert_eq!((fr.met, fr.breached, fr.running), (2, 2, 1), "{fr:?}");
        assert_eq!(fr.percent_met, Some(50.0));
        // Met: the first and the high case (the wait did not count); breached: the
        // unanswered one; running: the weekend case (750 of 1,440 minutes) and the fifth.
        let res = &r.resolution;
        assert_eq!((res.met, res.breached, res.running), (2, 1, 2), "{res:?}");
        assert_eq!(r.resolution.percent_met, Some(66.7));
    }

    #[test]
    fn the_acute_lane_counts_every_minute() {
        use CaseEvent::*;
        // Saturday night: acute answers in 15 minutes around the clock, so 20 minutes is
        // breached although the office is closed.
        let sat = date!(2026 - 11 - 07);
        let late = case(
            Channel::Automatic,
            Category::EquipmentFault,
            None,
            Priority::Acute,
            at(sat, 22, 0),
            &[(Respond, at(sat, 22, 20))],
        );
        let r = build(&[late], at(date!(2026 - 11 - 10), 12, 0));
        assert_eq!(r.first_response.breached, 1);
    }

    #[test]
    fn medians_first_contact_and_time_to_resolve() {
        use CaseEvent::*;
        let mon = date!(2026 - 11 - 02);
        let now = at(date!(2026 - 11 - 20), 12, 0);
        let mut quick = case(
            Channel::Phone,
            Category::MeasurementHelp,
            None,
            Priority::Normal,
            at(mon, 9, 0),
            &[(Respond, at(mon, 9, 0)), (Resolve, at(mon, 9, 30))],
        );
        quick.first_contact = true;
        // Monday 15:00 to Tuesday 09:00: 2 working hours, 18 on the wall clock.
        let overnight = case(
            Channel::Phone,
            Category::MeasurementHelp,
            None,
            Priority::Normal,
            at(mon, 15, 0),
            &[(Resolve, at(date!(2026 - 11 - 03), 9, 0))],
        );
        // Resolved then closed: still resolved. 4 working hours.
        let closed = case(
            Channel::Web,
            Category::Other,
            None,
            Priority::Normal,
            at(mon, 8, 0),
            &[(Resolve, at(mon, 12, 0)), (Close, at(mon, 13, 0))],
        );
        // Open: not in the resolved figures.
        let open = case(
            Channel::Web,
            Category::Other,
            None,
            Priority::Normal,
            at(mon, 8, 0),
            &[(Respond, at(mon, 8, 10))],
        );
        let r = build(&[quick, overnight, closed, open], now);
        assert_eq!(r.first_contact.resolved, 3);
        assert_eq!(r.first_contact.first_contact, 1);
        assert_eq!(r.first_contact.percent, Some(33.3));
        assert_eq!(r.time_to_resolve.resolved, 3);
        assert_eq!(r.time_to_resolve.median_working_minutes, Some(120));
        assert_eq!(r.time_to_resolve.median_calendar_minutes, Some(240));
    }

    #[test]
    fn medians_of_an_even_count_take_the_middle_pair() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![40, 10, 30, 20]), Some(25));
        assert_eq!(median(vec![1, 2]), Some(1));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn top_faults_rank_models_and_share_their_cases() {
        let t = at(date!(2026 - 11 - 02), 9, 0);
        let mut cases = Vec::new();
        let mut add = |model: &str, category: Category, n: usize| {
            for _ in 0..n {
                cases.push(case(
                    Channel::Phone,
                    category,
                    Some(model),
                    Priority::Low,
                    t,
                    &[],
                ));
            }
        };
        add("BP", Category::EquipmentFault, 3);
        add("BP", Category::MeasurementHelp, 1);
        add("Scale", Category::EquipmentFault, 1);
        add("Tablet", Category::LoginAccess, 5);
        for m in ["M1", "M2", "M3", "M4"] {
            add(m, Category::EquipmentFault, 1);
        }
        cases.push(case(
            Channel::Phone,
            Category::EquipmentFault,
            None,
            Priority::Low,
            t,
            &[],
        ));
        let r = build(&cases, t);
        let names: Vec<&str> = r.top_faults.iter().map(|m| m.model.as_str()).collect();
        // BP first; then the ones with one fault by name, cut at five; Tablet had none.
        assert_eq!(names, ["BP", "M1", "M2", "M3", "M4"]);
        assert_eq!(r.top_faults[0].faults, 3);
        assert_eq!(r.top_faults[0].cases, 4);
        assert_eq!(r.top_faults[0].percent_of_cases, 75.0);
        assert_eq!(r.by_model[0].name.as_deref(), Some("Tablet"));
        assert_eq!(r.by_model[0].cases, 5);
        assert_eq!(r.by_model[1].name.as_deref(), Some("BP"));
        assert_eq!(r.by_model.last().unwrap().name, None);
        assert_eq!(r.by_model.last().unwrap().cases, 1);
    }

    #[test]
    fn proactive_cases_and_how_fast_data_flowed_again() {
        let t = at(date!(2026 - 11 - 04), 10, 0);
        let mut a = case(
            Channel::Automatic,
            Category::EquipmentFault,
            None,
            Priority::High,
            t,
            &[],
        );
        a.data_flowing_at = Some(t.plus(time::Duration::minutes(90)));
        let mut b = a.clone();
        b.data_flowing_at = Some(t.plus(time::Duration::minutes(30)));
        let mut c = a.clone();
        c.data_flowing_at = None;
        let phone = case(Channel::Phone, Category::Other, None, Priority::Low, t, &[]);
        let r = build(&[a, b, c, phone], t);
        assert_eq!(r.proactive.cases, 3);
        assert_eq!(r.proactive.data_flowing, 2);
        assert_eq!(r.proactive.median_minutes_to_data, Some(60));
    }

    #[test]
    fn cases_opened_outside_the_period_are_left_out() {
        let inside = case(
            Channel::Phone,
            Category::Other,
            None,
            Priority::Low,
            at(date!(2026 - 11 - 30), 23, 59),
            &[],
        );
        let before = case(
            Channel::Web,
            Category::Other,
            None,
            Priority::Low,
            at(date!(2026 - 10 - 31), 23, 59),
            &[],
        );
        let r = build(&[inside, before], at(date!(2026 - 12 - 01), 9, 0));
        assert_eq!(r.total, 1);
        assert_eq!(
            r.by_channel[0],
            Count {
                value: Channel::Phone,
                cases: 1
            }
        );
        assert_eq!(r.by_channel[1].cases, 0);
    }

    #[test]
    fn the_csv_is_danish_long_form_and_safe_to_open() {
        use CaseEvent::*;
        let mon = date!(2026 - 11 - 02);
        let mut fault = case(
            Channel::Phone,
            Category::EquipmentFault,
            Some("=HYPERLINK(\"x\";\"y\")"),
            Priority::Normal,
            at(mon, 9, 0),
            &[(Respond, at(mon, 9, 5)), (Resolve, at(mon, 10, 30))],
        );
        fault.payer = Some("Region Midtjylland; Hospitalsenheden".into());
        let r = build(&[fault], at(date!(2026 - 11 - 20), 9, 0));
        let csv = r.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "afsnit;emne;nøgletal;værdi");
        assert_eq!(lines[1], "periode;;fra;2026-11-01");
        assert!(lines.contains(&"kanal;phone;antal;1"), "{csv}");
        assert!(lines.contains(&"kanal;automatic;antal;0"), "{csv}");
        assert!(lines.contains(&"første_svar;;overholdt_pct;100,0"), "{csv}");
        assert!(
            lines.contains(&"løsningstid;;median_arbejdstimer;1,5"),
            "{csv}"
        );
        assert!(
            lines.contains(&"proaktive;;median_minutter_til_data;"),
            "{csv}"
        );
        assert!(
            lines.contains(&"betaler;\"Region Midtjylland; Hospitalsenheden\";antal;1"),
            "{csv}"
        );
        // A name that looks like a formula is quoted and disarmed.
        assert!(
            lines.contains(&"model;\"'=HYPERLINK(\"\"x\"\";\"\"y\"\")\";antal;1"),
            "{csv}"
        );
        // Every row has four fields once quoting is taken into account.
        for l in &lines {
            let mut fields = 1;
            let mut quoted = false;
            for ch in l.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ';' if !quoted => fields += 1,
                    _ => {}
                }
            }
            assert_eq!(fields, 4, "{l}");
        }
    }

    fn any_case() -> impl Strategy<Value = CaseFacts> {
        (
            0usize..Channel::ALL.len(),
            0usize..Category::ALL.len(),
            0usize..4,
            0i64..(30 * 24 * 60),
            prop::option::of(0i64..(5 * 24 * 60)),
            any::<bool>(),
        )
            .prop_map(|(ch, cat, prio, opened, resolve_after, fcr)| {
                let opened = copenhagen_midnight(date!(2026 - 11 - 01))
                    .plus(time::Duration::minutes(opened));
                let priority = [
                    Priority::Acute,
                    Priority::High,
                    Priority::Normal,
                    Priority::Low,
                ][prio];
                let events: Vec<(CaseEvent, Timestamp)> = resolve_after
                    .map(|m| vec![(CaseEvent::Resolve, opened.plus(time::Duration::minutes(m)))])
                    .unwrap_or_default();
                let mut c = case(
                    Channel::ALL[ch],
                    Category::ALL[cat],
                    Some(["BP", "Scale"][cat % 2]),
                    priority,
                    opened,
                    &events,
                );
                c.first_contact = fcr && resolve_after.is_some();
                c
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_breakdown_adds_up_to_the_total(cases in prop::collection::vec(any_case(), 0..40)) {
            let r = build(&cases, at(date!(2026 - 12 - 10), 12, 0));
            let sum = |v: &[u64]| v.iter().sum::<u64>();
            prop_assert_eq!(r.total, cases.len() as u64);
            prop_assert_eq!(sum(&r.by_channel.iter().map(|c| c.cases).collect::<Vec<_>>()), r.total);
            prop_assert_eq!(sum(&r.by_category.iter().map(|c| c.cases).collect::<Vec<_>>()), r.total);
            prop_assert_eq!(sum(&r.by_model.iter().map(|c| c.cases).collect::<Vec<_>>()), r.total);
            prop_assert_eq!(sum(&r.by_payer.iter().map(|c| c.cases).collect::<Vec<_>>()), r.total);
            for a in [&r.first_response, &r.resolution] {
                prop_assert_eq!(a.met + a.breached + a.running, r.total);
            }
            prop_assert!(r.first_contact.first_contact <= r.first_contact.resolved);
            prop_assert_eq!(
                r.proactive.cases,
                r.by_channel.iter().find(|c| c.value == Channel::Automatic).unwrap().cases
            );
            if let (Some(w), Some(c)) = (
                r.time_to_resolve.median_working_minutes,
                r.time_to_resolve.median_calendar_minutes,
            ) {
                // Working time never exceeds the wall clock's.
                prop_assert!(w <= c, "working {} > calendar {}", w, c);
            }
        }
    }
}
