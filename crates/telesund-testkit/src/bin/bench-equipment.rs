//! Benchmark: the equipment capability's hot paths at the scale of a region's service centre,
//! on SQLite and (when reachable) PostgreSQL, with the disk's fsync rate measured in the same
//! run.
//!
//!   cargo run --release -p telesund-testkit --bin bench-equipment
//!   cargo run --release -p telesund-testkit --bin bench-equipment -- \
//!       --backend sqlite --citizens 5000 --seconds 5 --orders 200
//!   (quick: --citizens 500 --seconds 2 --orders 50)
//!
//! `--keep` leaves the database behind (its URL is printed) for EXPLAIN and the like.
//!
//! The data set, made afresh in a new database each run (a SQLite file in a temporary
//! directory, or a PostgreSQL database next to the admin database): the demo data, then
//! `--citizens` citizens enrolled in the heart-failure programme by five hospitals
//! (`telesund_db::monitoring::bench_load`, no measurements) and a fifth as many more whose
//! plans end along the way, then two years of equipment (`telesund_db::equipment::bench_load`):
//! every kit installed, a second programme (diabetes or COPD, by a municipality) for about
//! 45 % of the citizens sharing tablet and blood pressure monitor, swaps, faults cleared by
//! phone, pickups, cleaning and reuse, preventive maintenance visits and a warehouse stock —
//! about 4 units, 5 assignments and 35 history rows per citizen. It is loaded by a child
//! process (this program with `--load-only`), so the load's memory does not count in the
//! resident memory measured here.
//!
//! Then, as the storage layer is called by the HTTP handlers (authorised and audited), each
//! timed phase `--seconds` long after a 1 s warm-up, at concurrency 1 and 4:
//!
//! 1. `find_unit` by serial, by a scanned GS1 element string, and for a serial that does not
//!    exist (the warehouse scan path), as the technician;
//! 2. `citizen_equipment` (the citizen's "Udstyr" tab) and `preview_kit_order`, as the
//!    heart-failure clinic's clinician for citizens in their care;
//! 3. `search_devices` by patient (FHIR `Device?patient=`), as that clinician;
//! 4. `order_kit` for municipal follow-up plans whose kit is all in the home already (only
//!    assignments are written), `--orders` per concurrency, as the municipality's clinician;
//!
//! and single runs (wall time, and this process's peak resident memory above what it was
//! before), as the technician: `equipment_statements` for the current month for all payers
//! (twice), `maintenance_due(30)` (three times), `lot_holders` for the largest lot of the blood
//! pressure monitor (three times) and `recall` of that lot (once: it writes).
//!
//! PostgreSQL: TELESUND_TEST_PG, else postgres://postgres@127.0.0.1:5432/postgres if it answers.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use telesund_core::Timestamp;
use telesund_core::audit::RequestInfo;
use telesund_core::equipment::order::{Delivery, Priority, ServiceType};
use telesund_core::equipment::udi::with_check_digit;
use telesund_core::identity::Role;
use telesund_core::ids::{CarePlanId, CitizenId, OrgId, ProgrammeId};
use telesund_db::equipment::bench_load::{EquipmentLoadSpec, ExtraProgramme};
use telesund_db::equipment::devices::DeviceFilter;
use telesund_db::equipment::orders::KitOrder;
use telesund_db::monitoring::bench_load::{LoadOrg, LoadSpec, data_end};
use telesund_db::staff::{NewMembership, NewStaffUser};
use telesund_db::{AccessCtx, Db, DbConfig};
use telesund_testkit::bench::{
    backend_name, mb, rand, rss_bytes, spawn_rss_sampler, use_local_postgres_if_unset,
};
use telesund_testkit::{Backend, fsync_rate};

