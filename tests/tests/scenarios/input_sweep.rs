//! A hostile-input sweep over every operation the `OpenAPI` document lists:
//! control characters, 100 kB strings, out-of-range dates, absurd and
//! unrepresentable numbers, wrong types and unknown fields in every body
//! field; malformed bodies as a whole; the same in every query parameter
//! (60 kB at most there: a URL cannot be longer than 64 KiB), with forged
//! cursors and absurd limits; malformed ids in every path and
//! odd `If-Match` / `Idempotency-Key` headers. Whatever arrives, the answer
//! is never a 5xx, and a client error is an `application/problem+json`
//! whose status matches. Each operation starts from a valid call (the
//! matrix's table, else the document's example) and changes one thing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use shared::auth::Role;
use tests::openapi_ops::{Call, Document, Operation};

use crate::authorization_matrix::{
    Access, Ctx, Principal, Rule, Stage, Who, prepare, rules, stage,
};

/// Stands for the hostile value in a serialized body until it is spliced in raw.
const SLOT: &str = "\u{1}hostile-slot\u{1}";

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a JSON string")
}

/// What a schema holds, as far as choosing hostile values goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
    DateTime,
    Id,
    Number,
    List,
    Other,
}

fn kind_of(doc: &Document, schema: &Value) -> Kind {
    let schema = doc.resolve(schema);
    if let Some(branch) = ["oneOf", "anyOf"].iter().find_map(|k| {
        schema[*k]
            .as_array()
            .and_then(|bs| bs.iter().find(|b| b["type"] != "null"))
    }) {
        return kind_of(doc, branch);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let format = schema["format"].as_str().unwrap_or_default();
    if types.contains(&"string") {
        match format {
            "date" => Kind::Date,
            "date-time" => Kind::DateTime,
            "uuid" => Kind::Id,
            _ => Kind::Text,
        }
    } else if types.contains(&"integer") || types.contains(&"number") {
        Kind::Number
    } else if types.contains(&"array") {
        Kind::List
    } else {
        Kind::Other
    }
}

fn raw(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_string()).collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| quoted(s)).collect()
}

/// Hostile values for a field holding `kind`, as raw JSON text (some not
/// valid JSON at all): wrong types and junk for every field, and what can
/// go wrong with that kind in particular.
fn hostile_values(kind: Kind) -> Vec<String> {
    let mut values = raw(&[
        "null",
        "true",
        "123",
        "1e309",
        "NaN",
        "{}",
        "[]",
        "[null]",
        // A lone surrogate, which no Rust string can hold.
        r#""\ud800""#,
    ]);
    values.extend(strings(&["\u{0}", "text"]));
    match kind {
        Kind::Other => {}
        Kind::Text => {
            values.extend(strings(&[
                "a\u{0}b",
                "\u{1}",
                "\u{1b}[31mred\u{1b}[0m",
                "",
                "   ",
                "\u{202e}txt.exe",
                "\u{feff}",
                "' OR 1=1 --",
                "-4800-01-01",
                "not-a-uuid",
            ]));
            values.push(quoted(&"x".repeat(100_000)));
            values.push(quoted(&"\u{0}".repeat(1_000)));
        }
        Kind::Date | Kind::DateTime => values.extend(strings(&[
            "-4800-01-01",
            "+262142-12-31",
            "0000-00-00",
            "0000-01-01",
            "2026-02-30",
            "-4800-01-01T00:00:00Z",
            "+262142-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999+14:00",
            "2026-01-01T25:61:61Z",
            "",
        ])),
        Kind::Id => values.extend(strings(&[
            "not-a-uuid",
            "00000000-0000-0000-0000-000000000000",
            "01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7g",
            "{01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f}",
            "",
        ])),
        Kind::Number => values.extend(raw(&[
            "-1e309",
            "1e-400",
            "-2147483649",
            "2147483648",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "1.5",
            "-0",
            "-1",
            "0",
            "Infinity",
        ])),
        Kind::List => {
            values.extend(raw(&["[1e309]", "[{}]", "[[]]", r#"["\u0000"]"#]));
            values.push(format!("[{}]", vec!["1"; 10_000].join(",")));
        }
    }
    values
}

/// Hostile query-parameter values, percent-encoded as sent.
fn hostile_query_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "%00",
        "a%00b",
        "%01",
        "%1B%5B31m",
        "",
        "%20%20",
        "%FF",
        "%C0%AF",
        "-4800-01-01",
        "%2B262142-12-31",
        "0000-00-00",
        "0000-01-01",
        "2026-02-30",
        "-4800-01-01T00:00:00Z",
        "%2B262142-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "1e309",
        "-1e309",
        "-2147483649",
        "9223372036854775808",
        "-9223372036854775809",
        "NaN",
        "inf",
        "-0",
        "-1",
        "0",
        "1.5",
        "true",
        "null",
        "%5B%5D",
        "%7B%7D",
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        "%27%20OR%201%3D1--",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    // The longest a URL can be is 64 KiB (the HTTP client's limit).
    values.push("x".repeat(60_000));
    values
}

/// Who the sweep calls as: the care manager where the role allows (deepest
/// into the rules), else a supervisor, else an admin; no one for a public
/// operation.
fn caller_for<'s>(stage: &'s Stage, rule: Option<&Rule>) -> Option<&'s Principal> {
    let access = rule.map_or(Access::Needs(shared::auth::Permission::PatientsRead), |r| {
        r.access
    });
    if access == Access::Public {
        return None;
    }
    [Role::CareManager, Role::Supervisor, Role::Admin]
        .into_iter()
        .find_map(|role| {
            stage
                .callers
                .iter()
                .find(|c| c.who == Who::Role(role) && c.who.may(access))
        })
}

