//! The test kit: the real application on port 0 over SQLite or PostgreSQL, HTTP helpers, a
//! WebDriver client for headless Chromium, and a small OpenID Connect provider.
//! Only tests and benchmarks depend on it.

pub mod browser;
pub mod idp;

use std::path::PathBuf;
use telesund_db::{Db, DbConfig};

pub use telesund_db::Backend;

/// The backends every storage test runs on: SQLite always, PostgreSQL when `TELESUND_TEST_PG`
/// holds an admin URL (CI sets it; `.ci/run` starts PostgreSQL).
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if pg_admin_url().is_some() {
        v.push(Backend::Postgres);
    }
    v
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("TELESUND_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A fresh, empty, migrated database, removed (SQLite) when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    dir: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

pub async fn test_db(backend: Backend) -> TestDb {
    let name = format!("telesund_t_{}", uuid::Uuid::now_v7().simple());
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).expect("temp dir");
            (format!("sqlite://{}/telesund.db", dir.display()), Some(dir))
        }
        Backend::Postgres => {
            let admin = pg_admin_url().expect("TELESUND_TEST_PG is set for PostgreSQL tests");
            (
                telesund_db::create_postgres_database(&admin, &name)
                    .await
                    .expect("create a test database"),
                None,
            )
        }
    };
    let db = Db::connect(&DbConfig {
        url: url.clone(),
        max_connections: 8,
    })
    .await
    .expect("connect and migrate");
    TestDb { db, url, dir }
}

/// The real application serving on 127.0.0.1 with an ephemeral port.
pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    pub db: Db,
    pub client: reqwest::Client,
    _store: TestDb,
    _server: tokio::task::JoinHandle<()>,
}

/// Options for [`spawn_app_with`].
#[derive(Default)]
pub struct AppOptions {
    pub demo: bool,
    pub oidc: Option<telesund_http::OidcConfig>,
    pub max_body_bytes: Option<usize>,
}

/// The application with the demo data loaded.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        AppOptions {
            demo: true,
            ..Default::default()
        },
    )
    .await
}

