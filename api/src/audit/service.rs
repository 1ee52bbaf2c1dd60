//! Reading the audit trail (itself audited).

use diesel::PgConnection;
use serde_json::json;
use shared::audit::{AuditAction, AuditEvent, AuditQuery};
use shared::pagination::Page;

use crate::audit::store::{self, Entry, Filter};
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;

/// Events, newest first. `patient_id` finds every event that touched the
/// patient, including the lists and searches that showed them.
pub fn query(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: AuditQuery,
    paging: &Paging<i64>,
) -> ApiResult<Page<AuditEvent>> {
    let filter = Filter {
        patient_id: q.patient_id,
        user_id: q.user_id,
        since: q.since,
        action: q.action,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    // The filters go in details only: a patient id in a query may belong
    // to no patient of this organization.
    let entry = Entry::new(AuditAction::AuditQuery).details(json!({
        "patient_id": q.patient_id, "user_id": q.user_id, "since": q.since, "action": q.action,
    }));
    store::log(conn, auth, entry)?;
    Ok(paging.page(rows, |e| e.id))
}
