//! The outreach use cases: logging an attempt (which starts the task it was
//! made for) and reading a patient's attempts.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::contacts::consent_allows;
use shared::ids::PatientId;
use shared::outreach::{NewOutreachAttempt, OutreachAttempt, OutreachListQuery};
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::contacts::store as contacts;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::outreach::store;
use crate::patients::store as patients;
use crate::tasks::store as tasks;

/// A patient's attempts, newest first (optionally for one task).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (patient, q): (PatientId, OutreachListQuery),
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<OutreachAttempt>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, q.task_id, paging)?;
    audit::on_patient(conn, auth, AuditAction::OutreachList, patient)?;
    Ok(paging.page(rows, |a| (a.occurred_at, a.id)))
}

/// Logs an attempt. Logging against an open task starts it; sharing
/// information with a contact needs the patient's consent to cover it on
/// the day of the attempt (organization calendar).
pub fn log(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewOutreachAttempt>,
    now: DateTime<Utc>,
) -> ApiResult<OutreachAttempt> {
    patients::ensure(conn, auth, patient)?;
    if let Some(t) = new.task_id
        && tasks::find(conn, auth, t)?.is_none_or(|t| t.patient_id != patient)
    {
        return Err(ApiError::field("task_id", "is not a task of this patient"));
    }
    if let Some(c) = new.contact_id {
        let contact = contacts::get(conn, auth, c)
            .ok()
            .filter(|contact| contact.patient_id == patient)
            .ok_or_else(|| ApiError::field("contact_id", "is not a contact of this patient"))?;
        if let Some(scope) = new.shared_scope {
            let day = auth.today(new.occurred_at.unwrap_or(now));
            consent_allows(contact.consent.as_ref(), scope, day).map_err(|refusal| {
                ApiError::field("shared_scope", format!("cannot be shared: {refusal}"))
            })?;
        }
    }
    let attempt = store::insert(conn, auth, patient, &new, now)?;
    if let Some(t) = new.task_id {
        tasks::start_if_open(conn, auth, t, now)?;
    }
    audit::log(conn, auth,
        Entry::new(AuditAction::OutreachCreate)
            .on(attempt.id)
            .patient(patient)
            .details(json!({"outcome": attempt.outcome, "contact_id": attempt.contact_id, "shared_scope": attempt.shared_scope})),
    )?;
    Ok(attempt)
}
