//! A token bucket per client address for login attempts. Accounts also lock after repeated
//! failures (in storage); this stops one address from trying many accounts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn per_minute(n: u32) -> Self {
        Self {
            per_minute: n.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt for the key; false when the key has none left.
    pub fn try_acquire(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.buckets.lock().expect("rate limiter lock");
        if map.len() > 100_000 {
            // Forget addresses that have refilled, so the map cannot grow without bound.
            let full = self.per_minute;
            map.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * full / 60.0 < full);
        }
        let (tokens, at) = map.entry(key.to_string()).or_insert((self.per_minute, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0)
            .min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_burst_is_cut_off_per_key() {
        let l = super::RateLimiter::per_minute(3);
        assert!(l.try_acquire("a") && l.try_acquire("a") && l.try_acquire("a"));
        assert!(!l.try_acquire("a"));
        assert!(l.try_acquire("b"));
    }
}
