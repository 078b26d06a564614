//! The knowledge base on both backends: saving with its rules and audit records, search
//! that folds æ/ø/å, who reads what (citizens and clinicians the published public guides,
//! the desk everything), the guides for a citizen's models, pictures (accepted, refused,
//! served, withheld), the JSON API, and the pages (list, article, editor with CSRF, picture
//! upload, the citizen portal's guide).

use super::storage::{demo_db, staff_ctx};
use telesund_core::ErrorCode;
use telesund_core::access::Principal;
use telesund_core::audit::{AuditAction, AuditFilter, RequestInfo};
use telesund_core::equipment::catalogue::Model;
use telesund_core::identity::Language;
use telesund_core::ids::{ArticleId, CitizenId, ImageId, ModelId};
use telesund_core::servicedesk::case::Category;
use telesund_core::servicedesk::kb::{
    ArticleInput, ArticleKind, ArticleStatus, Audience, picture_line,
};
use telesund_db::servicedesk::kb::{ArticleQuery, ArticleSummary};
use telesund_db::{AccessCtx, Db};
use telesund_testkit::{Session, TestApp, backends, spawn_app};

const AGENT: &str = "agent@telesund.example";
const TECH: &str = "tech@telesund.example";
const CARDIO: &str = "cardio.rhh@telesund.example";
const NURSE: &str = "nurse.horsens@telesund.example";
const BENT_CPR: &str = "1203451235";

/// A 1 × 1 PNG (a real one: signature, IHDR, IDAT, IEND).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

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

async fn bent(db: &Db) -> AccessCtx {
    let cardio = staff_ctx(db, CARDIO).await;
    let id = db.search_citizens(&cardio, "Bent Hansen", 5).await.unwrap()[0].id;
    citizen_ctx(id, "Bent Hansen")
}

async fn model(db: &Db, name: &str) -> Model {
    db.models()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no model {name}"))
}

fn guide(title: &str, body: &str, models: Vec<ModelId>) -> ArticleInput {
    ArticleInput {
        kind: ArticleKind::Guide,
        language: Language::Danish,
        audience: Audience::Public,
        category: Some(Category::MeasurementHelp),
        title: title.into(),
        body: body.into(),
        status: ArticleStatus::Published,
        models,
    }
}

fn titles(list: &[ArticleSummary]) -> Vec<&str> {
    list.iter().map(|a| a.title.as_str()).collect()
}

