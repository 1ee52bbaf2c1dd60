//! The authorization matrix, generated from the `OpenAPI` document: every
//! operation the server documents, against no credentials, every role and
//! every API-key scope, and against another organization's records; and
//! the audit trail of each. What each operation takes is the one table
//! below ([`rules`]); who is refused follows from the server's own
//! permission table (`Role::permits`, `Scope::permits` in `shared::auth`).
//! A new operation without a rule fails every test here, saying so.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};
use shared::auth::{Permission, Role, Scope};
use strum::VariantArray;
use tests::fixtures::{PASSWORD, TestUser};
use tests::openapi_ops::{Call, Document, Operation, Record, Side};
use tests::{Res, TestApp};
use uuid::Uuid;

/// What an operation takes of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: documented `security: [{}]`.
    Public,
    /// Any person or key of the organization, no permission.
    Member,
    /// Any signed-in person; keys have no profile.
    People,
    /// This permission.
    Needs(Permission),
    /// Either permission (people reading or moving referrals, and a
    /// receiving provider's key answering them).
    Either(Permission, Permission),
    /// People act on their own records with `base` (sign-in alone when
    /// `None`); anyone else's, and every API key (which has no records of its
    /// own), takes `others` as well.
    Mine {
        /// What people need for their own.
        base: Option<Permission>,
        /// What reaching beyond one's own takes.
        others: Permission,
    },
}

/// What an operation writes to the audit trail when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audit {
    /// It reads or writes patient data: exactly one row.
    PatientData,
    /// Not patient data, but audited all the same (why): exactly one row.
    Once(&'static str),
    /// Not patient data (why): no row.
    Nothing(&'static str),
}

impl Audit {
    fn rows(self) -> i64 {
        match self {
            Audit::PatientData | Audit::Once(_) => 1,
            Audit::Nothing(_) => 0,
        }
    }
}

/// What a test needs to call an operation.
pub struct Ctx<'a> {
    /// The server.
    pub app: &'a TestApp,
    /// The organization whose records the call names.
    pub side: &'a Side,
    /// Who calls (`None`: no credentials).
    pub caller: Option<&'a Principal>,
}

impl Ctx<'_> {
    fn is_key(&self) -> bool {
        self.caller.is_some_and(|c| matches!(c.who, Who::Key(_)))
    }
}

