//! Huddles: recording one turns its action items into tasks in the same
//! transaction (or records nothing), notes change at the version read,
//! and the proposed agenda lists safety flags, new discharges, overdue
//! work and high-risk patients — in that order, for the caller's team.

use std::fmt::Write;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use shared::huddles::{AgendaItem, AgendaReasonKind, Huddle};
use shared::ids::{PatientId, TaskId, UserId};
use shared::pagination::Page;
use shared::risk::RiskLevel;
use shared::tasks::{TaskContext, TaskKind, TaskSource, TaskStatus};
use tests::TestApp;
use tests::fixtures::TestUser;

use crate::care::{alerts_of, discharge, manual_task, now, patient_of, task, tasks_of, worklist};

fn record(app: &TestApp, token: &str, body: &Value) -> tests::Res {
    app.post("/api/v1/huddles").token(token).json(body).send()
}

/// The whole agenda, read two items a page.
fn agenda(app: &TestApp, token: &str, care_manager: Option<UserId>) -> Vec<AgendaItem> {
    let mut path = "/api/v1/huddles/agenda?limit=2".to_string();
    if let Some(u) = care_manager {
        let _ = write!(path, "&care_manager_id={u}");
    }
    app.walk(token, &path, |i: &AgendaItem| i.patient.id)
}

fn names(items: &[AgendaItem]) -> Vec<String> {
    items.iter().map(|i| i.patient.name.clone()).collect()
}

fn kinds(item: &AgendaItem) -> Vec<AgendaReasonKind> {
    item.reasons.iter().map(|r| r.kind).collect()
}

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(&mut app.conn())
        .expect("count")
        .n
}

/// Today in the test organizations' time zone.
fn org_today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive()
}

fn due(hours: i64) -> DateTime<Utc> {
    now() + Duration::hours(hours)
}

#[test]
fn recording_a_huddle_turns_its_action_items_into_tasks_with_their_assignee_due_time_and_a_link_back()
 {
    let app = TestApp::spawn();
    let team = app.team("Huddle Org");
    let cm = &team.care_manager;
    let sup = app.token(&team.supervisor);
    let cm_token = app.token(cm);
    let maria = patient_of(&app, &cm_token, cm, "Lopez", RiskLevel::High);
    let sam = patient_of(&app, &cm_token, cm, "Okafor", RiskLevel::Moderate);
    // Read the clock once: the assertions compare with the times sent.
    let (in_two_days, tomorrow) = (due(48), due(24));

    let res = record(
        &app,
        &sup,
        &json!({
            "attendee_ids": [team.supervisor.id, cm.id],
            "notes": "Weekly huddle",
            "patients": [
                {"patient_id": maria.id, "notes": "  Discharged Sunday; no follow-up visit yet. "},
                {"patient_id": sam.id}
            ],
            "action_items": [
                {"patient_id": maria.id, "title": "Book the 7-day follow-up visit",
                 "assignee_id": cm.id, "due_at": in_two_days},
                {"patient_id": sam.id, "title": "Call the pharmacy", "due_at": tomorrow,
                 "kind": "outreach"}
            ]
        }),
    )
    .expect(201);
    let huddle: Huddle = res.json();
    assert_eq!(
        res.header("location").unwrap(),
        format!("/api/v1/huddles/{}", huddle.id)
    );
    assert_eq!(res.header("etag").unwrap(), "W/\"1\"");
    assert_eq!(
        huddle.held_on,
        org_today(),
        "today on the organization's calendar"
    );
    let attendees: Vec<UserId> = huddle.attendees.iter().map(|a| a.user_id).collect();
    assert_eq!(attendees, [team.supervisor.id, cm.id]);
    assert_eq!(huddle.patients.len(), 2);
    assert_eq!(huddle.patients[0].patient_id, maria.id);
    assert_eq!(
        huddle.patients[0].notes.as_deref(),
        Some("Discharged Sunday; no follow-up visit yet.")
    );
    assert_eq!(huddle.patients[1].notes, None);
    assert_eq!(huddle.recorded_by, Some(team.supervisor.id));

    let [book, call] = &huddle.action_items[..] else {
        panic!("two action items: {:?}", huddle.action_items)
    };
    // The first is the care manager's; the second, given to nobody, the
    // supervisor's who recorded it.
    let booked = task(&app, &cm_token, book.task_id);
    assert_eq!(booked.assignee_id, Some(cm.id));
    assert_eq!(booked.patient_id, maria.id);
    assert_eq!(booked.title, "Book the 7-day follow-up visit");
    assert_eq!(booked.due_at, in_two_days);
    assert_eq!(booked.kind, TaskKind::Custom);
    assert_eq!(booked.status, TaskStatus::Open);
    assert_eq!(booked.source_type, TaskSource::Huddle);
    assert_eq!(booked.source_id, Some(book.id));
    assert_eq!(booked.created_by, Some(team.supervisor.id));
    assert_eq!(
        booked.context,
        Some(TaskContext::Huddle {
            huddle_id: huddle.id,
            held_on: huddle.held_on
        })
    );
    let called = task(&app, &sup, call.task_id);
    assert_eq!(called.assignee_id, Some(team.supervisor.id));
    assert_eq!(called.kind, TaskKind::Outreach);
    assert_eq!(called.due_at, tomorrow);
    assert_eq!(
        call.assignee_name.as_deref(),
        Some(called_name(&app, &team.supervisor).as_str())
    );

    // The care manager's worklist has it, saying where it came from.
    let mine = worklist(&app, &cm_token, None);
    let item = mine
        .iter()
        .find(|i| i.task.id == book.task_id)
        .expect("on the care manager's worklist");
    assert!(
        item.reason
            .contains(&format!("from the huddle of {}", huddle.held_on)),
        "{}",
        item.reason
    );

    // The huddle reads back the same, with the tasks' status now.
    let read: Huddle = app
        .get(&format!("/api/v1/huddles/{}", huddle.id))
        .token(&cm_token)
        .send()
        .expect(200)
        .json();
    assert_eq!(read, huddle);

    audited_per_patient(&app, &huddle, maria.id, book.task_id);
}

