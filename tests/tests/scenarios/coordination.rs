//! Case lifecycle consequences, alerts, the timeline and organization
//! boundaries of the care-coordination records.

use chrono::Duration;
use serde_json::{Value, json};
use shared::risk::RiskLevel;
use shared::tasks::TaskStatus;
use tests::TestApp;

use crate::care::{
    Scene, alerts_of, appointment, discharge, manual_task, mark_missed, now, patient_of, scene,
    tasks_of, worklist,
};

#[test]
fn closing_a_case_cancels_its_open_tasks_with_the_closure_reason() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Closure Org", "Closing", RiskLevel::Moderate);
    let p: shared::patients::Patient = app
        .post(&format!("/api/v1/patients/{}/status", p.id))
        .token(&token)
        .json(&json!({"status": "active", "version": p.version}))
        .send()
        .expect(200)
        .json();
    discharge(&app, &token, p.id, now() - Duration::hours(2));
    manual_task(&app, &token, p.id, team.care_manager.id, "outreach", now());
    app.post(&format!("/api/v1/patients/{}/status", p.id))
        .token(&token)
        .json(&json!({"status": "closed", "reason": "Moved out of state", "version": p.version}))
        .send()
        .expect(200);

    let tasks = tasks_of(&app, &token, p.id);
    assert_eq!(tasks.len(), 2);
    for t in &tasks {
        assert_eq!(t.status, TaskStatus::Cancelled);
        assert!(
            t.cancel_reason
                .as_deref()
                .unwrap()
                .contains("Moved out of state"),
            "{:?}",
            t.cancel_reason
        );
    }
    assert!(worklist(&app, &token, None).is_empty());
}

#[test]
fn an_alert_is_acknowledged_once_and_records_who_and_when() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Ack Org", "Alerted", RiskLevel::High);
    discharge(&app, &token, p.id, now() - Duration::hours(1));
    let alert = alerts_of(&app, &token, p.id)[0].clone();
    let mine: Value = app
        .get("/api/v1/alerts?acknowledged=false")
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        1,
        "the care manager's inbox has it"
    );

    let acked: Value = app
        .post(&format!(
            "/api/v1/alerts/{}/acknowledge",
            alert["id"].as_str().unwrap()
        ))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(acked["acknowledged_by"], json!(team.care_manager.id));
    let second: Value = app
        .post(&format!(
            "/api/v1/alerts/{}/acknowledge",
            alert["id"].as_str().unwrap()
        ))
        .token(&app.token(&team.supervisor))
        .send()
        .expect(200)
        .json();
    assert_eq!(
        second["acknowledged_by"],
        json!(team.care_manager.id),
        "the first acknowledgement stands"
    );
    assert_eq!(second["acknowledged_at"], acked["acknowledged_at"]);
    let open: Value = app
        .get("/api/v1/alerts?acknowledged=false")
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert!(open["items"].as_array().unwrap().is_empty());
}

