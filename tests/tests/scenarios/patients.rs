//! Registering, reading, searching and changing patients.

use serde_json::{Value, json};
use shared::auth::Scope;
use shared::case_status::CaseStatus;
use shared::pagination::Page;
use shared::patients::{Address, Identifier, Patient};
use shared::risk::RiskLevel;
use tests::TestApp;
use tests::fixtures::new_patient;

fn mrn(value: &str) -> Identifier {
    Identifier {
        system: "urn:test:mrn".into(),
        value: value.into(),
    }
}

#[test]
fn registering_a_patient_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn();
    let team = app.team("Register Org");
    let res = app
        .post("/api/v1/patients")
        .token(&app.token(&team.supervisor))
        .json(&new_patient("Maria", "Lopez"))
        .send()
        .expect(201);
    let p: Patient = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/patients/{}", p.id)
    );
    assert_eq!(res.header("etag").as_deref(), Some("W/\"1\""));
    assert_eq!(p.version, 1);
    assert_eq!(p.status, CaseStatus::Referred);
    assert_eq!(p.risk_level, RiskLevel::Low);
    assert_eq!(p.preferred_language, "en");
    assert_eq!(p.primary_care_manager_id, None);
    let audit = app.audit_of("patient.create");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].patient_id, Some(p.id.get()));
    assert_eq!(audit[0].actor_id, Some(team.supervisor.id.get()));
}

#[test]
fn a_care_manager_who_registers_a_patient_becomes_their_care_manager() {
    let app = TestApp::spawn();
    let team = app.team("Own Org");
    let p = app.create_patient(&app.token(&team.care_manager), &new_patient("Ana", "Own"));
    assert_eq!(p.primary_care_manager_id, Some(team.care_manager.id));
}

#[test]
fn assigning_someone_else_as_care_manager_takes_a_supervisor() {
    let app = TestApp::spawn();
    let team = app.team("Assign Org");
    let other_cm = app.user(&team.org, shared::auth::Role::CareManager);
    let mut patient = new_patient("Ben", "Assigned");
    patient.primary_care_manager_id = Some(other_cm.id);
    app.post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .json(&patient)
        .send()
        .expect(403);
    let p: Patient = app
        .post("/api/v1/patients")
        .token(&app.token(&team.supervisor))
        .json(&patient)
        .send()
        .expect(201)
        .json();
    assert_eq!(p.primary_care_manager_id, Some(other_cm.id));
}

#[test]
fn only_an_active_care_manager_or_supervisor_of_the_organization_can_be_assigned() {
    let app = TestApp::spawn();
    let team = app.team("Who Org");
    let elsewhere = app.team("Elsewhere Org");
    let sup = app.token(&team.supervisor);
    for candidate in [
        team.viewer.id,
        team.admin.id,
        elsewhere.care_manager.id,
        shared::ids::UserId::from(uuid::Uuid::new_v4()),
    ] {
        let mut patient = new_patient("Cal", "Candidate");
        patient.primary_care_manager_id = Some(candidate);
        let res = app
            .post("/api/v1/patients")
            .token(&sup)
            .json(&patient)
            .send();
        assert_eq!(res.invalid_fields(), vec!["primary_care_manager_id"]);
    }
}

#[test]
fn every_invalid_field_is_listed_in_one_422() {
    let app = TestApp::spawn();
    let team = app.team("Invalid Org");
    let res = app
        .post("/api/v1/patients")
        .token(&app.token(&team.care_manager))
        .json(&json!({
            "given_name": " ", "family_name": "Lee", "birth_date": "2999-01-01",
            "phone": "call me", "email": "nope", "preferred_language": "klingon!",
            "address": {"state": "ZZ", "postal_code": "1"},
            "identifiers": [{"system": "urn:a", "value": "1"}, {"system": "urn:a", "value": "1"}]
        }))
        .send();
    assert_eq!(
        res.invalid_fields(),
        vec![
            "address.postal_code",
            "address.state",
            "birth_date",
            "email",
            "given_name",
            "identifiers",
            "phone",
            "preferred_language"
        ]
    );
    assert_eq!(app.audit_of("patient.create").len(), 0);
}

#[test]
fn an_identifier_that_belongs_to_another_patient_is_a_409_naming_that_patient() {
    let app = TestApp::spawn();
    let team = app.team("Dup Org");
    let token = app.token(&team.care_manager);
    let mut first = new_patient("Dee", "First");
    first.identifiers = vec![mrn("MRN-1")];
    let first = app.create_patient(&token, &first);
    let mut second = new_patient("Dee", "Second");
    second.identifiers = vec![mrn("MRN-1")];
    let p = app
        .post("/api/v1/patients")
        .token(&token)
        .json(&second)
        .send()
        .expect(409)
        .problem();
    assert!(p.detail.unwrap().contains(&first.id.to_string()));
}

