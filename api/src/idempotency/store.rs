//! Stored first answers, keyed by organization, principal and key.

use chrono::{Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::schema::idempotency_keys as keys;
use crate::store::of_org;

/// A first answer, as stored.
#[derive(Debug, Clone, Queryable)]
pub struct Saved {
    /// The hash of the request it answered.
    pub request_hash: Vec<u8>,
    /// Its status code.
    pub status_code: i32,
    /// Its body.
    pub body: Value,
    /// Its `Location`, for a creation.
    pub location: Option<String>,
    /// The record it was about.
    pub resource_id: Option<Uuid>,
    /// The patient that record belongs to.
    pub patient_id: Option<Uuid>,
}

/// Serializes the requests of one key until the transaction ends: a second
/// concurrent first attempt waits here for the first to commit, then finds
/// its stored answer.
pub fn lock_key(
    conn: &mut PgConnection,
    auth: &Authorized,
    principal: Uuid,
    key: &str,
) -> ApiResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("{}/{principal}/{key}", auth.org()))
        .execute(conn)?;
    Ok(())
}

/// The answer stored for `key` within the last `ttl`, if any.
pub fn find(
    conn: &mut PgConnection,
    auth: &Authorized,
    principal: Uuid,
    key: &str,
    ttl: Duration,
) -> ApiResult<Option<Saved>> {
    Ok(of_org!(keys, auth)
        .filter(keys::principal_id.eq(principal))
        .filter(keys::key.eq(key))
        .filter(keys::created_at.gt(Utc::now() - ttl))
        .select((
            keys::request_hash,
            keys::status_code,
            keys::response_body,
            keys::location,
            keys::resource_id,
            keys::patient_id,
        ))
        .first(conn)
        .optional()?)
}

/// Stores the first answer for `key`, first forgetting this principal's
/// expired keys (`key` itself among them, if it was used before `ttl`).
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    principal: Uuid,
    key: &str,
    answer: &Saved,
    ttl: Duration,
) -> ApiResult<()> {
    diesel::delete(
        of_org!(keys, auth)
            .filter(keys::principal_id.eq(principal))
            .filter(keys::created_at.le(Utc::now() - ttl)),
    )
    .execute(conn)?;
    diesel::insert_into(keys::table)
        .values((
            keys::organization_id.eq(auth.org().get()),
            keys::principal_id.eq(principal),
            keys::key.eq(key),
            keys::request_hash.eq(&answer.request_hash),
            keys::status_code.eq(answer.status_code),
            keys::response_body.eq(&answer.body),
            keys::location.eq(&answer.location),
            keys::resource_id.eq(answer.resource_id),
            keys::patient_id.eq(answer.patient_id),
        ))
        .execute(conn)?;
    Ok(())
}
