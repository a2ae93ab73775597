//! Request rates per API key: a token bucket (GCRA, `governor`) per key,
//! with the key's own rate or the server's default.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// `N/s`, `N/m` or `N/h`: N requests per period, in bursts of up to N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let hint = || format!("`{s}` is not a rate; write requests per second, minute or hour, e.g. `20/s`, `600/m`");
        let (count, unit) = s.trim().split_once('/').ok_or_else(hint)?;
        let count = count.trim().parse::<u32>().ok().and_then(NonZeroU32::new).ok_or_else(hint)?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(hint()),
        };
        Ok(Self { count, per })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "m",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl Rate {
    fn quota(self) -> Quota {
        let period = self.per / self.count.get();
        Quota::with_period(period.max(Duration::from_nanos(1))).expect("a positive period").allow_burst(self.count)
    }
}

/// One bucket per key, made on the key's first request.
pub struct RateLimits {
    default: Option<Rate>,
    buckets: Mutex<HashMap<String, (Rate, Arc<DefaultDirectRateLimiter>)>>,
    clock: DefaultClock,
}

impl RateLimits {
    /// `default`: the rate of keys without their own; `None` = unlimited.
    pub fn new(default: Option<Rate>) -> Self {
        Self { default, buckets: Mutex::new(HashMap::new()), clock: DefaultClock::default() }
    }

    /// Take one request from the key's bucket; `Err(wait)` when it is empty.
    pub fn check(&self, key_id: &str, own: Option<Rate>) -> Result<(), Duration> {
        let Some(rate) = own.or(self.default) else { return Ok(()) };
        let limiter = {
            let mut buckets = self.buckets.lock().expect("rate buckets");
            let entry = buckets
                .entry(key_id.to_string())
                .or_insert_with(|| (rate, Arc::new(RateLimiter::direct(rate.quota()))));
            // The key's rate changed (re-read from the store): start a new bucket.
            if entry.0 != rate {
                *entry = (rate, Arc::new(RateLimiter::direct(rate.quota())));
            }
            entry.1.clone()
        };
        limiter.check().map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print_back() {
        let r: Rate = "20/s".parse().unwrap();
        assert_eq!((r.count.get(), r.per), (20, Duration::from_secs(1)));
        assert_eq!(r.to_string(), "20/s");
        assert_eq!("600 / m".parse::<Rate>().unwrap().to_string(), "600/m");
        for bad in ["", "20", "0/s", "x/s", "5/d", "-1/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_while_other_keys_do_not() {
        let limits = RateLimits::new(Some("3/h".parse().unwrap()));
        for _ in 0..3 {
            assert!(limits.check("a", None).is_ok());
        }
        let wait = limits.check("a", None).unwrap_err();
        assert!(wait > Duration::from_secs(60) && wait <= Duration::from_secs(1200), "{wait:?}");
        assert!(limits.check("b", None).is_ok(), "buckets are per key");
        assert!(limits.check("a", Some("100/s".parse().unwrap())).is_ok(), "a key's own rate replaces the default");
    }

    #[test]
    fn without_a_default_keys_without_a_rate_are_unlimited() {
        let limits = RateLimits::new(None);
        assert!((0..1000).all(|_| limits.check("a", None).is_ok()));
    }
}
