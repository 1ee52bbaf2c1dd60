//! Hospital, ED and crisis-center transitions: the discharge rule, resends
//! from integrations, and completing the follow-up.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::{Value, json};
use shared::auth::Scope;
use shared::encounters::Encounter;
use shared::risk::RiskLevel;
use shared::tasks::{Task, TaskKind, TaskStatus};
use tests::TestApp;
use tests::fixtures::new_patient;

use crate::care::{Scene, alerts_of, discharge, now, post_encounter, scene, task, tasks_of};

#[test]
fn a_discharge_creates_a_transition_followup_due_24_hours_later_for_the_primary_care_manager() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Transition Org", "Discharged", RiskLevel::High);
    let discharged_at = now() - Duration::hours(3);

    let e = discharge(&app, &token, p.id, discharged_at);

    let task_id = e
        .followup_task_id
        .expect("the encounter links its follow-up");
    let t = task(&app, &token, task_id);
    assert_eq!(t.kind, TaskKind::TransitionFollowup);
    assert_eq!(t.due_at, discharged_at + Duration::hours(24));
    assert_eq!(t.assignee_id, Some(team.care_manager.id));
    assert_eq!(t.patient_id, p.id);
    assert_eq!(t.status, TaskStatus::Open);
    let alerts = alerts_of(&app, &token, p.id);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["kind"], "discharge");
    assert!(
        alerts[0]["recipient_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(team.care_manager.id)),
        "the care manager is told: {alerts:?}"
    );
}

#[test]
fn the_discharge_and_its_followup_are_written_by_the_same_transaction() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Atomic Org", "Atomic", RiskLevel::Low);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(1));
    // Postgres' now() is the transaction's start time: equal values mean one
    // transaction wrote both rows.
    let (encounter_xact, task_xact): (String, String) = diesel::sql_query(format!(
        "SELECT (SELECT xmin::text FROM encounters WHERE id = '{}') AS encounter_xact, \
                (SELECT xmin::text FROM tasks WHERE id = '{}') AS task_xact",
        e.id,
        e.followup_task_id.unwrap()
    ))
    .get_result::<Xacts>(&mut app.conn())
    .map(|x| (x.encounter_xact, x.task_xact))
    .unwrap();
    // The rule also links the task back to the encounter (an UPDATE in the
    // same transaction), so both rows carry that transaction's id.
    assert_eq!(encounter_xact, task_xact);
}

#[derive(QueryableByName)]
struct Xacts {
    #[diesel(sql_type = diesel::sql_types::Text)]
    encounter_xact: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    task_xact: String,
}

#[test]
fn an_integration_resending_the_same_encounter_updates_it_and_never_duplicates_it_or_its_task() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Resend Org", "Resend", RiskLevel::Moderate);
    let key = app.api_key(&team.admin, &[Scope::EncountersWrite]);
    let discharged_at = now() - Duration::hours(2);
    let body = |disposition: &str| {
        json!({
            "patient_id": p.id,
            "kind": "ed",
            "facility": "Riverside General Hospital",
            "admitted_at": discharged_at - Duration::hours(9),
            "discharged_at": discharged_at,
            "discharge_disposition": disposition,
            "external_id": "ADT-778812",
        })
    };

    let first: Encounter = post_encounter(&app, &key, body("home")).expect(201).json();
    let again: Encounter = post_encounter(&app, &key, body("home")).expect(200).json();
    let corrected: Encounter = post_encounter(&app, &key, body("shelter"))
        .expect(200)
        .json();

    assert_eq!(first.id, again.id);
    assert_eq!(first.id, corrected.id);
    assert_eq!(
        again.version, first.version,
        "an identical resend changes nothing"
    );
    assert_eq!(corrected.discharge_disposition.as_deref(), Some("shelter"));
    let tasks = tasks_of(&app, &token, p.id);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(alerts_of(&app, &token, p.id).len(), 1);
    let listed: Value = app
        .get(&format!("/api/v1/encounters?patient_id={}", p.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[test]
fn an_api_key_without_encounters_write_cannot_record_a_discharge() {
    let Scene {
        app,
        team,
        patient: p,
        ..
    } = scene("Scope Org", "Scoped", RiskLevel::Low);
    let key = app.api_key(&team.admin, &[Scope::EncountersRead]);
    let res = post_encounter(
        &app,
        &key,
        json!({"patient_id": p.id, "kind": "ed", "facility": "X", "admitted_at": now()}),
    );
    assert_eq!(res.status, 403);
}

#[test]
fn an_admission_alerts_the_care_team_and_the_later_discharge_adds_the_followup() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Admission Org", "Admitted", RiskLevel::VeryHigh);
    let admitted: Encounter = post_encounter(
        &app,
        &token,
        json!({"patient_id": p.id, "kind": "bhcc", "facility": "Willamette Crisis Center",
               "admitted_at": now() - Duration::hours(20)}),
    )
    .expect(201)
    .json();
    assert!(admitted.followup_task_id.is_none());
    assert!(tasks_of(&app, &token, p.id).is_empty());
    assert_eq!(alerts_of(&app, &token, p.id)[0]["kind"], "admission");

    let discharged_at = now() - Duration::minutes(30);
    let discharged: Encounter = app
        .patch(&format!("/api/v1/encounters/{}", admitted.id))
        .token(&token)
        .header("If-Match", &format!("\"{}\"", admitted.version))
        .json(&json!({"discharged_at": discharged_at, "discharge_disposition": "home"}))
        .send()
        .expect(200)
        .json();
    let t = task(
        &app,
        &token,
        discharged.followup_task_id.expect("follow-up"),
    );
    assert_eq!(t.due_at, discharged_at + Duration::hours(24));
    assert_eq!(alerts_of(&app, &token, p.id).len(), 2);
}

#[test]
fn a_corrected_discharge_time_moves_the_followup_due_time() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Correction Org", "Corrected", RiskLevel::Low);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(5));
    let corrected_time = now() - Duration::hours(2);
    app.patch(&format!("/api/v1/encounters/{}", e.id))
        .token(&token)
        .json(&json!({"discharged_at": corrected_time, "version": e.version}))
        .send()
        .expect(200);
    let t = task(&app, &token, e.followup_task_id.unwrap());
    assert_eq!(t.due_at, corrected_time + Duration::hours(24));
    assert_eq!(tasks_of(&app, &token, p.id).len(), 1);
}

