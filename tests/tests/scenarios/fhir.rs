//! The FHIR R4 read API against a real server and database: every type read
//! and searched by patient, each answer parsed back with the `fhirbolt` R4
//! model in strict mode (unknown elements, missing required ones and wrong
//! types are errors), `_lastUpdated` at its edges, Bundle paging, the
//! capability statement, `OperationOutcome`s for 400/401/403/404, and the
//! audit trail.

use chrono::{DateTime, Duration, Utc};
use fhirbolt::model::r4::Resource;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};
use serde_json::{Value, json};
use shared::auth::Scope;
use tests::openapi_ops::Side;
use tests::{Res, TestApp};
use uuid::Uuid;

/// Parses an answer's body as an R4 resource, strictly.
#[track_caller]
fn strict(res: &Res) -> Resource {
    fhirbolt::json::from_slice(
        &res.body,
        Some(DeserializationConfig {
            mode: DeserializationMode::Strict,
        }),
    )
    .unwrap_or_else(|e| panic!("not a strict R4 resource: {e}\n{}", res.text()))
}

/// `GET path` as `token`, which must answer `status` in FHIR JSON.
#[track_caller]
fn fhir(app: &TestApp, token: &str, path: &str, status: u16) -> Res {
    let res = app.get(path).token(token).send().expect(status);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/fhir+json"),
        "{path}"
    );
    res
}

/// An `OperationOutcome` with one error issue of `code`.
#[track_caller]
fn outcome(res: &Res, code: &str) {
    assert!(
        matches!(strict(res), Resource::OperationOutcome(_)),
        "{}",
        res.text()
    );
    let body: Value = res.json();
    assert_eq!(body["issue"][0]["severity"], "error", "{body}");
    assert_eq!(body["issue"][0]["code"], code, "{body}");
    assert!(body["issue"][0]["diagnostics"].is_string(), "{body}");
}

fn entries(bundle: &Value) -> Vec<Value> {
    bundle["entry"].as_array().cloned().unwrap_or_default()
}

/// A populated organization, its care manager's token, a PHQ-9 with
/// item 9 answered 1 and the care plan's goal.
struct World {
    app: TestApp,
    side: Side,
    cm: String,
    phq9: Uuid,
    goal: Uuid,
}

fn world() -> World {
    let app = TestApp::spawn();
    let side = app.populate("Fhir Health");
    let cm = app.token(&side.team.care_manager);
    let answers: Value = (1..=9)
        .map(|i| (i.to_string(), json!(if i == 9 { 1 } else { 2 })))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let phq9: Value = app
        .post(&format!("/api/v1/patients/{}/screenings", side.patient))
        .token(&cm)
        .json(&json!({"instrument": "phq9", "administered_at": Utc::now(), "answers": answers}))
        .send()
        .expect(201)
        .json();
    let plan: Value = app
        .get(&format!("/api/v1/patients/{}/care-plan", side.patient))
        .token(&cm)
        .send()
        .expect(200)
        .json();
    let goal = plan["goals"][0]["id"]
        .as_str()
        .expect("goal id")
        .parse()
        .unwrap();
    World {
        phq9: phq9["id"].as_str().unwrap().parse().unwrap(),
        goal,
        app,
        side,
        cm,
    }
}

impl World {
    /// Every type, with the id of one of its resources.
    fn every_type(&self) -> Vec<(&'static str, Uuid)> {
        let s = &self.side;
        vec![
            ("Patient", s.patient),
            ("RelatedPerson", s.contact),
            ("CareTeam", s.care_team_member),
            ("Encounter", s.encounter),
            ("Appointment", s.appointment),
            ("Task", s.task),
            ("CarePlan", s.care_plan),
            ("Goal", self.goal),
            ("ServiceRequest", s.referral),
            ("Organization", s.provider),
            ("HealthcareService", s.provider),
            ("QuestionnaireResponse", self.phq9),
            ("Observation", self.phq9),
        ]
    }
}

