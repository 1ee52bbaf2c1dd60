//! HL7 v2 ADT in: real-shaped ER7 messages (CR-ended segments, repeating
//! PID-3, components, escape sequences, optional segments left out) posted
//! by an integration's key, and the acknowledgments they get back.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::Los_Angeles;
use diesel::prelude::*;
use serde_json::Value;
use shared::auth::Scope;
use shared::encounters::{Encounter, EncounterKind};
use shared::ids::PatientId;
use shared::pagination::Page;
use shared::patients::{Identifier, Patient};
use shared::tasks::{TaskKind, TaskStatus};
use tests::fixtures::{Team, new_patient};
use tests::{Res, TestApp};

use crate::care::{now, task, tasks_of};

const PATH: &str = "/api/v1/integrations/hl7v2";
const ER7: &str = "x-application/hl7-v2+er7";

/// A server, an organization, its integration key (`encounters:write`), a
/// care manager's token and their patient, whose MRN at Mercy is `M-1001`.
struct Feed {
    app: TestApp,
    team: Team,
    key: String,
    token: String,
    patient: Patient,
}

fn feed(org: &str) -> Feed {
    let app = TestApp::spawn();
    let team = app.team(org);
    let key = app.api_key(&team.admin, &[Scope::EncountersWrite]);
    let token = app.token(&team.care_manager);
    let patient = patient_with(
        &app,
        &token,
        &team,
        "Lopez",
        &[
            ("MERCY", "M-1001"),
            ("urn:oid:2.16.840.1.113883.4.1", "999-88-7777"),
        ],
    );
    Feed {
        app,
        team,
        key,
        token,
        patient,
    }
}

fn patient_with(
    app: &TestApp,
    token: &str,
    team: &Team,
    family: &str,
    ids: &[(&str, &str)],
) -> Patient {
    let mut new = new_patient("Maria", family);
    new.primary_care_manager_id = Some(team.care_manager.id);
    new.identifiers = ids
        .iter()
        .map(|(system, value)| Identifier {
            system: (*system).to_string(),
            value: (*value).to_string(),
        })
        .collect();
    app.create_patient(token, &new)
}

/// An HL7 time stamp with its offset (UTC).
fn ts(at: DateTime<Utc>) -> String {
    at.format("%Y%m%d%H%M%S+0000").to_string()
}

/// An HL7 time stamp on the organization's wall clock, without offset.
fn local_ts(at: DateTime<Utc>) -> String {
    at.with_timezone(&Los_Angeles)
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// A segment from its numbered fields (the rest empty).
fn segment(name: &str, fields: &[(usize, &str)]) -> String {
    let last = fields.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let mut out = name.to_string();
    for n in 1..=last {
        out.push('|');
        if let Some((_, v)) = fields.iter().find(|(i, _)| *i == n) {
            out.push_str(v);
        }
    }
    out
}

/// An ADT message: MSH from Mercy's EPIC, PID with `pid3`, PV1 with `pv1`.
/// No EVN, PD1 or PV2: they are optional and not read.
fn adt(trigger: &str, control: &str, pid3: &str, pv1: &[(usize, &str)]) -> String {
    let msh = format!(
        "MSH|^~\\&|EPIC|MERCY|CAREMGR|RIVERSIDE|{}||ADT^{trigger}^ADT_A01|{control}|P|2.5.1",
        ts(now())
    );
    let pid = segment(
        "PID",
        &[
            (1, "1"),
            (3, pid3),
            (5, "O'Brien\\T\\Lopez^Maria^^^^^L"),
            (7, "19800517"),
            (8, "F"),
        ],
    );
    format!("{msh}\r{pid}\r{}\r", segment("PV1", pv1))
}

/// PV1 of an inpatient stay at `facility` on `service`, visit `visit`.
fn inpatient<'a>(
    visit: &'a str,
    service: &'a str,
    admitted: &'a str,
    discharged: Option<&'a str>,
) -> Vec<(usize, &'a str)> {
    let mut fields = vec![
        (1, "1"),
        (2, "I"),
        (3, "4W^401^A^St. Mary \\T\\ Joseph\\S\\s Hospital"),
        (10, service),
        (19, visit),
        (44, admitted),
    ];
    if let Some(d) = discharged {
        fields.push((36, "01"));
        fields.push((45, d));
    }
    fields
}

