//! Synthetic data for the `bench-monitoring` benchmark, written straight into the tables:
//! citizens enrolled in a programme (enrolment, consent, care team, care plan) and a year of
//! home measurements, each triaged by the real rules (`assess_measurement`) into its
//! assessment, with the work that leaves (open and completed tasks) and, optionally, the
//! audit record each submission writes.
//!
//! Loading fifteen million rows through the API would take hours, so this writes multi-row
//! INSERTs, one transaction per simulated day, on the writer's connection, with settings for
//! that connection only, set back afterwards: on SQLite `synchronous=OFF`, no foreign-key
//! checks and a 4 GiB page cache; on PostgreSQL `synchronous_commit=off` and the replica role
//! (no foreign-key triggers). On both, the secondary indexes (and PostgreSQL's unique
//! constraints) of the three big tables are dropped first and built again from their own
//! stored definitions at the end, and PostgreSQL's tables are analysed (as autovacuum would).
//! The rows are consistent by construction. Not for production use: nothing here checks
//! access or writes audit records of its own.
//!
//! The model, per citizen and day: weight every morning (06:10–09:20 Copenhagen time, 95 % of
//! days), blood pressure and pulse from one device a few minutes later (94 %, re-measured 6 %
//! of the time), values around the citizen's own baseline with day-to-day noise and a fluid
//! episode (weight gain) every few months. Every result is assessed against the plan's copy
//! of the programme's thresholds and change rules; a yellow or red one raises the plan's open
//! assessment task, a morning without a measurement a blue missing task. The team's
//! clinicians go through the worklist on weekdays after 13:00: each sweep acknowledges the
//! citizen's results and completes the open tasks (a citizen is passed over on 10 % of
//! sweeps). What the last sweeps have not reached is the open work at the end of the load.

use super::{from_json, to_json};
use crate::db::{Db, Pools, on_read};
use crate::error::{DbError, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::VecDeque;
use std::time::Instant;
use telesund_core::Timestamp;
use telesund_core::access::{DataCategory, Decision, Principal};
use telesund_core::audit::{AuditAction, AuditRecord, RequestInfo};
use telesund_core::ids::*;
use telesund_core::monitoring::assess::{TaskCategory, assess_measurement};
use telesund_core::monitoring::programme::PlanDefinition;
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};
use telesund_core::text::fold;
use telesund_core::time::copenhagen_offset;
use time::{Date, Duration, PrimitiveDateTime, Time, Weekday};

const MINUTE_US: i64 = 60_000_000;
const DAY_US: i64 = 86_400_000_000;
/// Bound parameters per statement at most on PostgreSQL (it allows 65,535): few, large
/// statements, as each is a round trip.
const PG_PARAMS: usize = 30_000;
/// Bound parameters per statement at most on SQLite. Binding costs time linear in the
/// statement's parameter count per parameter (sqlx asks `sqlite3_bind_parameter_name` for
/// each, and SQLite finds a name by walking a list), so a statement's binding is quadratic:
/// 1,000-row statements loaded a tenth as fast as these.
const SQLITE_PARAMS: usize = 256;
/// Rows per statement at most.
const MAX_ROWS: usize = 1_000;
/// The tables whose secondary indexes are built after the load rather than during it.
const BULK_TABLES: &str = "'observations', 'assessments', 'audit_log'";

/// An organisation that enrols citizens, and the clinician whose name goes on its
/// acknowledgements, completed tasks and consents.
#[derive(Clone, Debug)]
pub struct LoadOrg {
    pub id: OrgId,
    pub clinician: UserId,
    pub clinician_name: String,
}

/// What to load.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    pub citizens: usize,
    /// Days of measurements, ending on the day of `end`.
    pub days: u32,
    /// The load's "now": nothing is measured, acknowledged or completed after it.
    pub end: Timestamp,
    /// The programme version every citizen's care plan applies.
    pub version: ProgrammeVersionId,
    /// The enrolling organisations: the first one takes the first `first_org_citizens`
    /// citizens (a care team's list), the others share the rest in turn.
    pub orgs: Vec<LoadOrg>,
    pub first_org_citizens: usize,
    /// Also write the audit record of every submission (as the real path does).
    pub audit: bool,
    pub seed: u64,
}

/// What was loaded, and how fast.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub citizens: u64,
    pub observations: u64,
    pub assessments: u64,
    pub audit_records: u64,
    pub open_tasks: u64,
    pub completed_tasks: u64,
    /// Citizens with at least one open task at the end.
    pub citizens_with_open_tasks: u64,
    /// Of those, the citizens of the first organisation (the benchmark's care team).
    pub team_citizens_with_open_tasks: u64,
    /// Yellow and red results.
    pub alarms: u64,
    /// Every row inserted, of every table.
    pub rows: u64,
    pub seconds: f64,
}

impl LoadReport {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.seconds.max(1e-9)
    }
}

// ---------------------------------------------------------------------------------------
// Random numbers: SplitMix64, seeded, so a load is the same every time.

struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform integer in [lo, hi).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo) as u64) as i64
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    /// A UUID v7 of the given time (µs), the way ids made at that moment would look.
    fn uuid_at(&mut self, micros: i64) -> uuid::Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis((micros / 1_000) as u64, &bytes).into_uuid()
    }
}

/// The same answer for the same (seed, a, b): a citizen's luck on a given sweep.
fn hash3(seed: u64, a: u64, b: u64) -> u64 {
    mix(seed ^ mix(a.wrapping_mul(0x100_0000_01B3) ^ mix(b)))
}

// ---------------------------------------------------------------------------------------
// Names and places.

