//! The monthly statements per paying organisation, and one statement as CSV for the payer's
//! finance system. Storage decides who may read them (`ReadEquipmentCosts`): the service
//! centre sees every payer, a paying organisation's administrators their own.

use super::{Shell, eq_page, kr};
use crate::page::{OrPage, Page, PageResult, StaffAuth, can_manage_equipment, path_id, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use telesund_core::equipment::cost::{Statement, to_csv};
use telesund_core::ids::OrgId;
use telesund_http::AppState;
use time::Month;

/// "2026-11" → (2026, November); anything else is None.
pub(crate) fn parse_month(s: &str) -> Option<(i32, Month)> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Some((year, month))
}

pub(crate) fn month_text(year: i32, month: Month) -> String {
    format!("{year:04}-{:02}", month as u8)
}

fn this_month() -> (i32, Month) {
    let d = super::today();
    (d.year(), d.month())
}

pub struct LineRow {
    pub kind: String,
    pub description: String,
    pub serial: String,
    pub quantity: i64,
    pub amount: String,
}

pub struct StatementView {
    pub payer_id: String,
    pub payer: String,
    pub lines: Vec<LineRow>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "equipment_statements.html")]
struct StatementsPage {
    page: Page,
    eq: Shell,
    /// The equipment navigation and scan field are for the service centre only.
    service_centre: bool,
    month: String,
    month_name: String,
    previous: String,
    next: String,
    statements: Vec<StatementView>,
    grand_total: String,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    maaned: String,
    #[serde(default)]
    betaler: String,
}

fn month_name(page: &Page, year: i32, month: Month) -> String {
    let key = format!("eq-month-{}", month as u8);
    format!("{} {year}", crate::i18n::t(page.lang, &key))
}

fn shifted(year: i32, month: Month, forward: bool) -> String {
    let (y, m) = match (forward, month) {
        (true, Month::December) => (year + 1, Month::January),
        (true, m) => (year, m.next()),
        (false, Month::January) => (year - 1, Month::December),
        (false, m) => (year, m.previous()),
    };
    month_text(y, m)
}

pub async fn statements(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    let (year, month) = parse_month(&q.maaned).unwrap_or_else(this_month);
    let text = month_text(year, month);
    let mut page = eq_page(
        &auth,
        format!("/udstyr/opgoerelse?maaned={text}"),
        "eq-statements-title",
    );
    let payer: Option<OrgId> = if q.betaler.trim().is_empty() {
        None
    } else {
        Some(path_id(q.betaler.trim(), "organisation", &page)?)
    };
    let all = state
        .db
        .equipment_statements(&auth.ctx(), year, month, payer)
        .await
        .or_page(&page)?;
    let grand: i64 = all.iter().map(|s| s.statement.total).sum();
    let views = all
        .iter()
        .map(|n| StatementView {
            payer_id: n.statement.payer.to_string(),
            payer: n.payer_name.clone(),
            lines: n
                .statement
                .lines
                .iter()
                .map(|l| LineRow {
                    kind: page.label("eq-linekind", l.kind.as_str()),
                    description: l.description.clone(),
                    serial: l.serial.clone(),
                    quantity: l.quantity,
                    amount: kr(&page, l.amount),
                })
                .collect(),
            total: kr(&page, n.statement.total),
        })
        .collect();
    let name = month_name(&page, year, month);
    page.title = format!("{} · {name}", page.t("eq-statements-title"));
    let eq = Shell::new(&page, "/udstyr/opgoerelse");
    let body = StatementsPage {
        service_centre: can_manage_equipment(&auth),
        month: text,
        month_name: name,
        previous: shifted(year, month, false),
        next: shifted(year, month, true),
        statements: views,
        grand_total: kr(&page, grand),
        eq,
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

/// One payer's statement as CSV (semicolons, decimal commas, the total as the last row).
pub async fn csv(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    let page = eq_page(&auth, "/udstyr/opgoerelse".into(), "eq-statements-title");
    let (year, month) = match parse_month(&q.maaned) {
        Some(m) => m,
        None => this_month(),
    };
    let payer: OrgId = path_id(q.betaler.trim(), "organisation", &page)?;
    let found = state
        .db
        .equipment_statements(&auth.ctx(), year, month, Some(payer))
        .await
        .or_page(&page)?
        .into_iter()
        .next();
    let (name, statement) = match found {
        Some(n) => (n.payer_name, n.statement),
        None => {
            // Nothing charged that month: an empty statement with its zero total.
            let name = state
                .db
                .organisations(None)
                .await?
                .into_iter()
                .find(|o| o.id == payer)
                .map(|o| o.name)
                .unwrap_or_default();
            let empty = Statement {
                payer,
                lines: Vec::new(),
                total: 0,
            };
            (name, empty)
        }
    };
    let text = month_text(year, month);
    let body = to_csv(&statement, &name, &text);
    let slug: String = name
        .chars()
        .map(|c| match c {
            'æ' | 'Æ' => "ae".to_string(),
            'ø' | 'Ø' => "oe".to_string(),
            'å' | 'Å' => "aa".to_string(),
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase().to_string(),
            _ => "-".to_string(),
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"udstyr-{text}-{slug}.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_and_stepped() {
        assert_eq!(parse_month("2026-11"), Some((2026, Month::November)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("26-11"), None);
        assert_eq!(shifted(2026, Month::December, true), "2027-01");
        assert_eq!(shifted(2026, Month::January, false), "2025-12");
    }
}
