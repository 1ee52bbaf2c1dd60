//! The audit trail: one event per read or write of patient data, append-only.

use diesel::prelude::*;
use serde_json::json;
use shared::audit::AuditEvent;
use shared::auth::Scope;
use shared::pagination::Page;
use tests::TestApp;
use tests::fixtures::new_patient;

#[test]
fn each_read_or_write_of_patient_data_writes_exactly_one_audit_event() {
    let app = TestApp::spawn();
    let team = app.team("Count Org");
    let token = app.token(&team.care_manager);
    let count = || app.audit().len();
    let before = count();
    let p = app.create_patient(&token, &new_patient("Una", "Counted"));
    assert_eq!(count(), before + 1);
    app.get(&format!("/api/v1/patients/{}", p.id))
        .token(&token)
        .send()
        .expect(200);
    assert_eq!(count(), before + 2);
    app.get("/api/v1/patients").token(&token).send().expect(200);
    assert_eq!(count(), before + 3);
    app.patch(&format!("/api/v1/patients/{}", p.id))
        .token(&token)
        .json(&json!({"phone": null, "version": 1}))
        .send()
        .expect(200);
    assert_eq!(count(), before + 4);
    app.post(&format!("/api/v1/patients/{}/status", p.id))
        .token(&token)
        .json(&json!({"status": "intake", "version": 2}))
        .send()
        .expect(200);
    assert_eq!(count(), before + 5);
}

#[test]
fn the_audit_table_refuses_updates_deletes_and_truncation_even_from_the_apis_own_role() {
    let app = TestApp::spawn();
    let team = app.team("Immutable Org");
    app.create_patient(
        &app.token(&team.care_manager),
        &new_patient("Vic", "Immutable"),
    );
    let mut conn = app.conn();
    for statement in [
        "UPDATE audit_events SET action = 'nothing.happened'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let err = diesel::sql_query(statement).execute(&mut conn).unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    assert_eq!(app.audit_of("patient.create").len(), 1);
}

#[test]
fn the_role_the_server_serves_as_can_only_append_to_the_audit_trail_and_alter_nothing() {
    let app = TestApp::spawn();
    let team = app.team("Serving Role Org");
    app.create_patient(
        &app.token(&team.care_manager),
        &new_patient("Rue", "Appended"),
    );
    let mut conn = app.db.connect_as_server();
    let who: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("current_user"))
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(who, api::db::SERVING_ROLE);
    for statement in [
        "UPDATE audit_events SET action = 'nothing.happened'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
        "DROP TRIGGER audit_events_no_update_or_delete ON audit_events",
        "ALTER TABLE audit_events OWNER TO caremgr_app",
        "DROP TABLE audit_events",
        "SET ROLE postgres",
    ] {
        let err = diesel::sql_query(statement).execute(&mut conn).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{statement}: {message}"
        );
    }
    // What the server does need still works.
    diesel::sql_query(
        "INSERT INTO audit_events (organization_id, actor_type, action, resource_type) \
         VALUES (NULL, 'system', 'test.append', 'test')",
    )
    .execute(&mut conn)
    .unwrap();
    assert_eq!(app.audit_of("patient.create").len(), 1);
}

#[test]
fn supervisors_find_every_event_touching_a_patient_including_lists_that_showed_them() {
    let app = TestApp::spawn();
    let team = app.team("Trail Org");
    let cm = app.token(&team.care_manager);
    let p = app.create_patient(&cm, &new_patient("Wren", "Trail"));
    let other = app.create_patient(&cm, &new_patient("Xia", "Other"));
    app.get(&format!("/api/v1/patients/{}", p.id))
        .token(&cm)
        .send()
        .expect(200);
    app.get("/api/v1/patients?q=wren")
        .token(&cm)
        .send()
        .expect(200);
    app.get(&format!("/api/v1/patients/{}", other.id))
        .token(&cm)
        .send()
        .expect(200);
    let page: Page<AuditEvent> = app
        .get(&format!("/api/v1/audit-events?patient_id={}", p.id))
        .token(&app.token(&team.supervisor))
        .send()
        .expect(200)
        .json();
    let actions: Vec<&str> = page.items.iter().map(|e| e.action.as_ref()).collect();
    assert_eq!(
        actions,
        vec!["patient.list", "patient.read", "patient.create"],
        "newest first"
    );
    assert!(
        page.items
            .iter()
            .all(|e| e.actor_id == Some(team.care_manager.id.get()))
    );
    assert_eq!(
        app.audit_of("audit.query").len(),
        1,
        "reading the trail is audited too"
    );
}

