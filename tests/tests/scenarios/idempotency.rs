//! `Idempotency-Key`: a retry replays the first answer, is audited like it,
//! and the key is forgotten after its time to live.

use std::time::Duration;

use serde_json::json;
use shared::auth::Scope;
use shared::patients::Patient;
use shared::risk::RiskLevel;
use tests::TestApp;
use tests::fixtures::new_patient;

use crate::care::{Scene, now, scene};

#[test]
fn a_replayed_encounter_is_audited_like_its_first_answer() {
    let Scene {
        app, team, patient, ..
    } = scene("Replay Audit Org", "Replayed", RiskLevel::Low);
    let key = app.api_key(&team.admin, &[Scope::EncountersWrite]);
    let body = json!({
        "patient_id": patient.id,
        "kind": "ed",
        "facility": "Mercy ED",
        "admitted_at": now() - chrono::Duration::hours(5),
    });
    let send = || {
        app.post("/api/v1/encounters")
            .token(&key)
            .header("Idempotency-Key", "adt-a01-77")
            .json(&body)
            .send()
            .expect(201)
    };
    let first = send();
    let again = send();
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let id = first.json::<serde_json::Value>()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = app.audit_of("encounter.create");
    let replayed = app.audit_of("encounter.create_replayed");
    assert_eq!((created.len(), replayed.len()), (1, 1));
    assert_eq!(replayed[0].patient_id, Some(patient.id.get()));
    assert_eq!(replayed[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(replayed[0].actor_id, created[0].actor_id);
}

#[test]
fn a_key_is_forgotten_after_its_time_to_live() {
    let app = TestApp::spawn_with(|c| c.idempotency_ttl = Duration::from_secs(1));
    let team = app.team("Expiry Org");
    let token = app.token(&team.care_manager);
    let body = new_patient("Eve", "Expiring");
    let send = || {
        app.post("/api/v1/patients")
            .token(&token)
            .header("Idempotency-Key", "nightly-import-1")
            .json(&body)
            .send()
            .expect(201)
    };
    let first: Patient = send().json();
    std::thread::sleep(Duration::from_millis(1100));
    let later = send();
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(later.json::<Patient>().id, first.id);
}
