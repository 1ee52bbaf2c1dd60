//! `/tasks`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::ids::TaskId;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::tasks::{NewTask, Task, TaskListQuery, TaskPatch};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::IfMatch;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::idempotency::IdempotencyKey;
use crate::tasks::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tasks)
        .service(create_task)
        .service(get_task)
        .service(update_task);
}

/// List tasks by due time, filtered by assignee, patient, status and kind.
#[utoipa::path(
    params(TaskListQuery, PageQuery),
    responses((status = 200, description = "A page of tasks", body = Page<Task>))
)]
#[get("/tasks")]
pub async fn list_tasks(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<TaskListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Create a task by hand (outreach, chart review, custom …).
///
/// It is yours unless you name an `assignee_id`; giving it to someone else
/// takes a supervisor. Follow-ups for discharges, missed appointments and
/// safety screens are created by the rules, not by hand.
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewTask,
    responses((status = 201, description = "Created", body = Task))
)]
#[post("/tasks")]
pub async fn create_task(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    if_match: IfMatch,
    body: Json<NewTask>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    let location = |t: &Task| format!("/api/v1/tasks/{}", t.id);
    flow::record(
        &db,
        access,
        idem,
        if_match,
        body.into_inner(),
        service::create,
        location,
    )
    .await
}

/// One task.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 200, description = "The task", body = Task))
)]
#[get("/tasks/{id}")]
pub async fn get_task(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<TaskId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Work a task: reassign, reschedule, start, finish or cancel it.
///
/// `status: done` needs an `outcome` (a transition follow-up needs its
/// structured `transition_outcome`: patient reached, follow-up appointment,
/// discharge instructions understood, medications reviewed, needs found);
/// `status: cancelled` needs a `cancel_reason`. Finished and cancelled
/// tasks do not change again (409). Giving a task to someone else takes a
/// supervisor.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Task id")),
    request_body = TaskPatch,
    responses(
        (status = 200, description = "Updated", body = Task),
        (status = 409, description = "The task is finished or cancelled, or the status step is not allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/tasks/{id}")]
pub async fn update_task(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<TaskId, TaskPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TasksWrite);
    flow::change(&db, access, edit, service::work).await
}
