//! Closed-loop referrals against a real server and database: the
//! follow-up task at every open step, medical necessity checked at drafting
//! and sending (an unmet send needs an audited override), the receiving
//! provider's key that sees and moves only its provider's referrals,
//! barriers on the worklist and in the risk factors, overdue alerts from
//! the scheduler, re-referral after a no-show, satisfaction feeding the
//! provider's quality figures, the ranked directory, and program
//! enrollments with their renewal task.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use shared::alerts::AlertKind;
use shared::pagination::Page;
use shared::programs::{Enrollment, EnrollmentStatus};
use shared::providers::{DirectoryEntry, Provider};
use shared::referral::{BarrierKind, Referral, ReferralParty, ReferralStatus};
use shared::risk::{Risk, RiskFactorCode};
use shared::tasks::{Task, TaskContext, TaskKind, TaskStatus};
use shared::worklist::WorklistItem;
use tests::TestApp;
use tests::fixtures::{Team, new_patient};
use uuid::Uuid;

struct Net {
    app: TestApp,
    team: Team,
    cm: String,
    admin: String,
    patient: Uuid,
    provider: Uuid,
}

fn made(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    app.post(path)
        .token(token)
        .json(body)
        .send()
        .expect(201)
        .json()
}

fn id(v: &Value) -> Uuid {
    v["id"].as_str().expect("id").parse().expect("uuid")
}

fn provider(app: &TestApp, admin: &str, body: &Value) -> Uuid {
    id(&made(app, admin, "/api/v1/providers", body))
}

fn net(org: &str) -> Net {
    let app = TestApp::spawn();
    let team = app.team(org);
    let cm = app.token(&team.care_manager);
    let admin = app.token(&team.admin);
    let mut new = new_patient("Lucia", "Reyes");
    new.primary_care_manager_id = Some(team.care_manager.id);
    let patient = app.create_patient(&cm, &new).id.get();
    let provider = provider(
        &app,
        &admin,
        &json!({"name": "Clínica Esperanza", "kind": "organization",
                "services": ["outpatient_therapy", "inpatient_psychiatric"],
                "languages": ["es", "en"], "medicaid": true, "accepting_new_clients": true,
                "network_status": "in_network"}),
    );
    Net {
        app,
        team,
        cm,
        admin,
        patient,
        provider,
    }
}

impl Net {
    fn draft(&self, service: &str) -> Referral {
        self.app
            .post("/api/v1/referrals")
            .token(&self.cm)
            .json(
                &json!({"patient_id": self.patient, "provider_id": self.provider,
                          "service": service, "reason": "Depression not improving"}),
            )
            .send()
            .expect(201)
            .json()
    }

    fn step(&self, token: &str, r: &Referral, body: Value) -> tests::Res {
        let mut body = body;
        body["version"] = json!(r.version);
        self.app
            .post(&format!("/api/v1/referrals/{}/status", r.id))
            .token(token)
            .json(&body)
            .send()
    }

    fn moved(&self, token: &str, r: &Referral, body: Value) -> Referral {
        self.step(token, r, body).expect(200).json()
    }

    fn get(&self, token: &str, id: Uuid) -> tests::Res {
        self.app
            .get(&format!("/api/v1/referrals/{id}"))
            .token(token)
            .send()
    }

    fn followups(&self) -> Vec<Task> {
        let page: Page<Task> = self
            .app
            .get(&format!(
                "/api/v1/tasks?patient_id={}&kind=referral_followup&limit=200",
                self.patient
            ))
            .token(&self.cm)
            .send()
            .expect(200)
            .json();
        page.items
    }

    fn open_followups(&self) -> Vec<Task> {
        self.followups()
            .into_iter()
            .filter(|t| matches!(t.status, TaskStatus::Open | TaskStatus::InProgress))
            .collect()
    }

