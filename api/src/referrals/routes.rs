//! `/referrals`, `/referrals/{id}/status`, `/referrals/{id}/barriers` and
//! `/barriers/{id}`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::referral::{
    Barrier, BarrierPatch, NewBarrier, NewReferral, Referral, ReferralPatch, ReferralQuery,
    ReferralStatusChange,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::Edit;
use crate::http::{Json, Paging, Query, flow};
use crate::referrals::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_referrals)
        .service(create_referral)
        .service(get_referral)
        .service(update_referral)
        .service(move_referral)
        .service(list_barriers)
        .service(add_barrier)
        .service(update_barrier);
}

/// Who reads referrals: the care team, or a receiving provider's key.
const READERS: [Permission; 2] = [Permission::PatientsRead, Permission::ReferralsRespond];

/// Referrals, newest first. Filter by patient, provider, status, open
/// ones (`open=true`), or the patients of one care manager
/// (`care_manager_id=me` for a care manager's board). Each says whether it
/// is overdue and why.
///
/// **Receiving providers:** a key with the `referrals:respond` scope lists
/// only the referrals sent to the provider it is bound to (never drafts),
/// with what it needs to reach the patient (`patient`: name, birth date,
/// phone, language, interpreter), and nothing else of the organization.
#[utoipa::path(
    params(ReferralQuery, PageQuery),
    responses((status = 200, description = "A page of referrals", body = Page<Referral>))
)]
#[get("/referrals")]
pub async fn list_referrals(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<ReferralQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize_any(&READERS);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Draft a referral. It is checked against the service's
/// medical-necessity criteria at once (`medical_necessity`: met or not,
/// each criterion's outcome, and the alternatives when not met). The due
/// date defaults from the priority: 14 days routine, 3 urgent, today
/// emergent. Send it with `POST /referrals/{id}/status`.
#[utoipa::path(
    request_body = NewReferral,
    responses((status = 201, description = "Drafted", body = Referral))
)]
#[post("/referrals")]
pub async fn create_referral(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewReferral>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::add(
        &db,
        access,
        (),
        body.into_inner(),
        service::create,
        location,
    )
    .await
}

fn location(r: &Referral) -> String {
    format!("/api/v1/referrals/{}", r.id)
}

/// One referral with its barriers and its history (every step: from, to,
/// reason, when, which side and who). A provider's key reads only its
/// provider's referrals; any other is a 404.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Referral id")),
    responses((status = 200, description = "The referral", body = Referral))
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize_any(&READERS);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Change a referral. The provider and the service change only while it
/// is a draft (409 after), and the medical-necessity check runs again;
/// priority, reason, due date and care-plan links while it is open.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Referral id")),
    request_body = ReferralPatch,
    responses((status = 200, description = "Changed", body = Referral))
)]
#[patch("/referrals/{id}")]
pub async fn update_referral(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, ReferralPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change).await
}

/// Move a referral one step: `draft → sent → accepted → scheduled →
/// completed → closed`, or `declined`, `cancelled`, `no_show`.
///
/// **Receiving providers** (a `referrals:respond` key) take the steps that
/// are theirs: `accepted`, `declined` (with `reason`), `scheduled` (with
/// `appointment_at`), `completed` (with `outcome`) and `no_show`. Sending,
/// cancelling and closing are the care team's (a provider gets 403).
///
/// Sending checks medical necessity again: when the criteria are not met,
/// `override_reason` is required (422 without) and is audited. A no-show
/// drafts a re-referral to the same provider (`re_referred_as`). Closing
/// may record the patient's `satisfaction` (rating 1–5, comment), which
/// counts in the provider's quality figures. A step the lifecycle does not
/// allow from the current status is a 409.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Referral id")),
    request_body = ReferralStatusChange,
    responses((status = 200, description = "Moved", body = Referral))
)]
#[post("/referrals/{id}/status")]
pub async fn move_referral(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, ReferralStatusChange>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize_any(&[Permission::PatientsWrite, Permission::ReferralsRespond]);
    flow::change(&db, access, edit, service::move_to).await
}

/// A referral's barriers, open ones first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Referral id"), PageQuery),
    responses((status = 200, description = "A page of barriers", body = Page<Barrier>))
)]
#[get("/referrals/{id}/barriers")]
pub async fn list_barriers(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: Paging<(bool, DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    flow::list(&db, access, id.into_inner(), paging, service::barriers).await
}

/// Record a barrier (transportation, insurance, documentation, language,
/// childcare, cost, other) on an open referral (409 on a closed or
/// cancelled one). Open barriers show on the referral's worklist item and
/// count in the patient's risk.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Referral id")),
    request_body = NewBarrier,
    responses((status = 201, description = "Recorded", body = Barrier))
)]
#[post("/referrals/{id}/barriers")]
pub async fn add_barrier(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewBarrier>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::add_barrier,
        |b: &Barrier| format!("/api/v1/referrals/{}/barriers", b.referral_id),
    )
    .await
}

/// Describe a barrier, resolve it (`resolution`: how; the caller and the
/// time are recorded), or reopen it (`resolution: null`).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Barrier id")),
    request_body = BarrierPatch,
    responses((status = 200, description = "Changed", body = Barrier))
)]
#[patch("/barriers/{id}")]
pub async fn update_barrier(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, BarrierPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    flow::change(&db, access, edit, service::change_barrier).await
}
