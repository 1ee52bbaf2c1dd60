//! `/organization`: the caller's organization.

use actix_web::{HttpResponse, get, patch, web};
use shared::audit::AuditAction;
use shared::auth::Permission;
use shared::organization::{Organization, OrganizationPatch, Zones};
use shared::validation::Valid;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::{ETagged, IfMatch, Json};
use crate::organizations::store;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_organization).service(update_organization);
}

/// The caller's organization: name, time zone and holidays.
#[utoipa::path(
    responses((status = 200, description = "The organization", body = Organization))
)]
#[get("/organization")]
pub async fn get_organization(db: web::Data<Db>, caller: Caller) -> ApiResult<HttpResponse> {
    let access = caller.member();
    let org = db
        .run_as(access, move |conn, auth| store::get(conn, &auth))
        .await?;
    Ok(org.respond(HttpResponse::Ok()))
}

/// Change the name, time zone or holidays (admins).
///
/// The time zone and holidays decide business days: a missed-appointment
/// follow-up is due at 17:00 local time on the next business day.
#[utoipa::path(
    request_body = OrganizationPatch,
    responses(
        (status = 200, description = "Updated", body = Organization),
    )
)]
#[patch("/organization")]
pub async fn update_organization(
    db: web::Data<Db>,
    caller: Caller,
    if_match: IfMatch,
    body: Json<OrganizationPatch>,
) -> ApiResult<HttpResponse> {
    let access = caller.authorize(Permission::OrganizationManage);
    let zones = Zones {
        known: |zone| zone.parse::<chrono_tz::Tz>().is_ok(),
    };
    let patch = Valid::new(body.into_inner(), &zones)?;
    let expected = if_match.expected(patch.version)?;
    let org = db
        .tx_as(access, move |conn, auth| {
            let org = store::update(conn, &auth, expected, &patch)?;
            audit::log(
                conn,
                &auth,
                Entry::new(AuditAction::OrganizationUpdate).on(org.id),
            )?;
            Ok(org)
        })
        .await?;
    Ok(org.respond(HttpResponse::Ok()))
}
