//! Questionnaire answers and the missing-results scheduler on both backends: the library is
//! stored once, answers are checked, scored, triaged for the plans that ask for them and
//! stored once; windows that close without a result give one blue task and one reminder,
//! once; one replica at a time runs the check.

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::access::Principal;
use telesund_core::audit::{AuditFilter, RequestInfo};
use telesund_core::ids::{CitizenId, ResponseId};
use telesund_core::monitoring::assess::{RuleRef, TaskCategory};
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::programme::{CarePlan, PlanStatus};
use telesund_core::monitoring::questionnaire::{Answer, library, who5};
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};
use telesund_db::monitoring::questionnaires::NewResponse;
use telesund_db::{AccessCtx, Db};
use telesund_testkit::{backends, test_db};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
/// Wednesday 19 November 2025 00:00 in Copenhagen (winter time, UTC+1): a fixed day in the
/// past, so windows have closed and no daylight-saving change is near.
const DAY: Timestamp = Timestamp(1_763_506_800_000_000);

/// `hours` (and minutes) into [`DAY`], Copenhagen time.
fn local(hours: i64, minutes: i64) -> Timestamp {
    Timestamp(DAY.0 + hours * HOUR + minutes * MINUTE)
}

async fn citizen(db: &Db, ctx: &AccessCtx, name: &str) -> CitizenId {
    db.search_citizens(ctx, name, 5).await.unwrap()[0].id
}

fn citizen_ctx(id: CitizenId, name: &str) -> AccessCtx {
    AccessCtx::new(
        Principal::Citizen {
            citizen_id: id,
            name: name.into(),
        },
        RequestInfo {
            request_id: "test".into(),
            client_addr: "127.0.0.1".into(),
            purpose: "treatment".into(),
        },
    )
}

async fn count(db: &Db, table: &str) -> i64 {
    db.count_rows(table).await.unwrap()
}

async fn counts(db: &Db) -> [i64; 4] {
    [
        count(db, "questionnaire_responses").await,
        count(db, "assessments").await,
        count(db, "tasks").await,
        count(db, "audit_log").await,
    ]
}

fn a(link_id: &str, answer: Answer) -> (String, Answer) {
    (link_id.to_string(), answer)
}

/// Heart-failure symptoms: breathlessness as given, nothing else wrong.
fn hf_answers(breathless: &str) -> Vec<(String, Answer)> {
    vec![
        a("breathless", Answer::Choice(breathless.into())),
        a("swollen", Answer::Boolean(false)),
        a("pillows", Answer::Boolean(false)),
        a("dizzy", Answer::Boolean(false)),
        a("chest_pain", Answer::Boolean(false)),
    ]
}

fn who5_answers(score: u8) -> Vec<(String, Answer)> {
    ["cheerful", "calm", "active", "rested", "interest"]
        .iter()
        .map(|l| a(l, Answer::Choice(score.to_string())))
        .collect()
}

fn response(
    citizen: CitizenId,
    key: &str,
    answers: Vec<(String, Answer)>,
    id: Option<&str>,
) -> NewResponse {
    NewResponse {
        citizen_id: citizen,
        questionnaire_key: key.into(),
        version: None,
        answers,
        authored_at: Timestamp(Timestamp::now().0 - MINUTE),
        source: Source::Citizen,
        identifier: id.map(|i| format!("urn:telesund:test|{i}")),
        on_behalf_of_name: None,
    }
}

/// Bent's heart-failure and diabetes plans.
async fn bents_plans(db: &Db, ctx: &AccessCtx, bent: CitizenId) -> (CarePlan, CarePlan) {
    let plans = db.care_plans_of(ctx, bent).await.unwrap();
    let find = |s: &str| {
        plans
            .iter()
            .find(|p| p.programme_name.contains(s))
            .cloned()
            .unwrap()
    };
    (find("hjertesvigt"), find("diabetes"))
}

fn weight_at(citizen: CitizenId, at: Timestamp) -> NewObservation {
    NewObservation {
        citizen_id: citizen,
        kind: MeasurementType::Weight,
        values: vec![SentValue {
            quantity: Quantity::Weight,
            value: 82.0,
            unit: "kg".into(),
        }],
        effective_at: at,
        source: Source::Device,
        device: Some("SCALE-0042".into()),
        identifier: None,
        on_behalf_of_name: None,
    }
}

