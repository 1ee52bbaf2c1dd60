//! What a screening sets off (DESIGN §3): a suicide-risk flag alerts the
//! care team and opens a safety follow-up due the same local day, which is
//! band 1 of the worklist; a positive PHQ-2 asks for a PHQ-9. A screening
//! marked entered in error takes back the follow-ups it opened.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use shared::alerts::AlertKind;
use shared::calendar::{due_next_business_day, end_of_local_day};
use shared::screening::{Flag, Instrument, Screening, SocialDomain};
use shared::tasks::{Priority, TaskContext, TaskKind, TaskSource, TaskStatus};

use super::rule_assignee;
use crate::alerts::store::{self as alerts, NewAlert, Source};
use crate::auth::Authorized;
use crate::care_plans::service as care_plans;
use crate::error::ApiResult;
use crate::organizations::store as organizations;
use crate::risk::service as risk;
use crate::tasks::store::{self as tasks, RuleTask, Spec};
use crate::webhooks::service as webhooks;

/// The follow-up a flag asks for: its task kind, title and due time.
fn followup_of(flag: Flag) -> (TaskKind, Priority) {
    match flag {
        Flag::SuicideRisk => (TaskKind::SafetyFollowup, Priority::Urgent),
        Flag::AdministerPhq9 => (TaskKind::ScreeningDue, Priority::High),
    }
}

/// A screening was recorded: each flag opens its follow-up (once), and a
/// suicide-risk flag alerts the care team.
pub fn screening_recorded(
    conn: &mut PgConnection,
    auth: &Authorized,
    screening: &Screening,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if screening.instrument == Instrument::Phq9 {
        tasks::close_active_of_kind(
            conn,
            auth,
            screening.patient_id,
            TaskKind::ScreeningDue,
            TaskStatus::Done,
            &format!(
                "PHQ-9 recorded ({})",
                screening.administered_at.date_naive()
            ),
            now,
        )?;
    }
    if !screening.result.social_needs.is_empty() {
        let found: Vec<(SocialDomain, String)> = screening
            .result
            .social_needs
            .iter()
            .map(|n| (n.domain, n.reason.clone()))
            .collect();
        care_plans::add_social_needs(conn, auth, screening.patient_id, screening.id, &found, now)?;
    }
    flags(conn, auth, screening, now)?;
    risk::recompute(
        conn,
        auth,
        screening.patient_id,
        &format!("{} recorded", screening.instrument.label()),
        now,
    )
}

/// Each flag opens its follow-up (once); a suicide-risk flag alerts the
/// care team.
fn flags(
    conn: &mut PgConnection,
    auth: &Authorized,
    screening: &Screening,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if screening.result.flags.is_empty() {
        return Ok(());
    }
    let cal = organizations::calendar(conn, auth)?;
    let assignee = rule_assignee(conn, auth, screening.patient_id)?;
    for &flag in &screening.result.flags {
        let reason = screening
            .result
            .reason(flag)
            .unwrap_or(screening.instrument.label())
            .to_owned();
        let (kind, priority) = followup_of(flag);
        let (title, due_at) = match flag {
            Flag::SuicideRisk => (
                format!(
                    "Safety follow-up today: positive suicide-risk screen ({})",
                    screening.instrument.label()
                ),
                end_of_local_day(now, &cal.tz),
            ),
            Flag::AdministerPhq9 => (
                format!(
                    "Give a PHQ-9: the {} screen was positive",
                    Instrument::Phq2.label()
                ),
                due_next_business_day(now, &cal.tz, &cal.holidays),
            ),
        };
        let spec = Spec {
            patient_id: screening.patient_id,
            assignee_id: assignee,
            kind,
            title,
            details: Some(reason.clone()),
            due_at,
            priority,
            source_type: TaskSource::Screening,
            source_id: Some(screening.id),
            context: Some(TaskContext::Screening {
                instrument: screening.instrument,
                administered_at: screening.administered_at,
                reason: reason.clone(),
            }),
            created_by: None,
        };
        let followup = tasks::insert(conn, auth, spec, now)?.map(|task| task.id);
        if flag == Flag::SuicideRisk {
            webhooks::screening_safety_flag(conn, auth, screening, followup, &reason, now)?;
            alerts::raise(
                conn,
                auth,
                NewAlert {
                    patient: screening.patient_id,
                    kind: AlertKind::Safety,
                    message: format!(
                        "Positive suicide-risk screen on {} ({}): {reason}. Same-day safety follow-up opened.",
                        screening.instrument.label(),
                        cal.local(screening.administered_at),
                    ),
                    source: Source {
                        kind: "screening",
                        id: screening.id,
                    },
                },
                now,
            )?;
        }
    }
    Ok(())
}

/// A screening was marked entered in error: the follow-ups it opened and
/// that are still open are cancelled, saying why.
pub fn screening_entered_in_error(
    conn: &mut PgConnection,
    auth: &Authorized,
    screening: &Screening,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for &flag in &screening.result.flags {
        let (kind, _) = followup_of(flag);
        let key = RuleTask {
            source_type: TaskSource::Screening,
            source_id: screening.id,
            kind,
        };
        tasks::cancel_rule_task(
            conn,
            auth,
            key,
            &format!("The screening was marked entered in error: {reason}"),
            now,
        )?;
    }
    risk::recompute(
        conn,
        auth,
        screening.patient_id,
        &format!("{} marked entered in error", screening.instrument.label()),
        now,
    )
}