#[test]
fn reading_a_patient_answers_its_etag_and_is_audited() {
    let app = TestApp::spawn();
    let team = app.team("Read Org");
    let created = app.create_patient(
        &app.token(&team.care_manager),
        &new_patient("Eve", "Reader"),
    );
    let res = app
        .get(&format!("/api/v1/patients/{}", created.id))
        .token(&app.token(&team.viewer))
        .send()
        .expect(200);
    assert_eq!(res.header("etag").as_deref(), Some("W/\"1\""));
    assert_eq!(res.json::<Patient>(), created);
    let reads = app.audit_of("patient.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].patient_id, Some(created.id.get()));
    assert_eq!(reads[0].actor_id, Some(team.viewer.id.get()));
}

#[test]
fn an_unknown_patient_is_a_404() {
    let app = TestApp::spawn();
    let team = app.team("Missing Org");
    app.get(&format!("/api/v1/patients/{}", uuid::Uuid::new_v4()))
        .token(&app.token(&team.viewer))
        .send()
        .expect(404)
        .problem();
}

fn names(page: &Page<Patient>) -> Vec<String> {
    page.items
        .iter()
        .map(|p| format!("{} {}", p.given_name, p.family_name))
        .collect()
}

fn search(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page: Page<Patient> = app
        .get(&format!("/api/v1/patients?{query}"))
        .token(token)
        .send()
        .expect(200)
        .json();
    names(&page)
}

#[test]
fn search_matches_name_prefixes_in_either_order_and_exact_identifiers() {
    let app = TestApp::spawn();
    let team = app.team("Search Org");
    let token = app.token(&team.supervisor);
    for (given, family, id) in [
        ("Maria", "Lopez", "MRN-100"),
        ("Mario", "Lopes", "MRN-101"),
        ("Lopez", "Adams", "MRN-102"),
        ("Zoe", "Zimmer", "MRN-103"),
        ("Al_an", "Percent%", "MRN-104"),
    ] {
        let mut p = new_patient(given, family);
        p.identifiers = vec![mrn(id)];
        app.create_patient(&token, &p);
    }
    assert_eq!(
        search(&app, &token, "q=lop"),
        vec!["Mario Lopes", "Maria Lopez", "Lopez Adams"],
        "family names first, then given names"
    );
    assert_eq!(search(&app, &token, "q=maria%20lo"), vec!["Maria Lopez"]);
    assert_eq!(search(&app, &token, "q=LOPEZ%20MA"), vec!["Maria Lopez"]);
    assert_eq!(search(&app, &token, "q=lopez,%20ma"), vec!["Maria Lopez"]);
    assert_eq!(search(&app, &token, "q=MRN-103"), vec!["Zoe Zimmer"]);
    assert_eq!(
        search(&app, &token, "q=mrn-103"),
        Vec::<String>::new(),
        "identifiers match exactly"
    );
    assert_eq!(search(&app, &token, "q=al_"), vec!["Al_an Percent%"]);
    assert_eq!(
        search(&app, &token, "q=al%25"),
        Vec::<String>::new(),
        "a % in the search is literal"
    );
    assert_eq!(
        search(&app, &token, "q=a_"),
        Vec::<String>::new(),
        "an _ in the search is literal"
    );
}

/// Every page of `query` (`limit` each), followed by cursor, as names.
fn all_pages(app: &TestApp, token: &str, query: &str, limit: u32) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut path = format!("/api/v1/patients?{query}&limit={limit}");
    loop {
        let page: Page<Patient> = app.get(&path).token(token).send().expect(200).json();
        pages.push(names(&page));
        match page.next_cursor {
            Some(c) => path = format!("/api/v1/patients?{query}&limit={limit}&cursor={c}"),
            None => return pages,
        }
    }
}

