//! `/audit-events` (admins, supervisors, keys with `audit:read`).

use actix_web::{HttpResponse, get, web};
use shared::audit::{AuditEvent, AuditQuery};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::service;
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Paging, Query, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_events);
}

/// Query the audit trail, newest first.
///
/// `patient_id` finds every event that touched the patient, including the
/// lists and searches that showed them. Reading the trail is itself audited.
#[utoipa::path(
    params(AuditQuery, PageQuery),
    responses((status = 200, description = "A page of events", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
pub async fn list_events(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AuditQuery>,
    paging: Paging<i64>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::AuditRead);
    flow::list(&db, access, query.into_inner(), paging, service::query).await
}