/// The answers that broke the contract, and how many requests were sent.
#[derive(Default)]
struct Tally {
    sent: usize,
    breaches: Vec<String>,
}

impl Tally {
    fn check(&mut self, what: &str, answer: Result<tests::Res, String>) -> Option<u16> {
        self.sent += 1;
        let what: String = what.chars().take(200).collect();
        match answer {
            Ok(res) => {
                if let Some(breach) = res.contract_breach() {
                    self.breaches.push(format!("{breach:.300} <- {what}"));
                }
                Some(res.status)
            }
            Err(e) => {
                self.breaches.push(format!("{e:.300} <- {what}"));
                None
            }
        }
    }

    fn finish(self, what: &str) {
        eprintln!("{what}: {} requests", self.sent);
        let shown: Vec<String> = self
            .breaches
            .iter()
            .take(60)
            .map(|b| b.chars().take(600).collect())
            .collect();
        assert!(
            self.breaches.is_empty(),
            "{what}: {} answer(s) broke the error contract (first {}):\n{}",
            self.breaches.len(),
            shown.len(),
            shown.join("\n")
        );
    }
}

/// Each operation with its rule (if the table has one: the sweep covers
/// operations the table does not know yet too) and a valid call maker.
struct Sweep {
    stage: Stage,
    rules: Vec<Rule>,
}

impl Sweep {
    fn new() -> Sweep {
        Sweep {
            stage: stage(),
            rules: rules(),
        }
    }

    fn rule(&self, op: &Operation) -> Option<&Rule> {
        self.rules.iter().find(|r| r.op == op.id)
    }

    fn ctx<'a>(&'a self, caller: Option<&'a Principal>) -> Ctx<'a> {
        Ctx {
            app: &self.stage.app,
            side: &self.stage.a,
            caller,
        }
    }

    /// A fresh valid call of `op` and who makes it.
    fn valid(&self, op: &Operation) -> (Call, Option<&Principal>) {
        let rule = self.rule(op);
        let caller = caller_for(&self.stage, rule);
        (
            prepare(&self.stage.doc, op, rule, &self.ctx(caller)),
            caller,
        )
    }

    /// Like [`Sweep::valid`], after checking that such a call is accepted:
    /// each hostile call changes one thing of a call that works.
    fn accepted(&self, op: &Operation) -> (Call, Option<&Principal>) {
        let (call, caller) = self.valid(op);
        let res = call.request(&self.stage.app, Sweep::token(caller)).send();
        assert!(
            (200..300).contains(&res.status),
            "the sweep starts from a valid call, but {} answered {} {}",
            call.label(),
            res.status,
            res.text()
        );
        self.valid(op)
    }

    fn token(caller: Option<&Principal>) -> Option<&str> {
        caller.map(|c| c.token.as_str())
    }
}

/// `body` serialized with `SLOT` replaced by the raw `value`.
fn splice(body: &Value, value: &str) -> Vec<u8> {
    body.to_string().replace(&quoted(SLOT), value).into_bytes()
}

