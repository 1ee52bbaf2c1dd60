//! Errors under `/fhir/` answer as FHIR `OperationOutcome`s
//! (`application/fhir+json`) with the same status the REST API would
//! give: whatever produced them (the `Caller` extractor's 401, a 403, a
//! 404 for another organization's record, a 400 for a search parameter,
//! the router's 404 or 405) is rewritten here, once.

use std::fmt::Write as _;

use actix_web::Error;
use actix_web::body::{BoxBody, EitherBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use fhirbolt::model::r4::Resource;
use fhirbolt::model::r4::resources::{OperationOutcome, OperationOutcomeIssue};
use shared::problem::Problem;

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// The base path of the FHIR API.
pub const BASE: &str = "/fhir/r4";

/// The `OperationOutcome.issue.code` (FHIR `issue-type`) for an HTTP status.
pub fn issue_code(status: u16) -> &'static str {
    match status {
        400 | 422 => "invalid",
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 | 406 | 415 => "not-supported",
        409 | 412 => "conflict",
        413 => "too-costly",
        429 => "throttled",
        503 => "transient",
        _ => "exception",
    }
}

/// One error issue saying `diagnostics`.
pub fn outcome(status: u16, diagnostics: &str) -> OperationOutcome {
    OperationOutcome {
        issue: vec![OperationOutcomeIssue {
            severity: if status >= 500 { "fatal" } else { "error" }.into(),
            code: issue_code(status).into(),
            diagnostics: Some(diagnostics.into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A resource as FHIR JSON.
pub fn to_json(resource: &Resource) -> Vec<u8> {
    fhirbolt::json::to_vec(resource, None).unwrap_or_else(|e| {
        log::error!("FHIR serialization failed: {e}");
        Vec::new()
    })
}

/// What an error answer said, as a sentence: a problem's detail (and its
/// field errors), or the status' reason for anything else.
fn diagnostics(body: &[u8], status: actix_web::http::StatusCode) -> String {
    match serde_json::from_slice::<Problem>(body) {
        Ok(p) => {
            let mut text = p.detail.unwrap_or(p.title);
            for e in p.errors.unwrap_or_default() {
                let _ = write!(text, "; {} {}", e.field, e.message);
            }
            text
        }
        Err(_) => status
            .canonical_reason()
            .unwrap_or("The request could not be handled.")
            .to_string(),
    }
}

/// Middleware: an error answer to a request under `/fhir/` becomes an
/// `OperationOutcome` with the same status and headers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let fhir = req.path() == BASE || req.path().starts_with("/fhir/");
    let res = next.call(req).await?;
    let status = res.status();
    if !fhir || !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let said = diagnostics(&bytes, status);
    let body = to_json(&Resource::OperationOutcome(Box::new(outcome(
        status.as_u16(),
        &said,
    ))));
    let mut res = head.set_body(BoxBody::new(body));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, res).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_fhir_issue_types() {
        assert_eq!(issue_code(400), "invalid");
        assert_eq!(issue_code(401), "login");
        assert_eq!(issue_code(403), "forbidden");
        assert_eq!(issue_code(404), "not-found");
        assert_eq!(issue_code(500), "exception");
    }

    #[test]
    fn an_outcome_serializes_as_an_r4_operation_outcome() {
        let json: serde_json::Value = serde_json::from_slice(&to_json(
            &Resource::OperationOutcome(Box::new(outcome(404, "No such Patient."))),
        ))
        .unwrap();
        assert_eq!(json["resourceType"], "OperationOutcome");
        assert_eq!(json["issue"][0]["severity"], "error");
        assert_eq!(json["issue"][0]["code"], "not-found");
        assert_eq!(json["issue"][0]["diagnostics"], "No such Patient.");
    }

    #[test]
    fn a_problem_s_detail_and_fields_become_the_diagnostics() {
        let body = br#"{"type":"/problems/validation","title":"Invalid","status":422,
            "detail":"2 fields are invalid","errors":[{"field":"a","message":"is bad"}]}"#;
        assert_eq!(
            diagnostics(body, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY),
            "2 fields are invalid; a is bad"
        );
        assert_eq!(
            diagnostics(b"", actix_web::http::StatusCode::METHOD_NOT_ALLOWED),
            "Method Not Allowed"
        );
    }
}
