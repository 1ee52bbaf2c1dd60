//! `/reports/{name}`: JSON by default, CSV on `Accept: text/csv` or `?format=csv`.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shared::auth::Permission;
use shared::reports::{AnyReport, GroupBy, ReportFormat, ReportName, to_csv};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::Query;
use crate::reports::service::{self, Request};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_report);
}

/// Which period, grouped how, written how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day, on the organization's calendar (29 days before `to` when omitted).
    pub from: Option<NaiveDate>,
    /// Last day, included (today when omitted). At most 366 days in all.
    pub to: Option<NaiveDate>,
    /// `care_manager` (default) or `program`.
    pub group_by: Option<GroupBy>,
    /// `json` (default) or `csv`; overrides the `Accept` header.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// A report over a period: one row per care manager or program (and
/// facility kind, provider, day or instrument where the report has one),
/// and the totals over the whole organization, counted from the records
/// (not summed from the rows). Periods are whole days on the
/// organization's calendar, both ends included.
///
/// - `caseload`: clients at intake, active and on hold now, the risk mix of
///   open clients, and cases opened and closed in the period.
/// - `transitions`: discharges in the period by facility kind, the share
///   followed up (transition task done) within 24 hours, and the median
///   hours to follow-up.
/// - `appointments`: appointments in the period, attended and missed
///   rates (of those attended or missed), and clients who missed two
///   within 30 days.
/// - `referrals`: referrals made in the period per provider, by status now
///   and by barrier kind, median days to close, and completion rate.
/// - `productivity`: minutes per activity type per person (or program)
///   per day, and the care-coordination share against the 80–90% standard.
/// - `screenings`: screenings per instrument, positive rates, and PHQ-9
///   completion among active behavioral-health clients.
/// - `satisfaction`: ratings (1–5) of referred services that ended in the period.
///
/// As CSV (`text/csv`): a header row named after the JSON row fields, then
/// the rows (not the totals); a cell starting with `=`, `+`, `-`, `@`, tab
/// or carriage return is prefixed with `'` so spreadsheets do not run it.
#[utoipa::path(
    params(("name" = ReportName, Path, description = "Which report"), ReportQuery),
    responses((
        status = 200,
        description = "The report",
        content(
            (AnyReport = "application/json"),
            (String = "text/csv", example = "group_id,group,intake,active,on_hold,risk_low,risk_moderate,risk_high,risk_very_high,opened,closed\n")
        )
    ))
)]
#[get("/reports/{name}")]
pub async fn get_report(
    db: web::Data<Db>,
    caller: Caller,
    name: web::Path<ReportName>,
    query: Query<ReportQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::ReportsRead);
    let q = query.into_inner();
    let format = q.format.unwrap_or_else(|| negotiated(&req));
    let request = Request {
        name: name.into_inner(),
        from: q.from,
        to: q.to,
        group_by: q.group_by.unwrap_or_default(),
    };
    let report = db
        .run_as(access, move |conn, auth| {
            service::report(conn, &auth, request, Utc::now())
        })
        .await?;
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().json(report),
        ReportFormat::Csv => csv_response(&report)?,
    })
}

/// CSV when the client accepts `text/csv` and does not prefer JSON.
fn negotiated(req: &HttpRequest) -> ReportFormat {
    let Some(accepts) = req.get_header::<header::Accept>() else {
        return ReportFormat::Json;
    };
    let ranked = accepts.ranked();
    let csv = ranked.iter().position(|m| m.essence_str() == "text/csv");
    let json = ranked
        .iter()
        .position(|m| m.essence_str() == "application/json" || m.essence_str() == "*/*");
    match (csv, json) {
        (Some(c), Some(j)) if c < j => ReportFormat::Csv,
        (Some(_), None) => ReportFormat::Csv,
        _ => ReportFormat::Json,
    }
}

fn csv_response(report: &AnyReport) -> ApiResult<HttpResponse> {
    let (name, period, body) = match report {
        AnyReport::Caseload(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Transitions(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Appointments(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Referrals(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Productivity(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Screenings(r) => (r.report, r.period, to_csv(&r.rows)),
        AnyReport::Satisfaction(r) => (r.report, r.period, to_csv(&r.rows)),
    };
    let body = body.map_err(ApiError::internal)?;
    let filename = format!("{name}-{}-to-{}.csv", period.from, period.to);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .body(body))
}
