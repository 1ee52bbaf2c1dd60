//! `/encounters`: admissions and discharges, by hand or from integrations.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::auth::Permission;
use shared::encounters::{Encounter, EncounterListQuery, EncounterPatch, NewEncounter, Source};
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use shared::validation::trimmed;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::audit::{self, Entry};
use crate::auth::{Caller, Principal};
use crate::db::Db;
use crate::encounters::store::{self, Values};
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::idempotency::{self, Done, IdempotencyKey};
use crate::patients::store as patients;
use crate::rules;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_encounters)
        .service(record_encounter)
        .service(get_encounter)
        .service(update_encounter);
}

/// Integrations' records are marked as such.
pub fn source_of(caller: &Caller) -> Source {
    match caller.principal {
        Principal::ApiKey { .. } => Source::Integration,
        Principal::User { .. } => Source::Manual,
    }
}

/// List encounters (all, or one patient's), newest admission first.
#[utoipa::path(
    tag = "encounters",
    params(EncounterListQuery),
    responses((status = 200, description = "A page of encounters", body = Page<Encounter>)),
    security(("bearer" = []))
)]
#[get("/encounters")]
pub async fn list_encounters(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<EncounterListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::EncountersRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, q.patient_id, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |e| (e.admitted_at, e.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("encounter.list", "encounter")
                    .details(json!({"patient_id": q.patient_id}))
                    .listed(items.iter().map(|e| e.patient_id)),
            )?;
            Ok(Page { items, next_cursor })
        })
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
    caller.require(Permission::EncountersWrite)?;
    let mut new = body.into_inner();
    new.facility = new.facility.trim().to_string();
    new.discharge_disposition = trimmed(new.discharge_disposition);
    new.external_id = trimmed(new.external_id);
    let now = Utc::now();
    new.validate_at(now)?;
    let source = source_of(&caller);
    let outcome = db
        .tx(move |conn| {
            idempotency::once(conn, &caller, &idem, &new, |conn| {
                patients::ensure_referenced(conn, caller.org, new.patient_id, "patient_id")?;
                let existing = match &new.external_id {
                    Some(ext) => store::lock_by_external_id(conn, caller.org, ext)?,
                    None => None,
                };
                let (encounter, created, before) = match existing {
                    Some(current) => {
                        if current.patient_id != new.patient_id {
                            return Err(ApiError::Conflict(
                                "This external_id belongs to an encounter of another patient.".into(),
                            ));
                        }
                        let values = Values {
                            kind: new.kind,
                            facility: new.facility.clone(),
                            admitted_at: new.admitted_at,
                            // ADT messages arrive out of order: an admission
                            // resent after the discharge keeps the discharge.
                            discharged_at: new.discharged_at.or(current.discharged_at),
                            discharge_disposition: new.discharge_disposition.clone().or(current.discharge_disposition.clone()),
                        };
                        let updated = store::update(conn, caller.org, &current, values, now)?;
                        (updated, false, Some(current))
                    }
                    None => (store::insert(conn, caller.org, &new, source, now)?, true, None),
                };
                rules::encounter_recorded(conn, caller.org, before.as_ref(), &encounter, now)?;
                let encounter = store::get(conn, caller.org, encounter.id)?;
                audit::record(
                    conn,
                    &caller.actor(),
                    Entry::new(if created { "encounter.create" } else { "encounter.update" }, "encounter")
                        .on(encounter.id)
                        .patient(encounter.patient_id)
                        .details(json!({"discharged": encounter.discharged_at.is_some(), "external_id": encounter.external_id})),
                )?;
                Ok(Done {
                    location: format!("/api/v1/encounters/{}", encounter.id),
                    value: encounter,
                    created,
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
    caller.require(Permission::EncountersRead)?;
    let id = id.into_inner();
    let e = db
        .run(move |conn| {
            let e = store::get(conn, caller.org, id)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("encounter.read", "encounter")
                    .on(id)
                    .patient(e.patient_id),
            )?;
            Ok(e)
        })
        .await?;
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
    caller.require(Permission::EncountersWrite)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    patch.validate()?;
    let expected = if_match.expected(patch.version)?;
    let now = Utc::now();
    let e = db
        .tx(move |conn| {
            let current = store::lock(conn, caller.org, id, expected)?;
            let mut values = Values::of(&current);
            if let Some(k) = patch.kind {
                values.kind = k;
            }
            if let Some(f) = &patch.facility {
                values.facility = f.trim().to_string();
            }
            if let Some(a) = patch.admitted_at {
                values.admitted_at = a;
            }
            if let Some(d) = patch.discharged_at {
                values.discharged_at = Some(d);
            }
            if let Some(d) = &patch.discharge_disposition {
                values.discharge_disposition = trimmed(d.clone());
            }
            let mut errors = ValidationErrors::new();
            shared::encounters::check_times(
                &mut errors,
                values.admitted_at,
                values.discharged_at,
                now,
            );
            if !errors.is_empty() {
                return Err(errors.into());
            }
            let updated = store::update(conn, caller.org, &current, values, now)?;
            rules::encounter_recorded(conn, caller.org, Some(&current), &updated, now)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("encounter.update", "encounter")
                    .on(id)
                    .patient(updated.patient_id),
            )?;
            store::get(conn, caller.org, id)
        })
        .await?;
    Ok(e.respond(HttpResponse::Ok()))
}
