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

impl Pacer {
    pub fn new(rate: f64) -> Pacer {
        let base = Duration::from_secs_f64(1.0 / rate);
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
        s.next = slot + s.interval;
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
            s.interval = (s.interval * 2).min(SLOWEST.max(s.base));
            s.slowed_at = Some(now);
        }
        let pause = hint.unwrap_or(s.interval);
        let resume = now + pause;
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
