//! The care work around home measurements as FHIR: programmes (PlanDefinition), a citizen's
//! care plans (CarePlan), questionnaires and answers (Questionnaire, QuestionnaireResponse),
//! the triage of each result (ClinicalImpression) and the team's work (Task).

use super::observation::{input_error, submission_error};
use super::rest::{Fhir, Params, base, logical_id, reference, searchset, token};
use crate::auth::Auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use telesund_core::Principal;
use telesund_core::ids::{CitizenId, ProgrammeVersionId, QuestionnaireId, ResponseId, TaskId};
use telesund_core::monitoring::observation::Source;
use telesund_core::monitoring::programme::{PlanStatus, VersionStatus};
use telesund_core::monitoring::work::TaskStatus;
use telesund_db::monitoring::questionnaires::NewResponse;
use telesund_db::monitoring::worklist::{TaskOwner, TaskQuery};

/// The citizen a `patient` (or `subject`) parameter names; required where given as such.
fn patient(params: &Params) -> Result<Option<CitizenId>, ApiError> {
    match (params.one("patient")?, params.one("subject")?) {
        (Some(p), None) => Ok(Some(reference(p, "Patient", "patient")?)),
        (None, Some(s)) => Ok(Some(reference(s, "Patient", "subject")?)),
        (Some(_), Some(_)) => Err(ApiError::invalid("give patient or subject, not both")),
        (None, None) => Ok(None),
    }
}

fn required_patient(params: &Params) -> Result<CitizenId, ApiError> {
    patient(params)?.ok_or_else(|| {
        ApiError::invalid("give patient=Patient/<id>: these are one citizen's records")
            .at("patient")
    })
}

fn bad_status(value: &str, allowed: &str) -> ApiError {
    ApiError::invalid(format!("status '{value}' is not one of {allowed}")).at("status")
}

pub async fn search_care_plans(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient", "subject", "status"])?;
    let citizen = required_patient(&params)?;
    let status = match params.one("status")? {
        None => None,
        Some("active") => Some(PlanStatus::Active),
        Some("on-hold") => Some(PlanStatus::Paused),
        Some("completed") => Some(PlanStatus::Ended),
        Some(other) => return Err(bad_status(other, "active, on-hold, completed")),
    };
    let plans = state.db.care_plans_of(&auth.ctx(), citizen).await?;
    let entries = plans
        .iter()
        .filter(|p| status.is_none_or(|s| p.status == s))
        .map(|p| {
            (
                format!("CarePlan/{}", p.id),
                telesund_fhir::care_plan::from_domain(p),
            )
        })
        .collect();
    Ok(searchset(&state, "CarePlan", &params, None, entries))
}

/// A version as a PlanDefinition, with its programme's name and owner.
async fn plan_definition(
    state: &AppState,
    programme: &telesund_core::care::Programme,
    v: &telesund_core::monitoring::programme::ProgrammeVersion,
) -> Result<telesund_fhir::plan_definition::PlanDefinition, ApiError> {
    let owner = state
        .db
        .organisation_name(Some(programme.owner_org_id))
        .await?;
    Ok(telesund_fhir::plan_definition::from_domain(
        v,
        &programme.name,
        programme.owner_org_id,
        owner.as_deref(),
    ))
}

/// Programmes are not personal data: any signed-in user may read them.
pub async fn read_plan_definition(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ProgrammeVersionId = logical_id(&id, "PlanDefinition")?;
    let v = state.db.programme_version(id).await?;
    let programme = state.db.programme(v.programme_id).await?;
    Ok(Fhir(plan_definition(&state, &programme, &v).await?))
}

pub async fn search_plan_definitions(
    State(state): State<AppState>,
    _auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["status"])?;
    let status = match params.one("status")? {
        None => None,
        Some(s) => {
            Some(VersionStatus::parse(s).map_err(|_| bad_status(s, "draft, active, retired"))?)
        }
    };
    let mut entries = Vec::new();
    for p in state.db.programmes().await? {
        for v in state.db.programme_versions(p.id).await? {
            if status.is_none_or(|s| v.status == s) {
                entries.push((
                    format!("PlanDefinition/{}", v.id),
                    plan_definition(&state, &p, &v).await?,
                ));
            }
        }
    }
    Ok(searchset(&state, "PlanDefinition", &params, None, entries))
}

pub async fn read_questionnaire(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: QuestionnaireId = logical_id(&id, "Questionnaire")?;
    let (id, q, status) = state.db.questionnaire(id).await?;
    Ok(Fhir(telesund_fhir::questionnaire::from_domain(
        &q, id, &status,
    )))
}

pub async fn search_questionnaires(
    State(state): State<AppState>,
    _auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["status", "url"])?;
    let status = params.one("status")?;
    let url = params.one("url")?;
    let entries = state
        .db
        .questionnaires()
        .await?
        .into_iter()
        .filter(|(_, _, s)| status.is_none_or(|want| want == s))
        .map(|(id, q, s)| (id, telesund_fhir::questionnaire::from_domain(&q, id, &s)))
        .filter(|(_, q)| url.is_none_or(|u| q.url == u.split('|').next().unwrap_or(u)))
        .map(|(id, q)| (format!("Questionnaire/{id}"), q))
        .collect();
    Ok(searchset(&state, "Questionnaire", &params, None, entries))
}

