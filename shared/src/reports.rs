//! Reports: what each one counts, over which period, grouped how, and how
//! it is written as CSV. The server aggregates in SQL; this module fixes
//! the shapes scripts rely on (DESIGN §5: `{rows, totals}`; CSV with a
//! header row and spreadsheet formulas defused) and the period rules.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;

code_enum! {
    /// The reports offered at `GET /api/v1/reports/{name}`.
    pub enum ReportName {
        /// Clients per care manager by case status and risk, and cases opened and closed.
        Caseload,
        /// Discharges by facility kind and how fast they were followed up.
        Transitions,
        /// Attended and missed appointments, and disengaged clients.
        Appointments,
        /// Referrals by status and barrier, days to close, completion per provider.
        Referrals,
        /// Minutes per activity type per person per day, and the care-coordination share.
        Productivity,
        /// Screenings given and positive by instrument, and PHQ-9 completion.
        Screenings,
        /// Clients' satisfaction with the services they were referred to.
        Satisfaction,
    }
}

code_enum! {
    /// How a report's rows are grouped.
    #[derive(Default)]
    pub enum GroupBy {
        /// By the client's primary care manager (productivity: by the person who did the work).
        #[default]
        CareManager,
        /// By the community program the client was enrolled in during the
        /// period (a client in two programs counts in both rows; totals
        /// count each client once; clients in none form "No program").
        Program,
    }
}

code_enum! {
    /// What a report is written as.
    pub enum ReportFormat {
        /// `application/json` (the default).
        Json,
        /// `text/csv`: the rows, one per line, under a header row.
        Csv,
    }
}

/// The longest period one report covers.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Days a report covers when `from` is left out: the 30 days up to `to`.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// Standard for the share of a care manager's time spent on care
/// coordination: between 80% and 90%.
pub const COORDINATION_STANDARD: (f64, f64) = (0.80, 0.90);

/// A report's period: whole days on the organization's calendar, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// The period `from..=to`: `to` defaults to today, `from` to 29 days
    /// before `to`. `from` after `to`, or more than 366 days, is an error
    /// naming the field.
    pub fn resolve(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Period, FieldError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS - 1));
        if from > to {
            return Err(FieldError::new("from", "must not be after to"));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new(
                "from",
                "the period may span at most 366 days",
            ));
        }
        Ok(Period { from, to })
    }

    /// The day after the last: the period is `[from, end)` in local midnights.
    pub fn end_exclusive(self) -> NaiveDate {
        self.to + Duration::days(1)
    }
}

/// `numerator / denominator`, rounded to four places; `None` when nothing
/// was counted (a rate of nothing is unknown, not zero).
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    if denominator <= 0 {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let r = numerator as f64 / denominator as f64;
    Some((r * 10_000.0).round() / 10_000.0)
}

/// A report as JSON: its name and period, the grouping, one row per group
/// (and dimension), and the totals over everyone — computed over the
/// records, never summed from the rows (a client in two programs counts
/// once; medians do not add).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report<R> {
    /// Which report.
    pub report: ReportName,
    /// The period it covers.
    pub period: Period,
    /// How the rows are grouped.
    pub group_by: GroupBy,
    /// The rows, by group label.
    pub rows: Vec<R>,
    /// The same figures over the whole organization (group fields empty).
    pub totals: R,
}

/// Caseload: clients by case status and risk now, and cases opened and
/// closed in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadRow {
    /// The care manager's or program's id (`null`: unassigned / no program / totals).
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// Clients at intake now.
    pub intake: i64,
    /// Active clients now.
    pub active: i64,
    /// Clients on hold now.
    pub on_hold: i64,
    /// Open clients (intake, active, on hold) at low risk.
    pub risk_low: i64,
    /// … at moderate risk.
    pub risk_moderate: i64,
    /// … at high risk.
    pub risk_high: i64,
    /// … at very high risk.
    pub risk_very_high: i64,
    /// Cases opened (moved to intake or active from referred, closed or nothing) in the period.
    pub opened: i64,
    /// Cases closed in the period.
    pub closed: i64,
}

