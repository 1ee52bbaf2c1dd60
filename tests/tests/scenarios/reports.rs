//! Reports against a hand-built October (organization in Los Angeles):
//! every figure is known in advance, including the records just either
//! side of a local midnight, a client in two programs, another
//! organization's records, and CSV that says what the JSON says.

use serde_json::{Value, json};
use shared::auth::{Role, Scope};
use tests::TestApp;
use tests::fixtures::{Team, new_patient};
use uuid::Uuid;

const OCTOBER: &str = "from=2026-10-01&to=2026-10-31";

struct Month {
    app: TestApp,
    team: Team,
    supervisor: String,
    cm_b: Uuid,
    /// cm A's: active, high risk.
    p1: Uuid,
    /// cm A's: intake, low risk.
    p2: Uuid,
    /// cm B's: on hold, moderate.
    p3: Uuid,
    /// cm B's: closed in October.
    p4: Uuid,
    /// Nobody's: active, very high.
    p5: Uuid,
}

pub(crate) fn sql(app: &TestApp, statement: &str) {
    use diesel::RunQueryDsl;
    diesel::sql_query(statement)
        .execute(&mut app.conn())
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

pub(crate) fn patient(
    app: &TestApp,
    token: &str,
    cm: Option<Uuid>,
    status: &str,
    risk: &str,
) -> Uuid {
    let mut new = new_patient("Test", "Client");
    new.primary_care_manager_id = cm.map(Into::into);
    let id = app.create_patient(token, &new).id.get();
    sql(
        app,
        &format!(
            "UPDATE patients SET status = '{status}', risk_level = '{risk}' WHERE id = '{id}'"
        ),
    );
    id
}

fn status_change(app: &TestApp, org: Uuid, p: Uuid, from: Option<&str>, to: &str, at: &str) {
    let from = from.map_or("NULL".to_owned(), |f| format!("'{f}'"));
    sql(
        app,
        &format!(
            "INSERT INTO patient_status_changes (id, organization_id, patient_id, from_status, to_status, changed_at)
             VALUES (gen_random_uuid(), '{org}', '{p}', {from}, '{to}', '{at}')"
        ),
    );
}

/// A discharge and its follow-up task, done at `done` (or still open).
pub(crate) fn discharge(
    app: &TestApp,
    org: Uuid,
    p: Uuid,
    kind: &str,
    at: &str,
    done: Option<&str>,
) {
    let (status, completed) = match done {
        Some(t) => ("done", format!("'{t}'")),
        None => ("open", "NULL".to_owned()),
    };
    let (encounter, task) = (Uuid::new_v4(), Uuid::new_v4());
    sql(
        app,
        &format!(
            "INSERT INTO tasks (id, organization_id, patient_id, kind, title, due_at, status, completed_at, source_type, source_id)
             VALUES ('{task}', '{org}', '{p}', 'transition_followup', 'Follow up', timestamptz '{at}' + interval '1 day',
                     '{status}', {completed}, 'encounter', '{encounter}')"
        ),
    );
    sql(
        app,
        &format!(
            "INSERT INTO encounters (id, organization_id, patient_id, kind, facility, admitted_at, discharged_at, source, followup_task_id)
             VALUES ('{encounter}', '{org}', '{p}', '{kind}', 'Mercy', timestamptz '{at}' - interval '3 days', '{at}', 'manual', '{task}')"
        ),
    );
}

pub(crate) fn appointment(app: &TestApp, org: Uuid, p: Uuid, at: &str, status: &str) {
    sql(
        app,
        &format!(
            "INSERT INTO appointments (id, organization_id, patient_id, provider_name, kind, scheduled_at, status, source)
             VALUES (gen_random_uuid(), '{org}', '{p}', 'Dr. Okafor', 'therapy', '{at}', '{status}', 'manual')"
        ),
    );
}

fn note(app: &TestApp, org: Uuid, p: Uuid, author: Uuid, kind: &str, minutes: i32, at: &str) {
    sql(
        app,
        &format!(
            "INSERT INTO notes (id, organization_id, patient_id, author_id, note_type, body, minutes, occurred_at)
             VALUES (gen_random_uuid(), '{org}', '{p}', '{author}', '{kind}', 'Worked', {minutes}, '{at}')"
        ),
    );
}

pub(crate) fn screening(
    app: &TestApp,
    org: Uuid,
    p: Uuid,
    instrument: &str,
    positive: bool,
    at: &str,
    in_error: bool,
) {
    let (error, reason) = if in_error {
        ("now()", "'Wrong patient'")
    } else {
        ("NULL", "NULL")
    };
    sql(
        app,
        &format!(
            "INSERT INTO screenings (id, organization_id, patient_id, instrument, administered_at, total, severity, positive, scored, entered_in_error_at, entered_in_error_reason)
             VALUES (gen_random_uuid(), '{org}', '{p}', '{instrument}', '{at}', 12, 'moderate', {positive}, '{{}}', {error}, {reason})"
        ),
    );
}

/// A referral made at `created`, now at `status`, with optional times and rating.
struct Ref<'a> {
    patient: Uuid,
    created: &'a str,
    status: &'a str,
    completed: Option<&'a str>,
    closed: Option<&'a str>,
    rating: Option<i16>,
    barriers: &'a [&'a str],
}

