//! Tasks [FHIR Task]: the unit of the worklist. Rules create most of them
//! (a discharge, a missed appointment); people create the rest.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::appointments::AppointmentKind;
use crate::encounters::EncounterKind;
use crate::ids::{PatientId, TaskId, UserId};
use crate::patch::Patch;
use crate::validation::{Normalize, blank_to_none, invalid, trimmed, trimmed_patch};

code_enum! {
    /// What kind of work a task is.
    pub enum TaskKind {
        /// Same-day contact after a positive suicide-risk screen.
        SafetyFollowup,
        /// Reach the patient within 24 hours of a hospital/ED/crisis discharge.
        TransitionFollowup,
        /// Reach the patient after a missed appointment.
        MissedAppointmentFollowup,
        /// Follow an open referral to its outcome.
        ReferralFollowup,
        /// A screening is due.
        ScreeningDue,
        /// The care plan is due for review.
        CarePlanReview,
        /// Reach out to the patient.
        Outreach,
        /// Review the record for gaps in care.
        ChartReview,
        /// Anything else.
        Custom,
    }
}

impl TaskKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::SafetyFollowup => "Safety follow-up",
            TaskKind::TransitionFollowup => "Transition follow-up",
            TaskKind::MissedAppointmentFollowup => "Missed-appointment follow-up",
            TaskKind::ReferralFollowup => "Referral follow-up",
            TaskKind::ScreeningDue => "Screening due",
            TaskKind::CarePlanReview => "Care plan review",
            TaskKind::Outreach => "Outreach",
            TaskKind::ChartReview => "Chart review",
            TaskKind::Custom => "Task",
        }
    }

    /// Kinds only the rules create (people cannot fake a discharge follow-up).
    pub fn is_rule_generated(self) -> bool {
        matches!(
            self,
            TaskKind::SafetyFollowup
                | TaskKind::TransitionFollowup
                | TaskKind::MissedAppointmentFollowup
        )
    }
}

code_enum! {
    /// Where a task stands.
    #[derive(Default)]
    pub enum TaskStatus {
        /// Not started.
        #[default]
        Open,
        /// Someone is working on it.
        InProgress,
        /// Finished, with an outcome.
        Done,
        /// Dropped, with a reason.
        Cancelled,
    }
}

impl TaskStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Open => "Open",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
            TaskStatus::Cancelled => "Cancelled",
        }
    }

    /// Whether work remains (open or in progress).
    pub fn is_active(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }

    /// Whether `self → to` is a step of the task lifecycle
    /// (`open ⇄ in_progress → done | cancelled`; done and cancelled are final).
    pub fn can_become(self, to: TaskStatus) -> bool {
        use TaskStatus::{Cancelled, Done, InProgress, Open};
        matches!(
            (self, to),
            (Open, InProgress) | (InProgress, Open) | (Open | InProgress, Done | Cancelled)
        )
    }
}

code_enum! {
    /// How urgent, beyond the due time.
    #[derive(PartialOrd, Ord, Default)]
    pub enum Priority {
        /// Whenever possible.
        Low,
        /// The default.
        #[default]
        Normal,
        /// Soon.
        High,
        /// Now.
        Urgent,
    }
}

code_enum! {
    /// What created a task: a person, or the rule that reacted to a record.
    pub enum TaskSource {
        /// Created by hand.
        Manual,
        /// A discharge's transition follow-up (`source_id` is the encounter).
        Encounter,
        /// A missed appointment's follow-up (`source_id` is the appointment).
        Appointment,
        /// A screening's follow-up: safety, or a PHQ-9 after a positive
        /// PHQ-2 (`source_id` is the screening).
        Screening,
        /// A date came due: a routine or follow-up-window PHQ-9, or a
        /// care-plan review (`source_id` is the scheduled duty).
        Schedule,
        /// A gap a chart review found (`source_id` is the finding).
        ChartReview,
        /// A referral's follow-up for the step it reached (`source_id` is
        /// that step in the referral's history).
        Referral,
        /// An action item given at a huddle (`source_id` is the action item;
        /// `context` names the huddle).
        Huddle,
    }
}

