//! Benchmark: authorised, audited citizen reads (`GET /fhir/Patient/{id}` with a bearer
//! token) against the real server at concurrency 32, on SQLite and (when reachable)
//! PostgreSQL, with the disk's fsync rate measured in the same run.
//!
//!   cargo run --release -p telesund-testkit --bin bench-audited-reads [-- SECONDS]
//!
//! PostgreSQL: TELESUND_TEST_PG, else postgres://postgres@127.0.0.1:5432/postgres if it answers.

use std::time::{Duration, Instant};
use telesund_testkit::{Backend, fsync_rate, spawn_app};

const CONCURRENCY: usize = 32;

struct Figures {
    requests: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    records_per_commit: f64,
}

async fn run(backend: Backend, seconds: u64) -> Figures {
    let app = spawn_app(backend).await;
    let nurse = app
        .db
        .staff_id_by_email("nurse.horsens@telesund.example")
        .await
        .unwrap()
        .unwrap();
    let (_, token) = app.db.create_api_token(nurse, "benchmark").await.unwrap();
    let session = app.login("nurse.horsens@telesund.example").await;
    let bent = app.find_citizen(&session, "Bent").await;
    let url = app.url(&format!("/fhir/Patient/{bent}"));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let probe = client.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        probe.status(),
        200,
        "the benchmark path must answer 200: {}",
        probe.text().await.unwrap_or_default()
    );

    // Warm up, then measure.
    let warm_until = Instant::now() + Duration::from_secs(2);
    let measure_until = warm_until + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            loop {
                let t0 = Instant::now();
                if t0 >= measure_until {
                    break;
                }
                let ok = match client.get(&url).bearer_auth(&token).send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if t0 >= warm_until {
                    lat.push(t0.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
            }
            (lat, errors)
        }));
    }
    tokio::time::sleep_until(warm_until.into()).await;
    let (r0, c0) = app.db.audit_stats();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let (r1, c1) = app.db.audit_stats();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    Figures {
        requests: all.len(),
        errors,
        rps: all.len() as f64 / seconds as f64,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: all.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        records_per_commit: (r1 - r0) as f64 / (c1 - c0).max(1) as f64,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    if std::env::var("TELESUND_TEST_PG").is_err() {
        let default = "postgres://postgres@127.0.0.1:5432/postgres";
        if std::net::TcpStream::connect("127.0.0.1:5432").is_ok() {
            // SAFETY: set before any other thread reads the environment.
            unsafe { std::env::set_var("TELESUND_TEST_PG", default) };
        }
    }
    let fsync_before = fsync_rate(&std::env::temp_dir(), 2.0);
    println!(
        "disk fsync rate (4 KiB appends, {}): {:.0} fsyncs/s",
        std::env::temp_dir().display(),
        fsync_before
    );
    println!(
        "GET /fhir/Patient/{{id}}, bearer token, authorised and audited, concurrency {CONCURRENCY}, {seconds} s after 2 s warm-up"
    );
    println!(
        "{:<10} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>17}",
        "backend",
        "requests",
        "errors",
        "reads/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "audit rec/commit"
    );
    for backend in telesund_testkit::backends() {
        let f = run(backend, seconds).await;
        println!(
            "{:<10} {:>9} {:>7} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>17.1}",
            format!("{backend:?}").to_lowercase(),
            f.requests,
            f.errors,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.max_ms,
            f.records_per_commit
        );
    }
    let fsync_after = fsync_rate(&std::env::temp_dir(), 2.0);
    println!("disk fsync rate after the run: {fsync_after:.0} fsyncs/s");
}
