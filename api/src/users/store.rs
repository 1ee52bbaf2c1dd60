//! Users in the database.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::auth::Role;
use shared::ids::UserId;
use shared::users::User;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::users;
use crate::store::{code, of_org, one_of_org};

const NOUN: &str = "user";

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    #[diesel(deserialize_as = Uuid)]
    id: UserId,
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
            role: code(&r.role)?,
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

/// Users ordered by name, after the `(name, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Vec<User>> {
    let mut q = of_org!(users, auth).into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role.as_ref().to_string()));
    }
    if let Some(active) = filter.active {
        q = q.filter(users::active.eq(active));
    }
    if let Some((name, id)) = paging.after.clone() {
        q = q.filter(
            users::name
                .gt(name.clone())
                .or(users::name.eq(name).and(users::id.gt(id))),
        );
    }
    let rows = q
        .order((users::name.asc(), users::id.asc()))
        .limit(paging.fetch())
        .select(UserRow::as_select())
        .load(conn)?;
    to_users(rows)
}

/// The user `id` of the caller's organization.
pub fn find(conn: &mut PgConnection, auth: &Authorized, id: UserId) -> ApiResult<Option<User>> {
    of_org!(users, auth)
        .find(id.get())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// The user `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: UserId) -> ApiResult<User> {
    find(conn, auth, id)?.ok_or_else(|| ApiError::not_found(NOUN))
}

/// A 422 on `field` unless `id` is an active user of the organization who
/// can carry a caseload (a care manager or supervisor): who patients and
/// tasks may be given to.
pub fn ensure_can_carry_caseload(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: UserId,
    field: &str,
) -> ApiResult<()> {
    if find(conn, auth, id)?.is_some_and(|u| u.active && u.role.can_carry_caseload()) {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            "is not an active care manager or supervisor in your organization",
        ))
    }
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

/// Creates a user in the caller's organization; a taken email is a 409.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> ApiResult<User> {
    let row = diesel::insert_into(users::table)
        .values(NewUserRow {
            id: Uuid::now_v7(),
            organization_id: auth.org().get(),
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
    auth: &Authorized,
    id: UserId,
    expected: Expected,
    changes: Changes,
) -> ApiResult<User> {
    expected.check(lock(conn, auth, id)?)?;
    let row = diesel::update(one_of_org!(users, auth, id.get()))
        .set((
            changes,
            users::version.eq(users::version + 1),
            users::updated_at.eq(Utc::now()),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)?;
    User::try_from(row)
}

/// Locks user `id` for update and returns its version; 404 if absent.
fn lock(conn: &mut PgConnection, auth: &Authorized, id: UserId) -> ApiResult<i32> {
    of_org!(users, auth)
        .find(id.get())
        .select(users::version)
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(NOUN))
}

/// Every user's display name (an organization's staff is small).
pub fn names(
    conn: &mut PgConnection,
    auth: &Authorized,
) -> ApiResult<std::collections::HashMap<UserId, String>> {
    Ok(of_org!(users, auth)
        .select((users::id, users::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .map(|(id, name)| (UserId::from(id), name))
        .collect())
}