/// Transitions: discharges in the period by facility kind, and their
/// follow-up (the transition follow-up task being done).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionsRow {
    /// The care manager's or program's id.
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// Facility kind (`inpatient_psych`, `ed`, …); empty in the totals.
    pub facility_kind: Option<String>,
    /// Discharges in the period.
    pub discharges: i64,
    /// Discharges whose follow-up is done.
    pub followed_up: i64,
    /// Discharges followed up within 24 hours of discharge.
    pub followed_up_within_24h: i64,
    /// `followed_up_within_24h / discharges`.
    pub share_within_24h: Option<f64>,
    /// Median hours from discharge to the follow-up being done (followed-up discharges only).
    pub median_hours_to_follow_up: Option<f64>,
}

/// Appointments scheduled in the period and what became of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentsRow {
    /// The care manager's or program's id.
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// Appointments in the period (any status).
    pub appointments: i64,
    /// Attended.
    pub attended: i64,
    /// Missed.
    pub missed: i64,
    /// Cancelled.
    pub cancelled: i64,
    /// `attended / (attended + missed)`.
    pub attended_rate: Option<f64>,
    /// `missed / (attended + missed)`.
    pub missed_rate: Option<f64>,
    /// Clients who missed two appointments within 30 days, the second in the period.
    pub disengaged_clients: i64,
}

/// Referrals made in the period, per receiving provider: where they stand
/// now, their barriers, and how they closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralsRow {
    /// The care manager's or program's id.
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// The receiving provider (empty in the totals).
    pub provider_id: Option<Uuid>,
    /// The provider's name.
    pub provider: Option<String>,
    /// Referrals made (created) in the period.
    pub referrals: i64,
    /// Of them, now at `draft`.
    pub draft: i64,
    /// … `sent`.
    pub sent: i64,
    /// … `accepted`.
    pub accepted: i64,
    /// … `scheduled`.
    pub scheduled: i64,
    /// … `completed`.
    pub completed: i64,
    /// … `closed`.
    pub closed: i64,
    /// … `declined`.
    pub declined: i64,
    /// … `cancelled`.
    pub cancelled: i64,
    /// … `no_show`.
    pub no_show: i64,
    /// Barriers recorded on them, all kinds.
    pub barriers: i64,
    /// Transportation barriers.
    pub barrier_transportation: i64,
    /// Insurance barriers.
    pub barrier_insurance: i64,
    /// Documentation barriers.
    pub barrier_documentation: i64,
    /// Language barriers.
    pub barrier_language: i64,
    /// Childcare barriers.
    pub barrier_childcare: i64,
    /// Cost barriers.
    pub barrier_cost: i64,
    /// Other barriers.
    pub barrier_other: i64,
    /// Median days from referral to close, over the closed ones.
    pub median_days_to_close: Option<f64>,
    /// Those that ended: completed, closed, declined, cancelled or no-show.
    pub ended: i64,
    /// Of those, the ones the provider completed (completed, or completed then closed).
    pub ended_completed: i64,
    /// `ended_completed / ended`.
    pub completion_rate: Option<f64>,
}

/// Minutes of documented work per person (or program) per day, by activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductivityRow {
    /// The person's (or program's) id.
    pub group_id: Option<Uuid>,
    /// The person's (or program's) name.
    pub group: String,
    /// The day (organization calendar; empty in the totals).
    pub date: Option<NaiveDate>,
    /// Minutes of care coordination.
    pub care_coordination: i64,
    /// Minutes of outreach.
    pub outreach: i64,
    /// Minutes of chart review.
    pub chart_review: i64,
    /// Minutes of education.
    pub education: i64,
    /// Minutes of huddles.
    pub huddle: i64,
    /// Minutes of consultation.
    pub consultation: i64,
    /// Minutes of assessment.
    pub assessment: i64,
    /// Minutes of administrative work.
    pub administrative: i64,
    /// All minutes.
    #[serde(default)]
    pub total_minutes: i64,
    /// Share of the minutes that count as care coordination (all but administrative).
    pub coordination_share: Option<f64>,
    /// Whether that share is within the 80–90% standard.
    pub within_standard: Option<bool>,
}

/// A row's figures that follow from its counts (rates, shares): filled
/// here, once, rather than in each query.
pub trait Derived: Sized {
    /// The row with its derived figures filled.
    #[must_use]
    fn derived(self) -> Self;
}

impl Derived for CaseloadRow {
    fn derived(self) -> Self {
        self
    }
}

impl Derived for TransitionsRow {
    fn derived(mut self) -> Self {
        self.share_within_24h = rate(self.followed_up_within_24h, self.discharges);
        self
    }
}

