//! `/alerts`.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use shared::alerts::{Alert, AlertListQuery};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::alerts::service;
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Paging, Query, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_alerts).service(acknowledge_alert);
}

/// Alerts, newest first: without `patient_id`, the ones sent to you; with
/// it, every alert about that patient.
#[utoipa::path(
    params(AlertListQuery, PageQuery),
    responses((status = 200, description = "A page of alerts", body = Page<Alert>))
)]
#[get("/alerts")]
pub async fn list_alerts(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AlertListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Acknowledge an alert: you have seen it and are acting on it.
///
/// The first acknowledgement is kept (who and when); acknowledging again
/// answers the alert as it is.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, description = "Acknowledged", body = Alert))
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    let id = id.into_inner();
    let alert = db
        .tx_as(access, move |conn, auth| {
            service::acknowledge(conn, &auth, id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(alert))
}