/// What the rule that created a task knew, kept so the worklist can say why
/// the task matters without another lookup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskContext {
    /// A discharge.
    Discharge {
        /// Hospital or center.
        facility: String,
        /// Kind of stay.
        encounter_kind: EncounterKind,
        /// When the patient left.
        discharged_at: DateTime<Utc>,
    },
    /// A missed appointment.
    MissedAppointment {
        /// Who the patient was to see.
        provider_name: String,
        /// Kind of appointment.
        appointment_kind: AppointmentKind,
        /// When it was.
        scheduled_at: DateTime<Utc>,
    },
    /// A screening that needs follow-up.
    Screening {
        /// The instrument.
        instrument: crate::screening::Instrument,
        /// When it was given.
        administered_at: DateTime<Utc>,
        /// Why, quoting the answer ("PHQ-9 item 9 (…): several days").
        reason: String,
    },
    /// A referral to follow.
    Referral {
        /// The referral.
        referral_id: Uuid,
        /// Who it is to.
        provider_name: String,
        /// The service.
        service: crate::providers::ServiceType,
        /// The status it reached.
        status: crate::referral::ReferralStatus,
    },
    /// An action item given at a huddle.
    Huddle {
        /// The huddle.
        huddle_id: Uuid,
        /// Its date.
        held_on: NaiveDate,
    },
}

/// The structured outcome of a transition follow-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_reached": true, "followup_appointment_scheduled": true, "followup_appointment_date": "2026-03-05",
    "discharge_instructions_understood": true, "medications_reviewed": true, "needs_identified": "Needs a ride to the appointment"
})))]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the transition checklist is four yes-or-no questions on the wire"
)]
pub struct TransitionOutcome {
    /// Whether the patient was reached.
    pub patient_reached: bool,
    /// Whether a follow-up appointment is scheduled.
    pub followup_appointment_scheduled: bool,
    /// Its date (required when scheduled).
    #[serde(default)]
    pub followup_appointment_date: Option<NaiveDate>,
    /// Whether the patient understood the discharge instructions.
    pub discharge_instructions_understood: bool,
    /// Whether medications were reconciled/reviewed.
    pub medications_reviewed: bool,
    /// Needs found (transport, housing, medication access …).
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub needs_identified: Option<String>,
}

/// A task as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// Task id.
    pub id: TaskId,
    /// The patient.
    pub patient_id: PatientId,
    /// Who should do it (`null`: nobody yet).
    pub assignee_id: Option<UserId>,
    /// Kind of work.
    pub kind: TaskKind,
    /// Short title.
    pub title: String,
    /// More detail.
    pub details: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Priority.
    pub priority: Priority,
    /// Status.
    pub status: TaskStatus,
    /// What came of it (when done).
    pub outcome: Option<String>,
    /// Structured outcome of a transition follow-up.
    pub transition_outcome: Option<TransitionOutcome>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// What created it: `encounter`, `appointment`, `manual` …
    pub source_type: TaskSource,
    /// The id of what created it.
    pub source_id: Option<Uuid>,
    /// What the creating rule knew (facility, appointment …).
    pub context: Option<TaskContext>,
    /// Outreach attempts logged against this task.
    pub outreach_attempts: i64,
    /// Of those, how many did not reach anyone.
    pub failed_outreach_attempts: i64,
    /// Who created it (`null`: a rule).
    pub created_by: Option<UserId>,
    /// When it was finished or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who finished or cancelled it.
    pub completed_by: Option<UserId>,
    /// Version (also the `ETag`).
    pub version: i32,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// Failed attempts on one task that deserve attention.
pub const FAILED_ATTEMPTS_WARNING: i64 = 3;

impl Task {
    /// Whether it is past due at `now` and still to do.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_active() && self.due_at < now
    }

    /// Whether three or more attempts on it reached nobody.
    pub fn outreach_struggling(&self) -> bool {
        self.failed_outreach_attempts >= FAILED_ATTEMPTS_WARNING
    }
}

