//! The case lifecycle through the API.

use diesel::prelude::*;
use serde_json::json;
use shared::case_status::CaseStatus;
use shared::patients::Patient;
use tests::TestApp;
use tests::fixtures::new_patient;

fn status(app: &TestApp, token: &str, p: &Patient, body: serde_json::Value) -> tests::Res {
    app.post(&format!("/api/v1/patients/{}/status", p.id))
        .token(token)
        .json(&body)
        .send()
}

#[test]
fn a_case_moves_from_referral_to_closure_and_back_with_reasons_recorded() {
    let app = TestApp::spawn();
    let team = app.team("Lifecycle Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Lia", "Cycle"));
    let p: Patient = status(&app, &token, &p, json!({"status": "intake", "version": 1}))
        .expect(200)
        .json();
    let p: Patient = status(&app, &token, &p, json!({"status": "active", "version": 2}))
        .expect(200)
        .json();
    let p: Patient = status(&app, &token, &p, json!({"status": "on_hold", "version": 3}))
        .expect(200)
        .json();
    let p: Patient = status(&app, &token, &p, json!({"status": "active", "version": 4}))
        .expect(200)
        .json();
    let closed: Patient = status(
        &app,
        &token,
        &p,
        json!({"status": "closed", "reason": "Goals met", "version": 5}),
    )
    .expect(200)
    .json();
    assert_eq!(closed.status, CaseStatus::Closed);
    assert_eq!(closed.status_reason.as_deref(), Some("Goals met"));
    let reopened: Patient = status(
        &app,
        &token,
        &closed,
        json!({"status": "intake", "reason": "Re-referred by PCP", "version": 6}),
    )
    .expect(200)
    .json();
    assert_eq!(reopened.status, CaseStatus::Intake);
    let history: Vec<(Option<String>, String, Option<String>)> = {
        use api::schema::patient_status_changes::dsl::*;
        patient_status_changes
            .filter(patient_id.eq(p.id.get()))
            .order(changed_at.asc())
            .select((from_status, to_status, reason))
            .load(&mut app.conn())
            .unwrap()
    };
    assert_eq!(history.len(), 7, "creation plus six changes");
    assert_eq!(
        history[5],
        (
            Some("active".into()),
            "closed".into(),
            Some("Goals met".into())
        )
    );
    assert_eq!(app.audit_of("patient.status_change").len(), 6);
}

#[test]
fn closing_or_reopening_without_a_reason_is_a_422_on_reason() {
    let app = TestApp::spawn();
    let team = app.team("Reason Org");
    let token = app.token(&team.care_manager);
    let mut new = new_patient("Max", "Reason");
    new.status = Some(CaseStatus::Active);
    let p = app.create_patient(&token, &new);
    let res = status(
        &app,
        &token,
        &p,
        json!({"status": "closed", "reason": "   ", "version": 1}),
    );
    assert_eq!(res.invalid_fields(), vec!["reason"]);
    let closed: Patient = status(
        &app,
        &token,
        &p,
        json!({"status": "closed", "reason": "Moved away", "version": 1}),
    )
    .expect(200)
    .json();
    let res = status(
        &app,
        &token,
        &closed,
        json!({"status": "active", "version": 2}),
    );
    assert_eq!(res.invalid_fields(), vec!["reason"]);
}

#[test]
fn a_step_the_lifecycle_lacks_is_a_409() {
    let app = TestApp::spawn();
    let team = app.team("Step Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Ned", "Step"));
    let problem = status(&app, &token, &p, json!({"status": "on_hold", "version": 1}))
        .expect(409)
        .problem();
    assert!(problem.detail.unwrap().contains("Referred"));
    status(
        &app,
        &token,
        &p,
        json!({"status": "referred", "version": 1}),
    )
    .expect(409);
}

#[test]
fn a_status_change_needs_the_current_version() {
    let app = TestApp::spawn();
    let team = app.team("Status Version Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Ola", "Version"));
    status(&app, &token, &p, json!({"status": "intake"})).expect(428);
    status(&app, &token, &p, json!({"status": "intake", "version": 7})).expect(412);
    app.post(&format!("/api/v1/patients/{}/status", p.id))
        .token(&token)
        .header("if-match", "W/\"1\"")
        .json(&json!({"status": "intake"}))
        .send()
        .expect(200);
}

#[test]
fn a_new_case_may_start_active_but_never_closed() {
    let app = TestApp::spawn();
    let team = app.team("Start Org");
    let token = app.token(&team.care_manager);
    let mut active = new_patient("Pia", "Active");
    active.status = Some(CaseStatus::Active);
    assert_eq!(
        app.create_patient(&token, &active).status,
        CaseStatus::Active
    );
    let mut closed = new_patient("Pia", "Closed");
    closed.status = Some(CaseStatus::Closed);
    let res = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&closed)
        .send();
    assert_eq!(res.invalid_fields(), vec!["status"]);
}
