//! What stands between a flood of sign-in attempts and everyone else: a
//! per-client-address rate limit, checked before any work, and a cap on
//! how many passwords are hashed at once. Argon2 at OWASP's cost takes
//! 19 MiB and a core's worth of time per attempt; without the cap a flood
//! of logins (for real or made-up addresses alike) would take every core
//! and starve the requests of people at work.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{ApiError, ApiResult};

/// How long an attempt waits for a hashing slot before it is turned away.
const HASH_WAIT: Duration = Duration::from_secs(5);

/// Addresses remembered before idle ones are forgotten.
const REMEMBERED_ADDRESSES: usize = 10_000;

/// The sign-in guard, shared by every worker.
pub struct LoginGuard {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    hashing: Semaphore,
}

impl LoginGuard {
    /// At most `per_minute` attempts a minute from one address (all of
    /// them at once if need be), and `concurrent_hashes` passwords hashed
    /// at a time.
    pub fn new(per_minute: NonZeroU32, concurrent_hashes: usize) -> LoginGuard {
        LoginGuard {
            per_address: RateLimiter::keyed(Quota::per_minute(per_minute)),
            clock: DefaultClock::default(),
            hashing: Semaphore::new(concurrent_hashes.max(1)),
        }
    }

    /// A 429 with `Retry-After` when `address` has used up its attempts.
    pub fn admit(&self, address: Option<IpAddr>) -> ApiResult<()> {
        let Some(address) = address else {
            return Ok(());
        };
        if self.per_address.len() > REMEMBERED_ADDRESSES {
            self.per_address.retain_recent();
        }
        self.per_address.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::TooManyRequests {
                detail: "Too many sign-in attempts from this address; wait a moment and try again."
                    .into(),
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// A slot to hash one password in, held until dropped; a 503 with
    /// `Retry-After` when none frees up in time.
    pub async fn hashing_slot(&self) -> ApiResult<SemaphorePermit<'_>> {
        match tokio::time::timeout(HASH_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(ApiError::internal(closed)),
            Err(_) => Err(ApiError::Unavailable(
                "sign-in is saturated: no password-hashing slot freed up in time".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_quota_then_a_429_with_a_retry_time() {
        let guard = LoginGuard::new(NonZeroU32::new(3).unwrap(), 1);
        let me = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            guard.admit(me).unwrap();
        }
        match guard.admit(me) {
            Err(ApiError::TooManyRequests {
                retry_after_secs, ..
            }) => assert!((1..=60).contains(&retry_after_secs)),
            other => panic!("{other:?}"),
        }
        guard.admit(Some(IpAddr::from([10, 0, 0, 2]))).unwrap();
    }

    #[actix_rt::test]
    async fn hashing_slots_are_capped_and_freed_on_drop() {
        let guard = LoginGuard::new(NonZeroU32::new(3).unwrap(), 1);
        let slot = guard.hashing_slot().await.unwrap();
        assert_eq!(guard.hashing.available_permits(), 0);
        drop(slot);
        assert_eq!(guard.hashing.available_permits(), 1);
    }
}
