//! `/api-keys` (admins).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::api_keys::store;
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::auth::tokens::new_api_key;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Query, cursor};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_keys)
        .service(create_key)
        .service(revoke_key);
}

/// Paging for `GET /api-keys`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyListQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List the organization's API keys, newest first (revoked ones included).
#[utoipa::path(
    tag = "api-keys",
    params(KeyListQuery),
    responses((status = 200, description = "A page of keys", body = Page<ApiKey>)),
    security(("bearer" = []))
)]
#[get("/api-keys")]
pub async fn list_keys(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<KeyListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ApiKeysManage)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let rows = db
        .run(move |conn| store::list(conn, caller.org, after, limit + 1))
        .await?;
    let (items, next_cursor) = cursor::page(rows, limit, |k| (k.created_at, k.id));
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Create an API key. The secret `key` is in this answer only: store it now.
#[utoipa::path(
    tag = "api-keys",
    request_body = NewApiKey,
    responses((status = 201, description = "Created; `key` is shown this once", body = CreatedApiKey, headers(("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/api-keys")]
pub async fn create_key(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewApiKey>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ApiKeysManage)?;
    let new = body.into_inner();
    new.validate()?;
    let (key, prefix) = new_api_key();
    let secret = key.clone();
    let stored = db
        .tx(move |conn| {
            let stored = store::insert(
                conn,
                caller.org,
                new.name.trim(),
                &new.scopes,
                &secret,
                &prefix,
                caller.user_id(),
            )?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("api_key.create", "api_key")
                    .on(stored.id)
                    .details(json!({"name": stored.name, "scopes": stored.scopes})),
            )?;
            Ok(stored)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/api-keys/{}", stored.id)))
        .json(CreatedApiKey {
            id: stored.id,
            name: stored.name,
            scopes: stored.scopes,
            prefix: stored.prefix,
            key,
            created_at: stored.created_at,
        }))
}

/// Revoke an API key; it stops working at once. The key stays listed, marked revoked.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "Key id")),
    responses((status = 204, description = "Revoked (also when it already was)")),
    security(("bearer" = []))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_key(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ApiKeysManage)?;
    let id = id.into_inner();
    db.tx(move |conn| {
        let key = store::revoke(conn, caller.org, id, Utc::now())?;
        audit::record(
            conn,
            &caller.actor(),
            Entry::new("api_key.revoke", "api_key").on(key.id),
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
