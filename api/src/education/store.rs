//! Education records in the database (append-only: what was taught is a
//! fact). Every query is limited to the caller's organization.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::education::EducationRecord;
use shared::ids::{PatientId, UserId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::education_records as records;
use crate::store::{code, scoped_rows};

#[derive(Queryable, Selectable)]
#[diesel(table_name = records)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    topic: String,
    title: String,
    audience: String,
    contact_id: Option<Uuid>,
    method: String,
    materials: Option<String>,
    understanding: String,
    language: String,
    interpreter_used: bool,
    provided_by: Option<Uuid>,
    provided_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl TryFrom<Row> for EducationRecord {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<EducationRecord> {
        Ok(EducationRecord {
            id: r.id,
            patient_id: r.patient_id.into(),
            topic: code(&r.topic)?,
            title: r.title,
            audience: code(&r.audience)?,
            contact_id: r.contact_id,
            method: code(&r.method)?,
            materials: r.materials,
            understanding: code(&r.understanding)?,
            language: r.language,
            interpreter_used: r.interpreter_used,
            provided_at: r.provided_at,
            provided_by: r.provided_by.map(UserId::from),
            created_at: r.created_at,
            version: 1,
        })
    }
}

scoped_rows!(records, Row);

/// Records `e` (the service made it).
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    e: &EducationRecord,
) -> ApiResult<EducationRecord> {
    let row = diesel::insert_into(records::table)
        .values((
            records::id.eq(e.id),
            records::organization_id.eq(auth.org().get()),
            records::patient_id.eq(e.patient_id.get()),
            records::topic.eq(e.topic.as_ref()),
            records::title.eq(&e.title),
            records::audience.eq(e.audience.as_ref()),
            records::contact_id.eq(e.contact_id),
            records::method.eq(e.method.as_ref()),
            records::materials.eq(&e.materials),
            records::understanding.eq(e.understanding.as_ref()),
            records::language.eq(&e.language),
            records::interpreter_used.eq(e.interpreter_used),
            records::provided_by.eq(e.provided_by.map(UserId::get)),
            records::provided_at.eq(e.provided_at),
            records::created_at.eq(e.created_at),
        ))
        .returning(Row::as_returning())
        .get_result(conn)?;
    row.try_into()
}

/// The patient's records, newest first, after `(provided_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<EducationRecord>> {
    let mut q = rows(auth)
        .filter(records::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            records::provided_at
                .lt(at)
                .or(records::provided_at.eq(at).and(records::id.lt(id))),
        );
    }
    q.order((records::provided_at.desc(), records::id.desc()))
        .limit(paging.fetch())
        .load(conn)?
        .into_iter()
        .map(EducationRecord::try_from)
        .collect()
}
