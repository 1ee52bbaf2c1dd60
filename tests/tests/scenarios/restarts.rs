//! Postgres restarting under load: requests fail fast with 503 and
//! `Retry-After` while it is down, nothing panics or hangs, service comes
//! back by itself for writes and reads alike (the pool does not test a
//! connection on every checkout, so reads prove dead ones are replaced),
//! and no acknowledged write is lost. The test runs its own
//! throwaway cluster (the shared one never goes down under other tests);
//! the load is bounded in count and time and goes only to 127.0.0.1.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use tests::fixtures::new_patient;
use tests::private_pg::PrivatePostgres;
use tests::{TestApp, TestDatabase};

/// One answer the load loop got.
struct Answer {
    at: Instant,
    status: u16,
    retry_after: Option<String>,
    id: Option<String>,
}

/// Two readers of one patient and `writers` writers of new ones, while
/// Postgres goes down for 2.5 s and comes back; every answer, and when it
/// came back.
fn load_through_a_restart(
    app: &TestApp,
    token: &str,
    read_path: &str,
    pg: &PrivatePostgres,
    writers: usize,
) -> (Vec<Answer>, Instant) {
    let stop = AtomicBool::new(false);
    let answers = Mutex::new(Vec::<Answer>::new());
    let (stop_ref, answers_ref) = (&stop, &answers);
    let back_at = std::thread::scope(|s| {
        for _reader in 0..2 {
            s.spawn(move || {
                while !stop_ref.load(Ordering::SeqCst) {
                    let res = app.get(read_path).token(token).send();
                    answers_ref.lock().expect("answers").push(Answer {
                        at: Instant::now(),
                        status: res.status,
                        retry_after: res.header("retry-after"),
                        id: None,
                    });
                    std::thread::sleep(Duration::from_millis(25));
                }
            });
        }
        for writer in 0..writers {
            s.spawn(move || {
                for i in 0..400 {
                    if stop_ref.load(Ordering::SeqCst) {
                        break;
                    }
                    let res = app
                        .post("/api/v1/patients")
                        .token(token)
                        .json(&new_patient("Load", &format!("Writer{writer}n{i}")))
                        .send();
                    let id = (res.status == 201)
                        .then(|| {
                            res.json::<serde_json::Value>()["id"]
                                .as_str()
                                .map(str::to_owned)
                        })
                        .flatten();
                    answers_ref.lock().expect("answers").push(Answer {
                        at: Instant::now(),
                        status: res.status,
                        retry_after: res.header("retry-after"),
                        id,
                    });
                    std::thread::sleep(Duration::from_millis(25));
                }
            });
        }
        std::thread::sleep(Duration::from_millis(800));
        pg.stop();
        std::thread::sleep(Duration::from_millis(2500));
        pg.resume();
        let back_at = Instant::now();
        std::thread::sleep(Duration::from_secs(6));
        stop_ref.store(true, Ordering::SeqCst);
        back_at
    });
    (answers.into_inner().expect("answers"), back_at)
}

/// Checks `answers` of a load through a restart: only successes and 503s
/// (each with `Retry-After`), an outage that was seen, each of `kinds`
/// (what, success status) back within 5 s of Postgres, and no 503 after.
fn assert_outage_then_recovery(answers: &[Answer], back_at: Instant, kinds: &[(&str, u16)]) {
    let odd: Vec<u16> = answers
        .iter()
        .map(|a| a.status)
        .filter(|s| !matches!(s, 200 | 201 | 503))
        .collect();
    assert!(
        odd.is_empty(),
        "answers other than 200, 201 or 503: {odd:?}"
    );
    let outage: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        !outage.is_empty(),
        "the outage was never seen: the test proves nothing"
    );
    assert!(
        outage.iter().all(|a| a.retry_after.is_some()),
        "every 503 says when to retry"
    );
    for &(what, ok) in kinds {
        let recovered = answers
            .iter()
            .filter(|a| a.at > back_at && a.status == ok)
            .map(|a| a.at - back_at)
            .min()
            .unwrap_or_else(|| panic!("{what} never came back"));
        eprintln!(
            "{} answers, {} of them 503; {what} back {recovered:?} after Postgres",
            answers.len(),
            outage.len()
        );
        assert!(
            recovered < Duration::from_secs(5),
            "{what} came back {recovered:?} after Postgres did"
        );
    }
    assert!(
        answers
            .iter()
            .filter(|a| a.at > back_at + Duration::from_secs(5))
            .all(|a| a.status != 503),
        "once recovered, it stays recovered"
    );
}

#[test]
fn a_postgres_restart_under_load_answers_503_then_recovers_and_loses_no_acknowledged_write() {
    let pg = PrivatePostgres::start();
    let app = TestApp::spawn_on(TestDatabase::migrated_on(&pg.server_url()), |_| {});
    let team = app.team("Restart Org");
    let token = app.token(&team.care_manager);
    let known = app.create_patient(&token, &new_patient("Read", "Throughout"));
    let read_path = format!("/api/v1/patients/{}", known.id);
    let (answers, back_at) = load_through_a_restart(&app, &token, &read_path, &pg, 4);
    assert_outage_then_recovery(&answers, back_at, &[("writes", 201), ("reads", 200)]);
    let acknowledged: Vec<uuid::Uuid> = answers
        .iter()
        .filter_map(|a| a.id.as_deref())
        .map(|id| id.parse().expect("a uuid"))
        .collect();
    let stored: i64 = api::schema::patients::table
        .filter(api::schema::patients::id.eq_any(&acknowledged))
        .count()
        .get_result(&mut app.conn())
        .expect("count");
    assert_eq!(usize::try_from(stored).unwrap(), acknowledged.len());
}

/// Reads alone do not break a connection in diesel's eyes (only a failed
/// transaction does), so with no writes and no background work (scheduler,
/// webhook worker) to flush them out, a pool that kept its dead connections
/// would answer 503 for good.
#[test]
fn after_a_postgres_restart_reads_alone_recover_too() {
    let pg = PrivatePostgres::start();
    let app = TestApp::spawn_on(TestDatabase::migrated_on(&pg.server_url()), |config| {
        config.scheduler_interval = None;
        config.webhooks.interval = None;
    });
    let team = app.team("Read Restart Org");
    let token = app.token(&team.care_manager);
    let known = app.create_patient(&token, &new_patient("Read", "Only"));
    let read_path = format!("/api/v1/patients/{}", known.id);
    let (answers, back_at) = load_through_a_restart(&app, &token, &read_path, &pg, 0);
    assert_outage_then_recovery(&answers, back_at, &[("reads", 200)]);
}
