//! Scheduled duties in the database: one row per patient, kind and cycle,
//! so a duty opens its task once however many processes find it due.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::PatientId;
use shared::schedule::DutyKind;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::schema::scheduled_duties;

/// Records a duty; answers its id when it is new, `None` when this cycle
/// was already opened.
pub fn open(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    kind: DutyKind,
    cycle: &str,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(scheduled_duties::table)
        .values((
            scheduled_duties::id.eq(id),
            scheduled_duties::organization_id.eq(auth.org().get()),
            scheduled_duties::patient_id.eq(patient.get()),
            scheduled_duties::kind.eq(kind.as_ref()),
            scheduled_duties::cycle.eq(cycle),
            scheduled_duties::due_on.eq(due_on),
            scheduled_duties::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok((inserted == 1).then_some(id))
}
