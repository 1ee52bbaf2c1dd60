//! Quality measures: who is in each denominator, who meets each
//! numerator, who is excluded and why — written here as pure functions of
//! the facts the server reads, so the specification is the code (and the
//! `OpenAPI` description quotes it).
//!
//! Days are local days on the organization's calendar; "within N days" of
//! an event on day D means a qualifying day in `D+1 ..= D+N` for
//! hospitalizations (a visit on the day of discharge does not count) and
//! `D ..= D+N` for ED visits.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// The measures offered at `GET /api/v1/measures/{id}`.
    pub enum MeasureId {
        /// Follow-up after hospitalization for mental illness (FUH-like).
        Fuh,
        /// Follow-up after an ED or crisis-center visit for mental illness (FUM-like).
        Fum,
        /// Depression response and remission at 6 and 12 months (CMS159 / DEP-REM-6).
        DepResponseRemission,
        /// Depression screening with a follow-up plan for positives (CMS2-like).
        DepScreening,
        /// Suicide risk assessment after a positive PHQ-9 item 9.
        SuicideRisk,
    }
}

/// A measure's specification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureSpec {
    /// Id.
    pub id: MeasureId,
    /// Name.
    pub name: String,
    /// Who is in the denominator, what meets each numerator, who is excluded.
    pub specification: String,
    /// The rates it gives.
    pub rates: Vec<String>,
}

impl MeasureId {
    /// The measure's specification, as implemented here.
    pub fn spec(self) -> MeasureSpec {
        let (name, specification, rates): (&str, &str, &[&str]) = match self {
            MeasureId::Fuh => (
                "Follow-up after hospitalization for mental illness",
                "Denominator: discharges from an inpatient psychiatric stay on a day of the period. \
                 Numerators: an attended therapy or psychiatry appointment 1–7 days (within_7_days) \
                 or 1–30 days (within_30_days) after the day of discharge (a visit on the day of \
                 discharge does not count). Excluded: a readmission to an inpatient stay within 30 \
                 days of discharge; a discharge disposition of death; a 30-day window not yet over \
                 with no follow-up yet (pending).",
                &["within_7_days", "within_30_days"],
            ),
            MeasureId::Fum => (
                "Follow-up after an ED visit for mental illness",
                "Denominator: ED and behavioral-health crisis-center visits ending on a day of the \
                 period. Numerators: an attended therapy or psychiatry appointment 0–7 days \
                 (within_7_days) or 0–30 days (within_30_days) after the day of the visit. \
                 Excluded: an inpatient admission within 30 days of the visit; a 30-day window not \
                 yet over with no follow-up yet (pending).",
                &["within_7_days", "within_30_days"],
            ),
            MeasureId::DepResponseRemission => (
                "Depression response and remission at 6 and 12 months",
                "Denominator: patients whose first PHQ-9 above 9 in the period (the index) was \
                 given on a day of the period. For 6 and 12 months after the index day, the window \
                 is that day ± 60 days; the last PHQ-9 in the window counts. Numerators: response \
                 (a drop of at least 50% from the index score) and remission (a score below 5), \
                 at 6 months (response_6m, remission_6m) and 12 months (response_12m, \
                 remission_12m). A window not yet closed without a score is pending for that \
                 time point; the lists show whose window is open now and whose closes within 30 \
                 days. PHQ-9s entered in error never count.",
                &[
                    "response_6m",
                    "remission_6m",
                    "response_12m",
                    "remission_12m",
                ],
            ),
            MeasureId::DepScreening => (
                "Depression screening with a follow-up plan",
                "Denominator: patients aged 12 or older on the first day of the period with an \
                 attended appointment in the period. Numerator (screened_with_plan): a PHQ-9 or \
                 PHQ-2 in the period whose last result is negative, or positive with a follow-up \
                 plan (a care-plan change or a referral) on the day of the screen or up to 2 days \
                 after. Excluded: nobody (the record holds no diagnoses to exclude by).",
                &["screened_with_plan"],
            ),
            MeasureId::SuicideRisk => (
                "Suicide risk assessment after a positive PHQ-9 item 9",
                "Denominator: PHQ-9s in the period with item 9 above 0 (the suicide-risk flag). \
                 Numerator (assessed): a C-SSRS given the same day or the next day. Excluded: \
                 nobody.",
                &["assessed"],
            ),
        };
        MeasureSpec {
            id: self,
            name: name.to_owned(),
            specification: specification.to_owned(),
            rates: rates.iter().map(ToString::to_string).collect(),
        }
    }
}

