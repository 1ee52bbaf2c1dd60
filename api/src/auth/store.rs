//! Credentials in the database: users as login sees them, sign-ins and
//! their refresh tokens (hashed, rotating, revocable by family), and API
//! key lookup.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::PgConnection;
use diesel::deserialize::{self, FromSqlRow, StaticallySizedRow};
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::expression::QueryMetadata;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::row::Row;
use shared::auth::{Role, Scope};
use shared::ids::{OrganizationId, UserId};
use uuid::Uuid;

use crate::auth::lockout::{self, Throttle, Verdict};
use crate::auth::sessions::{EndReason, SessionPolicy, SignIn};
use crate::auth::tokens::{digest, random_token};
use crate::error::{ApiError, ApiResult};
use crate::schema::{api_keys, login_throttle, organizations, refresh_tokens, sign_ins, users};
use crate::store::org_join;

/// A user as the sign-in check sees them on every request: without the
/// password hash, which only login reads ([`Login`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserAuth {
    /// User id.
    #[diesel(deserialize_as = Uuid)]
    pub id: UserId,
    /// Organization.
    #[diesel(deserialize_as = Uuid)]
    pub organization_id: OrganizationId,
    /// Login email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Whether the user may sign in.
    pub active: bool,
    /// Current session epoch.
    pub session_epoch: i32,
}

/// A user as login sees them: the user and the password hash to verify.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Login {
    /// The user.
    #[diesel(embed)]
    pub user: UserAuth,
    /// PHC password hash.
    pub password_hash: String,
}

impl UserAuth {
    /// The role.
    pub fn role(&self) -> ApiResult<Role> {
        self.role.parse().map_err(ApiError::internal)
    }

    /// Whether a token of session epoch `sep` is still good for this user.
    pub fn accepts_session(&self, sep: i32) -> bool {
        self.active && sep == self.session_epoch
    }
}

/// The user with `id`.
pub fn find_user(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<UserAuth>> {
    users::table
        .find(id.get())
        .select(UserAuth::as_select())
        .first(conn)
        .optional()
}

/// A signed-in user as the sign-in check finds them: the user, their
/// organization's time zone and the sign-in.
pub type SessionUser = (UserAuth, String, SignIn);

/// The user with `id` in `org`, their organization's time zone and their
/// sign-in `sid`: what every request with an access token needs, in one
/// round trip.
pub fn find_session_user(
    conn: &mut PgConnection,
    org: OrganizationId,
    id: UserId,
    sid: Uuid,
) -> QueryResult<Option<SessionUser>> {
    // At most one row: a sign-in's id is its key.
    let rows: Vec<(UserAuth, String, SignInRow)> = session_user(org, id, sid).load(conn)?;
    Ok(rows.into_iter().next().map(found))
}

/// [`find_session_user`] and the rows of `read` in one statement, each row
/// beside the user (`SELECT c.*, r.* FROM (check) c, (read) r`): a read
/// that names its organization before the caller is confirmed (an access
/// token carries it, signed) saves the check its own round trip. Both
/// halves keep to `org`, so a database sharded by organization runs the
/// statement on one node. No row comes back when either half finds none;
/// the caller then tells which.
pub fn with_session_user<Q, U>(
    conn: &mut PgConnection,
    org: OrganizationId,
    id: UserId,
    sid: Uuid,
    read: Q,
) -> QueryResult<Vec<(SessionUser, U)>>
where
    Q: Query + QueryFragment<Pg> + QueryId,
    Pg: QueryMetadata<Q::SqlType>,
    Q::SqlType: 'static,
    U: FromSqlRow<Q::SqlType, Pg> + 'static,
{
    let rows: Vec<Beside<U>> = BesideCaller {
        caller: session_user(org, id, sid),
        read,
    }
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|Beside(user, row)| (found(user), row))
        .collect())
}

/// The rows of `read` alone, for a caller confirmed in a statement of its
/// own (an API key): what [`with_session_user`] sends beside the check.
pub fn read_alone<Q, U>(conn: &mut PgConnection, read: Q) -> QueryResult<Vec<U>>
where
    Q: for<'q> LoadQuery<'q, PgConnection, U>,
{
    read.load(conn)
}

/// The SQL types of the sign-in check's columns.
pub type SessionUserSql = SqlTypeOf<SessionUserColumns>;

/// How many columns the sign-in check selects.
pub const SESSION_USER_COLUMNS: usize = columns::<UserAuth>() + 1 + columns::<SignInRow>();

/// The sign-in check's columns as they come back: [`found`] makes them a
/// [`SessionUser`].
pub type SessionUserRow = (UserAuth, String, SignInRow);

