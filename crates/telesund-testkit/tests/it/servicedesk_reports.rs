//! The service desk's reports on both backends: cases opened through the real case functions
//! show up in the counts per channel, category, model and payer, in first-contact
//! resolution and SLA attainment; a merged duplicate does not count; a clinician is refused;
//! the page, the CSV and the JSON API render for the demo agent.
//!
//! The figures are compared before and after the test's own cases, so cases the demo data
//! may hold do not matter.

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::equipment::catalogue::DeviceRole;
use telesund_core::equipment::unit::UnitState;
use telesund_core::ids::{CaseId, CitizenId, OrgId, UnitId};
use telesund_core::servicedesk::case::{CaseStatus, Category, Channel, Impact, Urgency};
use telesund_core::servicedesk::report::{Period, ServiceReport};
use telesund_db::servicedesk::cases::{CaseAction, CasePage, NewCase};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::{Session, TestApp, backends, spawn_app};
use time::Duration;

const AGENT: &str = "agent@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";

/// Yesterday to tomorrow: every case the test opens now, whatever the hour.
fn around_today() -> Period {
    let today = Timestamp::now().in_copenhagen().date();
    Period::new(today - Duration::days(1), today + Duration::days(1)).unwrap()
}

fn new_case(
    citizen: Option<CitizenId>,
    channel: Channel,
    category: Category,
    unit: Option<UnitId>,
) -> NewCase {
    NewCase {
        citizen_id: citizen,
        requester: None,
        channel,
        category,
        subject: format!("{category} via {channel}"),
        description: String::new(),
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        acute: false,
        unit_id: unit,
        call_id: None,
    }
}

async fn act(db: &Db, ctx: &AccessCtx, id: CaseId, action: CaseAction) -> CasePage {
    db.case_action(ctx, id, action).await.unwrap()
}

fn channel(r: &ServiceReport, c: Channel) -> u64 {
    r.by_channel.iter().find(|x| x.value == c).unwrap().cases
}

fn category(r: &ServiceReport, c: Category) -> u64 {
    r.by_category.iter().find(|x| x.value == c).unwrap().cases
}

fn model(r: &ServiceReport, name: Option<&str>) -> u64 {
    r.by_model
        .iter()
        .find(|x| x.name.as_deref() == name)
        .map_or(0, |x| x.cases)
}

fn payer(r: &ServiceReport, name: Option<&str>) -> u64 {
    r.by_payer
        .iter()
        .find(|x| x.name.as_deref() == name)
        .map_or(0, |x| x.cases)
}

fn faults(r: &ServiceReport, name: &str) -> u64 {
    r.top_faults
        .iter()
        .find(|x| x.model == name)
        .map_or(0, |x| x.faults)
}

