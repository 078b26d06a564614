//! The language switch and the staff member's account page (language preference, TOTP).

use crate::i18n;
use crate::page::{
    Page, PageResult, StaffAuth, lang_cookie, local_path, render, see_other, with_cookie,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use telesund_core::Timestamp;
use telesund_core::identity::Language;
use telesund_http::AppState;
use telesund_http::auth::{MaybeAuth, totp};

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub back: String,
}

/// `POST /sprog`: sets the session's language (and a staff member's stored preference), and a
/// cookie for pages before login, then returns to the page it came from.
pub async fn switch_language(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    axum::Form(f): axum::Form<LanguageForm>,
) -> PageResult {
    let lang = i18n::parse_lang(&f.lang).unwrap_or(Language::Danish);
    if let Some(auth) = &auth {
        if let Some(s) = &auth.session {
            state.db.set_session_language(&s.token_hash, lang).await?;
        }
        if let Some(user) = auth.principal.user_id() {
            state.db.set_staff_language(user, lang).await?;
        }
    }
    let back = local_path(&f.back).unwrap_or_else(|| "/".into());
    Ok(with_cookie(see_other(&back), &lang_cookie(lang)))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    name: String,
    email: String,
    language: String,
    totp_enabled: bool,
    /// A secret made but not yet confirmed: shown once to set up the app.
    pending_secret: Option<String>,
    pending_uri: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    pub ok: Option<String>,
}

async fn account_page(
    state: &AppState,
    auth: &telesund_http::auth::Auth,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let lang = auth.language();
    let page = Page::staff(
        auth,
        "/konto".into(),
        i18n::t(lang, "account-title"),
        "/konto",
    );
    let Some(profile) = &auth.staff else {
        return Ok(see_other("/"));
    };
    let login = state.db.staff_login_state(profile.user.id).await?;
    let pending_secret = login.totp_secret.clone().filter(|_| !login.totp_enabled);
    let pending_uri = pending_secret
        .as_deref()
        .map(|s| totp::provisioning_uri(s, &profile.user.email))
        .unwrap_or_default();
    let body = AccountPage {
        name: profile.user.name.clone(),
        email: profile.user.email.clone(),
        language: page.label("language", lang.as_str()),
        totp_enabled: login.totp_enabled,
        pending_secret,
        pending_uri,
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

pub async fn account(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<AccountQuery>,
) -> PageResult {
    let notice = match q.ok.as_deref() {
        Some("totp-on") => Some(i18n::t(auth.language(), "totp-enabled-notice")),
        Some("totp-off") => Some(i18n::t(auth.language(), "totp-disabled-notice")),
        _ => None,
    };
    account_page(&state, &auth, notice, None).await
}

/// Makes a new secret to set up (TOTP stays off until a code from the app confirms it).
pub async fn totp_start(State(state): State<AppState>, StaffAuth(auth): StaffAuth) -> PageResult {
    if let Some(user) = auth.principal.user_id() {
        let login = state.db.staff_login_state(user).await?;
        if !login.totp_enabled {
            state
                .db
                .set_totp(user, Some(&totp::new_secret()), false)
                .await?;
        }
    }
    Ok(see_other("/konto"))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

fn now_seconds() -> i64 {
    Timestamp::now().micros() / 1_000_000
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<CodeForm>,
) -> PageResult {
    let Some(user) = auth.principal.user_id() else {
        return Ok(see_other("/"));
    };
    let login = state.db.staff_login_state(user).await?;
    let Some(secret) = login.totp_secret.filter(|_| !login.totp_enabled) else {
        return Ok(see_other("/konto"));
    };
    let ok = match totp::verify(&secret, &f.code, now_seconds()) {
        Some(step) => state.db.use_totp_step(user, step).await?,
        None => false,
    };
    if !ok {
        let msg = i18n::t(auth.language(), "totp-error-invalid");
        return account_page(&state, &auth, None, Some(msg)).await;
    }
    state.db.set_totp(user, Some(&secret), true).await?;
    Ok(see_other("/konto?ok=totp-on"))
}

/// Turns TOTP off; needs a current code, so a borrowed session alone cannot do it.
pub async fn totp_disable(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<CodeForm>,
) -> PageResult {
    let Some(user) = auth.principal.user_id() else {
        return Ok(see_other("/"));
    };
    let login = state.db.staff_login_state(user).await?;
    let Some(secret) = login.totp_secret.filter(|_| login.totp_enabled) else {
        return Ok(see_other("/konto"));
    };
    let ok = match totp::verify(&secret, &f.code, now_seconds()) {
        Some(step) => state.db.use_totp_step(user, step).await?,
        None => false,
    };
    if !ok {
        let msg = i18n::t(auth.language(), "totp-error-invalid");
        return account_page(&state, &auth, None, Some(msg)).await;
    }
    state.db.set_totp(user, None, false).await?;
    Ok(see_other("/konto?ok=totp-off"))
}
