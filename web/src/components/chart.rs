//! Charts drawn as inline SVG: horizontal bars (side by side or stacked)
//! for figures per group, and lines for figures day by day. What goes where
//! is worked out here as pure functions of the data and the width there is
//! to draw in ([`bar_layout`], [`line_layout`], [`nice_ticks`]), so it is
//! tested without a browser; [`ChartView`] draws it at the width its box
//! has, so the words stay readable on a phone.
//!
//! A chart is an image to screen readers (`role="img"`, named by a summary
//! sentence); the figures themselves are in the table the page puts beside
//! it.

use std::fmt::Write as _;

use chrono::NaiveDate;
use leptos::prelude::*;

/// How a chart's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Whole numbers (clients, minutes).
    Count,
    /// A share from 0 to 1, shown as a percentage.
    Share,
    /// A number with decimals (hours, days, an average rating).
    Number,
}

/// How a chart draws its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One bar per series, side by side, for each category.
    Grouped,
    /// One bar per category, the series stacked end to end (parts of a whole).
    Stacked,
    /// One line per group across the days of the period.
    Line,
}

/// One series (a column of the data): its field and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    /// The field it comes from (the CSV column).
    pub key: &'static str,
    /// Its words (legend, table heading).
    pub label: &'static str,
}

/// One row of a chart's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    /// What tells this row apart (the group's id and its other keys).
    pub id: String,
    /// The category's words (bar charts), e.g. "Carmen Ruiz · ED".
    pub label: String,
    /// The line it belongs to (line charts): the group's id …
    pub line_id: String,
    /// … and its name.
    pub line: String,
    /// Its day (line charts).
    pub day: Option<NaiveDate>,
    /// One value per series; `None` where the API has none.
    pub values: Vec<Option<f64>>,
}

/// A range of the value axis drawn as a shaded band (a standard to meet).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Its low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
    /// Its words.
    pub label: String,
}

/// Everything a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// A stem for element ids, unique on the page.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How it draws.
    pub kind: Kind,
    /// How its values read.
    pub unit: Unit,
    /// The value axis's words.
    pub value_axis: String,
    /// The category axis's words (bar charts) or the time axis's (lines).
    pub category_axis: String,
    /// What a category is, in the plural ("care managers"), for the summary.
    pub categories_called: String,
    /// The series.
    pub series: Vec<Series>,
    /// The rows.
    pub data: Vec<Datum>,
    /// A fixed top of the value axis (shares: 1; ratings: 5).
    pub max: Option<f64>,
    /// A band to shade.
    pub band: Option<Band>,
    /// The days a line chart spans.
    pub period: Option<(NaiveDate, NaiveDate)>,
}

/// The size of the chart's words, in pixels.
pub const FONT: f64 = 12.0;
/// The distance between two lines of a category's name, in pixels.
const LINE_HEIGHT: f64 = 13.0;
/// How wide a character of the chart's words is, on average, in pixels.
const CHAR_WIDTH: f64 = 7.0;
/// The narrowest the chart is drawn.
pub const MIN_WIDTH: f64 = 260.0;
/// How thick a bar is when bars stand side by side.
const BAR: f64 = 14.0;
/// How thick a stacked bar is.
const STACKED_BAR: f64 = 20.0;
/// Space between bars side by side.
const BAR_GAP: f64 = 2.0;
/// Space above and below a category's bars.
const BAND_PAD: f64 = 7.0;
/// Room above the plot (the category axis's title).
const TOP: f64 = 26.0;
/// Room below the plot (tick labels and the value axis's title).
const BOTTOM: f64 = 44.0;
/// Room right of the bars for the value written at a bar's end.
const VALUE_ROOM: f64 = 52.0;
/// Fewest pixels between two ticks of the value axis.
const TICK_SPACING: f64 = 72.0;
/// How tall a line chart's plot is.
const LINE_PLOT: f64 = 220.0;

/// A number as people read it: thousands separated, at most `decimals`
/// places, trailing zeros dropped (`1,234`, `12.5`).
pub fn number(value: f64, decimals: usize) -> String {
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, frac) = match fixed.split_once('.') {
        Some((w, f)) => (w.to_string(), f.trim_end_matches('0').to_string()),
        None => (fixed.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && (whole != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A value in its unit's words: `12`, `33.3%`, `4.25`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Count => number(value, 0),
        Unit::Share => format!("{}%", number(value * 100.0, 1)),
        Unit::Number => number(value, 2),
    }
}

/// A value, or what to say when there is none.
pub fn format_optional(value: Option<f64>, unit: Unit) -> String {
    value.map_or_else(|| "—".to_string(), |v| format_value(v, unit))
}

/// Ticks for a value axis from 0 to at least `max`: about `target` of them,
/// a step of 1, 2 or 5 times a power of ten (whole steps when `whole`).
/// The last tick is the axis's top.
pub fn nice_ticks(max: f64, target: usize, whole: bool) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    #[expect(clippy::cast_precision_loss, reason = "a handful of ticks")]
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let nice = if normalized <= 1.0 {
        1.0
    } else if normalized <= 2.0 {
        2.0
    } else if normalized <= 5.0 {
        5.0
    } else {
        10.0
    };
    let mut step = nice * magnitude;
    if whole {
        step = step.max(1.0);
    }
    let count = (max / step - 1e-9).ceil().max(1.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive count of a few ticks"
    )]
    let count = count as usize;
    (0..=count)
        .map(|i| {
            #[expect(clippy::cast_precision_loss, reason = "a handful of ticks")]
            let v = i as f64 * step;
            (v * 1e9).round() / 1e9
        })
        .collect()
}