pub async fn create_response(
    State(state): State<AppState>,
    auth: Auth,
    JsonBody(json): JsonBody<serde_json::Value>,
) -> Result<impl IntoResponse, ApiError> {
    let incoming = telesund_fhir::questionnaire::parse_response(&json).map_err(input_error)?;
    let source = Source::of_submission(matches!(auth.principal, Principal::Citizen { .. }), false);
    let submitted = state
        .db
        .submit_response(
            &auth.ctx(),
            NewResponse {
                citizen_id: incoming.citizen_id,
                questionnaire_key: incoming.questionnaire_key,
                version: incoming.questionnaire_version,
                answers: incoming.answers,
                authored_at: incoming.authored_at,
                source,
                identifier: incoming.identifier,
                on_behalf_of_name: None,
            },
        )
        .await
        .map_err(|e| {
            let mut e = submission_error(e);
            if e.location.as_deref() == Some("Observation.subject") {
                e.location = Some("QuestionnaireResponse.subject".into());
                e.message = "QuestionnaireResponse.subject refers to no citizen known here".into();
            }
            e
        })?;
    let r = &submitted.response;
    let questionnaire = state.db.questionnaire(r.questionnaire_id).await.ok();
    let status = if submitted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(
            header::LOCATION,
            format!("{}/QuestionnaireResponse/{}", base(&state), r.id),
        )],
        Fhir(telesund_fhir::questionnaire::response_from_domain(
            r,
            questionnaire.as_ref().map(|(_, q, _)| q),
        )),
    ))
}

pub async fn read_response(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ResponseId = logical_id(&id, "QuestionnaireResponse")?;
    let r = state.db.response(&auth.ctx(), id).await?;
    let questionnaire = state.db.questionnaire(r.questionnaire_id).await.ok();
    Ok(Fhir(telesund_fhir::questionnaire::response_from_domain(
        &r,
        questionnaire.as_ref().map(|(_, q, _)| q),
    )))
}

pub async fn search_responses(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient", "subject", "status"])?;
    let citizen = required_patient(&params)?;
    if let Some(s) = params.one("status")?
        && s != "completed"
    {
        return Err(bad_status(s, "completed"));
    }
    let count = params.count(50, 200)?;
    let found = state
        .db
        .responses_of(&auth.ctx(), citizen, None, i64::from(count))
        .await?;
    // A citizen's answers are to a handful of questionnaires: each is read once.
    let mut questionnaires = std::collections::HashMap::new();
    let mut entries = Vec::new();
    for r in &found {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            questionnaires.entry(r.questionnaire_id)
        {
            slot.insert(state.db.questionnaire(r.questionnaire_id).await.ok());
        }
        let q = &questionnaires[&r.questionnaire_id];
        entries.push((
            format!("QuestionnaireResponse/{}", r.id),
            telesund_fhir::questionnaire::response_from_domain(r, q.as_ref().map(|(_, q, _)| q)),
        ));
    }
    Ok(searchset(
        &state,
        "QuestionnaireResponse",
        &params,
        None,
        entries,
    ))
}

pub async fn search_clinical_impressions(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient", "subject", "status"])?;
    let citizen = required_patient(&params)?;
    if let Some(s) = params.one("status")?
        && s != "completed"
    {
        return Err(bad_status(s, "completed"));
    }
    let count = params.count(50, 500)?;
    let found = state
        .db
        .assessments_of(&auth.ctx(), citizen, None, i64::from(count))
        .await?;
    let entries = found
        .iter()
        .map(|a| {
            (
                format!("ClinicalImpression/{}", a.id),
                telesund_fhir::clinical_impression::from_domain(a),
            )
        })
        .collect();
    Ok(searchset(
        &state,
        "ClinicalImpression",
        &params,
        None,
        entries,
    ))
}

pub async fn read_task(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id: TaskId = logical_id(&id, "Task")?;
    let t = state.db.task(&auth.ctx(), id).await?;
    Ok(Fhir(telesund_fhir::task::from_domain(&t)))
}

/// Tasks of one citizen (`patient`), or of the caller's teams; by `status` and `owner`
/// (`Practitioner/<id>` for who took it, `CareTeam/<id>` for a team's).
pub async fn search_tasks(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params = Params::parse(query.as_deref(), &["patient", "subject", "status", "owner"])?;
    let citizen = patient(&params)?;
    let status = match params.one("status")? {
        None => None,
        Some(s) => Some(
            TaskStatus::parse(s)
                .map_err(|_| bad_status(s, "requested, in-progress, completed, cancelled"))?,
        ),
    };
    let owner = match params.one("owner")? {
        None => None,
        Some(o) if o.contains("CareTeam/") => {
            Some(TaskOwner::Team(reference(o, "CareTeam", "owner")?))
        }
        Some(o) => {
            let (_, value) = token(o);
            Some(TaskOwner::User(reference(value, "Practitioner", "owner")?))
        }
    };
    let count = params.count(50, 500)?;
    let found = state
        .db
        .tasks(
            &auth.ctx(),
            &TaskQuery {
                citizen,
                status,
                owner,
                limit: i64::from(count),
            },
        )
        .await?;
    let entries = found
        .iter()
        .map(|t| {
            (
                format!("Task/{}", t.id),
                telesund_fhir::task::from_domain(t),
            )
        })
        .collect();
    Ok(searchset(&state, "Task", &params, None, entries))
}
