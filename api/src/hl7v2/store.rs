//! The HL7 v2 message log, the organization's assigning-authority mapping,
//! and matching PID-3 to patients. Every query is limited to the caller's
//! organization.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::hl7::{AckCode, IdentifierSystem};
use shared::ids::PatientId;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::schema::{hl7_identifier_systems, hl7_messages, patient_identifiers, patients};
use crate::store::{of_org, one_of_org, org_join};

/// A message as the log keys it.
#[derive(Debug, Clone)]
pub struct Key {
    /// MSH-3 and MSH-4.
    pub sender: String,
    /// MSH-10 (empty: cannot be resent as itself).
    pub control_id: String,
    /// MSH-9 as `ADT^A01`.
    pub message_type: String,
}

/// A message seen before, with how it was answered.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its log row.
    pub id: Uuid,
    /// How it was acknowledged.
    pub ack_code: String,
    /// The acknowledgment as sent.
    pub ack: String,
    /// The patient it was about, if matched.
    pub patient_id: Option<Uuid>,
}

/// The log row a message is answered under.
#[derive(Debug, Clone)]
pub enum Claim {
    /// First time: a new row.
    New(Uuid),
    /// Sent before under this key.
    Seen(Seen),
}

/// Takes the log row for `key`: a new one, or the row of the message sent
/// before with this control id by this sender, locked (a resend racing the
/// first send waits for it and then sees it).
pub fn claim(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: &Key,
    now: DateTime<Utc>,
) -> ApiResult<Claim> {
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(hl7_messages::table)
        .values((
            hl7_messages::id.eq(id),
            hl7_messages::organization_id.eq(auth.org().get()),
            hl7_messages::sender.eq(&key.sender),
            hl7_messages::control_id.eq(&key.control_id),
            hl7_messages::message_type.eq(&key.message_type),
            hl7_messages::received_at.eq(now),
            hl7_messages::ack_code.eq(AckCode::Reject.code()),
            hl7_messages::ack.eq(""),
            hl7_messages::principal_id.eq(auth.principal_id()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 1 {
        return Ok(Claim::New(id));
    }
    let (id, ack_code, ack, patient_id) = of_org!(hl7_messages, auth)
        .filter(hl7_messages::sender.eq(&key.sender))
        .filter(hl7_messages::control_id.eq(&key.control_id))
        .select((
            hl7_messages::id,
            hl7_messages::ack_code,
            hl7_messages::ack,
            hl7_messages::patient_id,
        ))
        .for_update()
        .first(conn)?;
    Ok(Claim::Seen(Seen {
        id,
        ack_code,
        ack,
        patient_id,
    }))
}

/// How a message was answered.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    /// The acknowledgment code.
    pub code: AckCode,
    /// The reason of an AE or AR.
    pub error: Option<&'a str>,
    /// The acknowledgment as sent.
    pub ack: &'a str,
    /// The patient it matched.
    pub patient_id: Option<PatientId>,
    /// The encounter it recorded or changed.
    pub encounter_id: Option<Uuid>,
}

/// Writes how the message logged as `id` was answered (a resend of a
/// refused message was tried again: the row says how, this time).
pub fn answer(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    message_type: &str,
    answer: &Answer,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::update(one_of_org!(hl7_messages, auth, id))
        .set((
            hl7_messages::message_type.eq(message_type),
            hl7_messages::received_at.eq(now),
            hl7_messages::ack_code.eq(answer.code.code()),
            hl7_messages::error.eq(answer.error),
            hl7_messages::ack.eq(answer.ack),
            hl7_messages::patient_id.eq(answer.patient_id.map(PatientId::get)),
            hl7_messages::encounter_id.eq(answer.encounter_id),
            hl7_messages::principal_id.eq(auth.principal_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The identifier systems the organization files `authorities`' identifiers
/// under, as `(authority, system)` pairs (only those mapped).
pub fn mapped_systems(
    conn: &mut PgConnection,
    auth: &Authorized,
    authorities: &[String],
) -> ApiResult<Vec<(String, String)>> {
    Ok(of_org!(hl7_identifier_systems, auth)
        .filter(hl7_identifier_systems::assigning_authority.eq_any(authorities))
        .select((
            hl7_identifier_systems::assigning_authority,
            hl7_identifier_systems::system,
        ))
        .load(conn)?)
}

/// The organization's patients (never another's) with any of the
/// `(system, value)` identifiers, each once.
pub fn patients_with(
    conn: &mut PgConnection,
    auth: &Authorized,
    identifiers: &[(String, String)],
) -> ApiResult<Vec<PatientId>> {
    let mut found: Vec<Uuid> = Vec::new();
    for (system, value) in identifiers {
        let ids: Vec<Uuid> = of_org!(patient_identifiers, auth)
            .inner_join(org_join!(
                patients,
                patient_identifiers,
                patients::id.eq(patient_identifiers::patient_id)
            ))
            .filter(patients::organization_id.eq(auth.org().get()))
            .filter(patient_identifiers::system.eq(system))
            .filter(patient_identifiers::value.eq(value))
            .select(patient_identifiers::patient_id)
            .load(conn)?;
        for id in ids {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    Ok(found.into_iter().map(PatientId::from).collect())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = hl7_identifier_systems)]
struct SystemRow {
    assigning_authority: String,
    system: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SystemRow> for IdentifierSystem {
    fn from(r: SystemRow) -> IdentifierSystem {
        IdentifierSystem {
            assigning_authority: r.assigning_authority,
            system: r.system,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The organization's mapped authorities, by name, after the paging key.
pub fn list_systems(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<String>,
) -> ApiResult<Vec<IdentifierSystem>> {
    let mut q = of_org!(hl7_identifier_systems, auth).into_boxed();
    if let Some(after) = paging.after.clone() {
        q = q.filter(hl7_identifier_systems::assigning_authority.gt(after));
    }
    Ok(q.order(hl7_identifier_systems::assigning_authority.asc())
        .limit(paging.fetch())
        .select(SystemRow::as_select())
        .load(conn)?
        .into_iter()
        .map(IdentifierSystem::from)
        .collect())
}

/// `authority`'s mapping, if set (locked for a change when `lock`).
pub fn find_system(
    conn: &mut PgConnection,
    auth: &Authorized,
    authority: &str,
    lock: bool,
) -> ApiResult<Option<IdentifierSystem>> {
    let q = of_org!(hl7_identifier_systems, auth)
        .filter(hl7_identifier_systems::assigning_authority.eq(authority))
        .select(SystemRow::as_select());
    let row = if lock {
        q.for_update().first(conn).optional()?
    } else {
        q.first(conn).optional()?
    };
    Ok(row.map(IdentifierSystem::from))
}

/// Sets `authority`'s system: creates the mapping at version 1 or moves
/// the version on.
pub fn put_system(
    conn: &mut PgConnection,
    auth: &Authorized,
    authority: &str,
    system: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::insert_into(hl7_identifier_systems::table)
        .values((
            hl7_identifier_systems::organization_id.eq(auth.org().get()),
            hl7_identifier_systems::assigning_authority.eq(authority),
            hl7_identifier_systems::system.eq(system),
            hl7_identifier_systems::created_at.eq(now),
            hl7_identifier_systems::updated_at.eq(now),
        ))
        .on_conflict((
            hl7_identifier_systems::organization_id,
            hl7_identifier_systems::assigning_authority,
        ))
        .do_update()
        .set((
            hl7_identifier_systems::system.eq(system),
            hl7_identifier_systems::version.eq(hl7_identifier_systems::version + 1),
            hl7_identifier_systems::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
