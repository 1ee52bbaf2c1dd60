//! Encounters in the database. Every query is limited to the caller's
//! organization.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use shared::encounters::{Encounter, EncounterValues, NewEncounter};
use shared::ids::{PatientId, TaskId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::encounters;
use crate::store::{self, Writer, code, of_org, one_of_org, scoped_rows};

const NOUN: &str = "encounter";

#[derive(Queryable, Selectable)]
#[diesel(table_name = encounters)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    kind: String,
    facility: String,
    admitted_at: DateTime<Utc>,
    discharged_at: Option<DateTime<Utc>>,
    discharge_disposition: Option<String>,
    source: String,
    external_id: Option<String>,
    followup_task_id: Option<Uuid>,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Encounter {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Encounter> {
        Ok(Encounter {
            id: r.id,
            patient_id: r.patient_id.into(),
            kind: code(&r.kind)?,
            facility: r.facility,
            admitted_at: r.admitted_at,
            discharged_at: r.discharged_at,
            discharge_disposition: r.discharge_disposition,
            source: code(&r.source)?,
            external_id: r.external_id,
            followup_task_id: r.followup_task_id.map(TaskId::from),
            cancelled_at: r.cancelled_at,
            cancel_reason: r.cancel_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

scoped_rows!(encounters, Row);

/// Encounter `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Encounter> {
    store::one(
        rows(auth)
            .filter(encounters::id.eq(id))
            .first(conn)
            .optional()?,
        NOUN,
    )
}

/// Encounter `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Encounter> {
    store::locked(
        rows(auth)
            .filter(encounters::id.eq(id))
            .for_update()
            .first(conn)
            .optional()?,
        NOUN,
        expected,
    )
}

/// The encounter an integration sent as `external_id`, locked for a resend,
/// with the version it had after that send.
pub fn lock_by_external_id(
    conn: &mut PgConnection,
    auth: &Authorized,
    external_id: &str,
) -> ApiResult<Option<(Encounter, Option<i32>)>> {
    let row: Option<(Row, Option<i32>)> = of_org!(encounters, auth)
        .filter(encounters::external_id.eq(external_id.to_owned()))
        .select((Row::as_select(), encounters::synced_version))
        .for_update()
        .first(conn)
        .optional()?;
    row.map(|(row, synced)| Ok((Encounter::try_from(row)?, synced)))
        .transpose()
}

/// Records a new encounter.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: &NewEncounter,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    let id = Uuid::now_v7();
    diesel::insert_into(encounters::table)
        .values((
            encounters::id.eq(id),
            encounters::organization_id.eq(auth.org().get()),
            encounters::patient_id.eq(new.patient_id.get()),
            encounters::kind.eq(new.kind.as_ref()),
            encounters::facility.eq(&new.facility),
            encounters::admitted_at.eq(new.admitted_at),
            encounters::discharged_at.eq(new.discharged_at),
            encounters::discharge_disposition.eq(&new.discharge_disposition),
            encounters::source.eq(auth.source().as_ref()),
            encounters::external_id.eq(&new.external_id),
            encounters::synced_version.eq(1),
            encounters::created_at.eq(now),
            encounters::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// Writes `values` over a locked encounter; the version moves only when
/// something actually changed (an identical resend is a no-op).
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Encounter,
    values: &EncounterValues,
    writer: Writer,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    if values.same_as(current) {
        return Ok(current.clone());
    }
    diesel::update(one_of_org!(encounters, auth, current.id))
        .set((
            encounters::kind.eq(values.kind.as_ref()),
            encounters::facility.eq(&values.facility),
            encounters::admitted_at.eq(values.admitted_at),
            encounters::discharged_at.eq(values.discharged_at),
            encounters::discharge_disposition.eq(&values.discharge_disposition),
            encounters::version.eq(encounters::version + 1),
            (writer == Writer::Sender)
                .then(|| encounters::synced_version.eq((encounters::version + 1).nullable())),
            encounters::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, current.id)
}

/// Applies `columns` to a locked encounter that a sender's message changed,
/// as a new version that is also the synced one (the sender's own change),
/// and reads it back.
fn change<C>(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Encounter,
    now: DateTime<Utc>,
    columns: C,
) -> ApiResult<Encounter>
where
    C: AsChangeset<Target = encounters::table>,
    C::Changeset: QueryFragment<Pg>,
{
    diesel::update(one_of_org!(encounters, auth, current.id))
        .set((
            columns,
            encounters::version.eq(encounters::version + 1),
            encounters::synced_version.eq((encounters::version + 1).nullable()),
            encounters::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, current.id)
}

/// Marks a locked encounter's admission cancelled (an integration's A11).
pub fn cancel(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Encounter,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    change(
        conn,
        auth,
        current,
        now,
        (
            encounters::cancelled_at.eq(now),
            encounters::cancel_reason.eq(reason),
        ),
    )
}

/// Takes back a locked encounter's cancellation: the sender admits the
/// same visit again.
pub fn reinstate(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Encounter,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    change(
        conn,
        auth,
        current,
        now,
        (
            encounters::cancelled_at.eq(None::<DateTime<Utc>>),
            encounters::cancel_reason.eq(None::<String>),
        ),
    )
}

/// Takes a locked encounter's discharge back (an integration's A13): no
/// discharge time, disposition or follow-up link.
pub fn clear_discharge(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Encounter,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    change(
        conn,
        auth,
        current,
        now,
        (
            encounters::discharged_at.eq(None::<DateTime<Utc>>),
            encounters::discharge_disposition.eq(None::<String>),
            encounters::followup_task_id.eq(None::<Uuid>),
        ),
    )
}

/// Links the transition follow-up the discharge created.
pub fn set_followup_task(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    task: TaskId,
) -> ApiResult<()> {
    diesel::update(one_of_org!(encounters, auth, id))
        .set(encounters::followup_task_id.eq(task.get()))
        .execute(conn)?;
    Ok(())
}

/// Encounters (all, or one patient's), newest admission first, after the
/// `(admitted_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: Option<PatientId>,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Encounter>> {
    let mut q = rows(auth)
        .filter(encounters::cancelled_at.is_null())
        .into_boxed();
    if let Some(p) = patient {
        q = q.filter(encounters::patient_id.eq(p.get()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            encounters::admitted_at
                .lt(at)
                .or(encounters::admitted_at.eq(at).and(encounters::id.lt(id))),
        );
    }
    q.order((encounters::admitted_at.desc(), encounters::id.desc()))
        .limit(paging.fetch())
        .load(conn)?
        .into_iter()
        .map(Encounter::try_from)
        .collect()
}
