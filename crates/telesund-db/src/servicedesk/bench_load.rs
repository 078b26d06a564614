//! Synthetic service-desk history for the `bench-servicedesk` benchmark, written straight into
//! the tables: two years of a service centre's cases on top of `bench-equipment`'s data set
//! (citizens with their plans and units), row for row as the desk's flows write them.
//!
//! - every citizen without a phone number on record gets one (a mobile; a landline for some),
//!   and some a next of kin with a number, as the citizen's contact lists are written;
//! - cases, about `cases_per_citizen_year` per citizen in a programme (the desk serves those)
//!   and year, by phone, web (citizens and staff asking for themselves), staff calling about a
//!   citizen and the platform itself (a silent unit, with its missing-measurement task), over
//!   the categories; each lives through the real lifecycle (`Case::step`, so the stored
//!   `CaseState` with its clocks, status, priority, next deadline and escalation level are
//!   what `open_case` and `case_action` store): fixed on the phone, answered and resolved,
//!   waiting for the citizen (who answers in the portal), for a technician's visit (one of the
//!   citizen's visits) or a supplier; the sweep's escalation notices (a timeline entry and a
//!   staff notification per new level, judged before each step), its notes when data flows
//!   again or a visit is done, and its closing of resolved cases after seven days; some
//!   citizens rate the help by the SMS link;
//! - the live cases of a working desk: `live` cases opened in the last working days and left
//!   new, open, waiting for the citizen, a visit (a planned visit of the citizen's, else one
//!   booked for a unit in the home on one of the next working days — the visit row only, not
//!   the service order `case_action(BookTechnician)` makes with it) or a supplier, and
//!   proactive cases whose unit is still silent — besides any historical case whose next step
//!   would lie after `now`;
//! - an incoming call (answered, linked to its case) for every phone case, from the citizen's
//!   or the relative's number in one of the shapes exchanges send.
//!
//! About 10 % of the cases name a unit (one the citizen holds now) and its model. Case numbers
//! follow the opening order and the `counters` row moves past them. Not written: the audit
//! records, and the SMS the flows put in the notification outbox (answers, rating links).
//! Multi-row INSERTs in one transaction on the writer's connection with its durability
//! relaxed for the load (SQLite `synchronous=OFF` and no foreign-key checks, PostgreSQL
//! `synchronous_commit=off`), then set back; PostgreSQL's tables are analysed at the end, as
//! autovacuum would. Not for production use.

use super::cases::Case;
use crate::db::{Db, Pools, on_read};
use crate::error::{DbError, Result};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::time::Instant;
use telesund_core::Timestamp;
use telesund_core::ids::*;
use telesund_core::servicedesk::caller::caller_digits;
use telesund_core::servicedesk::case::{
    CaseEvent, CaseState, CaseStatus, Category, Channel, Impact, Priority, RequesterKind, Urgency,
};
use telesund_core::servicedesk::sla::BusinessCalendar;
use time::{Date, Duration};

const SECOND_US: i64 = 1_000_000;
const MINUTE_US: i64 = 60 * SECOND_US;
const HOUR_US: i64 = 60 * MINUTE_US;
const DAY_US: i64 = 24 * HOUR_US;
/// Resolved cases close after this long (the sweep's `CLOSE_AFTER_MICROS`).
const CLOSE_AFTER_US: i64 = 7 * DAY_US;
/// Bound parameters per statement (as the other bench loads: SQLite binds by name, so a
/// statement's binding is quadratic in its parameters; PostgreSQL allows 65,535).
const SQLITE_PARAMS: usize = 256;
const PG_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 1_000;
/// The platform's name on what the sweep writes.
const PLATFORM: &str = "Telesund";

/// What to load.
#[derive(Clone, Debug)]
pub struct ServiceDeskLoadSpec {
    /// Years of history up to `now`.
    pub years: u32,
    /// Cases per citizen and year (all channels).
    pub cases_per_citizen_year: f64,
    /// Live cases opened in the last working days, besides history that is still running.
    pub live: usize,
    /// The desk's members who take the cases (the first takes most).
    pub agents: Vec<(UserId, String)>,
    /// Staff who ask the desk (clinicians of the enrolling organisations).
    pub staff: Vec<(UserId, String)>,
    pub now: Timestamp,
    pub seed: u64,
}

/// What was loaded.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServiceDeskLoadReport {
    pub citizens: u64,
    pub phones: u64,
    pub next_of_kin: u64,
    pub cases: u64,
    /// Not resolved or closed.
    pub live: u64,
    pub with_unit: u64,
    pub automatic: u64,
    pub case_events: u64,
    pub calls: u64,
    pub ratings: u64,
    pub tasks: u64,
    pub notifications: u64,
    /// Visits booked for live cases.
    pub visits: u64,
    pub rows: u64,
    pub seconds: f64,
    /// Some cases with the number of timeline entries written for each: what `case` must
    /// read back.
    pub sample: Vec<(CaseId, usize)>,
}

/// A citizen the benchmark calls from.
#[derive(Clone, Debug)]
pub struct BenchCaller {
    pub citizen_id: CitizenId,
    /// The first number on record, as stored (E.164).
    pub phone: String,
    /// Units in use in the home.
    pub units: i64,
    /// In a programme now: the desk serves them.
    pub enrolled: bool,
}

// ---------------------------------------------------------------------------------------
// Random numbers (SplitMix64).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % (hi - lo) as u64) as i64
    }
    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[(self.next() % from.len() as u64) as usize]
    }
    /// Poisson-distributed with mean `mean` (Knuth; small means only).
    fn poisson(&mut self, mean: f64) -> usize {
        let l = (-mean).exp();
        let (mut k, mut p) = (0usize, 1.0);
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    /// A UUID v7 of the given time (µs), as an id made at that moment looks.
    fn uuid_at(&mut self, micros: i64) -> uuid::Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis((micros.max(0) / 1_000) as u64, &bytes)
            .into_uuid()
    }
    fn hex(&mut self) -> String {
        format!(
            "{:016x}{:016x}{:016x}{:016x}",
            self.next(),
            self.next(),
            self.next(),
            self.next()
        )
    }
}

// ---------------------------------------------------------------------------------------
// The people and their equipment, as the equipment load left them.

struct HomeUnit {
    id: UnitId,
    serial: String,
    model: ModelId,
    model_name: String,
    /// What the model measures ("blood_pressure", ...).
    measures: Vec<String>,
    /// The plan the unit serves (its first open assignment), the plan's team and the payer.
    plan: Option<(CarePlanId, uuid::Uuid, OrgId)>,
}

struct Kin {
    name: String,
    relation: &'static str,
    phone: String,
}

struct Person {
    id: CitizenId,
    name: String,
    phone: String,
    kin: Option<Kin>,
    units: Vec<HomeUnit>,
    /// The organisation of the first active enrolment: who pays for support.
    payer: Option<OrgId>,
    /// (visit, planned on) of planned visits; (visit, done at) of done ones.
    planned: Vec<(uuid::Uuid, Date)>,
    done: Vec<(uuid::Uuid, i64)>,
}

// ---------------------------------------------------------------------------------------
// A case being simulated.

struct EntryRow {
    at: i64,
    kind: &'static str,
    public: bool,
    text: String,
    reference: Option<String>,
    by: Option<uuid::Uuid>,
    by_name: String,
}

struct CallRow {
    caller: String,
    digits: String,
    received_at: i64,
    answered_at: i64,
    agent: (UserId, String),
}

/// A proactive case's missing-measurement task.
struct TaskRow {
    id: TaskId,
    plan: CarePlanId,
    team: uuid::Uuid,
    activity: String,
    window_start: i64,
    window_end: i64,
    created_at: i64,
    /// Data flowing again at (the note says so); else the desk is looking into it.
    flowing: Option<i64>,
    done_at: Option<i64>,
    model_name: String,
}

