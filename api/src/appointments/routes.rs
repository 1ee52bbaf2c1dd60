//! `/appointments`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::appointments::{Appointment, AppointmentListQuery, AppointmentPatch, NewAppointment};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::appointments::service;
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging, Query};
use crate::idempotency::{self, Done, IdempotencyKey};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_appointments)
        .service(record_appointment)
        .service(get_appointment)
        .service(update_appointment);
}

/// List appointments (all, or one patient's), latest first.
#[utoipa::path(
    tag = "appointments",
    params(AppointmentListQuery, PageQuery),
    responses((status = 200, description = "A page of appointments", body = Page<Appointment>)),
    security(("bearer" = []))
)]
#[get("/appointments")]
pub async fn list_appointments(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AppointmentListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::AppointmentsRead)?;
    let q = query.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, &q, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Record an appointment (or resend one by `external_id`).
///
/// An appointment recorded as `missed` starts the missed-appointment rule
/// at once (see PATCH). A known `external_id` updates that appointment (200).
#[utoipa::path(
    tag = "appointments",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewAppointment,
    responses(
        (status = 201, description = "Recorded", body = Appointment, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "An appointment with this external_id existed and was updated", body = Appointment),
        (status = 409, description = "The external_id belongs to another patient, or the status change is not allowed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/appointments")]
pub async fn record_appointment(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewAppointment>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::AppointmentsWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &auth, &idem, new, |conn, new| {
                let r = service::record(conn, &auth, new, now)?;
                let location = format!("/api/v1/appointments/{}", r.appointment.id);
                Ok(if r.created {
                    Done::created(location, r.appointment)
                } else {
                    Done::updated(location, r.appointment)
                })
            })
        })
        .await?;
    Ok(outcome.respond())
}

/// One appointment.
#[utoipa::path(
    tag = "appointments",
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The appointment", body = Appointment, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/appointments/{id}")]
pub async fn get_appointment(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::AppointmentsRead)?;
    let id = id.into_inner();
    let a = db.run(move |conn| service::get(conn, &auth, id)).await?;
    Ok(a.respond(HttpResponse::Ok()))
}

/// Reschedule an appointment or record what happened.
///
/// Marking it `missed` creates, in the same transaction, a
/// `missed_appointment_followup` task due at 17:00 on the next business day
/// (organization time zone and holidays) and alerts the care team; a second
/// miss within 30 days raises a disengagement alert. Correcting a miss to
/// `attended` cancels that follow-up. Steps the lifecycle lacks are 409s.
#[utoipa::path(
    tag = "appointments",
    params(
        ("id" = Uuid, Path, description = "Appointment id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = AppointmentPatch,
    responses(
        (status = 200, description = "Updated", body = Appointment, headers(("ETag" = String))),
        (status = 409, description = "Not an allowed status change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/appointments/{id}")]
pub async fn update_appointment(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AppointmentPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::AppointmentsWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let a = db
        .tx(move |conn| service::change(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(a.respond(HttpResponse::Ok()))
}
