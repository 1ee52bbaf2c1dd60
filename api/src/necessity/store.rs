//! Criteria per service, and the facts of a patient's record the criteria
//! read: the latest screen of each instrument, the risk level in force,
//! discharges in the last two years and the care plan's active needs.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::care_plan::NeedStatus;
use shared::ids::{PatientId, UserId};
use shared::necessity::{Criteria, Facts, LatestScreen, ServiceCriteria};
use shared::providers::ServiceType;

use crate::auth::Authorized;
use crate::care_plans::store as care_plans;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::{encounters, patients, screenings, service_criteria};
use crate::store::{code, of_org};

/// How far back discharges are read (the longest window a criterion may name).
const DISCHARGE_WINDOW_DAYS: i64 = 730;

type Row = (
    String,
    serde_json::Value,
    i32,
    Option<uuid::Uuid>,
    DateTime<Utc>,
);

fn columns() -> (
    service_criteria::service,
    service_criteria::criteria,
    service_criteria::version,
    service_criteria::updated_by,
    service_criteria::updated_at,
) {
    (
        service_criteria::service,
        service_criteria::criteria,
        service_criteria::version,
        service_criteria::updated_by,
        service_criteria::updated_at,
    )
}

fn criteria_of(r: Row) -> ApiResult<ServiceCriteria> {
    let (service, criteria, version, updated_by, updated_at) = r;
    Ok(ServiceCriteria {
        service: code(&service)?,
        criteria: serde_json::from_value(criteria)
            .map_err(|e| ApiError::internal(format!("stored criteria: {e}")))?,
        updated_by: updated_by.map(UserId::from),
        updated_at,
        version,
    })
}

/// The criteria set for `service`, if any (locked for an update when `lock`).
pub fn get(
    conn: &mut PgConnection,
    auth: &Authorized,
    service: ServiceType,
    lock: bool,
) -> ApiResult<Option<ServiceCriteria>> {
    let q = of_org!(service_criteria, auth)
        .filter(service_criteria::service.eq(service.as_ref().to_owned()))
        .select(columns());
    let row: Option<Row> = if lock {
        q.for_update().first(conn).optional()?
    } else {
        q.first(conn).optional()?
    };
    row.map(criteria_of).transpose()
}

/// Every service's criteria, by service code.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<String>,
) -> ApiResult<Vec<ServiceCriteria>> {
    let mut q = of_org!(service_criteria, auth).into_boxed();
    if let Some(after) = paging.after.clone() {
        q = q.filter(service_criteria::service.gt(after));
    }
    q.order(service_criteria::service.asc())
        .limit(paging.fetch())
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(criteria_of)
        .collect()
}

/// Sets `service`'s criteria: creates them at version 1 or moves the
/// version on.
pub fn put(
    conn: &mut PgConnection,
    auth: &Authorized,
    service: ServiceType,
    criteria: &Criteria,
    exists: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let json = serde_json::to_value(criteria).map_err(ApiError::internal)?;
    let by = auth.user_id().map(UserId::get);
    if exists {
        diesel::update(
            of_org!(service_criteria, auth)
                .filter(service_criteria::service.eq(service.as_ref().to_owned())),
        )
        .set((
            service_criteria::criteria.eq(json),
            service_criteria::version.eq(service_criteria::version + 1),
            service_criteria::updated_by.eq(by),
            service_criteria::updated_at.eq(now),
        ))
        .execute(conn)?;
    } else {
        diesel::insert_into(service_criteria::table)
            .values((
                service_criteria::organization_id.eq(auth.org().get()),
                service_criteria::service.eq(service.as_ref()),
                service_criteria::criteria.eq(json),
                service_criteria::updated_by.eq(by),
                service_criteria::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What the criteria read about `patient` at `now`.
pub fn facts(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Facts> {
    let pid = patient.get();
    let screens = of_org!(screenings, auth)
        .filter(screenings::patient_id.eq(pid))
        .filter(screenings::entered_in_error_at.is_null())
        .filter(screenings::administered_at.le(now))
        .distinct_on(screenings::instrument)
        .order((
            screenings::instrument,
            screenings::administered_at.desc(),
            screenings::id.desc(),
        ))
        .select((
            screenings::instrument,
            screenings::total,
            screenings::positive,
            screenings::administered_at,
        ))
        .load::<(String, Option<i32>, bool, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(instrument, total, positive, at)| {
            Ok(LatestScreen {
                instrument: code(&instrument)?,
                total,
                positive,
                at,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let risk: String = of_org!(patients, auth)
        .filter(patients::id.eq(pid))
        .select(patients::risk_level)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("patient"))?;
    let discharges = of_org!(encounters, auth)
        .filter(encounters::patient_id.eq(pid))
        .filter(encounters::cancelled_at.is_null())
        .filter(encounters::discharged_at.ge(now - Duration::days(DISCHARGE_WINDOW_DAYS)))
        .filter(encounters::discharged_at.le(now))
        .select((encounters::kind, encounters::discharged_at))
        .load::<(String, Option<DateTime<Utc>>)>(conn)?
        .into_iter()
        .filter_map(|(kind, at)| at.map(|at| (kind, at)))
        .map(|(kind, at)| Ok((code(&kind)?, at)))
        .collect::<ApiResult<Vec<_>>>()?;
    let active_needs = care_plans::find(conn, auth, patient)?
        .map(|plan| {
            plan.content
                .needs
                .iter()
                .filter(|n| n.status == NeedStatus::Active)
                .map(|n| n.domain)
                .collect()
        })
        .unwrap_or_default();
    Ok(Facts {
        screens,
        risk: code(&risk)?,
        discharges,
        active_needs,
    })
}
