//! What each report's charts show, worked out without the DOM: for every
//! chart, the row type holding exactly its columns (the report row's group,
//! its other keys and the charted figures, named as the API names them),
//! so the chart, the table under it and its CSV (written by
//! `shared::reports::to_csv`) are the same rows and columns; the words of
//! reports and groupings; and the period the page asks for.

use chrono::{Duration, NaiveDate};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::encounters::EncounterKind;
use shared::reports::{
    AnyReport, COORDINATION_STANDARD, DEFAULT_PERIOD_DAYS, GroupBy, Period, Report, ReportName,
    to_csv,
};
use shared::screening::Instrument;
use uuid::Uuid;

use crate::components::Column;
use crate::components::chart::{
    Band, ChartData, Datum, Kind, Series, Unit, format_optional, format_value,
};
use crate::format;

/// A report in words.
pub fn report_label(name: ReportName) -> &'static str {
    match name {
        ReportName::Caseload => "Caseload",
        ReportName::Transitions => "Transitions of care",
        ReportName::Appointments => "Appointments",
        ReportName::Referrals => "Referrals",
        ReportName::Productivity => "Productivity",
        ReportName::Screenings => "Screenings",
        ReportName::Satisfaction => "Client satisfaction",
    }
}

/// What a report counts, in a sentence.
pub fn report_blurb(name: ReportName) -> &'static str {
    match name {
        ReportName::Caseload => {
            "Clients by case status and risk now, and cases opened and closed in the period."
        }
        ReportName::Transitions => {
            "Discharges in the period by facility kind, and how fast their follow-up was done."
        }
        ReportName::Appointments => {
            "Appointments in the period and what became of them, and clients who missed two within 30 days."
        }
        ReportName::Referrals => {
            "Referrals made in the period, per receiving provider: where they stand now, their barriers and how they closed."
        }
        ReportName::Productivity => {
            "Minutes of documented work per person (or program) per day, and the share spent on care coordination against the 80–90% standard."
        }
        ReportName::Screenings => {
            "Screenings given in the period per instrument, how many were positive, and PHQ-9 completion among active behavioral-health clients."
        }
        ReportName::Satisfaction => {
            "Ratings (1–5) clients gave the services they were referred to, for referrals that ended in the period."
        }
    }
}

/// A grouping in words.
pub fn group_by_label(group_by: GroupBy) -> &'static str {
    match group_by {
        GroupBy::CareManager => "Care manager",
        GroupBy::Program => "Program",
    }
}

/// The period a report page starts with: the 30 days up to `today`.
pub fn default_period(today: NaiveDate) -> Period {
    Period {
        from: today - Duration::days(DEFAULT_PERIOD_DAYS - 1),
        to: today,
    }
}

/// The period typed into the page's two date fields, checked by the rules
/// the API applies (`Period::resolve`): the field at fault and why.
pub fn read_period(from: &str, to: &str, today: NaiveDate) -> Result<Period, (String, String)> {
    let parse = |field: &str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| (field.to_string(), "Enter a date.".to_string()))
    };
    let from = parse("from", from)?;
    let to = parse("to", to)?;
    Period::resolve(Some(from), Some(to), today).map_err(|e| {
        let message = match e.message.as_str() {
            "must not be after to" => "The first day must not be after the last.".to_string(),
            "the period may span at most 366 days" => {
                "A period may span at most 366 days.".to_string()
            }
            other => other.to_string(),
        };
        (e.field, message)
    })
}

/// One key of a chart row (what tells its rows apart beside the group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCell {
    /// As the API wrote it.
    pub raw: String,
    /// In words.
    pub shown: String,
    /// The day, for a key that is one.
    pub day: Option<NaiveDate>,
}

/// A field that tells rows apart (facility kind, provider, day, instrument).
pub trait KeyField {
    /// The key, given the field's name.
    fn cell(&self, field: &str) -> KeyCell;
}

/// `snake_case` or lower-case words with a capital first letter.
fn capitalized(text: &str) -> String {
    format::words(text)
}

fn key_words(field: &str, raw: &str) -> String {
    match field {
        "facility_kind" => raw
            .parse::<EncounterKind>()
            .map_or_else(|_| capitalized(raw), |k| capitalized(k.label())),
        "instrument" => raw
            .parse::<Instrument>()
            .map_or_else(|_| raw.to_uppercase(), |i| i.label().to_string()),
        _ => raw.to_string(),
    }
}

