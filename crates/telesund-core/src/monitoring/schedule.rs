//! When home measurements and questionnaires are due, and which due windows passed without one.
//!
//! A [`Schedule`] is stored as JSON per programme activity and copied to each care plan. The
//! tag `every` names the kind; times are Europe/Copenhagen wall-clock times as `"HH:MM"`:
//!
//! ```json
//! {"every": "days", "weekdays": ["mon", "thu"], "windows": [{"start": "07:00", "end": "11:00"}]}
//! {"every": "days", "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
//!  "windows": [{"start": "07:00", "end": "09:00"}, {"start": "19:00", "end": "21:00"}]}
//! {"every": "week", "times": 2}
//! {"every": "month", "day": 1, "within_days": 7}
//! ```
//!
//! The scheduler asks [`Schedule::missing`] which windows ended without enough results (a blue
//! alarm) and the citizen's app asks [`Schedule::current`] and [`Schedule::next`].
//!
//! # Daylight saving
//!
//! Local times are turned into UTC instants with our own EU rule ([`crate::time`]), so a
//! 06:00–10:00 window is 05:00–09:00 UTC in winter and 04:00–08:00 UTC in summer. On the two
//! changeover days:
//!
//! * Spring (last Sunday of March): local 02:00–02:59 does not exist. Such a time moves to
//!   03:00, the instant the clocks jump (01:00 UTC). A window lying wholly inside the gap
//!   (e.g. 02:00–02:45) would then be empty, so it has no occurrence that day: nobody could
//!   have measured in it, and an empty window would always be "missing".
//! * Autumn (last Sunday of October): local 02:00–02:59 happens twice. Such a time means its
//!   first, summer-time instant. Because both rules keep the local-to-UTC mapping
//!   non-decreasing, windows of one day stay in order and never overlap.
//!
//! Midnight never falls in the gap or the overlap in Denmark, so weekly and monthly windows,
//! which start and end at local midnight, are never affected beyond being an hour shorter or
//! longer.
//!
//! Instants before 1900 or after 9998 are clamped to those years: nothing before or after is
//! generated, and the date arithmetic can never overflow.

use crate::error::DomainError;
use crate::identity::string_enum;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration, Month};

const MINUTES_PER_DAY: u16 = 24 * 60;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// 1900-01-01T00:00:00Z.
const EARLIEST: Timestamp = Timestamp(-2_208_988_800_000_000);
/// 9998-01-01T00:00:00Z; a year short of `time`'s limit so a window can always end a month on.
const LATEST: Timestamp = Timestamp(253_339_228_800_000_000);

string_enum!(
    /// A day of the week in a [`Schedule::Days`]. Declared Monday first, so sorting follows
    /// the Danish week.
    Weekday {
        Monday = "mon",
        Tuesday = "tue",
        Wednesday = "wed",
        Thursday = "thu",
        Friday = "fri",
        Saturday = "sat",
        Sunday = "sun",
    }
);

impl Weekday {
    pub fn from_time(d: time::Weekday) -> Self {
        Self::ALL[d.number_days_from_monday() as usize]
    }

    pub fn to_time(self) -> time::Weekday {
        match self {
            Weekday::Monday => time::Weekday::Monday,
            Weekday::Tuesday => time::Weekday::Tuesday,
            Weekday::Wednesday => time::Weekday::Wednesday,
            Weekday::Thursday => time::Weekday::Thursday,
            Weekday::Friday => time::Weekday::Friday,
            Weekday::Saturday => time::Weekday::Saturday,
            Weekday::Sunday => time::Weekday::Sunday,
        }
    }

    /// Lower case, as Danish writes weekdays inside a sentence.
    pub fn danish(self) -> &'static str {
        match self {
            Weekday::Monday => "mandag",
            Weekday::Tuesday => "tirsdag",
            Weekday::Wednesday => "onsdag",
            Weekday::Thursday => "torsdag",
            Weekday::Friday => "fredag",
            Weekday::Saturday => "lørdag",
            Weekday::Sunday => "søndag",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }
}

/// A Copenhagen wall-clock time of day in whole minutes, `"00:00"` to `"24:00"` (the end of
/// the day, allowed so a window can run until midnight). JSON: `"06:00"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(u16);

impl LocalTime {
    pub const MIDNIGHT: LocalTime = LocalTime(0);
    pub const END_OF_DAY: LocalTime = LocalTime(MINUTES_PER_DAY);

    pub fn new(hour: u8, minute: u8) -> Result<Self, DomainError> {
        let m = u16::from(hour) * 60 + u16::from(minute);
        if minute < 60 && m <= MINUTES_PER_DAY {
            Ok(Self(m))
        } else {
            Err(DomainError::invalid(format!(
                "{hour:02}:{minute:02} is not a time of day"
            )))
        }
    }

    /// Exactly `HH:MM`, so stored schedules have one spelling.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let b = s.as_bytes();
        let digit = |i: usize| b[i].is_ascii_digit().then(|| b[i] - b'0');
        let parsed = if b.len() == 5 && b[2] == b':' {
            match (digit(0), digit(1), digit(3), digit(4)) {
                (Some(h1), Some(h0), Some(m1), Some(m0)) => {
                    Self::new(h1 * 10 + h0, m1 * 10 + m0).ok()
                }
                _ => None,
            }
        } else {
            None
        };
        parsed.ok_or_else(|| {
            DomainError::invalid(format!("'{s}' is not a time of day as HH:MM (00:00–24:00)"))
        })
    }

    /// Minutes since local midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
        LocalTime::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A time window within one local day, `start` inclusive and `end` exclusive.
/// JSON: `{"start": "06:00", "end": "10:00"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalWindow {
    pub start: LocalTime,
    pub end: LocalTime,
}

impl LocalWindow {
    /// Parses `"06:00"`, `"10:00"` and checks that the window ends after it starts.
    pub fn parse(start: &str, end: &str) -> Result<Self, DomainError> {
        let w = Self {
            start: LocalTime::parse(start)?,
            end: LocalTime::parse(end)?,
        };
        w.check()?;
        Ok(w)
    }

