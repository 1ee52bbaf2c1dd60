//! Sign-in under attack: concurrent guesses, floods of made-up emails and
//! one noisy address. Each load loop is bounded in count and sends traffic
//! only to the test server on 127.0.0.1.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use tests::TestApp;
use tests::fixtures::PASSWORD;

fn login(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .status
}

/// A server whose per-address limit does not get in the way (every test
/// request comes from 127.0.0.1).
fn unlimited() -> TestApp {
    TestApp::spawn_with(|c| {
        c.login_attempts_per_minute = NonZeroU32::new(10_000).expect("not zero");
    })
}

#[test]
fn fifty_concurrent_wrong_passwords_for_one_account_get_only_five_evaluated() {
    let app = unlimited();
    let team = app.team("Burst Org");
    let (app, email) = (&app, team.viewer.email.as_str());
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let guesses: Vec<_> = (0..50)
            .map(|i| s.spawn(move || login(app, email, &format!("guess-{i}-guess"))))
            .collect();
        guesses
            .into_iter()
            .map(|g| g.join().expect("a guess"))
            .collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 45);
    let evaluated = app
        .audit_of("auth.login_failed")
        .into_iter()
        .filter(|r| r.details["reason"] == "wrong_password")
        .count();
    assert_eq!(evaluated, 5);
}

#[test]
fn one_address_gets_its_quota_of_attempts_a_minute_then_429s_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.login_attempts_per_minute = NonZeroU32::new(4).expect("not zero");
    });
    for i in 0..4 {
        assert_eq!(
            login(&app, &format!("someone-{i}@quota.test"), "whatever-it-is"),
            401
        );
    }
    let refused = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "someone-else@quota.test", "password": "whatever-it-is"}))
        .send()
        .expect(429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[test]
fn a_flood_of_made_up_emails_does_not_keep_people_at_work_from_being_answered() {
    let app = TestApp::spawn_with(|c| {
        c.login_attempts_per_minute = NonZeroU32::new(10_000).expect("not zero");
        c.login_concurrent_hashes = 1;
    });
    let team = app.team("Flood Org");
    let token = app.token(&team.care_manager);
    let flood_over = AtomicBool::new(false);
    let (app_ref, flood_over_ref) = (&app, &flood_over);
    let answered_during_flood = std::thread::scope(|s| {
        let flood = s.spawn(move || {
            let attackers: Vec<_> = (0..4)
                .map(|t| {
                    s.spawn(move || {
                        for i in 0..10 {
                            let status = login(
                                app_ref,
                                &format!("bot-{t}-{i}@flood.test"),
                                "hunter2-hunter2",
                            );
                            assert!(matches!(status, 401 | 503), "{status}");
                        }
                    })
                })
                .collect();
            for a in attackers {
                a.join().expect("an attacker");
            }
            flood_over_ref.store(true, Ordering::SeqCst);
        });
        // Let the flood get going, then work as usual.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut answered = 0;
        for _ in 0..5 {
            app.get("/api/ready").send().expect(200);
            app.get("/api/v1/patients").token(&token).send().expect(200);
            if !flood_over.load(Ordering::SeqCst) {
                answered += 1;
            }
        }
        flood.join().expect("the flood");
        answered
    });
    assert!(
        answered_during_flood > 0,
        "the flood ended before any ordinary request was answered: the test proves nothing"
    );
    // The real user still signs in afterwards: the flood never touched their email.
    assert_eq!(login(&app, &team.care_manager.email, PASSWORD), 200);
    assert_eq!(app.audit_of("auth.login_failed").len(), 40);
}