const GIVEN_F: &[&str] = &[
    "Anna", "Birgit", "Bodil", "Dorthe", "Else", "Eva", "Grethe", "Hanne", "Inge", "Jytte",
    "Karen", "Kirsten", "Lene", "Lis", "Lone", "Marianne", "Merete", "Susanne", "Tove", "Ulla",
    "Åse", "Gudrun", "Ruth", "Solveig",
];
const GIVEN_M: &[&str] = &[
    "Anders", "Arne", "Bent", "Bjarne", "Erik", "Finn", "Flemming", "Hans", "Henning", "Jens",
    "Jørgen", "Kaj", "Knud", "Leif", "Mogens", "Niels", "Ole", "Poul", "Preben", "Søren", "Svend",
    "Torben", "Aage", "Børge",
];
const FAMILY: &[&str] = &[
    "Andersen",
    "Christensen",
    "Hansen",
    "Jensen",
    "Jakobsen",
    "Johansen",
    "Jørgensen",
    "Kristensen",
    "Larsen",
    "Madsen",
    "Mikkelsen",
    "Mortensen",
    "Møller",
    "Nielsen",
    "Olsen",
    "Pedersen",
    "Petersen",
    "Poulsen",
    "Rasmussen",
    "Sørensen",
    "Thomsen",
    "Østergaard",
    "Bækgaard",
    "Ågård",
    "Kjærgaard",
    "Lauridsen",
];
const STREETS: &[&str] = &[
    "Søndergade",
    "Nørregade",
    "Vestergade",
    "Østergade",
    "Skolevej",
    "Kirkevej",
    "Bakkevej",
    "Møllevej",
    "Åboulevarden",
    "Strandvejen",
    "Engvej",
    "Birkevej",
    "Egevej",
    "Skovvej",
    "Havnegade",
    "Ringvejen",
];
const TOWNS: &[(&str, &str)] = &[
    ("8700", "Horsens"),
    ("8000", "Aarhus C"),
    ("8210", "Aarhus V"),
    ("8600", "Silkeborg"),
    ("7400", "Herning"),
    ("8900", "Randers C"),
    ("8800", "Viborg"),
    ("8660", "Skanderborg"),
    ("7500", "Holstebro"),
    ("8300", "Odder"),
    ("7430", "Ikast"),
    ("8450", "Hammel"),
];

/// A synthetic CPR number: a real birth date in 1935–1960, seventh digit 2 (born in the
/// 1900s), unique per index, its last digit giving the sex. The modulus-11 check is not
/// applied (the CPR office stopped guaranteeing it in 2007).
fn synthetic_cpr(i: usize, male: bool) -> String {
    let first = Date::from_calendar_date(1935, time::Month::January, 1).expect("a date");
    let last = Date::from_calendar_date(1960, time::Month::December, 31).expect("a date");
    let span = (last - first).whole_days() as usize + 1;
    let birth = first + Duration::days((i % span) as i64);
    let k = i / span; // another citizen born the same day
    let mut last_digit = ((i * 7) % 10) as u8;
    if (last_digit % 2 == 1) != male {
        last_digit = (last_digit + 1) % 10;
    }
    format!(
        "{:02}{:02}{:02}2{:02}{}",
        birth.day(),
        u8::from(birth.month()),
        birth.year() % 100,
        k % 100,
        last_digit
    )
}

/// The UTC instant of a Copenhagen wall-clock time.
fn local(date: Date, minutes: i64) -> i64 {
    let t = Time::from_hms((minutes / 60) as u8, (minutes % 60) as u8, 0).expect("a time");
    let naive = PrimitiveDateTime::new(date, t);
    let offset = copenhagen_offset(naive.assume_utc());
    Timestamp::from_datetime(naive.assume_offset(offset)).0
}

fn danish_window(date: Date, from: &str, to: &str) -> String {
    const DAYS: [&str; 7] = ["man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."];
    const MONTHS: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.",
        "dec.",
    ];
    format!(
        "{} {}. {} {from}–{to}",
        DAYS[date.weekday().number_days_from_monday() as usize],
        date.day(),
        MONTHS[u8::from(date.month()) as usize - 1]
    )
}

/// The stored retry key of a device measurement (as `observations.rs` makes it).
fn dedup_key(device: &str, kind: MeasurementType, at: i64) -> Vec<u8> {
    let key = format!("device|{device}|{}|{at}", kind.as_str());
    Sha256::digest(key.as_bytes())[..16].to_vec()
}

// ---------------------------------------------------------------------------------------
// The simulation.

struct Person {
    id: uuid::Uuid,
    plan: uuid::Uuid,
    team: uuid::Uuid,
    enrolment: uuid::Uuid,
    org: usize,
    name: String,
    given: String,
    family: String,
    cpr: String,
    address: String,
    town: usize,
    assisted: bool,
    scale: String,
    bp_monitor: String,
    systolic: f64,
    diastolic: f64,
    pulse: f64,
    weight: f64,
    /// > 0: days of fluid gain left; < 0: days of diuresis left.
    fluid: i32,
    /// Measured weights of the last days, for the change rules.
    weights: VecDeque<(Timestamp, f64)>,
    assessment_task: Option<SimTask>,
    missing_tasks: Vec<SimTask>,
}

#[derive(Clone)]
struct SimTask {
    id: uuid::Uuid,
    person: usize,
    category: TaskCategory,
    colour: Colour,
    activity: Option<String>,
    window: Option<(i64, i64)>,
    description: String,
    oldest: i64,
    created: i64,
    updated: i64,
    /// When a sweep completes it; `None`: still open at the end.
    closes: Option<i64>,
}

struct ObsRow {
    id: uuid::Uuid,
    person: usize,
    kind: MeasurementType,
    value: f64,
    value2: Option<f64>,
    at: i64,
    received: i64,
    device: bool, // false: the scale, true: the blood-pressure monitor
    dedup: Vec<u8>,
}

struct AsmRow {
    id: uuid::Uuid,
    person: usize,
    observation: uuid::Uuid,
    colour: Colour,
    findings: Option<String>,
    at: i64,
    received: i64,
    acknowledged: Option<i64>,
    action_taken: Option<bool>,
}

struct TaskRow {
    task: SimTask,
    /// In progress, taken by the organisation's clinician.
    taken: bool,
}

#[derive(Default)]
struct DayRows {
    observations: Vec<ObsRow>,
    assessments: Vec<AsmRow>,
    tasks: Vec<TaskRow>,
    audit: Vec<AuditRecord>,
}