impl KeyField for String {
    fn cell(&self, field: &str) -> KeyCell {
        KeyCell {
            raw: self.clone(),
            shown: key_words(field, self),
            day: None,
        }
    }
}

impl KeyField for Option<String> {
    fn cell(&self, field: &str) -> KeyCell {
        match self {
            Some(s) => s.cell(field),
            None => KeyCell {
                raw: String::new(),
                shown: "—".to_string(),
                day: None,
            },
        }
    }
}

impl KeyField for Option<NaiveDate> {
    fn cell(&self, _field: &str) -> KeyCell {
        KeyCell {
            raw: self.map(|d| d.to_string()).unwrap_or_default(),
            shown: self.map_or_else(|| "—".to_string(), format::date),
            day: *self,
        }
    }
}

/// A figure a chart draws.
pub trait ValueField {
    /// The figure, or `None` where the API has none.
    fn value(&self) -> Option<f64>;
}

impl ValueField for i64 {
    fn value(&self) -> Option<f64> {
        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let v = *self as f64;
        Some(v)
    }
}

impl ValueField for Option<i64> {
    fn value(&self) -> Option<f64> {
        self.as_ref().and_then(ValueField::value)
    }
}

impl ValueField for Option<f64> {
    fn value(&self) -> Option<f64> {
        *self
    }
}

