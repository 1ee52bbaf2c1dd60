//! Appointments in the database. Every query is limited to the caller's
//! organization.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::dsl::array;
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use shared::appointments::{Appointment, AppointmentStatus, AppointmentValues, NewAppointment};
use shared::ids::{PatientId, TaskId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{appointments, patients};
use crate::store::{self, Writer, code, of_org, one_of_org, scoped_rows};

const NOUN: &str = "appointment";

#[derive(Queryable, Selectable)]
#[diesel(table_name = appointments)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    provider_name: String,
    kind: String,
    scheduled_at: DateTime<Utc>,
    location: Option<String>,
    status: String,
    status_changed_at: Option<DateTime<Utc>>,
    notes: Option<String>,
    source: String,
    external_id: Option<String>,
    followup_task_id: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Appointment {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Appointment> {
        Ok(Appointment {
            id: r.id,
            patient_id: r.patient_id.into(),
            provider_name: r.provider_name,
            kind: code(&r.kind)?,
            scheduled_at: r.scheduled_at,
            location: r.location,
            status: code(&r.status)?,
            status_changed_at: r.status_changed_at,
            notes: r.notes,
            source: code(&r.source)?,
            external_id: r.external_id,
            followup_task_id: r.followup_task_id.map(TaskId::from),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

scoped_rows!(appointments, Row);

/// Appointment `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Appointment> {
    let row = rows(auth)
        .filter(appointments::id.eq(id))
        .first(conn)
        .optional()?;
    store::one(row, NOUN)
}

/// Appointment `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Appointment> {
    let row = rows(auth)
        .filter(appointments::id.eq(id))
        .for_update()
        .first(conn)
        .optional()?;
    store::locked(row, NOUN, expected)
}

/// The appointment an integration sent as `external_id`, locked for a resend,
/// with the version it had after that send.
pub fn lock_by_external_id(
    conn: &mut PgConnection,
    auth: &Authorized,
    external_id: &str,
) -> ApiResult<Option<(Appointment, Option<i32>)>> {
    let row: Option<(Row, Option<i32>)> = of_org!(appointments, auth)
        .filter(appointments::external_id.eq(external_id.to_owned()))
        .select((Row::as_select(), appointments::synced_version))
        .for_update()
        .first(conn)
        .optional()?;
    row.map(|(row, synced)| Ok((Appointment::try_from(row)?, synced)))
        .transpose()
}

/// Records a new appointment.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: &NewAppointment,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    let id = Uuid::now_v7();
    let status = new.status.unwrap_or_default();
    diesel::insert_into(appointments::table)
        .values((
            appointments::id.eq(id),
            appointments::organization_id.eq(auth.org().get()),
            appointments::patient_id.eq(new.patient_id.get()),
            appointments::provider_name.eq(&new.provider_name),
            appointments::kind.eq(new.kind.as_ref()),
            appointments::scheduled_at.eq(new.scheduled_at),
            appointments::location.eq(&new.location),
            appointments::status.eq(status.as_ref()),
            appointments::status_changed_at
                .eq((status != AppointmentStatus::Scheduled).then_some(now)),
            appointments::notes.eq(&new.notes),
            appointments::source.eq(auth.source().as_ref()),
            appointments::external_id.eq(&new.external_id),
            appointments::synced_version.eq(1),
            appointments::created_at.eq(now),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// Writes `values` over a locked appointment; nothing moves when nothing changed.
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    current: &Appointment,
    values: &AppointmentValues,
    writer: Writer,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    if values.same_as(current) {
        return Ok(current.clone());
    }
    let status_changed = values.status != current.status;
    diesel::update(one_of_org!(appointments, auth, current.id))
        .set((
            appointments::provider_name.eq(&values.provider_name),
            appointments::kind.eq(values.kind.as_ref()),
            appointments::scheduled_at.eq(values.scheduled_at),
            appointments::location.eq(&values.location),
            appointments::status.eq(values.status.as_ref()),
            appointments::notes.eq(&values.notes),
            status_changed.then(|| appointments::status_changed_at.eq(now)),
            appointments::version.eq(appointments::version + 1),
            (writer == Writer::Sender)
                .then(|| appointments::synced_version.eq((appointments::version + 1).nullable())),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, current.id)
}

/// Links the follow-up task a miss created.
pub fn set_followup_task(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    task: TaskId,
) -> ApiResult<()> {
    diesel::update(one_of_org!(appointments, auth, id))
        .set(appointments::followup_task_id.eq(task.get()))
        .execute(conn)?;
    Ok(())
}

/// When the patient's missed appointments since `since` were scheduled.
pub fn missed_since(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    since: DateTime<Utc>,
) -> ApiResult<Vec<DateTime<Utc>>> {
    Ok(of_org!(appointments, auth)
        .filter(appointments::patient_id.eq(patient.get()))
        .filter(appointments::status.eq(AppointmentStatus::Missed.as_ref()))
        .filter(appointments::scheduled_at.ge(since))
        .select(appointments::scheduled_at)
        .load(conn)?)
}

/// When the outer query's patient (a query over `patients`) missed
/// appointments since `since`: a correlated subquery on
/// `appointments_missed_idx`, so a list of patients or of their tasks
/// reads each one's misses in its own statement.
pub fn missed_by_patient_since(since: DateTime<Utc>) -> MissedByPatientSince {
    array(misses_of_patient(since))
}

/// The SQL of [`missed_by_patient_since`].
pub type MissedByPatientSince = diesel::dsl::array<Timestamptz, misses_of_patient>;

#[diesel::dsl::auto_type]
fn misses_of_patient(since: DateTime<Utc>) -> _ {
    let missed: store::OneOf<Missed> = store::OneOf::default();
    appointments::table
        .filter(appointments::organization_id.eq(patients::organization_id))
        .filter(appointments::patient_id.eq(patients::id))
        .filter(missed)
        .filter(appointments::scheduled_at.ge(since))
        .select(appointments::scheduled_at)
}

/// `'missed'`, as `appointments_missed_idx` names it.
#[derive(Debug, Clone, Copy)]
pub struct Missed;

impl store::Codes for Missed {
    type Column = appointments::status;
    type Code = AppointmentStatus;
    const CODES: &'static [AppointmentStatus] = &[AppointmentStatus::Missed];
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Patient.
    pub patient_id: Option<PatientId>,
    /// Status.
    pub status: Option<AppointmentStatus>,
}

/// Appointments, latest first, after the `(scheduled_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Appointment>> {
    let mut q = rows(auth).into_boxed();
    if let Some(p) = filter.patient_id {
        q = q.filter(appointments::patient_id.eq(p.get()));
    }
    if let Some(s) = filter.status {
        q = q.filter(appointments::status.eq(s.as_ref().to_string()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            appointments::scheduled_at
                .lt(at)
                .or(appointments::scheduled_at
                    .eq(at)
                    .and(appointments::id.lt(id))),
        );
    }
    q.order((appointments::scheduled_at.desc(), appointments::id.desc()))
        .limit(paging.fetch())
        .load(conn)?
        .into_iter()
        .map(Appointment::try_from)
        .collect()
}
