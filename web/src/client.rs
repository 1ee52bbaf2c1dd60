//! The typed API calls the screens make, one function per endpoint: lists
//! take their filters and a [`PageQuery`] (the API reads both from one
//! query string), changes take the version they are based on, and records
//! come back with the version their `ETag` names.
//!
//! Sits on [`crate::session`] (signed-in requests) in the SPA's one-way
//! stack `transport → session → client → state`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::alerts::{Alert, AlertListQuery};
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::appointments::{Appointment, AppointmentListQuery, AppointmentPatch, NewAppointment};
use shared::audit::{AuditEvent, AuditQuery};
use shared::auth::Me;
use shared::care_plan::{CarePlan, CarePlanVersion, CarePlanWrite};
use shared::care_team::{CareTeamMember, NewCareTeamMember};
use shared::case_status::StatusChangeRequest;
use shared::chart_review::{ChartReview, NewChartReview};
use shared::contacts::{Contact, NewContact};
use shared::education::{EducationRecord, NewEducation};
use shared::encounters::{Encounter, EncounterListQuery, EncounterPatch, NewEncounter};
use shared::gaps::Gap;
use shared::hl7::{IdentifierSystem, IdentifierSystemWrite};
use shared::huddles::{AgendaItem, AgendaQuery, Huddle, NewHuddle};
use shared::ids::{PatientId, TaskId, UserId};
use shared::measures::{MeasureId, MeasureResult, MeasureSpec};
use shared::necessity::{Facts, ServiceCriteria};
use shared::notes::{NewAddendum, NewNote, Note, NotePatch, SignRequest};
use shared::organization::Workload;
use shared::outreach::{NewOutreachAttempt, OutreachAttempt};
use shared::pagination::{MAX_LIMIT, Page, PageQuery};
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::programs::{Enrollment, EnrollmentPatch, NewEnrollment, Program};
use shared::providers::{
    Credential, DirectoryEntry, NewCredential, NewProvider, NewProviderActivity, Provider,
    ProviderActivity, ProviderPatch, ProviderQuery, ServiceType,
};
use shared::referral::{
    Barrier, BarrierPatch, NewBarrier, NewReferral, Referral, ReferralQuery, ReferralStatusChange,
};
use shared::reports::{AnyReport, GroupBy, ReportFormat, ReportName};
use shared::risk::{Risk, RiskOverrideRequest};
use shared::screening::{EnteredInErrorRequest, NewScreening, Screening, ScreeningListQuery};
use shared::tasks::{Task, TaskListQuery, TaskPatch};
use shared::timeline::TimelineEntry;
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use shared::webhooks::{
    CreatedWebhook, Delivery, DeliveryQuery, NewWebhook, Webhook, WebhookPatch,
};
use shared::worklist::WorklistItem;
use uuid::Uuid;

use crate::session;
use crate::transport::{ApiError, Method, json, paged_path};

/// A list that has no filters of its own, only paging.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NoFilters {}

/// Whose worklist `GET /worklist` answers with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WorklistQuery {
    /// Someone else's worklist (supervisors); mine when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
}

/// `GET path` as `T`.
async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    session::request(Method::Get, path, None, None)
        .await?
        .decode()
}

/// One page of the list at `path`.
async fn page<F: Serialize, T: DeserializeOwned>(
    path: &str,
    filters: &F,
    page: &PageQuery,
) -> Result<Page<T>, ApiError> {
    get(&paged_path(path, filters, page)).await
}

/// `POST path` with `body`, answered with a `T`.
async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    session::request(Method::Post, path, Some(json(body)?), None)
        .await?
        .decode()
}

/// Records whose version is their concurrency token (the `ETag`).
pub trait Versioned {
    /// Where the version is kept.
    fn version_mut(&mut self) -> &mut i32;
}

macro_rules! versioned {
    ($($t:ty),*) => {
        $(impl Versioned for $t {
            fn version_mut(&mut self) -> &mut i32 {
                &mut self.version
            }
        })*
    };
}

