//! Demo data: Region Midtjylland with its 19 municipalities, hospitals, general practices and
//! the joint service centre; partner municipalities of the digital health centre in Region
//! Syddanmark; the two patient associations; staff for every role; and citizens.
//!
//! SOR codes here are made up (prefix 9990) so they can never be mistaken for real ones.
//! Loading is idempotent: a database that has the demo region already is left alone.

use telesund_core::care::{ConsentStatus, ConsentType, TeamScope};
use telesund_core::identity::{Address, CitizenInput, Language, NextOfKinInput, OrgKind, Role};
use telesund_core::ids::OrgId;
use telesund_core::monitoring::programme::VersionStatus;
use telesund_db::care::{NewConsent, NewTeamMember};
use telesund_db::organisations::NewOrganisation;
use telesund_db::staff::{NewMembership, NewStaffUser};
use telesund_db::{AccessCtx, Db};

mod equipment;
mod knowledge;
mod programmes;
mod servicedesk;

pub const DEMO_PASSWORD: &str = "telesund-demo";
const REGION_SOR: &str = "999000000001";

const MUNICIPALITIES_MIDT: [&str; 19] = [
    "Favrskov",
    "Hedensted",
    "Herning",
    "Holstebro",
    "Horsens",
    "Ikast-Brande",
    "Lemvig",
    "Norddjurs",
    "Odder",
    "Randers",
    "Ringkøbing-Skjern",
    "Samsø",
    "Silkeborg",
    "Skanderborg",
    "Skive",
    "Struer",
    "Syddjurs",
    "Viborg",
    "Aarhus",
];
const MUNICIPALITIES_SYD: [&str; 3] = ["Odense", "Kolding", "Esbjerg"];

struct Orgs {
    region: OrgId,
    horsens: OrgId,
    aarhus: OrgId,
    skanderborg: OrgId,
    rhh: OrgId,
    hf_clinic: OrgId,
    service_centre: OrgId,
}

pub async fn load(db: &Db) -> anyhow::Result<()> {
    if db.organisation_by_sor(REGION_SOR).await?.is_some() {
        tracing::info!("demo data present already");
        return Ok(());
    }
    let ctx = AccessCtx::system("demo data");
    let orgs = organisations(db, &ctx).await?;
    staff(db, &ctx, &orgs).await?;
    citizens(db, &ctx, &orgs).await?;
    tracing::info!("demo data loaded");
    Ok(())
}

async fn org(
    db: &Db,
    ctx: &AccessCtx,
    name: &str,
    kind: OrgKind,
    n: u32,
    parent: Option<OrgId>,
) -> anyhow::Result<OrgId> {
    let o = db
        .create_organisation(
            ctx,
            NewOrganisation {
                name: name.into(),
                kind,
                sor_code: Some(format!("9990{n:08}")),
                cvr: None,
                parent_id: parent,
            },
        )
        .await?;
    Ok(o.id)
}

async fn organisations(db: &Db, ctx: &AccessCtx) -> anyhow::Result<Orgs> {
    let region = org(db, ctx, "Region Midtjylland", OrgKind::Region, 1, None).await?;
    let syd = org(db, ctx, "Region Syddanmark", OrgKind::Region, 2, None).await?;
    let mut n = 10;
    let (mut horsens, mut aarhus, mut skanderborg) = (None, None, None);
    for m in MUNICIPALITIES_MIDT {
        n += 1;
        let id = org(
            db,
            ctx,
            &format!("{m} Kommune"),
            OrgKind::Municipality,
            n,
            Some(region),
        )
        .await?;
        match m {
            "Horsens" => horsens = Some(id),
            "Aarhus" => aarhus = Some(id),
            "Skanderborg" => skanderborg = Some(id),
            _ => {}
        }
    }
    for m in MUNICIPALITIES_SYD {
        n += 1;
        org(
            db,
            ctx,
            &format!("{m} Kommune"),
            OrgKind::Municipality,
            n,
            Some(syd),
        )
        .await?;
    }
    let rhh = org(
        db,
        ctx,
        "Regionshospitalet Horsens",
        OrgKind::Hospital,
        100,
        Some(region),
    )
    .await?;
    let hf_clinic = org(
        db,
        ctx,
        "Hjertesvigtklinikken, Medicinsk Afdeling, Regionshospitalet Horsens",
        OrgKind::HospitalDepartment,
        101,
        Some(rhh),
    )
    .await?;
    let auh = org(
        db,
        ctx,
        "Aarhus Universitetshospital",
        OrgKind::Hospital,
        110,
        Some(region),
    )
    .await?;
    org(
        db,
        ctx,
        "Hjertesygdomme, Aarhus Universitetshospital",
        OrgKind::HospitalDepartment,
        111,
        Some(auh),
    )
    .await?;
    org(
        db,
        ctx,
        "Lungesygdomme, Aarhus Universitetshospital",
        OrgKind::HospitalDepartment,
        112,
        Some(auh),
    )
    .await?;
    org(
        db,
        ctx,
        "Regionshospitalet Gødstrup",
        OrgKind::Hospital,
        120,
        Some(region),
    )
    .await?;
    org(
        db,
        ctx,
        "Regionshospitalet Randers",
        OrgKind::Hospital,
        130,
        Some(region),
    )
    .await?;
    org(
        db,
        ctx,
        "Regionshospitalet Viborg",
        OrgKind::Hospital,
        140,
        Some(region),
    )
    .await?;
    org(
        db,
        ctx,
        "Lægerne Sundhedshuset Horsens",
        OrgKind::GeneralPractice,
        200,
        None,
    )
    .await?;
    org(
        db,
        ctx,
        "Lægehuset Frederiksbjerg, Aarhus",
        OrgKind::GeneralPractice,
        201,
        None,
    )
    .await?;
    org(
        db,
        ctx,
        "Lægerne i Skanderborg",
        OrgKind::GeneralPractice,
        202,
        None,
    )
    .await?;
    let service_centre = org(
        db,
        ctx,
        "Fælles Servicecenter for Telesundhed",
        OrgKind::ServiceCentre,
        300,
        Some(rhh),
    )
    .await?;
    org(db, ctx, "Diabetesforeningen", OrgKind::Partner, 400, None).await?;
    org(db, ctx, "Hjerteforeningen", OrgKind::Partner, 401, None).await?;
    Ok(Orgs {
        region,
        horsens: horsens.expect("Horsens is in the list"),
        aarhus: aarhus.expect("Aarhus is in the list"),
        skanderborg: skanderborg.expect("Skanderborg is in the list"),
        rhh,
        hf_clinic,
        service_centre,
    })
}

