//! The knowledge base: guides and reply templates, the device models each is about, and
//! their pictures. No citizen's data is involved, so reads are not audited; the rules of
//! who reads what are `telesund_core::servicedesk::kb::readable_by_all` (a published public
//! guide: everyone signed in) and `RunServiceDesk` (everything else, and every change). A
//! refusal is audited through `desk_guard`, a change writes its audit record in its own
//! transaction.

use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write, placeholders};
use crate::error::{DbError, Result};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use telesund_core::audit::AuditAction;
use telesund_core::identity::Language;
use telesund_core::ids::{ArticleId, ImageId, ModelId};
use telesund_core::servicedesk::case::Category;
use telesund_core::servicedesk::kb::{
    ArticleInput, ArticleKind, ArticleStatus, Audience, check_image, contains_all, excerpt,
    picture_refs, readable_by_all, search_terms, search_text,
};
use telesund_core::text::fold;
use telesund_core::{DomainError, Timestamp};
use uuid::Uuid;

/// A list shows at most this many articles; a knowledge base a desk can keep up to date is
/// far smaller, and a search narrows it.
const LIST_LIMIT: i64 = 200;
/// The length of an excerpt in a list, in characters.
const EXCERPT_CHARS: usize = 160;

/// A device model an article is about, named for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleModel {
    pub id: ModelId,
    pub name: String,
}

/// A picture of an article (its bytes are fetched on their own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleImage {
    pub id: ImageId,
    pub content_type: String,
    pub alt: String,
}

/// One article as stored, with its models and pictures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Article {
    pub id: ArticleId,
    pub kind: ArticleKind,
    pub language: Language,
    pub audience: Audience,
    pub category: Option<Category>,
    pub title: String,
    pub body: String,
    pub status: ArticleStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub updated_by_name: String,
    pub models: Vec<ArticleModel>,
    pub images: Vec<ArticleImage>,
}

impl Article {
    /// The article as an editor would send it again.
    pub fn input(&self) -> ArticleInput {
        ArticleInput {
            kind: self.kind,
            language: self.language,
            audience: self.audience,
            category: self.category,
            title: self.title.clone(),
            body: self.body.clone(),
            status: self.status,
            models: self.models.iter().map(|m| m.id).collect(),
        }
    }
}

/// An article in a list or a search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub kind: ArticleKind,
    pub language: Language,
    pub audience: Audience,
    pub category: Option<Category>,
    pub title: String,
    /// The start of the body as plain text.
    pub excerpt: String,
    pub status: ArticleStatus,
    pub updated_at: Timestamp,
    pub models: Vec<ModelId>,
}

/// What to list. Every given filter must hold; `text` is folded, and each of its words must
/// occur in the title or body.
#[derive(Clone, Debug, Default)]
pub struct ArticleQuery {
    pub text: String,
    pub kind: Option<ArticleKind>,
    pub audience: Option<Audience>,
    pub language: Option<Language>,
    pub category: Option<Category>,
    pub model: Option<ModelId>,
    /// Drafts and retired articles too (the editor's list); the service desk only.
    pub include_drafts: bool,
}

const SUMMARY_COLUMNS: &str =
    "a.id, a.kind, a.language, a.audience, a.category, a.title, a.body, a.status, a.updated_at";

/// A value bound into a query built from fixed fragments.
enum Bind {
    Text(String),
    Id(Uuid),
}

macro_rules! summary_from_row {
    ($r:expr) => {{
        let category: Option<String> = $r.try_get("category")?;
        let body: String = $r.try_get("body")?;
        ArticleSummary {
            id: ArticleId($r.try_get("id")?),
            kind: ArticleKind::parse(&$r.try_get::<String, _>("kind")?)?,
            language: Language::parse(&$r.try_get::<String, _>("language")?)?,
            audience: Audience::parse(&$r.try_get::<String, _>("audience")?)?,
            category: category.as_deref().map(Category::parse).transpose()?,
            title: $r.try_get("title")?,
            excerpt: excerpt(&body, EXCERPT_CHARS),
            status: ArticleStatus::parse(&$r.try_get::<String, _>("status")?)?,
            updated_at: Timestamp($r.try_get("updated_at")?),
            models: Vec::new(),
        }
    }};
}

