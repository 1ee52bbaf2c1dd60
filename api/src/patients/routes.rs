//! `/patients`.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{NaiveDate, Utc};
use diesel::PgConnection;
use serde_json::{Value, json};
use shared::auth::{Permission, Role};
use shared::case_status::{CaseStatus, StatusChangeRequest, TransitionError};
use shared::pagination::{Page, checked_limit};
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::problem::Problem;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::idempotency::{self, Done, IdempotencyKey, Outcome};
use crate::patients::search;
use crate::patients::store::{self, Filter, ListKey, StatusChange};
use crate::rules;
use crate::users::store as users;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_patients)
        .service(create_patient)
        .service(get_patient)
        .service(update_patient)
        .service(change_status);
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn ensure_care_manager(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<()> {
    if users::can_carry_caseload(conn, org, id)? {
        Ok(())
    } else {
        Err(ApiError::field(
            "primary_care_manager_id",
            "is not an active care manager or supervisor in your organization",
        ))
    }
}

/// List and search patients, by family then given name.
///
/// `q` matches the start of the given or family name ("lop"), both in either
/// order ("maria lo", "lopez, ma"), or an identifier value exactly
/// ("MRN-004211"). Pages are keyset-paginated: pass `next_cursor` back as
/// `cursor`.
#[utoipa::path(
    tag = "patients",
    params(PatientListQuery),
    responses((status = 200, description = "A page of patients", body = Page<Patient>)),
    security(("bearer" = []))
)]
#[get("/patients")]
pub async fn list_patients(
    db: web::Data<Db>,
    caller: Caller,
    query: Query<PatientListQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<ListKey>(q.cursor.as_deref())?;
    let filter = Filter {
        search: q.q.as_deref().and_then(search::parse),
        status: q.status,
        care_manager_id: q.care_manager_id,
        risk_level: q.risk_level,
    };
    let page = db
        .run(move |conn| {
            let rows = store::list(conn, caller.org, &filter, after, limit + 1)?;
            let (rows, next_cursor) = cursor::page(rows, limit, |(key, _)| key.clone());
            let items: Vec<Patient> = rows.into_iter().map(|(_, p)| p).collect();
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("patient.list", "patient")
                    .details(json!({"query": {
                        "q": q.q, "status": q.status, "care_manager_id": q.care_manager_id,
                        "risk_level": q.risk_level, "cursor": q.cursor.is_some(),
                    }}))
                    .listed(items.iter().map(|p| p.id)),
            )?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Register a patient.
///
/// A care manager who registers a patient without naming a care manager
/// becomes theirs; naming someone else takes a supervisor, admin or a key
/// with `patients:write`. Send `Idempotency-Key` when retrying: a retry
/// replays the first answer instead of creating a duplicate.
#[utoipa::path(
    tag = "patients",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = NewPatient,
    responses(
        (status = 201, description = "Created", body = Patient, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/patients")]
pub async fn create_patient(
    db: web::Data<Db>,
    caller: Caller,
    idem: IdempotencyKey,
    body: Json<NewPatient>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let new = body.into_inner().normalized();
    new.validate_on(today())?;
    let care_manager = match new.primary_care_manager_id {
        Some(id) if caller.user_id() != Some(id) => {
            caller.require(Permission::PatientsAssign)?;
            Some(id)
        }
        Some(id) => Some(id),
        None if caller.role() == Some(Role::CareManager) => caller.user_id(),
        None => None,
    };
    let outcome = db
        .tx(move |conn| {
            let outcome = idempotency::once(conn, &caller, &idem, &new, |conn| {
                if let Some(cm) = care_manager {
                    ensure_care_manager(conn, caller.org, cm)?;
                }
                let p = store::insert(
                    conn,
                    caller.org,
                    &new,
                    care_manager,
                    caller.user_id(),
                    Utc::now(),
                )?;
                audit::record(
                    conn,
                    &caller.actor(),
                    Entry::new("patient.create", "patient")
                        .on(p.id)
                        .patient(p.id),
                )?;
                Ok(Done {
                    location: format!("/api/v1/patients/{}", p.id),
                    value: p,
                    created: true,
                })
            })?;
            if let Outcome::Replayed(stored) = &outcome {
                let mut entry = Entry::new("patient.create_replayed", "patient");
                if let Some(id) = stored.resource_id() {
                    entry = entry.on(id).patient(id);
                }
                audit::record(conn, &caller.actor(), entry)?;
            }
            Ok(outcome)
        })
        .await?;
    Ok(outcome.respond())
}

/// One patient.
#[utoipa::path(
    tag = "patients",
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The patient", body = Patient, headers(("ETag" = String)))),
    security(("bearer" = []))
)]
#[get("/patients/{id}")]
pub async fn get_patient(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let id = id.into_inner();
    let patient = db
        .run(move |conn| {
            let p = store::get(conn, caller.org, id)?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("patient.read", "patient").on(id).patient(id),
            )?;
            Ok(p)
        })
        .await?;
    Ok(patient.respond(HttpResponse::Ok()))
}

/// Change a patient (JSON merge patch).
///
/// Omitted fields stay; `null` clears. Needs the version you read, as
/// `If-Match` or `version`: without it 428, stale 412 — nothing is silently
/// overwritten. Changing `primary_care_manager_id` takes a supervisor, an
/// admin or a key with `patients:write`.
#[utoipa::path(
    tag = "patients",
    params(
        ("id" = Uuid, Path, description = "Patient id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version` in the body)"),
    ),
    request_body = PatientPatch,
    responses(
        (status = 200, description = "Updated", body = Patient, headers(("ETag" = String))),
        (status = 409, description = "An identifier already belongs to another patient", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version: someone saved first", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/patients/{id}")]
pub async fn update_patient(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatientPatch>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let id = id.into_inner();
    let patch = body.into_inner().normalized();
    patch.validate_on(today())?;
    let expected = if_match.expected(patch.version)?;
    if patch.primary_care_manager_id.is_some() {
        caller.require(Permission::PatientsAssign)?;
    }
    let changed: Vec<String> = match serde_json::to_value(&patch) {
        Ok(Value::Object(map)) => map.keys().filter(|k| *k != "version").cloned().collect(),
        _ => vec![],
    };
    let patient = db
        .tx(move |conn| {
            if patch.is_empty() {
                store::lock(conn, caller.org, id, expected)?;
                return store::get(conn, caller.org, id);
            }
            if let Some(Some(cm)) = patch.primary_care_manager_id {
                ensure_care_manager(conn, caller.org, cm)?;
            }
            let p = store::update(conn, caller.org, id, expected, &patch, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("patient.update", "patient")
                    .on(id)
                    .patient(id)
                    .details(json!({"changed": changed})),
            )?;
            Ok(p)
        })
        .await?;
    Ok(patient.respond(HttpResponse::Ok()))
}

/// Move a case through its lifecycle.
///
/// `referred → intake → active ⇄ on_hold → closed`; a closed case can be
/// reopened (to intake or active). Closing and reopening need a `reason`.
/// A step the lifecycle lacks is a 409. Closing a case cancels its open
/// tasks, with the closure reason.
#[utoipa::path(
    tag = "patients",
    params(
        ("id" = Uuid, Path, description = "Patient id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version` in the body)"),
    ),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Status changed", body = Patient, headers(("ETag" = String))),
        (status = 409, description = "Not a step of the case lifecycle", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/patients/{id}/status")]
pub async fn change_status(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<StatusChangeRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let id = id.into_inner();
    let change = body.into_inner();
    change.validate()?;
    let expected = if_match.expected(change.version)?;
    let reason = shared::validation::trimmed(change.reason);
    let patient = db
        .tx(move |conn| {
            let from = store::lock(conn, caller.org, id, expected)?;
            let to = from
                .transition(change.status, reason.as_deref())
                .map_err(|e| match e {
                    TransitionError::ReasonRequired => {
                        ApiError::field("reason", "is required when closing or reopening a case")
                    }
                    other => ApiError::Conflict(format!("{other}.")),
                })?;
            let change = StatusChange {
                from: Some(from),
                to,
                reason: reason.as_deref(),
                by: caller.user_id(),
                at: Utc::now(),
            };
            let p = store::set_status(conn, caller.org, id, &change)?;
            let cancelled = if to == CaseStatus::Closed {
                rules::case_closed(conn, caller.org, id, reason.as_deref().unwrap_or_default(), caller.user_id(), change.at)?
            } else {
                0
            };
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("patient.status_change", "patient")
                    .on(id)
                    .patient(id)
                    .details(json!({"from": from, "to": to, "reason": reason, "tasks_cancelled": cancelled})),
            )?;
            Ok(p)
        })
        .await?;
    Ok(patient.respond(HttpResponse::Ok()))
}
