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
/// deterministic random stream, and the local PostgreSQL default.
pub mod bench {
    use crate::Backend;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

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
}
