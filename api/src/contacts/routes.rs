//! `/patients/{id}/contacts` and `/contacts/{id}`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use shared::auth::Permission;
use shared::contacts::{Contact, ContactPatch, NewContact, check_consent};
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use shared::validation::trimmed;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::contacts::store;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::patients::store as patients;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts)
        .service(add_contact)
        .service(update_contact);
}

/// Paging for sub-lists of a patient.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn consent_checked(consent: Option<&shared::contacts::Consent>) -> ApiResult<()> {
    let mut errors = ValidationErrors::new();
    check_consent(&mut errors, consent);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
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
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(String, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let rows = store::list(conn, caller.org, patient, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |c| (c.name.clone(), c.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("contact.list", "contact").patient(patient),
            )?;
            Ok(Page { items, next_cursor })
        })
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
    id: web::Path<Uuid>,
    body: Json<NewContact>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let patient = id.into_inner();
    let mut new = body.into_inner();
    new.phone = trimmed(new.phone);
    new.email = trimmed(new.email);
    new.notes = trimmed(new.notes);
    new.validate()?;
    consent_checked(new.consent.as_ref())?;
    let contact = db
        .tx(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let c = store::insert(conn, caller.org, patient, &new, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("contact.create", "contact")
                    .on(c.id)
                    .patient(patient)
                    .details(json!({"consent": c.consent})),
            )?;
            Ok(c)
        })
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
    caller.require(Permission::PatientsWrite)?;
    let id = id.into_inner();
    let mut patch = body.into_inner();
    patch.phone = patch.phone.map(trimmed);
    patch.email = patch.email.map(trimmed);
    patch.notes = patch.notes.map(trimmed);
    patch.validate()?;
    if let Some(consent) = &patch.consent {
        consent_checked(consent.as_ref())?;
    }
    let expected = if_match.expected(patch.version)?;
    let contact = db
        .tx(move |conn| {
            let (before, after) =
                store::update(conn, caller.org, id, expected, &patch, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("contact.update", "contact")
                    .on(id)
                    .patient(after.patient_id)
                    .details(
                        json!({"consent_before": before.consent, "consent_after": after.consent}),
                    ),
            )?;
            Ok(after)
        })
        .await?;
    Ok(contact.respond(HttpResponse::Ok()))
}
