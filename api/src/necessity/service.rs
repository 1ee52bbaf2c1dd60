//! The medical-necessity use cases: read and set a service's criteria
//! (admins), read the facts of a patient's record they are checked
//! against, and check a patient for a service.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use shared::necessity::{CriteriaWrite, Evaluation, Facts, ServiceCriteria, evaluate};
use shared::pagination::Page;
use shared::providers::ServiceType;
use shared::validation::Valid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::necessity::store;
use crate::patients::store as patients;

const NOUN: &str = "criteria for this service";

/// Every service's criteria.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<String>,
) -> ApiResult<Page<ServiceCriteria>> {
    let rows = store::list(conn, auth, paging)?;
    Ok(paging.page(rows, |c| c.service.as_ref().to_owned()))
}

/// `service`'s criteria, or a 404 when none are set.
pub fn get(
    conn: &mut PgConnection,
    auth: &Authorized,
    service: ServiceType,
) -> ApiResult<ServiceCriteria> {
    store::get(conn, auth, service, false)?.ok_or_else(|| ApiError::not_found(NOUN))
}

/// Sets `service`'s criteria; answers them and whether they are new.
/// Changing set criteria needs the version read (428 without, 412 stale).
pub fn put(
    conn: &mut PgConnection,
    auth: &Authorized,
    service: ServiceType,
    seen: Option<Expected>,
    body: Valid<CriteriaWrite>,
    now: DateTime<Utc>,
) -> ApiResult<(ServiceCriteria, bool)> {
    let current = store::get(conn, auth, service, true)?;
    match (&current, seen) {
        (Some(_), None) => return Err(ApiError::PreconditionRequired),
        (Some(c), Some(e)) => e.check(c.version)?,
        (None, Some(_)) => return Err(ApiError::PreconditionFailed { current: 0 }),
        (None, None) => {}
    }
    let body = body.into_inner();
    store::put(conn, auth, service, &body.criteria, current.is_some(), now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ServiceCriteriaUpdate)
            .on(service.as_ref())
            .details(json!({"criteria": body.criteria})),
    )?;
    let saved = get(conn, auth, service)?;
    Ok((saved, current.is_none()))
}

/// The facts of `patient`'s record the criteria read (audited: it is
/// patient data).
pub fn facts(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Facts> {
    patients::ensure(conn, auth, patient)?;
    let facts = store::facts(conn, auth, patient, now)?;
    audit::on_patient(conn, auth, AuditAction::NecessityRead, patient)?;
    Ok(facts)
}

/// Checks `patient` against `service`'s criteria at `now`; `None` when the
/// service has none (nothing to meet). The caller audits.
pub fn check(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    service: ServiceType,
    now: DateTime<Utc>,
) -> ApiResult<Option<Evaluation>> {
    let Some(criteria) = store::get(conn, auth, service, false)? else {
        return Ok(None);
    };
    let facts = store::facts(conn, auth, patient, now)?;
    Ok(Some(evaluate(&criteria.criteria, &facts, now)))
}