fn referral(app: &TestApp, org: Uuid, provider: Uuid, r: &Ref<'_>) {
    let t = |v: Option<&str>| v.map_or("NULL".to_owned(), |s| format!("'{s}'"));
    let rating = r.rating.map_or("NULL".to_owned(), |n| n.to_string());
    let id = Uuid::new_v4();
    sql(
        app,
        &format!(
            "INSERT INTO referrals (id, organization_id, patient_id, provider_id, service, priority, reason, due_date, status,
                                    completed_at, closed_at, satisfaction_rating, created_at, updated_at)
             VALUES ('{id}', '{org}', '{p}', '{provider}', 'outpatient_therapy', 'routine', 'Therapy', '2026-10-30', '{status}',
                     {completed}, {closed}, {rating}, '{created}', '{created}')",
            p = r.patient,
            status = r.status,
            completed = t(r.completed),
            closed = t(r.closed),
            created = r.created,
        ),
    );
    for kind in r.barriers {
        sql(
            app,
            &format!(
                "INSERT INTO referral_barriers (id, organization_id, referral_id, patient_id, kind, created_at)
                 VALUES (gen_random_uuid(), '{org}', '{id}', '{p}', '{kind}', '{created}')",
                p = r.patient,
                created = r.created,
            ),
        );
    }
}

fn october() -> Month {
    let app = TestApp::spawn();
    let team = app.team("Reports");
    let supervisor = app.token(&team.supervisor);
    let cm_a = team.care_manager.id.get();
    let cm_b = app.user(&team.org, Role::CareManager).id.get();
    let p1 = patient(&app, &supervisor, Some(cm_a), "active", "high");
    let p2 = patient(&app, &supervisor, Some(cm_a), "intake", "low");
    let p3 = patient(&app, &supervisor, Some(cm_b), "on_hold", "moderate");
    let p4 = patient(&app, &supervisor, Some(cm_b), "closed", "low");
    let p5 = patient(&app, &supervisor, None, "active", "very_high");

    let m = Month {
        app,
        team,
        supervisor,
        cm_b,
        p1,
        p2,
        p3,
        p4,
        p5,
    };
    m.casework();
    m.referrals();
    m
}

impl Month {
    /// Status changes, discharges, appointments, notes and screenings.
    fn casework(&self) {
        let Month {
            app,
            p1,
            p2,
            p3,
            p4,
            p5,
            cm_b,
            ..
        } = self;
        let (app, p1, p2, p3, p4, p5, cm_b) = (app, *p1, *p2, *p3, *p4, *p5, *cm_b);
        let org = self.team.org.id.get();
        let cm_a = self.cm_a();
        // 00:30 on Oct 1 in Los Angeles (in) and 23:30 on Sep 30 (out).
        status_change(
            app,
            org,
            p1,
            Some("referred"),
            "intake",
            "2026-10-01T07:30:00Z",
        );
        status_change(app, org, p2, None, "intake", "2026-10-01T06:30:00Z");
        // 23:30 on Oct 31 in Los Angeles: still October.
        status_change(
            app,
            org,
            p4,
            Some("active"),
            "closed",
            "2026-11-01T06:30:00Z",
        );

        discharge(
            app,
            org,
            p1,
            "inpatient_psych",
            "2026-10-10T18:00:00Z",
            Some("2026-10-11T17:00:00Z"),
        );
        discharge(
            app,
            org,
            p2,
            "ed",
            "2026-10-12T00:00:00Z",
            Some("2026-10-13T01:00:00Z"),
        );
        discharge(
            app,
            org,
            p3,
            "inpatient_psych",
            "2026-10-20T12:00:00Z",
            None,
        );
        // Sep 30 in Los Angeles.
        discharge(
            app,
            org,
            p5,
            "ed",
            "2026-10-01T06:59:00Z",
            Some("2026-10-01T08:00:00Z"),
        );

        appointment(app, org, p1, "2026-10-05T17:00:00Z", "attended");
        appointment(app, org, p1, "2026-10-08T17:00:00Z", "missed");
        appointment(app, org, p1, "2026-10-20T17:00:00Z", "missed");
        appointment(app, org, p1, "2026-10-21T17:00:00Z", "cancelled");
        appointment(app, org, p2, "2026-10-15T17:00:00Z", "attended");
        appointment(app, org, p3, "2026-09-25T17:00:00Z", "missed");
        appointment(app, org, p3, "2026-10-02T17:00:00Z", "missed");

        note(
            app,
            org,
            p1,
            cm_a,
            "care_coordination",
            60,
            "2026-10-05T16:00:00Z",
        );
        note(app, org, p1, cm_a, "outreach", 20, "2026-10-05T18:00:00Z");
        note(
            app,
            org,
            p2,
            cm_a,
            "administrative",
            20,
            "2026-10-05T19:00:00Z",
        );
        // 23:30 on Oct 5 in Los Angeles.
        note(app, org, p2, cm_a, "education", 10, "2026-10-06T06:30:00Z");
        note(
            app,
            org,
            p3,
            cm_b,
            "administrative",
            30,
            "2026-10-07T17:00:00Z",
        );

        self.screenings();
    }