async fn staff(db: &Db, ctx: &AccessCtx, o: &Orgs) -> anyhow::Result<()> {
    let people: [(&str, &str, OrgId, Role); 11] = [
        (
            "admin@telesund.example",
            "Anne Administrator",
            o.region,
            Role::SystemAdmin,
        ),
        (
            "orgadmin.horsens@telesund.example",
            "Ole Olsen",
            o.horsens,
            Role::OrgAdmin,
        ),
        (
            "nurse.horsens@telesund.example",
            "Hanne Sygeplejerske",
            o.horsens,
            Role::Clinician,
        ),
        (
            "nurse.aarhus@telesund.example",
            "Anders Sygeplejerske",
            o.aarhus,
            Role::Clinician,
        ),
        (
            "cardio.rhh@telesund.example",
            "Camilla Kardiolog",
            o.hf_clinic,
            Role::Clinician,
        ),
        (
            "agent@telesund.example",
            "Sara Servicemedarbejder",
            o.service_centre,
            Role::ServiceDeskAgent,
        ),
        (
            "tech@telesund.example",
            "Thomas Tekniker",
            o.service_centre,
            Role::LogisticsTechnician,
        ),
        (
            "educator@telesund.example",
            "Eva Underviser",
            o.horsens,
            Role::Educator,
        ),
        (
            "support.horsens@telesund.example",
            "Sofie Bostøtte",
            o.horsens,
            Role::SocialSupporter,
        ),
        (
            "analyst@telesund.example",
            "Anton Analytiker",
            o.region,
            Role::Analyst,
        ),
        (
            "orgadmin.rhh@telesund.example",
            "Rikke Rasmussen",
            o.rhh,
            Role::OrgAdmin,
        ),
    ];
    for (email, name, org, role) in people {
        db.create_staff_user(
            ctx,
            NewStaffUser {
                email: email.into(),
                name: name.into(),
                password: Some(DEMO_PASSWORD.into()),
                memberships: vec![NewMembership { org_id: org, role }],
            },
        )
        .await?;
    }
    Ok(())
}

fn citizen(
    cpr: &str,
    (given, family): (&str, &str),
    (line, pc, city): (&str, &str, &str),
    municipality: OrgId,
    phone: &str,
) -> CitizenInput {
    CitizenInput {
        cpr: cpr.into(),
        given_name: given.into(),
        family_name: family.into(),
        address: Address {
            line: line.into(),
            postal_code: pc.into(),
            city: city.into(),
        },
        municipality_id: Some(municipality),
        phones: vec![phone.into()],
        email: None,
        language: Language::Danish,
        needs_assisted_support: false,
        next_of_kin: vec![],
    }
}

