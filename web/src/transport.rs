//! Raw HTTP to `/api/v1`: one request sent as it is (no token renewal, no
//! retry), its answer (status, the version in the `ETag`, the body), and
//! every error turned into an RFC 9457 [`Problem`] whose [`ProblemKind`] the
//! rest of the app branches on.
//!
//! This is the bottom of the SPA's one-way stack `transport → session →
//! client → state`: it knows nothing of sessions or records, so the session
//! can use it to sign in and renew without anything importing back.

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::pagination::PageQuery;
use shared::problem::{FieldError, Problem, ProblemKind};

/// What can go wrong when calling the API.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error: its problem document, or one made
    /// up from the status when the body was not one.
    Problem(Box<Problem>),
    /// No answer at all: the network or the server is down.
    Network(String),
    /// An answer the client could not read (a bug on one side or the other).
    Unexpected(String),
    /// The session has ended; the person has to sign in again.
    SignedOut,
}

impl ApiError {
    /// A problem of `kind` made up by the SPA itself (a stale edit it
    /// explains in its own words, an address that names no record), shaped
    /// like the server's so banners show every error the same way.
    pub fn of_kind(kind: ProblemKind, title: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::from(made_up_problem(kind, title, detail))
    }

    /// The kind of problem, when the server answered with one of ours.
    pub fn kind(&self) -> Option<ProblemKind> {
        self.problem().and_then(Problem::kind)
    }

    /// Whether the server answered with a problem of `kind`.
    pub fn is(&self, kind: ProblemKind) -> bool {
        self.kind() == Some(kind)
    }

    /// Whether someone else changed the record first: its version is
    /// outdated (412), or it has moved on to a state that refuses the
    /// change (409, a signed note, a finished task).
    pub fn is_lost_race(&self) -> bool {
        self.is(ProblemKind::StaleVersion) || self.is(ProblemKind::Conflict)
    }

    /// The problem document, when there is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    /// The failing fields of a validation problem, else nothing.
    pub fn field_errors(&self) -> Vec<FieldError> {
        self.problem()
            .filter(|p| p.kind() == Some(ProblemKind::Validation))
            .and_then(|p| p.errors.clone())
            .unwrap_or_default()
    }

    /// One sentence for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Problem(p) => match &p.detail {
                Some(d) if !d.is_empty() => d.clone(),
                _ => p.title.clone(),
            },
            ApiError::Network(_) => {
                "The server could not be reached. Check your connection and try again.".into()
            }
            ApiError::Unexpected(e) => {
                format!("The server sent an answer this page cannot read ({e}).")
            }
            ApiError::SignedOut => "Your session has ended. Please sign in again.".into(),
        }
    }

    /// A short heading for banners.
    pub fn title(&self) -> String {
        match self {
            ApiError::Problem(p) => p.title.clone(),
            ApiError::Network(_) => "No connection".into(),
            ApiError::Unexpected(_) => "Unexpected answer".into(),
            ApiError::SignedOut => "Signed out".into(),
        }
    }

    /// The request id to quote to support, when the server gave one.
    pub fn request_id(&self) -> Option<String> {
        self.problem().and_then(|p| p.request_id.clone())
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(Box::new(p))
    }
}

/// A problem document the SPA writes itself, with the `type` and status a
/// problem of `kind` has when the API sends it.
pub fn made_up_problem(
    kind: ProblemKind,
    title: impl Into<String>,
    detail: impl Into<String>,
) -> Problem {
    Problem {
        problem_type: kind.type_uri(),
        title: title.into(),
        status: kind.status(),
        detail: Some(detail.into()),
        errors: None,
        request_id: None,
    }
}

/// The kind of problem a bare status stands for, when it is one of ours.
fn kind_of_status(status: u16) -> Option<ProblemKind> {
    use strum::VariantArray;
    ProblemKind::VARIANTS
        .iter()
        .copied()
        .find(|k| k.status() == status)
}

