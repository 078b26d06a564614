//! A service case: who it is about, how it came in, what kind of help it needs, where it is in
//! its life, and its clocks. Every change to a case is an [`CaseEvent`] applied by
//! [`Case::apply`], which decides the next status and moves the clocks in the same step, so
//! storage never has to know which clock a pending state pauses.

use super::sla::{BusinessCalendar, Clock, ClockState};
use crate::error::{DomainError, ErrorCode};
use crate::identity::string_enum;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

string_enum!(
    /// How the case came to the desk.
    Channel {
        Phone = "phone",
        Web = "web",
        Staff = "staff",
        Automatic = "automatic",
    }
);

string_enum!(
    /// Who asked: a citizen, a relative on the citizen's behalf, a member of staff, or the
    /// platform itself (a proactive case).
    RequesterKind {
        Citizen = "citizen",
        NextOfKin = "next_of_kin",
        Staff = "staff",
        System = "system",
    }
);

string_enum!(
    /// What kind of help the case is about.
    Category {
        MeasurementHelp = "measurement_help",
        EquipmentFault = "equipment_fault",
        DeliveryPickup = "delivery_pickup",
        LoginAccess = "login_access",
        StaffQuestion = "staff_question",
        Other = "other",
    }
);

string_enum!(
    /// Where a case is in its life. The three pending states stop the clocks: the desk is
    /// waiting for someone else.
    CaseStatus {
        New = "new",
        Open = "open",
        PendingCitizen = "pending_citizen",
        PendingVisit = "pending_visit",
        PendingSupplier = "pending_supplier",
        Resolved = "resolved",
        Closed = "closed",
    }
);

impl CaseStatus {
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            CaseStatus::PendingCitizen | CaseStatus::PendingVisit | CaseStatus::PendingSupplier
        )
    }

    /// Still the desk's work (not resolved or closed).
    pub fn is_active(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }
}

string_enum!(
    /// How many are hurt: a citizen who cannot measure at all is high; one measurement or a
    /// workaround is medium; a question is low.
    Impact {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

string_enum!(
    /// How soon it hurts: a plan with measurements due today is high.
    Urgency {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

string_enum!(
    /// The case's priority. Acute is its own lane with an around-the-clock clock: a
    /// high-risk citizen whose monitoring has stopped.
    Priority {
        Acute = "acute",
        High = "high",
        Normal = "normal",
        Low = "low",
    }
);

impl Priority {
    /// The usual ITIL matrix: impact × urgency, the acute lane chosen explicitly.
    pub fn from_matrix(impact: Impact, urgency: Urgency) -> Priority {
        use Impact as I;
        use Urgency as U;
        match (impact, urgency) {
            (I::High, U::High) => Priority::High,
            (I::High, U::Medium) | (I::Medium, U::High) => Priority::High,
            (I::High, U::Low) | (I::Medium, U::Medium) | (I::Low, U::High) => Priority::Normal,
            (I::Medium, U::Low) | (I::Low, U::Medium) | (I::Low, U::Low) => Priority::Low,
        }
    }

    /// Targets in working minutes: (first response, update interval, resolution).
    pub fn targets(self) -> Targets {
        let (first_response, update, resolution) = match self {
            Priority::Acute => (15, 60, 4 * 60),
            Priority::High => (30, 4 * 60, 8 * 60),
            Priority::Normal => (2 * 60, 8 * 60, 3 * 8 * 60),
            Priority::Low => (8 * 60, 2 * 8 * 60, 10 * 8 * 60),
        };
        Targets {
            first_response,
            update,
            resolution,
        }
    }

    /// Acute cases run on every minute of the day; the rest on the centre's opening hours.
    pub fn calendar<'a>(
        self,
        centre: &'a BusinessCalendar,
        around_the_clock: &'a BusinessCalendar,
    ) -> &'a BusinessCalendar {
        if self == Priority::Acute {
            around_the_clock
        } else {
            centre
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub first_response: i64,
    pub update: i64,
    pub resolution: i64,
}

/// Operational-level targets (the desk's own suppliers), in working minutes: a technician's
/// visit within two working days, a supplier's repair within ten.
pub const OLA_VISIT_MINUTES: i64 = 2 * 8 * 60;
pub const OLA_SUPPLIER_MINUTES: i64 = 10 * 8 * 60;

/// The case's clocks. First response stops at the first answer; update restarts on every
/// answer; resolution stops at resolution and carries on (with the resolved stretch left out)
/// when the case reopens. An OLA clock runs while the case waits for a visit or a supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocks {
    pub first_response: Clock,
    pub update: Clock,
    pub resolution: Clock,
    pub ola: Option<Clock>,
}

/// Which clock a state of alarm is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockName {
    FirstResponse,
    Update,
    Resolution,
    Ola,
}

impl ClockName {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockName::FirstResponse => "first_response",
            ClockName::Update => "update",
            ClockName::Resolution => "resolution",
            ClockName::Ola => "ola",
        }
    }
}

