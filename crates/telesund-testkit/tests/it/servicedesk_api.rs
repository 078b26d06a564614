//! The service desk over the JSON API, on both backends: the telephony webhook with a bearer
//! token, ringing and answered calls, the caller screen without clinical values, a case
//! worked through its actions (the device swap reaching the equipment module), the queue's
//! views, the citizen asking for help and rating it, and the centre's desk and calendar.

use reqwest::Method;
use serde_json::{Value, json};
use telesund_testkit::{Session, TestApp, assert_api_error, backends, spawn_app};

const AGENT: &str = "agent@telesund.example";
const TECH: &str = "tech@telesund.example";
const NURSE: &str = "nurse.horsens@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";
const BENT_CPR: &str = "1203451235";
const WEBHOOK: &str = "/api/v1/telephony/incoming-call";
const CASES: &str = "/api/v1/servicedesk/cases";

/// A bearer token for a demo staff user (what an integration is given).
async fn token(app: &TestApp, email: &str) -> String {
    app.token_for(email, "telefoni").await
}

/// A JSON call with a bearer token (no session, no CSRF token): (status, body).
async fn bearer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Whether any object in the JSON has `key` with a value (not null, not empty).
fn has_value_at_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| {
            (k == key
                && !(v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(|o| o.is_empty())))
                || has_value_at_key(v, key)
        }),
        Value::Array(a) => a.iter().any(|v| has_value_at_key(v, key)),
        _ => false,
    }
}

/// Bent's first phone number as "+45" and its digits, read by his nurse.
async fn bents_number(app: &TestApp, nurse: &Session, bent: &str) -> String {
    let (status, citizen) = app.get(nurse, &format!("/api/v1/citizens/{bent}")).await;
    assert_eq!(status, 200, "{citizen}");
    let phone = citizen["phones"][0].as_str().unwrap();
    format!("+45{}", telesund_core::text::phone_digits(phone))
}

/// A phone case about a citizen, as the desk registers it.
fn phone_case(citizen: &str, subject: &str) -> Value {
    json!({
        "citizen_id": citizen, "channel": "phone", "category": "equipment_fault",
        "subject": subject, "impact": "medium", "urgency": "medium"
    })
}

async fn act(app: &TestApp, s: &Session, case: &str, action: Value) -> (u16, Value) {
    app.post_json(s, &format!("{CASES}/{case}/actions"), action)
        .await
}

async fn queue(app: &TestApp, s: &Session, view: &str) -> Vec<Value> {
    let (status, body) = app.get(s, &format!("{CASES}?view={view}")).await;
    assert_eq!(status, 200, "{view}: {body}");
    body["cases"].as_array().unwrap().clone()
}

fn lists(lines: &[Value], case: &str) -> bool {
    lines.iter().any(|l| l["case"]["id"] == case)
}

