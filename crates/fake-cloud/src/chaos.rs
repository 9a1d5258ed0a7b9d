//! Deterministic trouble: per-product token-bucket quotas and random faults drawn from a
//! seeded PRNG.
//!
//! Every routed request consumes exactly two draws, in arrival order, whatever happens to it
//! afterwards (auth failure, throttling): one picks the fault (drop with probability `p_drop`,
//! else a 5xx with probability `p_5xx`), the other decides whether the fault strikes before
//! the request is carried out or after (`after_apply`: the deletion happened but the client
//! never hears so — the ambiguous case). So a given seed and request order always give the
//! same faults. The token buckets run on the server's monotonic clock.

use certdel::provider::Kind;
use std::collections::HashMap;

/// A token bucket's shape: refill `rate` tokens per second, hold at most `burst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    pub rate: f64,
    pub burst: f64,
}

impl Quota {
    /// Parse `RATE` or `RATE:BURST` (burst defaults to the rate, at least 1).
    pub fn parse(s: &str) -> Result<Quota, String> {
        let (rate, burst) = match s.split_once(':') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let rate: f64 = rate
            .parse()
            .map_err(|_| format!("quota '{s}': rate is not a number"))?;
        let burst: f64 = match burst {
            Some(b) => b
                .parse()
                .map_err(|_| format!("quota '{s}': burst is not a number"))?,
            None => rate.max(1.0),
        };
        if !(rate.is_finite() && rate > 0.0 && burst.is_finite() && burst >= 1.0) {
            return Err(format!("quota '{s}': rate must be > 0 and burst >= 1"));
        }
        Ok(Quota { rate, burst })
    }
}

/// Probabilities of injected faults, each in [0, 1].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    /// A vendor-shaped internal error (HTTP 500; Tencent: `InternalError` in an HTTP 200).
    pub p_5xx: f64,
    /// The connection is closed without an answer.
    pub p_drop: f64,
    /// Of the injected faults, the fraction that strike after the request was carried out.
    pub after_apply: f64,
}

/// A classic token bucket; time is passed in (seconds on any monotonic scale) so tests need
/// no clock.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    quota: Quota,
    tokens: f64,
    last: Option<f64>,
}

impl TokenBucket {
    /// Starts full.
    pub fn new(quota: Quota) -> TokenBucket {
        TokenBucket {
            quota,
            tokens: quota.burst,
            last: None,
        }
    }

    /// Take one token at time `now`; `false` when the bucket is empty (throttle).
    pub fn take(&mut self, now: f64) -> bool {
        if let Some(last) = self.last {
            let elapsed = (now - last).max(0.0);
            self.tokens = (self.tokens + elapsed * self.quota.rate).min(self.quota.burst);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform for a given seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Injected {
    ServerError,
    Drop,
}

impl Injected {
    pub fn name(self) -> &'static str {
        match self {
            Injected::ServerError => "5xx",
            Injected::Drop => "drop",
        }
    }
}

/// The fault (if any) one request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw {
    pub fault: Option<Injected>,
    pub after_apply: bool,
}

pub struct Chaos {
    rng: Rng,
    faults: Faults,
    buckets: HashMap<Kind, (Quota, TokenBucket)>,
}

impl Chaos {
    pub fn new(seed: u64, faults: Faults, quotas: &HashMap<Kind, Quota>) -> Chaos {
        Chaos {
            rng: Rng::new(seed),
            faults,
            buckets: quotas
                .iter()
                .map(|(k, q)| (*k, (*q, TokenBucket::new(*q))))
                .collect(),
        }
    }

    /// The next request's fault: always two draws.
    pub fn draw(&mut self) -> Draw {
        let pick = self.rng.unit();
        let when = self.rng.unit();
        let fault = if pick < self.faults.p_drop {
            Some(Injected::Drop)
        } else if pick < self.faults.p_drop + self.faults.p_5xx {
            Some(Injected::ServerError)
        } else {
            None
        };
        Draw {
            fault,
            after_apply: fault.is_some() && when < self.faults.after_apply,
        }
    }

