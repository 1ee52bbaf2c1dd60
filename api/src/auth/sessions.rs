//! How long a sign-in lives (HIPAA §164.312(a)(2)(iii), automatic logoff):
//! it ends after its absolute lifetime (12 hours unless configured) and
//! after a stretch without activity (30 minutes unless configured). The
//! server enforces both on every request and every token refresh; renewing
//! an access token is not activity, so an unattended screen that keeps
//! renewing in the background is still signed out.

use chrono::{DateTime, TimeDelta, Utc};

/// How long sign-ins live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// From sign-in to the end, whatever happens.
    pub lifetime: TimeDelta,
    /// Without activity, the sign-in ends after this.
    pub idle: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            lifetime: TimeDelta::hours(12),
            idle: TimeDelta::minutes(30),
        }
    }
}

impl SessionPolicy {
    /// How stale the recorded last activity may get before a request
    /// records it again: often enough that inactivity is measured to
    /// within a quarter of the idle timeout, rarely enough that reads do
    /// not each become a write.
    pub fn touch_after(&self) -> TimeDelta {
        (self.idle / 4).min(TimeDelta::minutes(1))
    }
}

/// Why a sign-in ended (stored as its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum EndReason {
    /// The user signed out.
    SignedOut,
    /// No activity for the idle timeout.
    Idle,
    /// Its absolute lifetime ran out.
    Expired,
    /// A spent refresh token was presented again (someone copied it).
    RefreshTokenReused,
    /// An administrator deactivated the user or changed their password.
    SessionsEnded,
}

impl EndReason {
    /// What the person is told when their next request is refused.
    pub fn explanation(self, policy: &SessionPolicy) -> String {
        match self {
            EndReason::SignedOut => "You signed out; sign in again.".into(),
            EndReason::Idle => format!(
                "You were signed out after {} minutes without activity; sign in again.",
                policy.idle.num_minutes()
            ),
            EndReason::Expired => format!(
                "Your sign-in reached its {}-hour limit; sign in again.",
                policy.lifetime.num_hours()
            ),
            EndReason::RefreshTokenReused => {
                "Your sign-in was ended because its refresh token was used twice; sign in again."
                    .into()
            }
            EndReason::SessionsEnded => {
                "Your sign-in was ended by a change to your account; sign in again.".into()
            }
        }
    }
}

/// A sign-in as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignIn {
    /// Last recorded activity.
    pub last_active_at: DateTime<Utc>,
    /// The absolute end.
    pub expires_at: DateTime<Utc>,
    /// Why it ended, if it has.
    pub ended: Option<EndReason>,
}

impl SignIn {
    /// Whether it is still live at `now`: `Err` says why not.
    pub fn live_at(&self, now: DateTime<Utc>, policy: &SessionPolicy) -> Result<(), EndReason> {
        if let Some(reason) = self.ended {
            return Err(reason);
        }
        if now >= self.expires_at {
            return Err(EndReason::Expired);
        }
        if now - self.last_active_at >= policy.idle {
            return Err(EndReason::Idle);
        }
        Ok(())
    }

    /// Whether a request at `now` should record activity.
    pub fn needs_touch(&self, now: DateTime<Utc>, policy: &SessionPolicy) -> bool {
        now - self.last_active_at >= policy.touch_after()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(20_000) + TimeDelta::minutes(minutes)
    }

    fn started_at_zero() -> SignIn {
        SignIn {
            last_active_at: at(0),
            expires_at: at(12 * 60),
            ended: None,
        }
    }

    #[test]
    fn a_sign_in_lives_while_active_and_ends_after_thirty_idle_minutes() {
        let policy = SessionPolicy::default();
        let s = started_at_zero();
        assert_eq!(s.live_at(at(29), &policy), Ok(()));
        assert_eq!(s.live_at(at(30), &policy), Err(EndReason::Idle));
    }

    #[test]
    fn activity_cannot_keep_a_sign_in_past_its_twelve_hours() {
        let policy = SessionPolicy::default();
        let s = SignIn {
            last_active_at: at(12 * 60 - 1),
            ..started_at_zero()
        };
        assert_eq!(s.live_at(at(12 * 60 - 1), &policy), Ok(()));
        assert_eq!(s.live_at(at(12 * 60), &policy), Err(EndReason::Expired));
    }

    #[test]
    fn an_ended_sign_in_stays_ended_for_the_reason_it_ended() {
        let s = SignIn {
            ended: Some(EndReason::SignedOut),
            ..started_at_zero()
        };
        assert_eq!(
            s.live_at(at(1), &SessionPolicy::default()),
            Err(EndReason::SignedOut)
        );
    }

    #[test]
    fn activity_is_recorded_at_most_once_a_minute() {
        let policy = SessionPolicy::default();
        let s = started_at_zero();
        assert!(!s.needs_touch(at(0) + TimeDelta::seconds(59), &policy));
        assert!(s.needs_touch(at(1), &policy));
        let short = SessionPolicy {
            idle: TimeDelta::seconds(8),
            ..policy
        };
        assert_eq!(short.touch_after(), TimeDelta::seconds(2));
    }

    #[test]
    fn the_explanations_name_the_configured_limits() {
        let policy = SessionPolicy::default();
        assert!(EndReason::Idle.explanation(&policy).contains("30 minutes"));
        assert!(EndReason::Expired.explanation(&policy).contains("12-hour"));
    }
}
