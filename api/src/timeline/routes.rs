//! `/patients/{id}/timeline`.

use actix_web::{HttpResponse, get, web};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use shared::timeline::{TimelineEntry, TimelineQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Query, cursor};
use crate::patients::store as patients;
use crate::timeline::store::{self, Cursor};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(timeline);
}

/// Everything that happened to a patient, newest first: encounters,
/// appointments, tasks, outreach, notes, alerts and status changes.
#[utoipa::path(
    tag = "patients",
    params(("id" = Uuid, Path, description = "Patient id"), TimelineQuery),
    responses((status = 200, description = "A page of the timeline", body = Page<TimelineEntry>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/timeline")]
pub async fn timeline(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<TimelineQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<Cursor>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let rows = store::page(conn, caller.org, patient, after, limit + 1)?;
            let (rows, next_cursor) = cursor::page(rows, limit, |(key, _)| key.clone());
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("timeline.read", "patient")
                    .on(patient)
                    .patient(patient),
            )?;
            Ok(Page {
                items: rows.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
