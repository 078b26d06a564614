//! What every page shares: the layout's data (language, CSRF token, user, navigation), the
//! extractors that send signed-out visitors to the right login page, and error pages.

use crate::i18n;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::fmt::Display;
use telesund_core::ErrorCode;
use telesund_core::access::Principal;
use telesund_core::identity::{Language, Role};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

/// One link in the navigation bar.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The layout's data; every page template has it as `page`.
pub struct Page {
    pub lang: Language,
    pub csrf: String,
    pub user: Option<String>,
    pub nav: Vec<NavItem>,
    /// Where the language switch returns to (this page's path and query).
    pub back: String,
    /// The citizen portal (another header and logout target).
    pub portal: bool,
    pub title: String,
}

impl Page {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }
    pub fn t1(&self, key: &str, name: &str, value: impl Display) -> String {
        i18n::t_args(self.lang, key, &[(name, &value.to_string())])
    }
    /// A value of a closed set (role, organisation kind ...) in the page's language.
    pub fn label(&self, prefix: &str, value: &str) -> String {
        i18n::label(self.lang, prefix, value)
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.as_str()
    }
    /// The other language, offered by the switch.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Language::Danish => "en",
            Language::English => "da",
        }
    }
    pub fn other_lang_name(&self) -> &'static str {
        match self.lang {
            Language::Danish => "English",
            Language::English => "Dansk",
        }
    }

    /// A page for someone signed out.
    pub fn anonymous(lang: Language, csrf: String, back: String, title_key: &str) -> Self {
        Page {
            lang,
            csrf,
            user: None,
            nav: Vec::new(),
            back,
            portal: false,
            title: i18n::t(lang, title_key),
        }
    }

    /// A staff page with the navigation their roles call for; `current` is the nav link
    /// to mark.
    pub fn staff(auth: &Auth, back: String, title: String, current: &str) -> Self {
        let lang = auth.language();
        let mut nav = vec![("/", "nav-home")];
        if auth.has_role(Role::Clinician) {
            nav.push(("/arbejdsliste", "nav-worklist"));
        }
        if can_search(auth) {
            nav.push(("/borgere", "nav-citizens"));
        }
        if can_manage_equipment(auth) {
            nav.push(("/udstyr", "nav-equipment"));
        }
        if can_run_service_desk(auth) {
            nav.push(("/servicedesk", "sd-nav-label"));
        }
        if auth.has_role(Role::SystemAdmin) {
            nav.push(("/admin/organisationer", "nav-organisations"));
        }
        if auth.has_role(Role::SystemAdmin) || auth.has_role(Role::OrgAdmin) {
            nav.push(("/admin/brugere", "nav-users"));
            nav.push(("/admin/audit", "nav-audit"));
        }
        nav.push(("/hjaelp", "nav-help"));
        nav.push(("/konto", "nav-account"));
        Page {
            lang,
            csrf: auth.csrf_token().to_string(),
            user: Some(auth.principal.display_name().to_string()),
            nav: nav
                .into_iter()
                .map(|(href, key)| NavItem {
                    href,
                    label: i18n::t(lang, key),
                    current: href == current,
                })
                .collect(),
            back,
            portal: false,
            title,
        }
    }

    /// A staff page at the request's own path, titled by a message key.
    pub fn staff_at(auth: &Auth, parts: &Parts, title_key: &str, current: &str) -> Self {
        Page::staff(
            auth,
            path_and_query(parts),
            i18n::t(auth.language(), title_key),
            current,
        )
    }

    /// A citizen-portal page.
    pub fn citizen(auth: &Auth, back: String, title: String, current: &str) -> Self {
        let lang = auth.language();
        let nav = [
            ("/portal", "nav-portal"),
            ("/portal/maalinger", "nav-measurements"),
            ("/portal/beskeder", "nav-messages"),
            ("/portal/adgang", "nav-access-log"),
            ("/portal/hjaelp", "help-title"),
        ];
        Page {
            lang,
            csrf: auth.csrf_token().to_string(),
            user: Some(auth.principal.display_name().to_string()),
            nav: nav
                .into_iter()
                .map(|(href, key)| NavItem {
                    href,
                    label: i18n::t(lang, key),
                    current: href == current,
                })
                .collect(),
            back,
            portal: true,
            title,
        }
    }
}

