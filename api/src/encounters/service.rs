//! The encounter use cases: recording an admission or discharge (or an
//! integration's resend), correcting one, and reading them. The rules a
//! discharge starts run in the same transaction (`crate::rules`).

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::encounters::{
    Encounter, EncounterListQuery, EncounterPatch, EncounterValues, NewEncounter,
};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::encounters::store;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::{Expected, check_resend};
use crate::http::flow::Saved;
use crate::patients::store as patients;
use crate::rules;
use crate::store::Writer;

/// Encounters (all, or one patient's), newest admission first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: EncounterListQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Encounter>> {
    let rows = store::list(conn, auth, q.patient_id, paging)?;
    let page = paging.page(rows, |e| (e.admitted_at, e.id));
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EncounterList)
            .details(json!({"patient_id": q.patient_id}))
            .listed(page.items.iter().map(|e| e.patient_id)),
    )?;
    Ok(page)
}

/// Records an admission or discharge. A known `external_id` updates that
/// encounter (never a second one, never a second follow-up); the rules run
/// either way.
pub fn record(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewEncounter>,
    seen: Option<Expected>,
    now: DateTime<Utc>,
) -> ApiResult<Saved<Encounter>> {
    patients::ensure_referenced(conn, auth, new.patient_id, "patient_id")?;
    let existing = match &new.external_id {
        Some(ext) => store::lock_by_external_id(conn, auth, ext)?,
        None => None,
    };
    let (encounter, before) = match existing {
        Some((current, synced)) => {
            if current.patient_id != new.patient_id {
                return Err(ApiError::Conflict(
                    "This external_id belongs to an encounter of another patient.".into(),
                ));
            }
            let values = EncounterValues::resent(&current, &new, now)?;
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
    rules::encounter_recorded(conn, auth, before.as_ref(), &encounter, now)?;
    let encounter = store::get(conn, auth, encounter.id)?;
    let created = before.is_none();
    audit::log(conn, auth,
        Entry::new(if created {
            AuditAction::EncounterCreate
        } else {
            AuditAction::EncounterUpdate
        })
        .on(encounter.id)
        .patient(encounter.patient_id)
        .details(json!({"discharged": encounter.discharged_at.is_some(), "external_id": encounter.external_id})),
    )?;
    Ok(Saved {
        record: encounter,
        created,
    })
}

/// One encounter.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Encounter> {
    let e = store::get(conn, auth, id)?;
    audit::on_record(conn, auth, AuditAction::EncounterRead, id, e.patient_id)?;
    Ok(e)
}

/// Records a discharge or corrects an encounter (a recorded discharge can
/// be corrected, not removed).
pub fn correct(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<EncounterPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    let current = store::lock(conn, auth, id, expected)?;
    let values = EncounterValues::corrected(&current, &patch, now)?;
    let updated = store::update(conn, auth, &current, &values, Writer::Editor, now)?;
    rules::encounter_recorded(conn, auth, Some(&current), &updated, now)?;
    audit::on_record(
        conn,
        auth,
        AuditAction::EncounterUpdate,
        id,
        updated.patient_id,
    )?;
    store::get(conn, auth, id)
}

/// The encounter an integration sent as `external_id`, locked, checked to
/// be `patient`'s: a 404 when there is none, a 409 when it is another
/// patient's.
fn lock_sent(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    external_id: &str,
) -> ApiResult<Encounter> {
    let (current, _) = store::lock_by_external_id(conn, auth, external_id)?
        .ok_or_else(|| ApiError::NotFound("No encounter has this visit number.".into()))?;
    if current.patient_id != patient {
        return Err(ApiError::Conflict(
            "This visit number belongs to an encounter of another patient.".into(),
        ));
    }
    Ok(current)
}

/// An integration cancels the admission it sent as `external_id` (HL7
/// A11): the encounter is marked cancelled (kept, readable, left out of
/// lists) and what the admission's rules did is undone (`rules`). A stay
/// with a discharge is a 409: its discharge must be cancelled first. A
/// cancelled one stays so (`None`: nothing changed, nothing audited).
pub fn cancel_admission(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    external_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<Encounter>> {
    let current = lock_sent(conn, auth, patient, external_id)?;
    if current.cancelled_at.is_some() {
        return Ok(None);
    }
    if current.discharged_at.is_some() {
        return Err(ApiError::Conflict(
            "This stay has a discharge: cancel the discharge first, then the admission.".into(),
        ));
    }
    let cancelled = store::cancel(conn, auth, &current, reason, now)?;
    rules::admission_cancelled(conn, auth, &cancelled, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EncounterCancel)
            .on(cancelled.id)
            .patient(cancelled.patient_id)
            .details(json!({"external_id": cancelled.external_id, "reason": reason})),
    )?;
    Ok(Some(cancelled))
}

/// An integration takes back the discharge of the encounter it sent as
/// `external_id` (HL7 A13): no discharge time or disposition any more, and
/// the transition follow-up the discharge opened is cancelled with
/// `reason` unless it was already done (`rules`). A stay without a
/// discharge is left as it is (`None`: nothing changed, nothing audited);
/// a cancelled admission is a 409.
pub fn cancel_discharge(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    external_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<Encounter>> {
    let current = lock_sent(conn, auth, patient, external_id)?;
    if current.cancelled_at.is_some() {
        return Err(ApiError::Conflict(
            "This admission was cancelled; there is no discharge to take back.".into(),
        ));
    }
    if current.discharged_at.is_none() {
        return Ok(None);
    }
    let reopened = store::clear_discharge(conn, auth, &current, now)?;
    let cancelled_tasks = rules::discharge_cancelled(conn, auth, &current, reason, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EncounterDischargeCancel)
            .on(reopened.id)
            .patient(reopened.patient_id)
            .details(json!({
                "external_id": reopened.external_id,
                "discharged_at": current.discharged_at,
                "followup_cancelled": cancelled_tasks > 0,
                "reason": reason,
            })),
    )?;
    Ok(Some(reopened))
}

/// The encounter an integration sent as `external_id`, if any, with its
/// admission cancellation taken back when `reinstate` (the sender admits
/// or discharges the visit again after an A11). Locked for the resend that
/// follows.
pub fn find_sent(
    conn: &mut PgConnection,
    auth: &Authorized,
    external_id: &str,
    reinstate: bool,
    now: DateTime<Utc>,
) -> ApiResult<Option<Encounter>> {
    let Some((current, _)) = store::lock_by_external_id(conn, auth, external_id)? else {
        return Ok(None);
    };
    if reinstate && current.cancelled_at.is_some() {
        let back = store::reinstate(conn, auth, &current, now)?;
        rules::admission_reinstated(conn, auth, &back, now)?;
        return Ok(Some(back));
    }
    Ok(Some(current))
}
