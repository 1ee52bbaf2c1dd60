//! Closed-loop referrals (DESIGN §2–§3): the state machine
//! `draft → sent → accepted → scheduled → completed → closed`, with
//! `declined`, `cancelled` and `no_show`, who may take each step (the
//! referring care team or the receiving provider), what each step needs,
//! and when a referral is overdue. Pure: the API and the SPA ask the same
//! questions here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::calendar::{add_business_days, local_date};
use crate::ids::{PatientId, UserId};
use crate::necessity::Evaluation;
use crate::patch::Patch;
use crate::providers::ServiceType;
use crate::validation::{Context, Normalize, invalid, trimmed};

/// Business days a sent referral may wait for an answer.
pub const RESPONSE_BUSINESS_DAYS: u32 = 2;

code_enum! {
    /// Where a referral stands.
    #[derive(Default)]
    pub enum ReferralStatus {
        /// Being written; not yet sent.
        #[default]
        Draft,
        /// Sent to the provider; waiting for an answer.
        Sent,
        /// The provider accepted it.
        Accepted,
        /// An appointment is booked.
        Scheduled,
        /// The service was given.
        Completed,
        /// The loop is closed.
        Closed,
        /// The provider declined it.
        Declined,
        /// Withdrawn by the referring team.
        Cancelled,
        /// The patient did not come; a re-referral follows.
        NoShow,
    }
}

code_enum! {
    /// Who takes a step.
    pub enum ReferralParty {
        /// The referring care team.
        Referrer,
        /// The receiving provider (its `referrals:respond` key).
        Provider,
    }
}

code_enum! {
    /// What stands between the patient and the service.
    pub enum BarrierKind {
        /// Getting there.
        Transportation,
        /// Coverage.
        Insurance,
        /// Papers, IDs, records.
        Documentation,
        /// Language.
        Language,
        /// Childcare.
        Childcare,
        /// Cost.
        Cost,
        /// Anything else.
        Other,
    }
}

impl BarrierKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            BarrierKind::Transportation => "Transportation",
            BarrierKind::Insurance => "Insurance",
            BarrierKind::Documentation => "Documentation",
            BarrierKind::Language => "Language",
            BarrierKind::Childcare => "Childcare",
            BarrierKind::Cost => "Cost",
            BarrierKind::Other => "Other",
        }
    }
}

/// What a step needs besides being allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing more.
    Nothing,
    /// A reason (declining, cancelling).
    Reason,
    /// The appointment's time (scheduling).
    AppointmentTime,
    /// The outcome (completing).
    Outcome,
}

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepError {
    /// The referral is already there.
    Unchanged,
    /// The lifecycle has no such step.
    NotAllowed {
        /// Where it stands.
        from: ReferralStatus,
        /// Where it was asked to go.
        to: ReferralStatus,
    },
    /// The step is the other party's to take.
    NotYours {
        /// Who may take it.
        party: ReferralParty,
    },
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Unchanged => write!(f, "the referral already has that status"),
            StepError::NotAllowed { from, to } => write!(
                f,
                "a referral cannot go from {} to {}",
                from.label(),
                to.label()
            ),
            StepError::NotYours { party } => match party {
                ReferralParty::Referrer => {
                    write!(f, "only the referring care team takes this step")
                }
                ReferralParty::Provider => write!(f, "only the receiving provider takes this step"),
            },
        }
    }
}

