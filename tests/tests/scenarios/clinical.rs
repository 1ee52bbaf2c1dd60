//! The clinical core beyond screenings: explainable risk recomputed with
//! every event and overridden by hand, versioned care plans with reviews,
//! AHC HRSN needs on the plan, gaps in care and chart reviews that turn
//! them into tasks, and the scheduler's time-based duties under a
//! controllable clock.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use shared::care_plan::{CarePlan, CarePlanVersion, ChangeKind};
use shared::case_status::CaseStatus;
use shared::chart_review::ChartReview;
use shared::gaps::{Gap, GapCode};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::risk::{Risk, RiskFactorCode, RiskLevel};
use shared::tasks::{TaskKind, TaskSource, TaskStatus};
use tests::TestApp;
use tests::fixtures::new_patient;

use crate::care::{Scene, alerts_of, discharge, now, scene, tasks_of, worklist};

fn screen(app: &TestApp, token: &str, patient: PatientId, body: Value) -> Value {
    app.post(&format!("/api/v1/patients/{patient}/screenings"))
        .token(token)
        .json(&body)
        .send()
        .expect(201)
        .json()
}

fn phq9(total_items: [i64; 9], at: DateTime<Utc>) -> Value {
    let answers: serde_json::Map<String, Value> = total_items
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1).to_string(), json!(v)))
        .collect();
    json!({"instrument": "phq9", "administered_at": at, "answers": answers})
}

fn risk(app: &TestApp, token: &str, patient: PatientId) -> Risk {
    app.get(&format!("/api/v1/patients/{patient}/risk"))
        .token(token)
        .send()
        .expect(200)
        .json()
}

fn plan_path(patient: PatientId) -> String {
    format!("/api/v1/patients/{patient}/care-plan")
}

fn gaps(app: &TestApp, token: &str, patient: PatientId) -> Vec<Gap> {
    let page: Page<Gap> = app
        .get(&format!("/api/v1/patients/{patient}/gaps"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page.items
}

#[test]
fn a_severe_phq9_with_item_9_makes_the_risk_very_high_with_its_factors_and_alerts_the_care_team() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Risk Org", "Risk", RiskLevel::Low);
    assert_eq!(risk(&app, &token, p.id).level, RiskLevel::Low);

    screen(
        &app,
        &token,
        p.id,
        phq9([3, 3, 3, 3, 2, 2, 2, 2, 2], now() - Duration::minutes(5)),
    );

    let r = risk(&app, &token, p.id);
    assert_eq!(r.level, RiskLevel::VeryHigh);
    assert_eq!(r.computed_level, RiskLevel::VeryHigh);
    let codes: Vec<RiskFactorCode> = r.factors.iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        vec![RiskFactorCode::SuicideRisk, RiskFactorCode::Depression]
    );
    assert_eq!(r.points, 10);
    assert!(
        r.factors[1]
            .description
            .starts_with("Severe depression: PHQ-9 of 22")
    );
    assert_eq!(r.history[0].cause, "PHQ-9 recorded");
    let rise = alerts_of(&app, &token, p.id)
        .into_iter()
        .find(|a| a["kind"] == "risk_increase")
        .expect("a risk-increase alert");
    assert!(
        rise["message"]
            .as_str()
            .unwrap()
            .starts_with("Risk rose from low to very high: Positive suicide-risk screen"),
        "{rise}"
    );
    let patient: Value = app
        .get(&format!("/api/v1/patients/{}", p.id))
        .token(&token)
        .send()
        .json_of(200);
    assert_eq!(patient["risk_level"], "very_high");
}

#[test]
fn band_four_reasons_name_the_top_risk_factors() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Reason Org", "Reason", RiskLevel::Low);
    discharge(&app, &token, p.id, now() - Duration::days(20));
    crate::care::manual_task(
        &app,
        &token,
        p.id,
        team.care_manager.id,
        "custom",
        now() + Duration::days(2),
    );
    let r = risk(&app, &token, p.id);
    assert_eq!(r.factors[0].code, RiskFactorCode::AcuteCare);
    let item = worklist(&app, &token, None)
        .into_iter()
        .find(|i| i.band == 4)
        .expect("band-4 work");
    assert!(
        item.reason.contains("(hospital/ED/crisis use)"),
        "{}",
        item.reason
    );
}