#[test]
fn every_type_is_read_by_id_as_fhir_json_that_parses_back_under_r4_rules() {
    let w = world();
    for (ty, id) in w.every_type() {
        let res = fhir(&w.app, &w.cm, &format!("/fhir/r4/{ty}/{id}"), 200);
        let parsed = strict(&res);
        assert_eq!(
            res.header("cache-control").as_deref(),
            Some("no-store"),
            "patient data is not cached"
        );
        let body: Value = res.json();
        assert_eq!(body["resourceType"], ty, "{body}");
        assert_eq!(body["id"], id.to_string(), "{body}");
        let version = body["meta"]["versionId"].as_str().expect("versionId");
        assert_eq!(
            res.header("etag").as_deref(),
            Some(format!("W/\"{version}\"").as_str())
        );
        body["meta"]["lastUpdated"]
            .as_str()
            .expect("lastUpdated")
            .parse::<DateTime<Utc>>()
            .expect("an instant");
        // Serialized again by the model, it says the same.
        let again: Value =
            serde_json::from_slice(&fhirbolt::json::to_vec(&parsed, None).unwrap()).unwrap();
        assert_eq!(again, body, "{ty} round-trips");
        if ty != "Patient" && ty != "Organization" && ty != "HealthcareService" {
            let subject = ["subject", "patient", "for"]
                .iter()
                .find_map(|k| body[*k]["reference"].as_str())
                .or_else(|| body["participant"][0]["actor"]["reference"].as_str());
            assert_eq!(
                subject,
                Some(format!("Patient/{}", w.side.patient).as_str()),
                "{ty}: {body}"
            );
        }
    }
}

#[test]
fn each_resource_says_what_the_record_holds_in_r4_terms() {
    let w = world();
    let get = |ty: &str, id: Uuid| -> Value {
        fhir(&w.app, &w.cm, &format!("/fhir/r4/{ty}/{id}"), 200).json()
    };
    let patient = get("Patient", w.side.patient);
    assert_eq!(patient["name"][0]["family"], "First");
    assert_eq!(patient["name"][0]["given"][0], "Pat");
    assert_eq!(patient["active"], true);
    let stay = get("Encounter", w.side.encounter);
    assert_eq!(stay["status"], "finished");
    // The populated stay is an inpatient psychiatric one.
    assert_eq!(stay["class"]["code"], "IMP", "{stay}");
    assert_eq!(
        stay["hospitalization"]["dischargeDisposition"]["coding"][0]["code"],
        "home"
    );
    assert!(stay["period"]["end"].is_string());
    let visit = get("Appointment", w.side.appointment);
    assert_eq!(visit["status"], "booked");
    let task = get("Task", w.side.task);
    // Logging outreach against the task started it.
    assert_eq!(task["status"], "in-progress");
    assert_eq!(task["intent"], "order");
    assert_eq!(task["description"], "Call about the housing application");
    let plan = get("CarePlan", w.side.care_plan);
    assert_eq!(plan["goal"][0]["reference"], format!("Goal/{}", w.goal));
    let goal = get("Goal", w.goal);
    assert_eq!(goal["description"]["text"], "PHQ-9 below 5");
    assert_eq!(goal["target"][0]["dueDate"], "2027-05-31");
    let referral = get("ServiceRequest", w.side.referral);
    assert_eq!(referral["status"], "active");
    assert_eq!(
        referral["performer"][0]["reference"],
        format!("Organization/{}", w.side.provider)
    );
    let service = get("HealthcareService", w.side.provider);
    assert_eq!(
        service["providedBy"]["reference"],
        format!("Organization/{}", w.side.provider)
    );
    assert_eq!(service["communication"][0]["coding"][0]["code"], "en");
    let contact = get("RelatedPerson", w.side.contact);
    assert_eq!(contact["relationship"][0]["coding"][0]["code"], "SIB");
}

