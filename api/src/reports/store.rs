//! The reports' SQL. Every figure is aggregated by Postgres; each query
//! yields one JSON object per row, named as the row type's fields, so the
//! shapes in `shared::reports` are the only place the columns are listed.
//!
//! Every query starts from the same `grp` relation: each patient of the
//! organization with the group it counts in — its primary care manager,
//! each program it was enrolled in during the period (or none), or the
//! single group "All" for the totals. A report's totals are the same
//! query over "All", so a client in two programs counts once and medians
//! are true medians.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Date, Text, Timestamptz, Uuid as SqlUuid};
use serde::de::DeserializeOwned;
use shared::notes::NoteType;
use shared::referral::{BarrierKind, ReferralStatus};
use shared::risk::RiskLevel;
use strum::VariantArray;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::store;

/// What a report query covers: the period as instants (local midnights)
/// and as dates, and how to group.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// The first instant of the period.
    pub start: DateTime<Utc>,
    /// The first instant after it.
    pub end: DateTime<Utc>,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// `care_manager`, `program` or `all` (the totals).
    pub mode: &'a str,
}

/// The groups: `$5` picks how; `$6`/`$7` bound program enrollment.
const GROUPS: &str = "
WITH grp AS (
    SELECT p.id AS patient_id,
           CASE WHEN $5 = 'care_manager' THEN p.primary_care_manager_id END AS group_id,
           CASE WHEN $5 = 'care_manager' THEN coalesce(u.name, 'Unassigned') ELSE 'All' END AS group_label
      FROM patients p
      LEFT JOIN users u ON u.organization_id = $1 AND u.id = p.primary_care_manager_id
     WHERE p.organization_id = $1 AND $5 <> 'program'
    UNION
    SELECT p.id, pr.id, coalesce(pr.name, 'No program')
      FROM patients p
      LEFT JOIN enrollments e ON e.organization_id = $1 AND e.patient_id = p.id
            AND e.enrolled_on <= $7 AND (e.exited_on IS NULL OR e.exited_on >= $6)
      LEFT JOIN programs pr ON pr.organization_id = $1 AND pr.id = e.program_id
     WHERE p.organization_id = $1 AND $5 = 'program'
)";

/// Runs `select` (which reads `grp`) and turns each row into `R`.
fn rows<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
    select: &str,
) -> ApiResult<Vec<R>> {
    let sql = format!("{GROUPS} SELECT to_jsonb(r) AS row FROM ({select}) r");
    let query: BoxedSqlQuery<'_, Pg, _> = diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(auth.org().get())
        .bind::<Text, _>(auth.tz().name())
        .bind::<Timestamptz, _>(w.start)
        .bind::<Timestamptz, _>(w.end)
        .bind::<Text, _>(w.mode.to_owned())
        .bind::<Date, _>(w.from)
        .bind::<Date, _>(w.to);
    store::json_rows(conn, query)
}

/// One select-list item per code of `E`, made by `item` from the code, so
/// a new status, barrier kind or activity type is counted without anyone
/// listing it here (the row type in `shared::reports` names the result).
fn per_code<E: VariantArray + AsRef<str>>(item: impl Fn(&str) -> String) -> String {
    E::VARIANTS
        .iter()
        .map(|code| item(code.as_ref()))
        .collect::<Vec<_>>()
        .join(",\n")
}

/// Clients by status and risk now; cases opened and closed in the period.
pub fn caseload<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    let risk = per_code::<RiskLevel>(|c| {
        format!(
            "count(*) FILTER (WHERE p.status IN ('intake', 'active', 'on_hold') AND p.risk_level = '{c}') AS risk_{c}"
        )
    });
    rows(
        conn,
        auth,
        w,
        &format!(
        "SELECT g.group_id, g.group_label AS \"group\",
                count(*) FILTER (WHERE p.status = 'intake') AS intake,
                count(*) FILTER (WHERE p.status = 'active') AS active,
                count(*) FILTER (WHERE p.status = 'on_hold') AS on_hold,
                {risk},
                count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM patient_status_changes c
                     WHERE c.organization_id = $1 AND c.patient_id = p.id
                       AND c.changed_at >= $3 AND c.changed_at < $4
                       AND c.to_status IN ('intake', 'active')
                       AND (c.from_status IS NULL OR c.from_status IN ('referred', 'closed')))) AS opened,
                count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM patient_status_changes c
                     WHERE c.organization_id = $1 AND c.patient_id = p.id
                       AND c.changed_at >= $3 AND c.changed_at < $4
                       AND c.to_status = 'closed')) AS closed
           FROM grp g JOIN patients p ON p.organization_id = $1 AND p.id = g.patient_id
          GROUP BY g.group_id, g.group_label
          ORDER BY g.group_label, g.group_id"
        ),
    )
}

