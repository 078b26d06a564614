//! The service desk's reports page, `/servicedesk/rapporter`: a period (the current month
//! unless chosen), the figures of `telesund_core::servicedesk::report` as tables, and the
//! same report as CSV (`/servicedesk/rapporter.csv`). Storage decides who may see it
//! (`RunServiceDesk`); a refusal renders the 403 page. The figures are aggregates: no
//! citizen is named here.

use crate::equipment::{dk_date, iso_date, parse_iso_date, today};
use crate::page::{OrPage, Page, PageResult, StaffAuth, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use telesund_core::identity::Language;
use telesund_core::servicedesk::report::{
    Attainment, NamedCount, Period, ServiceReport, decimal_comma, hours,
};
use telesund_http::{ApiError, AppState};
use time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/servicedesk/rapporter", get(reports))
        .route("/servicedesk/rapporter.csv", get(csv))
}

/// The navigation link the page belongs under.
const NAV: &str = "/servicedesk";

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    fra: String,
    #[serde(default)]
    til: String,
}

impl PeriodQuery {
    /// Both days empty: this month. One of them: that day's month fills in the other, as a
    /// person filling in only "fra" means "from then, to the end of that month".
    fn period(&self) -> Result<Period, ApiError> {
        let day = |s: &str, field: &str| -> Result<Option<time::Date>, ApiError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            parse_iso_date(s).map(Some).ok_or_else(|| {
                ApiError::invalid(format!("{field} must be a date as YYYY-MM-DD, not '{s}'"))
                    .at(field.to_string())
            })
        };
        let (from, to) = (day(&self.fra, "fra")?, day(&self.til, "til")?);
        Ok(match (from, to) {
            (None, None) => Period::month_of(today()),
            (Some(f), None) => Period::new(f, Period::month_of(f).to)?,
            (None, Some(t)) => Period::new(Period::month_of(t).from, t)?,
            (Some(f), Some(t)) => Period::new(f, t)?,
        })
    }
}

/// One row of a count table.
pub struct CountRow {
    pub label: String,
    pub cases: u64,
    pub share: String,
}

/// A table of cases per value (channel, category, model, payer).
pub struct CountTable {
    pub id: &'static str,
    pub heading: String,
    pub column: String,
    pub rows: Vec<CountRow>,
}

/// One SLA clock's attainment.
pub struct SlaRow {
    pub id: &'static str,
    pub label: String,
    pub met: u64,
    pub breached: u64,
    pub running: u64,
    pub percent: String,
}

pub struct FaultRow {
    pub model: String,
    pub faults: u64,
    pub cases: u64,
    pub share: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ page.t("sdr-title") }}</h1>
<p class="lead" id="report-period">{{ period_text }}</p>
<form method="get" action="/servicedesk/rapporter" class="search-form" id="period-form">
  <div class="field"><label for="from">{{ page.t("sdr-from") }}</label><input type="date" id="from" name="fra" value="{{ from }}" required></div>
  <div class="field"><label for="to">{{ page.t("sdr-to") }}</label><input type="date" id="to" name="til" value="{{ to }}" required></div>
  <div class="field"><button type="submit">{{ page.t("sdr-show") }}</button></div>
</form>
<p class="pagination"><a href="/servicedesk/rapporter?fra={{ previous.0 }}&amp;til={{ previous.1 }}" rel="prev">{{ page.t("sdr-previous-month") }}</a> · <a href="/servicedesk/rapporter?fra={{ next.0 }}&amp;til={{ next.1 }}" rel="next">{{ page.t("sdr-next-month") }}</a></p>
<p><a class="button secondary" id="report-csv" href="/servicedesk/rapporter.csv?fra={{ from }}&amp;til={{ to }}" download>{{ page.t("sdr-csv") }}</a></p>

<section class="card" aria-labelledby="summary-heading">
  <h2 id="summary-heading">{{ page.t("sdr-summary") }}</h2>
  {% if total == 0 %}<p class="notice" id="report-empty">{{ page.t("sdr-empty") }}</p>{% endif %}
  <dl class="facts" id="report-summary">
    <dt>{{ page.t("sdr-total") }}</dt><dd id="report-total">{{ total }}</dd>
    <dt>{{ page.t("sdr-first-response") }}</dt><dd id="summary-first-response">{{ sla[0].percent }}</dd>
    <dt>{{ page.t("sdr-resolution") }}</dt><dd id="summary-resolution">{{ sla[1].percent }}</dd>
    <dt>{{ page.t("sdr-fcr") }}</dt><dd id="summary-fcr">{{ fcr }}</dd>
    <dt>{{ page.t("sdr-median-working") }}</dt><dd id="summary-median-working">{{ median_working }}</dd>
    <dt>{{ page.t("sdr-proactive-cases") }}</dt><dd id="summary-proactive">{{ proactive_cases }}</dd>
  </dl>