#[test]
fn screenings_are_coded_with_loinc_totals_panels_and_phq9_item_9() {
    let w = world();
    let obs: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Observation/{}", w.phq9),
        200,
    )
    .json();
    // LOINC 44261-6: PHQ-9 total score; 44260-8: PHQ-9 item 9.
    assert_eq!(obs["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(obs["code"]["coding"][0]["code"], "44261-6");
    assert_eq!(obs["valueInteger"], 17);
    assert_eq!(obs["status"], "final");
    assert_eq!(obs["category"][0]["coding"][0]["code"], "survey");
    assert_eq!(obs["component"][0]["code"]["coding"][0]["code"], "44260-8");
    assert_eq!(obs["component"][0]["valueInteger"], 1);
    assert_eq!(
        obs["derivedFrom"][0]["reference"],
        format!("QuestionnaireResponse/{}", w.phq9)
    );
    let qr: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/QuestionnaireResponse/{}", w.phq9),
        200,
    )
    .json();
    // LOINC 44249-1: the PHQ-9 panel.
    assert_eq!(qr["questionnaire"], "http://loinc.org/q/44249-1");
    assert_eq!(qr["status"], "completed");
    assert_eq!(qr["item"].as_array().unwrap().len(), 9);
    assert_eq!(qr["item"][8]["linkId"], "9");
    assert_eq!(qr["item"][8]["answer"][0]["valueInteger"], 1);
    // The populated PHQ-2 (LOINC 55758-7 total).
    let phq2: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Observation/{}", w.side.screening),
        200,
    )
    .json();
    assert_eq!(phq2["code"]["coding"][0]["code"], "55758-7");
    // A GAD-7 total is LOINC 70274-6.
    let answers: serde_json::Map<String, Value> =
        (1..=7).map(|i| (i.to_string(), json!(1))).collect();
    let gad7: Value = w
        .app
        .post(&format!("/api/v1/patients/{}/screenings", w.side.patient))
        .token(&w.cm)
        .json(&json!({"instrument": "gad7", "administered_at": Utc::now(), "answers": answers}))
        .send()
        .expect(201)
        .json();
    let obs: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Observation/{}", gad7["id"].as_str().unwrap()),
        200,
    )
    .json();
    assert_eq!(obs["code"]["coding"][0]["code"], "70274-6");
    assert_eq!(obs["valueInteger"], 7);
}

#[test]
fn every_type_is_searched_by_patient_as_a_searchset_bundle_with_full_urls() {
    let w = world();
    for (ty, id) in w.every_type() {
        let query = if matches!(ty, "Organization" | "HealthcareService") {
            String::new()
        } else {
            format!("?patient=Patient/{}", w.side.patient)
        };
        let res = fhir(&w.app, &w.cm, &format!("/fhir/r4/{ty}{query}"), 200);
        assert!(matches!(strict(&res), Resource::Bundle(_)), "{ty}");
        let bundle: Value = res.json();
        assert_eq!(bundle["type"], "searchset");
        let found = entries(&bundle);
        assert_eq!(bundle["total"], found.len(), "{ty}: {bundle}");
        assert!(bundle["link"][0]["relation"] == "self", "{bundle}");
        let entry = found
            .iter()
            .find(|e| e["resource"]["id"] == id.to_string())
            .unwrap_or_else(|| panic!("{ty} {id} not found: {bundle}"));
        let full_url = entry["fullUrl"].as_str().unwrap();
        assert!(full_url.starts_with("http://"), "{full_url}");
        assert!(
            full_url.ends_with(&format!("/fhir/r4/{ty}/{id}")),
            "{full_url}"
        );
        assert_eq!(entry["search"]["mode"], "match");
        for e in &found {
            assert_eq!(e["resource"]["resourceType"], ty);
        }
    }
    // The bare id names the patient too; the other patient's records are not theirs.
    let bundle: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Encounter?patient={}", w.side.patient),
        200,
    )
    .json();
    assert_eq!(bundle["total"], 1, "{bundle}");
}

