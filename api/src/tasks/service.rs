//! The task use cases. The lifecycle itself (what a change may do, what
//! finishing needs) is the pure `Task::work` in `shared::tasks`; this
//! applies it, with the permission and the database checks it cannot make.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::auth::Permission;
use shared::ids::TaskId;
use shared::pagination::Page;
use shared::tasks::{NewTask, Task, TaskListQuery, TaskPatch, TaskRefusal, TaskSource, TaskStatus};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::http::flow::Saved;
use crate::patients::store as patients;
use crate::tasks::store::{self, Filter, Spec};
use crate::users::store as users;

/// Tasks by due time.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: TaskListQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Task>> {
    let filter = Filter {
        assignee_id: q.assignee_id,
        patient_id: q.patient_id,
        status: q.status,
        kind: q.kind,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    let page = paging.page(rows, |t| (t.due_at, t.id));
    audit::log(conn, auth,
        Entry::new(AuditAction::TaskList)
            .details(json!({"assignee_id": q.assignee_id, "patient_id": q.patient_id, "status": q.status, "kind": q.kind}))
            .listed(page.items.iter().map(|t| t.patient_id)),
    )?;
    Ok(page)
}

/// Creates a task by hand. It is the caller's unless they name someone
/// else, which takes `tasks:assign`.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewTask>,
    _seen: Option<Expected>,
    now: DateTime<Utc>,
) -> ApiResult<Saved<Task>> {
    let new = new.into_inner();
    let assignee = match new.assignee_id {
        Some(a) if Some(a) != auth.user_id() => {
            auth.require(Permission::TasksAssign)?;
            Some(a)
        }
        Some(a) => Some(a),
        None => auth.user_id(),
    };
    patients::ensure_referenced(conn, auth, new.patient_id, "patient_id")?;
    if let Some(a) = assignee {
        users::ensure_can_carry_caseload(conn, auth, a, "assignee_id")?;
    }
    let spec = Spec {
        patient_id: new.patient_id,
        assignee_id: assignee,
        kind: new.kind,
        title: new.title,
        details: new.details,
        due_at: new.due_at,
        priority: new.priority.unwrap_or_default(),
        source_type: TaskSource::Manual,
        source_id: None,
        context: None,
        created_by: auth.user_id(),
    };
    let task = store::insert(conn, auth, spec, now)?
        .ok_or_else(|| ApiError::internal("a manual task was not inserted"))?;
    audit::on_record(
        conn,
        auth,
        AuditAction::TaskCreate,
        task.id,
        task.patient_id,
    )?;
    Ok(Saved {
        record: task,
        created: true,
    })
}

/// One task.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: TaskId) -> ApiResult<Task> {
    let task = store::get(conn, auth, id)?;
    audit::on_record(conn, auth, AuditAction::TaskRead, id, task.patient_id)?;
    Ok(task)
}

/// Works a task: reassign, reschedule, start, finish or cancel it. Giving
/// it to someone else (or to nobody) takes `tasks:assign`.
pub fn work(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: TaskId,
    expected: Expected,
    patch: Valid<TaskPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Task> {
    let patch = patch.into_inner();
    let current = store::lock(conn, auth, id, expected)?;
    let changes = current
        .work(&patch, auth.user_id(), now)
        .map_err(|refusal| match refusal {
            TaskRefusal::Invalid(errors) => ApiError::from(errors),
            other => ApiError::Conflict(other.to_string()),
        })?;
    if changes.status == Some(TaskStatus::Cancelled)
        && !current.may_cancel(auth.user_id(), auth.permits(Permission::TasksAssign))
    {
        return Err(ApiError::Forbidden(
            "Only the assignee or a supervisor may cancel a follow-up the rules created.".into(),
        ));
    }
    match changes.assignee_id {
        None => {}
        Some(Some(a)) if Some(a) == auth.user_id() => {
            users::ensure_can_carry_caseload(conn, auth, a, "assignee_id")?;
        }
        Some(other) => {
            auth.require(Permission::TasksAssign)?;
            if let Some(a) = other {
                users::ensure_can_carry_caseload(conn, auth, a, "assignee_id")?;
            }
        }
    }
    let task = store::update(conn, auth, id, changes, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::TaskUpdate)
            .on(id)
            .patient(current.patient_id)
            .details(json!({"changed": patch.changed_fields(), "status": task.status})),
    )?;
    Ok(task)
}
