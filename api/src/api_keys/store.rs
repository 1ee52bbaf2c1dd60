//! API keys in the database: only a hash of the secret is stored.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::api_keys::ApiKey;
use shared::auth::Scope;
use shared::ids::UserId;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::auth::tokens::digest;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::api_keys;
use crate::store::{code, of_org, one_of_org};

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct KeyRow {
    id: Uuid,
    name: String,
    scopes: Vec<Option<String>>,
    prefix: String,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    provider_id: Option<Uuid>,
}

impl TryFrom<KeyRow> for ApiKey {
    type Error = ApiError;

    fn try_from(r: KeyRow) -> ApiResult<ApiKey> {
        Ok(ApiKey {
            id: r.id,
            name: r.name,
            scopes: r
                .scopes
                .into_iter()
                .flatten()
                .map(|s| code::<Scope>(&s))
                .collect::<ApiResult<_>>()?,
            prefix: r.prefix,
            created_by: r.created_by.map(UserId::from),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            provider_id: r.provider_id,
        })
    }
}

/// Keys, newest first, after the `(created_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<ApiKey>> {
    let mut q = of_org!(api_keys, auth).into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            api_keys::created_at
                .lt(at)
                .or(api_keys::created_at.eq(at).and(api_keys::id.lt(id))),
        );
    }
    q.order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(paging.fetch())
        .select(KeyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ApiKey::try_from)
        .collect()
}

#[derive(Insertable)]
#[diesel(table_name = api_keys)]
struct NewKeyRow<'a> {
    id: Uuid,
    organization_id: Uuid,
    name: &'a str,
    scopes: Vec<String>,
    prefix: &'a str,
    key_hash: Vec<u8>,
    created_by: Option<Uuid>,
    provider_id: Option<Uuid>,
}

/// Stores a new key (its hash) and returns it as listed.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    name: &str,
    scopes: &[Scope],
    provider_id: Option<Uuid>,
    key: &str,
    prefix: &str,
) -> ApiResult<ApiKey> {
    let row = diesel::insert_into(api_keys::table)
        .values(NewKeyRow {
            id: Uuid::now_v7(),
            organization_id: auth.org().get(),
            name,
            scopes: scopes.iter().map(|s| s.as_ref().to_string()).collect(),
            prefix,
            key_hash: digest(key),
            created_by: auth.user_id().map(UserId::get),
            provider_id,
        })
        .returning(KeyRow::as_returning())
        .get_result(conn)?;
    ApiKey::try_from(row)
}

/// Revokes key `id` of `org` (idempotent: an earlier revocation time is
/// kept); 404 if there is no such key.
pub fn revoke(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<ApiKey> {
    let key = one_of_org!(api_keys, auth, id);
    diesel::update(key.filter(api_keys::revoked_at.is_null()))
        .set(api_keys::revoked_at.eq(now))
        .execute(conn)?;
    key.select(KeyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("API key"))
        .and_then(ApiKey::try_from)
}
