//! `/webhooks` and `/webhook-deliveries` (admins: `IntegrationsManage`).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::validation::Valid;
use shared::webhooks::{
    CreatedWebhook, Delivery, DeliveryQuery, NewWebhook, Webhook, WebhookPatch,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::Edit;
use crate::http::{ETagged, Json, Paging, Query, flow};
use crate::webhooks::delivery::check_target;
use crate::webhooks::{Settings, service};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(replay_delivery);
}

/// The organization's webhook subscriptions, newest first.
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of subscriptions", body = Page<Webhook>))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::list(&db, access, (), paging, service::list).await
}

/// Subscribe a URL to events: `encounter.discharged`, `task.overdue`,
/// `screening.safety_flag`, `referral.status_changed`, `risk.increased`.
///
/// Each event is `POST`ed as JSON `{id, type, occurred_at,
/// organization_id, data}` with the header `Webhook-Signature:
/// t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. `data`
/// carries ids and event facts; clinical detail only with
/// `include_clinical_detail`. A 2xx answer delivers it; anything else is
/// retried with exponential backoff (1 min, 3 min, 9 min … ±20%) and
/// after 8 failed attempts the delivery is a dead letter, which an admin
/// can replay. The URL must be `http(s)` and neither name nor resolve to a
/// loopback, private, link-local or unique-local address (422 on `url`).
/// The signing `secret` is in this answer only: store it now.
#[utoipa::path(
    request_body = NewWebhook,
    responses((status = 201, description = "Subscribed; `secret` is shown this once", body = CreatedWebhook))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    caller: Caller,
    body: Json<NewWebhook>,
) -> ApiResult<HttpResponse> {
    // Confirmed in a hop of its own: the target's address is looked up
    // between the check and the write, and only for an admin.
    let auth = db
        .confirm(caller.authorize(Permission::IntegrationsManage))
        .await?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    check_target(&new.url, &settings).await?;
    let created = db
        .tx(move |conn| service::create(conn, &auth, (), new, now))
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((
        header::LOCATION,
        format!("/api/v1/webhooks/{}", created.webhook.id),
    ));
    Ok(created.respond(res))
}

/// One subscription (never its secret).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = Webhook))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Change a subscription: its URL (checked as at creation), events,
/// description, whether it is active (an inactive one keeps its pending
/// deliveries until it is active again) and whether payloads carry
/// clinical detail.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Subscription id")),
    request_body = WebhookPatch,
    responses((status = 200, description = "Changed", body = Webhook))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    caller: Caller,
    edit: Edit<Uuid, WebhookPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    let Some(url) = edit.body.url.clone() else {
        return flow::change(&db, access, edit, service::change).await;
    };
    // A new target is looked up before the change, and only for an admin:
    // confirmed first, in a hop of its own.
    let auth = db.confirm(access).await?;
    // The rules of the body run first, so a malformed URL is named as such.
    Valid::new(edit.body.clone(), &auth.context(Utc::now()))?;
    check_target(url.trim(), &settings).await?;
    flow::change(&db, auth, edit, service::change).await
}

/// Delete a subscription: nothing more is sent to it and it answers 404
/// from now on (its delivery log is kept).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    let id = id.into_inner();
    db.tx_as(access, move |conn, auth| {
        service::delete(conn, &auth, id, Utc::now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A subscription's deliveries, newest first: each event's status
/// (`pending`, `delivered`, `dead`), attempts made, the next attempt's
/// time, and the log of its latest attempts (status code, error,
/// duration). `?status=dead` lists the dead letters.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Subscription id"), DeliveryQuery, PageQuery),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<DeliveryQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    flow::list(
        &db,
        access,
        (id.into_inner(), query.into_inner()),
        paging,
        service::deliveries,
    )
    .await
}

/// Replay a delivery — delivered, pending or dead: one more attempt is
/// made at once (within the worker's interval) and logged like any other.
/// A dead letter that fails again stays dead. 409 while an attempt is
/// under way or when the subscription is switched off.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued for an attempt now", body = Delivery))
)]
#[post("/webhook-deliveries/{id}/replay")]
pub async fn replay_delivery(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::IntegrationsManage);
    let id = id.into_inner();
    let delivery = db
        .tx_as(access, move |conn, auth| {
            service::replay(conn, &auth, id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
