//! `/patients`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::Utc;
use shared::audit::AuditAction;
use shared::auth::Permission;
use shared::case_status::StatusChangeRequest;
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging, Query};
use crate::idempotency::{self, Done, IdempotencyKey, Outcome};
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

/// List and search patients, by family then given name.
///
/// `q` matches the start of the given or family name ("lop"), both in either
/// order ("maria lo", "lopez, ma"), or an identifier value exactly
/// ("MRN-004211"). Pages are keyset-paginated: pass `next_cursor` back as
/// `cursor`.
#[utoipa::path(
    tag = "patients",
    params(PatientListQuery, PageQuery),
    responses((status = 200, description = "A page of patients", body = Page<Patient>)),
    security(("bearer" = []))
)]
#[get("/patients")]
pub async fn list_patients(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<PatientListQuery>,
    paging: Paging<ListKey>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let q = query.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, &q, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Register a patient.
///
/// A care manager who registers a patient without naming a care manager
/// becomes theirs; naming someone else takes a supervisor, admin or a key
/// with `patients:write`. Send `Idempotency-Key` when retrying: a retry
/// replays the first answer instead of creating a duplicate.
#[utoipa::path(
    tag = "patients",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = NewPatient,
    responses(
        (status = 201, description = "Created", body = Patient, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/patients")]
pub async fn create_patient(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewPatient>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let outcome = db
        .tx(move |conn| {
            let outcome = idempotency::once(conn, &auth, &idem, new, |conn, new| {
                let p = service::register(conn, &auth, new, now)?;
                Ok(Done::created(format!("/api/v1/patients/{}", p.id), p))
            })?;
            if let Outcome::Replayed(stored) = &outcome {
                let mut entry = Entry::new(AuditAction::PatientCreateReplayed);
                if let Some(id) = stored.resource_id().map(PatientId::from) {
                    entry = entry.on(id).patient(id);
                }
                audit::record(conn, auth.actor(), entry)?;
            }
            Ok(outcome)
        })
        .await?;
    Ok(outcome.respond())
}

/// One patient.
#[utoipa::path(
    tag = "patients",
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The patient", body = Patient, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/patients/{id}")]
pub async fn get_patient(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let id = id.into_inner();
    let patient = db.run(move |conn| service::get(conn, &auth, id)).await?;
    Ok(patient.respond(HttpResponse::Ok()))
}

/// Change a patient (JSON merge patch).
///
/// Omitted fields stay; `null` clears. Needs the version you read, as
/// `If-Match` or `version`: without it 428, stale 412 — nothing is silently
/// overwritten. Changing `primary_care_manager_id` takes a supervisor, an
/// admin or a key with `patients:write`.
#[utoipa::path(
    tag = "patients",
    params(
        ("id" = Uuid, Path, description = "Patient id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version` in the body)"),
    ),
    request_body = PatientPatch,
    responses(
        (status = 200, description = "Updated", body = Patient, headers(("ETag" = String))),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version: someone saved first", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/patients/{id}")]
pub async fn update_patient(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    if_match: IfMatch,
    body: Json<PatientPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let patient = db
        .tx(move |conn| service::update(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(patient.respond(HttpResponse::Ok()))
}

/// Move a case through its lifecycle.
///
/// `referred → intake → active ⇄ on_hold → closed`; a closed case can be
/// reopened (to intake or active). Closing and reopening need a `reason`.
/// A step the lifecycle lacks is a 409. Closing a case cancels its open
/// tasks, with the closure reason.
#[utoipa::path(
    tag = "patients",
    params(
        ("id" = Uuid, Path, description = "Patient id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version` in the body)"),
    ),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Status changed", body = Patient, headers(("ETag" = String))),
        (status = 409, description = "Not a step of the case lifecycle", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/patients/{id}/status")]
pub async fn change_status(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    if_match: IfMatch,
    body: Json<StatusChangeRequest>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let change = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(change.version)?;
    let id = id.into_inner();
    let patient = db
        .tx(move |conn| service::change_status(conn, &auth, id, expected, change, now))
        .await?;
    Ok(patient.respond(HttpResponse::Ok()))
}