#[test]
fn a_risk_override_needs_a_reason_and_an_end_date_and_shows_beside_the_computed_level() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Override Org", "Override", RiskLevel::Low);
    let path = format!("/api/v1/patients/{}/risk/override", p.id);
    let today = tests::fixtures::org_today();
    app.post(&path)
        .token(&token)
        .json(&json!({"level": "high", "reason": " ", "until": today}))
        .send()
        .expect(422)
        .pipe(|r| assert_eq!(r.invalid_fields(), vec!["reason"]));
    app.post(&path)
        .token(&token)
        .json(&json!({"level": "high", "reason": "Eviction notice", "until": today - Duration::days(2)}))
        .send()
        .expect(422)
        .pipe(|r| assert_eq!(r.invalid_fields(), vec!["until"]));

    let r: Risk = app
        .post(&path)
        .token(&token)
        .json(&json!({"level": "high", "reason": "Eviction notice", "until": today + Duration::days(14)}))
        .send()
        .json_of(200)
        .pipe(|v| serde_json::from_value(v).unwrap());

    assert_eq!(r.level, RiskLevel::High);
    assert_eq!(r.computed_level, RiskLevel::Low);
    let o = r.override_.expect("the override in force");
    assert_eq!(o.reason, "Eviction notice");
    assert!(o.by.is_some());
    assert_eq!(app.audit_of("risk.override").len(), 1);
    assert!(
        alerts_of(&app, &token, p.id)
            .iter()
            .any(|a| a["kind"] == "risk_increase")
    );
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl Pipe for Value {}
impl Pipe for tests::Res {}

#[test]
fn a_care_plan_is_created_then_every_change_is_a_version_and_version_1_stays_readable_with_a_diff()
{
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Plan Org", "Plan", RiskLevel::Low);
    app.get(&plan_path(p.id)).token(&token).send().expect(404);

    let created: CarePlan = app
        .put(&plan_path(p.id))
        .token(&token)
        .json(&json!({
            "needs": [{"domain": "behavioral", "description": "Depression"}],
            "goals": [{"text": "PHQ-9 below 10 by spring", "target_date": "2027-04-30",
                       "measure": {"instrument": "phq9", "comparator": "lt", "value": 10}}],
            "participants": [{"kind": "patient", "name": "Pat Plan", "agreed": true,
                              "agreed_on": tests::fixtures::org_today()}]
        }))
        .send()
        .expect(201)
        .json();
    assert_eq!(created.version, 1);
    assert_eq!(
        created.content.review_due_on,
        tests::fixtures::org_today() + Duration::days(90)
    );
    assert_eq!(created.goal_evaluations[0].met, None);

    let mut goals = serde_json::to_value(&created.content.goals).unwrap();
    goals[0]["text"] = json!("PHQ-9 below 5 by summer");
    goals[0]["measure"]["value"] = json!(5);
    let body = json!({"needs": created.content.needs, "goals": goals,
                      "participants": created.content.participants});
    app.put(&plan_path(p.id))
        .token(&token)
        .json(&body)
        .send()
        .expect(428);
    app.put(&plan_path(p.id))
        .token(&token)
        .header("If-Match", "\"7\"")
        .json(&body)
        .send()
        .expect(412);
    let v2: CarePlan = app
        .put(&plan_path(p.id))
        .token(&token)
        .header("If-Match", "\"1\"")
        .json(&body)
        .send()
        .expect(200)
        .json();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.content.goals[0].id, created.content.goals[0].id);

    let v1: CarePlanVersion = app
        .get(&format!("/api/v1/care-plans/{}/versions/1", created.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(v1.content.goals[0].text, "PHQ-9 below 10 by spring");
    let latest: CarePlanVersion = app
        .get(&format!(
            "/api/v1/care-plans/{}/versions/2?compare_to=1",
            created.id
        ))
        .token(&token)
        .send()
        .expect(200)
        .json();
    assert_eq!(latest.changes.len(), 1, "{:?}", latest.changes);
    assert_eq!(latest.changes[0].change, ChangeKind::Changed);
    assert!(
        latest.changes[0]
            .summary
            .contains("text “PHQ-9 below 10 by spring” → “PHQ-9 below 5 by summer”"),
        "{}",
        latest.changes[0].summary
    );

    let elsewhere = app.team("Elsewhere");
    let other = app.token(&elsewhere.care_manager);
    app.get(&format!("/api/v1/care-plans/{}/versions/1", created.id))
        .token(&other)
        .send()
        .expect(404);
}

#[test]
fn a_review_due_within_two_weeks_opens_a_task_and_completing_the_review_closes_it() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Review Org", "Review", RiskLevel::Low);
    let soon = tests::fixtures::org_today() + Duration::days(5);
    let plan: CarePlan = app
        .put(&plan_path(p.id))
        .token(&token)
        .json(
            &json!({"needs": [{"domain": "food", "description": "Food insecurity"}],
                      "review_due_on": soon}),
        )
        .send()
        .expect(201)
        .json();
    let review = tasks_of(&app, &token, p.id)
        .into_iter()
        .find(|t| t.kind == TaskKind::CarePlanReview)
        .expect("a review task");
    assert_eq!(review.source_type, TaskSource::Schedule);
    assert_eq!(review.status, TaskStatus::Open);

    let done: CarePlan = app
        .put(&plan_path(p.id))
        .token(&token)
        .header("If-Match", &format!("\"{}\"", plan.version))
        .json(&json!({"needs": plan.content.needs,
                      "review": {"outcome": "Food bank enrolled; keep goals"}}))
        .send()
        .expect(200)
        .json();
    let last = done.content.last_review.expect("the review");
    assert_eq!(last.outcome, "Food bank enrolled; keep goals");
    assert_eq!(
        done.content.review_due_on,
        tests::fixtures::org_today() + Duration::days(90)
    );
    let closed = tasks_of(&app, &token, p.id)
        .into_iter()
        .find(|t| t.id == review.id)
        .unwrap();
    assert_eq!(closed.status, TaskStatus::Done);
}

