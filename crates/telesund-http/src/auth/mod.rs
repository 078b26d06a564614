//! Who is calling: a bearer API token (integrations) or a session cookie (people).

pub mod login;
pub mod oidc;
pub mod ratelimit;
pub mod totp;

use crate::error::ApiError;
use crate::middleware::RequestContext;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use telesund_core::access::Principal;
use telesund_core::audit::RequestInfo;
use telesund_core::identity::{Language, Role};
use telesund_db::AccessCtx;
use telesund_db::sessions::{Session, SessionOwner};
use telesund_db::staff::StaffProfile;

pub const SESSION_COOKIE: &str = "telesund_session";

/// An authenticated caller. Handlers take this and pass `ctx()` to storage.
#[derive(Clone, Debug)]
pub struct Auth {
    pub principal: Principal,
    pub staff: Option<StaffProfile>,
    pub session: Option<Session>,
    pub request: RequestInfo,
}

impl Auth {
    pub fn ctx(&self) -> AccessCtx {
        AccessCtx::new(self.principal.clone(), self.request.clone())
    }
    pub fn language(&self) -> Language {
        self.session
            .as_ref()
            .map(|s| s.language)
            .or(self.staff.as_ref().map(|s| s.language))
            .unwrap_or(Language::Danish)
    }
    pub fn csrf_token(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }
    pub fn has_role(&self, role: Role) -> bool {
        self.principal.has_role(role)
    }
}

/// The caller's purpose of use: sent by integrations as `X-Purpose-Of-Use`, else derived from
/// who they are (care staff treat, service staff support, citizens serve themselves).
fn purpose(headers: &HeaderMap, principal: &Principal) -> String {
    if let Some(p) = headers
        .get("x-purpose-of-use")
        .and_then(|v| v.to_str().ok())
    {
        let p = p.trim();
        if !p.is_empty()
            && p.len() <= 40
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return p.to_ascii_lowercase();
        }
    }
    match principal {
        Principal::Citizen { .. } => "self_service".into(),
        Principal::System => "operations".into(),
        p if p.has_role(Role::Clinician)
            || p.has_role(Role::SocialSupporter)
            || p.has_role(Role::Educator) =>
        {
            "treatment".into()
        }
        p if p.has_role(Role::ServiceDeskAgent) || p.has_role(Role::LogisticsTechnician) => {
            "support".into()
        }
        _ => "administration".into(),
    }
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value for a new session (or for clearing it, with an empty value).
pub fn session_set_cookie(state: &AppState, value: &str) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = if value.is_empty() {
        "; Max-Age=0".to_string()
    } else {
        format!("; Max-Age={}", telesund_db::sessions::ABSOLUTE_HOURS * 3600)
    };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{max_age}")
}

pub fn request_info(parts: &Parts, principal: &Principal) -> RequestInfo {
    let ctx = parts
        .extensions
        .get::<RequestContext>()
        .cloned()
        .unwrap_or(RequestContext {
            request_id: "none".into(),
            client_addr: "unknown".into(),
        });
    RequestInfo {
        request_id: ctx.request_id,
        client_addr: ctx.client_addr,
        purpose: purpose(&parts.headers, principal),
    }
}

/// Resolves the caller; `Ok(None)` when nobody is signed in.
pub async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Auth>, ApiError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or("");
        let Some(secret) = value.strip_prefix("Bearer ").map(str::trim) else {
            return Err(ApiError::new(
                telesund_core::ErrorCode::Unauthenticated,
                "use 'Authorization: Bearer <token>'",
            ));
        };
        let Some(profile) = state.db.authenticate_api_token(secret).await? else {
            return Err(ApiError::new(
                telesund_core::ErrorCode::Unauthenticated,
                "the bearer token is unknown or revoked",
            ));
        };
        let principal = profile.principal();
        let request = request_info(parts, &principal);
        return Ok(Some(Auth {
            principal,
            staff: Some(profile),
            session: None,
            request,
        }));
    }
    let Some(secret) = session_cookie(&parts.headers) else {
        return Ok(None);
    };
    let Some(session) = state.db.session(&secret).await? else {
        return Ok(None);
    };
    if session.second_factor_pending {
        return Ok(None);
    }
    let (principal, staff) = match session.owner {
        SessionOwner::Staff(user) => {
            let profile = state.db.staff_profile(user).await?;
            if !profile.user.active {
                return Ok(None);
            }
            (profile.principal(), Some(profile))
        }
        SessionOwner::Citizen(id) => (
            Principal::Citizen {
                citizen_id: id,
                name: state.db.citizen_name(id).await?,
            },
            None,
        ),
    };
    let request = request_info(parts, &principal);
    Ok(Some(Auth {
        principal,
        staff,
        session: Some(session),
        request,
    }))
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(a.clone());
        }
        let auth = resolve(parts, state)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

/// An optional caller, for pages that also work signed out.
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(resolve(parts, state).await.ok().flatten()))
    }
}