/// What happens to a case. The desk's answers (a call, a message to the citizen, a note the
/// citizen sees) are `Respond`; internal notes change no clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseEvent {
    /// An agent takes the case (or hands it on).
    Assign,
    /// The desk answered the citizen.
    Respond,
    /// Waiting for the citizen, a visit or a supplier.
    Wait(CaseStatus),
    /// Back with the desk.
    Resume,
    Reprioritise(Priority),
    Resolve,
    Reopen,
    Close,
    /// This case is a duplicate of another, which goes on.
    MergeInto,
}

/// The parts of a case its lifecycle decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub status: CaseStatus,
    pub priority: Priority,
    pub clocks: Clocks,
    /// Whether the desk has answered at all (first-contact resolution needs it).
    pub responded: bool,
    pub reopened: u32,
    /// Whether the case ever waited for the citizen, a visit or a supplier.
    #[serde(default)]
    pub waited: bool,
}

impl CaseState {
    /// A new case: its clocks start now.
    pub fn open(priority: Priority, at: Timestamp) -> CaseState {
        let t = priority.targets();
        CaseState {
            status: CaseStatus::New,
            priority,
            clocks: Clocks {
                first_response: Clock::start(t.first_response, at),
                update: Clock::start(t.update, at),
                resolution: Clock::start(t.resolution, at),
                ola: None,
            },
            responded: false,
            reopened: 0,
            waited: false,
        }
    }

