//! FHIR R4 over real HTTP on both backends: every declared interaction, the access rules and
//! their audit, the error paths as OperationOutcomes — and every resource served is checked by
//! an R4 validator (scripts/fhir-validate.py; scripts/test sets it up).

use serde_json::{Value, json};
use telesund_testkit::{TestApp, backends, spawn_app};

const CPR_SYSTEM: &str = "urn:oid:1.2.208.176.1.2";

/// Feeds resources to the R4 validator and fails the test on any problem.
pub(crate) fn assert_valid_r4(resources: &[Value]) {
    let python = std::env::var("TELESUND_FHIR_VALIDATOR").expect(
        "TELESUND_FHIR_VALIDATOR is not set: run the suite with scripts/test, which installs the FHIR R4 validator",
    );
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/fhir-validate.py"
    );
    let mut child = std::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the validator starts");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(resources).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "not valid FHIR R4:\n{report}");
}

pub(crate) struct Client<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) token: String,
}

impl Client<'_> {
    pub(crate) async fn as_user<'a>(app: &'a TestApp, email: &str) -> Client<'a> {
        let user = app.db.staff_id_by_email(email).await.unwrap().unwrap();
        let (_, token) = app.db.create_api_token(user, "test").await.unwrap();
        Client { app, token }
    }

    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self
            .app
            .client
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/fhir+json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            ct.starts_with("application/fhir+json"),
            "{path}: content type {ct}"
        );
        (status, resp.json().await.unwrap())
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// A search that must succeed; returns the Bundle.
    pub(crate) async fn search(&self, path: &str) -> Value {
        let (status, bundle) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {bundle}");
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "searchset");
        bundle
    }
}

