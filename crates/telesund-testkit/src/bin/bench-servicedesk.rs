//! Benchmark: the service desk's hot paths at the scale of a region's service centre, on
//! SQLite and (when reachable) PostgreSQL, with the disk's fsync rate measured in the same run.
//!
//!   cargo run --release -p telesund-testkit --bin bench-servicedesk
//!   cargo run --release -p telesund-testkit --bin bench-servicedesk -- \
//!       --backend sqlite --citizens 5000 --seconds 5
//!   (quick: --citizens 1000 --seconds 3)
//!
//! `--keep` leaves the database behind (its URL is printed) for EXPLAIN and the like.
//!
//! The data set, made afresh in a new database each run: `bench-equipment`'s (the demo data,
//! `--citizens` citizens with their programmes and two years of equipment, a fifth as many
//! more whose plans ended; `telesund_testkit::bench::load_equipment_data_set`), then two years
//! of the service desk (`telesund_db::servicedesk::bench_load`): every citizen a phone number
//! (some a landline and a next of kin), about 1.5 cases per citizen and year across channels
//! and categories with their timelines (about four entries each), the sweep's escalation
//! notices and closings, ratings, proactive cases with their missing-measurement tasks,
//! `--live` live cases (new, open, waiting for the citizen, a visit or a supplier; default 6 %
//! of the citizens) with running clocks, about 10 % of the cases with a unit and model, and an
//! answered incoming call for every phone case. It is loaded by a child process (this program
//! with `--load-only`), which then checks it through the real reads (`case`, `case_queue`,
//! `citizen_cases`).
//!
//! Then, as the storage layer is called by the HTTP handlers (authorised and audited) with the
//! desk agent's access, each timed phase `--seconds` long after a 1 s warm-up:
//!
//! 1. `ringing_calls` with five calls ringing (every agent screen polls it every three
//!    seconds), at concurrency 1 and 4 — first, so the calls registered next do not ring in it;
//! 2. `register_call` (the telephony webhook; it writes) with a random citizen's number in
//!    E.164 form, and with a number nobody has, at concurrency 1 and 4;
//! 3. `caller_screen` for random citizens with units in the home, at 1 and 4;
//! 4. `case_queue` (`All`, and `BreachingSoon`), at 1;
//! 5. `case` (with its timeline) for random cases, at 1 and 4;
//! 6. `open_case` of a phone case for a random citizen, `case_action(Assign)` and
//!    `case_action(Resolve)` (three writes, timed together), at 1 and 4;
//!
//! and single runs (wall time, and this process's peak resident memory above what it was
//! before): `sweep_service_desk(now)` (the minute job; three times) and `service_report` over
//! every centre for the last twelve months (three times).
//!
//! PostgreSQL: TELESUND_TEST_PG, else postgres://postgres@127.0.0.1:5432/postgres if it answers.

use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;
use telesund_core::Timestamp;
use telesund_core::ids::{CaseId, CitizenId};
use telesund_core::servicedesk::case::{CaseStatus, Category, Channel, Impact, Urgency};
use telesund_core::servicedesk::report::Period;
use telesund_db::servicedesk::bench_load::ServiceDeskLoadSpec;
use telesund_db::servicedesk::cases::{CaseAction, NewCase, QueueView};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::bench::{
    AGENT, CONCURRENCY, HOSPITALS, MUNICIPALITIES, Row, Single, TECH, WARM_UP, backend_name,
    clinician_of, connect, load_equipment_data_set, person, prepare, print_rows, print_singles,
    progress, push_row, rand, single_runs, spawn_rss_sampler, staff_ctx, timed,
    use_local_postgres_if_unset,
};
use telesund_testkit::{Backend, fsync_rate};

/// `bench-equipment`'s municipal follow-up plans at its default `--orders` (two concurrencies
/// of 200 orders, and 40 more): the same equipment data set.
const FOLLOW_UPS: usize = 2 * 200 + 40;
/// Calls ringing while `ringing_calls` is measured.
const RINGING: usize = 5;

