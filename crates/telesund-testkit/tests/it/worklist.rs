//! The care team's work on both backends: the worklist (each team its own citizens, worst
//! first, consent decided per read, every citizen shown audited), acknowledging results
//! with a message to the citizen, tasks taken, released and completed, notes, and a
//! programme's alarm burden for its owner only.

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::access::Principal;
use telesund_core::audit::{AuditFilter, AuditRecord, RequestInfo};
use telesund_core::care::{ConsentStatus, ConsentType};
use telesund_core::ids::{AssessmentId, CitizenId, OrgId, ProgrammeId};
use telesund_core::monitoring::assess::TaskCategory;
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::programme::CarePlan;
use telesund_core::monitoring::work::TaskStatus;
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};
use telesund_db::care::NewConsent;
use telesund_db::monitoring::worklist::{
    AckScope, MESSAGE_NOTICE, MessageDirection, TaskOwner, TaskQuery, WorklistFilter,
};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::backends;

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

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
            purpose: "self_service".into(),
        },
    )
}

/// The organisation of a staff member's (first) membership.
fn org_of(ctx: &AccessCtx) -> OrgId {
    match &ctx.principal {
        Principal::Staff { memberships, .. } => memberships[0].org_id,
        _ => panic!("not staff"),
    }
}

fn one(
    citizen: CitizenId,
    kind: MeasurementType,
    values: &[(Quantity, f64, &str)],
    at: Timestamp,
) -> NewObservation {
    NewObservation {
        citizen_id: citizen,
        kind,
        values: values
            .iter()
            .map(|(q, v, u)| SentValue {
                quantity: *q,
                value: *v,
                unit: (*u).into(),
            })
            .collect(),
        effective_at: at,
        source: Source::Device,
        device: None,
        identifier: None,
        on_behalf_of_name: None,
    }
}

fn weight(c: CitizenId, kg: f64, at: Timestamp) -> NewObservation {
    one(
        c,
        MeasurementType::Weight,
        &[(Quantity::Weight, kg, "kg")],
        at,
    )
}

fn blood_pressure(c: CitizenId, systolic: f64, at: Timestamp) -> NewObservation {
    one(
        c,
        MeasurementType::BloodPressure,
        &[
            (Quantity::Systolic, systolic, "mm[Hg]"),
            (Quantity::Diastolic, 80.0, "mm[Hg]"),
        ],
        at,
    )
}

/// Bent's heart-failure plan (the one that measures blood pressure).
async fn heart_plan(db: &Db, ctx: &AccessCtx, bent: CitizenId) -> CarePlan {
    db.care_plans_of(ctx, bent)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.definition.measures(MeasurementType::BloodPressure))
        .unwrap()
}

/// A weight gain of 2.6 kg in two days: red for the heart-failure team.
async fn red_weight_gain(db: &Db, ctx: &AccessCtx, bent: CitizenId, now: Timestamp) {
    db.submit_observation(ctx, weight(bent, 84.0, Timestamp(now.0 - 48 * HOUR)))
        .await
        .unwrap();
    db.submit_observation(ctx, weight(bent, 86.6, now))
        .await
        .unwrap();
}

/// Enrols Åse Bækgaard in the heart-failure programme at the clinic and sends her a
/// systolic pressure of 165 (above the warning bound of 160: yellow).
async fn aase_with_a_yellow(
    db: &Db,
    cardio: &AccessCtx,
    programme: ProgrammeId,
    at: Timestamp,
) -> CitizenId {
    let aase = citizen(db, cardio, "Åse Bækgaard").await;
    db.enrol(
        cardio,
        aase,
        programme,
        org_of(cardio),
        "Mundtligt samtykke",
    )
    .await
    .unwrap();
    let s = db
        .submit_observation(cardio, blood_pressure(aase, 165.0, at))
        .await
        .unwrap();
    assert_eq!(s.assessments[0].1.colour, Colour::Yellow);
    aase
}