</section>

<div class="grid">
{% for t in counts %}
<section class="card" aria-labelledby="{{ t.id }}-heading">
  <h2 id="{{ t.id }}-heading">{{ t.heading }}</h2>
  <div class="table-wrap">
  <table id="{{ t.id }}">
    <thead><tr><th scope="col">{{ t.column }}</th><th scope="col" class="num">{{ page.t("sdr-col-cases") }}</th><th scope="col" class="num">{{ page.t("sdr-col-share") }}</th></tr></thead>
    <tbody>
      {% for r in t.rows %}
      <tr><th scope="row">{{ r.label }}</th><td class="num">{{ r.cases }}</td><td class="num nowrap">{{ r.share }}</td></tr>
      {% endfor %}
    </tbody>
  </table>
  </div>
</section>
{% endfor %}
</div>

<section class="card" aria-labelledby="sla-heading">
  <h2 id="sla-heading">{{ page.t("sdr-sla") }}</h2>
  <p class="hint">{{ page.t("sdr-sla-hint") }}</p>
  <div class="table-wrap">
  <table id="sla">
    <thead><tr><th scope="col">{{ page.t("sdr-col-clock") }}</th><th scope="col" class="num">{{ page.t("sdr-col-met") }}</th><th scope="col" class="num">{{ page.t("sdr-col-breached") }}</th><th scope="col" class="num">{{ page.t("sdr-col-running") }}</th><th scope="col" class="num">{{ page.t("sdr-col-percent-met") }}</th></tr></thead>
    <tbody>
      {% for s in sla %}
      <tr id="sla-{{ s.id }}"><th scope="row">{{ s.label }}</th><td class="num">{{ s.met }}</td><td class="num">{{ s.breached }}</td><td class="num">{{ s.running }}</td><td class="num nowrap">{{ s.percent }}</td></tr>
      {% endfor %}
    </tbody>
  </table>
  </div>
</section>

<div class="grid">
<section class="card" aria-labelledby="resolve-heading">
  <h2 id="resolve-heading">{{ page.t("sdr-resolve") }}</h2>
  <dl class="facts" id="resolve">
    <dt>{{ page.t("sdr-resolved") }}</dt><dd id="resolved">{{ resolved }}</dd>
    <dt>{{ page.t("sdr-fcr") }}</dt><dd id="fcr">{{ fcr_count }} · {{ fcr }}</dd>
    <dt>{{ page.t("sdr-median-working") }}</dt><dd id="median-working">{{ median_working }}</dd>
    <dt>{{ page.t("sdr-median-calendar") }}</dt><dd id="median-calendar">{{ median_calendar }}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="proactive-heading">
  <h2 id="proactive-heading">{{ page.t("sdr-proactive") }}</h2>
  <dl class="facts" id="proactive">
    <dt>{{ page.t("sdr-proactive-cases") }}</dt><dd id="proactive-cases">{{ proactive_cases }}</dd>
    <dt>{{ page.t("sdr-proactive-flowing") }}</dt><dd id="proactive-flowing">{{ proactive_flowing }}</dd>
    <dt>{{ page.t("sdr-proactive-median") }}</dt><dd id="proactive-median">{{ proactive_median }}</dd>
  </dl>
</section>
</div>

<section class="card" aria-labelledby="faults-heading">
  <h2 id="faults-heading">{{ page.t("sdr-faults") }}</h2>
  {% if faults.is_empty() %}
  <p class="muted" id="faults-empty">{{ page.t("sdr-faults-none") }}</p>
  {% else %}
  <div class="table-wrap">
  <table id="faults">
    <thead><tr><th scope="col">{{ page.t("sdr-col-model") }}</th><th scope="col" class="num">{{ page.t("sdr-col-faults") }}</th><th scope="col" class="num">{{ page.t("sdr-col-cases") }}</th><th scope="col" class="num">{{ page.t("sdr-col-fault-share") }}</th></tr></thead>
    <tbody>
      {% for f in faults %}
      <tr><th scope="row">{{ f.model }}</th><td class="num">{{ f.faults }}</td><td class="num">{{ f.cases }}</td><td class="num nowrap">{{ f.share }}</td></tr>
      {% endfor %}
    </tbody>
  </table>
  </div>
  {% endif %}
