//! `/worklist` and `/team/workload`.

use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use serde::Deserialize;
use shared::auth::Permission;
use shared::ids::UserId;
use shared::organization::Workload;
use shared::pagination::{Page, PageQuery};
use shared::worklist::WorklistItem;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{Paging, Query, flow};
use crate::worklist::service::{self, WorklistCursor};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(worklist).service(team_workload);
}

/// Whose worklist.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// Another user's worklist (supervisors); yours when omitted.
    pub user_id: Option<UserId>,
}

/// A care manager's day, in order.
///
/// Open tasks ranked: (1) safety follow-ups, (2) hospital/ED/crisis-center
/// follow-ups, (3) missed-appointment follow-ups, (4) everything else by
/// patient risk (very high first); inside each, overdue first, then by due
/// time. Each item says why it is there (`reason`) and, when the record
/// suggests something, what to consider (`suggestion`).
#[utoipa::path(
    params(WorklistQuery, PageQuery),
    responses(
        (status = 200, description = "The ranked worklist", body = Page<WorklistItem>),
        (status = 404, description = "No user with that `user_id` in your organization", body = shared::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/worklist")]
pub async fn worklist(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<WorklistQuery>,
    paging: Paging<WorklistCursor>,
) -> ApiResult<HttpResponse> {
    let me = caller.user_id();
    let user = query.into_inner().user_id.or(me);
    // Someone else's worklist takes `team:view`. A key has no worklist of
    // its own: naming one is reading someone else's.
    let access = if user.is_some() && user == me {
        caller.authorize(Permission::TasksRead)
    } else {
        caller.authorize_all(&[Permission::TasksRead, Permission::TeamView])
    };
    flow::list(&db, access, user, paging, service::worklist).await
}

/// Each care manager's open, overdue and due-today tasks and on-time share of
/// transition follow-ups in the last 30 days (supervisors).
#[utoipa::path(
    params(PageQuery),
    responses((status = 200, description = "The team's workload, by name", body = Page<Workload>))
)]
#[get("/team/workload")]
pub async fn team_workload(
    db: web::Data<Db>,
    caller: Caller,
    paging: Paging<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::TeamView);
    flow::list(&db, access, Utc::now(), paging, service::team_workload).await
}
