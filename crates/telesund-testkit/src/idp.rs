//! A small OpenID Connect provider for tests: discovery, an authorization endpoint that signs
//! in a preset user at once, and a token endpoint that checks the PKCE verifier and returns an
//! HS256-signed ID token. It plays the identity broker in end-to-end login tests.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Idp {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The claims the next login gets (sub, email, cpr ...).
    pub next_user: Arc<Mutex<serde_json::Value>>,
    _server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct IdpState {
    issuer: String,
    client_id: String,
    client_secret: String,
    next_user: Arc<Mutex<serde_json::Value>>,
    codes: Arc<Mutex<HashMap<String, PendingCode>>>,
}

/// An issued authorization code: (PKCE challenge, nonce, redirect URI, claims).
type PendingCode = (String, String, String, serde_json::Value);

impl Idp {
    pub async fn start() -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let next_user = Arc::new(Mutex::new(serde_json::json!({ "sub": "nobody" })));
        let state = IdpState {
            issuer: issuer.clone(),
            client_id: "telesund".into(),
            client_secret: "test-client-secret".into(),
            next_user: next_user.clone(),
            codes: Default::default(),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(state);
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("idp serves");
        });
        Idp {
            issuer,
            client_id: "telesund".into(),
            client_secret: "test-client-secret".into(),
            next_user,
            _server: server,
        }
    }

    pub fn config(&self) -> telesund_http::OidcConfig {
        telesund_http::OidcConfig {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            cpr_claim: "dk:gov:cpr".into(),
        }
    }

    pub fn sign_in_next_as(&self, claims: serde_json::Value) {
        *self.next_user.lock().expect("lock") = claims;
    }
}

async fn discovery(State(s): State<IdpState>) -> impl IntoResponse {
    Json(serde_json::json!({
        "issuer": s.issuer,
        "authorization_endpoint": format!("{}/authorize", s.issuer),
        "token_endpoint": format!("{}/token", s.issuer),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["HS256"]
    }))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: String,
}

async fn authorize(
    State(s): State<IdpState>,
    Query(q): Query<AuthorizeQuery>,
) -> impl IntoResponse {
    assert_eq!(q.response_type, "code");
    assert_eq!(q.client_id, s.client_id);
    assert_eq!(q.code_challenge_method, "S256");
    let code = uuid::Uuid::now_v7().simple().to_string();
    let claims = s.next_user.lock().expect("lock").clone();
    s.codes.lock().expect("lock").insert(
        code.clone(),
        (q.code_challenge, q.nonce, q.redirect_uri.clone(), claims),
    );
    Redirect::to(&format!("{}?code={code}&state={}", q.redirect_uri, q.state))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
    client_secret: String,
    code_verifier: String,
}

async fn token(State(s): State<IdpState>, Form(f): Form<TokenForm>) -> axum::response::Response {
    let bad = |e: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": e })),
        )
            .into_response()
    };
    if f.grant_type != "authorization_code"
        || f.client_id != s.client_id
        || f.client_secret != s.client_secret
    {
        return bad("invalid_client");
    }
    let Some((challenge, nonce, redirect, claims)) = s.codes.lock().expect("lock").remove(&f.code)
    else {
        return bad("invalid_grant");
    };
    let computed =
        data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(f.code_verifier.as_bytes()));
    if computed != challenge || redirect != f.redirect_uri {
        return bad("invalid_grant");
    }
    let now = telesund_core::Timestamp::now().micros() / 1_000_000;
    let mut payload = claims;
    payload["iss"] = s.issuer.clone().into();
    payload["aud"] = s.client_id.clone().into();
    payload["exp"] = (now + 300).into();
    payload["iat"] = now.into();
    payload["nonce"] = nonce.into();
    let b = |v: &serde_json::Value| data_encoding::BASE64URL_NOPAD.encode(v.to_string().as_bytes());
    let head = b(&serde_json::json!({ "alg": "HS256", "typ": "JWT" }));
    let body = b(&payload);
    let sig = hmac_sha256(
        s.client_secret.as_bytes(),
        format!("{head}.{body}").as_bytes(),
    );
    let id_token = format!(
        "{head}.{body}.{}",
        data_encoding::BASE64URL_NOPAD.encode(&sig)
    );
    Json(serde_json::json!({ "access_token": "unused", "token_type": "Bearer", "id_token": id_token })).into_response()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}