/// An id from the path; one that cannot exist is "not found", shown in the page.
pub fn path_id<T: std::str::FromStr>(id: &str, what: &str, page: &Page) -> Result<T, UiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(what))
        .or_page(page)
}

/// Roles that may search for citizens (storage decides; this only shapes the navigation).
pub fn can_search(auth: &Auth) -> bool {
    [
        Role::Clinician,
        Role::SocialSupporter,
        Role::ServiceDeskAgent,
        Role::LogisticsTechnician,
        Role::Educator,
    ]
    .into_iter()
    .any(|r| auth.has_role(r))
}

/// Service-centre staff who run the equipment pages (storage decides every call; this only
/// shapes the navigation).
pub fn can_manage_equipment(auth: &Auth) -> bool {
    telesund_core::authorize(
        &auth.principal,
        telesund_core::access::Action::ManageEquipment,
        telesund_core::access::Resource::Platform,
    )
    .allowed
}

/// Service-centre staff who work the service desk (storage decides every call; this only
/// shapes the navigation and which buttons a page offers).
pub fn can_run_service_desk(auth: &Auth) -> bool {
    telesund_core::authorize(
        &auth.principal,
        telesund_core::access::Action::RunServiceDesk,
        telesund_core::access::Resource::Platform,
    )
    .allowed
}

/// A path on this site (never `//host` or a scheme), for `next` and `back` parameters.
pub fn local_path(p: &str) -> Option<String> {
    let ok = p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && p.len() <= 2000
        && !p.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| p.to_string())
}

pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub fn with_cookie(mut r: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// Percent-encodes a query-string value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The path and query of a request.
pub fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

/// Renders a template as an HTML response with a status.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            let mut err = ApiError::new(ErrorCode::Internal, "the page could not be rendered");
            err.cause = Some(e.to_string());
            err.into_response()
        }
    }
}

/// The language of a visitor who is not signed in: `?lang=` first, then the `lang` cookie.
pub fn visitor_language(headers: &HeaderMap, query_lang: Option<&str>) -> Language {
    if let Some(l) = query_lang.and_then(i18n::parse_lang) {
        return l;
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| i18n::parse_lang(v))
        .unwrap_or(Language::Danish)
}

/// Ends the session a browser had before signing in again, so one browser holds one session.
pub async fn drop_old_session(state: &AppState, headers: &HeaderMap) {
    if let Some(old) = crate::staff::cookie_session(state, headers).await {
        let _ = state.db.delete_session(&old.token_hash).await;
    }
}

/// Keeps a language chosen on a login page (`?lang=en`) in a cookie for the next visit.
pub fn remember_language(resp: Response, chosen: Option<&str>) -> Response {
    match chosen.and_then(i18n::parse_lang) {
        Some(l) => with_cookie(resp, &lang_cookie(l)),
        None => resp,
    }
}

pub fn lang_cookie(lang: Language) -> String {
    format!(
        "lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.as_str()
    )
}

/// A signed-in staff member; anyone else is sent to the staff login (citizens to their portal).
pub struct StaffAuth(pub Auth);

/// A signed-in citizen; anyone else is sent to the citizen login.
pub struct CitizenAuth(pub Auth);

