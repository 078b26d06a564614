//! Synthetic equipment for the `bench-equipment` benchmark, written straight into the tables:
//! citizens' kits installed, shared across their programmes, swapped when faulty, collected
//! when a plan ends, cleaned and given to the next citizen; preventive maintenance visits;
//! and a warehouse stock.
//!
//! The citizens come from `monitoring::bench_load` (citizens enrolled in one programme by
//! hospitals); this adds what the equipment flows would have left behind over the two years
//! since, row for row as `order_kit`, `change_order_status`, `schedule_visit`,
//! `allocate_unit`, `dispatch_order`, `complete_visit`, `order_replacement`,
//! `record_unit_event`, `record_reprocessing`, `set_care_plan_status` and `enrol` write them:
//!
//! - every citizen's logistics consent, and for some a second programme (enrolment, consent,
//!   care team of the enrolling municipality, care plan with its 'created' history row);
//! - each plan's kit order compared with the units in the home by the real rule
//!   (`plan_kit_order`): shared roles get an assignment, the rest is ordered, accepted,
//!   scheduled on a working day, picked by scanning, dispatched and installed, with every
//!   trace line, the visit with its proof and price, and the units' history (received,
//!   incoming inspection, reserve, prepare, dispatch, install); shares are equal;
//! - faults: some reported and cleared by the service desk, some swapped (a REPLACE order,
//!   the faulty unit collected, cleaned and back in stock);
//! - the `former` citizens' plans end: their units are picked up, cleaned (reprocessing
//!   records charged to the last payer) and serve later citizens;
//! - preventive maintenance: calibration visits (done, priced, with a maintenance record)
//!   while a unit is in a home, and the visits the hourly planner has planned for the next
//!   30 days;
//! - `follow_up` plans enrolled in the last days whose kit is all in the home already and
//!   not yet ordered (ordering one is only assignments);
//! - stock: what is left of the delivered lots, returns, and a delivery not yet inspected.
//!
//! Serials follow each manufacturer's pattern and are unique per model; units arrive in lots
//! (a few per model, each with its expiry). Not written: the audit records of these
//! operations (nothing here reads the audit log). Multi-row INSERTs, a few transactions, on
//! the writer's connection with that connection's durability relaxed for the load (SQLite
//! `synchronous=OFF` and no foreign-key checks, PostgreSQL `synchronous_commit=off`), then
//! set back; PostgreSQL's tables are analysed at the end, as autovacuum would. Not for
//! production use.

use crate::db::{Db, Pools};
use crate::error::{DbError, Result};
use crate::monitoring::bench_load::LoadOrg;
use crate::monitoring::to_json;
use sqlx::Row;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;
use telesund_core::Timestamp;
use telesund_core::calendar::{working_day_on_or_after, working_day_on_or_before};
use telesund_core::equipment::catalogue::{DeviceRole, Kit, Model, ModelStatus};
use telesund_core::equipment::kit::{HeldUnit, equal_shares, plan_kit_order};
use telesund_core::equipment::maintenance::VISIT_LEAD_DAYS;
use telesund_core::equipment::order::ServiceType;
use telesund_core::equipment::visit::InstallationProof;
use telesund_core::ids::*;
use telesund_core::time::copenhagen_offset;
use time::{Date, Duration, PrimitiveDateTime, Time};

const SECOND_US: i64 = 1_000_000;
const MINUTE_US: i64 = 60 * SECOND_US;
const HOUR_US: i64 = 60 * MINUTE_US;
const DAY_US: i64 = 24 * HOUR_US;
/// Bound parameters per statement (as `monitoring::bench_load`: SQLite binds by name, so a
/// statement's binding is quadratic in its parameters; PostgreSQL allows 65,535).
const SQLITE_PARAMS: usize = 256;
const PG_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 1_000;
/// The maintenance planner's horizon (`visits::MAINTENANCE_HORIZON_DAYS`).
const PLANNER_HORIZON_DAYS: i64 = 30;

/// A programme some of the citizens are (also) enrolled in, and by whom.
#[derive(Clone, Debug)]
pub struct ExtraProgramme {
    pub programme: ProgrammeId,
    /// Enrolling organisations, taken in turn; each needs its clinician in `orgs`.
    pub orgs: Vec<OrgId>,
    /// The share of the citizens (0–1).
    pub share: f64,
}

/// What to load.
#[derive(Clone, Debug)]
pub struct EquipmentLoadSpec {
    /// Citizens with active plans (from `monitoring::bench_load`) who keep their equipment.
    pub citizens: Vec<CitizenId>,
    /// Citizens whose plans end during the simulated time: their units come back and serve
    /// others.
    pub former: Vec<CitizenId>,
    /// Second programmes (a citizen gets at most one), enrolled at some point after the first.
    pub second: Vec<ExtraProgramme>,
    /// Plans of a programme a citizen is already served in (a municipality's follow-up),
    /// enrolled in the last few days; their kit is in the home and not yet ordered. Taken
    /// from citizens without a second programme.
    pub follow_up: Option<(ExtraProgramme, usize)>,
    /// Every enrolling organisation with the clinician who orders and ends its plans.
    pub orgs: Vec<LoadOrg>,
    pub warehouse: WarehouseId,
    /// The service centre's technician (fulfilment, visits, reprocessing) and service-desk
    /// agent (faults).
    pub technician: (UserId, String),
    pub agent: (UserId, String),
    /// The first programme's plans started here (the monitoring load's enrolment); the
    /// equipment history runs from then to `now`.
    pub now: Timestamp,
    pub seed: u64,
}

/// What was loaded.
#[derive(Clone, Debug, Default)]
pub struct EquipmentLoadReport {
    pub units: u64,
    pub units_in_use: u64,
    pub units_in_stock: u64,
    pub lots: u64,
    pub assignments: u64,
    pub open_assignments: u64,
    pub unit_events: u64,
    pub orders: u64,
    pub visits: u64,
    pub reprocessing_records: u64,
    pub maintenance_records: u64,
    pub plans_added: u64,
    pub plans_ended: u64,
    pub follow_up_plans: u64,
    pub rows: u64,
    pub seconds: f64,
}

/// A unit, as the benchmark picks them.
#[derive(Clone, Debug)]
pub struct BenchUnit {
    pub id: UnitId,
    pub serial: String,
    pub udi_di: String,
    pub lot: Option<String>,
    pub expiry: Option<String>,
    pub state: String,
    pub citizen_id: Option<CitizenId>,
}

/// An active care plan, as the benchmark picks them.
#[derive(Clone, Debug)]
pub struct BenchPlan {
    pub plan_id: CarePlanId,
    pub citizen_id: CitizenId,
    pub org_id: OrgId,
    pub programme_id: ProgrammeId,
    /// Open assignments of units to the plan.
    pub assignments: i64,
}

// ---------------------------------------------------------------------------------------
// Random numbers (SplitMix64), times.

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
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    /// A UUID v7 of the given time (µs), as an id made at that moment looks.
    fn uuid_at(&mut self, micros: i64) -> uuid::Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis((micros / 1_000) as u64, &bytes).into_uuid()
    }
}

/// The UTC instant of a Copenhagen wall-clock time (minutes after midnight).
fn local(date: Date, minutes: i64) -> i64 {
    let t = Time::from_hms((minutes / 60) as u8, (minutes % 60) as u8, 0).expect("a time");
    let naive = PrimitiveDateTime::new(date, t);
    let offset = copenhagen_offset(naive.assume_utc());
    Timestamp::from_datetime(naive.assume_offset(offset)).0
}

fn day_of(t: i64) -> Date {
    Timestamp(t).in_copenhagen().date()
}

fn date_text(d: Date) -> String {
    super::date_text(d)
}

// ---------------------------------------------------------------------------------------
// The simulation: citizens' plans, kit orders, faults, plan ends, on "slots" (a unit's stay
// with one citizen); units are given to slots afterwards, in time order.

struct Plan {
    id: uuid::Uuid,
    person: usize,
    programme: ProgrammeId,
    org: OrgId,
    started: i64,
    /// Written by this load (not by the monitoring load).
    new: Option<NewPlan>,
    ended: Option<i64>,
}

struct NewPlan {
    enrolment: uuid::Uuid,
    team: uuid::Uuid,
    new_team: bool,
}

