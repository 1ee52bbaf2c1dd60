//! The facts each measure needs, one JSON object per event or patient.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Text, Timestamptz, Uuid as SqlUuid};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::measures::{FollowUpFacts, Score, ScreeningFacts, SuicideRiskFacts};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::store;

/// The period as instants (local midnights) and its first day.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// First instant.
    pub start: DateTime<Utc>,
    /// First instant after.
    pub end: DateTime<Utc>,
    /// First day.
    pub from: NaiveDate,
}

/// `$1` organization, `$2` time zone, `$3`/`$4` the period, `$5` encounter
/// kinds, `$6` the first day.
fn facts<R: DeserializeOwned>(
    conn: &mut PgConnection,
    auth: &Authorized,
    span: Span,
    kinds: &[&str],
    select: &str,
) -> ApiResult<Vec<R>> {
    let query = diesel::sql_query(format!("SELECT to_jsonb(r) AS row FROM ({select}) r"))
        .bind::<SqlUuid, _>(auth.org().get())
        .bind::<Text, _>(auth.tz().name())
        .bind::<Timestamptz, _>(span.start)
        .bind::<Timestamptz, _>(span.end)
        .bind::<Array<Text>, _>(kinds.iter().map(ToString::to_string).collect::<Vec<_>>())
        .bind::<Date, _>(span.from);
    store::json_rows(conn, query)
}

/// Discharges of the `kinds` in the period, with the attended therapy and
/// psychiatry appointments from their day on, readmissions and deaths.
pub fn follow_ups(
    conn: &mut PgConnection,
    auth: &Authorized,
    span: Span,
    kinds: &[&str],
) -> ApiResult<Vec<FollowUpFacts>> {
    facts(
        conn,
        auth,
        span,
        kinds,
        "SELECT e.patient_id, e.id AS encounter_id,
                (e.discharged_at AT TIME ZONE $2)::date AS discharged_on,
                coalesce((SELECT array_agg(DISTINCT (a.scheduled_at AT TIME ZONE $2)::date)
                            FROM appointments a
                           WHERE a.organization_id = $1 AND a.patient_id = e.patient_id
                             AND a.status = 'attended' AND a.kind IN ('therapy', 'psychiatry')
                             AND a.scheduled_at >= e.discharged_at - interval '1 day'
                             AND a.scheduled_at < e.discharged_at + interval '32 days'), '{}') AS visits_on,
                EXISTS (SELECT 1 FROM encounters r
                         WHERE r.organization_id = $1 AND r.patient_id = e.patient_id AND r.id <> e.id
                           AND r.cancelled_at IS NULL
                           AND r.kind IN ('inpatient_psych', 'inpatient_medical')
                           AND r.admitted_at >= coalesce(e.discharged_at, e.admitted_at)
                           AND r.admitted_at <= e.discharged_at + interval '30 days') AS readmitted_within_30_days,
                coalesce(e.discharge_disposition ~* '(expired|died|deceased|death)', false) AS died
           FROM encounters e
          WHERE e.organization_id = $1 AND e.kind = ANY($5) AND e.cancelled_at IS NULL
            AND e.discharged_at >= $3 AND e.discharged_at < $4
          ORDER BY e.discharged_at, e.id",
    )
}

/// A patient's index PHQ-9 and the ones after it.
#[derive(Debug, Deserialize)]
pub struct Depression {
    /// The patient.
    pub patient_id: Uuid,
    /// The first PHQ-9 above 9 in the period.
    pub index: Score,
    /// Every later PHQ-9.
    pub later: Vec<Score>,
}

