//! Questionnaires and the citizens' answers: the library stored once per version, answers
//! checked against their questionnaire, stored once (a retry is recognised), triaged for
//! every active plan that asks for the questionnaire, and turned into work for each plan's
//! team — the same path a measurement takes.

use super::tasks::raise_tasks;
use super::{from_json, to_json};
use crate::access::AccessCtx;
use crate::db::{Db, on_read, on_write};
use crate::error::{DbError, Result, is_unique_violation};
use sha2::{Digest, Sha256};
use sqlx::Row;
use telesund_core::access::{Action, DataCategory, Decision};
use telesund_core::audit::{AuditAction, AuditRecord};
use telesund_core::ids::*;
use telesund_core::monitoring::assess::{Assessment, route_response};
use telesund_core::monitoring::observation::{MAX_CLOCK_AHEAD_MICROS, Source};
use telesund_core::monitoring::questionnaire::{Answer, AnswerError, Questionnaire};
use telesund_core::monitoring::work::QuestionnaireResponse;
use telesund_core::monitoring::work::{Raise, fold_raises};
use telesund_core::{DomainError, Timestamp};

/// A citizen's answers as submitted (JSON API, FHIR QuestionnaireResponse or the portal
/// form), before checks.
#[derive(Clone, Debug, PartialEq)]
pub struct NewResponse {
    pub citizen_id: CitizenId,
    /// The questionnaire's stable key ("hf_symptoms").
    pub questionnaire_key: String,
    /// The version answered; the active one when left out.
    pub version: Option<String>,
    /// `(link_id, answer)` in the order given.
    pub answers: Vec<(String, Answer)>,
    pub authored_at: Timestamp,
    pub source: Source,
    /// `QuestionnaireResponse.identifier` as "system|value": a retry with the same one (for
    /// the same citizen) is the same response.
    pub identifier: Option<String>,
    /// The citizen's name when staff enter the answers on the citizen's behalf.
    pub on_behalf_of_name: Option<String>,
}

/// What a submission did: the stored response (the first one, for a retry) and its triage
/// per plan.
#[derive(Clone, Debug)]
pub struct SubmittedResponse {
    pub response: QuestionnaireResponse,
    /// False when this was a retry of a response already stored.
    pub created: bool,
    pub assessments: Vec<(CarePlanId, Assessment)>,
}

const RESPONSE_COLUMNS: &str = "r.id, r.citizen_id, r.questionnaire_id, q.key, q.version, r.answers, r.score, r.authored_at, \
     r.received_at, r.source, r.entered_by_name, r.on_behalf_of_name, r.identifier";
const RESPONSE_FROM: &str =
    "FROM questionnaire_responses r JOIN questionnaires q ON q.id = r.questionnaire_id";

macro_rules! response_from_row {
    ($r:expr) => {{
        let answers: String = $r.try_get("answers")?;
        QuestionnaireResponse {
            id: ResponseId($r.try_get("id")?),
            citizen_id: CitizenId($r.try_get("citizen_id")?),
            questionnaire_id: QuestionnaireId($r.try_get("questionnaire_id")?),
            questionnaire_key: $r.try_get("key")?,
            questionnaire_version: $r.try_get("version")?,
            answers: from_json(&answers)?,
            score: $r.try_get("score")?,
            authored_at: Timestamp($r.try_get("authored_at")?),
            received_at: Timestamp($r.try_get("received_at")?),
            source: Source::parse(&$r.try_get::<String, _>("source")?)?,
            entered_by_name: $r.try_get("entered_by_name")?,
            on_behalf_of_name: $r.try_get("on_behalf_of_name")?,
            identifier: $r.try_get("identifier")?,
        }
    }};
}

macro_rules! questionnaire_from_row {
    ($r:expr) => {{
        let definition: String = $r.try_get("definition")?;
        let q: Questionnaire = from_json(&definition)?;
        let status: String = $r.try_get("status")?;
        (QuestionnaireId($r.try_get("id")?), q, status)
    }};
}

/// The stored form of a retry key: 16 bytes of its SHA-256, as for measurements. The key
/// holds the citizen, so a retry can only ever answer with that citizen's own response.
fn dedup_hash(citizen: CitizenId, identifier: &str) -> Vec<u8> {
    let key = format!("response|{citizen}|{identifier}");
    Sha256::digest(key.as_bytes())[..16].to_vec()
}

