//! When a failed attempt is tried again, and how long to wait first.
//!
//! [`StandardRetry`] is the official SDKs' standard retryer: at most 3
//! attempts, full-jitter backoff (`rand[0,1) * min(base * 2^n, cap)`, base
//! 200 ms, cap 20 s), retrying on status >= 500, 408 and 429, on the code
//! `RequestTimeTooSkewed`, and on connection failures, resets, truncated
//! answers and timeouts; never on other 4xx, nor on TLS or URL errors.
//! [`NoRetry`] turns retries off; implement [`RetryPolicy`] for anything
//! else.
//!
//! Every attempt is signed afresh and sends the identical body.

use std::collections::hash_map::RandomState;
use std::fmt::Debug;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::Error;

/// Decides whether and when a failed attempt is retried.
pub trait RetryPolicy: Debug + Send + Sync {
    /// Total attempts allowed, the first included (1 = no retry).
    fn attempts(&self) -> u32;

    /// Whether `error` (from attempt number `attempt`, starting at 1) is
    /// worth another attempt.
    fn is_retryable(&self, error: &Error, attempt: u32) -> bool;

    /// How long to wait before retry number `retry` (1 for the first retry).
    fn backoff(&self, retry: u32) -> Duration;

    /// The longest wait before a retry. A `Retry-After` on a 429 or 503
    /// answer lengthens the wait up to this, never beyond (default 20 s).
    fn max_delay(&self) -> Duration {
        Duration::from_secs(20)
    }
}

/// Never retries.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetry;

impl RetryPolicy for NoRetry {
    fn attempts(&self) -> u32 {
        1
    }
    fn is_retryable(&self, _: &Error, _: u32) -> bool {
        false
    }
    fn backoff(&self, _: u32) -> Duration {
        Duration::ZERO
    }
}

/// The SDKs' standard retryer (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct StandardRetry {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for StandardRetry {
    fn default() -> Self {
        StandardRetry {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl StandardRetry {
    /// 3 attempts, base 200 ms, cap 20 s.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Total attempts, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The base of the exponential backoff.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The cap of a single backoff.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The upper bound of the wait before retry number `retry`:
    /// `min(base * 2^retry, cap)`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

impl RetryPolicy for StandardRetry {
    fn attempts(&self) -> u32 {
        self.max_attempts
    }

    fn is_retryable(&self, error: &Error, _attempt: u32) -> bool {
        is_transient(error)
    }

    fn backoff(&self, retry: u32) -> Duration {
        self.backoff_ceiling(retry).mul_f64(random_unit())
    }

    fn max_delay(&self) -> Duration {
        self.max_delay
    }
}

/// The standard classification (see [`Error::is_transient`]).
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        Error::Service(e) => {
            e.status >= 500
                || e.status == 408
                || e.status == 429
                || e.code == "RequestTimeTooSkewed"
        }
        Error::Timeout { .. } => true,
        Error::Transport { source, .. } => !is_permanent_transport(source.as_ref()),
        // A refused certificate, a task that may be queued, an answer over
        // the cap: another attempt cannot mend them.
        _ => false,
    }
}

/// Transport failures that another attempt cannot mend: a refused
/// certificate, a malformed URL, a header the HTTP layer rejects, a proxy
/// that wants authentication or refused the tunnel. Connection failures,
/// resets, closes and truncations stay transient.
fn is_permanent_transport(source: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(proxy) = source.downcast_ref::<crate::transport::ProxyError>() {
        return proxy.is_permanent();
    }
    matches!(
        source.downcast_ref::<ureq::Error>(),
        Some(
            ureq::Error::Pem(_)
                | ureq::Error::BadUri(_)
                | ureq::Error::Http(_)
                | ureq::Error::RequireHttpsOnly(_)
                | ureq::Error::InvalidProxyUrl
                | ureq::Error::LargeResponseHeader(..)
        )
    )
}

/// A uniform random number in `[0, 1)`.
fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 random bits from std's per-process random hash keys (no extra
/// dependency; jitter and temporary names need no cryptographic quality).
pub(crate) fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn service(status: u16, code: &str) -> Error {
        Error::from(ServiceError {
            status,
            code: code.into(),
            ..Default::default()
        })
    }

    #[test]
    fn classification() {
        for e in [
            service(500, "InternalError"),
            service(503, "ServiceUnavailable"),
            service(408, "x"),
            service(429, "x"),
            service(403, "RequestTimeTooSkewed"),
        ] {
            assert!(is_transient(&e), "{e}");
        }
        for e in [
            service(403, "SignatureDoesNotMatch"),
            service(404, "NoSuchKey"),
            service(400, "InvalidArgument"),
            Error::invalid("bucket", "x"),
        ] {
            assert!(!is_transient(&e), "{e}");
        }
        let refused = Error::Transport {
            target: "t".into(),
            source: Box::new(ureq::Error::ConnectionFailed),
        };
        assert!(is_transient(&refused));
        let bad_cert = Error::from_ureq("t".into(), ureq::Error::Tls("certificate expired"));
        assert!(matches!(bad_cert, Error::Tls { .. }), "{bad_cert:?}");
        assert!(!is_transient(&bad_cert));
        let queued = Error::TaskMayBeQueued {
            target: "t".into(),
            source: Box::new(ureq::Error::ConnectionFailed),
        };
        assert!(!is_transient(&queued));
    }

    #[test]
    fn backoff_is_full_jitter_under_the_ceiling() {
        let r = StandardRetry::new();
        assert_eq!(r.backoff_ceiling(1), Duration::from_millis(400));
        assert_eq!(r.backoff_ceiling(2), Duration::from_millis(800));
        assert_eq!(r.backoff_ceiling(40), Duration::from_secs(20));
        for retry in 1..5 {
            for _ in 0..100 {
                assert!(r.backoff(retry) < r.backoff_ceiling(retry));
            }
        }
        let distinct: std::collections::HashSet<_> = (0..20).map(|_| r.backoff(3)).collect();
        assert!(distinct.len() > 1, "jitter must vary");
    }
}
