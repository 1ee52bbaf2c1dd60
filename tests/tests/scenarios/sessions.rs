//! How long a sign-in lives: logout and a reused refresh token end its
//! access tokens at once; inactivity and the absolute lifetime end it too,
//! and the refusal says why.

use std::thread::sleep;
use std::time::Duration;

use api::schema::sign_ins;
use diesel::prelude::*;
use serde_json::json;
use shared::auth::{Scope, TokenResponse};
use shared::ids::UserId;
use shared::pagination::Page;
use shared::patients::{Identifier, Patient};
use shared::problem::Problem;
use tests::TestApp;
use tests::fixtures::{Team, new_patient};

fn me(app: &TestApp, access_token: &str) -> tests::Res {
    app.get("/api/v1/auth/me").token(access_token).send()
}

fn refresh(app: &TestApp, refresh_token: &str) -> tests::Res {
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": refresh_token}))
        .send()
}

fn register(app: &TestApp, access_token: &str, given: &str, family: &str) -> tests::Res {
    app.post("/api/v1/patients")
        .token(access_token)
        .json(&new_patient(given, family))
        .send()
}

/// No patient matches `q`, as a supervisor signing in afresh sees it.
fn assert_none_named(app: &TestApp, team: &Team, q: &str) {
    let found: Page<Patient> = app
        .get(&format!("/api/v1/patients?q={q}"))
        .token(&app.login(&team.supervisor).access_token)
        .send()
        .expect(200)
        .json();
    assert!(found.items.is_empty(), "{:?}", found.items);
}

fn ended(res: tests::Res) -> Problem {
    let problem = res.expect(401).problem();
    assert_eq!(problem.problem_type, "/problems/session-ended");
    problem
}

fn log_out(app: &TestApp, tokens: &TokenResponse) {
    app.post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": tokens.refresh_token}))
        .send()
        .expect(204);
}

#[test]
fn logging_out_ends_that_sign_ins_access_tokens_at_once_and_no_other() {
    let app = TestApp::spawn();
    let team = app.team("Logout Now Org");
    let tokens = app.login(&team.care_manager);
    let elsewhere = app.login(&team.care_manager);
    me(&app, &tokens.access_token).expect(200);
    log_out(&app, &tokens);
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("signed out"));
    me(&app, &elsewhere.access_token).expect(200);
}

#[test]
fn a_reused_refresh_token_ends_every_access_token_of_that_sign_in() {
    let app = TestApp::spawn();
    let team = app.team("Reuse Now Org");
    let first = app.login(&team.care_manager);
    let second: TokenResponse = refresh(&app, &first.refresh_token).expect(200).json();
    ended(refresh(&app, &first.refresh_token));
    for access in [&first.access_token, &second.access_token] {
        let why = ended(me(&app, access));
        assert!(why.detail.unwrap().contains("used twice"));
    }
}

#[test]
fn a_sign_in_without_activity_for_the_idle_timeout_ends_and_says_so() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Idle Org");
    let tokens = app.login(&team.care_manager);
    me(&app, &tokens.access_token).expect(200);
    sleep(Duration::from_millis(2300));
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("without activity"));
    let why = ended(refresh(&app, &tokens.refresh_token));
    assert!(why.detail.unwrap().contains("without activity"));
}

#[test]
fn a_change_sent_on_a_sign_in_found_idle_is_refused_undone_and_the_sign_in_stays_ended() {
    // The sign-in is checked on the change's own connection, before its
    // transaction: the ending must commit although the change never runs.
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Idle Write Org");
    let tokens = app.login(&team.supervisor);
    me(&app, &tokens.access_token).expect(200);
    sleep(Duration::from_millis(2300));
    let why = ended(register(&app, &tokens.access_token, "Ida", "Idleworth"));
    assert!(why.detail.unwrap().contains("without activity"));
    // Ended by the refused change itself (the refresh below would end it
    // too, for the same reason, so ask the database first).
    let reasons: Vec<Option<String>> = sign_ins::table
        .filter(sign_ins::user_id.eq(team.supervisor.id.get()))
        .select(sign_ins::end_reason)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(reasons, [Some("idle".to_string())]);
    let why = ended(refresh(&app, &tokens.refresh_token));
    assert!(why.detail.unwrap().contains("without activity"));
    assert_none_named(&app, &team, "idleworth");
}

