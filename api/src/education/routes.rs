//! `/patients/{id}/education`.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::education::{EducationRecord, NewEducation};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::education::service;
use crate::error::ApiResult;
use crate::http::{Json, Paging, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_education).service(record_education);
}

/// The education a patient (or their contacts) received, newest first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of education records", body = Page<EducationRecord>))
)]
#[get("/patients/{id}/education")]
pub async fn list_education(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Record education given to the patient, or to one of their contacts
/// (`audience: contact` with the `contact_id` of one of this patient's
/// contacts, else 422 on `contact_id`). The language defaults to the
/// patient's preferred language; `provided_at` (now when omitted) must not
/// be in the future. Records are never edited.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewEducation,
    responses((status = 201, description = "Recorded", body = EducationRecord))
)]
#[post("/patients/{id}/education")]
pub async fn record_education(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewEducation>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::record,
        location,
    )
    .await
}

/// Records have no page of their own: the patient's list holds them.
fn location(r: &EducationRecord) -> String {
    format!("/api/v1/patients/{}/education", r.patient_id)
}
