//! What the citizen has to do today: for every active care plan activity with an occurrence
//! on today's Copenhagen calendar day, what to measure or answer, in which time window, and
//! whether enough results have arrived for it.
//!
//! How results count:
//!
//! - **Time windows** (a schedule by days): a result counts for the window it falls in, for
//!   the window before it when it comes late, and for the first window of the day when it
//!   comes early. So the day is cut at each window's start (the first slot begins at
//!   midnight, the last ends at the next midnight), and a window is done when a result lies
//!   in its slot. A citizen who weighs at 10:30 for a 06:00–10:00 window has done today's
//!   weighing (the care team may still see it as late); one who measures twice in the
//!   morning has not done the evening.
//! - **A number per week** and **a monthly period**: the results in the whole occurrence
//!   count (a weekly weighing done on Monday is done for the rest of the week), and it is
//!   done when there are as many as the schedule asks for.
//!
//! One result serves every plan that asks for its type (as in triage), and the same activity
//! with the same occurrence in two plans is one task naming both programmes.

use super::codes::MeasurementType;
use super::programme::{Activity, CarePlan, PlanStatus};
use super::schedule::{LocalTime, Occurrence, Schedule};
use crate::time::{Timestamp, copenhagen_midnight};
use time::Date;

/// What a task asks for: a measurement of a type, or a questionnaire by its key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Measurement(MeasurementType),
    Questionnaire(String),
}

impl Subject {
    pub fn of(activity: &Activity) -> Subject {
        match activity {
            Activity::Measurement { kind, .. } => Subject::Measurement(*kind),
            Activity::Questionnaire { questionnaire, .. } => {
                Subject::Questionnaire(questionnaire.clone())
            }
        }
    }
}

/// The kind of period a task covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// A time window today ("kl. 06:00–10:00").
    Window,
    /// A calendar week, Monday to Sunday ("2 gange om ugen").
    Week,
    /// A monthly period of some days ("inden for 7 dage fra den 1.").
    Month,
}

/// Where a task stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Enough results have arrived.
    Done,
    /// To do now: the window is open, or the week's or month's period runs without enough
    /// results yet.
    Due,
    /// The window opens later today.
    Later,
    /// The window has closed without a result; one sent later today still counts for it.
    Overdue,
}

/// One thing to do today.
#[derive(Clone, Debug, PartialEq)]
pub struct TodayTask {
    pub subject: Subject,
    /// The programme names of the plans that ask for it, in plan order, each once.
    pub programmes: Vec<String>,
    pub schedule: Schedule,
    pub period: Period,
    /// The window, week or monthly period, and how many results it asks for.
    pub occurrence: Occurrence,
    /// Results counted for it so far.
    pub received: u32,
    /// The newest of those results.
    pub last_result: Option<Timestamp>,
    pub status: Status,
}

impl TodayTask {
    pub fn is_done(&self) -> bool {
        self.status == Status::Done
    }
}

/// Today's Copenhagen calendar day as `[midnight, next midnight)`: 23 hours on the day
/// summer time starts, 25 on the day it ends.
pub fn day_of(now: Timestamp) -> (Timestamp, Timestamp) {
    let date = now.in_copenhagen().date();
    let next = date.next_day().unwrap_or(date);
    (copenhagen_midnight(date), copenhagen_midnight(next))
}

/// The instant of a Copenhagen wall-clock time on the calendar day of `now` (e.g. "målt
/// kl. 07:30 i dag"). A time the autumn change repeats is its first instant; a time in the
/// spring gap is the instant the clocks jump (03:00 summer time). `24:00` is the next midnight.
pub fn today_at(now: Timestamp, at: LocalTime) -> Timestamp {
    let date = now.in_copenhagen().date();
    local_instant(date, at.minutes())
}

fn local_instant(date: Date, minutes: u16) -> Timestamp {
    crate::time::copenhagen_instant(date, u32::from(minutes))
}

