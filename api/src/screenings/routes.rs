//! `/patients/{id}/screenings`, `/screenings/{id}` and
//! `/screenings/{id}/entered-in-error`.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::screening::{EnteredInErrorRequest, NewScreening, Screening, ScreeningListQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::screenings::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_screenings)
        .service(record_screening)
        .service(get_screening)
        .service(mark_screening_entered_in_error);
}

/// A patient's screenings, oldest first: an instrument's history reads
/// forward, ready to chart. Screenings marked entered in error are listed,
/// marked, and count for nothing.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), ScreeningListQuery, PageQuery),
    responses((status = 200, description = "A page of screenings", body = Page<Screening>))
)]
#[get("/patients/{id}/screenings")]
pub async fn list_screenings(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: Query<ScreeningListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let of = (id.into_inner(), query.into_inner());
    flow::list(&db, access, of, paging, service::list).await
}

/// Record a screening given to the patient. The server scores it (DESIGN
/// §4): `total`, `severity`, `positive`, `flags` and `loinc` in the answer
/// are computed from `answers`; a missing or out-of-range item is a 422
/// naming it (`answers.9`).
///
/// In the same transaction: a `suicide_risk` flag (PHQ-9 item 9 above 0,
/// or a high-risk C-SSRS) raises a high-severity safety alert to the care
/// team and opens a `safety_followup` task due by the end of the local
/// day, at the top of the worklist; `administer_phq9` (PHQ-2 of 3 or more)
/// opens a `screening_due` task for a PHQ-9.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewScreening,
    responses((status = 201, description = "Recorded and scored", body = Screening))
)]
#[post("/patients/{id}/screenings")]
pub async fn record_screening(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewScreening>,
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

fn location(s: &Screening) -> String {
    format!("/api/v1/screenings/{}", s.id)
}

/// One screening, with its answers and score.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Screening id")),
    responses((status = 200, description = "The screening", body = Screening))
)]
#[get("/screenings/{id}")]
pub async fn get_screening(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Mark a screening entered in error, with the reason. It is never
/// deleted: it stays in the history, marked, and counts for nothing; the
/// follow-ups it opened that are still open are cancelled with the reason.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Screening id")),
    request_body = EnteredInErrorRequest,
    responses(
        (status = 200, description = "Marked", body = Screening),
        (status = 409, description = "Already marked", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/screenings/{id}/entered-in-error")]
pub async fn mark_screening_entered_in_error(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, EnteredInErrorRequest>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::mark_entered_in_error).await
}
