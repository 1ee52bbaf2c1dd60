//! Who is calling: the `Caller` extractor authenticates the bearer token (an
//! access JWT or an API key) against the database on every request, so a
//! deactivated user or a revoked key stops working at once.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::Utc;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use shared::audit::ActorType;
use shared::auth::{Permission, Role, Scope, scopes_permit};
use uuid::Uuid;

use crate::audit::Actor;
use crate::auth::store;
use crate::auth::tokens::{API_KEY_PREFIX, TokenKeys};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::request_id::RequestId;

/// The request's id and the client's address, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The request id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
}

impl RequestMeta {
    /// A user acting through this request (for routes without a `Caller`, like login).
    pub fn user_actor(&self, org: Uuid, user: Uuid, email: Option<&str>) -> Actor {
        Actor {
            org,
            actor_type: ActorType::User,
            actor_id: Some(user),
            label: email.map(str::to_owned),
            request_id: self.request_id.clone(),
            client_addr: self.client_addr.clone(),
        }
    }

    fn of(req: &HttpRequest) -> RequestMeta {
        RequestMeta {
            request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
            client_addr: req.peer_addr().map(|a| a.ip().to_string()),
        }
    }
}

impl FromRequest for RequestMeta {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(RequestMeta::of(req)))
    }
}

/// An authenticated principal.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in person.
    User {
        /// User id.
        id: Uuid,
        /// Login email.
        email: String,
        /// Role, as stored now (not as it was when the token was issued).
        role: Role,
    },
    /// An integration or script.
    ApiKey {
        /// Key id.
        id: Uuid,
        /// Key name.
        name: String,
        /// What the key may do.
        scopes: Vec<Scope>,
    },
}

/// The authenticated caller of a protected route.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller's organization: every query is limited to it.
    pub org: Uuid,
    /// Who the caller is.
    pub principal: Principal,
    /// Request id and client address.
    pub meta: RequestMeta,
}

impl Caller {
    /// Whether the caller's role or key scopes allow `permission`.
    pub fn permits(&self, permission: Permission) -> bool {
        match &self.principal {
            Principal::User { role, .. } => role.permits(permission),
            Principal::ApiKey { scopes, .. } => scopes_permit(scopes, permission),
        }
    }

    /// A 403 unless the caller may do `permission`.
    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.permits(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(match &self.principal {
                Principal::User { role, .. } => {
                    format!("The {} role does not allow this.", role.label())
                }
                Principal::ApiKey { .. } => "This API key's scopes do not allow this.".into(),
            }))
        }
    }

    /// The signed-in user's id (`None` for API keys).
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiKey { .. } => None,
        }
    }

    /// The signed-in user's role (`None` for API keys).
    pub fn role(&self) -> Option<Role> {
        match &self.principal {
            Principal::User { role, .. } => Some(*role),
            Principal::ApiKey { .. } => None,
        }
    }

    /// The user or key id.
    pub fn principal_id(&self) -> Uuid {
        match &self.principal {
            Principal::User { id, .. } | Principal::ApiKey { id, .. } => *id,
        }
    }

    /// The caller as the audit trail records it.
    pub fn actor(&self) -> Actor {
        let (actor_type, label) = match &self.principal {
            Principal::User { email, .. } => (ActorType::User, email.clone()),
            Principal::ApiKey { name, .. } => (ActorType::ApiKey, name.clone()),
        };
        Actor {
            org: self.org,
            actor_type,
            actor_id: Some(self.principal_id()),
            label: Some(label),
            request_id: self.meta.request_id.clone(),
            client_addr: self.meta.client_addr.clone(),
        }
    }
}

fn bearer(req: &HttpRequest) -> ApiResult<String> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "Sign in, or send an API key, as `Authorization: Bearer <token>`.".into(),
            )
        })?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("The Authorization header is not readable.".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_string())
        }
        _ => Err(ApiError::Unauthorized(
            "Use the Bearer scheme: `Authorization: Bearer <token>`.".into(),
        )),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let meta = RequestMeta::of(req);
        let db = req.app_data::<web::Data<Db>>().cloned();
        let keys = req.app_data::<web::Data<TokenKeys>>().cloned();
        Box::pin(async move {
            let token = token?;
            let (db, keys) = match (db, keys) {
                (Some(db), Some(keys)) => (db, keys),
                _ => return Err(ApiError::internal("auth state missing from the app")),
            };
            if token.starts_with(API_KEY_PREFIX) {
                let key = db
                    .run(move |conn| store::use_api_key(conn, &token, Utc::now()))
                    .await?
                    .ok_or_else(|| {
                        ApiError::Unauthorized("The API key is unknown or revoked.".into())
                    })?;
                return Ok(Caller {
                    org: key.organization_id,
                    principal: Principal::ApiKey {
                        id: key.id,
                        name: key.name,
                        scopes: key.scopes,
                    },
                    meta,
                });
            }
            let claims = keys.verify(&token).map_err(ApiError::Unauthorized)?;
            let user = db
                .run(move |conn| Ok(store::find_user(conn, claims.sub)?))
                .await?
                .filter(|u| u.organization_id == claims.org && u.accepts_session(claims.sep))
                .ok_or_else(|| {
                    ApiError::Unauthorized("This session has ended; sign in again.".into())
                })?;
            Ok(Caller {
                org: user.organization_id,
                principal: Principal::User {
                    id: user.id,
                    email: user.email.clone(),
                    role: user.role()?,
                },
                meta,
            })
        })
    }
}
