//! Screenings in the database: the record, its answers item by item, and
//! the score the server computed. Every query is limited to the caller's
//! organization.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use diesel::prelude::*;
use shared::ids::PatientId;
use shared::screening::{
    AnswerValue, Answers, EnteredInError, Instrument, Screening, ScreeningResult,
};
use uuid::Uuid;

use crate::auth::Authorized;
use crate::error::{ApiError, ApiResult};
use crate::http::Paging;
use crate::http::concurrency::Expected;
use crate::schema::{screening_answers, screenings};
use crate::store::{code, of_org, one_of_org, scoped_rows};

const NOUN: &str = "screening";

#[derive(Queryable, Selectable)]
#[diesel(table_name = screenings)]
struct Row {
    id: Uuid,
    patient_id: Uuid,
    instrument: String,
    administered_at: DateTime<Utc>,
    scored: serde_json::Value,
    recorded_by: Option<Uuid>,
    entered_in_error_at: Option<DateTime<Utc>>,
    entered_in_error_by: Option<Uuid>,
    entered_in_error_reason: Option<String>,
    version: i32,
    created_at: DateTime<Utc>,
}

impl Row {
    fn into_screening(self, answers: Answers) -> ApiResult<Screening> {
        let result: ScreeningResult = serde_json::from_value(self.scored)
            .map_err(|e| ApiError::internal(format!("stored score of {}: {e}", self.id)))?;
        let entered_in_error = match (self.entered_in_error_at, self.entered_in_error_reason) {
            (Some(at), Some(reason)) => Some(EnteredInError {
                at,
                by: self.entered_in_error_by.map(Into::into),
                reason,
            }),
            _ => None,
        };
        Ok(Screening {
            id: self.id,
            patient_id: self.patient_id.into(),
            instrument: code(&self.instrument)?,
            administered_at: self.administered_at,
            answers,
            result,
            recorded_by: self.recorded_by.map(Into::into),
            entered_in_error,
            version: self.version,
            created_at: self.created_at,
        })
    }
}

scoped_rows!(screenings, Row);

/// The answers of `ids`, by screening.
fn answers_of(
    conn: &mut PgConnection,
    auth: &Authorized,
    ids: &[Uuid],
) -> ApiResult<HashMap<Uuid, Answers>> {
    let rows: Vec<(Uuid, String, serde_json::Value)> = of_org!(screening_answers, auth)
        .filter(screening_answers::screening_id.eq_any(ids))
        .select((
            screening_answers::screening_id,
            screening_answers::item,
            screening_answers::value,
        ))
        .load(conn)?;
    let mut by_screening: HashMap<Uuid, Answers> = HashMap::new();
    for (id, item, value) in rows {
        let value: AnswerValue = serde_json::from_value(value)
            .map_err(|e| ApiError::internal(format!("stored answer {id}/{item}: {e}")))?;
        by_screening.entry(id).or_default().insert(item, value);
    }
    Ok(by_screening)
}

fn with_answers(
    conn: &mut PgConnection,
    auth: &Authorized,
    rows: Vec<Row>,
) -> ApiResult<Vec<Screening>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut answers = answers_of(conn, auth, &ids)?;
    rows.into_iter()
        .map(|r| {
            let a = answers.remove(&r.id).unwrap_or_default();
            r.into_screening(a)
        })
        .collect()
}

/// Screening `id`, or a 404.
pub fn get(conn: &mut PgConnection, auth: &Authorized, id: Uuid) -> ApiResult<Screening> {
    let row = rows(auth)
        .filter(screenings::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(NOUN))?;
    with_answers(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found(NOUN))
}

/// Screening `id` locked for a change: 404 when absent, 412 when stale.
pub fn lock(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    expected: Expected,
) -> ApiResult<Screening> {
    let row = rows(auth)
        .filter(screenings::id.eq(id))
        .for_update()
        .first(conn)
        .optional()?;
    let row = row.ok_or_else(|| ApiError::not_found(NOUN))?;
    let screening = with_answers(conn, auth, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::not_found(NOUN))?;
    expected.check(screening.version)?;
    Ok(screening)
}

