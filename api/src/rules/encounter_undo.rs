//! What an integration's taking back of an admission or a discharge undoes
//! (HL7 A11 and A13): the consequences `encounter_recorded` gave the event.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use shared::encounters::Encounter;
use shared::tasks::{TaskKind, TaskSource};

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::risk::service as risk;
use crate::tasks::store::{self as tasks, RuleTask};

/// An admission was cancelled: the stay no longer counts toward the
/// patient's risk. (Its admission alert stays in the alert history: people
/// were told, and may have acted.)
pub fn admission_cancelled(
    conn: &mut PgConnection,
    auth: &Authorized,
    cancelled: &Encounter,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    risk::recompute(
        conn,
        auth,
        cancelled.patient_id,
        "hospital, ED or crisis stay cancelled",
        now,
    )?;
    Ok(())
}

/// A cancelled admission was sent again: the stay counts again.
pub fn admission_reinstated(
    conn: &mut PgConnection,
    auth: &Authorized,
    back: &Encounter,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    risk::recompute(
        conn,
        auth,
        back.patient_id,
        "hospital, ED or crisis stay recorded",
        now,
    )?;
    Ok(())
}

/// A discharge was taken back: the transition follow-up it opened is
/// cancelled with `reason`, unless someone already did it (a done
/// follow-up is work that happened). Answers how many tasks were cancelled.
pub fn discharge_cancelled(
    conn: &mut PgConnection,
    auth: &Authorized,
    before: &Encounter,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let key = RuleTask {
        source_type: TaskSource::Encounter,
        source_id: before.id,
        kind: TaskKind::TransitionFollowup,
    };
    tasks::cancel_rule_task(conn, auth, key, reason, now)
}
