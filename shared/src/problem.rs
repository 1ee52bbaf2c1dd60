//! RFC 9457 problem details: the one error shape every non-2xx answer uses.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumString, VariantArray};

/// Every kind of problem the API answers with. The `type` member of a
/// problem is `/problems/<kind>`; clients branch on the kind, never on the
/// wording.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    AsRefStr,
    EnumString,
    VariantArray
)]
#[strum(serialize_all = "kebab-case")]
pub enum ProblemKind {
    /// Well-formed input that breaks field rules (422).
    Validation,
    /// Input that cannot be read at all (400).
    BadRequest,
    /// Missing or unacceptable credentials (401).
    Unauthorized,
    /// The sign-in ended — signed out, idle too long, past its lifetime —
    /// and the person must sign in again; `detail` says why (401).
    SessionEnded,
    /// The role or key scope does not allow this (403).
    Forbidden,
    /// No such record in the caller's organization (404).
    NotFound,
    /// The request clashes with the current state (409).
    Conflict,
    /// The version sent is outdated: someone saved first (412).
    StaleVersion,
    /// An update came without a version (428).
    VersionRequired,
    /// The body is too large (413).
    PayloadTooLarge,
    /// The body is not JSON (415).
    UnsupportedMediaType,
    /// Too many attempts (429).
    TooManyRequests,
    /// The database is unreachable or overloaded (503).
    Unavailable,
    /// A failure on the server's side (500).
    Internal,
}

impl ProblemKind {
    /// The problem's `type`: `/problems/stale-version`.
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.as_ref())
    }

    /// The kind a `type` names, if it is one of ours.
    pub fn from_type_uri(uri: &str) -> Option<ProblemKind> {
        uri.strip_prefix("/problems/")?.parse().ok()
    }

    /// The HTTP status the problem answers with.
    pub fn status(self) -> u16 {
        match self {
            ProblemKind::Validation => 422,
            ProblemKind::BadRequest => 400,
            ProblemKind::Unauthorized | ProblemKind::SessionEnded => 401,
            ProblemKind::Forbidden => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::Conflict => 409,
            ProblemKind::StaleVersion => 412,
            ProblemKind::VersionRequired => 428,
            ProblemKind::PayloadTooLarge => 413,
            ProblemKind::UnsupportedMediaType => 415,
            ProblemKind::TooManyRequests => 429,
            ProblemKind::Unavailable => 503,
            ProblemKind::Internal => 500,
        }
    }

    /// The problem's `title`.
    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::Validation => "The request has invalid fields",
            ProblemKind::BadRequest => "The request could not be read",
            ProblemKind::Unauthorized => "Authentication required",
            ProblemKind::SessionEnded => "Your sign-in has ended",
            ProblemKind::Forbidden => "Not allowed",
            ProblemKind::NotFound => "Not found",
            ProblemKind::Conflict => "Conflict with the current state",
            ProblemKind::StaleVersion => "The record changed since you read it",
            ProblemKind::VersionRequired => "A version is required",
            ProblemKind::PayloadTooLarge => "The request body is too large",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::TooManyRequests => "Too many requests",
            ProblemKind::Unavailable => "Service temporarily unavailable",
            ProblemKind::Internal => "Internal server error",
        }
    }
}

/// One input field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"field": "birth_date", "message": "must not be in the future"})))]
pub struct FieldError {
    /// Path of the field in the request body, e.g. `address.postal_code` or `identifiers[1].value`.
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "/problems/validation",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "2 fields are invalid",
    "errors": [{"field": "family_name", "message": "is required"}],
    "request_id": "5f0c6a9e2b7d4c1f"
})))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, safe to branch on.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each failing field (validation problems only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The request id, also sent as `X-Request-Id`; quote it when asking for support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The kind of problem, when its `type` is one of ours.
    pub fn kind(&self) -> Option<ProblemKind> {
        ProblemKind::from_type_uri(&self.problem_type)
    }

    /// The message for one field, if the problem names it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        self.errors
            .as_deref()?
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_type_uri() {
        for kind in ProblemKind::VARIANTS {
            assert_eq!(ProblemKind::from_type_uri(&kind.type_uri()), Some(*kind));
        }
        assert_eq!(
            ProblemKind::StaleVersion.type_uri(),
            "/problems/stale-version"
        );
        assert_eq!(ProblemKind::from_type_uri("about:blank"), None);
    }

    #[test]
    fn a_problem_serializes_its_type_member_as_type() {
        let p = Problem {
            problem_type: "/problems/not-found".into(),
            title: "Not found".into(),
            status: 404,
            detail: None,
            errors: None,
            request_id: None,
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "/problems/not-found");
        assert!(json.get("errors").is_none());
        assert!(json.get("detail").is_none());
    }

    #[test]
    fn field_message_finds_the_named_field() {
        let p = Problem {
            problem_type: "/problems/validation".into(),
            title: "t".into(),
            status: 422,
            detail: None,
            errors: Some(vec![FieldError::new("email", "is not an email address")]),
            request_id: None,
        };
        assert_eq!(p.field_message("email"), Some("is not an email address"));
        assert_eq!(p.field_message("phone"), None);
    }
}
