//! `/appointments`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::appointments::{Appointment, AppointmentListQuery, AppointmentPatch, NewAppointment};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::appointments::service;
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::IfMatch;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::idempotency::IdempotencyKey;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_appointments)
        .service(record_appointment)
        .service(get_appointment)
        .service(update_appointment);
}

/// List appointments (all, or one patient's), latest first.
#[utoipa::path(
    params(AppointmentListQuery, PageQuery),
    responses((status = 200, description = "A page of appointments", body = Page<Appointment>))
)]
#[get("/appointments")]
pub async fn list_appointments(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AppointmentListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::AppointmentsRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Record an appointment (or resend one by `external_id`).
///
/// An appointment recorded as `missed` starts the missed-appointment rule
/// at once (see PATCH). A known `external_id` updates that appointment (200).
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewAppointment,
    responses(
        (status = 201, description = "Recorded", body = Appointment),
        (status = 200, description = "An appointment with this external_id existed and was updated", body = Appointment),
        (status = 409, description = "The external_id belongs to another patient, or the status change is not allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appointments")]
pub async fn record_appointment(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    if_match: IfMatch,
    body: Json<NewAppointment>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::AppointmentsWrite);
    let location = |a: &Appointment| format!("/api/v1/appointments/{}", a.id);
    flow::record(
        &db,
        access,
        idem,
        if_match,
        body.into_inner(),
        service::record,
        location,
    )
    .await
}

/// One appointment.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses((status = 200, description = "The appointment", body = Appointment))
)]
#[get("/appointments/{id}")]
pub async fn get_appointment(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::AppointmentsRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Reschedule an appointment or record what happened.
///
/// Marking it `missed` creates, in the same transaction, a
/// `missed_appointment_followup` task due at 17:00 on the next business day
/// (organization time zone and holidays) and alerts the care team; a second
/// miss within 30 days raises a disengagement alert. Correcting a miss to
/// `attended` cancels that follow-up. Steps the lifecycle lacks are 409s.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body = AppointmentPatch,
    responses(
        (status = 200, description = "Updated", body = Appointment),
        (status = 409, description = "Not an allowed status change", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/appointments/{id}")]
pub async fn update_appointment(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, AppointmentPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::AppointmentsWrite);
    flow::change(&db, access, edit, service::change).await
}
