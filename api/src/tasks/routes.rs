//! `/tasks`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::ids::TaskId;
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::tasks::{NewTask, Task, TaskListQuery, TaskPatch};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging, Query};
use crate::idempotency::{self, Done, IdempotencyKey};
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
    tag = "tasks",
    params(TaskListQuery, PageQuery),
    responses((status = 200, description = "A page of tasks", body = Page<Task>)),
    security(("bearer" = []))
)]
#[get("/tasks")]
pub async fn list_tasks(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<TaskListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::TasksRead)?;
    let q = query.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, &q, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a task by hand (outreach, chart review, custom …).
///
/// It is yours unless you name an `assignee_id`; giving it to someone else
/// takes a supervisor. Follow-ups for discharges, missed appointments and
/// safety screens are created by the rules, not by hand.
#[utoipa::path(
    tag = "tasks",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewTask,
    responses((status = 201, description = "Created", body = Task, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/tasks")]
pub async fn create_task(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewTask>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::TasksWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &auth, &idem, new, |conn, new| {
                let task = service::create(conn, &auth, new, now)?;
                Ok(Done::created(format!("/api/v1/tasks/{}", task.id), task))
            })
        })
        .await?;
    Ok(outcome.respond())
}

/// One task.
#[utoipa::path(
    tag = "tasks",
    params(("id" = Uuid, Path, description = "Task id")),
    responses((status = 200, description = "The task", body = Task, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/tasks/{id}")]
pub async fn get_task(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<TaskId>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::TasksRead)?;
    let id = id.into_inner();
    let task = db.run(move |conn| service::get(conn, &auth, id)).await?;
    Ok(task.respond(HttpResponse::Ok()))
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
    tag = "tasks",
    params(
        ("id" = Uuid, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = TaskPatch,
    responses(
        (status = 200, description = "Updated", body = Task, headers(("ETag" = String))),
        (status = 409, description = "The task is finished or cancelled, or the status step is not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/tasks/{id}")]
pub async fn update_task(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<TaskId>,
    if_match: IfMatch,
    body: Json<TaskPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::TasksWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let task = db
        .tx(move |conn| service::work(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(task.respond(HttpResponse::Ok()))
}
