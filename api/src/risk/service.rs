//! The risk use cases: recompute (called by the rules in the transaction of
//! every event that changes a factor), read, and override by hand.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::alerts::AlertKind;
use shared::audit::AuditAction;
use shared::ids::PatientId;
use shared::risk::{
    HISTORY_LIMIT, Risk, RiskChange, RiskLevel, RiskOverride, RiskOverrideRequest, assess,
    effective_level,
};
use shared::validation::Valid;

use crate::alerts::store::{self as alerts, NewAlert, Source};
use crate::audit::{self, Entry};
use crate::auth::Authorized;
use crate::error::ApiResult;
use crate::patients::store as patients;
use crate::risk::store;

/// How many factors the patient's row keeps for worklist reasons.
const TOP_FACTORS: usize = 3;

/// Recomputes `patient`'s risk from the record as this transaction sees it
/// and, when anything changed (level, points, factors, or the override in
/// force), records the change, sets the level in force on the patient, and
/// alerts the care team when the level rose. `cause` says what set it off.
pub fn recompute(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    cause: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let before = store::lock_level(conn, auth, patient)?;
    let mut inputs = store::inputs(conn, auth, patient, now)?;
    inputs.unmet_social_needs = crate::care_plans::store::unmet_social_needs(conn, auth, patient)?;
    inputs.open_referral_barriers =
        crate::referrals::store::open_barrier_labels(conn, auth, patient)?;
    let assessment = assess(&inputs, now);
    let over = store::latest_override(conn, auth, patient)?;
    let level = effective_level(assessment.level, over.as_ref(), auth.today(now));
    let latest = store::history(conn, auth, patient, 1)?.into_iter().next();
    let unchanged = latest.as_ref().is_some_and(|l| {
        l.level == level
            && l.computed_level == assessment.level
            && l.points == assessment.points
            && l.factors == assessment.factors
    });
    if unchanged && before == level {
        return Ok(());
    }
    let change = RiskChange {
        level,
        computed_level: assessment.level,
        points: assessment.points,
        factors: assessment.factors,
        cause: cause.to_owned(),
        at: now,
    };
    let id = store::insert_change(conn, auth, patient, &change)?;
    let top: Vec<_> = change
        .factors
        .iter()
        .take(TOP_FACTORS)
        .map(|f| f.code)
        .collect();
    store::set_level(conn, auth, patient, level, &top)?;
    if level > before {
        crate::webhooks::service::risk_increased(conn, auth, patient, id, before, &change)?;
        let why = if change.factors.is_empty() {
            format!("set by hand ({cause})")
        } else {
            change
                .factors
                .iter()
                .take(2)
                .map(|f| f.description.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        alerts::raise(
            conn,
            auth,
            NewAlert {
                patient,
                kind: AlertKind::RiskIncrease,
                message: format!(
                    "Risk rose from {} to {}: {why}.",
                    before.label().to_lowercase(),
                    level.label().to_lowercase()
                ),
                source: Source { kind: "risk", id },
            },
            now,
        )?;
    }
    Ok(())
}

/// The risk as the API answers it. A patient whose risk was never computed
/// (a record older than the rule) is computed now.
fn current(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Risk> {
    let mut history = store::history(conn, auth, patient, HISTORY_LIMIT)?;
    if history.is_empty() {
        recompute(conn, auth, patient, "first computed", now)?;
        history = store::history(conn, auth, patient, HISTORY_LIMIT)?;
    }
    let over = store::latest_override(conn, auth, patient)?.filter(|o| o.until >= auth.today(now));
    let latest = history.first().cloned().unwrap_or_else(|| RiskChange {
        level: RiskLevel::default(),
        computed_level: RiskLevel::default(),
        points: 0,
        factors: vec![],
        cause: String::new(),
        at: now,
    });
    Ok(Risk {
        level: effective_level(latest.computed_level, over.as_ref(), auth.today(now)),
        computed_level: latest.computed_level,
        points: latest.points,
        factors: latest.factors,
        override_: over,
        computed_at: latest.at,
        history,
    })
}

/// A patient's risk: the level in force, the computed level and its
/// factors, the override in force, and the latest changes.
pub fn get(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    now: DateTime<Utc>,
) -> ApiResult<Risk> {
    patients::ensure(conn, auth, patient)?;
    let risk = current(conn, auth, patient, now)?;
    audit::on_patient(conn, auth, AuditAction::RiskRead, patient)?;
    Ok(risk)
}

/// Overrides the computed level until a date, for a reason (audited); the
/// computed level and its factors stay visible beside it.
pub fn set_override(
    conn: &mut PgConnection,
    auth: &Authorized,
    patient: PatientId,
    body: Valid<RiskOverrideRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Risk> {
    patients::ensure(conn, auth, patient)?;
    let body = body.into_inner();
    let over = RiskOverride {
        level: body.level,
        reason: body.reason,
        until: body.until,
        by: auth.user_id(),
        at: now,
    };
    store::insert_override(conn, auth, patient, &over)?;
    let cause = format!(
        "Override to {} until {}: {}",
        over.level.label().to_lowercase(),
        over.until,
        over.reason
    );
    recompute(conn, auth, patient, &cause, now)?;
    audit::log(
        conn,
        auth,
        Entry::new(AuditAction::RiskOverride)
            .patient(patient)
            .details(json!({"level": over.level, "until": over.until, "reason": over.reason})),
    )?;
    current(conn, auth, patient, now)
}
