//! Referrals, their status history and their barriers. Every query is
//! limited to the caller's organization, and — for a receiving provider's
//! key — to the referrals sent to that provider.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's derives borrow each `Option<&str>` column"
)]

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::dsl::{array, case_when};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use shared::audit::ActorType;
use shared::ids::{PatientId, UserId};
use shared::necessity::Evaluation;
use shared::patients::display_name;
use shared::referral::{
    Barrier, BarrierKind, Referral, ReferralParty, ReferralQuery, ReferralStatus, ReferredPatient,
    Satisfaction, StatusEvent,
};
use shared::tasks::TaskKind;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{
    patients, providers, referral_barriers, referral_status_changes, referrals, tasks,
};
use crate::store::{self, code, of_org, one_of_org, org_join};

const NOUN: &str = "referral";
const BARRIER: &str = "barrier";

#[derive(Queryable, Selectable)]
#[diesel(table_name = referrals)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    provider_id: Uuid,
    service: String,
    priority: String,
    reason: String,
    need_id: Option<Uuid>,
    intervention_id: Option<Uuid>,
    due_date: NaiveDate,
    status: String,
    sent_at: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    appointment_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    status_reason: Option<String>,
    medical_necessity: Option<serde_json::Value>,
    necessity_override_reason: Option<String>,
    satisfaction_rating: Option<i16>,
    satisfaction_comment: Option<String>,
    re_referral_of: Option<Uuid>,
    created_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The patient's part of a referral row: name parts, birth date, phone,
/// language, interpreter.
type PatientPart = (
    String,
    String,
    Option<String>,
    NaiveDate,
    Option<String>,
    String,
    bool,
);

type Joined = (Row, PatientPart, String);

/// A referral as stored, before its barriers, history and overdue state
/// are added.
fn bare(r: Row, p: PatientPart, provider_name: String) -> ApiResult<Referral> {
    let (given, family, preferred, birth_date, phone, language, interpreter) = p;
    let medical_necessity: Option<Evaluation> = r
        .medical_necessity
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| ApiError::internal(format!("stored necessity: {e}")))?;
    Ok(Referral {
        id: r.id,
        patient_id: r.patient_id.into(),
        patient: ReferredPatient {
            name: display_name(&given, &family, preferred.as_deref()),
            birth_date,
            phone,
            preferred_language: language,
            interpreter_needed: interpreter,
        },
        provider_id: r.provider_id,
        provider_name,
        service: code(&r.service)?,
        priority: code(&r.priority)?,
        reason: r.reason,
        need_id: r.need_id,
        intervention_id: r.intervention_id,
        due_date: r.due_date,
        status: code(&r.status)?,
        sent_at: r.sent_at,
        responded_at: r.responded_at,
        appointment_at: r.appointment_at,
        outcome: r.outcome,
        status_reason: r.status_reason,
        medical_necessity,
        necessity_override_reason: r.necessity_override_reason,
        satisfaction: r.satisfaction_rating.map(|rating| Satisfaction {
            rating,
            comment: r.satisfaction_comment,
        }),
        re_referral_of: r.re_referral_of,
        re_referred_as: None,
        overdue: None,
        barriers: Vec::new(),
        history: Vec::new(),
        created_by: r.created_by.map(UserId::from),
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    })
}

/// The organization's referrals joined with their patient and provider;
/// a provider's key sees only those sent to its provider (never drafts).
macro_rules! joined {
    ($auth:expr) => {{
        let mut q = of_org!(referrals, $auth)
            .inner_join(org_join!(
                patients,
                referrals,
                patients::id.eq(referrals::patient_id)
            ))
            .inner_join(org_join!(
                providers,
                referrals,
                providers::id.eq(referrals::provider_id)
            ))
            .select((
                Row::as_select(),
                (
                    patients::given_name,
                    patients::family_name,
                    patients::preferred_name,
                    patients::birth_date,
                    patients::phone,
                    patients::preferred_language,
                    patients::interpreter_needed,
                ),
                providers::name,
            ))
            .into_boxed();
        if let Some(provider) = $auth.provider_id() {
            q = q
                .filter(referrals::provider_id.eq(provider))
                .filter(referrals::status.ne(ReferralStatus::Draft.as_ref()));
        }
        q
    }};
}

