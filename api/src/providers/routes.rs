//! `/providers`: the directory, each provider, its recruiting log and
//! credentials.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use shared::auth::Permission;
use shared::pagination::{Page, PageQuery};
use shared::providers::{
    Credential, DirectoryEntry, NewCredential, NewProvider, NewProviderActivity, Provider,
    ProviderActivity, ProviderPatch, ProviderQuery,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::flow::Edit;
use crate::http::{Json, Paging, Query, flow};
use crate::providers::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_providers)
        .service(create_provider)
        .service(get_provider)
        .service(update_provider)
        .service(list_activities)
        .service(log_activity)
        .service(list_credentials)
        .service(add_credential);
}

/// The provider directory. Filters narrow it (all of them together);
/// results are ranked — in network and accepting new clients first, then
/// the language, then coverage, then distance, then the completion rate
/// and satisfaction — and each says why it is where it is (`reasons`:
/// "in network", "speaks Spanish", "takes Medicaid", "2.1 mi", "82% of
/// referrals completed"). With `near_patient_id`, the patient's preferred
/// language and insurance rank (unless `language`/`payer` say otherwise)
/// and distances are from the centre of their ZIP code (that read of the
/// patient is audited). The cursor is a position in the ranking.
#[utoipa::path(
    params(ProviderQuery, PageQuery),
    responses((status = 200, description = "A page of the ranked directory", body = Page<DirectoryEntry>))
)]
#[get("/providers")]
pub async fn list_providers(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<ProviderQuery>,
    paging: Paging<service::DirectoryKey>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Add a provider to the directory (a `prospect` unless `network_status`
/// says otherwise).
#[utoipa::path(
    request_body = NewProvider,
    responses((status = 201, description = "Added", body = Provider))
)]
#[post("/providers")]
pub async fn create_provider(
    db: web::Data<Db>,
    caller: Caller,
    body: Json<NewProvider>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersManage);
    flow::add(&db, access, (), body.into_inner(), create, location).await
}

fn create(
    conn: &mut diesel::PgConnection,
    auth: &crate::auth::Authorized,
    (): (),
    new: shared::validation::Valid<NewProvider>,
    now: DateTime<Utc>,
) -> ApiResult<Provider> {
    service::create(conn, auth, new, now)
}

fn location(p: &Provider) -> String {
    format!("/api/v1/providers/{}", p.id)
}

/// One provider, with its quality figures from referral outcomes:
/// completion rate, median days to the first appointment, no-show rate and
/// mean satisfaction.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id")),
    responses((status = 200, description = "The provider", body = Provider))
)]
#[get("/providers/{id}")]
pub async fn get_provider(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Change a provider (a merge patch; lists are replaced whole). A new
/// `network_status` is logged in the recruiting activities.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id")),
    request_body = ProviderPatch,
    responses((status = 200, description = "Updated", body = Provider))
)]
#[patch("/providers/{id}")]
pub async fn update_provider(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, ProviderPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersManage);
    flow::change(&db, access, edit, service::change).await
}

/// The recruiting log: calls, meetings, contracts and every change of
/// network status, newest first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id"), PageQuery),
    responses((status = 200, description = "A page of activities", body = Page<ProviderActivity>))
)]
#[get("/providers/{id}/activities")]
pub async fn list_activities(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::list(&db, access, id.into_inner(), paging, service::activities).await
}

/// Log a recruiting activity (`occurred_at` now when left out).
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id")),
    request_body = NewProviderActivity,
    responses((status = 201, description = "Logged", body = ProviderActivity))
)]
#[post("/providers/{id}/activities")]
pub async fn log_activity(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewProviderActivity>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersManage);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::log_activity,
        |a: &ProviderActivity| format!("/api/v1/providers/{}/activities", a.provider_id),
    )
    .await
}

/// The provider's credentialing documents, soonest expiry first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id"), PageQuery),
    responses((status = 200, description = "A page of credentials", body = Page<Credential>))
)]
#[get("/providers/{id}/credentials")]
pub async fn list_credentials(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: Paging<(NaiveDate, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersRead);
    flow::list(&db, access, id.into_inner(), paging, service::credentials).await
}

/// Record a credentialing document and its expiry date.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Provider id")),
    request_body = NewCredential,
    responses((status = 201, description = "Recorded", body = Credential))
)]
#[post("/providers/{id}/credentials")]
pub async fn add_credential(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewCredential>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ProvidersManage);
    flow::add(
        &db,
        access,
        id.into_inner(),
        body.into_inner(),
        service::add_credential,
        |c: &Credential| format!("/api/v1/providers/{}/credentials", c.provider_id),
    )
    .await
}
