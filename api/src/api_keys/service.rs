//! The API-key use cases (admins): create one (its secret is shown once),
//! list them, revoke one.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::audit::AuditAction;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::api_keys::store;
use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::auth::tokens::new_api_key;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::providers::store as providers;

/// The organization's keys, newest first (revoked ones included).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<ApiKey>> {
    let rows = store::list(conn, auth, paging)?;
    Ok(paging.page(rows, |k| (k.created_at, k.id)))
}

/// Creates a key; the answer carries the secret, which is stored hashed.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewApiKey>,
) -> ApiResult<CreatedApiKey> {
    if let Some(provider) = new.provider_id {
        providers::ensure(conn, auth, provider).map_err(|e| match e {
            ApiError::NotFound(_) => {
                ApiError::field("provider_id", "is not a provider in this organization")
            }
            other => other,
        })?;
    }
    let (key, prefix) = new_api_key();
    let stored = store::insert(
        conn,
        auth,
        &new.name,
        &new.scopes,
        new.provider_id,
        &key,
        &prefix,
    )?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ApiKeyCreate)
            .on(stored.id)
            .details(json!({
                "name": stored.name,
                "scopes": stored.scopes,
                "provider_id": stored.provider_id,
            })),
    )?;
    Ok(CreatedApiKey {
        id: stored.id,
        name: stored.name,
        scopes: stored.scopes,
        prefix: stored.prefix,
        key,
        created_at: stored.created_at,
        provider_id: stored.provider_id,
    })
}

/// Revokes a key; it stops working at once.
pub fn revoke(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let key = store::revoke(conn, auth, id, now)?;
    audit::log(conn, auth, Entry::new(AuditAction::ApiKeyRevoke).on(key.id))?;
    Ok(())
}
