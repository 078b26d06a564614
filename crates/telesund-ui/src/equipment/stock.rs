//! Stock per warehouse and model with reorder levels and alerts, stock-taking by scanning,
//! and recalls by UDI-DI and lot with the citizens they concern.

use super::{Flash, Opt, Shell, UnitRow, eq_page, opt, refusal, unit_row};
use crate::page::{OrPage, Page, PageResult, StaffAuth, encode, path_id, render, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use telesund_core::ids::{ModelId, WarehouseId};
use telesund_db::equipment::stock::{RecallReport, StockTakeResult};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};

pub struct StockRow {
    pub warehouse_id: String,
    pub warehouse: String,
    pub model_id: String,
    pub model: String,
    pub available: i64,
    pub other_ready: i64,
    pub dirty: i64,
    pub reorder_level: i64,
    pub below: bool,
}

#[derive(Template)]
#[template(path = "equipment_stock.html")]
struct StockPage {
    page: Page,
    eq: Shell,
    rows: Vec<StockRow>,
    alerts: usize,
    warehouses: Vec<Opt>,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    ok: Option<String>,
}

async fn stock_page(state: &AppState, auth: &Auth, flash: Flash) -> PageResult {
    let page = eq_page(auth, "/udstyr/lager".into(), "eq-stock-title");
    let mut eq = Shell::new(&page, "/udstyr/lager");
    flash.into_shell(&page, &mut eq);
    let lines = state.db.stock(&auth.ctx()).await.or_page(&page)?;
    let rows: Vec<StockRow> = lines
        .iter()
        .map(|l| StockRow {
            warehouse_id: l.warehouse_id.to_string(),
            warehouse: l.warehouse_name.clone(),
            model_id: l.model_id.to_string(),
            model: l.model_name.clone(),
            available: l.available,
            other_ready: l.other_ready,
            dirty: l.dirty,
            reorder_level: l.reorder_level,
            below: l.below_reorder_level(),
        })
        .collect();
    let warehouses = state
        .db
        .warehouses()
        .await?
        .into_iter()
        .map(|w| opt(w.id.to_string(), w.name, false))
        .collect();
    let body = StockPage {
        alerts: rows.iter().filter(|r| r.below).count(),
        rows,
        warehouses,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

pub async fn stock(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<OkQuery>,
) -> PageResult {
    stock_page(&state, &auth, Flash::ok(q.ok.as_deref())).await
}

#[derive(Deserialize)]
pub struct ReorderForm {
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    level: String,
}

pub async fn reorder(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<ReorderForm>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/lager".into(), "eq-stock-title");
    let warehouse: WarehouseId = path_id(&f.warehouse, "warehouse", &page)?;
    let model: ModelId = path_id(&f.model, "model", &page)?;
    let Ok(level) = f.level.trim().parse::<i64>() else {
        let msg = page.t("eq-error-level");
        return stock_page(&state, &auth, Flash::error(msg)).await;
    };
    match state
        .db
        .set_reorder_level(&auth.ctx(), warehouse, model, level)
        .await
    {
        Ok(()) => Ok(see_other("/udstyr/lager?ok=reorder")),
        Err(e) => {
            let msg = refusal(&page, e)?;
            stock_page(&state, &auth, Flash::error(msg)).await
        }
    }
}

// ---------------------------------------------------------------- stock-takes

#[derive(Template)]
#[template(path = "equipment_stocktake.html")]
struct TakePage {
    page: Page,
    eq: Shell,
    id: String,
    scanned: Option<String>,
    result: Option<TakeResult>,
}

pub struct TakeResult {
    pub scanned: usize,
    pub missing: Vec<UnitRow>,
    pub unexpected: Vec<UnitRow>,
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    warehouse: String,
}

pub async fn start_take(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<StartForm>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/lager".into(), "eq-stock-title");
    let warehouse: WarehouseId = path_id(&f.warehouse, "warehouse", &page)?;
    let id = state
        .db
        .start_stock_take(&auth.ctx(), warehouse)
        .await
        .or_page(&page)?;
    Ok(see_other(&format!("/udstyr/lager/optaelling/{id}")))
}

fn take_page(
    page: Page,
    id: uuid::Uuid,
    scanned: Option<String>,
    result: Option<TakeResult>,
    flash: Flash,
) -> PageResult {
    let mut eq = Shell::new(&page, "/udstyr/lager");
    flash.into_shell(&page, &mut eq);
    let body = TakePage {
        id: id.to_string(),
        scanned,
        result,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

#[derive(Deserialize, Default)]
pub struct TakeQuery {
    #[serde(default)]
    scannet: Option<String>,
}

pub async fn take(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    Query(q): Query<TakeQuery>,
) -> PageResult {
    let page = eq_page(
        &auth,
        format!("/udstyr/lager/optaelling/{id}"),
        "eq-take-title",
    );
    super::gate(&state, &auth, &page).await?;
    let take: uuid::Uuid = path_id(&id, "stock-take", &page)?;
    let scanned = q
        .scannet
        .filter(|s| !s.trim().is_empty())
        .map(|s| page.t1("eq-take-scanned", "serial", s.trim()));
    take_page(page, take, scanned, None, Flash::default())
}

#[derive(Deserialize)]
pub struct ScanForm {
    #[serde(default)]
    scanned: String,
}

pub async fn scan(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ScanForm>,
) -> PageResult {
    let page = eq_page(
        &auth,
        format!("/udstyr/lager/optaelling/{id}"),
        "eq-take-title",
    );
    let take: uuid::Uuid = path_id(&id, "stock-take", &page)?;
    match state
        .db
        .scan_for_stock_take(&auth.ctx(), take, f.scanned.trim())
        .await
    {
        Ok(unit) => Ok(see_other(&format!(
            "/udstyr/lager/optaelling/{id}?scannet={}",
            encode(&unit.unit.pi.serial)
        ))),
        Err(e) => {
            let msg = refusal(&page, e)?;
            take_page(page, take, None, None, Flash::error(msg))
        }
    }
}

pub async fn finish(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Path(id): Path<String>,
) -> PageResult {
    let page = eq_page(
        &auth,
        format!("/udstyr/lager/optaelling/{id}"),
        "eq-take-title",
    );
    let take: uuid::Uuid = path_id(&id, "stock-take", &page)?;
    let r: StockTakeResult = state
        .db
        .finish_stock_take(&auth.ctx(), take)
        .await
        .or_page(&page)?;
    let result = TakeResult {
        scanned: r.scanned,
        missing: r.missing.iter().map(|s| unit_row(&page, s)).collect(),
        unexpected: r.unexpected.iter().map(|s| unit_row(&page, s)).collect(),
    };
    take_page(page, take, None, Some(result), Flash::default())
}

// ---------------------------------------------------------------- recalls

pub struct AffectedRow {
    pub citizen: String,
    pub serial: String,
    pub programmes: String,
    pub teams: String,
}

pub struct RecallView {
    pub held: Vec<UnitRow>,
    pub affected: Vec<AffectedRow>,
}

pub struct HolderRow {
    pub citizen: String,
    pub unit_id: String,
    pub serial: String,
    pub from: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "equipment_recall.html")]
struct RecallPage {
    page: Page,
    eq: Shell,
    models: Vec<Opt>,
    lot: String,
    reason: String,
    report: Option<RecallView>,
    looked_up: bool,
    holders: Vec<HolderRow>,
}

#[derive(Deserialize, Default)]
pub struct RecallQuery {
    #[serde(default)]
    di: String,
    #[serde(default)]
    lot: String,
}

#[derive(Deserialize, Default)]
pub struct RecallForm {
    #[serde(default)]
    di: String,
    #[serde(default)]
    lot: String,
    #[serde(default)]
    reason: String,
}

fn lot_of(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|l| !l.is_empty())
}

async fn recall_view(
    state: &AppState,
    auth: &Auth,
    form: RecallForm,
    report: Option<RecallReport>,
    lookup: bool,
    flash: Flash,
) -> PageResult {
    let back = if lookup {
        format!(
            "/udstyr/tilbagekald?di={}&lot={}",
            encode(form.di.trim()),
            encode(form.lot.trim())
        )
    } else {
        "/udstyr/tilbagekald".into()
    };
    let page = eq_page(auth, back, "eq-recall-title");
    super::gate(state, auth, &page).await?;
    let mut eq = Shell::new(&page, "/udstyr/tilbagekald");
    flash.into_shell(&page, &mut eq);
    let holders = if lookup && !form.di.trim().is_empty() {
        state
            .db
            .lot_holders(&auth.ctx(), form.di.trim(), lot_of(&form.lot))
            .await
            .or_page(&page)?
            .into_iter()
            .map(|h| HolderRow {
                citizen: h.citizen_name,
                unit_id: h.unit_id.to_string(),
                serial: h.serial,
                from: h.from.danish(),
                to: h
                    .to
                    .map(|t| t.danish())
                    .unwrap_or_else(|| page.t("eq-still")),
            })
            .collect()
    } else {
        Vec::new()
    };
    let models = state
        .db
        .models()
        .await?
        .into_iter()
        .map(|m| {
            let selected = m.udi_di == form.di.trim();
            opt(
                m.udi_di.clone(),
                format!("{} {} – {}", m.manufacturer, m.name, m.udi_di),
                selected,
            )
        })
        .collect();
    let report = report.map(|r| RecallView {
        held: r.held.iter().map(|s| unit_row(&page, s)).collect(),
        affected: r
            .affected
            .into_iter()
            .map(|a| AffectedRow {
                citizen: a.citizen_name,
                serial: a.serial,
                programmes: a.programmes.join(", "),
                teams: a.teams.join(", "),
            })
            .collect(),
    });
    let body = RecallPage {
        models,
        lot: form.lot.trim().to_string(),
        reason: form.reason,
        report,
        looked_up: lookup && !form.di.trim().is_empty(),
        holders,
        eq,
        page,
    };
    Ok(render(body.eq.status(), &body))
}

/// The recall form, and a lookup of who had units of a model (or one lot of it).
pub async fn recall_page(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<RecallQuery>,
) -> PageResult {
    let lookup = !q.di.trim().is_empty();
    let form = RecallForm {
        di: q.di,
        lot: q.lot,
        reason: String::new(),
    };
    recall_view(&state, &auth, form, None, lookup, Flash::default()).await
}

pub async fn recall(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<RecallForm>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/tilbagekald".into(), "eq-recall-title");
    match state
        .db
        .recall(&auth.ctx(), f.di.trim(), lot_of(&f.lot), f.reason.trim())
        .await
    {
        Ok(report) => {
            let shown = RecallForm {
                di: f.di,
                lot: f.lot,
                reason: String::new(),
            };
            let flash = Flash::ok(Some("recall"));
            recall_view(&state, &auth, shown, Some(report), false, flash).await
        }
        Err(e) => {
            let msg = refusal(&page, ApiError::from(e))?;
            recall_view(&state, &auth, f, None, false, Flash::error(msg)).await
        }
    }
}
