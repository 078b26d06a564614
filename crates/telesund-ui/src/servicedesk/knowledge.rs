//! The knowledge base's pages: the list and search (`/servicedesk/viden`), an article
//! (`/servicedesk/viden/{id}`), the editor (new, edit, pictures) and the pictures
//! themselves (`/servicedesk/viden/billeder/{id}`); and the citizen portal's read-only view
//! of a published public guide (`/portal/hjaelp/guide/{id}`).
//!
//! Storage decides who reads what: every member of staff and every citizen reads the
//! published public guides; the service desk reads everything and writes. An article's body
//! is rendered from `telesund_core::servicedesk::kb::parse_body`'s blocks, every piece of
//! text escaped by the templates, so a body can never carry markup into a page.
//!
//! Pictures are uploaded as `multipart/form-data` through htmx, which adds the CSRF header
//! (`static/app.js`): the CSRF middleware reads a token only from that header or from a
//! url-encoded form, and a file cannot travel in a url-encoded form. Everything else works
//! without JavaScript.

use crate::equipment::{Opt, opt};
use crate::i18n;
use crate::page::{
    CitizenAuth, OrPage, Page, PageResult, StaffAuth, UiError, can_run_service_desk, path_id,
    render, see_other,
};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use telesund_core::ErrorCode;
use telesund_core::equipment::catalogue::Model;
use telesund_core::identity::Language;
use telesund_core::ids::{ArticleId, ImageId, ModelId};
use telesund_core::servicedesk::case::Category;
use telesund_core::servicedesk::kb::{
    ArticleInput, ArticleKind, ArticleStatus, Audience, Block, IMAGE_MAX_BYTES, Problem,
    parse_body, picture_line,
};
use telesund_db::servicedesk::kb::{Article, ArticleQuery};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

/// A picture and the rest of its form (alt text, token, boundaries) fit in this.
const UPLOAD_LIMIT: usize = IMAGE_MAX_BYTES + 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/servicedesk/viden", get(list).post(create))
        .route("/servicedesk/viden/ny", get(new_form))
        .route("/servicedesk/viden/billeder/{id}", get(image))
        .route("/servicedesk/viden/{id}", get(view).post(update))
        .route("/servicedesk/viden/{id}/rediger", get(edit_form))
        .route(
            "/servicedesk/viden/{id}/billeder",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/portal/hjaelp/guide/{id}", get(portal_guide))
}

/// The navigation link the pages mark as current: the service desk's.
const NAV: &str = "/servicedesk";

fn kb_page(auth: &Auth, back: String, title: String) -> Page {
    Page::staff(auth, back, title, NAV)
}

fn image_src(id: ImageId) -> String {
    format!("/servicedesk/viden/billeder/{id}")
}

// ---------------------------------------------------------------- the body as blocks

/// One block of a body for a template (flat, so the templates need no enum matching).
pub struct BlockView {
    pub steps: bool,
    pub picture: bool,
    /// A paragraph's lines, or the steps.
    pub lines: Vec<String>,
    pub start: u32,
    pub src: String,
    pub alt: String,
}

fn blocks(body: &str) -> Vec<BlockView> {
    parse_body(body)
        .into_iter()
        .map(|b| {
            let mut v = BlockView {
                steps: false,
                picture: false,
                lines: Vec::new(),
                start: 1,
                src: String::new(),
                alt: String::new(),
            };
            match b {
                Block::Paragraph { lines } => v.lines = lines,
                Block::Steps { start, items } => {
                    v.steps = true;
                    v.start = start;
                    v.lines = items;
                }
                Block::Picture { image, alt } => {
                    v.picture = true;
                    v.src = image_src(image);
                    v.alt = alt;
                }
            }
            v
        })
        .collect()
}

// ---------------------------------------------------------------- labels and choices

fn model_name(m: &Model) -> String {
    format!("{} {}", m.manufacturer, m.name)
}

fn kind_label(page: &Page, k: ArticleKind) -> String {
    page.label("kb-kind", k.as_str())
}

fn category_label(page: &Page, c: Option<Category>) -> String {
    match c {
        Some(c) => page.label("kb-category", c.as_str()),
        None => page.t("kb-no-category"),
    }
}

