//! Demo service desk: the service centre's one number and business calendar (office hours,
//! its own closing day after Ascension), a nurse the desk knows by her number, and two of
//! Karen's cases worked through the real flows — one resolved on the phone and rated, one
//! waiting for the supplier. Bent has no case yet: an incoming call from his number starts
//! one. (No demo measurements: the monitoring demo and its tests own those.)

use telesund_core::audit::RequestInfo;
use telesund_core::ids::{CitizenId, OrgId};
use telesund_core::servicedesk::case::{CaseStatus, Category, Channel, Impact, Urgency};
use telesund_core::servicedesk::sla::BusinessCalendar;
use telesund_db::servicedesk::cases::{CaseAction, NewCase};
use telesund_db::{AccessCtx, Db};
use time::macros::date;

/// The one number citizens call.
pub const DESK_PHONE: &str = "+45 70 20 30 40";

async fn staff_ctx(db: &Db, email: &str) -> anyhow::Result<AccessCtx> {
    let id = db
        .staff_id_by_email(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo user {email} is missing"))?;
    Ok(AccessCtx::new(
        db.staff_profile(id).await?.principal(),
        RequestInfo {
            request_id: "demo".into(),
            client_addr: "127.0.0.1".into(),
            purpose: "demo data".into(),
        },
    ))
}

pub async fn load(db: &Db, centre: OrgId, karen: CitizenId) -> anyhow::Result<()> {
    let agent = staff_ctx(db, "agent@telesund.example").await?;
    let mut calendar = BusinessCalendar::office_hours();
    // The day after Ascension Day, when the centre closes like most Danish workplaces.
    calendar.closed_days = vec![date!(2026 - 05 - 15), date!(2027 - 05 - 07)];
    db.set_desk(&agent, centre, DESK_PHONE, &calendar).await?;
    let nurse = staff_ctx(db, "nurse.horsens@telesund.example").await?;
    db.set_own_phone(&nurse, Some("+45 40 11 22 33")).await?;

    let case = |subject: &str, category| NewCase {
        citizen_id: Some(karen),
        requester: None,
        channel: Channel::Phone,
        category,
        subject: subject.into(),
        description: String::new(),
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        acute: false,
        unit_id: None,
        call_id: None,
    };
    let solved = db
        .open_case(
            &agent,
            case("Iltmåleren viser ingen værdi", Category::MeasurementHelp),
        )
        .await?
        .case
        .id;
    db.case_action(&agent, solved, CaseAction::Assign { user_id: None })
        .await?;
    db.case_action(
        &agent,
        solved,
        CaseAction::RemoteFix {
            text: "Fingeren sad forkert; vist hvordan måleren sættes på pegefingeren.".into(),
        },
    )
    .await?;
    let karen_ctx = AccessCtx::new(
        telesund_core::access::Principal::Citizen {
            citizen_id: karen,
            name: db.citizen_name(karen).await?,
        },
        RequestInfo {
            request_id: "demo".into(),
            client_addr: "127.0.0.1".into(),
            purpose: "demo data".into(),
        },
    );
    db.rate_case(&karen_ctx, solved, 5, "Hurtig og venlig hjælp")
        .await?;

    let waiting = db
        .open_case(
            &agent,
            case(
                "Opladeren til tabletten er gået i stykker",
                Category::DeliveryPickup,
            ),
        )
        .await?
        .case
        .id;
    db.case_action(&agent, waiting, CaseAction::Assign { user_id: None })
        .await?;
    db.case_action(
        &agent,
        waiting,
        CaseAction::Wait {
            status: CaseStatus::PendingSupplier,
            note: "Ny oplader bestilt hos leverandøren".into(),
        },
    )
    .await?;
    Ok(())
}
