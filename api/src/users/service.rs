//! The user use cases (admins manage users; everyone may list them to pick
//! a care manager).

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::UserId;
use shared::pagination::Page;
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::{Authorized, store as auth_store};
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::users::store::{self, Changes, Filter};

/// Users by name.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: UserListQuery,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Page<User>> {
    let filter = Filter {
        role: q.role,
        active: q.active,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    Ok(paging.page(rows, |u| (u.name.clone(), u.id)))
}

/// Creates a user whose password was hashed already (hashing is slow, so
/// it happens before the transaction, off the database connection).
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewUser>,
    password_hash: &str,
) -> ApiResult<User> {
    let user = store::insert(conn, auth, &new.email, &new.name, new.role, password_hash)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::UserCreate)
            .on(user.id)
            .details(json!({"role": user.role, "email": user.email})),
    )?;
    Ok(user)
}

/// Changes a user. Admins cannot deactivate or demote themselves, so an
/// organization is never left without an admin by accident; deactivation
/// and a new password end every session the user has.
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: UserId,
    expected: Expected,
    patch: Valid<UserPatch>,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<User> {
    if auth.user_id() == Some(id)
        && (patch.active == Some(false) || patch.role.is_some_and(|r| Some(r) != auth.role()))
    {
        return Err(ApiError::Conflict(
            "You cannot deactivate yourself or change your own role; ask another admin.".into(),
        ));
    }
    let changes = Changes {
        name: patch.name.clone(),
        role: patch.role.map(|r| r.as_ref().to_string()),
        active: patch.active,
        password_hash,
    };
    let user = store::update(conn, auth, id, expected, changes)?;
    if patch.ends_sessions() {
        auth_store::end_sessions(conn, id, now)?;
    }
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::UserUpdate).on(id).details(
            json!({"changed": patch.changed_fields(), "role": user.role, "active": user.active}),
        ),
    )?;
    Ok(user)
}