/// One audit event per patient the huddle touched (two), naming the tasks
/// created for `patient`; and the one read.
fn audited_per_patient(app: &TestApp, huddle: &Huddle, patient: PatientId, task: TaskId) {
    let events = app.audit_of("huddle.create");
    assert_eq!(events.len(), 2);
    let event = events
        .iter()
        .find(|e| e.patient_id == Some(patient.get()))
        .expect("an event for the patient");
    assert_eq!(event.resource_id, Some(huddle.id.to_string()));
    assert_eq!(event.details["task_ids"], json!([task]));
    assert_eq!(app.audit_of("huddle.read").len(), 1);
}

fn called_name(app: &TestApp, user: &TestUser) -> String {
    let me: Value = app
        .get("/api/v1/auth/me")
        .token(&app.token(user))
        .send()
        .expect(200)
        .json();
    me["name"].as_str().unwrap().to_owned()
}

#[test]
fn a_bad_action_item_or_attendee_fails_the_whole_huddle_and_creates_nothing() {
    let app = TestApp::spawn();
    let team = app.team("Atomic Org");
    let other = app.team("Elsewhere Org");
    let cm = &team.care_manager;
    let sup = app.token(&team.supervisor);
    let cm_token = app.token(cm);
    let mine = patient_of(&app, &cm_token, cm, "Lopez", RiskLevel::High);
    let theirs = patient_of(
        &app,
        &app.token(&other.care_manager),
        &other.care_manager,
        "Stranger",
        RiskLevel::High,
    );
    let (huddles, tasks, audit) = (
        count(&app, "huddles"),
        count(&app, "tasks"),
        count(&app, "audit_events"),
    );

    let res = record(
        &app,
        &sup,
        &json!({
            "attendee_ids": [team.supervisor.id, other.care_manager.id],
            "patients": [{"patient_id": mine.id}, {"patient_id": theirs.id}],
            "action_items": [
                {"patient_id": mine.id, "title": "Good item", "assignee_id": cm.id, "due_at": due(24)},
                {"patient_id": theirs.id, "title": "Their patient", "due_at": due(24)},
                {"patient_id": mine.id, "title": "Their user",
                 "assignee_id": other.care_manager.id, "due_at": due(24)},
                {"patient_id": mine.id, "title": "A viewer carries no tasks",
                 "assignee_id": team.viewer.id, "due_at": due(24)}
            ]
        }),
    );
    assert_eq!(
        res.invalid_fields(),
        [
            "action_items[1].patient_id",
            "action_items[2].assignee_id",
            "action_items[3].assignee_id",
            "attendee_ids[1]",
            "patients[1].patient_id",
        ]
    );
    // One bad item alone is enough.
    record(
        &app,
        &sup,
        &json!({
            "attendee_ids": [team.supervisor.id],
            "patients": [{"patient_id": mine.id}],
            "action_items": [
                {"patient_id": mine.id, "title": "Good item", "assignee_id": cm.id, "due_at": due(24)},
                {"patient_id": PatientId::default(), "title": "Nobody", "due_at": due(24)}
            ]
        }),
    )
    .expect(422);
    // A care manager gives action items to themselves only, as tasks go.
    record(
        &app,
        &cm_token,
        &json!({
            "attendee_ids": [cm.id],
            "action_items": [
                {"patient_id": mine.id, "title": "Mine", "due_at": due(24)},
                {"patient_id": mine.id, "title": "The supervisor's",
                 "assignee_id": team.supervisor.id, "due_at": due(24)}
            ]
        }),
    )
    .expect(403);
    // A rule's kind of task is not given by hand.
    let res = record(
        &app,
        &sup,
        &json!({
            "attendee_ids": [team.supervisor.id],
            "action_items": [{"patient_id": mine.id, "title": "Safety", "due_at": due(2),
                              "kind": "safety_followup"}]
        }),
    );
    assert_eq!(res.invalid_fields(), ["action_items[0].kind"]);

    assert_eq!(count(&app, "huddles"), huddles);
    assert_eq!(count(&app, "huddle_attendees"), 0);
    assert_eq!(count(&app, "huddle_patients"), 0);
    assert_eq!(count(&app, "huddle_action_items"), 0);
    assert_eq!(count(&app, "tasks"), tasks, "no task was created");
    assert_eq!(count(&app, "audit_events"), audit, "nothing was audited");
    assert!(tasks_of(&app, &cm_token, mine.id).is_empty());
}

