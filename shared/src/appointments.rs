//! Appointments [FHIR Appointment] and the engagement rule built on them:
//! two or more missed appointments within 30 days is disengagement.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::encounters::Source;
use crate::ids::{PatientId, TaskId};
use crate::patch::Patch;
use crate::validation::{Context, Normalize, trimmed, trimmed_patch};

/// Missed appointments in [`DISENGAGEMENT_WINDOW_DAYS`] that make a pattern.
pub const DISENGAGEMENT_MISSES: usize = 2;
/// The window the disengagement rule looks at.
pub const DISENGAGEMENT_WINDOW_DAYS: i64 = 30;

code_enum! {
    /// Kind of appointment.
    pub enum AppointmentKind {
        /// Psychotherapy / counseling.
        Therapy,
        /// Psychiatric prescriber visit.
        Psychiatry,
        /// Primary or specialty medical care.
        Medical,
        /// Anything else.
        Other,
    }
}

impl AppointmentKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            AppointmentKind::Therapy => "therapy",
            AppointmentKind::Psychiatry => "psychiatry",
            AppointmentKind::Medical => "medical",
            AppointmentKind::Other => "other",
        }
    }
}

code_enum! {
    /// Where an appointment stands.
    #[derive(Default)]
    pub enum AppointmentStatus {
        /// Booked.
        #[default]
        Scheduled,
        /// The patient came.
        Attended,
        /// The patient did not come (no-show).
        Missed,
        /// Called off.
        Cancelled,
        /// Moved to another time (a new appointment carries the new time).
        Rescheduled,
    }
}

impl AppointmentStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "Scheduled",
            AppointmentStatus::Attended => "Attended",
            AppointmentStatus::Missed => "Missed",
            AppointmentStatus::Cancelled => "Cancelled",
            AppointmentStatus::Rescheduled => "Rescheduled",
        }
    }

    /// The statuses an appointment can move to. Attended and missed can be
    /// swapped to correct a mistake; cancelled and rescheduled are final.
    pub fn next_statuses(self) -> &'static [AppointmentStatus] {
        use AppointmentStatus::{Attended, Cancelled, Missed, Rescheduled, Scheduled};
        match self {
            Scheduled => &[Attended, Missed, Cancelled, Rescheduled],
            Attended => &[Missed],
            Missed => &[Attended],
            Cancelled | Rescheduled => &[],
        }
    }

    /// Whether `self → to` is allowed.
    pub fn can_become(self, to: AppointmentStatus) -> bool {
        self.next_statuses().contains(&to)
    }
}

/// An appointment as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appointment {
    /// Appointment id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// Who the patient sees (clinician or clinic).
    pub provider_name: String,
    /// Kind of appointment.
    pub kind: AppointmentKind,
    /// When.
    pub scheduled_at: DateTime<Utc>,
    /// Where.
    pub location: Option<String>,
    /// Status.
    pub status: AppointmentStatus,
    /// When the status last changed.
    pub status_changed_at: Option<DateTime<Utc>>,
    /// Free-text notes.
    pub notes: Option<String>,
    /// Manual or integration.
    pub source: Source,
    /// The sending system's id; a resend with the same id updates this appointment.
    pub external_id: Option<String>,
    /// The follow-up task a miss created.
    pub followup_task_id: Option<TaskId>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/appointments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f", "provider_name": "Dr. Alvarez",
    "kind": "psychiatry", "scheduled_at": "2026-03-09T17:30:00Z", "location": "Riverside Clinic, Suite 200"
})))]
pub struct NewAppointment {
    /// The patient.
    pub patient_id: PatientId,
    /// Who the patient sees.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub provider_name: String,
    /// Kind of appointment.
    pub kind: AppointmentKind,
    /// When.
    pub scheduled_at: DateTime<Utc>,
    /// Where.
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub location: Option<String>,
    /// Initial status (integrations may report a past appointment as attended or missed).
    #[serde(default)]
    pub status: Option<AppointmentStatus>,
    /// Free-text notes.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
    /// The sending system's id (integrations).
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub external_id: Option<String>,
    /// On a resend (a known `external_id`): the version you last read.
    /// Needed only when someone edited the appointment since your last
    /// send — without it that edit would be silently undone (428); a stale
    /// one is a 412. `If-Match` works too.
    #[serde(default)]
    pub version: Option<i32>,
}

