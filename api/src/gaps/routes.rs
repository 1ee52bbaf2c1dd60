//! `/patients/{id}/gaps`.

use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::gaps::Gap;
use shared::ids::PatientId;
use shared::pagination::Page;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::gaps::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_gaps);
}

/// The patient's current gaps in care, found from the record now: no
/// PHQ-9 in 90 days for an active behavioral-health client (an active case
/// with a PHQ-9 on record or a behavioral-health need on the plan); no
/// care plan, or an overdue review; a discharge in the last 30 days with
/// no follow-up appointment within 7 days; no primary care provider on the
/// care team; an unresolved positive social-needs domain; a missed
/// appointment in the last 30 days with no outreach since. Each has a
/// `key` to choose it in a chart review and the task that would close it.
/// One page holds them all (`next_cursor` is always null).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The current gaps", body = Page<Gap>))
)]
#[get("/patients/{id}/gaps")]
pub async fn list_gaps(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let id = id.into_inner();
    let now = Utc::now();
    let items = db
        .tx_as(access, move |conn, auth| {
            service::list(conn, &auth, id, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
