//! `/worklist` and `/team/workload`.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::auth::Permission;
use shared::organization::Workload;
use shared::pagination::{Page, checked_limit};
use shared::worklist::{RankKey, WorklistItem, item_key, rank};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{Query, cursor};
use crate::organizations::store as organizations;
use crate::users::store as users;
use crate::worklist::store;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(worklist).service(team_workload);
}

/// Whose worklist, and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// Another user's worklist (supervisors); yours when omitted.
    pub user_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where the next page starts: the last item's rank and the instant the
/// first page was ranked at. Every page of one walk is ranked as of that
/// instant, so its `overdue` flags and `reason` phrases agree with each
/// other. (The order itself cannot move under a cursor: inside a band and
/// risk level, a task only turns overdue after every earlier-due one has.)
#[derive(Debug, Clone, Copy, serde::Serialize, Deserialize)]
struct WorklistCursor {
    key: RankKey,
    ranked_at: DateTime<Utc>,
}

/// A care manager's day, in order.
///
/// Open tasks ranked: (1) safety follow-ups, (2) hospital/ED/crisis-center
/// follow-ups, (3) missed-appointment follow-ups, (4) everything else by
/// patient risk (very high first); inside each, overdue first, then by due
/// time. Each item says why it is there (`reason`) and, when the record
/// suggests something, what to consider (`suggestion`).
#[utoipa::path(
    tag = "worklist",
    params(WorklistQuery),
    responses((status = 200, description = "The ranked worklist", body = Page<WorklistItem>)),
    security(("bearer" = []))
)]
#[get("/worklist")]
pub async fn worklist(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<WorklistQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TasksRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<WorklistCursor>(q.cursor.as_deref())?;
    let user = match (q.user_id, caller.user_id()) {
        (Some(u), me) if Some(u) != me => {
            caller.require(Permission::TeamView)?;
            u
        }
        (Some(u), _) => u,
        (None, Some(me)) => me,
        (None, None) => return Err(ApiError::field("user_id", "is required for API keys")),
    };
    let page = db
        .run(move |conn| {
            // Another organization's user is as unknown as one that never existed.
            if users::find(conn, caller.org, user)?.is_none() {
                return Err(ApiError::not_found("user"));
            }
            let now = after.map_or_else(Utc::now, |c| c.ranked_at);
            let cal = organizations::calendar(conn, caller.org)?;
            let ranked = rank(store::entries(conn, caller.org, user, now)?, now, &|t| {
                cal.local(t)
            });
            let rest: Vec<WorklistItem> = ranked
                .into_iter()
                .filter(|item| after.is_none_or(|c| item_key(item) > c.key))
                .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
                .collect();
            let (items, next_cursor) = cursor::page(rest, limit, |item| WorklistCursor {
                key: item_key(item),
                ranked_at: now,
            });
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("worklist.read", "task")
                    .details(json!({"user_id": user}))
                    .listed(items.iter().map(|i| i.patient.id)),
            )?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Paging for the team view.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Each care manager's open, overdue and due-today tasks and on-time share of
/// transition follow-ups in the last 30 days (supervisors).
#[utoipa::path(
    tag = "worklist",
    params(TeamQuery),
    responses((status = 200, description = "The team's workload, by name", body = Page<Workload>)),
    security(("bearer" = []))
)]
#[get("/team/workload")]
pub async fn team_workload(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<TeamQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::TeamView)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(String, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            let cal = organizations::calendar(conn, caller.org)?;
            let rows = store::workload(conn, caller.org, &cal, Utc::now(), after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |w| (w.name.clone(), w.user_id));
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