#[test]
fn a_change_sent_after_signing_out_is_refused_and_not_made() {
    let app = TestApp::spawn();
    let team = app.team("Logout Write Org");
    let tokens = app.login(&team.supervisor);
    log_out(&app, &tokens);
    ended(register(&app, &tokens.access_token, "Otto", "Afterlogout"));
    // Refused before its body's rules are judged: one that breaks them
    // gets the same answer.
    ended(register(&app, &tokens.access_token, "", "Afterlogout"));
    assert_none_named(&app, &team, "afterlogout");
}

#[test]
fn activity_keeps_a_sign_in_alive_past_the_idle_timeout() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Busy Org");
    let tokens = app.login(&team.care_manager);
    for _ in 0..8 {
        sleep(Duration::from_millis(600));
        me(&app, &tokens.access_token).expect(200);
    }
}

#[test]
fn renewing_the_access_token_is_not_activity() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(2));
    let team = app.team("Renew Org");
    let tokens = app.login(&team.care_manager);
    sleep(Duration::from_millis(1200));
    let renewed: TokenResponse = refresh(&app, &tokens.refresh_token).expect(200).json();
    sleep(Duration::from_millis(1200));
    ended(me(&app, &renewed.access_token));
}

#[test]
fn no_activity_keeps_a_sign_in_past_its_absolute_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.session_lifetime = Duration::from_secs(2);
        c.session_idle = Duration::from_secs(60);
    });
    let team = app.team("Lifetime Org");
    let tokens = app.login(&team.care_manager);
    for _ in 0..3 {
        sleep(Duration::from_millis(500));
        me(&app, &tokens.access_token).expect(200);
    }
    sleep(Duration::from_millis(900));
    let why = ended(me(&app, &tokens.access_token));
    assert!(why.detail.unwrap().contains("limit"));
    ended(refresh(&app, &tokens.refresh_token));
    // A new sign-in starts a new lifetime.
    let again = app.login(&team.care_manager);
    me(&app, &again.access_token).expect(200);
}

// A patient read checks the sign-in in the statement that reads the
// patient (`Reading::load`): each way a sign-in ends must still refuse it,
// show nothing, and leave no read in the audit trail.

fn read_patient(app: &TestApp, access_token: &str, id: impl std::fmt::Display) -> tests::Res {
    app.get(&format!("/api/v1/patients/{id}"))
        .token(access_token)
        .send()
}

#[test]
fn a_patient_read_after_signing_out_is_refused_shows_nothing_and_is_not_in_the_trail() {
    let app = TestApp::spawn();
    let team = app.team("Logout Read Org");
    let tokens = app.login(&team.care_manager);
    let patient = app.create_patient(&tokens.access_token, &new_patient("Rhea", "Readafter"));
    read_patient(&app, &tokens.access_token, patient.id).expect(200);
    assert_eq!(app.audit_of("patient.read").len(), 1);
    log_out(&app, &tokens);
    let res = read_patient(&app, &tokens.access_token, patient.id);
    let body = res.text();
    assert!(!body.contains("Readafter"), "{body}");
    let why = ended(res);
    assert!(why.detail.unwrap().contains("signed out"));
    assert_eq!(app.audit_of("patient.read").len(), 1);
}

#[test]
fn a_patient_read_on_a_sign_in_found_idle_ends_it_and_shows_nothing() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(60));
    let team = app.team("Idle Read Org");
    let tokens = app.login(&team.care_manager);
    let patient = app.create_patient(&tokens.access_token, &new_patient("Ivo", "Idleread"));
    diesel::update(sign_ins::table.filter(sign_ins::user_id.eq(team.care_manager.id.get())))
        .set(sign_ins::last_active_at.eq(chrono::Utc::now() - chrono::TimeDelta::minutes(2)))
        .execute(&mut app.conn())
        .unwrap();
    let why = ended(read_patient(&app, &tokens.access_token, patient.id));
    assert!(why.detail.unwrap().contains("without activity"));
    let reasons: Vec<Option<String>> = sign_ins::table
        .filter(sign_ins::user_id.eq(team.care_manager.id.get()))
        .select(sign_ins::end_reason)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(reasons, [Some("idle".to_string())]);
    assert!(app.audit_of("patient.read").is_empty());
}