/// Refused answers as one error naming every question and its (Danish) problem, in the
/// order the engine found them.
fn refused(errors: &[AnswerError]) -> DbError {
    let list: Vec<String> = errors
        .iter()
        .map(|e| format!("[{}] {}", e.link_id, e.message))
        .collect();
    DomainError::invalid(format!("invalid answers: {}", list.join(" "))).into()
}

fn response_record(
    ctx: &AccessCtx,
    decision: &Decision,
    citizen: CitizenId,
    id: ResponseId,
) -> AuditRecord {
    let mut r = ctx.record(
        decision,
        AuditAction::Create,
        "questionnaire_response",
        Some(citizen),
        Some(DataCategory::Clinical),
    );
    r.entity_id = Some(id.to_string());
    r
}

impl Db {
    /// Stores every questionnaire of `library` whose key and version are not stored yet, as
    /// active, and retires the versions of the same key it replaces. Idempotent: safe to call
    /// at every start. Each questionnaire is validated first; an invalid one stores nothing.
    pub async fn ensure_questionnaires(&self, library: &[Questionnaire]) -> Result<()> {
        let mut rows = Vec::with_capacity(library.len());
        for q in library {
            q.validate()?;
            rows.push((q, to_json(q)?));
        }
        let now = Timestamp::now();
        on_write!(self, |tx| {
            for (q, definition) in &rows {
                let id = QuestionnaireId::new();
                let inserted = sqlx::query(
                    "INSERT INTO questionnaires (id, key, version, status, title, definition, created_at) \
                     VALUES ($1, $2, $3, 'active', $4, $5, $6) ON CONFLICT (key, version) DO NOTHING",
                )
                .bind(id.0)
                .bind(&q.key)
                .bind(&q.version)
                .bind(&q.title)
                .bind(definition)
                .bind(now.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted == 1 {
                    sqlx::query(
                        "UPDATE questionnaires SET status = 'retired' WHERE key = $1 AND status = 'active' AND id <> $2",
                    )
                    .bind(&q.key)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            Ok(())
        })
    }

    /// The active version of a questionnaire (the newest, should there be several).
    pub async fn questionnaire_by_key(
        &self,
        key: &str,
    ) -> Result<(QuestionnaireId, Questionnaire)> {
        on_read!(self, |c| {
            let r = sqlx::query(
                "SELECT id, definition, status FROM questionnaires WHERE key = $1 AND status = 'active' \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(key)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| DbError::not_found("questionnaire"))?;
            let (id, q, _) = questionnaire_from_row!(r);
            Ok((id, q))
        })
    }

    /// One questionnaire version with its status ("draft", "active", "retired").
    pub async fn questionnaire(
        &self,
        id: QuestionnaireId,
    ) -> Result<(QuestionnaireId, Questionnaire, String)> {
        on_read!(self, |c| {
            let r = sqlx::query("SELECT id, definition, status FROM questionnaires WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| DbError::not_found("questionnaire"))?;
            Ok(questionnaire_from_row!(r))
        })
    }

    /// Every stored questionnaire version with its status, by key, oldest version first.
    pub async fn questionnaires(&self) -> Result<Vec<(QuestionnaireId, Questionnaire, String)>> {
        on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT id, definition, status FROM questionnaires ORDER BY key, created_at, id",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(questionnaire_from_row!(r)))
                .collect()
        })
    }

    /// The version a submission answers: the one named (active or retired: a form loaded
    /// before a new version was activated is still answered), else the active one.
    async fn questionnaire_answered(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<(QuestionnaireId, Questionnaire)> {
        let found = on_read!(self, |c| {
            let r = sqlx::query(
                "SELECT id, definition, status FROM questionnaires WHERE key = $1 \
                 AND (($2 IS NULL AND status = 'active') OR version = $2) AND status <> 'draft' \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(key)
            .bind(version)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok::<_, DbError>(questionnaire_from_row!(r)))
                .transpose()
        })?;
        let (id, q, _) = found.ok_or_else(|| {
            DbError::from(DomainError::invalid(match version {
                Some(v) => format!("there is no questionnaire '{key}' in version '{v}' to answer"),
                None => format!("there is no active questionnaire '{key}'"),
            }))
        })?;
        Ok((id, q))
    }

    /// Submits a citizen's answers. They are checked against the questionnaire (every
    /// problem is named in one refusal, and nothing is stored), evaluated once, and triaged
    /// for every active plan that asks for the questionnaire; yellow and red raise the task
    /// of that plan's team. A paused plan keeps the answers untriaged. When no plan asks for
    /// the questionnaire, the answers are stored and every active plan's team gets a yellow
    /// task for an unexpected response; a citizen with no active plan at all gets no triage
    /// and no task — the answers are only stored. A retry with the same identifier returns
    /// the first response and its assessments, unchanged.
    pub async fn submit_response(
        &self,
        ctx: &AccessCtx,
        new: NewResponse,
    ) -> Result<SubmittedResponse> {
        let citizen = new.citizen_id;
        let decision = self
            .guard_citizen(
                ctx,
                citizen,
                Action::SubmitResults,
                AuditAction::Create,
                "questionnaire_response",
            )
            .await?;
        let now = Timestamp::now();
        if new.authored_at.0 > now.0 + MAX_CLOCK_AHEAD_MICROS {
            return Err(DomainError::invalid(format!(
                "the answers are dated {}, which is in the future; check the device's clock",
                new.authored_at.to_rfc3339()
            ))
            .into());
        }
        let (questionnaire_id, questionnaire) = self
            .questionnaire_answered(&new.questionnaire_key, new.version.as_deref())
            .await?;
        let evaluation = questionnaire
            .evaluate(&new.answers)
            .map_err(|errors| refused(&errors))?;

        let dedup = new
            .identifier
            .as_deref()
            .map(|identifier| dedup_hash(citizen, identifier));
        if let Some(key) = &dedup
            && let Some(first) = self.response_by_dedup(key).await?
        {
            return self.answer_response_retry(ctx, &decision, first).await;
        }

        let plans = self.plans_of_citizen(citizen).await?;
        let routing = route_response(&plans, &questionnaire, &evaluation);
        let response = QuestionnaireResponse {
            id: ResponseId::new(),
            citizen_id: citizen,
            questionnaire_id,
            questionnaire_key: questionnaire.key.clone(),
            questionnaire_version: questionnaire.version.clone(),
            answers: new.answers,
            score: evaluation.score,
            authored_at: new.authored_at,
            received_at: now,
            source: new.source,
            entered_by_name: ctx.principal.display_name().to_string(),
            on_behalf_of_name: new.on_behalf_of_name,
            identifier: new.identifier,
        };
        let entered_by = match &ctx.principal {
            telesund_core::Principal::Staff { user_id, .. } => Some(user_id.0),
            telesund_core::Principal::Citizen { citizen_id, .. } => Some(citizen_id.0),
            telesund_core::Principal::System => None,
        };
        let answers = to_json(&response.answers)?;
        let findings: Vec<String> = routing
            .triage
            .iter()
            .map(|t| to_json(&t.assessment.findings))
            .collect::<Result<_>>()?;
        let records = [response_record(ctx, &decision, citizen, response.id)];
        let r = &response;
        let stored = on_write!(self, |tx| {
            sqlx::query(
                "INSERT INTO questionnaire_responses (id, citizen_id, questionnaire_id, answers, score, authored_at, received_at, \
                 source, entered_by, entered_by_name, on_behalf_of_name, identifier, dedup_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(r.id.0)
            .bind(citizen.0)
            .bind(questionnaire_id.0)
            .bind(&answers)
            .bind(r.score)
            .bind(r.authored_at.0)
            .bind(r.received_at.0)
            .bind(r.source.as_str())
            .bind(entered_by)
            .bind(&r.entered_by_name)
            .bind(r.on_behalf_of_name.as_deref())
            .bind(r.identifier.as_deref())
            .bind(dedup.as_deref())
            .execute(&mut *tx)
            .await?;
            for (t, findings) in routing.triage.iter().zip(&findings) {
                sqlx::query(
                    "INSERT INTO assessments (id, citizen_id, care_plan_id, response_id, colour, findings, result_at, assessed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(AssessmentId::new().0)
                .bind(citizen.0)
                .bind(t.plan.0)
                .bind(r.id.0)
                .bind(t.assessment.colour.as_str())
                .bind(findings)
                .bind(r.authored_at.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            }
            let raises = fold_raises(routing.triage.iter().filter_map(|t| {
                let (category, description) = t.task.as_ref()?;
                Some(Raise {
                    citizen,
                    plan: t.plan,
                    team: t.team,
                    category: *category,
                    colour: t.assessment.colour,
                    description,
                    result_at: r.authored_at,
                    now,
                })
            }));
            raise_tasks!(tx, &raises);
            crate::audit::insert_records!(tx, records)
        });
        match stored {
            Ok(()) => Ok(SubmittedResponse {
                response,
                created: true,
                assessments: routing
                    .triage
                    .into_iter()
                    .map(|t| (t.plan, t.assessment))
                    .collect(),
            }),
            // Two copies of one response raced: the first one stored wins, and this
            // submission answers as its retry.
            Err(DbError::Sql(e)) if dedup.is_some() && is_unique_violation(&e) => {
                let first = self
                    .response_by_dedup(dedup.as_deref().unwrap_or_default())
                    .await?
                    .ok_or(DbError::Sql(e))?;
                self.answer_response_retry(ctx, &decision, first).await
            }
            Err(e) => Err(e),
        }
    }

    async fn answer_response_retry(
        &self,
        ctx: &AccessCtx,
        decision: &Decision,
        first: QuestionnaireResponse,
    ) -> Result<SubmittedResponse> {
        self.audit(vec![response_record(
            ctx,
            decision,
            first.citizen_id,
            first.id,
        )])
        .await?;
        let assessments = on_read!(self, |c| {
            let rows = sqlx::query(
                "SELECT care_plan_id, findings FROM assessments WHERE citizen_id = $1 AND response_id = $2 ORDER BY id",
            )
            .bind(first.citizen_id.0)
            .bind(first.id.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    let findings: String = r.try_get("findings")?;
                    Ok((
                        CarePlanId(r.try_get("care_plan_id")?),
                        Assessment::from_findings(from_json(&findings)?),
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(SubmittedResponse {
            response: first,
            created: false,
            assessments,
        })
    }

    async fn response_by_dedup(&self, key: &[u8]) -> Result<Option<QuestionnaireResponse>> {
        on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {RESPONSE_COLUMNS} {RESPONSE_FROM} WHERE r.dedup_key = $1"
            )))
            .bind(key)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok(response_from_row!(r))).transpose()
        })
    }

    /// A citizen's questionnaire responses, newest first (at most `limit`, capped at 1,000),
    /// of one questionnaire or all, for the caller who may read clinical data.
    pub async fn responses_of(
        &self,
        ctx: &AccessCtx,
        citizen: CitizenId,
        key: Option<&str>,
        limit: i64,
    ) -> Result<Vec<QuestionnaireResponse>> {
        let record = self
            .clinical_guard(
                ctx,
                citizen,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "questionnaire_response",
                None,
            )
            .await?;
        let rows = on_read!(self, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {RESPONSE_COLUMNS} {RESPONSE_FROM} WHERE r.citizen_id = $1 AND ($2 IS NULL OR q.key = $2) \
                 ORDER BY r.authored_at DESC, r.id DESC LIMIT $3"
            )))
            .bind(citizen.0)
            .bind(key)
            .bind(limit.clamp(0, 1_000))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(response_from_row!(r)))
                .collect::<Result<Vec<_>>>()
        })?;
        self.audit(vec![record]).await?;
        Ok(rows)
    }

    /// One response, for the caller who may read its citizen's clinical data.
    pub async fn response(&self, ctx: &AccessCtx, id: ResponseId) -> Result<QuestionnaireResponse> {
        let found = on_read!(self, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {RESPONSE_COLUMNS} {RESPONSE_FROM} WHERE r.id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?;
            r.map(|r| Ok::<_, DbError>(response_from_row!(r)))
                .transpose()
        })?;
        let response = found.ok_or_else(|| DbError::not_found("questionnaire response"))?;
        let record = self
            .clinical_guard(
                ctx,
                response.citizen_id,
                Action::Read(DataCategory::Clinical),
                AuditAction::Read,
                "questionnaire_response",
                Some(id.to_string()),
            )
            .await?;
        self.audit(vec![record]).await?;
        Ok(response)
    }
}
