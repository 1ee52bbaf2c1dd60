//! The signed-in session. The access token lives in memory only; the
//! refresh token in `localStorage`, so a reload or a new tab stays signed in.
//!
//! Refresh tokens are single-use and rotate: presenting one twice ends the
//! whole session. So renewals are single-flight — one at a time in this tab
//! (everyone else waits for the same renewal), and one at a time across tabs
//! (a short lock in `localStorage`; the refresh token is re-read under it).
//! The access token is renewed a little before it expires, before a request
//! when it is about to expire, and once after a 401.
//!
//! The middle of the SPA's one-way stack `transport → session → client →
//! state`: it sends through [`crate::transport`] and tells the app that the
//! session ended through a listener the app registers ([`on_end`]), so it
//! never imports the app state that imports it.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, Shared};
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use leptos::task::spawn_local;
use shared::auth::{LoginRequest, RefreshRequest, TokenResponse};
use shared::problem::ProblemKind;

use crate::transport::{self, Answer, ApiError, Method};

/// `localStorage` key of the refresh token.
pub const REFRESH_KEY: &str = "caremgr.refresh_token";
/// `localStorage` key of the cross-tab renewal lock.
const LOCK_KEY: &str = "caremgr.refresh_lock";
/// A token expiring sooner than this is renewed before it is used.
pub const RENEW_BEFORE_USE_MS: f64 = 30_000.0;
/// How long a tab may hold the renewal lock.
const LOCK_TTL_MS: f64 = 10_000.0;

/// When a token issued at `now_ms` that lives `expires_in_secs` expires.
pub fn expires_at_ms(now_ms: f64, expires_in_secs: i64) -> f64 {
    // A token lives minutes to hours: any plausible life fits in a u32.
    let secs = u32::try_from(expires_in_secs.max(0)).unwrap_or(u32::MAX);
    now_ms + f64::from(secs) * 1000.0
}

/// How long to wait before renewing a fresh token proactively: a minute
/// before it expires, or a quarter of its life for short-lived tokens, but
/// never sooner than five seconds.
pub fn renew_delay_ms(expires_in_secs: i64) -> u32 {
    let life = expires_in_secs.max(0) * 1000;
    let lead = (life / 4).min(60_000);
    u32::try_from((life - lead).max(5_000)).unwrap_or(u32::MAX)
}

/// What to tell someone the server would no longer serve: its own reason
/// when it ended the sign-in (inactivity, the daily limit, a sign-out
/// elsewhere), else that the session has ended.
pub fn ended_notice(refusal: &ApiError) -> String {
    if refusal.is(ProblemKind::SessionEnded) {
        refusal.message()
    } else {
        "Your session has ended. Please sign in again.".into()
    }
}

/// Whether a token expiring at `expires_at_ms` must be renewed before use at `now_ms`.
pub fn needs_renewal(now_ms: f64, expires_at_ms: f64) -> bool {
    expires_at_ms - now_ms < RENEW_BEFORE_USE_MS
}

/// The lock value a tab writes: `<tab>:<until>`.
pub fn lock_value(tab: &str, until_ms: f64) -> String {
    format!("{tab}:{}", until_ms.trunc())
}

/// Whether `value` (from storage) is a lock another tab holds at `now_ms`.
pub fn locked_by_other(value: &str, tab: &str, now_ms: f64) -> bool {
    match value.rsplit_once(':') {
        Some((owner, until)) => {
            owner != tab && until.parse::<f64>().is_ok_and(|until| until > now_ms)
        }
        None => false,
    }
}

/// Only `/…` paths inside this app (not `//host`), so a crafted link cannot
/// send someone elsewhere after signing in. Anything else means the patient list.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.starts_with("/login") =>
        {
            n.to_string()
        }
        // `/` is each role's home: the worklist for care managers and
        // supervisors, the patient list for everyone else.
        _ => "/".to_string(),
    }
}

struct Access {
    token: String,
    expires_at_ms: f64,
}

type Renewal = Shared<LocalBoxFuture<'static, Result<(), ApiError>>>;

/// Who is told when the session ends without the person signing out.
type EndListener = Rc<dyn Fn(Option<String>)>;

