//! Assembling the HTTP server: routes, middleware, shared state.

use std::net::TcpListener;

use actix_web::dev::{Server, ServiceRequest, fn_service};
use actix_web::middleware::{Logger, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_actix_web::scope::scope;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use crate::http::json::MAX_JSON_BYTES;
use crate::http::security::SecurityPolicy;
use crate::http::{fallback, methods, request_id, security};
use crate::openapi::{ApiDoc, apply_rules};
use crate::spa::Spa;
use crate::{
    alerts, api_keys, appointments, audit, auth, care_plans, care_team, chart_reviews, contacts,
    education, encounters, fhir, gaps, health, hl7v2, huddles, measures, necessity, notes,
    organizations, outreach, patients, programs, providers, referrals, reports, risk, screenings,
    tasks, timeline, users, webhooks, worklist,
};

/// Every documented route.
fn routes(cfg: &mut ServiceConfig) {
    // Health routes carry their full paths: an `/api` scope would swallow
    // `/api/docs` and `/api/openapi.json` (a matched scope never falls through).
    health::routes(cfg);
    cfg.service(
        scope("/api/v1")
            .configure(auth::routes::routes)
            .configure(users::routes::routes)
            .configure(api_keys::routes::routes)
            .configure(patients::routes::routes)
            .configure(contacts::routes::routes)
            .configure(screenings::routes::routes)
            .configure(education::routes::routes)
            .configure(risk::routes::routes)
            .configure(care_plans::routes::routes)
            .configure(gaps::routes::routes)
            .configure(chart_reviews::routes::routes)
            .configure(care_team::routes::routes)
            .configure(timeline::routes::routes)
            .configure(encounters::routes::routes)
            .configure(appointments::routes::routes)
            .configure(tasks::routes::routes)
            .configure(worklist::routes::routes)
            .configure(huddles::routes::routes)
            .configure(outreach::routes::routes)
            .configure(notes::routes::routes)
            .configure(alerts::routes::routes)
            .configure(organizations::routes::routes)
            .configure(providers::routes::routes)
            .configure(necessity::routes::routes)
            .configure(referrals::routes::routes)
            .configure(programs::routes::routes)
            .configure(reports::routes::routes)
            .configure(measures::routes::routes)
            .configure(webhooks::routes::routes)
            .configure(audit::routes::routes)
            .configure(hl7v2::routes::routes),
    );
    cfg.service(scope("/fhir/r4").configure(fhir::routes::routes));
}

fn documented<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
            ServiceRequest,
            Config = (),
            Error = actix_web::Error,
            InitError = (),
        >,
{
    app.openapi(ApiDoc::openapi()).configure(routes)
}

/// The `OpenAPI` document, exactly as the server serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = documented(App::new().into_utoipa_app()).split_for_parts();
    apply_rules(&mut doc);
    doc
}

/// Builds the server on `listener` (bind it first; port 0 picks a free port).
pub fn build(config: Config, listener: TcpListener) -> std::io::Result<Server> {
    let serving = config
        .app_database_url
        .as_deref()
        .unwrap_or(&config.database_url);
    let db = web::Data::new(Db::connect(serving, config.pool_size));
    let patient_reader = web::Data::new(patients::service::start_reader(db.pool().clone())?);
    if let Some(every) = config.scheduler_interval {
        actix_web::rt::spawn(scheduler_loop(db.clone(), every));
    }
    if let Some(every) = config.webhooks.interval {
        let sender = webhooks::delivery::Sender::new(config.webhooks.clone())
            .map_err(std::io::Error::other)?;
        actix_web::rt::spawn(webhooks::delivery::worker(db.clone(), sender, every));
    }
    let webhook_settings = web::Data::new(config.webhooks.clone());
    let keys = web::Data::new(TokenKeys::new(
        &config.jwt_secret,
        i64::try_from(config.access_token_ttl.as_secs()).unwrap_or(i64::MAX),
        i64::try_from(config.refresh_token_ttl.as_secs()).unwrap_or(i64::MAX),
    ));
    let spa = match &config.static_dir {
        Some(dir) => Some(Spa::load(dir).map_err(|e| {
            std::io::Error::new(e.kind(), format!("STATIC_DIR {}: {e}", dir.display()))
        })?),
        None => None,
    };
    let policy = web::Data::new(SecurityPolicy::new(
        spa.as_ref().map(Spa::script_hashes).unwrap_or_default(),
        config.https(),
    ));
    let idempotency = web::Data::new(crate::idempotency::Policy {
        ttl: chrono::Duration::from_std(config.idempotency_ttl)
            .unwrap_or(chrono::Duration::hours(24)),
    });
    let login_guard = web::Data::new(crate::auth::guard::LoginGuard::new(
        config.login_attempts_per_minute,
        config.login_concurrent_hashes,
    ));
    let sessions = web::Data::new(config.session_policy());
    let routes = web::Data::new(methods::Routes::of(&openapi_document()));
    let workers = config.workers;
    let server = HttpServer::new(move || {
        let (app, mut doc) = documented(App::new().into_utoipa_app()).split_for_parts();
        apply_rules(&mut doc);
        let app = app
            .app_data(db.clone())
            .app_data(patient_reader.clone())
            .app_data(keys.clone())
            .app_data(policy.clone())
            .app_data(idempotency.clone())
            .app_data(login_guard.clone())
            .app_data(sessions.clone())
            .app_data(routes.clone())
            .app_data(webhook_settings.clone())
            .app_data(web::PayloadConfig::new(MAX_JSON_BYTES))
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                ApiError::NotFound("There is no record with that id.".into()).into()
            }))
            .route("/api/docs", web::get().to(docs_without_slash))
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc));
        let app = match &spa {
            Some(spa) => app.service(spa.service()),
            None => app.default_service(fn_service(|req: ServiceRequest| async {
                Ok(crate::spa::fallback(req, None))
            })),
        };
        app.wrap(from_fn(methods::middleware))
            .wrap(from_fn(fhir::outcome::middleware))
            .wrap(from_fn(fallback::middleware))
            .wrap(from_fn(security::middleware))
            .wrap(from_fn(request_id::middleware))
            .wrap(access_log())
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}

