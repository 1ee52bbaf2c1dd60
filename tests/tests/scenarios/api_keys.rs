//! API keys: shown once, hashed, scoped, revocable, usage recorded.

use diesel::prelude::*;
use serde_json::{Value, json};
use shared::api_keys::{ApiKey, CreatedApiKey};
use shared::auth::Scope;
use shared::pagination::Page;
use tests::TestApp;
use tests::fixtures::new_patient;

#[test]
fn a_new_key_is_shown_once_and_stored_only_as_a_hash() {
    let app = TestApp::spawn();
    let team = app.team("Keys Org");
    let admin = app.token(&team.admin);
    let res = app
        .post("/api/v1/api-keys")
        .token(&admin)
        .json(&json!({"name": "EHR sync", "scopes": ["patients:read", "patients:write"]}))
        .send()
        .expect(201);
    let created: CreatedApiKey = res.json();
    assert!(created.key.starts_with(&created.prefix));
    assert!(created.key.starts_with("cmk_"));
    let listed = app.get("/api/v1/api-keys").token(&admin).send().expect(200);
    assert!(
        !listed.text().contains(&created.key),
        "the secret is never listed"
    );
    let page: Page<ApiKey> = listed.json();
    assert_eq!(page.items[0].prefix, created.prefix);
    assert_eq!(
        page.items[0].scopes,
        vec![Scope::PatientsRead, Scope::PatientsWrite]
    );
    let stored: Vec<u8> = api::schema::api_keys::table
        .select(api::schema::api_keys::key_hash)
        .first(&mut app.conn())
        .unwrap();
    assert_ne!(stored, created.key.as_bytes());
    assert_eq!(stored.len(), 32);
}

#[test]
fn a_key_does_only_what_its_scopes_allow() {
    let app = TestApp::spawn();
    let team = app.team("Scopes Org");
    let reader = app.api_key(&team.admin, &[Scope::PatientsRead]);
    let writer = app.api_key(&team.admin, &[Scope::PatientsWrite]);
    let auditor = app.api_key(&team.admin, &[Scope::AuditRead]);
    app.get("/api/v1/patients")
        .token(&reader)
        .send()
        .expect(200);
    app.post("/api/v1/patients")
        .token(&reader)
        .json(&new_patient("Rae", "Reader"))
        .send()
        .expect(403)
        .problem();
    app.post("/api/v1/patients")
        .token(&writer)
        .json(&new_patient("Wes", "Writer"))
        .send()
        .expect(201);
    app.get("/api/v1/patients")
        .token(&writer)
        .send()
        .expect(403);
    app.get("/api/v1/audit-events")
        .token(&writer)
        .send()
        .expect(403);
    app.get("/api/v1/audit-events")
        .token(&auditor)
        .send()
        .expect(200);
    app.get("/api/v1/patients")
        .token(&auditor)
        .send()
        .expect(403);
    for key in [&reader, &writer, &auditor] {
        app.get("/api/v1/api-keys").token(key).send().expect(403);
        app.get("/api/v1/users").token(key).send().expect(403);
        app.get("/api/v1/auth/me").token(key).send().expect(403);
    }
}

#[test]
fn using_a_key_records_when_it_was_last_used_and_audits_as_the_key() {
    let app = TestApp::spawn();
    let team = app.team("Usage Org");
    let key = app.api_key(&team.admin, &[Scope::PatientsWrite]);
    let admin = app.token(&team.admin);
    let before: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    assert!(before.items[0].last_used_at.is_none());
    let p: Value = app
        .post("/api/v1/patients")
        .token(&key)
        .json(&new_patient("Kay", "Key"))
        .send()
        .expect(201)
        .json();
    let after: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    assert!(after.items[0].last_used_at.is_some());
    let row = &app.audit_of("patient.create")[0];
    assert_eq!(row.actor_type, "api_key");
    assert_eq!(row.actor_id, Some(after.items[0].id));
    assert_eq!(
        row.patient_id.unwrap().to_string(),
        p["id"].as_str().unwrap()
    );
}

#[test]
fn a_revoked_key_stops_working_and_stays_listed_as_revoked() {
    let app = TestApp::spawn();
    let team = app.team("Revoke Org");
    let key = app.api_key(&team.admin, &[Scope::PatientsRead]);
    let admin = app.token(&team.admin);
    let page: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    let id = page.items[0].id;
    app.delete(&format!("/api/v1/api-keys/{id}"))
        .token(&admin)
        .send()
        .expect(204);
    app.delete(&format!("/api/v1/api-keys/{id}"))
        .token(&admin)
        .send()
        .expect(204);
    app.get("/api/v1/patients")
        .token(&key)
        .send()
        .expect(401)
        .problem();
    let page: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    assert!(page.items[0].revoked_at.is_some());
    assert_eq!(app.audit_of("api_key.revoke").len(), 2);
}

#[test]
fn only_admins_manage_keys_and_another_organizations_key_is_a_404() {
    let app = TestApp::spawn();
    let team = app.team("Key Admin Org");
    let other = app.team("Key Other Org");
    app.api_key(&team.admin, &[Scope::PatientsRead]);
    let page: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&app.token(&team.admin))
        .send()
        .expect(200)
        .json();
    let id = page.items[0].id;
    for user in [&team.supervisor, &team.care_manager, &team.viewer] {
        app.post("/api/v1/api-keys")
            .token(&app.token(user))
            .json(&json!({"name": "x", "scopes": ["patients:read"]}))
            .send()
            .expect(403);
    }
    app.delete(&format!("/api/v1/api-keys/{id}"))
        .token(&app.token(&other.admin))
        .send()
        .expect(404);
    let theirs: Page<ApiKey> = app
        .get("/api/v1/api-keys")
        .token(&app.token(&other.admin))
        .send()
        .expect(200)
        .json();
    assert!(theirs.items.is_empty());
}

#[test]
fn a_key_needs_a_name_and_known_scopes() {
    let app = TestApp::spawn();
    let team = app.team("Key Fields Org");
    let admin = app.token(&team.admin);
    let res = app
        .post("/api/v1/api-keys")
        .token(&admin)
        .json(&json!({"name": " ", "scopes": []}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["name", "scopes"]);
    let res = app
        .post("/api/v1/api-keys")
        .token(&admin)
        .json(&json!({"name": "x", "scopes": ["root"]}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["scopes[0]"]);
}

#[test]
fn a_made_up_key_is_refused() {
    let app = TestApp::spawn();
    app.get("/api/v1/patients")
        .token("cmk_made-up-key")
        .send()
        .expect(401)
        .problem();
}
