//! Authentication: bearer tokens, CSRF, lockout, rate limiting, TOTP, OpenID Connect.

use reqwest::Method;
use serde_json::json;
use telesund_testkit::{AppOptions, Backend, backends, spawn_app, spawn_app_with};

#[tokio::test]
async fn bearer_tokens_authenticate_until_revoked() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let user = app
            .db
            .staff_id_by_email("cardio.rhh@telesund.example")
            .await
            .unwrap()
            .unwrap();
        let (token, secret) = app
            .db
            .create_api_token(user, "EPJ-integration")
            .await
            .unwrap();
        assert!(secret.starts_with("tsk_"));
        let get = |s: String| {
            let app = &app;
            async move {
                app.client
                    .get(app.url("/api/v1/citizens?q=bent"))
                    .header("authorization", format!("Bearer {s}"))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let r = get(secret.clone()).await;
        assert_eq!(r.status(), 200, "{backend:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["results"][0]["name"], "Bent Hansen");
        // Writes with a bearer token need no CSRF token.
        let r = app
            .client
            .post(app.url("/api/v1/citizens"))
            .header("authorization", format!("Bearer {secret}"))
            .json(&json!({ "cpr": "0101901235", "given_name": "A", "family_name": "B" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        app.db.revoke_api_token(token.id).await.unwrap();
        let r = get(secret.clone()).await;
        assert_eq!(r.status(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated");
        assert_eq!(get("tsk_made_up".into()).await.status(), 401);
        assert_eq!(
            app.client
                .get(app.url("/api/v1/citizens"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        // Only a hash is stored.
        let listed = app.db.api_tokens().await.unwrap();
        assert!(listed.iter().all(|t| t.revoked_at.is_some()));
    }
}

/// Verified tokens are remembered for a few seconds; a change to who the token speaks for
/// must still count from the very next request.
#[tokio::test]
async fn a_remembered_bearer_token_follows_membership_and_deactivation_at_once() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let user = app
            .db
            .staff_id_by_email("nurse.horsens@telesund.example")
            .await
            .unwrap()
            .unwrap();
        let (_, secret) = app.db.create_api_token(user, "gateway").await.unwrap();
        let status = || async {
            app.client
                .get(app.url("/api/v1/citizens?q=bent"))
                .header("authorization", format!("Bearer {secret}"))
                .send()
                .await
                .unwrap()
                .status()
        };
        assert_eq!(status().await, 200, "{backend:?}");
        assert_eq!(status().await, 200, "{backend:?}: served from the cache");
        let ops = telesund_db::AccessCtx::system("test");
        let profile = app.db.staff_profile(user).await.unwrap();
        for m in &profile.memberships {
            app.db.end_membership(&ops, m.membership.id).await.unwrap();
        }
        assert_eq!(
            status().await,
            403,
            "{backend:?}: without memberships the token may not search citizens"
        );
        app.db.set_staff_active(&ops, user, false).await.unwrap();
        assert_eq!(
            status().await,
            401,
            "{backend:?}: a deactivated user's token"
        );
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_changes() {
    let app = spawn_app(Backend::Sqlite).await;
    let nurse = app.login("nurse.horsens@telesund.example").await;
    let body = json!({ "cpr": "0101901235", "given_name": "A", "family_name": "B" });
    let r = app
        .client
        .post(app.url("/api/v1/citizens"))
        .header("cookie", &nurse.cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "csrf_failed");
    let r = app
        .client
        .post(app.url("/api/v1/citizens"))
        .header("cookie", &nurse.cookie)
        .header("x-csrf-token", "wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (status, _) = app
        .send_json(&nurse, Method::POST, "/api/v1/citizens", &body)
        .await;
    assert_eq!(status, 201);
    // Logging out ends the session.
    let (status, _) = app
        .send_json(&nurse, Method::POST, "/api/v1/auth/logout", &json!({}))
        .await;
    assert_eq!(status, 204);
    assert_eq!(app.get(&nurse, "/api/v1/me").await.0, 401);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_are_audited() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        for _ in 0..4 {
            let e = app
                .login_at(
                    "/api/v1/auth/login",
                    "nurse.horsens@telesund.example",
                    "wrong password",
                )
                .await
                .unwrap_err();
            assert_eq!(e.0, 401);
            assert_eq!(e.1["code"], "invalid_credentials");
        }
        let e = app
            .login_at(
                "/api/v1/auth/login",
                "nurse.horsens@telesund.example",
                "wrong password",
            )
            .await
            .unwrap_err();
        assert_eq!(
            (e.0, e.1["code"].as_str()),
            (423, Some("account_locked")),
            "{backend:?}"
        );
        // Even the right password is refused while locked.
        let e = app
            .login_at(
                "/api/v1/auth/login",
                "nurse.horsens@telesund.example",
                telesund::demo::DEMO_PASSWORD,
            )
            .await
            .unwrap_err();
        assert_eq!(e.0, 423);
        let admin = app.login("admin@telesund.example").await;
        let (_, body) = app
            .get(&admin, "/api/v1/audit-events?action=login_failed")
            .await;
        assert!(body["events"].as_array().unwrap().len() >= 6, "{body}");
    }
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_address() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut codes = Vec::new();
    for i in 0..12 {
        let e = app
            .login_at(
                "/api/v1/auth/login",
                &format!("nobody{i}@telesund.example"),
                "x",
            )
            .await
            .unwrap_err();
        codes.push(e.0);
    }
    assert_eq!(codes.iter().filter(|c| **c == 401).count(), 10);
    assert_eq!(codes.last(), Some(&429));
}

#[tokio::test]
async fn a_second_factor_is_required_once_enabled() {
    let app = spawn_app(Backend::Sqlite).await;
    let user = app
        .db
        .staff_id_by_email("cardio.rhh@telesund.example")
        .await
        .unwrap()
        .unwrap();
    let secret = telesund_http::auth::totp::new_secret();
    app.db.set_totp(user, Some(&secret), true).await.unwrap();
    let r = app.client.post(app.url("/api/v1/auth/login")).json(&json!({ "login": "cardio.rhh@telesund.example", "password": telesund::demo::DEMO_PASSWORD })).send().await.unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["second_factor_required"], true);
    let session = telesund_testkit::Session {
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().into(),
    };
    assert_eq!(
        app.get(&session, "/api/v1/me").await.0,
        401,
        "no access before the second factor"
    );
    let (status, _) = app
        .send_json(
            &session,
            Method::POST,
            "/api/v1/auth/totp",
            &json!({ "code": "000000" }),
        )
        .await;
    assert_eq!(status, 401);
    let now = telesund_core::Timestamp::now().micros() / 1_000_000;
    let code =
        telesund_http::auth::totp::code_at(&secret, telesund_http::auth::totp::current_step(now))
            .unwrap();
    let (status, body) = app
        .send_json(
            &session,
            Method::POST,
            "/api/v1/auth/totp",
            &json!({ "code": code }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.get(&session, "/api/v1/me").await.0, 200);
    // The same code cannot be used twice.
    let (status, _) = app
        .send_json(
            &session,
            Method::POST,
            "/api/v1/auth/totp",
            &json!({ "code": code }),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn openid_connect_logs_in_staff_and_citizens() {
    let idp = telesund_testkit::idp::Idp::start().await;
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            demo: true,
            oidc: Some(idp.config()),
            ..Default::default()
        },
    )
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    let follow = |audience: &'static str| {
        let client = client.clone();
        let url = app.url(&format!("/auth/oidc/{audience}/start"));
        async move {
            // Follow start -> IdP authorize -> our callback, but stop before the final page.
            let r = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(&url)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "start redirects to the IdP");
            let to_idp = r.headers()["location"].to_str().unwrap().to_string();
            assert!(to_idp.contains("code_challenge_method=S256") && to_idp.contains("nonce="));
            let r = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(&to_idp)
                .send()
                .await
                .unwrap();
            let callback = r.headers()["location"].to_str().unwrap().to_string();
            let r = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(&callback)
                .send()
                .await
                .unwrap();
            let _ = &client;
            (
                r.status().as_u16(),
                r.headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string()),
                r.headers()
                    .get("set-cookie")
                    .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string()),
                callback,
            )
        }
    };
    idp.sign_in_next_as(json!({ "sub": "staff-42", "email": "nurse.horsens@telesund.example", "email_verified": true }));
    let (status, location, cookie, callback) = follow("staff").await;
    assert_eq!(status, 303, "callback {callback}");
    assert_eq!(location.as_deref(), Some("/"));
    let session = telesund_testkit::Session {
        cookie: cookie.unwrap(),
        csrf: String::new(),
    };
    let (status, me) = app.get(&session, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "nurse.horsens@telesund.example");
    // The callback's state is single-use.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&callback)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    idp.sign_in_next_as(json!({ "sub": "mitid-1", "dk:gov:cpr": "1203451235" }));
    let (status, location, cookie, _) = follow("citizen").await;
    assert_eq!((status, location.as_deref()), (303, Some("/portal")));
    let session = telesund_testkit::Session {
        cookie: cookie.unwrap(),
        csrf: String::new(),
    };
    let (_, me) = app.get(&session, "/api/v1/me").await;
    assert_eq!(me["kind"], "citizen");
    assert_eq!(me["name"], "Bent Hansen");

    // An identity with no staff account is refused.
    idp.sign_in_next_as(
        json!({ "sub": "stranger", "email": "stranger@example.dk", "email_verified": true }),
    );
    let (status, _, cookie, _) = follow("staff").await;
    assert_eq!(status, 401);
    assert!(cookie.is_none());
}