fn send(app: &TestApp, key: &str, body: &str) -> Res {
    app.post(PATH)
        .token(key)
        .body(ER7, body.as_bytes().to_vec())
        .send()
}

/// The acknowledgment's MSA-1, MSA-2 and MSA-3.
fn msa(res: &Res) -> (String, String, String) {
    assert_eq!(res.status, 200, "{}", res.text());
    let text = res.text();
    let line = text
        .split('\r')
        .find(|s| s.starts_with("MSA|"))
        .unwrap_or_else(|| panic!("no MSA in {text:?}"));
    let f: Vec<&str> = line.split('|').collect();
    let field = |n: usize| f.get(n).copied().unwrap_or_default().to_string();
    (field(1), field(2), field(3))
}

/// The acknowledgment's ERR-2 and ERR-3.1 (location and condition).
fn err(res: &Res) -> (String, String) {
    let text = res.text();
    let line = text
        .split('\r')
        .find(|s| s.starts_with("ERR|"))
        .unwrap_or_else(|| panic!("no ERR in {text:?}"));
    let f: Vec<&str> = line.split('|').collect();
    let code = f[3].split('^').next().unwrap_or_default().to_string();
    (f[2].to_string(), code)
}

fn accepted(res: &Res) {
    let (code, _, text) = msa(res);
    assert_eq!(code, "AA", "{text}: {}", res.text());
}

fn encounters_of(app: &TestApp, token: &str, patient: PatientId) -> Vec<Encounter> {
    let page: Page<Encounter> = app
        .get(&format!("/api/v1/encounters?patient_id={patient}"))
        .token(token)
        .send()
        .expect(200)
        .json();
    page.items
}

fn encounter(app: &TestApp, token: &str, id: uuid::Uuid) -> Encounter {
    app.get(&format!("/api/v1/encounters/{id}"))
        .token(token)
        .send()
        .expect(200)
        .json()
}

const MRN: &str = "M-1001^^^MERCY^MR~999887777^^^SSA^SS";

#[test]
fn an_admission_records_an_inpatient_psychiatric_stay_under_its_visit_number() {
    let f = feed("Adt Admit Org");
    let admitted = now() - Duration::hours(30);
    let body = adt(
        "A01",
        "MSG-1",
        MRN,
        &inpatient("V-100", "PSY", &ts(admitted), None),
    );

    let res = send(&f.app, &f.key, &body);

    assert_eq!(res.header("content-type").as_deref(), Some(ER7));
    let (code, control, _) = msa(&res);
    assert_eq!((code.as_str(), control.as_str()), ("AA", "MSG-1"));
    let ack = res.text();
    assert!(
        ack.starts_with("MSH|^~\\&|CAREMGR|RIVERSIDE|EPIC|MERCY|"),
        "addressed back to the sender: {ack:?}"
    );
    assert!(ack.contains("|ACK^A01^ACK|"), "{ack:?}");
    let list = encounters_of(&f.app, &f.token, f.patient.id);
    assert_eq!(list.len(), 1);
    let e = &list[0];
    assert_eq!(e.kind, EncounterKind::InpatientPsych);
    assert_eq!(e.facility, "St. Mary & Joseph^s Hospital");
    assert_eq!(e.external_id.as_deref(), Some("V-100"));
    assert_eq!(e.admitted_at, admitted);
    assert_eq!(e.discharged_at, None);
    assert_eq!(e.source, shared::encounters::Source::Integration);
    let alerts = crate::care::alerts_of(&f.app, &f.token, f.patient.id);
    assert_eq!(alerts.len(), 1, "the care team is told: {alerts:?}");
    let audit = f.app.audit_of("encounter.create");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].patient_id, Some(f.patient.id.get()));
}