versioned!(
    Patient,
    User,
    Task,
    Note,
    Encounter,
    Appointment,
    Contact,
    CareTeamMember,
    Screening,
    CarePlan,
    Provider,
    Referral,
    Barrier,
    Enrollment,
    ServiceCriteria,
    Program,
    Huddle,
    Webhook,
    IdentifierSystem
);

/// Sends a request and reads a record whose version is the one its `ETag`
/// names (the token the next change must send back).
async fn versioned<T: DeserializeOwned + Versioned>(
    method: Method,
    path: &str,
    body: Option<String>,
    if_match: Option<i32>,
) -> Result<T, ApiError> {
    let answer = session::request(method, path, body, if_match).await?;
    let mut record: T = answer.decode()?;
    if let Some(v) = answer.etag {
        *record.version_mut() = v;
    }
    Ok(record)
}

/// Reads a versioned record at `path`.
async fn read<T: DeserializeOwned + Versioned>(path: &str) -> Result<T, ApiError> {
    versioned(Method::Get, path, None, None).await
}

/// Creates a versioned record at `path`.
async fn create<B: Serialize + ?Sized, T: DeserializeOwned + Versioned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    versioned(Method::Post, path, Some(json(body)?), None).await
}

/// Changes a versioned record at `path` (`method` is PATCH, or POST for
/// actions such as a status change); `version` is the one it is based on.
async fn change<B: Serialize + ?Sized, T: DeserializeOwned + Versioned>(
    method: Method,
    path: &str,
    body: &B,
    version: i32,
) -> Result<T, ApiError> {
    versioned(method, path, Some(json(body)?), Some(version)).await
}

/// The signed-in user.
pub async fn me() -> Result<Me, ApiError> {
    get("/api/v1/auth/me").await
}

/// A page of patients.
pub async fn list_patients(
    filters: &PatientListQuery,
    at: &PageQuery,
) -> Result<Page<Patient>, ApiError> {
    page("/api/v1/patients", filters, at).await
}

/// One patient.
pub async fn get_patient(id: PatientId) -> Result<Patient, ApiError> {
    read(&format!("/api/v1/patients/{id}")).await
}

/// Registers a patient.
pub async fn create_patient(new: &NewPatient) -> Result<Patient, ApiError> {
    create("/api/v1/patients", new).await
}

/// Changes a patient; `version` is the one the change is based on.
pub async fn update_patient(
    id: PatientId,
    changes: &PatientPatch,
    version: i32,
) -> Result<Patient, ApiError> {
    let path = format!("/api/v1/patients/{id}");
    change(Method::Patch, &path, changes, version).await
}

/// Moves a case to another status.
pub async fn change_status(
    id: PatientId,
    request: &StatusChangeRequest,
    version: i32,
) -> Result<Patient, ApiError> {
    let path = format!("/api/v1/patients/{id}/status");
    change(Method::Post, &path, request, version).await
}

/// A page of users.
pub async fn list_users(filters: &UserListQuery, at: &PageQuery) -> Result<Page<User>, ApiError> {
    page("/api/v1/users", filters, at).await
}

/// Every user of the organization (following the pages).
pub async fn all_users() -> Result<Vec<User>, ApiError> {
    let mut at = PageQuery::first(MAX_LIMIT);
    let mut users = Vec::new();
    loop {
        let next = list_users(&UserListQuery::default(), &at).await?;
        users.extend(next.items);
        match next.next_cursor {
            Some(cursor) => at = PageQuery::after(at.limit, Some(cursor)),
            None => return Ok(users),
        }
    }
}

/// Creates a user (admins).
pub async fn create_user(new: &NewUser) -> Result<User, ApiError> {
    create("/api/v1/users", new).await
}

/// Changes a user (admins); `version` is the one the change is based on.
pub async fn update_user(id: UserId, changes: &UserPatch, version: i32) -> Result<User, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/users/{id}"),
        changes,
        version,
    )
    .await
}