struct Sim {
    seed: u64,
    rng: Rng,
    definition: PlanDefinition,
    people: Vec<Person>,
    /// The measurement days, then two weeks more (sweeps after the end never happen, but
    /// are looked for).
    dates: Vec<Date>,
    /// 13:00 Copenhagen time on weekdays.
    sweeps: Vec<Option<i64>>,
    start: i64,
    end: i64,
    audit: bool,
    alarms: u64,
}

impl Sim {
    fn new(spec: &LoadSpec, definition: PlanDefinition) -> Sim {
        let mut rng = Rng(spec.seed);
        let end_date = spec.end.in_copenhagen().date();
        let first = end_date - Duration::days(i64::from(spec.days) - 1);
        let dates: Vec<Date> = (0..spec.days as i64 + 14)
            .map(|d| first + Duration::days(d))
            .collect();
        let sweeps = dates
            .iter()
            .map(|d| {
                (!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
                    .then(|| local(*d, 13 * 60))
            })
            .collect();
        // Enrolled the day before the first measurement, at discharge.
        let start = local(first - Duration::days(1), 11 * 60);
        let mut people = Vec::with_capacity(spec.citizens);
        let others = spec.orgs.len().saturating_sub(1).max(1);
        for i in 0..spec.citizens {
            let org = if i < spec.first_org_citizens || spec.orgs.len() == 1 {
                0
            } else {
                1 + (i - spec.first_org_citizens) % others
            };
            let male = rng.chance(0.6);
            let given = rng.pick(if male { GIVEN_M } else { GIVEN_F }).to_string();
            let family = rng.pick(FAMILY).to_string();
            let at = start + rng.range(0, 120) * MINUTE_US;
            // Device serials follow from the index: no two citizens share a device.
            let mac = i as u64;
            people.push(Person {
                id: rng.uuid_at(at),
                plan: rng.uuid_at(at),
                team: rng.uuid_at(at),
                enrolment: rng.uuid_at(at),
                org,
                name: format!("{given} {family}"),
                given,
                family,
                cpr: synthetic_cpr(i, male),
                address: format!("{} {}", rng.pick(STREETS), rng.range(1, 140)),
                town: rng.range(0, TOWNS.len() as i64) as usize,
                assisted: rng.chance(0.1),
                scale: format!(
                    "00-09-1F-FE-FF-{:02X}-{:02X}-{:02X}",
                    (mac >> 16) & 0xFF,
                    (mac >> 8) & 0xFF,
                    mac & 0xFF
                ),
                bp_monitor: format!(
                    "5C-F8-21-{:02X}-{:02X}-{:02X}",
                    (mac >> 16) & 0xFF,
                    (mac >> 8) & 0xFF,
                    mac & 0xFF
                ),
                systolic: (128.0 + 12.0 * rng.normal()).clamp(100.0, 152.0),
                diastolic: (75.0 + 7.0 * rng.normal()).clamp(60.0, 88.0),
                pulse: (70.0 + 7.0 * rng.normal()).clamp(56.0, 92.0),
                weight: (82.0 + 15.0 * rng.normal()).clamp(48.0, 140.0),
                fluid: 0,
                weights: VecDeque::new(),
                assessment_task: None,
                missing_tasks: Vec::new(),
            });
        }
        Sim {
            seed: spec.seed,
            rng,
            definition,
            people,
            dates,
            sweeps,
            start,
            end: spec.end.0,
            audit: spec.audit,
            alarms: 0,
        }
    }

    /// The first sweep after `t` (from day `from`) that reaches this citizen, if it comes
    /// before the end.
    fn next_sweep(&self, person: usize, from: usize, t: i64) -> Option<i64> {
        for d in from..self.sweeps.len() {
            let Some(base) = self.sweeps[d] else {
                continue;
            };
            let h = hash3(self.seed, person as u64, d as u64);
            let s = base + (h % 180) as i64 * MINUTE_US;
            if s <= t || h % 100 < 10 {
                continue;
            }
            return (s <= self.end).then_some(s);
        }
        None
    }

    /// Creates the plan's open task of this kind, or raises the open one; a task a sweep
    /// completed before `now` goes to `out` and a new one is opened.
    #[allow(clippy::too_many_arguments)]
    fn raise(
        &mut self,
        person: usize,
        day: usize,
        category: TaskCategory,
        activity: Option<&str>,
        colour: Colour,
        description: String,
        oldest: i64,
        window: Option<(i64, i64)>,
        now: i64,
        out: &mut DayRows,
    ) {
        let slot = match category {
            TaskCategory::Missing => self.people[person]
                .missing_tasks
                .iter()
                .position(|t| t.activity.as_deref() == activity),
            _ => self.people[person].assessment_task.as_ref().map(|_| 0),
        };
        let p = &mut self.people[person];
        let open = match (category, slot) {
            (TaskCategory::Missing, Some(i)) => Some(&mut p.missing_tasks[i]),
            (TaskCategory::Missing, None) => None,
            (_, _) => p.assessment_task.as_mut(),
        };
        if let Some(t) = open
            && t.closes.is_none_or(|c| c > now)
        {
            t.colour = t.colour.max(colour);
            t.description = description;
            t.updated = now;
            t.oldest = t.oldest.min(oldest);
            if window.is_some() {
                t.window = window;
            }
            return;
        }
        let closes = self.next_sweep(person, day, now);
        let task = SimTask {
            id: self.rng.uuid_at(now),
            person,
            category,
            colour,
            activity: activity.map(str::to_string),
            window,
            description,
            oldest,
            created: now,
            updated: now,
            closes,
        };
        let p = &mut self.people[person];
        let done = match (category, slot) {
            (TaskCategory::Missing, Some(i)) => {
                Some(std::mem::replace(&mut p.missing_tasks[i], task))
            }
            (TaskCategory::Missing, None) => {
                p.missing_tasks.push(task);
                None
            }
            _ => p.assessment_task.replace(task),
        };
        if let Some(t) = done {
            out.tasks.push(TaskRow {
                task: t,
                taken: false,
            });
        }
    }

    /// One measurement: its row, its assessment, its task, its audit record.
    #[allow(clippy::too_many_arguments)]
    fn measure(
        &mut self,
        person: usize,
        day: usize,
        kind: MeasurementType,
        values: &[(Quantity, f64)],
        at: i64,
        out: &mut DayRows,
    ) {
        let received = at + self.rng.range(5, 90) * 1_000_000;
        if received > self.end {
            return;
        }
        let p = &self.people[person];
        let device = kind != MeasurementType::Weight;
        let device_id = if device { &p.bp_monitor } else { &p.scale };
        let history: Vec<(Timestamp, f64)> = p.weights.iter().copied().collect();
        let assessment = assess_measurement(&self.definition, Timestamp(at), values, &|q| {
            if q == Quantity::Weight {
                history.clone()
            } else {
                Vec::new()
            }
        });
        let dedup = dedup_key(device_id, kind, at);
        let id = self.rng.uuid_at(received);
        let acknowledged = self.next_sweep(person, day, received);
        let alarm = assessment.colour.needs_attention();
        let action_taken = acknowledged.map(|_| alarm && self.rng.chance(0.3));
        let findings = if assessment.findings.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&assessment.findings).expect("findings serialise"))
        };
        out.observations.push(ObsRow {
            id,
            person,
            kind,
            value: values[0].1,
            value2: values.get(1).map(|v| v.1),
            at,
            received,
            device,
            dedup,
        });
        out.assessments.push(AsmRow {
            id: self.rng.uuid_at(received),
            person,
            observation: id,
            colour: assessment.colour,
            findings,
            at,
            received,
            acknowledged,
            action_taken,
        });
        if self.audit {
            let citizen = CitizenId(p.id);
            let principal = Principal::Citizen {
                citizen_id: citizen,
                name: p.name.clone(),
            };
            let decision = Decision {
                allowed: true,
                via: None,
                reason: "own measurements",
            };
            let request = RequestInfo {
                request_id: format!("{:016x}", self.rng.next()),
                client_addr: format!("10.{}.{}.{}", person % 250, day % 250, person % 7 + 2),
                purpose: "self_service".into(),
            };
            let mut r = AuditRecord::for_decision(
                &principal,
                &decision,
                AuditAction::Create,
                "observation",
                Some(citizen),
                Some(DataCategory::Clinical),
                &request,
            );
            r.id = AuditId(self.rng.uuid_at(received));
            r.at = Timestamp(received);
            r.entity_id = Some(ObservationId(id).to_string());
            out.audit.push(r);
        }
        if kind == MeasurementType::Weight {
            let w = &mut self.people[person].weights;
            w.push_back((Timestamp(at), values[0].1));
            while w.front().is_some_and(|(t, _)| t.0 < at - 4 * DAY_US) {
                w.pop_front();
            }
        }
        if alarm {
            self.alarms += 1;
            let description = format!("{}: {}", kind.danish(), assessment.summary());
            self.raise(
                person,
                day,
                TaskCategory::Assessment,
                None,
                assessment.colour,
                description,
                at,
                None,
                received,
                out,
            );
        }
    }

    /// A window that closed without the measurement: the missing-results check finds it
    /// ten minutes later.
    fn missing(&mut self, person: usize, day: usize, kind: MeasurementType, out: &mut DayRows) {
        let date = self.dates[day];
        let (from, to, label) = match kind {
            MeasurementType::Weight => (6 * 60, 10 * 60, ("06:00", "10:00")),
            _ => (6 * 60, 12 * 60, ("06:00", "12:00")),
        };
        let (start, end) = (local(date, from), local(date, to));
        let now = end + 10 * MINUTE_US;
        if now > self.end {
            return;
        }
        let description = format!(
            "Mangler: {} ({})",
            kind.danish(),
            danish_window(date, label.0, label.1)
        );
        let activity = format!("measurement:{}", kind.as_str());
        self.raise(
            person,
            day,
            TaskCategory::Missing,
            Some(&activity),
            Colour::Blue,
            description,
            end,
            Some((start, end)),
            now,
            out,
        );
    }

    /// Everything measured on one day.
    fn day(&mut self, day: usize) -> DayRows {
        let mut out = DayRows::default();
        let date = self.dates[day];
        let morning = local(date, 6 * 60);
        for i in 0..self.people.len() {
            // The body's own course: fluid episodes come and go.
            let rng = &mut self.rng;
            let p = &mut self.people[i];
            if p.fluid == 0 && rng.chance(1.0 / 120.0) {
                p.fluid = 4;
            }
            match p.fluid {
                f if f > 0 => {
                    p.weight += 0.7;
                    p.fluid = if f == 1 { -3 } else { f - 1 };
                }
                f if f < 0 => {
                    p.weight -= 0.9;
                    p.fluid = f + 1;
                }
                _ => p.weight += 0.02 * rng.normal(),
            }
            let weighed = morning + rng.range(10, 200) * MINUTE_US + rng.range(0, 60) * 1_000_000;
            let weight = ((p.weight + 0.25 * rng.normal()) * 10.0).round() / 10.0;
            let measured_weight = rng.chance(0.95);
            let bp_at = weighed + rng.range(2, 25) * MINUTE_US;
            let sys = (p.systolic + 8.0 * rng.normal()).round();
            let dia = (p.diastolic + 6.0 * rng.normal()).round().min(sys - 20.0);
            let pulse = (p.pulse + 5.0 * rng.normal()).round();
            let measured_bp = rng.chance(0.94);
            let retake = rng.chance(0.06);
            let (sys2, dia2, pulse2) = (
                (sys - 4.0 + 4.0 * rng.normal()).round(),
                (dia - 2.0 + 3.0 * rng.normal()).round(),
                (pulse + 3.0 * rng.normal()).round(),
            );
            let retake_at = bp_at + rng.range(4, 9) * MINUTE_US;

            if measured_weight {
                self.measure(
                    i,
                    day,
                    MeasurementType::Weight,
                    &[(Quantity::Weight, weight)],
                    weighed,
                    &mut out,
                );
            } else {
                self.missing(i, day, MeasurementType::Weight, &mut out);
            }
            if measured_bp {
                let mut takes = vec![(bp_at, sys, dia, pulse)];
                if retake {
                    takes.push((retake_at, sys2, dia2.min(sys2 - 20.0), pulse2));
                }
                for (at, s, d, pl) in takes {
                    self.measure(
                        i,
                        day,
                        MeasurementType::BloodPressure,
                        &[(Quantity::Systolic, s), (Quantity::Diastolic, d)],
                        at,
                        &mut out,
                    );
                    self.measure(
                        i,
                        day,
                        MeasurementType::Pulse,
                        &[(Quantity::Pulse, pl)],
                        at,
                        &mut out,
                    );
                }
            } else {
                self.missing(i, day, MeasurementType::BloodPressure, &mut out);
                self.missing(i, day, MeasurementType::Pulse, &mut out);
            }
        }
        // Rows in id order: the tables' primary keys grow at their end, as in real use.
        out.observations.sort_by_key(|r| r.id);
        out.assessments.sort_by_key(|r| r.id);
        out
    }

    /// The tasks still held at the end: completed ones, and the open work.
    fn finish(&mut self) -> Vec<TaskRow> {
        let mut rows = Vec::new();
        for p in &mut self.people {
            let tasks = p
                .assessment_task
                .take()
                .into_iter()
                .chain(p.missing_tasks.drain(..));
            for t in tasks {
                let taken =
                    t.closes.is_none() && hash3(self.seed, t.oldest as u64, 7).is_multiple_of(4);
                rows.push(TaskRow { task: t, taken });
            }
        }
        rows
    }
}

