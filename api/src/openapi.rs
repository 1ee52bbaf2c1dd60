//! The `OpenAPI` 3.1 document: paths come from the handlers' annotations (as
//! registered, so the document cannot list a route the server lacks), and
//! what follows from the API's conventions is added by rule, once, instead
//! of being repeated on every handler: bearer authentication (public
//! operations say `security(())`), each operation's tag (from its path),
//! the standard problem answers and the headers they carry, for
//! versioned records the `If-Match` header, the 412 and 428 answers, and
//! the `ETag` and `Location` headers, and the input rules every request
//! meets (see "input rules" below).

use serde_json::json;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Components, ContentBuilder, ObjectBuilder, OpenApi as Document, Ref, RefOr, Required,
    ResponseBuilder,
};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Care Manager API",
        version = "1.0.0",
        description = "The REST/JSON API of Care Manager, for EHR integrations, reporting scripts and the Care Manager web app.\n\n\
Authenticate with `Authorization: Bearer <token>`, where the token is either an access token from `POST /api/v1/auth/login` \
or an API key (`cmk_…`) created by an admin. Errors are RFC 9457 `application/problem+json`. Updates need the version you read \
(`If-Match: W/\"<version>\"` or `version` in the body). Lists are keyset-paginated: pass `next_cursor` back as `cursor`. \
Another organization's record is always a 404.",
        license(name = "Proprietary")
    ),
    tags(
        (name = "auth", description = "Sign-in, tokens and the signed-in user"),
        (name = "patients", description = "Patients, their identifiers, case status and timeline"),
        (name = "worklist", description = "The prioritized worklist and the team's workload"),
        (name = "tasks", description = "Tasks: follow-ups created by the rules, and work created by people"),
        (name = "encounters", description = "Hospital, ED, crisis-center and detox stays; discharges start transition follow-ups"),
        (name = "appointments", description = "Appointments; a miss starts a follow-up and the disengagement check"),
        (name = "huddles", description = "Huddles: the team's case conference (date, attendees, patients discussed with notes, action items that become tasks in the same transaction) and the agenda proposed from the worklists' records"),
        (name = "alerts", description = "Alerts for the care team"),
        (name = "outreach", description = "Outreach attempts"),
        (name = "notes", description = "Case notes, signing, addenda and productivity"),
        (name = "screenings", description = "Screenings (PHQ-9, PHQ-2, GAD-7, AUDIT-C, DAST-10, C-SSRS, AHC HRSN), scored by the server; a positive suicide-risk screen opens a same-day safety follow-up"),
        (name = "risk", description = "Explainable risk: the level, its factors and history, and manual overrides"),
        (name = "care-plans", description = "Versioned care plans: needs, goals, interventions, participants and reviews"),
        (name = "chart-reviews", description = "Gaps in care, and chart reviews that turn them into tasks"),
        (name = "education", description = "Patient education: what was taught, to the patient or a contact, how, in which language, and whether it was understood"),
        (name = "providers", description = "The provider network: the ranked directory with the reasons for each place, quality figures from referral outcomes, and the recruiting pipeline (network status, activities, credentials)"),
        (name = "referrals", description = "Closed-loop referrals: draft, send, accept or decline, schedule, complete, close — with barriers, a follow-up task at every open step, and overdue alerts. **For receiving providers:** an API key with the `referrals:respond` scope, bound to one provider, lists and reads only the referrals sent to that provider and accepts, declines, schedules, completes or marks them no-show through `POST /referrals/{id}/status`; every other request is a 403 or a 404"),
        (name = "medical-necessity", description = "Medical-necessity criteria per service, the facts of a patient's record they read, and the alternatives offered when they are not met"),
        (name = "programs", description = "Community programs and entitlements, and patients' enrollments in them"),
        (name = "reports", description = "Reports over a period, grouped by care manager or program, as JSON or CSV — for supervisors and scripted reporting clients (an API key with the `reports:read` scope)"),
        (name = "measures", description = "Quality measures (FUH- and FUM-like follow-up, depression response and remission, depression screening with a plan, suicide risk assessment) with their specifications, rates and patient-level lists"),
        (name = "contacts", description = "Family, friends and caregivers, and consent to share"),
        (name = "care-team", description = "The people who share a patient's care"),
        (name = "organization", description = "The organization's time zone and holidays"),
        (name = "users", description = "The organization's users"),
        (name = "api-keys", description = "Keys for integrations and scripts"),
        (name = "webhooks", description = "Signed event notifications to integrators (`encounter.discharged`, `task.overdue`, `screening.safety_flag`, `referral.status_changed`, `risk.increased`): subscriptions, the delivery log with every attempt, and replays. Events go through a transactional outbox; failures are retried with exponential backoff and become dead letters after 8 attempts"),
        (name = "audit", description = "The audit trail"),
        (name = "integrations", description = "HL7 v2 ADT in: admissions, discharges and their corrections from hospital and ED systems, acknowledged in HL7"),
        (name = "health", description = "Liveness and readiness"),
        (name = "FHIR R4", description = "The FHIR R4 (4.0.1) read API under `/fhir/r4`: `GET /fhir/r4/metadata` (public), and read (`/{Type}/{id}`) and search (`/{Type}?patient=&_lastUpdated=&_count=`, a `searchset` Bundle with `total`, `fullUrl`s and a `next` link) of Patient, RelatedPerson, CareTeam, Encounter, Appointment, Task, CarePlan, Goal, ServiceRequest, Organization, HealthcareService, QuestionnaireResponse and Observation. Bodies are `application/fhir+json` resources; errors are OperationOutcomes with the REST API's statuses (404 for another organization's record, 400 for a bad search parameter, 401, 403). Same bearer tokens, permissions and audit trail as the REST API"),
    ),
    components(schemas(shared::problem::Problem, shared::problem::FieldError)),
    security(("bearer" = [])),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or cmk_… API key")
                    .description(Some(
                        "An access token from /api/v1/auth/login (15 minutes), or an API key.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The tag of an operation: the last segment of its path that names one
/// (`/patients/{id}/contacts` is about contacts, `/patients/{id}/status`
/// about patients).
const TAGS: [(&str, &str); 47] = [
    ("health", "health"),
    ("ready", "health"),
    ("auth", "auth"),
    ("patients", "patients"),
    ("timeline", "patients"),
    ("contacts", "contacts"),
    ("screenings", "screenings"),
    ("entered-in-error", "screenings"),
    ("education", "education"),
    ("risk", "risk"),
    ("override", "risk"),
    ("care-plan", "care-plans"),
    ("care-plans", "care-plans"),
    ("versions", "care-plans"),
    ("gaps", "chart-reviews"),
    ("chart-reviews", "chart-reviews"),
    ("care-team", "care-team"),
    ("notes", "notes"),
    ("productivity", "notes"),
    ("outreach-attempts", "outreach"),
    ("encounters", "encounters"),
    ("appointments", "appointments"),
    ("tasks", "tasks"),
    ("worklist", "worklist"),
    ("team", "worklist"),
    ("huddles", "huddles"),
    ("alerts", "alerts"),
    ("organization", "organization"),
    ("users", "users"),
    ("api-keys", "api-keys"),
    ("audit-events", "audit"),
    ("providers", "providers"),
    ("activities", "providers"),
    ("credentials", "providers"),
    ("referrals", "referrals"),
    ("barriers", "referrals"),
    ("service-criteria", "medical-necessity"),
    ("necessity-facts", "medical-necessity"),
    ("programs", "programs"),
    ("enrollments", "programs"),
    ("reports", "reports"),
    ("measures", "measures"),
    ("hl7v2", "integrations"),
    ("identifier-systems", "integrations"),
    ("webhooks", "webhooks"),
    ("deliveries", "webhooks"),
    ("webhook-deliveries", "webhooks"),
];

fn tag_of(path: &str) -> Option<&'static str> {
    path.split('/').rev().find_map(|segment| {
        TAGS.iter()
            .find(|(s, _)| *s == segment)
            .map(|(_, tag)| *tag)
    })
}

/// Standard problem answers, as reusable response components.
const PROBLEMS: [(&str, &str, &str); 11] = [
    ("400", "BadRequest", "The body is not valid JSON"),
    (
        "401",
        "Unauthorized",
        "Missing, invalid or expired credentials, or a sign-in that ended (`/problems/session-ended` says why: signed out, idle, too long, password changed)",
    ),
    (
        "403",
        "Forbidden",
        "The role or key scopes do not allow this",
    ),
    ("404", "NotFound", "No such record in your organization"),
    (
        "409",
        "Conflict",
        "The change clashes with the record's state or another record, or a concurrent change got in the way (retry)",
    ),
    ("413", "PayloadTooLarge", "The body is larger than 256 KiB"),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not application/json",
    ),
    (
        "422",
        "ValidationFailed",
        "Invalid fields or parameters; `errors` lists each one",
    ),
    (
        "503",
        "Unavailable",
        "The database is unreachable; retry after `Retry-After` seconds",
    ),
    (
        "412",
        "StaleVersion",
        "Stale version: someone saved first; reload, reapply the change and save again",
    ),
    (
        "428",
        "VersionRequired",
        "No version given: send `If-Match` with the ETag you read, or `version` in the body",
    ),
];

