//! The case lifecycle: `referred → intake → active ⇄ on_hold → closed`, with
//! reopening allowed. Closing and reopening need a reason a person wrote.

use serde::{Deserialize, Serialize};
use validator::Validate;

code_enum! {
    /// Where a patient's case stands.
    #[derive(Default)]
    pub enum CaseStatus {
        /// Referred to care management; not yet contacted.
        #[default]
        Referred,
        /// Being assessed and enrolled.
        Intake,
        /// Enrolled and being served.
        Active,
        /// Temporarily not being served (hospitalized, incarcerated, unreachable …).
        OnHold,
        /// Case closed; can be reopened.
        Closed,
    }
}

/// Why a status change is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The case is already in that status.
    Unchanged,
    /// The lifecycle has no such step.
    NotAllowed {
        /// Current status.
        from: CaseStatus,
        /// Requested status.
        to: CaseStatus,
    },
    /// Closing or reopening needs a reason.
    ReasonRequired,
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::Unchanged => write!(f, "the case already has that status"),
            TransitionError::NotAllowed { from, to } => {
                write!(
                    f,
                    "a case cannot go from {} to {}",
                    from.label(),
                    to.label()
                )
            }
            TransitionError::ReasonRequired => write!(f, "a reason is required"),
        }
    }
}

impl CaseStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Referred => "Referred",
            CaseStatus::Intake => "Intake",
            CaseStatus::Active => "Active",
            CaseStatus::OnHold => "On hold",
            CaseStatus::Closed => "Closed",
        }
    }

    /// The statuses a case can move to from here.
    pub fn next_statuses(self) -> &'static [CaseStatus] {
        use CaseStatus::{Active, Closed, Intake, OnHold, Referred};
        match self {
            Referred => &[Intake, Active, Closed],
            Intake | OnHold => &[Active, Closed],
            Active => &[OnHold, Closed],
            Closed => &[Intake, Active],
        }
    }

    /// Whether moving here needs a reason (closing, and reopening a closed case).
    pub fn needs_reason(from: CaseStatus, to: CaseStatus) -> bool {
        to == CaseStatus::Closed || from == CaseStatus::Closed
    }

    /// Checks a requested change; `reason` is the text the person gave, if any.
    pub fn transition(
        self,
        to: CaseStatus,
        reason: Option<&str>,
    ) -> Result<CaseStatus, TransitionError> {
        if self == to {
            return Err(TransitionError::Unchanged);
        }
        if !self.next_statuses().contains(&to) {
            return Err(TransitionError::NotAllowed { from: self, to });
        }
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        if Self::needs_reason(self, to) && !has_reason {
            return Err(TransitionError::ReasonRequired);
        }
        Ok(to)
    }

    /// Whether a case may start in this status (created as closed makes no sense).
    pub fn valid_initial(self) -> bool {
        self != CaseStatus::Closed
    }
}

/// `POST /api/v1/patients/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = crate::validation::Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "closed", "reason": "Moved out of the service area"})))]
pub struct StatusChangeRequest {
    /// The new status.
    pub status: CaseStatus,
    /// Why; required when closing or reopening.
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub reason: Option<String>,
    /// The patient version the change is based on (or send `If-Match`).
    pub version: Option<i32>,
}

impl crate::validation::Normalize for StatusChangeRequest {
    fn normalized(self) -> StatusChangeRequest {
        StatusChangeRequest {
            reason: crate::validation::trimmed(self.reason),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;
    use strum::VariantArray;

    #[test]
    fn the_happy_path_runs_from_referral_to_closure() {
        assert_eq!(Referred.transition(Intake, None), Ok(Intake));
        assert_eq!(Intake.transition(Active, None), Ok(Active));
        assert_eq!(Active.transition(OnHold, None), Ok(OnHold));
        assert_eq!(OnHold.transition(Active, None), Ok(Active));
        assert_eq!(Active.transition(Closed, Some("Goals met")), Ok(Closed));
    }

    #[test]
    fn closing_needs_a_reason_that_is_not_blank() {
        assert_eq!(
            Active.transition(Closed, None),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            Active.transition(Closed, Some("  ")),
            Err(TransitionError::ReasonRequired)
        );
    }

    #[test]
    fn a_closed_case_can_be_reopened_with_a_reason() {
        assert_eq!(
            Closed.transition(Active, None),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            Closed.transition(Intake, Some("Re-referred by PCP")),
            Ok(Intake)
        );
        assert_eq!(Closed.transition(Active, Some("Back in area")), Ok(Active));
    }

    #[test]
    fn steps_the_lifecycle_lacks_are_refused() {
        assert_eq!(
            Intake.transition(OnHold, None),
            Err(TransitionError::NotAllowed {
                from: Intake,
                to: OnHold
            })
        );
        assert!(matches!(
            Closed.transition(OnHold, Some("x")),
            Err(TransitionError::NotAllowed { .. })
        ));
        assert!(matches!(
            Active.transition(Referred, None),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn moving_to_the_same_status_is_not_a_change() {
        assert_eq!(
            Active.transition(Active, None),
            Err(TransitionError::Unchanged)
        );
    }

    #[test]
    fn every_status_but_closed_may_start_a_case() {
        for s in CaseStatus::VARIANTS {
            assert_eq!(s.valid_initial(), *s != Closed);
        }
    }

    #[test]
    fn every_status_can_eventually_reach_closed_and_back() {
        for s in CaseStatus::VARIANTS {
            if *s != Closed {
                assert!(s.next_statuses().contains(&Closed), "{s}");
            }
        }
        assert!(!Closed.next_statuses().is_empty());
    }
}
