//! `/patients/{id}/care-plan` and `/care-plans/{id}/versions/{n}`.

use actix_web::{HttpResponse, get, put, web};
use chrono::Utc;
use serde::Deserialize;
use shared::auth::Permission;
use shared::care_plan::{CarePlan, CarePlanVersion, CarePlanWrite};
use shared::ids::PatientId;
use shared::problem::Problem;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::care_plans::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Query, flow};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_care_plan)
        .service(put_care_plan)
        .service(get_care_plan_version);
}

/// The patient's care plan at its current version: needs, goals (each
/// measure evaluated against the latest screening in `goal_evaluations`),
/// interventions, participants and their agreement, and the review due
/// date (`review_overdue` once it has passed). A 404 when the patient has
/// no plan yet.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The current plan", body = CarePlan))
)]
#[get("/patients/{id}/care-plan")]
pub async fn get_care_plan(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let id = id.into_inner();
    let now = Utc::now();
    let plan = db
        .tx_as(access, move |conn, auth| service::get(conn, &auth, id, now))
        .await?;
    Ok(plan.respond(HttpResponse::Ok()))
}

/// Save the whole plan as a new version (every change keeps the previous
/// version readable). Send the version you read as `If-Match` (or
/// `version`); the first save creates the plan (201) and takes none.
/// Items keep their `id`; new ones leave it out and get one. A save that
/// changes nothing makes no version. `review` completes the review that is
/// due: it records the outcome, closes the `care_plan_review` task, and
/// sets the next due date (90 days by default). A review due within 14
/// days opens a `care_plan_review` task.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = CarePlanWrite,
    responses(
        (status = 200, description = "Saved as a new version", body = CarePlan),
        (status = 201, description = "Created at version 1", body = CarePlan),
        (status = 412, description = "Someone saved first (or no plan exists to match the version sent)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "The plan exists: send the version you read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/patients/{id}/care-plan")]
pub async fn put_care_plan(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    if_match: IfMatch,
    body: Json<CarePlanWrite>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::put(
        &db,
        access,
        id.into_inner(),
        if_match,
        body.into_inner(),
        service::put,
        |plan: &CarePlan| format!("/api/v1/patients/{}/care-plan", plan.patient_id),
    )
    .await
}

/// Which version to compare with.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The version to compare with (default: the one before; version 1 has none).
    #[serde(default)]
    #[param(minimum = 1)]
    pub compare_to: Option<i32>,
}

/// Version `n` of a care plan, as it was saved, with what changed from
/// `compare_to` (by default the version before), item by item.
#[utoipa::path(
    params(
        ("id" = Uuid, Path, description = "Care plan id"),
        ("n" = i32, Path, description = "Version number", minimum = 1),
        CompareQuery,
    ),
    responses((status = 200, description = "The version", body = CarePlanVersion))
)]
#[get("/care-plans/{id}/versions/{n}")]
pub async fn get_care_plan_version(
    db: web::Data<Db>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
    query: Query<CompareQuery>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let (id, n) = path.into_inner();
    let compare_to = query.into_inner().compare_to;
    let v = db
        .tx_as(access, move |conn, auth| {
            service::version(conn, &auth, (id, n, compare_to))
        })
        .await?;
    Ok(v.respond(HttpResponse::Ok()))
}
