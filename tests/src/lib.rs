//! Support for the HTTP scenario tests: every test gets its own database,
//! cloned from a template that holds the migrated schema (cloning takes
//! milliseconds, migrating would take seconds), and the real server — the
//! same `api::server::build` that `caremgr serve` runs — on a free port.
#![expect(
    clippy::missing_panics_doc,
    reason = "test support: an unmet expectation is a panic, by design"
)]

pub mod fixtures;
pub mod openapi_ops;
pub mod org_scope;
pub mod private_pg;
pub mod webhook_receiver;

use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use shared::pagination::Page;
use shared::problem::Problem;

/// The JWT secret the test servers use (tests forge tokens with it).
pub const JWT_SECRET: &str = "tests-only-k3Y-0123456789-abcdefghijklmnopqrstuv";

/// The Postgres server tests create databases on: `TEST_DATABASE_URL`, else
/// `DATABASE_URL`, else the local server on 127.0.0.1:5432.
pub fn server_url() -> url::Url {
    let raw = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut url = url::Url::parse(&raw).expect("a postgres:// URL");
    url.set_path("");
    url
}

/// The URL of database `name` on the test server.
pub fn database_url(name: &str) -> String {
    let mut url = server_url();
    url.set_path(name);
    url.to_string()
}

fn admin_connection() -> PgConnection {
    PgConnection::establish(&database_url("postgres"))
        .unwrap_or_else(|e| panic!("cannot reach the test Postgres at {}: {e}", server_url()))
}

/// The template's name carries a hash of the migrations, so a changed
/// migration gets a fresh template and stale ones are never reused.
fn template_name() -> String {
    let mut hasher = Sha256::new();
    for m in migration_files() {
        hasher.update(m.as_bytes());
    }
    format!("caremgr_tpl_{}", &hex(&hasher.finalize())[..16])
}

fn migration_files() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut paths: Vec<_> = walk(&dir);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            format!(
                "{}\n{}",
                p.display(),
                std::fs::read_to_string(&p).unwrap_or_default()
            )
        })
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Makes sure the migrated template exists (once per process; across
/// processes an advisory lock serializes the first creation).
fn ensure_template() -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = template_name();
            let mut admin = admin_connection();
            diesel::sql_query("SELECT pg_advisory_lock(727274)")
                .execute(&mut admin)
                .expect("advisory lock");
            let exists = diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
            )
            .bind::<Text, _>(&name)
            .get_result::<Exists>(&mut admin)
            .expect("query pg_database")
            .exists;
            if !exists {
                let building = format!("{name}_building");
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .execute(&mut admin)
                    .expect("drop half-built template");
                diesel::sql_query(format!("CREATE DATABASE {building}"))
                    .execute(&mut admin)
                    .expect("create template");
                {
                    let mut conn = PgConnection::establish(&database_url(&building))
                        .expect("connect to template");
                    api::db::migrate(&mut conn).expect("migrate template");
                }
                // Renamed only when complete, so a crash never leaves a half-migrated template.
                diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(&mut admin)
                    .expect("publish template");
            }
            // Every test server serves as the role production serves as.
            api::db::enable_serving_role(&mut admin, JWT_SECRET.as_bytes())
                .expect("let the serving role log in (the test user needs CREATEROLE)");
            diesel::sql_query("SELECT pg_advisory_unlock(727274)")
                .execute(&mut admin)
                .expect("advisory unlock");
            org_scope::install(|| tenant_tables(&name));
            name
        })
        .clone()
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
}

/// The tables of the migrated schema that have an `organization_id`.
fn tenant_tables(template: &str) -> std::collections::HashSet<String> {
    let mut conn = PgConnection::establish(&database_url(template)).expect("connect to template");
    diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'organization_id'",
    )
    .load::<TableName>(&mut conn)
    .expect("read the tenant tables")
    .into_iter()
    .map(|t| t.table_name)
    .collect()
}

/// A fresh database cloned from the template; dropped on `Drop`.
pub struct TestDatabase {
    /// Its name.
    pub name: String,
    /// The server it lives on (no database in the path).
    server: url::Url,
    /// Whether dropping this handle drops the database (a second handle,
    /// for a second server on it, does not).
    owner: bool,
}