#[derive(Default)]
struct State {
    access: Option<Access>,
    renewal: Option<Renewal>,
    timer: Option<Timeout>,
    on_end: Option<EndListener>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::default();
    static TAB: String = format!("{}", (js_sys::Math::random() * 1e15).trunc());
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn stored(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn unstore(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Whether this browser holds a refresh token (a session may be resumed).
pub fn has_refresh_token() -> bool {
    stored(REFRESH_KEY).is_some()
}

fn keep(tokens: TokenResponse) {
    store(REFRESH_KEY, &tokens.refresh_token);
    let timer = Timeout::new(renew_delay_ms(tokens.expires_in), || {
        spawn_local(async {
            // A failure either ended the session (handled) or was transient:
            // the next request renews again.
            let _ = renew().await;
        });
    });
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.access = Some(Access {
            token: tokens.access_token,
            expires_at_ms: expires_at_ms(now_ms(), tokens.expires_in),
        });
        s.timer = Some(timer);
    });
}

fn forget() {
    unstore(REFRESH_KEY);
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.access = None;
        s.timer = None;
    });
}

/// Registers who hears that the session ended without the person signing
/// out (refresh token refused or gone), with the notice to show them. The
/// app state registers itself once at start-up; a later call replaces it.
pub fn on_end(listener: impl Fn(Option<String>) + 'static) {
    STATE.with(|s| s.borrow_mut().on_end = Some(Rc::new(listener)));
}

/// Ends the session locally (tokens forgotten), tells the app, and gives the
/// error to return.
pub fn end(notice: Option<String>) -> ApiError {
    forget();
    // Cloned out first: the listener may well touch the session again.
    if let Some(listener) = STATE.with(|s| s.borrow().on_end.clone()) {
        listener(notice);
    }
    ApiError::SignedOut
}

/// Signs in; on success the tokens are kept and renewal is scheduled.
pub async fn sign_in(email: &str, password: &str) -> Result<(), ApiError> {
    let body = transport::json(&LoginRequest {
        email: email.trim().to_string(),
        password: password.to_string(),
    })?;
    let answer = transport::send(Method::Post, "/api/v1/auth/login", Some(&body), None, None)
        .await?
        .success()?;
    keep(answer.decode::<TokenResponse>()?);
    Ok(())
}

/// Sends a request as the signed-in user: renews the access token when it
/// is about to expire, and once more (then retries once) on a 401. Any
/// other error answer becomes its problem.
pub async fn request(
    method: Method,
    path: &str,
    body: Option<String>,
    if_match: Option<i32>,
) -> Result<Answer, ApiError> {
    let token = access_token().await?;
    let mut answer = transport::send(method, path, body.as_deref(), Some(&token), if_match).await?;
    if answer.status == 401 {
        renew_after_rejection(&token).await?;
        let token = access_token().await?;
        answer = transport::send(method, path, body.as_deref(), Some(&token), if_match).await?;
        if answer.status == 401 {
            return Err(end(Some(ended_notice(&answer.problem()))));
        }
    }
    answer.success()
}

/// Signs out: forgets the tokens and revokes the refresh token on the server.
pub async fn sign_out() {
    let refresh_token = stored(REFRESH_KEY);
    forget();
    let body = refresh_token
        .and_then(|refresh_token| serde_json::to_string(&RefreshRequest { refresh_token }).ok());
    if let Some(body) = body {
        // Signing out locally has happened; a failed revocation only leaves
        // a token the server expires on its own.
        let _ = transport::send(Method::Post, "/api/v1/auth/logout", Some(&body), None, None).await;
    }
}

fn current_token(fresh_only: bool) -> Option<String> {
    STATE.with(|s| {
        s.borrow().access.as_ref().and_then(|a| {
            (!fresh_only || !needs_renewal(now_ms(), a.expires_at_ms)).then(|| a.token.clone())
        })
    })
}

/// A usable access token, renewing first when it is missing or about to expire.
async fn access_token() -> Result<String, ApiError> {
    if let Some(token) = current_token(true) {
        return Ok(token);
    }
    renew().await?;
    current_token(false).ok_or(ApiError::SignedOut)
}

