//! Rate limits on password attempts (login, signature, password change), per client address
//! and per account, with the governor crate's GCRA limiter.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::AuthError;

/// Keys kept before stale ones are dropped, so that invented user names cannot grow memory.
const RETAIN_ABOVE: usize = 10_000;

pub struct Throttle {
    by_client: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Throttle {
    pub fn new(per_client_per_minute: u32, per_account_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Throttle {
            by_client: RateLimiter::keyed(quota(per_client_per_minute)),
            by_account: RateLimiter::keyed(quota(per_account_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one password attempt; refuses it when either limit is exhausted.
    pub fn check(&self, client: &str, account: &str) -> Result<(), AuthError> {
        for (limiter, key) in [(&self.by_client, client), (&self.by_account, account)] {
            if limiter.len() > RETAIN_ABOVE {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                let wait = not_until.wait_time_from(self.clock.now());
                return Err(AuthError::TooManyAttempts {
                    retry_after_seconds: wait.as_secs().max(1),
                });
            }
        }
        Ok(())
    }
}
