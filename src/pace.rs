//! Pacing and backoff: keep the whole run at the provider's quota, slow everyone down when
//! the provider throttles, and space retries with exponential backoff plus jitter.

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

/// Exponential backoff for retry `n` (1-based): 250 ms × 2^(n-1), at most 8 s, with jitter
/// in [d/2, d] so that parallel retries do not stay in lockstep.
pub fn backoff(n: u32) -> Duration {
    let d = Duration::from_millis(250).saturating_mul(1u32 << n.saturating_sub(1).min(10));
    let d = d.min(Duration::from_secs(8));
    d.mul_f64(0.5 + 0.5 * unit_random())
}

fn unit_random() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return 1.0;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
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
}