    fn inpatient_criteria(&self) {
        self.app
            .put("/api/v1/service-criteria/inpatient_psychiatric")
            .token(&self.admin)
            .json(&json!({"criteria": {
                "any_of": [
                    {"kind": "score_at_least", "instrument": "phq9", "total": 20},
                    {"kind": "positive_screen", "instrument": "cssrs"},
                    {"kind": "discharged_within", "kinds": ["bhcc"], "days": 30}
                ],
                "alternatives": ["Intensive outpatient program", "Peer-support program", "Crisis plan"]
            }}))
            .send()
            .expect(201);
    }

    fn phq9(&self, total: i64) {
        // Items of 3 until the total is reached; item 9 stays 0.
        let mut answers = serde_json::Map::new();
        let mut left = total;
        for item in 1..=9 {
            let v = if item == 9 { 0 } else { left.min(3) };
            left -= v;
            answers.insert(item.to_string(), json!(v));
        }
        made(
            &self.app,
            &self.cm,
            &format!("/api/v1/patients/{}/screenings", self.patient),
            &json!({"instrument": "phq9", "administered_at": Utc::now() - Duration::hours(1),
                    "answers": answers}),
        );
    }
}

#[test]
fn a_sent_referral_always_has_one_open_follow_up_until_it_is_closed() {
    let n = net("Loop Org");
    let draft = n.draft("outpatient_therapy");
    assert_eq!(draft.status, ReferralStatus::Draft);
    assert!(n.open_followups().is_empty(), "a draft has no follow-up");

    let mut r = n.moved(&n.cm, &draft, json!({"status": "sent"}));
    let steps = [
        json!({"status": "accepted"}),
        json!({"status": "scheduled", "appointment_at": Utc::now() + Duration::days(3)}),
        json!({"status": "completed", "outcome": "Intake done; weekly CBT started"}),
    ];
    for body in steps {
        let open = n.open_followups();
        assert_eq!(open.len(), 1, "one open follow-up at {}", r.status);
        assert_eq!(open[0].kind, TaskKind::ReferralFollowup);
        assert_eq!(open[0].assignee_id, Some(n.team.care_manager.id));
        r = n.moved(&n.cm, &r, body);
    }
    assert_eq!(n.open_followups().len(), 1, "completed: close the loop");
    let closed = n.moved(&n.cm, &r, json!({"status": "closed"}));
    assert_eq!(closed.status, ReferralStatus::Closed);
    assert!(n.open_followups().is_empty(), "closed: no follow-up left");
    let all = n.followups();
    assert_eq!(all.len(), 4, "sent, accepted, scheduled, completed");
    assert!(all.iter().all(|t| t.status == TaskStatus::Done));
    let history: Vec<_> = closed.history.iter().map(|e| e.to).collect();
    assert_eq!(
        history,
        [
            ReferralStatus::Draft,
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::Scheduled,
            ReferralStatus::Completed,
            ReferralStatus::Closed
        ]
    );
    assert!(
        closed
            .history
            .iter()
            .all(|e| e.by == n.team.care_manager.email)
    );
}

#[test]
fn a_step_the_lifecycle_lacks_is_a_409_and_a_step_without_what_it_needs_is_a_422() {
    let n = net("Steps Org");
    let draft = n.draft("outpatient_therapy");
    let res = n.step(
        &n.cm,
        &draft,
        json!({"status": "completed", "outcome": "x"}),
    );
    assert_eq!(res.status, 409, "{}", res.text());
    let sent = n.moved(&n.cm, &draft, json!({"status": "sent"}));
    let res = n.step(&n.cm, &sent, json!({"status": "declined"}));
    assert_eq!(res.status, 422);
    assert_eq!(res.invalid_fields(), ["reason"]);
    let res = n.step(
        &n.cm,
        &sent,
        json!({"status": "accepted", "satisfaction": {"rating": 5}}),
    );
    assert_eq!(res.invalid_fields(), ["satisfaction"]);
    let stale = n.step(&n.cm, &draft, json!({"status": "accepted"}));
    assert_eq!(stale.status, 412);
}

