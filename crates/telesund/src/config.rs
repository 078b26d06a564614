//! Configuration: built-in defaults (zero set-up: SQLite under ./data, 127.0.0.1:8080), then
//! a TOML file (`--config`, or `telesund.toml` when present), then `TELESUND__*` environment
//! variables (`TELESUND__DATABASE__URL`, `TELESUND__HTTP__LISTEN`, ...).

use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub http: HttpSection,
    pub database: DatabaseSection,
    pub log: LogSection,
    pub oidc: Option<OidcSection>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSection {
    pub listen: String,
    /// The URL users reach the service at; defaults to `http://<listen>`.
    pub public_url: Option<String>,
    /// Mark cookies Secure. Defaults to true when `public_url` is https.
    pub secure_cookies: Option<bool>,
    pub max_body_bytes: usize,
    pub trust_forwarded_for: bool,
    pub login_attempts_per_minute: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSection {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// "json" (default) or "pretty".
    pub format: String,
    /// A tracing filter, e.g. "info" or "telesund=debug,sqlx=warn".
    pub filter: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default = "default_cpr_claim")]
    pub cpr_claim: String,
}

fn default_cpr_claim() -> String {
    "dk:gov:cpr".into()
}

impl Default for HttpSection {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            secure_cookies: None,
            max_body_bytes: 1024 * 1024,
            trust_forwarded_for: false,
            login_attempts_per_minute: 10,
        }
    }
}

impl Default for DatabaseSection {
    fn default() -> Self {
        Self {
            url: "sqlite://data/telesund.db".into(),
            max_connections: 16,
        }
    }
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            format: "json".into(),
            filter: "info,sqlx=warn".into(),
        }
    }
}

impl Config {
    /// Loads defaults, the file (if any) and the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut table = toml::Table::new();
        let path = file.map(Path::to_path_buf).or_else(|| {
            Path::new("telesund.toml")
                .exists()
                .then(|| "telesund.toml".into())
        });
        if let Some(p) = path {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", p.display()))?;
            table = text
                .parse::<toml::Table>()
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        }
        apply_env(&mut table, std::env::vars());
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
        Ok(config)
    }

    pub fn public_url(&self) -> String {
        self.http
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.http.listen))
    }

    pub fn http_config(&self) -> telesund_http::HttpConfig {
        let public_url = self.public_url();
        telesund_http::HttpConfig {
            secure_cookies: self
                .http
                .secure_cookies
                .unwrap_or(public_url.starts_with("https://")),
            public_url,
            max_body_bytes: self.http.max_body_bytes,
            trust_forwarded_for: self.http.trust_forwarded_for,
            login_attempts_per_minute: self.http.login_attempts_per_minute,
            oidc: self.oidc.as_ref().map(|o| telesund_http::OidcConfig {
                issuer: o.issuer.clone(),
                client_id: o.client_id.clone(),
                client_secret: o.client_secret.clone(),
                cpr_claim: o.cpr_claim.clone(),
            }),
        }
    }

    pub fn db_config(&self) -> telesund_db::DbConfig {
        telesund_db::DbConfig {
            url: self.database.url.clone(),
            max_connections: self.database.max_connections,
        }
    }
}

/// `TELESUND__A__B=v` sets `a.b = v` (v read as a TOML value when it parses as one: numbers,
/// booleans; otherwise as a string).
fn apply_env(table: &mut toml::Table, vars: impl Iterator<Item = (String, String)>) {
    for (key, value) in vars {
        let Some(rest) = key.strip_prefix("TELESUND__") else {
            continue;
        };
        let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"));
        let v = match parsed {
            Some(
                v @ (toml::Value::Integer(_) | toml::Value::Boolean(_) | toml::Value::Float(_)),
            ) => v,
            _ => toml::Value::String(value),
        };
        let mut cur = &mut *table;
        for (i, part) in path.iter().enumerate() {
            if i + 1 == path.len() {
                cur.insert(part.clone(), v.clone());
            } else {
                let entry = cur
                    .entry(part.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if !entry.is_table() {
                    *entry = toml::Value::Table(toml::Table::new());
                }
                cur = entry.as_table_mut().expect("just made a table");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_defaults() {
        let mut t: toml::Table =
            "[http]\nlisten = \"0.0.0.0:9000\"\n[database]\nmax_connections = 4"
                .parse()
                .unwrap();
        apply_env(
            &mut t,
            vec![
                (
                    "TELESUND__DATABASE__URL".to_string(),
                    "postgres://x@y/z".to_string(),
                ),
                (
                    "TELESUND__HTTP__TRUST_FORWARDED_FOR".to_string(),
                    "true".to_string(),
                ),
                ("OTHER".to_string(), "1".to_string()),
            ]
            .into_iter(),
        );
        let c: Config = toml::Value::Table(t).try_into().unwrap();
        assert_eq!(c.http.listen, "0.0.0.0:9000");
        assert_eq!(c.database.url, "postgres://x@y/z");
        assert_eq!(c.database.max_connections, 4);
        assert!(c.http.trust_forwarded_for);
        assert_eq!(c.log.format, "json");
        assert!(!c.http_config().secure_cookies);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let t: toml::Table = "[http]\nlisen = \"x\"".parse().unwrap();
        assert!(toml::Value::Table(t).try_into::<Config>().is_err());
    }
}
