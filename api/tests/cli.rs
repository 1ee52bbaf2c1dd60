//! The `caremgr` binary's commands, run as a user would run them.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use tests::TestDatabase;

fn caremgr(db: &TestDatabase) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caremgr"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("caremgr runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn count(db: &TestDatabase, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<N>(&mut db.connect())
        .expect("count")
        .n
}

#[test]
fn migrate_is_idempotent() {
    let db = TestDatabase::new();
    let (ok, out) = run(caremgr(&db).arg("migrate"));
    assert!(ok, "{out}");
    assert!(
        out.contains("0 migration(s) applied"),
        "the template is already migrated: {out}"
    );
}

#[test]
fn seed_demo_loads_both_organizations_once() {
    let db = TestDatabase::new();
    let (ok, out) = run(caremgr(&db).arg("seed-demo"));
    assert!(ok, "{out}");
    assert!(out.contains("demo-password-1"), "{out}");
    assert_eq!(count(&db, "organizations"), 2);
    assert_eq!(count(&db, "patients"), 160);
    assert_eq!(count(&db, "users WHERE email = 'cm3@riverside.example'"), 1);
    assert_eq!(
        count(
            &db,
            "users u WHERE u.role = 'care_manager' AND NOT EXISTS (SELECT 1 FROM tasks t \
             WHERE t.organization_id = u.organization_id AND t.assignee_id = u.id \
             AND t.kind = 'safety_followup' AND t.status = 'open')"
        ),
        0,
        "every care manager's demo worklist opens on its safety band"
    );
    assert!(count(&db, "screenings WHERE instrument = 'phq9'") > 200);
    let (ok, out) = run(caremgr(&db).arg("seed-demo"));
    assert!(ok, "{out}");
    assert!(out.contains("already has data"), "{out}");
    assert_eq!(count(&db, "patients"), 160);
}

#[test]
fn create_user_makes_the_organization_and_a_user_with_an_argon2id_password() {
    let db = TestDatabase::new();
    let mut cmd = caremgr(&db);
    cmd.args([
        "create-user",
        "--org",
        "Harbor Health",
        "--email",
        "Boss@Harbor.example",
        "--role",
        "admin",
        "--password-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-admin-passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash: String = api::schema::users::table
        .filter(api::schema::users::email.eq("boss@harbor.example"))
        .select(api::schema::users::password_hash)
        .first(&mut db.connect())
        .unwrap();
    assert!(api::auth::passwords::verify(
        "a-long-admin-passphrase",
        &hash
    ));
    assert!(hash.starts_with("$argon2id$"));
    assert_eq!(count(&db, "organizations WHERE name = 'Harbor Health'"), 1);
}

#[test]
fn create_user_without_a_password_generates_one_and_shows_it_once() {
    let db = TestDatabase::new();
    let (ok, out) = run(caremgr(&db).args([
        "create-user",
        "--org",
        "Harbor",
        "--email",
        "cm@harbor.example",
        "--role",
        "care_manager",
    ]));
    assert!(ok, "{out}");
    assert!(out.contains("Generated password"), "{out}");
    let (ok, out) = run(caremgr(&db).args([
        "create-user",
        "--org",
        "Harbor",
        "--email",
        "cm@harbor.example",
        "--role",
        "viewer",
    ]));
    assert!(!ok, "a second user with the same email is refused");
    assert!(out.contains("already exists"), "{out}");
}

#[test]
fn serve_refuses_to_start_in_production_without_a_strong_jwt_secret() {
    let db = TestDatabase::new();
    for secret in [
        None,
        Some("short"),
        Some("changeme-changeme-changeme-changeme"),
    ] {
        let mut cmd = caremgr(&db);
        cmd.arg("serve").env("BIND_ADDR", "127.0.0.1:0");
        if let Some(s) = secret {
            cmd.env("JWT_SECRET", s);
        }
        let (ok, out) = run(&mut cmd);
        assert!(!ok, "{secret:?} was accepted");
        assert!(out.contains("JWT_SECRET"), "{out}");
    }
}

#[test]
fn serve_in_development_mode_starts_and_answers_health() {
    let db = TestDatabase::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = caremgr(&db)
        .arg("serve")
        .env("CAREMGR_ENV", "development")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("HTTP_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut healthy = false;
    while Instant::now() < deadline && !healthy {
        healthy = reqwest::blocking::get(format!("http://127.0.0.1:{port}/api/ready"))
            .is_ok_and(|r| r.status().as_u16() == 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
    assert!(healthy, "the server never became ready");
}

#[test]
fn openapi_prints_the_document() {
    let db = TestDatabase::new();
    let (ok, out) = run(caremgr(&db).arg("openapi"));
    assert!(ok);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["info"]["title"], "Care Manager API");
}

#[test]
fn two_scheduler_processes_at_once_open_each_due_task_exactly_once() {
    let db = TestDatabase::new();
    let (ok, out) = run(caremgr(&db).arg("seed-demo"));
    assert!(ok, "{out}");
    let before = count(&db, "tasks WHERE source_type = 'schedule'");
    // A clock 100 days ahead: routine PHQ-9s and care-plan reviews come due.
    let at = (chrono::Utc::now() + chrono::Duration::days(100)).to_rfc3339();
    let spawn = || {
        caremgr(&db)
            .args(["scheduler", "--at", &at])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("caremgr scheduler starts")
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().expect("it finishes");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        assert!(
            text.contains("tasks opened") || text.contains("skipped"),
            "{text}"
        );
    }
    let scheduled = count(&db, "tasks WHERE source_type = 'schedule'");
    assert!(scheduled > before, "the clock made duties due");
    assert_eq!(
        count(
            &db,
            "(SELECT source_id FROM tasks WHERE source_type = 'schedule' \
              GROUP BY source_id HAVING count(*) > 1) dup"
        ),
        0
    );
    let opened = count(
        &db,
        "scheduler_runs, generate_series(1, tasks_opened) \
         WHERE runner LIKE 'caremgr scheduler%'",
    );
    assert_eq!(
        opened,
        scheduled - before,
        "every task the clock made due was opened by exactly one of the two passes"
    );
    // Another pass with the same clock finds nothing new.
    let (ok, out) = run(caremgr(&db).args(["scheduler", "--at", &at]));
    assert!(ok, "{out}");
    assert!(out.contains(": 0 tasks opened"), "{out}");
    assert_eq!(
        count(&db, "tasks WHERE source_type = 'schedule'"),
        scheduled
    );
}
