//! Postgres restarting under load: requests fail fast with 503 and
//! `Retry-After` while it is down, nothing panics or hangs, service comes
//! back by itself, and no acknowledged write is lost. The test runs its own
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

#[test]
fn a_postgres_restart_under_load_answers_503_then_recovers_and_loses_no_acknowledged_write() {
    let pg = PrivatePostgres::start();
    let app = TestApp::spawn_on(TestDatabase::migrated_on(&pg.server_url()), |_| {});
    let team = app.team("Restart Org");
    let token = app.token(&team.care_manager);
    let stop = AtomicBool::new(false);
    let answers = Mutex::new(Vec::<Answer>::new());
    let (app_ref, token_ref, stop_ref, answers_ref) = (&app, &token, &stop, &answers);
    let back_at = std::thread::scope(|s| {
        for writer in 0..4 {
            s.spawn(move || {
                for i in 0..400 {
                    if stop_ref.load(Ordering::SeqCst) {
                        break;
                    }
                    let res = app_ref
                        .post("/api/v1/patients")
                        .token(token_ref)
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
    let answers = answers.into_inner().expect("answers");
    let odd: Vec<u16> = answers
        .iter()
        .map(|a| a.status)
        .filter(|s| !matches!(s, 201 | 503))
        .collect();
    assert!(odd.is_empty(), "answers other than 201 or 503: {odd:?}");
    let outage: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(
        !outage.is_empty(),
        "the outage was never seen: the test proves nothing"
    );
    assert!(
        outage.iter().all(|a| a.retry_after.is_some()),
        "every 503 says when to retry"
    );
    let recovered = answers
        .iter()
        .filter(|a| a.at > back_at && a.status == 201)
        .map(|a| a.at - back_at)
        .min()
        .expect("service came back");
    eprintln!(
        "{} answers, {} of them 503; back {recovered:?} after Postgres",
        answers.len(),
        outage.len()
    );
    assert!(
        recovered < Duration::from_secs(5),
        "service came back {recovered:?} after Postgres did"
    );
    assert!(
        answers
            .iter()
            .filter(|a| a.at > back_at + Duration::from_secs(5))
            .all(|a| a.status == 201),
        "once recovered, it stays recovered"
    );
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
