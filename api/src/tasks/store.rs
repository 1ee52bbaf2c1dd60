//! Tasks in the database. Every query is limited to the caller's
//! organization.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::dsl::{AsExprOf, AsSelect, SqlTypeOf};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Nullable, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use shared::auth::Role;
use shared::ids::{PatientId, TaskId, UserId};
use shared::outreach::OutreachOutcome;
use shared::tasks::{
    Priority, Task, TaskChanges, TaskContext, TaskKind, TaskSource, TaskStatus, TransitionOutcome,
};
use shared::worklist::RankKey;
use uuid::Uuid;

use crate::appointments::store as appointments;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::referrals::store as referrals;
use crate::schema::{tasks, users};
use crate::store::{self, Json, code, of_org, one_of_org, scoped_rows};

const NOUN: &str = "task";

/// The statuses of work still to do, as stored.
const ACTIVE: [&str; 2] = ["open", "in_progress"];

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
    transition_outcome: Option<Json<TransitionOutcome>>,
    cancel_reason: Option<String>,
    source_type: String,
    source_id: Option<Uuid>,
    context: Option<Json<TaskContext>>,
    created_by: Option<Uuid>,
    completed_at: Option<DateTime<Utc>>,
    completed_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn to_json<T: serde::Serialize>(v: Option<&T>) -> ApiResult<Option<Value>> {
    v.map(serde_json::to_value)
        .transpose()
        .map_err(ApiError::internal)
}

/// The statuses of work still to do, as `tasks_worklist_idx` names them:
/// `OneOf::<Active>` writes them into a statement's text, so a plan made
/// once can use that index and `tasks_one_per_source_idx` (whose `status <>
/// 'cancelled'` a bound list cannot prove). Bound, Postgres replans every
/// execution to see them, and a generic plan scans every task of the
/// organization (bench/RESULTS.md).
pub(crate) struct Active;

impl store::Codes for Active {
    type Column = tasks::status;
    type Code = &'static str;
    const CODES: &'static [&'static str] = &ACTIVE;
}

/// A task as stored, with its outreach attempts' outcomes (kept on the
/// task by a trigger on their insert: migration `task_outreach_outcomes`).
#[derive(Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct StoredTask {
    #[diesel(embed)]
    row: TaskRow,
    #[diesel(column_name = outreach_outcomes)]
    outreach: Vec<String>,
}

impl TryFrom<StoredTask> for Task {
    type Error = ApiError;

