//! `/patients/{id}/notes`, `/notes/{id}` (edit, sign, addenda) and `/productivity`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use shared::auth::Permission;
use shared::notes::{
    NewAddendum, NewNote, Note, NoteListQuery, NotePatch, ProductivityDay, SignRequest, summarize,
};
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::notes::store;
use crate::organizations::store as organizations;
use crate::patients::store as patients;
use crate::tasks::store as tasks;
use crate::users::store as users;

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

fn author(caller: &Caller) -> ApiResult<Uuid> {
    caller.user_id().ok_or_else(|| {
        ApiError::Forbidden("Notes are written and signed by people, not API keys.".into())
    })
}

/// A patient's notes, newest activity first, with their addenda.
#[utoipa::path(
    tag = "notes",
    params(("id" = Uuid, Path, description = "Patient id"), NoteListQuery),
    responses((status = 200, description = "A page of notes", body = Page<Note>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/notes")]
pub async fn list_notes(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<NoteListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let rows = store::list(conn, caller.org, patient, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |n| (n.occurred_at, n.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.list", "note").patient(patient),
            )?;
            Ok(Page { items, next_cursor })
        })
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
    id: web::Path<Uuid>,
    body: Json<NewNote>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::NotesWrite)?;
    let me = author(&caller)?;
    let patient = id.into_inner();
    let new = body.into_inner();
    new.validate()?;
    let note = db
        .tx(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            if let Some(t) = new.task_id
                && tasks::find(conn, caller.org, t)?.is_none_or(|t| t.patient_id != patient)
            {
                return Err(ApiError::field("task_id", "is not a task of this patient"));
            }
            let note = store::insert(conn, caller.org, patient, &new, me, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.create", "note")
                    .on(note.id)
                    .patient(patient),
            )?;
            Ok(note)
        })
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
    caller.require(Permission::PatientsRead)?;
    let id = id.into_inner();
    let note = db
        .run(move |conn| {
            let note = store::get(conn, caller.org, id)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.read", "note")
                    .on(id)
                    .patient(note.patient_id),
            )?;
            Ok(note)
        })
        .await?;
    Ok(note.respond(HttpResponse::Ok()))
}

/// A 409 for any change to a signed note.
fn refuse_if_signed(note: &Note) -> ApiResult<()> {
    if note.signed_at.is_some() {
        Err(ApiError::Conflict(
            "This note is signed and can no longer change; add an addendum to correct it.".into(),
        ))
    } else {
        Ok(())
    }
}

/// A 403 unless the caller wrote the note.
fn only_author(note: &Note, me: Uuid) -> ApiResult<()> {
    if note.author_id == Some(me) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only the note's author can edit or sign it.".into(),
        ))
    }
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
    caller.require(Permission::NotesWrite)?;
    let me = author(&caller)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    patch.validate()?;
    let expected = if_match.expected(patch.version)?;
    let note = db
        .tx(move |conn| {
            let note = store::lock(conn, caller.org, id, expected)?;
            refuse_if_signed(&note)?;
            only_author(&note, me)?;
            let note = store::update(conn, caller.org, id, &patch, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.update", "note")
                    .on(id)
                    .patient(note.patient_id),
            )?;
            Ok(note)
        })
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
    caller.require(Permission::NotesWrite)?;
    let me = author(&caller)?;
    let id = id.into_inner();
    let expected = if_match.expected(body.into_inner().version)?;
    let note = db
        .tx(move |conn| {
            let note = store::lock(conn, caller.org, id, expected)?;
            refuse_if_signed(&note)?;
            only_author(&note, me)?;
            let note = store::sign(conn, caller.org, id, me, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.sign", "note")
                    .on(id)
                    .patient(note.patient_id),
            )?;
            Ok(note)
        })
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
    caller.require(Permission::NotesWrite)?;
    let me = author(&caller)?;
    let id = id.into_inner();
    let addendum = body.into_inner();
    addendum.validate()?;
    let note = db
        .tx(move |conn| {
            let note = store::get(conn, caller.org, id)?;
            if note.signed_at.is_none() {
                return Err(ApiError::Conflict(
                    "This note is not signed yet; edit it instead of adding an addendum.".into(),
                ));
            }
            store::add_addendum(conn, caller.org, id, &addendum.body, me, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("note.addendum", "note")
                    .on(id)
                    .patient(note.patient_id),
            )?;
            store::get(conn, caller.org, id)
        })
        .await?;
    Ok(note.respond(HttpResponse::Created()))
}

/// Whose minutes, over which days.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductivityQuery {
    /// One user (yours when omitted, or everyone's for supervisors).
    pub user_id: Option<Uuid>,
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
    let author = match (q.user_id, caller.user_id()) {
        (Some(u), Some(me)) if u == me => Some(me),
        (Some(u), _) => {
            caller.require(Permission::TeamView)?;
            Some(u)
        }
        (None, _) if caller.permits(Permission::TeamView) => None,
        (None, Some(me)) => Some(me),
        (None, None) => return Err(ApiError::field("user_id", "is required for API keys")),
    };
    let items = db
        .run(move |conn| {
            let cal = organizations::calendar(conn, caller.org)?;
            let to = q.to.unwrap_or_else(|| cal.today(Utc::now()));
            let from = q.from.unwrap_or(to - Duration::days(6));
            if from > to {
                return Err(ApiError::field("from", "must not be after to"));
            }
            if (to - from).num_days() >= 92 {
                return Err(ApiError::field(
                    "from",
                    "the range may span at most 92 days",
                ));
            }
            let start = shared::calendar::local_to_utc(from, NaiveTime::MIN, &cal.tz);
            let end =
                shared::calendar::local_to_utc(to + Duration::days(1), NaiveTime::MIN, &cal.tz);
            let rows =
                store::activity_minutes(conn, caller.org, cal.tz.name(), start, end, author)?;
            let names = users::names(conn, caller.org)?;
            Ok(summarize(&rows, &|id| {
                names.get(&id).cloned().unwrap_or_default()
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None::<String>,
    }))
}