struct Draft {
    case: Case,
    entries: Vec<EntryRow>,
    call: Option<CallRow>,
    rating: Option<(i64, &'static str, i64)>,
    token: Option<String>,
    task: Option<TaskRow>,
    /// (level, at, user)
    notices: Vec<(i64, i64, Option<UserId>)>,
    /// A visit booked for the case: (visit, unit, payer, day).
    visit: Option<(uuid::Uuid, UnitId, OrgId, Date)>,
}

/// How a historical case goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Fixed on the phone in the call.
    RemoteFix,
    /// Taken, answered, resolved.
    Answered,
    /// Waiting for the citizen's answer in between.
    WaitCitizen,
    /// Waiting for a technician's visit.
    WaitVisit,
    WaitSupplier,
    /// A proactive case: the unit sends again (or the desk sorts it out with the citizen).
    Proactive,
}

/// Where a live case stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Live {
    New,
    Open,
    PendingCitizen,
    PendingVisit,
    PendingSupplier,
    Proactive,
}

const SUBJECTS: &[(Category, &[&str])] = &[
    (
        Category::MeasurementHelp,
        &[
            "Kan ikke finde ud af at måle blodtrykket",
            "Vægten viser en forkert vægt",
            "Målingen bliver ikke sendt",
            "Iltmåleren viser ingen værdi",
            "Hvornår skal jeg måle?",
        ],
    ),
    (
        Category::EquipmentFault,
        &[
            "Tabletten tænder ikke",
            "Blodtryksmåleren viser en fejlkode",
            "Vægten reagerer ikke",
            "Manchetten lækker",
            "Opladeren virker ikke",
        ],
    ),
    (
        Category::DeliveryPickup,
        &[
            "Hvornår kommer udstyret?",
            "Udstyret skal hentes igen",
            "Mangler oplader til tabletten",
            "Flytter – udstyret skal med",
        ],
    ),
    (
        Category::LoginAccess,
        &[
            "Kan ikke logge ind med MitID",
            "Har glemt adgangskoden",
            "Appen siger, at sessionen er udløbet",
        ],
    ),
    (
        Category::StaffQuestion,
        &[
            "Hvordan ser jeg borgerens udstyr?",
            "Kan ikke se borgerens målinger",
            "Spørgsmål om faktura for udstyr",
        ],
    ),
    (
        Category::Other,
        &[
            "Vil gerne tale med en medarbejder",
            "Klage over ventetid",
            "Andet spørgsmål",
        ],
    ),
];
const FAULTS: &[&str] = &[
    "sender ikke målinger",
    "viser fejlkode E1",
    "tænder ikke",
    "batteriet holder kun få timer",
];
const REPLIES: &[&str] = &[
    "Vi har set på det og vender tilbage i dag.",
    "Prøv at slukke og tænde igen, og skriv til os her, om det virker.",
    "Vi har sendt en vejledning. Ring endelig, hvis det driller.",
];
const FIXES: &[&str] = &[
    "Genstartet og parret igen over telefonen; måling modtaget.",
    "Vist hvordan manchetten sættes på; måling modtaget.",
    "Adgangskode nulstillet; borgeren er logget ind.",
];
const RESOLUTIONS: &[&str] = &[
    "Løst: borgeren måler igen.",
    "Udstyret virker efter genstart.",
    "Spørgsmålet er besvaret.",
    "Ny oplader sendt.",
];
const CITIZEN_REPLIES: &[&str] = &["Nu virker den!", "Det hjalp ikke.", "Tak, det gik."];
const RELATIONS: &[&str] = &["datter", "søn", "ægtefælle", "nabo"];
const KIN_NAMES: &[&str] = &[
    "Mette Hansen",
    "Lars Nielsen",
    "Anne Jensen",
    "Peter Pedersen",
    "Susanne Larsen",
];
const COMMENTS: &[&str] = &["", "", "Hurtig og venlig hjælp", "Fint", "Det tog lang tid"];

struct Sim<'a> {
    spec: &'a ServiceDeskLoadSpec,
    cal: BusinessCalendar,
    centre: OrgId,
    rng: Rng,
    now: i64,
}

