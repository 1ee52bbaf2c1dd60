//! The webhook use cases: subscriptions (admins), their deliveries and
//! replays, and the events themselves — written to the outbox by the rules
//! and the scheduler in the transaction of what caused them.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::{Value, json};
use shared::audit::AuditAction;
use shared::encounters::Encounter;
use shared::ids::{PatientId, TaskId};
use shared::pagination::Page;
use shared::referral::{Referral, ReferralStatus};
use shared::risk::{RiskChange, RiskLevel};
use shared::screening::Screening;
use shared::validation::Valid;
use shared::webhooks::{
    CreatedWebhook, Delivery, DeliveryQuery, EventType, NewWebhook, SECRET_PREFIX, Webhook,
    WebhookPatch,
};
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::webhooks::store::{self, NewEvent, ReplayRefusal};

/// The organization's subscriptions, newest first.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Webhook>> {
    let rows = store::list(conn, auth, paging)?;
    Ok(paging.page(rows, |w| (w.created_at, w.id)))
}

/// One subscription.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Webhook> {
    store::get(conn, auth, id)
}

/// A new signing secret (`whsec_` and 32 random bytes) and its prefix.
fn new_secret() -> (String, String) {
    let secret = format!("{SECRET_PREFIX}{}", crate::auth::tokens::random_token(32));
    let prefix = secret[..SECRET_PREFIX.len() + 6].to_owned();
    (secret, prefix)
}

/// Creates a subscription (its target already checked); the answer carries
/// the secret, this once.
pub fn create(
    conn: &mut PgConnection,
    auth: &Authorized,
    (): (),
    new: Valid<NewWebhook>,
    now: DateTime<Utc>,
) -> ApiResult<CreatedWebhook> {
    let (secret, prefix) = new_secret();
    let webhook = store::insert(
        conn,
        auth,
        &store::NewRow {
            url: &new.url,
            events: &new.events,
            description: new.description.as_deref(),
            active: new.active,
            include_clinical_detail: new.include_clinical_detail,
            secret: &secret,
            secret_prefix: &prefix,
        },
        now,
    )?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::WebhookCreate)
            .on(webhook.id)
            .details(json!({
                "url": webhook.url,
                "events": webhook.events,
                "active": webhook.active,
                "include_clinical_detail": webhook.include_clinical_detail,
            })),
    )?;
    Ok(CreatedWebhook { webhook, secret })
}

/// Changes a subscription (its new target already checked) at the version
/// the caller read.
pub fn change(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
    patch: Valid<WebhookPatch>,
    now: DateTime<Utc>,
) -> ApiResult<Webhook> {
    let patch = patch.into_inner();
    let mut w = store::lock(conn, auth, id, expected)?;
    let mut changed = Vec::new();
    if let Some(url) = patch.url {
        changed.push("url");
        w.url = url;
    }
    if let Some(events) = patch.events {
        changed.push("events");
        w.events = events;
    }
    if patch.description.is_present() {
        changed.push("description");
        w.description = patch.description.apply(w.description);
    }
    if let Some(active) = patch.active {
        changed.push("active");
        w.active = active;
    }
    if let Some(clinical) = patch.include_clinical_detail {
        changed.push("include_clinical_detail");
        w.include_clinical_detail = clinical;
    }
    let saved = store::save(conn, auth, &w, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::WebhookUpdate)
            .on(saved.id)
            .details(json!({
                "changed": changed,
                "active": saved.active,
                "include_clinical_detail": saved.include_clinical_detail,
            })),
    )?;
    Ok(saved)
}

/// Deletes a subscription: nothing more is sent to it.
pub fn delete(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    store::delete(conn, auth, id, now)?;
    audit::log(conn, auth, Entry::new(AuditAction::WebhookDelete).on(id))?;
    Ok(())
}

/// A subscription's deliveries, newest first, with their latest attempts.
pub fn deliveries(
    conn: &mut PgConnection,
    auth: &Authorized,
    (webhook, query): (Uuid, DeliveryQuery),
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Page<Delivery>> {
    store::ensure(conn, auth, webhook)?;
    let rows = store::deliveries(conn, auth, webhook, &query, paging)?;
    Ok(paging.page(rows, |d| (d.created_at, d.id)))
}

/// Queues one more attempt of a delivery, at once (whatever its status;
/// a dead letter that fails again stays dead).
pub fn replay(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Delivery> {
    match store::request_replay(conn, auth, id, auth.user_id(), now)? {
        Ok(()) => {}
        Err(ReplayRefusal::Busy) => {
            return Err(ApiError::Conflict(
                "An attempt to deliver it is under way; replay it once that ends.".into(),
            ));
        }
        Err(ReplayRefusal::Inactive) => {
            return Err(ApiError::Conflict(
                "The webhook is switched off; turn it on to replay its deliveries.".into(),
            ));
        }
    }
    let delivery = store::find_delivery(conn, auth, id)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::WebhookDeliveryReplay)
            .on(id)
            .details(json!({
                "webhook_id": delivery.webhook_id,
                "event_id": delivery.event_id,
                "event_type": delivery.event_type,
            })),
    )?;
    Ok(delivery)
}

/// An event to offer the subscriptions that want it.
struct Event {
    kind: EventType,
    subject_id: Uuid,
    occurred_at: DateTime<Utc>,
    data: Value,
    detail: Value,
    /// Only subscriptions created by this time (a task that went overdue
    /// before anyone subscribed is not news).
    subscribed_by: Option<DateTime<Utc>>,
}