#[test]
fn a_discharge_opens_the_follow_up_and_cancelling_the_discharge_cancels_it() {
    let f = feed("Adt Discharge Org");
    let admitted = now() - Duration::hours(50);
    let discharged = now() - Duration::hours(2);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            MRN,
            &inpatient("V-7", "MED", &ts(admitted), None),
        ),
    ));
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A03",
            "MSG-2",
            MRN,
            &inpatient("V-7", "MED", &ts(admitted), Some(&ts(discharged))),
        ),
    ));
    let e = &encounters_of(&f.app, &f.token, f.patient.id)[0];
    assert_eq!(e.kind, EncounterKind::InpatientMedical);
    assert_eq!(e.discharged_at, Some(discharged));
    assert_eq!(
        e.discharge_disposition.as_deref(),
        Some("home or self care (01)")
    );
    let followup = task(&f.app, &f.token, e.followup_task_id.expect("a follow-up"));
    assert_eq!(followup.kind, TaskKind::TransitionFollowup);
    assert_eq!(followup.due_at, discharged + Duration::hours(24));
    assert_eq!(followup.assignee_id, Some(f.team.care_manager.id));

    // A13: the discharge is taken back, and so is its follow-up.
    let res = send(
        &f.app,
        &f.key,
        &adt("A13", "MSG-3", MRN, &[(1, "1"), (2, "I"), (19, "V-7")]),
    );
    accepted(&res);
    let e = encounter(&f.app, &f.token, e.id);
    assert_eq!(e.discharged_at, None);
    assert_eq!(e.discharge_disposition, None);
    assert_eq!(e.followup_task_id, None);
    let cancelled = task(&f.app, &f.token, followup.id);
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    assert!(
        cancelled
            .cancel_reason
            .as_deref()
            .is_some_and(|r| r.contains("A13") && r.contains("MSG-3")),
        "{:?}",
        cancelled.cancel_reason
    );
    let audit = f.app.audit_of("encounter.discharge_cancel");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].details["followup_cancelled"], true);

    // Discharged after all: a new follow-up opens.
    let later = now() - Duration::hours(1);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A03",
            "MSG-4",
            MRN,
            &inpatient("V-7", "MED", &ts(admitted), Some(&ts(later))),
        ),
    ));
    let e = encounter(&f.app, &f.token, e.id);
    let again = task(
        &f.app,
        &f.token,
        e.followup_task_id.expect("a new follow-up"),
    );
    assert_ne!(again.id, followup.id);
    assert_eq!(again.status, TaskStatus::Open);
    let open: Vec<_> = tasks_of(&f.app, &f.token, f.patient.id)
        .into_iter()
        .filter(|t| t.kind == TaskKind::TransitionFollowup && t.status == TaskStatus::Open)
        .collect();
    assert_eq!(open.len(), 1, "one open follow-up: {open:?}");
}

#[test]
fn a_cancelled_admission_is_kept_but_left_out_of_lists_and_the_undo_is_audited() {
    let f = feed("Adt Cancel Org");
    let admitted = now() - Duration::hours(5);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            MRN,
            &inpatient("V-9", "PSY", &ts(admitted), None),
        ),
    ));
    let id = encounters_of(&f.app, &f.token, f.patient.id)[0].id;

    let res = send(
        &f.app,
        &f.key,
        &adt("A11", "MSG-2", MRN, &[(1, "1"), (19, "V-9")]),
    );

    accepted(&res);
    assert!(encounters_of(&f.app, &f.token, f.patient.id).is_empty());
    let kept = encounter(&f.app, &f.token, id);
    assert!(kept.cancelled_at.is_some());
    assert!(
        kept.cancel_reason
            .as_deref()
            .is_some_and(|r| r.contains("A11"))
    );
    let audit = f.app.audit_of("encounter.cancel");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].patient_id, Some(f.patient.id.get()));
    let timeline: Value = f
        .app
        .get(&format!("/api/v1/patients/{}/timeline", f.patient.id))
        .token(&f.token)
        .send()
        .expect(200)
        .json();
    assert!(
        !timeline.to_string().contains(&id.to_string()),
        "the timeline leaves it out: {timeline}"
    );
    // Cancelling again changes nothing.
    let again = send(
        &f.app,
        &f.key,
        &adt("A11", "MSG-3", MRN, &[(1, "1"), (19, "V-9")]),
    );
    accepted(&again);
    assert_eq!(f.app.audit_of("encounter.cancel").len(), 1);
    // Admitted again after all: the same encounter counts again.
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-4",
            MRN,
            &inpatient("V-9", "PSY", &ts(admitted), None),
        ),
    ));
    let back = encounters_of(&f.app, &f.token, f.patient.id);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, id);
    assert_eq!(back[0].cancelled_at, None);
}

