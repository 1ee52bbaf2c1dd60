//! How long a sign-in lives: logout and a reused refresh token end its
//! access tokens at once; inactivity and the absolute lifetime end it too,
//! and the refusal says why.

use std::thread::sleep;
use std::time::Duration;

use serde_json::json;
use shared::auth::TokenResponse;
use shared::problem::Problem;
use tests::TestApp;

fn me(app: &TestApp, access_token: &str) -> tests::Res {
    app.get("/api/v1/auth/me").token(access_token).send()
}

fn refresh(app: &TestApp, refresh_token: &str) -> tests::Res {
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": refresh_token}))
        .send()
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