/// Referral `id` with its barriers and history (not yet its overdue
/// state), or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Referral> {
    let row: Option<Joined> = joined!(auth)
        .filter(referrals::id.eq(id))
        .first(conn)
        .optional()?;
    let (r, p, name) = row.ok_or_else(|| ApiError::not_found(NOUN))?;
    let mut referral = bare(r, p, name)?;
    complete(conn, auth, std::slice::from_mut(&mut referral))?;
    Ok(referral)
}

/// Referral `id` locked for a change: 404 when absent (or not the
/// caller's provider's), 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Referral> {
    let locked: Option<Uuid> = one_of_org!(referrals, auth, id)
        .select(referrals::id)
        .for_update()
        .first(conn)
        .optional()?;
    if locked.is_none() {
        return Err(ApiError::not_found(NOUN));
    }
    let referral = get(conn, auth, id)?;
    expected.check(referral.version)?;
    Ok(referral)
}

/// Adds barriers, history and re-referral links to `list`.
fn complete(conn: &mut PgConnection, auth: &Authorized, list: &mut [Referral]) -> ApiResult<()> {
    let ids: Vec<Uuid> = list.iter().map(|r| r.id).collect();
    let mut barriers = barriers_of(conn, auth, &ids)?;
    let mut history = history_of(conn, auth, &ids)?;
    let re_referred: HashMap<Uuid, Uuid> = of_org!(referrals, auth)
        .filter(referrals::re_referral_of.eq_any(&ids))
        .select((referrals::re_referral_of.assume_not_null(), referrals::id))
        .load::<(Uuid, Uuid)>(conn)?
        .into_iter()
        .collect();
    for r in list {
        r.barriers = barriers.remove(&r.id).unwrap_or_default();
        r.history = history.remove(&r.id).unwrap_or_default();
        r.re_referred_as = re_referred.get(&r.id).copied();
    }
    Ok(())
}

/// What a referral list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The query's filters.
    pub query: ReferralQuery,
    /// Of this care manager's patients.
    pub care_manager: Option<UserId>,
}

/// A page of referrals, newest first, after `(created_at, id)`.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Referral>> {
    let mut q = joined!(auth);
    let f = &filter.query;
    if let Some(p) = f.patient_id {
        q = q.filter(referrals::patient_id.eq(p.get()));
    }
    if let Some(p) = f.provider_id {
        q = q.filter(referrals::provider_id.eq(p));
    }
    if let Some(s) = f.status {
        q = q.filter(referrals::status.eq(s.as_ref().to_owned()));
    }
    if f.open == Some(true) {
        q = q.filter(referrals::status.ne_all(vec!["closed", "cancelled"]));
    } else if f.open == Some(false) {
        q = q.filter(referrals::status.eq_any(vec!["closed", "cancelled"]));
    }
    if let Some(cm) = filter.care_manager {
        q = q.filter(patients::primary_care_manager_id.eq(cm.get()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            referrals::created_at
                .lt(at)
                .or(referrals::created_at.eq(at).and(referrals::id.lt(id))),
        );
    }
    let rows: Vec<Joined> = q
        .order((referrals::created_at.desc(), referrals::id.desc()))
        .limit(paging.fetch())
        .load(conn)?;
    let mut list = rows
        .into_iter()
        .map(|(r, p, name)| bare(r, p, name))
        .collect::<ApiResult<Vec<_>>>()?;
    complete(conn, auth, &mut list)?;
    Ok(list)
}

