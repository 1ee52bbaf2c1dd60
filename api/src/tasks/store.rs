//! Tasks in the database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Uuid as SqlUuid};
use serde_json::Value;
use shared::auth::Role;
use shared::tasks::{Priority, Task, TaskContext, TaskKind, TaskStatus, TransitionOutcome};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::schema::{tasks, users};

#[derive(Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct TaskRow {
    id: Uuid,
    patient_id: Uuid,
    assignee_id: Option<Uuid>,
    kind: String,
    title: String,
    details: Option<String>,
    due_at: DateTime<Utc>,
    priority: String,
    status: String,
    outcome: Option<String>,
    transition_outcome: Option<Value>,
    cancel_reason: Option<String>,
    source_type: String,
    source_id: Option<Uuid>,
    context: Option<Value>,
    created_by: Option<Uuid>,
    completed_at: Option<DateTime<Utc>>,
    completed_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TaskRow {
    fn into_task(self, attempts: (i64, i64)) -> ApiResult<Task> {
        Ok(Task {
            id: self.id,
            patient_id: self.patient_id,
            assignee_id: self.assignee_id,
            kind: self.kind.parse().map_err(ApiError::internal)?,
            title: self.title,
            details: self.details,
            due_at: self.due_at,
            priority: self.priority.parse().map_err(ApiError::internal)?,
            status: self.status.parse().map_err(ApiError::internal)?,
            outcome: self.outcome,
            transition_outcome: self
                .transition_outcome
                .map(serde_json::from_value::<TransitionOutcome>)
                .transpose()
                .map_err(ApiError::internal)?,
            cancel_reason: self.cancel_reason,
            source_type: self.source_type,
            source_id: self.source_id,
            context: self
                .context
                .map(serde_json::from_value::<TaskContext>)
                .transpose()
                .map_err(ApiError::internal)?,
            outreach_attempts: attempts.0,
            failed_outreach_attempts: attempts.1,
            created_by: self.created_by,
            completed_at: self.completed_at,
            completed_by: self.completed_by,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(QueryableByName)]
struct AttemptCount {
    #[diesel(sql_type = SqlUuid)]
    task_id: Uuid,
    #[diesel(sql_type = BigInt)]
    attempts: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
}

/// Attaches outreach counts to rows (one grouped query for the whole batch).
fn hydrate(conn: &mut PgConnection, org: Uuid, rows: Vec<TaskRow>) -> ApiResult<Vec<Task>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<Uuid, (i64, i64)> = if ids.is_empty() {
        HashMap::new()
    } else {
        diesel::sql_query(
            "SELECT task_id, count(*) AS attempts, \
                    count(*) FILTER (WHERE outcome NOT IN ('reached', 'declined')) AS failed \
             FROM outreach_attempts WHERE organization_id = $1 AND task_id = ANY($2) GROUP BY task_id",
        )
        .bind::<SqlUuid, _>(org)
        .bind::<Array<SqlUuid>, _>(&ids)
        .load::<AttemptCount>(conn)?
        .into_iter()
        .map(|c| (c.task_id, (c.attempts, c.failed)))
        .collect()
    };
    rows.into_iter()
        .map(|r| {
            let c = counts.get(&r.id).copied().unwrap_or((0, 0));
            r.into_task(c)
        })
        .collect()
}

/// What a new task is.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The patient.
    pub patient_id: Uuid,
    /// Who should do it.
    pub assignee_id: Option<Uuid>,
    /// Kind.
    pub kind: TaskKind,
    /// Title.
    pub title: String,
    /// Details.
    pub details: Option<String>,
    /// Due.
    pub due_at: DateTime<Utc>,
    /// Priority.
    pub priority: Priority,
    /// What created it.
    pub source_type: &'static str,
    /// Its id.
    pub source_id: Option<Uuid>,
    /// What the rule knew.
    pub context: Option<TaskContext>,
    /// The person who created it (`None`: a rule).
    pub created_by: Option<Uuid>,
}

/// Creates a task. A rule's task (one with a `source_id`) is created at most
/// once per source and kind: `None` means it already existed.
pub fn insert(
    conn: &mut PgConnection,
    org: Uuid,
    spec: Spec,
    now: DateTime<Utc>,
) -> ApiResult<Option<Task>> {
    let id = Uuid::now_v7();
    let context = spec
        .context
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(ApiError::internal)?;
    let inserted = diesel::insert_into(tasks::table)
        .values((
            (
                tasks::id.eq(id),
                tasks::organization_id.eq(org),
                tasks::patient_id.eq(spec.patient_id),
                tasks::assignee_id.eq(spec.assignee_id),
                tasks::kind.eq(spec.kind.as_ref()),
                tasks::title.eq(&spec.title),
                tasks::details.eq(&spec.details),
                tasks::due_at.eq(spec.due_at),
            ),
            (
                tasks::priority.eq(spec.priority.as_ref()),
                tasks::source_type.eq(spec.source_type),
                tasks::source_id.eq(spec.source_id),
                tasks::context.eq(context),
                tasks::created_by.eq(spec.created_by),
                tasks::created_at.eq(now),
                tasks::updated_at.eq(now),
            ),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Ok(None);
    }
    get(conn, org, id).map(Some)
}

/// Task `id` of `org`, if any.
pub fn find(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Option<Task>> {
    let row = tasks::table
        .filter(tasks::organization_id.eq(org))
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(r) => hydrate(conn, org, vec![r])?.pop(),
        None => None,
    })
}

/// Task `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Task> {
    find(conn, org, id)?.ok_or_else(|| ApiError::not_found("task"))
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Patient.
    pub patient_id: Option<Uuid>,
    /// Status.
    pub status: Option<TaskStatus>,
    /// Kind.
    pub kind: Option<TaskKind>,
}

