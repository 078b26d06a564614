//! Working time and SLA clocks. A service centre's business calendar is its opening hours
//! per weekday and its own closing days, on top of the Danish public holidays
//! (`crate::calendar`). Clocks (first response, update, resolution) count working minutes
//! from their start, leave out the stretches they were paused (a case waiting for the
//! citizen, a visit or a supplier), and so keep paused time across reopening and priority
//! changes: the pauses are part of the clock, not of the case's current state.

use crate::calendar::holiday;
use crate::error::DomainError;
use crate::time::{Timestamp, copenhagen_instant};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

const MICROS_PER_MINUTE: i64 = 60_000_000;
/// How far ahead a deadline is looked for: a calendar open less than that is refused.
const MAX_DAYS: i64 = 3 * 366;

/// Opening hours of one weekday: minutes past local midnight, `open < close`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub open: u16,
    pub close: u16,
}

/// When a service centre works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessCalendar {
    /// Monday first; None: closed that weekday.
    pub week: [Option<Hours>; 7],
    /// The centre's own closing days (a staff day, the day after Ascension).
    pub closed_days: Vec<Date>,
    /// Whether the Danish public holidays close the centre (an acute lane may run on them).
    pub closed_on_holidays: bool,
}

impl BusinessCalendar {
    /// Weekdays 08:00–16:00, closed at weekends and on public holidays: the Danish office day.
    pub fn office_hours() -> Self {
        let day = Some(Hours {
            open: 8 * 60,
            close: 16 * 60,
        });
        BusinessCalendar {
            week: [day, day, day, day, day, None, None],
            closed_days: Vec::new(),
            closed_on_holidays: true,
        }
    }

    /// Every minute of every day: the acute lane's clock.
    pub fn around_the_clock() -> Self {
        let day = Some(Hours {
            open: 0,
            close: 24 * 60,
        });
        BusinessCalendar {
            week: [day; 7],
            closed_days: Vec::new(),
            closed_on_holidays: false,
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        for h in self.week.iter().flatten() {
            if h.open >= h.close || h.close > 24 * 60 {
                return Err(DomainError::invalid(
                    "opening hours must open before they close, within the day",
                ));
            }
        }
        if self.week.iter().all(Option::is_none) {
            return Err(DomainError::invalid(
                "a service centre is open on some weekday",
            ));
        }
        Ok(())
    }

    /// The working stretch of a local date, as instants, if the centre is open that day.
    pub fn open_on(&self, date: Date) -> Option<(Timestamp, Timestamp)> {
        if self.closed_days.contains(&date) || (self.closed_on_holidays && holiday(date).is_some())
        {
            return None;
        }
        let h = self.week[date.weekday().number_days_from_monday() as usize]?;
        Some((
            copenhagen_instant(date, u32::from(h.open)),
            copenhagen_instant(date, u32::from(h.close)),
        ))
    }

    /// Working time between two instants, in microseconds (0 if `to` is not after `from`).
    pub fn working_micros(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut date = from.in_copenhagen().date() - Duration::days(1);
        let last = to.in_copenhagen().date() + Duration::days(1);
        while date <= last {
            if let Some((open, close)) = self.open_on(date) {
                let start = open.0.max(from.0);
                let end = close.0.min(to.0);
                if end > start {
                    total += end - start;
                }
            }
            date += Duration::days(1);
        }
        total
    }

    /// Whole working minutes between two instants.
    pub fn working_minutes(&self, from: Timestamp, to: Timestamp) -> i64 {
        self.working_micros(from, to) / MICROS_PER_MINUTE
    }

    /// The instant `minutes` of working time after `from` (from itself when 0 and open).
    /// None only for a calendar that is not open within three years.
    pub fn add_working_minutes(&self, from: Timestamp, minutes: i64) -> Option<Timestamp> {
        let mut left = minutes.max(0) * MICROS_PER_MINUTE;
        let mut date = from.in_copenhagen().date() - Duration::days(1);
        let until = date + Duration::days(MAX_DAYS);
        while date <= until {
            if let Some((open, close)) = self.open_on(date) {
                let start = open.0.max(from.0);
                if close.0 > start {
                    let available = close.0 - start;
                    if left <= available {
                        return Some(Timestamp(start + left));
                    }
                    left -= available;
                }
            }
            date += Duration::days(1);
        }
        None
    }
}

/// A stretch a clock stood still.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: Timestamp,
    /// None: still paused.
    pub to: Option<Timestamp>,
}

