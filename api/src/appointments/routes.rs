//! `/appointments`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::appointments::{Appointment, AppointmentListQuery, AppointmentPatch, NewAppointment};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use shared::validation::trimmed;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::appointments::store::{self, Filter, Values};
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::encounters::routes::source_of;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::idempotency::{self, Done, IdempotencyKey};
use crate::patients::store as patients;
use crate::rules;

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
    params(AppointmentListQuery),
    responses((status = 200, description = "A page of appointments", body = Page<Appointment>)),
    security(("bearer" = []))
)]
#[get("/appointments")]
pub async fn list_appointments(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AppointmentListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::AppointmentsRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let filter = Filter {
        patient_id: q.patient_id,
        status: q.status,
    };
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, &filter, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |a| (a.scheduled_at, a.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("appointment.list", "appointment")
                    .details(json!({"patient_id": q.patient_id, "status": q.status}))
                    .listed(items.iter().map(|a| a.patient_id)),
            )?;
            Ok(Page { items, next_cursor })
        })
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
    caller.require(Permission::AppointmentsWrite)?;
    let mut new = body.into_inner();
    new.provider_name = new.provider_name.trim().to_string();
    new.location = trimmed(new.location);
    new.notes = trimmed(new.notes);
    new.external_id = trimmed(new.external_id);
    new.validate()?;
    let now = Utc::now();
    let source = source_of(&caller);
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &caller, &idem, &new, |conn| {
                patients::ensure_referenced(conn, caller.org, new.patient_id, "patient_id")?;
                let existing = match &new.external_id {
                    Some(ext) => store::lock_by_external_id(conn, caller.org, ext)?,
                    None => None,
                };
                let (appointment, created, before) = match existing {
                    Some(current) => {
                        if current.patient_id != new.patient_id {
                            return Err(ApiError::Conflict(
                                "This external_id belongs to an appointment of another patient."
                                    .into(),
                            ));
                        }
                        let status = new.status.unwrap_or(current.status);
                        check_step(current.status, status)?;
                        let values = Values {
                            provider_name: new.provider_name.clone(),
                            kind: new.kind,
                            scheduled_at: new.scheduled_at,
                            location: new.location.clone(),
                            status,
                            notes: new.notes.clone(),
                        };
                        (
                            store::update(conn, caller.org, &current, values, now)?,
                            false,
                            Some(current),
                        )
                    }
                    None => (
                        store::insert(conn, caller.org, &new, source, now)?,
                        true,
                        None,
                    ),
                };
                rules::appointment_recorded(conn, caller.org, before.as_ref(), &appointment, now)?;
                let appointment = store::get(conn, caller.org, appointment.id)?;
                audit::record(
                    conn,
                    &caller.actor(),
                    Entry::new(
                        if created {
                            "appointment.create"
                        } else {
                            "appointment.update"
                        },
                        "appointment",
                    )
                    .on(appointment.id)
                    .patient(appointment.patient_id)
                    .details(json!({"status": appointment.status})),
                )?;
                Ok(Done {
                    location: format!("/api/v1/appointments/{}", appointment.id),
                    value: appointment,
                    created,
                })
            })
        })
        .await?;
    Ok(outcome.respond())
}

fn check_step(
    from: shared::appointments::AppointmentStatus,
    to: shared::appointments::AppointmentStatus,
) -> ApiResult<()> {
    if from == to || from.can_become(to) {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "An appointment that is {} cannot become {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )))
    }
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
    caller.require(Permission::AppointmentsRead)?;
    let id = id.into_inner();
    let a = db
        .run(move |conn| {
            let a = store::get(conn, caller.org, id)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("appointment.read", "appointment")
                    .on(id)
                    .patient(a.patient_id),
            )?;
            Ok(a)
        })
        .await?;
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
    caller.require(Permission::AppointmentsWrite)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    patch.validate()?;
    let expected = if_match.expected(patch.version)?;
    let now = Utc::now();
    let a = db
        .tx(move |conn| {
            let current = store::lock(conn, caller.org, id, expected)?;
            let mut values = Values::of(&current);
            if let Some(p) = &patch.provider_name {
                values.provider_name = p.trim().to_string();
            }
            if let Some(k) = patch.kind {
                values.kind = k;
            }
            if let Some(t) = patch.scheduled_at {
                values.scheduled_at = t;
            }
            if let Some(l) = &patch.location {
                values.location = trimmed(l.clone());
            }
            if let Some(n) = &patch.notes {
                values.notes = trimmed(n.clone());
            }
            if let Some(s) = patch.status {
                check_step(current.status, s)?;
                values.status = s;
            }
            let updated = store::update(conn, caller.org, &current, values, now)?;
            rules::appointment_recorded(conn, caller.org, Some(&current), &updated, now)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("appointment.update", "appointment")
                    .on(id)
                    .patient(updated.patient_id)
                    .details(json!({"status": updated.status})),
            )?;
            store::get(conn, caller.org, id)
        })
        .await?;
    Ok(a.respond(HttpResponse::Ok()))
}
