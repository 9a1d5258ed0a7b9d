//! Pacing and backoff: keep the whole run at the provider's quota, slow everyone down when
//! the provider throttles, and space retries with exponential backoff ([`Backoff`]) plus
//! jitter from a [`Jitter`] source (a seeded [`SplitMix64`], so tests can fix every wait).

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A shared schedule of send slots `interval` apart. Throttling widens the interval for
/// everybody (and honours the server's retry hint); each success narrows it back towards
/// the configured rate.
pub struct Pacer {
    state: Mutex<State>,
}

struct State {
    base: Duration,
    interval: Duration,
    next: Instant,
    /// When the rate was last halved: the requests already in flight then were sent at the
    /// old rate, so their throttling answers must not halve it again.
    slowed_at: Option<Instant>,
}

/// Throttling answers within this long of a halving count as the same congestion event
/// (every vendor here counts its quota per second).
const CONGESTION_EPOCH: Duration = Duration::from_secs(1);

/// The slowest certdel will go when throttled repeatedly: one request every 5 s.
const SLOWEST: Duration = Duration::from_secs(5);

/// The widest slot spacing a rate can ask for: 100 s, the spacing of `--rate 0.01`.
const WIDEST: Duration = Duration::from_secs(100);

/// `t + d`, or an instant decades away when that sum does not fit: a deadline or a pause
/// that far out never comes, and computing it must not panic.
pub fn later(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .or_else(|| t.checked_add(Duration::from_secs(30 * 365 * 86_400)))
        .unwrap_or(t)
}

impl Pacer {
    /// Slots `1/rate` seconds apart; a rate that is not a positive number, or is slower than
    /// one request every 100 s, gets the 100 s spacing.
    pub fn new(rate: f64) -> Pacer {
        let base = if rate.is_finite() && rate > 0.0 {
            Duration::try_from_secs_f64(1.0 / rate)
                .unwrap_or(WIDEST)
                .min(WIDEST)
        } else {
            WIDEST
        };
        Pacer {
            state: Mutex::new(State {
                base,
                interval: base,
                next: Instant::now(),
                slowed_at: None,
            }),
        }
    }

    /// Claim the next send slot and return when it comes.
    pub fn claim(&self) -> Instant {
        let mut s = self.state.lock().expect("pacer lock");
        let now = Instant::now();
        let slot = s.next.max(now);
        s.next = later(slot, s.interval);
        slot
    }

    pub async fn wait(&self) {
        tokio::time::sleep_until(self.claim()).await;
    }

    /// The provider throttled us: halve the rate (once per congestion event), and pause all
    /// sends until the hint passes.
    pub fn throttled(&self, hint: Option<Duration>) {
        let mut s = self.state.lock().expect("pacer lock");
        let now = Instant::now();
        if s.slowed_at
            .is_none_or(|t| now.duration_since(t) >= CONGESTION_EPOCH)
        {
            s.interval = s.interval.saturating_mul(2).min(SLOWEST.max(s.base));
            s.slowed_at = Some(now);
        }
        let pause = hint.unwrap_or(s.interval);
        let resume = later(now, pause);
        if s.next < resume {
            s.next = resume;
        }
    }

    /// A request went through: creep back towards the configured rate.
    pub fn succeeded(&self) {
        let mut s = self.state.lock().expect("pacer lock");
        if s.interval > s.base {
            s.interval = (s.interval.mul_f64(0.9)).max(s.base);
        }
    }

    pub fn interval(&self) -> Duration {
        self.state.lock().expect("pacer lock").interval
    }
}

/// Exponential backoff: retry `n` (1-based) waits `base` × 2^(n-1), at most `cap`, times a
/// jitter factor in [0.5, 1.0] so that parallel retries do not stay in lockstep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first retry's wait before jitter. Default 250 ms.
    pub base: Duration,
    /// The longest wait before jitter. Default 8 s.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The wait before retry `n` (1-based), with `jitter` (in [0, 1]; anything else counts as
    /// 1) choosing the factor: 0 gives half the step, 1 the whole step.
    pub fn delay(&self, n: u32, jitter: f64) -> Duration {
        let step = self
            .base
            .saturating_mul(1u32 << n.saturating_sub(1).min(31))
            .min(self.cap);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            1.0
        };
        // `try_`: a step near `Duration::MAX` must not panic on the way through f64.
        Duration::try_from_secs_f64(step.as_secs_f64() * (0.5 + 0.5 * jitter)).unwrap_or(step)
    }
}

/// Exponential backoff for retry `n` (1-based): 250 ms × 2^(n-1), at most 8 s, with jitter
/// in [d/2, d] so that parallel retries do not stay in lockstep.
pub fn backoff(n: u32) -> Duration {
    Backoff::default().delay(n, SplitMix64::from_entropy().unit())
}

/// Where backoff jitter comes from: each call gives a number in [0, 1]. A run uses a
/// [`SplitMix64`] seeded from the operating system; tests use a fixed seed, or a closure
/// returning fixed numbers, so that every wait is known.
pub trait Jitter: Send {
    fn unit(&mut self) -> f64;
}

