//! A cache for any [`CredentialsProvider`] that refreshes temporary
//! credentials before they expire; [`CachingProvider`] has the rule.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, SystemTime};

use crate::credentials::{Credentials, CredentialsProvider};
use crate::error::Error;

/// The default [`CachingProvider::refresh_margin`]: 5 minutes.
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The default [`CachingProvider::min_refresh_interval`]: 30 seconds.
pub(crate) const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// How long before their expiration cached credentials stop being handed
/// out (10 s), so that a request signed with them reaches OSS in time.
pub(crate) const EXPIRY_SAFETY: Duration = Duration::from_secs(10);

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Caches the credentials of any provider and refreshes them before they
/// expire.
///
/// Providers that ask a service for credentials (the ECS metadata service,
/// STS, a command) are too slow to call before every request, and what they
/// hand out expires. [`CachingProvider`] asks its inner provider once, hands
/// out the cached credentials while they are fresh, and fetches new ones
/// ahead of expiry. Every refreshing provider of this crate
/// ([`EcsRamRoleProvider`](crate::EcsRamRoleProvider),
/// [`RamRoleArnProvider`](crate::credentials::RamRoleArnProvider),
/// [`OidcRoleProvider`](crate::credentials::OidcRoleProvider),
/// [`CredentialsUriProvider`](crate::credentials::CredentialsUriProvider))
/// is built on it.
///
/// # The rule
///
/// After a successful fetch at time `F` of credentials that expire at `E`
/// (lifetime `L = E − F`), the next fetch is due once less than
/// `max(refresh_margin, L / 5)` remains (default margin 5 minutes), i.e.
/// after 80 % of the lifetime, and at least 5 minutes before expiry. For ECS
/// role credentials valid for 6 hours that is about 72 minutes before they
/// expire. If the service still hands out the same credentials, their
/// shorter remaining lifetime makes the next fetch due sooner, so fetches get
/// closer together near expiry, but never closer than `min_refresh_interval`
/// (default 30 s) while the cached credentials still work.
///
/// (The Go OSS SDK refreshes after 20 % of the lifetime instead; both leave
/// ample time to ride out a metadata-service hiccup, this one fetches less
/// often.)
///
/// Credentials count as expired 10 s before their
/// expiration, so a request signed with them still arrives in time.
///
/// * Fresh credentials are returned from the cache, without a fetch.
/// * Due but not expired: one caller fetches; callers arriving meanwhile get
///   the cached credentials at once. If the fetch fails, the cached
///   credentials are returned (the failure is logged at `warn`) and the next
///   fetch is tried `min_refresh_interval` later.
/// * Expired, or nothing cached: callers wait for one fetch and share its
///   outcome. A failure is returned as an error (for expired credentials,
///   one that says they expired, with the refresh's error as its cause);
///   the next call fetches again.
/// * Each successful fetch is logged at `info` (the access key id and how
///   long the credentials last, never the secret or token).
/// * Credentials without an expiration are cached forever, unless
///   [`CachingProvider::max_age`] sets a maximum age.
///
/// Fetches happen on the calling thread (there is no background thread), so
/// the caller that refreshes pays for the fetch. A panicking inner provider
/// does not poison the cache.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use oss_process::{CachingProvider, Credentials, CredentialsProvider, Error};
///
/// let provider = CachingProvider::new(|| -> Result<Credentials, Error> {
///     // Ask STS, a sidecar, a file...
///     Ok(Credentials::new("STS.id", "secret")
///         .with_security_token("token")
///         .with_expiration(SystemTime::now() + Duration::from_secs(3600)))
/// });
/// let first = provider.credentials()?;
/// let second = provider.credentials()?; // from the cache
/// assert_eq!(first, second);
/// # Ok::<(), Error>(())
/// ```
///
/// `Send + Sync` when the inner provider is: share one between threads (or
/// behind an `Arc`) and all of them use one cache and one fetch at a time.
/// `Debug` shows the cached credentials with the secret and token redacted.
pub struct CachingProvider<P> {
    provider: P,
    refresh_margin: Duration,
    min_refresh_interval: Duration,
    max_age: Option<Duration>,
    clock: Clock,
    /// What the credentials are, for log lines and errors.
    name: String,
    state: Mutex<State>,
    /// Held for the duration of a fetch: one fetch at a time.
    fetching: Mutex<()>,
}

