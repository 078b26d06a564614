//! Equipment over the JSON API and FHIR Device, on both backends: a clinician orders Bent's
//! kit and the service centre carries the order out, scanning and the lifecycle's refusals
//! as standard error bodies, the statement CSV adding up, and who sees which devices.

use super::fhir::{Client, assert_valid_r4, entries};
use reqwest::Method;
use serde_json::{Value, json};
use telesund_core::Timestamp;
use telesund_testkit::{Session, TestApp, assert_api_error, backends, spawn_app};

const NURSE: &str = "nurse.horsens@telesund.example";
const TECH: &str = "tech@telesund.example";
const BENT_CPR: &str = "1203451235";

fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn next_working_day() -> String {
    ymd(telesund_core::calendar::add_working_days(
        Timestamp::now().in_copenhagen().date(),
        1,
    ))
}

fn is_ymd(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 10
            && time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                .is_ok()
    })
}

async fn plans(app: &TestApp, s: &Session, citizen: &str) -> Vec<Value> {
    let (status, body) = app
        .get(s, &format!("/api/v1/citizens/{citizen}/care-plans"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["care_plans"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_clinician_orders_bents_kit_and_the_service_centre_installs_it() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = app.login(NURSE).await;
        let tech = app.login(TECH).await;
        let bent = app.find_citizen(&nurse, "Bent").await;

        // Diabetes ends and Bent is enrolled again: a new plan whose kit is partly at home.
        let diabetes = plans(&app, &nurse, &bent)
            .await
            .into_iter()
            .find(|p| p["programme_name"].as_str().unwrap().contains("diabetes"))
            .unwrap();
        let (status, body) = app
            .post_json(
                &nurse,
                &format!(
                    "/api/v1/care-plans/{}/status",
                    diabetes["id"].as_str().unwrap()
                ),
                json!({ "status": "ended", "reason": "afsluttet forløb" }),
            )
            .await;
        assert_eq!(status, 200, "{backend:?} {body}");
        let (_, orgs) = app
            .get(&nurse, "/api/v1/organisations?q=Horsens%20Kommune")
            .await;
        let horsens = orgs["organisations"][0]["id"].as_str().unwrap().to_string();
        let (status, body) = app.post_json(&nurse,
            &format!("/api/v1/citizens/{bent}/enrolments"),
            json!({ "programme_id": diabetes["programme_id"], "org_id": horsens, "consent_note": "fornyet samtykke" }),
        )
        .await;
        assert_eq!(status, 201, "{backend:?} {body}");
        let plan = plans(&app, &nurse, &bent)
            .await
            .into_iter()
            .find(|p| p["programme_id"] == diabetes["programme_id"] && p["status"] == "active")
            .unwrap();
        let plan = plan["id"].as_str().unwrap().to_string();

        // The preview: the glucose meter is missing, tablet and monitor are shared.
        let (status, preview) = app
            .get(&nurse, &format!("/api/v1/care-plans/{plan}/kit-order"))
            .await;
        assert_eq!(status, 200, "{backend:?} {preview}");
        assert_eq!(preview["order"].as_array().unwrap().len(), 1, "{preview}");
        assert_eq!(preview["order"][0]["role"], "glucose_meter");
        assert_eq!(preview["share"].as_array().unwrap().len(), 2, "{preview}");
        assert_eq!(preview["needs_delivery"], true);

        // Ordering: only the glucose meter, delivered from the next working day on.
        let day = next_working_day();
        let (status, outcome) = app.post_json(&nurse,
            &format!("/api/v1/care-plans/{plan}/kit-order"),
            json!({ "delivery": { "earliest": day, "door_code": "1234", "contact_person": "Lise Hansen (datter)" } }),
        )
        .await;
        assert_eq!(status, 201, "{backend:?} {outcome}");
        let order = &outcome["order"];
        assert_eq!(order["status"], "submitted", "{outcome}");
        assert_eq!(order["service_type"], "INSTALL");
        assert_eq!(
            order["delivery"]["earliest"],
            day.as_str(),
            "dates as YYYY-MM-DD"
        );
        let lines = order["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 1, "{outcome}");
        assert_eq!(lines[0]["role"], "glucose_meter");
        let order_id = order["id"].as_str().unwrap().to_string();
        let line = lines[0]["id"].as_str().unwrap().to_string();
        // A clinician does not run the service centre's queues.
        let (status, body) = app.get(&nurse, "/api/v1/equipment/orders").await;
        assert_api_error(status, &body, 403, "forbidden");

        // The service centre: accept, schedule, pick by scanning, dispatch, install.
        let (status, queue) = app
            .get(&tech, "/api/v1/equipment/orders?status=submitted")
            .await;
        assert_eq!(status, 200, "{queue}");
        assert!(
            queue["orders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == order_id.as_str())
        );
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/orders/{order_id}/status"),
                json!({ "status": "accepted" }),
            )
            .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("accepted")),
            "{body}"
        );
        let (status, visit) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/orders/{order_id}/visits"),
                json!({ "day": day }),
            )
            .await;
        assert_eq!(status, 201, "{backend:?} {visit}");
        assert_eq!(visit["planned_on"], day.as_str());
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/order-lines/{line}/allocation"),
                json!({ "scan": "5240900302" }),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/order-lines/{line}/allocation"),
                json!({ "scan": "UI2340402" }),
            )
            .await;
        assert_eq!(status, 200, "{backend:?} {body}");
        assert_eq!(body["lines"][0]["serial"], "UI2340402");
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/orders/{order_id}/dispatch"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("dispatched")),
            "{body}"
        );
        let (status, plan_of_day) = app
            .get(&tech, &format!("/api/v1/equipment/visits?day={day}"))
            .await;
        assert_eq!(status, 200, "{plan_of_day}");
        assert!(
            plan_of_day["visits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["visit"]["id"] == visit["id"]),
            "{plan_of_day}"
        );
        let proof = json!({ "pairing_tested": true, "first_measurement_received": true, "citizen_instructed": true, "signed_by": "Bent Hansen" });
        let (status, done) = app
            .post_json(
                &tech,
                &format!(
                    "/api/v1/equipment/visits/{}/completion",
                    visit["id"].as_str().unwrap()
                ),
                json!({ "proof": proof, "notes": "ok" }),
            )
            .await;
        assert_eq!(
            (status, done["status"].as_str()),
            (200, Some("done")),
            "{done}"
        );
        let (status, order) = app
            .get(&nurse, &format!("/api/v1/equipment/orders/{order_id}"))
            .await;
        assert_eq!(
            (status, order["status"].as_str()),
            (200, Some("active")),
            "{order}"
        );

        // Bent's equipment, as his nurse sees it: the new glucose meter serves the new plan.
        let (status, equipment) = app
            .get(&nurse, &format!("/api/v1/citizens/{bent}/equipment"))
            .await;
        assert_eq!(status, 200, "{equipment}");
        let meter = equipment["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"]["pi"]["serial"] == "UI2340402")
            .expect("the new glucose meter");
        assert_eq!(meter["unit"]["state"], "in_use");
        assert!(is_ymd(&meter["unit"]["purchased_on"]), "{meter}");
        assert_eq!(meter["assignments"][0]["care_plan_id"], plan.as_str());
    }
}

