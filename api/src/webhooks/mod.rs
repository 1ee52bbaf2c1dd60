//! Webhooks (DESIGN §5): admins subscribe URLs to events; the events are
//! written to an outbox in the very transaction that records what caused
//! them (`service::emit`, called by the workflow rules and the scheduler),
//! fanned out to one delivery per matching subscription, and sent by the
//! delivery worker ([`delivery`]) that runs in every `caremgr serve`.
//!
//! - **Once across processes.** A worker claims due deliveries with `FOR
//!   UPDATE SKIP LOCKED` and holds each for the length of an attempt
//!   (`claimed_until`), so however many processes run, an attempt is made
//!   by one of them; a process that dies mid-attempt lets its claim lapse
//!   and another retries it. Receivers get at-least-once delivery and
//!   deduplicate on the event `id`.
//! - **Signed.** `Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
//!   "<t>.<body>")>` ([`shared::webhooks::signature_header`]). The secret
//!   (`whsec_…`) is shown once, at creation, and stored as issued in
//!   `webhook_subscriptions.secret`: signing needs the secret itself, so it
//!   cannot be hashed; it sits under the same database access control as
//!   the PHI the deliveries carry, and no answer of the API shows it again.
//! - **Retried.** A non-2xx answer, a timeout or a refused address is a
//!   failed attempt; the next waits `WEBHOOK_RETRY_BASE_MS · 3^(n−1)` (±20%
//!   jitter, at most 12 hours); after `WEBHOOK_MAX_ATTEMPTS` (8) failures
//!   the delivery is a dead letter. Every attempt is logged, and an admin
//!   can replay any delivery: one more attempt, at once.
//! - **No SSRF.** Targets must be `http(s)` and neither name nor resolve to
//!   a loopback, private, link-local, unique-local or unspecified address
//!   — checked when a subscription is saved and again at every attempt,
//!   where the connection goes only to the addresses just checked —
//!   unless `WEBHOOK_ALLOW_PRIVATE=1` (local development and tests).
//!   Redirects are not followed and no proxy is used.

pub mod delivery;
pub mod routes;
pub mod service;
pub mod store;

use std::time::Duration;

/// How this process sends webhooks (from the environment; see
/// [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How often the delivery worker looks for due deliveries
    /// (`WEBHOOK_INTERVAL_MS`, default 1000; 0 turns the worker off).
    pub interval: Option<Duration>,
    /// Whether loopback and private targets are allowed
    /// (`WEBHOOK_ALLOW_PRIVATE=1`; local development and tests only).
    pub allow_private: bool,
    /// The wait before the first retry (`WEBHOOK_RETRY_BASE_MS`, default
    /// 60000); each further one is three times longer.
    pub retry_base: Duration,
    /// Attempts before a delivery is a dead letter
    /// (`WEBHOOK_MAX_ATTEMPTS`, default 8).
    pub max_attempts: u32,
    /// How long an attempt may take (`WEBHOOK_TIMEOUT_SECONDS`, default 10).
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            interval: Some(Duration::from_secs(1)),
            allow_private: false,
            retry_base: shared::webhooks::RETRY_BASE,
            max_attempts: shared::webhooks::MAX_ATTEMPTS,
            timeout: Duration::from_secs(10),
        }
    }
}

impl Settings {
    /// How long a worker holds a delivery it is attempting: the attempt's
    /// time limit and a margin.
    pub fn claim(&self) -> Duration {
        self.timeout + Duration::from_secs(30)
    }
}
