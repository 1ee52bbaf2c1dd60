//! `/patients/{id}/contacts` and `/contacts/{id}`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::contacts::{Contact, ContactPatch, NewContact};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::contacts::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts)
        .service(add_contact)
        .service(update_contact);
}

/// A patient's contacts (family, friends, caregivers), by name.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of contacts", body = Page<Contact>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/contacts")]
pub async fn list_contacts(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, patient, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a contact, with what the patient consents to share with them.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewContact,
    responses((status = 201, description = "Added", body = Contact, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/patients/{id}/contacts")]
pub async fn add_contact(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewContact>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let patient = id.into_inner();
    let contact = db
        .tx(move |conn| service::add(conn, &auth, patient, new, now))
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/contacts/{}", contact.id)));
    Ok(contact.respond(res))
}

/// Change a contact or their consent (`consent: null` records its withdrawal).
#[utoipa::path(
    tag = "contacts",
    params(
        ("id" = Uuid, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = ContactPatch,
    responses(
        (status = 200, description = "Updated", body = Contact, headers(("ETag" = String))),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ContactPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let contact = db
        .tx(move |conn| service::change(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(contact.respond(HttpResponse::Ok()))
}
