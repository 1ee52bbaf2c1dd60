//! What gap detection reads: the latest PHQ-9, the care plan, recent
//! discharges and their follow-up appointments, the care team, social
//! needs, and missed appointments with the outreach since.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use diesel::dsl::exists;
use diesel::prelude::*;
use shared::care_plan::NeedDomain;
use shared::gaps::{Discharge, GapInputs, LOOKBACK_DAYS, Missed};
use shared::ids::PatientId;
use shared::screening::{Instrument, ScreeningResult};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::care_plans::store as care_plans;
use crate::error::{ApiError, ApiResult};
use crate::schema::{
    appointments, care_team_members, encounters, outreach_attempts, patients, screenings,
};
use crate::store::of_org;

/// Whether the patient is an active behavioral-health client: an active
/// case with a PHQ-9 on record or an active behavioral-health or
/// substance-use need on the care plan.
pub fn behavioral_health_active(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<bool> {
    let active = of_org!(patients, auth)
        .filter(patients::id.eq(patient.get()))
        .filter(patients::status.eq("active"))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !active {
        return Ok(false);
    }
    let plan_need = care_plans::find(conn, auth, patient)?.is_some_and(|p| {
        p.content.needs.iter().any(|n| {
            n.status == shared::care_plan::NeedStatus::Active
                && matches!(n.domain, NeedDomain::Behavioral | NeedDomain::SubstanceUse)
        })
    });
    Ok(plan_need || last_phq9(conn, auth, patient)?.is_some())
}

/// When the latest PHQ-9 (not entered in error) was given.
pub fn last_phq9(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
) -> ApiResult<Option<DateTime<Utc>>> {
    Ok(of_org!(screenings, auth)
        .filter(screenings::patient_id.eq(patient.get()))
        .filter(screenings::instrument.eq(Instrument::Phq9.as_ref()))
        .filter(screenings::entered_in_error_at.is_null())
        .select(diesel::dsl::max(screenings::administered_at))
        .first(conn)?)
}

/// Everything gap detection reads about `patient` at `now`.
pub fn inputs(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<GapInputs> {
    let pid = patient.get();
    let since = now - Duration::days(LOOKBACK_DAYS);
    let local = |at: DateTime<Utc>| shared::calendar::local_date(at, &auth.tz());

    let plan = care_plans::find(conn, auth, patient)?;

    let discharges = of_org!(encounters, auth)
        .filter(encounters::patient_id.eq(pid))
        .filter(encounters::cancelled_at.is_null())
        .filter(encounters::discharged_at.ge(since))
        .select((
            encounters::id,
            encounters::facility,
            encounters::discharged_at.assume_not_null(),
        ))
        .load::<(Uuid, String, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(id, facility, at)| {
            let followup = of_org!(appointments, auth)
                .filter(appointments::patient_id.eq(pid))
                .filter(appointments::scheduled_at.ge(at))
                .filter(appointments::scheduled_at.le(at + Duration::days(7)))
                .filter(appointments::status.eq_any(["scheduled", "attended"]));
            Ok(Discharge {
                encounter_id: id,
                facility,
                on: local(at),
                has_followup_appointment: diesel::select(exists(followup)).get_result(conn)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;

    let today = auth.today(now);
    let has_primary_care = diesel::select(exists(
        of_org!(care_team_members, auth)
            .filter(care_team_members::patient_id.eq(pid))
            .filter(care_team_members::role.eq("pcp"))
            .filter(
                care_team_members::end_date
                    .is_null()
                    .or(care_team_members::end_date.ge(today)),
            ),
    ))
    .get_result(conn)?;

    // Positive AHC HRSN domains from the latest screening that the plan
    // has no need for, and the plan's active social needs.
    let latest_ahc: Option<serde_json::Value> = of_org!(screenings, auth)
        .filter(screenings::patient_id.eq(pid))
        .filter(screenings::instrument.eq(Instrument::AhcHrsn.as_ref()))
        .filter(screenings::entered_in_error_at.is_null())
        .order((screenings::administered_at.desc(), screenings::id.desc()))
        .select(screenings::scored)
        .first(conn)
        .optional()?;
    let mut unresolved_social_needs = plan
        .as_ref()
        .map(|p| p.content.unmet_social_needs())
        .unwrap_or_default();
    if let Some(scored) = latest_ahc {
        let result: ScreeningResult = serde_json::from_value(scored)
            .map_err(|e| ApiError::internal(format!("stored score: {e}")))?;
        for need in result.social_needs {
            let domain = NeedDomain::from(need.domain);
            let on_plan = plan
                .as_ref()
                .is_some_and(|p| p.content.needs.iter().any(|n| n.domain == domain));
            let label = domain.label().to_owned();
            if !on_plan && !unresolved_social_needs.contains(&label) {
                unresolved_social_needs.push(label);
            }
        }
    }

    let missed = of_org!(appointments, auth)
        .filter(appointments::patient_id.eq(pid))
        .filter(appointments::status.eq("missed"))
        .filter(appointments::scheduled_at.ge(since))
        .select((
            appointments::id,
            appointments::provider_name,
            appointments::scheduled_at,
        ))
        .load::<(Uuid, String, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(id, provider_name, at)| {
            let outreach = of_org!(outreach_attempts, auth)
                .filter(outreach_attempts::patient_id.eq(pid))
                .filter(outreach_attempts::occurred_at.ge(at));
            Ok(Missed {
                appointment_id: id,
                provider_name,
                on: local(at),
                outreach_since: diesel::select(exists(outreach)).get_result(conn)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;

    Ok(GapInputs {
        behavioral_health_active: behavioral_health_active(conn, auth, patient)?,
        last_phq9: last_phq9(conn, auth, patient)?.map(local),
        care_plan_review_due: plan.as_ref().map(|p| p.content.review_due_on),
        has_care_plan: plan.is_some(),
        discharges,
        has_primary_care,
        unresolved_social_needs,
        missed,
    })
}
