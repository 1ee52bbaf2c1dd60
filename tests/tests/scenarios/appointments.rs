//! Appointments and engagement: the missed-appointment rule, business days
//! in the organization's time zone, disengagement.

use chrono::{Datelike, Duration, TimeZone, Weekday};
use chrono_tz::America::Los_Angeles;
use serde_json::{Value, json};
use shared::calendar::due_next_business_day;
use shared::risk::RiskLevel;
use shared::tasks::{TaskKind, TaskStatus};
use tests::TestApp;

use crate::care::{
    Scene, alerts_of, appointment, mark_missed, now, patient_of, scene, task, tasks_of, worklist,
};

#[test]
fn marking_an_appointment_missed_creates_a_followup_due_at_the_end_of_the_next_business_day() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Missed Org", "Missed", RiskLevel::Moderate);
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(3));

    let before = now();
    let missed = mark_missed(&app, &token, &appt);
    let after = now() + Duration::seconds(1);

    let t = task(
        &app,
        &token,
        missed["followup_task_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    assert_eq!(t.kind, TaskKind::MissedAppointmentFollowup);
    assert_eq!(t.assignee_id, Some(team.care_manager.id));
    let expected = [
        due_next_business_day(before, &Los_Angeles, &[]),
        due_next_business_day(after, &Los_Angeles, &[]),
    ];
    assert!(
        expected.contains(&t.due_at),
        "due {} not in {expected:?}",
        t.due_at
    );
    let local = t.due_at.with_timezone(&Los_Angeles);
    assert_eq!(local.format("%H:%M").to_string(), "17:00");
    assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun));
    assert_eq!(
        alerts_of(&app, &token, p.id)[0]["kind"],
        "missed_appointment"
    );
    assert_eq!(app.audit_of("appointment.update").len(), 1);
}

#[test]
fn an_organization_holiday_pushes_the_missed_appointment_followup_to_the_next_business_day() {
    let app = TestApp::spawn();
    let team = app.team("Holiday Org");
    let admin = app.token(&team.admin);
    let token = app.token(&team.care_manager);
    // The day the follow-up would be due without holidays becomes one.
    let normally_due = due_next_business_day(now(), &Los_Angeles, &[]);
    let holiday = normally_due.with_timezone(&Los_Angeles).date_naive();
    let org: Value = app
        .get("/api/v1/organization")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    app.patch("/api/v1/organization")
        .token(&admin)
        .json(&json!({"holidays": [{"date": holiday, "name": "Staff day"}], "version": org["version"]}))
        .send()
        .expect(200);

    let p = patient_of(&app, &token, &team.care_manager, "Holiday", RiskLevel::Low);
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(2));
    let missed = mark_missed(&app, &token, &appt);

    let t = task(
        &app,
        &token,
        missed["followup_task_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    let due_local = t.due_at.with_timezone(&Los_Angeles);
    assert!(
        due_local.date_naive() > holiday,
        "due {due_local} should skip the holiday {holiday}"
    );
    assert_eq!(
        t.due_at,
        due_next_business_day(now(), &Los_Angeles, &[holiday])
    );
    assert_eq!(
        Los_Angeles
            .from_utc_datetime(&t.due_at.naive_utc())
            .format("%H:%M")
            .to_string(),
        "17:00"
    );
}

#[test]
fn two_missed_appointments_within_30_days_raise_one_disengagement_alert_and_suggest_outreach() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Disengaged Org", "Disengaged", RiskLevel::High);
    let first = appointment(&app, &token, p.id, now() - Duration::days(12));
    mark_missed(&app, &token, &first);
    let kinds = |app: &TestApp| -> Vec<String> {
        alerts_of(app, &token, p.id)
            .iter()
            .map(|a| a["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        !kinds(&app).contains(&"disengagement".to_string()),
        "one miss is not a pattern"
    );

    let second = appointment(&app, &token, p.id, now() - Duration::days(1));
    mark_missed(&app, &token, &second);
    let third = appointment(&app, &token, p.id, now() - Duration::hours(5));
    mark_missed(&app, &token, &third);

    let disengagement = kinds(&app).iter().filter(|k| *k == "disengagement").count();
    assert_eq!(
        disengagement,
        1,
        "one open disengagement alert at a time: {:?}",
        kinds(&app)
    );
    let items = worklist(&app, &token, None);
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|i| i
            .suggestion
            .as_deref()
            .is_some_and(|s| s.to_lowercase().contains("peer"))),
        "every item of a disengaged patient suggests outreach or peer support: {:?}",
        items.iter().map(|i| &i.suggestion).collect::<Vec<_>>()
    );
}

