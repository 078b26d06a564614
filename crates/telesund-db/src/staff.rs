//! Staff users, their memberships (organisation, role, period), and what login needs.

use crate::access::{AccessCtx, guard};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result, is_unique_violation};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use telesund_core::access::{ActingRole, Action, Principal, Resource};
use telesund_core::audit::AuditAction;
use telesund_core::identity::{Language, Membership, OrgKind, Role, StaffUser, validate_email};
use telesund_core::ids::{MembershipId, OrgId, UserId};
use telesund_core::{ErrorCode, Timestamp};

/// A membership with the organisation's name, for display.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MembershipView {
    pub membership: Membership,
    pub org_name: String,
    pub org_kind: OrgKind,
}

/// A staff user with all memberships.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StaffProfile {
    pub user: StaffUser,
    pub language: Language,
    pub memberships: Vec<MembershipView>,
}

impl StaffProfile {
    /// The principal with the memberships in force now.
    pub fn principal(&self) -> Principal {
        let now = Timestamp::now();
        Principal::Staff {
            user_id: self.user.id,
            name: self.user.name.clone(),
            memberships: self
                .memberships
                .iter()
                .filter(|m| m.membership.active_at(now))
                .map(|m| ActingRole {
                    org_id: m.membership.org_id,
                    org_kind: m.org_kind,
                    role: m.membership.role,
                })
                .collect(),
        }
    }
}

