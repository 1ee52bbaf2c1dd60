//! Webhook subscriptions, the event outbox, deliveries and their attempts
//! in the database. Every query an admin's request makes is limited to the
//! caller's organization; the delivery worker's claim spans organizations
//! (it is the system's own work).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Int4, Int8, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use shared::ids::{PatientId, UserId};
use shared::tasks::TaskKind;
use shared::webhooks::{
    ATTEMPTS_LISTED, Delivery, DeliveryAttempt, DeliveryQuery, DeliveryStatus, EventType, Webhook,
};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_events, webhook_subscriptions};
use crate::store::{self, code, of_org, one_of_org, org_join};

const NOUN: &str = "webhook";
const DELIVERY: &str = "webhook delivery";

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
struct Row {
    id: Uuid,
    url: String,
    events: Vec<Option<String>>,
    description: Option<String>,
    active: bool,
    include_clinical_detail: bool,
    secret_prefix: String,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl TryFrom<Row> for Webhook {
    type Error = ApiError;

    fn try_from(r: Row) -> ApiResult<Webhook> {
        Ok(Webhook {
            id: r.id,
            url: r.url,
            events: r
                .events
                .into_iter()
                .flatten()
                .map(|e| code::<EventType>(&e))
                .collect::<ApiResult<_>>()?,
            description: r.description,
            active: r.active,
            include_clinical_detail: r.include_clinical_detail,
            secret_prefix: r.secret_prefix,
            created_by: r.created_by.map(UserId::from),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}

fn codes(events: &[EventType]) -> Vec<String> {
    events.iter().map(|e| e.as_ref().to_owned()).collect()
}

/// The organization's subscriptions (not deleted), newest first, after the
/// `(created_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Webhook>> {
    let mut q = of_org!(webhook_subscriptions, auth)
        .filter(webhook_subscriptions::deleted_at.is_null())
        .into_boxed();
    if let Some((at, id)) = paging.after {
        q = q.filter(
            webhook_subscriptions::created_at
                .lt(at)
                .or(webhook_subscriptions::created_at
                    .eq(at)
                    .and(webhook_subscriptions::id.lt(id))),
        );
    }
    q.order((
        webhook_subscriptions::created_at.desc(),
        webhook_subscriptions::id.desc(),
    ))
    .limit(paging.fetch())
    .select(Row::as_select())
    .load(conn)?
    .into_iter()
    .map(Webhook::try_from)
    .collect()
}

/// Subscription `id` (not deleted).
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Webhook> {
    let row = one_of_org!(webhook_subscriptions, auth, id)
        .filter(webhook_subscriptions::deleted_at.is_null())
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    store::one(row, NOUN)
}

/// A new subscription's settings and secret.
pub struct NewRow<'a> {
    /// Target URL.
    pub url: &'a str,
    /// Events.
    pub events: &'a [EventType],
    /// Description.
    pub description: Option<&'a str>,
    /// Sending on.
    pub active: bool,
    /// Clinical detail allowed.
    pub include_clinical_detail: bool,
    /// The signing secret.
    pub secret: &'a str,
    /// Its first characters.
    pub secret_prefix: &'a str,
}

/// Stores a new subscription and returns it as listed.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    new: &NewRow<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Webhook> {
    use webhook_subscriptions as s;
    let row = diesel::insert_into(s::table)
        .values((
            s::id.eq(Uuid::now_v7()),
            s::organization_id.eq(auth.org().get()),
            s::url.eq(new.url),
            s::events.eq(codes(new.events)),
            s::description.eq(new.description),
            s::active.eq(new.active),
            s::include_clinical_detail.eq(new.include_clinical_detail),
            s::secret.eq(new.secret),
            s::secret_prefix.eq(new.secret_prefix),
            s::created_by.eq(auth.user_id().map(UserId::get)),
            s::created_at.eq(now),
            s::updated_at.eq(now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)?;
    Webhook::try_from(row)
}

/// Subscription `id` (not deleted), locked for a change at the version the
/// caller read: 404 or 412 otherwise.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Webhook> {
    let row = one_of_org!(webhook_subscriptions, auth, id)
        .filter(webhook_subscriptions::deleted_at.is_null())
        .for_update()
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    store::locked(row, NOUN, expected)
}

/// Saves a changed subscription (its version goes up by one).
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Webhook,
    now: DateTime<Utc>,
) -> ApiResult<Webhook> {
    use webhook_subscriptions as s;
    let row = diesel::update(one_of_org!(webhook_subscriptions, auth, w.id))
        .set((
            s::url.eq(&w.url),
            s::events.eq(codes(&w.events)),
            s::description.eq(&w.description),
            s::active.eq(w.active),
            s::include_clinical_detail.eq(w.include_clinical_detail),
            s::version.eq(s::version + 1),
            s::updated_at.eq(now),
        ))
        .returning(Row::as_returning())
        .get_result(conn)?;
    Webhook::try_from(row)
}

/// Deletes subscription `id`: it stops, leaves the list and answers 404
/// from now on; its deliveries and their log stay in the database.
pub fn delete(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    use webhook_subscriptions as s;
    let n = diesel::update(
        one_of_org!(webhook_subscriptions, auth, id).filter(s::deleted_at.is_null()),
    )
    .set((
        s::deleted_at.eq(now),
        s::active.eq(false),
        s::version.eq(s::version + 1),
        s::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::not_found(NOUN));
    }
    Ok(())
}

/// A 404 unless subscription `id` exists in the organization (not deleted).
pub fn ensure(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<()> {
    let found = diesel::select(diesel::dsl::exists(
        one_of_org!(webhook_subscriptions, auth, id)
            .filter(webhook_subscriptions::deleted_at.is_null()),
    ))
    .get_result::<bool>(conn)?;
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(NOUN))
    }
}

