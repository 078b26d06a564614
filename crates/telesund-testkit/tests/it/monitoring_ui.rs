//! The clinician's telemonitoring pages: the worklist, a citizen's results, acknowledging with
//! a message — over HTTP on both backends, and the whole journey in a real Chromium.

use serde_json::{Value, json};
use telesund_testkit::browser::Browser;
use telesund_testkit::{TestApp, backends, spawn_app};

const PASSWORD: &str = "telesund-demo";
const CARDIO: &str = "cardio.rhh@telesund.example";
const BENT_CPR: &str = "1203451235";
const MESSAGE: &str = "Ring venligst til hjerteklinikken i dag om din vægt.";

/// A bearer token for a demo staff user.
async fn token(app: &TestApp, email: &str) -> String {
    app.token_for(email, "test").await
}

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/fhir+json")
            .body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn at_hours_ago(hours: i64) -> String {
    telesund_core::Timestamp(telesund_core::Timestamp::now().0 - hours * 3_600_000_000).to_rfc3339()
}

fn weight(patient: &str, kg: f64, at: &str) -> Value {
    json!({
        "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] },
        "subject": { "reference": format!("Patient/{patient}") },
        "effectiveDateTime": at,
        "valueQuantity": { "value": kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg" }
    })
}

/// The heart-failure team's worklist before Bent's weight gain: another citizen of the
/// clinic, Else Jensen, is enrolled with a yellow blood pressure, and Bent has a green weight.
/// Returns Bent's id.
async fn a_clinic_with_a_yellow_citizen(app: &TestApp, cardio: &str) -> String {
    let (_, found) = call(
        app,
        cardio,
        reqwest::Method::GET,
        &format!("/fhir/Patient?identifier={BENT_CPR}"),
        None,
    )
    .await;
    let bent = found["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, me) = call(app, cardio, reqwest::Method::GET, "/api/v1/me", None).await;
    let clinic = me["memberships"][0]["org_id"].as_str().unwrap().to_string();
    let (_, horsens) = call(
        app,
        cardio,
        reqwest::Method::GET,
        "/fhir/Organization?name=horsens%20kommune",
        None,
    )
    .await;
    let horsens = horsens["entry"][0]["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, else_) = call(
        app,
        cardio,
        reqwest::Method::POST,
        "/fhir/Patient",
        Some(json!({
            "resourceType": "Patient",
            "identifier": [{ "system": "urn:oid:1.2.208.176.1.2", "value": "0101904127" }],
            "name": [{ "use": "official", "family": "Jensen", "given": ["Else"] }],
            "address": [{ "line": ["Torvet 1"], "postalCode": "8700", "city": "Horsens" }],
            "managingOrganization": { "reference": format!("Organization/{horsens}") }
        })),
    )
    .await;
    assert_eq!(status, 201, "{else_}");
    let else_id = else_["id"].as_str().unwrap().to_string();
    let (_, programmes) = call(
        app,
        cardio,
        reqwest::Method::GET,
        "/api/v1/programmes",
        None,
    )
    .await;
    let heart = programmes["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains("hjertesvigt"))
        .unwrap()["id"]
        .clone();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/citizens/{else_id}/enrolments")))
        .bearer_auth(cardio)
        .json(&json!({ "programme_id": heart, "org_id": clinic, "consent_note": "mundtligt" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bp = json!({
        "resourceType": "Observation", "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9" }] },
        "subject": { "reference": format!("Patient/{else_id}") },
        "effectiveDateTime": at_hours_ago(5),
        "component": [
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6" }] }, "valueQuantity": { "value": 166, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } },
            { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4" }] }, "valueQuantity": { "value": 88, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } }
        ]
    });
    let (status, o) = call(
        app,
        cardio,
        reqwest::Method::POST,
        "/fhir/Observation",
        Some(bp),
    )
    .await;
    assert_eq!(status, 201, "{o}");
    let (status, o) = call(
        app,
        cardio,
        reqwest::Method::POST,
        "/fhir/Observation",
        Some(weight(&bent, 84.0, &at_hours_ago(48))),
    )
    .await;
    assert_eq!(status, 201, "{o}");
    bent
}

async fn staff_cookie(app: &TestApp, email: &str) -> String {
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let html = r.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .client
        .post(app.url("/login"))
        .header("cookie", &cookie)
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("telesund_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("a session cookie")
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_worklist_puts_the_red_citizen_first_and_acknowledging_clears_it() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cardio = token(&app, CARDIO).await;
        let bent = a_clinic_with_a_yellow_citizen(&app, &cardio).await;
        let cookie = staff_cookie(&app, CARDIO).await;
        let (status, html) = page(&app, &cookie, "/arbejdsliste").await;
        assert_eq!(status, 200, "{html}");
        let first = html.split("class=\"worklist-row\"").nth(1).unwrap();
        assert!(
            first.contains("Else Jensen"),
            "{backend:?}: yellow first while nobody is red"
        );

        let (status, o) = call(
            &app,
            &cardio,
            reqwest::Method::POST,
            "/fhir/Observation",
            Some(weight(&bent, 86.6, &at_hours_ago(0))),
        )
        .await;
        assert_eq!(status, 201, "{o}");
        let (_, html) = page(&app, &cookie, "/arbejdsliste").await;
        let first = html.split("class=\"worklist-row\"").nth(1).unwrap();
        assert!(
            first.contains("Bent Hansen") && first.contains("badge red"),
            "{backend:?}: {first}"
        );

        // His results page: the red result with its reason, and a chart of his weight.
        let (status, html) = page(&app, &cookie, &format!("/borgere/{bent}/maalinger")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("id=\"unacknowledged\"") && html.contains("<svg"),
            "{html}"
        );
        let csrf = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = app
            .client
            .post(app.url(&format!("/borgere/{bent}/maalinger/kvitter")))
            .header("cookie", &cookie)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("assessment", ""),
                ("message", MESSAGE),
                ("action_taken", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, html) = page(&app, &cookie, "/arbejdsliste").await;
        let first = html.split("class=\"worklist-row\"").nth(1).unwrap();
        assert!(
            first.contains("Else Jensen"),
            "{backend:?}: Bent's work is done"
        );
        assert!(!html.contains("Bent Hansen"));
        let (_, html) = page(&app, &cookie, &format!("/borgere/{bent}/maalinger")).await;
        // The heart team's results are seen; the diabetes team's wait for that team.
        assert!(html.contains("id=\"nothing-new\""), "{html}");
        assert!(html.contains("id=\"other-teams\""), "{html}");

        // The owning organisation sees the alarm burden; the red rule is counted.
        let (_, programmes) = call(
            &app,
            &cardio,
            reqwest::Method::GET,
            "/api/v1/programmes",
            None,
        )
        .await;
        let heart = programmes["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str().unwrap().contains("hjertesvigt"))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, list) = page(&app, &cookie, "/arbejdsliste").await;
        assert!(
            list.contains(&format!("/programmer/{heart}/alarmbyrde")),
            "the owner finds the alarm burden from the worklist"
        );
        let (status, html) = page(&app, &cookie, &format!("/programmer/{heart}/alarmbyrde")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("change:weight:0"), "{html}");
        // A municipality nurse is not the programme's owner.
        let other = staff_cookie(&app, "nurse.aarhus@telesund.example").await;
        let (status, _) = page(&app, &other, &format!("/programmer/{heart}/alarmbyrde")).await;
        assert_eq!(status, 403);
    }
}

/// The journey in Chromium: the Horsens heart-failure clinician sees Bent rise to the
/// top of the worklist after a red weight gain posted over FHIR, acknowledges it with a
/// message, and Bent reads the message in his portal.
#[tokio::test]
async fn browser_a_red_weight_gain_tops_the_worklist_and_bent_reads_the_answer() {
    let first = spawn_app(telesund_testkit::Backend::Sqlite).await;
    let browser = match Browser::start().await {
        Ok(b) => b,
        Err(e) if std::env::var("TELESUND_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("skipping the browser test (TELESUND_SKIP_BROWSER=1): {e}");
            return;
        }
        Err(e) => panic!(
            "the browser test needs chromium and chromedriver (set TELESUND_SKIP_BROWSER=1 to skip): {e:#}"
        ),
    };
    let result = async {
        let mut apps = vec![first];
        for backend in backends().into_iter().skip(1) {
            apps.push(spawn_app(backend).await);
        }
        for app in &apps {
            let backend = app.backend;
            let cardio = token(app, CARDIO).await;
            let bent = a_clinic_with_a_yellow_citizen(app, &cardio).await;
            browser.clear_cookies().await.ok();
            browser.goto(&app.url("/login")).await?;
            browser.type_into("#email", CARDIO).await?;
            browser.type_into("#password", PASSWORD).await?;
            browser.click("#login-submit").await?;
            browser
                .wait_for_text("#user-name", "Camilla Kardiolog")
                .await?;
            browser.goto(&app.url("/arbejdsliste")).await?;
            let top = browser
                .wait_for_text("#worklist tbody tr:first-child", "Else Jensen")
                .await?;
            anyhow::ensure!(!top.contains("Bent"), "{backend:?}: {top}");

            // The scale at home sends a gain of 2.6 kg in two days over FHIR.
            let (status, o) = call(
                app,
                &cardio,
                reqwest::Method::POST,
                "/fhir/Observation",
                Some(weight(&bent, 86.6, &at_hours_ago(0))),
            )
            .await;
            anyhow::ensure!(status == 201, "{o}");
            browser.goto(&app.url("/arbejdsliste")).await?;
            let top = browser
                .wait_for_text("#worklist tbody tr:first-child", "Bent Hansen")
                .await?;
            anyhow::ensure!(top.contains("Rød"), "{backend:?}: {top}");
            browser
                .click("#worklist tbody tr:first-child a.worklist-citizen")
                .await?;
            browser
                .wait_for_text("h1#citizen-name", "Bent Hansen")
                .await?;
            browser.type_into("#message", MESSAGE).await?;
            browser.click("#acknowledge-all-button").await?;
            browser.wait_for_text("#notice", "kvitteret").await?;

            browser.clear_cookies().await?;
            browser.goto(&app.url("/portal/login")).await?;
            browser.type_into("#login", BENT_CPR).await?;
            browser.type_into("#password", PASSWORD).await?;
            browser.click("#login-submit").await?;
            browser
                .wait_for_text("h1#citizen-name", "Bent Hansen")
                .await?;
            browser.goto(&app.url("/portal/beskeder")).await?;
            browser.wait_for_text("main", MESSAGE).await?;
            browser.wait_for_text("main", "Camilla Kardiolog").await?;
            browser.clear_cookies().await?;
        }
        anyhow::Ok(())
    }
    .await;
    if result.is_err()
        && let Ok(png) = browser.screenshot_png().await
    {
        let path = std::env::temp_dir().join("telesund-monitoring-browser-failure.png");
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot: {}", path.display());
    }
    browser.quit().await;
    result.expect("the browser journey");
}

#[tokio::test]
async fn a_clinician_sets_personal_thresholds_and_pauses_the_plan_from_the_results_page() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cardio = token(&app, CARDIO).await;
        let (_, found) = call(
            &app,
            &cardio,
            reqwest::Method::GET,
            &format!("/fhir/Patient?identifier={BENT_CPR}"),
            None,
        )
        .await;
        let bent = found["entry"][0]["resource"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let cookie = staff_cookie(&app, CARDIO).await;
        let (status, html) = page(&app, &cookie, &format!("/borgere/{bent}/maalinger")).await;
        assert_eq!(status, 200);
        // Only the heart team's plan offers changes to the heart clinic.
        assert_eq!(
            html.matches("class=\"thresholds-form\"").count(),
            1,
            "{backend:?}"
        );
        let plan = html
            .split("/maalinger/planer/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let csrf = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let (app, cookie) = (&app, &cookie);
            async move {
                let r = app
                    .client
                    .post(app.url(&path))
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.text().await.unwrap_or_default())
            }
        };
        let (status, _) = post(
            format!("/borgere/{bent}/maalinger/planer/{plan}/graenser"),
            vec![
                ("csrf_token", csrf.clone()),
                ("quantity", "systolic".into()),
                ("alert_low", "85".into()),
                ("warning_low", "95".into()),
                ("warning_high", "145,5".into()),
                ("alert_high", "170".into()),
                ("reason", "Lavere mål efter medicinskift".into()),
            ],
        )
        .await;
        assert_eq!(status, 303);
        // Nonsense is refused and changes nothing.
        let (status, _) = post(
            format!("/borgere/{bent}/maalinger/planer/{plan}/graenser"),
            vec![
                ("csrf_token", csrf.clone()),
                ("quantity", "systolic".into()),
                ("warning_high", "høj".into()),
                ("reason", "x".into()),
            ],
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = post(
            format!("/borgere/{bent}/maalinger/planer/{plan}/status"),
            vec![
                ("csrf_token", csrf.clone()),
                ("status", "paused".into()),
                ("reason", "Indlagt på medicinsk afdeling".into()),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&app, &cookie, &format!("/borgere/{bent}/maalinger")).await;
        assert!(
            html.contains("145,5"),
            "{backend:?}: the personal bound is shown"
        );
        assert!(
            html.contains("Lavere mål efter medicinskift"),
            "in the history"
        );
        assert!(html.contains("Indlagt på medicinsk afdeling"));
        assert!(
            html.contains("value=\"active\""),
            "a paused plan offers to resume"
        );
    }
}