#[tokio::test]
async fn the_telephony_webhook_rings_the_desk_and_the_answer_opens_the_caller_screen() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let tech = app.login(TECH).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let caller = bents_number(&app, &nurse, &bent).await;
        let exchange = token(&app, AGENT).await;
        let clinician = token(&app, CARDIO).await;
        let call = json!({ "caller": caller, "call_id": "pbx-42" });

        // The exchange reports the call: counts only, no name goes back to it.
        let (status, ringing) =
            bearer(&app, &exchange, Method::POST, WEBHOOK, Some(call.clone())).await;
        assert_eq!(status, 201, "{backend:?} {ringing}");
        assert_eq!(ringing["citizens"], 1, "{ringing}");
        assert!(!ringing.to_string().contains("Bent"), "{ringing}");
        assert!(!ringing.to_string().contains("Hansen"), "{ringing}");
        let call_id = ringing["id"].as_str().unwrap().to_string();

        // Who may report a call, and what a call is.
        let r = app
            .client
            .post(app.url(WEBHOOK))
            .json(&call)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or_default();
        assert_api_error(status, &body, 401, "unauthenticated");
        let (status, body) =
            bearer(&app, &clinician, Method::POST, WEBHOOK, Some(call.clone())).await;
        assert_api_error(status, &body, 403, "forbidden");
        let (status, body) = bearer(
            &app,
            &exchange,
            Method::POST,
            WEBHOOK,
            Some(json!({ "caller": "ring mig" })),
        )
        .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = bearer(
            &app,
            &exchange,
            Method::POST,
            WEBHOOK,
            Some(json!({ "caller": caller, "call_id": "pbx-43", "queue": "support" })),
        )
        .await;
        assert_api_error(status, &body, 400, "unknown_field");
        assert!(
            body["location"]
                .as_str()
                .unwrap()
                .starts_with("line 1, column"),
            "{body}"
        );
        let (status, body) = bearer(&app, &exchange, Method::POST, WEBHOOK, Some(json!({}))).await;
        assert_api_error(status, &body, 422, "invalid_input");

        // It rings on the desk's screens, still without a name; a clinician sees no calls.
        let (status, calls) = bearer(
            &app,
            &exchange,
            Method::GET,
            "/api/v1/servicedesk/calls",
            None,
        )
        .await;
        assert_eq!(status, 200, "{calls}");
        let line = calls["calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == call_id.as_str())
            .unwrap_or_else(|| panic!("the call rings: {calls}"))
            .clone();
        assert_eq!(line["citizens"], 1, "{line}");
        assert!(!calls.to_string().contains("Bent"), "{calls}");
        let (status, body) = app.get(&nurse, "/api/v1/servicedesk/calls").await;
        assert_api_error(status, &body, 403, "forbidden");

        // The agent takes it: now the desk learns who is calling; a colleague is too late.
        let answer = format!("/api/v1/servicedesk/calls/{call_id}/answer");
        let (status, answered) = app.post_json(&agent, &answer, json!({})).await;
        assert_eq!(status, 200, "{backend:?} {answered}");
        assert_eq!(
            answered["matches"],
            json!([{ "kind": "citizen", "citizen_id": bent, "name": "Bent Hansen" }]),
            "{answered}"
        );
        assert!(answered["answered_at"].is_number() || answered["answered_at"].is_string());
        let (_, calls) = app.get(&agent, "/api/v1/servicedesk/calls").await;
        assert!(
            !calls["calls"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == call_id.as_str()),
            "an answered call stops ringing: {calls}"
        );
        let (status, body) = app.post_json(&tech, &answer, json!({})).await;
        assert_api_error(status, &body, 409, "conflict");
        let (status, body) = app
            .post_json(
                &agent,
                "/api/v1/servicedesk/calls/not-a-call/answer",
                json!({}),
            )
            .await;
        assert!(
            status == 404 || status == 422,
            "a malformed id: {status} {body}"
        );

        // The caller screen: units, programmes by name, no clinical values, the call.
        let screen_path = format!("/api/v1/servicedesk/caller-screen/{bent}?call={call_id}");
        let (status, screen) = app.get(&agent, &screen_path).await;
        assert_eq!(status, 200, "{backend:?} {screen}");
        assert_eq!(screen["units"].as_array().unwrap().len(), 4, "{screen}");
        assert_eq!(
            screen["overview"]["enrolments"].as_array().map(Vec::len),
            Some(2),
            "{screen}"
        );
        assert!(
            screen["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["unit"]["model"]["role"] == "bp_monitor"
                    && u["programmes"].as_array().unwrap().len() == 2),
            "the monitor serves both plans: {screen}"
        );
        for key in [
            "observations",
            "assessments",
            "thresholds",
            "values",
            "systolic",
        ] {
            assert!(
                !has_value_at_key(&screen, key),
                "no clinical '{key}' on the caller screen: {screen}"
            );
        }
        assert_eq!(screen["call"]["id"], call_id.as_str());
        assert_eq!(screen["call"]["matches"][0]["name"], "Bent Hansen");
        assert_eq!(screen["cases"], json!([]), "Bent has no case yet: {screen}");

        // The screen's refusals: a clinician, a malformed call, an unknown parameter, a call
        // nobody has answered.
        let (status, body) = app
            .get(&nurse, &format!("/api/v1/servicedesk/caller-screen/{bent}"))
            .await;
        assert_api_error(status, &body, 403, "forbidden");
        let (status, body) = app
            .get(
                &agent,
                &format!("/api/v1/servicedesk/caller-screen/{bent}?call=nope"),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert_eq!(body["location"], "call");
        let (status, body) = app
            .get(
                &agent,
                &format!("/api/v1/servicedesk/caller-screen/{bent}?colour=red"),
            )
            .await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (status, hidden) = bearer(
            &app,
            &exchange,
            Method::POST,
            WEBHOOK,
            Some(json!({ "caller": "anonymous" })),
        )
        .await;
        assert_eq!(status, 201, "{hidden}");
        assert_eq!(
            (&hidden["citizens"], &hidden["next_of_kin"]),
            (&json!(0), &json!(0))
        );
        let (status, body) = app
            .get(
                &agent,
                &format!(
                    "/api/v1/servicedesk/caller-screen/{bent}?call={}",
                    hidden["id"].as_str().unwrap()
                ),
            )
            .await;
        assert_api_error(status, &body, 409, "conflict");

        // A case opened from the call is linked to it and shows as an earlier case.
        let mut new = phone_case(&bent, "Blodtryksmåleren viser E1");
        new["call_id"] = json!(call_id);
        let (status, page) = app.post_json(&agent, CASES, new).await;
        assert_eq!(status, 201, "{backend:?} {page}");
        let case = page["case"]["id"].as_str().unwrap().to_string();
        let (status, screen) = app.get(&agent, &screen_path).await;
        assert_eq!(status, 200, "{screen}");
        assert_eq!(screen["call"]["case_id"], case.as_str(), "{screen}");
        let earlier = screen["cases"].as_array().unwrap();
        assert_eq!(earlier.len(), 1, "{screen}");
        assert_eq!(earlier[0]["id"], case.as_str());
        assert_eq!(earlier[0]["channel"], "phone");
    }
}

