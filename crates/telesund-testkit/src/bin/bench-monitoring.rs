//! Benchmark: telemonitoring at the scale of a region's heart-failure programme, on SQLite
//! and (when reachable) PostgreSQL, with the disk's fsync rate measured in the same run.
//!
//!   cargo run --release -p telesund-testkit --bin bench-monitoring
//!   cargo run --release -p telesund-testkit --bin bench-monitoring -- \
//!       --citizens 10000 --days 365 --seconds 10 --backend both
//!   (quick: --citizens 200 --days 30 --seconds 3)
//!
//! Other options: `--no-audit-history` loads no audit record per loaded measurement; `--reload`
//! loads afresh even when a loaded database is there; `--phase post|bundle|search|worklist`
//! (repeatable) runs only those phases, e.g. under `perf record`.
//!
//! The data set (see `telesund_db::monitoring::bench_load`): `--citizens` citizens enrolled in
//! the demo heart-failure programme by five hospital organisations, the first (the heart-failure
//! clinic of Regionshospitalet Horsens) with 2,000 of them (a care team's list), and `--days` of
//! home measurements (weight, blood pressure and pulse every morning: about 1,100 per citizen
//! a year), each triaged by the real rules into its assessment, the tasks that left (the open
//! ones at the end: 10–20 % of the citizens) and the audit record of each submission. It is
//! written straight into the tables, once: the SQLite file under
//! `target/bench-monitoring/`, the PostgreSQL database `telesund_bench_<citizens>c_<days>d`
//! next to the admin database; a later run reuses it when its row counts match the marker file
//! the load left (`target/bench-monitoring/<backend>-<size>.json`). The load runs in a child
//! process (this program with `--load-only`), so its page cache does not count in the
//! resident memory measured here.
//!
//! Then, against the real server in this process (port 0, 16 pooled connections as the default
//! configuration), each phase `--seconds` long after a 2 s warm-up:
//!
//! 1. `POST /fhir/Observation`, one measurement each, concurrency 16 (goal ≥ 2,000/s), with
//!    the results writer's measurements per commit and commits per second;
//! 2. `POST /fhir` transaction Bundles of 100 measurements (34 citizens of one organisation,
//!    as a gateway sends them), concurrency 4 (goal ≥ 20,000 measurements/s);
//! 3. `GET /fhir/Observation?patient=X&_sort=-date&_count=50` for random citizens of the whole
//!    data set, each with a token of a clinician of the enrolling organisation, at
//!    concurrency 1 and 16 (goal p99 ≤ 10 ms);
//! 4. `Db::worklist` of a clinician of the 2,000-citizen team (first page, 50 citizens), at
//!    concurrency 1 and 4 (goal p99 ≤ 50 ms);
//! 5. the process's resident memory (VmRSS, sampled every 50 ms) through all of it (goal
//!    ≤ 300 MB). PostgreSQL's own processes are not in this figure.
//!
//! PostgreSQL: TELESUND_TEST_PG, else postgres://postgres@127.0.0.1:5432/postgres if it answers.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use telesund_core::Timestamp;
use telesund_core::audit::RequestInfo;
use telesund_core::identity::Role;
use telesund_core::ids::{CitizenId, OrgId, UserId};
use telesund_db::monitoring::bench_load::{LoadOrg, LoadSpec};
use telesund_db::monitoring::worklist::WorklistFilter;
use telesund_db::staff::{NewMembership, NewStaffUser};
use telesund_db::{AccessCtx, Db, DbConfig};
use telesund_testkit::bench::{
    backend_name, mb, rand, rss_bytes, spawn_rss_sampler, use_local_postgres_if_unset,
};
use telesund_testkit::{Backend, fsync_rate};

