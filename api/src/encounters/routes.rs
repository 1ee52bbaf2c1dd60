//! `/encounters`: admissions and discharges, by hand or from integrations.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::encounters::{Encounter, EncounterListQuery, EncounterPatch, NewEncounter};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::encounters::service;
use crate::error::ApiResult;
use crate::http::IfMatch;
use crate::http::flow::{self, Edit};
use crate::http::{Json, Paging, Query};
use crate::idempotency::IdempotencyKey;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_encounters)
        .service(record_encounter)
        .service(get_encounter)
        .service(update_encounter);
}

/// List encounters (all, or one patient's), newest admission first.
#[utoipa::path(
    params(EncounterListQuery, PageQuery),
    responses((status = 200, description = "A page of encounters", body = Page<Encounter>))
)]
#[get("/encounters")]
pub async fn list_encounters(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<EncounterListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::EncountersRead);
    flow::list(&db, access, query.into_inner(), paging, service::list).await
}

/// Record an admission or discharge (or resend one).
///
/// A discharge creates, in the same transaction, a `transition_followup`
/// task due 24 hours after discharge — assigned to the patient's care
/// manager, or a supervisor when there is none — and alerts the care team.
/// An admission without a discharge alerts the care team.
///
/// With an `external_id` already known, this updates that encounter (200)
/// instead of creating one (201): an integration can resend an admission
/// with its discharge, and resending the same discharge changes nothing —
/// never a second encounter or a second follow-up.
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewEncounter,
    responses(
        (status = 201, description = "Recorded", body = Encounter),
        (status = 200, description = "An encounter with this external_id existed and was updated", body = Encounter),
        (status = 409, description = "The external_id belongs to another patient's encounter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/encounters")]
pub async fn record_encounter(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    if_match: IfMatch,
    body: Json<NewEncounter>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::EncountersWrite);
    let location = |e: &Encounter| format!("/api/v1/encounters/{}", e.id);
    flow::record(
        &db,
        access,
        idem,
        if_match,
        body.into_inner(),
        service::record,
        location,
    )
    .await
}

/// One encounter.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Encounter id")),
    responses((status = 200, description = "The encounter", body = Encounter))
)]
#[get("/encounters/{id}")]
pub async fn get_encounter(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::EncountersRead);
    flow::read(&db, access, id.into_inner(), service::get).await
}

/// Record a discharge, or correct an encounter.
///
/// Recording the discharge creates the transition follow-up (as on create);
/// correcting the discharge time moves the follow-up's due time. A recorded
/// discharge cannot be removed.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Encounter id")),
    request_body = EncounterPatch,
    responses(
        (status = 200, description = "Updated", body = Encounter),
    )
)]
#[patch("/encounters/{id}")]
pub async fn update_encounter(
    db: web::Data<Db>,
    caller: Caller,
    edit: Edit<Uuid, EncounterPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::EncountersWrite);
    flow::change(&db, access, edit, service::correct).await
}