/// `label` wrapped at spaces into at most `max_lines` lines of at most
/// `max_chars` characters (a word longer than a line is cut); the last line
/// ends in an ellipsis when the label does not fit. Says whether it was cut.
pub fn wrap(label: &str, max_chars: usize, max_lines: usize) -> (Vec<String>, bool) {
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    for word in label.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if candidate.chars().count() <= max_chars {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if lines.len() == max_lines {
            cut = true;
            break;
        }
        if word.chars().count() > max_chars {
            lines.push(word.chars().take(max_chars).collect());
            cut = true;
            break;
        }
        current = word.to_string();
    }
    if !cut && !current.is_empty() {
        lines.push(current);
    }
    if cut && let Some(last) = lines.last_mut() {
        let keep: String = last.chars().take(max_chars.saturating_sub(1)).collect();
        *last = format!("{}…", keep.trim_end());
    }
    (lines, cut)
}

/// How many characters fit in `width` pixels.
fn chars_in(width: f64) -> usize {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive width"
    )]
    let n = (width / CHAR_WIDTH).floor().max(1.0) as usize;
    n
}

/// A tick of an axis: where, and its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Its position along the axis, in pixels.
    pub at: f64,
    /// Its words.
    pub label: String,
}

/// One bar (or one piece of a stacked bar).
#[derive(Debug, Clone, PartialEq)]
pub struct BarRect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Which series.
    pub series: usize,
    /// The value, in words.
    pub text: String,
}

/// A value written beside its bar, or "no data" where there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct BarNote {
    /// Where the words start.
    pub x: f64,
    /// Their baseline.
    pub y: f64,
    /// The words.
    pub text: String,
}

/// One category of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    /// The row's id.
    pub id: String,
    /// The category's words as shown: one or two lines (maybe shortened).
    pub lines: Vec<String>,
    /// The category's words in full.
    pub full: String,
    /// Whether `lines` leave something out.
    pub shortened: bool,
    /// The first line's baseline.
    pub label_y: f64,
    /// Its bars.
    pub bars: Vec<BarRect>,
    /// The values written beside the bars.
    pub notes: Vec<BarNote>,
}

/// Where everything of a bar chart goes.
#[derive(Debug, Clone, PartialEq)]
pub struct BarLayout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Left edge of the plot (the value 0).
    pub left: f64,
    /// Right edge of the plot (the axis's top value).
    pub right: f64,
    /// Top of the plot.
    pub top: f64,
    /// Bottom of the plot (the value axis).
    pub bottom: f64,
    /// Where the category labels end (right-aligned there).
    pub label_end: f64,
    /// The value axis's ticks.
    pub ticks: Vec<Tick>,
    /// The categories.
    pub rows: Vec<BarRow>,
}

/// The top of the value axis and its ticks for `values`, in `unit`.
fn value_scale(
    chart: &ChartData,
    highest: f64,
    span: f64,
    to_pixels: impl Fn(f64) -> f64,
) -> (f64, Vec<Tick>) {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive count"
    )]
    let target = (span / TICK_SPACING).floor().clamp(1.0, 10.0) as usize;
    let ticks = nice_ticks(
        chart.max.unwrap_or(highest).max(highest),
        target,
        chart.unit == Unit::Count,
    );
    let top = ticks.last().copied().unwrap_or(1.0);
    let ticks = ticks
        .into_iter()
        .map(|v| Tick {
            at: to_pixels(v / top),
            label: format_value(v, chart.unit),
        })
        .collect();
    (top, ticks)
}

