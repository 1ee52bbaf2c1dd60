//! How long a sign-in lives: logout and a reused refresh token end its
//! access tokens at once; inactivity and the absolute lifetime end it too,
//! and the refusal says why.

use std::thread::sleep;
use std::time::Duration;

use api::schema::sign_ins;
use diesel::prelude::*;
use serde_json::json;
use shared::auth::TokenResponse;
use shared::pagination::Page;
use shared::patients::Patient;
use shared::problem::Problem;
use tests::TestApp;
use tests::fixtures::{Team, new_patient};

fn me(app: &TestApp, access_token: &str) -> tests::Res {
    app.get("/api/v1/auth/me").token(access_token).send()
}

fn refresh(app: &TestApp, refresh_token: &str) -> tests::Res {
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": refresh_token}))
        .send()
}

fn register(app: &TestApp, access_token: &str, given: &str, family: &str) -> tests::Res {
    app.post("/api/v1/patients")
        .token(access_token)
        .json(&new_patient(given, family))
        .send()
}

/// No patient matches `q`, as a supervisor signing in afresh sees it.
fn assert_none_named(app: &TestApp, team: &Team, q: &str) {
    let found: Page<Patient> = app
        .get(&format!("/api/v1/patients?q={q}"))
        .token(&app.login(&team.supervisor).access_token)
        .send()
        .expect(200)
        .json();
    assert!(found.items.is_empty(), "{:?}", found.items);
}

fn ended(res: tests::Res) -> Problem {
    let problem = res.expect(401).problem();
    assert_eq!(problem.problem_type, "/problems/session-ended");
    problem
}

#[test]
fn logging_out_ends_that_sign_ins_access_tokens_at_once_and_no_other() {
    let app = TestApp::spawn();
    let team = app.team("Logout Now Org");
    let tokens = app.login(&team.care_manager);
    let elsewhere = app.login(&team.care_manager);
    me(&app, &tokens.access_token).expect(200);
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(204);
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("signed out"));
    me(&app, &elsewhere.access_token).expect(200);
}

#[test]
fn a_reused_refresh_token_ends_every_access_token_of_that_sign_in() {
    let app = TestApp::spawn();
    let team = app.team("Reuse Now Org");
    let first = app.login(&team.care_manager);
    let second: TokenResponse = refresh(&app, &first.refresh_token).expect(200).json();
    ended(refresh(&app, &first.refresh_token));
    for access in [&first.access_token, &second.access_token] {
        let why = ended(me(&app, access));
        assert!(why.detail.unwrap().contains("used twice"));
    }
}

#[test]
fn a_sign_in_without_activity_for_the_idle_timeout_ends_and_says_so() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Idle Org");
    let tokens = app.login(&team.care_manager);
    me(&app, &tokens.access_token).expect(200);
    sleep(Duration::from_millis(2300));
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("without activity"));
    let why = ended(refresh(&app, &tokens.refresh_token));
    assert!(why.detail.unwrap().contains("without activity"));
}

#[test]
fn a_change_sent_on_a_sign_in_found_idle_is_refused_undone_and_the_sign_in_stays_ended() {
    // The sign-in is checked on the change's own connection, before its
    // transaction: the ending must commit although the change never runs.
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Idle Write Org");
    let tokens = app.login(&team.supervisor);
    me(&app, &tokens.access_token).expect(200);
    sleep(Duration::from_millis(2300));
    let why = ended(register(&app, &tokens.access_token, "Ida", "Idleworth"));
    assert!(why.detail.unwrap().contains("without activity"));
    // Ended by the refused change itself (the refresh below would end it
    // too, for the same reason, so ask the database first).
    let reasons: Vec<Option<String>> = sign_ins::table
        .filter(sign_ins::user_id.eq(team.supervisor.id.get()))
        .select(sign_ins::end_reason)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(reasons, [Some("idle".to_string())]);
    let why = ended(refresh(&app, &tokens.refresh_token));
    assert!(why.detail.unwrap().contains("without activity"));
    assert_none_named(&app, &team, "idleworth");
}

#[test]
fn a_change_sent_after_signing_out_is_refused_and_not_made() {
    let app = TestApp::spawn();
    let team = app.team("Logout Write Org");
    let tokens = app.login(&team.supervisor);
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(204);
    ended(register(&app, &tokens.access_token, "Otto", "Afterlogout"));
    // Refused before its body's rules are judged: one that breaks them
    // gets the same answer.
    ended(register(&app, &tokens.access_token, "", "Afterlogout"));
    assert_none_named(&app, &team, "afterlogout");
}

#[test]
fn activity_keeps_a_sign_in_alive_past_the_idle_timeout() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Busy Org");
    let tokens = app.login(&team.care_manager);
    for _ in 0..8 {
        sleep(Duration::from_millis(600));
        me(&app, &tokens.access_token).expect(200);
    }
}

#[test]
fn renewing_the_access_token_is_not_activity() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Renew Org");
    let tokens = app.login(&team.care_manager);
    sleep(Duration::from_millis(1200));
    let renewed: TokenResponse = refresh(&app, &tokens.refresh_token).expect(200).json();
    sleep(Duration::from_millis(1200));
    ended(me(&app, &renewed.access_token));
}

#[test]
fn no_activity_keeps_a_sign_in_past_its_absolute_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.session_lifetime = Duration::from_secs(2);
        c.session_idle = Duration::from_secs(60);
    });
    let team = app.team("Lifetime Org");
    let tokens = app.login(&team.care_manager);
    for _ in 0..3 {
        sleep(Duration::from_millis(500));
        me(&app, &tokens.access_token).expect(200);
    }
    sleep(Duration::from_millis(900));
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("limit"));
    ended(refresh(&app, &tokens.refresh_token));
    // A new sign-in starts a new lifetime.
    let again = app.login(&team.care_manager);
    me(&app, &again.access_token).expect(200);
}
