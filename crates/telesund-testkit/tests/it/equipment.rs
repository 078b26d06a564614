//! Equipment storage on both backends: Bent's demo equipment (one unit per role serving both
//! plans), the reuse scenario end to end, the enforced lifecycle, recalls, statements that
//! add up, and who may do what.

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::Timestamp;
use telesund_core::equipment::catalogue::DeviceRole;
use telesund_core::equipment::order::{Delivery, LineStatus, OrderStatus, Priority, ServiceType};
use telesund_core::equipment::reprocessing::ReprocessingRecord;
use telesund_core::equipment::unit::{UnitEvent, UnitState};
use telesund_core::equipment::visit::InstallationProof;
use telesund_core::ids::{CitizenId, UnitId};
use telesund_core::monitoring::observation::{NewObservation, SentValue, Source};
use telesund_core::monitoring::programme::PlanStatus;
use telesund_core::monitoring::{MeasurementType, Quantity};
use telesund_db::equipment::orders::KitOrder;
use telesund_db::equipment::stock::CitizenEquipment;
use telesund_db::{AccessCtx, Db};
use telesund_testkit::backends;

const TECH: &str = "tech@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";
const NURSE: &str = "nurse.horsens@telesund.example";

async fn citizen(db: &Db, ctx: &AccessCtx, name: &str) -> CitizenId {
    db.search_citizens(ctx, name, 5).await.unwrap()[0].id
}

fn roles_in_use(e: &CitizenEquipment) -> Vec<DeviceRole> {
    let mut roles: Vec<DeviceRole> = e
        .units
        .iter()
        .filter(|(u, _)| u.unit.state == UnitState::InUse)
        .map(|(u, _)| u.model.role)
        .collect();
    roles.sort();
    roles
}

fn unit_of(e: &CitizenEquipment, role: DeviceRole) -> UnitId {
    e.units
        .iter()
        .find(|(u, _)| u.model.role == role && u.unit.state == UnitState::InUse)
        .map(|(u, _)| u.unit.id)
        .unwrap_or_else(|| panic!("no {role} in use"))
}

fn install(service: ServiceType) -> KitOrder {
    KitOrder {
        service,
        priority: Priority::Routine,
        delivery: Delivery {
            door_code: "1234".into(),
            contact_person: "Lise Hansen (datter)".into(),
            ..Default::default()
        },
    }
}

fn proof() -> InstallationProof {
    InstallationProof {
        pairing_tested: true,
        first_measurement_received: true,
        citizen_instructed: true,
        signed_by: "Bent Hansen".into(),
    }
}

fn next_working_day() -> time::Date {
    telesund_core::calendar::add_working_days(Timestamp::now().in_copenhagen().date(), 1)
}

