//! Errors as clients see them: a stable snake_case code, a message, and the request id.
//! Handlers return [`ApiError`]; the request-context middleware renders it as JSON for
//! `/api`, as an OperationOutcome for `/fhir`, and logs the cause (never sent to the client).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use telesund_core::{DomainError, ErrorCode};
use telesund_db::DbError;

#[derive(Clone, Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Where in the input the problem is (FHIR `expression`, or "line 3, column 7").
    pub location: Option<String>,
    /// The internal cause, for the log only.
    pub cause: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            location: None,
            cause: None,
        }
    }
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "sign in or send a bearer token")
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        let code = e.code();
        let cause = match &e {
            DbError::Domain(_) => None,
            other => Some(other.to_string()),
        };
        Self {
            code,
            message: e.public_message(),
            location: None,
            cause,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl IntoResponse for ApiError {
    /// The body is written by the middleware, which knows the request id and the flavour.
    fn into_response(self) -> Response {
        let mut resp = self.status().into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}
