//! Password login for staff and citizens, the TOTP second step, and logout. Shared by the
//! portal pages and the JSON API so there is one way to sign in.

use crate::error::ApiError;
use crate::state::AppState;
use telesund_core::audit::{ActorKind, AuditAction, AuditRecord, RequestInfo};
use telesund_core::ids::AuditId;
use telesund_core::{ErrorCode, Timestamp};
use telesund_db::secrets::{dummy_hash, verify_password};
use telesund_db::sessions::{Session, SessionOwner};

/// A started session: the cookie secret to set, and whether a second factor is still due.
pub struct SignedIn {
    pub cookie_secret: String,
    pub session: Session,
}

fn login_record(
    kind: ActorKind,
    who: &str,
    user: Option<telesund_core::ids::UserId>,
    citizen: Option<telesund_core::ids::CitizenId>,
    action: AuditAction,
    reason: &str,
    req: &RequestInfo,
) -> AuditRecord {
    AuditRecord {
        id: AuditId::new(),
        at: Timestamp::now(),
        actor_kind: kind,
        actor_user_id: user,
        actor_citizen_id: citizen,
        actor_name: who.to_string(),
        actor_org_id: None,
        actor_org_name: None,
        actor_org_kind: None,
        actor_role: None,
        action,
        entity: "session".into(),
        entity_id: None,
        citizen_id: None,
        category: None,
        purpose: "authentication".into(),
        outcome_allowed: action == AuditAction::Login || action == AuditAction::Logout,
        reason: reason.into(),
        request_id: req.request_id.clone(),
        client_addr: req.client_addr.clone(),
    }
}

async fn check_password(hash: Option<String>, password: &str) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&h, &password),
        None => {
            // Spend the same time as a real check, so timing does not tell which accounts exist.
            let _ = verify_password(dummy_hash(), &password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn rate_limit(state: &AppState, req: &RequestInfo) -> Result<(), ApiError> {
    if state.login_limiter.try_acquire(&req.client_addr) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many login attempts from this address; wait a minute",
        ))
    }
}

fn invalid() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong e-mail or password")
}

fn locked() -> ApiError {
    ApiError::new(
        ErrorCode::AccountLocked,
        "the account is locked after repeated failed logins; try again in 15 minutes",
    )
}

pub async fn staff_login(
    state: &AppState,
    email: &str,
    password: &str,
    req: &RequestInfo,
) -> Result<SignedIn, ApiError> {
    rate_limit(state, req)?;
    let db = &state.db;
    let Some(user) = db.staff_id_by_email(email).await? else {
        check_password(None, password).await;
        db.audit(vec![login_record(
            ActorKind::Staff,
            email.trim(),
            None,
            None,
            AuditAction::LoginFailed,
            "unknown account",
            req,
        )])
        .await?;
        return Err(invalid());
    };
    let login = db.staff_login_state(user).await?;
    let profile = db.staff_profile(user).await?;
    let name = profile.user.name.as_str();
    if login.locked_until.is_some_and(|t| t > Timestamp::now()) {
        db.audit(vec![login_record(
            ActorKind::Staff,
            name,
            Some(user),
            None,
            AuditAction::LoginFailed,
            "account locked",
            req,
        )])
        .await?;
        return Err(locked());
    }
    if !check_password(login.password_hash.clone(), password).await || !login.active {
        let now_locked = db.record_staff_login_failure(user).await?;
        let reason = if login.active {
            "wrong password"
        } else {
            "account deactivated"
        };
        db.audit(vec![login_record(
            ActorKind::Staff,
            name,
            Some(user),
            None,
            AuditAction::LoginFailed,
            reason,
            req,
        )])
        .await?;
        return Err(if now_locked { locked() } else { invalid() });
    }
    db.record_staff_login_success(user).await?;
    let (cookie_secret, session) = db
        .create_session(
            SessionOwner::Staff(user),
            login.totp_enabled,
            profile.language,
        )
        .await?;
    let reason = if login.totp_enabled {
        "password accepted; second factor due"
    } else {
        "password"
    };
    db.audit(vec![login_record(
        ActorKind::Staff,
        name,
        Some(user),
        None,
        AuditAction::Login,
        reason,
        req,
    )])
    .await?;
    Ok(SignedIn {
        cookie_secret,
        session,
    })
}

