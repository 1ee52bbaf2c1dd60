//! Serving the built SPA: its files, `index.html` for every client-side
//! route, and the hashes of its inline bootstrap script for the CSP.
//!
//! Files go out precompressed when the browser accepts it: `make
//! web-release` writes `NAME.br` and `NAME.gz` beside each text or wasm
//! file, and `NAME.br` is sent (`Content-Encoding: br`, the original
//! `Content-Type`) to a request whose `Accept-Encoding` allows br, else
//! `NAME.gz` for gzip, else `NAME` itself — never an encoding the request
//! refused (`br;q=0`). Files whose names carry their content hash never
//! change, so browsers keep them for a year without asking again; everything
//! else (`index.html` above all, which names the current hashed files) is
//! revalidated on every load.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::body::MessageBody;
use actix_web::dev::{HttpServiceFactory, ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{Error, HttpResponse, ResponseError, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// `Cache-Control` of a file whose name carries its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else the SPA serves: keep, but ask first.
pub const REVALIDATE: &str = "no-cache";

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

    /// The service: files (or their precompressed copies), or `index.html`
    /// for client-side routes, with their caching headers. It matches every
    /// path, so it goes after all other routes.
    pub fn service(&self) -> impl HttpServiceFactory + use<> {
        let index = self.dir.join("index.html");
        // actix-files picks the copy: it negotiates `Accept-Encoding` (q-values
        // included) over the `.br`/`.gz` files that exist, sets
        // `Content-Encoding` and `Vary`, and keeps the original's
        // `Content-Type`. Each copy has its own ETag, so conditional and
        // range requests are answered for the representation actually sent.
        let files = Files::new("/", &self.dir)
            .index_file("index.html")
            .try_compressed()
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move { Ok(fallback(req, Some(&index))) }
            }));
        web::scope("").wrap(from_fn(caching)).service(files)
    }
}

/// Middleware on the SPA's successful answers: how they may be cached
/// ([`cache_control`]) and that they vary with `Accept-Encoding`. An answer
/// that already says how to be cached keeps it: the `index.html` fallback
/// is `no-cache` even at an address that looks like a hashed file (an old
/// page asking for a file a new build no longer has).
async fn caching(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let policy = cache_control(req.path());
    let mut res = next.call(req).await?;
    let status = res.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let headers = res.headers_mut();
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        }
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    Ok(res)
}

