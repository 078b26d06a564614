//! What the JSON handlers share: dates as `YYYY-MM-DD`, answers as JSON with their status,
//! and query parameters checked as strictly as bodies.

use crate::error::ApiError;
use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use telesund_core::ErrorCode;
use time::Date;

// ---------------------------------------------------------------------------------------
// Shared pieces: dates, query parameters, answers.

pub(crate) const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub(crate) fn parse_date(s: &str, field: &str) -> Result<Date, ApiError> {
    Date::parse(s.trim(), DATE_FORMAT).map_err(|_| {
        ApiError::invalid(format!("{field} must be a date as YYYY-MM-DD, not '{s}'"))
            .at(field.to_string())
    })
}

/// Dates in request bodies: `YYYY-MM-DD`.
pub(crate) mod ymd {
    use super::*;

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(s.trim(), DATE_FORMAT)
            .map_err(|_| serde::de::Error::custom(format!("'{s}' is not a date as YYYY-MM-DD")))
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => Date::parse(s.trim(), DATE_FORMAT).map(Some).map_err(|_| {
                serde::de::Error::custom(format!("'{s}' is not a date as YYYY-MM-DD"))
            }),
        }
    }
}

/// A value as JSON.
pub(crate) fn out<T: Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| {
        let mut err = ApiError::new(ErrorCode::Internal, "could not write the answer");
        err.cause = Some(e.to_string());
        err
    })
}

pub(crate) fn ok<T: Serialize>(v: &T) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::OK, Json(out(v)?)))
}

pub(crate) fn created<T: Serialize>(v: &T) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(out(v)?)))
}

/// Query parameters, checked as strictly as a body: an unknown name is refused, and each
/// parameter is given once.
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<QueryParams, ApiError> {
        let pairs = match raw {
            None | Some("") => Vec::new(),
            Some(q) => crate::middleware::urlencoded_pairs(q.as_bytes()),
        };
        for (k, _) in &pairs {
            if !allowed.contains(&k.as_str()) {
                let known = if allowed.is_empty() {
                    "this takes no query parameters".to_string()
                } else {
                    format!("known: {}", allowed.join(", "))
                };
                return Err(ApiError::new(
                    ErrorCode::UnknownField,
                    format!("unknown query parameter '{k}'; {known}"),
                )
                .at(k.clone()));
            }
        }
        Ok(QueryParams(pairs))
    }

    pub(crate) fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::invalid(format!("give '{name}' once")).at(name.to_string()));
        }
        Ok(first.map(|v| v.trim()).filter(|v| !v.is_empty()))
    }

    pub(crate) fn required(&self, name: &str, example: &str) -> Result<&str, ApiError> {
        self.one(name)?.ok_or_else(|| {
            ApiError::invalid(format!("give {name}, e.g. {name}={example}")).at(name.to_string())
        })
    }

    /// Every value of a list parameter, given repeated or comma-separated.
    pub(crate) fn list(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Parses values of a string enum, naming the accepted ones when one is wrong.
pub(crate) fn enum_values<T: Copy>(
    values: &[&str],
    field: &str,
    all: &[T],
    as_str: fn(T) -> &'static str,
) -> Result<Vec<T>, ApiError> {
    values
        .iter()
        .map(|v| {
            all.iter()
                .copied()
                .find(|t| as_str(*t) == *v)
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "{field} '{v}' is not one of {}",
                        all.iter()
                            .map(|t| as_str(*t))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .at(field.to_string())
                })
        })
        .collect()
}

pub(crate) fn id_param<T: std::str::FromStr>(value: &str, field: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::invalid(format!("{field} must be an id")).at(field.to_string()))
}
