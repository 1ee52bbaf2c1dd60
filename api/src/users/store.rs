//! Users in the database.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::auth::Role;
use shared::users::User;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::users;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    active: bool,
    last_login_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = ApiError;

    fn try_from(r: UserRow) -> ApiResult<User> {
        Ok(User {
            id: r.id,
            email: r.email,
            name: r.name,
            role: r.role.parse().map_err(ApiError::internal)?,
            active: r.active,
            last_login_at: r.last_login_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn to_users(rows: Vec<UserRow>) -> ApiResult<Vec<User>> {
    rows.into_iter().map(User::try_from).collect()
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active or inactive users.
    pub active: Option<bool>,
}

/// Users of `org` ordered by name, after the `(name, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    filter: &Filter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<User>> {
    let mut q = users::table
        .filter(users::organization_id.eq(org))
        .into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role.as_ref().to_string()));
    }
    if let Some(active) = filter.active {
        q = q.filter(users::active.eq(active));
    }
    if let Some((name, id)) = after {
        q = q.filter(
            users::name
                .gt(name.clone())
                .or(users::name.eq(name).and(users::id.gt(id))),
        );
    }
    let rows = q
        .order((users::name.asc(), users::id.asc()))
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?;
    to_users(rows)
}

/// The user `id` of `org`.
pub fn find(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Option<User>> {
    users::table
        .filter(users::organization_id.eq(org))
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// Whether `id` is an active user of `org` who can carry a caseload.
pub fn can_carry_caseload(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<bool> {
    Ok(find(conn, org, id)?.is_some_and(|u| u.active && u.role.can_carry_caseload()))
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: Uuid,
    organization_id: Uuid,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    password_hash: &'a str,
}

/// Creates a user; a taken email is a 409.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> ApiResult<User> {
    let row = diesel::insert_into(users::table)
        .values(NewUserRow {
            id: Uuid::now_v7(),
            organization_id: org,
            email,
            name,
            role: role.as_ref(),
            password_hash,
        })
        .on_conflict(users::email)
        .do_nothing()
        .returning(UserRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::Conflict("A user with this email already exists.".into()))?;
    User::try_from(row)
}

/// The columns an update may change (`None` leaves a column alone).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct Changes {
    /// New name.
    pub name: Option<String>,
    /// New role code.
    pub role: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// New password hash.
    pub password_hash: Option<String>,
}

/// Applies `changes` to user `id` if it still has the `expected` version.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    expected: Expected,
    changes: Changes,
) -> ApiResult<User> {
    let current = lock(conn, org, id)?;
    if !expected.matches(current) {
        return Err(ApiError::PreconditionFailed { current });
    }
    let row = diesel::update(users::table.find(id))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(Utc::now()),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)?;
    User::try_from(row)
}

/// Locks user `id` of `org` for update and returns its version; 404 if absent.
fn lock(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<i32> {
    users::table
        .filter(users::organization_id.eq(org))
        .find(id)
        .select(users::version)
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Every user's display name in `org` (an organization's staff is small).
pub fn names(
    conn: &mut PgConnection,
    org: Uuid,
) -> ApiResult<std::collections::HashMap<Uuid, String>> {
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .select((users::id, users::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect())
}
