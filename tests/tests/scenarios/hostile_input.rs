//! Input that once reached the database or date arithmetic and answered
//! 500: every one is now a 422 naming the field.

use serde_json::json;
use shared::risk::RiskLevel;

use crate::care::{Scene, post_encounter, scene};

#[test]
fn a_nul_in_a_login_email_is_a_422_naming_the_email() {
    let Scene { app, .. } = scene("Nul Login Org", "Nul", RiskLevel::Low);
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "a\u{0}b@x.org", "password": "whatever-it-is"}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["email"]);
}

#[test]
fn a_nul_in_a_search_is_a_422_naming_the_parameter() {
    let Scene { app, token, .. } = scene("Nul Search Org", "Nul", RiskLevel::Low);
    let res = app.get("/api/v1/patients?q=%00").token(&token).send();
    assert_eq!(res.invalid_fields(), vec!["q"]);
}

#[test]
fn a_nul_in_a_patients_name_is_a_422_naming_the_field() {
    let Scene { app, token, .. } = scene("Nul Name Org", "Nul", RiskLevel::Low);
    let res = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&json!({"given_name": "An\u{0}n", "family_name": "Lee", "birth_date": "1980-01-01", "sex": "female"}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["given_name"]);
}

#[test]
fn an_admission_in_the_year_minus_4800_is_a_422_naming_the_field() {
    let Scene {
        app,
        token,
        patient,
        ..
    } = scene("Ancient Org", "Ancient", RiskLevel::Low);
    let res = post_encounter(
        &app,
        &token,
        json!({
            "patient_id": patient.id,
            "kind": "inpatient_psych",
            "facility": "Cascade Behavioral Health",
            "admitted_at": "-4800-01-01T00:00:00Z",
        }),
    );
    assert_eq!(res.invalid_fields(), vec!["admitted_at"]);
}

#[test]
fn a_productivity_report_to_the_year_262142_is_a_422_not_a_panic() {
    let Scene {
        app, token, team, ..
    } = scene("Far Future Org", "Future", RiskLevel::Low);
    let res = app
        .get(&format!(
            "/api/v1/productivity?user_id={}&to=%2B262142-12-31",
            team.care_manager.id
        ))
        .token(&token)
        .send();
    assert_eq!(res.invalid_fields(), vec!["to"]);
}

#[test]
fn a_misspelt_field_is_a_422_naming_it_rather_than_silently_dropped() {
    let Scene {
        app,
        token,
        patient,
        ..
    } = scene("Typo Org", "Typo", RiskLevel::Low);
    let res = app
        .patch(&format!("/api/v1/patients/{}", patient.id))
        .token(&token)
        .header("If-Match", &format!("\"{}\"", patient.version))
        .json(&json!({"phnoe": "503-555-0100", "address": {"city": "Salem", "zip": "97301"}}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["address.zip", "phnoe"]);
    let unchanged: shared::patients::Patient = app
        .get(&format!("/api/v1/patients/{}", patient.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(unchanged.version, patient.version);
}

#[test]
fn if_match_star_names_no_version_so_the_change_needs_one() {
    let Scene {
        app,
        token,
        patient,
        ..
    } = scene("Star Org", "Star", RiskLevel::Low);
    let path = format!("/api/v1/patients/{}", patient.id);
    app.patch(&path)
        .token(&token)
        .header("If-Match", "*")
        .json(&json!({"phone": "503-555-0100"}))
        .send()
        .expect(428);
    app.patch(&path)
        .token(&token)
        .header("If-Match", "*")
        .json(&json!({"phone": "503-555-0100", "version": patient.version + 1}))
        .send()
        .expect(412);
}
