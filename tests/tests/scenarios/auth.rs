//! Sign-in, tokens, refresh rotation, lockout and sessions ending.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use shared::auth::{Me, Role, TokenResponse};
use tests::fixtures::PASSWORD;
use tests::{JWT_SECRET, TestApp};

fn login_as(app: &TestApp, email: &str, password: &str) -> tests::Res {
    app.post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
}

#[test]
fn signing_in_returns_a_short_lived_bearer_token_and_a_refresh_token() {
    let app = TestApp::spawn();
    let team = app.team("Login Org");
    let tokens: TokenResponse = login_as(&app, &team.care_manager.email, PASSWORD)
        .expect(200)
        .json();
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.expires_in > 0 && tokens.expires_in <= 900);
    assert!(!tokens.refresh_token.is_empty());
    let me: Me = app
        .get("/api/v1/auth/me")
        .token(&tokens.access_token)
        .send()
        .expect(200)
        .json();
    assert_eq!(me.id, team.care_manager.id);
    assert_eq!(me.role, Role::CareManager);
    assert_eq!(me.organization_id, team.org.id);
    assert_eq!(me.organization_name, "Login Org");
    assert_eq!(app.audit_of("auth.login").len(), 1);
}

#[test]
fn the_email_is_matched_without_regard_to_case() {
    let app = TestApp::spawn();
    let team = app.team("Case Org");
    login_as(&app, &team.admin.email.to_uppercase(), PASSWORD).expect(200);
}

#[test]
fn a_wrong_password_and_an_unknown_email_get_the_same_401_problem_and_both_are_audited() {
    let app = TestApp::spawn();
    let team = app.team("Wrong Org");
    let wrong = login_as(&app, &team.admin.email, "not-the-password")
        .expect(401)
        .problem();
    let unknown = login_as(&app, "Nobody@Nowhere.test", "whatever-password")
        .expect(401)
        .problem();
    assert_eq!(wrong.detail, unknown.detail);
    let failed = app.audit_of("auth.login_failed");
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].actor_id, Some(team.admin.id.get()));
    assert_eq!(failed[0].details["reason"], "wrong_password");
    assert_eq!(failed[1].actor_id, None);
    assert_eq!(
        failed[1].actor_label.as_deref(),
        Some("nobody@nowhere.test")
    );
    assert_eq!(failed[1].details["reason"], "unknown_email");
}

#[test]
fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::spawn();
    let team = app.team("Lock Org");
    for _ in 0..5 {
        login_as(&app, &team.viewer.email, "guess-guess-guess").expect(401);
    }
    let locked = login_as(&app, &team.viewer.email, PASSWORD).expect(429);
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(locked.problem().problem_type, "/problems/too-many-requests");
}

#[test]
fn an_email_no_one_has_locks_exactly_like_a_real_one_so_a_lock_reveals_nothing() {
    let app = TestApp::spawn();
    let team = app.team("Alike Org");
    let answers = |email: &str| {
        (0..6)
            .map(|_| login_as(&app, email, "guess-guess-guess").status)
            .collect::<Vec<_>>()
    };
    let real = answers(&team.viewer.email);
    let made_up = answers("made-up-person@alike.test");
    assert_eq!(real, vec![401, 401, 401, 401, 401, 429]);
    assert_eq!(made_up, real);
}