/// The bodies to send for field `name` of schema `schema`, each with the
/// kind of what the slot holds: the hostile value in the field itself and,
/// for an object or a list of objects, in each of its own fields.
fn field_variants(doc: &Document, name: &str, schema: &Value) -> Vec<(Value, Kind)> {
    let mut out = vec![(json!({ name: SLOT }), kind_of(doc, schema))];
    let items = doc.resolve(&schema["items"]);
    for (inner, inner_schema) in doc.properties(schema) {
        out.push((
            json!({ name: { inner.clone(): SLOT } }),
            kind_of(doc, &inner_schema),
        ));
    }
    for (inner, inner_schema) in doc.properties(items) {
        out.push((
            json!({ name: [{ inner.clone(): SLOT }] }),
            kind_of(doc, &inner_schema),
        ));
    }
    out
}

#[test]
fn hostile_values_in_every_body_field_never_answer_a_5xx_and_client_errors_are_problems() {
    let sweep = Sweep::new();
    let app = &sweep.stage.app;
    let doc = &sweep.stage.doc;
    let mut tally = Tally::default();
    let mut operations = 0;
    for op in &sweep.stage.ops {
        let Some(schema) = &op.body else {
            continue;
        };
        operations += 1;
        let (mut base, mut caller) = sweep.accepted(op);
        let mut fields: Vec<(String, Value)> = doc.properties(schema);
        fields.push(("an_unknown_field".into(), json!({})));
        for (name, field_schema) in &fields {
            for (shape, kind) in field_variants(doc, name, field_schema) {
                for value in &hostile_values(kind) {
                    let mut body = base.body.clone().unwrap_or_else(|| json!({}));
                    for (k, v) in shape.as_object().expect("an object") {
                        body[k] = v.clone();
                    }
                    let raw = splice(&body, value);
                    let what = format!(
                        "{} with {name} = {}",
                        base.label(),
                        String::from_utf8_lossy(&raw)
                            .chars()
                            .take(160)
                            .collect::<String>()
                    );
                    let status = tally.check(
                        &what,
                        base.request_raw(app, Sweep::token(caller), "application/json", raw)
                            .try_send(),
                    );
                    // Something got through: start again from a fresh valid
                    // call (the version moved on).
                    if status.is_some_and(|s| s < 300) {
                        (base, caller) = sweep.valid(op);
                    }
                }
            }
        }
    }
    assert!(operations > 20, "only {operations} operations take a body");
    eprintln!("{operations} operations with a body");
    tally.finish("hostile body fields");
}

#[test]
fn malformed_bodies_as_a_whole_never_answer_a_5xx_and_client_errors_are_problems() {
    let sweep = Sweep::new();
    let app = &sweep.stage.app;
    let mut deep = "[".repeat(10_000);
    deep.push_str(&"]".repeat(10_000));
    let big = json!({"padding": "x".repeat(300 * 1024)}).to_string();
    let raws: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"null".to_vec()),
        ("application/json", b"[]".to_vec()),
        ("application/json", b"\"a string\"".to_vec()),
        ("application/json", b"1e309".to_vec()),
        ("application/json", b"".to_vec()),
        ("application/json", b"{".to_vec()),
        ("application/json", b"{\"a\":".to_vec()),
        ("application/json", b"{} {}".to_vec()),
        (
            "application/json",
            b"{\"version\": 1, \"version\": 2}".to_vec(),
        ),
        ("application/json", b"\xEF\xBB\xBF{}".to_vec()),
        ("application/json", b"{\"\xFF\xFE\": 1}".to_vec()),
        ("application/json", b"{\"\\u0000\": 1}".to_vec()),
        (
            "application/json",
            b"{\"a\\u0000b\": {\"\\u0001\": 2}}".to_vec(),
        ),
        ("application/json", deep.clone().into_bytes()),
        ("application/json", big.into_bytes()),
        ("application/json; charset=utf-16", b"{}".to_vec()),
        ("text/plain", b"{}".to_vec()),
        ("application/x-www-form-urlencoded", b"a=b".to_vec()),
        ("multipart/form-data; boundary=x", b"--x--".to_vec()),
        ("application/xml", b"<a/>".to_vec()),
    ];
    let mut tally = Tally::default();
    for op in &sweep.stage.ops {
        if op.body.is_none() {
            continue;
        }
        let (base, caller) = sweep.accepted(op);
        for (content_type, raw) in &raws {
            let what = format!(
                "{} with a {content_type} body of {} bytes starting {:?}",
                base.label(),
                raw.len(),
                String::from_utf8_lossy(&raw[..raw.len().min(24)])
            );
            tally.check(
                &what,
                base.request_raw(app, Sweep::token(caller), content_type, raw.clone())
                    .try_send(),
            );
        }
    }
    tally.finish("malformed bodies");
}

