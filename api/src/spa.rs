//! Serving the built SPA: its files, `index.html` for every client-side
//! route, and the hashes of its inline bootstrap script for the CSP.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The built SPA on disk.
#[derive(Debug, Clone)]
pub struct Spa {
    dir: PathBuf,
    script_hashes: Vec<String>,
}

impl Spa {
    /// Reads `dir/index.html` and hashes its inline scripts.
    pub fn load(dir: &Path) -> std::io::Result<Spa> {
        let index = std::fs::read_to_string(dir.join("index.html"))?;
        Ok(Spa {
            dir: dir.to_path_buf(),
            script_hashes: inline_script_hashes(&index),
        })
    }

    /// CSP sources (`sha256-…`) of the inline scripts.
    pub fn script_hashes(&self) -> &[String] {
        &self.script_hashes
    }

    /// The service: files, or `index.html` for client-side routes.
    pub fn service(&self) -> Files {
        let index = self.dir.join("index.html");
        Files::new("/", &self.dir)
            .index_file("index.html")
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move { Ok(fallback(req, Some(&index))) }
            }))
    }
}

/// What an unmatched path gets: a 404 problem under `/api`, the SPA's
/// `index.html` (no-cache) elsewhere when there is a SPA.
pub fn fallback(req: ServiceRequest, index: Option<&Path>) -> ServiceResponse {
    let (req, _) = req.into_parts();
    let res = match index {
        Some(index) if !req.path().starts_with("/api") => match NamedFile::open(index) {
            Ok(file) => {
                let mut res = file.into_response(&req);
                res.headers_mut().insert(
                    header::CACHE_CONTROL,
                    header::HeaderValue::from_static("no-cache"),
                );
                res
            }
            Err(e) => ApiError::internal(e).error_response(),
        },
        _ => not_found(),
    };
    ServiceResponse::new(req, res)
}

fn not_found() -> HttpResponse {
    ApiError::NotFound("There is nothing at this address.".into()).error_response()
}

/// `sha256-<base64>` of each `<script>` without `src` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains("src=") && !body.is_empty() {
            hashes.push(format!(
                "sha256-{}",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        rest = &after[body_start + close..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed_exactly_as_written() {
        let html =
            r#"<head><script src="/a.js"></script><script type="module">init()</script></head>"#;
        let hashes = inline_script_hashes(html);
        let expected = format!("sha256-{}", STANDARD.encode(Sha256::digest(b"init()")));
        assert_eq!(hashes, vec![expected]);
    }
}
