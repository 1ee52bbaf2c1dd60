//! `/users`: everyone signed in may list them (to pick a care manager);
//! only admins create and change them.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use serde_json::json;
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::audit::{self, Entry};
use crate::auth::{Caller, passwords, store as auth_store};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::users::store::{self, Changes, Filter};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

async fn hash_password(password: String) -> ApiResult<String> {
    web::block(move || passwords::hash(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// List the organization's users, by name.
#[utoipa::path(
    tag = "users",
    params(UserListQuery),
    responses((status = 200, description = "A page of users", body = Page<User>)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<UserListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::UsersRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(String, Uuid)>(q.cursor.as_deref())?;
    let filter = Filter {
        role: q.role,
        active: q.active,
    };
    let rows = db
        .run(move |conn| store::list(conn, caller.org, &filter, after, limit + 1))
        .await?;
    let (items, next_cursor) = cursor::page(rows, limit, |u| (u.name.clone(), u.id));
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Create a user (admins).
#[utoipa::path(
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The email is taken", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewUser>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::UsersManage)?;
    let new = body.into_inner().normalized();
    new.validate()?;
    let hash = hash_password(new.password.clone()).await?;
    let user = db
        .tx(move |conn| {
            let user = store::insert(conn, caller.org, &new.email, &new.name, new.role, &hash)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("user.create", "user")
                    .on(user.id)
                    .details(json!({"role": user.role, "email": user.email})),
            )?;
            Ok(user)
        })
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)));
    Ok(user.respond(res))
}

/// One user.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::UsersRead)?;
    let id = id.into_inner();
    let user = db
        .run(move |conn| {
            store::find(conn, caller.org, id)?.ok_or_else(|| ApiError::not_found("user"))
        })
        .await?;
    Ok(user.respond(HttpResponse::Ok()))
}

/// Change a user's name, role, password or active flag (admins).
///
/// Deactivating a user or setting a new password ends all their sessions at
/// once. Admins cannot deactivate or demote themselves (409), so an
/// organization is never left without an admin by accident.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version` in the body)"),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String))),
        (status = 409, description = "An admin tried to deactivate or demote themselves", body = shared::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = shared::problem::Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::UsersManage)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    patch.validate()?;
    let expected = if_match.expected(patch.version)?;
    if caller.user_id() == Some(id)
        && (patch.active == Some(false) || patch.role.is_some_and(|r| Some(r) != caller.role()))
    {
        return Err(ApiError::Conflict(
            "You cannot deactivate yourself or change your own role; ask another admin.".into(),
        ));
    }
    let password_hash = match patch.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let user = db
        .tx(move |conn| {
            let ends_sessions = patch.active == Some(false) || password_hash.is_some();
            let changes = Changes {
                name: patch.name.as_ref().map(|n| n.trim().to_string()),
                role: patch.role.map(|r| r.as_ref().to_string()),
                active: patch.active,
                password_hash,
            };
            let user = store::update(conn, caller.org, id, expected, changes)?;
            if ends_sessions {
                auth_store::end_sessions(conn, id, Utc::now())?;
            }
            let changed: Vec<&str> = [
                patch.name.is_some().then_some("name"),
                patch.role.is_some().then_some("role"),
                patch.active.is_some().then_some("active"),
                patch.password.is_some().then_some("password"),
            ]
            .into_iter()
            .flatten()
            .collect();
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("user.update", "user")
                    .on(id)
                    .details(json!({"changed": changed, "role": user.role, "active": user.active})),
            )?;
            Ok(user)
        })
        .await?;
    Ok(user.respond(HttpResponse::Ok()))
}
