use super::*;
use proptest::prelude::*;
use time::macros::date;

/// A Copenhagen wall-clock time.
fn at(d: Date, h: u32, m: u32) -> Timestamp {
    copenhagen_instant(d, h * 60 + m)
}

#[test]
fn a_case_opened_the_afternoon_before_easter_is_due_after_the_easter_holidays() {
    let cal = BusinessCalendar::office_hours();
    // Wednesday 1 April 2026, 15:30: half an hour that day, then Skærtorsdag, Langfredag,
    // the weekend and 2. påskedag are closed; 7½ hours on Tuesday 7 April.
    let due = cal
        .add_working_minutes(at(date!(2026 - 04 - 01), 15, 30), 8 * 60)
        .unwrap();
    assert_eq!(due, at(date!(2026 - 04 - 07), 15, 30));
    // Opened on Langfredag itself at 15:30: the clock starts Tuesday at 08:00.
    let due = cal
        .add_working_minutes(at(date!(2026 - 04 - 03), 15, 30), 8 * 60)
        .unwrap();
    assert_eq!(due, at(date!(2026 - 04 - 07), 16, 0));
    assert_eq!(
        cal.working_minutes(
            at(date!(2026 - 04 - 01), 15, 30),
            at(date!(2026 - 04 - 07), 15, 30)
        ),
        8 * 60
    );
}

#[test]
fn a_case_opened_friday_afternoon_before_easter_week_is_due_after_the_easter_holidays() {
    let cal = BusinessCalendar::office_hours();
    // Friday 27 March 2026, 15:30, 8 working hours: half an hour that day, then Monday 30
    // March and Tuesday 31 March are ordinary days (7½ hours on Monday) — due Monday 15:30.
    let friday = at(date!(2026 - 03 - 27), 15, 30);
    assert_eq!(
        cal.add_working_minutes(friday, 8 * 60).unwrap(),
        at(date!(2026 - 03 - 30), 15, 30)
    );
    // With 24 working hours it runs into Easter: ½ h Friday, 8 h each on Monday, Tuesday
    // and Wednesday (24½ h by Wednesday 16:00), so due Wednesday 15:30; with 32 hours the
    // clock skips Skærtorsdag, Langfredag, the weekend and 2. påskedag: due Tuesday 7 April
    // 15:30.
    assert_eq!(
        cal.add_working_minutes(friday, 24 * 60).unwrap(),
        at(date!(2026 - 04 - 01), 15, 30)
    );
    assert_eq!(
        cal.add_working_minutes(friday, 32 * 60).unwrap(),
        at(date!(2026 - 04 - 07), 15, 30)
    );
}

#[test]
fn christmas_and_new_year_close_the_desk() {
    let cal = BusinessCalendar::office_hours();
    // Wednesday 23 December, 14:00 with 4 hours: two that day; 24–27 closed; Monday 10:00.
    let due = cal
        .add_working_minutes(at(date!(2026 - 12 - 23), 14, 0), 4 * 60)
        .unwrap();
    assert_eq!(due, at(date!(2026 - 12 - 28), 10, 0));
    // 31 December and 1 January are closed too: Wednesday 30th 15:00 + 2 h is Monday 4th 09:00
    // (Saturday and Sunday between).
    let due = cal
        .add_working_minutes(at(date!(2026 - 12 - 30), 15, 0), 2 * 60)
        .unwrap();
    assert_eq!(due, at(date!(2027 - 01 - 04), 9, 0));
}

#[test]
fn daylight_saving_changes_count_real_minutes() {
    let always = BusinessCalendar::around_the_clock();
    // The spring night is an hour short, the autumn night an hour long.
    assert_eq!(
        always.working_minutes(
            at(date!(2026 - 03 - 28), 23, 0),
            at(date!(2026 - 03 - 29), 5, 0)
        ),
        5 * 60
    );
    assert_eq!(
        always.working_minutes(
            at(date!(2026 - 10 - 24), 23, 0),
            at(date!(2026 - 10 - 25), 5, 0)
        ),
        7 * 60
    );
    // Office hours are wall-clock hours in summer and winter alike.
    let office = BusinessCalendar::office_hours();
    let friday_before = at(date!(2026 - 03 - 27), 15, 0);
    let due = office.add_working_minutes(friday_before, 2 * 60).unwrap();
    assert_eq!(due, at(date!(2026 - 03 - 30), 9, 0));
    assert_eq!(
        due.to_rfc3339(),
        "2026-03-30T07:00:00Z",
        "summer time: 09:00 is 07:00 UTC"
    );
}

