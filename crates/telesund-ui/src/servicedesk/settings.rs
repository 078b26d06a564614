//! The desk's settings: its one phone number and its business calendar (opening hours per
//! weekday, its own closing days, whether public holidays close it). The clocks of every
//! case count working time on this calendar; storage lets only the centre's own agents and
//! lead change it.

use super::cases::NAV;
use crate::page::{OrPage, Page, PageResult, StaffAuth, UiError, render, see_other};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;
use telesund_core::access::Principal;
use telesund_core::identity::{OrgKind, Role};
use telesund_core::ids::OrgId;
use telesund_core::servicedesk::sla::{BusinessCalendar, Hours};
use telesund_http::auth::Auth;
use telesund_http::{ApiError, AppState};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new().route("/servicedesk/indstillinger", get(settings).post(save))
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub struct DayRow {
    pub key: &'static str,
    pub name: String,
    pub open: bool,
    pub from: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "servicedesk/settings.html")]
struct SettingsPage {
    page: Page,
    phone: String,
    days: Vec<DayRow>,
    closed_days: String,
    holidays_closed: bool,
    saved: bool,
}

/// The service centre the signed-in agent or lead keeps the desk of.
fn own_centre(auth: &Auth, page: &Page) -> Result<OrgId, UiError> {
    match &auth.principal {
        Principal::Staff { memberships, .. } => memberships
            .iter()
            .find(|m| {
                m.org_kind == OrgKind::ServiceCentre
                    && matches!(m.role, Role::ServiceDeskAgent | Role::OrgAdmin)
            })
            .map(|m| m.org_id),
        _ => None,
    }
    .ok_or_else(|| {
        UiError::in_page(
            ApiError::from(telesund_db::DbError::forbidden(
                "a centre's agents and administrators keep its number and hours",
            )),
            page,
        )
    })
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let page = Page::staff(
        &auth,
        "/servicedesk/indstillinger".into(),
        crate::i18n::t(auth.language(), "sd-settings-title"),
        NAV,
    );
    let centre = own_centre(&auth, &page)?;
    state
        .db
        .check_desk_access(&auth.ctx())
        .await
        .or_page(&page)?;
    let desk = state.db.desk(centre).await.or_page(&page)?;
    let (phone, cal) = match desk {
        Some(d) => (d.phone, d.calendar),
        None => (String::new(), BusinessCalendar::office_hours()),
    };
    let days = DAYS
        .iter()
        .zip(cal.week.iter())
        .map(|(key, h)| DayRow {
            key,
            name: page.label("help-day", key),
            open: h.is_some(),
            from: h.map(|h| hhmm(h.open)).unwrap_or_else(|| "08:00".into()),
            to: h.map(|h| hhmm(h.close)).unwrap_or_else(|| "16:00".into()),
        })
        .collect();
    let closed_days = cal
        .closed_days
        .iter()
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()))
        .collect::<Vec<_>>()
        .join("\n");
    let body = SettingsPage {
        phone,
        days,
        closed_days,
        holidays_closed: cal.closed_on_holidays,
        saved: q.ok.is_some(),
        page,
    };
    Ok(render(StatusCode::OK, &body))
}

/// The form: `phone`, `closed_days` (one date a line), `holidays`, and per weekday
/// `{day}_open`, `{day}_from`, `{day}_to`.
pub async fn save(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let page = Page::staff(
        &auth,
        "/servicedesk/indstillinger".into(),
        crate::i18n::t(auth.language(), "sd-settings-title"),
        NAV,
    );
    let centre = own_centre(&auth, &page)?;
    let invalid = |m: String| UiError::in_page(ApiError::invalid(m), &page);
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let mut week = [None; 7];
    for (i, day) in DAYS.iter().enumerate() {
        if field(&format!("{day}_open")).is_empty() {
            continue;
        }
        let from = parse_hhmm(field(&format!("{day}_from")));
        let to = parse_hhmm(field(&format!("{day}_to")));
        match (from, to) {
            (Some(open), Some(close)) => week[i] = Some(Hours { open, close }),
            _ => return Err(invalid(format!("{day}: opening hours are HH:MM"))),
        }
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut closed_days = Vec::new();
    for line in field("closed_days")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        closed_days.push(
            Date::parse(line, format)
                .map_err(|_| invalid(format!("'{line}' is not a date as YYYY-MM-DD")))?,
        );
    }
    closed_days.sort();
    closed_days.dedup();
    let calendar = BusinessCalendar {
        week,
        closed_days,
        closed_on_holidays: !field("holidays").is_empty(),
    };
    state
        .db
        .set_desk(&auth.ctx(), centre, field("phone"), &calendar)
        .await
        .or_page(&page)?;
    Ok(see_other("/servicedesk/indstillinger?ok=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_hours_and_minutes() {
        assert_eq!(parse_hhmm("08:00"), Some(480));
        assert_eq!(parse_hhmm(" 16:30 "), Some(990));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8"), None);
        assert_eq!(parse_hhmm("08:60"), None);
        assert_eq!(hhmm(990), "16:30");
    }
}
