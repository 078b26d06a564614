//! The service centre's equipment pages over HTTP on both backends, on the demo equipment:
//! the dashboard, the scan field (serial number and GS1 label), a unit's page and QR label,
//! a replacement order carried through accept, schedule, allocation by scanning, dispatch
//! and the installation visit, reprocessing, a stock-take, a recall, the monthly statement
//! as CSV — and a clinician refused.

use telesund_core::equipment::udi::{element_string, with_check_digit};
use telesund_testkit::{Session, TestApp, backends, spawn_app};

const TECH: &str = "tech@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";

async fn get(app: &TestApp, s: &Session, path: &str) -> (u16, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a form with the session's CSRF token: the status, the redirect target and the body.
async fn post(
    app: &TestApp,
    s: &Session,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", s.csrf.as_str())];
    fields.extend_from_slice(form);
    let r = app
        .client
        .post(app.url(path))
        .header("cookie", &s.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.unwrap())
}

fn query(s: &str) -> String {
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

/// The unit page a scan leads to (the scan field answers with a redirect).
async fn scan(app: &TestApp, s: &Session, text: &str) -> String {
    let r = app
        .client
        .get(app.url(&format!("/udstyr/find?q={}", query(text))))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "scanning {text:?}");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/udstyr/enheder/"), "{to}");
    to
}

/// The value of the first `<input name="{name}" value="...">` after `from` in `html`.
fn input_value(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no input {name}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Every `<script>` has a `src`, and there is no inline style or event handler.
fn assert_no_inline_code(path: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let tag = &lower[i..i + lower[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{path}: inline script {tag}");
    }
    assert!(!lower.contains("<style"), "{path}: <style>");
    assert!(!lower.contains(" style="), "{path}: style attribute");
    for handler in [
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        "javascript:",
    ] {
        assert!(!lower.contains(handler), "{path}: {handler}");
    }
}

/// Kroner with a decimal comma ("1234,56", "-3,00") as øre.
fn ore(text: &str) -> i64 {
    let (sign, t) = match text.strip_prefix('-') {
        Some(t) => (-1, t),
        None => (1, text),
    };
    let (kr, ore) = t.split_once(',').expect("a decimal comma");
    sign * (kr.parse::<i64>().unwrap() * 100 + ore.parse::<i64>().unwrap())
}

#[tokio::test]
async fn the_service_centre_finds_units_reads_their_history_and_bills_the_month() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;

        // The dashboard shows the demo's real queues: the monitor waiting in quarantine, the
        // tablet being cleaned, and the models below their reorder level.
        let (status, html) = get(&app, &tech, "/udstyr").await;
        assert_eq!(status, 200, "{backend:?}: {html}");
        let queue = html
            .split("id=\"reprocessing-queue\"")
            .nth(1)
            .expect("a queue");
        assert!(
            queue.contains("5240100204") && queue.contains("Karantæne"),
            "{queue}"
        );
        assert!(queue.contains("R9TX1000106") && queue.contains("Genbehandling"));
        let alerts = html
            .split("id=\"stock-alerts\"")
            .nth(1)
            .expect("stock alerts");
        assert!(alerts.contains("Accu-Chek Instant"), "{alerts}");
        assert!(
            html.contains("href=\"/udstyr\" aria-current=\"page\""),
            "the nav link"
        );
        assert!(
            html.contains("id=\"scan\""),
            "the scan field is on the page"
        );
        assert_no_inline_code("/udstyr", &html);

        // The scan field: a typed serial and the GS1 label printed for the same unit (in
        // both spellings) lead to the same page; nothing found is said plainly.
        let by_serial = scan(&app, &tech, "5240100201").await;
        let di = with_check_digit("0571234500002");
        let printed = element_string(
            &di,
            "5240100201",
            Some("L2403"),
            Some(time::macros::date!(2030 - 06 - 30)),
        );
        assert_eq!(scan(&app, &tech, &printed).await, by_serial);
        let raw = format!("]d201{di}17300630") + "10L2403\u{1d}215240100201";
        assert_eq!(scan(&app, &tech, &raw).await, by_serial);
        assert_eq!(scan(&app, &tech, "5240100201 ").await, by_serial);
        let (status, html) = get(&app, &tech, "/udstyr/find?q=FINDES-IKKE-42").await;
        assert_eq!(status, 404);
        assert!(html.contains("id=\"scan-not-found\"") && html.contains("FINDES-IKKE-42"));
        assert!(
            html.contains("value=\"FINDES-IKKE-42\""),
            "the field keeps the text"
        );

        // Bent's blood pressure monitor: its model, state, the plans it serves with equal
        // shares, its history from receipt to installation, and who had it.
        let (status, html) = get(&app, &tech, &by_serial).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("D Medical UA-651BLE"), "{html}");
        assert!(html.contains("id=\"unit-state\">I brug<"), "{html}");
        let assignments = html.split("id=\"assignments\"").nth(1).unwrap();
        assert!(assignments.contains("Bent Hansen") && assignments.contains("50 %"));
        let history = html.split("id=\"unit-history\"").nth(1).unwrap();
        for step in [
            "Modtaget fra leverandør",
            "Modtagekontrol godkendt",
            "Reserveret",
            "Sendt ud",
            "Installeret",
        ] {
            assert!(history.contains(step), "{backend:?}: {step} in {history}");
        }
        assert!(history.contains("Til rådighed → Reserveret"), "from → to");
        assert!(html.contains("id=\"holders\"") && html.contains("Bent Hansen"));
        assert!(
            html.contains("id=\"replace\""),
            "a unit in use can be replaced"
        );
        assert!(html.contains(&format!("(01){di}(17)300630(10)L2403(21)5240100201")));
        assert_no_inline_code(&by_serial, &html);

        // Its QR label is an SVG of the same element string.
        let r = app
            .client
            .get(app.url(&format!("{by_serial}/etiket.svg")))
            .header("cookie", &tech.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        let svg = r.text().await.unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("5240100201"),
            "{svg}"
        );

        // Every other page of the section renders, without inline code.
        for path in [
            "/udstyr/katalog",
            "/udstyr/kits",
            "/udstyr/enheder",
            "/udstyr/enheder?tilstand=available",
            "/udstyr/lager",
            "/udstyr/besoeg",
            "/udstyr/tilbagekald",
            "/udstyr/opgoerelse",
        ] {
            let (status, html) = get(&app, &tech, path).await;
            assert_eq!(status, 200, "{backend:?} {path}: {html}");
            assert_no_inline_code(path, &html);
        }
        let (_, catalogue) = get(&app, &tech, "/udstyr/katalog").await;
        assert!(catalogue.contains("2.499,00 kr."), "prices in kroner");
        let (_, kits) = get(&app, &tech, "/udstyr/kits").await;
        assert!(kits.contains("Hjertesvigt-kit") || kits.contains("Omron M7 Intelli IT"));

        // This month's statements, and one payer's as CSV whose total row is the sum of
        // its lines.
        let month = {
            let d = telesund_core::Timestamp::now().in_copenhagen().date();
            format!("{:04}-{:02}", d.year(), d.month() as u8)
        };
        let (status, html) = get(&app, &tech, &format!("/udstyr/opgoerelse?maaned={month}")).await;
        assert_eq!(status, 200);
        let payer = html
            .split("betaler=")
            .nth(1)
            .expect("a statement with a CSV link")
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = app
            .client
            .get(app.url(&format!(
                "/udstyr/opgoerelse.csv?maaned={month}&betaler={payer}"
            )))
            .header("cookie", &tech.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.starts_with("attachment; filename=\"udstyr-")
                && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        let csv = r.text().await.unwrap();
        let rows: Vec<&str> = csv.lines().collect();
        assert!(rows[0].starts_with("betaler;måned;art"), "{csv}");
        assert!(rows.len() > 2, "lines and a total: {csv}");
        let amount = |row: &str| ore(row.rsplit(';').next().unwrap());
        let (total, lines) = rows[1..].split_last().unwrap();
        assert!(total.contains(";total;"), "{csv}");
        let sum: i64 = lines.iter().map(|r| amount(r)).sum();
        assert_eq!(sum, amount(total), "{backend:?}: {csv}");
        assert!(sum > 0, "{csv}");

        // A clinician is refused the section, and has no link to it.
        let cardio = app.login(CARDIO).await;
        for path in ["/udstyr", "/udstyr/katalog", "/udstyr/kits", &by_serial] {
            let (status, html) = get(&app, &cardio, path).await;
            assert_eq!(status, 403, "{backend:?} {path}");
            assert!(html.contains("Ingen adgang"), "{html}");
        }
        let (status, _, _) = post(&app, &cardio, "/udstyr/vedligehold/planlaeg", &[]).await;
        assert_eq!(status, 403);
        let (_, home) = get(&app, &cardio, "/").await;
        assert!(!home.contains("href=\"/udstyr\""));
    }
}

#[tokio::test]
async fn a_faulty_tablet_is_replaced_in_the_home_through_the_order_page() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;
        let old = scan(&app, &tech, "R9TX1000101").await;

        // A fault reported from the unit page orders a replacement.
        let (status, to, body) = post(
            &app,
            &tech,
            &format!("{old}/ombyt"),
            &[("fault", "Skærmen forbliver sort")],
        )
        .await;
        assert_eq!(status, 303, "{backend:?}: {body}");
        assert!(
            to.starts_with("/udstyr/ordrer/") && to.ends_with("?ok=replacement"),
            "{to}"
        );
        let order = to.split('?').next().unwrap().to_string();
        let (_, html) = get(&app, &tech, &to).await;
        assert!(html.contains("id=\"order-status\">Afgivet<"), "{html}");
        assert!(
            html.contains("Skærmen forbliver sort"),
            "the trace says why"
        );

        // Rejecting needs a reason: refused on the page, not an error page.
        let (status, _, html) = post(
            &app,
            &tech,
            &format!("{order}/status"),
            &[("status", "rejected"), ("reason", " ")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"form-error\""), "{html}");

        let (status, _, _) = post(
            &app,
            &tech,
            &format!("{order}/status"),
            &[("status", "accepted")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get(&app, &tech, &order).await;
        assert!(html.contains(">Accepteret<"), "{html}");
        let day = input_value(&html, "day");
        let (status, _, body) =
            post(&app, &tech, &format!("{order}/planlaeg"), &[("day", &day)]).await;
        assert_eq!(status, 303, "{body}");

        // Picking by scanning: a monitor does not fit the tablet line; a tablet does.
        let (_, html) = get(&app, &tech, &order).await;
        assert!(html.contains(">Planlagt<"), "{html}");
        let line = input_value(&html, "line");
        let (status, _, html) = post(
            &app,
            &tech,
            &format!("{order}/tildel"),
            &[("line", &line), ("scanned", "5240100202")],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"form-error\""));
        let (status, _, body) = post(
            &app,
            &tech,
            &format!("{order}/tildel"),
            &[("line", &line), ("scanned", "R9TX1000103")],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let (_, html) = get(&app, &tech, &order).await;
        assert!(
            html.contains(">Plukkes<") && html.contains("R9TX1000103"),
            "{html}"
        );
        let (status, _, body) = post(&app, &tech, &format!("{order}/send"), &[]).await;
        assert_eq!(status, 303, "{body}");

        // The technician's day plan has the swap; without the proof it is refused.
        let (status, html) = get(&app, &tech, &format!("/udstyr/besoeg?dag={day}")).await;
        assert_eq!(status, 200);
        let visit = html
            .split("class=\"card visit\"")
            .skip(1)
            .find(|v| v.contains("Ombytning") && v.contains("Bent Hansen"))
            .expect("the swap visit on the day plan");
        assert!(visit.contains("Tablet: R9TX1000103"), "{visit}");
        let action = visit
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (status, _, html) = post(
            &app,
            &tech,
            &action,
            &[("dag", &day), ("proof", "1"), ("signed_by", "Bent Hansen")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"form-error\""), "{html}");
        let (status, to, body) = post(
            &app,
            &tech,
            &action,
            &[
                ("dag", &day),
                ("proof", "1"),
                ("pairing_tested", "on"),
                ("first_measurement_received", "on"),
                ("citizen_instructed", "on"),
                ("signed_by", "Bent Hansen"),
                ("notes", "Ny tablet parret"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        assert!(to.contains("ok=completed"));

        // The new tablet is in use; the old one is on its way back.
        let new = scan(&app, &tech, "R9TX1000103").await;
        let (_, html) = get(&app, &tech, &new).await;
        assert!(html.contains("id=\"unit-state\">I brug<"), "{html}");
        let (_, html) = get(&app, &tech, &old).await;
        assert!(
            html.contains("id=\"unit-state\">Under returnering<"),
            "{html}"
        );
        let (_, html) = get(&app, &tech, &order).await;
        assert!(html.contains("id=\"order-status\">Aktiv<"), "{html}");
    }
}

#[tokio::test]
async fn reprocessing_stock_takes_and_recalls_from_their_pages() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;

        // A tablet in reprocessing passes only wiped and reset.
        let tablet = scan(&app, &tech, "R9TX1000106").await;
        let (_, html) = get(&app, &tech, &tablet).await;
        assert!(html.contains("id=\"reprocessing-form\""), "{html}");
        let record = [
            ("cleaning_method", "Manuel aftørring"),
            ("disinfection_agent", "70 % ethanol"),
            ("contact_time_minutes", "1"),
            ("operator", "Thomas Tekniker"),
            ("function_test_passed", "on"),
        ];
        let (status, _, html) =
            post(&app, &tech, &format!("{tablet}/genbehandling"), &record).await;
        assert_eq!(status, 422, "{backend:?}");
        assert!(html.contains("id=\"form-error\""));
        assert!(
            html.contains("value=\"Manuel aftørring\""),
            "the form keeps what was typed"
        );
        let mut full = record.to_vec();
        full.extend([("data_wiped", "on"), ("factory_reset", "on")]);
        let (status, _, body) = post(&app, &tech, &format!("{tablet}/genbehandling"), &full).await;
        assert_eq!(status, 303, "{body}");
        let (_, html) = get(&app, &tech, &tablet).await;
        assert!(html.contains("id=\"unit-state\">Til rådighed<"), "{html}");
        assert!(html.contains("id=\"reprocessing-records\""));

        // A hand event with its reason: the monitor in quarantine starts reprocessing.
        let monitor = scan(&app, &tech, "5240100204").await;
        let (status, _, _) = post(
            &app,
            &tech,
            &format!("{monitor}/haendelse"),
            &[("event", "start_reprocessing"), ("reason", "")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get(&app, &tech, &monitor).await;
        assert!(html.contains("id=\"unit-state\">Genbehandling<"));

        // A stock-take that scans one tablet: the rest of the shelf is missing.
        let (_, html) = get(&app, &tech, "/udstyr/lager").await;
        let warehouse = html
            .split("id=\"take-warehouse\"")
            .nth(1)
            .unwrap()
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (status, take, _) = post(
            &app,
            &tech,
            "/udstyr/lager/optaelling",
            &[("warehouse", &warehouse)],
        )
        .await;
        assert_eq!(status, 303);
        let (status, to, _) = post(
            &app,
            &tech,
            &format!("{take}/scan"),
            &[("scanned", "R9TX1000104")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get(&app, &tech, &to).await;
        assert!(html.contains("id=\"take-last\"") && html.contains("R9TX1000104"));
        let (status, _, html) = post(
            &app,
            &tech,
            &format!("{take}/scan"),
            &[("scanned", "FINDES-IKKE")],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        let (status, _, html) = post(&app, &tech, &format!("{take}/afslut"), &[]).await;
        assert_eq!(status, 200);
        let missing = html
            .split("id=\"take-missing\"")
            .nth(1)
            .expect("missing units");
        assert!(missing.contains("R9TX1000105") && !missing.contains("R9TX1000104"));

        // A recall of one glucose meter lot holds the units and names Bent.
        let di = with_check_digit("0571234500006");
        let (status, _, html) = post(
            &app,
            &tech,
            "/udstyr/tilbagekald",
            &[
                ("di", &di),
                ("lot", "G2405"),
                ("reason", "Forkerte målinger under 2 mmol/L"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{html}");
        let affected = html
            .split("id=\"recall-affected\"")
            .nth(1)
            .expect("affected citizens");
        assert!(
            affected.contains("Bent Hansen") && affected.contains("UI2340401"),
            "{affected}"
        );
        assert!(html.contains("Tilbagekaldt – spærret"));
        let (_, html) = get(
            &app,
            &tech,
            &format!("/udstyr/tilbagekald?di={di}&lot=G2405"),
        )
        .await;
        assert!(
            html.contains("id=\"lot-holders\"") && html.contains("Bent Hansen"),
            "{html}"
        );

        // A new model with its prices typed in kroner.
        let (status, _, body) = post(
            &app,
            &tech,
            "/udstyr/katalog",
            &[
                ("manufacturer", "Beurer"),
                ("name", "FT 95"),
                ("role", "thermometer"),
                ("udi_di", &with_check_digit("0571234500099")),
                ("measures", "temperature"),
                ("connectivity", "bluetooth"),
                ("hygiene_class", "non_critical"),
                ("procedure", "Aftør med 70 % ethanol."),
                ("maintenance_kind", ""),
                ("purchase_price", "1.234,50"),
                ("day_rate", "1,25"),
                ("reprocessing_price", "75"),
                ("status", "approved"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let (_, html) = get(&app, &tech, "/udstyr/katalog").await;
        assert!(
            html.contains("Beurer FT 95") && html.contains("1.234,50 kr."),
            "{html}"
        );
        let (status, _, html) = post(
            &app,
            &tech,
            "/udstyr/katalog",
            &[
                ("manufacturer", "X"),
                ("name", "Y"),
                ("role", "scale"),
                ("udi_di", "123"),
                ("connectivity", "none"),
                ("hygiene_class", "non_critical"),
                ("procedure", "z"),
                ("purchase_price", "12,345"),
                ("day_rate", "1"),
                ("reprocessing_price", "1"),
                ("status", "approved"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"form-error\"") && html.contains("value=\"12,345\""));
    }
}

#[tokio::test]
async fn a_training_visit_is_ordered_from_the_unit_page() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let tech = app.login(TECH).await;
        let unit = scan(&app, &tech, "R9TX1000102").await;
        let (status, to, body) = post(
            &app,
            &tech,
            &format!("{unit}/service"),
            &[
                ("service", "TRAINING"),
                ("note", "Karen vil have app'en vist igen"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{backend:?}: {body}");
        assert!(to.ends_with("?ok=service"), "{to}");
        let (_, html) = get(&app, &tech, &to).await;
        assert!(html.contains("Servicebesøget er bestilt"), "{html}");
        assert!(html.contains("Oplæring"), "{backend:?}: {html}");
        // A unit on the shelf gets no service visit: refused on the page.
        let shelf = scan(&app, &tech, "R9TX1000103").await;
        let (status, _, html) = post(
            &app,
            &tech,
            &format!("{shelf}/service"),
            &[("service", "TRAINING")],
        )
        .await;
        assert_eq!(status, 422, "{backend:?}");
        assert!(html.contains("id=\"form-error\""), "{html}");
    }
}
