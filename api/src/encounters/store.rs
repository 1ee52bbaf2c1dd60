//! Encounters in the database.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::encounters::{Encounter, EncounterKind, NewEncounter, Source};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::encounters;

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
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Encounter {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Encounter> {
        Ok(Encounter {
            id: r.id,
            patient_id: r.patient_id,
            kind: r.kind.parse().map_err(ApiError::internal)?,
            facility: r.facility,
            admitted_at: r.admitted_at,
            discharged_at: r.discharged_at,
            discharge_disposition: r.discharge_disposition,
            source: r.source.parse().map_err(ApiError::internal)?,
            external_id: r.external_id,
            followup_task_id: r.followup_task_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Encounter `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Encounter> {
    encounters::table
        .filter(encounters::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("encounter"))?
        .try_into()
}

/// The encounter an integration sent with `external_id`, locked for update.
pub fn lock_by_external_id(
    conn: &mut PgConnection,
    org: Uuid,
    external_id: &str,
) -> ApiResult<Option<Encounter>> {
    encounters::table
        .filter(encounters::organization_id.eq(org))
        .filter(encounters::external_id.eq(external_id))
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(Encounter::try_from)
        .transpose()
}

/// Encounter `id` locked for update, checked against the expected version.
pub fn lock(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Encounter> {
    let e: Encounter = encounters::table
        .filter(encounters::organization_id.eq(org))
        .find(id)
        .select(Row::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("encounter"))?
        .try_into()?;
    if !expected.matches(e.version) {
        return Err(ApiError::PreconditionFailed { current: e.version });
    }
    Ok(e)
}

/// Records a new encounter.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    new: &NewEncounter,
    source: Source,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    let id = Uuid::now_v7();
    diesel::insert_into(encounters::table)
        .values((
            encounters::id.eq(id),
            encounters::organization_id.eq(org),
            encounters::patient_id.eq(new.patient_id),
            encounters::kind.eq(new.kind.as_ref()),
            encounters::facility.eq(new.facility.trim()),
            encounters::admitted_at.eq(new.admitted_at),
            encounters::discharged_at.eq(new.discharged_at),
            encounters::discharge_disposition.eq(&new.discharge_disposition),
            encounters::source.eq(source.as_ref()),
            encounters::external_id.eq(&new.external_id),
            encounters::created_at.eq(now),
            encounters::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// The values an encounter should have after a change.
#[derive(Debug, Clone)]
pub struct Values {
    /// Kind.
    pub kind: EncounterKind,
    /// Facility.
    pub facility: String,
    /// Admitted.
    pub admitted_at: DateTime<Utc>,
    /// Discharged.
    pub discharged_at: Option<DateTime<Utc>>,
    /// Disposition.
    pub discharge_disposition: Option<String>,
}

impl Values {
    /// The values `e` has now.
    pub fn of(e: &Encounter) -> Values {
        Values {
            kind: e.kind,
            facility: e.facility.clone(),
            admitted_at: e.admitted_at,
            discharged_at: e.discharged_at,
            discharge_disposition: e.discharge_disposition.clone(),
        }
    }

    fn same_as(&self, e: &Encounter) -> bool {
        self.kind == e.kind
            && self.facility == e.facility
            && self.admitted_at == e.admitted_at
            && self.discharged_at == e.discharged_at
            && self.discharge_disposition == e.discharge_disposition
    }
}

/// Writes `values` over a locked encounter; the version moves only when
/// something actually changed (an identical resend is a no-op).
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    current: &Encounter,
    values: Values,
    now: DateTime<Utc>,
) -> ApiResult<Encounter> {
    if values.same_as(current) {
        return Ok(current.clone());
    }
    diesel::update(encounters::table.find(current.id))
        .set((
            encounters::kind.eq(values.kind.as_ref()),
            encounters::facility.eq(values.facility.trim()),
            encounters::admitted_at.eq(values.admitted_at),
            encounters::discharged_at.eq(values.discharged_at),
            encounters::discharge_disposition.eq(values.discharge_disposition),
            encounters::version.eq(encounters::version + 1),
            encounters::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, current.id)
}

/// Links the transition follow-up the discharge created.
pub fn set_followup_task(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    task: Uuid,
) -> ApiResult<()> {
    diesel::update(
        encounters::table
            .filter(encounters::organization_id.eq(org))
            .filter(encounters::id.eq(id)),
    )
    .set(encounters::followup_task_id.eq(task))
    .execute(conn)?;
    Ok(())
}

/// Encounters of `org` (or one patient), newest admission first, after `(admitted_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Encounter>> {
    let mut q = encounters::table
        .filter(encounters::organization_id.eq(org))
        .into_boxed();
    if let Some(p) = patient {
        q = q.filter(encounters::patient_id.eq(p));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            encounters::admitted_at
                .lt(at)
                .or(encounters::admitted_at.eq(at).and(encounters::id.lt(id))),
        );
    }
    q.order((encounters::admitted_at.desc(), encounters::id.desc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Encounter::try_from)
        .collect()
}
