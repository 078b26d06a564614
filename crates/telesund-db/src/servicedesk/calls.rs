//! Incoming calls and the caller screen. The telephony integration reports a call; the desk
//! matches the number with citizens, next of kin and staff; agents see the call ring (the
//! kind of match only — a citizen's name is shown, and audited, once an agent answers); the
//! caller screen then shows the citizen's support side in one read.

use super::cases::Case;
use crate::access::AccessCtx;
use crate::citizens::CitizenOverview;
use crate::db::{Db, on_read, on_write};
use crate::equipment::stock::CitizenEquipment;
use crate::equipment::units::support_reads;
use crate::error::{DbError, Result};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;
use telesund_core::audit::AuditAction;
use telesund_core::ids::*;
use telesund_core::servicedesk::caller::{CallerMatch, caller_digits};
use telesund_core::{ErrorCode, Timestamp};

/// How long an unanswered call stays on the agents' screens.
const RINGING_MICROS: i64 = 15 * 60 * 1_000_000;

/// A call as the desk sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IncomingCall {
    pub id: CallId,
    /// The number as the exchange sent it.
    pub caller: String,
    pub received_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub answered_by_name: Option<String>,
    pub case_id: Option<CaseId>,
    /// Who the number belongs to. Before an answer: the kinds only (names of staff; a
    /// citizen's name is withheld until an agent takes the call).
    pub matches: Vec<CallerMatch>,
}

/// What a ringing call shows before anyone answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RingingCall {
    pub id: CallId,
    pub caller: String,
    pub received_at: Timestamp,
    pub citizens: usize,
    pub next_of_kin: usize,
    /// Staff are not citizens: their names may ring.
    pub staff: Vec<String>,
}

/// One unit in the home, with when it last sent data.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnitLine {
    pub unit: crate::equipment::units::UnitSummary,
    /// The programmes (names) the unit serves.
    pub programmes: Vec<String>,
    pub last_data_at: Option<Timestamp>,
}

/// Everything the agent needs in seconds: who, on whose behalf, the equipment and when each
/// unit last sent data, the programmes (names and owners only), open orders and visits,
/// earlier cases.
#[derive(Clone, Debug, Serialize)]
pub struct CallerScreen {
    pub overview: CitizenOverview,
    pub units: Vec<UnitLine>,
    pub orders: Vec<crate::equipment::orders::Order>,
    pub visits: Vec<crate::equipment::visits::Visit>,
    pub cases: Vec<Case>,
    /// The call this screen was opened from, with who is on the line.
    pub call: Option<IncomingCall>,
}

