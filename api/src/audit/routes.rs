//! `/audit-events` (admins, supervisors, keys with `audit:read`).

use actix_web::{HttpResponse, get, web};
use serde_json::json;
use shared::audit::{AuditEvent, AuditQuery};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::store::{self, Filter};
use crate::audit::{Entry, record};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Query, cursor};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_events);
}

/// Query the audit trail, newest first.
///
/// `patient_id` finds every event that touched the patient, including the
/// lists and searches that showed them. Reading the trail is itself audited.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "A page of events", body = Page<AuditEvent>)),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_events(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AuditRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let before = cursor::decode_opt::<i64>(q.cursor.as_deref())?;
    let filter = Filter {
        patient_id: q.patient_id,
        user_id: q.user_id,
        since: q.since,
        action: q.action.clone(),
    };
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, &filter, before, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |e| e.id);
            // The filters go in details only: a patient id in a query may
            // belong to no patient of this organization.
            let entry = Entry::new("audit.query", "audit_event").details(json!({
                "patient_id": q.patient_id, "user_id": q.user_id, "since": q.since, "action": q.action,
            }));
            record(conn, &caller.actor(), entry)?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
