//! Patient education: what was taught, to the patient or one of their
//! contacts, in which language and how well it was understood — recorded,
//! audited, listed newest first, and shown on the timeline.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use shared::education::{EducationAudience, EducationMethod, EducationRecord, Understanding};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::risk::RiskLevel;
use tests::TestApp;
use tests::fixtures::new_patient;
use uuid::Uuid;

use crate::care::{Scene, now, patient_of, scene};

fn post(app: &TestApp, token: &str, patient: PatientId, body: &Value) -> tests::Res {
    app.post(&format!("/api/v1/patients/{patient}/education"))
        .token(token)
        .json(body)
        .send()
}

fn teaching(title: &str, provided_at: DateTime<Utc>) -> Value {
    json!({
        "topic": "medication", "title": title, "audience": "patient", "method": "teach_back",
        "understanding": "confirmed_teach_back", "provided_at": provided_at
    })
}

fn contact_of(app: &TestApp, token: &str, patient: PatientId) -> Uuid {
    let contact: Value = app
        .post(&format!("/api/v1/patients/{patient}/contacts"))
        .token(token)
        .json(&json!({"name": "Rosa Lopez", "relationship": "sibling"}))
        .send()
        .expect(201)
        .json();
    contact["id"].as_str().unwrap().parse().unwrap()
}

fn list(app: &TestApp, token: &str, patient: PatientId) -> Vec<EducationRecord> {
    let page: Page<EducationRecord> = app
        .get(&format!("/api/v1/patients/{patient}/education?limit=200"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page.items
}

#[test]
fn recording_education_answers_201_with_the_record_in_the_patients_language_and_audits_it() {
    let app = TestApp::spawn();
    let team = app.team("Education Org");
    let token = app.token(&team.care_manager);
    let mut new = new_patient("Lucia", "Reyes");
    new.preferred_language = Some("es".into());
    new.primary_care_manager_id = Some(team.care_manager.id);
    let p = app.create_patient(&token, &new);
    let given = now() - Duration::minutes(30);

    let res = post(
        &app,
        &token,
        p.id,
        &json!({
            "topic": "crisis_safety_plan", "title": "  Your safety plan ", "audience": "patient",
            "method": "teach_back", "materials": "Safety plan card", "interpreter_used": true,
            "understanding": "confirmed_teach_back", "provided_at": given
        }),
    )
    .expect(201);

    assert_eq!(
        res.header("location").as_deref(),
        Some(format!("/api/v1/patients/{}/education", p.id).as_str())
    );
    assert_eq!(res.header("etag").as_deref(), Some("W/\"1\""));
    let r: EducationRecord = res.json();
    assert_eq!(r.patient_id, p.id);
    assert_eq!(r.title, "Your safety plan");
    assert_eq!(r.audience, EducationAudience::Patient);
    assert_eq!(r.method, EducationMethod::TeachBack);
    assert_eq!(r.understanding, Understanding::ConfirmedTeachBack);
    assert_eq!(r.materials.as_deref(), Some("Safety plan card"));
    assert_eq!(r.language, "es", "the patient's preferred language");
    assert!(r.interpreter_used);
    assert_eq!(r.provided_at, given);
    assert_eq!(r.provided_by, Some(team.care_manager.id));
    assert_eq!(r.version, 1);
    assert_eq!(list(&app, &token, p.id), vec![r.clone()]);

    let created = app.audit_of("education.create");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].patient_id, Some(p.id.get()));
    assert_eq!(created[0].actor_id, Some(team.care_manager.id.get()));
    assert_eq!(created[0].resource_id, Some(r.id.to_string()));
    assert_eq!(created[0].details["topic"], "crisis_safety_plan");
    assert_eq!(app.audit_of("education.list").len(), 1);

    let in_english = post(
        &app,
        &token,
        p.id,
        &json!({
            "topic": "nutrition", "title": "Eating on a budget", "audience": "patient",
            "method": "written", "understanding": "not_assessed", "language": "en"
        }),
    )
    .expect(201)
    .json::<EducationRecord>();
    assert_eq!(in_english.language, "en");
    assert!(!in_english.interpreter_used);
    assert!((in_english.provided_at - Utc::now()).num_seconds().abs() < 60);
}