const WARM_UP: Duration = Duration::from_secs(1);
const CONCURRENCY: [usize; 2] = [1, 4];
/// The hospitals that enrol the heart-failure citizens (SOR codes of the demo data): the
/// heart-failure clinic of Regionshospitalet Horsens first, with 40 % of them.
const HOSPITALS: [&str; 5] = [
    "999000000101",
    "999000000111",
    "999000000120",
    "999000000130",
    "999000000140",
];
/// Municipalities that enrol second programmes and follow-ups: Horsens, Aarhus, Skanderborg,
/// Silkeborg, Randers.
const MUNICIPALITIES: [&str; 5] = [
    "999000000015",
    "999000000029",
    "999000000024",
    "999000000023",
    "999000000020",
];
const CLINICIANS: [(&str, &str); 3] = [
    ("999000000101", "cardio.rhh@telesund.example"),
    ("999000000015", "nurse.horsens@telesund.example"),
    ("999000000029", "nurse.aarhus@telesund.example"),
];
const TECH: &str = "tech@telesund.example";
const AGENT: &str = "agent@telesund.example";
const HEART: &str = "Telemedicinsk hjertesvigt";
const DIABETES: &str = "Type 2-diabetes";
const COPD: &str = "KOL";
/// The demo's blood pressure monitor (A&D UA-651BLE).
const BP_DI13: &str = "0571234500002";

#[derive(Clone, Debug)]
struct Args {
    citizens: usize,
    seconds: u64,
    orders: usize,
    backends: Vec<Backend>,
    keep: bool,
    /// Internal: be the loading child (database URL, report file).
    load_only: Option<(String, PathBuf)>,
}

fn parse_args() -> Args {
    let mut a = Args {
        citizens: 5_000,
        seconds: 5,
        orders: 200,
        backends: Vec::new(),
        keep: false,
        load_only: None,
    };
    let mut backend = "both".to_string();
    let (mut url, mut report) = (None, None);
    let usage = "usage: bench-equipment [--citizens N] [--seconds S] [--orders N] \
                 [--backend sqlite|postgres|both] [--keep]";
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| panic!("{arg} needs a value\n{usage}"))
        };
        match arg.as_str() {
            "--citizens" => a.citizens = value().parse().expect("--citizens N"),
            "--seconds" => a.seconds = value().parse().expect("--seconds S"),
            "--orders" => a.orders = value().parse().expect("--orders N"),
            "--backend" => backend = value(),
            "--keep" => a.keep = true,
            "--load-only" => url = Some(value()),
            "--report" => report = Some(PathBuf::from(value())),
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0);
            }
            other => panic!("unknown argument '{other}'\n{usage}"),
        }
    }
    assert!(a.citizens >= 50 && a.seconds > 0 && a.orders > 0, "{usage}");
    if let (Some(u), Some(r)) = (url, report) {
        a.load_only = Some((u, r));
    }
    a.backends = match backend.as_str() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        "both" => Vec::new(),
        other => panic!("unknown backend '{other}'\n{usage}"),
    };
    a
}