/// A page of API keys.
pub async fn list_api_keys(at: &PageQuery) -> Result<Page<ApiKey>, ApiError> {
    page("/api/v1/api-keys", &NoFilters {}, at).await
}

/// Creates an API key; the answer holds the secret, this once.
pub async fn create_api_key(new: &NewApiKey) -> Result<CreatedApiKey, ApiError> {
    post("/api/v1/api-keys", new).await
}

/// Revokes an API key.
pub async fn revoke_api_key(id: Uuid) -> Result<(), ApiError> {
    let path = format!("/api/v1/api-keys/{id}");
    session::request(Method::Delete, &path, None, None).await?;
    Ok(())
}

/// A page of webhook subscriptions.
pub async fn list_webhooks(at: &PageQuery) -> Result<Page<Webhook>, ApiError> {
    page("/api/v1/webhooks", &NoFilters {}, at).await
}

/// Subscribes a URL; the answer holds the signing secret, this once.
pub async fn create_webhook(new: &NewWebhook) -> Result<CreatedWebhook, ApiError> {
    post("/api/v1/webhooks", new).await
}

/// Changes a subscription; `version` is the one the change is based on.
pub async fn update_webhook(
    id: Uuid,
    changes: &WebhookPatch,
    version: i32,
) -> Result<Webhook, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/webhooks/{id}"),
        changes,
        version,
    )
    .await
}

/// Deletes a subscription.
pub async fn delete_webhook(id: Uuid) -> Result<(), ApiError> {
    let path = format!("/api/v1/webhooks/{id}");
    session::request(Method::Delete, &path, None, None).await?;
    Ok(())
}

/// A page of the HL7 v2 assigning authorities mapped to identifier
/// systems (admins), by authority.
pub async fn list_identifier_systems(at: &PageQuery) -> Result<Page<IdentifierSystem>, ApiError> {
    page(
        "/api/v1/integrations/hl7v2/identifier-systems",
        &NoFilters {},
        at,
    )
    .await
}

/// Maps an assigning authority to an identifier system: creates the
/// mapping when `write.version` is none, else changes that version.
pub async fn put_identifier_system(
    authority: &str,
    write: &IdentifierSystemWrite,
) -> Result<IdentifierSystem, ApiError> {
    let path = format!(
        "/api/v1/integrations/hl7v2/identifier-systems/{}",
        js_sys::encode_uri_component(authority)
    );
    versioned(Method::Put, &path, Some(json(write)?), write.version).await
}

/// A page of a subscription's deliveries, newest first.
pub async fn list_deliveries(
    webhook: Uuid,
    filters: &DeliveryQuery,
    at: &PageQuery,
) -> Result<Page<Delivery>, ApiError> {
    page(
        &format!("/api/v1/webhooks/{webhook}/deliveries"),
        filters,
        at,
    )
    .await
}

/// Queues one more attempt of a delivery, now.
pub async fn replay_delivery(id: Uuid) -> Result<Delivery, ApiError> {
    post(&format!("/api/v1/webhook-deliveries/{id}/replay"), &()).await
}

/// A page of the audit trail.
pub async fn list_audit(
    filters: &AuditQuery,
    at: &PageQuery,
) -> Result<Page<AuditEvent>, ApiError> {
    page("/api/v1/audit-events", filters, at).await
}

/// A page of a worklist, in order.
pub async fn worklist(
    filters: &WorklistQuery,
    at: &PageQuery,
) -> Result<Page<WorklistItem>, ApiError> {
    page("/api/v1/worklist", filters, at).await
}

/// A page of the team's workload (supervisors).
pub async fn team_workload(at: &PageQuery) -> Result<Page<Workload>, ApiError> {
    page("/api/v1/team/workload", &NoFilters {}, at).await
}

/// A page of tasks.
pub async fn list_tasks(filters: &TaskListQuery, at: &PageQuery) -> Result<Page<Task>, ApiError> {
    page("/api/v1/tasks", filters, at).await
}

