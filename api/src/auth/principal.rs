//! Who is calling, and what they may do. The `Caller` extractor
//! authenticates the bearer token (an access JWT or an API key) against the
//! database on every request, so a deactivated user or a revoked key stops
//! working at once. `Caller::authorize` checks one permission and yields an
//! [`Authorized`]: the value every use case and store function takes, so
//! data cannot be reached without a checked permission — a missing check
//! does not compile.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use shared::audit::ActorType;
use shared::auth::{Permission, Role, Scope, scopes_permit};
use shared::encounters::Source;
use shared::ids::{OrganizationId, UserId};
use shared::validation::Context;
use uuid::Uuid;

use crate::audit::Actor;
use crate::audit::writer::Held;
use crate::auth::sessions::SessionPolicy;
use crate::auth::store;
use crate::auth::tokens::{API_KEY_PREFIX, Claims, TokenKeys};
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
    pub fn user_actor(&self, org: OrganizationId, user: UserId, email: Option<&str>) -> Actor {
        Actor {
            org: Some(org),
            actor_type: ActorType::User,
            actor_id: Some(user.get()),
            label: email.map(str::to_owned),
            request_id: self.request_id.clone(),
            client_addr: self.client_addr.clone(),
        }
    }

    /// Someone who gave an email no one has: no organization, no id, the
    /// email they typed as the label.
    pub fn stranger(&self, email: &str) -> Actor {
        Actor {
            org: None,
            actor_type: ActorType::User,
            actor_id: None,
            label: Some(email.to_owned()),
            request_id: self.request_id.clone(),
            client_addr: self.client_addr.clone(),
        }
    }

    /// The client's address, if known.
    pub fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.client_addr.as_deref()?.parse().ok()
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
        id: UserId,
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
        /// The provider a `referrals:respond` key answers for.
        provider_id: Option<Uuid>,
    },
    /// The system itself: the command-line tools, the demo seed and
    /// scheduled rules. It may do everything, and is audited as `system`.
    System {
        /// What is acting (`seed-demo`, `caremgr create-user`).
        label: String,
        /// The person it acts for, when the work is theirs (a note's
        /// author, a task's creator).
        on_behalf_of: Option<UserId>,
        /// Whether it relays an integration's feed (its records are
        /// marked as coming from an integration).
        feed: bool,
    },
}

impl Principal {
    fn permits(&self, permission: Permission) -> bool {
        match self {
            Principal::User { role, .. } => role.permits(permission),
            Principal::ApiKey { scopes, .. } => scopes_permit(scopes, permission),
            Principal::System { .. } => true,
        }
    }

    fn refusal(&self) -> ApiError {
        ApiError::Forbidden(match self {
            Principal::User { role, .. } => {
                format!("The {} role does not allow this.", role.label())
            }
            Principal::ApiKey { .. } => "This API key's scopes do not allow this.".into(),
            Principal::System { .. } => "The system may do everything.".into(),
        })
    }
}

/// The authenticated caller of a protected route, before any permission
/// was checked: the only thing it offers is [`Caller::authorize`].
#[derive(Debug, Clone)]
pub struct Caller {
    org: OrganizationId,
    tz: Tz,
    principal: Principal,
    meta: RequestMeta,
}

impl Caller {
    /// A 403 unless the caller may do `permission`; otherwise the value
    /// that reaches the caller's organization's data.
    pub fn authorize(self, permission: Permission) -> ApiResult<Authorized> {
        if !self.principal.permits(permission) {
            return Err(self.principal.refusal());
        }
        Ok(self.member())
    }

    /// Like [`Caller::authorize`], for a route open to callers of either
    /// permission (people reading referrals, and a provider's key
    /// answering them): a 403 unless one of `permissions` is allowed.
    pub fn authorize_any(self, permissions: &[Permission]) -> ApiResult<Authorized> {
        match permissions.iter().find(|p| self.principal.permits(**p)) {
            Some(p) => self.authorize(*p),
            None => Err(self.principal.refusal()),
        }
    }

