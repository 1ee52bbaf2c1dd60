//! The HTTP client for `/api/v1`: bearer tokens (renewed through
//! [`crate::session`]), `application/problem+json` errors turned into
//! [`Problem`]s, and ETag versions sent back as `If-Match`.

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::alerts::{Alert, AlertListQuery};
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::appointments::{Appointment, AppointmentListQuery, AppointmentPatch, NewAppointment};
use shared::audit::{AuditEvent, AuditQuery};
use shared::auth::{LoginRequest, Me};
use shared::care_team::{CareTeamMember, NewCareTeamMember};
use shared::case_status::StatusChangeRequest;
use shared::contacts::{Contact, NewContact};
use shared::encounters::{Encounter, EncounterListQuery, EncounterPatch, NewEncounter};
use shared::notes::{NewAddendum, NewNote, Note, NoteListQuery, NotePatch, SignRequest};
use shared::organization::Workload;
use shared::outreach::{NewOutreachAttempt, OutreachAttempt};
use shared::pagination::Page;
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::problem::{FieldError, Problem};
use shared::tasks::{Task, TaskListQuery, TaskPatch};
use shared::timeline::{TimelineEntry, TimelineQuery};
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use shared::worklist::WorklistItem;
use uuid::Uuid;

use crate::session;

/// What can go wrong when calling the API.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error: its problem document, or one made
    /// up from the status when the body was not one.
    Problem(Box<Problem>),
    /// No answer at all: the network or the server is down.
    Network(String),
    /// An answer the client could not read (a bug on one side or the other).
    Unexpected(String),
    /// The session has ended; the person has to sign in again.
    SignedOut,
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            _ => None,
        }
    }

    /// Whether the server answered with `status`.
    pub fn is(&self, status: u16) -> bool {
        self.status() == Some(status)
    }

    /// The problem document, when there is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    /// The failing fields of a validation problem (422), else nothing.
    pub fn field_errors(&self) -> Vec<FieldError> {
        self.problem()
            .filter(|p| p.status == 422)
            .and_then(|p| p.errors.clone())
            .unwrap_or_default()
    }

    /// One sentence for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Problem(p) => match &p.detail {
                Some(d) if !d.is_empty() => d.clone(),
                _ => p.title.clone(),
            },
            ApiError::Network(_) => {
                "The server could not be reached. Check your connection and try again.".into()
            }
            ApiError::Unexpected(e) => {
                format!("The server sent an answer this page cannot read ({e}).")
            }
            ApiError::SignedOut => "Your session has ended. Please sign in again.".into(),
        }
    }

    /// A short heading for banners.
    pub fn title(&self) -> String {
        match self {
            ApiError::Problem(p) => p.title.clone(),
            ApiError::Network(_) => "No connection".into(),
            ApiError::Unexpected(_) => "Unexpected answer".into(),
            ApiError::SignedOut => "Signed out".into(),
        }
    }

    /// The request id to quote to support, when the server gave one.
    pub fn request_id(&self) -> Option<String> {
        self.problem().and_then(|p| p.request_id.clone())
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(Box::new(p))
    }
}

/// Reads an error body: the server's problem document when it is one, else
/// a problem made up from the status so every error looks the same.
pub fn problem_from_body(status: u16, body: &str) -> Problem {
    if let Ok(p) = serde_json::from_str::<Problem>(body) {
        return p;
    }
    let title = match status {
        400 => "The request could not be read",
        401 => "Authentication required",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict with the current state",
        412 => "The record changed since you read it",
        422 => "The request has invalid fields",
        429 => "Too many requests",
        502..=504 => "The server is unavailable",
        500..=599 => "The server had a problem",
        _ => "The request failed",
    };
    Problem {
        problem_type: "about:blank".into(),
        title: title.into(),
        status,
        detail: None,
        errors: None,
        request_id: None,
    }
}

/// The version in an `ETag` header (`W/"3"` or `"3"`).
pub fn parse_etag(value: &str) -> Option<i32> {
    value
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}

/// The `If-Match` value for a version.
pub fn if_match_value(version: i32) -> String {
    format!("W/\"{version}\"")
}