fn login_redirect(parts: &Parts, login: &str) -> Response {
    let next = path_and_query(parts);
    let target = if next == "/" || next == "/portal" {
        login.to_string()
    } else {
        format!("{login}?next={}", encode(&next))
    };
    if parts.headers.contains_key("hx-request") {
        // htmx follows redirects inside the page; ask it to load the login page instead.
        let mut r = StatusCode::OK.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert("hx-redirect", v);
        }
        return r;
    }
    see_other(&target)
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Auth>, Response> {
    if let Some(a) = parts.extensions.get::<Auth>() {
        return Ok(Some(a.clone()));
    }
    match telesund_http::auth::resolve(parts, state).await {
        Ok(Some(a)) => {
            parts.extensions.insert(a.clone());
            Ok(Some(a))
        }
        Ok(None) => Ok(None),
        // A bearer token that is wrong, or the database failing.
        Err(e) if e.code == ErrorCode::Unauthenticated => Ok(None),
        Err(e) => Err(e.into_response()),
    }
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match resolve(parts, state).await? {
            Some(a) if matches!(a.principal, Principal::Staff { .. }) => Ok(StaffAuth(a)),
            Some(a) if matches!(a.principal, Principal::Citizen { .. }) => {
                Err(see_other("/portal"))
            }
            _ => Err(login_redirect(parts, "/login")),
        }
    }
}

impl FromRequestParts<AppState> for CitizenAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match resolve(parts, state).await? {
            Some(a) if matches!(a.principal, Principal::Citizen { .. }) => Ok(CitizenAuth(a)),
            _ => Err(login_redirect(parts, "/portal/login")),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub heading: String,
    pub message: String,
}

/// An error while building a page: refusals and missing things get a page in the user's
/// language; anything else goes to the shared error rendering (which logs the cause).
pub struct UiError {
    pub err: ApiError,
    pub page: Option<Box<Page>>,
}

impl From<ApiError> for UiError {
    fn from(err: ApiError) -> Self {
        UiError { err, page: None }
    }
}

impl From<telesund_db::DbError> for UiError {
    fn from(err: telesund_db::DbError) -> Self {
        UiError {
            err: err.into(),
            page: None,
        }
    }
}

impl UiError {
    /// An error shown in a page's layout.
    pub fn in_page(err: ApiError, page: &Page) -> Self {
        UiError {
            err,
            page: Some(Box::new(page.clone_shell())),
        }
    }
}

/// Attaches the page (language, navigation) an error is shown in.
pub trait OrPage<T> {
    fn or_page(self, page: &Page) -> Result<T, UiError>;
}

impl<T, E: Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, page: &Page) -> Result<T, UiError> {
        self.map_err(|e| UiError {
            err: e.into(),
            page: Some(Box::new(page.clone_shell())),
        })
    }
}

impl Page {
    /// The same layout for another page (an error page shown in its place).
    pub fn clone_shell(&self) -> Page {
        Page {
            lang: self.lang,
            csrf: self.csrf.clone(),
            user: self.user.clone(),
            nav: self
                .nav
                .iter()
                .map(|n| NavItem {
                    href: n.href,
                    label: n.label.clone(),
                    current: n.current,
                })
                .collect(),
            back: self.back.clone(),
            portal: self.portal,
            title: self.title.clone(),
        }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (heading, message) = match self.err.code {
            ErrorCode::Forbidden => ("forbidden-title", "forbidden-text"),
            ErrorCode::NotFound => ("notfound-title", "notfound-text"),
            _ => return self.err.into_response(),
        };
        let mut page = self
            .page
            .map(|p| *p)
            .unwrap_or_else(|| Page::anonymous(Language::Danish, String::new(), "/".into(), ""));
        page.title = page.t(heading);
        let body = ErrorPage {
            heading: page.t(heading),
            message: page.t(message),
            page,
        };
        render(self.err.status(), &body)
    }
}

pub type PageResult = Result<Response, UiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/borgere?q=1").as_deref(), Some("/borgere?q=1"));
        assert!(local_path("//evil.example").is_none());
        assert!(local_path("/\\evil.example").is_none());
        assert!(local_path("https://evil.example").is_none());
        assert!(local_path("evil").is_none());
        assert!(local_path("/a\nb").is_none());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("/borgere?q=søren"), "/borgere%3Fq%3Ds%C3%B8ren");
    }
}