/// `PATCH /api/v1/appointments/{id}`: reschedule details or record what happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "missed", "version": 1})))]
pub struct AppointmentPatch {
    /// Who the patient sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub provider_name: Option<String>,
    /// Kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppointmentKind>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Where; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    pub location: Patch<String>,
    /// New status (see the allowed steps in `AppointmentStatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AppointmentStatus>,
    /// Notes; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub notes: Patch<String>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// Filters for `GET /api/v1/appointments`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AppointmentListQuery {
    /// Only this patient's appointments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<PatientId>,
    /// Only this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AppointmentStatus>,
}

impl Normalize for NewAppointment {
    fn normalized(self) -> NewAppointment {
        NewAppointment {
            provider_name: self.provider_name.trim().to_string(),
            location: trimmed(self.location),
            notes: trimmed(self.notes),
            external_id: trimmed(self.external_id),
            ..self
        }
    }
}

impl Normalize for AppointmentPatch {
    fn normalized(self) -> AppointmentPatch {
        AppointmentPatch {
            provider_name: self.provider_name.map(|p| p.trim().to_string()),
            location: trimmed_patch(self.location),
            notes: trimmed_patch(self.notes),
            ..self
        }
    }
}

/// A status change the appointment lifecycle does not have (a 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRefused {
    /// The status now.
    pub from: AppointmentStatus,
    /// The status asked for.
    pub to: AppointmentStatus,
}

impl std::fmt::Display for StepRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "An appointment that is {} cannot become {}.",
            self.from.label().to_lowercase(),
            self.to.label().to_lowercase()
        )
    }
}

/// What of an appointment a change or a resend can set.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentValues {
    /// Who the patient sees.
    pub provider_name: String,
    /// Kind.
    pub kind: AppointmentKind,
    /// When.
    pub scheduled_at: DateTime<Utc>,
    /// Where.
    pub location: Option<String>,
    /// Status.
    pub status: AppointmentStatus,
    /// Notes.
    pub notes: Option<String>,
}

impl AppointmentValues {
    /// The values `a` has now.
    pub fn of(a: &Appointment) -> AppointmentValues {
        AppointmentValues {
            provider_name: a.provider_name.clone(),
            kind: a.kind,
            scheduled_at: a.scheduled_at,
            location: a.location.clone(),
            status: a.status,
            notes: a.notes.clone(),
        }
    }

    /// An integration resent `new` for the appointment that is `current`:
    /// its values win; a status it leaves out stays as it is.
    pub fn resent(
        current: &Appointment,
        new: &NewAppointment,
    ) -> Result<AppointmentValues, StepRefused> {
        let status = new.status.unwrap_or(current.status);
        check_step(current.status, status)?;
        Ok(AppointmentValues {
            provider_name: new.provider_name.clone(),
            kind: new.kind,
            scheduled_at: new.scheduled_at,
            location: new.location.clone(),
            status,
            notes: new.notes.clone(),
        })
    }

    /// `current` changed by `patch`.
    pub fn changed(
        current: &Appointment,
        patch: &AppointmentPatch,
    ) -> Result<AppointmentValues, StepRefused> {
        let mut v = AppointmentValues::of(current);
        if let Some(p) = &patch.provider_name {
            v.provider_name.clone_from(p);
        }
        if let Some(k) = patch.kind {
            v.kind = k;
        }
        if let Some(t) = patch.scheduled_at {
            v.scheduled_at = t;
        }
        patch.location.clone().apply_to(&mut v.location);
        patch.notes.clone().apply_to(&mut v.notes);
        if let Some(s) = patch.status {
            check_step(current.status, s)?;
            v.status = s;
        }
        Ok(v)
    }