/// One patient (one event, for event-based measures) in a measure's lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasurePatient {
    /// The patient.
    pub patient_id: Uuid,
    /// The event that put the patient in the lists (discharge, ED visit, screening), if any.
    pub event_id: Option<Uuid>,
    /// The day of that event (or of the index PHQ-9).
    pub event_on: NaiveDate,
    /// In the denominator (after exclusions).
    pub denominator: bool,
    /// Which numerators the patient meets.
    pub numerators: BTreeMap<String, bool>,
    /// Excluded (then in no denominator).
    pub excluded: bool,
    /// Why the patient is where they are, in words.
    pub reason: String,
    /// Windows still open: their names, and the day each closes.
    pub open_windows: Vec<OpenWindow>,
}

/// A measurement window still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenWindow {
    /// Which (`6m`, `12m`, `30_days`).
    pub name: String,
    /// First day of the window.
    pub opens_on: NaiveDate,
    /// Last day of the window.
    pub closes_on: NaiveDate,
    /// Whether it is open today.
    pub open_now: bool,
    /// Whether it closes within 30 days from today.
    pub closes_within_30_days: bool,
}

/// A measure over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureResult {
    /// Which measure.
    pub measure: MeasureId,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Each rate: numerator over denominator (`null` when the denominator is empty).
    pub rates: BTreeMap<String, Option<f64>>,
    /// Every patient considered, with the reason.
    pub patients: Vec<MeasurePatient>,
}

/// Computes the rates from the patient lists.
pub fn rates(spec: &MeasureSpec, patients: &[MeasurePatient]) -> BTreeMap<String, Option<f64>> {
    spec.rates
        .iter()
        .map(|name| {
            // A time point still pending leaves the patient out of that rate.
            let counted = patients
                .iter()
                .filter(|p| p.denominator && p.numerators.contains_key(name));
            let (n, d) = counted.fold((0, 0), |(n, d), p| {
                (n + i64::from(p.numerators[name]), d + 1)
            });
            (name.clone(), crate::reports::rate(n, d))
        })
        .collect()
}

/// The facts of one discharge or ED visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpFacts {
    /// The patient.
    pub patient_id: Uuid,
    /// The encounter.
    pub encounter_id: Uuid,
    /// The local day of discharge.
    pub discharged_on: NaiveDate,
    /// Local days of attended therapy or psychiatry appointments on or after that day.
    pub visits_on: Vec<NaiveDate>,
    /// Whether an inpatient stay began within 30 days after discharge.
    pub readmitted_within_30_days: bool,
    /// Whether the discharge disposition says the patient died.
    pub died: bool,
}

/// FUH (`same_day_counts = false`) or FUM (`true`) for one event, as of `today`.
pub fn follow_up(facts: &FollowUpFacts, same_day_counts: bool, today: NaiveDate) -> MeasurePatient {
    // FUH does not count the day of discharge; FUM counts the day of the visit.
    let first_day = i64::from(!same_day_counts);
    let days: Vec<i64> = facts
        .visits_on
        .iter()
        .map(|v| (*v - facts.discharged_on).num_days())
        .filter(|d| *d >= first_day)
        .collect();
    let within = |n: i64| days.iter().any(|d| *d <= n);
    let closes_on = facts.discharged_on + Duration::days(30);
    let (excluded, reason) = if facts.died {
        (true, "Excluded: died at discharge".to_owned())
    } else if facts.readmitted_within_30_days {
        (
            true,
            "Excluded: admitted to an inpatient stay within 30 days".to_owned(),
        )
    } else if !within(30) && today <= closes_on {
        (
            true,
            format!("Pending: no follow-up yet; the 30-day window closes {closes_on}"),
        )
    } else {
        let reason = match days.iter().min() {
            Some(d) if *d <= 30 => format!("Followed up {d} day(s) after"),
            _ => "No follow-up within 30 days".to_owned(),
        };
        (false, reason)
    };
    let numerators = BTreeMap::from([
        ("within_7_days".to_owned(), !excluded && within(7)),
        ("within_30_days".to_owned(), !excluded && within(30)),
    ]);
    let open_windows = if today <= closes_on {
        vec![window("30_days", facts.discharged_on, closes_on, today)]
    } else {
        Vec::new()
    };
    MeasurePatient {
        patient_id: facts.patient_id,
        event_id: Some(facts.encounter_id),
        event_on: facts.discharged_on,
        denominator: !excluded,
        numerators,
        excluded,
        reason,
        open_windows,
    }
}