#[derive(Default)]
struct State {
    entry: Option<Entry>,
    /// Fetches finished so far, so that a caller who waited for the fetch
    /// lock can tell whether a fetch happened meanwhile.
    fetches: u64,
    /// The text of the last fetch's error, if it failed.
    last_error: Option<String>,
}

#[derive(Clone)]
struct Entry {
    credentials: Credentials,
    /// When to fetch again; `None`: never.
    refresh_at: Option<SystemTime>,
}

impl Entry {
    fn usable(&self, now: SystemTime) -> bool {
        let horizon = now.checked_add(EXPIRY_SAFETY).unwrap_or(now);
        !self.credentials.is_expired_at(horizon)
    }

    fn due(&self, now: SystemTime) -> bool {
        self.refresh_at.is_some_and(|at| now >= at)
    }
}

impl<P: CredentialsProvider> CachingProvider<P> {
    /// Caches `provider`'s credentials with the default rule: refresh when
    /// less than max(5 min, 20 % of the lifetime) remains.
    #[must_use]
    pub fn new(provider: P) -> Self {
        CachingProvider {
            provider,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            min_refresh_interval: DEFAULT_MIN_REFRESH_INTERVAL,
            max_age: None,
            clock: Arc::new(SystemTime::now),
            name: "credentials".to_string(),
            state: Mutex::new(State::default()),
            fetching: Mutex::new(()),
        }
    }

