//! What every FHIR handler shares: the response type, the server base, search parameters and
//! references.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::str::FromStr;
use telesund_core::ErrorCode;

/// A FHIR JSON response (`application/fhir+json`).
pub struct Fhir<T>(pub T);

impl<T: Serialize> IntoResponse for Fhir<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => {
                let mut r = (StatusCode::OK, body).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/fhir+json; charset=utf-8"),
                );
                r
            }
            Err(e) => {
                let mut err = ApiError::new(ErrorCode::Internal, "could not write the resource");
                err.cause = Some(e.to_string());
                err.into_response()
            }
        }
    }
}

/// The FHIR base URL, e.g. `https://telesund.example/fhir`.
pub fn base(state: &AppState) -> String {
    format!("{}/fhir", state.config.public_url.trim_end_matches('/'))
}

/// A page of search results for `resource` searched with `params`; `next` names the paging
/// parameter and its value for the following page, if there is one.
pub fn searchset<T: Serialize>(
    state: &AppState,
    resource: &str,
    params: &Params,
    next: Option<(&str, String)>,
    entries: Vec<(String, T)>,
) -> Fhir<telesund_fhir::Bundle<T>> {
    let base = base(state);
    let self_url = format!("{base}/{resource}?{}", params.encoded());
    let next = next.map(|(name, value)| format!("{base}/{resource}?{}", params.with(name, &value)));
    Fhir(telesund_fhir::Bundle::searchset(
        &base, self_url, next, entries,
    ))
}

/// A logical id from the path. An id that cannot be one of ours is simply not found.
pub fn logical_id<T: FromStr>(s: &str, resource: &str) -> Result<T, ApiError> {
    s.parse()
        .map_err(|_| ApiError::not_found(&format!("{resource}/{s}")))
}

/// Search parameters as sent (FHIR repeats names, e.g. `date=ge…&date=le…`). Unknown
/// parameters are refused rather than ignored: a dropped filter would return too much about
/// citizens.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = match query {
            None | Some("") => Vec::new(),
            Some(q) => crate::middleware::urlencoded_pairs(q.as_bytes()),
        };
        for (k, v) in &pairs {
            let name = k.split(':').next().unwrap_or(k);
            if name == "_format" {
                if !matches!(
                    v.as_str(),
                    "json" | "application/json" | "application/fhir+json"
                ) {
                    return Err(ApiError::new(
                        ErrorCode::UnsupportedMediaType,
                        "Telesund serves FHIR as JSON only",
                    ));
                }
                continue;
            }
            if k.contains(':') {
                return Err(ApiError::new(
                    ErrorCode::UnknownField,
                    format!("search modifiers are not supported ({k})"),
                )
                .at(k.clone()));
            }
            if name != "_count" && !allowed.contains(&name) {
                return Err(ApiError::new(
                    ErrorCode::UnknownField,
                    format!(
                        "unsupported search parameter '{k}'; supported: {}",
                        allowed.join(", ")
                    ),
                )
                .at(k.clone()));
            }
        }
        Ok(Params(pairs))
    }

    pub fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, ApiError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::invalid(format!("give '{name}' once")).at(name.to_string()));
        }
        Ok(first.map(str::trim).filter(|v| !v.is_empty()))
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `_count`, bounded to what one page may hold.
    pub fn count(&self, default: u32, max: u32) -> Result<u32, ApiError> {
        match self.one("_count")? {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .map(|n| n.clamp(1, max))
                .map_err(|_| ApiError::invalid("_count must be a number").at("_count")),
        }
    }

    /// The query string again, for the Bundle's self link.
    pub fn encoded(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The query string with one parameter replaced, for a next link.
    pub fn with(&self, name: &str, value: &str) -> String {
        let mut out: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k != name)
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        out.push(format!("{}={}", encode(name), encode(value)));
        out.join("&")
    }
}

/// The id a reference parameter points at: `Patient/<id>`, a full URL ending so, or a bare id.
pub fn reference<T: FromStr>(value: &str, resource: &str, param: &str) -> Result<T, ApiError> {
    let id = value
        .rsplit_once(&format!("{resource}/"))
        .map(|(_, id)| id)
        .unwrap_or(value);
    id.parse().map_err(|_| {
        ApiError::invalid(format!(
            "'{param}' must refer to a {resource} (e.g. {resource}/<id>)"
        ))
        .at(param.to_string())
    })
}

/// A token parameter `system|code` (or `code`, or `|code`): (system, code).
pub fn token(value: &str) -> (Option<&str>, &str) {
    match value.split_once('|') {
        Some((system, code)) => ((!system.is_empty()).then_some(system), code),
        None => (None, value),
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'|' | b'/' | b':')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
