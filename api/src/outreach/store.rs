//! Outreach attempts in the database (append-only: attempts are facts).

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::{PatientId, TaskId, UserId};
use shared::outreach::{NewOutreachAttempt, OutreachAttempt};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::outreach_attempts as attempts;
use crate::store::{code, of_org};

#[derive(Queryable, Selectable)]
#[diesel(table_name = attempts)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    task_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    shared_scope: Option<String>,
    method: String,
    outcome: String,
    notes: Option<String>,
    occurred_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for OutreachAttempt {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<OutreachAttempt> {
        Ok(OutreachAttempt {
            id: r.id,
            patient_id: r.patient_id.into(),
            task_id: r.task_id.map(TaskId::from),
            contact_id: r.contact_id,
            shared_scope: r.shared_scope.as_deref().map(code).transpose()?,
            method: code(&r.method)?,
            outcome: code(&r.outcome)?,
            notes: r.notes,
            occurred_at: r.occurred_at,
            created_by: r.created_by.map(UserId::from),
            created_at: r.created_at,
        })
    }
}

/// Records an attempt.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: &NewOutreachAttempt,
    now: DateTime<Utc>,
) -> ApiResult<OutreachAttempt> {
    let row = diesel::insert_into(attempts::table)
        .values((
            attempts::id.eq(Uuid::now_v7()),
            attempts::organization_id.eq(auth.org().get()),
            attempts::patient_id.eq(patient.get()),
            attempts::task_id.eq(new.task_id.map(TaskId::get)),
            attempts::contact_id.eq(new.contact_id),
            attempts::shared_scope.eq(new.shared_scope.map(|s| s.as_ref().to_string())),
            attempts::method.eq(new.method.as_ref()),
            attempts::outcome.eq(new.outcome.as_ref()),
            attempts::notes.eq(&new.notes),
            attempts::occurred_at.eq(new.occurred_at.unwrap_or(now)),
            attempts::created_by.eq(auth.user_id().map(UserId::get)),
            attempts::created_at.eq(now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)?;
    row.try_into()
}

/// The patient's attempts (optionally for one task), newest first, after `(occurred_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    task: Option<TaskId>,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<OutreachAttempt>> {
    let mut q = of_org!(attempts, auth)
        .filter(attempts::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some(t) = task {
        q = q.filter(attempts::task_id.eq(t.get()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            attempts::occurred_at
                .lt(at)
                .or(attempts::occurred_at.eq(at).and(attempts::id.lt(id))),
        );
    }
    q.order((attempts::occurred_at.desc(), attempts::id.desc()))
        .limit(paging.fetch())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(OutreachAttempt::try_from)
        .collect()
}
