//! What a referral's step sets off: the follow-up of the step before closes
//! and the one for the new step opens (`shared::referral::follow_up`), so
//! a sent referral always has exactly one open follow-up until it is
//! closed or cancelled.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use shared::alerts::AlertKind;
use shared::referral::{Referral, ReferralPriority, ReferralStatus, follow_up, overdue};
use shared::tasks::{Priority, TaskContext, TaskKind, TaskSource, TaskStatus};
use uuid::Uuid;

use super::rule_assignee;
use crate::alerts::store::{self as alerts, NewAlert, Source};
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::organizations::store as organizations;
use crate::referrals::store as referrals;
use crate::tasks::store::{self as tasks, Spec};
use crate::webhooks::service as webhooks;

fn priority(p: ReferralPriority) -> Priority {
    match p {
        ReferralPriority::Routine => Priority::Normal,
        ReferralPriority::Urgent => Priority::High,
        ReferralPriority::Emergent => Priority::Urgent,
    }
}

/// Referral `r` reached its status from `from` at step `step` (the
/// history entry); subscribers hear of it (`referral.status_changed`).
pub fn referral_moved(
    conn: &mut PgConnection,
    auth: &Authorized,
    r: &Referral,
    from: Option<ReferralStatus>,
    step: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    webhooks::referral_status_changed(conn, auth, r, from, now)?;
    let earlier: Vec<Uuid> = referrals::history_ids(conn, auth, r.id)?
        .into_iter()
        .filter(|id| *id != step)
        .collect();
    let (status, note) = match r.status {
        ReferralStatus::Cancelled => (TaskStatus::Cancelled, "The referral was cancelled."),
        ReferralStatus::Closed => (TaskStatus::Done, "The referral was closed."),
        _ => (TaskStatus::Done, "The referral moved on."),
    };
    tasks::close_rule_tasks(
        conn,
        auth,
        (TaskSource::Referral, &earlier),
        TaskKind::ReferralFollowup,
        status,
        note,
        now,
    )?;
    let cal = organizations::calendar(conn, auth)?;
    let Some(next) = follow_up(
        r.status,
        &r.provider_name,
        r.appointment_at,
        now,
        &cal.tz,
        &cal.holidays,
    ) else {
        return Ok(());
    };
    let spec = Spec {
        patient_id: r.patient_id,
        assignee_id: rule_assignee(conn, auth, r.patient_id)?,
        kind: TaskKind::ReferralFollowup,
        title: next.title,
        details: Some(format!(
            "{} referral ({}): {}",
            r.service.label(),
            r.priority.label().to_lowercase(),
            r.reason
        )),
        due_at: next.due_at,
        priority: priority(r.priority),
        source_type: TaskSource::Referral,
        source_id: Some(step),
        context: Some(TaskContext::Referral {
            referral_id: r.id,
            provider_name: r.provider_name.clone(),
            service: r.service,
            status: r.status,
        }),
        created_by: None,
    };
    tasks::insert(conn, auth, spec, now)?;
    Ok(())
}

/// Raises the `referral_overdue` alert for every open referral that has
/// gone unanswered past 2 business days or past its due date (once per
/// referral). Answers how many it raised.
pub fn alert_overdue_referrals(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let cal = organizations::calendar(conn, auth)?;
    let mut raised = 0;
    for r in referrals::open_unalerted(conn, auth)? {
        let Some(late) = overdue(
            r.status,
            r.sent_at,
            Some(r.due_date),
            now,
            &cal.tz,
            &cal.holidays,
        ) else {
            continue;
        };
        let alert = NewAlert {
            patient: r.patient_id,
            kind: AlertKind::ReferralOverdue,
            message: format!(
                "The referral to {} is overdue: {}.",
                r.provider_name,
                late.describe()
            ),
            source: Source {
                kind: "referral",
                id: r.id,
            },
        };
        if alerts::raise(conn, auth, alert, now)?.is_some() {
            raised += 1;
        }
        referrals::mark_alerted(conn, auth, r.id, auth.today(now))?;
    }
    Ok(raised)
}