#[tokio::test]
async fn bent_has_one_tablet_and_one_blood_pressure_monitor_serving_both_plans() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, CARDIO).await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let e = db.citizen_equipment(&cardio, bent).await.unwrap();
        use DeviceRole::*;
        assert_eq!(
            roles_in_use(&e),
            vec![Tablet, BloodPressureMonitor, Scale, GlucoseMeter],
            "{backend:?}: one unit per role"
        );
        for (u, assignments) in &e.units {
            let shares: Vec<u32> = assignments.iter().map(|a| a.share).collect();
            match u.model.role {
                Tablet | BloodPressureMonitor => {
                    assert_eq!(shares, vec![5_000, 5_000], "{backend:?}")
                }
                _ => assert_eq!(shares, vec![10_000], "{backend:?}"),
            }
        }
        let payers: Vec<&str> = e
            .units
            .iter()
            .flat_map(|(_, a)| a.iter().map(|a| a.payer_name.as_str()))
            .collect();
        assert!(
            payers.contains(&"Horsens Kommune"),
            "{backend:?}: {payers:?}"
        );
        // Every order went through the real flow and says so.
        assert!(
            e.orders.iter().all(|o| o.status == OrderStatus::Active),
            "{backend:?}"
        );
        let diabetes = e
            .orders
            .iter()
            .find(|o| {
                o.programme_name
                    .as_deref()
                    .is_some_and(|p| p.contains("diabetes"))
            })
            .unwrap();
        assert_eq!(
            diabetes.lines.len(),
            1,
            "{backend:?}: only the glucose meter was ordered"
        );
        assert_eq!(diabetes.lines[0].role, GlucoseMeter);

        let tech = staff_ctx(db, TECH).await;
        let queue = db
            .units_in_states(
                &tech,
                &[
                    UnitState::Reprocessing,
                    UnitState::RecallHold,
                    UnitState::Quarantine,
                ],
            )
            .await
            .unwrap();
        let count = |s: UnitState| queue.iter().filter(|u| u.unit.state == s).count();
        assert_eq!(
            (
                count(UnitState::Reprocessing),
                count(UnitState::RecallHold),
                count(UnitState::Quarantine)
            ),
            (1, 1, 1),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_second_programme_orders_only_what_is_missing_and_ending_one_picks_up_only_its_unused_units()
 {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, CARDIO).await;
        let nurse = staff_ctx(db, NURSE).await;
        let tech = staff_ctx(db, TECH).await;
        let bent = citizen(db, &cardio, "Bent Hansen").await;
        let plans = db.care_plans_of(&nurse, bent).await.unwrap();
        let diabetes = plans
            .iter()
            .find(|p| p.programme_name.contains("diabetes"))
            .unwrap()
            .clone();
        let heart = plans
            .iter()
            .find(|p| p.programme_name.contains("hjertesvigt"))
            .unwrap()
            .clone();
        let before = db.citizen_equipment(&nurse, bent).await.unwrap();
        let glucose = unit_of(&before, DeviceRole::GlucoseMeter);
        let tablet = unit_of(&before, DeviceRole::Tablet);

        // Diabetes ends: its glucose meter is collected, the shared units stay with heart failure.
        db.set_care_plan_status(&nurse, diabetes.id, PlanStatus::Ended, "afsluttet forløb")
            .await
            .unwrap();
        let after = db.citizen_equipment(&cardio, bent).await.unwrap();
        let pickup = after
            .orders
            .iter()
            .find(|o| o.service_type == ServiceType::Pickup)
            .expect("a pickup order");
        assert_eq!(pickup.status, OrderStatus::Submitted, "{backend:?}");
        assert_eq!(
            pickup.lines.iter().map(|l| l.unit_id).collect::<Vec<_>>(),
            vec![Some(glucose)],
            "{backend:?}"
        );
        let shares = |e: &CitizenEquipment, u: UnitId| -> Vec<u32> {
            e.units
                .iter()
                .find(|(x, _)| x.unit.id == u)
                .unwrap()
                .1
                .iter()
                .map(|a| a.share)
                .collect()
        };
        assert_eq!(
            shares(&after, tablet),
            vec![10_000],
            "{backend:?}: heart failure carries the tablet alone"
        );

        // Enrolled again: the kit comparison orders only the glucose meter.
        let programme = diabetes.programme_id;
        let horsens_id = db.programme(programme).await.unwrap().owner_org_id;
        db.enrol(&nurse, bent, programme, horsens_id, "fornyet samtykke")
            .await
            .unwrap();
        let new_plan = db
            .care_plans_of(&nurse, bent)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.programme_id == programme && p.status == PlanStatus::Active)
            .unwrap();
        let preview = db
            .preview_kit_order(&nurse, new_plan.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            preview.order.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            vec![DeviceRole::GlucoseMeter],
            "{backend:?}"
        );
        let outcome = db
            .order_kit(&nurse, new_plan.id, install(ServiceType::Install))
            .await
            .unwrap();
        let order = outcome.order.expect("the glucose meter is ordered");
        assert_eq!(order.lines.len(), 1, "{backend:?}");
        assert_eq!(
            outcome.plan.share.len(),
            2,
            "{backend:?}: tablet and blood pressure monitor shared"
        );
        assert_eq!(
            shares(&db.citizen_equipment(&nurse, bent).await.unwrap(), tablet),
            vec![5_000, 5_000],
            "{backend:?}"
        );
        // Ordering again adds nothing.
        let again = db
            .order_kit(&nurse, new_plan.id, install(ServiceType::Install))
            .await
            .unwrap();
        assert!(
            again.order.is_none() && again.plan.share.is_empty(),
            "{backend:?}"
        );

        // The service centre fulfils it: accept, schedule, pick by scanning, dispatch, install.
        db.change_order_status(&tech, order.id, OrderStatus::Accepted, "")
            .await
            .unwrap();
        let visit = db
            .schedule_visit(&tech, order.id, next_working_day(), None)
            .await
            .unwrap();
        let err = db
            .allocate_unit(&tech, order.lines[0].id, "5240900302")
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidInput,
            "{backend:?}: a scale cannot fill a glucose meter line"
        );
        db.allocate_unit(&tech, order.lines[0].id, "UI2340402")
            .await
            .unwrap();
        db.dispatch_order(&tech, order.id).await.unwrap();
        let unproven = db
            .complete_visit(
                &tech,
                visit.id,
                Some(InstallationProof {
                    signed_by: String::new(),
                    ..proof()
                }),
                "",
            )
            .await
            .unwrap_err();
        assert_eq!(unproven.code(), ErrorCode::InvalidInput, "{backend:?}");
        db.complete_visit(&tech, visit.id, Some(proof()), "ok")
            .await
            .unwrap();
        let now = db.citizen_equipment(&nurse, bent).await.unwrap();
        let order = now.orders.iter().find(|o| o.id == order.id).unwrap();
        assert_eq!(order.status, OrderStatus::Active, "{backend:?}");
        assert!(
            order
                .trace
                .iter()
                .any(|t| t.status_to == Some(OrderStatus::Installed))
        );
        assert_eq!(order.lines[0].status, LineStatus::Delivered);

        // Heart failure ends: only the scale is picked up; tablet and monitor stay for diabetes.
        db.set_care_plan_status(&cardio, heart.id, PlanStatus::Ended, "afsluttet")
            .await
            .unwrap();
        let e = db.citizen_equipment(&nurse, bent).await.unwrap();
        let scale = unit_of(&before, DeviceRole::Scale);
        let pickups: Vec<_> = e
            .orders
            .iter()
            .filter(|o| o.service_type == ServiceType::Pickup && o.status == OrderStatus::Submitted)
            .collect();
        assert_eq!(pickups.len(), 2, "{backend:?}");
        let scale_pickup = pickups
            .iter()
            .find(|o| o.lines[0].unit_id == Some(scale))
            .expect("the scale is picked up");
        assert_eq!(scale_pickup.lines.len(), 1, "{backend:?}: nothing else");
        assert_eq!(shares(&e, tablet), vec![10_000], "{backend:?}");

        // Collected, back in the warehouse, reprocessed: available again.
        db.change_order_status(&tech, scale_pickup.id, OrderStatus::Accepted, "")
            .await
            .unwrap();
        let collect = db
            .schedule_visit(&tech, scale_pickup.id, next_working_day(), None)
            .await
            .unwrap();
        db.complete_visit(&tech, collect.id, None, "hentet")
            .await
            .unwrap();
        db.record_unit_event(&tech, scale, UnitEvent::GoodsIn, "")
            .await
            .unwrap();
        assert_eq!(
            db.order(&tech, scale_pickup.id).await.unwrap().status,
            OrderStatus::Closed,
            "{backend:?}"
        );
        let early = db
            .record_unit_event(&tech, scale, UnitEvent::PassReprocessing, "")
            .await
            .unwrap_err();
        assert_eq!(
            early.code(),
            ErrorCode::Conflict,
            "{backend:?}: only a record makes a unit available"
        );
        db.record_unit_event(&tech, scale, UnitEvent::StartReprocessing, "")
            .await
            .unwrap();
        let incomplete = ReprocessingRecord {
            cleaning_method: "Aftørring".into(),
            operator: "Thomas".into(),
            contact_time_minutes: 1,
            function_test_passed: true,
            ..Default::default()
        };
        let refused = db
            .record_reprocessing(&tech, scale, incomplete.clone())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidInput, "{backend:?}");
        let page = db.unit_page(&tech, scale).await.unwrap();
        assert_eq!(
            page.summary.unit.state,
            UnitState::Reprocessing,
            "{backend:?}: nothing lost"
        );
        let done = db
            .record_reprocessing(
                &tech,
                scale,
                ReprocessingRecord {
                    disinfection_agent: "70 % ethanol".into(),
                    ..incomplete
                },
            )
            .await
            .unwrap();
        assert_eq!(done.unit.state, UnitState::Available, "{backend:?}");
        let page = db.unit_page(&tech, scale).await.unwrap();
        let events: Vec<&str> = page
            .history
            .iter()
            .rev()
            .map(|h| h.event.as_str())
            .collect();
        assert_eq!(
            events,
            [
                "receive",
                "start_inspection",
                "pass_inspection",
                "reserve",
                "prepare",
                "dispatch",
                "install",
                "collect",
                "goods_in",
                "start_reprocessing",
                "pass_reprocessing"
            ],
            "{backend:?}"
        );
        assert!(page.history.iter().all(|h| !h.by_name.is_empty()));
        let holders = db.unit_holders(&tech, scale).await.unwrap();
        assert_eq!(
            holders.iter().map(|h| h.citizen_id).collect::<Vec<_>>(),
            vec![bent],
            "{backend:?}"
        );
        assert!(holders[0].to.is_some());
    }
}