impl ReferralStatus {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Draft => "Draft",
            ReferralStatus::Sent => "Sent",
            ReferralStatus::Accepted => "Accepted",
            ReferralStatus::Scheduled => "Scheduled",
            ReferralStatus::Completed => "Completed",
            ReferralStatus::Closed => "Closed",
            ReferralStatus::Declined => "Declined",
            ReferralStatus::Cancelled => "Cancelled",
            ReferralStatus::NoShow => "No-show",
        }
    }

    /// Whether the loop is still open: every status but closed and
    /// cancelled (a declined or missed referral waits for the care team to
    /// close it, and re-refer).
    pub fn is_open(self) -> bool {
        !matches!(self, ReferralStatus::Closed | ReferralStatus::Cancelled)
    }

    /// The steps from here, each with who may take it. Scheduling and
    /// recording the outcome are open to both sides: a provider that does
    /// not use the API tells the care manager, who records it.
    pub fn steps(self) -> &'static [(ReferralStatus, &'static [ReferralParty])] {
        use ReferralParty::{Provider, Referrer};
        use ReferralStatus::{
            Accepted, Cancelled, Closed, Completed, Declined, Draft, NoShow, Scheduled, Sent,
        };
        const BOTH: &[ReferralParty] = &[Referrer, Provider];
        const REFERRER: &[ReferralParty] = &[Referrer];
        match self {
            Draft => &[(Sent, REFERRER), (Cancelled, REFERRER)],
            Sent => &[(Accepted, BOTH), (Declined, BOTH), (Cancelled, REFERRER)],
            Accepted => &[(Scheduled, BOTH), (Cancelled, REFERRER)],
            Scheduled => &[(Completed, BOTH), (NoShow, BOTH), (Cancelled, REFERRER)],
            Completed | Declined | NoShow => &[(Closed, REFERRER)],
            Closed | Cancelled => &[],
        }
    }

    /// What moving to `to` needs besides being allowed.
    pub fn needs(to: ReferralStatus) -> Needs {
        match to {
            ReferralStatus::Declined | ReferralStatus::Cancelled => Needs::Reason,
            ReferralStatus::Scheduled => Needs::AppointmentTime,
            ReferralStatus::Completed => Needs::Outcome,
            _ => Needs::Nothing,
        }
    }

    /// Checks a step `party` asks for.
    pub fn step(
        self,
        to: ReferralStatus,
        party: ReferralParty,
    ) -> Result<ReferralStatus, StepError> {
        if self == to {
            return Err(StepError::Unchanged);
        }
        let Some((_, parties)) = self.steps().iter().find(|(s, _)| *s == to) else {
            return Err(StepError::NotAllowed { from: self, to });
        };
        if parties.contains(&party) {
            Ok(to)
        } else {
            Err(StepError::NotYours { party: parties[0] })
        }
    }
}

/// Why a referral is overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overdue {
    /// Sent and unanswered past the end of the second business day.
    NoResponse {
        /// The last day an answer was due.
        by: NaiveDate,
    },
    /// Still open past its due date.
    PastDue {
        /// Its due date.
        due_on: NaiveDate,
    },
}

impl Overdue {
    /// In words, for the alert and the worklist.
    pub fn describe(&self) -> String {
        match self {
            Overdue::NoResponse { by } => format!(
                "no response from the provider in {RESPONSE_BUSINESS_DAYS} business days (due by {by})"
            ),
            Overdue::PastDue { due_on } => format!("past its due date ({due_on})"),
        }
    }
}

/// Whether a referral is overdue at `now`: sent and unanswered after
/// [`RESPONSE_BUSINESS_DAYS`] business days (organization calendar), or
/// still waiting for the service (sent, accepted or scheduled) after its
/// due date. No response is checked first. Once the service was given,
/// declined or missed, the step's own follow-up carries the work (closing
/// the loop, re-referring), and the referral is no longer late.
pub fn overdue<Tz: chrono::TimeZone>(
    status: ReferralStatus,
    sent_at: Option<DateTime<Utc>>,
    due_on: Option<NaiveDate>,
    now: DateTime<Utc>,
    tz: &Tz,
    holidays: &[NaiveDate],
) -> Option<Overdue> {
    let today = local_date(now, tz);
    if status == ReferralStatus::Sent
        && let Some(sent) = sent_at
    {
        let by = add_business_days(local_date(sent, tz), RESPONSE_BUSINESS_DAYS, holidays);
        if today > by {
            return Some(Overdue::NoResponse { by });
        }
    }
    match due_on {
        Some(due)
            if matches!(
                status,
                ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::Scheduled
            ) && today > due =>
        {
            Some(Overdue::PastDue { due_on: due })
        }
        _ => None,
    }
}

/// The follow-up task a referral's step opens: what to do, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// The task's title.
    pub title: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

