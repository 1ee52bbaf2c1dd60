//! Gaps in care: what a chart review looks for, found from the record.
//! Each gap has a sentence for people and the task that would close it;
//! [`find`] is the whole rule, and the server gathers [`GapInputs`].

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::screening::PHQ9_ROUTINE_DAYS;
use crate::tasks::TaskKind;

/// How many days after a discharge a follow-up appointment should be.
pub const DISCHARGE_FOLLOWUP_DAYS: i64 = 7;
/// How far back discharges and missed appointments are looked at.
pub const LOOKBACK_DAYS: i64 = 30;

code_enum! {
    /// What kind of gap.
    pub enum GapCode {
        /// An active behavioral-health client with no PHQ-9 in 90 days.
        Phq9Overdue,
        /// No care plan.
        NoCarePlan,
        /// The care plan's review is past due.
        CarePlanReviewOverdue,
        /// A discharge with no follow-up appointment within 7 days.
        DischargeWithoutFollowup,
        /// No primary care provider on the care team.
        NoPrimaryCare,
        /// A positive social-needs domain not resolved.
        UnresolvedSocialNeed,
        /// A missed appointment with no outreach since.
        MissedAppointmentWithoutOutreach,
    }
}

/// The task that would close a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestedTask {
    /// Its kind.
    pub kind: TaskKind,
    /// Its title.
    pub title: String,
}

/// A gap in care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    /// Names this gap among the patient's current ones (send it back in a
    /// chart review's `gaps` to turn it into a task).
    pub key: String,
    /// What kind.
    pub code: GapCode,
    /// In words, quoting the record.
    pub description: String,
    /// The task that would close it.
    pub suggested_task: SuggestedTask,
}

/// A discharge in the look-back period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discharge {
    /// The encounter.
    pub encounter_id: Uuid,
    /// Where from.
    pub facility: String,
    /// When (organization's calendar).
    pub on: NaiveDate,
    /// Whether an appointment is scheduled or attended within 7 days after it.
    pub has_followup_appointment: bool,
}

/// A missed appointment in the look-back period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missed {
    /// The appointment.
    pub appointment_id: Uuid,
    /// With whom.
    pub provider_name: String,
    /// When (organization's calendar).
    pub on: NaiveDate,
    /// Whether any outreach attempt was made since.
    pub outreach_since: bool,
}

/// What gap detection reads about a patient.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GapInputs {
    /// Whether the patient is an active behavioral-health client.
    pub behavioral_health_active: bool,
    /// The day of the latest PHQ-9 (not entered in error).
    pub last_phq9: Option<NaiveDate>,
    /// Whether the patient has a care plan, and its review due date.
    pub care_plan_review_due: Option<NaiveDate>,
    /// Whether a care plan exists.
    pub has_care_plan: bool,
    /// Discharges in the last 30 days.
    pub discharges: Vec<Discharge>,
    /// Whether a primary care provider is on the care team.
    pub has_primary_care: bool,
    /// Positive social-needs domains not resolved, in words (from the
    /// latest AHC HRSN and the care plan's active social needs).
    pub unresolved_social_needs: Vec<String>,
    /// Missed appointments in the last 30 days.
    pub missed: Vec<Missed>,
}

fn gap(key: String, code: GapCode, description: String, kind: TaskKind, title: &str) -> Gap {
    Gap {
        key,
        code,
        description,
        suggested_task: SuggestedTask {
            kind,
            title: title.to_owned(),
        },
    }
}