#[test]
fn misses_more_than_30_days_apart_are_not_disengagement() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Spread Org", "Spread", RiskLevel::High);
    let old = appointment(&app, &token, p.id, now() - Duration::days(45));
    mark_missed(&app, &token, &old);
    let recent = appointment(&app, &token, p.id, now() - Duration::hours(4));
    mark_missed(&app, &token, &recent);
    assert!(
        alerts_of(&app, &token, p.id)
            .iter()
            .all(|a| a["kind"] != "disengagement")
    );
}

#[test]
fn correcting_a_missed_appointment_to_attended_cancels_its_followup() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Corrected Miss Org", "Attended", RiskLevel::Low);
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(6));
    let missed = mark_missed(&app, &token, &appt);
    app.patch(&format!(
        "/api/v1/appointments/{}",
        appt["id"].as_str().unwrap()
    ))
    .token(&token)
    .json(&json!({"status": "attended", "version": missed["version"]}))
    .send()
    .expect(200);
    let tasks = tasks_of(&app, &token, p.id);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, TaskStatus::Cancelled);
    assert!(worklist(&app, &token, None).is_empty());
}

#[test]
fn an_appointment_update_with_a_stale_version_is_a_412_and_changes_nothing() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Stale Appt Org", "Stale", RiskLevel::Low);
    let appt = appointment(&app, &token, p.id, now() - Duration::hours(6));
    mark_missed(&app, &token, &appt);
    let res = app
        .patch(&format!(
            "/api/v1/appointments/{}",
            appt["id"].as_str().unwrap()
        ))
        .token(&token)
        .json(&json!({"status": "cancelled", "version": appt["version"]}))
        .send();
    assert_eq!(res.status, 412);
    assert_eq!(tasks_of(&app, &token, p.id).len(), 1);
}

#[test]
fn a_scheduling_feeds_resend_cannot_silently_undo_a_reschedule_made_in_care_manager() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Resend Appt Org", "Rescheduled", RiskLevel::Low);
    let key = app.api_key(&team.admin, &[shared::auth::Scope::AppointmentsWrite]);
    let at = now() + Duration::days(3);
    let body = json!({
        "patient_id": p.id,
        "provider_name": "Jordan Lee, LCSW",
        "kind": "therapy",
        "scheduled_at": at,
        "external_id": "SCHED-42",
    });
    let sent: Value = app
        .post("/api/v1/appointments")
        .token(&key)
        .json(&body)
        .send()
        .expect(201)
        .json();
    let moved = at + Duration::days(1);
    app.patch(&format!(
        "/api/v1/appointments/{}",
        sent["id"].as_str().unwrap()
    ))
    .token(&token)
    .json(&json!({"scheduled_at": moved, "version": sent["version"]}))
    .send()
    .expect(200);

    let resent = app
        .post("/api/v1/appointments")
        .token(&key)
        .json(&body)
        .send()
        .expect(428);
    assert_eq!(
        resent.problem().kind(),
        Some(shared::problem::ProblemKind::VersionRequired)
    );
    let now_: Value = app
        .get(&format!(
            "/api/v1/appointments/{}",
            sent["id"].as_str().unwrap()
        ))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(
        now_["scheduled_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        moved
    );
}
