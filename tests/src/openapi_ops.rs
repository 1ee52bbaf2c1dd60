//! Scenarios driven by the `OpenAPI` document: the operations the server
//! serves at `/api/openapi.json` (kept equal to the committed
//! `openapi/openapi.json` by the drift test), read generically so that a
//! scenario covers every one of them and a new endpoint without being
//! edited; and a [`Side`] to aim them at — an organization with a record of
//! every kind a path can name.

use std::fmt::Write as _;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use reqwest::Method;
use serde_json::{Map, Value, json};
use shared::auth::Role;
use uuid::Uuid;

use crate::fixtures::Team;
use crate::{Req, TestApp};

/// The `OpenAPI` document, as served.
#[derive(Debug, Clone)]
pub struct Document(pub Value);

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Method.
    pub method: Method,
    /// The path template (`/api/v1/patients/{id}`).
    pub path: String,
    /// Documented as needing no credentials (`security: [{}]`).
    pub public: bool,
    /// Path parameters, in order.
    pub path_params: Vec<String>,
    /// Query parameters.
    pub query: Vec<Param>,
    /// Header parameters (`If-Match`, `Idempotency-Key`).
    pub headers: Vec<String>,
    /// The JSON request body's schema, `$ref`s resolved at the top.
    pub body: Option<Value>,
    /// The body's documented example, if any.
    pub example: Option<Value>,
    /// A body that is not JSON (an HL7 v2 message): its first documented
    /// media type and example.
    pub raw_body: Option<(String, String)>,
}

/// A documented parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its schema, `$ref`s resolved at the top.
    pub schema: Value,
}

impl TestApp {
    /// The `OpenAPI` document the server serves.
    pub fn openapi(&self) -> Document {
        Document(self.get("/api/openapi.json").send().expect(200).json())
    }
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

impl Document {
    /// Every operation, in path order.
    pub fn operations(&self) -> Vec<Operation> {
        let default_security = &self.0["security"];
        let mut ops = Vec::new();
        for (path, item) in self.0["paths"].as_object().expect("paths") {
            let shared_params = item["parameters"].as_array().cloned().unwrap_or_default();
            for method in METHODS {
                let Some(op) = item.get(method) else {
                    continue;
                };
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"))
                    .to_string();
                let security = op.get("security").unwrap_or(default_security);
                let public = security
                    .as_array()
                    .is_none_or(|alternatives| alternatives.iter().any(is_empty_object));
                let mut path_params = Vec::new();
                let mut query = Vec::new();
                let mut headers = Vec::new();
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                for param in shared_params.iter().chain(&params) {
                    let param = self.resolve(param);
                    let name = param["name"].as_str().expect("parameter name").to_string();
                    match param["in"].as_str() {
                        Some("path") => path_params.push(name),
                        Some("query") => query.push(Param {
                            name,
                            schema: self.resolve(&param["schema"]).clone(),
                        }),
                        Some("header") => headers.push(name),
                        _ => {}
                    }
                }
                let json_body = &op["requestBody"]["content"]["application/json"];
                let body = json_body
                    .get("schema")
                    .map(|schema| self.resolve(schema).clone());
                let example = json_body
                    .get("example")
                    .or_else(|| body.as_ref().and_then(|b| b.get("example")))
                    .cloned();
                let raw_body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|content| {
                        content
                            .iter()
                            .find(|(media, _)| !media.contains("json"))
                            .map(|(media, c)| {
                                let example = c["example"].as_str().unwrap_or_default();
                                (media.clone(), example.to_string())
                            })
                    });
                ops.push(Operation {
                    id,
                    method: method.to_uppercase().parse().expect("an HTTP method"),
                    path: path.clone(),
                    public,
                    path_params,
                    query,
                    headers,
                    body,
                    example,
                    raw_body,
                });
            }
        }
        ops
    }