    /// Refresh once less than this much of the lifetime remains, or less
    /// than a fifth of it, whichever is longer (default 5 minutes).
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The least time between two fetches while the cached credentials
    /// still work, after a success and after a failure alike (default 30 s).
    /// Expired credentials are fetched again at once regardless.
    #[must_use]
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// Fetch again once cached credentials are this old, whatever their
    /// expiration (default: no limit; credentials without an expiration
    /// are then kept forever).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Replaces the clock (default [`SystemTime::now`]), so tests can move
    /// time forward without sleeping.
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// What the credentials are, for log lines and error messages, e.g.
    /// `ECS RAM role` (default `credentials`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The wrapped provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Forgets the cached credentials: the next call fetches. Useful when
    /// OSS rejected them (revoked, or a clock far off).
    pub fn invalidate(&self) {
        self.state().entry = None;
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Due but still usable: one caller refreshes, the others (and this
    /// one, if the refresh fails) keep the cached credentials.
    fn refresh_ahead(&self, cached: Entry) -> Result<Credentials, Error> {
        let _fetching = match self.fetching.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(cached.credentials),
        };
        let now = (self.clock)();
        if let Some(current) = self.state().entry.clone()
            && current.usable(now)
            && !current.due(now)
        {
            // Refreshed by another caller between our look and the lock.
            return Ok(current.credentials);
        }
        let error = match self.fetch() {
            Ok(fresh) => return Ok(fresh),
            Err(error) => error,
        };
        let now = (self.clock)();
        if !cached.usable(now) {
            return Err(self.expired_error(&cached.credentials, error));
        }
        let retry_at = now.checked_add(self.min_refresh_interval);
        if let Some(entry) = self.state().entry.as_mut() {
            entry.refresh_at = retry_at;
        }
        let remaining = cached
            .credentials
            .expiration()
            .and_then(|e| e.duration_since(now).ok());
        log::warn!(
            "refreshing {} failed; using the cached ones ({}), next try in {} s: {error}",
            self.name,
            match remaining {
                Some(left) => format!("they expire in {} s", left.as_secs()),
                None => "they do not expire".to_string(),
            },
            self.min_refresh_interval.as_secs()
        );
        Ok(cached.credentials)
    }

    /// Nothing usable is cached: wait for the fetch lock, then use what
    /// the fetch made meanwhile (if one did), else fetch.
    fn fetch_waiting(&self, fetches_seen: u64) -> Result<Credentials, Error> {
        let _fetching = self.fetching.lock().unwrap_or_else(PoisonError::into_inner);
        let now = (self.clock)();
        let expired = {
            let state = self.state();
            if let Some(entry) = state.entry.as_ref().filter(|e| e.usable(now)) {
                return Ok(entry.credentials.clone());
            }
            if state.fetches != fetches_seen
                && let Some(message) = &state.last_error
            {
                // Another caller's fetch failed while we waited: share
                // its outcome rather than queueing up another one.
                return Err(Error::credentials(format!(
                    "{message} (from a fetch another caller made just now)"
                )));
            }
            state.entry.as_ref().map(|e| e.credentials.clone())
        };
        self.fetch().map_err(|error| match expired {
            Some(old) => self.expired_error(&old, error),
            None => error,
        })
    }

    /// The error when cached credentials expired and a refresh failed: it
    /// says both, and keeps the refresh's error as its cause.
    fn expired_error(&self, old: &Credentials, error: Error) -> Error {
        let when = old
            .expiration()
            .map(|e| crate::time::Timestamp::new(e).http_date())
            .unwrap_or_else(|| "an unknown time".to_string());
        Error::credentials_from(
            format!(
                "the cached {} (access key id {}) expired at {when} (or within {} s of now) and could not be refreshed",
                self.name,
                old.access_key_id(),
                EXPIRY_SAFETY.as_secs()
            ),
            error,
        )
    }

    /// Asks the inner provider and records the outcome. Called with the
    /// fetch lock held.
    fn fetch(&self) -> Result<Credentials, Error> {
        let result = self.provider.credentials();
        let now = (self.clock)();
        let mut state = self.state();
        state.fetches += 1;
        match result {
            Ok(credentials) => {
                let refresh_at = self.refresh_at(&credentials, now);
                log::info!(
                    "fetched {} (access key id {}, {}); next refresh {}",
                    self.name,
                    credentials.access_key_id(),
                    match credentials
                        .expiration()
                        .map(|e| e.duration_since(now).unwrap_or_default())
                    {
                        Some(left) => format!("valid for {} s", left.as_secs()),
                        None => "no expiry".to_string(),
                    },
                    match refresh_at.map(|at| at.duration_since(now).unwrap_or_default()) {
                        Some(wait) => format!("in {} s", wait.as_secs()),
                        None => "never".to_string(),
                    }
                );
                let entry = Entry {
                    credentials: credentials.clone(),
                    refresh_at,
                };
                if !entry.usable(now) {
                    log::warn!(
                        "the {} just fetched (access key id {}) expire within {} s or have expired: is the system clock right?",
                        self.name,
                        credentials.access_key_id(),
                        EXPIRY_SAFETY.as_secs()
                    );
                }
                state.last_error = None;
                state.entry = Some(entry);
                Ok(credentials)
            }
            Err(error) => {
                state.last_error = Some(match &error {
                    Error::Credentials { message, .. } => message.clone(),
                    other => other.to_string(),
                });
                Err(error)
            }
        }
    }

    /// When credentials fetched at `fetched` are due for a refresh.
    fn refresh_at(&self, credentials: &Credentials, fetched: SystemTime) -> Option<SystemTime> {
        let by_expiry = credentials.expiration().map(|expiration| {
            let lifetime = expiration.duration_since(fetched).unwrap_or_default();
            let margin = self.refresh_margin.max(lifetime / 5);
            expiration.checked_sub(margin).unwrap_or(fetched)
        });
        let by_age = self.max_age.and_then(|age| fetched.checked_add(age));
        let due = match (by_expiry, by_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }?;
        Some(match fetched.checked_add(self.min_refresh_interval) {
            Some(earliest) => due.max(earliest),
            None => due,
        })
    }
}

impl<P: CredentialsProvider> CredentialsProvider for CachingProvider<P> {
    fn credentials(&self) -> Result<Credentials, Error> {
        let now = (self.clock)();
        let (cached, fetches_seen) = {
            let state = self.state();
            (state.entry.clone(), state.fetches)
        };
        match cached {
            Some(entry) if entry.usable(now) && !entry.due(now) => Ok(entry.credentials),
            Some(entry) if entry.usable(now) => self.refresh_ahead(entry),
            _ => self.fetch_waiting(fetches_seen),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = state.entry.as_ref();
        f.debug_struct("CachingProvider")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("refresh_margin", &self.refresh_margin)
            .field("min_refresh_interval", &self.min_refresh_interval)
            .field("max_age", &self.max_age)
            .field("cached", &entry.map(|e| &e.credentials))
            .field("refresh_at", &entry.and_then(|e| e.refresh_at))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    const HOUR: Duration = Duration::from_secs(3600);

    /// A clock that only moves when told to.
    #[derive(Clone)]
    struct FakeClock(Arc<AtomicU64>);

    impl FakeClock {
        fn new() -> Self {
            FakeClock(Arc::new(AtomicU64::new(1_700_000_000)))
        }
        fn now(&self) -> SystemTime {
            SystemTime::UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
        }
        fn advance(&self, by: Duration) {
            self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
        }
    }

    fn cached<P: CredentialsProvider>(p: P, clock: &FakeClock) -> CachingProvider<P> {
        let clock = clock.clone();
        CachingProvider::new(p).clock(move || clock.now())
    }

    #[test]
    fn refresh_is_due_at_80_percent_or_5_minutes_before_expiry() {
        let clock = FakeClock::new();
        let p = cached(|| Ok(Credentials::new("a", "b")), &clock);
        let t = clock.now();
        let six_hours = Credentials::new("a", "b").with_expiration(t + 6 * HOUR);
        // 20 % of 6 h = 72 min before expiry.
        assert_eq!(
            p.refresh_at(&six_hours, t),
            Some(t + 6 * HOUR - Duration::from_secs(72 * 60))
        );
        let ten_minutes = Credentials::new("a", "b").with_expiration(t + Duration::from_secs(600));
        assert_eq!(
            p.refresh_at(&ten_minutes, t),
            Some(t + Duration::from_secs(300))
        );
        // A lifetime shorter than the margin: not before the minimum interval.
        let one_minute = Credentials::new("a", "b").with_expiration(t + Duration::from_secs(60));
        assert_eq!(
            p.refresh_at(&one_minute, t),
            Some(t + Duration::from_secs(30))
        );
        assert_eq!(p.refresh_at(&Credentials::new("a", "b"), t), None);
    }

    #[test]
    fn max_age_bounds_credentials_without_expiration() {
        let clock = FakeClock::new();
        let p = cached(|| Ok(Credentials::new("a", "b")), &clock).max_age(HOUR);
        let t = clock.now();
        assert_eq!(p.refresh_at(&Credentials::new("a", "b"), t), Some(t + HOUR));
        let later = Credentials::new("a", "b").with_expiration(t + 10 * HOUR);
        assert_eq!(p.refresh_at(&later, t), Some(t + HOUR));
        let huge = cached(|| Ok(Credentials::new("a", "b")), &clock).max_age(Duration::MAX);
        assert_eq!(huge.refresh_at(&Credentials::new("a", "b"), t), None);
    }

    #[test]
    fn without_expiration_cached_forever() {
        let clock = FakeClock::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let p = cached(
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(Credentials::new("a", "b"))
            },
            &clock,
        );
        p.credentials().unwrap();
        clock.advance(1000 * HOUR);
        p.credentials().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        p.invalidate();
        p.credentials().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn panicking_provider_does_not_poison_the_cache() {
        let clock = FakeClock::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let p = Arc::new(cached(
            move || {
                if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("first fetch panics");
                }
                Ok(Credentials::new("a", "b"))
            },
            &clock,
        ));
        let p2 = Arc::clone(&p);
        assert!(std::thread::spawn(move || p2.credentials()).join().is_err());
        assert_eq!(p.credentials().unwrap().access_key_id(), "a");
    }
}