/// The gaps in a record on `today`, in a fixed order: screening, plan,
/// transitions, care team, social needs, engagement.
pub fn find(i: &GapInputs, today: NaiveDate) -> Vec<Gap> {
    let mut out = Vec::new();
    if i.behavioral_health_active {
        let overdue = match i.last_phq9 {
            None => Some("No PHQ-9 on record for an active behavioral-health client".to_owned()),
            Some(last) if (today - last).num_days() >= PHQ9_ROUTINE_DAYS.cast_signed() => {
                Some(format!(
                    "No PHQ-9 in {} days (last on {last}) for an active behavioral-health client",
                    (today - last).num_days()
                ))
            }
            Some(_) => None,
        };
        if let Some(description) = overdue {
            out.push(gap(
                "phq9_overdue".into(),
                GapCode::Phq9Overdue,
                description,
                TaskKind::ScreeningDue,
                "Give a PHQ-9 (none in 90 days)",
            ));
        }
    }
    match (i.has_care_plan, i.care_plan_review_due) {
        (false, _) => out.push(gap(
            "no_care_plan".into(),
            GapCode::NoCarePlan,
            "No care plan on record".into(),
            TaskKind::CarePlanReview,
            "Write a care plan with the patient",
        )),
        (true, Some(due)) if due < today => out.push(gap(
            "care_plan_review_overdue".into(),
            GapCode::CarePlanReviewOverdue,
            format!(
                "Care-plan review overdue since {due} ({} days)",
                (today - due).num_days()
            ),
            TaskKind::CarePlanReview,
            "Review the care plan with the patient",
        )),
        _ => {}
    }
    for d in &i.discharges {
        let window_end = d.on + Duration::days(DISCHARGE_FOLLOWUP_DAYS);
        if !d.has_followup_appointment {
            out.push(gap(
                format!("discharge_without_followup:{}", d.encounter_id),
                GapCode::DischargeWithoutFollowup,
                format!(
                    "Discharged from {} on {}; no follow-up appointment by {window_end}",
                    d.facility, d.on
                ),
                TaskKind::Custom,
                "Schedule a follow-up appointment after discharge",
            ));
        }
    }
    if !i.has_primary_care {
        out.push(gap(
            "no_primary_care".into(),
            GapCode::NoPrimaryCare,
            "No primary care provider on the care team".into(),
            TaskKind::Custom,
            "Connect the patient with a primary care provider",
        ));
    }
    for need in &i.unresolved_social_needs {
        out.push(gap(
            format!(
                "unresolved_social_need:{}",
                need.to_lowercase().replace(' ', "_")
            ),
            GapCode::UnresolvedSocialNeed,
            format!("Unresolved social need: {need}"),
            TaskKind::Custom,
            &format!("Connect the patient with help for {}", need.to_lowercase()),
        ));
    }
    for m in &i.missed {
        if !m.outreach_since {
            out.push(gap(
                format!("missed_without_outreach:{}", m.appointment_id),
                GapCode::MissedAppointmentWithoutOutreach,
                format!(
                    "Missed the appointment with {} on {}; no outreach since",
                    m.provider_name, m.on
                ),
                TaskKind::Outreach,
                "Reach out after the missed appointment",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn complete() -> GapInputs {
        GapInputs {
            behavioral_health_active: true,
            last_phq9: Some(d(11, 1)),
            care_plan_review_due: Some(d(12, 15)),
            has_care_plan: true,
            discharges: vec![],
            has_primary_care: true,
            unresolved_social_needs: vec![],
            missed: vec![],
        }
    }

    fn codes(gaps: &[Gap]) -> Vec<GapCode> {
        gaps.iter().map(|g| g.code).collect()
    }

    #[test]
    fn a_complete_record_has_no_gaps() {
        assert!(find(&complete(), d(11, 30)).is_empty());
    }

    #[test]
    fn no_phq9_in_ninety_days_is_a_gap_only_for_an_active_behavioral_health_client() {
        let mut i = complete();
        i.last_phq9 = Some(d(9, 1));
        let gaps = find(&i, d(11, 30));
        assert_eq!(codes(&gaps), vec![GapCode::Phq9Overdue]);
        assert_eq!(
            gaps[0].description,
            "No PHQ-9 in 90 days (last on 2026-09-01) for an active behavioral-health client"
        );
        assert_eq!(gaps[0].suggested_task.kind, TaskKind::ScreeningDue);
        i.behavioral_health_active = false;
        assert!(find(&i, d(11, 30)).is_empty());
    }

    #[test]
    fn no_care_plan_and_an_overdue_review_are_gaps() {
        let mut i = complete();
        i.care_plan_review_due = Some(d(11, 20));
        assert_eq!(
            codes(&find(&i, d(11, 30))),
            vec![GapCode::CarePlanReviewOverdue]
        );
        i.has_care_plan = false;
        i.care_plan_review_due = None;
        assert_eq!(codes(&find(&i, d(11, 30))), vec![GapCode::NoCarePlan]);
    }

    #[test]
    fn a_discharge_without_a_follow_up_appointment_is_a_gap_keyed_by_the_encounter() {
        let mut i = complete();
        let id = Uuid::from_u128(7);
        i.discharges = vec![
            Discharge {
                encounter_id: id,
                facility: "Mercy".into(),
                on: d(11, 20),
                has_followup_appointment: false,
            },
            Discharge {
                encounter_id: Uuid::from_u128(8),
                facility: "St. Luke".into(),
                on: d(11, 10),
                has_followup_appointment: true,
            },
        ];
        let gaps = find(&i, d(11, 30));
        assert_eq!(codes(&gaps), vec![GapCode::DischargeWithoutFollowup]);
        assert_eq!(gaps[0].key, format!("discharge_without_followup:{id}"));
        assert_eq!(
            gaps[0].description,
            "Discharged from Mercy on 2026-11-20; no follow-up appointment by 2026-11-27"
        );
    }

    #[test]
    fn missing_primary_care_social_needs_and_unanswered_misses_are_gaps_in_order() {
        let mut i = complete();
        i.has_primary_care = false;
        i.unresolved_social_needs = vec!["Housing".into()];
        i.missed = vec![
            Missed {
                appointment_id: Uuid::from_u128(1),
                provider_name: "Dr. Chen".into(),
                on: d(11, 25),
                outreach_since: false,
            },
            Missed {
                appointment_id: Uuid::from_u128(2),
                provider_name: "Dr. Chen".into(),
                on: d(11, 5),
                outreach_since: true,
            },
        ];
        let gaps = find(&i, d(11, 30));
        assert_eq!(
            codes(&gaps),
            vec![
                GapCode::NoPrimaryCare,
                GapCode::UnresolvedSocialNeed,
                GapCode::MissedAppointmentWithoutOutreach
            ]
        );
        assert_eq!(gaps[1].key, "unresolved_social_need:housing");
        assert_eq!(gaps[2].suggested_task.kind, TaskKind::Outreach);
    }
}
