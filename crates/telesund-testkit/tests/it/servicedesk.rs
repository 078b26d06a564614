//! The service desk's storage on both backends: the case lifecycle with its timeline and
//! clocks, incoming calls matched to citizens, next of kin and staff, the caller screen, the
//! device swap across the equipment module, the proactive case from a silent unit, clinical
//! hand-over, escalation, ratings, and who may see what.

use super::storage::{citizen_ctx, demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::equipment::catalogue::DeviceRole;
use telesund_core::equipment::order::{OrderStatus, ServiceType};
use telesund_core::equipment::unit::UnitState;
use telesund_core::equipment::visit::{InstallationProof, VisitStatus};
use telesund_core::ids::{CitizenId, UnitId};
use telesund_core::monitoring::assess::TaskCategory;
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::{MeasurementType, Quantity};
use telesund_core::servicedesk::caller::CallerMatch;
use telesund_core::servicedesk::case::{CaseStatus, Category, Channel, Impact, Priority, Urgency};
use telesund_db::servicedesk::cases::{CaseAction, MessageChannel, NewCase, QueueView};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::backends;

const AGENT: &str = "agent@telesund.example";
const TECH: &str = "tech@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";
const NURSE: &str = "nurse.horsens@telesund.example";
const HOUR: i64 = 3_600_000_000;

async fn citizen(db: &Db, ctx: &AccessCtx, name: &str) -> CitizenId {
    db.search_citizens(ctx, name, 5).await.unwrap()[0].id
}

async fn unit_in_home(db: &Db, ctx: &AccessCtx, citizen: CitizenId, role: DeviceRole) -> UnitId {
    db.citizen_equipment(ctx, citizen)
        .await
        .unwrap()
        .units
        .iter()
        .find(|(u, _)| u.model.role == role && u.unit.state == UnitState::InUse)
        .map(|(u, _)| u.unit.id)
        .unwrap()
}

fn phone_case(citizen: CitizenId, subject: &str) -> NewCase {
    NewCase {
        citizen_id: Some(citizen),
        requester: None,
        channel: Channel::Phone,
        category: Category::MeasurementHelp,
        subject: subject.into(),
        description: String::new(),
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        acute: false,
        unit_id: None,
        call_id: None,
    }
}

fn act(text: &str) -> String {
    text.to_string()
}

#[tokio::test]
async fn a_case_lives_through_waiting_for_the_citizen_resolution_rating_and_reopening() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let karen = citizen(db, &agent, "Karen").await;
        let karen_ctx = citizen_ctx(karen, "Karen Jensen");
        let page = db
            .open_case(&agent, phone_case(karen, "Kan ikke finde ud af iltmåleren"))
            .await
            .unwrap();
        let id = page.case.id;
        assert_eq!(page.case.status, CaseStatus::New, "{backend:?}");
        assert_eq!(page.case.priority, Priority::Normal);
        assert!(page.case.number > 1000);
        assert!(page.case.due_at.is_some(), "the first-response clock runs");
        assert!(
            page.case.payer_org_id.is_some(),
            "Karen's enrolling organisation pays"
        );

        let page = db
            .case_action(&agent, id, CaseAction::Assign { user_id: None })
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::Open);
        assert_eq!(
            page.case.assignee_name.as_deref(),
            Some(agent.principal.display_name())
        );
        db.case_action(
            &agent,
            id,
            CaseAction::Note {
                text: act("Ringede kl. 10, optaget"),
            },
        )
        .await
        .unwrap();
        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::SendMessage {
                    channel: MessageChannel::Sms,
                    text: act("Prøv at skifte batterierne, og svar os her."),
                },
            )
            .await
            .unwrap();
        assert!(page.case.first_response_at.is_some());
        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::Wait {
                    status: CaseStatus::PendingCitizen,
                    note: act("Venter på svar"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::PendingCitizen);
        assert_eq!(page.case.due_at, None, "every clock stands while waiting");
        let waiting = db
            .case_queue(&agent, QueueView::WaitingForCitizen)
            .await
            .unwrap();
        assert!(waiting.iter().any(|l| l.case.id == id), "{backend:?}");

        // Karen answers in the portal: the case is back with the desk. She does not see the
        // agent's internal note.
        let page = db
            .case_action(
                &karen_ctx,
                id,
                CaseAction::Reply {
                    text: act("Nu virker den!"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::Open, "{backend:?}");
        assert!(page.timeline.iter().all(|e| e.citizen_visible));
        assert!(!page.timeline.iter().any(|e| e.text.contains("optaget")));
        // Karen may not resolve her own case.
        let err = db
            .case_action(
                &karen_ctx,
                id,
                CaseAction::Resolve {
                    resolution: act("ok"),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{backend:?}");

        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::Resolve {
                    resolution: act("Nye batterier"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::Resolved);
        assert!(!page.case.first_contact, "it waited for Karen");
        let outbox = db.outbox_for_test(karen).await.unwrap();
        assert!(outbox.iter().any(|(ch, kind, body)| ch == "sms"
            && kind == "service_case"
            && body.contains("batterierne")));
        let link = outbox
            .iter()
            .find(|(_, kind, _)| kind == "service_rating")
            .map(|(_, _, body)| body.rsplit('/').next().unwrap().to_string())
            .expect("a rating link by SMS");
        assert_eq!(
            db.rating_link_case(&link).await.unwrap(),
            Some(page.case.number)
        );
        assert_eq!(
            db.rate_case_by_token(&link, 6, "")
                .await
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput
        );
        db.rate_case_by_token(&link, 5, "Meget venlig")
            .await
            .unwrap();
        assert_eq!(
            db.rating_link_case(&link).await.unwrap(),
            None,
            "the link works once"
        );
        let err = db.rate_case(&karen_ctx, id, 4, "").await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict);
        let page = db.case(&agent, id).await.unwrap();
        assert_eq!(
            page.rating.as_ref().map(|r| r.score),
            Some(5),
            "{backend:?}"
        );

        // It broke again: Karen reopens; the resolution clock carries on.
        let page = db
            .case_action(
                &karen_ctx,
                id,
                CaseAction::Reopen {
                    reason: act("Den slukker igen"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::Open);
        assert_eq!(page.case.state.reopened, 1);
        assert_eq!(page.case.resolved_at, None);
        // A closed case takes nothing more.
        db.case_action(
            &agent,
            id,
            CaseAction::Resolve {
                resolution: act("Ombyttet batteri"),
            },
        )
        .await
        .unwrap();
        db.case_action(&agent, id, CaseAction::Close).await.unwrap();
        let err = db
            .case_action(
                &agent,
                id,
                CaseAction::Reopen {
                    reason: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict, "{backend:?}");

        // Every kind of entry is on the timeline, in order.
        let kinds: Vec<String> = db
            .case(&agent, id)
            .await
            .unwrap()
            .timeline
            .iter()
            .map(|e| e.kind.clone())
            .collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "assigned",
                "note",
                "sms",
                "status",
                "requester_reply",
                "resolved",
                "rating",
                "reopened",
                "resolved",
                "closed"
            ],
            "{backend:?}"
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn incoming_calls_match_citizens_next_of_kin_and_staff_and_ring_until_answered() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let tech = staff_ctx(db, TECH).await;
        let bent = citizen(db, &agent, "Bent Hansen").await;
        let overview = db.citizen_overview(&agent, bent).await.unwrap();
        let number = overview.citizen.phones[0].clone();
        let digits = telesund_core::text::phone_digits(&number);

        // The exchange sends E.164 without the plus.
        let ringing = db
            .register_call(&agent, &format!("45{digits}"), Some("pbx-1"))
            .await
            .unwrap();
        assert_eq!(ringing.citizens, 1, "{backend:?}");
        let ringing_now = db.ringing_calls(&agent).await.unwrap();
        assert!(ringing_now.iter().any(|c| c.id == ringing.id));
        // No citizen's name rings: the JSON holds counts only.
        let json = serde_json::to_string(&ringing_now).unwrap();
        assert!(!json.contains("Bent"), "{json}");

        let call = db.answer_call(&agent, ringing.id).await.unwrap();
        assert!(
            matches!(
                &call.matches[..],
                [CallerMatch::Citizen { citizen_id, name }] if *citizen_id == bent && name == "Bent Hansen"
            ),
            "{backend:?}: {:?}",
            call.matches
        );
        assert!(
            !db.ringing_calls(&agent)
                .await
                .unwrap()
                .iter()
                .any(|c| c.id == ringing.id)
        );
        // A colleague is too late.
        let err = db.answer_call(&tech, ringing.id).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict, "{backend:?}");

        // The caller screen: units with when each last sent data, programmes by name, no
        // clinical values; the call's case is linked.
        let monitor = unit_in_home(db, &agent, bent, DeviceRole::BloodPressureMonitor).await;
        let screen = db
            .caller_screen(&agent, bent, Some(ringing.id))
            .await
            .unwrap();
        assert_eq!(screen.units.len(), 4, "{backend:?}");
        assert!(screen.units.iter().all(|u| u.last_data_at.is_none()));
        let serial = screen
            .units
            .iter()
            .find(|u| u.unit.unit.id == monitor)
            .unwrap()
            .unit
            .unit
            .pi
            .serial
            .clone();
        assert_eq!(
            screen
                .units
                .iter()
                .find(|u| u.unit.unit.id == monitor)
                .unwrap()
                .programmes
                .len(),
            2,
            "the monitor serves both plans"
        );
        let cardio = staff_ctx(db, CARDIO).await;
        db.submit_observation(&cardio, bp_from(bent, &serial))
            .await
            .unwrap();
        let screen = db
            .caller_screen(&agent, bent, Some(ringing.id))
            .await
            .unwrap();
        assert!(
            screen
                .units
                .iter()
                .find(|u| u.unit.unit.id == monitor)
                .unwrap()
                .last_data_at
                .is_some()
        );
        assert_eq!(screen.overview.enrolments.as_ref().map(Vec::len), Some(2));
        let mut case = phone_case(bent, "Blodtryksmåleren viser E1");
        case.call_id = Some(ringing.id);
        let page = db.open_case(&agent, case).await.unwrap();
        assert_eq!(
            db.call(&agent, ringing.id).await.unwrap().case_id,
            Some(page.case.id)
        );

        // A relative calls on Bent's behalf; a nurse calls from her own number.
        let kin = overview
            .citizen
            .next_of_kin
            .iter()
            .find_map(|k| k.phone.clone());
        if let Some(kin) = kin {
            let r = db.register_call(&agent, &kin, None).await.unwrap();
            assert_eq!(r.next_of_kin, 1, "{backend:?}");
            let call = db.answer_call(&agent, r.id).await.unwrap();
            assert!(
                matches!(&call.matches[0], CallerMatch::NextOfKin { citizen_id, .. } if *citizen_id == bent)
            );
        }
        let nurse = staff_ctx(db, NURSE).await;
        db.set_own_phone(&nurse, Some("+45 40 11 22 33"))
            .await
            .unwrap();
        let r = db
            .register_call(&agent, "004540112233", None)
            .await
            .unwrap();
        assert_eq!(r.staff.len(), 1, "{backend:?}: staff names may ring");
        // Bad numbers are refused, a withheld one rings unmatched.
        assert_eq!(
            db.register_call(&agent, "ring mig", None)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput
        );
        let hidden = db.register_call(&agent, "anonymous", None).await.unwrap();
        assert_eq!(
            (hidden.citizens, hidden.next_of_kin, hidden.staff.len()),
            (0, 0, 0)
        );
        // Only the desk takes calls.
        assert_eq!(
            db.register_call(&nurse, "20123456", None)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        t.db.close().await;
    }
}

fn bp_from(citizen: CitizenId, device: &str) -> NewObservation {
    NewObservation {
        citizen_id: citizen,
        kind: MeasurementType::BloodPressure,
        values: vec![
            SentValue {
                quantity: Quantity::Systolic,
                value: 128.0,
                unit: "mm[Hg]".into(),
            },
            SentValue {
                quantity: Quantity::Diastolic,
                value: 82.0,
                unit: "mm[Hg]".into(),
            },
        ],
        effective_at: Timestamp::now(),
        source: Source::Device,
        device: Some(device.into()),
        identifier: None,
        on_behalf_of_name: None,
    }
}

#[tokio::test]
async fn swapping_a_faulty_monitor_orders_the_replacement_and_the_done_visit_returns_the_case() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let tech = staff_ctx(db, TECH).await;
        let bent = citizen(db, &agent, "Bent Hansen").await;
        let monitor = unit_in_home(db, &agent, bent, DeviceRole::BloodPressureMonitor).await;
        let mut new = phone_case(bent, "Blodtryksmåleren viser E1");
        new.category = Category::EquipmentFault;
        new.unit_id = Some(monitor);
        let id = db.open_case(&agent, new).await.unwrap().case.id;
        db.case_action(&agent, id, CaseAction::Assign { user_id: None })
            .await
            .unwrap();
        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::SwapDevice {
                    unit_id: monitor,
                    fault: act("Viser E1 ved hver måling"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::PendingVisit, "{backend:?}");
        assert!(page.case.state.clocks.ola.is_some(), "the visit's OLA runs");
        let swap = page.timeline.iter().find(|e| e.kind == "swap").unwrap();
        let order_id = swap.reference.as_deref().unwrap().parse().unwrap();
        let order = db.order(&tech, order_id).await.unwrap();
        assert_eq!(order.service_type.as_str(), "REPLACE");
        assert_eq!(order.status, OrderStatus::Scheduled);
        assert_eq!(order.lines[0].replaces_unit_id, Some(monitor));
        let faulty = db.unit(&tech, monitor).await.unwrap();
        assert_eq!(faulty.unit.state, UnitState::SwapPending, "{backend:?}");

        // The technician brings monitor 5240100202; the sweep sees the visit done.
        db.allocate_unit(&tech, order.lines[0].id, "5240100202")
            .await
            .unwrap();
        db.dispatch_order(&tech, order.id).await.unwrap();
        let visit = db
            .case(&agent, id)
            .await
            .unwrap()
            .timeline
            .iter()
            .find(|e| e.kind == "visit")
            .and_then(|e| e.reference.clone())
            .unwrap()
            .parse()
            .unwrap();
        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(
            run.visits_done, 0,
            "{backend:?}: the visit is still planned"
        );
        let done = db
            .complete_visit(
                &tech,
                visit,
                Some(InstallationProof {
                    pairing_tested: true,
                    first_measurement_received: true,
                    citizen_instructed: true,
                    signed_by: "Bent Hansen".into(),
                }),
                "byttet",
            )
            .await
            .unwrap();
        assert_eq!(done.status, VisitStatus::Done);
        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(run.visits_done, 1, "{backend:?}");
        let page = db.case(&agent, id).await.unwrap();
        assert_eq!(page.case.status, CaseStatus::Open);
        assert!(
            page.case
                .state
                .clocks
                .ola
                .as_ref()
                .unwrap()
                .stopped_at
                .is_some()
        );
        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::Resolve {
                    resolution: act("Måler ombyttet"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::Resolved, "{backend:?}");
        // The new monitor serves both plans; the faulty one is on its way to repair.
        let e = db.citizen_equipment(&agent, bent).await.unwrap();
        let new_monitor = e
            .units
            .iter()
            .find(|(u, _)| u.unit.pi.serial == "5240100202")
            .unwrap();
        assert_eq!(new_monitor.0.unit.state, UnitState::InUse, "{backend:?}");
        assert_eq!(new_monitor.1.len(), 2);

        // A technician booked for training: the case waits for that visit.
        let scale = unit_in_home(db, &agent, bent, DeviceRole::Scale).await;
        let id2 = db
            .open_case(&agent, phone_case(bent, "Vil gerne have hjælp til vægten"))
            .await
            .unwrap()
            .case
            .id;
        let page = db
            .case_action(
                &agent,
                id2,
                CaseAction::BookTechnician {
                    unit_id: scale,
                    service: ServiceType::Training,
                    note: act("Oplæring i vejning"),
                },
            )
            .await
            .unwrap();
        assert_eq!(page.case.status, CaseStatus::PendingVisit, "{backend:?}");
        // A unit of someone else's home is refused.
        let karen = citizen(db, &agent, "Karen").await;
        let karens = unit_in_home(db, &agent, karen, DeviceRole::PulseOximeter).await;
        let err = db
            .case_action(
                &agent,
                id2,
                CaseAction::SwapDevice {
                    unit_id: karens,
                    fault: act("x"),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{backend:?}");
        t.db.close().await;
    }
}

/// Wednesday 19 November 2025 in Copenhagen, `h` o'clock (winter time).
fn nov19(h: i64) -> Timestamp {
    Timestamp(1_763_506_800_000_000 + h * HOUR)
}

#[tokio::test]
async fn a_silent_scale_behind_a_missing_weight_opens_a_proactive_case_and_data_flowing_again_is_told_to_the_task()
 {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let cardio = staff_ctx(db, CARDIO).await;
        let bent = citizen(db, &agent, "Bent Hansen").await;
        let plans = db.care_plans_of(&cardio, bent).await.unwrap();
        let heart = plans
            .iter()
            .find(|p| p.programme_name.contains("hjertesvigt"))
            .unwrap();
        db.backdate_care_plan_for_test(heart.id, nov19(5))
            .await
            .unwrap();
        let run = db.check_missing(nov19(10), "a").await.unwrap();
        assert!(run.tasks_raised >= 1, "{backend:?}");
        let weight_task = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.activity.as_deref() == Some("measurement:weight"))
            .unwrap();

        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(
            run.proactive_opened, 1,
            "{backend:?}: the scale has sent nothing"
        );
        let again = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(again.proactive_opened, 0, "one case per task");
        let queue = db.case_queue(&agent, QueueView::All).await.unwrap();
        let case = queue
            .iter()
            .find(|l| l.case.channel == Channel::Automatic)
            .map(|l| l.case.clone())
            .unwrap();
        assert_eq!(case.category, Category::EquipmentFault);
        assert_eq!(case.task_id, Some(weight_task.id));
        assert_eq!(case.priority, Priority::Normal, "no alarm open on the plan");
        assert!(
            case.subject.contains("sender ikke data"),
            "{}",
            case.subject
        );
        let scale = unit_in_home(db, &agent, bent, DeviceRole::Scale).await;
        assert_eq!(case.unit_id, Some(scale));
        let task = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.id == weight_task.id)
            .unwrap();
        assert!(
            task.support_note.as_deref().unwrap().contains("undersøger"),
            "{backend:?}"
        );

        // The scale sends again: the case and the care team's task say so, once.
        let serial = db.unit(&agent, scale).await.unwrap().unit.pi.serial;
        let mut weight = bp_from(bent, &serial);
        weight.kind = MeasurementType::Weight;
        weight.values = vec![SentValue {
            quantity: Quantity::Weight,
            value: 81.5,
            unit: "kg".into(),
        }];
        db.submit_observation(&cardio, weight).await.unwrap();
        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(run.data_flowing, 1, "{backend:?}");
        assert_eq!(
            db.sweep_service_desk(Timestamp::now())
                .await
                .unwrap()
                .data_flowing,
            0
        );
        let page = db.case(&agent, case.id).await.unwrap();
        assert!(page.case.data_flowing_at.is_some());
        assert!(page.timeline.iter().any(|e| e.kind == "data_flowing"));
        let task = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.id == weight_task.id)
            .unwrap();
        assert!(
            task.support_note
                .as_deref()
                .unwrap()
                .contains("data modtages igen"),
            "{backend:?}: {:?}",
            task.support_note
        );
        // The missing-results job rewriting the task keeps the desk's note.
        db.check_missing(nov19(23), "a").await.unwrap();
        let task = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.id == weight_task.id)
            .unwrap();
        assert!(task.support_note.is_some());
        t.db.close().await;
    }
}

#[tokio::test]
async fn a_clinical_concern_goes_to_the_care_team_and_late_cases_escalate_once_per_level() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let bent = citizen(db, &agent, "Bent Hansen").await;
        let id = db
            .open_case(&agent, phone_case(bent, "Svimmel når han måler"))
            .await
            .unwrap()
            .case
            .id;
        let page = db
            .case_action(
                &agent,
                id,
                CaseAction::HandOverClinical {
                    note: act("Bent fortæller om svimmelhed ved måling"),
                },
            )
            .await
            .unwrap();
        let tasks: Vec<_> = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.category == TaskCategory::ServiceDesk)
            .collect();
        assert!(!tasks.is_empty(), "{backend:?}");
        assert!(tasks.iter().all(|t| t.description.contains("svimmelhed")
            && t.description.contains(&page.case.number.to_string())));
        assert!(page.timeline.iter().any(|e| e.kind == "clinical_handover"));

        // Nobody answered for three working days: warned, breached, then the lead is told.
        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(run.notifications, 0, "{backend:?}: fresh");
        db.backdate_case_for_test(id, 7 * 24 * HOUR).await.unwrap();
        let run = db.sweep_service_desk(Timestamp::now()).await.unwrap();
        assert_eq!(run.notifications, 1, "{backend:?}");
        let page = db.case(&agent, id).await.unwrap();
        assert_eq!(page.case.escalation, 3, "{backend:?}");
        assert_eq!(
            db.sweep_service_desk(Timestamp::now())
                .await
                .unwrap()
                .notifications,
            0,
            "once per level"
        );
        let notes = db.desk_notifications(&agent, 10).await.unwrap();
        assert!(
            notes.iter().any(|(kind, body, _)| kind == "sla_level_3"
                && body.contains(&page.case.number.to_string())),
            "{notes:?}"
        );
        let breaching = db
            .case_queue(&agent, QueueView::BreachingSoon)
            .await
            .unwrap();
        assert!(
            breaching
                .iter()
                .any(|l| l.case.id == id && l.escalation_now == 3)
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn only_the_desk_works_cases_and_citizens_and_staff_see_their_own() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let nurse = staff_ctx(db, NURSE).await;
        let cardio = staff_ctx(db, CARDIO).await;
        let bent = citizen(db, &agent, "Bent Hansen").await;
        let karen = citizen(db, &agent, "Karen").await;
        let bent_ctx = citizen_ctx(bent, "Bent Hansen");

        // Bent asks from the portal: a web case about himself, whatever he claims.
        let mut web = phone_case(bent, "Jeg kan ikke logge ind på tabletten");
        web.category = Category::LoginAccess;
        let page = db.open_case(&bent_ctx, web.clone()).await.unwrap();
        assert_eq!(page.case.channel, Channel::Web, "{backend:?}");
        assert_eq!(page.case.requester_name, "Bent Hansen");
        web.citizen_id = Some(karen);
        assert_eq!(
            db.open_case(&bent_ctx, web).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
        let bents = db.citizen_cases(&bent_ctx, bent).await.unwrap();
        assert_eq!(bents.len(), 1);
        assert_eq!(
            db.citizen_cases(&bent_ctx, karen).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );

        // A nurse asks for help for herself from the staff portal.
        let mut staff = phone_case(bent, "Hvordan bestiller jeg en ny vægt?");
        staff.citizen_id = None;
        staff.category = Category::StaffQuestion;
        let page = db.open_case(&nurse, staff).await.unwrap();
        assert_eq!(page.case.channel, Channel::Web);
        assert_eq!(page.case.requester_name, nurse.principal.display_name());
        assert_eq!(db.my_requests(&nurse).await.unwrap().len(), 1);
        db.case(&nurse, page.case.id).await.unwrap();
        assert_eq!(
            db.case(&cardio, page.case.id).await.unwrap_err().code(),
            ErrorCode::Forbidden,
            "{backend:?}"
        );

        // The queue is the desk's; a clinician is refused (and the refusal audited).
        assert_eq!(
            db.case_queue(&cardio, QueueView::All)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        let queue = db.case_queue(&agent, QueueView::All).await.unwrap();
        for id in [bents[0].id, page.case.id] {
            assert!(queue.iter().any(|l| l.case.id == id), "{backend:?}");
        }
        // Karen's demo case waits for the supplier: the supplier's OLA is what is due.
        assert!(
            queue
                .iter()
                .any(|l| l.case.status == CaseStatus::PendingSupplier
                    && l.case.state.clocks.ola.is_some()
                    && l.case.due_at.is_some())
        );
        // Duplicates merge into the live case.
        let a = db
            .open_case(&agent, phone_case(bent, "Tabletten er sort"))
            .await
            .unwrap()
            .case
            .id;
        let b = db
            .open_case(&agent, phone_case(bent, "Tabletten starter ikke"))
            .await
            .unwrap()
            .case
            .id;
        let merged = db
            .case_action(&agent, b, CaseAction::Merge { into: a })
            .await
            .unwrap();
        assert_eq!(
            (merged.case.status, merged.case.merged_into),
            (CaseStatus::Closed, Some(a))
        );
        let target = db.case(&agent, a).await.unwrap();
        assert!(
            target.timeline.iter().any(|e| e.kind == "merged"),
            "{backend:?}"
        );
        t.db.close().await;
    }
}
