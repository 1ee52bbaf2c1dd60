//! Webhooks end to end: a receiver the test starts on 127.0.0.1 gets each
//! event from its real trigger, signed with the subscription's secret;
//! a 500 is retried, endless failures become a dead letter an admin can
//! replay; loopback and private targets are refused unless the server
//! allows them; nothing is lost when the server stops before sending, and
//! two servers on one database send each delivery once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use shared::case_status::CaseStatus;
use tests::TestApp;
use tests::fixtures::{Team, new_patient};
use tests::webhook_receiver::{Received, Receiver};
use uuid::Uuid;

const ALL_EVENTS: [&str; 5] = [
    "encounter.discharged",
    "task.overdue",
    "screening.safety_flag",
    "referral.status_changed",
    "risk.increased",
];

/// A server that may reach the test's receiver on 127.0.0.1, with a fast
/// worker and fast retries.
fn fast(c: &mut api::config::Config) {
    c.webhooks.allow_private = true;
    c.webhooks.interval = Some(Duration::from_millis(25));
    c.webhooks.retry_base = Duration::from_millis(20);
}

fn local_app() -> TestApp {
    TestApp::spawn_with(fast)
}

struct Org {
    team: Team,
    admin: String,
    cm: String,
    patient: Uuid,
}

fn org(app: &TestApp, name: &str) -> Org {
    let team = app.team(name);
    let admin = app.token(&team.admin);
    let cm = app.token(&team.care_manager);
    let mut new = new_patient("Maria", "Lopez");
    new.primary_care_manager_id = Some(team.care_manager.id);
    new.status = Some(CaseStatus::Active);
    let patient = app.create_patient(&cm, &new).id.get();
    Org {
        team,
        admin,
        cm,
        patient,
    }
}

/// Subscribes `url` to `events`; answers the created subscription (with its secret).
fn subscribe(app: &TestApp, admin: &str, url: &str, events: &[&str], clinical: bool) -> Value {
    app.post("/api/v1/webhooks")
        .token(admin)
        .json(
            &json!({"url": url, "events": events, "description": "Test receiver",
                      "include_clinical_detail": clinical}),
        )
        .send()
        .json_of(201)
}

/// Records a discharge from Mercy ED an hour ago.
fn discharge(app: &TestApp, o: &Org) -> Value {
    let now = Utc::now();
    app.post("/api/v1/encounters")
        .token(&o.cm)
        .json(
            &json!({"patient_id": o.patient, "kind": "ed", "facility": "Mercy ED",
                      "admitted_at": now - chrono::Duration::hours(20),
                      "discharged_at": now - chrono::Duration::hours(1),
                      "discharge_disposition": "home"}),
        )
        .send()
        .json_of(201)
}

fn deliveries(app: &TestApp, admin: &str, webhook: &Value, query: &str) -> Vec<Value> {
    let page = app
        .get(&format!(
            "/api/v1/webhooks/{}/deliveries{query}",
            webhook["id"].as_str().expect("id")
        ))
        .token(admin)
        .send()
        .json_of(200);
    page["items"].as_array().expect("items").clone()
}

