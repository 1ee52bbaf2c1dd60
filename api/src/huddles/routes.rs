//! `/huddles`, `/huddles/agenda` and `/huddles/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use shared::auth::Permission;
use shared::huddles::{AgendaItem, AgendaQuery, Huddle, HuddlePatch, NewHuddle};
use shared::pagination::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::Edit;
use crate::http::{Json, Paging, Query, flow};
use crate::huddles::service::{self, AgendaCursor};

/// Registers the routes (the agenda before `{id}`, which would take it).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(huddle_agenda)
        .service(list_huddles)
        .service(record_huddle)
        .service(get_huddle)
        .service(update_huddle);
}

/// The proposed agenda for today's huddle, one item per patient with every
/// reason they are on it, most urgent first.
///
/// Reasons, in order: **safety flags** (an unacknowledged safety alert,
/// or a suicide-risk screening in the last 14 days), **new discharges**
/// (discharged in the last 72 hours), **overdue work** (an open task past
/// due) and **high risk** (risk level high or very high). Patients whose
/// case is closed are left out. Items are ordered by their most urgent
/// reason, then patient risk (very high first), then how long that reason
/// has waited (oldest first), then name. Each names the patient's care
/// manager and the worklist (`worklist_link`) that holds their work.
///
/// A supervisor sees the whole organization, or one care manager's
/// caseload with `care_manager_id`; anyone else sees their own caseload
/// (their patients, and the overdue work assigned to them). The agenda is
/// built from at most 300 records of each kind (the most urgent), and is
/// paged like any list.
#[utoipa::path(
    params(AgendaQuery, PageQuery),
    responses(
        (status = 200, description = "The proposed agenda", body = Page<AgendaItem>),
        (status = 404, description = "No user with that `care_manager_id` in your organization", body = shared::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/huddles/agenda")]
pub async fn huddle_agenda(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<AgendaQuery>,
    paging: Paging<AgendaCursor>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::list(&db, access, query.into_inner(), paging, service::agenda).await
}

/// Huddles, newest first, each with its attendees, the patients discussed
/// and its action items (with their tasks' status now).
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "A page of huddles", body = Page<Huddle>))
)]
#[get("/huddles")]
pub async fn list_huddles(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<(NaiveDate, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::list(&db, access, (), paging, service::list).await
}

/// Record a huddle: its date (today on the organization's calendar when
/// omitted), attendees (active users of the organization), the patients
/// discussed with notes, and action items.
///
/// Each action item becomes a task in the same transaction
/// (`source_type: huddle`, `source_id`: the action item, `context` naming
/// the huddle), yours unless you name an `assignee_id` — giving one to
/// someone else takes a supervisor, as for any task. One bad reference (a
/// patient or user not of your organization) is a 422 naming each, and
/// nothing is recorded.
#[utoipa::path(
    request_body = NewHuddle,
    responses((status = 201, description = "Recorded, with the tasks its action items became", body = Huddle))
)]
#[post("/huddles")]
pub async fn record_huddle(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewHuddle>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    flow::add(
        &db,
        access,
        (),
        body.into_inner(),
        service::create,
        location,
    )
    .await
}

fn location(h: &Huddle) -> String {
    format!("/api/v1/huddles/{}", h.id)
}

/// One huddle.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Huddle id")),
    responses((status = 200, description = "The huddle", body = Huddle))
)]
#[get("/huddles/{id}")]
pub async fn get_huddle(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Change a huddle's notes, or the notes on patients it discussed. The
/// date, attendees and action items stay as recorded (the tasks are worked
/// on the worklist).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Huddle id")),
    request_body = HuddlePatch,
    responses((status = 200, description = "Changed", body = Huddle))
)]
#[patch("/huddles/{id}")]
pub async fn update_huddle(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, HuddlePatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    flow::change(&db, access, edit, service::change).await
}