type BodyFn = fn(&Ctx) -> Value;
type QueryFn = fn(&Ctx) -> Vec<(&'static str, String)>;

/// One operation's entry in the table.
pub struct Rule {
    /// Its `operationId`.
    pub op: &'static str,
    /// What it takes.
    pub access: Access,
    /// What it audits.
    pub audit: Audit,
    /// The record its path (or its body's `version`) names, when that is
    /// not the record the path's collection names.
    pub on: Option<Record>,
    /// A valid body (the document's example, else `{}`, when `None`).
    pub body: Option<BodyFn>,
    /// Query parameters a valid call needs.
    pub query: Option<QueryFn>,
}

fn rule(op: &'static str, access: Access, audit: Audit) -> Rule {
    Rule {
        op,
        access,
        audit,
        on: None,
        body: None,
        query: None,
    }
}

impl Rule {
    fn on(mut self, record: Record) -> Rule {
        self.on = Some(record);
        self
    }

    fn body(mut self, body: BodyFn) -> Rule {
        self.body = Some(body);
        self
    }

    fn query(mut self, query: QueryFn) -> Rule {
        self.query = Some(query);
        self
    }
}

const PATIENT_DATA: Audit = Audit::PatientData;

/// THE table: for every `operationId` of the document, what it takes, what
/// it audits, and how to call it validly. Permissions are the ones its
/// handler authorizes (`grep -rn 'Permission::' api/src`).
#[expect(
    clippy::too_many_lines,
    reason = "one table, one row per operation, read top to bottom"
)]
pub fn rules() -> Vec<Rule> {
    use Access::{Member, Mine, Needs, People, Public};
    use Permission::{
        ApiKeysManage, AppointmentsRead, AppointmentsWrite, AuditRead, EncountersRead,
        EncountersWrite, NotesWrite, OrganizationManage, PatientsRead, PatientsWrite, TasksRead,
        TasksWrite, TeamView, UsersManage, UsersRead,
    };
    let mut all = vec![
        rule("health", Public, Audit::Nothing("liveness: no data")),
        rule("ready", Public, Audit::Nothing("readiness: no data")),
        rule(
            "login",
            Public,
            Audit::Once("sign-ins are audited (no patient data)"),
        )
        .body(|c| json!({"email": c.side.team.viewer.email, "password": PASSWORD})),
        rule(
            "refresh",
            Public,
            Audit::Nothing("rotating a refresh token; only a reused one is audited"),
        )
        .body(|c| json!({"refresh_token": fresh_refresh_token(c)})),
        rule(
            "logout",
            Public,
            Audit::Once("sign-outs are audited (no patient data)"),
        )
        .body(|c| json!({"refresh_token": fresh_refresh_token(c)})),
        rule(
            "me",
            People,
            Audit::Nothing("the caller's own profile"),
        ),
        rule(
            "get_organization",
            Member,
            Audit::Nothing("the organization's name, time zone and holidays"),
        ),
        rule(
            "update_organization",
            Needs(OrganizationManage),
            Audit::Once("organization settings are audited (no patient data)"),
        )
        .on(Record::Organization)
        .body(|_| json!({"holidays": [{"date": "2026-12-25", "name": "Christmas Day"}]})),
        rule(
            "list_users",
            Needs(UsersRead),
            Audit::Nothing("the staff directory"),
        ),
        rule(
            "get_user",
            Needs(UsersRead),
            Audit::Nothing("the staff directory"),
        ),
        rule(
            "create_user",
            Needs(UsersManage),
            Audit::Once("user administration is audited (no patient data)"),
        )
        .body(|_| {
            json!({"email": format!("new-{}@matrix.test", Uuid::new_v4().simple()),
                   "name": "Jordan Reyes", "role": "care_manager", "password": "a-long-passphrase"})
        }),
        rule(
            "update_user",
            Needs(UsersManage),
            Audit::Once("user administration is audited (no patient data)"),
        )
        .body(|_| json!({"name": "Renamed Viewer"})),
        rule(
            "list_keys",
            Needs(ApiKeysManage),
            Audit::Nothing("key administration, read"),
        ),
        rule(
            "create_key",
            Needs(ApiKeysManage),
            Audit::Once("key administration is audited (no patient data)"),
        )
        .body(|_| json!({"name": "matrix key", "scopes": ["tasks:read"]})),
        rule(
            "revoke_key",
            Needs(ApiKeysManage),
            Audit::Once("key administration is audited (no patient data)"),
        ),
        rule(
            "list_events",
            Needs(AuditRead),
            Audit::Once("reading the trail is itself audited"),
        ),
        rule("list_patients", Needs(PatientsRead), PATIENT_DATA),
        rule("create_patient", Needs(PatientsWrite), PATIENT_DATA).body(|_| {
            json!({"given_name": "Ada", "family_name": "Matrix", "birth_date": "1980-05-17", "sex": "female"})
        }),
        rule("get_patient", Needs(PatientsRead), PATIENT_DATA),
        rule("update_patient", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"phone": "503-555-0199"})),
        rule("change_status", Needs(PatientsWrite), PATIENT_DATA).body(|c| {
            let next = if status_of(c.app, c.side.patient) == "active" {
                "on_hold"
            } else {
                "active"
            };
            json!({"status": next, "reason": "Matrix"})
        }),
        rule("timeline", Needs(PatientsRead), PATIENT_DATA),
        rule("list_contacts", Needs(PatientsRead), PATIENT_DATA),
        rule("add_contact", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"name": "Rosa Lopez", "relationship": "sibling"})),
        rule("update_contact", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"notes": "Prefers evenings"})),
        rule("list_screenings", Needs(PatientsRead), PATIENT_DATA),
        rule("record_screening", Needs(PatientsWrite), PATIENT_DATA).body(|_| {
            json!({"instrument": "phq2", "administered_at": Utc::now(), "answers": {"1": 0, "2": 1}})
        }),
        rule("get_screening", Needs(PatientsRead), PATIENT_DATA),
        rule("mark_screening_entered_in_error", Needs(PatientsWrite), PATIENT_DATA)
            .on(Record::FreshScreening)
            .body(|_| json!({"reason": "Recorded on the wrong patient"})),
        rule("list_education", Needs(PatientsRead), PATIENT_DATA),
        rule("record_education", Needs(PatientsWrite), PATIENT_DATA).body(|_| {
            json!({"topic": "medication", "title": "Taking sertraline", "audience": "patient",
                   "method": "teach_back", "understanding": "confirmed_teach_back",
                   "provided_at": Utc::now()})
        }),
        rule("get_risk", Needs(PatientsRead), PATIENT_DATA),
        rule("override_risk", Needs(PatientsWrite), PATIENT_DATA).body(|_| {
            json!({"level": "high", "reason": "Lost housing this week",
                   "until": tests::fixtures::org_today() + Duration::days(30)})
        }),
        rule("get_care_plan", Needs(PatientsRead), PATIENT_DATA),
        // The plan's version (the path names the patient, whose version
        // differs); an empty plan is a valid save.
        rule("put_care_plan", Needs(PatientsWrite), PATIENT_DATA).body(|c| {
            json!({"version": c.app.version_of(Record::CarePlan, c.side.care_plan)})
        }),
        rule("get_care_plan_version", Needs(PatientsRead), PATIENT_DATA),
        rule("list_gaps", Needs(PatientsRead), PATIENT_DATA),
        rule("list_chart_reviews", Needs(PatientsRead), PATIENT_DATA),
        rule("record_chart_review", Needs(NotesWrite), PATIENT_DATA).body(|_| {
            json!({"service_use": "One ED visit", "engagement": "partially_engaged",
                   "plan_adherence": "partial", "minutes": 15})
        }),
        rule("list_members", Needs(PatientsRead), PATIENT_DATA),
        rule("add_member", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"name": "Dr. Ana Alvarez", "role": "pcp"})),
        rule("update_member", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"phone": "503-555-0151"})),
        rule("list_notes", Needs(PatientsRead), PATIENT_DATA),
        rule("get_note", Needs(PatientsRead), PATIENT_DATA),
        rule("write_note", Needs(NotesWrite), PATIENT_DATA)
            .body(|_| json!({"type": "huddle", "body": "Discussed in huddle.", "minutes": 5})),
        rule("edit_note", Needs(NotesWrite), PATIENT_DATA)
            .on(Record::OwnNote)
            .body(|_| json!({"minutes": 25})),
        rule("sign_note", Needs(NotesWrite), PATIENT_DATA)
            .on(Record::OwnNote)
            .body(|_| json!({})),
        rule("add_addendum", Needs(NotesWrite), PATIENT_DATA)
            .on(Record::SignedNote)
            .body(|_| json!({"body": "Correction: the call was on Tuesday."})),
        rule("list_attempts", Needs(TasksRead), PATIENT_DATA),
        rule("log_attempt", Needs(TasksWrite), PATIENT_DATA)
            .body(|_| json!({"method": "phone", "outcome": "left_message"})),
        rule("list_encounters", Needs(EncountersRead), PATIENT_DATA),
        rule("get_encounter", Needs(EncountersRead), PATIENT_DATA),
        rule("record_encounter", Needs(EncountersWrite), PATIENT_DATA).body(|c| {
            let now = Utc::now();
            json!({"patient_id": c.side.patient, "kind": "ed", "facility": "Mercy ED",
                   "admitted_at": now - Duration::hours(30), "discharged_at": now - Duration::hours(6),
                   "discharge_disposition": "home"})
        }),
        rule("update_encounter", Needs(EncountersWrite), PATIENT_DATA)
            .body(|_| json!({"discharge_disposition": "home with services"})),
        // An ED visit of the side's patient; its identifier is not one the
        // patient has, so it is acknowledged AE (and audited once all the same).
        rule("receive_hl7v2", Needs(EncountersWrite), PATIENT_DATA)
            .body(|c| Value::String(matrix_adt(c))),
        rule(
            "list_identifier_systems",
            Needs(Permission::IntegrationsManage),
            Audit::Nothing("the interface's settings; no patient data"),
        ),
        rule(
            "get_identifier_system",
            Needs(Permission::IntegrationsManage),
            Audit::Nothing("the interface's settings; no patient data"),
        ),
        rule(
            "put_identifier_system",
            Needs(Permission::IntegrationsManage),
            Audit::Once("changes to the interface's settings are audited (no patient data)"),
        )
        .body(|_| json!({"system": "urn:oid:2.16.840.1.113883.4.1"})),
        rule("list_appointments", Needs(AppointmentsRead), PATIENT_DATA),
        rule("get_appointment", Needs(AppointmentsRead), PATIENT_DATA),
        rule("record_appointment", Needs(AppointmentsWrite), PATIENT_DATA).body(|c| {
            json!({"patient_id": c.side.patient, "provider_name": "Dr. Alvarez", "kind": "psychiatry",
                   "scheduled_at": Utc::now() + Duration::days(2)})
        }),
        rule("update_appointment", Needs(AppointmentsWrite), PATIENT_DATA)
            .body(|_| json!({"location": "Riverside Clinic, Suite 200"})),
        rule("list_tasks", Needs(TasksRead), PATIENT_DATA),
        rule("get_task", Needs(TasksRead), PATIENT_DATA),
        rule("create_task", Needs(TasksWrite), PATIENT_DATA).body(|c| {
            json!({"patient_id": c.side.patient, "kind": "outreach", "title": "Call back",
                   "due_at": Utc::now() + Duration::days(1)})
        }),
        rule("update_task", Needs(TasksWrite), PATIENT_DATA)
            .body(|_| json!({"title": "Call about the housing voucher"})),
        rule("list_alerts", Needs(TasksRead), PATIENT_DATA).query(|c| {
            // Keys receive no alerts: they ask about a patient.
            if c.is_key() {
                vec![("patient_id", c.side.patient.to_string())]
            } else {
                Vec::new()
            }
        }),
        rule("acknowledge_alert", Needs(TasksWrite), PATIENT_DATA),
        rule(
            "worklist",
            Mine {
                base: Some(TasksRead),
                others: TeamView,
            },
            PATIENT_DATA,
        ),
        rule(
            "huddle_agenda",
            Mine {
                base: Some(TasksRead),
                others: TeamView,
            },
            PATIENT_DATA,
        ),
        rule("list_huddles", Needs(TasksRead), PATIENT_DATA),
        rule("get_huddle", Needs(TasksRead), PATIENT_DATA),
        // One patient discussed and given an action item (the caller's own,
        // or nobody's for a key): one audit row.
        rule("record_huddle", Needs(TasksWrite), PATIENT_DATA).body(|c| {
            json!({"attendee_ids": [c.side.team.care_manager.id],
                   "patients": [{"patient_id": c.side.patient, "notes": "Stable"}],
                   "action_items": [{"patient_id": c.side.patient, "title": "Call back",
                                     "due_at": Utc::now() + Duration::days(1)}]})
        }),
        rule("update_huddle", Needs(TasksWrite), PATIENT_DATA)
            .body(|_| json!({"notes": "Follow up next week"})),
        rule(
            "team_workload",
            Needs(TeamView),
            Audit::Nothing("task counts per care manager; no patient in it"),
        ),
        rule(
            "productivity",
            Mine {
                base: None,
                others: TeamView,
            },
            Audit::Nothing("minutes per person and day; no patient in it"),
        ),
    ];
    all.extend(network_rules());
    all.extend(reporting_rules());
    all.extend(fhir_rules());
    all.extend(webhook_rules());
    all
}

