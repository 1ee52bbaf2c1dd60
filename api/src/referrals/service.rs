//! The referral use cases: draft (checked against the service's medical
//! necessity), change, move through the lifecycle (`shared::referral` says
//! who may take each step; sending an unmet referral takes an audited
//! override reason; a no-show drafts the re-referral), and record, resolve
//! and reopen barriers. A receiving provider's key (`referrals:respond`)
//! sees and moves only its provider's referrals; anything else is a 404.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::ids::{PatientId, UserId};
use shared::pagination::Page;
use shared::referral::{
    Barrier, BarrierPatch, NewBarrier, NewReferral, Referral, ReferralParty, ReferralPatch,
    ReferralQuery, ReferralStatus, ReferralStatusChange, StatusEvent, StepError, overdue,
};
use shared::validation::Valid;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::care_plans::store as care_plans;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::necessity::service as necessity;
use crate::organizations::store as organizations;
use crate::patients::store as patients;
use crate::providers::store as providers;
use crate::referrals::store::{self, Filter, Stamps};
use crate::risk::service as risk;
use crate::rules;

/// Which side the caller is on.
fn party(auth: &Authorized) -> ReferralParty {
    if auth.provider_id().is_some() {
        ReferralParty::Provider
    } else {
        ReferralParty::Referrer
    }
}

/// Who the history names: a person's email or a key's name.
fn by(auth: &Authorized) -> String {
    auth.actor()
        .label
        .clone()
        .unwrap_or_else(|| "system".to_owned())
}

/// Adds the overdue sentence to each referral, on the organization's
/// calendar.
fn with_overdue(
    conn: &mut PgConnection,
    auth: &Authorized,
    list: &mut [Referral],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let cal = organizations::calendar(conn, auth)?;
    for r in list {
        r.overdue = overdue(
            r.status,
            r.sent_at,
            Some(r.due_date),
            now,
            &cal.tz,
            &cal.holidays,
        )
        .map(|o| o.describe());
    }
    Ok(())
}

/// A page of referrals, newest first. `care_manager_id` is `me` or a
/// user id (a care manager's board).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    query: ReferralQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Referral>> {
    let care_manager =
        match query.care_manager_id.as_deref() {
            None => None,
            Some("me") => Some(auth.user_id().ok_or_else(|| {
                ApiError::field("care_manager_id", "`me` is for a signed-in person")
            })?),
            Some(id) => Some(UserId::from(id.parse::<Uuid>().map_err(|_| {
                ApiError::field("care_manager_id", "must be `me` or a user id")
            })?)),
        };
    let filter = Filter {
        query,
        care_manager,
    };
    let mut rows = store::list(conn, auth, &filter, paging)?;
    with_overdue(conn, auth, &mut rows, Utc::now())?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralList).listed(rows.iter().map(|r| r.patient_id)),
    )?;
    Ok(paging.page(rows, |r| (r.created_at, r.id)))
}

/// Referral `id` as it stands now.
fn current(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Referral> {
    let mut r = store::get(conn, auth, id)?;
    with_overdue(conn, auth, std::slice::from_mut(&mut r), now)?;
    Ok(r)
}

/// Referral `id`, with its barriers and history.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Referral> {
    let r = current(conn, auth, id, Utc::now())?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralRead)
            .on(id)
            .patient(r.patient_id),
    )?;
    Ok(r)
}

/// A 422 on `field` unless `id` is a need (or an intervention) on the
/// patient's care plan.
fn check_plan_links(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    need_id: Option<Uuid>,
    intervention_id: Option<Uuid>,
) -> ApiResult<()> {
    if need_id.is_none() && intervention_id.is_none() {
        return Ok(());
    }
    let plan = care_plans::find(conn, auth, patient)?;
    let content = plan.as_ref().map(|p| &p.content);
    if let Some(need) = need_id
        && !content.is_some_and(|c| c.needs.iter().any(|n| n.id == Some(need)))
    {
        return Err(ApiError::field(
            "need_id",
            "is not a need on the patient's care plan",
        ));
    }
    if let Some(intervention) = intervention_id
        && !content.is_some_and(|c| c.interventions.iter().any(|i| i.id == Some(intervention)))
    {
        return Err(ApiError::field(
            "intervention_id",
            "is not an intervention on the patient's care plan",
        ));
    }
    Ok(())
}