#[test]
fn the_timeline_shows_every_kind_of_event_newest_first() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Timeline Org", "Timeline", RiskLevel::Low);
    discharge(&app, &token, p.id, now() - Duration::hours(5));
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(4));
    mark_missed(&app, &token, &appt);
    app.post(&format!("/api/v1/patients/{}/notes", p.id))
        .token(&token)
        .json(&json!({"type": "outreach", "body": "Left a message.", "minutes": 5}))
        .send()
        .expect(201);
    app.post(&format!("/api/v1/patients/{}/outreach-attempts", p.id))
        .token(&token)
        .json(&json!({"method": "phone", "outcome": "no_answer"}))
        .send()
        .expect(201);

    let page: Value = app
        .get(&format!("/api/v1/patients/{}/timeline?limit=200", p.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    let items = page["items"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    for kind in [
        "encounter",
        "appointment",
        "task",
        "outreach",
        "note",
        "alert",
        "status_change",
    ] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    assert_eq!(app.audit_of("timeline.read").len(), 1);
}

#[test]
fn another_organizations_care_records_are_404_everywhere() {
    let app = TestApp::spawn();
    let ours = app.team("Our Org");
    let theirs = app.team("Their Org");
    let token = app.token(&ours.care_manager);
    let p = patient_of(&app, &token, &ours.care_manager, "Ours", RiskLevel::High);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(2));
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(1));
    let note: Value = app
        .post(&format!("/api/v1/patients/{}/notes", p.id))
        .token(&token)
        .json(&json!({"type": "huddle", "body": "Ours.", "minutes": 5}))
        .send()
        .expect(201)
        .json();
    let alert = alerts_of(&app, &token, p.id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = e.followup_task_id.unwrap();

    let stranger = app.token(&theirs.supervisor);
    for path in [
        format!("/api/v1/encounters/{}", e.id),
        format!("/api/v1/appointments/{}", appt["id"].as_str().unwrap()),
        format!("/api/v1/tasks/{task}"),
        format!("/api/v1/notes/{}", note["id"].as_str().unwrap()),
        format!("/api/v1/patients/{}/timeline", p.id),
        format!("/api/v1/patients/{}/notes", p.id),
        format!("/api/v1/patients/{}/care-team", p.id),
        format!("/api/v1/patients/{}/contacts", p.id),
        format!("/api/v1/patients/{}/outreach-attempts", p.id),
    ] {
        assert_eq!(
            app.get(&path).token(&stranger).send().status,
            404,
            "GET {path}"
        );
    }
    let writes = [
        app.patch(&format!("/api/v1/tasks/{task}"))
            .token(&stranger)
            .json(&json!({"status": "cancelled", "cancel_reason": "x", "version": 1})),
        app.post(&format!("/api/v1/alerts/{alert}/acknowledge"))
            .token(&stranger),
        app.post(&format!(
            "/api/v1/notes/{}/sign",
            note["id"].as_str().unwrap()
        ))
        .token(&stranger)
        .json(&json!({"version": 1})),
        app.patch(&format!("/api/v1/encounters/{}", e.id))
            .token(&stranger)
            .json(&json!({"discharge_disposition": "x", "version": e.version})),
    ];
    for req in writes {
        assert_eq!(req.send().status, 404);
    }
    let planted = app
        .post("/api/v1/encounters")
        .token(&stranger)
        .json(&json!({"patient_id": p.id, "kind": "ed", "facility": "X", "admitted_at": now()}))
        .send()
        .expect(422);
    assert_eq!(planted.invalid_fields(), vec!["patient_id"]);
    let their_list: Value = app
        .get("/api/v1/alerts")
        .token(&stranger)
        .send()
        .expect(200)
        .json();
    assert!(their_list["items"].as_array().unwrap().is_empty());
    assert!(worklist(&app, &stranger, None).is_empty());
    let cross = app
        .get(&format!(
            "/api/v1/worklist?user_id={}",
            ours.care_manager.id
        ))
        .token(&stranger)
        .send();
    assert_eq!(
        cross.status, 404,
        "another organization's user is not found"
    );
}

#[test]
fn care_team_members_receive_the_patients_alerts() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Care Team Org", "Teamed", RiskLevel::Low);
    let peer = app.user(&team.org, shared::auth::Role::CareManager);
    app.post(&format!("/api/v1/patients/{}/care-team", p.id))
        .token(&token)
        .json(&json!({"user_id": peer.id, "role": "peer_specialist", "start_date": now().date_naive() - Duration::days(1)}))
        .send()
        .expect(201);
    app.post(&format!("/api/v1/patients/{}/care-team", p.id))
        .token(&token)
        .json(
            &json!({"name": "Dr. Aisha Bello", "organization": "Eastside Clinic", "role": "pcp",
                      "start_date": now().date_naive()}),
        )
        .send()
        .expect(201);
    discharge(&app, &token, p.id, now() - Duration::hours(1));
    let inbox: Value = app
        .get("/api/v1/alerts")
        .token(&app.token(&peer))
        .send()
        .expect(200)
        .json();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);
    assert_eq!(inbox["items"][0]["kind"], "discharge");
}
