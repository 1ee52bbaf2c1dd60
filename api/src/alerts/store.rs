//! Alerts in the database.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::alerts::{Alert, AlertKind};
use shared::auth::Role;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::schema::{alert_recipients, alerts, care_team_members, patients, users};

/// Who hears about a patient: the internal members of the care team active
/// on `today`, the primary care manager, and — when that is nobody — the
/// organization's active supervisors.
pub fn recipients(
    conn: &mut PgConnection,
    org: Uuid,
    patient: Uuid,
    today: NaiveDate,
) -> ApiResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = care_team_members::table
        .inner_join(users::table.on(users::id.nullable().eq(care_team_members::user_id)))
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
    pub patient: Uuid,
    /// What happened.
    pub kind: AlertKind,
    /// The text the care team reads.
    pub message: String,
    /// The record that raised it.
    pub source: Source,
}

/// Raises an alert to the patient's care team (as of `today`), once per
/// source and kind. Returns its id (`None` when that source had already
/// raised it).
pub fn raise(
    conn: &mut PgConnection,
    org: Uuid,
    alert: NewAlert,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> ApiResult<Option<Uuid>> {
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
            alerts::patient_id.eq(patient),
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
    let rows: Vec<_> = recipients(conn, org, patient, today)?
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
    org: Uuid,
    patient: Uuid,
    kind: AlertKind,
    since: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        alerts::table
            .filter(alerts::organization_id.eq(org))
            .filter(alerts::patient_id.eq(patient))
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
    org: Uuid,
    rows: Vec<(AlertRow, String, String)>,
) -> ApiResult<Vec<Alert>> {
    let ids: Vec<Uuid> = rows.iter().map(|(r, _, _)| r.id).collect();
    let mut recipients: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (alert, user) in alert_recipients::table
        .filter(alert_recipients::organization_id.eq(org))
        .filter(alert_recipients::alert_id.eq_any(&ids))
        .select((alert_recipients::alert_id, alert_recipients::user_id))
        .load::<(Uuid, Uuid)>(conn)?
    {
        recipients.entry(alert).or_default().push(user);
    }
    rows.into_iter()
        .map(|(r, given, family)| {
            Ok(Alert {
                recipient_ids: recipients.remove(&r.id).unwrap_or_default(),
                id: r.id,
                patient_id: r.patient_id,
                patient_name: shared::patients::display_name(&given, &family, None),
                kind: r.kind.parse().map_err(ApiError::internal)?,
                severity: r.severity.parse().map_err(ApiError::internal)?,
                message: r.message,
                source_type: r.source_type,
                source_id: r.source_id,
                created_at: r.created_at,
                acknowledged_at: r.acknowledged_at,
                acknowledged_by: r.acknowledged_by,
            })
        })
        .collect()
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Every alert about this patient.
    pub patient_id: Option<Uuid>,
    /// Only alerts sent to this user.
    pub recipient: Option<Uuid>,
    /// Acknowledged or not.
    pub acknowledged: Option<bool>,
}

/// Alerts of `org`, newest first, after the `(created_at, id)` key.
pub fn list(
    conn: &mut PgConnection,
    org: Uuid,
    filter: &Filter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> ApiResult<Vec<Alert>> {
    let mut q = alerts::table
        .inner_join(patients::table.on(patients::id.eq(alerts::patient_id)))
        .filter(alerts::organization_id.eq(org))
        .into_boxed();
    if let Some(p) = filter.patient_id {
        q = q.filter(alerts::patient_id.eq(p));
    }
    if let Some(user) = filter.recipient {
        q = q.filter(
            alerts::id.eq_any(
                alert_recipients::table
                    .filter(alert_recipients::organization_id.eq(org))
                    .filter(alert_recipients::user_id.eq(user))
                    .select(alert_recipients::alert_id),
            ),
        );
    }
    match filter.acknowledged {
        Some(true) => q = q.filter(alerts::acknowledged_at.is_not_null()),
        Some(false) => q = q.filter(alerts::acknowledged_at.is_null()),
        None => {}
    }
    if let Some((at, id)) = after {
        q = q.filter(
            alerts::created_at
                .lt(at)
                .or(alerts::created_at.eq(at).and(alerts::id.lt(id))),
        );
    }
    let rows = q
        .order((alerts::created_at.desc(), alerts::id.desc()))
        .limit(limit)
        .select((
            AlertRow::as_select(),
            patients::given_name,
            patients::family_name,
        ))
        .load(conn)?;
    hydrate(conn, org, rows)
}

/// Alert `id` of `org`, or a 404.
pub fn get(conn: &mut PgConnection, org: Uuid, id: Uuid) -> ApiResult<Alert> {
    let row = alerts::table
        .inner_join(patients::table.on(patients::id.eq(alerts::patient_id)))
        .filter(alerts::organization_id.eq(org))
        .filter(alerts::id.eq(id))
        .select((
            AlertRow::as_select(),
            patients::given_name,
            patients::family_name,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("alert"))?;
    Ok(hydrate(conn, org, vec![row])?.remove(0))
}

/// Records that `by` acknowledged alert `id`; the first acknowledgement stands.
pub fn acknowledge(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Alert> {
    diesel::update(
        alerts::table
            .filter(alerts::organization_id.eq(org))
            .filter(alerts::id.eq(id))
            .filter(alerts::acknowledged_at.is_null()),
    )
    .set((
        alerts::acknowledged_at.eq(now),
        alerts::acknowledged_by.eq(by),
    ))
    .execute(conn)?;
    get(conn, org, id)
}