#[tokio::test]
async fn scanning_and_the_lifecycle_answer_with_standard_errors() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;
        let nurse = app.login(NURSE).await;

        let (status, unit) = app
            .get(&tech, "/api/v1/equipment/units/lookup?scan=5240100201")
            .await;
        assert_eq!(status, 200, "{backend:?} {unit}");
        assert_eq!(unit["unit"]["pi"]["serial"], "5240100201");
        assert_eq!(unit["unit"]["state"], "in_use");
        assert_eq!(unit["model"]["role"], "bp_monitor");
        assert!(is_ymd(&unit["unit"]["purchased_on"]), "{unit}");
        let id = unit["unit"]["id"].as_str().unwrap().to_string();
        let (status, body) = app
            .get(
                &tech,
                "/api/v1/equipment/units/lookup?scan=NO-SUCH-SERIAL-1",
            )
            .await;
        assert_api_error(status, &body, 404, "not_found");
        let (status, body) = app.get(&tech, "/api/v1/equipment/units/lookup").await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert!(body["message"].as_str().unwrap().contains("scan"), "{body}");
        let (status, body) = app.get(&tech, "/api/v1/equipment/units?state=shiny").await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert!(
            body["message"].as_str().unwrap().contains("reprocessing"),
            "{body}"
        );
        let (status, body) = app.get(&tech, "/api/v1/equipment/units?colour=red").await;
        assert_api_error(status, &body, 400, "unknown_field");
        let (status, queue) = app
            .get(
                &tech,
                "/api/v1/equipment/units?state=reprocessing,quarantine&state=recall_hold",
            )
            .await;
        assert_eq!(status, 200, "{queue}");
        assert_eq!(queue["units"].as_array().unwrap().len(), 3, "{queue}");

        // The unit's page; what the lifecycle refuses is a 409 with the standard body.
        let (status, page) = app
            .get(&tech, &format!("/api/v1/equipment/units/{id}"))
            .await;
        assert_eq!(status, 200, "{page}");
        assert!(page["history"].as_array().unwrap().len() >= 5, "{page}");
        let events = format!("/api/v1/equipment/units/{id}/events");
        let (status, body) = app
            .post_json(&tech, &events, json!({ "event": "pass_inspection" }))
            .await;
        assert_api_error(status, &body, 409, "conflict");
        assert!(
            body["message"].as_str().unwrap().contains("in_use"),
            "{body}"
        );
        let (status, body) = app
            .post_json(&tech, &events, json!({ "event": "install" }))
            .await;
        assert_api_error(status, &body, 409, "conflict");
        let (status, body) = app
            .post_json(
                &tech,
                &events,
                json!({ "event": "report_fault", "reason": "display slukket", "colour": "red" }),
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
        let (status, body) = app
            .post_json(&tech, &events, json!({ "event": "explode" }))
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app.post_json(&tech,
            "/api/v1/equipment/units",
            json!({ "model_id": unit["model"]["id"], "serial": "5240100299", "purchased_on": "1. marts 2026", "warehouse_id": unit["unit"]["warehouse_id"] }),
        )
        .await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert!(
            body["message"].as_str().unwrap().contains("YYYY-MM-DD"),
            "{body}"
        );
        // Nothing changed.
        let (_, again) = app
            .get(&tech, "/api/v1/equipment/units/lookup?scan=5240100201")
            .await;
        assert_eq!(again["unit"]["state"], "in_use");
        // Clinicians do not handle units.
        let (status, body) = app
            .get(&nurse, &format!("/api/v1/equipment/units/{id}"))
            .await;
        assert_api_error(status, &body, 403, "forbidden");
    }
}