#[test]
fn drafting_checks_medical_necessity_and_sending_an_unmet_referral_needs_an_audited_override() {
    let n = net("Necessity Org");
    n.inpatient_criteria();
    n.phq9(14);
    let draft = n.draft("inpatient_psychiatric");
    let check = draft.medical_necessity.clone().expect("criteria are set");
    assert!(!check.met);
    assert_eq!(check.criteria.len(), 3);
    assert!(check.criteria[0].description.contains("latest PHQ-9 is 14"));
    assert_eq!(
        check.alternatives,
        [
            "Intensive outpatient program",
            "Peer-support program",
            "Crisis plan"
        ]
    );

    let res = n.step(&n.cm, &draft, json!({"status": "sent"}));
    assert_eq!(res.status, 422);
    assert_eq!(res.invalid_fields(), ["override_reason"]);

    let sent = n.moved(
        &n.cm,
        &draft,
        json!({"status": "sent", "override_reason": "Psychiatrist requested admission after the visit"}),
    );
    assert_eq!(sent.status, ReferralStatus::Sent);
    assert_eq!(
        sent.necessity_override_reason.as_deref(),
        Some("Psychiatrist requested admission after the visit")
    );
    let overrides = n.app.audit_of("referral.necessity_override");
    assert_eq!(overrides.len(), 1, "the override is audited");
    assert_eq!(
        overrides[0].resource_id.as_deref(),
        Some(sent.id.to_string().as_str())
    );

    // A service with no criteria has nothing to meet.
    let other = n.draft("outpatient_therapy");
    assert_eq!(other.medical_necessity, None);
}

#[test]
fn a_phq9_of_twenty_meets_the_inpatient_criteria_and_the_facts_show_it() {
    let n = net("Met Org");
    n.inpatient_criteria();
    n.phq9(21);
    let draft = n.draft("inpatient_psychiatric");
    let check = draft.medical_necessity.expect("criteria are set");
    assert!(check.met);
    assert!(check.alternatives.is_empty());
    let facts: Value = n
        .app
        .get(&format!("/api/v1/patients/{}/necessity-facts", n.patient))
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    assert_eq!(facts["screens"][0]["instrument"], "phq9");
    assert_eq!(facts["screens"][0]["total"], 21);
}

#[test]
fn a_providers_key_sees_and_moves_only_its_own_referrals_and_gets_404_for_the_rest() {
    let n = net("Provider Key Org");
    let other_provider = provider(
        &n.app,
        &n.admin,
        &json!({"name": "Harbor Counseling", "kind": "organization"}),
    );
    let key = n.app.provider_key(&n.team.admin, n.provider);
    let mine = n.moved(
        &n.cm,
        &n.draft("outpatient_therapy"),
        json!({"status": "sent"}),
    );
    let my_draft = n.draft("outpatient_therapy");
    let theirs_draft: Referral = n
        .app
        .post("/api/v1/referrals")
        .token(&n.cm)
        .json(
            &json!({"patient_id": n.patient, "provider_id": other_provider,
                      "service": "outpatient_therapy", "reason": "Second opinion"}),
        )
        .send()
        .expect(201)
        .json();
    let theirs = n.moved(&n.cm, &theirs_draft, json!({"status": "sent"}));

    let page: Page<Referral> = n
        .app
        .get("/api/v1/referrals")
        .token(&key)
        .send()
        .expect(200)
        .json();
    let seen: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(
        seen,
        [mine.id],
        "only its sent referral, not drafts or others'"
    );
    assert_eq!(page.items[0].patient.name, "Reyes, Lucia");

    assert_eq!(n.get(&key, theirs.id).status, 404);
    assert_eq!(n.get(&key, my_draft.id).status, 404);
    assert_eq!(
        n.step(&key, &theirs, json!({"status": "accepted"})).status,
        404
    );

    let accepted = n.moved(&key, &mine, json!({"status": "accepted"}));
    let last = accepted.history.last().expect("a step");
    assert_eq!(last.party, ReferralParty::Provider);
    assert_eq!(last.by, "provider key");
    let scheduled = n.moved(
        &key,
        &accepted,
        json!({"status": "scheduled", "appointment_at": Utc::now() + Duration::days(2)}),
    );
    let res = n.step(
        &key,
        &scheduled,
        json!({"status": "cancelled", "reason": "x"}),
    );
    assert_eq!(res.status, 403, "cancelling is the care team's");
    let completed = n.moved(
        &key,
        &scheduled,
        json!({"status": "completed", "outcome": "Seen; plan sent back"}),
    );
    assert_eq!(completed.status, ReferralStatus::Completed);

    for path in [
        format!("/api/v1/patients/{}", n.patient),
        "/api/v1/patients".to_owned(),
        "/api/v1/providers".to_owned(),
        format!("/api/v1/referrals/{}/barriers", mine.id),
    ] {
        let res = n.app.get(&path).token(&key).send();
        assert_eq!(res.status, 403, "{path}: {}", res.text());
    }
}

