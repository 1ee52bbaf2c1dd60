//! What the measure pages work out without the DOM: the words of rates,
//! windows and events; a measure's patient lists (windows open now or
//! closing within 30 days, the numerator, the denominator, the excluded)
//! and their counts, all read from the API's patient list; and the period
//! the pages start with.

use chrono::{Duration, NaiveDate};
use shared::measures::{MeasureId, MeasurePatient, MeasureResult, OpenWindow};
use shared::reports::{MAX_PERIOD_DAYS, Period};

use crate::components::chart::{ChartData, Datum, Kind, Series, Unit};
use crate::format;

/// The period the measure pages start with: the twelve months (365 days)
/// up to `today` — a measurement year, not the reports' 30 days, since
/// follow-up windows run 30 days and remission windows a year.
pub fn default_measure_period(today: NaiveDate) -> Period {
    Period {
        from: today - Duration::days(MAX_PERIOD_DAYS - 2),
        to: today,
    }
}

/// A rate's words.
pub fn rate_label(rate: &str) -> String {
    match rate {
        "within_7_days" => "Followed up within 7 days".into(),
        "within_30_days" => "Followed up within 30 days".into(),
        "response_6m" => "Response at 6 months".into(),
        "remission_6m" => "Remission at 6 months".into(),
        "response_12m" => "Response at 12 months".into(),
        "remission_12m" => "Remission at 12 months".into(),
        "screened_with_plan" => "Screened, with a plan for positives".into(),
        "assessed" => "C-SSRS the same or next day".into(),
        other => format::words(other),
    }
}

/// A measurement window's words.
pub fn window_label(name: &str) -> String {
    match name {
        "30_days" => "30-day follow-up".into(),
        "6m" => "6-month PHQ-9".into(),
        "12m" => "12-month PHQ-9".into(),
        other => format::words(other),
    }
}

/// What the day on a patient's line is the day of.
pub fn event_label(id: MeasureId) -> &'static str {
    match id {
        MeasureId::Fuh => "Discharged",
        MeasureId::Fum => "ED or crisis visit",
        MeasureId::DepResponseRemission => "Index PHQ-9",
        MeasureId::DepScreening => "First visit",
        MeasureId::SuicideRisk => "PHQ-9",
    }
}

/// A patient with one of their open windows.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowLine {
    /// The patient's line.
    pub patient: MeasurePatient,
    /// The window.
    pub window: OpenWindow,
}

/// Windows open today, closing soonest first.
pub fn open_now(result: &MeasureResult) -> Vec<WindowLine> {
    windows(result, |w| w.open_now)
}

/// Windows that close within 30 days, closing soonest first.
pub fn closing_within_30_days(result: &MeasureResult) -> Vec<WindowLine> {
    windows(result, |w| w.closes_within_30_days)
}

fn windows(result: &MeasureResult, keep: fn(&OpenWindow) -> bool) -> Vec<WindowLine> {
    let mut lines: Vec<WindowLine> = result
        .patients
        .iter()
        .flat_map(|p| {
            p.open_windows
                .iter()
                .filter(|w| keep(w))
                .map(|w| WindowLine {
                    patient: p.clone(),
                    window: w.clone(),
                })
        })
        .collect();
    lines.sort_by_key(|l| (l.window.closes_on, l.patient.event_on));
    lines
}

/// The rates a patient meets, in words (`None` when none).
pub fn met(patient: &MeasurePatient) -> Option<String> {
    let names: Vec<String> = patient
        .numerators
        .iter()
        .filter(|(_, m)| **m)
        .map(|(n, _)| rate_label(n))
        .collect();
    (!names.is_empty()).then(|| names.join("; "))
}

/// Patients in the denominator who meet at least one numerator.
pub fn numerator(result: &MeasureResult) -> Vec<MeasurePatient> {
    result
        .patients
        .iter()
        .filter(|p| p.denominator && p.numerators.values().any(|m| *m))
        .cloned()
        .collect()
}

/// Patients in the denominator.
pub fn denominator(result: &MeasureResult) -> Vec<MeasurePatient> {
    result
        .patients
        .iter()
        .filter(|p| p.denominator)
        .cloned()
        .collect()
}

/// Patients excluded (pending ones included), with the reason.
pub fn excluded(result: &MeasureResult) -> Vec<MeasurePatient> {
    result
        .patients
        .iter()
        .filter(|p| p.excluded)
        .cloned()
        .collect()
}

/// One rate with the counts behind it: those in the denominator it
/// counts (a time point still pending counts nobody), and those meeting it.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLine {
    /// The rate's name.
    pub name: String,
    /// Its words.
    pub label: String,
    /// The rate, as the API gives it.
    pub rate: Option<f64>,
    /// Meeting it.
    pub met: usize,
    /// Counted for it.
    pub counted: usize,
}

/// The measure's rates in its specification's order, with their counts
/// read off the patient list.
pub fn rate_lines(rates: &[String], result: &MeasureResult) -> Vec<RateLine> {
    rates
        .iter()
        .map(|name| {
            let counted: Vec<&MeasurePatient> = result
                .patients
                .iter()
                .filter(|p| p.denominator && p.numerators.contains_key(name))
                .collect();
            RateLine {
                name: name.clone(),
                label: rate_label(name),
                rate: result.rates.get(name).copied().flatten(),
                met: counted
                    .iter()
                    .filter(|p| p.numerators.get(name) == Some(&true))
                    .count(),
                counted: counted.len(),
            }
        })
        .collect()
}

