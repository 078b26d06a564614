//! The citizen's own telemonitoring in the portal over real HTTP on both backends: today's
//! tasks, entering a measurement by hand (Danish decimal comma, errors by the field, a
//! double submit stored once), the history chart, answering a questionnaire, and the care
//! team's messages.

use super::storage::staff_ctx;
use telesund_core::ids::CitizenId;
use telesund_core::monitoring::MeasurementType;
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::questionnaire::{Answer, ItemKind, heart_failure_symptoms, library};
use telesund_core::{ErrorCode, Timestamp};
use telesund_db::monitoring::worklist::{AckScope, MessageDirection};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::{Session, TestApp, backends, spawn_app};

const BENT_CPR: &str = "1203451235";
const CARDIO: &str = "cardio.rhh@telesund.example";

async fn get(app: &TestApp, s: &Session, path: &str) -> (u16, String) {
    let resp = app
        .client
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// Posts a form as the browser does (the CSRF token among the fields); returns the status,
/// the `Location` and the body.
async fn post(
    app: &TestApp,
    s: &Session,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &s.csrf)];
    fields.extend_from_slice(form);
    let resp = app
        .client
        .post(app.url(path))
        .header("cookie", &s.cookie)
        .form(&fields)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, resp.text().await.unwrap_or_default())
}

/// The value of a hidden field in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    html[start..][..html[start..].find('"').unwrap()].to_string()
}