#[tokio::test]
async fn a_phone_case_is_worked_through_its_actions_and_the_queue_views() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let tech = app.login(TECH).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let (status, screen) = app
            .get(&agent, &format!("/api/v1/servicedesk/caller-screen/{bent}"))
            .await;
        assert_eq!(status, 200, "{backend:?} {screen}");
        let monitor = screen["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"]["model"]["role"] == "bp_monitor")
            .map(|u| u["unit"]["unit"]["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("Bent's BP monitor: {screen}"));

        // Opened on the phone: new, its first-response clock running.
        let (status, page) = app
            .post_json(
                &agent,
                CASES,
                phone_case(&bent, "Blodtryksmåleren viser E1"),
            )
            .await;
        assert_eq!(status, 201, "{backend:?} {page}");
        assert_eq!(page["case"]["status"], "new", "{page}");
        assert_eq!(page["case"]["channel"], "phone");
        assert_eq!(page["case"]["priority"], "normal");
        assert_eq!(page["case"]["citizen_name"], "Bent Hansen");
        assert!(!page["case"]["due_at"].is_null(), "{page}");
        let id = page["case"]["id"].as_str().unwrap().to_string();
        let (status, read) = app.get(&agent, &format!("{CASES}/{id}")).await;
        assert_eq!(status, 200, "{read}");
        assert_eq!(read["case"]["number"], page["case"]["number"]);
        assert!(lists(&queue(&app, &agent, "unassigned").await, &id));

        // Assign, note, SMS, wait for the citizen, resume, the acute lane.
        let (status, page) = act(&app, &agent, &id, json!({ "action": "assign" })).await;
        assert_eq!(
            (status, page["case"]["status"].as_str()),
            (200, Some("open")),
            "{page}"
        );
        assert!(!page["case"]["assignee_name"].is_null(), "{page}");
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "note", "text": "Ringede kl. 10, viser E1" }),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "send_message", "channel": "sms", "text": "Prøv at skifte batterierne." }),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        assert!(!page["case"]["first_response_at"].is_null(), "{page}");
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "wait", "status": "pending_citizen", "note": "Venter på svar" }),
        )
        .await;
        assert_eq!(
            (status, page["case"]["status"].as_str()),
            (200, Some("pending_citizen")),
            "{page}"
        );
        assert!(
            page["case"]["due_at"].is_null(),
            "every clock stands: {page}"
        );
        assert!(lists(
            &queue(&app, &agent, "waiting_for_citizen").await,
            &id
        ));
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "resume", "note": "Bent ringede tilbage" }),
        )
        .await;
        assert_eq!(
            (status, page["case"]["status"].as_str()),
            (200, Some("open")),
            "{page}"
        );
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "reprioritise", "impact": "high", "urgency": "high", "acute": true }),
        )
        .await;
        assert_eq!(
            (status, page["case"]["priority"].as_str()),
            (200, Some("acute")),
            "{page}"
        );

        // The queue's views: mine, and breaching soon (an acute case's update clock runs
        // around the clock with an hour's target).
        assert!(
            lists(&queue(&app, &agent, "mine").await, &id),
            "{backend:?}"
        );
        assert!(!lists(&queue(&app, &tech, "mine").await, &id));
        assert!(lists(&queue(&app, &agent, "breaching_soon").await, &id));
        let all = queue(&app, &agent, "all").await;
        assert_eq!(all[0]["case"]["priority"], "acute", "acute first");
        let (status, body) = app.get(&agent, &format!("{CASES}?view=nope")).await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert_eq!(body["location"], "view");
        let (status, body) = app.get(&agent, &format!("{CASES}?colour=red")).await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (status, body) = app.get(&nurse, CASES).await;
        assert_api_error(status, &body, 403, "forbidden");

        // The swap: a REPLACE order in the equipment module; the case waits for the visit.
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "swap_device", "unit_id": monitor, "fault": "Viser E1 ved hver måling" }),
        )
        .await;
        assert_eq!(status, 200, "{backend:?} {page}");
        assert_eq!(page["case"]["status"], "pending_visit", "{page}");
        assert_eq!(page["case"]["unit_id"], monitor.as_str());
        let swap = page["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "swap")
            .unwrap_or_else(|| panic!("a swap entry: {page}"))
            .clone();
        let order = swap["reference"].as_str().unwrap();
        let (status, order) = app
            .get(&tech, &format!("/api/v1/equipment/orders/{order}"))
            .await;
        assert_eq!(status, 200, "{order}");
        assert_eq!(order["service_type"], "REPLACE", "{order}");
        assert_eq!(order["lines"][0]["replaces_unit_id"], monitor.as_str());
        let (_, screen) = app
            .get(&agent, &format!("/api/v1/servicedesk/caller-screen/{bent}"))
            .await;
        assert!(
            screen["orders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == order["id"]),
            "the caller screen shows the open order: {screen}"
        );
        assert!(
            screen["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["unit"]["unit"]["id"] == monitor.as_str()
                    && u["unit"]["unit"]["state"] == "swap_pending"),
            "{screen}"
        );
        let kinds: Vec<&str> = page["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "opened", "assigned", "note", "sms", "status", "status", "priority", "swap",
                "visit"
            ],
            "{backend:?}"
        );

        // Bodies the actions refuse, and a step the lifecycle refuses.
        for bad in [
            json!({ "action": "explode" }),
            json!({ "action": "resolve" }),
            json!({ "action": "resolve", "resolution": "   " }),
            json!({ "action": "wait", "status": "sleeping" }),
            json!({ "text": "no action" }),
        ] {
            let (status, body) = act(&app, &agent, &id, bad.clone()).await;
            assert_api_error(status, &body, 422, "invalid_input");
            assert!(!body["message"].as_str().unwrap().is_empty(), "{bad}");
        }
        let (status, body) = act(&app, &nurse, &id, json!({ "action": "note", "text": "x" })).await;
        assert_api_error(status, &body, 403, "forbidden");

        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "resolve", "resolution": "Måleren ombyttes" }),
        )
        .await;
        assert_eq!(
            (status, page["case"]["status"].as_str()),
            (200, Some("resolved")),
            "{page}"
        );
        assert!(lists(&queue(&app, &agent, "done").await, &id));
        assert!(!lists(&queue(&app, &agent, "all").await, &id));
        let (status, body) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "resolve", "resolution": "igen" }),
        )
        .await;
        assert_api_error(status, &body, 409, "conflict");

        // An open case is resolved before it is closed.
        let (_, other) = app
            .post_json(&agent, CASES, phone_case(&bent, "Vægten viser forkert"))
            .await;
        let other = other["case"]["id"].as_str().unwrap().to_string();
        act(&app, &agent, &other, json!({ "action": "assign" })).await;
        let (status, body) = act(&app, &agent, &other, json!({ "action": "close" })).await;
        assert_api_error(status, &body, 409, "conflict");
        assert!(body["message"].as_str().unwrap().contains("open"), "{body}");
        let (status, body) = act(&app, &agent, &other, json!({ "action": "reopen" })).await;
        assert_api_error(status, &body, 409, "conflict");
        let (_, page) = app.get(&agent, &format!("{CASES}/{other}")).await;
        assert_eq!(page["case"]["status"], "open", "nothing changed: {page}");
        let (status, body) = app
            .get(
                &agent,
                &format!("{CASES}/{}", "0190a0a0-0000-7000-8000-000000000000"),
            )
            .await;
        assert_api_error(status, &body, 404, "not_found");
    }
}

