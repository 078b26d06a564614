//! OpenID Connect login (authorization code flow with PKCE S256 and a nonce) against the
//! configured issuer — the regional or national identity broker — for staff and citizens.
//!
//! The ID token comes straight from the token endpoint, so per OpenID Connect Core §3.1.3.7
//! the TLS connection authenticates the issuer. HS256 tokens (signed with the client secret)
//! are verified as well; over plain HTTP nothing but a verified HS256 token is accepted.

use crate::error::ApiError;
use crate::state::{AppState, OidcConfig};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use telesund_core::audit::{ActorKind, AuditAction, AuditRecord};
use telesund_core::ids::AuditId;
use telesund_core::{Cpr, ErrorCode, Timestamp};
use telesund_db::secrets::random_secret;
use telesund_db::sessions::SessionOwner;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/{audience}/start", get(start))
        .route("/auth/oidc/callback", get(callback))
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
}

fn config(state: &AppState) -> Result<&OidcConfig, ApiError> {
    state.config.oidc.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "OpenID Connect login is not configured",
        )
    })
}

async fn discover(state: &AppState, cfg: &OidcConfig) -> Result<Discovery, ApiError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        cfg.issuer.trim_end_matches('/')
    );
    let unavailable = |e: String| ApiError {
        cause: Some(e),
        ..ApiError::new(
            ErrorCode::Unavailable,
            "the identity provider cannot be reached",
        )
    };
    let d: Discovery = state
        .http_client
        .get(&url)
        .send()
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .json()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    if d.issuer.trim_end_matches('/') != cfg.issuer.trim_end_matches('/') {
        return Err(unavailable(format!(
            "discovery issuer {} differs from {}",
            d.issuer, cfg.issuer
        )));
    }
    Ok(d)
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/auth/oidc/callback",
        state.config.public_url.trim_end_matches('/')
    )
}

pub fn pkce_challenge(verifier: &str) -> String {
    data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn start(
    State(state): State<AppState>,
    Path(audience): Path<String>,
) -> Result<Response, ApiError> {
    if audience != "staff" && audience != "citizen" {
        return Err(ApiError::not_found("login"));
    }
    let cfg = config(&state)?;
    let d = discover(&state, cfg).await?;
    let login_state = random_secret("");
    let verifier = random_secret("");
    let nonce = random_secret("");
    state
        .db
        .save_oidc_login(&login_state, &audience, &verifier, &nonce)
        .await?;
    let scope = if audience == "staff" {
        "openid email profile"
    } else {
        "openid profile"
    };
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
        d.authorization_endpoint,
        encode(&cfg.client_id),
        encode(&redirect_uri(&state)),
        encode(scope),
        login_state,
        nonce,
        pkce_challenge(&verifier)
    );
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: String,
}

/// The claims we check and use.
#[derive(Deserialize, Debug)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: serde_json::Value,
    pub exp: i64,
    pub nonce: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Checks an ID token's signature (HS256) or transport, and its claims.