pub async fn spawn_app_with(backend: Backend, options: AppOptions) -> TestApp {
    let store = test_db(backend).await;
    if options.demo {
        telesund::demo::load(&store.db)
            .await
            .expect("demo data loads");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let address = format!("http://{addr}");
    let mut config = telesund_http::HttpConfig {
        public_url: address.clone(),
        secure_cookies: false,
        oidc: options.oidc,
        ..Default::default()
    };
    if let Some(m) = options.max_body_bytes {
        config.max_body_bytes = m;
    }
    let app = telesund::app::build(store.db.clone(), config)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    TestApp {
        address,
        backend,
        db: store.db.clone(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        _store: store,
        _server: server,
    }
}

/// A signed-in session: the cookie to send and the CSRF token for changes.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Signs a staff member in over the API.
    pub async fn login(&self, email: &str) -> Session {
        self.login_at("/api/v1/auth/login", email, telesund::demo::DEMO_PASSWORD)
            .await
            .expect("demo login works")
    }

    /// Signs a citizen in over the API (CPR number or e-mail).
    pub async fn citizen_login(&self, login: &str) -> Session {
        self.login_at(
            "/api/v1/auth/citizen-login",
            login,
            telesund::demo::DEMO_PASSWORD,
        )
        .await
        .expect("demo login works")
    }

    pub async fn login_at(
        &self,
        path: &str,
        login: &str,
        password: &str,
    ) -> Result<Session, (u16, serde_json::Value)> {
        let resp = self
            .client
            .post(self.url(path))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let cookie = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        match (status, cookie) {
            (200, Some(cookie)) => Ok(Session {
                cookie,
                csrf: body["csrf_token"].as_str().unwrap_or_default().to_string(),
            }),
            _ => Err((status, body)),
        }
    }

    pub async fn get(&self, session: &Session, path: &str) -> (u16, serde_json::Value) {
        let resp = self
            .client
            .get(self.url(path))
            .header("cookie", &session.cookie)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    pub async fn send_json(
        &self,
        session: &Session,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let resp = self
            .client
            .request(method, self.url(path))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    /// Posts JSON with the session's CSRF token.
    pub async fn post_json(
        &self,
        session: &Session,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.send_json(session, reqwest::Method::POST, path, &body)
            .await
    }

    /// A new API token (the secret) for a demo user: an integration acting as them.
    pub async fn token_for(&self, email: &str, name: &str) -> String {
        let user = self.db.staff_id_by_email(email).await.unwrap().unwrap();
        self.db.create_api_token(user, name).await.unwrap().1
    }

    /// A page as HTML: the status and the body (redirects are not followed).
    pub async fn page(&self, session: &Session, path: &str) -> (u16, String) {
        let resp = self
            .client
            .get(self.url(path))
            .header("cookie", &session.cookie)
            .send()
            .await
            .expect("request");
        (
            resp.status().as_u16(),
            resp.text().await.unwrap_or_default(),
        )
    }

    /// Submits a form with the session's CSRF token: the status, where it redirects to, and
    /// the body.
    pub async fn submit(
        &self,
        session: &Session,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut fields: Vec<(&str, &str)> = vec![("csrf_token", session.csrf.as_str())];
        fields.extend_from_slice(form);
        let resp = self
            .client
            .post(self.url(path))
            .header("cookie", &session.cookie)
            .form(&fields)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, location, resp.text().await.unwrap_or_default())
    }

    /// The id of a demo citizen found by name, as the given staff member.
    pub async fn find_citizen(&self, session: &Session, q: &str) -> String {
        let (status, body) = self.get(session, &format!("/api/v1/citizens?q={q}")).await;
        assert_eq!(status, 200, "{body}");
        body["results"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no citizen '{q}': {body}"))
            .to_string()
    }
}

/// The standard error body of the JSON API: the status, the code, a message and the request id.
pub fn assert_api_error(status: u16, body: &serde_json::Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );
}

/// fsyncs per second of 4 KiB appends in a directory: the disk's durable-write rate, which
/// the benchmarks print next to their own figures.
pub fn fsync_rate(dir: &std::path::Path, seconds: f64) -> f64 {
    use std::io::Write;
    let path = dir.join(format!("fsync-probe-{}", std::process::id()));
    let mut f = std::fs::File::create(&path).expect("create probe file");
    let block = [0u8; 4096];
    let start = std::time::Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        f.write_all(&block).expect("write");
        f.sync_data().expect("fsync");
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    rate
}

/// What the benchmark programs share: the resident-set sampler, the backend's name, a
/// deterministic random stream, the local PostgreSQL default; the timed and counted phases
/// with their figures and tables; a fresh database loaded by a child process; and the
/// equipment data set (`bench-equipment`'s, which `bench-servicedesk` builds on).
pub mod bench {
    use crate::Backend;
    use serde_json::{Map, Value, json};
    use std::future::Future;
    use std::io::Write;
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    use telesund_core::Timestamp;
    use telesund_core::audit::RequestInfo;
    use telesund_core::identity::Role;
    use telesund_core::ids::{CitizenId, OrgId, ProgrammeId, UserId};
    use telesund_db::equipment::bench_load::{EquipmentLoadSpec, ExtraProgramme};
    use telesund_db::monitoring::bench_load::{LoadOrg, LoadSpec, data_end};
    use telesund_db::staff::{NewMembership, NewStaffUser};
    use telesund_db::{AccessCtx, Db, DbConfig};

    /// The process's resident set (VmRSS) in bytes.
    pub fn rss_bytes() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    pub fn mb(bytes: u64) -> f64 {
        bytes as f64 / (1024.0 * 1024.0)
    }

    /// Samples the resident set every 5 ms for the life of the process; the peak so far.
    pub fn spawn_rss_sampler() -> Arc<AtomicU64> {
        let peak = Arc::new(AtomicU64::new(0));
        let sampled = peak.clone();
        tokio::spawn(async move {
            loop {
                sampled.fetch_max(rss_bytes(), Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        });
        peak
    }

    pub fn backend_name(b: Backend) -> &'static str {
        match b {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A small deterministic random stream per worker (splitmix64).
    pub fn rand(worker: usize, n: u64, salt: u64) -> u64 {
        let mut z = ((worker as u64) << 40) ^ n ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uses the PostgreSQL on 127.0.0.1:5432 when `TELESUND_TEST_PG` is unset and one answers.
    /// Call first thing in `main`, before other threads read the environment.
    pub fn use_local_postgres_if_unset() {
        if std::env::var("TELESUND_TEST_PG").is_err()
            && std::net::TcpStream::connect("127.0.0.1:5432").is_ok()
        {
            // SAFETY: called before any other thread reads the environment.
            unsafe {
                std::env::set_var(
                    "TELESUND_TEST_PG",
                    "postgres://postgres@127.0.0.1:5432/postgres",
                )
            };
        }
    }

    // -----------------------------------------------------------------------------------
    // Phases and their figures.

    /// Each timed phase's warm-up before it is measured.
    pub const WARM_UP: Duration = Duration::from_secs(1);
    /// The concurrencies each phase runs at.
    pub const CONCURRENCY: [usize; 2] = [1, 4];

    #[derive(Clone, Debug, Default)]
    pub struct Figures {
        pub requests: usize,
        pub errors: usize,
        pub first_error: Option<String>,
        pub rps: f64,
        pub p50_ms: f64,
        pub p99_ms: f64,
        pub max_ms: f64,
    }

    pub fn figures(
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

    /// What one call of a phase came to: Err with what was wrong.
    pub type Outcome = Result<(), String>;

    /// Runs `work(worker, n)` in `concurrency` loops: a warm-up, then `seconds` measured.
    pub async fn timed<W, F>(concurrency: usize, seconds: u64, work: W) -> Figures
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
    pub async fn counted<W, F>(concurrency: usize, count: usize, work: W) -> Figures
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
    pub async fn once<F, T>(rss_peak: &AtomicU64, f: F) -> anyhow::Result<(f64, u64, u64, T)>
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

    /// A timed or counted phase's line of the table.
    pub struct Row {
        pub phase: String,
        pub concurrency: usize,
        pub f: Figures,
    }

    /// A single run's line: wall time of each run, resident memory, what it said.
    pub struct Single {
        pub what: String,
        pub runs_ms: Vec<f64>,
        pub rss_before: u64,
        pub rss_peak: u64,
        pub result: String,
    }

    /// Adds a phase's line to the table, and says at once what its first error was.
    pub fn push_row(rows: &mut Vec<Row>, phase: &str, concurrency: usize, f: Figures) {
        if let Some(e) = &f.first_error {
            println!("  {phase}: first error: {e}");
        }
        rows.push(Row {
            phase: phase.to_string(),
            concurrency,
            f,
        });
    }

    /// `runs` single runs of `call`, one after the other: each one's wall time, the resident
    /// memory before the first and at the peak of any, and what the last said (`describe`).
    pub async fn single_runs<T, F, Fut>(
        rss_peak: &AtomicU64,
        what: impl Into<String>,
        runs: usize,
        mut call: F,
        describe: impl Fn(&T) -> String,
    ) -> anyhow::Result<Single>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, telesund_db::DbError>>,
    {
        let mut s = Single {
            what: what.into(),
            runs_ms: Vec::new(),
            rss_before: u64::MAX,
            rss_peak: 0,
            result: String::new(),
        };
        for _ in 0..runs {
            let (ms, before, peak, out) = once(rss_peak, call()).await?;
            s.runs_ms.push(ms);
            s.rss_before = s.rss_before.min(before);
            s.rss_peak = s.rss_peak.max(peak);
            s.result = describe(&out);
        }
        Ok(s)
    }

    /// The phases' table: calls, errors, calls/s and latencies.
    pub fn print_rows(rows: &[Row]) {
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
    }

    /// The single runs' table: wall time of each run, resident memory, result.
    pub fn print_singles(singles: &[Single]) {
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

    // -----------------------------------------------------------------------------------
    // A fresh database, loaded by a child process.

    /// What to remove after a run.
    pub enum Cleanup {
        Dir(PathBuf),
        Database(String, String),
    }

    impl Cleanup {
        pub async fn run(self) {
            match self {
                Cleanup::Dir(d) => {
                    let _ = std::fs::remove_dir_all(d);
                }
                Cleanup::Database(admin, name) => {
                    let _ =
                        telesund_db::monitoring::bench_load::drop_postgres_database(&admin, &name)
                            .await;
                }
            }
        }
    }

    /// A fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
    /// next to the admin database) named `<prefix>_<uuid>`, loaded by this program run again
    /// as a child with `args` and `--load-only <url> --report <file>`, so the load's memory
    /// does not count in the resident memory measured here: its URL, the JSON report the
    /// child wrote, and what to remove afterwards. `what` says what is loaded.
    pub async fn prepare(
        backend: Backend,
        prefix: &str,
        what: &str,
        args: &[String],
    ) -> anyhow::Result<(String, Value, Cleanup)> {
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
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
                let admin = crate::pg_admin_url()
                    .ok_or_else(|| anyhow::anyhow!("PostgreSQL is not reachable"))?;
                let url = telesund_db::create_postgres_database(&admin, &name).await?;
                (url, Cleanup::Database(admin, name.clone()))
            }
        };
        let report = std::env::temp_dir().join(format!("{name}.json"));
        println!(
            "{}: loading {what} into {url} (a child process)",
            backend_name(backend)
        );
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(args)
            .args([
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

    /// Prints a line of the load's progress at once.
    pub fn progress(line: String) {
        println!("{line}");
        let _ = std::io::stdout().flush();
    }

    // -----------------------------------------------------------------------------------
    // The people of the demo data and the equipment data set.

    /// The hospitals that enrol the heart-failure citizens (SOR codes of the demo data): the
    /// heart-failure clinic of Regionshospitalet Horsens first, with 40 % of them.
    pub const HOSPITALS: [&str; 5] = [
        "999000000101",
        "999000000111",
        "999000000120",
        "999000000130",
        "999000000140",
    ];
    /// Municipalities that enrol second programmes and follow-ups: Horsens, Aarhus,
    /// Skanderborg, Silkeborg, Randers.
    pub const MUNICIPALITIES: [&str; 5] = [
        "999000000015",
        "999000000029",
        "999000000024",
        "999000000023",
        "999000000020",
    ];
    pub const CLINICIANS: [(&str, &str); 3] = [
        ("999000000101", "cardio.rhh@telesund.example"),
        ("999000000015", "nurse.horsens@telesund.example"),
        ("999000000029", "nurse.aarhus@telesund.example"),
    ];
    pub const TECH: &str = "tech@telesund.example";
    pub const AGENT: &str = "agent@telesund.example";
    pub const HEART: &str = "Telemedicinsk hjertesvigt";
    pub const DIABETES: &str = "Type 2-diabetes";
    pub const COPD: &str = "KOL";

    /// A member of staff's access as the HTTP handlers build it (the request named after
    /// this program).
    pub async fn staff_ctx(db: &Db, email: &str) -> anyhow::Result<AccessCtx> {
        let id = db
            .staff_id_by_email(email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{email} is missing"))?;
        let principal = db.staff_profile(id).await?.principal();
        let program = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "benchmark".into());
        Ok(AccessCtx::new(
            principal,
            RequestInfo {
                request_id: program,
                client_addr: "127.0.0.1".into(),
                purpose: "treatment".into(),
            },
        ))
    }

    pub async fn org_id(db: &Db, sor: &str) -> anyhow::Result<OrgId> {
        Ok(db
            .organisation_by_sor(sor)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo organisation {sor} is missing"))?
            .id)
    }

    /// An organisation with its clinician: the demo's where there is one, else one made for
    /// the benchmark (when `create`).
    pub async fn clinician_of(db: &Db, sor: &str, create: bool) -> anyhow::Result<LoadOrg> {
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

    pub async fn programme(db: &Db, name: &str) -> anyhow::Result<ProgrammeId> {
        Ok(db
            .programmes()
            .await?
            .into_iter()
            .find(|p| p.name.starts_with(name))
            .ok_or_else(|| anyhow::anyhow!("the demo programme '{name}' is missing"))?
            .id)
    }

    pub async fn person(db: &Db, email: &str) -> anyhow::Result<(UserId, String)> {
        let id = db
            .staff_id_by_email(email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{email} is missing"))?;
        Ok((id, db.staff_profile(id).await?.user.name))
    }

    /// Connects to a database the benchmark loads or measures.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Db> {
        Ok(Db::connect(&DbConfig {
            url: url.to_string(),
            max_connections,
        })
        .await?)
    }

    /// `bench-equipment`'s data set, loaded into `db`: the demo data, then `citizens`
    /// citizens enrolled in the heart-failure programme by five hospitals
    /// (`telesund_db::monitoring::bench_load`, no measurements) and a fifth as many more whose
    /// plans end along the way, then two years of equipment
    /// (`telesund_db::equipment::bench_load`) with `follow_ups` municipal follow-up plans
    /// whose kit is in the home already. Returns what was loaded (JSON, for the report).
    pub async fn load_equipment_data_set(
        db: &Db,
        citizens: usize,
        follow_ups: usize,
    ) -> anyhow::Result<Map<String, Value>> {
        telesund::demo::load(db).await?;
        let mut hospitals = Vec::new();
        for sor in HOSPITALS {
            hospitals.push(clinician_of(db, sor, true).await?);
        }
        let mut municipalities = Vec::new();
        for sor in MUNICIPALITIES {
            municipalities.push(clinician_of(db, sor, true).await?);
        }
        let heart = programme(db, HEART).await?;
        let version = db
            .active_programme_version(heart)
            .await?
            .ok_or_else(|| anyhow::anyhow!("'{HEART}' has no active version"))?
            .id;
        // The citizens, enrolled two years ago.
        let former = citizens / 5;
        let now = Timestamp::now();
        let spec = LoadSpec {
            citizens: citizens + former,
            days: 0,
            end: data_end(Timestamp(now.0 - 760 * 86_400_000_000)),
            version,
            orgs: hospitals.clone(),
            first_org_citizens: citizens * 2 / 5,
            audit: false,
            seed: 0x0e91_5eed,
        };
        let t0 = Instant::now();
        let people = db.bench_load(&spec, &progress).await?;
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
        let diabetes = programme(db, DIABETES).await?;
        let copd = programme(db, COPD).await?;
        let m = |i: usize| municipalities[i].id;
        let mut orgs = hospitals.clone();
        orgs.extend(municipalities.iter().cloned());
        let (tech, agent) = (person(db, TECH).await?, person(db, AGENT).await?);
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
                follow_ups,
            )),
            orgs,
            warehouse,
            technician: tech,
            agent,
            now: Timestamp::now(),
            seed: 0xe9_1e55,
        };
        let r = db.bench_load_equipment(&spec, &progress).await?;
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
        Ok(json!({
            "citizens": citizens,
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
        })
        .as_object()
        .cloned()
        .unwrap_or_default())
    }
}
