//! Demo equipment: the service centre's approved catalogue (fictional UDI-DIs with the
//! Danish GS1 prefix 57), kits for the three demo programmes, a warehouse in Horsens with
//! units in several states, and the equipment of Bent Hansen and Karen Nielsen — put in
//! place through the real ordering, picking, dispatch and installation flows, so the demo
//! shows the histories and trace lines those flows write.
//!
//! Bent ends up with one tablet and one blood pressure monitor serving both his plans, a
//! scale for heart failure and a glucose meter for diabetes.

use telesund_core::calendar::add_working_days;
use telesund_core::equipment::catalogue::{
    Connectivity, DeviceRole, HygieneClass, Kit, KitRole, Maintenance, MaintenanceKind, Model,
    ModelStatus,
};
use telesund_core::equipment::order::{Delivery, OrderStatus, Priority, ServiceType};
use telesund_core::equipment::reprocessing::ReprocessingRecord;
use telesund_core::equipment::udi::with_check_digit;
use telesund_core::equipment::unit::UnitEvent;
use telesund_core::equipment::visit::InstallationProof;
use telesund_core::ids::{CarePlanId, KitId, ModelId, OrgId, ProgrammeId, UnitId, WarehouseId};
use telesund_core::monitoring::MeasurementType;
use telesund_core::{DomainError, Timestamp};
use telesund_db::equipment::units::NewUnit;
use telesund_db::{AccessCtx, Db};
use time::macros::date;

pub struct Programmes {
    pub heart: ProgrammeId,
    pub diabetes: ProgrammeId,
    pub copd: ProgrammeId,
}

struct Catalogue {
    tablet: ModelId,
    bp: ModelId,
    bp_old: ModelId,
    scale: ModelId,
    oximeter: ModelId,
    glucose: ModelId,
}

#[allow(clippy::too_many_arguments)]
fn model(
    manufacturer: &str,
    name: &str,
    role: DeviceRole,
    di13: &str,
    measures: Vec<MeasurementType>,
    connectivity: Connectivity,
    procedure: &str,
    maintenance: Option<(MaintenanceKind, u32)>,
    prices: (i64, i64, i64),
) -> Model {
    Model {
        id: ModelId::new(),
        manufacturer: manufacturer.into(),
        name: name.into(),
        role,
        udi_di: with_check_digit(di13),
        measures,
        connectivity,
        hygiene_class: HygieneClass::NonCritical,
        reprocessing_procedure: procedure.into(),
        maintenance: maintenance.map(|(kind, interval_days)| Maintenance {
            kind,
            interval_days,
        }),
        purchase_price: prices.0,
        day_rate: prices.1,
        reprocessing_price: prices.2,
        status: ModelStatus::Approved,
        programmes: vec![],
        organisations: vec![],
    }
}

