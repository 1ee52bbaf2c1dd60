//! Quality measures against hand-built records with known answers: the
//! day-7/day-8 edge of follow-up, a visit on the day of discharge, a
//! readmission that excludes, the ± 60-day depression windows, a positive
//! item 9 with and without a C-SSRS, and screening with a follow-up plan.

use serde_json::{Value, json};
use shared::auth::Scope;
use tests::TestApp;
use tests::fixtures::Team;
use uuid::Uuid;

use crate::reports::{appointment, discharge, patient, screening, sql};

struct Scene {
    app: TestApp,
    team: Team,
    token: String,
    org: Uuid,
}

fn scene() -> Scene {
    let app = TestApp::spawn();
    let team = app.team("Measures");
    let token = app.token(&team.supervisor);
    let org = team.org.id.get();
    Scene {
        app,
        team,
        token,
        org,
    }
}

impl Scene {
    fn client(&self) -> Uuid {
        patient(
            &self.app,
            &self.token,
            Some(self.team.care_manager.id.get()),
            "active",
            "moderate",
        )
    }

    fn measure(&self, id: &str, query: &str) -> Value {
        self.app
            .get(&format!("/api/v1/measures/{id}?{query}"))
            .token(&self.token)
            .send()
            .expect(200)
            .json()
    }
}

