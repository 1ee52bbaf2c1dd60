//! Time-based screening duties (DESIGN §3): a PHQ-9 every 90 days for
//! active behavioral-health clients, and in the 6- and 12-month windows
//! (± 60 days) after an index PHQ-9 above 9. The scheduler asks
//! [`phq9_duties`] which are due today; each becomes a `screening_due` task
//! once per cycle.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use crate::screening::{PHQ9_ROUTINE_DAYS, phq9_routine_due, phq9_windows_after_index};

code_enum! {
    /// A kind of time-based duty.
    pub enum DutyKind {
        /// The 90-day routine PHQ-9.
        Phq9Routine,
        /// The PHQ-9 in the 6-month window after an index PHQ-9 above 9.
        Phq9SixMonth,
        /// The PHQ-9 in the 12-month window after an index PHQ-9 above 9.
        Phq9TwelveMonth,
        /// A care-plan review coming due.
        CarePlanReview,
        /// A program enrollment's recertification or renewal coming due.
        EnrollmentRenewal,
    }
}

/// A PHQ-9 in a patient's history (not entered in error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phq9 {
    /// The screening.
    pub id: Uuid,
    /// The day it was given (organization's calendar).
    pub on: NaiveDate,
    /// Its total.
    pub total: i32,
}

/// A duty that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    /// What.
    pub kind: DutyKind,
    /// Which cycle: a duty is opened once per kind and cycle.
    pub cycle: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Why, for the task.
    pub reason: String,
}

/// The index PHQ-9s: a PHQ-9 above 9 with no earlier index in the 14
/// months before it (the 12-month window's end), oldest first.
pub fn index_phq9s(history: &[Phq9]) -> Vec<Phq9> {
    let mut sorted = history.to_vec();
    sorted.sort_by_key(|p| (p.on, p.id));
    let mut out: Vec<Phq9> = Vec::new();
    for p in sorted.into_iter().filter(|p| p.total > 9) {
        let covered = out
            .last()
            .is_some_and(|i| p.on <= phq9_windows_after_index(i.on)[1].1);
        if !covered {
            out.push(p);
        }
    }
    out
}

/// The PHQ-9 duties due on `today` for a patient with this PHQ-9 history;
/// the routine one only for an active behavioral-health client.
pub fn phq9_duties(
    history: &[Phq9],
    behavioral_health_active: bool,
    today: NaiveDate,
) -> Vec<Duty> {
    let mut duties = Vec::new();
    let last = history.iter().max_by_key(|p| (p.on, p.id));
    if behavioral_health_active && phq9_routine_due(last.map(|l| l.on), today) {
        duties.push(match last {
            Some(l) => Duty {
                kind: DutyKind::Phq9Routine,
                cycle: l.id.to_string(),
                due_on: (l.on + Duration::days(PHQ9_ROUTINE_DAYS.cast_signed())).max(today),
                reason: format!(
                    "Last PHQ-9 on {} ({} days ago, total {}); one is due every {PHQ9_ROUTINE_DAYS} days",
                    l.on,
                    (today - l.on).num_days(),
                    l.total
                ),
            },
            None => Duty {
                kind: DutyKind::Phq9Routine,
                cycle: "first".into(),
                due_on: today,
                reason: "No PHQ-9 on record for an active behavioral-health client".into(),
            },
        });
    }
    if let Some(index) = index_phq9s(history).last() {
        let windows = phq9_windows_after_index(index.on);
        for ((start, end), (kind, months)) in windows
            .into_iter()
            .zip([(DutyKind::Phq9SixMonth, 6), (DutyKind::Phq9TwelveMonth, 12)])
        {
            let open = start <= today && today <= end;
            let done = history.iter().any(|p| p.on >= start && p.on <= end);
            if open && !done {
                duties.push(Duty {
                    kind,
                    cycle: index.id.to_string(),
                    due_on: end.min(today.max(start + Duration::days(60))),
                    reason: format!(
                        "{months}-month follow-up PHQ-9 after an index PHQ-9 of {} on {}: window {start} to {end}",
                        index.total, index.on
                    ),
                });
            }
        }
    }
    duties
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn phq9(n: u128, on: NaiveDate, total: i32) -> Phq9 {
        Phq9 {
            id: Uuid::from_u128(n),
            on,
            total,
        }
    }

    fn kinds(duties: &[Duty]) -> Vec<DutyKind> {
        duties.iter().map(|d| d.kind).collect()
    }

    #[test]
    fn an_active_client_with_no_phq9_is_due_one_today() {
        let duties = phq9_duties(&[], true, d(2026, 11, 30));
        assert_eq!(kinds(&duties), vec![DutyKind::Phq9Routine]);
        assert_eq!(duties[0].cycle, "first");
        assert!(phq9_duties(&[], false, d(2026, 11, 30)).is_empty());
    }

    #[test]
    fn the_routine_phq9_comes_due_ninety_days_after_the_last_one() {
        let h = [phq9(1, d(2026, 9, 1), 3)];
        assert!(phq9_duties(&h, true, d(2026, 11, 29)).is_empty());
        let due = phq9_duties(&h, true, d(2026, 11, 30));
        assert_eq!(kinds(&due), vec![DutyKind::Phq9Routine]);
        assert_eq!(due[0].due_on, d(2026, 11, 30));
        assert_eq!(due[0].cycle, Uuid::from_u128(1).to_string());
    }

    #[test]
    fn the_six_month_window_opens_sixty_days_before_the_mark_and_closes_sixty_after() {
        // Index 2026-03-15 (PHQ-9 of 14): the 6-month mark is 2026-09-15.
        let h = [phq9(1, d(2026, 3, 15), 14), phq9(2, d(2026, 6, 1), 8)];
        assert!(phq9_duties(&h, false, d(2026, 7, 16)).is_empty());
        let open = phq9_duties(&h, false, d(2026, 7, 17));
        assert_eq!(kinds(&open), vec![DutyKind::Phq9SixMonth]);
        assert_eq!(open[0].due_on, d(2026, 9, 15));
        assert!(phq9_duties(&h, false, d(2026, 11, 15)).is_empty(), "closed");
    }

    #[test]
    fn a_phq9_inside_the_window_fulfils_it() {
        let h = [phq9(1, d(2026, 3, 15), 14), phq9(2, d(2026, 8, 1), 6)];
        assert!(phq9_duties(&h, false, d(2026, 9, 1)).is_empty());
    }

    #[test]
    fn the_twelve_month_window_follows_the_same_index() {
        let h = [phq9(1, d(2025, 12, 1), 12), phq9(2, d(2026, 6, 1), 9)];
        let due = phq9_duties(&h, false, d(2026, 11, 30));
        assert_eq!(kinds(&due), vec![DutyKind::Phq9TwelveMonth]);
        assert_eq!(due[0].cycle, Uuid::from_u128(1).to_string());
    }

    #[test]
    fn a_high_phq9_inside_an_episode_is_not_a_new_index() {
        let h = [
            phq9(1, d(2025, 1, 10), 15),
            phq9(2, d(2025, 4, 1), 18),
            phq9(3, d(2026, 6, 1), 12),
        ];
        let idx: Vec<u128> = index_phq9s(&h).iter().map(|p| p.id.as_u128()).collect();
        assert_eq!(idx, vec![1, 3]);
    }
}