#[derive(Clone, Debug)]
struct Args {
    citizens: usize,
    seconds: u64,
    live: usize,
    backends: Vec<Backend>,
    keep: bool,
    /// Internal: be the loading child (database URL, report file).
    load_only: Option<(String, PathBuf)>,
}

fn parse_args() -> Args {
    let mut a = Args {
        citizens: 5_000,
        seconds: 5,
        live: 0,
        backends: Vec::new(),
        keep: false,
        load_only: None,
    };
    let mut backend = "both".to_string();
    let (mut url, mut report) = (None, None);
    let usage = "usage: bench-servicedesk [--citizens N] [--seconds S] [--live N] \
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
            "--live" => a.live = value().parse().expect("--live N"),
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
    assert!(a.citizens >= 50 && a.seconds > 0, "{usage}");
    if a.live == 0 {
        a.live = (a.citizens * 6 / 100).max(20);
    }
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
    let mut m = load_equipment_data_set(&db, a.citizens, FOLLOW_UPS).await?;
    let agent = staff_ctx(&db, AGENT).await?;
    let live_before = db.case_queue(&agent, QueueView::All).await?.len();
    let mut staff = Vec::new();
    for sor in HOSPITALS.iter().chain(MUNICIPALITIES.iter()) {
        let o = clinician_of(&db, sor, false).await?;
        staff.push((o.clinician, o.clinician_name));
    }
    let spec = ServiceDeskLoadSpec {
        years: 2,
        cases_per_citizen_year: 1.5,
        live: a.live,
        agents: vec![person(&db, AGENT).await?, person(&db, TECH).await?],
        staff,
        now: Timestamp::now(),
        seed: 0x05e7_de5c,
    };
    let r = db.bench_load_servicedesk(&spec, &progress).await?;
    println!(
        "  service desk: {} citizens' numbers ({} phones, {} next of kin), {} cases ({} live, {} with a unit, \
         {} proactive), {} timeline entries, {} calls, {} ratings, {} tasks, {} notifications, {} visits booked; \
         {} rows in {:.0} s",
        r.citizens,
        r.phones,
        r.next_of_kin,
        r.cases,
        r.live,
        r.with_unit,
        r.automatic,
        r.case_events,
        r.calls,
        r.ratings,
        r.tasks,
        r.notifications,
        r.visits,
        r.rows,
        r.seconds
    );

    // What was written reads back through the real reads.
    for (id, entries) in &r.sample {
        let page = db.case(&agent, *id).await?;
        anyhow::ensure!(
            page.timeline.len() == *entries,
            "case {} reads {} timeline entries, {} were written",
            page.case.number,
            page.timeline.len(),
            entries
        );
        if let Some(citizen) = page.case.citizen_id {
            let cases = db.citizen_cases(&agent, citizen).await?;
            anyhow::ensure!(
                cases.iter().any(|c| c.id == *id),
                "case {} is among its citizen's cases",
                page.case.number
            );
        }
    }
    let queue = db.case_queue(&agent, QueueView::All).await?.len();
    anyhow::ensure!(
        queue == (live_before + r.live as usize).min(500),
        "the queue shows {queue} cases, {} are live",
        live_before + r.live as usize
    );
    println!(
        "  checked: {} cases read back with their timelines; the queue shows {queue}",
        r.sample.len()
    );
    db.close().await;
    m.insert("servicedesk".into(), serde_json::to_value(&r)?);
    m.insert("seconds".into(), started.elapsed().as_secs_f64().into());
    std::fs::write(report, serde_json::to_string_pretty(&m)?)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Phases.

/// A phone case about a citizen, as the agent registers it during the call.
fn phone_case(citizen: CitizenId) -> NewCase {
    NewCase {
        citizen_id: Some(citizen),
        requester: None,
        channel: Channel::Phone,
        category: Category::MeasurementHelp,
        subject: "Målingerne bliver ikke sendt".into(),
        description: String::new(),
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        acute: false,
        unit_id: None,
        call_id: None,
    }
}

async fn open_assign_resolve(db: &Db, ctx: &AccessCtx, citizen: CitizenId) -> Result<(), String> {
    let id = db
        .open_case(ctx, phone_case(citizen))
        .await
        .map_err(|e| format!("open: {e}"))?
        .case
        .id;
    db.case_action(ctx, id, CaseAction::Assign { user_id: None })
        .await
        .map_err(|e| format!("assign: {e}"))?;
    let page = db
        .case_action(
            ctx,
            id,
            CaseAction::Resolve {
                resolution: "Genstartet; målingerne sendes igen.".into(),
            },
        )
        .await
        .map_err(|e| format!("resolve: {e}"))?;
    if page.case.status == CaseStatus::Resolved {
        Ok(())
    } else {
        Err(format!("case {} is {}", page.case.number, page.case.status))
    }
}

async fn run(
    a: &Args,
    url: &str,
    rss_peak: &Arc<AtomicU64>,
) -> anyhow::Result<(Vec<Row>, Vec<Single>)> {
    let db = connect(url, 16).await?;
    let agent = Arc::new(staff_ctx(&db, AGENT).await?);

    // What the phases pick from.
    let callers = db.bench_callers().await?;
    let numbers: Arc<Vec<String>> = Arc::new(callers.iter().map(|c| c.phone.clone()).collect());
    // The desk serves citizens in a programme.
    let citizens: Arc<Vec<CitizenId>> = Arc::new(
        callers
            .iter()
            .filter(|c| c.enrolled)
            .map(|c| c.citizen_id)
            .collect(),
    );
    let with_units: Arc<Vec<CitizenId>> = Arc::new(
        callers
            .iter()
            .filter(|c| c.enrolled && c.units > 0)
            .map(|c| c.citizen_id)
            .collect(),
    );
    anyhow::ensure!(!with_units.is_empty(), "no citizen with units");
    let cases: Arc<Vec<CaseId>> = Arc::new(db.bench_case_ids().await?);
    anyhow::ensure!(!cases.is_empty(), "no cases");

    // The calls that ring while `ringing_calls` is measured, and probes of the other paths.
    let mut matched = 0;
    for i in 0..RINGING {
        let number = if i + 1 == RINGING {
            "+4599000001".to_string()
        } else {
            numbers[(rand(0, i as u64, 7) % numbers.len() as u64) as usize].clone()
        };
        matched += db.register_call(&agent, &number, None).await?.citizens;
    }
    let ringing = db.ringing_calls(&agent).await?.len();
    anyhow::ensure!(ringing == RINGING, "{ringing} calls ring, not {RINGING}");
    let probe = with_units[with_units.len() / 2];
    let screen = db.caller_screen(&agent, probe, None).await?;
    let all = db.case_queue(&agent, QueueView::All).await?;
    let soon = db.case_queue(&agent, QueueView::BreachingSoon).await?;
    let page = db.case(&agent, cases[cases.len() / 2]).await?;
    println!(
        "  probe: {RINGING} calls ring ({matched} matched a citizen); a caller screen shows {} units, {} open orders, \
         {} planned visits, {} cases; the queue has {} cases, {} breaching soon; a case has {} timeline entries",
        screen.units.len(),
        screen.orders.len(),
        screen.visits.len(),
        screen.cases.len(),
        all.len(),
        soon.len(),
        page.timeline.len()
    );

    let secs = a.seconds;
    let mut rows = Vec::new();
    let mut add = |phase: &str, concurrency: usize, f| push_row(&mut rows, phase, concurrency, f);

    for c in CONCURRENCY {
        let (db2, ctx) = (db.clone(), agent.clone());
        let f = timed(c, secs, move |_, _| {
            let (db, ctx) = (db2.clone(), ctx.clone());
            async move {
                match db.ringing_calls(&ctx).await {
                    Ok(r) if r.len() == RINGING => Ok(()),
                    Ok(r) => Err(format!("{} calls ring", r.len())),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("ringing_calls (5 ringing)", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), agent.clone(), numbers.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let number = &s[(rand(w, n, 1) % s.len() as u64) as usize];
                match db.register_call(&ctx, number, None).await {
                    Ok(r) if r.citizens > 0 => Ok(()),
                    Ok(_) => Err(format!("{number} matched no citizen")),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("register_call citizen", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx) = (db.clone(), agent.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx) = (db2.clone(), ctx.clone());
            async move {
                let number = format!("+4599{:06}", rand(w, n, 2) % 1_000_000);
                match db.register_call(&ctx, &number, None).await {
                    Ok(r) if r.citizens + r.next_of_kin + r.staff.len() == 0 => Ok(()),
                    Ok(_) => Err(format!("{number} matched someone")),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("register_call unknown number", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), agent.clone(), with_units.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let citizen = s[(rand(w, n, 3) % s.len() as u64) as usize];
                match db.caller_screen(&ctx, citizen, None).await {
                    Ok(s) if !s.units.is_empty() => Ok(()),
                    Ok(_) => Err("no units".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("caller_screen", c, f);
    }
    for (view, phase) in [
        (QueueView::All, "case_queue All"),
        (QueueView::BreachingSoon, "case_queue BreachingSoon"),
    ] {
        let (db2, ctx) = (db.clone(), agent.clone());
        let f = timed(1, secs, move |_, _| {
            let (db, ctx) = (db2.clone(), ctx.clone());
            async move {
                match db.case_queue(&ctx, view).await {
                    Ok(q) if !q.is_empty() || view != QueueView::All => Ok(()),
                    Ok(_) => Err("an empty queue".into()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add(phase, 1, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), agent.clone(), cases.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let id = s[(rand(w, n, 4) % s.len() as u64) as usize];
                match db.case(&ctx, id).await {
                    Ok(p) if !p.timeline.is_empty() => Ok(()),
                    Ok(p) => Err(format!("case {} has no timeline", p.case.number)),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
        add("case (with timeline)", c, f);
    }
    for c in CONCURRENCY {
        let (db2, ctx, s) = (db.clone(), agent.clone(), citizens.clone());
        let f = timed(c, secs, move |w, n| {
            let (db, ctx, s) = (db2.clone(), ctx.clone(), s.clone());
            async move {
                let citizen = s[(rand(w, n, 5) % s.len() as u64) as usize];
                open_assign_resolve(&db, &ctx, citizen).await
            }
        })
        .await;
        add("open_case+assign+resolve", c, f);
    }

    let mut singles = Vec::new();
    singles.push(
        single_runs(
            rss_peak,
            "sweep_service_desk(now)",
            3,
            || db.sweep_service_desk(Timestamp::now()),
            |r| {
                format!(
                    "{} proactive opened, {} data flowing, {} visits done, {} notices, {} closed",
                    r.proactive_opened, r.data_flowing, r.visits_done, r.notifications, r.closed
                )
            },
        )
        .await?,
    );
    let today = Timestamp::now().in_copenhagen().date();
    let year = Period::new(today - time::Duration::days(364), today)?;
    singles.push(
        single_runs(
            rss_peak,
            "service_report (all centres, last 12 months)",
            3,
            || db.service_report(&agent, None, year),
            |r| {
                format!(
                    "{} cases, first response {:?} % met, resolution {:?} % met, {:?} % first contact",
                    r.total,
                    r.first_response.percent_met,
                    r.resolution.percent_met,
                    r.first_contact.percent
                )
            },
        )
        .await?,
    );
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
            "telesund_bench_sd",
            &format!(
                "{} citizens' equipment and two years of the service desk",
                a.citizens
            ),
            &[
                "--citizens".into(),
                a.citizens.to_string(),
                "--live".into(),
                a.live.to_string(),
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
        "bench-servicedesk: {} citizens, {} s per timed phase after {} s warm-up, {} CPUs",
        a.citizens,
        a.seconds,
        WARM_UP.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (backend, m, fsync, rows, singles) in &results {
        let sd: &Value = &m["servicedesk"];
        println!();
        println!(
            "== {} — {} cases ({} live, {} with a unit, {} proactive), {} timeline entries, {} calls, \
             {} notifications; {} units in homes, {} assignments; loaded in {:.0} s",
            backend_name(*backend),
            sd["cases"],
            sd["live"],
            sd["with_unit"],
            sd["automatic"],
            sd["case_events"],
            sd["calls"],
            sd["notifications"],
            m["units_in_use"],
            m["assignments"],
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
