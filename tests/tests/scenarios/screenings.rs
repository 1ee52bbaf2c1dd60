//! Screenings: the server scores them, a suicide-risk answer puts a
//! same-day safety follow-up at the top of the worklist, a positive PHQ-2
//! asks for a PHQ-9, histories read forward, and a wrong screening is
//! marked entered in error — never deleted.

use chrono::Duration;
use serde_json::{Value, json};
use shared::ids::PatientId;
use shared::risk::RiskLevel;
use shared::screening::{Flag, Instrument, Screening, ScreeningSeverity};
use shared::tasks::{TaskKind, TaskStatus};
use tests::TestApp;

use crate::care::{Scene, alerts_of, now, scene, tasks_of, worklist};

fn phq9(item9: i64) -> Value {
    json!({"1": 1, "2": 2, "3": 1, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": item9})
}

fn post(app: &TestApp, token: &str, patient: PatientId, body: &Value) -> tests::Res {
    app.post(&format!("/api/v1/patients/{patient}/screenings"))
        .token(token)
        .json(body)
        .send()
}

fn record(
    app: &TestApp,
    token: &str,
    patient: PatientId,
    instrument: &str,
    answers: Value,
) -> Screening {
    post(
        app,
        token,
        patient,
        &json!({"instrument": instrument, "administered_at": now() - Duration::minutes(5), "answers": answers}),
    )
    .expect(201)
    .json()
}

#[test]
fn a_phq9_with_item_9_answered_puts_a_same_day_safety_followup_quoting_the_answer_at_the_top_of_the_worklist()
 {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Safety Org", "Safety", RiskLevel::Low);
    crate::care::manual_task(
        &app,
        &token,
        p.id,
        team.care_manager.id,
        "outreach",
        now() - Duration::hours(1),
    );

    let s = record(&app, &token, p.id, "phq9", phq9(1));

    assert_eq!(s.result.total, Some(9));
    assert_eq!(s.result.severity, ScreeningSeverity::Mild);
    assert_eq!(s.result.flags, vec![Flag::SuicideRisk]);
    assert_eq!(s.result.loinc.panel.as_deref(), Some("44249-1"));
    let tasks = tasks_of(&app, &token, p.id);
    let safety = tasks
        .iter()
        .find(|t| t.kind == TaskKind::SafetyFollowup)
        .expect("a safety follow-up");
    assert_eq!(safety.assignee_id, Some(team.care_manager.id));
    assert!(safety.due_at > now() && safety.due_at <= now() + Duration::hours(24));
    let items = worklist(&app, &token, None);
    assert_eq!(items[0].task.id, safety.id, "{items:#?}");
    assert_eq!(items[0].band, 1);
    assert!(
        items[0].reason.contains("item 9") && items[0].reason.contains("several days"),
        "{}",
        items[0].reason
    );
    // The safety alert, and the risk rising with it (low to high).
    let alerts = alerts_of(&app, &token, p.id);
    let kinds: Vec<&str> = alerts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "safety").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let safety = alerts.iter().find(|a| a["kind"] == "safety").unwrap();
    assert_eq!(safety["severity"], "high");
    let rise = alerts
        .iter()
        .find(|a| a["kind"] == "risk_increase")
        .unwrap();
    assert!(
        rise["message"]
            .as_str()
            .unwrap()
            .starts_with("Risk rose from low to high"),
        "{rise}"
    );
}

#[test]
fn a_phq9_without_item_9_opens_no_safety_work() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Calm Org", "Calm", RiskLevel::Low);
    let s = record(&app, &token, p.id, "phq9", phq9(0));
    assert_eq!(s.result.total, Some(8));
    assert!(s.result.flags.is_empty());
    assert!(tasks_of(&app, &token, p.id).is_empty());
    assert!(alerts_of(&app, &token, p.id).is_empty());
}

#[test]
fn a_high_risk_cssrs_is_a_safety_followup_too() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Cssrs Org", "Cssrs", RiskLevel::Moderate);
    let s = record(
        &app,
        &token,
        p.id,
        "cssrs",
        json!({"1": true, "2": true, "3": true, "4": true, "5": false, "6": false}),
    );
    assert_eq!(s.result.total, None);
    assert_eq!(s.result.severity, ScreeningSeverity::High);
    let kinds: Vec<_> = tasks_of(&app, &token, p.id)
        .iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(kinds, vec![TaskKind::SafetyFollowup]);
}

#[test]
fn a_positive_phq2_asks_for_a_phq9() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Phq2 Org", "Prescreen", RiskLevel::Low);
    let s = record(&app, &token, p.id, "phq2", json!({"1": 2, "2": 1}));
    assert_eq!(s.result.severity, ScreeningSeverity::Positive);
    let tasks = tasks_of(&app, &token, p.id);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].kind, TaskKind::ScreeningDue);
    assert!(tasks[0].title.contains("PHQ-9"), "{}", tasks[0].title);
}

