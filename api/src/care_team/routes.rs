//! `/patients/{id}/care-team` and `/care-team/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use shared::auth::Permission;
use shared::care_team::{CareTeamMember, CareTeamPatch, NewCareTeamMember};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::care_team::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(update_member);
}

/// A patient's care team, by start date (ended memberships included).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of members", body = Page<CareTeamMember>))
)]
#[get("/patients/{id}/care-team")]
pub async fn list_members(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(NaiveDate, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Add someone to the care team: a user of the organization (`user_id`), who
/// then receives the patient's alerts, or an outside provider (`name`).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewCareTeamMember,
    responses((status = 201, description = "Added", body = CareTeamMember))
)]
#[post("/patients/{id}/care-team")]
pub async fn add_member(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewCareTeamMember>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    let location = |m: &CareTeamMember| format!("/api/v1/care-team/{}", m.id);
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

/// Change a member's role or details, or end the membership (`end_date`).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Member id")),
    request_body = CareTeamPatch,
    responses(
        (status = 200, description = "Updated", body = CareTeamMember),
    )
)]
#[patch("/care-team/{id}")]
pub async fn update_member(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, CareTeamPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change).await
}