/// Lays out a bar chart (grouped or stacked) `width` pixels wide.
pub fn bar_layout(chart: &ChartData, width: f64) -> BarLayout {
    let width = width.max(MIN_WIDTH);
    let stacked = chart.kind == Kind::Stacked;
    let label_w = (width * 0.4).clamp(84.0, 240.0);
    let left = label_w + 10.0;
    let right = width - if stacked { 12.0 } else { VALUE_ROOM };
    let top = TOP;
    let n_series = chart.series.len().max(1);
    #[expect(clippy::cast_precision_loss, reason = "a few series")]
    let band = if stacked {
        STACKED_BAR + 2.0 * BAND_PAD
    } else {
        n_series as f64 * BAR + (n_series as f64 - 1.0) * BAR_GAP + 2.0 * BAND_PAD
    };
    #[expect(clippy::cast_precision_loss, reason = "rows of a report")]
    let bottom = top + band * chart.data.len().max(1) as f64;
    let highest = chart
        .data
        .iter()
        .map(|d| {
            if stacked {
                d.values.iter().flatten().filter(|v| **v > 0.0).sum()
            } else {
                d.values.iter().flatten().copied().fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let span = right - left;
    let (top_value, ticks) = value_scale(chart, highest, span, |f| left + span * f);
    let x_of = |v: f64| span * (v.max(0.0) / top_value).min(1.0);
    let max_chars = chars_in(label_w);
    let rows = chart
        .data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            #[expect(clippy::cast_precision_loss, reason = "rows of a report")]
            let y0 = top + band * i as f64;
            // Two lines where a category's band has room for them.
            let max_lines = if band >= 2.0 * LINE_HEIGHT { 2 } else { 1 };
            let (lines, shortened) = wrap(&d.label, max_chars, max_lines);
            let mut bars = Vec::new();
            let mut notes = Vec::new();
            if stacked {
                let mut x = left;
                for (s, v) in d.values.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let w = x_of(*v);
                    bars.push(BarRect {
                        x,
                        y: y0 + BAND_PAD,
                        w,
                        h: STACKED_BAR,
                        series: s,
                        text: format_value(*v, chart.unit),
                    });
                    x += w;
                }
            } else {
                for (s, v) in d.values.iter().enumerate() {
                    #[expect(clippy::cast_precision_loss, reason = "a few series")]
                    let y = y0 + BAND_PAD + s as f64 * (BAR + BAR_GAP);
                    match v {
                        Some(v) => {
                            let w = x_of(*v);
                            let text = format_value(*v, chart.unit);
                            notes.push(BarNote {
                                x: left + w + 4.0,
                                y: y + BAR - 3.0,
                                text: text.clone(),
                            });
                            bars.push(BarRect {
                                x: left,
                                y,
                                w,
                                h: BAR,
                                series: s,
                                text,
                            });
                        }
                        None => notes.push(BarNote {
                            x: left + 4.0,
                            y: y + BAR - 3.0,
                            text: "no data".to_string(),
                        }),
                    }
                }
            }
            BarRow {
                id: d.id.clone(),
                full: d.label.clone(),
                shortened,
                #[expect(clippy::cast_precision_loss, reason = "one or two lines")]
                label_y: y0 + band / 2.0 + FONT / 3.0
                    - (lines.len() as f64 - 1.0) * LINE_HEIGHT / 2.0,
                lines,
                bars,
                notes,
            }
        })
        .collect();
    BarLayout {
        width,
        height: bottom + BOTTOM,
        left,
        right,
        top,
        bottom,
        label_end: label_w,
        ticks,
        rows,
    }
}

/// One point of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePoint {
    /// Where.
    pub x: f64,
    /// Where.
    pub y: f64,
    /// The row it shows.
    pub id: String,
}

/// One line: a group's values day by day.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The group's id.
    pub id: String,
    /// The group's name.
    pub label: String,
    /// Its points, by day.
    pub points: Vec<LinePoint>,
    /// The runs of consecutive days, drawn joined (a day without a row
    /// breaks the line: nothing is made up for it).
    pub runs: Vec<Vec<(f64, f64)>>,
}

/// Where everything of a line chart goes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineLayout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Left edge of the plot.
    pub left: f64,
    /// Right edge of the plot.
    pub right: f64,
    /// Top of the plot.
    pub top: f64,
    /// Bottom of the plot.
    pub bottom: f64,
    /// The value axis's ticks (vertical positions).
    pub y_ticks: Vec<Tick>,
    /// The day axis's ticks (horizontal positions).
    pub x_ticks: Vec<Tick>,
    /// The lines.
    pub lines: Vec<Line>,
    /// The shaded band: its top and bottom, and words.
    pub band: Option<(f64, f64, String)>,
}

/// Days between ticks of a day axis over `days` days with room for about `room` ticks.
pub fn day_step(days: i64, room: usize) -> i64 {
    let room = i64::try_from(room.max(2)).unwrap_or(2);
    [1, 2, 7, 14, 28, 56, 91, 182, 364]
        .into_iter()
        .find(|step| days / step < room)
        .unwrap_or(364)
}

