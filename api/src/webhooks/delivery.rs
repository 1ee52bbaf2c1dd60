//! Sending webhooks: the target checks (no loopback or private addresses,
//! at save time and at every attempt), the HTTP client, one attempt, and
//! the worker loop every `caremgr serve` runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use chrono::Utc;
use rand::Rng;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use shared::webhooks::{
    DeliveryStatus, EventEnvelope, RETRY_CAP, SIGNATURE_HEADER, TargetHost, is_exhausted,
    refused_address, retry_delay, signature_header, target_of,
};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::webhooks::Settings;
use crate::webhooks::store::{self, Attempted, Claimed};

/// How long resolving a target's host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Deliveries one worker pass claims at most.
const BATCH: i64 = 32;

/// The addresses `host` resolves to (`port` on each).
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let found =
        actix_web::rt::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("resolving {host} timed out"))?
            .map_err(|e| format!("{host} does not resolve ({e})"))?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    Ok(addrs)
}

/// Why `ip` may not be a target, unless private targets are allowed.
fn refused(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    if allow_private {
        None
    } else {
        refused_address(ip)
    }
}

/// Checks a subscription's target before it is saved: a 422 on `url` when
/// it names or resolves to an address webhooks may not reach (any of its
/// addresses), or when its host does not resolve.
pub async fn check_target(url: &str, settings: &Settings) -> ApiResult<()> {
    let (host, port) = target_of(url).map_err(|m| ApiError::field("url", m))?;
    if settings.allow_private {
        return Ok(());
    }
    match host {
        TargetHost::Ip(ip) => match refused(ip, false) {
            Some(what) => Err(ApiError::field(
                "url",
                format!("must not be {what} (webhooks only go to public addresses)"),
            )),
            None => Ok(()),
        },
        TargetHost::Name(name) => {
            let addrs = resolve(&name, port)
                .await
                .map_err(|e| ApiError::field("url", format!("cannot be reached: {e}")))?;
            match addrs.iter().find_map(|a| refused(a.ip(), false)) {
                Some(what) => Err(ApiError::field(
                    "url",
                    format!("must not resolve to {what} (webhooks only go to public addresses)"),
                )),
                None => Ok(()),
            }
        }
    }
}

/// The resolver the webhook client connects through: it answers only with
/// addresses webhooks may reach (refusing a name when any of its
/// addresses is not), so the connection goes to the addresses checked.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolve(&host, 0).await?;
            if let Some(what) = addrs.iter().find_map(|a| refused(a.ip(), allow_private)) {
                return Err(format!("refused: {host} resolves to {what}").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Sends webhooks: an HTTP client that follows no redirect, uses no proxy,
/// connects only through [`GuardedResolver`] and gives up after the
/// configured time.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    settings: Settings,
}

impl Sender {
    /// A sender with `settings`.
    pub fn new(settings: Settings) -> Result<Sender, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: settings.allow_private,
            }))
            .user_agent(concat!("caremgr-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(Sender { client, settings })
    }

    /// Its settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// One attempt to deliver `c`.
    async fn attempt(&self, c: &Claimed) -> Attempted {
        let at = Utc::now();
        let started = Instant::now();
        let (status_code, error) = match self.post(c).await {
            Ok(status) if (200..300).contains(&status) => (Some(status), None),
            Ok(status) => (
                Some(status),
                Some(format!("the receiver answered {status}")),
            ),
            Err(e) => (None, Some(e)),
        };
        Attempted {
            at,
            duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
            succeeded: error.is_none(),
            status_code,
            error,
        }
    }

    /// POSTs the signed event; answers the receiver's status.
    async fn post(&self, c: &Claimed) -> Result<i32, String> {
        let (host, _) = target_of(&c.url).map_err(|m| format!("refused: the URL {m}"))?;
        if let TargetHost::Ip(ip) = host
            && let Some(what) = refused(ip, self.settings.allow_private)
        {
            return Err(format!("refused: {ip} is {what}"));
        }
        let body = serde_json::to_vec(&envelope(c)?).map_err(|e| e.to_string())?;
        let signature = signature_header(&c.secret, Utc::now().timestamp(), &body);
        let res = self
            .client
            .post(&c.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header("Webhook-Id", c.event_id.to_string())
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        Ok(i32::from(res.status().as_u16()))
    }

    /// Claims the deliveries due now and attempts them (concurrently);
    /// answers how many were attempted.
    pub async fn run_once(&self, db: &Db) -> ApiResult<usize> {
        let now = Utc::now();
        let until = now
            + chrono::Duration::from_std(self.settings.claim()).unwrap_or(chrono::Duration::MAX);
        let claimed = db
            .tx(move |conn| store::claim_due(conn, now, until, BATCH))
            .await?;
        let n = claimed.len();
        let attempts = claimed.into_iter().map(|c| async move {
            let attempted = self.attempt(&c).await;
            self.record(db, c, attempted).await
        });
        for result in futures_util::future::join_all(attempts).await {
            result?;
        }
        Ok(n)
    }

    /// Logs an attempt and moves its delivery on: delivered, retried after
    /// the backoff, or a dead letter.
    async fn record(&self, db: &Db, c: Claimed, attempted: Attempted) -> ApiResult<()> {
        let number = c.attempts + 1;
        let exhausted = is_exhausted(
            u32::try_from(number).unwrap_or(u32::MAX),
            self.settings.max_attempts,
        );
        let status = if attempted.succeeded {
            DeliveryStatus::Delivered
        } else if exhausted {
            DeliveryStatus::Dead
        } else {
            DeliveryStatus::Pending
        };
        let delay = retry_delay(
            u32::try_from(number).unwrap_or(u32::MAX),
            self.settings.retry_base,
            RETRY_CAP,
            rand::rng().random::<f64>(),
        );
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        if let Some(e) = &attempted.error {
            log::info!(
                "webhook delivery {} attempt {number} failed ({}): {e}",
                c.id,
                status.as_ref()
            );
        }
        db.tx(move |conn| store::record_attempt(conn, &c, number, &attempted, status, next))
            .await
    }
}

/// The payload of claimed delivery `c`: the event, with its clinical
/// detail merged into `data` only when the subscription allows it.
fn envelope(c: &Claimed) -> Result<EventEnvelope, String> {
    let mut data = c.data.clone();
    if c.include_clinical_detail
        && let (Some(serde_json::Value::Object(extra)), serde_json::Value::Object(fields)) =
            (&c.detail, &mut data)
    {
        for (k, v) in extra {
            fields.insert(k.clone(), v.clone());
        }
    }
    Ok(EventEnvelope {
        id: c.event_id,
        event_type: c
            .event_type
            .parse()
            .map_err(|e| format!("stored event type {:?}: {e}", c.event_type))?,
        occurred_at: c.occurred_at,
        organization_id: c.organization_id,
        data,
    })
}

/// A failed request in words: what failed and why, without the URL's query.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = e.source();
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    }
}

/// Runs the delivery worker every `every` until the server stops.
pub async fn worker(db: web::Data<Db>, sender: Sender, every: Duration) {
    let mut tick = actix_web::rt::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sender.run_once(&db).await {
            Ok(0) => {}
            Ok(n) => log::debug!("webhook worker: {n} deliveries attempted"),
            Err(e) => log::warn!("webhook worker pass failed: {e}"),
        }
    }
}
