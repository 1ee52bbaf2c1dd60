//! A documented address asked with a method it does not take answers 405
//! with `Allow` naming the methods it does take (RFC 9110 §15.5.6), not the
//! 404 of an address that does not exist. The addresses and their methods
//! are the `OpenAPI` document's, which is made from the routes the server
//! registers, so the two cannot disagree.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::error::PROBLEM_JSON;
use crate::http::fallback::generic_problem;

/// One segment of a documented path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Must be exactly this.
    Literal(String),
    /// A `{parameter}`: any non-empty segment.
    Parameter,
}

/// The documented paths and the methods each one takes.
#[derive(Debug, Clone, Default)]
pub struct Routes(Vec<(Vec<Segment>, Vec<&'static str>)>);

impl Routes {
    /// The paths and methods of `doc`.
    pub fn of(doc: &utoipa::openapi::OpenApi) -> Routes {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_string())
                        }
                    })
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        Routes(routes)
    }

    /// The methods `path` takes, or `None` when no documented path is it.
    /// A path with more literal segments wins over one with parameters
    /// there (`/huddles/agenda` is not `/huddles/{id}`), as the routes are
    /// registered literal first.
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').collect();
        let matching: Vec<(usize, &Vec<&'static str>)> = self
            .0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Parameter => !p.is_empty(),
                    })
            })
            .map(|(segments, methods)| {
                let literals = segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count();
                (literals, methods)
            })
            .collect();
        let most = matching.iter().map(|(literals, _)| *literals).max()?;
        let mut allowed: Vec<&'static str> = Vec::new();
        for (_, methods) in matching.iter().filter(|(literals, _)| *literals == most) {
            for m in *methods {
                if !allowed.contains(m) {
                    allowed.push(m);
                }
            }
        }
        Some(allowed)
    }
}

/// Middleware: a 405 problem with `Allow` for a documented path asked with
/// a method it does not take; everything else goes on.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let allowed = req
        .app_data::<web::Data<Routes>>()
        .and_then(|routes| routes.allowed(req.path()));
    match allowed {
        Some(methods) if !methods.contains(&req.method().as_str()) => {
            let body = serde_json::to_string(&generic_problem(StatusCode::METHOD_NOT_ALLOWED))
                .unwrap_or_default();
            let allow =
                HeaderValue::from_str(&methods.join(", ")).unwrap_or(HeaderValue::from_static(""));
            let res = HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, allow))
                .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
                .body(body);
            Ok(req.into_response(res).map_into_right_body())
        }
        _ => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        Routes::of(&crate::server::openapi_document())
    }

    #[test]
    fn a_documented_path_names_its_methods() {
        let r = routes();
        assert_eq!(r.allowed("/api/v1/patients"), Some(vec!["GET", "POST"]));
        assert_eq!(
            r.allowed("/api/v1/patients/0193-anything"),
            Some(vec!["GET", "PATCH"])
        );
        assert_eq!(r.allowed("/api/health"), Some(vec!["GET"]));
    }

    #[test]
    fn a_literal_path_is_not_taken_for_the_parameter_beside_it() {
        let r = routes();
        assert_eq!(r.allowed("/api/v1/huddles/agenda"), Some(vec!["GET"]));
        assert_eq!(
            r.allowed("/api/v1/huddles/0193-anything"),
            Some(vec!["GET", "PATCH"])
        );
    }

    #[test]
    fn an_unknown_path_is_left_to_the_404() {
        let r = routes();
        assert_eq!(r.allowed("/api/v1/nothing"), None);
        assert_eq!(r.allowed("/api/v1/patients/"), None);
        assert_eq!(r.allowed("/api/v1/patients//contacts"), None);
        assert_eq!(r.allowed("/"), None);
    }
}