fn window(name: &str, opens_on: NaiveDate, closes_on: NaiveDate, today: NaiveDate) -> OpenWindow {
    OpenWindow {
        name: name.to_owned(),
        opens_on,
        closes_on,
        open_now: opens_on <= today && today <= closes_on,
        closes_within_30_days: today <= closes_on && closes_on <= today + Duration::days(30),
    }
}

/// A PHQ-9 score on a local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The day.
    pub on: NaiveDate,
    /// The total (0–27).
    pub total: i32,
}

/// Days either side of the 6- and 12-month points that count.
pub const REMISSION_WINDOW_DAYS: i64 = 60;

/// Depression response and remission for one patient: `index` is the
/// first PHQ-9 above 9 in the period, `later` the PHQ-9s after it.
pub fn response_remission(
    patient_id: Uuid,
    index: Score,
    later: &[Score],
    today: NaiveDate,
) -> MeasurePatient {
    let mut numerators = BTreeMap::new();
    let mut reasons = vec![format!("Index PHQ-9 of {} on {}", index.total, index.on)];
    let mut open_windows = Vec::new();
    for (label, months) in [("6m", 6), ("12m", 12)] {
        let point = add_months(index.on, months);
        let opens = point - Duration::days(REMISSION_WINDOW_DAYS);
        let closes = point + Duration::days(REMISSION_WINDOW_DAYS);
        let last = later
            .iter()
            .filter(|s| s.on > index.on && opens <= s.on && s.on <= closes)
            .max_by_key(|s| s.on);
        if today <= closes {
            open_windows.push(window(label, opens, closes, today));
        }
        match last {
            Some(s) => {
                numerators.insert(format!("response_{label}"), s.total * 2 <= index.total);
                numerators.insert(format!("remission_{label}"), s.total < 5);
                reasons.push(format!("{label}: PHQ-9 of {} on {}", s.total, s.on));
            }
            None if today <= closes => {
                reasons.push(format!("{label}: pending, window {opens} to {closes}"));
            }
            None => {
                numerators.insert(format!("response_{label}"), false);
                numerators.insert(format!("remission_{label}"), false);
                reasons.push(format!(
                    "{label}: no PHQ-9 in the window {opens} to {closes}"
                ));
            }
        }
    }
    MeasurePatient {
        patient_id,
        event_id: None,
        event_on: index.on,
        denominator: true,
        numerators,
        excluded: false,
        reason: reasons.join("; "),
        open_windows,
    }
}

/// `day` plus `months` calendar months (the last day of a shorter month).
fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months))
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(day.year() + 1, 12, 31).unwrap_or(day))
}

/// The facts of one patient for depression screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningFacts {
    /// The patient.
    pub patient_id: Uuid,
    /// Age in whole years on the first day of the period.
    pub age: i32,
    /// The first day the patient attended an appointment in the period.
    pub visit_on: NaiveDate,
    /// The last PHQ-9 or PHQ-2 in the period: its day and whether it was positive.
    pub last_screen: Option<(NaiveDate, bool)>,
    /// Days of care-plan changes and referrals made on or after that screen.
    pub plans_on: Vec<NaiveDate>,
}