impl TestDatabase {
    /// Clones the template.
    pub fn new() -> TestDatabase {
        let template = ensure_template();
        let name = format!("caremgr_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection();
        // Cloning needs the template to have no other sessions; parallel
        // clones can briefly see each other, so retry a little.
        let mut attempt = 0;
        loop {
            match diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut admin)
            {
                Ok(_) => break,
                Err(e)
                    if attempt < 20 && e.to_string().contains("being accessed by other users") =>
                {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(50 * attempt));
                }
                Err(e) => panic!("cannot clone the template database: {e}"),
            }
        }
        TestDatabase {
            name,
            server: server_url(),
            owner: true,
        }
    }

    /// A database migrated from scratch on another server (a private
    /// cluster a test may stop and start), with the serving role enabled.
    pub fn migrated_on(server: &url::Url) -> TestDatabase {
        let name = format!("caremgr_t_{}", uuid::Uuid::new_v4().simple());
        let mut at = server.clone();
        at.set_path("postgres");
        let mut admin = PgConnection::establish(at.as_str()).expect("reach the private server");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create database");
        let db = TestDatabase {
            name,
            server: server.clone(),
            owner: true,
        };
        let mut conn = db.connect();
        api::db::migrate(&mut conn).expect("migrate");
        api::db::enable_serving_role(&mut conn, JWT_SECRET.as_bytes()).expect("serving role");
        db
    }

    /// A second handle on the same database, for another server on it (as
    /// a second process would be); dropping it leaves the database alone.
    #[must_use]
    pub fn another_handle(&self) -> TestDatabase {
        TestDatabase {
            name: self.name.clone(),
            server: self.server.clone(),
            owner: false,
        }
    }

    /// Its URL (as the owner).
    pub fn url(&self) -> String {
        let mut url = self.server.clone();
        url.set_path(&self.name);
        url.to_string()
    }

    /// A direct connection (for setting up fixtures and checking rows), as
    /// the owner.
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url()).expect("connect to the test database")
    }

    /// A connection as the role the server serves as.
    pub fn connect_as_server(&self) -> PgConnection {
        let url = api::db::serving_role_url(&self.url(), JWT_SECRET.as_bytes())
            .expect("a serving-role URL");
        PgConnection::establish(&url).expect("connect as the serving role")
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        TestDatabase::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        let mut admin_url = self.server.clone();
        admin_url.set_path("postgres");
        if let Ok(mut admin) = PgConnection::establish(admin_url.as_str()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
        let broken = org_scope::take(&self.name);
        assert!(
            broken.is_empty() || std::thread::panicking(),
            "statements join tenant tables without organization_id (see tests/src/org_scope.rs):\n{}",
            broken.join("\n")
        );
    }
}

/// The configuration a test server runs with: the production defaults
/// (read the same way), on `database_url`, a free port, one worker and no
/// SPA.
pub fn test_config(database_url: String) -> api::config::Config {
    let vars = [
        ("DATABASE_URL", database_url.as_str()),
        ("JWT_SECRET", JWT_SECRET),
        ("BIND_ADDR", "127.0.0.1:0"),
        ("DATABASE_POOL_SIZE", "4"),
        ("HTTP_WORKERS", "1"),
    ];
    let mut config = api::config::Config::from_vars(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_string())
    })
    .expect("the test configuration is valid");
    config.app_database_url = Some(
        api::db::serving_role_url(&database_url, JWT_SECRET.as_bytes())
            .expect("a serving-role URL"),
    );
    config.static_dir = None;
    config
}

/// How a property test over the HTTP API runs: `cases` generated cases, no
/// failure file (each case builds its own organization), and shrinking
/// stopped after two minutes. Every case is many requests, and a failing
/// one can be slow to fail, so unbounded shrinking can outlast CI's whole
/// budget; the case it stops on still fails the test, only less shrunk.
pub fn http_proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 120_000,
        ..proptest::test_runner::Config::default()
    }
}

/// A running server on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The database (declared after the server fields so the server stops first).
    server: Option<(ServerHandle, JoinHandle<()>)>,
    client: Client,
    /// The test's own database.
    pub db: TestDatabase,
}

