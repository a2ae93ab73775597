//! A limit on login attempts, per email and per client address.
//!
//! Password guessing is slowed two ways: one account cannot be tried more
//! than `per_email` times in a window from anywhere (credential stuffing
//! against one victim), and one client cannot make more than `per_address`
//! attempts in a window whatever emails it names (spraying one password over
//! many accounts). Every attempt counts, right or wrong: counting only
//! failures would need a second call after the password check and would let
//! a slow login race past the limit.
//!
//! The window slides: an attempt stops counting exactly `window` after it was
//! made, and the retry-after handed back is the time until the oldest
//! counted attempt drops out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::validate::normalize_email;

/// When the map holds more keys than this, idle keys are dropped.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    Address(IpAddr),
}

/// Counts login attempts; share one across the host's handlers.
pub struct LoginThrottle {
    per_email: usize,
    per_address: usize,
    window: Duration,
    max_keys: usize,
    /// For each key, the times of its attempts still inside the window,
    /// oldest first (never more than that key's limit).
    attempts: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// Allows `per_email` attempts per email and `per_address` attempts per
    /// client address in any `window`. A limit of 0 is taken as 1.
    pub fn new(per_email: u32, per_address: u32, window: Duration) -> Self {
        Self {
            per_email: per_email.max(1) as usize,
            per_address: per_address.max(1) as usize,
            window,
            max_keys: DEFAULT_MAX_KEYS,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Caps the number of emails and addresses tracked at once (default
    /// [`DEFAULT_MAX_KEYS`]), which bounds memory under a flood of made-up
    /// emails. Past the cap, keys whose attempts have all left the window go
    /// first; if that is not enough, the least recently tried keys do.
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// Records a login attempt for `email` from `address` if both are under
    /// their limits; otherwise records nothing and returns how long to wait
    /// (for a `Retry-After` header).
    ///
    /// The email is normalized like [`normalize_email`]. IPv6 addresses are
    /// counted per /64 network, since one client usually holds a whole /64;
    /// IPv4-mapped IPv6 addresses count as their IPv4 address.
    pub fn check(&self, email: &str, address: IpAddr) -> Result<(), Duration> {
        self.check_at(Instant::now(), email, address)
    }

    /// [`check`](Self::check) as if the clock read `now` (for tests).
    pub fn check_at(&self, now: Instant, email: &str, address: IpAddr) -> Result<(), Duration> {
        let email_key = Key::Email(normalize_email(email));
        let address_key = Key::Address(address_bucket(address));
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());

        let email_wait = self.wait(&mut map, &email_key, self.per_email, now);
        let address_wait = self.wait(&mut map, &address_key, self.per_address, now);
        if let Some(wait) = email_wait.into_iter().chain(address_wait).max() {
            return Err(wait);
        }

        map.entry(email_key).or_default().push_back(now);
        map.entry(address_key).or_default().push_back(now);
        if map.len() > self.max_keys {
            self.shrink(&mut map, now);
        }
        Ok(())
    }

    /// Drops `key`'s attempts that left the window, and says how long until
    /// it may try again if it is at its limit.
    fn wait(
        &self,
        map: &mut HashMap<Key, VecDeque<Instant>>,
        key: &Key,
        limit: usize,
        now: Instant,
    ) -> Option<Duration> {
        let times = map.get_mut(key)?;
        while times.front().is_some_and(|&t| now.saturating_duration_since(t) >= self.window) {
            times.pop_front();
        }
        if times.len() < limit {
            return None;
        }
        let oldest = *times.front()?;
        // Positive: the oldest attempt is younger than the window.
        Some(self.window - now.saturating_duration_since(oldest))
    }

    /// Brings the map back under its cap: idle keys first, then, if a flood
    /// of live keys remains, the least recently tried ones.
    fn shrink(&self, map: &mut HashMap<Key, VecDeque<Instant>>, now: Instant) {
        map.retain(|_, times| times.back().is_some_and(|&t| now.saturating_duration_since(t) < self.window));
        // Down to 90 % of the cap, so this O(n) pass runs at most once per
        // tenth of the cap of new keys, even when a flood keeps every key live.
        let keep = self.max_keys - self.max_keys / 10;
        if map.len() <= keep {
            return;
        }
        let mut latest: Vec<Instant> = map.values().filter_map(|t| t.back().copied()).collect();
        let evict = latest.len() - keep;
        let (_, &mut cutoff, _) = latest.select_nth_unstable(evict - 1);
        let mut left = evict;
        map.retain(|_, times| {
            if left > 0 && times.back().is_some_and(|&t| t <= cutoff) {
                left -= 1;
                false
            } else {
                true
            }
        });
    }

    /// How many emails and addresses are tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.attempts.lock().unwrap().len()
    }
}

/// The unit an address is counted in: itself for IPv4, its /64 for IPv6.
fn address_bucket(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(60);

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn allows_n_per_email_then_refuses_with_retry_after() {
        let t = LoginThrottle::new(3, 100, WINDOW);
        let t0 = Instant::now();
        for i in 0..3 {
            let now = t0 + Duration::from_secs(i * 10);
            assert_eq!(t.check_at(now, "kim@example.com", ip("10.0.0.1")), Ok(()));
        }
        // 4th attempt at t0+25s: the first (t0) leaves the window at t0+60s.
        let refused = t.check_at(t0 + Duration::from_secs(25), "kim@example.com", ip("10.0.0.2"));
        assert_eq!(refused, Err(Duration::from_secs(35)));
        // Same email in other case and spacing is the same account.
        assert!(t.check_at(t0 + Duration::from_secs(25), " KIM@example.com", ip("10.0.0.3")).is_err());
        // Another email is unaffected.
        assert_eq!(t.check_at(t0 + Duration::from_secs(25), "lee@example.com", ip("10.0.0.1")), Ok(()));
    }

    #[test]
    fn allows_n_per_address_whatever_the_email() {
        let t = LoginThrottle::new(100, 2, WINDOW);
        let t0 = Instant::now();
        assert_eq!(t.check_at(t0, "a@example.com", ip("192.0.2.7")), Ok(()));
        assert_eq!(t.check_at(t0, "b@example.com", ip("192.0.2.7")), Ok(()));
        assert_eq!(
            t.check_at(t0 + Duration::from_secs(1), "c@example.com", ip("192.0.2.7")),
            Err(Duration::from_secs(59))
        );
        // Another address may still try that email.
        assert_eq!(t.check_at(t0 + Duration::from_secs(1), "c@example.com", ip("192.0.2.8")), Ok(()));
    }

    #[test]
    fn refused_attempts_do_not_extend_the_wait() {
        let t = LoginThrottle::new(1, 100, WINDOW);
        let t0 = Instant::now();
        assert!(t.check_at(t0, "a@example.com", ip("10.0.0.1")).is_ok());
        for s in 1..50 {
            assert!(t.check_at(t0 + Duration::from_secs(s), "a@example.com", ip("10.0.0.1")).is_err());
        }
        assert!(t.check_at(t0 + WINDOW, "a@example.com", ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn recovers_after_the_window() {
        let t = LoginThrottle::new(2, 2, WINDOW);
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(t.check_at(at(0), "a@example.com", ip("10.0.0.1")).is_ok());
        assert!(t.check_at(at(30), "a@example.com", ip("10.0.0.1")).is_ok());
        assert_eq!(t.check_at(at(59), "a@example.com", ip("10.0.0.1")), Err(Duration::from_secs(1)));
        // The window slides: at 60 s the first attempt is out, the second not.
        assert!(t.check_at(at(60), "a@example.com", ip("10.0.0.1")).is_ok());
        assert_eq!(t.check_at(at(61), "a@example.com", ip("10.0.0.1")), Err(Duration::from_secs(29)));
        assert!(t.check_at(at(200), "a@example.com", ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn retry_after_is_the_longer_of_both_limits() {
        let t = LoginThrottle::new(1, 1, WINDOW);
        let t0 = Instant::now();
        assert!(t.check_at(t0, "a@example.com", ip("10.0.0.1")).is_ok());
        assert!(t.check_at(t0 + Duration::from_secs(20), "b@example.com", ip("10.0.0.2")).is_ok());
        // Email a (free at 60 s) from address .2 (free at 80 s).
        assert_eq!(
            t.check_at(t0 + Duration::from_secs(30), "a@example.com", ip("10.0.0.2")),
            Err(Duration::from_secs(50))
        );
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let t = LoginThrottle::new(100, 1, WINDOW);
        let t0 = Instant::now();
        assert!(t.check_at(t0, "a@example.com", ip("2001:db8:1:2::1")).is_ok());
        assert!(t.check_at(t0, "b@example.com", ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(t.check_at(t0, "b@example.com", ip("2001:db8:1:3::1")).is_ok());
        // An IPv4-mapped address is its IPv4 address.
        assert!(t.check_at(t0, "c@example.com", ip("198.51.100.1")).is_ok());
        assert!(t.check_at(t0, "d@example.com", ip("::ffff:198.51.100.1")).is_err());
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_emails() {
        let t = LoginThrottle::new(5, u32::MAX, WINDOW).with_max_keys(1000);
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            let now = t0 + Duration::from_millis(u64::from(i));
            assert!(t.check_at(now, &format!("u{i}@example.com"), ip("10.0.0.1")).is_ok());
            assert!(t.tracked() <= 1000, "{} keys after {i}", t.tracked());
        }
        // The most recent keys survived eviction and are still counted.
        let now = t0 + Duration::from_millis(10_000);
        for _ in 0..4 {
            assert!(t.check_at(now, "u9999@example.com", ip("10.0.0.2")).is_ok());
        }
        assert!(t.check_at(now, "u9999@example.com", ip("10.0.0.2")).is_err());
        // Once the window has passed, idle keys are pruned wholesale.
        let later = now + WINDOW * 2;
        for i in 0..1000u32 {
            let _ = t.check_at(later, &format!("v{i}@example.com"), ip("10.0.0.3"));
        }
        assert!(t.tracked() <= 1000);
    }

    #[test]
    fn concurrent_checks_never_exceed_the_limit() {
        let t = std::sync::Arc::new(LoginThrottle::new(50, 1000, WINDOW));
        let allowed: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let t = t.clone();
                    s.spawn(move || (0..20).filter(|_| t.check("a@example.com", ip("10.0.0.1")).is_ok()).count())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(allowed, 50);
    }
}
