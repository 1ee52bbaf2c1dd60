//! Records for unit tests, built the same way everywhere.

use chrono::{DateTime, Utc};
use shared::ids::{PatientId, TaskId, UserId};
use shared::tasks::{Priority, Task, TaskKind, TaskSource, TaskStatus};
use uuid::Uuid;

/// A task of `kind` in `status`, assigned to `assignee`, due 2026-03-02
/// 18:00 UTC.
pub fn task(kind: TaskKind, status: TaskStatus, assignee: Option<UserId>) -> Task {
    let t: DateTime<Utc> = "2026-03-02T18:00:00Z".parse().expect("an RFC 3339 time");
    Task {
        id: TaskId::from(Uuid::from_u128(1)),
        patient_id: PatientId::from(Uuid::from_u128(2)),
        assignee_id: assignee,
        kind,
        title: "Call".into(),
        details: None,
        due_at: t,
        priority: Priority::Normal,
        status,
        outcome: None,
        transition_outcome: None,
        cancel_reason: None,
        source_type: TaskSource::Manual,
        source_id: None,
        context: None,
        outreach_attempts: 0,
        failed_outreach_attempts: 0,
        created_by: None,
        completed_at: None,
        completed_by: None,
        version: 1,
        created_at: t,
        updated_at: t,
    }
}