    fn check(&self) -> Result<(), DomainError> {
        if self.start < self.end {
            Ok(())
        } else {
            Err(DomainError::invalid(format!(
                "the window {self} must end after it starts, on the same day"
            )))
        }
    }
}

impl fmt::Display for LocalWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

/// When a measurement or questionnaire is due. See the module documentation for the JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "every", deny_unknown_fields)]
pub enum Schedule {
    /// Once in each window on each listed weekday (all seven is daily). Weight every morning is
    /// one window on all days; SpO2 twice a day is two windows.
    #[serde(rename = "days")]
    Days {
        weekdays: Vec<Weekday>,
        windows: Vec<LocalWindow>,
    },
    /// `times` results in each calendar week, Monday 00:00 to Sunday 24:00 local, on any days.
    #[serde(rename = "week")]
    PerWeek { times: u8 },
    /// Once a month, within `within_days` days counted from `day` of the month (that day
    /// included). A `day` past the month's end (29–31) means the month's last day.
    #[serde(rename = "month")]
    Monthly { day: u8, within_days: u8 },
}

/// One window in which results are due. `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    pub start: Timestamp,
    pub end: Timestamp,
    /// Results needed in the window: 1, or `times` for [`Schedule::PerWeek`].
    pub required: u8,
}

impl Occurrence {
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }
}