#[tokio::test]
async fn a_recall_holds_every_unit_of_the_lot_and_names_the_citizens_and_their_teams() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let tech = staff_ctx(db, TECH).await;
        let bp = db.find_unit(&tech, "5240100201").await.unwrap().unwrap();
        let di = bp.model.udi_di.clone();
        let report = db
            .recall(&tech, &di, Some("L2403"), "manchetten kan revne")
            .await
            .unwrap();
        assert!(
            report
                .held
                .iter()
                .all(|u| u.unit.state == UnitState::RecallHold),
            "{backend:?}"
        );
        assert_eq!(
            report.held.len(),
            4,
            "{backend:?}: in homes, on the shelf and in quarantine"
        );
        let bent = report
            .affected
            .iter()
            .find(|a| a.serial == "5240100201")
            .expect("Bent is affected");
        assert_eq!(bent.citizen_name, "Bent Hansen");
        assert_eq!(bent.programmes.len(), 2, "{backend:?}");
        assert!(!bent.teams.is_empty());
        let lot = db.lot_holders(&tech, &di, Some("L2403")).await.unwrap();
        assert!(
            lot.iter().any(|h| h.citizen_id == bent.citizen_id),
            "{backend:?}"
        );
        // Lifted: the unit in the home stays in use; a shelf unit is checked and cleaned first.
        let home = db
            .release_recall_hold(&tech, bp.unit.id, "producenten frikender lot L2403")
            .await
            .unwrap();
        assert_eq!(home.unit.state, UnitState::InUse, "{backend:?}");
        let shelf = db.find_unit(&tech, "5240100203").await.unwrap().unwrap();
        let shelf = db
            .release_recall_hold(&tech, shelf.unit.id, "frikendt")
            .await
            .unwrap();
        assert_eq!(shelf.unit.state, UnitState::Quarantine, "{backend:?}");
        // The citizen's access log shows the trace.
        let log = db
            .citizen_access_log(&AccessCtx::system("test"), bent.citizen_id, 500)
            .await
            .unwrap();
        assert!(
            log.iter()
                .any(|r| r.who == "Thomas Tekniker" && r.category.as_deref() == Some("support")),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn scanning_finds_a_unit_by_serial_or_label_and_measurements_link_to_it() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let tech = staff_ctx(db, TECH).await;
        let by_serial = db.find_unit(&tech, "5240100201").await.unwrap().unwrap();
        let label = telesund_core::equipment::udi::element_string(
            &by_serial.model.udi_di,
            "5240100201",
            Some("L2403"),
            None,
        );
        let by_label = db.find_unit(&tech, &label).await.unwrap().unwrap();
        assert_eq!(by_label.unit.id, by_serial.unit.id, "{backend:?}");
        assert!(db.find_unit(&tech, "NO-SUCH-UNIT").await.unwrap().is_none());

        let cardio = staff_ctx(db, CARDIO).await;
        let bent = by_serial.holder.unwrap();
        db.submit_observation(
            &cardio,
            NewObservation {
                citizen_id: bent,
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
                device: Some("5240100201".into()),
                identifier: None,
                on_behalf_of_name: None,
            },
        )
        .await
        .unwrap();
        let page = db.unit_page(&tech, by_serial.unit.id).await.unwrap();
        assert_eq!(page.measurements, 1, "{backend:?}");
        assert!(page.last_measurement_at.is_some());
    }
}