const POST_CONCURRENCY: usize = 16;
const BUNDLE_CONCURRENCY: usize = 4;
const BUNDLE_SIZE: usize = 100;
const TEAM_CITIZENS: usize = 2_000;
const WARM_UP: Duration = Duration::from_secs(2);
/// The demo organisations that enrol citizens, by SOR code: the heart-failure clinic of
/// Regionshospitalet Horsens (the benchmark's team), then four more hospitals.
const ORG_SORS: [&str; 5] = [
    "999000000101",
    "999000000111",
    "999000000120",
    "999000000130",
    "999000000140",
];
const TEAM_CLINICIAN: &str = "cardio.rhh@telesund.example";
const PROGRAMME: &str = "Telemedicinsk hjertesvigt";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

#[derive(Clone, Debug)]
struct Args {
    citizens: usize,
    days: u32,
    seconds: u64,
    backends: Vec<Backend>,
    audit_history: bool,
    reload: bool,
    /// The phases to run (`post`, `bundle`, `search`, `worklist`); all when empty.
    phases: Vec<String>,
    /// Internal: be the loading child process.
    load_only: Option<(String, PathBuf)>,
}

fn parse_args() -> Args {
    let mut a = Args {
        citizens: 10_000,
        days: 365,
        seconds: 10,
        backends: Vec::new(),
        audit_history: true,
        reload: false,
        phases: Vec::new(),
        load_only: None,
    };
    let mut backend = "both".to_string();
    let mut url = None;
    let mut marker = None;
    let mut it = std::env::args().skip(1);
    let usage = "usage: bench-monitoring [--citizens N] [--days D] [--seconds S] \
                 [--backend sqlite|postgres|both] [--no-audit-history] [--reload] \
                 [--phase post|bundle|search|worklist]...";
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| panic!("{arg} needs a value\n{usage}"))
        };
        match arg.as_str() {
            "--citizens" => a.citizens = value().parse().expect("--citizens N"),
            "--days" => a.days = value().parse().expect("--days D"),
            "--seconds" => a.seconds = value().parse().expect("--seconds S"),
            "--backend" => backend = value(),
            "--no-audit-history" => a.audit_history = false,
            "--reload" => a.reload = true,
            "--phase" => match value().as_str() {
                p @ ("post" | "bundle" | "search" | "worklist") => a.phases.push(p.to_string()),
                other => panic!("unknown phase '{other}'\n{usage}"),
            },
            "--load-only" => url = Some(value()),
            "--marker" => marker = Some(PathBuf::from(value())),
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0);
            }
            other => panic!("unknown argument '{other}'\n{usage}"),
        }
    }
    assert!(a.citizens > 0 && a.days > 0 && a.seconds > 0, "{usage}");
    if let (Some(u), Some(m)) = (url, marker) {
        a.load_only = Some((u, m));
    }
    a.backends = match backend.as_str() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        // Resolved in `main`, once the PostgreSQL default is known.
        "both" => Vec::new(),
        other => panic!("unknown backend '{other}'\n{usage}"),
    };
    a
}

fn bench_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-monitoring");
    std::fs::create_dir_all(&dir).expect("create target/bench-monitoring");
    dir.canonicalize().expect("bench dir")
}

/// The data set's name: its size, and whether it has the audit history.
fn size_name(a: &Args) -> String {
    format!(
        "{}c_{}d{}",
        a.citizens,
        a.days,
        if a.audit_history { "" } else { "_noaudit" }
    )
}

// ---------------------------------------------------------------------------------------
// The load (in a child process) and its reuse.

/// What a finished load leaves next to the data.
fn marker_json(spec: &LoadSpec, r: &telesund_db::monitoring::bench_load::LoadReport) -> Value {
    json!({
        "citizens": spec.citizens,
        "days": spec.days,
        "end": spec.end.0,
        "observations": r.observations,
        "assessments": r.assessments,
        "audit_records": r.audit_records,
        "open_tasks": r.open_tasks,
        "completed_tasks": r.completed_tasks,
        "citizens_with_open_tasks": r.citizens_with_open_tasks,
        "team_citizens_with_open_tasks": r.team_citizens_with_open_tasks,
        "alarms": r.alarms,
        "rows": r.rows,
        "seconds": r.seconds,
        "rows_per_second": r.rows_per_second(),
    })
}