async fn staff_ctx(db: &Db, email: &str) -> anyhow::Result<AccessCtx> {
    let id = db
        .staff_id_by_email(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{email} is missing"))?;
    let principal = db.staff_profile(id).await?.principal();
    Ok(AccessCtx::new(
        principal,
        RequestInfo {
            request_id: "bench-equipment".into(),
            client_addr: "127.0.0.1".into(),
            purpose: "treatment".into(),
        },
    ))
}

async fn org_id(db: &Db, sor: &str) -> anyhow::Result<OrgId> {
    Ok(db
        .organisation_by_sor(sor)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo organisation {sor} is missing"))?
        .id)
}

/// An organisation with its clinician: the demo's where there is one, else one made for the
/// benchmark (when `create`).
async fn clinician_of(db: &Db, sor: &str, create: bool) -> anyhow::Result<LoadOrg> {
    let org = org_id(db, sor).await?;
    let email = CLINICIANS.iter().find(|(s, _)| *s == sor).map_or_else(
        || format!("bench.clinician.{sor}@telesund.example"),
        |(_, e)| e.to_string(),
    );
    let user = match db.staff_id_by_email(&email).await? {
        Some(u) => u,
        None if create => {
            db.create_staff_user(
                &AccessCtx::system("benchmark set-up"),
                NewStaffUser {
                    email: email.clone(),
                    name: format!("Klinisk sygeplejerske {}", &sor[sor.len() - 3..]),
                    password: None,
                    memberships: vec![NewMembership {
                        org_id: org,
                        role: Role::Clinician,
                    }],
                },
            )
            .await?
            .user
            .id
        }
        None => anyhow::bail!("{email} is missing"),
    };
    Ok(LoadOrg {
        id: org,
        clinician: user,
        clinician_name: db.staff_profile(user).await?.user.name,
    })
}

async fn programme(db: &Db, name: &str) -> anyhow::Result<ProgrammeId> {
    Ok(db
        .programmes()
        .await?
        .into_iter()
        .find(|p| p.name.starts_with(name))
        .ok_or_else(|| anyhow::anyhow!("the demo programme '{name}' is missing"))?
        .id)
}

async fn person(db: &Db, email: &str) -> anyhow::Result<(telesund_core::ids::UserId, String)> {
    let id = db
        .staff_id_by_email(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{email} is missing"))?;
    Ok((id, db.staff_profile(id).await?.user.name))
}

// ---------------------------------------------------------------------------------------
// The load (in a child process).

async fn load_child(a: &Args, url: &str, report: &std::path::Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Db::connect(&DbConfig {
        url: url.to_string(),
        max_connections: 4,
    })
    .await?;
    telesund::demo::load(&db).await?;
    let mut hospitals = Vec::new();
    for sor in HOSPITALS {
        hospitals.push(clinician_of(&db, sor, true).await?);
    }
    let mut municipalities = Vec::new();
    for sor in MUNICIPALITIES {
        municipalities.push(clinician_of(&db, sor, true).await?);
    }
    let heart = programme(&db, HEART).await?;
    let version = db
        .active_programme_version(heart)
        .await?
        .ok_or_else(|| anyhow::anyhow!("'{HEART}' has no active version"))?
        .id;
    // The citizens, enrolled two years ago.
    let former = a.citizens / 5;
    let now = Timestamp::now();
    let spec = LoadSpec {
        citizens: a.citizens + former,
        days: 0,
        end: data_end(Timestamp(now.0 - 760 * 86_400_000_000)),
        version,
        orgs: hospitals.clone(),
        first_org_citizens: a.citizens * 2 / 5,
        audit: false,
        seed: 0x0e91_5eed,
    };
    let t0 = Instant::now();
    let people = db
        .bench_load(&spec, &|line: String| {
            println!("{line}");
            let _ = std::io::stdout().flush();
        })
        .await?;
    println!(
        "  {} citizens enrolled in {:.0} s",
        people.citizens,
        t0.elapsed().as_secs_f64()
    );
    let mut enrolled: Vec<CitizenId> = db
        .bench_enrolled(heart)
        .await?
        .into_iter()
        .filter(|(_, o)| hospitals.iter().any(|h| h.id == *o))
        .map(|(c, _)| c)
        .collect();
    // Not the demo's own citizens (Bent is enrolled in heart failure too).
    let demo: Vec<CitizenId> = {
        let ctx = AccessCtx::system("benchmark set-up");
        let mut v = Vec::new();
        for q in ["Bent Hansen", "Karen Nielsen"] {
            v.extend(
                db.search_citizens(&ctx, q, 5)
                    .await?
                    .into_iter()
                    .map(|c| c.id),
            );
        }
        v
    };
    enrolled.retain(|c| !demo.contains(c));
    let gone = enrolled.split_off(enrolled.len() - former.min(enrolled.len()));
    let diabetes = programme(&db, DIABETES).await?;
    let copd = programme(&db, COPD).await?;
    let m = |i: usize| municipalities[i].id;
    let mut orgs = hospitals.clone();
    orgs.extend(municipalities.iter().cloned());
    let (tech, agent) = (person(&db, TECH).await?, person(&db, AGENT).await?);
    let warehouse = db
        .warehouses()
        .await?
        .first()
        .ok_or_else(|| anyhow::anyhow!("the demo warehouse is missing"))?
        .id;
    let spec = EquipmentLoadSpec {
        citizens: enrolled,
        former: gone,
        second: vec![
            ExtraProgramme {
                programme: diabetes,
                orgs: vec![m(0), m(1), m(2), m(3), m(4)],
                share: 0.35,
            },
            ExtraProgramme {
                programme: copd,
                orgs: vec![m(1), m(0), m(4)],
                share: 0.10,
            },
        ],
        follow_up: Some((
            ExtraProgramme {
                programme: heart,
                orgs: vec![m(0), m(1), m(2)],
                share: 0.0,
            },
            a.orders * CONCURRENCY.len() + 40,
        )),
        orgs,
        warehouse,
        technician: tech,
        agent,
        now: Timestamp::now(),
        seed: 0xe9_1e55,
    };
    let r = db
        .bench_load_equipment(&spec, &|line: String| {
            println!("{line}");
            let _ = std::io::stdout().flush();
        })
        .await?;
    println!(
        "  equipment: {} units ({} in homes, {} in stock, {} lots), {} assignments ({} open), {} unit events, \
         {} orders, {} visits, {} reprocessing and {} maintenance records; {} rows in {:.0} s",
        r.units,
        r.units_in_use,
        r.units_in_stock,
        r.lots,
        r.assignments,
        r.open_assignments,
        r.unit_events,
        r.orders,
        r.visits,
        r.reprocessing_records,
        r.maintenance_records,
        r.rows,
        r.seconds
    );
    db.close().await;
    std::fs::write(
        report,
        serde_json::to_string_pretty(&json!({
            "citizens": a.citizens,
            "former": former,
            "units": r.units,
            "units_in_use": r.units_in_use,
            "units_in_stock": r.units_in_stock,
            "lots": r.lots,
            "assignments": r.assignments,
            "open_assignments": r.open_assignments,
            "unit_events": r.unit_events,
            "orders": r.orders,
            "visits": r.visits,
            "plans_added": r.plans_added,
            "plans_ended": r.plans_ended,
            "follow_up_plans": r.follow_up_plans,
            "seconds": started.elapsed().as_secs_f64(),
        }))?,
    )?;
    Ok(())
}

/// A fresh database loaded by a child process: its URL, the load's report, and what to remove
/// afterwards.
async fn prepare(a: &Args, backend: Backend) -> anyhow::Result<(String, Value, Cleanup)> {
    let name = format!("telesund_bench_eq_{}", uuid::Uuid::now_v7().simple());
    let (url, cleanup) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite://{}/telesund.db", dir.display()),
                Cleanup::Dir(dir),
            )
        }
        Backend::Postgres => {
            let admin = telesund_testkit::pg_admin_url()
                .ok_or_else(|| anyhow::anyhow!("PostgreSQL is not reachable"))?;
            let url = telesund_db::create_postgres_database(&admin, &name).await?;
            (url, Cleanup::Database(admin, name.clone()))
        }
    };
    let report = std::env::temp_dir().join(format!("{name}.json"));
    println!(
        "{}: loading {} citizens' equipment into {url} (a child process)",
        backend_name(backend),
        a.citizens
    );
    let status = std::process::Command::new(std::env::current_exe()?)
        .args([
            "--citizens",
            &a.citizens.to_string(),
            "--orders",
            &a.orders.to_string(),
            "--load-only",
            &url,
            "--report",
            &report.display().to_string(),
        ])
        .status()?;
    anyhow::ensure!(status.success(), "the load failed: {status}");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&report)?)?;
    let _ = std::fs::remove_file(&report);
    Ok((url, m, cleanup))
}

