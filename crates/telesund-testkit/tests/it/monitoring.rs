//! Telemonitoring storage on both backends: enrolment yields care plans, one measurement
//! serves every plan that asks for it, triage makes tasks, retries change nothing, bad
//! input loses nothing, thresholds are overridden with a reason, a paused plan keeps quiet.

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::ids::CitizenId;
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::programme::PlanStatus;
use telesund_core::monitoring::thresholds::Bounds;
use telesund_core::monitoring::{Colour, MeasurementType, Quantity};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::backends;

const HOUR: i64 = 3_600_000_000;

async fn citizen(db: &Db, ctx: &AccessCtx, name: &str) -> CitizenId {
    db.search_citizens(ctx, name, 5).await.unwrap()[0].id
}

fn weight(citizen: CitizenId, kg: f64, at: Timestamp, id: Option<&str>) -> NewObservation {
    NewObservation {
        citizen_id: citizen,
        kind: MeasurementType::Weight,
        values: vec![SentValue {
            quantity: Quantity::Weight,
            value: kg,
            unit: "kg".into(),
        }],
        effective_at: at,
        source: Source::Device,
        device: Some("SCALE-0042".into()),
        identifier: id.map(|i| format!("urn:telesund:test|{i}")),
        on_behalf_of_name: None,
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    db.count_rows(table).await.unwrap()
}

#[tokio::test]
async fn one_weight_serves_both_of_bents_plans_and_a_gain_goes_red_for_the_heart_team() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let plans = db.care_plans_of(&cardio, bent).await.unwrap();
        assert_eq!(plans.len(), 2, "{backend:?}: heart failure and diabetes");
        let heart = plans
            .iter()
            .find(|p| p.programme_name.contains("hjertesvigt"))
            .unwrap();
        assert!(heart.definition.measures(MeasurementType::BloodPressure));

        let now = Timestamp::now();
        let first = db
            .submit_observation(
                &cardio,
                weight(bent, 84.0, Timestamp(now.0 - 48 * HOUR), Some("w1")),
            )
            .await
            .unwrap();
        assert!(first.created);
        assert_eq!(
            first.assessments.len(),
            2,
            "{backend:?}: both plans measure weight"
        );
        assert!(
            first
                .assessments
                .iter()
                .all(|(_, a)| a.colour == Colour::Green)
        );

        let gain = db
            .submit_observation(&cardio, weight(bent, 86.6, now, Some("w2")))
            .await
            .unwrap();
        let colours: Vec<_> = gain
            .assessments
            .iter()
            .map(|(p, a)| (*p == heart.id, a.colour))
            .collect();
        assert!(
            colours.contains(&(true, Colour::Red)),
            "{backend:?}: {colours:?}"
        );
        assert!(
            colours.contains(&(false, Colour::Green)),
            "{backend:?}: the diabetes plan has no weight rule"
        );
        let red = &gain
            .assessments
            .iter()
            .find(|(p, _)| *p == heart.id)
            .unwrap()
            .1;
        assert_eq!(red.summary(), "vægt steget 2,6 kg på 3 dage");
        assert_eq!(
            count(db, "tasks").await,
            1,
            "{backend:?}: one task, for the heart team"
        );

        // The same measurement again: nothing new, the same answer.
        let before = count(db, "observations").await;
        let retry = db
            .submit_observation(&cardio, weight(bent, 86.6, now, Some("w2")))
            .await
            .unwrap();
        assert!(!retry.created);
        assert_eq!(retry.observation.id, gain.observation.id);
        assert_eq!(retry.assessments.len(), 2);
        assert_eq!(count(db, "observations").await, before);
        assert_eq!(count(db, "tasks").await, 1);

        // Without an identifier, the device's id and time recognise the retry.
        let a = db
            .submit_observation(&cardio, weight(bent, 86.0, Timestamp(now.0 - HOUR), None))
            .await
            .unwrap();
        let b = db
            .submit_observation(&cardio, weight(bent, 86.0, Timestamp(now.0 - HOUR), None))
            .await
            .unwrap();
        assert!(a.created && !b.created);
        assert_eq!(a.observation.id, b.observation.id);
    }
}