#[test]
fn a_search_lists_the_identifier_then_family_then_given_matches_each_patient_once_on_any_page_size()
{
    let app = TestApp::spawn();
    let team = app.team("Search Parts Org");
    let token = app.token(&team.supervisor);
    for (given, family) in [
        ("Smitty", "Adams"),
        ("Cy", "Smits"),
        ("Smith", "Smith"),
        ("Bob", "Smithers"),
        ("Ann", "Smith"),
        ("Smila", "Zane"),
        ("Ivy", "Other"),
    ] {
        app.create_patient(&token, &new_patient(given, family));
    }
    // Matches the identifier part and the family part: shown once, first,
    // though by name it would come after the other family names.
    let mut both = new_patient("Zed", "Smiz");
    both.identifiers = vec![mrn("smi")];
    app.create_patient(&token, &both);

    let families = ["Ann Smith", "Smith Smith", "Bob Smithers", "Cy Smits"];
    let givens = ["Smila Zane", "Smitty Adams"];
    let expected = [&["Zed Smiz"][..], &families, &givens].concat();
    for limit in [1, 2, 3, 25] {
        let pages = all_pages(&app, &token, "q=smi", limit);
        assert!(
            pages
                .iter()
                .all(|p| !p.is_empty() && p.len() <= limit as usize),
            "limit {limit}: {pages:?}"
        );
        assert_eq!(pages.concat(), expected, "limit {limit}");
    }
    // The identifier matches as typed; "SMI" finds Zed by family name.
    assert_eq!(
        all_pages(&app, &token, "q=SMI", 2).concat(),
        [&families[..], &["Zed Smiz"], &givens].concat(),
        "identifiers match exactly"
    );
}

#[test]
fn a_two_word_search_lists_given_family_matches_before_family_given_ones() {
    let app = TestApp::spawn();
    let team = app.team("Two Words Org");
    let token = app.token(&team.supervisor);
    for (given, family) in [
        ("Kim", "Lee"),
        ("Lee", "Kim"),
        ("Lee", "Kimball"),
        ("Kimberly", "Leeds"),
        ("Kim", "Kim"),
    ] {
        app.create_patient(&token, &new_patient(given, family));
    }
    assert_eq!(
        all_pages(&app, &token, "q=lee%20kim", 1).concat(),
        ["Lee Kim", "Lee Kimball", "Kim Lee", "Kimberly Leeds"]
    );
    assert_eq!(
        all_pages(&app, &token, "q=kim%20kim", 1).concat(),
        ["Kim Kim"],
        "a patient matching both ways shows once"
    );
}

#[test]
fn the_list_filters_by_status_care_manager_and_risk() {
    let app = TestApp::spawn();
    let team = app.team("Filter Org");
    let sup = app.token(&team.supervisor);
    let cm = app.token(&team.care_manager);
    let mut high = new_patient("Hal", "High");
    high.risk_level = Some(RiskLevel::High);
    high.status = Some(CaseStatus::Active);
    app.create_patient(&cm, &high);
    app.create_patient(&sup, &new_patient("Lou", "Low"));
    assert_eq!(search(&app, &sup, "risk_level=high"), vec!["Hal High"]);
    assert_eq!(search(&app, &sup, "status=active"), vec!["Hal High"]);
    assert_eq!(search(&app, &sup, "status=referred"), vec!["Lou Low"]);
    assert_eq!(
        search(
            &app,
            &sup,
            &format!("care_manager_id={}", team.care_manager.id)
        ),
        vec!["Hal High"]
    );
    assert_eq!(search(&app, &sup, ""), vec!["Hal High", "Lou Low"]);
}

