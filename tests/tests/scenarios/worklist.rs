//! Tasks and the prioritized worklist: order, who may see and reassign
//! what, versions, outreach on a task, the supervisor view.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use shared::ids::{PatientId, TaskId, UserId};
use shared::risk::RiskLevel;
use shared::tasks::{Task, TaskKind, TaskStatus};
use shared::worklist::{Entry, WorklistItem, band_of, rank, risk_rank};
use strum::VariantArray;
use tests::fixtures::Team;
use tests::{TestApp, http_proptest_config};
use uuid::Uuid;

use crate::care::{
    Scene, appointment, discharge, manual_task, mark_missed, now, patient_of, scene, task, worklist,
};

#[test]
fn the_worklist_puts_transitions_first_then_missed_appointments_then_other_work_by_patient_risk() {
    let app = TestApp::spawn();
    let team = app.team("Order Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let low = patient_of(&app, &token, cm, "Low", RiskLevel::Low);
    let very_high = patient_of(&app, &token, cm, "Veryhigh", RiskLevel::VeryHigh);
    let moderate = patient_of(&app, &token, cm, "Moderate", RiskLevel::Moderate);

    let review_low = manual_task(
        &app,
        &token,
        low.id,
        cm.id,
        "care_plan_review",
        now() + Duration::hours(2),
    );
    let review_very_high = manual_task(
        &app,
        &token,
        very_high.id,
        cm.id,
        "chart_review",
        now() + Duration::days(3),
    );
    let overdue_referral = manual_task(
        &app,
        &token,
        low.id,
        cm.id,
        "referral_followup",
        now() - Duration::hours(1),
    );
    let appt = appointment(&app, &token, moderate.id, now() - Duration::hours(3));
    let missed = mark_missed(&app, &token, &appt);
    let missed_task = missed["followup_task_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let recent = discharge(&app, &token, low.id, now() - Duration::hours(2))
        .followup_task_id
        .unwrap();
    let overdue = discharge(&app, &token, moderate.id, now() - Duration::hours(30))
        .followup_task_id
        .unwrap();

    let items = worklist(&app, &token, None);
    let order: Vec<_> = items.iter().map(|i| i.task.id).collect();
    assert_eq!(
        order,
        vec![
            overdue,
            recent,
            missed_task,
            // Band 4: by patient risk, overdue first within a risk level.
            review_very_high.id,
            overdue_referral.id,
            review_low.id,
        ],
        "{:#?}",
        items
            .iter()
            .map(|i| (&i.task.title, i.band, i.overdue))
            .collect::<Vec<_>>()
    );
    let bands: Vec<u8> = items.iter().map(|i| i.band).collect();
    assert_eq!(bands, vec![2, 2, 3, 4, 4, 4]);
    assert!(items[0].overdue && !items[1].overdue);
    assert!(
        items[0].reason.contains("Cascade Behavioral Health"),
        "{}",
        items[0].reason
    );
    assert_eq!(items[2].patient.name, "Moderate, Pat");
    assert_eq!(items[3].patient.risk_level, RiskLevel::VeryHigh);
    assert!(items[4].overdue && !items[5].overdue);
    assert_eq!(
        app.audit_of("worklist.read").len(),
        3,
        "one audit row per page read"
    );
}

#[test]
fn a_care_manager_cannot_read_another_care_managers_worklist_but_a_supervisor_can() {
    let app = TestApp::spawn();
    let team = app.team("Visibility Org");
    let other = app.user(&team.org, shared::auth::Role::CareManager);
    let token = app.token(&team.care_manager);
    let p = patient_of(&app, &token, &team.care_manager, "Visible", RiskLevel::Low);
    manual_task(&app, &token, p.id, team.care_manager.id, "outreach", now());

    let res = app
        .get(&format!(
            "/api/v1/worklist?user_id={}",
            team.care_manager.id
        ))
        .token(&app.token(&other))
        .send();
    assert_eq!(res.status, 403);
    let seen = worklist(
        &app,
        &app.token(&team.supervisor),
        Some(team.care_manager.id),
    );
    assert_eq!(seen.len(), 1);
}

#[test]
fn only_supervisors_reassign_a_task_to_someone_else() {
    let app = TestApp::spawn();
    let team = app.team("Reassign Org");
    let colleague = app.user(&team.org, shared::auth::Role::CareManager);
    let token = app.token(&team.care_manager);
    let p = patient_of(
        &app,
        &token,
        &team.care_manager,
        "Reassigned",
        RiskLevel::Low,
    );
    let t = manual_task(&app, &token, p.id, team.care_manager.id, "outreach", now());

    let refused = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"assignee_id": colleague.id, "version": t.version}))
        .send();
    assert_eq!(refused.status, 403);
    let moved: Task = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&app.token(&team.supervisor))
        .json(&json!({"assignee_id": colleague.id, "version": t.version}))
        .send()
        .expect(200)
        .json();
    assert_eq!(moved.assignee_id, Some(colleague.id));
    assert!(worklist(&app, &token, None).is_empty());
    assert_eq!(worklist(&app, &app.token(&colleague), None).len(), 1);
}

