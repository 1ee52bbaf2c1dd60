//! Contacts in the database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::contacts::{Consent, Contact, ContactPatch, NewContact};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::contacts;

#[derive(Queryable, Selectable)]
#[diesel(table_name = contacts)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    name: String,
    relationship: String,
    phone: Option<String>,
    email: Option<String>,
    emergency_contact: bool,
    consent_scope: Option<String>,
    consent_starts_on: Option<NaiveDate>,
    consent_expires_on: Option<NaiveDate>,
    notes: Option<String>,
    active: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Contact {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Contact> {
        let consent = match (r.consent_scope, r.consent_starts_on) {
            (Some(scope), Some(starts_on)) => Some(Consent {
                scope: scope.parse().map_err(ApiError::internal)?,
                starts_on,
                expires_on: r.consent_expires_on,
            }),
            _ => None,
        };
        Ok(Contact {
            id: r.id,
            patient_id: r.patient_id,
            name: r.name,
            relationship: r.relationship.parse().map_err(ApiError::internal)?,
            phone: r.phone,
            email: r.email,
            emergency_contact: r.emergency_contact,
            consent,
            notes: r.notes,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Contact `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Contact> {
    contacts::table
        .filter(contacts::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("contact"))?
        .try_into()
}

/// The patient's contacts by name, after the `(name, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Contact>> {
    let mut q = contacts::table
        .filter(contacts::organization_id.eq(org))
        .filter(contacts::patient_id.eq(patient))
        .into_boxed();
    if let Some((name, id)) = after {
        q = q.filter(
            contacts::name
                .gt(name.clone())
                .or(contacts::name.eq(name).and(contacts::id.gt(id))),
        );
    }
    q.order((contacts::name.asc(), contacts::id.asc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Contact::try_from)
        .collect()
}

/// Records a contact.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    new: &NewContact,
    now: DateTime<Utc>,
) -> ApiResult<Contact> {
    let id = Uuid::now_v7();
    diesel::insert_into(contacts::table)
        .values((
            contacts::id.eq(id),
            contacts::organization_id.eq(org),
            contacts::patient_id.eq(patient),
            contacts::name.eq(new.name.trim()),
            contacts::relationship.eq(new.relationship.as_ref()),
            contacts::phone.eq(&new.phone),
            contacts::email.eq(&new.email),
            contacts::emergency_contact.eq(new.emergency_contact),
            contacts::consent_scope.eq(new.consent.as_ref().map(|c| c.scope.as_ref())),
            contacts::consent_starts_on.eq(new.consent.as_ref().map(|c| c.starts_on)),
            contacts::consent_expires_on.eq(new.consent.as_ref().and_then(|c| c.expires_on)),
            contacts::notes.eq(&new.notes),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = contacts)]
struct Changes {
    name: Option<String>,
    relationship: Option<String>,
    phone: Option<Option<String>>,
    email: Option<Option<String>>,
    emergency_contact: Option<bool>,
    consent_scope: Option<Option<String>>,
    consent_starts_on: Option<Option<NaiveDate>>,
    consent_expires_on: Option<Option<NaiveDate>>,
    notes: Option<Option<String>>,
    active: Option<bool>,
}

/// Applies a validated patch if the contact has the expected version; returns it before and after.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
    patch: &ContactPatch,
    now: DateTime<Utc>,
) -> ApiResult<(Contact, Contact)> {
    let before: Contact = contacts::table
        .filter(contacts::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("contact"))?
        .try_into()?;
    if !expected.matches(before.version) {
        return Err(ApiError::PreconditionFailed {
            current: before.version,
        });
    }
    let consent = patch.consent.clone();
    let changes = Changes {
        name: patch.name.as_ref().map(|n| n.trim().to_string()),
        relationship: patch.relationship.map(|r| r.as_ref().to_string()),
        phone: patch.phone.clone(),
        email: patch.email.clone(),
        emergency_contact: patch.emergency_contact,
        consent_scope: consent
            .as_ref()
            .map(|c| c.as_ref().map(|c| c.scope.as_ref().to_string())),
        consent_starts_on: consent.as_ref().map(|c| c.as_ref().map(|c| c.starts_on)),
        consent_expires_on: consent
            .as_ref()
            .map(|c| c.as_ref().and_then(|c| c.expires_on)),
        notes: patch.notes.clone(),
        active: patch.active,
    };
    diesel::update(contacts::table.find(id))
        .set((
            changes,
            contacts::version.eq(contacts::version + 1),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok((before, get(conn, org, id)?))
}
