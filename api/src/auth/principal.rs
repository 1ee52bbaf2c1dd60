//! Who is calling, and what they may do. The `Caller` extractor reads the
//! bearer token (an access JWT, its signature and expiry checked, or an API
//! key); `Caller::authorize` names the permission the action needs and
//! yields an [`Access`]. `Db::run_as` confirms it on the request's own
//! connection before the work runs — the sign-in still live, the user still
//! active, the key not revoked, the permission held — so a deactivated user
//! or a revoked key stops working at once, and the check costs no hop of its
//! own. What the work takes is the [`Authorized`] that comes out: every use
//! case and store function takes one, so data cannot be reached without a
//! checked permission — a missing check does not compile.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::PgConnection;
use diesel::deserialize::FromSqlRow;
use diesel::expression::QueryMetadata;
use diesel::pg::Pg;
use diesel::query_builder::{Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use futures_util::future::{Ready, ready};
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

/// The bearer of a protected route's request, before anything was looked
/// up: a signed access token (its signature and expiry already checked) or
/// an API key. The only thing it offers is [`Caller::authorize`] (and its
/// kin), which names what the action needs and yields an [`Access`].
///
/// Nothing is read from the database here. The sign-in (or the key) is
/// checked on the request's own connection, in the same hop as its work
/// ([`Db::run_as`](crate::db::Db::run_as)), so a request costs one trip to the blocking pool and
/// one checkout, not two; a sign-in ended a moment ago is still refused,
/// before any of the work runs.
#[derive(Debug, Clone)]
pub struct Caller {
    credential: Credential,
    meta: RequestMeta,
}

#[derive(Debug, Clone)]
enum Credential {
    /// An access token's claims, and the sign-in policy to judge them by.
    Session {
        claims: Box<Claims>,
        policy: SessionPolicy,
    },
    /// An API key as sent.
    ApiKey(String),
}

/// What an action needs of its caller.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// This permission.
    One(Permission),
    /// Any one of these.
    Any(&'static [Permission]),
    /// Every one of these.
    All(&'static [Permission]),
    /// Only to belong to the organization: for what every user and key may
    /// see of it (its name, time zone and holidays). Never patient data.
    Member,
}

impl Caller {
    /// The caller, to do something `permission` allows: confirmed (or
    /// refused with a 401 or 403) on the request's connection, before the
    /// work runs.
    pub fn authorize(self, permission: Permission) -> Access {
        self.needing(Need::One(permission))
    }

    /// Like [`Caller::authorize`], for a route open to callers of any of
    /// `permissions` (people reading referrals, and a provider's key
    /// answering them).
    pub fn authorize_any(self, permissions: &'static [Permission]) -> Access {
        self.needing(Need::Any(permissions))
    }

    /// Like [`Caller::authorize`], for an action that takes each of
    /// `permissions` (reading someone else's worklist).
    pub fn authorize_all(self, permissions: &'static [Permission]) -> Access {
        self.needing(Need::All(permissions))
    }

    /// For what every user and key of an organization may see of it (its
    /// name, time zone and holidays), and what a person may see of their
    /// own work: signed in is enough. Never use it for others' patient data.
    pub fn member(self) -> Access {
        self.needing(Need::Member)
    }

    /// The user the access token names (`None` for API keys), for routes
    /// about the caller themselves. Not yet confirmed: the sign-in is
    /// checked when the request's work runs.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.credential {
            Credential::Session { claims, .. } => Some(claims.sub.into()),
            Credential::ApiKey(_) => None,
        }
    }

    fn needing(self, need: Need) -> Access {
        Access { caller: self, need }
    }
}

/// A caller and what the action at hand needs of them, to be confirmed on
/// the request's connection: only [`Db::run_as`](crate::db::Db::run_as) and [`Db::tx_as`](crate::db::Db::tx_as) turn it
/// into the [`Authorized`] the work takes.
#[derive(Debug, Clone)]
pub struct Access {
    caller: Caller,
    need: Need,
}

/// Who a request's work runs as: an [`Access`], confirmed on the work's
/// connection, or an [`Authorized`] a route confirmed earlier.
pub trait Confirm: Send + 'static {
    /// The caller, confirmed on `conn`, which must not be inside a
    /// transaction: ending a sign-in found over commits even though the
    /// request then fails. A 401 for a sign-in that ended or a key unknown
    /// or revoked, a 403 for a permission the caller does not have.
    fn confirm(self, conn: &mut PgConnection) -> ApiResult<Authorized>;
}

