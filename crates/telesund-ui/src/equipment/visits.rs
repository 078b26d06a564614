//! The technician's day plan: each visit with the address and phone (when the citizen shares
//! them with logistics), door code, contact person and notes, the order's lines with their
//! serial numbers, and a form to complete it — the installation proof for an installation
//! or a swap, notes for the rest.

use super::{Flash, Shell, dk_date, eq_page, iso_date, parse_iso_date, refusal, today};
use crate::page::{OrPage, Page, PageResult, StaffAuth, encode, path_id, render, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use telesund_core::calendar::{working_day_on_or_after, working_day_on_or_before};
use telesund_core::equipment::order::LineStatus;
use telesund_core::equipment::visit::{InstallationProof, VisitKind};
use telesund_core::ids::VisitId;
use telesund_http::AppState;
use telesund_http::auth::Auth;
use time::{Date, Duration};

pub struct VisitView {
    pub id: String,
    pub kind: String,
    pub citizen: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub technician: String,
    pub door_code: String,
    pub contact_person: String,
    pub order_notes: String,
    pub notes: String,
    pub order_id: Option<String>,
    pub service: String,
    /// "Tablet: R9TX1000101".
    pub lines: Vec<String>,
    pub unit_id: Option<String>,
    pub needs_proof: bool,
}

#[derive(Template)]
#[template(path = "equipment_visits.html")]
struct DayPlanPage {
    page: Page,
    eq: Shell,
    day: String,
    day_iso: String,
    previous: String,
    next: String,
    mine: bool,
    visits: Vec<VisitView>,
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    dag: String,
    #[serde(default)]
    mine: Option<String>,
    #[serde(default)]
    ok: Option<String>,
}

async fn day_page(
    state: &AppState,
    auth: &Auth,
    day: Date,
    mine: bool,
    flash: Flash,
) -> PageResult {
    let back = format!(
        "/udstyr/besoeg?dag={}{}",
        iso_date(day),
        if mine { "&mine=1" } else { "" }
    );
    let mut page = eq_page(auth, back, "eq-visits-title");
    let mut eq = Shell::new(&page, "/udstyr/besoeg");
    flash.into_shell(&page, &mut eq);
    let technician = if mine { auth.principal.user_id() } else { None };
    let planned = state
        .db
        .day_plan(&auth.ctx(), day, technician)
        .await
        .or_page(&page)?;
    let visits = planned
        .into_iter()
        .map(|p| {
            let v = &p.visit;
            let order = p.order.as_ref();
            let delivery = order.map(|o| o.delivery.clone()).unwrap_or_default();
            VisitView {
                id: v.id.to_string(),
                kind: page.label("eq-visitkind", v.kind.as_str()),
                citizen: v.citizen_name.clone(),
                address: p.address.clone(),
                phone: p.phone.clone(),
                technician: v.technician_name.clone().unwrap_or_default(),
                door_code: delivery.door_code,
                contact_person: delivery.contact_person,
                order_notes: delivery.notes,
                notes: v.notes.clone(),
                order_id: v.order_id.map(|o| o.to_string()),
                service: order
                    .map(|o| page.label("eq-service", o.service_type.as_str()))
                    .unwrap_or_default(),
                lines: order
                    .map(|o| {
                        o.lines
                            .iter()
                            .filter(|l| l.status != LineStatus::Cancelled)
                            .map(|l| {
                                format!(
                                    "{}: {}",
                                    page.label("eq-role", l.role.as_str()),
                                    l.serial
                                        .clone()
                                        .unwrap_or_else(|| page.label("eq-line", l.status.as_str()))
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                unit_id: v.unit_id.map(|u| u.to_string()),
                needs_proof: matches!(v.kind, VisitKind::Install | VisitKind::Swap),
            }
        })
        .collect();
    page.title = format!("{} · {}", page.t("eq-visits-title"), dk_date(day));
    let body = DayPlanPage {
        day: dk_date(day),
        day_iso: iso_date(day),
        previous: iso_date(working_day_on_or_before(day - Duration::days(1))),
        next: iso_date(working_day_on_or_after(day + Duration::days(1))),
        mine,
        visits,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn day_plan(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<DayQuery>,
) -> PageResult {
    let day = parse_iso_date(&q.dag).unwrap_or_else(today);
    day_page(
        &state,
        &auth,
        day,
        q.mine.is_some(),
        Flash::ok(q.ok.as_deref()),
    )
    .await
}

#[derive(Deserialize)]
pub struct CompleteForm {
    #[serde(default)]
    dag: String,
    /// Set on the form of an installation or a swap, which needs the proof.
    #[serde(default)]
    proof: Option<String>,
    #[serde(default)]
    pairing_tested: Option<String>,
    #[serde(default)]
    first_measurement_received: Option<String>,
    #[serde(default)]
    citizen_instructed: Option<String>,
    #[serde(default)]
    signed_by: String,
    #[serde(default)]
    notes: String,
}

pub async fn complete(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<CompleteForm>,
) -> PageResult {
    let day = parse_iso_date(&f.dag).unwrap_or_else(today);
    let page = eq_page(
        &auth,
        format!("/udstyr/besoeg?dag={}", iso_date(day)),
        "eq-visits-title",
    );
    let visit: VisitId = path_id(&id, "visit", &page)?;
    let proof = f.proof.is_some().then(|| InstallationProof {
        pairing_tested: f.pairing_tested.is_some(),
        first_measurement_received: f.first_measurement_received.is_some(),
        citizen_instructed: f.citizen_instructed.is_some(),
        signed_by: f.signed_by.trim().to_string(),
    });
    match state
        .db
        .complete_visit(&auth.ctx(), visit, proof, f.notes.trim())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/udstyr/besoeg?dag={}&ok=completed",
            encode(&iso_date(day))
        ))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            day_page(&state, &auth, day, false, Flash::error(msg)).await
        }
    }
}
