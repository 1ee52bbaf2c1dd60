//! Computing a measure: read the facts, apply the specification, give
//! the rates and the lists, and audit which patients were listed.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::calendar::local_to_utc;
use shared::measures::{self as rules, MeasureId, MeasurePatient, MeasureResult};
use shared::reports::Period;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::measures::store::{self, Span};

/// `measure` over `from..=to` (the 30 days up to today by default), as of `now`.
pub fn measure(
    conn: &mut PgConnection,
    auth: &Authorized,
    measure: MeasureId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> ApiResult<MeasureResult> {
    let today = auth.today(now);
    let period = Period::resolve(from, to, today).map_err(|e| ApiError::Validation(vec![e]))?;
    let tz = auth.tz();
    let span = Span {
        start: local_to_utc(period.from, NaiveTime::MIN, &tz),
        end: local_to_utc(period.end_exclusive(), NaiveTime::MIN, &tz),
        from: period.from,
    };
    let patients: Vec<MeasurePatient> = match measure {
        MeasureId::Fuh => store::follow_ups(conn, auth, span, &["inpatient_psych"])?
            .iter()
            .map(|f| rules::follow_up(f, false, today))
            .collect(),
        MeasureId::Fum => store::follow_ups(conn, auth, span, &["ed", "bhcc"])?
            .iter()
            .map(|f| rules::follow_up(f, true, today))
            .collect(),
        MeasureId::DepResponseRemission => store::depression(conn, auth, span)?
            .iter()
            .map(|d| rules::response_remission(d.patient_id, d.index, &d.later, today))
            .collect(),
        MeasureId::DepScreening => store::screenings(conn, auth, span)?
            .iter()
            .map(rules::screening_with_plan)
            .collect(),
        MeasureId::SuicideRisk => store::suicide_risk(conn, auth, span)?
            .iter()
            .map(rules::suicide_risk)
            .collect(),
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::MeasureRead)
            .details(json!({"measure": measure, "from": period.from, "to": period.to}))
            .listed(patients.iter().map(|p| p.patient_id.into())),
    )?;
    Ok(MeasureResult {
        measure,
        from: period.from,
        to: period.to,
        rates: rules::rates(&measure.spec(), &patients),
        patients,
    })
}