#[test]
fn the_trail_filters_by_user_action_and_time_and_pages_newest_first() {
    let app = TestApp::spawn();
    let team = app.team("Filter Trail Org");
    let cm = app.token(&team.care_manager);
    let sup = app.token(&team.supervisor);
    for n in 0..3 {
        app.create_patient(&cm, &new_patient("Yul", &format!("Filter{n}")));
    }
    app.create_patient(&sup, &new_patient("Zed", "Supervised"));
    let by_cm: Page<AuditEvent> = app
        .get(&format!(
            "/api/v1/audit-events?user_id={}&action=patient.create&limit=2",
            team.care_manager.id
        ))
        .token(&sup)
        .send()
        .expect(200)
        .json();
    assert_eq!(by_cm.items.len(), 2);
    assert!(by_cm.items[0].id > by_cm.items[1].id);
    let rest: Page<AuditEvent> = app
        .get(&format!(
            "/api/v1/audit-events?user_id={}&action=patient.create&limit=2&cursor={}",
            team.care_manager.id,
            by_cm.next_cursor.unwrap()
        ))
        .token(&sup)
        .send()
        .expect(200)
        .json();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next_cursor.is_none());
    let future: Page<AuditEvent> = app
        .get("/api/v1/audit-events?since=2999-01-01T00:00:00Z")
        .token(&sup)
        .send()
        .expect(200)
        .json();
    assert!(future.items.is_empty());
}

#[test]
fn care_managers_and_viewers_cannot_read_the_trail_but_an_audit_key_can() {
    let app = TestApp::spawn();
    let team = app.team("Who Reads Org");
    app.get("/api/v1/audit-events")
        .token(&app.token(&team.care_manager))
        .send()
        .expect(403);
    app.get("/api/v1/audit-events")
        .token(&app.token(&team.viewer))
        .send()
        .expect(403);
    app.get("/api/v1/audit-events")
        .token(&app.token(&team.admin))
        .send()
        .expect(200);
    let key = app.api_key(&team.admin, &[Scope::AuditRead]);
    app.get("/api/v1/audit-events")
        .token(&key)
        .send()
        .expect(200);
}

#[test]
fn another_organizations_events_never_appear() {
    let app = TestApp::spawn();
    let a = app.team("Trail A Org");
    let b = app.team("Trail B Org");
    let p = app.create_patient(&app.token(&b.care_manager), &new_patient("Bea", "Theirs"));
    let page: Page<AuditEvent> = app
        .get(&format!("/api/v1/audit-events?patient_id={}", p.id))
        .token(&app.token(&a.supervisor))
        .send()
        .expect(200)
        .json();
    assert!(page.items.is_empty());
    let all: Page<AuditEvent> = app
        .get("/api/v1/audit-events")
        .token(&app.token(&a.supervisor))
        .send()
        .expect(200)
        .json();
    assert!(all.items.iter().all(|e| e.patient_id != Some(p.id)));
}

#[test]
fn reads_answered_at_once_each_find_their_own_audit_event_already_committed() {
    // Reads group-commit their events (audit::writer): many at once share
    // one INSERT. Each must still answer only after its own event is
    // durable, and each event must name its own request.
    let app = TestApp::spawn();
    let team = app.team("Batch Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Bea", "Batched"));
    let path = format!("/api/v1/patients/{}", p.id);
    let readers = 24;
    std::thread::scope(|s| {
        for n in 0..readers {
            let (app, token, path) = (&app, &token, &path);
            s.spawn(move || {
                let request = format!("batch-read-{n}");
                app.get(path)
                    .token(token)
                    .header("x-request-id", &request)
                    .send()
                    .expect(200);
                let rows: Vec<(String, Option<String>)> = app
                    .audit()
                    .into_iter()
                    .filter(|r| r.request_id.as_deref() == Some(&request))
                    .map(|r| (r.action, r.resource_id))
                    .collect();
                assert_eq!(
                    rows,
                    vec![("patient.read".to_string(), Some(p.id.to_string()))],
                    "the event of {request} is committed before its answer"
                );
            });
        }
    });
    assert_eq!(app.audit_of("patient.read").len(), readers);
}
