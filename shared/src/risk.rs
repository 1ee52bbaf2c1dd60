//! A patient's risk level, which orders the non-urgent part of the worklist,
//! and the explainable computation behind it (DESIGN §3).
//!
//! The level is a sum of points from factors a care manager can read and
//! argue with: each [`RiskFactor`] carries its code, its points and a
//! sentence. [`assess`] is the whole rule; the server gathers
//! [`RiskInputs`] from the record in the transaction of every event that
//! changes one, and the SPA shows the same factors.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::encounters::EncounterKind;
use crate::ids::UserId;
use crate::screening::{Flag, Instrument, ScreeningSeverity};
use crate::validation::{Context, Normalize};

code_enum! {
    /// How much attention a patient needs, lowest first (the derived order is the clinical order).
    #[derive(PartialOrd, Ord, Default)]
    pub enum RiskLevel {
        /// Stable; routine contact.
        #[default]
        Low,
        /// Some active needs.
        Moderate,
        /// Frequent contact needed.
        High,
        /// Intensive management.
        VeryHigh,
    }
}

impl RiskLevel {
    /// Words for people ("very high").
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Low => "Low",
            RiskLevel::Moderate => "Moderate",
            RiskLevel::High => "High",
            RiskLevel::VeryHigh => "Very high",
        }
    }

    /// The level a number of points reaches: moderate from
    /// [`MODERATE_FROM`], high from [`HIGH_FROM`], very high from
    /// [`VERY_HIGH_FROM`].
    pub fn from_points(points: i32) -> RiskLevel {
        match points {
            p if p >= VERY_HIGH_FROM => RiskLevel::VeryHigh,
            p if p >= HIGH_FROM => RiskLevel::High,
            p if p >= MODERATE_FROM => RiskLevel::Moderate,
            _ => RiskLevel::Low,
        }
    }

    /// The fewest points that reach this level.
    pub fn floor(self) -> i32 {
        match self {
            RiskLevel::Low => 0,
            RiskLevel::Moderate => MODERATE_FROM,
            RiskLevel::High => HIGH_FROM,
            RiskLevel::VeryHigh => VERY_HIGH_FROM,
        }
    }
}

/// Points from which a patient is at moderate risk.
pub const MODERATE_FROM: i32 = 3;
/// Points from which a patient is at high risk. A suicide-risk screen in
/// the last [`SAFETY_WINDOW_DAYS`] reaches it on its own.
pub const HIGH_FROM: i32 = 6;
/// Points from which a patient is at very high risk.
pub const VERY_HIGH_FROM: i32 = 9;
/// How long a suicide-risk screen counts.
pub const SAFETY_WINDOW_DAYS: i64 = 30;
/// How long hospital, ED and crisis-center stays and missed appointments count.
pub const UTILIZATION_WINDOW_DAYS: i64 = 90;
/// How old the latest screening of an instrument may be and still count.
pub const SCREENING_WINDOW_DAYS: i64 = 365;
/// The longest a manual override may last.
pub const OVERRIDE_MAX_DAYS: i64 = 366;

code_enum! {
    /// What a risk factor is about.
    pub enum RiskFactorCode {
        /// A suicide-risk flag (PHQ-9 item 9 above 0, C-SSRS high) in the last 30 days: 6 points.
        SuicideRisk,
        /// The latest PHQ-9: moderate 2, moderately severe 3, severe 4.
        Depression,
        /// The latest GAD-7: moderate 1, severe 2.
        Anxiety,
        /// The latest C-SSRS below high risk: low 1, moderate 2.
        SuicidalIdeation,
        /// The latest AUDIT-C positive: 1.
        AlcoholUse,
        /// The latest DAST-10: moderate 1, substantial 2, severe 3.
        DrugUse,
        /// Hospital, ED, crisis-center and detox stays begun in the last 90 days: 2 each, at most 6.
        AcuteCare,
        /// Appointments missed in the last 90 days: 1 each, at most 3.
        MissedAppointments,
        /// Unmet social needs on the care plan: 1 each, at most 3.
        SocialNeeds,
        /// Open referral barriers: 1 each, at most 2.
        ReferralBarriers,
        /// The level a clinician or the EHR assessed (the patient's `risk_level` as written): its level's floor.
        ClinicalAssessment,
    }
}