    /// The state after an event at `at`, or a conflict naming the status and the event.
    pub fn apply(&self, event: &CaseEvent, at: Timestamp) -> Result<CaseState, DomainError> {
        use CaseStatus::*;
        let mut next = self.clone();
        let refuse = || {
            DomainError::new(
                ErrorCode::Conflict,
                format!(
                    "a case that is {} cannot {}",
                    self.status,
                    event_name(event)
                ),
            )
        };
        match event {
            CaseEvent::Assign => match self.status {
                New => next.status = Open,
                Open | PendingCitizen | PendingVisit | PendingSupplier => {}
                Resolved | Closed => return Err(refuse()),
            },
            CaseEvent::Respond => {
                if !self.status.is_active() {
                    return Err(refuse());
                }
                next.responded = true;
                next.clocks.first_response.stop(at);
                // Every answer starts a new update interval, kept paused while pending.
                let mut update = Clock::start(self.priority.targets().update, at);
                if self.status.is_pending() {
                    update.pause(at);
                }
                next.clocks.update = update;
                if self.status == New {
                    next.status = Open;
                }
            }
            CaseEvent::Wait(pending) => {
                if !pending.is_pending() || !self.status.is_active() || self.status == *pending {
                    return Err(refuse());
                }
                // Telling the asker what the case now waits for is an answer too.
                if !self.responded {
                    next = next.apply(&CaseEvent::Respond, at)?;
                }
                next.status = *pending;
                next.waited = true;
                next.clocks.resolution.pause(at);
                next.clocks.update.pause(at);
                if let Some(ola) = next.clocks.ola.as_mut() {
                    ola.stop(at);
                }
                next.clocks.ola = match pending {
                    PendingVisit => Some(Clock::start(OLA_VISIT_MINUTES, at)),
                    PendingSupplier => Some(Clock::start(OLA_SUPPLIER_MINUTES, at)),
                    _ => next.clocks.ola.take(),
                };
            }
            CaseEvent::Resume => {
                if !self.status.is_pending() {
                    return Err(refuse());
                }
                next.status = Open;
                next.clocks.resolution.resume(at);
                next.clocks.update.resume(at);
                if let Some(ola) = next.clocks.ola.as_mut() {
                    ola.stop(at);
                }
            }
            CaseEvent::Reprioritise(priority) => {
                if !self.status.is_active() {
                    return Err(refuse());
                }
                let t = priority.targets();
                next.priority = *priority;
                next.clocks.first_response.retarget(t.first_response);
                next.clocks.update.retarget(t.update);
                next.clocks.resolution.retarget(t.resolution);
            }
            CaseEvent::Resolve => {
                if !self.status.is_active() {
                    return Err(refuse());
                }
                next.status = Resolved;
                next.clocks.first_response.stop(at);
                next.clocks.update.stop(at);
                next.clocks.resolution.stop(at);
                if let Some(ola) = next.clocks.ola.as_mut() {
                    ola.stop(at);
                }
            }
            CaseEvent::Reopen => {
                if self.status != Resolved {
                    return Err(refuse());
                }
                next.status = Open;
                next.reopened += 1;
                next.clocks.resolution.reopen(at);
                next.clocks.update = Clock::start(self.priority.targets().update, at);
            }
            CaseEvent::Close => {
                if self.status != Resolved {
                    return Err(refuse());
                }
                next.status = Closed;
            }
            CaseEvent::MergeInto => {
                if !self.status.is_active() {
                    return Err(refuse());
                }
                next.status = Closed;
                next.clocks.first_response.stop(at);
                next.clocks.update.stop(at);
                next.clocks.resolution.stop(at);
                if let Some(ola) = next.clocks.ola.as_mut() {
                    ola.stop(at);
                }
            }
        }
        Ok(next)
    }

    /// Each running or stopped clock with its state: what the queue shows and escalation reads.
    pub fn clock_states(
        &self,
        centre: &BusinessCalendar,
        now: Timestamp,
    ) -> Vec<(ClockName, ClockState)> {
        let all_day = BusinessCalendar::around_the_clock();
        let cal = self.priority.calendar(centre, &all_day);
        let mut out = vec![
            (
                ClockName::FirstResponse,
                self.clocks.first_response.state(cal, now),
            ),
            (
                ClockName::Resolution,
                self.clocks.resolution.state(cal, now),
            ),
        ];
        // The update clock matters only once answered and while the case is live.
        if self.responded && self.status.is_active() {
            out.push((ClockName::Update, self.clocks.update.state(cal, now)));
        }
        if let Some(ola) = &self.clocks.ola {
            // The OLA is the supplier's promise: it runs on the office calendar always.
            out.push((ClockName::Ola, ola.state(centre, now)));
        }
        out
    }

    /// The earliest moment a running clock reaches its target: the queue sorts by it.
    pub fn next_due(&self, centre: &BusinessCalendar, now: Timestamp) -> Option<Timestamp> {
        let all_day = BusinessCalendar::around_the_clock();
        let cal = self.priority.calendar(centre, &all_day);
        let mut dues = vec![
            self.clocks.first_response.due_at(cal, now),
            self.clocks.resolution.due_at(cal, now),
        ];
        if self.responded {
            dues.push(self.clocks.update.due_at(cal, now));
        }
        if let Some(ola) = &self.clocks.ola {
            dues.push(ola.due_at(centre, now));
        }
        dues.into_iter().flatten().min()
    }

