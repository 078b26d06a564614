//! Errors with stable, snake_case codes. The code is the contract with clients and the UI
//! (which translates it); the human message is for developers and logs.

use serde::Serialize;
use std::fmt;

/// Every error a client can see. The string form never changes once released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCpr,
    InvalidInput,
    MalformedJson,
    UnknownField,
    PayloadTooLarge,
    NotFound,
    DuplicateCpr,
    Conflict,
    Unauthenticated,
    Forbidden,
    InvalidCredentials,
    AccountLocked,
    RateLimited,
    CsrfFailed,
    SecondFactorRequired,
    InvalidSecondFactor,
    UnsupportedMediaType,
    MethodNotAllowed,
    Internal,
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCpr => "invalid_cpr",
            Self::InvalidInput => "invalid_input",
            Self::MalformedJson => "malformed_json",
            Self::UnknownField => "unknown_field",
            Self::PayloadTooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::DuplicateCpr => "duplicate_cpr",
            Self::Conflict => "conflict",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked => "account_locked",
            Self::RateLimited => "rate_limited",
            Self::CsrfFailed => "csrf_failed",
            Self::SecondFactorRequired => "second_factor_required",
            Self::InvalidSecondFactor => "invalid_second_factor",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The HTTP status that belongs to the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidCpr | Self::InvalidInput => 422,
            Self::MalformedJson | Self::UnknownField => 400,
            Self::PayloadTooLarge => 413,
            Self::NotFound => 404,
            Self::DuplicateCpr | Self::Conflict => 409,
            Self::Unauthenticated
            | Self::InvalidCredentials
            | Self::SecondFactorRequired
            | Self::InvalidSecondFactor => 401,
            Self::Forbidden | Self::CsrfFailed => 403,
            Self::AccountLocked => 423,
            Self::RateLimited => 429,
            Self::UnsupportedMediaType => 415,
            Self::MethodNotAllowed => 405,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure with a code and a message safe to show to the caller.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DomainError {
    pub code: ErrorCode,
    pub message: String,
}

impl DomainError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
}

impl From<crate::cpr::CprError> for DomainError {
    fn from(e: crate::cpr::CprError) -> Self {
        Self::new(ErrorCode::InvalidCpr, e.to_string())
    }
}