async fn catalogue(db: &Db, ctx: &AccessCtx, p: &Programmes) -> anyhow::Result<Catalogue> {
    use MeasurementType as M;
    let wipe = "Aftør alle overflader med 70 % ethanol (kontakttid 1 minut); manchet aftørres, ikke nedsænkes.";
    let tablet = model(
        "Samsung",
        "Galaxy Tab A9+ 5G",
        DeviceRole::Tablet,
        "0571234500001",
        vec![],
        Connectivity::Cellular,
        "Aftør skærm og kabinet med 70 % ethanol; slet data og nulstil til fabriksindstillinger; installér Telesund-appen igen.",
        Some((MaintenanceKind::SoftwareUpdate, 180)),
        (249_900, 650, 15_000),
    );
    let bp = model(
        "A&D Medical",
        "UA-651BLE",
        DeviceRole::BloodPressureMonitor,
        "0571234500002",
        vec![M::BloodPressure, M::Pulse],
        Connectivity::Bluetooth,
        wipe,
        Some((MaintenanceKind::Calibration, 730)),
        (89_900, 250, 7_500),
    );
    let mut bp_old = model(
        "Omron",
        "M7 Intelli IT",
        DeviceRole::BloodPressureMonitor,
        "0571234500003",
        vec![M::BloodPressure, M::Pulse],
        Connectivity::Bluetooth,
        wipe,
        Some((MaintenanceKind::Calibration, 730)),
        (79_900, 250, 7_500),
    );
    bp_old.status = ModelStatus::PhasingOut;
    let mut scale = model(
        "A&D Medical",
        "UC-352BLE",
        DeviceRole::Scale,
        "0571234500004",
        vec![M::Weight],
        Connectivity::Bluetooth,
        "Aftør vejeplade og display med 70 % ethanol.",
        Some((MaintenanceKind::Battery, 365)),
        (59_900, 180, 7_500),
    );
    scale.programmes = vec![p.heart];
    let mut oximeter = model(
        "Nonin",
        "3230 Bluetooth Smart",
        DeviceRole::PulseOximeter,
        "0571234500005",
        vec![M::SpO2, M::Pulse],
        Connectivity::Bluetooth,
        "Aftør fingerclips og kabinet med 70 % ethanol; lad tørre før funktionstest.",
        None,
        (129_500, 290, 7_500),
    );
    oximeter.programmes = vec![p.copd];
    let mut glucose = model(
        "Roche",
        "Accu-Chek Instant",
        DeviceRole::GlucoseMeter,
        "0571234500006",
        vec![M::Glucose],
        Connectivity::Bluetooth,
        "Aftør med klorholdig serviet (1.000 ppm); kontrolmåling med kontrolvæske efter rengøring.",
        Some((MaintenanceKind::Calibration, 365)),
        (34_900, 120, 7_500),
    );
    glucose.programmes = vec![p.diabetes];
    let ids = Catalogue {
        tablet: tablet.id,
        bp: bp.id,
        bp_old: bp_old.id,
        scale: scale.id,
        oximeter: oximeter.id,
        glucose: glucose.id,
    };
    for m in [tablet, bp, bp_old, scale, oximeter, glucose] {
        db.save_model(ctx, m).await?;
    }
    for (service, price) in [
        (ServiceType::Deliver, 15_000),
        (ServiceType::Install, 45_000),
        (ServiceType::Training, 35_000),
        (ServiceType::Pickup, 25_000),
        (ServiceType::Repair, 40_000),
        (ServiceType::Replace, 45_000),
        (ServiceType::Calibration, 30_000),
        (ServiceType::Maintenance, 30_000),
    ] {
        db.set_service_price(ctx, service, price).await?;
    }
    let kit = |programme, name: &str, roles: Vec<(DeviceRole, Vec<ModelId>)>| Kit {
        id: KitId::new(),
        programme_id: programme,
        name: name.into(),
        roles: roles
            .into_iter()
            .map(|(role, models)| KitRole { role, models })
            .collect(),
    };
    for k in [
        kit(
            p.heart,
            "Hjertesvigt-kit",
            vec![
                (DeviceRole::Tablet, vec![ids.tablet]),
                (DeviceRole::BloodPressureMonitor, vec![ids.bp, ids.bp_old]),
                (DeviceRole::Scale, vec![ids.scale]),
            ],
        ),
        kit(
            p.diabetes,
            "Diabetes-kit",
            vec![
                (DeviceRole::Tablet, vec![ids.tablet]),
                (DeviceRole::BloodPressureMonitor, vec![ids.bp]),
                (DeviceRole::GlucoseMeter, vec![ids.glucose]),
            ],
        ),
        kit(
            p.copd,
            "KOL-kit",
            vec![
                (DeviceRole::Tablet, vec![ids.tablet]),
                (DeviceRole::PulseOximeter, vec![ids.oximeter]),
            ],
        ),
    ] {
        db.save_kit(ctx, k).await?;
    }
    Ok(ids)
}

