//! The patient use cases: one function per action, each running inside the
//! caller's transaction and writing its audit event. Handlers, the demo
//! seed and the command-line tools all come through here.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::auth::{Permission, Role};
use shared::case_status::{CaseStatus, StatusChangeRequest, TransitionError};
use shared::ids::{PatientId, UserId};
use shared::pagination::Page;
use shared::patients::{NewPatient, Patient, PatientListQuery, PatientPatch};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::{Authorized, Reading};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::batch::Batcher;
use crate::http::concurrency::Expected;
use crate::patients::search;
use crate::patients::store::{self, Filter, ListKey, StatusChange};
use crate::risk::service as risk;
use crate::rules;
use crate::users::store as users;

/// Patients matching the query, most specific matches first (see
/// [`search::parts`]).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    q: PatientListQuery,
    paging: &Paging<ListKey>,
) -> ApiResult<Page<Patient>> {
    let filter = Filter {
        search: q.q.as_deref().and_then(search::parse),
        status: q.status,
        care_manager_id: q.care_manager_id,
        risk_level: q.risk_level,
    };
    let rows = store::list(conn, auth, &filter, paging)?;
    let page = paging.page(rows, |(key, _)| key.clone());
    let page = Page {
        items: page.items.into_iter().map(|(_, p)| p).collect::<Vec<_>>(),
        next_cursor: page.next_cursor,
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::PatientList)
            .details(json!({"query": {
                "q": q.q, "status": q.status, "care_manager_id": q.care_manager_id,
                "risk_level": q.risk_level, "cursor": paging.after.is_some(),
            }}))
            .listed(page.items.iter().map(|p| p.id)),
    )?;
    Ok(page)
}

/// Who becomes responsible for a new patient: the one named (naming
/// someone else takes `patients:assign`), else a care manager who
/// registers a patient themselves.
fn responsible(auth: &Authorized, named: Option<UserId>) -> ApiResult<Option<UserId>> {
    match named {
        Some(id) if auth.user_id() != Some(id) => {
            auth.require(Permission::PatientsAssign)?;
            Ok(Some(id))
        }
        Some(id) => Ok(Some(id)),
        None if auth.role() == Some(Role::CareManager) => Ok(auth.user_id()),
        None => Ok(None),
    }
}

/// Registers a patient.
pub fn register(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: Valid<NewPatient>,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    let care_manager = responsible(auth, new.primary_care_manager_id)?;
    if let Some(cm) = care_manager {
        users::ensure_can_carry_caseload(conn, auth, cm, "primary_care_manager_id")?;
    }
    let draft = new
        .into_inner()
        .into_patient(PatientId::from(Uuid::now_v7()), care_manager, now);
    let inserted = store::insert(conn, auth, &draft, auth.user_id())?;
    if inserted.risk_level > shared::risk::RiskLevel::Low {
        risk::recompute(
            conn,
            auth,
            inserted.id,
            "assessed level at registration",
            now,
        )?;
    }
    let patient = store::get(conn, auth, inserted.id)?;
    audit::on_record(
        conn,
        auth,
        AuditAction::PatientCreate,
        patient.id,
        patient.id,
    )?;
    Ok(patient)
}

/// One patient, read in the statement that confirms the caller.
pub fn get(conn: &mut PgConnection, caller: Reading, id: PatientId) -> ApiResult<Patient> {
    let (auth, patient) = store::read(conn, caller, id)?;
    audit::on_record(conn, &auth, AuditAction::PatientRead, id, id)?;
    Ok(patient)
}

/// [`get`] for many callers at once, as the patient [`Reader`] gathers
/// them: one statement for every read, an answer for each in order.
pub fn get_many(
    conn: &mut PgConnection,
    reads: Vec<(Reading, PatientId)>,
) -> Vec<ApiResult<Patient>> {
    let count = reads.len();
    match store::read_many(conn, reads) {
        Ok(read) => read
            .into_iter()
            .map(|read| {
                let (auth, patient) = read?;
                audit::on_record(
                    conn,
                    &auth,
                    AuditAction::PatientRead,
                    patient.id,
                    patient.id,
                )?;
                Ok(patient)
            })
            .collect(),
        Err(e) => {
            let e = ApiError::from(e);
            (0..count).map(|_| Err(e.clone())).collect()
        }
    }
}

/// Reads patients by id for many signed-in users at once
/// (`GET /patients/{id}`).
pub type Reader = Batcher<PatientId, Patient>;

/// Starts the patient [`Reader`] on connections from `pool`.
pub fn start_reader(pool: PgPool) -> std::io::Result<Reader> {
    Batcher::start("patient-reader", pool, get_many)
}

/// Applies a merge patch to the version the caller read. Changing the care
/// manager takes `patients:assign`; an empty patch changes nothing (not
/// even the version) but still needs the current version.
pub fn update(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
    expected: Expected,
    patch: Valid<PatientPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    let patch = patch.into_inner();
    if patch.primary_care_manager_id.is_present() {
        auth.require(Permission::PatientsAssign)?;
    }
    let before = store::lock(conn, auth, id, expected)?;
    if patch.is_empty() {
        // Nothing changes, but the answer shows the patient: a read.
        audit::on_record(conn, auth, AuditAction::PatientRead, id, id)?;
        return Ok(before);
    }
    if let Some(cm) = patch.primary_care_manager_id.value() {
        users::ensure_can_carry_caseload(conn, auth, *cm, "primary_care_manager_id")?;
    }
    let changed = patch.changed_fields();
    let mut after = before.clone();
    patch.apply_to(&mut after);
    let mut saved = store::save(conn, auth, &before, &after, now)?;
    if after.risk_level != before.risk_level {
        risk::recompute(conn, auth, id, "assessed level changed", now)?;
        saved = store::get(conn, auth, id)?;
    }
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::PatientUpdate)
            .on(id)
            .patient(id)
            .details(json!({"changed": changed})),
    )?;
    Ok(saved)
}

/// Moves a case through its lifecycle. Closing cancels the case's open
/// tasks with the closure reason.
pub fn change_status(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: PatientId,
    expected: Expected,
    change: Valid<StatusChangeRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Patient> {
    let change = change.into_inner();
    let from = store::lock(conn, auth, id, expected)?.status;
    let reason = change.reason.as_deref();
    let to = from
        .transition(change.status, reason)
        .map_err(|e| match e {
            TransitionError::ReasonRequired => {
                ApiError::field("reason", "is required when closing or reopening a case")
            }
            other => ApiError::Conflict(format!("{other}.")),
        })?;
    let step = StatusChange {
        from: Some(from),
        to,
        reason,
        by: auth.user_id(),
        at: now,
    };
    let patient = store::set_status(conn, auth, id, &step)?;
    let cancelled = if to == CaseStatus::Closed {
        rules::case_closed(conn, auth, id, reason.unwrap_or_default(), now)?
    } else {
        0
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::PatientStatusChange)
            .on(id)
            .patient(id)
            .details(
                json!({"from": from, "to": to, "reason": reason, "tasks_cancelled": cancelled}),
            ),
    )?;
    Ok(patient)
}