#[test]
fn a_task_change_with_a_stale_version_is_a_412_and_one_without_a_version_is_a_428() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Versioned Task Org", "Versioned", RiskLevel::Low);
    let t = manual_task(&app, &token, p.id, team.care_manager.id, "outreach", now());
    let started: Task = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "in_progress", "version": t.version}))
        .send()
        .expect(200)
        .json();
    assert_eq!(started.version, t.version + 1);
    let stale = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "cancelled", "cancel_reason": "dup", "version": t.version}))
        .send();
    assert_eq!(stale.status, 412);
    let unversioned = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "cancelled", "cancel_reason": "dup"}))
        .send();
    assert_eq!(unversioned.status, 428);
    assert_eq!(task(&app, &token, t.id).status, TaskStatus::InProgress);
}

#[test]
fn cancelling_a_task_needs_a_reason() {
    let Scene {
        app,
        team,
        token,
        patient: p,
    } = scene("Cancel Org", "Cancelled", RiskLevel::Low);
    let t = manual_task(&app, &token, p.id, team.care_manager.id, "outreach", now());
    let res = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "cancelled", "version": t.version}))
        .send()
        .expect(422);
    assert_eq!(res.invalid_fields(), vec!["cancel_reason"]);
    let done: Task = app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&token)
        .json(&json!({"status": "cancelled", "cancel_reason": "Duplicate of another task", "version": t.version}))
        .send()
        .expect(200)
        .json();
    assert_eq!(
        done.cancel_reason.as_deref(),
        Some("Duplicate of another task")
    );
}

#[test]
fn three_failed_outreach_attempts_on_a_task_show_on_the_task_and_its_worklist_reason() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Outreach Org", "Unreached", RiskLevel::High);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(3));
    let task_id = e.followup_task_id.unwrap();
    for outcome in ["no_answer", "left_message", "wrong_number"] {
        app.post(&format!("/api/v1/patients/{}/outreach-attempts", p.id))
            .token(&token)
            .json(&json!({"task_id": task_id, "method": "phone", "outcome": outcome}))
            .send()
            .expect(201);
    }
    let t = task(&app, &token, task_id);
    assert_eq!(t.failed_outreach_attempts, 3);
    assert!(t.outreach_struggling());
    assert_eq!(
        t.status,
        TaskStatus::InProgress,
        "logging outreach starts the task"
    );
    let item = &worklist(&app, &token, None)[0];
    assert!(
        item.reason.contains("3 outreach attempts"),
        "{}",
        item.reason
    );
    assert_eq!(app.audit_of("outreach.create").len(), 3);
}

#[test]
fn outreach_attempts_written_straight_to_the_database_count_on_their_task_and_cannot_be_changed() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Outreach Copy Org", "Imported", RiskLevel::High);
    let e = discharge(&app, &token, p.id, now() - Duration::hours(3));
    let task_id = e.followup_task_id.unwrap();
    // An import or a bulk load, not the API: the database keeps the task's
    // copy of its attempts' outcomes itself.
    let mut conn = app.conn();
    diesel::sql_query(
        "INSERT INTO outreach_attempts
                (id, organization_id, patient_id, task_id, method, outcome, occurred_at)
         SELECT gen_random_uuid(), t.organization_id, t.patient_id, t.id, 'phone', o.outcome, now()
           FROM tasks t, unnest(ARRAY['reached', 'no_answer', 'left_message']) AS o(outcome)
          WHERE t.id = $1",
    )
    .bind::<SqlUuid, _>(task_id.get())
    .execute(&mut conn)
    .unwrap();
    let t = task(&app, &token, task_id);
    assert_eq!((t.outreach_attempts, t.failed_outreach_attempts), (3, 2));
    assert_eq!(
        worklist(&app, &token, None)[0].task.outreach_attempts,
        3,
        "the worklist reads the same copy"
    );
    for change in [
        "UPDATE outreach_attempts SET outcome = 'reached'",
        "DELETE FROM outreach_attempts",
    ] {
        let err = diesel::sql_query(change).execute(&mut conn).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{change}: {err}");
    }
    let t = task(&app, &token, task_id);
    assert_eq!((t.outreach_attempts, t.failed_outreach_attempts), (3, 2));
}

