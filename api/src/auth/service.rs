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

use crate::audit::{self, Actor, Entry};
use crate::auth::RequestMeta;
use crate::auth::store::{self, RefreshOutcome, UserAuth};
use crate::error::{ApiError, ApiResult};

/// Why a sign-in was refused (what the audit trail records).
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// The password was wrong: the failure counts towards a lockout.
    WrongPassword,
    /// The password was right but the account is deactivated.
    Inactive,
}

/// Records a refused sign-in.
pub fn sign_in_refused(
    conn: &mut PgConnection,
    actor: &Actor,
    user: UserId,
    why: Refusal,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let reason = match why {
        Refusal::WrongPassword => {
            store::record_failed_login(conn, user, now)?;
            "wrong_password"
        }
        Refusal::Inactive => "inactive",
    };
    audit::record(
        conn,
        actor,
        Entry::new(AuditAction::AuthLoginFailed)
            .on(user)
            .details(json!({"reason": reason})),
    )?;
    Ok(())
}

/// Records a sign-in and starts its family of refresh tokens; returns the
/// first refresh token.
pub fn signed_in(
    conn: &mut PgConnection,
    actor: &Actor,
    user: &UserAuth,
    refresh_ttl: TimeDelta,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    store::record_login(conn, user.id, now)?;
    let token = store::issue_refresh_token(conn, user, Uuid::now_v7(), now, refresh_ttl)?;
    audit::record(conn, actor, Entry::new(AuditAction::AuthLogin).on(user.id))?;
    Ok(token)
}

/// Uses a refresh token: rotates it, or (when it was spent already) ends
/// its whole sign-in and audits the reuse.
pub fn refresh(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    token: &str,
    refresh_ttl: TimeDelta,
    now: DateTime<Utc>,
) -> ApiResult<RefreshOutcome> {
    let outcome = store::use_refresh_token(conn, token, now, refresh_ttl)?;
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
