//! A care manager's day, in order: (1) safety follow-ups, (2) every
//! hospital/ED/crisis-center follow-up, (3) every missed-appointment
//! follow-up, (4) everything else by patient risk, very high first. Inside a
//! band (and a risk level), overdue work comes first, then by due time.
//! Every item says, in a sentence, why it is where it is.

use crate::calendar::humanize;
use crate::ids::{PatientId, TaskId};
use crate::referral::BarrierKind;
use crate::risk::{RiskFactorCode, RiskLevel, top_factor_labels};
use crate::tasks::{Task, TaskContext, TaskKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The patient a worklist item is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientSummary {
    /// Patient id.
    pub id: PatientId,
    /// "Family, Given".
    pub name: String,
    /// Risk level.
    pub risk_level: RiskLevel,
    /// The heaviest factors behind the computed level, heaviest first (at
    /// most three).
    #[serde(default)]
    pub risk_factors: Vec<RiskFactorCode>,
}

/// What ranking needs to know about one open task.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The task.
    pub task: Task,
    /// Its patient.
    pub patient: PatientSummary,
    /// Whether the patient shows the disengagement pattern (2+ misses in 30 days).
    pub disengaged: bool,
    /// The open barriers of the referral a referral follow-up is about.
    pub open_barriers: Vec<BarrierKind>,
}

/// A ranked worklist item: the task, its patient, and why it is here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklistItem {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// The patient.
    pub patient: PatientSummary,
    /// 1 safety, 2 transitions, 3 missed appointments, 4 everything else (by patient risk).
    pub band: u8,
    /// Whether it is past due.
    pub overdue: bool,
    /// Why it is here, for a person to read.
    pub reason: String,
    /// What to consider doing, when the record suggests something.
    pub suggestion: Option<String>,
    /// The open barriers of the referral a referral follow-up is about.
    #[serde(default)]
    pub open_barriers: Vec<BarrierKind>,
}

/// The band a kind of task belongs to.
pub fn band_of(kind: TaskKind) -> u8 {
    match kind {
        TaskKind::SafetyFollowup => 1,
        TaskKind::TransitionFollowup => 2,
        TaskKind::MissedAppointmentFollowup => 3,
        _ => 4,
    }
}

/// Sort key: smaller comes first. `(band, risk rank, overdue first, due, id)`;
/// the risk rank only orders band 4.
///
/// The order never depends on the time it is ranked at: inside one band and
/// risk rank, the overdue tasks are exactly those due before now, so
/// "overdue first, then by due time" is "by due time". A database can
/// therefore keep the order as `(band, risk rank, due, id)` and page through
/// it with keysets (the API does; a property test holds it to [`rank`]).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize
)]
pub struct RankKey(pub u8, pub u8, pub u8, pub DateTime<Utc>, pub TaskId);

/// The risk part of a band-4 rank: highest risk first.
pub fn risk_rank(risk: RiskLevel) -> u8 {
    match risk {
        RiskLevel::VeryHigh => 0,
        RiskLevel::High => 1,
        RiskLevel::Moderate => 2,
        RiskLevel::Low => 3,
    }
}

/// The rank of `entry` at `now`.
pub fn rank_key(entry: &Entry, now: DateTime<Utc>) -> RankKey {
    let band = band_of(entry.task.kind);
    let risk = if band == 4 {
        risk_rank(entry.patient.risk_level)
    } else {
        0
    };
    let overdue_first = u8::from(!entry.task.is_overdue(now));
    RankKey(band, risk, overdue_first, entry.task.due_at, entry.task.id)
}

/// The rank key of an already ranked item (the same as [`rank_key`] of its
/// entry at the time it was ranked); pages of a worklist continue after it.
pub fn item_key(item: &WorklistItem) -> RankKey {
    let risk = if item.band == 4 {
        risk_rank(item.patient.risk_level)
    } else {
        0
    };
    RankKey(
        item.band,
        risk,
        u8::from(!item.overdue),
        item.task.due_at,
        item.task.id,
    )
}

