//! Storage on both backends: citizens, search, access decisions and their audit records,
//! consent withdrawal, append-only audit, transactions, schema parity.

use telesund_core::ErrorCode;
use telesund_core::access::{ActingRole, Principal};
use telesund_core::audit::{AuditFilter, RequestInfo};
use telesund_core::care::{ConsentStatus, ConsentType};
use telesund_core::identity::{Address, CitizenInput, Language, OrgKind, Role};
use telesund_core::ids::CitizenId;
use telesund_db::care::NewConsent;
use telesund_db::{AccessCtx, Db};
use telesund_testkit::{Backend, backends, test_db};

fn input(cpr: &str, given: &str, family: &str) -> CitizenInput {
    CitizenInput {
        cpr: cpr.into(),
        given_name: given.into(),
        family_name: family.into(),
        address: Address {
            line: "Vej 1".into(),
            postal_code: "8700".into(),
            city: "Horsens".into(),
        },
        municipality_id: None,
        phones: vec!["20 12 34 56".into()],
        email: None,
        language: Language::Danish,
        needs_assisted_support: false,
        next_of_kin: vec![],
    }
}

pub(crate) async fn staff_ctx(db: &Db, email: &str) -> AccessCtx {
    let id = db.staff_id_by_email(email).await.unwrap().unwrap();
    let principal = db.staff_profile(id).await.unwrap().principal();
    AccessCtx::new(
        principal,
        RequestInfo {
            request_id: "test".into(),
            client_addr: "127.0.0.1".into(),
            purpose: "treatment".into(),
        },
    )
}