async fn worklist(db: &Db, ctx: &AccessCtx) -> Vec<(CitizenId, Colour, Vec<String>)> {
    db.worklist(ctx, &WorklistFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.citizen_id, e.colour, e.programmes))
        .collect()
}

async fn log_of(db: &Db, ctx: &AccessCtx) -> Vec<AuditRecord> {
    db.audit_log(&AuditFilter {
        actor_user_id: ctx.principal.user_id(),
        limit: 1000,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn count(db: &Db, table: &str) -> i64 {
    db.count_rows(table).await.unwrap()
}

#[tokio::test]
async fn the_worklist_shows_each_team_its_own_citizens_worst_first() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let horsens = staff_ctx(db, "nurse.horsens@telesund.example").await;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let heart = heart_plan(db, &cardio, bent).await;
        let now = Timestamp::now();

        // Åse's yellow waits longer; Bent's red comes first all the same.
        let aase =
            aase_with_a_yellow(db, &cardio, heart.programme_id, Timestamp(now.0 - 5 * HOUR)).await;
        red_weight_gain(db, &cardio, bent, now).await;

        let list = db
            .worklist(&cardio, &WorklistFilter::default())
            .await
            .unwrap();
        assert_eq!(
            list.iter().map(|e| e.citizen_id).collect::<Vec<_>>(),
            [bent, aase],
            "{backend:?}"
        );
        let first = &list[0];
        assert_eq!(first.name, "Bent Hansen");
        assert_eq!(first.cpr, "1203451235");
        assert_eq!(first.colour, Colour::Red);
        assert_eq!(first.open_tasks, 1);
        assert_eq!(first.programmes, ["Telemedicinsk hjertesvigt"]);
        assert!(
            first.headline.ends_with("vægt steget 2,6 kg på 3 dage"),
            "{}",
            first.headline
        );
        assert_eq!(first.oldest_at, now);
        assert!(first.owners.is_empty());
        assert_eq!(list[1].colour, Colour::Yellow);
        assert_eq!(list[1].oldest_at, Timestamp(now.0 - 5 * HOUR));

        // Each citizen shown is audited as a clinical read of the worklist, once.
        let shown: Vec<_> = log_of(db, &cardio)
            .await
            .into_iter()
            .filter(|r| r.entity == "worklist")
            .collect();
        assert_eq!(shown.len(), 2, "{backend:?}");
        for c in [bent, aase] {
            assert!(shown.iter().any(|r| r.citizen_id == Some(c)
                && r.outcome_allowed
                && r.action.as_str() == "read"
                && r.category.map(|c| c.as_str()) == Some("clinical")));
        }

        // Filters: by programme, by the team's managing organisation; a limit.
        let only = |programme_id, org_id, limit| WorklistFilter {
            programme_id,
            org_id,
            limit,
        };
        let n = async |f: WorklistFilter| db.worklist(&cardio, &f).await.unwrap().len();
        assert_eq!(n(only(Some(heart.programme_id), None, 0)).await, 2);
        assert_eq!(n(only(None, Some(org_of(&cardio)), 0)).await, 2);
        assert_eq!(n(only(None, Some(org_of(&horsens)), 0)).await, 0);
        assert_eq!(n(only(None, None, 1)).await, 1);
        let e = db
            .worklist(&cardio, &only(None, None, -1))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);

        // The municipality's diabetes nurse is on neither heart-failure team: nothing yet,
        // since Bent's weights were green for the diabetes plan.
        assert!(worklist(db, &horsens).await.is_empty(), "{backend:?}");
        let glucose = one(
            bent,
            MeasurementType::Glucose,
            &[(Quantity::Glucose, 15.0, "mmol/L")],
            Timestamp(now.0 - HOUR),
        );
        db.submit_observation(&horsens, glucose).await.unwrap();
        let diabetes = worklist(db, &horsens).await;
        assert_eq!(diabetes.len(), 1, "{backend:?}");
        assert_eq!(diabetes[0].0, bent);
        assert_eq!(diabetes[0].1, Colour::Yellow);
        assert_eq!(
            diabetes[0].2,
            ["Type 2-diabetes – telemedicinsk opfølgning"]
        );
        // ... and the clinic still sees only its own plan's work for Bent.
        let cardio_list = worklist(db, &cardio).await;
        assert_eq!(cardio_list[0].2, ["Telemedicinsk hjertesvigt"]);

        // A clinician of an unrelated organisation sees nobody; a citizen has no worklist.
        assert!(worklist(db, &aarhus).await.is_empty());
        let e = db
            .worklist(
                &citizen_ctx(bent, "Bent Hansen"),
                &WorklistFilter::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
        t.db.close().await;
    }
}

#[tokio::test]
async fn withdrawn_consent_drops_the_citizen_from_the_worklist() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let heart = heart_plan(db, &cardio, bent).await;
        let now = Timestamp::now();
        let aase = aase_with_a_yellow(db, &cardio, heart.programme_id, now).await;
        red_weight_gain(db, &cardio, bent, now).await;
        assert_eq!(worklist(db, &cardio).await.len(), 2);

        db.record_consent(
            &citizen_ctx(aase, "Åse Bækgaard"),
            aase,
            NewConsent {
                consent_type: ConsentType::TelemedicineParticipation,
                programme_id: Some(heart.programme_id),
                status: ConsentStatus::Withdrawn,
                note: "Ønsker ikke at deltage længere".into(),
            },
        )
        .await
        .unwrap();
        let audited = |log: Vec<AuditRecord>| {
            log.iter()
                .filter(|r| r.entity == "worklist" && r.citizen_id == Some(aase))
                .count()
        };
        let before = audited(log_of(db, &cardio).await);
        let list = worklist(db, &cardio).await;
        assert_eq!(
            list.iter().map(|e| e.0).collect::<Vec<_>>(),
            [bent],
            "{backend:?}: her task is still open, but she is no longer in the clinic's care"
        );
        assert_eq!(
            audited(log_of(db, &cardio).await),
            before,
            "nothing of hers was shown, so nothing of hers is logged"
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn acknowledging_everything_with_a_message_completes_the_task_and_tells_the_citizen() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let bent_ctx = citizen_ctx(bent, "Bent Hansen");
        let heart = heart_plan(db, &cardio, bent).await;
        red_weight_gain(db, &cardio, bent, Timestamp::now()).await;

        // A message over 2,000 characters is refused and changes nothing.
        let e = db
            .acknowledge(
                &cardio,
                bent,
                AckScope::AllOfCitizen,
                Some("x".repeat(2_001)),
                true,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{backend:?}");
        assert!(e.public_message().contains("2000"), "{e}");
        let stored = db.assessments_of(&cardio, bent, None, 50).await.unwrap();
        assert_eq!(stored.len(), 4, "two weights, each for both plans");
        assert!(stored.iter().all(|a| a.acknowledgement.is_none()));
        assert_eq!(count(db, "messages").await, 0);

        let message = "  Ring venligst til klinikken i dag, så vi kan tale om din vægt.  ";
        let done = db
            .acknowledge(
                &cardio,
                bent,
                AckScope::AllOfCitizen,
                Some(message.into()),
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            (done.acknowledged, done.tasks_completed),
            (2, 1),
            "{backend:?}: the heart plan's two results; the diabetes team's are theirs"
        );
        let message_id = done.message_id.expect("a message was written");
        assert!(worklist(db, &cardio).await.is_empty());
        let tasks = db
            .tasks(
                &cardio,
                &TaskQuery {
                    citizen: Some(bent),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].status, TaskStatus::Completed);
        assert_eq!(
            tasks[0].completed_by_name.as_deref(),
            Some("Camilla Kardiolog")
        );
        assert!(tasks[0].completed_at.is_some());
        for a in db.assessments_of(&cardio, bent, None, 50).await.unwrap() {
            match (&a.acknowledgement, a.care_plan_id == heart.id) {
                (Some(ack), true) => {
                    assert_eq!(ack.by_name, "Camilla Kardiolog");
                    assert_eq!(ack.note.as_deref(), Some(message.trim()));
                    assert!(ack.action_taken);
                }
                (None, false) => {}
                other => panic!("{backend:?}: {other:?}"),
            }
        }

        // Bent reads it in his portal; the notice says only that there is a message.
        let inbox = db.messages_of(&bent_ctx, bent).await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].id, message_id);
        assert_eq!(inbox[0].text, message.trim());
        assert_eq!(inbox[0].author_name, "Camilla Kardiolog");
        assert_eq!(inbox[0].direction, MessageDirection::ToCitizen);
        assert!(inbox[0].read_at.is_none());
        let notices: Vec<_> = db
            .outbox_for_test(bent)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, kind, _)| kind == "message")
            .collect();
        assert_eq!(
            notices,
            [("portal".into(), "message".into(), MESSAGE_NOTICE.into())],
            "{backend:?}"
        );
        assert!(!MESSAGE_NOTICE.contains("vægt"));
        assert_eq!(db.mark_messages_read(&bent_ctx, bent).await.unwrap(), 1);
        assert_eq!(db.mark_messages_read(&bent_ctx, bent).await.unwrap(), 0);
        assert!(
            db.messages_of(&bent_ctx, bent).await.unwrap()[0]
                .read_at
                .is_some()
        );
        // Only Bent marks his messages read, and only he (and his clinicians) read them.
        let karen_ctx = citizen_ctx(citizen(db, &cardio, "Karen Nielsen").await, "Karen");
        for e in [
            db.mark_messages_read(&cardio, bent).await.unwrap_err(),
            db.messages_of(&karen_ctx, bent).await.unwrap_err(),
        ] {
            assert_eq!(e.code(), ErrorCode::Forbidden);
        }
        assert_eq!(db.messages_of(&cardio, bent).await.unwrap().len(), 1);

        // Acknowledging again is an error and changes nothing.
        let red = db
            .assessments_of(&cardio, bent, None, 50)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.assessment.colour == Colour::Red)
            .unwrap();
        let counts = async || {
            (
                count(db, "messages").await,
                count(db, "notification_outbox").await,
                count(db, "tasks").await,
            )
        };
        let before = counts().await;
        let e = db
            .acknowledge(
                &cardio,
                bent,
                AckScope::AllOfCitizen,
                Some("igen".into()),
                false,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict, "{backend:?}");
        let e = db
            .acknowledge(
                &cardio,
                bent,
                AckScope::One(red.id),
                Some("igen".into()),
                false,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert_eq!(counts().await, before);
        let still = db
            .assessments_of(&cardio, bent, None, 50)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.id == red.id)
            .unwrap();
        assert_eq!(still.acknowledgement, red.acknowledgement, "unchanged");

        // An unknown result, or another citizen's, is not found.
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let spo2 = one(
            karen,
            MeasurementType::SpO2,
            &[(Quantity::SpO2, 90.0, "%")],
            Timestamp::now(),
        );
        db.submit_observation(&aarhus, spo2).await.unwrap();
        let hers = db.assessments_of(&aarhus, karen, None, 5).await.unwrap()[0].id;
        for id in [AssessmentId::new(), hers] {
            let e = db
                .acknowledge(&cardio, bent, AckScope::One(id), None, false)
                .await
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::NotFound, "{backend:?}");
        }
        t.db.close().await;
    }
}

