//! Home measurements over HTTP on both backends: FHIR create, search and paging, transaction
//! and batch Bundles, retries (also racing ones), every kind of bad input as an
//! OperationOutcome that leaves nothing behind, and the JSON API for gateways.

use super::fhir::{Client, assert_valid_r4, entries};
use serde_json::{Value, json};
use telesund_testkit::{TestApp, backends, spawn_app};

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

async fn bent(nurse: &Client<'_>) -> String {
    let found = nurse.search("/fhir/Patient?identifier=1203451235").await;
    entries(&found)[0]["id"].as_str().unwrap().to_string()
}

fn weight(patient: &str, kg: f64, at: &str, id: Option<&str>) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [{ "system": LOINC, "code": "29463-7" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": at,
        "valueQuantity": { "value": kg, "unit": "kg", "system": UCUM, "code": "kg" }
    });
    if let Some(id) = id {
        o["identifier"] = json!([{ "system": "urn:telesund:test", "value": id }]);
    }
    o
}

fn spo2(patient: &str, pct: f64, at: &str) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [{ "system": LOINC, "code": "59408-5" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": at,
        "valueQuantity": { "value": pct, "unit": "%", "system": UCUM, "code": "%" }
    })
}

fn days_ago(days: i64) -> String {
    telesund_core::Timestamp(telesund_core::Timestamp::now().0 - days * 86_400_000_000).to_rfc3339()
}

async fn observations(app: &TestApp) -> i64 {
    app.db.count_rows("observations").await.unwrap()
}

fn post<'a>(
    c: &'a Client<'a>,
    path: &'a str,
    body: &'a Value,
) -> impl Future<Output = (u16, Value)> + 'a {
    c.send(reqwest::Method::POST, path, Some(body))
}

#[tokio::test]
async fn bad_measurements_are_operation_outcomes_and_nothing_is_stored() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        let before = observations(&app).await;
        let mut outcomes = Vec::new();
        let future = telesund_core::Timestamp(telesund_core::Timestamp::now().0 + 3_600_000_000);
        let mut unknown_unit = weight(&bent, 80.0, &days_ago(1), None);
        unknown_unit["valueQuantity"]["code"] = json!("stone");
        let mut unknown_element = weight(&bent, 80.0, &days_ago(1), None);
        unknown_element["valueQuantity"]["colour"] = json!("blue");
        let cases: Vec<(Value, u16, &str)> = vec![
            (spo2(&bent, 101.0, &days_ago(1)), 422, "SpO2 above 100 %"),
            (
                weight(&bent, -3.0, &days_ago(1), None),
                422,
                "negative weight",
            ),
            (
                weight(&bent, 80.0, &future.to_rfc3339(), None),
                422,
                "an hour ahead",
            ),
            (
                weight(
                    "019a0000-0000-7000-8000-000000000000",
                    80.0,
                    &days_ago(1),
                    None,
                ),
                422,
                "unknown citizen",
            ),
            (unknown_unit, 422, "unknown unit"),
            (unknown_element, 400, "unknown element"),
        ];
        for (body, status, what) in cases {
            let (got, outcome) = post(&nurse, "/fhir/Observation", &body).await;
            assert_eq!(got, status, "{backend:?} {what}: {outcome}");
            assert_eq!(outcome["resourceType"], "OperationOutcome", "{what}");
            assert!(
                !outcome["issue"][0]["details"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .is_empty(),
                "{what}: a clear message: {outcome}"
            );
            outcomes.push(outcome);
        }
        // The unknown citizen is named where the fault is.
        assert_eq!(
            outcomes[3]["issue"][0]["expression"][0],
            "Observation.subject"
        );
        assert_eq!(
            observations(&app).await,
            before,
            "{backend:?}: nothing stored"
        );

        // A clinician with no care relationship may not submit for Bent.
        let aarhus = Client::as_user(&app, "nurse.aarhus@telesund.example").await;
        let (status, outcome) = post(
            &aarhus,
            "/fhir/Observation",
            &weight(&bent, 80.0, &days_ago(1), None),
        )
        .await;
        assert_eq!(status, 403, "{outcome}");
        outcomes.push(outcome);
        assert_eq!(observations(&app).await, before);
        assert_valid_r4(&outcomes);
    }
}