#[test]
fn a_huddles_notes_change_at_the_version_read_and_only_for_patients_it_discussed() {
    let app = TestApp::spawn();
    let team = app.team("Notes Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let discussed = patient_of(&app, &token, cm, "Lopez", RiskLevel::High);
    let other = patient_of(&app, &token, cm, "Okafor", RiskLevel::Low);
    let huddle: Huddle = record(
        &app,
        &token,
        &json!({"attendee_ids": [cm.id], "patients": [{"patient_id": discussed.id}]}),
    )
    .expect(201)
    .json();
    let path = format!("/api/v1/huddles/{}", huddle.id);

    app.patch(&path)
        .token(&token)
        .json(&json!({"notes": "Quiet week"}))
        .send()
        .expect(428);
    let res = app
        .patch(&path)
        .token(&token)
        .json(&json!({"version": 1, "patient_notes": [{"patient_id": other.id, "notes": "x"}]}))
        .send();
    assert_eq!(res.invalid_fields(), ["patient_notes[0].patient_id"]);
    let changed: Huddle = app
        .patch(&path)
        .token(&token)
        .header("If-Match", "W/\"1\"")
        .json(&json!({"notes": "Quiet week",
                      "patient_notes": [{"patient_id": discussed.id, "notes": " Stable "}]}))
        .send()
        .expect(200)
        .json();
    assert_eq!(changed.version, 2);
    assert_eq!(changed.notes.as_deref(), Some("Quiet week"));
    assert_eq!(changed.patients[0].notes.as_deref(), Some("Stable"));
    app.patch(&path)
        .token(&token)
        .json(&json!({"notes": null, "version": 1}))
        .send()
        .expect(412);
    // A viewer reads huddles but does not change them.
    let viewer = app.token(&team.viewer);
    app.get(&path).token(&viewer).send().expect(200);
    app.patch(&path)
        .token(&viewer)
        .json(&json!({"notes": null, "version": 2}))
        .send()
        .expect(403);
}

#[test]
fn huddles_list_newest_first_a_page_at_a_time() {
    let app = TestApp::spawn();
    let team = app.team("List Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let today = org_today();
    let mut ids = Vec::new();
    for days_ago in [3, 0, 1] {
        let h: Huddle = record(
            &app,
            &token,
            &json!({"attendee_ids": [cm.id], "held_on": today - Duration::days(days_ago)}),
        )
        .expect(201)
        .json();
        ids.push(h.id);
    }
    record(
        &app,
        &token,
        &json!({"attendee_ids": [cm.id], "held_on": today + Duration::days(1)}),
    )
    .expect(422);
    let first: Page<Huddle> = app
        .get("/api/v1/huddles?limit=2")
        .token(&token)
        .send()
        .expect(200)
        .json();
    let second: Page<Huddle> = app
        .get(&format!(
            "/api/v1/huddles?limit=2&cursor={}",
            first.next_cursor.clone().expect("a second page")
        ))
        .token(&token)
        .send()
        .expect(200)
        .json();
    let order: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|h| h.id)
        .collect();
    assert_eq!(order, [ids[1], ids[2], ids[0]]);
    assert_eq!(second.next_cursor, None);
}

#[test]
fn another_organizations_huddles_and_patients_are_invisible() {
    let app = TestApp::spawn();
    let team = app.team("Ours");
    let other = app.team("Theirs");
    let their_cm = &other.care_manager;
    let their_token = app.token(their_cm);
    let theirs = patient_of(&app, &their_token, their_cm, "Hidden", RiskLevel::VeryHigh);
    discharge(&app, &their_token, theirs.id, now() - Duration::hours(3));
    let huddle: Huddle = record(
        &app,
        &their_token,
        &json!({"attendee_ids": [their_cm.id], "patients": [{"patient_id": theirs.id}]}),
    )
    .expect(201)
    .json();

    let sup = app.token(&team.supervisor);
    app.get(&format!("/api/v1/huddles/{}", huddle.id))
        .token(&sup)
        .send()
        .expect(404);
    app.patch(&format!("/api/v1/huddles/{}", huddle.id))
        .token(&sup)
        .json(&json!({"notes": "x", "version": 1}))
        .send()
        .expect(404);
    let list: Page<Huddle> = app
        .get("/api/v1/huddles")
        .token(&sup)
        .send()
        .expect(200)
        .json();
    assert!(list.items.is_empty());
    assert!(agenda(&app, &sup, None).is_empty());
    app.get(&format!(
        "/api/v1/huddles/agenda?care_manager_id={}",
        their_cm.id
    ))
    .token(&sup)
    .send()
    .expect(404);
    // Theirs see it all.
    assert_eq!(agenda(&app, &their_token, None).len(), 1);
}

/// The hand-built agenda of `agenda_*` tests: patients of the care manager
/// with one reason each, one of another care manager, and one of no reason.
struct AgendaScene {
    app: TestApp,
    team: tests::fixtures::Team,
    cm_token: String,
    other_cm: TestUser,
}

fn agenda_scene() -> AgendaScene {
    let app = TestApp::spawn();
    let team = app.team("Agenda Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let other_cm = app.user(&team.org, shared::auth::Role::CareManager);
    let sup = app.token(&team.supervisor);

    // A positive PHQ-9 item 9: a safety alert, unacknowledged.
    let flagged = patient_of(&app, &token, cm, "Flagged", RiskLevel::Low);
    app.post(&format!("/api/v1/patients/{}/screenings", flagged.id))
        .token(&token)
        .json(&json!({"instrument": "phq9", "administered_at": now() - Duration::hours(1),
                      "answers": {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 1}}))
        .send()
        .expect(201);
    // Discharged 10 hours ago: new.
    let home = patient_of(&app, &token, cm, "Home", RiskLevel::Low);
    discharge(&app, &token, home.id, now() - Duration::hours(10));
    // Discharged 4 days ago: no longer new, but its follow-up is overdue.
    let earlier = patient_of(&app, &token, cm, "Earlier", RiskLevel::Low);
    discharge(&app, &token, earlier.id, now() - Duration::hours(96));
    // A task of the care manager's, 5 hours overdue.
    let late = patient_of(&app, &token, cm, "Late", RiskLevel::Low);
    manual_task(
        &app,
        &token,
        late.id,
        cm.id,
        "outreach",
        now() - Duration::hours(5),
    );
    // Very high risk, and nothing else.
    patient_of(&app, &token, cm, "Risky", RiskLevel::VeryHigh);
    // Nothing to discuss.
    let calm = patient_of(&app, &token, cm, "Calm", RiskLevel::Low);
    manual_task(
        &app,
        &token,
        calm.id,
        cm.id,
        "outreach",
        now() + Duration::hours(5),
    );
    // Another care manager's high-risk patient.
    patient_of(&app, &sup, &other_cm, "Colleague", RiskLevel::High);
    AgendaScene {
        app,
        team,
        cm_token: token,
        other_cm,
    }
}

#[test]
fn the_agenda_puts_safety_flags_first_then_new_discharges_then_overdue_work_then_high_risk() {
    let AgendaScene { app, team, .. } = agenda_scene();
    let sup = app.token(&team.supervisor);
    let items = agenda(&app, &sup, None);
    assert_eq!(
        names(&items),
        [
            "Flagged, Pat",
            "Home, Pat",
            "Earlier, Pat",
            "Late, Pat",
            "Risky, Pat",
            "Colleague, Pat"
        ],
        "{items:#?}"
    );
    let top: Vec<AgendaReasonKind> = items.iter().map(|i| i.top_reason).collect();
    assert_eq!(
        top,
        [
            AgendaReasonKind::SafetyFlag,
            AgendaReasonKind::NewDischarge,
            AgendaReasonKind::OverdueWork,
            AgendaReasonKind::OverdueWork,
            AgendaReasonKind::HighRisk,
            AgendaReasonKind::HighRisk,
        ]
    );
    // Why each is there, in words, with the worklist that holds the work.
    let flagged = &items[0];
    assert!(
        flagged.reasons[0].text.starts_with("Open safety alert: "),
        "{:?}",
        flagged.reasons
    );
    assert_eq!(flagged.care_manager_id, Some(team.care_manager.id));
    assert_eq!(
        flagged.worklist_link.as_deref(),
        Some(format!("/api/v1/worklist?user_id={}", team.care_manager.id).as_str())
    );
    assert!(
        items[1].reasons[0]
            .text
            .starts_with("Discharged from Cascade Behavioral Health (inpatient psychiatric)"),
        "{:?}",
        items[1].reasons
    );
    // Four days ago is not new: only its overdue follow-up brings it.
    assert!(!kinds(&items[2]).contains(&AgendaReasonKind::NewDischarge));
    assert_eq!(items[2].reasons[0].kind, AgendaReasonKind::OverdueWork);
    assert!(
        items[2].reasons[0].text.starts_with("Transition follow-up"),
        "{:?}",
        items[2].reasons
    );
    let late = &items[3].reasons[0];
    assert!(late.task_id.is_some());
    assert!(
        late.text
            .starts_with("Outreach \"outreach by hand\" overdue by 5 h"),
        "{}",
        late.text
    );
    assert_eq!(kinds(&items[4]), [AgendaReasonKind::HighRisk]);
    assert_eq!(
        items[4].reasons[0].text,
        "Very high risk (clinical assessment)"
    );

    // Acknowledged, the safety alert leaves; the flagged screening stays.
    let flagged_id = flagged.patient.id;
    for alert in alerts_of(&app, &sup, flagged_id) {
        if alert["kind"] == "safety" {
            app.post(&format!(
                "/api/v1/alerts/{}/acknowledge",
                alert["id"].as_str().unwrap()
            ))
            .token(&sup)
            .send()
            .expect(200);
        }
    }
    let after = agenda(&app, &sup, None);
    assert_eq!(after[0].patient.id, flagged_id);
    assert!(
        after[0].reasons[0].text.contains("PHQ-9")
            && after[0].reasons[0].text.ends_with("flagged suicide risk"),
        "{:?}",
        after[0].reasons
    );
    // The agenda read is audited, listing the patients on it.
    let read = app.audit_of("huddle.agenda");
    assert!(read.len() >= 6, "one per page read");
    assert_eq!(
        read[0].details["patient_ids"].as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn a_care_manager_sees_their_own_caseload_and_naming_another_takes_team_view() {
    let AgendaScene {
        app,
        team,
        cm_token,
        other_cm,
    } = agenda_scene();
    let mine = agenda(&app, &cm_token, None);
    assert_eq!(
        names(&mine),
        [
            "Flagged, Pat",
            "Home, Pat",
            "Earlier, Pat",
            "Late, Pat",
            "Risky, Pat"
        ]
    );
    assert_eq!(
        agenda(&app, &cm_token, Some(team.care_manager.id)).len(),
        5,
        "naming oneself is one's own"
    );
    app.get(&format!(
        "/api/v1/huddles/agenda?care_manager_id={}",
        other_cm.id
    ))
    .token(&cm_token)
    .send()
    .expect(403);
    let sup = app.token(&team.supervisor);
    assert_eq!(
        names(&agenda(&app, &sup, Some(other_cm.id))),
        ["Colleague, Pat"]
    );
    // A key has no caseload of its own.
    let key = app.api_key(&team.admin, &[shared::auth::Scope::TasksRead]);
    app.get("/api/v1/huddles/agenda")
        .token(&key)
        .send()
        .expect(403);
}