#[test]
fn last_updated_ge_keeps_the_exact_instant_and_gt_leaves_it_out() {
    let w = world();
    let stay: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Encounter/{}", w.side.encounter),
        200,
    )
    .json();
    let at = stay["meta"]["lastUpdated"].as_str().unwrap().to_string();
    let instant: DateTime<Utc> = at.parse().unwrap();
    let found = |filters: &[String]| -> bool {
        let mut path = format!("/fhir/r4/Encounter?patient={}", w.side.patient);
        for f in filters {
            path.push_str("&_lastUpdated=");
            path.push_str(&f.replace('+', "%2B"));
        }
        let bundle: Value = fhir(&w.app, &w.cm, &path, 200).json();
        entries(&bundle)
            .iter()
            .any(|e| e["resource"]["id"] == w.side.encounter.to_string())
    };
    assert!(found(&[format!("ge{at}")]), "ge the instant");
    assert!(!found(&[format!("gt{at}")]), "gt the instant");
    assert!(found(&[format!("le{at}")]), "le the instant");
    assert!(!found(&[format!("lt{at}")]), "lt the instant");
    assert!(found(std::slice::from_ref(&at)), "eq the instant");
    let micro = |d: i64| {
        (instant + Duration::microseconds(d)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    };
    assert!(
        found(&[format!("gt{}", micro(-1))]),
        "gt a microsecond before"
    );
    assert!(
        !found(&[format!("ge{}", micro(1))]),
        "ge a microsecond after"
    );
    assert!(
        found(&[format!("ge{}", micro(-1)), format!("lt{}", micro(1))]),
        "inside a two-microsecond range"
    );
    assert!(
        !found(&[format!("ge{}", micro(1)), format!("lt{}", micro(2))]),
        "a range after it"
    );
    // Whole days in the organization's zone, and a year.
    let today = instant.format("%Y").to_string();
    assert!(found(&[format!("ge{today}")]));
    assert!(!found(&[format!("lt{today}")]));
}