    /// Screenings: one PHQ-9 entered in error.
    fn screenings(&self) {
        let (app, p1, p2, p3) = (&self.app, self.p1, self.p2, self.p3);
        let org = self.team.org.id.get();
        screening(app, org, p1, "phq9", true, "2026-10-03T17:00:00Z", false);
        screening(app, org, p1, "phq9", false, "2026-10-25T17:00:00Z", false);
        screening(app, org, p2, "gad7", true, "2026-10-04T17:00:00Z", false);
        screening(app, org, p3, "phq9", true, "2026-10-05T17:00:00Z", true);
    }

    /// Four referrals to one provider, one of them made in September.
    fn referrals(&self) {
        let (app, p1, p3) = (&self.app, self.p1, self.p3);
        let org = self.team.org.id.get();
        let admin = app.token(&self.team.admin);
        let provider: Value = app
            .post("/api/v1/providers")
            .token(&admin)
            .json(&json!({"name": "Harbor Counseling", "kind": "organization"}))
            .send()
            .expect(201)
            .json();
        let provider: Uuid = provider["id"].as_str().unwrap().parse().unwrap();
        let made = |r: Ref<'_>| referral(app, org, provider, &r);
        made(Ref {
            patient: p1,
            created: "2026-10-02T17:00:00Z",
            status: "closed",
            completed: Some("2026-10-10T17:00:00Z"),
            closed: Some("2026-10-12T17:00:00Z"),
            rating: Some(5),
            barriers: &[],
        });
        made(Ref {
            patient: p1,
            created: "2026-10-03T17:00:00Z",
            status: "declined",
            completed: None,
            closed: None,
            rating: None,
            barriers: &["transportation"],
        });
        made(Ref {
            patient: p3,
            created: "2026-10-05T17:00:00Z",
            status: "sent",
            completed: None,
            closed: None,
            rating: None,
            barriers: &["cost", "other"],
        });
        made(Ref {
            patient: p3,
            created: "2026-09-01T17:00:00Z",
            status: "completed",
            completed: Some("2026-10-15T17:00:00Z"),
            closed: None,
            rating: Some(3),
            barriers: &[],
        });
    }

    fn report(&self, name: &str, extra: &str) -> Value {
        self.app
            .get(&format!("/api/v1/reports/{name}?{OCTOBER}{extra}"))
            .token(&self.supervisor)
            .send()
            .expect(200)
            .json()
    }

    /// The row of care manager `cm` (`None`: unassigned) with `key = value`, if any.
    fn row<'a>(report: &'a Value, cm: Option<Uuid>, dim: Option<(&str, &str)>) -> &'a Value {
        let cm = cm.map_or(Value::Null, |c| json!(c.to_string()));
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group_id"] == cm && dim.is_none_or(|(k, v)| r[k] == v))
            .unwrap_or_else(|| panic!("no row {cm} {dim:?} in {report:#}"))
    }

    fn cm_a(&self) -> Uuid {
        self.team.care_manager.id.get()
    }
}