impl RiskFactorCode {
    /// A short name for the factor, as a worklist reason quotes it.
    pub fn label(self) -> &'static str {
        match self {
            RiskFactorCode::SuicideRisk => "suicide-risk screen",
            RiskFactorCode::Depression => "depression",
            RiskFactorCode::Anxiety => "anxiety",
            RiskFactorCode::SuicidalIdeation => "suicidal ideation",
            RiskFactorCode::AlcoholUse => "alcohol use",
            RiskFactorCode::DrugUse => "drug use",
            RiskFactorCode::AcuteCare => "hospital/ED/crisis use",
            RiskFactorCode::MissedAppointments => "missed appointments",
            RiskFactorCode::SocialNeeds => "unmet social needs",
            RiskFactorCode::ReferralBarriers => "referral barriers",
            RiskFactorCode::ClinicalAssessment => "clinical assessment",
        }
    }
}

/// One reason for a patient's risk, with its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskFactor {
    /// What it is about.
    pub code: RiskFactorCode,
    /// Its weight in the sum.
    pub points: i32,
    /// A sentence for people, quoting the record ("Severe depression:
    /// PHQ-9 of 22 on 2026-11-02").
    pub description: String,
}

/// The latest screening of an instrument (not entered in error), and any
/// flagged one, as the rule reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningFact {
    /// The instrument.
    pub instrument: Instrument,
    /// When it was given.
    pub administered_at: DateTime<Utc>,
    /// Its band.
    pub severity: ScreeningSeverity,
    /// Its total, when the instrument has one.
    pub total: Option<i32>,
    /// Its flags.
    pub flags: Vec<Flag>,
    /// Why the suicide-risk flag was raised, quoting the answer.
    pub safety_reason: Option<String>,
}

/// A hospital, ED, crisis-center or detox stay.
#[derive(Debug, Clone, PartialEq)]
pub struct AcuteStay {
    /// The kind of stay.
    pub kind: EncounterKind,
    /// Where.
    pub facility: String,
    /// When it began.
    pub admitted_at: DateTime<Utc>,
}

/// Everything the risk rule reads about a patient.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskInputs {
    /// The latest screening of each instrument, and flagged ones.
    pub screenings: Vec<ScreeningFact>,
    /// Stays begun in the last 90 days (older ones are ignored).
    pub acute_stays: Vec<AcuteStay>,
    /// When missed appointments were scheduled (older than 90 days are ignored).
    pub missed_appointments: Vec<DateTime<Utc>>,
    /// The unmet social needs on the care plan, in words ("Housing").
    pub unmet_social_needs: Vec<String>,
    /// Open referral barriers, in words ("Transportation"): none until
    /// referrals exist.
    pub open_referral_barriers: Vec<String>,
    /// The level a clinician or the EHR assessed, if any.
    pub assessed: Option<RiskLevel>,
}

/// The computed risk: the level, the sum and the factors, heaviest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAssessment {
    /// The level the points reach.
    pub level: RiskLevel,
    /// The sum of the factors' points.
    pub points: i32,
    /// The factors, heaviest first.
    pub factors: Vec<RiskFactor>,
}

/// `n` points at one each, at most `cap`.
fn capped(n: usize, cap: i32) -> i32 {
    i32::try_from(n).map_or(cap, |n| n.min(cap))
}