/// Depression screening with a follow-up plan, for one patient.
pub fn screening_with_plan(f: &ScreeningFacts) -> MeasurePatient {
    let (excluded, met, reason) = if f.age < 12 {
        (true, false, format!("Excluded: aged {} (under 12)", f.age))
    } else {
        match f.last_screen {
            None => (false, false, "Not screened in the period".to_owned()),
            Some((on, false)) => (false, true, format!("Screened negative on {on}")),
            Some((on, true)) => {
                let plan = f
                    .plans_on
                    .iter()
                    .find(|d| **d >= on && (**d - on).num_days() <= 2);
                match plan {
                    Some(d) => (
                        false,
                        true,
                        format!("Screened positive on {on}; plan on {d}"),
                    ),
                    None => (
                        false,
                        false,
                        format!("Screened positive on {on}; no follow-up plan within 2 days"),
                    ),
                }
            }
        }
    };
    MeasurePatient {
        patient_id: f.patient_id,
        event_id: None,
        event_on: f.visit_on,
        denominator: !excluded,
        numerators: BTreeMap::from([("screened_with_plan".to_owned(), !excluded && met)]),
        excluded,
        reason,
        open_windows: Vec::new(),
    }
}

/// A positive PHQ-9 item 9 and the C-SSRS days after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuicideRiskFacts {
    /// The patient.
    pub patient_id: Uuid,
    /// The PHQ-9.
    pub screening_id: Uuid,
    /// Its local day.
    pub screened_on: NaiveDate,
    /// Local days of C-SSRS screenings on or after it.
    pub assessed_on: Vec<NaiveDate>,
}

