//! The care-team use cases: who shares a patient's care, inside the
//! organization (users, who then receive the patient's alerts) and outside.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use shared::audit::AuditAction;
use shared::care_team::{CareTeamMember, CareTeamPatch, NewCareTeamMember};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit;
use crate::auth::Authorized;
use crate::care_team::store;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::patients::store as patients;
use crate::users::store as users;

/// A patient's care team, by start date (ended memberships included).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Page<CareTeamMember>> {
    patients::ensure(conn, auth, patient)?;
    let rows = store::list(conn, auth, patient, paging)?;
    audit::on_patient(conn, auth, AuditAction::CareTeamList, patient)?;
    Ok(paging.page(rows, |m| (m.start_date, m.id)))
}

/// Adds someone to a patient's care team: an active user of the
/// organization, or an outside provider by name.
pub fn add(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    new: Valid<NewCareTeamMember>,
    now: DateTime<Utc>,
) -> ApiResult<CareTeamMember> {
    patients::ensure(conn, auth, patient)?;
    if let Some(u) = new.user_id
        && !users::find(conn, auth, u)?.is_some_and(|u| u.active)
    {
        return Err(ApiError::field(
            "user_id",
            "is not an active user of your organization",
        ));
    }
    let draft = new
        .into_inner()
        .into_member(Uuid::now_v7(), patient, auth.today(now), now);
    let member = store::insert(conn, auth, &draft)?;
    audit::on_record(conn, auth, AuditAction::CareTeamCreate, member.id, patient)?;
    Ok(member)
}

/// Changes a member's role or details, or ends the membership.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<CareTeamPatch>,
    now: DateTime<Utc>,
) -> ApiResult<CareTeamMember> {
    let mut member = store::lock(conn, auth, id, expected)?;
    patch.into_inner().apply_to(&mut member)?;
    let saved = store::save(conn, auth, &member, now)?;
    audit::on_record(
        conn,
        auth,
        AuditAction::CareTeamUpdate,
        id,
        saved.patient_id,
    )?;
    Ok(saved)
}
