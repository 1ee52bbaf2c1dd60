//! The one error type. Every failure a handler, extractor or store can meet
//! ends here and leaves as an RFC 9457 `application/problem+json` answer.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use shared::problem::{FieldError, Problem, ProblemKind};
use validator::ValidationErrors;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything that can go wrong while answering a request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Well-formed input that breaks field rules (422).
    #[error("invalid fields: {0:?}")]
    Validation(Vec<FieldError>),
    /// Input that cannot be read at all, e.g. malformed JSON (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Missing, expired or otherwise unacceptable credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The sign-in ended; the message says why (401).
    #[error("session ended: {0}")]
    SessionEnded(String),
    /// Authenticated, but the role or key scope does not allow this (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such record in the caller's organization (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// The request clashes with the current state (409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` / `version` named an outdated version (412).
    #[error("stale version; current is {current}")]
    PreconditionFailed {
        /// The version the record has now.
        current: i32,
    },
    /// An update came without `If-Match` or `version` (428).
    #[error("precondition required")]
    PreconditionRequired,
    /// The body is larger than allowed (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body is not JSON (415).
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// Too many attempts; try again later (429).
    #[error("too many requests: {detail}")]
    TooManyRequests {
        /// What to tell the caller.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// The database cannot be reached or is overloaded (503).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500); details go to the log only.
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// A 404 for the kind of record named (`"patient"`).
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!(
            "No {what} with that id exists in your organization."
        ))
    }

    /// A 500 whose cause is logged, not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// The kind of problem this error answers with.
    pub fn kind(&self) -> ProblemKind {
        match self {
            ApiError::Validation(_) => ProblemKind::Validation,
            ApiError::BadRequest(_) => ProblemKind::BadRequest,
            ApiError::Unauthorized(_) => ProblemKind::Unauthorized,
            ApiError::SessionEnded(_) => ProblemKind::SessionEnded,
            ApiError::Forbidden(_) => ProblemKind::Forbidden,
            ApiError::NotFound(_) => ProblemKind::NotFound,
            ApiError::Conflict(_) => ProblemKind::Conflict,
            ApiError::PreconditionFailed { .. } => ProblemKind::StaleVersion,
            ApiError::PreconditionRequired => ProblemKind::VersionRequired,
            ApiError::PayloadTooLarge => ProblemKind::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => ProblemKind::UnsupportedMediaType,
            ApiError::TooManyRequests { .. } => ProblemKind::TooManyRequests,
            ApiError::Unavailable(_) => ProblemKind::Unavailable,
            ApiError::Internal(_) => ProblemKind::Internal,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Validation(errs) if errs.len() == 1 => {
                format!("{} {}", errs[0].field, errs[0].message)
            }
            ApiError::Validation(errs) => format!("{} fields are invalid", errs.len()),
            ApiError::BadRequest(d)
            | ApiError::Unauthorized(d)
            | ApiError::SessionEnded(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::UnsupportedMediaType(d) => d.clone(),
            ApiError::TooManyRequests { detail, .. } => detail.clone(),
            ApiError::PreconditionFailed { current } => format!(
                "Someone else saved a change first; the current version is {current}. Reload, reapply your change and save again."
            ),
            ApiError::PreconditionRequired => {
                "Send If-Match with the ETag you read (or `version` in the body) so nobody's change is silently overwritten.".into()
            }
            ApiError::PayloadTooLarge => "The request body exceeds the size limit.".into(),
            ApiError::Unavailable(_) => {
                "The database is unreachable or overloaded; try again shortly.".into()
            }
            ApiError::Internal(_) => {
                "Something went wrong on our side; it has been logged. Quote the request id when reporting it.".into()
            }
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let kind = self.kind();
        Problem {
            problem_type: kind.type_uri(),
            title: kind.title().into(),
            status: self.status_code().as_u16(),
            detail: Some(self.detail()),
            errors: match self {
                ApiError::Validation(errs) => Some(errs.clone()),
                _ => None,
            },
            request_id: crate::http::request_id::current(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.kind().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => log::error!("internal error: {cause}"),
            ApiError::Unavailable(cause) => log::warn!("unavailable: {cause}"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::Unauthorized(_) | ApiError::SessionEnded(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"caremgr\""),
                ));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            // The current version, so a client can re-read or retry knowingly.
            ApiError::PreconditionFailed { current } => {
                res.insert_header((header::ETAG, crate::http::concurrency::etag(*current)));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(shared::validation::field_errors(&errors))
    }
}

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => ApiError::NotFound("Not found.".into()),
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    ApiError::Unavailable(e.to_string())
                }
                DatabaseErrorKind::SerializationFailure => {
                    ApiError::Conflict("A concurrent change got in the way; please retry.".into())
                }
                DatabaseErrorKind::UniqueViolation => ApiError::Conflict(format!(
                    "This conflicts with an existing record ({}).",
                    info.constraint_name().unwrap_or("unique")
                )),
                _ => match Unclassified::of(info.message()) {
                    Some(Unclassified::Busy) => ApiError::Unavailable(e.to_string()),
                    Some(Unclassified::Deadlock) => ApiError::Conflict(
                        "A concurrent change got in the way; please retry.".into(),
                    ),
                    Some(Unclassified::BadValue) => {
                        log::warn!("data exception reached the database: {e}");
                        ApiError::field("body", "has a value the database cannot store")
                    }
                    None => ApiError::Internal(e.to_string()),
                },
            },
            _ => ApiError::Internal(e.to_string()),
        }
    }
}

