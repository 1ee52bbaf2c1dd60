//! The screening use cases: record (score, store, apply the rules), read,
//! list a patient's history, and mark one entered in error.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::problem::FieldError;
use shared::screening::{
    EnteredInErrorRequest, NewScreening, ScoringContext, Screening, ScreeningListQuery,
};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::patients::store as patients;
use crate::rules;
use crate::screenings::store;

/// A patient's screenings (of one instrument, when asked), oldest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (patient, query): (PatientId, ScreeningListQuery),
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Screening>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, query.instrument, paging)?;
    audit::on_patient(conn, auth, AuditAction::ScreeningList, patient)?;
    Ok(paging.page(rows, |s| (s.administered_at, s.id)))
}

/// One screening.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Screening> {
    let screening = store::get(conn, auth, id)?;
    audit::on_record(
        conn,
        auth,
        AuditAction::ScreeningRead,
        id,
        screening.patient_id,
    )?;
    Ok(screening)
}

/// Scores and records a screening, and in the same transaction applies its
/// rules (a suicide-risk flag alerts the care team and opens a same-day
/// safety follow-up; a positive PHQ-2 asks for a PHQ-9). The score is the
/// server's: nothing the client computed is read.
pub fn record(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewScreening>,
    now: DateTime<Utc>,
) -> ApiResult<Screening> {
    let sex = patients::get(conn, auth, patient)?.sex;
    let new = new.into_inner();
    let result = new
        .score(&ScoringContext { sex: Some(sex) })
        .map_err(|errors| {
            ApiError::Validation(errors.into_iter().map(FieldError::from).collect())
        })?;
    let draft = Screening {
        id: Uuid::now_v7(),
        patient_id: patient,
        instrument: new.instrument,
        administered_at: new.administered_at,
        answers: new.answers,
        result,
        recorded_by: auth.user_id(),
        entered_in_error: None,
        version: 1,
        created_at: now,
    };
    let screening = store::insert(conn, auth, &draft)?;
    rules::screening_recorded(conn, auth, &screening, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ScreeningCreate)
            .on(screening.id)
            .patient(patient)
            .details(json!({
                "instrument": screening.instrument,
                "severity": screening.result.severity,
                "flags": screening.result.flags,
            })),
    )?;
    Ok(screening)
}

/// Marks a screening entered in error: it stays in the record, counts for
/// nothing, and the follow-ups it opened are cancelled with the reason.
pub fn mark_entered_in_error(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    body: Valid<EnteredInErrorRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Screening> {
    let before = store::lock(conn, auth, id, expected)?;
    if before.entered_in_error.is_some() {
        return Err(ApiError::Conflict(
            "This screening is already marked entered in error.".into(),
        ));
    }
    let reason = body.into_inner().reason;
    let after = store::mark_entered_in_error(conn, auth, id, &reason, now)?;
    rules::screening_entered_in_error(conn, auth, &after, &reason, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ScreeningEnteredInError)
            .on(id)
            .patient(after.patient_id)
            .details(json!({"reason": reason})),
    )?;
    Ok(after)
}