    fn try_from(stored: StoredTask) -> ApiResult<Task> {
        let r = stored.row;
        let mut failed = 0;
        for outcome in &stored.outreach {
            if !code::<OutreachOutcome>(outcome)?.reached() {
                failed += 1;
            }
        }
        Ok(Task {
            id: r.id.into(),
            patient_id: r.patient_id.into(),
            assignee_id: r.assignee_id.map(UserId::from),
            kind: code(&r.kind)?,
            title: r.title,
            details: r.details,
            due_at: r.due_at,
            priority: code(&r.priority)?,
            status: code(&r.status)?,
            outcome: r.outcome,
            transition_outcome: r.transition_outcome.map(|j| j.0),
            cancel_reason: r.cancel_reason,
            source_type: code(&r.source_type)?,
            source_id: r.source_id,
            context: r.context.map(|j| j.0),
            outreach_attempts: i64::try_from(stored.outreach.len()).map_err(ApiError::internal)?,
            failed_outreach_attempts: failed,
            created_by: r.created_by.map(UserId::from),
            completed_at: r.completed_at,
            completed_by: r.completed_by.map(UserId::from),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

scoped_rows!(tasks, StoredTask);

/// What a new task is.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The patient.
    pub patient_id: PatientId,
    /// Who should do it.
    pub assignee_id: Option<UserId>,
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
    pub source_type: TaskSource,
    /// The record that created it (rules' tasks).
    pub source_id: Option<Uuid>,
    /// What the rule knew.
    pub context: Option<TaskContext>,
    /// The person who created it (`None`: a rule).
    pub created_by: Option<UserId>,
}

/// Creates a task. A rule's task (one with a `source_id`) is created at most
/// once per source and kind: `None` means it already existed.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    spec: Spec,
    now: DateTime<Utc>,
) -> ApiResult<Option<Task>> {
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(tasks::table)
        .values((
            (
                tasks::id.eq(id),
                tasks::organization_id.eq(auth.org().get()),
                tasks::patient_id.eq(spec.patient_id.get()),
                tasks::assignee_id.eq(spec.assignee_id.map(UserId::get)),
                tasks::kind.eq(spec.kind.as_ref()),
                tasks::title.eq(&spec.title),
                tasks::details.eq(&spec.details),
                tasks::due_at.eq(spec.due_at),
            ),
            (
                tasks::priority.eq(spec.priority.as_ref()),
                tasks::source_type.eq(spec.source_type.as_ref()),
                tasks::source_id.eq(spec.source_id),
                tasks::context.eq(to_json(spec.context.as_ref())?),
                tasks::created_by.eq(spec.created_by.map(UserId::get)),
                tasks::created_at.eq(now),
                tasks::updated_at.eq(now),
            ),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Ok(None);
    }
    get(conn, auth, id.into()).map(Some)
}

/// Task `id`, if any.
pub fn find(conn: &mut PgConnection, auth: &Authorized, id: TaskId) -> ApiResult<Option<Task>> {
    let row = rows(auth)
        .filter(tasks::id.eq(id.get()))
        .first(conn)
        .optional()?;
    row.map(Task::try_from).transpose()
}

/// Task `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: TaskId) -> ApiResult<Task> {
    let row = rows(auth)
        .filter(tasks::id.eq(id.get()))
        .first(conn)
        .optional()?;
    store::one(row, NOUN)
}

/// Task `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: TaskId,
    expected: Expected,
) -> ApiResult<Task> {
    let row = rows(auth)
        .filter(tasks::id.eq(id.get()))
        .for_update()
        .first(conn)
        .optional()?;
    let task: Task = store::one(row, NOUN)?;
    expected.check(task.version)?;
    Ok(task)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Assignee.
    pub assignee_id: Option<UserId>,
    /// Patient.
    pub patient_id: Option<PatientId>,
    /// Status.
    pub status: Option<TaskStatus>,
    /// Kind.
    pub kind: Option<TaskKind>,
}

/// Tasks by due time, after the `(due_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Task>> {
    let mut q = rows(auth).into_boxed();
    if let Some(a) = filter.assignee_id {
        q = q.filter(tasks::assignee_id.eq(a.get()));
    }
    if let Some(p) = filter.patient_id {
        q = q.filter(tasks::patient_id.eq(p.get()));
    }
    if let Some(s) = filter.status {
        q = q.filter(tasks::status.eq(s.as_ref().to_string()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(tasks::kind.eq(k.as_ref().to_string()));
    }
    if let Some((due, id)) = paging.after {
        q = q.filter(
            tasks::due_at
                .gt(due)
                .or(tasks::due_at.eq(due).and(tasks::id.gt(id))),
        );
    }
    let rows = q
        .order((tasks::due_at.asc(), tasks::id.asc()))
        .limit(paging.fetch())
        .load::<StoredTask>(conn)?;
    rows.into_iter().map(Task::try_from).collect()
}

/// One page of `user`'s open tasks in worklist order: `(band, risk rank,
/// due, id)` as `shared::worklist::rank_key` defines it (which is the same
/// order at any time, see `RankKey`), after the key `after`, at most
/// `limit`. The band and the patient's risk rank are columns of the task
/// (the database keeps them, see the migration `worklist_order`), so
/// `tasks_worklist_idx` yields the page in order and a request reads only
/// its page, whatever the caseload.
///
/// Each task comes with what the worklist shows of its patient, when the
/// patient missed appointments since `missed_since` and its referral's open
/// barriers, all in one prepared statement ([`WorklistPage`]): the page
/// costs one round trip.
pub fn worklist_page(
    conn: &mut PgConnection,
    auth: &Authorized,
    user: UserId,
    after: Option<RankKey>,
    limit: i64,
    missed_since: DateTime<Utc>,
) -> ApiResult<Vec<WorklistRow>> {
    let page = WorklistPage {
        org: auth.org().get(),
        user: user.get(),
        active: store::OneOf::default(),
        missed: appointments::missed_by_patient_since(missed_since),
        barriers: referrals::open_barriers_of_task(),
        after: after.map(|RankKey(band, risk, _, due, id)| {
            store::after(
                (tasks::band, tasks::risk_rank, tasks::due_at, tasks::id),
                (
                    i16::from(band).into_sql::<SmallInt>(),
                    i16::from(risk).into_sql::<SmallInt>(),
                    due.into_sql::<Timestamptz>(),
                    id.get().into_sql::<SqlUuid>(),
                ),
            )
        }),
    };
    store::limited(page, u32::try_from(limit).map_err(ApiError::internal)?)
        .load::<(StoredTask, PatientFacts, Vec<String>)>(conn)?
        .into_iter()
        .map(|(task, patient, barriers)| Ok((Task::try_from(task)?, patient, barriers)))
        .collect()
}

/// The statement of [`worklist_page`]: the tasks off `tasks_worklist_idx`
/// in order, each beside its patient's facts and its open barriers.
///
/// Written by hand around diesel's own fragments because of the patient:
/// its facts, the missed appointments included, are a `LATERAL` subquery
/// that `OFFSET 0` keeps whole, so Postgres caches it per patient
/// (`Memoize`) and reads a patient's missed appointments once per page, not
/// once per task. Joined as the DSL joins, the subquery ran for every row
/// (a page of 50 holds about 19 patients in the bench), and the page's SQL
/// alone ran 5–10 % slower (bench/RESULTS.md). `store::limited` writes the
/// page size after it, so diesel keeps one prepared statement per page size
/// and per first or later page.
struct WorklistPage {
    org: Uuid,
    user: Uuid,
    active: store::OneOf<Active>,
    missed: appointments::MissedByPatientSince,
    barriers: referrals::open_barriers_of_task,
    /// After the last task of the page before: its band, risk rank, due and id.
    after: Option<PageAfter>,
}

/// `(band, risk_rank, due_at, id) > ($1, $2, $3, $4)`.
type PageAfter = store::After<
    (tasks::band, tasks::risk_rank, tasks::due_at, tasks::id),
    (
        AsExprOf<i16, SmallInt>,
        AsExprOf<i16, SmallInt>,
        AsExprOf<DateTime<Utc>, Timestamptz>,
        AsExprOf<Uuid, SqlUuid>,
    ),
>;

impl WorklistPage {
    /// `SELECT` and the task's columns, rendered once.
    fn head() -> QueryResult<&'static str> {
        static HEAD: LazyLock<Result<String, String>> = LazyLock::new(|| {
            let task = store::render_sql(&StoredTask::as_select()).map_err(|e| e.to_string())?;
            Ok(format!("SELECT {task}, "))
        });
        HEAD.as_deref()
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.clone().into()))
    }
}

