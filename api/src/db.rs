//! The connection pool and the two ways handlers reach the database: `run`
//! for one unit of work and `tx` for a transaction. Diesel is synchronous, so
//! both hop onto actix's blocking pool; workers never wait on Postgres.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::web;
use diesel::PgConnection;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::audit;
use crate::auth::{Authorized, Confirm};
use crate::error::{ApiError, ApiResult};

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A pool of Postgres connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Session settings applied to every pooled connection: no query or lock may
/// hold a worker hostage, and times are read in UTC.
#[derive(Debug)]
struct SessionSettings;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "SET statement_timeout = '15s'; SET lock_timeout = '5s'; \
             SET idle_in_transaction_session_timeout = '30s'; \
             SET application_name = 'caremgr'; SET TIME ZONE 'UTC';",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Shared handle on the pool (and on the audit writer reads commit their
/// events through).
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    audit: Arc<OnceLock<Result<audit::writer::Writer, String>>>,
}

impl Db {
    /// A pool of up to `size` connections to `url`. Connections open lazily,
    /// so a server can start (and answer 503) while the database is down.
    pub fn connect(url: &str, size: u32) -> Db {
        let manager = ConnectionManager::<PgConnection>::new(url);
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            // While the database is down a request waits at most this long
            // for a connection, then answers 503 with `Retry-After`; the
            // pool retries in the background every half of it, so service
            // resumes within about a second of the database's return.
            .connection_timeout(Duration::from_secs(1))
            // No `SELECT 1` before every checkout: it doubled the round
            // trips of a simple read. A connection that died since its last
            // use fails its first query instead (a 503, like any closed
            // connection), and diesel then reports it broken (libpq's
            // transaction status turns unknown), so the pool replaces it;
            // `restarts::after_a_postgres_restart_reads_alone_recover_too`.
            .test_on_check_out(false)
            .connection_customizer(Box::new(SessionSettings))
            .build_unchecked(manager);
        Db {
            pool,
            audit: Arc::default(),
        }
    }

    /// The group-commit writer of reads' audit events, started by the first
    /// read that needs it (a command-line tool never does).
    pub fn audit(&self) -> ApiResult<&audit::writer::Writer> {
        self.audit
            .get_or_init(|| {
                audit::writer::Writer::start(self.pool.clone())
                    .map_err(|e| format!("start the audit writer: {e}"))
            })
            .as_ref()
            .map_err(ApiError::internal)
    }

    /// The underlying pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs `f` with a connection, off the async workers.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut PgConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` as the caller `access` names (an
    /// [`Access`](crate::auth::Access)), with a connection, off the async
    /// workers: the caller is confirmed on that connection first (a 401 or
    /// 403 and no work when refused), so a request makes one hop.
    pub async fn run_as<T, F>(&self, access: impl Confirm, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut PgConnection, Authorized) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| {
            let auth = access.confirm(conn)?;
            f(conn, auth)
        })
        .await
    }

    /// Confirms the caller `access` names in a hop of its own, for a route
    /// that does costly work off the database between the check and its
    /// queries (hashing a password), or none at all.
    pub async fn confirm(&self, access: impl Confirm) -> ApiResult<Authorized> {
        self.run(move |conn| access.confirm(conn)).await
    }

    /// Like [`Db::run_as`], with `f` inside one transaction. The caller is
    /// confirmed before it begins: a sign-in found over is ended (and that
    /// commits) although the request is refused.
    pub async fn tx_as<T, F>(&self, access: impl Confirm, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut PgConnection, Authorized) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run_as(access, move |conn, auth| {
            conn.transaction(|conn| f(conn, auth))
        })
        .await
    }

    /// Runs `f` inside one transaction: all of it happens or none of it does
    /// (an audit row included).
    pub async fn tx<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut PgConnection) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| conn.transaction(f)).await
    }
}

/// Applies pending migrations; returns the versions applied.
pub fn migrate(conn: &mut PgConnection) -> Result<Vec<String>, String> {
    conn.run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| e.to_string())
}

/// The role the server serves as (see the `serving_role` migration): it
/// may only append to the audit trail and owns nothing.
pub const SERVING_ROLE: &str = "caremgr_app";

/// The serving role's password: derived from the token secret, so every
/// instance of one deployment agrees on it without another secret to keep.
pub fn serving_role_password(secret: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"caremgr serving-role password v1");
    hex::encode(mac.finalize().into_bytes())
}

/// `owner_url` with the serving role's name and password in place of the
/// owner's.
pub fn serving_role_url(owner_url: &str, secret: &[u8]) -> Result<String, String> {
    let mut url = url::Url::parse(owner_url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    url.set_username(SERVING_ROLE)
        .and_then(|()| url.set_password(Some(&serving_role_password(secret))))
        .map_err(|()| "DATABASE_URL cannot carry a user name".to_string())?;
    Ok(url.to_string())
}

/// Lets the serving role log in with its password. Needs an owner with
/// CREATEROLE (and the role, which the migrations create when they can).
pub fn enable_serving_role(owner: &mut PgConnection, secret: &[u8]) -> Result<(), String> {
    // Hex digits only: safe inside a literal.
    let password = serving_role_password(secret);
    owner
        .batch_execute(&format!(
            "ALTER ROLE {SERVING_ROLE} WITH LOGIN PASSWORD '{password}'"
        ))
        .map_err(|e| e.to_string())
}

/// Opens one connection (for the command-line tools).
pub fn connect_once(url: &str) -> Result<PgConnection, String> {
    PgConnection::establish(url).map_err(|e| format!("cannot connect to the database: {e}"))
}

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