#[tokio::test]
async fn statements_add_up_exactly_and_each_payer_reads_only_its_own() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let tech = staff_ctx(db, TECH).await;
        let today = Timestamp::now().in_copenhagen().date();
        let all = db
            .equipment_statements(&tech, today.year(), today.month(), None)
            .await
            .unwrap();
        assert!(
            all.len() >= 3,
            "{backend:?}: hospital, Horsens and Aarhus pay"
        );
        for s in &all {
            assert_eq!(
                s.statement.total,
                s.statement.lines.iter().map(|l| l.amount).sum::<i64>()
            );
            let csv = telesund_core::equipment::cost::to_csv(&s.statement, &s.payer_name, "m");
            assert!(csv.lines().count() == s.statement.lines.len() + 2);
        }
        // Bent's shared tablet: the hospital and Horsens each pay one half of each day.
        let tablet_lines: Vec<i64> = all
            .iter()
            .flat_map(|s| {
                s.statement
                    .lines
                    .iter()
                    .filter(|l| l.serial == "R9TX1000101")
                    .map(|l| l.amount)
            })
            .collect();
        assert_eq!(tablet_lines.len(), 2, "{backend:?}");
        assert!(
            (tablet_lines[0] - tablet_lines[1]).abs() <= 1,
            "{backend:?}: {tablet_lines:?}"
        );
        // Visits were priced: installation at 450 kr.
        assert!(
            all.iter()
                .any(|s| s.statement.lines.iter().any(|l| l.amount == 45_000)),
            "{backend:?}"
        );

        let horsens_admin = staff_ctx(db, "orgadmin.horsens@telesund.example").await;
        let horsens = all
            .iter()
            .find(|s| s.payer_name == "Horsens Kommune")
            .unwrap();
        let own = db
            .equipment_statements(
                &horsens_admin,
                today.year(),
                today.month(),
                Some(horsens.statement.payer),
            )
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(
            own[0].statement.total, horsens.statement.total,
            "{backend:?}"
        );
        let other = all
            .iter()
            .find(|s| s.payer_name != "Horsens Kommune")
            .unwrap();
        let refused = db
            .equipment_statements(
                &horsens_admin,
                today.year(),
                today.month(),
                Some(other.statement.payer),
            )
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::Forbidden, "{backend:?}");
    }
}

