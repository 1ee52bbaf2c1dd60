//! Security headers on every response, and `no-store` on API answers so
//! patient data never lingers in shared caches or browser history.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};

/// Content-Security-Policy values, fixed at start-up.
#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    /// For the SPA and the API.
    pub app: HeaderValue,
    /// For the Swagger UI pages, which need inline styles.
    pub docs: HeaderValue,
    /// `Strict-Transport-Security`, when the server is reached over HTTPS.
    pub hsts: Option<HeaderValue>,
}

impl SecurityPolicy {
    /// Builds the policies; `script_hashes` are the `sha256-…` sources of the
    /// SPA's inline bootstrap scripts (`web/bundle.mjs` writes one to start the wasm).
    /// `https`: the public address is HTTPS (TLS ends here or at a proxy in
    /// front), so browsers are told never to use plain HTTP for a year.
    /// Never sent otherwise: HSTS on a plain-HTTP deployment would lock
    /// its users out.
    pub fn new(script_hashes: &[String], https: bool) -> Self {
        let hashes: String = script_hashes.iter().fold(String::new(), |mut all, h| {
            all.push_str(" '");
            all.push_str(h);
            all.push('\'');
            all
        });
        let app = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        let docs = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
                    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
                    object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
        SecurityPolicy {
            // The hashes come from our own index.html (base64); should one
            // not be a header value, the SPA's scripts are refused rather
            // than the server failing to start.
            app: HeaderValue::from_str(&app)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            docs: HeaderValue::from_static(docs),
            hsts: https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        }
    }
}

const STATIC_HEADERS: [(&str, &str); 6] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// Middleware: adds the headers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let path = req.path().to_owned();
    let policy = req.app_data::<web::Data<SecurityPolicy>>().cloned();
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    for (name, value) in STATIC_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if let Some(policy) = policy {
        let csp = if path.starts_with("/api/docs") {
            policy.docs.clone()
        } else {
            policy.app.clone()
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        if let Some(hsts) = &policy.hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
    }
    if (path.starts_with("/api/") && !path.starts_with("/api/docs")) || path.starts_with("/fhir/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_policy_allows_wasm_and_the_given_inline_scripts_only() {
        let p = SecurityPolicy::new(&["sha256-abc=".to_string()], false);
        let csp = p.app.to_str().unwrap();
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("'sha256-abc='"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(p.hsts.is_none());
    }

    #[test]
    fn hsts_is_sent_only_for_an_https_deployment() {
        let p = SecurityPolicy::new(&[], true);
        assert_eq!(
            p.hsts.unwrap().to_str().unwrap(),
            "max-age=31536000; includeSubDomains"
        );
    }
}