impl TestApp {
    /// A fresh database and a server on a free port.
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {})
    }

    /// Like [`TestApp::spawn`], after adjusting the configuration.
    pub fn spawn_with(adjust: impl FnOnce(&mut api::config::Config)) -> TestApp {
        TestApp::spawn_on(TestDatabase::new(), adjust)
    }

    /// A server on `db`, after adjusting the configuration.
    pub fn spawn_on(db: TestDatabase, adjust: impl FnOnce(&mut api::config::Config)) -> TestApp {
        // `RUST_LOG=error cargo test …` shows the server's logs of a failing
        // scenario; silent otherwise.
        let _ = env_logger::builder().is_test(true).try_init();
        let mut config = test_config(db.url());
        adjust(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = api::server::build(config, listener).expect("build server");
                tx.send(server.handle())
                    .expect("hand over the server handle");
                let _ = server.await;
            });
        });
        let handle = rx.recv().expect("server started");
        TestApp {
            base_url,
            server: Some((handle, thread)),
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
            db,
        }
    }

    /// A request to `path` (relative to the server).
    pub fn request(&self, method: reqwest::Method, path: &str) -> Req {
        Req(self
            .client
            .request(method, format!("{}{path}", self.base_url)))
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Req {
        self.request(reqwest::Method::GET, path)
    }

    /// Every item of the list at `path` (its query included, `limit` among
    /// it), page after page by cursor. An item met twice (`id`) fails the
    /// walk at once: a cursor that does not move on would otherwise walk
    /// until the token expires.
    pub fn walk<T, K>(&self, token: &str, path: &str, id: impl Fn(&T) -> K) -> Vec<T>
    where
        T: DeserializeOwned,
        K: PartialEq + std::fmt::Debug,
    {
        let limit: usize = url::Url::parse(&format!("{}{path}", self.base_url))
            .expect("a list's path")
            .query_pairs()
            .find(|(name, _)| name == "limit")
            .and_then(|(_, value)| value.parse().ok())
            .expect("the walk's page size, limit, in its path");
        let mut items: Vec<T> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let at = match &cursor {
                Some(c) => format!("{path}&cursor={c}"),
                None => path.to_owned(),
            };
            let page: Page<T> = self.get(&at).token(token).send().expect(200).json();
            assert!(page.items.len() <= limit, "a page holds at most its limit");
            for item in page.items {
                let key = id(&item);
                assert!(
                    items.iter().all(|seen| id(seen) != key),
                    "{key:?} again on the page after cursor {cursor:?}, {} items in",
                    items.len()
                );
                items.push(item);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return items,
            }
        }
    }

    /// `POST path`.
    pub fn post(&self, path: &str) -> Req {
        self.request(reqwest::Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: &str) -> Req {
        self.request(reqwest::Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(&self, path: &str) -> Req {
        self.request(reqwest::Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> Req {
        self.request(reqwest::Method::DELETE, path)
    }

    /// A direct database connection.
    pub fn conn(&self) -> PgConnection {
        self.db.connect()
    }

    /// Stops the server, as its process would stop, keeping the database
    /// (requests to it fail from now on).
    pub fn stop(&mut self) {
        if let Some((handle, thread)) = self.server.take() {
            // `stop` sends its command at once; the thread ends when the server has stopped.
            drop(handle.stop(false));
            let _ = thread.join();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A request being built (nothing happens until it is sent).
#[must_use]
pub struct Req(RequestBuilder);

impl Req {
    /// Adds `Authorization: Bearer <token>`.
    pub fn token(self, token: &str) -> Req {
        Req(self.0.bearer_auth(token))
    }

    /// Adds a header.
    pub fn header(self, name: &str, value: &str) -> Req {
        Req(self.0.header(name, value))
    }

    /// A JSON body.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Req {
        Req(self.0.json(body))
    }

    /// A raw body with a content type.
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Req {
        Req(self
            .0
            .header("content-type", content_type)
            .body(body.into()))
    }

    /// Sends it.
    pub fn send(self) -> Res {
        let res = self.0.send().expect("the server answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().expect("a readable body").to_vec();
        Res {
            status,
            headers,
            body,
        }
    }
}

/// A response, fully read.
#[derive(Debug, Clone)]
pub struct Res {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
}

impl Res {
    /// The body as `T` (panics with the body when it is not).
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected JSON ({e}) but got {} {}",
                self.status,
                self.text()
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The body as a problem, after checking the media type says so.
    pub fn problem(&self) -> Problem {
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "status {} body {}",
            self.status,
            self.text()
        );
        let p: Problem = self.json();
        assert_eq!(
            p.status, self.status,
            "problem status matches the HTTP status"
        );
        p
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    #[expect(
        clippy::return_self_not_must_use,
        reason = "called for its assertion alone as often as to go on reading the answer"
    )]
    pub fn expect(self, status: u16) -> Res {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    /// The fields a 422 problem names.
    pub fn invalid_fields(&self) -> Vec<String> {
        assert_eq!(self.status, 422, "body: {}", self.text());
        self.problem()
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }
}

/// Serializes access to something process-wide in tests (environment variables).
pub fn process_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