/// A 422 on `field` unless `provider` is in the organization's directory.
fn check_provider(conn: &mut PgConnection, auth: &Authorized, provider: Uuid) -> ApiResult<String> {
    match providers::names(conn, auth, &[provider])?.remove(&provider) {
        Some(name) => Ok(name),
        None => Err(ApiError::field(
            "provider_id",
            "is not a provider in this organization",
        )),
    }
}

/// Drafts a referral and checks it against the service's criteria.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    new: Valid<NewReferral>,
    now: DateTime<Utc>,
) -> ApiResult<Referral> {
    let new = new.into_inner();
    match patients::ensure(conn, auth, new.patient_id) {
        Err(ApiError::NotFound(_)) => {
            return Err(ApiError::field(
                "patient_id",
                "is not a patient in this organization",
            ));
        }
        other => other?,
    }
    check_provider(conn, auth, new.provider_id)?;
    check_plan_links(conn, auth, new.patient_id, new.need_id, new.intervention_id)?;
    let medical_necessity = necessity::check(conn, auth, new.patient_id, new.service, now)?;
    let draft = draft(
        Uuid::now_v7(),
        new,
        medical_necessity,
        auth.today(now),
        auth.user_id(),
        now,
    );
    store::insert(conn, auth, &draft)?;
    store::add_history(conn, auth, draft.id, &created_event(auth, now))?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralCreate)
            .on(draft.id)
            .patient(draft.patient_id)
            .details(json!({
                "provider_id": draft.provider_id,
                "service": draft.service,
                "necessity_met": draft.medical_necessity.as_ref().map(|e| e.met),
            })),
    )?;
    current(conn, auth, draft.id, now)
}

fn created_event(auth: &Authorized, now: DateTime<Utc>) -> StatusEvent {
    StatusEvent {
        from: None,
        to: ReferralStatus::Draft,
        reason: None,
        at: now,
        party: ReferralParty::Referrer,
        by: by(auth),
    }
}

