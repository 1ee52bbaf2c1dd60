//! Slowing down password guessing: after five consecutive failures an
//! account locks for 15 minutes, doubling with each further failure up to
//! four hours. A successful login resets the count.

use chrono::TimeDelta;

/// Consecutive failures that lock an account.
pub const THRESHOLD: i32 = 5;

/// How long the account locks after `failures` consecutive failures, if at all.
pub fn lock_for(failures: i32) -> Option<TimeDelta> {
    if failures < THRESHOLD {
        return None;
    }
    let doublings = (failures - THRESHOLD).min(4);
    Some(TimeDelta::minutes(15 * (1 << doublings)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_do_not_lock() {
        for n in 0..THRESHOLD {
            assert_eq!(lock_for(n), None);
        }
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes_and_later_ones_double_up_to_four_hours() {
        assert_eq!(lock_for(5), Some(TimeDelta::minutes(15)));
        assert_eq!(lock_for(6), Some(TimeDelta::minutes(30)));
        assert_eq!(lock_for(9), Some(TimeDelta::minutes(240)));
        assert_eq!(lock_for(50), Some(TimeDelta::minutes(240)));
    }
}
