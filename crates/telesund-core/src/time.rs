//! Time: stored as UTC microseconds since the Unix epoch (identical on SQLite and
//! PostgreSQL, and sortable as an integer), shown in Europe/Copenhagen.
//!
//! Denmark follows the EU daylight-saving rule (since 1996): CEST (+02:00) from 01:00 UTC on
//! the last Sunday of March to 01:00 UTC on the last Sunday of October, CET (+01:00) otherwise.
//! That rule is small enough to own instead of pulling in a time-zone database.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        Self((dt.unix_timestamp_nanos() / 1_000) as i64)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn plus(self, d: Duration) -> Self {
        Self(self.0 + d.whole_microseconds() as i64)
    }

    /// RFC 3339 in UTC, as FHIR instants and the JSON API carry it.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(Self::from_datetime)
    }

    /// The local Danish wall-clock time.
    pub fn in_copenhagen(self) -> OffsetDateTime {
        let utc = self.to_datetime();
        utc.to_offset(copenhagen_offset(utc))
    }

    /// "22-11-2026 14:05", the way Danish users read a time.
    pub fn danish(self) -> String {
        let l = self.in_copenhagen();
        format!(
            "{:02}-{:02}-{} {:02}:{:02}",
            l.day(),
            l.month() as u8,
            l.year(),
            l.hour(),
            l.minute()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

fn last_sunday(year: i32, month: Month) -> Date {
    let days = month.length(year);
    let mut d = Date::from_calendar_date(year, month, days).expect("valid date");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("valid date");
    }
    d
}

/// The UTC offset Copenhagen uses at a given instant.
pub fn copenhagen_offset(utc: OffsetDateTime) -> UtcOffset {
    let utc = utc.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let one = Time::from_hms(1, 0, 0).expect("valid time");
    let start = PrimitiveDateTime::new(last_sunday(year, Month::March), one).assume_utc();
    let end = PrimitiveDateTime::new(last_sunday(year, Month::October), one).assume_utc();
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).expect("valid offset")
}

/// The instant a Copenhagen wall clock shows `minute` minutes past midnight on `date` (1440
/// and more run into the next days). A time the autumn change repeats is its first instant;
/// a time in the spring gap is the instant the clocks jump (01:00 UTC).
pub fn copenhagen_instant(date: Date, minute: u32) -> Timestamp {
    let (date, minute) = (
        date + time::Duration::days(i64::from(minute / 1440)),
        minute % 1440,
    );
    let clock = Time::from_hms((minute / 60) as u8, (minute % 60) as u8, 0).expect("below 24:00");
    let naive = PrimitiveDateTime::new(date, clock);
    // Summer time first, so a repeated autumn time resolves to its first instant.
    for hours in [2, 1] {
        let offset = UtcOffset::from_hms(hours, 0, 0).expect("valid offset");
        let instant = naive.assume_offset(offset);
        if copenhagen_offset(instant) == offset {
            return Timestamp::from_datetime(instant);
        }
    }
    Timestamp::from_datetime(
        PrimitiveDateTime::new(date, Time::from_hms(1, 0, 0).expect("valid")).assume_utc(),
    )
}

/// The UTC instant of a Copenhagen wall-clock time at the start of a day (for date filters).
pub fn copenhagen_midnight(date: Date) -> Timestamp {
    let naive = PrimitiveDateTime::new(date, Time::MIDNIGHT);
    // Midnight is never inside a DST gap in Denmark (the shifts happen at 02:00/03:00 local).
    let guess = naive.assume_utc();
    let offset = copenhagen_offset(guess);
    Timestamp::from_datetime(naive.assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_and_winter_offsets() {
        assert_eq!(
            copenhagen_offset(datetime!(2026-07-01 12:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-11-22 12:00 UTC)).whole_hours(),
            1
        );
        // 2026: DST starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
        assert_eq!(
            copenhagen_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            copenhagen_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
    }

    #[test]
    fn danish_format_and_round_trip() {
        let t = Timestamp::from_datetime(datetime!(2026-11-22 13:05:07.123456 UTC));
        assert_eq!(t.danish(), "22-11-2026 14:05");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
    }

    #[test]
    fn copenhagen_midnight_is_the_right_instant() {
        let m = copenhagen_midnight(time::macros::date!(2026 - 07 - 01));
        assert_eq!(m.to_rfc3339(), "2026-06-30T22:00:00Z");
    }
}
