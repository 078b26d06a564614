//! API tokens for integrations (EHRs, device gateways). The secret is printed once; only its
//! SHA-256 is stored, so a leaked database does not leak working tokens.

use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result};
use crate::secrets::{random_secret, sha256_hex};
use crate::staff::StaffProfile;
use serde::Serialize;
use sqlx::Row;
use telesund_core::Timestamp;
use telesund_core::ids::{TokenId, UserId};

#[derive(Clone, Debug, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub user_email: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// Tokens carry this prefix so secret scanners can find a leaked one.
pub const TOKEN_PREFIX: &str = "tsk_";

impl Db {
    /// Creates a token for a staff user; returns it and the secret (shown once).
    pub async fn create_api_token(&self, user: UserId, name: &str) -> Result<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(telesund_core::DomainError::invalid("a token needs a name").into());
        }
        let profile = self.staff_profile(user).await?;
        let secret = random_secret(TOKEN_PREFIX);
        let token = ApiToken {
            id: TokenId::new(),
            user_id: user,
            user_email: profile.user.email,
            name: name.to_string(),
            created_at: Timestamp::now(),
            last_used_at: None,
            revoked_at: None,
        };
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(token.id.0)
                .bind(user.0)
                .bind(&token.name)
                .bind(sha256_hex(&secret))
                .bind(token.created_at.0)
                .execute(&mut *tx)
                .await?;
            Ok::<_, DbError>(())
        })?;
        Ok((token, secret))
    }

    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at \
                 FROM api_tokens t JOIN staff_users u ON u.id = t.user_id ORDER BY t.created_at",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ApiToken {
                        id: TokenId(r.try_get("id")?),
                        user_id: UserId(r.try_get("user_id")?),
                        user_email: r.try_get("email")?,
                        name: r.try_get("name")?,
                        created_at: Timestamp(r.try_get("created_at")?),
                        last_used_at: r.try_get::<Option<i64>, _>("last_used_at")?.map(Timestamp),
                        revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(Timestamp),
                    })
                })
                .collect()
        })
    }

    /// Revokes a token at once. Revoking twice is not an error.
    pub async fn revoke_api_token(&self, id: TokenId) -> Result<()> {
        let n = on_write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
            )
            .bind(Timestamp::now().0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok::<_, DbError>(n)
        })?;
        self.inner.bearer_cache.clear();
        if n == 0 {
            Err(DbError::not_found("token"))
        } else {
            Ok(())
        }
    }

    /// The active staff user a bearer secret belongs to, with their memberships, if the token
    /// is live. Verified tokens are remembered briefly (see [`crate::bearer_cache`]).
    pub async fn authenticate_api_token(&self, secret: &str) -> Result<Option<StaffProfile>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = sha256_hex(secret);
        if let Some(profile) = self.inner.bearer_cache.get(&hash) {
            return Ok(Some(profile));
        }
        let Some(user) = self.verify_api_token(&hash).await? else {
            return Ok(None);
        };
        let profile = self.staff_profile(user).await?;
        self.inner.bearer_cache.put(hash, profile.clone());
        Ok(Some(profile))
    }

    /// The database check behind [`Db::authenticate_api_token`]; records the token's use.
    async fn verify_api_token(&self, hash: &str) -> Result<Option<UserId>> {
        let row = on_read!(self, |c| {
            let r = sqlx::query(
                "SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN staff_users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = $2",
            )
            .bind(hash)
            .bind(true)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| {
                Ok::<_, DbError>((
                    TokenId(r.try_get("id")?),
                    UserId(r.try_get("user_id")?),
                    r.try_get::<Option<i64>, _>("last_used_at")?,
                ))
            })
            .transpose()
        })?;
        let Some((id, user, last_used)) = row else {
            return Ok(None);
        };
        // Record use at most every five minutes: a gateway posting every second must not
        // turn each request into a write.
        let now = Timestamp::now();
        if last_used.is_none_or(|t| now.0 - t > 300_000_000) {
            on_write!(self, |tx| {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now.0)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                Ok::<_, DbError>(())
            })?;
        }
        Ok(Some(user))
    }
}