/// Reads an error body: the server's problem document when it is one, else
/// a problem made up from the status so every error looks the same (and
/// still has the kind its status stands for).
pub fn problem_from_body(status: u16, body: &str) -> Problem {
    if let Ok(p) = serde_json::from_str::<Problem>(body) {
        return p;
    }
    let title = match status {
        400 => "The request could not be read",
        401 => "Authentication required",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict with the current state",
        412 => "The record changed since you read it",
        422 => "The request has invalid fields",
        429 => "Too many requests",
        502..=504 => "The server is unavailable",
        500..=599 => "The server had a problem",
        _ => "The request failed",
    };
    Problem {
        problem_type: kind_of_status(status)
            .map_or_else(|| "about:blank".into(), ProblemKind::type_uri),
        title: title.into(),
        status,
        detail: None,
        errors: None,
        request_id: None,
    }
}

/// The version in an `ETag` header (`W/"3"` or `"3"`).
pub fn parse_etag(value: &str) -> Option<i32> {
    value
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}

/// The `If-Match` value for a version.
pub fn if_match_value(version: i32) -> String {
    format!("W/\"{version}\"")
}

/// A list's address: its filters and the page asked for share one query
/// string (the API reads both from it), filters first.
pub fn paged_path<F: Serialize>(path: &str, filters: &F, page: &PageQuery) -> String {
    let parts: Vec<String> = [
        serde_urlencoded::to_string(filters),
        serde_urlencoded::to_string(page),
    ]
    .into_iter()
    .filter_map(Result::ok)
    .filter(|qs| !qs.is_empty())
    .collect();
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PATCH.
    Patch,
    /// PUT (a whole resource replaced: a care plan's new version).
    Put,
    /// DELETE.
    Delete,
}

/// A raw answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The version from the `ETag` header.
    pub etag: Option<i32>,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Unexpected(e.to_string()))
    }

    /// The problem this (error) answer describes.
    pub fn problem(&self) -> ApiError {
        ApiError::from(problem_from_body(self.status, &self.body))
    }

    /// The answer itself when it is a success, else its problem.
    pub fn success(self) -> Result<Answer, ApiError> {
        if self.ok() {
            Ok(self)
        } else {
            Err(self.problem())
        }
    }
}

