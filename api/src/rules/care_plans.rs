//! What a care plan sets off: a review coming due (within 14 days) opens a
//! `care_plan_review` task once per due date; completing the review closes
//! it; moving the date moves the task.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use shared::calendar::end_of_date;
use shared::care_plan::REVIEW_LEAD_DAYS;
use shared::ids::{PatientId, TaskId};
use shared::schedule::DutyKind;
use shared::tasks::{Priority, TaskKind, TaskSource, TaskStatus};

use super::rule_assignee;
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::scheduler::store as duties;
use crate::tasks::store::{self as tasks, Spec};

/// Opens the review task for a plan whose review is due by `today` + 14
/// days, once per due date. Answers the task it opened, if any.
pub fn open_review_if_due(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    review_due_on: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Option<TaskId>> {
    if review_due_on > auth.today(now) + Duration::days(REVIEW_LEAD_DAYS) {
        return Ok(None);
    }
    let cycle = review_due_on.to_string();
    let Some(duty) = duties::open_duty(
        conn,
        auth,
        patient,
        DutyKind::CarePlanReview,
        &cycle,
        review_due_on,
        now,
    )?
    else {
        return Ok(None);
    };
    let spec = Spec {
        patient_id: patient,
        assignee_id: rule_assignee(conn, auth, patient)?,
        kind: TaskKind::CarePlanReview,
        title: format!("Review the care plan (due {review_due_on})"),
        details: Some(format!(
            "The care plan's review is due on {review_due_on}; review it with the patient and record the outcome."
        )),
        due_at: end_of_date(review_due_on, &auth.tz()),
        priority: Priority::Normal,
        source_type: TaskSource::Schedule,
        source_id: Some(duty),
        context: None,
        created_by: None,
    };
    Ok(tasks::insert(conn, auth, spec, now)?.map(|t| t.id))
}

/// A plan was saved. A completed review closes the open review task with
/// its outcome; a moved due date cancels the task for the old date; then
/// the review task for the (new) due date opens if it is near.
pub fn care_plan_saved(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    before_due: Option<NaiveDate>,
    review_due_on: NaiveDate,
    review_outcome: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(outcome) = review_outcome {
        tasks::close_active_of_kind(
            conn,
            auth,
            patient,
            TaskKind::CarePlanReview,
            TaskStatus::Done,
            &format!("Review completed: {outcome}"),
            now,
        )?;
    } else if before_due.is_some_and(|b| b != review_due_on) {
        tasks::close_active_of_kind(
            conn,
            auth,
            patient,
            TaskKind::CarePlanReview,
            TaskStatus::Cancelled,
            &format!("The review was moved to {review_due_on}."),
            now,
        )?;
    }
    open_review_if_due(conn, auth, patient, review_due_on, now)?;
    Ok(())
}
