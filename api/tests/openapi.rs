//! The committed `OpenAPI` document is what the code generates (the drift
//! check), and it is complete enough for integrators.

use serde_json::Value;

fn generated() -> Value {
    serde_json::to_value(api::server::openapi_document()).expect("document serializes")
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = serde_json::to_string_pretty(&api::server::openapi_document()).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit the result"
    );
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((path.clone(), method.clone(), op.clone()));
        }
    }
    ops
}

#[test]
fn the_document_is_openapi_3_1_with_a_bearer_security_scheme() {
    let doc = generated();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn every_operation_has_a_summary_a_tag_and_problem_answers_for_its_failures() {
    let doc = generated();
    let ops = operations(&doc);
    assert!(ops.len() >= 18, "{} operations", ops.len());
    for (path, method, op) in ops {
        let name = format!("{method} {path}");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{name} has no summary"
        );
        let documented: Vec<&Value> = doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["name"])
            .collect();
        assert!(
            op["tags"]
                .as_array()
                .is_some_and(|t| !t.is_empty() && t.iter().all(|t| documented.contains(&t))),
            "{name} has no tag, or one the document does not describe"
        );
        let responses = op["responses"].as_object().unwrap();
        let public = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r == &serde_json::json!({})));
        if !public {
            assert!(responses.contains_key("401"), "{name} documents no 401");
            assert!(responses.contains_key("403"), "{name} documents no 403");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{name} documents no 404");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{name} documents no {status}"
                );
            }
        }
    }
}

#[test]
fn the_contract_paths_of_the_design_are_all_present() {
    let doc = generated();
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/ready", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/api-keys", "get"),
        ("/api/v1/api-keys", "post"),
        ("/api/v1/api-keys/{id}", "delete"),
        ("/api/v1/patients", "get"),
        ("/api/v1/patients", "post"),
        ("/api/v1/patients/{id}", "get"),
        ("/api/v1/patients/{id}", "patch"),
        ("/api/v1/patients/{id}/status", "post"),
        ("/api/v1/audit-events", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is missing"
        );
    }
}