/// Reports and quality measures.
fn reporting_rules() -> Vec<Rule> {
    use Access::Needs;
    use Permission::ReportsRead;
    vec![
        rule(
            "get_report",
            Needs(ReportsRead),
            Audit::Once("report reads are audited (aggregates; no patient in them)"),
        ),
        rule(
            "list_measures",
            Needs(ReportsRead),
            Audit::Nothing("the measures' specifications; no patient in them"),
        ),
        rule(
            "get_measure",
            Needs(ReportsRead),
            Audit::Once("one audit row listing the patients of the measure's lists"),
        ),
    ]
}

/// The FHIR R4 API: the capability statement is public; each type's read
/// and search take the permission of its REST counterpart, and audit as
/// patient data except the provider directory's.
fn fhir_rules() -> Vec<Rule> {
    use Access::{Needs, Public};
    use Permission::{AppointmentsRead, EncountersRead, PatientsRead, ProvidersRead, TasksRead};
    const DIRECTORY: Audit = Audit::Nothing("the provider directory; no patient in it");
    let mut rules = vec![rule(
        "fhir_metadata",
        Public,
        Audit::Nothing("the server's capability statement; no data"),
    )];
    for (read, search, permission, audit) in [
        (
            "fhir_read_patient",
            "fhir_search_patient",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_related_person",
            "fhir_search_related_person",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_care_team",
            "fhir_search_care_team",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_encounter",
            "fhir_search_encounter",
            EncountersRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_appointment",
            "fhir_search_appointment",
            AppointmentsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_task",
            "fhir_search_task",
            TasksRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_care_plan",
            "fhir_search_care_plan",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_goal",
            "fhir_search_goal",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_service_request",
            "fhir_search_service_request",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_organization",
            "fhir_search_organization",
            ProvidersRead,
            DIRECTORY,
        ),
        (
            "fhir_read_healthcare_service",
            "fhir_search_healthcare_service",
            ProvidersRead,
            DIRECTORY,
        ),
        (
            "fhir_read_questionnaire_response",
            "fhir_search_questionnaire_response",
            PatientsRead,
            PATIENT_DATA,
        ),
        (
            "fhir_read_observation",
            "fhir_search_observation",
            PatientsRead,
            PATIENT_DATA,
        ),
    ] {
        rules.push(rule(read, Needs(permission), audit));
        let by_patient = rule(search, Needs(permission), audit);
        rules.push(if audit == PATIENT_DATA {
            by_patient.query(|c| vec![("patient", format!("Patient/{}", c.side.patient))])
        } else {
            by_patient
        });
    }
    rules
}