    /// `schema` with `$ref`s followed (`#/components/…`).
    pub fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            let pointer = reference.strip_prefix('#').expect("a local $ref");
            schema = self
                .0
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
        }
        panic!("a $ref cycle")
    }

    /// The properties of an object schema (through `$ref`, `allOf` and the
    /// non-null branch of a `oneOf`/`anyOf`), by name.
    pub fn properties(&self, schema: &Value) -> Vec<(String, Value)> {
        let schema = self.resolve(schema);
        let mut out: Vec<(String, Value)> = schema["properties"]
            .as_object()
            .map(|props| {
                props
                    .iter()
                    .map(|(name, s)| (name.clone(), self.resolve(s).clone()))
                    .collect()
            })
            .unwrap_or_default();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            out.extend(self.properties(part));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branch) = schema[key]
                .as_array()
                .into_iter()
                .flatten()
                .find(|b| b["type"] != "null")
            {
                out.extend(self.properties(branch));
            }
        }
        out
    }

    /// The names an object schema requires; for a `oneOf` (one object per
    /// kind, say), the names every branch requires.
    pub fn required(&self, schema: &Value) -> Vec<String> {
        let schema = self.resolve(schema);
        if let Some(branches) = schema["oneOf"].as_array() {
            let mut each = branches.iter().map(|b| self.required(b));
            let first = each.next().unwrap_or_default();
            return each.fold(first, |common, next| {
                common.into_iter().filter(|n| next.contains(n)).collect()
            });
        }
        schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }
}

fn is_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

impl Operation {
    /// `GET /api/v1/patients/{id}`.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.method, self.path, self.id)
    }

    /// The collection segment a path parameter follows (`patients` for the
    /// `{id}` of `/api/v1/patients/{id}/notes`).
    pub fn collection_of(&self, param: &str) -> Option<&str> {
        let marker = format!("{{{param}}}");
        let segments: Vec<&str> = self.path.split('/').collect();
        let at = segments.iter().position(|s| *s == marker)?;
        at.checked_sub(1).map(|i| segments[i])
    }

    /// The path with each parameter replaced by `fill(name)` (inserted as
    /// given: the caller encodes, or deliberately does not).
    pub fn path_with(&self, fill: impl Fn(&str) -> String) -> String {
        let mut path = self.path.clone();
        for param in &self.path_params {
            path = path.replace(&format!("{{{param}}}"), &fill(param));
        }
        path
    }

    /// Whether the operation takes an `If-Match` or `Idempotency-Key` header.
    pub fn takes_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// Whether the JSON body has a property `name`.
    pub fn body_has(&self, doc: &Document, name: &str) -> bool {
        self.body
            .as_ref()
            .is_some_and(|b| doc.properties(b).iter().any(|(n, _)| n == name))
    }
}

/// A request ready to send, built from an [`Operation`].
#[derive(Debug, Clone)]
pub struct Call {
    /// Method.
    pub method: Method,
    /// The path, parameters filled.
    pub path: String,
    /// Query pairs, already percent-encoded (sweeps send raw bytes).
    pub query: Vec<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<Value>,
    /// A body that is not JSON, with its media type.
    pub raw: Option<(String, Vec<u8>)>,
}

impl Call {
    /// A call of `op` at `path` without query, headers or body.
    pub fn new(op: &Operation, path: String) -> Call {
        Call {
            method: op.method.clone(),
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            raw: None,
        }
    }

    /// Adds a query pair, percent-encoding the value.
    pub fn param(&mut self, name: &str, value: &str) {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        self.query.push((name.to_string(), encoded));
    }

    /// The path and query string.
    pub fn target(&self) -> String {
        let mut target = self.path.clone();
        for (i, (name, value)) in self.query.iter().enumerate() {
            let _ = write!(target, "{}{name}={value}", if i == 0 { '?' } else { '&' });
        }
        target
    }