impl Query for WorklistPage {
    type SqlType = (
        SqlTypeOf<AsSelect<StoredTask, Pg>>,
        (
            Text,
            Text,
            Nullable<Text>,
            Text,
            Array<Text>,
            SqlTypeOf<appointments::MissedByPatientSince>,
        ),
        SqlTypeOf<referrals::open_barriers_of_task>,
    );
}

impl QueryId for WorklistPage {
    type QueryId = ();
    // Keyed by its text, as `store::Limited` around it is.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for WorklistPage {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(Self::head()?);
        out.push_sql(
            "pf.given_name, pf.family_name, pf.preferred_name, pf.risk_level, \
             pf.risk_factors, pf.missed, ",
        );
        self.barriers.walk_ast(out.reborrow())?;
        // The patient meets the task on the organization too
        // (`tests/src/org_scope.rs`).
        out.push_sql(
            " FROM tasks CROSS JOIN LATERAL (SELECT patients.given_name, \
             patients.family_name, patients.preferred_name, patients.risk_level, \
             patients.risk_factors, ",
        );
        self.missed.walk_ast(out.reborrow())?;
        out.push_sql(
            " AS missed FROM patients WHERE patients.organization_id = tasks.organization_id \
             AND patients.id = tasks.patient_id OFFSET 0) AS pf WHERE tasks.organization_id = ",
        );
        out.push_bind_param::<SqlUuid, _>(&self.org)?;
        out.push_sql(" AND tasks.assignee_id = ");
        out.push_bind_param::<SqlUuid, _>(&self.user)?;
        out.push_sql(" AND ");
        self.active.walk_ast(out.reborrow())?;
        if let Some(after) = &self.after {
            out.push_sql(" AND ");
            after.walk_ast(out.reborrow())?;
        }
        out.push_sql(" ORDER BY tasks.band, tasks.risk_rank, tasks.due_at, tasks.id");
        Ok(())
    }
}