/// What the login check needs; never leaves the server.
#[derive(Clone, Debug)]
pub struct LoginState {
    pub user_id: UserId,
    pub password_hash: Option<String>,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaffUser {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub memberships: Vec<NewMembership>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMembership {
    pub org_id: OrgId,
    pub role: Role,
}

/// Failed logins before an account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

macro_rules! user_from_row {
    ($r:expr) => {
        StaffUser {
            id: UserId($r.try_get("id")?),
            email: $r.try_get("email")?,
            name: $r.try_get("name")?,
            active: $r.try_get("active")?,
            totp_enabled: $r.try_get("totp_enabled")?,
            created_at: Timestamp($r.try_get("created_at")?),
        }
    };
}

impl Db {
    async fn authorize_staff_admin(
        &self,
        ctx: &AccessCtx,
        org: OrgId,
        action: AuditAction,
    ) -> Result<telesund_core::Decision> {
        let ancestors = self.organisation_ancestors(org).await?;
        guard(
            self,
            ctx,
            Action::ManageStaff { org_id: org },
            Resource::Organisation {
                id: org,
                ancestors: &ancestors,
            },
            action,
            "user",
            None,
        )
        .await
    }

    /// Creates a staff user with memberships. The caller must administer every organisation named.
    pub async fn create_staff_user(
        &self,
        ctx: &AccessCtx,
        new: NewStaffUser,
    ) -> Result<StaffProfile> {
        let email = validate_email(&new.email)?;
        if new.name.trim().is_empty() {
            return Err(telesund_core::DomainError::invalid("a user needs a name").into());
        }
        if new.memberships.is_empty() && !matches!(ctx.principal, Principal::System) {
            return Err(telesund_core::DomainError::invalid(
                "a user needs at least one membership",
            )
            .into());
        }
        let mut records = Vec::new();
        for m in &new.memberships {
            self.organisation(m.org_id).await?;
            let decision = self
                .authorize_staff_admin(ctx, m.org_id, AuditAction::Create)
                .await?;
            records.push(ctx.record(&decision, AuditAction::Create, "user", None, None));
        }
        if let Some(p) = &new.password {
            crate::secrets::validate_password(p)?;
        }
        let hash = match new.password {
            Some(p) => Some(
                tokio::task::spawn_blocking(move || crate::secrets::hash_password(&p))
                    .await
                    .map_err(|e| DbError::Internal(e.to_string()))?,
            ),
            None => None,
        };
        let id = UserId::new();
        let now = Timestamp::now();
        for r in &mut records {
            r.entity_id = Some(id.to_string());
        }
        if records.is_empty() {
            records.push(ctx.record(
                &telesund_core::access::authorize(
                    &ctx.principal,
                    Action::ManageApiTokens,
                    Resource::Platform,
                ),
                AuditAction::Create,
                "user",
                None,
                None,
            ));
            records[0].entity_id = Some(id.to_string());
        }
        let name = new.name.trim().to_string();
        on_write!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO staff_users (id, email, name, password_hash, active, totp_enabled, failed_logins, language, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.0)
            .bind(&email)
            .bind(&name)
            .bind(&hash)
            .bind(true)
            .bind(false)
            .bind(0i64)
            .bind("da")
            .bind(now.0)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(DbError::conflict(
                        ErrorCode::Conflict,
                        format!("a user with e-mail {email} exists"),
                    ));
                }
                r => r?,
            };
            for m in &new.memberships {
                sqlx::query("INSERT INTO memberships (id, user_id, org_id, role, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5, NULL)")
                    .bind(MembershipId::new().0)
                    .bind(id.0)
                    .bind(m.org_id.0)
                    .bind(m.role.as_str())
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.staff_profile(id).await
    }

    /// Adds a role in an organisation to an existing user.
    pub async fn add_membership(
        &self,
        ctx: &AccessCtx,
        user: UserId,
        m: NewMembership,
    ) -> Result<MembershipId> {
        self.organisation(m.org_id).await?;
        self.staff_profile(user).await?;
        let decision = self
            .authorize_staff_admin(ctx, m.org_id, AuditAction::Update)
            .await?;
        let mut record = ctx.record(&decision, AuditAction::Update, "membership", None, None);
        record.entity_id = Some(user.to_string());
        let records = [record];
        let id = MembershipId::new();
        on_write!(self, |tx| {
            sqlx::query("INSERT INTO memberships (id, user_id, org_id, role, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5, NULL)")
                .bind(id.0)
                .bind(user.0)
                .bind(m.org_id.0)
                .bind(m.role.as_str())
                .bind(Timestamp::now().0)
                .execute(&mut *tx)
                .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        self.inner.bearer_cache.clear();
        Ok(id)
    }

    /// Ends a membership now (it stays in the history).
    pub async fn end_membership(&self, ctx: &AccessCtx, id: MembershipId) -> Result<()> {
        let org: Option<uuid::Uuid> = on_read!(self, |c| sqlx::query_scalar(
            "SELECT org_id FROM memberships WHERE id = $1"
        )
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await)?;
        let org = OrgId(org.ok_or_else(|| DbError::not_found("membership"))?);
        let decision = self
            .authorize_staff_admin(ctx, org, AuditAction::Update)
            .await?;
        let mut record = ctx.record(&decision, AuditAction::Update, "membership", None, None);
        record.entity_id = Some(id.to_string());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query("UPDATE memberships SET valid_to = $1 WHERE id = $2 AND valid_to IS NULL")
                .bind(Timestamp::now().0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            crate::audit::insert_records!(tx, records)
        })?;
        self.inner.bearer_cache.clear();
        Ok(())
    }

    /// Activates or deactivates a user. The caller must administer one of the user's
    /// organisations (a system administrator administers all).
    pub async fn set_staff_active(
        &self,
        ctx: &AccessCtx,
        user: UserId,
        active: bool,
    ) -> Result<()> {
        let profile = self.staff_profile(user).await?;
        let mut granted = None;
        for m in &profile.memberships {
            let org = m.membership.org_id;
            let ancestors = self.organisation_ancestors(org).await?;
            let d = telesund_core::authorize(
                &ctx.principal,
                Action::ManageStaff { org_id: org },
                Resource::Organisation {
                    id: org,
                    ancestors: &ancestors,
                },
            );
            if d.allowed {
                granted = Some(d);
                break;
            }
        }
        let decision = match granted {
            Some(d) => d,
            // Refused (or a user without memberships): decided and audited as platform administration.
            None => {
                guard(
                    self,
                    ctx,
                    Action::ManageOrganisations,
                    Resource::Platform,
                    AuditAction::Update,
                    "user",
                    None,
                )
                .await?
            }
        };
        let mut record = ctx.record(&decision, AuditAction::Update, "user", None, None);
        record.entity_id = Some(user.to_string());
        let records = [record];
        on_write!(self, |tx| {
            sqlx::query("UPDATE staff_users SET active = $1 WHERE id = $2")
                .bind(active)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            if !active {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
            }
            crate::audit::insert_records!(tx, records)
        })?;
        self.inner.bearer_cache.clear();
        Ok(())
    }

    pub async fn staff_profile(&self, id: UserId) -> Result<StaffProfile> {
        on_read!(self, |c| {
            let row = sqlx::query("SELECT id, email, name, active, totp_enabled, created_at, language FROM staff_users WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("user"))?;
            let language: String = row.try_get("language")?;
            let user = user_from_row!(row);
            let rows = sqlx::query(
                "SELECT m.id, m.org_id, m.role, m.valid_from, m.valid_to, o.name, o.kind FROM memberships m \
                 JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name, m.role",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let mut memberships = Vec::new();
            for r in &rows {
                let role: String = r.try_get("role")?;
                let kind: String = r.try_get("kind")?;
                memberships.push(MembershipView {
                    membership: Membership {
                        id: MembershipId(r.try_get("id")?),
                        user_id: id,
                        org_id: OrgId(r.try_get("org_id")?),
                        role: Role::parse(&role)?,
                        valid_from: Timestamp(r.try_get("valid_from")?),
                        valid_to: r.try_get::<Option<i64>, _>("valid_to")?.map(Timestamp),
                    },
                    org_name: r.try_get("name")?,
                    org_kind: OrgKind::parse(&kind)?,
                });
            }
            Ok(StaffProfile {
                user,
                language: Language::parse(&language).unwrap_or(Language::Danish),
                memberships,
            })
        })
    }

    pub async fn staff_id_by_email(&self, email: &str) -> Result<Option<UserId>> {
        let email = email.trim().to_lowercase();
        let id: Option<uuid::Uuid> = on_read!(self, |c| sqlx::query_scalar(
            "SELECT id FROM staff_users WHERE email = $1"
        )
        .bind(&email)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(id.map(UserId))
    }

    pub async fn staff_id_by_oidc_subject(&self, subject: &str) -> Result<Option<UserId>> {
        let id: Option<uuid::Uuid> = on_read!(self, |c| sqlx::query_scalar(
            "SELECT id FROM staff_users WHERE oidc_subject = $1"
        )
        .bind(subject)
        .fetch_optional(&mut *c)
        .await)?;
        Ok(id.map(UserId))
    }

    /// Links an identity-provider subject to the staff user with this e-mail, the first time.
    pub async fn link_staff_oidc_subject(&self, user: UserId, subject: &str) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query(
                "UPDATE staff_users SET oidc_subject = $1 WHERE id = $2 AND oidc_subject IS NULL",
            )
            .bind(subject)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Users an administrator may manage: all for a system administrator, else those with a
    /// membership in the given organisation, which the caller must administer.
    pub async fn list_staff(&self, ctx: &AccessCtx, org: Option<OrgId>) -> Result<Vec<StaffUser>> {
        match org {
            Some(o) => {
                self.authorize_staff_admin(ctx, o, AuditAction::Read)
                    .await?;
            }
            None => {
                guard(
                    self,
                    ctx,
                    Action::ManageOrganisations,
                    Resource::Platform,
                    AuditAction::Read,
                    "user",
                    None,
                )
                .await?;
            }
        }
        self.staff_users(org).await
    }

    /// Users with a membership in the organisation (or all users when none is given).
    pub async fn staff_users(&self, org: Option<OrgId>) -> Result<Vec<StaffUser>> {
        on_read!(self, |c| {
            let rows = match org {
                Some(o) => sqlx::query(
                    "SELECT DISTINCT u.id, u.email, u.name, u.active, u.totp_enabled, u.created_at FROM staff_users u \
                     JOIN memberships m ON m.user_id = u.id WHERE m.org_id = $1 ORDER BY u.name",
                )
                .bind(o.0)
                .fetch_all(&mut *c)
                .await?,
                None => sqlx::query("SELECT id, email, name, active, totp_enabled, created_at FROM staff_users ORDER BY name")
                    .fetch_all(&mut *c)
                    .await?,
            };
            rows.iter().map(|r| Ok(user_from_row!(r))).collect()
        })
    }

    pub async fn staff_login_state(&self, user: UserId) -> Result<LoginState> {
        on_read!(self, |c| {
            let r = sqlx::query(
                "SELECT id, password_hash, active, failed_logins, locked_until, totp_secret, totp_enabled, totp_last_step \
                 FROM staff_users WHERE id = $1",
            )
            .bind(user.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("user"))?;
            Ok(LoginState {
                user_id: user,
                password_hash: r.try_get("password_hash")?,
                active: r.try_get("active")?,
                failed_logins: r.try_get("failed_logins")?,
                locked_until: r.try_get::<Option<i64>, _>("locked_until")?.map(Timestamp),
                totp_secret: r.try_get("totp_secret")?,
                totp_enabled: r.try_get("totp_enabled")?,
                totp_last_step: r.try_get("totp_last_step")?,
            })
        })
    }

    /// Counts a failed login; locks the account after [`MAX_FAILED_LOGINS`]. Returns whether it is now locked.
    pub async fn record_staff_login_failure(&self, user: UserId) -> Result<bool> {
        let lock_until = Timestamp::now()
            .plus(time::Duration::minutes(LOCK_MINUTES))
            .0;
        on_write!(self, |tx| {
            let failed: i64 = sqlx::query_scalar("UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?;
            if failed >= MAX_FAILED_LOGINS {
                sqlx::query(
                    "UPDATE staff_users SET locked_until = $1, failed_logins = 0 WHERE id = $2",
                )
                .bind(lock_until)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
                return Ok(true);
            }
            Ok(false)
        })
    }

    pub async fn record_staff_login_success(&self, user: UserId) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query(
                "UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            )
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Stores a TOTP secret (not yet enabled until a code has been confirmed).
    pub async fn set_totp(&self, user: UserId, secret: Option<&str>, enabled: bool) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("UPDATE staff_users SET totp_secret = $1, totp_enabled = $2, totp_last_step = NULL WHERE id = $3")
                .bind(secret)
                .bind(enabled)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    /// Remembers the last accepted TOTP time step, so a code cannot be used twice.
    /// Returns false when the step was already used.
    pub async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool> {
        on_write!(self, |tx| {
            let n = sqlx::query("UPDATE staff_users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
                .bind(step)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            Ok(n == 1)
        })
    }

    pub async fn set_staff_language(&self, user: UserId, lang: Language) -> Result<()> {
        on_write!(self, |tx| {
            sqlx::query("UPDATE staff_users SET language = $1 WHERE id = $2")
                .bind(lang.as_str())
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })?;
        self.inner.bearer_cache.clear();
        Ok(())
    }

    /// Sets a new password (operator tool or the user themselves).
    pub async fn set_staff_password(&self, user: UserId, password: &str) -> Result<()> {
        crate::secrets::validate_password(password)?;
        let p = password.to_string();
        let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&p))
            .await
            .map_err(|e| DbError::Internal(e.to_string()))?;
        on_write!(self, |tx| {
            sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
                .bind(&hash)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }
}