#[tokio::test]
async fn a_citizen_asks_for_help_sees_their_own_cases_and_rates_the_help_once() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let karen = app.find_citizen(&agent, "Karen").await;
        let citizen = app.citizen_login(BENT_CPR).await;

        // A web case about himself, whatever channel he claims.
        let mut ask = phone_case(&bent, "Jeg kan ikke logge ind på tabletten");
        ask["category"] = json!("login_access");
        let (status, page) = app.post_json(&citizen, CASES, ask.clone()).await;
        assert_eq!(status, 201, "{backend:?} {page}");
        assert_eq!(page["case"]["channel"], "web", "{page}");
        assert_eq!(page["case"]["requester_name"], "Bent Hansen");
        assert_eq!(page["case"]["status"], "new");
        let id = page["case"]["id"].as_str().unwrap().to_string();
        let mut unnamed = ask.clone();
        unnamed.as_object_mut().unwrap().remove("citizen_id");
        let (status, page) = app.post_json(&citizen, CASES, unnamed).await;
        assert_eq!(status, 201, "{page}");
        assert_eq!(page["case"]["citizen_id"], bent.as_str(), "about himself");
        let second = page["case"]["id"].as_str().unwrap().to_string();
        let mut for_karen = ask.clone();
        for_karen["citizen_id"] = json!(karen);
        let (status, body) = app.post_json(&citizen, CASES, for_karen).await;
        assert_api_error(status, &body, 403, "forbidden");

        let (status, mine) = app
            .get(&citizen, &format!("/api/v1/citizens/{bent}/service-cases"))
            .await;
        assert_eq!(status, 200, "{mine}");
        let ids: Vec<&str> = mine["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [second.as_str(), id.as_str()], "newest first: {mine}");
        let (status, body) = app.get(&citizen, CASES).await;
        assert_api_error(status, &body, 403, "forbidden");
        let (status, body) = app
            .get(&citizen, &format!("/api/v1/citizens/{karen}/service-cases"))
            .await;
        assert_api_error(status, &body, 403, "forbidden");
        let (_, karens) = app
            .get(&agent, &format!("/api/v1/citizens/{karen}/service-cases"))
            .await;
        assert_eq!(karens["cases"].as_array().unwrap().len(), 2, "{karens}");
        let (status, body) = app
            .get(
                &citizen,
                &format!("{CASES}/{}", karens["cases"][0]["id"].as_str().unwrap()),
            )
            .await;
        assert_api_error(status, &body, 403, "forbidden");

        // The desk works it; Bent sees what is meant for him, not the internal note.
        act(&app, &agent, &id, json!({ "action": "assign" })).await;
        let (status, _) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "note", "text": "Intern: kodeordet er udløbet" }),
        )
        .await;
        assert_eq!(status, 200);
        let (status, body) = app
            .post_json(
                &citizen,
                &format!("{CASES}/{id}/rating"),
                json!({ "score": 5 }),
            )
            .await;
        assert_api_error(status, &body, 409, "conflict");
        let (status, body) = act(
            &app,
            &citizen,
            &id,
            json!({ "action": "resolve", "resolution": "det virker" }),
        )
        .await;
        assert_api_error(status, &body, 403, "forbidden");
        let (status, page) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "resolve", "resolution": "Nyt kodeord sendt med SMS" }),
        )
        .await;
        assert_eq!(
            (status, page["case"]["status"].as_str()),
            (200, Some("resolved")),
            "{page}"
        );
        let (status, own) = app.get(&citizen, &format!("{CASES}/{id}")).await;
        assert_eq!(status, 200, "{own}");
        let timeline = own["timeline"].as_array().unwrap();
        assert!(
            timeline.iter().all(|e| e["citizen_visible"] == true),
            "{own}"
        );
        assert!(!own.to_string().contains("udløbet"), "{own}");
        assert!(timeline.iter().any(|e| e["kind"] == "resolved"), "{own}");

        // The rating: 1 to 5, once, and only by Bent.
        let rating = format!("{CASES}/{id}/rating");
        let (status, body) = app
            .post_json(&citizen, &rating, json!({ "score": 7 }))
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app.post_json(&agent, &rating, json!({ "score": 5 })).await;
        assert_api_error(status, &body, 403, "forbidden");
        let (status, body) = app
            .post_json(&citizen, &rating, json!({ "score": 5, "stars": 5 }))
            .await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (status, body) = app
            .post_json(
                &citizen,
                &rating,
                json!({ "score": 5, "comment": "Hurtig hjælp" }),
            )
            .await;
        assert_eq!(status, 201, "{backend:?} {body}");
        assert_eq!(body, json!({ "case_id": id, "score": 5 }));
        let (status, body) = app
            .post_json(&citizen, &rating, json!({ "score": 4 }))
            .await;
        assert_api_error(status, &body, 409, "conflict");
        let (_, page) = app.get(&agent, &format!("{CASES}/{id}")).await;
        assert_eq!(page["rating"]["score"], 5, "{page}");
        assert_eq!(page["rating"]["via"], "portal");
        assert_eq!(page["rating"]["comment"], "Hurtig hjælp");
    }
}

