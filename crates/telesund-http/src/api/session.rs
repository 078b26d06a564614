//! Signing in and out over the API (for the portal's scripts and for tests); integrations use
//! bearer tokens instead.

use crate::auth::{Auth, login};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use telesund_core::access::Principal;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub login: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpBody {
    pub code: String,
}

fn signed_in(state: &AppState, s: login::SignedIn) -> Response {
    let body = serde_json::json!({ "csrf_token": s.session.csrf_token, "second_factor_required": s.session.second_factor_pending });
    let mut resp = (StatusCode::OK, axum::Json(body)).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&crate::auth::session_set_cookie(state, &s.cookie_secret))
            .expect("ASCII cookie"),
    );
    resp
}

pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(b): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let req = crate::auth::request_info(&parts, &Principal::System);
    Ok(signed_in(
        &state,
        login::staff_login(&state, &b.login, &b.password, &req).await?,
    ))
}

pub async fn citizen_login(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(b): JsonBody<LoginBody>,
) -> Result<Response, ApiError> {
    let req = crate::auth::request_info(&parts, &Principal::System);
    Ok(signed_in(
        &state,
        login::citizen_login(&state, &b.login, &b.password, &req).await?,
    ))
}

pub async fn totp(
    State(state): State<AppState>,
    parts: Parts,
    JsonBody(b): JsonBody<TotpBody>,
) -> Result<Response, ApiError> {
    let secret =
        crate::auth::session_cookie(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
    let session = state
        .db
        .session(&secret)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let req = crate::auth::request_info(&parts, &Principal::System);
    login::second_factor(&state, &session, &b.code, &req).await?;
    Ok(axum::Json(serde_json::json!({ "second_factor_required": false })).into_response())
}

pub async fn logout(State(state): State<AppState>, auth: Auth) -> Result<Response, ApiError> {
    if let Some(s) = &auth.session {
        login::logout(&state, s, auth.principal.display_name(), &auth.request).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&crate::auth::session_set_cookie(&state, "")).expect("ASCII cookie"),
    );
    Ok(resp)
}

pub async fn me(auth: Auth) -> impl IntoResponse {
    let body = match &auth.principal {
        Principal::Staff {
            user_id,
            name,
            memberships,
        } => serde_json::json!({
            "kind": "staff", "id": user_id, "name": name, "memberships": memberships,
            "email": auth.staff.as_ref().map(|s| s.user.email.clone()),
        }),
        Principal::Citizen { citizen_id, name } => {
            serde_json::json!({ "kind": "citizen", "id": citizen_id, "name": name })
        }
        Principal::System => serde_json::json!({ "kind": "system" }),
    };
    axum::Json(body)
}
