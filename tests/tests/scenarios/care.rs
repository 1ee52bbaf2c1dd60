//! Support for the care-coordination scenarios: patients with a care
//! manager, events recorded through the API, and readers for what the rules
//! produced.

use std::fmt::Write;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Value, json};
use shared::encounters::Encounter;
use shared::ids::{PatientId, TaskId, UserId};
use shared::pagination::Page;
use shared::patients::Patient;
use shared::risk::RiskLevel;
use shared::tasks::Task;
use shared::worklist::WorklistItem;
use tests::TestApp;
use tests::fixtures::{Team, TestUser, new_patient};

/// Now, to the second (the API stores microseconds; tests compare exactly).
pub fn now() -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::seconds(1)).unwrap()
}

/// Where most scenarios start: a fresh server, an organization with one
/// user of each role, the care manager's token, and one of their patients.
pub struct Scene {
    /// The server under test.
    pub app: TestApp,
    /// The organization and its users.
    pub team: Team,
    /// The care manager's access token.
    pub token: String,
    /// A patient of the care manager.
    pub patient: Patient,
}

/// A [`Scene`] in organization `org` with a patient named `family` at `risk`.
pub fn scene(org: &str, family: &str, risk: RiskLevel) -> Scene {
    let app = TestApp::spawn();
    let team = app.team(org);
    let token = app.token(&team.care_manager);
    let patient = patient_of(&app, &token, &team.care_manager, family, risk);
    Scene {
        app,
        team,
        token,
        patient,
    }
}

/// A patient whose primary care manager is `cm`.
pub fn patient_of(
    app: &TestApp,
    token: &str,
    cm: &TestUser,
    family: &str,
    risk: RiskLevel,
) -> Patient {
    let mut new = new_patient("Pat", family);
    new.primary_care_manager_id = Some(cm.id);
    new.risk_level = Some(risk);
    app.create_patient(token, &new)
}

/// Records a hospital stay through the API; returns the response.
pub fn post_encounter(app: &TestApp, token: &str, body: Value) -> tests::Res {
    app.post("/api/v1/encounters")
        .token(token)
        .json(&body)
        .send()
}

/// Records a discharge `hours_ago` hours ago for `patient`.
pub fn discharge(
    app: &TestApp,
    token: &str,
    patient: PatientId,
    discharged_at: DateTime<Utc>,
) -> Encounter {
    post_encounter(
        app,
        token,
        json!({
            "patient_id": patient,
            "kind": "inpatient_psych",
            "facility": "Cascade Behavioral Health",
            "admitted_at": discharged_at - Duration::days(3),
            "discharged_at": discharged_at,
            "discharge_disposition": "home",
        }),
    )
    .expect(201)
    .json()
}

/// Books an appointment and returns its JSON.
pub fn appointment(
    app: &TestApp,
    token: &str,
    patient: PatientId,
    scheduled_at: DateTime<Utc>,
) -> Value {
    app.post("/api/v1/appointments")
        .token(token)
        .json(&json!({
            "patient_id": patient,
            "provider_name": "Jordan Lee, LCSW",
            "kind": "therapy",
            "scheduled_at": scheduled_at,
        }))
        .send()
        .expect(201)
        .json()
}

/// Marks an appointment missed through the API.
pub fn mark_missed(app: &TestApp, token: &str, appt: &Value) -> Value {
    app.patch(&format!(
        "/api/v1/appointments/{}",
        appt["id"].as_str().unwrap()
    ))
    .token(token)
    .json(&json!({"status": "missed", "version": appt["version"]}))
    .send()
    .expect(200)
    .json()
}

/// A task through the API.
pub fn task(app: &TestApp, token: &str, id: TaskId) -> Task {
    app.get(&format!("/api/v1/tasks/{id}"))
        .token(token)
        .send()
        .expect(200)
        .json()
}

/// Every task of a patient.
pub fn tasks_of(app: &TestApp, token: &str, patient: PatientId) -> Vec<Task> {
    let page: Page<Task> = app
        .get(&format!("/api/v1/tasks?patient_id={patient}&limit=200"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page.items
}

/// Creates a task by hand.
pub fn manual_task(
    app: &TestApp,
    token: &str,
    patient: PatientId,
    assignee: UserId,
    kind: &str,
    due_at: DateTime<Utc>,
) -> Task {
    app.post("/api/v1/tasks")
        .token(token)
        .json(&json!({
            "patient_id": patient,
            "assignee_id": assignee,
            "kind": kind,
            "title": format!("{kind} by hand"),
            "due_at": due_at,
        }))
        .send()
        .expect(201)
        .json()
}

/// The caller's whole worklist (or `user`'s).
pub fn worklist(app: &TestApp, token: &str, user: Option<UserId>) -> Vec<WorklistItem> {
    let mut path = "/api/v1/worklist?limit=2".to_string();
    if let Some(u) = user {
        let _ = write!(path, "&user_id={u}");
    }
    app.walk(token, &path, |i: &WorklistItem| i.task.id)
}

/// Alerts about a patient (any recipient).
pub fn alerts_of(app: &TestApp, token: &str, patient: PatientId) -> Vec<Value> {
    let page: Value = app
        .get(&format!("/api/v1/alerts?patient_id={patient}"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page["items"].as_array().unwrap().clone()
}
