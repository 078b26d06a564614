//! Layers every request passes through.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Instant;
use telesund_core::ErrorCode;

/// The request id and client address, available to handlers as an extension.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub request_id: String,
    pub client_addr: String,
}

fn acceptable_request_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Gives each request an id (or keeps a sane one sent by a proxy), records the client
/// address, renders errors with that id, logs one line per request and counts it.
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
        })
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    let client_addr = forwarded.or(peer).unwrap_or_else(|| "unknown".into());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    req.extensions_mut().insert(RequestContext {
        request_id: request_id.clone(),
        client_addr: client_addr.clone(),
    });

    let mut resp = next.run(req).await;

    if let Some(err) = resp.extensions_mut().remove::<ApiError>() {
        if let Some(cause) = &err.cause {
            tracing::error!(request_id = %request_id, code = %err.code, cause = %cause, "request failed");
        }
        let status = resp.status();
        resp = render_error(&path, &err, &request_id);
        *resp.status_mut() = status;
    } else if resp.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && is_machine_path(&path) {
        resp = render_error(
            &path,
            &ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large"),
            &request_id,
        );
    } else if resp.status() == axum::http::StatusCode::METHOD_NOT_ALLOWED && is_machine_path(&path)
    {
        resp = render_error(
            &path,
            &ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed"),
            &request_id,
        );
    } else if resp.status() == axum::http::StatusCode::NOT_FOUND
        && is_machine_path(&path)
        && resp.headers().get(header::CONTENT_TYPE).is_none()
    {
        resp = render_error(&path, &ApiError::not_found("resource"), &request_id);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    state.metrics.observe(
        route.as_deref().unwrap_or("unmatched"),
        method.as_str(),
        status,
        elapsed,
    );
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
        client = %client_addr,
        "request"
    );
    resp
}

fn is_machine_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/fhir")
}

fn render_error(path: &str, err: &ApiError, request_id: &str) -> Response {
    let status = err.status();
    if path.starts_with("/fhir") {
        let body = crate::fhir::outcome_for(err, request_id);
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/fhir+json; charset=utf-8"),
        );
        r
    } else if path.starts_with("/api/")
        || path.starts_with("/healthz")
        || path.starts_with("/readyz")
        || path.starts_with("/auth/")
    {
        let mut body = serde_json::json!({ "code": err.code, "message": err.message, "request_id": request_id });
        if let Some(loc) = &err.location {
            body["location"] = serde_json::Value::String(loc.clone());
        }
        (status, axum::Json(body)).into_response()
    } else {
        // Pages render their own errors; this is the fallback for anything that did not.
        let page = format!(
            "<!doctype html><html lang=\"da\"><head><meta charset=\"utf-8\"><title>Fejl</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
             <body><main class=\"error\"><h1>Der opstod en fejl</h1><p>{}</p><p class=\"muted\">Fejlkode <code>{}</code> · forespørgsel <code>{}</code></p>\
             <p><a href=\"/\">Til forsiden</a></p></main></body></html>",
            html_escape(&err.message),
            err.code,
            request_id
        );
        (status, axum::response::Html(page)).into_response()
    }
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Security headers: a CSP with no inline script, no framing, no sniffing, no referrer leaks,
/// and no caching of pages that carry personal data.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// CSRF protection for every state-changing request made with a session cookie: the session's
/// token must come back in the `x-csrf-token` header (htmx, fetch) or the `csrf_token` form
/// field. Requests with a bearer token carry no ambient authority and pass.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.headers().contains_key(header::AUTHORIZATION)
    {
        return next.run(req).await;
    }
    let Some(secret) = crate::auth::session_cookie(req.headers()) else {
        return next.run(req).await;
    };
    let session = match state.db.session(&secret).await {
        Ok(Some(s)) => s,
        Ok(None) => return next.run(req).await,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let header_token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(t) = header_token {
        return if crate::auth::constant_time_eq(t.as_bytes(), session.csrf_token.as_bytes()) {
            next.run(req).await
        } else {
            csrf_failed()
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return csrf_failed();
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
                .into_response();
        }
    };
    let token = form_urlencoded_value(&bytes, "csrf_token");
    if !token
        .is_some_and(|t| crate::auth::constant_time_eq(t.as_bytes(), session.csrf_token.as_bytes()))
    {
        return csrf_failed();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn csrf_failed() -> Response {
    ApiError::new(
        ErrorCode::CsrfFailed,
        "the form has expired or did not come from this site; reload the page and try again",
    )
    .into_response()
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Minimal `application/x-www-form-urlencoded` decoding (form bodies and query strings).
pub(crate) fn urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    match u8::from_str_radix(
                        std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                        16,
                    ) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    std::str::from_utf8(body)
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (!k.is_empty()).then(|| (decode(k), decode(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_fields_decode() {
        let pairs = super::urlencoded_pairs(b"a=1&csrf_token=ab%2Bc%3D&q=S%C3%B8ren+Hansen");
        assert_eq!(pairs[1], ("csrf_token".into(), "ab+c=".into()));
        assert_eq!(pairs[2].1, "Søren Hansen");
    }
}