</section>
<p class="hint" id="report-generated">{{ generated }}</p>
{% endblock %}"#
)]
struct ReportsPage {
    page: Page,
    period_text: String,
    from: String,
    to: String,
    previous: (String, String),
    next: (String, String),
    total: u64,
    counts: Vec<CountTable>,
    sla: Vec<SlaRow>,
    resolved: u64,
    fcr_count: u64,
    fcr: String,
    median_working: String,
    median_calendar: String,
    faults: Vec<FaultRow>,
    proactive_cases: u64,
    proactive_flowing: u64,
    proactive_median: String,
    generated: String,
}

/// A figure with one decimal in the page's language (a decimal comma in Danish).
fn decimal(page: &Page, v: f64) -> String {
    match page.lang {
        Language::Danish => decimal_comma(v),
        Language::English => format!("{v:.1}"),
    }
}

fn percent(page: &Page, v: Option<f64>) -> String {
    match v {
        Some(v) => page.t1("sdr-percent", "value", decimal(page, v)),
        None => page.t("sdr-none"),
    }
}

/// A duration: minutes while short, hours with one decimal from two hours on.
fn duration(page: &Page, minutes: Option<i64>) -> String {
    match minutes {
        None => page.t("sdr-none"),
        Some(m) if m < 120 => page.t1("sdr-minutes", "minutes", m),
        Some(m) => page.t1("sdr-hours", "hours", decimal(page, hours(m))),
    }
}

fn count_table(
    page: &Page,
    id: &'static str,
    heading: &str,
    column: &str,
    total: u64,
    rows: impl Iterator<Item = (String, u64)>,
) -> CountTable {
    let share = |n: u64| {
        let v = (total > 0).then(|| ((n * 1000 + total / 2) / total) as f64 / 10.0);
        percent(page, v)
    };
    CountTable {
        id,
        heading: page.t(heading),
        column: page.t(column),
        rows: rows
            .map(|(label, cases)| CountRow {
                label,
                cases,
                share: share(cases),
            })
            .collect(),
    }
}

fn named_rows<'a>(
    page: &'a Page,
    counts: &'a [NamedCount],
    none_key: &'a str,
) -> impl Iterator<Item = (String, u64)> + 'a {
    counts
        .iter()
        .map(move |c| (c.name.clone().unwrap_or_else(|| page.t(none_key)), c.cases))
}

fn sla_row(page: &Page, id: &'static str, key: &str, a: &Attainment) -> SlaRow {
    SlaRow {
        id,
        label: page.t(key),
        met: a.met,
        breached: a.breached,
        running: a.running,
        percent: percent(page, a.percent_met),
    }
}

/// The previous or next calendar month of the period's first day, as (first, last).
fn month_step(period: &Period, forward: bool) -> (String, String) {
    let first = period.from.replace_day(1).expect("a first day");
    let day = if forward {
        Period::month_of(first).to + Duration::days(1)
    } else {
        first - Duration::days(1)
    };
    let m = Period::month_of(day);
    (iso_date(m.from), iso_date(m.to))
}

fn view(page: Page, r: &ServiceReport) -> ReportsPage {
    let total = r.total;
    let counts = vec![
        count_table(
            &page,
            "by-channel",
            "sdr-by-channel",
            "sdr-col-channel",
            total,
            r.by_channel
                .iter()
                .map(|c| (page.label("sd-channel", c.value.as_str()), c.cases)),
        ),
        count_table(
            &page,
            "by-category",
            "sdr-by-category",
            "sdr-col-category",
            total,
            r.by_category
                .iter()
                .map(|c| (page.label("sd-category", c.value.as_str()), c.cases)),
        ),
        count_table(
            &page,
            "by-model",
            "sdr-by-model",
            "sdr-col-model",
            total,
            named_rows(&page, &r.by_model, "sdr-no-model"),
        ),
        count_table(
            &page,
            "by-payer",
            "sdr-by-payer",
            "sdr-col-payer",
            total,
            named_rows(&page, &r.by_payer, "sdr-no-payer"),
        ),
    ];
    let sla = vec![
        sla_row(
            &page,
            "first-response",
            "sdr-first-response",
            &r.first_response,
        ),
        sla_row(&page, "resolution", "sdr-resolution", &r.resolution),
    ];
    let faults = r
        .top_faults
        .iter()
        .map(|f| FaultRow {
            model: f.model.clone(),
            faults: f.faults,
            cases: f.cases,
            share: percent(&page, Some(f.percent_of_cases)),
        })
        .collect();
    ReportsPage {
        period_text: page.t1(
            "sdr-period",
            "period",
            format!("{} – {}", dk_date(r.period.from), dk_date(r.period.to)),
        ),
        from: iso_date(r.period.from),
        to: iso_date(r.period.to),
        previous: month_step(&r.period, false),
        next: month_step(&r.period, true),
        total,
        counts,
        sla,
        resolved: r.first_contact.resolved,
        fcr_count: r.first_contact.first_contact,
        fcr: percent(&page, r.first_contact.percent),
        median_working: duration(&page, r.time_to_resolve.median_working_minutes),
        median_calendar: duration(&page, r.time_to_resolve.median_calendar_minutes),
        faults,
        proactive_cases: r.proactive.cases,
        proactive_flowing: r.proactive.data_flowing,
        proactive_median: duration(&page, r.proactive.median_minutes_to_data),
        generated: page.t1("sdr-generated", "at", r.generated_at.danish()),
        page,
    }
}

