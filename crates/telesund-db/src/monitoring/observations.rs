//! Home measurements in: checked, converted, stored once (a retry is recognised), triaged
//! for every active plan that asks for the type, and turned into work for each plan's team.

use super::to_json;
use super::writer::{Prepared, WriteFailure};
use crate::access::AccessCtx;
use crate::access::guard;
use crate::citizen_facts::Snapshot;
use crate::db::{Db, on_read, placeholders};
use crate::error::{DbError, Result};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use telesund_core::access::{Action, DataCategory, Decision, Resource};
use telesund_core::audit::{AuditAction, AuditRecord};
use telesund_core::ids::*;
use telesund_core::monitoring::assess::{Assessment, history_days, route_measurement};
use telesund_core::monitoring::observation::{
    CanonicalValues, NewObservation, Observation, ObservationStatus, Source,
};
use telesund_core::monitoring::{MeasurementType, Quantity};
use telesund_core::{ErrorCode, Timestamp};

/// The audit record of submitting one measurement.
fn observation_record(
    ctx: &AccessCtx,
    decision: &Decision,
    citizen: CitizenId,
    id: ObservationId,
) -> AuditRecord {
    let mut r = ctx.record(
        decision,
        AuditAction::Create,
        "observation",
        Some(citizen),
        Some(DataCategory::Clinical),
    );
    r.entity_id = Some(id.to_string());
    r
}

/// What a submission did: the stored measurement (the first one, for a retry) and its
/// triage per plan.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub observation: Observation,
    /// False when this was a retry of a measurement already stored.
    pub created: bool,
    pub assessments: Vec<(CarePlanId, Assessment)>,
}

/// The stored form of a retry key: 16 bytes of its SHA-256, so the unique index stays small
/// at tens of millions of rows.
fn dedup_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes())[..16].to_vec()
}

const OBS_COLUMNS: &str = "id, citizen_id, type, value, value2, effective_at, received_at, source, entered_by_name, \
     on_behalf_of_name, device, original, identifier, unexpected, status";