/// Receives a unit and passes its incoming inspection.
async fn unit(
    db: &Db,
    ctx: &AccessCtx,
    warehouse: WarehouseId,
    model: ModelId,
    serial: &str,
    lot: Option<&str>,
    inspect: bool,
) -> anyhow::Result<UnitId> {
    let u = db
        .receive_unit(
            ctx,
            NewUnit {
                model_id: model,
                serial: serial.into(),
                lot: lot.map(String::from),
                expiry: lot.map(|_| date!(2030 - 06 - 30)),
                software_version: None,
                device_id: None,
                purchased_on: date!(2026 - 03 - 02),
                purchase_price: None,
                warehouse_id: warehouse,
            },
        )
        .await?;
    if inspect {
        db.record_unit_event(ctx, u.unit.id, UnitEvent::StartInspection, "modtagekontrol")
            .await?;
        db.record_unit_event(ctx, u.unit.id, UnitEvent::PassInspection, "ok")
            .await?;
    }
    Ok(u.unit.id)
}

/// Orders a plan's kit and carries the order through to installation with `serials`.
async fn install_kit(
    db: &Db,
    ctx: &AccessCtx,
    plan: CarePlanId,
    serials: &[&str],
    signed_by: &str,
) -> anyhow::Result<()> {
    let outcome = db
        .order_kit(
            ctx,
            plan,
            telesund_db::equipment::orders::KitOrder {
                service: ServiceType::Install,
                priority: Priority::Routine,
                delivery: Delivery {
                    notes: "Ring på i forvejen".into(),
                    ..Default::default()
                },
            },
        )
        .await?;
    let Some(order) = outcome.order else {
        return Ok(());
    };
    db.change_order_status(ctx, order.id, OrderStatus::Accepted, "")
        .await?;
    let day = add_working_days(Timestamp::now().in_copenhagen().date(), 1);
    let visit = db.schedule_visit(ctx, order.id, day, None).await?;
    for (line, serial) in order.lines.iter().zip(serials) {
        db.allocate_unit(ctx, line.id, serial).await?;
    }
    db.dispatch_order(ctx, order.id).await?;
    db.complete_visit(
        ctx,
        visit.id,
        Some(InstallationProof {
            pairing_tested: true,
            first_measurement_received: true,
            citizen_instructed: true,
            signed_by: signed_by.into(),
        }),
        "Installeret og gennemgået",
    )
    .await?;
    Ok(())
}

