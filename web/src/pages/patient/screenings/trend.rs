//! The PHQ-9 and GAD-7 trends: the line of totals over time, drawn in
//! inline SVG over the instrument's severity bands (`shared::screening::
//! bands`), named for screen readers and with its data as a table.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::screening::{
    BandRange, Instrument, ScoringContext, Screening, ScreeningSeverity, bands,
};

use crate::format;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 160.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;

/// One point of the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Where it is drawn.
    pub x: f64,
    /// Where it is drawn.
    pub y: f64,
    /// The total.
    pub total: i32,
    /// Its band.
    pub severity: ScreeningSeverity,
    /// When the screening was given.
    pub at: DateTime<Utc>,
}

/// One band drawn behind the line.
#[derive(Debug, Clone, PartialEq)]
pub struct BandRect {
    /// Its band.
    pub band: BandRange,
    /// The top edge.
    pub y: f64,
    /// How tall.
    pub height: f64,
}

/// What the chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The points, oldest first.
    pub points: Vec<Point>,
    /// The bands, lowest first.
    pub bands: Vec<BandRect>,
    /// The highest total.
    pub max: i32,
}

fn y_of(total: f64, max: i32) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    TOP + plot * (1.0 - total / f64::from(max))
}

/// The chart of `history` (one instrument's screenings, oldest first;
/// those entered in error and without a total are left out).
pub fn chart(instrument: Instrument, history: &[Screening]) -> Chart {
    let max = instrument.total_range().map_or(1, |(_, max)| max.max(1));
    let shown: Vec<&Screening> = history
        .iter()
        .filter(|s| s.entered_in_error.is_none() && s.result.total.is_some())
        .collect();
    let first = shown.first().map(|s| s.administered_at.timestamp());
    let last = shown.last().map(|s| s.administered_at.timestamp());
    let span = match (first, last) {
        (Some(a), Some(b)) if b > a => Some((a, b - a)),
        _ => None,
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    #[expect(
        clippy::cast_precision_loss,
        reason = "seconds between screenings fit a float's mantissa"
    )]
    let points = shown
        .iter()
        .map(|s| {
            let total = s.result.total.unwrap_or_default();
            let x = match span {
                Some((start, len)) => {
                    LEFT + plot_w * ((s.administered_at.timestamp() - start) as f64 / len as f64)
                }
                None => LEFT + plot_w / 2.0,
            };
            Point {
                x,
                y: y_of(f64::from(total), max),
                total,
                severity: s.result.severity,
                at: s.administered_at,
            }
        })
        .collect();
    let bands = bands(instrument, &ScoringContext::default())
        .into_iter()
        .map(|band| {
            // A band of whole totals covers from half a point under its
            // lowest to half a point over its highest, within the axis.
            let low = (f64::from(band.min) - 0.5).max(0.0);
            let high = (f64::from(band.max) + 0.5).min(f64::from(max));
            let y = y_of(high, max);
            BandRect {
                band,
                y,
                height: y_of(low, max) - y,
            }
        })
        .collect();
    Chart { points, bands, max }
}

/// What the chart shows, in a sentence for screen readers.
pub fn describe(instrument: Instrument, chart: &Chart) -> String {
    let name = instrument.label();
    match (chart.points.first(), chart.points.last()) {
        (Some(only), Some(_)) if chart.points.len() == 1 => format!(
            "{name} trend: one screening, total {} ({}) on {}.",
            only.total,
            only.severity.label(),
            format::datetime(only.at)
        ),
        (Some(first), Some(last)) => format!(
            "{name} trend: {} screenings, from {} ({}) on {} to {} ({}) on {}.",
            chart.points.len(),
            first.total,
            first.severity.label(),
            format::datetime(first.at),
            last.total,
            last.severity.label(),
            format::datetime(last.at)
        ),
        _ => format!("{name} trend: no screenings yet."),
    }
}

