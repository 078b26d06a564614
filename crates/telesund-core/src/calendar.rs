//! The Danish working calendar: weekends and public holidays (helligdage). Visits are planned
//! on working days, and the service desk's clocks will run on them.

use time::{Date, Duration, Month, Weekday};

/// Easter Sunday (the anonymous Gregorian computus).
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(
        year,
        Month::try_from(month as u8).expect("March or April"),
        day as u8,
    )
    .expect("a valid Easter date")
}

/// The holiday on `date`, by its Danish name. Store Bededag is a holiday up to 2023 (it was
/// abolished from 2024); Grundlovsdag, Juleaften and Nytårsaftenen are closing days by
/// custom and agreement, and counted here because no service-centre partner works them.
pub fn holiday(date: Date) -> Option<&'static str> {
    let easter = easter_sunday(date.year());
    let offset = (date - easter).whole_days();
    let moving = match offset {
        -3 => Some("Skærtorsdag"),
        -2 => Some("Langfredag"),
        0 => Some("Påskedag"),
        1 => Some("2. påskedag"),
        26 if date.year() <= 2023 => Some("Store bededag"),
        39 => Some("Kristi himmelfartsdag"),
        49 => Some("Pinsedag"),
        50 => Some("2. pinsedag"),
        _ => None,
    };
    moving.or(match (date.month(), date.day()) {
        (Month::January, 1) => Some("Nytårsdag"),
        (Month::June, 5) => Some("Grundlovsdag"),
        (Month::December, 24) => Some("Juleaften"),
        (Month::December, 25) => Some("Juledag"),
        (Month::December, 26) => Some("2. juledag"),
        (Month::December, 31) => Some("Nytårsaftensdag"),
        _ => None,
    })
}

pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && holiday(date).is_none()
}

/// The last working day on or before `date`.
pub fn working_day_on_or_before(mut date: Date) -> Date {
    while !is_working_day(date) {
        date -= Duration::days(1);
    }
    date
}

/// The first working day on or after `date`.
pub fn working_day_on_or_after(mut date: Date) -> Date {
    while !is_working_day(date) {
        date += Duration::days(1);
    }
    date
}

/// `n` working days after `date` (0: the date itself if it is one, else the next).
pub fn add_working_days(date: Date, n: u32) -> Date {
    let mut d = working_day_on_or_after(date);
    for _ in 0..n {
        d = working_day_on_or_after(d + Duration::days(1));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_falls_on_the_known_sundays() {
        assert_eq!(easter_sunday(2024), date!(2024 - 03 - 31));
        assert_eq!(easter_sunday(2025), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2027), date!(2027 - 03 - 28));
        assert_eq!(easter_sunday(2038), date!(2038 - 04 - 25));
    }

    #[test]
    fn the_danish_holidays_of_2026() {
        for (d, name) in [
            (date!(2026 - 01 - 01), "Nytårsdag"),
            (date!(2026 - 04 - 02), "Skærtorsdag"),
            (date!(2026 - 04 - 03), "Langfredag"),
            (date!(2026 - 04 - 06), "2. påskedag"),
            (date!(2026 - 05 - 14), "Kristi himmelfartsdag"),
            (date!(2026 - 05 - 25), "2. pinsedag"),
            (date!(2026 - 06 - 05), "Grundlovsdag"),
            (date!(2026 - 12 - 25), "Juledag"),
        ] {
            assert_eq!(holiday(d), Some(name), "{d}");
        }
        // Store bededag (fourth Friday after Easter) is a working day since 2024.
        assert_eq!(holiday(date!(2026 - 05 - 01)), None);
        assert_eq!(holiday(date!(2023 - 05 - 05)), Some("Store bededag"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Thursday before Easter 2026: the next working day is the Tuesday after.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 01), 1),
            date!(2026 - 04 - 07)
        );
        assert_eq!(
            working_day_on_or_before(date!(2026 - 12 - 27)),
            date!(2026 - 12 - 23)
        );
        assert!(is_working_day(date!(2026 - 11 - 27)));
        assert!(!is_working_day(date!(2026 - 11 - 28)));
    }
}