/// `POST /api/v1/tasks` (tasks people create).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = crate::validation::Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_id": "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f", "kind": "outreach",
    "title": "Call about housing application", "due_at": "2026-03-04T17:00:00Z"
})))]
pub struct NewTask {
    /// The patient.
    pub patient_id: PatientId,
    /// Who should do it; yourself when omitted.
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    /// Kind of work (not one the rules create).
    #[validate(custom(function = "made_by_hand"))]
    pub kind: TaskKind,
    /// Short title.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
    /// More detail.
    #[serde(default)]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub details: Option<String>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Priority (`normal` when omitted).
    #[serde(default)]
    pub priority: Option<Priority>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn made_by_hand(kind: &TaskKind) -> Result<(), ValidationError> {
    if kind.is_rule_generated() {
        Err(invalid(
            "rule_generated",
            "is created by the system's rules, not by hand",
        ))
    } else {
        Ok(())
    }
}

impl Normalize for NewTask {
    fn normalized(self) -> NewTask {
        NewTask {
            title: self.title.trim().to_string(),
            details: trimmed(self.details),
            ..self
        }
    }
}

/// `PATCH /api/v1/tasks/{id}`: reassign, reschedule, start, complete or cancel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate)]
#[validate(context = crate::validation::Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "done", "outcome": "Reached; appointment kept", "version": 2})))]
pub struct TaskPatch {
    /// New assignee (`null` unassigns). Reassigning to someone else takes a supervisor.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub assignee_id: Patch<UserId>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 200, message = "must be at most 200 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: Option<String>,
    /// Details; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 4000))]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    pub details: Patch<String>,
    /// Due time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    /// Priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// New status: `in_progress` (start), `open` (stop), `done` (needs an
    /// outcome) or `cancelled` (needs a reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// What came of it (required to finish a task; a transition follow-up
    /// needs `transition_outcome` instead or as well).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 4000, message = "must be at most 4000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub outcome: Option<String>,
    /// The structured outcome of a transition follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub transition_outcome: Option<TransitionOutcome>,
    /// Why it is cancelled (required to cancel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub cancel_reason: Option<String>,
    /// The version this change is based on (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for TaskPatch {
    fn normalized(self) -> TaskPatch {
        TaskPatch {
            title: self.title.map(|t| t.trim().to_string()),
            details: trimmed_patch(self.details),
            outcome: trimmed(self.outcome),
            cancel_reason: trimmed(self.cancel_reason),
            ..self
        }
    }
}

impl TaskPatch {
    /// The names of the fields the patch sends (for the audit trail).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("assignee_id", self.assignee_id.is_present()),
            ("title", self.title.is_some()),
            ("details", self.details.is_present()),
            ("due_at", self.due_at.is_some()),
            ("priority", self.priority.is_some()),
            ("status", self.status.is_some()),
            ("outcome", self.outcome.is_some()),
            ("transition_outcome", self.transition_outcome.is_some()),
            ("cancel_reason", self.cancel_reason.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, sent)| sent.then_some(name))
        .collect()
    }
}

/// What working a task changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskChanges {
    /// New assignee (`Some(None)` unassigns).
    pub assignee_id: Option<Option<UserId>>,
    /// New title.
    pub title: Option<String>,
    /// New details (`Some(None)` clears).
    pub details: Option<Option<String>>,
    /// New due time.
    pub due_at: Option<DateTime<Utc>>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New status.
    pub status: Option<TaskStatus>,
    /// Outcome (finishing).
    pub outcome: Option<String>,
    /// Structured transition outcome (finishing a transition follow-up).
    pub transition_outcome: Option<TransitionOutcome>,
    /// Reason (cancelling).
    pub cancel_reason: Option<String>,
    /// When it was finished or cancelled.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who finished or cancelled it.
    pub completed_by: Option<UserId>,
}

/// Why a change to a task is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskRefusal {
    /// The body lacks what the step needs (an outcome, a reason): a 422.
    Invalid(ValidationErrors),
    /// The task is done or cancelled and no longer changes: a 409.
    Finished(TaskStatus),
    /// Not a step of the lifecycle: a 409.
    Step {
        /// The status now.
        from: TaskStatus,
        /// The status asked for.
        to: TaskStatus,
    },
}