impl Sim<'_> {
    fn agent(&mut self) -> (UserId, String) {
        let a = &self.spec.agents;
        if a.len() > 1 && self.rng.chance(0.25) {
            a[1 + (self.rng.next() % (a.len() - 1) as u64) as usize].clone()
        } else {
            a[0].clone()
        }
    }

    /// `minutes` (a random number in [lo, hi)) of the desk's working time after `at`.
    fn work_after(&mut self, at: i64, lo: i64, hi: i64) -> i64 {
        let m = self.rng.range(lo, hi);
        self.cal
            .add_working_minutes(Timestamp(at), m)
            .map_or(at + m * MINUTE_US, |t| t.0)
    }

    /// A random instant during the desk's opening hours on or after the day of `at`.
    fn in_hours(&mut self, at: i64) -> i64 {
        let mut day = Timestamp(at).in_copenhagen().date();
        for _ in 0..30 {
            if let Some((open, close)) = self.cal.open_on(day) {
                return self.rng.range(open.0, close.0);
            }
            day += Duration::days(1);
        }
        at
    }

    fn subject(&mut self, category: Category) -> String {
        let list = SUBJECTS
            .iter()
            .find(|(c, _)| *c == category)
            .map_or(&["Andet spørgsmål"][..], |(_, l)| *l);
        self.rng.pick(list).to_string()
    }

    fn entry(
        &self,
        d: &mut Draft,
        at: i64,
        kind: &'static str,
        public: bool,
        text: impl Into<String>,
        by: Option<&(UserId, String)>,
    ) {
        let (by, by_name) = match by {
            Some((u, n)) => (Some(u.0), n.clone()),
            None => (None, PLATFORM.to_string()),
        };
        d.entries.push(EntryRow {
            at,
            kind,
            public,
            text: text.into(),
            reference: None,
            by,
            by_name,
        });
    }

    /// What the minute sweep has done by `at`: each new escalation level noted once.
    fn sweep(&self, d: &mut Draft, at: i64) {
        if !d.case.status.is_active() {
            return;
        }
        let level = d.case.state.escalation_level(&self.cal, Timestamp(at)) as i64;
        if level <= d.case.escalation {
            return;
        }
        let user = d.case.assignee_user_id;
        for l in d.case.escalation + 1..=level {
            d.notices.push((l, at, if l == 1 { user } else { None }));
            self.entry(
                d,
                at,
                "escalated",
                false,
                format!("Eskaleret til niveau {l}"),
                None,
            );
        }
        d.case.escalation = level;
        d.case.updated_at = Timestamp(at);
    }

    /// A lifecycle step at `at`, after what the sweep did in the minute before.
    fn step(&self, d: &mut Draft, event: CaseEvent, at: i64) -> Result<()> {
        self.sweep(d, at - 30 * SECOND_US);
        d.case.step(&event, Timestamp(at), &self.cal)?;
        Ok(())
    }

    /// A new case opened at `at` (not yet numbered).
    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        p: &Person,
        at: i64,
        channel: Channel,
        category: Category,
        impact: Impact,
        urgency: Urgency,
        acute: bool,
        unit: Option<&HomeUnit>,
        about_citizen: bool,
    ) -> Result<Draft> {
        let priority = if acute {
            Priority::Acute
        } else {
            Priority::from_matrix(impact, urgency)
        };
        let staff = self.rng.pick(&self.spec.staff).clone();
        let kin = p.kin.as_ref().filter(|_| self.rng.chance(0.2));
        let (kind, name, user) = match channel {
            Channel::Automatic => (RequesterKind::System, PLATFORM.to_string(), None),
            Channel::Staff => (RequesterKind::Staff, staff.1.clone(), None),
            Channel::Web if !about_citizen || category == Category::StaffQuestion => {
                (RequesterKind::Staff, staff.1.clone(), Some(staff.0))
            }
            Channel::Phone if kin.is_some() => (
                RequesterKind::NextOfKin,
                kin.map(|k| k.name.clone()).unwrap_or_default(),
                None,
            ),
            _ => (RequesterKind::Citizen, p.name.clone(), None),
        };
        let citizen = (about_citizen || kind != RequesterKind::Staff).then_some(p.id);
        let subject = match unit {
            Some(u) if channel == Channel::Automatic => {
                format!("{} (SN {}) sender ikke data", u.model_name, u.serial)
            }
            Some(u) => format!(
                "{} (SN {}) {}",
                u.model_name,
                u.serial,
                self.rng.pick(FAULTS)
            ),
            None => self.subject(category),
        };
        let payer = match unit {
            Some(u) => u.plan.map(|(_, _, payer)| payer),
            None => citizen.and(p.payer),
        };
        let mut case = Case {
            id: CaseId(self.rng.uuid_at(at)),
            number: 0,
            centre_org_id: self.centre,
            citizen_id: citizen,
            citizen_name: None,
            requester_kind: kind,
            requester_name: name,
            requester_user_id: user,
            channel,
            category,
            subject,
            status: CaseStatus::New,
            impact,
            urgency,
            priority,
            state: CaseState::open(priority, Timestamp(at)),
            due_at: None,
            escalation: 0,
            assignee_user_id: None,
            assignee_name: None,
            unit_id: unit.map(|u| u.id),
            unit_serial: None,
            model_id: unit.map(|u| u.model),
            model_name: None,
            payer_org_id: payer,
            care_plan_id: None,
            task_id: None,
            merged_into: None,
            resolution: None,
            first_contact: false,
            data_flowing_at: None,
            opened_at: Timestamp(at),
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            updated_at: Timestamp(at),
        };
        case.refresh(&self.cal, Timestamp(at));
        let mut d = Draft {
            case,
            entries: Vec::new(),
            call: None,
            rating: None,
            token: None,
            task: None,
            notices: Vec::new(),
            visit: None,
        };
        let opener = self.agent();
        match channel {
            Channel::Automatic => {}
            Channel::Web => {
                // The citizen or the member of staff asked in their portal.
                d.entries.push(EntryRow {
                    at,
                    kind: "opened",
                    public: true,
                    text: format!("{} ({})", d.case.subject, channel),
                    reference: None,
                    by: user.map(|u| u.0),
                    by_name: d.case.requester_name.clone(),
                });
            }
            _ => {
                let text = format!("{} ({})", d.case.subject, channel);
                self.entry(&mut d, at, "opened", true, text, Some(&opener));
            }
        }
        if channel == Channel::Phone {
            let number = match d.case.requester_kind {
                RequesterKind::NextOfKin => kin.map_or(p.phone.clone(), |k| k.phone.clone()),
                _ => p.phone.clone(),
            };
            let national = &number[3..];
            let caller = match self.rng.next() % 4 {
                0 => number.clone(),
                1 => format!("45{national}"),
                2 => format!("0045{national}"),
                _ => national.to_string(),
            };
            let digits = caller_digits(&caller)?.unwrap_or_default();
            let received_at = at - self.rng.range(60, 240) * SECOND_US;
            d.call = Some(CallRow {
                caller,
                digits,
                received_at,
                answered_at: received_at + self.rng.range(5, 90) * SECOND_US,
                agent: opener,
            });
        }
        Ok(d)
    }

    /// After resolution: maybe a rating by the SMS link, and the sweep's closing after seven
    /// days.
    fn after_resolution(&mut self, d: &mut Draft, resolved: i64, link: bool) -> Result<()> {
        if link && d.case.citizen_id.is_some() {
            d.token = Some(self.rng.hex());
            let at = resolved + self.rng.range(HOUR_US, 3 * DAY_US);
            if self.rng.chance(0.25) && at < self.now {
                let score = *self.rng.pick(&[5, 5, 5, 4, 4, 3, 2]);
                let comment = *self.rng.pick(COMMENTS);
                d.rating = Some((score, comment, at));
                let name = d.case.requester_name.clone();
                let text = format!("Bedømmelse: {score}/5 {comment}")
                    .trim_end()
                    .to_string();
                d.entries.push(EntryRow {
                    at,
                    kind: "rating",
                    public: true,
                    text,
                    reference: None,
                    by: None,
                    by_name: name,
                });
            }
        }
        let close = resolved + CLOSE_AFTER_US + self.rng.range(0, 60) * SECOND_US;
        if close <= self.now {
            self.step(d, CaseEvent::Close, close)?;
            self.entry(
                d,
                close,
                "closed",
                false,
                "Lukket automatisk efter 7 dage",
                None,
            );
        }
        Ok(())
    }

    /// Working minutes until the desk's next step: mostly well within `target` (the clock's
    /// target for that step), sometimes late.
    fn delay(&mut self, target: i64) -> (i64, i64) {
        if self.rng.chance(0.88) {
            (2, (target * 3 / 4).max(3))
        } else {
            ((target * 3 / 4).max(3), target * 2)
        }
    }

    /// The agent takes the case at `at`.
    fn assign(&mut self, d: &mut Draft, agent: &(UserId, String), at: i64) -> Result<()> {
        self.step(d, CaseEvent::Assign, at)?;
        d.case.assignee_user_id = Some(agent.0);
        d.case.assignee_name = Some(agent.1.clone());
        self.entry(
            d,
            at,
            "assigned",
            false,
            format!("Tildelt {}", agent.1),
            Some(agent),
        );
        Ok(())
    }

    /// The desk answers the citizen (an SMS to a citizen's case, else a reply on the case).
    fn respond(&mut self, d: &mut Draft, agent: &(UserId, String), at: i64) -> Result<()> {
        self.step(d, CaseEvent::Respond, at)?;
        let text = self.rng.pick(REPLIES).to_string();
        let kind = if d.case.citizen_id.is_some() && self.rng.chance(0.5) {
            "sms"
        } else {
            "reply"
        };
        self.entry(d, at, kind, true, text, Some(agent));
        Ok(())
    }

    /// A historical case along `path`; stops where its next step would lie after `now`.
    fn history(&mut self, d: &mut Draft, p: &Person, path: Path) -> Result<()> {
        let now = self.now;
        let t0 = d.case.opened_at.0;
        let agent = self.agent();
        let targets = d.case.priority.targets();
        if path == Path::RemoteFix {
            let t = t0 + self.rng.range(3, 20) * MINUTE_US;
            if t > now {
                return Ok(());
            }
            self.step(d, CaseEvent::Respond, t)?;
            self.step(d, CaseEvent::Resolve, t)?;
            let text = self.rng.pick(FIXES).to_string();
            d.case.resolution = Some(text.clone());
            self.entry(d, t, "remote_fix", true, text, Some(&agent));
            return self.after_resolution(d, t, false);
        }
        if path == Path::Proactive {
            return self.proactive_history(d, agent);
        }
        let mut t = if d.case.channel == Channel::Phone {
            t0 + self.rng.range(1, 10) * MINUTE_US
        } else {
            let (lo, hi) = self.delay(targets.first_response / 2);
            self.work_after(t0, lo, hi)
        };
        if t > now {
            return Ok(());
        }
        self.assign(d, &agent, t)?;
        let (lo, hi) = self.delay(targets.first_response / 2);
        t = self.work_after(t, lo, hi);
        if t > now {
            return Ok(());
        }
        self.respond(d, &agent, t)?;
        // A visit to wait for: the first one done after the answer.
        let visit = p.done.iter().find(|(_, at)| *at > t).copied();
        let path = match (path, visit) {
            (Path::WaitVisit, None) => Path::Answered,
            (Path::WaitCitizen, _) if d.case.citizen_id.is_none() => Path::Answered,
            _ => path,
        };
        match path {
            Path::WaitCitizen => {
                self.step(d, CaseEvent::Wait(CaseStatus::PendingCitizen), t)?;
                self.entry(
                    d,
                    t,
                    "status",
                    true,
                    "Afventer: svar fra dig — venter på borgerens svar",
                    Some(&agent),
                );
                t += self.rng.range(2 * HOUR_US, 5 * DAY_US);
                if t > now {
                    return Ok(());
                }
                self.step(d, CaseEvent::Resume, t)?;
                let name = d.case.requester_name.clone();
                d.entries.push(EntryRow {
                    at: t,
                    kind: "requester_reply",
                    public: true,
                    text: self.rng.pick(CITIZEN_REPLIES).to_string(),
                    reference: None,
                    by: None,
                    by_name: name,
                });
            }
            Path::WaitVisit => {
                let Some((visit, done_at)) = visit else {
                    return Ok(());
                };
                self.step(d, CaseEvent::Wait(CaseStatus::PendingVisit), t)?;
                let day = Timestamp(done_at).in_copenhagen().date();
                d.entries.push(EntryRow {
                    at: t,
                    kind: "visit",
                    public: true,
                    text: format!("En tekniker kommer {day} (kalibrering)"),
                    reference: Some(visit.to_string()),
                    by: Some(agent.0.0),
                    by_name: agent.1.clone(),
                });
                t = done_at + self.rng.range(1, 60) * MINUTE_US;
                if t > now {
                    return Ok(());
                }
                self.step(d, CaseEvent::Resume, t)?;
                self.entry(
                    d,
                    t,
                    "visit_done",
                    true,
                    "Teknikerbesøget er gennemført",
                    None,
                );
            }
            Path::WaitSupplier => {
                self.step(d, CaseEvent::Wait(CaseStatus::PendingSupplier), t)?;
                self.entry(
                    d,
                    t,
                    "status",
                    true,
                    "Afventer: leverandør — reservedel bestilt",
                    Some(&agent),
                );
                t = self.work_after(t, 3 * 480, 15 * 480);
                if t > now {
                    return Ok(());
                }
                self.step(d, CaseEvent::Resume, t)?;
                self.entry(
                    d,
                    t,
                    "status",
                    false,
                    "Tilbage hos servicedesken — reservedelen er kommet",
                    Some(&agent),
                );
            }
            _ => {}
        }
        let (lo, hi) = self.delay(targets.resolution / 2);
        t = self.work_after(t, lo, hi);
        if t > now {
            return Ok(());
        }
        self.step(d, CaseEvent::Resolve, t)?;
        let text = self.rng.pick(RESOLUTIONS).to_string();
        d.case.resolution = Some(text.clone());
        self.entry(d, t, "resolved", true, text, Some(&agent));
        self.after_resolution(d, t, true)
    }

    /// A proactive case: opened by the sweep, taken and the citizen told; mostly the unit
    /// sends again within two days, else the desk sorts it out with the citizen.
    fn proactive_history(&mut self, d: &mut Draft, agent: (UserId, String)) -> Result<()> {
        let now = self.now;
        let t0 = d.case.opened_at.0;
        let targets = d.case.priority.targets();
        let (lo, hi) = self.delay(targets.first_response / 2);
        let mut t = self.work_after(t0, lo, hi);
        if t > now {
            return Ok(());
        }
        self.assign(d, &agent, t)?;
        let (lo, hi) = self.delay(targets.first_response / 2);
        t = self.work_after(t, lo, hi);
        if t > now {
            return Ok(());
        }
        self.step(d, CaseEvent::Respond, t)?;
        self.entry(
            d,
            t,
            "sms",
            true,
            "Vi kan se, at dit udstyr ikke sender. Vi ringer til dig i dag.",
            Some(&agent),
        );
        if self.rng.chance(0.7) {
            let flowing = t0 + self.rng.range(HOUR_US, 2 * DAY_US);
            // The sweep notices within the minute.
            let seen = flowing + self.rng.range(10, 60) * SECOND_US;
            if seen > now {
                return Ok(());
            }
            self.sweep(d, seen);
            d.case.data_flowing_at = Some(Timestamp(flowing));
            d.case.updated_at = Timestamp(seen.max(t));
            if let Some(task) = d.task.as_mut() {
                task.flowing = Some(flowing);
            }
            let model = d
                .task
                .as_ref()
                .map_or(String::new(), |x| x.model_name.clone());
            let when = Timestamp(flowing).danish();
            self.entry(
                d,
                seen.max(t),
                "data_flowing",
                false,
                format!("Data modtages igen fra {model} ({when})"),
                None,
            );
            t = seen.max(t);
        }
        let (lo, hi) = self.delay(targets.resolution / 4);
        t = self.work_after(t, lo, hi);
        if t > now {
            return Ok(());
        }
        self.step(d, CaseEvent::Resolve, t)?;
        let text = "Udstyret sender igen.".to_string();
        d.case.resolution = Some(text.clone());
        self.entry(d, t, "resolved", true, text, Some(&agent));
        if let Some(task) = d.task.as_mut() {
            task.done_at = Some(t);
        }
        self.after_resolution(d, t, true)
    }

    /// The missing-measurement task a proactive case comes from, and the case's link to it.
    fn proactive_task(&mut self, d: &mut Draft, u: &HomeUnit) {
        let Some((plan, team, _)) = u.plan else {
            return;
        };
        let t0 = d.case.opened_at.0;
        let kind = self.rng.pick(&u.measures).clone();
        let window_start = t0 - self.rng.range(1, 3) * DAY_US;
        let task = TaskRow {
            id: TaskId(self.rng.uuid_at(t0 - 5 * MINUTE_US)),
            plan,
            team,
            activity: format!("measurement:{kind}"),
            window_start,
            window_end: window_start + DAY_US,
            created_at: t0 - 5 * MINUTE_US,
            flowing: None,
            done_at: None,
            model_name: u.model_name.clone(),
        };
        d.case.care_plan_id = Some(plan);
        d.case.task_id = Some(task.id);
        let since = Timestamp(window_start - self.rng.range(1, 12) * HOUR_US).danish();
        let text = format!(
            "Åbnet automatisk: en manglende måling falder sammen med at {} (SN {}) ikke har sendt data siden {since}",
            u.model_name, u.serial
        );
        d.entries.push(EntryRow {
            at: t0,
            kind: "opened",
            public: false,
            text,
            reference: Some(task.id.to_string()),
            by: None,
            by_name: PLATFORM.into(),
        });
        d.task = Some(task);
    }

    /// A live case opened in the last working days, left where `stop` says.
    fn live(&mut self, d: &mut Draft, p: &Person, stop: Live) -> Result<()> {
        let now = self.now;
        let t0 = d.case.opened_at.0;
        if matches!(stop, Live::New | Live::Proactive) {
            return Ok(());
        }
        let agent = self.agent();
        let targets = d.case.priority.targets();
        let mut t = (t0 + self.rng.range(1, 10) * MINUTE_US).min(now);
        self.assign(d, &agent, t)?;
        if stop == Live::Open && self.rng.chance(0.4) {
            // Taken, not answered yet.
            return Ok(());
        }
        let (lo, hi) = self.delay(targets.first_response / 2);
        t = self.work_after(t, lo, hi).min(now);
        self.respond(d, &agent, t)?;
        match stop {
            Live::Open => {}
            Live::PendingCitizen => {
                self.step(d, CaseEvent::Wait(CaseStatus::PendingCitizen), t)?;
                self.entry(
                    d,
                    t,
                    "status",
                    true,
                    "Afventer: svar fra dig — venter på borgerens svar",
                    Some(&agent),
                );
            }
            Live::PendingVisit => {
                // A planned visit of the citizen's, else one booked now for one of the units
                // in the home on one of the next working days.
                let (visit, day) = match p.planned.first() {
                    Some(v) => *v,
                    None => {
                        let Some(u) = p.units.first() else {
                            return Err(DbError::Internal("a visit needs a unit".into()));
                        };
                        let payer = u
                            .plan
                            .map(|(_, _, o)| o)
                            .or(p.payer)
                            .ok_or_else(|| DbError::Internal("a visit needs a payer".into()))?;
                        let today = Timestamp(now).in_copenhagen().date();
                        let day = telesund_core::calendar::add_working_days(
                            today,
                            self.rng.range(1, 4) as u32,
                        );
                        let id = self.rng.uuid_at(t);
                        d.visit = Some((id, u.id, payer, day));
                        (id, day)
                    }
                };
                self.step(d, CaseEvent::Wait(CaseStatus::PendingVisit), t)?;
                d.entries.push(EntryRow {
                    at: t,
                    kind: "visit",
                    public: true,
                    text: format!("En tekniker kommer {day} (kalibrering)"),
                    reference: Some(visit.to_string()),
                    by: Some(agent.0.0),
                    by_name: agent.1.clone(),
                });
            }
            Live::PendingSupplier => {
                self.step(d, CaseEvent::Wait(CaseStatus::PendingSupplier), t)?;
                self.entry(
                    d,
                    t,
                    "status",
                    true,
                    "Afventer: leverandør — reservedel bestilt",
                    Some(&agent),
                );
            }
            Live::New | Live::Proactive => {}
        }
        Ok(())
    }
}

