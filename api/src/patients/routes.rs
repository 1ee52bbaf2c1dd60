//! `/patients`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::case_status::StatusChangeRequest;
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::idempotency::{self, Done, IdempotencyKey};
use crate::patients::service;
use crate::patients::store::ListKey;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_patients)
        .service(create_patient)
        .service(get_patient)
        .service(update_patient)
        .service(change_status);
}

/// List and search patients.
///
/// Without `q`, by family then given name. `q` matches an identifier value
/// exactly ("MRN-004211"), the start of the family or the given name
/// ("lop"), or both names in either order ("maria lo", "lopez, ma"). A search
/// lists the most specific matches first, each patient once: an exact
/// identifier; then family names (by family, then given name); then given
/// names (by given, then family name). Two words list "given family"
/// matches before "family given" ones. Pages are keyset-paginated: pass
/// `next_cursor` back as `cursor`.
#[utoipa::path(
    params(PatientListQuery, PageQuery),
    responses((status = 200, description = "A page of patients", body = Page<Patient>))
)]
#[get("/patients")]
pub async fn list_patients(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<PatientListQuery>,
    paging: Paging<ListKey>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Register a patient.
///
/// A care manager who registers a patient without naming a care manager
/// becomes theirs; naming someone else takes a supervisor, admin or a key
/// with `patients:write`. Send `Idempotency-Key` when retrying: a retry
/// replays the first answer instead of creating a duplicate.
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = NewPatient,
    responses(
        (status = 201, description = "Created", body = Patient),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patients")]
pub async fn create_patient(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewPatient>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    let now = Utc::now();
    let body = body.into_inner();
    // Not `flow::record`: a registration is not an upsert by external id.
    let outcome = db
        .tx_as(access, move |conn, auth| {
            let new = Valid::new(body, &auth.context(now))?;
            idempotency::once(conn, &auth, &idem, new, |conn, new| {
                let p = service::register(conn, &auth, new, now)?;
                Ok(Done::created(location(&p), p))
            })
        })
        .await?;
    Ok(outcome.respond())
}

fn location(p: &Patient) -> String {
    format!("/api/v1/patients/{}", p.id)
}

/// One patient.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The patient", body = Patient))
)]
#[get("/patients/{id}")]
pub async fn get_patient(
    db: web::Data<Db>,
    reader: web::Data<service::Reader>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::read_batched(&db, &reader, access, id.into_inner(), service::get).await
}

/// Change a patient (JSON merge patch).
///
/// Omitted fields stay; `null` clears. Needs the version you read, as
/// `If-Match` or `version`: without it 428, stale 412 — nothing is silently
/// overwritten. Changing `primary_care_manager_id` takes a supervisor, an
/// admin or a key with `patients:write`.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = PatientPatch,
    responses(
        (status = 200, description = "Updated", body = Patient),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/patients/{id}")]
pub async fn update_patient(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<PatientId, PatientPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::update).await
}

/// Move a case through its lifecycle.
///
/// `referred → intake → active ⇄ on_hold → closed`; a closed case can be
/// reopened (to intake or active). Closing and reopening need a `reason`.
/// A step the lifecycle lacks is a 409. Closing a case cancels its open
/// tasks, with the closure reason.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Status changed", body = Patient),
        (status = 409, description = "Not a step of the case lifecycle", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patients/{id}/status")]
pub async fn change_status(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<PatientId, StatusChangeRequest>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change_status).await
}