/// The draft `new` describes.
fn draft(
    id: Uuid,
    new: NewReferral,
    medical_necessity: Option<shared::necessity::Evaluation>,
    today: chrono::NaiveDate,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> Referral {
    Referral {
        id,
        patient_id: new.patient_id,
        patient: shared::referral::ReferredPatient {
            name: String::new(),
            birth_date: today,
            phone: None,
            preferred_language: String::new(),
            interpreter_needed: false,
        },
        provider_id: new.provider_id,
        provider_name: String::new(),
        service: new.service,
        priority: new.priority,
        reason: new.reason,
        need_id: new.need_id,
        intervention_id: new.intervention_id,
        due_date: new
            .due_date
            .unwrap_or_else(|| new.priority.default_due(today)),
        status: ReferralStatus::Draft,
        sent_at: None,
        responded_at: None,
        appointment_at: None,
        outcome: None,
        status_reason: None,
        medical_necessity,
        necessity_override_reason: None,
        satisfaction: None,
        re_referral_of: None,
        re_referred_as: None,
        overdue: None,
        barriers: Vec::new(),
        history: Vec::new(),
        created_by,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// Changes a referral: the provider and service while it is a draft (the
/// check runs again), the rest while it is open.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<ReferralPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Referral> {
    let before = store::lock(conn, auth, id, expected)?;
    let patch = patch.into_inner();
    if !before.status.is_open() {
        return Err(ApiError::Conflict(format!(
            "The referral is {}; it no longer changes.",
            before.status.label().to_lowercase()
        )));
    }
    let draft_only = patch.provider_id.is_some() || patch.service.is_some();
    if draft_only && before.status != ReferralStatus::Draft {
        return Err(ApiError::Conflict(
            "The provider and the service change only while the referral is a draft.".into(),
        ));
    }
    let mut after = before.clone();
    if let Some(p) = patch.provider_id {
        check_provider(conn, auth, p)?;
        after.provider_id = p;
    }
    if let Some(s) = patch.service {
        after.service = s;
    }
    if let Some(p) = patch.priority {
        after.priority = p;
    }
    if let Some(r) = patch.reason {
        after.reason = r;
    }
    if let Some(d) = patch.due_date {
        after.due_date = d;
    }
    after.need_id = patch.need_id.apply(after.need_id);
    after.intervention_id = patch.intervention_id.apply(after.intervention_id);
    check_plan_links(
        conn,
        auth,
        after.patient_id,
        after.need_id.filter(|n| Some(*n) != before.need_id),
        after
            .intervention_id
            .filter(|i| Some(*i) != before.intervention_id),
    )?;
    if after.status == ReferralStatus::Draft {
        after.medical_necessity =
            necessity::check(conn, auth, after.patient_id, after.service, now)?;
    }
    store::save(conn, auth, &after, &Stamps::default(), now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralUpdate)
            .on(id)
            .patient(after.patient_id)
            .details(json!({"provider_id": after.provider_id, "service": after.service})),
    )?;
    current(conn, auth, id, now)
}

/// Moves a referral one step, as the caller's side may.
pub fn move_to(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    change: Valid<ReferralStatusChange>,
    now: DateTime<Utc>,
) -> ApiResult<Referral> {
    let before = store::lock(conn, auth, id, expected)?;
    let change = change.into_inner();
    let side = party(auth);
    let to = before
        .status
        .step(change.status, side)
        .map_err(|e| match e {
            StepError::NotYours { .. } => ApiError::Forbidden(format!("{e}.")),
            StepError::Unchanged | StepError::NotAllowed { .. } => {
                ApiError::Conflict(format!("{}.", capitalized(&e.to_string())))
            }
        })?;
    let mut after = before.clone();
    let mut stamps = Stamps::default();
    after.status = to;
    match to {
        ReferralStatus::Sent => send(conn, auth, &mut after, &change, now)?,
        ReferralStatus::Accepted | ReferralStatus::Declined => {
            after.responded_at = after.responded_at.or(Some(now));
            if to == ReferralStatus::Declined {
                after.status_reason.clone_from(&change.reason);
            }
        }
        ReferralStatus::Scheduled => {
            after.appointment_at = change.appointment_at;
            stamps.scheduled_at = Some(now);
        }
        ReferralStatus::Completed => {
            after.outcome.clone_from(&change.outcome);
            stamps.completed_at = Some(now);
        }
        ReferralStatus::Closed => {
            after.satisfaction.clone_from(&change.satisfaction);
            stamps.closed_at = Some(now);
        }
        ReferralStatus::Cancelled => after.status_reason.clone_from(&change.reason),
        ReferralStatus::NoShow | ReferralStatus::Draft => {}
    }
    store::save(conn, auth, &after, &stamps, now)?;
    let event = StatusEvent {
        from: Some(before.status),
        to,
        reason: change.reason.clone().or(change.override_reason.clone()),
        at: now,
        party: side,
        by: by(auth),
    };
    let step = store::add_history(conn, auth, id, &event)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralStatus)
            .on(id)
            .patient(after.patient_id)
            .details(json!({
                "from": before.status,
                "to": to,
                "party": side,
                "satisfaction": after.satisfaction.as_ref().map(|s| s.rating),
            })),
    )?;
    rules::referral_moved(conn, auth, &after, Some(before.status), step, now)?;
    if to == ReferralStatus::NoShow {
        re_refer(conn, auth, &after, now)?;
    }
    if !to.is_open() && after.barriers.iter().any(Barrier::is_open) {
        risk::recompute(conn, auth, after.patient_id, "referral closed", now)?;
    }
    current(conn, auth, id, now)
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Sending: the criteria are checked again; unmet ones need an override
/// reason, which is kept and audited.
fn send(
    conn: &mut PgConnection,
    auth: &Authorized,
    r: &mut Referral,
    change: &ReferralStatusChange,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let check = necessity::check(conn, auth, r.patient_id, r.service, now)?;
    let unmet = check.as_ref().is_some_and(|e| !e.met);
    if unmet {
        let Some(reason) = change.override_reason.clone() else {
            return Err(ApiError::field(
                "override_reason",
                "is required to send a referral that does not meet the service's medical-necessity criteria",
            ));
        };
        audit::log(
            conn,
            auth,
            Entry::new(AuditAction::ReferralNecessityOverride)
                .on(r.id)
                .patient(r.patient_id)
                .details(json!({"reason": reason, "evaluation": check})),
        )?;
        r.necessity_override_reason = Some(reason);
    }
    r.medical_necessity = check;
    r.sent_at = Some(now);
    Ok(())
}