/// The follow-up for a referral that just reached `status` at `now`: every
/// open step after sending has one, until the referral is closed or
/// cancelled (a draft has none). Due on the organization's calendar:
/// an answer within [`RESPONSE_BUSINESS_DAYS`] business days of sending,
/// a booking within 3 business days of accepting, the visit confirmed the
/// business day after the appointment, and the loop closed the next
/// business day after an outcome, a decline or a no-show.
pub fn follow_up<Tz: chrono::TimeZone>(
    status: ReferralStatus,
    provider: &str,
    appointment_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    tz: &Tz,
    holidays: &[NaiveDate],
) -> Option<FollowUp> {
    let today = local_date(now, tz);
    let after = |from: NaiveDate, days: u32| {
        crate::calendar::end_of_date(add_business_days(from, days, holidays), tz)
    };
    let (title, due_at) = match status {
        ReferralStatus::Sent => (
            format!("Confirm {provider} received the referral and will answer"),
            after(today, RESPONSE_BUSINESS_DAYS),
        ),
        ReferralStatus::Accepted => (
            format!("Confirm an appointment is booked with {provider}"),
            after(today, 3),
        ),
        ReferralStatus::Scheduled => (
            format!("Confirm the patient went to {provider}"),
            after(local_date(appointment_at.unwrap_or(now), tz).max(today), 1),
        ),
        ReferralStatus::Completed => (
            format!("Review the outcome from {provider} with the patient and close the referral"),
            after(today, 1),
        ),
        ReferralStatus::Declined => (
            format!("{provider} declined: find another provider, then close the referral"),
            after(today, 1),
        ),
        ReferralStatus::NoShow => (
            format!(
                "Reach the patient about the missed visit to {provider} and review the re-referral"
            ),
            after(today, 1),
        ),
        ReferralStatus::Draft | ReferralStatus::Closed | ReferralStatus::Cancelled => {
            return None;
        }
    };
    Some(FollowUp { title, due_at })
}

code_enum! {
    /// How soon the patient needs the service.
    #[derive(Default)]
    pub enum ReferralPriority {
        /// Within two weeks.
        #[default]
        Routine,
        /// Within three days.
        Urgent,
        /// Today.
        Emergent,
    }
}

impl ReferralPriority {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ReferralPriority::Routine => "Routine",
            ReferralPriority::Urgent => "Urgent",
            ReferralPriority::Emergent => "Emergent",
        }
    }

    /// The due date a referral of this priority gets when none is given:
    /// 14 days for routine, 3 for urgent, today for emergent.
    pub fn default_due(self, today: NaiveDate) -> NaiveDate {
        let days = match self {
            ReferralPriority::Routine => 14,
            ReferralPriority::Urgent => 3,
            ReferralPriority::Emergent => 0,
        };
        today + chrono::Duration::days(days)
    }
}

/// What the receiving provider needs to know about the patient to reach
/// them, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferredPatient {
    /// "Family, Given".
    pub name: String,
    /// Date of birth, to match the patient in the provider's records.
    pub birth_date: NaiveDate,
    /// Phone.
    pub phone: Option<String>,
    /// Preferred language (BCP 47).
    pub preferred_language: String,
    /// Whether an interpreter is needed.
    pub interpreter_needed: bool,
}

/// The patient's rating of the service, recorded when the referral closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[validate(range(min = 1, max = 5, message = "must be between 1 and 5"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub rating: i16,
    /// In the patient's words.
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub comment: Option<String>,
}

/// One step in a referral's history: who moved it, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusEvent {
    /// Where it was (`null` when it was created).
    pub from: Option<ReferralStatus>,
    /// Where it went.
    pub to: ReferralStatus,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Which side took the step.
    pub party: ReferralParty,
    /// Who: a person's email, an API key's name, or the system.
    pub by: String,
}

/// A barrier between the patient and the referred service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Barrier {
    /// Barrier id.
    pub id: Uuid,
    /// The referral.
    pub referral_id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// What kind.
    pub kind: BarrierKind,
    /// In words ("no bus line to the clinic").
    pub description: Option<String>,
    /// How it was resolved; `null` while it is open.
    pub resolution: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<UserId>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub created_by: Option<UserId>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

