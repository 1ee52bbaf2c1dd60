//! `/programs`, `/patients/{id}/enrollments` and `/enrollments/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::programs::{Enrollment, EnrollmentPatch, NewEnrollment, NewProgram, Program};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::Edit;
use crate::http::{Json, Paging, flow};
use crate::programs::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_programs)
        .service(create_program)
        .service(list_enrollments)
        .service(create_enrollment)
        .service(update_enrollment);
}

/// Community programs and entitlements, by name.
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of programs", body = Page<Program>))
)]
#[get("/programs")]
pub async fn list_programs(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::list(&db, access, (), paging, service::programs).await
}

/// Add a program or entitlement (housing, transportation, interpretation,
/// benefits, self-management, peer support), with who qualifies and how
/// often enrollments need recertifying.
#[utoipa::path(
    request_body = NewProgram,
    responses((status = 201, description = "Added", body = Program))
)]
#[post("/programs")]
pub async fn create_program(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewProgram>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersManage);
    flow::add(
        &db,
        access,
        (),
        body.into_inner(),
        service::create_program,
        |p: &Program| format!("/api/v1/programs/{}", p.id),
    )
    .await
}

/// A patient's program enrollments, newest first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of enrollments", body = Page<Enrollment>))
)]
#[get("/patients/{id}/enrollments")]
pub async fn list_enrollments(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Refer the patient to a program: an enrollment at `referred`.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewEnrollment,
    responses((status = 201, description = "Referred", body = Enrollment))
)]
#[post("/patients/{id}/enrollments")]
pub async fn create_enrollment(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewEnrollment>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::create,
        |e: &Enrollment| format!("/api/v1/patients/{}/enrollments", e.patient_id),
    )
    .await
}

/// Move an enrollment a step — `referred → applied → enrolled | denied →
/// exited` (a denied application may be made again) — dated `on` (today
/// when left out; 409 for a step the lifecycle lacks), or change its
/// renewal date or notes. Enrolling sets the renewal date from the
/// program's interval when none is set; a task opens 30 days before it.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Enrollment id")),
    request_body = EnrollmentPatch,
    responses((status = 200, description = "Changed", body = Enrollment))
)]
#[patch("/enrollments/{id}")]
pub async fn update_enrollment(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, EnrollmentPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change).await
}
