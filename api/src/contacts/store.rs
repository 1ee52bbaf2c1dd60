//! Contacts in the database. Every query is limited to the caller's
//! organization.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives take the optional borrowed columns by reference"
)]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::contacts::{Consent, Contact};
use shared::ids::PatientId;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::contacts;
use crate::store::{self, code, one_of_org, scoped_rows};

const NOUN: &str = "contact";

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
                scope: code(&scope)?,
                starts_on,
                expires_on: r.consent_expires_on,
            }),
            _ => None,
        };
        Ok(Contact {
            id: r.id,
            patient_id: r.patient_id.into(),
            name: r.name,
            relationship: code(&r.relationship)?,
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

/// The columns a contact's record writes: one list for adding and saving.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
struct Columns<'a> {
    name: &'a str,
    relationship: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    emergency_contact: bool,
    consent_scope: Option<&'a str>,
    consent_starts_on: Option<NaiveDate>,
    consent_expires_on: Option<NaiveDate>,
    notes: Option<&'a str>,
    active: bool,
}

impl<'a> From<&'a Contact> for Columns<'a> {
    fn from(c: &'a Contact) -> Columns<'a> {
        let consent = c.consent.as_ref();
        Columns {
            name: &c.name,
            relationship: c.relationship.as_ref(),
            phone: c.phone.as_deref(),
            email: c.email.as_deref(),
            emergency_contact: c.emergency_contact,
            consent_scope: consent.map(|c| c.scope.as_ref()),
            consent_starts_on: consent.map(|c| c.starts_on),
            consent_expires_on: consent.and_then(|c| c.expires_on),
            notes: c.notes.as_deref(),
            active: c.active,
        }
    }
}

scoped_rows!(contacts, Row);

/// Contact `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Contact> {
    let row = rows(auth)
        .filter(contacts::id.eq(id))
        .first(conn)
        .optional()?;
    store::one(row, NOUN)
}

/// Contact `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Contact> {
    let row = rows(auth)
        .filter(contacts::id.eq(id))
        .for_update()
        .first(conn)
        .optional()?;
    store::locked(row, NOUN, expected)
}

/// The patient's contacts by name, after the `(name, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Vec<Contact>> {
    let mut q = rows(auth)
        .filter(contacts::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some((name, id)) = paging.after.clone() {
        q = q.filter(
            contacts::name
                .gt(name.clone())
                .or(contacts::name.eq(name).and(contacts::id.gt(id))),
        );
    }
    q.order((contacts::name.asc(), contacts::id.asc()))
        .limit(paging.fetch())
        .load(conn)?
        .into_iter()
        .map(Contact::try_from)
        .collect()
}

/// Records a contact the service built.
pub fn insert(conn: &mut PgConnection, auth: &Authorized, c: &Contact) -> ApiResult<Contact> {
    diesel::insert_into(contacts::table)
        .values((
            contacts::id.eq(c.id),
            contacts::organization_id.eq(auth.org().get()),
            contacts::patient_id.eq(c.patient_id.get()),
            Columns::from(c),
            contacts::created_at.eq(c.created_at),
            contacts::updated_at.eq(c.updated_at),
        ))
        .execute(conn)?;
    get(conn, auth, c.id)
}

/// Writes `after` over a locked contact and moves its version on.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Contact,
    now: DateTime<Utc>,
) -> ApiResult<Contact> {
    diesel::update(one_of_org!(contacts, auth, after.id))
        .set((
            Columns::from(after),
            contacts::version.eq(contacts::version + 1),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, after.id)
}