#[test]
fn a_deactivated_users_token_reads_no_patient() {
    let app = TestApp::spawn();
    let team = app.team("Deactivated Read Org");
    let tokens = app.login(&team.care_manager);
    let patient = app.create_patient(&tokens.access_token, &new_patient("Dara", "Goneaway"));
    app.patch(&format!("/api/v1/users/{}", team.care_manager.id))
        .token(&app.token(&team.admin))
        .header("if-match", "W/\"1\"")
        .json(&json!({"active": false}))
        .send()
        .expect(200);
    ended(read_patient(&app, &tokens.access_token, patient.id));
    assert!(app.audit_of("patient.read").is_empty());
}

#[test]
fn a_patient_that_is_not_there_is_a_404_on_a_live_sign_in_and_a_401_on_an_ended_one() {
    let app = TestApp::spawn();
    let team = app.team("Missing Read Org");
    let tokens = app.login(&team.care_manager);
    let nobody = uuid::Uuid::now_v7();
    read_patient(&app, &tokens.access_token, nobody).expect(404);
    log_out(&app, &tokens);
    ended(read_patient(&app, &tokens.access_token, nobody));
    assert!(app.audit_of("patient.read").is_empty());
}

// A care manager's own worklist: refused once the sign-in ends, even when
// there is nothing on it, and only a read that was answered is audited.

fn own_worklist(app: &TestApp, access_token: &str) -> tests::Res {
    app.get("/api/v1/worklist?limit=10")
        .token(access_token)
        .send()
}

#[test]
fn an_own_worklist_read_after_signing_out_is_refused_shows_nothing_and_is_not_in_the_trail() {
    let app = TestApp::spawn();
    let team = app.team("Logout Worklist Org");
    let tokens = app.login(&team.care_manager);
    let patient = app.create_patient(&tokens.access_token, &new_patient("Wren", "Worklistafter"));
    let me = team.care_manager.id;
    crate::care::manual_task(
        &app,
        &tokens.access_token,
        patient.id,
        me,
        "outreach",
        crate::care::now(),
    );
    let page: Page<serde_json::Value> = own_worklist(&app, &tokens.access_token).expect(200).json();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0]["patient"]["name"], "Worklistafter, Wren");
    assert_eq!(app.audit_of("worklist.read").len(), 1);
    log_out(&app, &tokens);
    let res = own_worklist(&app, &tokens.access_token);
    let body = res.text();
    assert!(!body.contains("Worklistafter"), "{body}");
    let why = ended(res);
    assert!(why.detail.unwrap().contains("signed out"));
    assert_eq!(app.audit_of("worklist.read").len(), 1);
}

#[test]
fn an_empty_own_worklist_is_an_audited_empty_page_on_a_live_sign_in_and_a_401_on_an_ended_one() {
    let app = TestApp::spawn();
    let team = app.team("Empty Worklist Org");
    let tokens = app.login(&team.care_manager);
    let page: Page<serde_json::Value> = own_worklist(&app, &tokens.access_token).expect(200).json();
    assert!(page.items.is_empty());
    assert!(page.next_cursor.is_none());
    let reads = app.audit_of("worklist.read");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_id, Some(team.care_manager.id.get()));
    log_out(&app, &tokens);
    ended(own_worklist(&app, &tokens.access_token));
    assert_eq!(app.audit_of("worklist.read").len(), 1);
}

// Signed-in users' patient reads are gathered into one statement when
// they arrive together (`http::batch`): each caller must still get exactly
// what a read alone would answer them, judged on their own sign-in.

/// A reader of the batch test: who reads which patient, and the answer
/// they must get (a 200 names its actor: a user, or `None` for a key).
struct Reader<'a> {
    name: &'static str,
    token: &'a str,
    patient: String,
    status: u16,
    actor: Option<UserId>,
}

fn reader<'a>(
    name: &'static str,
    token: &'a str,
    patient: impl std::fmt::Display,
    status: u16,
    actor: Option<UserId>,
) -> Reader<'a> {
    Reader {
        name,
        token,
        patient: patient.to_string(),
        status,
        actor,
    }
}