/// Tasks of `org` by due time, after the `(due_at, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    filter: &Filter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Task>> {
    let mut q = tasks::table
        .filter(tasks::organization_id.eq(org))
        .into_boxed();
    if let Some(a) = filter.assignee_id {
        q = q.filter(tasks::assignee_id.eq(a));
    }
    if let Some(p) = filter.patient_id {
        q = q.filter(tasks::patient_id.eq(p));
    }
    if let Some(s) = filter.status {
        q = q.filter(tasks::status.eq(s.as_ref().to_string()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(tasks::kind.eq(k.as_ref().to_string()));
    }
    if let Some((due, id)) = after {
        q = q.filter(
            tasks::due_at
                .gt(due)
                .or(tasks::due_at.eq(due).and(tasks::id.gt(id))),
        );
    }
    let rows = q
        .order((tasks::due_at.asc(), tasks::id.asc()))
        .limit(limit)
        .select(TaskRow::as_select())
        .load(conn)?;
    hydrate(conn, org, rows)
}

/// Every open or in-progress task assigned to `user` (a worklist's input).
pub fn active_for_assignee(conn: &mut PgConnection, org: Uuid, user: Uuid) -> ApiResult<Vec<Task>> {
    let rows = tasks::table
        .filter(tasks::organization_id.eq(org))
        .filter(tasks::assignee_id.eq(user))
        .filter(tasks::status.eq_any(["open", "in_progress"]))
        .select(TaskRow::as_select())
        .load(conn)?;
    hydrate(conn, org, rows)
}

/// What the lock returns about the task being changed.
#[derive(Debug, Clone, Copy)]
pub struct Locked {
    /// Kind.
    pub kind: TaskKind,
    /// Status now.
    pub status: TaskStatus,
    /// Assignee now.
    pub assignee_id: Option<Uuid>,
    /// The patient.
    pub patient_id: Uuid,
}

/// Locks task `id` for an update: 404 when absent, 412 when stale.
pub fn lock(conn: &mut PgConnection, org: Uuid, id: Uuid, expected: Expected) -> ApiResult<Locked> {
    let (version, kind, status, assignee_id, patient_id): (
        i32,
        String,
        String,
        Option<Uuid>,
        Uuid,
    ) = tasks::table
        .filter(tasks::organization_id.eq(org))
        .find(id)
        .select((
            tasks::version,
            tasks::kind,
            tasks::status,
            tasks::assignee_id,
            tasks::patient_id,
        ))
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("task"))?;
    if !expected.matches(version) {
        return Err(ApiError::PreconditionFailed { current: version });
    }
    Ok(Locked {
        kind: kind.parse().map_err(ApiError::internal)?,
        status: status.parse().map_err(ApiError::internal)?,
        assignee_id,
        patient_id,
    })
}

