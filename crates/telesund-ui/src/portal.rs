//! The citizen portal: sign in, one's own record, and "Hvem har set mine data" — the
//! citizen's own access log.

use crate::i18n;
use crate::page::{
    CitizenAuth, OrPage, Page, PageResult, drop_old_session, local_path, path_and_query,
    remember_language, render, see_other, visitor_language, with_cookie,
};
use crate::staff::{LoginQuery, cookie_session, login_error};
use crate::view::{CitizenView, citizen_view};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use telesund_core::access::Principal;
use telesund_db::sessions::SessionOwner;
use telesund_http::AppState;
use telesund_http::auth::{login, request_info, session_set_cookie};

#[derive(Template)]
#[template(path = "portal_login.html")]
struct LoginPage {
    page: Page,
    login: String,
    next: String,
    error: Option<String>,
}

fn portal_next(next: Option<&str>) -> String {
    next.and_then(local_path)
        .filter(|p| p.starts_with("/portal"))
        .unwrap_or_else(|| "/portal".into())
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let session = cookie_session(&state, &headers).await;
    if let Some(s) = &session
        && matches!(s.owner, SessionOwner::Citizen(_))
    {
        return see_other(&portal_next(q.next.as_deref()));
    }
    let lang = visitor_language(&headers, q.lang.as_deref());
    let mut page = Page::anonymous(
        lang,
        session.map(|s| s.csrf_token).unwrap_or_default(),
        "/portal/login".into(),
        "portal-login-title",
    );
    page.portal = true;
    let body = LoginPage {
        page,
        login: String::new(),
        next: q
            .next
            .as_deref()
            .and_then(local_path)
            .filter(|p| p.starts_with("/portal"))
            .unwrap_or_default(),
        error: None,
    };
    remember_language(render(StatusCode::OK, &body), q.lang.as_deref())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub lang: String,
}

pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    axum::Form(f): axum::Form<LoginForm>,
) -> PageResult {
    let lang = visitor_language(&parts.headers, Some(&f.lang));
    let req = request_info(&parts, &Principal::System);
    match login::citizen_login(&state, &f.login, &f.password, &req).await {
        Ok(signed) => {
            drop_old_session(&state, &parts.headers).await;
            Ok(with_cookie(
                see_other(&portal_next(Some(&f.next))),
                &session_set_cookie(&state, &signed.cookie_secret),
            ))
        }
        Err(e) => {
            let Some(message) = login_error(lang, &e).map(|m| {
                if e.code == telesund_core::ErrorCode::InvalidCredentials {
                    i18n::t(lang, "portal-login-error-invalid")
                } else {
                    m
                }
            }) else {
                return Err(e.into());
            };
            let csrf = cookie_session(&state, &parts.headers)
                .await
                .map(|s| s.csrf_token)
                .unwrap_or_default();
            let mut page =
                Page::anonymous(lang, csrf, "/portal/login".into(), "portal-login-title");
            page.portal = true;
            let body = LoginPage {
                page,
                login: f.login.trim().to_string(),
                next: local_path(&f.next).unwrap_or_default(),
                error: Some(message),
            };
            Ok(render(e.status(), &body))
        }
    }
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    page: Page,
    c: CitizenView,
}

fn own_id(auth: &telesund_http::auth::Auth) -> Option<telesund_core::ids::CitizenId> {
    match auth.principal {
        Principal::Citizen { citizen_id, .. } => Some(citizen_id),
        _ => None,
    }
}

pub async fn home(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    parts: Parts,
) -> PageResult {
    let page = Page::citizen(
        &auth,
        path_and_query(&parts),
        i18n::t(auth.language(), "portal-title"),
        "/portal",
    );
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let overview = state
        .db
        .citizen_overview(&auth.ctx(), id)
        .await
        .or_page(&page)?;
    let programmes = state.db.programmes().await?;
    let c = citizen_view(&page, &overview, &programmes);
    Ok(render(StatusCode::OK, &HomePage { page, c }))
}

pub struct AccessRow {
    pub at: String,
    pub who: String,
    pub role: String,
    pub org: String,
    pub what: String,
    pub purpose: String,
    pub allowed: bool,
}

#[derive(Template)]
#[template(path = "portal_access.html")]
struct AccessPage {
    page: Page,
    rows: Vec<AccessRow>,
}

pub async fn access_log(
    State(state): State<AppState>,
    CitizenAuth(auth): CitizenAuth,
    parts: Parts,
) -> PageResult {
    let page = Page::citizen(
        &auth,
        path_and_query(&parts),
        i18n::t(auth.language(), "access-title"),
        "/portal/adgang",
    );
    let Some(id) = own_id(&auth) else {
        return Ok(see_other("/portal/login"));
    };
    let entries = state
        .db
        .citizen_access_log(&auth.ctx(), id, 500)
        .await
        .or_page(&page)?;
    let rows = entries
        .into_iter()
        .map(|e| {
            let action = page.label("action", &e.action);
            let what = match &e.category {
                Some(c) => format!("{action}: {}", page.label("category", c)),
                None => action,
            };
            AccessRow {
                at: e.at.danish(),
                who: e.who,
                role: e.role.map(|r| page.label("role", &r)).unwrap_or_default(),
                org: e.organisation.unwrap_or_default(),
                what,
                purpose: page.label("purpose", &e.purpose),
                allowed: e.allowed,
            }
        })
        .collect();
    Ok(render(StatusCode::OK, &AccessPage { page, rows }))
}