fn due_phrase(task: &Task, now: DateTime<Utc>, what: &str) -> String {
    let span = task.due_at - now;
    if task.is_overdue(now) {
        format!("{what} overdue by {}", humanize(span))
    } else {
        format!("{what} due in {}", humanize(span))
    }
}

/// Why `entry` is on the worklist. `local` renders an instant on the
/// organization's wall clock ("Mon 3/2 14:10").
pub fn reason(
    entry: &Entry,
    now: DateTime<Utc>,
    local: &dyn Fn(DateTime<Utc>) -> String,
) -> String {
    let task = &entry.task;
    let mut text = match (task.kind, &task.context) {
        (TaskKind::SafetyFollowup, Some(TaskContext::Screening { reason, .. })) => {
            format!(
                "Positive suicide-risk screen — {reason}; {}",
                due_phrase(task, now, "same-day follow-up")
            )
        }
        (TaskKind::SafetyFollowup, _) => {
            format!(
                "Positive suicide-risk screen; {}",
                due_phrase(task, now, "same-day follow-up")
            )
        }
        (
            TaskKind::TransitionFollowup,
            Some(TaskContext::Discharge {
                facility,
                encounter_kind,
                discharged_at,
            }),
        ) => {
            format!(
                "Discharged from {facility} ({}) {}; {}",
                encounter_kind.label(),
                local(*discharged_at),
                due_phrase(task, now, "follow-up")
            )
        }
        (
            TaskKind::MissedAppointmentFollowup,
            Some(TaskContext::MissedAppointment {
                provider_name,
                appointment_kind,
                scheduled_at,
            }),
        ) => format!(
            "Missed {} appointment with {provider_name} {}; {}",
            appointment_kind.label(),
            local(*scheduled_at),
            due_phrase(task, now, "follow-up")
        ),
        (kind, _) if band_of(kind) < 4 => due_phrase(task, now, kind.label()),
        (
            TaskKind::ReferralFollowup,
            Some(TaskContext::Referral {
                provider_name,
                service,
                status,
                ..
            }),
        ) => format!(
            "{} referral to {provider_name} ({}) for a {} risk patient; {}",
            service.label(),
            status.label().to_lowercase(),
            entry.patient.risk_level.label().to_lowercase(),
            due_phrase(task, now, "follow-up")
        ),
        (kind, Some(TaskContext::Huddle { held_on, .. })) => format!(
            "{} from the huddle of {held_on} for a {} risk patient; {}",
            kind.label(),
            entry.patient.risk_level.label().to_lowercase(),
            due_phrase(task, now, "").trim_start()
        ),
        (kind, _) if entry.patient.risk_factors.is_empty() => format!(
            "{} for a {} risk patient; {}",
            kind.label(),
            entry.patient.risk_level.label().to_lowercase(),
            due_phrase(task, now, "").trim_start()
        ),
        (kind, _) => format!(
            "{} for a {} risk patient ({}); {}",
            kind.label(),
            entry.patient.risk_level.label().to_lowercase(),
            top_factor_labels(&entry.patient.risk_factors, 2),
            due_phrase(task, now, "").trim_start()
        ),
    };
    if !entry.open_barriers.is_empty() {
        let kinds: Vec<&str> = entry.open_barriers.iter().map(|b| b.label()).collect();
        text.push_str("; open barriers: ");
        text.push_str(&kinds.join(", "));
    }
    if task.outreach_struggling() {
        text.push_str("; ");
        text.push_str(&task.failed_outreach_attempts.to_string());
        text.push_str(" outreach attempts reached no one");
    }
    text
}

/// What the record suggests doing, if anything.
pub fn suggestion(entry: &Entry) -> Option<String> {
    if entry.disengaged
        && matches!(
            entry.task.kind,
            TaskKind::MissedAppointmentFollowup | TaskKind::Outreach
        )
    {
        Some("Two or more missed appointments in 30 days: consider outreach in person or a peer-support referral.".into())
    } else if entry.task.outreach_struggling() {
        Some("Several attempts reached no one: try another method, time of day, or a contact the patient consented to.".into())
    } else {
        None
    }
}