#[test]
fn an_api_key_for_referrals_must_name_a_provider_of_the_organization() {
    let n = net("Key Binding Org");
    let post = |body: Value| {
        n.app
            .post("/api/v1/api-keys")
            .token(&n.admin)
            .json(&body)
            .send()
    };
    let res = post(json!({"name": "k", "scopes": ["referrals:respond"]}));
    assert_eq!(res.invalid_fields(), ["provider_id"]);
    let res =
        post(json!({"name": "k", "scopes": ["referrals:respond"], "provider_id": Uuid::now_v7()}));
    assert_eq!(res.invalid_fields(), ["provider_id"]);
    let res = post(
        json!({"name": "k", "scopes": ["referrals:respond", "patients:read"], "provider_id": n.provider}),
    );
    assert_eq!(res.invalid_fields(), ["scopes"]);
    let created: Value = post(
        json!({"name": "Esperanza", "scopes": ["referrals:respond"], "provider_id": n.provider}),
    )
    .expect(201)
    .json();
    assert_eq!(created["provider_id"], json!(n.provider));
}

#[test]
fn a_no_show_drafts_a_linked_re_referral_and_opens_its_follow_up() {
    let n = net("No Show Org");
    let sent = n.moved(
        &n.cm,
        &n.draft("outpatient_therapy"),
        json!({"status": "sent"}),
    );
    let accepted = n.moved(&n.cm, &sent, json!({"status": "accepted"}));
    let scheduled = n.moved(
        &n.cm,
        &accepted,
        json!({"status": "scheduled", "appointment_at": Utc::now() - Duration::days(1)}),
    );
    let missed = n.moved(&n.cm, &scheduled, json!({"status": "no_show"}));
    let again_id = missed.re_referred_as.expect("a re-referral");
    let again: Referral = n.get(&n.cm, again_id).expect(200).json();
    assert_eq!(again.status, ReferralStatus::Draft);
    assert_eq!(again.re_referral_of, Some(missed.id));
    assert_eq!(again.provider_id, missed.provider_id);
    assert_eq!(again.service, missed.service);
    let open = n.open_followups();
    assert_eq!(open.len(), 1);
    assert!(open[0].title.contains("missed visit"), "{}", open[0].title);
}

