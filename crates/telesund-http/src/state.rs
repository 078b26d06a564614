use crate::auth::ratelimit::RateLimiter;
use crate::metrics::Metrics;
use std::sync::Arc;
use telesund_db::Db;

/// Settings the HTTP layer needs; the binary fills them from the configuration file.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The address users reach the service at, e.g. `http://127.0.0.1:8080` (used in links,
    /// FHIR `fullUrl`s and OpenID Connect redirects).
    pub public_url: String,
    /// Mark cookies `Secure`. On by default; only a plain-http development setup turns it off.
    pub secure_cookies: bool,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Login attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    pub oidc: Option<OidcConfig>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: true,
            max_body_bytes: 1024 * 1024,
            trust_forwarded_for: false,
            login_attempts_per_minute: 10,
            oidc: None,
        }
    }
}

/// An OpenID Connect provider (a regional or national identity broker).
#[derive(Clone, Debug)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The ID-token claim that carries a citizen's CPR number.
    pub cpr_claim: String,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<HttpConfig>,
    pub metrics: Arc<Metrics>,
    pub login_limiter: Arc<RateLimiter>,
    pub http_client: reqwest::Client,
}

impl AppState {
    pub fn new(db: Db, config: HttpConfig) -> Self {
        let per_minute = config.login_attempts_per_minute;
        // One TLS provider for the process; a second install attempt is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            db,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            login_limiter: Arc::new(RateLimiter::per_minute(per_minute)),
            http_client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("an HTTP client with default settings builds"),
        }
    }
}