/// One task.
pub async fn get_task(id: TaskId) -> Result<Task, ApiError> {
    read(&format!("/api/v1/tasks/{id}")).await
}

/// Changes a task (start, finish, cancel, reassign); `version` is the one
/// the change is based on.
pub async fn update_task(id: TaskId, changes: &TaskPatch, version: i32) -> Result<Task, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/tasks/{id}"),
        changes,
        version,
    )
    .await
}

/// Logs an outreach attempt.
pub async fn log_outreach(
    patient: PatientId,
    attempt: &NewOutreachAttempt,
) -> Result<OutreachAttempt, ApiError> {
    post(
        &format!("/api/v1/patients/{patient}/outreach-attempts"),
        attempt,
    )
    .await
}

/// A page of alerts.
pub async fn list_alerts(
    filters: &AlertListQuery,
    at: &PageQuery,
) -> Result<Page<Alert>, ApiError> {
    page("/api/v1/alerts", filters, at).await
}

/// Acknowledges an alert.
pub async fn acknowledge_alert(id: Uuid) -> Result<Alert, ApiError> {
    let path = format!("/api/v1/alerts/{id}/acknowledge");
    session::request(Method::Post, &path, None, None)
        .await?
        .decode()
}

/// A page of a patient's contacts.
pub async fn list_contacts(patient: PatientId, at: &PageQuery) -> Result<Page<Contact>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/contacts");
    page(&path, &NoFilters {}, at).await
}

/// Adds a contact.
pub async fn create_contact(patient: PatientId, new: &NewContact) -> Result<Contact, ApiError> {
    create(&format!("/api/v1/patients/{patient}/contacts"), new).await
}

/// A page of a patient's screenings, oldest first (one instrument's
/// history with `filters.instrument`).
pub async fn list_screenings(
    patient: PatientId,
    filters: &ScreeningListQuery,
    at: &PageQuery,
) -> Result<Page<Screening>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/screenings");
    page(&path, filters, at).await
}

/// Records a screening; the server scores it.
pub async fn create_screening(
    patient: PatientId,
    new: &NewScreening,
) -> Result<Screening, ApiError> {
    create(&format!("/api/v1/patients/{patient}/screenings"), new).await
}

/// One screening.
pub async fn get_screening(id: Uuid) -> Result<Screening, ApiError> {
    read(&format!("/api/v1/screenings/{id}")).await
}

/// Marks a screening entered in error (it stays in the record, counting
/// for nothing).
pub async fn mark_screening_entered_in_error(
    id: Uuid,
    reason: &str,
    version: i32,
) -> Result<Screening, ApiError> {
    let path = format!("/api/v1/screenings/{id}/entered-in-error");
    let body = EnteredInErrorRequest {
        reason: reason.to_string(),
        version: Some(version),
    };
    change(Method::Post, &path, &body, version).await
}

/// A page of a patient's care team.
pub async fn list_care_team(
    patient: PatientId,
    at: &PageQuery,
) -> Result<Page<CareTeamMember>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/care-team");
    page(&path, &NoFilters {}, at).await
}

/// Adds a care team member.
pub async fn add_care_team_member(
    patient: PatientId,
    new: &NewCareTeamMember,
) -> Result<CareTeamMember, ApiError> {
    create(&format!("/api/v1/patients/{patient}/care-team"), new).await
}

/// A page of a patient's timeline, newest first.
pub async fn timeline(patient: PatientId, at: &PageQuery) -> Result<Page<TimelineEntry>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/timeline");
    page(&path, &NoFilters {}, at).await
}

/// A page of encounters.
pub async fn list_encounters(
    filters: &EncounterListQuery,
    at: &PageQuery,
) -> Result<Page<Encounter>, ApiError> {
    page("/api/v1/encounters", filters, at).await
}

/// Records an admission or a discharge by hand.
pub async fn create_encounter(new: &NewEncounter) -> Result<Encounter, ApiError> {
    create("/api/v1/encounters", new).await
}