#[test]
fn positive_ahc_hrsn_domains_become_social_needs_on_the_care_plan_and_count_in_risk() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Needs Org", "Needs", RiskLevel::Low);
    screen(
        &app,
        &token,
        p.id,
        json!({"instrument": "ahc_hrsn", "administered_at": now() - Duration::minutes(3),
               "answers": {"1": 0, "2": [2, 7], "3": 1, "4": 0, "5": [], "6": 0,
                           "7": 1, "8": 1, "9": 1, "10": 1}}),
    );
    let plan: CarePlan = app
        .get(&plan_path(p.id))
        .token(&token)
        .send()
        .expect(200)
        .json();
    let domains: Vec<String> = plan
        .content
        .needs
        .iter()
        .map(|n| n.domain.to_string())
        .collect();
    assert_eq!(domains, vec!["housing", "food"]);
    assert!(plan.content.needs.iter().all(|n| n.screening_id.is_some()));
    let r = risk(&app, &token, p.id);
    let social = r
        .factors
        .iter()
        .find(|f| f.code == RiskFactorCode::SocialNeeds)
        .expect("a social-needs factor");
    assert_eq!(social.points, 2);
    assert_eq!(social.description, "2 unmet social needs: Housing, Food");
}

#[test]
fn a_chart_review_turns_two_chosen_gaps_into_tasks_and_counts_its_minutes_as_a_note() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Chart Org", "Chart", RiskLevel::Low);
    let found = gaps(&app, &token, p.id);
    let codes: Vec<GapCode> = found.iter().map(|g| g.code).collect();
    assert_eq!(codes, vec![GapCode::NoCarePlan, GapCode::NoPrimaryCare]);

    let path = format!("/api/v1/patients/{}/chart-reviews", p.id);
    app.post(&path)
        .token(&token)
        .json(&json!({"service_use": "None", "engagement": "engaged",
                      "plan_adherence": "no_plan", "minutes": 10, "gaps": ["made_up"]}))
        .send()
        .expect(422)
        .pipe(|r| assert_eq!(r.invalid_fields(), vec!["gaps[0]"]));

    let review: ChartReview = app
        .post(&path)
        .token(&token)
        .json(
            &json!({"service_use": "No PCP visit this year", "engagement": "engaged",
                      "plan_adherence": "no_plan", "minutes": 25,
                      "gaps": ["no_care_plan", "no_primary_care"]}),
        )
        .send()
        .expect(201)
        .json();

    assert_eq!(review.findings.len(), 2);
    let tasks = tasks_of(&app, &token, p.id);
    for f in &review.findings {
        let t = tasks
            .iter()
            .find(|t| Some(t.id) == f.task_id)
            .expect("the finding's task");
        assert_eq!(t.source_type, TaskSource::ChartReview);
        assert_eq!(t.assignee_id, Some(team.care_manager.id));
    }
    let note: Value = app
        .get(&format!("/api/v1/notes/{}", review.note_id))
        .token(&token)
        .send()
        .json_of(200);
    assert_eq!(note["type"], "chart_review");
    assert_eq!(note["minutes"], 25);
    assert!(note["signed_at"].is_string());
    let listed: Page<ChartReview> = app.get(&path).token(&token).send().expect(200).json();
    assert_eq!(listed.items[0].id, review.id);
    app.post(&path)
        .token(&app.token(&team.viewer))
        .json(&json!({"service_use": "x", "engagement": "engaged",
                      "plan_adherence": "no_plan", "minutes": 5}))
        .send()
        .expect(403);
}