/// The sign-in check's columns as SQL, for a statement that joins
/// `sign_ins`, `users` and `organizations` on its own terms (a batch of
/// reads, `patients::store::read_many`). Rendered by diesel from the same
/// selection [`find_session_user`] loads, so the columns and their order
/// are the ones a [`SessionUserRow`] decodes.
pub fn session_user_select_sql() -> QueryResult<String> {
    crate::store::render_sql(&session_user_columns())
}

/// A row of [`BesideCaller`]: the sign-in check's columns, then the read's.
/// Decoded by hand because diesel's own tuples ask of the read's row type a
/// bound (`CompatibleType`) it keeps private, which generic code cannot
/// state; this asks only that the read's row decode its own columns.
struct Beside<U>((UserAuth, String, SignInRow), U);

/// How many columns `T` selects.
const fn columns<T>() -> usize
where
    T: Selectable<Pg> + StaticallySizedRow<SqlTypeOf<T::SelectExpression>, Pg>,
{
    T::FIELD_COUNT
}

impl<U, ST> FromSqlRow<(SessionUserSql, ST), Pg> for Beside<U>
where
    U: FromSqlRow<ST, Pg>,
{
    fn build_from_row<'a>(row: &impl Row<'a, Pg>) -> deserialize::Result<Self> {
        type Caller = (UserAuth, String, SignInRow);
        let split = SESSION_USER_COLUMNS;
        // `partial_row` is what diesel's own tuples decode their parts with.
        let caller =
            <Caller as FromSqlRow<SessionUserSql, Pg>>::build_from_row(&row.partial_row(0..split))?;
        let read = U::build_from_row(&row.partial_row(split..row.field_count()))?;
        Ok(Beside(caller, read))
    }
}

/// The sign-in check's statement: the sign-in `sid` of user `id`, in `org`.
fn session_user(
    org: OrganizationId,
    id: UserId,
    sid: Uuid,
) -> impl Query<SqlType = SqlTypeOf<SessionUserColumns>>
+ QueryFragment<Pg>
+ QueryId
+ for<'q> LoadQuery<'q, PgConnection, (UserAuth, String, SignInRow)> {
    sign_ins::table
        .inner_join(org_join!(users, sign_ins, users::id.eq(sign_ins::user_id)))
        .inner_join(organizations::table.on(organizations::id.eq(users::organization_id)))
        .filter(sign_ins::organization_id.eq(org.get()))
        .filter(sign_ins::id.eq(sid))
        .filter(users::id.eq(id.get()))
        .select(session_user_columns())
}

type SessionUserColumns = (
    AsSelect<UserAuth, Pg>,
    organizations::time_zone,
    AsSelect<SignInRow, Pg>,
);

fn session_user_columns() -> SessionUserColumns {
    (
        UserAuth::as_select(),
        organizations::time_zone,
        SignInRow::as_select(),
    )
}

/// The signed-in user a row of the sign-in check describes.
pub fn found((user, tz, sign_in): SessionUserRow) -> SessionUser {
    (user, tz, sign_in.into())
}

/// `SELECT c.*, r.* FROM (caller) c, (read) r`: two complete queries as one
/// statement, a row of `caller` beside each row of `read`. Its text is fixed
/// when both halves' are, so Postgres prepares and plans it once per
/// connection like any other cached statement. The rows keep the read's
/// `ORDER BY`: a join without a condition can only be a nested loop, and
/// the caller's side is one row (a sign-in's key).
struct BesideCaller<C, Q> {
    caller: C,
    read: Q,
}

impl<C: Query, Q: Query> Query for BesideCaller<C, Q> {
    type SqlType = (C::SqlType, Q::SqlType);
}

impl<C: QueryId, Q: QueryId> QueryId for BesideCaller<C, Q> {
    type QueryId = BesideCaller<C::QueryId, Q::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID && Q::HAS_STATIC_QUERY_ID;
}

impl<C: QueryFragment<Pg>, Q: QueryFragment<Pg>> QueryFragment<Pg> for BesideCaller<C, Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT c.*, r.* FROM (");
        self.caller.walk_ast(out.reborrow())?;
        out.push_sql(") c, (");
        self.read.walk_ast(out.reborrow())?;
        out.push_sql(") r");
        Ok(())
    }
}

impl<C, Q> RunQueryDsl<PgConnection> for BesideCaller<C, Q> {}

/// What the sign-in check reads of a sign-in.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sign_ins)]
pub struct SignInRow {
    last_active_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    end_reason: Option<String>,
}

impl From<SignInRow> for SignIn {
    fn from(row: SignInRow) -> SignIn {
        SignIn {
            last_active_at: row.last_active_at,
            expires_at: row.expires_at,
            // A reason this build does not know still means "ended".
            ended: row
                .end_reason
                .map(|r| r.parse().unwrap_or(EndReason::SessionsEnded)),
        }
    }
}

