//! What every request about a citizen decides on — the facts `authorize` weighs (enrolments,
//! care teams and their members, consents, the organisations they name) and the citizen's
//! care plans, which triage routes by — read once and kept in memory between requests.
//!
//! Why this is safe: each citizen row carries a `facts_version` that triggers move in the
//! same transaction as any change to those tables (migration 0004). A request reads the
//! current versions first (one query for any number of citizens) and uses a kept snapshot
//! only when its version is the current one; otherwise it reads the facts afresh. A
//! withdrawn consent or an ended membership therefore takes effect on the very next request,
//! on every replica, and the saving is the four queries per citizen a request would have
//! cost. The version is read *before* the facts: facts newer than their version only cause
//! one needless re-read later, while the opposite order could keep old facts under a new
//! version. Periods (membership validity, enrolment end) are still judged against the
//! clock on every request: the snapshot holds data, not decisions.

use crate::db::{Db, on_read, placeholders};
use crate::error::{DbError, Result};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use telesund_core::Timestamp;
use telesund_core::access::CitizenFacts;
use telesund_core::care::{
    CareTeam, Consent, ConsentStatus, ConsentType, Enrolment, EnrolmentStatus, TeamMember,
    TeamScope,
};
use telesund_core::identity::{OrgKind, Role};
use telesund_core::ids::*;
use telesund_core::monitoring::programme::CarePlan;

/// Beyond this many citizens the cache starts over rather than grow without bound (a
/// snapshot is a few kilobytes: the limit keeps the cache within some 30 MB).
const MAX_ENTRIES: usize = 8_192;

/// Citizens per query when many are read at once (a worklist page, a gateway's Bundle).
const CHUNK: usize = 200;

/// One citizen's facts and care plans as of one `facts_version`.
#[derive(Debug)]
pub(crate) struct Snapshot {
    version: i64,
    /// `now` is left at zero here: [`Snapshot::facts_now`] sets it per request.
    facts: CitizenFacts,
    pub(crate) plans: Vec<CarePlan>,
}

impl Snapshot {
    /// The facts, to be judged at `now`.
    pub(crate) fn facts_at(&self, now: Timestamp) -> CitizenFacts {
        CitizenFacts {
            now,
            ..self.facts.clone()
        }
    }

    pub(crate) fn facts_now(&self) -> CitizenFacts {
        self.facts_at(Timestamp::now())
    }
}

#[derive(Default)]
pub(crate) struct FactsCache {
    entries: Mutex<HashMap<CitizenId, Arc<Snapshot>>>,
}

impl FactsCache {
    fn current(&self, citizen: CitizenId, version: i64) -> Option<Arc<Snapshot>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&citizen)
            .filter(|s| s.version == version)
            .cloned()
    }

    fn keep(&self, citizen: CitizenId, snapshot: Arc<Snapshot>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&citizen) {
            entries.clear();
        }
        // A slower request may bring an older version than one already kept.
        match entries.get(&citizen) {
            Some(kept) if kept.version > snapshot.version => {}
            _ => {
                entries.insert(citizen, snapshot);
            }
        }
    }
}

/// Runs `$body` for each row of `$sql` (which selects `citizen_id` and binds `$ids` in
/// order) with `$f` the facts being built for that row's citizen.
macro_rules! each_row_of {
    ($c:expr, $sql:expr, $ids:expr, $facts:expr, |$r:ident, $f:ident, $citizen:ident| $body:block) => {{
        let mut q = sqlx::query(sqlx::AssertSqlSafe($sql));
        for id in $ids {
            q = q.bind(id.0);
        }
        for $r in q.fetch_all(&mut *$c).await? {
            let $citizen = CitizenId($r.try_get("citizen_id")?);
            let Some($f) = $facts.get_mut(&$citizen) else {
                continue;
            };
            $body
        }
    }};
}

impl Db {
    /// The snapshot of one citizen; `NotFound` when there is no such citizen (so a caller
    /// answers 404 before it decides 403).
    pub(crate) async fn snapshot(&self, citizen: CitizenId) -> Result<Arc<Snapshot>> {
        self.snapshots(&[citizen])
            .await?
            .remove(&citizen)
            .ok_or_else(|| DbError::not_found("citizen"))
    }

    /// The snapshots of several citizens; citizens that do not exist are left out.
    pub(crate) async fn snapshots(
        &self,
        citizens: &[CitizenId],
    ) -> Result<HashMap<CitizenId, Arc<Snapshot>>> {
        let mut found = HashMap::with_capacity(citizens.len());
        for chunk in citizens.chunks(CHUNK) {
            found.extend(self.snapshot_chunk(chunk).await?);
        }
        Ok(found)
    }

    /// Everything `authorize` needs to know about a citizen, judged now.
    pub async fn citizen_facts(&self, citizen: CitizenId) -> Result<CitizenFacts> {
        Ok(self.snapshot(citizen).await?.facts_now())
    }

