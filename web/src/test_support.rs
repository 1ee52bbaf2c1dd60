//! Records for unit tests, built the same way everywhere.

use chrono::{DateTime, Utc};
use shared::ids::{PatientId, TaskId, UserId};
use shared::tasks::{Task, TaskKind, TaskStatus, fixtures};
use uuid::Uuid;

/// A task of `kind` in `status`, assigned to `assignee`, due 2026-03-02
/// 18:00 UTC.
pub fn task(kind: TaskKind, status: TaskStatus, assignee: Option<UserId>) -> Task {
    let t: DateTime<Utc> = "2026-03-02T18:00:00Z".parse().expect("an RFC 3339 time");
    Task {
        id: TaskId::from(Uuid::from_u128(1)),
        patient_id: PatientId::from(Uuid::from_u128(2)),
        assignee_id: assignee,
        ..fixtures::task(kind, status, t)
    }
}