/// Changes an encounter (adds the discharge, say).
pub async fn update_encounter(
    id: Uuid,
    changes: &EncounterPatch,
    version: i32,
) -> Result<Encounter, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/encounters/{id}"),
        changes,
        version,
    )
    .await
}

/// A page of appointments.
pub async fn list_appointments(
    filters: &AppointmentListQuery,
    at: &PageQuery,
) -> Result<Page<Appointment>, ApiError> {
    page("/api/v1/appointments", filters, at).await
}

/// Records an appointment.
pub async fn create_appointment(new: &NewAppointment) -> Result<Appointment, ApiError> {
    create("/api/v1/appointments", new).await
}

/// Changes an appointment (its status, say).
pub async fn update_appointment(
    id: Uuid,
    changes: &AppointmentPatch,
    version: i32,
) -> Result<Appointment, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/appointments/{id}"),
        changes,
        version,
    )
    .await
}

/// A page of a patient's notes.
pub async fn list_notes(patient: PatientId, at: &PageQuery) -> Result<Page<Note>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/notes");
    page(&path, &NoFilters {}, at).await
}

/// Writes a note (unsigned).
pub async fn create_note(patient: PatientId, new: &NewNote) -> Result<Note, ApiError> {
    create(&format!("/api/v1/patients/{patient}/notes"), new).await
}

/// One note.
pub async fn get_note(id: Uuid) -> Result<Note, ApiError> {
    read(&format!("/api/v1/notes/{id}")).await
}

/// Edits an unsigned note.
pub async fn update_note(id: Uuid, changes: &NotePatch, version: i32) -> Result<Note, ApiError> {
    change(
        Method::Patch,
        &format!("/api/v1/notes/{id}"),
        changes,
        version,
    )
    .await
}

/// Signs a note: the version read becomes final.
pub async fn sign_note(id: Uuid, version: i32) -> Result<Note, ApiError> {
    let body = SignRequest {
        version: Some(version),
    };
    change(
        Method::Post,
        &format!("/api/v1/notes/{id}/sign"),
        &body,
        version,
    )
    .await
}

/// Adds an addendum to a signed note.
pub async fn add_addendum(id: Uuid, new: &NewAddendum) -> Result<Note, ApiError> {
    create(&format!("/api/v1/notes/{id}/addenda"), new).await
}

/// A patient's risk: the level in force, the computed level with its
/// factors, the override in force and the latest changes.
pub async fn get_risk(patient: PatientId) -> Result<Risk, ApiError> {
    get(&format!("/api/v1/patients/{patient}/risk")).await
}

/// Overrides a patient's computed risk level until a date, for a reason.
pub async fn override_risk(
    patient: PatientId,
    request: &RiskOverrideRequest,
) -> Result<Risk, ApiError> {
    post(
        &format!("/api/v1/patients/{patient}/risk/override"),
        request,
    )
    .await
}

/// A patient's current gaps in care (one page holds them all).
pub async fn list_gaps(patient: PatientId) -> Result<Page<Gap>, ApiError> {
    get(&format!("/api/v1/patients/{patient}/gaps")).await
}

/// Records a chart review; the gaps it names become tasks.
pub async fn record_chart_review(
    patient: PatientId,
    review: &NewChartReview,
) -> Result<ChartReview, ApiError> {
    post(&format!("/api/v1/patients/{patient}/chart-reviews"), review).await
}

/// A patient's care plan at its current version (a not-found problem
/// when the patient has none yet).
pub async fn get_care_plan(patient: PatientId) -> Result<CarePlan, ApiError> {
    read(&format!("/api/v1/patients/{patient}/care-plan")).await
}

/// Saves the whole care plan as a new version: `version` is the one the
/// edit is based on, none to create the plan.
pub async fn save_care_plan(
    patient: PatientId,
    plan: &CarePlanWrite,
    version: Option<i32>,
) -> Result<CarePlan, ApiError> {
    let path = format!("/api/v1/patients/{patient}/care-plan");
    versioned(Method::Put, &path, Some(json(plan)?), version).await
}

