//! The care-plan use cases: read the current plan, save a new version
//! (creating the plan on first save), read any version compared with
//! another, and add the social needs a screening found.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::care_plan::{
    CarePlan, CarePlanContent, CarePlanVersion, CarePlanWrite, diff, evaluate,
};
use shared::ids::PatientId;
use shared::screening::SocialDomain;
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::care_plans::store::{self, Stored};
use crate::error::{ApiError, ApiResult};
use crate::http::concurrency::Expected;
use crate::patients::store as patients;
use crate::risk::service as risk;
use crate::rules;
use crate::screenings::store as screenings;

const NOUN: &str = "care plan";

/// The plan as the API answers it, with its goals measured against the
/// latest screenings.
fn view(
    conn: &mut PgConnection,
    auth: &Authorized,
    plan: Stored,
    now: DateTime<Utc>,
) -> ApiResult<CarePlan> {
    let mut goal_evaluations = Vec::new();
    for goal in &plan.content.goals {
        if let (Some(id), Some(m)) = (goal.id, goal.measure) {
            let latest = screenings::latest_total(conn, auth, plan.patient_id, m.instrument)?;
            goal_evaluations.push(evaluate(id, &m, latest));
        }
    }
    Ok(CarePlan {
        id: plan.id,
        patient_id: plan.patient_id,
        version: plan.version,
        review_overdue: plan.content.review_due_on < auth.today(now),
        content: plan.content,
        goal_evaluations,
        updated_by: plan.updated_by,
        updated_at: plan.updated_at,
        created_at: plan.created_at,
    })
}

/// The patient's current plan (404 when there is none yet).
pub fn get(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<CarePlan> {
    patients::ensure(conn, auth, patient)?;
    let plan = store::find(conn, auth, patient)?.ok_or_else(|| ApiError::not_found(NOUN))?;
    audit::on_record(conn, auth, AuditAction::CarePlanRead, plan.id, patient)?;
    view(conn, auth, plan, now)
}

/// Writes `content` as the next version of `current` (or version 1), then
/// applies the rules: the review task, and the risk (social needs count).
/// Answers the saved plan, or the current one unchanged when nothing differs.
fn save_version(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    current: Option<&Stored>,
    mut content: CarePlanContent,
    review_outcome: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Option<(Uuid, i32, usize)>> {
    content.assign_ids(Uuid::now_v7);
    let changes = match current {
        Some(c) => diff(&c.content, &content).len(),
        None => 0,
    };
    if current.is_some() && changes == 0 {
        return Ok(None);
    }
    let (id, version) = match current {
        Some(c) => (c.id, c.version + 1),
        None => (Uuid::now_v7(), 1),
    };
    store::save(conn, auth, patient, id, version, &content, now)?;
    rules::care_plan_saved(
        conn,
        auth,
        patient,
        current.map(|c| c.content.review_due_on),
        content.review_due_on,
        review_outcome,
        now,
    )?;
    let social_before = current.map(|c| c.content.unmet_social_needs());
    if social_before.as_ref() != Some(&content.unmet_social_needs()) {
        risk::recompute(conn, auth, patient, "care plan social needs changed", now)?;
    }
    Ok(Some((id, version, changes)))
}

/// Saves the plan as the caller wrote it: a new version at the version
/// they read (428 without one, 412 when stale), or the first version when
/// the patient has none (a version sent then is a 412: nothing to match).
/// Answers the plan and whether it was created.
pub fn put(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    seen: Option<Expected>,
    body: Valid<CarePlanWrite>,
    now: DateTime<Utc>,
) -> ApiResult<(CarePlan, bool)> {
    patients::ensure(conn, auth, patient)?;
    let current = store::lock(conn, auth, patient)?;
    match (&current, seen) {
        (Some(_), None) => return Err(ApiError::PreconditionRequired),
        (Some(c), Some(e)) => e.check(c.version)?,
        (None, Some(_)) => return Err(ApiError::PreconditionFailed { current: 0 }),
        (None, None) => {}
    }
    let body = body.into_inner();
    let outcome = body.review.as_ref().map(|r| r.outcome.clone());
    let content = body.apply(
        current.as_ref().map(|c| &c.content),
        auth.today(now),
        auth.user_id(),
    );
    let saved = save_version(
        conn,
        auth,
        patient,
        current.as_ref(),
        content,
        outcome.as_deref(),
        now,
    )?;
    let created = current.is_none();
    let plan = store::find(conn, auth, patient)?.ok_or_else(|| ApiError::not_found(NOUN))?;
    let (action_details, action) = match saved {
        Some((_, version, changes)) => (
            json!({"version": version, "changes": changes, "review_completed": outcome.is_some()}),
            AuditAction::CarePlanUpdate,
        ),
        None => (json!({"unchanged": true}), AuditAction::CarePlanRead),
    };
    audit::log(
        conn,
        auth,
        Entry::new(action)
            .on(plan.id)
            .patient(patient)
            .details(action_details),
    )?;
    Ok((view(conn, auth, plan, now)?, created))
}

/// Version `n` of plan `id`, with what changed since `compare_to` (by
/// default the version before it).
pub fn version(
    conn: &mut PgConnection,
    auth: &Authorized,
    (id, n, compare_to): (Uuid, i32, Option<i32>),
) -> ApiResult<CarePlanVersion> {
    let this = store::version(conn, auth, id, n)?
        .ok_or_else(|| ApiError::not_found("care plan version"))?;
    let other_n = compare_to.or((n > 1).then_some(n - 1));
    let changes = match other_n {
        Some(m) => {
            let other = store::version(conn, auth, id, m)?.ok_or_else(|| {
                ApiError::Validation(vec![shared::problem::FieldError::new(
                    "compare_to",
                    "this plan has no such version",
                )])
            })?;
            diff(&other.content, &this.content)
        }
        None => Vec::new(),
    };
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::CarePlanRead)
            .on(id)
            .patient(this.patient_id)
            .details(json!({"version": n, "compare_to": other_n})),
    )?;
    Ok(CarePlanVersion {
        plan_id: id,
        patient_id: this.patient_id,
        version: n,
        content: this.content,
        compared_to: other_n,
        changes,
        changed_by: this.changed_by,
        changed_at: this.changed_at,
    })
}

/// Adds the social needs a screening found to the patient's plan (creating
/// the plan if there is none), as a new version. Answers how many it added.
pub fn add_social_needs(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    screening: Uuid,
    found: &[(SocialDomain, String)],
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let current = store::lock(conn, auth, patient)?;
    let mut content = current.as_ref().map_or_else(
        || CarePlanContent::empty(auth.today(now)),
        |c| c.content.clone(),
    );
    let added = content.add_social_needs(found, screening, Uuid::now_v7);
    if added == 0 {
        return Ok(0);
    }
    if let Some((id, version, _)) =
        save_version(conn, auth, patient, current.as_ref(), content, None, now)?
    {
        audit::log(conn, auth,
            Entry::new(AuditAction::CarePlanUpdate)
                .on(id)
                .patient(patient)
                .details(json!({"version": version, "social_needs_added": added, "screening": screening})),
        )?;
    }
    Ok(added)
}
