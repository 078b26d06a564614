//! Charts of home measurements, rendered on the server as inline SVG (no script, no external
//! reference, presentation attributes only, so the Content-Security-Policy holds), with the
//! citizen's threshold bands behind the lines and the same data as an accessible table.
//!
//! Everything here is a pure function of a [`Chart`] and a language: the staff pages (worklist
//! → a citizen's results) and the citizen's portal build a `Chart` from stored observations
//! and embed `render(..)` (and `table(..)` for the "vis som tabel" toggle) as they are.
//!
//! Numbers use the decimal comma in Danish and a dot in English; axis dates and times are
//! Copenhagen wall-clock time. Points outside `[from, to]` and values that are not finite are
//! left out, so nothing the chart emits is ever `NaN` or infinite.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use telesund_core::Timestamp;
use telesund_core::identity::Language;
use telesund_core::monitoring::Colour;
use telesund_core::monitoring::thresholds::Bounds;
use telesund_core::time::copenhagen_midnight;
use time::{Date, Month, Weekday};

/// One line on a chart ("Systolisk", "Diastolisk"), its points in any order.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(Timestamp, f64)>,
}

/// What a band of values means: green target, yellow warning, red alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BandKind {
    Normal,
    Warning,
    Alert,
}

/// A horizontal band of values from `from` to `to` (in the chart's unit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub kind: BandKind,
}

/// A chart of one measurement type over a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// "Blodtryk", "Vægt": the chart's heading, without the unit.
    pub title: String,
    /// "mmHg", "kg", "%"; may be empty.
    pub unit: String,
    pub series: Vec<Series>,
    /// Threshold bands, usually from [`bands_from`]. They belong to the whole chart: with
    /// two series (blood pressure) they are one quantity's thresholds, so the colour of each
    /// result is the job of `highlight`, not of the band it happens to sit in.
    pub bands: Vec<Band>,
    /// The period shown on the x-axis.
    pub from: Timestamp,
    pub to: Timestamp,
    /// Triaged results, drawn as coloured markers (and a shape per colour, so colour is not
    /// the only cue). A blue (missing) result with a non-finite value sits on the x-axis.
    pub highlight: Vec<(Timestamp, f64, Colour)>,
    /// Decimals for values in tooltips, the summary and the table (axis ticks use their own).
    pub decimals: u8,
}

/// The bands a set of thresholds gives, from low to high and without gaps: red below the
/// alert low bound, yellow up to the warning low bound, green between the warning bounds,
/// then yellow and red above. Open ends stop at `lo_floor` and `hi_ceiling` (the plausible
/// range of the quantity, e.g. 0 and 100 for SpO2), which also cap the chart's y-axis.
/// A bound left out gives no band; no bound at all gives no bands.
pub fn bands_from(bounds: &Bounds, lo_floor: f64, hi_ceiling: f64) -> Vec<Band> {
    let finite = |b: Option<f64>| b.filter(|v| v.is_finite());
    let (al, wl, wh, ah) = (
        finite(bounds.alert_low),
        finite(bounds.warning_low),
        finite(bounds.warning_high),
        finite(bounds.alert_high),
    );
    if [al, wl, wh, ah].iter().all(Option::is_none)
        || !lo_floor.is_finite()
        || !hi_ceiling.is_finite()
    {
        return Vec::new();
    }
    let (floor, ceiling) = if lo_floor <= hi_ceiling {
        (lo_floor, hi_ceiling)
    } else {
        (hi_ceiling, lo_floor)
    };
    // Each band as (its upper edge, its kind), from low to high; a band starts where the
    // previous one ends. A bound out of order or outside the floor and the ceiling is pulled
    // in, which leaves an empty band that is dropped.
    let mut plan = Vec::with_capacity(5);
    if let Some(v) = al {
        plan.push((v, BandKind::Alert));
    }
    if let Some(v) = wl {
        plan.push((v, BandKind::Warning));
    }
    plan.push((wh.or(ah).unwrap_or(ceiling), BandKind::Normal));
    match (wh, ah) {
        (Some(_), Some(a)) => {
            plan.push((a, BandKind::Warning));
            plan.push((ceiling, BandKind::Alert));
        }
        (Some(_), None) => plan.push((ceiling, BandKind::Warning)),
        (None, Some(_)) => plan.push((ceiling, BandKind::Alert)),
        (None, None) => {}
    }
    let mut bands = Vec::with_capacity(plan.len());
    let mut low = floor;
    for (upper, kind) in plan {
        let upper = upper.clamp(low, ceiling);
        if upper > low {
            bands.push(Band {
                from: low,
                to: upper,
                kind,
            });
        }
        low = upper;
    }
    bands
}

// --- layout -------------------------------------------------------------------------------

/// A rectangle in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Area {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
/// Where the data goes; the rest is title, legend and axis labels.
pub const PLOT: Area = Area {
    left: 52.0,
    top: 48.0,
    right: 624.0,
    bottom: 266.0,
};

/// Maps `v` linearly from `domain` onto `range` (either may run backwards, as the y-axis
/// does). A value outside the domain is held at its edge; an empty or broken domain maps
/// everything to the middle, so the result is always finite for a finite range.
pub fn scale(v: f64, domain: (f64, f64), range: (f64, f64)) -> f64 {
    let span = domain.1 - domain.0;
    let magnitude = domain.0.abs().max(domain.1.abs()).max(1.0);
    let mut f = if span.is_finite() && span.abs() > magnitude * 1e-12 {
        (v - domain.0) / span
    } else {
        0.5
    };
    if !f.is_finite() {
        f = 0.5;
    }
    range.0 + f.clamp(0.0, 1.0) * (range.1 - range.0)
}

/// The smallest 1, 2 or 5 × 10ⁿ that is at least `raw` (1 for nonsense).
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    let f = raw / base;
    // A little slack so 0.3 / 0.1 = 2.9999999999999996 is still "3", not a jump to 5.
    let m = if f <= 1.0 + 1e-9 {
        1.0
    } else if f <= 2.0 + 1e-9 {
        2.0
    } else if f <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    m * base
}

/// The y-axis: its domain and the ticks in it (multiples of `step`).
#[derive(Clone, Debug, PartialEq)]
pub struct YAxis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub ticks: Vec<f64>,
    /// Decimals the tick labels need (1 for a step of 0,5).
    pub decimals: usize,
}

/// An axis over `[lo, hi]`, padded a little and widened to whole steps of 1, 2 or 5 × 10ⁿ,
/// five to nine of them. Equal ends get a range around the value. `limits` (the floor and
/// ceiling of the bands) cap the padding when the data lie within them, so a SpO2 axis stops
/// at 100 and a weight axis never goes below 0.
pub fn y_axis(lo: f64, hi: f64, limits: Option<(f64, f64)>) -> YAxis {
    let fallback = || YAxis {
        lo: 0.0,
        hi: 1.0,
        step: 0.2,
        ticks: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        decimals: 1,
    };
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return fallback();
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * 0.08
    } else if lo != 0.0 {
        lo.abs() * 0.05
    } else {
        1.0
    };
    let (padded_lo, padded_hi) = (lo - pad, hi + pad);
    let step = nice_step((padded_hi - padded_lo) / 7.0);
    let mut a = (padded_lo / step).floor() * step;
    let mut b = (padded_hi / step).ceil() * step;
    if let Some((floor, ceiling)) = limits {
        if floor.is_finite() && lo >= floor {
            a = a.max(floor);
        }
        if ceiling.is_finite() && hi <= ceiling {
            b = b.min(ceiling);
        }
    }
    if !(a.is_finite() && b.is_finite() && b > a && step.is_finite()) {
        return fallback();
    }
    let first = (a / step - 1e-9).ceil() as i64;
    let last = (b / step + 1e-9).floor() as i64;
    if last < first || last - first > 50 {
        return fallback();
    }
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    let decimals = if step >= 1.0 {
        0
    } else {
        ((-step.log10()).ceil().max(0.0) as usize).min(6)
    };
    YAxis {
        lo: a,
        hi: b,
        step,
        ticks,
        decimals,
    }
}