/// Version `n` of a care plan, with what changed from version
/// `compare_to` (by default the version before).
pub async fn get_care_plan_version(
    plan: Uuid,
    n: i32,
    compare_to: Option<i32>,
) -> Result<CarePlanVersion, ApiError> {
    let path = match compare_to {
        Some(c) => format!("/api/v1/care-plans/{plan}/versions/{n}?compare_to={c}"),
        None => format!("/api/v1/care-plans/{plan}/versions/{n}"),
    };
    get(&path).await
}

/// A page of the education a patient (or their contacts) received, newest first.
pub async fn list_education(
    patient: PatientId,
    at: &PageQuery,
) -> Result<Page<EducationRecord>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/education");
    page(&path, &NoFilters {}, at).await
}

/// Records education given.
pub async fn record_education(
    patient: PatientId,
    new: &NewEducation,
) -> Result<EducationRecord, ApiError> {
    post(&format!("/api/v1/patients/{patient}/education"), new).await
}

/// A page of the provider directory, ranked (for a patient with
/// `filters.near_patient_id`), each entry saying why it is there.
pub async fn list_providers(
    filters: &ProviderQuery,
    at: &PageQuery,
) -> Result<Page<DirectoryEntry>, ApiError> {
    page("/api/v1/providers", filters, at).await
}

/// One provider, with its quality figures.
pub async fn get_provider(id: Uuid) -> Result<Provider, ApiError> {
    read(&format!("/api/v1/providers/{id}")).await
}

/// Adds a provider to the directory.
pub async fn create_provider(new: &NewProvider) -> Result<Provider, ApiError> {
    create("/api/v1/providers", new).await
}

/// Changes a provider; `version` is the one the change is based on.
pub async fn update_provider(
    id: Uuid,
    changes: &ProviderPatch,
    version: i32,
) -> Result<Provider, ApiError> {
    let path = format!("/api/v1/providers/{id}");
    change(Method::Patch, &path, changes, version).await
}

/// A page of a provider's recruiting activities.
pub async fn list_provider_activities(
    provider: Uuid,
    at: &PageQuery,
) -> Result<Page<ProviderActivity>, ApiError> {
    let path = format!("/api/v1/providers/{provider}/activities");
    page(&path, &NoFilters {}, at).await
}

/// Logs a recruiting activity.
pub async fn log_provider_activity(
    provider: Uuid,
    new: &NewProviderActivity,
) -> Result<ProviderActivity, ApiError> {
    post(&format!("/api/v1/providers/{provider}/activities"), new).await
}

/// A page of a provider's credentialing documents.
pub async fn list_credentials(
    provider: Uuid,
    at: &PageQuery,
) -> Result<Page<Credential>, ApiError> {
    let path = format!("/api/v1/providers/{provider}/credentials");
    page(&path, &NoFilters {}, at).await
}

/// Records a credentialing document.
pub async fn add_credential(provider: Uuid, new: &NewCredential) -> Result<Credential, ApiError> {
    post(&format!("/api/v1/providers/{provider}/credentials"), new).await
}

/// A page of the medical-necessity criteria configured per service.
pub async fn list_service_criteria(at: &PageQuery) -> Result<Page<ServiceCriteria>, ApiError> {
    page("/api/v1/service-criteria", &NoFilters {}, at).await
}

/// The medical-necessity criteria of one service (a not-found problem when
/// none are configured).
pub async fn get_service_criteria(service: ServiceType) -> Result<ServiceCriteria, ApiError> {
    read(&format!("/api/v1/service-criteria/{}", service.as_ref())).await
}

/// What the medical-necessity evaluator reads about a patient.
pub async fn necessity_facts(patient: PatientId) -> Result<Facts, ApiError> {
    get(&format!("/api/v1/patients/{patient}/necessity-facts")).await
}

/// A page of referrals.
pub async fn list_referrals(
    filters: &ReferralQuery,
    at: &PageQuery,
) -> Result<Page<Referral>, ApiError> {
    page("/api/v1/referrals", filters, at).await
}