/// Discharges in the period by facility kind, and their follow-up task.
pub fn transitions<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    rows(
        conn,
        auth,
        w,
        "SELECT g.group_id, g.group_label AS \"group\",
                CASE WHEN $5 <> 'all' THEN e.kind END AS facility_kind,
                count(*) AS discharges,
                count(t.id) AS followed_up,
                count(t.id) FILTER (WHERE t.completed_at <= e.discharged_at + interval '24 hours') AS followed_up_within_24h,
                round((percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM t.completed_at - e.discharged_at) / 3600.0))::numeric, 2)
                    AS median_hours_to_follow_up
           FROM encounters e
           JOIN grp g ON g.patient_id = e.patient_id
           LEFT JOIN tasks t ON t.organization_id = $1 AND t.id = e.followup_task_id
                 AND t.status = 'done' AND t.completed_at IS NOT NULL
          WHERE e.organization_id = $1 AND e.cancelled_at IS NULL
            AND e.discharged_at >= $3 AND e.discharged_at < $4
          GROUP BY 1, 2, 3
          ORDER BY 2, 1, 3",
    )
}

/// Appointments in the period by outcome, and clients who disengaged.
pub fn appointments<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    rows(
        conn,
        auth,
        w,
        "SELECT g.group_id, g.group_label AS \"group\",
                count(*) AS appointments,
                count(*) FILTER (WHERE a.status = 'attended') AS attended,
                count(*) FILTER (WHERE a.status = 'missed') AS missed,
                count(*) FILTER (WHERE a.status = 'cancelled') AS cancelled,
                count(DISTINCT a.patient_id) FILTER (WHERE a.status = 'missed' AND EXISTS (
                    SELECT 1 FROM appointments b
                     WHERE b.organization_id = $1 AND b.patient_id = a.patient_id
                       AND b.status = 'missed' AND b.id <> a.id
                       AND b.scheduled_at <= a.scheduled_at
                       AND b.scheduled_at >= a.scheduled_at - interval '30 days')) AS disengaged_clients
           FROM appointments a
           JOIN grp g ON g.patient_id = a.patient_id
          WHERE a.organization_id = $1 AND a.scheduled_at >= $3 AND a.scheduled_at < $4
          GROUP BY 1, 2
          ORDER BY 2, 1",
    )
}

/// Referrals made in the period per provider: status now, barriers, closing.
pub fn referrals<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    let statuses =
        per_code::<ReferralStatus>(|c| format!("count(*) FILTER (WHERE r.status = '{c}') AS {c}"));
    let barriers =
        per_code::<BarrierKind>(|c| format!("coalesce(sum(b.{c}), 0)::bigint AS barrier_{c}"));
    let per_kind =
        per_code::<BarrierKind>(|c| format!("count(*) FILTER (WHERE kind = '{c}') AS {c}"));
    rows(
        conn,
        auth,
        w,
        &format!(
        "SELECT g.group_id, g.group_label AS \"group\",
                CASE WHEN $5 <> 'all' THEN r.provider_id END AS provider_id,
                CASE WHEN $5 <> 'all' THEN pv.name END AS provider,
                count(*) AS referrals,
                {statuses},
                coalesce(sum(b.total), 0)::bigint AS barriers,
                {barriers},
                round((percentile_cont(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM r.closed_at - r.created_at) / 86400.0))::numeric, 2)
                    AS median_days_to_close,
                count(*) FILTER (WHERE r.completed_at IS NOT NULL
                                   AND r.status IN ('completed', 'closed')) AS ended_completed,
                count(*) FILTER (WHERE r.status IN ('completed', 'closed', 'declined', 'cancelled', 'no_show'))
                    AS ended
           FROM referrals r
           JOIN grp g ON g.patient_id = r.patient_id
           JOIN providers pv ON pv.organization_id = $1 AND pv.id = r.provider_id
           LEFT JOIN LATERAL (
                SELECT count(*) AS total,
                       {per_kind}
                  FROM referral_barriers rb
                 WHERE rb.organization_id = $1 AND rb.referral_id = r.id) b ON true
          WHERE r.organization_id = $1 AND r.created_at >= $3 AND r.created_at < $4
          GROUP BY 1, 2, 3, 4
          ORDER BY 2, 1, 4, 3"
        ),
    )
}

/// Minutes of notes per group and local day, by activity type.
pub fn productivity<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    // Grouped by care manager, the work is the author's own; grouped by
    // program, it is the work on the program's clients.
    let minutes = per_code::<NoteType>(|c| {
        format!("coalesce(sum(n.minutes) FILTER (WHERE n.note_type = '{c}'), 0)::bigint AS {c}")
    });
    rows(
        conn,
        auth,
        w,
        &format!(
        "SELECT CASE WHEN $5 = 'care_manager' THEN n.author_id ELSE g.group_id END AS group_id,
                CASE WHEN $5 = 'care_manager' THEN coalesce(u.name, 'Unknown') ELSE g.group_label END AS \"group\",
                CASE WHEN $5 <> 'all' THEN (n.occurred_at AT TIME ZONE $2)::date END AS date,
                {minutes}
           FROM notes n
           JOIN grp g ON g.patient_id = n.patient_id
           LEFT JOIN users u ON u.organization_id = $1 AND u.id = n.author_id
          WHERE n.organization_id = $1 AND n.occurred_at >= $3 AND n.occurred_at < $4
            AND ($5 <> 'care_manager' OR n.author_id IS NOT NULL)
          GROUP BY 1, 2, 3
          ORDER BY 2, 1, 3"
        ),
    )
}