struct Person {
    id: uuid::Uuid,
    name: String,
    former: bool,
    plans: Vec<usize>,
    /// Slots in the home now (in the simulation's time).
    home: Vec<usize>,
    /// (org, team) of the citizen's active care teams.
    teams: Vec<(OrgId, uuid::Uuid)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EndKind {
    Swap,
    Pickup,
}

struct SlotEnd {
    kind: EndKind,
    order: usize,
    /// Swap: when the fault was reported.
    fault_at: Option<i64>,
    fault: &'static str,
    collect_at: i64,
    goods_in_at: i64,
    reprocessing_at: i64,
    passed_at: i64,
    /// The last payer and citizen (the reprocessing record's).
    payer: OrgId,
}

struct Slot {
    model: usize,
    person: usize,
    order: usize,
    reserve_at: i64,
    dispatch_at: i64,
    install_at: i64,
    signed_by: String,
    end: Option<SlotEnd>,
    /// The physical unit (index into `units`), given after the simulation.
    unit: usize,
    /// Open assignments (indexes), in the order the unit's shares are balanced.
    open: Vec<usize>,
    /// Every assignment the slot had.
    all: Vec<usize>,
}

struct Assignment {
    id: uuid::Uuid,
    slot: usize,
    plan: usize,
    payer: OrgId,
    order: Option<usize>,
    share: u32,
    started: i64,
    ended: Option<i64>,
}

enum Text {
    Fixed(String),
    /// "<model> (SN <serial>) tildelt linjen <role>"
    Allocated(usize),
    /// "ombytning af <model> (SN <serial>): <fault>"
    Swap(usize, &'static str),
}

struct Trace {
    id: uuid::Uuid,
    at: i64,
    by_user: Option<uuid::Uuid>,
    by_name: String,
    from: Option<&'static str>,
    to: Option<&'static str>,
    text: Text,
}

struct Line {
    id: uuid::Uuid,
    role: DeviceRole,
    models: String,
    slot: Option<usize>,
    replaces: Option<usize>,
    status: &'static str,
    plans: Vec<(usize, OrgId)>,
}

struct Order {
    id: uuid::Uuid,
    person: usize,
    plan: Option<usize>,
    payer: OrgId,
    service: ServiceType,
    status: &'static str,
    priority: &'static str,
    door_code: String,
    contact: String,
    notes: String,
    by_user: Option<uuid::Uuid>,
    by_name: String,
    created: i64,
    updated: i64,
    lines: Vec<Line>,
    trace: Vec<Trace>,
}

struct VisitRow {
    id: uuid::Uuid,
    order: Option<usize>,
    unit: Option<usize>,
    person: usize,
    payer: OrgId,
    kind: &'static str,
    planned_on: Date,
    proof: Option<String>,
    notes: &'static str,
    price: Option<i64>,
    done_at: Option<i64>,
}

struct Lot {
    code: String,
    /// Its units: `units[first..first + size]`.
    first: usize,
    size: usize,
    purchased: Date,
    received_at: i64,
    inspected_at: Option<i64>,
}

struct Unit {
    id: uuid::Uuid,
    model: usize,
    serial: String,
    device_id: Option<String>,
    lot: usize,
    slots: Vec<usize>,
}

const FAULTS: &[&str] = &[
    "sender ikke målinger; Bluetooth-parring mislykkes",
    "skærmen reagerer ikke på berøring",
    "batteriet holder kun få timer",
    "viser fejlkode ved opstart",
    "manchetten lækker",
    "tænder ikke",
];
const CLEARED: &[(&str, &str)] = &[
    (
        "borgeren melder, at målinger ikke når frem",
        "løst over telefonen: genstartet og parret igen",
    ),
    (
        "tablet mister forbindelsen til mobilnettet",
        "løst: SIM-kort genindsat, forbindelse testet",
    ),
    (
        "borgeren kan ikke logge ind i appen",
        "løst over telefonen: appen geninstalleret",
    ),
];
const DOOR_CODES: &[&str] = &["", "", "", "1234", "2580", "4711", "nøgleboks 9090"];
const CONTACTS: &[&str] = &[
    "",
    "",
    "datter (ring i forvejen)",
    "søn",
    "hjemmeplejen",
    "ægtefælle",
];
const NOTES: &[&str] = &[
    "Ring på i forvejen",
    "",
    "Borgeren er hjemme efter kl. 10",
    "3. sal, ingen elevator",
    "",
];

/// What the simulation needs to know about the catalogue and the people.
struct World<'a> {
    spec: &'a EquipmentLoadSpec,
    models: Vec<Model>,
    kits: Vec<Kit>,
    programme_names: HashMap<ProgrammeId, String>,
    clinicians: HashMap<OrgId, (UserId, String)>,
    install_price: i64,
    swap_price: i64,
    pickup_price: i64,
    calibration_price: i64,
}

struct Sim<'a> {
    w: World<'a>,
    rng: Rng,
    now: i64,
    today: Date,
    people: Vec<Person>,
    plans: Vec<Plan>,
    slots: Vec<Slot>,
    assignments: Vec<Assignment>,
    orders: Vec<Order>,
    visits: Vec<VisitRow>,
}

/// A time of day on a working day at or after `from` plus `days`, between `from_min` and
/// `to_min` minutes after midnight.
fn working_time(rng: &mut Rng, from: Date, days: i64, from_min: i64, to_min: i64) -> i64 {
    let d = working_day_on_or_after(from + Duration::days(days));
    local(d, rng.range(from_min, to_min))
}