/// The enrolling organisations, each with a clinician (the demo's heart-failure
/// cardiologist for the team; one made for each of the others).
async fn load_orgs(db: &Db, create: bool) -> anyhow::Result<Vec<LoadOrg>> {
    let ctx = AccessCtx::system("benchmark set-up");
    let mut orgs = Vec::new();
    for (i, sor) in ORG_SORS.iter().enumerate() {
        let org = db
            .organisation_by_sor(sor)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo organisation {sor} is missing"))?;
        let email = if i == 0 {
            TEAM_CLINICIAN.to_string()
        } else {
            format!("bench.clinician.{sor}@telesund.example")
        };
        let user = match db.staff_id_by_email(&email).await? {
            Some(u) => u,
            None if create => {
                db.create_staff_user(
                    &ctx,
                    NewStaffUser {
                        email: email.clone(),
                        name: format!("Klinisk sygeplejerske {}", i + 1),
                        password: None,
                        memberships: vec![NewMembership {
                            org_id: org.id,
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
        let name = db.staff_profile(user).await?.user.name;
        orgs.push(LoadOrg {
            id: org.id,
            clinician: user,
            clinician_name: name,
        });
    }
    Ok(orgs)
}

async fn heart_failure(
    db: &Db,
) -> anyhow::Result<(
    telesund_core::ids::ProgrammeId,
    telesund_core::ids::ProgrammeVersionId,
)> {
    let programme = db
        .programmes()
        .await?
        .into_iter()
        .find(|p| p.name == PROGRAMME)
        .ok_or_else(|| anyhow::anyhow!("the demo programme '{PROGRAMME}' is missing"))?;
    let version = db
        .active_programme_version(programme.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("'{PROGRAMME}' has no active version"))?;
    Ok((programme.id, version.id))
}

/// The child: demo data, then the synthetic data set, then the marker.
async fn load_child(a: &Args, url: &str, marker: &Path) -> anyhow::Result<()> {
    let db = Db::connect(&DbConfig {
        url: url.to_string(),
        max_connections: 4,
    })
    .await?;
    telesund::demo::load(&db).await?;
    let orgs = load_orgs(&db, true).await?;
    let (_, version) = heart_failure(&db).await?;
    let spec = LoadSpec {
        citizens: a.citizens,
        days: a.days,
        end: telesund_db::monitoring::bench_load::data_end(Timestamp::now()),
        version,
        orgs,
        first_org_citizens: TEAM_CITIZENS,
        audit: a.audit_history,
        seed: 0x7e1e_5a4d,
    };
    let report = db
        .bench_load(&spec, &|line: String| {
            println!("{line}");
            let _ = std::io::stdout().flush();
        })
        .await?;
    println!(
        "  loaded {} citizens, {} observations, {} assessments, {} audit records, {} tasks ({} open, \
         {} citizens with open work, {} of them on the team); {} rows in {:.0} s = {:.0} rows/s",
        report.citizens,
        report.observations,
        report.assessments,
        report.audit_records,
        report.open_tasks + report.completed_tasks,
        report.open_tasks,
        report.citizens_with_open_tasks,
        report.team_citizens_with_open_tasks,
        report.rows,
        report.seconds,
        report.rows_per_second()
    );
    db.close().await;
    std::fs::write(
        marker,
        serde_json::to_string_pretty(&marker_json(&spec, &report))?,
    )?;
    Ok(())
}

/// A database ready for the benchmark: its URL, whether it was reused, and its marker.
async fn prepare(a: &Args, backend: Backend) -> anyhow::Result<(String, bool, Value)> {
    let dir = bench_dir();
    let size = size_name(a);
    let marker_path = dir.join(format!("{}-{size}.json", backend_name(backend)));
    let pg_name = format!("telesund_bench_{size}");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/telesund-{size}.db", dir.display()),
        Backend::Postgres => {
            let admin = telesund_testkit::pg_admin_url().expect("PostgreSQL admin URL");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            format!("{base}/{pg_name}")
        }
    };
    let marker: Option<Value> = std::fs::read_to_string(&marker_path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    if let (Some(m), false) = (&marker, a.reload) {
        let t0 = Instant::now();
        let check = async {
            let db = Db::connect(&DbConfig {
                url: url.clone(),
                max_connections: 2,
            })
            .await?;
            let n = db
                .bench_observations_until(Timestamp(m["end"].as_i64().unwrap_or(0)))
                .await?;
            let plans = db.count_rows("care_plans").await?;
            db.close().await;
            Ok::<_, anyhow::Error>((n, plans))
        }
        .await;
        match check {
            Ok((n, plans))
                if n == m["observations"].as_i64().unwrap_or(-1) && plans > a.citizens as i64 =>
            {
                println!(
                    "{}: reusing the loaded database ({n} loaded observations, checked in {:.1} s)",
                    backend_name(backend),
                    t0.elapsed().as_secs_f64()
                );
                return Ok((url, true, m.clone()));
            }
            other => println!(
                "{}: the database does not match its marker ({:?}); loading afresh",
                backend_name(backend),
                other.map_err(|e| e.to_string())
            ),
        }
    }
    // A fresh, empty database.
    let _ = std::fs::remove_file(&marker_path);
    match backend {
        Backend::Sqlite => {
            let file = dir.join(format!("telesund-{size}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        Backend::Postgres => {
            let admin = telesund_testkit::pg_admin_url().expect("PostgreSQL admin URL");
            telesund_db::monitoring::bench_load::drop_postgres_database(&admin, &pg_name).await?;
            telesund_db::create_postgres_database(&admin, &pg_name).await?;
        }
    }
    println!(
        "{}: loading {} citizens × {} days into {} (a child process)",
        backend_name(backend),
        a.citizens,
        a.days,
        url
    );
    let status = std::process::Command::new(std::env::current_exe()?)
        .args([
            "--citizens",
            &a.citizens.to_string(),
            "--days",
            &a.days.to_string(),
            "--backend",
            backend_name(backend),
            "--load-only",
            &url,
            "--marker",
            &marker_path.display().to_string(),
        ])
        .args(if a.audit_history {
            vec![]
        } else {
            vec!["--no-audit-history"]
        })
        .status()?;
    anyhow::ensure!(status.success(), "the load failed: {status}");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&marker_path)?)?;
    Ok((url, false, m))
}

// ---------------------------------------------------------------------------------------
// Phases.

#[derive(Clone, Debug, Default)]
struct Figures {
    requests: usize,
    errors: usize,
    first_error: Option<String>,
    rps: f64,
    observations_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Results writer (writes) or audit writer (reads): rows per commit, commits per second.
    per_commit: f64,
    commits_per_s: f64,
    peak_rss: u64,
}

/// Runs `work(worker, n)` in `concurrency` loops: a warm-up, then `seconds` measured. Each
/// call returns the measurements it wrote (0 for reads) or an error.
async fn phase<W, F>(
    db: &Db,
    rss_peak: &Arc<AtomicU64>,
    concurrency: usize,
    seconds: u64,
    writes: bool,
    work: W,
) -> Figures
where
    W: Fn(usize, u64) -> F + Send + Sync + 'static,
    F: Future<Output = Result<usize, String>> + Send,
{
    let work = Arc::new(work);
    let warm_until = Instant::now() + WARM_UP;
    let measure_until = warm_until + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let work = work.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let (mut errors, mut obs, mut first_error) = (0usize, 0usize, None);
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
                    match r {
                        Ok(k) => obs += k,
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                        }
                    }
                }
            }
            (lat, errors, obs, first_error)
        }));
    }
    tokio::time::sleep_until(warm_until.into()).await;
    let stats = || {
        if writes {
            db.results_stats()
        } else {
            db.audit_stats()
        }
    };
    let (r0, c0) = stats();
    rss_peak.store(0, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut f = Figures::default();
    let mut obs = 0;
    for t in tasks {
        let (l, e, o, fe) = t.await.expect("worker");
        all.extend(l);
        f.errors += e;
        obs += o;
        if f.first_error.is_none() {
            f.first_error = fe;
        }
    }
    let (r1, c1) = stats();
    f.peak_rss = rss_peak.load(Ordering::Relaxed).max(rss_bytes());
    all.sort();
    let secs = seconds as f64;
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    f.requests = all.len();
    f.rps = all.len() as f64 / secs;
    f.observations_per_s = obs as f64 / secs;
    f.p50_ms = pct(0.50);
    f.p99_ms = pct(0.99);
    f.max_ms = all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    f.per_commit = (r1 - r0) as f64 / (c1 - c0).max(1) as f64;
    f.commits_per_s = (c1 - c0) as f64 / secs;
    f
}