    async fn snapshot_chunk(
        &self,
        citizens: &[CitizenId],
    ) -> Result<HashMap<CitizenId, Arc<Snapshot>>> {
        let cache = &self.inner.facts;
        let list = placeholders(1, citizens.len());
        on_read!(self, |c| {
            // The versions first: see the module's comment for why the order matters.
            let mut q = sqlx::query_as::<_, (uuid::Uuid, i64)>(sqlx::AssertSqlSafe(format!(
                "SELECT id, facts_version FROM citizens WHERE id IN ({list})"
            )));
            for id in citizens {
                q = q.bind(id.0);
            }
            let versions = q.fetch_all(&mut *c).await?;
            let mut found = HashMap::with_capacity(versions.len());
            let mut stale = Vec::new();
            for (id, version) in versions {
                let id = CitizenId(id);
                match cache.current(id, version) {
                    Some(s) => {
                        found.insert(id, s);
                    }
                    None => stale.push((id, version)),
                }
            }
            if stale.is_empty() {
                return Ok(found);
            }
            let ids: Vec<CitizenId> = stale.iter().map(|(id, _)| *id).collect();
            let list = placeholders(1, ids.len());
            let mut facts: HashMap<CitizenId, CitizenFacts> = ids
                .iter()
                .map(|&id| {
                    let f = CitizenFacts {
                        citizen_id: Some(id),
                        ..Default::default()
                    };
                    (id, f)
                })
                .collect();

            each_row_of!(
                c,
                format!(
                    "SELECT e.citizen_id, e.id, e.programme_id, e.org_id, e.status, e.started_at, e.ended_at, o.kind, o.parent_id \
                 FROM enrolments e JOIN organisations o ON o.id = e.org_id WHERE e.citizen_id IN ({list}) ORDER BY e.citizen_id, e.id"
                ),
                &ids,
                facts,
                |r, f, citizen| {
                    let org_id = OrgId(r.try_get("org_id")?);
                    let kind: String = r.try_get("kind")?;
                    let parent: Option<uuid::Uuid> = r.try_get("parent_id")?;
                    f.orgs
                        .push((org_id, OrgKind::parse(&kind)?, parent.map(OrgId)));
                    let status: String = r.try_get("status")?;
                    f.enrolments.push(Enrolment {
                        id: EnrolmentId(r.try_get("id")?),
                        citizen_id: citizen,
                        programme_id: ProgrammeId(r.try_get("programme_id")?),
                        org_id,
                        status: EnrolmentStatus::parse(&status)?,
                        started_at: Timestamp(r.try_get("started_at")?),
                        ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(Timestamp),
                    });
                }
            );

            each_row_of!(
                c,
                format!(
                    "SELECT t.citizen_id, t.id AS team_id, t.name, t.managing_org_id, t.active, t.enrolment_id, mo.kind AS managing_kind, \
                        m.id, m.org_id, m.user_id, m.role, m.scope, m.valid_from, m.valid_to \
                 FROM care_teams t JOIN organisations mo ON mo.id = t.managing_org_id \
                 LEFT JOIN care_team_members m ON m.team_id = t.id WHERE t.citizen_id IN ({list}) ORDER BY t.citizen_id, t.id"
                ),
                &ids,
                facts,
                |r, f, citizen| {
                    let team_id = CareTeamId(r.try_get("team_id")?);
                    if f.care_teams.last().map(|t| t.id) != Some(team_id) {
                        let managing = OrgId(r.try_get("managing_org_id")?);
                        let kind: String = r.try_get("managing_kind")?;
                        f.orgs.push((managing, OrgKind::parse(&kind)?, None));
                        f.care_teams.push(CareTeam {
                            id: team_id,
                            citizen_id: citizen,
                            name: r.try_get("name")?,
                            managing_org_id: managing,
                            active: r.try_get("active")?,
                            enrolment_id: r
                                .try_get::<Option<uuid::Uuid>, _>("enrolment_id")?
                                .map(EnrolmentId),
                            members: Vec::new(),
                        });
                    }
                    let member_id: Option<uuid::Uuid> = r.try_get("id")?;
                    if let (Some(id), Some(team)) = (member_id, f.care_teams.last_mut()) {
                        let role: String = r.try_get("role")?;
                        let scope: String = r.try_get("scope")?;
                        team.members.push(TeamMember {
                            id: TeamMemberId(id),
                            org_id: OrgId(r.try_get("org_id")?),
                            user_id: r.try_get::<Option<uuid::Uuid>, _>("user_id")?.map(UserId),
                            role: Role::parse(&role)?,
                            scope: TeamScope::parse(&scope)?,
                            valid_from: Timestamp(r.try_get("valid_from")?),
                            valid_to: r.try_get::<Option<i64>, _>("valid_to")?.map(Timestamp),
                        });
                    }
                }
            );

            each_row_of!(
                c,
                format!(
                    "SELECT citizen_id, id, consent_type, programme_id, status, recorded_by, recorded_by_name, recorded_at, note \
                 FROM consents WHERE citizen_id IN ({list}) ORDER BY citizen_id, recorded_at, id"
                ),
                &ids,
                facts,
                |r, f, citizen| {
                    let kind: String = r.try_get("consent_type")?;
                    let status: String = r.try_get("status")?;
                    f.consents.push(Consent {
                        id: ConsentId(r.try_get("id")?),
                        citizen_id: citizen,
                        consent_type: ConsentType::parse(&kind)?,
                        programme_id: r
                            .try_get::<Option<uuid::Uuid>, _>("programme_id")?
                            .map(ProgrammeId),
                        status: ConsentStatus::parse(&status)?,
                        recorded_by: r
                            .try_get::<Option<uuid::Uuid>, _>("recorded_by")?
                            .map(UserId),
                        recorded_by_name: r.try_get("recorded_by_name")?,
                        recorded_at: Timestamp(r.try_get("recorded_at")?),
                        note: r.try_get("note")?,
                    });
                }
            );

            let mut plans = crate::monitoring::plans::plans_of_citizens!(c, &ids, list);
            for (id, version) in stale {
                let snapshot = Arc::new(Snapshot {
                    version,
                    facts: facts.remove(&id).unwrap_or_default(),
                    plans: plans.remove(&id).unwrap_or_default(),
                });
                cache.keep(id, snapshot.clone());
                found.insert(id, snapshot);
            }
            Ok(found)
        })
    }
}