#[tokio::test]
async fn the_report_counts_the_cases_the_desk_handled() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let bent = db.search_citizens(&agent, "Bent Hansen", 5).await.unwrap()[0].id;
        let bp = db
            .citizen_equipment(&agent, bent)
            .await
            .unwrap()
            .units
            .iter()
            .find(|(u, _)| {
                u.model.role == DeviceRole::BloodPressureMonitor && u.unit.state == UnitState::InUse
            })
            .map(|(u, _)| u.unit.id)
            .expect("Bent has a blood pressure monitor");
        let period = around_today();
        let before = db.service_report(&agent, None, period).await.unwrap();

        // Solved on the phone at once: first contact.
        let help = db
            .open_case(
                &agent,
                new_case(Some(bent), Channel::Phone, Category::MeasurementHelp, None),
            )
            .await
            .unwrap();
        let help = act(
            db,
            &agent,
            help.case.id,
            CaseAction::RemoteFix {
                text: "Viste hvordan manchetten sidder".into(),
            },
        )
        .await;
        assert!(help.case.first_contact, "{backend:?}");
        // A faulty monitor: answered, waited for Bent, resolved — not first contact.
        let fault = db
            .open_case(
                &agent,
                new_case(
                    Some(bent),
                    Channel::Phone,
                    Category::EquipmentFault,
                    Some(bp),
                ),
            )
            .await
            .unwrap();
        let id = fault.case.id;
        // A duplicate of the fault, merged into it: it must not count.
        let duplicate = db
            .open_case(
                &agent,
                new_case(Some(bent), Channel::Web, Category::Other, None),
            )
            .await
            .unwrap();
        let merged = act(
            db,
            &agent,
            duplicate.case.id,
            CaseAction::Merge { into: id },
        )
        .await;
        assert_eq!(merged.case.merged_into, Some(id));
        act(
            db,
            &agent,
            id,
            CaseAction::Reply {
                text: "Prøv med nye batterier".into(),
            },
        )
        .await;
        act(
            db,
            &agent,
            id,
            CaseAction::Wait {
                status: CaseStatus::PendingCitizen,
                note: String::new(),
            },
        )
        .await;
        act(
            db,
            &agent,
            id,
            CaseAction::Resume {
                note: String::new(),
            },
        )
        .await;
        let fault = act(
            db,
            &agent,
            id,
            CaseAction::Resolve {
                resolution: "Batterierne var flade".into(),
            },
        )
        .await;
        assert!(!fault.case.first_contact, "{backend:?}");
        let model_name = fault.case.model_name.clone().expect("the unit's model");
        // A colleague's question nobody has answered yet: both clocks still run.
        let question = db
            .open_case(
                &agent,
                new_case(None, Channel::Staff, Category::StaffQuestion, None),
            )
            .await
            .unwrap();
        assert_eq!(question.case.payer_org_id, None);

        let after = db.service_report(&agent, None, period).await.unwrap();
        let d = |f: fn(&ServiceReport) -> u64| f(&after) - f(&before);
        assert_eq!(
            d(|r| r.total),
            3,
            "{backend:?}: the merged duplicate is left out"
        );
        assert_eq!(
            channel(&after, Channel::Phone) - channel(&before, Channel::Phone),
            2
        );
        assert_eq!(
            channel(&after, Channel::Staff) - channel(&before, Channel::Staff),
            1
        );
        assert_eq!(
            channel(&after, Channel::Web),
            channel(&before, Channel::Web)
        );
        for (c, n) in [
            (Category::MeasurementHelp, 1),
            (Category::EquipmentFault, 1),
            (Category::StaffQuestion, 1),
            (Category::Other, 0),
        ] {
            assert_eq!(
                category(&after, c) - category(&before, c),
                n,
                "{backend:?}: {c}"
            );
        }
        // Model and payer come from the joins: the fault's unit model and its payer.
        assert_eq!(
            model(&after, Some(&model_name)) - model(&before, Some(&model_name)),
            1,
            "{backend:?}: {:?}",
            after.by_model
        );
        assert_eq!(model(&after, None) - model(&before, None), 2);
        assert_eq!(
            faults(&after, &model_name) - faults(&before, &model_name),
            1
        );
        assert_eq!(payer(&after, None) - payer(&before, None), 1);
        let named_payers = |r: &ServiceReport| -> u64 {
            r.by_payer
                .iter()
                .filter(|p| p.name.is_some())
                .map(|p| p.cases)
                .sum()
        };
        assert_eq!(named_payers(&after) - named_payers(&before), 2);
        // First-contact resolution: two resolved, one of them at first contact.
        assert_eq!(d(|r| r.first_contact.resolved), 2);
        assert_eq!(d(|r| r.first_contact.first_contact), 1);
        assert_eq!(d(|r| r.time_to_resolve.resolved), 2);
        // Attainment: both answered at once (met); the question's clocks still run.
        assert_eq!(d(|r| r.first_response.met), 2, "{backend:?}");
        assert_eq!(d(|r| r.first_response.running), 1);
        assert_eq!(d(|r| r.first_response.breached), 0);
        assert_eq!(d(|r| r.resolution.met), 2);
        assert_eq!(d(|r| r.resolution.running), 1);
        for a in [&after.first_response, &after.resolution] {
            assert_eq!(a.met + a.breached + a.running, after.total);
        }

        // One centre's report holds these cases too; an organisation with no desk has none.
        let centre = db
            .service_report(&agent, Some(help.case.centre_org_id), period)
            .await
            .unwrap();
        assert_eq!(centre.total, after.total, "{backend:?}");
        let none = db
            .service_report(&agent, Some(OrgId::new()), period)
            .await
            .unwrap();
        assert_eq!(none.total, 0);

        // A clinician runs no service desk.
        let cardio = staff_ctx(db, CARDIO).await;
        let err = db.service_report(&cardio, None, period).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{backend:?}");
    }
}