/// Cursors to try on every list: each list's own (from a first page of
/// one), the same decoded and tampered with, and garbage.
fn forged_cursors(sweep: &Sweep, lists: &[&Operation]) -> Vec<String> {
    let mut real = Vec::new();
    for op in lists {
        let (mut call, caller) = sweep.valid(op);
        call.param("limit", "1");
        let res = call.request(&sweep.stage.app, Sweep::token(caller)).send();
        let page: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
        if let Some(next) = page["next_cursor"].as_str() {
            real.push(next.to_string());
        }
    }
    assert!(
        real.len() * 2 > lists.len(),
        "most lists should have a second page to forge cursors from ({} of {})",
        real.len(),
        lists.len()
    );
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let mut forged: Vec<String> = real.clone();
    for cursor in &real {
        let Some(key) = URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        else {
            continue;
        };
        for replacement in [
            json!("\u{0}"),
            json!("a\u{0}b"),
            json!("x".repeat(2_000)),
            json!("+262142-12-31T23:59:59Z"),
            json!("-4800-01-01"),
            json!("not-a-uuid"),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1e308),
            json!(-1),
            json!(null),
            json!({}),
            json!([]),
        ] {
            forged.push(encode(&replace_leaves(&key, &replacement)));
        }
        // The same key with an extra element, and with one fewer.
        if let Some(items) = key.as_array() {
            let mut longer = items.clone();
            longer.push(json!("extra"));
            forged.push(encode(&Value::Array(longer)));
            forged.push(encode(&Value::Array(items[..items.len() - 1].to_vec())));
        }
        forged.push(format!("{cursor}x"));
        forged.push(cursor.chars().rev().collect());
    }
    forged.extend(
        [
            "!!!", "====", "%00", "AAAA", "bnVsbA", // null
            "W10",    // []
            "e30",    // {}
            "IgAi",   // a NUL byte
            "_-_-_-_-",
        ]
        .iter()
        .map(|s| (*s).to_string()),
    );
    forged.push(encode(&json!([
        "\u{0}",
        "00000000-0000-0000-0000-000000000000"
    ])));
    forged.push(encode(&json!([
        "+262142-12-31T23:59:59Z",
        "00000000-0000-0000-0000-000000000000"
    ])));
    forged.push(encode(&json!([
        "-4800-01-01",
        "00000000-0000-0000-0000-000000000000"
    ])));
    forged.push(encode(&json!([
        9_223_372_036_854_775_807_i64,
        "00000000-0000-0000-0000-000000000000"
    ])));
    forged.push(URL_SAFE_NO_PAD.encode(format!("{}{}", "[".repeat(5_000), "]".repeat(5_000))));
    forged.push(URL_SAFE_NO_PAD.encode("x".repeat(40_000)));
    forged
}

/// `key` with every string or number in it replaced by `with`.
fn replace_leaves(key: &Value, with: &Value) -> Value {
    match key {
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| replace_leaves(i, with)).collect())
        }
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), replace_leaves(v, with)))
                .collect(),
        ),
        Value::String(_) | Value::Number(_) | Value::Bool(_) => with.clone(),
        Value::Null => Value::Null,
    }
}