#[test]
fn an_open_barrier_shows_on_the_worklist_and_counts_in_risk_until_it_is_resolved() {
    let n = net("Barrier Org");
    let sent = n.moved(
        &n.cm,
        &n.draft("outpatient_therapy"),
        json!({"status": "sent"}),
    );
    // A second referral of the same patient, with no barrier: its
    // follow-up must not show the first one's.
    let other = n.moved(
        &n.cm,
        &n.draft("outpatient_therapy"),
        json!({"status": "sent"}),
    );
    let barrier = made(
        &n.app,
        &n.cm,
        &format!("/api/v1/referrals/{}/barriers", sent.id),
        &json!({"kind": "transportation", "description": "No bus line to the clinic"}),
    );
    let cost = made(
        &n.app,
        &n.cm,
        &format!("/api/v1/referrals/{}/barriers", sent.id),
        &json!({"kind": "cost", "description": "Copay due at the first visit"}),
    );
    let risk = |n: &Net| -> Risk {
        n.app
            .get(&format!("/api/v1/patients/{}/risk", n.patient))
            .token(&n.cm)
            .send()
            .expect(200)
            .json()
    };
    let factor = |r: &Risk| {
        r.factors
            .iter()
            .find(|f| f.code == RiskFactorCode::ReferralBarriers)
            .map(|f| f.points)
    };
    assert_eq!(factor(&risk(&n)), Some(2), "a point for each open barrier");
    // The care manager's own worklist, and the supervisor's view of it,
    // which read the page by different paths.
    let supervisor = n.app.token(&n.team.supervisor);
    let mine = format!("/api/v1/worklist?user_id={}", n.team.care_manager.id);
    let follow_up = |token: &str, path: &str, referral: Uuid| -> WorklistItem {
        let page: Page<WorklistItem> = n.app.get(path).token(token).send().expect(200).json();
        page.items
            .into_iter()
            .find(|i| match &i.task.context {
                Some(TaskContext::Referral { referral_id, .. }) => *referral_id == referral,
                _ => false,
            })
            .expect("the referral's follow-up")
    };
    for (token, path) in [(&n.cm, "/api/v1/worklist"), (&supervisor, mine.as_str())] {
        let item = follow_up(token, path, sent.id);
        assert_eq!(item.band, 4);
        assert_eq!(
            item.open_barriers,
            [BarrierKind::Transportation, BarrierKind::Cost],
            "oldest first"
        );
        assert!(
            item.reason.contains("open barriers: Transportation, Cost"),
            "{}",
            item.reason
        );
        assert!(follow_up(token, path, other.id).open_barriers.is_empty());
    }

    let resolved: Value = n
        .app
        .patch(&format!("/api/v1/barriers/{}", id(&barrier)))
        .token(&n.cm)
        .json(&json!({"resolution": "Medicaid ride booked", "version": barrier["version"]}))
        .send()
        .expect(200)
        .json();
    assert_eq!(resolved["resolved_by"], json!(n.team.care_manager.id.get()));
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(
        follow_up(&n.cm, "/api/v1/worklist", sent.id).open_barriers,
        [BarrierKind::Cost],
        "a resolved barrier leaves the worklist"
    );
    assert_eq!(factor(&risk(&n)), Some(1));
    n.app
        .patch(&format!("/api/v1/barriers/{}", id(&cost)))
        .token(&n.cm)
        .json(&json!({"resolution": "Copay waived", "version": cost["version"]}))
        .send()
        .expect(200);
    assert!(
        follow_up(&n.cm, "/api/v1/worklist", sent.id)
            .open_barriers
            .is_empty()
    );
    assert_eq!(
        factor(&risk(&n)),
        None,
        "a resolved barrier no longer counts"
    );
}

fn scheduler(app: &TestApp, at: DateTime<Utc>) {
    app.conn()
        .build_transaction()
        .run(|conn| api::scheduler::run_once(conn, at, "test"))
        .expect("a scheduler pass")
        .expect("the lock was free");
}

#[test]
fn a_referral_unanswered_for_two_business_days_is_overdue_and_alerts_the_care_team_once() {
    let n = net("Overdue Org");
    let sent = n.moved(
        &n.cm,
        &n.draft("outpatient_therapy"),
        json!({"status": "sent"}),
    );
    assert_eq!(sent.overdue, None);
    let alerts = |n: &Net| -> usize {
        let page: Page<shared::alerts::Alert> = n
            .app
            .get(&format!("/api/v1/alerts?patient_id={}", n.patient))
            .token(&n.cm)
            .send()
            .expect(200)
            .json();
        page.items
            .iter()
            .filter(|a| a.kind == AlertKind::ReferralOverdue)
            .count()
    };
    scheduler(&n.app, Utc::now());
    assert_eq!(alerts(&n), 0, "not yet overdue");
    let later = Utc::now() + Duration::days(5);
    scheduler(&n.app, later);
    assert_eq!(alerts(&n), 1);
    scheduler(&n.app, later + Duration::hours(1));
    assert_eq!(alerts(&n), 1, "once per referral");
}