/// A tick on the time axis and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XTick {
    pub at: Timestamp,
    pub label: String,
}

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;
/// About as many labels as fit under the plot.
const MAX_X_TICKS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq)]
enum DateStep {
    Days(i32),
    Weeks(i32),
    Months(u8),
    Year,
}

impl DateStep {
    fn days(self) -> f64 {
        match self {
            DateStep::Days(n) => n as f64,
            DateStep::Weeks(n) => 7.0 * n as f64,
            DateStep::Months(n) => 30.44 * n as f64,
            DateStep::Year => 365.25,
        }
    }

    fn matches(self, d: Date) -> bool {
        match self {
            DateStep::Days(n) => d.to_julian_day().rem_euclid(n) == 0,
            DateStep::Weeks(n) => {
                d.weekday() == Weekday::Monday && d.to_julian_day().div_euclid(7).rem_euclid(n) == 0
            }
            DateStep::Months(n) => d.day() == 1 && (d.month() as u8 - 1).is_multiple_of(n),
            DateStep::Year => d.day() == 1 && d.month() == Month::January,
        }
    }
}

/// Ticks for the period `[from, to]` in Copenhagen time: whole hours ("14:00", with the date
/// at midnight) for a day or so, then days, Mondays, first of the month or New Year, whichever
/// gives at most about eight labels.
pub fn x_ticks(from: Timestamp, to: Timestamp, lang: Language) -> Vec<XTick> {
    let (from, to) = window(from, to);
    let span = to.0.saturating_sub(from.0);
    let mut ticks = Vec::new();
    if span <= 36 * HOUR {
        let hours = span / HOUR;
        let every = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|k| hours / k <= MAX_X_TICKS as i64)
            .unwrap_or(12);
        // Copenhagen is a whole number of hours from UTC, so local whole hours are UTC ones.
        let mut at = from.0.div_euclid(HOUR) * HOUR;
        if at < from.0 {
            at += HOUR;
        }
        while at <= to.0 {
            let local = Timestamp(at).in_copenhagen();
            if local.hour() as i64 % every == 0 {
                let label = if local.hour() == 0 {
                    day_month(Timestamp(at), lang)
                } else {
                    format!("{:02}:00", local.hour())
                };
                ticks.push(XTick {
                    at: Timestamp(at),
                    label,
                });
            }
            at += HOUR;
        }
    } else {
        let days = span as f64 / DAY as f64;
        let step = [
            DateStep::Days(1),
            DateStep::Days(2),
            DateStep::Weeks(1),
            DateStep::Weeks(2),
            DateStep::Months(1),
            DateStep::Months(2),
            DateStep::Months(3),
            DateStep::Months(6),
        ]
        .into_iter()
        .find(|s| days / s.days() <= MAX_X_TICKS as f64)
        .unwrap_or(DateStep::Year);
        let mut d = from.in_copenhagen().date();
        let last = to.in_copenhagen().date();
        // Bounded even for absurd periods; thinned below if that gives too many.
        for _ in 0..40_000 {
            if d > last {
                break;
            }
            if step.matches(d) {
                let at = copenhagen_midnight(d);
                if at >= from && at <= to {
                    let label = match step {
                        DateStep::Days(_) | DateStep::Weeks(_) => day_month(at, lang),
                        DateStep::Months(_) => {
                            format!("{} {}", month_name(d.month(), lang), d.year())
                        }
                        DateStep::Year => d.year().to_string(),
                    };
                    ticks.push(XTick { at, label });
                }
            }
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
        }
    }
    if ticks.len() > MAX_X_TICKS + 2 {
        let every = ticks.len().div_ceil(MAX_X_TICKS);
        ticks = ticks.into_iter().step_by(every).collect();
    }
    ticks
}

/// The period in order and at least a minute long (a chart of one instant is a day around it).
fn window(from: Timestamp, to: Timestamp) -> (Timestamp, Timestamp) {
    let (a, b) = if from <= to { (from, to) } else { (to, from) };
    if b.0.saturating_sub(a.0) < 60_000_000 {
        (
            Timestamp(a.0.saturating_sub(12 * HOUR)),
            Timestamp(b.0.saturating_add(12 * HOUR)),
        )
    } else {
        (a, b)
    }
}

// --- text ---------------------------------------------------------------------------------

fn danish(lang: Language) -> bool {
    lang == Language::Danish
}

fn month_name(m: Month, lang: Language) -> &'static str {
    const DA: [&str; 12] = [
        "jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let i = m as usize - 1;
    if danish(lang) { DA[i] } else { EN[i] }
}

/// "12. nov" / "12 Nov", in Copenhagen.
fn day_month(ts: Timestamp, lang: Language) -> String {
    let l = ts.in_copenhagen();
    let m = month_name(l.month(), lang);
    if danish(lang) {
        format!("{}. {m}", l.day())
    } else {
        format!("{} {m}", l.day())
    }
}

/// "12. nov 2026" / "12 Nov 2026".
fn date_long(ts: Timestamp, lang: Language) -> String {
    format!("{} {}", day_month(ts, lang), ts.in_copenhagen().year())
}

/// "12. nov 2026 14:05" / "12 Nov 2026 14:05".
fn date_time(ts: Timestamp, lang: Language) -> String {
    let l = ts.in_copenhagen();
    format!("{} {:02}:{:02}", date_long(ts, lang), l.hour(), l.minute())
}

/// A value with `decimals` decimals: "37,5" in Danish, "37.5" in English, "–" when it is
/// not a number. No "-0".
pub fn number(v: f64, decimals: usize, lang: Language) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let d = decimals.min(6);
    let mut s = format!("{v:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    if danish(lang) { s.replace('.', ",") } else { s }
}

/// A value and its unit: "152 mmHg", "98 %".
fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() {
        value.to_string()
    } else {
        format!("{value} {unit}")
    }
}

/// Escapes text for an HTML or SVG text node or a quoted attribute.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate: one decimal at most, never NaN.
fn c(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn colour_name(colour: Colour, lang: Language) -> &'static str {
    if danish(lang) {
        colour.danish()
    } else {
        match colour {
            Colour::Green => "green",
            Colour::Blue => "blue (missing)",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
        }
    }
}

fn title_text(chart: &Chart) -> String {
    if chart.unit.is_empty() {
        chart.title.clone()
    } else {
        format!("{} ({})", chart.title, chart.unit)
    }
}

// --- data ---------------------------------------------------------------------------------

/// The chart's data as it is drawn: inside the period, finite, in time order.
struct Prepared {
    from: Timestamp,
    to: Timestamp,
    series: Vec<Vec<(Timestamp, f64)>>,
    highlights: Vec<(Timestamp, Option<f64>, Colour)>,
    y: Option<YAxis>,
}