pub async fn load(
    db: &Db,
    ctx: &AccessCtx,
    service_centre: OrgId,
    p: &Programmes,
    bent: telesund_core::ids::CitizenId,
    karen: telesund_core::ids::CitizenId,
) -> anyhow::Result<()> {
    let c = catalogue(db, ctx, p).await?;
    let w = db
        .create_warehouse(
            ctx,
            service_centre,
            "Fælles Servicecenter – lager Horsens",
            "Sundvej 30, 8700 Horsens",
        )
        .await?
        .id;
    for (model, level) in [
        (c.tablet, 3),
        (c.bp, 2),
        (c.scale, 2),
        (c.glucose, 2),
        (c.oximeter, 2),
    ] {
        db.set_reorder_level(ctx, w, model, level).await?;
    }
    let units: [(ModelId, &str, Option<&str>); 16] = [
        (c.tablet, "R9TX1000101", None),
        (c.tablet, "R9TX1000102", None),
        (c.tablet, "R9TX1000103", None),
        (c.tablet, "R9TX1000104", None),
        (c.tablet, "R9TX1000105", None),
        (c.bp, "5240100201", Some("L2403")),
        (c.bp, "5240100202", Some("L2403")),
        (c.bp, "5240100203", Some("L2403")),
        (c.bp_old, "OM7-88120", Some("OM2311")),
        (c.scale, "5240900301", Some("S2402")),
        (c.scale, "5240900302", Some("S2402")),
        (c.glucose, "UI2340401", Some("G2405")),
        (c.glucose, "UI2340402", Some("G2405")),
        (c.oximeter, "50211501", Some("N2411")),
        (c.oximeter, "50211502", Some("N2409")),
        (c.oximeter, "50211503", Some("N2411")),
    ];
    for (model, serial, lot) in units {
        unit(db, ctx, w, model, serial, lot, true).await?;
    }
    // Waiting for its incoming inspection.
    unit(db, ctx, w, c.scale, "5240900303", Some("S2411"), false).await?;

    // Bent Hansen: heart failure first, then diabetes, which shares the tablet and the
    // blood pressure monitor and orders only the glucose meter.
    let plans = db.care_plans_of(ctx, bent).await?;
    let plan_of = |needle: &str| {
        plans
            .iter()
            .find(|pl| pl.programme_name.to_lowercase().contains(needle))
            .map(|pl| pl.id)
            .ok_or_else(|| DomainError::not_found("demo plan"))
    };
    install_kit(
        db,
        ctx,
        plan_of("hjertesvigt")?,
        &["R9TX1000101", "5240100201", "5240900301"],
        "Bent Hansen",
    )
    .await?;
    install_kit(db, ctx, plan_of("diabetes")?, &["UI2340401"], "Bent Hansen").await?;
    // Karen Nielsen: COPD.
    let karen_plan = db.care_plans_of(ctx, karen).await?[0].id;
    install_kit(
        db,
        ctx,
        karen_plan,
        &["R9TX1000102", "50211501"],
        "Karen Nielsen",
    )
    .await?;

    // A tablet back from the supplier after a screen repair, being cleaned now.
    let repaired = unit(db, ctx, w, c.tablet, "R9TX1000106", None, false).await?;
    db.record_unit_event(ctx, repaired, UnitEvent::StartInspection, "modtagekontrol")
        .await?;
    db.record_unit_event(
        ctx,
        repaired,
        UnitEvent::FailInspection,
        "revne i skærmen ved modtagelse",
    )
    .await?;
    db.record_unit_event(
        ctx,
        repaired,
        UnitEvent::Repaired,
        "skærm udskiftet af leverandøren",
    )
    .await?;
    db.record_unit_event(ctx, repaired, UnitEvent::StartReprocessing, "")
        .await?;
    // A blood pressure monitor from the same route, waiting in quarantine.
    let waiting = unit(db, ctx, w, c.bp, "5240100204", Some("L2403"), false).await?;
    db.record_unit_event(ctx, waiting, UnitEvent::StartInspection, "modtagekontrol")
        .await?;
    db.record_unit_event(ctx, waiting, UnitEvent::FailInspection, "manchetten lækker")
        .await?;
    db.record_unit_event(ctx, waiting, UnitEvent::Repaired, "ny manchet")
        .await?;
    // A scale that went through the whole reprocessing once already.
    let cleaned = unit(db, ctx, w, c.scale, "5240900304", Some("S2402"), false).await?;
    db.record_unit_event(ctx, cleaned, UnitEvent::StartInspection, "modtagekontrol")
        .await?;
    db.record_unit_event(
        ctx,
        cleaned,
        UnitEvent::FailInspection,
        "display viste fejl E3",
    )
    .await?;
    db.record_unit_event(ctx, cleaned, UnitEvent::Repaired, "printplade udskiftet")
        .await?;
    db.record_unit_event(ctx, cleaned, UnitEvent::StartReprocessing, "")
        .await?;
    db.record_reprocessing(
        ctx,
        cleaned,
        ReprocessingRecord {
            cleaning_method: "Manuel aftørring".into(),
            disinfection_agent: "70 % ethanol".into(),
            contact_time_minutes: 1,
            operator: "Thomas Tekniker".into(),
            data_wiped: false,
            factory_reset: false,
            function_test_passed: true,
            notes: "Vejer korrekt med 10 kg kontrollod".into(),
        },
    )
    .await?;
    // A field safety notice for one oximeter lot: the unit in the warehouse is held.
    let nonin_di = with_check_digit("0571234500005");
    db.recall(
        ctx,
        &nonin_di,
        Some("N2409"),
        "Producentens sikkerhedsmeddelelse: batteridæksel kan løsne sig",
    )
    .await?;
    Ok(())
}