/// After a no-show: a new draft to the same provider and service, linked
/// to the old one, for the care team to review and send.
fn re_refer(
    conn: &mut PgConnection,
    auth: &Authorized,
    old: &Referral,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let new = NewReferral {
        patient_id: old.patient_id,
        provider_id: old.provider_id,
        service: old.service,
        priority: old.priority,
        reason: old.reason.clone(),
        need_id: old.need_id,
        intervention_id: old.intervention_id,
        due_date: None,
    };
    let medical_necessity = necessity::check(conn, auth, old.patient_id, old.service, now)?;
    let mut again = draft(
        Uuid::now_v7(),
        new,
        medical_necessity,
        auth.today(now),
        None,
        now,
    );
    again.re_referral_of = Some(old.id);
    store::insert(conn, auth, &again)?;
    let event = StatusEvent {
        reason: Some("Re-referral after a no-show".into()),
        ..created_event(auth, now)
    };
    store::add_history(conn, auth, again.id, &event)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralCreate)
            .on(again.id)
            .patient(again.patient_id)
            .details(json!({"re_referral_of": old.id})),
    )?;
    Ok(())
}

/// A referral's barriers, open first.
pub fn barriers(
    conn: &mut PgConnection,
    auth: &Authorized,
    referral: Uuid,
    paging: &Paging<(bool, DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Barrier>> {
    let r = store::get(conn, auth, referral)?;
    let rows = store::barriers(conn, auth, referral, paging)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::ReferralRead)
            .on(referral)
            .patient(r.patient_id)
            .details(json!({"barriers": true})),
    )?;
    Ok(paging.page(rows, |b| (!b.is_open(), b.created_at, b.id)))
}

/// Records a barrier on an open referral; it counts in the patient's risk.
pub fn add_barrier(
    conn: &mut PgConnection,
    auth: &Authorized,
    referral: Uuid,
    new: Valid<NewBarrier>,
    now: DateTime<Utc>,
) -> ApiResult<Barrier> {
    let r = store::get(conn, auth, referral)?;
    if !r.status.is_open() {
        return Err(ApiError::Conflict(format!(
            "The referral is {}; record barriers on an open one.",
            r.status.label().to_lowercase()
        )));
    }
    let new = new.into_inner();
    let b = Barrier {
        id: Uuid::now_v7(),
        referral_id: referral,
        patient_id: r.patient_id,
        kind: new.kind,
        description: new.description,
        resolution: None,
        resolved_by: None,
        resolved_at: None,
        created_by: auth.user_id(),
        created_at: now,
        version: 1,
    };
    store::insert_barrier(conn, auth, &b)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::BarrierCreate)
            .on(b.id)
            .patient(r.patient_id)
            .details(json!({"referral_id": referral, "kind": b.kind})),
    )?;
    risk::recompute(conn, auth, r.patient_id, "referral barrier recorded", now)?;
    store::barrier(conn, auth, b.id)
}

/// Describes, resolves or reopens a barrier; the patient's risk follows.
pub fn change_barrier(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<BarrierPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Barrier> {
    let before = store::lock_barrier(conn, auth, id, expected)?;
    let patch = patch.into_inner();
    let mut after = before.clone();
    after.description = patch.description.apply(after.description);
    if patch.resolution.is_present() {
        if let Some(text) = patch.resolution.value() {
            after.resolution = Some(text.clone());
            after.resolved_by = auth.user_id();
            after.resolved_at = before.resolved_at.or(Some(now));
        } else {
            after.resolution = None;
            after.resolved_by = None;
            after.resolved_at = None;
        }
    }
    let saved = store::save_barrier(conn, auth, &after)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::BarrierUpdate)
            .on(id)
            .patient(saved.patient_id)
            .details(json!({
                "referral_id": saved.referral_id,
                "resolved_before": !before.is_open(),
                "resolved_after": !saved.is_open(),
            })),
    )?;
    if before.is_open() != saved.is_open() {
        let cause = if saved.is_open() {
            "referral barrier reopened"
        } else {
            "referral barrier resolved"
        };
        risk::recompute(conn, auth, saved.patient_id, cause, now)?;
    }
    Ok(saved)
}