#[test]
fn a_discharge_of_a_patient_without_a_care_manager_goes_to_a_supervisor() {
    let app = TestApp::spawn();
    let team = app.team("Unassigned Org");
    // A care manager's new patient is theirs; a supervisor's is nobody's.
    let token = app.token(&team.supervisor);
    let p = app.create_patient(&token, &new_patient("Nobody", "Assigned"));
    assert_eq!(p.primary_care_manager_id, None);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(1));
    let t = task(&app, &token, e.followup_task_id.unwrap());
    assert_eq!(t.assignee_id, Some(team.supervisor.id));
}

#[test]
fn completing_a_transition_followup_requires_its_outcome_and_counts_toward_the_on_time_share() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Outcome Org", "Outcome", RiskLevel::High);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(4));
    let t = task(&app, &token, e.followup_task_id.unwrap());

    let missing = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "done", "outcome": "Reached", "version": t.version}))
        .send()
        .expect(422);
    assert!(
        missing
            .invalid_fields()
            .iter()
            .any(|f| f.starts_with("transition_outcome")),
        "{:?}",
        missing.invalid_fields()
    );

    let follow_up_date = (now() + Duration::days(5)).date_naive();
    let done: Task = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({
            "status": "done",
            "outcome": "Reached by phone; therapy booked.",
            "transition_outcome": {
                "patient_reached": true,
                "followup_appointment_scheduled": true,
                "followup_appointment_date": follow_up_date,
                "discharge_instructions_understood": true,
                "medications_reviewed": true,
                "needs_identified": "Bus pass",
            },
            "version": t.version,
        }))
        .send()
        .expect(200)
        .json();
    assert_eq!(done.status, TaskStatus::Done);
    assert_eq!(done.completed_by, Some(team.care_manager.id));
    assert_eq!(
        done.transition_outcome
            .as_ref()
            .and_then(|o| o.followup_appointment_date),
        Some(follow_up_date)
    );
    assert!(
        crate::care::worklist(&app, &token, None).is_empty(),
        "done work leaves the worklist"
    );

    let workload: Value = app
        .get("/api/v1/team/workload")
        .token(&app.token(&team.supervisor))
        .send()
        .expect(200)
        .json();
    let mine = workload["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["user_id"] == json!(team.care_manager.id))
        .expect("the care manager is listed")
        .clone();
    assert_eq!(mine["transition_followups_done"], 1);
    assert_eq!(mine["transition_followups_on_time"], 1);
    assert_eq!(mine["transition_on_time_percent"], 100);
}

#[test]
fn recording_and_reading_encounters_writes_audit_rows() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Audited Org", "Audited", RiskLevel::Low);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(1));
    app.get(&format!("/api/v1/encounters/{}", e.id))
        .token(&token)
        .send()
        .expect(200);
    let created = app.audit_of("encounter.create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].patient_id, Some(p.id.get()));
    assert_eq!(created[0].actor_id, Some(team.care_manager.id.get()));
    assert_eq!(
        created[0].resource_id.as_deref(),
        Some(e.id.to_string().as_str())
    );
    assert_eq!(app.audit_of("encounter.read").len(), 1);
}