#[tokio::test]
async fn a_retry_answers_as_the_first_time_even_when_copies_race() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        let at = days_ago(2);
        let body = weight(&bent, 84.2, &at, Some("scale-7-0001"));
        let (status, first) = post(&nurse, "/fhir/Observation", &body).await;
        assert_eq!(status, 201, "{first}");
        let (status, again) = post(&nurse, "/fhir/Observation", &body).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again, first, "{backend:?}: the same answer");

        // Sixteen copies of one new measurement at once: one row, one answer.
        let before = observations(&app).await;
        let racing = weight(&bent, 84.4, &days_ago(1), Some("scale-7-0002"));
        let answers = futures_join(16, || post(&nurse, "/fhir/Observation", &racing)).await;
        let ids: std::collections::BTreeSet<String> = answers
            .iter()
            .map(|(s, o)| {
                assert!(*s == 201 || *s == 200, "{s}: {o}");
                o["id"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "{backend:?}: every copy answers with the one stored"
        );
        assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1);
        assert_eq!(observations(&app).await, before + 1);
    }
}

/// Runs `n` requests concurrently.
async fn futures_join<F, Fut>(n: usize, make: F) -> Vec<(u16, Value)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = (u16, Value)>,
{
    let mut set = Vec::new();
    for _ in 0..n {
        set.push(make());
    }
    let mut out = Vec::new();
    // Poll them together: join_all without a dependency.
    let mut pinned: Vec<std::pin::Pin<Box<Fut>>> = set.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<(u16, Value)>> = vec![None; pinned.len()];
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    for d in done {
        out.push(d.unwrap());
    }
    out
}

#[tokio::test]
async fn blood_pressure_from_a_device_in_mdc_codes_comes_back_with_every_coding() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        let mdc = "urn:iso:std:iso:11073:10101";
        let bp = json!({
            "resourceType": "Observation",
            "status": "final",
            "code": { "coding": [{ "system": mdc, "code": "150020" }] },
            "subject": { "reference": format!("Patient/{bent}") },
            "effectiveDateTime": days_ago(1),
            "device": { "identifier": { "system": "urn:oid:1.2.840.10004.1.1.1.0.0.1.0.0.1.2680", "value": "00-09-1F-FE-FF-80-12-34" } },
            "component": [
                { "code": { "coding": [{ "system": mdc, "code": "150021" }] }, "valueQuantity": { "value": 142, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" } },
                { "code": { "coding": [{ "system": mdc, "code": "150022" }] }, "valueQuantity": { "value": 88, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]" } }
            ]
        });
        let (status, stored) = post(&nurse, "/fhir/Observation", &bp).await;
        assert_eq!(status, 201, "{backend:?}: {stored}");
        let codes: Vec<&str> = stored["code"]["coding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(&"85354-9") && codes.contains(&"150020"),
            "{codes:?}"
        );
        assert_eq!(stored["component"][0]["valueQuantity"]["value"], 142);
        let found = nurse
            .search(&format!(
                "/fhir/Observation?subject=Patient/{bent}&code=85354-9"
            ))
            .await;
        assert_eq!(entries(&found).len(), 1);
        assert_valid_r4(&[stored, found]);
    }
}

#[tokio::test]
async fn searches_page_newest_first_without_repeating_a_row() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        for day in 1..=5 {
            let (status, o) = post(
                &nurse,
                "/fhir/Observation",
                &weight(&bent, 80.0 + day as f64 / 10.0, &days_ago(day), None),
            )
            .await;
            assert_eq!(status, 201, "{o}");
        }
        let mut seen = Vec::new();
        let mut url = format!("/fhir/Observation?patient={bent}&code=29463-7&_count=2");
        let mut pages = 0;
        loop {
            let page = nurse.search(&url).await;
            pages += 1;
            for e in entries(&page) {
                seen.push(e["effectiveDateTime"].as_str().unwrap().to_string());
            }
            match page["link"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["relation"] == "next")
            {
                Some(next) => {
                    url = next["url"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches(&app.address)
                        .to_string()
                }
                None => {
                    assert_eq!(page["total"], entries(&page).len());
                    break;
                }
            }
        }
        assert_eq!(seen.len(), 5, "{backend:?}: {seen:?}");
        assert_eq!(pages, 3);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(seen, sorted, "newest first");
        // Oldest first, and a date range that selects nothing.
        let asc = nurse
            .search(&format!(
                "/fhir/Observation?patient={bent}&code=29463-7&_sort=date&_count=1"
            ))
            .await;
        assert_eq!(
            entries(&asc)[0]["effectiveDateTime"].as_str().unwrap(),
            sorted[4]
        );
        let none = nurse
            .search(&format!(
                "/fhir/Observation?patient={bent}&date=lt2000-01-01"
            ))
            .await;
        assert!(entries(&none).is_empty());
        // Unsupported or malformed parameters are refused, never ignored.
        for bad in [
            format!("/fhir/Observation?patient={bent}&date=yesterday"),
            format!("/fhir/Observation?patient={bent}&code=http://loinc.org%7C0000-0"),
            format!("/fhir/Observation?patient={bent}&_sort=value"),
            format!("/fhir/Observation?patient={bent}&_page=nonsense"),
            "/fhir/Observation?code=29463-7".to_string(),
        ] {
            let (status, outcome) = nurse.get(&bad).await;
            assert_eq!(status, 422, "{bad}: {outcome}");
        }
    }
}

