//! `/patients/{id}/outreach-attempts`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::outreach::{NewOutreachAttempt, OutreachAttempt, OutreachListQuery};
use shared::pagination::{Page, PageQuery};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Json, Paging, Query, flow};
use crate::outreach::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_attempts).service(log_attempt);
}

/// A patient's outreach attempts, newest first (optionally for one task).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), OutreachListQuery, PageQuery),
    responses((status = 200, description = "A page of attempts", body = Page<OutreachAttempt>))
)]
#[get("/patients/{id}/outreach-attempts")]
pub async fn list_attempts(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: Query<OutreachListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    let of = (id.into_inner(), query.into_inner());
    flow::list(&db, access, of, paging, service::list).await
}

/// Log an outreach attempt, usually while working a task.
///
/// Logging against an open task starts it. Reaching out to a contact
/// instead of the patient names `contact_id`; if information was shared
/// with them, `shared_scope` says what, and the patient's consent for that
/// contact must cover it on that day (else 422 on `shared_scope`).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewOutreachAttempt,
    responses((status = 201, description = "Logged", body = OutreachAttempt))
)]
#[post("/patients/{id}/outreach-attempts")]
pub async fn log_attempt(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewOutreachAttempt>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    let now = Utc::now();
    let body = body.into_inner();
    let patient = id.into_inner();
    let attempt = db
        .tx_as(access, move |conn, auth| {
            let new = Valid::new(body, &auth.context(now))?;
            service::log(conn, &auth, patient, new, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/patients/{patient}/outreach-attempts"),
        ))
        .json(attempt))
}