impl Prepared {
    fn new(chart: &Chart) -> Self {
        let (from, to) = window(chart.from, chart.to);
        let inside = |ts: &Timestamp| *ts >= from && *ts <= to;
        let series: Vec<Vec<(Timestamp, f64)>> = chart
            .series
            .iter()
            .map(|s| {
                let mut p: Vec<_> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(ts, v)| inside(ts) && v.is_finite())
                    .collect();
                p.sort_by_key(|(ts, _)| *ts);
                p
            })
            .collect();
        let mut highlights: Vec<_> = chart
            .highlight
            .iter()
            .filter(|(ts, _, _)| inside(ts))
            .map(|(ts, v, colour)| (*ts, Some(*v).filter(|v| v.is_finite()), *colour))
            .collect();
        // Worst on top.
        highlights.sort_by_key(|(ts, _, colour)| (*colour, *ts));

        let values = series
            .iter()
            .flatten()
            .map(|(_, v)| *v)
            .chain(highlights.iter().filter_map(|(_, v, _)| *v));
        let data = values.fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        });
        let (thresholds, limits) = thresholds(&chart.bands);
        // Thresholds near the data widen the axis so the bands show where the data stand;
        // one far away (a bound typed for another unit) would flatten the line. Without data
        // there is no y-axis (and no bands): a chart of thresholds alone says nothing.
        let y = data.map(|(lo, hi)| {
            let reach = (hi - lo).max(0.4 * lo.abs().max(hi.abs()));
            let reach = if reach > 0.0 { reach } else { 1.0 };
            let (lo, hi) = thresholds
                .iter()
                .copied()
                .filter(|t| *t >= lo - reach && *t <= hi + reach)
                .fold((lo, hi), |(a, b), t| (a.min(t), b.max(t)));
            y_axis(lo, hi, limits)
        });
        Prepared {
            from,
            to,
            series,
            highlights,
            y,
        }
    }

    fn count(&self) -> usize {
        self.series.iter().map(Vec::len).sum()
    }

    fn x(&self, ts: Timestamp) -> f64 {
        scale(
            ts.0 as f64,
            (self.from.0 as f64, self.to.0 as f64),
            (PLOT.left, PLOT.right),
        )
    }

    fn y(&self, v: f64) -> f64 {
        match &self.y {
            Some(axis) => scale(v, (axis.lo, axis.hi), (PLOT.bottom, PLOT.top)),
            None => (PLOT.top + PLOT.bottom) / 2.0,
        }
    }
}

/// The thresholds among the bands' edges (the inner ones) and the outer edges (the floor and
/// the ceiling `bands_from` was given), all finite.
fn thresholds(bands: &[Band]) -> (Vec<f64>, Option<(f64, f64)>) {
    let edges: Vec<f64> = bands
        .iter()
        .flat_map(|b| [b.from, b.to])
        .filter(|v| v.is_finite())
        .collect();
    let Some(lo) = edges.iter().copied().reduce(f64::min) else {
        return (Vec::new(), None);
    };
    let hi = edges.iter().copied().fold(lo, f64::max);
    let mut inner: Vec<f64> = edges.into_iter().filter(|e| *e > lo && *e < hi).collect();
    inner.sort_by(f64::total_cmp);
    inner.dedup();
    (inner, Some((lo, hi)))
}

// --- the summary ------------------------------------------------------------------------