/// One referral, with its barriers and history.
pub async fn get_referral(id: Uuid) -> Result<Referral, ApiError> {
    read(&format!("/api/v1/referrals/{id}")).await
}

/// Drafts a referral (checked against the service's criteria).
pub async fn create_referral(new: &NewReferral) -> Result<Referral, ApiError> {
    create("/api/v1/referrals", new).await
}

/// Takes one step of a referral's lifecycle.
pub async fn change_referral_status(
    id: Uuid,
    step: &ReferralStatusChange,
    version: i32,
) -> Result<Referral, ApiError> {
    let path = format!("/api/v1/referrals/{id}/status");
    change(Method::Post, &path, step, version).await
}

/// Records a barrier.
pub async fn add_barrier(referral: Uuid, new: &NewBarrier) -> Result<Barrier, ApiError> {
    create(&format!("/api/v1/referrals/{referral}/barriers"), new).await
}

/// Resolves, reopens or describes a barrier.
pub async fn update_barrier(
    id: Uuid,
    changes: &BarrierPatch,
    version: i32,
) -> Result<Barrier, ApiError> {
    let path = format!("/api/v1/barriers/{id}");
    change(Method::Patch, &path, changes, version).await
}

/// A page of the community programs.
pub async fn list_programs(at: &PageQuery) -> Result<Page<Program>, ApiError> {
    page("/api/v1/programs", &NoFilters {}, at).await
}

/// A page of a patient's program enrollments.
pub async fn list_enrollments(
    patient: PatientId,
    at: &PageQuery,
) -> Result<Page<Enrollment>, ApiError> {
    let path = format!("/api/v1/patients/{patient}/enrollments");
    page(&path, &NoFilters {}, at).await
}

/// Refers a patient to a program.
pub async fn enroll(patient: PatientId, new: &NewEnrollment) -> Result<Enrollment, ApiError> {
    create(&format!("/api/v1/patients/{patient}/enrollments"), new).await
}

/// Takes an enrollment's next step, or changes its renewal date or notes.
pub async fn update_enrollment(
    id: Uuid,
    changes: &EnrollmentPatch,
    version: i32,
) -> Result<Enrollment, ApiError> {
    let path = format!("/api/v1/enrollments/{id}");
    change(Method::Patch, &path, changes, version).await
}

/// A page of the proposed huddle agenda (mine, or the team's for a
/// supervisor).
pub async fn huddle_agenda(
    filters: &AgendaQuery,
    at: &PageQuery,
) -> Result<Page<AgendaItem>, ApiError> {
    page("/api/v1/huddles/agenda", filters, at).await
}

/// A page of huddles, newest first.
pub async fn list_huddles(at: &PageQuery) -> Result<Page<Huddle>, ApiError> {
    page("/api/v1/huddles", &NoFilters {}, at).await
}

/// Records a huddle; its action items come back as tasks.
pub async fn record_huddle(new: &NewHuddle) -> Result<Huddle, ApiError> {
    create("/api/v1/huddles", new).await
}

/// The period (and grouping) a report or measure is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeriodQuery {
    /// First day (organization calendar).
    pub from: chrono::NaiveDate,
    /// Last day, included.
    pub to: chrono::NaiveDate,
    /// How a report's rows are grouped (measures take none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<GroupBy>,
    /// `csv` for a report as CSV.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<ReportFormat>,
}

/// `path?query`.
fn with_query<Q: Serialize>(path: &str, query: &Q) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

/// A report's address for `query`.
pub fn report_path(name: ReportName, query: &PeriodQuery) -> String {
    with_query(&format!("/api/v1/reports/{name}"), query)
}