#[test]
fn a_search_pages_with_count_and_an_opaque_next_link_until_the_last_page() {
    let w = world();
    let mut path = "/fhir/r4/Patient?_count=1".to_string();
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let bundle: Value = fhir(&w.app, &w.cm, &path, 200).json();
        total.get_or_insert_with(|| bundle["total"].clone());
        assert_eq!(
            bundle["total"],
            total.clone().unwrap(),
            "the total holds on every page"
        );
        let found = entries(&bundle);
        assert!(found.len() <= 1);
        seen.extend(found.iter().map(|e| e["resource"]["id"].clone()));
        let next = bundle["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_string());
        match next {
            Some(url) => {
                let url = url::Url::parse(&url).expect("an absolute next link");
                assert!(url.query().unwrap().contains("_count=1"));
                assert!(url.query().unwrap().contains("_cursor="));
                path = format!("{}?{}", url.path(), url.query().unwrap());
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 2, "both patients, once each: {seen:?}");
    assert_ne!(seen[0], seen[1]);
    assert_eq!(total, Some(json!(2)));
    // `_count=0` answers the total alone.
    let bundle: Value = fhir(&w.app, &w.cm, "/fhir/r4/Patient?_count=0", 200).json();
    assert_eq!(bundle["total"], 2);
    assert!(entries(&bundle).is_empty());
    // A forged cursor is a 400.
    let res = fhir(&w.app, &w.cm, "/fhir/r4/Patient?_cursor=forged", 400);
    outcome(&res, "invalid");
}

#[test]
fn the_capability_statement_says_exactly_what_is_served_without_credentials() {
    let app = TestApp::spawn();
    let res = app.get("/fhir/r4/metadata").send().expect(200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/fhir+json")
    );
    assert!(matches!(strict(&res), Resource::CapabilityStatement(_)));
    let cs: Value = res.json();
    assert_eq!(cs["fhirVersion"], "4.0.1");
    assert_eq!(cs["kind"], "instance");
    let resources = cs["rest"][0]["resource"].as_array().unwrap();
    let types: Vec<&str> = resources
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Patient",
            "RelatedPerson",
            "CareTeam",
            "Encounter",
            "Appointment",
            "Task",
            "CarePlan",
            "Goal",
            "ServiceRequest",
            "Organization",
            "HealthcareService",
            "QuestionnaireResponse",
            "Observation"
        ]
    );
    for r in resources {
        let interactions: Vec<&str> = r["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert_eq!(interactions, ["read", "search-type"]);
        let params: Vec<&str> = r["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        if matches!(
            r["type"].as_str(),
            Some("Organization" | "HealthcareService")
        ) {
            assert_eq!(params, ["_lastUpdated"]);
        } else {
            assert_eq!(params, ["patient", "_lastUpdated"]);
        }
    }
    // `_format=json` is accepted; XML is not served.
    app.get("/fhir/r4/metadata?_format=json").send().expect(200);
    let res = app.get("/fhir/r4/metadata?_format=xml").send().expect(400);
    outcome(&res, "invalid");
}

#[test]
fn another_organizations_records_are_404_operation_outcomes_and_their_patient_finds_nothing() {
    let w = world();
    let other = w.app.team("Elsewhere");
    let theirs = w
        .app
        .create_patient(
            &w.app.token(&other.care_manager),
            &tests::fixtures::new_patient("Ola", "Nordmann"),
        )
        .id
        .get();
    let res = fhir(&w.app, &w.cm, &format!("/fhir/r4/Patient/{theirs}"), 404);
    outcome(&res, "not-found");
    let bundle: Value = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Encounter?patient=Patient/{theirs}"),
        200,
    )
    .json();
    assert_eq!(bundle["total"], 0);
    assert!(entries(&bundle).is_empty());
    // And ours are 404s to them.
    let their_token = w.app.token(&other.care_manager);
    for (ty, id) in w.every_type() {
        let res = fhir(&w.app, &their_token, &format!("/fhir/r4/{ty}/{id}"), 404);
        outcome(&res, "not-found");
    }
}

#[test]
fn an_unknown_type_id_or_address_is_a_404_operation_outcome() {
    let w = world();
    for path in [
        "/fhir/r4/Practitioner".to_string(),
        "/fhir/r4/Practitioner/123".to_string(),
        "/fhir/r4/patient".to_string(),
        "/fhir/r4/Patient/not-a-uuid".to_string(),
        format!("/fhir/r4/Patient/{}", Uuid::new_v4()),
        format!("/fhir/r4/Goal/{}", w.side.patient),
        "/fhir/r4/Patient/1/_history".to_string(),
    ] {
        let res = fhir(&w.app, &w.cm, &path, 404);
        outcome(&res, "not-found");
    }
    // A write is not supported: 405, as an OperationOutcome.
    let res = w
        .app
        .post("/fhir/r4/Patient")
        .token(&w.cm)
        .json(&json!({"resourceType": "Patient"}))
        .send()
        .expect(405);
    outcome(&res, "not-supported");
}

#[test]
fn a_bad_search_parameter_or_value_is_a_400_operation_outcome() {
    let w = world();
    for query in [
        "/fhir/r4/Patient?name=Smith",
        "/fhir/r4/Encounter?_lastUpdated=ne2026-01-01",
        "/fhir/r4/Encounter?_lastUpdated=2026-13-01",
        "/fhir/r4/Encounter?_lastUpdated=ge2026-03-02T14:10:00",
        "/fhir/r4/Encounter?_count=ten",
        "/fhir/r4/Encounter?_count=201",
        "/fhir/r4/Encounter?patient=Patient/42",
        "/fhir/r4/Organization?patient=Patient/42",
        "/fhir/r4/Task?_format=xml",
        "/fhir/r4/Task?_sort=-_lastUpdated",
    ] {
        let res = fhir(&w.app, &w.cm, query, 400);
        outcome(&res, "invalid");
    }
    let res = fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Patient/{}?_summary=true", w.side.patient),
        400,
    );
    outcome(&res, "invalid");
}