/// Waits until the only delivery of `webhook` satisfies `done`.
fn delivery_until(
    app: &TestApp,
    admin: &str,
    webhook: &Value,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let items = deliveries(app, admin, webhook, "");
        if let Some(d) = items.first().filter(|d| done(d)) {
            return d.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the delivery never got there: {items:#?}"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn of_type<'a>(got: &'a [Received], t: &str) -> Vec<&'a Received> {
    got.iter().filter(|r| r.event_type() == t).collect()
}

#[test]
fn an_admin_subscribes_a_url_and_sees_its_secret_only_in_the_answer_that_creates_it() {
    let app = local_app();
    let o = org(&app, "Secret Org");
    let receiver = Receiver::start();
    let created = subscribe(&app, &o.admin, &receiver.url, &["task.overdue"], false);
    let secret = created["secret"].as_str().expect("a secret");
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert!(secret.starts_with(created["secret_prefix"].as_str().unwrap()));
    assert_eq!(created["active"], true);
    assert_eq!(created["include_clinical_detail"], false);
    let id = created["id"].as_str().unwrap();
    let listed = app.get("/api/v1/webhooks").token(&o.admin).send();
    assert!(
        !listed.text().contains(secret),
        "a list never shows the secret"
    );
    assert_eq!(listed.json::<Value>()["items"][0]["id"], created["id"]);
    let one = app
        .get(&format!("/api/v1/webhooks/{id}"))
        .token(&o.admin)
        .send()
        .expect(200);
    assert!(!one.text().contains(secret));
    assert_eq!(app.audit_of("webhook.create").len(), 1);
    // Only admins manage webhooks.
    app.get("/api/v1/webhooks").token(&o.cm).send().expect(403);
}

#[test]
fn a_discharge_is_delivered_signed_with_the_secret_and_without_clinical_detail_by_default() {
    let app = local_app();
    let o = org(&app, "Signed Org");
    let receiver = Receiver::start();
    let hook = subscribe(
        &app,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    let secret = hook["secret"].as_str().unwrap();
    let stay = discharge(&app, &o);
    let got = receiver.wait_for(1, Duration::from_secs(10));
    let r = &got[0];
    assert!(r.signed_with(secret), "signature {:?}", r.signature);
    assert!(!r.signed_with("whsec_someone-else"));
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    let event = r.json();
    assert_eq!(event["type"], "encounter.discharged");
    assert_eq!(event["organization_id"], json!(o.team.org.id.get()));
    assert!(event["id"].as_str().unwrap().parse::<Uuid>().is_ok());
    assert!(event["occurred_at"].is_string());
    let data = &event["data"];
    assert_eq!(data["encounter_id"], stay["id"]);
    assert_eq!(data["patient_id"], json!(o.patient));
    assert!(data["discharged_at"].is_string());
    let text = String::from_utf8_lossy(&r.body);
    for clinical in ["Mercy", "facility", "disposition", "home"] {
        assert!(!text.contains(clinical), "{clinical} in {text}");
    }
    let d = delivery_until(&app, &o.admin, &hook, |d| d["status"] == "delivered");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["event_id"], event["id"]);
    assert_eq!(d["log"][0]["status_code"], 204);
    assert_eq!(d["log"][0]["succeeded"], true);
}

#[test]
fn clinical_detail_goes_only_to_a_subscription_that_allows_it() {
    let app = local_app();
    let o = org(&app, "Detail Org");
    let plain = Receiver::start();
    let detailed = Receiver::start();
    subscribe(&app, &o.admin, &plain.url, &["encounter.discharged"], false);
    subscribe(
        &app,
        &o.admin,
        &detailed.url,
        &["encounter.discharged"],
        true,
    );
    discharge(&app, &o);
    let a = plain.wait_for(1, Duration::from_secs(10))[0].json();
    let b = detailed.wait_for(1, Duration::from_secs(10))[0].json();
    assert_eq!(a["id"], b["id"], "one event, two deliveries");
    assert_eq!(a["data"].get("facility"), None);
    assert_eq!(b["data"]["facility"], "Mercy ED");
    assert_eq!(b["data"]["encounter_kind"], "ed");
    assert_eq!(b["data"]["discharge_disposition"], "home");
    assert_eq!(a["data"]["encounter_id"], b["data"]["encounter_id"]);
}

#[test]
fn a_delivery_answered_with_a_500_is_retried_and_then_delivered() {
    let app = local_app();
    let o = org(&app, "Retry Org");
    let receiver = Receiver::start();
    receiver.answer_next(&[500]);
    let hook = subscribe(
        &app,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    discharge(&app, &o);
    let got = receiver.wait_for(2, Duration::from_secs(10));
    assert_eq!(got[0].answered, 500);
    assert_eq!(got[1].answered, 204);
    assert_eq!(got[0].event_id(), got[1].event_id(), "the same event again");
    let secret = hook["secret"].as_str().unwrap();
    assert!(got.iter().all(|r| r.signed_with(secret)));
    let d = delivery_until(&app, &o.admin, &hook, |d| d["status"] == "delivered");
    assert_eq!(d["attempts"], 2);
    let log = d["log"].as_array().unwrap();
    assert_eq!(log[0]["number"], 2);
    assert_eq!(log[0]["succeeded"], true);
    assert_eq!(log[1]["number"], 1);
    assert_eq!(log[1]["status_code"], 500);
    assert_eq!(log[1]["succeeded"], false);
    assert!(log[1]["error"].as_str().unwrap().contains("500"));
    assert!(log[1]["duration_ms"].is_number());
}

#[test]
fn a_delivery_that_keeps_failing_becomes_a_dead_letter_and_an_admin_replays_it() {
    let app = TestApp::spawn_with(|c| {
        fast(c);
        c.webhooks.max_attempts = 3;
    });
    let o = org(&app, "Dead Org");
    let receiver = Receiver::start();
    receiver.answer_always(503);
    let hook = subscribe(
        &app,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    discharge(&app, &o);
    let dead = delivery_until(&app, &o.admin, &hook, |d| d["status"] == "dead");
    assert_eq!(dead["attempts"], 3);
    assert_eq!(dead["next_attempt_at"], Value::Null);
    assert_eq!(dead["last_status_code"], 503);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(receiver.received().len(), 3, "no attempt after the last");
    let letters = deliveries(&app, &o.admin, &hook, "?status=dead");
    assert_eq!(letters.len(), 1);
    assert!(deliveries(&app, &o.admin, &hook, "?status=pending").is_empty());

    // The receiver is fixed; the admin replays the dead letter.
    receiver.answer_always(200);
    let queued = app
        .post(&format!(
            "/api/v1/webhook-deliveries/{}/replay",
            dead["id"].as_str().unwrap()
        ))
        .token(&o.admin)
        .send()
        .json_of(202);
    assert_eq!(queued["status"], "pending");
    let d = delivery_until(&app, &o.admin, &hook, |d| d["status"] == "delivered");
    assert_eq!(d["attempts"], 4);
    assert_eq!(d["log"][0]["number"], 4);
    assert_eq!(d["log"][0]["replayed_by"], json!(o.team.admin.id.get()));
    assert_eq!(d["log"][1]["replayed_by"], Value::Null);
    let got = receiver.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].event_id(), got[0].event_id());
    assert_eq!(app.audit_of("webhook_delivery.replay").len(), 1);
}

#[test]
fn targets_on_loopback_or_private_addresses_are_refused_without_the_flag() {
    let app = TestApp::spawn_with(|c| {
        c.webhooks.interval = Some(Duration::from_millis(25));
    });
    let o = org(&app, "SSRF Org");
    for url in [
        "http://127.0.0.1:9000/hooks",
        "http://localhost:9000/hooks",
        "http://10.0.0.8/hooks",
        "http://192.168.1.20/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[fd12::1]/hooks",
        "http://0.0.0.0/hooks",
        "ftp://203.0.113.10/hooks",
        "https://user:pw@203.0.113.10/hooks",
    ] {
        let res = app
            .post("/api/v1/webhooks")
            .token(&o.admin)
            .json(&json!({"url": url, "events": ["task.overdue"]}))
            .send();
        assert_eq!(res.invalid_fields(), ["url"], "{url}");
    }
    let public = subscribe(
        &app,
        &o.admin,
        "https://203.0.113.10/hooks",
        &["encounter.discharged"],
        false,
    );
    let res = app
        .patch(&format!(
            "/api/v1/webhooks/{}",
            public["id"].as_str().unwrap()
        ))
        .token(&o.admin)
        .header("If-Match", "W/\"1\"")
        .json(&json!({"url": "http://127.0.0.1:9000/hooks"}))
        .send();
    assert_eq!(res.invalid_fields(), ["url"]);

    // A target that became private after it was saved is refused when sending.
    let receiver = Receiver::start();
    let mut conn = app.conn();
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE webhook_subscriptions SET url = $1")
            .bind::<diesel::sql_types::Text, _>(&receiver.url),
        &mut conn,
    )
    .expect("point the subscription at 127.0.0.1");
    discharge(&app, &o);
    let d = delivery_until(&app, &o.admin, &public, |d| d["attempts"] == 1);
    assert_eq!(d["status"], "pending");
    let error = d["log"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("refused") && error.contains("loopback"),
        "{error}"
    );
    assert_eq!(d["log"][0]["status_code"], Value::Null);
    std::thread::sleep(Duration::from_millis(200));
    assert!(receiver.received().is_empty(), "nothing reached 127.0.0.1");
}

#[test]
fn each_event_type_is_produced_by_its_real_trigger() {
    let app = local_app();
    let o = org(&app, "Events Org");
    let receiver = Receiver::start();
    let hook = subscribe(&app, &o.admin, &receiver.url, &ALL_EVENTS, false);
    // A discharge (which also raises the patient's risk).
    discharge(&app, &o);
    // A PHQ-9 with item 9 answered: a safety flag.
    let screening = app
        .post(&format!("/api/v1/patients/{}/screenings", o.patient))
        .token(&o.cm)
        .json(&json!({"instrument": "phq9", "administered_at": Utc::now() - chrono::Duration::minutes(5),
                      "answers": {"1": 1, "2": 2, "3": 1, "4": 2, "5": 0, "6": 1, "7": 1, "8": 0, "9": 2}}))
        .send()
        .json_of(201);
    // A referral sent: draft → sent.
    let provider = app
        .post("/api/v1/providers")
        .token(&o.admin)
        .json(&json!({"name": "Harbor Counseling", "kind": "organization",
                      "services": ["outpatient_therapy"], "network_status": "in_network",
                      "accepting_new_clients": true}))
        .send()
        .json_of(201);
    let provider: Uuid = provider["id"].as_str().unwrap().parse().unwrap();
    let referral = app.sent_referral(&o.cm, o.patient, provider);
    // A task due in an hour, overdue at the scheduler pass two hours on.
    let task = app
        .post("/api/v1/tasks")
        .token(&o.cm)
        .json(
            &json!({"patient_id": o.patient, "kind": "outreach", "title": "Call about housing",
                      "due_at": Utc::now() + chrono::Duration::hours(1)}),
        )
        .send()
        .json_of(201);
    let later = Utc::now() + chrono::Duration::hours(2);
    for _ in 0..2 {
        diesel::Connection::transaction(&mut app.conn(), |conn| {
            api::scheduler::run_once(conn, later, "test")
        })
        .expect("a scheduler pass");
    }

    let deadline = Instant::now() + Duration::from_secs(10);
    let got = loop {
        let got = receiver.received();
        if ALL_EVENTS.iter().all(|t| !of_type(&got, t).is_empty()) || Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(Duration::from_millis(30));
    };
    let secret = hook["secret"].as_str().unwrap();
    assert!(got.iter().all(|r| r.signed_with(secret)));
    let one = |t: &str| -> Value {
        let all = of_type(&got, t);
        assert!(
            !all.is_empty(),
            "no {t} among {:?}",
            got.iter().map(Received::event_type).collect::<Vec<_>>()
        );
        all[0].json()["data"].clone()
    };
    assert_eq!(
        one("screening.safety_flag")["screening_id"],
        screening["id"]
    );
    assert_eq!(one("screening.safety_flag")["patient_id"], json!(o.patient));
    let moved = one("referral.status_changed");
    assert_eq!(moved["referral_id"], json!(referral));
    assert_eq!(moved["from_status"], "draft");
    assert_eq!(moved["status"], "sent");
    assert_eq!(one("risk.increased")["patient_id"], json!(o.patient));
    assert!(
        one("risk.increased").get("level").is_none(),
        "levels are clinical detail"
    );
    let overdue: Vec<Value> = of_type(&got, "task.overdue")
        .iter()
        .map(|r| r.json()["data"].clone())
        .filter(|d| d["task_id"] == task["id"])
        .collect();
    assert_eq!(
        overdue.len(),
        1,
        "a task goes overdue once, however many passes"
    );
    assert_eq!(overdue[0]["kind"], "outreach");
    assert!(overdue[0].get("title").is_none());
    assert_eq!(one("encounter.discharged")["patient_id"], json!(o.patient));
}

#[test]
fn a_deleted_or_switched_off_webhook_gets_nothing_and_another_organizations_is_a_404() {
    let app = local_app();
    let o = org(&app, "Quiet Org");
    let other = org(&app, "Other Org");
    let receiver = Receiver::start();
    let hook = subscribe(
        &app,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    app.get(&path).token(&other.admin).send().expect(404);
    app.delete(&path).token(&other.admin).send().expect(404);
    let off = app
        .patch(&path)
        .token(&o.admin)
        .json(&json!({"active": false, "version": hook["version"]}))
        .send()
        .json_of(200);
    assert_eq!(off["active"], false);
    assert_eq!(off["version"], 2);
    discharge(&app, &o);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        receiver.received().is_empty(),
        "an inactive webhook gets nothing"
    );
    app.delete(&path).token(&o.admin).send().expect(204);
    app.get(&path).token(&o.admin).send().expect(404);
    app.delete(&path).token(&o.admin).send().expect(404);
    let listed: Value = app
        .get("/api/v1/webhooks")
        .token(&o.admin)
        .send()
        .json_of(200);
    assert_eq!(listed["items"], json!([]));
    discharge(&app, &o);
    std::thread::sleep(Duration::from_millis(300));
    assert!(receiver.received().is_empty());
}

#[test]
fn an_event_recorded_while_no_worker_runs_is_delivered_once_a_new_server_starts() {
    let mut first = TestApp::spawn_with(|c| {
        fast(c);
        c.webhooks.interval = None;
    });
    let o = org(&first, "Restart Org");
    let receiver = Receiver::start();
    let hook = subscribe(
        &first,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    discharge(&first, &o);
    std::thread::sleep(Duration::from_millis(300));
    assert!(receiver.received().is_empty(), "no worker ran");
    first.stop();
    let second = TestApp::spawn_on(first.db.another_handle(), fast);
    let got = receiver.wait_for(1, Duration::from_secs(10));
    assert!(got[0].signed_with(hook["secret"].as_str().unwrap()));
    let d = delivery_until(&second, &o.admin, &hook, |d| d["status"] == "delivered");
    assert_eq!(d["attempts"], 1);
}

#[test]
fn a_delivery_failing_when_its_server_stops_is_delivered_by_the_next_one() {
    let mut first = TestApp::spawn_with(|c| {
        fast(c);
        c.webhooks.retry_base = Duration::from_millis(500);
    });
    let o = org(&first, "Failover Org");
    let receiver = Receiver::start();
    receiver.answer_next(&[500]);
    let hook = subscribe(
        &first,
        &o.admin,
        &receiver.url,
        &["encounter.discharged"],
        false,
    );
    discharge(&first, &o);
    receiver.wait_for(1, Duration::from_secs(10));
    // The failed attempt is on record (and its claim released) before the
    // server stops: a server killed mid-attempt leaves a 40-second claim to
    // lapse first, longer than this test waits.
    delivery_until(&first, &o.admin, &hook, |d| d["attempts"] == 1);
    first.stop();
    let second = TestApp::spawn_on(first.db.another_handle(), fast);
    let got = receiver.wait_for(2, Duration::from_secs(10));
    assert_eq!(got[1].answered, 204);
    assert_eq!(got[0].event_id(), got[1].event_id());
    let d = delivery_until(&second, &o.admin, &hook, |d| d["status"] == "delivered");
    assert_eq!(d["attempts"], 2);
}

#[test]
fn two_servers_on_one_database_send_each_delivery_once() {
    let one = TestApp::spawn_with(|c| {
        fast(c);
        c.webhooks.interval = Some(Duration::from_millis(5));
    });
    let two = TestApp::spawn_on(one.db.another_handle(), |c| {
        fast(c);
        c.webhooks.interval = Some(Duration::from_millis(5));
    });
    let o = org(&one, "Twin Org");
    let receiver = Receiver::start();
    subscribe(&one, &o.admin, &receiver.url, &["task.overdue"], false);
    // Twelve tasks go overdue at once: twelve events for two workers.
    let due = Utc::now() + chrono::Duration::minutes(30);
    for i in 0..12 {
        two.post("/api/v1/tasks")
            .token(&o.cm)
            .json(&json!({"patient_id": o.patient, "kind": "outreach",
                          "title": format!("Call {i}"), "due_at": due}))
            .send()
            .expect(201);
    }
    diesel::Connection::transaction(&mut one.conn(), |conn| {
        api::scheduler::run_once(conn, due + chrono::Duration::minutes(1), "test")
    })
    .expect("a scheduler pass");
    let got = receiver.wait_for(12, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    let got = if receiver.received().len() > got.len() {
        receiver.received()
    } else {
        got
    };
    let mut times: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *times.entry(r.event_id()).or_default() += 1;
    }
    assert_eq!(times.len(), 12);
    assert!(times.values().all(|n| *n == 1), "{times:?}");
    drop(two);
}
