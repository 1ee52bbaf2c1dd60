//! Risk in the database: what the rule reads (screenings, stays, missed
//! appointments, social needs, the assessed level), the history of changes,
//! overrides, and the level in force on the patient's row.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::PatientId;
use shared::risk::{
    AcuteStay, RiskChange, RiskFactor, RiskFactorCode, RiskInputs, RiskLevel, RiskOverride,
    SCREENING_WINDOW_DAYS, ScreeningFact, UTILIZATION_WINDOW_DAYS,
};
use shared::screening::{Flag, ScreeningResult};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::schema::{
    appointments, encounters, patients, risk_assessments, risk_overrides, screenings,
};
use crate::store::{code, of_org, one_of_org};

/// A screening as the rule reads it: instrument, time, band, total, score.
type ScreeningRow = (
    String,
    DateTime<Utc>,
    String,
    Option<i32>,
    serde_json::Value,
);

/// What the risk rule reads about `patient` at `now`. Social needs and
/// referral barriers come from their own modules (`unmet_social_needs`).
pub fn inputs(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<RiskInputs> {
    let pid = patient.get();
    let screening_since = now - Duration::days(SCREENING_WINDOW_DAYS);
    let since = now - Duration::days(UTILIZATION_WINDOW_DAYS);

    let rows: Vec<ScreeningRow> = of_org!(screenings, auth)
        .filter(screenings::patient_id.eq(pid))
        .filter(screenings::entered_in_error_at.is_null())
        .filter(screenings::administered_at.ge(screening_since))
        .filter(screenings::administered_at.le(now))
        .select((
            screenings::instrument,
            screenings::administered_at,
            screenings::severity,
            screenings::total,
            screenings::scored,
        ))
        .load(conn)?;
    let screenings = rows
        .into_iter()
        .map(|(instrument, administered_at, severity, total, scored)| {
            let result: ScreeningResult = serde_json::from_value(scored)
                .map_err(|e| ApiError::internal(format!("stored score: {e}")))?;
            Ok(ScreeningFact {
                instrument: code(&instrument)?,
                administered_at,
                severity: code(&severity)?,
                total,
                safety_reason: result.reason(Flag::SuicideRisk).map(str::to_owned),
                flags: result.flags,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;

    let acute_stays = of_org!(encounters, auth)
        .filter(encounters::patient_id.eq(pid))
        .filter(encounters::cancelled_at.is_null())
        .filter(encounters::admitted_at.ge(since))
        .select((
            encounters::kind,
            encounters::facility,
            encounters::admitted_at,
        ))
        .load::<(String, String, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(kind, facility, admitted_at)| {
            Ok(AcuteStay {
                kind: code(&kind)?,
                facility,
                admitted_at,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;

    let missed_appointments = of_org!(appointments, auth)
        .filter(appointments::patient_id.eq(pid))
        .filter(appointments::status.eq("missed"))
        .filter(appointments::scheduled_at.ge(since))
        .select(appointments::scheduled_at)
        .load(conn)?;

    let assessed = of_org!(patients, auth)
        .filter(patients::id.eq(pid))
        .select(patients::assessed_risk_level)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten()
        .map(|l| code::<RiskLevel>(&l))
        .transpose()?;

    Ok(RiskInputs {
        screenings,
        acute_stays,
        missed_appointments,
        unmet_social_needs: Vec::new(),
        open_referral_barriers: Vec::new(),
        assessed,
    })
}

/// Locks the patient's row for the recomputation, so two events for the
/// same patient compute one after the other and the later one sees the
/// earlier one's record. Answers the level in force before.
pub fn lock_level(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<RiskLevel> {
    let level: Option<String> = of_org!(patients, auth)
        .filter(patients::id.eq(patient.get()))
        .select(patients::risk_level)
        .for_no_key_update()
        .first(conn)
        .optional()?;
    code(&level.ok_or_else(|| ApiError::not_found("patient"))?)
}

/// Sets the level in force and the heaviest factors on the patient's row.
/// The patient's version does not move: the level is derived, never edited.
pub fn set_level(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    level: RiskLevel,
    top: &[RiskFactorCode],
) -> ApiResult<()> {
    let top: Vec<String> = top.iter().map(|c| c.as_ref().to_owned()).collect();
    diesel::update(one_of_org!(patients, auth, patient.get()))
        .set((
            patients::risk_level.eq(level.as_ref()),
            patients::risk_factors.eq(top),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = risk_assessments)]
struct ChangeRow {
    level: String,
    computed_level: String,
    points: i32,
    factors: serde_json::Value,
    cause: String,
    at: DateTime<Utc>,
}

impl TryFrom<ChangeRow> for RiskChange {
    type Error = ApiError;
    fn try_from(r: ChangeRow) -> ApiResult<RiskChange> {
        let factors: Vec<RiskFactor> = serde_json::from_value(r.factors)
            .map_err(|e| ApiError::internal(format!("stored risk factors: {e}")))?;
        Ok(RiskChange {
            level: code(&r.level)?,
            computed_level: code(&r.computed_level)?,
            points: r.points,
            factors,
            cause: r.cause,
            at: r.at,
        })
    }
}

/// The latest `limit` changes of the patient's risk, newest first.
pub fn history(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    limit: i64,
) -> ApiResult<Vec<RiskChange>> {
    of_org!(risk_assessments, auth)
        .filter(risk_assessments::patient_id.eq(patient.get()))
        .order((risk_assessments::at.desc(), risk_assessments::id.desc()))
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RiskChange::try_from)
        .collect()
}

/// Appends a change to the patient's risk history.
pub fn insert_change(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    change: &RiskChange,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    let factors = serde_json::to_value(&change.factors)
        .map_err(|e| ApiError::internal(format!("risk factors: {e}")))?;
    diesel::insert_into(risk_assessments::table)
        .values((
            risk_assessments::id.eq(id),
            risk_assessments::organization_id.eq(auth.org().get()),
            risk_assessments::patient_id.eq(patient.get()),
            risk_assessments::level.eq(change.level.as_ref()),
            risk_assessments::computed_level.eq(change.computed_level.as_ref()),
            risk_assessments::points.eq(change.points),
            risk_assessments::factors.eq(factors),
            risk_assessments::cause.eq(&change.cause),
            risk_assessments::at.eq(change.at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The newest override of the patient's risk (in force or not).
pub fn latest_override(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Option<RiskOverride>> {
    of_org!(risk_overrides, auth)
        .filter(risk_overrides::patient_id.eq(patient.get()))
        .order((risk_overrides::at.desc(), risk_overrides::id.desc()))
        .select((
            risk_overrides::level,
            risk_overrides::reason,
            risk_overrides::until,
            risk_overrides::set_by,
            risk_overrides::at,
        ))
        .first::<(String, String, NaiveDate, Option<Uuid>, DateTime<Utc>)>(conn)
        .optional()?
        .map(|(level, reason, until, by, at)| {
            Ok(RiskOverride {
                level: code(&level)?,
                reason,
                until,
                by: by.map(Into::into),
                at,
            })
        })
        .transpose()
}

/// Records an override.
pub fn insert_override(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    o: &RiskOverride,
) -> ApiResult<()> {
    diesel::insert_into(risk_overrides::table)
        .values((
            risk_overrides::id.eq(Uuid::now_v7()),
            risk_overrides::organization_id.eq(auth.org().get()),
            risk_overrides::patient_id.eq(patient.get()),
            risk_overrides::level.eq(o.level.as_ref()),
            risk_overrides::reason.eq(&o.reason),
            risk_overrides::until.eq(o.until),
            risk_overrides::set_by.eq(o.by.map(shared::ids::UserId::get)),
            risk_overrides::at.eq(o.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Patients whose risk may change with time alone — a factor ages out of
/// its window, or an override ends — and whose last change is older than
/// `stale_before`: those whose latest change has points or an override in
/// force.
pub fn due_for_recompute(
    conn: &mut PgConnection,
    auth: &Authorized,
    stale_before: DateTime<Utc>,
) -> ApiResult<Vec<PatientId>> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        patient_id: Uuid,
    }
    let rows: Vec<Due> = diesel::sql_query(
        "SELECT patient_id FROM (
             SELECT DISTINCT ON (patient_id) patient_id, points, level, computed_level, at
               FROM risk_assessments
              WHERE organization_id = $1
              ORDER BY patient_id, at DESC, id DESC) latest
          WHERE (points > 0 OR level <> computed_level) AND at < $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(auth.org().get())
    .bind::<diesel::sql_types::Timestamptz, _>(stale_before)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.patient_id.into()).collect())
}
