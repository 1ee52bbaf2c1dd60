//! The sign-in use cases. Checking a password is deliberately slow, so it
//! runs between these steps, never while a database connection is held:
//! the handler looks the user up, verifies the password off the async
//! workers, then records the outcome here.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::PgConnection;
use serde_json::json;
use shared::audit::AuditAction;
use shared::auth::Me;
use shared::ids::UserId;
use uuid::Uuid;

use crate::audit::{self, Entry};
use crate::auth::RequestMeta;
use crate::auth::lockout::Verdict;
use crate::auth::sessions::SessionPolicy;
use crate::auth::store::{self, Login, RefreshOutcome, UserAuth};
use crate::auth::tokens::digest;
use crate::error::{ApiError, ApiResult};

/// Why a sign-in was refused (what the audit trail records; the caller
/// hears the same 401 for each but `Locked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No one has the email.
    UnknownEmail,
    /// The password was wrong.
    WrongPassword,
    /// The password was right but the account is deactivated.
    Inactive,
    /// Too many failures for this email: refused without checking.
    Locked,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::UnknownEmail => "unknown_email",
            Refusal::WrongPassword => "wrong_password",
            Refusal::Inactive => "inactive",
            Refusal::Locked => "locked",
        }
    }
}

/// The email as logins compare it.
pub fn login_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Starts a sign-in for `email`: counts the attempt (before any password
/// is checked, so concurrent guesses count one by one) and finds the user
/// with their password hash.
pub fn begin_sign_in(
    conn: &mut PgConnection,
    email: &str,
    now: DateTime<Utc>,
) -> ApiResult<(Verdict, Option<Login>)> {
    let verdict = store::claim_attempt(conn, &digest(email), now)?;
    let user = store::find_user_by_email(conn, email)?;
    Ok((verdict, user))
}

/// Records a refused sign-in, of a known user or of an email no one has.
pub fn sign_in_refused(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    email: &str,
    user: Option<&UserAuth>,
    why: Refusal,
) -> ApiResult<()> {
    let (actor, entry) = match user {
        Some(u) => (
            meta.user_actor(u.organization_id, u.id, Some(&u.email)),
            Entry::new(AuditAction::AuthLoginFailed).on(u.id),
        ),
        None => (
            meta.stranger(email),
            Entry::new(AuditAction::AuthLoginFailed),
        ),
    };
    audit::record(conn, &actor, entry.details(json!({"reason": why.code()})))?;
    Ok(())
}

/// Records a sign-in, forgets the email's failures and starts the sign-in
/// with its first refresh token; returns the sign-in's id and that token.
pub fn signed_in(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    user: &UserAuth,
    refresh_ttl: TimeDelta,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> ApiResult<(Uuid, String)> {
    store::clear_attempts(conn, &digest(&login_email(&user.email)))?;
    store::record_login(conn, user.id, now)?;
    let (sid, ends_at) = store::start_sign_in(conn, user, now, policy)?;
    let expires_at = (now + refresh_ttl).min(ends_at);
    let token = store::issue_refresh_token(conn, user, sid, now, expires_at)?;
    let actor = meta.user_actor(user.organization_id, user.id, Some(&user.email));
    audit::record(
        conn,
        &actor,
        Entry::new(AuditAction::AuthLogin)
            .on(user.id)
            .details(json!({"sign_in": sid})),
    )?;
    Ok((sid, token))
}

/// Uses a refresh token: rotates it, or (when it was spent already) ends
/// its whole sign-in and audits the reuse.
pub fn refresh(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    token: &str,
    refresh_ttl: TimeDelta,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> ApiResult<RefreshOutcome> {
    let outcome = store::use_refresh_token(conn, token, now, refresh_ttl, policy)?;
    if let RefreshOutcome::Reused { user, org } = &outcome {
        audit::record(
            conn,
            &meta.user_actor(*org, *user, None),
            Entry::new(AuditAction::AuthRefreshReused).on(user),
        )?;
    }
    Ok(outcome)
}

/// Ends the sign-in a refresh token belongs to (an unknown token is no error).
pub fn sign_out(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    token: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some((user, org)) = store::revoke_refresh_token(conn, token, now)? {
        audit::record(
            conn,
            &meta.user_actor(org, user, None),
            Entry::new(AuditAction::AuthLogout).on(user),
        )?;
    }
    Ok(())
}

/// The signed-in user's profile.
pub fn me(conn: &mut PgConnection, user: UserId) -> ApiResult<Me> {
    let user = store::find_user(conn, user)?.ok_or_else(|| ApiError::not_found("user"))?;
    let organization_name = store::organization_name(conn, user.organization_id)?;
    Ok(Me {
        id: user.id,
        role: user.role()?,
        email: user.email,
        name: user.name,
        organization_id: user.organization_id,
        organization_name,
    })
}