    /// `METHOD target`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.target())
    }

    /// The request, with `token` if given, headers and the JSON body.
    pub fn request(&self, app: &TestApp, token: Option<&str>) -> Req {
        let mut req = app.request(self.method.clone(), &self.target());
        if let Some(token) = token {
            req = req.token(token);
        }
        for (name, value) in &self.headers {
            req = req.header(name, value);
        }
        match (&self.body, &self.raw) {
            (Some(body), _) => req.json(body),
            (None, Some((media, bytes))) => req.body(media, bytes.clone()),
            (None, None) => req,
        }
    }

    /// The request with a raw body instead of the JSON one.
    pub fn request_raw(
        &self,
        app: &TestApp,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Req {
        let mut bare = self.clone();
        bare.body = None;
        bare.raw = None;
        bare.request(app, token).body(content_type, body)
    }
}

/// A kind of record a path (or a version) can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// A patient.
    Patient,
    /// A hospital/ED stay (discharged: it has a follow-up task and alert).
    Encounter,
    /// An appointment an hour ago.
    Appointment,
    /// A task assigned to the care manager.
    Task,
    /// The care manager's unsigned note.
    Note,
    /// A signed note (addenda go on signed notes).
    SignedNote,
    /// An unsigned note of the caller's own (only authors edit and sign):
    /// written for the caller when it is a person who may write notes.
    OwnNote,
    /// An alert to the care manager.
    Alert,
    /// A patient's contact.
    Contact,
    /// A patient's screening.
    Screening,
    /// A screening recorded for this call alone (marking one entered in
    /// error is a one-time change).
    FreshScreening,
    /// A care-team membership.
    CareTeamMember,
    /// The patient's care plan.
    CarePlan,
    /// A spare user (a viewer) to change.
    User,
    /// A spare API key to revoke.
    ApiKey,
    /// The organization itself.
    Organization,
    /// A provider in the directory (the one the side's referrals go to).
    Provider,
    /// A referral sent to the side's provider.
    Referral,
    /// A referral sent for this call alone (a status step is a one-time change).
    FreshReferral,
    /// An open barrier on the side's referral.
    Barrier,
    /// A program enrollment of the patient.
    Enrollment,
    /// A goal of the patient's care plan (FHIR `Goal`).
    Goal,
    /// A huddle that discussed the patient and gave an action item.
    Huddle,
    /// A webhook subscription.
    Webhook,
    /// A webhook subscription made for this call alone (deleting is a
    /// one-time change).
    FreshWebhook,
    /// A delivery of an event to the side's webhook.
    WebhookDelivery,
}

impl Record {
    /// The record a path's collection segment names.
    pub fn named_by(collection: &str) -> Option<Record> {
        // The FHIR API's types (`/fhir/r4/{Type}/{id}`) name the same records.
        Some(match collection {
            "patients" | "Patient" => Record::Patient,
            "encounters" | "Encounter" => Record::Encounter,
            "appointments" | "Appointment" => Record::Appointment,
            "tasks" | "Task" => Record::Task,
            "notes" => Record::Note,
            "alerts" => Record::Alert,
            "contacts" | "RelatedPerson" => Record::Contact,
            "screenings" | "QuestionnaireResponse" | "Observation" => Record::Screening,
            "care-team" | "CareTeam" => Record::CareTeamMember,
            "care-plans" | "CarePlan" => Record::CarePlan,
            "users" => Record::User,
            "api-keys" => Record::ApiKey,
            "organization" => Record::Organization,
            "providers" | "Organization" | "HealthcareService" => Record::Provider,
            "referrals" | "ServiceRequest" => Record::Referral,
            "barriers" => Record::Barrier,
            "enrollments" => Record::Enrollment,
            "Goal" => Record::Goal,
            "huddles" => Record::Huddle,
            "webhooks" => Record::Webhook,
            "webhook-deliveries" => Record::WebhookDelivery,
            _ => return None,
        })
    }