/// Columns an update may change.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tasks)]
pub struct Changes {
    /// Assignee.
    pub assignee_id: Option<Option<Uuid>>,
    /// Title.
    pub title: Option<String>,
    /// Details.
    pub details: Option<Option<String>>,
    /// Due.
    pub due_at: Option<DateTime<Utc>>,
    /// Priority.
    pub priority: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Structured transition outcome.
    pub transition_outcome: Option<Value>,
    /// Cancel reason.
    pub cancel_reason: Option<String>,
    /// Finished when.
    pub completed_at: Option<DateTime<Utc>>,
    /// Finished by.
    pub completed_by: Option<Uuid>,
}

/// Writes `changes` to a locked task and bumps its version.
pub fn update(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    changes: Changes,
    now: DateTime<Utc>,
) -> ApiResult<Task> {
    diesel::update(tasks::table.find(id))
        .set((
            changes,
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, org, id)
}

/// Moves an open task to in progress (logging outreach on it starts it).
pub fn start_if_open(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::update(
        tasks::table
            .filter(tasks::organization_id.eq(org))
            .filter(tasks::id.eq(id))
            .filter(tasks::status.eq("open")),
    )
    .set((
        tasks::status.eq("in_progress"),
        tasks::version.eq(tasks::version + 1),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Cancels every open task of a patient (the case closed); returns how many.
pub fn cancel_active_for_patient(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    reason: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    Ok(diesel::update(
        tasks::table
            .filter(tasks::organization_id.eq(org))
            .filter(tasks::patient_id.eq(patient))
            .filter(tasks::status.eq_any(["open", "in_progress"])),
    )
    .set((
        tasks::status.eq("cancelled"),
        tasks::cancel_reason.eq(reason),
        tasks::completed_at.eq(now),
        tasks::completed_by.eq(by),
        tasks::version.eq(tasks::version + 1),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// Identifies the task a workflow rule created: the unique index allows one
/// per source record and kind.
#[derive(Debug, Clone, Copy)]
pub struct RuleTask<'a> {
    /// `encounter`, `appointment` …
    pub source_type: &'a str,
    /// The source record.
    pub source_id: Uuid,
    /// The task kind the rule creates.
    pub kind: TaskKind,
}

fn active_rule_task(org: Uuid, key: RuleTask<'_>) -> tasks::BoxedQuery<'_, diesel::pg::Pg> {
    tasks::table
        .filter(tasks::organization_id.eq(org))
        .filter(tasks::source_type.eq(key.source_type))
        .filter(tasks::source_id.eq(key.source_id))
        .filter(tasks::kind.eq(key.kind.as_ref().to_owned()))
        .filter(tasks::status.eq_any(["open", "in_progress"]))
        .into_boxed()
}

/// Cancels the active task a rule created (the event was corrected away).
pub fn cancel_rule_task(
    conn: &mut PgConnection,
    org: Uuid,
    key: RuleTask<'_>,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let ids: Vec<Uuid> = active_rule_task(org, key).select(tasks::id).load(conn)?;
    Ok(diesel::update(tasks::table.filter(tasks::id.eq_any(ids)))
        .set((
            tasks::status.eq("cancelled"),
            tasks::cancel_reason.eq(reason),
            tasks::completed_at.eq(now),
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// Moves the due time of the active task a rule created (the event's time
/// was corrected).
pub fn reschedule_rule_task(
    conn: &mut PgConnection,
    org: Uuid,
    key: RuleTask<'_>,
    due_at: DateTime<Utc>,
    context: &TaskContext,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let ids: Vec<Uuid> = active_rule_task(org, key).select(tasks::id).load(conn)?;
    diesel::update(tasks::table.filter(tasks::id.eq_any(ids)))
        .set((
            tasks::due_at.eq(due_at),
            tasks::context.eq(serde_json::to_value(context).map_err(ApiError::internal)?),
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The active supervisor with the fewest open tasks (ties by name): who gets
/// a rule's task when the patient has no care manager.
pub fn least_loaded_supervisor(conn: &mut PgConnection, org: Uuid) -> ApiResult<Option<Uuid>> {
    let open = tasks::table
        .filter(tasks::assignee_id.eq(users::id.nullable()))
        .filter(tasks::status.eq_any(["open", "in_progress"]))
        .count()
        .single_value();
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .filter(users::role.eq(Role::Supervisor.as_ref()))
        .filter(users::active.eq(true))
        .order((open.asc(), users::name.asc(), users::id.asc()))
        .select(users::id)
        .first(conn)
        .optional()?)
}
