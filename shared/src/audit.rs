//! The audit trail [FHIR `AuditEvent`]: who did what to which record, when and
//! from where. Append-only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{PatientId, UserId};

code_enum! {
    /// Who acted.
    pub enum ActorType {
        /// A signed-in person.
        User,
        /// An integration or script using an API key.
        ApiKey,
        /// The system itself (command-line tools, scheduled rules).
        System,
    }
}

code_enum! {
    #[spelled_per_variant]
    /// What was done: every action the audit trail records. Stored and sent
    /// as `<record>.<verb>` (`patient.read`).
    #[derive(PartialOrd, Ord)]
    pub enum AuditAction {
        /// An alert was acknowledged.
        #[serde(rename = "alert.acknowledge")]
        #[strum(serialize = "alert.acknowledge")]
        AlertAcknowledge,
        /// Alerts were listed.
        #[serde(rename = "alert.list")]
        #[strum(serialize = "alert.list")]
        AlertList,
        /// An API key was created.
        #[serde(rename = "api_key.create")]
        #[strum(serialize = "api_key.create")]
        ApiKeyCreate,
        /// An API key was revoked.
        #[serde(rename = "api_key.revoke")]
        #[strum(serialize = "api_key.revoke")]
        ApiKeyRevoke,
        /// An appointment was recorded.
        #[serde(rename = "appointment.create")]
        #[strum(serialize = "appointment.create")]
        AppointmentCreate,
        /// A retried appointment was answered from its first result.
        #[serde(rename = "appointment.create_replayed")]
        #[strum(serialize = "appointment.create_replayed")]
        AppointmentCreateReplayed,
        /// Appointments were listed.
        #[serde(rename = "appointment.list")]
        #[strum(serialize = "appointment.list")]
        AppointmentList,
        /// An appointment was read.
        #[serde(rename = "appointment.read")]
        #[strum(serialize = "appointment.read")]
        AppointmentRead,
        /// An appointment was changed.
        #[serde(rename = "appointment.update")]
        #[strum(serialize = "appointment.update")]
        AppointmentUpdate,
        /// The audit trail was searched.
        #[serde(rename = "audit.query")]
        #[strum(serialize = "audit.query")]
        AuditQuery,
        /// Someone signed in.
        #[serde(rename = "auth.login")]
        #[strum(serialize = "auth.login")]
        AuthLogin,
        /// A sign-in failed.
        #[serde(rename = "auth.login_failed")]
        #[strum(serialize = "auth.login_failed")]
        AuthLoginFailed,
        /// Someone signed out.
        #[serde(rename = "auth.logout")]
        #[strum(serialize = "auth.logout")]
        AuthLogout,
        /// A spent refresh token was presented again.
        #[serde(rename = "auth.refresh_reused")]
        #[strum(serialize = "auth.refresh_reused")]
        AuthRefreshReused,
        /// Someone joined a care team.
        #[serde(rename = "care_team.create")]
        #[strum(serialize = "care_team.create")]
        CareTeamCreate,
        /// A care team was listed.
        #[serde(rename = "care_team.list")]
        #[strum(serialize = "care_team.list")]
        CareTeamList,
        /// A care-team membership changed.
        #[serde(rename = "care_team.update")]
        #[strum(serialize = "care_team.update")]
        CareTeamUpdate,
        /// A care plan (or one of its versions) was read.
        #[serde(rename = "care_plan.read")]
        #[strum(serialize = "care_plan.read")]
        CarePlanRead,
        /// A care plan was created or changed (a new version).
        #[serde(rename = "care_plan.update")]
        #[strum(serialize = "care_plan.update")]
        CarePlanUpdate,
        /// A chart review was recorded.
        #[serde(rename = "chart_review.create")]
        #[strum(serialize = "chart_review.create")]
        ChartReviewCreate,
        /// Chart reviews were listed.
        #[serde(rename = "chart_review.list")]
        #[strum(serialize = "chart_review.list")]
        ChartReviewList,
        /// A contact was added.
        #[serde(rename = "contact.create")]
        #[strum(serialize = "contact.create")]
        ContactCreate,
        /// Contacts were listed.
        #[serde(rename = "contact.list")]
        #[strum(serialize = "contact.list")]
        ContactList,
        /// A contact or their consent changed.
        #[serde(rename = "contact.update")]
        #[strum(serialize = "contact.update")]
        ContactUpdate,
        /// Patient education was recorded.
        #[serde(rename = "education.create")]
        #[strum(serialize = "education.create")]
        EducationCreate,
        /// Education records were listed.
        #[serde(rename = "education.list")]
        #[strum(serialize = "education.list")]
        EducationList,
        /// An encounter's admission was cancelled (HL7 A11).
        #[serde(rename = "encounter.cancel")]
        #[strum(serialize = "encounter.cancel")]
        EncounterCancel,
        /// An encounter's discharge was taken back (HL7 A13).
        #[serde(rename = "encounter.discharge_cancel")]
        #[strum(serialize = "encounter.discharge_cancel")]
        EncounterDischargeCancel,
        /// An encounter was recorded.
        #[serde(rename = "encounter.create")]
        #[strum(serialize = "encounter.create")]
        EncounterCreate,
        /// A retried encounter was answered from its first result.
        #[serde(rename = "encounter.create_replayed")]
        #[strum(serialize = "encounter.create_replayed")]
        EncounterCreateReplayed,
        /// Encounters were listed.
        #[serde(rename = "encounter.list")]
        #[strum(serialize = "encounter.list")]
        EncounterList,
        /// An encounter was read.
        #[serde(rename = "encounter.read")]
        #[strum(serialize = "encounter.read")]
        EncounterRead,
        /// An encounter was changed.
        #[serde(rename = "encounter.update")]
        #[strum(serialize = "encounter.update")]
        EncounterUpdate,
        /// A FHIR R4 resource was read (`GET /fhir/r4/{Type}/{id}`; the
        /// resource id is `Type/id`, `details.type` the FHIR type).
        #[serde(rename = "fhir.read")]
        #[strum(serialize = "fhir.read")]
        FhirRead,
        /// A FHIR R4 type was searched (`details.type`, `details.query`, the
        /// patients the page showed in `details.patient_ids`).
        #[serde(rename = "fhir.search")]
        #[strum(serialize = "fhir.search")]
        FhirSearch,
        /// An HL7 v2 message was received and answered (when no encounter
        /// change of its own was audited: refused, not applicable, or
        /// changing nothing).
        #[serde(rename = "hl7v2.receive")]
        #[strum(serialize = "hl7v2.receive")]
        Hl7Receive,
        /// An HL7 v2 message resent with a known control id was answered
        /// with its first acknowledgment.
        #[serde(rename = "hl7v2.replay")]
        #[strum(serialize = "hl7v2.replay")]
        Hl7Replay,
        /// An assigning authority's identifier system was set.
        #[serde(rename = "hl7v2.identifier_system_put")]
        #[strum(serialize = "hl7v2.identifier_system_put")]
        Hl7IdentifierSystemPut,
        /// A patient's gaps in care were read.
        #[serde(rename = "gaps.read")]
        #[strum(serialize = "gaps.read")]
        GapsRead,
        /// An addendum was added to a note.
        #[serde(rename = "note.addendum")]
        #[strum(serialize = "note.addendum")]
        NoteAddendum,
        /// A note was written.
        #[serde(rename = "note.create")]
        #[strum(serialize = "note.create")]
        NoteCreate,
        /// Notes were listed.
        #[serde(rename = "note.list")]
        #[strum(serialize = "note.list")]
        NoteList,
        /// A note was read.
        #[serde(rename = "note.read")]
        #[strum(serialize = "note.read")]
        NoteRead,
        /// A note was signed.
        #[serde(rename = "note.sign")]
        #[strum(serialize = "note.sign")]
        NoteSign,
        /// An unsigned note was changed.
        #[serde(rename = "note.update")]
        #[strum(serialize = "note.update")]
        NoteUpdate,
        /// The organization's settings changed.
        #[serde(rename = "organization.update")]
        #[strum(serialize = "organization.update")]
        OrganizationUpdate,
        /// An outreach attempt was logged.
        #[serde(rename = "outreach.create")]
        #[strum(serialize = "outreach.create")]
        OutreachCreate,
        /// Outreach attempts were listed.
        #[serde(rename = "outreach.list")]
        #[strum(serialize = "outreach.list")]
        OutreachList,
        /// A patient was registered.
        #[serde(rename = "patient.create")]
        #[strum(serialize = "patient.create")]
        PatientCreate,
        /// A retried registration was answered from its first result.
        #[serde(rename = "patient.create_replayed")]
        #[strum(serialize = "patient.create_replayed")]
        PatientCreateReplayed,
        /// Patients were listed or searched.
        #[serde(rename = "patient.list")]
        #[strum(serialize = "patient.list")]
        PatientList,
        /// A patient was read.
        #[serde(rename = "patient.read")]
        #[strum(serialize = "patient.read")]
        PatientRead,
        /// A case moved through its lifecycle.
        #[serde(rename = "patient.status_change")]
        #[strum(serialize = "patient.status_change")]
        PatientStatusChange,
        /// A patient's record changed.
        #[serde(rename = "patient.update")]
        #[strum(serialize = "patient.update")]
        PatientUpdate,
        /// A patient's risk level was overridden by hand.
        #[serde(rename = "risk.override")]
        #[strum(serialize = "risk.override")]
        RiskOverride,
        /// A patient's risk and its factors were read.
        #[serde(rename = "risk.read")]
        #[strum(serialize = "risk.read")]
        RiskRead,
        /// A screening was recorded.
        #[serde(rename = "screening.create")]
        #[strum(serialize = "screening.create")]
        ScreeningCreate,
        /// A screening was marked entered in error.
        #[serde(rename = "screening.entered_in_error")]
        #[strum(serialize = "screening.entered_in_error")]
        ScreeningEnteredInError,
        /// Screenings were listed.
        #[serde(rename = "screening.list")]
        #[strum(serialize = "screening.list")]
        ScreeningList,
        /// A screening was read.
        #[serde(rename = "screening.read")]
        #[strum(serialize = "screening.read")]
        ScreeningRead,
        /// A task was created by hand.
        #[serde(rename = "task.create")]
        #[strum(serialize = "task.create")]
        TaskCreate,
        /// A retried task was answered from its first result.
        #[serde(rename = "task.create_replayed")]
        #[strum(serialize = "task.create_replayed")]
        TaskCreateReplayed,
        /// Tasks were listed.
        #[serde(rename = "task.list")]
        #[strum(serialize = "task.list")]
        TaskList,
        /// A task was read.
        #[serde(rename = "task.read")]
        #[strum(serialize = "task.read")]
        TaskRead,
        /// The scheduler opened a task (a PHQ-9 or a care-plan review came due).
        #[serde(rename = "task.scheduled")]
        #[strum(serialize = "task.scheduled")]
        TaskScheduled,
        /// A task was worked, reassigned or rescheduled.
        #[serde(rename = "task.update")]
        #[strum(serialize = "task.update")]
        TaskUpdate,
        /// A patient's timeline was read.
        #[serde(rename = "timeline.read")]
        #[strum(serialize = "timeline.read")]
        TimelineRead,
        /// A user was created.
        #[serde(rename = "user.create")]
        #[strum(serialize = "user.create")]
        UserCreate,
        /// A user was changed.
        #[serde(rename = "user.update")]
        #[strum(serialize = "user.update")]
        UserUpdate,
        /// A worklist was read.
        #[serde(rename = "worklist.read")]
        #[strum(serialize = "worklist.read")]
        WorklistRead,
        /// A referral barrier was recorded.
        #[serde(rename = "barrier.create")]
        #[strum(serialize = "barrier.create")]
        BarrierCreate,
        /// A referral barrier was described, resolved or reopened.
        #[serde(rename = "barrier.update")]
        #[strum(serialize = "barrier.update")]
        BarrierUpdate,
        /// A patient was referred to a program.
        #[serde(rename = "enrollment.create")]
        #[strum(serialize = "enrollment.create")]
        EnrollmentCreate,
        /// A patient's program enrollments were listed.
        #[serde(rename = "enrollment.list")]
        #[strum(serialize = "enrollment.list")]
        EnrollmentList,
        /// A program enrollment moved on or changed.
        #[serde(rename = "enrollment.update")]
        #[strum(serialize = "enrollment.update")]
        EnrollmentUpdate,
        /// A patient's medical-necessity facts were read.
        #[serde(rename = "necessity.read")]
        #[strum(serialize = "necessity.read")]
        NecessityRead,
        /// A community program was added.
        #[serde(rename = "program.create")]
        #[strum(serialize = "program.create")]
        ProgramCreate,
        /// A recruiting activity was logged.
        #[serde(rename = "provider.activity_create")]
        #[strum(serialize = "provider.activity_create")]
        ProviderActivityCreate,
        /// A provider was added to the directory.
        #[serde(rename = "provider.create")]
        #[strum(serialize = "provider.create")]
        ProviderCreate,
        /// A credentialing document was recorded.
        #[serde(rename = "provider.credential_create")]
        #[strum(serialize = "provider.credential_create")]
        ProviderCredentialCreate,
        /// A provider was changed.
        #[serde(rename = "provider.update")]
        #[strum(serialize = "provider.update")]
        ProviderUpdate,
        /// A referral was drafted.
        #[serde(rename = "referral.create")]
        #[strum(serialize = "referral.create")]
        ReferralCreate,
        /// Referrals were listed.
        #[serde(rename = "referral.list")]
        #[strum(serialize = "referral.list")]
        ReferralList,
        /// A referral was sent although medical necessity was not met.
        #[serde(rename = "referral.necessity_override")]
        #[strum(serialize = "referral.necessity_override")]
        ReferralNecessityOverride,
        /// A referral was read.
        #[serde(rename = "referral.read")]
        #[strum(serialize = "referral.read")]
        ReferralRead,
        /// A referral moved to another status.
        #[serde(rename = "referral.status")]
        #[strum(serialize = "referral.status")]
        ReferralStatus,
        /// A referral was changed.
        #[serde(rename = "referral.update")]
        #[strum(serialize = "referral.update")]
        ReferralUpdate,
        /// A service's medical-necessity criteria were set.
        #[serde(rename = "service_criteria.update")]
        #[strum(serialize = "service_criteria.update")]
        ServiceCriteriaUpdate,
        /// A report was read (aggregates; no patient in it).
        #[serde(rename = "report.read")]
        #[strum(serialize = "report.read")]
        ReportRead,
        /// A quality measure was computed, with its patient lists.
        #[serde(rename = "measure.read")]
        #[strum(serialize = "measure.read")]
        MeasureRead,
        /// A huddle's proposed agenda was read (the patients on it listed).
        #[serde(rename = "huddle.agenda")]
        #[strum(serialize = "huddle.agenda")]
        HuddleAgenda,
        /// A huddle was recorded (one event per patient it discussed or gave
        /// an action item about).
        #[serde(rename = "huddle.create")]
        #[strum(serialize = "huddle.create")]
        HuddleCreate,
        /// Huddles were listed.
        #[serde(rename = "huddle.list")]
        #[strum(serialize = "huddle.list")]
        HuddleList,
        /// A huddle was read.
        #[serde(rename = "huddle.read")]
        #[strum(serialize = "huddle.read")]
        HuddleRead,
        /// A huddle's notes were changed.
        #[serde(rename = "huddle.update")]
        #[strum(serialize = "huddle.update")]
        HuddleUpdate,
        /// A webhook subscription was created.
        #[serde(rename = "webhook.create")]
        #[strum(serialize = "webhook.create")]
        WebhookCreate,
        /// A webhook subscription was deleted.
        #[serde(rename = "webhook.delete")]
        #[strum(serialize = "webhook.delete")]
        WebhookDelete,
        /// A webhook subscription was changed.
        #[serde(rename = "webhook.update")]
        #[strum(serialize = "webhook.update")]
        WebhookUpdate,
        /// A webhook delivery was queued again by an admin.
        #[serde(rename = "webhook_delivery.replay")]
        #[strum(serialize = "webhook_delivery.replay")]
        WebhookDeliveryReplay,
    }
}

