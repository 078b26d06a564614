//! Citizens: registration, reading, search, the overview page's data, and the citizen's own
//! access log. Every function here goes through `authorize` and leaves an audit record.

use crate::access::{AccessCtx, guard};
use crate::care::{CareTeamView, EnrolmentView};
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result, is_unique_violation};
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Row};
use telesund_core::access::{ActingRole, Action, DataCategory, Resource, authorize};
use telesund_core::audit::{AuditAction, AuditFilter, AuditRecord};
use telesund_core::care::Consent;
use telesund_core::identity::{Address, Citizen, CitizenInput, Language, NextOfKin};
use telesund_core::ids::{CitizenId, NextOfKinId, OrgId};
use telesund_core::text::{fold, phone_digits};
use telesund_core::{Cpr, ErrorCode, Timestamp};

/// One search hit: identity only.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CitizenSummary {
    pub id: CitizenId,
    pub cpr: Cpr,
    pub name: String,
    pub municipality: Option<String>,
}

/// What the citizen overview shows. Parts the caller may not see are `None`.
#[derive(Clone, Debug, Serialize)]
pub struct CitizenOverview {
    pub citizen: Citizen,
    pub municipality_name: Option<String>,
    /// Address, phones, e-mail and next of kin are shown (else blanked in `citizen`).
    pub contact_visible: bool,
    pub enrolments: Option<Vec<EnrolmentView>>,
    pub care_teams: Option<Vec<CareTeamView>>,
    pub consents: Option<Vec<Consent>>,
    /// The membership the access was granted through.
    pub acting_as: Option<ActingRole>,
}

/// One line of a citizen's own access log.
/// A citizen record opened for reading: the identity read allowed, contact already blanked
/// where refused.
struct OpenCitizen {
    citizen: Citizen,
    municipality: Option<String>,
    facts: telesund_core::access::CitizenFacts,
    decision: telesund_core::Decision,
    contact: telesund_core::Decision,
}

#[derive(Clone, Debug, Serialize)]
pub struct AccessLogEntry {
    pub at: Timestamp,
    pub who: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub category: Option<String>,
    pub purpose: String,
    pub allowed: bool,
}

/// What citizen login needs; never leaves the server.
#[derive(Clone, Debug)]
pub struct CitizenLoginState {
    pub citizen_id: CitizenId,
    pub name: String,
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    pub language: Language,
}

macro_rules! select_citizen {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.cpr, c.given_name, c.family_name, c.address_line, c.postal_code, c.city, c.municipality_id, \
             c.email, c.language, c.needs_assisted_support, c.created_at, c.updated_at, o.name AS municipality_name \
             FROM citizens c LEFT JOIN organisations o ON o.id = c.municipality_id",
            $tail
        )
    };
}

impl Db {
    pub(crate) async fn citizen_exists(&self, id: CitizenId) -> Result<()> {
        let found: Option<uuid::Uuid> = on_read!(self, |c| sqlx::query_scalar(
            "SELECT id FROM citizens WHERE id = $1"
        )
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await)?;
        found
            .map(|_| ())
            .ok_or_else(|| DbError::not_found("citizen"))
    }