#[test]
fn closing_with_satisfaction_feeds_the_providers_quality_figures() {
    let n = net("Quality Org");
    let mut ratings = Vec::new();
    for (rating, complete) in [(5, true), (3, true), (0, false)] {
        let sent = n.moved(
            &n.cm,
            &n.draft("outpatient_therapy"),
            json!({"status": "sent"}),
        );
        if !complete {
            n.moved(
                &n.cm,
                &sent,
                json!({"status": "declined", "reason": "Waitlist full"}),
            );
            continue;
        }
        let accepted = n.moved(&n.cm, &sent, json!({"status": "accepted"}));
        let scheduled = n.moved(
            &n.cm,
            &accepted,
            json!({"status": "scheduled", "appointment_at": Utc::now() + Duration::days(4)}),
        );
        let completed = n.moved(
            &n.cm,
            &scheduled,
            json!({"status": "completed", "outcome": "Seen"}),
        );
        let closed = n.moved(
            &n.cm,
            &completed,
            json!({"status": "closed", "satisfaction": {"rating": rating, "comment": "Kind staff"}}),
        );
        assert_eq!(closed.satisfaction.as_ref().map(|s| s.rating), Some(rating));
        ratings.push(rating);
    }
    let p: Provider = n
        .app
        .get(&format!("/api/v1/providers/{}", n.provider))
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    assert_eq!(p.quality.referrals, 3);
    assert_eq!(p.quality.ratings, 2);
    assert_eq!(p.quality.satisfaction, Some(4.0));
    let rate = p
        .quality
        .completion_rate
        .expect("two completed of three ended");
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
    let days = p
        .quality
        .median_days_to_appointment
        .expect("two appointments");
    assert!((days - 4.0).abs() < 0.01, "{days}");
    assert_eq!(p.quality.no_show_rate, Some(0.0));
}

#[test]
fn the_directory_finds_spanish_speaking_in_network_providers_that_take_medicaid_and_says_why() {
    let n = net("Directory Org");
    provider(
        &n.app,
        &n.admin,
        &json!({"name": "Northside Therapy", "kind": "practitioner", "languages": ["en"],
                "medicaid": true, "accepting_new_clients": true, "network_status": "in_network"}),
    );
    provider(
        &n.app,
        &n.admin,
        &json!({"name": "Centro Latino", "kind": "organization", "languages": ["es-MX"],
                "medicaid": false, "payers": ["Aetna"], "network_status": "prospect"}),
    );
    let page: Page<DirectoryEntry> = n
        .app
        .get("/api/v1/providers?language=es&payer=medicaid&network_status=in_network")
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|e| e.provider.name.as_str())
        .collect();
    assert_eq!(names, ["Clínica Esperanza"]);
    let reasons = &page.items[0].reasons;
    assert!(
        reasons.contains(&"speaks Spanish".to_owned()),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"takes Medicaid".to_owned()),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"in network".to_owned()), "{reasons:?}");

    // `language` filters; with no filter all are ranked, in network and
    // accepting ahead of name order.
    let all: Page<DirectoryEntry> = n
        .app
        .get("/api/v1/providers")
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    let order: Vec<&str> = all.items.iter().map(|e| e.provider.name.as_str()).collect();
    assert_eq!(
        order,
        ["Clínica Esperanza", "Northside Therapy", "Centro Latino"]
    );
}