fn date(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Points for the latest screening of an instrument, by its band.
fn screening_factor(s: &ScreeningFact) -> Option<RiskFactor> {
    use ScreeningSeverity as S;
    let (code, points) = match (s.instrument, s.severity) {
        (Instrument::Phq9, S::Moderate) => (RiskFactorCode::Depression, 2),
        (Instrument::Phq9, S::ModeratelySevere) => (RiskFactorCode::Depression, 3),
        (Instrument::Phq9, S::Severe) => (RiskFactorCode::Depression, 4),
        (Instrument::Gad7, S::Moderate) => (RiskFactorCode::Anxiety, 1),
        (Instrument::Gad7, S::Severe) => (RiskFactorCode::Anxiety, 2),
        (Instrument::Cssrs, S::Low) => (RiskFactorCode::SuicidalIdeation, 1),
        (Instrument::Cssrs, S::Moderate) => (RiskFactorCode::SuicidalIdeation, 2),
        (Instrument::AuditC, S::Positive) => (RiskFactorCode::AlcoholUse, 1),
        (Instrument::Dast10, S::Moderate) => (RiskFactorCode::DrugUse, 1),
        (Instrument::Dast10, S::Substantial) => (RiskFactorCode::DrugUse, 2),
        (Instrument::Dast10, S::Severe) => (RiskFactorCode::DrugUse, 3),
        _ => return None,
    };
    let score = s
        .total
        .map_or_else(|| " screen".into(), |t| format!(" of {t}"));
    Some(RiskFactor {
        code,
        points,
        description: format!(
            "{} {}: {}{score} on {}",
            s.severity.label(),
            code.label(),
            s.instrument.label(),
            date(s.administered_at)
        ),
    })
}

/// The risk of a patient whose record reads `inputs`, at `now`.
///
/// The points add up: a suicide-risk screen in the last 30 days (6), the
/// latest PHQ-9, GAD-7, C-SSRS, AUDIT-C and DAST-10 bands (up to 4 each),
/// hospital/ED/crisis stays in 90 days (2 each, at most 6), missed
/// appointments in 90 days (1 each, at most 3), unmet social needs (1 each,
/// at most 3), open referral barriers (1 each, at most 2), and a level a
/// clinician assessed (its floor). Moderate from 3, high from 6, very high
/// from 9. Factors come heaviest first, ties in code order.
pub fn assess(inputs: &RiskInputs, now: DateTime<Utc>) -> RiskAssessment {
    let mut factors = screening_factors(inputs, now);
    factors.extend(utilization_factors(inputs, now));
    factors.extend(need_factors(inputs));

    // Heaviest first; equal weights keep the code order (the declared order).
    let rank = |c: RiskFactorCode| {
        <RiskFactorCode as strum::VariantArray>::VARIANTS
            .iter()
            .position(|v| *v == c)
            .unwrap_or(usize::MAX)
    };
    factors.sort_by_key(|f| (std::cmp::Reverse(f.points), rank(f.code)));
    let points = factors.iter().map(|f| f.points).sum();
    RiskAssessment {
        level: RiskLevel::from_points(points),
        points,
        factors,
    }
}

/// A recent suicide-risk screen, and the latest band of each instrument.
fn screening_factors(inputs: &RiskInputs, now: DateTime<Utc>) -> Vec<RiskFactor> {
    let mut factors = Vec::new();
    let safety_since = now - Duration::days(SAFETY_WINDOW_DAYS);
    let screening_since = now - Duration::days(SCREENING_WINDOW_DAYS);
    let flagged = inputs
        .screenings
        .iter()
        .filter(|s| s.flags.contains(&Flag::SuicideRisk) && s.administered_at >= safety_since)
        .max_by_key(|s| s.administered_at);
    if let Some(s) = flagged {
        let why = s
            .safety_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        factors.push(RiskFactor {
            code: RiskFactorCode::SuicideRisk,
            points: 6,
            description: format!(
                "Positive suicide-risk screen ({}) on {}{why}",
                s.instrument.label(),
                date(s.administered_at)
            ),
        });
    }
    // The latest screening of each instrument within the year decides its band.
    let mut latest: Vec<&ScreeningFact> = Vec::new();
    for s in inputs
        .screenings
        .iter()
        .filter(|s| s.administered_at >= screening_since)
    {
        match latest.iter_mut().find(|l| l.instrument == s.instrument) {
            Some(l) if l.administered_at < s.administered_at => *l = s,
            Some(_) => {}
            None => latest.push(s),
        }
    }
    factors.extend(latest.into_iter().filter_map(screening_factor));
    factors
}

/// Hospital, ED and crisis stays, and missed appointments, in 90 days.
fn utilization_factors(inputs: &RiskInputs, now: DateTime<Utc>) -> Vec<RiskFactor> {
    let mut factors = Vec::new();
    let since = now - Duration::days(UTILIZATION_WINDOW_DAYS);
    let mut stays: Vec<&AcuteStay> = inputs
        .acute_stays
        .iter()
        .filter(|s| s.admitted_at >= since && s.admitted_at <= now)
        .collect();
    if !stays.is_empty() {
        stays.sort_by_key(|s| std::cmp::Reverse(s.admitted_at));
        let list = stays
            .iter()
            .map(|s| format!("{} {} {}", s.kind.label(), s.facility, date(s.admitted_at)))
            .collect::<Vec<_>>()
            .join("; ");
        factors.push(RiskFactor {
            code: RiskFactorCode::AcuteCare,
            points: 2 * capped(stays.len(), 3),
            description: format!(
                "{} in the last {UTILIZATION_WINDOW_DAYS} days ({list})",
                plural(
                    stays.len(),
                    "hospital, ED or crisis stay",
                    "hospital, ED or crisis stays"
                )
            ),
        });
    }
    let missed = inputs
        .missed_appointments
        .iter()
        .filter(|at| **at >= since && **at <= now)
        .count();
    if missed > 0 {
        factors.push(RiskFactor {
            code: RiskFactorCode::MissedAppointments,
            points: capped(missed, 3),
            description: format!(
                "{} in the last {UTILIZATION_WINDOW_DAYS} days",
                plural(missed, "missed appointment", "missed appointments")
            ),
        });
    }
    factors
}

/// Unmet social needs, open referral barriers and an assessed level.
fn need_factors(inputs: &RiskInputs) -> Vec<RiskFactor> {
    let mut factors = Vec::new();
    for (code, items, cap) in [
        (RiskFactorCode::SocialNeeds, &inputs.unmet_social_needs, 3),
        (
            RiskFactorCode::ReferralBarriers,
            &inputs.open_referral_barriers,
            2,
        ),
    ] {
        if items.is_empty() {
            continue;
        }
        let what = if code == RiskFactorCode::SocialNeeds {
            plural(items.len(), "unmet social need", "unmet social needs")
        } else {
            plural(
                items.len(),
                "open referral barrier",
                "open referral barriers",
            )
        };
        factors.push(RiskFactor {
            code,
            points: capped(items.len(), cap),
            description: format!("{what}: {}", items.join(", ")),
        });
    }
    if let Some(level) = inputs.assessed.filter(|l| *l > RiskLevel::Low) {
        factors.push(RiskFactor {
            code: RiskFactorCode::ClinicalAssessment,
            points: level.floor(),
            description: format!(
                "Assessed as {} risk by a clinician or the EHR",
                level.label().to_lowercase()
            ),
        });
    }
    factors
}

/// The short names of the heaviest `n` factors, for a worklist reason
/// ("suicide-risk screen, depression").
pub fn top_factor_labels(codes: &[RiskFactorCode], n: usize) -> String {
    codes
        .iter()
        .take(n)
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A manual override of the computed level, in force through `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskOverride {
    /// The level that applies instead of the computed one.
    pub level: RiskLevel,
    /// Why.
    pub reason: String,
    /// The last day it applies (organization time zone); afterwards the
    /// computed level applies again.
    pub until: NaiveDate,
    /// Who set it.
    pub by: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The level in force: an override through its last day, else the computed one.
pub fn effective_level(
    computed: RiskLevel,
    over: Option<&RiskOverride>,
    today: NaiveDate,
) -> RiskLevel {
    match over {
        Some(o) if o.until >= today => o.level,
        _ => computed,
    }
}

/// One change in a patient's risk: what the computation gave, what applied,
/// and what set it off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskChange {
    /// The level in force after the change.
    pub level: RiskLevel,
    /// The computed level.
    pub computed_level: RiskLevel,
    /// The computed points.
    pub points: i32,
    /// The factors at the time, heaviest first.
    pub factors: Vec<RiskFactor>,
    /// What set it off ("screening recorded", "override: …").
    pub cause: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// `GET /api/v1/patients/{id}/risk`: the level in force, the computed
/// level with its factors, the override if one is in force, and the latest
/// changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Risk {
    /// The level in force: the override's while it lasts, else the computed one.
    pub level: RiskLevel,
    /// The level the factors reach.
    pub computed_level: RiskLevel,
    /// The sum of the factors' points.
    pub points: i32,
    /// The factors, heaviest first.
    pub factors: Vec<RiskFactor>,
    /// The override in force, if any.
    #[serde(rename = "override")]
    pub override_: Option<RiskOverride>,
    /// When the factors were last computed.
    pub computed_at: DateTime<Utc>,
    /// The latest changes (at most 20), newest first.
    pub history: Vec<RiskChange>,
}

/// The most changes [`Risk::history`] carries.
pub const HISTORY_LIMIT: i64 = 20;

/// `POST /api/v1/patients/{id}/risk/override`: set the level by hand, for
/// a reason, until a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "level": "high",
    "reason": "Lost housing yesterday; not yet in any screening",
    "until": "2026-12-31"
})))]
pub struct RiskOverrideRequest {
    /// The level that applies instead of the computed one.
    pub level: RiskLevel,
    /// Why: required, shown beside the level and audited.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 500, message = "must be at most 500 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 500, pattern = r"\S")
    )]
    pub reason: String,
    /// The last day it applies (organization time zone): from today to a
    /// year and a day ahead.
    #[validate(custom(function = "override_until", use_context))]
    pub until: NaiveDate,
}

/// From today to [`OVERRIDE_MAX_DAYS`] ahead (a validator rule).
pub fn override_until(until: &NaiveDate, ctx: &Context) -> Result<(), ValidationError> {
    if *until < ctx.today {
        Err(crate::validation::invalid("past", "must be today or later"))
    } else if *until > ctx.today + Duration::days(OVERRIDE_MAX_DAYS) {
        Err(crate::validation::invalid(
            "too_far",
            "must be at most 366 days ahead",
        ))
    } else {
        Ok(())
    }
}

impl Normalize for RiskOverrideRequest {
    fn normalized(self) -> RiskOverrideRequest {
        RiskOverrideRequest {
            reason: self.reason.trim().to_string(),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap()
    }

    fn days_ago(d: i64) -> DateTime<Utc> {
        now() - Duration::days(d)
    }

    fn screening(
        instrument: Instrument,
        severity: ScreeningSeverity,
        total: Option<i32>,
        at: DateTime<Utc>,
    ) -> ScreeningFact {
        ScreeningFact {
            instrument,
            administered_at: at,
            severity,
            total,
            flags: vec![],
            safety_reason: None,
        }
    }

    fn codes(a: &RiskAssessment) -> Vec<RiskFactorCode> {
        a.factors.iter().map(|f| f.code).collect()
    }

    #[test]
    fn risk_levels_order_from_low_to_very_high() {
        assert!(RiskLevel::Low < RiskLevel::Moderate);
        assert!(RiskLevel::Moderate < RiskLevel::High);
        assert!(RiskLevel::High < RiskLevel::VeryHigh);
    }

    #[test]
    fn risk_levels_use_snake_case_on_the_wire_and_in_storage() {
        assert_eq!(
            serde_json::to_value(RiskLevel::VeryHigh).unwrap(),
            "very_high"
        );
        assert_eq!(RiskLevel::VeryHigh.as_ref(), "very_high");
        assert_eq!(
            "very_high".parse::<RiskLevel>().unwrap(),
            RiskLevel::VeryHigh
        );
    }

    #[test]
    fn points_reach_levels_at_three_six_and_nine() {
        use RiskLevel::*;
        let levels: Vec<RiskLevel> = (0..=10).map(RiskLevel::from_points).collect();
        assert_eq!(
            levels,
            vec![
                Low, Low, Low, Moderate, Moderate, Moderate, High, High, High, VeryHigh, VeryHigh
            ]
        );
        for level in [Low, Moderate, High, VeryHigh] {
            assert_eq!(RiskLevel::from_points(level.floor()), level);
        }
    }

    #[test]
    fn an_empty_record_is_low_risk_with_no_factors() {
        let a = assess(&RiskInputs::default(), now());
        assert_eq!(a.level, RiskLevel::Low);
        assert_eq!(a.points, 0);
        assert!(a.factors.is_empty());
    }

    #[test]
    fn a_recent_suicide_risk_screen_alone_makes_the_patient_high_risk_and_quotes_the_answer() {
        let mut s = screening(
            Instrument::Phq9,
            ScreeningSeverity::Mild,
            Some(7),
            days_ago(2),
        );
        s.flags = vec![Flag::SuicideRisk];
        s.safety_reason = Some("item 9 answered 1 (several days)".into());
        let a = assess(
            &RiskInputs {
                screenings: vec![s],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.level, RiskLevel::High);
        assert_eq!(codes(&a), vec![RiskFactorCode::SuicideRisk]);
        assert_eq!(
            a.factors[0].description,
            "Positive suicide-risk screen (PHQ-9) on 2026-11-28: item 9 answered 1 (several days)"
        );
    }

    #[test]
    fn a_suicide_risk_screen_stops_counting_after_thirty_days() {
        let mut s = screening(
            Instrument::Cssrs,
            ScreeningSeverity::High,
            None,
            days_ago(31),
        );
        s.flags = vec![Flag::SuicideRisk];
        let a = assess(
            &RiskInputs {
                screenings: vec![s],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.level, RiskLevel::Low);
    }

    #[test]
    fn the_latest_screening_of_an_instrument_decides_its_points() {
        let a = assess(
            &RiskInputs {
                screenings: vec![
                    screening(
                        Instrument::Phq9,
                        ScreeningSeverity::Severe,
                        Some(22),
                        days_ago(100),
                    ),
                    screening(
                        Instrument::Phq9,
                        ScreeningSeverity::Moderate,
                        Some(12),
                        days_ago(10),
                    ),
                ],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.points, 2);
        assert_eq!(
            a.factors[0].description,
            "Moderate depression: PHQ-9 of 12 on 2026-11-20"
        );
    }

    #[test]
    fn screening_bands_weigh_as_documented() {
        use Instrument as I;
        use ScreeningSeverity as S;
        let cases = [
            (I::Phq9, S::Mild, 0),
            (I::Phq9, S::Moderate, 2),
            (I::Phq9, S::ModeratelySevere, 3),
            (I::Phq9, S::Severe, 4),
            (I::Gad7, S::Mild, 0),
            (I::Gad7, S::Moderate, 1),
            (I::Gad7, S::Severe, 2),
            (I::Cssrs, S::Low, 1),
            (I::Cssrs, S::Moderate, 2),
            (I::AuditC, S::Negative, 0),
            (I::AuditC, S::Positive, 1),
            (I::Dast10, S::Low, 0),
            (I::Dast10, S::Moderate, 1),
            (I::Dast10, S::Substantial, 2),
            (I::Dast10, S::Severe, 3),
            (I::Phq2, S::Positive, 0),
            (I::AhcHrsn, S::Positive, 0),
        ];
        for (instrument, severity, points) in cases {
            let a = assess(
                &RiskInputs {
                    screenings: vec![screening(instrument, severity, Some(5), days_ago(1))],
                    ..Default::default()
                },
                now(),
            );
            assert_eq!(a.points, points, "{instrument} {severity}");
        }
    }

    #[test]
    fn screenings_older_than_a_year_count_for_nothing() {
        let a = assess(
            &RiskInputs {
                screenings: vec![screening(
                    Instrument::Phq9,
                    ScreeningSeverity::Severe,
                    Some(24),
                    days_ago(366),
                )],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.points, 0);
    }

    #[test]
    fn acute_stays_weigh_two_each_up_to_six_within_ninety_days() {
        let stay = |d| AcuteStay {
            kind: EncounterKind::Ed,
            facility: "Mercy".into(),
            admitted_at: days_ago(d),
        };
        let a = assess(
            &RiskInputs {
                acute_stays: vec![stay(5), stay(40), stay(80), stay(85), stay(91)],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.points, 6);
        assert!(
            a.factors[0]
                .description
                .starts_with("4 hospital, ED or crisis stays in the last 90 days"),
            "{}",
            a.factors[0].description
        );
    }

    #[test]
    fn missed_appointments_social_needs_and_barriers_are_capped() {
        let a = assess(
            &RiskInputs {
                missed_appointments: vec![days_ago(1), days_ago(2), days_ago(3), days_ago(4)],
                unmet_social_needs: vec![
                    "Housing".into(),
                    "Food".into(),
                    "Utilities".into(),
                    "Transportation".into(),
                ],
                open_referral_barriers: vec![
                    "Transportation".into(),
                    "Cost".into(),
                    "Other".into(),
                ],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.points, 3 + 3 + 2);
        assert_eq!(a.level, RiskLevel::High);
        assert_eq!(
            codes(&a),
            vec![
                RiskFactorCode::MissedAppointments,
                RiskFactorCode::SocialNeeds,
                RiskFactorCode::ReferralBarriers
            ]
        );
        assert_eq!(
            a.factors[1].description,
            "4 unmet social needs: Housing, Food, Utilities, Transportation"
        );
    }

    #[test]
    fn an_assessed_level_is_a_floor_that_other_factors_add_to() {
        let a = assess(
            &RiskInputs {
                assessed: Some(RiskLevel::High),
                missed_appointments: vec![days_ago(3), days_ago(20), days_ago(50)],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.level, RiskLevel::VeryHigh);
        assert_eq!(a.factors[0].code, RiskFactorCode::ClinicalAssessment);
        let low = assess(
            &RiskInputs {
                assessed: Some(RiskLevel::Low),
                ..Default::default()
            },
            now(),
        );
        assert!(low.factors.is_empty());
    }

    #[test]
    fn factors_come_heaviest_first_and_name_the_top_ones() {
        let mut flagged = screening(
            Instrument::Phq9,
            ScreeningSeverity::Severe,
            Some(23),
            days_ago(1),
        );
        flagged.flags = vec![Flag::SuicideRisk];
        let a = assess(
            &RiskInputs {
                screenings: vec![flagged],
                missed_appointments: vec![days_ago(3)],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(a.points, 11);
        assert_eq!(a.level, RiskLevel::VeryHigh);
        assert_eq!(
            top_factor_labels(&codes(&a), 2),
            "suicide-risk screen, depression"
        );
    }

    #[test]
    fn an_override_applies_through_its_last_day_only() {
        let o = RiskOverride {
            level: RiskLevel::VeryHigh,
            reason: "Lost housing".into(),
            until: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            by: None,
            at: now(),
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(
            effective_level(RiskLevel::Low, Some(&o), day(5)),
            RiskLevel::VeryHigh
        );
        assert_eq!(
            effective_level(RiskLevel::Low, Some(&o), day(6)),
            RiskLevel::Low
        );
        assert_eq!(
            effective_level(RiskLevel::Moderate, None, day(1)),
            RiskLevel::Moderate
        );
    }

    #[test]
    fn an_override_needs_a_reason_and_an_end_date_within_a_year() {
        let ctx = Context {
            now: now(),
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        };
        let req = |reason: &str, until| RiskOverrideRequest {
            level: RiskLevel::High,
            reason: reason.into(),
            until,
        };
        let ok = req("Lost housing", ctx.today);
        assert!(crate::validation::check(ok, &ctx).is_empty());
        let blank = crate::validation::check(req("  ", ctx.today), &ctx);
        assert_eq!(blank[0].field, "reason");
        let past = crate::validation::check(req("x", ctx.today - Duration::days(1)), &ctx);
        assert_eq!(past[0].field, "until");
        let far = crate::validation::check(req("x", ctx.today + Duration::days(367)), &ctx);
        assert_eq!(far[0].field, "until");
    }
}