#[tokio::test]
async fn the_statement_csv_total_is_the_sum_of_its_lines() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;
        let now = Timestamp::now().in_copenhagen().date();
        let month = format!("{:04}-{:02}", now.year(), now.month() as u8);
        let (status, body) = app
            .get(
                &tech,
                &format!("/api/v1/equipment/statements?month={month}"),
            )
            .await;
        assert_eq!(status, 200, "{backend:?} {body}");
        let statements = body["statements"].as_array().unwrap();
        let horsens = statements
            .iter()
            .find(|s| s["payer_name"] == "Horsens Kommune")
            .unwrap_or_else(|| panic!("Horsens pays for Bent's units: {body}"));
        let payer = horsens["statement"]["payer"].as_str().unwrap();
        let total = horsens["statement"]["total"].as_i64().unwrap();
        assert!(total > 0, "{horsens}");

        let resp = app
            .client
            .get(app.url(&format!(
                "/api/v1/equipment/statements.csv?month={month}&payer={payer}"
            )))
            .header("cookie", &tech.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"].to_str().unwrap(),
            "text/csv; charset=utf-8"
        );
        let csv = resp.text().await.unwrap();
        let ore = |field: &str| -> i64 {
            let (kr, ore) = field.split_once(',').unwrap();
            let sign = if kr.starts_with('-') { -1 } else { 1 };
            sign * (kr.trim_start_matches('-').parse::<i64>().unwrap() * 100
                + ore.parse::<i64>().unwrap())
        };
        let rows: Vec<Vec<&str>> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(';').collect())
            .collect();
        let (totals, lines): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r[2] == "total");
        assert_eq!(totals.len(), 1, "{csv}");
        assert!(!lines.is_empty(), "{csv}");
        let sum: i64 = lines.iter().map(|r| ore(r[6])).sum();
        assert_eq!(sum, ore(totals[0][6]), "{csv}");
        assert_eq!(sum, total, "the CSV says what the JSON says");

        // Bad input is named.
        let (status, body) = app
            .get(&tech, "/api/v1/equipment/statements?month=2026-13")
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        assert_eq!(body["location"], "month");
        let (status, body) = app
            .get(
                &tech,
                &format!("/api/v1/equipment/statements.csv?month={month}"),
            )
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
    }
}

