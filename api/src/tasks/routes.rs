//! `/tasks`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shared::auth::Permission;
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use shared::tasks::{NewTask, Task, TaskListQuery, TaskPatch, TaskStatus};
use shared::validation::trimmed;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::idempotency::{self, Done, IdempotencyKey};
use crate::patients::store as patients;
use crate::tasks::store::{self, Changes, Filter, Spec};
use crate::users::store as users;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tasks)
        .service(create_task)
        .service(get_task)
        .service(update_task);
}

/// A 422 on `assignee_id` unless `id` can carry tasks in `org`.
fn ensure_assignable(conn: &mut diesel::PgConnection, org: Uuid, id: Uuid) -> ApiResult<()> {
    if users::can_carry_caseload(conn, org, id)? {
        Ok(())
    } else {
        Err(ApiError::field(
            "assignee_id",
            "is not an active care manager or supervisor in your organization",
        ))
    }
}

/// List tasks by due time, filtered by assignee, patient, status and kind.
#[utoipa::path(
    tag = "tasks",
    params(TaskListQuery),
    responses((status = 200, description = "A page of tasks", body = Page<Task>)),
    security(("bearer" = []))
)]
#[get("/tasks")]
pub async fn list_tasks(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<TaskListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let filter = Filter {
        assignee_id: q.assignee_id,
        patient_id: q.patient_id,
        status: q.status,
        kind: q.kind,
    };
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, &filter, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |t| (t.due_at, t.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("task.list", "task")
                    .details(json!({"assignee_id": q.assignee_id, "patient_id": q.patient_id, "status": q.status, "kind": q.kind}))
                    .listed(items.iter().map(|t| t.patient_id)),
            )?;
            Ok(Page { items, next_cursor })
        })
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
    caller.require(Permission::TasksWrite)?;
    let mut new = body.into_inner();
    new.title = new.title.trim().to_string();
    new.details = trimmed(new.details);
    new.check()?;
    let assignee = match (new.assignee_id, caller.user_id()) {
        (Some(a), me) if Some(a) != me => {
            caller.require(Permission::TasksAssign)?;
            Some(a)
        }
        (Some(a), _) => Some(a),
        (None, me) => me,
    };
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &caller, &idem, &new, |conn| {
                patients::ensure_referenced(conn, caller.org, new.patient_id, "patient_id")?;
                if let Some(a) = assignee {
                    ensure_assignable(conn, caller.org, a)?;
                }
                let spec = Spec {
                    patient_id: new.patient_id,
                    assignee_id: assignee,
                    kind: new.kind,
                    title: new.title.clone(),
                    details: new.details.clone(),
                    due_at: new.due_at,
                    priority: new.priority.unwrap_or_default(),
                    source_type: "manual",
                    source_id: None,
                    context: None,
                    created_by: caller.user_id(),
                };
                let task = store::insert(conn, caller.org, spec, Utc::now())?
                    .ok_or_else(|| ApiError::internal("a manual task was not inserted"))?;
                audit::record(
                    conn,
                    &caller.actor(),
                    Entry::new("task.create", "task")
                        .on(task.id)
                        .patient(task.patient_id),
                )?;
                Ok(Done {
                    location: format!("/api/v1/tasks/{}", task.id),
                    value: task,
                    created: true,
                })
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
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksRead)?;
    let id = id.into_inner();
    let t = db
        .run(move |conn| {
            let t = store::get(conn, caller.org, id)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("task.read", "task").on(id).patient(t.patient_id),
            )?;
            Ok(t)
        })
        .await?;
    Ok(t.respond(HttpResponse::Ok()))
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
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<TaskPatch>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksWrite)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let expected = if_match.expected(patch.version)?;
    let now = Utc::now();
    let task = db
        .tx(move |conn| {
            let locked = store::lock(conn, caller.org, id, expected)?;
            patch.check(locked.kind)?;
            if !locked.status.is_active() {
                return Err(ApiError::Conflict(format!(
                    "This task is {} and can no longer change.",
                    locked.status.label().to_lowercase()
                )));
            }
            if let Some(Some(a)) = patch.assignee_id {
                if Some(a) != caller.user_id() {
                    caller.require(Permission::TasksAssign)?;
                }
                ensure_assignable(conn, caller.org, a)?;
            } else if patch.assignee_id == Some(None) {
                caller.require(Permission::TasksAssign)?;
            }
            let mut changes = Changes {
                assignee_id: patch.assignee_id,
                title: patch.title.as_ref().map(|t| t.trim().to_string()),
                details: patch.details.clone().map(trimmed),
                due_at: patch.due_at,
                priority: patch.priority.map(|p| p.as_ref().to_string()),
                ..Changes::default()
            };
            if let Some(to) = patch.status.filter(|s| *s != locked.status) {
                if !locked.status.can_become(to) {
                    return Err(ApiError::Conflict(format!(
                        "A task that is {} cannot become {}.",
                        locked.status.label().to_lowercase(),
                        to.label().to_lowercase()
                    )));
                }
                changes.status = Some(to.as_ref().to_string());
                match to {
                    TaskStatus::Done => {
                        changes.outcome = trimmed(patch.outcome.clone());
                        changes.transition_outcome = patch
                            .transition_outcome
                            .as_ref()
                            .map(serde_json::to_value)
                            .transpose()
                            .map_err(ApiError::internal)?;
                        changes.completed_at = Some(now);
                        changes.completed_by = caller.user_id();
                    }
                    TaskStatus::Cancelled => {
                        changes.cancel_reason = trimmed(patch.cancel_reason.clone());
                        changes.completed_at = Some(now);
                        changes.completed_by = caller.user_id();
                    }
                    TaskStatus::Open | TaskStatus::InProgress => {}
                }
            }
            let task = store::update(conn, caller.org, id, changes, now)?;
            let changed: Vec<String> = match serde_json::to_value(&patch) {
                Ok(Value::Object(map)) => map.keys().filter(|k| *k != "version").cloned().collect(),
                _ => vec![],
            };
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("task.update", "task")
                    .on(id)
                    .patient(locked.patient_id)
                    .details(json!({"changed": changed, "status": task.status})),
            )?;
            Ok(task)
        })
        .await?;
    Ok(task.respond(HttpResponse::Ok()))
}