#[tokio::test]
async fn a_task_stays_open_until_every_alarm_of_its_plan_is_acknowledged_by_its_team() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let horsens = staff_ctx(db, "nurse.horsens@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let now = Timestamp::now();
        db.submit_observation(
            &cardio,
            blood_pressure(bent, 165.0, Timestamp(now.0 - 2 * HOUR)),
        )
        .await
        .unwrap();
        red_weight_gain(db, &cardio, bent, now).await;
        let stored = db.assessments_of(&cardio, bent, None, 50).await.unwrap();
        let of = |c: Colour| stored.iter().find(|a| a.assessment.colour == c).unwrap().id;
        let (yellow, red) = (of(Colour::Yellow), of(Colour::Red));

        let first = db
            .acknowledge(&cardio, bent, AckScope::One(yellow), None, false)
            .await
            .unwrap();
        assert_eq!((first.acknowledged, first.tasks_completed), (1, 0));
        assert_eq!(first.message_id, None);
        let list = db
            .worklist(&cardio, &WorklistFilter::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1, "{backend:?}: the red still waits");
        assert_eq!(list[0].colour, Colour::Red);

        // The municipality's nurse may read and write Bent's clinical data, but the heart
        // team's alarms are the heart team's to close; the refusal is audited.
        let e = db
            .acknowledge(&horsens, bent, AckScope::One(red), None, true)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden, "{backend:?}");
        assert!(
            log_of(db, &horsens)
                .await
                .iter()
                .any(|r| r.entity == "assessment"
                    && !r.outcome_allowed
                    && r.citizen_id == Some(bent))
        );
        // Acknowledging all, she acknowledges her own diabetes plan's (green) weights only.
        let hers = db
            .acknowledge(&horsens, bent, AckScope::AllOfCitizen, None, false)
            .await
            .unwrap();
        assert_eq!(
            (hers.acknowledged, hers.tasks_completed),
            (2, 0),
            "{backend:?}"
        );
        let e = db
            .acknowledge(&horsens, bent, AckScope::AllOfCitizen, None, false)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict, "nothing left on her teams");
        assert_eq!(worklist(db, &cardio).await[0].1, Colour::Red);

        let last = db
            .acknowledge(&cardio, bent, AckScope::One(red), None, true)
            .await
            .unwrap();
        assert_eq!((last.acknowledged, last.tasks_completed), (1, 1));
        assert!(worklist(db, &cardio).await.is_empty());
        t.db.close().await;
    }
}