#[tokio::test]
async fn the_library_is_stored_once_however_often_it_is_ensured() {
    for backend in backends() {
        let t = test_db(backend).await;
        let db = &t.db;
        for _ in 0..3 {
            db.ensure_questionnaires(&library()).await.unwrap();
        }
        assert_eq!(count(db, "questionnaires").await, 4, "{backend:?}");
        let (id, q) = db.questionnaire_by_key("who5").await.unwrap();
        assert_eq!(q, who5());
        let (same, _, status) = db.questionnaire(id).await.unwrap();
        assert_eq!((same, status.as_str()), (id, "active"));
        let all = db.questionnaires().await.unwrap();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|(_, _, s)| s == "active"));
        assert_eq!(
            db.questionnaire_by_key("nope").await.unwrap_err().code(),
            ErrorCode::NotFound
        );

        // A new version of WHO-5 becomes the active one; the old one is retired, and kept.
        let mut next = who5();
        next.version = "2.0".into();
        db.ensure_questionnaires(&[next.clone()]).await.unwrap();
        db.ensure_questionnaires(&library()).await.unwrap();
        assert_eq!(count(db, "questionnaires").await, 5);
        assert_eq!(db.questionnaire_by_key("who5").await.unwrap().1, next);
        assert_eq!(
            db.questionnaire(id).await.unwrap().2,
            "retired",
            "{backend:?}"
        );

        // An invalid questionnaire is refused, and nothing of the call is stored.
        let mut bad = who5();
        bad.key = "Not a key".into();
        let e = db.ensure_questionnaires(&[bad]).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert_eq!(count(db, "questionnaires").await, 5);
        t.db.close().await;
    }
}

#[tokio::test]
async fn red_heart_failure_answers_go_to_the_heart_team_only_and_a_retry_creates_nothing() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let (heart, _diabetes) = bents_plans(db, &cardio, bent).await;

        let mut answers = hf_answers("much_more");
        answers[1] = a("swollen", Answer::Boolean(true));
        let s = db
            .submit_response(
                &cardio,
                response(bent, "hf_symptoms", answers.clone(), Some("r1")),
            )
            .await
            .unwrap();
        assert!(s.created);
        assert_eq!(s.response.questionnaire_key, "hf_symptoms");
        assert_eq!(s.response.questionnaire_version, "1.0");
        assert_eq!(s.response.answers, answers);
        assert_eq!(s.response.score, None);
        assert_eq!(
            s.assessments.len(),
            1,
            "{backend:?}: only the heart-failure plan asks for it"
        );
        let (plan, assessment) = &s.assessments[0];
        assert_eq!(*plan, heart.id);
        assert_eq!(assessment.colour, Colour::Red);
        assert_eq!(
            assessment.findings[0].rule,
            RuleRef::Questionnaire {
                link_id: Some("breathless".into())
            }
        );
        assert_eq!(
            assessment.findings[0].text,
            "Åndenød: Meget mere end normalt"
        );
        assert_eq!(assessment.findings[1].colour, Colour::Yellow);

        let tasks = db.tasks_for_test(bent).await.unwrap();
        assert_eq!(tasks.len(), 1, "{backend:?}");
        let task = &tasks[0];
        assert_eq!(task.care_plan_id, heart.id);
        assert_eq!(task.care_team_id, heart.care_team_id);
        assert_eq!(task.category, TaskCategory::Assessment);
        assert_eq!(task.colour, Colour::Red);
        assert_eq!(task.priority, "urgent");
        assert_eq!(
            task.description,
            "Spørgeskema: Åndenød: Meget mere end normalt; Hævede ankler eller ben: Ja"
        );
        assert_eq!(task.oldest_result_at, s.response.authored_at);

        // The same answers again, with the same identifier: the first response, nothing new.
        let before = counts(db).await;
        let retry = db
            .submit_response(&cardio, response(bent, "hf_symptoms", answers, Some("r1")))
            .await
            .unwrap();
        assert!(!retry.created);
        assert_eq!(retry.response.id, s.response.id);
        assert_eq!(retry.response.authored_at, s.response.authored_at);
        assert_eq!(retry.assessments, s.assessments);
        let after = counts(db).await;
        assert_eq!(
            after[..3],
            before[..3],
            "{backend:?}: no response, assessment or task"
        );
        assert_eq!(after[3], before[3] + 1, "the retry is audited");

        // Two copies racing: one is stored, the other answers as its retry.
        let (x, y) = tokio::join!(
            db.submit_response(
                &cardio,
                response(bent, "hf_symptoms", hf_answers("usual"), Some("r2"))
            ),
            db.submit_response(
                &cardio,
                response(bent, "hf_symptoms", hf_answers("usual"), Some("r2"))
            ),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x.created != y.created, "{backend:?}");
        assert_eq!(x.response.id, y.response.id);
        assert_eq!(x.assessments, y.assessments);
        assert_eq!(count(db, "questionnaire_responses").await, before[0] + 1);

        // The stored response reads back whole.
        let read = db.response(&cardio, s.response.id).await.unwrap();
        assert_eq!(read, s.response);
        t.db.close().await;
    }
}