impl<F: FnMut() -> f64 + Send> Jitter for F {
    fn unit(&mut self) -> f64 {
        self()
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014; the generator `java.util.SplittableRandom` and the
/// xoshiro authors' seeding use): a 64-bit state stepped by a constant and mixed. Far from
/// cryptographic, and plenty to spread retries apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn seeded(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// Seeded from the operating system's entropy source; where there is none, from the
    /// process id (jitter still spreads the tasks of one run, which share one generator).
    pub fn from_entropy() -> SplitMix64 {
        let mut b = [0u8; 8];
        let seed = match getrandom::getrandom(&mut b) {
            Ok(()) => u64::from_le_bytes(b),
            Err(_) => u64::from(std::process::id()),
        };
        SplitMix64::seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Jitter for SplitMix64 {
    /// The top 53 bits as a fraction in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate() {
        let p = Pacer::new(10.0);
        let t0 = p.claim();
        let t1 = p.claim();
        let t2 = p.claim();
        assert_eq!(t1 - t0, Duration::from_millis(100));
        assert_eq!(t2 - t1, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_slows_everyone_and_success_recovers() {
        let p = Pacer::new(10.0);
        p.claim();
        p.throttled(Some(Duration::from_secs(2)));
        assert_eq!(p.interval(), Duration::from_millis(200));
        let slot = p.claim();
        assert!(slot >= Instant::now() + Duration::from_secs(2));
        for _ in 0..50 {
            p.succeeded();
        }
        assert_eq!(p.interval(), Duration::from_millis(100));
        // A burst of throttling answers to requests already in flight is one event.
        tokio::time::advance(CONGESTION_EPOCH).await;
        for _ in 0..20 {
            p.throttled(None);
        }
        assert_eq!(p.interval(), Duration::from_millis(200));
        // Throttled again a congestion epoch later: halve again, down to the floor.
        for _ in 0..20 {
            tokio::time::advance(CONGESTION_EPOCH).await;
            p.throttled(None);
        }
        assert_eq!(p.interval(), SLOWEST);
    }

    #[tokio::test(start_paused = true)]
    async fn any_rate_and_any_hint_are_safe() {
        // Rates no flag lets through must still give a pacer, not a panic.
        for rate in [
            1e-300,
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ] {
            let p = Pacer::new(rate);
            assert_eq!(p.interval(), WIDEST, "{rate}");
            p.claim();
            p.claim();
        }
        assert_eq!(Pacer::new(1e300).interval(), Duration::ZERO);
        let p = Pacer::new(10.0);
        p.throttled(Some(Duration::MAX));
        assert!(p.claim() > Instant::now() + Duration::from_secs(86_400));
        p.claim();
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > now + Duration::from_secs(365 * 86_400));
        assert_eq!(
            later(now, Duration::from_secs(2)),
            now + Duration::from_secs(2)
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for _ in 0..20 {
            let b1 = backoff(1);
            assert!(
                b1 >= Duration::from_millis(125) && b1 <= Duration::from_millis(250),
                "{b1:?}"
            );
            let b3 = backoff(3);
            assert!(
                b3 >= Duration::from_millis(500) && b3 <= Duration::from_millis(1000),
                "{b3:?}"
            );
            assert!(backoff(30) <= Duration::from_secs(8));
        }
    }

    #[test]
    fn backoff_steps_and_jitter_are_exact() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 1.0), Duration::from_millis(250));
        assert_eq!(b.delay(1, 0.0), Duration::from_millis(125));
        assert_eq!(b.delay(2, 1.0), Duration::from_millis(500));
        assert_eq!(b.delay(3, 0.5), Duration::from_millis(750));
        assert_eq!(b.delay(6, 1.0), Duration::from_secs(8));
        assert_eq!(b.delay(u32::MAX, 0.0), Duration::from_secs(4));
        // Retry 0 is treated as the first; jitter out of range or not a number counts as 1.
        assert_eq!(b.delay(0, 1.0), Duration::from_millis(250));
        for odd in [f64::NAN, f64::INFINITY, 7.0] {
            assert!(b.delay(1, odd) <= Duration::from_millis(250), "{odd}");
        }
        assert_eq!(b.delay(1, -3.0), Duration::from_millis(125));
        let b = Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(3),
        };
        assert_eq!(b.delay(2, 1.0), Duration::from_secs(2));
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(3));
        let huge = Backoff {
            base: Duration::MAX,
            cap: Duration::MAX,
        };
        assert!(huge.delay(40, 1.0) > Duration::from_secs(86_400));
    }

    #[test]
    fn seeded_jitter_repeats_and_stays_in_range() {
        // The first output for seed 0 of the reference code (Vigna, prng.di.unimi.it/splitmix64.c).
        assert_eq!(SplitMix64::seeded(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let draws = |seed| {
            let mut j = SplitMix64::seeded(seed);
            (0..100).map(|_| j.unit()).collect::<Vec<f64>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        assert!(draws(7).iter().all(|u| (0.0..1.0).contains(u)));
        let mut fixed = || 0.25;
        assert_eq!(fixed.unit(), 0.25);
    }
}