/// One or more sentences for `<desc>`: the period, then per series the latest value, the
/// range and the count, the flagged results and the target range.
fn summary(chart: &Chart, p: &Prepared, lang: Language) -> String {
    let da = danish(lang);
    let d = chart.decimals as usize;
    let unit = chart.unit.as_str();
    let mut parts = Vec::new();
    parts.push(format!(
        "{} {}–{}",
        if da { "Periode" } else { "Period" },
        date_long(p.from, lang),
        date_long(p.to, lang)
    ));
    if p.count() == 0 {
        parts.push(no_measurements(lang).to_string());
    }
    for (s, points) in chart.series.iter().zip(&p.series) {
        let Some(&(latest_at, latest)) = points.last() else {
            continue;
        };
        let lo = points.iter().map(|(_, v)| *v).fold(latest, f64::min);
        let hi = points.iter().map(|(_, v)| *v).fold(latest, f64::max);
        let n = points.len();
        let text = format!(
            "{} {} ({}), {} {}–{}, {} {}",
            if da { "seneste" } else { "latest" },
            with_unit(&number(latest, d, lang), unit),
            date_time(latest_at, lang),
            if da { "interval" } else { "range" },
            number(lo, d, lang),
            with_unit(&number(hi, d, lang), unit),
            n,
            match (da, n == 1) {
                (true, true) => "måling",
                (true, false) => "målinger",
                (false, true) => "measurement",
                (false, false) => "measurements",
            }
        );
        parts.push(if s.label.is_empty() {
            capitalise(&text)
        } else {
            format!("{}: {text}", s.label)
        });
    }
    let mut flagged = Vec::new();
    for colour in [Colour::Red, Colour::Yellow, Colour::Blue] {
        let n = p.highlights.iter().filter(|h| h.2 == colour).count();
        if n > 0 {
            let name = match (colour, da, n == 1) {
                (Colour::Red, true, false) => "røde",
                (Colour::Yellow, true, false) => "gule",
                _ => colour_name(colour, lang),
            };
            flagged.push(format!("{n} {name}"));
        }
    }
    if !flagged.is_empty() {
        parts.push(format!(
            "{}: {}",
            if da { "Markeret" } else { "Flagged" },
            flagged.join(", ")
        ));
    }
    let (_, limits) = thresholds(&chart.bands);
    if let (Some(normal), Some((floor, ceiling))) = (
        chart.bands.iter().find(|b| b.kind == BandKind::Normal),
        limits,
    ) {
        let (a, b) = (normal.from.min(normal.to), normal.from.max(normal.to));
        let (open_low, open_high) = (a <= floor, b >= ceiling);
        let target = if da { "Målområde" } else { "Target range" };
        let range = match (open_low, open_high) {
            (false, false) => Some(format!(
                "{}–{}",
                number(a, d, lang),
                with_unit(&number(b, d, lang), unit)
            )),
            (true, false) => Some(format!(
                "{} {}",
                if da { "højst" } else { "at most" },
                with_unit(&number(b, d, lang), unit)
            )),
            (false, true) => Some(format!(
                "{} {}",
                if da { "mindst" } else { "at least" },
                with_unit(&number(a, d, lang), unit)
            )),
            (true, true) => None,
        };
        if let Some(range) = range {
            parts.push(format!("{target} {range}"));
        }
    }
    let mut out = parts.join(". ");
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn no_measurements(lang: Language) -> &'static str {
    if danish(lang) {
        "Ingen målinger i perioden"
    } else {
        "No measurements in this period"
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// --- SVG ----------------------------------------------------------------------------------

const SERIES_COLOURS: [&str; 4] = ["#1f3a93", "#7b1fa2", "#00695c", "#5d4037"];
/// Dash patterns, so the lines differ by more than colour (systolic solid, diastolic dashed).
const SERIES_DASHES: [&str; 4] = ["", "6 4", "2 3", "9 3 2 3"];

fn band_fill(kind: BandKind) -> (&'static str, &'static str) {
    match kind {
        BandKind::Normal => ("#2e7d32", "0.13"),
        BandKind::Warning => ("#f9a825", "0.22"),
        BandKind::Alert => ("#c62828", "0.14"),
    }
}

fn triage_fill(colour: Colour) -> &'static str {
    match colour {
        Colour::Green => "#2e7d32",
        Colour::Blue => "#1565c0",
        Colour::Yellow => "#f2b705",
        Colour::Red => "#c62828",
    }
}

/// A stable id for `aria-labelledby`, from the chart's text (equal ids mean equal text).
fn chart_id(title: &str, desc: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in title.bytes().chain([0]).chain(desc.bytes()) {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("chart-{h:08x}")
}

/// The chart as a self-contained inline SVG that scales to its container's width.
pub fn render(chart: &Chart, lang: Language) -> String {
    let p = Prepared::new(chart);
    let title = title_text(chart);
    let desc = summary(chart, &p, lang);
    let id = chart_id(&title, &desc);
    let mut o = String::with_capacity(8192);
    // `write!` into a String cannot fail.
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{id}-title {id}-desc" class="chart" font-family="system-ui, sans-serif" font-size="12"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc><rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##,
        w = c(WIDTH),
        h = c(HEIGHT),
        title = esc(&title),
        desc = esc(&desc),
    );

    // Threshold bands, behind everything.
    if let Some(axis) = &p.y {
        o.push_str(r#"<g class="bands">"#);
        for band in &chart.bands {
            let lo = band.from.min(band.to).max(axis.lo);
            let hi = band.from.max(band.to).min(axis.hi);
            if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
                continue;
            }
            let (top, bottom) = (p.y(hi), p.y(lo));
            let (fill, opacity) = band_fill(band.kind);
            let _ = write!(
                o,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" fill-opacity="{opacity}"/>"#,
                c(PLOT.left),
                c(top),
                c(PLOT.right - PLOT.left),
                c(bottom - top),
            );
        }
        o.push_str("</g>");
    }

    // Grid and tick labels.
    o.push_str(r##"<g class="grid" stroke="#000000" stroke-opacity="0.12" stroke-width="1">"##);
    if let Some(axis) = &p.y {
        for &v in &axis.ticks {
            let y = c(p.y(v));
            let _ = write!(
                o,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
                c(PLOT.left),
                c(PLOT.right)
            );
        }
    }
    let xticks = x_ticks(p.from, p.to, lang);
    for tick in &xticks {
        let x = c(p.x(tick.at));
        let _ = write!(
            o,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            c(PLOT.top),
            c(PLOT.bottom)
        );
    }
    o.push_str("</g>");
    o.push_str(r##"<g class="axes" fill="#333333" font-size="11">"##);
    if let Some(axis) = &p.y {
        for &v in &axis.ticks {
            let _ = write!(
                o,
                r#"<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
                c(PLOT.left - 6.0),
                c(p.y(v)),
                esc(&number(v, axis.decimals, lang))
            );
        }
    }
    for tick in &xticks {
        // A label at either end is anchored so it stays inside the picture (an average
        // glyph at this size is about 6 units wide).
        let x = p.x(tick.at);
        let half = 3.1 * tick.label.chars().count() as f64;
        let anchor = if x + half > WIDTH - 2.0 {
            "end"
        } else if x - half < 2.0 {
            "start"
        } else {
            "middle"
        };
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            c(x),
            c(PLOT.bottom + 18.0),
            esc(&tick.label)
        );
    }
    let _ = write!(
        o,
        r##"<path d="M{l} {t}V{b}H{r}" fill="none" stroke="#555555" stroke-width="1"/></g>"##,
        l = c(PLOT.left),
        t = c(PLOT.top),
        b = c(PLOT.bottom),
        r = c(PLOT.right),
    );

    // The series: a line, then a marker per point with its value as a tooltip.
    let d = chart.decimals as usize;
    for (i, (s, points)) in chart.series.iter().zip(&p.series).enumerate() {
        if points.is_empty() {
            continue;
        }
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let dash = SERIES_DASHES[i % SERIES_DASHES.len()];
        let _ = write!(o, r#"<g class="series" fill="{colour}">"#);
        if points.len() > 1 {
            let coords: Vec<String> = points
                .iter()
                .map(|(ts, v)| format!("{},{}", c(p.x(*ts)), c(p.y(*v))))
                .collect();
            let _ = write!(
                o,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round""#,
                coords.join(" ")
            );
            if !dash.is_empty() {
                let _ = write!(o, r#" stroke-dasharray="{dash}""#);
            }
            o.push_str("/>");
        }
        for (ts, v) in points {
            let tip = format!(
                "{}{}: {}",
                if s.label.is_empty() {
                    String::new()
                } else {
                    format!("{} ", s.label)
                },
                date_time(*ts, lang),
                with_unit(&number(*v, d, lang), &chart.unit)
            );
            let _ = write!(
                o,
                r##"<circle cx="{}" cy="{}" r="3" stroke="#ffffff" stroke-width="1"><title>{}</title></circle>"##,
                c(p.x(*ts)),
                c(p.y(*v)),
                esc(&tip)
            );
        }
        o.push_str("</g>");
    }

    // Triaged results: colour and shape (circle green, triangle yellow, diamond red, ring
    // blue), worst drawn last so it is on top.
    if !p.highlights.is_empty() {
        o.push_str(r##"<g class="triage" stroke="#1a1a1a" stroke-width="1">"##);
        for (ts, v, colour) in &p.highlights {
            let x = p.x(*ts);
            let y = match v {
                Some(v) => p.y(*v),
                None => PLOT.bottom,
            };
            let fill = triage_fill(*colour);
            let value = match v {
                Some(v) => format!("{} ", with_unit(&number(*v, d, lang), &chart.unit)),
                None => String::new(),
            };
            let tip = format!(
                "{}: {value}({})",
                date_time(*ts, lang),
                colour_name(*colour, lang)
            );
            let shape = match colour {
                Colour::Green => format!(
                    r#"<circle cx="{}" cy="{}" r="5" fill="{fill}">"#,
                    c(x),
                    c(y)
                ),
                Colour::Blue => format!(
                    r##"<circle cx="{}" cy="{}" r="5" fill="#ffffff" stroke="{fill}" stroke-width="2.5">"##,
                    c(x),
                    c(y)
                ),
                Colour::Yellow => format!(
                    r#"<path d="M{} {}L{} {}L{} {}Z" fill="{fill}">"#,
                    c(x),
                    c(y - 6.5),
                    c(x + 6.5),
                    c(y + 5.0),
                    c(x - 6.5),
                    c(y + 5.0)
                ),
                Colour::Red => format!(
                    r#"<path d="M{} {}L{} {}L{} {}L{} {}Z" fill="{fill}">"#,
                    c(x),
                    c(y - 7.0),
                    c(x + 7.0),
                    c(y),
                    c(x),
                    c(y + 7.0),
                    c(x - 7.0),
                    c(y)
                ),
            };
            let close = if matches!(colour, Colour::Green | Colour::Blue) {
                "</circle>"
            } else {
                "</path>"
            };
            let _ = write!(o, "{shape}<title>{}</title>{close}", esc(&tip));
        }
        o.push_str("</g>");
    }

    // A legend when there is more than one line.
    if chart.series.len() > 1 {
        o.push_str(r##"<g class="legend" fill="#222222">"##);
        let mut x = PLOT.left;
        let y = 34.0;
        for (i, s) in chart.series.iter().enumerate() {
            let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
            let dash = SERIES_DASHES[i % SERIES_DASHES.len()];
            let _ = write!(
                o,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="2""#,
                c(x),
                c(x + 22.0),
            );
            if !dash.is_empty() {
                let _ = write!(o, r#" stroke-dasharray="{dash}""#);
            }
            let _ = write!(
                o,
                r##"/><circle cx="{}" cy="{y}" r="3" fill="{colour}" stroke="#ffffff" stroke-width="1"/><text x="{}" y="{y}" dominant-baseline="middle">{}</text>"##,
                c(x + 11.0),
                c(x + 28.0),
                esc(&s.label)
            );
            // No text measuring on the server: an average glyph is about 6,5 units wide.
            x += 28.0 + 6.5 * s.label.chars().count() as f64 + 18.0;
        }
        o.push_str("</g>");
    }

    if p.count() == 0 {
        let _ = write!(
            o,
            r##"<text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle" font-size="14" fill="#444444">{}</text>"##,
            c((PLOT.left + PLOT.right) / 2.0),
            c((PLOT.top + PLOT.bottom) / 2.0),
            esc(no_measurements(lang))
        );
    }
    let _ = write!(
        o,
        r##"<text x="8" y="18" font-size="14" font-weight="600" fill="#111111">{}</text></svg>"##,
        esc(&title)
    );
    o
}

// --- the table ----------------------------------------------------------------------------

/// The chart's data as an HTML table, newest first: a row per time, a column per series and,
/// when results are triaged, their colour. For screen readers and the "vis som tabel" toggle.
pub fn table(chart: &Chart, lang: Language) -> String {
    let p = Prepared::new(chart);
    let da = danish(lang);
    let d = chart.decimals as usize;
    let mut rows: BTreeMap<Timestamp, (Vec<Option<f64>>, Option<Colour>)> = BTreeMap::new();
    let n = p.series.len();
    for (i, points) in p.series.iter().enumerate() {
        for (ts, v) in points {
            let row = rows.entry(*ts).or_insert_with(|| (vec![None; n], None));
            row.0[i] = Some(*v);
        }
    }
    for (ts, _, colour) in &p.highlights {
        let row = rows.entry(*ts).or_insert_with(|| (vec![None; n], None));
        row.1 = Some(row.1.map_or(*colour, |c| c.max(*colour)));
    }
    let triaged = !p.highlights.is_empty();
    let columns = 1 + n + usize::from(triaged);
    let mut o = String::with_capacity(256 + rows.len() * 96);
    let _ = write!(
        o,
        r#"<table class="chart-table"><caption>{}, {}–{}</caption><thead><tr><th scope="col">{}</th>"#,
        esc(&title_text(chart)),
        esc(&date_long(p.from, lang)),
        esc(&date_long(p.to, lang)),
        if da { "Tidspunkt" } else { "Time" }
    );
    for s in &chart.series {
        let label = if s.label.is_empty() {
            &chart.title
        } else {
            &s.label
        };
        let head = if chart.unit.is_empty() {
            label.clone()
        } else {
            format!("{label} ({})", chart.unit)
        };
        let _ = write!(o, r#"<th scope="col">{}</th>"#, esc(&head));
    }
    if triaged {
        let _ = write!(
            o,
            r#"<th scope="col">{}</th>"#,
            if da { "Vurdering" } else { "Assessment" }
        );
    }
    o.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        let _ = write!(
            o,
            r#"<tr><td colspan="{columns}">{}</td></tr>"#,
            esc(no_measurements(lang))
        );
    }
    for (ts, (values, colour)) in rows.iter().rev() {
        let _ = write!(
            o,
            r#"<tr><th scope="row"><time datetime="{}">{}</time></th>"#,
            esc(&ts.to_rfc3339()),
            esc(&date_time(*ts, lang))
        );
        for v in values {
            match v {
                Some(v) => {
                    let _ = write!(o, r#"<td class="num">{}</td>"#, esc(&number(*v, d, lang)));
                }
                None => o.push_str("<td></td>"),
            }
        }
        if triaged {
            match colour {
                Some(colour) => {
                    let _ = write!(
                        o,
                        r#"<td class="triage-{}">{}</td>"#,
                        colour.as_str(),
                        esc(colour_name(*colour, lang))
                    );
                }
                None => o.push_str("<td></td>"),
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    o
}

/// The thresholds a chart of `q` shows: an active plan's, else a paused plan's (an ended
/// plan's are history).
pub fn plan_bounds(
    plans: &[telesund_core::monitoring::programme::CarePlan],
    q: telesund_core::monitoring::Quantity,
) -> Option<Bounds> {
    use telesund_core::monitoring::programme::PlanStatus;
    let with = |status: PlanStatus| {
        plans
            .iter()
            .filter(move |p| p.status == status)
            .find_map(|p| p.definition.thresholds.get(q).copied())
    };
    with(PlanStatus::Active).or_else(|| with(PlanStatus::Paused))
}

/// The chart of one quantity of a citizen's results over `[from, to]` (empty when there are
/// none): the bands of [`plan_bounds`], and each result marked with the worst colour it was
/// given (`colours`; green is not marked).
pub fn quantity_chart(
    q: telesund_core::monitoring::Quantity,
    observations: &[telesund_core::monitoring::observation::Observation],
    plans: &[telesund_core::monitoring::programme::CarePlan],
    colours: &std::collections::HashMap<telesund_core::ids::ObservationId, Colour>,
    from: Timestamp,
    to: Timestamp,
    lang: Language,
) -> Chart {
    let mut points: Vec<(Timestamp, f64)> = Vec::new();
    let mut highlight = Vec::new();
    for o in observations {
        if o.effective_at < from || o.effective_at > to {
            continue;
        }
        if let Some(v) = o.value(q) {
            points.push((o.effective_at, v));
            if let Some(c) = colours.get(&o.id).filter(|c| **c != Colour::Green) {
                highlight.push((o.effective_at, v, *c));
            }
        }
    }
    points.sort_by_key(|(t, _)| *t);
    let (lo, hi) = q.plausible();
    let title = capitalise(match lang {
        Language::Danish => q.danish(),
        Language::English => q.english(),
    });
    Chart {
        title: title.clone(),
        unit: q.unit_display().to_string(),
        series: vec![Series {
            label: title,
            points,
        }],
        bands: plan_bounds(plans, q)
            .map(|b| bands_from(&b, lo, hi))
            .unwrap_or_default(),
        from,
        to,
        highlight,
        decimals: q.decimals() as u8,
    }
}

/// One chart per quantity the results hold, in the order of `Quantity::ALL` (so systolic and
/// diastolic are separate charts, each with its own bands).
pub fn quantity_charts(
    observations: &[telesund_core::monitoring::observation::Observation],
    plans: &[telesund_core::monitoring::programme::CarePlan],
    colours: &std::collections::HashMap<telesund_core::ids::ObservationId, Colour>,
    from: Timestamp,
    to: Timestamp,
    lang: Language,
) -> Vec<Chart> {
    telesund_core::monitoring::Quantity::ALL
        .iter()
        .map(|&q| quantity_chart(q, observations, plans, colours, from, to, lang))
        .filter(|c| c.series.iter().any(|s| !s.points.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DA: Language = Language::Danish;
    const EN: Language = Language::English;

    fn at(dt: time::OffsetDateTime) -> Timestamp {
        Timestamp::from_datetime(dt)
    }

    fn day(n: i64) -> Timestamp {
        // 1 November 2026 07:00 UTC (08:00 in Copenhagen) plus n days.
        Timestamp(at(datetime!(2026-11-01 07:00 UTC)).0 + n * DAY)
    }

    fn systolic_bounds() -> Bounds {
        Bounds::new(Some(85.0), Some(95.0), Some(150.0), Some(170.0))
    }

    fn blood_pressure() -> Chart {
        let sys = [128.0, 131.0, 126.0, 139.0, 152.0, 147.0, 133.0, 172.0];
        let dia = [82.0, 85.0, 80.0, 88.0, 95.0, 91.0, 84.0, 99.0];
        Chart {
            title: "Blodtryk".into(),
            unit: "mmHg".into(),
            series: vec![
                Series {
                    label: "Systolisk".into(),
                    points: sys
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (day(i as i64 * 2), *v))
                        .collect(),
                },
                Series {
                    label: "Diastolisk".into(),
                    points: dia
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (day(i as i64 * 2), *v))
                        .collect(),
                },
            ],
            bands: bands_from(&systolic_bounds(), 0.0, 300.0),
            from: day(-1),
            to: day(15),
            highlight: vec![
                (day(8), 152.0, Colour::Yellow),
                (day(14), 172.0, Colour::Red),
                (day(11), f64::NAN, Colour::Blue),
            ],
            decimals: 0,
        }
    }

    fn temperature(values: &[f64]) -> Chart {
        Chart {
            title: "Temperatur".into(),
            unit: "°C".into(),
            series: vec![Series {
                label: String::new(),
                points: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (day(i as i64), *v))
                    .collect(),
            }],
            bands: bands_from(
                &Bounds::new(Some(35.0), Some(36.0), Some(37.5), Some(38.5)),
                30.0,
                45.0,
            ),
            from: day(0),
            to: day(7),
            highlight: vec![],
            decimals: 1,
        }
    }

    /// Balanced tags by a stack; every attribute quoted text free of '<'; no NaN or inf.
    fn assert_well_formed(doc: &str) {
        assert!(!doc.contains("NaN"), "NaN in {doc}");
        assert!(!doc.contains("inf"), "inf in {doc}");
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = doc;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let close = after.find('>').expect("every < has a >");
            let tag = &after[..close];
            assert!(!tag.contains('<'), "a < inside a tag: {tag}");
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in {tag}"
            );
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack
                    .pop()
                    .unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(top, name.trim(), "</{name}> closes <{top}>");
            } else if !tag.ends_with('/') {
                let name = tag.split(|c: char| c.is_whitespace()).next().unwrap();
                assert!(!name.is_empty());
                stack.push(name);
            }
            rest = &after[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        // Text between tags carries no stray '>' or bare '&'.
        for (i, _) in doc.match_indices('&') {
            let entity = &doc[i..doc[i..].find(';').map_or(doc.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
                "bare & at {i}: {entity}"
            );
        }
    }

    fn svg_self_contained(svg: &str) {
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 300\" width=\"100%\""
        ));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.ends_with("</svg>"));
        let lower = svg.to_ascii_lowercase();
        for banned in [
            "<script",
            "href",
            "url(",
            "<style",
            " style=",
            "<image",
            "<foreignobject",
            "javascript:",
        ] {
            assert!(!lower.contains(banned), "{banned} in the SVG");
        }
        // No event handler attribute (" onload=" and the like).
        for (i, _) in lower.match_indices(" on") {
            let name: String = lower[i + 1..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            assert!(
                !lower[i + 1 + name.len()..].starts_with('='),
                "{name}= in the SVG"
            );
        }
    }

    /// The (cx, cy) of every data circle in the SVG (the legend's are left out).
    fn circles(svg: &str) -> Vec<(f64, f64)> {
        let svg = &svg[..svg.find(r#"<g class="legend""#).unwrap_or(svg.len())];
        let attr = |tag: &str, name: &str| -> f64 {
            let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[start..start + tag[start..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        svg.match_indices("<circle ")
            .map(|(i, _)| {
                let tag = &svg[i..i + svg[i..].find('>').unwrap()];
                (attr(tag, "cx"), attr(tag, "cy"))
            })
            .collect()
    }

    #[test]
    fn blood_pressure_chart_is_well_formed_and_complete() {
        for lang in [DA, EN] {
            let svg = render(&blood_pressure(), lang);
            assert_well_formed(&svg);
            svg_self_contained(&svg);
            // A line per series, a marker per point, three flagged results.
            assert_eq!(svg.matches("<polyline ").count(), 2);
            assert_eq!(svg.matches(r#"r="3" stroke"#).count(), 16);
            assert!(svg.contains(r#"<g class="triage""#));
            assert!(svg.contains(r#"class="legend""#));
            assert!(
                svg.contains(r#"stroke-dasharray="6 4""#),
                "diastolic is dashed"
            );
            // Bands are drawn before (behind) the lines.
            assert!(svg.find(r#"class="bands""#).unwrap() < svg.find("<polyline").unwrap());
        }
        let da = render(&blood_pressure(), DA);
        assert!(da.contains("Systolisk: seneste 172 mmHg (15. nov 2026 08:00), interval 126–172 mmHg, 8 målinger"), "{da}");
        assert!(
            da.contains("Markeret: 1 rød, 1 gul, 1 blå (mangler)"),
            "{da}"
        );
        assert!(da.contains("Målområde 95–150 mmHg"));
        let en = render(&blood_pressure(), EN);
        assert!(
            en.contains("latest 172 mmHg (15 Nov 2026 08:00), range 126–172 mmHg, 8 measurements"),
            "{en}"
        );
        assert!(en.contains("Flagged: 1 red, 1 yellow, 1 blue (missing)"));
        assert!(en.contains("Target range 95–150 mmHg"));
    }

    #[test]
    fn points_fall_inside_the_plot() {
        let chart = blood_pressure();
        let svg = render(&chart, DA);
        let all = circles(&svg);
        assert!(all.len() >= 16);
        for (x, y) in all {
            assert!(PLOT.contains(x, y), "({x}, {y}) outside {PLOT:?}");
        }
        // And by the numbers: the scale maps the domain onto the range, ends included.
        assert_eq!(scale(0.0, (0.0, 10.0), (100.0, 200.0)), 100.0);
        assert_eq!(scale(10.0, (0.0, 10.0), (100.0, 200.0)), 200.0);
        assert_eq!(scale(2.5, (0.0, 10.0), (200.0, 100.0)), 175.0);
        assert_eq!(
            scale(99.0, (0.0, 10.0), (100.0, 200.0)),
            200.0,
            "held at the edge"
        );
        assert_eq!(
            scale(5.0, (5.0, 5.0), (100.0, 200.0)),
            150.0,
            "empty domain"
        );
        assert_eq!(scale(f64::NAN, (0.0, 1.0), (100.0, 200.0)), 150.0);
        let p = Prepared::new(&chart);
        let axis = p.y.clone().unwrap();
        for s in &p.series {
            for (ts, v) in s {
                assert!(*v >= axis.lo && *v <= axis.hi);
                assert!(PLOT.contains(p.x(*ts), p.y(*v)));
            }
        }
        // The earliest point is right of the left edge (the period starts a day before).
        assert!(p.x(day(0)) > PLOT.left);
        // The thresholds near the data are on the axis: 95 to 170.
        assert!(axis.lo <= 80.0 && axis.hi >= 172.0, "{axis:?}");
        assert!(axis.hi < 300.0, "the ceiling is no threshold");
    }

    #[test]
    fn bands_run_from_low_to_high_without_gaps() {
        let bands = bands_from(&systolic_bounds(), 0.0, 300.0);
        let kinds: Vec<_> = bands.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BandKind::Alert,
                BandKind::Warning,
                BandKind::Normal,
                BandKind::Warning,
                BandKind::Alert
            ]
        );
        let edges: Vec<_> = bands.iter().map(|b| (b.from, b.to)).collect();
        assert_eq!(
            edges,
            [
                (0.0, 85.0),
                (85.0, 95.0),
                (95.0, 150.0),
                (150.0, 170.0),
                (170.0, 300.0)
            ]
        );

        // Weight gain: high bounds only.
        let high = bands_from(&Bounds::new(None, None, Some(90.0), Some(92.0)), 0.0, 250.0);
        assert_eq!(
            high,
            [
                Band {
                    from: 0.0,
                    to: 90.0,
                    kind: BandKind::Normal
                },
                Band {
                    from: 90.0,
                    to: 92.0,
                    kind: BandKind::Warning
                },
                Band {
                    from: 92.0,
                    to: 250.0,
                    kind: BandKind::Alert
                },
            ]
        );
        // SpO2: low bounds only, up to a ceiling of 100.
        let low = bands_from(
            &Bounds::new(Some(88.0), Some(92.0), None, None),
            50.0,
            100.0,
        );
        assert_eq!(
            low.iter()
                .map(|b| (b.kind, b.from, b.to))
                .collect::<Vec<_>>(),
            [
                (BandKind::Alert, 50.0, 88.0),
                (BandKind::Warning, 88.0, 92.0),
                (BandKind::Normal, 92.0, 100.0)
            ]
        );
        // Warning high without alert high: yellow to the ceiling.
        let warn = bands_from(&Bounds::new(None, None, Some(37.5), None), 30.0, 45.0);
        assert_eq!(
            warn.iter().map(|b| b.kind).collect::<Vec<_>>(),
            [BandKind::Normal, BandKind::Warning]
        );
        // Alert bounds only: green between them.
        let alerts = bands_from(
            &Bounds::new(Some(40.0), None, None, Some(130.0)),
            0.0,
            250.0,
        );
        assert_eq!(
            alerts.iter().map(|b| b.kind).collect::<Vec<_>>(),
            [BandKind::Alert, BandKind::Normal, BandKind::Alert]
        );
        // No yellow band where a warning bound equals the alert bound.
        let tight = bands_from(
            &Bounds::new(Some(90.0), Some(90.0), Some(140.0), Some(140.0)),
            0.0,
            300.0,
        );
        assert_eq!(
            tight.iter().map(|b| b.kind).collect::<Vec<_>>(),
            [BandKind::Alert, BandKind::Normal, BandKind::Alert]
        );
        // Nothing set, nothing drawn; nonsense is dropped, never drawn inside out.
        assert!(bands_from(&Bounds::default(), 0.0, 300.0).is_empty());
        assert!(bands_from(&systolic_bounds(), f64::NAN, 300.0).is_empty());
        let odd = bands_from(
            &Bounds::new(Some(95.0), Some(85.0), Some(400.0), None),
            0.0,
            300.0,
        );
        for b in &odd {
            assert!(b.from < b.to && b.from >= 0.0 && b.to <= 300.0, "{odd:?}");
        }
        for set in [bands, high, low, warn, alerts, tight, odd] {
            for pair in set.windows(2) {
                assert_eq!(pair[0].to, pair[1].from, "contiguous: {set:?}");
            }
            // The colours agree with how the thresholds triage a value inside each band.
        }
        let b = systolic_bounds();
        for band in bands_from(&b, 0.0, 300.0) {
            let mid = (band.from + band.to) / 2.0;
            let want = match band.kind {
                BandKind::Normal => Colour::Green,
                BandKind::Warning => Colour::Yellow,
                BandKind::Alert => Colour::Red,
            };
            assert_eq!(b.evaluate(mid).0, want, "{band:?}");
        }
    }

    #[test]
    fn text_is_escaped() {
        let mut chart = blood_pressure();
        chart.title = r#"<script>alert("x")</script> & co"#.into();
        chart.unit = "m<g".into();
        chart.series[0].label = r#"Sys "<b>" & 'x'"#.into();
        for doc in [render(&chart, DA), table(&chart, DA)] {
            assert_well_formed(&doc);
            assert!(!doc.contains("<script"));
            assert!(!doc.contains("<b>"));
            assert!(doc.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));
            assert!(doc.contains("Sys &quot;&lt;b&gt;&quot; &amp; &#39;x&#39;"));
            assert!(doc.contains("m&lt;g"));
        }
        assert_eq!(esc("a\u{0}b"), "a b", "no control characters in XML");
    }

    #[test]
    fn numbers_use_the_danish_decimal_comma() {
        assert_eq!(number(37.26, 1, DA), "37,3");
        assert_eq!(number(37.26, 1, EN), "37.3");
        assert_eq!(number(120.0, 0, DA), "120");
        assert_eq!(number(-0.01, 1, DA), "0,0");
        assert_eq!(number(f64::NAN, 1, DA), "–");
        assert_eq!(number(1.0, 255, EN), "1.000000", "decimals are capped");

        let mut chart = temperature(&[36.8, 37.26, 37.9, 36.5]);
        chart.bands.clear();
        let da = render(&chart, DA);
        assert_well_formed(&da);
        assert!(da.contains("Seneste 36,5 °C"), "{da}");
        assert!(da.contains("interval 36,5–37,9 °C"));
        assert!(da.contains(">37,5<"), "a tick label with a comma: {da}");
        assert!(!da.contains(">37.5<"));
        let en = render(&chart, EN);
        assert!(en.contains("Latest 36.5 °C"));
        assert!(en.contains(">37.5<"));
        let t = table(&chart, DA);
        assert!(t.contains(r#"<td class="num">37,3</td>"#), "{t}");
        assert!(table(&chart, EN).contains(r#"<td class="num">37.3</td>"#));
    }

    #[test]
    fn y_ticks_are_nice() {
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.2), 2.0);
        assert_eq!(nice_step(2.4), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(12.0), 20.0);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(0.03), 0.05);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);

        for (lo, hi) in [
            (118.0, 152.0),
            (36.4, 37.9),
            (0.0, 0.0),
            (84.2, 84.2),
            (-3.0, 2.0),
            (0.001, 0.004),
            (9000.0, 12000.0),
        ] {
            let axis = y_axis(lo, hi, None);
            assert!(
                axis.lo <= lo && axis.hi >= hi && axis.lo < axis.hi,
                "{lo}..{hi}: {axis:?}"
            );
            assert!((3..=11).contains(&axis.ticks.len()), "{lo}..{hi}: {axis:?}");
            let mantissa = axis.step / 10f64.powf(axis.step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9),
                "{axis:?}"
            );
            for v in &axis.ticks {
                let k = v / axis.step;
                assert!(
                    (k - k.round()).abs() < 1e-6,
                    "{v} is a whole step: {axis:?}"
                );
                assert!(*v >= axis.lo - 1e-9 && *v <= axis.hi + 1e-9);
            }
        }
        let bp = y_axis(118.0, 152.0, None);
        assert_eq!(
            (bp.lo, bp.hi, bp.step, bp.decimals),
            (110.0, 160.0, 10.0, 0)
        );
        assert_eq!(bp.ticks, [110.0, 120.0, 130.0, 140.0, 150.0, 160.0]);
        let t = y_axis(36.4, 37.9, None);
        assert_eq!((t.step, t.decimals), (0.5, 1));
        // All equal values still get a range, not a zero-height scale.
        let flat = y_axis(84.2, 84.2, None);
        assert!(flat.hi - flat.lo > 1.0, "{flat:?}");
        // A ceiling caps the padding: SpO2 stops at 100.
        let spo2 = y_axis(92.0, 99.0, Some((50.0, 100.0)));
        assert_eq!(spo2.hi, 100.0);
        assert_eq!(y_axis(f64::NAN, 1.0, None).ticks.len(), 6);
        assert_eq!(y_axis(f64::INFINITY, f64::INFINITY, None).lo, 0.0);
    }

    #[test]
    fn x_ticks_are_days_weeks_or_hours_in_copenhagen() {
        // Two weeks: every other day, labelled "12. nov", at Copenhagen midnight.
        let from = at(datetime!(2026-11-01 00:00 UTC));
        let to = at(datetime!(2026-11-15 00:00 UTC));
        let ticks = x_ticks(from, to, DA);
        assert!((4..=MAX_X_TICKS).contains(&ticks.len()), "{ticks:?}");
        assert!(ticks.iter().all(|t| t.at >= from && t.at <= to));
        assert!(ticks.windows(2).all(|w| w[1].at.0 - w[0].at.0 == 2 * DAY));
        assert!(ticks.iter().any(|t| t.label == "13. nov"), "{ticks:?}");
        let first = &ticks[0];
        assert_eq!(first.at.in_copenhagen().hour(), 0, "local midnight");
        assert_eq!(first.at.0 % DAY, 23 * HOUR, "CET is UTC+1 in November");
        assert!(x_ticks(from, to, EN).iter().any(|t| t.label == "13 Nov"));

        // A week: every day.
        let week = x_ticks(from, Timestamp(from.0 + 7 * DAY), DA);
        assert_eq!(week.len(), 7, "{week:?}");

        // A quarter: Mondays, a week or two apart.
        let q = x_ticks(from, Timestamp(from.0 + 90 * DAY), DA);
        assert!(q.len() <= MAX_X_TICKS && q.len() >= 5, "{q:?}");
        assert!(
            q.iter()
                .all(|t| t.at.in_copenhagen().weekday() == Weekday::Monday)
        );

        // A year: months, "jan 2027".
        let y = x_ticks(from, Timestamp(from.0 + 365 * DAY), DA);
        assert!(y.iter().any(|t| t.label == "jan 2027"), "{y:?}");
        assert!(y.len() <= MAX_X_TICKS + 2);

        // Twelve hours in summer: whole local hours, CEST = UTC+2.
        let morning = at(datetime!(2026-07-01 04:30 UTC));
        let h = x_ticks(morning, Timestamp(morning.0 + 12 * HOUR), DA);
        assert!(
            h.iter()
                .any(|t| t.label == "08:00" && t.at == at(datetime!(2026-07-01 06:00 UTC))),
            "{h:?}"
        );
        assert!(h.len() <= MAX_X_TICKS);
        // Across midnight the date shows.
        let night = at(datetime!(2026-11-11 18:00 UTC));
        let n = x_ticks(night, Timestamp(night.0 + 12 * HOUR), DA);
        assert!(n.iter().any(|t| t.label == "12. nov"), "{n:?}");

        // Reversed or empty periods still work, and absurd ones end.
        assert!(!x_ticks(to, from, DA).is_empty());
        assert!(!x_ticks(from, from, DA).is_empty());
        assert!(x_ticks(Timestamp(i64::MIN), Timestamp(i64::MAX), DA).len() <= MAX_X_TICKS + 2);
    }

    #[test]
    fn an_empty_chart_says_so() {
        let mut chart = blood_pressure();
        for s in &mut chart.series {
            s.points.clear();
        }
        chart.highlight.clear();
        let da = render(&chart, DA);
        assert_well_formed(&da);
        svg_self_contained(&da);
        assert!(da.contains(">Ingen målinger i perioden<"));
        assert!(da.contains("<desc"));
        assert!(!da.contains("<polyline"));
        assert!(
            !da.contains(r#"class="bands""#),
            "no data, no y-axis to put bands on"
        );
        let en = render(&chart, EN);
        assert!(en.contains(">No measurements in this period<"));
        let t = table(&chart, DA);
        assert_well_formed(&t);
        assert!(
            t.contains(r#"<td colspan="3">Ingen målinger i perioden</td>"#),
            "{t}"
        );

        // No series at all, no bands, a zero-length period.
        let bare = Chart {
            title: "Vægt".into(),
            unit: String::new(),
            series: vec![],
            bands: vec![],
            from: day(0),
            to: day(0),
            highlight: vec![],
            decimals: 1,
        };
        let svg = render(&bare, DA);
        assert_well_formed(&svg);
        assert!(svg.contains("Ingen målinger i perioden"));
        assert_well_formed(&table(&bare, EN));
    }

    #[test]
    fn a_single_point_and_flat_or_broken_data() {
        let one = temperature(&[37.0]);
        let svg = render(&one, DA);
        assert_well_formed(&svg);
        assert!(!svg.contains("<polyline"), "one point, no line");
        assert_eq!(circles(&svg).len(), 1);
        assert!(svg.contains(", 1 måling."), "{svg}");

        let mut flat = temperature(&[70.0; 5]);
        flat.bands.clear();
        let p = Prepared::new(&flat);
        let axis = p.y.clone().unwrap();
        assert!(axis.hi > axis.lo);
        let svg = render(&flat, EN);
        assert_well_formed(&svg);
        for (x, y) in circles(&svg) {
            assert!(PLOT.contains(x, y));
        }

        let broken = temperature(&[f64::NAN, 37.0, f64::INFINITY, f64::NEG_INFINITY, 36.8]);
        let svg = render(&broken, DA);
        assert_well_formed(&svg);
        assert_eq!(circles(&svg).len(), 2);
        assert!(!table(&broken, DA).contains("NaN"));

        let huge = temperature(&[f64::MAX, -f64::MAX]);
        let svg = render(&huge, EN);
        assert_well_formed(&svg);
        for (x, y) in circles(&svg) {
            assert!(PLOT.contains(x, y));
        }

        // Points outside the period are left out.
        let mut late = temperature(&[37.0, 37.2]);
        late.series[0].points.push((day(30), 39.0));
        assert_eq!(circles(&render(&late, DA)).len(), 2);
    }

    #[test]
    fn the_table_lists_newest_first() {
        let chart = blood_pressure();
        let t = table(&chart, DA);
        assert_well_formed(&t);
        assert!(t.starts_with(r#"<table class="chart-table"><caption>Blodtryk (mmHg), 31. okt 2026–16. nov 2026</caption>"#), "{t}");
        assert!(t.contains(r#"<th scope="col">Systolisk (mmHg)</th><th scope="col">Diastolisk (mmHg)</th><th scope="col">Vurdering</th>"#));
        let times: Vec<&str> = t
            .match_indices("<time datetime=\"")
            .map(|(i, _)| &t[i + 16..i + 36])
            .collect();
        assert_eq!(times.len(), 9, "{t}");
        let mut sorted = times.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "newest first");
        assert!(t.contains(r#"15. nov 2026 08:00</time></th><td class="num">172</td><td class="num">99</td><td class="triage-red">rød</td>"#), "{t}");
        // The missing measurement has a row of its own, with no values.
        assert!(t.contains(r#"12. nov 2026 08:00</time></th><td></td><td></td><td class="triage-blue">blå (mangler)</td>"#), "{t}");
        // A result that was not triaged has an empty assessment.
        assert!(t.contains(r#"<td class="num">80</td><td></td></tr>"#));
        let en = table(&chart, EN);
        assert!(en.contains(r#"<th scope="col">Time</th>"#));
        assert!(en.contains(">red</td>"));
    }
}