/// Starts a sign-in for `user` at `now`; its id is also the family of its
/// refresh tokens and the `sid` of its access tokens.
pub fn start_sign_in(
    conn: &mut PgConnection,
    user: &UserAuth,
    now: DateTime<Utc>,
    policy: &SessionPolicy,
) -> QueryResult<(Uuid, DateTime<Utc>)> {
    let id = Uuid::now_v7();
    let expires_at = now + policy.lifetime;
    diesel::insert_into(sign_ins::table)
        .values((
            sign_ins::id.eq(id),
            sign_ins::organization_id.eq(user.organization_id.get()),
            sign_ins::user_id.eq(user.id.get()),
            sign_ins::started_at.eq(now),
            sign_ins::last_active_at.eq(now),
            sign_ins::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok((id, expires_at))
}

/// Records activity on sign-in `sid`.
pub fn touch_sign_in(conn: &mut PgConnection, sid: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(sign_ins::table.find(sid))
        .set(sign_ins::last_active_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Ends sign-in `sid` (if still open) for `reason`, with its refresh tokens.
pub fn end_sign_in(
    conn: &mut PgConnection,
    sid: Uuid,
    reason: EndReason,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        sign_ins::table
            .find(sid)
            .filter(sign_ins::ended_at.is_null()),
    )
    .set((
        sign_ins::ended_at.eq(now),
        sign_ins::end_reason.eq(reason.as_ref()),
    ))
    .execute(conn)?;
    revoke_family(conn, sid, now)
}

/// The user whose login is `email` (case-insensitive), with their password
/// hash.
pub fn find_user_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<Login>> {
    users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(Login::as_select())
        .first(conn)
        .optional()
}

/// The organization's name.
pub fn organization_name(conn: &mut PgConnection, org: OrganizationId) -> QueryResult<String> {
    organizations::table
        .find(org.get())
        .select(organizations::name)
        .first(conn)
}

/// Counts a sign-in attempt for the address with `email_digest` before
/// its password is checked, and says whether it may be. Call inside a
/// transaction: the row lock makes concurrent attempts count one by one.
pub fn claim_attempt(
    conn: &mut PgConnection,
    email_digest: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<Verdict> {
    diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::email_digest.eq(email_digest),
            login_throttle::failures.eq(0),
            login_throttle::first_failed_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let (failures, first_failed_at, locked_until) = login_throttle::table
        .find(email_digest)
        .select((
            login_throttle::failures,
            login_throttle::first_failed_at,
            login_throttle::locked_until,
        ))
        .for_update()
        .first::<(i32, DateTime<Utc>, Option<DateTime<Utc>>)>(conn)?;
    let before = (failures > 0).then_some(Throttle {
        failures,
        first_failed_at,
        locked_until,
    });
    let (after, verdict) = lockout::attempt(before, now);
    diesel::update(login_throttle::table.find(email_digest))
        .set((
            login_throttle::failures.eq(after.failures),
            login_throttle::first_failed_at.eq(after.first_failed_at),
            login_throttle::locked_until.eq(after.locked_until),
        ))
        .execute(conn)?;
    Ok(verdict)
}

/// Forgets the failures of an address after a successful sign-in.
pub fn clear_attempts(conn: &mut PgConnection, email_digest: &[u8]) -> QueryResult<()> {
    diesel::delete(login_throttle::table.find(email_digest))
        .execute(conn)
        .map(drop)
}

/// Records a successful login.
pub fn record_login(conn: &mut PgConnection, id: UserId, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(users::table.find(id.get()))
        .set(users::last_login_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Ends every session of a user: access tokens stop working (the session
/// epoch moves on) and refresh tokens are revoked.
pub fn end_sessions(conn: &mut PgConnection, user: UserId, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(users::table.find(user.get()))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    diesel::update(
        sign_ins::table
            .filter(sign_ins::user_id.eq(user.get()))
            .filter(sign_ins::ended_at.is_null()),
    )
    .set((
        sign_ins::ended_at.eq(now),
        sign_ins::end_reason.eq(EndReason::SessionsEnded.as_ref()),
    ))
    .execute(conn)?;
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user.get()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(drop)
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken {
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: Vec<u8>,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Issues a refresh token in `family` (the sign-in's id), good until
/// `expires_at`, and returns the secret; only its hash is stored.
pub fn issue_refresh_token(
    conn: &mut PgConnection,
    user: &UserAuth,
    family: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<String> {
    let token = random_token(32);
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            id: Uuid::now_v7(),
            organization_id: user.organization_id.get(),
            user_id: user.id.get(),
            family_id: family,
            token_hash: digest(&token),
            issued_at: now,
            expires_at,
        })
        .execute(conn)?;
    Ok(token)
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// The token was good; here is its successor and the user.
    Rotated {
        /// The user.
        user: Box<UserAuth>,
        /// The sign-in.
        sid: Uuid,
        /// The new refresh token.
        token: String,
    },
    /// Unknown, expired, revoked, or the user can no longer sign in; the
    /// reason, when it is that the sign-in ended.
    Refused(Option<EndReason>),
    /// The token had already been used: its family is now revoked.
    Reused {
        /// The user whose token it was.
        user: UserId,
        /// Their organization.
        org: OrganizationId,
    },
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct RefreshRow {
    id: Uuid,
    user_id: Uuid,
    organization_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Uses a refresh token: rotates it, or detects its reuse, or finds its
/// sign-in over (ending it, if that is news). Call inside a transaction;
/// the row is locked so two racing refreshes cannot both win. A refresh is
/// not activity: it does not move the sign-in's idle clock.
pub fn use_refresh_token(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
    ttl: TimeDelta,
    policy: &SessionPolicy,
) -> QueryResult<RefreshOutcome> {
    let Some(row) = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select(RefreshRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
    else {
        return Ok(RefreshOutcome::Refused(None));
    };
    let sign_in: Option<SignIn> = sign_ins::table
        .find(row.family_id)
        .select(SignInRow::as_select())
        .first::<SignInRow>(conn)
        .optional()?
        .map(SignIn::from);
    let Some(sign_in) = sign_in else {
        return Ok(RefreshOutcome::Refused(None));
    };
    if let Err(reason) = sign_in.live_at(now, policy) {
        end_sign_in(conn, row.family_id, reason, now)?;
        return Ok(RefreshOutcome::Refused(Some(reason)));
    }
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(RefreshOutcome::Refused(None));
    }
    if row.used_at.is_some() {
        end_sign_in(conn, row.family_id, EndReason::RefreshTokenReused, now)?;
        return Ok(RefreshOutcome::Reused {
            user: row.user_id.into(),
            org: row.organization_id.into(),
        });
    }
    diesel::update(refresh_tokens::table.find(row.id))
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)?;
    match find_user(conn, row.user_id.into())? {
        Some(user) if user.active => {
            let expires_at = (now + ttl).min(sign_in.expires_at);
            let token = issue_refresh_token(conn, &user, row.family_id, now, expires_at)?;
            Ok(RefreshOutcome::Rotated {
                user: Box::new(user),
                sid: row.family_id,
                token,
            })
        }
        _ => Ok(RefreshOutcome::Refused(None)),
    }
}

fn revoke_family(conn: &mut PgConnection, family: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// Ends the sign-in of `token` (logout), its access tokens with it; the
/// user and organization, if the token was known.
pub fn revoke_refresh_token(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<(UserId, OrganizationId)>> {
    let row: Option<(Uuid, Uuid, Uuid)> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select((
            refresh_tokens::family_id,
            refresh_tokens::user_id,
            refresh_tokens::organization_id,
        ))
        .first(conn)
        .optional()?;
    match row {
        Some((family, user, org)) => {
            end_sign_in(conn, family, EndReason::SignedOut, now)?;
            Ok(Some((user.into(), org.into())))
        }
        None => Ok(None),
    }
}

/// An API key as authentication sees it.
#[derive(Debug, Clone)]
pub struct KeyAuth {
    /// Key id.
    pub id: Uuid,
    /// Organization.
    pub organization_id: OrganizationId,
    /// The organization's time zone.
    pub time_zone: String,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<Scope>,
    /// The provider a `referrals:respond` key answers for.
    pub provider_id: Option<Uuid>,
}

/// A live key as read: id, organization, its time zone, name and scopes.
type KeyRow = (
    Uuid,
    Uuid,
    String,
    String,
    Vec<Option<String>>,
    Option<Uuid>,
);

/// Looks up a live API key by its secret and notes the use (at most once a
/// minute, so busy integrations do not turn every read into a write).
pub fn use_api_key(
    conn: &mut PgConnection,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<KeyAuth>> {
    let row: Option<KeyRow> = api_keys::table
        .inner_join(organizations::table)
        .filter(api_keys::key_hash.eq(digest(key)))
        .filter(api_keys::revoked_at.is_null())
        .select((
            api_keys::id,
            api_keys::organization_id,
            organizations::time_zone,
            api_keys::name,
            api_keys::scopes,
            api_keys::provider_id,
        ))
        .first(conn)
        .optional()?;
    let Some((id, organization_id, time_zone, name, scopes, provider_id)) = row else {
        return Ok(None);
    };
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(now - TimeDelta::minutes(1))),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)?;
    let scopes = scopes
        .into_iter()
        .flatten()
        .map(|s| s.parse::<Scope>().map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Some(KeyAuth {
        id,
        organization_id: organization_id.into(),
        time_zone,
        name,
        scopes,
        provider_id,
    }))
}
