//! `/patients/{id}/timeline`.

use actix_web::{HttpResponse, get, web};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::timeline::TimelineEntry;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Paging, flow};
use crate::timeline::service;
use crate::timeline::store::Cursor;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(timeline);
}

/// Everything that happened to a patient, newest first: encounters,
/// appointments, tasks, outreach, notes, alerts, status changes and
/// education.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of the timeline", body = Page<TimelineEntry>))
)]
#[get("/patients/{id}/timeline")]
pub async fn timeline(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<Cursor>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let patient = id.into_inner();
    flow::list(&db, access, patient, paging, service::page).await
}