#[tokio::test]
async fn invalid_answers_are_refused_by_name_and_nothing_is_written() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let before = counts(db).await;

        let mut unknown = hf_answers("usual");
        unknown.push(a("mood", Answer::Boolean(true)));
        let missing: Vec<_> = hf_answers("usual")
            .into_iter()
            .filter(|(l, _)| l != "dizzy")
            .collect();
        let mut wrong_type = hf_answers("usual");
        wrong_type[1] = a("swollen", Answer::Integer(1));
        let mut two = hf_answers("terrible");
        two.retain(|(l, _)| l != "pillows");
        let cases = [
            (
                unknown,
                "[mood] Spørgsmålet findes ikke i dette spørgeskema.",
            ),
            (missing, "[dizzy] Dette spørgsmål skal besvares."),
            (wrong_type, "[swollen] Svar ja eller nej."),
            (
                two,
                "[breathless] Vælg et af de viste svar. [pillows] Dette spørgsmål skal besvares.",
            ),
        ];
        for (answers, message) in cases {
            let e = db
                .submit_response(&cardio, response(bent, "hf_symptoms", answers, Some("bad")))
                .await
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{backend:?}: {e}");
            assert!(
                e.public_message().contains(message),
                "{backend:?}: {}",
                e.public_message()
            );
        }

        let mut future = response(bent, "hf_symptoms", hf_answers("usual"), None);
        future.authored_at = Timestamp(Timestamp::now().0 + HOUR);
        let e = db.submit_response(&cardio, future).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.public_message().contains("future"));
        let e = db
            .submit_response(&cardio, response(bent, "nope", hf_answers("usual"), None))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let mut old = response(bent, "hf_symptoms", hf_answers("usual"), None);
        old.version = Some("0.9".into());
        let e = db.submit_response(&cardio, old).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let e = db
            .submit_response(
                &cardio,
                response(CitizenId::new(), "hf_symptoms", hf_answers("usual"), None),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert_eq!(counts(db).await, before, "{backend:?}: nothing written");

        // A clinician with no relationship to Bent may not answer for him (the denial is
        // the one thing written).
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let e = db
            .submit_response(
                &aarhus,
                response(bent, "hf_symptoms", hf_answers("usual"), None),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
        let after = counts(db).await;
        assert_eq!(after[..3], before[..3]);
        assert_eq!(after[3], before[3] + 1);
        t.db.close().await;
    }
}

