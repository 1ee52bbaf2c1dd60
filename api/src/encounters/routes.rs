//! `/encounters`: admissions and discharges, by hand or from integrations.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use shared::auth::Permission;
use shared::encounters::{Encounter, EncounterListQuery, EncounterPatch, NewEncounter};
use shared::pagination::{Page, PageQuery};
use shared::problem::Problem;
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::Db;
use crate::encounters::service;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json, Paging, Query};
use crate::idempotency::{self, Done, IdempotencyKey};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_encounters)
        .service(record_encounter)
        .service(get_encounter)
        .service(update_encounter);
}

/// List encounters (all, or one patient's), newest admission first.
#[utoipa::path(
    tag = "encounters",
    params(EncounterListQuery, PageQuery),
    responses((status = 200, description = "A page of encounters", body = Page<Encounter>)),
    security(("bearer" = []))
)]
#[get("/encounters")]
pub async fn list_encounters(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<EncounterListQuery>,
    paging: Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::EncountersRead)?;
    let q = query.into_inner();
    let page = db
        .run(move |conn| service::list(conn, &auth, &q, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
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
    tag = "encounters",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = NewEncounter,
    responses(
        (status = 201, description = "Recorded", body = Encounter, headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "An encounter with this external_id existed and was updated", body = Encounter, headers(("ETag" = String))),
        (status = 409, description = "The external_id belongs to another patient's encounter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/encounters")]
pub async fn record_encounter(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewEncounter>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::EncountersWrite)?;
    let now = Utc::now();
    let new = Valid::new(body.into_inner(), &auth.context(now))?;
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &auth, &idem, new, |conn, new| {
                let r = service::record(conn, &auth, new, now)?;
                let location = format!("/api/v1/encounters/{}", r.encounter.id);
                Ok(if r.created {
                    Done::created(location, r.encounter)
                } else {
                    Done::updated(location, r.encounter)
                })
            })
        })
        .await?;
    Ok(outcome.respond())
}

/// One encounter.
#[utoipa::path(
    tag = "encounters",
    params(("id" = Uuid, Path, description = "Encounter id")),
    responses((status = 200, description = "The encounter", body = Encounter, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/encounters/{id}")]
pub async fn get_encounter(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::EncountersRead)?;
    let id = id.into_inner();
    let e = db.run(move |conn| service::get(conn, &auth, id)).await?;
    Ok(e.respond(HttpResponse::Ok()))
}

/// Record a discharge, or correct an encounter.
///
/// Recording the discharge creates the transition follow-up (as on create);
/// correcting the discharge time moves the follow-up's due time. A recorded
/// discharge cannot be removed.
#[utoipa::path(
    tag = "encounters",
    params(
        ("id" = Uuid, Path, description = "Encounter id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = EncounterPatch,
    responses(
        (status = 200, description = "Updated", body = Encounter, headers(("ETag" = String))),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/encounters/{id}")]
pub async fn update_encounter(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<EncounterPatch>,
) -> ApiResult<HttpResponse> {
    let auth = caller.authorize(Permission::EncountersWrite)?;
    let now = Utc::now();
    let patch = Valid::new(body.into_inner(), &auth.context(now))?;
    let expected = if_match.expected(patch.version)?;
    let id = id.into_inner();
    let e = db
        .tx(move |conn| service::correct(conn, &auth, id, expected, patch, now))
        .await?;
    Ok(e.respond(HttpResponse::Ok()))
}
