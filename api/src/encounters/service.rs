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
    audit::record(
        conn,
        auth.actor(),
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
    audit::record(
        conn,
        auth.actor(),
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