/// Whether the schema `r` names (inline or by reference) has an integer
/// `version` property: the mark of a versioned record, or of a change to one.
fn versioned(components: &Components, r: Option<&RefOr<Schema>>) -> bool {
    let schema = match r {
        Some(RefOr::T(schema)) => Some(schema),
        Some(RefOr::Ref(reference)) => reference
            .ref_location
            .rsplit('/')
            .next()
            .and_then(|name| components.schemas.get(name))
            .and_then(|s| match s {
                RefOr::T(schema) => Some(schema),
                RefOr::Ref(_) => None,
            }),
        None => None,
    };
    let Some(Schema::Object(object)) = schema else {
        return false;
    };
    // A record's version is an integer (`Health.version` is the server's).
    matches!(
        object.properties.get("version"),
        Some(RefOr::T(Schema::Object(v))) if serde_json::to_value(&v.schema_type)
            .is_ok_and(|t| t == json!("integer") || t == json!(["integer", "null"]))
    )
}

fn string_header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

fn is_public(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v == json!({})))
    })
}

/// Adds the problem components and attaches them to every operation where
/// they can occur, unless the operation documents that status itself.
pub fn add_problem_responses(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (_, name, description) in PROBLEMS {
        components.responses.insert(
            name.to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        crate::error::PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    let components = doc.components.clone().unwrap_or_default();
    // The FHIR API documents its own answers (OperationOutcomes, not
    // problems), operation by operation.
    let paths = doc.paths.paths.iter_mut();
    for (path, item) in paths.filter(|(p, _)| !p.starts_with("/fhir/")) {
        // Whether the operation writes: any write can meet a concurrent
        // one (a deadlock, a unique key taken meanwhile), which is a 409.
        let ops = [
            (item.get.as_mut(), false),
            (item.post.as_mut(), true),
            (item.put.as_mut(), true),
            (item.patch.as_mut(), true),
            (item.delete.as_mut(), true),
        ];
        for (op, writes) in ops {
            let Some(op) = op else { continue };
            if op.tags.as_ref().is_none_or(Vec::is_empty) {
                op.tags = tag_of(path).map(|tag| vec![tag.to_string()]);
            }
            let has_body = op.request_body.is_some();
            let changes_a_version = op.request_body.as_ref().is_some_and(|body| {
                body.content
                    .get("application/json")
                    .is_some_and(|c| versioned(&components, c.schema.as_ref()))
            });
            if changes_a_version {
                let params = op.parameters.get_or_insert_with(Vec::new);
                if !params.iter().any(|p| p.name == "If-Match") {
                    params.push(
                        ParameterBuilder::new()
                            .name("If-Match")
                            .parameter_in(ParameterIn::Header)
                            .required(Required::False)
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .description(Some("The ETag you read (or send `version` in the body)"))
                            .build(),
                    );
                }
            }
            for (status, response) in &mut op.responses.responses {
                let RefOr::T(response) = response else {
                    continue;
                };
                let answers_a_version = response
                    .content
                    .get("application/json")
                    .is_some_and(|c| versioned(&components, c.schema.as_ref()));
                if answers_a_version && status.starts_with('2') {
                    response
                        .headers
                        .entry("ETag".into())
                        .or_insert_with(|| string_header("The record's version, for `If-Match`"));
                }
                if status == "201" {
                    response
                        .headers
                        .entry("Location".into())
                        .or_insert_with(|| string_header("Where the new record is"));
                }
            }
            // Path parameters that do not parse are 404s, not 422s.
            let has_params = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
            let applies = |status: &str| match status {
                "400" | "413" | "415" => has_body,
                "412" | "428" => changes_a_version,
                "401" | "403" => !is_public(op),
                "404" => path.contains('{'),
                "409" => writes,
                "422" => has_body || has_params,
                "503" => path != "/api/health",
                _ => false,
            };
            let wanted: Vec<_> = PROBLEMS
                .iter()
                .filter(|(status, _, _)| applies(status))
                .collect();
            for (status, name, _) in wanted {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
            }
        }
    }
}

// ------------------------------------------------------------ input rules
//
// What the server refuses in any request, whichever field a value fills
// (`shared::wire`, `http::json`, `shared::validation`), said once here for
// every schema a request can carry, so that the document states every limit
// the server enforces and a client generated from it is refused for nothing
// it could not know. Limits particular to a field (lengths, ranges, enums)
// are on the field (`#[schema(...)]` beside its `#[validate(...)]`); the
// test `every_field_rule_is_in_the_document` keeps the two in step.

/// Control characters the server refuses in every string (`shared::wire`):
/// all of Unicode's `Cc` but tab, line feed and carriage return.
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";

/// What trimming removes (Unicode `White_Space`, as `str::trim` reads it),
/// together with the control characters: a character outside this set is
/// what makes a string not blank.
const BLANK_OR_CONTROL: &str =
    r"\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The whitespace trimming removes that is not a control character (the
/// server trims request strings before their rules run).
const SPACE: &str = r"\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The marker a field puts in its `pattern` for "must not be blank"
/// (`validation::not_blank`): in JSON Schema's unanchored reading, "has a
/// character that is not whitespace". The rule below spells it exactly.
pub const NOT_BLANK_MARK: &str = r"\S";

/// Free text: anything but control characters.
pub fn text_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// Required text: free text with at least one character that is not
/// whitespace.
pub fn not_blank_pattern() -> String {
    format!("^[^{CONTROL}]*[^{BLANK_OR_CONTROL}][^{CONTROL}]*$")
}

/// Dates and times from year 1900 to 9999 (`shared::wire`), before their
/// format says the rest.
pub const YEAR_PATTERN: &str = "^(?:19[0-9]{2}|[2-9][0-9]{3})-";

/// A string of one kind surrounded by the whitespace trimming removes (the
/// server trims request strings before checking them); when the field is
/// optional, a blank one is no value at all and passes.
fn trimmed(kind: &str, optional: bool) -> String {
    let blank_ok = if optional { "?" } else { "" };
    format!("^[{SPACE}]*(?:{kind}){blank_ok}[{SPACE}]*$")
}

/// `validation::phone`: 7 to 15 digits among `+ ( ) - .` and spaces, and
/// an optional extension of 1 to 6 digits after an `x`.
fn phone() -> String {
    format!(r"(?:[+().\- ]*[0-9]){{7,15}}[+().\- ]*(?:[xX][{SPACE}]*[0-9]{{1,6}})?")
}

/// `validation::us_state`: a USPS code in any case.
fn us_state() -> String {
    let either_case = |c: char| format!("[{}{}]", c, c.to_ascii_lowercase());
    let codes: Vec<String> = shared::validation::US_STATES
        .iter()
        .map(|code| code.chars().map(either_case).collect())
        .collect();
    codes.join("|")
}

/// `validation::postal_code`: `12345` or `12345-6789`.
const POSTAL_CODE: &str = "[0-9]{5}(?:-[0-9]{4})?";

/// `validation::language_tag`: a well-formed BCP 47 tag (RFC 5646, as the
/// `language-tags` crate reads it) whose language is 2 or 3 letters, in
/// any case (a private-use tag is all language: `x-a` is one of 3).
const LANGUAGE_TAG: &str = concat!(
    "[xX]-[A-Za-z0-9-]|",
    "[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}",
    "(?:-[A-Za-z]{4})?",
    "(?:-(?:[A-Za-z]{2}|[0-9]{3}))?",
    "(?:-(?:[A-Za-z][A-Za-z0-9]{4,7}|[0-9][A-Za-z0-9]{3,7}))*",
    "(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*",
    "(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?",
);

/// `shared::validation::email` (the HTML form rule): a local part of up to
/// 64 of these characters, `@`, and a domain name.
const EMAIL: &str = concat!(
    "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@",
    "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?",
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*",
);

/// The pattern a field's `format` stands for (the custom ones its
/// `#[schema(format = …)]` names, and `email`, whose JSON Schema reading
/// is neither the server's rule nor aware of trimming).
fn format_pattern(format: &str, optional: bool) -> Option<String> {
    let kind = match format {
        "phone" => phone(),
        "us-state" => us_state(),
        "postal-code" => POSTAL_CODE.to_string(),
        "language-tag" => LANGUAGE_TAG.to_string(),
        "email" => EMAIL.to_string(),
        _ => return None,
    };
    Some(trimmed(&kind, optional))
}

/// `Idempotency-Key`: 1 to 255 visible ASCII characters (and spaces
/// between them: HTTP drops those around a header value).
const IDEMPOTENCY_KEY_PATTERN: &str = r"^[!-~](?:[\t -~]*[!-~])?$";

/// Properties whose type allows more values than the field's rule does:
/// the values the rule allows, computed from the rule itself.
fn narrowed_enums() -> Vec<(&'static str, &'static str, Vec<String>)> {
    use shared::case_status::CaseStatus;
    use shared::programs::EnrollmentStatus;
    use shared::providers::ActivityKind;
    use shared::referral::ReferralStatus;
    use shared::tasks::TaskKind;
    use strum::VariantArray;
    vec![
        // `initial_status`: a case cannot start closed.
        (
            "NewPatient",
            "status",
            CaseStatus::VARIANTS
                .iter()
                .filter(|s| s.valid_initial())
                .map(ToString::to_string)
                .collect(),
        ),
        // `made_by_hand`: the rules' own kinds are not created by hand.
        (
            "NewTask",
            "kind",
            TaskKind::VARIANTS
                .iter()
                .filter(|k| !k.is_rule_generated())
                .map(ToString::to_string)
                .collect(),
        ),
        // `made_by_hand`: an action item is a task made by people.
        (
            "NewActionItem",
            "kind",
            TaskKind::VARIANTS
                .iter()
                .filter(|k| !k.is_rule_generated())
                .map(ToString::to_string)
                .collect(),
        ),
        // `not_status_change`: status changes are logged by the system.
        (
            "NewProviderActivity",
            "kind",
            ActivityKind::VARIANTS
                .iter()
                .filter(|k| **k != ActivityKind::StatusChange)
                .map(ToString::to_string)
                .collect(),
        ),
        // A referral's step goes to a status some step leads to (never
        // back to `draft`).
        (
            "ReferralStatusChange",
            "status",
            ReferralStatus::VARIANTS
                .iter()
                .filter(|to| {
                    ReferralStatus::VARIANTS
                        .iter()
                        .any(|from| from.steps().iter().any(|(s, _)| s == *to))
                })
                .map(ToString::to_string)
                .collect(),
        ),
        // Likewise an enrollment's (never back to `referred`).
        (
            "EnrollmentPatch",
            "status",
            EnrollmentStatus::VARIANTS
                .iter()
                .filter(|to| {
                    EnrollmentStatus::VARIANTS
                        .iter()
                        .any(|from| from.next_statuses().contains(to))
                })
                .map(ToString::to_string)
                .collect(),
        ),
        // `known_zone`: the server's tz database (exact names).
        (
            "OrganizationPatch",
            "time_zone",
            chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| tz.name().to_string())
                .collect(),
        ),
    ]
}

/// `criteria_valid`: a `score_at_least` condition names an instrument
/// with a total, and a total within that instrument's range. The one branch
/// of `Condition` the type gives becomes one per such instrument, each
/// with its range.
fn score_conditions(condition: &mut serde_json::Value) {
    use shared::screening::Instrument;
    use strum::VariantArray;
    let Some(branches) = condition["oneOf"].as_array_mut() else {
        return;
    };
    let Some(at) = branches
        .iter()
        .position(|b| b["properties"]["kind"]["enum"] == json!(["score_at_least"]))
    else {
        return;
    };
    let branch = branches.remove(at);
    let per_instrument = Instrument::VARIANTS.iter().filter_map(|i| {
        let (min, max) = i.total_range()?;
        let mut b = branch.clone();
        b["properties"]["instrument"] = json!({
            "type": "string",
            "enum": [i.to_string()],
            "description": format!("The instrument: {}.", i.label()),
        });
        b["properties"]["total"]["minimum"] = json!(min);
        b["properties"]["total"]["maximum"] = json!(max);
        Some(b)
    });
    let tail = branches.split_off(at);
    branches.extend(per_instrument);
    branches.extend(tail);
}

/// Lists that may not name the same item twice (`scopes_valid`,
/// `identifiers_unique`, `distinct_users`); `#[schema]` has no `unique_items`.
const UNIQUE_LISTS: [(&str, &str); 8] = [
    ("NewApiKey", "scopes"),
    ("NewWebhook", "events"),
    ("WebhookPatch", "events"),
    ("NewProvider", "services"),
    ("ProviderPatch", "services"),
    ("NewPatient", "identifiers"),
    ("PatientPatch", "identifiers"),
    ("NewHuddle", "attendee_ids"),
];

/// Adds every rule of this module: the problem answers and their headers,
/// and the input rules.
///
/// # Panics
///
/// If the document does not survive a JSON round trip (a bug the tests
/// here catch).
pub fn apply_rules(doc: &mut Document) {
    add_problem_responses(doc);
    let mut value = serde_json::to_value(&*doc).expect("the document serializes");
    add_answer_headers(&mut value);
    add_input_rules(&mut value);
    // One order (by name) for every map of the document, whatever order
    // serde_json keeps: the committed document stays stable.
    crate::http::json::sort_keys(&mut value);
    *doc = serde_json::from_value(value).expect("the document deserializes");
}

/// Headers problem answers always carry: `Retry-After` on 429 and 503,
/// `WWW-Authenticate` on 401, the current `ETag` on 412 (`error.rs`).
fn add_answer_headers(doc: &mut serde_json::Value) {
    let header = |description: &str| json!({"required": true, "schema": {"type": "string"}, "description": description});
    let add = |status: &str, response: &mut serde_json::Value| {
        let (name, description) = match status {
            "401" => ("WWW-Authenticate", "`Bearer realm=\"caremgr\"`"),
            "412" => ("ETag", "The record's current version"),
            "429" | "503" => ("Retry-After", "Seconds to wait before retrying"),
            _ => return,
        };
        if let Some(response) = response.as_object_mut() {
            if response.contains_key("$ref") {
                return;
            }
            response
                .entry("headers")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|h| h.entry(name).or_insert_with(|| header(description)));
        }
    };
    for (name, response) in doc["components"]["responses"]
        .as_object_mut()
        .into_iter()
        .flatten()
    {
        let status = PROBLEMS
            .iter()
            .find(|(_, n, _)| n == name)
            .map_or("", |(s, _, _)| *s);
        add(status, response);
    }
    for op in operations_mut(doc) {
        let responses = op
            .get_mut("responses")
            .and_then(serde_json::Value::as_object_mut);
        for (status, response) in responses.into_iter().flatten() {
            add(status, response);
        }
    }
}

