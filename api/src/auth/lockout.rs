//! Slowing down password guessing, per email address: five failed
//! sign-ins within 15 minutes lock the address for 15 minutes. Every
//! attempt counts as a failure *before* its password is checked (a success
//! then clears the count), so a burst of concurrent guesses cannot all be
//! evaluated. When a lock ends the count starts afresh, so a lock ends by
//! itself and one more wrong password does not re-arm it.
//!
//! The count is kept per address whether or not anyone has it, so a
//! lockout answers the same for every address and tells nothing about
//! which exist.

use chrono::{DateTime, TimeDelta, Utc};

/// Failed attempts allowed within [`WINDOW`]; the next one locks.
pub const THRESHOLD: i32 = 5;
/// How far back failures count.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// How long a lock lasts.
pub const LOCK: TimeDelta = TimeDelta::minutes(15);

/// The failures recorded for one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Attempts counted in the current window.
    pub failures: i32,
    /// When the current window began.
    pub first_failed_at: DateTime<Utc>,
    /// Locked until then, if locked.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Whether an attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password (the attempt is already counted).
    Try,
    /// Refuse without checking; retry after this many seconds.
    Locked {
        /// Seconds until the lock ends (at least 1).
        retry_after_secs: u64,
    },
}

/// Counts an attempt at `now` against `state` (none: no failures yet):
/// the state to store, and whether the attempt may go ahead.
pub fn attempt(state: Option<Throttle>, now: DateTime<Utc>) -> (Throttle, Verdict) {
    let fresh = Throttle {
        failures: 1,
        first_failed_at: now,
        locked_until: None,
    };
    let Some(state) = state else {
        return (fresh, Verdict::Try);
    };
    match state.locked_until {
        Some(until) if until > now => return (state, locked(until, now)),
        Some(_) => return (fresh, Verdict::Try),
        None => {}
    }
    if state.first_failed_at + WINDOW <= now {
        return (fresh, Verdict::Try);
    }
    let failures = state.failures + 1;
    if failures > THRESHOLD {
        let until = now + LOCK;
        let locked_state = Throttle {
            failures,
            locked_until: Some(until),
            ..state
        };
        return (locked_state, locked(until, now));
    }
    (Throttle { failures, ..state }, Verdict::Try)
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> Verdict {
    Verdict::Locked {
        retry_after_secs: u64::try_from((until - now).num_seconds())
            .unwrap_or(0)
            .max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(20_000) + TimeDelta::minutes(minutes)
    }

    /// Runs `n` attempts a second apart from minute `from`.
    fn burst(mut state: Option<Throttle>, from: i64, n: usize) -> (Option<Throttle>, Vec<Verdict>) {
        let mut verdicts = Vec::new();
        for i in 0..n {
            let now = at(from) + TimeDelta::seconds(i64::try_from(i).unwrap());
            let (next, verdict) = attempt(state, now);
            state = Some(next);
            verdicts.push(verdict);
        }
        (state, verdicts)
    }

    #[test]
    fn five_attempts_are_checked_and_the_sixth_is_refused_for_fifteen_minutes() {
        let (_, verdicts) = burst(None, 0, 6);
        assert!(verdicts[..5].iter().all(|v| *v == Verdict::Try));
        assert_eq!(
            verdicts[5],
            Verdict::Locked {
                retry_after_secs: 15 * 60
            }
        );
    }

    #[test]
    fn fifty_guesses_in_a_burst_get_only_five_checked() {
        let (_, verdicts) = burst(None, 0, 50);
        assert_eq!(verdicts.iter().filter(|v| **v == Verdict::Try).count(), 5);
    }

    #[test]
    fn attempts_while_locked_do_not_extend_the_lock() {
        let (state, _) = burst(None, 0, 6);
        let until = state.unwrap().locked_until.unwrap();
        let (state, _) = burst(state, 5, 20);
        assert_eq!(state.unwrap().locked_until, Some(until));
    }

    #[test]
    fn once_a_lock_ends_the_count_starts_afresh_so_one_more_wrong_password_does_not_re_arm_it() {
        let (state, _) = burst(None, 0, 6);
        let (state, verdicts) = burst(state, 16, 5);
        assert!(verdicts.iter().all(|v| *v == Verdict::Try));
        assert_eq!(state.unwrap().failures, 5);
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let (state, _) = burst(None, 0, 4);
        let (state, verdict) = attempt(state, at(20));
        assert_eq!((state.failures, verdict), (1, Verdict::Try));
    }
}
