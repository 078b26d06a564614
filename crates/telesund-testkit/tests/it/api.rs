//! The JSON API over real HTTP, on both backends: the happy paths and every error path.

use reqwest::Method;
use serde_json::json;
use telesund_testkit::{backends, spawn_app};

fn citizen_body(cpr: &str) -> serde_json::Value {
    json!({ "cpr": cpr, "given_name": "Test", "family_name": "Borger", "phones": ["20304050"], "address": { "line": "Vej 2", "postal_code": "8700", "city": "Horsens" } })
}

#[tokio::test]
async fn staff_search_read_and_the_denial_is_audited() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = app.login("nurse.horsens@telesund.example").await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let (status, body) = app.get(&nurse, &format!("/api/v1/citizens/{bent}")).await;
        assert_eq!(status, 200, "{backend:?} {body}");
        assert_eq!(body["cpr"], "1203451235");
        assert_eq!(body["language"], "da");

        let other = app.login("nurse.aarhus@telesund.example").await;
        let (status, body) = app.get(&other, &format!("/api/v1/citizens/{bent}")).await;
        assert_eq!(status, 403);
        assert_eq!(body["code"], "forbidden");
        assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()));

        let admin = app.login("admin@telesund.example").await;
        let (status, body) = app
            .get(
                &admin,
                &format!("/api/v1/audit-events?citizen={bent}&denied=true"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let events = body["events"].as_array().unwrap();
        assert!(
            events
                .iter()
                .any(|e| e["actor_name"] == "Anders Sygeplejerske"
                    && e["outcome_allowed"] == false
                    && e["request_id"] == body_request_id(&events[0]))
        );
        // A nurse may not read the audit log.
        assert_eq!(app.get(&nurse, "/api/v1/audit-events").await.0, 403);
    }
}

fn body_request_id(e: &serde_json::Value) -> serde_json::Value {
    e["request_id"].clone()
}

#[tokio::test]
async fn registering_and_its_error_paths() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = app.login("nurse.horsens@telesund.example").await;
        let (status, created) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &citizen_body("0101901235"),
            )
            .await;
        assert_eq!(status, 201, "{backend:?} {created}");
        assert_eq!(created["phones"][0], "+4520304050");

        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &citizen_body("0101901235"),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("duplicate_cpr"))
        );
        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &citizen_body("3201901235"),
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_cpr")));
        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &citizen_body("12ab"),
            )
            .await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_cpr")));
        let mut unknown = citizen_body("0101911235");
        unknown["favourite_colour"] = json!("blue");
        let (status, body) = app
            .send_json(&nurse, Method::POST, "/api/v1/citizens", &unknown)
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("unknown_field")),
            "{body}"
        );
        assert!(
            body["location"]
                .as_str()
                .unwrap()
                .starts_with("line 1, column")
        );
        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &json!({ "cpr": "0101911235" }),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_input")),
            "{body}"
        );

        // Malformed JSON: 400 with the position, nothing written.
        let resp = app
            .client
            .post(app.url("/api/v1/citizens"))
            .header("cookie", &nurse.cookie)
            .header("x-csrf-token", &nurse.csrf)
            .header("content-type", "application/json")
            .body("{\"cpr\": \"0101911235\",\n  \"given_name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "malformed_json");
        assert_eq!(body["location"], "line 2, column 16");
        let resp = app
            .client
            .post(app.url("/api/v1/citizens"))
            .header("cookie", &nurse.cookie)
            .header("x-csrf-token", &nurse.csrf)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 415);

        // Oversized body: 413.
        let big = "x".repeat(2 * 1024 * 1024);
        let resp = app
            .client
            .post(app.url("/api/v1/citizens"))
            .header("cookie", &nurse.cookie)
            .header("x-csrf-token", &nurse.csrf)
            .header("content-type", "application/json")
            .body(format!("{{\"cpr\":\"{big}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 413);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "payload_too_large");

        // None of the failures left a citizen behind.
        let (_, hits) = app.get(&nurse, "/api/v1/citizens?q=0101911235").await;
        assert_eq!(hits["results"].as_array().unwrap().len(), 0);

        // Updating keeps the CPR number; changing it is refused.
        let id = created["id"].as_str().unwrap();
        let mut changed = citizen_body("0101901235");
        changed["given_name"] = json!("Tester");
        let (status, body) = app
            .send_json(
                &nurse,
                Method::PUT,
                &format!("/api/v1/citizens/{id}"),
                &changed,
            )
            .await;
        // A new citizen has no care relationship yet, so the nurse may not change contact details.
        assert_eq!(status, 403, "{body}");
        assert_eq!(app.get(&nurse, "/api/v1/citizens/not-a-uuid").await.0, 404);
    }
}

#[tokio::test]
async fn enrolment_creates_the_relationship_and_its_consent() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = app.login("nurse.horsens@telesund.example").await;
        let (_, created) = app
            .send_json(
                &nurse,
                Method::POST,
                "/api/v1/citizens",
                &citizen_body("0101901235"),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(
            app.get(&nurse, &format!("/api/v1/citizens/{id}")).await.0,
            403
        );
        let (_, programmes) = app.get(&nurse, "/api/v1/programmes").await;
        let diabetes = programmes["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str().unwrap().contains("diabetes"))
            .unwrap()["id"]
            .clone();
        let (_, me) = app.get(&nurse, "/api/v1/me").await;
        let org = me["memberships"][0]["org_id"].clone();
        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                &format!("/api/v1/citizens/{id}/enrolments"),
                &json!({ "programme_id": diabetes, "org_id": org, "consent_note": "" }),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = app
            .send_json(
                &nurse,
                Method::POST,
                &format!("/api/v1/citizens/{id}/enrolments"),
                &json!({ "programme_id": diabetes, "org_id": org, "consent_note": "mundtligt" }),
            )
            .await;
        assert_eq!(status, 201, "{backend:?} {body}");
        let (status, overview) = app
            .get(&nurse, &format!("/api/v1/citizens/{id}/overview"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            overview["consents"][0]["consent_type"],
            "telemedicine_participation"
        );
        // Another municipality's nurse cannot enrol in Horsens' name.
        let other = app.login("nurse.aarhus@telesund.example").await;
        let (status, _) = app
            .send_json(
                &other,
                Method::POST,
                &format!("/api/v1/citizens/{id}/enrolments"),
                &json!({ "programme_id": diabetes, "org_id": org, "consent_note": "x" }),
            )
            .await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let app = spawn_app(telesund_testkit::Backend::Sqlite).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    assert!(
        r.headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let r: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "ready");
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(
        "telesund_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"
    ));
    assert!(metrics.contains("telesund_audit_records_total"));
    // A sane request id from a proxy is kept.
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}