#[tokio::test]
async fn devices_are_seen_by_whoever_may_see_the_citizen() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, NURSE).await;
        let tech_api = app.login(TECH).await;
        let tech = Client::as_user(&app, TECH).await;
        let mut served: Vec<Value> = Vec::new();
        let bundle = nurse
            .search(&format!("/fhir/Patient?identifier={BENT_CPR}"))
            .await;
        let bent = entries(&bundle)[0]["id"].as_str().unwrap().to_string();

        // By patient: Bent's four units, one of each type.
        let mine = nurse
            .search(&format!("/fhir/Device?patient=Patient/{bent}"))
            .await;
        let devices = entries(&mine);
        assert_eq!(devices.len(), 4, "{backend:?} {mine}");
        let mut types: Vec<&str> = devices
            .iter()
            .map(|d| d["type"]["coding"][0]["code"].as_str().unwrap())
            .collect();
        types.sort();
        types.dedup();
        assert_eq!(types.len(), 4, "no duplicate device type: {mine}");
        served.push(mine.clone());

        // By serial number: one, the blood pressure monitor, with its UDI.
        let one = tech.search("/fhir/Device?serial-number=5240100201").await;
        let found = entries(&one);
        assert_eq!(found.len(), 1, "{one}");
        assert_eq!(found[0]["patient"]["reference"], format!("Patient/{bent}"));
        let di = found[0]["udiCarrier"][0]["deviceIdentifier"]
            .as_str()
            .unwrap()
            .to_string();
        served.push(one);

        // By UDI-DI: every unit of the model, as the service centre's unit list has them.
        let (_, all) = app.get(&tech_api, "/api/v1/equipment/units").await;
        let mut expected: Vec<&str> = all["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["model"]["udi_di"] == di.as_str())
            .map(|u| u["unit"]["id"].as_str().unwrap())
            .collect();
        expected.sort();
        assert!(expected.len() >= 4, "{all}");
        let by_model = tech.search(&format!("/fhir/Device?udi-di={di}")).await;
        let got: Vec<String> = entries(&by_model)
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, expected, "ordered by id: {by_model}");
        served.push(by_model);
        // A clinician searches one citizen's devices, not the fleet.
        let (status, outcome) = nurse.get(&format!("/fhir/Device?udi-di={di}")).await;
        assert_eq!(status, 403, "{outcome}");
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        served.push(outcome);
        let (status, outcome) = nurse.get("/fhir/Device?colour=red").await;
        assert_eq!(status, 400, "{outcome}");
        served.push(outcome);

        // The citizen reads their own devices, and not another's.
        let (_, karen_unit) = app
            .get(&tech_api, "/api/v1/equipment/units/lookup?scan=R9TX1000102")
            .await;
        let karen = karen_unit["holder"].as_str().unwrap().to_string();
        let karen_device = karen_unit["unit"]["id"].as_str().unwrap().to_string();
        let citizen = app.citizen_login(BENT_CPR).await;
        let (status, own) = app
            .get(&citizen, &format!("/fhir/Device?patient=Patient/{bent}"))
            .await;
        assert_eq!(status, 200, "{own}");
        assert_eq!(entries(&own).len(), 4, "{own}");
        let (status, device) = app
            .get(
                &citizen,
                &format!("/fhir/Device/{}", devices[0]["id"].as_str().unwrap()),
            )
            .await;
        assert_eq!(status, 200, "{device}");
        assert_eq!(device["patient"]["reference"], format!("Patient/{bent}"));
        served.extend([own, device]);
        let (status, outcome) = app
            .get(&citizen, &format!("/fhir/Device?patient=Patient/{karen}"))
            .await;
        assert_eq!(
            (status, outcome["resourceType"].as_str()),
            (403, Some("OperationOutcome"))
        );
        let (status, _) = app
            .get(&citizen, &format!("/fhir/Device/{karen_device}"))
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .get(&citizen, "/fhir/Device?serial-number=R9TX1000102")
            .await;
        assert_eq!(status, 403);
        served.push(outcome);

        // The audit log names Bent for the service centre's search by model, and records
        // the refusals of the citizen's look at Karen's devices.
        let admin = app.login("admin@telesund.example").await;
        let (status, log) = app
            .get(
                &admin,
                &format!("/api/v1/audit-events?citizen={bent}&limit=500"),
            )
            .await;
        assert_eq!(status, 200, "{log}");
        assert!(
            log["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["entity"] == "device"
                    && e["actor_role"] == "logistics_technician"
                    && e["category"] == "support"),
            "{log}"
        );
        let (_, log) = app
            .get(
                &admin,
                &format!("/api/v1/audit-events?citizen={karen}&denied=true"),
            )
            .await;
        assert!(
            log["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["entity"] == "device" && e["actor_kind"] == "citizen"),
            "{log}"
        );
        assert_valid_r4(&served);
    }
}