/// Today's tasks of the active `plans` at `now`, given the citizen's results (what each was
/// and when it was measured or answered). Results from other days may be passed; only those
/// inside a task's period count. Ordered by the start of the window or period, then by
/// subject.
pub fn today(
    plans: &[CarePlan],
    results: &[(Subject, Timestamp)],
    now: Timestamp,
) -> Vec<TodayTask> {
    let (day_start, day_end) = day_of(now);
    let mut tasks: Vec<TodayTask> = Vec::new();
    for plan in plans {
        let running = plan.status == PlanStatus::Active
            && plan.started_at < day_end
            && plan.ended_at.is_none_or(|e| e > day_start);
        if !running {
            continue;
        }
        for activity in &plan.definition.activities {
            let subject = Subject::of(activity);
            let schedule = activity.schedule();
            let occurrences: Vec<Occurrence> = schedule
                .occurrences(day_start, day_end)
                .into_iter()
                // A window that closed before the plan began asked nothing of the citizen.
                .filter(|o| o.end > plan.started_at)
                .collect();
            let period = match schedule {
                Schedule::Days { .. } => Period::Window,
                Schedule::PerWeek { .. } => Period::Week,
                Schedule::Monthly { .. } => Period::Month,
            };
            let times: Vec<Timestamp> = results
                .iter()
                .filter(|(s, _)| *s == subject)
                .map(|(_, t)| *t)
                .collect();
            // Every window of the day, even one left out above, still bounds the slots.
            let all = schedule.occurrences(day_start, day_end);
            for occurrence in occurrences {
                let (from, to) = match period {
                    Period::Window => slot(&all, &occurrence, day_start, day_end),
                    Period::Week | Period::Month => (occurrence.start, occurrence.end),
                };
                let counted: Vec<Timestamp> = times
                    .iter()
                    .copied()
                    .filter(|t| *t >= from && *t < to)
                    .collect();
                let received = u32::try_from(counted.len()).unwrap_or(u32::MAX);
                let status = if received >= u32::from(occurrence.required.max(1)) {
                    Status::Done
                } else {
                    match period {
                        Period::Window if now < occurrence.start => Status::Later,
                        Period::Window if now >= occurrence.end => Status::Overdue,
                        _ => Status::Due,
                    }
                };
                let same = tasks.iter_mut().find(|t| {
                    t.subject == subject
                        && t.occurrence == occurrence
                        && t.period == period
                        && t.received == received
                });
                match same {
                    Some(t) => {
                        if !t.programmes.contains(&plan.programme_name) {
                            t.programmes.push(plan.programme_name.clone());
                        }
                    }
                    None => tasks.push(TodayTask {
                        subject: subject.clone(),
                        programmes: vec![plan.programme_name.clone()],
                        schedule: schedule.clone(),
                        period,
                        occurrence,
                        received,
                        last_result: counted.into_iter().max(),
                        status,
                    }),
                }
            }
        }
    }
    tasks.sort_by(|a, b| {
        (a.occurrence.start, a.occurrence.end, &a.subject).cmp(&(
            b.occurrence.start,
            b.occurrence.end,
            &b.subject,
        ))
    });
    tasks
}

