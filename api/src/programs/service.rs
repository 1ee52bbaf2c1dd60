//! The program use cases: list and add programs; list, add and move a
//! patient's enrollments (each step dated; enrolling sets the renewal date
//! from the program's interval, and a renewal coming due opens a task).

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::programs::{
    Enrollment, EnrollmentPatch, EnrollmentStatus, NewEnrollment, NewProgram, Program,
};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::patients::store as patients;
use crate::programs::store;
use crate::rules;

/// Programs by name.
pub fn programs(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<(String, Uuid)>,
) -> ApiResult<Page<Program>> {
    let rows = store::programs(conn, auth, paging)?;
    Ok(paging.page(rows, |p| (p.name.to_lowercase(), p.id)))
}

/// Adds a program.
pub fn create_program(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    new: Valid<NewProgram>,
    now: DateTime<Utc>,
) -> ApiResult<Program> {
    let new = new.into_inner();
    let program = Program {
        id: Uuid::now_v7(),
        name: new.name,
        kind: new.kind,
        description: new.description,
        eligibility_notes: new.eligibility_notes,
        contact: new.contact,
        renewal_months: new.renewal_months,
        version: 1,
        created_at: now,
    };
    store::insert_program(conn, auth, &program)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ProgramCreate)
            .on(program.id)
            .details(json!({"name": program.name, "kind": program.kind})),
    )?;
    store::program(conn, auth, program.id)
}

/// A patient's enrollments, newest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Enrollment>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::EnrollmentList, patient)?;
    Ok(paging.page(rows, |e| (e.created_at, e.id)))
}

/// Refers a patient to a program.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewEnrollment>,
    now: DateTime<Utc>,
) -> ApiResult<Enrollment> {
    patients::ensure(conn, auth, patient)?;
    let new = new.into_inner();
    let program = match store::program(conn, auth, new.program_id) {
        Ok(p) => p,
        Err(ApiError::NotFound(_)) => {
            return Err(ApiError::field(
                "program_id",
                "is not a program in this organization",
            ));
        }
        Err(e) => return Err(e),
    };
    let e = Enrollment {
        id: Uuid::now_v7(),
        patient_id: patient,
        program_id: program.id,
        program_name: program.name,
        program_kind: program.kind,
        status: EnrollmentStatus::Referred,
        referred_on: new.referred_on.unwrap_or_else(|| auth.today(now)),
        applied_on: None,
        enrolled_on: None,
        denied_on: None,
        exited_on: None,
        renewal_due_on: None,
        notes: new.notes,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, auth, &e)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EnrollmentCreate)
            .on(e.id)
            .patient(patient)
            .details(json!({"program_id": e.program_id})),
    )?;
    store::get(conn, auth, e.id)
}

/// Moves an enrollment a step (dated `on`, today by default), or changes
/// its renewal date or notes.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<EnrollmentPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Enrollment> {
    let before = store::lock(conn, auth, id, expected)?;
    let patch = patch.into_inner();
    let mut after = before.clone();
    after.renewal_due_on = patch.renewal_due_on.apply(after.renewal_due_on);
    after.notes = patch.notes.apply(after.notes);
    if let Some(to) = patch.status {
        let program = store::program(conn, auth, before.program_id)?;
        let on = patch.on.unwrap_or_else(|| auth.today(now));
        after.step(to, on, program.renewal_months).map_err(|e| {
            let text = e.to_string();
            ApiError::Conflict(format!("{}{}.", text[..1].to_uppercase(), &text[1..]))
        })?;
    } else if patch.on.is_some() {
        return Err(ApiError::field("on", "dates a step: send it with `status`"));
    }
    store::save(conn, auth, &after, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::EnrollmentUpdate)
            .on(id)
            .patient(after.patient_id)
            .details(json!({
                "from": before.status,
                "to": after.status,
                "renewal_due_on": after.renewal_due_on,
            })),
    )?;
    rules::enrollment_saved(conn, auth, &after, now)?;
    store::get(conn, auth, id)
}
