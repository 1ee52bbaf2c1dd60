//! Reading a patient's current gaps in care.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use shared::audit::AuditAction;
use shared::gaps::{Gap, find};
use shared::ids::PatientId;

use crate::audit;
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::gaps::store;
use crate::patients::store as patients;

/// The gaps in `patient`'s record at `now` (no audit: for use inside
/// other use cases).
pub fn current(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Gap>> {
    let inputs = store::inputs(conn, auth, patient, now)?;
    Ok(find(&inputs, auth.today(now)))
}

/// The patient's current gaps in care, audited as a read.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Gap>> {
    patients::ensure(conn, auth, patient)?;
    let gaps = current(conn, auth, patient, now)?;
    audit::on_patient(conn, auth, AuditAction::GapsRead, patient)?;
    Ok(gaps)
}