/// Every reader reads `rounds` times, all at once; each answer is checked
/// against the patients as stored. Request ids are `batch-{round}-{n}`.
fn read_all_at_once(app: &TestApp, readers: &[Reader], rounds: usize, stored: &[&Patient]) {
    std::thread::scope(|s| {
        for round in 0..rounds {
            for (n, reader) in readers.iter().enumerate() {
                s.spawn(move || {
                    let res = app
                        .get(&format!("/api/v1/patients/{}", reader.patient))
                        .token(reader.token)
                        .header("x-request-id", &format!("batch-{round}-{n}"))
                        .send()
                        .expect(reader.status);
                    let body = res.text();
                    if reader.status == 200 {
                        let read: Patient = serde_json::from_str(&body).unwrap();
                        let wanted = stored.iter().find(|p| p.id == read.id).unwrap();
                        assert_eq!(
                            &&read, wanted,
                            "{} reads the patient as stored",
                            reader.name
                        );
                    } else {
                        for p in stored {
                            assert!(
                                !body.contains(&p.family_name),
                                "{} sees nothing: {body}",
                                reader.name
                            );
                        }
                    }
                });
            }
        }
    });
}

/// Each answered read left one event naming its reader; no other did.
fn assert_only_answered_reads_audited(app: &TestApp, readers: &[Reader], rounds: usize) {
    let reads = app.audit_of("patient.read");
    for round in 0..rounds {
        for (n, reader) in readers.iter().enumerate() {
            let request = format!("batch-{round}-{n}");
            let events: Vec<_> = reads
                .iter()
                .filter(|e| e.request_id.as_deref() == Some(&request))
                .collect();
            if reader.status != 200 {
                assert!(
                    events.is_empty(),
                    "{}'s refused read leaves no event: {events:?}",
                    reader.name
                );
                continue;
            }
            assert_eq!(events.len(), 1, "{}'s read is audited once", reader.name);
            assert_eq!(
                events[0].resource_id.as_deref(),
                Some(reader.patient.as_str())
            );
            match reader.actor {
                Some(actor) => assert_eq!(events[0].actor_id, Some(actor.get()), "{}", reader.name),
                None => assert_eq!(events[0].actor_type, "api_key"),
            }
        }
    }
    let answered = readers.iter().filter(|r| r.status == 200).count();
    assert_eq!(reads.len(), rounds * answered);
}

#[test]
fn reads_arriving_together_each_get_their_own_answer_and_only_answered_ones_are_audited() {
    let app = TestApp::spawn_with(|c| c.session_idle = Duration::from_secs(60));
    let (a, b) = (app.team("Batch Read A"), app.team("Batch Read B"));
    let cm_a = app.token(&a.care_manager);
    let viewer_a = app.token(&a.viewer);
    let cm_b = app.token(&b.care_manager);
    let key_a = app.api_key(&a.admin, &[Scope::PatientsRead]);
    let signed_out = app.login(&a.supervisor);
    log_out(&app, &signed_out);
    let idle = app.token(&b.supervisor);
    diesel::update(sign_ins::table.filter(sign_ins::user_id.eq(b.supervisor.id.get())))
        .set(sign_ins::last_active_at.eq(chrono::Utc::now() - chrono::TimeDelta::minutes(2)))
        .execute(&mut app.conn())
        .unwrap();
    let mut with_ids = new_patient("Nia", "Twoids");
    with_ids.identifiers = ["urn:test:z", "urn:test:a"]
        .into_iter()
        .map(|system| Identifier {
            system: system.into(),
            value: format!("{system}-1"),
        })
        .collect();
    let pa = app.create_patient(&cm_a, &with_ids);
    let pb = app.create_patient(&cm_b, &new_patient("Omar", "Otherorg"));
    let readers = [
        reader("a care manager", &cm_a, pa.id, 200, Some(a.care_manager.id)),
        reader("a viewer", &viewer_a, pa.id, 200, Some(a.viewer.id)),
        reader(
            "another organization's user",
            &cm_b,
            pb.id,
            200,
            Some(b.care_manager.id),
        ),
        reader("a key", &key_a, pa.id, 200, None),
        reader(
            "a reader of another organization's patient",
            &cm_b,
            pa.id,
            404,
            None,
        ),
        reader(
            "a reader of no patient",
            &cm_a,
            uuid::Uuid::now_v7(),
            404,
            None,
        ),
        reader(
            "a signed-out user",
            &signed_out.access_token,
            pa.id,
            401,
            None,
        ),
        reader("a user found idle", &idle, pb.id, 401, None),
    ];
    read_all_at_once(&app, &readers, 6, &[&pa, &pb]);
    assert_only_answered_reads_audited(&app, &readers, 6);
    let reasons: Vec<Option<String>> = sign_ins::table
        .filter(sign_ins::user_id.eq(b.supervisor.id.get()))
        .select(sign_ins::end_reason)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        reasons,
        [Some("idle".to_string())],
        "the sign-in found idle is ended"
    );
}