impl Derived for AppointmentsRow {
    fn derived(mut self) -> Self {
        let kept_or_missed = self.attended + self.missed;
        self.attended_rate = rate(self.attended, kept_or_missed);
        self.missed_rate = rate(self.missed, kept_or_missed);
        self
    }
}

impl Derived for ReferralsRow {
    fn derived(mut self) -> Self {
        self.completion_rate = rate(self.ended_completed, self.ended);
        self
    }
}

impl Derived for ScreeningsRow {
    fn derived(mut self) -> Self {
        self.positive_rate = rate(self.positive, self.administered);
        self.phq9_completion_rate = match (self.phq9_completed, self.behavioral_health_clients) {
            (Some(done), Some(of)) => rate(done, of),
            _ => None,
        };
        self
    }
}

impl Derived for SatisfactionRow {
    fn derived(mut self) -> Self {
        self.satisfied_share = rate(self.rating_4 + self.rating_5, self.responses);
        self
    }
}

impl Derived for ProductivityRow {
    fn derived(mut self) -> Self {
        self.total_minutes = self.care_coordination
            + self.outreach
            + self.chart_review
            + self.education
            + self.huddle
            + self.consultation
            + self.assessment
            + self.administrative;
        self.coordination_share =
            rate(self.total_minutes - self.administrative, self.total_minutes);
        self.within_standard = self
            .coordination_share
            .map(|s| (COORDINATION_STANDARD.0..=COORDINATION_STANDARD.1).contains(&s));
        self
    }
}

/// Screenings given in the period per instrument; on the PHQ-9 row, the
/// completion among active behavioral-health clients.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningsRow {
    /// The care manager's or program's id.
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// The instrument (`phq9`, `gad7`, …; `all` in the totals).
    pub instrument: String,
    /// Screenings given in the period (not entered in error).
    pub administered: i64,
    /// Of them, positive.
    pub positive: i64,
    /// `positive / administered`.
    pub positive_rate: Option<f64>,
    /// PHQ-9 row and totals only: active behavioral-health clients now (an active
    /// case with a PHQ-9 on record or an active behavioral-health or
    /// substance-use need on the care plan).
    pub behavioral_health_clients: Option<i64>,
    /// PHQ-9 row and totals only: of them, those given a PHQ-9 in the period.
    pub phq9_completed: Option<i64>,
    /// PHQ-9 row and totals only: `phq9_completed / behavioral_health_clients`.
    pub phq9_completion_rate: Option<f64>,
}

/// Satisfaction ratings (1–5) clients gave the services they were referred
/// to, for referrals that ended in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionRow {
    /// The care manager's or program's id.
    pub group_id: Option<Uuid>,
    /// The care manager's or program's name.
    pub group: String,
    /// Ratings given.
    pub responses: i64,
    /// Mean rating, to two places.
    pub average_rating: Option<f64>,
    /// Ratings of 1.
    pub rating_1: i64,
    /// Ratings of 2.
    pub rating_2: i64,
    /// Ratings of 3.
    pub rating_3: i64,
    /// Ratings of 4.
    pub rating_4: i64,
    /// Ratings of 5.
    pub rating_5: i64,
    /// Share rating 4 or 5.
    pub satisfied_share: Option<f64>,
}

/// Any report, told apart by its `report` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum AnyReport {
    /// `caseload`.
    Caseload(Report<CaseloadRow>),
    /// `transitions`.
    Transitions(Report<TransitionsRow>),
    /// `appointments`.
    Appointments(Report<AppointmentsRow>),
    /// `referrals`.
    Referrals(Report<ReferralsRow>),
    /// `productivity`.
    Productivity(Report<ProductivityRow>),
    /// `screenings`.
    Screenings(Report<ScreeningsRow>),
    /// `satisfaction`.
    Satisfaction(Report<SatisfactionRow>),
}