/// A citizen signed in to the portal.
pub(crate) fn citizen_ctx(id: CitizenId, name: &str) -> AccessCtx {
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

pub(crate) async fn demo_db(backend: Backend) -> telesund_testkit::TestDb {
    let t = test_db(backend).await;
    telesund::demo::load(&t.db).await.unwrap();
    t
}

#[tokio::test]
async fn registering_validates_and_refuses_duplicates_without_half_writes() {
    for backend in backends() {
        let t = test_db(backend).await;
        let ctx = AccessCtx::system("test");
        let c =
            t.db.create_citizen(&ctx, input("010170-1235", "Søren", "Østergård"))
                .await
                .unwrap();
        assert_eq!(c.cpr.as_str(), "0101701235");
        assert_eq!(c.phones, vec!["+4520123456"]);

        let dup =
            t.db.create_citizen(&ctx, input("0101701235", "Other", "Person"))
                .await
                .unwrap_err();
        assert_eq!(dup.code(), ErrorCode::DuplicateCpr, "{backend:?}");
        let bad =
            t.db.create_citizen(&ctx, input("3102701235", "A", "B"))
                .await
                .unwrap_err();
        assert_eq!(bad.code(), ErrorCode::InvalidCpr);

        // The failed duplicate wrote nothing: still one citizen, one phone, one creation record.
        let hits = t.db.search_citizens(&ctx, "0101701235", 10).await.unwrap();
        assert_eq!(hits.len(), 1);
        let read = t.db.citizen(&ctx, c.id).await.unwrap();
        assert_eq!(read.phones.len(), 1);
        assert_eq!(read.given_name, "Søren");
        t.db.close().await;
    }
}

#[tokio::test]
async fn search_folds_danish_letters_and_finds_by_cpr_and_phone() {
    for backend in backends() {
        let t = test_db(backend).await;
        let ctx = AccessCtx::system("test");
        t.db.create_citizen(&ctx, input("0101701235", "Søren", "Østergård"))
            .await
            .unwrap();
        t.db.create_citizen(&ctx, input("0202702346", "SØREN", "Hansen"))
            .await
            .unwrap();
        let mut other = input("0303703457", "Åse", "Bæk");
        other.phones = vec!["+45 31 41 59 26".into()];
        t.db.create_citizen(&ctx, other).await.unwrap();
        let names = |hits: Vec<telesund_db::citizens::CitizenSummary>| {
            hits.into_iter().map(|h| h.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(t.db.search_citizens(&ctx, "Søren", 10).await.unwrap()).len(),
            2,
            "{backend:?}"
        );
        assert_eq!(
            names(t.db.search_citizens(&ctx, "soren oster", 10).await.unwrap()),
            vec!["Søren Østergård"]
        );
        assert_eq!(
            names(t.db.search_citizens(&ctx, "ostergaard", 10).await.unwrap()),
            vec!["Søren Østergård"]
        );
        assert_eq!(
            names(t.db.search_citizens(&ctx, "aase", 10).await.unwrap()),
            vec!["Åse Bæk"]
        );
        assert_eq!(
            names(t.db.search_citizens(&ctx, "31415926", 10).await.unwrap()),
            vec!["Åse Bæk"]
        );
        assert_eq!(
            names(t.db.search_citizens(&ctx, "030370", 10).await.unwrap()),
            vec!["Åse Bæk"]
        );
        assert!(
            t.db.search_citizens(&ctx, "%_", 10)
                .await
                .unwrap()
                .is_empty()
        );
        // Middle of a word does not match: words begin name parts.
        assert!(
            t.db.search_citizens(&ctx, "ren", 10)
                .await
                .unwrap()
                .is_empty()
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn access_follows_care_relationships_and_every_decision_is_audited() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let horsens = staff_ctx(db, "nurse.horsens@telesund.example").await;
        let aarhus = staff_ctx(db, "nurse.aarhus@telesund.example").await;
        let agent = staff_ctx(db, "agent@telesund.example").await;
        let analyst = staff_ctx(db, "analyst@telesund.example").await;
        let bent = db
            .search_citizens(&horsens, "bent hansen", 5)
            .await
            .unwrap()[0]
            .id;

        let overview = db.citizen_overview(&horsens, bent).await.unwrap();
        assert!(overview.contact_visible);
        assert_eq!(overview.enrolments.as_ref().unwrap().len(), 2);
        assert_eq!(overview.acting_as.unwrap().role, Role::Clinician);

        let denied = db.citizen(&aarhus, bent).await.unwrap_err();
        assert_eq!(denied.code(), ErrorCode::Forbidden, "{backend:?}");
        assert_eq!(
            db.citizen(&analyst, bent).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );

        // The service desk sees the support side but never clinical data.
        let agent_view = db.citizen_overview(&agent, bent).await.unwrap();
        assert!(agent_view.enrolments.is_some());
        let agent_id = agent.principal.user_id().unwrap();

        let log = db
            .audit_log(&AuditFilter {
                citizen_id: Some(bent),
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        let aarhus_id = aarhus.principal.user_id().unwrap();
        let denial = log
            .iter()
            .find(|r| r.actor_user_id == Some(aarhus_id))
            .expect("the denial is audited");
        assert!(!denial.outcome_allowed);
        assert_eq!(denial.actor_role, Some(Role::Clinician));
        assert_eq!(denial.actor_org_name.as_deref(), Some("Aarhus Kommune"));
        assert_eq!(denial.request_id, "test");
        assert!(
            log.iter()
                .any(|r| r.actor_user_id == Some(agent_id) && r.outcome_allowed)
        );

        // Bent sees both in his own access log.
        let bent_ctx = AccessCtx::new(
            Principal::Citizen {
                citizen_id: bent,
                name: "Bent Hansen".into(),
            },
            RequestInfo::default(),
        );
        let entries = db.citizen_access_log(&bent_ctx, bent, 100).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.who == "Anders Sygeplejerske" && !e.allowed)
        );
        assert!(
            entries
                .iter()
                .any(|e| e.who == "Hanne Sygeplejerske" && e.allowed)
        );
        // ... and nobody else's log.
        let karen = db.search_citizens(&aarhus, "karen", 5).await.unwrap()[0].id;
        assert_eq!(
            db.citizen_access_log(&bent_ctx, karen, 10)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        t.db.close().await;
    }
}

/// Bent withdraws his telemedicine participation and cross-sector sharing consents.
async fn withdraw_both_consents(db: &Db, bent: telesund_core::ids::CitizenId) {
    let bent_ctx = AccessCtx::new(
        Principal::Citizen {
            citizen_id: bent,
            name: "Bent Hansen".into(),
        },
        RequestInfo::default(),
    );
    for kind in [
        ConsentType::TelemedicineParticipation,
        ConsentType::CrossSectorSharing,
    ] {
        db.record_consent(
            &bent_ctx,
            bent,
            NewConsent {
                consent_type: kind,
                programme_id: None,
                status: ConsentStatus::Withdrawn,
                note: "trukket tilbage".into(),
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn withdrawing_consent_takes_effect_at_the_next_read() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let horsens = staff_ctx(db, "nurse.horsens@telesund.example").await;
        let bent = db.search_citizens(&horsens, "bent", 5).await.unwrap()[0].id;
        assert!(db.citizen(&horsens, bent).await.is_ok());
        // Horsens Kommune reaches Bent through its own diabetes enrolment and through the
        // hospital's cross-sector team; withdrawing both consents closes both paths.
        withdraw_both_consents(db, bent).await;
        let err = db.citizen(&horsens, bent).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{backend:?}");
        // The hospital clinic's own enrolment also rested on the (now withdrawn) participation consent.
        let cardio = staff_ctx(db, "cardio.rhh@telesund.example").await;
        assert!(
            db.citizen(&cardio, bent).await.is_ok(),
            "team membership in the managing sector needs no cross-sector consent"
        );
        t.db.close().await;
    }
}

/// Each server keeps citizens' access facts between requests (`citizen_facts.rs`); a change
/// made through another server sharing the database must still count at the next read here.
#[tokio::test]
async fn a_consent_withdrawn_on_another_server_counts_here_at_the_next_read() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let here = &t.db;
        let there = Db::connect(&telesund_db::DbConfig {
            url: t.url.clone(),
            max_connections: 2,
        })
        .await
        .unwrap();
        let horsens = staff_ctx(here, "nurse.horsens@telesund.example").await;
        let bent = here.search_citizens(&horsens, "bent", 5).await.unwrap()[0].id;
        // Read twice here, so the second read is answered from the kept facts.
        assert!(here.citizen(&horsens, bent).await.is_ok());
        assert!(here.citizen(&horsens, bent).await.is_ok());
        withdraw_both_consents(&there, bent).await;
        let err = here.citizen(&horsens, bent).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Forbidden, "{backend:?}");
        there.close().await;
        t.db.close().await;
    }
}

#[tokio::test]
async fn audit_records_cannot_be_changed_or_deleted() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let before =
            t.db.audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len();
        assert!(before > 0);
        let (update, delete) = t.db.try_tamper_with_audit_log_for_test().await;
        assert!(
            update.is_err() && delete.is_err(),
            "{backend:?}: {update:?} {delete:?}"
        );
        let after =
            t.db.audit_log(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len();
        assert_eq!(before, after);
        t.db.close().await;
    }
}

#[tokio::test]
async fn concurrent_audited_reads_share_commits() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let ctx = staff_ctx(&t.db, "nurse.horsens@telesund.example").await;
        let bent = t.db.search_citizens(&ctx, "bent", 5).await.unwrap()[0].id;
        let (records0, commits0) = t.db.audit_stats();
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (db, ctx) = (t.db.clone(), ctx.clone());
            tasks.push(tokio::spawn(async move {
                db.citizen(&ctx, bent).await.map(|_| ())
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let (records1, commits1) = t.db.audit_stats();
        assert_eq!(records1 - records0, 64, "{backend:?}");
        assert!(
            commits1 - commits0 < 64,
            "64 concurrent reads took {} commits",
            commits1 - commits0
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn organisation_admins_manage_only_their_own_tree() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let rhh_admin = staff_ctx(db, "orgadmin.rhh@telesund.example").await;
        let orgs = db
            .organisations(Some("hjertesvigtklinikken"))
            .await
            .unwrap();
        let clinic = orgs[0].id;
        let horsens = db.organisations(Some("horsens kommune")).await.unwrap()[0].id;
        let new = |org| telesund_db::staff::NewStaffUser {
            email: format!("new.{}@telesund.example", uuid::Uuid::now_v7().simple()),
            name: "Ny Bruger".into(),
            password: Some("a long enough password".into()),
            memberships: vec![telesund_db::staff::NewMembership {
                org_id: org,
                role: Role::Clinician,
            }],
        };
        // A department below the hospital: allowed. Another organisation: refused.
        assert!(
            db.create_staff_user(&rhh_admin, new(clinic)).await.is_ok(),
            "{backend:?}"
        );
        assert_eq!(
            db.create_staff_user(&rhh_admin, new(horsens))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            db.create_organisation(
                &rhh_admin,
                telesund_db::organisations::NewOrganisation {
                    name: "X".into(),
                    kind: OrgKind::Partner,
                    sor_code: None,
                    cvr: None,
                    parent_id: None
                }
            )
            .await
            .unwrap_err()
            .code(),
            ErrorCode::Forbidden
        );
        let _ = ActingRole {
            org_id: clinic,
            org_kind: OrgKind::Hospital,
            role: Role::Clinician,
        };
        t.db.close().await;
    }
}

/// The two migration folders must describe the same tables and columns.
#[tokio::test]
async fn sqlite_and_postgres_schemas_are_equal() {
    let sqlite = test_db(Backend::Sqlite).await;
    let s = sqlite.db.schema_description().await.unwrap();
    assert!(
        s.iter()
            .any(|(t, c, _, _)| t == "audit_log" && c == "request_id")
    );
    if telesund_testkit::pg_admin_url().is_none() {
        eprintln!("TELESUND_TEST_PG is not set: compared SQLite with itself only");
        return;
    }
    let pg = test_db(Backend::Postgres).await;
    let p = pg.db.schema_description().await.unwrap();
    let only_sqlite: Vec<_> = s.iter().filter(|x| !p.contains(x)).collect();
    let only_pg: Vec<_> = p.iter().filter(|x| !s.contains(x)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
}
