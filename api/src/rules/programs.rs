//! What an enrollment sets off: a recertification or renewal coming due
//! (within 30 days) opens a task once per due date.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use shared::calendar::end_of_date;
use shared::ids::TaskId;
use shared::programs::{Enrollment, renewal_task_due};
use shared::schedule::DutyKind;
use shared::tasks::{Priority, TaskKind, TaskSource};

use super::rule_assignee;
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::scheduler::store as duties;
use crate::tasks::store::{self as tasks, Spec};

/// Opens the renewal task for `e` when its date is within 30 days, once
/// per enrollment and date. Answers the task it opened, if any.
pub fn enrollment_saved(
    conn: &mut PgConnection,
    auth: &Authorized,
    e: &Enrollment,
    now: DateTime<Utc>,
) -> ApiResult<Option<TaskId>> {
    let today = auth.today(now);
    let Some(renew_by) = e.renewal_due_on else {
        return Ok(None);
    };
    if renewal_task_due(e.status, renew_by, today).is_none_or(|open_on| open_on > today) {
        return Ok(None);
    }
    let cycle = format!("{}:{renew_by}", e.id);
    let Some(duty) = duties::open_duty(
        conn,
        auth,
        e.patient_id,
        DutyKind::EnrollmentRenewal,
        &cycle,
        renew_by,
        now,
    )?
    else {
        return Ok(None);
    };
    let spec = Spec {
        patient_id: e.patient_id,
        assignee_id: rule_assignee(conn, auth, e.patient_id)?,
        kind: TaskKind::Custom,
        title: format!("Renew {} (due {renew_by})", e.program_name),
        details: Some(format!(
            "The patient's {} enrollment needs recertifying or renewing by {renew_by}.",
            e.program_name
        )),
        due_at: end_of_date(renew_by, &auth.tz()),
        priority: Priority::Normal,
        source_type: TaskSource::Schedule,
        source_id: Some(duty),
        context: None,
        created_by: None,
    };
    Ok(tasks::insert(conn, auth, spec, now)?.map(|t| t.id))
}