#[tokio::test]
async fn bad_measurements_are_refused_and_leave_nothing_behind() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let before = (
            count(db, "observations").await,
            count(db, "assessments").await,
        );
        let now = Timestamp::now();
        let mut spo2 = weight(bent, 101.0, now, None);
        spo2.kind = MeasurementType::SpO2;
        spo2.values[0] = SentValue {
            quantity: Quantity::SpO2,
            value: 101.0,
            unit: "%".into(),
        };
        let cases = [
            spo2,
            weight(bent, -2.0, now, None),
            weight(bent, 80.0, Timestamp(now.0 + HOUR), None),
            NewObservation {
                values: vec![SentValue {
                    quantity: Quantity::Weight,
                    value: 80.0,
                    unit: "lb".into(),
                }],
                ..weight(bent, 0.0, now, None)
            },
        ];
        for case in cases {
            let e = db.submit_observation(&cardio, case).await.unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{backend:?}: {e}");
        }
        let e = db
            .submit_observation(&cardio, weight(CitizenId::new(), 80.0, now, None))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        // A clinician with no relationship to Bent may not submit for him.
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let e = db
            .submit_observation(&aarhus, weight(bent, 80.0, now, None))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
        assert_eq!(
            (
                count(db, "observations").await,
                count(db, "assessments").await
            ),
            before,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn an_unexpected_type_is_kept_and_shown_to_the_team() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let s = db
            .submit_observation(&aarhus, weight(karen, 70.0, Timestamp::now(), None))
            .await
            .unwrap();
        assert!(
            s.observation.unexpected,
            "{backend:?}: the COPD plan does not ask for weight"
        );
        assert_eq!(s.assessments.len(), 1);
        assert_eq!(s.assessments[0].1.colour, Colour::Yellow);
        let stored = db.observations_of(&aarhus, karen, None, 10).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert!(stored[0].unexpected);
        assert_eq!(count(db, "tasks").await, 1);
    }
}

#[tokio::test]
async fn thresholds_are_overridden_with_a_reason_and_a_paused_plan_is_not_triaged() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let heart = db
            .care_plans_of(&cardio, bent)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.definition.measures(MeasurementType::BloodPressure))
            .unwrap();
        let bounds = Bounds::new(Some(80.0), Some(90.0), Some(140.0), Some(150.0));
        let e = db
            .override_thresholds(&cardio, heart.id, Quantity::Systolic, bounds, "  ")
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "a reason is required");
        let e = db
            .override_thresholds(
                &cardio,
                heart.id,
                Quantity::Systolic,
                Bounds::new(Some(150.0), Some(90.0), None, None),
                "x",
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "bounds out of order");
        let plan = db
            .override_thresholds(
                &cardio,
                heart.id,
                Quantity::Systolic,
                bounds,
                "Lavere mål efter medicinjustering",
            )
            .await
            .unwrap();
        assert_eq!(
            plan.definition.thresholds.get(Quantity::Systolic),
            Some(&bounds)
        );
        let history = db.care_plan_history(&cardio, heart.id).await.unwrap();
        let change = history.iter().find(|c| c.kind == "thresholds").unwrap();
        assert_eq!(change.reason, "Lavere mål efter medicinjustering");
        assert_eq!(change.old_value.unwrap().warning_high, Some(160.0));
        assert_eq!(change.new_value, Some(bounds));
        assert_eq!(change.changed_by_name, cardio.principal.display_name());

        let bp = |sys: f64| NewObservation {
            citizen_id: bent,
            kind: MeasurementType::BloodPressure,
            values: vec![
                SentValue {
                    quantity: Quantity::Systolic,
                    value: sys,
                    unit: "mm[Hg]".into(),
                },
                SentValue {
                    quantity: Quantity::Diastolic,
                    value: 80.0,
                    unit: "mm[Hg]".into(),
                },
            ],
            effective_at: Timestamp::now(),
            source: Source::Citizen,
            device: None,
            identifier: None,
            on_behalf_of_name: None,
        };
        let s = db.submit_observation(&cardio, bp(145.0)).await.unwrap();
        assert_eq!(
            s.assessments[0].1.colour,
            Colour::Yellow,
            "{backend:?}: the new bound counts"
        );

        db.set_care_plan_status(&cardio, heart.id, PlanStatus::Paused, "Indlagt")
            .await
            .unwrap();
        let s = db.submit_observation(&cardio, bp(175.0)).await.unwrap();
        assert!(
            s.created && s.assessments.is_empty(),
            "{backend:?}: kept, not triaged"
        );
        assert!(!s.observation.unexpected);
        let e = db
            .set_care_plan_status(&cardio, heart.id, PlanStatus::Paused, "igen")
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        db.set_care_plan_status(&cardio, heart.id, PlanStatus::Ended, "Afsluttet")
            .await
            .unwrap();
        let kinds: Vec<_> = db
            .care_plan_history(&cardio, heart.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, ["created", "thresholds", "paused", "ended"]);
    }
}

