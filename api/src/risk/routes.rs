//! `/patients/{id}/risk` and `/patients/{id}/risk/override`.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use shared::auth::Permission;
use shared::ids::PatientId;
use shared::risk::{Risk, RiskOverrideRequest};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::Json;
use crate::risk::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_risk).service(override_risk);
}

/// The patient's risk (DESIGN §3): `level` is the level in force — the
/// override's while one lasts, else `computed_level` — and `factors` say
/// why, heaviest first, each with its points and a sentence. Points add
/// up: a suicide-risk screen in the last 30 days 6; the latest PHQ-9
/// (moderate 2, moderately severe 3, severe 4), GAD-7 (moderate 1, severe
/// 2), C-SSRS below high (low 1, moderate 2), AUDIT-C positive 1, DAST-10
/// (moderate 1, substantial 2, severe 3), each within a year; hospital,
/// ED, crisis-center and detox stays in 90 days 2 each (at most 6); missed
/// appointments in 90 days 1 each (at most 3); unmet social needs on the
/// care plan 1 each (at most 3); open referral barriers 1 each (at most
/// 2); a level written on the patient (`risk_level`, by a clinician or the
/// EHR) its floor. Moderate from 3 points, high from 6, very high from 9.
///
/// The risk is recomputed in the transaction of every event that changes
/// a factor, and daily as factors age out; `history` holds the latest 20
/// changes, newest first.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    responses((status = 200, description = "The patient's risk", body = Risk))
)]
#[get("/patients/{id}/risk")]
pub async fn get_risk(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsRead);
    let id = id.into_inner();
    let now = Utc::now();
    let risk = db
        .tx_as(access, move |conn, auth| service::get(conn, &auth, id, now))
        .await?;
    Ok(HttpResponse::Ok().json(risk))
}

/// Override the computed level by hand until a date (inclusive, the
/// organization's calendar), for a reason. The override is audited, shown
/// beside the computed level, and counts in the worklist order; a rise
/// alerts the care team. A newer override replaces an older one; when it
/// ends, the computed level applies again.
#[utoipa::path(
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = RiskOverrideRequest,
    responses((status = 200, description = "The risk with the override in force", body = Risk))
)]
#[post("/patients/{id}/risk/override")]
pub async fn override_risk(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<RiskOverrideRequest>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::PatientsWrite);
    let id = id.into_inner();
    let now = Utc::now();
    let body = body.into_inner();
    let risk = db
        .tx_as(access, move |conn, auth| {
            let body = Valid::new(body, &auth.context(now))?;
            service::set_override(conn, &auth, id, body, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(risk))
}