/// The row type of one chart: exactly the columns it shows.
pub trait Plotted: Serialize + DeserializeOwned + Default {
    /// The keys beside the group: field and words.
    const KEYS: &'static [(&'static str, &'static str)];
    /// The figures drawn.
    const SERIES: &'static [Series];
    /// The table's columns, grouped by care manager and by program.
    const COLUMNS: [&'static [Column]; 2];
    /// The group's id.
    fn group_id(&self) -> Option<Uuid>;
    /// The group's name.
    fn group(&self) -> &str;
    /// The keys, in [`Plotted::KEYS`] order.
    fn keys(&self) -> Vec<KeyCell>;
    /// The figures, in [`Plotted::SERIES`] order.
    fn values(&self) -> Vec<Option<f64>>;
}

/// Declares a chart's row type: the group (`group_id` is read but not
/// written: the chart names groups), the keys and the figures, each with
/// its words; the first word is what a care-manager grouping is called.
macro_rules! chart_row {
    (
        $(#[$doc:meta])*
        $name:ident as $by_cm:literal {
            $($key:ident: $kty:ty => $klabel:literal),* ;
            $($field:ident: $fty:ty => $flabel:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            /// The care manager's or program's id (not written out).
            #[serde(default, skip_serializing)]
            pub group_id: Option<Uuid>,
            /// The care manager's or program's name.
            pub group: String,
            $(#[doc = $klabel] pub $key: $kty,)*
            $(#[doc = $flabel] pub $field: $fty,)+
        }

        impl Plotted for $name {
            const KEYS: &'static [(&'static str, &'static str)] = &[$((stringify!($key), $klabel)),*];
            const SERIES: &'static [Series] = &[$(Series { key: stringify!($field), label: $flabel }),+];
            const COLUMNS: [&'static [Column]; 2] = [
                &[Column::Text($by_cm), $(Column::Text($klabel),)* $(Column::Count($flabel),)+],
                &[Column::Text("Program"), $(Column::Text($klabel),)* $(Column::Count($flabel),)+],
            ];
            fn group_id(&self) -> Option<Uuid> {
                self.group_id
            }
            fn group(&self) -> &str {
                &self.group
            }
            fn keys(&self) -> Vec<KeyCell> {
                vec![$(self.$key.cell(stringify!($key))),*]
            }
            fn values(&self) -> Vec<Option<f64>> {
                vec![$(self.$field.value()),+]
            }
        }
    };
}

chart_row! {
    /// Caseload: clients by case status now.
    CaseloadStatus as "Care manager" {
        ;
        intake: i64 => "Intake",
        active: i64 => "Active",
        on_hold: i64 => "On hold",
    }
}

chart_row! {
    /// Caseload: open clients by risk now.
    CaseloadRisk as "Care manager" {
        ;
        risk_low: i64 => "Low",
        risk_moderate: i64 => "Moderate",
        risk_high: i64 => "High",
        risk_very_high: i64 => "Very high",
    }
}

chart_row! {
    /// Caseload: cases opened and closed in the period.
    CaseloadFlow as "Care manager" {
        ;
        opened: i64 => "Opened",
        closed: i64 => "Closed",
    }
}

chart_row! {
    /// Transitions: discharges and their follow-up.
    TransitionCounts as "Care manager" {
        facility_kind: Option<String> => "Facility kind";
        discharges: i64 => "Discharges",
        followed_up: i64 => "Followed up",
        followed_up_within_24h: i64 => "Followed up within 24 hours",
    }
}

chart_row! {
    /// Transitions: the share followed up within 24 hours.
    TransitionShare as "Care manager" {
        facility_kind: Option<String> => "Facility kind";
        share_within_24h: Option<f64> => "Within 24 hours",
    }
}

chart_row! {
    /// Transitions: median hours to follow-up.
    TransitionHours as "Care manager" {
        facility_kind: Option<String> => "Facility kind";
        median_hours_to_follow_up: Option<f64> => "Median hours",
    }
}

chart_row! {
    /// Appointments by what became of them.
    AppointmentOutcomes as "Care manager" {
        ;
        appointments: i64 => "All appointments",
        attended: i64 => "Attended",
        missed: i64 => "Missed",
        cancelled: i64 => "Cancelled",
    }
}

chart_row! {
    /// Attended and missed rates.
    AppointmentRates as "Care manager" {
        ;
        attended_rate: Option<f64> => "Attended",
        missed_rate: Option<f64> => "Missed",
    }
}

chart_row! {
    /// Clients who missed two appointments within 30 days.
    AppointmentDisengaged as "Care manager" {
        ;
        disengaged_clients: i64 => "Disengaged clients",
    }
}

chart_row! {
    /// Referrals by status now.
    ReferralStatuses as "Care manager" {
        provider: Option<String> => "Provider";
        draft: i64 => "Draft",
        sent: i64 => "Sent",
        accepted: i64 => "Accepted",
        scheduled: i64 => "Scheduled",
        completed: i64 => "Completed",
        closed: i64 => "Closed",
        declined: i64 => "Declined",
        cancelled: i64 => "Cancelled",
        no_show: i64 => "No-show",
    }
}

chart_row! {
    /// Referral barriers by kind.
    ReferralBarriers as "Care manager" {
        provider: Option<String> => "Provider";
        barrier_transportation: i64 => "Transportation",
        barrier_insurance: i64 => "Insurance",
        barrier_documentation: i64 => "Documentation",
        barrier_language: i64 => "Language",
        barrier_childcare: i64 => "Childcare",
        barrier_cost: i64 => "Cost",
        barrier_other: i64 => "Other",
    }
}

chart_row! {
    /// How the referrals that ended were completed.
    ReferralCompletion as "Care manager" {
        provider: Option<String> => "Provider";
        ended: i64 => "Ended",
        ended_completed: i64 => "Completed by the provider",
    }
}

chart_row! {
    /// The completion rate of referrals that ended.
    ReferralCompletionRate as "Care manager" {
        provider: Option<String> => "Provider";
        completion_rate: Option<f64> => "Completion rate",
    }
}

chart_row! {
    /// Median days from referral to close.
    ReferralDaysToClose as "Care manager" {
        provider: Option<String> => "Provider";
        median_days_to_close: Option<f64> => "Median days to close",
    }
}

chart_row! {
    /// Documented minutes per day.
    ProductivityMinutes as "Staff member" {
        date: Option<NaiveDate> => "Day";
        total_minutes: i64 => "Minutes",
    }
}

chart_row! {
    /// The care-coordination share per day.
    ProductivityShare as "Staff member" {
        date: Option<NaiveDate> => "Day";
        coordination_share: Option<f64> => "Care-coordination share",
    }
}

chart_row! {
    /// Screenings given and positive.
    ScreeningCounts as "Care manager" {
        instrument: String => "Instrument";
        administered: i64 => "Given",
        positive: i64 => "Positive",
    }
}

chart_row! {
    /// The positive rate per instrument.
    ScreeningPositiveRate as "Care manager" {
        instrument: String => "Instrument";
        positive_rate: Option<f64> => "Positive rate",
    }
}

chart_row! {
    /// PHQ-9 completion among active behavioral-health clients.
    ScreeningPhq9 as "Care manager" {
        instrument: String => "Instrument";
        phq9_completion_rate: Option<f64> => "PHQ-9 completion",
    }
}

chart_row! {
    /// Ratings given, by rating.
    SatisfactionRatings as "Care manager" {
        ;
        rating_1: i64 => "Rated 1",
        rating_2: i64 => "Rated 2",
        rating_3: i64 => "Rated 3",
        rating_4: i64 => "Rated 4",
        rating_5: i64 => "Rated 5",
    }
}

chart_row! {
    /// The mean rating.
    SatisfactionAverage as "Care manager" {
        ;
        average_rating: Option<f64> => "Average rating",
    }
}

chart_row! {
    /// The share rating 4 or 5.
    SatisfactionShare as "Care manager" {
        ;
        satisfied_share: Option<f64> => "Rated 4 or 5",
    }
}

/// What a chart is, beside its rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartSpec {
    /// Names its element ids and its CSV file.
    pub slug: &'static str,
    /// Its title.
    pub title: &'static str,
    /// How it draws.
    pub kind: Kind,
    /// How its values read.
    pub unit: Unit,
    /// The value axis's words.
    pub axis: &'static str,
    /// A fixed top of the value axis.
    pub max: Option<f64>,
    /// Whether to shade the care-coordination standard.
    pub standard: bool,
}

const fn spec(
    slug: &'static str,
    title: &'static str,
    kind: Kind,
    unit: Unit,
    axis: &'static str,
) -> ChartSpec {
    ChartSpec {
        slug,
        title,
        kind,
        unit,
        axis,
        max: match unit {
            Unit::Share => Some(1.0),
            Unit::Count | Unit::Number => None,
        },
        standard: false,
    }
}

/// One chart of a report with its table and CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportChart {
    /// Its title (the table's caption too).
    pub title: &'static str,
    /// What to draw.
    pub chart: ChartData,
    /// The table's columns.
    pub columns: &'static [Column],
    /// The table's rows: one cell per column, in words.
    pub rows: Vec<Vec<String>>,
    /// The same figures over the whole organization (the report's totals): words and value.
    pub totals: Vec<(String, String)>,
    /// The rows as CSV (or why they could not be written).
    pub csv: Result<String, String>,
    /// The CSV's file name.
    pub file_name: String,
}

/// Re-reads report rows as the chart's row type (the same fields, by name).
fn as_rows<R: Serialize, T: Plotted>(rows: &[R]) -> Result<Vec<T>, String> {
    rows.iter()
        .map(|r| {
            serde_json::to_value(r)
                .and_then(serde_json::from_value)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// What a category of this chart is, in the plural.
fn categories_called<T: Plotted>(group_by: GroupBy, kind: Kind) -> String {
    if !T::KEYS.is_empty() && kind != Kind::Line {
        return "rows".to_string();
    }
    let cm = T::COLUMNS[0].first().map_or("group", |c| match c {
        Column::Text(l) | Column::Count(l) => *l,
        Column::Actions => "group",
    });
    match group_by {
        GroupBy::CareManager => format!("{}s", cm.to_lowercase()),
        GroupBy::Program => "programs".to_string(),
    }
}

/// Builds one chart of `report`: its rows (those `keep` keeps), drawn,
/// tabled and written as CSV.
fn build<R: Serialize, T: Plotted>(
    spec: &ChartSpec,
    report: &Report<R>,
    keep: fn(&T) -> bool,
) -> ReportChart {
    let period = report.period;
    let columns = T::COLUMNS[usize::from(report.group_by == GroupBy::Program)];
    let group_label = match columns.first() {
        Some(Column::Text(l) | Column::Count(l)) => *l,
        _ => "Group",
    };
    let typed: Result<Vec<T>, String> = as_rows(&report.rows);
    let (typed, error) = match typed {
        Ok(rows) => (rows.into_iter().filter(keep).collect::<Vec<T>>(), None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let data: Vec<Datum> = typed
        .iter()
        .map(|r| {
            let keys = r.keys();
            let group_key = r
                .group_id()
                .map_or_else(|| format!("name:{}", r.group()), |id| id.to_string());
            let id = std::iter::once(group_key.clone())
                .chain(keys.iter().map(|k| k.raw.clone()))
                .collect::<Vec<_>>()
                .join("|");
            let label = std::iter::once(r.group().to_string())
                .chain(
                    keys.iter()
                        .filter(|k| k.day.is_none())
                        .map(|k| k.shown.clone()),
                )
                .collect::<Vec<_>>()
                .join(" · ");
            Datum {
                id,
                label,
                line_id: group_key,
                line: r.group().to_string(),
                day: keys.iter().find_map(|k| k.day),
                values: r.values(),
            }
        })
        .collect();
    let rows = typed
        .iter()
        .map(|r| {
            std::iter::once(r.group().to_string())
                .chain(r.keys().into_iter().map(|k| k.shown))
                .chain(
                    r.values()
                        .into_iter()
                        .map(|v| format_optional(v, spec.unit)),
                )
                .collect()
        })
        .collect();
    let totals = as_rows::<R, T>(std::slice::from_ref(&report.totals))
        .ok()
        .and_then(|t| t.into_iter().next())
        .map(|t| {
            T::SERIES
                .iter()
                .zip(t.values())
                .map(|(s, v)| (s.label.to_string(), format_optional(v, spec.unit)))
                .collect()
        })
        .unwrap_or_default();
    let csv = match error {
        Some(e) => Err(e),
        None => to_csv(&typed).map_err(|e| e.to_string()),
    };
    let category_axis = std::iter::once(group_label)
        .chain(
            T::KEYS
                .iter()
                .filter(|(field, _)| !(spec.kind == Kind::Line && *field == "date"))
                .map(|(_, label)| *label),
        )
        .collect::<Vec<_>>()
        .join(" · ");
    let category_axis = if spec.kind == Kind::Line {
        "Day".to_string()
    } else {
        category_axis
    };
    let band = spec.standard.then(|| Band {
        low: COORDINATION_STANDARD.0,
        high: COORDINATION_STANDARD.1,
        label: format!(
            "Standard {}–{}",
            format_value(COORDINATION_STANDARD.0, Unit::Share),
            format_value(COORDINATION_STANDARD.1, Unit::Share)
        ),
    });
    ReportChart {
        title: spec.title,
        chart: ChartData {
            id: format!("chart-{}", spec.slug),
            title: spec.title.to_string(),
            kind: spec.kind,
            unit: spec.unit,
            value_axis: spec.axis.to_string(),
            category_axis,
            categories_called: categories_called::<T>(report.group_by, spec.kind),
            series: T::SERIES.to_vec(),
            data,
            max: spec.max,
            band,
            period: (spec.kind == Kind::Line).then_some((period.from, period.to)),
        },
        columns,
        rows,
        totals,
        csv,
        file_name: format!(
            "{}-{}-{}-to-{}.csv",
            report.report, spec.slug, period.from, period.to
        ),
    }
}

fn all<T>(_: &T) -> bool {
    true
}

/// The charts of a report, in the order the page shows them.
pub fn charts(report: &AnyReport) -> Vec<ReportChart> {
    use Kind::{Grouped, Line, Stacked};
    use Unit::{Count, Number, Share};
    match report {
        AnyReport::Caseload(r) => vec![
            build::<_, CaseloadStatus>(
                &spec(
                    "case-status",
                    "Clients by case status now",
                    Grouped,
                    Count,
                    "Clients",
                ),
                r,
                all,
            ),
            build::<_, CaseloadRisk>(
                &spec(
                    "risk",
                    "Open clients by risk level now",
                    Stacked,
                    Count,
                    "Clients",
                ),
                r,
                all,
            ),
            build::<_, CaseloadFlow>(
                &spec(
                    "opened-closed",
                    "Cases opened and closed in the period",
                    Grouped,
                    Count,
                    "Cases",
                ),
                r,
                all,
            ),
        ],
        AnyReport::Transitions(r) => vec![
            build::<_, TransitionCounts>(
                &spec(
                    "follow-up",
                    "Discharges and their follow-up",
                    Grouped,
                    Count,
                    "Discharges",
                ),
                r,
                all,
            ),
            build::<_, TransitionShare>(
                &spec(
                    "within-24-hours",
                    "Share of discharges followed up within 24 hours",
                    Grouped,
                    Share,
                    "Share of discharges",
                ),
                r,
                all,
            ),
            build::<_, TransitionHours>(
                &spec(
                    "hours-to-follow-up",
                    "Median hours from discharge to follow-up",
                    Grouped,
                    Number,
                    "Hours",
                ),
                r,
                all,
            ),
        ],
        AnyReport::Appointments(r) => vec![
            build::<_, AppointmentOutcomes>(
                &spec(
                    "outcomes",
                    "Appointments by what became of them",
                    Grouped,
                    Count,
                    "Appointments",
                ),
                r,
                all,
            ),
            build::<_, AppointmentRates>(
                &spec(
                    "rates",
                    "Attended and missed rates (of appointments attended or missed)",
                    Grouped,
                    Share,
                    "Share of appointments",
                ),
                r,
                all,
            ),
            build::<_, AppointmentDisengaged>(
                &spec(
                    "disengaged",
                    "Clients who missed two appointments within 30 days",
                    Grouped,
                    Count,
                    "Clients",
                ),
                r,
                all,
            ),
        ],
        AnyReport::Referrals(r) => vec![
            build::<_, ReferralStatuses>(
                &spec(
                    "statuses",
                    "Referrals made in the period, by status now",
                    Stacked,
                    Count,
                    "Referrals",
                ),
                r,
                all,
            ),
            build::<_, ReferralBarriers>(
                &spec("barriers", "Barriers by kind", Stacked, Count, "Barriers"),
                r,
                all,
            ),
            build::<_, ReferralCompletion>(
                &spec(
                    "ended",
                    "Referrals that ended, and those the provider completed",
                    Grouped,
                    Count,
                    "Referrals",
                ),
                r,
                all,
            ),
            build::<_, ReferralCompletionRate>(
                &spec(
                    "completion-rate",
                    "Completion rate of referrals that ended",
                    Grouped,
                    Share,
                    "Share completed",
                ),
                r,
                all,
            ),
            build::<_, ReferralDaysToClose>(
                &spec(
                    "days-to-close",
                    "Median days from referral to close",
                    Grouped,
                    Number,
                    "Days",
                ),
                r,
                all,
            ),
        ],
        AnyReport::Productivity(r) => vec![
            build::<_, ProductivityMinutes>(
                &spec(
                    "minutes",
                    "Documented minutes per day",
                    Line,
                    Count,
                    "Minutes",
                ),
                r,
                all,
            ),
            build::<_, ProductivityShare>(
                &ChartSpec {
                    standard: true,
                    ..spec(
                        "coordination-share",
                        "Care-coordination share per day",
                        Line,
                        Share,
                        "Share of minutes",
                    )
                },
                r,
                all,
            ),
        ],
        AnyReport::Screenings(r) => vec![
            build::<_, ScreeningCounts>(
                &spec(
                    "given-positive",
                    "Screenings given and positive",
                    Grouped,
                    Count,
                    "Screenings",
                ),
                r,
                all,
            ),
            build::<_, ScreeningPositiveRate>(
                &spec(
                    "positive-rate",
                    "Share of screenings that were positive",
                    Grouped,
                    Share,
                    "Share positive",
                ),
                r,
                all,
            ),
            build::<_, ScreeningPhq9>(
                &spec(
                    "phq9-completion",
                    "PHQ-9 completion among active behavioral-health clients",
                    Grouped,
                    Share,
                    "Share given a PHQ-9",
                ),
                r,
                |row: &ScreeningPhq9| row.instrument == Instrument::Phq9.as_ref(),
            ),
        ],
        AnyReport::Satisfaction(r) => vec![
            build::<_, SatisfactionRatings>(
                &spec(
                    "ratings",
                    "Ratings given, from 1 (poor) to 5 (excellent)",
                    Stacked,
                    Count,
                    "Ratings",
                ),
                r,
                all,
            ),
            build::<_, SatisfactionAverage>(
                &ChartSpec {
                    max: Some(5.0),
                    ..spec(
                        "average",
                        "Average rating",
                        Grouped,
                        Number,
                        "Average rating (1–5)",
                    )
                },
                r,
                all,
            ),
            build::<_, SatisfactionShare>(
                &spec(
                    "satisfied",
                    "Share rating the service 4 or 5",
                    Grouped,
                    Share,
                    "Share of ratings",
                ),
                r,
                all,
            ),
        ],
    }
}

/// The report's name, period and grouping.
pub fn report_header(report: &AnyReport) -> (ReportName, Period, GroupBy) {
    match report {
        AnyReport::Caseload(r) => (r.report, r.period, r.group_by),
        AnyReport::Transitions(r) => (r.report, r.period, r.group_by),
        AnyReport::Appointments(r) => (r.report, r.period, r.group_by),
        AnyReport::Referrals(r) => (r.report, r.period, r.group_by),
        AnyReport::Productivity(r) => (r.report, r.period, r.group_by),
        AnyReport::Screenings(r) => (r.report, r.period, r.group_by),
        AnyReport::Satisfaction(r) => (r.report, r.period, r.group_by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::reports::{
        AppointmentsRow, CaseloadRow, ProductivityRow, ReferralsRow, SatisfactionRow,
        ScreeningsRow, TransitionsRow,
    };

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn october<R: Default>(
        name: ReportName,
        group_by: GroupBy,
        rows: Vec<R>,
        totals: R,
    ) -> Report<R> {
        Report {
            report: name,
            period: Period {
                from: d("2026-10-01"),
                to: d("2026-10-31"),
            },
            group_by,
            rows,
            totals,
        }
    }

    fn csv_lines(chart: &ReportChart) -> Vec<String> {
        chart
            .csv
            .as_ref()
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_chart_its_table_and_its_csv_are_the_same_rows_and_columns() {
        let ann = Uuid::from_u128(1);
        let report = AnyReport::Transitions(october(
            ReportName::Transitions,
            GroupBy::CareManager,
            vec![
                TransitionsRow {
                    group_id: Some(ann),
                    group: "Ann Lee".into(),
                    facility_kind: Some("inpatient_psych".into()),
                    discharges: 4,
                    followed_up: 3,
                    followed_up_within_24h: 2,
                    ..TransitionsRow::default()
                },
                TransitionsRow {
                    group_id: None,
                    group: "Unassigned".into(),
                    facility_kind: Some("ed".into()),
                    discharges: 1,
                    ..TransitionsRow::default()
                },
            ],
            TransitionsRow {
                discharges: 5,
                followed_up: 3,
                followed_up_within_24h: 2,
                ..TransitionsRow::default()
            },
        ));
        let charts = charts(&report);
        let counts = &charts[0];
        assert_eq!(
            csv_lines(counts),
            vec![
                "group,facility_kind,discharges,followed_up,followed_up_within_24h",
                "Ann Lee,inpatient_psych,4,3,2",
                "Unassigned,ed,1,0,0",
            ]
        );
        assert_eq!(counts.chart.data.len(), 2);
        assert_eq!(counts.chart.series.len(), 3);
        assert_eq!(
            counts.chart.data[0].label,
            "Ann Lee · Inpatient psychiatric"
        );
        assert_eq!(counts.chart.data[1].label, "Unassigned · ED");
        assert_eq!(
            counts.chart.data[0].values,
            vec![Some(4.0), Some(3.0), Some(2.0)]
        );
        assert_eq!(counts.chart.category_axis, "Care manager · Facility kind");
        assert_eq!(
            counts.rows[0],
            vec!["Ann Lee", "Inpatient psychiatric", "4", "3", "2"]
        );
        assert_eq!(counts.columns.len(), counts.rows[0].len());
        assert_eq!(
            counts.totals,
            vec![
                ("Discharges".to_string(), "5".to_string()),
                ("Followed up".to_string(), "3".to_string()),
                ("Followed up within 24 hours".to_string(), "2".to_string()),
            ]
        );
        assert_eq!(
            counts.file_name,
            "transitions-follow-up-2026-10-01-to-2026-10-31.csv"
        );
        // A rate the API has not got (nothing to count) is an empty cell, a dash, and no bar.
        let share = &charts[1];
        assert_eq!(csv_lines(share)[2], "Unassigned,ed,");
        assert_eq!(share.rows[1][2], "—");
        assert_eq!(share.chart.data[1].values, vec![None]);
    }

    #[test]
    fn every_report_has_charts_whose_columns_are_fields_of_its_rows() {
        let reports = [
            AnyReport::Caseload(october(
                ReportName::Caseload,
                GroupBy::CareManager,
                vec![CaseloadRow::default()],
                CaseloadRow::default(),
            )),
            AnyReport::Transitions(october(
                ReportName::Transitions,
                GroupBy::CareManager,
                vec![TransitionsRow::default()],
                TransitionsRow::default(),
            )),
            AnyReport::Appointments(october(
                ReportName::Appointments,
                GroupBy::CareManager,
                vec![AppointmentsRow::default()],
                AppointmentsRow::default(),
            )),
            AnyReport::Referrals(october(
                ReportName::Referrals,
                GroupBy::CareManager,
                vec![ReferralsRow::default()],
                ReferralsRow::default(),
            )),
            AnyReport::Productivity(october(
                ReportName::Productivity,
                GroupBy::CareManager,
                vec![ProductivityRow::default()],
                ProductivityRow::default(),
            )),
            AnyReport::Screenings(october(
                ReportName::Screenings,
                GroupBy::CareManager,
                vec![ScreeningsRow {
                    instrument: "phq9".into(),
                    ..ScreeningsRow::default()
                }],
                ScreeningsRow::default(),
            )),
            AnyReport::Satisfaction(october(
                ReportName::Satisfaction,
                GroupBy::CareManager,
                vec![SatisfactionRow::default()],
                SatisfactionRow::default(),
            )),
        ];
        for report in &reports {
            let (name, ..) = report_header(report);
            let fields = match serde_json::to_value(report).unwrap()["rows"][0].clone() {
                serde_json::Value::Object(m) => m.keys().cloned().collect::<Vec<_>>(),
                other => panic!("{other}"),
            };
            let charts = charts(report);
            assert!(!charts.is_empty(), "{name}");
            for c in &charts {
                let header = csv_lines(c)[0].clone();
                for column in header.split(',') {
                    assert!(fields.contains(&column.to_string()), "{name}: {column}");
                }
                assert_eq!(c.chart.data.len(), 1, "{name} {}", c.chart.title);
                assert_eq!(
                    c.columns.len(),
                    header.split(',').count(),
                    "{name} {}",
                    c.chart.title
                );
                assert_eq!(c.rows[0].len(), c.columns.len());
                assert_eq!(c.totals.len(), c.chart.series.len());
            }
        }
    }

    #[test]
    fn productivity_is_drawn_as_lines_over_the_period_with_the_standard_shaded() {
        let row = |id: u128, who: &str, day: &str, coordination: i64, admin: i64| {
            use shared::reports::Derived;
            ProductivityRow {
                group_id: Some(Uuid::from_u128(id)),
                group: who.into(),
                date: Some(d(day)),
                care_coordination: coordination,
                administrative: admin,
                ..ProductivityRow::default()
            }
            .derived()
        };
        let report = AnyReport::Productivity(october(
            ReportName::Productivity,
            GroupBy::CareManager,
            vec![
                row(1, "Ann", "2026-10-02", 80, 20),
                row(1, "Ann", "2026-10-03", 45, 0),
                row(2, "Bobby", "2026-10-02", 30, 30),
            ],
            ProductivityRow::default(),
        ));
        let charts = charts(&report);
        let minutes = &charts[0];
        assert_eq!(minutes.chart.kind, Kind::Line);
        assert_eq!(
            minutes.chart.period,
            Some((d("2026-10-01"), d("2026-10-31")))
        );
        assert_eq!(minutes.chart.data[0].day, Some(d("2026-10-02")));
        assert_eq!(minutes.chart.data[0].values, vec![Some(100.0)]);
        assert_eq!(minutes.chart.categories_called, "staff members");
        assert_eq!(minutes.rows[0], vec!["Ann", "10/02/2026", "100"]);
        assert_eq!(csv_lines(minutes)[1], "Ann,2026-10-02,100");
        let share = &charts[1];
        assert_eq!(share.chart.band.as_ref().unwrap().label, "Standard 80%–90%");
        assert_eq!(share.rows[2], vec!["Bobby", "10/02/2026", "50%"]);
    }

    #[test]
    fn the_phq9_completion_chart_keeps_the_phq9_rows_only() {
        let row = |instrument: &str, rate: Option<f64>| ScreeningsRow {
            group: "Ann".into(),
            instrument: instrument.into(),
            phq9_completion_rate: rate,
            ..ScreeningsRow::default()
        };
        let report = AnyReport::Screenings(october(
            ReportName::Screenings,
            GroupBy::Program,
            vec![row("gad7", None), row("phq9", Some(0.5))],
            ScreeningsRow::default(),
        ));
        let charts = charts(&report);
        assert_eq!(charts[0].chart.data.len(), 2);
        assert_eq!(charts[0].chart.data[0].label, "Ann · GAD-7");
        assert_eq!(charts[0].columns[0], Column::Text("Program"));
        let phq9 = &charts[2];
        assert_eq!(
            csv_lines(phq9),
            vec!["group,instrument,phq9_completion_rate", "Ann,phq9,0.5"]
        );
    }

    #[test]
    fn a_period_is_checked_as_the_api_checks_it() {
        let today = d("2026-12-01");
        assert_eq!(
            default_period(today),
            Period {
                from: d("2026-11-02"),
                to: today
            }
        );
        assert!(read_period("2026-10-01", "2026-10-31", today).is_ok());
        assert_eq!(
            read_period("2026-10-31", "2026-10-01", today).unwrap_err(),
            (
                "from".to_string(),
                "The first day must not be after the last.".to_string()
            )
        );
        assert_eq!(
            read_period("2024-01-01", "2025-01-01", today)
                .unwrap_err()
                .0,
            "from"
        );
        assert_eq!(read_period("", "2026-10-01", today).unwrap_err().0, "from");
        assert_eq!(
            read_period("2026-10-01", "soon", today).unwrap_err().0,
            "to"
        );
    }
}