/// `<option>`s of a closed set, the first one meaning "any" (or "none") when given.
fn choices<T: Copy>(
    page: &Page,
    first: Option<&str>,
    all: &[T],
    as_str: fn(T) -> &'static str,
    prefix: &str,
    chosen: &str,
) -> Vec<Opt> {
    let mut out = Vec::new();
    if let Some(key) = first {
        out.push(opt("", page.t(key), chosen.is_empty()));
    }
    out.extend(all.iter().map(|v| {
        let s = as_str(*v);
        opt(s, page.label(prefix, s), s == chosen)
    }));
    out
}

fn model_choices(
    models: &[Model],
    first: Option<&str>,
    page: &Page,
    chosen: &[String],
) -> Vec<Opt> {
    let mut out = Vec::new();
    if let Some(key) = first {
        out.push(opt("", page.t(key), chosen.is_empty()));
    }
    out.extend(models.iter().map(|m| {
        let id = m.id.to_string();
        let selected = chosen.contains(&id);
        opt(id, model_name(m), selected)
    }));
    out
}

/// The notice after a form succeeded (`?ok=`); an unknown key shows nothing.
fn notice(page: &Page, ok: Option<&str>) -> Option<String> {
    Some(match ok? {
        "saved" => page.t("kb-ok-saved"),
        "created" => page.t("kb-ok-created"),
        "picture" => page.t("kb-ok-picture"),
        _ => return None,
    })
}

/// A problem an editor can fix, in the page's language.
fn problem_text(page: &Page, p: &Problem) -> String {
    match p {
        Problem::Picture { line, .. } => page.t1("kb-problem-picture", "line", line),
        other => page.label("kb-problem", other.code()),
    }
}

/// A refusal from storage an editor can act on (a rule, something not found) as a message
/// on the form; anything else (a refusal of access, a failure) as an error page.
fn refusal(page: &Page, key: &str, e: impl Into<ApiError>) -> Result<String, UiError> {
    let e = e.into();
    match e.code {
        ErrorCode::InvalidInput
        | ErrorCode::NotFound
        | ErrorCode::PayloadTooLarge
        | ErrorCode::UnsupportedMediaType => {
            Ok(i18n::t_args(page.lang, key, &[("detail", &e.message)]))
        }
        _ => Err(UiError::in_page(e, page)),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    drafts: String,
    #[serde(default)]
    ok: Option<String>,
}

pub struct Row {
    pub id: String,
    pub title: String,
    pub excerpt: String,
    pub kind: String,
    pub audience: String,
    pub internal: bool,
    pub language: String,
    pub category: String,
    pub models: String,
    pub status: String,
    pub published: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "servicedesk/kb_list.html")]
struct ListPage {
    page: Page,
    desk: bool,
    notice: Option<String>,
    q: String,
    kinds: Vec<Opt>,
    audiences: Vec<Opt>,
    languages: Vec<Opt>,
    categories: Vec<Opt>,
    models: Vec<Opt>,
    drafts: bool,
    count: String,
    rows: Vec<Row>,
}