fn bundle(kind: &str, resources: &[Value]) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": kind,
        "entry": resources.iter().map(|r| json!({
            "resource": r,
            "request": { "method": "POST", "url": "Observation" }
        })).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn a_transaction_is_all_or_nothing_and_a_batch_answers_entry_by_entry() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        let before = observations(&app).await;

        // One impossible value stops the whole transaction, and the outcome names it.
        let bad = bundle(
            "transaction",
            &[
                weight(&bent, 81.0, &days_ago(3), None),
                spo2(&bent, 140.0, &days_ago(3)),
                weight(&bent, 81.5, &days_ago(2), None),
            ],
        );
        let (status, outcome) = post(&nurse, "/fhir", &bad).await;
        assert_eq!(status, 422, "{backend:?}: {outcome}");
        assert!(
            outcome["issue"][0]["expression"][0]
                .as_str()
                .unwrap()
                .starts_with("Bundle.entry[1]"),
            "{outcome}"
        );
        assert_eq!(observations(&app).await, before, "nothing of it stored");

        // A good transaction: every entry created, in order.
        let good = bundle(
            "transaction",
            &[
                weight(&bent, 81.0, &days_ago(3), Some("t-1")),
                weight(&bent, 81.5, &days_ago(2), Some("t-2")),
            ],
        );
        let (status, response) = post(&nurse, "/fhir", &good).await;
        assert_eq!(status, 200, "{response}");
        assert_eq!(response["type"], "transaction-response");
        let statuses: Vec<&str> = response["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["response"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["201 Created", "201 Created"]);
        assert_eq!(observations(&app).await, before + 2);

        // A batch: the good entries are stored, the bad one answered on its own, a resent
        // one recognised, and a repeat inside the batch answered as the first.
        let batch = bundle(
            "batch",
            &[
                weight(&bent, 82.0, &days_ago(1), Some("b-1")),
                weight(&bent, -1.0, &days_ago(1), None),
                weight(&bent, 81.0, &days_ago(3), Some("t-1")),
                weight(&bent, 82.0, &days_ago(1), Some("b-1")),
            ],
        );
        let (status, response) = post(&nurse, "/fhir", &batch).await;
        assert_eq!(status, 200, "{response}");
        assert_eq!(response["type"], "batch-response");
        let e = response["entry"].as_array().unwrap();
        assert_eq!(e[0]["response"]["status"], "201 Created");
        assert_eq!(e[1]["response"]["status"], "422 Unprocessable Entity");
        assert_eq!(
            e[1]["response"]["outcome"]["resourceType"],
            "OperationOutcome"
        );
        assert_eq!(e[2]["response"]["status"], "200 OK");
        assert_eq!(e[3]["response"]["status"], "200 OK");
        assert_eq!(e[3]["response"]["location"], e[0]["response"]["location"]);
        assert_eq!(observations(&app).await, before + 3);

        // Only Observations may be posted in a Bundle; other envelopes are refused.
        let other = json!({ "resourceType": "Bundle", "type": "batch", "entry": [
            { "resource": { "resourceType": "Patient" }, "request": { "method": "POST", "url": "Patient" } }] });
        let (status, response) = post(&nurse, "/fhir", &other).await;
        assert_eq!(status, 200);
        assert_eq!(
            response["entry"][0]["response"]["status"],
            "405 Method Not Allowed"
        );
        let (status, _) = post(
            &nurse,
            "/fhir",
            &json!({ "resourceType": "Bundle", "type": "collection" }),
        )
        .await;
        assert_eq!(status, 422);
        assert_valid_r4(&[response]);
    }
}