/// The provider network, referrals, medical necessity and programs.
fn network_rules() -> Vec<Rule> {
    use Access::{Either, Needs};
    use Permission::{
        OrganizationManage, PatientsRead, PatientsWrite, ProvidersManage, ProvidersRead,
        ReferralsRespond,
    };
    const DIRECTORY: Audit = Audit::Nothing("the provider directory; no patient in it");
    const NETWORK: Audit = Audit::Once("changes to the network are audited (no patient data)");
    vec![
        rule("list_providers", Needs(ProvidersRead), DIRECTORY),
        rule("create_provider", Needs(ProvidersManage), NETWORK)
            .body(|_| json!({"name": "Matrix Counseling", "kind": "practitioner"})),
        rule("get_provider", Needs(ProvidersRead), DIRECTORY),
        rule("update_provider", Needs(ProvidersManage), NETWORK)
            .body(|_| json!({"hours": "Mon–Fri 9–5"})),
        rule("list_activities", Needs(ProvidersRead), DIRECTORY),
        rule("log_activity", Needs(ProvidersManage), NETWORK)
            .body(|_| json!({"kind": "meeting", "summary": "Site visit"})),
        rule("list_credentials", Needs(ProvidersRead), DIRECTORY),
        rule("add_credential", Needs(ProvidersManage), NETWORK)
            .body(|_| json!({"name": "State license", "expires_on": "2031-01-31"})),
        rule(
            "list_criteria",
            Needs(ProvidersRead),
            Audit::Nothing("the organization's criteria; no patient in them"),
        ),
        rule(
            "get_criteria",
            Needs(ProvidersRead),
            Audit::Nothing("the organization's criteria; no patient in them"),
        ),
        rule(
            "put_criteria",
            Needs(OrganizationManage),
            Audit::Once("criteria changes are audited (no patient data)"),
        )
        .body(|c| {
            let admin = c.app.token(&c.side.team.admin);
            let current: Value = c
                .app
                .get("/api/v1/service-criteria/inpatient_psychiatric")
                .token(&admin)
                .send()
                .json();
            json!({"version": current["version"], "criteria": {
                "any_of": [{"kind": "positive_screen", "instrument": "cssrs"}]}})
        }),
        rule("necessity_facts", Needs(PatientsRead), PATIENT_DATA),
        rule(
            "list_referrals",
            Either(PatientsRead, ReferralsRespond),
            PATIENT_DATA,
        ),
        rule("create_referral", Needs(PatientsWrite), PATIENT_DATA).body(|c| {
            json!({"patient_id": c.side.patient, "provider_id": c.side.provider,
                   "service": "outpatient_therapy", "reason": "Therapy"})
        }),
        rule(
            "get_referral",
            Either(PatientsRead, ReferralsRespond),
            PATIENT_DATA,
        ),
        rule("update_referral", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"reason": "Weekly therapy, evenings"})),
        rule(
            "move_referral",
            Either(PatientsWrite, ReferralsRespond),
            PATIENT_DATA,
        )
        .on(Record::FreshReferral)
        .body(|_| json!({"status": "accepted"})),
        rule("list_barriers", Needs(PatientsRead), PATIENT_DATA),
        rule("add_barrier", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"kind": "cost", "description": "Copay"})),
        rule("update_barrier", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"description": "No bus line reaches the clinic"})),
        rule("list_programs", Needs(ProvidersRead), DIRECTORY),
        rule("create_program", Needs(ProvidersManage), NETWORK)
            .body(|_| json!({"name": "Housing First", "kind": "housing"})),
        rule("list_enrollments", Needs(PatientsRead), PATIENT_DATA),
        rule("create_enrollment", Needs(PatientsWrite), PATIENT_DATA)
            .body(|c| json!({"program_id": c.side.program})),
        rule("update_enrollment", Needs(PatientsWrite), PATIENT_DATA)
            .body(|_| json!({"notes": "Needs help with the form"})),
    ]
}

/// Webhooks: admins' integration settings and the delivery log.
fn webhook_rules() -> Vec<Rule> {
    use Access::Needs;
    use Permission::IntegrationsManage;
    const SETTINGS: Audit = Audit::Nothing("webhook settings; no patient in them");
    const CHANGES: Audit = Audit::Once("webhook administration is audited (no patient data)");
    vec![
        rule("list_webhooks", Needs(IntegrationsManage), SETTINGS),
        rule("get_webhook", Needs(IntegrationsManage), SETTINGS),
        rule("create_webhook", Needs(IntegrationsManage), CHANGES)
            .body(|_| json!({"url": "https://203.0.113.10/hooks", "events": ["task.overdue"]})),
        rule("update_webhook", Needs(IntegrationsManage), CHANGES)
            .body(|_| json!({"description": "EHR inbox (renamed)"})),
        rule("delete_webhook", Needs(IntegrationsManage), CHANGES).on(Record::FreshWebhook),
        rule(
            "list_deliveries",
            Needs(IntegrationsManage),
            Audit::Nothing("event types, ids and delivery statuses; no patient data"),
        ),
        rule(
            "replay_delivery",
            Needs(IntegrationsManage),
            Audit::Once("replays are audited (the event carries patient ids)"),
        ),
    ]
}