/// A row of the worklist page: the task, what the worklist shows of its
/// patient, and the kinds of the open barriers of the referral a referral
/// follow-up is about (oldest first; empty for any other task), as stored.
pub type WorklistRow = (Task, PatientFacts, Vec<String>);

/// What the worklist shows of a task's patient, as stored: given, family
/// and preferred name, risk level and risk factors, and when they missed
/// appointments in the window asked for.
pub type PatientFacts = (
    String,
    String,
    Option<String>,
    String,
    Vec<String>,
    Vec<DateTime<Utc>>,
);

/// The columns working a task sets (`None` leaves a column alone).
#[derive(Debug, Default, AsChangeset)]
#[expect(
    clippy::option_option,
    reason = "diesel's changeset for a nullable column: leave it, clear it, or set it"
)]
#[diesel(table_name = tasks)]
struct Changes {
    assignee_id: Option<Option<Uuid>>,
    title: Option<String>,
    details: Option<Option<String>>,
    due_at: Option<DateTime<Utc>>,
    priority: Option<String>,
    status: Option<String>,
    outcome: Option<String>,
    transition_outcome: Option<Value>,
    cancel_reason: Option<String>,
    completed_at: Option<DateTime<Utc>>,
    completed_by: Option<Uuid>,
}

impl TryFrom<TaskChanges> for Changes {
    type Error = ApiError;

    fn try_from(c: TaskChanges) -> ApiResult<Changes> {
        Ok(Changes {
            assignee_id: c.assignee_id.map(|a| a.map(UserId::get)),
            title: c.title,
            details: c.details,
            due_at: c.due_at,
            priority: c.priority.map(|p| p.as_ref().to_string()),
            status: c.status.map(|s| s.as_ref().to_string()),
            outcome: c.outcome,
            transition_outcome: to_json(c.transition_outcome.as_ref())?,
            cancel_reason: c.cancel_reason,
            completed_at: c.completed_at,
            completed_by: c.completed_by.map(UserId::get),
        })
    }
}