#[test]
fn pages_follow_the_cursor_in_name_order_without_gaps_or_repeats() {
    let app = TestApp::spawn();
    let team = app.team("Pages Org");
    let token = app.token(&team.supervisor);
    let families = ["Baker", "adams", "Clark", "Baker", "Evans", "Diaz", "Baker"];
    for (n, family) in families.iter().enumerate() {
        app.create_patient(&token, &new_patient(&format!("P{n}"), family));
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/patients?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page: Page<Patient> = app.get(&path).token(&token).send().expect(200).json();
        pages += 1;
        seen.extend(
            page.items
                .iter()
                .map(|p| (p.family_name.to_lowercase(), p.given_name.clone())),
        );
        match page.next_cursor {
            Some(c) => path = format!("/api/v1/patients?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let lists = app.audit_of("patient.list");
    assert_eq!(lists.len(), 3);
    assert_eq!(lists[0].details["patient_ids"].as_array().unwrap().len(), 3);
}

#[test]
fn a_tampered_cursor_is_a_422() {
    let app = TestApp::spawn();
    let team = app.team("Cursor Org");
    let res = app
        .get("/api/v1/patients?cursor=garbage")
        .token(&app.token(&team.viewer))
        .send();
    assert_eq!(res.invalid_fields(), vec!["cursor"]);
}

fn patient_path(p: &Patient) -> String {
    format!("/api/v1/patients/{}", p.id)
}

#[test]
fn a_patch_with_the_current_version_changes_only_the_named_fields() {
    let app = TestApp::spawn();
    let team = app.team("Patch Org");
    let token = app.token(&team.care_manager);
    let mut new = new_patient("Fay", "Patch");
    new.preferred_name = Some("Fifi".into());
    new.address = Some(Address {
        city: Some("Salem".into()),
        state: Some("OR".into()),
        ..Default::default()
    });
    let p = app.create_patient(&token, &new);
    let res = app
        .patch(&patient_path(&p))
        .token(&token)
        .header("if-match", "W/\"1\"")
        .json(&json!({"phone": "503-555-0199", "preferred_name": null, "address": {"city": "Portland", "state": "or"}}))
        .send()
        .expect(200);
    assert_eq!(res.header("etag").as_deref(), Some("W/\"2\""));
    let updated: Patient = res.json();
    assert_eq!(updated.phone.as_deref(), Some("503-555-0199"));
    assert_eq!(updated.preferred_name, None);
    assert_eq!(
        updated.address.as_ref().unwrap().city.as_deref(),
        Some("Portland")
    );
    assert_eq!(
        updated.address.as_ref().unwrap().state.as_deref(),
        Some("OR")
    );
    assert_eq!(updated.given_name, "Fay");
    assert_eq!(updated.version, 2);
    let audit = app.audit_of("patient.update");
    assert_eq!(audit.len(), 1);
    let mut changed: Vec<String> =
        serde_json::from_value(audit[0].details["changed"].clone()).unwrap();
    changed.sort();
    assert_eq!(changed, vec!["address", "phone", "preferred_name"]);
}

#[test]
fn a_patch_without_a_version_is_428_and_with_a_stale_one_412() {
    let app = TestApp::spawn();
    let team = app.team("Stale Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Gus", "Stale"));
    app.patch(&patient_path(&p))
        .token(&token)
        .json(&json!({"phone": null}))
        .send()
        .expect(428)
        .problem();
    app.patch(&patient_path(&p))
        .token(&token)
        .json(&json!({"given_name": "Gustav", "version": 1}))
        .send()
        .expect(200);
    let stale = app
        .patch(&patient_path(&p))
        .token(&token)
        .header("if-match", "W/\"1\"")
        .json(&json!({"given_name": "Augustus"}))
        .send()
        .expect(412)
        .problem();
    assert_eq!(stale.problem_type, "/problems/stale-version");
    app.patch(&patient_path(&p))
        .token(&token)
        .header("if-match", "\"not-a-version\"")
        .json(&json!({"given_name": "Augustus"}))
        .send()
        .expect(412);
    let now: Patient = app
        .get(&patient_path(&p))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(now.given_name, "Gustav", "nothing was overwritten");
}

#[test]
fn an_empty_patch_changes_nothing_not_even_the_version() {
    let app = TestApp::spawn();
    let team = app.team("Empty Org");
    let token = app.token(&team.care_manager);
    let p = app.create_patient(&token, &new_patient("Hana", "Empty"));
    let same: Patient = app
        .patch(&patient_path(&p))
        .token(&token)
        .json(&json!({"version": 1}))
        .send()
        .expect(200)
        .json();
    assert_eq!(same.version, 1);
    assert!(app.audit_of("patient.update").is_empty());
    assert_eq!(
        app.audit_of("patient.read").len(),
        1,
        "what it answered was read"
    );
}

#[test]
fn a_patch_replaces_identifiers_and_refuses_one_owned_by_another_patient() {
    let app = TestApp::spawn();
    let team = app.team("Ids Org");
    let token = app.token(&team.care_manager);
    let mut a = new_patient("Ida", "One");
    a.identifiers = vec![mrn("A-1")];
    let a = app.create_patient(&token, &a);
    let mut b = new_patient("Ida", "Two");
    b.identifiers = vec![mrn("B-1")];
    let b = app.create_patient(&token, &b);
    let updated: Patient = app
        .patch(&patient_path(&a))
        .token(&token)
        .json(&json!({"identifiers": [{"system": "urn:test:mrn", "value": "A-2"}], "version": 1}))
        .send()
        .expect(200)
        .json();
    assert_eq!(updated.identifiers, vec![mrn("A-2")]);
    app.patch(&patient_path(&a))
        .token(&token)
        .json(&json!({"identifiers": [{"system": "urn:test:mrn", "value": "B-1"}], "version": 2}))
        .send()
        .expect(409);
    // The old identifier is free again.
    app.patch(&patient_path(&b))
        .token(&token)
        .json(&json!({"identifiers": [{"system": "urn:test:mrn", "value": "A-1"}], "version": 1}))
        .send()
        .expect(200);
}

#[test]
fn changing_the_care_manager_takes_a_supervisor_and_viewers_change_nothing() {
    let app = TestApp::spawn();
    let team = app.team("Reassign Org");
    let p = app.create_patient(
        &app.token(&team.care_manager),
        &new_patient("Jo", "Reassign"),
    );
    let body = json!({"primary_care_manager_id": team.supervisor.id, "version": 1});
    app.patch(&patient_path(&p))
        .token(&app.token(&team.care_manager))
        .json(&body)
        .send()
        .expect(403);
    app.patch(&patient_path(&p))
        .token(&app.token(&team.viewer))
        .json(&json!({"phone": null, "version": 1}))
        .send()
        .expect(403);
    let moved: Patient = app
        .patch(&patient_path(&p))
        .token(&app.token(&team.supervisor))
        .json(&body)
        .send()
        .expect(200)
        .json();
    assert_eq!(moved.primary_care_manager_id, Some(team.supervisor.id));
    let unassigned: Patient = app
        .patch(&patient_path(&p))
        .token(&app.token(&team.supervisor))
        .json(&json!({"primary_care_manager_id": null, "version": 2}))
        .send()
        .expect(200)
        .json();
    assert_eq!(unassigned.primary_care_manager_id, None);
}

#[test]
fn a_retried_create_with_the_same_idempotency_key_replays_the_first_answer() {
    let app = TestApp::spawn();
    let team = app.team("Idem Org");
    let key = app.api_key(&team.admin, &[Scope::PatientsWrite, Scope::PatientsRead]);
    let body = new_patient("Kim", "Retry");
    let first = app
        .post("/api/v1/patients")
        .token(&key)
        .header("idempotency-key", "adt-123")
        .json(&body)
        .send()
        .expect(201);
    let second = app
        .post("/api/v1/patients")
        .token(&key)
        .header("idempotency-key", "adt-123")
        .json(&body)
        .send()
        .expect(201);
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.json::<Value>()["id"], first.json::<Value>()["id"]);
    let page: Page<Patient> = app
        .get("/api/v1/patients?q=retry")
        .token(&key)
        .send()
        .expect(200)
        .json();
    assert_eq!(page.items.len(), 1);
    let mut changed = body.clone();
    changed.given_name = "Kimberly".into();
    let res = app
        .post("/api/v1/patients")
        .token(&key)
        .header("idempotency-key", "adt-123")
        .json(&changed)
        .send();
    assert_eq!(res.invalid_fields(), vec!["Idempotency-Key"]);
    // Without a key, a second request is a second patient.
    app.post("/api/v1/patients")
        .token(&key)
        .json(&body)
        .send()
        .expect(201);
}

#[test]
fn idempotency_keys_belong_to_the_caller_who_sent_them() {
    let app = TestApp::spawn();
    let team = app.team("Idem Two Org");
    let a = app.token(&team.care_manager);
    let b = app.token(&team.supervisor);
    let first: Patient = app
        .post("/api/v1/patients")
        .token(&a)
        .header("idempotency-key", "k1")
        .json(&new_patient("Lu", "A"))
        .send()
        .expect(201)
        .json();
    let second: Patient = app
        .post("/api/v1/patients")
        .token(&b)
        .header("idempotency-key", "k1")
        .json(&new_patient("Lu", "B"))
        .send()
        .expect(201)
        .json();
    assert_ne!(first.id, second.id);
}

#[test]
fn a_patient_reads_back_with_every_identifier_in_order_for_a_person_and_for_a_key() {
    let app = TestApp::spawn();
    let team = app.team("Identifier Order Org");
    let token = app.token(&team.supervisor);
    let mut p = new_patient("Ines", "Manyids");
    let id = |system: &str, value: &str| Identifier {
        system: system.into(),
        value: value.into(),
    };
    p.identifiers = vec![id("urn:z", "1"), id("urn:a", "9"), id("urn:a", "10")];
    let created = app.create_patient(&token, &p);
    let expected = vec![id("urn:a", "10"), id("urn:a", "9"), id("urn:z", "1")];
    let key = app.api_key(&team.admin, &[Scope::PatientsRead]);
    for caller in [token.as_str(), key.as_str()] {
        let read: Patient = app
            .get(&format!("/api/v1/patients/{}", created.id))
            .token(caller)
            .send()
            .expect(200)
            .json();
        assert_eq!(read.identifiers, expected);
        assert_eq!(read.version, created.version);
    }
    // A patient without identifiers is still one patient, read once.
    let bare = app.create_patient(&token, &new_patient("Nia", "Noids"));
    let read: Patient = app
        .get(&format!("/api/v1/patients/{}", bare.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert!(read.identifiers.is_empty());
    assert_eq!(app.audit_of("patient.read").len(), 3);
}
