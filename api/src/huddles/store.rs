//! Huddles, and the records their proposed agenda is built from, in the
//! database. Every query is limited to the caller's organization.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::alerts::AlertKind;
use shared::case_status::CaseStatus;
use shared::huddles::{
    AGENDA_SOURCE_LIMIT, ActionItem, Attendee, DISCHARGE_WINDOW_HOURS, Discussion, Fact, Huddle,
    NewDiscussion, PatientFact, SAFETY_SCREENING_WINDOW_DAYS,
};
use shared::ids::{PatientId, TaskId, UserId};
use shared::patients::display_name;
use shared::risk::RiskLevel;
use shared::screening::Flag;
use shared::tasks::TaskStatus;
use shared::worklist::PatientSummary;
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{
    alerts, encounters, huddle_action_items, huddle_attendees, huddle_patients, huddles, patients,
    screenings, tasks, users,
};
use crate::store::{OneOf, code, of_org, one_of_org, org_join, scoped_rows};
use crate::tasks::store::Active;

const NOUN: &str = "huddle";

#[derive(Queryable, Selectable)]
#[diesel(table_name = huddles)]
struct HuddleRow {
    id: Uuid,
    held_on: NaiveDate,
    notes: Option<String>,
    recorded_by: Option<Uuid>,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

scoped_rows!(huddles, HuddleRow);

/// Records the huddle itself; answers its id.
pub fn insert(
    conn: &mut PgConnection,
    auth: &Authorized,
    held_on: NaiveDate,
    notes: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(huddles::table)
        .values((
            huddles::id.eq(id),
            huddles::organization_id.eq(auth.org().get()),
            huddles::held_on.eq(held_on),
            huddles::notes.eq(notes),
            huddles::recorded_by.eq(auth.user_id().map(UserId::get)),
            huddles::created_at.eq(now),
            huddles::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records who attended, in the order given.
pub fn insert_attendees(
    conn: &mut PgConnection,
    auth: &Authorized,
    huddle: Uuid,
    attendees: &[UserId],
) -> ApiResult<()> {
    let rows: Vec<_> = attendees
        .iter()
        .zip(0..)
        .map(|(user, position): (&UserId, i32)| {
            (
                huddle_attendees::huddle_id.eq(huddle),
                huddle_attendees::organization_id.eq(auth.org().get()),
                huddle_attendees::user_id.eq(user.get()),
                huddle_attendees::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(huddle_attendees::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

/// Records the patients discussed, in the order given, with their notes.
pub fn insert_discussions(
    conn: &mut PgConnection,
    auth: &Authorized,
    huddle: Uuid,
    discussed: &[NewDiscussion],
) -> ApiResult<()> {
    let rows: Vec<_> = discussed
        .iter()
        .zip(0..)
        .map(|(d, position): (&NewDiscussion, i32)| {
            (
                huddle_patients::huddle_id.eq(huddle),
                huddle_patients::organization_id.eq(auth.org().get()),
                huddle_patients::patient_id.eq(d.patient_id.get()),
                huddle_patients::position.eq(position),
                huddle_patients::notes.eq(d.notes.as_deref()),
            )
        })
        .collect();
    diesel::insert_into(huddle_patients::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

/// Records action item `id` (the `position`th) and the task it became.
pub fn insert_action_item(
    conn: &mut PgConnection,
    auth: &Authorized,
    (huddle, id): (Uuid, Uuid),
    position: i32,
    task: TaskId,
) -> ApiResult<()> {
    diesel::insert_into(huddle_action_items::table)
        .values((
            huddle_action_items::id.eq(id),
            huddle_action_items::huddle_id.eq(huddle),
            huddle_action_items::organization_id.eq(auth.org().get()),
            huddle_action_items::position.eq(position),
            huddle_action_items::task_id.eq(task.get()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable)]
struct ItemRow {
    huddle_id: Uuid,
    id: Uuid,
    task_id: Uuid,
    title: String,
    kind: String,
    assignee_id: Option<Uuid>,
    due_at: DateTime<Utc>,
    status: String,
    patient_id: Uuid,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    assignee_name: Option<String>,
}

/// The attendees of huddles `ids`, in order, by huddle.
fn attendees_of(
    conn: &mut PgConnection,
    org: Uuid,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Attendee>>> {
    let mut attendees: HashMap<Uuid, Vec<Attendee>> = HashMap::new();
    for (huddle, user, name) in huddle_attendees::table
        .inner_join(org_join!(
            users,
            huddle_attendees,
            users::id.eq(huddle_attendees::user_id)
        ))
        .filter(huddle_attendees::organization_id.eq(org))
        .filter(huddle_attendees::huddle_id.eq_any(ids))
        .order((huddle_attendees::huddle_id, huddle_attendees::position))
        .select((huddle_attendees::huddle_id, users::id, users::name))
        .load::<(Uuid, Uuid, String)>(conn)?
    {
        attendees.entry(huddle).or_default().push(Attendee {
            user_id: user.into(),
            name,
        });
    }
    Ok(attendees)
}

/// The patients huddles `ids` discussed, in order, by huddle.
fn discussions_of(
    conn: &mut PgConnection,
    org: Uuid,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<Discussion>>> {
    let mut discussions: HashMap<Uuid, Vec<Discussion>> = HashMap::new();
    for (huddle, patient, given, family, preferred, notes) in huddle_patients::table
        .inner_join(org_join!(
            patients,
            huddle_patients,
            patients::id.eq(huddle_patients::patient_id)
        ))
        .filter(huddle_patients::organization_id.eq(org))
        .filter(huddle_patients::huddle_id.eq_any(ids))
        .order((huddle_patients::huddle_id, huddle_patients::position))
        .select((
            huddle_patients::huddle_id,
            patients::id,
            patients::given_name,
            patients::family_name,
            patients::preferred_name,
            huddle_patients::notes,
        ))
        .load::<(Uuid, Uuid, String, String, Option<String>, Option<String>)>(conn)?
    {
        discussions.entry(huddle).or_default().push(Discussion {
            patient_id: patient.into(),
            patient_name: display_name(&given, &family, preferred.as_deref()),
            notes,
        });
    }
    Ok(discussions)
}

/// The action items of huddles `ids` with their tasks, in order, by huddle.
fn action_items_of(
    conn: &mut PgConnection,
    org: Uuid,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Vec<ActionItem>>> {
    let mut items: HashMap<Uuid, Vec<ActionItem>> = HashMap::new();
    let item_rows: Vec<ItemRow> = huddle_action_items::table
        .inner_join(org_join!(
            tasks,
            huddle_action_items,
            tasks::id.eq(huddle_action_items::task_id)
        ))
        .inner_join(org_join!(
            patients,
            tasks,
            patients::id.eq(tasks::patient_id)
        ))
        .left_join(org_join!(
            users,
            tasks,
            users::id.nullable().eq(tasks::assignee_id)
        ))
        .filter(huddle_action_items::organization_id.eq(org))
        .filter(huddle_action_items::huddle_id.eq_any(ids))
        .order((
            huddle_action_items::huddle_id,
            huddle_action_items::position,
        ))
        .select((
            huddle_action_items::huddle_id,
            huddle_action_items::id,
            tasks::id,
            tasks::title,
            tasks::kind,
            tasks::assignee_id,
            tasks::due_at,
            tasks::status,
            patients::id,
            patients::given_name,
            patients::family_name,
            patients::preferred_name,
            users::name.nullable(),
        ))
        .load(conn)?;
    for r in item_rows {
        items.entry(r.huddle_id).or_default().push(ActionItem {
            id: r.id,
            task_id: r.task_id.into(),
            patient_id: r.patient_id.into(),
            patient_name: display_name(&r.given_name, &r.family_name, r.preferred_name.as_deref()),
            title: r.title,
            kind: code(&r.kind)?,
            assignee_id: r.assignee_id.map(UserId::from),
            assignee_name: r.assignee_name,
            due_at: r.due_at,
            status: code::<TaskStatus>(&r.status)?,
        });
    }
    Ok(items)
}

/// Attaches attendees, discussions and action items to huddle rows (one
/// query per part for the whole batch).
fn hydrate(
    conn: &mut PgConnection,
    auth: &Authorized,
    rows: Vec<HuddleRow>,
) -> ApiResult<Vec<Huddle>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let org = auth.org().get();
    let mut attendees = attendees_of(conn, org, &ids)?;
    let mut discussions = discussions_of(conn, org, &ids)?;
    let mut items = action_items_of(conn, org, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Huddle {
            attendees: attendees.remove(&r.id).unwrap_or_default(),
            patients: discussions.remove(&r.id).unwrap_or_default(),
            action_items: items.remove(&r.id).unwrap_or_default(),
            id: r.id,
            held_on: r.held_on,
            notes: r.notes,
            recorded_by: r.recorded_by.map(UserId::from),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

fn hydrate_one(
    conn: &mut PgConnection,
    auth: &Authorized,
    row: Option<HuddleRow>,
) -> ApiResult<Huddle> {
    let row = row.ok_or_else(|| ApiError::not_found(NOUN))?;
    hydrate(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a hydrated huddle went missing"))
}

/// Huddle `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Huddle> {
    let row = rows(auth)
        .filter(huddles::id.eq(id))
        .first(conn)
        .optional()?;
    hydrate_one(conn, auth, row)
}

/// Huddle `id` locked for an update: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Huddle> {
    let row = rows(auth)
        .filter(huddles::id.eq(id))
        .for_update()
        .first(conn)
        .optional()?;
    let huddle = hydrate_one(conn, auth, row)?;
    expected.check(huddle.version)?;
    Ok(huddle)
}

/// Huddles, newest date first, after the `(held_on, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    paging: &Paging<(NaiveDate, Uuid)>,
) -> ApiResult<Vec<Huddle>> {
    let mut q = rows(auth).into_boxed();
    if let Some((held_on, id)) = paging.after {
        q = q.filter(
            huddles::held_on
                .lt(held_on)
                .or(huddles::held_on.eq(held_on).and(huddles::id.lt(id))),
        );
    }
    let rows = q
        .order((huddles::held_on.desc(), huddles::id.desc()))
        .limit(paging.fetch())
        .load(conn)?;
    hydrate(conn, auth, rows)
}

/// Changes a locked huddle's notes (`None` leaves them) and the notes on
/// the patients named, and moves its version on.
pub fn update_notes(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    notes: Option<Option<&str>>,
    patient_notes: &[(PatientId, Option<&str>)],
    now: DateTime<Utc>,
) -> ApiResult<Huddle> {
    for (patient, text) in patient_notes {
        diesel::update(
            huddle_patients::table
                .filter(huddle_patients::organization_id.eq(auth.org().get()))
                .filter(huddle_patients::huddle_id.eq(id))
                .filter(huddle_patients::patient_id.eq(patient.get())),
        )
        .set(huddle_patients::notes.eq(*text))
        .execute(conn)?;
    }
    let target = one_of_org!(huddles, auth, id);
    let bump = (
        huddles::version.eq(huddles::version + 1),
        huddles::updated_at.eq(now),
    );
    match notes {
        Some(text) => diesel::update(target)
            .set((huddles::notes.eq(text), bump))
            .execute(conn)?,
        None => diesel::update(target).set(bump).execute(conn)?,
    };
    get(conn, auth, id)
}

/// Whose records an agenda is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole organization.
    Everyone,
    /// One care manager's: the patients they carry, and the work assigned
    /// to them.
    CareManager(UserId),
}

/// Every fact the agenda of `scope` is built from at `now`: open safety
/// alerts, recent suicide-risk screenings, recent discharges, overdue
/// tasks and high-risk patients of patients whose case is not closed — at
/// most [`AGENDA_SOURCE_LIMIT`] of each, the most urgent.
pub fn agenda_facts(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
    now: DateTime<Utc>,
) -> ApiResult<Vec<PatientFact>> {
    let mut found: Vec<(PatientId, Fact)> = Vec::new();
    found.extend(safety_alerts(conn, auth, scope)?);
    found.extend(flagged_screenings(conn, auth, scope, now)?);
    found.extend(discharges(conn, auth, scope, now)?);
    found.extend(overdue_tasks(conn, auth, scope, now)?);
    found.extend(high_risk(conn, auth, scope)?);
    let mut ids: Vec<Uuid> = found.iter().map(|(p, _)| p.get()).collect();
    ids.sort();
    ids.dedup();
    let summaries = summaries(conn, auth, &ids)?;
    found
        .into_iter()
        .map(|(patient, fact)| {
            let (summary, care_manager_id) = summaries
                .get(&patient)
                .cloned()
                .ok_or_else(|| ApiError::internal("an agenda fact without patient"))?;
            Ok(PatientFact {
                patient: summary,
                care_manager_id,
                fact,
            })
        })
        .collect()
}

/// Patients in scope whose case is open (every fact's patient filter).
macro_rules! open_patients_in {
    ($query:expr, $scope:expr) => {{
        let q = $query.filter(patients::status.ne(CaseStatus::Closed.as_ref()));
        match $scope {
            Scope::Everyone => q,
            Scope::CareManager(user) => {
                q.filter(patients::primary_care_manager_id.eq(Some(user.get())))
            }
        }
    }};
}

fn safety_alerts(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
) -> ApiResult<Vec<(PatientId, Fact)>> {
    let q = of_org!(alerts, auth)
        .inner_join(org_join!(
            patients,
            alerts,
            patients::id.eq(alerts::patient_id)
        ))
        .filter(alerts::kind.eq(AlertKind::Safety.as_ref()))
        .filter(alerts::acknowledged_at.is_null())
        .into_boxed();
    Ok(open_patients_in!(q, scope)
        .order((alerts::created_at.asc(), alerts::id.asc()))
        .limit(AGENDA_SOURCE_LIMIT)
        .select((alerts::patient_id, alerts::message, alerts::created_at))
        .load::<(Uuid, String, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(patient, message, raised_at)| {
            (patient.into(), Fact::SafetyAlert { message, raised_at })
        })
        .collect())
}

fn flagged_screenings(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
    now: DateTime<Utc>,
) -> ApiResult<Vec<(PatientId, Fact)>> {
    let open_alert = alerts::table
        .filter(alerts::organization_id.eq(auth.org().get()))
        .filter(alerts::source_id.eq(screenings::id.nullable()))
        .filter(alerts::kind.eq(AlertKind::Safety.as_ref()))
        .filter(alerts::acknowledged_at.is_null());
    let q = of_org!(screenings, auth)
        .inner_join(org_join!(
            patients,
            screenings,
            patients::id.eq(screenings::patient_id)
        ))
        .filter(screenings::flags.contains(vec![Flag::SuicideRisk.as_ref().to_string()]))
        .filter(screenings::entered_in_error_at.is_null())
        .filter(screenings::administered_at.ge(now - Duration::days(SAFETY_SCREENING_WINDOW_DAYS)))
        .filter(screenings::administered_at.le(now))
        .filter(diesel::dsl::not(diesel::dsl::exists(open_alert)))
        .into_boxed();
    open_patients_in!(q, scope)
        .order((screenings::administered_at.desc(), screenings::id.asc()))
        .limit(AGENDA_SOURCE_LIMIT)
        .select((
            screenings::patient_id,
            screenings::instrument,
            screenings::administered_at,
        ))
        .load::<(Uuid, String, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(patient, instrument, administered_at)| {
            Ok((
                patient.into(),
                Fact::FlaggedScreening {
                    instrument: code(&instrument)?,
                    administered_at,
                },
            ))
        })
        .collect()
}

fn discharges(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
    now: DateTime<Utc>,
) -> ApiResult<Vec<(PatientId, Fact)>> {
    let q = of_org!(encounters, auth)
        .inner_join(org_join!(
            patients,
            encounters,
            patients::id.eq(encounters::patient_id)
        ))
        .filter(encounters::discharged_at.ge(now - Duration::hours(DISCHARGE_WINDOW_HOURS)))
        .filter(encounters::discharged_at.le(now))
        .into_boxed();
    open_patients_in!(q, scope)
        .order((encounters::discharged_at.desc(), encounters::id.asc()))
        .limit(AGENDA_SOURCE_LIMIT)
        .select((
            encounters::patient_id,
            encounters::facility,
            encounters::kind,
            encounters::discharged_at,
        ))
        .load::<(Uuid, String, String, Option<DateTime<Utc>>)>(conn)?
        .into_iter()
        .filter_map(|(patient, facility, kind, at)| at.map(|at| (patient, facility, kind, at)))
        .map(|(patient, facility, kind, discharged_at)| {
            Ok((
                patient.into(),
                Fact::Discharge {
                    facility,
                    kind: code(&kind)?,
                    discharged_at,
                },
            ))
        })
        .collect()
}

fn overdue_tasks(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
    now: DateTime<Utc>,
) -> ApiResult<Vec<(PatientId, Fact)>> {
    let mut q = of_org!(tasks, auth)
        .inner_join(org_join!(
            patients,
            tasks,
            patients::id.eq(tasks::patient_id)
        ))
        .left_join(org_join!(
            users,
            tasks,
            users::id.nullable().eq(tasks::assignee_id)
        ))
        .filter(OneOf::<Active>::default())
        .filter(tasks::due_at.lt(now))
        .filter(patients::status.ne(CaseStatus::Closed.as_ref()))
        .into_boxed();
    // A care manager's overdue work is the work assigned to them.
    if let Scope::CareManager(user) = scope {
        q = q.filter(tasks::assignee_id.eq(Some(user.get())));
    }
    q.order((tasks::due_at.asc(), tasks::id.asc()))
        .limit(AGENDA_SOURCE_LIMIT)
        .select((
            tasks::patient_id,
            tasks::id,
            tasks::title,
            tasks::kind,
            tasks::due_at,
            users::name.nullable(),
        ))
        .load::<(Uuid, Uuid, String, String, DateTime<Utc>, Option<String>)>(conn)?
        .into_iter()
        .map(|(patient, id, title, kind, due_at, assignee)| {
            Ok((
                patient.into(),
                Fact::OverdueTask {
                    task_id: id.into(),
                    title,
                    kind: code(&kind)?,
                    due_at,
                    assignee,
                },
            ))
        })
        .collect()
}

fn high_risk(
    conn: &mut PgConnection,
    auth: &Authorized,
    scope: Scope,
) -> ApiResult<Vec<(PatientId, Fact)>> {
    let levels = [RiskLevel::VeryHigh.as_ref(), RiskLevel::High.as_ref()];
    let q = of_org!(patients, auth)
        .filter(patients::risk_level.eq_any(levels))
        .into_boxed();
    Ok(open_patients_in!(q, scope)
        .order((
            patients::risk_level.eq(RiskLevel::VeryHigh.as_ref()).desc(),
            patients::family_name.asc(),
            patients::id.asc(),
        ))
        .limit(AGENDA_SOURCE_LIMIT)
        .select(patients::id)
        .load::<Uuid>(conn)?
        .into_iter()
        .map(|patient| (patient.into(), Fact::HighRisk))
        .collect())
}

/// Each patient's summary (as the worklist shows it) and primary care manager.
fn summaries(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<PatientId, (PatientSummary, Option<UserId>)>> {
    of_org!(patients, auth)
        .filter(patients::id.eq_any(ids))
        .select((
            patients::id,
            patients::given_name,
            patients::family_name,
            patients::preferred_name,
            patients::risk_level,
            patients::risk_factors,
            patients::primary_care_manager_id,
        ))
        .load::<(
            Uuid,
            String,
            String,
            Option<String>,
            String,
            Vec<String>,
            Option<Uuid>,
        )>(conn)?
        .into_iter()
        .map(|(id, given, family, preferred, risk, factors, cm)| {
            let id = PatientId::from(id);
            Ok((
                id,
                (
                    PatientSummary {
                        id,
                        name: display_name(&given, &family, preferred.as_deref()),
                        risk_level: code(&risk)?,
                        risk_factors: factors.iter().map(|f| code(f)).collect::<ApiResult<_>>()?,
                    },
                    cm.map(UserId::from),
                ),
            ))
        })
        .collect()
}