/// A request body as JSON.
pub fn json<B: Serialize + ?Sized>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// Sends one request as is: no renewal, no retry.
pub async fn send(
    method: Method,
    path: &str,
    body: Option<&str>,
    bearer: Option<&str>,
    if_match: Option<i32>,
) -> Result<Answer, ApiError> {
    let mut builder: RequestBuilder = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Patch => Request::patch(path),
        Method::Put => Request::put(path),
        Method::Delete => Request::delete(path),
    }
    .header("Accept", "application/json, application/problem+json");
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    if let Some(v) = if_match {
        builder = builder.header("If-Match", &if_match_value(v));
    }
    let request = match body {
        Some(json) => builder
            .header("Content-Type", "application/json")
            .body(json.to_string()),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .as_deref()
        .and_then(parse_etag);
    let body = response.text().await.unwrap_or_default();
    Ok(Answer { status, etag, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case_status::CaseStatus;
    use shared::ids::UserId;
    use shared::patients::PatientListQuery;
    use shared::risk::RiskLevel;
    use uuid::Uuid;

    #[test]
    fn problem_documents_are_read_as_they_are() {
        let body = r#"{"type":"/problems/validation","title":"The request has invalid fields","status":422,
            "detail":"2 fields are invalid","errors":[{"field":"address.postal_code","message":"is not a ZIP code"}],
            "request_id":"abc"}"#;
        let err = ApiError::from(problem_from_body(422, body));
        assert_eq!(err.problem().map(|p| p.status), Some(422));
        assert!(err.is(ProblemKind::Validation));
        assert_eq!(err.field_errors()[0].field, "address.postal_code");
        assert_eq!(err.message(), "2 fields are invalid");
        assert_eq!(err.request_id().as_deref(), Some("abc"));
    }

    #[test]
    fn bodies_that_are_not_problems_get_a_title_from_their_status() {
        let p = problem_from_body(502, "<html>Bad gateway</html>");
        assert_eq!(p.status, 502);
        assert_eq!(p.title, "The server is unavailable");
        assert_eq!(ApiError::from(p).message(), "The server is unavailable");
    }

    #[test]
    fn a_bare_status_still_has_the_kind_it_stands_for() {
        let stale = ApiError::from(problem_from_body(412, ""));
        assert!(stale.is(ProblemKind::StaleVersion));
        assert!(stale.is_lost_race());
        assert!(ApiError::from(problem_from_body(409, "")).is_lost_race());
        assert_eq!(problem_from_body(418, "").kind(), None);
        for kind in <ProblemKind as strum::VariantArray>::VARIANTS {
            let general = kind_of_status(kind.status()).expect("a kind for each of our statuses");
            assert_eq!(general.status(), kind.status());
        }
        // A bare 401 is the general kind; only the server's document says
        // that a sign-in ended.
        assert_eq!(kind_of_status(401), Some(ProblemKind::Unauthorized));
    }

    #[test]
    fn problems_the_spa_makes_up_carry_their_kind() {
        let e = ApiError::of_kind(ProblemKind::NotFound, "Not found", "No patient here.");
        assert!(e.is(ProblemKind::NotFound));
        assert_eq!(e.problem().map(|p| p.status), Some(404));
        assert_eq!(
            e.problem().map(|p| p.problem_type.as_str()),
            Some("/problems/not-found")
        );
        assert_eq!(e.message(), "No patient here.");
    }

    #[test]
    fn only_validation_problems_have_field_errors() {
        let mut p = problem_from_body(409, "");
        p.errors = Some(vec![FieldError::new("x", "y")]);
        assert!(ApiError::from(p).field_errors().is_empty());
        assert!(ApiError::Network("down".into()).field_errors().is_empty());
    }

    #[test]
    fn etags_weak_or_strong_give_the_version_and_if_match_sends_it_back() {
        assert_eq!(parse_etag("W/\"7\""), Some(7));
        assert_eq!(parse_etag("\"12\""), Some(12));
        assert_eq!(parse_etag("W/\"abc\""), None);
        assert_eq!(if_match_value(7), "W/\"7\"");
        assert_eq!(parse_etag(&if_match_value(41)), Some(41));
    }

    #[test]
    fn list_queries_carry_only_the_filters_that_are_set_and_then_the_page() {
        assert_eq!(
            paged_path(
                "/api/v1/patients",
                &PatientListQuery::default(),
                &PageQuery::default()
            ),
            "/api/v1/patients"
        );
        let q = PatientListQuery {
            q: Some("maria lo".into()),
            status: Some(CaseStatus::OnHold),
            risk_level: Some(RiskLevel::VeryHigh),
            ..Default::default()
        };
        let page = PageQuery::after(Some(25), Some("a+b/c=".into()));
        assert_eq!(
            paged_path("/api/v1/patients", &q, &page),
            "/api/v1/patients?q=maria+lo&status=on_hold&risk_level=very_high&limit=25&cursor=a%2Bb%2Fc%3D"
        );
        assert_eq!(
            paged_path("/p", &PatientListQuery::default(), &PageQuery::first(50)),
            "/p?limit=50"
        );
    }

    #[test]
    fn care_manager_filters_are_sent_as_uuids() {
        let id = Uuid::from_u128(1);
        let q = PatientListQuery {
            care_manager_id: Some(UserId::from(id)),
            ..Default::default()
        };
        assert_eq!(
            paged_path("/p", &q, &PageQuery::default()),
            format!("/p?care_manager_id={id}")
        );
    }
}