enum Cleanup {
    Dir(PathBuf),
    Database(String, String),
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Cleanup::Database(admin, name) => {
                let _ = telesund_db::monitoring::bench_load::drop_postgres_database(&admin, &name)
                    .await;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Phases.

#[derive(Clone, Debug, Default)]
struct Figures {
    requests: usize,
    errors: usize,
    first_error: Option<String>,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn figures(
    mut lat: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    secs: f64,
) -> Figures {
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Figures {
        requests: lat.len(),
        errors,
        first_error,
        rps: lat.len() as f64 / secs,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: lat.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    }
}

type Outcome = Result<(), String>;

/// Runs `work(worker, n)` in `concurrency` loops: a warm-up, then `seconds` measured.
async fn timed<W, F>(concurrency: usize, seconds: u64, work: W) -> Figures
where
    W: Fn(usize, u64) -> F + Send + Sync + 'static,
    F: Future<Output = Outcome> + Send,
{
    let work = Arc::new(work);
    let warm_until = Instant::now() + WARM_UP;
    let measure_until = warm_until + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let work = work.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            let mut n = 0u64;
            loop {
                let t0 = Instant::now();
                if t0 >= measure_until {
                    break;
                }
                let r = work(w, n).await;
                n += 1;
                if t0 >= warm_until {
                    lat.push(t0.elapsed());
                    if let Err(e) = r {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let (mut all, mut errors, mut first_error) = (Vec::new(), 0, None);
    for t in tasks {
        let (l, e, fe) = t.await.expect("worker");
        all.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = fe;
        }
    }
    figures(all, errors, first_error, seconds as f64)
}

/// Runs `count` calls of `work(i)` (i = 0..count) in `concurrency` loops, all measured.
async fn counted<W, F>(concurrency: usize, count: usize, work: W) -> Figures
where
    W: Fn(usize) -> F + Send + Sync + 'static,
    F: Future<Output = Outcome> + Send,
{
    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (work, next) = (work.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t0 = Instant::now();
                let r = work(i).await;
                lat.push(t0.elapsed());
                if let Err(e) = r {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
            (lat, errors, first_error)
        }));
    }
    let (mut all, mut errors, mut first_error) = (Vec::new(), 0, None);
    for t in tasks {
        let (l, e, fe) = t.await.expect("worker");
        all.extend(l);
        errors += e;
        if first_error.is_none() {
            first_error = fe;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    figures(all, errors, first_error, secs)
}

/// One call: its wall time, the process's peak resident memory during it, and what it said.
async fn once<F, T>(rss_peak: &AtomicU64, f: F) -> anyhow::Result<(f64, u64, u64, T)>
where
    F: Future<Output = Result<T, telesund_db::DbError>>,
{
    let before = rss_bytes();
    rss_peak.store(before, Ordering::Relaxed);
    let t0 = Instant::now();
    let out = f.await?;
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let peak = rss_peak.load(Ordering::Relaxed).max(rss_bytes());
    Ok((ms, before, peak, out))
}

struct Row {
    phase: String,
    concurrency: usize,
    f: Figures,
}

struct Single {
    what: String,
    runs_ms: Vec<f64>,
    rss_before: u64,
    rss_peak: u64,
    result: String,
}

/// A scanner's GS1 element string for a unit: DI, expiry, lot, then FNC1 and the serial.
fn gs1(di: &str, expiry: Option<&str>, lot: Option<&str>, serial: &str) -> String {
    let mut s = format!("]d201{di}");
    if let Some(e) = expiry
        && e.len() == 10
    {
        s.push_str(&format!("17{}{}{}", &e[2..4], &e[5..7], &e[8..10]));
    }
    if let Some(l) = lot {
        s.push_str(&format!("10{l}\u{1d}"));
    }
    s.push_str(&format!("21{serial}"));
    s
}

async fn run(
    a: &Args,
    url: &str,
    rss_peak: &Arc<AtomicU64>,
) -> anyhow::Result<(Vec<Row>, Vec<Single>)> {
    let db = Db::connect(&DbConfig {
        url: url.to_string(),
        max_connections: 16,
    })
    .await?;
    let tech = Arc::new(staff_ctx(&db, TECH).await?);
    let hf_clinic = org_id(&db, HOSPITALS[0]).await?;
    let cardio = Arc::new(staff_ctx(&db, CLINICIANS[0].1).await?);
    let mut org_ctx: HashMap<OrgId, Arc<AccessCtx>> = HashMap::new();
    for sor in MUNICIPALITIES {
        let o = clinician_of(&db, sor, false).await?;
        let email = db.staff_profile(o.clinician).await?.user.email;
        org_ctx.insert(o.id, Arc::new(staff_ctx(&db, &email).await?));
    }
    let heart = programme(&db, HEART).await?;

    // What the phases pick from.
    let units = db.bench_units().await?;
    let in_use: Vec<_> = units
        .iter()
        .filter(|u| u.state == "in_use")
        .cloned()
        .collect();
    anyhow::ensure!(!in_use.is_empty(), "no unit in use");
    let serials: Arc<Vec<String>> = Arc::new(in_use.iter().map(|u| u.serial.clone()).collect());
    let labels: Arc<Vec<String>> = Arc::new(
        in_use
            .iter()
            .map(|u| gs1(&u.udi_di, u.expiry.as_deref(), u.lot.as_deref(), &u.serial))
            .collect(),
    );
    let plans = db.bench_plans().await?;
    let served: Arc<Vec<(CarePlanId, CitizenId)>> = Arc::new(
        plans
            .iter()
            .filter(|p| p.org_id == hf_clinic && p.assignments > 0)
            .map(|p| (p.plan_id, p.citizen_id))
            .collect(),
    );
    anyhow::ensure!(!served.is_empty(), "no served plan of the clinic");
    let pool: Vec<(CarePlanId, Arc<AccessCtx>)> = plans
        .iter()
        .filter(|p| p.programme_id == heart && p.assignments == 0)
        .filter_map(|p| org_ctx.get(&p.org_id).map(|c| (p.plan_id, c.clone())))
        .collect();
    let bp_di = with_check_digit(BP_DI13);
    let mut lots: HashMap<String, usize> = HashMap::new();
    for u in units.iter().filter(|u| u.udi_di == bp_di) {
        if let Some(l) = &u.lot {
            *lots.entry(l.clone()).or_default() += 1;
        }
    }
    let (lot, lot_units) = lots
        .into_iter()
        .max_by_key(|(l, n)| (*n, l.clone()))
        .ok_or_else(|| anyhow::anyhow!("no lot of the blood pressure monitor"))?;

    // The paths must answer as expected before anything is measured.
    let found = db.find_unit(&tech, &labels[0]).await?;
    anyhow::ensure!(
        found
            .as_ref()
            .is_some_and(|u| u.unit.pi.serial == serials[0]),
        "a scanned label finds its unit"
    );
    let (probe_plan, probe_citizen) = served[served.len() / 2];
    let e = db.citizen_equipment(&cardio, probe_citizen).await?;
    let preview = db.preview_kit_order(&cardio, probe_plan).await?;
    let devices = db
        .search_devices(
            &cardio,
            &DeviceFilter {
                patient: Some(probe_citizen),
                limit: 51,
                ..Default::default()
            },
        )
        .await?;
    println!(
        "  probe: a citizen's tab shows {} units, {} orders, {} visits; the preview has {} roles in use; \
         Device?patient finds {}; {} follow-up plans to order for; lot {lot} has {lot_units} units",
        e.units.len(),
        e.orders.len(),
        e.visits.len(),
        preview.map_or(0, |p| p.already.len()),
        devices.len(),
        pool.len()
    );

    let secs = a.seconds;
    let mut rows = Vec::new();
    let mut add = |phase: &str, concurrency: usize, f: Figures| {
        if let Some(e) = &f.first_error {
            println!("  {phase}: first error: {e}");
        }
        rows.push(Row {
            phase: phase.to_string(),
            concurrency,
            f,
        });
    };

    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), tech.clone(), serials.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let serial = &s[(rand(w, n, 1) % s.len() as u64) as usize];
                match db.find_unit(&ctx, serial).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => Err(format!("{serial} not found")),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("find_unit serial", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), tech.clone(), labels.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let label = &s[(rand(w, n, 2) % s.len() as u64) as usize];
                match db.find_unit(&ctx, label).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => Err(format!("{label} not found")),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("find_unit GS1 label", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx) = (db.clone(), tech.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx) = (db2.clone(), ctx.clone());
            async move {
                let serial = format!("XQ{:010}", rand(w, n, 3) % 10_000_000_000);
                match db.find_unit(&ctx, &serial).await {
                    Ok(None) => Ok(()),
                    Ok(Some(_)) => Err(format!("{serial} found")),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("find_unit unknown serial", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), cardio.clone(), served.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let (_, citizen) = s[(rand(w, n, 4) % s.len() as u64) as usize];
                match db.citizen_equipment(&ctx, citizen).await {
                    Ok(e) if !e.units.is_empty() => Ok(()),
                    Ok(_) => Err("no units".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("citizen_equipment (Udstyr)", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), cardio.clone(), served.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let (plan, _) = s[(rand(w, n, 5) % s.len() as u64) as usize];
                match db.preview_kit_order(&ctx, plan).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => Err("no kit".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("preview_kit_order", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), cardio.clone(), served.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let (_, citizen) = s[(rand(w, n, 6) % s.len() as u64) as usize];
                let filter = DeviceFilter {
                    patient: Some(citizen),
                    limit: 51,
                    ..Default::default()
                };
                match db.search_devices(&ctx, &filter).await {
                    Ok(d) if !d.is_empty() => Ok(()),
                    Ok(_) => Err("no devices".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("search_devices patient", c, f);
    }
    let pool = Arc::new(pool);
    let mut taken = 0usize;
    for c in CONCURRENCY {
        let n = a.orders.min(pool.len().saturating_sub(taken));
        if n == 0 {
            println!("  order_kit: no follow-up plans left for concurrency {c}");
            continue;
        }
        let (db2, p, first) = (db.clone(), pool.clone(), taken);
        let f = counted(c, n, move |i| {
            let (db, p) = (db2.clone(), p.clone());
            async move {
                let (plan, ctx) = &p[first + i];
                let input = KitOrder {
                    service: ServiceType::Install,
                    priority: Priority::Routine,
                    delivery: Delivery::default(),
                };
                match db.order_kit(ctx, *plan, input).await {
                    Ok(o) if o.order.is_none() && !o.plan.share.is_empty() => Ok(()),
                    Ok(o) => Err(format!(
                        "expected only assignments: {} shared, order {:?}",
                        o.plan.share.len(),
                        o.order.map(|o| o.id)
                    )),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        taken += n;
        add("order_kit (assignments only)", c, f);
    }

    let mut singles = Vec::new();
    let today = Timestamp::now().in_copenhagen().date();
    {
        let mut runs = Vec::new();
        let (mut before, mut peak, mut result) = (u64::MAX, 0, String::new());
        for _ in 0..2 {
            let (ms, b, p, s) = once(
                rss_peak,
                db.equipment_statements(&tech, today.year(), today.month(), None),
            )
            .await?;
            runs.push(ms);
            before = before.min(b);
            peak = peak.max(p);
            let lines: usize = s.iter().map(|s| s.statement.lines.len()).sum();
            let total: i64 = s.iter().map(|s| s.statement.total).sum();
            result = format!(
                "{} payers, {lines} lines, {:.0} kr.",
                s.len(),
                total as f64 / 100.0
            );
        }
        singles.push(Single {
            what: "equipment_statements (month, all payers)".into(),
            runs_ms: runs,
            rss_before: before,
            rss_peak: peak,
            result,
        });
    }
    {
        let mut runs = Vec::new();
        let (mut before, mut peak, mut result) = (u64::MAX, 0, String::new());
        for _ in 0..3 {
            let (ms, b, p, due) = once(rss_peak, db.maintenance_due(&tech, 30)).await?;
            runs.push(ms);
            before = before.min(b);
            peak = peak.max(p);
            let planned = due.iter().filter(|d| d.visit_on.is_some()).count();
            let overdue = due.iter().filter(|d| d.due.overdue).count();
            result = format!(
                "{} due ({overdue} overdue, {planned} with a visit planned)",
                due.len()
            );
        }
        singles.push(Single {
            what: "maintenance_due(30)".into(),
            runs_ms: runs,
            rss_before: before,
            rss_peak: peak,
            result,
        });
    }
    {
        let mut runs = Vec::new();
        let (mut before, mut peak, mut result) = (u64::MAX, 0, String::new());
        for _ in 0..3 {
            let (ms, b, p, h) = once(rss_peak, db.lot_holders(&tech, &bp_di, Some(&lot))).await?;
            runs.push(ms);
            before = before.min(b);
            peak = peak.max(p);
            result = format!("{} holders", h.len());
        }
        singles.push(Single {
            what: format!("lot_holders (lot {lot}, {lot_units} units)"),
            runs_ms: runs,
            rss_before: before,
            rss_peak: peak,
            result,
        });
    }
    {
        let (ms, before, peak, r) = once(
            rss_peak,
            db.recall(
                &tech,
                &bp_di,
                Some(&lot),
                "Producentens sikkerhedsmeddelelse: manchetten kan miste tryk",
            ),
        )
        .await?;
        singles.push(Single {
            what: format!("recall (lot {lot})"),
            runs_ms: vec![ms],
            rss_before: before,
            rss_peak: peak,
            result: format!(
                "{} units held, {} citizens to tell",
                r.held.len(),
                r.affected.len()
            ),
        });
    }
    db.close().await;
    Ok((rows, singles))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let a = parse_args();
    if let Some((url, report)) = &a.load_only {
        return load_child(&a, url, report).await;
    }
    use_local_postgres_if_unset();
    let mut a = a;
    if a.backends.is_empty() {
        a.backends = telesund_testkit::backends();
    }
    let rss_peak = spawn_rss_sampler();
    let dir = std::env::temp_dir();
    let mut results = Vec::new();
    for &backend in &a.backends {
        let (url, m, cleanup) = prepare(&a, backend).await?;
        let fsync = fsync_rate(&dir, 2.0);
        let out = run(&a, &url, &rss_peak).await;
        if a.keep {
            println!("{}: kept {url}", backend_name(backend));
        } else {
            cleanup.run().await;
        }
        let (rows, singles) = out?;
        results.push((backend, m, fsync, rows, singles));
    }

    println!();
    println!(
        "bench-equipment: {} citizens, {} s per timed phase after {} s warm-up, {} order_kit calls per concurrency, {} CPUs",
        a.citizens,
        a.seconds,
        WARM_UP.as_secs(),
        a.orders,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (backend, m, fsync, rows, singles) in &results {
        println!();
        println!(
            "== {} — {} units ({} in homes, {} in stock, {} lots), {} assignments ({} open), {} unit events, \
             {} orders, {} visits; loaded in {:.0} s",
            backend_name(*backend),
            m["units"],
            m["units_in_use"],
            m["units_in_stock"],
            m["lots"],
            m["assignments"],
            m["open_assignments"],
            m["unit_events"],
            m["orders"],
            m["visits"],
            m["seconds"].as_f64().unwrap_or(0.0)
        );
        println!(
            "   disk fsync rate (4 KiB appends, {}): {fsync:.0}/s",
            dir.display()
        );
        println!(
            "   {:<30} {:>4} {:>8} {:>6} {:>9} {:>8} {:>8} {:>8}",
            "phase", "conc", "calls", "errors", "calls/s", "p50 ms", "p99 ms", "max ms"
        );
        for r in rows {
            println!(
                "   {:<30} {:>4} {:>8} {:>6} {:>9.0} {:>8.2} {:>8.2} {:>8.2}",
                r.phase,
                r.concurrency,
                r.f.requests,
                r.f.errors,
                r.f.rps,
                r.f.p50_ms,
                r.f.p99_ms,
                r.f.max_ms
            );
        }
        println!(
            "   {:<52} {:>22} {:>16}  result",
            "single runs", "wall ms (each run)", "RSS MB before→peak"
        );
        for s in singles {
            let runs = s
                .runs_ms
                .iter()
                .map(|ms| format!("{ms:.0}"))
                .collect::<Vec<_>>()
                .join(" / ");
            println!(
                "   {:<52} {:>22} {:>16}  {}",
                s.what,
                runs,
                format!("{:.0}→{:.0}", mb(s.rss_before), mb(s.rss_peak)),
                s.result
            );
        }
    }
    Ok(())
}