pub async fn list(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(lq): Query<ListQuery>,
) -> PageResult {
    let page = kb_page(
        &auth,
        "/servicedesk/viden".into(),
        i18n::t(auth.language(), "kb-title"),
    );
    let desk = can_run_service_desk(&auth);
    // A filter value that cannot be (a stale link) means "any"; the choice shown says so.
    let kind = ArticleKind::parse(&lq.kind).ok();
    let audience = Audience::parse(&lq.audience).ok().filter(|_| desk);
    let language = Language::parse(&lq.language).ok();
    let category = Category::parse(&lq.category).ok();
    let model = lq.model.parse::<ModelId>().ok();
    let drafts = desk && !lq.drafts.is_empty();
    let query = ArticleQuery {
        text: lq.q.clone(),
        kind,
        audience,
        language,
        category,
        model,
        include_drafts: drafts,
    };
    let hits = state
        .db
        .search_articles(&auth.ctx(), &query)
        .await
        .or_page(&page)?;
    let all_models = state.db.models().await?;
    let rows = hits
        .iter()
        .map(|a| Row {
            id: a.id.to_string(),
            title: a.title.clone(),
            excerpt: a.excerpt.clone(),
            kind: kind_label(&page, a.kind),
            audience: page.label("kb-audience", a.audience.as_str()),
            internal: a.audience == Audience::Internal,
            language: page.label("kb-language", a.language.as_str()),
            category: category_label(&page, a.category),
            models: all_models
                .iter()
                .filter(|m| a.models.contains(&m.id))
                .map(model_name)
                .collect::<Vec<_>>()
                .join(", "),
            status: page.label("kb-status", a.status.as_str()),
            published: a.status == ArticleStatus::Published,
            updated: a.updated_at.danish(),
        })
        .collect::<Vec<_>>();
    // Reply templates are the desk's; others are offered only what they can find.
    let kind_values: &[ArticleKind] = if desk {
        ArticleKind::ALL
    } else {
        &[ArticleKind::Guide]
    };
    let body = ListPage {
        desk,
        notice: notice(&page, lq.ok.as_deref()),
        q: lq.q.clone(),
        kinds: choices(
            &page,
            Some("kb-filter-all"),
            kind_values,
            ArticleKind::as_str,
            "kb-kind",
            kind.map(|k| k.as_str()).unwrap_or(""),
        ),
        audiences: choices(
            &page,
            Some("kb-filter-all"),
            Audience::ALL,
            Audience::as_str,
            "kb-audience",
            audience.map(|a| a.as_str()).unwrap_or(""),
        ),
        languages: choices(
            &page,
            Some("kb-filter-all"),
            Language::ALL,
            Language::as_str,
            "kb-language",
            language.map(|l| l.as_str()).unwrap_or(""),
        ),
        categories: choices(
            &page,
            Some("kb-filter-all"),
            Category::ALL,
            Category::as_str,
            "kb-category",
            category.map(|c| c.as_str()).unwrap_or(""),
        ),
        models: model_choices(
            &all_models,
            Some("kb-all-models"),
            &page,
            &model.map(|m| vec![m.to_string()]).unwrap_or_default(),
        ),
        drafts,
        count: page.t1("kb-count", "count", rows.len()),
        rows,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

// ---------------------------------------------------------------- one article

pub struct Head {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub reply_template: bool,
    pub audience: String,
    pub internal: bool,
    pub language: String,
    /// The article's language code, marked on the article when the page's differs.
    pub lang_code: &'static str,
    pub category: String,
    pub status: String,
    pub published: bool,
    pub for_all: bool,
    pub models: String,
    pub updated: String,
}

fn head(page: &Page, a: &Article) -> Head {
    Head {
        id: a.id.to_string(),
        title: a.title.clone(),
        kind: kind_label(page, a.kind),
        reply_template: a.kind == ArticleKind::ReplyTemplate,
        audience: page.label("kb-audience", a.audience.as_str()),
        internal: a.audience == Audience::Internal,
        language: page.label("kb-language", a.language.as_str()),
        lang_code: a.language.as_str(),
        category: category_label(page, a.category),
        status: page.label("kb-status", a.status.as_str()),
        published: a.status == ArticleStatus::Published,
        for_all: telesund_core::servicedesk::kb::readable_by_all(a.kind, a.audience, a.status),
        models: a
            .models
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
        updated: i18n::t_args(
            page.lang,
            "kb-updated",
            &[
                ("when", &a.updated_at.danish()),
                ("name", &a.updated_by_name),
            ],
        ),
    }
}

#[derive(Template)]
#[template(path = "servicedesk/kb_article.html")]
struct ArticlePage {
    page: Page,
    a: Head,
    blocks: Vec<BlockView>,
    desk: bool,
    notice: Option<String>,
    /// A reply template's text as it is, to copy into a message.
    reply_text: String,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let mut page = kb_page(
        &auth,
        format!("/servicedesk/viden/{id}"),
        i18n::t(auth.language(), "kb-title"),
    );
    let id: ArticleId = path_id(&id, "article", &page)?;
    let a = state.db.article(&auth.ctx(), id).await.or_page(&page)?;
    page.title = a.title.clone();
    let body = ArticlePage {
        a: head(&page, &a),
        blocks: blocks(&a.body),
        desk: can_run_service_desk(&auth),
        notice: notice(&page, q.ok.as_deref()),
        reply_text: a.body.clone(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

// ---------------------------------------------------------------- the editor

/// The form's values as typed (kept when the form is refused).
#[derive(Default)]
pub struct ArticleForm {
    pub title: String,
    pub body: String,
    pub kind: String,
    pub audience: String,
    pub language: String,
    pub category: String,
    pub status: String,
    pub models: Vec<String>,
}

impl ArticleForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let one = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        ArticleForm {
            title: one("title").trim().to_string(),
            // Browsers send line breaks as CRLF; the body is stored with LF.
            body: one("body").replace("\r\n", "\n"),
            kind: one("kind"),
            audience: one("audience"),
            language: one("language"),
            category: one("category"),
            status: one("status"),
            models: pairs
                .iter()
                .filter(|(n, _)| n == "models")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    fn from_article(a: &Article) -> Self {
        ArticleForm {
            title: a.title.clone(),
            body: a.body.clone(),
            kind: a.kind.as_str().into(),
            audience: a.audience.as_str().into(),
            language: a.language.as_str().into(),
            category: a
                .category
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            status: a.status.as_str().into(),
            models: a.models.iter().map(|m| m.id.to_string()).collect(),
        }
    }

    /// A new article: a Danish public guide, a draft until it is read through.
    fn blank() -> Self {
        ArticleForm {
            kind: ArticleKind::Guide.as_str().into(),
            audience: Audience::Public.as_str().into(),
            language: Language::Danish.as_str().into(),
            status: ArticleStatus::Draft.as_str().into(),
            ..Default::default()
        }
    }

    /// The article the form describes, or what is wrong with it in the user's language.
    fn to_input(&self, page: &Page) -> Result<ArticleInput, String> {
        let invalid =
            |e: telesund_core::DomainError| page.t1("kb-error-invalid", "detail", e.message);
        let input = ArticleInput {
            kind: ArticleKind::parse(&self.kind).map_err(invalid)?,
            language: Language::parse(&self.language).map_err(invalid)?,
            audience: Audience::parse(&self.audience).map_err(invalid)?,
            category: match self.category.as_str() {
                "" => None,
                c => Some(Category::parse(c).map_err(invalid)?),
            },
            title: self.title.clone(),
            body: self.body.clone(),
            status: ArticleStatus::parse(&self.status).map_err(invalid)?,
            models: self
                .models
                .iter()
                .map(|m| m.parse().map_err(|_| page.t("error-not-found-form")))
                .collect::<Result<_, _>>()?,
        };
        match input.problem() {
            Some(p) => Err(problem_text(page, &p)),
            None => Ok(input),
        }
    }
}

pub struct ImageView {
    pub src: String,
    pub alt: String,
    pub line: String,
}

#[derive(Template)]
#[template(path = "servicedesk/kb_form.html")]
struct FormPage {
    page: Page,
    /// None for a new article.
    id: Option<String>,
    form: ArticleForm,
    kinds: Vec<Opt>,
    audiences: Vec<Opt>,
    languages: Vec<Opt>,
    categories: Vec<Opt>,
    statuses: Vec<Opt>,
    models: Vec<Opt>,
    images: Vec<ImageView>,
    notice: Option<String>,
    error: Option<String>,
}

/// The editor, new (`article` None) or for an article; `error` for a refused form, which
/// answers 422.
async fn form_page(
    state: &AppState,
    auth: &Auth,
    article: Option<&Article>,
    form: ArticleForm,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let (back, title) = match article {
        Some(a) => (
            format!("/servicedesk/viden/{}/rediger", a.id),
            i18n::t_args(
                auth.language(),
                "kb-form-edit-title",
                &[("title", &a.title)],
            ),
        ),
        None => (
            "/servicedesk/viden/ny".to_string(),
            i18n::t(auth.language(), "kb-form-new-title"),
        ),
    };
    let page = kb_page(auth, back, title);
    let models = state.db.models().await?;
    let body = FormPage {
        id: article.map(|a| a.id.to_string()),
        kinds: choices(
            &page,
            None,
            ArticleKind::ALL,
            ArticleKind::as_str,
            "kb-kind",
            &form.kind,
        ),
        audiences: choices(
            &page,
            None,
            Audience::ALL,
            Audience::as_str,
            "kb-audience",
            &form.audience,
        ),
        languages: choices(
            &page,
            None,
            Language::ALL,
            Language::as_str,
            "kb-language",
            &form.language,
        ),
        categories: choices(
            &page,
            Some("kb-no-category"),
            Category::ALL,
            Category::as_str,
            "kb-category",
            &form.category,
        ),
        statuses: choices(
            &page,
            None,
            ArticleStatus::ALL,
            ArticleStatus::as_str,
            "kb-status",
            &form.status,
        ),
        models: model_choices(&models, None, &page, &form.models),
        images: article
            .map(|a| {
                a.images
                    .iter()
                    .map(|i| ImageView {
                        src: image_src(i.id),
                        alt: i.alt.clone(),
                        line: picture_line(i.id, &i.alt),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        form,
        notice,
        error,
        page,
    };
    let status = if body.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(status, &body))
}

/// Lets only the service desk into the editor (a refusal is audited).
async fn gate(state: &AppState, auth: &Auth) -> Result<(), UiError> {
    let page = kb_page(
        auth,
        "/servicedesk/viden".into(),
        i18n::t(auth.language(), "kb-title"),
    );
    state.db.check_desk_access(&auth.ctx()).await.or_page(&page)
}

pub async fn new_form(State(state): State<AppState>, StaffAuth(auth): StaffAuth) -> PageResult {
    gate(&state, &auth).await?;
    form_page(&state, &auth, None, ArticleForm::blank(), None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    gate(&state, &auth).await?;
    let page = kb_page(&auth, "/servicedesk/viden/ny".into(), String::new());
    let form = ArticleForm::from_pairs(&pairs);
    let input = match form.to_input(&page) {
        Ok(i) => i,
        Err(msg) => return form_page(&state, &auth, None, form, None, Some(msg)).await,
    };
    match state.db.save_article(&auth.ctx(), None, input).await {
        Ok(a) => Ok(see_other(&format!(
            "/servicedesk/viden/{}/rediger?ok=created",
            a.id
        ))),
        Err(e) => {
            let msg = refusal(&page, "kb-error-invalid", e)?;
            form_page(&state, &auth, None, form, None, Some(msg)).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    gate(&state, &auth).await?;
    let page = kb_page(
        &auth,
        format!("/servicedesk/viden/{id}/rediger"),
        String::new(),
    );
    let id: ArticleId = path_id(&id, "article", &page)?;
    let a = state.db.article(&auth.ctx(), id).await.or_page(&page)?;
    let form = ArticleForm::from_article(&a);
    form_page(
        &state,
        &auth,
        Some(&a),
        form,
        notice(&page, q.ok.as_deref()),
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    gate(&state, &auth).await?;
    let page = kb_page(
        &auth,
        format!("/servicedesk/viden/{id}/rediger"),
        String::new(),
    );
    let id: ArticleId = path_id(&id, "article", &page)?;
    let a = state.db.article(&auth.ctx(), id).await.or_page(&page)?;
    let form = ArticleForm::from_pairs(&pairs);
    let input = match form.to_input(&page) {
        Ok(i) => i,
        Err(msg) => return form_page(&state, &auth, Some(&a), form, None, Some(msg)).await,
    };
    match state.db.save_article(&auth.ctx(), Some(id), input).await {
        Ok(_) => Ok(see_other(&format!("/servicedesk/viden/{id}?ok=saved"))),
        Err(e) => {
            let msg = refusal(&page, "kb-error-invalid", e)?;
            form_page(&state, &auth, Some(&a), form, None, Some(msg)).await
        }
    }
}

// ---------------------------------------------------------------- pictures

/// One part of a `multipart/form-data` body.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A quoted or bare parameter of a header value: `name="file"`, `boundary=abc`.
fn header_param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The parts of a `multipart/form-data` body (RFC 7578), or None when it is not one. Small
/// on purpose: the upload form has three fields, and a whole multipart crate is not worth
/// it for them.
fn multipart<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let mime = content_type.split(';').next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = header_param(content_type, "boundary").filter(|b| !b.is_empty())?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body[at..].starts_with(b"--") {
            return Some(parts);
        }
        at = find(body, b"\r\n", at)? + 2;
        let headers_end = find(body, b"\r\n\r\n", at)?;
        let headers = std::str::from_utf8(&body[at..headers_end]).ok()?;
        let content_start = headers_end + 4;
        let mut next = Vec::with_capacity(delimiter.len() + 2);
        next.extend_from_slice(b"\r\n");
        next.extend_from_slice(&delimiter);
        let content_end = find(body, &next, content_start)?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: &body[content_start..content_end],
        };
        for line in headers.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                part.name = header_param(v, "name").unwrap_or_default();
                part.filename = header_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(v.trim().to_string());
            }
        }
        parts.push(part);
        at = content_end + next.len();
    }
}

/// A refused upload shown in the form (htmx swaps it in above the upload button).
#[derive(Template)]
#[template(
    source = r#"<p class="alert" role="alert" id="kb-upload-error">{{ message }}</p>"#,
    ext = "html"
)]
struct UploadError {
    message: String,
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Where to go after an upload: htmx follows `HX-Redirect`, a plain request a 303.
fn redirect(headers: &HeaderMap, to: &str) -> Response {
    if is_htmx(headers) {
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            r.headers_mut().insert("hx-redirect", v);
        }
        r
    } else {
        see_other(to)
    }
}

pub async fn upload(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> PageResult {
    gate(&state, &auth).await?;
    let page = kb_page(
        &auth,
        format!("/servicedesk/viden/{id}/rediger"),
        String::new(),
    );
    let id: ArticleId = path_id(&id, "article", &page)?;
    let article = state.db.article(&auth.ctx(), id).await.or_page(&page)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let result: Result<(), String> = async {
        let bytes = body.map_err(|_| page.t("kb-picture-too-large"))?;
        let parts = multipart(content_type, &bytes).ok_or_else(|| page.t("kb-picture-missing"))?;
        let field = |name: &str| parts.iter().find(|p| p.name == name);
        let file = field("file")
            .filter(|p| p.filename.as_deref().is_some_and(|f| !f.is_empty()) && !p.data.is_empty())
            .ok_or_else(|| page.t("kb-picture-missing"))?;
        let alt = field("alt")
            .map(|p| String::from_utf8_lossy(p.data).trim().to_string())
            .unwrap_or_default();
        let image = state
            .db
            .add_article_image(
                &auth.ctx(),
                id,
                file.content_type.as_deref().unwrap_or(""),
                &alt,
                file.data,
            )
            .await
            .map_err(|e| refusal(&page, "kb-error-picture", e).unwrap_or_else(|e| e.err.message))?;
        if field("insert").is_some() {
            let mut input = article.input();
            input.body = format!("{}\n\n{}", input.body.trim_end(), picture_line(image, &alt));
            state
                .db
                .save_article(&auth.ctx(), Some(id), input)
                .await
                .map_err(|e| {
                    refusal(&page, "kb-error-invalid", e).unwrap_or_else(|e| e.err.message)
                })?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(
            &headers,
            &format!("/servicedesk/viden/{id}/rediger?ok=picture"),
        )),
        Err(message) if is_htmx(&headers) => Ok(render(StatusCode::OK, &UploadError { message })),
        Err(message) => {
            let form = ArticleForm::from_article(&article);
            form_page(&state, &auth, Some(&article), form, None, Some(message)).await
        }
    }
}

/// A picture, for whoever may read its article: staff and citizens alike (storage decides).
pub async fn image(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: ImageId = id.parse().map_err(|_| ApiError::not_found("picture"))?;
    let (content_type, bytes) = state.db.article_image(&auth.ctx(), id).await?;
    let mut r = bytes.into_response();
    let value = HeaderValue::from_str(&content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    r.headers_mut().insert(header::CONTENT_TYPE, value);
    Ok(r)
}

// ---------------------------------------------------------------- the citizen portal

#[derive(Template)]
#[template(path = "servicedesk/kb_portal_guide.html")]
struct PortalGuidePage {
    page: Page,
    title: String,
    lang_code: &'static str,
    blocks: Vec<BlockView>,
}

/// A published public guide in the citizen portal's layout. Anything else is refused by
/// storage (403), a guide that does not exist is 404.
pub async fn portal_guide(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    Path(id): Path<String>,
) -> PageResult {
    let mut page = Page::citizen(
        &auth,
        format!("/portal/hjaelp/guide/{id}"),
        i18n::t(auth.language(), "kb-title"),
        "/portal/hjaelp",
    );
    let id: ArticleId = path_id(&id, "guide", &page)?;
    let a = state.db.article(&auth.ctx(), id).await.or_page(&page)?;
    page.title = a.title.clone();
    let body = PortalGuidePage {
        title: a.title.clone(),
        lang_code: a.language.as_str(),
        blocks: blocks(&a.body),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_body(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (name, file, data) in parts {
            b.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(f) => b.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => b.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            b.extend_from_slice(data);
            b.extend_from_slice(b"\r\n");
        }
        b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        b
    }

    #[test]
    fn multipart_bodies_are_read_part_by_part() {
        // The picture holds CR LF and dashes, as binary data does.
        let png: &[u8] = b"\x89PNG\r\n\x1a\n--not-the-boundary\r\n";
        let body = form_body(
            "----x1",
            &[
                ("csrf_token", None, b"abc"),
                ("alt", None, "Måleren forfra".as_bytes()),
                ("file", Some("måler.png"), png),
            ],
        );
        let parts = multipart("multipart/form-data; boundary=\"----x1\"", &body).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].name, "alt");
        assert_eq!(parts[1].data, "Måleren forfra".as_bytes());
        assert_eq!(parts[2].filename.as_deref(), Some("måler.png"));
        assert_eq!(parts[2].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[2].data, png);

        assert!(multipart("application/x-www-form-urlencoded", &body).is_none());
        assert!(
            multipart("multipart/form-data", &body).is_none(),
            "no boundary"
        );
        assert!(multipart("multipart/form-data; boundary=other", &body).is_none());
        let cut = &body[..body.len() - 12];
        assert!(multipart("multipart/form-data; boundary=----x1", cut).is_none());
    }

    #[test]
    fn blocks_become_flat_views() {
        let pic = ImageId::new();
        let v = blocks(&format!("Hej\nmed dig\n\n3. Tryk\n![Knap](image:{pic})"));
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].lines, ["Hej", "med dig"]);
        assert!(v[1].steps && v[1].start == 3);
        assert!(v[2].picture && v[2].src == format!("/servicedesk/viden/billeder/{pic}"));
    }

    /// Every key this module and its templates use is in both language files (the shared
    /// test in `i18n.rs` reads only the top folders).
    #[test]
    fn every_key_used_is_translated() {
        let da = include_str!("../../i18n/servicedesk-kb.da.ftl");
        let en = include_str!("../../i18n/servicedesk-kb.en.ftl");
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
                .collect()
        };
        let (da, en) = (keys(da), keys(en));
        assert_eq!(da, en, "the two files list the same keys in the same order");
        let sources = [
            include_str!("knowledge.rs"),
            include_str!("../../templates/servicedesk/kb_list.html"),
            include_str!("../../templates/servicedesk/kb_article.html"),
            include_str!("../../templates/servicedesk/kb_form.html"),
            include_str!("../../templates/servicedesk/kb_portal_guide.html"),
            include_str!("../../templates/servicedesk/kb_blocks.html"),
        ];
        let mut used = 0;
        for src in sources {
            for (i, _) in src.match_indices("\"kb-") {
                let key: String = src[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                // An HTML attribute (`id="kb-…"`) is no key; a prefix handed to `label`
                // ends in a value, checked below.
                if (i > 0 && src.as_bytes()[i - 1] == b'=') || key.ends_with('-') {
                    continue;
                }
                if [
                    "kb-kind",
                    "kb-audience",
                    "kb-status",
                    "kb-language",
                    "kb-category",
                    "kb-problem",
                ]
                .contains(&key.as_str())
                {
                    continue;
                }
                used += 1;
                assert!(
                    da.contains(&key),
                    "'{key}' is missing in servicedesk-kb.*.ftl"
                );
            }
        }
        assert!(used > 40, "only {used} keys found");
        let mut closed: Vec<String> = Vec::new();
        closed.extend(ArticleKind::ALL.iter().map(|v| format!("kb-kind-{v}")));
        closed.extend(Audience::ALL.iter().map(|v| format!("kb-audience-{v}")));
        closed.extend(ArticleStatus::ALL.iter().map(|v| format!("kb-status-{v}")));
        closed.extend(Language::ALL.iter().map(|v| format!("kb-language-{v}")));
        closed.extend(Category::ALL.iter().map(|v| format!("kb-category-{v}")));
        for p in [
            Problem::TitleLength,
            Problem::TitleLines,
            Problem::BodyLength,
            Problem::ReplyTemplatePublic,
            Problem::GuideUnreachable,
        ] {
            closed.push(format!("kb-problem-{}", p.code()));
        }
        for k in closed {
            let k = k.replace('_', "-");
            assert!(da.contains(&k), "'{k}' is missing");
        }
    }
}
