//! The staff portal: login (with the TOTP step), logout, the start page, citizen search and
//! the citizen overview.

use crate::i18n;
use crate::page::{
    OrPage, Page, PageResult, StaffAuth, UiError, can_search, drop_old_session, encode, local_path,
    path_and_query, remember_language, render, see_other, visitor_language, with_cookie,
};
use crate::view::{CitizenView, citizen_view};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use telesund_core::ErrorCode;
use telesund_core::access::Principal;
use telesund_core::identity::{Language, Role};
use telesund_core::ids::CitizenId;
use telesund_db::sessions::{Session, SessionOwner};
use telesund_http::auth::{login, request_info, session_cookie, session_set_cookie};
use telesund_http::{ApiError, AppState};

/// The session a cookie names, including one still waiting for its second factor.
pub async fn cookie_session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let secret = session_cookie(headers)?;
    state.db.session(&secret).await.ok().flatten()
}

/// The message for a failed sign-in, or `None` when it is not the user's mistake.
pub fn login_error(lang: Language, e: &ApiError) -> Option<String> {
    let key = match e.code {
        ErrorCode::InvalidCredentials => "login-error-invalid",
        ErrorCode::AccountLocked => "login-error-locked",
        ErrorCode::RateLimited => "login-error-rate",
        ErrorCode::InvalidSecondFactor => "totp-error-invalid",
        ErrorCode::InvalidInput => "login-error-invalid",
        _ => return None,
    };
    Some(i18n::t(lang, key))
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    pub next: Option<String>,
    pub lang: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
}

fn next_or_home(next: Option<&str>) -> String {
    next.and_then(local_path).unwrap_or_else(|| "/".into())
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let session = cookie_session(&state, &headers).await;
    if let Some(s) = &session
        && !s.second_factor_pending
        && matches!(s.owner, SessionOwner::Staff(_))
    {
        return see_other(&next_or_home(q.next.as_deref()));
    }
    let lang = visitor_language(&headers, q.lang.as_deref());
    let page = Page::anonymous(
        lang,
        session.map(|s| s.csrf_token).unwrap_or_default(),
        "/login".into(),
        "login-title",
    );
    let body = LoginPage {
        page,
        email: String::new(),
        next: q.next.as_deref().and_then(local_path).unwrap_or_default(),
        error: None,
    };
    remember_language(render(StatusCode::OK, &body), q.lang.as_deref())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
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
    match login::staff_login(&state, &f.email, &f.password, &req).await {
        Ok(signed) => {
            drop_old_session(&state, &parts.headers).await;
            let next = next_or_home(Some(&f.next));
            let target = if signed.session.second_factor_pending {
                format!("/login/totp?next={}", encode(&next))
            } else {
                next
            };
            Ok(with_cookie(
                see_other(&target),
                &session_set_cookie(&state, &signed.cookie_secret),
            ))
        }
        Err(e) => {
            let Some(message) = login_error(lang, &e) else {
                return Err(e.into());
            };
            let csrf = cookie_session(&state, &parts.headers)
                .await
                .map(|s| s.csrf_token)
                .unwrap_or_default();
            let body = LoginPage {
                page: Page::anonymous(lang, csrf, "/login".into(), "login-title"),
                email: f.email.trim().to_string(),
                next: local_path(&f.next).unwrap_or_default(),
                error: Some(message),
            };
            Ok(render(e.status(), &body))
        }
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    page: Page,
    next: String,
    error: Option<String>,
}

pub async fn totp_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let Some(session) = cookie_session(&state, &headers)
        .await
        .filter(|s| s.second_factor_pending)
    else {
        return see_other("/login");
    };
    let body = TotpPage {
        page: Page::anonymous(
            session.language,
            session.csrf_token.clone(),
            "/login/totp".into(),
            "totp-title",
        ),
        next: q.next.as_deref().and_then(local_path).unwrap_or_default(),
        error: None,
    };
    render(StatusCode::OK, &body)
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub next: String,
}