macro_rules! observation_from_row {
    ($r:expr) => {{
        let kind = MeasurementType::parse(&$r.try_get::<String, _>("type")?)?;
        let quantities = kind.quantities();
        let mut values = vec![(quantities[0], $r.try_get::<f64, _>("value")?)];
        if let (Some(q), Some(v)) = (quantities.get(1), $r.try_get::<Option<f64>, _>("value2")?) {
            values.push((*q, v));
        }
        Observation {
            id: ObservationId($r.try_get("id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            kind,
            values,
            effective_at: Timestamp($r.try_get("effective_at")?),
            received_at: Timestamp($r.try_get("received_at")?),
            source: Source::parse(&$r.try_get::<String, _>("source")?)?,
            entered_by_name: $r.try_get("entered_by_name")?,
            on_behalf_of_name: $r.try_get("on_behalf_of_name")?,
            device: $r.try_get("device")?,
            original: $r.try_get("original")?,
            identifier: $r.try_get("identifier")?,
            unexpected: $r.try_get("unexpected")?,
            status: ObservationStatus::parse(&$r.try_get::<String, _>("status")?)?,
        }
    }};
}

/// A search of one citizen's measurements: types (any when empty), a time range
/// (`from` inclusive, `until` exclusive), the order and a keyset cursor — the time and id of
/// the last row of the previous page, so paging stays fast and stable however deep it goes.
#[derive(Clone, Debug, Default)]
pub struct ObservationQuery {
    pub kinds: Vec<MeasurementType>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub oldest_first: bool,
    pub after: Option<(Timestamp, ObservationId)>,
    pub limit: i64,
}

/// How the measurements of one submission are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atomicity {
    /// Each measurement on its own: one refused entry does not stop the others (a FHIR
    /// batch, a device's buffer).
    EachOnItsOwn,
    /// All or none (a FHIR transaction).
    AllOrNothing,
}

/// The entry of an all-or-nothing submission that stopped it, by its place.
#[derive(Debug)]
pub struct EntryFailed {
    pub index: usize,
    pub error: DbError,
}

/// One entry after its checks: to be written, a retry of a stored measurement, or a repeat
/// of an earlier entry of the same submission.
enum Checked {
    New(Box<Prepared>),
    Retry(Observation),
    SameAs(usize),
}

/// Where each entry's answer comes from.
enum Slot {
    Failed(DbError),
    /// Its row's place in what went to the writer.
    Written(usize),
    Retry(Observation),
    SameAs(usize),
}

/// What the checks of one submission share: each citizen's access decision and care plans
/// (a device's Bundle is usually one citizen's), and the entries already checked, which
/// change rules must see as history and retries must be matched against.
#[derive(Default)]
struct Batch {
    /// What each citizen's access facts and plans are (read at once for the submission).
    snapshots: HashMap<CitizenId, Arc<Snapshot>>,
    /// Each citizen's decision, and their name when staff enter on their behalf.
    citizens: HashMap<CitizenId, (Decision, Option<String>)>,
    checked: Vec<(CitizenId, MeasurementType, Timestamp, CanonicalValues)>,
    keys: HashMap<Vec<u8>, usize>,
    /// Measurements already stored under one of the submission's retry keys, read at once.
    stored: HashMap<Vec<u8>, Observation>,
    /// Per citizen and type: the earlier values its change rules look back on, over the
    /// span of times the submission holds, read once for all of them.
    histories: HashMap<(CitizenId, MeasurementType), History>,
}

const DAY_MICROS: i64 = 86_400_000_000;

/// Earlier values of one type: (quantity, when, value).
type History = Vec<(Quantity, Timestamp, f64)>;

/// One (citizen, type) whose history is read, and the times `[from, until)` to read.
type Span = ((CitizenId, MeasurementType), (i64, i64));

impl Db {
    /// Submits one measurement for a citizen. Refused input changes nothing; a retry with the
    /// same identifier (or device and time) returns the first measurement, unchanged.
    pub async fn submit_observation(
        &self,
        ctx: &AccessCtx,
        new: NewObservation,
    ) -> Result<Submitted> {
        let mut out = self
            .submit_observations(ctx, vec![new], Atomicity::EachOnItsOwn)
            .await
            .map_err(|e| e.error)?;
        out.pop()
            .unwrap_or_else(|| Err(DbError::Internal("no outcome for the measurement".into())))
    }

    /// Submits several measurements (a Bundle). Each is checked, triaged and audited as a
    /// single one would be; they are written together, sharing a commit with whatever else
    /// is being written at the time. `AllOrNothing` returns the first entry that failed and
    /// writes nothing; `EachOnItsOwn` returns one outcome per entry, in order.
    pub async fn submit_observations(
        &self,
        ctx: &AccessCtx,
        items: Vec<NewObservation>,
        atomicity: Atomicity,
    ) -> std::result::Result<Vec<Result<Submitted>>, EntryFailed> {
        let all_or_nothing = atomicity == Atomicity::AllOrNothing;
        let now = Timestamp::now();
        let mut batch = Batch::default();
        // What every entry needs from storage, read once for the whole submission: each
        // citizen's facts and plans, the measurements its retry keys already name, and the
        // history its change rules look back on (per citizen and type, over the span of
        // times the submission holds).
        self.prefetch(&items, &mut batch)
            .await
            .map_err(|error| EntryFailed { index: 0, error })?;
        let mut slots = Vec::with_capacity(items.len());
        let mut to_write = Vec::new();
        for (index, new) in items.into_iter().enumerate() {
            slots.push(
                match self
                    .check_observation(ctx, index, new, now, &mut batch)
                    .await
                {
                    Err(error) if all_or_nothing => return Err(EntryFailed { index, error }),
                    Err(error) => Slot::Failed(error),
                    Ok(Checked::New(p)) => {
                        to_write.push(*p);
                        Slot::Written(to_write.len() - 1)
                    }
                    Ok(Checked::Retry(first)) => Slot::Retry(first),
                    Ok(Checked::SameAs(earlier)) => Slot::SameAs(earlier),
                },
            );
        }
        // What the answers need once the rows have gone to the writer.
        let kept: Vec<(Submitted, Option<Vec<u8>>)> = to_write
            .iter()
            .map(|p| {
                let triage = p.triage.iter().map(|t| (t.plan, t.assessment.clone()));
                let submitted = Submitted {
                    observation: p.observation.clone(),
                    created: true,
                    assessments: triage.collect(),
                };
                (submitted, p.dedup.clone())
            })
            .collect();
        let outcomes = self
            .inner
            .results
            .write(to_write, all_or_nothing)
            .await
            .map_err(|error| EntryFailed { index: 0, error })?;
        if all_or_nothing
            && let Some(pos) = outcomes
                .iter()
                .position(|o| matches!(o, Err(f) if !matches!(f, WriteFailure::Abandoned)))
        {
            let index = slots
                .iter()
                .position(|s| matches!(s, Slot::Written(p) if *p == pos))
                .unwrap_or(0);
            let error = match &outcomes[pos] {
                Err(WriteFailure::Duplicate) => DbError::conflict(
                    ErrorCode::Conflict,
                    "a copy of this measurement was stored by another request at the same time; send the Bundle again",
                ),
                Err(WriteFailure::Failed(e)) => DbError::Internal(e.clone()),
                _ => DbError::Internal("the transaction failed".into()),
            };
            return Err(EntryFailed { index, error });
        }

        let mut outcomes: Vec<Option<std::result::Result<(), WriteFailure>>> =
            outcomes.into_iter().map(Some).collect();
        let mut kept: Vec<Option<_>> = kept.into_iter().map(Some).collect();
        let mut answers: Vec<Result<Submitted>> = Vec::with_capacity(slots.len());
        for slot in slots {
            let answer = match slot {
                Slot::Failed(e) => Err(e),
                Slot::Written(pos) => {
                    let (submitted, dedup) = kept[pos].take().expect("each row is answered once");
                    match outcomes[pos].take().expect("one outcome per row") {
                        Ok(()) => Ok(submitted),
                        // A copy of the same measurement raced in and was stored first:
                        // this one answers as its retry.
                        Err(WriteFailure::Duplicate) => {
                            match self.observation_by_dedup(&dedup.unwrap_or_default()).await {
                                Ok(Some(first)) => self.answer_retry(ctx, first).await,
                                Ok(None) => Err(DbError::Internal("a duplicate vanished".into())),
                                Err(e) => Err(e),
                            }
                        }
                        Err(WriteFailure::Abandoned) => Err(DbError::Internal(
                            "not written: another entry of the transaction failed".into(),
                        )),
                        Err(WriteFailure::Failed(e)) => Err(DbError::Internal(e)),
                    }
                }
                Slot::Retry(first) => self.answer_retry(ctx, first).await,
                Slot::SameAs(earlier) => match &answers[earlier] {
                    Ok(s) => Ok(Submitted {
                        created: false,
                        ..s.clone()
                    }),
                    Err(e) => Err(DbError::Domain(telesund_core::DomainError::new(
                        e.code(),
                        format!("repeats entry {earlier}, which was not stored"),
                    ))),
                },
            };
            answers.push(answer);
        }
        Ok(answers)
    }

    /// Authorises, converts and triages one measurement, without writing anything.
    async fn check_observation(
        &self,
        ctx: &AccessCtx,
        index: usize,
        new: NewObservation,
        now: Timestamp,
        batch: &mut Batch,
    ) -> Result<Checked> {
        let citizen = new.citizen_id;
        let snapshot = batch
            .snapshots
            .get(&citizen)
            .cloned()
            .ok_or_else(|| DbError::not_found("citizen"))?;
        if let std::collections::hash_map::Entry::Vacant(slot) = batch.citizens.entry(citizen) {
            let facts = snapshot.facts_at(now);
            let decision = guard(
                self,
                ctx,
                Action::SubmitResults,
                Resource::Citizen(&facts),
                AuditAction::Create,
                "observation",
                Some(citizen),
            )
            .await?;
            // Staff entering a value on the citizen's behalf: both names are kept.
            let name = match new.source {
                Source::Staff => Some(self.citizen_display_name(citizen).await?),
                _ => None,
            };
            slot.insert((decision, name));
        }
        let (values, original) = new.canonical(now)?;
        let dedup = new.dedup_key().map(|k| dedup_hash(&k));
        if let Some(key) = &dedup {
            if let Some(earlier) = batch.keys.get(key) {
                return Ok(Checked::SameAs(*earlier));
            }
            if let Some(first) = batch.stored.get(key) {
                return Ok(Checked::Retry(first.clone()));
            }
            batch.keys.insert(key.clone(), index);
        }
        let (decision, citizen_name) = &batch.citizens[&citizen];
        let plans = &snapshot.plans;
        let mut history: History = match history_days(plans, new.kind) {
            Some(days) => {
                let window = i64::from(days) * DAY_MICROS;
                let at = new.effective_at.0;
                batch
                    .histories
                    .get(&(citizen, new.kind))
                    .map(|h| {
                        h.iter()
                            .filter(|(_, t, _)| t.0 >= at - window && t.0 < at)
                            .copied()
                            .collect()
                    })
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        for (c, kind, at, vals) in &batch.checked {
            if *c == citizen && *kind == new.kind && at.0 < new.effective_at.0 {
                history.extend(vals.iter().map(|(q, v)| (*q, *at, *v)));
            }
        }
        let routing = route_measurement(plans, new.kind, new.effective_at, &values, &|q| {
            history
                .iter()
                .filter(|(k, _, _)| *k == q)
                .map(|(_, t, v)| (*t, *v))
                .collect()
        });
        let observation = Observation {
            id: ObservationId::new(),
            citizen_id: citizen,
            kind: new.kind,
            values,
            effective_at: new.effective_at,
            received_at: now,
            source: new.source,
            entered_by_name: ctx.principal.display_name().to_string(),
            on_behalf_of_name: new.on_behalf_of_name.clone().or(citizen_name.clone()),
            device: new.device.clone(),
            original,
            identifier: new.identifier.clone(),
            unexpected: routing.unexpected,
            status: ObservationStatus::Final,
        };
        batch.checked.push((
            citizen,
            observation.kind,
            observation.effective_at,
            observation.values.clone(),
        ));
        let entered_by = match &ctx.principal {
            telesund_core::Principal::Staff { user_id, .. } => Some(user_id.0),
            telesund_core::Principal::Citizen { citizen_id, .. } => Some(citizen_id.0),
            telesund_core::Principal::System => None,
        };
        let findings = routing
            .triage
            .iter()
            .map(|t| to_json(&t.assessment.findings))
            .collect::<Result<_>>()?;
        let audit = observation_record(ctx, decision, citizen, observation.id);
        Ok(Checked::New(Box::new(Prepared {
            observation,
            dedup,
            entered_by,
            triage: routing.triage,
            findings,
            audit,
        })))
    }

    /// "Given Family", for provenance.
    async fn citizen_display_name(&self, citizen: CitizenId) -> Result<String> {
        on_read!(self, |c| {
            let (given, family): (String, String) =
                sqlx::query_as("SELECT given_name, family_name FROM citizens WHERE id = $1")
                    .bind(citizen.0)
                    .fetch_one(&mut *c)
                    .await?;
            Ok::<_, DbError>(format!("{given} {family}"))
        })
    }

    async fn answer_retry(&self, ctx: &AccessCtx, first: Observation) -> Result<Submitted> {
        let decision = self
            .guard_citizen(
                ctx,
                first.citizen_id,
                Action::SubmitResults,
                AuditAction::Create,
                "observation",
            )
            .await?;
        self.audit(vec![observation_record(
            ctx,
            &decision,
            first.citizen_id,
            first.id,
        )])
        .await?;
        let assessments = self.assessments_of_observation(first.id).await?;
        Ok(Submitted {
            observation: first,
            created: false,
            assessments,
        })
    }

    /// The stored measurements some retry keys name, by key (one query per 500 keys).
    async fn observations_by_dedup(
        &self,
        keys: &[Vec<u8>],
    ) -> Result<HashMap<Vec<u8>, Observation>> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT {OBS_COLUMNS}, dedup_key FROM observations WHERE dedup_key IN ({})",
                placeholders(1, chunk.len())
            );
            let rows = on_read!(self, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for k in chunk {
                    q = q.bind(k.as_slice());
                }
                let rows = q.fetch_all(&mut *c).await?;
                rows.iter()
                    .map(|r| {
                        let key: Vec<u8> = r.try_get("dedup_key")?;
                        Ok((key, observation_from_row!(r)))
                    })
                    .collect::<Result<Vec<_>>>()
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    async fn observation_by_dedup(&self, key: &[u8]) -> Result<Option<Observation>> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE dedup_key = $1"
            )))
            .bind(key)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok(observation_from_row!(r))).transpose()
        })
    }

    async fn assessments_of_observation(
        &self,
        id: ObservationId,
    ) -> Result<Vec<(CarePlanId, Assessment)>> {
        on_read!(self, |c| {
            let rows = sqlx::query("SELECT care_plan_id, findings FROM assessments WHERE observation_id = $1 ORDER BY id")
                .bind(id.0)
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let plan: uuid::Uuid = r.try_get("care_plan_id")?;
                    let findings: String = r.try_get("findings")?;
                    Ok((
                        CarePlanId(plan),
                        Assessment::from_findings(super::from_json(&findings)?),
                    ))
                })
                .collect()
        })
    }

    /// Reads what a submission's entries need from storage, in a few queries however many
    /// entries and citizens it holds: the citizens' facts and plans, the measurements its
    /// retry keys already name, and each (citizen, type)'s history where a plan's change
    /// rules look back.
    async fn prefetch(&self, items: &[NewObservation], batch: &mut Batch) -> Result<()> {
        let mut citizens: Vec<CitizenId> = items.iter().map(|n| n.citizen_id).collect();
        citizens.sort_unstable();
        citizens.dedup();
        batch.snapshots = self.snapshots(&citizens).await?;
        let keys: Vec<Vec<u8>> = items
            .iter()
            .filter_map(|n| n.dedup_key().map(|k| dedup_hash(&k)))
            .collect();
        batch.stored = self.observations_by_dedup(&keys).await?;
        let mut spans: HashMap<(CitizenId, MeasurementType), (i64, i64)> = HashMap::new();
        for n in items {
            let Some(days) = batch
                .snapshots
                .get(&n.citizen_id)
                .and_then(|s| history_days(&s.plans, n.kind))
            else {
                continue;
            };
            let window = i64::from(days) * DAY_MICROS;
            let at = n.effective_at.0;
            let span = spans
                .entry((n.citizen_id, n.kind))
                .or_insert((at - window, at));
            span.0 = span.0.min(at - window);
            span.1 = span.1.max(at);
        }
        let spans: Vec<_> = spans.into_iter().collect();
        batch.histories = self.histories(&spans).await?;
        Ok(())
    }

    /// Values of each (citizen, type) measured in `[from, until)` (what change rules compare
    /// with), for many at once: one `UNION ALL` per chunk, each arm on the observations'
    /// (citizen, time) index.
    async fn histories(
        &self,
        spans: &[Span],
    ) -> Result<HashMap<(CitizenId, MeasurementType), History>> {
        const SPANS_PER_QUERY: usize = 50;
        let mut out: HashMap<(CitizenId, MeasurementType), History> = HashMap::new();
        for chunk in spans.chunks(SPANS_PER_QUERY) {
            let sql = (0..chunk.len())
                .map(|i| {
                    let p = 4 * i;
                    format!(
                        "SELECT CAST({i} AS BIGINT) AS span, effective_at, value, value2 FROM observations \
                         WHERE citizen_id = ${} AND type = ${} AND effective_at >= ${} AND effective_at < ${} \
                         AND status = 'final'",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            let rows: Vec<(i64, i64, f64, Option<f64>)> = on_read!(self, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for ((citizen, kind), (from, until)) in chunk {
                    q = q
                        .bind(citizen.0)
                        .bind(kind.as_str())
                        .bind(*from)
                        .bind(*until);
                }
                q.fetch_all(&mut *c).await
            })?;
            for (span, at, value, value2) in rows {
                let Some((key, _)) = usize::try_from(span).ok().and_then(|i| chunk.get(i)) else {
                    continue;
                };
                let quantities = key.1.quantities();
                let history = out.entry(*key).or_default();
                history.push((quantities[0], Timestamp(at), value));
                if let (Some(q), Some(v)) = (quantities.get(1), value2) {
                    history.push((*q, Timestamp(at), v));
                }
            }
        }
        Ok(out)
    }

    /// A citizen's measurements, newest first, for the caller who may read clinical data.
    pub async fn observations_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        kind: Option<MeasurementType>,
        limit: i64,
    ) -> Result<Vec<Observation>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "observation",
                None,
            )
            .await?;
        let rows = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE citizen_id = $1 AND ($2 IS NULL OR type = $2) \
                 ORDER BY effective_at DESC, id DESC LIMIT $3"
            )))
            .bind(citizen.0)
            .bind(kind.map(|k| k.as_str()))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(observation_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![record]).await?;
        Ok(rows)
    }

    /// A page of a citizen's measurements for a FHIR search: filtered by type and time,
    /// ordered by time (newest first unless `oldest_first`), after a cursor. Returns one row
    /// more than `limit` when there is a next page. Audited as one read.
    pub async fn search_observations(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        q: &ObservationQuery,
    ) -> Result<Vec<Observation>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "observation",
                None,
            )
            .await?;
        // One fixed statement per direction; the type filter is a list bound as text, so
        // the statement never varies with input.
        let kinds: Option<String> = (!q.kinds.is_empty()).then(|| {
            q.kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(",")
        });
        let (after_at, after_id) = match q.after {
            Some((t, id)) => (Some(t.0), Some(id.0)),
            None => (None, None),
        };
        let sql = if q.oldest_first {
            format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE citizen_id = $1 \
                 AND ($2 IS NULL OR ',' || $2 || ',' LIKE '%,' || type || ',%') \
                 AND effective_at >= $3 AND effective_at < $4 \
                 AND ($5 IS NULL OR effective_at > $5 OR (effective_at = $5 AND id > $6)) \
                 ORDER BY effective_at ASC, id ASC LIMIT $7"
            )
        } else {
            format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE citizen_id = $1 \
                 AND ($2 IS NULL OR ',' || $2 || ',' LIKE '%,' || type || ',%') \
                 AND effective_at >= $3 AND effective_at < $4 \
                 AND ($5 IS NULL OR effective_at < $5 OR (effective_at = $5 AND id < $6)) \
                 ORDER BY effective_at DESC, id DESC LIMIT $7"
            )
        };
        let rows = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(citizen.0)
                .bind(kinds.as_deref())
                .bind(q.from.map_or(i64::MIN, |t| t.0))
                .bind(q.until.map_or(i64::MAX, |t| t.0))
                .bind(after_at)
                .bind(after_id)
                .bind(q.limit + 1)
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| Ok(observation_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![record]).await?;
        Ok(rows)
    }

    /// One measurement, for the caller who may read the citizen's clinical data (audited).
    pub async fn observation(&self, ctx: &AccessCtx, id: ObservationId) -> Result<Observation> {
        let found = on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {OBS_COLUMNS} FROM observations WHERE id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok::<_, DbError>(observation_from_row!(r)))
                .transpose()
        })?;
        let o = found.ok_or_else(|| DbError::not_found(&format!("Observation/{id}")))?;
        let record = self
            .clinical_guard(
                ctx,
                o.citizen_id,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "observation",
                Some(id.to_string()),
            )
            .await?;
        self.audit(vec![record]).await?;
        Ok(o)
    }
}
