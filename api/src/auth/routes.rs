//! `/auth`: login, refresh, logout, me.

use actix_web::{HttpResponse, get, post, web};
use chrono::{TimeDelta, Utc};
use serde_json::json;
use shared::audit::AuditAction;
use shared::auth::{LoginRequest, Me, RefreshRequest, TokenResponse};
use shared::validation::{Context, Valid};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::store::{self, RefreshOutcome, UserAuth};
use crate::auth::tokens::TokenKeys;
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
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let access_token = keys
        .issue(
            user.id.get(),
            user.organization_id.get(),
            user.session_epoch,
            Utc::now(),
        )
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: keys.access_ttl_secs,
        refresh_token,
    })
}

/// Sign in with email and password.
///
/// Returns a 15-minute access token and a refresh token. Five wrong
/// passwords in a row lock the account for 15 minutes (doubling on further
/// failures); a locked account answers 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password, or the account is inactive", body = shared::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Locked after repeated failures; see `Retry-After`", body = shared::problem::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/login")]
pub async fn login(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    meta: RequestMeta,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let body = Valid::new(body.into_inner(), &Context::before_sign_in(now))?.into_inner();
    let email = body.email.clone();
    let user = db
        .run(move |conn| Ok(store::find_user_by_email(conn, &email)?))
        .await?;
    let Some(user) = user else {
        web::block(move || passwords::verify_dummy(&body.password))
            .await
            .map_err(ApiError::internal)?;
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
    };
    if let Some(retry_after_secs) = user.locked_for(now) {
        return Err(ApiError::TooManyRequests {
            detail: "Too many failed sign-ins; this account is locked for a while.".into(),
            retry_after_secs,
        });
    }
    let hash = user.password_hash.clone();
    let password_ok = web::block(move || passwords::verify(&body.password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let actor = meta.user_actor(user.organization_id, user.id, Some(&user.email));
    if !password_ok || !user.active {
        let reason = if password_ok {
            "inactive"
        } else {
            "wrong_password"
        };
        let id = user.id;
        db.tx(move |conn| {
            if !password_ok {
                store::record_failed_login(conn, id, now)?;
            }
            audit::record(
                conn,
                &actor,
                Entry::new(AuditAction::AuthLoginFailed)
                    .on(id)
                    .details(json!({"reason": reason})),
            )?;
            Ok(())
        })
        .await?;
        return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
    }
    let ttl = TimeDelta::seconds(keys.refresh_ttl_secs);
    let (user, refresh_token) = db
        .tx(move |conn| {
            store::record_login(conn, user.id, now)?;
            let token = store::issue_refresh_token(conn, &user, Uuid::now_v7(), now, ttl)?;
            audit::record(conn, &actor, Entry::new(AuditAction::AuthLogin).on(user.id))?;
            Ok((user, token))
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_response(&keys, &user, refresh_token)?))
}

/// Exchange a refresh token for new tokens.
///
/// Refresh tokens are single-use: each refresh returns a new one. Presenting
/// a used token again revokes every token of that sign-in (someone copied it).
#[utoipa::path(
    tag = "auth",
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
    meta: RequestMeta,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let body = Valid::new(body.into_inner(), &Context::before_sign_in(Utc::now()))?.into_inner();
    let ttl = TimeDelta::seconds(keys.refresh_ttl_secs);
    let outcome = db
        .tx(move |conn| {
            let outcome = store::use_refresh_token(conn, &body.refresh_token, Utc::now(), ttl)?;
            if let RefreshOutcome::Reused { user, org } = &outcome {
                let actor = meta.user_actor(*org, *user, None);
                audit::record(
                    conn,
                    &actor,
                    Entry::new(AuditAction::AuthRefreshReused).on(user),
                )?;
            }
            Ok(outcome)
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated { user, token } => {
            Ok(HttpResponse::Ok().json(token_response(&keys, &user, token)?))
        }
        RefreshOutcome::Refused => Err(ApiError::Unauthorized(
            "The refresh token is unknown, expired or revoked; sign in again.".into(),
        )),
        RefreshOutcome::Reused { .. } => Err(ApiError::Unauthorized(
            "This refresh token was already used, so every session of this sign-in has been ended; sign in again.".into(),
        )),
    }
}

/// Sign out: revokes the refresh token and every token rotated from the same sign-in.
///
/// Always answers 204, even for an unknown token, so it can be retried safely.
#[utoipa::path(
    tag = "auth",
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
    db.tx(move |conn| {
        if let Some((user, org)) =
            store::revoke_refresh_token(conn, &body.refresh_token, Utc::now())?
        {
            let actor = meta.user_actor(org, user, None);
            audit::record(conn, &actor, Entry::new(AuditAction::AuthLogout).on(user))?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The signed-in user", body = Me)),
    security(("bearer" = []))
)]
#[get("/auth/me")]
pub async fn me(db: web::Data<Db>, caller: Caller) -> ApiResult<HttpResponse> {
    let Some(user_id) = caller.user_id() else {
        return Err(ApiError::Forbidden("API keys have no user profile.".into()));
    };
    let me = db
        .run(move |conn| {
            let user =
                store::find_user(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
            let organization_name = store::organization_name(conn, user.organization_id)?;
            Ok(Me {
                id: user.id,
                role: user.role()?,
                email: user.email,
                name: user.name,
                organization_id: user.organization_id,
                organization_name,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
