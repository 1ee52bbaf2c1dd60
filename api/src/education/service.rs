//! The education use cases: record what was taught (to the patient or one
//! of their contacts) and list a patient's records.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::education::{EducationRecord, NewEducation};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::contacts::store as contacts;
use crate::education::store;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::patients::store as patients;

/// A patient's education records, newest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<EducationRecord>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::EducationList, patient)?;
    Ok(paging.page(rows, |r| (r.provided_at, r.id)))
}

/// Records education given. A contact taught must be one of this
/// patient's; the language is the patient's preferred one unless given.
pub fn record(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewEducation>,
    now: DateTime<Utc>,
) -> ApiResult<EducationRecord> {
    let preferred_language = patients::get(conn, auth, patient)?.preferred_language;
    if let Some(c) = new.contact_id {
        let theirs = match contacts::get(conn, auth, c) {
            Ok(contact) => contact.patient_id == patient,
            Err(ApiError::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !theirs {
            return Err(ApiError::field(
                "contact_id",
                "is not a contact of this patient",
            ));
        }
    }
    let draft = new.into_inner().into_record(
        Uuid::now_v7(),
        patient,
        &preferred_language,
        auth.user_id(),
        now,
    );
    let record = store::insert(conn, auth, &draft)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EducationCreate)
            .on(record.id)
            .patient(patient)
            .details(json!({
                "topic": record.topic,
                "audience": record.audience,
                "contact_id": record.contact_id,
                "method": record.method,
                "understanding": record.understanding,
            })),
    )?;
    Ok(record)
}
