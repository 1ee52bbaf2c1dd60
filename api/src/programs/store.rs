//! Programs and enrollments in the database. Every query is limited to the
//! caller's organization.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives borrow each `Option<&str>` column"
)]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::PatientId;
use shared::programs::{Enrollment, EnrollmentStatus, Program};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::db::lower;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{enrollments, programs};
use crate::store::{self, code, of_org, one_of_org, scoped_rows};

#[derive(Queryable, Selectable)]
#[diesel(table_name = programs)]
struct ProgramRow {
    id: Uuid,
    name: String,
    kind: String,
    description: Option<String>,
    eligibility_notes: Option<String>,
    contact: Option<String>,
    renewal_months: Option<i32>,
    version: i32,
    created_at: DateTime<Utc>,
}

impl TryFrom<ProgramRow> for Program {
    type Error = ApiError;

    fn try_from(r: ProgramRow) -> ApiResult<Program> {
        Ok(Program {
            id: r.id,
            name: r.name,
            kind: code(&r.kind)?,
            description: r.description,
            eligibility_notes: r.eligibility_notes,
            contact: r.contact,
            renewal_months: r.renewal_months,
            version: r.version,
            created_at: r.created_at,
        })
    }
}

/// Program `id`, or a 404.
pub fn program(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Program> {
    let row: Option<ProgramRow> = of_org!(programs, auth)
        .filter(programs::id.eq(id))
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()?;
    store::one(row, "program")
}

/// Programs by name, after `(lower(name), id)`.
pub fn programs(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Vec<Program>> {
    let mut q = of_org!(programs, auth).into_boxed();
    if let Some((name, id)) = paging.after.clone() {
        q = q.filter(store::after(
            (lower(programs::name), programs::id),
            (
                name.into_sql::<diesel::sql_types::Text>(),
                id.into_sql::<diesel::sql_types::Uuid>(),
            ),
        ));
    }
    q.order((lower(programs::name), programs::id))
        .limit(paging.fetch())
        .select(ProgramRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Program::try_from)
        .collect()
}

/// Records a program.
pub fn insert_program(conn: &mut PgConnection, auth: &Authorized, p: &Program) -> ApiResult<()> {
    diesel::insert_into(programs::table)
        .values((
            programs::id.eq(p.id),
            programs::organization_id.eq(auth.org().get()),
            programs::name.eq(&p.name),
            programs::kind.eq(p.kind.as_ref()),
            programs::description.eq(&p.description),
            programs::eligibility_notes.eq(&p.eligibility_notes),
            programs::contact.eq(&p.contact),
            programs::renewal_months.eq(p.renewal_months),
            programs::created_at.eq(p.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = enrollments)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    program_id: Uuid,
    status: String,
    referred_on: NaiveDate,
    applied_on: Option<NaiveDate>,
    enrolled_on: Option<NaiveDate>,
    denied_on: Option<NaiveDate>,
    exited_on: Option<NaiveDate>,
    renewal_due_on: Option<NaiveDate>,
    notes: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

scoped_rows!(enrollments, Row);

fn enrollment(r: Row, program: &Program) -> ApiResult<Enrollment> {
    Ok(Enrollment {
        id: r.id,
        patient_id: r.patient_id.into(),
        program_id: r.program_id,
        program_name: program.name.clone(),
        program_kind: program.kind,
        status: code(&r.status)?,
        referred_on: r.referred_on,
        applied_on: r.applied_on,
        enrolled_on: r.enrolled_on,
        denied_on: r.denied_on,
        exited_on: r.exited_on,
        renewal_due_on: r.renewal_due_on,
        notes: r.notes,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn with_programs(
    conn: &mut PgConnection,
    auth: &Authorized,
    rows: Vec<Row>,
) -> ApiResult<Vec<Enrollment>> {
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.program_id).collect();
    ids.sort();
    ids.dedup();
    let found: Vec<ProgramRow> = of_org!(programs, auth)
        .filter(programs::id.eq_any(&ids))
        .select(ProgramRow::as_select())
        .load(conn)?;
    let by_id: std::collections::HashMap<Uuid, Program> = found
        .into_iter()
        .map(|r| Program::try_from(r).map(|p| (p.id, p)))
        .collect::<ApiResult<_>>()?;
    rows.into_iter()
        .map(|r| {
            let p = by_id
                .get(&r.program_id)
                .ok_or_else(|| ApiError::internal("enrollment without program"))?;
            enrollment(r, p)
        })
        .collect()
}

/// Enrollment `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Enrollment> {
    let row = rows(auth)
        .filter(enrollments::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("enrollment"))?;
    Ok(with_programs(conn, auth, vec![row])?.remove(0))
}

/// Enrollment `id` locked for a change: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Enrollment> {
    let locked: Option<Uuid> = one_of_org!(enrollments, auth, id)
        .select(enrollments::id)
        .for_update()
        .first(conn)
        .optional()?;
    if locked.is_none() {
        return Err(ApiError::not_found("enrollment"));
    }
    let e = get(conn, auth, id)?;
    expected.check(e.version)?;
    Ok(e)
}

/// A patient's enrollments, newest first, after `(created_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Enrollment>> {
    let mut q = rows(auth)
        .filter(enrollments::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            enrollments::created_at
                .lt(at)
                .or(enrollments::created_at.eq(at).and(enrollments::id.lt(id))),
        );
    }
    let found = q
        .order((enrollments::created_at.desc(), enrollments::id.desc()))
        .limit(paging.fetch())
        .load(conn)?;
    with_programs(conn, auth, found)
}

#[derive(AsChangeset, Insertable)]
#[diesel(table_name = enrollments, treat_none_as_null = true)]
struct Columns<'a> {
    status: &'a str,
    referred_on: NaiveDate,
    applied_on: Option<NaiveDate>,
    enrolled_on: Option<NaiveDate>,
    denied_on: Option<NaiveDate>,
    exited_on: Option<NaiveDate>,
    renewal_due_on: Option<NaiveDate>,
    notes: Option<&'a str>,
}

impl<'a> From<&'a Enrollment> for Columns<'a> {
    fn from(e: &'a Enrollment) -> Columns<'a> {
        Columns {
            status: e.status.as_ref(),
            referred_on: e.referred_on,
            applied_on: e.applied_on,
            enrolled_on: e.enrolled_on,
            denied_on: e.denied_on,
            exited_on: e.exited_on,
            renewal_due_on: e.renewal_due_on,
            notes: e.notes.as_deref(),
        }
    }
}

/// Records an enrollment the service built.
pub fn insert(conn: &mut PgConnection, auth: &Authorized, e: &Enrollment) -> ApiResult<()> {
    diesel::insert_into(enrollments::table)
        .values((
            enrollments::id.eq(e.id),
            enrollments::organization_id.eq(auth.org().get()),
            enrollments::patient_id.eq(e.patient_id.get()),
            enrollments::program_id.eq(e.program_id),
            enrollments::created_at.eq(e.created_at),
            enrollments::updated_at.eq(e.updated_at),
            Columns::from(e),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes `after` over a locked enrollment and moves its version on.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Enrollment,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::update(one_of_org!(enrollments, auth, after.id))
        .set((
            Columns::from(after),
            enrollments::version.eq(enrollments::version + 1),
            enrollments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// `'enrolled'`, written into the statement's text so that a plan made once
/// can use `enrollments_renewal_idx`, whose predicate names it
/// (`store::OneOf`).
#[derive(Debug, Clone, Copy)]
pub struct Enrolled;

impl store::Codes for Enrolled {
    type Column = enrollments::status;
    type Code = EnrollmentStatus;
    const CODES: &'static [EnrollmentStatus] = &[EnrollmentStatus::Enrolled];
}

/// Active enrollments whose renewal is due by `by`, with their programs
/// (two queries however many there are).
pub fn renewals_due(
    conn: &mut PgConnection,
    auth: &Authorized,
    by: NaiveDate,
) -> ApiResult<Vec<Enrollment>> {
    let due = rows(auth)
        .filter(store::OneOf::<Enrolled>::default())
        .filter(enrollments::renewal_due_on.le(by))
        .load(conn)?;
    with_programs(conn, auth, due)
}