    /// The table holding its version, if it has one.
    pub fn versioned_table(self) -> Option<&'static str> {
        match self {
            Record::Patient => Some("patients"),
            Record::Encounter => Some("encounters"),
            Record::Appointment => Some("appointments"),
            Record::Task => Some("tasks"),
            Record::Note | Record::SignedNote | Record::OwnNote => Some("notes"),
            Record::Contact => Some("contacts"),
            Record::Screening | Record::FreshScreening => Some("screenings"),
            Record::CareTeamMember => Some("care_team_members"),
            Record::CarePlan => Some("care_plans"),
            Record::User => Some("users"),
            Record::Organization => Some("organizations"),
            Record::Provider => Some("providers"),
            Record::Referral | Record::FreshReferral => Some("referrals"),
            Record::Barrier => Some("referral_barriers"),
            Record::Enrollment => Some("enrollments"),
            Record::Huddle => Some("huddles"),
            Record::Webhook | Record::FreshWebhook => Some("webhook_subscriptions"),
            Record::Alert | Record::ApiKey | Record::Goal | Record::WebhookDelivery => None,
        }
    }
}

/// One organization and a record of every kind, two of each kind a list
/// shows (so that every list can be paged), made through the API by its
/// care manager (keys by its admin).
#[derive(Debug, Clone)]
pub struct Side {
    /// The organization and its users.
    pub team: Team,
    /// A patient of the care manager (every record below is theirs).
    pub patient: Uuid,
    /// A discharge two hours ago.
    pub encounter: Uuid,
    /// An appointment an hour ago, still `scheduled`.
    pub appointment: Uuid,
    /// A task by hand, assigned to the care manager.
    pub task: Uuid,
    /// The care manager's unsigned note.
    pub note: Uuid,
    /// The care manager's signed note.
    pub signed_note: Uuid,
    /// An alert (from the discharge).
    pub alert: Uuid,
    /// A contact.
    pub contact: Uuid,
    /// A PHQ-9 (no flags).
    pub screening: Uuid,
    /// An external care-team member.
    pub care_team_member: Uuid,
    /// The patient's care plan (two versions).
    pub care_plan: Uuid,
    /// The care plan's goal.
    pub goal: Uuid,
    /// A spare viewer.
    pub user: Uuid,
    /// A spare API key.
    pub api_key: Uuid,
    /// An in-network provider the referrals go to (a second one is listed too).
    pub provider: Uuid,
    /// A sent referral to `provider` (a second one is listed too).
    pub referral: Uuid,
    /// An open barrier on `referral` (a second one is listed too).
    pub barrier: Uuid,
    /// A program (a second one is listed too).
    pub program: Uuid,
    /// The patient's enrollment in `program` (a second one is listed too).
    pub enrollment: Uuid,
    /// A huddle that discussed the patient, with an action item for the
    /// care manager (a second one is listed too).
    pub huddle: Uuid,
    /// A webhook subscribed to every event (a second one is listed too),
    /// at a public address nothing answers on.
    pub webhook: Uuid,
    /// A delivery to `webhook` (of the side's discharges; there are more).
    pub webhook_delivery: Uuid,
}

impl Side {
    /// The id of the record of kind `record` (the care manager's draft for
    /// [`Record::OwnNote`]: [`Side`] cannot write as the caller).
    pub fn id(&self, record: Record) -> Uuid {
        match record {
            Record::Patient => self.patient,
            Record::Encounter => self.encounter,
            Record::Appointment => self.appointment,
            Record::Task => self.task,
            Record::Note | Record::OwnNote => self.note,
            Record::SignedNote => self.signed_note,
            Record::Alert => self.alert,
            Record::Contact => self.contact,
            Record::Screening | Record::FreshScreening => self.screening,
            Record::CareTeamMember => self.care_team_member,
            Record::CarePlan => self.care_plan,
            Record::User => self.user,
            Record::ApiKey => self.api_key,
            Record::Organization => self.team.org.id.get(),
            Record::Provider => self.provider,
            Record::Referral | Record::FreshReferral => self.referral,
            Record::Barrier => self.barrier,
            Record::Enrollment => self.enrollment,
            Record::Goal => self.goal,
            Record::Huddle => self.huddle,
            Record::Webhook | Record::FreshWebhook => self.webhook,
            Record::WebhookDelivery => self.webhook_delivery,
        }
    }
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Integer)]
    version: i32,
}