fn fresh_refresh_token(c: &Ctx) -> String {
    c.app.login(&c.side.team.supervisor).refresh_token
}

#[derive(QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
}

fn status_of(app: &TestApp, patient: Uuid) -> String {
    diesel::sql_query("SELECT status FROM patients WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(patient)
        .get_result::<StatusRow>(&mut app.conn())
        .expect("a patient's status")
        .status
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A person in this role.
    Role(Role),
    /// An API key with this one scope.
    Key(Scope),
}

impl Who {
    /// Whether the permission table lets this caller reach `access`.
    pub fn may(self, access: Access) -> bool {
        let permits = |p: Permission| match self {
            Who::Role(r) => r.permits(p),
            Who::Key(s) => s.permits(p),
        };
        match (access, self) {
            (Access::Public | Access::Member, _) | (Access::People, Who::Role(_)) => true,
            (Access::People, Who::Key(_)) => false,
            (Access::Needs(p), _) => permits(p),
            (Access::Either(a, b), _) => permits(a) || permits(b),
            (Access::Mine { base, .. }, Who::Role(_)) => base.is_none_or(permits),
            (Access::Mine { base, others }, Who::Key(_)) => {
                base.is_none_or(permits) && permits(others)
            }
        }
    }
}

/// A caller of organization A.
pub struct Principal {
    /// Role or scope.
    pub who: Who,
    /// Its bearer token (an access token or a key).
    pub token: String,
    /// The person, for a role.
    pub user: Option<TestUser>,
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.who {
            Who::Role(r) => write!(f, "role {r}"),
            Who::Key(s) => write!(f, "key {s}"),
        }
    }
}

/// The rule of every operation of `ops`, in the same order; panics naming
/// each operation without a rule, and each rule without an operation.
pub fn rules_for<'r>(ops: &[Operation], rules: &'r [Rule]) -> Vec<&'r Rule> {
    let missing: Vec<String> = ops
        .iter()
        .filter(|op| !rules.iter().any(|r| r.op == op.id))
        .map(Operation::label)
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a rule — add each to `rules()` in \
         tests/tests/scenarios/authorization_matrix.rs (the permission its handler \
         authorizes, what it audits, a valid body): {missing:#?}"
    );
    let documented: BTreeSet<&str> = ops.iter().map(|op| op.id.as_str()).collect();
    let stale: Vec<&str> = rules
        .iter()
        .map(|r| r.op)
        .filter(|id| !documented.contains(id))
        .collect();
    assert!(
        stale.is_empty(),
        "rules for operations the document no longer has — remove them: {stale:?}"
    );
    let mut seen = BTreeSet::new();
    for r in rules {
        assert!(seen.insert(r.op), "two rules for {}", r.op);
    }
    ops.iter()
        .map(|op| rules.iter().find(|r| r.op == op.id).expect("checked above"))
        .collect()
}

/// Path parameters that name no record another organization could own:
/// a service (whose criteria are the caller's organization's own), a
/// report (over the caller's organization's records) and an assigning
/// authority (whose identifier-system mapping is the organization's own).
const NOT_RECORDS: [&str; 3] = ["service", "name", "assigning_authority"];

/// Whether the path names no record another organization could own (its
/// parameters are [`NOT_RECORDS`], or it names a quality measure).
fn names_no_record(op: &Operation) -> bool {
    op.path.starts_with("/api/v1/measures/")
        || op
            .path_params
            .iter()
            .all(|p| NOT_RECORDS.contains(&p.as_str()))
}

/// An HL7 v2 A04 (ED visit) naming `ctx.side`'s patient, with a control id
/// and visit number of its own (a resend would be answered from the first).
fn matrix_adt(ctx: &Ctx) -> String {
    let id = Uuid::new_v4().simple().to_string();
    let at = (Utc::now() - Duration::hours(3)).format("%Y%m%d%H%M%S+0000");
    let mut pv1 = vec![String::new(); 45];
    pv1[0] = "1".into();
    pv1[1] = "E".into();
    pv1[2] = "ED^^^Mercy ED".into();
    pv1[18] = format!("V-{}", &id[..12]);
    pv1[43] = at.to_string();
    format!(
        "MSH|^~\\&|EPIC|MERCY|CAREMGR|MATRIX|{at}||ADT^A04^ADT_A01|{ctl}|P|2.5.1\r\
         PID|1||{patient}^^^MATRIX^MR\r\
         PV1|{pv1}\r",
        ctl = &id[..20],
        patient = ctx.side.patient,
        pv1 = pv1.join("|"),
    )
}

