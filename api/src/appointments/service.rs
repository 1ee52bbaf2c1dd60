//! The appointment use cases. Marking one missed starts the
//! missed-appointment and disengagement rules in the same transaction.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::appointments::{
    Appointment, AppointmentListQuery, AppointmentPatch, AppointmentValues, NewAppointment,
};
use shared::audit::AuditAction;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::appointments::store::{self, Filter};
use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::{Expected, check_resend};
use crate::http::flow::Saved;
use crate::patients::store as patients;
use crate::rules;
use crate::store::Writer;

/// Appointments (all, or one patient's), latest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: AppointmentListQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Appointment>> {
    let filter = Filter {
        patient_id: q.patient_id,
        status: q.status,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    let page = paging.page(rows, |a| (a.scheduled_at, a.id));
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::AppointmentList)
            .details(json!({"patient_id": q.patient_id, "status": q.status}))
            .listed(page.items.iter().map(|a| a.patient_id)),
    )?;
    Ok(page)
}

/// Records an appointment; a known `external_id` updates that one.
pub fn record(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewAppointment>,
    seen: Option<Expected>,
    now: DateTime<Utc>,
) -> ApiResult<Saved<Appointment>> {
    patients::ensure_referenced(conn, auth, new.patient_id, "patient_id")?;
    let existing = match &new.external_id {
        Some(ext) => store::lock_by_external_id(conn, auth, ext)?,
        None => None,
    };
    let (appointment, before) = match existing {
        Some((current, synced)) => {
            if current.patient_id != new.patient_id {
                return Err(ApiError::Conflict(
                    "This external_id belongs to an appointment of another patient.".into(),
                ));
            }
            let values = AppointmentValues::resent(&current, &new)
                .map_err(|refused| ApiError::Conflict(refused.to_string()))?;
            if !values.same_as(&current) {
                check_resend(current.version, synced, seen)?;
            }
            (
                store::update(conn, auth, &current, &values, Writer::Sender, now)?,
                Some(current),
            )
        }
        None => (store::insert(conn, auth, &new, now)?, None),
    };
    rules::appointment_recorded(conn, auth, before.as_ref(), &appointment, now)?;
    let appointment = store::get(conn, auth, appointment.id)?;
    let created = before.is_none();
    audit::log(
        conn,
        auth,
        Entry::new(if created {
            AuditAction::AppointmentCreate
        } else {
            AuditAction::AppointmentUpdate
        })
        .on(appointment.id)
        .patient(appointment.patient_id)
        .details(json!({"status": appointment.status})),
    )?;
    Ok(Saved {
        record: appointment,
        created,
    })
}

/// One appointment.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Appointment> {
    let a = store::get(conn, auth, id)?;
    audit::on_record(conn, auth, AuditAction::AppointmentRead, id, a.patient_id)?;
    Ok(a)
}

/// Reschedules an appointment or records what happened.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<AppointmentPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    let current = store::lock(conn, auth, id, expected)?;
    let values = AppointmentValues::changed(&current, &patch)
        .map_err(|refused| ApiError::Conflict(refused.to_string()))?;
    let updated = store::update(conn, auth, &current, &values, Writer::Editor, now)?;
    rules::appointment_recorded(conn, auth, Some(&current), &updated, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::AppointmentUpdate)
            .on(id)
            .patient(updated.patient_id)
            .details(json!({"status": updated.status})),
    )?;
    store::get(conn, auth, id)
}