#[test]
fn a_missing_or_out_of_range_item_is_a_422_naming_the_item_and_nothing_is_stored() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Invalid Org", "Invalid", RiskLevel::Low);
    let mut answers = phq9(0);
    answers.as_object_mut().unwrap().remove("9");
    answers["4"] = json!(7);
    let fields = post(
        &app,
        &token,
        p.id,
        &json!({"instrument": "phq9", "administered_at": now(), "answers": answers}),
    )
    .invalid_fields();
    assert_eq!(fields, vec!["answers.4", "answers.9"]);

    let with_total = post(
        &app,
        &token,
        p.id,
        &json!({"instrument": "phq9", "administered_at": now(), "answers": phq9(0), "total": 27}),
    );
    assert_eq!(
        with_total.invalid_fields(),
        vec!["total"],
        "a client's total is refused, never trusted"
    );
    let later = post(
        &app,
        &token,
        p.id,
        &json!({"instrument": "phq9", "administered_at": now() + Duration::hours(2), "answers": phq9(0)}),
    );
    assert_eq!(later.invalid_fields(), vec!["administered_at"]);
    let page: Value = app
        .get(&format!("/api/v1/patients/{}/screenings", p.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
}

#[test]
fn audit_c_uses_the_patients_sex_for_its_cut_off() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Audit C Org", "Drinks", RiskLevel::Low);
    // The fixture's patient is female: 3 is positive for her.
    let s = record(
        &app,
        &token,
        p.id,
        "audit_c",
        json!({"1": 2, "2": 1, "3": 0}),
    );
    assert_eq!(s.result.total, Some(3));
    assert!(s.result.positive);
}

#[test]
fn an_instruments_history_reads_oldest_to_newest_across_pages() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("History Org", "History", RiskLevel::Low);
    for (days_ago, item1) in [(10, 3), (90, 2), (40, 1)] {
        post(
            &app,
            &token,
            p.id,
            &json!({"instrument": "phq9", "administered_at": now() - Duration::days(days_ago), "answers": phq9(0).as_object().unwrap().clone().into_iter().map(|(k, v)| if k == "1" { (k, json!(item1)) } else { (k, v) }).collect::<serde_json::Map<_, _>>()}),
        )
        .expect(201);
    }
    record(
        &app,
        &token,
        p.id,
        "gad7",
        json!({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0}),
    );

    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = app
            .get(&format!(
                "/api/v1/patients/{}/screenings?instrument=phq9&limit=2{cursor}",
                p.id
            ))
            .token(&token)
            .send()
            .expect(200)
            .json();
        for s in page["items"].as_array().unwrap() {
            assert_eq!(s["instrument"], "phq9");
            seen.push(s["answers"]["1"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec![2, 1, 3]);
}

#[test]
fn a_wrong_screening_is_marked_entered_in_error_never_deleted_and_its_followups_are_cancelled() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Error Org", "Mistaken", RiskLevel::Low);
    let s = record(&app, &token, p.id, "phq9", phq9(2));
    let path = format!("/api/v1/screenings/{}/entered-in-error", s.id);
    app.post(&path)
        .token(&token)
        .json(&json!({"reason": "Recorded on the wrong patient"}))
        .send()
        .expect(428);
    app.post(&path)
        .token(&token)
        .json(&json!({"reason": "  ", "version": s.version}))
        .send()
        .expect(422);

    let marked: Screening = app
        .post(&path)
        .token(&token)
        .json(&json!({"reason": "Recorded on the wrong patient", "version": s.version}))
        .send()
        .expect(200)
        .json();

    let mark = marked.entered_in_error.expect("marked");
    assert_eq!(mark.reason, "Recorded on the wrong patient");
    assert_eq!(marked.version, s.version + 1);
    let tasks = tasks_of(&app, &token, p.id);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status, TaskStatus::Cancelled);
    let again: Screening = app
        .get(&format!("/api/v1/screenings/{}", s.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(again.instrument, Instrument::Phq9);
    assert!(again.entered_in_error.is_some());
    app.post(&path)
        .token(&token)
        .json(&json!({"reason": "Twice", "version": marked.version}))
        .send()
        .expect(409);
    assert_eq!(app.audit_of("screening.entered_in_error").len(), 1);
}

#[test]
fn another_organizations_screenings_are_not_found_and_every_touch_is_audited() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Own Org", "Own", RiskLevel::Low);
    let s = record(
        &app,
        &token,
        p.id,
        "gad7",
        json!({"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3}),
    );
    assert_eq!(s.result.severity, ScreeningSeverity::Severe);
    let other = app.team("Other Screening Org");
    let stranger = app.token(&other.care_manager);
    app.get(&format!("/api/v1/screenings/{}", s.id))
        .token(&stranger)
        .send()
        .expect(404);
    app.get(&format!("/api/v1/patients/{}/screenings", p.id))
        .token(&stranger)
        .send()
        .expect(404);
    post(
        &app,
        &stranger,
        p.id,
        &json!({"instrument": "phq2", "administered_at": now(), "answers": {"1": 0, "2": 0}}),
    )
    .expect(404);

    app.get(&format!("/api/v1/screenings/{}", s.id))
        .token(&token)
        .send()
        .expect(200);
    let created = app.audit_of("screening.create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].patient_id, Some(p.id.get()));
    assert_eq!(created[0].actor_id, Some(team.care_manager.id.get()));
    assert_eq!(app.audit_of("screening.read").len(), 1);
}