/// Patients with an index PHQ-9 (above 9) in the period, and their later scores.
pub fn depression(
    conn: &mut PgConnection,
    auth: &Authorized,
    span: Span,
) -> ApiResult<Vec<Depression>> {
    facts(
        conn,
        auth,
        span,
        &[],
        "WITH idx AS (
             SELECT DISTINCT ON (s.patient_id) s.patient_id,
                    (s.administered_at AT TIME ZONE $2)::date AS day, s.total
               FROM screenings s
              WHERE s.organization_id = $1 AND s.instrument = 'phq9' AND s.entered_in_error_at IS NULL
                AND s.total > 9 AND s.administered_at >= $3 AND s.administered_at < $4
              ORDER BY s.patient_id, s.administered_at)
         SELECT idx.patient_id, json_build_object('on', idx.day, 'total', idx.total) AS index,
                coalesce((SELECT json_agg(json_build_object('on', (x.administered_at AT TIME ZONE $2)::date,
                                                            'total', x.total) ORDER BY x.administered_at)
                            FROM screenings x
                           WHERE x.organization_id = $1 AND x.patient_id = idx.patient_id
                             AND x.instrument = 'phq9' AND x.entered_in_error_at IS NULL
                             AND x.total IS NOT NULL
                             AND (x.administered_at AT TIME ZONE $2)::date > idx.day), '[]') AS later
           FROM idx
          ORDER BY idx.day, idx.patient_id",
    )
}

/// Patients with an attended appointment in the period: age, last
/// depression screen, and the days of care-plan changes and referrals.
pub fn screenings(
    conn: &mut PgConnection,
    auth: &Authorized,
    span: Span,
) -> ApiResult<Vec<ScreeningFacts>> {
    facts(
        conn,
        auth,
        span,
        &[],
        "SELECT p.id AS patient_id,
                date_part('year', age($6::date, p.birth_date))::int AS age,
                min((a.scheduled_at AT TIME ZONE $2)::date) AS visit_on,
                (SELECT json_build_array((s.administered_at AT TIME ZONE $2)::date, s.positive)
                   FROM screenings s
                  WHERE s.organization_id = $1 AND s.patient_id = p.id
                    AND s.instrument IN ('phq9', 'phq2') AND s.entered_in_error_at IS NULL
                    AND s.administered_at >= $3 AND s.administered_at < $4
                  ORDER BY s.administered_at DESC LIMIT 1) AS last_screen,
                coalesce((SELECT array_agg(DISTINCT x.day) FROM (
                    SELECT (v.changed_at AT TIME ZONE $2)::date AS day
                      FROM care_plan_versions v
                      JOIN care_plans cp ON cp.organization_id = $1 AND cp.id = v.care_plan_id
                     WHERE v.organization_id = $1 AND cp.patient_id = p.id AND v.changed_at >= $3
                    UNION ALL
                    SELECT (r.created_at AT TIME ZONE $2)::date
                      FROM referrals r
                     WHERE r.organization_id = $1 AND r.patient_id = p.id AND r.created_at >= $3) x),
                   '{}') AS plans_on
           FROM patients p
           JOIN appointments a ON a.organization_id = $1 AND a.patient_id = p.id
                AND a.status = 'attended' AND a.scheduled_at >= $3 AND a.scheduled_at < $4
          WHERE p.organization_id = $1
          GROUP BY p.id, p.birth_date
          ORDER BY p.id",
    )
}

/// PHQ-9s in the period with the suicide-risk flag, and the days of C-SSRS screens around them.
pub fn suicide_risk(
    conn: &mut PgConnection,
    auth: &Authorized,
    span: Span,
) -> ApiResult<Vec<SuicideRiskFacts>> {
    facts(
        conn,
        auth,
        span,
        &[],
        "SELECT s.patient_id, s.id AS screening_id,
                (s.administered_at AT TIME ZONE $2)::date AS screened_on,
                coalesce((SELECT array_agg((c.administered_at AT TIME ZONE $2)::date)
                            FROM screenings c
                           WHERE c.organization_id = $1 AND c.patient_id = s.patient_id
                             AND c.instrument = 'cssrs' AND c.entered_in_error_at IS NULL
                             AND c.administered_at >= s.administered_at - interval '1 day'
                             AND c.administered_at < s.administered_at + interval '3 days'), '{}') AS assessed_on
           FROM screenings s
          WHERE s.organization_id = $1 AND s.instrument = 'phq9' AND s.entered_in_error_at IS NULL
            AND 'suicide_risk' = ANY(s.flags)
            AND s.administered_at >= $3 AND s.administered_at < $4
          ORDER BY s.administered_at, s.id",
    )
}