pub async fn totp(
    State(state): State<AppState>,
    parts: Parts,
    axum::Form(f): axum::Form<TotpForm>,
) -> PageResult {
    let Some(session) = cookie_session(&state, &parts.headers)
        .await
        .filter(|s| s.second_factor_pending)
    else {
        return Ok(see_other("/login"));
    };
    let req = request_info(&parts, &Principal::System);
    match login::second_factor(&state, &session, &f.code, &req).await {
        Ok(()) => Ok(see_other(&next_or_home(Some(&f.next)))),
        Err(e) => {
            let lang = session.language;
            let Some(message) = login_error(lang, &e) else {
                return Err(e.into());
            };
            if e.code == ErrorCode::AccountLocked {
                // The session is gone; start over at the login page.
                let body = LoginPage {
                    page: Page::anonymous(lang, String::new(), "/login".into(), "login-title"),
                    email: String::new(),
                    next: String::new(),
                    error: Some(message),
                };
                return Ok(with_cookie(
                    render(e.status(), &body),
                    &session_set_cookie(&state, ""),
                ));
            }
            let body = TotpPage {
                page: Page::anonymous(
                    lang,
                    session.csrf_token.clone(),
                    "/login/totp".into(),
                    "totp-title",
                ),
                next: local_path(&f.next).unwrap_or_default(),
                error: Some(message),
            };
            Ok(render(e.status(), &body))
        }
    }
}

pub async fn logout(State(state): State<AppState>, parts: Parts) -> PageResult {
    let Some(session) = cookie_session(&state, &parts.headers).await else {
        return Ok(with_cookie(
            see_other("/login"),
            &session_set_cookie(&state, ""),
        ));
    };
    let (who, target) = match session.owner {
        SessionOwner::Staff(u) => (
            state
                .db
                .staff_profile(u)
                .await
                .map(|p| p.user.name)
                .unwrap_or_default(),
            "/login",
        ),
        SessionOwner::Citizen(c) => (
            state.db.citizen_name(c).await.unwrap_or_default(),
            "/portal/login",
        ),
    };
    let req = request_info(&parts, &Principal::System);
    login::logout(&state, &session, &who, &req).await?;
    Ok(with_cookie(
        see_other(target),
        &session_set_cookie(&state, ""),
    ))
}

/// A membership shown on the start page.
struct RoleLine {
    org: String,
    role: String,
}

struct HomeLink {
    href: &'static str,
    label: String,
    hint: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    name: String,
    roles: Vec<RoleLine>,
    links: Vec<HomeLink>,
}

