//! `Idempotency-Key` on creating POSTs: integrations retry on timeouts, and a
//! retry must not create a second patient (or encounter, or appointment).
//! The first answer is stored in the same transaction as the work; a retry
//! of the same method and path with the same key and body replays it (and
//! is audited like the first answer, since it shows the same record); the
//! same key with another request is refused with a 422. Keys expire after
//! [`Policy::ttl`] (24 hours unless configured).

pub mod store;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Duration;
use diesel::PgConnection;
use futures_util::future::{Ready, ready};
use serde::Serialize;
use serde_json::Value;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::auth::tokens::digest;
use crate::error::{ApiError, ApiResult};
use crate::http::ETagged;

/// Header name.
pub const HEADER: &str = "Idempotency-Key";

/// How long a key is remembered.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// After this, the key may be used again for a new request.
    pub ttl: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            ttl: Duration::hours(24),
        }
    }
}

/// The `Idempotency-Key` header, when sent, with what it is bound to.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Option<String>,
    /// `POST /api/v1/encounters`: the same key on another endpoint is
    /// another request.
    target: String,
    ttl: Duration,
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = match req.headers().get(HEADER) {
            None => Ok(None),
            Some(v) => match v.to_str() {
                Ok(s) if (1..=255).contains(&s.len()) => Ok(Some(s.to_string())),
                _ => Err(ApiError::field(
                    HEADER,
                    "must be 1 to 255 visible ASCII characters",
                )),
            },
        };
        let ttl = req
            .app_data::<web::Data<Policy>>()
            .map_or(Policy::default().ttl, |p| p.ttl);
        let target = format!("{} {}", req.method(), req.path());
        ready(key.map(|key| IdempotencyKey { key, target, ttl }))
    }
}

/// What an answer is about, for the audit row of its replays.
pub trait Subject {
    /// The action a replay is audited as.
    const REPLAYED: AuditAction;
    /// The record's id and the patient it belongs to.
    fn subject(&self) -> (Uuid, PatientId);
}

impl Subject for shared::patients::Patient {
    const REPLAYED: AuditAction = AuditAction::PatientCreateReplayed;
    fn subject(&self) -> (Uuid, PatientId) {
        (self.id.get(), self.id)
    }
}

/// Implements [`Subject`] for records with an `id` and a `patient_id`.
macro_rules! subject {
    ($($ty:ty => $action:ident),* $(,)?) => {$(
        impl Subject for $ty {
            const REPLAYED: AuditAction = AuditAction::$action;
            fn subject(&self) -> (Uuid, PatientId) {
                (self.id.into(), self.patient_id)
            }
        }
    )*};
}

subject!(
    shared::encounters::Encounter => EncounterCreateReplayed,
    shared::appointments::Appointment => AppointmentCreateReplayed,
    shared::tasks::Task => TaskCreateReplayed,
);

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct Stored {
    status: u16,
    body: Value,
    location: Option<String>,
}

impl Stored {
    /// The id of the record the first request created.
    pub fn resource_id(&self) -> Option<uuid::Uuid> {
        self.body.get("id")?.as_str()?.parse().ok()
    }

    /// The replayed answer, marked `Idempotent-Replayed: true`.
    pub fn respond(&self) -> HttpResponse {
        let mut res =
            HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK));
        res.insert_header(("Idempotent-Replayed", "true"));
        if let Some(loc) = &self.location {
            res.insert_header((header::LOCATION, loc.clone()));
        }
        if let Some(v) = self.body.get("version").and_then(Value::as_i64) {
            res.insert_header((header::ETAG, format!("W/\"{v}\"")));
        }
        res.json(&self.body)
    }
}

/// What a creating request did.
#[derive(Debug)]
pub struct Done<T> {
    /// The record.
    pub value: T,
    /// Its address.
    pub location: String,
    /// Whether it was created (201) rather than updated (200) — an
    /// integration's resend of a known `external_id` updates.
    pub created: bool,
}