#[test]
fn sharing_information_with_a_contact_needs_their_consent_for_that_scope() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Consent Org", "Consent", RiskLevel::Low);
    let today = now().date_naive();
    let contact: Value = app
        .post(&format!("/api/v1/patients/{}/contacts", p.id))
        .token(&token)
        .json(&json!({
            "name": "Ana Morales", "relationship": "parent", "phone": "503-555-0142",
            "emergency_contact": true,
            "consent": {"scope": "appointments", "starts_on": today - Duration::days(10)},
        }))
        .send()
        .expect(201)
        .json();
    let attempt = |scope: &str| {
        app.post(&format!("/api/v1/patients/{}/outreach-attempts", p.id))
            .token(&token)
            .json(&json!({"contact_id": contact["id"], "shared_scope": scope, "method": "phone", "outcome": "reached"}))
            .send()
    };
    assert_eq!(attempt("appointments").status, 201);
    let refused = attempt("behavioral_health").expect(422);
    assert_eq!(refused.invalid_fields(), vec!["shared_scope"]);
}

#[test]
fn the_supervisor_view_counts_each_care_managers_open_overdue_and_due_today_tasks() {
    let app = TestApp::spawn();
    let team = app.team("Workload Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let mut new = tests::fixtures::new_patient("Pat", "Loaded");
    new.primary_care_manager_id = Some(cm.id);
    new.status = Some(shared::case_status::CaseStatus::Active);
    let p = app.create_patient(&token, &new);
    let dues = [
        manual_task(
            &app,
            &token,
            p.id,
            cm.id,
            "outreach",
            now() - Duration::days(2),
        )
        .due_at,
        manual_task(
            &app,
            &token,
            p.id,
            cm.id,
            "outreach",
            now() + Duration::days(9),
        )
        .due_at,
        manual_task(
            &app,
            &token,
            p.id,
            cm.id,
            "outreach",
            now() + Duration::minutes(1),
        )
        .due_at,
        task(
            &app,
            &token,
            discharge(&app, &token, p.id, now() - Duration::hours(30))
                .followup_task_id
                .unwrap(),
        )
        .due_at,
    ];
    let at = now();
    let due_today = dues
        .iter()
        .filter(|d| shared::calendar::is_same_local_day(**d, at, &chrono_tz::America::Los_Angeles))
        .count();

    let refused = app.get("/api/v1/team/workload").token(&token).send();
    assert_eq!(
        refused.status, 403,
        "care managers do not see the team view"
    );
    let page: Value = app
        .get("/api/v1/team/workload")
        .token(&app.token(&team.supervisor))
        .send()
        .expect(200)
        .json();
    let row = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["user_id"] == json!(cm.id))
        .unwrap()
        .clone();
    assert_eq!(row["open_tasks"], 4);
    assert_eq!(row["overdue_tasks"], 2);
    assert_eq!(row["active_patients"], 1);
    assert_eq!(
        row["due_today"], due_today,
        "due today on the organization's calendar"
    );
}

#[test]
fn a_rule_task_kind_cannot_be_created_by_hand() {
    let Scene {
        app,
        token,
        patient: p,
        ..
    } = scene("Manual Org", "Manual", RiskLevel::Low);
    let res = app
        .post("/api/v1/tasks")
        .token(&token)
        .json(&json!({"patient_id": p.id, "kind": TaskKind::TransitionFollowup, "title": "x", "due_at": now()}))
        .send()
        .expect(422);
    assert_eq!(res.invalid_fields(), vec!["kind"]);
}