/// Database errors diesel reports as `Unknown`. Diesel does not expose the
/// SQLSTATE, so they are told apart by Postgres' (English) primary
/// message. Input rules ([`shared::wire`], field validation) stop bad
/// values first; this keeps one that slips through from being a 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unclassified {
    /// 57014 statement timeout, 55P03 lock timeout / lock not available,
    /// 57P01 admin shutdown, 57P03 starting up or shutting down, a lost
    /// connection: the database is the bottleneck or away; retry later.
    Busy,
    /// 40P01 deadlock detected: one of the two changes lost; retry.
    Deadlock,
    /// Class 22 data exceptions: a value the column cannot hold.
    BadValue,
}

impl Unclassified {
    fn of(message: &str) -> Option<Unclassified> {
        const BUSY: [&str; 7] = [
            "statement timeout",
            "lock timeout",
            "could not obtain lock",
            "terminating connection",
            "server closed the connection",
            "no connection to the server",
            "the database system is",
        ];
        const BAD_VALUE: [&str; 8] = [
            "out of range",
            "invalid input syntax",
            "invalid byte sequence",
            "value too long",
            "numeric field overflow",
            "division by zero",
            "null character not permitted",
            "unsupported Unicode escape sequence",
        ];
        if BUSY.iter().any(|m| message.contains(m)) {
            Some(Unclassified::Busy)
        } else if message.contains("deadlock detected") {
            Some(Unclassified::Deadlock)
        } else if BAD_VALUE.iter().any(|m| message.contains(m)) {
            Some(Unclassified::BadValue)
        } else {
            None
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(format!("no database connection: {e}"))
    }
}

/// Shorthand for handler and store results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_rt::test]
    async fn a_validation_error_answers_422_problem_json_listing_each_field() {
        let err = ApiError::Validation(vec![
            FieldError::new("a", "is required"),
            FieldError::new("b", "is too long"),
        ]);
        let res = err.error_response();
        assert_eq!(res.status(), 422);
        assert_eq!(res.headers().get("content-type").unwrap(), PROBLEM_JSON);
        let body: Problem =
            serde_json::from_slice(&to_bytes(res.into_body()).await.unwrap()).unwrap();
        assert_eq!(body.status, 422);
        assert_eq!(body.problem_type, "/problems/validation");
        assert_eq!(body.errors.unwrap().len(), 2);
    }

    #[actix_rt::test]
    async fn an_internal_error_hides_its_cause() {
        let res = ApiError::internal("secret table name").error_response();
        let body = to_bytes(res.into_body()).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
    }

    #[test]
    fn unauthorized_answers_carry_a_bearer_challenge() {
        let res = ApiError::Unauthorized("x".into()).error_response();
        assert!(res.headers().get("www-authenticate").is_some());
    }

    #[test]
    fn database_errors_diesel_cannot_classify_are_told_apart_by_message() {
        use Unclassified::{BadValue, Busy, Deadlock};
        let cases = [
            ("canceling statement due to statement timeout", Some(Busy)),
            ("canceling statement due to lock timeout", Some(Busy)),
            (
                "could not obtain lock on row in relation \"tasks\"",
                Some(Busy),
            ),
            ("deadlock detected", Some(Deadlock)),
            ("the database system is shutting down", Some(Busy)),
            ("server closed the connection unexpectedly", Some(Busy)),
            (
                "date/time field value out of range: \"-4800-01-01\"",
                Some(BadValue),
            ),
            (
                "invalid byte sequence for encoding \"UTF8\": 0x00",
                Some(BadValue),
            ),
            (
                "value too long for type character varying(20)",
                Some(BadValue),
            ),
            ("relation \"nope\" does not exist", None),
        ];
        for (message, expected) in cases {
            assert_eq!(Unclassified::of(message), expected, "{message}");
        }
    }
}
