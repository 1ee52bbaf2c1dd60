//! Writing and querying audit events.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Jsonb, Nullable, Text, Uuid as SqlUuid};
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

/// Events to append, column by column: `INSERT INTO audit_events (…)
/// SELECT * FROM unnest($1, …, $11)`, one array per column.
///
/// Every request appends at least one event, so this is the statement sent
/// most. Its text is the same for one event or a thousand, so each
/// connection prepares and plans it once. Diesel's own multi-row `INSERT`
/// writes a different statement for every row count and never caches it,
/// and its one-row `INSERT` writes `DEFAULT` for an absent value, which it
/// does not cache either: both were parsed and planned on every request.
#[derive(Default)]
struct NewEvents<'a> {
    organization_id: Vec<Option<Uuid>>,
    actor_type: Vec<&'a str>,
    actor_id: Vec<Option<Uuid>>,
    actor_label: Vec<Option<&'a str>>,
    action: Vec<&'a str>,
    patient_id: Vec<Option<Uuid>>,
    resource_type: Vec<&'a str>,
    resource_id: Vec<Option<&'a str>>,
    request_id: Vec<Option<&'a str>>,
    client_addr: Vec<Option<&'a str>>,
    details: Vec<&'a Value>,
}

impl<'a> NewEvents<'a> {
    fn push(&mut self, actor: &'a Actor, entry: &'a Entry) {
        self.organization_id
            .push(actor.org.map(OrganizationId::get));
        self.actor_type.push(actor.actor_type.as_ref());
        self.actor_id.push(actor.actor_id);
        self.actor_label.push(actor.label.as_deref());
        self.action.push(entry.action.as_ref());
        self.patient_id.push(entry.patient_id.map(PatientId::get));
        self.resource_type.push(entry.action.resource_type());
        self.resource_id.push(entry.resource_id.as_deref());
        self.request_id.push(actor.request_id.as_deref());
        self.client_addr.push(actor.client_addr.as_deref());
        self.details.push(&entry.details);
    }

    fn is_empty(&self) -> bool {
        self.action.is_empty()
    }
}

/// The statement's identity for diesel's cache: its text never changes.
struct NewEventsId;

impl QueryId for NewEvents<'_> {
    type QueryId = NewEventsId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for NewEvents<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use audit_events::{
            action, actor_id, actor_label, actor_type, client_addr, details, organization_id,
            patient_id, request_id, resource_id, resource_type, table,
        };
        out.push_sql("INSERT INTO ");
        table.walk_ast(out.reborrow())?;
        out.push_sql(" (");
        let columns = [
            organization_id::NAME,
            actor_type::NAME,
            actor_id::NAME,
            actor_label::NAME,
            action::NAME,
            patient_id::NAME,
            resource_type::NAME,
            resource_id::NAME,
            request_id::NAME,
            client_addr::NAME,
            details::NAME,
        ];
        for (n, name) in columns.into_iter().enumerate() {
            if n > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(name)?;
        }
        out.push_sql(") SELECT * FROM unnest(");
        out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.organization_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.actor_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.actor_label)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.action)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<SqlUuid>>, _>(&self.patient_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.resource_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.resource_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.request_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.client_addr)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Jsonb>, _>(&self.details)?;
        out.push_sql(")");
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for NewEvents<'_> {}

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
            held.hold(auth.actor(), entry);
            Ok(())
        }
        None => record(conn, auth.actor(), entry),
    }
}

/// Appends one event.
pub fn record(conn: &mut PgConnection, actor: &Actor, entry: Entry) -> QueryResult<()> {
    record_all(conn, [(actor, &entry)])
}

/// Appends many events in one statement (the group-commit writer's batch).
pub fn record_all<'a>(
    conn: &mut PgConnection,
    events: impl IntoIterator<Item = (&'a Actor, &'a Entry)>,
) -> QueryResult<()> {
    let mut rows = NewEvents::default();
    for (actor, entry) in events {
        rows.push(actor, entry);
    }
    if rows.is_empty() {
        return Ok(());
    }
    rows.execute(conn).map(drop)
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
