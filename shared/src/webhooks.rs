//! Webhooks: an organization subscribes a URL to some of the events below;
//! each event is written to an outbox in the transaction that caused it and
//! delivered as a signed `POST` of [`EventEnvelope`], retried with
//! exponential backoff ([`retry_delay`]) and kept as a dead letter after
//! [`MAX_ATTEMPTS`] failures. An admin sees every attempt and can replay a
//! delivery.
//!
//! The signature ([`signature_header`]) is the `Webhook-Signature` header
//! `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; a
//! receiver recomputes it over the raw body and refuses old timestamps.
//!
//! Payloads carry ids and the facts of the event; clinical detail (facility,
//! screening scores, risk levels …) only when the subscription's
//! `include_clinical_detail` allows it.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::ids::UserId;
use crate::patch::Patch;
use crate::validation::{Context, Normalize, invalid};

code_enum! {
    #[spelled_per_variant]
    /// What happened: the events a subscription can ask for.
    #[derive(PartialOrd, Ord)]
    pub enum EventType {
        /// A patient was discharged from a hospital, ED, crisis or detox
        /// stay (the encounter's discharge time was newly set).
        #[serde(rename = "encounter.discharged")]
        #[strum(serialize = "encounter.discharged")]
        EncounterDischarged,
        /// An open task passed its due time (once per task).
        #[serde(rename = "task.overdue")]
        #[strum(serialize = "task.overdue")]
        TaskOverdue,
        /// A screening raised a suicide-risk flag.
        #[serde(rename = "screening.safety_flag")]
        #[strum(serialize = "screening.safety_flag")]
        ScreeningSafetyFlag,
        /// A referral moved to another status.
        #[serde(rename = "referral.status_changed")]
        #[strum(serialize = "referral.status_changed")]
        ReferralStatusChanged,
        /// A patient's risk level rose.
        #[serde(rename = "risk.increased")]
        #[strum(serialize = "risk.increased")]
        RiskIncreased,
    }
}

impl EventType {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            EventType::EncounterDischarged => "Discharge",
            EventType::TaskOverdue => "Task overdue",
            EventType::ScreeningSafetyFlag => "Screening safety flag",
            EventType::ReferralStatusChanged => "Referral status change",
            EventType::RiskIncreased => "Risk increase",
        }
    }
}

code_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus {
        /// Waiting for its next attempt.
        Pending,
        /// A 2xx answer was received.
        Delivered,
        /// Every attempt failed: kept as a dead letter until an admin
        /// replays it.
        Dead,
    }
}

/// Attempts a delivery gets before it is a dead letter (the first one and
/// seven retries); a replay is one attempt more.
pub const MAX_ATTEMPTS: u32 = 8;

/// The delay before the first retry; each further one is three times the
/// one before (1 min, 3 min, 9 min … about 18 hours over eight attempts).
pub const RETRY_BASE: Duration = Duration::from_secs(60);

/// No retry waits longer than this.
pub const RETRY_CAP: Duration = Duration::from_secs(12 * 3600);

/// The prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Webhook-Signature";

/// How long to wait after failed attempt number `attempt` (1-based) before
/// the next one: `base · 3^(attempt−1)`, at most `cap`, scaled by
/// `jitter` (a number in `[0, 1)`, drawn by the caller) to between 80% and
/// 120% so receivers that failed together are not all retried together.
pub fn retry_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let raw = base.saturating_mul(3u32.saturating_pow(exponent)).min(cap);
    raw.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

/// Whether a delivery that has now failed `attempts` times is a dead letter.
pub fn is_exhausted(attempts: u32, max_attempts: u32) -> bool {
    attempts >= max_attempts
}

/// The `Webhook-Signature` header value for `body` sent at `timestamp`
/// (unix seconds): `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Why an address may not receive webhooks (unless private targets are
/// allowed for local development): loopback, private, link-local, unique
/// local, unspecified, shared (carrier NAT), multicast and broadcast
/// addresses, and IPv6 addresses that embed one of those IPv4 ones. `None`
/// for a public address.
pub fn refused_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_unspecified() || a == 0 {
                Some("an unspecified address")
            } else if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() {
                Some("a private address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if a == 100 && (64..128).contains(&b) {
                Some("a shared (carrier NAT) address")
            } else if v4.is_multicast() || v4.is_broadcast() || a >= 240 {
                Some("a multicast, broadcast or reserved address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refused_address(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [.., hi, lo] = segments;
                let [a, b] = hi.to_be_bytes();
                let [c, d] = lo.to_be_bytes();
                return refused_address(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
            }
            if v6.is_unspecified() {
                Some("an unspecified address")
            } else if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unique_local() {
                Some("a unique local address")
            } else if v6.is_unicast_link_local() {
                Some("a link-local address")
            } else if v6.is_multicast() {
                Some("a multicast address")
            } else {
                None
            }
        }
    }
}

/// A target URL's host, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetHost {
    /// An IP address written in the URL.
    Ip(IpAddr),
    /// A name to resolve.
    Name(String),
}