#[tokio::test]
async fn who5_is_scored_times_four_and_triaged_for_the_diabetes_plan() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let (_heart, diabetes) = bents_plans(db, &cardio, bent).await;
        let me = citizen_ctx(bent, "Bent Hansen");

        let s = db
            .submit_response(&me, response(bent, "who5", who5_answers(1), None))
            .await
            .unwrap();
        assert_eq!(s.response.score, Some(20.0), "{backend:?}: raw 5 × 4");
        assert_eq!(s.response.entered_by_name, "Bent Hansen");
        assert_eq!(s.assessments.len(), 1);
        assert_eq!(s.assessments[0].0, diabetes.id);
        assert_eq!(s.assessments[0].1.colour, Colour::Red);
        assert_eq!(
            s.assessments[0].1.findings[0].rule,
            RuleRef::Questionnaire { link_id: None }
        );
        let tasks = db.tasks_for_test(bent).await.unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].care_team_id, diabetes.care_team_id);
        assert_eq!(
            tasks[0].description,
            "Spørgeskema: WHO-5 Trivselsindeks: score 20 (højst 28)"
        );

        let good = db
            .submit_response(&me, response(bent, "who5", who5_answers(4), None))
            .await
            .unwrap();
        assert_eq!(good.response.score, Some(80.0));
        assert_eq!(good.assessments[0].1.colour, Colour::Green);
        let stored = db
            .responses_of(&cardio, bent, Some("who5"), 10)
            .await
            .unwrap();
        let scores: Vec<_> = stored.iter().map(|r| r.score).collect();
        assert_eq!(scores.len(), 2, "{backend:?}");
        assert!(scores.contains(&Some(20.0)) && scores.contains(&Some(80.0)));
        assert_eq!(
            db.tasks_for_test(bent).await.unwrap().len(),
            1,
            "green adds no task"
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn citizens_read_their_own_responses_and_an_unrelated_clinician_is_refused_and_audited() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let me = citizen_ctx(bent, "Bent Hansen");
        let mut older = response(bent, "who5", who5_answers(3), None);
        older.authored_at = Timestamp(older.authored_at.0 - HOUR);
        let older = db.submit_response(&me, older).await.unwrap();
        let newer = db
            .submit_response(
                &me,
                response(bent, "hf_symptoms", hf_answers("usual"), None),
            )
            .await
            .unwrap();

        let mine = db.responses_of(&me, bent, None, 10).await.unwrap();
        let ids: Vec<_> = mine.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [newer.response.id, older.response.id],
            "{backend:?}: newest first"
        );
        let only = db
            .responses_of(&me, bent, Some("hf_symptoms"), 10)
            .await
            .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(db.responses_of(&me, bent, None, 1).await.unwrap().len(), 1);
        assert_eq!(
            db.response(&me, older.response.id).await.unwrap().score,
            Some(60.0)
        );

        // Karen may not read Bent's answers; nor may a clinician with no relationship.
        let karen = citizen(db, &cardio, "Karen Nielsen").await;
        let karen_ctx = citizen_ctx(karen, "Karen Nielsen");
        assert_eq!(
            db.responses_of(&karen_ctx, bent, None, 10)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        assert_eq!(
            db.responses_of(&aarhus, bent, None, 10)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            db.response(&aarhus, newer.response.id)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            db.response(&cardio, ResponseId::new())
                .await
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
        let denials = db
            .audit_log(&AuditFilter {
                citizen_id: Some(bent),
                only_denied: true,
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let aarhus_id = aarhus.principal.user_id().unwrap();
        let refused: Vec<_> = denials
            .iter()
            .filter(|r| r.actor_user_id == Some(aarhus_id) && r.entity == "questionnaire_response")
            .collect();
        assert_eq!(refused.len(), 2, "{backend:?}: both refusals are audited");
        // Bent's own reads are audited as allowed.
        let reads = db
            .audit_log(&AuditFilter {
                citizen_id: Some(bent),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(reads.iter().any(|r| r.actor_citizen_id == Some(bent)
            && r.entity == "questionnaire_response"
            && r.outcome_allowed));
        t.db.close().await;
    }
}

#[tokio::test]
async fn answers_no_plan_asks_for_are_shown_as_unexpected_and_kept_quietly_when_paused() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let s = db
            .submit_response(&aarhus, response(karen, "who5", who5_answers(5), None))
            .await
            .unwrap();
        assert_eq!(
            s.assessments.len(),
            1,
            "{backend:?}: the COPD plan's team sees it"
        );
        assert_eq!(s.assessments[0].1.colour, Colour::Yellow);
        assert_eq!(s.assessments[0].1.findings[0].rule, RuleRef::Unexpected);
        let tasks = db.tasks_for_test(karen).await.unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].category, TaskCategory::Unexpected);
        assert_eq!(tasks[0].colour, Colour::Yellow);

        // A citizen with no plan at all: stored, no triage, no task.
        let system = AccessCtx::system("test");
        let soren = citizen(db, &system, "Søren Østergaard").await;
        let me = citizen_ctx(soren, "Søren Østergaard");
        let tasks_before = count(db, "tasks").await;
        let s = db
            .submit_response(&me, response(soren, "who5", who5_answers(0), None))
            .await
            .unwrap();
        assert!(s.created && s.assessments.is_empty(), "{backend:?}");
        assert_eq!(s.response.score, Some(0.0));
        assert_eq!(count(db, "tasks").await, tasks_before);
        assert_eq!(
            db.responses_of(&me, soren, None, 10).await.unwrap().len(),
            1
        );

        // A paused plan keeps the answers untriaged.
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let (heart, _) = bents_plans(db, &cardio, bent).await;
        db.set_care_plan_status(&cardio, heart.id, PlanStatus::Paused, "Indlagt")
            .await
            .unwrap();
        let s = db
            .submit_response(
                &cardio,
                response(bent, "hf_symptoms", hf_answers("much_more"), None),
            )
            .await
            .unwrap();
        assert!(s.created && s.assessments.is_empty(), "{backend:?}");
        assert!(db.tasks_for_test(bent).await.unwrap().is_empty());
        t.db.close().await;
    }
}

