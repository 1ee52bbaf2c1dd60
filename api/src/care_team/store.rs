//! Care team members in the database. Every query is limited to the
//! caller's organization; an internal member's name is read from the user.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives take the optional borrowed columns by reference"
)]

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::care_team::CareTeamMember;
use shared::ids::{PatientId, UserId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{care_team_members as members, users};
use crate::store::{code, one_of_org, org_join};

const NOUN: &str = "care team member";

#[derive(Queryable, Selectable)]
#[diesel(table_name = members)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    user_id: Option<Uuid>,
    name: Option<String>,
    organization_name: Option<String>,
    phone: Option<String>,
    role: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn to_member((r, user_name): (Row, Option<String>)) -> ApiResult<CareTeamMember> {
    Ok(CareTeamMember {
        id: r.id,
        patient_id: r.patient_id.into(),
        user_id: r.user_id.map(UserId::from),
        name: user_name.or(r.name).unwrap_or_default(),
        organization: r.organization_name,
        phone: r.phone,
        role: code(&r.role)?,
        start_date: r.start_date,
        end_date: r.end_date,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The columns a membership writes: one list for adding and saving. An
/// internal member's name is the user's, so it is not stored twice.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = members, treat_none_as_null = true)]
struct Columns<'a> {
    user_id: Option<Uuid>,
    name: Option<&'a str>,
    organization_name: Option<&'a str>,
    phone: Option<&'a str>,
    role: &'a str,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

impl<'a> From<&'a CareTeamMember> for Columns<'a> {
    fn from(m: &'a CareTeamMember) -> Columns<'a> {
        Columns {
            user_id: m.user_id.map(UserId::get),
            name: m.user_id.is_none().then_some(m.name.as_str()),
            organization_name: m.organization.as_deref(),
            phone: m.phone.as_deref(),
            role: m.role.as_ref(),
            start_date: m.start_date,
            end_date: m.end_date,
        }
    }
}

/// Member `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<CareTeamMember> {
    let row = members::table
        .left_join(org_join!(
            users,
            members,
            users::id.nullable().eq(members::user_id)
        ))
        .filter(members::organization_id.eq(auth.org().get()))
        .filter(members::id.eq(id))
        .select((Row::as_select(), users::name.nullable()))
        .first(conn)
        .optional()?;
    to_member(row.ok_or_else(|| ApiError::not_found(NOUN))?)
}

/// Member `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<CareTeamMember> {
    // Postgres cannot lock the nullable side of an outer join: lock the
    // membership's row alone, then read it with its user's name.
    let version: i32 = one_of_org!(members, auth, id)
        .select(members::version)
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(NOUN))?;
    expected.check(version)?;
    get(conn, auth, id)
}

/// The patient's care team by start date, after the `(start_date, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Vec<CareTeamMember>> {
    let mut q = members::table
        .left_join(org_join!(
            users,
            members,
            users::id.nullable().eq(members::user_id)
        ))
        .filter(members::organization_id.eq(auth.org().get()))
        .filter(members::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some((start, id)) = paging.after {
        q = q.filter(
            members::start_date
                .gt(start)
                .or(members::start_date.eq(start).and(members::id.gt(id))),
        );
    }
    q.order((members::start_date.asc(), members::id.asc()))
        .limit(paging.fetch())
        .select((Row::as_select(), users::name.nullable()))
        .load::<(Row, Option<String>)>(conn)?
        .into_iter()
        .map(to_member)
        .collect()
}

/// Adds a membership the service built.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    m: &CareTeamMember,
) -> ApiResult<CareTeamMember> {
    diesel::insert_into(members::table)
        .values((
            members::id.eq(m.id),
            members::organization_id.eq(auth.org().get()),
            members::patient_id.eq(m.patient_id.get()),
            Columns::from(m),
            members::created_at.eq(m.created_at),
            members::updated_at.eq(m.updated_at),
        ))
        .execute(conn)?;
    get(conn, auth, m.id)
}

/// Writes `after` over a locked membership and moves its version on.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &CareTeamMember,
    now: DateTime<Utc>,
) -> ApiResult<CareTeamMember> {
    diesel::update(one_of_org!(members, auth, after.id))
        .set((
            Columns::from(after),
            members::version.eq(members::version + 1),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, after.id)
}
