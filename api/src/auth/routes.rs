//! `/auth`: login, refresh, logout, me.

use actix_web::{HttpResponse, get, post, web};
use chrono::{TimeDelta, Utc};
use shared::auth::{LoginRequest, Me, RefreshRequest, TokenResponse};
use shared::validation::{Context, Valid};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::guard::LoginGuard;
use crate::auth::lockout::Verdict;
use crate::auth::service::{self, Refusal};
use crate::auth::sessions::{EndReason, SessionPolicy};
use crate::auth::store::{RefreshOutcome, UserAuth};
use crate::auth::tokens::{Bearer, TokenKeys};
use crate::auth::{Caller, RequestMeta, passwords};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::Json;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me);
}

const BAD_CREDENTIALS: &str = "The email or password is not right.";

fn token_response(
    keys: &TokenKeys,
    user: &UserAuth,
    sid: Uuid,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let bearer = Bearer {
        user: user.id.get(),
        org: user.organization_id.get(),
        sep: user.session_epoch,
        sid,
    };
    let access_token = keys.issue(bearer, Utc::now()).map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: keys.access_ttl_secs,
        refresh_token,
    })
}

/// Sign in with email and password.
///
/// Returns a 15-minute access token and a refresh token. An unknown email,
/// a wrong password and a deactivated account all answer the same 401.
/// After five failed attempts for one email within 15 minutes, further
/// attempts for it are refused with 429 and `Retry-After` for 15 minutes
/// (whether or not anyone has that email), and one client address may try
/// only so often a minute (also 429).
#[utoipa::path(
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password, or the account is inactive", body = shared::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this email or from this address; see `Retry-After`", body = shared::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Sign-in is saturated; retry after `Retry-After` seconds", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/login")]
pub async fn login(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    sessions: web::Data<SessionPolicy>,
    guard: web::Data<LoginGuard>,
    meta: RequestMeta,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    guard.admit(meta.client_ip())?;
    let body = Valid::new(body.into_inner(), &Context::before_sign_in(now))?.into_inner();
    let email = service::login_email(&body.email);
    let (verdict, found) = {
        let email = email.clone();
        db.tx(move |conn| service::begin_sign_in(conn, &email, now))
            .await?
    };
    let (user, hash) = found.map(|l| (l.user, l.password_hash)).unzip();
    if let Verdict::Locked { retry_after_secs } = verdict {
        let meta = meta.clone();
        db.tx(move |conn| {
            service::sign_in_refused(conn, &meta, &email, user.as_ref(), Refusal::Locked)
        })
        .await?;
        return Err(ApiError::TooManyRequests {
            detail: "Too many failed sign-ins for this email; try again later.".into(),
            retry_after_secs,
        });
    }
    let password_ok = {
        let _slot = guard.hashing_slot().await?;
        // An email no one has costs the same hash as a wrong password, so
        // timing does not tell them apart.
        web::block(move || {
            if let Some(hash) = hash {
                passwords::verify(&body.password, &hash)
            } else {
                passwords::verify_dummy(&body.password);
                false
            }
        })
        .await
        .map_err(ApiError::internal)?
    };
    let refusal = match (&user, password_ok) {
        (None, _) => Some(Refusal::UnknownEmail),
        (Some(_), false) => Some(Refusal::WrongPassword),
        (Some(u), true) if !u.active => Some(Refusal::Inactive),
        (Some(_), true) => None,
    };
    if let Some(why) = refusal {
        db.tx(move |conn| service::sign_in_refused(conn, &meta, &email, user.as_ref(), why))
            .await?;
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
    }
    let Some(user) = user else {
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
    };
    let ttl = TimeDelta::seconds(keys.refresh_ttl_secs);
    let policy = **sessions;
    let (user, sid, refresh_token) = db
        .tx(move |conn| {
            let (sid, token) = service::signed_in(conn, &meta, &user, ttl, &policy, now)?;
            Ok((user, sid, token))
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_response(&keys, &user, sid, refresh_token)?))
}

/// Exchange a refresh token for new tokens.
///
/// Refresh tokens are single-use: each refresh returns a new one. Presenting
/// a used token again revokes every token of that sign-in (someone copied it).
#[utoipa::path(
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/refresh")]
pub async fn refresh(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    sessions: web::Data<SessionPolicy>,
    meta: RequestMeta,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let body = Valid::new(body.into_inner(), &Context::before_sign_in(Utc::now()))?.into_inner();
    let ttl = TimeDelta::seconds(keys.refresh_ttl_secs);
    let policy = **sessions;
    let outcome = db
        .tx(move |conn| {
            service::refresh(conn, &meta, &body.refresh_token, ttl, &policy, Utc::now())
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated { user, sid, token } => {
            Ok(HttpResponse::Ok().json(token_response(&keys, &user, sid, token)?))
        }
        RefreshOutcome::Refused(Some(reason)) => {
            Err(ApiError::SessionEnded(reason.explanation(&policy)))
        }
        RefreshOutcome::Refused(None) => Err(ApiError::Unauthorized(
            "The refresh token is unknown, expired or revoked; sign in again.".into(),
        )),
        RefreshOutcome::Reused { .. } => Err(ApiError::SessionEnded(
            EndReason::RefreshTokenReused.explanation(&policy),
        )),
    }
}

/// Sign out: ends the sign-in — its access tokens stop working at once, and
/// its refresh tokens are revoked.
///
/// Always answers 204, even for an unknown token, so it can be retried safely.
#[utoipa::path(
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")),
    security(())
)]
#[post("/auth/logout")]
pub async fn logout(
    db: web::Data<Db>,
    meta: RequestMeta,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let body = Valid::new(body.into_inner(), &Context::before_sign_in(Utc::now()))?.into_inner();
    db.tx(move |conn| service::sign_out(conn, &meta, &body.refresh_token, Utc::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(
    responses((status = 200, description = "The signed-in user", body = Me))
)]
#[get("/auth/me")]
pub async fn me(db: web::Data<Db>, caller: Caller) -> ApiResult<HttpResponse> {
    let Some(user_id) = caller.user_id() else {
        // An unknown or revoked key is a 401 before it is a 403.
        db.confirm(caller.member()).await?;
        return Err(ApiError::Forbidden("API keys have no user profile.".into()));
    };
    let me = db
        .run_as(caller.member(), move |conn, _| service::me(conn, user_id))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