#[test]
fn a_discharged_stay_cannot_have_its_admission_cancelled_before_its_discharge() {
    let f = feed("Adt Order Org");
    let admitted = now() - Duration::hours(30);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            MRN,
            &inpatient(
                "V-3",
                "MED",
                &ts(admitted),
                Some(&ts(now() - Duration::hours(1))),
            ),
        ),
    ));
    let res = send(
        &f.app,
        &f.key,
        &adt("A11", "MSG-2", MRN, &[(1, "1"), (19, "V-3")]),
    );
    let (code, _, text) = msa(&res);
    assert_eq!(code, "AE", "{text}");
    assert!(text.contains("discharge"), "{text}");
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 1);
}

#[test]
fn an_ed_registration_takes_its_facility_from_the_servicing_facility_and_its_discharge_too() {
    let f = feed("Adt Ed Org");
    let arrived = now() - Duration::hours(6);
    let left = now() - Duration::hours(1);
    let (arrived_ts, left_ts) = (ts(arrived), ts(left));
    let pv1 = [
        (1, "1"),
        (2, "E"),
        (3, "ED^BAY3"),
        (19, "E-55"),
        (36, "HOME"),
        (39, "Mercy ED"),
        (44, arrived_ts.as_str()),
        (45, left_ts.as_str()),
    ];
    accepted(&send(&f.app, &f.key, &adt("A04", "MSG-1", MRN, &pv1)));
    let e = &encounters_of(&f.app, &f.token, f.patient.id)[0];
    assert_eq!(e.kind, EncounterKind::Ed);
    assert_eq!(e.facility, "Mercy ED");
    assert_eq!(e.discharged_at, Some(left));
    assert_eq!(e.discharge_disposition.as_deref(), Some("HOME"));
    assert!(e.followup_task_id.is_some());
}

#[test]
fn an_outpatient_visit_is_acknowledged_and_not_recorded() {
    let f = feed("Adt Outpatient Org");
    let visit = ts(now() - Duration::hours(2));
    let res = send(
        &f.app,
        &f.key,
        &adt(
            "A04",
            "MSG-1",
            MRN,
            &[(1, "1"), (2, "O"), (19, "O-1"), (44, &visit)],
        ),
    );
    let (code, _, text) = msa(&res);
    assert_eq!(code, "AA");
    assert!(text.contains("not recorded"), "{text}");
    assert!(encounters_of(&f.app, &f.token, f.patient.id).is_empty());
    assert_eq!(f.app.audit_of("hl7v2.receive").len(), 1);
}

#[test]
fn an_update_corrects_a_recorded_visit_but_never_creates_or_discharges_one() {
    let f = feed("Adt Update Org");
    let admitted = now() - Duration::hours(10);
    let unknown = send(
        &f.app,
        &f.key,
        &adt(
            "A08",
            "MSG-0",
            MRN,
            &inpatient("V-1", "MED", &ts(admitted), None),
        ),
    );
    let (code, _, text) = msa(&unknown);
    assert_eq!(code, "AA");
    assert!(text.contains("does not create"), "{text}");
    assert!(encounters_of(&f.app, &f.token, f.patient.id).is_empty());

    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            MRN,
            &inpatient("V-1", "MED", &ts(admitted), None),
        ),
    ));
    let corrected_admission = admitted - Duration::hours(1);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A08",
            "MSG-2",
            MRN,
            &inpatient(
                "V-1",
                "BHU",
                &ts(corrected_admission),
                Some(&ts(now() - Duration::minutes(5))),
            ),
        ),
    ));
    let e = &encounters_of(&f.app, &f.token, f.patient.id)[0];
    assert_eq!(
        e.kind,
        EncounterKind::InpatientPsych,
        "moved to the BH unit"
    );
    assert_eq!(e.admitted_at, corrected_admission);
    assert_eq!(e.discharged_at, None, "an update does not discharge");
    assert!(e.followup_task_id.is_none());
}

#[test]
fn an_identifier_without_assigning_authority_is_looked_up_under_the_sending_facility() {
    let f = feed("Adt Facility Org");
    let admitted = ts(now() - Duration::hours(3));
    // PID-3 repeats: an identifier nobody knows, then the MRN without CX-4.
    let res = send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            "X-1^^^ELSEWHERE~M-1001",
            &inpatient("V-2", "MED", &admitted, None),
        ),
    );
    accepted(&res);
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 1);
}