// ---------------------------------------------------------------------------------------
// Writing.

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

fn params(row: &str) -> usize {
    row.matches('?').count()
}

/// Inserts `$rows` with multi-row statements of the `$row` template, `$bind` binding one row.
macro_rules! insert_rows {
    ($conn:expr, $fx:expr, $head:expr, $row:expr, $rows:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let per = ($fx.max_params / params($row)).clamp(1, MAX_ROWS);
        for chunk in $rows.chunks(per) {
            let mut $q = sqlx::query(sqlx::AssertSqlSafe(values_sql($head, $row, chunk.len())));
            for $r in chunk {
                $q = $bind;
            }
            $q.execute(&mut *$conn).await?;
        }
    }};
}

const CITIZEN_HEAD: &str = "INSERT INTO citizens (id, cpr, given_name, family_name, search_name, address_line, postal_code, city, \
     municipality_id, email, language, needs_assisted_support, failed_logins, created_at, updated_at) VALUES ";
const CITIZEN_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'da', ?, 0, ?, ?)";
const ENROLMENT_HEAD: &str = "INSERT INTO enrolments (id, citizen_id, programme_id, org_id, status, started_at, ended_at) VALUES ";
const ENROLMENT_ROW: &str = "(?, ?, ?, ?, 'active', ?, NULL)";
const CONSENT_HEAD: &str = "INSERT INTO consents (id, citizen_id, consent_type, programme_id, status, recorded_by, recorded_by_name, \
     recorded_at, note) VALUES ";
