//! A patient's story, newest first: every record that makes it up, in one
//! feed.

use diesel::PgConnection;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::timeline::TimelineEntry;

use crate::audit;
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::http::Paging;
use crate::patients::store as patients;
use crate::timeline::store::{self, Cursor};

/// A page of the patient's timeline.
pub fn page(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<Cursor>,
) -> ApiResult<Page<TimelineEntry>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::page(conn, auth, patient, paging)?;
    let page = paging.page(rows, |(key, _)| key.clone());
    audit::on_record(conn, auth, AuditAction::TimelineRead, patient, patient)?;
    Ok(Page {
        items: page.items.into_iter().map(|(_, e)| e).collect(),
        next_cursor: page.next_cursor,
    })
}