#[tokio::test]
async fn tasks_are_taken_released_and_completed_by_their_team() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let plan = db.care_plans_of(&aarhus, karen).await.unwrap()[0].clone();

        // Two days without measurements: the missing-results check gives the team blue tasks.
        let now = Timestamp::now();
        db.backdate_care_plan_for_test(plan.id, Timestamp(now.0 - 2 * DAY))
            .await
            .unwrap();
        assert!(db.check_missing(now, "test").await.unwrap().tasks_raised > 0);
        let open = db
            .tasks(
                &aarhus,
                &TaskQuery {
                    status: Some(TaskStatus::Requested),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!open.is_empty(), "{backend:?}");
        assert!(open.iter().all(|t| t.category == TaskCategory::Missing
            && t.colour == Colour::Blue
            && t.citizen_id == karen));
        let task = open[0].clone();
        let list = db
            .worklist(&aarhus, &WorklistFilter::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].colour, Colour::Blue);
        assert_eq!(list[0].open_tasks as usize, open.len());

        // Taken: in progress, mine, and it shows on the worklist.
        let taken = db.take_task(&aarhus, task.id).await.unwrap();
        assert_eq!(taken.status, TaskStatus::InProgress);
        let me = aarhus.principal.user_id().unwrap();
        assert_eq!(taken.owner, Some((me, "Anders Sygeplejerske".into())));
        assert_eq!(
            db.take_task(&aarhus, task.id).await.unwrap().owner,
            taken.owner
        );
        assert_eq!(
            db.worklist(&aarhus, &WorklistFilter::default())
                .await
                .unwrap()[0]
                .owners,
            ["Anders Sygeplejerske"]
        );
        let mine = db
            .tasks(
                &aarhus,
                &TaskQuery {
                    owner: Some(TaskOwner::User(me)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(mine.iter().map(|t| t.id).collect::<Vec<_>>(), [task.id]);
        let of_team = db
            .tasks(
                &aarhus,
                &TaskQuery {
                    owner: Some(TaskOwner::Team(task.care_team_id)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(of_team.len(), open.len());

        // Someone outside Karen's care can neither take nor read it, nor find it.
        assert_eq!(
            db.take_task(&cardio, task.id).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            db.task(&cardio, task.id).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert!(
            db.tasks(&cardio, &TaskQuery::default())
                .await
                .unwrap()
                .iter()
                .all(|t| t.citizen_id != karen)
        );
        let e = db
            .tasks(&citizen_ctx(karen, "Karen Nielsen"), &TaskQuery::default())
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);

        // Released: back to the team.
        let released = db.release_task(&aarhus, task.id).await.unwrap();
        assert_eq!(
            (released.status, released.owner),
            (TaskStatus::Requested, None)
        );
        assert_eq!(
            db.release_task(&aarhus, task.id).await.unwrap_err().code(),
            ErrorCode::Conflict
        );

        // Completed with a note, which is kept in Karen's monitoring notes.
        let done = db
            .complete_task(
                &aarhus,
                task.id,
                Some(" Karen ringede: har været indlagt i weekenden. ".into()),
            )
            .await
            .unwrap();
        assert_eq!(done.status, TaskStatus::Completed, "{backend:?}");
        assert_eq!(
            done.completed_by_name.as_deref(),
            Some("Anders Sygeplejerske")
        );
        assert_eq!(db.task(&aarhus, task.id).await.unwrap(), done);
        let notes = db.notes_of(&aarhus, karen).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].text,
            "Opgave afsluttet: Karen ringede: har været indlagt i weekenden."
        );
        assert_eq!(notes[0].care_plan_id, Some(plan.id));
        for e in [
            db.complete_task(&aarhus, task.id, None).await.unwrap_err(),
            db.take_task(&aarhus, task.id).await.unwrap_err(),
        ] {
            assert_eq!(e.code(), ErrorCode::Conflict);
        }

        // An alarm's task is completed by acknowledging its results, not around them.
        let spo2 = one(
            karen,
            MeasurementType::SpO2,
            &[(Quantity::SpO2, 86.0, "%")],
            Timestamp::now(),
        );
        db.submit_observation(&aarhus, spo2).await.unwrap();
        let alarm = db
            .tasks(
                &aarhus,
                &TaskQuery {
                    citizen: Some(karen),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.category == TaskCategory::Assessment)
            .unwrap();
        assert_eq!(alarm.colour, Colour::Red);
        let e = db.complete_task(&aarhus, alarm.id, None).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict, "{backend:?}");
        let ack = db
            .acknowledge(&aarhus, karen, AckScope::AllOfCitizen, None, true)
            .await
            .unwrap();
        assert_eq!(ack.tasks_completed, 1);
        assert_eq!(
            db.task(&aarhus, alarm.id).await.unwrap().status,
            TaskStatus::Completed
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn notes_are_written_by_the_care_team_and_read_newest_first() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let plan = db.care_plans_of(&aarhus, karen).await.unwrap()[0].id;
        let bents_plan = heart_plan(db, &cardio, bent).await.id;

        db.add_note(&aarhus, karen, None, "Første besøg gik godt.", false)
            .await
            .unwrap();
        let important = db
            .add_note(
                &aarhus,
                karen,
                Some(plan),
                "  Hørehæmmet: ring til datteren.  ",
                true,
            )
            .await
            .unwrap();
        assert_eq!(important.text, "Hørehæmmet: ring til datteren.");
        let notes = db.notes_of(&aarhus, karen).await.unwrap();
        assert_eq!(notes.len(), 2, "{backend:?}");
        assert_eq!(notes[0], important);
        assert_eq!(notes[1].care_plan_id, None);
        assert_eq!(notes[1].author_name, "Anders Sygeplejerske");

        for (e, code) in [
            (
                db.add_note(&aarhus, karen, None, "   ", false).await,
                ErrorCode::InvalidInput,
            ),
            (
                db.add_note(&aarhus, karen, None, "x".repeat(4_001), false)
                    .await,
                ErrorCode::InvalidInput,
            ),
            (
                db.add_note(&aarhus, karen, Some(bents_plan), "forkert plan", false)
                    .await,
                ErrorCode::NotFound,
            ),
            (
                db.add_note(&cardio, karen, None, "ikke min borger", false)
                    .await,
                ErrorCode::Forbidden,
            ),
        ] {
            assert_eq!(e.unwrap_err().code(), code, "{backend:?}");
        }
        assert_eq!(count(db, "monitoring_notes").await, 2);
        assert_eq!(
            db.notes_of(&cardio, karen).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn alarm_burden_counts_alarms_per_rule_and_those_acknowledged_without_action() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let programme = heart_plan(db, &cardio, bent).await.programme_id;
        let now = Timestamp::now();
        aase_with_a_yellow(db, &cardio, programme, Timestamp(now.0 - HOUR)).await;
        red_weight_gain(db, &cardio, bent, now).await;
        db.acknowledge(&cardio, bent, AckScope::AllOfCitizen, None, false)
            .await
            .unwrap();

        let (from, to) = (Timestamp(now.0 - 7 * DAY), Timestamp(now.0 + HOUR));
        let b = db.alarm_burden(&cardio, programme, from, to).await.unwrap();
        assert_eq!(b.alarms, 2, "{backend:?}: Bent's red and Åse's yellow");
        assert_eq!((b.acknowledged, b.acknowledged_without_action), (1, 1));
        assert_eq!(b.share_without_action, Some(1.0));
        let rules: Vec<_> = b
            .by_rule
            .iter()
            .map(|r| (r.rule.as_str(), r.colour, r.alarms))
            .collect();
        assert_eq!(
            rules,
            [
                ("change:weight:0", Colour::Red, 1),
                ("threshold:systolic:warning_high", Colour::Yellow, 1)
            ],
            "{backend:?}"
        );
        // Two plans, active since the demo was loaded and Åse was enrolled: minutes at most.
        assert!(
            b.citizen_days > 0.0 && b.citizen_days < 1.0,
            "{}",
            b.citizen_days
        );
        let rate = b.alarms_per_100_citizen_days.unwrap();
        assert!((rate - 200.0 / b.citizen_days).abs() < 1e-6 * rate);
        assert!(b.by_rule[0].per_100_citizen_days.unwrap() > 0.0);

        // A period before anything happened.
        let early = db
            .alarm_burden(
                &cardio,
                programme,
                Timestamp(now.0 - 30 * DAY),
                Timestamp(now.0 - 20 * DAY),
            )
            .await
            .unwrap();
        assert_eq!((early.alarms, early.citizen_days), (0, 0.0));
        assert_eq!(early.alarms_per_100_citizen_days, None);
        assert_eq!(early.share_without_action, None);

        // Statistics belong to the owning organisation (and the region above it).
        let analyst = staff_ctx(db, "analyst@telesund.example").await;
        assert_eq!(
            db.alarm_burden(&analyst, programme, from, to)
                .await
                .unwrap()
                .alarms,
            2
        );
        for who in [
            "nurse.aarhus@telesund.example",
            "nurse.horsens@telesund.example",
        ] {
            let other = staff_ctx(db, who).await;
            let e = db
                .alarm_burden(&other, programme, from, to)
                .await
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::Forbidden, "{backend:?}: {who}");
        }
        let e = db
            .alarm_burden(&cardio, programme, to, from)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let e = db
            .alarm_burden(&cardio, ProgrammeId::new(), from, to)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);

        // Audited as a read of no citizen.
        let reads: Vec<_> = log_of(db, &cardio)
            .await
            .into_iter()
            .filter(|r| r.entity == "alarm_burden")
            .collect();
        assert_eq!(reads.len(), 2, "{backend:?}");
        assert!(
            reads
                .iter()
                .all(|r| r.citizen_id.is_none() && r.outcome_allowed)
        );
        t.db.close().await;
    }
}
