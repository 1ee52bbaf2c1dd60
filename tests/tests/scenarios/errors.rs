//! Every error path answers RFC 9457 problem+json, and every answer carries
//! the security headers.

use serde_json::json;
use tests::TestApp;
use tests::fixtures::new_patient;

#[test]
fn an_unknown_api_route_is_a_404_problem() {
    let app = TestApp::spawn();
    let res = app.get("/api/v1/no-such-thing").send().expect(404);
    let p = res.problem();
    assert_eq!(p.problem_type, "/problems/not-found");
    assert!(p.request_id.is_some());
}

#[test]
fn an_unknown_page_outside_the_api_is_a_404_problem_when_no_spa_is_built() {
    let app = TestApp::spawn();
    app.get("/some/page").send().expect(404).problem();
}

#[test]
fn a_method_the_route_does_not_accept_is_a_405_problem_naming_the_ones_it_does() {
    let app = TestApp::spawn();
    let team = app.team("Method Org");
    let res = app
        .delete("/api/v1/patients")
        .token(&app.token(&team.admin))
        .send()
        .expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
    assert_eq!(res.problem().problem_type, "/problems/method-not-allowed");
    let res = app.delete("/api/v1/patients/anything").send().expect(405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, PATCH"));
}

#[test]
fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn();
    let team = app.team("Json Org");
    let res = app
        .post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .body("application/json", "{\"given_name\": ")
        .send()
        .expect(400);
    assert_eq!(res.problem().problem_type, "/problems/bad-request");
}

#[test]
fn a_body_that_is_not_json_is_a_415_problem() {
    let app = TestApp::spawn();
    let team = app.team("Media Org");
    app.post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .body("text/plain", "given_name=Ann")
        .send()
        .expect(415)
        .problem();
}

#[test]
fn an_oversized_body_is_a_413_problem() {
    let app = TestApp::spawn();
    let team = app.team("Size Org");
    let huge = format!("{{\"given_name\": \"{}\"}}", "a".repeat(300 * 1024));
    app.post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .body("application/json", huge)
        .send()
        .expect(413)
        .problem();
}

#[test]
fn a_missing_or_mistyped_field_is_a_422_naming_the_field() {
    let app = TestApp::spawn();
    let team = app.team("Field Org");
    let token = app.token(&team.care_manager);
    let missing = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&json!({"given_name": "Ann", "family_name": "Lee"}))
        .send();
    assert_eq!(missing.invalid_fields(), vec!["birth_date"]);
    let mistyped = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&json!({"given_name": "Ann", "family_name": "Lee", "birth_date": "1980-01-01", "sex": "robot"}))
        .send();
    assert_eq!(mistyped.invalid_fields(), vec!["sex"]);
    let nested = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&json!({"given_name": "Ann", "family_name": "Lee", "birth_date": "1980-01-01", "identifiers": [{"system": "x"}]}))
        .send();
    assert_eq!(nested.invalid_fields(), vec!["identifiers[0].value"]);
}

#[test]
fn a_malformed_id_in_the_path_is_a_404_problem() {
    let app = TestApp::spawn();
    let team = app.team("Path Org");
    app.get("/api/v1/patients/not-a-uuid")
        .token(&app.token(&team.care_manager))
        .send()
        .expect(404)
        .problem();
}

#[test]
fn a_bad_query_parameter_is_a_422_naming_it() {
    let app = TestApp::spawn();
    let team = app.team("Query Org");
    let token = app.token(&team.care_manager);
    let res = app
        .get("/api/v1/patients?status=asleep")
        .token(&token)
        .send();
    assert_eq!(res.invalid_fields(), vec!["status"]);
    let res = app.get("/api/v1/patients?limit=500").token(&token).send();
    assert_eq!(res.invalid_fields(), vec!["limit"]);
}

#[test]
fn every_answer_carries_security_headers_and_api_answers_are_not_cached() {
    let app = TestApp::spawn();
    for res in [
        app.get("/api/health").send(),
        app.get("/api/v1/nothing").send(),
    ] {
        let csp = res.header("content-security-policy").expect("CSP");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            res.header("referrer-policy").as_deref(),
            Some("no-referrer")
        );
        assert_eq!(res.header("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
        assert!(res.header("x-request-id").is_some());
    }
}

#[test]
fn a_sane_incoming_request_id_is_echoed_and_recorded_in_the_audit_trail() {
    let app = TestApp::spawn();
    let team = app.team("Trace Org");
    let res = app
        .post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .header("x-request-id", "trace-abc-123")
        .json(&new_patient("Tia", "Trace"))
        .send()
        .expect(201);
    assert_eq!(res.header("x-request-id").as_deref(), Some("trace-abc-123"));
    let row = &app.audit_of("patient.create")[0];
    assert_eq!(row.request_id.as_deref(), Some("trace-abc-123"));
    assert_eq!(row.client_addr.as_deref(), Some("127.0.0.1"));
}

#[test]
fn the_openapi_document_and_swagger_ui_are_served() {
    let app = TestApp::spawn();
    let doc: serde_json::Value = app.get("/api/openapi.json").send().expect(200).json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/patients"]["get"].is_object());
    let ui = app.get("/api/docs/").send().expect(200);
    assert!(ui.text().contains("swagger"), "{}", ui.text());
}

#[test]
fn the_api_docs_without_a_trailing_slash_redirect_to_the_ui() {
    let app = TestApp::spawn();
    let res = app.get("/api/docs").send().expect(308);
    assert_eq!(res.header("location").as_deref(), Some("/api/docs/"));
}

#[test]
fn an_https_deployment_sends_hsts_and_a_plain_http_one_does_not() {
    let https = TestApp::spawn_with(|c| c.public_url = Some("https://care.example.org".into()));
    let res = https.get("/api/health").send().expect(200);
    assert_eq!(
        res.header("strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    let plain = TestApp::spawn();
    let res = plain.get("/api/health").send().expect(200);
    assert_eq!(res.header("strict-transport-security"), None);
}