/// The host and port a webhook URL names, after checking it is an absolute
/// `http` or `https` URL with a host, no user name or password and no
/// fragment; the message says what is wrong otherwise.
pub fn target_of(raw: &str) -> Result<(TargetHost, u16), &'static str> {
    let url = url::Url::parse(raw).map_err(|_| "must be an absolute http or https URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password");
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment (#…)");
    }
    let port = url
        .port_or_known_default()
        .ok_or("must be an http or https URL")?;
    let host = match url.host() {
        Some(url::Host::Ipv4(ip)) => TargetHost::Ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => TargetHost::Ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) if !name.is_empty() => TargetHost::Name(name.to_owned()),
        _ => return Err("must name a host"),
    };
    Ok((host, port))
}

fn url_valid(raw: &str) -> Result<(), ValidationError> {
    target_of(raw).map(|_| ()).map_err(|m| invalid("url", m))
}

fn events_valid(events: &[EventType]) -> Result<(), ValidationError> {
    let mut sorted = events.to_vec();
    sorted.sort();
    sorted.dedup();
    if events.is_empty() {
        Err(invalid("required", "must name at least one event"))
    } else if sorted.len() != events.len() {
        Err(invalid("duplicate", "names an event twice"))
    } else {
        Ok(())
    }
}

/// A webhook subscription, as listed (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Subscription id.
    pub id: Uuid,
    /// Where events are sent (`POST`).
    pub url: String,
    /// The events sent to it.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: Option<String>,
    /// Whether events are sent to it; pending deliveries of an inactive
    /// subscription wait until it is active again.
    pub active: bool,
    /// Whether payloads carry clinical detail (facility, instrument and
    /// score, risk levels, referral service …); otherwise ids and event
    /// facts only.
    pub include_clinical_detail: bool,
    /// The signing secret's first characters, to recognise it (`whsec_3f9a…`).
    pub secret_prefix: String,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Version (for `If-Match`).
    pub version: i32,
}

/// The answer to `POST /api/v1/webhooks`: the only time `secret` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret (`whsec_…`): verify each delivery's
    /// `Webhook-Signature` with it. Store it now; it is not shown again.
    pub secret: String,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "url": "https://ehr.example.org/hooks/care-manager",
    "events": ["encounter.discharged", "screening.safety_flag"],
    "description": "EHR care-coordination inbox"
})))]
pub struct NewWebhook {
    /// An absolute `https` (or `http`) URL, without credentials; its host
    /// must not be (or resolve to) a loopback, private, link-local or
    /// unique-local address.
    #[validate(
        length(max = 2000, message = "must be at most 2000 characters"),
        custom(function = "url_valid")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = r"^https?://")
    )]
    pub url: String,
    /// The events to send: at least one, each once.
    #[validate(custom(function = "events_valid"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub events: Vec<EventType>,
    /// What it is for.
    #[serde(default)]
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: Option<String>,
    /// Whether events are sent (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// Whether payloads carry clinical detail (default false: ids and
    /// event facts only).
    #[serde(default)]
    pub include_clinical_detail: bool,
}

fn yes() -> bool {
    true
}

impl Normalize for NewWebhook {
    fn normalized(self) -> NewWebhook {
        NewWebhook {
            url: self.url.trim().to_owned(),
            description: crate::validation::trimmed(self.description),
            ..self
        }
    }
}

/// `PATCH /api/v1/webhooks/{id}`: the fields to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[validate(context = Context)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPatch {
    /// A new target URL: absolute `https` (or `http`), without credentials;
    /// its host must not be (or resolve to) a loopback, private,
    /// link-local or unique-local address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(
        length(max = 2000, message = "must be at most 2000 characters"),
        custom(function = "url_valid")
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, pattern = r"^https?://")
    )]
    pub url: Option<String>,
    /// The events to send: at least one, each once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "events_valid"))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub events: Option<Vec<EventType>>,
    /// What it is for; `null` clears.
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 500))]
    pub description: Patch<String>,
    /// Turn sending off (`false`) or on again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether payloads carry clinical detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_clinical_detail: Option<bool>,
    /// The version read (or send `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl Normalize for WebhookPatch {
    fn normalized(self) -> WebhookPatch {
        WebhookPatch {
            url: self.url.map(|u| u.trim().to_owned()),
            description: crate::validation::trimmed_patch(self.description),
            ..self
        }
    }
}

/// What a delivery POSTs (as JSON): the event, the same for every
/// subscription it goes to and for every attempt, so `id` lets a receiver
/// ignore a repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventEnvelope {
    /// Event id.
    pub id: Uuid,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The organization it happened in.
    pub organization_id: Uuid,
    /// The event's ids and facts (and clinical detail when the subscription
    /// allows it).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    /// Which attempt it was (1 is the first).
    pub number: i32,
    /// When it started.
    pub at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong (no answer, a refused address, a non-2xx status).
    pub error: Option<String>,
    /// Whether it succeeded (a 2xx answer).
    pub succeeded: bool,
    /// The admin whose replay asked for it, if one did.
    pub replayed_by: Option<UserId>,
}