async fn citizens(db: &Db, ctx: &AccessCtx, o: &Orgs) -> anyhow::Result<()> {
    let programmes = [
        (
            "Telemedicinsk hjertesvigt",
            "Hjemmemonitorering af vægt, blodtryk og puls efter udskrivelse med hjertesvigt.",
            o.hf_clinic,
        ),
        (
            "Type 2-diabetes – telemedicinsk opfølgning",
            "Blodsukker og vægt hjemme, med kommunens diabetessygeplejerske.",
            o.horsens,
        ),
        (
            "KOL – telemedicin",
            "Iltmætning, puls og symptomer hjemme, med kommunens KOL-team.",
            o.aarhus,
        ),
    ];
    let mut ids = Vec::new();
    for (name, desc, owner) in programmes {
        ids.push(db.create_programme(ctx, name, desc, owner).await?.id);
    }
    let (heart, diabetes, copd) = (ids[0], ids[1], ids[2]);
    for (id, definition) in [
        (heart, programmes::heart_failure()),
        (diabetes, programmes::type2_diabetes()),
        (copd, programmes::copd()),
    ] {
        let v = db.create_programme_version(ctx, id, &definition).await?;
        db.set_programme_version_status(ctx, v.id, VersionStatus::Active)
            .await?;
    }

    // Bent Hansen: multi-morbid, followed by both the heart-failure clinic and Horsens Kommune.
    let mut bent = citizen(
        "1203451235",
        ("Bent", "Hansen"),
        ("Strandpromenaden 12", "8700", "Horsens"),
        o.horsens,
        "+45 21 34 56 78",
    );
    bent.needs_assisted_support = true;
    bent.email = Some("bent.hansen@example.dk".into());
    bent.next_of_kin = vec![NextOfKinInput {
        name: "Lise Hansen".into(),
        relation: "datter".into(),
        phone: Some("+45 40 11 22 33".into()),
    }];
    let bent = db.create_citizen(ctx, bent).await?;
    db.enrol(
        ctx,
        bent.id,
        heart,
        o.hf_clinic,
        "Mundtligt samtykke ved udskrivelsessamtale",
    )
    .await?;
    db.enrol(
        ctx,
        bent.id,
        diabetes,
        o.horsens,
        "Skriftligt samtykke ved hjemmebesøg",
    )
    .await?;
    for kind in [
        ConsentType::CrossSectorSharing,
        ConsentType::LogisticsAddressSharing,
    ] {
        db.record_consent(
            ctx,
            bent.id,
            NewConsent {
                consent_type: kind,
                programme_id: None,
                status: ConsentStatus::Given,
                note: "Givet ved opstart".into(),
            },
        )
        .await?;
    }
    db.create_care_team(
        ctx,
        bent.id,
        "Bents tværsektorielle team",
        o.hf_clinic,
        vec![
            NewTeamMember {
                org_id: o.hf_clinic,
                user_id: None,
                role: Role::Clinician,
                scope: TeamScope::Clinical,
            },
            NewTeamMember {
                org_id: o.horsens,
                user_id: None,
                role: Role::Clinician,
                scope: TeamScope::Clinical,
            },
            NewTeamMember {
                org_id: o.horsens,
                user_id: None,
                role: Role::SocialSupporter,
                scope: TeamScope::SocialSupport,
            },
            NewTeamMember {
                org_id: o.service_centre,
                user_id: None,
                role: Role::ServiceDeskAgent,
                scope: TeamScope::ServiceSupport,
            },
        ],
    )
    .await?;
    db.set_citizen_password(bent.id, DEMO_PASSWORD).await?;

    // Karen Nielsen: COPD, Aarhus Kommune.
    let mut karen = citizen(
        "0507527642",
        ("Karen", "Nielsen"),
        ("Frederiks Allé 40, 2. th.", "8000", "Aarhus C"),
        o.aarhus,
        "+45 30 12 45 78",
    );
    karen.email = Some("karen.nielsen@example.dk".into());
    let karen = db.create_citizen(ctx, karen).await?;
    db.enrol(ctx, karen.id, copd, o.aarhus, "Skriftligt samtykke")
        .await?;
    db.set_citizen_password(karen.id, DEMO_PASSWORD).await?;

    // A few more, for search: Danish letters, and citizens nobody has a relationship with yet.
    let more = [
        citizen(
            "2811603458",
            ("Søren", "Østergaard"),
            ("Adelgade 5", "8660", "Skanderborg"),
            o.skanderborg,
            "+45 22 33 44 55",
        ),
        citizen(
            "1406486524",
            ("Åse", "Bækgaard"),
            ("Nørregade 18", "8700", "Horsens"),
            o.horsens,
            "+45 26 66 77 88",
        ),
        citizen(
            "0102034012",
            ("Jens-Peter", "Ågård"),
            ("Søndergade 3", "8000", "Aarhus C"),
            o.aarhus,
            "+45 27 70 80 90",
        ),
    ];
    for c in more {
        db.create_citizen(ctx, c).await?;
    }
    let _ = (o.region, o.rhh);

    db.record_consent(
        ctx,
        karen.id,
        NewConsent {
            consent_type: ConsentType::LogisticsAddressSharing,
            programme_id: None,
            status: ConsentStatus::Given,
            note: "Givet ved opstart".into(),
        },
    )
    .await?;
    let programmes = equipment::Programmes {
        heart,
        diabetes,
        copd,
    };
    equipment::load(db, ctx, o.service_centre, &programmes, bent.id, karen.id).await?;
    knowledge::load(db, ctx).await?;
    servicedesk::load(db, o.service_centre, karen.id).await?;
    Ok(())
}