#[tokio::test]
async fn a_window_without_a_weight_gives_one_blue_task_and_one_reminder_once() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let (heart, _) = bents_plans(db, &cardio, bent).await;
        // The heart plan began at 05:00; by 10:30 only the weight window (06–10) has closed.
        db.backdate_care_plan_for_test(heart.id, local(5, 0))
            .await
            .unwrap();

        let run = db.check_missing(local(10, 30), "a").await.unwrap();
        assert!(run.ran);
        assert_eq!(run.plans_checked, 3, "{backend:?}: Bent's two and Karen's");
        assert_eq!((run.tasks_raised, run.reminders), (1, 1), "{backend:?}");
        let tasks = db.tasks_for_test(bent).await.unwrap();
        assert_eq!(tasks.len(), 1);
        let task = &tasks[0];
        assert_eq!(task.category, TaskCategory::Missing);
        assert_eq!(task.colour, Colour::Blue);
        assert_eq!(task.priority, "routine");
        assert_eq!(task.care_team_id, heart.care_team_id);
        assert_eq!(task.activity.as_deref(), Some("measurement:weight"));
        assert_eq!(task.window, Some((local(6, 0), local(10, 0))));
        assert_eq!(task.oldest_result_at, local(10, 0));
        assert_eq!(
            task.description,
            "Mangler: vægt (ons. 19. nov. 06:00–10:00)"
        );
        let outbox = db.outbox_for_test(bent).await.unwrap();
        assert_eq!(
            outbox,
            [(
                "sms".to_string(),
                "missing_reminder".to_string(),
                "Husk at måle din vægt. Har du brug for hjælp, så ring til servicecentret."
                    .to_string()
            )],
            "{backend:?}: Bent has a mobile number"
        );

        // Again, and a little later: nothing more.
        for at in [local(10, 30), local(10, 45)] {
            let run = db.check_missing(at, "a").await.unwrap();
            assert!(run.ran);
            assert_eq!((run.tasks_raised, run.reminders), (0, 0), "{backend:?}");
        }
        assert_eq!(count(db, "tasks").await, 1);
        assert_eq!(count(db, "notification_outbox").await, 1);

        // At noon blood pressure and pulse are missing too: two tasks, one reminder.
        let run = db.check_missing(local(12, 30), "a").await.unwrap();
        assert_eq!((run.tasks_raised, run.reminders), (2, 1), "{backend:?}");
        let outbox = db.outbox_for_test(bent).await.unwrap();
        assert_eq!(
            outbox[1].2,
            "Husk at måle dit blodtryk og din puls. Har du brug for hjælp, så ring til servicecentret."
        );

        // The next morning's weight is missing as well: the open task is raised, not doubled.
        let run = db.check_missing(local(24 + 10, 30), "a").await.unwrap();
        assert_eq!(run.tasks_raised, 1, "{backend:?}");
        let tasks = db.tasks_for_test(bent).await.unwrap();
        assert_eq!(tasks.len(), 3);
        let weight = tasks
            .iter()
            .find(|t| t.activity.as_deref() == Some("measurement:weight"))
            .unwrap();
        assert_eq!(weight.window, Some((local(24 + 6, 0), local(24 + 10, 0))));
        assert_eq!(
            weight.oldest_result_at,
            local(10, 0),
            "its age: the first miss"
        );
        assert_eq!(
            weight.description,
            "Mangler: vægt (tors. 20. nov. 06:00–10:00)"
        );

        // A nurse completes it; the next miss opens a new task rather than raising the old.
        let done = db
            .complete_task(&cardio, weight.id, Some("Ringet til Bent".into()))
            .await
            .unwrap();
        let run = db.check_missing(local(48 + 10, 30), "a").await.unwrap();
        assert_eq!(
            run.tasks_raised, 3,
            "{backend:?}: the 20th's BP and pulse, the 21st's weight"
        );
        let weights: Vec<_> = db
            .tasks_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.activity.as_deref() == Some("measurement:weight"))
            .collect();
        assert_eq!(weights.len(), 2, "{backend:?}");
        assert_eq!(weights[0].id, done.id);
        assert!(!weights[0].status.is_open());
        assert!(weights[1].status.is_open());
        assert_eq!(weights[1].oldest_result_at, local(48 + 10, 0));
        t.db.close().await;
    }
}