impl<T> Done<T> {
    /// A record created now, found at `location` (a 201).
    pub fn created(location: String, value: T) -> Done<T> {
        Done {
            value,
            location,
            created: true,
        }
    }

    /// A record that existed and was updated (a resend by `external_id`: a 200).
    pub fn updated(location: String, value: T) -> Done<T> {
        Done {
            value,
            location,
            created: false,
        }
    }
}

impl<T: ETagged> Done<T> {
    /// 201 with `Location`, or 200; both with the `ETag`.
    pub fn respond(&self) -> HttpResponse {
        if self.created {
            let mut res = HttpResponse::Created();
            res.insert_header((header::LOCATION, self.location.clone()));
            self.value.respond(res)
        } else {
            self.value.respond(HttpResponse::Ok())
        }
    }
}

/// Either the work was done now, or it had been done before.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Done now.
    Fresh(Done<T>),
    /// Done by an earlier request with this key.
    Replayed(Stored),
}

impl<T: ETagged> Outcome<T> {
    /// The answer to send.
    pub fn respond(&self) -> HttpResponse {
        match self {
            Outcome::Fresh(done) => done.respond(),
            Outcome::Replayed(stored) => stored.respond(),
        }
    }
}

/// What a retry must repeat: the method and path, and the body.
fn request_hash(target: &str, body: &str) -> Vec<u8> {
    digest(&format!("{target}\n{body}"))
}

/// Runs `create` on `request` at most once per key: call inside a
/// transaction. The request (the parsed body, with the method and path) is
/// what a retry must repeat exactly; a replay is audited as
/// [`Subject::REPLAYED`].
pub fn once<R: Serialize, T: Serialize + Subject>(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: &IdempotencyKey,
    request: R,
    create: impl FnOnce(&mut PgConnection, R) -> ApiResult<Done<T>>,
) -> ApiResult<Outcome<T>> {
    let (Some(name), Some(principal)) = (key.key.as_deref(), auth.principal_id()) else {
        return Ok(Outcome::Fresh(create(conn, request)?));
    };
    let request_hash = request_hash(
        &key.target,
        &serde_json::to_string(&request).map_err(ApiError::internal)?,
    );
    store::lock_key(conn, auth, principal, name)?;
    if let Some(saved) = store::find(conn, auth, principal, name, key.ttl)? {
        if saved.request_hash != request_hash {
            return Err(ApiError::field(
                HEADER,
                "was already used for a different request (another body, method or path)",
            ));
        }
        let mut entry =
            Entry::new(T::REPLAYED).details(serde_json::json!({"status": saved.status_code}));
        if let Some(id) = saved.resource_id {
            entry = entry.on(id);
        }
        if let Some(patient) = saved.patient_id {
            entry = entry.patient(PatientId::from(patient));
        }
        audit::log(conn, auth, entry)?;
        return Ok(Outcome::Replayed(Stored {
            status: u16::try_from(saved.status_code).unwrap_or(200),
            body: saved.body,
            location: saved.location,
        }));
    }
    let done = create(conn, request)?;
    let (resource, patient) = done.value.subject();
    let answer = store::Saved {
        request_hash,
        status_code: if done.created { 201 } else { 200 },
        body: serde_json::to_value(&done.value).map_err(ApiError::internal)?,
        location: done.created.then(|| done.location.clone()),
        resource_id: Some(resource),
        patient_id: Some(patient.get()),
    };
    store::save(conn, auth, principal, name, &answer, key.ttl)?;
    Ok(Outcome::Fresh(done))
}

#[cfg(test)]
mod tests {
    use super::request_hash;

    #[test]
    fn the_same_body_sent_to_another_endpoint_is_another_request() {
        let body = r#"{"patient_id":"0196"}"#;
        let tasks = request_hash("POST /api/v1/tasks", body);
        assert_eq!(tasks, request_hash("POST /api/v1/tasks", body));
        assert_ne!(tasks, request_hash("POST /api/v1/appointments", body));
        assert_ne!(tasks, request_hash("PUT /api/v1/tasks", body));
    }
}