pub async fn reports(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let page = Page::staff(
        &auth,
        "/servicedesk/rapporter".into(),
        crate::i18n::t(auth.language(), "sdr-title"),
        NAV,
    );
    let period = q.period().or_page(&page)?;
    let report = state
        .db
        .service_report(&auth.ctx(), None, period)
        .await
        .or_page(&page)?;
    let mut page = page;
    page.back = format!(
        "/servicedesk/rapporter?fra={}&til={}",
        iso_date(period.from),
        iso_date(period.to)
    );
    Ok(render(StatusCode::OK, &view(page, &report)))
}

/// The same report as CSV (semicolons, decimal commas, one figure a row).
pub async fn csv(
    State(state): State<AppState>,
    StaffAuth(auth): StaffAuth,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let page = Page::staff(
        &auth,
        "/servicedesk/rapporter".into(),
        crate::i18n::t(auth.language(), "sdr-title"),
        NAV,
    );
    let period = q.period().or_page(&page)?;
    let report = state
        .db
        .service_report(&auth.ctx(), None, period)
        .await
        .or_page(&page)?;
    let mut r = (StatusCode::OK, report.to_csv()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"servicedesk-rapport-{}-{}.csv\"",
        iso_date(period.from),
        iso_date(period.to)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn q(fra: &str, til: &str) -> PeriodQuery {
        PeriodQuery {
            fra: fra.into(),
            til: til.into(),
        }
    }

    #[test]
    fn the_period_is_read_from_the_form_and_filled_in_from_its_month() {
        let p = q("2026-11-10", "").period().unwrap();
        assert_eq!(
            (p.from, p.to),
            (date!(2026 - 11 - 10), date!(2026 - 11 - 30))
        );
        let p = q("", "2026-02-10").period().unwrap();
        assert_eq!(
            (p.from, p.to),
            (date!(2026 - 02 - 01), date!(2026 - 02 - 10))
        );
        assert_eq!(q("", "").period().unwrap(), Period::month_of(today()));
        assert_eq!(
            q("10-11-2026", "")
                .period()
                .unwrap_err()
                .location
                .as_deref(),
            Some("fra")
        );
        assert!(q("2026-11-30", "2026-11-01").period().is_err());
    }

    #[test]
    fn months_step_across_the_year() {
        let p = Period::month_of(date!(2026 - 12 - 15));
        assert_eq!(
            month_step(&p, true),
            ("2027-01-01".to_string(), "2027-01-31".to_string())
        );
        let p = Period::month_of(date!(2026 - 03 - 15));
        assert_eq!(
            month_step(&p, false),
            ("2026-02-01".to_string(), "2026-02-28".to_string())
        );
    }

    #[test]
    fn figures_are_written_in_the_page_language() {
        let mut page = Page::anonymous(Language::Danish, String::new(), "/".into(), "sdr-title");
        assert_eq!(percent(&page, Some(87.5)), "87,5 %");
        assert_eq!(duration(&page, Some(45)), "45 min");
        assert_eq!(duration(&page, Some(150)), "2,5 t");
        page.lang = Language::English;
        assert_eq!(percent(&page, Some(87.5)), "87.5 %");
        assert_eq!(duration(&page, Some(150)), "2.5 h");
        assert_eq!(percent(&page, None), "–");
    }
}