/// Every operation object of a document (`paths.*.*`), to rewrite in place.
fn operations_mut(doc: &mut serde_json::Value) -> impl Iterator<Item = &mut serde_json::Value> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|i| i.values_mut())
}

/// The input rules, on every schema a request can carry (its parameters,
/// its body and every schema those name).
fn add_input_rules(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let mut reachable = std::collections::BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    let note_refs = |v: &Value, queue: &mut Vec<String>| {
        let mut refs = Vec::new();
        collect_refs(v, &mut refs);
        queue.extend(refs);
    };
    for op in operations_mut(doc) {
        let params = op
            .get_mut("parameters")
            .and_then(serde_json::Value::as_array_mut);
        for param in params.into_iter().flatten() {
            if param["in"] == "header" {
                // Header values are bytes the wire rules do not read;
                // an `If-Match` that names no version is simply a 412.
                if param["name"] == crate::idempotency::HEADER {
                    param["schema"] = json!({
                        "type": "string", "minLength": 1, "maxLength": 255,
                        "pattern": IDEMPOTENCY_KEY_PATTERN
                    });
                }
                continue;
            }
            note_refs(&param["schema"], &mut queue);
            string_rules(&mut param["schema"]);
        }
        // (`get_mut`: indexing would add the keys it looks for.)
        let body = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(|c| c.get_mut("application/json"))
            .and_then(|j| j.get_mut("schema"));
        if let Some(body) = body {
            note_refs(body, &mut queue);
            object_rules(body);
            string_rules(body);
        }
    }
    let schemas = &mut doc["components"]["schemas"];
    while let Some(name) = queue.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        note_refs(&schemas[&name], &mut queue);
    }
    for (schema, property, values) in narrowed_enums() {
        let p = &mut schemas[schema]["properties"][property];
        let description = Some(p["description"].clone())
            .filter(|d| !d.is_null())
            .or_else(|| {
                p["oneOf"].as_array().and_then(|branches| {
                    branches
                        .iter()
                        .map(|b| b["description"].clone())
                        .find(|d| !d.is_null())
                })
            })
            .unwrap_or_default();
        let mut allowed = json!({"type": "string", "enum": values});
        if p.get("oneOf").is_some() || p["type"].as_array().is_some() {
            allowed = json!({"oneOf": [{"type": "null"}, allowed]});
        }
        if !description.is_null() {
            allowed["description"] = description;
        }
        *p = allowed;
    }
    score_conditions(&mut schemas["Condition"]);
    for (schema, property) in UNIQUE_LISTS {
        let p = &mut schemas[schema]["properties"][property];
        match p.get_mut("oneOf") {
            // `Option<Vec<_>>`: the list is the branch that is not `null`.
            Some(branches) => branches
                .as_array_mut()
                .into_iter()
                .flatten()
                .filter(|b| b["type"] != "null")
                .for_each(|b| b["uniqueItems"] = json!(true)),
            None => p["uniqueItems"] = json!(true),
        }
    }
    for name in &reachable {
        object_rules(&mut schemas[name]);
        string_rules(&mut schemas[name]);
    }
}

