//! `/patients/{id}/care-team` and `/care-team/{id}`.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{NaiveDate, Utc};
use shared::auth::Permission;
use shared::care_team::{CareTeamMember, CareTeamPatch, NewCareTeamMember};
use shared::pagination::{Page, checked_limit};
use shared::problem::Problem;
use shared::validation::trimmed;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::care_team::store::{self, NewMember};
use crate::contacts::routes::PageQuery;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::{ETagged, IfMatch, Json, Query, cursor};
use crate::organizations::store as organizations;
use crate::patients::store as patients;
use crate::users::store as users;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(update_member);
}

/// A patient's care team, by start date (ended memberships included).
#[utoipa::path(
    tag = "care-team",
    params(("id" = Uuid, Path, description = "Patient id"), PageQuery),
    responses((status = 200, description = "A page of members", body = Page<CareTeamMember>)),
    security(("bearer" = []))
)]
#[get("/patients/{id}/care-team")]
pub async fn list_members(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsRead)?;
    let patient = id.into_inner();
    let q = query.into_inner();
    let limit = checked_limit(q.limit).map_err(|m| ApiError::field("limit", m))?;
    let after = cursor::decode_opt::<(NaiveDate, Uuid)>(q.cursor.as_deref())?;
    let page = db
        .run(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let rows = store::list(conn, caller.org, patient, after, limit + 1)?;
            let (items, next_cursor) = cursor::page(rows, limit, |m| (m.start_date, m.id));
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("care_team.list", "care_team_member").patient(patient),
            )?;
            Ok(Page { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add someone to the care team: a user of the organization (`user_id`), who
/// then receives the patient's alerts, or an outside provider (`name`).
#[utoipa::path(
    tag = "care-team",
    params(("id" = Uuid, Path, description = "Patient id")),
    request_body = NewCareTeamMember,
    responses((status = 201, description = "Added", body = CareTeamMember, headers(("ETag" = String), ("Location" = String)))),
    security(("bearer" = []))
)]
#[post("/patients/{id}/care-team")]
pub async fn add_member(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewCareTeamMember>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let patient = id.into_inner();
    let new = body.into_inner();
    let member = db
        .tx(move |conn| {
            patients::ensure(conn, caller.org, patient)?;
            let today = organizations::calendar(conn, caller.org)?.today(Utc::now());
            new.check(today)?;
            if let Some(u) = new.user_id
                && !users::find(conn, caller.org, u)?.is_some_and(|u| u.active)
            {
                return Err(ApiError::field(
                    "user_id",
                    "is not an active user of your organization",
                ));
            }
            let m = NewMember {
                user_id: new.user_id,
                name: trimmed(new.name.clone()),
                organization: trimmed(new.organization.clone()),
                phone: trimmed(new.phone.clone()),
                role: new.role,
                start_date: new.start_date.unwrap_or(today),
                end_date: new.end_date,
            };
            let member = store::insert(conn, caller.org, patient, &m, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("care_team.create", "care_team_member")
                    .on(member.id)
                    .patient(patient),
            )?;
            Ok(member)
        })
        .await?;
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/api/v1/care-team/{}", member.id)));
    Ok(member.respond(res))
}

/// Change a member's role or details, or end the membership (`end_date`).
#[utoipa::path(
    tag = "care-team",
    params(
        ("id" = Uuid, Path, description = "Member id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read (or send `version`)"),
    ),
    request_body = CareTeamPatch,
    responses(
        (status = 200, description = "Updated", body = CareTeamMember, headers(("ETag" = String))),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version given", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/care-team/{id}")]
pub async fn update_member(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CareTeamPatch>,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::PatientsWrite)?;
    let id = id.into_inner();
    let mut patch = body.into_inner();
    patch.organization = patch.organization.map(trimmed);
    patch.phone = patch.phone.map(trimmed);
    patch.validate()?;
    let expected = if_match.expected(patch.version)?;
    let member = db
        .tx(move |conn| {
            let m = store::update(conn, caller.org, id, expected, &patch, Utc::now())?;
            audit::record(
                conn,
                &caller.actor(),
                Entry::new("care_team.update", "care_team_member")
                    .on(id)
                    .patient(m.patient_id),
            )?;
            Ok(m)
        })
        .await?;
    Ok(member.respond(HttpResponse::Ok()))
}