impl Barrier {
    /// Whether it still stands.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// `POST /api/v1/referrals/{id}/barriers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "transportation", "description": "No bus line reaches the clinic"})))]
pub struct NewBarrier {
    /// What kind.
    pub kind: BarrierKind,
    /// In words.
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: Option<String>,
}

impl Normalize for NewBarrier {
    fn normalized(self) -> NewBarrier {
        NewBarrier {
            description: trimmed(self.description),
            ..self
        }
    }
}

/// `PATCH /api/v1/barriers/{id}`: describe it, resolve it (`resolution`),
/// or reopen it (`resolution: null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"resolution": "Medicaid ride booked for both visits", "version": 1})))]
pub struct BarrierPatch {
    /// In words; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 1000))]
    pub description: Patch<String>,
    /// How it was resolved (resolves it, by the caller, now); `null` reopens it.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(custom(function = "resolution_valid"))]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, min_length = 1, max_length = 1000, pattern = r"\S")
    )]
    pub resolution: Patch<String>,
    /// The version read (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

fn resolution_valid(value: &Patch<String>) -> Result<(), ValidationError> {
    match value.value() {
        Some(v) if v.trim().is_empty() => Err(invalid("blank", "is required")),
        Some(v) if v.chars().count() > 1000 => {
            Err(invalid("too_long", "must be at most 1000 characters"))
        }
        _ => Ok(()),
    }
}

impl Normalize for BarrierPatch {
    fn normalized(self) -> BarrierPatch {
        BarrierPatch {
            description: crate::validation::trimmed_patch(self.description),
            resolution: self.resolution.map(|r| r.trim().to_owned()),
            ..self
        }
    }
}

/// A closed-loop referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    /// Referral id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// Who the patient is, for the receiving provider.
    pub patient: ReferredPatient,
    /// The receiving provider.
    pub provider_id: Uuid,
    /// Its name.
    pub provider_name: String,
    /// The service asked for.
    pub service: ServiceType,
    /// How soon.
    pub priority: ReferralPriority,
    /// Why the patient is referred.
    pub reason: String,
    /// The care-plan need it addresses (an id in the plan's `needs`).
    pub need_id: Option<Uuid>,
    /// The care-plan intervention it carries out.
    pub intervention_id: Option<Uuid>,
    /// When the service should have happened by.
    pub due_date: NaiveDate,
    /// Where it stands.
    pub status: ReferralStatus,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the provider first answered (accepted or declined).
    pub responded_at: Option<DateTime<Utc>>,
    /// The appointment.
    pub appointment_at: Option<DateTime<Utc>>,
    /// What the service found or gave.
    pub outcome: Option<String>,
    /// Why it was declined or cancelled.
    pub status_reason: Option<String>,
    /// The medical-necessity check at the last draft save or at sending.
    pub medical_necessity: Option<Evaluation>,
    /// Why it was sent although the criteria were not met.
    pub necessity_override_reason: Option<String>,
    /// The patient's rating, recorded at closing.
    pub satisfaction: Option<Satisfaction>,
    /// The referral this one re-refers after a no-show.
    pub re_referral_of: Option<Uuid>,
    /// The re-referral made after this one's no-show.
    pub re_referred_as: Option<Uuid>,
    /// Why it is overdue, when it is ("no response from the provider in 2
    /// business days (due by 2026-12-02)").
    pub overdue: Option<String>,
    /// Its barriers, open first.
    pub barriers: Vec<Barrier>,
    /// Every status it went through, oldest first.
    pub history: Vec<StatusEvent>,
    /// Who wrote it.
    pub created_by: Option<UserId>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for `If-Match`.
    pub version: i32,
}