#[tokio::test]
async fn the_desk_has_one_number_and_a_calendar_the_agent_keeps() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let nurse = app.login(NURSE).await;
        let citizen = app.citizen_login(BENT_CPR).await;

        // Every signed-in person may read the number and the hours; nobody else.
        let (status, desks) = app.get(&citizen, "/api/v1/servicedesk/desks").await;
        assert_eq!(status, 200, "{backend:?} {desks}");
        let list = desks["desks"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{desks}");
        let desk = list[0].clone();
        assert_eq!(desk["phone"], "+4570203040", "{desk}");
        let week = desk["calendar"]["week"].as_array().unwrap();
        assert_eq!(week.len(), 7, "{desk}");
        assert_eq!(week[0], json!({ "open": 480, "close": 960 }));
        assert!(week[5].is_null() && week[6].is_null(), "closed at weekends");
        assert_eq!(desk["calendar"]["closed_on_holidays"], true);
        assert!(
            desk["calendar"]["closed_days"]
                .as_array()
                .unwrap()
                .contains(&json!("2026-05-15")),
            "the day after Ascension, as YYYY-MM-DD: {desk}"
        );
        let r = app
            .client
            .get(app.url("/api/v1/servicedesk/desks"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let org = desk["org_id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/servicedesk/desks/{org}");

        // A Monday that closes before it opens, a week without an open day, a bad number.
        let mut calendar = desk["calendar"].clone();
        calendar["week"][0] = json!({ "open": 960, "close": 480 });
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &path,
                &json!({ "phone": "70203040", "calendar": calendar }),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &path,
                &json!({ "phone": "70203040", "calendar": { "week": [null, null, null, null, null, null, null], "closed_days": [], "closed_on_holidays": true } }),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &path,
                &json!({ "phone": "ring til os", "calendar": desk["calendar"] }),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &path,
                &json!({ "phone": "70203040", "calendar": desk["calendar"], "email": "x@y.dk" }),
            )
            .await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (_, unchanged) = app.get(&agent, "/api/v1/servicedesk/desks").await;
        assert_eq!(unchanged["desks"][0], desk, "nothing changed");

        // A valid change round-trips: Friday until 15:00, Saturday mornings, a staff day.
        let mut calendar = desk["calendar"].clone();
        calendar["week"][4] = json!({ "open": 480, "close": 900 });
        calendar["week"][5] = json!({ "open": 540, "close": 720 });
        calendar["closed_days"]
            .as_array_mut()
            .unwrap()
            .push(json!("2026-12-28"));
        let (status, saved) = app
            .send_json(
                &agent,
                Method::PUT,
                &path,
                &json!({ "phone": "70 20 30 41", "calendar": calendar }),
            )
            .await;
        assert_eq!(status, 200, "{backend:?} {saved}");
        assert_eq!(saved["phone"], "+4570203041", "{saved}");
        assert_eq!(saved["calendar"], calendar, "{saved}");
        assert_eq!(saved["org_id"], org.as_str());
        let (_, desks) = app.get(&nurse, "/api/v1/servicedesk/desks").await;
        assert_eq!(desks["desks"][0], saved, "{desks}");

        // Only the desk sets it, and only for a service centre.
        let (status, body) = app
            .send_json(
                &nurse,
                Method::PUT,
                &path,
                &json!({ "phone": "70203040", "calendar": calendar }),
            )
            .await;
        assert_api_error(status, &body, 403, "forbidden");
        // The centre's technician works the desk but does not keep its number and hours.
        let tech = app.login("tech@telesund.example").await;
        let (status, body) = app
            .send_json(
                &tech,
                Method::PUT,
                &path,
                &json!({ "phone": "70203040", "calendar": calendar }),
            )
            .await;
        assert_api_error(status, &body, 403, "forbidden");
        let (_, orgs) = app
            .get(&nurse, "/api/v1/organisations?q=Horsens%20Kommune")
            .await;
        let horsens = orgs["organisations"][0]["id"].as_str().unwrap().to_string();
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &format!("/api/v1/servicedesk/desks/{horsens}"),
                &json!({ "phone": "70203040", "calendar": calendar }),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (_, desks) = app.get(&agent, "/api/v1/servicedesk/desks").await;
        assert_eq!(desks["desks"].as_array().unwrap().len(), 1, "{desks}");
    }
}