/// A patient's screenings (of one instrument, when given) oldest first,
/// after the `(administered_at, id)` paging key: a history reads forward.
pub fn list(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    instrument: Option<Instrument>,
    paging: &Paging<(DateTime<Utc>, Uuid)>,
) -> ApiResult<Vec<Screening>> {
    let mut q = rows(auth)
        .filter(screenings::patient_id.eq(patient.get()))
        .into_boxed();
    if let Some(instrument) = instrument {
        q = q.filter(screenings::instrument.eq(instrument.as_ref().to_owned()));
    }
    if let Some((at, id)) = paging.after {
        q = q.filter(
            screenings::administered_at
                .gt(at)
                .or(screenings::administered_at
                    .eq(at)
                    .and(screenings::id.gt(id))),
        );
    }
    let rows = q
        .order((screenings::administered_at.asc(), screenings::id.asc()))
        .limit(paging.fetch())
        .load(conn)?;
    with_answers(conn, auth, rows)
}

/// Records a screening the service scored.
pub fn insert(conn: &mut PgConnection, auth: &Authorized, s: &Screening) -> ApiResult<Screening> {
    let scored = serde_json::to_value(&s.result)
        .map_err(|e| ApiError::internal(format!("score of {}: {e}", s.id)))?;
    let flags: Vec<String> = s
        .result
        .flags
        .iter()
        .map(|f| f.as_ref().to_owned())
        .collect();
    diesel::insert_into(screenings::table)
        .values((
            screenings::id.eq(s.id),
            screenings::organization_id.eq(auth.org().get()),
            screenings::patient_id.eq(s.patient_id.get()),
            screenings::instrument.eq(s.instrument.as_ref()),
            screenings::administered_at.eq(s.administered_at),
            screenings::total.eq(s.result.total),
            screenings::severity.eq(s.result.severity.as_ref()),
            screenings::positive.eq(s.result.positive),
            screenings::flags.eq(flags),
            screenings::scored.eq(scored),
            screenings::recorded_by.eq(s.recorded_by.map(shared::ids::UserId::get)),
            screenings::created_at.eq(s.created_at),
            screenings::updated_at.eq(s.created_at),
        ))
        .execute(conn)?;
    let answers: Vec<_> = s
        .answers
        .iter()
        .map(|(item, value)| {
            serde_json::to_value(value).map(|value| {
                (
                    screening_answers::organization_id.eq(auth.org().get()),
                    screening_answers::screening_id.eq(s.id),
                    screening_answers::item.eq(item.to_owned()),
                    screening_answers::value.eq(value),
                )
            })
        })
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::internal(format!("answers of {}: {e}", s.id)))?;
    diesel::insert_into(screening_answers::table)
        .values(answers)
        .execute(conn)?;
    get(conn, auth, s.id)
}

/// Marks a locked screening entered in error and moves its version on.
pub fn mark_entered_in_error(
    conn: &mut PgConnection,
    auth: &Authorized,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<Screening> {
    diesel::update(one_of_org!(screenings, auth, id))
        .set((
            screenings::entered_in_error_at.eq(now),
            screenings::entered_in_error_by.eq(auth.user_id().map(shared::ids::UserId::get)),
            screenings::entered_in_error_reason.eq(reason),
            screenings::version.eq(screenings::version + 1),
            screenings::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, auth, id)
}

/// The latest total of `instrument` for `patient` (not entered in error),
/// with when it was given.
pub fn latest_total(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    instrument: Instrument,
) -> ApiResult<Option<(i32, DateTime<Utc>)>> {
    Ok(of_org!(screenings, auth)
        .filter(screenings::patient_id.eq(patient.get()))
        .filter(screenings::instrument.eq(instrument.as_ref()))
        .filter(screenings::entered_in_error_at.is_null())
        .filter(screenings::total.is_not_null())
        .order((screenings::administered_at.desc(), screenings::id.desc()))
        .select((
            screenings::total.assume_not_null(),
            screenings::administered_at,
        ))
        .first(conn)
        .optional()?)
}