/// Writes `changes` to a locked task and moves its version on.
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: TaskId,
    changes: TaskChanges,
    now: DateTime<Utc>,
) -> ApiResult<Task> {
    diesel::update(one_of_org!(tasks, auth, id.get()))
        .set((
            Changes::try_from(changes)?,
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// Moves an open task to in progress (logging outreach on it starts it).
pub fn start_if_open(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: TaskId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::update(
        one_of_org!(tasks, auth, id.get()).filter(tasks::status.eq(TaskStatus::Open.as_ref())),
    )
    .set((
        tasks::status.eq(TaskStatus::InProgress.as_ref()),
        tasks::version.eq(tasks::version + 1),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Cancels every open task of a patient (the case closed); returns how many.
pub fn cancel_active_for_patient(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    Ok(diesel::update(
        of_org!(tasks, auth)
            .filter(tasks::patient_id.eq(patient.get()))
            .filter(store::OneOf::<Active>::default()),
    )
    .set((
        tasks::status.eq(TaskStatus::Cancelled.as_ref()),
        tasks::cancel_reason.eq(reason),
        tasks::completed_at.eq(now),
        tasks::completed_by.eq(auth.user_id().map(UserId::get)),
        tasks::version.eq(tasks::version + 1),
        tasks::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// Closes the patient's active tasks of `kind` that a rule or schedule
/// opened (never one a person created by hand): `Done` with `note` as the
/// outcome, or `Cancelled` with it as the reason. Answers how many.
pub fn close_active_of_kind(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    kind: TaskKind,
    status: TaskStatus,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let matching: Vec<Uuid> = of_org!(tasks, auth)
        .filter(tasks::patient_id.eq(patient.get()))
        .filter(tasks::kind.eq(kind.as_ref()))
        .filter(tasks::source_id.is_not_null())
        .filter(store::OneOf::<Active>::default())
        .select(tasks::id)
        .load(conn)?;
    close(conn, auth, &matching, status, note, now)
}

/// Closes the active tasks of `kind` that a rule opened from any of
/// `sources` (of `source_type`), as [`close_active_of_kind`] does.
pub fn close_rule_tasks(
    conn: &mut PgConnection,
    auth: &Authorized,
    (source_type, sources): (TaskSource, &[Uuid]),
    kind: TaskKind,
    status: TaskStatus,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let matching: Vec<Uuid> = of_org!(tasks, auth)
        .filter(tasks::source_type.eq(source_type.as_ref()))
        .filter(tasks::source_id.eq_any(sources))
        .filter(tasks::kind.eq(kind.as_ref()))
        .filter(store::OneOf::<Active>::default())
        .select(tasks::id)
        .load(conn)?;
    close(conn, auth, &matching, status, note, now)
}

fn close(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
    status: TaskStatus,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let matching = of_org!(tasks, auth).filter(tasks::id.eq_any(ids));
    let (outcome, reason) = if status == TaskStatus::Done {
        (Some(note), None)
    } else {
        (None, Some(note))
    };
    Ok(diesel::update(matching)
        .set((
            tasks::status.eq(status.as_ref()),
            tasks::outcome.eq(outcome),
            tasks::cancel_reason.eq(reason),
            tasks::completed_at.eq(now),
            tasks::completed_by.eq(auth.user_id().map(UserId::get)),
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// Identifies the task a workflow rule created: the unique index allows one
/// per source record and kind.
#[derive(Debug, Clone, Copy)]
pub struct RuleTask {
    /// What kind of record created it.
    pub source_type: TaskSource,
    /// The source record.
    pub source_id: Uuid,
    /// The task kind the rule creates.
    pub kind: TaskKind,
}

/// The ids of the active task a rule created (at most one).
fn active_rule_task(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: RuleTask,
) -> ApiResult<Vec<Uuid>> {
    Ok(of_org!(tasks, auth)
        .filter(tasks::source_type.eq(key.source_type.as_ref()))
        .filter(tasks::source_id.eq(key.source_id))
        .filter(tasks::kind.eq(key.kind.as_ref()))
        .filter(store::OneOf::<Active>::default())
        .select(tasks::id)
        .load(conn)?)
}

/// Cancels the active task a rule created (the event was corrected away).
pub fn cancel_rule_task(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: RuleTask,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let ids = active_rule_task(conn, auth, key)?;
    Ok(
        diesel::update(of_org!(tasks, auth).filter(tasks::id.eq_any(ids)))
            .set((
                tasks::status.eq(TaskStatus::Cancelled.as_ref()),
                tasks::cancel_reason.eq(reason),
                tasks::completed_at.eq(now),
                tasks::version.eq(tasks::version + 1),
                tasks::updated_at.eq(now),
            ))
            .execute(conn)?,
    )
}

/// Moves the due time of the active task a rule created (the event's time
/// was corrected).
pub fn reschedule_rule_task(
    conn: &mut PgConnection,
    auth: &Authorized,
    key: RuleTask,
    due_at: DateTime<Utc>,
    context: &TaskContext,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let ids = active_rule_task(conn, auth, key)?;
    diesel::update(of_org!(tasks, auth).filter(tasks::id.eq_any(ids)))
        .set((
            tasks::due_at.eq(due_at),
            tasks::context.eq(to_json(Some(context))?),
            tasks::version.eq(tasks::version + 1),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The active supervisor with the fewest open tasks (ties by name): who gets
/// a rule's task when the patient has no care manager.
pub fn least_loaded_supervisor(
    conn: &mut PgConnection,
    auth: &Authorized,
) -> ApiResult<Option<UserId>> {
    let open = tasks::table
        .filter(tasks::organization_id.eq(users::organization_id))
        .filter(tasks::assignee_id.eq(users::id.nullable()))
        .filter(store::OneOf::<Active>::default())
        .count()
        .single_value();
    Ok(of_org!(users, auth)
        .filter(users::role.eq(Role::Supervisor.as_ref()))
        .filter(users::active.eq(true))
        .order((open.asc(), users::name.asc(), users::id.asc()))
        .select(users::id)
        .first::<Uuid>(conn)
        .optional()?
        .map(UserId::from))
}