#[test]
fn once_a_lock_expires_the_right_password_works_and_resets_the_count() {
    use api::schema::login_throttle;
    let app = TestApp::spawn();
    let team = app.team("Unlock Org");
    for _ in 0..6 {
        login_as(&app, &team.viewer.email, "guess-guess-guess");
    }
    login_as(&app, &team.viewer.email, PASSWORD).expect(429);
    diesel::update(login_throttle::table)
        .set(login_throttle::locked_until.eq(Utc::now() - TimeDelta::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
    login_as(&app, &team.viewer.email, PASSWORD).expect(200);
    let remembered: i64 = login_throttle::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(remembered, 0, "a success forgets the failures");
}

#[test]
fn after_a_lock_expires_one_more_wrong_password_does_not_lock_again() {
    use api::schema::login_throttle;
    let app = TestApp::spawn();
    let team = app.team("Rearm Org");
    for _ in 0..6 {
        login_as(&app, &team.viewer.email, "guess-guess-guess");
    }
    diesel::update(login_throttle::table)
        .set(login_throttle::locked_until.eq(Utc::now() - TimeDelta::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
    login_as(&app, &team.viewer.email, "one-more-typo").expect(401);
    login_as(&app, &team.viewer.email, PASSWORD).expect(200);
}

#[test]
fn a_request_without_credentials_is_a_401_problem_with_a_bearer_challenge() {
    let app = TestApp::spawn();
    let res = app.get("/api/v1/patients").send().expect(401);
    assert!(
        res.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    res.problem();
    app.get("/api/v1/patients")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .expect(401)
        .problem();
}

/// Claims as the server issues them, for a live sign-in of `app_user`.
fn claims(app: &TestApp, app_user: &tests::fixtures::TestUser) -> Value {
    let issued = app.token(app_user);
    let payload = issued.split('.').nth(1).expect("a JWT payload");
    let issued: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let now = Utc::now().timestamp();
    json!({
        "sub": app_user.id, "org": app_user.org, "iat": now, "exp": now + 600,
        "iss": "caremgr", "aud": "caremgr-api", "jti": uuid::Uuid::new_v4(), "sep": 0,
        "sid": issued["sid"]
    })
}

fn sign(header: Header, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[test]
fn a_correctly_forged_token_is_accepted_which_proves_the_refusals_below_are_meaningful() {
    let app = TestApp::spawn();
    let team = app.team("Forge Org");
    let token = sign(
        Header::new(Algorithm::HS256),
        &claims(&app, &team.admin),
        JWT_SECRET.as_bytes(),
    );
    app.get("/api/v1/auth/me").token(&token).send().expect(200);
}

#[test]
fn tampered_tokens_are_refused() {
    let app = TestApp::spawn();
    let team = app.team("Tamper Org");
    let good = claims(&app, &team.admin);
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).unwrap())
    );
    let wrong_key = sign(
        Header::new(Algorithm::HS256),
        &good,
        b"some-other-secret-that-is-long-enough!!",
    );
    let hs512 = sign(Header::new(Algorithm::HS512), &good, JWT_SECRET.as_bytes());
    let mut expired = good.clone();
    expired["exp"] = json!(Utc::now().timestamp() - 3600);
    let expired = sign(
        Header::new(Algorithm::HS256),
        &expired,
        JWT_SECRET.as_bytes(),
    );
    let mut audience = good.clone();
    audience["aud"] = json!("another-service");
    let audience = sign(
        Header::new(Algorithm::HS256),
        &audience,
        JWT_SECRET.as_bytes(),
    );
    let mut issuer = good.clone();
    issuer["iss"] = json!("someone-else");
    let issuer = sign(
        Header::new(Algorithm::HS256),
        &issuer,
        JWT_SECRET.as_bytes(),
    );
    let mut other_org = good.clone();
    other_org["org"] = json!(uuid::Uuid::new_v4());
    let other_org = sign(
        Header::new(Algorithm::HS256),
        &other_org,
        JWT_SECRET.as_bytes(),
    );
    let valid = sign(Header::new(Algorithm::HS256), &good, JWT_SECRET.as_bytes());
    let flipped = {
        let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
        let mut payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        payload["sub"] = json!(team.viewer.id);
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
        parts.join(".")
    };
    for (what, token) in [
        ("alg none", none),
        ("wrong signature", wrong_key),
        ("another algorithm", hs512),
        ("expired", expired),
        ("wrong audience", audience),
        ("wrong issuer", issuer),
        ("another organization", other_org),
        ("edited payload", flipped),
        ("garbage", "abc.def.ghi".to_string()),
    ] {
        let res = app.get("/api/v1/auth/me").token(&token).send();
        assert_eq!(res.status, 401, "{what}: {}", res.text());
        res.problem();
    }
}

#[test]
fn an_expired_token_is_refused_with_a_message_saying_it_expired() {
    let app = TestApp::spawn();
    let team = app.team("Expiry Org");
    let mut c = claims(&app, &team.admin);
    c["exp"] = json!(Utc::now().timestamp() - 3600);
    let token = sign(Header::new(Algorithm::HS256), &c, JWT_SECRET.as_bytes());
    let p = app
        .get("/api/v1/auth/me")
        .token(&token)
        .send()
        .expect(401)
        .problem();
    assert!(p.detail.unwrap().contains("expired"));
}

#[test]
fn refreshing_rotates_the_refresh_token() {
    let app = TestApp::spawn();
    let team = app.team("Rotate Org");
    let first = app.login(&team.care_manager);
    let second: TokenResponse = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": first.refresh_token}))
        .send()
        .expect(200)
        .json();
    assert_ne!(second.refresh_token, first.refresh_token);
    app.get("/api/v1/auth/me")
        .token(&second.access_token)
        .send()
        .expect(200);
    let third: TokenResponse = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": second.refresh_token}))
        .send()
        .expect(200)
        .json();
    assert_ne!(third.refresh_token, second.refresh_token);
}

#[test]
fn reusing_a_refresh_token_revokes_every_token_of_that_sign_in() {
    let app = TestApp::spawn();
    let team = app.team("Reuse Org");
    let first = app.login(&team.care_manager);
    let second: TokenResponse = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": first.refresh_token}))
        .send()
        .expect(200)
        .json();
    // Someone replays the old token: refused, and the legitimate successor dies too.
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": first.refresh_token}))
        .send()
        .expect(401)
        .problem();
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": second.refresh_token}))
        .send()
        .expect(401);
    assert_eq!(app.audit_of("auth.refresh_reused").len(), 1);
    // Another sign-in of the same user is unaffected.
    let other = app.login(&team.care_manager);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": other.refresh_token}))
        .send()
        .expect(200);
}

#[test]
fn an_unknown_refresh_token_is_refused() {
    let app = TestApp::spawn();
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": "made-up"}))
        .send()
        .expect(401)
        .problem();
}

#[test]
fn logging_out_revokes_the_refresh_token_and_can_be_repeated() {
    let app = TestApp::spawn();
    let team = app.team("Logout Org");
    let tokens = app.login(&team.care_manager);
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(204);
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(204);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(401);
    assert_eq!(app.audit_of("auth.logout").len(), 2);
}

#[test]
fn a_deactivated_users_tokens_stop_working_at_once_and_they_cannot_sign_in() {
    let app = TestApp::spawn();
    let team = app.team("Deactivate Org");
    let tokens = app.login(&team.care_manager);
    app.get("/api/v1/auth/me")
        .token(&tokens.access_token)
        .send()
        .expect(200);
    let user: Value = app
        .get(&format!("/api/v1/users/{}", team.care_manager.id))
        .token(&app.token(&team.admin))
        .send()
        .expect(200)
        .json();
    app.patch(&format!("/api/v1/users/{}", team.care_manager.id))
        .token(&app.token(&team.admin))
        .json(&json!({"active": false, "version": user["version"]}))
        .send()
        .expect(200);
    app.get("/api/v1/auth/me")
        .token(&tokens.access_token)
        .send()
        .expect(401);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(401);
    login_as(&app, &team.care_manager.email, PASSWORD).expect(401);
}

#[test]
fn a_new_password_ends_existing_sessions_and_the_new_password_works() {
    let app = TestApp::spawn();
    let team = app.team("Password Org");
    let tokens = app.login(&team.viewer);
    app.patch(&format!("/api/v1/users/{}", team.viewer.id))
        .token(&app.token(&team.admin))
        .header("if-match", "W/\"1\"")
        .json(&json!({"password": "a-brand-new-passphrase"}))
        .send()
        .expect(200);
    app.get("/api/v1/auth/me")
        .token(&tokens.access_token)
        .send()
        .expect(401);
    login_as(&app, &team.viewer.email, PASSWORD).expect(401);
    login_as(&app, &team.viewer.email, "a-brand-new-passphrase").expect(200);
}

#[test]
fn a_role_change_applies_to_the_very_next_request() {
    let app = TestApp::spawn();
    let team = app.team("Promote Org");
    let token = app.token(&team.care_manager);
    app.get("/api/v1/audit-events")
        .token(&token)
        .send()
        .expect(403);
    app.patch(&format!("/api/v1/users/{}", team.care_manager.id))
        .token(&app.token(&team.admin))
        .header("if-match", "W/\"1\"")
        .json(&json!({"role": "supervisor"}))
        .send()
        .expect(200);
    app.get("/api/v1/audit-events")
        .token(&token)
        .send()
        .expect(200);
}

#[test]
fn login_input_is_validated_like_any_other() {
    let app = TestApp::spawn();
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "", "password": ""}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["email", "password"]);
}