#[test]
fn only_the_assignee_or_a_supervisor_may_cancel_a_transition_follow_up() {
    let Scene {
        app,
        team,
        token,
        patient,
    } = scene("Cancel Rule Org", "Cancelled", RiskLevel::High);
    discharge(&app, &token, patient.id, now() - Duration::hours(2));
    let follow_up = tasks_of(&app, &token, patient.id)
        .into_iter()
        .find(|t| t.kind == TaskKind::TransitionFollowup)
        .expect("a follow-up");
    let colleague = app.user(&team.org, shared::auth::Role::CareManager);
    let cancel = |who: &str, version: i32| {
        app.patch(&format!("/api/v1/tasks/{}", follow_up.id))
            .token(who)
            .json(&json!({"status": "cancelled", "cancel_reason": "Seen at the clinic", "version": version}))
            .send()
    };
    let refused = cancel(&app.token(&colleague), follow_up.version).expect(403);
    assert!(
        refused
            .problem()
            .detail
            .unwrap()
            .contains("assignee or a supervisor")
    );
    let no_reason = app
        .patch(&format!("/api/v1/tasks/{}", follow_up.id))
        .token(&token)
        .json(&json!({"status": "cancelled", "version": follow_up.version}))
        .send();
    assert_eq!(no_reason.invalid_fields(), vec!["cancel_reason"]);
    let done: Task = cancel(&token, follow_up.version).expect(200).json();
    assert_eq!(done.status, TaskStatus::Cancelled);
    // A supervisor may cancel one assigned to someone else.
    let other = scene("Cancel Rule Org Two", "Supervised", RiskLevel::High);
    discharge(
        &other.app,
        &other.token,
        other.patient.id,
        now() - Duration::hours(2),
    );
    let theirs = tasks_of(&other.app, &other.token, other.patient.id)
        .into_iter()
        .find(|t| t.kind == TaskKind::TransitionFollowup)
        .expect("a follow-up");
    other
        .app
        .patch(&format!("/api/v1/tasks/{}", theirs.id))
        .token(&other.app.token(&other.team.supervisor))
        .json(&json!({"status": "cancelled", "cancel_reason": "Duplicate", "version": theirs.version}))
        .send()
        .expect(200);
}

#[test]
fn a_resend_cannot_silently_undo_a_care_managers_edit_unless_it_names_the_version_it_read() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Resend Edit Org", "Edited", RiskLevel::Moderate);
    let key = app.api_key(&team.admin, &[Scope::EncountersWrite]);
    let discharged_at = now() - Duration::hours(4);
    let body = |disposition: &str| {
        json!({
            "patient_id": p.id,
            "kind": "inpatient_psych",
            "facility": "Riverside General Hospital",
            "admitted_at": discharged_at - Duration::days(2),
            "discharged_at": discharged_at,
            "discharge_disposition": disposition,
            "external_id": "ADT-1001",
        })
    };
    let sent: Encounter = post_encounter(&app, &key, body("home")).expect(201).json();
    let fixed_time = discharged_at + Duration::minutes(30);
    let edited: Encounter = app
        .patch(&format!("/api/v1/encounters/{}", sent.id))
        .token(&token)
        .json(&json!({"discharged_at": fixed_time, "version": sent.version}))
        .send()
        .expect(200)
        .json();

    let blind = post_encounter(&app, &key, body("shelter")).expect(428);
    assert!(blind.problem().detail.is_some());
    let identical = post_encounter(&app, &key, body("home"));
    assert_eq!(
        identical.status, 428,
        "the resend's own times would undo the care manager's correction"
    );
    let mut stale = body("shelter");
    stale["version"] = json!(sent.version);
    let stale = post_encounter(&app, &key, stale).expect(412);
    assert_eq!(
        stale.header("etag").as_deref(),
        Some(&*format!("W/\"{}\"", edited.version))
    );
    let after: Encounter = app
        .get(&format!("/api/v1/encounters/{}", sent.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(after.discharged_at, Some(fixed_time), "the edit stands");
    assert_eq!(after.discharge_disposition.as_deref(), Some("home"));

    let informed: Encounter = app
        .post("/api/v1/encounters")
        .token(&key)
        .header("If-Match", &format!("W/\"{}\"", edited.version))
        .json(&body("shelter"))
        .send()
        .expect(200)
        .json();
    assert_eq!(informed.discharge_disposition.as_deref(), Some("shelter"));
    let next: Encounter = post_encounter(&app, &key, body("rehab")).expect(200).json();
    assert_eq!(
        next.discharge_disposition.as_deref(),
        Some("rehab"),
        "once the sender has overwritten knowingly, its plain resends flow again"
    );
}