#[test]
fn an_assigning_authority_the_organization_maps_is_looked_up_under_its_system() {
    let f = feed("Adt Mapping Org");
    let admitted = ts(now() - Duration::hours(3));
    let body = adt(
        "A01",
        "MSG-1",
        "999-88-7777^^^SSA^SS",
        &inpatient("V-4", "MED", &admitted, None),
    );
    let (code, _, _) = msa(&send(&f.app, &f.key, &body));
    assert_eq!(code, "AE", "SSA is not a system of this organization yet");

    let admin = f.app.token(&f.team.admin);
    f.app
        .put("/api/v1/integrations/hl7v2/identifier-systems/SSA")
        .token(&admin)
        .json(&serde_json::json!({"system": "urn:oid:2.16.840.1.113883.4.1"}))
        .send()
        .expect(201);

    // The same message again: it was refused, so it is tried again.
    accepted(&send(&f.app, &f.key, &body));
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 1);
}

#[test]
fn no_patient_is_matched_in_another_organization_nor_created() {
    let f = feed("Adt Tenancy Org");
    let other = f.app.team("Adt Other Org");
    let other_token = f.app.token(&other.care_manager);
    let theirs = patient_with(
        &f.app,
        &other_token,
        &other,
        "Other",
        &[("MERCY", "M-2002")],
    );
    let admitted = ts(now() - Duration::hours(3));

    let res = send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            "M-2002^^^MERCY^MR",
            &inpatient("V-5", "MED", &admitted, None),
        ),
    );

    let (code, control, text) = msa(&res);
    assert_eq!((code.as_str(), control.as_str()), ("AE", "MSG-1"));
    assert!(text.contains("No patient"), "{text}");
    assert_eq!(err(&res), ("PID^1^3".to_string(), "204".to_string()));
    assert!(encounters_of(&f.app, &other_token, theirs.id).is_empty());
    let patients: Value = f
        .app
        .get("/api/v1/patients")
        .token(&f.token)
        .send()
        .expect(200)
        .json();
    assert_eq!(patients["items"].as_array().map(Vec::len), Some(1));
}

#[test]
fn times_carry_their_offset_or_take_the_organizations_time_zone() {
    let f = feed("Adt Zone Org");
    let admitted = now() - Duration::hours(40);
    let discharged = now() - Duration::hours(4);
    // The admission with an offset of -05:00, the discharge on the
    // organization's wall clock (Los Angeles) without one.
    let with_offset = admitted
        .with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap())
        .format("%Y%m%d%H%M%S-0500")
        .to_string();
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A03",
            "MSG-1",
            MRN,
            &inpatient("V-6", "MED", &with_offset, Some(&local_ts(discharged))),
        ),
    ));
    let e = &encounters_of(&f.app, &f.token, f.patient.id)[0];
    assert_eq!(e.admitted_at, admitted);
    assert_eq!(e.discharged_at, Some(discharged));
}

#[test]
fn a_message_resent_with_its_control_id_gets_its_first_acknowledgment_and_changes_nothing() {
    let f = feed("Adt Resend Org");
    let admitted = now() - Duration::hours(8);
    let discharged = now() - Duration::hours(3);
    let body = adt(
        "A03",
        "MSG-1",
        MRN,
        &inpatient("V-8", "MED", &ts(admitted), Some(&ts(discharged))),
    );
    let first = send(&f.app, &f.key, &body);
    accepted(&first);
    let e = encounters_of(&f.app, &f.token, f.patient.id)[0].clone();

    let second = send(&f.app, &f.key, &body);

    assert_eq!(
        second.text(),
        first.text(),
        "the first acknowledgment, byte for byte"
    );
    let after = encounter(&f.app, &f.token, e.id);
    assert_eq!(after.version, e.version);
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 1);
    let followups: Vec<_> = tasks_of(&f.app, &f.token, f.patient.id)
        .into_iter()
        .filter(|t| t.kind == TaskKind::TransitionFollowup)
        .collect();
    assert_eq!(followups.len(), 1);
    assert_eq!(f.app.audit_of("hl7v2.replay").len(), 1);
    let logged: i64 = {
        use api::schema::hl7_messages::dsl::{control_id, hl7_messages};
        hl7_messages
            .filter(control_id.eq("MSG-1"))
            .count()
            .get_result(&mut f.app.conn())
            .expect("count")
    };
    assert_eq!(logged, 1);
}

