//! The OpenAPI 3.1 document: paths come from the handlers' annotations (as
//! registered, so the document cannot list a route the server lacks), and
//! the standard problem answers every operation can give are added by rule.

use serde_json::json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
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

/// Standard problem answers, as reusable response components.
const PROBLEMS: [(&str, &str, &str); 8] = [
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
];

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
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let has_body = op.request_body.is_some();
            // Path parameters that do not parse are 404s, not 422s.
            let has_params = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
            let applies = |status: &str| match status {
                "400" | "413" | "415" => has_body,
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
