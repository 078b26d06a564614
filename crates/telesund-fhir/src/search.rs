//! Search-parameter values whose meaning FHIR defines: dates with prefixes and precision.

use telesund_core::Timestamp;
use telesund_core::time::copenhagen_midnight;
use time::{Date, Month, PrimitiveDateTime, Time};

/// A half-open time range `[from, until)`; `None` is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeRange {
    /// Both ranges at once (FHIR ANDs repeated parameters).
    pub fn and(self, other: TimeRange) -> TimeRange {
        TimeRange {
            from: max_opt(self.from, other.from, true),
            until: max_opt(self.until, other.until, false),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.until), (Some(f), Some(u)) if f.0 >= u.0)
    }
}

fn max_opt(a: Option<Timestamp>, b: Option<Timestamp>, larger: bool) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (a.0 >= b.0) == larger { a } else { b }),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The instants a `date` parameter value selects, for resources with a point in time
/// (`Observation.effectiveDateTime`). A value stands for the whole period of its precision —
/// `2026-11` is all of November — and a date or a time without a zone is Danish local time.
/// Prefixes as FHIR R4 defines them for a point: `eq` (default), `gt`/`sa`, `lt`/`eb`, `ge`,
/// `le`. `ne` and `ap` are refused rather than approximated.
pub fn date_param(value: &str) -> Result<TimeRange, String> {
    let (prefix, rest) = match value.get(..2) {
        Some(p @ ("eq" | "ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb" | "ap")) => {
            (p, &value[2..])
        }
        _ => ("eq", value),
    };
    let (start, end) = period(rest).ok_or_else(|| {
        format!(
            "'{value}' is not a FHIR date: use YYYY, YYYY-MM, YYYY-MM-DD or a date-time such as 2026-11-22T08:00:00+01:00, with an optional prefix (ge, le, gt, lt, eq)"
        )
    })?;
    Ok(match prefix {
        "eq" => TimeRange {
            from: Some(start),
            until: Some(end),
        },
        "gt" | "sa" => TimeRange {
            from: Some(end),
            until: None,
        },
        "ge" => TimeRange {
            from: Some(start),
            until: None,
        },
        "lt" | "eb" => TimeRange {
            from: None,
            until: Some(start),
        },
        "le" => TimeRange {
            from: None,
            until: Some(end),
        },
        other => return Err(format!("the date prefix '{other}' is not supported")),
    })
}

/// The period `[start, end)` a date or date-time value covers.
fn period(s: &str) -> Option<(Timestamp, Timestamp)> {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match s.len() {
        4 if digits(s) => {
            let y: i32 = s.parse().ok()?;
            Some((day(y, 1, 1)?, day(y + 1, 1, 1)?))
        }
        7 if s.as_bytes()[4] == b'-' && digits(&s[..4]) && digits(&s[5..]) => {
            let y: i32 = s[..4].parse().ok()?;
            let m: u8 = s[5..].parse().ok()?;
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Month::try_from(m).ok()?;
            Some((day(y, m, 1)?, day(ny, nm, 1)?))
        }
        10 => {
            let d = date(s)?;
            Some((copenhagen_midnight(d), copenhagen_midnight(d.next_day()?)))
        }
        _ => date_time(s),
    }
}

fn date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u8 = s[5..7].parse().ok()?;
    let d: u8 = s[8..10].parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

fn day(y: i32, m: u8, d: u8) -> Option<Timestamp> {
    Some(copenhagen_midnight(
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?,
    ))
}

