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

/// One field of a `shared` type and the rules its attributes declare.
#[derive(Debug)]
struct Field {
    file: String,
    owner: String,
    name: String,
    validate: String,
}

/// The fields with `#[validate(...)]` rules of every `shared` type that
/// derives `ToSchema`, read from the source (a line-based reading of the
/// workspace's own formatting: attributes above `pub field: Type,`).
fn validated_fields() -> Vec<Field> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/src");
    let mut fields = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let mut attributes: Vec<String> = Vec::new();
        let mut pending = String::new();
        let mut owner: Option<(String, bool)> = None;
        for line in source.lines() {
            let line = line.trim();
            if line.starts_with("mod tests") || line.starts_with("#[cfg(test)]") {
                break;
            }
            if !pending.is_empty() || line.starts_with("#[") {
                pending.push_str(line);
                if pending.matches('[').count() <= pending.matches(']').count() {
                    attributes.push(std::mem::take(&mut pending));
                }
                continue;
            }
            if line.starts_with("//") {
                continue;
            }
            if let Some(rest) = line.strip_prefix("pub struct ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let schema = attributes.iter().any(|a| a.contains("utoipa::ToSchema"));
                owner = rest.trim_end().ends_with('{').then_some((name, schema));
                attributes.clear();
                continue;
            }
            if line == "}" {
                owner = None;
            }
            if let (Some((struct_name, true)), Some(rest)) = (&owner, line.strip_prefix("pub "))
                && let Some((name, _)) = rest.split_once(':')
            {
                let serde: Vec<&String> = attributes
                    .iter()
                    .filter(|a| a.starts_with("#[serde("))
                    .collect();
                let renamed = serde.iter().find_map(|a| {
                    a.split("rename = \"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                });
                let validate: Vec<&str> = attributes
                    .iter()
                    .filter(|a| a.starts_with("#[validate("))
                    .map(String::as_str)
                    .collect();
                if !validate.is_empty() {
                    fields.push(Field {
                        file: file.clone(),
                        owner: struct_name.clone(),
                        name: renamed.unwrap_or(name).to_string(),
                        validate: validate.join(" "),
                    });
                }
            }
            attributes.clear();
        }
    }
    fields
}

/// The number after `key = ` inside the `rule(...)` of `validate`.
fn bound(validate: &str, rule: &str, key: &str) -> Option<f64> {
    let args = validate
        .split(&format!("{rule}("))
        .nth(1)?
        .split(')')
        .next()?;
    args.split(',').find_map(|arg| {
        let (k, v) = arg.split_once('=')?;
        (k.trim() == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// The schema of a property, the branch that is not `null` when it may be.
fn property<'a>(doc: &'a Value, owner: &str, name: &str) -> Option<&'a Value> {
    let p = doc["components"]["schemas"][owner]["properties"].get(name)?;
    Some(
        p["oneOf"]
            .as_array()
            .and_then(|branches| branches.iter().find(|b| b["type"] != "null"))
            .unwrap_or(p),
    )
}

/// Rules that depend on the clock, another field or another record: JSON
/// Schema cannot state them, so the document says them in words (and
/// `scripts/schemathesis_hooks.py` names the 422 each one answers).
const CONTEXT_RULES: [&str; 8] = [
    "birth_date_rule", // not after today (the years are the wire rule's)
    "not_in_future",
    "consent_dates",
    "patched_consent_dates",
    "not_past",         // a care plan's review date: said in its description
    "override_until",   // today to 366 days ahead: said in its description
    "not_after_today",  // a step's date: the organization's today
    "not_before_today", // a referral's due date: the organization's today
];

/// The list schema of a property (an optional list's non-null branch).
fn list(p: &serde_json::Value) -> &serde_json::Value {
    p["oneOf"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["type"] == "array"))
        .unwrap_or(p)
}

/// Every limit a request field's `#[validate]` declares is in the document
/// (`#[schema]` beside it, or a rule of api/src/openapi.rs): a limit changed
/// on one side only, or a new rule nobody documented, fails here.
#[test]
fn every_field_rule_is_in_the_document() {
    let doc = generated();
    let fields = validated_fields();
    assert!(
        fields.len() > 50,
        "only {} validated fields found",
        fields.len()
    );
    let mut problems = Vec::new();
    for f in &fields {
        let at = format!("{}: {}.{}", f.file, f.owner, f.name);
        let Some(p) = property(&doc, &f.owner, &f.name) else {
            // A type no request carries is not in the document.
            if doc["components"]["schemas"].get(&f.owner).is_some() {
                problems.push(format!("{at} is not in the document"));
            }
            continue;
        };
        let is_array = p["type"] == "array" || p["type"][0] == "array";
        let (max_key, min_key) = if is_array {
            ("maxItems", "minItems")
        } else {
            ("maxLength", "minLength")
        };
        let mut expect = |key: &str, want: Option<f64>| {
            if let Some(want) = want
                && p[key].as_f64() != Some(want)
            {
                problems.push(format!(
                    "{at}: {key} is {} but the rule says {want}",
                    p[key]
                ));
            }
        };
        expect(max_key, bound(&f.validate, "length", "max"));
        expect(min_key, bound(&f.validate, "length", "min"));
        expect("maximum", bound(&f.validate, "range", "max"));
        expect("minimum", bound(&f.validate, "range", "min"));
        let pattern = p["pattern"].as_str().unwrap_or("");
        for function in f
            .validate
            .split("function = \"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            let rule = function.rsplit("::").next().unwrap();
            let stated = match rule {
                "not_blank" => pattern == api::openapi::not_blank_pattern(),
                "phone" => p["format"] == "phone" && !pattern.is_empty(),
                "us_state" => p["format"] == "us-state" && !pattern.is_empty(),
                "postal_code" => p["format"] == "postal-code" && !pattern.is_empty(),
                "language_tag" => p["format"] == "language-tag" && !pattern.is_empty(),
                // The format is dropped for the pattern (see api/src/openapi.rs).
                "email" => pattern.contains('@'),
                "known_zone" | "initial_status" | "made_by_hand" | "not_status_change" => {
                    p["enum"].is_array()
                }
                "identifiers_unique" | "distinct_users" => p["uniqueItems"] == true,
                // Objects that differ in their notes: said in words.
                "distinct_patients" => p["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("each patient once")),
                "scopes_valid" => p["uniqueItems"] == true && p["minItems"] == 1,
                "services_valid" => list(p)["uniqueItems"] == true,
                "events_valid" => list(p)["uniqueItems"] == true && list(p)["minItems"] == 1,
                // The form: an http(s) URL; credentials, fragments and
                // private addresses are said in the description.
                "url_valid" => {
                    pattern == "^https?://"
                        && p["description"]
                            .as_str()
                            .is_some_and(|d| d.contains("private"))
                }
                "text_list" => {
                    list(p)["maxItems"] == 50
                        && list(p)["items"]["maxLength"] == 100
                        && list(p)["items"]["minLength"] == 1
                }
                "language_list" => {
                    list(p)["maxItems"] == 50 && list(p)["items"]["format"] == "language-tag"
                }
                "resolution_valid" => p["maxLength"] == 1000 && p["minLength"] == 1,
                // Conditions and their ranges: said in the field's description.
                "criteria_valid" => p["description"].as_str().is_some_and(|d| d.contains("730")),
                "dates_once" => true, // unique dates, not unique holidays: said in words
                r if CONTEXT_RULES.contains(&r) => true,
                _ => false,
            };
            if !stated {
                problems.push(format!(
                    "{at}: the rule `{rule}` is not stated (or not recognized here: add it)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
