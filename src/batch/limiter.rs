//! The one rate limiter a batch's threads share: every request of every
//! worker (retries and listing pages included) takes its turn from it, so
//! a cap (`max_rps`) holds for the whole batch, and a throttled answer (429,
//! 503, or an OSS throttling code) slows every thread at once.
//!
//! AIMD on the request rate: a throttled answer halves the rate (from the
//! cap, or from the rate measured so far when there is none), at most once
//! per [`COOLDOWN`] or two turns, whichever is longer, so that a burst of
//! throttled answers to requests already in flight counts once; a
//! `Retry-After` holds every thread until it passes. Each success then
//! adds back a tenth of the rate before the cut per second of successes,
//! up to the cap, so the batch recovers in a few seconds once the service
//! does.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::client::observe::AttemptObserver;
use crate::error::Error;

/// Error codes of throttled requests, whatever their status.
const THROTTLING_CODES: &[&str] = &[
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "TooManyRequests",
    "RequestThrottled",
    "QpsLimitExceeded",
    "UserQpsLimitExceeded",
];
/// The slowest the limiter goes, in requests per second.
const FLOOR: f64 = 0.5;
/// The shortest time between two cuts.
const COOLDOWN: Duration = Duration::from_millis(500);
/// The longest a `Retry-After` holds the batch.
const MAX_PAUSE: Duration = Duration::from_secs(60);
/// Request starts remembered to measure the rate before a first cut.
const MEASURED: usize = 64;

/// Whether `error` says the service is throttling: status 429 or 503, or a
/// throttling code.
pub(crate) fn is_throttling(error: &Error) -> bool {
    error.as_service().is_some_and(|s| {
        matches!(s.status, 429 | 503) || THROTTLING_CODES.contains(&s.code.as_str())
    })
}

/// The shared limiter.
#[derive(Debug)]
pub(crate) struct Limiter {
    cap: Option<f64>,
    state: Mutex<State>,
    throttled: AtomicU64,
}

#[derive(Debug)]
struct State {
    /// Requests per second allowed now; `None`: no limit yet.
    rate: Option<f64>,
    /// The earliest start of the next request.
    next: Instant,
    /// Every request waits until then (a `Retry-After`).
    paused_until: Option<Instant>,
    last_cut: Option<Instant>,
    /// Requests per second added back per second of successes.
    recovery: f64,
    lowest: Option<f64>,
    starts: VecDeque<Instant>,
}

impl Limiter {
    /// A limiter capped at `max_rps` requests per second, if given.
    pub(crate) fn new(max_rps: Option<f64>) -> Limiter {
        Limiter {
            cap: max_rps,
            state: Mutex::new(State {
                rate: max_rps,
                next: Instant::now(),
                paused_until: None,
                last_cut: None,
                recovery: 0.0,
                lowest: None,
                starts: VecDeque::with_capacity(MEASURED),
            }),
            throttled: AtomicU64::new(0),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for this request's turn.
    pub(crate) fn acquire(&self) {
        let (now, turn) = {
            let mut s = self.state();
            let now = Instant::now();
            let mut turn = now;
            if let Some(until) = s.paused_until {
                turn = turn.max(until);
            }
            if let Some(rate) = s.rate {
                turn = turn.max(s.next);
                s.next = turn + Duration::from_secs_f64(1.0 / rate);
            }
            if s.starts.len() == MEASURED {
                s.starts.pop_front();
            }
            s.starts.push_back(turn);
            (now, turn)
        };
        if turn > now {
            std::thread::sleep(turn - now);
        }
    }

    /// A request succeeded: the rate recovers a little.
    pub(crate) fn succeeded(&self) {
        let mut s = self.state();
        if let (Some(rate), true) = (s.rate, s.recovery > 0.0) {
            let raised = rate + s.recovery / rate;
            s.rate = Some(self.cap.map_or(raised, |cap| raised.min(cap)));
        }
    }

    /// A request was throttled: hold for `retry_after`, and cut the rate
    /// unless it was cut just now.
    pub(crate) fn throttled(&self, retry_after: Option<Duration>) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let mut s = self.state();
        let now = Instant::now();
        if let Some(wait) = retry_after {
            let until = now + wait.min(MAX_PAUSE);
            s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
        }
        let turn = s
            .rate
            .map_or(Duration::ZERO, |r| Duration::from_secs_f64(2.0 / r));
        if s.last_cut.is_some_and(|at| now < at + COOLDOWN.max(turn)) {
            return;
        }
        let before = s.rate.unwrap_or_else(|| measured(&s.starts, now));
        let cut = (before / 2.0).max(FLOOR);
        s.rate = Some(cut);
        s.recovery = (before * 0.1).max(FLOOR);
        s.last_cut = Some(now);
        s.lowest = Some(s.lowest.map_or(cut, |l| l.min(cut)));
        // Requests already given later turns keep them; new ones are spaced.
        s.next = s.next.max(now);
        log::info!(
            "oss-process batch: the service is throttling; every thread slows to {cut:.1} requests/s (from {before:.1})"
        );
    }

    /// The rate allowed now, if limited.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.state().rate
    }

