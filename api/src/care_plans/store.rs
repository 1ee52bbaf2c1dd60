//! Care plans in the database: the current content on `care_plans`, every
//! version as a snapshot on `care_plan_versions`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::care_plan::CarePlanContent;
use shared::ids::{PatientId, UserId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::schema::{care_plan_versions, care_plans};
use crate::store::{of_org, one_of_org, org_join};

/// A plan as stored: its current version and content.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The plan's id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// The current version.
    pub version: i32,
    /// The current content.
    pub content: CarePlanContent,
    /// Who made the current version.
    pub updated_by: Option<UserId>,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// When the plan was created.
    pub created_at: DateTime<Utc>,
}

type Row = (
    Uuid,
    Uuid,
    i32,
    serde_json::Value,
    Option<Uuid>,
    DateTime<Utc>,
    DateTime<Utc>,
);

fn content(value: serde_json::Value) -> ApiResult<CarePlanContent> {
    serde_json::from_value(value).map_err(|e| ApiError::internal(format!("stored care plan: {e}")))
}

fn json(c: &CarePlanContent) -> ApiResult<serde_json::Value> {
    serde_json::to_value(c).map_err(|e| ApiError::internal(format!("care plan: {e}")))
}

fn stored(r: Row) -> ApiResult<Stored> {
    Ok(Stored {
        id: r.0,
        patient_id: r.1.into(),
        version: r.2,
        content: content(r.3)?,
        updated_by: r.4.map(Into::into),
        updated_at: r.5,
        created_at: r.6,
    })
}

const COLUMNS: (
    care_plans::id,
    care_plans::patient_id,
    care_plans::version,
    care_plans::content,
    care_plans::updated_by,
    care_plans::updated_at,
    care_plans::created_at,
) = (
    care_plans::id,
    care_plans::patient_id,
    care_plans::version,
    care_plans::content,
    care_plans::updated_by,
    care_plans::updated_at,
    care_plans::created_at,
);

/// The patient's plan, if there is one.
pub fn find(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Option<Stored>> {
    of_org!(care_plans, auth)
        .filter(care_plans::patient_id.eq(patient.get()))
        .select(COLUMNS)
        .first::<Row>(conn)
        .optional()?
        .map(stored)
        .transpose()
}

/// The patient's plan, locked for a change, if there is one.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Option<Stored>> {
    of_org!(care_plans, auth)
        .filter(care_plans::patient_id.eq(patient.get()))
        .select(COLUMNS)
        .for_update()
        .first::<Row>(conn)
        .optional()?
        .map(stored)
        .transpose()
}

/// Saves `content` as the plan's next version (`version`), or creates the
/// plan at version 1 when `id` is new.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    id: Uuid,
    version: i32,
    content: &CarePlanContent,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let by = auth.user_id().map(UserId::get);
    let value = json(content)?;
    if version == 1 {
        diesel::insert_into(care_plans::table)
            .values((
                care_plans::id.eq(id),
                care_plans::organization_id.eq(auth.org().get()),
                care_plans::patient_id.eq(patient.get()),
                care_plans::version.eq(1),
                care_plans::content.eq(&value),
                care_plans::review_due_on.eq(content.review_due_on),
                care_plans::updated_by.eq(by),
                care_plans::created_at.eq(now),
                care_plans::updated_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::update(one_of_org!(care_plans, auth, id))
            .set((
                care_plans::version.eq(version),
                care_plans::content.eq(&value),
                care_plans::review_due_on.eq(content.review_due_on),
                care_plans::updated_by.eq(by),
                care_plans::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::insert_into(care_plan_versions::table)
        .values((
            care_plan_versions::organization_id.eq(auth.org().get()),
            care_plan_versions::care_plan_id.eq(id),
            care_plan_versions::version.eq(version),
            care_plan_versions::content.eq(&value),
            care_plan_versions::changed_by.eq(by),
            care_plan_versions::changed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A version of a plan: its patient, content, author and time.
pub struct VersionRow {
    /// The patient.
    pub patient_id: PatientId,
    /// The content.
    pub content: CarePlanContent,
    /// Who saved it.
    pub changed_by: Option<UserId>,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// Version `n` of plan `id`, if both exist in the caller's organization.
pub fn version(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    n: i32,
) -> ApiResult<Option<VersionRow>> {
    let row = of_org!(care_plan_versions, auth)
        .inner_join(org_join!(
            care_plans,
            care_plan_versions,
            care_plans::id.eq(care_plan_versions::care_plan_id)
        ))
        .filter(care_plan_versions::care_plan_id.eq(id))
        .filter(care_plan_versions::version.eq(n))
        .select((
            care_plans::patient_id,
            care_plan_versions::content,
            care_plan_versions::changed_by,
            care_plan_versions::changed_at,
        ))
        .first::<(Uuid, serde_json::Value, Option<Uuid>, DateTime<Utc>)>(conn)
        .optional()?;
    row.map(|(patient, value, by, at)| {
        Ok(VersionRow {
            patient_id: patient.into(),
            content: content(value)?,
            changed_by: by.map(Into::into),
            changed_at: at,
        })
    })
    .transpose()
}

/// The active social needs on the patient's plan, in words.
pub fn unmet_social_needs(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Vec<String>> {
    Ok(find(conn, auth, patient)?
        .map(|p| p.content.unmet_social_needs())
        .unwrap_or_default())
}

/// Plans whose review is due on or before `by`: (patient, plan, due date).
pub fn reviews_due(
    conn: &mut PgConnection,
    auth: &Authorized,
    by: NaiveDate,
) -> ApiResult<Vec<(PatientId, Uuid, NaiveDate)>> {
    Ok(of_org!(care_plans, auth)
        .filter(care_plans::review_due_on.le(by))
        .select((
            care_plans::patient_id,
            care_plans::id,
            care_plans::review_due_on,
        ))
        .load::<(Uuid, Uuid, NaiveDate)>(conn)?
        .into_iter()
        .map(|(p, id, due)| (p.into(), id, due))
        .collect())
}
