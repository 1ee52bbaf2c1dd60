//! `/patients/{id}/contacts` and `/contacts/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use shared::auth::Permission;
use shared::contacts::{Contact, ContactPatch, NewContact};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::contacts::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts)
        .service(add_contact)
        .service(update_contact);
}

/// A patient's contacts (family, friends, caregivers), by name.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of contacts", body = Page<Contact>))
)]
#[get("/patients/{id}/contacts")]
pub async fn list_contacts(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Add a contact, with what the patient consents to share with them.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewContact,
    responses((status = 201, description = "Added", body = Contact))
)]
#[post("/patients/{id}/contacts")]
pub async fn add_contact(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewContact>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    let location = |c: &Contact| format!("/api/v1/contacts/{}", c.id);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::add,
        location,
    )
    .await
}

/// Change a contact or their consent (`consent: null` records its withdrawal).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Contact id")),
    request_body = ContactPatch,
    responses(
        (status = 200, description = "Updated", body = Contact),
    )
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, ContactPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change).await
}