fn entry(result: &Value, patient: Uuid) -> &Value {
    result["patients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["patient_id"] == json!(patient.to_string()))
        .unwrap_or_else(|| panic!("{patient} not listed in {result:#}"))
}

#[test]
fn fuh_counts_a_visit_on_day_7_not_day_8_nor_the_discharge_day_and_excludes_a_readmission() {
    let s = scene();
    let (day7, day8, same_day, readmitted, never) =
        (s.client(), s.client(), s.client(), s.client(), s.client());
    // Discharged at 20:00 on Mar 2 in Los Angeles (04:00 UTC on Mar 3).
    for p in [day7, day8, same_day, readmitted, never] {
        discharge(
            &s.app,
            s.org,
            p,
            "inpatient_psych",
            "2026-03-03T04:00:00Z",
            None,
        );
    }
    // 23:30 on Mar 9 local (day 7) and 00:30 on Mar 10 local (day 8) —
    // daylight saving time began on Mar 8, so local is UTC-7 by then.
    appointment(&s.app, s.org, day7, "2026-03-10T06:30:00Z", "attended");
    appointment(&s.app, s.org, day8, "2026-03-10T07:30:00Z", "attended");
    appointment(&s.app, s.org, same_day, "2026-03-03T05:00:00Z", "attended");
    appointment(&s.app, s.org, never, "2026-03-05T17:00:00Z", "missed");
    sql(
        &s.app,
        &format!(
            "INSERT INTO encounters (id, organization_id, patient_id, kind, facility, admitted_at, source)
             VALUES (gen_random_uuid(), '{}', '{readmitted}', 'inpatient_medical', 'Mercy', '2026-03-20T12:00:00Z', 'manual')",
            s.org
        ),
    );
    let r = s.measure("fuh", "from=2026-03-01&to=2026-03-31");
    assert_eq!(r["measure"], "fuh");
    let met = |p: Uuid, n: &str| entry(&r, p)["numerators"][n].clone();
    assert_eq!(
        (met(day7, "within_7_days"), met(day7, "within_30_days")),
        (json!(true), json!(true))
    );
    assert_eq!(
        (met(day8, "within_7_days"), met(day8, "within_30_days")),
        (json!(false), json!(true))
    );
    assert_eq!(met(same_day, "within_30_days"), json!(false));
    assert_eq!(entry(&r, readmitted)["excluded"], true);
    assert_eq!(entry(&r, readmitted)["denominator"], false);
    assert!(
        entry(&r, readmitted)["reason"]
            .as_str()
            .unwrap()
            .contains("inpatient")
    );
    assert_eq!(entry(&r, never)["reason"], "No follow-up within 30 days");
    // Four in the denominator: one met 7 days, two met 30 days.
    assert_eq!(
        r["rates"],
        json!({"within_7_days": 0.25, "within_30_days": 0.5})
    );

    // A discharge at 23:30 on Feb 28 local time belongs to February.
    let feb = s.client();
    discharge(
        &s.app,
        s.org,
        feb,
        "inpatient_psych",
        "2026-03-01T07:30:00Z",
        None,
    );
    let r = s.measure("fuh", "from=2026-03-01&to=2026-03-31");
    assert!(
        r["patients"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["patient_id"] != json!(feb.to_string()))
    );
    // FUM takes ED visits, not inpatient stays.
    let fum = s.measure("fum", "from=2026-03-01&to=2026-03-31");
    assert_eq!(fum["patients"], json!([]));
    assert_eq!(
        fum["rates"],
        json!({"within_7_days": null, "within_30_days": null})
    );
}

#[test]
fn depression_response_and_remission_take_the_last_phq9_within_60_days_of_6_and_12_months() {
    let s = scene();
    let (responder, late, unscored) = (s.client(), s.client(), s.client());
    let phq9 = |p: Uuid, at: &str, total: i32| {
        screening(&s.app, s.org, p, "phq9", total > 9, at, false);
        sql(
            &s.app,
            &format!(
                "UPDATE screenings SET total = {total} WHERE patient_id = '{p}' AND administered_at = '{at}'"
            ),
        );
    };
    // Index 16 on Jan 15 2025; 6 months is Jul 15, window May 16 – Sep 13.
    phq9(responder, "2025-01-15T18:00:00Z", 16);
    phq9(responder, "2025-05-16T18:00:00Z", 12);
    phq9(responder, "2025-09-13T18:00:00Z", 4);
    // 12 months is Jan 15 2026, window Nov 16 2025 – Mar 16 2026.
    phq9(responder, "2026-03-16T18:00:00Z", 9);
    // Index 20; the 6-month score comes on day 61 after Jul 15: too late.
    phq9(late, "2025-01-15T18:00:00Z", 20);
    phq9(late, "2025-09-14T18:00:00Z", 3);
    phq9(unscored, "2025-01-20T18:00:00Z", 14);
    let r = s.measure("dep_response_remission", "from=2025-01-01&to=2025-01-31");
    let n = |p: Uuid| entry(&r, p)["numerators"].clone();
    assert_eq!(
        n(responder),
        json!({"response_6m": true, "remission_6m": true, "response_12m": false, "remission_12m": false})
    );
    assert_eq!(
        n(late),
        json!({"response_6m": false, "remission_6m": false, "response_12m": false, "remission_12m": false})
    );
    assert_eq!(n(unscored)["response_6m"], false);
    assert_eq!(
        r["rates"],
        json!({"response_6m": 0.3333, "remission_6m": 0.3333, "response_12m": 0.0, "remission_12m": 0.0})
    );
    // An index this period: its windows are still open, and listed.
    let recent = s.client();
    let today = tests::fixtures::org_today();
    let index_day = today - chrono::Duration::days(150);
    phq9(recent, &format!("{index_day}T20:00:00Z"), 18);
    let from = index_day - chrono::Duration::days(1);
    let r = s.measure("dep_response_remission", &format!("from={from}&to={today}"));
    let e = entry(&r, recent);
    assert_eq!(e["numerators"], json!({}), "both time points pending");
    let six = &e["open_windows"][0];
    assert_eq!(six["name"], "6m");
    assert_eq!(six["open_now"], true);
    assert_eq!(six["closes_within_30_days"], false);
    assert!(r["rates"]["response_6m"].is_null());
}

#[test]
fn a_positive_item_9_needs_a_c_ssrs_the_same_or_next_day_and_a_positive_screen_needs_a_plan() {
    let s = scene();
    let (assessed, not_assessed) = (s.client(), s.client());
    for p in [assessed, not_assessed] {
        screening(
            &s.app,
            s.org,
            p,
            "phq9",
            true,
            "2026-04-02T18:00:00Z",
            false,
        );
        sql(
            &s.app,
            &format!("UPDATE screenings SET flags = '{{suicide_risk}}' WHERE patient_id = '{p}'"),
        );
    }
    screening(
        &s.app,
        s.org,
        assessed,
        "cssrs",
        true,
        "2026-04-03T18:00:00Z",
        false,
    );
    screening(
        &s.app,
        s.org,
        not_assessed,
        "cssrs",
        true,
        "2026-04-05T18:00:00Z",
        false,
    );
    let r = s.measure("suicide_risk", "from=2026-04-01&to=2026-04-30");
    assert_eq!(entry(&r, assessed)["numerators"]["assessed"], true);
    assert_eq!(entry(&r, not_assessed)["numerators"]["assessed"], false);
    assert_eq!(r["rates"], json!({"assessed": 0.5}));

    // Both had a visit; the positive screen of one is followed by a plan.
    for p in [assessed, not_assessed] {
        appointment(&s.app, s.org, p, "2026-04-02T17:00:00Z", "attended");
    }
    let admin = s.app.token(&s.team.admin);
    let provider: Value = s
        .app
        .post("/api/v1/providers")
        .token(&admin)
        .json(&json!({"name": "Harbor Counseling", "kind": "organization"}))
        .send()
        .expect(201)
        .json();
    sql(
        &s.app,
        &format!(
            "INSERT INTO referrals (id, organization_id, patient_id, provider_id, service, priority, reason, due_date, status, created_at, updated_at)
             VALUES (gen_random_uuid(), '{}', '{assessed}', '{}', 'outpatient_therapy', 'routine', 'Therapy', '2026-04-20', 'sent',
                     '2026-04-04T18:00:00Z', '2026-04-04T18:00:00Z')",
            s.org,
            provider["id"].as_str().unwrap()
        ),
    );
    let r = s.measure("dep_screening", "from=2026-04-01&to=2026-04-30");
    assert_eq!(
        entry(&r, assessed)["numerators"]["screened_with_plan"],
        true
    );
    assert_eq!(
        entry(&r, not_assessed)["numerators"]["screened_with_plan"],
        false
    );
    assert_eq!(r["rates"], json!({"screened_with_plan": 0.5}));

    // The patients listed are audited; a reporting key reads measures.
    let audit = s.app.audit_of("measure.read");
    assert!(!audit.is_empty());
    let key = s.app.api_key(&s.team.admin, &[Scope::ReportsRead]);
    let list: Value = s
        .app
        .get("/api/v1/measures")
        .token(&key)
        .send()
        .expect(200)
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    assert!(
        list["items"][0]["specification"]
            .as_str()
            .unwrap()
            .contains("Denominator")
    );
    s.app
        .get("/api/v1/measures/nonsense")
        .token(&key)
        .send()
        .expect(404);
}