/// The component names `$ref`s in `v` point to.
fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The subschemas of `schema` itself (not those behind a `$ref`).
fn subschemas(schema: &mut serde_json::Value) -> Vec<&mut serde_json::Value> {
    let mut out = Vec::new();
    let Some(map) = schema.as_object_mut() else {
        return out;
    };
    for (key, v) in map.iter_mut() {
        match key.as_str() {
            "properties" => out.extend(v.as_object_mut().into_iter().flat_map(|p| p.values_mut())),
            "items" | "additionalProperties" | "not" => out.push(v),
            "oneOf" | "anyOf" | "allOf" => out.extend(v.as_array_mut().into_iter().flatten()),
            _ => {}
        }
    }
    out
}

/// A body with a field its type does not have is refused (`http::json`).
fn object_rules(schema: &mut serde_json::Value) {
    if let Some(map) = schema.as_object_mut()
        && map.contains_key("properties")
        && !map.contains_key("additionalProperties")
    {
        map.insert("additionalProperties".into(), json!(false));
    }
    for sub in subschemas(schema) {
        object_rules(sub);
    }
}

/// The string rules: no control characters anywhere; dates and times
/// within the years allowed; the custom formats and "not blank" spelled as
/// the patterns they stand for.
fn string_rules(schema: &mut serde_json::Value) {
    use serde_json::Value;
    let is_string = match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_string && schema.get("enum").is_none() {
        let format = schema["format"].as_str().map(str::to_string);
        let pattern = schema["pattern"].as_str().map(str::to_string);
        let optional = schema["type"].as_array().is_some();
        let rule = match (format.as_deref(), pattern.as_deref()) {
            (_, Some(NOT_BLANK_MARK)) => Some(not_blank_pattern()),
            (Some("date" | "date-time"), None) => Some(YEAR_PATTERN.to_string()),
            (Some(custom), None) => format_pattern(custom, optional),
            (None, None) => Some(text_pattern()),
            _ => None,
        };
        if let Some(rule) = rule {
            schema["pattern"] = Value::String(rule);
        }
        if format.as_deref() == Some("email") {
            // The pattern says it all; the format would refuse what the
            // server accepts (surrounding spaces, a blank optional one).
            if let Some(map) = schema.as_object_mut() {
                map.remove("format");
            }
        }
    }
    for sub in subschemas(schema) {
        string_rules(sub);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use regex::Regex;

    /// `count` strings of up to `max_len` characters from `alphabet`, and the
    /// `extra` ones, for comparing a pattern with the rule it states.
    fn samples(alphabet: &str, max_len: usize, count: usize, extra: &[&str]) -> Vec<String> {
        let chars: Vec<char> = alphabet.chars().collect();
        let mut rng = StdRng::seed_from_u64(7);
        let mut out: Vec<String> = extra.iter().map(ToString::to_string).collect();
        for _ in 0..count {
            let len = rng.random_range(0..=max_len);
            out.push(
                (0..len)
                    .map(|_| chars[rng.random_range(0..chars.len())])
                    .collect(),
            );
        }
        out
    }

    /// Asserts that `pattern` accepts exactly what `rule` accepts.
    fn agrees(pattern: &str, rule: impl Fn(&str) -> bool, samples: &[String]) {
        let re = Regex::new(pattern).expect("the pattern compiles");
        for s in samples {
            assert_eq!(
                re.is_match(s),
                rule(s),
                "{s:?}: the pattern {pattern} and the server disagree"
            );
        }
    }

    /// The server's reading of an optional field: trimmed, blank is none.
    fn optional(rule: impl Fn(&str) -> bool) -> impl Fn(&str) -> bool {
        move |s| shared::validation::blank_to_none(s).is_none_or(|t| rule(&t))
    }

    fn no_control_characters(s: &str) -> bool {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    }

    const WHITESPACE: &str = " \t\n\r\u{a0}\u{2003}\u{3000}";

    #[test]
    fn the_text_patterns_state_the_wire_rules() {
        let alphabet = format!("ab {WHITESPACE}\u{0}\u{7}\u{b}\u{c}\u{1f}\u{7f}\u{85}\u{9f}é");
        let s = samples(&alphabet, 6, 4000, &["", " ", "a", "\u{85}"]);
        agrees(&text_pattern(), no_control_characters, &s);
        agrees(
            &not_blank_pattern(),
            |s| no_control_characters(s) && shared::validation::not_blank(s).is_ok(),
            &s,
        );
    }

    #[test]
    fn the_format_patterns_state_the_field_rules() {
        use shared::validation::{language_tag, phone, postal_code, us_state};
        let ws = WHITESPACE;
        let phones = samples(
            &format!("0123456789+().-xX{ws}a"),
            22,
            6000,
            &["503-555-0100", "(503) 555-0100 x12", "5035550100x", "12345"],
        );
        agrees(
            &format_pattern("phone", true).unwrap(),
            optional(|s| phone(s).is_ok()),
            &phones,
        );
        let states = samples(&format!("OoRrAaLlXx{ws}"), 4, 3000, &["OR", " pr ", "XX"]);
        agrees(
            &format_pattern("us-state", true).unwrap(),
            optional(|s| us_state(s).is_ok()),
            &states,
        );
        let zips = samples(
            &format!("0123456789-a{ws}"),
            11,
            4000,
            &["97201", "97201-1234"],
        );
        agrees(
            &format_pattern("postal-code", true).unwrap(),
            optional(|s| postal_code(s).is_ok()),
            &zips,
        );
        let tags = samples(
            &format!("enZHx1-{ws}"),
            14,
            8000,
            &["en", "es-MX", "zh-Hant-TW", "en-x-a", "english", "en-"],
        );
        agrees(
            &format_pattern("language-tag", true).unwrap(),
            optional(|s| language_tag(s).is_ok()),
            &tags,
        );
        let emails = samples(
            &format!("ab.@-_1+[]{ws}"),
            12,
            8000,
            &["a@b.co", " a@b.co ", "a@b", "@b.co", "a@-b.co", "a@b..co"],
        );
        agrees(
            &format_pattern("email", true).unwrap(),
            optional(|s| shared::validation::email(s).is_ok()),
            &emails,
        );
        agrees(
            &format_pattern("email", false).unwrap(),
            |s| shared::validation::email(s.trim()).is_ok(),
            &emails,
        );
    }

    #[test]
    fn the_year_pattern_states_the_years_the_server_takes() {
        let re = Regex::new(YEAR_PATTERN).unwrap();
        for year in 0..=12_000 {
            let date = if year > 9999 {
                format!("+{year}-01-01")
            } else {
                format!("{year:04}-01-01")
            };
            let taken = shared::wire::check(&date).is_ok();
            assert_eq!(re.is_match(&date), taken, "{date}");
            assert_eq!(re.is_match(&format!("{date}T00:00:00Z")), taken, "{date}");
        }
    }

    #[test]
    fn the_idempotency_key_pattern_states_the_header_rule() {
        let re = Regex::new(IDEMPOTENCY_KEY_PATTERN).unwrap();
        for ok in ["0", "retry-1", "a b", "a\tb", &"k".repeat(255)] {
            assert!(re.is_match(ok), "{ok:?}");
        }
        for bad in ["", " a", "a ", "é", "a\u{7f}"] {
            assert!(!re.is_match(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_document_survives_its_json_round_trip() {
        let doc = crate::server::openapi_document();
        let value = serde_json::to_value(&doc).unwrap();
        let again: Document = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), value);
    }

    #[test]
    fn every_list_states_its_page_size_limits() {
        let doc = serde_json::to_value(crate::server::openapi_document()).unwrap();
        let mut lists = 0;
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["name"] == "limit" {
                        lists += 1;
                        assert_eq!(p["schema"]["minimum"], 1, "{op}");
                        assert_eq!(
                            p["schema"]["maximum"],
                            shared::pagination::MAX_LIMIT,
                            "{op}"
                        );
                    }
                }
            }
        }
        assert!(lists > 10, "{lists} lists");
    }

    #[test]
    fn request_bodies_refuse_unknown_fields_and_bodyless_operations_take_none() {
        let doc = serde_json::to_value(crate::server::openapi_document()).unwrap();
        for name in [
            "NewPatient",
            "PatientPatch",
            "Address",
            "Identifier",
            "LoginRequest",
        ] {
            assert_eq!(
                doc["components"]["schemas"][name]["additionalProperties"], false,
                "{name}"
            );
        }
    }
}