/// Whether a CSV cell would be read by a spreadsheet as a formula (or a
/// control character would let one through): such a cell is written with
/// a leading `'`.
pub fn needs_formula_guard(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The cell as written to CSV: formula-looking cells prefixed with `'`.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_formula_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The rows as CSV: a header row named after the row type's fields (even
/// when there are no rows), then one line per row, every cell guarded by
/// [`guard_cell`]. Empty values (`None`) are empty cells.
pub fn to_csv<R: Serialize + Default>(rows: &[R]) -> Result<String, csv::Error> {
    // The csv crate writes the header with the first record; a default
    // row makes it write one for an empty report too, and is dropped below.
    let mut plain = csv::Writer::from_writer(Vec::new());
    plain.serialize(R::default())?;
    for row in rows {
        plain.serialize(row)?;
    }
    let plain = plain
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut out = csv::Writer::from_writer(Vec::new());
    for (i, record) in reader.records().enumerate() {
        if i == 1 {
            continue;
        }
        out.write_record(record?.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    // Only UTF-8 went in.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_defaults_to_the_thirty_days_up_to_today() {
        let p = Period::resolve(None, None, d("2026-12-01")).unwrap();
        assert_eq!((p.from, p.to), (d("2026-11-02"), d("2026-12-01")));
        assert_eq!(p.end_exclusive(), d("2026-12-02"));
    }

    #[test]
    fn a_period_may_be_one_day_or_a_leap_year_but_not_backwards_or_longer() {
        let today = d("2026-12-01");
        assert!(Period::resolve(Some(d("2026-05-05")), Some(d("2026-05-05")), today).is_ok());
        assert!(Period::resolve(Some(d("2024-01-01")), Some(d("2024-12-31")), today).is_ok());
        assert_eq!(
            Period::resolve(Some(d("2024-01-01")), Some(d("2025-01-01")), today)
                .unwrap_err()
                .field,
            "from"
        );
        assert_eq!(
            Period::resolve(Some(d("2026-05-06")), Some(d("2026-05-05")), today)
                .unwrap_err()
                .field,
            "from"
        );
    }

    #[test]
    fn a_rate_of_nothing_is_unknown_and_rates_round_to_four_places() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(2, 2), Some(1.0));
    }

    #[test]
    fn the_coordination_share_counts_everything_but_administrative_time() {
        let row = ProductivityRow {
            care_coordination: 60,
            outreach: 20,
            administrative: 20,
            ..ProductivityRow::default()
        }
        .derived();
        assert_eq!(row.total_minutes, 100);
        assert_eq!(row.coordination_share, Some(0.8));
        assert_eq!(row.within_standard, Some(true));
        let all_admin = ProductivityRow {
            administrative: 30,
            ..ProductivityRow::default()
        }
        .derived();
        assert_eq!(all_admin.within_standard, Some(false));
        let all_coordination = ProductivityRow {
            outreach: 30,
            ..ProductivityRow::default()
        }
        .derived();
        assert_eq!(
            all_coordination.within_standard,
            Some(false),
            "above 90% is outside the standard too"
        );
        assert_eq!(ProductivityRow::default().derived().within_standard, None);
    }

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_get_a_leading_quote() {
        for bad in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(guard_cell(bad), format!("'{bad}"));
        }
        for fine in ["Smith", "1.5", "", "a=b", " =x"] {
            assert_eq!(guard_cell(fine), fine);
        }
    }

    #[test]
    fn csv_has_a_header_even_without_rows_and_guards_every_cell() {
        assert_eq!(
            to_csv::<SatisfactionRow>(&[]).unwrap(),
            "group_id,group,responses,average_rating,rating_1,rating_2,rating_3,rating_4,rating_5,satisfied_share\n"
        );
        let rows = [CaseloadRow {
            group: "=HYPERLINK(\"http://x\"), \"Smith\"".into(),
            active: 3,
            ..CaseloadRow::default()
        }];
        let csv = to_csv(&rows).unwrap();
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("group_id,group,intake,active")
        );
        assert_eq!(
            lines.next().unwrap(),
            ",\"'=HYPERLINK(\"\"http://x\"\"), \"\"Smith\"\"\",0,3,0,0,0,0,0,0,0"
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn every_referral_status_and_barrier_kind_has_a_column() {
        use crate::referral::{BarrierKind, ReferralStatus};
        use strum::VariantArray;
        let columns = serde_json::to_value(ReferralsRow::default()).unwrap();
        for s in ReferralStatus::VARIANTS {
            assert!(columns.get(s.as_ref()).is_some(), "{s}");
        }
        for b in BarrierKind::VARIANTS {
            assert!(columns.get(format!("barrier_{b}")).is_some(), "{b}");
        }
    }

    #[test]
    fn every_activity_type_has_a_productivity_column() {
        use crate::notes::NoteType;
        use strum::VariantArray;
        let columns = serde_json::to_value(ProductivityRow::default()).unwrap();
        for t in NoteType::VARIANTS {
            assert!(columns.get(t.as_ref()).is_some(), "{t}");
        }
    }
}
