//! `/patients/{id}/notes`, `/notes/{id}` (edit, sign, addenda) and `/productivity`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use shared::auth::Permission;
use shared::ids::{PatientId, UserId};
use shared::notes::{NewAddendum, NewNote, Note, NotePatch, ProductivityDay, SignRequest};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::notes::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_notes)
        .service(write_note)
        .service(get_note)
        .service(edit_note)
        .service(sign_note)
        .service(add_addendum)
        .service(productivity);
}

/// A patient's notes, newest activity first, with their addenda.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of notes", body = Page<Note>))
)]
#[get("/patients/{id}/notes")]
pub async fn list_notes(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Write a case note (activity type, text, minutes spent). It can be edited
/// until it is signed.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewNote,
    responses((status = 201, description = "Written", body = Note))
)]
#[post("/patients/{id}/notes")]
pub async fn write_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewNote>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::NotesWrite);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::write,
        location,
    )
    .await
}

fn location(note: &Note) -> String {
    format!("/api/v1/notes/{}", note.id)
}

/// One note.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 200, description = "The note", body = Note))
)]
#[get("/notes/{id}")]
pub async fn get_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Edit your unsigned note. A signed note never changes (409).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Note id")),
    request_body = NotePatch,
    responses(
        (status = 200, description = "Updated", body = Note),
        (status = 409, description = "The note is signed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/notes/{id}")]
pub async fn edit_note(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, NotePatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::NotesWrite);
    flow::change(&db, access, edit, service::edit).await
}

/// Sign your note: the version you read becomes final and immutable.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Note id")),
    request_body = SignRequest,
    responses(
        (status = 200, description = "Signed", body = Note),
        (status = 409, description = "Already signed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notes/{id}/sign")]
pub async fn sign_note(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, SignRequest>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::NotesWrite);
    flow::change(&db, access, edit, service::sign).await
}

/// Add an addendum to a signed note (the way to correct it).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Note id")),
    request_body = NewAddendum,
    responses(
        (status = 201, description = "Added; the note with all its addenda", body = Note),
        (status = 409, description = "The note is not signed yet: edit it instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notes/{id}/addenda")]
pub async fn add_addendum(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewAddendum>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::NotesWrite);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::add_addendum,
        location,
    )
    .await
}

/// Whose minutes, over which days.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductivityQuery {
    /// One user (yours when omitted, or everyone's for supervisors).
    pub user_id: Option<UserId>,
    /// First day (organization calendar); 6 days before `to` when omitted.
    pub from: Option<NaiveDate>,
    /// Last day; today when omitted. At most 92 days in all.
    pub to: Option<NaiveDate>,
}

/// Minutes by activity type per user per day, with the share spent on care
/// coordination against the 80% standard.
///
/// Care managers see their own; supervisors anyone's, or the whole team's
/// without `user_id`.
#[utoipa::path(
    params(ProductivityQuery),
    responses((status = 200, description = "One row per user and day with activity", body = Page<ProductivityDay>))
)]
#[get("/productivity")]
pub async fn productivity(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<ProductivityQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    // Your own minutes need no permission beyond being signed in; anyone
    // else's (or everyone's) take `team:view`.
    let me = caller.user_id();
    let access = match (q.user_id, me) {
        (Some(u), Some(me)) if u == me => caller.member(),
        (None, Some(_)) => caller.member(),
        // The team's (a key has no minutes of its own, so it needs `team:view`).
        _ => caller.authorize(Permission::TeamView),
    };
    let items = db
        .run_as(access, move |conn, auth| {
            // Without `user_id`: the team's for whoever may see it, else yours.
            let author = match q.user_id {
                Some(u) => Some(u),
                None if auth.permits(Permission::TeamView) => None,
                None => me,
            };
            service::productivity(conn, &auth, author, q.from, q.to, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None::<String>,
    }))
}