    /// The escalation level the clocks call for: 0 none, 1 a warning (80 % used), 2 breached,
    /// 3 breached by half its target again (the centre's lead is told).
    pub fn escalation_level(&self, centre: &BusinessCalendar, now: Timestamp) -> u8 {
        if !self.status.is_active() {
            return 0;
        }
        let all_day = BusinessCalendar::around_the_clock();
        let cal = self.priority.calendar(centre, &all_day);
        let mut level = 0u8;
        let mut consider = |clock: &Clock, cal: &BusinessCalendar| {
            if clock.stopped_at.is_some() {
                return;
            }
            let l = match clock.state(cal, now) {
                ClockState::Warning => 1,
                ClockState::Breached => {
                    if clock.elapsed_minutes(cal, now) * 2 >= clock.target_minutes * 3 {
                        3
                    } else {
                        2
                    }
                }
                _ => 0,
            };
            level = level.max(l);
        };
        consider(&self.clocks.first_response, cal);
        consider(&self.clocks.resolution, cal);
        if self.responded {
            consider(&self.clocks.update, cal);
        }
        if let Some(ola) = &self.clocks.ola {
            consider(ola, centre);
        }
        level
    }
}

impl CaseState {
    /// The same state with every time moved `micros` earlier: lets a test (and a data
    /// migration) let working time pass without waiting for it.
    #[doc(hidden)]
    pub fn shifted_back(&self, micros: i64) -> CaseState {
        let shift = |t: Timestamp| Timestamp(t.0 - micros);
        let clock = |c: &Clock| Clock {
            target_minutes: c.target_minutes,
            started_at: shift(c.started_at),
            pauses: c
                .pauses
                .iter()
                .map(|p| super::sla::Pause {
                    from: shift(p.from),
                    to: p.to.map(shift),
                })
                .collect(),
            stopped_at: c.stopped_at.map(shift),
        };
        let mut s = self.clone();
        s.clocks.first_response = clock(&self.clocks.first_response);
        s.clocks.update = clock(&self.clocks.update);
        s.clocks.resolution = clock(&self.clocks.resolution);
        s.clocks.ola = self.clocks.ola.as_ref().map(clock);
        s
    }
}

/// How long a first contact lasts: the call, and the call back within it.
pub const FIRST_CONTACT_MINUTES: i64 = 120;

impl CaseState {
    /// First-contact resolution: resolved without waiting for anyone, never reopened, and
    /// within the contact that opened it.
    pub fn first_contact(&self, opened_at: Timestamp, resolved_at: Timestamp) -> bool {
        self.status == CaseStatus::Resolved
            && !self.waited
            && self.reopened == 0
            && resolved_at.0 - opened_at.0 <= FIRST_CONTACT_MINUTES * 60_000_000
    }
}

fn event_name(e: &CaseEvent) -> String {
    match e {
        CaseEvent::Assign => "be assigned".into(),
        CaseEvent::Respond => "be answered".into(),
        CaseEvent::Wait(s) => format!("become {s}"),
        CaseEvent::Resume => "resume".into(),
        CaseEvent::Reprioritise(_) => "change priority".into(),
        CaseEvent::Resolve => "be resolved".into(),
        CaseEvent::Reopen => "be reopened".into(),
        CaseEvent::Close => "be closed".into(),
        CaseEvent::MergeInto => "be merged".into(),
    }
}

/// A citizen's rating of the help, after resolution.
pub fn check_rating(score: i64, comment: &str) -> Result<(), DomainError> {
    if !(1..=5).contains(&score) {
        return Err(DomainError::invalid("a rating is 1 to 5"));
    }
    if comment.chars().count() > 2000 {
        return Err(DomainError::invalid(
            "a rating comment is at most 2000 characters",
        ));
    }
    Ok(())
}

/// A case's subject and first description, as the desk writes them.
pub fn check_subject(subject: &str) -> Result<(), DomainError> {
    let n = subject.trim().chars().count();
    if n == 0 {
        return Err(DomainError::invalid("a case needs a subject"));
    }
    if n > 200 {
        return Err(DomainError::invalid("a subject is at most 200 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