#[test]
fn segments_may_end_with_line_feeds_and_the_ack_keeps_the_senders_delimiters() {
    let f = feed("Adt Endings Org");
    let admitted = ts(now() - Duration::hours(3));
    let crlf = adt(
        "A01",
        "MSG-1",
        MRN,
        &inpatient("V-11", "MED", &admitted, None),
    )
    .replace('\r', "\r\n");
    accepted(&send(&f.app, &f.key, &crlf));
    let lf = adt(
        "A01",
        "MSG-2",
        MRN,
        &inpatient("V-12", "MED", &admitted, None),
    )
    .replace('\r', "\n");
    accepted(&send(&f.app, &f.key, &lf));
    let custom = adt(
        "A01",
        "MSG-3",
        "M-1001!!!MERCY",
        &inpatient("V-13", "MED", &admitted, None),
    )
    .replace("MSH|^~\\&|", "MSH|!~\\&|")
    .replace("4W^401^A^", "4W!401!A!")
    .replace("ADT^A01^ADT_A01", "ADT!A01!ADT_A01")
    .replace("O'Brien\\T\\Lopez^Maria^^^^^L", "Lopez!Maria");
    let res = f
        .app
        .post(PATH)
        .token(&f.key)
        .body("text/plain", custom.into_bytes())
        .send();
    accepted(&res);
    assert_eq!(res.header("content-type").as_deref(), Some("text/plain"));
    assert!(res.text().starts_with("MSH|!~\\&|"), "{}", res.text());
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 3);
}

#[test]
fn malformed_messages_are_refused_with_ar_and_never_a_server_error() {
    let f = feed("Adt Malformed Org");
    let admitted = ts(now() - Duration::hours(3));
    let good = adt(
        "A01",
        "MSG-1",
        MRN,
        &inpatient("V-20", "MED", &admitted, None),
    );
    let without = |prefix: &str| {
        good.split('\r')
            .filter(|s| !s.starts_with(prefix))
            .collect::<Vec<_>>()
            .join("\r")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("no control id", good.replace("|MSG-1|", "||"), "MSH^^10"),
        ("a transfer", good.replace("ADT^A01^", "ADT^A02^"), "MSH^^9"),
        (
            "a lab result",
            good.replace("ADT^A01^", "ORU^R01^"),
            "MSH^^9",
        ),
        ("version 2.2", good.replace("|2.5.1", "|2.2"), "MSH^^12"),
        ("no PV1", without("PV1"), "PV1^^"),
        ("no PID", without("PID"), "PID^^"),
        ("no visit number", good.replace("V-20", ""), "PV1^1^19"),
        (
            "a date for a time",
            good.replace(&admitted, "2026-03-01"),
            "PV1^1^44",
        ),
        (
            "two encoding characters",
            good.replace("MSH|^~\\&|", "MSH|^~|"),
            "MSH^1^2",
        ),
        ("a garbled segment", format!("{good}12|x\r"), ""),
        (
            "a hex escape around non-ASCII",
            good.replace("Maria", "\\XaÉb\\"),
            "",
        ),
    ];
    for (what, body, _) in &cases {
        let res = send(&f.app, &f.key, body);
        let (code, _, text) = msa(&res);
        assert_eq!(code, "AR", "{what}: {text}");
        assert!(res.text().contains("\rERR|"), "{what}: {}", res.text());
    }
    let mut latin1 = good.clone().into_bytes();
    latin1.extend_from_slice(b"NTE|1||Jos\xe9\r");
    let res = f.app.post(PATH).token(&f.key).body(ER7, latin1).send();
    assert_eq!(msa(&res).0, "AR");
    assert!(encounters_of(&f.app, &f.token, f.patient.id).is_empty());

    for not_hl7 in ["", "hello", "PID|1||123", "{\"a\": 1}", "MSH", "\u{0}\u{1}"] {
        let res = send(&f.app, &f.key, not_hl7);
        let (code, control, text) = msa(&res);
        assert_eq!(
            (code.as_str(), control.as_str()),
            ("AR", ""),
            "{not_hl7:?}: {text}"
        );
        assert!(res.text().starts_with("MSH|^~\\&|"), "{}", res.text());
    }
    let huge = format!("{good}{}", "NTE|1||x\r".repeat(40_000));
    let res = send(&f.app, &f.key, &huge);
    assert_eq!(res.status, 413);
    assert!(res.contract_breach().is_none());
    let res = f
        .app
        .post(PATH)
        .token(&f.key)
        .json(&serde_json::json!({"message": good}))
        .send();
    assert_eq!(res.status, 415);
    assert!(res.contract_breach().is_none());
}

