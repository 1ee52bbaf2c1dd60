//! A care manager's day, ranked by the rules in `shared::worklist`, and
//! the supervisor's view of the team's load.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::UserId;
use shared::organization::Workload;
use shared::pagination::Page;
use shared::worklist::{RankKey, WorklistItem, item_key, rank};
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::users::store as users;
use crate::worklist::store;

/// Where the next page starts: the last item's rank and the instant the
/// first page was ranked at. Every page of one walk is ranked as of that
/// instant, so its `overdue` flags and `reason` phrases agree with each
/// other. (The order itself cannot move under a cursor: inside a band and
/// risk level, a task only turns overdue after every earlier-due one has.)
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct WorklistCursor {
    key: RankKey,
    ranked_at: DateTime<Utc>,
}

/// `user`'s open tasks, ranked.
pub fn worklist(
    conn: &mut PgConnection,
    auth: &Authorized,
    user: Option<UserId>,
    paging: &Paging<WorklistCursor>,
) -> ApiResult<Page<WorklistItem>> {
    let Some(user) = user else {
        return Err(ApiError::field("user_id", "is required for API keys"));
    };
    // Another organization's user is as unknown as one that never existed.
    // The caller's own worklist needs no look-up: signing in found them.
    if auth.user_id() != Some(user) && users::find(conn, auth, user)?.is_none() {
        return Err(ApiError::not_found("user"));
    }
    let now = paging.after.map_or_else(Utc::now, |c| c.ranked_at);
    // The database orders and pages; `rank` then orders the page the same
    // way (see `RankKey`) and words each item as of `now`.
    let entries = store::entries(
        conn,
        auth,
        user,
        paging.after.map(|c| c.key),
        paging.fetch(),
        now,
    )?;
    let ranked = rank(entries, now, &|t| auth.local(t));
    let page = paging.page(ranked, |item| WorklistCursor {
        key: item_key(item),
        ranked_at: now,
    });
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::WorklistRead)
            .details(json!({"user_id": user}))
            .listed(page.items.iter().map(|i| i.patient.id)),
    )?;
    Ok(page)
}

/// Each care manager's open, overdue and due-today tasks.
pub fn team_workload(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Page<Workload>> {
    let rows = store::workload(conn, auth, now, paging)?;
    Ok(paging.page(rows, |w| (w.name.clone(), w.user_id)))
}
