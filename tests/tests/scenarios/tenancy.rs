//! One organization never sees another's records: they are 404s, not 403s.

use serde_json::json;
use shared::auth::Scope;
use shared::pagination::Page;
use shared::patients::{Identifier, Patient};
use tests::TestApp;
use tests::fixtures::new_patient;

#[test]
fn another_organizations_patient_is_a_404_for_every_operation() {
    let app = TestApp::spawn();
    let mine = app.team("Mine Health");
    let theirs = app.team("Their Health");
    let p = app.create_patient(
        &app.token(&theirs.care_manager),
        &new_patient("Cy", "Theirs"),
    );
    let me = app.token(&mine.admin);
    let path = format!("/api/v1/patients/{}", p.id);
    app.get(&path).token(&me).send().expect(404).problem();
    app.patch(&path)
        .token(&me)
        .json(&json!({"phone": null, "version": 1}))
        .send()
        .expect(404);
    app.post(&format!("{path}/status"))
        .token(&me)
        .json(&json!({"status": "intake", "version": 1}))
        .send()
        .expect(404);
    let key = app.api_key(&mine.admin, &[Scope::PatientsRead, Scope::PatientsWrite]);
    app.get(&path).token(&key).send().expect(404);
    let untouched: Patient = app
        .get(&path)
        .token(&app.token(&theirs.care_manager))
        .send()
        .expect(200)
        .json();
    assert_eq!(untouched.version, 1);
}

#[test]
fn lists_and_searches_show_only_the_callers_organization() {
    let app = TestApp::spawn();
    let mine = app.team("List Mine");
    let theirs = app.team("List Theirs");
    let mut p = new_patient("Dot", "Shared");
    p.identifiers = vec![Identifier {
        system: "urn:mrn".into(),
        value: "SAME-1".into(),
    }];
    app.create_patient(&app.token(&theirs.care_manager), &p);
    // The same identifier is fine in another organization.
    app.create_patient(&app.token(&mine.care_manager), &p);
    for query in ["", "?q=shared", "?q=SAME-1"] {
        let page: Page<Patient> = app
            .get(&format!("/api/v1/patients{query}"))
            .token(&app.token(&mine.viewer))
            .send()
            .expect(200)
            .json();
        assert_eq!(page.items.len(), 1, "{query}");
    }
}

#[test]
fn a_care_manager_of_another_organization_cannot_be_assigned() {
    let app = TestApp::spawn();
    let mine = app.team("Assign Mine");
    let theirs = app.team("Assign Theirs");
    let p = app.create_patient(&app.token(&mine.care_manager), &new_patient("Eli", "Mine"));
    let res = app
        .patch(&format!("/api/v1/patients/{}", p.id))
        .token(&app.token(&mine.supervisor))
        .json(&json!({"primary_care_manager_id": theirs.care_manager.id, "version": 1}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["primary_care_manager_id"]);
}