async fn search(db: &Db, ctx: &AccessCtx, text: &str) -> Vec<ArticleSummary> {
    db.search_articles(
        ctx,
        &ArticleQuery {
            text: text.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn code<T: std::fmt::Debug>(r: Result<T, telesund_db::DbError>) -> ErrorCode {
    r.unwrap_err().code()
}

#[tokio::test]
async fn articles_are_saved_by_the_desk_with_their_rules_and_audit_records() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let scale = model(db, "UC-352BLE").await;
        let bp = model(db, "UA-651BLE").await;

        let a = db
            .save_article(
                &agent,
                None,
                guide(
                    "  Vægten blinker  ",
                    "1. Stå stille.\n2. Vent.\n",
                    vec![scale.id, scale.id],
                ),
            )
            .await
            .unwrap();
        assert_eq!(a.title, "Vægten blinker", "{backend:?}: trimmed");
        assert_eq!(a.body, "1. Stå stille.\n2. Vent.");
        assert_eq!(a.models.len(), 1, "{backend:?}: a model once");
        assert_eq!(a.models[0].name, "A&D Medical UC-352BLE");
        assert_eq!(a.updated_by_name, "Sara Servicemedarbejder");
        assert_eq!(a.created_at, a.updated_at);

        // Changing replaces the models.
        let mut input = a.input();
        input.models = vec![bp.id];
        input.status = ArticleStatus::Retired;
        let b = db.save_article(&agent, Some(a.id), input).await.unwrap();
        assert_eq!(b.id, a.id);
        assert_eq!(
            b.models.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![bp.id]
        );
        assert_eq!(b.status, ArticleStatus::Retired);
        assert!(b.updated_at >= a.updated_at && b.created_at == a.created_at);

        // The rules, each refused with nothing written.
        let before = db.count_rows("kb_articles").await.unwrap();
        let mut bad = guide("", "Tekst", vec![bp.id]);
        assert_eq!(
            code(db.save_article(&agent, None, bad.clone()).await),
            ErrorCode::InvalidInput
        );
        bad.title = "Svar".into();
        bad.kind = ArticleKind::ReplyTemplate;
        assert_eq!(
            code(db.save_article(&agent, None, bad.clone()).await),
            ErrorCode::InvalidInput
        );
        bad.kind = ArticleKind::Guide;
        bad.models = vec![];
        bad.category = None;
        assert_eq!(
            code(db.save_article(&agent, None, bad.clone()).await),
            ErrorCode::InvalidInput
        );
        bad.models = vec![ModelId::new()];
        let err = db
            .save_article(&agent, None, bad.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{backend:?}: {err}");
        assert!(err.to_string().contains("device model"), "{err}");
        // A picture of another article (or none) cannot be shown.
        bad.models = vec![bp.id];
        bad.body = format!("Se her:\n{}", picture_line(ImageId::new(), "Knap"));
        let err = db
            .save_article(&agent, None, bad.clone())
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("not one of this article's pictures"),
            "{err}"
        );
        bad.body = "![](image:nope)".into();
        assert_eq!(
            code(db.save_article(&agent, None, bad.clone()).await),
            ErrorCode::InvalidInput
        );
        bad.body = "Tekst".into();
        assert_eq!(
            code(
                db.save_article(&agent, Some(ArticleId::new()), bad.clone())
                    .await
            ),
            ErrorCode::NotFound
        );
        assert_eq!(
            db.count_rows("kb_articles").await.unwrap(),
            before,
            "{backend:?}"
        );

        // Only the desk writes; a technician of the service centre does too.
        let cardio = staff_ctx(db, CARDIO).await;
        let citizen = bent(db).await;
        let good = guide("Ny vejledning", "Tekst", vec![bp.id]);
        assert_eq!(
            code(db.save_article(&cardio, None, good.clone()).await),
            ErrorCode::Forbidden
        );
        assert_eq!(
            code(db.save_article(&citizen, None, good.clone()).await),
            ErrorCode::Forbidden
        );
        let tech = staff_ctx(db, TECH).await;
        db.save_article(&tech, None, good).await.unwrap();

        // The change and the refusal are in the audit log.
        let log = db
            .audit_log(&AuditFilter {
                limit: 200,
                ..Default::default()
            })
            .await
            .unwrap();
        let a_id = a.id.to_string();
        assert!(log.iter().any(|r| r.entity == "kb_article"
            && r.action == AuditAction::Create
            && r.entity_id.as_deref() == Some(&a_id)
            && r.outcome_allowed
            && r.actor_user_id == agent.principal.user_id()));
        assert!(log.iter().any(|r| r.entity == "kb_article"
            && r.action == AuditAction::Update
            && r.entity_id.as_deref() == Some(&a_id)));
        assert!(
            log.iter().any(|r| r.entity == "kb_article"
                && !r.outcome_allowed
                && r.actor_user_id == cardio.principal.user_id()),
            "{backend:?}: the clinician's refusal is audited"
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn search_folds_danish_letters_and_ranks_titles_first() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let bp = model(db, "UA-651BLE").await;

        // "maler" and "MÅLER" find "måler", in the title or inside "blodtryksmåleren".
        for q in ["maler", "MÅLER", "måler"] {
            let hits = search(db, &agent, q).await;
            let found = titles(&hits);
            assert!(
                found.contains(&"Sådan måler du dit blodtryk"),
                "{backend:?} {q}: {found:?}"
            );
            assert!(
                found.contains(&"Blodtryksmåleren sender ikke data"),
                "{found:?}"
            );
        }
        // Every word must occur; titles holding them all come first.
        let hits = search(db, &agent, "blodtryk måler").await;
        assert_eq!(
            hits[0].title,
            "Blodtryksmåleren sender ikke data",
            "{backend:?}: {:?}",
            titles(&hits)
        );
        assert!(hits.iter().all(|a| a.title != "Sådan vejer du dig"));
        assert!(search(db, &agent, "blodtryk zebra").await.is_empty());

        let a = db
            .save_article(
                &agent,
                None,
                guide(
                    "Hilsen fra kontoret",
                    "Søren Ågård hjælper dig.",
                    vec![bp.id],
                ),
            )
            .await
            .unwrap();
        for q in ["SOREN", "søren", "Søren ÅGÅRD", "aagaard"] {
            let hits = search(db, &agent, q).await;
            assert_eq!(
                titles(&hits),
                vec!["Hilsen fra kontoret"],
                "{backend:?} {q}"
            );
            assert_eq!(hits[0].id, a.id);
        }
        // The excerpt is plain text from the body.
        assert_eq!(
            search(db, &agent, "soren").await[0].excerpt,
            "Søren Ågård hjælper dig."
        );
        // Filters narrow the search.
        let english = db
            .search_articles(
                &agent,
                &ArticleQuery {
                    language: Some(Language::English),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!english.is_empty() && english.iter().all(|a| a.language == Language::English));
        let for_bp = db
            .search_articles(
                &agent,
                &ArticleQuery {
                    model: Some(bp.id),
                    kind: Some(ArticleKind::Guide),
                    category: Some(Category::EquipmentFault),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            titles(&for_bp).contains(&"Blodtryksmåleren sender ikke data"),
            "{backend:?}"
        );
        assert!(
            for_bp
                .iter()
                .all(|a| a.models.contains(&bp.id) && a.category == Some(Category::EquipmentFault))
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn citizens_and_clinicians_read_only_published_public_guides() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let citizen = bent(db).await;
        let nurse = staff_ctx(db, NURSE).await;

        // The desk sees internal articles, reply templates and, when asked, drafts.
        let all = search(db, &agent, "").await;
        assert!(all.iter().any(|a| a.audience == Audience::Internal));
        assert!(all.iter().any(|a| a.kind == ArticleKind::ReplyTemplate));
        assert!(all.iter().all(|a| a.status == ArticleStatus::Published));
        let with_drafts = db
            .search_articles(
                &agent,
                &ArticleQuery {
                    include_drafts: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let draft = with_drafts
            .iter()
            .find(|a| a.status == ArticleStatus::Draft)
            .expect("the demo has a draft");
        let internal = all
            .iter()
            .find(|a| a.audience == Audience::Internal && a.kind == ArticleKind::Guide)
            .unwrap();
        let reply = all
            .iter()
            .find(|a| a.kind == ArticleKind::ReplyTemplate)
            .unwrap();
        let public = all
            .iter()
            .find(|a| a.title == "Sådan måler du dit blodtryk")
            .unwrap();

        for (who, ctx) in [("citizen", &citizen), ("clinician", &nurse)] {
            let seen = search(db, ctx, "").await;
            assert!(!seen.is_empty(), "{backend:?} {who}");
            assert!(
                seen.iter().all(|a| a.kind == ArticleKind::Guide
                    && a.audience == Audience::Public
                    && a.status == ArticleStatus::Published),
                "{backend:?} {who}: {:?}",
                titles(&seen)
            );
            assert_eq!(
                seen.len(),
                all.iter()
                    .filter(|a| a.kind == ArticleKind::Guide && a.audience == Audience::Public)
                    .count()
            );
            // Asking for what only the desk may see is refused, not quietly narrowed.
            for q in [
                ArticleQuery {
                    include_drafts: true,
                    ..Default::default()
                },
                ArticleQuery {
                    audience: Some(Audience::Internal),
                    ..Default::default()
                },
                ArticleQuery {
                    kind: Some(ArticleKind::ReplyTemplate),
                    ..Default::default()
                },
            ] {
                assert_eq!(
                    code(db.search_articles(ctx, &q).await),
                    ErrorCode::Forbidden,
                    "{who}"
                );
            }
            for id in [draft.id, internal.id, reply.id] {
                assert_eq!(
                    code(db.article(ctx, id).await),
                    ErrorCode::Forbidden,
                    "{who}"
                );
            }
            let read = db.article(ctx, public.id).await.unwrap();
            assert_eq!(
                read.images.len(),
                1,
                "{backend:?}: the demo guide has its picture"
            );
            assert_eq!(
                code(db.article(ctx, ArticleId::new()).await),
                ErrorCode::NotFound
            );
        }
        // The citizen's refusal is audited under the citizen.
        let denied = db
            .audit_log(&AuditFilter {
                only_denied: true,
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let bent_id = match citizen.principal {
            Principal::Citizen { citizen_id, .. } => citizen_id,
            _ => unreachable!(),
        };
        assert!(
            denied
                .iter()
                .any(|r| r.entity == "kb_article" && r.actor_citizen_id == Some(bent_id))
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn guides_for_models_serve_the_help_page_and_the_caller_screen() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let citizen = bent(db).await;
        let bp = model(db, "UA-651BLE").await;
        let glucose = model(db, "Accu-Chek Instant").await;
        let models = [bp.id, glucose.id];

        let public = db
            .guides_for_models(&citizen, &models, Language::Danish, Audience::Public)
            .await
            .unwrap();
        assert_eq!(
            titles(&public),
            vec![
                "Blodtryksmåleren sender ikke data",
                "Sådan måler du dit blodsukker",
                "Sådan måler du dit blodtryk",
            ],
            "{backend:?}"
        );
        assert!(
            public
                .iter()
                .all(|a| a.models.iter().any(|m| models.contains(m)))
        );

        // The caller screen: public and internal, the desk only.
        let desk = db
            .guides_for_models(&agent, &models, Language::Danish, Audience::Internal)
            .await
            .unwrap();
        let desk_titles = titles(&desk);
        for title in titles(&public) {
            assert!(desk_titles.contains(&title), "{backend:?}: {title}");
        }
        assert!(desk_titles.contains(&"Ombytning af blodtryksmåler: tjekliste"));
        assert!(desk_titles.contains(&"Fejlsøgning: måleren er parret, men der kommer ingen data"));
        assert!(desk.iter().all(|a| a.kind == ArticleKind::Guide));
        assert_eq!(
            code(
                db.guides_for_models(&citizen, &models, Language::Danish, Audience::Internal)
                    .await
            ),
            ErrorCode::Forbidden
        );

        // In English: the English guide for the monitor, the Danish one for the glucose meter,
        // which has none in English.
        let english = db
            .guides_for_models(&citizen, &models, Language::English, Audience::Public)
            .await
            .unwrap();
        assert_eq!(
            titles(&english),
            vec![
                "How to measure your blood pressure",
                "Sådan måler du dit blodsukker"
            ],
            "{backend:?}"
        );

        // A draft or retired guide is not offered; nor is anything for no models.
        let scale = model(db, "UC-352BLE").await;
        let scale_guides = db
            .guides_for_models(&citizen, &[scale.id], Language::Danish, Audience::Public)
            .await
            .unwrap();
        assert!(!titles(&scale_guides).contains(&"Sådan skifter du batterier i vægten"));
        assert!(titles(&scale_guides).contains(&"Sådan vejer du dig"));
        let first = db.article(&agent, scale_guides[0].id).await.unwrap();
        let mut retire = first.input();
        retire.status = ArticleStatus::Retired;
        db.save_article(&agent, Some(first.id), retire)
            .await
            .unwrap();
        let after = db
            .guides_for_models(&citizen, &[scale.id], Language::Danish, Audience::Public)
            .await
            .unwrap();
        assert_eq!(after.len(), scale_guides.len() - 1, "{backend:?}");
        assert!(
            db.guides_for_models(&citizen, &[], Language::Danish, Audience::Public)
                .await
                .unwrap()
                .is_empty()
        );
        t.db.close().await;
    }
}

#[tokio::test]
async fn pictures_are_checked_stored_and_served_to_whoever_may_read_them() {
    for backend in backends() {
        let t = demo_db(backend).await;
        let db = &t.db;
        let agent = staff_ctx(db, AGENT).await;
        let citizen = bent(db).await;
        let nurse = staff_ctx(db, NURSE).await;
        let bp = model(db, "UA-651BLE").await;

        let mut input = guide("Knapperne på måleren", "Se billedet.", vec![bp.id]);
        let public = db.save_article(&agent, None, input.clone()).await.unwrap();
        input.audience = Audience::Internal;
        let internal = db.save_article(&agent, None, input.clone()).await.unwrap();
        input.audience = Audience::Public;
        input.status = ArticleStatus::Draft;
        let draft = db.save_article(&agent, None, input).await.unwrap();

        let pic = db
            .add_article_image(&agent, public.id, "image/png", "Den blå START-knap", PNG)
            .await
            .unwrap();
        let hidden = db
            .add_article_image(&agent, internal.id, "image/png", "Servicemenuen", PNG)
            .await
            .unwrap();
        let unpublished = db
            .add_article_image(&agent, draft.id, "image/png", "Kladde", PNG)
            .await
            .unwrap();

        // Refused: not a picture, no text, too large, mislabelled, not the desk, no article.
        let refused = [
            (
                db.add_article_image(&agent, public.id, "image/png", "Tekst", b"<svg onload=x>")
                    .await,
                ErrorCode::UnsupportedMediaType,
            ),
            (
                db.add_article_image(&agent, public.id, "image/png", "  ", PNG)
                    .await,
                ErrorCode::InvalidInput,
            ),
            (
                db.add_article_image(&agent, public.id, "image/jpeg", "Forkert type", PNG)
                    .await,
                ErrorCode::UnsupportedMediaType,
            ),
            (
                db.add_article_image(
                    &agent,
                    public.id,
                    "image/png",
                    "Stor",
                    &[PNG, &vec![0u8; 1024 * 1024][..]].concat(),
                )
                .await,
                ErrorCode::PayloadTooLarge,
            ),
            (
                db.add_article_image(&citizen, public.id, "image/png", "Borger", PNG)
                    .await,
                ErrorCode::Forbidden,
            ),
            (
                db.add_article_image(&agent, ArticleId::new(), "image/png", "Ingen", PNG)
                    .await,
                ErrorCode::NotFound,
            ),
        ];
        for (i, (result, want)) in refused.into_iter().enumerate() {
            assert_eq!(result.unwrap_err().code(), want, "{backend:?}: refusal {i}");
        }

        // Served with the type its bytes prove.
        for ctx in [&agent, &citizen, &nurse] {
            let (ct, bytes) = db.article_image(ctx, pic).await.unwrap();
            assert_eq!(
                (ct.as_str(), bytes.as_slice()),
                ("image/png", PNG),
                "{backend:?}"
            );
        }
        assert_eq!(db.article_image(&agent, hidden).await.unwrap().1, PNG);
        assert_eq!(db.article_image(&agent, unpublished).await.unwrap().1, PNG);
        for ctx in [&citizen, &nurse] {
            assert_eq!(
                code(db.article_image(ctx, hidden).await),
                ErrorCode::Forbidden
            );
            assert_eq!(
                code(db.article_image(ctx, unpublished).await),
                ErrorCode::Forbidden
            );
        }
        assert_eq!(
            code(db.article_image(&agent, ImageId::new()).await),
            ErrorCode::NotFound
        );

        // The article lists its picture, and its body may now show it.
        let mut with_picture = public.input();
        with_picture.body = format!("Se billedet.\n{}", picture_line(pic, "Den blå START-knap"));
        let saved = db
            .save_article(&agent, Some(public.id), with_picture)
            .await
            .unwrap();
        assert_eq!(saved.images.len(), 1);
        assert_eq!(saved.images[0].id, pic);
        assert_eq!(saved.images[0].alt, "Den blå START-knap");
        // … but not another article's picture.
        let mut foreign = public.input();
        foreign.body = picture_line(hidden, "Servicemenuen");
        assert_eq!(
            code(db.save_article(&agent, Some(public.id), foreign).await),
            ErrorCode::InvalidInput
        );
        t.db.close().await;
    }
}

// ---------------------------------------------------------------- over HTTP

async fn get_text(app: &TestApp, s: &Session, path: &str) -> (u16, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn get_bytes(app: &TestApp, s: &Session, path: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .client
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

/// Posts a form; `csrf` false leaves the token out. The status, the redirect and the body.
async fn post_form(
    app: &TestApp,
    s: &Session,
    path: &str,
    form: &[(&str, &str)],
    csrf: bool,
) -> (u16, String, String) {
    let mut fields: Vec<(&str, &str)> = Vec::new();
    if csrf {
        fields.push(("csrf_token", s.csrf.as_str()));
    }
    fields.extend_from_slice(form);
    let r = app
        .client
        .post(app.url(path))
        .header("cookie", &s.cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.unwrap())
}

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart_body(alt: &str, file: &[u8], insert: bool) -> (String, Vec<u8>) {
    let boundary = "----telesundtest7MA4YWxkTrZu0gW";
    let mut b = Vec::new();
    let mut text = |name: &str, value: &str| {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("alt", alt);
    if insert {
        text("insert", "1");
    }
    b.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"knap.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(file);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// Every `<script>` has a `src`, and there is no inline style or event handler.
fn assert_no_inline_code(path: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let tag = &lower[i..i + lower[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{path}: inline script {tag}");
    }
    assert!(!lower.contains(" style="), "{path}: style attribute");
    assert!(!lower.contains(" onclick="), "{path}: handler");
}

/// The first `href="/servicedesk/viden/<id>"` link whose text is `title`.
fn article_link(html: &str, title: &str) -> String {
    let end = html
        .find(&format!("\">{title}</a>"))
        .unwrap_or_else(|| panic!("no link to {title}"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    html[start..end].to_string()
}

#[tokio::test]
async fn the_api_writes_searches_and_serves_pictures() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let bent = app.citizen_login(BENT_CPR).await;
        let bp = model(&app.db, "UA-651BLE").await;

        let (status, a) = app
            .send_json(
                &agent,
                reqwest::Method::POST,
                "/api/v1/knowledge/articles",
                &serde_json::json!({
                    "audience": "public", "status": "published", "category": "equipment_fault",
                    "title": "Måleren piber hele tiden",
                    "body": "Det betyder, at batteriet er fladt.\n\n1. Skift batterierne.\n2. Mål igen.",
                    "models": [bp.id],
                }),
            )
            .await;
        assert_eq!(status, 201, "{backend:?}: {a}");
        let id = a["id"].as_str().unwrap().to_string();
        assert_eq!(a["kind"], "guide");
        assert_eq!(a["language"], "da");
        assert_eq!(a["blocks"][1]["type"], "steps");
        assert_eq!(a["blocks"][1]["items"][0], "Skift batterierne.");

        // Citizens find it folded, and read it.
        let (status, hits) = app
            .get(&bent, "/api/v1/knowledge/articles?q=MALEREN%20piber")
            .await;
        assert_eq!(status, 200, "{hits}");
        assert_eq!(hits["articles"][0]["id"], id.as_str());
        let (status, read) = app
            .get(&bent, &format!("/api/v1/knowledge/articles/{id}"))
            .await;
        assert_eq!(
            (status, read["title"].as_str()),
            (200, Some("Måleren piber hele tiden"))
        );

        // A picture as the raw body.
        let r = app
            .client
            .post(app.url(&format!(
                "/api/v1/knowledge/articles/{id}/images?alt=Batterilågen%20bagpå"
            )))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("content-type", "image/png")
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{backend:?}");
        let pic: serde_json::Value = r.json().await.unwrap();
        let image = pic["id"].as_str().unwrap().to_string();
        assert_eq!(pic["line"], format!("![Batterilågen bagpå](image:{image})"));
        let (status, ct, bytes) =
            get_bytes(&app, &bent, &format!("/api/v1/knowledge/images/{image}")).await;
        assert_eq!(
            (status, ct.as_str(), bytes.as_slice()),
            (200, "image/png", PNG)
        );

        // The body shows it after an update.
        let body = format!(
            "{}\n{}",
            read["body"].as_str().unwrap(),
            pic["line"].as_str().unwrap()
        );
        let input = serde_json::json!({
            "audience": read["audience"], "status": "published", "category": read["category"],
            "title": read["title"], "body": body, "models": [bp.id],
        });
        let (status, updated) = app
            .send_json(
                &agent,
                reqwest::Method::PUT,
                &format!("/api/v1/knowledge/articles/{id}"),
                &input,
            )
            .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["blocks"][2]["type"], "picture");
        assert_eq!(updated["images"][0]["id"], image.as_str());

        // Refusals, in the standard error body.
        let bad = app
            .client
            .post(app.url(&format!("/api/v1/knowledge/articles/{id}/images?alt=x")))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("content-type", "image/png")
            .body(b"GIF89a not a png".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status().as_u16(), 415);
        let (status, e) = app
            .get(&bent, "/api/v1/knowledge/articles?include_drafts=true")
            .await;
        assert_eq!((status, e["code"].as_str()), (403, Some("forbidden")));
        let (status, e) = app
            .get(&agent, "/api/v1/knowledge/articles?colour=red")
            .await;
        assert_eq!((status, e["code"].as_str()), (400, Some("unknown_field")));
        let (status, e) = app
            .send_json(
                &bent,
                reqwest::Method::POST,
                "/api/v1/knowledge/articles",
                &input,
            )
            .await;
        assert_eq!((status, e["code"].as_str()), (403, Some("forbidden")));
        let (status, e) = app
            .send_json(
                &agent,
                reqwest::Method::POST,
                "/api/v1/knowledge/articles",
                &serde_json::json!({ "audience": "public", "title": "", "body": "x", "category": "other" }),
            )
            .await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("invalid_input")),
            "{e}"
        );
        let (status, _) = app.get(&bent, "/api/v1/knowledge/articles/not-an-id").await;
        assert_eq!(status, 404);
        // An internal article's picture is the desk's.
        let (_, internal) = app
            .send_json(
                &agent,
                reqwest::Method::POST,
                "/api/v1/knowledge/articles",
                &serde_json::json!({ "audience": "internal", "status": "published", "category": "other", "title": "Intern note", "body": "Kun til os." }),
            )
            .await;
        let r = app
            .client
            .post(app.url(&format!(
                "/api/v1/knowledge/articles/{}/images?alt=Intern",
                internal["id"].as_str().unwrap()
            )))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("content-type", "image/png")
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        let hidden: serde_json::Value = r.json().await.unwrap();
        let (status, _, _) = get_bytes(
            &app,
            &bent,
            &format!(
                "/api/v1/knowledge/images/{}",
                hidden["id"].as_str().unwrap()
            ),
        )
        .await;
        assert_eq!(status, 403, "{backend:?}");
    }
}

#[tokio::test]
async fn the_editor_pages_render_save_with_csrf_and_upload_pictures() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let nurse = app.login(NURSE).await;
        let bp = model(&app.db, "UA-651BLE").await;

        // The list: every demo guide, the editor's button, and the search folded.
        let (status, html) = get_text(&app, &agent, "/servicedesk/viden").await;
        assert_eq!(status, 200, "{backend:?}");
        assert_no_inline_code("/servicedesk/viden", &html);
        assert!(html.contains("id=\"kb-new\""));
        assert!(
            html.contains("Vi sender en ny måler"),
            "reply templates are listed for the desk"
        );
        let (_, found) = get_text(
            &app,
            &agent,
            "/servicedesk/viden?q=MALER&category=equipment_fault",
        )
        .await;
        assert!(found.contains("Blodtryksmåleren sender ikke data"));
        assert!(
            !found.contains("Sådan måler du dit blodtryk"),
            "category filter"
        );
        let (_, drafts) = get_text(&app, &agent, "/servicedesk/viden?drafts=1").await;
        assert!(drafts.contains("Sådan skifter du batterier i vægten"));
        assert!(!html.contains("Sådan skifter du batterier i vægten"));

        // A clinician reads the public guides only and gets no editor.
        let (status, theirs) = get_text(&app, &nurse, "/servicedesk/viden").await;
        assert_eq!(status, 200);
        assert!(theirs.contains("Sådan måler du dit blodtryk"));
        assert!(!theirs.contains("Vi sender en ny måler") && !theirs.contains("id=\"kb-new\""));
        let (status, _) = get_text(&app, &nurse, "/servicedesk/viden/ny").await;
        assert_eq!(status, 403, "{backend:?}");

        // The demo guide renders its steps as a list and its picture from the desk's route.
        let link = article_link(&html, "Sådan måler du dit blodtryk");
        let (status, page) = get_text(&app, &nurse, &link).await;
        assert_eq!(status, 200, "{link}");
        assert_no_inline_code(&link, &page);
        assert!(page.contains("<ol class=\"kb-steps\">"), "{page}");
        assert!(page.contains("<li>Tryk på den blå START-knap.</li>"));
        assert!(
            page.contains("<ol class=\"kb-steps\" start=\"4\">"),
            "steps go on after the picture"
        );
        let src_at = page
            .find("<img src=\"/servicedesk/viden/billeder/")
            .expect("a picture");
        let src = &page[src_at + 10..];
        let src = &src[..src.find('"').unwrap()];
        assert!(page.contains("alt=\"Blodtryksmåleren set forfra"));
        let (status, ct, bytes) = get_bytes(&app, &nurse, src).await;
        assert_eq!((status, ct.as_str()), (200, "image/png"));
        assert!(bytes.starts_with(b"\x89PNG"));
        assert!(
            !page.contains("id=\"kb-edit\""),
            "no editing for a clinician"
        );

        // The new form, and saving it: without the token refused, then refused on a rule,
        // then saved.
        let (status, form) = get_text(&app, &agent, "/servicedesk/viden/ny").await;
        assert_eq!(status, 200);
        assert!(form.contains("name=\"csrf_token\""));
        assert!(
            form.contains(&format!("value=\"{}\"", bp.id)),
            "model checkboxes"
        );
        assert!(form.contains("id=\"kb-format\""), "the format's help");
        let bp_id = bp.id.to_string();
        let mut fields = vec![
            ("title", "Slangen er gået løs"),
            (
                "body",
                "Sæt slangen fast i måleren.\r\n\r\n1. Tryk slangen ind.\r\n2. <b>Mål</b> igen.",
            ),
            ("kind", "guide"),
            ("audience", "public"),
            ("language", "da"),
            ("category", "equipment_fault"),
            ("status", "published"),
            ("models", bp_id.as_str()),
        ];
        let (status, _, _) = post_form(&app, &agent, "/servicedesk/viden", &fields, false).await;
        assert_eq!(status, 403, "{backend:?}: CSRF is enforced");
        fields[0].1 = " ";
        let (status, _, refused) =
            post_form(&app, &agent, "/servicedesk/viden", &fields, true).await;
        assert_eq!(status, 422);
        assert!(
            refused.contains("Titlen skal have mellem 1 og 200 tegn."),
            "{refused}"
        );
        assert!(
            refused.contains("Tryk slangen ind."),
            "the text typed is kept"
        );
        fields[0].1 = "Slangen er gået løs";
        let (status, to, _) = post_form(&app, &agent, "/servicedesk/viden", &fields, true).await;
        assert_eq!(status, 303, "{backend:?}");
        assert!(to.ends_with("/rediger?ok=created"), "{to}");
        let id = to
            .trim_start_matches("/servicedesk/viden/")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let (status, edit) = get_text(&app, &agent, &to).await;
        assert_eq!(status, 200);
        assert_no_inline_code(&to, &edit);
        assert!(
            edit.contains("id=\"kb-upload\"")
                && edit.contains("hx-encoding=\"multipart/form-data\"")
        );
        assert!(edit.contains("Artiklen er oprettet."));

        // Markup in the body is text.
        let (_, view) = get_text(&app, &agent, &format!("/servicedesk/viden/{id}")).await;
        assert!(
            view.contains("&#60;b&#62;Mål&#60;/b&#62; igen.")
                || view.contains("&lt;b&gt;Mål&lt;/b&gt; igen."),
            "{view}"
        );
        assert!(!view.contains("<b>"));

        // Upload a picture the way htmx does: multipart with the CSRF header.
        let upload = format!("/servicedesk/viden/{id}/billeder");
        let (ct, body) = multipart_body("Slangen sidder i venstre side", PNG, true);
        let r = app
            .client
            .post(app.url(&upload))
            .header("cookie", &agent.cookie)
            .header("content-type", &ct)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{backend:?}: no token, no upload");
        let r = app
            .client
            .post(app.url(&upload))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("hx-request", "true")
            .header("content-type", &ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(
            r.headers()["hx-redirect"].to_str().unwrap(),
            format!("/servicedesk/viden/{id}/rediger?ok=picture")
        );
        let (_, view) = get_text(&app, &agent, &format!("/servicedesk/viden/{id}")).await;
        assert!(
            view.contains("alt=\"Slangen sidder i venstre side\""),
            "inserted in the body"
        );
        // A refused picture is said in the form.
        let (ct, body) = multipart_body("", PNG, false);
        let r = app
            .client
            .post(app.url(&upload))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("hx-request", "true")
            .header("content-type", &ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let fragment = r.text().await.unwrap();
        assert!(fragment.contains("id=\"kb-upload-error\""), "{fragment}");
        let (ct, body) = multipart_body("Tekst", b"not a picture", false);
        let r = app
            .client
            .post(app.url(&upload))
            .header("cookie", &agent.cookie)
            .header("x-csrf-token", &agent.csrf)
            .header("content-type", &ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            422,
            "without htmx: the editor with the error"
        );

        // Editing: the form is filled in; saving goes back to the article.
        let edit_fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| {
                if *k == "status" {
                    (*k, "draft")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        let (status, to, _) = post_form(
            &app,
            &agent,
            &format!("/servicedesk/viden/{id}"),
            &edit_fields,
            true,
        )
        .await;
        assert_eq!(
            (status, to.as_str()),
            (303, format!("/servicedesk/viden/{id}?ok=saved").as_str())
        );
        let (status, _) = get_text(&app, &nurse, &format!("/servicedesk/viden/{id}")).await;
        assert_eq!(status, 403, "{backend:?}: a draft is the desk's");
    }
}

#[tokio::test]
async fn citizens_read_a_published_public_guide_in_their_portal() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let agent = app.login(AGENT).await;
        let bent = app.citizen_login(BENT_CPR).await;

        let (_, list) = get_text(&app, &agent, "/servicedesk/viden").await;
        let public =
            article_link(&list, "Sådan måler du dit blodtryk").replace("/servicedesk/viden/", "");
        let internal = article_link(&list, "Ombytning af blodtryksmåler: tjekliste")
            .replace("/servicedesk/viden/", "");
        let english = article_link(&list, "How to measure your blood pressure")
            .replace("/servicedesk/viden/", "");

        let (status, page) = get_text(&app, &bent, &format!("/portal/hjaelp/guide/{public}")).await;
        assert_eq!(status, 200, "{backend:?}");
        assert_no_inline_code("/portal/hjaelp/guide", &page);
        assert!(page.contains("<h1 id=\"kb-guide-title\">Sådan måler du dit blodtryk</h1>"));
        assert!(page.contains("href=\"/portal/hjaelp\""));
        assert!(page.contains(
            "<li>Tag manchetten på din bare overarm. Slangen skal pege ned mod din hånd.</li>"
        ));
        let src_at = page.find("src=\"/servicedesk/viden/billeder/").unwrap();
        let src = &page[src_at + 5..];
        let src = &src[..src.find('"').unwrap()];
        let (status, ct, _) = get_bytes(&app, &bent, src).await;
        assert_eq!(
            (status, ct.as_str()),
            (200, "image/png"),
            "the citizen sees the picture"
        );

        // An English guide is marked as English for screen readers.
        let marked = "aria-labelledby=\"kb-guide-title\" lang=\"en\"";
        let (_, en) = get_text(&app, &bent, &format!("/portal/hjaelp/guide/{english}")).await;
        assert!(en.contains(marked), "{en}");
        assert!(!page.contains(marked));

        let (status, refused) =
            get_text(&app, &bent, &format!("/portal/hjaelp/guide/{internal}")).await;
        assert_eq!(status, 403, "{backend:?}");
        assert!(!refused.contains("Ombytning"));
        let (status, _) = get_text(&app, &bent, "/portal/hjaelp/guide/nope").await;
        assert_eq!(status, 404);
        // Staff are sent to their own pages; the desk's pages are not the citizen's.
        let (status, _) = get_text(&app, &agent, &format!("/portal/hjaelp/guide/{public}")).await;
        assert_eq!(status, 303);
        let (status, _) = get_text(&app, &bent, "/servicedesk/viden").await;
        assert_eq!(status, 303);
    }
}