/// Lays out a line chart `width` pixels wide.
pub fn line_layout(chart: &ChartData, width: f64) -> LineLayout {
    let width = width.max(MIN_WIDTH);
    let left = 64.0;
    let right = width - 18.0;
    let top = 14.0;
    let bottom = top + LINE_PLOT;
    let highest = chart
        .data
        .iter()
        .filter_map(|d| d.values.first().copied().flatten())
        .fold(0.0, f64::max);
    let (top_value, y_ticks) =
        value_scale(chart, highest, LINE_PLOT * 1.6, |f| bottom - LINE_PLOT * f);
    let y_of = |v: f64| bottom - LINE_PLOT * (v.max(0.0) / top_value).min(1.0);
    let days: Vec<NaiveDate> = chart.data.iter().filter_map(|d| d.day).collect();
    let (from, to) = chart.period.unwrap_or_else(|| {
        let first = days.iter().min().copied().unwrap_or_default();
        (first, days.iter().max().copied().unwrap_or(first))
    });
    let span_days = (to - from).num_days();
    #[expect(clippy::cast_precision_loss, reason = "days of a period")]
    let x_of = |d: NaiveDate| {
        if span_days == 0 {
            f64::midpoint(left, right)
        } else {
            left + (right - left) * ((d - from).num_days() as f64 / span_days as f64)
        }
    };
    let step = day_step(span_days, chars_in(right - left) / 9);
    let same_year = chrono::Datelike::year(&from) == chrono::Datelike::year(&to);
    let x_ticks = std::iter::successors(Some(from), |d| {
        d.checked_add_signed(chrono::Duration::days(step))
    })
    .take_while(|d| *d <= to)
    .map(|d| Tick {
        at: x_of(d),
        label: if same_year {
            d.format("%b %-d").to_string()
        } else {
            d.format("%b %-d, %Y").to_string()
        },
    })
    .collect();
    let mut lines: Vec<Line> = Vec::new();
    for d in &chart.data {
        let (Some(day), Some(value)) = (d.day, d.values.first().copied().flatten()) else {
            continue;
        };
        let point = LinePoint {
            x: x_of(day),
            y: y_of(value),
            id: d.id.clone(),
        };
        match lines.iter_mut().find(|l| l.id == d.line_id) {
            Some(line) => line.points.push(point),
            None => lines.push(Line {
                id: d.line_id.clone(),
                label: d.line.clone(),
                points: vec![point],
                runs: Vec::new(),
            }),
        }
    }
    let rows_by_id: std::collections::HashMap<&str, NaiveDate> = chart
        .data
        .iter()
        .filter_map(|d| d.day.map(|day| (d.id.as_str(), day)))
        .collect();
    for line in &mut lines {
        line.points.sort_by(|a, b| {
            rows_by_id
                .get(a.id.as_str())
                .cmp(&rows_by_id.get(b.id.as_str()))
        });
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut last: Option<NaiveDate> = None;
        for p in &line.points {
            let day = rows_by_id.get(p.id.as_str()).copied();
            let joined = matches!((last, day), (Some(a), Some(b)) if (b - a).num_days() == 1);
            match runs.last_mut() {
                Some(run) if joined => run.push((p.x, p.y)),
                _ => runs.push(vec![(p.x, p.y)]),
            }
            last = day;
        }
        line.runs = runs.into_iter().filter(|r| r.len() > 1).collect();
    }
    let band = chart
        .band
        .as_ref()
        .map(|b| (y_of(b.high), y_of(b.low), b.label.clone()));
    LineLayout {
        width,
        height: bottom + BOTTOM,
        left,
        right,
        top,
        bottom,
        y_ticks,
        x_ticks,
        lines,
        band,
    }
}

/// The names of the lines of a line chart, in the order they are drawn.
pub fn line_names(chart: &ChartData) -> Vec<String> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for d in &chart.data {
        if !seen.iter().any(|(id, _)| *id == d.line_id) {
            seen.push((d.line_id.clone(), d.line.clone()));
        }
    }
    seen.into_iter().map(|(_, name)| name).collect()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the chart shows, in a sentence or two for screen readers.