/// After the server refused `rejected`: renews, unless another request has
/// renewed since (then the new token is simply used).
async fn renew_after_rejection(rejected: &str) -> Result<(), ApiError> {
    match current_token(true) {
        Some(token) if token != rejected => Ok(()),
        _ => renew().await,
    }
}

/// Renews the tokens; concurrent callers share one renewal.
pub async fn renew() -> Result<(), ApiError> {
    let renewal = STATE.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(r) = &s.renewal {
            r.clone()
        } else {
            let r = renew_now().boxed_local().shared();
            s.renewal = Some(r.clone());
            r
        }
    });
    renewal.await
}

async fn renew_now() -> Result<(), ApiError> {
    acquire_lock().await;
    let result = exchange_refresh_token().await;
    release_lock();
    STATE.with(|s| s.borrow_mut().renewal = None);
    result
}

async fn exchange_refresh_token() -> Result<(), ApiError> {
    // Read under the lock: another tab may have rotated it a moment ago.
    let Some(refresh_token) = stored(REFRESH_KEY) else {
        return Err(end(None));
    };
    let body = transport::json(&RefreshRequest { refresh_token })?;
    let answer = transport::send(
        Method::Post,
        "/api/v1/auth/refresh",
        Some(&body),
        None,
        None,
    )
    .await?;
    match answer.status {
        200 => {
            keep(answer.decode::<TokenResponse>()?);
            Ok(())
        }
        400 | 401 | 403 | 422 => Err(end(Some(ended_notice(&answer.problem())))),
        _ => Err(answer.problem()),
    }
}

async fn acquire_lock() {
    let tab = TAB.with(Clone::clone);
    for _ in 0..48 {
        let held = stored(LOCK_KEY).is_some_and(|v| locked_by_other(&v, &tab, now_ms()));
        if !held {
            store(LOCK_KEY, &lock_value(&tab, now_ms() + LOCK_TTL_MS));
            return;
        }
        TimeoutFuture::new(250).await;
    }
}

fn release_lock() {
    let tab = TAB.with(Clone::clone);
    if stored(LOCK_KEY).is_some_and(|v| v.starts_with(&format!("{tab}:"))) {
        unstore(LOCK_KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_the_server_ended_is_explained_in_the_servers_words() {
        let idle = ApiError::of_kind(
            ProblemKind::SessionEnded,
            "Your sign-in has ended",
            "You were signed out after 30 minutes without activity; sign in again.",
        );
        assert!(ended_notice(&idle).contains("30 minutes without activity"));
        let unknown = ApiError::of_kind(ProblemKind::Unauthorized, "Authentication required", "x");
        assert_eq!(
            ended_notice(&unknown),
            "Your session has ended. Please sign in again."
        );
    }

    #[test]
    fn a_fifteen_minute_token_is_renewed_a_minute_before_it_expires() {
        assert_eq!(renew_delay_ms(900), 840_000);
    }

    #[test]
    fn short_tokens_are_renewed_after_three_quarters_of_their_life_but_not_in_a_loop() {
        assert_eq!(renew_delay_ms(120), 90_000);
        assert_eq!(renew_delay_ms(4), 5_000);
        assert_eq!(renew_delay_ms(0), 5_000);
        assert_eq!(renew_delay_ms(-3), 5_000);
    }

    #[test]
    fn tokens_close_to_expiry_are_renewed_before_use() {
        let at = expires_at_ms(1_000_000.0, 900);
        assert!((at - 1_900_000.0).abs() < f64::EPSILON);
        assert!(!needs_renewal(1_000_000.0, at));
        assert!(!needs_renewal(at - 31_000.0, at));
        assert!(needs_renewal(at - 29_000.0, at));
        assert!(needs_renewal(at + 1.0, at));
    }

    #[test]
    fn only_another_tabs_unexpired_lock_makes_a_tab_wait() {
        let v = lock_value("a1", 5_000.0);
        assert_eq!(v, "a1:5000");
        assert!(locked_by_other(&v, "b2", 4_000.0));
        assert!(!locked_by_other(&v, "b2", 6_000.0));
        assert!(!locked_by_other(&v, "a1", 4_000.0));
        assert!(!locked_by_other("garbage", "b2", 0.0));
    }

    #[test]
    fn after_sign_in_only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/patients/42?x=1")), "/patients/42?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/login?next=/x")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