fn figures(row: &Value, keys: &[&str]) -> Vec<Value> {
    keys.iter().map(|k| row[*k].clone()).collect()
}

#[test]
fn the_caseload_report_counts_clients_by_status_and_risk_and_cases_opened_and_closed_on_local_days()
{
    let m = october();
    let r = m.report("caseload", "");
    assert_eq!(r["report"], "caseload");
    assert_eq!(
        r["period"],
        json!({"from": "2026-10-01", "to": "2026-10-31"})
    );
    let keys = [
        "intake",
        "active",
        "on_hold",
        "risk_low",
        "risk_moderate",
        "risk_high",
        "risk_very_high",
        "opened",
        "closed",
    ];
    // p2's intake at 23:30 on Sep 30 local time is not October's.
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_a()), None), &keys),
        json!([1, 1, 0, 1, 0, 1, 0, 1, 0])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_b), None), &keys),
        json!([0, 0, 1, 0, 1, 0, 0, 0, 1])
            .as_array()
            .unwrap()
            .clone()
    );
    let unassigned = Month::row(&r, None, None);
    assert_eq!(unassigned["group"], "Unassigned");
    assert_eq!(
        figures(unassigned, &keys),
        json!([0, 1, 0, 0, 0, 0, 1, 0, 0])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([1, 2, 1, 1, 1, 1, 1, 1, 1])
            .as_array()
            .unwrap()
            .clone()
    );
}

#[test]
fn the_transitions_report_gives_the_share_followed_up_within_24_hours_and_the_median_hours() {
    let m = october();
    let r = m.report("transitions", "");
    let keys = [
        "discharges",
        "followed_up",
        "followed_up_within_24h",
        "share_within_24h",
        "median_hours_to_follow_up",
    ];
    assert_eq!(
        figures(
            Month::row(
                &r,
                Some(m.cm_a()),
                Some(("facility_kind", "inpatient_psych"))
            ),
            &keys
        ),
        json!([1, 1, 1, 1.0, 23.0]).as_array().unwrap().clone()
    );
    // 25 hours is not within 24.
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_a()), Some(("facility_kind", "ed"))),
            &keys
        ),
        json!([1, 1, 0, 0.0, 25.0]).as_array().unwrap().clone()
    );
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_b), Some(("facility_kind", "inpatient_psych"))),
            &keys
        ),
        json!([1, 0, 0, 0.0, null]).as_array().unwrap().clone()
    );
    // The unassigned client's discharge was on Sep 30, local time.
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["group_id"] != Value::Null)
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([3, 2, 1, 0.3333, 24.0]).as_array().unwrap().clone()
    );
    assert_eq!(r["totals"]["facility_kind"], Value::Null);
}

#[test]
fn the_appointments_report_gives_attended_and_missed_rates_and_disengaged_clients() {
    let m = october();
    let r = m.report("appointments", "");
    let keys = [
        "appointments",
        "attended",
        "missed",
        "cancelled",
        "attended_rate",
        "missed_rate",
        "disengaged_clients",
    ];
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_a()), None), &keys),
        json!([5, 2, 2, 1, 0.5, 0.5, 1]).as_array().unwrap().clone()
    );
    // A miss in September and one in October, 7 days apart: disengaged in October.
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_b), None), &keys),
        json!([1, 0, 1, 0, 0.0, 1.0, 1]).as_array().unwrap().clone()
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([6, 2, 3, 1, 0.4, 0.6, 2]).as_array().unwrap().clone()
    );
}

#[test]
fn the_referrals_report_counts_status_and_barriers_per_provider_with_days_to_close_and_completion()
{
    let m = october();
    let r = m.report("referrals", "");
    let keys = [
        "referrals",
        "closed",
        "declined",
        "sent",
        "barriers",
        "barrier_transportation",
        "barrier_cost",
        "barrier_other",
        "median_days_to_close",
        "ended",
        "ended_completed",
        "completion_rate",
    ];
    let a = Month::row(&r, Some(m.cm_a()), None);
    assert_eq!(a["provider"], "Harbor Counseling");
    assert_eq!(
        figures(a, &keys),
        json!([2, 1, 1, 0, 1, 1, 0, 0, 10.0, 2, 1, 0.5])
            .as_array()
            .unwrap()
            .clone()
    );
    // The referral made in September is not October's.
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_b), None), &keys),
        json!([1, 0, 0, 1, 2, 0, 1, 1, null, 0, 0, null])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([3, 1, 1, 1, 3, 1, 1, 1, 10.0, 2, 1, 0.5])
            .as_array()
            .unwrap()
            .clone()
    );
}

