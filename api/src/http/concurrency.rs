//! Optimistic concurrency: responses carry `ETag: W/"<version>"`; updates
//! name the version they are based on via `If-Match` or a `version` field.

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::future::{Ready, ready};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The version an update expects the record to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this version.
    Version(i32),
    /// Whatever version exists: only for the system's own work (the demo
    /// seed), never from a request — `If-Match: *` names no version.
    Any,
    /// An `If-Match` that cannot match any version.
    Never,
}

impl Expected {
    /// Whether `current` satisfies the expectation.
    pub fn matches(self, current: i32) -> bool {
        match self {
            Expected::Version(v) => v == current,
            Expected::Any => true,
            Expected::Never => false,
        }
    }

    /// A 412 naming the current version unless it satisfies the expectation.
    pub fn check(self, current: i32) -> Result<(), ApiError> {
        if self.matches(current) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed { current })
        }
    }
}

/// Whether an integration's resend may overwrite a record at `current`
/// that was at `synced` after the last send, having seen `seen` (from
/// `If-Match` or the body): a 412 when stale, a 428 when someone edited it
/// since the last send and the resend names no version.
pub fn check_resend(current: i32, synced: Option<i32>, seen: Option<Expected>) -> ApiResult<()> {
    use shared::version::{ResendRefusal, resend_may_overwrite};
    let sent = match seen {
        None => None,
        Some(Expected::Version(v)) => Some(v),
        Some(Expected::Any) => return Ok(()),
        Some(Expected::Never) => return Err(ApiError::PreconditionFailed { current }),
    };
    resend_may_overwrite(current, synced, sent).map_err(|refusal| match refusal {
        ResendRefusal::Stale { current } => ApiError::PreconditionFailed { current },
        ResendRefusal::EditedSince => ApiError::PreconditionRequired,
    })
}

/// The `If-Match` request header, if sent.
#[derive(Debug, Clone)]
pub struct IfMatch(pub Option<Expected>);

/// Parses an `If-Match` value: `"3"` or `W/"3"` (the first of a list).
/// `*` names no version, so it is as if the header were absent: HTTP reads
/// it as "any version", which is exactly the lost update the check exists
/// to prevent.
pub fn parse_if_match(value: &str) -> Option<Expected> {
    let first = value.split(',').next().unwrap_or("").trim();
    if first == "*" {
        return None;
    }
    Some(
        first
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map_or(Expected::Never, Expected::Version),
    )
}

impl IfMatch {
    /// The expectation from `If-Match` or, failing that, the body's `version`;
    /// neither is a 428.
    pub fn expected(&self, body_version: Option<i32>) -> Result<Expected, ApiError> {
        match (self.0, body_version) {
            (Some(e), _) => Ok(e),
            (None, Some(v)) => Ok(Expected::Version(v)),
            (None, None) => Err(ApiError::PreconditionRequired),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().map_or(Some(Expected::Never), parse_if_match));
        ready(Ok(IfMatch(value)))
    }
}

/// The `ETag` for a version (`W/"3"`).
pub fn etag(version: i32) -> HeaderValue {
    // Digits and quotes are always a valid header value.
    HeaderValue::from_str(&format!("W/\"{version}\"")).unwrap_or(HeaderValue::from_static("*"))
}

/// A versioned resource: answers with its JSON and its `ETag`.
pub trait ETagged: Serialize {
    /// The resource's version.
    fn version(&self) -> i32;

    /// `builder` with the `ETag` and this resource as the JSON body.
    fn respond(&self, mut builder: HttpResponseBuilder) -> HttpResponse {
        builder.insert_header((header::ETAG, etag(self.version())));
        builder.json(self)
    }
}

/// Implements [`ETagged`] for wire types with a `version` field.
macro_rules! etagged {
    ($($ty:ty),* $(,)?) => {$(
        impl ETagged for $ty {
            fn version(&self) -> i32 {
                self.version
            }
        }
    )*};
}

etagged!(
    shared::patients::Patient,
    shared::users::User,
    shared::organization::Organization,
    shared::contacts::Contact,
    shared::care_team::CareTeamMember,
    shared::encounters::Encounter,
    shared::appointments::Appointment,
    shared::tasks::Task,
    shared::notes::Note,
    shared::screening::Screening,
    shared::care_plan::CarePlan,
    shared::care_plan::CarePlanVersion,
    shared::chart_review::ChartReview,
    shared::education::EducationRecord,
    shared::providers::Provider,
    shared::programs::Program,
    shared::programs::Enrollment,
    shared::referral::Referral,
    shared::referral::Barrier,
    shared::necessity::ServiceCriteria,
    shared::hl7::IdentifierSystem,
    shared::providers::ProviderActivity,
    shared::providers::Credential,
    shared::huddles::Huddle,
    shared::webhooks::Webhook,
);

/// A new subscription answers with its version like the subscription does.
impl ETagged for shared::webhooks::CreatedWebhook {
    fn version(&self) -> i32 {
        self.webhook.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_weak_and_strong_tags_and_star_names_no_version() {
        assert_eq!(parse_if_match("W/\"3\""), Some(Expected::Version(3)));
        assert_eq!(parse_if_match("\"3\""), Some(Expected::Version(3)));
        assert_eq!(parse_if_match("*"), None);
        assert_eq!(parse_if_match("\"abc\""), Some(Expected::Never));
        assert_eq!(
            parse_if_match("W/\"4\", W/\"5\""),
            Some(Expected::Version(4))
        );
    }

    #[test]
    fn no_version_anywhere_is_a_428() {
        assert!(matches!(
            IfMatch(None).expected(None),
            Err(ApiError::PreconditionRequired)
        ));
        assert_eq!(
            IfMatch(None).expected(Some(2)).unwrap(),
            Expected::Version(2)
        );
        assert_eq!(
            IfMatch(Some(Expected::Version(7)))
                .expected(Some(2))
                .unwrap(),
            Expected::Version(7)
        );
    }

    #[test]
    fn expectations_match_versions() {
        assert!(Expected::Version(2).matches(2));
        assert!(!Expected::Version(2).matches(3));
        assert!(Expected::Any.matches(9));
        assert!(!Expected::Never.matches(1));
    }
}
