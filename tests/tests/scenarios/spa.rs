//! The SPA as the real server sends it: precompressed copies to the clients
//! that accept them, hashed files cached for good, `index.html` revalidated.

use std::path::PathBuf;

use tests::{Res, TestApp};

const INDEX: &str = "<!DOCTYPE html><title>Care Manager</title>";
const WASM: &str = "/web-4657cd39477ebcc2_bg.wasm";
const JS: &str = "/web-4657cd39477ebcc2.js";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A server whose `STATIC_DIR` is a temporary built SPA: `index.html`, a
/// hashed wasm file with `.br` and `.gz` copies, and a hashed script with no
/// copies. The copies hold marker bytes rather than real compressed data, so
/// each answer shows which file was sent (the server never decodes them).
struct SpaApp {
    app: TestApp,
    dir: PathBuf,
}

impl SpaApp {
    fn spawn() -> SpaApp {
        let dir = std::env::temp_dir().join(format!("caremgr-spa-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&dir).expect("temporary STATIC_DIR");
        for (name, body) in [
            ("index.html".to_owned(), INDEX),
            (WASM[1..].to_owned(), "wasm as built"),
            (format!("{}.br", &WASM[1..]), "brotli copy"),
            (format!("{}.gz", &WASM[1..]), "gzip copy"),
            (JS[1..].to_owned(), "export default 1;"),
        ] {
            std::fs::write(dir.join(name), body).expect("write a file of the SPA");
        }
        let static_dir = dir.clone();
        let app = TestApp::spawn_with(|c| c.static_dir = Some(static_dir));
        SpaApp { app, dir }
    }

    fn get(&self, path: &str, accept_encoding: Option<&str>) -> Res {
        let req = self.app.get(path);
        match accept_encoding {
            Some(value) => req.header("accept-encoding", value),
            None => req,
        }
        .send()
        .expect(200)
    }
}

impl Drop for SpaApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn varies_with_accept_encoding(res: &Res) -> bool {
    res.headers
        .get_all("vary")
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding"))
}

#[test]
fn a_browser_that_accepts_brotli_gets_the_brotli_copy_of_the_wasm() {
    let spa = SpaApp::spawn();
    let res = spa.get(WASM, Some("gzip, deflate, br, zstd"));
    assert_eq!(res.text(), "brotli copy");
    assert_eq!(res.header("content-encoding").as_deref(), Some("br"));
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/wasm")
    );
    assert!(varies_with_accept_encoding(&res), "{:?}", res.headers);
}

#[test]
fn a_client_that_accepts_only_gzip_gets_the_gzip_copy() {
    let spa = SpaApp::spawn();
    let res = spa.get(WASM, Some("gzip"));
    assert_eq!(res.text(), "gzip copy");
    assert_eq!(res.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/wasm")
    );
    assert!(varies_with_accept_encoding(&res), "{:?}", res.headers);
}

#[test]
fn brotli_refused_with_q_zero_is_never_sent_even_when_it_is_listed_first() {
    let spa = SpaApp::spawn();
    let res = spa.get(WASM, Some("br;q=0, gzip;q=0.5"));
    assert_eq!(res.text(), "gzip copy");
    assert_eq!(res.header("content-encoding").as_deref(), Some("gzip"));
}

#[test]
fn a_client_that_accepts_no_compression_gets_the_file_as_built() {
    let spa = SpaApp::spawn();
    for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
        let res = spa.get(WASM, accept);
        assert_eq!(res.text(), "wasm as built", "Accept-Encoding: {accept:?}");
        assert_eq!(res.header("content-encoding"), None, "{accept:?}");
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("application/wasm")
        );
        assert!(varies_with_accept_encoding(&res), "{:?}", res.headers);
    }
}

#[test]
fn a_file_without_precompressed_copies_is_sent_as_built_to_a_browser_accepting_brotli() {
    let spa = SpaApp::spawn();
    let res = spa.get(JS, Some("br, gzip"));
    assert_eq!(res.text(), "export default 1;");
    assert_eq!(res.header("content-encoding"), None);
    assert!(
        res.header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript")),
        "{:?}",
        res.header("content-type")
    );
}

#[test]
fn hashed_assets_are_cached_for_a_year_as_immutable_in_every_encoding() {
    let spa = SpaApp::spawn();
    for (path, accept) in [
        (WASM, Some("br")),
        (WASM, Some("gzip")),
        (WASM, None),
        (JS, None),
    ] {
        let res = spa.get(path, accept);
        assert_eq!(
            res.header("cache-control").as_deref(),
            Some(IMMUTABLE),
            "{path} {accept:?}"
        );
    }
}

#[test]
fn index_html_is_revalidated_on_every_load() {
    let spa = SpaApp::spawn();
    for path in ["/", "/index.html"] {
        let res = spa.get(path, Some("br, gzip"));
        assert_eq!(res.text(), INDEX, "{path}");
        assert_eq!(res.header("cache-control").as_deref(), Some("no-cache"));
        assert!(
            res.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}"
        );
    }
}

#[test]
fn a_client_side_route_gets_index_html_revalidated_on_every_load() {
    let spa = SpaApp::spawn();
    let res = spa.get("/patients/0191b2c4-8a1e-7c3d-9f00-1a2b3c4d5e6f", Some("br"));
    assert_eq!(res.text(), INDEX);
    assert_eq!(res.header("cache-control").as_deref(), Some("no-cache"));
}

#[test]
fn a_hashed_file_a_new_build_no_longer_has_is_answered_with_index_html_never_cached_for_good() {
    let spa = SpaApp::spawn();
    let res = spa.get("/web-0000111122223333.js", Some("br"));
    assert_eq!(res.text(), INDEX);
    assert_eq!(res.header("cache-control").as_deref(), Some("no-cache"));
}

#[test]
fn spa_files_keep_the_security_headers_and_api_answers_stay_no_store() {
    let spa = SpaApp::spawn();
    let wasm = spa.get(WASM, Some("br"));
    let csp = wasm
        .header("content-security-policy")
        .expect("a CSP on the SPA's files");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(
        wasm.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );

    let health = spa.get("/api/health", Some("br"));
    assert_eq!(health.header("cache-control").as_deref(), Some("no-store"));
    let missing = spa.app.get("/api/nothing-here").send().expect(404);
    assert_eq!(missing.problem().status, 404);
    assert_eq!(missing.header("cache-control").as_deref(), Some("no-store"));
}

#[test]
fn a_revalidated_copy_answers_not_modified_with_its_caching_headers() {
    let spa = SpaApp::spawn();
    let first = spa.get(WASM, Some("br"));
    let etag = first.header("etag").expect("an ETag");
    let again = spa
        .app
        .get(WASM)
        .header("accept-encoding", "br")
        .header("if-none-match", &etag)
        .send()
        .expect(304);
    assert_eq!(again.header("cache-control").as_deref(), Some(IMMUTABLE));
    assert!(varies_with_accept_encoding(&again), "{:?}", again.headers);
    // The identity file is another representation, with another ETag.
    let plain = spa.get(WASM, None);
    assert_ne!(plain.header("etag"), Some(etag));
}