/// Where a clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Running, with working time left.
    Running,
    /// Running, past the warning share of its target.
    Warning,
    Paused,
    /// Stopped within its target.
    Met,
    /// Past its target (running or stopped late).
    Breached,
}

/// One SLA clock: a target in working minutes, when it started, its pauses and, once its
/// goal is reached (a first answer, the resolution), when it stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub target_minutes: i64,
    pub started_at: Timestamp,
    pub pauses: Vec<Pause>,
    pub stopped_at: Option<Timestamp>,
}

/// The share of a target after which a running clock warns, in per cent.
pub const WARNING_PERCENT: i64 = 80;

impl Clock {
    pub fn start(target_minutes: i64, at: Timestamp) -> Clock {
        Clock {
            target_minutes,
            started_at: at,
            pauses: Vec::new(),
            stopped_at: None,
        }
    }

    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.to.is_none())
    }

    /// Stands the clock still (a pending state); pausing a paused clock changes nothing.
    pub fn pause(&mut self, at: Timestamp) {
        if !self.is_paused() && self.stopped_at.is_none() {
            self.pauses.push(Pause {
                from: at.max(self.started_at),
                to: None,
            });
        }
    }

    /// Runs it again (the case is back with the desk, or reopened).
    pub fn resume(&mut self, at: Timestamp) {
        if let Some(p) = self.pauses.last_mut()
            && p.to.is_none()
        {
            p.to = Some(at.max(p.from));
        }
    }

    /// The goal is reached; a stopped clock restarts only through [`Clock::reopen`].
    pub fn stop(&mut self, at: Timestamp) {
        if self.stopped_at.is_none() {
            self.resume(at);
            self.stopped_at = Some(at);
        }
    }

    /// A resolved case reopens: the time from resolution to reopening does not count, and
    /// everything counted before (and every pause) is kept.
    pub fn reopen(&mut self, at: Timestamp) {
        if let Some(stopped) = self.stopped_at.take() {
            self.pauses.push(Pause {
                from: stopped,
                to: Some(at.max(stopped)),
            });
        }
    }

    /// A new target (the priority changed); what has elapsed and every pause stay.
    pub fn retarget(&mut self, target_minutes: i64) {
        self.target_minutes = target_minutes;
    }

    /// Working minutes counted so far, pauses left out.
    pub fn elapsed_minutes(&self, cal: &BusinessCalendar, now: Timestamp) -> i64 {
        let end = self.stopped_at.unwrap_or(now).max(self.started_at);
        let mut micros = cal.working_micros(self.started_at, end);
        for p in &self.pauses {
            let to = p.to.unwrap_or(end).min(end);
            micros -= cal.working_micros(p.from.max(self.started_at), to);
        }
        micros.max(0) / MICROS_PER_MINUTE
    }

    /// When the target is reached if the clock runs on from now; None while paused or stopped.
    pub fn due_at(&self, cal: &BusinessCalendar, now: Timestamp) -> Option<Timestamp> {
        if self.is_paused() || self.stopped_at.is_some() {
            return None;
        }
        let left = self.target_minutes - self.elapsed_minutes(cal, now);
        if left <= 0 {
            // Already past: the moment it ran out lies behind us; report now.
            return Some(now);
        }
        cal.add_working_minutes(now, left)
    }

    pub fn state(&self, cal: &BusinessCalendar, now: Timestamp) -> ClockState {
        let elapsed = self.elapsed_minutes(cal, now);
        if elapsed > self.target_minutes {
            return ClockState::Breached;
        }
        if self.stopped_at.is_some() {
            return ClockState::Met;
        }
        if self.is_paused() {
            return ClockState::Paused;
        }
        if elapsed * 100 >= self.target_minutes * WARNING_PERCENT {
            ClockState::Warning
        } else {
            ClockState::Running
        }
    }
}

#[cfg(test)]
mod tests;
