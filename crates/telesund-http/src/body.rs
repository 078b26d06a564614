//! JSON request bodies with precise errors: malformed JSON and unknown fields are 400 with
//! the line and column, a body over the limit is 413, a wrong content type 415.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use telesund_core::ErrorCode;

/// A JSON body (`application/json` or `application/fhir+json`).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_bytes(req).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Reads the body of a JSON request, enforcing content type and size.
pub async fn read_json_bytes(req: Request) -> Result<axum::body::Bytes, ApiError> {
    let ct = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = ct.split(';').next().unwrap_or("").trim();
    if !matches!(mime, "application/json" | "application/fhir+json") {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send JSON with Content-Type application/json or application/fhir+json",
        ));
    }
    axum::body::Bytes::from_request(req, &())
        .await
        .map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
            } else {
                ApiError::new(
                    ErrorCode::MalformedJson,
                    format!("could not read the request body: {e}"),
                )
            }
        })
}

/// Parses JSON, mapping serde's errors to our codes with their position.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let at = format!("line {}, column {}", e.line(), e.column());
        let msg = e.to_string();
        let code = match e.classify() {
            serde_json::error::Category::Data if msg.starts_with("unknown field") => {
                ErrorCode::UnknownField
            }
            serde_json::error::Category::Data if msg.starts_with("invalid cpr") => {
                ErrorCode::InvalidCpr
            }
            serde_json::error::Category::Data => ErrorCode::InvalidInput,
            _ => ErrorCode::MalformedJson,
        };
        // serde's message already ends with "at line L column C"; keep just the reason.
        let reason = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ApiError::new(code, reason).at(at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u8,
    }

    #[test]
    fn errors_carry_codes_and_positions() {
        let e = parse_json::<T>(b"{\"a\": 1,\n \"b\": 2}").unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownField);
        assert_eq!(e.location.as_deref(), Some("line 2, column 4"));
        let e = parse_json::<T>(b"{\"a\": ").unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedJson);
        let e = parse_json::<T>(b"{\"a\": \"x\"}").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }
}
