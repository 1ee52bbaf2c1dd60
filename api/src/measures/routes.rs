//! `/measures` and `/measures/{id}`.

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shared::auth::Permission;
use shared::measures::{MeasureId, MeasureResult, MeasureSpec};
use shared::pagination::Page;
use strum::VariantArray;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::Query;
use crate::measures::service;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_measures).service(get_measure);
}

/// The quality measures offered, each with its specification (all on one page).
#[utoipa::path(responses((status = 200, description = "Every measure", body = Page<MeasureSpec>)))]
#[get("/measures")]
pub async fn list_measures(db: web::Data<Db>, caller: Caller) -> ApiResult<HttpResponse> {
    db.confirm(caller.authorize(Permission::ReportsRead))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: MeasureId::VARIANTS
            .iter()
            .map(|m| m.spec())
            .collect::<Vec<_>>(),
        next_cursor: None::<String>,
    }))
}

/// Which period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeasureQuery {
    /// First day of the period, on the organization's calendar (29 days before `to` when omitted).
    pub from: Option<NaiveDate>,
    /// Last day, included (today when omitted). At most 366 days in all.
    pub to: Option<NaiveDate>,
}

/// A measure over a period: its rates, and every patient considered —
/// in the denominator or excluded, which numerators they meet, the reason
/// in words, and the measurement windows still open (for depression
/// remission: whose 6- or 12-month window is open now, and whose closes
/// within 30 days).
///
/// - `fuh`: discharges from an inpatient psychiatric stay in the period;
///   an attended therapy or psychiatry appointment 1–7 and 1–30 days after
///   the day of discharge. Excluded: readmission within 30 days, death, a
///   30-day window still open without follow-up (pending).
/// - `fum`: ED and crisis-center visits in the period; a follow-up 0–7 and
///   0–30 days after. Excluded: inpatient admission within 30 days, pending.
/// - `dep_response_remission`: the first PHQ-9 above 9 in the period is
///   the index; the last PHQ-9 within ± 60 days of 6 and 12 months after it
///   counts: response is a drop of at least 50%, remission a score below 5.
/// - `dep_screening`: patients 12 and older with an attended appointment;
///   a PHQ-9 or PHQ-2 in the period, negative, or positive with a
///   care-plan change or referral within 2 days.
/// - `suicide_risk`: PHQ-9s with item 9 above 0; a C-SSRS the same or next day.
#[utoipa::path(
    params(("id" = MeasureId, Path, description = "Which measure"), MeasureQuery),
    responses((status = 200, description = "The rates and the patient lists", body = MeasureResult))
)]
#[get("/measures/{id}")]
pub async fn get_measure(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<MeasureId>,
    query: Query<MeasureQuery>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ReportsRead);
    let (id, q) = (id.into_inner(), query.into_inner());
    let result = db
        .run_as(access, move |conn, auth| {
            service::measure(conn, &auth, id, q.from, q.to, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