/// A measure's rates as a bar chart, one bar per rate.
pub fn rates_chart(lines: &[RateLine]) -> ChartData {
    ChartData {
        id: "chart-rates".into(),
        title: "Rates".into(),
        kind: Kind::Grouped,
        unit: Unit::Share,
        value_axis: "Share of the denominator".into(),
        category_axis: "Rate".into(),
        categories_called: "rates".into(),
        series: vec![Series {
            key: "rate",
            label: "Rate",
        }],
        data: lines
            .iter()
            .map(|l| Datum {
                id: l.name.clone(),
                label: l.label.clone(),
                line_id: l.name.clone(),
                line: l.label.clone(),
                day: None,
                values: vec![l.rate],
            })
            .collect(),
        max: Some(1.0),
        band: None,
        period: None,
    }
}

/// How many patients each list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// In the denominator.
    pub denominator: usize,
    /// Excluded (pending ones included).
    pub excluded: usize,
    /// Windows open now.
    pub open_now: usize,
    /// Windows closing within 30 days.
    pub closing: usize,
}

/// The sizes of a measure's lists.
pub fn counts(result: &MeasureResult) -> Counts {
    Counts {
        denominator: denominator(result).len(),
        excluded: excluded(result).len(),
        open_now: open_now(result).len(),
        closing: closing_within_30_days(result).len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn window(name: &str, closes: &str, open_now: bool, soon: bool) -> OpenWindow {
        OpenWindow {
            name: name.into(),
            opens_on: d("2026-03-01"),
            closes_on: d(closes),
            open_now,
            closes_within_30_days: soon,
        }
    }

    fn patient(
        n: u128,
        numerators: &[(&str, bool)],
        excluded: bool,
        windows: Vec<OpenWindow>,
    ) -> MeasurePatient {
        MeasurePatient {
            patient_id: Uuid::from_u128(n),
            event_id: None,
            event_on: d("2026-03-01"),
            denominator: !excluded,
            numerators: numerators
                .iter()
                .map(|(k, v)| ((*k).to_string(), *v))
                .collect::<BTreeMap<_, _>>(),
            excluded,
            reason: format!("patient {n}"),
            open_windows: windows,
        }
    }

    fn result(patients: Vec<MeasurePatient>) -> MeasureResult {
        MeasureResult {
            measure: MeasureId::Fuh,
            from: d("2026-03-01"),
            to: d("2026-03-31"),
            rates: BTreeMap::from([
                ("within_7_days".to_string(), Some(0.5)),
                ("within_30_days".to_string(), Some(1.0)),
            ]),
            patients,
        }
    }

    #[test]
    fn the_lists_are_read_off_the_patients_the_api_gave() {
        let r = result(vec![
            patient(
                1,
                &[("within_7_days", true), ("within_30_days", true)],
                false,
                vec![],
            ),
            patient(
                2,
                &[("within_7_days", false), ("within_30_days", true)],
                false,
                vec![],
            ),
            patient(
                3,
                &[("within_7_days", false), ("within_30_days", false)],
                true,
                vec![window("30_days", "2026-03-31", true, true)],
            ),
            patient(
                4,
                &[("within_7_days", false), ("within_30_days", false)],
                true,
                vec![window("30_days", "2026-03-20", true, false)],
            ),
        ]);
        let ids = |ps: Vec<MeasurePatient>| {
            ps.iter()
                .map(|p| p.patient_id.as_u128())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(numerator(&r)), vec![1, 2]);
        assert_eq!(ids(denominator(&r)), vec![1, 2]);
        assert_eq!(ids(excluded(&r)), vec![3, 4]);
        let open: Vec<u128> = open_now(&r)
            .iter()
            .map(|l| l.patient.patient_id.as_u128())
            .collect();
        assert_eq!(open, vec![4, 3], "closing soonest first");
        let closing: Vec<u128> = closing_within_30_days(&r)
            .iter()
            .map(|l| l.patient.patient_id.as_u128())
            .collect();
        assert_eq!(closing, vec![3]);
        assert_eq!(
            counts(&r),
            Counts {
                denominator: 2,
                excluded: 2,
                open_now: 2,
                closing: 1
            }
        );
        assert_eq!(
            met(&r.patients[1]).as_deref(),
            Some("Followed up within 30 days")
        );
        assert_eq!(met(&r.patients[2]), None);
    }

    #[test]
    fn rates_keep_the_specification_order_with_their_counts() {
        let r = result(vec![
            patient(
                1,
                &[("within_7_days", true), ("within_30_days", true)],
                false,
                vec![],
            ),
            patient(
                2,
                &[("within_7_days", false), ("within_30_days", true)],
                false,
                vec![],
            ),
        ]);
        let lines = rate_lines(&["within_7_days".into(), "within_30_days".into()], &r);
        assert_eq!(lines[0].label, "Followed up within 7 days");
        assert_eq!(
            (lines[0].rate, lines[0].met, lines[0].counted),
            (Some(0.5), 1, 2)
        );
        assert_eq!(
            (lines[1].rate, lines[1].met, lines[1].counted),
            (Some(1.0), 2, 2)
        );
        let chart = rates_chart(&lines);
        assert_eq!(chart.data.len(), 2);
        assert_eq!(chart.data[1].values, vec![Some(1.0)]);
    }

    #[test]
    fn rates_and_windows_read_as_words_and_unknown_ones_still_read() {
        assert_eq!(rate_label("remission_12m"), "Remission at 12 months");
        assert_eq!(rate_label("brand_new"), "Brand new");
        assert_eq!(window_label("6m"), "6-month PHQ-9");
        assert_eq!(event_label(MeasureId::Fuh), "Discharged");
    }

    #[test]
    fn the_measure_pages_start_with_a_year_the_api_accepts() {
        let today = d("2026-12-01");
        let p = default_measure_period(today);
        assert_eq!(p.to, today);
        assert_eq!(Period::resolve(Some(p.from), Some(p.to), today), Ok(p));
        assert_eq!((p.to - p.from).num_days(), 364);
    }
}
