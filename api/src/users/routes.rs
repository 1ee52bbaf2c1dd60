//! `/users`: everyone signed in may list them (to pick a care manager);
//! only admins create and change them.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::ids::UserId;
use shared::pagination::{Page, PageQuery};
use shared::users::{NewUser, User, UserListQuery, UserPatch};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::{Caller, passwords};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::flow::{self, Edit};
use crate::http::{ETagged, Json, Paging, Query};
use crate::users::{service, store};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

/// Password hashing is deliberately slow: it runs on the blocking pool,
/// never on an async worker and never while holding a database connection.
async fn hash_password(password: String) -> ApiResult<String> {
    web::block(move || passwords::hash(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// List the organization's users, by name.
#[utoipa::path(
    params(UserListQuery, PageQuery),
    responses((status = 200, description = "A page of users", body = Page<User>))
)]
#[get("/users")]
pub async fn list_users(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<UserListQuery>,
    paging: Paging<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::UsersRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Create a user (admins).
#[utoipa::path(
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 409, description = "The email is taken", body = shared::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewUser>,
) -> ApiResult<HttpResponse> {
    // Confirmed in a hop of its own: the password is hashed (costly, on
    // purpose) between the check and the write, and only for an admin.
    let auth = db
        .confirm(caller.authorize(Permission::UsersManage))
        .await?;
    let new = Valid::new(body.into_inner(), &auth.context(Utc::now()))?;
    let hash = hash_password(new.password.clone()).await?;
    let user = db
        .tx(move |conn| service::create(conn, &auth, new, &hash))
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)));
    Ok(user.respond(res))
}

/// One user.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User))
)]
#[get("/users/{id}")]
pub async fn get_user(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::UsersRead);
    flow::read(&db, access, id.into_inner(), store::get).await
}

/// Change a user's name, role, password or active flag (admins).
///
/// Deactivating a user or setting a new password ends all their sessions at
/// once. Admins cannot deactivate or demote themselves (409), so an
/// organization is never left without an admin by accident.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 409, description = "An admin tried to deactivate or demote themselves", body = shared::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<UserId, UserPatch>,
) -> ApiResult<HttpResponse> {
    // Confirmed first, in a hop of its own: see `create_user`.
    let auth = db
        .confirm(caller.authorize(Permission::UsersManage))
        .await?;
    let now = Utc::now();
    let patch = Valid::new(edit.body, &auth.context(now))?;
    let expected = edit.if_match.expected(patch.version)?;
    // Not `flow::change`: a new password is hashed first, off the database.
    let password_hash = match patch.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let id = edit.id;
    let user = db
        .tx(move |conn| service::update(conn, &auth, id, expected, patch, password_hash, now))
        .await?;
    Ok(user.respond(HttpResponse::Ok()))
}
