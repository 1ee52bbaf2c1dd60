//! `/api-keys` (admins).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use shared::api_keys::{ApiKey, CreatedApiKey, NewApiKey};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::api_keys::service;
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Json, Paging, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_keys)
        .service(create_key)
        .service(revoke_key);
}

/// List the organization's API keys, newest first (revoked ones included).
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of keys", body = Page<ApiKey>))
)]
#[get("/api-keys")]
pub async fn list_keys(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ApiKeysManage);
    flow::list(&db, access, (), paging, service::list).await
}

/// Create an API key. The secret `key` is in this answer only: store it now.
#[utoipa::path(
    request_body = NewApiKey,
    responses((status = 201, description = "Created; `key` is shown this once", body = CreatedApiKey))
)]
#[post("/api-keys")]
pub async fn create_key(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewApiKey>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ApiKeysManage);
    let body = body.into_inner();
    let created = db
        .tx_as(access, move |conn, auth| {
            let new = Valid::new(body, &auth.context(Utc::now()))?;
            service::create(conn, &auth, new)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/api-keys/{}", created.id)))
        .json(created))
}

/// Revoke an API key; it stops working at once. The key stays listed, marked revoked.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Key id")),
    responses((status = 204, description = "Revoked (also when it already was)"))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_key(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ApiKeysManage);
    let id = id.into_inner();
    db.tx_as(access, move |conn, auth| {
        service::revoke(conn, &auth, id, Utc::now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