/// `path?query` with the query's set fields, or just `path` when none are set.
pub fn with_query<Q: Serialize>(path: &str, query: &Q) -> String {
    match serde_urlencoded::to_string(query) {
        Ok(qs) if !qs.is_empty() => format!("{path}?{qs}"),
        _ => path.to_string(),
    }
}

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

/// A raw answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The version from the `ETag` header.
    pub etag: Option<i32>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Unexpected(e.to_string()))
    }

    /// The problem this (error) answer describes.
    pub fn problem(&self) -> ApiError {
        ApiError::from(problem_from_body(self.status, &self.body))
    }
}

/// Sends one request as is: no renewal, no retry.
pub async fn send(
    method: Method,
    path: &str,
    body: Option<&str>,
    bearer: Option<&str>,
    if_match: Option<i32>,
) -> Result<Answer, ApiError> {
    let mut builder: RequestBuilder = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Patch => Request::patch(path),
        Method::Delete => Request::delete(path),
    }
    .header("Accept", "application/json, application/problem+json");
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(v) = if_match {
        builder = builder.header("If-Match", &if_match_value(v));
    }
    let request = match body {
        Some(json) => builder
            .header("Content-Type", "application/json")
            .body(json.to_string()),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .as_deref()
        .and_then(parse_etag);
    let body = response.text().await.unwrap_or_default();
    Ok(Answer { status, etag, body })
}

/// Sends a request as the signed-in user: renews the access token when it
/// is about to expire, and once more (then retries once) on a 401.
pub async fn call(
    method: Method,
    path: &str,
    body: Option<String>,
    if_match: Option<i32>,
) -> Result<Answer, ApiError> {
    let token = session::access_token().await?;
    let mut answer = send(method, path, body.as_deref(), Some(&token), if_match).await?;
    if answer.status == 401 {
        session::renew_after_rejection(&token).await?;
        let token = session::access_token().await?;
        answer = send(method, path, body.as_deref(), Some(&token), if_match).await?;
        if answer.status == 401 {
            return Err(session::end(Some(
                "Your session has ended. Please sign in again.".into(),
            )));
        }
    }
    if answer.ok() {
        Ok(answer)
    } else {
        Err(answer.problem())
    }
}

fn json<B: Serialize + ?Sized>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// `GET path` as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    call(Method::Get, path, None, None).await?.decode()
}

async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    call(Method::Post, path, Some(json(body)?), None)
        .await?
        .decode()
}

async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
    version: i32,
) -> Result<T, ApiError> {
    call(Method::Patch, path, Some(json(body)?), Some(version))
        .await?
        .decode()
}

/// `POST /auth/login` (no session needed); the answer is checked by the caller.
pub async fn login_request(request: &LoginRequest) -> Result<Answer, ApiError> {
    send(
        Method::Post,
        "/api/v1/auth/login",
        Some(&json(request)?),
        None,
        None,
    )
    .await
}

/// The signed-in user.
pub async fn me() -> Result<Me, ApiError> {
    get("/api/v1/auth/me").await
}

/// A page of patients.
pub async fn list_patients(query: &PatientListQuery) -> Result<Page<Patient>, ApiError> {
    get(&with_query("/api/v1/patients", query)).await
}

/// A patient whose version is the one its `ETag` names (the concurrency
/// token the next change must send back).
fn versioned_patient(answer: Answer) -> Result<Patient, ApiError> {
    let mut p: Patient = answer.decode()?;
    if let Some(v) = answer.etag {
        p.version = v;
    }
    Ok(p)
}

/// One patient.
pub async fn get_patient(id: Uuid) -> Result<Patient, ApiError> {
    let path = format!("/api/v1/patients/{id}");
    versioned_patient(call(Method::Get, &path, None, None).await?)
}

/// Registers a patient.
pub async fn create_patient(new: &NewPatient) -> Result<Patient, ApiError> {
    post("/api/v1/patients", new).await
}

/// Changes a patient; `version` is the one the change is based on.
pub async fn update_patient(
    id: Uuid,
    changes: &PatientPatch,
    version: i32,
) -> Result<Patient, ApiError> {
    let path = format!("/api/v1/patients/{id}");
    versioned_patient(call(Method::Patch, &path, Some(json(changes)?), Some(version)).await?)
}