const CONSENT_ROW: &str = "(?, ?, 'telemedicine_participation', ?, 'given', ?, ?, ?, 'Mundtligt samtykke ved udskrivelsessamtale')";
const TEAM_HEAD: &str = "INSERT INTO care_teams (id, citizen_id, name, managing_org_id, active, created_at, enrolment_id) VALUES ";
const TEAM_ROW: &str = "(?, ?, ?, ?, ?, ?, ?)";
const MEMBER_HEAD: &str = "INSERT INTO care_team_members (id, team_id, org_id, user_id, role, scope, valid_from, valid_to) VALUES ";
const MEMBER_ROW: &str = "(?, ?, ?, NULL, 'clinician', 'clinical', ?, NULL)";
const PLAN_HEAD: &str = "INSERT INTO care_plans (id, citizen_id, enrolment_id, programme_version_id, care_team_id, status, definition, \
     started_at, paused_at, ended_at, missing_checked_until) VALUES ";
const PLAN_ROW: &str = "(?, ?, ?, ?, ?, 'active', ?, ?, NULL, NULL, ?)";
const CHANGE_HEAD: &str = "INSERT INTO care_plan_changes (id, care_plan_id, kind, quantity, old_value, new_value, reason, changed_by, \
     changed_by_name, changed_at) VALUES ";
const CHANGE_ROW: &str = "(?, ?, 'created', NULL, NULL, NULL, ?, ?, ?, ?)";
const OBS_HEAD: &str = "INSERT INTO observations (id, citizen_id, type, value, value2, effective_at, received_at, source, entered_by, \
     entered_by_name, on_behalf_of_name, device, original, identifier, dedup_key, unexpected, status) VALUES ";
const OBS_ROW: &str =
    "(?, ?, ?, ?, ?, ?, ?, 'device', ?, ?, NULL, ?, NULL, NULL, ?, FALSE, 'final')";
const ASM_HEAD: &str = "INSERT INTO assessments (id, citizen_id, care_plan_id, observation_id, response_id, colour, findings, result_at, \
     assessed_at, acknowledged_at, acknowledged_by, acknowledged_by_name, acknowledgement_note, action_taken) VALUES ";
const ASM_ROW: &str = "(?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, NULL, ?)";
const TASK_HEAD: &str = "INSERT INTO tasks (id, citizen_id, care_plan_id, care_team_id, category, colour, priority, status, owner_user_id, \
     owner_name, activity, window_start, window_end, description, oldest_result_at, created_at, updated_at, completed_at, \
     completed_by_name) VALUES ";
const TASK_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// What the writing needs besides the simulation.
struct Fixed<'a> {
    spec: &'a LoadSpec,
    programme: uuid::Uuid,
    version_number: i64,
    definition_json: String,
    team_names: Vec<String>,
    max_params: usize,
}

