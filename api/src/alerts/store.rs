//! Alerts in the database.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::alerts::{Alert, AlertKind};
use shared::auth::Role;
use shared::ids::{PatientId, UserId};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::schema::{alert_recipients, alerts, care_team_members, patients, users};
use crate::store::{code, of_org, one_of_org, org_join};

/// Who hears about a patient: the internal members of the care team active
/// on `today`, the primary care manager, and — when that is nobody — the
/// organization's active supervisors.
pub fn recipients(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    today: NaiveDate,
) -> ApiResult<Vec<Uuid>> {
    let (org, patient) = (auth.org().get(), patient.get());
    let mut ids: Vec<Uuid> = care_team_members::table
        .inner_join(org_join!(
            users,
            care_team_members,
            users::id.nullable().eq(care_team_members::user_id)
        ))
        .filter(care_team_members::organization_id.eq(org))
        .filter(care_team_members::patient_id.eq(patient))
        .filter(care_team_members::start_date.le(today))
        .filter(
            care_team_members::end_date
                .is_null()
                .or(care_team_members::end_date.ge(today)),
        )
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    let pcm: Option<Uuid> = patients::table
        .filter(patients::organization_id.eq(org))
        .find(patient)
        .select(patients::primary_care_manager_id)
        .first(conn)?;
    ids.extend(pcm);
    if ids.is_empty() {
        ids = users::table
            .filter(users::organization_id.eq(org))
            .filter(users::role.eq(Role::Supervisor.as_ref()))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?;
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// What raised an alert.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// `encounter`, `appointment` …
    pub kind: &'static str,
    /// Its id.
    pub id: Uuid,
}

/// An alert a rule raises.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// The patient it concerns.
    pub patient: PatientId,
    /// What happened.
    pub kind: AlertKind,
    /// The text the care team reads.
    pub message: String,
    /// The record that raised it.
    pub source: Source,
}

/// Raises an alert to the patient's care team (as of today on the
/// organization's calendar), once per source and kind. Returns its id
/// (`None` when that source had already raised it).
pub fn raise(
    conn: &mut PgConnection,
    auth: &Authorized,
    alert: NewAlert,
    now: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    let org = auth.org().get();
    let NewAlert {
        patient,
        kind,
        message,
        source,
    } = alert;
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(alerts::table)
        .values((
            alerts::id.eq(id),
            alerts::organization_id.eq(org),
            alerts::patient_id.eq(patient.get()),
            alerts::kind.eq(kind.as_ref()),
            alerts::severity.eq(kind.severity().as_ref()),
            alerts::message.eq(&message),
            alerts::source_type.eq(source.kind),
            alerts::source_id.eq(source.id),
            alerts::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        return Ok(None);
    }
    let rows: Vec<_> = recipients(conn, auth, patient, auth.today(now))?
        .into_iter()
        .map(|user| {
            (
                alert_recipients::organization_id.eq(org),
                alert_recipients::alert_id.eq(id),
                alert_recipients::user_id.eq(user),
            )
        })
        .collect();
    diesel::insert_into(alert_recipients::table)
        .values(rows)
        .execute(conn)?;
    Ok(Some(id))
}

/// Whether the patient has an unacknowledged alert of `kind` raised since `since`.
pub fn has_open(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    kind: AlertKind,
    since: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        of_org!(alerts, auth)
            .filter(alerts::patient_id.eq(patient.get()))
            .filter(alerts::kind.eq(kind.as_ref()))
            .filter(alerts::acknowledged_at.is_null())
            .filter(alerts::created_at.ge(since)),
    ))
    .get_result(conn)?)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = alerts)]
struct AlertRow {
    id: Uuid,
    patient_id: Uuid,
    kind: String,
    severity: String,
    message: String,
    source_type: String,
    source_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    acknowledged_by: Option<Uuid>,
}

fn hydrate(
    conn: &mut PgConnection,
    auth: &Authorized,
    rows: Vec<(AlertRow, String, String)>,
) -> ApiResult<Vec<Alert>> {
    let ids: Vec<Uuid> = rows.iter().map(|(r, _, _)| r.id).collect();
    let mut recipients: HashMap<Uuid, Vec<UserId>> = HashMap::new();
    for (alert, user) in of_org!(alert_recipients, auth)
        .filter(alert_recipients::alert_id.eq_any(&ids))
        .select((alert_recipients::alert_id, alert_recipients::user_id))
        .load::<(Uuid, Uuid)>(conn)?
    {
        recipients.entry(alert).or_default().push(user.into());
    }
    rows.into_iter()
        .map(|(r, given, family)| {
            Ok(Alert {
                recipient_ids: recipients.remove(&r.id).unwrap_or_default(),
                id: r.id,
                patient_id: r.patient_id.into(),
                patient_name: shared::patients::display_name(&given, &family, None),
                kind: code(&r.kind)?,
                severity: code(&r.severity)?,
                message: r.message,
                source_type: r.source_type,
                source_id: r.source_id,
                created_at: r.created_at,
                acknowledged_at: r.acknowledged_at,
                acknowledged_by: r.acknowledged_by.map(UserId::from),
            })
        })
        .collect()
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Every alert about this patient.
    pub patient_id: Option<PatientId>,
    /// Only alerts sent to this user.
    pub recipient: Option<UserId>,
    /// Acknowledged or not.
    pub acknowledged: Option<bool>,
}

/// Alerts, newest first, after the `(created_at, id)` paging key.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    filter: &Filter,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Alert>> {
    let org = auth.org().get();
    let mut q = alerts::table
        .inner_join(org_join!(
            patients,
            alerts,
            patients::id.eq(alerts::patient_id)
        ))
        .filter(alerts::organization_id.eq(org))
        .into_boxed();
    if let Some(p) = filter.patient_id {
        q = q.filter(alerts::patient_id.eq(p.get()));
    }
    if let Some(user) = filter.recipient {
        q = q.filter(
            alerts::id.eq_any(
                alert_recipients::table
                    .filter(alert_recipients::organization_id.eq(org))
                    .filter(alert_recipients::user_id.eq(user.get()))
                    .select(alert_recipients::alert_id),
            ),
        );
    }
    match filter.acknowledged {
        Some(true) => q = q.filter(alerts::acknowledged_at.is_not_null()),
        Some(false) => q = q.filter(alerts::acknowledged_at.is_null()),
        None => {}
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            alerts::created_at
                .lt(at)
                .or(alerts::created_at.eq(at).and(alerts::id.lt(id))),
        );
    }
    let rows = q
        .order((alerts::created_at.desc(), alerts::id.desc()))
        .limit(paging.fetch())
        .select((
            AlertRow::as_select(),
            patients::given_name,
            patients::family_name,
        ))
        .load(conn)?;
    hydrate(conn, auth, rows)
}

/// Alert `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Alert> {
    let row = alerts::table
        .inner_join(org_join!(
            patients,
            alerts,
            patients::id.eq(alerts::patient_id)
        ))
        .filter(alerts::organization_id.eq(auth.org().get()))
        .filter(alerts::id.eq(id))
        .select((
            AlertRow::as_select(),
            patients::given_name,
            patients::family_name,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("alert"))?;
    hydrate(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a hydrated alert went missing"))
}

/// Records that `by` acknowledged alert `id`; the first acknowledgement stands.
pub fn acknowledge(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> ApiResult<Alert> {
    diesel::update(one_of_org!(alerts, auth, id).filter(alerts::acknowledged_at.is_null()))
        .set((
            alerts::acknowledged_at.eq(now),
            alerts::acknowledged_by.eq(by.get()),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}
