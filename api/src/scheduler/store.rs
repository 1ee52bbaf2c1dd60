//! The scheduler's queries: the advisory lock, the organizations, the
//! PHQ-9 histories of active behavioral-health clients (one query per
//! organization, not per patient), duties recorded once per cycle, and the
//! log of passes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Timestamptz, Uuid as SqlUuid};
use shared::calendar::local_date;
use shared::ids::PatientId;
use shared::schedule::{DutyKind, Phq9};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::schema::{organizations, scheduled_duties, scheduler_runs};

/// Takes the pass's transaction-scoped advisory lock unless another
/// process holds it.
pub fn try_lock(conn: &mut PgConnection, key: i64) -> ApiResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    Ok(
        diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
            .bind::<BigInt, _>(key)
            .get_result::<Locked>(conn)?
            .locked,
    )
}

/// Whether no pass ran earlier on `clock`'s (UTC) day.
pub fn first_pass_of_the_day(conn: &mut PgConnection, clock: DateTime<Utc>) -> ApiResult<bool> {
    let midnight = clock
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    Ok(!diesel::select(diesel::dsl::exists(
        scheduler_runs::table
            .filter(scheduler_runs::clock.ge(midnight))
            .filter(scheduler_runs::clock.lt(clock)),
    ))
    .get_result::<bool>(conn)?)
}

/// Every organization with its time zone.
pub fn organizations(conn: &mut PgConnection) -> ApiResult<Vec<(Uuid, Tz)>> {
    organizations::table
        .select((organizations::id, organizations::time_zone))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .map(|(org, tz)| {
            let zone = tz.parse().map_err(|_| {
                ApiError::internal(format!("organization {org}: bad time zone {tz}"))
            })?;
            Ok((org, zone))
        })
        .collect()
}

/// The PHQ-9 histories (not entered in error, given by `now`) of the
/// organization's active behavioral-health clients — an active case with
/// a PHQ-9 on record or an active behavioral-health or substance-use need
/// on the care plan (an empty history then) — by patient, dates on the
/// organization's calendar.
pub fn behavioral_health_histories(
    conn: &mut PgConnection,
    auth: &Authorized,
    now: DateTime<Utc>,
) -> ApiResult<BTreeMap<PatientId, Vec<Phq9>>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        patient_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
        screening_id: Option<Uuid>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
        administered_at: Option<DateTime<Utc>>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Integer>)]
        total: Option<i32>,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT p.id AS patient_id, s.id AS screening_id, s.administered_at, s.total
           FROM patients p
           LEFT JOIN screenings s
             ON s.organization_id = p.organization_id AND s.patient_id = p.id
            AND s.instrument = 'phq9' AND s.entered_in_error_at IS NULL
            AND s.administered_at <= $2
          WHERE p.organization_id = $1 AND p.status = 'active'
            AND (s.id IS NOT NULL OR EXISTS (
                 SELECT 1 FROM care_plans c
                  WHERE c.organization_id = p.organization_id AND c.patient_id = p.id
                    AND (c.content->'needs' @> '[{\"domain\": \"behavioral\", \"status\": \"active\"}]'
                      OR c.content->'needs' @> '[{\"domain\": \"substance_use\", \"status\": \"active\"}]')))",
    )
    .bind::<SqlUuid, _>(auth.org().get())
    .bind::<Timestamptz, _>(now)
    .load(conn)?;
    let mut histories: BTreeMap<PatientId, Vec<Phq9>> = BTreeMap::new();
    for r in rows {
        let history = histories.entry(r.patient_id.into()).or_default();
        if let (Some(id), Some(at), Some(total)) = (r.screening_id, r.administered_at, r.total) {
            history.push(Phq9 {
                id,
                on: local_date(at, &auth.tz()),
                total,
            });
        }
    }
    Ok(histories)
}

/// Records a duty; answers its id when it is new, `None` when this cycle
/// was already opened.
pub fn open_duty(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    kind: DutyKind,
    cycle: &str,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Option<Uuid>> {
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(scheduled_duties::table)
        .values((
            scheduled_duties::id.eq(id),
            scheduled_duties::organization_id.eq(auth.org().get()),
            scheduled_duties::patient_id.eq(patient.get()),
            scheduled_duties::kind.eq(kind.as_ref()),
            scheduled_duties::cycle.eq(cycle),
            scheduled_duties::due_on.eq(due_on),
            scheduled_duties::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok((inserted == 1).then_some(id))
}

/// A finished pass, for the log.
pub struct Run<'a> {
    /// When it started.
    pub started: DateTime<Utc>,
    /// The time the rules took as now.
    pub clock: DateTime<Utc>,
    /// Which process ran it.
    pub runner: &'a str,
    /// Tasks opened.
    pub tasks_opened: i32,
    /// Risks recomputed.
    pub risks_updated: i32,
}

/// Logs a pass in `scheduler_runs`.
pub fn log_run(conn: &mut PgConnection, run: &Run<'_>) -> ApiResult<()> {
    diesel::insert_into(scheduler_runs::table)
        .values((
            scheduler_runs::id.eq(Uuid::now_v7()),
            scheduler_runs::started_at.eq(run.started),
            scheduler_runs::finished_at.eq(Utc::now()),
            scheduler_runs::clock.eq(run.clock),
            scheduler_runs::runner.eq(run.runner),
            scheduler_runs::tasks_opened.eq(run.tasks_opened),
            scheduler_runs::risks_updated.eq(run.risks_updated),
        ))
        .execute(conn)?;
    Ok(())
}