/// Moves a case to another status.
pub async fn change_status(
    id: Uuid,
    change: &StatusChangeRequest,
    version: i32,
) -> Result<Patient, ApiError> {
    let path = format!("/api/v1/patients/{id}/status");
    versioned_patient(call(Method::Post, &path, Some(json(change)?), Some(version)).await?)
}

/// A page of users.
pub async fn list_users(query: &UserListQuery) -> Result<Page<User>, ApiError> {
    get(&with_query("/api/v1/users", query)).await
}

/// Every user of the organization (following the pages).
pub async fn all_users() -> Result<Vec<User>, ApiError> {
    let mut query = UserListQuery {
        limit: Some(200),
        ..Default::default()
    };
    let mut users = Vec::new();
    loop {
        let page = list_users(&query).await?;
        users.extend(page.items);
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => return Ok(users),
        }
    }
}

/// Creates a user (admins).
pub async fn create_user(new: &NewUser) -> Result<User, ApiError> {
    post("/api/v1/users", new).await
}

/// Changes a user (admins); `version` is the one the change is based on.
pub async fn update_user(id: Uuid, changes: &UserPatch, version: i32) -> Result<User, ApiError> {
    patch(&format!("/api/v1/users/{id}"), changes, version).await
}

/// Query for `GET /api-keys`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeyListQuery {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Cursor of the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of API keys.
pub async fn list_api_keys(query: &KeyListQuery) -> Result<Page<ApiKey>, ApiError> {
    get(&with_query("/api/v1/api-keys", query)).await
}

/// Creates an API key; the answer holds the secret, this once.
pub async fn create_api_key(new: &NewApiKey) -> Result<CreatedApiKey, ApiError> {
    post("/api/v1/api-keys", new).await
}

/// Revokes an API key.
pub async fn revoke_api_key(id: Uuid) -> Result<(), ApiError> {
    call(
        Method::Delete,
        &format!("/api/v1/api-keys/{id}"),
        None,
        None,
    )
    .await?;
    Ok(())
}