/// The citizens with their enrolment, consent, care team, member and care plan.
macro_rules! insert_people {
    ($conn:expr, $sim:expr, $fx:expr) => {{
        let sim: &Sim = $sim;
        let fx: &Fixed = $fx;
        let people = &sim.people;
        let at = sim.start;
        let folded: Vec<String> = people.iter().map(|p| fold(&p.name)).collect();
        let idx: Vec<usize> = (0..people.len()).collect();
        insert_rows!($conn, fx, CITIZEN_HEAD, CITIZEN_ROW, idx, |q, i| {
            let p = &people[*i];
            q.bind(p.id)
                .bind(p.cpr.as_str())
                .bind(p.given.as_str())
                .bind(p.family.as_str())
                .bind(folded[*i].as_str())
                .bind(p.address.as_str())
                .bind(TOWNS[p.town].0)
                .bind(TOWNS[p.town].1)
                .bind(p.assisted)
                .bind(at)
                .bind(at)
        });
        insert_rows!($conn, fx, ENROLMENT_HEAD, ENROLMENT_ROW, people, |q, p| {
            q.bind(p.enrolment)
                .bind(p.id)
                .bind(fx.programme)
                .bind(fx.spec.orgs[p.org].id.0)
                .bind(at)
        });
        insert_rows!($conn, fx, CONSENT_HEAD, CONSENT_ROW, people, |q, p| {
            let org = &fx.spec.orgs[p.org];
            q.bind(uuid::Uuid::from_u128(p.enrolment.as_u128() ^ 1))
                .bind(p.id)
                .bind(fx.programme)
                .bind(org.clinician.0)
                .bind(org.clinician_name.as_str())
                .bind(at)
        });
        insert_rows!($conn, fx, TEAM_HEAD, TEAM_ROW, people, |q, p| {
            q.bind(p.team)
                .bind(p.id)
                .bind(fx.team_names[p.org].as_str())
                .bind(fx.spec.orgs[p.org].id.0)
                .bind(true)
                .bind(at)
                .bind(p.enrolment)
        });
        insert_rows!($conn, fx, MEMBER_HEAD, MEMBER_ROW, people, |q, p| {
            q.bind(uuid::Uuid::from_u128(p.team.as_u128() ^ 1))
                .bind(p.team)
                .bind(fx.spec.orgs[p.org].id.0)
                .bind(at)
        });
        insert_rows!($conn, fx, PLAN_HEAD, PLAN_ROW, people, |q, p| {
            q.bind(p.plan)
                .bind(p.id)
                .bind(p.enrolment)
                .bind(fx.spec.version.0)
                .bind(p.team)
                .bind(fx.definition_json.as_str())
                .bind(at)
                .bind(sim.end)
        });
        let reason = format!("programversion {}", fx.version_number);
        insert_rows!($conn, fx, CHANGE_HEAD, CHANGE_ROW, people, |q, p| {
            let org = &fx.spec.orgs[p.org];
            q.bind(uuid::Uuid::from_u128(p.plan.as_u128() ^ 1))
                .bind(p.plan)
                .bind(reason.as_str())
                .bind(org.clinician.0)
                .bind(org.clinician_name.as_str())
                .bind(at)
        });
    }};
}

macro_rules! insert_tasks {
    ($conn:expr, $sim:expr, $fx:expr, $tasks:expr) => {{
        let sim: &Sim = $sim;
        let fx: &Fixed = $fx;
        insert_rows!($conn, fx, TASK_HEAD, TASK_ROW, $tasks, |q, r| {
            let t = &r.task;
            let p = &sim.people[t.person];
            let org = &fx.spec.orgs[p.org];
            let status = match (t.closes, r.taken) {
                (Some(_), _) => "completed",
                (None, true) => "in-progress",
                (None, false) => "requested",
            };
            q.bind(t.id)
                .bind(p.id)
                .bind(p.plan)
                .bind(p.team)
                .bind(t.category.as_str())
                .bind(t.colour.as_str())
                .bind(t.colour.task_priority())
                .bind(status)
                .bind(r.taken.then_some(org.clinician.0))
                .bind(r.taken.then_some(org.clinician_name.as_str()))
                .bind(t.activity.as_deref())
                .bind(t.window.map(|w| w.0))
                .bind(t.window.map(|w| w.1))
                .bind(t.description.as_str())
                .bind(t.oldest)
                .bind(t.created)
                .bind(t.closes.unwrap_or(t.updated).max(t.updated))
                .bind(t.closes)
                .bind(t.closes.map(|_| org.clinician_name.as_str()))
        });
    }};
}

/// One day's rows.
macro_rules! insert_day {
    ($conn:expr, $sim:expr, $fx:expr, $rows:expr) => {{
        let sim: &Sim = $sim;
        let fx: &Fixed = $fx;
        let rows: &DayRows = $rows;
        let people = &sim.people;
        insert_rows!($conn, fx, OBS_HEAD, OBS_ROW, rows.observations, |q, r| {
            let p = &people[r.person];
            q.bind(r.id)
                .bind(p.id)
                .bind(r.kind.as_str())
                .bind(r.value)
                .bind(r.value2)
                .bind(r.at)
                .bind(r.received)
                .bind(p.id)
                .bind(p.name.as_str())
                .bind(if r.device {
                    p.bp_monitor.as_str()
                } else {
                    p.scale.as_str()
                })
                .bind(r.dedup.as_slice())
        });
        insert_rows!($conn, fx, ASM_HEAD, ASM_ROW, rows.assessments, |q, r| {
            let p = &people[r.person];
            let org = &fx.spec.orgs[p.org];
            let acked = r.acknowledged.is_some();
            q.bind(r.id)
                .bind(p.id)
                .bind(p.plan)
                .bind(r.observation)
                .bind(r.colour.as_str())
                .bind(r.findings.as_deref().unwrap_or("[]"))
                .bind(r.at)
                .bind(r.received)
                .bind(r.acknowledged)
                .bind(acked.then_some(org.clinician.0))
                .bind(acked.then_some(org.clinician_name.as_str()))
                .bind(r.action_taken)
        });
        insert_tasks!($conn, sim, fx, rows.tasks);
        for chunk in rows.audit.chunks((fx.max_params / 19).clamp(1, MAX_ROWS)) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(crate::audit::insert_sql(chunk.len())));
            for r in chunk {
                q = crate::audit::bind_record!(q, r);
            }
            q.execute(&mut *$conn).await?;
        }
    }};
}