#[tokio::test]
async fn the_service_centre_runs_catalogue_units_stock_and_recalls_over_the_api() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;
        let nurse = app.login(NURSE).await;
        let today = ymd(Timestamp::now().in_copenhagen().date());

        // The catalogue: a model sent back as read is saved unchanged; a new one is created.
        let (status, body) = app.get(&nurse, "/api/v1/equipment/models").await;
        assert_eq!(status, 200, "{body}");
        let bp = body["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "UA-651BLE")
            .unwrap()
            .clone();
        assert_eq!(
            bp["maintenance"],
            json!({ "kind": "calibration", "interval_days": 730 })
        );
        let (status, saved) = app
            .post_json(&tech, "/api/v1/equipment/models", bp.clone())
            .await;
        assert_eq!((status, &saved), (200, &bp), "{backend:?}");
        let udi = telesund_core::equipment::udi::with_check_digit("0571234500099");
        let mut new_model = bp.clone();
        new_model.as_object_mut().unwrap().remove("id");
        new_model["name"] = json!("UA-1200BLE");
        new_model["udi_di"] = json!(udi);
        let (status, model) = app
            .post_json(&tech, "/api/v1/equipment/models", new_model.clone())
            .await;
        assert_eq!(status, 201, "{backend:?} {model}");
        let (status, body) = app
            .post_json(&nurse, "/api/v1/equipment/models", new_model)
            .await;
        assert_api_error(status, &body, 403, "forbidden");
        let (_, kits) = app.get(&tech, "/api/v1/equipment/kits").await;
        let kit = kits["kits"][0].clone();
        let (status, saved) = app
            .send_json(&tech, Method::PUT, "/api/v1/equipment/kits", &kit)
            .await;
        assert_eq!((status, &saved), (200, &kit), "{backend:?}");
        let (status, prices) = app
            .send_json(
                &tech,
                Method::PUT,
                "/api/v1/equipment/service-prices",
                &json!({ "service_type": "TRAINING", "price": 35_000 }),
            )
            .await;
        assert_eq!(status, 200, "{prices}");
        assert!(
            prices["prices"]
                .as_array()
                .unwrap()
                .contains(&json!({ "service_type": "TRAINING", "price": 35_000 }))
        );

        // A new warehouse receives a unit of the new model, which is inspected and counted.
        let (_, warehouses) = app.get(&tech, "/api/v1/equipment/warehouses").await;
        let owner = warehouses["warehouses"][0]["org_id"].clone();
        let (status, warehouse) = app.post_json(&tech,
            "/api/v1/equipment/warehouses",
            json!({ "org_id": owner, "name": "Lager Aarhus", "address": "Havnegade 1, 8000 Aarhus C" }),
        )
        .await;
        assert_eq!(status, 201, "{warehouse}");
        let (status, received) = app.post_json(&tech,
            "/api/v1/equipment/units",
            json!({ "model_id": model["id"], "serial": "UA12-0001", "lot": "L2611", "expiry": "2031-12-31",
                    "purchased_on": today, "warehouse_id": warehouse["id"] }),
        )
        .await;
        assert_eq!(status, 201, "{backend:?} {received}");
        assert_eq!(received["unit"]["state"], "received");
        assert_eq!(received["unit"]["pi"]["expiry"], "2031-12-31");
        assert_eq!(received["unit"]["purchased_on"], today.as_str());
        let unit = received["unit"]["id"].as_str().unwrap().to_string();
        for event in ["start_inspection", "pass_inspection"] {
            let (status, body) = app
                .post_json(
                    &tech,
                    &format!("/api/v1/equipment/units/{unit}/events"),
                    json!({ "event": event }),
                )
                .await;
            assert_eq!(status, 200, "{event}: {body}");
        }
        let (status, body) = app
            .send_json(
                &tech,
                Method::PUT,
                "/api/v1/equipment/stock/reorder-levels",
                &json!({ "warehouse_id": warehouse["id"], "model_id": model["id"], "level": 2 }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, stock) = app.get(&tech, "/api/v1/equipment/stock").await;
        let line = stock["stock"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["warehouse_id"] == warehouse["id"])
            .unwrap()
            .clone();
        assert_eq!(
            (
                line["available"].as_i64(),
                line["below_reorder_level"].as_bool()
            ),
            (Some(1), Some(true)),
            "{line}"
        );
        let (status, take) = app
            .post_json(
                &tech,
                "/api/v1/equipment/stock-takes",
                json!({ "warehouse_id": warehouse["id"] }),
            )
            .await;
        assert_eq!(status, 201, "{take}");
        let take = take["id"].as_str().unwrap().to_string();
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/stock-takes/{take}/scans"),
                json!({ "scan": "ua12-0001" }),
            )
            .await;
        assert_eq!(
            (status, body["unit"]["id"].as_str()),
            (200, Some(unit.as_str())),
            "{body}"
        );
        let (status, result) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/stock-takes/{take}/finish"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(
            (
                result["scanned"].as_i64(),
                result["missing"].as_array().map(Vec::len)
            ),
            (Some(1), Some(0))
        );
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/units/{unit}/maintenance"),
                json!({ "kind": "calibration", "done_on": today, "notes": "kontrolleret" }),
            )
            .await;
        assert_eq!(
            (status, body["done_on"].as_str()),
            (201, Some(today.as_str())),
            "{body}"
        );

        // A recall of the new model holds the unit; the all-clear sends it to quarantine.
        let (status, report) = app
            .post_json(
                &tech,
                "/api/v1/equipment/recalls",
                json!({ "udi_di": udi, "reason": "sikkerhedsmeddelelse" }),
            )
            .await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["held"][0]["unit"]["state"], "recall_hold");
        let (status, body) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/units/{unit}/recall-release"),
                json!({ "reason": "producenten har frigivet lottet" }),
            )
            .await;
        assert_eq!(
            (status, body["unit"]["state"].as_str()),
            (200, Some("quarantine")),
            "{body}"
        );

        // Tracing: Bent had monitor 5240100201 of lot L2403; a fault orders a replacement.
        let (_, monitor) = app
            .get(&tech, "/api/v1/equipment/units/lookup?scan=5240100201")
            .await;
        let monitor_id = monitor["unit"]["id"].as_str().unwrap().to_string();
        let (status, holders) = app
            .get(
                &tech,
                &format!(
                    "/api/v1/equipment/lots/holders?udi_di={}&lot=L2403",
                    monitor["model"]["udi_di"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(status, 200, "{holders}");
        assert!(
            holders["holders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["citizen_name"] == "Bent Hansen")
        );
        let (status, holders) = app
            .get(
                &tech,
                &format!("/api/v1/equipment/units/{monitor_id}/holders"),
            )
            .await;
        assert_eq!(
            (status, holders["holders"].as_array().map(Vec::len)),
            (200, Some(1)),
            "{holders}"
        );
        let (status, order) = app
            .post_json(
                &tech,
                &format!("/api/v1/equipment/units/{monitor_id}/replacement"),
                json!({ "fault": "viser fejl E1" }),
            )
            .await;
        assert_eq!(
            (status, order["service_type"].as_str()),
            (201, Some("REPLACE")),
            "{order}"
        );

        // The tablet being cleaned gets its hygiene record and is available again.
        let (_, tablet) = app
            .get(&tech, "/api/v1/equipment/units/lookup?scan=R9TX1000106")
            .await;
        let (status, body) = app.post_json(&tech,
            &format!("/api/v1/equipment/units/{}/reprocessing", tablet["unit"]["id"].as_str().unwrap()),
            json!({ "cleaning_method": "Manuel aftørring", "disinfection_agent": "70 % ethanol", "contact_time_minutes": 1,
                    "operator": "Thomas Tekniker", "data_wiped": true, "factory_reset": true, "function_test_passed": true }),
        )
        .await;
        assert_eq!(
            (status, body["unit"]["state"].as_str()),
            (201, Some("available")),
            "{body}"
        );

        // Maintenance ahead.
        let (status, due) = app
            .get(&tech, "/api/v1/equipment/maintenance-due?days=365")
            .await;
        assert_eq!(status, 200, "{due}");
        assert!(
            due["units"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| is_ymd(&d["due"]["due_on"])),
            "{due}"
        );
        let (status, body) = app
            .get(&tech, "/api/v1/equipment/maintenance-due?days=lots")
            .await;
        assert_api_error(status, &body, 422, "invalid_input");
        let (status, body) = app
            .post_json(
                &tech,
                "/api/v1/equipment/maintenance-visits",
                json!({ "days": 365 }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert!(body["planned"].as_u64().is_some(), "{body}");
    }
}