/// The record and id a call's path (or version) names.
fn target(op: &Operation, rule: Option<&Rule>, ctx: &Ctx) -> Option<(Record, Uuid)> {
    let record = rule.and_then(|r| r.on).or_else(|| {
        if names_no_record(op) {
            return None;
        }
        let param = op.path_params.first()?;
        let collection = op.collection_of(param)?;
        Some(Record::named_by(collection).unwrap_or_else(|| {
            panic!(
                "{}: no record kind for `/{collection}/{{{param}}}` — add it to \
                 `Record::named_by` and `Side` in tests/src/openapi_ops.rs",
                op.label()
            )
        }))
    })?;
    let id = match (record, ctx.caller) {
        // Only a note's author edits or signs it: the caller's own draft,
        // when the caller is a person of this organization who may write.
        (
            Record::OwnNote,
            Some(Principal {
                user: Some(user),
                token,
                who,
            }),
        ) if user.org == ctx.side.team.org.id && who.may(Access::Needs(Permission::NotesWrite)) => {
            let note: Value = ctx
                .app
                .post(&format!("/api/v1/patients/{}/notes", ctx.side.patient))
                .token(token)
                .json(&json!({"type": "outreach", "body": "A draft of my own.", "minutes": 5}))
                .send()
                .expect(201)
                .json();
            note["id"].as_str().expect("note id").parse().expect("uuid")
        }
        (Record::FreshReferral, _) => {
            let cm = ctx.app.token(&ctx.side.team.care_manager);
            ctx.app
                .sent_referral(&cm, ctx.side.patient, ctx.side.provider)
        }
        (Record::FreshWebhook, _) => {
            let admin = ctx.app.token(&ctx.side.team.admin);
            ctx.app.webhook(&admin)
        }
        (Record::FreshScreening, _) => {
            let cm = ctx.app.token(&ctx.side.team.care_manager);
            let screening: Value = ctx
                .app
                .post(&format!("/api/v1/patients/{}/screenings", ctx.side.patient))
                .token(&cm)
                .json(&json!({"instrument": "phq2", "administered_at": Utc::now(),
                              "answers": {"1": 0, "2": 0}}))
                .send()
                .expect(201)
                .json();
            screening["id"]
                .as_str()
                .expect("screening id")
                .parse()
                .expect("uuid")
        }
        // A goal of the plan as it is now (a plan saved since holds others,
        // or none: then it gets one).
        (Record::Goal, _) => {
            let cm = ctx.app.token(&ctx.side.team.care_manager);
            let path = format!("/api/v1/patients/{}/care-plan", ctx.side.patient);
            let mut plan: Value = ctx.app.get(&path).token(&cm).send().json_of(200);
            if plan["goals"].as_array().is_none_or(Vec::is_empty) {
                plan = ctx
                    .app
                    .put(&path)
                    .token(&cm)
                    .json(&json!({"version": plan["version"],
                                  "goals": [{"text": "PHQ-9 below 5", "target_date": "2027-05-31"}]}))
                    .send()
                    .json_of(200);
            }
            plan["goals"][0]["id"]
                .as_str()
                .expect("goal id")
                .parse()
                .expect("uuid")
        }
        (record, _) => ctx.side.id(record),
    };
    Some((record, id))
}

/// A valid call of `op` on `ctx.side`'s records by `ctx.caller`: the path
/// filled with real ids, the rule's (or the document's) body with the
/// record's current version, the query a valid call needs.
pub fn prepare(doc: &Document, op: &Operation, rule: Option<&Rule>, ctx: &Ctx) -> Call {
    let target = target(op, rule, ctx);
    let path = op.path_with(|param| match target {
        Some((_, id)) if op.path_params.first().is_some_and(|p| p == param) => id.to_string(),
        // A care plan's version number: the setup saved two.
        _ if param == "n" => "1".to_owned(),
        // The setup set criteria for this service.
        _ if param == "service" => "inpatient_psychiatric".to_owned(),
        _ if param == "name" => "caseload".to_owned(),
        _ if op.path.starts_with("/api/v1/measures/") => "fuh".to_owned(),
        // The setup mapped this assigning authority; a PUT maps a new one
        // (there is no version to name).
        _ if param == "assigning_authority" && op.method == reqwest::Method::PUT => {
            format!("AUTH-{}", Uuid::new_v4().simple())
        }
        _ if param == "assigning_authority" => "MERCY".to_owned(),
        _ => panic!(
            "{}: nothing says what to put in `{{{param}}}` — teach `prepare` in \
             tests/tests/scenarios/authorization_matrix.rs",
            op.label()
        ),
    });
    let mut call = Call::new(op, path);
    if let Some(query) = rule.and_then(|r| r.query) {
        for (name, value) in query(ctx) {
            call.param(name, &value);
        }
    }
    if op.body.is_some() {
        let mut body = match rule.and_then(|r| r.body) {
            Some(make) => make(ctx),
            None => op.example.clone().unwrap_or_else(|| json!({})),
        };
        if op.body_has(doc, "version")
            && body.get("version").is_none()
            && let Some((record, id)) = target
            && let Some(version) = ctx.app.version_of(record, id)
        {
            body["version"] = json!(version);
        }
        call.body = Some(body);
    } else if let Some((media, example)) = &op.raw_body {
        let body = match rule.and_then(|r| r.body).map(|make| make(ctx)) {
            Some(Value::String(text)) => text,
            _ => example.clone(),
        };
        call.raw = Some((media.clone(), body.into_bytes()));
    }
    call
}

/// The server and everything the matrix calls with.
pub struct Stage {
    /// The server.
    pub app: TestApp,
    /// Its document.
    pub doc: Document,
    /// Its operations.
    pub ops: Vec<Operation>,
    /// The callers' organization.
    pub a: Side,
    /// Another organization.
    pub b: Side,
    /// One person per role and one key per scope, of A.
    pub callers: Vec<Principal>,
}

/// A server with two populated organizations and a caller per role and
/// per scope in the first. Sign-ins are not rate-limited here: the matrix
/// signs in for every refresh and logout it calls.
pub fn stage() -> Stage {
    let app = TestApp::spawn_with(|c| {
        c.login_attempts_per_minute = std::num::NonZeroU32::new(100_000).expect("non-zero");
        // Replays only queue an attempt; no worker makes it (the side's
        // webhook points at an address nothing answers on).
        c.webhooks.interval = None;
    });
    let doc = app.openapi();
    let ops = doc.operations();
    let a = app.populate("Matrix A");
    let b = app.populate("Matrix B");
    let mut callers = Vec::new();
    for user in [
        &a.team.admin,
        &a.team.supervisor,
        &a.team.care_manager,
        &a.team.viewer,
    ] {
        callers.push(Principal {
            who: Who::Role(user.role),
            token: app.token(user),
            user: Some(user.clone()),
        });
    }
    assert_eq!(callers.len(), Role::VARIANTS.len(), "a person per role");
    for scope in Scope::VARIANTS {
        // A receiving provider's key is bound to a provider: A's own.
        let token = if scope.binds_provider() {
            app.provider_key(&a.team.admin, a.provider)
        } else {
            app.api_key(&a.team.admin, &[*scope])
        };
        callers.push(Principal {
            who: Who::Key(*scope),
            token,
            user: None,
        });
    }
    Stage {
        app,
        doc,
        ops,
        a,
        b,
        callers,
    }
}