#[tokio::test]
async fn a_weight_inside_the_window_means_no_task_and_a_paused_plan_gets_none() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        db.ensure_questionnaires(&library()).await.unwrap();
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let (heart, _) = bents_plans(db, &cardio, bent).await;
        db.backdate_care_plan_for_test(heart.id, local(5, 0))
            .await
            .unwrap();
        db.submit_observation(&cardio, weight_at(bent, local(7, 15)))
            .await
            .unwrap();
        let run = db.check_missing(local(10, 30), "a").await.unwrap();
        assert_eq!((run.tasks_raised, run.reminders), (0, 0), "{backend:?}");
        assert!(db.tasks_for_test(bent).await.unwrap().is_empty());
        assert!(db.outbox_for_test(bent).await.unwrap().is_empty());
        // One weight the next day, after its window: that window is still missing (as are
        // the first day's blood pressure and pulse, whose windows closed at noon).
        db.submit_observation(&cardio, weight_at(bent, local(24 + 10, 5)))
            .await
            .unwrap();
        let run = db.check_missing(local(24 + 10, 30), "a").await.unwrap();
        assert_eq!(run.tasks_raised, 3, "{backend:?}");
        let tasks = db.tasks_for_test(bent).await.unwrap();
        let weight = tasks
            .iter()
            .find(|t| t.activity.as_deref() == Some("measurement:weight"))
            .unwrap();
        assert_eq!(weight.window, Some((local(24 + 6, 0), local(24 + 10, 0))));

        // Karen's COPD plan, paused: nothing is missing however long it rests.
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let copd = db.care_plans_of(&aarhus, karen).await.unwrap()[0].clone();
        db.set_care_plan_status(&aarhus, copd.id, PlanStatus::Paused, "Indlagt")
            .await
            .unwrap();
        db.backdate_care_plan_for_test(copd.id, local(5, 0))
            .await
            .unwrap();
        let run = db.check_missing(local(3 * 24, 0), "a").await.unwrap();
        assert!(run.ran);
        assert_eq!(
            run.plans_checked, 2,
            "{backend:?}: the paused plan is not checked"
        );
        assert!(db.tasks_for_test(karen).await.unwrap().is_empty());
        assert!(db.outbox_for_test(karen).await.unwrap().is_empty());
        t.db.close().await;
    }
}

#[tokio::test]
async fn one_holder_at_a_time_runs_the_check() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let at = local(10, 0);
        assert!(db.check_missing(at, "a").await.unwrap().ran);
        let second = db.check_missing(at, "b").await.unwrap();
        assert!(!second.ran, "{backend:?}");
        assert_eq!(second.plans_checked, 0);
        // The holder renews; the lease outlives it by five minutes, then anyone may take it.
        assert!(db.check_missing(local(10, 1), "a").await.unwrap().ran);
        assert!(!db.check_missing(local(10, 6), "b").await.unwrap().ran);
        assert!(db.check_missing(local(10, 7), "b").await.unwrap().ran);
        assert!(!db.check_missing(local(10, 7), "a").await.unwrap().ran);
        assert_eq!(count(db, "job_leases").await, 1);

        // The scheduler loop takes the (long expired) lease at once and keeps it.
        let handle = telesund_db::monitoring::missing::spawn_missing_scheduler(
            db.clone(),
            std::time::Duration::from_secs(60),
            "replica-1".into(),
        );
        let mut holder = None;
        for _ in 0..100 {
            holder = db.lease_holder_for_test("missing_results").await.unwrap();
            if holder.as_deref() == Some("replica-1") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(holder.as_deref(), Some("replica-1"), "{backend:?}");
        assert!(!db.check_missing(Timestamp::now(), "b").await.unwrap().ran);
        handle.abort();
        t.db.close().await;
    }
}