#[tokio::test]
async fn gateways_submit_over_json_and_read_back_with_the_triage() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let bent = bent(&nurse).await;
        let url = app.url(&format!("/api/v1/citizens/{bent}/observations"));
        let body = json!({
            "type": "weight",
            "values": [{ "quantity": "weight", "value": 185.0, "unit": "[lb_av]" }],
            "effective_at": days_ago(1),
            "device": "SCALE-0042"
        });
        let r = app
            .client
            .post(&url)
            .bearer_auth(&nurse.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["observation"]["source"], "device");
        assert!((created["observation"]["values"][0][1].as_f64().unwrap() - 83.9).abs() < 0.05);
        assert_eq!(
            created["assessments"].as_array().unwrap().len(),
            2,
            "{created}"
        );
        // The same device and time again: nothing new.
        let r = app
            .client
            .post(&url)
            .bearer_auth(&nurse.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let again: Value = r.json().await.unwrap();
        assert_eq!(again["observation"]["id"], created["observation"]["id"]);
        // Bad input is a JSON error with a stable code.
        let r = app
            .client
            .post(&url)
            .bearer_auth(&nurse.token)
            .json(&json!({ "type": "weight", "values": [{ "quantity": "weight", "value": 80, "unit": "stone" }] }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["code"], "invalid_input");
        let listed: Value = app
            .client
            .get(format!("{url}?type=weight"))
            .bearer_auth(&nurse.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["observations"].as_array().unwrap().len(), 1);
        let plans: Value = app
            .client
            .get(app.url(&format!("/api/v1/citizens/{bent}/care-plans")))
            .bearer_auth(&nurse.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(plans["care_plans"].as_array().unwrap().len(), 2, "{plans}");
    }
}

/// A JSON call with a bearer token: (status, body).
async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn clinicians_tools_over_json_thresholds_pause_worklist_acknowledge_and_programme_versions() {
    use reqwest::Method;
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "cardio.rhh@telesund.example").await;
        let t = nurse.token.clone();
        let bent = bent(&nurse).await;
        let (_, plans) = api(
            &app,
            &t,
            Method::GET,
            &format!("/citizens/{bent}/care-plans"),
            None,
        )
        .await;
        let heart = plans["care_plans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["programme_name"]
                    .as_str()
                    .unwrap()
                    .contains("hjertesvigt")
            })
            .unwrap()
            .clone();
        let plan = heart["id"].as_str().unwrap().to_string();

        // A personal systolic threshold: a reason is required, and the history keeps both.
        let (status, _) = api(
            &app,
            &t,
            Method::PUT,
            &format!("/care-plans/{plan}/thresholds/systolic"),
            Some(json!({ "warning_high": 150.0, "alert_high": 175.0, "reason": "" })),
        )
        .await;
        assert_eq!(status, 422, "{backend:?}: no reason, no change");
        let (status, changed) = api(&app, &t, Method::PUT, &format!("/care-plans/{plan}/thresholds/systolic"),
            Some(json!({ "alert_low": 85.0, "warning_low": 95.0, "warning_high": 150.0, "alert_high": 175.0, "reason": "Lavere mål efter medicinskift" }))).await;
        assert_eq!(status, 200, "{changed}");
        let (_, history) = api(
            &app,
            &t,
            Method::GET,
            &format!("/care-plans/{plan}/history"),
            None,
        )
        .await;
        let change = history["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "thresholds")
            .unwrap()
            .clone();
        assert_eq!(change["reason"], "Lavere mål efter medicinskift");
        assert_eq!(change["old_value"]["warning_high"], 160.0);
        assert_eq!(change["new_value"]["warning_high"], 150.0);

        // 155 systolic is now yellow for this citizen: on the worklist, acknowledged with a note.
        let bp = json!({ "type": "blood_pressure", "values": [
            { "quantity": "systolic", "value": 155, "unit": "mm[Hg]" },
            { "quantity": "diastolic", "value": 85, "unit": "mm[Hg]" }], "effective_at": days_ago(0) });
        let (status, s) = api(
            &app,
            &t,
            Method::POST,
            &format!("/citizens/{bent}/observations"),
            Some(bp),
        )
        .await;
        assert_eq!(status, 201, "{s}");
        assert_eq!(s["assessments"][0]["colour"], "yellow", "{s}");
        let (_, list) = api(&app, &t, Method::GET, "/worklist", None).await;
        assert_eq!(list["citizens"][0]["citizen_id"], bent.as_str(), "{list}");
        let (status, tasks) = nurse
            .get(&format!("/fhir/Task?patient={bent}&status=requested"))
            .await;
        assert_eq!(status, 200);
        let task = entries(&tasks)[0]["id"].as_str().unwrap().to_string();
        let (status, taken) =
            api(&app, &t, Method::POST, &format!("/tasks/{task}/take"), None).await;
        assert_eq!(status, 200, "{taken}");
        assert_eq!(taken["status"], "in-progress");
        let (status, ack) = api(&app, &t, Method::POST, &format!("/citizens/{bent}/acknowledgements"),
            Some(json!({ "message": "Fint – vi følger op ved næste kontrol.", "action_taken": false }))).await;
        assert_eq!(status, 201, "{ack}");
        assert_eq!(ack["tasks_completed"], 1);
        let (_, messages) = api(
            &app,
            &t,
            Method::GET,
            &format!("/citizens/{bent}/messages"),
            None,
        )
        .await;
        assert_eq!(
            messages["messages"][0]["text"],
            "Fint – vi følger op ved næste kontrol."
        );
        let (status, note) = api(
            &app,
            &t,
            Method::POST,
            &format!("/citizens/{bent}/notes"),
            Some(json!({ "text": "Hører dårligt – ring til datteren.", "important": true })),
        )
        .await;
        assert_eq!(status, 201, "{note}");

        // Admitted: paused plans keep results quietly; then ended.
        let (status, paused) = api(
            &app,
            &t,
            Method::POST,
            &format!("/care-plans/{plan}/status"),
            Some(json!({ "status": "paused", "reason": "Indlagt" })),
        )
        .await;
        assert_eq!(status, 200, "{paused}");
        assert_eq!(paused["status"], "paused");

        // The programme owner drafts and activates a new version, and reads the alarm burden.
        let programme = heart["programme_id"].as_str().unwrap().to_string();
        let mut definition = heart["definition"].clone();
        definition["thresholds"] = json!([["pulse", { "alert_low": 40.0, "warning_low": 50.0, "warning_high": 110.0, "alert_high": 130.0 }]]);
        let (status, draft) = api(
            &app,
            &t,
            Method::POST,
            &format!("/programmes/{programme}/versions"),
            Some(definition),
        )
        .await;
        assert_eq!(status, 201, "{draft}");
        assert_eq!(draft["status"], "draft");
        let (status, active) = api(
            &app,
            &t,
            Method::POST,
            &format!(
                "/programme-versions/{}/status",
                draft["id"].as_str().unwrap()
            ),
            Some(json!({ "status": "active" })),
        )
        .await;
        assert_eq!(status, 200, "{active}");
        let (_, versions) = api(
            &app,
            &t,
            Method::GET,
            &format!("/programmes/{programme}/versions"),
            None,
        )
        .await;
        let statuses: Vec<&str> = versions["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == "active").count(),
            1,
            "{statuses:?}"
        );
        let (status, burden) = api(
            &app,
            &t,
            Method::GET,
            &format!("/programmes/{programme}/alarm-burden"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{burden}");
        assert_eq!(burden["alarms"], 1);
        assert_eq!(burden["acknowledged_without_action"], 1);

        // A municipality nurse elsewhere may do none of it.
        let other = Client::as_user(&app, "nurse.aarhus@telesund.example").await;
        let (status, _) = api(
            &app,
            &other.token,
            Method::POST,
            &format!("/care-plans/{plan}/status"),
            Some(json!({ "status": "ended", "reason": "x" })),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = api(
            &app,
            &other.token,
            Method::GET,
            &format!("/programmes/{programme}/alarm-burden"),
            None,
        )
        .await;
        assert_eq!(status, 403);
    }
}