#[test]
fn only_callers_allowed_to_write_encounters_may_send_messages() {
    let f = feed("Adt Access Org");
    let admitted = ts(now() - Duration::hours(3));
    let body = adt(
        "A01",
        "MSG-1",
        MRN,
        &inpatient("V-30", "MED", &admitted, None),
    );
    let reader = f
        .app
        .api_key(&f.team.admin, &[Scope::EncountersRead, Scope::PatientsRead]);
    assert_eq!(send(&f.app, &reader, &body).status, 403);
    let viewer = f.app.token(&f.team.viewer);
    assert_eq!(send(&f.app, &viewer, &body).status, 403);
    let res = f.app.post(PATH).body(ER7, body.clone().into_bytes()).send();
    assert_eq!(res.status, 401);
    assert!(encounters_of(&f.app, &f.token, f.patient.id).is_empty());
    // A care manager may record encounters, by message too.
    accepted(&send(&f.app, &f.token, &body));
}

#[test]
fn a_done_follow_up_stays_done_when_its_discharge_is_taken_back() {
    let f = feed("Adt Done Org");
    let admitted = now() - Duration::hours(30);
    let discharged = now() - Duration::hours(6);
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A03",
            "MSG-1",
            MRN,
            &inpatient("V-40", "PSY", &ts(admitted), Some(&ts(discharged))),
        ),
    ));
    let e = &encounters_of(&f.app, &f.token, f.patient.id)[0];
    let t = task(&f.app, &f.token, e.followup_task_id.expect("a follow-up"));
    f.app
        .patch(&format!("/api/v1/tasks/{}", t.id))
        .token(&f.token)
        .json(&serde_json::json!({
            "status": "done",
            "outcome": "Reached by phone.",
            "transition_outcome": {
                "patient_reached": true,
                "followup_appointment_scheduled": false,
                "discharge_instructions_understood": true,
                "medications_reviewed": true,
            },
            "version": t.version,
        }))
        .send()
        .expect(200);

    accepted(&send(
        &f.app,
        &f.key,
        &adt("A13", "MSG-2", MRN, &[(1, "1"), (19, "V-40")]),
    ));

    assert_eq!(task(&f.app, &f.token, t.id).status, TaskStatus::Done);
    assert_eq!(encounter(&f.app, &f.token, e.id).discharged_at, None);
    let audit = f.app.audit_of("encounter.discharge_cancel");
    assert_eq!(audit[0].details["followup_cancelled"], false);
}

#[test]
fn a_visit_number_is_one_patients_and_cancelling_an_unknown_visit_changes_nothing() {
    let f = feed("Adt Visit Org");
    let other = patient_with(&f.app, &f.token, &f.team, "Other", &[("MERCY", "M-3003")]);
    let admitted = ts(now() - Duration::hours(3));
    accepted(&send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-1",
            MRN,
            &inpatient("V-50", "MED", &admitted, None),
        ),
    ));

    let res = send(
        &f.app,
        &f.key,
        &adt(
            "A01",
            "MSG-2",
            "M-3003^^^MERCY",
            &inpatient("V-50", "MED", &admitted, None),
        ),
    );

    let (code, _, text) = msa(&res);
    assert_eq!(code, "AE", "{text}");
    assert_eq!(err(&res), ("PV1^1^19".to_string(), "205".to_string()));
    assert!(encounters_of(&f.app, &f.token, other.id).is_empty());

    let unknown = send(
        &f.app,
        &f.key,
        &adt("A11", "MSG-3", MRN, &[(1, "1"), (19, "V-404")]),
    );
    let (code, _, text) = msa(&unknown);
    assert_eq!(code, "AA");
    assert!(text.contains("nothing to cancel"), "{text}");
    assert_eq!(encounters_of(&f.app, &f.token, f.patient.id).len(), 1);
}
