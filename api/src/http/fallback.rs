//! Whatever produced an error answer (an unknown route, a wrong method, a
//! framework extractor, a static file miss), the client gets problem+json.

use actix_web::Error;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use shared::problem::Problem;

use crate::error::PROBLEM_JSON;

/// A problem body for a bare status code.
pub fn generic_problem(status: actix_web::http::StatusCode) -> Problem {
    let slug = match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        406 => "not-acceptable",
        413 => "payload-too-large",
        414 => "uri-too-long",
        415 => "unsupported-media-type",
        431 => "headers-too-large",
        s if s >= 500 => "internal",
        _ => "http-error",
    };
    let detail = match status.as_u16() {
        404 => "There is nothing at this address.",
        405 => "This address does not accept that method.",
        s if s >= 500 => "Something went wrong on our side; it has been logged.",
        _ => "The request could not be handled.",
    };
    Problem {
        problem_type: format!("/problems/{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: Some(detail.into()),
        errors: None,
        request_id: crate::http::request_id::current(),
    }
}

/// Middleware: rewrites error answers that are not yet problem+json.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let is_problem = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        // FHIR answers its errors as OperationOutcomes (`fhir::outcome`).
        v.as_bytes().starts_with(PROBLEM_JSON.as_bytes())
            || v.as_bytes()
                .starts_with(crate::fhir::outcome::FHIR_JSON.as_bytes())
    });
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(res.map_into_left_body());
    }
    let body = serde_json::to_string(&generic_problem(status)).unwrap_or_default();
    let mut res = res
        .map_body(|_, _| BoxBody::new(body))
        .map_into_right_body();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(res)
}
