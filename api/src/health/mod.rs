//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
    /// Server version.
    pub version: &'static str,
}

/// Liveness: the process answers. Never touches the database.
#[utoipa::path(responses((status = 200, description = "Alive", body = Health)), security(()))]
#[get("/api/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database answers (within 3 seconds), else 503.
#[utoipa::path(
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/api/ready")]
pub async fn ready(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    db.run(|conn| {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map_err(|e| ApiError::Unavailable(e.to_string()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready",
        version: env!("CARGO_PKG_VERSION"),
    }))
}