/// `POST /api/v1/referrals`: a draft, checked against the service's
/// medical-necessity criteria. Send it with `POST …/status {"status": "sent"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "patient_id": "0190a1b2-0000-7000-8000-000000000001",
    "provider_id": "0190a1b2-0000-7000-8000-000000000002",
    "service": "intensive_outpatient", "priority": "urgent",
    "reason": "PHQ-9 of 19 after an ED visit; needs more than weekly therapy"
})))]
pub struct NewReferral {
    /// The patient.
    pub patient_id: PatientId,
    /// The receiving provider (in this organization's directory).
    pub provider_id: Uuid,
    /// The service asked for.
    pub service: ServiceType,
    /// How soon (`routine` when left out).
    #[serde(default)]
    pub priority: ReferralPriority,
    /// Why the patient is referred.
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub reason: String,
    /// The care-plan need it addresses.
    #[serde(default)]
    pub need_id: Option<Uuid>,
    /// The care-plan intervention it carries out.
    #[serde(default)]
    pub intervention_id: Option<Uuid>,
    /// Due by (from the priority when left out); not before today.
    #[serde(default)]
    #[validate(custom(function = "not_before_today", use_context))]
    pub due_date: Option<NaiveDate>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "validator hands a custom rule its field by reference"
)]
fn not_before_today(d: &NaiveDate, ctx: &Context) -> Result<(), ValidationError> {
    if *d < ctx.today {
        Err(invalid("past", "must not be before today"))
    } else {
        Ok(())
    }
}

impl Normalize for NewReferral {
    fn normalized(self) -> NewReferral {
        NewReferral {
            reason: self.reason.trim().to_owned(),
            ..self
        }
    }
}

/// `PATCH /api/v1/referrals/{id}`. The provider and the service change only
/// while it is a draft; priority, reason, links and due date while it is
/// open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"priority": "emergent", "version": 2})))]
pub struct ReferralPatch {
    /// The receiving provider (drafts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<Uuid>,
    /// The service (drafts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceType>,
    /// How soon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<ReferralPriority>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        custom(function = "crate::validation::not_blank"),
        length(max = 2000, message = "must be at most 2000 characters")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"\S")
    )]
    pub reason: Option<String>,
    /// The care-plan need; `null` unlinks.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub need_id: Patch<Uuid>,
    /// The care-plan intervention; `null` unlinks.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub intervention_id: Patch<Uuid>,
    /// Due by; not before today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "not_before_today", use_context))]
    pub due_date: Option<NaiveDate>,
    /// The version read (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for ReferralPatch {
    fn normalized(self) -> ReferralPatch {
        ReferralPatch {
            reason: self.reason.map(|r| r.trim().to_owned()),
            ..self
        }
    }
}

