//! The `OpenAPI` 3.1 document: paths come from the handlers' annotations (as
//! registered, so the document cannot list a route the server lacks), and
//! what follows from the API's conventions is added by rule, once, instead
//! of being repeated on every handler: bearer authentication (public
//! operations say `security(())`), each operation's tag (from its path),
//! the standard problem answers, and for
//! versioned records the `If-Match` header, the 412 and 428 answers, and
//! the `ETag` and `Location` headers.

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
        (name = "alerts", description = "Alerts for the care team"),
        (name = "outreach", description = "Outreach attempts"),
        (name = "notes", description = "Case notes, signing, addenda and productivity"),
        (name = "contacts", description = "Family, friends and caregivers, and consent to share"),
        (name = "care-team", description = "The people who share a patient's care"),
        (name = "organization", description = "The organization's time zone and holidays"),
        (name = "users", description = "The organization's users"),
        (name = "api-keys", description = "Keys for integrations and scripts"),
        (name = "audit", description = "The audit trail"),
        (name = "health", description = "Liveness and readiness"),
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
const TAGS: [(&str, &str); 20] = [
    ("health", "health"),
    ("ready", "health"),
    ("auth", "auth"),
    ("patients", "patients"),
    ("timeline", "patients"),
    ("contacts", "contacts"),
    ("care-team", "care-team"),
    ("notes", "notes"),
    ("productivity", "notes"),
    ("outreach-attempts", "outreach"),
    ("encounters", "encounters"),
    ("appointments", "appointments"),
    ("tasks", "tasks"),
    ("worklist", "worklist"),
    ("team", "worklist"),
    ("alerts", "alerts"),
    ("organization", "organization"),
    ("users", "users"),
    ("api-keys", "api-keys"),
    ("audit-events", "audit"),
];

fn tag_of(path: &str) -> Option<&'static str> {
    path.split('/').rev().find_map(|segment| {
        TAGS.iter()
            .find(|(s, _)| *s == segment)
            .map(|(_, tag)| *tag)
    })
}

/// Standard problem answers, as reusable response components.
const PROBLEMS: [(&str, &str, &str); 10] = [
    ("400", "BadRequest", "The body is not valid JSON"),
    (
        "401",
        "Unauthorized",
        "Missing, invalid or expired credentials",
    ),
    (
        "403",
        "Forbidden",
        "The role or key scopes do not allow this",
    ),
    ("404", "NotFound", "No such record in your organization"),
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
    for (path, item) in &mut doc.paths.paths {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
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