    /// Whether these are exactly the values `a` has.
    pub fn same_as(&self, a: &Appointment) -> bool {
        *self == AppointmentValues::of(a)
    }
}

/// Keeping a status is always allowed; changing it must be a lifecycle step.
fn check_step(from: AppointmentStatus, to: AppointmentStatus) -> Result<(), StepRefused> {
    if from == to || from.can_become(to) {
        Ok(())
    } else {
        Err(StepRefused { from, to })
    }
}

/// Whether missed appointments at `missed` (scheduled times) show a
/// disengagement pattern as of `now`: two or more in the last 30 days.
pub fn is_disengaged(missed: &[DateTime<Utc>], now: DateTime<Utc>) -> bool {
    let since = now - Duration::days(DISENGAGEMENT_WINDOW_DAYS);
    missed.iter().filter(|t| **t >= since && **t <= now).count() >= DISENGAGEMENT_MISSES
}

#[cfg(test)]
mod tests {
    use super::AppointmentStatus::*;
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_scheduled_appointment_can_be_attended_missed_cancelled_or_rescheduled() {
        for to in [Attended, Missed, Cancelled, Rescheduled] {
            assert!(Scheduled.can_become(to));
        }
    }

    #[test]
    fn attended_and_missed_can_be_swapped_to_fix_a_mistake_but_cancelled_is_final() {
        assert!(Missed.can_become(Attended));
        assert!(Attended.can_become(Missed));
        assert!(!Cancelled.can_become(Scheduled));
        assert!(!Missed.can_become(Scheduled));
        assert!(!Scheduled.can_become(Scheduled));
    }

    fn appointment(status: AppointmentStatus) -> Appointment {
        Appointment {
            id: Uuid::nil(),
            patient_id: PatientId::default(),
            provider_name: "Dr. Alvarez".into(),
            kind: AppointmentKind::Psychiatry,
            scheduled_at: at("2026-03-09T17:30:00Z"),
            location: Some("Suite 200".into()),
            status,
            status_changed_at: None,
            notes: None,
            source: Source::Manual,
            external_id: None,
            followup_task_id: None,
            version: 1,
            created_at: at("2026-03-01T00:00:00Z"),
            updated_at: at("2026-03-01T00:00:00Z"),
        }
    }

    #[test]
    fn a_change_marks_a_miss_clears_the_location_and_refuses_a_missing_step() {
        let patch = AppointmentPatch {
            status: Some(Missed),
            location: Patch::Null,
            ..Default::default()
        };
        let v = AppointmentValues::changed(&appointment(Scheduled), &patch).unwrap();
        assert_eq!((v.status, v.location), (Missed, None));
        assert_eq!(
            AppointmentValues::changed(&appointment(Cancelled), &patch),
            Err(StepRefused {
                from: Cancelled,
                to: Missed
            })
        );
        let unchanged =
            AppointmentValues::changed(&appointment(Scheduled), &AppointmentPatch::default())
                .unwrap();
        assert!(unchanged.same_as(&appointment(Scheduled)));
    }

    #[test]
    fn two_misses_within_thirty_days_is_disengagement() {
        let now = at("2026-03-31T12:00:00Z");
        assert!(is_disengaged(
            &[at("2026-03-02T12:00:00Z"), at("2026-03-30T09:00:00Z")],
            now
        ));
    }

    #[test]
    fn one_miss_or_misses_further_apart_are_not() {
        let now = at("2026-03-31T12:00:00Z");
        assert!(!is_disengaged(&[at("2026-03-30T09:00:00Z")], now));
        assert!(!is_disengaged(
            &[at("2026-02-01T12:00:00Z"), at("2026-03-30T09:00:00Z")],
            now
        ));
        assert!(!is_disengaged(&[], now));
    }

    #[test]
    fn future_misses_do_not_count() {
        let now = at("2026-03-31T12:00:00Z");
        assert!(!is_disengaged(
            &[at("2026-03-30T09:00:00Z"), at("2026-04-02T09:00:00Z")],
            now
        ));
    }
}
