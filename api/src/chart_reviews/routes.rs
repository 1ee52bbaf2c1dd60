//! `/patients/{id}/chart-reviews`.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::chart_review::{ChartReview, NewChartReview};
use shared::ids::PatientId;
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::chart_reviews::service;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow;
use crate::http::{Json, Paging};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_chart_reviews).service(record_chart_review);
}

/// A patient's chart reviews, newest first, each with the gaps it turned
/// into tasks.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of chart reviews", body = Page<ChartReview>))
)]
#[get("/patients/{id}/chart-reviews")]
pub async fn list_chart_reviews(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::list).await
}

/// Record a chart review: service use, engagement, plan adherence, the
/// minutes spent, and the `key`s of the current gaps (`GET
/// /patients/{id}/gaps`) to turn into tasks. In one transaction each chosen
/// gap becomes a task for the reviewer, due the next business day, and the
/// minutes become a signed `chart_review` note, so the review counts in
/// productivity like any note. A key that is not a current gap is a 422
/// naming it (`gaps[1]`). Needs `notes:write`, like writing a note: people
/// only.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewChartReview,
    responses((status = 201, description = "Recorded, with the tasks it created", body = ChartReview))
)]
#[post("/patients/{id}/chart-reviews")]
pub async fn record_chart_review(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<NewChartReview>,
) -> ApiResult<HttpResponse> {
    // It writes a chart-review note: note writers only.
    let access = caller.authorize(Permission::NotesWrite);
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

fn location(r: &ChartReview) -> String {
    format!("/api/v1/patients/{}/chart-reviews", r.patient_id)
}
