//! `/patients/{id}/care-team` and `/care-team/{id}`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{NaiveDate, Utc};
use shared::auth::Permission;
use shared::care_team::{CareTeamMember, CareTeamPatch, NewCareTeamMember};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::care_team::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(update_member);
}

/// A patient's care team, by start date (ended memberships included).
#[utoipa::path(
    tag = "care-team",
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of members", body = Page<CareTeamMember>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/care-team")]
pub async fn list_members(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(NaiveDate, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, patient, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add someone to the care team: a user of the organization (`user_id`), who
/// then receives the patient's alerts, or an outside provider (`name`).
#[utoipa::path(
    tag = "care-team",
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewCareTeamMember,
    responses((status = 201, description = "Added", body = CareTeamMember, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/patients/{id}/care-team")]
pub async fn add_member(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewCareTeamMember>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let patient = id.into_inner();
    let member = db
        .tx(move |conn| service::add(conn, &auth, patient, new, now))
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/care-team/{}", member.id)));
    Ok(member.respond(res))
}

/// Change a member's role or details, or end the membership (`end_date`).
#[utoipa::path(
    tag = "care-team",
    params(
        ("id" = Uuid, Path, description = "Member id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = CareTeamPatch,
    responses(
        (status = 200, description = "Updated", body = CareTeamMember, headers(("ETag" = String))),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/care-team/{id}")]
pub async fn update_member(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CareTeamPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::PatientsWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let member = db
        .tx(move |conn| service::change(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(member.respond(HttpResponse::Ok()))
}
