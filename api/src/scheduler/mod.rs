//! The scheduler: time-based rules that no request sets off. A PHQ-9 due
//! every 90 days for active behavioral-health clients and in the 6- and
//! 12-month windows after an index PHQ-9 above 9; care-plan reviews coming
//! due; risk recomputed as factors age out and overrides end.
//!
//! Every `caremgr serve` process runs a pass every `SCHEDULER_INTERVAL_SECONDS`
//! (300 by default; 0 turns it off), and `caremgr scheduler --once [--at
//! TIME]` runs one by hand with any clock. A pass runs in one transaction
//! under a Postgres advisory lock, so however many processes there are,
//! one pass runs at a time and a second one that finds the lock taken
//! skips; and each duty is recorded once per patient, kind and cycle
//! (`scheduled_duties`), so a later pass never opens the same task again.

pub mod store;

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use shared::audit::AuditAction;
use shared::care_plan::REVIEW_LEAD_DAYS;
use shared::ids::{PatientId, TaskId};
use shared::programs::RENEWAL_LEAD_DAYS;
use shared::schedule::{DutyKind, phq9_duties};
use shared::tasks::{Priority, TaskKind, TaskSource};

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::care_plans::store as care_plans;
use crate::error::ApiResult;
use crate::programs::store as programs;
use crate::risk::{service as risk, store as risk_store};
use crate::rules;
use crate::tasks::store::{self as tasks, Spec};

/// The advisory lock key every scheduler pass takes ("caremgr-sched").
const LOCK_KEY: i64 = 0x6361_7265_7363_6864;

/// What a pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    /// Tasks opened.
    pub tasks_opened: i32,
    /// Patients whose risk was recomputed (changed or not).
    pub risks_updated: i32,
}

/// Runs one pass at `clock` (the time the rules take as now), unless
/// another process holds the lock: then `None`. Call inside a transaction.
pub fn run_once(
    conn: &mut PgConnection,
    clock: DateTime<Utc>,
    runner: &str,
) -> ApiResult<Option<Report>> {
    if !store::try_lock(conn, LOCK_KEY)? {
        return Ok(None);
    }
    // Taken once the lock is held, so the logged passes of all processes
    // never overlap (`scale_out` tests that they do not).
    let started = Utc::now();
    let mut report = Report::default();
    // Risk ages by the day: recompute it on the first pass of a (UTC) day.
    let first_today = store::first_pass_of_the_day(conn, clock)?;
    for (org, tz) in store::organizations(conn)? {
        let auth = Authorized::system(org.into(), tz, "scheduler");
        pass(conn, &auth, clock, first_today, &mut report)?;
    }
    store::log_run(
        conn,
        &store::Run {
            started,
            clock,
            runner,
            tasks_opened: report.tasks_opened,
            risks_updated: report.risks_updated,
        },
    )?;
    Ok(Some(report))
}

/// Audits a task the scheduler opened: no request did, so the pass is the
/// actor (`system`, labelled `scheduler`).
fn opened(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    task: TaskId,
    duty: DutyKind,
) -> ApiResult<()> {
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::TaskScheduled)
            .on(task)
            .patient(patient)
            .details(serde_json::json!({"duty": duty})),
    )?;
    Ok(())
}

/// One organization's pass.
fn pass(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
    recompute_risk: bool,
    report: &mut Report,
) -> ApiResult<()> {
    let today = auth.today(now);

    // Screenings: every active behavioral-health client's PHQ-9 history.
    for (patient, history) in store::behavioral_health_histories(conn, auth, now)? {
        for duty in phq9_duties(&history, true, today) {
            let Some(duty_id) = store::open_duty(
                conn,
                auth,
                patient,
                duty.kind,
                &duty.cycle,
                duty.due_on,
                now,
            )?
            else {
                continue;
            };
            let spec = Spec {
                patient_id: patient,
                assignee_id: rules::rule_assignee(conn, auth, patient)?,
                kind: TaskKind::ScreeningDue,
                title: "Give a PHQ-9".into(),
                details: Some(duty.reason),
                due_at: shared::calendar::end_of_date(duty.due_on, &auth.tz()),
                priority: Priority::Normal,
                source_type: TaskSource::Schedule,
                source_id: Some(duty_id),
                context: None,
                created_by: None,
            };
            if let Some(task) = tasks::insert(conn, auth, spec, now)? {
                opened(conn, auth, patient, task.id, duty.kind)?;
                report.tasks_opened += 1;
            }
        }
    }

    // Care-plan reviews coming due.
    for (patient, _, due) in
        care_plans::reviews_due(conn, auth, today + Duration::days(REVIEW_LEAD_DAYS))?
    {
        if let Some(task) = rules::open_review_if_due(conn, auth, patient, due, now)? {
            opened(conn, auth, patient, task, DutyKind::CarePlanReview)?;
            report.tasks_opened += 1;
        }
    }

    // Program renewals coming due.
    for enrollment in programs::renewals_due(conn, auth, today + Duration::days(RENEWAL_LEAD_DAYS))?
    {
        if let Some(task) = rules::enrollment_saved(conn, auth, &enrollment, now)? {
            opened(
                conn,
                auth,
                enrollment.patient_id,
                task,
                DutyKind::EnrollmentRenewal,
            )?;
            report.tasks_opened += 1;
        }
    }

    // Referrals unanswered for 2 business days, or past their due date.
    rules::alert_overdue_referrals(conn, auth, now)?;

    // Tasks gone overdue, for the webhooks that want to hear (once per task).
    crate::webhooks::service::tasks_overdue(conn, auth, now)?;

    // Risk that time alone may change.
    if !recompute_risk {
        return Ok(());
    }
    for patient in risk_store::due_for_recompute(conn, auth, now - Duration::hours(20))? {
        risk::recompute(conn, auth, patient, "daily recompute", now)?;
        report.risks_updated += 1;
    }
    Ok(())
}