/// The trend chart of one instrument, with its data as a table.
#[component]
pub fn TrendChart(
    /// PHQ-9 or GAD-7.
    instrument: Instrument,
    /// Every screening of the patient, oldest first.
    #[prop(into)]
    history: Signal<Vec<Screening>>,
) -> impl IntoView {
    let code = instrument.as_ref().to_string();
    let data = Memo::new(move |_| {
        history.with(|all| {
            let mine: Vec<Screening> = all
                .iter()
                .filter(|s| s.instrument == instrument)
                .cloned()
                .collect();
            chart(instrument, &mine)
        })
    });
    let title_id = format!("trend-{code}-title");
    let desc_id = format!("trend-{code}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let heading = format!("{} trend", instrument.label());
    let caption = format!("{} totals", instrument.label());
    view! {
        <figure class="trend card" data-instrument=code.clone()>
            <Show
                when=move || data.with(|c| !c.points.is_empty())
                fallback=move || view! {
                    <figcaption><strong>{heading.clone()}</strong></figcaption>
                    <p class="muted">{format!("No {} screenings yet.", instrument.label())}</p>
                }
            >
                {
                    let title_id = title_id.clone();
                    let desc_id = desc_id.clone();
                    let labelled = labelled.clone();
                    let caption = caption.clone();
                    let visible = format!("{} trend", instrument.label());
                    view! {
                        <figcaption><strong>{visible}</strong></figcaption>
                        <svg
                            class="trend-chart"
                            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                            role="img"
                            aria-labelledby=labelled
                            preserveAspectRatio="xMidYMid meet"
                        >
                            <title id=title_id>{format!("{} trend", instrument.label())}</title>
                            <desc id=desc_id>{move || data.with(|c| describe(instrument, c))}</desc>
                            {move || data.with(|c| c.bands.iter().map(|b| {
                                let sev = b.band.severity.as_ref().to_string();
                                view! {
                                    <g class=format!("band band-{sev}")>
                                        <rect x=LEFT y=b.y width=WIDTH - LEFT - RIGHT height=b.height />
                                        <text x=WIDTH - RIGHT + 6.0 y=b.y + b.height / 2.0 + 4.0 class="band-label">
                                            {format!("{} {}–{}", b.band.severity.label(), b.band.min, b.band.max)}
                                        </text>
                                        <text x=LEFT - 6.0 y=b.y + b.height + 4.0 class="axis-label" text-anchor="end">
                                            {b.band.min.to_string()}
                                        </text>
                                    </g>
                                }
                            }).collect_view())}
                            <text x=LEFT - 6.0 y=TOP + 4.0 class="axis-label" text-anchor="end">
                                {move || data.with(|c| c.max.to_string())}
                            </text>
                            <polyline
                                class="trend-line"
                                points=move || data.with(|c| c.points.iter().map(|p| format!("{:.1},{:.1}", p.x, p.y)).collect::<Vec<_>>().join(" "))
                            />
                            {move || data.with(|c| c.points.iter().map(|p| view! {
                                <circle class="trend-point" cx=p.x cy=p.y r="4" />
                            }).collect_view())}
                            {move || data.with(|c| {
                                let first = c.points.first().map(|p| format::date(p.at.date_naive())).unwrap_or_default();
                                let last = c.points.last().map(|p| format::date(p.at.date_naive())).unwrap_or_default();
                                view! {
                                    <text x=LEFT y=HEIGHT - 8.0 class="axis-label">{first}</text>
                                    <text x=WIDTH - RIGHT y=HEIGHT - 8.0 class="axis-label" text-anchor="end">{last}</text>
                                }
                            })}
                        </svg>
                        <details class="trend-data">
                            <summary>{format!("{} data as a table", instrument.label())}</summary>
                            <table class="table">
                                <caption>{caption}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Given"</th>
                                        <th scope="col">"Total"</th>
                                        <th scope="col">"Band"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {move || data.with(|c| c.points.iter().map(|p| view! {
                                        <tr>
                                            <td>{format::datetime(p.at)}</td>
                                            <td>{p.total}</td>
                                            <td>{p.severity.label()}</td>
                                        </tr>
                                    }).collect_view())}
                                </tbody>
                            </table>
                        </details>
                    }
                }
            </Show>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use shared::ids::PatientId;
    use shared::screening::{Answers, score};
    use uuid::Uuid;

    fn phq9(total_each: i16, day: u32) -> Screening {
        let answers: Answers = (1..=9).map(|n| (n.to_string(), total_each)).collect();
        let result = score(Instrument::Phq9, &answers, &ScoringContext::default()).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap();
        Screening {
            id: Uuid::from_u128(u128::from(day)),
            patient_id: PatientId::from(Uuid::from_u128(1)),
            instrument: Instrument::Phq9,
            administered_at: at,
            answers,
            result,
            recorded_by: None,
            entered_in_error: None,
            version: 1,
            created_at: at,
        }
    }

    #[test]
    fn the_line_runs_left_to_right_in_time_and_up_with_the_total() {
        let c = chart(Instrument::Phq9, &[phq9(2, 1), phq9(1, 11), phq9(0, 21)]);
        assert_eq!(c.points.len(), 3);
        assert!((c.points[0].x - LEFT).abs() < 1e-9);
        assert!((c.points[2].x - (WIDTH - RIGHT)).abs() < 1e-9);
        assert!(c.points[0].y < c.points[1].y && c.points[1].y < c.points[2].y);
        assert_eq!(c.points[0].total, 18);
        assert_eq!(c.max, 27);
    }

    #[test]
    fn the_bands_stack_from_the_bottom_without_gaps() {
        let c = chart(Instrument::Phq9, &[phq9(1, 1)]);
        assert_eq!(c.bands.len(), 5);
        assert!((c.bands[0].y + c.bands[0].height - (HEIGHT - BOTTOM)).abs() < 1e-9);
        for pair in c.bands.windows(2) {
            assert!((pair[1].y + pair[1].height - pair[0].y).abs() < 1e-9);
        }
        assert!((c.bands[4].y - TOP).abs() < 1e-9);
    }

    #[test]
    fn entered_in_error_screenings_are_not_drawn_and_the_summary_says_what_is() {
        let mut wrong = phq9(3, 5);
        wrong.entered_in_error = Some(shared::screening::EnteredInError {
            at: wrong.created_at,
            by: None,
            reason: "wrong patient".into(),
        });
        let c = chart(Instrument::Phq9, &[phq9(2, 1), wrong, phq9(1, 11)]);
        assert_eq!(c.points.len(), 2);
        let text = describe(Instrument::Phq9, &c);
        assert!(text.starts_with("PHQ-9 trend: 2 screenings, from 18 (Moderately severe)"));
        assert!(text.contains("to 9 (Mild)"));
    }
}