/// Runs a summary query with its binds, then fills in each article's models, on one
/// connection (`$c`).
macro_rules! fetch_summaries {
    ($c:ident, $sql:expr, $binds:expr) => {{
        let mut q = sqlx::query(AssertSqlSafe($sql));
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Id(u) => q.bind(*u),
            };
        }
        let rows = q.fetch_all(&mut *$c).await?;
        let mut out = rows
            .iter()
            .map(|r| Ok(summary_from_row!(r)))
            .collect::<Result<Vec<ArticleSummary>>>()?;
        if !out.is_empty() {
            let sql = format!(
                "SELECT article_id, model_id FROM kb_article_models WHERE article_id IN ({})",
                placeholders(1, out.len())
            );
            let mut q = sqlx::query_as::<_, (Uuid, Uuid)>(AssertSqlSafe(sql));
            for a in &out {
                q = q.bind(a.id.0);
            }
            let mut by_article: HashMap<Uuid, Vec<ModelId>> = HashMap::new();
            for (article, model) in q.fetch_all(&mut *$c).await? {
                by_article.entry(article).or_default().push(ModelId(model));
            }
            for a in &mut out {
                let mut models = by_article.remove(&a.id.0).unwrap_or_default();
                models.sort();
                a.models = models;
            }
        }
        Ok::<_, DbError>(out)
    }};
}

/// Titles in the order a Danish reader looks them up (folded, so "Å" sorts with "A" as in
/// search, and both backends agree regardless of their collation).
fn by_title(list: &mut [ArticleSummary]) {
    list.sort_by_cached_key(|a| (fold(&a.title), a.id));
}