/// `POST /api/v1/referrals/{id}/status`: one step of the lifecycle.
///
/// | to | who | needs |
/// |---|---|---|
/// | `sent` | care team | `override_reason` when medical necessity is not met |
/// | `accepted` | either side | — |
/// | `declined` | either side | `reason` |
/// | `scheduled` | either side | `appointment_at` |
/// | `completed` | either side | `outcome` |
/// | `no_show` | either side | — (a re-referral draft follows) |
/// | `closed` | care team | optional `satisfaction` |
/// | `cancelled` | care team | `reason` |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
#[validate(context = Context)]
#[validate(schema(function = "step_fields", skip_on_field_errors = false))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "scheduled", "appointment_at": "2026-12-03T17:00:00Z", "version": 3})))]
pub struct ReferralStatusChange {
    /// Where it goes.
    pub status: ReferralStatus,
    /// Why (declining, cancelling; optional otherwise).
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub reason: Option<String>,
    /// The appointment (scheduling).
    #[serde(default)]
    pub appointment_at: Option<DateTime<Utc>>,
    /// What the service found or gave (completing).
    #[serde(default)]
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub outcome: Option<String>,
    /// Why it is sent although medical necessity is not met (audited).
    #[serde(default)]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub override_reason: Option<String>,
    /// The patient's rating (closing only).
    #[serde(default)]
    #[validate(nested)]
    pub satisfaction: Option<Satisfaction>,
    /// The version read (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

fn step_fields(c: &ReferralStatusChange) -> Result<(), ValidationError> {
    let missing = |field: &'static str, message: &'static str| {
        Err(crate::validation::invalid_at(field, "required", message))
    };
    match ReferralStatus::needs(c.status) {
        Needs::Reason if c.reason.is_none() => {
            return missing("reason", "is required to decline or cancel");
        }
        Needs::AppointmentTime if c.appointment_at.is_none() => {
            return missing("appointment_at", "is required to schedule");
        }
        Needs::Outcome if c.outcome.is_none() => {
            return missing("outcome", "is required to complete");
        }
        _ => {}
    }
    if c.satisfaction.is_some() && c.status != ReferralStatus::Closed {
        return Err(crate::validation::invalid_at(
            "satisfaction",
            "closing_only",
            "is recorded when the referral closes",
        ));
    }
    Ok(())
}

impl Normalize for ReferralStatusChange {
    fn normalized(self) -> ReferralStatusChange {
        ReferralStatusChange {
            reason: trimmed(self.reason),
            outcome: trimmed(self.outcome),
            override_reason: trimmed(self.override_reason),
            satisfaction: self.satisfaction.map(|s| Satisfaction {
                comment: trimmed(s.comment),
                ..s
            }),
            ..self
        }
    }
}

/// The `GET /api/v1/referrals` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReferralQuery {
    /// One patient's referrals.
    #[serde(default)]
    pub patient_id: Option<PatientId>,
    /// One provider's referrals.
    #[serde(default)]
    pub provider_id: Option<Uuid>,
    /// In this status.
    #[serde(default)]
    pub status: Option<ReferralStatus>,
    /// Of the patients whose primary care manager this user is (a care
    /// manager's board): a user id, or `me` for the caller.
    // The pattern: `me`, or an id in each form `Uuid` reads (32 hex
    // digits, hyphenated, braced, or as a URN).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^(?:me|[0-9A-Fa-f]{32}|(?:urn:uuid:)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\})$"
        )
    )]
    pub care_manager_id: Option<String>,
    /// Only open ones (not closed or cancelled).
    #[serde(default)]
    pub open: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use strum::VariantArray;

    use ReferralParty::{Provider, Referrer};
    use ReferralStatus::*;

    /// Every step the lifecycle allows, and who may take it.
    const ALLOWED: &[(ReferralStatus, ReferralStatus, &[ReferralParty])] = &[
        (Draft, Sent, &[Referrer]),
        (Draft, Cancelled, &[Referrer]),
        (Sent, Accepted, &[Referrer, Provider]),
        (Sent, Declined, &[Referrer, Provider]),
        (Sent, Cancelled, &[Referrer]),
        (Accepted, Scheduled, &[Referrer, Provider]),
        (Accepted, Cancelled, &[Referrer]),
        (Scheduled, Completed, &[Referrer, Provider]),
        (Scheduled, NoShow, &[Referrer, Provider]),
        (Scheduled, Cancelled, &[Referrer]),
        (Completed, Closed, &[Referrer]),
        (Declined, Closed, &[Referrer]),
        (NoShow, Closed, &[Referrer]),
    ];

    #[test]
    fn every_step_is_allowed_or_refused_exactly_as_the_table_says() {
        let mut checked = 0;
        for &from in ReferralStatus::VARIANTS {
            for &to in ReferralStatus::VARIANTS {
                for &party in ReferralParty::VARIANTS {
                    let allowed = ALLOWED.iter().find(|(f, t, _)| *f == from && *t == to);
                    let got = from.step(to, party);
                    match allowed {
                        _ if from == to => assert_eq!(got, Err(StepError::Unchanged)),
                        None => assert_eq!(got, Err(StepError::NotAllowed { from, to })),
                        Some((_, _, parties)) if parties.contains(&party) => {
                            assert_eq!(got, Ok(to), "{from} → {to} by {party}");
                        }
                        Some(_) => assert_eq!(
                            got,
                            Err(StepError::NotYours { party: Referrer }),
                            "{from} → {to} by {party}"
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 9 * 2);
    }

    #[test]
    fn a_provider_never_sends_cancels_or_closes() {
        for &from in ReferralStatus::VARIANTS {
            for to in [Sent, Cancelled, Closed] {
                assert!(from.step(to, Provider).is_err(), "{from} → {to}");
            }
        }
    }

    #[test]
    fn closed_and_cancelled_are_final_and_the_only_shut_loops() {
        assert!(Closed.steps().is_empty() && Cancelled.steps().is_empty());
        let open: Vec<_> = ReferralStatus::VARIANTS
            .iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open.len(), 7);
    }

    #[test]
    fn declining_and_cancelling_need_a_reason_scheduling_a_time_completing_an_outcome() {
        assert_eq!(ReferralStatus::needs(Declined), Needs::Reason);
        assert_eq!(ReferralStatus::needs(Cancelled), Needs::Reason);
        assert_eq!(ReferralStatus::needs(Scheduled), Needs::AppointmentTime);
        assert_eq!(ReferralStatus::needs(Completed), Needs::Outcome);
        assert_eq!(ReferralStatus::needs(Closed), Needs::Nothing);
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn a_sent_referral_is_overdue_after_two_business_days_without_an_answer() {
        let tz = chrono_tz::America::Los_Angeles;
        // Sent Thursday 2026-11-26 10:00 local; Friday the 27th is a holiday:
        // the answer is due by Tuesday 12/1.
        let sent = at(2026, 11, 26, 18);
        let holidays = [NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()];
        let tuesday_evening = at(2026, 12, 2, 6);
        assert_eq!(
            overdue(Sent, Some(sent), None, tuesday_evening, &tz, &holidays),
            None
        );
        let wednesday = at(2026, 12, 2, 18);
        let late = overdue(Sent, Some(sent), None, wednesday, &tz, &holidays).unwrap();
        assert_eq!(
            late.describe(),
            "no response from the provider in 2 business days (due by 2026-12-01)"
        );
        assert_eq!(
            overdue(Accepted, Some(sent), None, wednesday, &tz, &holidays),
            None,
            "an answered referral is not waiting"
        );
    }

    #[test]
    fn a_referral_still_waiting_for_the_service_past_its_due_date_is_overdue_and_no_other_is() {
        let tz = chrono_tz::UTC;
        let due = NaiveDate::from_ymd_opt(2026, 11, 20);
        let now = at(2026, 11, 21, 12);
        for status in [Accepted, Scheduled] {
            assert_eq!(
                overdue(status, None, due, now, &tz, &[]),
                Some(Overdue::PastDue {
                    due_on: due.unwrap()
                })
            );
        }
        for status in [Draft, Completed, Declined, NoShow, Closed, Cancelled] {
            assert_eq!(overdue(status, None, due, now, &tz, &[]), None, "{status}");
        }
        assert_eq!(
            overdue(Scheduled, None, due, at(2026, 11, 20, 23), &tz, &[]),
            None
        );
    }

    #[test]
    fn each_open_step_has_a_follow_up_due_on_the_business_calendar_and_the_end_has_none() {
        let tz = chrono_tz::America::Los_Angeles;
        // Friday 2026-11-27, 10:00 in Los Angeles.
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
        let due = |s: ReferralStatus, appt: Option<DateTime<Utc>>| {
            follow_up(s, "Clínica Esperanza", appt, now, &tz, &[])
                .map(|f| local_date(f.due_at, &tz).to_string())
        };
        assert_eq!(due(Sent, None).as_deref(), Some("2026-12-01"));
        assert_eq!(due(Accepted, None).as_deref(), Some("2026-12-02"));
        let appt = Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap();
        assert_eq!(due(Scheduled, Some(appt)).as_deref(), Some("2026-12-04"));
        assert_eq!(due(Completed, None).as_deref(), Some("2026-11-30"));
        assert_eq!(due(NoShow, None).as_deref(), Some("2026-11-30"));
        for s in [Draft, Closed, Cancelled] {
            assert_eq!(due(s, None), None, "{s}");
        }
        let f = follow_up(Sent, "Clínica Esperanza", None, now, &tz, &[]).unwrap();
        assert_eq!(
            f.title,
            "Confirm Clínica Esperanza received the referral and will answer"
        );
    }
}
