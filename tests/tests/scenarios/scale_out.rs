//! Two servers on one database work as one: a worklist reads the same from
//! either (and a cursor from one continues on the other), an
//! `Idempotency-Key` holds across both, and scheduler passes never overlap.
//! (Webhook deliveries go out once across servers:
//! `webhooks::two_servers_on_one_database_send_each_delivery_once`.) Each
//! server has its own pool, workers, scheduler and delivery worker, as two
//! `caremgr serve` processes would; they share only Postgres.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz};
use serde_json::Value;
use shared::pagination::Page;
use shared::risk::RiskLevel;
use shared::worklist::WorklistItem;
use tests::TestApp;
use tests::fixtures::new_patient;

use crate::care::{manual_task, now, patient_of};

/// The second server of `first`'s database.
fn twin(first: &TestApp) -> TestApp {
    TestApp::spawn_on(first.db.another_handle(), |_| {})
}

#[test]
fn a_worklist_reads_the_same_on_either_server_and_a_cursor_from_one_continues_on_the_other() {
    let one = TestApp::spawn();
    let two = twin(&one);
    let team = one.team("Twin Worklist Org");
    let cm = &team.care_manager;
    let token = one.token(cm);
    let kinds = ["outreach", "care_plan_review", "chart_review", "custom"];
    for (i, risk) in [RiskLevel::Low, RiskLevel::VeryHigh, RiskLevel::Moderate]
        .into_iter()
        .enumerate()
    {
        let patient = patient_of(&one, &token, cm, &format!("Twin{i}"), risk);
        for (j, kind) in kinds.iter().enumerate() {
            // Half the tasks are made through each server.
            let server = if j % 2 == 0 { &one } else { &two };
            let hours = i64::try_from(3 * j + i).unwrap() - 4;
            manual_task(
                server,
                &token,
                patient.id,
                cm.id,
                kind,
                now() + chrono::Duration::hours(hours),
            );
        }
    }

    let ids = |items: Vec<WorklistItem>| items.into_iter().map(|i| i.task.id).collect::<Vec<_>>();
    let on_one = ids(crate::care::worklist(&one, &token, None));
    let on_two = ids(crate::care::worklist(&two, &token, None));
    assert_eq!(on_one.len(), 12);
    assert_eq!(
        on_one, on_two,
        "both servers rank the same work the same way"
    );

    // Pages of three, each from the other server than the last.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    for page_no in 0.. {
        let server = if page_no % 2 == 0 { &one } else { &two };
        let path = match &cursor {
            Some(c) => format!("/api/v1/worklist?limit=3&cursor={c}"),
            None => "/api/v1/worklist?limit=3".to_string(),
        };
        let page: Page<WorklistItem> = server.get(&path).token(&token).send().expect(200).json();
        walked.extend(page.items.into_iter().map(|i| i.task.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(
        walked, on_one,
        "a walk across both servers sees every task once, in order"
    );
}

#[test]
fn one_idempotency_key_sent_to_both_servers_at_once_creates_one_patient() {
    let one = TestApp::spawn();
    let two = twin(&one);
    let team = one.team("Twin Idempotency Org");
    let token = one.token(&team.care_manager);
    let body = new_patient("Ada", "Twinkey");
    let answers: Vec<(u16, Option<String>, String)> = std::thread::scope(|s| {
        let sends: Vec<_> = (0..8)
            .map(|i| {
                let server = if i % 2 == 0 { &one } else { &two };
                let (token, body) = (&token, &body);
                s.spawn(move || {
                    let res = server
                        .post("/api/v1/patients")
                        .token(token)
                        .header("Idempotency-Key", "intake-form-4411")
                        .json(body)
                        .send();
                    let id = res.json::<Value>()["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    (res.status, res.header("idempotent-replayed"), id)
                })
            })
            .collect();
        sends
            .into_iter()
            .map(|h| h.join().expect("a sender"))
            .collect()
    });
    assert!(
        answers.iter().all(|(status, _, _)| *status == 201),
        "{answers:?}"
    );
    let first: Vec<_> = answers
        .iter()
        .filter(|(_, replayed, _)| replayed.is_none())
        .collect();
    assert_eq!(
        first.len(),
        1,
        "exactly one request did the work: {answers:?}"
    );
    assert!(
        answers.iter().all(|(_, _, id)| *id == first[0].2),
        "every answer names the same patient: {answers:?}"
    );
    let stored: i64 = api::schema::patients::table
        .filter(api::schema::patients::family_name.eq("Twinkey"))
        .count()
        .get_result(&mut one.conn())
        .expect("count");
    assert_eq!(stored, 1);
}

#[derive(QueryableByName, Debug)]
struct Pass {
    #[diesel(sql_type = Timestamptz)]
    started_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    finished_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    runner: String,
}

/// Every scheduler pass logged so far, in order.
fn passes(app: &TestApp) -> Vec<Pass> {
    diesel::sql_query(
        "SELECT started_at, finished_at, runner FROM scheduler_runs ORDER BY started_at",
    )
    .load(&mut app.conn())
    .expect("passes")
}

/// Waits (at most 5 s) until `app`'s servers have logged `n` passes.
fn wait_for_passes(app: &TestApp, n: usize) -> Vec<Pass> {
    for _ in 0..100 {
        let got = passes(app);
        if got.len() >= n {
            return got;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the servers ran fewer than {n} scheduler passes in 5 s");
}

#[test]
fn two_servers_scheduling_every_few_milliseconds_run_one_pass_at_a_time() {
    let every =
        |c: &mut api::config::Config| c.scheduler_interval = Some(Duration::from_millis(20));
    let one = TestApp::spawn_with(every);
    let two = TestApp::spawn_on(one.db.another_handle(), every);
    let team = one.team("Twin Scheduler Org");
    let token = one.token(&team.care_manager);
    for i in 0..5 {
        patient_of(
            &one,
            &token,
            &team.care_manager,
            &format!("Sched{i}"),
            RiskLevel::High,
        );
    }
    wait_for_passes(&one, 5);

    // A third process runs a long pass: for its whole length, neither
    // server may run one (both try every 20 ms).
    let mut holder = one.conn();
    let (held_from, held_until) = (0..200)
        .find_map(|_| {
            let held = holder
                .transaction(|conn| {
                    // `None` while a server's pass holds the lock: try again.
                    let Some(_) = api::scheduler::run_once(conn, now(), "long pass")? else {
                        return Ok::<_, api::error::ApiError>(None);
                    };
                    let from = Utc::now();
                    std::thread::sleep(Duration::from_millis(500));
                    Ok(Some((from, Utc::now())))
                })
                .expect("the long pass");
            if held.is_none() {
                std::thread::sleep(Duration::from_millis(3));
            }
            held
        })
        .expect("the long pass got the lock between the servers' passes");
    let before = passes(&one).len();
    let all = wait_for_passes(&one, before + 5);
    drop(two);

    let during: Vec<&Pass> = all
        .iter()
        .filter(|p| {
            p.runner != "long pass" && p.finished_at > held_from && p.started_at < held_until
        })
        .collect();
    assert!(
        during.is_empty(),
        "passes ran while another held the lock: {during:?}"
    );
    for pair in all.windows(2) {
        assert!(
            pair[1].started_at >= pair[0].finished_at,
            "two passes overlapped: {pair:?}"
        );
    }
}
