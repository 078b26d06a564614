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

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;
use telesund_core::Timestamp;
use telesund_core::equipment::order::{Delivery, Priority, ServiceType};
use telesund_core::equipment::udi::with_check_digit;
use telesund_core::ids::{CarePlanId, CitizenId, OrgId};
use telesund_db::AccessCtx;
use telesund_db::equipment::devices::DeviceFilter;
use telesund_db::equipment::orders::KitOrder;
use telesund_testkit::bench::{
    CLINICIANS, CONCURRENCY, Figures, HEART, HOSPITALS, MUNICIPALITIES, Row, Single, TECH, WARM_UP,
    backend_name, clinician_of, connect, counted, load_equipment_data_set, once, org_id, prepare,
    print_rows, print_singles, programme, push_row, rand, spawn_rss_sampler, staff_ctx, timed,
    use_local_postgres_if_unset,
};
use telesund_testkit::{Backend, fsync_rate};

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

// ---------------------------------------------------------------------------------------
// The load (in a child process).

async fn load_child(a: &Args, url: &str, report: &std::path::Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = connect(url, 4).await?;
    let mut m = load_equipment_data_set(&db, a.citizens, a.orders * CONCURRENCY.len() + 40).await?;
    db.close().await;
    m.insert("seconds".into(), started.elapsed().as_secs_f64().into());
    std::fs::write(report, serde_json::to_string_pretty(&m)?)?;
    Ok(())
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
    let db = connect(url, 16).await?;
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
    let mut add =
        |phase: &str, concurrency: usize, f: Figures| push_row(&mut rows, phase, concurrency, f);

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
        let (url, m, cleanup) = prepare(
            backend,
            "telesund_bench_eq",
            &format!("{} citizens' equipment", a.citizens),
            &[
                "--citizens".into(),
                a.citizens.to_string(),
                "--orders".into(),
                a.orders.to_string(),
            ],
        )
        .await?;
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
        print_rows(rows);
        print_singles(singles);
    }
    Ok(())
}