fn id_of(res: &Value) -> Uuid {
    res["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id in {res}"))
}

impl TestApp {
    /// The current version of `record` `id`, read from its table.
    pub fn version_of(&self, record: Record, id: Uuid) -> Option<i32> {
        let table = record.versioned_table()?;
        diesel::sql_query(format!("SELECT version FROM {table} WHERE id = $1"))
            .bind::<SqlUuid, _>(id)
            .get_result::<VersionRow>(&mut self.conn())
            .optional()
            .expect("read a version")
            .map(|r| r.version)
    }

    /// A POST through the API that must create something; its JSON.
    fn made(&self, token: &str, path: &str, body: &Value) -> Value {
        self.post(path).token(token).json(body).send().json_of(201)
    }

    /// A discharge `hours` ago for `patient` and an appointment an hour later.
    fn stay_and_visit(&self, token: &str, patient: Uuid, hours: i64) -> (Uuid, Uuid) {
        let now = Utc::now();
        let stay = self.made(
            token,
            "/api/v1/encounters",
            &json!({
                "patient_id": patient,
                "kind": "inpatient_psych",
                "facility": "Cascade Behavioral Health",
                "admitted_at": now - Duration::days(3),
                "discharged_at": now - Duration::hours(hours),
                "discharge_disposition": "home",
            }),
        );
        let visit = self.made(
            token,
            "/api/v1/appointments",
            &json!({
                "patient_id": patient,
                "provider_name": "Jordan Lee, LCSW",
                "kind": "therapy",
                "scheduled_at": now - Duration::hours(hours - 1),
            }),
        );
        (id_of(&stay), id_of(&visit))
    }

    /// A care plan at version 2 (with a goal) and two chart reviews for
    /// `patient`; answers the plan's id and the goal's.
    fn plan_and_chart_reviews(&self, cm: &str, patient: Uuid) -> (Uuid, Uuid) {
        let plan_path = format!("/api/v1/patients/{patient}/care-plan");
        let plan = self
            .put(&plan_path)
            .token(cm)
            .json(&json!({"needs": [{"domain": "behavioral", "description": "Depression"}]}))
            .send()
            .json_of(201);
        let revised = self
            .put(&plan_path)
            .token(cm)
            .json(&json!({"version": plan["version"], "needs": plan["needs"],
                          "goals": [{"text": "PHQ-9 below 5", "target_date": "2027-05-31"}]}))
            .send()
            .json_of(200);
        for minutes in [20, 30] {
            self.made(
                cm,
                &format!("/api/v1/patients/{patient}/chart-reviews"),
                &json!({"service_use": "No ED use", "engagement": "engaged",
                        "plan_adherence": "adherent", "minutes": minutes}),
            );
        }
        (id_of(&plan), id_of(&revised["goals"][0]))
    }

    /// An unsigned note and a signed one about `patient`.
    fn draft_and_signed_notes(&self, token: &str, patient: Uuid) -> (Uuid, Uuid) {
        let notes = format!("/api/v1/patients/{patient}/notes");
        let draft = self.made(
            token,
            &notes,
            &json!({"type": "care_coordination", "body": "Called the pharmacy.", "minutes": 10}),
        );
        let signed = self.made(
            token,
            &notes,
            &json!({"type": "outreach", "body": "Left a message.", "minutes": 5}),
        );
        self.post(&format!("/api/v1/notes/{}/sign", id_of(&signed)))
            .token(token)
            .json(&json!({"version": signed["version"]}))
            .send()
            .json_of(200);
        (id_of(&draft), id_of(&signed))
    }