/// The part of the day whose results count for a window: from its start (midnight for the
/// day's first window) to the next window's start (the next midnight for the last).
fn slot(
    all: &[Occurrence],
    window: &Occurrence,
    day_start: Timestamp,
    day_end: Timestamp,
) -> (Timestamp, Timestamp) {
    let index = all.iter().position(|o| o == window).unwrap_or(0);
    let from = if index == 0 { day_start } else { window.start };
    let to = all.get(index + 1).map_or(day_end, |next| next.start);
    (from.min(window.start), to.max(window.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{
        CarePlanId, CareTeamId, CitizenId, EnrolmentId, ProgrammeId, ProgrammeVersionId,
    };
    use crate::monitoring::programme::PlanDefinition;
    use crate::monitoring::schedule::{LocalWindow, Weekday};

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("RFC 3339")
    }

    fn every_day(windows: &[(&str, &str)]) -> Schedule {
        Schedule::Days {
            weekdays: Weekday::ALL.to_vec(),
            windows: windows
                .iter()
                .map(|(s, e)| LocalWindow::parse(s, e).unwrap())
                .collect(),
        }
    }

    fn weight(schedule: Schedule) -> Activity {
        Activity::Measurement {
            kind: MeasurementType::Weight,
            schedule,
        }
    }

    fn plan(name: &str, activities: Vec<Activity>) -> CarePlan {
        CarePlan {
            id: CarePlanId::new(),
            citizen_id: CitizenId::new(),
            enrolment_id: EnrolmentId::new(),
            programme_id: ProgrammeId::new(),
            programme_name: name.into(),
            programme_version_id: ProgrammeVersionId::new(),
            care_team_id: CareTeamId::new(),
            status: PlanStatus::Active,
            definition: PlanDefinition {
                activities,
                ..Default::default()
            },
            started_at: at("2026-01-01T00:00:00Z"),
            paused_at: None,
            ended_at: None,
        }
    }

    fn w() -> Subject {
        Subject::Measurement(MeasurementType::Weight)
    }

    #[test]
    fn a_daily_window_is_due_then_done_and_counts_a_late_result() {
        let plans = [plan(
            "Hjertesvigt",
            vec![weight(every_day(&[("06:00", "10:00")]))],
        )];
        // Winter: Copenhagen is UTC+1. 07:00 local.
        let now = at("2026-02-10T06:00:00Z");
        let tasks = today(&plans, &[], now);
        assert_eq!(tasks.len(), 1);
        let t = &tasks[0];
        assert_eq!(t.subject, w());
        assert_eq!(t.period, Period::Window);
        assert_eq!(t.status, Status::Due);
        assert_eq!(t.occurrence.start, at("2026-02-10T05:00:00Z"));
        assert_eq!(t.occurrence.end, at("2026-02-10T09:00:00Z"));
        assert_eq!(t.programmes, ["Hjertesvigt"]);

        // Before the window: later; after it without a result: overdue.
        assert_eq!(
            today(&plans, &[], at("2026-02-10T04:00:00Z"))[0].status,
            Status::Later
        );
        assert_eq!(
            today(&plans, &[], at("2026-02-10T12:00:00Z"))[0].status,
            Status::Overdue
        );

        // Yesterday's weighing does not count today; this morning's does.
        let yesterday = (w(), at("2026-02-09T06:30:00Z"));
        assert_eq!(
            today(&plans, std::slice::from_ref(&yesterday), now)[0].status,
            Status::Due
        );
        let this_morning = (w(), at("2026-02-10T05:45:00Z"));
        let t = &today(&plans, &[yesterday, this_morning.clone()], now)[0];
        assert_eq!(t.status, Status::Done);
        assert_eq!(t.received, 1);
        assert_eq!(t.last_result, Some(this_morning.1));

        // Weighed at 11:30, after the window: today's weighing is done.
        let late = (w(), at("2026-02-10T10:30:00Z"));
        let t = &today(&plans, &[late], at("2026-02-10T11:00:00Z"))[0];
        assert_eq!(t.status, Status::Done);
        // A result of another type counts for nothing.
        let pulse = (
            Subject::Measurement(MeasurementType::Pulse),
            at("2026-02-10T05:45:00Z"),
        );
        assert_eq!(today(&plans, &[pulse], now)[0].status, Status::Due);
    }

    #[test]
    fn two_windows_need_a_result_each() {
        let plans = [plan(
            "KOL",
            vec![Activity::Measurement {
                kind: MeasurementType::SpO2,
                schedule: every_day(&[("17:00", "21:00"), ("07:00", "11:00")]),
            }],
        )];
        let spo2 = |s: &str| (Subject::Measurement(MeasurementType::SpO2), at(s));
        // Two results in the morning (08:00 and 12:30 local): the evening still waits.
        let results = [spo2("2026-02-10T07:00:00Z"), spo2("2026-02-10T11:30:00Z")];
        let tasks = today(&plans, &results, at("2026-02-10T13:00:00Z"));
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].occurrence.start, at("2026-02-10T06:00:00Z"));
        assert_eq!((tasks[0].status, tasks[0].received), (Status::Done, 2));
        assert_eq!(tasks[1].status, Status::Later);
        // 16:30 local is before the evening window: it still belongs to the morning.
        let results = [spo2("2026-02-10T15:30:00Z")];
        let tasks = today(&plans, &results, at("2026-02-10T16:00:00Z"));
        assert_eq!(tasks[0].status, Status::Done);
        assert_eq!(tasks[1].status, Status::Due);
        // An evening result counts for the evening.
        let results = [spo2("2026-02-10T19:00:00Z")];
        let tasks = today(&plans, &results, at("2026-02-10T19:30:00Z"));
        assert_eq!(tasks[0].status, Status::Overdue);
        assert_eq!(tasks[1].status, Status::Done);
    }

    #[test]
    fn a_schedule_on_other_weekdays_asks_nothing_today() {
        let mondays = Schedule::Days {
            weekdays: vec![Weekday::Monday],
            windows: vec![LocalWindow::parse("06:00", "20:00").unwrap()],
        };
        let plans = [plan(
            "Hjertesvigt",
            vec![Activity::Questionnaire {
                questionnaire: "hf_symptoms".into(),
                schedule: mondays,
            }],
        )];
        // 2026-02-10 is a Tuesday, 2026-02-09 a Monday.
        assert!(today(&plans, &[], at("2026-02-10T10:00:00Z")).is_empty());
        let tasks = today(&plans, &[], at("2026-02-09T10:00:00Z"));
        assert_eq!(
            tasks[0].subject,
            Subject::Questionnaire("hf_symptoms".into())
        );
        let answered = (
            Subject::Questionnaire("hf_symptoms".into()),
            at("2026-02-09T09:00:00Z"),
        );
        assert!(today(&plans, &[answered], at("2026-02-09T10:00:00Z"))[0].is_done());
    }

    #[test]
    fn a_weekly_schedule_counts_the_whole_week() {
        let plans = [plan(
            "Diabetes",
            vec![weight(Schedule::PerWeek { times: 2 })],
        )];
        // Wednesday 11 February 2026; the week began Monday 9 February (00:00 local = 23:00Z).
        let now = at("2026-02-11T12:00:00Z");
        let tasks = today(&plans, &[], now);
        assert_eq!(tasks.len(), 1);
        let t = &tasks[0];
        assert_eq!(t.period, Period::Week);
        assert_eq!(t.occurrence.start, at("2026-02-08T23:00:00Z"));
        assert_eq!(t.occurrence.end, at("2026-02-15T23:00:00Z"));
        assert_eq!(t.occurrence.required, 2);
        assert_eq!(t.status, Status::Due);
        // Last Sunday's weighing belongs to last week; Monday's counts: one of two.
        let sunday = (w(), at("2026-02-08T10:00:00Z"));
        let monday = (w(), at("2026-02-09T07:00:00Z"));
        let t = &today(&plans, &[sunday, monday.clone()], now)[0];
        assert_eq!((t.status, t.received), (Status::Due, 1));
        let wednesday = (w(), at("2026-02-11T07:00:00Z"));
        let t = &today(&plans, &[monday, wednesday], now)[0];
        assert_eq!((t.status, t.received), (Status::Done, 2));
    }

    #[test]
    fn a_monthly_schedule_is_a_task_only_within_its_days() {
        let who5 = Activity::Questionnaire {
            questionnaire: "who5".into(),
            schedule: Schedule::Monthly {
                day: 1,
                within_days: 7,
            },
        };
        let plans = [plan("Diabetes", vec![who5])];
        let who = |s: &str| (Subject::Questionnaire("who5".into()), at(s));
        // 3 March: inside 1–7 March.
        let now = at("2026-03-03T10:00:00Z");
        let tasks = today(&plans, &[], now);
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].period, Period::Month);
        assert_eq!(tasks[0].occurrence.start, at("2026-02-28T23:00:00Z"));
        assert_eq!(tasks[0].status, Status::Due);
        // Answered on the 2nd: done; answered in February: not.
        assert!(today(&plans, &[who("2026-03-02T09:00:00Z")], now)[0].is_done());
        assert!(!today(&plans, &[who("2026-02-27T09:00:00Z")], now)[0].is_done());
        // 10 March: nothing asked.
        assert!(today(&plans, &[], at("2026-03-10T10:00:00Z")).is_empty());
        // A period from the 28th runs into the next month.
        let late = Activity::Questionnaire {
            questionnaire: "who5".into(),
            schedule: Schedule::Monthly {
                day: 28,
                within_days: 7,
            },
        };
        let plans = [plan("Diabetes", vec![late])];
        let tasks = today(&plans, &[], at("2026-03-02T10:00:00Z"));
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].occurrence.start, at("2026-02-27T23:00:00Z"));
    }

    #[test]
    fn the_day_summer_time_begins_is_23_hours() {
        // Sunday 29 March 2026: 02:00 local becomes 03:00 (01:00Z).
        let (start, end) = day_of(at("2026-03-29T12:00:00Z"));
        assert_eq!(start, at("2026-03-28T23:00:00Z"));
        assert_eq!(end, at("2026-03-29T22:00:00Z"));
        let plans = [plan(
            "Hjertesvigt",
            vec![weight(every_day(&[("06:00", "10:00")]))],
        )];
        // The window is 06:00–10:00 summer time: 04:00Z–08:00Z.
        let now = at("2026-03-29T05:00:00Z");
        let t = &today(&plans, &[], now)[0];
        assert_eq!(t.occurrence.start, at("2026-03-29T04:00:00Z"));
        assert_eq!(t.occurrence.end, at("2026-03-29T08:00:00Z"));
        assert_eq!(t.status, Status::Due);
        // Weighed at 00:30 local (still winter time): today, so done.
        let early = (w(), at("2026-03-28T23:30:00Z"));
        assert!(today(&plans, &[early], now)[0].is_done());
        // 23:30 local on the 28th (22:30Z) was yesterday.
        let yesterday = (w(), at("2026-03-28T22:30:00Z"));
        assert!(!today(&plans, &[yesterday], now)[0].is_done());
        // A time in the gap resolves to the jump.
        assert_eq!(
            today_at(now, LocalTime::new(2, 30).unwrap()),
            at("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            today_at(now, LocalTime::new(7, 30).unwrap()),
            at("2026-03-29T05:30:00Z")
        );
    }

    #[test]
    fn the_day_summer_time_ends_is_25_hours() {
        // Sunday 25 October 2026: 03:00 summer time becomes 02:00 (01:00Z).
        let now = at("2026-10-25T21:00:00Z");
        let (start, end) = day_of(now);
        assert_eq!(start, at("2026-10-24T22:00:00Z"));
        assert_eq!(end, at("2026-10-25T23:00:00Z"));
        let plans = [plan(
            "Hjertesvigt",
            vec![weight(every_day(&[("18:00", "24:00")]))],
        )];
        let t = &today(&plans, &[], now)[0];
        assert_eq!(t.occurrence.start, at("2026-10-25T17:00:00Z"));
        assert_eq!(t.occurrence.end, end);
        // 23:30 local (22:30Z) is still today.
        assert!(today(&plans, &[(w(), at("2026-10-25T22:30:00Z"))], now)[0].is_done());
        // 02:30 repeats: the first (summer-time) instant.
        assert_eq!(
            today_at(now, LocalTime::new(2, 30).unwrap()),
            at("2026-10-25T00:30:00Z")
        );
        assert_eq!(today_at(now, LocalTime::END_OF_DAY), end);
    }

    #[test]
    fn one_activity_in_two_plans_is_one_task_and_other_plans_are_left_out() {
        let daily = weight(every_day(&[("06:00", "10:00")]));
        let mut paused = plan("KOL", vec![daily.clone()]);
        paused.status = PlanStatus::Paused;
        let mut ended = plan("Gammel", vec![daily.clone()]);
        ended.status = PlanStatus::Ended;
        let mut future = plan("Senere", vec![daily.clone()]);
        future.started_at = at("2026-02-11T00:00:00Z");
        let plans = [
            plan("Hjertesvigt", vec![daily.clone()]),
            plan("Nyre", vec![daily.clone()]),
            plan("Hjertesvigt", vec![daily]),
            paused,
            ended,
            future,
            plan("Diabetes", vec![weight(Schedule::PerWeek { times: 1 })]),
        ];
        let now = at("2026-02-10T06:00:00Z");
        let tasks = today(&plans, &[], now);
        assert_eq!(tasks.len(), 2, "{tasks:#?}");
        // The week began before today's window.
        assert_eq!(tasks[0].period, Period::Week);
        assert_eq!(tasks[0].programmes, ["Diabetes"]);
        assert_eq!(tasks[1].programmes, ["Hjertesvigt", "Nyre"]);
        // One weighing serves both.
        let tasks = today(&plans, &[(w(), at("2026-02-10T06:30:00Z"))], now);
        assert!(tasks.iter().all(TodayTask::is_done));
    }

    #[test]
    fn a_plan_that_began_after_a_window_closed_does_not_ask_for_it() {
        let mut p = plan(
            "KOL",
            vec![weight(every_day(&[("07:00", "11:00"), ("17:00", "21:00")]))],
        );
        // Enrolled at 14:00 local.
        p.started_at = at("2026-02-10T13:00:00Z");
        let tasks = today(&[p], &[], at("2026-02-10T14:00:00Z"));
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].occurrence.start, at("2026-02-10T16:00:00Z"));
        assert_eq!(tasks[0].status, Status::Later);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn arb_schedule() -> impl Strategy<Value = Schedule> {
            let windows = proptest::collection::btree_set(0u16..24, 1..4).prop_map(|hours| {
                hours
                    .into_iter()
                    .map(|h| LocalWindow {
                        start: LocalTime::new(h as u8, 0).unwrap(),
                        end: LocalTime::new(h as u8, 59).unwrap(),
                    })
                    .collect::<Vec<_>>()
            });
            let days = proptest::sample::subsequence(Weekday::ALL.to_vec(), 1..=7);
            prop_oneof![
                (days, windows)
                    .prop_map(|(weekdays, windows)| Schedule::Days { weekdays, windows }),
                (1u8..=21).prop_map(|times| Schedule::PerWeek { times }),
                (1u8..=31, 1u8..=28)
                    .prop_map(|(day, within_days)| Schedule::Monthly { day, within_days }),
            ]
        }

        proptest! {
            /// Every task lies on today's calendar day; nothing is done without results, and
            /// everything is done with enough results at the start of each task's period.
            #[test]
            fn tasks_are_today_and_results_complete_them(
                schedule in arb_schedule(),
                // 2026 and 2027, both daylight-saving changes included.
                now in 1_767_225_600_000_000i64..1_830_297_600_000_000,
            ) {
                let now = Timestamp(now);
                let plans = [plan("P", vec![weight(schedule)])];
                let (start, end) = day_of(now);
                let tasks = today(&plans, &[], now);
                for t in &tasks {
                    prop_assert!(t.occurrence.start < end && t.occurrence.end > start);
                    prop_assert!(!t.is_done());
                }
                let results: Vec<(Subject, Timestamp)> = tasks
                    .iter()
                    .flat_map(|t| {
                        std::iter::repeat_n((w(), t.occurrence.start.max(start)), usize::from(t.occurrence.required))
                    })
                    .collect();
                let done = today(&plans, &results, now);
                prop_assert_eq!(done.len(), tasks.len());
                prop_assert!(done.iter().all(TodayTask::is_done), "{:#?}", done);
            }
        }
    }
}
