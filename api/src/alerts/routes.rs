//! `/alerts`.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::alerts::{Alert, AlertListQuery};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::alerts::store::{self, Filter};
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Query, cursor};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_alerts).service(acknowledge_alert);
}

/// Alerts, newest first: without `patient_id`, the ones sent to you; with
/// it, every alert about that patient.
#[utoipa::path(
    tag = "alerts",
    params(AlertListQuery),
    responses((status = 200, description = "A page of alerts", body = Page<Alert>)),
    security(("bearer" = []))
)]
#[get("/alerts")]
pub async fn list_alerts(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AlertListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let recipient = match (q.patient_id, caller.user_id()) {
        (Some(_), _) => None,
        (None, Some(me)) => Some(me),
        (None, None) => {
            return Err(ApiError::field(
                "patient_id",
                "is required for API keys (they receive no alerts)",
            ));
        }
    };
    let filter = Filter {
        patient_id: q.patient_id,
        recipient,
        acknowledged: q.acknowledged,
    };
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, &filter, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |a| (a.created_at, a.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("alert.list", "alert")
                    .details(json!({"patient_id": q.patient_id, "acknowledged": q.acknowledged}))
                    .listed(items.iter().map(|a| a.patient_id)),
            )?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Acknowledge an alert: you have seen it and are acting on it.
///
/// The first acknowledgement is kept (who and when); acknowledging again
/// answers the alert as it is.
#[utoipa::path(
    tag = "alerts",
    params(("id" = Uuid, Path, description = "Alert id")),
    responses((status = 200, description = "Acknowledged", body = Alert)),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksWrite)?;
    let me = caller.user_id().ok_or_else(|| {
        ApiError::Forbidden("Alerts are acknowledged by a person, not an API key.".into())
    })?;
    let id = id.into_inner();
    let alert = db
        .tx(move |conn| {
            let alert = store::acknowledge(conn, caller.org, id, me, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("alert.acknowledge", "alert")
                    .on(id)
                    .patient(alert.patient_id),
            )?;
            Ok(alert)
        })
        .await?;
    Ok(HttpResponse::Ok().json(alert))
}
