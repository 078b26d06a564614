//! Browser sessions, stored in the database so replicas share them and an administrator can
//! end them. The cookie holds a random secret; only its SHA-256 is stored.

use crate::db::{Db, on_read, on_write};
use crate::error::Result;
use crate::secrets::{random_secret, sha256_hex};
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::identity::Language;
use telesund_core::ids::{CitizenId, UserId};

/// Sessions end after this long without use, and after [`ABSOLUTE_HOURS`] in any case.
pub const IDLE_MINUTES: i64 = 30;
pub const ABSOLUTE_HOURS: i64 = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionOwner {
    Staff(UserId),
    Citizen(CitizenId),
}

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub owner: SessionOwner,
    pub csrf_token: String,
    /// The password was right but the second factor is still to come.
    pub second_factor_pending: bool,
    pub language: Language,
    pub created_at: Timestamp,
}

impl Db {
    /// Starts a session; returns the cookie secret (shown once) and the session.
    pub async fn create_session(
        &self,
        owner: SessionOwner,
        second_factor_pending: bool,
        language: Language,
    ) -> Result<(String, Session)> {
        let secret = random_secret("");
        let now = Timestamp::now();
        let session = Session {
            token_hash: sha256_hex(&secret),
            owner,
            csrf_token: random_secret(""),
            second_factor_pending,
            language,
            created_at: now,
        };
        let (kind, user, citizen) = match owner {
            SessionOwner::Staff(u) => ("staff", Some(u.0), None),
            SessionOwner::Citizen(c) => ("citizen", None, Some(c.0)),
        };
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, principal_kind, user_id, citizen_id, csrf_token, second_factor_pending, language, created_at, expires_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&session.token_hash)
            .bind(kind)
            .bind(user)
            .bind(citizen)
            .bind(&session.csrf_token)
            .bind(second_factor_pending)
            .bind(language.as_str())
            .bind(now.0)
            .bind(now.plus(time::Duration::hours(ABSOLUTE_HOURS)).0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })?;
        Ok((secret, session))
    }

    /// The live session for a cookie secret. Touches `last_seen_at` at most once a minute, so
    /// browsing is not a write per request.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>> {
        let hash = sha256_hex(secret);
        let now = Timestamp::now();
        let row = on_read!(self, |c| {
            let r = sqlx::query(
                "SELECT principal_kind, user_id, citizen_id, csrf_token, second_factor_pending, language, created_at, expires_at, last_seen_at \
                 FROM sessions WHERE token_hash = $1",
            )
            .bind(&hash)
            .fetch_optional(&mut *c)
            .await?;
            match r {
                None => Ok::<_, crate::DbError>(None),
                Some(r) => {
                    let kind: String = r.try_get("principal_kind")?;
                    let owner = if kind == "staff" {
                        SessionOwner::Staff(UserId(r.try_get("user_id")?))
                    } else {
                        SessionOwner::Citizen(CitizenId(r.try_get("citizen_id")?))
                    };
                    let lang: String = r.try_get("language")?;
                    Ok(Some((
                        Session {
                            token_hash: hash.clone(),
                            owner,
                            csrf_token: r.try_get("csrf_token")?,
                            second_factor_pending: r.try_get("second_factor_pending")?,
                            language: Language::parse(&lang).unwrap_or(Language::Danish),
                            created_at: Timestamp(r.try_get("created_at")?),
                        },
                        Timestamp(r.try_get("expires_at")?),
                        Timestamp(r.try_get("last_seen_at")?),
                    )))
                }
            }
        })?;
        let Some((session, expires, last_seen)) = row else {
            return Ok(None);
        };
        let idle_limit = last_seen.plus(time::Duration::minutes(IDLE_MINUTES));
        if now >= expires || now >= idle_limit {
            self.delete_session(&session.token_hash).await?;
            return Ok(None);
        }
        if now.0 - last_seen.0 > 60_000_000 {
            on_write!(self, |tx| {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(now.0)
                    .bind(&session.token_hash)
                    .execute(&mut *tx)
                    .await?;
                Ok::<_, crate::DbError>(())
            })?;
        }
        Ok(Some(session))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// Marks the second factor as done.
    pub async fn complete_second_factor(&self, token_hash: &str) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("UPDATE sessions SET second_factor_pending = $1 WHERE token_hash = $2")
                .bind(false)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    pub async fn set_session_language(&self, token_hash: &str, lang: Language) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("UPDATE sessions SET language = $1 WHERE token_hash = $2")
                .bind(lang.as_str())
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// Removes expired sessions (run by the housekeeping job).
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let now = Timestamp::now();
        let idle = now.plus(time::Duration::minutes(-IDLE_MINUTES));
        on_write!(self, |tx| {
            let n =
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
                    .bind(now.0)
                    .bind(idle.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            Ok(n)
        })
    }

    /// Remembers the PKCE verifier and nonce of an OpenID Connect login in progress.
    pub async fn save_oidc_login(
        &self,
        state: &str,
        audience: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO oidc_logins (state, audience, pkce_verifier, nonce, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(state)
                .bind(audience)
                .bind(verifier)
                .bind(nonce)
                .bind(Timestamp::now().0)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// Takes (and removes) a login in progress: a state is good for one callback, for 10 minutes.
    pub async fn take_oidc_login(&self, state: &str) -> Result<Option<(String, String, String)>> {
        let oldest = Timestamp::now().plus(time::Duration::minutes(-10)).0;
        on_write!(self, |tx| {
            let r = sqlx::query("DELETE FROM oidc_logins WHERE state = $1 RETURNING audience, pkce_verifier, nonce, created_at")
                .bind(state)
                .fetch_optional(&mut *tx)
                .await?;
            match r {
                Some(r) if r.try_get::<i64, _>("created_at")? >= oldest => Ok(Some((
                    r.try_get("audience")?,
                    r.try_get("pkce_verifier")?,
                    r.try_get("nonce")?,
                ))),
                _ => Ok(None),
            }
        })
    }
}