/// An event's delivery to one subscription, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Delivery id.
    pub id: Uuid,
    /// The subscription.
    pub webhook_id: Uuid,
    /// The event (the `id` of the payload).
    pub event_id: Uuid,
    /// The event's type.
    pub event_type: EventType,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The last attempt's HTTP status, if the receiver answered.
    pub last_status_code: Option<i32>,
    /// What went wrong in the last attempt.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Its attempts, the latest first (at most the 20 latest).
    pub log: Vec<DeliveryAttempt>,
}

/// The latest attempts a delivery lists.
pub const ATTEMPTS_LISTED: i64 = 20;

/// Filters for `GET /api/v1/webhooks/{id}/deliveries` (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeliveryQuery {
    /// Only deliveries with this status (`dead` lists the dead letters).
    #[serde(default)]
    pub status: Option<DeliveryStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn retries_wait_three_times_longer_each_time_up_to_the_cap() {
        let base = Duration::from_secs(60);
        let cap = Duration::from_secs(12 * 3600);
        let mid = 0.5; // no jitter: the factor is exactly 1
        let waits: Vec<u64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay(n, base, cap, mid).as_secs())
            .collect();
        assert_eq!(waits, [60, 180, 540, 1620, 4860, 14_580, 43_200]);
        assert_eq!(retry_delay(40, base, cap, mid), cap);
    }

    #[test]
    fn jitter_spreads_a_retry_between_80_and_120_percent() {
        let base = Duration::from_secs(100);
        let cap = Duration::from_secs(10_000);
        assert_eq!(retry_delay(1, base, cap, 0.0), Duration::from_secs(80));
        assert_eq!(retry_delay(1, base, cap, 0.999_999).as_secs(), 119);
        assert_eq!(retry_delay(1, base, cap, 7.0), Duration::from_secs(120));
    }

    #[test]
    fn a_delivery_is_a_dead_letter_after_its_last_attempt() {
        assert!(!is_exhausted(7, MAX_ATTEMPTS));
        assert!(is_exhausted(8, MAX_ATTEMPTS));
        assert!(is_exhausted(9, MAX_ATTEMPTS));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body() {
        // Reference value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        let header = signature_header("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            header,
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn loopback_private_link_local_and_unique_local_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(refused_address(ip).is_some(), "{refused} was allowed");
        }
        for allowed in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "203.0.113.10",
        ] {
            let ip: IpAddr = allowed.parse().unwrap();
            assert_eq!(refused_address(ip), None, "{allowed}");
        }
        assert_eq!(
            refused_address(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            Some("a loopback address")
        );
        assert_eq!(
            refused_address(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            Some("a loopback address")
        );
    }

    #[test]
    fn only_absolute_http_urls_with_a_host_and_no_credentials_are_targets() {
        assert_eq!(
            target_of("https://ehr.example.org/hooks").unwrap(),
            (TargetHost::Name("ehr.example.org".into()), 443)
        );
        assert_eq!(
            target_of("http://127.0.0.1:8099/x").unwrap(),
            (TargetHost::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)), 8099)
        );
        assert_eq!(
            target_of("http://[::1]/x").unwrap().0,
            TargetHost::Ip(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
        for bad in [
            "ftp://example.org/x",
            "file:///etc/passwd",
            "example.org/x",
            "https://user:pw@example.org/x",
            "https://example.org/x#frag",
            "",
        ] {
            assert!(target_of(bad).is_err(), "{bad}");
        }
    }

    fn new(url: &str, events: Vec<EventType>) -> NewWebhook {
        NewWebhook {
            url: url.into(),
            events,
            description: None,
            active: true,
            include_clinical_detail: false,
        }
    }

    #[test]
    fn a_subscription_needs_a_target_url_and_at_least_one_event_each_once() {
        let ctx = crate::validation::test_context();
        let fields = |w: NewWebhook| -> Vec<String> {
            crate::validation::check(w, &ctx)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let one = vec![EventType::TaskOverdue];
        assert!(fields(new("https://ehr.example.org/h", one.clone())).is_empty());
        assert_eq!(fields(new("ftp://x.org/", one.clone())), ["url"]);
        assert_eq!(fields(new("https://x.org/", vec![])), ["events"]);
        assert_eq!(
            fields(new(
                "https://x.org/",
                vec![EventType::TaskOverdue, EventType::TaskOverdue]
            )),
            ["events"]
        );
    }

    #[test]
    fn clinical_detail_is_off_and_sending_on_unless_asked_otherwise() {
        let w: NewWebhook =
            serde_json::from_str(r#"{"url":"https://x.org/","events":["risk.increased"]}"#)
                .unwrap();
        assert!(w.active);
        assert!(!w.include_clinical_detail);
        assert_eq!(w.events, [EventType::RiskIncreased]);
        assert_eq!(EventType::RiskIncreased.as_ref(), "risk.increased");
    }
}
