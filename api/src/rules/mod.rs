//! The workflow rules: what must happen when something happens, run inside
//! the transaction that records the event, so an event is never stored
//! without its consequences (DESIGN §3). The decisions themselves — due
//! times, the disengagement pattern, wording — are pure functions in
//! `shared`; this module applies them to the database.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use shared::alerts::{self as alert_text, AlertKind};
use shared::appointments::{
    Appointment, AppointmentStatus, DISENGAGEMENT_WINDOW_DAYS, is_disengaged,
};
use shared::encounters::{Encounter, followup_due};
use shared::ids::{PatientId, UserId};
use shared::tasks::{Priority, TaskContext, TaskKind, TaskSource};

use crate::alerts::store::{self as alerts, NewAlert, Source};
use crate::appointments::store as appointments;
use crate::auth::Authorized;
use crate::encounters::store as encounters;
use crate::error::ApiResult;
use crate::organizations::store as organizations;
use crate::patients::store as patients;
use crate::risk::service as risk;
use crate::tasks::store::{self as tasks, RuleTask, Spec};
use crate::webhooks::service as webhooks;

mod care_plans;
mod encounter_undo;
mod programs;
mod referrals;
mod screenings;
pub use care_plans::{care_plan_saved, open_review_if_due};
pub use encounter_undo::{admission_cancelled, admission_reinstated, discharge_cancelled};
pub use programs::enrollment_saved;
pub use referrals::{alert_overdue_referrals, referral_moved};
pub use screenings::{screening_entered_in_error, screening_recorded};