/// The channel, category and priority of a new case.
fn kind_of(rng: &mut Rng) -> (Channel, Category, Impact, Urgency) {
    let r = rng.unit();
    let channel = if r < 0.62 {
        Channel::Phone
    } else if r < 0.84 {
        Channel::Web
    } else if r < 0.94 {
        Channel::Staff
    } else {
        Channel::Automatic
    };
    let r = rng.unit();
    let category = match channel {
        Channel::Automatic => Category::EquipmentFault,
        Channel::Staff if r < 0.5 => Category::StaffQuestion,
        Channel::Staff if r < 0.75 => Category::EquipmentFault,
        Channel::Staff => Category::MeasurementHelp,
        Channel::Web if r < 0.2 => Category::StaffQuestion,
        _ if r < 0.35 => Category::MeasurementHelp,
        _ if r < 0.6 => Category::EquipmentFault,
        _ if r < 0.75 => Category::DeliveryPickup,
        _ if r < 0.9 => Category::LoginAccess,
        _ => Category::Other,
    };
    let (impact, urgency) = match rng.next() % 10 {
        0 => (Impact::High, Urgency::High),
        1 | 2 => (Impact::High, Urgency::Medium),
        3 => (Impact::Low, Urgency::Low),
        4 => (Impact::Low, Urgency::Medium),
        _ => (Impact::Medium, Urgency::Medium),
    };
    (channel, category, impact, urgency)
}