#[test]
fn hostile_query_parameters_forged_cursors_and_absurd_limits_never_answer_a_5xx() {
    let sweep = Sweep::new();
    let app = &sweep.stage.app;
    let values = hostile_query_values();
    let mut tally = Tally::default();
    let with_query: Vec<&Operation> = sweep
        .stage
        .ops
        .iter()
        .filter(|op| !op.query.is_empty())
        .collect();
    assert!(
        with_query.len() > 10,
        "only {} operations take a query",
        with_query.len()
    );
    for op in &with_query {
        let (base, caller) = sweep.accepted(op);
        let token = Sweep::token(caller);
        let mut names: Vec<&str> = op.query.iter().map(|p| p.name.as_str()).collect();
        names.push("an_unknown_parameter");
        for name in names {
            for value in &values {
                let mut call = base.clone();
                call.query.retain(|(n, _)| n != name);
                call.query.push((name.to_string(), value.clone()));
                tally.check(&call.label(), call.request(app, token).try_send());
            }
            // Twice, as a list, and with no value at all.
            for extra in [
                vec![
                    (name.to_string(), "1".to_string()),
                    (name.to_string(), "2".to_string()),
                ],
                vec![(format!("{name}[]"), "1".to_string())],
                vec![(format!("{name}%00"), "1".to_string())],
            ] {
                let mut call = base.clone();
                call.query.extend(extra);
                tally.check(&call.label(), call.request(app, token).try_send());
            }
            let valueless = format!(
                "{}{}{name}",
                base.target(),
                if base.query.is_empty() { '?' } else { '&' }
            );
            let mut req = app.request(base.method.clone(), &valueless);
            if let Some(token) = token {
                req = req.token(token);
            }
            tally.check(&format!("{} {valueless}", base.method), req.try_send());
        }
    }
    let lists: Vec<&Operation> = with_query
        .iter()
        .copied()
        .filter(|op| op.query.iter().any(|p| p.name == "cursor"))
        .collect();
    let cursors = forged_cursors(&sweep, &lists);
    let limits = [
        "0",
        "-1",
        "201",
        "1000000",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "1e3",
        "1.0",
        "ten",
        "",
        "%00",
    ];
    for op in &lists {
        let (base, caller) = sweep.valid(op);
        let token = Sweep::token(caller);
        for cursor in &cursors {
            let mut call = base.clone();
            call.param("cursor", cursor);
            tally.check(&call.label(), call.request(app, token).try_send());
        }
        for limit in limits {
            for cursor in [None, cursors.first()] {
                let mut call = base.clone();
                call.query.push(("limit".into(), limit.into()));
                if let Some(c) = cursor {
                    call.param("cursor", c);
                }
                tally.check(&call.label(), call.request(app, token).try_send());
            }
        }
    }
    eprintln!(
        "{} operations with a query, {} lists, {} cursors",
        with_query.len(),
        lists.len(),
        cursors.len()
    );
    tally.finish("hostile queries");
}

#[test]
fn malformed_ids_in_paths_and_odd_version_and_idempotency_headers_never_answer_a_5xx() {
    let sweep = Sweep::new();
    let app = &sweep.stage.app;
    let segments = [
        "not-a-uuid".to_string(),
        "%00".into(),
        "%01".into(),
        "%1B".into(),
        "%FF".into(),
        "00000000-0000-0000-0000-000000000000".into(),
        "ffffffff-ffff-ffff-ffff-ffffffffffff".into(),
        "%7B01939c2e-5d7a-7c4e-9f1b-2a3b4c5d6e7f%7D".into(),
        "01939c2e5d7a7c4e9f1b2a3b4c5d6e7f".into(),
        "01939C2E-5D7A-7C4E-9F1B-2A3B4C5D6E7G".into(),
        "1e309".into(),
        "-1".into(),
        "9223372036854775808".into(),
        "%27%20OR%201%3D1--".into(),
        "..%2F..%2Fetc".into(),
        "%20".into(),
        "x".repeat(10_000),
    ];
    let if_match = [
        "",
        "*",
        "W/\"\"",
        "\"\"",
        "\"-1\"",
        "W/\"0\"",
        "W/\"2147483648\"",
        "W/\"9223372036854775808\"",
        "\"1e309\"",
        "garbage",
        "\"1\", \"2\"",
        "W/\"1\"x",
        "W/1",
    ];
    let long_key = "k".repeat(10_000);
    let idempotency = ["", " ", "a,b", "\"quoted\"", long_key.as_str()];
    let mut tally = Tally::default();
    for op in &sweep.stage.ops {
        let (base, caller) = sweep.accepted(op);
        let token = Sweep::token(caller);
        if !op.path_params.is_empty() {
            for segment in &segments {
                let mut call = base.clone();
                call.path = op.path_with(|_| segment.clone());
                tally.check(
                    &format!(
                        "{} {}",
                        call.method,
                        call.path.chars().take(120).collect::<String>()
                    ),
                    call.request(app, token).try_send(),
                );
            }
        }
        for (header, values) in [
            ("If-Match", &if_match[..]),
            ("Idempotency-Key", &idempotency[..]),
        ] {
            if !op.takes_header(header) {
                continue;
            }
            for value in values {
                // A fresh call each time: one of these may go through.
                let (mut call, caller) = sweep.valid(op);
                call.headers
                    .push((header.to_string(), (*value).to_string()));
                tally.check(
                    &format!(
                        "{} with {header}: {:?}",
                        call.label(),
                        value.chars().take(40).collect::<String>()
                    ),
                    call.request(app, Sweep::token(caller)).try_send(),
                );
            }
        }
    }
    tally.finish("hostile paths and headers");
}