impl Sim<'_> {
    fn model_index(&self, id: ModelId) -> usize {
        self.w
            .models
            .iter()
            .position(|m| m.id == id)
            .expect("a model of the catalogue")
    }

    fn clinician(&self, org: OrgId) -> (Option<uuid::Uuid>, String) {
        match self.w.clinicians.get(&org) {
            Some((u, n)) => (Some(u.0), n.clone()),
            None => (None, "Klinisk personale".into()),
        }
    }

    fn tech(&self) -> (Option<uuid::Uuid>, String) {
        (
            Some(self.w.spec.technician.0.0),
            self.w.spec.technician.1.clone(),
        )
    }

    fn trace(
        &mut self,
        order: usize,
        at: i64,
        by: &(Option<uuid::Uuid>, String),
        from: Option<&'static str>,
        to: Option<&'static str>,
        text: Text,
    ) {
        let id = self.rng.uuid_at(at);
        let o = &mut self.orders[order];
        o.trace.push(Trace {
            id,
            at,
            by_user: by.0,
            by_name: by.1.clone(),
            from,
            to,
            text,
        });
        if let Some(s) = to {
            o.status = s;
            o.updated = o.updated.max(at);
        }
    }

    /// Starts a unit's service to a plan and balances the unit's shares.
    fn assign(&mut self, slot: usize, plan: usize, payer: OrgId, order: Option<usize>, at: i64) {
        let id = self.rng.uuid_at(at);
        let a = self.assignments.len();
        self.assignments.push(Assignment {
            id,
            slot,
            plan,
            payer,
            order,
            share: 10_000,
            started: at,
            ended: None,
        });
        self.slots[slot].open.push(a);
        self.slots[slot].all.push(a);
        self.rebalance(slot);
    }

    fn rebalance(&mut self, slot: usize) {
        let open = self.slots[slot].open.clone();
        for (a, share) in open.iter().zip(equal_shares(open.len())) {
            self.assignments[*a].share = share;
        }
    }

    /// Ends a slot's open assignments (no rebalance: the unit leaves).
    fn end_assignments(&mut self, slot: usize, at: i64) {
        for a in std::mem::take(&mut self.slots[slot].open) {
            self.assignments[a].ended = Some(at);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn new_order(
        &mut self,
        person: usize,
        plan: Option<usize>,
        payer: OrgId,
        service: ServiceType,
        urgent: bool,
        by: &(Option<uuid::Uuid>, String),
        at: i64,
        notes: String,
    ) -> usize {
        let id = self.rng.uuid_at(at);
        let (door_code, contact) = if service == ServiceType::Pickup {
            (String::new(), String::new())
        } else {
            (
                self.rng.pick(DOOR_CODES).to_string(),
                self.rng.pick(CONTACTS).to_string(),
            )
        };
        self.orders.push(Order {
            id,
            person,
            plan,
            payer,
            service,
            status: "submitted",
            priority: if urgent { "urgent" } else { "routine" },
            door_code,
            contact,
            notes,
            by_user: by.0,
            by_name: by.1.clone(),
            created: at,
            updated: at,
            lines: Vec::new(),
            trace: Vec::new(),
        });
        self.orders.len() - 1
    }

    /// Accepted, a visit scheduled `days` working days on, picked the afternoon before,
    /// dispatched in the morning, and the visit's time: the steps up to the visit, for the
    /// order's pending lines (each gets a new slot of the line's first model).
    fn fulfil(
        &mut self,
        order: usize,
        kind: &'static str,
        days: i64,
        urgent: bool,
    ) -> (i64, i64, Date) {
        let tech = self.tech();
        let created = self.orders[order].created;
        let accepted = created + self.rng.range(20, if urgent { 180 } else { 360 }) * MINUTE_US;
        self.trace(
            order,
            accepted,
            &tech,
            Some("submitted"),
            Some("accepted"),
            Text::Fixed(String::new()),
        );
        let scheduled = accepted + self.rng.range(1, 15) * MINUTE_US;
        let day = working_day_on_or_after(day_of(scheduled) + Duration::days(days));
        let danish = match kind {
            "install" => "installation",
            "swap" => "ombytning",
            _ => "afhentning",
        };
        self.trace(
            order,
            scheduled,
            &tech,
            Some("accepted"),
            Some("scheduled"),
            Text::Fixed(format!("besøg ({danish}) planlagt til {day}")),
        );
        let visit_at = local(day, self.rng.range(9 * 60, 15 * 60));
        (scheduled, visit_at, day)
    }

    /// Picking, dispatch and installation of an order's pending lines on `day`, with the
    /// visit; returns the new slots by line.
    fn deliver(
        &mut self,
        order: usize,
        kind: &'static str,
        (scheduled, visit_at, day): (i64, i64, Date),
    ) -> Vec<(usize, usize)> {
        let tech = self.tech();
        let person = self.orders[order].person;
        let signed_by = self.people[person].name.clone();
        let pick_day = working_day_on_or_before(day - Duration::days(1));
        let mut picked =
            local(pick_day, self.rng.range(12 * 60, 15 * 60)).max(scheduled + 10 * MINUTE_US);
        let dispatched = local(day, 7 * 60 + self.rng.range(15, 50));
        let mut new = Vec::new();
        let pending: Vec<usize> = (0..self.orders[order].lines.len())
            .filter(|l| self.orders[order].lines[*l].status == "pending")
            .collect();
        for (i, l) in pending.iter().enumerate() {
            let models: Vec<ModelId> =
                serde_json::from_str(&self.orders[order].lines[*l].models).unwrap_or_default();
            let model = self.model_index(models[0]);
            let slot = self.slots.len();
            self.slots.push(Slot {
                model,
                person,
                order,
                reserve_at: picked,
                dispatch_at: dispatched + i as i64 * SECOND_US * 2,
                install_at: visit_at + i as i64 * MINUTE_US * 4,
                signed_by: signed_by.clone(),
                end: None,
                unit: usize::MAX,
                open: Vec::new(),
                all: Vec::new(),
            });
            let line = &mut self.orders[order].lines[*l];
            line.slot = Some(slot);
            line.status = "delivered";
            if i == 0 {
                self.trace(
                    order,
                    picked,
                    &tech,
                    Some("scheduled"),
                    Some("picking"),
                    Text::Allocated(slot),
                );
            } else {
                self.trace(order, picked, &tech, None, None, Text::Allocated(slot));
            }
            picked += self.rng.range(1, 4) * MINUTE_US;
            new.push((*l, slot));
        }
        self.trace(
            order,
            dispatched + 10 * SECOND_US,
            &tech,
            Some("picking"),
            Some("dispatched"),
            Text::Fixed("afsendt".into()),
        );
        let done = visit_at + pending.len() as i64 * 4 * MINUTE_US + 5 * MINUTE_US;
        self.trace(
            order,
            done,
            &tech,
            Some("dispatched"),
            Some("installed"),
            Text::Fixed(format!(
                "installeret: parring testet, første måling modtaget, borgeren instrueret; kvitteret af {signed_by}"
            )),
        );
        self.trace(
            order,
            done,
            &tech,
            Some("installed"),
            Some("active"),
            Text::Fixed("aktiv: udstyret bruges i forløbet".into()),
        );
        let proof = to_json(&InstallationProof {
            pairing_tested: true,
            first_measurement_received: true,
            citizen_instructed: true,
            signed_by: signed_by.clone(),
        })
        .ok();
        let price = if kind == "swap" {
            self.w.swap_price
        } else {
            self.w.install_price
        };
        let vid = self.rng.uuid_at(self.orders[order].created);
        self.visits.push(VisitRow {
            id: vid,
            order: Some(order),
            unit: None,
            person,
            payer: self.orders[order].payer,
            kind,
            planned_on: day,
            proof,
            notes: "Installeret og gennemgået",
            price: Some(price),
            done_at: Some(done),
        });
        new
    }

    /// Orders a plan's kit at `at`: the real comparison decides what is shared and what is
    /// ordered; what is ordered is delivered and installed.
    fn order_kit(&mut self, plan: usize, at: i64) {
        let person = self.plans[plan].person;
        let programme = self.plans[plan].programme;
        let Some(kit) = self
            .w
            .kits
            .iter()
            .find(|k| k.programme_id == programme)
            .cloned()
        else {
            return;
        };
        let payer = self.plans[plan].org;
        let held: Vec<HeldUnit> = self.people[person]
            .home
            .iter()
            .map(|s| HeldUnit {
                unit_id: UnitId(uuid::Uuid::from_u128(*s as u128)),
                model_id: self.w.models[self.slots[*s].model].id,
                role: self.w.models[self.slots[*s].model].role,
                plans: self.slots[*s]
                    .open
                    .iter()
                    .map(|a| CarePlanId(self.plans[self.assignments[*a].plan].id))
                    .collect(),
            })
            .collect();
        let Ok(kp) = plan_kit_order(
            &kit,
            CarePlanId(self.plans[plan].id),
            payer,
            &self.w.models,
            &held,
            &[],
        ) else {
            return;
        };
        let by = self.clinician(payer);
        let role_list = |roles: &mut dyn Iterator<Item = DeviceRole>| {
            roles.map(|r| r.danish()).collect::<Vec<_>>().join(", ")
        };
        let summary = format!(
            "{} til {}: bestilt {}; genbruges fra hjemmet: {}; allerede på vej: {}",
            kit.name,
            self.w
                .programme_names
                .get(&programme)
                .cloned()
                .unwrap_or_default(),
            role_list(&mut kp.order.iter().map(|(r, _)| *r)),
            role_list(&mut kp.share.iter().map(|(r, _)| *r)),
            role_list(&mut kp.join.iter().map(|(r, _)| *r)),
        );
        let order = kp.needs_delivery().then(|| {
            let notes = self.rng.pick(NOTES).to_string();
            self.new_order(
                person,
                Some(plan),
                payer,
                ServiceType::Install,
                false,
                &by,
                at,
                notes,
            )
        });
        for (_, unit) in &kp.share {
            let slot = unit.0.as_u128() as usize;
            self.assign(slot, plan, payer, order, at);
        }
        let Some(order) = order else {
            return;
        };
        for (role, models) in &kp.order {
            let id = self.rng.uuid_at(at);
            self.orders[order].lines.push(Line {
                id,
                role: *role,
                models: to_json(models).unwrap_or_else(|_| "[]".into()),
                slot: None,
                replaces: None,
                status: "pending",
                plans: vec![(plan, payer)],
            });
        }
        self.trace(
            order,
            at,
            &by,
            None,
            Some("submitted"),
            Text::Fixed(summary),
        );
        let days = self.rng.range(2, 7);
        let visit = self.fulfil(order, "install", days, false);
        for (l, slot) in self.deliver(order, "install", visit) {
            let at = self.slots[slot].install_at;
            let plans = self.orders[order].lines[l].plans.clone();
            for (p, payer) in plans {
                self.assign(slot, p, payer, Some(order), at);
            }
            self.people[person].home.push(slot);
        }
    }

    /// A faulty unit in the home is replaced (REPLACE order, swap visit), and the faulty one
    /// goes back to be cleaned.
    fn swap(&mut self, person: usize, at: i64) {
        let home = &self.people[person].home;
        if home.is_empty() {
            return;
        }
        let old = home[(self.rng.next() % home.len() as u64) as usize];
        if self.slots[old].open.is_empty() {
            return;
        }
        let fault = self.rng.pick(FAULTS);
        let agent = (Some(self.w.spec.agent.0.0), self.w.spec.agent.1.clone());
        let open = self.slots[old].open.clone();
        let mut first = open.clone();
        first.sort_by_key(|a| self.assignments[*a].started);
        let payer = self.assignments[first[0]].payer;
        let order = self.new_order(
            person,
            None,
            payer,
            ServiceType::Replace,
            true,
            &agent,
            at,
            fault.to_string(),
        );
        let role = self.w.models[self.slots[old].model].role;
        let models: Vec<ModelId> = self
            .w
            .models
            .iter()
            .filter(|m| m.role == role && m.status == ModelStatus::Approved)
            .map(|m| m.id)
            .collect();
        let id = self.rng.uuid_at(at);
        let plans: Vec<(usize, OrgId)> = first
            .iter()
            .map(|a| (self.assignments[*a].plan, self.assignments[*a].payer))
            .collect();
        self.orders[order].lines.push(Line {
            id,
            role,
            models: to_json(&models).unwrap_or_else(|_| "[]".into()),
            slot: None,
            replaces: Some(old),
            status: "pending",
            plans: plans.clone(),
        });
        self.trace(
            order,
            at,
            &agent,
            None,
            Some("submitted"),
            Text::Swap(old, fault),
        );
        let visit = self.fulfil(order, "swap", 1, true);
        let day = visit.2;
        let new = self.deliver(order, "swap", visit);
        let (_, slot) = new[0];
        let installed = self.slots[slot].install_at;
        self.end_assignments(old, installed);
        for (p, payer) in plans {
            self.assign(slot, p, payer, Some(order), installed);
        }
        let collect_at = installed + 2 * MINUTE_US;
        let goods_in_at = local(day, 16 * 60 + self.rng.range(0, 60));
        let reprocessing_at = working_time(&mut self.rng, day, 1, 8 * 60, 11 * 60);
        let passed_at = reprocessing_at + self.rng.range(30, 120) * MINUTE_US;
        self.slots[old].end = Some(SlotEnd {
            kind: EndKind::Swap,
            order,
            fault_at: Some(at),
            fault,
            collect_at,
            goods_in_at,
            reprocessing_at,
            passed_at,
            payer,
        });
        let home = &mut self.people[person].home;
        home.retain(|s| *s != old);
        home.push(slot);
    }

    /// Ends a plan (as `set_care_plan_status`): its assignments end, shared units stay with
    /// the other plans, and units no plan uses any more are picked up and cleaned.
    fn end_plan(&mut self, plan: usize, at: i64) {
        let person = self.plans[plan].person;
        self.plans[plan].ended = Some(at);
        let payer = self.plans[plan].org;
        let mut pickup = Vec::new();
        for slot in self.people[person].home.clone() {
            let ending: Vec<usize> = self.slots[slot]
                .open
                .iter()
                .copied()
                .filter(|a| self.assignments[*a].plan == plan)
                .collect();
            if ending.is_empty() {
                continue;
            }
            for a in &ending {
                self.assignments[*a].ended = Some(at);
            }
            self.slots[slot].open.retain(|a| !ending.contains(a));
            if self.slots[slot].open.is_empty() {
                pickup.push(slot);
            } else {
                self.rebalance(slot);
            }
        }
        if pickup.is_empty() {
            return;
        }
        let by = self.clinician(payer);
        let order = self.new_order(
            person,
            Some(plan),
            payer,
            ServiceType::Pickup,
            false,
            &by,
            at,
            String::new(),
        );
        for slot in &pickup {
            let id = self.rng.uuid_at(at);
            let role = self.w.models[self.slots[*slot].model].role;
            self.orders[order].lines.push(Line {
                id,
                role,
                models: "[]".into(),
                slot: Some(*slot),
                replaces: None,
                status: "returned",
                plans: Vec::new(),
            });
        }
        self.trace(
            order,
            at,
            &by,
            None,
            Some("submitted"),
            Text::Fixed(format!(
                "afhentning bestilt automatisk: forløbet er afsluttet, og {} enhed(er) bruges ikke i andre forløb",
                pickup.len()
            )),
        );
        let days = self.rng.range(2, 9);
        let (_, visit_at, day) = self.fulfil(order, "collect", days, false);
        let tech = self.tech();
        self.trace(
            order,
            visit_at,
            &tech,
            Some("scheduled"),
            Some("collected"),
            Text::Fixed(format!("{} enhed(er) hentet", pickup.len())),
        );
        let vid = self.rng.uuid_at(at);
        self.visits.push(VisitRow {
            id: vid,
            order: Some(order),
            unit: None,
            person,
            payer,
            kind: "collect",
            planned_on: day,
            proof: None,
            notes: "Hentet hos borgeren",
            price: Some(self.w.pickup_price),
            done_at: Some(visit_at),
        });
        let goods_in = local(day, 16 * 60 + self.rng.range(0, 45));
        let reprocessing_at = working_time(&mut self.rng, day, 1, 8 * 60, 12 * 60);
        for (i, slot) in pickup.iter().enumerate() {
            let passed_at = reprocessing_at + (30 + 20 * i as i64) * MINUTE_US;
            self.slots[*slot].end = Some(SlotEnd {
                kind: EndKind::Pickup,
                order,
                fault_at: None,
                fault: "",
                collect_at: visit_at - MINUTE_US * (pickup.len() - i) as i64,
                goods_in_at: goods_in + i as i64 * SECOND_US * 30,
                reprocessing_at: reprocessing_at + i as i64 * MINUTE_US * 20,
                passed_at,
                payer,
            });
        }
        let closed = goods_in + pickup.len() as i64 * SECOND_US * 30;
        self.trace(
            order,
            closed,
            &(None, tech.1.clone()),
            Some("collected"),
            Some("closed"),
            Text::Fixed("alle enheder er tilbage på lageret".into()),
        );
        self.people[person].home.retain(|s| !pickup.contains(s));
    }

    /// A plan enrolled by this load (as `enrol` writes it): the citizen's team of the
    /// organisation if there is one, else a new one.
    fn enrol(&mut self, person: usize, programme: ProgrammeId, org: OrgId, at: i64) -> usize {
        let existing = self.people[person]
            .teams
            .iter()
            .find(|(o, _)| *o == org)
            .map(|(_, t)| *t);
        let team = existing.unwrap_or_else(|| self.rng.uuid_at(at));
        if existing.is_none() {
            self.people[person].teams.push((org, team));
        }
        let enrolment = self.rng.uuid_at(at);
        let id = self.rng.uuid_at(at);
        self.plans.push(Plan {
            id,
            person,
            programme,
            org,
            started: at,
            new: Some(NewPlan {
                enrolment,
                team,
                new_team: existing.is_none(),
            }),
            ended: None,
        });
        let p = self.plans.len() - 1;
        self.people[person].plans.push(p);
        p
    }

    /// Everything that happens to one citizen, in time order. Actions are at least a few
    /// weeks apart, so each completes before the next begins.
    fn live(&mut self, person: usize, second: Option<(ProgrammeId, OrgId)>) {
        let first = self.people[person].plans[0];
        let start = self.plans[first].started;
        let former = self.people[person].former;
        let horizon = self.now - 20 * DAY_US;
        // (time, what): 0 the first kit, 1 the second programme, 2 a swap, 3 the end.
        let mut actions: Vec<(i64, u8)> =
            vec![(start + self.rng.range(30, 3 * 24 * 60) * MINUTE_US, 0)];
        let last_second = horizon - if former { 90 * DAY_US } else { 0 };
        let mut second_at = None;
        if second.is_some() && last_second > start + 31 * DAY_US {
            let t = start
                + self.rng.range(30, (last_second - start) / DAY_US) * DAY_US
                + self.rng.range(0, 8 * 60) * MINUTE_US;
            second_at = Some(t);
            actions.push((t, 1));
        }
        if former {
            let from = second_at.unwrap_or(start) + 45 * DAY_US;
            let t = from + self.rng.range(0, ((horizon - from) / DAY_US).max(1)) * DAY_US;
            actions.push((t.min(horizon), 3));
        } else if self.rng.chance(0.18) {
            let t = start
                + self
                    .rng
                    .range(40, ((self.now - start) / DAY_US - 12).max(41))
                    * DAY_US;
            let clash = actions.iter().any(|(a, _)| (a - t).abs() < 20 * DAY_US);
            if !clash && t < self.now - 12 * DAY_US {
                actions.push((t, 2));
            }
        }
        actions.sort();
        for (t, kind) in actions {
            match (kind, second) {
                (0, _) => self.order_kit(first, t),
                (1, Some((programme, org))) => {
                    let p = self.enrol(person, programme, org, t);
                    // The clinician orders the kit in working hours within two days.
                    let days = self.rng.range(0, 3);
                    let order_at = working_time(&mut self.rng, day_of(t), days, 8 * 60, 15 * 60)
                        .max(t + 30 * MINUTE_US);
                    self.order_kit(p, order_at);
                }
                (2, _) => self.swap(person, t),
                (3, _) => {
                    // The later plan ends first, the first one a little later.
                    let plans = self.people[person].plans.clone();
                    let mut at = t;
                    for p in plans.iter().rev() {
                        self.end_plan(*p, at);
                        at += self.rng.range(1, 20) * DAY_US;
                    }
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Units for the slots, in time order: a cleaned return first (oldest first), else a new unit
// of the model's current lot; a lot is delivered and inspected a few weeks before it is
// first needed.

struct Stockroom {
    lots: Vec<Lot>,
    units: Vec<Unit>,
    /// Per model: the open lot and how many units it has left.
    current: Vec<Option<(usize, usize)>>,
    serials: Vec<u64>,
    codes: HashSet<(usize, String)>,
    macs: u64,
    /// Per model: new units the first kits need (all of them, and still to come), and the
    /// slots after them (to size later lots).
    bulk_total: Vec<usize>,
    bulk_left: Vec<usize>,
    later_total: Vec<usize>,
}

fn serial_for(m: &Model, n: u64) -> String {
    match m.role {
        DeviceRole::Tablet => format!("R9TX{:07}", 2_000_000 + n),
        DeviceRole::BloodPressureMonitor if m.manufacturer.starts_with("A&D") => {
            format!("52{:08}", 41_000_000 + n)
        }
        DeviceRole::BloodPressureMonitor => format!("OM7-{:05}", 90_000 + n),
        DeviceRole::Scale => format!("52{:08}", 49_000_000 + n),
        DeviceRole::GlucoseMeter => format!("UI{:07}", 3_000_000 + n),
        DeviceRole::PulseOximeter => format!("{:08}", 51_000_000 + n),
        _ => format!("SN{:08}", n),
    }
}

fn lot_letter(role: DeviceRole) -> &'static str {
    match role {
        DeviceRole::Tablet => "T",
        DeviceRole::BloodPressureMonitor => "L",
        DeviceRole::Scale => "S",
        DeviceRole::GlucoseMeter => "G",
        DeviceRole::PulseOximeter => "N",
        _ => "X",
    }
}

/// The id a Bluetooth device reports with (its address), for models that have one.
fn device_id_for(m: &Model, n: u64) -> Option<String> {
    let prefix = match m.role {
        DeviceRole::Tablet => return None,
        DeviceRole::BloodPressureMonitor => "5C-F8-21",
        DeviceRole::Scale => "00-09-1F-FE-FF",
        DeviceRole::GlucoseMeter => "D0-B5-C2",
        DeviceRole::PulseOximeter => "00-1C-05",
        _ => "02-00-00",
    };
    Some(format!(
        "{prefix}-{:02X}-{:02X}-{:02X}",
        (n >> 16) & 0xFF,
        (n >> 8) & 0xFF,
        n & 0xFF
    ))
}

impl Stockroom {
    fn new(models: usize) -> Stockroom {
        Stockroom {
            lots: Vec::new(),
            units: Vec::new(),
            current: vec![None; models],
            serials: vec![0; models],
            codes: HashSet::new(),
            macs: 0x80_0000,
            bulk_total: vec![0; models],
            bulk_left: vec![0; models],
            later_total: vec![0; models],
        }
    }

    /// A lot of `size` units of a model, delivered on `purchased` (inspected the next
    /// working day unless `inspected` is false).
    fn deliver(
        &mut self,
        rng: &mut Rng,
        models: &[Model],
        model: usize,
        purchased: Date,
        size: usize,
        inspected: bool,
    ) -> usize {
        let m = &models[model];
        let mut code = format!(
            "{}{:02}{:02}",
            lot_letter(m.role),
            purchased.year() % 100,
            u8::from(purchased.month())
        );
        for suffix in ["", "B", "C", "D", "E", "F", "G", "H"] {
            let c = format!("{code}{suffix}");
            if !self.codes.contains(&(model, c.clone())) {
                code = c;
                break;
            }
        }
        self.codes.insert((model, code.clone()));
        let received_at = local(purchased, rng.range(8 * 60, 11 * 60));
        let inspected_at = inspected.then(|| working_time(rng, purchased, 1, 8 * 60, 10 * 60));
        self.lots.push(Lot {
            code,
            first: self.units.len(),
            size,
            purchased,
            received_at,
            inspected_at,
        });
        let lot = self.lots.len() - 1;
        for _ in 0..size {
            let n = self.serials[model];
            self.serials[model] += 1;
            self.macs += 1;
            let id = rng.uuid_at(received_at);
            self.units.push(Unit {
                id,
                model,
                serial: serial_for(m, n),
                device_id: device_id_for(m, self.macs),
                lot,
                slots: Vec::new(),
            });
        }
        lot
    }

    /// A new unit of `model` for a slot reserved at `at`.
    fn fresh(
        &mut self,
        rng: &mut Rng,
        models: &[Model],
        model: usize,
        at: i64,
        bulk: bool,
    ) -> usize {
        let need_lot = match self.current[model] {
            Some((_, left)) => left == 0,
            None => true,
        };
        if need_lot {
            let purchased = day_of(at) - Duration::days(rng.range(20, 60));
            // The first kits' units come in about three lots, the last with a few spare;
            // later lots are smaller.
            let size = if bulk {
                let chunk = (self.bulk_total[model] as f64 / 3.0 * (0.85 + 0.3 * rng.unit())).ceil()
                    as usize;
                let left = self.bulk_left[model];
                if chunk >= left {
                    left + (self.bulk_total[model] / 50).max(3)
                } else {
                    chunk.max(1)
                }
            } else {
                (self.later_total[model] as f64 / 5.0 * (0.7 + 0.6 * rng.unit())).ceil() as usize
            }
            .max(20);
            let lot = self.deliver(rng, models, model, purchased, size, true);
            self.current[model] = Some((lot, size));
        }
        if bulk {
            self.bulk_left[model] = self.bulk_left[model].saturating_sub(1);
        }
        let (lot, left) = self.current[model].expect("an open lot");
        self.current[model] = Some((lot, left - 1));
        // Units of a lot go out in serial order.
        self.lots[lot].first + (self.lots[lot].size - left)
    }
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

macro_rules! write_table {
    ($conn:expr, $max_params:expr, $table:expr) => {{
        let t: &Table = $table;
        let per = ($max_params / t.row.matches('?').count().max(1)).clamp(1, MAX_ROWS);
        for chunk in t.rows.chunks(per) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(values_sql(t.head, t.row, chunk.len())));
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
            q.execute(&mut *$conn).await?;
        }
    }};
}

macro_rules! write_all {
    ($conn:expr, $begin:expr, $max_params:expr, $tables:expr, $updates:expr, $progress:expr) => {{
        let mut tx = sqlx::Connection::begin_with(&mut *$conn, $begin).await?;
        for t in $tables.iter() {
            let t0 = Instant::now();
            write_table!(tx, $max_params, t);
            ($progress)(format!(
                "  {}: {} rows in {:.1} s",
                t.name,
                t.rows.len(),
                t0.elapsed().as_secs_f64()
            ));
        }
        for (sql, plan, at) in $updates.iter() {
            sqlx::query(*sql)
                .bind(*at)
                .bind(*plan)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }};
}

impl Db {
    /// Loads the equipment described by `spec` (see the module documentation), reporting
    /// progress now and then through `progress`.
    pub async fn bench_load_equipment(
        &self,
        spec: &EquipmentLoadSpec,
        progress: &(dyn Fn(String) + Send + Sync),
    ) -> Result<EquipmentLoadReport> {
        let started = Instant::now();
        let models = self.models().await?;
        let kits = self.kits().await?;
        let prices = self.service_prices().await?;
        let price = |s: ServiceType| prices.iter().find(|(t, _)| *t == s).map_or(0, |(_, p)| *p);
        let mut programme_names = HashMap::new();
        let mut versions = HashMap::new();
        for p in self.programmes().await? {
            if let Some(v) = self.active_programme_version(p.id).await? {
                versions.insert(p.id, (v.id, v.version, to_json(&v.definition)?));
            }
            programme_names.insert(p.id, p.name);
        }
        let mut org_names = HashMap::new();
        for o in &spec.orgs {
            org_names.insert(o.id, self.organisation(o.id).await?.name);
        }
        let clinicians: HashMap<OrgId, (UserId, String)> = spec
            .orgs
            .iter()
            .map(|o| (o.id, (o.clinician, o.clinician_name.clone())))
            .collect();

        // The citizens' plans as the monitoring load left them.
        let wanted: HashMap<uuid::Uuid, bool> = spec
            .citizens
            .iter()
            .map(|c| (c.0, false))
            .chain(spec.former.iter().map(|c| (c.0, true)))
            .collect();
        let existing: Vec<(
            uuid::Uuid,
            uuid::Uuid,
            i64,
            uuid::Uuid,
            uuid::Uuid,
            String,
            uuid::Uuid,
        )> = crate::db::on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT cp.id, cp.citizen_id, cp.started_at, pv.programme_id, e.org_id, \
                     ci.given_name || ' ' || ci.family_name AS name, cp.care_team_id \
                     FROM care_plans cp JOIN enrolments e ON e.id = cp.enrolment_id \
                     JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                     JOIN citizens ci ON ci.id = cp.citizen_id \
                     WHERE cp.status = 'active' ORDER BY cp.citizen_id, cp.started_at",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("id")?,
                        r.try_get("citizen_id")?,
                        r.try_get("started_at")?,
                        r.try_get("programme_id")?,
                        r.try_get("org_id")?,
                        r.try_get("name")?,
                        r.try_get("care_team_id")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let now = spec.now.0;
        let mut sim = Sim {
            w: World {
                spec,
                models,
                kits,
                programme_names,
                clinicians,
                install_price: price(ServiceType::Install),
                swap_price: price(ServiceType::Replace),
                pickup_price: price(ServiceType::Pickup),
                calibration_price: price(ServiceType::Calibration),
            },
            rng: Rng(spec.seed),
            now,
            today: day_of(now),
            people: Vec::new(),
            plans: Vec::new(),
            slots: Vec::new(),
            assignments: Vec::new(),
            orders: Vec::new(),
            visits: Vec::new(),
        };
        let mut index: HashMap<uuid::Uuid, usize> = HashMap::new();
        for (plan, citizen, started_at, programme, org, name, team) in existing {
            let Some(former) = wanted.get(&citizen) else {
                continue;
            };
            let person = *index.entry(citizen).or_insert_with(|| {
                sim.people.push(Person {
                    id: citizen,
                    name,
                    former: *former,
                    plans: Vec::new(),
                    home: Vec::new(),
                    teams: Vec::new(),
                });
                sim.people.len() - 1
            });
            sim.plans.push(Plan {
                id: plan,
                person,
                programme: ProgrammeId(programme),
                org: OrgId(org),
                started: started_at,
                new: None,
                ended: None,
            });
            let p = sim.plans.len() - 1;
            sim.people[person].plans.push(p);
            sim.people[person].teams.push((OrgId(org), team));
        }
        if sim.people.is_empty() {
            return Err(DbError::Internal(
                "the equipment load needs citizens with active plans".into(),
            ));
        }
        let first_start = sim.plans.iter().map(|p| p.started).min().unwrap_or(now);

        // Who gets which second programme (and which organisation enrols them).
        let people = sim.people.len();
        let mut second: Vec<Option<(ProgrammeId, OrgId)>> = vec![None; people];
        let mut turn = 0usize;
        for (i, s) in second.iter_mut().enumerate() {
            let mut r = sim.rng.unit();
            for x in &spec.second {
                if r < x.share {
                    if !x.orgs.is_empty()
                        && sim.plans[sim.people[i].plans[0]].programme != x.programme
                    {
                        *s = Some((x.programme, x.orgs[turn % x.orgs.len()]));
                        turn += 1;
                    }
                    break;
                }
                r -= x.share;
            }
        }
        let t_sim = Instant::now();
        for (person, s) in second.iter().enumerate() {
            sim.live(person, *s);
        }
        // Follow-up plans enrolled in the last days, kit not yet ordered.
        let mut follow_ups = 0u64;
        if let Some((x, n)) = &spec.follow_up {
            let mut k = 0usize;
            for (person, s) in second.iter().enumerate() {
                if follow_ups as usize >= *n {
                    break;
                }
                let p = &sim.people[person];
                let served = p
                    .plans
                    .iter()
                    .any(|pl| sim.plans[*pl].programme == x.programme);
                if s.is_some() || p.former || !served || x.orgs.is_empty() {
                    continue;
                }
                let org = x.orgs[k % x.orgs.len()];
                k += 1;
                let at = now - sim.rng.range(2 * 60, 5 * 24 * 60) * MINUTE_US;
                sim.enrol(person, x.programme, org, at);
                follow_ups += 1;
            }
        }
        progress(format!(
            "  simulated {} citizens: {} kit and service orders, {} unit stays in homes in {:.1} s",
            sim.people.len(),
            sim.orders.len(),
            sim.slots.len(),
            t_sim.elapsed().as_secs_f64()
        ));

        // Units for the slots, in time order.
        let mut room = Stockroom::new(sim.w.models.len());
        for s in &sim.slots {
            if s.reserve_at < first_start + 10 * DAY_US {
                room.bulk_total[s.model] += 1;
                room.bulk_left[s.model] += 1;
            } else {
                room.later_total[s.model] += 1;
            }
        }
        // Lot codes the demo's units have already.
        let lots: Vec<(uuid::Uuid, String)> = crate::db::on_read!(self, |c| {
            sqlx::query_as("SELECT DISTINCT model_id, lot FROM units WHERE lot IS NOT NULL")
                .fetch_all(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        for (model, lot) in lots {
            if let Some(m) = sim.w.models.iter().position(|x| x.id.0 == model) {
                room.codes.insert((m, lot));
            }
        }
        let mut pool: Vec<VecDeque<(i64, usize)>> = vec![VecDeque::new(); sim.w.models.len()];
        let mut timeline: Vec<(i64, bool, usize)> = Vec::new(); // (time, is_return, slot)
        for (i, s) in sim.slots.iter().enumerate() {
            timeline.push((s.reserve_at, false, i));
            if let Some(e) = &s.end
                && e.passed_at <= now
            {
                timeline.push((e.passed_at, true, i));
            }
        }
        timeline.sort();
        for (at, is_return, slot) in timeline {
            let model = sim.slots[slot].model;
            if is_return {
                pool[model].push_back((at, sim.slots[slot].unit));
                continue;
            }
            let unit = match pool[model].pop_front() {
                Some((_, u)) => u,
                None => {
                    let bulk = at < first_start + 10 * DAY_US;
                    room.fresh(&mut sim.rng, &sim.w.models, model, at, bulk)
                }
            };
            sim.slots[slot].unit = unit;
            room.units[unit].slots.push(slot);
        }
        // A delivery of the busiest models not yet inspected.
        for (model, m) in sim.w.models.iter().enumerate() {
            if m.status == ModelStatus::Approved
                && matches!(
                    m.role,
                    DeviceRole::Tablet | DeviceRole::BloodPressureMonitor
                )
            {
                let size = sim.rng.range(30, 80) as usize;
                let day = working_day_on_or_before(sim.today - Duration::days(1));
                room.deliver(&mut sim.rng, &sim.w.models, model, day, size, false);
            }
        }

        let report = write_rows(
            self, spec, &mut sim, &room, &versions, &org_names, follow_ups, progress,
        )
        .await?;
        let mut report = report;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Every unit, for the benchmark to pick serials, labels and lots from.
    pub async fn bench_units(&self) -> Result<Vec<BenchUnit>> {
        crate::db::on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT u.id, u.serial, m.udi_di, u.lot, u.expiry, u.state, u.citizen_id \
                 FROM units u JOIN device_models m ON m.id = u.model_id ORDER BY u.id",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(BenchUnit {
                        id: UnitId(r.try_get("id")?),
                        serial: r.try_get("serial")?,
                        udi_di: r.try_get("udi_di")?,
                        lot: r.try_get("lot")?,
                        expiry: r.try_get("expiry")?,
                        state: r.try_get("state")?,
                        citizen_id: r
                            .try_get::<Option<uuid::Uuid>, _>("citizen_id")?
                            .map(CitizenId),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }

    /// Every active care plan with its enrolling organisation and open assignments.
    pub async fn bench_plans(&self) -> Result<Vec<BenchPlan>> {
        crate::db::on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT cp.id, cp.citizen_id, e.org_id, pv.programme_id, \
                 (SELECT COUNT(*) FROM unit_assignments a WHERE a.care_plan_id = cp.id AND a.ended_at IS NULL) AS n \
                 FROM care_plans cp JOIN enrolments e ON e.id = cp.enrolment_id \
                 JOIN programme_versions pv ON pv.id = cp.programme_version_id \
                 WHERE cp.status = 'active' ORDER BY cp.id",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(BenchPlan {
                        plan_id: CarePlanId(r.try_get("id")?),
                        citizen_id: CitizenId(r.try_get("citizen_id")?),
                        org_id: OrgId(r.try_get("org_id")?),
                        programme_id: ProgrammeId(r.try_get("programme_id")?),
                        assignments: r.try_get("n")?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
    }
}

const UNIT_HEAD: &str = "INSERT INTO units (id, model_id, serial, device_id, lot, expiry, software_version, purchased_on, purchase_price, \
     state, before_hold, location_kind, location_ref, warehouse_id, citizen_id, last_maintenance_on, updated_at) VALUES ";
const UNIT_ROW: &str = "(?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)";
const EVENT_HEAD: &str = "INSERT INTO unit_events (id, unit_id, event, from_state, to_state, location_kind, location_ref, citizen_id, \
     order_id, reason, by_user, by_name, at) VALUES ";
const EVENT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const ASSIGNMENT_HEAD: &str = "INSERT INTO unit_assignments (id, unit_id, care_plan_id, citizen_id, payer_org_id, order_id, share, \
     started_at, ended_at) VALUES ";
const ASSIGNMENT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
const ORDER_HEAD: &str = "INSERT INTO equipment_orders (id, citizen_id, care_plan_id, payer_org_id, service_type, status, priority, \
     earliest, latest, door_code, contact_person, notes, created_by, created_by_name, created_at, updated_at) VALUES ";
const ORDER_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)";
const LINE_HEAD: &str = "INSERT INTO order_lines (id, order_id, role, models, unit_id, replaces_unit_id, status) VALUES ";
const LINE_ROW: &str = "(?, ?, ?, ?, ?, ?, ?)";
const LINE_PLAN_HEAD: &str =
    "INSERT INTO order_line_plans (line_id, care_plan_id, payer_org_id) VALUES ";
const LINE_PLAN_ROW: &str = "(?, ?, ?)";
const TRACE_HEAD: &str = "INSERT INTO order_trace (id, order_id, at, by_user, by_name, status_from, status_to, text) VALUES ";
const TRACE_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?)";
const VISIT_HEAD: &str = "INSERT INTO visits (id, order_id, unit_id, citizen_id, payer_org_id, kind, status, planned_on, technician_id, \
     proof, notes, price, done_at, done_by_name) VALUES ";
const VISIT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)";
const REPROCESSING_HEAD: &str = "INSERT INTO reprocessing_records (id, unit_id, previous_citizen_id, payer_org_id, cleaning_method, \
     disinfection_agent, contact_time_minutes, operator_id, operator_name, data_wiped, factory_reset, function_test_passed, notes, \
     price, completed_at) VALUES ";
const REPROCESSING_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const MAINTENANCE_HEAD: &str = "INSERT INTO maintenance_records (id, unit_id, kind, done_on, by_name, notes, visit_id) VALUES ";
const MAINTENANCE_ROW: &str = "(?, ?, ?, ?, ?, ?, ?)";
const CONSENT_HEAD: &str = "INSERT INTO consents (id, citizen_id, consent_type, programme_id, status, recorded_by, recorded_by_name, \
     recorded_at, note) VALUES ";
const CONSENT_ROW: &str = "(?, ?, ?, ?, 'given', ?, ?, ?, ?)";
const ENROLMENT_HEAD: &str = "INSERT INTO enrolments (id, citizen_id, programme_id, org_id, status, started_at, ended_at) VALUES ";
const ENROLMENT_ROW: &str = "(?, ?, ?, ?, 'active', ?, NULL)";
const TEAM_HEAD: &str = "INSERT INTO care_teams (id, citizen_id, name, managing_org_id, active, created_at, enrolment_id) VALUES ";
const TEAM_ROW: &str = "(?, ?, ?, ?, ?, ?, ?)";
const MEMBER_HEAD: &str = "INSERT INTO care_team_members (id, team_id, org_id, user_id, role, scope, valid_from, valid_to) VALUES ";
const MEMBER_ROW: &str = "(?, ?, ?, NULL, 'clinician', 'clinical', ?, NULL)";
const PLAN_HEAD: &str = "INSERT INTO care_plans (id, citizen_id, enrolment_id, programme_version_id, care_team_id, status, definition, \
     started_at, missing_checked_until) VALUES ";
const PLAN_ROW: &str = "(?, ?, ?, ?, ?, 'active', ?, ?, ?)";
const CHANGE_HEAD: &str = "INSERT INTO care_plan_changes (id, care_plan_id, kind, quantity, old_value, new_value, reason, changed_by, \
     changed_by_name, changed_at) VALUES ";
const CHANGE_ROW: &str = "(?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?)";

/// How a model is cleaned (the record's method and agent, and the contact time).
fn cleaning(m: &Model) -> (&'static str, &'static str, i64) {
    match m.role {
        DeviceRole::GlucoseMeter => ("Manuel aftørring", "klorholdig serviet (1.000 ppm)", 5),
        _ => ("Manuel aftørring", "70 % ethanol", 1),
    }
}

/// A [`Step`].
#[allow(clippy::too_many_arguments)]
fn step(
    at: i64,
    event: &'static str,
    to: &'static str,
    location: (&'static str, Option<uuid::Uuid>),
    holder: Option<uuid::Uuid>,
    order: Option<uuid::Uuid>,
    reason: &str,
    by: &(Option<uuid::Uuid>, String),
) -> Step {
    Step {
        at,
        event,
        to,
        location,
        holder,
        order,
        reason: reason.to_string(),
        by: by.clone(),
    }
}

/// One event of a unit's history, with the state and place it leaves.
struct Step {
    at: i64,
    event: &'static str,
    to: &'static str,
    /// ("warehouse"|"technician"|"home"|..., reference)
    location: (&'static str, Option<uuid::Uuid>),
    holder: Option<uuid::Uuid>,
    order: Option<uuid::Uuid>,
    reason: String,
    by: (Option<uuid::Uuid>, String),
}

#[allow(clippy::too_many_arguments)]
async fn write_rows(
    db: &Db,
    spec: &EquipmentLoadSpec,
    sim: &mut Sim<'_>,
    room: &Stockroom,
    versions: &HashMap<ProgrammeId, (ProgrammeVersionId, i64, String)>,
    org_names: &HashMap<OrgId, String>,
    follow_ups: u64,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<EquipmentLoadReport> {
    let now = sim.now;
    let today = sim.today;
    let warehouse = spec.warehouse.0;
    let tech = sim.tech();
    let agent = (Some(spec.agent.0.0), spec.agent.1.clone());
    let mut report = EquipmentLoadReport {
        follow_up_plans: follow_ups,
        lots: room.lots.len() as u64,
        ..Default::default()
    };

    // Plans: consents (logistics for everyone, participation for new plans), enrolments,
    // teams, plans, history; plans that ended.
    let mut consents = Table::new("consents", CONSENT_HEAD, CONSENT_ROW);
    let mut enrolments = Table::new("enrolments", ENROLMENT_HEAD, ENROLMENT_ROW);
    let mut teams = Table::new("care_teams", TEAM_HEAD, TEAM_ROW);
    let mut members = Table::new("care_team_members", MEMBER_HEAD, MEMBER_ROW);
    let mut plans = Table::new("care_plans", PLAN_HEAD, PLAN_ROW);
    let mut changes = Table::new("care_plan_changes", CHANGE_HEAD, CHANGE_ROW);
    let mut updates: Vec<(&'static str, uuid::Uuid, i64)> = Vec::new();
    for person in 0..sim.people.len() {
        let first = sim.people[person].plans[0];
        let at = sim.plans[first].started + sim.rng.range(5, 40) * MINUTE_US;
        let (by, name) = sim.clinician(sim.plans[first].org);
        let id = sim.rng.uuid_at(at);
        consents.rows.push(vec![
            V::Id(id),
            V::Id(sim.people[person].id),
            V::Text("logistics_address_sharing".into()),
            V::OptId(None),
            V::OptId(by),
            V::Text(name),
            V::Int(at),
            V::Text("Givet ved opstart".into()),
        ]);
    }
    for p in &sim.plans {
        let citizen = sim.people[p.person].id;
        let (by, by_name) = sim.clinician(p.org);
        if let Some(n) = &p.new {
            let (version, number, definition) = versions
                .get(&p.programme)
                .ok_or_else(|| DbError::Internal("a programme without an active version".into()))?;
            consents.rows.push(vec![
                V::Id(uuid::Uuid::from_u128(n.enrolment.as_u128() ^ 1)),
                V::Id(citizen),
                V::Text("telemedicine_participation".into()),
                V::OptId(Some(p.programme.0)),
                V::OptId(by),
                V::Text(by_name.clone()),
                V::Int(p.started),
                V::Text("Skriftligt samtykke ved hjemmebesøg".into()),
            ]);
            enrolments.rows.push(vec![
                V::Id(n.enrolment),
                V::Id(citizen),
                V::Id(p.programme.0),
                V::Id(p.org.0),
                V::Int(p.started),
            ]);
            if n.new_team {
                let name = format!(
                    "{} – {}",
                    sim.w
                        .programme_names
                        .get(&p.programme)
                        .cloned()
                        .unwrap_or_default(),
                    org_names.get(&p.org).cloned().unwrap_or_default()
                );
                teams.rows.push(vec![
                    V::Id(n.team),
                    V::Id(citizen),
                    V::Text(name),
                    V::Id(p.org.0),
                    V::Bool(true),
                    V::Int(p.started),
                    V::OptId(Some(n.enrolment)),
                ]);
                members.rows.push(vec![
                    V::Id(uuid::Uuid::from_u128(n.team.as_u128() ^ 1)),
                    V::Id(n.team),
                    V::Id(p.org.0),
                    V::Int(p.started),
                ]);
            }
            plans.rows.push(vec![
                V::Id(p.id),
                V::Id(citizen),
                V::Id(n.enrolment),
                V::Id(version.0),
                V::Id(n.team),
                V::Text(definition.clone()),
                V::Int(p.started),
                V::Int(now),
            ]);
            changes.rows.push(vec![
                V::Id(uuid::Uuid::from_u128(p.id.as_u128() ^ 1)),
                V::Id(p.id),
                V::Text("created".into()),
                V::Text(format!("programversion {number}")),
                V::OptId(by),
                V::Text(by_name.clone()),
                V::Int(p.started),
            ]);
            report.plans_added += 1;
        }
        if let Some(end) = p.ended {
            changes.rows.push(vec![
                V::Id(uuid::Uuid::from_u128(p.id.as_u128() ^ 2)),
                V::Id(p.id),
                V::Text("ended".into()),
                V::Text("forløbet er afsluttet".into()),
                V::OptId(by),
                V::Text(by_name),
                V::Int(end),
            ]);
            updates.push((
                "UPDATE care_plans SET status = 'ended', ended_at = $1 WHERE id = $2",
                p.id,
                end,
            ));
            updates.push((
                "UPDATE enrolments SET status = 'ended', ended_at = $1 WHERE id = (SELECT enrolment_id FROM care_plans WHERE id = $2)",
                p.id,
                end,
            ));
            report.plans_ended += 1;
        }
    }

    // Units and their history.
    let unit_id = |slot: usize| room.units[sim.slots[slot].unit].id;
    let mut units = Table::new("units", UNIT_HEAD, UNIT_ROW);
    let mut events = Table::new("unit_events", EVENT_HEAD, EVENT_ROW);
    let mut reprocessing = Table::new("reprocessing_records", REPROCESSING_HEAD, REPROCESSING_ROW);
    let mut maintenance = Table::new("maintenance_records", MAINTENANCE_HEAD, MAINTENANCE_ROW);
    let mut visits = Table::new("visits", VISIT_HEAD, VISIT_ROW);
    let mut maintenance_visits: Vec<VisitRow> = Vec::new();
    let mut maintenance_rows: Vec<(uuid::Uuid, usize, Date, Option<uuid::Uuid>, &str)> = Vec::new();
    for (ui, u) in room.units.iter().enumerate() {
        let m = &sim.w.models[u.model];
        let lot = &room.lots[u.lot];
        let k = (ui % 5_000) as i64;
        let wh = ("warehouse", Some(warehouse));
        let mut steps: Vec<Step> = Vec::new();
        steps.push(step(
            lot.received_at + k * SECOND_US,
            "receive",
            "received",
            wh,
            None,
            None,
            "modtaget fra leverandøren",
            &tech,
        ));
        if let Some(i) = lot.inspected_at {
            let at = i + k * 20 * SECOND_US;
            steps.push(step(
                at,
                "start_inspection",
                "incoming_inspection",
                wh,
                None,
                None,
                "modtagekontrol",
                &tech,
            ));
            steps.push(step(
                at + 10 * SECOND_US,
                "pass_inspection",
                "available",
                wh,
                None,
                None,
                "ok",
                &tech,
            ));
        }
        let mut last_maintenance: Option<Date> = None;
        for s in &u.slots {
            let s = *s;
            let slot = &sim.slots[s];
            let person = sim.people[slot.person].id;
            let order = sim.orders[slot.order].id;
            let techloc = ("technician", tech.0);
            let home = ("home", Some(person));
            steps.push(step(
                slot.reserve_at,
                "reserve",
                "reserved",
                wh,
                Some(person),
                Some(order),
                "tildelt ordren",
                &tech,
            ));
            steps.push(step(
                slot.dispatch_at,
                "prepare",
                "prepared",
                wh,
                Some(person),
                Some(order),
                "parret, testet og pakket",
                &tech,
            ));
            steps.push(step(
                slot.dispatch_at + SECOND_US,
                "dispatch",
                "in_transit",
                techloc,
                Some(person),
                Some(order),
                "ud med teknikeren",
                &tech,
            ));
            steps.push(step(
                slot.install_at,
                "install",
                "in_use",
                home,
                Some(person),
                Some(order),
                &format!("installeret; kvitteret af {}", slot.signed_by),
                &tech,
            ));
            let leaves = slot
                .end
                .as_ref()
                .map_or(now, |e| e.fault_at.unwrap_or(e.collect_at));
            // Sometimes a fault the service desk clears over the phone.
            if leaves - slot.install_at > 60 * DAY_US && sim.rng.chance(0.12) {
                let at = slot.install_at
                    + sim.rng.range(10, (leaves - slot.install_at) / DAY_US - 10) * DAY_US
                    + sim.rng.range(0, 6 * 60) * MINUTE_US;
                let (what, cleared) = CLEARED[(sim.rng.next() % CLEARED.len() as u64) as usize];
                steps.push(step(
                    at,
                    "report_fault",
                    "swap_pending",
                    home,
                    Some(person),
                    None,
                    what,
                    &agent,
                ));
                steps.push(step(
                    at + sim.rng.range(20, 600) * MINUTE_US,
                    "fault_cleared",
                    "in_use",
                    home,
                    Some(person),
                    None,
                    cleared,
                    &agent,
                ));
            }
            // Preventive maintenance while in the home (the planner plans a visit when the
            // unit is due within 30 days, 14 days ahead of the due date; the technician
            // does it that day or a few working days later).
            if let Some(mt) = m.maintenance {
                let installed = day_of(slot.install_at);
                let gone = day_of(leaves);
                loop {
                    let from = last_maintenance.unwrap_or(lot.purchased);
                    let due = from + Duration::days(i64::from(mt.interval_days));
                    let noticed = (due - Duration::days(PLANNER_HORIZON_DAYS))
                        .max(installed + Duration::days(1));
                    let planned = working_day_on_or_before(due - Duration::days(VISIT_LEAD_DAYS))
                        .max(working_day_on_or_after(noticed));
                    let done =
                        working_day_on_or_after(planned + Duration::days(sim.rng.range(0, 6)));
                    if done >= gone || noticed >= gone {
                        break;
                    }
                    let t = local(noticed, 6 * 60);
                    let payer = slot
                        .all
                        .iter()
                        .map(|a| &sim.assignments[*a])
                        .filter(|a| a.started <= t && a.ended.is_none_or(|e| e > t))
                        .min_by_key(|a| a.started)
                        .map(|a| a.payer);
                    let Some(payer) = payer else { break };
                    let vid = sim.rng.uuid_at(local(noticed, 5 * 60));
                    if done < today {
                        let done_at = local(done, sim.rng.range(9 * 60, 15 * 60));
                        maintenance_visits.push(VisitRow {
                            id: vid,
                            order: None,
                            unit: Some(ui),
                            person: slot.person,
                            payer,
                            kind: "calibration",
                            planned_on: planned,
                            proof: None,
                            notes: "forebyggende vedligeholdelse udført",
                            price: Some(sim.w.calibration_price),
                            done_at: Some(done_at),
                        });
                        maintenance_rows.push((
                            sim.rng.uuid_at(done_at),
                            ui,
                            done,
                            Some(vid),
                            "forebyggende vedligeholdelse udført",
                        ));
                        last_maintenance = Some(done);
                    } else {
                        if slot.end.is_none() && due <= today + Duration::days(PLANNER_HORIZON_DAYS)
                        {
                            maintenance_visits.push(VisitRow {
                                id: vid,
                                order: None,
                                unit: Some(ui),
                                person: slot.person,
                                payer,
                                kind: "calibration",
                                planned_on: planned.max(working_day_on_or_after(today)),
                                proof: None,
                                notes: "forebyggende vedligeholdelse",
                                price: None,
                                done_at: None,
                            });
                        }
                        break;
                    }
                }
            }
            if let Some(e) = &slot.end {
                let end_order = sim.orders[e.order].id;
                if let Some(f) = e.fault_at {
                    steps.push(step(
                        f,
                        "report_fault",
                        "swap_pending",
                        home,
                        Some(person),
                        None,
                        e.fault,
                        &agent,
                    ));
                }
                let (reason, event_order) = match e.kind {
                    EndKind::Swap => ("ombyttet; taget med retur til reparation", Some(end_order)),
                    EndKind::Pickup => ("hentet i hjemmet", Some(end_order)),
                };
                steps.push(step(
                    e.collect_at,
                    "collect",
                    "in_transit_back",
                    techloc,
                    Some(person),
                    event_order,
                    reason,
                    &tech,
                ));
                steps.push(step(
                    e.goods_in_at,
                    "goods_in",
                    "quarantine",
                    wh,
                    None,
                    None,
                    "retur på lageret",
                    &tech,
                ));
                if e.reprocessing_at <= now {
                    steps.push(step(
                        e.reprocessing_at,
                        "start_reprocessing",
                        "reprocessing",
                        wh,
                        None,
                        None,
                        "",
                        &tech,
                    ));
                }
                if e.passed_at <= now {
                    let (method, agent_name, minutes) = cleaning(m);
                    steps.push(step(
                        e.passed_at,
                        "pass_reprocessing",
                        "available",
                        wh,
                        None,
                        None,
                        &format!("rengjort med {agent_name} ({method}); funktionstest bestået"),
                        &tech,
                    ));
                    // Maintenance falling due soon is done while the unit is in the
                    // workshop (recorded by hand).
                    let passed = day_of(e.passed_at);
                    if let Some(mt) = m.maintenance {
                        let due = last_maintenance.unwrap_or(lot.purchased)
                            + Duration::days(i64::from(mt.interval_days));
                        if due <= passed + Duration::days(60) {
                            maintenance_rows.push((
                                sim.rng.uuid_at(e.passed_at),
                                ui,
                                passed,
                                None,
                                "udført ved genbehandling",
                            ));
                            last_maintenance = Some(passed);
                        }
                    }
                    let tablet = m.role == DeviceRole::Tablet;
                    reprocessing.rows.push(vec![
                        V::Id(sim.rng.uuid_at(e.passed_at)),
                        V::Id(u.id),
                        V::OptId(Some(person)),
                        V::OptId(Some(e.payer.0)),
                        V::Text(method.into()),
                        V::Text(agent_name.into()),
                        V::Int(minutes),
                        V::OptId(tech.0),
                        V::Text(tech.1.clone()),
                        V::Bool(tablet),
                        V::Bool(tablet),
                        V::Bool(true),
                        V::Text(if tablet {
                            "data slettet, nulstillet og appen installeret igen".into()
                        } else {
                            "funktionstest ok".into()
                        }),
                        V::Int(m.reprocessing_price),
                        V::Int(e.passed_at),
                    ]);
                }
            }
        }
        steps.sort_by_key(|s| s.at);
        let mut from = "received";
        for st in &steps {
            events.rows.push(vec![
                V::Id(sim.rng.uuid_at(st.at)),
                V::Id(u.id),
                V::Text(st.event.into()),
                V::Text(from.into()),
                V::Text(st.to.into()),
                V::Text(st.location.0.into()),
                V::OptId(st.location.1),
                V::OptId(st.holder),
                V::OptId(st.order),
                V::Text(st.reason.clone()),
                V::OptId(st.by.0),
                V::Text(st.by.1.clone()),
                V::Int(st.at),
            ]);
            from = st.to;
        }
        let last = steps.last().expect("a received unit");
        match last.to {
            "in_use" | "swap_pending" => report.units_in_use += 1,
            _ => report.units_in_stock += 1,
        }
        units.rows.push(vec![
            V::Id(u.id),
            V::Id(m.id.0),
            V::Text(u.serial.clone()),
            V::OptText(u.device_id.clone()),
            V::OptText(Some(lot.code.clone())),
            V::OptText(Some(date_text(lot.purchased + Duration::days(5 * 365)))),
            V::Text(date_text(lot.purchased)),
            V::Int(m.purchase_price),
            V::Text(last.to.into()),
            V::Text(last.location.0.into()),
            V::OptId(last.location.1),
            V::Id(warehouse),
            V::OptId(last.holder),
            V::OptText(last_maintenance.map(date_text)),
            V::Int(last.at),
        ]);
    }
    report.units = units.rows.len() as u64;
    for (id, unit, done_on, visit, notes) in &maintenance_rows {
        let m = &sim.w.models[room.units[*unit].model];
        maintenance.rows.push(vec![
            V::Id(*id),
            V::Id(room.units[*unit].id),
            V::Text(
                m.maintenance
                    .map_or("calibration", |x| x.kind.as_str())
                    .into(),
            ),
            V::Text(date_text(*done_on)),
            V::Text(tech.1.clone()),
            V::Text((*notes).into()),
            V::OptId(*visit),
        ]);
    }
    sim.visits.append(&mut maintenance_visits);
    for v in &sim.visits {
        // A visit's unit: the order's (none) or the maintained unit.
        visits.rows.push(vec![
            V::Id(v.id),
            V::OptId(v.order.map(|o| sim.orders[o].id)),
            V::OptId(v.unit.map(|u| room.units[u].id)),
            V::Id(sim.people[v.person].id),
            V::Id(v.payer.0),
            V::Text(v.kind.into()),
            V::Text(
                if v.done_at.is_some() {
                    "done"
                } else {
                    "planned"
                }
                .into(),
            ),
            V::Text(date_text(v.planned_on)),
            V::OptText(v.proof.clone()),
            V::Text(v.notes.into()),
            V::OptInt(v.price),
            V::OptInt(v.done_at),
            V::OptText(v.done_at.map(|_| tech.1.clone())),
        ]);
    }

    // Assignments, orders, lines, trace.
    let mut assignments = Table::new("unit_assignments", ASSIGNMENT_HEAD, ASSIGNMENT_ROW);
    for a in &sim.assignments {
        let plan = &sim.plans[a.plan];
        assignments.rows.push(vec![
            V::Id(a.id),
            V::Id(unit_id(a.slot)),
            V::Id(plan.id),
            V::Id(sim.people[plan.person].id),
            V::Id(a.payer.0),
            V::OptId(a.order.map(|o| sim.orders[o].id)),
            V::Int(i64::from(a.share)),
            V::Int(a.started),
            V::OptInt(a.ended),
        ]);
        if a.ended.is_none() {
            report.open_assignments += 1;
        }
    }
    report.assignments = assignments.rows.len() as u64;
    let mut orders = Table::new("equipment_orders", ORDER_HEAD, ORDER_ROW);
    let mut lines = Table::new("order_lines", LINE_HEAD, LINE_ROW);
    let mut line_plans = Table::new("order_line_plans", LINE_PLAN_HEAD, LINE_PLAN_ROW);
    let mut traces = Table::new("order_trace", TRACE_HEAD, TRACE_ROW);
    for o in &sim.orders {
        orders.rows.push(vec![
            V::Id(o.id),
            V::Id(sim.people[o.person].id),
            V::OptId(o.plan.map(|p| sim.plans[p].id)),
            V::Id(o.payer.0),
            V::Text(o.service.as_str().into()),
            V::Text(o.status.into()),
            V::Text(o.priority.into()),
            V::Text(o.door_code.clone()),
            V::Text(o.contact.clone()),
            V::Text(o.notes.clone()),
            V::OptId(o.by_user),
            V::Text(o.by_name.clone()),
            V::Int(o.created),
            V::Int(o.updated),
        ]);
        for l in &o.lines {
            lines.rows.push(vec![
                V::Id(l.id),
                V::Id(o.id),
                V::Text(l.role.as_str().into()),
                V::Text(l.models.clone()),
                V::OptId(l.slot.map(unit_id)),
                V::OptId(l.replaces.map(unit_id)),
                V::Text(l.status.into()),
            ]);
            for (p, payer) in &l.plans {
                line_plans
                    .rows
                    .push(vec![V::Id(l.id), V::Id(sim.plans[*p].id), V::Id(payer.0)]);
            }
        }
        for t in &o.trace {
            let describe = |slot: usize| {
                let u = &room.units[sim.slots[slot].unit];
                let m = &sim.w.models[u.model];
                (
                    format!("{} {}", m.manufacturer, m.name),
                    u.serial.clone(),
                    m.role,
                )
            };
            let text = match &t.text {
                Text::Fixed(s) => s.clone(),
                Text::Allocated(slot) => {
                    let (model, serial, role) = describe(*slot);
                    format!("{model} (SN {serial}) tildelt linjen {}", role.danish())
                }
                Text::Swap(slot, fault) => {
                    let (model, serial, _) = describe(*slot);
                    format!("ombytning af {model} (SN {serial}): {fault}")
                }
            };
            traces.rows.push(vec![
                V::Id(t.id),
                V::Id(o.id),
                V::Int(t.at),
                V::OptId(t.by_user),
                V::Text(t.by_name.clone()),
                V::OptText(t.from.map(String::from)),
                V::OptText(t.to.map(String::from)),
                V::Text(text),
            ]);
        }
    }
    report.orders = orders.rows.len() as u64;
    report.visits = visits.rows.len() as u64;
    report.unit_events = events.rows.len() as u64;
    report.reprocessing_records = reprocessing.rows.len() as u64;
    report.maintenance_records = maintenance.rows.len() as u64;

    // Parents before children: plans, units, orders, then what refers to them.
    let tables = [
        consents,
        enrolments,
        teams,
        members,
        plans,
        changes,
        units,
        orders,
        lines,
        line_plans,
        traces,
        assignments,
        events,
        visits,
        reprocessing,
        maintenance,
    ];
    report.rows = tables.iter().map(|t| t.rows.len() as u64).sum::<u64>() + updates.len() as u64;
    match &db.inner.pools {
        Pools::Sqlite { write, .. } => {
            let mut conn = write.acquire().await?;
            for pragma in ["PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF"] {
                sqlx::query(pragma).execute(&mut *conn).await?;
            }
            let written: Result<()> = async {
                write_all!(
                    conn,
                    "BEGIN IMMEDIATE",
                    SQLITE_PARAMS,
                    tables,
                    updates,
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
                write_all!(conn, "BEGIN", PG_PARAMS, tables, updates, progress);
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
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_unique_per_model_and_look_like_the_manufacturers() {
        let tablet = Model {
            id: ModelId::new(),
            manufacturer: "Samsung".into(),
            name: "Galaxy Tab".into(),
            role: DeviceRole::Tablet,
            udi_di: "05712345000015".into(),
            measures: vec![],
            connectivity: telesund_core::equipment::catalogue::Connectivity::Cellular,
            hygiene_class: telesund_core::equipment::catalogue::HygieneClass::NonCritical,
            reprocessing_procedure: "x".into(),
            maintenance: None,
            purchase_price: 1,
            day_rate: 1,
            reprocessing_price: 1,
            status: ModelStatus::Approved,
            programmes: vec![],
            organisations: vec![],
        };
        let serials: HashSet<String> = (0..50_000).map(|n| serial_for(&tablet, n)).collect();
        assert_eq!(serials.len(), 50_000);
        assert_eq!(serial_for(&tablet, 0), "R9TX2000000");
        assert_eq!(device_id_for(&tablet, 1), None);
    }

    #[test]
    fn values_sql_numbers_placeholders_across_rows() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", "(?, 'x', ?)", 2),
            "INSERT INTO t (a, b) VALUES ($1, 'x', $2),($3, 'x', $4)"
        );
    }
}