    /// Two providers (the first in network), two referrals sent to the
    /// first, two barriers on the first referral, two recruiting activities
    /// and credentials, criteria for two services, two programs with an
    /// enrollment in each: (provider, referral, barrier, program, enrollment).
    fn network(&self, admin: &str, cm: &str, patient: Uuid) -> (Uuid, Uuid, Uuid, Uuid, Uuid) {
        let providers: Vec<Uuid> = ["Clínica Esperanza", "Harbor Counseling"]
            .iter()
            .map(|name| {
                id_of(&self.made(
                    admin,
                    "/api/v1/providers",
                    &json!({"name": name, "kind": "organization",
                            "services": ["outpatient_therapy", "inpatient_psychiatric"],
                            "languages": ["en", "es"], "medicaid": true,
                            "accepting_new_clients": true, "network_status": "in_network"}),
                ))
            })
            .collect();
        let provider = providers[0];
        for summary in ["Called the director", "Sent the contract"] {
            self.made(
                admin,
                &format!("/api/v1/providers/{provider}/activities"),
                &json!({"kind": "call", "summary": summary}),
            );
            self.made(
                admin,
                &format!("/api/v1/providers/{provider}/credentials"),
                &json!({"name": summary, "expires_on": "2030-06-30"}),
            );
        }
        for service in ["inpatient_psychiatric", "partial_hospitalization"] {
            self.put(&format!("/api/v1/service-criteria/{service}"))
                .token(admin)
                .json(&json!({"criteria": {
                    "any_of": [{"kind": "score_at_least", "instrument": "phq9", "total": 20}],
                    "alternatives": ["Intensive outpatient program"]}}))
                .send()
                .json_of(201);
        }
        let referrals: Vec<Uuid> = (0..2)
            .map(|_| self.sent_referral(cm, patient, provider))
            .collect();
        let barriers: Vec<Uuid> = ["transportation", "childcare"]
            .iter()
            .map(|kind| {
                id_of(&self.made(
                    cm,
                    &format!("/api/v1/referrals/{}/barriers", referrals[0]),
                    &json!({"kind": kind}),
                ))
            })
            .collect();
        let mut programs = Vec::new();
        let mut enrollments = Vec::new();
        for name in ["SNAP", "Ride to Care"] {
            let program = id_of(&self.made(
                admin,
                "/api/v1/programs",
                &json!({"name": name, "kind": "benefits", "renewal_months": 12}),
            ));
            enrollments.push(id_of(&self.made(
                cm,
                &format!("/api/v1/patients/{patient}/enrollments"),
                &json!({"program_id": program}),
            )));
            programs.push(program);
        }
        (
            provider,
            referrals[0],
            barriers[0],
            programs[0],
            enrollments[0],
        )
    }

    /// Two huddles of the care manager `cm` (user `attendee`) that discussed
    /// `patient` and gave an action item each; answers the first's id.
    fn huddles(&self, cm: &str, attendee: Uuid, patient: Uuid) -> Uuid {
        let ids: Vec<Uuid> = ["Discharged Sunday", "Doing better"]
            .iter()
            .map(|notes| {
                id_of(&self.made(
                    cm,
                    "/api/v1/huddles",
                    &json!({"attendee_ids": [attendee],
                            "patients": [{"patient_id": patient, "notes": notes}],
                            "action_items": [{"patient_id": patient, "title": "Book the follow-up visit",
                                              "due_at": Utc::now() + Duration::days(2)}]}),
                ))
            })
            .collect();
        ids[0]
    }

    /// A referral of `patient` to `provider` for outpatient therapy (no
    /// criteria), sent; answers its id.
    pub fn sent_referral(&self, cm: &str, patient: Uuid, provider: Uuid) -> Uuid {
        let draft = self.made(
            cm,
            "/api/v1/referrals",
            &json!({"patient_id": patient, "provider_id": provider,
                    "service": "outpatient_therapy", "reason": "Weekly therapy for depression"}),
        );
        self.post(&format!("/api/v1/referrals/{}/status", id_of(&draft)))
            .token(cm)
            .json(&json!({"status": "sent", "version": draft["version"]}))
            .send()
            .json_of(200);
        id_of(&draft)
    }