impl Schedule {
    pub fn validate(&self) -> Result<(), DomainError> {
        match self {
            Schedule::Days { weekdays, windows } => {
                if weekdays.is_empty() {
                    return Err(DomainError::invalid(
                        "a schedule by days needs at least one weekday",
                    ));
                }
                let mut days = weekdays.clone();
                days.sort();
                if let Some(pair) = days.windows(2).find(|p| p[0] == p[1]) {
                    return Err(DomainError::invalid(format!(
                        "the weekday '{}' is listed twice",
                        pair[0]
                    )));
                }
                if windows.is_empty() {
                    return Err(DomainError::invalid(
                        "a schedule by days needs at least one time window",
                    ));
                }
                windows.iter().try_for_each(LocalWindow::check)?;
                let sorted = sorted_windows(windows);
                if let Some(pair) = sorted.windows(2).find(|p| p[0].end > p[1].start) {
                    return Err(DomainError::invalid(format!(
                        "the windows {} and {} overlap",
                        pair[0], pair[1]
                    )));
                }
                Ok(())
            }
            Schedule::PerWeek { times } => {
                if (1..=21).contains(times) {
                    Ok(())
                } else {
                    Err(DomainError::invalid(
                        "a weekly schedule needs 1 to 21 times a week",
                    ))
                }
            }
            Schedule::Monthly { day, within_days } => {
                if !(1..=31).contains(day) {
                    Err(DomainError::invalid(
                        "a monthly schedule needs a day of the month from 1 to 31",
                    ))
                } else if !(1..=28).contains(within_days) {
                    // Longer windows would run into next month's window in February.
                    Err(DomainError::invalid(
                        "a monthly schedule needs a window of 1 to 28 days",
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Every occurrence whose window overlaps `[from, to)`, sorted by start. On a schedule that
    /// passes [`Schedule::validate`] they never overlap; on one that does not, the result is
    /// still well-defined (empty windows and invalid days are skipped or clamped) but may
    /// overlap.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        let from = from.clamp(EARLIEST, LATEST);
        let to = to.clamp(EARLIEST, LATEST);
        let mut out = Vec::new();
        if from >= to {
            return out;
        }
        let mut push = |o: Occurrence| {
            if o.start < o.end && o.start < to && o.end > from {
                out.push(o);
            }
        };
        match self {
            Schedule::Days { weekdays, windows } => {
                let windows = sorted_windows(windows);
                let last = local_date(to);
                let mut day = local_date(from);
                while day <= last {
                    if weekdays.contains(&Weekday::from_time(day.weekday())) {
                        for w in &windows {
                            push(Occurrence {
                                start: local_instant(day, w.start.0),
                                end: local_instant(day, w.end.0),
                                required: 1,
                            });
                        }
                    }
                    day = next_day(day);
                }
            }
            Schedule::PerWeek { times } => {
                let first = local_date(from);
                let mut monday =
                    first - Duration::days(i64::from(first.weekday().number_days_from_monday()));
                loop {
                    let start = local_instant(monday, 0);
                    if start >= to {
                        break;
                    }
                    let next = monday + Duration::days(7);
                    push(Occurrence {
                        start,
                        end: local_instant(next, 0),
                        required: *times,
                    });
                    monday = next;
                }
            }
            Schedule::Monthly { day, within_days } => {
                let first = local_date(from);
                // Last month's window may still be open on the first days of this month.
                let (mut year, mut month) = previous_month(first.year(), first.month());
                loop {
                    let last = month.length(year);
                    let d = (*day).clamp(1, last);
                    let start_day =
                        Date::from_calendar_date(year, month, d).expect("day clamped to the month");
                    let start = local_instant(start_day, 0);
                    if start >= to {
                        break;
                    }
                    let end_day = start_day + Duration::days(i64::from(*within_days));
                    push(Occurrence {
                        start,
                        end: local_instant(end_day, 0),
                        required: 1,
                    });
                    (year, month) = next_month(year, month);
                }
            }
        }
        // Windows are generated in order already; sorting keeps the promise for invalid input.
        out.sort_by_key(|o| (o.start, o.end));
        out
    }

    /// Occurrences that ended in `(checked_until, now]`, started at or after `active_since`,
    /// and hold fewer than `required` of the `received` timestamps in `[start, end)`.
    ///
    /// A citizen enrolled at 09:00 is not missing that day's 06:00–10:00 window, nor a week or
    /// month already under way. The scheduler stores `now` as the next `checked_until`, so each
    /// window is reported once.
    pub fn missing(
        &self,
        active_since: Timestamp,
        checked_until: Timestamp,
        now: Timestamp,
        received: &[Timestamp],
    ) -> Vec<Occurrence> {
        let mut received = received.to_vec();
        received.sort_unstable();
        let count = |o: &Occurrence| {
            received.partition_point(|t| *t < o.end) - received.partition_point(|t| *t < o.start)
        };
        self.occurrences(active_since.max(checked_until), now)
            .into_iter()
            .filter(|o| o.start >= active_since && o.end > checked_until && o.end <= now)
            .filter(|o| count(o) < usize::from(o.required))
            .collect()
    }

    /// The occurrence `now` is inside, if any.
    pub fn current(&self, now: Timestamp) -> Option<Occurrence> {
        self.occurrences(now, Timestamp(now.0.saturating_add(1)))
            .into_iter()
            .find(|o| o.contains(now))
    }

    /// The first occurrence starting after `now`.
    pub fn next(&self, now: Timestamp) -> Option<Occurrence> {
        // Far enough ahead to always meet the next start: a weekday recurs within 7 days (a
        // window lost in the spring gap recurs a week later) and monthly starts are at most
        // 31 days apart.
        let days = match self {
            Schedule::Days { .. } | Schedule::PerWeek { .. } => 15,
            Schedule::Monthly { .. } => 63,
        };
        let from = Timestamp(now.0.saturating_add(1));
        let to = Timestamp(now.0.saturating_add(days * MICROS_PER_DAY));
        self.occurrences(from, to)
            .into_iter()
            .find(|o| o.start > now)
    }

    /// Average results expected per day, for alarm-burden statistics. DST gaps are ignored.
    pub fn per_day_expected(&self) -> f64 {
        match self {
            Schedule::Days { weekdays, windows } => {
                let mut days = weekdays.clone();
                days.sort();
                days.dedup();
                (days.len() * windows.len()) as f64 / 7.0
            }
            Schedule::PerWeek { times } => f64::from(*times) / 7.0,
            Schedule::Monthly { .. } => 12.0 / 365.25,
        }
    }

    /// "Hver dag kl. 06:00–10:00", "Mandag og torsdag kl. 07:00–11:00", "2 gange om ugen",
    /// "Hver måned, inden for 7 dage fra den 1."
    pub fn describe_danish(&self) -> String {
        match self {
            Schedule::Days { weekdays, windows } => {
                let days = match distinct_days(weekdays).as_slice() {
                    [] => "Ingen dage".to_string(),
                    d if d.len() == 7 => "Hver dag".to_string(),
                    d if d == WORKDAYS => "Hverdage".to_string(),
                    d => capitalise(&join_list(
                        &d.iter().map(|w| w.danish()).collect::<Vec<_>>(),
                        "og",
                    )),
                };
                match windows_list(windows, "og") {
                    Some(w) => format!("{days} kl. {w}"),
                    None => days,
                }
            }
            Schedule::PerWeek { times: 1 } => "1 gang om ugen".to_string(),
            Schedule::PerWeek { times } => format!("{times} gange om ugen"),
            Schedule::Monthly { day, within_days } => {
                let clamp_note = if *day > 28 {
                    " (eller månedens sidste dag)"
                } else {
                    ""
                };
                match within_days {
                    1 => format!("Hver måned den {day}.{clamp_note}"),
                    n => format!("Hver måned, inden for {n} dage fra den {day}.{clamp_note}"),
                }
            }
        }
    }

    /// "Every day at 06:00–10:00", "Monday and Thursday at 07:00–11:00", "Twice a week",
    /// "Every month, within 7 days from the 1st".
    pub fn describe_english(&self) -> String {
        match self {
            Schedule::Days { weekdays, windows } => {
                let days = match distinct_days(weekdays).as_slice() {
                    [] => "No days".to_string(),
                    d if d.len() == 7 => "Every day".to_string(),
                    d if d == WORKDAYS => "Weekdays".to_string(),
                    d => join_list(&d.iter().map(|w| w.english()).collect::<Vec<_>>(), "and"),
                };
                match windows_list(windows, "and") {
                    Some(w) => format!("{days} at {w}"),
                    None => days,
                }
            }
            Schedule::PerWeek { times: 1 } => "Once a week".to_string(),
            Schedule::PerWeek { times: 2 } => "Twice a week".to_string(),
            Schedule::PerWeek { times } => format!("{times} times a week"),
            Schedule::Monthly { day, within_days } => {
                let clamp_note = if *day > 28 {
                    " (or the last day of the month)"
                } else {
                    ""
                };
                let ord = english_ordinal(*day);
                match within_days {
                    1 => format!("Every month on the {ord}{clamp_note}"),
                    n => format!("Every month, within {n} days from the {ord}{clamp_note}"),
                }
            }
        }
    }
}

const WORKDAYS: &[Weekday] = &[
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
];

fn sorted_windows(windows: &[LocalWindow]) -> Vec<LocalWindow> {
    let mut w = windows.to_vec();
    w.sort_by_key(|w| (w.start, w.end));
    w
}

fn distinct_days(weekdays: &[Weekday]) -> Vec<Weekday> {
    let mut d = weekdays.to_vec();
    d.sort();
    d.dedup();
    d
}

fn windows_list(windows: &[LocalWindow], and: &str) -> Option<String> {
    let parts: Vec<String> = sorted_windows(windows)
        .iter()
        .map(ToString::to_string)
        .collect();
    (!parts.is_empty()).then(|| join_list(&parts, and))
}

/// "a", "a og b", "a, b og c".
fn join_list<S: AsRef<str>>(items: &[S], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {and} {}", init.join(", "), last.as_ref())
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn english_ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn local_date(t: Timestamp) -> Date {
    t.in_copenhagen().date()
}

fn next_day(d: Date) -> Date {
    // Inputs are clamped to years before 9999, so there always is a next day.
    d.next_day().unwrap_or(d)
}

fn previous_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::January => (year - 1, Month::December),
        m => (year, m.previous()),
    }
}

fn next_month(year: i32, month: Month) -> (i32, Month) {
    match month {
        Month::December => (year + 1, Month::January),
        m => (year, m.next()),
    }
}

/// The instant a Copenhagen wall clock shows `minute` minutes past midnight on `date`
/// (1440 is the next midnight). See the module documentation for the DST choices.
fn local_instant(date: Date, minute: u16) -> Timestamp {
    crate::time::copenhagen_instant(date, u32::from(minute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn ts(dt: time::OffsetDateTime) -> Timestamp {
        Timestamp::from_datetime(dt)
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("RFC 3339")
    }

    fn window(s: &str, e: &str) -> LocalWindow {
        LocalWindow::parse(s, e).unwrap()
    }

    fn days(weekdays: &[Weekday], windows: &[(&str, &str)]) -> Schedule {
        Schedule::Days {
            weekdays: weekdays.to_vec(),
            windows: windows.iter().map(|(s, e)| window(s, e)).collect(),
        }
    }

    fn daily(windows: &[(&str, &str)]) -> Schedule {
        days(Weekday::ALL, windows)
    }

    fn spans(occ: &[Occurrence]) -> Vec<(String, String)> {
        occ.iter()
            .map(|o| (o.start.to_rfc3339(), o.end.to_rfc3339()))
            .collect()
    }

    fn span(s: &str, e: &str) -> (String, String) {
        (s.to_string(), e.to_string())
    }

    #[test]
    fn json_shapes_are_readable_and_round_trip() {
        let cases = [
            (
                days(&[Weekday::Monday, Weekday::Thursday], &[("07:00", "11:00")]),
                r#"{"every":"days","weekdays":["mon","thu"],"windows":[{"start":"07:00","end":"11:00"}]}"#,
            ),
            (
                Schedule::PerWeek { times: 2 },
                r#"{"every":"week","times":2}"#,
            ),
            (
                Schedule::Monthly {
                    day: 1,
                    within_days: 7,
                },
                r#"{"every":"month","day":1,"within_days":7}"#,
            ),
        ];
        for (schedule, json) in cases {
            assert_eq!(serde_json::to_string(&schedule).unwrap(), json);
            assert_eq!(serde_json::from_str::<Schedule>(json).unwrap(), schedule);
        }
        let end_of_day: Schedule = serde_json::from_str(
            r#"{"every":"days","weekdays":["sun"],"windows":[{"start":"18:00","end":"24:00"}]}"#,
        )
        .unwrap();
        assert!(end_of_day.validate().is_ok());
    }

    #[test]
    fn json_rejects_unknown_fields_and_sloppy_times() {
        for bad in [
            r#"{"every":"week","times":2,"extra":1}"#,
            r#"{"every":"fortnight","times":2}"#,
            r#"{"every":"days","weekdays":["monday"],"windows":[]}"#,
            r#"{"every":"days","weekdays":["mon"],"windows":[{"start":"6:00","end":"10:00"}]}"#,
            r#"{"every":"days","weekdays":["mon"],"windows":[{"start":"06:00","end":"24:01"}]}"#,
            r#"{"every":"days","weekdays":["mon"],"windows":[{"start":"06:60","end":"10:00"}]}"#,
            r#"{"every":"days","weekdays":["mon"],"windows":[{"start":"06:00","end":"10:00","x":1}]}"#,
            r#"{"every":"month","day":300,"within_days":7}"#,
        ] {
            assert!(serde_json::from_str::<Schedule>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_times_parse_strictly() {
        assert_eq!(LocalTime::parse("06:00").unwrap().minutes(), 360);
        assert_eq!(LocalTime::parse("24:00").unwrap(), LocalTime::END_OF_DAY);
        assert_eq!(LocalTime::parse("00:00").unwrap(), LocalTime::MIDNIGHT);
        assert_eq!(LocalTime::new(23, 59).unwrap().to_string(), "23:59");
        for bad in [
            "", "6:00", "06:0", "0600", "06-00", "24:30", "25:00", "ab:cd", "+6:00",
        ] {
            assert!(LocalTime::parse(bad).is_err(), "{bad}");
        }
        assert!(LocalWindow::parse("10:00", "06:00").is_err());
        assert!(LocalWindow::parse("10:00", "10:00").is_err());
    }

    #[test]
    fn supported_range_constants_are_the_documented_instants() {
        assert_eq!(EARLIEST, ts(datetime!(1900-01-01 0:00 UTC)));
        assert_eq!(LATEST, ts(datetime!(9998-01-01 0:00 UTC)));
    }

    #[test]
    fn daily_window_in_winter_and_summer() {
        let s = daily(&[("06:00", "10:00")]);
        let winter = s.occurrences(at("2026-01-15T00:00:00Z"), at("2026-01-16T00:00:00Z"));
        assert_eq!(
            spans(&winter),
            [span("2026-01-15T05:00:00Z", "2026-01-15T09:00:00Z")]
        );
        let summer = s.occurrences(at("2026-07-15T00:00:00Z"), at("2026-07-16T00:00:00Z"));
        assert_eq!(
            spans(&summer),
            [span("2026-07-15T04:00:00Z", "2026-07-15T08:00:00Z")]
        );
    }

    #[test]
    fn daily_window_across_spring_forward() {
        let s = daily(&[("06:00", "10:00")]);
        let occ = s.occurrences(at("2026-03-28T00:00:00Z"), at("2026-03-30T12:00:00Z"));
        assert_eq!(
            spans(&occ),
            [
                span("2026-03-28T05:00:00Z", "2026-03-28T09:00:00Z"),
                span("2026-03-29T04:00:00Z", "2026-03-29T08:00:00Z"),
                span("2026-03-30T04:00:00Z", "2026-03-30T08:00:00Z"),
            ]
        );
    }

    #[test]
    fn daily_window_across_fall_back() {
        let s = daily(&[("06:00", "10:00")]);
        let occ = s.occurrences(at("2026-10-24T00:00:00Z"), at("2026-10-26T12:00:00Z"));
        assert_eq!(
            spans(&occ),
            [
                span("2026-10-24T04:00:00Z", "2026-10-24T08:00:00Z"),
                span("2026-10-25T05:00:00Z", "2026-10-25T09:00:00Z"),
                span("2026-10-26T05:00:00Z", "2026-10-26T09:00:00Z"),
            ]
        );
    }

    #[test]
    fn windows_around_the_0100_utc_shift() {
        let spring = date!(2026 - 03 - 29);
        let fall = date!(2026 - 10 - 25);
        let on = |s: &Schedule, d: Date| {
            let from = local_instant(d, 0);
            spans(&s.occurrences(from, local_instant(d, MINUTES_PER_DAY)))
        };
        // 01:30 is still winter time; 03:30 is already summer time: one real hour.
        assert_eq!(
            on(&daily(&[("01:30", "03:30")]), spring),
            [span("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z")]
        );
        // A nonexistent 02:30 start moves to 03:00 local, the 01:00 UTC jump.
        assert_eq!(
            on(&daily(&[("02:30", "04:00")]), spring),
            [span("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z")]
        );
        // Wholly inside the gap: no window that day, the usual one the day after.
        let gap = daily(&[("02:00", "02:45")]);
        assert_eq!(on(&gap, spring), Vec::<(String, String)>::new());
        assert_eq!(
            on(&gap, date!(2026 - 03 - 30)),
            [span("2026-03-30T00:00:00Z", "2026-03-30T00:45:00Z")]
        );
        // A repeated 02:30 is its first (summer-time) instant; 03:30 is winter time again.
        assert_eq!(
            on(&daily(&[("02:30", "03:30")]), fall),
            [span("2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z")]
        );
        assert_eq!(
            on(&daily(&[("00:00", "24:00")]), fall),
            [span("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z")]
        );
        assert_eq!(
            on(&daily(&[("00:00", "24:00")]), spring),
            [span("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z")]
        );
    }

    #[test]
    fn monday_and_thursday_over_two_weeks() {
        let s = days(&[Weekday::Thursday, Weekday::Monday], &[("07:00", "11:00")]);
        let from = local_instant(date!(2026 - 11 - 02), 0);
        let to = local_instant(date!(2026 - 11 - 16), 0);
        let occ = s.occurrences(from, to);
        assert_eq!(
            spans(&occ),
            [
                span("2026-11-02T06:00:00Z", "2026-11-02T10:00:00Z"),
                span("2026-11-05T06:00:00Z", "2026-11-05T10:00:00Z"),
                span("2026-11-09T06:00:00Z", "2026-11-09T10:00:00Z"),
                span("2026-11-12T06:00:00Z", "2026-11-12T10:00:00Z"),
            ]
        );
        assert!(occ.iter().all(|o| o.required == 1));
        for o in &occ {
            let local = o.start.in_copenhagen();
            assert!(matches!(
                local.weekday(),
                time::Weekday::Monday | time::Weekday::Thursday
            ));
            assert_eq!((local.hour(), local.minute()), (7, 0));
        }
    }

    #[test]
    fn twice_daily_windows_are_sorted_whatever_the_stored_order() {
        let s = daily(&[("19:00", "21:00"), ("07:00", "09:00")]);
        let occ = s.occurrences(at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"));
        assert_eq!(
            spans(&occ),
            [
                span("2026-11-02T06:00:00Z", "2026-11-02T08:00:00Z"),
                span("2026-11-02T18:00:00Z", "2026-11-02T20:00:00Z"),
            ]
        );
    }

    #[test]
    fn per_week_counts_each_calendar_week_separately() {
        let s = Schedule::PerWeek { times: 2 };
        let monday = date!(2026 - 11 - 09);
        let sunday_late = local_instant(date!(2026 - 11 - 08), 23 * 60 + 59);
        let monday_midnight = local_instant(monday, 0);
        assert_eq!(monday_midnight, at("2026-11-08T23:00:00Z"));

        let occ = s.occurrences(sunday_late, Timestamp(monday_midnight.0 + 1));
        assert_eq!(
            spans(&occ),
            [
                span("2026-11-01T23:00:00Z", "2026-11-08T23:00:00Z"),
                span("2026-11-08T23:00:00Z", "2026-11-15T23:00:00Z"),
            ]
        );
        assert!(occ.iter().all(|o| o.required == 2));

        let enrolled = local_instant(date!(2026 - 11 - 02), 0);
        let now = local_instant(date!(2026 - 11 - 16), 0);
        let one_early = local_instant(date!(2026 - 11 - 04), 600);
        // Sunday 23:59 belongs to the first week, Monday 00:00 to the second.
        let received = [one_early, sunday_late, monday_midnight];
        assert!(s.missing(enrolled, enrolled, now, &received).len() == 1);
        assert_eq!(
            s.missing(enrolled, enrolled, now, &received)[0].start,
            monday_midnight
        );
        let second = local_instant(date!(2026 - 11 - 15), 23 * 60 + 59);
        assert!(
            s.missing(
                enrolled,
                enrolled,
                now,
                &[one_early, sunday_late, monday_midnight, second]
            )
            .is_empty()
        );
    }

    #[test]
    fn per_week_across_dst_is_an_hour_short() {
        let s = Schedule::PerWeek { times: 3 };
        let occ = s.current(at("2026-03-29T12:00:00Z")).unwrap();
        assert_eq!(occ.start, at("2026-03-22T23:00:00Z"));
        assert_eq!(occ.end, at("2026-03-29T22:00:00Z"));
        assert_eq!(occ.end.0 - occ.start.0, 7 * MICROS_PER_DAY - 3_600_000_000);
    }

    #[test]
    fn monthly_clamps_to_the_last_day_of_the_month() {
        let s = Schedule::Monthly {
            day: 31,
            within_days: 3,
        };
        let occ = s.occurrences(at("2026-01-15T00:00:00Z"), at("2026-05-01T00:00:00Z"));
        assert_eq!(
            spans(&occ),
            [
                span("2026-01-30T23:00:00Z", "2026-02-02T23:00:00Z"),
                span("2026-02-27T23:00:00Z", "2026-03-02T23:00:00Z"),
                span("2026-03-30T22:00:00Z", "2026-04-02T22:00:00Z"),
                span("2026-04-29T22:00:00Z", "2026-05-02T22:00:00Z"),
            ]
        );
        let leap = Schedule::Monthly {
            day: 30,
            within_days: 1,
        };
        let feb = leap.occurrences(at("2028-02-10T00:00:00Z"), at("2028-03-01T00:00:00Z"));
        assert_eq!(
            spans(&feb),
            [span("2028-02-28T23:00:00Z", "2028-02-29T23:00:00Z")]
        );
    }

    #[test]
    fn monthly_window_from_last_month_is_still_found() {
        let s = Schedule::Monthly {
            day: 25,
            within_days: 14,
        };
        // The March window runs across the spring change and into April.
        assert_eq!(
            s.current(at("2026-04-03T12:00:00Z")),
            Some(Occurrence {
                start: at("2026-03-24T23:00:00Z"),
                end: at("2026-04-07T22:00:00Z"),
                required: 1,
            })
        );
        assert_eq!(
            s.next(at("2026-04-03T12:00:00Z")).map(|o| o.start),
            Some(at("2026-04-24T22:00:00Z"))
        );
    }

    #[test]
    fn who5_monthly_in_the_first_week() {
        let s = Schedule::Monthly {
            day: 1,
            within_days: 7,
        };
        let occ = s.occurrences(at("2026-06-15T00:00:00Z"), at("2026-08-15T00:00:00Z"));
        assert_eq!(
            spans(&occ),
            [
                span("2026-06-30T22:00:00Z", "2026-07-07T22:00:00Z"),
                span("2026-07-31T22:00:00Z", "2026-08-07T22:00:00Z"),
            ]
        );
    }

    #[test]
    fn missing_skips_the_window_before_enrolment() {
        let s = daily(&[("06:00", "10:00")]);
        let enrolled = at("2026-11-02T08:00:00Z"); // 09:00 local
        let now = at("2026-11-03T12:00:00Z");
        let missing = s.missing(enrolled, enrolled, now, &[]);
        assert_eq!(
            spans(&missing),
            [span("2026-11-03T05:00:00Z", "2026-11-03T09:00:00Z")]
        );
        // Enrolled at exactly 06:00 local: that window counts.
        let at_start = at("2026-11-02T05:00:00Z");
        assert_eq!(s.missing(at_start, at_start, now, &[]).len(), 2);
    }

    #[test]
    fn missing_accepts_an_on_time_result() {
        let s = daily(&[("06:00", "10:00")]);
        let enrolled = at("2026-11-01T00:00:00Z");
        let now = at("2026-11-02T12:00:00Z");
        let first_instant = at("2026-11-02T05:00:00Z");
        let last_instant = Timestamp(at("2026-11-02T09:00:00Z").0 - 1);
        for on_time in [first_instant, last_instant] {
            let missing = s.missing(enrolled, at("2026-11-02T00:00:00Z"), now, &[on_time]);
            assert!(missing.is_empty(), "{on_time}");
        }
    }

    #[test]
    fn missing_rejects_a_result_just_outside_the_window() {
        let s = daily(&[("06:00", "10:00")]);
        let enrolled = at("2026-11-01T00:00:00Z");
        let checked = at("2026-11-02T00:00:00Z");
        let now = at("2026-11-02T12:00:00Z");
        let just_before = Timestamp(at("2026-11-02T05:00:00Z").0 - 1);
        let at_end = at("2026-11-02T09:00:00Z");
        for outside in [just_before, at_end] {
            let missing = s.missing(enrolled, checked, now, &[outside]);
            assert_eq!(
                spans(&missing),
                [span("2026-11-02T05:00:00Z", "2026-11-02T09:00:00Z")],
                "{outside}"
            );
        }
    }

    #[test]
    fn missing_is_reported_once_as_checked_until_advances() {
        let s = daily(&[("06:00", "10:00")]);
        let enrolled = at("2026-11-01T00:00:00Z");
        let mut checked = enrolled;
        let mut reported = Vec::new();
        // The scheduler runs every hour for three days.
        for hour in 1..=72 {
            let now = Timestamp(enrolled.0 + hour * 3_600_000_000);
            reported.extend(s.missing(enrolled, checked, now, &[]));
            checked = now;
        }
        assert_eq!(
            spans(&reported),
            [
                span("2026-11-01T05:00:00Z", "2026-11-01T09:00:00Z"),
                span("2026-11-02T05:00:00Z", "2026-11-02T09:00:00Z"),
                span("2026-11-03T05:00:00Z", "2026-11-03T09:00:00Z"),
            ]
        );
        // A window that ends exactly at `now` is due now, and not again next time.
        let end = at("2026-11-01T09:00:00Z");
        assert_eq!(s.missing(enrolled, enrolled, end, &[]).len(), 1);
        assert!(
            s.missing(enrolled, end, at("2026-11-01T23:00:00Z"), &[])
                .is_empty()
        );
        // An open window is not missing yet.
        assert!(
            s.missing(enrolled, enrolled, at("2026-11-01T08:00:00Z"), &[])
                .is_empty()
        );
    }

    #[test]
    fn current_and_next() {
        let s = daily(&[("07:00", "09:00"), ("19:00", "21:00")]);
        let morning = at("2026-11-02T06:30:00Z");
        assert_eq!(
            s.current(morning).map(|o| o.start),
            Some(at("2026-11-02T06:00:00Z"))
        );
        assert_eq!(
            s.next(morning).map(|o| o.start),
            Some(at("2026-11-02T18:00:00Z"))
        );
        let noon = at("2026-11-02T11:00:00Z");
        assert_eq!(s.current(noon), None);
        // The end is exclusive: 09:00 local is outside the morning window.
        assert_eq!(s.current(at("2026-11-02T08:00:00Z")), None);
        let sunday_only = days(&[Weekday::Sunday], &[("10:00", "12:00")]);
        assert_eq!(
            sunday_only
                .next(at("2026-11-02T11:00:00Z"))
                .map(|o| o.start),
            Some(at("2026-11-08T09:00:00Z"))
        );
        // A Sunday window in the spring gap recurs a week later.
        let in_gap = days(&[Weekday::Sunday], &[("02:00", "02:30")]);
        assert_eq!(
            in_gap.next(at("2026-03-28T12:00:00Z")).map(|o| o.start),
            Some(at("2026-04-05T00:00:00Z"))
        );
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let schedules = [
            daily(&[("06:00", "10:00")]),
            Schedule::PerWeek { times: 3 },
            Schedule::Monthly {
                day: 31,
                within_days: 28,
            },
        ];
        for s in &schedules {
            for t in [Timestamp(i64::MIN), Timestamp(i64::MAX), Timestamp(0)] {
                let _ = s.current(t);
                let _ = s.next(t);
                let _ = s.missing(t, t, t, &[t]);
            }
            assert!(
                s.occurrences(Timestamp(i64::MAX - 10), Timestamp(i64::MAX))
                    .is_empty()
            );
            assert!(s.occurrences(Timestamp(5), Timestamp(5)).is_empty());
            assert!(s.occurrences(Timestamp(10), Timestamp(5)).is_empty());
        }
        let monthly = &schedules[2];
        let all = monthly.occurrences(Timestamp(i64::MIN), Timestamp(i64::MAX));
        // December 1899 reaches into January 1900.
        assert_eq!(all.len(), (9998 - 1900) * 12 + 1);
    }

    #[test]
    fn validation_errors() {
        let ok = [
            daily(&[("06:00", "10:00")]),
            daily(&[("06:00", "10:00"), ("10:00", "12:00")]),
            Schedule::PerWeek { times: 1 },
            Schedule::PerWeek { times: 21 },
            Schedule::Monthly {
                day: 31,
                within_days: 28,
            },
        ];
        for s in &ok {
            assert!(s.validate().is_ok(), "{s:?}");
        }
        let w = |s: u16, e: u16| LocalWindow {
            start: LocalTime(s),
            end: LocalTime(e),
        };
        let bad = [
            (
                Schedule::Days {
                    weekdays: vec![],
                    windows: vec![w(360, 600)],
                },
                "weekday",
            ),
            (
                Schedule::Days {
                    weekdays: vec![Weekday::Monday, Weekday::Monday],
                    windows: vec![w(360, 600)],
                },
                "'mon' is listed twice",
            ),
            (
                Schedule::Days {
                    weekdays: vec![Weekday::Monday],
                    windows: vec![],
                },
                "time window",
            ),
            (
                Schedule::Days {
                    weekdays: vec![Weekday::Monday],
                    windows: vec![w(600, 360)],
                },
                "10:00–06:00 must end after",
            ),
            (
                Schedule::Days {
                    weekdays: vec![Weekday::Monday],
                    windows: vec![w(540, 720), w(360, 600)],
                },
                "06:00–10:00 and 09:00–12:00 overlap",
            ),
            (Schedule::PerWeek { times: 0 }, "1 to 21"),
            (Schedule::PerWeek { times: 22 }, "1 to 21"),
            (
                Schedule::Monthly {
                    day: 0,
                    within_days: 7,
                },
                "1 to 31",
            ),
            (
                Schedule::Monthly {
                    day: 32,
                    within_days: 7,
                },
                "1 to 31",
            ),
            (
                Schedule::Monthly {
                    day: 1,
                    within_days: 0,
                },
                "1 to 28",
            ),
            (
                Schedule::Monthly {
                    day: 1,
                    within_days: 29,
                },
                "1 to 28",
            ),
        ];
        for (s, message) in bad {
            let e = s.validate().unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidInput);
            assert!(e.message.contains(message), "{} vs {message}", e.message);
        }
    }

    #[test]
    fn descriptions() {
        let cases = [
            (
                daily(&[("06:00", "10:00")]),
                "Hver dag kl. 06:00–10:00",
                "Every day at 06:00–10:00",
            ),
            (
                days(&[Weekday::Thursday, Weekday::Monday], &[("07:00", "11:00")]),
                "Mandag og torsdag kl. 07:00–11:00",
                "Monday and Thursday at 07:00–11:00",
            ),
            (
                days(
                    &[Weekday::Monday, Weekday::Wednesday, Weekday::Saturday],
                    &[("19:00", "21:00"), ("07:00", "09:00"), ("12:00", "13:00")],
                ),
                "Mandag, onsdag og lørdag kl. 07:00–09:00, 12:00–13:00 og 19:00–21:00",
                "Monday, Wednesday and Saturday at 07:00–09:00, 12:00–13:00 and 19:00–21:00",
            ),
            (
                days(WORKDAYS, &[("08:00", "24:00")]),
                "Hverdage kl. 08:00–24:00",
                "Weekdays at 08:00–24:00",
            ),
            (
                days(&[Weekday::Sunday], &[("08:00", "09:00")]),
                "Søndag kl. 08:00–09:00",
                "Sunday at 08:00–09:00",
            ),
            (
                Schedule::PerWeek { times: 1 },
                "1 gang om ugen",
                "Once a week",
            ),
            (
                Schedule::PerWeek { times: 2 },
                "2 gange om ugen",
                "Twice a week",
            ),
            (
                Schedule::PerWeek { times: 3 },
                "3 gange om ugen",
                "3 times a week",
            ),
            (
                Schedule::Monthly {
                    day: 1,
                    within_days: 7,
                },
                "Hver måned, inden for 7 dage fra den 1.",
                "Every month, within 7 days from the 1st",
            ),
            (
                Schedule::Monthly {
                    day: 22,
                    within_days: 1,
                },
                "Hver måned den 22.",
                "Every month on the 22nd",
            ),
            (
                Schedule::Monthly {
                    day: 31,
                    within_days: 3,
                },
                "Hver måned, inden for 3 dage fra den 31. (eller månedens sidste dag)",
                "Every month, within 3 days from the 31st (or the last day of the month)",
            ),
        ];
        for (s, da, en) in cases {
            assert_eq!(s.describe_danish(), da);
            assert_eq!(s.describe_english(), en);
        }
        assert_eq!(english_ordinal(11), "11th");
        assert_eq!(english_ordinal(13), "13th");
        assert_eq!(english_ordinal(23), "23rd");
    }

    #[test]
    fn per_day_expected_averages() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(
            daily(&[("07:00", "09:00"), ("19:00", "21:00")]).per_day_expected(),
            2.0
        ));
        assert!(close(
            days(&[Weekday::Monday, Weekday::Thursday], &[("07:00", "11:00")]).per_day_expected(),
            2.0 / 7.0
        ));
        assert!(close(
            Schedule::PerWeek { times: 3 }.per_day_expected(),
            3.0 / 7.0
        ));
        assert!(close(
            Schedule::Monthly {
                day: 1,
                within_days: 7
            }
            .per_day_expected(),
            12.0 / 365.25
        ));
    }

    // 2024-01-01 to 2030-01-01, so DST changeovers fall inside many generated ranges.
    const T0: i64 = 1_704_067_200_000_000;
    const T1: i64 = 1_893_456_000_000_000;

    fn arb_windows() -> impl Strategy<Value = Vec<LocalWindow>> {
        // Distinct sorted boundaries paired up give well-formed, non-overlapping windows.
        // Biasing towards 02:00–03:00 exercises the DST gap and overlap.
        let minute = prop_oneof![0u16..=MINUTES_PER_DAY, 110u16..=190];
        proptest::collection::btree_set(minute, 2..=8).prop_map(|set| {
            let v: Vec<u16> = set.into_iter().collect();
            v.chunks_exact(2)
                .map(|p| LocalWindow {
                    start: LocalTime(p[0]),
                    end: LocalTime(p[1]),
                })
                .collect()
        })
    }

    fn arb_schedule() -> impl Strategy<Value = Schedule> {
        prop_oneof![
            (
                proptest::sample::subsequence(Weekday::ALL.to_vec(), 1..=7),
                arb_windows()
            )
                .prop_map(|(weekdays, windows)| Schedule::Days { weekdays, windows }),
            (1u8..=21).prop_map(|times| Schedule::PerWeek { times }),
            (1u8..=31, 1u8..=28)
                .prop_map(|(day, within_days)| Schedule::Monthly { day, within_days }),
        ]
    }

    fn arb_range() -> impl Strategy<Value = (Timestamp, Timestamp)> {
        (T0..T1, 0..90 * MICROS_PER_DAY).prop_map(|(a, len)| (Timestamp(a), Timestamp(a + len)))
    }

    proptest! {
        #[test]
        fn generated_schedules_validate_and_round_trip(s in arb_schedule()) {
            prop_assert!(s.validate().is_ok());
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), s);
        }

        #[test]
        fn occurrences_are_sorted_disjoint_and_in_range(s in arb_schedule(), (from, to) in arb_range()) {
            let occ = s.occurrences(from, to);
            for o in &occ {
                prop_assert!(o.start < o.end);
                prop_assert!(o.start < to && o.end > from);
                prop_assert!(o.required >= 1);
            }
            for pair in occ.windows(2) {
                prop_assert!(pair[0].end <= pair[1].start, "{:?}", pair);
            }
        }

        #[test]
        fn days_start_at_a_window_start_except_in_the_spring_gap(
            s in arb_schedule(),
            (from, to) in arb_range(),
        ) {
            if let Schedule::Days { weekdays, windows } = &s {
                for o in s.occurrences(from, to) {
                    let local = o.start.in_copenhagen();
                    let minute = u16::from(local.hour()) * 60 + u16::from(local.minute());
                    let weekday = Weekday::from_time(local.weekday());
                    let spring_day = local.month() == Month::March
                        && local.weekday() == time::Weekday::Sunday
                        && local.day() + 7 > 31;
                    let gap_start = spring_day
                        && minute == 180
                        && windows.iter().any(|w| (120..180).contains(&w.start.0));
                    prop_assert!(weekdays.contains(&weekday));
                    prop_assert!(
                        windows.iter().any(|w| w.start.0 == minute) || gap_start,
                        "{} local {:?}", o.start, local
                    );
                }
            }
        }

        #[test]
        fn missing_matches_its_definition(
            s in arb_schedule(),
            (from, to) in arb_range(),
            cut in 0.0f64..1.0,
            enrol in 0.0f64..1.0,
            received in proptest::collection::vec(0.0f64..1.0, 0..60),
        ) {
            let len = (to.0 - from.0) as f64;
            let point = |f: f64| Timestamp(from.0 + (len * f) as i64);
            let active_since = point(enrol * 0.5);
            let checked_until = point(cut);
            let received: Vec<Timestamp> = received.into_iter().map(point).collect();
            let missing = s.missing(active_since, checked_until, to, &received);
            let held = |o: &Occurrence| received.iter().filter(|t| o.contains(**t)).count();
            for o in &missing {
                prop_assert!(held(o) < usize::from(o.required));
                prop_assert!(o.start >= active_since);
                prop_assert!(o.end > checked_until && o.end <= to);
            }
            let lookback = Timestamp(from.0 - 40 * MICROS_PER_DAY);
            let expected: Vec<Occurrence> = s
                .occurrences(lookback, to)
                .into_iter()
                .filter(|o| o.start >= active_since && o.end > checked_until && o.end <= to)
                .filter(|o| held(o) < usize::from(o.required))
                .collect();
            prop_assert_eq!(&missing, &expected);
            // Checking in two steps reports the same windows, each once.
            let mut stepwise = s.missing(active_since, checked_until, point((1.0 + cut) / 2.0), &received);
            let middle = point((1.0 + cut) / 2.0).max(checked_until);
            stepwise.extend(s.missing(active_since, middle, to, &received));
            prop_assert_eq!(stepwise, missing);
        }

        #[test]
        fn adjacent_ranges_concatenate(s in arb_schedule(), (from, to) in arb_range(), split in 0.0f64..1.0) {
            let mid = Timestamp(from.0 + ((to.0 - from.0) as f64 * split) as i64);
            let mut joined = s.occurrences(from, mid);
            for o in s.occurrences(mid, to) {
                if joined.last().is_none_or(|last| last.start != o.start) {
                    joined.push(o);
                }
            }
            prop_assert_eq!(joined, s.occurrences(from, to));
        }

        #[test]
        fn current_and_next_agree_with_occurrences(s in arb_schedule(), now in T0..T1) {
            let now = Timestamp(now);
            if let Some(c) = s.current(now) {
                prop_assert!(c.contains(now));
            }
            let next = s.next(now).expect("every valid schedule recurs");
            prop_assert!(next.start > now);
            let between = s.occurrences(Timestamp(now.0 + 1), next.start);
            prop_assert!(between.iter().all(|o| o.start <= now));
            let around = s.occurrences(now, Timestamp(now.0 + 1));
            prop_assert_eq!(s.current(now), around.first().copied());
        }
    }
}