impl AuditAction {
    /// The kind of record the action is about (`patient`, `api_key` …).
    pub fn resource_type(self) -> &'static str {
        match self {
            AuditAction::AlertAcknowledge | AuditAction::AlertList => "alert",
            AuditAction::ApiKeyCreate | AuditAction::ApiKeyRevoke => "api_key",
            AuditAction::AppointmentCreate
            | AuditAction::AppointmentCreateReplayed
            | AuditAction::AppointmentList
            | AuditAction::AppointmentRead
            | AuditAction::AppointmentUpdate => "appointment",
            AuditAction::AuditQuery => "audit_event",
            AuditAction::AuthLogin
            | AuditAction::AuthLoginFailed
            | AuditAction::AuthLogout
            | AuditAction::AuthRefreshReused
            | AuditAction::UserCreate
            | AuditAction::UserUpdate => "user",
            AuditAction::CareTeamCreate
            | AuditAction::CareTeamList
            | AuditAction::CareTeamUpdate => "care_team_member",
            AuditAction::ContactCreate | AuditAction::ContactList | AuditAction::ContactUpdate => {
                "contact"
            }
            AuditAction::EncounterCancel
            | AuditAction::EncounterCreate
            | AuditAction::EncounterCreateReplayed
            | AuditAction::EncounterDischargeCancel
            | AuditAction::EncounterList
            | AuditAction::EncounterRead
            | AuditAction::EncounterUpdate => "encounter",
            AuditAction::NoteAddendum
            | AuditAction::NoteCreate
            | AuditAction::NoteList
            | AuditAction::NoteRead
            | AuditAction::NoteSign
            | AuditAction::NoteUpdate => "note",
            AuditAction::OrganizationUpdate => "organization",
            AuditAction::Hl7Receive | AuditAction::Hl7Replay => "hl7_message",
            AuditAction::Hl7IdentifierSystemPut => "hl7_identifier_system",
            AuditAction::OutreachCreate | AuditAction::OutreachList => "outreach_attempt",
            AuditAction::FhirRead | AuditAction::FhirSearch => "fhir_resource",
            AuditAction::GapsRead
            | AuditAction::NecessityRead
            | AuditAction::RiskOverride
            | AuditAction::RiskRead
            | AuditAction::PatientCreate
            | AuditAction::PatientCreateReplayed
            | AuditAction::PatientList
            | AuditAction::PatientRead
            | AuditAction::PatientStatusChange
            | AuditAction::PatientUpdate
            | AuditAction::TimelineRead => "patient",
            AuditAction::CarePlanRead | AuditAction::CarePlanUpdate => "care_plan",
            AuditAction::ChartReviewCreate | AuditAction::ChartReviewList => "chart_review",
            AuditAction::EducationCreate | AuditAction::EducationList => "education_record",
            AuditAction::ScreeningCreate
            | AuditAction::ScreeningEnteredInError
            | AuditAction::ScreeningList
            | AuditAction::ScreeningRead => "screening",
            AuditAction::BarrierCreate | AuditAction::BarrierUpdate => "referral_barrier",
            AuditAction::EnrollmentCreate
            | AuditAction::EnrollmentList
            | AuditAction::EnrollmentUpdate => "enrollment",
            AuditAction::ProgramCreate => "program",
            AuditAction::ReportRead => "report",
            AuditAction::MeasureRead => "measure",
            AuditAction::ProviderActivityCreate
            | AuditAction::ProviderCreate
            | AuditAction::ProviderCredentialCreate
            | AuditAction::ProviderUpdate => "provider",
            AuditAction::ReferralCreate
            | AuditAction::ReferralList
            | AuditAction::ReferralNecessityOverride
            | AuditAction::ReferralRead
            | AuditAction::ReferralStatus
            | AuditAction::ReferralUpdate => "referral",
            AuditAction::ServiceCriteriaUpdate => "service_criteria",
            AuditAction::HuddleAgenda
            | AuditAction::HuddleCreate
            | AuditAction::HuddleList
            | AuditAction::HuddleRead
            | AuditAction::HuddleUpdate => "huddle",
            AuditAction::WebhookCreate
            | AuditAction::WebhookDelete
            | AuditAction::WebhookUpdate => "webhook",
            AuditAction::WebhookDeliveryReplay => "webhook_delivery",
            AuditAction::TaskCreate
            | AuditAction::TaskCreateReplayed
            | AuditAction::TaskList
            | AuditAction::TaskRead
            | AuditAction::TaskScheduled
            | AuditAction::TaskUpdate
            | AuditAction::WorklistRead => "task",
        }
    }
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    /// Event id (increasing).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Kind of actor.
    pub actor_type: ActorType,
    /// The user or API key that acted.
    pub actor_id: Option<Uuid>,
    /// The user's email or the key's name, as it was then.
    pub actor_label: Option<String>,
    /// What was done: `patient.read`, `patient.update`, `user.create` …
    pub action: AuditAction,
    /// The patient whose data was touched, if one was.
    pub patient_id: Option<PatientId>,
    /// Kind of record (`patient`, `user`, `api_key` …).
    pub resource_type: String,
    /// The record's id.
    pub resource_id: Option<String>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
    /// The client's network address.
    pub client_addr: Option<String>,
    /// Further facts (filters used, fields changed, patients listed).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// Filters for `GET /api/v1/audit-events` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only events touching this patient (including lists that showed them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<PatientId>,
    /// Only events by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Only events at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only this action, e.g. `patient.read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AuditAction>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn actions_travel_as_record_dot_verb() {
        assert_eq!(AuditAction::PatientRead.as_ref(), "patient.read");
        assert_eq!(
            serde_json::to_value(AuditAction::AuthLoginFailed).unwrap(),
            "auth.login_failed"
        );
        for action in AuditAction::VARIANTS {
            assert_eq!(action.to_string().parse::<AuditAction>().unwrap(), *action);
        }
        assert_eq!(
            AuditAction::OutreachCreate.resource_type(),
            "outreach_attempt"
        );
        assert_eq!(AuditAction::WorklistRead.resource_type(), "task");
    }
}