impl Db {
    /// Creates an article (`id` None) or changes one, replacing its models. Pictures are
    /// added to an existing article, so a body may show only pictures of its own article.
    pub async fn save_article(
        &self,
        ctx: &AccessCtx,
        id: Option<ArticleId>,
        input: ArticleInput,
    ) -> Result<Article> {
        let action = if id.is_some() {
            AuditAction::Update
        } else {
            AuditAction::Create
        };
        let decision = self.desk_guard(ctx, action, "kb_article").await?;
        input.validate()?;
        let creating = id.is_none();
        let id = id.unwrap_or_default();
        let models = input.unique_models();
        let pictures = picture_refs(&input.body);
        let title = input.title.trim().to_string();
        let body = input.body.trim().to_string();
        let search = search_text(&title, &body);
        let now = Timestamp::now().0;
        let by = ctx.principal.display_name().to_string();
        let mut record = ctx.record(&decision, action, "kb_article", None, None);
        record.entity_id = Some(id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            if !creating {
                let found: Option<i64> =
                    sqlx::query_scalar("SELECT created_at FROM kb_articles WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if found.is_none() {
                    return Err(DbError::not_found("article"));
                }
            }
            if !models.is_empty() {
                let sql = format!(
                    "SELECT id FROM device_models WHERE id IN ({})",
                    placeholders(1, models.len())
                );
                let mut q = sqlx::query_scalar::<_, Uuid>(AssertSqlSafe(sql));
                for m in &models {
                    q = q.bind(m.0);
                }
                let known = q.fetch_all(&mut *tx).await?;
                if let Some(m) = models.iter().find(|m| !known.contains(&m.0)) {
                    return Err(
                        DomainError::invalid(format!("there is no device model {m}")).into(),
                    );
                }
            }
            if !pictures.is_empty() {
                let sql = format!(
                    "SELECT id FROM kb_images WHERE article_id = $1 AND id IN ({})",
                    placeholders(2, pictures.len())
                );
                let mut q = sqlx::query_scalar::<_, Uuid>(AssertSqlSafe(sql)).bind(id.0);
                for p in &pictures {
                    q = q.bind(p.0);
                }
                let own = q.fetch_all(&mut *tx).await?;
                if let Some(p) = pictures.iter().find(|p| !own.contains(&p.0)) {
                    return Err(DomainError::invalid(format!(
                        "picture {p} is not one of this article's pictures; upload it to the article first"
                    ))
                    .into());
                }
            }
            let category = input.category.map(|c| c.as_str());
            if creating {
                sqlx::query(
                    "INSERT INTO kb_articles (id, kind, language, audience, category, title, body, search_text, status, \
                     created_at, updated_at, updated_by_name) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$11)",
                )
                .bind(id.0)
                .bind(input.kind.as_str())
                .bind(input.language.as_str())
                .bind(input.audience.as_str())
                .bind(category)
                .bind(&title)
                .bind(&body)
                .bind(&search)
                .bind(input.status.as_str())
                .bind(now)
                .bind(&by)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE kb_articles SET kind = $2, language = $3, audience = $4, category = $5, title = $6, \
                     body = $7, search_text = $8, status = $9, updated_at = $10, updated_by_name = $11 WHERE id = $1",
                )
                .bind(id.0)
                .bind(input.kind.as_str())
                .bind(input.language.as_str())
                .bind(input.audience.as_str())
                .bind(category)
                .bind(&title)
                .bind(&body)
                .bind(&search)
                .bind(input.status.as_str())
                .bind(now)
                .bind(&by)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM kb_article_models WHERE article_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            for m in &models {
                sqlx::query("INSERT INTO kb_article_models (article_id, model_id) VALUES ($1, $2)")
                    .bind(id.0)
                    .bind(m.0)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.article(ctx, id).await
    }

    /// One article with its models and pictures. A published public guide is for everyone
    /// signed in; anything else only for the service desk (a refusal is audited). An
    /// article that does not exist is 404 before any refusal.
    pub async fn article(&self, ctx: &AccessCtx, id: ArticleId) -> Result<Article> {
        // `return` in an `on_read!` body leaves this function: a missing article is 404
        // before any refusal.
        let article = on_read!(self, |c| {
            let Some(r) = sqlx::query(
                "SELECT id, kind, language, audience, category, title, body, status, created_at, updated_at, \
                 updated_by_name FROM kb_articles WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            else {
                return Err(DbError::not_found("article"));
            };
            let models: Vec<(Uuid, String, String)> = sqlx::query_as(
                "SELECT d.id, d.manufacturer, d.name FROM kb_article_models m \
                 JOIN device_models d ON d.id = m.model_id WHERE m.article_id = $1",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let images: Vec<(Uuid, String, String)> = sqlx::query_as(
                "SELECT id, content_type, alt FROM kb_images WHERE article_id = $1 ORDER BY created_at, id",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let category: Option<String> = r.try_get("category")?;
            let mut models: Vec<ArticleModel> = models
                .into_iter()
                .map(|(id, manufacturer, name)| ArticleModel {
                    id: ModelId(id),
                    name: format!("{manufacturer} {name}"),
                })
                .collect();
            models.sort_by_cached_key(|m| (fold(&m.name), m.id));
            Ok::<_, DbError>(Article {
                id: ArticleId(r.try_get("id")?),
                kind: ArticleKind::parse(&r.try_get::<String, _>("kind")?)?,
                language: Language::parse(&r.try_get::<String, _>("language")?)?,
                audience: Audience::parse(&r.try_get::<String, _>("audience")?)?,
                category: category.as_deref().map(Category::parse).transpose()?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                status: ArticleStatus::parse(&r.try_get::<String, _>("status")?)?,
                created_at: Timestamp(r.try_get("created_at")?),
                updated_at: Timestamp(r.try_get("updated_at")?),
                updated_by_name: r.try_get("updated_by_name")?,
                models,
                images: images
                    .into_iter()
                    .map(|(id, content_type, alt)| ArticleImage {
                        id: ImageId(id),
                        content_type,
                        alt,
                    })
                    .collect(),
            })
        })?;
        if !readable_by_all(article.kind, article.audience, article.status) {
            self.desk_guard(ctx, AuditAction::Read, "kb_article")
                .await?;
        }
        Ok(article)
    }

    /// Articles matching a query, titles with every search word first, then by title.
    /// Everyone signed in finds the published public guides; the service desk finds
    /// internal articles and reply templates too, and with `include_drafts` every status.
    /// Asking for what only the desk may see is refused (and audited), not quietly narrowed.
    pub async fn search_articles(
        &self,
        ctx: &AccessCtx,
        q: &ArticleQuery,
    ) -> Result<Vec<ArticleSummary>> {
        let desk = super::works_desk(ctx);
        if !desk
            && (q.include_drafts
                || q.audience == Some(Audience::Internal)
                || q.kind == Some(ArticleKind::ReplyTemplate))
        {
            self.desk_guard(ctx, AuditAction::Search, "kb_article")
                .await?;
        }
        let terms = search_terms(&q.text);
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM kb_articles a WHERE 1 = 1");
        let mut binds: Vec<Bind> = Vec::new();
        let mut push = |sql: &mut String, fragment: &str, b: Bind| {
            binds.push(b);
            sql.push_str(&fragment.replace("$?", &format!("${}", binds.len())));
        };
        if !(desk && q.include_drafts) {
            sql.push_str(" AND a.status = 'published'");
        }
        if !desk {
            sql.push_str(" AND a.kind = 'guide' AND a.audience = 'public'");
        }
        if let Some(k) = q.kind {
            push(&mut sql, " AND a.kind = $?", Bind::Text(k.as_str().into()));
        }
        if let Some(a) = q.audience {
            push(
                &mut sql,
                " AND a.audience = $?",
                Bind::Text(a.as_str().into()),
            );
        }
        if let Some(l) = q.language {
            push(
                &mut sql,
                " AND a.language = $?",
                Bind::Text(l.as_str().into()),
            );
        }
        if let Some(c) = q.category {
            push(
                &mut sql,
                " AND a.category = $?",
                Bind::Text(c.as_str().into()),
            );
        }
        if let Some(m) = q.model {
            push(
                &mut sql,
                " AND a.id IN (SELECT article_id FROM kb_article_models WHERE model_id = $?)",
                Bind::Id(m.0),
            );
        }
        for t in &terms {
            // Folded text holds only letters, digits and spaces: no LIKE wildcard to escape.
            push(
                &mut sql,
                " AND a.search_text LIKE $?",
                Bind::Text(format!("%{t}%")),
            );
        }
        sql.push_str(&format!(
            " ORDER BY a.updated_at DESC, a.id LIMIT {LIST_LIMIT}"
        ));
        let mut hits = on_read!(self, |c| fetch_summaries!(c, sql, &binds))?;
        by_title(&mut hits);
        if !terms.is_empty() {
            // Stable: within each group the titles stay in order.
            hits.sort_by_key(|a| !contains_all(&fold(&a.title), &terms));
        }
        Ok(hits)
    }

    /// The published guides for these device models: for the citizen's help page
    /// (`Audience::Public`) or the agent's caller screen (`Audience::Internal`: public and
    /// internal, the service desk only). Guides in `language` first; for a model with no
    /// guide in that language, its Danish guides, since every guide is written in Danish
    /// first.
    pub async fn guides_for_models(
        &self,
        ctx: &AccessCtx,
        models: &[ModelId],
        language: Language,
        audience: Audience,
    ) -> Result<Vec<ArticleSummary>> {
        if audience == Audience::Internal {
            self.desk_guard(ctx, AuditAction::Search, "kb_article")
                .await?;
        }
        let mut wanted: Vec<ModelId> = models.to_vec();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM kb_articles a WHERE a.kind = 'guide' AND a.status = 'published' \
             AND a.id IN (SELECT article_id FROM kb_article_models WHERE model_id IN ({}))",
            placeholders(1, wanted.len())
        );
        if audience == Audience::Public {
            sql.push_str(" AND a.audience = 'public'");
        }
        sql.push_str(&format!(
            " ORDER BY a.updated_at DESC, a.id LIMIT {LIST_LIMIT}"
        ));
        let binds: Vec<Bind> = wanted.iter().map(|m| Bind::Id(m.0)).collect();
        let all = on_read!(self, |c| fetch_summaries!(c, sql, &binds))?;
        let (mut chosen, others): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|a| a.language == language);
        let covered: Vec<ModelId> = chosen.iter().flat_map(|a| a.models.clone()).collect();
        let uncovered: Vec<ModelId> = wanted
            .iter()
            .copied()
            .filter(|m| !covered.contains(m))
            .collect();
        chosen.extend(others.into_iter().filter(|a| {
            a.language == Language::Danish && a.models.iter().any(|m| uncovered.contains(m))
        }));
        by_title(&mut chosen);
        Ok(chosen)
    }

    /// Adds a picture to an article (PNG, JPEG or WebP by its bytes, at most 1 MiB, with a
    /// text saying what it shows). The body shows it once an editor adds its line.
    pub async fn add_article_image(
        &self,
        ctx: &AccessCtx,
        article: ArticleId,
        content_type: &str,
        alt: &str,
        bytes: &[u8],
    ) -> Result<ImageId> {
        let decision = self
            .desk_guard(ctx, AuditAction::Create, "kb_image")
            .await?;
        let content_type = check_image(content_type, alt, bytes)?;
        let id = ImageId::new();
        let mut record = ctx.record(&decision, AuditAction::Create, "kb_image", None, None);
        record.entity_id = Some(id.to_string());
        let records = [record];
        let alt = alt.trim();
        on_write!(self, |tx| {
            let exists: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM kb_articles WHERE id = $1")
                    .bind(article.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(DbError::not_found("article"));
            }
            sqlx::query(
                "INSERT INTO kb_images (id, article_id, content_type, alt, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(article.0)
            .bind(content_type)
            .bind(alt)
            .bind(bytes)
            .bind(Timestamp::now().0)
            .execute(&mut *tx)
            .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(id)
    }

    /// A picture's content type and bytes, for whoever may read its article.
    pub async fn article_image(&self, ctx: &AccessCtx, id: ImageId) -> Result<(String, Vec<u8>)> {
        let found: Option<(String, String, String, String)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT i.content_type, a.kind, a.audience, a.status FROM kb_images i \
                 JOIN kb_articles a ON a.id = i.article_id WHERE i.id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        let (content_type, kind, audience, status) =
            found.ok_or_else(|| DbError::not_found("picture"))?;
        if !readable_by_all(
            ArticleKind::parse(&kind)?,
            Audience::parse(&audience)?,
            ArticleStatus::parse(&status)?,
        ) {
            self.desk_guard(ctx, AuditAction::Read, "kb_image").await?;
        }
        // The bytes only once the reader is known to be allowed them.
        let data: Vec<u8> = on_read!(self, |c| {
            sqlx::query_scalar("SELECT data FROM kb_images WHERE id = $1")
                .bind(id.0)
                .fetch_one(&mut *c)
                .await
                .map_err(DbError::from)
        })?;
        Ok((content_type, data))
    }
}