// ---------------------------------------------------------------------------------------
// Refusals that must leave nothing behind, and inputs only the desk decides.

/// The open orders on Bent's caller screen, and the state of one of his units.
async fn orders_and_state(
    app: &TestApp,
    agent: &Session,
    bent: &str,
    unit: &str,
) -> (usize, Value) {
    let (status, screen) = app
        .get(agent, &format!("/api/v1/servicedesk/caller-screen/{bent}"))
        .await;
    assert_eq!(status, 200, "{screen}");
    let state = screen["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"]["unit"]["id"] == unit)
        .map(|u| u["unit"]["unit"]["state"].clone())
        .unwrap_or(Value::Null);
    (screen["orders"].as_array().unwrap().len(), state)
}

#[tokio::test]
async fn a_refused_swap_or_visit_orders_nothing() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let (_, screen) = app
            .get(&agent, &format!("/api/v1/servicedesk/caller-screen/{bent}"))
            .await;
        let unit_of = |role: &str| {
            screen["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit"]["model"]["role"] == role)
                .map(|u| u["unit"]["unit"]["id"].as_str().unwrap().to_string())
                .unwrap()
        };
        let scale = unit_of("scale");
        let meter = unit_of("glucose_meter");
        let (_, page) = app
            .post_json(&agent, CASES, phone_case(&bent, "Vægten er løst"))
            .await;
        let id = page["case"]["id"].as_str().unwrap().to_string();
        let (status, _) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "resolve", "resolution": "Klaret i telefonen" }),
        )
        .await;
        assert_eq!(status, 200);
        let (orders, state) = orders_and_state(&app, &agent, &bent, &scale).await;
        assert_eq!(state, "in_use");

        let (status, body) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "swap_device", "unit_id": scale, "fault": "vejer forkert" }),
        )
        .await;
        assert_api_error(status, &body, 409, "conflict");
        let (after, state) = orders_and_state(&app, &agent, &bent, &scale).await;
        assert_eq!(
            (after, state),
            (orders, json!("in_use")),
            "{backend:?}: a refused swap leaves no REPLACE order and the scale in use"
        );
        let (status, body) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "book_technician", "unit_id": meter, "service": "TRAINING", "note": "oplæring" }),
        )
        .await;
        assert_api_error(status, &body, 409, "conflict");
        let (after, _) = orders_and_state(&app, &agent, &bent, &meter).await;
        assert_eq!(
            after, orders,
            "{backend:?}: a refused booking orders no visit"
        );
    }
}