#[test]
fn education_of_a_contact_needs_one_of_this_patients_contacts() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Family Education Org", "Family", RiskLevel::Low);
    let sister = contact_of(&app, &token, p.id);
    let other = patient_of(&app, &token, &team.care_manager, "Other", RiskLevel::Low);
    let someone_elses = contact_of(&app, &token, other.id);
    let to = |contact: Option<Uuid>| {
        let mut body = teaching("Recognizing warning signs", now());
        body["audience"] = json!("contact");
        if let Some(c) = contact {
            body["contact_id"] = json!(c);
        }
        body
    };

    for (body, why) in [
        (to(None), "no contact named"),
        (to(Some(someone_elses)), "another patient's contact"),
        (to(Some(Uuid::new_v4())), "no such contact"),
    ] {
        let res = post(&app, &token, p.id, &body);
        assert_eq!(res.invalid_fields(), vec!["contact_id"], "{why}");
    }
    let mut patient_with_contact = teaching("Warning signs", now());
    patient_with_contact["contact_id"] = json!(sister);
    assert_eq!(
        post(&app, &token, p.id, &patient_with_contact).invalid_fields(),
        vec!["contact_id"],
        "a contact names only a contact audience"
    );
    assert!(list(&app, &token, p.id).is_empty());

    let r: EducationRecord = post(&app, &token, p.id, &to(Some(sister)))
        .expect(201)
        .json();
    assert_eq!(r.audience, EducationAudience::Contact);
    assert_eq!(r.contact_id, Some(sister));
    assert_eq!(
        app.audit_of("education.create")[0].details["contact_id"],
        json!(sister)
    );
}

#[test]
fn another_organizations_patient_is_not_found_and_gets_no_education() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Own Education Org", "Own", RiskLevel::Low);
    post(&app, &token, p.id, &teaching("Ours", now())).expect(201);
    let other = app.team("Other Education Org");
    let stranger = app.token(&other.care_manager);

    app.get(&format!("/api/v1/patients/{}/education", p.id))
        .token(&stranger)
        .send()
        .expect(404);
    post(&app, &stranger, p.id, &teaching("Theirs", now())).expect(404);

    let titles: Vec<String> = list(&app, &token, p.id)
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(titles, vec!["Ours"]);
    assert_eq!(app.audit_of("education.create").len(), 1);
}

#[test]
fn a_patients_education_lists_newest_first_across_pages() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Paged Education Org", "Paged", RiskLevel::Low);
    for (title, days_ago) in [("Middle", 10), ("Oldest", 40), ("Newest", 1)] {
        post(
            &app,
            &token,
            p.id,
            &teaching(title, now() - Duration::days(days_ago)),
        )
        .expect(201);
    }

    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page: Value = app
            .get(&format!(
                "/api/v1/patients/{}/education?limit=2{cursor}",
                p.id
            ))
            .token(&token)
            .send()
            .expect(200)
            .json();
        pages += 1;
        for r in page["items"].as_array().unwrap() {
            seen.push(r["title"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Newest", "Middle", "Oldest"]);
    assert_eq!(pages, 2);
    assert_eq!(app.audit_of("education.list").len(), 2);
}

#[test]
fn education_shows_on_the_patients_timeline_with_what_how_and_how_well_it_was_understood() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Timeline Education Org", "Taught", RiskLevel::Low);
    let given = now() - Duration::hours(2);
    let r: EducationRecord = post(
        &app,
        &token,
        p.id,
        &json!({
            "topic": "medication", "title": "Taking sertraline", "audience": "patient",
            "method": "verbal", "understanding": "needs_reinforcement", "provided_at": given
        }),
    )
    .expect(201)
    .json();

    let page: Value = app
        .get(&format!("/api/v1/patients/{}/timeline?limit=200", p.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    let entry = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "education")
        .unwrap_or_else(|| panic!("no education entry in {page:#}"));
    assert_eq!(entry["id"], json!(r.id));
    assert_eq!(
        entry["summary"],
        "Education: Taking sertraline (verbal, understanding needs reinforcement)"
    );
    let at: DateTime<Utc> = entry["at"].as_str().unwrap().parse().unwrap();
    assert_eq!(at, given);
    assert_eq!(entry["actor_id"], json!(team.care_manager.id));
}

#[test]
fn education_given_in_the_future_or_with_fields_out_of_bounds_is_a_422_and_nothing_is_stored() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Future Education Org", "Future", RiskLevel::Low);

    let later = post(
        &app,
        &token,
        p.id,
        &teaching("Tomorrow's lesson", now() + Duration::hours(2)),
    );
    assert_eq!(later.invalid_fields(), vec!["provided_at"]);

    let mut bad = teaching(&"t".repeat(201), now());
    bad["materials"] = json!("m".repeat(1001));
    bad["language"] = json!("english");
    assert_eq!(
        post(&app, &token, p.id, &bad).invalid_fields(),
        vec!["language", "materials", "title"]
    );
    assert_eq!(
        post(&app, &token, p.id, &teaching("   ", now())).invalid_fields(),
        vec!["title"]
    );
    let mut unknown_topic = teaching("Stars", now());
    unknown_topic["topic"] = json!("astrology");
    assert_eq!(
        post(&app, &token, p.id, &unknown_topic).invalid_fields(),
        vec!["topic"]
    );
    let mut extra = teaching("Extra", now());
    extra["score"] = json!(5);
    assert_eq!(
        post(&app, &token, p.id, &extra).invalid_fields(),
        vec!["score"]
    );

    assert!(list(&app, &token, p.id).is_empty());
    assert!(app.audit_of("education.create").is_empty());
}