    /// Loads a citizen without any access check; every public function checks first.
    async fn load_citizen(&self, id: CitizenId) -> Result<(Citizen, Option<String>)> {
        on_read!(self, |c| {
            let r = sqlx::query(select_citizen!(" WHERE c.id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("citizen"))?;
            let phones: Vec<String> = sqlx::query_scalar(
                "SELECT phone FROM citizen_phones WHERE citizen_id = $1 ORDER BY position",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            let kin = sqlx::query("SELECT id, name, relation, phone FROM next_of_kin WHERE citizen_id = $1 ORDER BY position")
                .bind(id.0)
                .fetch_all(&mut *c)
                .await?;
            let cpr: String = r.try_get("cpr")?;
            let language: String = r.try_get("language")?;
            let citizen = Citizen {
                id,
                cpr: Cpr::parse(&cpr).map_err(telesund_core::DomainError::from)?,
                given_name: r.try_get("given_name")?,
                family_name: r.try_get("family_name")?,
                address: Address {
                    line: r.try_get("address_line")?,
                    postal_code: r.try_get("postal_code")?,
                    city: r.try_get("city")?,
                },
                municipality_id: r
                    .try_get::<Option<uuid::Uuid>, _>("municipality_id")?
                    .map(OrgId),
                phones,
                email: r.try_get("email")?,
                language: Language::parse(&language)?,
                needs_assisted_support: r.try_get("needs_assisted_support")?,
                next_of_kin: kin
                    .iter()
                    .map(|k| {
                        Ok(NextOfKin {
                            id: NextOfKinId(k.try_get("id")?),
                            name: k.try_get("name")?,
                            relation: k.try_get("relation")?,
                            phone: k.try_get("phone")?,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
                created_at: Timestamp(r.try_get("created_at")?),
                updated_at: Timestamp(r.try_get("updated_at")?),
            };
            Ok((citizen, r.try_get("municipality_name")?))
        })
    }

    /// Reads a citizen: identity always, contact details only where the caller may see them.
    pub async fn citizen(&self, ctx: &AccessCtx, id: CitizenId) -> Result<Citizen> {
        Ok(self.citizen_with_municipality(ctx, id).await?.0)
    }

    /// [`Db::citizen`] with the name of the municipality of residence (one query, not two).
    pub async fn citizen_with_municipality(
        &self,
        ctx: &AccessCtx,
        id: CitizenId,
    ) -> Result<(Citizen, Option<String>)> {
        let open = self.open_citizen(ctx, id).await?;
        let category = if open.contact.allowed {
            DataCategory::Contact
        } else {
            DataCategory::Identity
        };
        self.audit(vec![ctx.record(
            &open.decision,
            AuditAction::Read,
            "citizen",
            Some(id),
            Some(category),
        )])
        .await?;
        Ok((open.citizen, open.municipality))
    }

    /// The start of every read of a citizen's record: load it, decide the identity read (a
    /// refusal is audited by `guard`), and decide the contact details, blanked when refused.
    async fn open_citizen(&self, ctx: &AccessCtx, id: CitizenId) -> Result<OpenCitizen> {
        let (mut citizen, municipality) = self.load_citizen(id).await?;
        let facts = self.citizen_facts(id).await?;
        let decision = guard(
            self,
            ctx,
            Action::Read(DataCategory::Identity),
            Resource::Citizen(&facts),
            AuditAction::Read,
            "citizen",
            Some(id),
        )
        .await?;
        let contact = authorize(
            &ctx.principal,
            Action::Read(DataCategory::Contact),
            Resource::Citizen(&facts),
        );
        if !contact.allowed {
            blank_contact(&mut citizen);
        }
        Ok(OpenCitizen {
            citizen,
            municipality,
            facts,
            decision,
            contact,
        })
    }

    /// The overview page: identity, contact, programmes, care teams, consents, each as allowed.
    pub async fn citizen_overview(
        &self,
        ctx: &AccessCtx,
        id: CitizenId,
    ) -> Result<CitizenOverview> {
        let OpenCitizen {
            citizen,
            municipality: municipality_name,
            facts,
            decision,
            contact,
        } = self.open_citizen(ctx, id).await?;
        let may = |c| authorize(&ctx.principal, Action::Read(c), Resource::Citizen(&facts));
        let mut records = vec![ctx.record(
            &decision,
            AuditAction::Read,
            "citizen",
            Some(id),
            Some(DataCategory::Identity),
        )];
        if contact.allowed {
            records.push(ctx.record(
                &contact,
                AuditAction::Read,
                "citizen",
                Some(id),
                Some(DataCategory::Contact),
            ));
        }
        let relations = may(DataCategory::CareRelationships);
        let (enrolments, care_teams) = if relations.allowed {
            records.push(ctx.record(
                &relations,
                AuditAction::Read,
                "care_relationships",
                Some(id),
                Some(DataCategory::CareRelationships),
            ));
            (
                Some(self.enrolment_views(id).await?),
                Some(self.care_team_views(id).await?),
            )
        } else {
            (None, None)
        };
        let consent = may(DataCategory::Consents);
        let consents = if consent.allowed {
            records.push(ctx.record(
                &consent,
                AuditAction::Read,
                "consent",
                Some(id),
                Some(DataCategory::Consents),
            ));
            Some(facts.consents.clone())
        } else {
            None
        };
        self.audit(records).await?;
        Ok(CitizenOverview {
            citizen,
            municipality_name,
            contact_visible: contact.allowed,
            enrolments,
            care_teams,
            consents,
            acting_as: decision.via,
        })
    }

    /// Registers a citizen. A CPR number already registered is a conflict, not a second record.
    pub async fn create_citizen(&self, ctx: &AccessCtx, input: CitizenInput) -> Result<Citizen> {
        let decision = guard(
            self,
            ctx,
            Action::RegisterCitizen,
            Resource::Platform,
            AuditAction::Create,
            "citizen",
            None,
        )
        .await?;
        let now = Timestamp::now();
        let citizen = input.into_citizen(CitizenId::new(), now, now)?;
        if let Some(m) = citizen.municipality_id {
            self.organisation(m).await?;
        }
        let records = [ctx.record(
            &decision,
            AuditAction::Create,
            "citizen",
            Some(citizen.id),
            Some(DataCategory::Contact),
        )];
        on_write!(self, |tx| {
            let inserted = sqlx::query(
                "INSERT INTO citizens (id, cpr, given_name, family_name, search_name, address_line, postal_code, city, municipality_id, \
                 email, language, needs_assisted_support, failed_logins, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(citizen.id.0)
            .bind(citizen.cpr.as_str())
            .bind(&citizen.given_name)
            .bind(&citizen.family_name)
            .bind(fold(&citizen.full_name()))
            .bind(&citizen.address.line)
            .bind(&citizen.address.postal_code)
            .bind(&citizen.address.city)
            .bind(citizen.municipality_id.map(|m| m.0))
            .bind(&citizen.email)
            .bind(citizen.language.as_str())
            .bind(citizen.needs_assisted_support)
            .bind(0i64)
            .bind(now.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(DbError::conflict(
                        ErrorCode::DuplicateCpr,
                        "a citizen with this CPR number is already registered",
                    ));
                }
                r => r?,
            };
            write_contact_lists!(tx, citizen);
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(citizen)
    }

    /// Replaces a citizen's identity and contact details. The CPR number cannot change.
    pub async fn update_citizen(
        &self,
        ctx: &AccessCtx,
        id: CitizenId,
        input: CitizenInput,
    ) -> Result<Citizen> {
        let (old, _) = self.load_citizen(id).await?;
        let facts = self.citizen_facts(id).await?;
        let decision = guard(
            self,
            ctx,
            Action::Write(DataCategory::Contact),
            Resource::Citizen(&facts),
            AuditAction::Update,
            "citizen",
            Some(id),
        )
        .await?;
        let now = Timestamp::now();
        let citizen = input.into_citizen(id, now, old.created_at)?;
        if citizen.cpr != old.cpr {
            return Err(telesund_core::DomainError::invalid(
                "the CPR number of a registered citizen cannot be changed",
            )
            .into());
        }
        if let Some(m) = citizen.municipality_id {
            self.organisation(m).await?;
        }
        let records = [ctx.record(
            &decision,
            AuditAction::Update,
            "citizen",
            Some(id),
            Some(DataCategory::Contact),
        )];
        on_write!(self, |tx| {
            sqlx::query(
                "UPDATE citizens SET given_name = $1, family_name = $2, search_name = $3, address_line = $4, postal_code = $5, city = $6, \
                 municipality_id = $7, email = $8, language = $9, needs_assisted_support = $10, updated_at = $11 WHERE id = $12",
            )
            .bind(&citizen.given_name)
            .bind(&citizen.family_name)
            .bind(fold(&citizen.full_name()))
            .bind(&citizen.address.line)
            .bind(&citizen.address.postal_code)
            .bind(&citizen.address.city)
            .bind(citizen.municipality_id.map(|m| m.0))
            .bind(&citizen.email)
            .bind(citizen.language.as_str())
            .bind(citizen.needs_assisted_support)
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM citizen_phones WHERE citizen_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM next_of_kin WHERE citizen_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            write_contact_lists!(tx, citizen);
            crate::audit::insert_records!(tx, records)
        })?;
        Ok(citizen)
    }

    /// Finds citizens by CPR number (whole, or the birth-date part), phone number, or name
    /// (every word must begin a name part; æ/ø/å folded). Each hit is audited.
    pub async fn search_citizens(
        &self,
        ctx: &AccessCtx,
        query: &str,
        limit: u32,
    ) -> Result<Vec<CitizenSummary>> {
        let decision = guard(
            self,
            ctx,
            Action::SearchCitizens,
            Resource::Platform,
            AuditAction::Search,
            "citizen",
            None,
        )
        .await?;
        let q = query.trim();
        let compact: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let limit = limit.clamp(1, 50) as i64;
        let all_digits = !compact.is_empty()
            && compact
                .trim_start_matches('+')
                .bytes()
                .all(|b| b.is_ascii_digit());
        let (sql, params): (String, Vec<String>) = if all_digits
            && compact.len() == 10
            && !compact.starts_with('+')
        {
            (
                select_citizen!(" WHERE c.cpr = $1 ORDER BY c.family_name, c.given_name LIMIT $2")
                    .into(),
                vec![compact],
            )
        } else if all_digits && compact.len() == 6 {
            (
                select_citizen!(
                    " WHERE c.cpr LIKE $1 ORDER BY c.family_name, c.given_name LIMIT $2"
                )
                .into(),
                vec![format!("{compact}%")],
            )
        } else if all_digits && compact.len() >= 8 {
            (
                select_citizen!(" WHERE c.id IN (SELECT citizen_id FROM citizen_phones WHERE digits = $1) ORDER BY c.family_name, c.given_name LIMIT $2").into(),
                vec![phone_digits(q)],
            )
        } else {
            let words: Vec<String> = fold(q)
                .split(' ')
                .filter(|w| !w.is_empty())
                .take(5)
                .map(|w| format!("% {w}%"))
                .collect();
            if words.is_empty() {
                return Ok(Vec::new());
            }
            let mut sql = String::from(select_citizen!(" WHERE 1 = 1"));
            for i in 0..words.len() {
                sql += &format!(" AND (' ' || c.search_name) LIKE ${}", i + 1);
            }
            sql += &format!(
                " ORDER BY c.family_name, c.given_name LIMIT ${}",
                words.len() + 1
            );
            (sql, words)
        };
        let hits = on_read!(self, |c| {
            let mut qry = sqlx::query(AssertSqlSafe(sql));
            for p in &params {
                qry = qry.bind(p);
            }
            let rows = qry.bind(limit).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    let cpr: String = r.try_get("cpr")?;
                    let given: String = r.try_get("given_name")?;
                    let family: String = r.try_get("family_name")?;
                    Ok(CitizenSummary {
                        id: CitizenId(r.try_get("id")?),
                        cpr: Cpr::parse(&cpr).map_err(telesund_core::DomainError::from)?,
                        name: format!("{given} {family}"),
                        municipality: r.try_get("municipality_name")?,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let records: Vec<AuditRecord> = hits
            .iter()
            .map(|h| {
                ctx.record(
                    &decision,
                    AuditAction::Search,
                    "citizen",
                    Some(h.id),
                    Some(DataCategory::Identity),
                )
            })
            .collect();
        self.audit(records).await?;
        Ok(hits)
    }

    /// Who has looked at a citizen's data: for the citizen themselves.
    pub async fn citizen_access_log(
        &self,
        ctx: &AccessCtx,
        id: CitizenId,
        limit: u32,
    ) -> Result<Vec<AccessLogEntry>> {
        self.citizen_exists(id).await?;
        let facts = self.citizen_facts(id).await?;
        let decision = guard(
            self,
            ctx,
            Action::Read(DataCategory::AccessLog),
            Resource::Citizen(&facts),
            AuditAction::Read,
            "access_log",
            Some(id),
        )
        .await?;
        let records = self
            .audit_log(&AuditFilter {
                citizen_id: Some(id),
                limit: limit.max(1),
                ..Default::default()
            })
            .await?;
        self.audit(vec![ctx.record(
            &decision,
            AuditAction::Read,
            "access_log",
            Some(id),
            Some(DataCategory::AccessLog),
        )])
        .await?;
        Ok(records
            .into_iter()
            .filter(|r| r.actor_citizen_id != Some(id))
            .map(|r| AccessLogEntry {
                at: r.at,
                who: r.actor_name,
                organisation: r.actor_org_name,
                role: r.actor_role.map(|x| x.as_str().to_string()),
                action: r.action.as_str().to_string(),
                category: r.category.map(|c| c.as_str().to_string()),
                purpose: r.purpose,
                allowed: r.outcome_allowed,
            })
            .collect())
    }

    /// Finds a citizen for login by CPR number or e-mail.
    pub async fn citizen_login_state(&self, login: &str) -> Result<Option<CitizenLoginState>> {
        let login = login.trim();
        let cpr = Cpr::parse(login).ok();
        let row = on_read!(self, |c| {
            let r = match &cpr {
                Some(cpr) => sqlx::query("SELECT id, given_name, family_name, password_hash, failed_logins, locked_until, language FROM citizens WHERE cpr = $1")
                    .bind(cpr.as_str())
                    .fetch_optional(&mut *c)
                    .await?,
                None => sqlx::query("SELECT id, given_name, family_name, password_hash, failed_logins, locked_until, language FROM citizens WHERE email = $1")
                    .bind(login.to_lowercase())
                    .fetch_optional(&mut *c)
                    .await?,
            };
            r.map(|r| {
                let given: String = r.try_get("given_name")?;
                let family: String = r.try_get("family_name")?;
                let lang: String = r.try_get("language")?;
                Ok::<_, DbError>(CitizenLoginState {
                    citizen_id: CitizenId(r.try_get("id")?),
                    name: format!("{given} {family}"),
                    password_hash: r.try_get("password_hash")?,
                    failed_logins: r.try_get("failed_logins")?,
                    locked_until: r.try_get::<Option<i64>, _>("locked_until")?.map(Timestamp),
                    language: Language::parse(&lang).unwrap_or(Language::Danish),
                })
            })
            .transpose()
        })?;
        Ok(row)
    }

    pub async fn citizen_id_by_cpr(&self, cpr: &Cpr) -> Result<Option<CitizenId>> {
        let id: Option<uuid::Uuid> = on_read!(self, |c| sqlx::query_scalar(
            "SELECT id FROM citizens WHERE cpr = $1"
        )
        .bind(cpr.as_str())
        .fetch_optional(&mut *c)
        .await)?;
        Ok(id.map(CitizenId))
    }

    pub async fn citizen_name(&self, id: CitizenId) -> Result<String> {
        on_read!(self, |c| {
            let r = sqlx::query("SELECT given_name, family_name FROM citizens WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("citizen"))?;
            let g: String = r.try_get("given_name")?;
            let f: String = r.try_get("family_name")?;
            Ok(format!("{g} {f}"))
        })
    }

    pub async fn record_citizen_login(&self, id: CitizenId, success: bool) -> Result<bool> {
        let lock_until = Timestamp::now()
            .plus(time::Duration::minutes(crate::staff::LOCK_MINUTES))
            .0;
        on_write!(self, |tx| {
            if success {
                sqlx::query(
                    "UPDATE citizens SET failed_logins = 0, locked_until = NULL WHERE id = $1",
                )
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                return Ok(false);
            }
            let failed: i64 = sqlx::query_scalar("UPDATE citizens SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
            if failed >= crate::staff::MAX_FAILED_LOGINS {
                sqlx::query(
                    "UPDATE citizens SET locked_until = $1, failed_logins = 0 WHERE id = $2",
                )
                .bind(lock_until)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                return Ok(true);
            }
            Ok(false)
        })
    }

    /// Sets a citizen's portal password (operator tool and demo data).
    pub async fn set_citizen_password(&self, id: CitizenId, password: &str) -> Result<()> {
        crate::secrets::validate_password(password)?;
        let p = password.to_string();
        let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&p))
            .await
            .map_err(|e| DbError::Internal(e.to_string()))?;
        on_write!(self, |tx| {
            sqlx::query("UPDATE citizens SET password_hash = $1 WHERE id = $2")
                .bind(&hash)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }
}

/// Writes the phone and next-of-kin lists of a citizen inside an open transaction.
macro_rules! write_contact_lists {
    ($tx:expr, $citizen:expr) => {
        for (i, phone) in $citizen.phones.iter().enumerate() {
            sqlx::query("INSERT INTO citizen_phones (citizen_id, position, phone, digits) VALUES ($1, $2, $3, $4)")
                .bind($citizen.id.0)
                .bind(i as i64)
                .bind(phone)
                .bind(phone_digits(phone))
                .execute(&mut *$tx)
                .await?;
        }
        for (i, k) in $citizen.next_of_kin.iter().enumerate() {
            sqlx::query("INSERT INTO next_of_kin (id, citizen_id, position, name, relation, phone, phone_digits) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(k.id.0)
                .bind($citizen.id.0)
                .bind(i as i64)
                .bind(&k.name)
                .bind(&k.relation)
                .bind(&k.phone)
                .bind(k.phone.as_deref().map(phone_digits))
                .execute(&mut *$tx)
                .await?;
        }
    };
}
use write_contact_lists;

fn blank_contact(c: &mut Citizen) {
    c.address = Address::default();
    c.phones.clear();
    c.email = None;
    c.next_of_kin.clear();
}
