//! `/patients/{id}/notes`, `/notes/{id}` (edit, sign, addenda) and `/productivity`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use shared::auth::Permission;
use shared::ids::{PatientId, UserId};
use shared::notes::{NewAddendum, NewNote, Note, NotePatch, ProductivityDay, SignRequest};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Paging, Query};
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
    tag = "notes",
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of notes", body = Page<Note>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/notes")]
pub async fn list_notes(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, patient, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Write a case note (activity type, text, minutes spent). It can be edited
/// until it is signed.
#[utoipa::path(
    tag = "notes",
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewNote,
    responses((status = 201, description = "Written", body = Note, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/patients/{id}/notes")]
pub async fn write_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewNote>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::NotesWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let patient = id.into_inner();
    let note = db
        .tx(move |conn| service::write(conn, &auth, patient, new, now))
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/notes/{}", note.id)));
    Ok(note.respond(res))
}

/// One note.
#[utoipa::path(
    tag = "notes",
    params(("id" = Uuid, Path, description = "Note id")),
    responses((status = 200, description = "The note", body = Note, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/notes/{id}")]
pub async fn get_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let id = id.into_inner();
    let note = db.run(move |conn| service::get(conn, &auth, id)).await?;
    Ok(note.respond(HttpResponse::Ok()))
}

/// Edit your unsigned note. A signed note never changes (409).
#[utoipa::path(
    tag = "notes",
    params(
        ("id" = Uuid, Path, description = "Note id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = NotePatch,
    responses(
        (status = 200, description = "Updated", body = Note, headers(("ETag" = String))),
        (status = 409, description = "The note is signed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/notes/{id}")]
pub async fn edit_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<NotePatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::NotesWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let note = db
        .tx(move |conn| service::edit(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(note.respond(HttpResponse::Ok()))
}

/// Sign your note: the version you read becomes final and immutable.
#[utoipa::path(
    tag = "notes",
    params(
        ("id" = Uuid, Path, description = "Note id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = SignRequest,
    responses(
        (status = 200, description = "Signed", body = Note, headers(("ETag" = String))),
        (status = 409, description = "Already signed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/notes/{id}/sign")]
pub async fn sign_note(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<SignRequest>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::NotesWrite)?;
    let expected = if_match.expected(body.into_inner().version)?;
    let id = id.into_inner();
    let note = db
        .tx(move |conn| service::sign(conn, &auth, id, expected, Utc::now()))
        .await?;
    Ok(note.respond(HttpResponse::Ok()))
}

/// Add an addendum to a signed note (the way to correct it).
#[utoipa::path(
    tag = "notes",
    params(("id" = Uuid, Path, description = "Note id")),
    request_body = NewAddendum,
    responses(
        (status = 201, description = "Added; the note with all its addenda", body = Note, headers(("ETag" = String))),
        (status = 409, description = "The note is not signed yet: edit it instead", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/notes/{id}/addenda")]
pub async fn add_addendum(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewAddendum>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::NotesWrite)?;
    let now = Utc::now();
    let addendum = Valid::new(body.into_inner(), &auth.context(now))?;
    let id = id.into_inner();
    let note = db
        .tx(move |conn| service::add_addendum(conn, &auth, id, addendum, now))
        .await?;
    Ok(note.respond(HttpResponse::Created()))
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
    tag = "notes",
    params(ProductivityQuery),
    responses((status = 200, description = "One row per user and day with activity", body = Page<ProductivityDay>)),
    security(("bearer" = []))
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
    let (auth, author) = match (q.user_id, caller.user_id()) {
        (Some(u), Some(me)) if u == me => (caller.member(), Some(me)),
        (Some(u), _) => (caller.authorize(Permission::TeamView)?, Some(u)),
        (None, _) if caller.permits(Permission::TeamView) => {
            (caller.authorize(Permission::TeamView)?, None)
        }
        (None, Some(me)) => (caller.member(), Some(me)),
        (None, None) => return Err(ApiError::field("user_id", "is required for API keys")),
    };
    let items = db
        .run(move |conn| service::productivity(conn, &auth, author, q.from, q.to, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None::<String>,
    }))
}