/// The whole load on one connection: the citizens, then one transaction per day.
macro_rules! load_on {
    ($conn:expr, $begin:expr, $sim:expr, $fx:expr, $report:expr, $progress:expr) => {{
        let sim: &mut Sim = $sim;
        let report: &mut LoadReport = $report;
        let started = Instant::now();
        {
            let mut tx = sqlx::Connection::begin_with(&mut *$conn, $begin).await?;
            insert_people!(tx, sim, $fx);
            tx.commit().await?;
        }
        report.citizens = sim.people.len() as u64;
        report.rows += 7 * report.citizens;
        let days = sim.dates.len() - 14;
        let mut last = Instant::now();
        for d in 0..days {
            let rows = sim.day(d);
            let mut tx = sqlx::Connection::begin_with(&mut *$conn, $begin).await?;
            insert_day!(tx, &*sim, $fx, &rows);
            tx.commit().await?;
            report.observations += rows.observations.len() as u64;
            report.assessments += rows.assessments.len() as u64;
            report.audit_records += rows.audit.len() as u64;
            report.completed_tasks += rows.tasks.len() as u64;
            report.rows += (rows.observations.len()
                + rows.assessments.len()
                + rows.audit.len()
                + rows.tasks.len()) as u64;
            if last.elapsed().as_secs() >= 15 || d + 1 == days {
                last = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                ($progress)(format!(
                    "  day {}/{days}: {} observations, {} rows in {secs:.0} s ({:.0} rows/s)",
                    d + 1,
                    report.observations,
                    report.rows,
                    report.rows as f64 / secs
                ));
            }
        }
        let rest = sim.finish();
        for t in &rest {
            if t.task.closes.is_some() {
                report.completed_tasks += 1;
            } else {
                report.open_tasks += 1;
            }
        }
        let mut with_open: Vec<usize> = rest
            .iter()
            .filter(|t| t.task.closes.is_none())
            .map(|t| t.task.person)
            .collect();
        with_open.sort_unstable();
        with_open.dedup();
        report.citizens_with_open_tasks = with_open.len() as u64;
        report.team_citizens_with_open_tasks = with_open
            .iter()
            .filter(|p| sim.people[**p].org == 0)
            .count() as u64;
        report.rows += rest.len() as u64;
        {
            let mut tx = sqlx::Connection::begin_with(&mut *$conn, $begin).await?;
            insert_tasks!(tx, &*sim, $fx, rest);
            tx.commit().await?;
        }
        report.alarms = sim.alarms;
        Ok::<(), DbError>(())
    }};
}