/// Ranks the open tasks of a worklist at `now`.
pub fn rank(
    mut entries: Vec<Entry>,
    now: DateTime<Utc>,
    local: &dyn Fn(DateTime<Utc>) -> String,
) -> Vec<WorklistItem> {
    entries.sort_by_key(|e| rank_key(e, now));
    entries
        .into_iter()
        .map(|e| WorklistItem {
            band: band_of(e.task.kind),
            overdue: e.task.is_overdue(now),
            reason: reason(&e, now, local),
            suggestion: suggestion(&e),
            open_barriers: e.open_barriers,
            patient: e.patient,
            task: e.task,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointments::AppointmentKind;
    use crate::encounters::EncounterKind;
    use crate::tasks::{TaskStatus, fixtures};
    use chrono::Duration;
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        "2026-03-02T18:00:00Z".parse().unwrap()
    }

    fn local(t: DateTime<Utc>) -> String {
        t.format("%a %-m/%-d %H:%M").to_string()
    }

    fn entry(kind: TaskKind, due_in_hours: i64, risk: RiskLevel) -> Entry {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = TaskId::from(Uuid::from_u128(u128::from(
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        )));
        Entry {
            task: Task {
                id,
                title: format!("{kind} {due_in_hours}"),
                created_at: now(),
                updated_at: now(),
                ..fixtures::task(
                    kind,
                    TaskStatus::Open,
                    now() + Duration::hours(due_in_hours),
                )
            },
            patient: PatientSummary {
                id: PatientId::default(),
                name: "Lopez, Maria".into(),
                risk_level: risk,
                risk_factors: vec![],
            },
            disengaged: false,
            open_barriers: vec![],
        }
    }

    #[test]
    fn an_action_item_from_a_huddle_says_which_huddle_gave_it() {
        let mut e = entry(TaskKind::Custom, 5, RiskLevel::High);
        e.task.context = Some(TaskContext::Huddle {
            huddle_id: uuid::Uuid::nil(),
            held_on: "2026-03-02".parse().unwrap(),
        });
        let item = rank(vec![e], now(), &|t| t.to_rfc3339()).remove(0);
        assert_eq!(item.band, 4);
        assert_eq!(
            item.reason,
            "Task from the huddle of 2026-03-02 for a high risk patient; due in 5 h"
        );
    }

    #[test]
    fn a_referral_follow_up_names_the_provider_the_service_and_the_open_barriers() {
        let mut e = entry(TaskKind::ReferralFollowup, 5, RiskLevel::High);
        e.task.context = Some(TaskContext::Referral {
            referral_id: uuid::Uuid::nil(),
            provider_name: "Clínica Esperanza".into(),
            service: crate::providers::ServiceType::OutpatientTherapy,
            status: crate::referral::ReferralStatus::Sent,
        });
        e.open_barriers = vec![BarrierKind::Transportation, BarrierKind::Cost];
        let item = rank(vec![e], now(), &|t| t.to_rfc3339()).remove(0);
        assert_eq!(item.band, 4);
        assert_eq!(
            item.reason,
            "Outpatient therapy referral to Clínica Esperanza (sent) for a high risk patient; \
             follow-up due in 5 h; open barriers: Transportation, Cost"
        );
        assert_eq!(item.open_barriers.len(), 2);
    }

    fn titles(items: &[WorklistItem]) -> Vec<String> {
        items.iter().map(|i| i.task.title.clone()).collect()
    }

    #[test]
    fn the_order_does_not_change_as_time_passes_so_a_page_cursor_never_skips_work() {
        let kinds = [
            TaskKind::TransitionFollowup,
            TaskKind::MissedAppointmentFollowup,
            TaskKind::Outreach,
            TaskKind::ReferralFollowup,
        ];
        let risks = [RiskLevel::Low, RiskLevel::VeryHigh, RiskLevel::Moderate];
        let entries: Vec<Entry> = (0..36_i64)
            .zip(kinds.iter().cycle().zip(risks.iter().cycle()))
            .map(|(i, (kind, risk))| entry(*kind, (i * 7) % 50 - 20, *risk))
            .collect();
        let order_at = |hours: i64| -> Vec<TaskId> {
            rank(entries.clone(), now() + Duration::hours(hours), &local)
                .iter()
                .map(|i| i.task.id)
                .collect()
        };
        let first = order_at(0);
        for later in [1, 5, 13, 29, 60] {
            assert_eq!(order_at(later), first, "{later} h later");
        }
    }

    #[test]
    fn bands_come_in_order_whatever_the_due_times_and_risks() {
        let items = rank(
            vec![
                entry(TaskKind::Outreach, -100, RiskLevel::VeryHigh),
                entry(TaskKind::MissedAppointmentFollowup, 5, RiskLevel::Low),
                entry(TaskKind::TransitionFollowup, 20, RiskLevel::Low),
                entry(TaskKind::SafetyFollowup, 6, RiskLevel::Low),
            ],
            now(),
            &local,
        );
        assert_eq!(
            items.iter().map(|i| i.band).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
    }

    #[test]
    fn inside_a_band_overdue_work_comes_first_then_the_earliest_due() {
        let items = rank(
            vec![
                entry(TaskKind::TransitionFollowup, 10, RiskLevel::Low),
                entry(TaskKind::TransitionFollowup, -1, RiskLevel::Low),
                entry(TaskKind::TransitionFollowup, 2, RiskLevel::Low),
                entry(TaskKind::TransitionFollowup, -30, RiskLevel::Low),
            ],
            now(),
            &local,
        );
        assert_eq!(
            titles(&items),
            vec![
                "transition_followup -30",
                "transition_followup -1",
                "transition_followup 2",
                "transition_followup 10"
            ]
        );
        assert_eq!(
            items.iter().map(|i| i.overdue).collect::<Vec<_>>(),
            vec![true, true, false, false]
        );
    }

    #[test]
    fn the_fourth_band_goes_by_patient_risk_before_due_time() {
        let items = rank(
            vec![
                entry(TaskKind::Outreach, 1, RiskLevel::Low),
                entry(TaskKind::ChartReview, 48, RiskLevel::VeryHigh),
                entry(TaskKind::Custom, 5, RiskLevel::High),
                entry(TaskKind::ReferralFollowup, -5, RiskLevel::Moderate),
                entry(TaskKind::CarePlanReview, 2, RiskLevel::VeryHigh),
            ],
            now(),
            &local,
        );
        assert_eq!(
            titles(&items),
            vec![
                "care_plan_review 2",
                "chart_review 48",
                "custom 5",
                "referral_followup -5",
                "outreach 1"
            ]
        );
    }

    #[test]
    fn risk_does_not_reorder_the_urgent_bands() {
        let items = rank(
            vec![
                entry(TaskKind::TransitionFollowup, 3, RiskLevel::VeryHigh),
                entry(TaskKind::TransitionFollowup, 2, RiskLevel::Low),
            ],
            now(),
            &local,
        );
        assert_eq!(
            titles(&items),
            vec!["transition_followup 2", "transition_followup 3"]
        );
    }

    #[test]
    fn ties_break_by_id_so_the_order_is_stable() {
        let a = entry(TaskKind::Outreach, 4, RiskLevel::Low);
        let mut b = entry(TaskKind::Outreach, 4, RiskLevel::Low);
        b.task.due_at = a.task.due_at;
        let first = rank(vec![a.clone(), b.clone()], now(), &local);
        let second = rank(vec![b, a], now(), &local);
        assert_eq!(titles(&first), titles(&second));
    }

    #[test]
    fn a_transition_reason_names_the_facility_the_discharge_and_the_time_left() {
        let mut e = entry(TaskKind::TransitionFollowup, 5, RiskLevel::High);
        e.task.context = Some(TaskContext::Discharge {
            facility: "Mercy ED".into(),
            encounter_kind: EncounterKind::Ed,
            discharged_at: "2026-03-02T14:10:00Z".parse().unwrap(),
        });
        assert_eq!(
            reason(&e, now(), &local),
            "Discharged from Mercy ED (ED) Mon 3/2 14:10; follow-up due in 5 h"
        );
        e.task.due_at = now() - Duration::hours(3);
        assert_eq!(
            reason(&e, now(), &local),
            "Discharged from Mercy ED (ED) Mon 3/2 14:10; follow-up overdue by 3 h"
        );
    }

    #[test]
    fn a_missed_appointment_reason_names_the_appointment_and_disengagement_suggests_outreach() {
        let mut e = entry(TaskKind::MissedAppointmentFollowup, 26, RiskLevel::Moderate);
        e.task.context = Some(TaskContext::MissedAppointment {
            provider_name: "Dr. Alvarez".into(),
            appointment_kind: AppointmentKind::Psychiatry,
            scheduled_at: "2026-03-02T16:00:00Z".parse().unwrap(),
        });
        assert_eq!(
            reason(&e, now(), &local),
            "Missed psychiatry appointment with Dr. Alvarez Mon 3/2 16:00; follow-up due in 1 d 2 h"
        );
        assert_eq!(suggestion(&e), None);
        e.disengaged = true;
        assert!(suggestion(&e).unwrap().contains("peer-support referral"));
    }

    #[test]
    fn other_work_says_the_patients_risk_and_when_it_is_due() {
        let e = entry(TaskKind::ChartReview, 48, RiskLevel::VeryHigh);
        assert_eq!(
            reason(&e, now(), &local),
            "Chart review for a very high risk patient; due in 2 d"
        );
    }

    #[test]
    fn other_work_names_the_top_two_risk_factors_when_the_risk_was_computed() {
        let mut e = entry(TaskKind::ScreeningDue, 48, RiskLevel::VeryHigh);
        e.patient.risk_factors = vec![
            RiskFactorCode::AcuteCare,
            RiskFactorCode::Depression,
            RiskFactorCode::MissedAppointments,
        ];
        assert_eq!(
            reason(&e, now(), &local),
            "Screening due for a very high risk patient (hospital/ED/crisis use, depression); due in 2 d"
        );
    }

    #[test]
    fn three_failed_outreach_attempts_show_in_the_reason_and_suggest_another_way() {
        let mut e = entry(TaskKind::Outreach, 4, RiskLevel::Low);
        e.task.outreach_attempts = 3;
        e.task.failed_outreach_attempts = 3;
        assert!(reason(&e, now(), &local).ends_with("; 3 outreach attempts reached no one"));
        assert!(suggestion(&e).unwrap().contains("another method"));
    }

    #[test]
    fn an_items_key_is_the_key_it_was_ranked_by() {
        let entries = vec![
            entry(TaskKind::Outreach, -1, RiskLevel::High),
            entry(TaskKind::TransitionFollowup, 3, RiskLevel::Low),
            entry(TaskKind::ChartReview, 9, RiskLevel::Moderate),
        ];
        let mut keys: Vec<RankKey> = entries.iter().map(|e| rank_key(e, now())).collect();
        keys.sort();
        let items = rank(entries, now(), &local);
        assert_eq!(items.iter().map(item_key).collect::<Vec<_>>(), keys);
    }

    #[test]
    fn rank_keys_compare_like_the_ranking() {
        let overdue = entry(TaskKind::Outreach, -1, RiskLevel::High);
        let later = entry(TaskKind::Outreach, 1, RiskLevel::High);
        assert!(rank_key(&overdue, now()) < rank_key(&later, now()));
        let key = rank_key(&overdue, now());
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<RankKey>(&json).unwrap(), key);
    }
}