fn send(stage: &Stage, call: &Call, caller: Option<&Principal>) -> Res {
    call.request(&stage.app, caller.map(|c| c.token.as_str()))
        .send()
}

fn fail_if_any(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_documented_operation_has_exactly_one_rule_and_public_ones_are_documented_public() {
    let app = TestApp::spawn();
    let ops = app.openapi().operations();
    let rules = rules();
    let matched = rules_for(&ops, &rules);
    assert!(ops.len() >= 50, "only {} operations documented", ops.len());
    for (op, rule) in ops.iter().zip(matched) {
        assert_eq!(
            op.public,
            rule.access == Access::Public,
            "{}: documented public is {} but its rule says {:?}",
            op.label(),
            op.public,
            rule.access
        );
    }
}

#[test]
fn every_operation_answers_401_without_a_token_unless_documented_public() {
    let stage = stage();
    let rules = rules();
    let matched = rules_for(&stage.ops, &rules);
    let mut failures = Vec::new();
    let mut sent = 0;
    for (op, rule) in stage.ops.iter().zip(matched) {
        let ctx = Ctx {
            app: &stage.app,
            side: &stage.a,
            caller: None,
        };
        let call = prepare(&stage.doc, op, Some(rule), &ctx);
        let res = send(&stage, &call, None);
        sent += 1;
        if op.public {
            if !(200..300).contains(&res.status) {
                failures.push(format!(
                    "{} is public but answered {} {}",
                    call.label(),
                    res.status,
                    res.text()
                ));
            }
            continue;
        }
        if res.status != 401 {
            failures.push(format!(
                "{} without a token: {} {}",
                call.label(),
                res.status,
                res.text()
            ));
        } else if let Some(breach) = res.contract_breach() {
            failures.push(format!("{}: {breach}", call.label()));
        }
        for forged in ["nonsense", "cmk_not-a-key", "a.b.c"] {
            let res = call.request(&stage.app, Some(forged)).send();
            sent += 1;
            if res.status != 401 || res.contract_breach().is_some() {
                failures.push(format!(
                    "{} with bearer {forged:?}: {} {}",
                    call.label(),
                    res.status,
                    res.text()
                ));
            }
        }
    }
    eprintln!("{} operations, {sent} requests", stage.ops.len());
    fail_if_any("answers without credentials", &failures);
}

#[test]
fn each_role_and_api_key_scope_is_refused_exactly_what_the_permission_table_does_not_grant() {
    let stage = stage();
    let rules = rules();
    let matched = rules_for(&stage.ops, &rules);
    let mut failures = Vec::new();
    let mut sent = 0;
    for (op, rule) in stage.ops.iter().zip(matched) {
        for caller in &stage.callers {
            let ctx = Ctx {
                app: &stage.app,
                side: &stage.a,
                caller: Some(caller),
            };
            let call = prepare(&stage.doc, op, Some(rule), &ctx);
            let res = send(&stage, &call, Some(caller));
            sent += 1;
            let allowed = caller.who.may(rule.access);
            let wrong = if allowed {
                matches!(res.status, 401 | 403) || res.status >= 500
            } else {
                res.status != 403
            };
            if wrong {
                failures.push(format!(
                    "{} by {caller}: expected {}, got {} {}",
                    call.label(),
                    if allowed { "not 401/403" } else { "403" },
                    res.status,
                    res.text()
                ));
            } else if let Some(breach) = res.contract_breach() {
                failures.push(format!("{} by {caller}: {breach}", call.label()));
            }
        }
    }
    eprintln!(
        "{} operations x {} callers: {sent} requests",
        stage.ops.len(),
        stage.callers.len()
    );
    fail_if_any("the authorization matrix", &failures);
}

#[test]
fn another_organizations_record_is_a_404_never_a_403_for_every_caller_the_operation_admits() {
    let stage = stage();
    let rules = rules();
    let matched = rules_for(&stage.ops, &rules);
    let mut failures = Vec::new();
    let mut sent = 0;
    for (op, rule) in stage.ops.iter().zip(matched) {
        if names_no_record(op) {
            continue;
        }
        for caller in stage.callers.iter().filter(|c| c.who.may(rule.access)) {
            let ctx = Ctx {
                app: &stage.app,
                side: &stage.b,
                caller: Some(caller),
            };
            let call = prepare(&stage.doc, op, Some(rule), &ctx);
            let res = send(&stage, &call, Some(caller));
            sent += 1;
            if res.status != 404 {
                failures.push(format!(
                    "{} by {caller} on another organization's record: {} {}",
                    call.label(),
                    res.status,
                    res.text()
                ));
            } else if let Some(breach) = res.contract_breach() {
                failures.push(format!("{} by {caller}: {breach}", call.label()));
            }
        }
    }
    assert!(sent > 0, "no operation names a record");
    eprintln!("{sent} requests on another organization's records");
    fail_if_any("another organization's records", &failures);
}

/// The record of `side` an id-valued query parameter stands for.
fn named_in_query(op: &Operation, param: &str, side: &Side) -> Uuid {
    match param {
        "patient_id" | "near_patient_id" => side.patient,
        "task_id" => side.task,
        "provider_id" => side.provider,
        "user_id" | "assignee_id" | "care_manager_id" => side.team.care_manager.id.get(),
        other => panic!(
            "{}: the query parameter `{other}` holds an id — say which record it names in \
             `named_in_query` (tests/tests/scenarios/authorization_matrix.rs)",
            op.label()
        ),
    }
}

#[test]
fn naming_another_organizations_record_in_a_query_finds_nothing_of_it() {
    let stage = stage();
    let rules = rules();
    let matched = rules_for(&stage.ops, &rules);
    let admin = stage
        .callers
        .iter()
        .find(|c| c.who == Who::Role(Role::Admin))
        .expect("an admin");
    let mut failures = Vec::new();
    let mut sent = 0;
    for (op, rule) in stage.ops.iter().zip(matched) {
        for param in op.query.iter().filter(|p| p.schema["format"] == "uuid") {
            let ctx = Ctx {
                app: &stage.app,
                side: &stage.a,
                caller: Some(admin),
            };
            let mut call = prepare(&stage.doc, op, Some(rule), &ctx);
            call.query.retain(|(name, _)| *name != param.name);
            let theirs = named_in_query(op, &param.name, &stage.b);
            call.param(&param.name, &theirs.to_string());
            let res = send(&stage, &call, Some(admin));
            sent += 1;
            let shown = match res.status {
                200 => res.json::<Value>()["items"]
                    .as_array()
                    .map_or(usize::MAX, Vec::len),
                404 | 422 => 0,
                _ => usize::MAX,
            };
            if shown != 0 || res.text().contains(&theirs.to_string()) {
                failures.push(format!(
                    "{} by {admin}: {} {}",
                    call.label(),
                    res.status,
                    res.text()
                ));
            } else if let Some(breach) = res.contract_breach() {
                failures.push(format!("{} by {admin}: {breach}", call.label()));
            }
        }
    }
    assert!(sent > 5, "only {sent} id-valued query parameters");
    eprintln!("{sent} queries naming another organization's records");
    fail_if_any("filters naming another organization's records", &failures);
}

/// Why `call` (which must succeed) did not write the rows `rule` says, if it did not.
fn audited_once(
    stage: &Stage,
    rule: &Rule,
    call: &Call,
    caller: Option<&Principal>,
) -> Option<String> {
    let who = caller.map_or_else(|| "no one".to_string(), ToString::to_string);
    let what = format!(
        "{} {} {:?} by {who}",
        call.label(),
        call.body.as_ref().map(Value::to_string).unwrap_or_default(),
        call.headers
    );
    let before = audit_rows(&stage.app);
    let res = send(stage, call, caller);
    let written = audit_rows(&stage.app) - before;
    if !(200..300).contains(&res.status) {
        Some(format!(
            "{what}: a valid call answered {} {}",
            res.status,
            res.text()
        ))
    } else if written == rule.audit.rows() {
        None
    } else {
        Some(format!(
            "{what}: {written} audit row(s), expected {} ({:?})",
            rule.audit.rows(),
            rule.audit
        ))
    }
}

fn audit_rows(app: &TestApp) -> i64 {
    use api::schema::audit_events::dsl::audit_events;
    audit_events
        .count()
        .get_result(&mut app.conn())
        .expect("count audit rows")
}

#[test]
fn every_operation_on_patient_data_writes_exactly_one_audit_row_when_it_succeeds() {
    let stage = stage();
    let rules = rules();
    let matched = rules_for(&stage.ops, &rules);
    let mut failures = Vec::new();
    let mut sent = 0;
    for (op, rule) in stage.ops.iter().zip(matched) {
        // A person (the care manager where the role allows), and every key
        // that may; no one for a public operation.
        let mut actors: Vec<Option<&Principal>> = Vec::new();
        if rule.access == Access::Public {
            actors.push(None);
        } else {
            actors.extend(
                [Role::CareManager, Role::Supervisor, Role::Admin]
                    .into_iter()
                    .filter_map(|role| {
                        stage
                            .callers
                            .iter()
                            .find(|c| c.who == Who::Role(role) && c.who.may(rule.access))
                    })
                    .take(1)
                    .map(Some),
            );
            actors.extend(
                stage
                    .callers
                    .iter()
                    .filter(|c| matches!(c.who, Who::Key(_)) && c.who.may(rule.access))
                    .map(Some),
            );
        }
        for caller in actors {
            let ctx = Ctx {
                app: &stage.app,
                side: &stage.a,
                caller,
            };
            // The rule's body, and — when the body needs no field — the
            // least one can send (`{}`, plus the version). Each is prepared
            // just before it is sent: the first changes the version.
            let bare = Rule {
                body: Some(|_| json!({})),
                on: rule.on,
                query: rule.query,
                ..self::rule(rule.op, rule.access, rule.audit)
            };
            let mut variants = vec![rule];
            if let Some(schema) = &op.body
                && stage.doc.required(schema).is_empty()
                && rule.body.is_some_and(|make| {
                    make(&ctx)
                        .as_object()
                        .is_some_and(|o| o.keys().any(|k| k != "version"))
                })
            {
                variants.push(&bare);
            }
            let mut calls: Vec<Call> = Vec::new();
            for variant in variants {
                calls.push(prepare(&stage.doc, op, Some(variant), &ctx));
                // A retry with the same `Idempotency-Key` is answered from
                // the first result, and audited once too.
                if op.takes_header("Idempotency-Key") {
                    let mut keyed = calls.pop().expect("just pushed");
                    let key = Uuid::new_v4().to_string();
                    keyed.headers.push(("Idempotency-Key".into(), key));
                    calls.extend([keyed.clone(), keyed]);
                }
                for call in calls.drain(..) {
                    sent += 1;
                    if let Some(failure) = audited_once(&stage, rule, &call, caller) {
                        failures.push(failure);
                    }
                }
            }
        }
    }
    eprintln!("{sent} audited requests");
    fail_if_any("the audit trail", &failures);
}
