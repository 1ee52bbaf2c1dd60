//! `/patients/{id}/outreach-attempts`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::auth::Permission;
use shared::contacts::consent_allows;
use shared::outreach::{NewOutreachAttempt, OutreachAttempt, OutreachListQuery};
use shared::pagination::{Page, checked_limit};
use shared::validation::trimmed;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::contacts::store as contacts;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Query, cursor};
use crate::organizations::store as organizations;
use crate::outreach::store;
use crate::patients::store as patients;
use crate::tasks::store as tasks;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_attempts).service(log_attempt);
}

/// A patient's outreach attempts, newest first (optionally for one task).
#[utoipa::path(
    tag = "outreach",
    params(("id" = Uuid, Path, description = "Patient id"), OutreachListQuery),
    responses((status = 200, description = "A page of attempts", body = Page<OutreachAttempt>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/outreach-attempts")]
pub async fn list_attempts(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<OutreachListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksRead)?;
    let patient = id.into_inner();
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let rows = store::list(conn, caller.org, patient, q.task_id, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |a| (a.occurred_at, a.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("outreach.list", "outreach_attempt").patient(patient),
            )?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Log an outreach attempt, usually while working a task.
///
/// Logging against an open task starts it. Reaching out to a contact
/// instead of the patient names `contact_id`; if information was shared
/// with them, `shared_scope` says what, and the patient's consent for that
/// contact must cover it on that day (else 422 on `shared_scope`).
#[utoipa::path(
    tag = "outreach",
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewOutreachAttempt,
    responses((status = 201, description = "Logged", body = OutreachAttempt, headers(("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/patients/{id}/outreach-attempts")]
pub async fn log_attempt(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewOutreachAttempt>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksWrite)?;
    let patient = id.into_inner();
    let mut new = body.into_inner();
    new.notes = trimmed(new.notes);
    new.validate()?;
    if new.shared_scope.is_some() && new.contact_id.is_none() {
        return Err(ApiError::field(
            "shared_scope",
            "applies only to an attempt made to a contact (give contact_id)",
        ));
    }
    let now = Utc::now();
    let attempt = db
        .tx(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            if let Some(t) = new.task_id
                && tasks::find(conn, caller.org, t)?.is_none_or(|t| t.patient_id != patient)
            {
                return Err(ApiError::field("task_id", "is not a task of this patient"));
            }
            if let Some(c) = new.contact_id {
                let contact = contacts::get(conn, caller.org, c)
                    .ok()
                    .filter(|contact| contact.patient_id == patient)
                    .ok_or_else(|| ApiError::field("contact_id", "is not a contact of this patient"))?;
                if let Some(scope) = new.shared_scope {
                    let today = organizations::calendar(conn, caller.org)?.today(new.occurred_at.unwrap_or(now));
                    consent_allows(contact.consent.as_ref(), scope, today)
                        .map_err(|refusal| ApiError::field("shared_scope", format!("cannot be shared: {refusal}")))?;
                }
            }
            let attempt = store::insert(conn, caller.org, patient, &new, caller.user_id(), now)?;
            if let Some(t) = new.task_id {
                tasks::start_if_open(conn, caller.org, t, now)?;
            }
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("outreach.create", "outreach_attempt")
                    .on(attempt.id)
                    .patient(patient)
                    .details(json!({"outcome": attempt.outcome, "contact_id": attempt.contact_id, "shared_scope": attempt.shared_scope})),
            )?;
            Ok(attempt)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/patients/{patient}/outreach-attempts"),
        ))
        .json(attempt))
}