#[tokio::test]
async fn the_same_identifier_for_two_citizens_is_two_measurements_and_reveals_nothing() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let system = AccessCtx::system("test");
        let bent = citizen(db, &system, "Bent Hansen").await;
        let karen = citizen(db, &system, "Karen Nielsen").await;
        let at = Timestamp(Timestamp::now().0 - HOUR);
        let first = db
            .submit_observation(&system, weight(bent, 84.0, at, Some("shared-1")))
            .await
            .unwrap();
        let second = db
            .submit_observation(&system, weight(karen, 61.0, at, Some("shared-1")))
            .await
            .unwrap();
        assert!(first.created && second.created, "{backend:?}");
        assert_ne!(first.observation.id, second.observation.id);
        assert_eq!(second.observation.citizen_id, karen);
        assert_eq!(second.observation.value(Quantity::Weight), Some(61.0));
    }
}

#[tokio::test]
async fn a_bundle_judges_each_weight_against_the_stored_ones_and_its_own_earlier_entries() {
    use telesund_db::monitoring::observations::Atomicity;
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let now = Timestamp::now();
        db.submit_observation(
            &cardio,
            weight(bent, 84.0, Timestamp(now.0 - 60 * HOUR), None),
        )
        .await
        .unwrap();
        let bundle = vec![
            weight(bent, 84.5, Timestamp(now.0 - 30 * HOUR), Some("b-1")),
            weight(bent, 86.3, Timestamp(now.0 - HOUR), Some("b-2")),
            // A resend of an entry above, in the same Bundle.
            weight(bent, 84.5, Timestamp(now.0 - 30 * HOUR), Some("b-1")),
        ];
        let out = db
            .submit_observations(&cardio, bundle, Atomicity::AllOrNothing)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: entry {}: {}", e.index, e.error));
        let worst = |i: usize| {
            out[i]
                .as_ref()
                .unwrap()
                .assessments
                .iter()
                .map(|(_, a)| a.colour)
                .max()
                .unwrap()
        };
        assert_eq!(worst(0), Colour::Green, "{backend:?}: +0.5 kg in 30 h");
        // 86.3 against the stored 84.0 two and a half days before: more than 2 kg in 3 days.
        assert_eq!(worst(1), Colour::Red, "{backend:?}");
        let repeat = out[2].as_ref().unwrap();
        assert!(!repeat.created);
        assert_eq!(
            repeat.observation.id,
            out[0].as_ref().unwrap().observation.id
        );
    }
}
