//! Notes and case activities: signing, immutability, addenda, productivity.

use chrono::Duration;
use serde_json::{Value, json};
use shared::notes::Note;
use shared::risk::RiskLevel;
use tests::TestApp;

use crate::care::{Scene, now, scene};

fn write(app: &TestApp, token: &str, patient: shared::ids::PatientId, body: Value) -> Note {
    app.post(&format!("/api/v1/patients/{patient}/notes"))
        .token(token)
        .json(&body)
        .send()
        .expect(201)
        .json()
}

#[test]
fn a_signed_note_cannot_be_edited_and_takes_addenda_instead() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Notes Org", "Noted", RiskLevel::Low);
    let note = write(
        &app,
        &token,
        p.id,
        json!({"type": "care_coordination", "body": "Called pharmacy.", "minutes": 15}),
    );

    let edited: Note = app
        .patch(&format!("/api/v1/notes/{}", note.id))
        .token(&token)
        .json(&json!({"body": "Called the pharmacy about refills.", "version": note.version}))
        .send()
        .expect(200)
        .json();
    let signed: Note = app
        .post(&format!("/api/v1/notes/{}/sign", note.id))
        .token(&token)
        .json(&json!({"version": edited.version}))
        .send()
        .expect(200)
        .json();
    assert_eq!(signed.signed_by, Some(team.care_manager.id));
    assert!(signed.signed_at.is_some());

    let refused = app
        .patch(&format!("/api/v1/notes/{}", note.id))
        .token(&token)
        .json(&json!({"body": "Rewriting history.", "version": signed.version}))
        .send();
    assert_eq!(refused.status, 409);
    let again = app
        .post(&format!("/api/v1/notes/{}/sign", note.id))
        .token(&token)
        .json(&json!({"version": signed.version}))
        .send();
    assert_eq!(again.status, 409);

    let with_addendum: Note = app
        .post(&format!("/api/v1/notes/{}/addenda", note.id))
        .token(&token)
        .json(&json!({"body": "Correction: the refill is ready Thursday."}))
        .send()
        .expect(201)
        .json();
    assert_eq!(with_addendum.body, "Called the pharmacy about refills.");
    assert_eq!(with_addendum.addenda.len(), 1);
    assert_eq!(
        with_addendum.addenda[0].body,
        "Correction: the refill is ready Thursday."
    );
}

#[test]
fn the_database_itself_refuses_to_change_a_signed_note() {
    use diesel::prelude::*;
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Trigger Org", "Trigger", RiskLevel::Low);
    let note = write(
        &app,
        &token,
        p.id,
        json!({"type": "outreach", "body": "Left a message.", "minutes": 5}),
    );
    app.post(&format!("/api/v1/notes/{}/sign", note.id))
        .token(&token)
        .json(&json!({"version": note.version}))
        .send()
        .expect(200);
    let result = diesel::sql_query(format!(
        "UPDATE notes SET body = 'tampered' WHERE id = '{}'",
        note.id
    ))
    .execute(&mut app.conn());
    assert!(result.is_err(), "a signed note is immutable even to SQL");
}

#[test]
fn an_addendum_on_an_unsigned_note_is_a_409_because_the_note_can_still_be_edited() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Unsigned Org", "Unsigned", RiskLevel::Low);
    let note = write(
        &app,
        &token,
        p.id,
        json!({"type": "huddle", "body": "Discussed.", "minutes": 10}),
    );
    let res = app
        .post(&format!("/api/v1/notes/{}/addenda", note.id))
        .token(&token)
        .json(&json!({"body": "More."}))
        .send();
    assert_eq!(res.status, 409);
}

#[test]
fn only_the_author_edits_or_signs_an_unsigned_note() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Author Org", "Authored", RiskLevel::Low);
    let note = write(
        &app,
        &token,
        p.id,
        json!({"type": "education", "body": "Crisis plan.", "minutes": 20}),
    );
    let supervisor = app.token(&team.supervisor);
    let edit = app
        .patch(&format!("/api/v1/notes/{}", note.id))
        .token(&supervisor)
        .json(&json!({"body": "Not mine.", "version": note.version}))
        .send();
    assert_eq!(edit.status, 403);
    let viewer = app
        .post(&format!("/api/v1/patients/{}/notes", p.id))
        .token(&app.token(&team.viewer))
        .json(&json!({"type": "education", "body": "x", "minutes": 1}))
        .send();
    assert_eq!(viewer.status, 403);
}

#[test]
fn minutes_are_summed_per_activity_type_per_user_per_day() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Productivity Org", "Productive", RiskLevel::Low);
    let day = now() - Duration::days(1);
    for (kind, minutes) in [
        ("care_coordination", 20),
        ("care_coordination", 25),
        ("outreach", 10),
    ] {
        write(
            &app,
            &token,
            p.id,
            json!({"type": kind, "body": "Work.", "minutes": minutes, "occurred_at": day}),
        );
    }
    let local_day = day
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive();
    let page: Value = app
        .get(&format!(
            "/api/v1/productivity?user_id={}&from={local_day}&to={local_day}",
            team.care_manager.id
        ))
        .token(&app.token(&team.supervisor))
        .send()
        .expect(200)
        .json();
    let rows = page["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{page}");
    assert_eq!(rows[0]["minutes_by_type"]["care_coordination"], 45);
    assert_eq!(rows[0]["minutes_by_type"]["outreach"], 10);
    assert_eq!(rows[0]["total_minutes"], 55);
}