    /// Whether the caller could be authorized for `permission` (to choose
    /// between two readings of a request, as "mine" or "the team's").
    pub fn permits(&self, permission: Permission) -> bool {
        self.principal.permits(permission)
    }

    /// For what every user and key of an organization may see of it (its
    /// name, time zone and holidays): authenticated is enough, there is no
    /// permission to check. Never use it for patient data.
    pub fn member(self) -> Authorized {
        let actor = actor_of(self.org, &self.principal, &self.meta);
        Authorized {
            org: self.org,
            tz: self.tz,
            principal: self.principal,
            actor,
            held: None,
        }
    }

    /// The signed-in user's id (`None` for API keys): for routes about the
    /// caller themselves (`/auth/me`), which need no permission.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiKey { .. } | Principal::System { .. } => None,
        }
    }
}

fn actor_of(org: OrganizationId, principal: &Principal, meta: &RequestMeta) -> Actor {
    let (actor_type, actor_id, label) = match principal {
        Principal::User { id, email, .. } => (ActorType::User, Some(id.get()), email.clone()),
        Principal::ApiKey { id, name, .. } => (ActorType::ApiKey, Some(*id), name.clone()),
        Principal::System { label, .. } => (ActorType::System, None, label.clone()),
    };
    Actor {
        org: Some(org),
        actor_type,
        actor_id,
        label: Some(label),
        request_id: meta.request_id.clone(),
        client_addr: meta.client_addr.clone(),
    }
}

/// A caller whose permission for the action at hand was checked, acting in
/// one organization. Use cases and stores take `&Authorized`: it scopes
/// every query to the organization and names the actor in the audit trail.
#[derive(Debug, Clone)]
pub struct Authorized {
    org: OrganizationId,
    tz: Tz,
    principal: Principal,
    actor: Actor,
    /// Set for a read whose audit events go to the group-commit writer.
    held: Option<Held>,
}

impl Authorized {
    /// The system acting in `org` (command-line tools, the demo seed,
    /// scheduled rules): every permission, audited as `system`.
    pub fn system(org: OrganizationId, tz: Tz, label: &str) -> Authorized {
        let principal = Principal::System {
            label: label.into(),
            on_behalf_of: None,
            feed: false,
        };
        let actor = actor_of(org, &principal, &RequestMeta::default());
        Authorized {
            org,
            tz,
            principal,
            actor,
            held: None,
        }
    }

    /// The system doing `user`'s work (the demo seed writing a care
    /// manager's note): the work is theirs, the audit trail says `system`.
    #[must_use]
    pub fn on_behalf_of(mut self, user: UserId) -> Authorized {
        if let Principal::System { on_behalf_of, .. } = &mut self.principal {
            *on_behalf_of = Some(user);
        }
        self
    }

    /// The system relaying an integration's feed: what it records is
    /// marked as coming from an integration.
    #[must_use]
    pub fn as_feed(mut self) -> Authorized {
        if let Principal::System { feed, .. } = &mut self.principal {
            *feed = true;
        }
        self
    }

    /// The organization every query is limited to.
    pub fn org(&self) -> OrganizationId {
        self.org
    }