    /// The lowest rate a cut set, if any.
    pub(crate) fn lowest(&self) -> Option<f64> {
        self.state().lowest
    }

    /// Throttled answers so far.
    pub(crate) fn throttled_count(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
}

/// The request rate of the remembered starts (at least the floor).
fn measured(starts: &VecDeque<Instant>, now: Instant) -> f64 {
    match (starts.front(), starts.len()) {
        (Some(first), n) if n >= 2 => {
            let span = now.saturating_duration_since(*first).as_secs_f64();
            if span > 0.0 {
                ((n - 1) as f64 / span).max(FLOOR)
            } else {
                FLOOR
            }
        }
        _ => FLOOR,
    }
}

impl AttemptObserver for Limiter {
    fn before_attempt(&self) {
        self.acquire();
    }

    fn after_attempt(&self, error: Option<&Error>) {
        match error {
            None => self.succeeded(),
            Some(e) if is_throttling(e) => {
                self.throttled(e.as_service().and_then(|s| s.retry_after));
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn service(status: u16, code: &str) -> Error {
        Error::Service(Box::new(ServiceError {
            status,
            code: code.into(),
            ..Default::default()
        }))
    }

    #[test]
    fn what_counts_as_throttling() {
        assert!(is_throttling(&service(503, "ServiceUnavailable")));
        assert!(is_throttling(&service(429, "")));
        assert!(is_throttling(&service(403, "QpsLimitExceeded")));
        assert!(is_throttling(&service(400, "SlowDown")));
        assert!(!is_throttling(&service(404, "NoSuchKey")));
        assert!(!is_throttling(&service(500, "InternalError")));
        assert!(!is_throttling(&Error::invalid("x", "y")));
    }

    #[test]
    fn a_cut_halves_once_per_burst_and_successes_recover_to_the_cap() {
        let limiter = Limiter::new(Some(100.0));
        assert_eq!(limiter.rate(), Some(100.0));
        // A burst of throttled answers to requests already in flight.
        for _ in 0..8 {
            limiter.after_attempt(Some(&service(503, "SlowDown")));
        }
        assert_eq!(limiter.rate(), Some(50.0));
        assert_eq!(limiter.lowest(), Some(50.0));
        assert_eq!(limiter.throttled_count(), 8);
        // Ten per second back per second of successes: 50 to 100 takes
        // about five seconds of them (some 375 successes), never past the cap.
        for _ in 0..300 {
            limiter.after_attempt(None);
        }
        let partway = limiter.rate().unwrap();
        assert!((80.0..100.0).contains(&partway), "{partway}");
        for _ in 0..1000 {
            limiter.after_attempt(None);
        }
        assert_eq!(limiter.rate(), Some(100.0));
    }

    #[test]
    fn turns_are_spaced_by_the_rate_across_threads() {
        let limiter = Limiter::new(Some(200.0));
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10 {
                        limiter.acquire();
                    }
                });
            }
        });
        // 40 turns at 200/s: the last starts at least 39 intervals after
        // the first (a lower bound: a slow machine only waits longer).
        assert!(
            started.elapsed() >= Duration::from_millis(39 * 5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn without_a_cap_the_first_cut_starts_from_the_measured_rate() {
        let limiter = Limiter::new(None);
        for _ in 0..10 {
            limiter.acquire();
        }
        assert_eq!(limiter.rate(), None);
        limiter.throttled(Some(Duration::from_millis(50)));
        let rate = limiter.rate().expect("limited after a throttle");
        assert!(rate >= FLOOR, "{rate}");
        // The Retry-After holds the next turn.
        let started = Instant::now();
        limiter.acquire();
        assert!(
            started.elapsed() >= Duration::from_millis(40),
            "{:?}",
            started.elapsed()
        );
    }
}
