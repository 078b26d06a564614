//! The knowledge base over JSON: guides and reply templates, searched with æ/ø/å folded,
//! and their pictures. Storage decides who reads what (a published public guide: everyone
//! signed in; the rest and every change: the service desk); this module reads requests and
//! shapes answers. Query parameters are checked like bodies: an unknown one is refused with
//! `unknown_field`, a bad value with `invalid_input`.

use super::parse_id;
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use telesund_core::ErrorCode;
use telesund_core::identity::Language;
use telesund_core::ids::{ArticleId, ImageId, ModelId};
use telesund_core::servicedesk::case::Category;
use telesund_core::servicedesk::kb::{
    ArticleInput, ArticleKind, Audience, parse_body, picture_line,
};
use telesund_db::servicedesk::kb::{Article, ArticleQuery};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/knowledge/articles", get(search).post(create))
        .route("/knowledge/articles/{id}", get(read).put(update))
        .route("/knowledge/articles/{id}/images", post(add_image))
        .route("/knowledge/images/{id}", get(image))
}

/// The search's query parameters.
const SEARCH_PARAMS: &[&str] = &[
    "q",
    "kind",
    "audience",
    "language",
    "category",
    "model",
    "include_drafts",
];

/// Query parameters, each known and given at most once.
fn query_pairs(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs = crate::middleware::urlencoded_pairs(raw.unwrap_or("").as_bytes());
    for (i, (k, _)) in pairs.iter().enumerate() {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::new(
                ErrorCode::UnknownField,
                format!(
                    "unknown query parameter '{k}'; known: {}",
                    allowed.join(", ")
                ),
            )
            .at(k.clone()));
        }
        if pairs[..i].iter().any(|(seen, _)| seen == k) {
            return Err(ApiError::invalid(format!("give '{k}' once")).at(k.clone()));
        }
    }
    Ok(pairs)
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A closed-set parameter through its `parse`, the refusal pointing at the parameter.
fn parsed<T, E: Into<ApiError>>(
    pairs: &[(String, String)],
    name: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    param(pairs, name)
        .map(|v| parse(v).map_err(|e| e.into().at(name.to_string())))
        .transpose()
}

fn article_query(raw: Option<&str>) -> Result<ArticleQuery, ApiError> {
    let pairs = query_pairs(raw, SEARCH_PARAMS)?;
    let include_drafts = match param(&pairs, "include_drafts") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "include_drafts is true or false, not '{other}'"
            ))
            .at("include_drafts"));
        }
    };
    Ok(ArticleQuery {
        text: param(&pairs, "q").unwrap_or_default().to_string(),
        kind: parsed(&pairs, "kind", ArticleKind::parse)?,
        audience: parsed(&pairs, "audience", Audience::parse)?,
        language: parsed(&pairs, "language", Language::parse)?,
        category: parsed(&pairs, "category", Category::parse)?,
        model: parsed(&pairs, "model", |v| {
            v.parse::<ModelId>()
                .map_err(|_| ApiError::invalid("model must be an id"))
        })?,
        include_drafts,
    })
}

/// An article as JSON, with its body as blocks (paragraphs, numbered steps, pictures) for
/// clients that render it.
fn article_json(a: &Article) -> Result<Value, ApiError> {
    let mut v = serde_json::to_value(a).map_err(internal)?;
    v["blocks"] = serde_json::to_value(parse_body(&a.body)).map_err(internal)?;
    Ok(v)
}

fn internal(e: serde_json::Error) -> ApiError {
    let mut err = ApiError::new(ErrorCode::Internal, "could not write the answer");
    err.cause = Some(e.to_string());
    err
}

pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = article_query(raw.as_deref())?;
    let articles = state.db.search_articles(&auth.ctx(), &q).await?;
    Ok(Json(json!({ "articles": articles })))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(input): JsonBody<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    let a = state.db.save_article(&auth.ctx(), None, input).await?;
    Ok((StatusCode::CREATED, Json(article_json(&a)?)))
}

pub async fn read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ArticleId = parse_id(&id, "article")?;
    let a = state.db.article(&auth.ctx(), id).await?;
    Ok(Json(article_json(&a)?))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ArticleId = parse_id(&id, "article")?;
    let a = state.db.save_article(&auth.ctx(), Some(id), input).await?;
    Ok(Json(article_json(&a)?))
}

/// A picture sent as the raw body, its type in `Content-Type`, its text in `?alt=`.
pub async fn add_image(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let article: ArticleId = parse_id(&id, "article")?;
    let pairs = query_pairs(raw.as_deref(), &["alt"])?;
    let alt = param(&pairs, "alt").unwrap_or_default().to_string();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::Bytes::from_request(req, &())
        .await
        .map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "the picture is too large")
            } else {
                ApiError::invalid(format!("could not read the picture: {e}"))
            }
        })?;
    let image = state
        .db
        .add_article_image(&auth.ctx(), article, &content_type, &alt, &bytes)
        .await?;
    let a = state.db.article(&auth.ctx(), article).await?;
    let stored = a.images.iter().find(|i| i.id == image);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": image,
            "article_id": article,
            "content_type": stored.map(|i| i.content_type.as_str()),
            "alt": stored.map(|i| i.alt.as_str()),
            "line": picture_line(image, &alt),
        })),
    ))
}

pub async fn image(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: ImageId = parse_id(&id, "picture")?;
    let (content_type, bytes) = state.db.article_image(&auth.ctx(), id).await?;
    let mut r = bytes.into_response();
    let value = HeaderValue::from_str(&content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    r.headers_mut().insert(header::CONTENT_TYPE, value);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_parameters_are_checked() {
        let q = article_query(Some(
            "q=m%C3%A5ler&kind=guide&audience=public&language=da&category=equipment_fault&include_drafts=true",
        ))
        .unwrap();
        assert_eq!(q.text, "måler");
        assert_eq!(q.kind, Some(ArticleKind::Guide));
        assert_eq!(q.category, Some(Category::EquipmentFault));
        assert!(q.include_drafts);
        assert_eq!(
            article_query(Some("colour=red")).unwrap_err().code,
            ErrorCode::UnknownField
        );
        let e = article_query(Some("kind=faq")).unwrap_err();
        assert_eq!(
            (e.code, e.location.as_deref()),
            (ErrorCode::InvalidInput, Some("kind"))
        );
        assert!(article_query(Some("q=a&q=b")).is_err());
        assert!(article_query(Some("model=nope")).is_err());
        assert!(article_query(Some("include_drafts=yes")).is_err());
        assert!(article_query(None).unwrap().text.is_empty());
    }
}
