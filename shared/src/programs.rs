//! Community programs and entitlements (housing, transportation,
//! interpretation, benefits, self-management, peer support) and a
//! patient's enrollment in one: `referred → applied → enrolled | denied →
//! exited`, each step dated. A recertification or renewal due date opens a
//! task ahead of time ([`renewal_task_due`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::ids::PatientId;
use crate::patch::Patch;
use crate::validation::{Context, Normalize, trimmed};

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

impl std::fmt::Display for EnrollmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnrollmentError::Unchanged => write!(f, "the enrollment already has that status"),
            EnrollmentError::NotAllowed { from, to } => write!(
                f,
                "an enrollment cannot go from {} to {}",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
        }
    }
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

impl ProgramKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ProgramKind::Housing => "Housing",
            ProgramKind::Transportation => "Transportation",
            ProgramKind::Interpretation => "Translation and interpretation",
            ProgramKind::Benefits => "Benefits",
            ProgramKind::SelfManagement => "Self-management",
            ProgramKind::PeerSupport => "Peer support",
            ProgramKind::Other => "Other",
        }
    }
}

/// A community program or entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Program {
    /// Program id.
    pub id: Uuid,
    /// Name ("SNAP", "Ride to Care").
    pub name: String,
    /// What it offers.
    pub kind: ProgramKind,
    /// What it is.
    pub description: Option<String>,
    /// Who qualifies, in words.
    pub eligibility_notes: Option<String>,
    /// How to reach it.
    pub contact: Option<String>,
    /// When enrollments need recertifying, in months (none: never).
    pub renewal_months: Option<i32>,
    /// Version.
    pub version: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/programs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "SNAP", "kind": "benefits",
    "eligibility_notes": "Household income at or below 185% of the federal poverty level",
    "contact": "Oregon ODHS, 1-800-699-9075", "renewal_months": 12
})))]
pub struct NewProgram {
    /// Name.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// What it offers.
    pub kind: ProgramKind,
    /// What it is.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: Option<String>,
    /// Who qualifies.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub eligibility_notes: Option<String>,
    /// How to reach it.
    #[serde(default)]
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub contact: Option<String>,
    /// Recertification interval in months, 1–60.
    #[serde(default)]
    #[validate(range(min = 1, max = 60, message = "must be between 1 and 60"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub renewal_months: Option<i32>,
}

impl Normalize for NewProgram {
    fn normalized(self) -> NewProgram {
        NewProgram {
            name: self.name.trim().to_owned(),
            description: trimmed(self.description),
            eligibility_notes: trimmed(self.eligibility_notes),
            contact: trimmed(self.contact),
            ..self
        }
    }
}

/// A patient's enrollment in a program, each step dated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrollment {
    /// Enrollment id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// The program.
    pub program_id: Uuid,
    /// Its name.
    pub program_name: String,
    /// Its kind.
    pub program_kind: ProgramKind,
    /// Where it stands.
    pub status: EnrollmentStatus,
    /// When the patient was referred.
    pub referred_on: NaiveDate,
    /// When they applied.
    pub applied_on: Option<NaiveDate>,
    /// When they were enrolled.
    pub enrolled_on: Option<NaiveDate>,
    /// When the application was denied.
    pub denied_on: Option<NaiveDate>,
    /// When they left.
    pub exited_on: Option<NaiveDate>,
    /// When it must be recertified or renewed (a task opens 30 days ahead).
    pub renewal_due_on: Option<NaiveDate>,
    /// Notes.
    pub notes: Option<String>,
    /// Version for `If-Match`.
    pub version: i32,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/patients/{id}/enrollments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"program_id": "0190a1b2-0000-7000-8000-000000000003", "notes": "Needs help with the online form"})))]
pub struct NewEnrollment {
    /// The program.
    pub program_id: Uuid,
    /// When the patient was referred (today when left out; not in the future).
    #[serde(default)]
    #[validate(custom(function = "crate::validation::not_after_today", use_context))]
    pub referred_on: Option<NaiveDate>,
    /// Notes.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
}

impl Normalize for NewEnrollment {
    fn normalized(self) -> NewEnrollment {
        NewEnrollment {
            notes: trimmed(self.notes),
            ..self
        }
    }
}

/// `PATCH /api/v1/enrollments/{id}`: a step of the lifecycle (dated `on`,
/// today when left out), the renewal date (set from the program's
/// interval on enrolling when not given), or the notes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "enrolled", "on": "2026-11-30", "version": 2})))]
pub struct EnrollmentPatch {
    /// The next status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EnrollmentStatus>,
    /// The date of the step; not in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "crate::validation::not_after_today", use_context))]
    pub on: Option<NaiveDate>,
    /// Recertify or renew by; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub renewal_due_on: Patch<NaiveDate>,
    /// Notes; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    pub notes: Patch<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for EnrollmentPatch {
    fn normalized(self) -> EnrollmentPatch {
        EnrollmentPatch {
            notes: crate::validation::trimmed_patch(self.notes),
            ..self
        }
    }
}

impl Enrollment {
    /// Takes the step to `to` on `on`: the status and its date. Enrolling
    /// sets the renewal date `renewal_months` ahead when there is none.
    pub fn step(
        &mut self,
        to: EnrollmentStatus,
        on: NaiveDate,
        renewal_months: Option<i32>,
    ) -> Result<(), EnrollmentError> {
        self.status = self.status.step(to)?;
        match to {
            EnrollmentStatus::Referred => self.referred_on = on,
            EnrollmentStatus::Applied => self.applied_on = Some(on),
            EnrollmentStatus::Enrolled => {
                self.enrolled_on = Some(on);
                if self.renewal_due_on.is_none()
                    && let Some(m) = renewal_months.and_then(|m| u32::try_from(m).ok())
                {
                    self.renewal_due_on = on.checked_add_months(chrono::Months::new(m));
                }
            }
            EnrollmentStatus::Denied => self.denied_on = Some(on),
            EnrollmentStatus::Exited => self.exited_on = Some(on),
        }
        Ok(())
    }
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
    fn enrolling_dates_the_step_and_sets_the_renewal_from_the_program_interval() {
        let mut e = Enrollment {
            id: Uuid::nil(),
            patient_id: PatientId::from(Uuid::nil()),
            program_id: Uuid::nil(),
            program_name: "SNAP".into(),
            program_kind: ProgramKind::Benefits,
            status: Applied,
            referred_on: d(10, 1),
            applied_on: Some(d(10, 5)),
            enrolled_on: None,
            denied_on: None,
            exited_on: None,
            renewal_due_on: None,
            notes: None,
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        e.step(Enrolled, d(11, 30), Some(12)).unwrap();
        assert_eq!(e.enrolled_on, Some(d(11, 30)));
        assert_eq!(e.renewal_due_on, NaiveDate::from_ymd_opt(2027, 11, 30));
        assert_eq!(
            e.step(Applied, d(11, 30), None),
            Err(EnrollmentError::NotAllowed {
                from: Enrolled,
                to: Applied
            })
        );
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