impl Confirm for Authorized {
    fn confirm(self, _: &mut PgConnection) -> ApiResult<Authorized> {
        Ok(self)
    }
}

impl Confirm for Access {
    fn confirm(self, conn: &mut PgConnection) -> ApiResult<Authorized> {
        let Caller { credential, meta } = self.caller;
        let (org, tz, principal) = match credential {
            Credential::Session { claims, policy } => {
                let found = store::find_session_user(
                    conn,
                    claims.org.into(),
                    claims.sub.into(),
                    claims.sid,
                )?;
                session_principal(conn, found, &claims, &policy)?
            }
            Credential::ApiKey(token) => {
                let key = store::use_api_key(conn, &token, Utc::now())?.ok_or_else(|| {
                    ApiError::Unauthorized("The API key is unknown or revoked.".into())
                })?;
                let principal = Principal::ApiKey {
                    id: key.id,
                    name: key.name,
                    scopes: key.scopes,
                    provider_id: key.provider_id,
                };
                (key.organization_id, zone(&key.time_zone), principal)
            }
        };
        grant(self.need, org, tz, principal, &meta)
    }
}

/// The caller of a read whose audit events go to the group-commit writer,
/// not yet confirmed: [`Reading::load`] confirms a signed-in user in the
/// read's own statement (a key in one of its own), and no row leaves the
/// store before the caller is confirmed.
#[derive(Debug)]
pub struct Reading {
    access: Access,
    held: Held,
}

impl Reading {
    /// `access`, whose events `held` is to keep.
    pub(crate) fn new(access: Access, held: Held) -> Reading {
        Reading { access, held }
    }

    /// The caller, confirmed, and the rows of `read`, built for the caller's
    /// organization. A signed-in user's access token names it (signed), so
    /// the sign-in check and the read go as one statement
    /// (`auth::store::with_session_user`), and the rows are dropped unless
    /// the check then passes; a key is looked up first, the read after.
    pub fn load<Q, U>(
        self,
        conn: &mut PgConnection,
        read: impl FnOnce(OrganizationId) -> Q,
    ) -> ApiResult<(Authorized, Vec<U>)>
    where
        Q: Query + QueryFragment<Pg> + QueryId + for<'q> LoadQuery<'q, PgConnection, U>,
        Q::SqlType: 'static,
        Pg: QueryMetadata<Q::SqlType>,
        U: FromSqlRow<Q::SqlType, Pg> + 'static,
    {
        let Some(session) = self.session() else {
            let Reading { access, held } = self;
            let auth = access.confirm(conn)?;
            let rows = store::read_alone(conn, read(auth.org))?;
            return Ok((auth.holding(held), rows));
        };
        let rows = store::with_session_user(
            conn,
            session.org,
            session.user,
            session.sid,
            read(session.org),
        )?;
        self.confirm_beside(conn, rows)
    }

    /// The sign-in an access token names, which a statement reading for
    /// many callers at once checks beside each one's rows; `None` for a
    /// key, which is looked up on its own.
    pub fn session(&self) -> Option<SessionKey> {
        match &self.access.caller.credential {
            Credential::Session { claims, .. } => Some(SessionKey {
                org: claims.org.into(),
                user: claims.sub.into(),
                sid: claims.sid,
            }),
            Credential::ApiKey(_) => None,
        }
    }

    /// The caller, confirmed from the sign-in check found beside each of
    /// `rows` (what [`Reading::load`] reads, or a statement that read for
    /// many callers at once), and the rows, dropped unless the check
    /// passes. Without rows the sign-in or the record is missing, and the
    /// check alone tells a 401 from a read that found nothing; a key,
    /// never checked beside rows, is confirmed alone and gets none.
    pub fn confirm_beside<U>(
        self,
        conn: &mut PgConnection,
        rows: Vec<(store::SessionUser, U)>,
    ) -> ApiResult<(Authorized, Vec<U>)> {
        let Reading { access, held } = self;
        let mut rows = rows.into_iter();
        let (Credential::Session { claims, policy }, Some((found, first))) =
            (&access.caller.credential, rows.next())
        else {
            return Ok((access.confirm(conn)?.holding(held), Vec::new()));
        };
        let (org, tz, principal) = session_principal(conn, Some(found), claims, policy)?;
        let auth = grant(access.need, org, tz, principal, &access.caller.meta)?;
        let rows = std::iter::once(first)
            .chain(rows.map(|(_, row)| row))
            .collect();
        Ok((auth.holding(held), rows))
    }
}