/// Suicide risk assessment for one positive item 9.
pub fn suicide_risk(f: &SuicideRiskFacts) -> MeasurePatient {
    let assessed = f
        .assessed_on
        .iter()
        .find(|d| **d >= f.screened_on && (**d - f.screened_on).num_days() <= 1);
    let reason = match assessed {
        Some(d) => format!("C-SSRS on {d}"),
        None => "No C-SSRS on the day or the next".to_owned(),
    };
    MeasurePatient {
        patient_id: f.patient_id,
        event_id: Some(f.screening_id),
        event_on: f.screened_on,
        denominator: true,
        numerators: BTreeMap::from([("assessed".to_owned(), assessed.is_some())]),
        excluded: false,
        reason,
        open_windows: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(visits: &[&str]) -> FollowUpFacts {
        FollowUpFacts {
            patient_id: Uuid::nil(),
            encounter_id: Uuid::nil(),
            discharged_on: d("2026-03-01"),
            visits_on: visits.iter().map(|v| d(v)).collect(),
            readmitted_within_30_days: false,
            died: false,
        }
    }

    const LATER: &str = "2026-12-01";

    #[test]
    fn fuh_counts_day_7_but_not_day_8_and_never_the_discharge_day() {
        let day7 = follow_up(&facts(&["2026-03-08"]), false, d(LATER));
        assert!(day7.numerators["within_7_days"] && day7.numerators["within_30_days"]);
        let day8 = follow_up(&facts(&["2026-03-09"]), false, d(LATER));
        assert!(!day8.numerators["within_7_days"] && day8.numerators["within_30_days"]);
        let same_day = follow_up(&facts(&["2026-03-01"]), false, d(LATER));
        assert!(!same_day.numerators["within_30_days"]);
        let day31 = follow_up(&facts(&["2026-04-01"]), false, d(LATER));
        assert!(!day31.numerators["within_30_days"]);
        assert!(day31.denominator);
    }

    #[test]
    fn fum_counts_a_visit_on_the_day_of_the_ed_visit() {
        let same_day = follow_up(&facts(&["2026-03-01"]), true, d(LATER));
        assert!(same_day.numerators["within_7_days"]);
    }

    #[test]
    fn readmission_and_death_exclude_and_an_open_window_is_pending() {
        let mut f = facts(&[]);
        f.readmitted_within_30_days = true;
        assert!(follow_up(&f, false, d(LATER)).excluded);
        let mut f = facts(&[]);
        f.died = true;
        assert!(follow_up(&f, false, d(LATER)).excluded);
        let pending = follow_up(&facts(&[]), false, d("2026-03-20"));
        assert!(pending.excluded && pending.reason.starts_with("Pending"));
        assert_eq!(pending.open_windows[0].closes_on, d("2026-03-31"));
        // Followed up already: counted while the window is still open.
        let early = follow_up(&facts(&["2026-03-03"]), false, d("2026-03-05"));
        assert!(early.denominator && early.numerators["within_7_days"]);
    }

    fn score(on: &str, total: i32) -> Score {
        Score { on: d(on), total }
    }

    #[test]
    fn response_is_a_halving_and_remission_below_5_within_60_days_of_each_point() {
        let index = score("2026-01-15", 16);
        let p = response_remission(
            Uuid::nil(),
            index,
            &[
                score("2026-05-17", 12),
                score("2026-07-10", 8),
                score("2027-03-17", 4),
            ],
            d(LATER),
        );
        // 6 months is 2026-07-15: the window is 2026-05-16 ..= 2026-09-13; the last score is 8.
        assert!(p.numerators["response_6m"] && !p.numerators["remission_6m"]);
        // 12 months is 2027-01-15; 2027-03-17 is day 61 after it: outside.
        assert!(!p.open_windows.is_empty());
        assert!(
            !p.numerators.contains_key("response_12m"),
            "still pending in Dec 2026"
        );
        let closed = response_remission(
            Uuid::nil(),
            index,
            &[score("2027-03-16", 4)],
            d("2027-06-01"),
        );
        assert!(closed.numerators["response_12m"] && closed.numerators["remission_12m"]);
        assert!(
            !closed.numerators["response_6m"],
            "no score in the 6-month window"
        );
    }

    #[test]
    fn a_drop_of_just_under_half_is_no_response() {
        let p = response_remission(
            Uuid::nil(),
            score("2026-01-15", 15),
            &[score("2026-07-15", 8)],
            d(LATER),
        );
        assert!(!p.numerators["response_6m"]);
        let p = response_remission(
            Uuid::nil(),
            score("2026-01-15", 16),
            &[score("2026-07-15", 8)],
            d(LATER),
        );
        assert!(p.numerators["response_6m"]);
    }

    #[test]
    fn a_positive_screen_needs_a_plan_within_two_days_and_under_12s_are_excluded() {
        let f = |screen: Option<(&str, bool)>, plans: &[&str], age| ScreeningFacts {
            patient_id: Uuid::nil(),
            age,
            visit_on: d("2026-03-01"),
            last_screen: screen.map(|(s, p)| (d(s), p)),
            plans_on: plans.iter().map(|p| d(p)).collect(),
        };
        let met = |x: &MeasurePatient| x.numerators["screened_with_plan"];
        assert!(met(&screening_with_plan(&f(
            Some(("2026-03-01", false)),
            &[],
            30
        ))));
        assert!(met(&screening_with_plan(&f(
            Some(("2026-03-01", true)),
            &["2026-03-03"],
            30
        ))));
        assert!(!met(&screening_with_plan(&f(
            Some(("2026-03-01", true)),
            &["2026-03-04"],
            30
        ))));
        assert!(!met(&screening_with_plan(&f(None, &[], 30))));
        assert!(screening_with_plan(&f(None, &[], 11)).excluded);
    }

    #[test]
    fn a_c_ssrs_the_same_or_next_day_is_an_assessment() {
        let f = |days: &[&str]| SuicideRiskFacts {
            patient_id: Uuid::nil(),
            screening_id: Uuid::nil(),
            screened_on: d("2026-03-01"),
            assessed_on: days.iter().map(|x| d(x)).collect(),
        };
        assert!(suicide_risk(&f(&["2026-03-02"])).numerators["assessed"]);
        assert!(!suicide_risk(&f(&["2026-03-03"])).numerators["assessed"]);
    }

    #[test]
    fn rates_leave_out_excluded_and_pending_patients() {
        let spec = MeasureId::Fuh.spec();
        let today = d(LATER);
        let patients = vec![
            follow_up(&facts(&["2026-03-05"]), false, today),
            follow_up(&facts(&["2026-03-20"]), false, today),
            follow_up(&facts(&[]), false, today),
            {
                let mut f = facts(&[]);
                f.died = true;
                follow_up(&f, false, today)
            },
        ];
        let r = rates(&spec, &patients);
        assert_eq!(r["within_7_days"], Some(0.3333));
        assert_eq!(r["within_30_days"], Some(0.6667));
    }
}