/// Bent signs in through the portal's own login form.
async fn bent_signs_in(app: &TestApp) -> Session {
    let resp = app
        .client
        .post(app.url("/portal/login"))
        .form(&[
            ("login", BENT_CPR),
            ("password", telesund::demo::DEMO_PASSWORD),
            ("next", "/portal/maalinger"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers().get("location").unwrap().to_str().unwrap(),
        "/portal/maalinger"
    );
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("telesund_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let mut s = Session {
        cookie,
        csrf: String::new(),
    };
    let (status, html) = get(app, &s, "/portal/maalinger").await;
    assert_eq!(status, 200, "{html}");
    let marker = r#"<meta name="csrf-token" content=""#;
    let start = html.find(marker).expect("a csrf meta tag") + marker.len();
    s.csrf = html[start..][..html[start..].find('"').unwrap()].to_string();
    s
}

async fn bent_id(db: &Db, ctx: &AccessCtx) -> CitizenId {
    db.search_citizens(ctx, "Bent Hansen", 5).await.unwrap()[0].id
}

async fn weights(db: &Db, ctx: &AccessCtx, bent: CitizenId) -> Vec<f64> {
    db.observations_of(ctx, bent, Some(MeasurementType::Weight), 50)
        .await
        .unwrap()
        .iter()
        .filter_map(|o| o.value(telesund_core::monitoring::Quantity::Weight))
        .collect()
}

/// No inline script, style or event handler (the Content-Security-Policy forbids them).
fn assert_no_inline_code(path: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let tag = &lower[i..i + lower[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{path}: inline script {tag}");
        assert!(lower[i..].contains("></script>"), "{path}: script body");
    }
    assert!(!lower.contains("<style"), "{path}: <style>");
    assert!(!lower.contains(" style="), "{path}: style attribute");
    for handler in [
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        " oninput=",
        "javascript:",
    ] {
        assert!(!lower.contains(handler), "{path}: {handler}");
    }
}

#[tokio::test]
async fn bent_sees_todays_tasks_and_enters_a_weight_once() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cardio = staff_ctx(&app.db, CARDIO).await;
        let bent_id = bent_id(&app.db, &cardio).await;
        let bent = bent_signs_in(&app).await;

        // Today's tasks: the diabetes plan's weekly weighing (and, when the demo was
        // enrolled before today's window closed, the heart-failure plan's daily one), each
        // with a button to the form.
        let (status, html) = get(&app, &bent, "/portal/maalinger").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(html.contains("Mine målinger"));
        assert!(html.contains(r#"id="today-tasks""#), "{html}");
        assert!(html.contains("<h3>Vægt</h3>"), "{html}");
        assert!(html.contains("Én gang i løbet af ugen"), "{html}");
        assert!(html.contains("Forløb: Type 2-diabetes – telemedicinsk opfølgning"));
        if Timestamp::now().in_copenhagen().hour() < 10 {
            assert!(html.contains("Mellem kl. 06:00 og 10:00"), "{html}");
            assert!(html.contains("Forløb: Telemedicinsk hjertesvigt"), "{html}");
        }
        assert!(html.contains(r#"href="/portal/maalinger/ny?type=weight">Indtast din vægt<"#));
        assert!(html.contains("<strong>Mangler</strong>"));
        // Blood pressure is drawn as two charts, each with its own target.
        assert!(
            html.contains(r#"id="chart-systolic""#) && html.contains(r#"id="chart-diastolic""#)
        );
        assert!(html.contains("Dit mål: mellem 95 og 160 mmHg."), "{html}");
        assert!(html.contains("Dit mål: mellem 50 og 95 mmHg."));

        // The form: one large field with its unit, a decimal keyboard, a token per form.
        let (status, form) = get(&app, &bent, "/portal/maalinger/ny?type=weight").await;
        assert_eq!(status, 200);
        assert!(form.contains("Indtast din vægt"));
        assert!(
            form.contains(r#"<label for="f-weight">Vægt</label>"#),
            "{form}"
        );
        assert!(form.contains(r#"inputmode="decimal""#));
        assert!(form.contains(r#"id="f-weight-unit">kg<"#));
        assert!(form.contains(r#"type="time""#));
        let token = hidden(&form, "token");
        assert_eq!(hidden(&form, "csrf_token"), bent.csrf);
        let (_, again) = get(&app, &bent, "/portal/maalinger/ny?type=weight").await;
        assert_ne!(hidden(&again, "token"), token, "a new token for every form");

        let entry = [
            ("type", "weight"),
            ("token", token.as_str()),
            ("weight", "84,5"),
            ("time", ""),
        ];
        let (status, location, _) = post(&app, &bent, "/portal/maalinger/ny", &entry).await;
        assert_eq!(status, 303, "{backend:?}");
        assert_eq!(location, "/portal/maalinger?ok=measurement");
        let stored = app
            .db
            .observations_of(&cardio, bent_id, Some(MeasurementType::Weight), 10)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].values[0].1, 84.5);
        assert_eq!(stored[0].source, Source::Citizen);
        assert_eq!(stored[0].entered_by_name, "Bent Hansen");
        assert!(
            stored[0]
                .identifier
                .as_deref()
                .is_some_and(|i| i.starts_with("urn:telesund:portal-form|")),
            "{:?}",
            stored[0].identifier
        );

        // The same form sent twice (a double click, the back button) is stored once.
        let (status, location, _) = post(&app, &bent, "/portal/maalinger/ny", &entry).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/portal/maalinger?ok=measurement")
        );
        assert_eq!(weights(&app.db, &cardio, bent_id).await, [84.5]);

        // The notice, the task done and the value in the chart and its table.
        let (_, html) = get(&app, &bent, &location).await;
        assert!(
            html.contains("Tak – din måling er sendt til dit behandlerteam."),
            "{html}"
        );
        assert!(html.contains(r#"role="status""#) && html.contains(r#"aria-live="polite""#));
        assert!(html.contains("Klaret – sendt kl."), "{html}");
        assert!(html.contains(r#"id="chart-weight""#));
        let chart = &html[html.find(r#"id="chart-weight""#).unwrap()..];
        assert!(chart.contains("<svg"));
        assert!(chart.contains("84,5"), "{chart}");
        assert!(chart.contains("<details") && chart.contains("Vis som tabel"));
        assert!(chart.contains(r#"<table class="chart-table">"#));
        assert_no_inline_code("/portal/maalinger", &html);

        // Entered earlier today: the time the citizen gives is kept (when that was today).
        let local = Timestamp::now().in_copenhagen();
        if local.hour() >= 1 {
            let (_, form) = get(&app, &bent, "/portal/maalinger/ny?type=weight").await;
            let token = hidden(&form, "token");
            let (status, _, body) = post(
                &app,
                &bent,
                "/portal/maalinger/ny",
                &[
                    ("type", "weight"),
                    ("token", &token),
                    ("weight", "84.2"),
                    ("time", "00:30"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{body}");
            let newest = app
                .db
                .observations_of(&cardio, bent_id, Some(MeasurementType::Weight), 10)
                .await
                .unwrap();
            let early = newest.iter().find(|o| o.values[0].1 == 84.2).unwrap();
            let at = early.effective_at.in_copenhagen();
            assert_eq!((at.date(), at.hour(), at.minute()), (local.date(), 0, 30));
        }
    }
}

#[tokio::test]
async fn an_impossible_value_is_shown_by_its_field_and_stores_nothing() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cardio = staff_ctx(&app.db, CARDIO).await;
        let bent_id = bent_id(&app.db, &cardio).await;
        let bent = app.citizen_login(BENT_CPR).await;
        let (_, form) = get(&app, &bent, "/portal/maalinger/ny?type=weight").await;
        let token = hidden(&form, "token");

        for (typed, message) in [
            ("900", "Det skal være mellem 0,5 og 400 kg."),
            ("abc", "Skriv et tal, fx 84,5."),
            ("", "Skriv din vægt."),
        ] {
            let (status, _, html) = post(
                &app,
                &bent,
                "/portal/maalinger/ny",
                &[
                    ("type", "weight"),
                    ("token", &token),
                    ("weight", typed),
                    ("time", ""),
                ],
            )
            .await;
            assert_eq!(status, 422, "{backend:?} {typed}");
            assert!(html.contains(message), "{typed}: {html}");
            assert!(html.contains(r#"id="f-weight-error""#));
            assert!(html.contains(r#"aria-invalid="true""#));
            assert!(
                html.contains("f-weight-error\""),
                "described by its error: {html}"
            );
            assert!(
                html.contains(&format!(r#"name="weight" value="{typed}""#)),
                "the typed value is kept: {html}"
            );
            assert!(
                html.contains(r#"id="error-summary""#) && html.contains(r##"href="#f-weight""##)
            );
            // The same form token, so the corrected form is still sent once.
            assert_eq!(hidden(&html, "token"), token);
            assert_no_inline_code("/portal/maalinger/ny", &html);
        }
        // A time later than now, kept with its own error.
        let local = Timestamp::now().in_copenhagen();
        if local.hour() < 23 {
            let (status, _, html) = post(
                &app,
                &bent,
                "/portal/maalinger/ny",
                &[
                    ("type", "weight"),
                    ("token", &token),
                    ("weight", "84,5"),
                    ("time", "23:59"),
                ],
            )
            .await;
            assert_eq!(status, 422);
            assert!(html.contains(r#"id="f-time-error""#), "{html}");
            assert!(html.contains(r#"value="84,5""#) && html.contains(r#"value="23:59""#));
            assert!(html.contains("<details class=\"pm-earlier\" open>"));
        }
        // Blood pressure: the two numbers swapped, and one missing.
        let (_, form) = get(&app, &bent, "/portal/maalinger/ny?type=blood_pressure").await;
        assert!(form.contains(r#"for="f-systolic""#) && form.contains(r#"for="f-diastolic""#));
        assert!(form.contains(r#"inputmode="numeric""#));
        let bp_token = hidden(&form, "token");
        let (status, _, html) = post(
            &app,
            &bent,
            "/portal/maalinger/ny",
            &[
                ("type", "blood_pressure"),
                ("token", &bp_token),
                ("systolic", "80"),
                ("diastolic", "130"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("Har du byttet om på dem?"), "{html}");
        let (status, _, html) = post(
            &app,
            &bent,
            "/portal/maalinger/ny",
            &[
                ("type", "blood_pressure"),
                ("token", &bp_token),
                ("systolic", "130"),
                ("diastolic", ""),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains(r#"id="f-diastolic-error""#) && html.contains(r#"value="130""#));

        // A type none of Bent's plans asks for, and a form without its CSRF token.
        let (status, _) = get(&app, &bent, "/portal/maalinger/ny?type=steps").await;
        assert_eq!(status, 404);
        let resp = app
            .client
            .post(app.url("/portal/maalinger/ny"))
            .header("cookie", &bent.cookie)
            .form(&[
                ("type", "weight"),
                ("token", token.as_str()),
                ("weight", "84,5"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{backend:?}");

        assert!(weights(&app.db, &cardio, bent_id).await.is_empty());
        let bp = app
            .db
            .observations_of(&cardio, bent_id, Some(MeasurementType::BloodPressure), 10)
            .await
            .unwrap();
        assert!(bp.is_empty());

        // Without a type: a choice of what the plans measure.
        let (status, html) = get(&app, &bent, "/portal/maalinger/ny").await;
        assert_eq!(status, 200);
        assert!(
            html.contains(r#"href="/portal/maalinger/ny?type=glucose""#),
            "{html}"
        );
        assert!(!html.contains("type=spo2"));
    }
}

#[tokio::test]
async fn bent_answers_his_heart_failure_questions() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        app.db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(&app.db, CARDIO).await;
        let bent_id = bent_id(&app.db, &cardio).await;
        let bent = app.citizen_login(BENT_CPR).await;

        let (status, html) = get(&app, &bent, "/portal/spoergeskema/hf_symptoms").await;
        assert_eq!(status, 200, "{backend:?} {html}");
        assert!(html.contains("Dine symptomer ved hjertesvigt"));
        assert!(html.contains("<fieldset") && html.contains("<legend>"));
        assert!(html.contains(r#"type="radio""#));
        assert!(html.contains("Kun hvis du svarede «Ja» til:"), "{html}");
        assert_no_inline_code("/portal/spoergeskema/hf_symptoms", &html);
        let token = hidden(&html, "token");

        // An answer for every question: the first option, "no" to every yes/no question,
        // and — against that "no" — a "yes" to the chest-pain follow-up, which no longer
        // applies and is left out.
        let q = heart_failure_symptoms();
        let mut answers: Vec<(String, String)> = Vec::new();
        for (i, item) in q.items.iter().enumerate() {
            let value = match &item.kind {
                ItemKind::Choice { options } => options[0].code.clone(),
                ItemKind::Boolean { .. } if item.link_id == "chest_pain_long" => "true".into(),
                ItemKind::Boolean { .. } => "false".into(),
                _ => continue,
            };
            answers.push((format!("a{i}"), value));
        }
        let form = |skip_first: bool| {
            let mut f: Vec<(&str, &str)> = vec![("token", token.as_str())];
            f.extend(
                answers
                    .iter()
                    .skip(usize::from(skip_first))
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
            f
        };

        // The first question left out: its error by it, the other answers kept.
        let (status, _, html) =
            post(&app, &bent, "/portal/spoergeskema/hf_symptoms", &form(true)).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains(r#"id="q-0-error""#), "{html}");
        assert!(html.contains("Dette spørgsmål skal besvares."));
        assert!(html.contains(r#"aria-describedby="q-0-error""#));
        assert!(
            html.contains(r#"id="q-1-1" name="a1" value="false" checked"#),
            "{html}"
        );
        assert_eq!(
            app.db
                .responses_of(&cardio, bent_id, Some("hf_symptoms"), 10)
                .await
                .unwrap()
                .len(),
            0
        );

        let (status, location, body) = post(
            &app,
            &bent,
            "/portal/spoergeskema/hf_symptoms",
            &form(false),
        )
        .await;
        assert_eq!(status, 303, "{backend:?} {body}");
        assert_eq!(location, "/portal/maalinger?ok=answers");
        // Sent twice, stored once.
        let (status, _, _) = post(
            &app,
            &bent,
            "/portal/spoergeskema/hf_symptoms",
            &form(false),
        )
        .await;
        assert_eq!(status, 303);
        let stored = app
            .db
            .responses_of(&cardio, bent_id, Some("hf_symptoms"), 10)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "{backend:?}");
        assert_eq!(stored[0].source, Source::Citizen);
        assert!(
            stored[0]
                .answers
                .iter()
                .all(|(l, _)| l != "chest_pain_long")
        );
        assert!(
            stored[0]
                .answers
                .contains(&("chest_pain".into(), Answer::Boolean(false)))
        );

        let (_, html) = get(&app, &bent, &location).await;
        assert!(html.contains("Tak – dine svar er sendt til dit behandlerteam."));
        let answers_section = &html[html.find(r#"id="answers""#).unwrap()..];
        assert!(
            answers_section.contains("Dine symptomer ved hjertesvigt"),
            "{answers_section}"
        );

        // A questionnaire none of Bent's plans asks for.
        let (status, _) = get(&app, &bent, "/portal/spoergeskema/copd_symptoms").await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn a_message_from_the_clinician_appears_and_is_marked_read() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cardio = staff_ctx(&app.db, CARDIO).await;
        let bent_id = bent_id(&app.db, &cardio).await;
        let bent = app.citizen_login(BENT_CPR).await;

        let (_, html) = get(&app, &bent, "/portal/beskeder").await;
        assert!(html.contains(r#"id="messages-none""#), "{html}");

        // A result to acknowledge, and the acknowledgement with a message.
        app.db
            .submit_observation(
                &cardio,
                NewObservation {
                    citizen_id: bent_id,
                    kind: MeasurementType::Weight,
                    values: vec![SentValue {
                        quantity: telesund_core::monitoring::Quantity::Weight,
                        value: 86.0,
                        unit: "kg".into(),
                    }],
                    effective_at: Timestamp::now(),
                    source: Source::Device,
                    device: Some("SCALE-1".into()),
                    identifier: None,
                    on_behalf_of_name: None,
                },
            )
            .await
            .unwrap();
        let text = "Husk at tage din vanddrivende medicin";
        app.db
            .acknowledge(
                &cardio,
                bent_id,
                AckScope::AllOfCitizen,
                Some(text.into()),
                true,
            )
            .await
            .unwrap();

        let (_, html) = get(&app, &bent, "/portal/maalinger").await;
        assert!(
            html.contains(r#"id="unread-messages""#),
            "{backend:?} {html}"
        );
        let (status, html) = get(&app, &bent, "/portal/beskeder").await;
        assert_eq!(status, 200);
        assert!(html.contains(text), "{html}");
        assert!(html.contains(r#"class="badge pm-badge-new">Ny<"#));
        assert!(html.contains("<time datetime="));
        assert!(html.contains(r#"aria-current="page""#));
        assert_no_inline_code("/portal/beskeder", &html);

        // Shown once as new; marked read.
        let stored = app.db.messages_of(&cardio, bent_id).await.unwrap();
        let to_bent: Vec<_> = stored
            .iter()
            .filter(|m| m.direction == MessageDirection::ToCitizen)
            .collect();
        assert_eq!(to_bent.len(), 1);
        assert!(to_bent[0].read_at.is_some());
        let (_, html) = get(&app, &bent, "/portal/beskeder").await;
        assert!(html.contains(text));
        assert!(!html.contains("pm-badge-new"));
        let (_, html) = get(&app, &bent, "/portal/maalinger").await;
        assert!(!html.contains(r#"id="unread-messages""#));

        // Staff cannot mark Bent's messages read.
        let e = app
            .db
            .mark_messages_read(&cardio, bent_id)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
    }
}

#[tokio::test]
async fn the_pages_speak_english_when_asked_and_send_signed_out_visitors_to_login() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        app.db.ensure_questionnaires(&library()).await.unwrap();
        for path in [
            "/portal/maalinger",
            "/portal/maalinger/ny?type=weight",
            "/portal/beskeder",
        ] {
            let resp = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(resp.status().as_u16(), 303, "{path}");
            let to = resp.headers().get("location").unwrap().to_str().unwrap();
            assert!(to.starts_with("/portal/login?next="), "{to}");
        }
        let bent = app.citizen_login(BENT_CPR).await;
        let (status, _, _) = post(
            &app,
            &bent,
            "/sprog",
            &[("lang", "en"), ("back", "/portal/maalinger")],
        )
        .await;
        assert_eq!(status, 303);
        for (path, expect) in [
            ("/portal/maalinger", "My measurements"),
            ("/portal/maalinger/ny?type=weight", "Enter your weight"),
            ("/portal/maalinger/ny?type=pulse", "beats/min"),
            ("/portal/maalinger/ny", "Choose what you have measured."),
            (
                "/portal/spoergeskema/hf_symptoms",
                "Your heart failure symptoms",
            ),
            ("/portal/beskeder", "You have no messages."),
        ] {
            let (status, html) = get(&app, &bent, path).await;
            assert_eq!(status, 200, "{backend:?} {path}");
            assert!(html.contains(r#"<html lang="en">"#), "{path}");
            assert!(html.contains(expect), "{path}: {html}");
            assert_no_inline_code(path, &html);
        }
        // English numbers with a point are understood, and errors are in English.
        let (_, form) = get(&app, &bent, "/portal/maalinger/ny?type=weight").await;
        let token = hidden(&form, "token");
        let (status, _, html) = post(
            &app,
            &bent,
            "/portal/maalinger/ny",
            &[("type", "weight"), ("token", &token), ("weight", "0.1")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("It must be between 0.5 and 400 kg."),
            "{html}"
        );
    }
}