/// The sign-in an access token names: its organization, user and id.
#[derive(Debug, Clone, Copy)]
pub struct SessionKey {
    /// The organization the token was issued in.
    pub org: OrganizationId,
    /// The signed-in user.
    pub user: UserId,
    /// The sign-in.
    pub sid: Uuid,
}

/// The user `found` for an access token's `claims`, as the principal the
/// request runs as in their organization and its time zone; refused when
/// the sign-in is over (and ended here if it ran out).
fn session_principal(
    conn: &mut PgConnection,
    found: Option<store::SessionUser>,
    claims: &Claims,
    policy: &SessionPolicy,
) -> ApiResult<(OrganizationId, Tz, Principal)> {
    let (user, time_zone) = signed_in_user(conn, found, claims, policy, Utc::now())??;
    let principal = Principal::User {
        id: user.id,
        email: user.email.clone(),
        role: user.role()?,
    };
    Ok((user.organization_id, zone(&time_zone), principal))
}

/// `principal`, acting in `org`, if it holds what the action `need`s: a 403
/// otherwise.
fn grant(
    need: Need,
    org: OrganizationId,
    tz: Tz,
    principal: Principal,
    meta: &RequestMeta,
) -> ApiResult<Authorized> {
    let allowed = match need {
        Need::One(permission) => principal.permits(permission),
        Need::Any(permissions) => permissions.iter().any(|p| principal.permits(*p)),
        Need::All(permissions) => permissions.iter().all(|p| principal.permits(*p)),
        Need::Member => true,
    };
    if !allowed {
        return Err(principal.refusal());
    }
    let actor = actor_of(org, &principal, meta);
    Ok(Authorized {
        org,
        tz,
        principal,
        actor,
        held: None,
    })
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

    /// `at` on the organization's wall clock: "Mon 3/2 14:10".
    pub fn local(&self, at: DateTime<Utc>) -> String {
        shared::calendar::wall_clock(at, &self.tz)
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

    /// The caller for a read: the audit events it records are held in
    /// `held` for the group-commit writer instead of written on the read's
    /// connection (`audit::writer`).
    #[must_use]
    pub fn holding(self, held: Held) -> Authorized {
        Authorized {
            held: Some(held),
            ..self
        }
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

/// The user an access token's claims name (`found` by the sign-in check),
/// with their organization's time zone, if the token's sign-in is still
/// live: checked, and its activity recorded, on every request. A sign-in found over is ended here, so the
/// refresh that follows is refused for the same reason. The refusal is the
/// inner `Err`, the ending having committed. Only the ending (the sign-in and
/// its refresh tokens) is a transaction: the usual request — a live sign-in
/// recently touched — then costs one round trip, not three.
fn signed_in_user(
    conn: &mut diesel::PgConnection,
    found: Option<store::SessionUser>,
    claims: &Claims,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> ApiResult<ApiResult<(store::UserAuth, String)>> {
    let ended = || ApiError::SessionEnded("This sign-in has ended; sign in again.".into());
    let Some((user, time_zone, sign_in)) = found else {
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
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

fn caller_of(req: &HttpRequest) -> ApiResult<Caller> {
    let token = bearer(req)?;
    let meta = RequestMeta::of(req);
    if token.starts_with(API_KEY_PREFIX) {
        return Ok(Caller {
            credential: Credential::ApiKey(token),
            meta,
        });
    }
    let keys = req
        .app_data::<web::Data<TokenKeys>>()
        .ok_or_else(|| ApiError::internal("auth state missing from the app"))?;
    let claims = keys.verify(&token).map_err(ApiError::Unauthorized)?;
    let policy = req
        .app_data::<web::Data<SessionPolicy>>()
        .map(|p| *p.get_ref())
        .unwrap_or_default();
    Ok(Caller {
        credential: Credential::Session {
            claims: Box::new(claims),
            policy,
        },
        meta,
    })
}
