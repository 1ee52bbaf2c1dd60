//! Community programs and entitlements (housing, transportation,
//! interpretation, benefits, self-management, peer support) and a
//! patient's enrollment in one: `referred → applied → enrolled | denied →
//! exited`, each step dated. A recertification or renewal due date opens a
//! task ahead of time ([`renewal_task_due`]).

use chrono::{Duration, NaiveDate};

/// Days before a recertification or renewal date its task is opened.
pub const RENEWAL_LEAD_DAYS: i64 = 30;

code_enum! {
    /// What a program offers.
    pub enum ProgramKind {
        /// Housing.
        Housing,
        /// Transportation assistance.
        Transportation,
        /// Translation and interpretation.
        Interpretation,
        /// Benefits (SNAP, Medicaid, SSI …).
        Benefits,
        /// Self-management education.
        SelfManagement,
        /// Peer support.
        PeerSupport,
        /// Anything else.
        Other,
    }
}

code_enum! {
    /// Where a patient's enrollment stands.
    #[derive(Default)]
    pub enum EnrollmentStatus {
        /// Referred to the program.
        #[default]
        Referred,
        /// An application is in.
        Applied,
        /// Enrolled and receiving it.
        Enrolled,
        /// The application was denied.
        Denied,
        /// Left the program.
        Exited,
    }
}

/// Why an enrollment step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentError {
    /// Already there.
    Unchanged,
    /// The lifecycle has no such step.
    NotAllowed {
        /// Where it stands.
        from: EnrollmentStatus,
        /// Where it was asked to go.
        to: EnrollmentStatus,
    },
}

impl EnrollmentStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EnrollmentStatus::Referred => "Referred",
            EnrollmentStatus::Applied => "Applied",
            EnrollmentStatus::Enrolled => "Enrolled",
            EnrollmentStatus::Denied => "Denied",
            EnrollmentStatus::Exited => "Exited",
        }
    }

    /// The steps from here. A denial can be appealed by applying again; an
    /// enrollment ends by exiting; one can leave before enrolling.
    pub fn next_statuses(self) -> &'static [EnrollmentStatus] {
        use EnrollmentStatus::{Applied, Denied, Enrolled, Exited, Referred};
        match self {
            Referred | Denied => &[Applied, Exited],
            Applied => &[Enrolled, Denied, Exited],
            Enrolled => &[Exited],
            Exited => &[],
        }
    }

    /// Checks a step.
    pub fn step(self, to: EnrollmentStatus) -> Result<EnrollmentStatus, EnrollmentError> {
        if self == to {
            Err(EnrollmentError::Unchanged)
        } else if self.next_statuses().contains(&to) {
            Ok(to)
        } else {
            Err(EnrollmentError::NotAllowed { from: self, to })
        }
    }
}

/// When the task for a renewal due on `renew_by` should open: 30 days
/// ahead, or today when that is already past. `None` once the date has
/// passed or for an enrollment that is not active.
pub fn renewal_task_due(
    status: EnrollmentStatus,
    renew_by: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if status != EnrollmentStatus::Enrolled || renew_by < today {
        return None;
    }
    Some((renew_by - Duration::days(RENEWAL_LEAD_DAYS)).max(today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    use EnrollmentStatus::*;

    const ALLOWED: &[(EnrollmentStatus, EnrollmentStatus)] = &[
        (Referred, Applied),
        (Referred, Exited),
        (Applied, Enrolled),
        (Applied, Denied),
        (Applied, Exited),
        (Denied, Applied),
        (Denied, Exited),
        (Enrolled, Exited),
    ];

    #[test]
    fn every_enrollment_step_is_allowed_or_refused_exactly_as_the_table_says() {
        for &from in EnrollmentStatus::VARIANTS {
            for &to in EnrollmentStatus::VARIANTS {
                let got = from.step(to);
                if from == to {
                    assert_eq!(got, Err(EnrollmentError::Unchanged));
                } else if ALLOWED.contains(&(from, to)) {
                    assert_eq!(got, Ok(to), "{from} → {to}");
                } else {
                    assert_eq!(got, Err(EnrollmentError::NotAllowed { from, to }));
                }
            }
        }
    }

    #[test]
    fn the_happy_path_runs_from_referral_to_exit() {
        let end = [Applied, Enrolled, Exited]
            .into_iter()
            .try_fold(Referred, EnrollmentStatus::step);
        assert_eq!(end, Ok(Exited));
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn a_renewal_opens_its_task_thirty_days_ahead_or_at_once_when_closer() {
        assert_eq!(
            renewal_task_due(Enrolled, d(12, 31), d(11, 1)),
            Some(d(12, 1))
        );
        assert_eq!(
            renewal_task_due(Enrolled, d(12, 10), d(11, 30)),
            Some(d(11, 30))
        );
        assert_eq!(renewal_task_due(Enrolled, d(11, 29), d(11, 30)), None);
        assert_eq!(renewal_task_due(Applied, d(12, 31), d(11, 30)), None);
    }
}