pub fn describe(chart: &ChartData) -> String {
    let n = chart.data.len();
    if n == 0 {
        return format!("{}: nothing to show for this period.", chart.title);
    }
    let series: Vec<String> = chart.series.iter().map(|s| s.label.to_string()).collect();
    match chart.kind {
        Kind::Line => {
            let names = line_names(chart);
            let peak = chart
                .data
                .iter()
                .filter_map(|d| d.values.first().copied().flatten().map(|v| (v, d)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let mut out = format!(
                "Line chart, {}: {} by day for {} ({}).",
                chart.title,
                and_list(&series),
                and_list(&names),
                n_of(names.len(), &chart.categories_called),
            );
            if let Some((v, d)) = peak {
                let day = d.day.map(|d| d.format("%b %-d, %Y").to_string());
                let _ = write!(
                    out,
                    " Highest: {} ({}{}).",
                    format_value(v, chart.unit),
                    d.line,
                    day.map(|d| format!(", {d}")).unwrap_or_default()
                );
            }
            out.push_str(" The table below lists every value.");
            out
        }
        Kind::Grouped | Kind::Stacked => {
            let how = if chart.kind == Kind::Stacked {
                "Stacked bar chart"
            } else {
                "Bar chart"
            };
            let mut out = format!(
                "{how}, {}: {} for {}.",
                chart.title,
                and_list(&series),
                n_of(n, &chart.categories_called)
            );
            for (s, series) in chart.series.iter().enumerate() {
                let top = chart
                    .data
                    .iter()
                    .filter_map(|d| d.values.get(s).copied().flatten().map(|v| (v, d)))
                    .filter(|(v, _)| *v > 0.0)
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((v, d)) = top {
                    let _ = write!(
                        out,
                        " Highest {}: {} ({}).",
                        series.label.to_lowercase(),
                        d.label,
                        format_value(v, chart.unit)
                    );
                }
            }
            out.push_str(" The table below lists every value.");
            out
        }
    }
}

/// `1 care manager`, `3 care managers` (`called` is the plural).
fn n_of(n: usize, called: &str) -> String {
    if n == 1 {
        format!("1 {}", called.strip_suffix('s').unwrap_or(called))
    } else {
        format!("{n} {called}")
    }
}

/// How many colours the series cycle through (`series-0` … in the stylesheet).
pub const PALETTE: usize = 10;

/// The class of series `i`: its colour, and for lines its marker's shape
/// and dashes (so colour is not the only way to tell lines apart).
pub fn series_class(i: usize) -> String {
    format!("series-{}", i % PALETTE)
}

/// The marker of line `i`: a circle, square, triangle or diamond.
fn marker(i: usize, x: f64, y: f64) -> AnyView {
    let class = format!("marker {}", series_class(i));
    match (i / PALETTE + i) % 4 {
        0 => view! { <circle class=class cx=x cy=y r="3.5" /> }.into_any(),
        1 => view! { <rect class=class x=x - 3.5 y=y - 3.5 width="7" height="7" /> }.into_any(),
        2 => view! {
            <path class=class d=format!("M{:.1},{:.1} l4,7 h-8 z", x, y - 4.5) />
        }
        .into_any(),
        _ => view! {
            <path class=class d=format!("M{:.1},{:.1} l4.5,4.5 l-4.5,4.5 l-4.5,-4.5 z", x, y - 4.5) />
        }
        .into_any(),
    }
}

/// The key to the colours: one entry per series (bars) or line.
#[component]
fn Legend(
    /// The entries' words.
    entries: Vec<String>,
    /// Whether the entries are lines (markers) or series (swatches).
    lines: bool,
) -> impl IntoView {
    let items = entries
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let swatch = if lines {
                view! {
                    <svg class="legend-mark" width="22" height="12" viewBox="0 0 22 12" aria-hidden="true" focusable="false">
                        <line class=format!("line {}", series_class(i)) x1="1" y1="6" x2="21" y2="6" />
                        {marker(i, 11.0, 6.0)}
                    </svg>
                }
                .into_any()
            } else {
                view! {
                    <svg class="legend-mark" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
                        <rect class=format!("bar {}", series_class(i)) x="0" y="0" width="12" height="12" />
                    </svg>
                }
                .into_any()
            };
            view! { <li>{swatch}{label}</li> }
        })
        .collect_view();
    view! { <ul class="chart-legend">{items}</ul> }
}