#[test]
fn the_productivity_report_gives_minutes_per_activity_per_person_per_local_day_against_the_standard()
 {
    let m = october();
    let r = m.report("productivity", "");
    let keys = [
        "care_coordination",
        "outreach",
        "education",
        "administrative",
        "total_minutes",
        "coordination_share",
        "within_standard",
    ];
    // The education note at 23:30 on Oct 5 local time belongs to Oct 5.
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_a()), Some(("date", "2026-10-05"))),
            &keys
        ),
        json!([60, 20, 10, 20, 110, 0.8182, true])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(r["rows"].as_array().unwrap().len(), 2, "{r:#}");
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_b), Some(("date", "2026-10-07"))),
            &keys
        ),
        json!([0, 0, 0, 30, 30, 0.0, false])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([60, 20, 10, 50, 140, 0.6429, false])
            .as_array()
            .unwrap()
            .clone()
    );
}

#[test]
fn the_screenings_report_gives_positive_rates_per_instrument_and_phq9_completion() {
    let m = october();
    let r = m.report("screenings", "");
    let keys = [
        "administered",
        "positive",
        "positive_rate",
        "behavioral_health_clients",
        "phq9_completed",
        "phq9_completion_rate",
    ];
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_a()), Some(("instrument", "phq9"))),
            &keys
        ),
        json!([2, 1, 0.5, 1, 1, 1.0]).as_array().unwrap().clone()
    );
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_a()), Some(("instrument", "gad7"))),
            &keys
        ),
        json!([1, 1, 1.0, null, null, null])
            .as_array()
            .unwrap()
            .clone()
    );
    // Entered in error: not counted.
    assert_eq!(
        figures(
            Month::row(&r, Some(m.cm_b), Some(("instrument", "phq9"))),
            &keys
        ),
        json!([0, 0, null, 0, 0, null]).as_array().unwrap().clone()
    );
    assert_eq!(r["totals"]["instrument"], "all");
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([3, 2, 0.6667, 1, 1, 1.0]).as_array().unwrap().clone()
    );
}

#[test]
fn the_satisfaction_report_rates_referrals_that_ended_in_the_period() {
    let m = october();
    let r = m.report("satisfaction", "");
    let keys = [
        "responses",
        "average_rating",
        "rating_3",
        "rating_5",
        "satisfied_share",
    ];
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_a()), None), &keys),
        json!([1, 5.0, 0, 1, 1.0]).as_array().unwrap().clone()
    );
    assert_eq!(
        figures(Month::row(&r, Some(m.cm_b), None), &keys),
        json!([1, 3.0, 1, 0, 0.0]).as_array().unwrap().clone()
    );
    assert_eq!(
        figures(&r["totals"], &keys),
        json!([2, 4.0, 1, 1, 0.5]).as_array().unwrap().clone()
    );
}

#[test]
fn grouped_by_program_a_client_in_two_programs_counts_in_both_rows_and_once_in_the_totals() {
    let m = october();
    let org = m.team.org.id.get();
    let program = |name: &str| {
        let id = Uuid::new_v4();
        sql(
            &m.app,
            &format!(
                "INSERT INTO programs (id, organization_id, name, kind, created_at)
                 VALUES ('{id}', '{org}', '{name}', 'housing', now())"
            ),
        );
        id
    };
    let enroll = |p: Uuid, program: Uuid, on: &str, exited: Option<&str>| {
        let exited = exited.map_or("NULL".to_owned(), |d| format!("'{d}'"));
        let status = if exited == "NULL" {
            "enrolled"
        } else {
            "exited"
        };
        sql(
            &m.app,
            &format!(
                "INSERT INTO enrollments (id, organization_id, patient_id, program_id, status, referred_on, enrolled_on, exited_on, created_at, updated_at)
                 VALUES (gen_random_uuid(), '{org}', '{p}', '{program}', '{status}', '{on}', '{on}', {exited}, now(), now())"
            ),
        );
    };
    let housing = program("=Housing()");
    let peers = program("Peer support");
    enroll(m.p1, housing, "2026-09-01", None);
    enroll(m.p1, peers, "2026-10-15", None);
    // Left before October.
    enroll(m.p3, housing, "2026-08-01", Some("2026-09-15"));
    let r = m.report("caseload", "&group_by=program");
    assert_eq!(r["group_by"], "program");
    let row = |id: Option<Uuid>| Month::row(&r, id, None).clone();
    assert_eq!(row(Some(housing))["active"], 1);
    assert_eq!(row(Some(housing))["on_hold"], 0);
    assert_eq!(row(Some(peers))["active"], 1);
    let none = row(None);
    assert_eq!(none["group"], "No program");
    assert_eq!(
        figures(&none, &["intake", "active", "on_hold"]),
        vec![json!(1), json!(1), json!(1)]
    );
    assert_eq!(r["totals"]["active"], 2);

    // CSV: the same rows, a header, and the formula-looking name defused.
    let csv = m
        .app
        .get(&format!(
            "/api/v1/reports/caseload?{OCTOBER}&group_by=program&format=csv"
        ))
        .token(&m.supervisor)
        .send()
        .expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("caseload-2026-10-01-to-2026-10-31.csv")
    );
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "group_id,group,intake,active,on_hold,risk_low,risk_moderate,risk_high,risk_very_high,opened,closed"
    );
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), r["rows"].as_array().unwrap().len());
    assert!(
        body.contains(&format!("{housing},'=Housing(),0,1,0,0,0,1,0,1,0").as_str()),
        "{text}"
    );
}