/// A report over a period, read as the report it is.
pub async fn report(name: ReportName, query: &PeriodQuery) -> Result<AnyReport, ApiError> {
    let query = PeriodQuery {
        format: None,
        ..*query
    };
    let path = report_path(name, &query);
    Ok(match name {
        ReportName::Caseload => AnyReport::Caseload(get(&path).await?),
        ReportName::Transitions => AnyReport::Transitions(get(&path).await?),
        ReportName::Appointments => AnyReport::Appointments(get(&path).await?),
        ReportName::Referrals => AnyReport::Referrals(get(&path).await?),
        ReportName::Productivity => AnyReport::Productivity(get(&path).await?),
        ReportName::Screenings => AnyReport::Screenings(get(&path).await?),
        ReportName::Satisfaction => AnyReport::Satisfaction(get(&path).await?),
    })
}

/// A whole report as the server writes it in CSV (every row and column).
pub async fn report_csv(name: ReportName, query: &PeriodQuery) -> Result<String, ApiError> {
    let query = PeriodQuery {
        format: Some(ReportFormat::Csv),
        ..*query
    };
    let answer = session::request(Method::Get, &report_path(name, &query), None, None).await?;
    Ok(answer.body)
}

/// The quality measures offered, with their specifications.
pub async fn list_measures() -> Result<Page<MeasureSpec>, ApiError> {
    get("/api/v1/measures").await
}

/// A measure over a period: its rates and patient lists.
pub async fn measure(id: MeasureId, query: &PeriodQuery) -> Result<MeasureResult, ApiError> {
    let query = PeriodQuery {
        group_by: None,
        format: None,
        ..*query
    };
    get(&with_query(&format!("/api/v1/measures/{id}"), &query)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worklist_queries_name_the_person_only_when_it_is_someone_else() {
        assert_eq!(
            paged_path(
                "/api/v1/worklist",
                &WorklistQuery::default(),
                &PageQuery::default()
            ),
            "/api/v1/worklist"
        );
        let id = Uuid::from_u128(9);
        let q = WorklistQuery {
            user_id: Some(UserId::from(id)),
        };
        assert_eq!(
            paged_path(
                "/api/v1/worklist",
                &q,
                &PageQuery::after(None, Some("k".into()))
            ),
            format!("/api/v1/worklist?user_id={id}&cursor=k")
        );
    }

    #[test]
    fn reports_and_measures_send_their_period_and_only_the_options_they_take() {
        let q = PeriodQuery {
            from: "2026-10-01".parse().unwrap(),
            to: "2026-10-31".parse().unwrap(),
            group_by: Some(GroupBy::Program),
            format: None,
        };
        assert_eq!(
            report_path(ReportName::Transitions, &q),
            "/api/v1/reports/transitions?from=2026-10-01&to=2026-10-31&group_by=program"
        );
        let csv = PeriodQuery {
            format: Some(ReportFormat::Csv),
            group_by: None,
            ..q
        };
        assert_eq!(
            with_query("/api/v1/reports/caseload", &csv),
            "/api/v1/reports/caseload?from=2026-10-01&to=2026-10-31&format=csv"
        );
    }

    #[test]
    fn lists_without_filters_send_only_the_page() {
        assert_eq!(
            paged_path(
                "/api/v1/team/workload",
                &NoFilters {},
                &PageQuery::first(50)
            ),
            "/api/v1/team/workload?limit=50"
        );
    }

    #[test]
    fn directory_and_board_queries_send_only_the_filters_set() {
        let q = ProviderQuery {
            language: Some("es".into()),
            payer: Some("medicaid".into()),
            accepting: Some(true),
            service: Some(ServiceType::OutpatientTherapy),
            ..Default::default()
        };
        assert_eq!(
            paged_path("/api/v1/providers", &q, &PageQuery::first(25)),
            "/api/v1/providers?service=outpatient_therapy&language=es&payer=medicaid&accepting=true&limit=25"
        );
        let board = ReferralQuery {
            care_manager_id: Some("me".into()),
            open: Some(true),
            ..Default::default()
        };
        assert_eq!(
            paged_path("/api/v1/referrals", &board, &PageQuery::default()),
            "/api/v1/referrals?care_manager_id=me&open=true"
        );
    }
}