#[test]
fn a_key_without_the_scope_is_refused_403_and_no_credentials_401_as_operation_outcomes() {
    let w = world();
    let tasks_key = w.app.api_key(&w.side.team.admin, &[Scope::TasksRead]);
    let res = fhir(
        &w.app,
        &tasks_key,
        &format!("/fhir/r4/Patient/{}", w.side.patient),
        403,
    );
    outcome(&res, "forbidden");
    let res = fhir(
        &w.app,
        &tasks_key,
        &format!("/fhir/r4/Observation?patient={}", w.side.patient),
        403,
    );
    outcome(&res, "forbidden");
    // The scope it has reads its type.
    fhir(
        &w.app,
        &tasks_key,
        &format!("/fhir/r4/Task/{}", w.side.task),
        200,
    );
    let patients_key = w.app.api_key(&w.side.team.admin, &[Scope::PatientsRead]);
    fhir(
        &w.app,
        &patients_key,
        &format!("/fhir/r4/Goal?patient={}", w.side.patient),
        200,
    );
    let res = w
        .app
        .get(&format!("/fhir/r4/Patient/{}", w.side.patient))
        .send()
        .expect(401);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/fhir+json")
    );
    assert!(res.header("www-authenticate").is_some());
    outcome(&res, "login");
    let res = w
        .app
        .get("/fhir/r4/Patient")
        .token("cmk_not-a-key")
        .send()
        .expect(401);
    outcome(&res, "login");
}

#[test]
fn every_patient_data_read_and_search_writes_one_audit_event_and_the_directory_none() {
    let w = world();
    let key = w.app.api_key(&w.side.team.admin, &[Scope::EncountersRead]);
    fhir(
        &w.app,
        &key,
        &format!("/fhir/r4/Encounter/{}", w.side.encounter),
        200,
    );
    let reads = w.app.audit_of("fhir.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_type, "api_key");
    assert_eq!(reads[0].patient_id, Some(w.side.patient));
    assert_eq!(
        reads[0].resource_id.as_deref(),
        Some(format!("Encounter/{}", w.side.encounter).as_str())
    );
    assert_eq!(reads[0].details["type"], "Encounter");
    fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Observation?patient={}&_count=1", w.side.patient),
        200,
    );
    let searches = w.app.audit_of("fhir.search");
    assert_eq!(searches.len(), 1);
    assert_eq!(searches[0].patient_id, Some(w.side.patient));
    assert_eq!(searches[0].details["type"], "Observation");
    assert_eq!(searches[0].details["patient_ids"], json!([w.side.patient]));
    assert_eq!(
        searches[0].details["query"][0],
        json!(["patient", w.side.patient.to_string()])
    );
    // A search of every patient lists each one shown.
    fhir(&w.app, &w.cm, "/fhir/r4/Patient", 200);
    let searches = w.app.audit_of("fhir.search");
    assert_eq!(searches.len(), 2);
    assert_eq!(
        searches[1].details["patient_ids"].as_array().unwrap().len(),
        2
    );
    // The directory is not patient data; refusals and misses write nothing.
    let before = w.app.audit().len();
    fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Organization/{}", w.side.provider),
        200,
    );
    fhir(&w.app, &w.cm, "/fhir/r4/HealthcareService", 200);
    fhir(
        &w.app,
        &w.cm,
        &format!("/fhir/r4/Patient/{}", Uuid::new_v4()),
        404,
    );
    assert_eq!(w.app.audit().len(), before);
}
