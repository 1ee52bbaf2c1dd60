//! `/service-criteria` and `/patients/{id}/necessity-facts`.

use actix_web::{HttpResponse, get, put, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::necessity::{CriteriaWrite, Facts, ServiceCriteria};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::providers::ServiceType;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{IfMatch, Json, Paging, flow};
use crate::necessity::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_criteria)
        .service(get_criteria)
        .service(put_criteria)
        .service(necessity_facts);
}

/// The medical-necessity criteria set per service, by service.
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of criteria", body = Page<ServiceCriteria>))
)]
#[get("/service-criteria")]
pub async fn list_criteria(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<String>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::list(&db, access, (), paging, service::list).await
}

/// One service's criteria; 404 when none are set (a referral for it has
/// nothing to meet).
#[utoipa::path(
    params(("service" = ServiceType, Path, description = "The service")),
    responses((status = 200, description = "The criteria", body = ServiceCriteria))
)]
#[get("/service-criteria/{service}")]
pub async fn get_criteria(
    db: web::Data<Db>,
    caller: Caller,
    service: web::Path<ServiceType>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::read(&db, access, service.into_inner(), service::get).await
}

/// Set a service's medical-necessity criteria (admins): conditions over
/// the patient's latest screenings (`score_at_least`, `positive_screen`),
/// risk level (`risk_at_least`), recent discharges (`discharged_within`)
/// and the care plan's active needs (`active_need`). They are met when
/// every `all_of` condition holds and, if there are `any_of` conditions,
/// one of them does; when not, `alternatives` are offered in order.
/// Referrals are checked when drafted and again when sent.
#[utoipa::path(
    params(("service" = ServiceType, Path, description = "The service")),
    request_body = CriteriaWrite,
    responses(
        (status = 200, description = "Changed", body = ServiceCriteria),
        (status = 201, description = "Set for the first time", body = ServiceCriteria),
        (status = 412, description = "Someone changed them first (or none exist to match the version sent)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "They exist: send the version you read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/service-criteria/{service}")]
pub async fn put_criteria(
    db: web::Data<Db>,
    caller: Caller,
    service: web::Path<ServiceType>,
    if_match: IfMatch,
    body: Json<CriteriaWrite>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::OrganizationManage);
    flow::put(
        &db,
        access,
        service.into_inner(),
        if_match,
        body.into_inner(),
        service::put,
        |c: &ServiceCriteria| format!("/api/v1/service-criteria/{}", c.service),
    )
    .await
}

/// What the medical-necessity criteria read about a patient: the latest
/// screen of each instrument, the risk level in force, discharges in the
/// last two years and the care plan's active needs. A client checks a
/// draft live with `shared::necessity::evaluate(criteria, facts, now)`,
/// the function the server uses.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The facts", body = Facts))
)]
#[get("/patients/{id}/necessity-facts")]
pub async fn necessity_facts(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let id = id.into_inner();
    let now = Utc::now();
    let facts = db
        .tx_as(access, move |conn, auth| {
            service::facts(conn, &auth, id, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(facts))
}