// ---------------------------------------------------------------------------------------
// Rows.

#[derive(Clone)]
enum V {
    Id(uuid::Uuid),
    OptId(Option<uuid::Uuid>),
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
}

struct Table {
    name: &'static str,
    head: &'static str,
    row: &'static str,
    rows: Vec<Vec<V>>,
}

impl Table {
    fn new(name: &'static str, head: &'static str, row: &'static str) -> Table {
        Table {
            name,
            head,
            row,
            rows: Vec::new(),
        }
    }
}

/// `head` and `rows` copies of `row`, its `?`s numbered `$1`, `$2`, ... across the rows.
fn values_sql(head: &str, row: &str, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * (row.len() + 40));
    sql.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        for ch in row.chars() {
            if ch == '?' {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push(ch);
            }
        }
    }
    sql
}

macro_rules! write_tables {
    ($conn:expr, $begin:expr, $max_params:expr, $tables:expr, $counter:expr, $progress:expr) => {{
        let mut tx = sqlx::Connection::begin_with(&mut *$conn, $begin).await?;
        for t in $tables.iter() {
            let t0 = Instant::now();
            let width = t.row.matches('?').count();
            if let Some(bad) = t.rows.iter().find(|r| r.len() != width) {
                return Err(DbError::Internal(format!(
                    "{}: a row of {} values for {width} placeholders",
                    t.name,
                    bad.len()
                )));
            }
            let per = ($max_params / width.max(1)).clamp(1, MAX_ROWS);
            for chunk in t.rows.chunks(per) {
                let mut q =
                    sqlx::query(sqlx::AssertSqlSafe(values_sql(t.head, t.row, chunk.len())));
                for row in chunk {
                    for v in row {
                        q = match v {
                            V::Id(x) => q.bind(*x),
                            V::OptId(x) => q.bind(*x),
                            V::Int(x) => q.bind(*x),
                            V::OptInt(x) => q.bind(*x),
                            V::Text(x) => q.bind(x.as_str()),
                            V::OptText(x) => q.bind(x.as_deref()),
                            V::Bool(x) => q.bind(*x),
                        };
                    }
                }
                q.execute(&mut *tx).await?;
            }
            ($progress)(format!(
                "  {}: {} rows in {:.1} s",
                t.name,
                t.rows.len(),
                t0.elapsed().as_secs_f64()
            ));
        }
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'service_case'")
            .bind($counter)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }};
}

const PHONE_HEAD: &str = "INSERT INTO citizen_phones (citizen_id, position, phone, digits) VALUES ";
const PHONE_ROW: &str = "(?, ?, ?, ?)";
const KIN_HEAD: &str = "INSERT INTO next_of_kin (id, citizen_id, position, name, relation, phone, phone_digits) VALUES ";
const KIN_ROW: &str = "(?, ?, 0, ?, ?, ?, ?)";
const TASK_HEAD: &str = "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, owner_user_id, \
     owner_name, activity, window_start, window_end, description, oldest_result_at, created_at, updated_at, completed_at, \
     completed_by_name, support_note) VALUES ";
const TASK_ROW: &str =
    "(?, ?, ?, ?, 'missing', 'blue', 'routine', ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const CASE_HEAD: &str = "INSERT INTO service_cases (id, number, centre_org_id, citizen_id, requester_kind, requester_name, \
     requester_user_id, channel, category, subject, status, impact, urgency, priority, state, due_at, escalation, \
     assignee_user_id, assignee_name, unit_id, model_id, payer_org_id, care_plan_id, task_id, merged_into, resolution, \
     first_contact, data_flowing_at, rating_token_hash, opened_at, first_response_at, resolved_at, closed_at, updated_at) VALUES ";
const CASE_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const EVENT_HEAD: &str = "INSERT INTO case_events (id, case_id, at, kind, visibility, text, ref, by_user_id, by_name) VALUES ";
const EVENT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
const RATING_HEAD: &str =
    "INSERT INTO case_ratings (case_id, score, comment, via, rated_at) VALUES ";
const RATING_ROW: &str = "(?, ?, ?, 'sms', ?)";
const CALL_HEAD: &str = "INSERT INTO incoming_calls (id, centre_org_id, caller, digits, external_id, received_at, answered_at, \
     answered_by_user_id, answered_by_name, case_id) VALUES ";
const CALL_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const VISIT_HEAD: &str = "INSERT INTO visits (id, order_id, unit_id, citizen_id, payer_org_id, kind, status, planned_on, technician_id, \
     proof, notes, price, done_at, done_by_name) VALUES ";
const VISIT_ROW: &str =
    "(?, NULL, ?, ?, ?, 'calibration', 'planned', ?, NULL, NULL, ?, NULL, NULL, NULL)";
const NOTICE_HEAD: &str = "INSERT INTO staff_notifications (id, user_id, org_id, role, kind, body, case_id, created_at, read_at) VALUES ";
const NOTICE_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

