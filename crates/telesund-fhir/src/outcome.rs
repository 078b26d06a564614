//! OperationOutcome: how every FHIR error is reported.

use serde::Serialize;
use telesund_core::ErrorCode;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    pub resource_type: &'static str,
    pub issue: Vec<Issue>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Issue {
    pub severity: &'static str,
    pub code: &'static str,
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Details {
    pub coding: Vec<crate::datatypes::Coding>,
    pub text: String,
}

/// The FHIR issue type (R4 `IssueType`) for each of Telesund's error codes.
pub fn issue_type(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidCpr
        | ErrorCode::InvalidInput
        | ErrorCode::MalformedJson
        | ErrorCode::UnknownField => "invalid",
        ErrorCode::PayloadTooLarge => "too-costly",
        ErrorCode::NotFound => "not-found",
        ErrorCode::DuplicateCpr => "duplicate",
        ErrorCode::Conflict => "conflict",
        ErrorCode::Unauthenticated
        | ErrorCode::InvalidCredentials
        | ErrorCode::SecondFactorRequired
        | ErrorCode::InvalidSecondFactor => "login",
        ErrorCode::Forbidden | ErrorCode::CsrfFailed => "forbidden",
        ErrorCode::AccountLocked => "security",
        ErrorCode::RateLimited => "throttled",
        ErrorCode::UnsupportedMediaType | ErrorCode::MethodNotAllowed => "not-supported",
        ErrorCode::Internal => "exception",
        ErrorCode::Unavailable => "transient",
    }
}

impl OperationOutcome {
    /// One error issue: Telesund's error code as a coding, the message as text, the request id
    /// in diagnostics so support can find the log line.
    pub fn error(
        code: ErrorCode,
        message: &str,
        expression: Option<&str>,
        request_id: &str,
    ) -> Self {
        OperationOutcome {
            resource_type: "OperationOutcome",
            issue: vec![Issue {
                severity: "error",
                code: issue_type(code),
                details: Details {
                    coding: vec![crate::datatypes::Coding::new(
                        "https://telesund.dk/fhir/CodeSystem/error",
                        code.as_str(),
                        "",
                    )],
                    text: message.to_string(),
                },
                diagnostics: Some(format!("request id {request_id}")),
                expression: expression.map(str::to_string).into_iter().collect(),
            }],
        }
    }
}