async fn get(app: &TestApp, s: &Session, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_page_the_csv_and_the_api_render_for_the_agent() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ctx = staff_ctx(&app.db, AGENT).await;
        let bent = app
            .db
            .search_citizens(&ctx, "Bent Hansen", 5)
            .await
            .unwrap()[0]
            .id;
        let case = app
            .db
            .open_case(
                &ctx,
                new_case(Some(bent), Channel::Phone, Category::LoginAccess, None),
            )
            .await
            .unwrap();
        app.db
            .case_action(
                &ctx,
                case.case.id,
                CaseAction::RemoteFix {
                    text: "Ny adgangskode".into(),
                },
            )
            .await
            .unwrap();
        let period = around_today();
        let (from, to) = (period.from.to_string(), period.to.to_string());
        let expected = app.db.service_report(&ctx, None, period).await.unwrap();
        let agent = app.login(AGENT).await;

        // The page, the current month by default and the chosen period when asked.
        let r = get(&app, &agent, "/servicedesk/rapporter").await;
        assert_eq!(r.status().as_u16(), 200, "{backend:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Servicedesk-rapporter"), "{html}");
        assert!(
            html.contains("href=\"/servicedesk/rapporter.csv?fra="),
            "{html}"
        );
        let r = get(
            &app,
            &agent,
            &format!("/servicedesk/rapporter?fra={from}&til={to}"),
        )
        .await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        for id in [
            "by-channel",
            "by-category",
            "by-model",
            "by-payer",
            "sla",
            "resolve",
            "proactive",
        ] {
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "{backend:?}: no #{id}"
            );
        }
        assert!(
            html.contains(&format!("<dd id=\"report-total\">{}</dd>", expected.total)),
            "{backend:?}: {html}"
        );
        assert!(
            html.contains("Log ind og adgang"),
            "the category's Danish label"
        );
        let r = get(&app, &agent, "/servicedesk/rapporter?fra=31-12-2026").await;
        assert_eq!(r.status().as_u16(), 422, "a date not as YYYY-MM-DD");

        // The CSV: Danish, one figure a row, the same counts.
        let r = get(
            &app,
            &agent,
            &format!("/servicedesk/rapporter.csv?fra={from}&til={to}"),
        )
        .await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(
            disposition,
            format!("attachment; filename=\"servicedesk-rapport-{from}-{to}.csv\"")
        );
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("afsnit;emne;nøgletal;værdi\n"), "{csv}");
        assert!(
            csv.contains(&format!("\nsager;;antal;{}\n", expected.total)),
            "{csv}"
        );
        assert!(
            csv.contains(&format!(
                "\nkategori;login_access;antal;{}\n",
                expected
                    .by_category
                    .iter()
                    .find(|c| c.value == Category::LoginAccess)
                    .unwrap()
                    .cases
            )),
            "{csv}"
        );

        // The JSON API and its CSV.
        let (status, body) = app
            .get(
                &agent,
                &format!("/api/v1/servicedesk/reports?from={from}&to={to}"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], expected.total, "{body}");
        assert_eq!(body["period"]["from"], from.as_str());
        assert!(body["first_contact"]["first_contact"].as_u64().unwrap() >= 1);
        let r = get(
            &app,
            &agent,
            &format!("/api/v1/servicedesk/reports.csv?from={from}&to={to}"),
        )
        .await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(
            r.text()
                .await
                .unwrap()
                .starts_with("afsnit;emne;nøgletal;værdi\n")
        );
        let (status, body) = app
            .get(&agent, "/api/v1/servicedesk/reports?month=2026-11")
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("unknown_field"))
        );

        // A clinician is refused the page, the CSV and the API.
        let cardio = app.login(CARDIO).await;
        for path in [
            "/servicedesk/rapporter",
            "/servicedesk/rapporter.csv",
            "/api/v1/servicedesk/reports",
            "/api/v1/servicedesk/reports.csv",
        ] {
            let r = get(&app, &cardio, path).await;
            assert_eq!(r.status().as_u16(), 403, "{backend:?} {path}");
        }
    }
}