pub async fn home(StaffAuth(auth): StaffAuth) -> PageResult {
    let page = Page::staff(
        &auth,
        "/".into(),
        i18n::t(auth.language(), "home-title"),
        "/",
    );
    let now = telesund_core::Timestamp::now();
    let roles = auth
        .staff
        .as_ref()
        .map(|s| {
            s.memberships
                .iter()
                .filter(|m| m.membership.active_at(now))
                .map(|m| RoleLine {
                    org: m.org_name.clone(),
                    role: page.label("role", m.membership.role.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut links = Vec::new();
    let mut link = |href, label: &str, hint: &str| {
        links.push(HomeLink {
            href,
            label: page.t(label),
            hint: page.t(hint),
        })
    };
    if can_search(&auth) {
        link("/borgere", "nav-citizens", "home-citizens-hint");
    }
    if auth.has_role(Role::SystemAdmin) {
        link(
            "/admin/organisationer",
            "nav-organisations",
            "home-organisations-hint",
        );
    }
    if auth.has_role(Role::SystemAdmin) || auth.has_role(Role::OrgAdmin) {
        link("/admin/brugere", "nav-users", "home-users-hint");
        link("/admin/audit", "nav-audit", "home-audit-hint");
    }
    link("/konto", "nav-account", "home-account-hint");
    let body = HomePage {
        name: auth.principal.display_name().to_string(),
        roles,
        links,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

/// One search hit.
pub struct CitizenRow {
    pub id: String,
    pub name: String,
    pub cpr: String,
    pub municipality: String,
}

#[derive(Template)]
#[template(path = "citizens.html")]
struct CitizensPage {
    page: Page,
    q: String,
    searched: bool,
    results: Vec<CitizenRow>,
}

#[derive(Template)]
#[template(path = "citizen_results.html")]
struct CitizenResults {
    page: Page,
    q: String,
    searched: bool,
    results: Vec<CitizenRow>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
}

async fn search(
    state: &AppState,
    auth: &telesund_http::auth::Auth,
    page: &Page,
    q: &str,
) -> Result<(bool, Vec<CitizenRow>), UiError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok((false, Vec::new()));
    }
    let hits = state
        .db
        .search_citizens(&auth.ctx(), q, 25)
        .await
        .or_page(page)?;
    Ok((
        true,
        hits.into_iter()
            .map(|h| CitizenRow {
                id: h.id.to_string(),
                name: h.name,
                cpr: h.cpr.formatted(),
                municipality: h.municipality.unwrap_or_default(),
            })
            .collect(),
    ))
}

pub async fn citizens(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let page = Page::staff(
        &auth,
        path_and_query(&parts),
        i18n::t(auth.language(), "citizens-title"),
        "/borgere",
    );
    let (searched, results) = search(&state, &auth, &page, &q.q).await?;
    let body = CitizensPage {
        page,
        q: q.q.trim().to_string(),
        searched,
        results,
    };
    Ok(render(StatusCode::OK, &body))
}

/// The results table alone, for htmx; a plain browser is sent to the full page.
pub async fn citizen_results(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let full = format!("/borgere?q={}", encode(q.q.trim()));
    if !parts.headers.contains_key("hx-request") {
        return Ok(see_other(&full));
    }
    let page = Page::staff(
        &auth,
        full.clone(),
        i18n::t(auth.language(), "citizens-title"),
        "/borgere",
    );
    let (searched, results) = search(&state, &auth, &page, &q.q).await?;
    let body = CitizenResults {
        page,
        q: q.q.trim().to_string(),
        searched,
        results,
    };
    let mut resp = render(StatusCode::OK, &body);
    if let Ok(v) = HeaderValue::from_str(&full) {
        resp.headers_mut().insert("hx-push-url", v);
    }
    Ok(resp)
}

/// A tab of the citizen record. Later parts (measurements, equipment ...) add theirs here.
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The tabs of a citizen's record: (path below `/borgere/{id}`, message key).
pub const CITIZEN_TABS: &[(&str, &str)] = &[
    ("", "tab-overview"),
    ("/maalinger", "tab-monitoring"),
    ("/udstyr", "tab-equipment"),
];

pub fn citizen_tabs(page: &Page, id: &str, current: &str) -> Vec<Tab> {
    CITIZEN_TABS
        .iter()
        .map(|(path, key)| Tab {
            href: format!("/borgere/{id}{path}"),
            label: page.t(key),
            current: *path == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "citizen.html")]
struct CitizenPage {
    page: Page,
    tabs: Vec<Tab>,
    c: CitizenView,
    acting_as: Option<String>,
}

pub async fn citizen_overview(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    parts: Parts,
    Path(id): Path<String>,
) -> PageResult {
    let mut page = Page::staff(
        &auth,
        path_and_query(&parts),
        i18n::t(auth.language(), "citizen-title"),
        "/borgere",
    );
    let id: CitizenId = id
        .parse()
        .map_err(|_| ApiError::not_found("citizen"))
        .or_page(&page)?;
    let overview = state
        .db
        .citizen_overview(&auth.ctx(), id)
        .await
        .or_page(&page)?;
    let programmes = state.db.programmes().await?;
    let acting_as = overview.acting_as.map(|a| {
        let org = auth
            .staff
            .as_ref()
            .and_then(|s| {
                s.memberships
                    .iter()
                    .find(|m| m.membership.org_id == a.org_id)
            })
            .map(|m| m.org_name.clone())
            .unwrap_or_default();
        format!("{}, {org}", page.label("role", a.role.as_str()))
    });
    let c = citizen_view(&page, &overview, &programmes);
    page.title = c.name.clone();
    let body = CitizenPage {
        tabs: citizen_tabs(&page, &c.id, ""),
        c,
        acting_as,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}