/// One generated open task: its kind, its patient's risk, when it is due
/// (whole hours from now, so several share a due time and the id breaks
/// the tie) and whether work on it has started.
#[derive(Debug, Clone)]
struct GeneratedTask {
    kind: TaskKind,
    risk: RiskLevel,
    due_in_hours: i64,
    in_progress: bool,
}

fn generated_task() -> impl Strategy<Value = GeneratedTask> {
    (
        proptest::sample::select(TaskKind::VARIANTS),
        proptest::sample::select(RiskLevel::VARIANTS),
        -72_i64..72,
        any::<bool>(),
    )
        .prop_map(|(kind, risk, due_in_hours, in_progress)| GeneratedTask {
            kind,
            risk,
            due_in_hours,
            in_progress,
        })
}

/// Stores `tasks` for `cm` straight in the database (rule-made kinds cannot
/// be created through the API), each on a patient of its risk level, beside
/// work that must not show: a finished task and a colleague's task.
fn store_tasks(app: &TestApp, team: &Team, tasks: &[GeneratedTask]) -> Vec<Uuid> {
    let token = app.token(&team.care_manager);
    let patients: HashMap<RiskLevel, PatientId> = RiskLevel::VARIANTS
        .iter()
        .map(|risk| {
            let family = format!("Risk{}", risk.as_ref().replace('_', ""));
            (
                *risk,
                patient_of(app, &token, &team.care_manager, &family, *risk).id,
            )
        })
        .collect();
    let mut conn = app.conn();
    let mut insert = |task: &GeneratedTask, assignee: UserId, status: &str| {
        let id = Uuid::new_v4();
        diesel::sql_query(
            "INSERT INTO tasks (id, organization_id, patient_id, assignee_id, kind, title, due_at, status, source_type)
             VALUES ($1, $2, $3, $4, $5, 'Generated', $6, $7, 'manual')",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(team.org.id.get())
        .bind::<SqlUuid, _>(patients[&task.risk].get())
        .bind::<SqlUuid, _>(assignee.get())
        .bind::<Text, _>(task.kind.as_ref())
        .bind::<Timestamptz, _>(whole_hour() + Duration::hours(task.due_in_hours))
        .bind::<Text, _>(status)
        .execute(&mut conn)
        .expect("insert a generated task");
        id
    };
    let open = tasks
        .iter()
        .map(|t| {
            insert(
                t,
                team.care_manager.id,
                if t.in_progress { "in_progress" } else { "open" },
            )
        })
        .collect();
    if let Some(first) = tasks.first() {
        insert(first, team.care_manager.id, "done");
        insert(first, team.supervisor.id, "open");
    }
    open
}

/// The top of the current hour: generated due times fall on whole hours of it.
fn whole_hour() -> DateTime<Utc> {
    let t = now();
    t - Duration::seconds(i64::from(t.minute() * 60 + t.second()))
        - Duration::nanoseconds(i64::from(t.nanosecond()))
}

/// The worklist walked in pages of `limit`.
fn walk(app: &TestApp, token: &str, limit: usize) -> Vec<WorklistItem> {
    app.walk(
        token,
        &format!("/api/v1/worklist?limit={limit}"),
        |i: &WorklistItem| i.task.id,
    )
}

#[test]
fn the_worklist_walked_page_by_page_is_in_rank_order_for_any_tasks_page_size_and_time() {
    let app = TestApp::spawn();
    let cases = std::sync::atomic::AtomicU32::new(0);
    let mut runner = TestRunner::new(http_proptest_config(24));
    runner
        .run(
            &(
                proptest::collection::vec(generated_task(), 0..40),
                1_usize..9,
            ),
            |(tasks, limit)| {
                let case = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let team = app.team(&format!("Rank Org {case}"));
                let stored = store_tasks(&app, &team, &tasks);
                let token = app.token(&team.care_manager);
                let walked = walk(&app, &token, limit);
                let walked_ids: Vec<TaskId> = walked.iter().map(|i| i.task.id).collect();

                // Exactly the care manager's open work, each task once.
                let mut got: Vec<Uuid> = walked_ids.iter().map(|id| id.get()).collect();
                let mut want = stored.clone();
                got.sort();
                want.sort();
                prop_assert_eq!(got, want);

                // `rank` over the same entries, handed over in reverse, orders
                // them the same way at any time: before every due time, at
                // each due time, just after it, and long after the last.
                let entries: Vec<Entry> = walked
                    .iter()
                    .rev()
                    .map(|i| Entry {
                        task: i.task.clone(),
                        patient: i.patient.clone(),
                        disengaged: false,
                        open_barriers: Vec::new(),
                    })
                    .collect();
                let mut times = vec![
                    whole_hour() - Duration::days(30),
                    now(),
                    whole_hour() + Duration::days(30),
                ];
                for t in tasks.iter().take(6) {
                    let due = whole_hour() + Duration::hours(t.due_in_hours);
                    times.extend([due, due + Duration::microseconds(1)]);
                }
                for at in times {
                    let ranked: Vec<TaskId> = rank(entries.clone(), at, &|t| t.to_rfc3339())
                        .iter()
                        .map(|i| i.task.id)
                        .collect();
                    prop_assert_eq!(&ranked, &walked_ids, "ranked at {}", at);
                }
                Ok(())
            },
        )
        .unwrap();
}

#[derive(diesel::QueryableByName)]
struct Rank {
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    rank: i16,
}

#[test]
fn the_database_bands_every_task_kind_and_ranks_every_risk_level_as_shared_does() {
    let app = TestApp::spawn();
    let mut conn = app.conn();
    let mut of = |sql: &str, code: &str| -> i16 {
        diesel::sql_query(sql)
            .bind::<Text, _>(code)
            .get_result::<Rank>(&mut conn)
            .expect("rank a code")
            .rank
    };
    for kind in TaskKind::VARIANTS {
        assert_eq!(
            of("SELECT worklist_band($1) AS rank", kind.as_ref()),
            i16::from(band_of(*kind)),
            "the band of {kind:?}"
        );
    }
    for level in RiskLevel::VARIANTS {
        assert_eq!(
            of("SELECT worklist_risk_rank($1) AS rank", level.as_ref()),
            i16::from(risk_rank(*level)),
            "the rank of {level:?}"
        );
    }
}

#[test]
fn a_patients_risk_change_moves_their_open_work_in_the_worklist_at_once() {
    let app = TestApp::spawn();
    let team = app.team("Rerank Org");
    let cm = &team.care_manager;
    let token = app.token(cm);
    let first = patient_of(&app, &token, cm, "First", RiskLevel::Moderate);
    let second = patient_of(&app, &token, cm, "Second", RiskLevel::Moderate);
    let soon = manual_task(
        &app,
        &token,
        first.id,
        cm.id,
        "outreach",
        now() + Duration::hours(1),
    );
    let later = manual_task(
        &app,
        &token,
        second.id,
        cm.id,
        "outreach",
        now() + Duration::days(2),
    );
    let ids = |items: Vec<WorklistItem>| items.iter().map(|i| i.task.id).collect::<Vec<_>>();
    assert_eq!(ids(worklist(&app, &token, None)), vec![soon.id, later.id]);

    // A level written on the record (the assessed level).
    app.patch(&format!("/api/v1/patients/{}", second.id))
        .token(&token)
        .header("if-match", "W/\"1\"")
        .json(&json!({"risk_level": "very_high"}))
        .send()
        .expect(200);
    assert_eq!(
        ids(worklist(&app, &token, None)),
        vec![later.id, soon.id],
        "the very-high-risk patient's work comes first"
    );

    // And a level the rules compute: a severe PHQ-9 with thoughts of self-harm.
    let answers: serde_json::Map<String, Value> = [3, 3, 3, 3, 2, 2, 2, 2, 2]
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1).to_string(), json!(v)))
        .collect();
    app.post(&format!("/api/v1/patients/{}/screenings", first.id))
        .token(&token)
        .json(&json!({"instrument": "phq9", "administered_at": now() - Duration::minutes(5), "answers": answers}))
        .send()
        .expect(201);
    let fourth: Vec<TaskId> = worklist(&app, &token, None)
        .iter()
        .filter(|i| i.band == 4)
        .map(|i| i.task.id)
        .collect();
    assert_eq!(
        fourth,
        vec![soon.id, later.id],
        "both patients are very high now; the earlier due comes first"
    );
}
