//! Appointments in the database.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::appointments::{Appointment, AppointmentKind, AppointmentStatus, NewAppointment};
use shared::encounters::Source;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::appointments;

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
            patient_id: r.patient_id,
            provider_name: r.provider_name,
            kind: r.kind.parse().map_err(ApiError::internal)?,
            scheduled_at: r.scheduled_at,
            location: r.location,
            status: r.status.parse().map_err(ApiError::internal)?,
            status_changed_at: r.status_changed_at,
            notes: r.notes,
            source: r.source.parse().map_err(ApiError::internal)?,
            external_id: r.external_id,
            followup_task_id: r.followup_task_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Appointment `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Appointment> {
    appointments::table
        .filter(appointments::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("appointment"))?
        .try_into()
}

/// The appointment an integration sent with `external_id`, locked for update.
pub fn lock_by_external_id(
    conn: &mut PgConnection,
    org: Uuid,
    external_id: &str,
) -> ApiResult<Option<Appointment>> {
    appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::external_id.eq(external_id))
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(Appointment::try_from)
        .transpose()
}

/// Appointment `id` locked for update, checked against the expected version.
pub fn lock(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Appointment> {
    let a: Appointment = appointments::table
        .filter(appointments::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("appointment"))?
        .try_into()?;
    if !expected.matches(a.version) {
        return Err(ApiError::PreconditionFailed { current: a.version });
    }
    Ok(a)
}

/// Records a new appointment.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    new: &NewAppointment,
    source: Source,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    let id = Uuid::now_v7();
    let status = new.status.unwrap_or_default();
    diesel::insert_into(appointments::table)
        .values((
            appointments::id.eq(id),
            appointments::organization_id.eq(org),
            appointments::patient_id.eq(new.patient_id),
            appointments::provider_name.eq(new.provider_name.trim()),
            appointments::kind.eq(new.kind.as_ref()),
            appointments::scheduled_at.eq(new.scheduled_at),
            appointments::location.eq(&new.location),
            appointments::status.eq(status.as_ref()),
            appointments::status_changed_at
                .eq((status != AppointmentStatus::Scheduled).then_some(now)),
            appointments::notes.eq(&new.notes),
            appointments::source.eq(source.as_ref()),
            appointments::external_id.eq(&new.external_id),
            appointments::created_at.eq(now),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// The values an appointment should have after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Values {
    /// Provider.
    pub provider_name: String,
    /// Kind.
    pub kind: AppointmentKind,
    /// When.
    pub scheduled_at: DateTime<Utc>,
    /// Where.
    pub location: Option<String>,
    /// Status.
    pub status: AppointmentStatus,
    /// Notes.
    pub notes: Option<String>,
}

impl Values {
    /// The values `a` has now.
    pub fn of(a: &Appointment) -> Values {
        Values {
            provider_name: a.provider_name.clone(),
            kind: a.kind,
            scheduled_at: a.scheduled_at,
            location: a.location.clone(),
            status: a.status,
            notes: a.notes.clone(),
        }
    }
}

/// Writes `values` over a locked appointment; nothing moves when nothing changed.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    current: &Appointment,
    values: Values,
    now: DateTime<Utc>,
) -> ApiResult<Appointment> {
    if values == Values::of(current) {
        return Ok(current.clone());
    }
    let status_changed = values.status != current.status;
    diesel::update(appointments::table.find(current.id))
        .set((
            appointments::provider_name.eq(values.provider_name.trim()),
            appointments::kind.eq(values.kind.as_ref()),
            appointments::scheduled_at.eq(values.scheduled_at),
            appointments::location.eq(values.location),
            appointments::status.eq(values.status.as_ref()),
            appointments::notes.eq(values.notes),
            status_changed.then(|| appointments::status_changed_at.eq(now)),
            appointments::version.eq(appointments::version + 1),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, current.id)
}

/// Links the follow-up task a miss created.
pub fn set_followup_task(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    task: Uuid,
) -> ApiResult<()> {
    diesel::update(
        appointments::table
            .filter(appointments::organization_id.eq(org))
            .filter(appointments::id.eq(id)),
    )
    .set(appointments::followup_task_id.eq(task))
    .execute(conn)?;
    Ok(())
}

/// When the patient's missed appointments since `since` were scheduled.
pub fn missed_since(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    since: DateTime<Utc>,
) -> ApiResult<Vec<DateTime<Utc>>> {
    Ok(appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::patient_id.eq(patient))
        .filter(appointments::status.eq(AppointmentStatus::Missed.as_ref()))
        .filter(appointments::scheduled_at.ge(since))
        .select(appointments::scheduled_at)
        .load(conn)?)
}

/// Of `patients`, those with a disengagement pattern at `now`.
pub fn disengaged_among(
    conn: &mut PgConnection,
    org: Uuid,
    patients: &[Uuid],
    now: DateTime<Utc>,
) -> ApiResult<Vec<Uuid>> {
    let since = now - chrono::Duration::days(shared::appointments::DISENGAGEMENT_WINDOW_DAYS);
    let rows: Vec<(Uuid, DateTime<Utc>)> = appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::patient_id.eq_any(patients))
        .filter(appointments::status.eq(AppointmentStatus::Missed.as_ref()))
        .filter(appointments::scheduled_at.ge(since))
        .select((appointments::patient_id, appointments::scheduled_at))
        .load(conn)?;
    let mut by_patient: std::collections::HashMap<Uuid, Vec<DateTime<Utc>>> =
        std::collections::HashMap::new();
    for (p, t) in rows {
        by_patient.entry(p).or_default().push(t);
    }
    Ok(by_patient
        .into_iter()
        .filter(|(_, misses)| shared::appointments::is_disengaged(misses, now))
        .map(|(p, _)| p)
        .collect())
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Patient.
    pub patient_id: Option<Uuid>,
    /// Status.
    pub status: Option<AppointmentStatus>,
}

/// Appointments of `org`, latest first, after the `(scheduled_at, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    filter: &Filter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Appointment>> {
    let mut q = appointments::table
        .filter(appointments::organization_id.eq(org))
        .into_boxed();
    if let Some(p) = filter.patient_id {
        q = q.filter(appointments::patient_id.eq(p));
    }
    if let Some(s) = filter.status {
        q = q.filter(appointments::status.eq(s.as_ref().to_string()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            appointments::scheduled_at
                .lt(at)
                .or(appointments::scheduled_at
                    .eq(at)
                    .and(appointments::id.lt(id))),
        );
    }
    q.order((appointments::scheduled_at.desc(), appointments::id.desc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Appointment::try_from)
        .collect()
}