/// A page of the audit trail.
pub async fn list_audit(query: &AuditQuery) -> Result<Page<AuditEvent>, ApiError> {
    get(&with_query("/api/v1/audit-events", query)).await
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

versioned!(Task, Note, Encounter, Appointment, Contact, CareTeamMember);

/// Sends a request and reads a record whose version is the one its `ETag`
/// names (the token the next change must send back).
async fn versioned_call<T: DeserializeOwned + Versioned>(
    method: Method,
    path: &str,
    body: Option<String>,
    if_match: Option<i32>,
) -> Result<T, ApiError> {
    let answer = call(method, path, body, if_match).await?;
    let mut record: T = answer.decode()?;
    if let Some(v) = answer.etag {
        *record.version_mut() = v;
    }
    Ok(record)
}

/// Paging only (`limit`, `cursor`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageQuery {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Cursor of the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Query for `GET /worklist`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WorklistQuery {
    /// Someone else's worklist (supervisors); mine when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Cursor of the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of a worklist, in order.
pub async fn worklist(query: &WorklistQuery) -> Result<Page<WorklistItem>, ApiError> {
    get(&with_query("/api/v1/worklist", query)).await
}

/// A page of the team's workload (supervisors).
pub async fn team_workload(query: &PageQuery) -> Result<Page<Workload>, ApiError> {
    get(&with_query("/api/v1/team/workload", query)).await
}

/// A page of tasks.
pub async fn list_tasks(query: &TaskListQuery) -> Result<Page<Task>, ApiError> {
    get(&with_query("/api/v1/tasks", query)).await
}

/// One task.
pub async fn get_task(id: Uuid) -> Result<Task, ApiError> {
    versioned_call(Method::Get, &format!("/api/v1/tasks/{id}"), None, None).await
}

/// Changes a task (start, finish, cancel, reassign); `version` is the one
/// the change is based on.
pub async fn update_task(id: Uuid, changes: &TaskPatch, version: i32) -> Result<Task, ApiError> {
    let path = format!("/api/v1/tasks/{id}");
    versioned_call(Method::Patch, &path, Some(json(changes)?), Some(version)).await
}

/// Logs an outreach attempt.
pub async fn log_outreach(
    patient: Uuid,
    attempt: &NewOutreachAttempt,
) -> Result<OutreachAttempt, ApiError> {
    post(
        &format!("/api/v1/patients/{patient}/outreach-attempts"),
        attempt,
    )
    .await
}

/// A page of alerts.
pub async fn list_alerts(query: &AlertListQuery) -> Result<Page<Alert>, ApiError> {
    get(&with_query("/api/v1/alerts", query)).await
}

/// Acknowledges an alert.
pub async fn acknowledge_alert(id: Uuid) -> Result<Alert, ApiError> {
    call(
        Method::Post,
        &format!("/api/v1/alerts/{id}/acknowledge"),
        None,
        None,
    )
    .await?
    .decode()
}

/// A page of a patient's contacts.
pub async fn list_contacts(patient: Uuid, query: &PageQuery) -> Result<Page<Contact>, ApiError> {
    get(&with_query(
        &format!("/api/v1/patients/{patient}/contacts"),
        query,
    ))
    .await
}

/// Adds a contact.
pub async fn create_contact(patient: Uuid, new: &NewContact) -> Result<Contact, ApiError> {
    let path = format!("/api/v1/patients/{patient}/contacts");
    versioned_call(Method::Post, &path, Some(json(new)?), None).await
}

/// A page of a patient's care team.
pub async fn list_care_team(
    patient: Uuid,
    query: &PageQuery,
) -> Result<Page<CareTeamMember>, ApiError> {
    get(&with_query(
        &format!("/api/v1/patients/{patient}/care-team"),
        query,
    ))
    .await
}

/// Adds a care team member.
pub async fn add_care_team_member(
    patient: Uuid,
    new: &NewCareTeamMember,
) -> Result<CareTeamMember, ApiError> {
    let path = format!("/api/v1/patients/{patient}/care-team");
    versioned_call(Method::Post, &path, Some(json(new)?), None).await
}

/// A page of a patient's timeline, newest first.
pub async fn timeline(
    patient: Uuid,
    query: &TimelineQuery,
) -> Result<Page<TimelineEntry>, ApiError> {
    get(&with_query(
        &format!("/api/v1/patients/{patient}/timeline"),
        query,
    ))
    .await
}

/// A page of encounters.
pub async fn list_encounters(query: &EncounterListQuery) -> Result<Page<Encounter>, ApiError> {
    get(&with_query("/api/v1/encounters", query)).await
}

/// Records an admission or a discharge by hand.
pub async fn create_encounter(new: &NewEncounter) -> Result<Encounter, ApiError> {
    versioned_call(Method::Post, "/api/v1/encounters", Some(json(new)?), None).await
}

/// Changes an encounter (adds the discharge, say).
pub async fn update_encounter(
    id: Uuid,
    changes: &EncounterPatch,
    version: i32,
) -> Result<Encounter, ApiError> {
    let path = format!("/api/v1/encounters/{id}");
    versioned_call(Method::Patch, &path, Some(json(changes)?), Some(version)).await
}

/// A page of appointments.
pub async fn list_appointments(
    query: &AppointmentListQuery,
) -> Result<Page<Appointment>, ApiError> {
    get(&with_query("/api/v1/appointments", query)).await
}

/// Records an appointment.
pub async fn create_appointment(new: &NewAppointment) -> Result<Appointment, ApiError> {
    versioned_call(Method::Post, "/api/v1/appointments", Some(json(new)?), None).await
}

/// Changes an appointment (its status, say).
pub async fn update_appointment(
    id: Uuid,
    changes: &AppointmentPatch,
    version: i32,
) -> Result<Appointment, ApiError> {
    let path = format!("/api/v1/appointments/{id}");
    versioned_call(Method::Patch, &path, Some(json(changes)?), Some(version)).await
}

/// A page of a patient's notes.
pub async fn list_notes(patient: Uuid, query: &NoteListQuery) -> Result<Page<Note>, ApiError> {
    get(&with_query(
        &format!("/api/v1/patients/{patient}/notes"),
        query,
    ))
    .await
}

/// Writes a note (unsigned).
pub async fn create_note(patient: Uuid, new: &NewNote) -> Result<Note, ApiError> {
    let path = format!("/api/v1/patients/{patient}/notes");
    versioned_call(Method::Post, &path, Some(json(new)?), None).await
}

/// One note.
pub async fn get_note(id: Uuid) -> Result<Note, ApiError> {
    versioned_call(Method::Get, &format!("/api/v1/notes/{id}"), None, None).await
}

/// Edits an unsigned note.
pub async fn update_note(id: Uuid, changes: &NotePatch, version: i32) -> Result<Note, ApiError> {
    let path = format!("/api/v1/notes/{id}");
    versioned_call(Method::Patch, &path, Some(json(changes)?), Some(version)).await
}

/// Signs a note: the version read becomes final.
pub async fn sign_note(id: Uuid, version: i32) -> Result<Note, ApiError> {
    let body = SignRequest {
        version: Some(version),
    };
    let path = format!("/api/v1/notes/{id}/sign");
    versioned_call(Method::Post, &path, Some(json(&body)?), Some(version)).await
}

/// Adds an addendum to a signed note.
pub async fn add_addendum(id: Uuid, new: &NewAddendum) -> Result<Note, ApiError> {
    let path = format!("/api/v1/notes/{id}/addenda");
    versioned_call(Method::Post, &path, Some(json(new)?), None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case_status::CaseStatus;
    use shared::risk::RiskLevel;

    #[test]
    fn problem_documents_are_read_as_they_are() {
        let body = r#"{"type":"/problems/validation","title":"The request has invalid fields","status":422,
            "detail":"2 fields are invalid","errors":[{"field":"address.postal_code","message":"is not a ZIP code"}],
            "request_id":"abc"}"#;
        let err = ApiError::from(problem_from_body(422, body));
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.field_errors()[0].field, "address.postal_code");
        assert_eq!(err.message(), "2 fields are invalid");
        assert_eq!(err.request_id().as_deref(), Some("abc"));
    }

    #[test]
    fn bodies_that_are_not_problems_get_a_title_from_their_status() {
        let p = problem_from_body(502, "<html>Bad gateway</html>");
        assert_eq!(p.status, 502);
        assert_eq!(p.title, "The server is unavailable");
        assert_eq!(ApiError::from(p).message(), "The server is unavailable");
    }

    #[test]
    fn only_validation_problems_have_field_errors() {
        let mut p = problem_from_body(409, "");
        p.errors = Some(vec![FieldError::new("x", "y")]);
        assert!(ApiError::from(p).field_errors().is_empty());
        assert!(ApiError::Network("down".into()).field_errors().is_empty());
    }

    #[test]
    fn etags_weak_or_strong_give_the_version_and_if_match_sends_it_back() {
        assert_eq!(parse_etag("W/\"7\""), Some(7));
        assert_eq!(parse_etag("\"12\""), Some(12));
        assert_eq!(parse_etag("W/\"abc\""), None);
        assert_eq!(if_match_value(7), "W/\"7\"");
        assert_eq!(parse_etag(&if_match_value(41)), Some(41));
    }

    #[test]
    fn list_queries_carry_only_the_filters_that_are_set() {
        assert_eq!(
            with_query("/api/v1/patients", &PatientListQuery::default()),
            "/api/v1/patients"
        );
        let q = PatientListQuery {
            q: Some("maria lo".into()),
            status: Some(CaseStatus::OnHold),
            risk_level: Some(RiskLevel::VeryHigh),
            limit: Some(25),
            cursor: Some("a+b/c=".into()),
            ..Default::default()
        };
        assert_eq!(
            with_query("/api/v1/patients", &q),
            "/api/v1/patients?q=maria+lo&status=on_hold&risk_level=very_high&limit=25&cursor=a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn worklist_queries_name_the_person_only_when_it_is_someone_else() {
        assert_eq!(
            with_query("/api/v1/worklist", &WorklistQuery::default()),
            "/api/v1/worklist"
        );
        let id = Uuid::from_u128(9);
        let q = WorklistQuery {
            user_id: Some(id),
            cursor: Some("k".into()),
            ..Default::default()
        };
        assert_eq!(
            with_query("/api/v1/worklist", &q),
            format!("/api/v1/worklist?user_id={id}&cursor=k")
        );
    }

    #[test]
    fn care_manager_filters_are_sent_as_uuids() {
        let id = Uuid::from_u128(1);
        let q = PatientListQuery {
            care_manager_id: Some(id),
            ..Default::default()
        };
        assert_eq!(with_query("/p", &q), format!("/p?care_manager_id={id}"));
    }
}