/// A date-time to the minute, second or fraction; with a zone (`Z`, `+01:00`) or, without
/// one, in Copenhagen time. Its period is one unit of the precision given.
fn date_time(s: &str) -> Option<(Timestamp, Timestamp)> {
    let (d, rest) = s.split_at_checked(10)?;
    let d = date(d)?;
    let rest = rest.strip_prefix('T')?;
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, Some(f)),
        Some(_) => return None,
        None => (clock, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let h: u8 = parts[0].parse().ok()?;
    let mi: u8 = parts[1].parse().ok()?;
    let sec: u8 = match parts.get(2) {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    let micros: u32 = match fraction {
        Some(f) => {
            let f6: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            f6.parse().ok()?
        }
        None => 0,
    };
    if parts.len() > 3 || (fraction.is_some() && parts.len() != 3) {
        return None;
    }
    let naive = PrimitiveDateTime::new(d, Time::from_hms_micro(h, mi, sec, micros).ok()?);
    let start = match zone {
        "" => {
            let guess = naive.assume_utc();
            let offset = telesund_core::time::copenhagen_offset(guess);
            let first = naive.assume_offset(offset);
            // Around a clock change the guess can be an hour off; the offset at the instant
            // itself decides.
            naive.assume_offset(telesund_core::time::copenhagen_offset(first))
        }
        "Z" => naive.assume_utc(),
        z => {
            let (sign, hhmm) = z.split_at(1);
            let (oh, om) = hhmm.split_once(':')?;
            let (oh, om): (i8, i8) = (oh.parse().ok()?, om.parse().ok()?);
            let sign = if sign == "-" { -1 } else { 1 };
            naive.assume_offset(time::UtcOffset::from_hms(sign * oh, sign * om, 0).ok()?)
        }
    };
    let unit: i64 = if fraction.is_some() {
        1
    } else if parts.len() == 3 {
        1_000_000
    } else {
        60_000_000
    };
    let start = Timestamp::from_datetime(start);
    Some((start, Timestamp(start.0 + unit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn a_day_is_a_danish_day() {
        let r = date_param("2026-11-22").unwrap();
        assert_eq!(r.from, Some(at("2026-11-21T23:00:00Z")));
        assert_eq!(r.until, Some(at("2026-11-22T23:00:00Z")));
        // Summer time: midnight is 22:00 UTC the day before.
        let r = date_param("ge2026-07-01").unwrap();
        assert_eq!(r.from, Some(at("2026-06-30T22:00:00Z")));
        assert_eq!(r.until, None);
    }

    #[test]
    fn prefixes_select_the_right_side_of_the_period() {
        let nov = date_param("2026-11").unwrap();
        assert_eq!(nov.from, Some(at("2026-10-31T23:00:00Z")));
        assert_eq!(nov.until, Some(at("2026-11-30T23:00:00Z")));
        assert_eq!(date_param("gt2026-11").unwrap().from, nov.until);
        assert_eq!(date_param("lt2026-11").unwrap().until, nov.from);
        assert_eq!(date_param("le2026-11").unwrap().until, nov.until);
        assert_eq!(
            date_param("sa2026").unwrap().from,
            Some(at("2026-12-31T23:00:00Z"))
        );
        assert_eq!(
            date_param("eb2026").unwrap().until,
            Some(at("2025-12-31T23:00:00Z"))
        );
        let dec = date_param("2026-12").unwrap();
        assert_eq!(dec.until, Some(at("2026-12-31T23:00:00Z")));
    }

    #[test]
    fn date_times_with_and_without_zones() {
        let r = date_param("ge2026-11-22T08:00:00+01:00").unwrap();
        assert_eq!(r.from, Some(at("2026-11-22T07:00:00Z")));
        let r = date_param("2026-11-22T08:00Z").unwrap();
        assert_eq!(r.from, Some(at("2026-11-22T08:00:00Z")));
        assert_eq!(r.until, Some(at("2026-11-22T08:01:00Z")));
        let r = date_param("le2026-07-01T10:00:00.5").unwrap();
        assert_eq!(r.until, Some(Timestamp(at("2026-07-01T08:00:00.5Z").0 + 1)));
        let r = date_param("2026-11-22T08:00:00-02:30").unwrap();
        assert_eq!(r.from, Some(at("2026-11-22T10:30:00Z")));
    }

    #[test]
    fn nonsense_and_unsupported_prefixes_are_refused() {
        for bad in [
            "",
            "yesterday",
            "2026-13",
            "2026-02-30",
            "2026-11-22T25:00Z",
            "22-11-2026",
            "2026-11-22T08",
            "2026-11-22 08:00",
            "ne2026",
            "ap2026-11-22",
            "2026-11-22T08:00:00.",
        ] {
            assert!(date_param(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_combine_and_can_be_empty() {
        let r = date_param("ge2026-11-01")
            .unwrap()
            .and(date_param("lt2026-11-15").unwrap());
        assert_eq!(r.from, Some(at("2026-10-31T23:00:00Z")));
        assert_eq!(r.until, Some(at("2026-11-14T23:00:00Z")));
        assert!(!r.is_empty());
        let none = date_param("ge2026-12-01")
            .unwrap()
            .and(date_param("lt2026-11-01").unwrap());
        assert!(none.is_empty());
    }
}
