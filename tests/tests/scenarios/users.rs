//! Admins manage users; everyone signed in can list them.

use serde_json::{Value, json};
use shared::pagination::Page;
use shared::users::User;
use tests::TestApp;

fn new_user(email: &str) -> Value {
    json!({"email": email, "name": "Jordan Reyes", "role": "care_manager", "password": "a-long-passphrase"})
}

#[test]
fn an_admin_creates_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn();
    let team = app.team("Users Org");
    let res = app
        .post("/api/v1/users")
        .token(&app.token(&team.admin))
        .json(&new_user("Jordan@Users.Test"))
        .send()
        .expect(201);
    let user: User = res.json();
    assert_eq!(user.email, "jordan@users.test");
    assert_eq!(res.header("etag").as_deref(), Some("W/\"1\""));
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/users/{}", user.id)
    );
    assert!(!res.text().contains("password"));
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "jordan@users.test", "password": "a-long-passphrase"}))
        .send()
        .expect(200);
    assert_eq!(app.audit_of("user.create").len(), 1);
}

#[test]
fn a_taken_email_is_a_409_even_in_another_organization() {
    let app = TestApp::spawn();
    let a = app.team("A Org");
    let b = app.team("B Org");
    app.post("/api/v1/users")
        .token(&app.token(&a.admin))
        .json(&new_user("same@x.test"))
        .send()
        .expect(201);
    app.post("/api/v1/users")
        .token(&app.token(&b.admin))
        .json(&new_user("same@x.test"))
        .send()
        .expect(409)
        .problem();
}

#[test]
fn invalid_user_fields_are_each_named() {
    let app = TestApp::spawn();
    let team = app.team("Invalid Users Org");
    let res = app
        .post("/api/v1/users")
        .token(&app.token(&team.admin))
        .json(&json!({"email": "not-an-email", "name": " ", "role": "care_manager", "password": "short"}))
        .send();
    assert_eq!(res.invalid_fields(), vec!["email", "name", "password"]);
}

#[test]
fn only_admins_create_or_change_users_but_everyone_can_list_them() {
    let app = TestApp::spawn();
    let team = app.team("Roles Org");
    for user in [&team.supervisor, &team.care_manager, &team.viewer] {
        let token = app.token(user);
        app.post("/api/v1/users")
            .token(&token)
            .json(&new_user("x@y.test"))
            .send()
            .expect(403)
            .problem();
        app.patch(&format!("/api/v1/users/{}", team.viewer.id))
            .token(&token)
            .json(&json!({"name": "X", "version": 1}))
            .send()
            .expect(403);
        let page: Page<User> = app
            .get("/api/v1/users")
            .token(&token)
            .send()
            .expect(200)
            .json();
        assert_eq!(page.items.len(), 4);
    }
}

#[test]
fn changing_a_user_needs_the_current_version() {
    let app = TestApp::spawn();
    let team = app.team("Versions Org");
    let admin = app.token(&team.admin);
    let path = format!("/api/v1/users/{}", team.viewer.id);
    app.patch(&path)
        .token(&admin)
        .json(&json!({"role": "care_manager"}))
        .send()
        .expect(428)
        .problem();
    let res = app
        .patch(&path)
        .token(&admin)
        .header("if-match", "W/\"1\"")
        .json(&json!({"role": "care_manager"}))
        .send()
        .expect(200);
    assert_eq!(res.header("etag").as_deref(), Some("W/\"2\""));
    let stale = app
        .patch(&path)
        .token(&admin)
        .header("if-match", "W/\"1\"")
        .json(&json!({"name": "Late Change"}))
        .send()
        .expect(412)
        .problem();
    assert!(stale.detail.unwrap().contains("version is 2"));
    let user: User = app
        .patch(&path)
        .token(&admin)
        .json(&json!({"name": "On Time", "version": 2}))
        .send()
        .expect(200)
        .json();
    assert_eq!(user.name, "On Time");
    assert_eq!(user.version, 3);
}

#[test]
fn admins_cannot_deactivate_or_demote_themselves() {
    let app = TestApp::spawn();
    let team = app.team("Self Org");
    let admin = app.token(&team.admin);
    let path = format!("/api/v1/users/{}", team.admin.id);
    app.patch(&path)
        .token(&admin)
        .json(&json!({"active": false, "version": 1}))
        .send()
        .expect(409)
        .problem();
    app.patch(&path)
        .token(&admin)
        .json(&json!({"role": "viewer", "version": 1}))
        .send()
        .expect(409);
    app.patch(&path)
        .token(&admin)
        .json(&json!({"name": "Renamed Admin", "version": 1}))
        .send()
        .expect(200);
}

#[test]
fn users_list_in_pages_by_name_with_role_and_active_filters() {
    let app = TestApp::spawn();
    let team = app.team("Paging Org");
    let admin = app.token(&team.admin);
    for n in 0..5 {
        app.post("/api/v1/users")
            .token(&admin)
            .json(&json!({"email": format!("cm{n}@paging.test"), "name": format!("Care Manager {n}"), "role": "care_manager", "password": "a-long-passphrase"}))
            .send()
            .expect(201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?role=care_manager&limit=2&cursor={c}"),
            None => "/api/v1/users?role=care_manager&limit=2".to_string(),
        };
        let page: Page<User> = app.get(&path).token(&admin).send().expect(200).json();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|u| u.name));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 6, "five new care managers and the team's own");
    let inactive: Page<User> = app
        .get("/api/v1/users?active=false")
        .token(&admin)
        .send()
        .expect(200)
        .json();
    assert!(inactive.items.is_empty());
}

#[test]
fn another_organizations_user_is_a_404() {
    let app = TestApp::spawn();
    let a = app.team("Mine Org");
    let b = app.team("Theirs Org");
    app.get(&format!("/api/v1/users/{}", b.admin.id))
        .token(&app.token(&a.admin))
        .send()
        .expect(404)
        .problem();
    app.patch(&format!("/api/v1/users/{}", b.admin.id))
        .token(&app.token(&a.admin))
        .json(&json!({"name": "Hijack", "version": 1}))
        .send()
        .expect(404);
}