/// `/api/docs` is where people type; the UI lives at `/api/docs/`.
async fn docs_without_slash() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}

/// The URL to serve as the `caremgr_app` role, once it can log in; `None`
/// (serve as the owner, and say so) when the owner may not arrange that.
fn serving_role(owner: &mut diesel::PgConnection, config: &Config) -> Option<String> {
    let url = crate::db::enable_serving_role(owner, &config.jwt_secret)
        .and_then(|()| crate::db::serving_role_url(&config.database_url, &config.jwt_secret))
        .and_then(|url| crate::db::connect_once(&url).map(|_| url));
    match url {
        Ok(url) => {
            log::info!("serving as the {} role", crate::db::SERVING_ROLE);
            Some(url)
        }
        Err(e) => {
            log::warn!(
                "serving as the database owner, who can alter the audit trail: {e}. \
                 Set APP_DATABASE_URL to a role with only the grants of {}, or let \
                 DATABASE_URL's user create roles.",
                crate::db::SERVING_ROLE
            );
            None
        }
    }
}

/// One access-log line per request: method and path but never the query
/// string, since searches (`?q=lopez`) and filters are PHI.
fn access_log() -> Logger {
    Logger::new("%a \"%{method}xi %U\" %s %b %Dms req=%{x-request-id}o")
        .custom_request_replace("method", |req| req.method().to_string())
}

/// Runs a scheduler pass every `every`, the first one interval after start
/// (a pass another process is running is skipped, not waited for).
async fn scheduler_loop(db: web::Data<Db>, every: std::time::Duration) {
    let runner = format!("serve pid {}", std::process::id());
    let mut tick = actix_web::rt::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let runner = runner.clone();
        let ran = db
            .tx(move |conn| crate::scheduler::run_once(conn, chrono::Utc::now(), &runner))
            .await;
        match ran {
            Ok(Some(r)) => log::info!(
                "scheduler pass: {} tasks opened, {} risks recomputed",
                r.tasks_opened,
                r.risks_updated
            ),
            Ok(None) => log::debug!("scheduler pass skipped: another process is running one"),
            Err(e) => log::warn!("scheduler pass failed: {e}"),
        }
    }
}

/// Migrates, binds `BIND_ADDR` and serves until stopped.
pub async fn serve(mut config: Config) -> std::io::Result<()> {
    let mut conn = crate::db::connect_once(&config.database_url).map_err(std::io::Error::other)?;
    let applied = crate::db::migrate(&mut conn).map_err(std::io::Error::other)?;
    if !applied.is_empty() {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    if config.app_database_url.is_none() {
        config.app_database_url = serving_role(&mut conn, &config);
    }
    drop(conn);
    let listener = TcpListener::bind(config.bind_addr)?;
    log::info!("serving on http://{}", listener.local_addr()?);
    build(config, listener)?.await
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use actix_web::{App, HttpResponse, test, web};

    use super::access_log;

    /// Keeps every log line, so a test can read what the access log wrote.
    struct Lines(Mutex<Vec<String>>);

    impl log::Log for Lines {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(record.args().to_string());
            }
        }
        fn flush(&self) {}
    }

    static LINES: Lines = Lines(Mutex::new(Vec::new()));

    #[actix_rt::test]
    async fn the_access_log_names_method_and_path_but_never_the_query_string() {
        log::set_logger(&LINES).expect("the only logger of this test binary");
        log::set_max_level(log::LevelFilter::Info);
        let app = test::init_service(
            App::new()
                .wrap(access_log())
                .route("/api/v1/patients", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/api/v1/patients?q=lopez%20maria")
            .to_request();
        let res = test::call_service(&app, req).await;
        drop(test::read_body(res).await);
        let lines = LINES.0.lock().expect("log lines").clone();
        let line = lines
            .iter()
            .find(|l| l.contains("/api/v1/patients"))
            .expect("an access-log line");
        assert!(line.contains("\"GET /api/v1/patients\" 200"), "{line}");
        assert!(!line.contains("lopez") && !line.contains('?'), "{line}");
    }
}
