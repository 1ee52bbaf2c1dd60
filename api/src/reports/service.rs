//! Building a report: the period on the organization's calendar, the
//! grouped rows and the totals (the same query over everyone), the derived
//! rates, and an audit event.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::PgConnection;
use serde::de::DeserializeOwned;
use serde_json::json;
use shared::audit::AuditAction;
use shared::calendar::local_to_utc;
use shared::reports::{AnyReport, Derived, GroupBy, Period, Report, ReportName};
use shared::screening::Instrument;
use strum::VariantArray;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::reports::store::{self, Window};

/// What a report is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// Which report.
    pub name: ReportName,
    /// First day (organization calendar).
    pub from: Option<chrono::NaiveDate>,
    /// Last day.
    pub to: Option<chrono::NaiveDate>,
    /// How to group.
    pub group_by: GroupBy,
}

/// The report, as of `now` (which fixes "today" when `to` is left out).
pub fn report(
    conn: &mut PgConnection,
    auth: &Authorized,
    req: Request,
    now: DateTime<Utc>,
) -> ApiResult<AnyReport> {
    let period = Period::resolve(req.from, req.to, auth.today(now))
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let tz = auth.tz();
    let grouped = Window {
        start: local_to_utc(period.from, NaiveTime::MIN, &tz),
        end: local_to_utc(period.end_exclusive(), NaiveTime::MIN, &tz),
        from: period.from,
        to: period.to,
        mode: req.group_by.as_ref(),
    };
    let shell = Shell {
        name: req.name,
        period,
        group_by: req.group_by,
        window: grouped,
    };
    let report = match req.name {
        ReportName::Caseload => {
            AnyReport::Caseload(shell.build(|w| store::caseload(conn, auth, w))?)
        }
        ReportName::Transitions => {
            AnyReport::Transitions(shell.build(|w| store::transitions(conn, auth, w))?)
        }
        ReportName::Appointments => {
            AnyReport::Appointments(shell.build(|w| store::appointments(conn, auth, w))?)
        }
        ReportName::Referrals => {
            AnyReport::Referrals(shell.build(|w| store::referrals(conn, auth, w))?)
        }
        ReportName::Productivity => {
            AnyReport::Productivity(shell.build(|w| store::productivity(conn, auth, w))?)
        }
        ReportName::Screenings => {
            let instruments: Vec<&str> = Instrument::VARIANTS.iter().map(AsRef::as_ref).collect();
            AnyReport::Screenings(shell.build(|w| store::screenings(conn, auth, w, &instruments))?)
        }
        ReportName::Satisfaction => {
            AnyReport::Satisfaction(shell.build(|w| store::satisfaction(conn, auth, w))?)
        }
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReportRead).details(json!({
            "report": req.name,
            "from": period.from,
            "to": period.to,
            "group_by": req.group_by,
        })),
    )?;
    Ok(report)
}

/// What every report shares: its name, period and grouping.
struct Shell<'a> {
    name: ReportName,
    period: Period,
    group_by: GroupBy,
    window: Window<'a>,
}

impl Shell<'_> {
    /// The rows grouped as asked, and the totals from the same query over
    /// everyone (an empty organization's totals are all zero).
    fn build<R, F>(&self, mut query: F) -> ApiResult<Report<R>>
    where
        R: DeserializeOwned + Default + Derived,
        F: FnMut(&Window<'_>) -> ApiResult<Vec<R>>,
    {
        let rows = query(&self.window)?
            .into_iter()
            .map(Derived::derived)
            .collect();
        let everyone = Window {
            mode: "all",
            ..self.window
        };
        let totals = query(&everyone)?
            .into_iter()
            .next()
            .unwrap_or_default()
            .derived();
        Ok(Report {
            report: self.name,
            period: self.period,
            group_by: self.group_by,
            rows,
            totals,
        })
    }
}