#[test]
fn a_directory_search_for_a_patient_measures_miles_from_their_zip_code() {
    let n = net("Distance Org");
    {
        use diesel::prelude::*;
        diesel::sql_query(
            "INSERT INTO postal_code_centroids VALUES ('97301', 44.9429, -123.0351), \
             ('97201', 45.5079, -122.6905) ON CONFLICT DO NOTHING",
        )
        .execute(&mut n.app.conn())
        .expect("centroids");
    }
    let mut new = new_patient("Ana", "Diaz");
    new.address = Some(shared::patients::Address {
        postal_code: Some("97301".into()),
        ..Default::default()
    });
    let patient = n.app.create_patient(&n.cm, &new).id;
    provider(
        &n.app,
        &n.admin,
        &json!({"name": "Portland Clinic", "kind": "organization",
                "address": {"city": "Portland", "state": "OR", "postal_code": "97201"}}),
    );
    let page: Page<DirectoryEntry> = n
        .app
        .get(&format!(
            "/api/v1/providers?q=portland&near_patient_id={patient}"
        ))
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    let miles = page.items[0].distance_miles.expect("both located");
    assert!((40.0..50.0).contains(&miles), "{miles}");
    assert!(
        page.items[0].reasons.iter().any(|r| r.ends_with(" mi")),
        "{:?}",
        page.items[0].reasons
    );
    let near: Page<DirectoryEntry> = n
        .app
        .get(&format!(
            "/api/v1/providers?q=portland&near_patient_id={patient}&within_miles=10"
        ))
        .token(&n.cm)
        .send()
        .expect(200)
        .json();
    assert!(near.items.is_empty());
}

#[test]
fn programs_page_by_name_whatever_its_case_and_no_page_repeats_or_skips_one() {
    let n = net("Program Pages Org");
    for name in ["delta", "Alpha", "charlie", "Echo", "bravo"] {
        made(
            &n.app,
            &n.admin,
            "/api/v1/programs",
            &json!({"name": name, "kind": "benefits"}),
        );
    }
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/programs?limit=2&cursor={c}"),
            None => "/api/v1/programs?limit=2".to_string(),
        };
        let page: Page<Value> = n.app.get(&path).token(&n.cm).send().expect(200).json();
        assert!(page.items.len() <= 2);
        names.extend(
            page.items
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string()),
        );
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names, ["Alpha", "bravo", "charlie", "delta", "Echo"]);
}

#[test]
fn enrolling_steps_through_the_lifecycle_and_a_renewal_within_thirty_days_opens_a_task() {
    let n = net("Programs Org");
    let program = made(
        &n.app,
        &n.admin,
        "/api/v1/programs",
        &json!({"name": "SNAP", "kind": "benefits", "renewal_months": 12}),
    );
    let e: Enrollment = n
        .app
        .post(&format!("/api/v1/patients/{}/enrollments", n.patient))
        .token(&n.cm)
        .json(&json!({"program_id": id(&program)}))
        .send()
        .expect(201)
        .json();
    assert_eq!(e.status, EnrollmentStatus::Referred);
    let patch = |e: &Enrollment, body: Value| -> tests::Res {
        let mut body = body;
        body["version"] = json!(e.version);
        n.app
            .patch(&format!("/api/v1/enrollments/{}", e.id))
            .token(&n.cm)
            .json(&body)
            .send()
    };
    let refused = patch(&e, json!({"status": "enrolled"}));
    assert_eq!(refused.status, 409, "referred cannot jump to enrolled");
    let applied: Enrollment = patch(&e, json!({"status": "applied"})).expect(200).json();
    let enrolled: Enrollment = patch(&applied, json!({"status": "enrolled"}))
        .expect(200)
        .json();
    let today = tests::fixtures::org_today();
    assert!(enrolled.enrolled_on.is_some());
    let renew = enrolled
        .renewal_due_on
        .expect("from the program's interval");
    assert!(renew > today + Duration::days(300));
    let renewals = |n: &Net| {
        let page: Page<Task> = n
            .app
            .get(&format!("/api/v1/tasks?patient_id={}&limit=200", n.patient))
            .token(&n.cm)
            .send()
            .expect(200)
            .json();
        page.items
            .into_iter()
            .filter(|t| t.title.starts_with("Renew SNAP"))
            .count()
    };
    assert_eq!(renewals(&n), 0, "a year out: no task yet");
    let soon: Enrollment = patch(
        &enrolled,
        json!({"renewal_due_on": today + Duration::days(20)}),
    )
    .expect(200)
    .json();
    assert_eq!(renewals(&n), 1, "within 30 days: a task");
    patch(&soon, json!({"notes": "Form started"})).expect(200);
    assert_eq!(renewals(&n), 1, "once per date");
}