    /// A webhook subscribed to every event, at a public address nothing
    /// answers on (TEST-NET-3); answers its id.
    pub fn webhook(&self, admin: &str) -> Uuid {
        id_of(&self.made(
            admin,
            "/api/v1/webhooks",
            &json!({"url": "https://203.0.113.10/hooks", "description": "EHR inbox",
                    "events": ["encounter.discharged", "task.overdue", "screening.safety_flag",
                               "referral.status_changed", "risk.increased"]}),
        ))
    }

    /// The newest delivery to `webhook`.
    fn first_delivery(&self, admin: &str, webhook: Uuid) -> Uuid {
        let page = self
            .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
            .token(admin)
            .send()
            .json_of(200);
        id_of(&page["items"][0])
    }

    /// A `referrals:respond` key bound to `provider`.
    pub fn provider_key(&self, admin: &crate::fixtures::TestUser, provider: Uuid) -> String {
        let created = self.made(
            &self.token(admin),
            "/api/v1/api-keys",
            &json!({"name": "provider key", "scopes": ["referrals:respond"], "provider_id": provider}),
        );
        created["key"].as_str().expect("key").to_owned()
    }

    /// The HL7 interface files Mercy's identifiers under its OID (an
    /// assigning-authority mapping the matrix reads).
    fn map_mercy_identifiers(&self, admin: &str) {
        self.put("/api/v1/integrations/hl7v2/identifier-systems/MERCY")
            .token(admin)
            .json(&json!({"system": "urn:oid:2.16.840.1.113883.3.1234"}))
            .send()
            .expect(201);
    }

    /// An organization named `name` with one user per role and a record of
    /// every kind (see [`Side`]); its webhooks are subscribed first, so the
    /// records made after them make deliveries.
    #[expect(
        clippy::too_many_lines,
        reason = "one record of each kind, made in order, read top to bottom"
    )]
    pub fn populate(&self, name: &str) -> Side {
        let team = self.team(name);
        let cm = self.token(&team.care_manager);
        let admin = self.token(&team.admin);
        let now = Utc::now();
        let mut patients = Vec::new();
        for family in ["First", "Second"] {
            let mut new = crate::fixtures::new_patient("Pat", family);
            new.primary_care_manager_id = Some(team.care_manager.id);
            patients.push(self.create_patient(&cm, &new).id.get());
        }
        let patient = patients[0];
        self.map_mercy_identifiers(&admin);
        let webhooks = [self.webhook(&admin), self.webhook(&admin)];
        let (encounters, appointments): (Vec<Uuid>, Vec<Uuid>) = patients
            .iter()
            .zip(2..)
            .map(|(p, hours)| self.stay_and_visit(&cm, *p, hours))
            .unzip();
        let task = id_of(&self.made(
            &cm,
            "/api/v1/tasks",
            &json!({
                "patient_id": patient,
                "kind": "outreach",
                "title": "Call about the housing application",
                "due_at": now + Duration::days(1),
            }),
        ));
        let (note, signed_note) = self.draft_and_signed_notes(&cm, patient);
        let mut contacts = Vec::new();
        let mut members = Vec::new();
        for who in ["Rosa Lopez", "Ana Lopez"] {
            contacts.push(id_of(&self.made(
                &cm,
                &format!("/api/v1/patients/{patient}/contacts"),
                &json!({"name": who, "relationship": "sibling", "phone": "503-555-0177"}),
            )));
            members.push(id_of(&self.made(
                &cm,
                &format!("/api/v1/patients/{patient}/care-team"),
                &json!({"name": format!("Dr. {who}"), "organization": "Eastside Clinic", "role": "pcp"}),
            )));
            self.made(
                &cm,
                &format!("/api/v1/patients/{patient}/outreach-attempts"),
                &json!({"method": "phone", "outcome": "no_answer", "task_id": task}),
            );
        }
        let screenings: Vec<Uuid> = (0..2)
            .map(|_| {
                id_of(&self.made(
                    &cm,
                    &format!("/api/v1/patients/{patient}/screenings"),
                    &json!({"instrument": "phq2", "administered_at": now, "answers": {"1": 1, "2": 0}}),
                ))
            })
            .collect();
        for title in ["Taking sertraline", "Your safety plan"] {
            self.made(
                &cm,
                &format!("/api/v1/patients/{patient}/education"),
                &json!({"topic": "medication", "title": title, "audience": "patient",
                        "method": "verbal", "understanding": "not_assessed"}),
            );
        }
        let (plan, goal) = self.plan_and_chart_reviews(&cm, patient);
        let alerts = self
            .get(&format!("/api/v1/alerts?patient_id={patient}"))
            .token(&cm)
            .send()
            .json_of(200);
        let alert = id_of(&alerts["items"][0]);
        let user = self.user(&team.org, Role::Viewer).id.get();
        let api_key = id_of(&self.made(
            &admin,
            "/api/v1/api-keys",
            &json!({"name": "spare key", "scopes": ["tasks:read"]}),
        ));
        let (provider, referral, barrier, program, enrollment) = self.network(&admin, &cm, patient);
        let huddle = self.huddles(&cm, team.care_manager.id.get(), patient);
        Side {
            huddle,
            webhook: webhooks[0],
            webhook_delivery: self.first_delivery(&admin, webhooks[0]),
            provider,
            referral,
            barrier,
            program,
            enrollment,
            team,
            patient,
            encounter: encounters[0],
            appointment: appointments[0],
            task,
            note,
            signed_note,
            alert,
            contact: contacts[0],
            screening: screenings[0],
            care_team_member: members[0],
            care_plan: plan,
            goal,
            user,
            api_key,
        }
    }
}