#[tokio::test]
async fn only_the_desk_chooses_a_cases_priority() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let citizen = app.citizen_login(BENT_CPR).await;
        let mut ask = phone_case(&bent, "Tabletten starter ikke");
        ask["impact"] = json!("high");
        ask["urgency"] = json!("high");
        ask["acute"] = json!(true);
        let mut staff = ask.clone();
        staff.as_object_mut().unwrap().remove("citizen_id");
        staff["category"] = json!("staff_question");
        for (who, body) in [(&citizen, ask), (&nurse, staff)] {
            let (status, page) = app.post_json(who, CASES, body).await;
            assert!(
                status >= 400 || page["case"]["priority"] == "normal",
                "{backend:?}: a request from outside the desk is not put in the acute lane: {status} {page}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_fields_in_case_bodies_are_refused() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let nurse = app.login(NURSE).await;
        let bent = app.find_citizen(&nurse, "Bent").await;
        let mut new = phone_case(&bent, "Tabletten er sort");
        new["priority"] = json!("acute");
        let (status, body) = app.post_json(&agent, CASES, new).await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (_, page) = app
            .post_json(&agent, CASES, phone_case(&bent, "Tabletten er sort"))
            .await;
        let id = page["case"]["id"].as_str().unwrap().to_string();
        let (status, body) = act(
            &app,
            &agent,
            &id,
            json!({ "action": "assign", "user": "tech@telesund.example" }),
        )
        .await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (_, desks) = app.get(&agent, "/api/v1/servicedesk/desks").await;
        let desk = &desks["desks"][0];
        let mut calendar = desk["calendar"].clone();
        calendar["closed_on_weekends"] = json!(true);
        let (status, body) = app
            .send_json(
                &agent,
                Method::PUT,
                &format!(
                    "/api/v1/servicedesk/desks/{}",
                    desk["org_id"].as_str().unwrap()
                ),
                &json!({ "phone": "70203040", "calendar": calendar }),
            )
            .await;
        assert_api_error(status, &body, 400, "unknown_field");
    }
}