pub(crate) fn entries(bundle: &Value) -> Vec<Value> {
    bundle["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e["resource"].clone())
        .collect()
}

#[tokio::test]
async fn every_declared_interaction_answers_with_valid_r4() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let nurse = Client::as_user(&app, "nurse.horsens@telesund.example").await;
        let mut served: Vec<Value> = Vec::new();

        // The CapabilityStatement is public and lists what the rest of this test calls.
        let r = app
            .client
            .get(app.url("/fhir/metadata"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let cap: Value = r.json().await.unwrap();
        assert_eq!(cap["fhirVersion"], "4.0.1");
        let declared: Vec<(String, String)> = cap["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                let t = r["type"].as_str().unwrap().to_string();
                r["interaction"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |i| (t.clone(), i["code"].as_str().unwrap().to_string()))
            })
            .collect();
        served.push(cap);
        let mut exercised: Vec<(String, String)> = Vec::new();
        let mut did = |t: &str, i: &str| exercised.push((t.into(), i.into()));

        // Patient: search by CPR (identity only, tagged SUBSETTED), by folded name, then read.
        let bundle = nurse
            .search(&format!(
                "/fhir/Patient?identifier={CPR_SYSTEM}%7C1203451235"
            ))
            .await;
        let hits = entries(&bundle);
        assert_eq!(hits.len(), 1, "{bundle}");
        assert_eq!(hits[0]["meta"]["tag"][0]["code"], "SUBSETTED");
        assert!(
            hits[0].get("telecom").is_none(),
            "a search hit carries identity only"
        );
        let bent = hits[0]["id"].as_str().unwrap().to_string();
        served.push(bundle);
        let bundle = nurse.search("/fhir/Patient?name=soren").await;
        assert_eq!(
            entries(&bundle)[0]["name"][0]["text"],
            "Søren Østergaard",
            "{bundle}"
        );
        served.push(bundle);
        did("Patient", "search-type");
        let (status, patient) = nurse.get(&format!("/fhir/Patient/{bent}")).await;
        assert_eq!(status, 200, "{patient}");
        assert_eq!(patient["identifier"][0]["value"], "1203451235");
        assert_eq!(patient["birthDate"], "1945-03-12");
        assert_eq!(
            patient["managingOrganization"]["display"],
            "Horsens Kommune"
        );
        assert!(patient["telecom"].as_array().is_some_and(|t| !t.is_empty()));
        served.push(patient.clone());
        did("Patient", "read");
        let by_id = nurse.search(&format!("/fhir/Patient?_id={bent}")).await;
        assert_eq!(
            entries(&by_id),
            vec![patient.clone()],
            "_id gives the full, read Patient"
        );
        served.push(by_id);

        // Care relationships.
        let teams = nurse
            .search(&format!("/fhir/CareTeam?patient=Patient/{bent}"))
            .await;
        assert!(!entries(&teams).is_empty(), "{teams}");
        assert_eq!(
            entries(&teams)[0]["subject"]["reference"],
            format!("Patient/{bent}")
        );
        served.push(teams);
        did("CareTeam", "search-type");
        let consents = nurse.search(&format!("/fhir/Consent?patient={bent}")).await;
        assert!(!entries(&consents).is_empty(), "{consents}");
        served.push(consents);
        did("Consent", "search-type");

        // The directory.
        let orgs = nurse.search("/fhir/Organization?type=municipality").await;
        assert!(
            entries(&orgs).len() >= 22,
            "19 in Midtjylland and 3 in Syddanmark"
        );
        let horsens = nurse
            .search("/fhir/Organization?name=horsens%20kommune")
            .await;
        let horsens_org = entries(&horsens)[0].clone();
        assert_eq!(horsens_org["name"], "Horsens Kommune");
        let sor = horsens_org["identifier"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let by_sor = nurse
            .search(&format!(
                "/fhir/Organization?identifier=urn:oid:1.2.208.176.1.1%7C{sor}"
            ))
            .await;
        assert_eq!(entries(&by_sor).len(), 1);
        served.extend([orgs, horsens, by_sor]);
        did("Organization", "search-type");
        let horsens_id = horsens_org["id"].as_str().unwrap().to_string();
        let (status, org) = nurse.get(&format!("/fhir/Organization/{horsens_id}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            org["partOf"]["reference"]
                .as_str()
                .map(|r| r.starts_with("Organization/")),
            Some(true)
        );
        served.push(org);
        did("Organization", "read");

        let nurse_id = app
            .db
            .staff_id_by_email("nurse.horsens@telesund.example")
            .await
            .unwrap()
            .unwrap();
        let (status, practitioner) = nurse.get(&format!("/fhir/Practitioner/{nurse_id}")).await;
        assert_eq!(status, 200, "{practitioner}");
        served.push(practitioner);
        did("Practitioner", "read");
        let orgadmin = Client::as_user(&app, "orgadmin.horsens@telesund.example").await;
        let roles = orgadmin
            .search(&format!("/fhir/PractitionerRole?organization=Organization/{horsens_id}&practitioner={nurse_id}"))
            .await;
        let roles_found = entries(&roles);
        assert_eq!(roles_found.len(), 1, "{roles}");
        assert_eq!(roles_found[0]["code"][0]["coding"][0]["code"], "clinician");
        served.push(roles);
        did("PractitionerRole", "search-type");
        // A clinician does not administer Horsens Kommune's staff.
        let (status, outcome) = nurse
            .get(&format!("/fhir/PractitionerRole?organization={horsens_id}"))
            .await;
        assert_eq!(status, 403, "{outcome}");
        served.push(outcome);

        // Create and update.
        let new_patient = json!({
            "resourceType": "Patient",
            "identifier": [{ "system": CPR_SYSTEM, "value": "0101904127" }],
            "name": [{ "use": "official", "family": "Kristensen", "given": ["Ole"] }],
            "telecom": [{ "system": "phone", "value": "20 30 40 50" }],
            "address": [{ "line": ["Torvet 1"], "postalCode": "8700", "city": "Horsens" }],
            "managingOrganization": { "reference": format!("Organization/{horsens_id}") }
        });
        let (status, created) = nurse
            .send(reqwest::Method::POST, "/fhir/Patient", Some(&new_patient))
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["telecom"][0]["value"], "+4520304050");
        let id = created["id"].as_str().unwrap().to_string();
        served.push(created.clone());
        did("Patient", "create");
        // Registering gives no access by itself; enrolment (JSON API, same token) does.
        let programmes: Value = app
            .client
            .get(app.url("/api/v1/programmes"))
            .bearer_auth(&nurse.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let diabetes = programmes["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str().unwrap().contains("diabetes"))
            .unwrap()["id"]
            .clone();
        let enrolled = app
            .client
            .post(app.url(&format!("/api/v1/citizens/{id}/enrolments")))
            .bearer_auth(&nurse.token)
            .json(&json!({ "programme_id": diabetes, "org_id": horsens_id, "consent_note": "mundtligt" }))
            .send()
            .await
            .unwrap();
        assert_eq!(enrolled.status(), 201);
        let mut changed = created.clone();
        changed["telecom"] = json!([{ "system": "phone", "value": "+45 99 88 77 66" }]);
        let (status, updated) = nurse
            .send(
                reqwest::Method::PUT,
                &format!("/fhir/Patient/{id}"),
                Some(&changed),
            )
            .await;
        assert_eq!(status, 200, "{updated}");
        let (_, reread) = nurse.get(&format!("/fhir/Patient/{id}")).await;
        assert_eq!(reread["telecom"][0]["value"], "+4599887766");
        served.push(updated);
        did("Patient", "update");

        // The audit log shows the nurse's read of Bent, as an administrator sees it.
        let admin = Client::as_user(&app, "admin@telesund.example").await;
        let log = admin
            .search(&format!("/fhir/AuditEvent?patient=Patient/{bent}&agent=Practitioner/{nurse_id}&date=ge2020-01-01"))
            .await;
        let events = entries(&log);
        assert!(
            events
                .iter()
                .any(|e| e["action"] == "R" && e["outcome"] == "0"),
            "{log}"
        );
        assert!(
            events
                .iter()
                .all(|e| e["agent"][0]["who"]["reference"] == format!("Practitioner/{nurse_id}"))
        );
        served.push(log);
        // Paging: a next link that leads to older records and never repeats one.
        let page = admin.search("/fhir/AuditEvent?_count=2").await;
        assert_eq!(entries(&page).len(), 2);
        let next = page["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .expect("a next link")["url"]
            .as_str()
            .unwrap()
            .trim_start_matches(&app.address)
            .to_string();
        let page2 = admin.search(&next).await;
        assert!(entries(&page2)[0]["id"].as_str() < entries(&page)[1]["id"].as_str());
        served.extend([page, page2]);
        did("AuditEvent", "search-type");

        // Measurements: Bent weighs himself; the nurse records it for him, reads it back and
        // finds it by LOINC code and date.
        let weight = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs" }] }],
            "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] },
            "subject": { "reference": format!("Patient/{bent}") },
            "effectiveDateTime": "2026-11-20T07:30:00+01:00",
            "valueQuantity": { "value": 176.4, "unit": "lb", "system": "http://unitsofmeasure.org", "code": "[lb_av]" }
        });
        let (status, stored) = nurse
            .send(reqwest::Method::POST, "/fhir/Observation", Some(&weight))
            .await;
        assert_eq!(status, 201, "{stored}");
        assert_eq!(stored["valueQuantity"]["code"], "kg");
        assert_eq!(stored["valueQuantity"]["value"], 80.0);
        let obs_id = stored["id"].as_str().unwrap().to_string();
        served.push(stored);
        did("Observation", "create");
        let (status, read) = nurse.get(&format!("/fhir/Observation/{obs_id}")).await;
        assert_eq!(status, 200, "{read}");
        served.push(read);
        did("Observation", "read");
        let found = nurse
            .search(&format!("/fhir/Observation?patient=Patient/{bent}&code=http://loinc.org%7C29463-7&date=ge2026-11-20&date=lt2026-11-21&_sort=-date"))
            .await;
        assert_eq!(entries(&found).len(), 1, "{found}");
        assert_eq!(entries(&found)[0]["id"], obs_id.as_str());
        served.push(found);
        did("Observation", "search-type");

        // The care work around it: plans, programmes, questionnaires, answers, triage, tasks.
        let plans = nurse
            .search(&format!(
                "/fhir/CarePlan?patient=Patient/{bent}&status=active"
            ))
            .await;
        assert_eq!(entries(&plans).len(), 2, "{plans}");
        served.push(plans);
        did("CarePlan", "search-type");
        let defs = nurse.search("/fhir/PlanDefinition?status=active").await;
        assert_eq!(entries(&defs).len(), 3, "three demo programmes");
        let def_id = entries(&defs)[0]["id"].as_str().unwrap().to_string();
        served.push(defs);
        did("PlanDefinition", "search-type");
        let (status, def) = nurse.get(&format!("/fhir/PlanDefinition/{def_id}")).await;
        assert_eq!(status, 200, "{def}");
        served.push(def);
        did("PlanDefinition", "read");
        let qs = nurse
            .search("/fhir/Questionnaire?url=https://telesund.dk/fhir/Questionnaire/who5")
            .await;
        assert_eq!(entries(&qs).len(), 1, "{qs}");
        let who5 = entries(&qs)[0].clone();
        served.push(qs);
        did("Questionnaire", "search-type");
        let (status, q) = nurse
            .get(&format!(
                "/fhir/Questionnaire/{}",
                who5["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(status, 200);
        served.push(q);
        did("Questionnaire", "read");
        // Bent's WHO-5, all answers "at no time": score 0, red for the diabetes team.
        let items: Vec<Value> = who5["item"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({ "linkId": i["linkId"], "answer": [{ "valueCoding": { "code": "0" } }] }))
            .collect();
        let response = json!({
            "resourceType": "QuestionnaireResponse",
            "questionnaire": "https://telesund.dk/fhir/Questionnaire/who5",
            "status": "completed",
            "subject": { "reference": format!("Patient/{bent}") },
            "authored": "2026-11-20T09:00:00+01:00",
            "item": items
        });
        let (status, stored) = nurse
            .send(
                reqwest::Method::POST,
                "/fhir/QuestionnaireResponse",
                Some(&response),
            )
            .await;
        assert_eq!(status, 201, "{stored}");
        let response_id = stored["id"].as_str().unwrap().to_string();
        served.push(stored);
        did("QuestionnaireResponse", "create");
        let (status, read) = nurse
            .get(&format!("/fhir/QuestionnaireResponse/{response_id}"))
            .await;
        assert_eq!(status, 200, "{read}");
        served.push(read);
        did("QuestionnaireResponse", "read");
        let answers = nurse
            .search(&format!("/fhir/QuestionnaireResponse?patient={bent}"))
            .await;
        assert_eq!(entries(&answers).len(), 1);
        served.push(answers);
        did("QuestionnaireResponse", "search-type");
        let impressions = nurse
            .search(&format!("/fhir/ClinicalImpression?patient=Patient/{bent}"))
            .await;
        assert!(entries(&impressions).len() >= 2, "{impressions}");
        served.push(impressions);
        did("ClinicalImpression", "search-type");
        let tasks = nurse
            .search(&format!(
                "/fhir/Task?patient=Patient/{bent}&status=requested"
            ))
            .await;
        let open = entries(&tasks);
        assert!(!open.is_empty(), "the red WHO-5 made a task: {tasks}");
        let task_id = open[0]["id"].as_str().unwrap().to_string();
        served.push(tasks);
        did("Task", "search-type");
        let (status, task) = nurse.get(&format!("/fhir/Task/{task_id}")).await;
        assert_eq!(status, 200, "{task}");
        served.push(task);
        did("Task", "read");

        // Equipment: Bent's units (one per role) for his nurse; the service centre finds a
        // unit by its serial number and pages through the fleet.
        let devices = nurse
            .search(&format!("/fhir/Device?patient=Patient/{bent}"))
            .await;
        let found = entries(&devices);
        assert_eq!(found.len(), 4, "{devices}");
        assert!(
            found
                .iter()
                .all(|d| d["patient"]["reference"] == format!("Patient/{bent}"))
        );
        let device_id = found[0]["id"].as_str().unwrap().to_string();
        served.push(devices);
        let tech = Client::as_user(&app, "tech@telesund.example").await;
        let by_serial = tech.search("/fhir/Device?serial-number=5240100201").await;
        assert_eq!(entries(&by_serial).len(), 1, "{by_serial}");
        assert_eq!(entries(&by_serial)[0]["serialNumber"], "5240100201");
        served.push(by_serial);
        let page = tech.search("/fhir/Device?status=active&_count=2").await;
        assert_eq!(entries(&page).len(), 2, "{page}");
        let next = page["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .expect("a next link")["url"]
            .as_str()
            .unwrap()
            .trim_start_matches(&app.address)
            .to_string();
        let page2 = tech.search(&next).await;
        assert!(entries(&page2)[0]["id"].as_str() > entries(&page)[1]["id"].as_str());
        served.extend([page, page2]);
        did("Device", "search-type");
        let (status, device) = nurse.get(&format!("/fhir/Device/{device_id}")).await;
        assert_eq!(status, 200, "{device}");
        assert_eq!(
            device["owner"]["reference"]
                .as_str()
                .map(|r| r.starts_with("Organization/")),
            Some(true)
        );
        served.push(device);
        did("Device", "read");

        exercised.sort();
        exercised.dedup();
        let mut declared = declared;
        declared.sort();
        assert_eq!(
            declared, exercised,
            "every declared interaction is exercised here"
        );
        assert_valid_r4(&served);
    }
}

#[tokio::test]
async fn refusals_and_bad_input_are_operation_outcomes_and_lose_nothing() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let horsens = Client::as_user(&app, "nurse.horsens@telesund.example").await;
        let aarhus = Client::as_user(&app, "nurse.aarhus@telesund.example").await;
        let mut outcomes: Vec<Value> = Vec::new();
        let bundle = horsens.search("/fhir/Patient?identifier=1203451235").await;
        let bent = entries(&bundle)[0]["id"].as_str().unwrap().to_string();

        // No care relationship: 403, and the denial is in the audit log.
        let (status, outcome) = aarhus.get(&format!("/fhir/Patient/{bent}")).await;
        assert_eq!(status, 403);
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        assert_eq!(outcome["issue"][0]["code"], "forbidden");
        assert!(
            outcome["issue"][0]["diagnostics"]
                .as_str()
                .unwrap()
                .starts_with("request id ")
        );
        outcomes.push(outcome);
        let admin = Client::as_user(&app, "admin@telesund.example").await;
        let denied = admin
            .search(&format!("/fhir/AuditEvent?patient={bent}&outcome=4"))
            .await;
        let denied = entries(&denied);
        assert!(
            denied
                .iter()
                .any(|e| e["agent"][0]["who"]["display"] == "Mette Aarhus"
                    || e["agent"][0]["who"]["reference"].as_str().is_some()),
            "{denied:?}"
        );
        assert!(denied.iter().all(|e| e["outcome"] == "4"));
        outcomes.extend(denied);
        // A clinician does not read the audit log.
        let (status, outcome) = horsens.get("/fhir/AuditEvent").await;
        assert_eq!(status, 403);
        outcomes.push(outcome);

        // Bad input: named precisely, nothing stored.
        let post = |body: Value| {
            let horsens = &horsens;
            async move {
                horsens
                    .send(reqwest::Method::POST, "/fhir/Patient", Some(&body))
                    .await
            }
        };
        let (status, outcome) = post(json!({
            "resourceType": "Patient",
            "identifier": [{ "system": CPR_SYSTEM, "value": "0101904127" }],
            "name": [{ "family": "Kristensen", "given": ["Ole"] }],
            "maritalStatus": { "text": "gift" }
        }))
        .await;
        assert_eq!(status, 400, "{outcome}");
        assert!(
            outcome["issue"][0]["details"]["text"]
                .as_str()
                .unwrap()
                .contains("maritalStatus")
        );
        outcomes.push(outcome);
        let (status, outcome) = post(json!({
            "resourceType": "Patient",
            "identifier": [{ "system": CPR_SYSTEM, "value": "3102901234" }],
            "name": [{ "family": "Kristensen", "given": ["Ole"] }]
        }))
        .await;
        assert_eq!(status, 422, "{outcome}");
        assert_eq!(
            outcome["issue"][0]["details"]["coding"][0]["code"],
            "invalid_cpr"
        );
        outcomes.push(outcome);
        let (status, outcome) = post(json!({
            "resourceType": "Patient",
            "identifier": [{ "system": CPR_SYSTEM, "value": "0101904127" }],
            "name": [{ "family": "Kristensen", "given": ["Ole"] }],
            "gender": "female"
        }))
        .await;
        assert_eq!(status, 422);
        assert_eq!(outcome["issue"][0]["expression"][0], "Patient.gender");
        outcomes.push(outcome);
        let (status, outcome) = post(json!({
            "resourceType": "Patient",
            "identifier": [{ "system": CPR_SYSTEM, "value": "1203451235" }],
            "name": [{ "family": "Hansen", "given": ["Bent"] }]
        }))
        .await;
        assert_eq!(status, 409, "{outcome}");
        assert_eq!(outcome["issue"][0]["code"], "duplicate");
        outcomes.push(outcome);
        let none = horsens.search("/fhir/Patient?identifier=0101904127").await;
        assert!(
            entries(&none).is_empty(),
            "nothing was stored by the refused requests"
        );
        let (status, outcome) = horsens
            .send(
                reqwest::Method::PUT,
                &format!("/fhir/Patient/{bent}"),
                Some(&json!({ "resourceType": "Patient", "id": "someone-else",
                    "identifier": [{ "system": CPR_SYSTEM, "value": "1203451235" }],
                    "name": [{ "family": "Hansen", "given": ["Bent"] }] })),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(outcome["issue"][0]["expression"][0], "Patient.id");
        outcomes.push(outcome);

        // Searches that would be ambiguous or unbounded are refused, not guessed at.
        for path in [
            "/fhir/Patient?birthdate=1945-03-12",
            "/fhir/Patient",
            "/fhir/Patient?name=bent&phone=22334455",
            "/fhir/Patient?name:exact=Bent",
            "/fhir/CareTeam",
        ] {
            let (status, outcome) = horsens.get(path).await;
            assert_eq!(
                status,
                if path.contains("birthdate") || path.contains(':') {
                    400 // an unknown parameter or modifier
                } else {
                    422 // a known parameter used in a way that cannot be answered
                },
                "{path}: {outcome}"
            );
            outcomes.push(outcome);
        }
        let (status, outcome) = admin.get("/fhir/AuditEvent?date=yesterday").await;
        assert_eq!(status, 422, "{outcome}");
        outcomes.push(outcome);

        // Unknown ids and resources; no credentials.
        let (status, outcome) = horsens.get("/fhir/Patient/not-an-id").await;
        assert_eq!(status, 404);
        outcomes.push(outcome);
        let (status, outcome) = horsens.get("/fhir/Medication").await;
        assert_eq!(status, 404);
        outcomes.push(outcome);
        let r = app
            .client
            .get(app.url(&format!("/fhir/Patient/{bent}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        outcomes.push(r.json().await.unwrap());

        for o in &outcomes {
            assert!(
                matches!(
                    o["resourceType"].as_str(),
                    Some("OperationOutcome" | "AuditEvent")
                ),
                "{o}"
            );
        }
        assert_valid_r4(&outcomes);
    }
}