#[test]
fn own_closing_days_and_opening_hours_are_the_centres() {
    let mut cal = BusinessCalendar::office_hours();
    cal.closed_days.push(date!(2026 - 05 - 15)); // the Friday after Ascension
    cal.week[4] = Some(Hours {
        open: 8 * 60,
        close: 12 * 60,
    }); // Fridays until noon
    // Wednesday 13 May 15:00 + 3 h: one hour; Ascension Thursday; the closed Friday; the
    // weekend; then Monday 18th 10:00.
    let due = cal
        .add_working_minutes(at(date!(2026 - 05 - 13), 15, 0), 3 * 60)
        .unwrap();
    assert_eq!(due, at(date!(2026 - 05 - 18), 10, 0));
    assert!(cal.validate().is_ok());
    cal.week[0] = Some(Hours {
        open: 16 * 60,
        close: 8 * 60,
    });
    assert!(cal.validate().is_err());
    let never = BusinessCalendar {
        week: [None; 7],
        closed_days: vec![],
        closed_on_holidays: true,
    };
    assert!(never.validate().is_err());
    assert_eq!(
        never.add_working_minutes(at(date!(2026 - 05 - 13), 9, 0), 1),
        None
    );
}

#[test]
fn paused_time_survives_resolution_reopening_and_a_new_priority() {
    let cal = BusinessCalendar::office_hours();
    let mon = date!(2026 - 11 - 23);
    let tue = date!(2026 - 11 - 24);
    let wed = date!(2026 - 11 - 25);
    let mut clock = Clock::start(120, at(mon, 9, 0));
    assert_eq!(clock.due_at(&cal, at(mon, 9, 0)), Some(at(mon, 11, 0)));
    clock.pause(at(mon, 10, 0)); // waiting for the citizen
    assert_eq!(clock.state(&cal, at(mon, 15, 0)), ClockState::Paused);
    assert_eq!(clock.elapsed_minutes(&cal, at(tue, 8, 30)), 60);
    assert_eq!(
        clock.due_at(&cal, at(tue, 8, 30)),
        None,
        "no deadline while paused"
    );
    clock.resume(at(tue, 9, 0));
    assert_eq!(clock.elapsed_minutes(&cal, at(tue, 9, 30)), 90);
    assert_eq!(clock.due_at(&cal, at(tue, 9, 30)), Some(at(tue, 10, 0)));
    clock.stop(at(tue, 9, 45)); // resolved
    assert_eq!(clock.state(&cal, at(wed, 12, 0)), ClockState::Met);
    assert_eq!(clock.elapsed_minutes(&cal, at(wed, 12, 0)), 105);
    clock.reopen(at(wed, 9, 0)); // the citizen calls again
    assert_eq!(
        clock.elapsed_minutes(&cal, at(wed, 9, 10)),
        115,
        "resolved time does not count"
    );
    assert_eq!(clock.state(&cal, at(wed, 9, 10)), ClockState::Warning);
    assert_eq!(clock.state(&cal, at(wed, 9, 20)), ClockState::Breached);
    clock.retarget(240); // a lower priority: the elapsed time and the pauses stay
    assert_eq!(clock.elapsed_minutes(&cal, at(wed, 9, 20)), 125);
    assert_eq!(clock.state(&cal, at(wed, 9, 20)), ClockState::Running);
    assert_eq!(clock.due_at(&cal, at(wed, 9, 20)), Some(at(wed, 11, 15)));
}

proptest! {
    #[test]
    fn adding_working_minutes_and_counting_them_agree(
        day in 0i64..730, minute in 0u32..1440, minutes in 0i64..5_000,
    ) {
        let cal = BusinessCalendar::office_hours();
        let from = copenhagen_instant(date!(2026 - 01 - 01) + Duration::days(day), minute);
        let due = cal.add_working_minutes(from, minutes).unwrap();
        prop_assert!(due >= from);
        prop_assert_eq!(cal.working_minutes(from, due), minutes);
        // A deadline always falls inside opening hours (or at their close).
        let local = due.in_copenhagen();
        let (open, close) = cal.open_on(local.date()).or_else(|| cal.open_on(local.date() - Duration::days(1))).unwrap();
        prop_assert!(open <= due && due <= close, "{} outside opening hours", due);
    }

    #[test]
    fn a_pause_never_adds_time(
        start in 0i64..200, pause_at in 0i64..5_000, pause_len in 0i64..5_000, look in 0i64..20_000,
    ) {
        let cal = BusinessCalendar::office_hours();
        let t0 = copenhagen_instant(date!(2026 - 03 - 02), 8 * 60) ;
        let m = |x: i64| Timestamp(t0.0 + x * 60_000_000);
        let mut paused = Clock::start(600, m(start));
        let plain = Clock::start(600, m(start));
        paused.pause(m(start + pause_at));
        paused.resume(m(start + pause_at + pause_len));
        let now = m(start + look);
        prop_assert!(paused.elapsed_minutes(&cal, now) <= plain.elapsed_minutes(&cal, now));
    }
}