/// A patient of `cm` whose case is active.
fn active_patient(
    app: &TestApp,
    token: &str,
    family: &str,
    cm: &tests::fixtures::TestUser,
) -> PatientId {
    let mut new = new_patient("Ana", family);
    new.primary_care_manager_id = Some(cm.id);
    new.status = Some(CaseStatus::Active);
    app.create_patient(token, &new).id
}

fn scheduler(app: &TestApp, at: DateTime<Utc>) -> Option<api::scheduler::Report> {
    app.conn()
        .transaction(|conn| api::scheduler::run_once(conn, at, "test"))
        .expect("a scheduler pass")
}

fn screening_due(app: &TestApp, token: &str, patient: PatientId) -> Vec<shared::tasks::Task> {
    tasks_of(app, token, patient)
        .into_iter()
        .filter(|t| t.kind == TaskKind::ScreeningDue && t.source_type == TaskSource::Schedule)
        .collect()
}

#[test]
fn the_scheduler_asks_for_a_routine_phq9_ninety_days_after_the_last_one_once_per_cycle() {
    let app = TestApp::spawn();
    let team = app.team("Clock Org");
    let token = app.token(&team.care_manager);
    let p = active_patient(&app, &token, "Clock", &team.care_manager);
    let given = now() - Duration::days(10);
    let s = screen(&app, &token, p, phq9([1, 1, 0, 0, 0, 0, 0, 0, 0], given));

    scheduler(&app, now());
    assert!(screening_due(&app, &token, p).is_empty(), "not due yet");

    let later = given + Duration::days(91);
    let report = scheduler(&app, later).expect("the lock was free");
    assert_eq!(report.tasks_opened, 1);
    scheduler(&app, later + Duration::hours(1));
    let due = screening_due(&app, &token, p);
    assert_eq!(due.len(), 1, "once per cycle");
    assert!(
        due[0]
            .details
            .as_deref()
            .unwrap()
            .contains("one is due every 90 days")
    );
    let audited = app.audit_of("task.scheduled");
    assert_eq!(audited.len(), 1, "the scheduler's task is audited");
    assert_eq!(audited[0].actor_type, "system");
    assert_eq!(audited[0].patient_id, Some(p.get()));
    let _ = s;

    // A new PHQ-9 fulfils it.
    screen(&app, &token, p, phq9([0; 9], now() - Duration::minutes(1)));
    let closed = tasks_of(&app, &token, p)
        .into_iter()
        .find(|t| t.id == due[0].id)
        .unwrap();
    assert_eq!(closed.status, TaskStatus::Done);
}

#[test]
fn the_scheduler_opens_the_six_month_window_phq9_after_an_index_above_nine() {
    let app = TestApp::spawn();
    let team = app.team("Window Org");
    let token = app.token(&team.care_manager);
    let p = active_patient(&app, &token, "Window", &team.care_manager);
    let index_at = now() - Duration::days(150);
    screen(&app, &token, p, phq9([2, 2, 2, 2, 1, 1, 1, 1, 0], index_at));
    screen(
        &app,
        &token,
        p,
        phq9([1, 1, 1, 1, 0, 0, 0, 0, 0], now() - Duration::days(40)),
    );

    scheduler(&app, now());

    let due = screening_due(&app, &token, p);
    assert_eq!(due.len(), 1, "{due:#?}");
    assert!(
        due[0]
            .details
            .as_deref()
            .unwrap()
            .starts_with("6-month follow-up PHQ-9 after an index PHQ-9 of 12"),
        "{:?}",
        due[0].details
    );
}

#[test]
fn a_second_scheduler_pass_while_one_runs_is_skipped() {
    let app = TestApp::spawn();
    let mut holder = app.conn();
    holder
        .transaction(|conn| {
            let first = api::scheduler::run_once(conn, now(), "first")?;
            assert!(first.is_some());
            let second = scheduler(&app, now());
            assert!(second.is_none(), "the lock is held by the first pass");
            Ok::<_, api::error::ApiError>(())
        })
        .expect("passes");
    assert!(scheduler(&app, now()).is_some(), "free again once it ends");
}