impl Db {
    /// Loads the service desk's history described by `spec` (see the module documentation)
    /// on top of `bench-equipment`'s data set, reporting progress through `progress`.
    pub async fn bench_load_servicedesk(
        &self,
        spec: &ServiceDeskLoadSpec,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<ServiceDeskLoadReport> {
        let started = Instant::now();
        if spec.agents.is_empty() || spec.staff.is_empty() {
            return Err(DbError::Internal(
                "the service desk load needs agents and staff".into(),
            ));
        }
        let centre = self.default_centre().await?;
        let cal = self.desk_calendar(centre).await?;
        let now = spec.now.0;
        let mut rng = Rng(spec.seed);
        let mut report = ServiceDeskLoadReport::default();

        // The citizens without a number on record (the benchmark's), with their units,
        // payer and visits.
        let people: Vec<(uuid::Uuid, String)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT c.id, c.given_name || ' ' || c.family_name FROM citizens c \
                 WHERE NOT EXISTS (SELECT 1 FROM citizen_phones p WHERE p.citizen_id = c.id) ORDER BY c.id",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        let mut persons: Vec<Person> = Vec::with_capacity(people.len());
        let mut index: HashMap<uuid::Uuid, usize> = HashMap::new();
        let mut phones = Table::new("citizen_phones", PHONE_HEAD, PHONE_ROW);
        let mut kins = Table::new("next_of_kin", KIN_HEAD, KIN_ROW);
        for (i, (id, name)) in people.into_iter().enumerate() {
            let phone = format!("+45{}", 50_000_000 + i);
            phones.rows.push(vec![
                V::Id(id),
                V::Int(0),
                V::Text(phone.clone()),
                V::Text(phone[3..].to_string()),
            ]);
            if rng.chance(0.25) {
                let landline = format!("+45{}", 86_000_000 + i);
                phones.rows.push(vec![
                    V::Id(id),
                    V::Int(1),
                    V::Text(landline.clone()),
                    V::Text(landline[3..].to_string()),
                ]);
            }
            let kin = rng.chance(0.35).then(|| Kin {
                name: rng.pick(KIN_NAMES).to_string(),
                relation: RELATIONS[(rng.next() % RELATIONS.len() as u64) as usize],
                phone: format!("+45{}", 60_000_000 + i),
            });
            if let Some(k) = &kin {
                kins.rows.push(vec![
                    V::Id(rng.uuid_at(now - 700 * DAY_US)),
                    V::Id(id),
                    V::Text(k.name.clone()),
                    V::Text(k.relation.to_string()),
                    V::Text(k.phone.clone()),
                    V::Text(k.phone[3..].to_string()),
                ]);
            }
            index.insert(id, persons.len());
            persons.push(Person {
                id: CitizenId(id),
                name,
                phone,
                kin,
                units: Vec::new(),
                payer: None,
                planned: Vec::new(),
                done: Vec::new(),
            });
        }
        if persons.is_empty() {
            return Err(DbError::Internal(
                "the service desk load needs citizens without a phone number".into(),
            ));
        }
        report.citizens = persons.len() as u64;
        report.phones = phones.rows.len() as u64;
        report.next_of_kin = kins.rows.len() as u64;

        let units = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT u.id, u.citizen_id, u.serial, m.id AS model_id, m.manufacturer || ' ' || m.name AS model_name, \
                 m.measures, a.care_plan_id, a.payer_org_id, p.care_team_id FROM units u \
                 JOIN device_models m ON m.id = u.model_id \
                 LEFT JOIN unit_assignments a ON a.unit_id = u.id AND a.ended_at IS NULL \
                 LEFT JOIN care_plans p ON p.id = a.care_plan_id \
                 WHERE u.state = 'in_use' AND u.citizen_id IS NOT NULL ORDER BY u.id, a.started_at",
            )
            .fetch_all(&mut *c)
            .await?;
            let mut out: Vec<(uuid::Uuid, HomeUnit)> = Vec::new();
            for r in &rows {
                let id = UnitId(r.try_get("id")?);
                if out.last().is_some_and(|(_, u)| u.id == id) {
                    continue;
                }
                let measures: String = r.try_get("measures")?;
                let plan: Option<uuid::Uuid> = r.try_get("care_plan_id")?;
                let team: Option<uuid::Uuid> = r.try_get("care_team_id")?;
                let payer: Option<uuid::Uuid> = r.try_get("payer_org_id")?;
                out.push((
                    r.try_get("citizen_id")?,
                    HomeUnit {
                        id,
                        serial: r.try_get("serial")?,
                        model: ModelId(r.try_get("model_id")?),
                        model_name: r.try_get("model_name")?,
                        measures: serde_json::from_str(&measures).unwrap_or_default(),
                        plan: match (plan, team, payer) {
                            (Some(p), Some(t), Some(o)) => Some((CarePlanId(p), t, OrgId(o))),
                            _ => None,
                        },
                    },
                ));
            }
            Ok::<_, DbError>(out)
        })?;
        for (citizen, u) in units {
            if let Some(&i) = index.get(&citizen) {
                persons[i].units.push(u);
            }
        }
        let payers: Vec<(uuid::Uuid, uuid::Uuid)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT citizen_id, org_id FROM enrolments WHERE status = 'active' ORDER BY citizen_id, started_at",
            )
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        for (citizen, org) in payers {
            if let Some(&i) = index.get(&citizen)
                && persons[i].payer.is_none()
            {
                persons[i].payer = Some(OrgId(org));
            }
        }
        let visits: Vec<(uuid::Uuid, uuid::Uuid, String, String, Option<i64>)> =
            on_read!(self, |c| {
                sqlx::query_as(
                    "SELECT id, citizen_id, status, planned_on, done_at FROM visits \
                     WHERE citizen_id IS NOT NULL ORDER BY planned_on",
                )
                .fetch_all(&mut *c)
                .await
                .map_err(DbError::from)
            })?;
        let today = spec.now.in_copenhagen().date();
        for (visit, citizen, status, planned_on, done_at) in visits {
            let Some(&i) = index.get(&citizen) else {
                continue;
            };
            match (status.as_str(), done_at) {
                ("done", Some(at)) => persons[i].done.push((visit, at)),
                ("planned", _) => {
                    if let Some(day) = crate::equipment::parse_date(&planned_on).ok()
                        && day >= today
                    {
                        persons[i].planned.push((visit, day));
                    }
                }
                _ => {}
            }
        }

        // The cases.
        let mut sim = Sim {
            spec,
            cal,
            centre,
            rng: Rng(spec.seed ^ 0x005e_41ce),
            now,
        };
        let span = i64::from(spec.years) * 365 * DAY_US;
        let mean = spec.cases_per_citizen_year * f64::from(spec.years);
        let mut drafts: Vec<Draft> = Vec::new();
        // Only citizens in a programme now: the desk serves those (and may read their cases).
        for p in persons.iter().filter(|p| p.payer.is_some()) {
            let n = sim.rng.poisson(mean);
            for _ in 0..n {
                let (mut channel, category, impact, urgency) = kind_of(&mut sim.rng);
                let measuring: Vec<&HomeUnit> = p
                    .units
                    .iter()
                    .filter(|u| !u.measures.is_empty() && u.plan.is_some())
                    .collect();
                if channel == Channel::Automatic && measuring.is_empty() {
                    channel = Channel::Phone;
                }
                let about_citizen = !(channel == Channel::Web
                    && category == Category::StaffQuestion
                    && sim.rng.chance(0.7));
                let r = sim.rng.unit();
                // Waiting for a visit: opened a few days before one of the citizen's visits.
                let visit = (channel != Channel::Automatic && (0.94..0.97).contains(&r))
                    .then(|| {
                        p.done
                            .iter()
                            .filter(|(_, t)| *t > now - span + 7 * DAY_US)
                            .nth((sim.rng.next() % 4) as usize)
                            .map(|(_, t)| *t)
                    })
                    .flatten();
                let at = match visit {
                    Some(done) => done - sim.rng.range(DAY_US, 6 * DAY_US),
                    None => now - sim.rng.range(2 * DAY_US, span),
                };
                let at = match channel {
                    Channel::Phone | Channel::Staff => sim.in_hours(at),
                    _ => at,
                };
                let visit = visit.filter(|done| at + 4 * HOUR_US < *done);
                let unit = match channel {
                    Channel::Automatic => Some(*sim.rng.pick(&measuring)),
                    _ if category == Category::EquipmentFault
                        && !p.units.is_empty()
                        && sim.rng.chance(0.2) =>
                    {
                        Some(sim.rng.pick(&p.units))
                    }
                    _ => None,
                };
                let mut d = sim.open(
                    p,
                    at,
                    channel,
                    category,
                    impact,
                    urgency,
                    false,
                    unit,
                    about_citizen,
                )?;
                let path = match channel {
                    Channel::Automatic => {
                        if let Some(u) = unit {
                            sim.proactive_task(&mut d, u);
                        }
                        Path::Proactive
                    }
                    Channel::Phone | Channel::Staff if r < 0.4 => Path::RemoteFix,
                    _ if r < 0.82 => Path::Answered,
                    _ if r < 0.94 => Path::WaitCitizen,
                    _ if visit.is_some() => Path::WaitVisit,
                    _ if (0.94..0.97).contains(&r) => Path::Answered,
                    _ => Path::WaitSupplier,
                };
                sim.history(&mut d, p, path)?;
                drafts.push(d);
            }
        }
        // The live cases of a working desk.
        let live_people: Vec<usize> = (0..persons.len())
            .filter(|i| persons[*i].payer.is_some())
            .collect();
        if live_people.is_empty() {
            return Err(DbError::Internal(
                "the service desk load needs citizens in a programme".into(),
            ));
        }
        for k in 0..spec.live {
            let p = &persons[*sim.rng.pick(&live_people)];
            let r = sim.rng.unit();
            let measuring: Vec<&HomeUnit> = p
                .units
                .iter()
                .filter(|u| !u.measures.is_empty() && u.plan.is_some())
                .collect();
            let mut stop = if r < 0.15 {
                Live::New
            } else if r < 0.6 {
                Live::Open
            } else if r < 0.8 {
                Live::PendingCitizen
            } else if r < 0.88 {
                Live::PendingVisit
            } else if r < 0.95 {
                Live::PendingSupplier
            } else {
                Live::Proactive
            };
            if (stop == Live::PendingVisit && p.planned.is_empty() && p.units.is_empty())
                || (stop == Live::Proactive && measuring.is_empty())
            {
                stop = Live::Open;
            }
            let (mut channel, mut category, impact, urgency) = kind_of(&mut sim.rng);
            if stop == Live::Proactive {
                channel = Channel::Automatic;
                category = Category::EquipmentFault;
            } else if channel == Channel::Automatic {
                channel = Channel::Phone;
            }
            // New cases came in within the last working hours; the rest in the last working
            // days (waiting for a supplier: the last weeks).
            let back = match stop {
                Live::New => sim.rng.range(5, 240),
                Live::PendingSupplier => sim.rng.range(480, 15 * 480),
                _ => sim.rng.range(30, 8 * 480),
            };
            let at = back_in_working_time(&sim.cal, now, back);
            let unit = match stop {
                Live::Proactive => Some(*sim.rng.pick(&measuring)),
                _ if category == Category::EquipmentFault
                    && !p.units.is_empty()
                    && sim.rng.chance(0.2) =>
                {
                    Some(sim.rng.pick(&p.units))
                }
                _ => None,
            };
            // A few acute ones: high-risk citizens whose monitoring stopped.
            let acute = stop == Live::Proactive && k % 4 == 0;
            let mut d = sim.open(p, at, channel, category, impact, urgency, acute, unit, true)?;
            if let (Live::Proactive, Some(u)) = (stop, unit) {
                sim.proactive_task(&mut d, u);
            }
            sim.live(&mut d, p, stop)?;
            drafts.push(d);
        }
        // What the sweep has done by now, for everything still live.
        for d in &mut drafts {
            sim.sweep(d, now - 30 * SECOND_US);
        }

        // Numbers in opening order.
        drafts.sort_by_key(|d| d.case.opened_at);
        let base: i64 = on_read!(self, |c| {
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'service_case'")
                .fetch_one(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        let mut tasks = Table::new("tasks", TASK_HEAD, TASK_ROW);
        let mut cases = Table::new("service_cases", CASE_HEAD, CASE_ROW);
        let mut events = Table::new("case_events", EVENT_HEAD, EVENT_ROW);
        let mut ratings = Table::new("case_ratings", RATING_HEAD, RATING_ROW);
        let mut calls = Table::new("incoming_calls", CALL_HEAD, CALL_ROW);
        let mut notices = Table::new("staff_notifications", NOTICE_HEAD, NOTICE_ROW);
        let mut visits = Table::new("visits", VISIT_HEAD, VISIT_ROW);
        let sample_every = (drafts.len() / 20).max(1);
        for (i, d) in drafts.iter_mut().enumerate() {
            let c = &mut d.case;
            c.number = base + 1 + i as i64;
            if c.status.is_active() {
                report.live += 1;
            }
            if c.unit_id.is_some() {
                report.with_unit += 1;
            }
            if c.channel == Channel::Automatic {
                report.automatic += 1;
            }
            let state = serde_json::to_string(&c.state)
                .map_err(|e| DbError::Internal(format!("case state: {e}")))?;
            cases.rows.push(vec![
                V::Id(c.id.0),
                V::Int(c.number),
                V::Id(c.centre_org_id.0),
                V::OptId(c.citizen_id.map(|x| x.0)),
                V::Text(c.requester_kind.as_str().into()),
                V::Text(c.requester_name.clone()),
                V::OptId(c.requester_user_id.map(|x| x.0)),
                V::Text(c.channel.as_str().into()),
                V::Text(c.category.as_str().into()),
                V::Text(c.subject.clone()),
                V::Text(c.status.as_str().into()),
                V::Text(c.impact.as_str().into()),
                V::Text(c.urgency.as_str().into()),
                V::Text(c.priority.as_str().into()),
                V::Text(state),
                V::OptInt(c.due_at.map(|t| t.0)),
                V::Int(c.escalation),
                V::OptId(c.assignee_user_id.map(|x| x.0)),
                V::OptText(c.assignee_name.clone()),
                V::OptId(c.unit_id.map(|x| x.0)),
                V::OptId(c.model_id.map(|x| x.0)),
                V::OptId(c.payer_org_id.map(|x| x.0)),
                V::OptId(c.care_plan_id.map(|x| x.0)),
                V::OptId(c.task_id.map(|x| x.0)),
                V::OptText(c.resolution.clone()),
                V::Bool(c.first_contact),
                V::OptInt(c.data_flowing_at.map(|t| t.0)),
                V::OptText(d.token.clone()),
                V::Int(c.opened_at.0),
                V::OptInt(c.first_response_at.map(|t| t.0)),
                V::OptInt(c.resolved_at.map(|t| t.0)),
                V::OptInt(c.closed_at.map(|t| t.0)),
                V::Int(c.updated_at.0),
            ]);
            d.entries.sort_by_key(|e| e.at);
            if i % sample_every == 0 {
                report.sample.push((c.id, d.entries.len()));
            }
            for e in &d.entries {
                events.rows.push(vec![
                    V::Id(sim.rng.uuid_at(e.at)),
                    V::Id(c.id.0),
                    V::Int(e.at),
                    V::Text(e.kind.into()),
                    V::Text(if e.public { "citizen" } else { "internal" }.into()),
                    V::Text(e.text.clone()),
                    V::OptText(e.reference.clone()),
                    V::OptId(e.by),
                    V::Text(e.by_name.clone()),
                ]);
            }
            if let Some((score, comment, at)) = d.rating {
                ratings.rows.push(vec![
                    V::Id(c.id.0),
                    V::Int(score),
                    V::Text(comment.into()),
                    V::Int(at),
                ]);
            }
            if let Some(call) = &d.call {
                calls.rows.push(vec![
                    V::Id(sim.rng.uuid_at(call.received_at)),
                    V::Id(c.centre_org_id.0),
                    V::Text(call.caller.clone()),
                    V::Text(call.digits.clone()),
                    V::OptText(Some(format!("pbx-{}", c.number))),
                    V::Int(call.received_at),
                    V::OptInt(Some(call.answered_at)),
                    V::OptId(Some(call.agent.0.0)),
                    V::OptText(Some(call.agent.1.clone())),
                    V::OptId(Some(c.id.0)),
                ]);
            }
            for (level, at, user) in &d.notices {
                let (text, role) = match level {
                    1 => (
                        format!("Sag {} nærmer sig sin frist: {}", c.number, c.subject),
                        "service_desk_agent",
                    ),
                    2 => (
                        format!("Sag {} har overskredet sin frist: {}", c.number, c.subject),
                        "service_desk_agent",
                    ),
                    _ => (
                        format!("Sag {} er eskaleret til ledelsen: {}", c.number, c.subject),
                        "org_admin",
                    ),
                };
                let read = (*at + HOUR_US < now).then_some(*at + HOUR_US);
                notices.rows.push(vec![
                    V::Id(sim.rng.uuid_at(*at)),
                    V::OptId(user.map(|u| u.0)),
                    V::Id(c.centre_org_id.0),
                    V::OptText(user.is_none().then(|| role.to_string())),
                    V::Text(format!("sla_level_{level}")),
                    V::Text(text),
                    V::OptId(Some(c.id.0)),
                    V::Int(*at),
                    V::OptInt(read),
                ]);
            }
            if let (Some((visit, unit, payer, day)), Some(citizen)) = (d.visit, c.citizen_id) {
                visits.rows.push(vec![
                    V::Id(visit),
                    V::Id(unit.0),
                    V::Id(citizen.0),
                    V::Id(payer.0),
                    V::Text(crate::equipment::date_text(day)),
                    V::Text(format!("Bestilt af servicedesken (sag {})", c.number)),
                ]);
            }
            if let (Some(t), Some(citizen)) = (&d.task, c.citizen_id) {
                let note = match t.flowing {
                    Some(at) => format!(
                        "Servicecentret: data modtages igen fra {} siden {} (sag {}).",
                        t.model_name,
                        Timestamp(at).danish(),
                        c.number
                    ),
                    None => format!(
                        "Servicecentret undersøger udstyret: {} har ikke sendt data (sag {}).",
                        t.model_name, c.number
                    ),
                };
                let status = if t.done_at.is_some() {
                    "completed"
                } else {
                    "requested"
                };
                tasks.rows.push(vec![
                    V::Id(t.id.0),
                    V::Id(citizen.0),
                    V::Id(t.plan.0),
                    V::Id(t.team),
                    V::Text(status.into()),
                    V::OptText(Some(t.activity.clone())),
                    V::OptInt(Some(t.window_start)),
                    V::OptInt(Some(t.window_end)),
                    V::Text(format!(
                        "Mangler: {}",
                        t.activity.trim_start_matches("measurement:")
                    )),
                    V::Int(t.window_end),
                    V::Int(t.created_at),
                    V::Int(t.done_at.or(t.flowing).unwrap_or(t.created_at)),
                    V::OptInt(t.done_at),
                    V::OptText(t.done_at.map(|_| "Klinisk sygeplejerske".to_string())),
                    V::OptText(Some(note)),
                ]);
            }
        }
        report.cases = cases.rows.len() as u64;
        report.case_events = events.rows.len() as u64;
        report.ratings = ratings.rows.len() as u64;
        report.calls = calls.rows.len() as u64;
        report.tasks = tasks.rows.len() as u64;
        report.notifications = notices.rows.len() as u64;
        report.visits = visits.rows.len() as u64;
        let counter = base + drafts.len() as i64;
        progress(format!(
            "  simulated {} cases ({} live) in {:.1} s",
            report.cases,
            report.live,
            started.elapsed().as_secs_f64()
        ));

        // Parents before children.
        let tables = [
            phones, kins, visits, tasks, cases, events, ratings, calls, notices,
        ];
        report.rows = tables.iter().map(|t| t.rows.len() as u64).sum();
        match &self.inner.pools {
            Pools::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                for pragma in ["PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF"] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                let written: Result<()> = async {
                    write_tables!(
                        conn,
                        "BEGIN IMMEDIATE",
                        SQLITE_PARAMS,
                        tables,
                        counter,
                        progress
                    );
                    Ok(())
                }
                .await;
                for pragma in [
                    "PRAGMA synchronous = FULL",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA wal_checkpoint(TRUNCATE)",
                ] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                written?;
            }
            Pools::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::query("SET synchronous_commit = off")
                    .execute(&mut *conn)
                    .await?;
                let written: Result<()> = async {
                    write_tables!(conn, "BEGIN", PG_PARAMS, tables, counter, progress);
                    Ok(())
                }
                .await;
                sqlx::query("RESET ALL").execute(&mut *conn).await?;
                written?;
                let t0 = Instant::now();
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
                progress(format!(
                    "  analysed the tables (as autovacuum would) in {:.1} s",
                    t0.elapsed().as_secs_f64()
                ));
            }
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Every citizen with a number on record and their units in use, for the benchmark to
    /// call from.
    pub async fn bench_callers(&self) -> Result<Vec<BenchCaller>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT p.citizen_id, p.phone, \
                 (SELECT COUNT(*) FROM units u WHERE u.citizen_id = p.citizen_id AND u.state = 'in_use') AS n, \
                 (SELECT COUNT(*) FROM enrolments e WHERE e.citizen_id = p.citizen_id AND e.status = 'active') AS e \
                 FROM citizen_phones p WHERE p.position = 0 ORDER BY p.citizen_id",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(BenchCaller {
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        phone: r.try_get("phone")?,
                        units: r.try_get("n")?,
                        enrolled: r.try_get::<i64, _>("e")? > 0,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    /// Every case's id, for the benchmark to open at random.
    pub async fn bench_case_ids(&self) -> Result<Vec<CaseId>> {
        let ids: Vec<uuid::Uuid> = on_read!(self, |c| {
            sqlx::query_scalar("SELECT id FROM service_cases ORDER BY id")
                .fetch_all(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        Ok(ids.into_iter().map(CaseId).collect())
    }
}

/// The instant `minutes` of the calendar's working time before `now` (the working time is
/// counted back day by day).
fn back_in_working_time(cal: &BusinessCalendar, now: i64, minutes: i64) -> i64 {
    let mut left = minutes * MINUTE_US;
    let mut day = Timestamp(now).in_copenhagen().date();
    for _ in 0..400 {
        if let Some((open, close)) = cal.open_on(day) {
            let end = close.0.min(now);
            if end > open.0 {
                let available = end - open.0;
                if left <= available {
                    return end - left;
                }
                left -= available;
            }
        }
        day -= Duration::days(1);
    }
    now - minutes * MINUTE_US
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_time_back_lands_in_opening_hours() {
        let cal = BusinessCalendar::office_hours();
        let now = Timestamp::now().0;
        for m in [1, 60, 479, 481, 2000] {
            let t = back_in_working_time(&cal, now, m);
            assert!(t < now);
            assert!(cal.working_minutes(Timestamp(t), Timestamp(now)) <= m);
        }
    }

    #[test]
    fn values_sql_numbers_placeholders_across_rows() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", "(?, 'x', ?)", 2),
            "INSERT INTO t (a, b) VALUES ($1, 'x', $2),($3, 'x', $4)"
        );
    }
}
