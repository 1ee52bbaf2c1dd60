//! Care team members in the database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::care_team::{CareTeamMember, CareTeamPatch, CareTeamRole};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::{care_team_members as members, users};

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

fn to_member(r: Row, user_name: Option<String>) -> ApiResult<CareTeamMember> {
    Ok(CareTeamMember {
        id: r.id,
        patient_id: r.patient_id,
        user_id: r.user_id,
        name: user_name.or(r.name).unwrap_or_default(),
        organization: r.organization_name,
        phone: r.phone,
        role: r.role.parse().map_err(ApiError::internal)?,
        start_date: r.start_date,
        end_date: r.end_date,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Member `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<CareTeamMember> {
    let (row, user_name) = members::table
        .left_join(users::table.on(users::id.nullable().eq(members::user_id)))
        .filter(members::organization_id.eq(org))
        .filter(members::id.eq(id))
        .select((Row::as_select(), users::name.nullable()))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("care team member"))?;
    to_member(row, user_name)
}

/// The patient's care team by start date, after the `(start_date, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<CareTeamMember>> {
    let mut q = members::table
        .left_join(users::table.on(users::id.nullable().eq(members::user_id)))
        .filter(members::organization_id.eq(org))
        .filter(members::patient_id.eq(patient))
        .into_boxed();
    if let Some((start, id)) = after {
        q = q.filter(
            members::start_date
                .gt(start)
                .or(members::start_date.eq(start).and(members::id.gt(id))),
        );
    }
    q.order((members::start_date.asc(), members::id.asc()))
        .limit(limit)
        .select((Row::as_select(), users::name.nullable()))
        .load::<(Row, Option<String>)>(conn)?
        .into_iter()
        .map(|(r, n)| to_member(r, n))
        .collect()
}

/// A new member, checked.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// Internal member.
    pub user_id: Option<Uuid>,
    /// External member's name.
    pub name: Option<String>,
    /// External member's organization.
    pub organization: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Role.
    pub role: CareTeamRole,
    /// Start.
    pub start_date: NaiveDate,
    /// End.
    pub end_date: Option<NaiveDate>,
}

/// Adds a member.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    m: &NewMember,
    now: DateTime<Utc>,
) -> ApiResult<CareTeamMember> {
    let id = Uuid::now_v7();
    diesel::insert_into(members::table)
        .values((
            members::id.eq(id),
            members::organization_id.eq(org),
            members::patient_id.eq(patient),
            members::user_id.eq(m.user_id),
            members::name.eq(&m.name),
            members::organization_name.eq(&m.organization),
            members::phone.eq(&m.phone),
            members::role.eq(m.role.as_ref()),
            members::start_date.eq(m.start_date),
            members::end_date.eq(m.end_date),
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = members)]
struct Changes {
    role: Option<String>,
    organization_name: Option<Option<String>>,
    phone: Option<Option<String>>,
    start_date: Option<NaiveDate>,
    end_date: Option<Option<NaiveDate>>,
}

/// Applies a validated patch if the member has the expected version.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
    patch: &CareTeamPatch,
    now: DateTime<Utc>,
) -> ApiResult<CareTeamMember> {
    let current = get(conn, org, id)?;
    let version: i32 = members::table
        .find(id)
        .select(members::version)
        .for_update()
        .first(conn)?;
    if !expected.matches(version) {
        return Err(ApiError::PreconditionFailed { current: version });
    }
    let start = patch.start_date.unwrap_or(current.start_date);
    let end = patch.end_date.unwrap_or(current.end_date);
    if end.is_some_and(|e| e < start) {
        return Err(ApiError::field("end_date", "must not be before start_date"));
    }
    let changes = Changes {
        role: patch.role.map(|r| r.as_ref().to_string()),
        organization_name: patch.organization.clone(),
        phone: patch.phone.clone(),
        start_date: patch.start_date,
        end_date: patch.end_date,
    };
    diesel::update(members::table.find(id))
        .set((
            changes,
            members::version.eq(members::version + 1),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}
