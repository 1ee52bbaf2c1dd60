//! The queries behind the worklist and the team's workload.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::appointments::{DISENGAGEMENT_WINDOW_DAYS, is_disengaged};
use shared::ids::UserId;
use shared::organization::{Workload, on_time_percent};
use shared::patients::display_name;
use shared::worklist::{Entry, PatientSummary, RankKey};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::store::code;
use crate::tasks::store::{self as tasks, WorklistRow};

/// One page of `user`'s open tasks in worklist order (after `after`, at
/// most `limit`), each with its patient, whether the patient is disengaged
/// at `now` and its referral's open barriers: what ranking and its phrases
/// need, read in one statement.
pub fn entries(
    conn: &mut PgConnection,
    auth: &Authorized,
    user: UserId,
    after: Option<RankKey>,
    limit: i64,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Entry>> {
    let since = now - Duration::days(DISENGAGEMENT_WINDOW_DAYS);
    let page: Vec<WorklistRow> = tasks::worklist_page(conn, auth, user, after, limit, since)?;
    page.into_iter()
        .map(
            |(task, (given, family, preferred, risk, factors, missed), barriers)| {
                let patient = PatientSummary {
                    id: task.patient_id,
                    name: display_name(&given, &family, preferred.as_deref()),
                    risk_level: code(&risk)?,
                    risk_factors: factors.iter().map(|f| code(f)).collect::<ApiResult<_>>()?,
                };
                Ok(Entry {
                    disengaged: is_disengaged(&missed, now),
                    open_barriers: barriers.iter().map(|b| code(b)).collect::<ApiResult<_>>()?,
                    task,
                    patient,
                })
            },
        )
        .collect()
}

#[derive(QueryableByName)]
struct WorkloadRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = BigInt)]
    active_patients: i64,
    #[diesel(sql_type = BigInt)]
    open_tasks: i64,
    #[diesel(sql_type = BigInt)]
    overdue_tasks: i64,
    #[diesel(sql_type = BigInt)]
    due_today: i64,
    #[diesel(sql_type = BigInt)]
    transition_done: i64,
    #[diesel(sql_type = BigInt)]
    transition_on_time: i64,
}

/// Each care manager's and supervisor's load, by name after the
/// `(name, id)` paging key.
pub fn workload(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Vec<Workload>> {
    let today = auth.today(now);
    let day_start = shared::calendar::local_to_utc(today, NaiveTime::MIN, &auth.tz());
    let day_end =
        shared::calendar::local_to_utc(today + Duration::days(1), NaiveTime::MIN, &auth.tz());
    let (after_name, after_id) = paging
        .after
        .clone()
        .map_or((None, None), |(n, i)| (Some(n), Some(i)));
    let rows: Vec<WorkloadRow> = diesel::sql_query(
        "SELECT u.id, u.name, u.role,
                (SELECT count(*) FROM patients p
                  WHERE p.organization_id = u.organization_id AND p.primary_care_manager_id = u.id
                    AND p.status <> 'closed') AS active_patients,
                count(t.id) FILTER (WHERE t.status IN ('open', 'in_progress')) AS open_tasks,
                count(t.id) FILTER (WHERE t.status IN ('open', 'in_progress') AND t.due_at < $2) AS overdue_tasks,
                count(t.id) FILTER (WHERE t.status IN ('open', 'in_progress')
                                      AND t.due_at >= $3 AND t.due_at < $4) AS due_today,
                count(t.id) FILTER (WHERE t.kind = 'transition_followup' AND t.status = 'done'
                                      AND t.completed_at >= $2 - interval '30 days') AS transition_done,
                count(t.id) FILTER (WHERE t.kind = 'transition_followup' AND t.status = 'done'
                                      AND t.completed_at >= $2 - interval '30 days'
                                      AND t.completed_at <= t.due_at) AS transition_on_time
           FROM users u
           LEFT JOIN tasks t ON t.organization_id = u.organization_id AND t.assignee_id = u.id
          WHERE u.organization_id = $1 AND u.active AND u.role IN ('care_manager', 'supervisor')
            AND ($5::text IS NULL OR (u.name, u.id) > ($5, $6))
          GROUP BY u.id
          ORDER BY u.name, u.id
          LIMIT $7",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(day_start)
    .bind::<Timestamptz, _>(day_end)
    .bind::<Nullable<Text>, _>(after_name)
    .bind::<Nullable<SqlUuid>, _>(after_id)
    .bind::<BigInt, _>(paging.fetch())
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(Workload {
                user_id: r.id.into(),
                name: r.name,
                role: code(&r.role)?,
                active_patients: r.active_patients,
                open_tasks: r.open_tasks,
                overdue_tasks: r.overdue_tasks,
                due_today: r.due_today,
                transition_followups_done: r.transition_done,
                transition_followups_on_time: r.transition_on_time,
                transition_on_time_percent: on_time_percent(
                    r.transition_done,
                    r.transition_on_time,
                ),
            })
        })
        .collect()
}