    /// The organization's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// `now`'s date on the organization's calendar.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        shared::calendar::local_date(now, &self.tz)
    }

    /// What a request body's rules are judged against at `now`.
    pub fn context(&self, now: DateTime<Utc>) -> Context {
        Context {
            now,
            today: self.today(now),
        }
    }

    /// Whether the caller may also do `permission` (say, assign work to
    /// someone else on top of writing tasks).
    pub fn permits(&self, permission: Permission) -> bool {
        self.principal.permits(permission)
    }

    /// A 403 unless the caller may also do `permission`.
    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if self.permits(permission) {
            Ok(())
        } else {
            Err(self.principal.refusal())
        }
    }

    /// The signed-in user's id (`None` for API keys, and for the system
    /// unless it acts on someone's behalf).
    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::System { on_behalf_of, .. } => *on_behalf_of,
            Principal::ApiKey { .. } => None,
        }
    }

    /// The provider a receiving provider's key answers for: such a caller
    /// sees and moves only the referrals sent to it.
    pub fn provider_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::ApiKey { provider_id, .. } => *provider_id,
            Principal::User { .. } | Principal::System { .. } => None,
        }
    }

    /// The signed-in user's role (`None` for API keys and the system).
    pub fn role(&self) -> Option<Role> {
        match &self.principal {
            Principal::User { role, .. } => Some(*role),
            Principal::ApiKey { .. } | Principal::System { .. } => None,
        }
    }

    /// The acting user or key (the system has no id): what idempotency keys
    /// are scoped to.
    pub fn principal_id(&self) -> Option<Uuid> {
        self.actor.actor_id
    }

    /// Records made through an API key came from an integration.
    pub fn source(&self) -> Source {
        match self.principal {
            Principal::ApiKey { .. } | Principal::System { feed: true, .. } => Source::Integration,
            Principal::User { .. } | Principal::System { feed: false, .. } => Source::Manual,
        }
    }

    /// The caller as the audit trail records it.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The caller for a read: the audit events it records are held (the
    /// second half) for the group-commit writer instead of written on the
    /// read's connection (`audit::writer`).
    pub fn holding_audit(self) -> (Authorized, Held) {
        let held = Held::default();
        (
            Authorized {
                held: Some(held.clone()),
                ..self
            },
            held,
        )
    }

    /// Where this caller's audit events are held, if they are.
    pub fn held_audit(&self) -> Option<&Held> {
        self.held.as_ref()
    }
}

/// The organization's stored zone; an unknown one (impossible through the
/// API, which checks it) falls back to UTC rather than failing every request.
fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
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

/// The user an access token's claims name, with their organization's time
/// zone, if the token's sign-in is still live: checked, and its activity
/// recorded, on every request. A sign-in found over is ended here, so the
/// refresh that follows is refused for the same reason. The refusal is the
/// inner `Err`, the ending having committed. Only the ending (the sign-in and
/// its refresh tokens) is a transaction: the usual request — a live sign-in
/// recently touched — then costs one round trip, not three.
fn signed_in_user(
    conn: &mut diesel::PgConnection,
    claims: &Claims,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> ApiResult<ApiResult<(store::UserAuth, String)>> {
    let ended = || ApiError::SessionEnded("This sign-in has ended; sign in again.".into());
    let Some((user, time_zone, sign_in)) =
        store::find_session_user(conn, claims.sub.into(), claims.sid)?
    else {
        return Ok(Err(ended()));
    };
    if user.organization_id != claims.org.into() || !user.accepts_session(claims.sep) {
        return Ok(Err(ended()));
    }
    if let Err(reason) = sign_in.live_at(now, policy) {
        diesel::Connection::transaction(conn, |conn| {
            store::end_sign_in(conn, claims.sid, reason, now)
        })?;
        return Ok(Err(ApiError::SessionEnded(reason.explanation(policy))));
    }
    if sign_in.needs_touch(now, policy) {
        store::touch_sign_in(conn, claims.sid, now)?;
    }
    Ok(Ok((user, time_zone)))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let meta = RequestMeta::of(req);
        let db = req.app_data::<web::Data<Db>>().cloned();
        let keys = req.app_data::<web::Data<TokenKeys>>().cloned();
        let sessions = req.app_data::<web::Data<SessionPolicy>>().cloned();
        Box::pin(async move {
            let token = token?;
            let (Some(db), Some(keys)) = (db, keys) else {
                return Err(ApiError::internal("auth state missing from the app"));
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
                    tz: zone(&key.time_zone),
                    principal: Principal::ApiKey {
                        id: key.id,
                        name: key.name,
                        scopes: key.scopes,
                        provider_id: key.provider_id,
                    },
                    meta,
                });
            }
            let claims = keys.verify(&token).map_err(ApiError::Unauthorized)?;
            let policy = sessions.map(|p| **p).unwrap_or_default();
            let (user, time_zone) = db
                .run(move |conn| signed_in_user(conn, &claims, &policy, Utc::now()))
                .await??;
            Ok(Caller {
                org: user.organization_id,
                tz: zone(&time_zone),
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
