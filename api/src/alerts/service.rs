//! The alert use cases: reading them and acknowledging one.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::alerts::{Alert, AlertListQuery};
use shared::audit::AuditAction;
use shared::pagination::Page;
use uuid::Uuid;

use crate::alerts::store::{self, Filter};
use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;

/// Alerts, newest first: without a patient, the ones sent to the caller
/// (API keys receive none, so they must name a patient).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: AlertListQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Alert>> {
    let recipient = match (q.patient_id, auth.user_id()) {
        (Some(_), _) => None,
        (None, Some(me)) => Some(me),
        (None, None) => {
            return Err(ApiError::field(
                "patient_id",
                "is required for API keys (they receive no alerts)",
            ));
        }
    };
    let filter = Filter {
        patient_id: q.patient_id,
        recipient,
        acknowledged: q.acknowledged,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    let page = paging.page(rows, |a| (a.created_at, a.id));
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::AlertList)
            .details(json!({"patient_id": q.patient_id, "acknowledged": q.acknowledged}))
            .listed(page.items.iter().map(|a| a.patient_id)),
    )?;
    Ok(page)
}

/// Acknowledges an alert: a person has seen it and acts on it. The first
/// acknowledgement stands.
pub fn acknowledge(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Alert> {
    let me = auth.user_id().ok_or_else(|| {
        ApiError::Forbidden("Alerts are acknowledged by a person, not an API key.".into())
    })?;
    let alert = store::acknowledge(conn, auth, id, me, now)?;
    audit::on_record(
        conn,
        auth,
        AuditAction::AlertAcknowledge,
        id,
        alert.patient_id,
    )?;
    Ok(alert)
}