/// Citizens sign in with their CPR number (or e-mail) and a portal password; in production
/// they use the identity broker (OpenID Connect) instead.
pub async fn citizen_login(
    state: &AppState,
    login: &str,
    password: &str,
    req: &RequestInfo,
) -> Result<SignedIn, ApiError> {
    rate_limit(state, req)?;
    let db = &state.db;
    let Some(c) = db.citizen_login_state(login).await? else {
        check_password(None, password).await;
        db.audit(vec![login_record(
            ActorKind::Citizen,
            "unknown",
            None,
            None,
            AuditAction::LoginFailed,
            "unknown account",
            req,
        )])
        .await?;
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "wrong CPR number, e-mail or password",
        ));
    };
    if c.locked_until.is_some_and(|t| t > Timestamp::now()) {
        db.audit(vec![login_record(
            ActorKind::Citizen,
            &c.name,
            None,
            Some(c.citizen_id),
            AuditAction::LoginFailed,
            "account locked",
            req,
        )])
        .await?;
        return Err(locked());
    }
    if !check_password(c.password_hash.clone(), password).await {
        let now_locked = db.record_citizen_login(c.citizen_id, false).await?;
        db.audit(vec![login_record(
            ActorKind::Citizen,
            &c.name,
            None,
            Some(c.citizen_id),
            AuditAction::LoginFailed,
            "wrong password",
            req,
        )])
        .await?;
        return Err(if now_locked {
            locked()
        } else {
            ApiError::new(
                ErrorCode::InvalidCredentials,
                "wrong CPR number, e-mail or password",
            )
        });
    }
    db.record_citizen_login(c.citizen_id, true).await?;
    let (cookie_secret, session) = db
        .create_session(SessionOwner::Citizen(c.citizen_id), false, c.language)
        .await?;
    db.audit(vec![login_record(
        ActorKind::Citizen,
        &c.name,
        None,
        Some(c.citizen_id),
        AuditAction::Login,
        "password",
        req,
    )])
    .await?;
    Ok(SignedIn {
        cookie_secret,
        session,
    })
}

/// Checks the TOTP code for a session waiting for its second factor.
pub async fn second_factor(
    state: &AppState,
    session: &Session,
    code: &str,
    req: &RequestInfo,
) -> Result<(), ApiError> {
    rate_limit(state, req)?;
    let SessionOwner::Staff(user) = session.owner else {
        return Err(ApiError::new(
            ErrorCode::InvalidSecondFactor,
            "no second factor is due",
        ));
    };
    let login = state.db.staff_login_state(user).await?;
    let profile = state.db.staff_profile(user).await?;
    let secret = login
        .totp_secret
        .filter(|_| login.totp_enabled)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidSecondFactor, "no second factor is set up")
        })?;
    let now = Timestamp::now().micros() / 1_000_000;
    let ok = match super::totp::verify(&secret, code, now) {
        Some(step) => state.db.use_totp_step(user, step).await?,
        None => false,
    };
    if !ok {
        let now_locked = state.db.record_staff_login_failure(user).await?;
        state
            .db
            .audit(vec![login_record(
                ActorKind::Staff,
                &profile.user.name,
                Some(user),
                None,
                AuditAction::LoginFailed,
                "wrong second factor",
                req,
            )])
            .await?;
        if now_locked {
            state.db.delete_session(&session.token_hash).await?;
            return Err(locked());
        }
        return Err(ApiError::new(
            ErrorCode::InvalidSecondFactor,
            "the code is wrong or already used",
        ));
    }
    state.db.complete_second_factor(&session.token_hash).await?;
    state.db.record_staff_login_success(user).await?;
    state
        .db
        .audit(vec![login_record(
            ActorKind::Staff,
            &profile.user.name,
            Some(user),
            None,
            AuditAction::Login,
            "second factor",
            req,
        )])
        .await?;
    Ok(())
}

pub async fn logout(
    state: &AppState,
    session: &Session,
    who: &str,
    req: &RequestInfo,
) -> Result<(), ApiError> {
    state.db.delete_session(&session.token_hash).await?;
    let (kind, user, citizen) = match session.owner {
        SessionOwner::Staff(u) => (ActorKind::Staff, Some(u), None),
        SessionOwner::Citizen(c) => (ActorKind::Citizen, None, Some(c)),
    };
    state
        .db
        .audit(vec![login_record(
            kind,
            who,
            user,
            citizen,
            AuditAction::Logout,
            "logout",
            req,
        )])
        .await?;
    Ok(())
}
