//! `Idempotency-Key` on creating POSTs: integrations retry on timeouts, and a
//! retry must not create a second patient (or encounter, or appointment).
//! The first answer is stored in the same transaction as the work; a retry
//! with the same key and body replays it; the same key with another body is
//! refused with a 422.

pub mod store;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::PgConnection;
use futures_util::future::{Ready, ready};
use serde::Serialize;
use serde_json::Value;

use crate::auth::Authorized;
use crate::auth::tokens::digest;
use crate::error::{ApiError, ApiResult};
use crate::http::ETagged;

/// Header name.
pub const HEADER: &str = "Idempotency-Key";

/// The `Idempotency-Key` header, when sent.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = match req.headers().get(HEADER) {
            None => Ok(None),
            Some(v) => match v.to_str() {
                Ok(s) if (1..=255).contains(&s.len()) => Ok(Some(s.to_string())),
                _ => Err(ApiError::field(
                    HEADER,
                    "must be 1 to 255 visible ASCII characters",
                )),
            },
        };
        ready(value.map(IdempotencyKey))
    }
}

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

/// Runs `create` on `request` at most once per key: call inside a
/// transaction. The request (the parsed body) is what a retry must repeat
/// exactly.
pub fn once<R: Serialize, T: Serialize>(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: &IdempotencyKey,
    request: R,
    create: impl FnOnce(&mut PgConnection, R) -> ApiResult<Done<T>>,
) -> ApiResult<Outcome<T>> {
    let (Some(key), Some(principal)) = (key.0.as_deref(), auth.principal_id()) else {
        return Ok(Outcome::Fresh(create(conn, request)?));
    };
    let request_hash = digest(&serde_json::to_string(&request).map_err(ApiError::internal)?);
    store::lock_key(conn, auth, principal, key)?;
    if let Some(saved) = store::find(conn, auth, principal, key)? {
        if saved.request_hash != request_hash {
            return Err(ApiError::field(
                HEADER,
                "was already used for a request with a different body",
            ));
        }
        return Ok(Outcome::Replayed(Stored {
            status: u16::try_from(saved.status_code).unwrap_or(200),
            body: saved.body,
            location: saved.location,
        }));
    }
    let done = create(conn, request)?;
    let answer = store::Saved {
        request_hash,
        status_code: if done.created { 201 } else { 200 },
        body: serde_json::to_value(&done.value).map_err(ApiError::internal)?,
        location: done.created.then(|| done.location.clone()),
    };
    store::save(conn, auth, principal, key, &answer)?;
    Ok(Outcome::Fresh(done))
}
