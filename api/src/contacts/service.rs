//! The contact use cases: a patient's family, friends and caregivers, and
//! what the patient consents to share with each.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::contacts::{Contact, ContactPatch, NewContact};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::contacts::store;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::patients::store as patients;

/// A patient's contacts, by name.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Page<Contact>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::ContactList, patient)?;
    Ok(paging.page(rows, |c| (c.name.clone(), c.id)))
}

/// Adds a contact to a patient.
pub fn add(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewContact>,
    now: DateTime<Utc>,
) -> ApiResult<Contact> {
    patients::ensure(conn, auth, patient)?;
    let draft = new.into_inner().into_contact(Uuid::now_v7(), patient, now);
    let contact = store::insert(conn, auth, &draft)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ContactCreate)
            .on(contact.id)
            .patient(patient)
            .details(json!({"consent": contact.consent})),
    )?;
    Ok(contact)
}

/// Changes a contact or their consent (`null` records its withdrawal).
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<ContactPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Contact> {
    let before = store::lock(conn, auth, id, expected)?;
    let mut after = before.clone();
    patch.into_inner().apply_to(&mut after);
    let saved = store::save(conn, auth, &after, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ContactUpdate)
            .on(id)
            .patient(saved.patient_id)
            .details(json!({"consent_before": before.consent, "consent_after": saved.consent})),
    )?;
    Ok(saved)
}