impl crate::Res {
    /// The JSON body after checking the status (showing the body when it differs).
    #[track_caller]
    pub fn json_of(self, status: u16) -> Value {
        self.expect(status).json()
    }

    /// Why this answer breaks the error contract, if it does: a 5xx, or a
    /// client error that is not a matching `application/problem+json` (or,
    /// from the FHIR API, an `application/fhir+json` `OperationOutcome`).
    pub fn contract_breach(&self) -> Option<String> {
        if self.status >= 500 {
            return Some(format!("{} {}", self.status, self.text()));
        }
        if self.status >= 400 {
            let media = self.header("content-type").unwrap_or_default();
            // The FHIR API answers errors as OperationOutcomes.
            if media == "application/fhir+json" {
                let outcome: Value = serde_json::from_slice(&self.body).unwrap_or_default();
                let issue = &outcome["issue"][0];
                return (outcome["resourceType"] != "OperationOutcome"
                    || !issue["code"].is_string()
                    || !issue["severity"].is_string())
                .then(|| {
                    format!(
                        "{} with a malformed OperationOutcome: {}",
                        self.status,
                        self.text()
                    )
                });
            }
            if media != "application/problem+json" {
                return Some(format!(
                    "{} with content-type {media:?}: {}",
                    self.status,
                    self.text()
                ));
            }
            let problem: Result<Value, _> = serde_json::from_slice(&self.body);
            match problem {
                Ok(p) if p["status"] == self.status && p["title"].is_string() => {}
                _ => {
                    return Some(format!(
                        "{} with a malformed problem: {}",
                        self.status,
                        self.text()
                    ));
                }
            }
        }
        None
    }
}

impl Req {
    /// Sends it; a transport failure (the server closing the connection,
    /// say) is an `Err` describing it rather than a panic.
    pub fn try_send(self) -> Result<crate::Res, String> {
        let res = self.0.send().map_err(|e| format!("no answer: {e:?}"))?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res
            .bytes()
            .map_err(|e| format!("{status} with an unreadable body: {e}"))?
            .to_vec();
        Ok(crate::Res {
            status,
            headers,
            body,
        })
    }
}
