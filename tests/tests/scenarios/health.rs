use serde_json::Value;
use tests::TestApp;
use tests::fixtures::new_patient;

#[test]
fn health_answers_without_credentials() {
    let app = TestApp::spawn();
    let body: Value = app.get("/api/health").send().expect(200).json();
    assert_eq!(body["status"], "ok");
}

#[test]
fn ready_answers_200_while_the_database_is_reachable() {
    let app = TestApp::spawn();
    let body: Value = app.get("/api/ready").send().expect(200).json();
    assert_eq!(body["status"], "ready");
}

fn kill_database(app: &TestApp) {
    use diesel::prelude::*;
    let mut admin = diesel::PgConnection::establish(&tests::database_url("postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE {} WITH (FORCE)", app.db.name))
        .execute(&mut admin)
        .unwrap();
}

#[test]
fn a_database_outage_answers_503_problems_with_retry_after_instead_of_hanging() {
    let app = TestApp::spawn();
    let team = app.team("Outage Org");
    let token = app.token(&team.care_manager);
    kill_database(&app);

    let ready = app.get("/api/ready").send().expect(503);
    assert_eq!(ready.problem().problem_type, "/problems/unavailable");
    assert!(ready.header("retry-after").is_some());

    let create = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&new_patient("Ann", "Outage"))
        .send();
    assert_eq!(create.status, 503, "{}", create.text());
    assert_eq!(create.problem().status, 503);
    // Liveness does not depend on the database.
    app.get("/api/health").send().expect(200);
}