#[tokio::test]
async fn ordering_needs_a_care_relationship_and_the_logistics_consent() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let cardio = staff_ctx(db, CARDIO).await;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &aarhus, "Karen Nielsen").await;
        let plan = db.care_plans_of(&aarhus, karen).await.unwrap()[0].id;
        let refused = db
            .order_kit(&cardio, plan, install(ServiceType::Install))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::Forbidden, "{backend:?}");
        let denied = db
            .citizen_equipment(&staff_ctx(db, "educator@telesund.example").await, karen)
            .await
            .unwrap_err();
        assert_eq!(denied.code(), ErrorCode::Forbidden, "{backend:?}");
        // The citizen withdraws the address consent: nothing can be ordered.
        db.record_consent(
            &AccessCtx::system("test"),
            karen,
            telesund_db::care::NewConsent {
                consent_type: telesund_core::care::ConsentType::LogisticsAddressSharing,
                programme_id: None,
                status: telesund_core::care::ConsentStatus::Withdrawn,
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let no_consent = db
            .order_kit(&aarhus, plan, install(ServiceType::Install))
            .await
            .unwrap_err();
        assert_eq!(no_consent.code(), ErrorCode::Conflict, "{backend:?}");
        assert!(no_consent.public_message().contains("consent"));
        // A clinician cannot run the warehouse.
        let err = db
            .record_unit_event(
                &cardio,
                db.find_unit(&staff_ctx(db, TECH).await, "R9TX1000103")
                    .await
                    .unwrap()
                    .unwrap()
                    .unit
                    .id,
                UnitEvent::Retire,
                "x",
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{backend:?}");
    }
}

#[tokio::test]
async fn preventive_maintenance_is_planned_ahead_also_for_units_in_homes_and_once_only() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let tech = staff_ctx(db, TECH).await;
        // The demo tablets were bought in March with a 180-day software interval: overdue.
        let due = db.maintenance_due(&tech, 30).await.unwrap();
        let bents = due
            .iter()
            .find(|d| d.unit.unit.pi.serial == "R9TX1000101")
            .expect("Bent's tablet is due");
        assert!(bents.due.overdue && bents.visit_on.is_none(), "{backend:?}");
        let planned = db.plan_maintenance_visits(&tech, 30).await.unwrap();
        let in_homes = due
            .iter()
            .filter(|d| d.unit.unit.state == UnitState::InUse)
            .count();
        assert_eq!(
            planned, in_homes,
            "{backend:?}: a visit for each due unit in a home"
        );
        assert_eq!(
            db.plan_maintenance_visits(&tech, 30).await.unwrap(),
            0,
            "{backend:?}: once only"
        );
        let due = db.maintenance_due(&tech, 30).await.unwrap();
        let bents = due
            .iter()
            .find(|d| d.unit.unit.pi.serial == "R9TX1000101")
            .unwrap();
        let day = bents.visit_on.expect("a visit is planned");
        assert!(
            telesund_core::calendar::is_working_day(day),
            "{backend:?}: {day}"
        );
        assert!(day >= Timestamp::now().in_copenhagen().date());
        // Done in the home: the unit is no longer due and its page shows the maintenance.
        let visit = db
            .day_plan(&tech, day, None)
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.visit.unit_id == Some(bents.unit.unit.id))
            .expect("on the day plan");
        assert!(
            visit
                .address
                .as_deref()
                .is_some_and(|a| a.contains("Horsens")),
            "{backend:?}: Bent shares his address"
        );
        db.complete_visit(
            &tech,
            visit.visit.id,
            None,
            "Android-opdatering installeret",
        )
        .await
        .unwrap();
        let due = db.maintenance_due(&tech, 30).await.unwrap();
        assert!(
            !due.iter().any(|d| d.unit.unit.pi.serial == "R9TX1000101"),
            "{backend:?}"
        );
        let page = db.unit_page(&tech, bents.unit.unit.id).await.unwrap();
        assert_eq!(page.maintenance.len(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn service_visits_close_their_order_and_a_requested_return_is_collected() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let tech = staff_ctx(db, TECH).await;
        let nurse = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let karen = citizen(db, &nurse, "Karen Nielsen").await;
        let e = db.citizen_equipment(&nurse, karen).await.unwrap();
        let tablet = unit_of(&e, DeviceRole::Tablet);

        // Training: nothing moves, the order closes when the visit is done, and it is priced.
        let order = db
            .order_service(
                &tech,
                tablet,
                ServiceType::Training,
                "Karen vil gerne have app'en vist igen",
            )
            .await
            .unwrap();
        assert_eq!(order.status, OrderStatus::Submitted, "{backend:?}");
        db.change_order_status(&tech, order.id, OrderStatus::Accepted, "")
            .await
            .unwrap();
        let visit = db
            .schedule_visit(&tech, order.id, next_working_day(), None)
            .await
            .unwrap();
        assert_eq!(visit.unit_id, Some(tablet), "{backend:?}");
        let done = db
            .complete_visit(&tech, visit.id, None, "gennemgået")
            .await
            .unwrap();
        assert_eq!(
            done.price,
            Some(35_000),
            "{backend:?}: training is priced from the catalogue"
        );
        assert_eq!(
            db.order(&tech, order.id).await.unwrap().status,
            OrderStatus::Closed,
            "{backend:?}"
        );
        let refused = db
            .order_service(&tech, tablet, ServiceType::Install, "")
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidInput, "{backend:?}");

        // Karen's COPD kit is returned on request: collected, and its units serve nobody.
        let kit = e
            .orders
            .iter()
            .find(|o| o.service_type == ServiceType::Install)
            .unwrap();
        db.change_order_status(
            &tech,
            kit.id,
            OrderStatus::ReturnRequested,
            "borgeren er indlagt længe",
        )
        .await
        .unwrap();
        let collect = db
            .schedule_visit(&tech, kit.id, next_working_day(), None)
            .await
            .unwrap();
        assert_eq!(
            collect.kind,
            telesund_core::equipment::visit::VisitKind::Collect,
            "{backend:?}"
        );
        db.complete_visit(&tech, collect.id, None, "hentet")
            .await
            .unwrap();
        let after = db.citizen_equipment(&nurse, karen).await.unwrap();
        assert!(
            after
                .units
                .iter()
                .all(|(u, a)| u.unit.state == UnitState::InTransitBack && a.is_empty()),
            "{backend:?}"
        );
        assert_eq!(
            after.orders.iter().find(|o| o.id == kit.id).unwrap().status,
            OrderStatus::Collected
        );
    }
}