/// The columns a save writes.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = referrals, treat_none_as_null = true)]
struct Columns<'a> {
    provider_id: Uuid,
    service: &'a str,
    priority: &'a str,
    reason: &'a str,
    need_id: Option<Uuid>,
    intervention_id: Option<Uuid>,
    due_date: NaiveDate,
    status: &'a str,
    sent_at: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    appointment_at: Option<DateTime<Utc>>,
    outcome: Option<&'a str>,
    status_reason: Option<&'a str>,
    medical_necessity: Option<serde_json::Value>,
    necessity_override_reason: Option<&'a str>,
    satisfaction_rating: Option<i16>,
    satisfaction_comment: Option<&'a str>,
}

impl<'a> Columns<'a> {
    fn of(r: &'a Referral) -> ApiResult<Columns<'a>> {
        Ok(Columns {
            provider_id: r.provider_id,
            service: r.service.as_ref(),
            priority: r.priority.as_ref(),
            reason: &r.reason,
            need_id: r.need_id,
            intervention_id: r.intervention_id,
            due_date: r.due_date,
            status: r.status.as_ref(),
            sent_at: r.sent_at,
            responded_at: r.responded_at,
            appointment_at: r.appointment_at,
            outcome: r.outcome.as_deref(),
            status_reason: r.status_reason.as_deref(),
            medical_necessity: r
                .medical_necessity
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(ApiError::internal)?,
            necessity_override_reason: r.necessity_override_reason.as_deref(),
            satisfaction_rating: r.satisfaction.as_ref().map(|s| s.rating),
            satisfaction_comment: r.satisfaction.as_ref().and_then(|s| s.comment.as_deref()),
        })
    }
}

/// Records a referral the service built (a draft, or a re-referral).
pub fn insert(conn: &mut PgConnection, auth: &Authorized, r: &Referral) -> ApiResult<()> {
    diesel::insert_into(referrals::table)
        .values((
            referrals::id.eq(r.id),
            referrals::organization_id.eq(auth.org().get()),
            referrals::patient_id.eq(r.patient_id.get()),
            referrals::re_referral_of.eq(r.re_referral_of),
            referrals::created_by.eq(r.created_by.map(UserId::get)),
            referrals::created_at.eq(r.created_at),
            referrals::updated_at.eq(r.updated_at),
            Columns::of(r)?,
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes `after` over a locked referral and moves its version on. The
/// timestamps of the step it took are set by the service.
pub fn save(
    conn: &mut PgConnection,
    auth: &Authorized,
    after: &Referral,
    stamps: &Stamps,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    diesel::update(one_of_org!(referrals, auth, after.id))
        .set((
            Columns::of(after)?,
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(now),
        ))
        .execute(conn)?;
    if stamps != &Stamps::default() {
        diesel::update(one_of_org!(referrals, auth, after.id))
            .set((
                stamps.scheduled_at.map(|t| referrals::scheduled_at.eq(t)),
                stamps.completed_at.map(|t| referrals::completed_at.eq(t)),
                stamps.closed_at.map(|t| referrals::closed_at.eq(t)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// When a step was taken, for the quality figures: the first scheduling,
/// the completion, the closing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamps {
    /// Scheduled.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Appends a step to a referral's history; answers the step's id (the
/// source of the follow-up task it opens).
pub fn add_history(
    conn: &mut PgConnection,
    auth: &Authorized,
    referral: Uuid,
    event: &StatusEvent,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    let actor = auth.actor();
    diesel::insert_into(referral_status_changes::table)
        .values((
            referral_status_changes::id.eq(id),
            referral_status_changes::organization_id.eq(auth.org().get()),
            referral_status_changes::referral_id.eq(referral),
            referral_status_changes::from_status.eq(event.from.map(|s| s.as_ref().to_owned())),
            referral_status_changes::to_status.eq(event.to.as_ref()),
            referral_status_changes::reason.eq(&event.reason),
            referral_status_changes::party.eq(event.party.as_ref()),
            referral_status_changes::actor_type.eq(actor.actor_type.as_ref()),
            referral_status_changes::actor_id.eq(actor.actor_id),
            referral_status_changes::actor_label.eq(&event.by),
            referral_status_changes::at.eq(event.at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The ids of every step in a referral's history (the sources of its
/// follow-up tasks).
pub fn history_ids(
    conn: &mut PgConnection,
    auth: &Authorized,
    referral: Uuid,
) -> ApiResult<Vec<Uuid>> {
    Ok(of_org!(referral_status_changes, auth)
        .filter(referral_status_changes::referral_id.eq(referral))
        .select(referral_status_changes::id)
        .load(conn)?)
}

type HistoryRow = (
    Uuid,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    String,
    DateTime<Utc>,
);

fn history_of(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<StatusEvent>>> {
    let rows: Vec<HistoryRow> = of_org!(referral_status_changes, auth)
        .filter(referral_status_changes::referral_id.eq_any(ids))
        .order((
            referral_status_changes::at.asc(),
            referral_status_changes::id.asc(),
        ))
        .select((
            referral_status_changes::referral_id,
            referral_status_changes::from_status,
            referral_status_changes::to_status,
            referral_status_changes::reason,
            referral_status_changes::party,
            referral_status_changes::actor_type,
            referral_status_changes::actor_label,
            referral_status_changes::at,
        ))
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<StatusEvent>> = HashMap::new();
    for (referral, from, to, reason, party, actor_type, label, at) in rows {
        let actor_type: ActorType = code(&actor_type)?;
        let party: ReferralParty = code(&party)?;
        out.entry(referral).or_default().push(StatusEvent {
            from: from.as_deref().map(code).transpose()?,
            to: code(&to)?,
            reason,
            at,
            party,
            by: if actor_type == ActorType::System {
                "system".to_owned()
            } else {
                label
            },
        });
    }
    Ok(out)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = referral_barriers)]
struct BarrierRow {
    id: Uuid,
    referral_id: Uuid,
    patient_id: Uuid,
    kind: String,
    description: Option<String>,
    resolution: Option<String>,
    resolved_by: Option<Uuid>,
    resolved_at: Option<DateTime<Utc>>,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    version: i32,
}

impl TryFrom<BarrierRow> for Barrier {
    type Error = ApiError;

    fn try_from(r: BarrierRow) -> ApiResult<Barrier> {
        Ok(Barrier {
            id: r.id,
            referral_id: r.referral_id,
            patient_id: r.patient_id.into(),
            kind: code(&r.kind)?,
            description: r.description,
            resolution: r.resolution,
            resolved_by: r.resolved_by.map(UserId::from),
            resolved_at: r.resolved_at,
            created_by: r.created_by.map(UserId::from),
            created_at: r.created_at,
            version: r.version,
        })
    }
}

fn barriers_of(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Barrier>>> {
    let rows: Vec<BarrierRow> = of_org!(referral_barriers, auth)
        .filter(referral_barriers::referral_id.eq_any(ids))
        .order((
            referral_barriers::resolved_at.is_not_null(),
            referral_barriers::created_at.asc(),
            referral_barriers::id.asc(),
        ))
        .select(BarrierRow::as_select())
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<Barrier>> = HashMap::new();
    for row in rows {
        let b = Barrier::try_from(row)?;
        out.entry(b.referral_id).or_default().push(b);
    }
    Ok(out)
}

/// A referral's barriers, open first, after `(resolved, created_at, id)`.
pub fn barriers(
    conn: &mut PgConnection,
    auth: &Authorized,
    referral: Uuid,
    paging: &Paging<(bool, DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Barrier>> {
    let mut q = of_org!(referral_barriers, auth)
        .filter(referral_barriers::referral_id.eq(referral))
        .into_boxed();
    if let Some((resolved, at, id)) = paging.after {
        let is_resolved = referral_barriers::resolved_at.is_not_null();
        q = q.filter(
            is_resolved.gt(resolved).or(is_resolved.eq(resolved).and(
                referral_barriers::created_at
                    .gt(at)
                    .or(referral_barriers::created_at
                        .eq(at)
                        .and(referral_barriers::id.gt(id))),
            )),
        );
    }
    q.order((
        referral_barriers::resolved_at.is_not_null(),
        referral_barriers::created_at.asc(),
        referral_barriers::id.asc(),
    ))
    .limit(paging.fetch())
    .select(BarrierRow::as_select())
    .load(conn)?
    .into_iter()
    .map(Barrier::try_from)
    .collect()
}

/// Records a barrier.
pub fn insert_barrier(conn: &mut PgConnection, auth: &Authorized, b: &Barrier) -> ApiResult<()> {
    diesel::insert_into(referral_barriers::table)
        .values((
            referral_barriers::id.eq(b.id),
            referral_barriers::organization_id.eq(auth.org().get()),
            referral_barriers::referral_id.eq(b.referral_id),
            referral_barriers::patient_id.eq(b.patient_id.get()),
            referral_barriers::kind.eq(b.kind.as_ref()),
            referral_barriers::description.eq(&b.description),
            referral_barriers::created_by.eq(b.created_by.map(UserId::get)),
            referral_barriers::created_at.eq(b.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Barrier `id`, or a 404 (for a provider's key: unless it is on one of
/// its referrals).
pub fn barrier(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Barrier> {
    let row: Option<BarrierRow> = of_org!(referral_barriers, auth)
        .filter(referral_barriers::id.eq(id))
        .select(BarrierRow::as_select())
        .first(conn)
        .optional()?;
    store::one(row, BARRIER)
}

/// Barrier `id` locked for a change: 404 when absent, 412 when stale.
pub fn lock_barrier(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Barrier> {
    let row: Option<BarrierRow> = of_org!(referral_barriers, auth)
        .filter(referral_barriers::id.eq(id))
        .select(BarrierRow::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    store::locked(row, BARRIER, expected)
}

/// Writes a barrier's description and resolution and moves its version on.
pub fn save_barrier(conn: &mut PgConnection, auth: &Authorized, b: &Barrier) -> ApiResult<Barrier> {
    diesel::update(one_of_org!(referral_barriers, auth, b.id))
        .set((
            referral_barriers::description.eq(&b.description),
            referral_barriers::resolution.eq(&b.resolution),
            referral_barriers::resolved_by.eq(b.resolved_by.map(UserId::get)),
            referral_barriers::resolved_at.eq(b.resolved_at),
            referral_barriers::version.eq(referral_barriers::version + 1),
        ))
        .execute(conn)?;
    barrier(conn, auth, b.id)
}

/// The kinds of the patient's open barriers on open referrals, in words,
/// oldest first: what the risk rule counts.
pub fn open_barrier_labels(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Vec<String>> {
    let kinds: Vec<String> = of_org!(referral_barriers, auth)
        .inner_join(org_join!(
            referrals,
            referral_barriers,
            referrals::id.eq(referral_barriers::referral_id)
        ))
        .filter(referral_barriers::patient_id.eq(patient.get()))
        .filter(referral_barriers::resolved_at.is_null())
        .filter(referrals::status.ne_all(vec!["closed", "cancelled"]))
        .order((
            referral_barriers::created_at.asc(),
            referral_barriers::id.asc(),
        ))
        .select(referral_barriers::kind)
        .load(conn)?;
    kinds
        .iter()
        .map(|k| code::<BarrierKind>(k).map(|b| b.label().to_owned()))
        .collect()
}

/// The kinds of the open barriers of the referral a task is about (the
/// `referral_id` of its context), oldest first; empty for any other task.
/// A column of the worklist page, so a page with referral follow-ups needs
/// no statement of its own for them. Only a referral follow-up runs the
/// subquery: ungated, it ran for every row of the page and cost the page's
/// statement about a sixth of its rate (bench/RESULTS.md).
#[diesel::dsl::auto_type]
pub fn open_barriers_of_task() -> _ {
    let follow_up: store::OneOf<ReferralFollowUp> = store::OneOf::default();
    let barriers: OpenBarrierKinds = array(open_barriers_of_task_rows());
    let none: Vec<String> = Vec::new();
    case_when(follow_up, barriers).otherwise(none)
}

type OpenBarrierKinds = diesel::dsl::array<Text, open_barriers_of_task_rows>;

/// `'referral_followup'`: the only kind of task about a referral.
#[derive(Debug, Clone, Copy)]
pub struct ReferralFollowUp;

impl store::Codes for ReferralFollowUp {
    type Column = tasks::kind;
    type Code = TaskKind;
    const CODES: &'static [TaskKind] = &[TaskKind::ReferralFollowup];
}

diesel::define_sql_function! {
    /// `uuid(text)`: Postgres' function-style cast of a text to a uuid
    /// (diesel casts a text to a uuid only where the text cannot be null).
    #[sql_name = "uuid"]
    fn text_to_uuid(text: Nullable<Text>) -> Nullable<SqlUuid>;
}

#[diesel::dsl::auto_type]
fn open_barriers_of_task_rows() -> _ {
    let key: &'static str = "referral_id";
    referral_barriers::table
        .filter(referral_barriers::organization_id.eq(tasks::organization_id))
        .filter(
            referral_barriers::referral_id
                .nullable()
                .eq(text_to_uuid(tasks::context.retrieve_as_text(key))),
        )
        .filter(referral_barriers::resolved_at.is_null())
        .order((
            referral_barriers::created_at.asc(),
            referral_barriers::id.asc(),
        ))
        .select(referral_barriers::kind)
}

/// The statuses of a referral waiting for the service, written into the
/// statement's text so that a plan made once can prove them within
/// `referrals_open_idx` (`status NOT IN ('closed', 'cancelled')`); a bound
/// list cannot (`store::OneOf`).
#[derive(Debug, Clone, Copy)]
pub struct AwaitingService;

impl store::Codes for AwaitingService {
    type Column = referrals::status;
    type Code = ReferralStatus;
    const CODES: &'static [ReferralStatus] = &[
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Scheduled,
    ];
}

/// An open referral the scheduler checks for lateness.
#[derive(Debug, Clone)]
pub struct Open {
    /// Referral id.
    pub id: Uuid,
    /// The patient.
    pub patient_id: PatientId,
    /// Its status.
    pub status: ReferralStatus,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// Its due date.
    pub due_date: NaiveDate,
    /// The provider's name.
    pub provider_name: String,
}

type OpenRow = (Uuid, Uuid, String, Option<DateTime<Utc>>, NaiveDate, String);

/// Referrals waiting for the service (sent, accepted, scheduled) not yet
/// alerted as overdue.
pub fn open_unalerted(conn: &mut PgConnection, auth: &Authorized) -> ApiResult<Vec<Open>> {
    let rows: Vec<OpenRow> = of_org!(referrals, auth)
        .inner_join(org_join!(
            providers,
            referrals,
            providers::id.eq(referrals::provider_id)
        ))
        .filter(store::OneOf::<AwaitingService>::default())
        .filter(referrals::overdue_alerted_on.is_null())
        .select((
            referrals::id,
            referrals::patient_id,
            referrals::status,
            referrals::sent_at,
            referrals::due_date,
            providers::name,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, patient, status, sent_at, due_date, provider_name)| {
            Ok(Open {
                id,
                patient_id: patient.into(),
                status: code(&status)?,
                sent_at,
                due_date,
                provider_name,
            })
        })
        .collect()
}

/// Notes that referral `id`'s lateness was alerted on `on`.
pub fn mark_alerted(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    on: NaiveDate,
) -> ApiResult<()> {
    diesel::update(one_of_org!(referrals, auth, id))
        .set(referrals::overdue_alerted_on.eq(on))
        .execute(conn)?;
    Ok(())
}