/// The active subscriptions that want `event` — those created by
/// `subscribed_by` when given — and whether each allows clinical detail.
pub fn subscribers(
    conn: &mut PgConnection,
    auth: &Authorized,
    event: EventType,
    subscribed_by: Option<DateTime<Utc>>,
) -> ApiResult<Vec<(Uuid, bool)>> {
    use webhook_subscriptions as s;
    let mut q = of_org!(webhook_subscriptions, auth)
        .filter(s::active.eq(true))
        .filter(s::deleted_at.is_null())
        .filter(s::events.contains(vec![event.as_ref().to_owned()]))
        .into_boxed();
    if let Some(at) = subscribed_by {
        q = q.filter(s::created_at.le(at));
    }
    Ok(q.select((s::id, s::include_clinical_detail)).load(conn)?)
}

/// An event for the outbox.
pub struct NewEvent {
    /// Its type.
    pub event_type: EventType,
    /// The record it is about (encounter, task, screening, referral, risk change).
    pub subject_id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Ids and event facts.
    pub data: serde_json::Value,
    /// Clinical detail, kept only when a subscriber may receive it.
    pub detail: Option<serde_json::Value>,
}

/// Writes `event` to the outbox with one pending delivery, due at once,
/// per subscription in `to`; answers the event's id. (`now` is the rules'
/// clock, which a scheduler pass may set ahead; deliveries are due by the
/// wall clock.)
pub fn enqueue(
    conn: &mut PgConnection,
    auth: &Authorized,
    event: NewEvent,
    to: &[Uuid],
    now: DateTime<Utc>,
) -> ApiResult<Uuid> {
    use webhook_deliveries as d;
    use webhook_events as e;
    let org = auth.org().get();
    let id = Uuid::now_v7();
    {
        diesel::insert_into(e::table)
            .values((
                e::id.eq(id),
                e::organization_id.eq(org),
                e::type_.eq(event.event_type.as_ref()),
                e::subject_id.eq(event.subject_id),
                e::occurred_at.eq(event.occurred_at),
                e::data.eq(event.data),
                e::detail.eq(event.detail),
                e::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    let due = Utc::now().min(now);
    let rows: Vec<_> = to
        .iter()
        .map(|sub| {
            (
                d::id.eq(Uuid::now_v7()),
                d::organization_id.eq(org),
                d::subscription_id.eq(*sub),
                d::event_id.eq(id),
                d::status.eq(DeliveryStatus::Pending.as_ref()),
                d::next_attempt_at.eq(due),
                d::created_at.eq(now),
                d::updated_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(d::table).values(rows).execute(conn)?;
    Ok(id)
}

/// An open task past its due time, not yet sent as `task.overdue`.
#[derive(QueryableByName)]
pub struct OverdueTask {
    /// Task id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Its patient.
    #[diesel(sql_type = SqlUuid)]
    pub patient_id: Uuid,
    /// Its assignee.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub assignee_id: Option<Uuid>,
    /// Its kind (a code).
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Its title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// When it was due.
    #[diesel(sql_type = Timestamptz)]
    pub due_at: DateTime<Utc>,
}

impl OverdueTask {
    /// Its kind.
    pub fn kind(&self) -> ApiResult<TaskKind> {
        code(&self.kind)
    }

    /// Its patient.
    pub fn patient(&self) -> PatientId {
        PatientId::from(self.patient_id)
    }
}

/// Open tasks that went overdue by `now` while a subscription to
/// `task.overdue` existed and that no `task.overdue` event names yet
/// (oldest first, at most `limit`).
pub fn newly_overdue_tasks(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
    limit: i64,
) -> ApiResult<Vec<OverdueTask>> {
    Ok(diesel::sql_query(
        "SELECT t.id, t.patient_id, t.assignee_id, t.kind, t.title, t.due_at \
         FROM tasks t \
         WHERE t.organization_id = $1 AND t.status IN ('open', 'in_progress') AND t.due_at < $2 \
           AND EXISTS (SELECT 1 FROM webhook_subscriptions s \
                       WHERE s.organization_id = t.organization_id AND s.active \
                         AND s.deleted_at IS NULL AND 'task.overdue' = ANY (s.events) \
                         AND s.created_at <= t.due_at) \
           AND NOT EXISTS (SELECT 1 FROM webhook_events e \
                           WHERE e.organization_id = t.organization_id \
                             AND e.type = 'task.overdue' AND e.subject_id = t.id) \
         ORDER BY t.due_at, t.id LIMIT $3",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Timestamptz, _>(now)
    .bind::<Int8, _>(limit)
    .load(conn)?)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: Uuid,
    subscription_id: Uuid,
    event_id: Uuid,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    claimed_until: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    delivery_id: Uuid,
    number: i32,
    at: DateTime<Utc>,
    duration_ms: i32,
    status_code: Option<i32>,
    error: Option<String>,
    succeeded: bool,
    replayed_by: Option<Uuid>,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(a: AttemptRow) -> DeliveryAttempt {
        DeliveryAttempt {
            number: a.number,
            at: a.at,
            duration_ms: a.duration_ms,
            status_code: a.status_code,
            error: a.error,
            succeeded: a.succeeded,
            replayed_by: a.replayed_by.map(UserId::from),
        }
    }
}

fn delivery(
    d: DeliveryRow,
    event_type: &str,
    occurred_at: DateTime<Utc>,
    log: Vec<DeliveryAttempt>,
) -> ApiResult<Delivery> {
    let status: DeliveryStatus = code(&d.status)?;
    Ok(Delivery {
        id: d.id,
        webhook_id: d.subscription_id,
        event_id: d.event_id,
        event_type: code(event_type)?,
        occurred_at,
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| {
            d.claimed_until
                .map_or(d.next_attempt_at, |c| c.min(d.next_attempt_at))
        }),
        status,
        attempts: d.attempts,
        delivered_at: d.delivered_at,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        created_at: d.created_at,
        log,
    })
}

/// The latest attempts of each delivery in `ids`, newest first.
fn logs(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<DeliveryAttempt>>> {
    let rows: Vec<AttemptRow> = of_org!(webhook_attempts, auth)
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((
            webhook_attempts::delivery_id,
            webhook_attempts::number.desc(),
        ))
        .select(AttemptRow::as_select())
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<DeliveryAttempt>> = HashMap::new();
    for a in rows {
        let log = out.entry(a.delivery_id).or_default();
        if i64::try_from(log.len()).unwrap_or(i64::MAX) < ATTEMPTS_LISTED {
            log.push(a.into());
        }
    }
    Ok(out)
}

/// Subscription `webhook`'s deliveries, newest first, after the
/// `(created_at, id)` paging key, with their latest attempts.
pub fn deliveries(
    conn: &mut PgConnection,
    auth: &Authorized,
    webhook: Uuid,
    query: &DeliveryQuery,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Delivery>> {
    use webhook_deliveries as d;
    let mut q = of_org!(webhook_deliveries, auth)
        .filter(d::subscription_id.eq(webhook))
        .inner_join(org_join!(
            webhook_events,
            d,
            webhook_events::id.eq(d::event_id)
        ))
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(d::status.eq(status.as_ref().to_owned()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            d::created_at
                .lt(at)
                .or(d::created_at.eq(at).and(d::id.lt(id))),
        );
    }
    let rows: Vec<(DeliveryRow, String, DateTime<Utc>)> = q
        .order((d::created_at.desc(), d::id.desc()))
        .limit(paging.fetch())
        .select((
            DeliveryRow::as_select(),
            webhook_events::type_,
            webhook_events::occurred_at,
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|(r, ..)| r.id).collect();
    let mut logs = logs(conn, auth, &ids)?;
    rows.into_iter()
        .map(|(r, t, at)| {
            let log = logs.remove(&r.id).unwrap_or_default();
            delivery(r, &t, at, log)
        })
        .collect()
}

/// Delivery `id` of a subscription that is not deleted, with its latest
/// attempts.
pub fn find_delivery(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Delivery> {
    let row: Option<(DeliveryRow, String, DateTime<Utc>)> = of_org!(webhook_deliveries, auth)
        .filter(webhook_deliveries::id.eq(id))
        .inner_join(org_join!(
            webhook_events,
            webhook_deliveries,
            webhook_events::id.eq(webhook_deliveries::event_id)
        ))
        .inner_join(org_join!(
            webhook_subscriptions,
            webhook_deliveries,
            webhook_subscriptions::id.eq(webhook_deliveries::subscription_id)
        ))
        .filter(webhook_subscriptions::deleted_at.is_null())
        .select((
            DeliveryRow::as_select(),
            webhook_events::type_,
            webhook_events::occurred_at,
        ))
        .first(conn)
        .optional()?;
    let (r, t, at) = row.ok_or_else(|| ApiError::not_found(DELIVERY))?;
    let log = logs(conn, auth, &[r.id])?.remove(&r.id).unwrap_or_default();
    delivery(r, &t, at, log)
}

/// Why a replay cannot be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayRefusal {
    /// An attempt is under way.
    Busy,
    /// The subscription is switched off.
    Inactive,
}

/// Queues delivery `id` for one more attempt at `now`, asked by `by`:
/// 404 when there is no such delivery (or its subscription was deleted).
pub fn request_replay(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> ApiResult<Result<(), ReplayRefusal>> {
    use webhook_deliveries as d;
    let found: Option<(Option<DateTime<Utc>>, bool)> = of_org!(webhook_deliveries, auth)
        .filter(d::id.eq(id))
        .inner_join(org_join!(
            webhook_subscriptions,
            d,
            webhook_subscriptions::id.eq(d::subscription_id)
        ))
        .filter(webhook_subscriptions::deleted_at.is_null())
        .select((d::claimed_until, webhook_subscriptions::active))
        .for_update()
        .first(conn)
        .optional()?;
    let (claimed_until, active) = found.ok_or_else(|| ApiError::not_found(DELIVERY))?;
    if claimed_until.is_some_and(|until| until > now) {
        return Ok(Err(ReplayRefusal::Busy));
    }
    if !active {
        return Ok(Err(ReplayRefusal::Inactive));
    }
    diesel::update(one_of_org!(webhook_deliveries, auth, id))
        .set((
            d::status.eq(DeliveryStatus::Pending.as_ref()),
            d::next_attempt_at.eq(now),
            d::claimed_until.eq(None::<DateTime<Utc>>),
            d::replay_requested_by.eq(by.map(UserId::get)),
            d::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// A delivery a worker claimed, with what sending it takes.
#[derive(QueryableByName, Debug, Clone)]
pub struct Claimed {
    /// Delivery id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Its organization.
    #[diesel(sql_type = SqlUuid)]
    pub organization_id: Uuid,
    /// Attempts made before this one.
    #[diesel(sql_type = Int4)]
    pub attempts: i32,
    /// The admin whose replay asked for this attempt.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub replay_requested_by: Option<Uuid>,
    /// Target URL.
    #[diesel(sql_type = Text)]
    pub url: String,
    /// Signing secret.
    #[diesel(sql_type = Text)]
    pub secret: String,
    /// Whether clinical detail may be sent.
    #[diesel(sql_type = Bool)]
    pub include_clinical_detail: bool,
    /// Event id.
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    /// Event type (a code).
    #[diesel(sql_type = Text)]
    pub event_type: String,
    /// When it happened.
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    /// Ids and facts.
    #[diesel(sql_type = Jsonb)]
    pub data: serde_json::Value,
    /// Clinical detail.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub detail: Option<serde_json::Value>,
}

/// Claims up to `limit` deliveries due at `now` (of active subscriptions,
/// not held by another attempt) until `until`: rows another process is
/// claiming at the same moment are skipped, not waited for, so each
/// attempt is made by one process.
pub fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> ApiResult<Vec<Claimed>> {
    Ok(diesel::sql_query(
        "WITH due AS ( \
             SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_subscriptions s \
               ON s.organization_id = d.organization_id AND s.id = d.subscription_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
               AND (d.claimed_until IS NULL OR d.claimed_until < $1) \
               AND s.active AND s.deleted_at IS NULL \
             ORDER BY d.next_attempt_at, d.id \
             LIMIT $3 \
             FOR UPDATE OF d SKIP LOCKED), \
         claimed AS ( \
             UPDATE webhook_deliveries d SET claimed_until = $2 \
             FROM due WHERE d.id = due.id \
             RETURNING d.id, d.organization_id, d.attempts, d.replay_requested_by, \
                       d.subscription_id, d.event_id) \
         SELECT c.id, c.organization_id, c.attempts, c.replay_requested_by, s.url, s.secret, \
                s.include_clinical_detail, e.id AS event_id, e.type AS event_type, \
                e.occurred_at, e.data, e.detail \
         FROM claimed c \
         JOIN webhook_subscriptions s \
           ON s.organization_id = c.organization_id AND s.id = c.subscription_id \
         JOIN webhook_events e ON e.organization_id = c.organization_id AND e.id = c.event_id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(until)
    .bind::<Int8, _>(limit)
    .load(conn)?)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempted {
    /// When it started.
    pub at: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: i32,
    /// The receiver's status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// A 2xx answer.
    pub succeeded: bool,
}

/// Logs attempt `number` of claimed delivery `c` and moves the delivery
/// on: to `status`, due again at `next` when still pending; the claim
/// ends.
pub fn record_attempt(
    conn: &mut PgConnection,
    c: &Claimed,
    number: i32,
    attempt: &Attempted,
    status: DeliveryStatus,
    next: DateTime<Utc>,
) -> ApiResult<()> {
    use webhook_attempts as a;
    use webhook_deliveries as d;
    {
        diesel::insert_into(a::table)
            .values((
                a::id.eq(Uuid::now_v7()),
                a::organization_id.eq(c.organization_id),
                a::delivery_id.eq(c.id),
                a::number.eq(number),
                a::at.eq(attempt.at),
                a::duration_ms.eq(attempt.duration_ms),
                a::status_code.eq(attempt.status_code),
                a::error.eq(&attempt.error),
                a::succeeded.eq(attempt.succeeded),
                a::replayed_by.eq(c.replay_requested_by),
            ))
            .execute(conn)?;
    }
    let done = attempt.at + chrono::Duration::milliseconds(i64::from(attempt.duration_ms));
    diesel::update(d::table.filter(d::id.eq(c.id)))
        .set((
            d::status.eq(status.as_ref()),
            d::attempts.eq(number),
            d::next_attempt_at.eq(next),
            d::claimed_until.eq(None::<DateTime<Utc>>),
            d::replay_requested_by.eq(None::<Uuid>),
            d::delivered_at.eq(attempt.succeeded.then_some(done)),
            d::last_status_code.eq(attempt.status_code),
            d::last_error.eq(&attempt.error),
            d::updated_at.eq(done),
        ))
        .execute(conn)?;
    Ok(())
}