/// `Cache-Control` for a file of the SPA at `path`: a year, immutable, when
/// its name carries its content hash; `no-cache` otherwise.
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if is_content_hashed(name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Whether a file name carries a content hash (`web/bundle.mjs` names them), `STEM-HASH.EXT` or
/// `STEM-HASH_bg.wasm` (the hash is lower-case hex, up to 16 digits):
/// `web-4657cd39477ebcc2_bg.wasm`, `web-4657cd39477ebcc2.js`,
/// `style-374344a3a3d77aab.css`. Fewer than 8 digits is taken for a word,
/// not a hash.
pub fn is_content_hashed(name: &str) -> bool {
    let Some((stem, _extension)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    (8..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What an unmatched path gets: a 404 problem under `/api` and `/fhir/`, the SPA's
/// `index.html` (no-cache) elsewhere when there is a SPA.
pub fn fallback(req: ServiceRequest, index: Option<&Path>) -> ServiceResponse {
    let (req, _) = req.into_parts();
    let res = match index {
        Some(index) if !req.path().starts_with("/api") && !req.path().starts_with("/fhir/") => {
            match NamedFile::open(index) {
                Ok(file) => {
                    let mut res = file.into_response(&req);
                    res.headers_mut().insert(
                        header::CACHE_CONTROL,
                        header::HeaderValue::from_static("no-cache"),
                    );
                    res
                }
                Err(e) => ApiError::internal(e).error_response(),
            }
        }
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
    use actix_web::App;
    use actix_web::test::{TestRequest, call_service, init_service, read_body};

    use super::*;

    #[test]
    fn the_names_the_bundler_gives_its_hashed_files_are_recognised() {
        for name in [
            "web-4657cd39477ebcc2_bg.wasm",
            "web-4657cd39477ebcc2.js",
            "style-374344a3a3d77aab.css",
            // Names of earlier (trunk) builds: `{:x}` of a hash that starts
            // with zeros has fewer digits.
            "web-657cd39477ebcc2.js",
            "web-4657cd39477ebcc2_bg.wasm.br",
        ] {
            assert!(is_content_hashed(name), "{name}");
        }
    }

    #[test]
    fn names_without_a_content_hash_are_not_taken_for_hashed() {
        for name in [
            "index.html",
            "style.css",
            "favicon.ico",
            "",
            "web-4657cd39477ebcc2",
            "web-beef.js",
            "web-4657CD39477EBCC2.js",
            "web-4657cd39477ebcc2x.js",
            "web-04657cd39477ebcc2.js",
            "print-stylesheet.css",
            "0191b2c4-8a1e-7c3d-9f00-1a2b3c4d5e6f",
        ] {
            assert!(!is_content_hashed(name), "{name}");
        }
    }

    #[test]
    fn hashed_files_are_immutable_and_everything_else_is_revalidated() {
        assert_eq!(cache_control("/web-4657cd39477ebcc2_bg.wasm"), IMMUTABLE);
        assert_eq!(
            cache_control("/snippets/x/web-4657cd39477ebcc2.js"),
            IMMUTABLE
        );
        assert_eq!(cache_control("/"), REVALIDATE);
        assert_eq!(cache_control("/index.html"), REVALIDATE);
        assert_eq!(cache_control("/patients/42"), REVALIDATE);
        // A hash in a folder name says nothing about the file inside.
        assert_eq!(
            cache_control("/snippets/web-4657cd39477ebcc2/inline0.js"),
            REVALIDATE
        );
    }

    /// A built SPA in a temporary folder: `index.html` and a hashed wasm
    /// file with its `.br` and `.gz` copies, each holding the name of its
    /// encoding rather than real data (the server never decodes them), so an
    /// answer shows which file it is; removed on drop.
    struct Dist(PathBuf);

    const WASM: &str = "/web-0123456789abcdef_bg.wasm";

    impl Dist {
        fn new() -> Dist {
            let dir = std::env::temp_dir().join(format!("caremgr-spa-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir(&dir).expect("temporary folder");
            for (name, body) in [
                ("index.html", "<!DOCTYPE html><title>t</title>"),
                (&WASM[1..], "identity"),
                (&format!("{}.br", &WASM[1..]), "br"),
                (&format!("{}.gz", &WASM[1..]), "gzip"),
            ] {
                std::fs::write(dir.join(name), body).expect("write a file");
            }
            Dist(dir)
        }
    }

    impl Drop for Dist {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// (`Content-Encoding`, body) of `GET WASM` with `accept_encoding`.
    async fn fetch_wasm(accept_encoding: Option<&str>) -> (Option<String>, String) {
        let dist = Dist::new();
        let spa = Spa::load(&dist.0).expect("the SPA loads");
        let app = init_service(App::new().service(spa.service())).await;
        let mut req = TestRequest::get().uri(WASM);
        if let Some(value) = accept_encoding {
            req = req.insert_header((header::ACCEPT_ENCODING, value));
        }
        let res = call_service(&app, req.to_request()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let headers = res.headers().clone();
        assert_eq!(
            headers.get(header::CONTENT_TYPE).unwrap(),
            "application/wasm"
        );
        assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), IMMUTABLE);
        assert!(
            headers
                .get_all(header::VARY)
                .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding")),
            "{headers:?}"
        );
        let encoding = headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().expect("ASCII").to_owned());
        let body = String::from_utf8(read_body(res).await.to_vec()).expect("UTF-8");
        (encoding, body)
    }

    #[actix_rt::test]
    async fn the_copy_sent_is_the_best_encoding_the_request_accepts() {
        let cases: [(Option<&str>, Option<&str>); 10] = [
            (Some("br"), Some("br")),
            (Some("gzip, deflate, br, zstd"), Some("br")),
            (Some("gzip"), Some("gzip")),
            (Some("br;q=0, gzip"), Some("gzip")),
            (Some("gzip;q=0.8, br;q=0.5"), Some("gzip")),
            (Some("br;q=0, gzip;q=0"), None),
            (Some("deflate"), None),
            (Some("identity"), None),
            (Some(""), None),
            (None, None),
        ];
        for (accept, expected) in cases {
            let (encoding, body) = fetch_wasm(accept).await;
            assert_eq!(encoding.as_deref(), expected, "Accept-Encoding: {accept:?}");
            assert_eq!(
                body,
                expected.unwrap_or("identity"),
                "Accept-Encoding: {accept:?}"
            );
        }
    }

    #[test]
    fn only_inline_scripts_are_hashed_exactly_as_written() {
        let html =
            r#"<head><script src="/a.js"></script><script type="module">init()</script></head>"#;
        let hashes = inline_script_hashes(html);
        let expected = format!("sha256-{}", STANDARD.encode(Sha256::digest(b"init()")));
        assert_eq!(hashes, vec![expected]);
    }
}