/// Who a rule's task goes to: the patient's active primary care manager, or
/// the least-loaded supervisor when there is none.
pub(crate) fn rule_assignee(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Option<UserId>> {
    match patients::active_care_manager(conn, auth, patient)? {
        Some(cm) => Ok(Some(cm)),
        None => tasks::least_loaded_supervisor(conn, auth),
    }
}

/// An encounter was created or changed (`before` is `None` when created).
/// An admission alerts the care team; a discharge creates the transition
/// follow-up due 24 hours later and alerts the care team; a corrected
/// discharge time moves the follow-up's due time.
pub fn encounter_recorded(
    conn: &mut PgConnection,
    auth: &Authorized,
    before: Option<&Encounter>,
    after: &Encounter,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let cal = organizations::calendar(conn, auth)?;
    let source = Source {
        kind: "encounter",
        id: after.id,
    };
    if before.is_none() && after.discharged_at.is_none() {
        let message = alert_text::admission_message(
            &after.facility,
            after.kind,
            &cal.local(after.admitted_at),
        );
        alerts::raise(
            conn,
            auth,
            NewAlert {
                patient: after.patient_id,
                kind: AlertKind::Admission,
                message,
                source,
            },
            now,
        )?;
    }
    if before.is_none_or(|b| b.admitted_at != after.admitted_at || b.kind != after.kind) {
        risk::recompute(
            conn,
            auth,
            after.patient_id,
            "hospital, ED or crisis stay recorded",
            now,
        )?;
    }
    let Some(discharged_at) = after.discharged_at else {
        return Ok(());
    };
    let context = TaskContext::Discharge {
        facility: after.facility.clone(),
        encounter_kind: after.kind,
        discharged_at,
    };
    match before.and_then(|b| b.discharged_at) {
        None => {
            let message = alert_text::discharge_message(
                &after.facility,
                after.kind,
                &cal.local(discharged_at),
            );
            let alert = NewAlert {
                patient: after.patient_id,
                kind: AlertKind::Discharge,
                message,
                source,
            };
            first_discharge(conn, auth, after, discharged_at, context, alert, now)?;
        }
        Some(previous) if previous != discharged_at => {
            let key = RuleTask {
                source_type: TaskSource::Encounter,
                source_id: after.id,
                kind: TaskKind::TransitionFollowup,
            };
            tasks::reschedule_rule_task(
                conn,
                auth,
                key,
                followup_due(discharged_at),
                &context,
                now,
            )?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// A discharge first recorded: the transition follow-up due 24 hours
/// later, the care team's alert, and the `encounter.discharged` event.
fn first_discharge(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Encounter,
    discharged_at: DateTime<Utc>,
    context: TaskContext,
    alert: NewAlert,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let spec = Spec {
        patient_id: after.patient_id,
        assignee_id: rule_assignee(conn, auth, after.patient_id)?,
        kind: TaskKind::TransitionFollowup,
        title: format!(
            "Transition follow-up after {} discharge from {}",
            after.kind.label(),
            after.facility
        ),
        details: after
            .discharge_disposition
            .as_ref()
            .map(|d| format!("Discharge disposition: {d}")),
        due_at: followup_due(discharged_at),
        priority: Priority::High,
        source_type: TaskSource::Encounter,
        source_id: Some(after.id),
        context: Some(context),
        created_by: None,
    };
    let followup = tasks::insert(conn, auth, spec, now)?.map(|task| task.id);
    if let Some(task) = followup {
        encounters::set_followup_task(conn, auth, after.id, task)?;
    }
    alerts::raise(conn, auth, alert, now)?;
    webhooks::encounter_discharged(conn, auth, after, discharged_at, followup, now)
}

/// An appointment was created or changed. Marking it missed creates a
/// follow-up due at the end of the next business day (organization time
/// zone and holidays), alerts the care team, and — at two or more misses in
/// 30 days — raises a disengagement alert. Correcting a miss to attended
/// cancels the follow-up.
pub fn appointment_recorded(
    conn: &mut PgConnection,
    auth: &Authorized,
    before: Option<&Appointment>,
    after: &Appointment,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let was = before.map(|b| b.status);
    if was == Some(AppointmentStatus::Missed) && after.status == AppointmentStatus::Attended {
        let key = RuleTask {
            source_type: TaskSource::Appointment,
            source_id: after.id,
            kind: TaskKind::MissedAppointmentFollowup,
        };
        tasks::cancel_rule_task(
            conn,
            auth,
            key,
            "The appointment was attended after all (corrected).",
            now,
        )?;
        risk::recompute(
            conn,
            auth,
            after.patient_id,
            "missed appointment corrected",
            now,
        )?;
        return Ok(());
    }
    if after.status != AppointmentStatus::Missed || was == Some(AppointmentStatus::Missed) {
        return Ok(());
    }
    risk::recompute(conn, auth, after.patient_id, "appointment missed", now)?;
    let cal = organizations::calendar(conn, auth)?;
    let spec = Spec {
        patient_id: after.patient_id,
        assignee_id: rule_assignee(conn, auth, after.patient_id)?,
        kind: TaskKind::MissedAppointmentFollowup,
        title: format!(
            "Follow up on missed {} appointment with {}",
            after.kind.label(),
            after.provider_name
        ),
        details: None,
        due_at: shared::calendar::due_next_business_day(now, &cal.tz, &cal.holidays),
        priority: Priority::Normal,
        source_type: TaskSource::Appointment,
        source_id: Some(after.id),
        context: Some(TaskContext::MissedAppointment {
            provider_name: after.provider_name.clone(),
            appointment_kind: after.kind,
            scheduled_at: after.scheduled_at,
        }),
        created_by: None,
    };
    if let Some(task) = tasks::insert(conn, auth, spec, now)? {
        appointments::set_followup_task(conn, auth, after.id, task.id)?;
    }
    let source = Source {
        kind: "appointment",
        id: after.id,
    };
    let message = alert_text::missed_message(
        &after.provider_name,
        after.kind,
        &cal.local(after.scheduled_at),
    );
    alerts::raise(
        conn,
        auth,
        NewAlert {
            patient: after.patient_id,
            kind: AlertKind::MissedAppointment,
            message,
            source,
        },
        now,
    )?;

    let since = now - Duration::days(DISENGAGEMENT_WINDOW_DAYS);
    let misses = appointments::missed_since(conn, auth, after.patient_id, since)?;
    if is_disengaged(&misses, now)
        && !alerts::has_open(
            conn,
            auth,
            after.patient_id,
            AlertKind::Disengagement,
            since,
        )?
    {
        let message = alert_text::disengagement_message(misses.len());
        alerts::raise(
            conn,
            auth,
            NewAlert {
                patient: after.patient_id,
                kind: AlertKind::Disengagement,
                message,
                source,
            },
            now,
        )?;
    }
    Ok(())
}

/// A case was closed: its open tasks are cancelled with the closure reason.
pub fn case_closed(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    tasks::cancel_active_for_patient(conn, auth, patient, &format!("Case closed: {reason}"), now)
}