/// Writes `event` to the outbox with a delivery for each active
/// subscription that wants it (nothing when none does). Call inside the
/// transaction that records what happened.
fn emit(
    conn: &mut PgConnection,
    auth: &Authorized,
    event: Event,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let subscribers = store::subscribers(conn, auth, event.kind, event.subscribed_by)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let clinical = subscribers.iter().any(|(_, clinical)| *clinical);
    let to: Vec<Uuid> = subscribers.into_iter().map(|(id, _)| id).collect();
    store::enqueue(
        conn,
        auth,
        NewEvent {
            event_type: event.kind,
            subject_id: event.subject_id,
            occurred_at: event.occurred_at,
            data: event.data,
            detail: clinical.then_some(event.detail),
        },
        &to,
        now,
    )?;
    Ok(())
}

/// A patient was discharged: `encounter.discharged` with the encounter and
/// patient ids and the discharge time; clinical detail adds the kind of
/// stay, the facility, the admission time and the disposition.
pub fn encounter_discharged(
    conn: &mut PgConnection,
    auth: &Authorized,
    e: &Encounter,
    discharged_at: DateTime<Utc>,
    followup_task_id: Option<TaskId>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    emit(
        conn,
        auth,
        Event {
            kind: EventType::EncounterDischarged,
            subject_id: e.id,
            occurred_at: discharged_at,
            data: json!({
                "encounter_id": e.id,
                "patient_id": e.patient_id,
                "discharged_at": discharged_at,
                "followup_task_id": followup_task_id,
            }),
            detail: json!({
                "encounter_kind": e.kind,
                "facility": e.facility,
                "admitted_at": e.admitted_at,
                "discharge_disposition": e.discharge_disposition,
            }),
            subscribed_by: None,
        },
        now,
    )
}

/// A referral moved from `from` to its status: `referral.status_changed`
/// with the referral, patient and provider ids and both statuses; clinical
/// detail adds the service, priority, reason and outcome.
pub fn referral_status_changed(
    conn: &mut PgConnection,
    auth: &Authorized,
    r: &Referral,
    from: Option<ReferralStatus>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    emit(
        conn,
        auth,
        Event {
            kind: EventType::ReferralStatusChanged,
            subject_id: r.id,
            occurred_at: now,
            data: json!({
                "referral_id": r.id,
                "patient_id": r.patient_id,
                "provider_id": r.provider_id,
                "from_status": from,
                "status": r.status,
            }),
            detail: json!({
                "service": r.service,
                "priority": r.priority,
                "reason": r.reason,
                "appointment_at": r.appointment_at,
                "outcome": r.outcome,
            }),
            subscribed_by: None,
        },
        now,
    )
}

/// A screening raised a suicide-risk flag: `screening.safety_flag` with the
/// screening and patient ids, when it was given and the safety follow-up
/// task; clinical detail adds the instrument, total, severity and the
/// reason quoting the answers.
pub fn screening_safety_flag(
    conn: &mut PgConnection,
    auth: &Authorized,
    s: &Screening,
    followup_task_id: Option<TaskId>,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    emit(
        conn,
        auth,
        Event {
            kind: EventType::ScreeningSafetyFlag,
            subject_id: s.id,
            occurred_at: s.administered_at,
            data: json!({
                "screening_id": s.id,
                "patient_id": s.patient_id,
                "flag": "suicide_risk",
                "administered_at": s.administered_at,
                "followup_task_id": followup_task_id,
            }),
            detail: json!({
                "instrument": s.instrument,
                "total": s.result.total,
                "severity": s.result.severity,
                "reason": reason,
            }),
            subscribed_by: None,
        },
        now,
    )
}

/// A patient's risk level rose: `risk.increased` with the patient id and
/// the risk change's id; clinical detail adds both levels, the points and
/// the factors.
pub fn risk_increased(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    change_id: Uuid,
    from: RiskLevel,
    change: &RiskChange,
) -> ApiResult<()> {
    emit(
        conn,
        auth,
        Event {
            kind: EventType::RiskIncreased,
            subject_id: change_id,
            occurred_at: change.at,
            data: json!({
                "patient_id": patient,
                "risk_change_id": change_id,
            }),
            detail: json!({
                "from_level": from,
                "level": change.level,
                "computed_level": change.computed_level,
                "points": change.points,
                "factors": change.factors.iter().map(|f| f.code).collect::<Vec<_>>(),
                "cause": change.cause,
            }),
            subscribed_by: None,
        },
        change.at,
    )
}

/// The most `task.overdue` events one scheduler pass writes per
/// organization; the rest follow on the next pass.
const OVERDUE_PER_PASS: i64 = 500;

/// Open tasks that went overdue since someone subscribed to `task.overdue`
/// become events, once per task: the task, patient and assignee ids, the
/// kind and the due time; clinical detail adds the title. Answers how many.
pub fn tasks_overdue(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let tasks = store::newly_overdue_tasks(conn, auth, now, OVERDUE_PER_PASS)?;
    let n = tasks.len();
    for t in tasks {
        emit(
            conn,
            auth,
            Event {
                kind: EventType::TaskOverdue,
                subject_id: t.id,
                occurred_at: t.due_at,
                data: json!({
                    "task_id": t.id,
                    "patient_id": t.patient(),
                    "assignee_id": t.assignee_id,
                    "kind": t.kind()?,
                    "due_at": t.due_at,
                }),
                detail: json!({"title": t.title}),
                subscribed_by: Some(t.due_at),
            },
            now,
        )?;
    }
    Ok(n)
}