pub fn validate_id_token(
    token: &str,
    cfg: &OidcConfig,
    nonce: &str,
    over_tls: bool,
    now: i64,
) -> Result<Claims, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("the ID token is not a JWS".into());
    }
    let decode = |p: &str| {
        data_encoding::BASE64URL_NOPAD
            .decode(p.trim_end_matches('=').as_bytes())
            .map_err(|e| format!("bad base64: {e}"))
    };
    let header: serde_json::Value =
        serde_json::from_slice(&decode(parts[0])?).map_err(|e| e.to_string())?;
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("none");
    match alg {
        "HS256" => {
            let mut mac = Hmac::<Sha256>::new_from_slice(cfg.client_secret.as_bytes())
                .map_err(|e| e.to_string())?;
            mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
            mac.verify_slice(&decode(parts[2])?)
                .map_err(|_| "the ID token signature is wrong".to_string())?;
        }
        "none" => return Err("unsigned ID tokens are refused".into()),
        _ if over_tls => {}
        other => {
            return Err(format!(
                "an {other} ID token is accepted only from a TLS token endpoint"
            ));
        }
    }
    let claims: Claims =
        serde_json::from_slice(&decode(parts[1])?).map_err(|e| format!("bad claims: {e}"))?;
    if claims.iss.trim_end_matches('/') != cfg.issuer.trim_end_matches('/') {
        return Err("the ID token comes from another issuer".into());
    }
    let aud_ok = match &claims.aud {
        serde_json::Value::String(a) => *a == cfg.client_id,
        serde_json::Value::Array(a) => a.iter().any(|x| x.as_str() == Some(&cfg.client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err("the ID token is for another client".into());
    }
    if claims.exp + 60 < now {
        return Err("the ID token has expired".into());
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err("the ID token's nonce does not match this login".into());
    }
    Ok(claims)
}

fn failed(state: &AppState, headers: &HeaderMap, reason: String) -> ApiError {
    tracing::warn!(reason = %reason, "OpenID Connect login failed");
    let _ = (state, headers);
    ApiError::new(
        ErrorCode::InvalidCredentials,
        "the login with the identity provider could not be completed",
    )
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    parts: axum::http::request::Parts,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let cfg = config(&state)?;
    if let Some(e) = q.error {
        return Err(failed(
            &state,
            &headers,
            format!("the provider answered {e}"),
        ));
    }
    let (Some(code), Some(login_state)) = (q.code, q.state) else {
        return Err(ApiError::invalid("code and state are required"));
    };
    let Some((audience, verifier, nonce)) = state.db.take_oidc_login(&login_state).await? else {
        return Err(failed(&state, &headers, "unknown or expired state".into()));
    };
    let d = discover(&state, cfg).await?;
    let resp = state
        .http_client
        .post(&d.token_endpoint)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri(&state).as_str()),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .map_err(|e| failed(&state, &headers, e.to_string()))?;
    if !resp.status().is_success() {
        return Err(failed(
            &state,
            &headers,
            format!("token endpoint answered {}", resp.status()),
        ));
    }
    let token: TokenResponse = resp
        .json()
        .await
        .map_err(|e| failed(&state, &headers, e.to_string()))?;
    let over_tls = d.token_endpoint.starts_with("https://");
    let claims = validate_id_token(
        &token.id_token,
        cfg,
        &nonce,
        over_tls,
        Timestamp::now().micros() / 1_000_000,
    )
    .map_err(|e| failed(&state, &headers, e))?;

    let principal_probe = telesund_core::access::Principal::System;
    let req = crate::auth::request_info(&parts, &principal_probe);
    let (owner, name, target) = if audience == "staff" {
        let user = match state.db.staff_id_by_oidc_subject(&claims.sub).await? {
            Some(u) => Some(u),
            None => match (&claims.email, claims.email_verified) {
                (Some(email), Some(true) | None) => {
                    let u = state.db.staff_id_by_email(email).await?;
                    if let Some(u) = u {
                        state.db.link_staff_oidc_subject(u, &claims.sub).await?;
                    }
                    u
                }
                _ => None,
            },
        };
        let Some(user) = user else {
            return Err(failed(
                &state,
                &headers,
                format!("no staff account for subject {}", claims.sub),
            ));
        };
        let profile = state.db.staff_profile(user).await?;
        if !profile.user.active {
            return Err(failed(&state, &headers, "account deactivated".into()));
        }
        (SessionOwner::Staff(user), profile.user.name, "/")
    } else {
        let cpr = claims
            .other
            .get(&cfg.cpr_claim)
            .and_then(|v| v.as_str())
            .and_then(|s| Cpr::parse(s).ok());
        let Some(cpr) = cpr else {
            return Err(failed(
                &state,
                &headers,
                format!("no valid CPR number in claim {}", cfg.cpr_claim),
            ));
        };
        let Some(id) = state.db.citizen_id_by_cpr(&cpr).await? else {
            return Err(failed(
                &state,
                &headers,
                "no citizen with that CPR number".into(),
            ));
        };
        (
            SessionOwner::Citizen(id),
            state.db.citizen_name(id).await?,
            "/portal",
        )
    };
    let (secret, _) = state
        .db
        .create_session(owner, false, telesund_core::identity::Language::Danish)
        .await?;
    let (kind, user, citizen) = match owner {
        SessionOwner::Staff(u) => (ActorKind::Staff, Some(u), None),
        SessionOwner::Citizen(c) => (ActorKind::Citizen, None, Some(c)),
    };
    state
        .db
        .audit(vec![AuditRecord {
            id: AuditId::new(),
            at: Timestamp::now(),
            actor_kind: kind,
            actor_user_id: user,
            actor_citizen_id: citizen,
            actor_name: name,
            actor_org_id: None,
            actor_org_name: None,
            actor_org_kind: None,
            actor_role: None,
            action: AuditAction::Login,
            entity: "session".into(),
            entity_id: None,
            citizen_id: None,
            category: None,
            purpose: "authentication".into(),
            outcome_allowed: true,
            reason: "OpenID Connect".into(),
            request_id: req.request_id,
            client_addr: req.client_addr,
        }])
        .await?;
    let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&crate::auth::session_set_cookie(&state, &secret))
            .expect("cookie is ASCII"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> OidcConfig {
        OidcConfig {
            issuer: "http://idp".into(),
            client_id: "telesund".into(),
            client_secret: "s3cret".into(),
            cpr_claim: "cpr".into(),
        }
    }

    fn sign(claims: serde_json::Value, secret: &str, alg: &str) -> String {
        let b =
            |v: &serde_json::Value| data_encoding::BASE64URL_NOPAD.encode(v.to_string().as_bytes());
        let head = b(&serde_json::json!({"alg": alg, "typ": "JWT"}));
        let body = b(&claims);
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{head}.{body}").as_bytes());
        format!(
            "{head}.{body}.{}",
            data_encoding::BASE64URL_NOPAD.encode(&mac.finalize().into_bytes())
        )
    }

    #[test]
    fn id_tokens_are_checked() {
        let good = serde_json::json!({"iss": "http://idp", "sub": "u1", "aud": "telesund", "exp": 2000, "nonce": "n"});
        assert!(
            validate_id_token(
                &sign(good.clone(), "s3cret", "HS256"),
                &cfg(),
                "n",
                false,
                1000
            )
            .is_ok()
        );
        assert!(
            validate_id_token(
                &sign(good.clone(), "other", "HS256"),
                &cfg(),
                "n",
                false,
                1000
            )
            .is_err()
        );
        assert!(
            validate_id_token(
                &sign(good.clone(), "s3cret", "HS256"),
                &cfg(),
                "m",
                false,
                1000
            )
            .is_err()
        );
        assert!(
            validate_id_token(
                &sign(good.clone(), "s3cret", "HS256"),
                &cfg(),
                "n",
                false,
                3000
            )
            .is_err()
        );
        assert!(
            validate_id_token(
                &sign(good.clone(), "s3cret", "RS256"),
                &cfg(),
                "n",
                false,
                1000
            )
            .is_err()
        );
        assert!(
            validate_id_token(
                &sign(good.clone(), "s3cret", "none"),
                &cfg(),
                "n",
                true,
                1000
            )
            .is_err()
        );
        let mut wrong_aud = good.clone();
        wrong_aud["aud"] = serde_json::json!(["x"]);
        assert!(
            validate_id_token(
                &sign(wrong_aud, "s3cret", "HS256"),
                &cfg(),
                "n",
                false,
                1000
            )
            .is_err()
        );
    }

    #[test]
    fn pkce_challenge_is_unpadded_base64url_of_sha256() {
        // Expected value computed independently (Python: hashlib.sha256 + urlsafe_b64encode).
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXoFEHFCM"),
            "DNOVpOZJJycv4NoOPdpMcN6nKjcnLmhitmNrf0PgKe4"
        );
    }
}