impl Db {
    /// Loads the synthetic data set described by `spec` (see the module documentation),
    /// reporting progress now and then through `progress`.
    pub async fn bench_load(
        &self,
        spec: &LoadSpec,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<LoadReport> {
        let started = Instant::now();
        if spec.orgs.is_empty() {
            return Err(DbError::Internal("a load needs an organisation".into()));
        }
        let (programme, programme_name, version_number, stored): (uuid::Uuid, String, i64, String) =
            on_read!(self, |c| {
                let r = sqlx::query(
                "SELECT pv.programme_id, p.name, pv.version, pv.definition FROM programme_versions pv \
                 JOIN programmes p ON p.id = pv.programme_id WHERE pv.id = $1",
            )
            .bind(spec.version.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("programme version"))?;
                Ok::<_, DbError>((
                    r.try_get("programme_id")?,
                    r.try_get("name")?,
                    r.try_get("version")?,
                    r.try_get("definition")?,
                ))
            })?;
        let definition: PlanDefinition = from_json(&stored)?;
        let mut team_names = Vec::new();
        for o in &spec.orgs {
            let org = self.organisation(o.id).await?;
            team_names.push(format!("{programme_name} – {}", org.name));
        }
        let max_params = match self.backend() {
            crate::Backend::Sqlite => SQLITE_PARAMS,
            crate::Backend::Postgres => PG_PARAMS,
        };
        let fx = Fixed {
            spec,
            programme,
            version_number,
            definition_json: to_json(&definition)?,
            team_names,
            max_params,
        };
        let mut sim = Sim::new(spec, definition);
        let mut report = LoadReport::default();
        match &self.inner.pools {
            Pools::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                // For this load only, on this connection: no fsync per commit, no foreign-key
                // checks (the rows are consistent by construction), a page cache that holds
                // what is being filled, and the big tables' secondary indexes built once at
                // the end (by sorting) instead of row by row. Set back whatever happens.
                for pragma in [
                    "PRAGMA synchronous = OFF",
                    "PRAGMA foreign_keys = OFF",
                    "PRAGMA cache_size = -4194304",
                ] {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                let indexes: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND tbl_name IN ({BULK_TABLES}) ORDER BY name"
                )))
                .fetch_all(&mut *conn)
                .await?;
                for (name, _) in &indexes {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                        .execute(&mut *conn)
                        .await?;
                }
                let loaded: Result<()> = async {
                    load_on!(
                        conn,
                        "BEGIN IMMEDIATE",
                        &mut sim,
                        &fx,
                        &mut report,
                        progress
                    )
                }
                .await;
                let restored: Result<()> = async {
                    let t0 = Instant::now();
                    for (_, sql) in &indexes {
                        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                            .execute(&mut *conn)
                            .await?;
                    }
                    progress(format!(
                        "  built {} indexes in {:.0} s",
                        indexes.len(),
                        t0.elapsed().as_secs_f64()
                    ));
                    for pragma in [
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA cache_size = -2000",
                        "PRAGMA wal_checkpoint(TRUNCATE)",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                }
                .await;
                loaded?;
                restored?;
            }
            Pools::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                // For this session only: commits without waiting for the WAL flush, no
                // foreign-key triggers (replica role; needs a superuser, else they stay on),
                // and the big tables' secondary indexes and unique constraints built once at
                // the end instead of row by row.
                sqlx::query("SET synchronous_commit = off")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("SET maintenance_work_mem = '1GB'")
                    .execute(&mut *conn)
                    .await?;
                if sqlx::query("SET session_replication_role = replica")
                    .execute(&mut *conn)
                    .await
                    .is_err()
                {
                    progress(
                        "  (not a superuser: foreign keys are checked during the load)".into(),
                    );
                }
                let constraints: Vec<(String, String, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT c.conname::text, t.relname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c \
                         JOIN pg_class t ON t.oid = c.conrelid \
                         WHERE c.contype = 'u' AND t.relnamespace = current_schema()::regnamespace \
                         AND t.relname IN ({BULK_TABLES}) ORDER BY 1"
                    )))
                    .fetch_all(&mut *conn)
                    .await?;
                let indexes: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT i.indexname::text, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() \
                     AND i.tablename IN ({BULK_TABLES}) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY 1"
                )))
                .fetch_all(&mut *conn)
                .await?;
                for (name, table, _) in &constraints {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {name}"
                    )))
                    .execute(&mut *conn)
                    .await?;
                }
                for (name, _) in &indexes {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                        .execute(&mut *conn)
                        .await?;
                }
                let loaded: Result<()> =
                    async { load_on!(conn, "BEGIN", &mut sim, &fx, &mut report, progress) }.await;
                let restored: Result<()> = async {
                    let t0 = Instant::now();
                    for (_, def) in &indexes {
                        sqlx::query(sqlx::AssertSqlSafe(def.clone()))
                            .execute(&mut *conn)
                            .await?;
                    }
                    for (name, table, def) in &constraints {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "ALTER TABLE {table} ADD CONSTRAINT {name} {def}"
                        )))
                        .execute(&mut *conn)
                        .await?;
                    }
                    progress(format!(
                        "  built {} indexes and {} unique constraints in {:.0} s",
                        indexes.len(),
                        constraints.len(),
                        t0.elapsed().as_secs_f64()
                    ));
                    sqlx::query("RESET ALL").execute(&mut *conn).await?;
                    Ok(())
                }
                .await;
                loaded?;
                restored?;
                let t0 = Instant::now();
                sqlx::query("ANALYZE").execute(&mut *conn).await?;
                progress(format!(
                    "  analysed the tables (as autovacuum would) in {:.0} s",
                    t0.elapsed().as_secs_f64()
                ));
            }
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Measurements received up to `until` (the load's own, on a later run: the benchmark's
    /// submissions come after it).
    pub async fn bench_observations_until(&self, until: Timestamp) -> Result<i64> {
        on_read!(self, |c| {
            sqlx::query_scalar("SELECT COUNT(*) FROM observations WHERE received_at <= $1")
                .bind(until.0)
                .fetch_one(&mut *c)
                .await
                .map_err(DbError::from)
        })
    }

    /// Each citizen's latest weight (0 when none), so a benchmark sends weights that follow on.
    pub async fn bench_last_weights(&self, citizens: &[CitizenId]) -> Result<Vec<f64>> {
        on_read!(self, |c| {
            let mut out = Vec::with_capacity(citizens.len());
            for citizen in citizens {
                let w: Option<f64> = sqlx::query_scalar(
                    "SELECT value FROM observations WHERE citizen_id = $1 AND type = 'weight' \
                     ORDER BY effective_at DESC LIMIT 1",
                )
                .bind(citizen.0)
                .fetch_optional(&mut *c)
                .await?;
                out.push(w.unwrap_or(0.0));
            }
            Ok::<_, DbError>(out)
        })
    }

    /// The citizens in a programme with the organisation that enrolled them.
    pub async fn bench_enrolled(&self, programme: ProgrammeId) -> Result<Vec<(CitizenId, OrgId)>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT citizen_id, org_id FROM enrolments WHERE programme_id = $1 AND status = 'active' ORDER BY citizen_id",
            )
            .bind(programme.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        CitizenId(r.try_get("citizen_id")?),
                        OrgId(r.try_get("org_id")?),
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })
    }
}

/// Where a data set loaded at `now` ends: 11:00 Copenhagen time on the latest weekday, so the
/// open work is that morning's results and missed windows and whatever the last sweeps left,
/// whatever the time of day the load runs.
pub fn data_end(now: Timestamp) -> Timestamp {
    let mut date = now.in_copenhagen().date();
    loop {
        let t = local(date, 11 * 60);
        if t <= now.0 && !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return Timestamp(t);
        }
        date = date.previous_day().expect("a date");
    }
}

/// Removes a PostgreSQL database made for the benchmark (a stale or half-loaded one), with
/// whatever sessions it still has.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> Result<()> {
    use sqlx::Connection;
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(DbError::Internal(format!(
            "'{name}' is not a safe database name"
        )));
    }
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_cpr_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..30_000 {
            let male = i % 3 == 0;
            let s = synthetic_cpr(i, male);
            let cpr = telesund_core::cpr::Cpr::parse(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(
                cpr.sex() == telesund_core::cpr::Sex::Male,
                male,
                "{s}: the last digit gives the sex"
            );
            let year = cpr.birth_date().unwrap().year();
            assert!((1935..=1960).contains(&year), "{s}: {year}");
            assert!(seen.insert(s));
        }
    }

    #[test]
    fn values_sql_numbers_placeholders_across_rows() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b, c) VALUES ", "(?, 'x', ?)", 2),
            "INSERT INTO t (a, b, c) VALUES ($1, 'x', $2),($3, 'x', $4)"
        );
        assert_eq!(params("(?, 'x', ?)"), 2);
    }
}