/// A bar chart's SVG.
fn bar_svg(chart: &ChartData, width: f64) -> AnyView {
    let l = bar_layout(chart, width);
    let summary = describe(chart);
    let grid = l
        .ticks
        .iter()
        .map(|t| {
            view! {
                <line class="grid-line" x1=t.at y1=l.top x2=t.at y2=l.bottom />
                <text class="tick-label" x=t.at y=l.bottom + 16.0 text-anchor="middle">
                    {t.label.clone()}
                </text>
            }
        })
        .collect_view();
    let rows = l
        .rows
        .iter()
        .map(|r| {
            let bars = r
                .bars
                .iter()
                .map(|b| {
                    view! {
                        <rect
                            class=format!("bar {}", series_class(b.series))
                            x=format!("{:.1}", b.x)
                            y=format!("{:.1}", b.y)
                            width=format!("{:.1}", b.w)
                            height=b.h
                            data-value=b.text.clone()
                        >
                            <title>{format!("{}: {}", chart.series.get(b.series).map_or("", |s| s.label), b.text)}</title>
                        </rect>
                    }
                })
                .collect_view();
            let notes = r
                .notes
                .iter()
                .map(|n| view! { <text class="bar-value" x=format!("{:.1}", n.x) y=n.y>{n.text.clone()}</text> })
                .collect_view();
            view! {
                <g class="chart-row" data-row=r.id.clone()>
                    <text class="category-label" x=l.label_end y=r.label_y text-anchor="end">
                        <title>{r.full.clone()}</title>
                        {r
                            .lines
                            .iter()
                            .enumerate()
                            .map(|(i, line)| {
                                let dy = if i == 0 { 0.0 } else { LINE_HEIGHT };
                                view! {
                                    <tspan x=l.label_end dy=dy>
                                        {line.clone()}
                                    </tspan>
                                }
                            })
                            .collect_view()}
                    </text>
                    {bars}
                    {notes}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart"
            role="img"
            aria-label=summary
            width=l.width
            height=l.height
            viewBox=format!("0 0 {} {}", l.width, l.height)
        >
            <text class="axis-title" x="0" y="14">
                {chart.category_axis.clone()}
            </text>
            {grid}
            <line class="axis-line" x1=l.left y1=l.top - 4.0 x2=l.left y2=l.bottom />
            <line class="axis-line" x1=l.left y1=l.bottom x2=l.right y2=l.bottom />
            {rows}
            <text class="axis-title" x=f64::midpoint(l.left, l.right) y=l.height - 6.0 text-anchor="middle">
                {chart.value_axis.clone()}
            </text>
        </svg>
    }
    .into_any()
}

/// A line chart's SVG.
fn line_svg(chart: &ChartData, width: f64) -> AnyView {
    let l = line_layout(chart, width);
    let summary = describe(chart);
    let band = l.band.clone().map(|(y1, y2, label)| {
        view! {
            <g class="standard-band">
                <rect x=l.left y=y1 width=l.right - l.left height=(y2 - y1).max(1.0) />
                <text class="band-label" x=l.right - 4.0 y=y1 + FONT text-anchor="end">{label}</text>
            </g>
        }
    });
    let y_grid = l
        .y_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="grid-line" x1=l.left y1=t.at x2=l.right y2=t.at />
                <text class="tick-label" x=l.left - 6.0 y=t.at + FONT / 3.0 text-anchor="end">
                    {t.label.clone()}
                </text>
            }
        })
        .collect_view();
    let x_grid = l
        .x_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="axis-tick" x1=t.at y1=l.bottom x2=t.at y2=l.bottom + 4.0 />
                <text class="tick-label" x=t.at y=l.bottom + 16.0 text-anchor="middle">
                    {t.label.clone()}
                </text>
            }
        })
        .collect_view();
    let lines = l
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let runs = line
                .runs
                .iter()
                .map(|run| {
                    let points = run
                        .iter()
                        .map(|(x, y)| format!("{x:.1},{y:.1}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    view! { <polyline class=format!("line {}", series_class(i)) points=points /> }
                })
                .collect_view();
            let markers = line
                .points
                .iter()
                .map(|p| view! { <g class="point" data-row=p.id.clone()>{marker(i, p.x, p.y)}</g> })
                .collect_view();
            view! {
                <g class="chart-line" data-line=line.label.clone()>
                    {runs}
                    {markers}
                </g>
            }
        })
        .collect_view();
    let mid_y = f64::midpoint(l.top, l.bottom);
    view! {
        <svg
            class="chart"
            role="img"
            aria-label=summary
            width=l.width
            height=l.height
            viewBox=format!("0 0 {} {}", l.width, l.height)
        >
            {band}
            {y_grid}
            <line class="axis-line" x1=l.left y1=l.top x2=l.left y2=l.bottom />
            <line class="axis-line" x1=l.left y1=l.bottom x2=l.right y2=l.bottom />
            {x_grid}
            {lines}
            <text
                class="axis-title"
                x="14"
                y=mid_y
                text-anchor="middle"
                transform=format!("rotate(-90 14 {mid_y})")
            >
                {chart.value_axis.clone()}
            </text>
            <text class="axis-title" x=f64::midpoint(l.left, l.right) y=l.height - 6.0 text-anchor="middle">
                {chart.category_axis.clone()}
            </text>
        </svg>
    }
    .into_any()
}