impl Db {
    /// The telephony integration reports a call: stored, matched, and on the agents' screens
    /// at their next look. Returns the call with match kinds (no names leave to the exchange).
    pub async fn register_call(
        &self,
        ctx: &AccessCtx,
        caller: &str,
        external_id: Option<&str>,
    ) -> Result<RingingCall> {
        self.desk_guard(ctx, AuditAction::Create, "incoming_call")
            .await?;
        let digits = caller_digits(caller)?;
        if external_id.is_some_and(|e| e.len() > 200) {
            return Err(
                telesund_core::DomainError::invalid("a call id is at most 200 characters").into(),
            );
        }
        // The exchange retries a report it got no answer to: the same call id rings once.
        if let Some(ext) = external_id.filter(|e| !e.trim().is_empty()) {
            let known: Option<(uuid::Uuid, String, i64)> = on_read!(self, |c| {
                sqlx::query_as(
                    "SELECT id, caller, received_at FROM incoming_calls WHERE external_id = $1 AND received_at >= $2",
                )
                .bind(ext.trim())
                .bind(Timestamp::now().0 - RINGING_MICROS)
                .fetch_optional(&mut *c)
                .await
                .map_err(DbError::from)
            })?;
            if let Some((id, caller, at)) = known {
                let matches = match &digits {
                    Some(d) => self.match_number(d).await?,
                    None => Vec::new(),
                };
                return Ok(ringing(CallId(id), caller, Timestamp(at), &matches));
            }
        }
        let centre = self.default_centre().await?;
        let id = CallId::new();
        let now = Timestamp::now();
        let caller_text: String = caller.trim().chars().take(40).collect();
        let caller_text = if caller_text.is_empty() {
            "skjult nummer".to_string()
        } else {
            caller_text
        };
        on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO incoming_calls (id, centre_org_id, caller, digits, external_id, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(centre.0)
            .bind(&caller_text)
            .bind(digits.as_deref().unwrap_or(""))
            .bind(external_id.map(str::trim).filter(|e| !e.is_empty()))
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            Ok::<_, DbError>(())
        })?;
        let matches = match &digits {
            Some(d) => self.match_number(d).await?,
            None => Vec::new(),
        };
        Ok(ringing(id, caller_text, now, &matches))
    }

    /// Who a number belongs to: citizens, next of kin (on a citizen's behalf), active staff.
    pub(crate) async fn match_number(&self, digits: &str) -> Result<Vec<CallerMatch>> {
        on_read!(self, |c| {
            let mut out = Vec::new();
            let rows = sqlx::query(
                "SELECT c.id, c.given_name || ' ' || c.family_name AS name FROM citizen_phones p \
                 JOIN citizens c ON c.id = p.citizen_id WHERE p.digits = $1 ORDER BY c.family_name, c.given_name",
            )
            .bind(digits)
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                out.push(CallerMatch::Citizen {
                    citizen_id: CitizenId(r.try_get("id")?),
                    name: r.try_get("name")?,
                });
            }
            let rows = sqlx::query(
                "SELECT k.citizen_id, c.given_name || ' ' || c.family_name AS citizen_name, k.name, k.relation FROM next_of_kin k \
                 JOIN citizens c ON c.id = k.citizen_id WHERE k.phone_digits = $1 ORDER BY k.name",
            )
            .bind(digits)
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                out.push(CallerMatch::NextOfKin {
                    citizen_id: CitizenId(r.try_get("citizen_id")?),
                    citizen_name: r.try_get("citizen_name")?,
                    name: r.try_get("name")?,
                    relation: r.try_get("relation")?,
                });
            }
            let rows = sqlx::query(
                "SELECT u.id, u.name, o.name AS org_name FROM staff_users u \
                 LEFT JOIN memberships ms ON ms.user_id = u.id AND ms.valid_to IS NULL \
                 LEFT JOIN organisations o ON o.id = ms.org_id \
                 WHERE u.phone_digits = $1 AND u.active = $2 ORDER BY u.name, o.name",
            )
            .bind(digits)
            .bind(true)
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                let user = UserId(r.try_get("id")?);
                let org: Option<String> = r.try_get("org_name")?;
                match out
                    .iter_mut()
                    .find(|m| matches!(m, CallerMatch::Staff { user_id, .. } if *user_id == user))
                {
                    Some(CallerMatch::Staff { organisations, .. }) => {
                        organisations.extend(org);
                    }
                    _ => out.push(CallerMatch::Staff {
                        user_id: user,
                        name: r.try_get("name")?,
                        organisations: org.into_iter().collect(),
                    }),
                }
            }
            Ok::<_, DbError>(out)
        })
    }

    /// Calls ringing now (unanswered, from the last quarter of an hour), oldest first: what
    /// the agents' screens poll. Citizens' names are not part of it.
    pub async fn ringing_calls(&self, ctx: &AccessCtx) -> Result<Vec<RingingCall>> {
        self.desk_guard(ctx, AuditAction::Read, "incoming_call")
            .await?;
        let since = Timestamp::now().0 - RINGING_MICROS;
        let rows: Vec<(uuid::Uuid, String, String, i64)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT id, caller, digits, received_at FROM incoming_calls \
                 WHERE answered_at IS NULL AND received_at >= $1 ORDER BY received_at LIMIT 50",
            )
            .bind(since)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        let mut out = Vec::with_capacity(rows.len());
        let mut by_digits: HashMap<String, Vec<CallerMatch>> = HashMap::new();
        for (id, caller, digits, at) in rows {
            let matches = match by_digits.get(&digits) {
                Some(m) => m.clone(),
                None if digits.is_empty() => Vec::new(),
                None => {
                    let m = self.match_number(&digits).await?;
                    by_digits.insert(digits.clone(), m.clone());
                    m
                }
            };
            out.push(ringing(CallId(id), caller, Timestamp(at), &matches));
        }
        Ok(out)
    }

    /// An agent takes a call: it stops ringing for the others. The matches (with citizens'
    /// names) are returned and each matched citizen's identity read is audited.
    pub async fn answer_call(&self, ctx: &AccessCtx, id: CallId) -> Result<IncomingCall> {
        let decision = self
            .desk_guard(ctx, AuditAction::Update, "incoming_call")
            .await?;
        let me = ctx.principal.user_id();
        let now = Timestamp::now();
        let name = ctx.principal.display_name().to_string();
        let taken = on_write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE incoming_calls SET answered_at = $1, answered_by_user_id = $2, answered_by_name = $3 \
                 WHERE id = $4 AND answered_at IS NULL",
            )
            .bind(now.0)
            .bind(me.map(|u| u.0))
            .bind(&name)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok::<_, DbError>(n > 0)
        })?;
        let call = self.load_call(id).await?;
        if !taken && self.load_call_answered(id).await?.flatten() != me {
            return Err(DbError::conflict(
                ErrorCode::Conflict,
                format!(
                    "{} has already taken this call",
                    call.answered_by_name.as_deref().unwrap_or("another agent")
                ),
            ));
        }
        let citizens: Vec<CitizenId> = call.matches.iter().filter_map(|m| m.citizen()).collect();
        let mut records = support_reads(ctx, &decision, "incoming_call", &citizens);
        for r in &mut records {
            r.category = Some(telesund_core::access::DataCategory::Identity);
        }
        self.audit(records).await?;
        Ok(call)
    }

    /// A call with its matches (names included): for the desk, after it was answered.
    pub async fn call(&self, ctx: &AccessCtx, id: CallId) -> Result<IncomingCall> {
        self.desk_guard(ctx, AuditAction::Read, "incoming_call")
            .await?;
        let call = self.load_call(id).await?;
        if call.answered_at.is_none() {
            return Err(DbError::conflict(
                ErrorCode::Conflict,
                "answer the call to see who is calling",
            ));
        }
        Ok(call)
    }

    /// Who answered a call: None if nobody has; Some(None) if answered by no staff user.
    pub(crate) async fn load_call_answered(&self, id: CallId) -> Result<Option<Option<UserId>>> {
        let row: Option<(Option<i64>, Option<uuid::Uuid>)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT answered_at, answered_by_user_id FROM incoming_calls WHERE id = $1",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        let (answered, by) = row.ok_or_else(|| DbError::not_found("call"))?;
        Ok(answered.map(|_| by.map(UserId)))
    }

    async fn load_call(&self, id: CallId) -> Result<IncomingCall> {
        let r: (
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<uuid::Uuid>,
        ) = on_read!(self, |c| {
            sqlx::query_as(
                    "SELECT caller, digits, received_at, answered_at, answered_by_name, case_id FROM incoming_calls WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("call"))
        })?;
        let (caller, digits, received, answered, by, case) = r;
        let matches = if digits.is_empty() {
            Vec::new()
        } else {
            self.match_number(&digits).await?
        };
        Ok(IncomingCall {
            id,
            caller,
            received_at: Timestamp(received),
            answered_at: answered.map(Timestamp),
            answered_by_name: by,
            case_id: case.map(CaseId),
            matches,
        })
    }

    /// The caller screen for a citizen: identity, contact and programmes (the overview, as
    /// the support side sees it), the units with when each last sent data, open orders and
    /// visits, earlier cases. Every part is the support side's and audited as it is read.
    pub async fn caller_screen(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        call: Option<CallId>,
    ) -> Result<CallerScreen> {
        self.desk_guard(ctx, AuditAction::Read, "caller_screen")
            .await?;
        let call = match call {
            Some(id) => Some(self.call(ctx, id).await?),
            None => None,
        };
        let overview = self.citizen_overview(ctx, citizen).await?;
        let CitizenEquipment {
            units,
            orders,
            visits,
        } = self.citizen_equipment(ctx, citizen).await?;
        let last = self.last_data_by_device(citizen).await?;
        let plan_names = self.plan_programme_names(citizen).await?;
        let units = units
            .into_iter()
            .filter(|(u, _)| {
                matches!(
                    u.unit.state,
                    telesund_core::equipment::unit::UnitState::InUse
                        | telesund_core::equipment::unit::UnitState::SwapPending
                        | telesund_core::equipment::unit::UnitState::InTransit
                )
            })
            .map(|(u, assignments)| {
                let keys = [Some(u.unit.pi.serial.as_str()), u.unit.device_id.as_deref()];
                let last_data_at = keys
                    .iter()
                    .flatten()
                    .filter_map(|k| last.get(*k).copied())
                    .max();
                let mut programmes: Vec<String> = assignments
                    .iter()
                    .filter_map(|a| plan_names.get(&a.care_plan_id).cloned())
                    .collect();
                programmes.dedup();
                UnitLine {
                    unit: u,
                    programmes,
                    last_data_at,
                }
            })
            .collect();
        let cases = self.citizen_cases(ctx, citizen).await?;
        let open_orders = orders
            .into_iter()
            .filter(|o| {
                !matches!(
                    o.status,
                    telesund_core::equipment::order::OrderStatus::Closed
                        | telesund_core::equipment::order::OrderStatus::Cancelled
                        | telesund_core::equipment::order::OrderStatus::Rejected
                )
            })
            .collect();
        let planned = visits
            .into_iter()
            .filter(|v| v.status == telesund_core::equipment::visit::VisitStatus::Planned)
            .collect();
        Ok(CallerScreen {
            overview,
            units,
            orders: open_orders,
            visits: planned,
            cases,
            call,
        })
    }

    /// When each device of a citizen last delivered a measurement (by the device id or
    /// serial the measurement named): one grouped read of the citizen's measurements.
    pub(crate) async fn last_data_by_device(
        &self,
        citizen: CitizenId,
    ) -> Result<HashMap<String, Timestamp>> {
        let rows: Vec<(String, i64)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT device, MAX(received_at) FROM observations WHERE citizen_id = $1 AND device IS NOT NULL GROUP BY device",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        Ok(rows.into_iter().map(|(d, t)| (d, Timestamp(t))).collect())
    }

    /// The programme name of each of a citizen's care plans.
    async fn plan_programme_names(
        &self,
        citizen: CitizenId,
    ) -> Result<HashMap<CarePlanId, String>> {
        let rows: Vec<(uuid::Uuid, String)> = on_read!(self, |c| {
            sqlx::query_as(
                "SELECT p.id, pr.name FROM care_plans p JOIN programme_versions v ON v.id = p.programme_version_id \
                 JOIN programmes pr ON pr.id = v.programme_id WHERE p.citizen_id = $1",
            )
            .bind(citizen.0)
            .fetch_all(&mut *c)
            .await
            .map_err(DbError::from)
        })?;
        Ok(rows.into_iter().map(|(p, n)| (CarePlanId(p), n)).collect())
    }

    /// A member of staff sets the number they call the desk from (so the desk knows them).
    pub async fn set_own_phone(&self, ctx: &AccessCtx, phone: Option<&str>) -> Result<()> {
        let me = ctx
            .principal
            .user_id()
            .ok_or_else(|| DbError::forbidden("only staff have a staff phone number"))?;
        let (phone, digits) = match phone.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => {
                let normalised = telesund_core::identity::normalise_phone(p)?;
                let digits = telesund_core::text::phone_digits(&normalised);
                (Some(normalised), Some(digits))
            }
            None => (None, None),
        };
        on_write!(self, |tx| {
            sqlx::query("UPDATE staff_users SET phone = $1, phone_digits = $2 WHERE id = $3")
                .bind(phone.as_deref())
                .bind(digits.as_deref())
                .bind(me.0)
                .execute(&mut *tx)
                .await?;
            Ok::<_, DbError>(())
        })
    }
}

fn ringing(id: CallId, caller: String, at: Timestamp, matches: &[CallerMatch]) -> RingingCall {
    RingingCall {
        id,
        caller,
        received_at: at,
        citizens: matches
            .iter()
            .filter(|m| matches!(m, CallerMatch::Citizen { .. }))
            .count(),
        next_of_kin: matches
            .iter()
            .filter(|m| matches!(m, CallerMatch::NextOfKin { .. }))
            .count(),
        staff: matches
            .iter()
            .filter_map(|m| match m {
                CallerMatch::Staff { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect(),
    }
}