    /// Take a token for `kind` at time `now`; the quota when the request must be throttled.
    pub fn take(&mut self, kind: Kind, now: f64) -> Option<Quota> {
        let (quota, bucket) = self.buckets.get_mut(&kind)?;
        (!bucket.take(now)).then_some(*quota)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_refills_at_rate() {
        let mut b = TokenBucket::new(Quota {
            rate: 10.0,
            burst: 3.0,
        });
        assert!(b.take(0.0) && b.take(0.0) && b.take(0.0));
        assert!(!b.take(0.0), "burst exhausted");
        assert!(!b.take(0.05), "half a token after 50 ms");
        assert!(b.take(0.1), "one token after 100 ms");
        assert!(!b.take(0.1));
        // A long pause refills only up to the burst.
        assert!(b.take(100.0) && b.take(100.0) && b.take(100.0));
        assert!(!b.take(100.0));
    }

    #[test]
    fn bucket_sustains_exactly_the_rate() {
        // Binary fractions keep the arithmetic exact: 8 tokens/s, a request every 1/64 s.
        let mut b = TokenBucket::new(Quota {
            rate: 8.0,
            burst: 1.0,
        });
        let allowed = (0..1000).filter(|i| b.take(*i as f64 / 64.0)).count();
        // The initial token, then one every 8 requests: steps 8, 16, ..., 992.
        assert_eq!(allowed, 1 + 999 / 8);
    }

    #[test]
    fn quota_parsing() {
        assert_eq!(
            Quota::parse("10").unwrap(),
            Quota {
                rate: 10.0,
                burst: 10.0
            }
        );
        assert_eq!(
            Quota::parse("0.5").unwrap(),
            Quota {
                rate: 0.5,
                burst: 1.0
            }
        );
        assert_eq!(
            Quota::parse("2:5").unwrap(),
            Quota {
                rate: 2.0,
                burst: 5.0
            }
        );
        assert!(Quota::parse("0").is_err());
        assert!(Quota::parse("x").is_err());
        assert!(Quota::parse("1:0.5").is_err());
    }

    #[test]
    fn draws_are_deterministic_per_seed() {
        let faults = Faults {
            p_5xx: 0.2,
            p_drop: 0.1,
            after_apply: 0.5,
        };
        let run = |seed| {
            let mut c = Chaos::new(seed, faults, &HashMap::new());
            (0..500).map(|_| c.draw()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let draws = run(7);
        let drops = draws
            .iter()
            .filter(|d| d.fault == Some(Injected::Drop))
            .count();
        let errors = draws
            .iter()
            .filter(|d| d.fault == Some(Injected::ServerError))
            .count();
        let after = draws.iter().filter(|d| d.after_apply).count();
        // Roughly the configured shares (the seed fixes the exact counts).
        assert!((30..=70).contains(&drops), "{drops}");
        assert!((70..=130).contains(&errors), "{errors}");
        assert!(after > 0 && after < drops + errors, "{after}");
        assert!(draws.iter().all(|d| d.fault.is_some() || !d.after_apply));
    }

    #[test]
    fn no_faults_by_default_and_quota_per_product() {
        let mut quotas = HashMap::new();
        quotas.insert(
            Kind::TencentSsl,
            Quota {
                rate: 1.0,
                burst: 1.0,
            },
        );
        let mut c = Chaos::new(1, Faults::default(), &quotas);
        assert!((0..100).all(|_| c.draw().fault.is_none()));
        assert_eq!(c.take(Kind::TencentSsl, 0.0), None);
        assert_eq!(
            c.take(Kind::TencentSsl, 0.0),
            Some(Quota {
                rate: 1.0,
                burst: 1.0
            })
        );
        assert_eq!(c.take(Kind::HuaweiScm, 0.0), None, "no quota: unlimited");
    }

    #[test]
    fn splitmix_reference_values() {
        // SplitMix64 with seed 0: the first outputs of the reference implementation.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