/// A chart drawn at the width of its box (redrawn when the window's width
/// changes), with its legend.
#[component]
pub fn ChartView(
    /// What to draw.
    #[prop(into)]
    chart: Signal<ChartData>,
) -> impl IntoView {
    let frame = NodeRef::<leptos::html::Div>::new();
    let width = RwSignal::new(640.0);
    let measure = move || {
        if let Some(el) = frame.get_untracked() {
            let w = f64::from(el.client_width());
            if w > 0.0 && (w - width.get_untracked()).abs() > 0.5 {
                width.set(w);
            }
        }
    };
    Effect::new(move |_| {
        if frame.get().is_some() {
            measure();
        }
    });
    let handle = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || handle.remove());
    let legend = move || {
        chart.with(|c| {
            if c.kind == Kind::Line {
                let names = line_names(c);
                (!names.is_empty()).then(|| view! { <Legend entries=names lines=true /> })
            } else {
                (c.series.len() > 1).then(|| {
                    view! {
                        <Legend entries=c.series.iter().map(|s| s.label.to_string()).collect() lines=false />
                    }
                })
            }
        })
    };
    view! {
        <div class="chart-frame">
            {legend}
            <div class="chart-box" node_ref=frame>
                {move || {
                    let w = width.get();
                    chart.with(|c| match c.kind {
                        Kind::Line => line_svg(c, w),
                        Kind::Grouped | Kind::Stacked => bar_svg(c, w),
                    })
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn datum(id: &str, label: &str, values: &[Option<f64>]) -> Datum {
        Datum {
            id: id.into(),
            label: label.into(),
            line_id: id.into(),
            line: label.into(),
            day: None,
            values: values.to_vec(),
        }
    }

    fn bars(kind: Kind, unit: Unit, data: Vec<Datum>, series: &[&'static str]) -> ChartData {
        ChartData {
            id: "c".into(),
            title: "Clients by case status now".into(),
            kind,
            unit,
            value_axis: "Clients".into(),
            category_axis: "Care manager".into(),
            categories_called: "care managers".into(),
            series: series.iter().map(|s| Series { key: s, label: s }).collect(),
            data,
            max: (unit == Unit::Share).then_some(1.0),
            band: None,
            period: None,
        }
    }

    #[test]
    fn value_axes_step_by_one_two_or_five_and_reach_past_the_highest_value() {
        assert_eq!(
            nice_ticks(10.0, 5, true),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(nice_ticks(37.0, 4, true), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(
            nice_ticks(1.0, 5, false),
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(nice_ticks(1.0, 2, false), vec![0.0, 0.5, 1.0]);
        assert_eq!(nice_ticks(1234.0, 5, true).last(), Some(&1500.0));
    }

    #[test]
    fn counts_never_tick_in_fractions_and_an_empty_axis_still_has_a_top() {
        assert_eq!(nice_ticks(2.0, 8, true), vec![0.0, 1.0, 2.0]);
        assert_eq!(nice_ticks(0.0, 5, true), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(f64::NAN, 5, false).last(), Some(&1.0));
    }

    #[test]
    fn values_read_in_their_unit() {
        assert_eq!(format_value(1234.0, Unit::Count), "1,234");
        assert_eq!(format_value(0.3333, Unit::Share), "33.3%");
        assert_eq!(format_value(1.0, Unit::Share), "100%");
        assert_eq!(format_value(4.25, Unit::Number), "4.25");
        assert_eq!(format_value(12.0, Unit::Number), "12");
        assert_eq!(format_optional(None, Unit::Share), "—");
        assert_eq!(number(-1_234_567.5, 1), "-1,234,567.5");
    }

    #[test]
    fn long_category_names_wrap_onto_a_second_line_before_they_are_shortened() {
        assert_eq!(
            wrap("Carmen Ruiz", 20, 2),
            (vec!["Carmen Ruiz".to_string()], false)
        );
        assert_eq!(
            wrap("Followed up within 7 days", 17, 2),
            (
                vec!["Followed up".to_string(), "within 7 days".to_string()],
                false
            )
        );
        assert_eq!(
            wrap("Carmen Ruiz · Inpatient psychiatric · Providence", 16, 2),
            (
                vec!["Carmen Ruiz ·".to_string(), "Inpatient…".to_string()],
                true
            )
        );
        assert_eq!(
            wrap("Carmen Ruiz · Inpatient psychiatric", 14, 1),
            (vec!["Carmen Ruiz ·…".to_string()], true)
        );
        let (lines, cut) = wrap("Supercalifragilistic", 8, 2);
        assert!(cut);
        assert!(lines.iter().all(|l| l.chars().count() <= 8), "{lines:?}");
    }

    #[test]
    fn grouped_bars_have_one_bar_per_series_and_category_scaled_to_the_axis() {
        let chart = bars(
            Kind::Grouped,
            Unit::Count,
            vec![
                datum("a", "Ann", &[Some(4.0), Some(8.0)]),
                datum("b", "Bo", &[Some(0.0), None]),
            ],
            &["Active", "Intake"],
        );
        let l = bar_layout(&chart, 600.0);
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.rows[0].bars.len(), 2);
        // Bo's missing value draws no bar but says so.
        assert_eq!(l.rows[1].bars.len(), 1);
        assert!(l.rows[1].notes.iter().any(|n| n.text == "no data"));
        // 8 is the top of an axis 0..8 (ticks 0, 2, 4, 6, 8 at this width).
        assert_eq!(l.ticks.last().unwrap().label, "8");
        let full = l.right - l.left;
        assert!((l.rows[0].bars[1].w - full).abs() < 1e-6);
        assert!((l.rows[0].bars[0].w - full / 2.0).abs() < 1e-6);
        assert!(l.rows[1].bars[0].w.abs() < 1e-9);
        // Categories do not overlap, and the plot ends above the value axis's words.
        assert!(l.rows[1].bars[0].y > l.rows[0].bars[1].y + BAR);
        assert!(l.height > l.bottom + 30.0);
    }

    #[test]
    fn stacked_bars_lay_the_parts_end_to_end_against_the_largest_whole() {
        let chart = bars(
            Kind::Stacked,
            Unit::Count,
            vec![datum("a", "Ann", &[Some(3.0), Some(2.0), Some(5.0)])],
            &["Low", "High", "Very high"],
        );
        let l = bar_layout(&chart, 500.0);
        let b = &l.rows[0].bars;
        assert_eq!(b.len(), 3);
        assert!((b[1].x - (b[0].x + b[0].w)).abs() < 1e-9);
        assert!(
            (b[2].x + b[2].w - l.right).abs() < 1e-6,
            "10 is the axis's top"
        );
    }

    #[test]
    fn shares_run_from_none_to_all_and_phones_get_fewer_ticks() {
        let chart = bars(
            Kind::Grouped,
            Unit::Share,
            vec![datum("a", "Ann", &[Some(0.25)])],
            &["Share"],
        );
        let wide = bar_layout(&chart, 900.0);
        assert_eq!(wide.ticks.first().unwrap().label, "0%");
        assert_eq!(wide.ticks.last().unwrap().label, "100%");
        let narrow = bar_layout(&chart, 300.0);
        assert!(narrow.ticks.len() < wide.ticks.len());
        assert!(narrow.width >= MIN_WIDTH);
        assert!(narrow.ticks.iter().all(|t| t.at <= narrow.width));
    }

    #[test]
    fn a_day_axis_ticks_weekly_over_a_month_and_lines_break_on_missing_days() {
        assert_eq!(day_step(30, 6), 7);
        assert_eq!(day_step(6, 10), 1);
        assert_eq!(day_step(365, 5), 91);
        let row = |id: &str, who: &str, day: &str, v: f64| Datum {
            id: id.into(),
            label: format!("{who} · {day}"),
            line_id: who.into(),
            line: who.into(),
            day: Some(d(day)),
            values: vec![Some(v)],
        };
        let chart = ChartData {
            kind: Kind::Line,
            period: Some((d("2026-10-01"), d("2026-10-31"))),
            data: vec![
                row("1", "Ann", "2026-10-01", 60.0),
                row("2", "Ann", "2026-10-02", 30.0),
                row("3", "Ann", "2026-10-05", 90.0),
                row("4", "Bo", "2026-10-03", 10.0),
            ],
            ..bars(Kind::Line, Unit::Count, Vec::new(), &["Minutes"])
        };
        let l = line_layout(&chart, 640.0);
        assert_eq!(l.lines.len(), 2);
        assert_eq!(l.lines[0].points.len(), 3);
        // Oct 1–2 joined; Oct 5 stands alone; Bo has a single point.
        assert_eq!(l.lines[0].runs.len(), 1);
        assert_eq!(l.lines[0].runs[0].len(), 2);
        assert!(l.lines[1].runs.is_empty());
        assert_eq!(l.x_ticks.first().unwrap().label, "Oct 1");
        assert!((l.x_ticks[0].at - l.left).abs() < 1e-9);
        assert_eq!(line_names(&chart), vec!["Ann", "Bo"]);
        let said = describe(&chart);
        assert!(said.starts_with("Line chart, Clients by case status now: Minutes by day for Ann and Bo (2 care managers)."));
        assert!(said.contains("Highest: 90 (Ann, Oct 5, 2026)."));
    }

    #[test]
    fn the_summary_names_what_is_charted_and_the_highest_of_each_series() {
        let chart = bars(
            Kind::Grouped,
            Unit::Count,
            vec![
                datum("a", "Ann", &[Some(4.0), Some(1.0)]),
                datum("b", "Bo", &[Some(6.0), Some(0.0)]),
            ],
            &["Active", "Intake"],
        );
        assert_eq!(
            describe(&chart),
            "Bar chart, Clients by case status now: Active and Intake for 2 care managers. \
             Highest active: Bo (6). Highest intake: Ann (1). The table below lists every value."
        );
        let empty = bars(Kind::Grouped, Unit::Count, Vec::new(), &["Active"]);
        assert_eq!(
            describe(&empty),
            "Clients by case status now: nothing to show for this period."
        );
    }
}