impl std::fmt::Display for TaskRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskRefusal::Invalid(_) => write!(f, "The change lacks required fields."),
            TaskRefusal::Finished(status) => write!(
                f,
                "This task is {} and can no longer change.",
                status.label().to_lowercase()
            ),
            TaskRefusal::Step { from, to } => write!(
                f,
                "A task that is {} cannot become {}.",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
        }
    }
}

impl Task {
    /// Whether `by` may cancel this task. Anyone who works tasks may cancel
    /// one made by hand; a follow-up the rules created (safety, transition,
    /// missed appointment) exists because a patient is at risk, so only its
    /// assignee or someone who `supervises` (may reassign tasks) cancels it.
    pub fn may_cancel(&self, by: Option<UserId>, supervises: bool) -> bool {
        !self.kind.is_rule_generated() || supervises || (by.is_some() && by == self.assignee_id)
    }

    /// What `patch` does to this task when `by` (a person, or `None` for an
    /// integration) works it at `now`: the lifecycle `open ⇄ in_progress →
    /// done | cancelled`, where finishing needs an outcome (a transition
    /// follow-up its structured outcome), cancelling a reason, and finished
    /// or cancelled tasks never change again.
    pub fn work(
        &self,
        patch: &TaskPatch,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<TaskChanges, TaskRefusal> {
        step_requirements(self.kind, patch).map_err(TaskRefusal::Invalid)?;
        if !self.status.is_active() {
            return Err(TaskRefusal::Finished(self.status));
        }
        let mut changes = TaskChanges {
            assignee_id: patch.assignee_id.into_change(),
            title: patch.title.clone(),
            details: patch.details.clone().into_change(),
            due_at: patch.due_at,
            priority: patch.priority,
            ..TaskChanges::default()
        };
        if let Some(to) = patch.status.filter(|s| *s != self.status) {
            if !self.status.can_become(to) {
                return Err(TaskRefusal::Step {
                    from: self.status,
                    to,
                });
            }
            changes.status = Some(to);
            match to {
                TaskStatus::Done => {
                    changes.outcome.clone_from(&patch.outcome);
                    changes
                        .transition_outcome
                        .clone_from(&patch.transition_outcome);
                }
                TaskStatus::Cancelled => changes.cancel_reason.clone_from(&patch.cancel_reason),
                TaskStatus::Open | TaskStatus::InProgress => {}
            }
            if !to.is_active() {
                changes.completed_at = Some(now);
                changes.completed_by = by;
            }
        }
        Ok(changes)
    }
}

/// What finishing or cancelling a task of `kind` needs from the body.
fn step_requirements(kind: TaskKind, patch: &TaskPatch) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    match patch.status {
        Some(TaskStatus::Done) if kind == TaskKind::TransitionFollowup => {
            match &patch.transition_outcome {
                None => errors.add(
                    "transition_outcome",
                    invalid("required", "is required to finish a transition follow-up"),
                ),
                Some(o)
                    if o.followup_appointment_scheduled
                        && o.followup_appointment_date.is_none() =>
                {
                    errors.add(
                        "transition_outcome.followup_appointment_date",
                        invalid(
                            "required",
                            "is required when a follow-up appointment is scheduled",
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        Some(TaskStatus::Done) if patch.outcome.as_deref().and_then(blank_to_none).is_none() => {
            errors.add(
                "outcome",
                invalid("required", "is required to finish a task"),
            );
        }
        Some(TaskStatus::Cancelled)
            if patch
                .cancel_reason
                .as_deref()
                .and_then(blank_to_none)
                .is_none() =>
        {
            errors.add(
                "cancel_reason",
                invalid("required", "is required to cancel a task"),
            );
        }
        _ => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Filters for `GET /api/v1/tasks` (by due time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TaskListQuery {
    /// Only tasks assigned to this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<UserId>,
    /// Only this patient's tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<PatientId>,
    /// Only this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// Only this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TaskKind>,
}

/// Task records for unit tests, built the same way in every crate (the SPA
/// turns this on with the `fixtures` feature for its own tests).
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use chrono::{DateTime, Utc};

    use super::{Priority, Task, TaskKind, TaskSource, TaskStatus};
    use crate::ids::{PatientId, TaskId};

    /// An unassigned manual task of `kind` in `status`, titled "Call", due
    /// (and created) at `due_at`.
    pub fn task(kind: TaskKind, status: TaskStatus, due_at: DateTime<Utc>) -> Task {
        Task {
            id: TaskId::default(),
            patient_id: PatientId::default(),
            assignee_id: None,
            kind,
            title: "Call".into(),
            details: None,
            due_at,
            priority: Priority::Normal,
            status,
            outcome: None,
            transition_outcome: None,
            cancel_reason: None,
            source_type: TaskSource::Manual,
            source_id: None,
            context: None,
            outreach_attempts: 0,
            failed_outreach_attempts: 0,
            created_by: None,
            completed_at: None,
            completed_by: None,
            version: 1,
            created_at: due_at,
            updated_at: due_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;
    use super::*;
    use crate::validation::{Context, Valid, field_errors};
    use strum::VariantArray;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn task(kind: TaskKind, status: TaskStatus) -> Task {
        fixtures::task(kind, status, at("2026-03-02T17:00:00Z"))
    }

    /// The fields a 422 would name when `patch` works an open task of `kind`.
    fn fields(kind: TaskKind, patch: &TaskPatch) -> Vec<String> {
        match task(kind, Open).work(patch, None, at("2026-03-02T12:00:00Z")) {
            Ok(_) => vec![],
            Err(TaskRefusal::Invalid(e)) => field_errors(&e).into_iter().map(|f| f.field).collect(),
            Err(other) => panic!("expected field errors, got {other:?}"),
        }
    }

    fn ctx() -> Context {
        Context {
            now: at("2026-03-02T12:00:00Z"),
            today: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        }
    }

    #[test]
    fn tasks_start_stop_and_end_done_or_cancelled() {
        assert!(Open.can_become(InProgress));
        assert!(InProgress.can_become(Open));
        assert!(Open.can_become(Done) && InProgress.can_become(Done));
        assert!(Open.can_become(Cancelled) && InProgress.can_become(Cancelled));
    }

    #[test]
    fn only_the_assignee_or_a_supervisor_cancels_a_follow_up_the_rules_created() {
        let me = UserId::from(Uuid::from_u128(7));
        let someone = UserId::from(Uuid::from_u128(8));
        let mut follow_up = task(TaskKind::TransitionFollowup, Open);
        follow_up.assignee_id = Some(me);
        assert!(follow_up.may_cancel(Some(me), false));
        assert!(!follow_up.may_cancel(Some(someone), false));
        assert!(!follow_up.may_cancel(None, false), "an integration");
        assert!(follow_up.may_cancel(Some(someone), true));
        follow_up.assignee_id = None;
        assert!(!follow_up.may_cancel(None, false), "nobody is its assignee");
        let by_hand = task(TaskKind::Outreach, Open);
        assert!(by_hand.may_cancel(Some(someone), false));
    }

    #[test]
    fn finished_and_cancelled_tasks_stay_that_way() {
        for from in [Done, Cancelled] {
            for to in TaskStatus::VARIANTS {
                assert!(!from.can_become(*to), "{from} -> {to}");
            }
        }
        assert!(!Open.can_become(Open));
    }

    #[test]
    fn finishing_a_task_needs_an_outcome_and_cancelling_a_reason() {
        let done = TaskPatch {
            status: Some(Done),
            ..Default::default()
        };
        assert_eq!(fields(TaskKind::Outreach, &done), vec!["outcome"]);
        let cancelled = TaskPatch {
            status: Some(Cancelled),
            cancel_reason: Some(" ".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(TaskKind::Outreach, &cancelled),
            vec!["cancel_reason"]
        );
        let ok = TaskPatch {
            status: Some(Done),
            outcome: Some("Reached".into()),
            ..Default::default()
        };
        assert!(fields(TaskKind::Custom, &ok).is_empty());
    }

    #[test]
    fn finishing_a_transition_follow_up_needs_its_structured_outcome() {
        let bare = TaskPatch {
            status: Some(Done),
            outcome: Some("ok".into()),
            ..Default::default()
        };
        assert_eq!(
            fields(TaskKind::TransitionFollowup, &bare),
            vec!["transition_outcome"]
        );
        let no_date = TaskPatch {
            status: Some(Done),
            transition_outcome: Some(TransitionOutcome {
                followup_appointment_scheduled: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            fields(TaskKind::TransitionFollowup, &no_date),
            vec!["transition_outcome.followup_appointment_date"]
        );
        let complete = TaskPatch {
            status: Some(Done),
            transition_outcome: Some(TransitionOutcome {
                patient_reached: true,
                followup_appointment_scheduled: true,
                followup_appointment_date: NaiveDate::from_ymd_opt(2026, 3, 5),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(fields(TaskKind::TransitionFollowup, &complete).is_empty());
    }

    #[test]
    fn finishing_records_when_and_by_whom_and_starting_does_not() {
        let me = UserId::from(Uuid::from_u128(7));
        let now = at("2026-03-02T12:00:00Z");
        let done = TaskPatch {
            status: Some(Done),
            outcome: Some("Reached".into()),
            ..Default::default()
        };
        let changes = task(TaskKind::Outreach, InProgress)
            .work(&done, Some(me), now)
            .unwrap();
        assert_eq!(changes.status, Some(Done));
        assert_eq!(changes.outcome.as_deref(), Some("Reached"));
        assert_eq!(
            (changes.completed_at, changes.completed_by),
            (Some(now), Some(me))
        );
        let start = TaskPatch {
            status: Some(InProgress),
            ..Default::default()
        };
        let changes = task(TaskKind::Outreach, Open)
            .work(&start, Some(me), now)
            .unwrap();
        assert_eq!(changes.status, Some(InProgress));
        assert_eq!(changes.completed_at, None);
    }

    #[test]
    fn a_finished_task_refuses_every_change_and_a_missing_step_is_named() {
        let now = at("2026-03-02T12:00:00Z");
        let retitle = TaskPatch {
            title: Some("New".into()),
            ..Default::default()
        };
        assert_eq!(
            task(TaskKind::Outreach, Done).work(&retitle, None, now),
            Err(TaskRefusal::Finished(Done))
        );
        let reopen = TaskPatch {
            status: Some(Open),
            ..Default::default()
        };
        assert_eq!(
            task(TaskKind::Outreach, Cancelled).work(&reopen, None, now),
            Err(TaskRefusal::Finished(Cancelled))
        );
        let same = TaskPatch {
            status: Some(Open),
            details: Patch::Null,
            ..Default::default()
        };
        let changes = task(TaskKind::Outreach, Open)
            .work(&same, None, now)
            .unwrap();
        assert_eq!(
            changes.status, None,
            "asking for the current status is no step"
        );
        assert_eq!(changes.details, Some(None));
    }

    #[test]
    fn people_cannot_create_the_kinds_the_rules_create() {
        let t = |kind| NewTask {
            patient_id: PatientId::default(),
            assignee_id: None,
            kind,
            title: "x".into(),
            details: None,
            due_at: DateTime::UNIX_EPOCH,
            priority: None,
        };
        let refused = Valid::new(t(TaskKind::TransitionFollowup), &ctx()).unwrap_err();
        assert_eq!(field_errors(&refused)[0].field, "kind");
        assert!(Valid::new(t(TaskKind::Outreach), &ctx()).is_ok());
    }

    #[test]
    fn task_context_is_tagged_by_type_on_the_wire() {
        let c = TaskContext::Discharge {
            facility: "Mercy ED".into(),
            encounter_kind: EncounterKind::Ed,
            discharged_at: DateTime::UNIX_EPOCH,
        };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["type"], "discharge");
        assert_eq!(json["encounter_kind"], "ed");
        assert_eq!(serde_json::from_value::<TaskContext>(json).unwrap(), c);
    }
}
