//! Demo clinical records: a care plan for each client in care (some due
//! for review within two weeks, some with a completed review), GAD-7s and
//! AHC HRSN screens whose positive domains land on the plan, a few risk
//! overrides, and education records — all through the same use cases as
//! the API, so risk and tasks follow from the rules.

use chrono::{DateTime, Duration, Utc};
use diesel::PgConnection;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;
use shared::care_plan::CarePlanWrite;
use shared::case_status::CaseStatus;
use shared::education::{
    EducationAudience, EducationMethod, EducationTopic, NewEducation, Understanding,
};
use shared::risk::{RiskLevel, RiskOverrideRequest};
use shared::screening::{AnswerValue, Answers, Instrument, NewScreening};

use super::care::{Seeded, valid};
use crate::auth::Authorized;
use crate::care_plans::service as care_plans;
use crate::education::service as education;
use crate::error::{ApiError, ApiResult};
use crate::risk::service as risk;
use crate::screenings::service as screenings;

/// Creates the clinical records of one organization's clients, as of `now`.
pub fn seed(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    seeded: &[Seeded],
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for p in seeded {
        if !matches!(p.status, CaseStatus::Active | CaseStatus::OnHold) {
            continue;
        }
        let auth = match p.care_manager {
            Some(cm) => auth.clone().on_behalf_of(cm),
            None => auth.clone(),
        };
        if rng.random_bool(0.5) {
            gad7(conn, rng, &auth, p, now)?;
        }
        if rng.random_bool(0.35) {
            ahc_hrsn(conn, rng, &auth, p, now)?;
        }
        care_plan(conn, rng, &auth, p, now)?;
        for _ in 0..rng.random_range(0..3) {
            educate(conn, rng, &auth, p, now)?;
        }
        if rng.random_bool(0.05) {
            let body = RiskOverrideRequest {
                level: RiskLevel::High,
                reason: "Recent eviction notice; not yet reflected in screenings".into(),
                until: auth.today(now) + Duration::days(30),
            };
            risk::set_override(conn, &auth, p.id, valid(&auth, body, now)?, now)?;
        }
    }
    Ok(())
}

fn gad7(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let at = now - Duration::days(rng.random_range(3..60));
    let mut answers = Answers::new();
    for item in 1..=7 {
        answers = answers.with(item.to_string(), rng.random_range(0..=3_i64));
    }
    let new = NewScreening {
        instrument: Instrument::Gad7,
        administered_at: at,
        answers,
    };
    screenings::record(conn, auth, p.id, valid(auth, new, at)?, at)?;
    Ok(())
}

fn ahc_hrsn(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let at = now - Duration::days(rng.random_range(5..80));
    let boxes = |on: bool, n: i64| AnswerValue::Codes(if on { vec![n] } else { vec![] });
    let answers = Answers::new()
        .with("1", i64::from(rng.random_bool(0.3)))
        .with("2", boxes(rng.random_bool(0.2), 2))
        .with("3", i64::from(rng.random_bool(0.4)))
        .with("4", 0_i64)
        .with("5", boxes(rng.random_bool(0.3), 1))
        .with("6", i64::from(rng.random_bool(0.15)))
        .with("7", 1_i64)
        .with("8", 1_i64)
        .with("9", 1_i64)
        .with("10", 1_i64);
    let new = NewScreening {
        instrument: Instrument::AhcHrsn,
        administered_at: at,
        answers,
    };
    screenings::record(conn, auth, p.id, valid(auth, new, at)?, at)?;
    Ok(())
}

fn care_plan(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let today = auth.today(now);
    let existing = crate::care_plans::store::find(conn, auth, p.id)?;
    let mut needs = existing
        .as_ref()
        .map(|c| serde_json::to_value(&c.content.needs))
        .transpose()
        .map_err(ApiError::internal)?
        .unwrap_or_else(|| json!([]));
    if let Some(list) = needs.as_array_mut() {
        list.push(
            json!({"domain": "behavioral", "description": "Depression, followed with PHQ-9s"}),
        );
    }
    let due = if rng.random_bool(0.2) {
        today + Duration::days(rng.random_range(1..14))
    } else {
        today + Duration::days(rng.random_range(30..90))
    };
    let body = json!({
        "needs": needs,
        "goals": [
            {"text": "PHQ-9 below 5 within six months, checked every visit",
             "target_date": today + Duration::days(180),
             "measure": {"instrument": "phq9", "comparator": "lt", "value": 5}},
            {"text": "Attend every therapy appointment this month",
             "target_date": today + Duration::days(30), "status": "in_progress"}
        ],
        "interventions": [
            {"description": "Weekly check-in call", "frequency": "weekly",
             "responsible": {"kind": "care_team_member", "name": "Care manager"}},
            {"description": "Take medication as prescribed; use the pill organizer",
             "frequency": "daily", "responsible": {"kind": "patient"}}
        ],
        "participants": [{"kind": "patient", "name": "The client", "agreed": true,
                          "agreed_on": today - Duration::days(rng.random_range(1..60))}],
        "review_due_on": due,
        "version": existing.as_ref().map(|c| c.version),
    });
    let write: CarePlanWrite = serde_json::from_value(body).map_err(ApiError::internal)?;
    let seen = write
        .version
        .map(crate::http::concurrency::Expected::Version);
    care_plans::put(conn, auth, p.id, seen, valid(auth, write, now)?, now)?;
    Ok(())
}

fn educate(
    conn: &mut PgConnection,
    rng: &mut StdRng,
    auth: &Authorized,
    p: &Seeded,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (topic, title) = match rng.random_range(0..4) {
        0 => (
            EducationTopic::Medication,
            "How and when to take sertraline",
        ),
        1 => (
            EducationTopic::CrisisSafetyPlan,
            "Your safety plan and the 988 line",
        ),
        2 => (
            EducationTopic::Condition,
            "What depression is and how it improves",
        ),
        _ => (EducationTopic::Benefits, "Applying for SNAP"),
    };
    let at = now - Duration::days(rng.random_range(1..120));
    let new = NewEducation {
        topic,
        title: title.into(),
        audience: EducationAudience::Patient,
        contact_id: None,
        method: if rng.random_bool(0.5) {
            EducationMethod::TeachBack
        } else {
            EducationMethod::Verbal
        },
        materials: Some("Handout in the client's language".into()),
        understanding: if rng.random_bool(0.7) {
            Understanding::ConfirmedTeachBack
        } else {
            Understanding::NeedsReinforcement
        },
        language: None,
        interpreter_used: false,
        provided_at: Some(at),
    };
    education::record(conn, auth, p.id, valid(auth, new, now)?, now)?;
    Ok(())
}