#[test]
fn csv_is_chosen_by_the_accept_header_and_matches_the_json_rows() {
    let m = october();
    let json_report = m.report("appointments", "");
    let res = m
        .app
        .get(&format!("/api/v1/reports/appointments?{OCTOBER}"))
        .token(&m.supervisor)
        .header("accept", "text/csv")
        .send()
        .expect(200);
    let text = res.text();
    let lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[..3], ["group_id", "group", "appointments"]);
    for (line, row) in lines[1..]
        .iter()
        .zip(json_report["rows"].as_array().unwrap())
    {
        let cells: Vec<&str> = line.split(',').collect();
        for (name, cell) in header.iter().zip(cells) {
            let expected = match &row[*name] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(cell, expected, "{name} in {line}");
        }
    }
    assert_eq!(
        lines.len() - 1,
        json_report["rows"].as_array().unwrap().len()
    );
    // JSON stays the default, and wins when preferred.
    let res = m
        .app
        .get(&format!("/api/v1/reports/appointments?{OCTOBER}"))
        .token(&m.supervisor)
        .header("accept", "application/json, text/csv;q=0.5")
        .send()
        .expect(200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
}

#[test]
fn a_reporting_key_reads_reports_other_keys_do_not_and_another_organizations_records_never_count() {
    let m = october();
    let other = m.app.team("Elsewhere");
    let other_cm = m.app.token(&other.care_manager);
    let theirs = patient(
        &m.app,
        &other_cm,
        Some(other.care_manager.id.get()),
        "active",
        "high",
    );
    discharge(
        &m.app,
        other.org.id.get(),
        theirs,
        "ed",
        "2026-10-15T12:00:00Z",
        None,
    );

    let key = m.app.api_key(&m.team.admin, &[Scope::ReportsRead]);
    let r: Value = m
        .app
        .get(&format!("/api/v1/reports/transitions?{OCTOBER}"))
        .token(&key)
        .send()
        .expect(200)
        .json();
    assert_eq!(r["totals"]["discharges"], 3);
    let other_key = m.app.api_key(&m.team.admin, &[Scope::PatientsRead]);
    m.app
        .get("/api/v1/reports/caseload")
        .token(&other_key)
        .send()
        .expect(403);
    let audit = m.app.audit_of("report.read");
    assert!(!audit.is_empty());
}

#[test]
fn a_backwards_or_overlong_period_or_an_unknown_report_is_refused_with_the_reason() {
    let m = october();
    let bad = |q: &str| {
        m.app
            .get(&format!("/api/v1/reports/caseload?{q}"))
            .token(&m.supervisor)
            .send()
            .expect(422)
            .invalid_fields()
    };
    assert_eq!(bad("from=2026-10-31&to=2026-10-01"), ["from"]);
    assert_eq!(bad("from=2025-01-01&to=2026-10-01"), ["from"]);
    assert_eq!(bad("group_by=team"), ["group_by"]);
    m.app
        .get("/api/v1/reports/everything")
        .token(&m.supervisor)
        .send()
        .expect(404);
    // An empty period is all zeros, not an error.
    let r: Value = m
        .app
        .get("/api/v1/reports/referrals?from=2020-01-01&to=2020-01-31")
        .token(&m.supervisor)
        .send()
        .expect(200)
        .json();
    assert_eq!(r["rows"], json!([]));
    assert_eq!(r["totals"]["referrals"], 0);
}