/// Screenings given in the period per instrument, and PHQ-9 completion
/// among active behavioral-health clients (on the PHQ-9 rows).
pub fn screenings<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
    instruments: &[&str],
) -> ApiResult<Vec<R>> {
    // The totals (`all`) have one row over every instrument, carrying the
    // PHQ-9 completion too.
    let list = instruments
        .iter()
        .chain(&["all"])
        .map(|i| format!("('{i}')"))
        .collect::<Vec<_>>()
        .join(", ");
    rows(
        conn,
        auth,
        w,
        &format!(
            "SELECT gi.group_id, gi.group_label AS \"group\", gi.instrument,
                count(s.id) AS administered,
                count(s.id) FILTER (WHERE s.positive) AS positive,
                CASE WHEN gi.instrument IN ('phq9', 'all') THEN (
                    SELECT count(*) FROM grp g2 JOIN patients p ON p.organization_id = $1 AND p.id = g2.patient_id
                     WHERE g2.group_id IS NOT DISTINCT FROM gi.group_id AND g2.group_label = gi.group_label
                       AND p.status = 'active' AND (
                           EXISTS (SELECT 1 FROM screenings x
                                    WHERE x.organization_id = $1 AND x.patient_id = p.id
                                      AND x.instrument = 'phq9' AND x.entered_in_error_at IS NULL)
                        OR EXISTS (SELECT 1 FROM care_plans cp, jsonb_array_elements(cp.content -> 'needs') n
                                    WHERE cp.organization_id = $1 AND cp.patient_id = p.id
                                      AND n ->> 'status' = 'active'
                                      AND n ->> 'domain' IN ('behavioral', 'substance_use')))) END
                    AS behavioral_health_clients,
                CASE WHEN gi.instrument IN ('phq9', 'all') THEN (
                    SELECT count(*) FROM grp g2 JOIN patients p ON p.organization_id = $1 AND p.id = g2.patient_id
                     WHERE g2.group_id IS NOT DISTINCT FROM gi.group_id AND g2.group_label = gi.group_label
                       AND p.status = 'active'
                       AND EXISTS (SELECT 1 FROM screenings x
                                    WHERE x.organization_id = $1 AND x.patient_id = p.id
                                      AND x.instrument = 'phq9' AND x.entered_in_error_at IS NULL
                                      AND x.administered_at >= $3 AND x.administered_at < $4)) END
                    AS phq9_completed
           FROM (SELECT DISTINCT g.group_id, g.group_label, i.instrument
                   FROM grp g CROSS JOIN (VALUES {list}) AS i(instrument)
                  WHERE ($5 = 'all') = (i.instrument = 'all')) gi
           LEFT JOIN grp g ON g.group_id IS NOT DISTINCT FROM gi.group_id AND g.group_label = gi.group_label
           LEFT JOIN screenings s ON s.organization_id = $1 AND s.patient_id = g.patient_id
                 AND (gi.instrument = 'all' OR s.instrument = gi.instrument)
                 AND s.entered_in_error_at IS NULL
                 AND s.administered_at >= $3 AND s.administered_at < $4
          GROUP BY gi.group_id, gi.group_label, gi.instrument
          ORDER BY gi.group_label, gi.group_id, gi.instrument"
        ),
    )
}

/// Satisfaction ratings on referrals that ended in the period.
pub fn satisfaction<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    w: &Window<'_>,
) -> ApiResult<Vec<R>> {
    rows(
        conn,
        auth,
        w,
        "SELECT g.group_id, g.group_label AS \"group\",
                count(*) AS responses,
                round(avg(r.satisfaction_rating)::numeric, 2) AS average_rating,
                count(*) FILTER (WHERE r.satisfaction_rating = 1) AS rating_1,
                count(*) FILTER (WHERE r.satisfaction_rating = 2) AS rating_2,
                count(*) FILTER (WHERE r.satisfaction_rating = 3) AS rating_3,
                count(*) FILTER (WHERE r.satisfaction_rating = 4) AS rating_4,
                count(*) FILTER (WHERE r.satisfaction_rating = 5) AS rating_5
           FROM referrals r
           JOIN grp g ON g.patient_id = r.patient_id
          WHERE r.organization_id = $1 AND r.satisfaction_rating IS NOT NULL
            AND coalesce(r.closed_at, r.completed_at, r.updated_at) >= $3
            AND coalesce(r.closed_at, r.completed_at, r.updated_at) < $4
          GROUP BY 1, 2
          ORDER BY 2, 1",
    )
}
