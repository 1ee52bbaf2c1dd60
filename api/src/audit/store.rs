//! Writing and querying audit events.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use serde_json::{Value, json};
use shared::audit::{ActorType, AuditAction, AuditEvent};
use shared::ids::{OrganizationId, PatientId, UserId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::audit_events;
use crate::store::of_org;

/// Who is acting, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The actor's organization; none for a sign-in attempt with an email
    /// no one has.
    pub org: Option<OrganizationId>,
    /// Person, key or system.
    pub actor_type: ActorType,
    /// The user or key id.
    pub actor_id: Option<Uuid>,
    /// The user's email or the key's name.
    pub label: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
}

/// What is being recorded.
#[derive(Debug, Clone)]
pub struct Entry {
    action: AuditAction,
    resource_id: Option<String>,
    patient_id: Option<PatientId>,
    details: Value,
}

impl Entry {
    /// An action (`patient.read`); the kind of record follows from it.
    pub fn new(action: AuditAction) -> Entry {
        Entry {
            action,
            resource_id: None,
            patient_id: None,
            details: json!({}),
        }
    }

    /// The record acted on.
    #[must_use]
    pub fn on(mut self, id: impl ToString) -> Entry {
        self.resource_id = Some(id.to_string());
        self
    }

    /// The patient whose data this touches.
    #[must_use]
    pub fn patient(mut self, id: PatientId) -> Entry {
        self.patient_id = Some(id);
        self
    }

    /// Further facts.
    #[must_use]
    pub fn details(mut self, details: Value) -> Entry {
        self.details = details;
        self
    }

    /// The patients a list showed (kept in `details.patient_ids`, which is indexed).
    #[must_use]
    pub fn listed(mut self, ids: impl IntoIterator<Item = PatientId>) -> Entry {
        let mut ids: Vec<PatientId> = ids.into_iter().collect();
        ids.sort();
        ids.dedup();
        if let Value::Object(map) = &mut self.details {
            map.insert("patient_ids".into(), json!(ids));
        }
        self
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewEvent<'a> {
    organization_id: Option<Uuid>,
    actor_type: &'a str,
    actor_id: Option<Uuid>,
    actor_label: Option<&'a str>,
    action: &'a str,
    patient_id: Option<Uuid>,
    resource_type: &'a str,
    resource_id: Option<&'a str>,
    request_id: Option<&'a str>,
    client_addr: Option<&'a str>,
    details: &'a Value,
}

/// Records that the caller did `action` on record `id` of `patient`: what
/// most reads and writes of patient data leave in the trail.
pub fn on_record(
    conn: &mut PgConnection,
    auth: &Authorized,
    action: AuditAction,
    id: impl ToString,
    patient: PatientId,
) -> QueryResult<()> {
    log(conn, auth, Entry::new(action).on(id).patient(patient))
}

/// Records that the caller did `action` on a patient's records as a whole
/// (read one of their lists).
pub fn on_patient(
    conn: &mut PgConnection,
    auth: &Authorized,
    action: AuditAction,
    patient: PatientId,
) -> QueryResult<()> {
    log(conn, auth, Entry::new(action).patient(patient))
}

/// Records what the caller did: at once on `conn` (so inside a change's
/// transaction), or, when the caller is a read whose answer waits for the
/// group-committed audit writer (`http::flow::read` and `list`), held for
/// that writer. Either way the event is durable before the answer leaves.
pub fn log(conn: &mut PgConnection, auth: &Authorized, entry: Entry) -> QueryResult<()> {
    match auth.held_audit() {
        Some(held) => {
            held.hold(entry);
            Ok(())
        }
        None => record(conn, auth.actor(), entry),
    }
}

fn new_event<'a>(actor: &'a Actor, entry: &'a Entry) -> NewEvent<'a> {
    NewEvent {
        organization_id: actor.org.map(OrganizationId::get),
        actor_type: actor.actor_type.as_ref(),
        actor_id: actor.actor_id,
        actor_label: actor.label.as_deref(),
        action: entry.action.as_ref(),
        patient_id: entry.patient_id.map(PatientId::get),
        resource_type: entry.action.resource_type(),
        resource_id: entry.resource_id.as_deref(),
        request_id: actor.request_id.as_deref(),
        client_addr: actor.client_addr.as_deref(),
        details: &entry.details,
    }
}

/// Appends one event.
pub fn record(conn: &mut PgConnection, actor: &Actor, entry: Entry) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(new_event(actor, &entry))
        .execute(conn)
        .map(drop)
}

/// Appends many events in one statement (the group-commit writer's batch).
pub fn record_all<'a>(
    conn: &mut PgConnection,
    events: impl IntoIterator<Item = (&'a Actor, &'a Entry)>,
) -> QueryResult<()> {
    let rows: Vec<NewEvent<'a>> = events
        .into_iter()
        .map(|(actor, entry)| new_event(actor, entry))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(audit_events::table)
        .values(rows)
        .execute(conn)
        .map(drop)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events)]
struct EventRow {
    id: i64,
    occurred_at: DateTime<Utc>,
    actor_type: String,
    actor_id: Option<Uuid>,
    actor_label: Option<String>,
    action: String,
    patient_id: Option<Uuid>,
    resource_type: String,
    resource_id: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
    details: Value,
}

impl TryFrom<EventRow> for AuditEvent {
    type Error = ApiError;

    fn try_from(r: EventRow) -> ApiResult<AuditEvent> {
        Ok(AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_type: crate::store::code(&r.actor_type)?,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: crate::store::code(&r.action)?,
            patient_id: r.patient_id.map(PatientId::from),
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            request_id: r.request_id,
            client_addr: r.client_addr,
            details: r.details,
        })
    }
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Events touching this patient, directly or in a list.
    pub patient_id: Option<PatientId>,
    /// Events by this user.
    pub user_id: Option<UserId>,
    /// Events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only this action.
    pub action: Option<AuditAction>,
}

/// Events of the caller's organization, newest first, older than the
/// paging key (an event id).
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<i64>,
) -> ApiResult<Vec<AuditEvent>> {
    let mut q = of_org!(audit_events, auth).into_boxed();
    if let Some(pid) = filter.patient_id.map(PatientId::get) {
        q = q.filter(
            audit_events::patient_id.eq(pid).or(audit_events::details
                .retrieve_as_object("patient_ids")
                .contains(json!([pid]))),
        );
    }
    if let Some(uid) = filter.user_id {
        q = q
            .filter(audit_events::actor_id.eq(uid.get()))
            .filter(audit_events::actor_type.eq(ActorType::User.as_ref()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_events::occurred_at.ge(since));
    }
    if let Some(action) = filter.action {
        q = q.filter(audit_events::action.eq(action.as_ref().to_owned()));
    }
    if let Some(before) = paging.after {
        q = q.filter(audit_events::id.lt(before));
    }
    q.order(audit_events::id.desc())
        .limit(paging.fetch())
        .select(EventRow::as_select())
        .load::<EventRow>(conn)?
        .into_iter()
        .map(AuditEvent::try_from)
        .collect()
}