/// One home measurement as a device gateway sends it: a weight (following on from the
/// citizen's last one), a blood pressure or a pulse, with its own identifier (the retry key)
/// and the device's. About one in fifty blood pressures is high (a yellow result).
fn observation(patient: CitizenId, weight: f64, kind: u64, r: u64, at: Timestamp) -> Value {
    let j = (r >> 8) % 1000;
    let (code, body) = match kind % 3 {
        0 => {
            let kg = if weight > 0.0 { weight } else { 80.0 } + (j % 7) as f64 / 10.0 - 0.3;
            (
                "29463-7",
                json!({ "valueQuantity": { "value": (kg * 10.0).round() / 10.0, "unit": "kg", "system": UCUM, "code": "kg" } }),
            )
        }
        1 => {
            let systolic = if j.is_multiple_of(50) {
                166
            } else {
                112 + j % 38
            };
            (
                "85354-9",
                json!({ "component": [
                    { "code": { "coding": [{ "system": LOINC, "code": "8480-6" }] },
                      "valueQuantity": { "value": systolic, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" } },
                    { "code": { "coding": [{ "system": LOINC, "code": "8462-4" }] },
                      "valueQuantity": { "value": 64 + j % 24, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" } }
                ] }),
            )
        }
        _ => (
            "8867-4",
            json!({ "valueQuantity": { "value": 58 + j % 34, "unit": "/min", "system": UCUM, "code": "/min" } }),
        ),
    };
    let mut o = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [{ "system": LOINC, "code": code }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": at.to_rfc3339(),
        "identifier": [{ "system": "urn:telesund:bench", "value": uuid::Uuid::now_v7().to_string() }],
        "device": { "identifier": { "system": "urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680",
                                    "value": format!("00-09-1F-FE-FF-{:02X}-{:02X}-{:02X}", r & 0xFF, (r >> 16) & 0xFF, (r >> 24) & 0xFF) } }
    });
    for (k, v) in body.as_object().expect("an object") {
        o[k] = v.clone();
    }
    o
}

/// A few minutes ago, so no measurement is ever in the future.
fn recently(r: u64) -> Timestamp {
    Timestamp(Timestamp::now().0 - 60_000_000 - (r % 3_600) as i64 * 1_000_000)
}

struct Setup {
    base: String,
    client: reqwest::Client,
    /// Every citizen of the data set with the token (index) of a clinician of their
    /// organisation and their latest weight.
    citizens: Vec<(CitizenId, usize, f64)>,
    /// Citizens (indexes into `citizens`) per organisation (by token index).
    by_org: Vec<Vec<usize>>,
    /// The organisations with citizens.
    bundle_orgs: Vec<usize>,
    tokens: Vec<String>,
}

async fn expect(resp: reqwest::Result<reqwest::Response>, status: u16) -> Result<Value, String> {
    let resp = resp.map_err(|e| e.to_string())?;
    let got = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if got != status {
        return Err(format!(
            "{got}: {}",
            String::from_utf8_lossy(&body[..body.len().min(400)])
        ));
    }
    serde_json::from_slice(&body).map_err(|e| e.to_string())
}

/// Sends without parsing the answer (the reads' client cost stays small).
async fn expect_status(
    resp: reqwest::Result<reqwest::Response>,
    status: u16,
) -> Result<usize, String> {
    let resp = resp.map_err(|e| e.to_string())?;
    let got = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if got != status {
        return Err(format!(
            "{got}: {}",
            String::from_utf8_lossy(&body[..body.len().min(400)])
        ));
    }
    Ok(0)
}

/// POSTs a FHIR resource with the token of the organisation at index `org`.
async fn post_fhir(
    s: &Setup,
    path: &str,
    org: usize,
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    s.client
        .post(format!("{}{path}", s.base))
        .bearer_auth(&s.tokens[org])
        .header("content-type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await
}

async fn post_one(s: Arc<Setup>, w: usize, n: u64) -> Result<usize, String> {
    let r = rand(w, n, 1);
    let (citizen, org, weight) = s.citizens[(r % s.citizens.len() as u64) as usize];
    let body = observation(citizen, weight, r >> 32, r, recently(r >> 20));
    let resp = post_fhir(&s, "/fhir/Observation", org, &body).await;
    expect_status(resp, 201).await.map(|_| 1)
}

async fn post_bundle(s: Arc<Setup>, w: usize, n: u64) -> Result<usize, String> {
    let r = rand(w, n, 2);
    let org = s.bundle_orgs[(r % s.bundle_orgs.len() as u64) as usize];
    let pool = &s.by_org[org];
    let per_citizen = 3;
    let first = (r >> 16) as usize;
    let entries: Vec<Value> = (0..BUNDLE_SIZE)
        .map(|j| {
            let (citizen, _, weight) = s.citizens[pool[(first + j / per_citizen) % pool.len()]];
            let rj = rand(w, n, 1000 + j as u64);
            json!({
                "resource": observation(citizen, weight, j as u64, rj, recently(rj >> 20)),
                "request": { "method": "POST", "url": "Observation" }
            })
        })
        .collect();
    let body = json!({ "resourceType": "Bundle", "type": "transaction", "entry": entries });
    let resp = post_fhir(&s, "/fhir", org, &body).await;
    let answer = expect(resp, 200).await?;
    let created = answer["entry"].as_array().map_or(0, |e| {
        e.iter()
            .filter(|e| e["response"]["status"] == "201 Created")
            .count()
    });
    if created != BUNDLE_SIZE {
        return Err(format!("{created} of {BUNDLE_SIZE} created"));
    }
    Ok(created)
}

async fn get_page(s: Arc<Setup>, w: usize, n: u64) -> Result<usize, String> {
    let r = rand(w, n, 3);
    let (citizen, org, _) = s.citizens[(r % s.citizens.len() as u64) as usize];
    let resp = s
        .client
        .get(format!(
            "{}/fhir/Observation?patient={citizen}&_sort=-date&_count=50",
            s.base
        ))
        .bearer_auth(&s.tokens[org])
        .send()
        .await;
    expect_status(resp, 200).await
}

struct Row {
    phase: String,
    concurrency: usize,
    f: Figures,
    goal: String,
}

async fn run(a: &Args, url: &str, rss_peak: &Arc<AtomicU64>) -> anyhow::Result<Vec<Row>> {
    let db = Db::connect(&DbConfig {
        url: url.to_string(),
        max_connections: 16,
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let config = telesund_http::HttpConfig {
        public_url: base.clone(),
        secure_cookies: false,
        ..Default::default()
    };
    let app = telesund::app::build(db.clone(), config)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });

    let orgs = load_orgs(&db, false).await?;
    let (programme, _) = heart_failure(&db).await?;
    let mut tokens = Vec::new();
    for o in &orgs {
        tokens.push(db.create_api_token(o.clinician, "benchmark").await?.1);
    }
    let index: HashMap<OrgId, usize> = orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let mut citizens = Vec::new();
    let mut by_org = vec![Vec::new(); orgs.len()];
    for (c, o) in db.bench_enrolled(programme).await? {
        if let Some(&i) = index.get(&o) {
            by_org[i].push(citizens.len());
            citizens.push((c, i, 0.0));
        }
    }
    let ids: Vec<CitizenId> = citizens.iter().map(|c| c.0).collect();
    for (c, w) in citizens.iter_mut().zip(db.bench_last_weights(&ids).await?) {
        c.2 = w;
    }
    let bundle_orgs = (0..by_org.len())
        .filter(|&i| !by_org[i].is_empty())
        .collect();
    let setup = Arc::new(Setup {
        base,
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(POST_CONCURRENCY)
            .build()?,
        citizens,
        by_org,
        bundle_orgs,
        tokens,
    });

    // The paths must answer as expected before anything is measured.
    post_one(setup.clone(), 0, u64::MAX)
        .await
        .map_err(|e| anyhow::anyhow!("POST /fhir/Observation: {e}"))?;
    post_bundle(setup.clone(), 0, u64::MAX)
        .await
        .map_err(|e| anyhow::anyhow!("POST /fhir Bundle: {e}"))?;
    let (probe, org, _) = setup.citizens[setup.citizens.len() / 2];
    let page = expect(
        setup
            .client
            .get(format!(
                "{}/fhir/Observation?patient={probe}&_sort=-date&_count=50",
                setup.base
            ))
            .bearer_auth(&setup.tokens[org])
            .send()
            .await,
        200,
    )
    .await
    .map_err(|e| anyhow::anyhow!("GET /fhir/Observation: {e}"))?;
    let shown = page["entry"].as_array().map_or(0, Vec::len);
    let nurse: UserId = orgs[0].clinician;
    let principal = db.staff_profile(nurse).await?.principal();
    let ctx_for = move |n: u64| {
        AccessCtx::new(
            principal.clone(),
            RequestInfo {
                request_id: format!("bench-worklist-{n}"),
                client_addr: "127.0.0.1".into(),
                purpose: "treatment".into(),
            },
        )
    };
    let first_page = db
        .worklist(
            &ctx_for(0),
            &WorklistFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await?;
    println!(
        "  probe: a search page shows {shown} observations; the team's worklist page shows {} citizens \
         (worst: {:?}, \"{}\")",
        first_page.len(),
        first_page.first().map(|e| e.colour),
        first_page.first().map_or("", |e| e.headline.as_str())
    );
    anyhow::ensure!(shown == 50, "a search page should show 50 observations");

    let secs = a.seconds;
    let mut rows = Vec::new();
    let mut add = |phase: &str, concurrency: usize, f: Figures, goal: String| {
        if let Some(e) = &f.first_error {
            println!("  {phase}: first error: {e}");
        }
        rows.push(Row {
            phase: phase.to_string(),
            concurrency,
            f,
            goal,
        });
    };

    let runs = |p: &str| a.phases.is_empty() || a.phases.iter().any(|q| q == p);
    if runs("post") {
        let s = setup.clone();
        let f = phase(&db, rss_peak, POST_CONCURRENCY, secs, true, move |w, n| {
            post_one(s.clone(), w, n)
        })
        .await;
        let goal = verdict(f.observations_per_s >= 2_000.0, "≥ 2,000 obs/s");
        add("POST Observation", POST_CONCURRENCY, f, goal);
    }

    if runs("bundle") {
        let s = setup.clone();
        let f = phase(
            &db,
            rss_peak,
            BUNDLE_CONCURRENCY,
            secs,
            true,
            move |w, n| post_bundle(s.clone(), w, n),
        )
        .await;
        let goal = verdict(f.observations_per_s >= 20_000.0, "≥ 20,000 obs/s");
        add("POST Bundle×100", BUNDLE_CONCURRENCY, f, goal);
    }

    for c in [1, 16].into_iter().filter(|_| runs("search")) {
        let s = setup.clone();
        let f = phase(&db, rss_peak, c, secs, false, move |w, n| {
            get_page(s.clone(), w, n)
        })
        .await;
        let goal = verdict(f.p99_ms <= 10.0, "p99 ≤ 10 ms");
        add("GET Observation?patient", c, f, goal);
    }

    for c in [1, 4].into_iter().filter(|_| runs("worklist")) {
        let dbw = db.clone();
        let ctx_for = ctx_for.clone();
        let f = phase(&db, rss_peak, c, secs, false, move |w, n| {
            let db = dbw.clone();
            let ctx = ctx_for((w as u64) << 40 | n);
            async move {
                let page = db
                    .worklist(
                        &ctx,
                        &WorklistFilter {
                            limit: 50,
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if page.is_empty() {
                    return Err("an empty worklist".into());
                }
                Ok(0)
            }
        })
        .await;
        let goal = verdict(f.p99_ms <= 50.0, "p99 ≤ 50 ms");
        add("worklist (2,000 citizens)", c, f, goal);
    }

    server.abort();
    db.close().await;
    Ok(rows)
}

fn verdict(met: bool, goal: &str) -> String {
    format!("{goal}: {}", if met { "met" } else { "MISSED" })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let a = parse_args();
    if let Some((url, marker)) = &a.load_only {
        return load_child(&a, url, marker).await;
    }
    use_local_postgres_if_unset();
    let mut a = a;
    if a.backends.is_empty() {
        a.backends = telesund_testkit::backends();
    }
    let dir = bench_dir();

    // The resident set, sampled through every phase.
    let rss_peak = spawn_rss_sampler();

    let mut results = Vec::new();
    for &backend in &a.backends {
        let (url, reused, marker) = prepare(&a, backend).await?;
        let fsync = fsync_rate(&dir, 2.0);
        let rss_before = rss_bytes();
        let rows = run(&a, &url, &rss_peak).await?;
        let fsync_after = fsync_rate(&dir, 2.0);
        results.push((
            backend,
            reused,
            marker,
            fsync,
            fsync_after,
            rss_before,
            rows,
        ));
    }

    println!();
    println!(
        "bench-monitoring: {} citizens × {} days, {} s per phase after {} s warm-up, {} CPUs",
        a.citizens,
        a.days,
        a.seconds,
        WARM_UP.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut overall_peak = 0;
    for (backend, reused, m, fsync, fsync_after, rss_before, rows) in &results {
        println!();
        println!(
            "== {} — data set {} ({} observations, {} assessments, {} audit records, {} open tasks for {} citizens, \
             {} of them on the team of {}); load {:.0} s at {:.0} rows/s",
            backend_name(*backend),
            if *reused { "reused" } else { "loaded now" },
            m["observations"],
            m["assessments"],
            m["audit_records"],
            m["open_tasks"],
            m["citizens_with_open_tasks"],
            m["team_citizens_with_open_tasks"],
            TEAM_CITIZENS.min(a.citizens),
            m["seconds"].as_f64().unwrap_or(0.0),
            m["rows_per_second"].as_f64().unwrap_or(0.0),
        );
        println!(
            "   disk fsync rate (4 KiB appends, {}): {fsync:.0}/s before, {fsync_after:.0}/s after; RSS at start {:.0} MB",
            dir.display(),
            mb(*rss_before)
        );
        println!(
            "   {:<26} {:>4} {:>8} {:>6} {:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8}  goal",
            "phase",
            "conc",
            "requests",
            "errors",
            "req/s",
            "obs/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "per commit",
            "commits/s",
            "peak RSS"
        );
        for r in rows {
            overall_peak = overall_peak.max(r.f.peak_rss);
            println!(
                "   {:<26} {:>4} {:>8} {:>6} {:>8.0} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>9.0} {:>7.0}M  {}",
                r.phase,
                r.concurrency,
                r.f.requests,
                r.f.errors,
                r.f.rps,
                r.f.observations_per_s,
                r.f.p50_ms,
                r.f.p99_ms,
                r.f.max_ms,
                r.f.per_commit,
                r.f.commits_per_s,
                mb(r.f.peak_rss),
                r.goal
            );
        }
    }
    println!();
    println!(
        "peak resident memory of this process (server and client) through every phase: {:.0} MB — {}",
        mb(overall_peak),
        verdict(mb(overall_peak) <= 300.0, "≤ 300 MB")
    );
    println!(
        "(per commit: measurements per commit of the results writer for the POST phases, audit records \
         per commit of the audit writer for the reads)"
    );
    Ok(())
}
