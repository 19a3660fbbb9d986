//! The one cache of refreshing credentials (`CachingProvider`), on a fake
//! clock: 16 threads needing credentials at once cause one fetch (whether
//! nothing is cached or a refresh is due), repeated to catch races; a failed
//! refresh keeps credentials that still work and logs a warning; expired
//! and unrefreshable is an error that says so; every fetch is logged at
//! info without a secret.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, SystemTime};

use oss_process::{CachingProvider, Credentials, CredentialsProvider, Error};

const SECRET: &str = "CacheTestSecretValue0123456789";
const TOKEN: &str = "CacheTestTokenValue0123456789";
const HOUR: Duration = Duration::from_secs(3600);

/// Log lines, with the thread that wrote them.
type Lines = Mutex<Vec<(ThreadId, log::Level, String)>>;

struct Capture;

fn lines() -> &'static Lines {
    static LINES: OnceLock<Lines> = OnceLock::new();
    LINES.get_or_init(|| Mutex::new(Vec::new()))
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        lines().lock().unwrap().push((
            std::thread::current().id(),
            record.level(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

/// Starts capturing log lines (once per test binary).
fn capture() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// The log lines this thread wrote since the capture began.
fn my_lines() -> Vec<(log::Level, String)> {
    let me = std::thread::current().id();
    lines()
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _, _)| *t == me)
        .map(|(_, l, m)| (*l, m.clone()))
        .collect()
}

/// A clock that moves only when told to.
#[derive(Clone)]
struct Clock(Arc<AtomicU64>);

impl Clock {
    fn new() -> Clock {
        Clock(Arc::new(AtomicU64::new(1_700_000_000)))
    }
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

/// A provider counting its fetches, failing while `failing` is set, slow
/// enough that concurrent callers overlap.
struct Counting {
    fetches: AtomicUsize,
    failing: AtomicBool,
    clock: Clock,
}

impl CredentialsProvider for Counting {
    fn credentials(&self) -> Result<Credentials, Error> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        std::thread::sleep(Duration::from_millis(5));
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::credentials("the credential service is down"));
        }
        Ok(Credentials::new(format!("STS.fetch-{n}"), SECRET)
            .with_security_token(TOKEN)
            .with_expiration(self.clock.now() + HOUR))
    }
}

fn cache(clock: &Clock) -> Arc<CachingProvider<Counting>> {
    let inner = Counting {
        fetches: AtomicUsize::new(0),
        failing: AtomicBool::new(false),
        clock: clock.clone(),
    };
    let c = clock.clone();
    Arc::new(
        CachingProvider::new(inner)
            .name("test credentials")
            .clock(move || c.now()),
    )
}

/// 16 threads ask at once; returns the ids they got.
fn sixteen_at_once(cache: &Arc<CachingProvider<Counting>>) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let cache = Arc::clone(cache);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                cache.credentials().unwrap().access_key_id().to_string()
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn sixteen_threads_with_nothing_cached_cause_one_fetch() {
    for round in 0..25 {
        let clock = Clock::new();
        let cache = cache(&clock);
        let ids = sixteen_at_once(&cache);
        assert_eq!(
            cache.provider().fetches.load(Ordering::SeqCst),
            1,
            "round {round}"
        );
        assert!(
            ids.iter().all(|id| id == "STS.fetch-1"),
            "round {round}: {ids:?}"
        );
    }
}

#[test]
fn sixteen_threads_at_a_due_refresh_cause_one_fetch() {
    for round in 0..25 {
        let clock = Clock::new();
        let cache = cache(&clock);
        cache.credentials().unwrap();
        // 50 minutes into a one-hour lifetime: due (12 minutes before
        // expiry), still valid.
        clock.advance(Duration::from_secs(50 * 60));
        let ids = sixteen_at_once(&cache);
        assert_eq!(
            cache.provider().fetches.load(Ordering::SeqCst),
            2,
            "round {round}"
        );
        // Callers that did not refresh got the old ones at once or the new.
        assert!(
            ids.iter()
                .all(|id| id == "STS.fetch-1" || id == "STS.fetch-2"),
            "round {round}: {ids:?}"
        );
        assert_eq!(cache.credentials().unwrap().access_key_id(), "STS.fetch-2");
    }
}

#[test]
fn a_failed_refresh_keeps_valid_credentials_and_warns() {
    capture();
    let clock = Clock::new();
    let cache = cache(&clock);
    assert_eq!(cache.credentials().unwrap().access_key_id(), "STS.fetch-1");
    let infos: Vec<String> = my_lines()
        .into_iter()
        .filter(|(l, m)| *l == log::Level::Info && m.contains("fetched test credentials"))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(infos.len(), 1, "{infos:?}");
    assert!(infos[0].contains("access key id STS.fetch-1"), "{infos:?}");
    assert!(infos[0].contains("valid for 3600 s"), "{infos:?}");
    cache.provider().failing.store(true, Ordering::SeqCst);
    clock.advance(Duration::from_secs(55 * 60));
    assert_eq!(cache.credentials().unwrap().access_key_id(), "STS.fetch-1");
    let warnings: Vec<String> = my_lines()
        .into_iter()
        .filter(|(l, _)| *l == log::Level::Warn)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "refreshing test credentials failed; using the cached ones (they expire in 300 s)"
        ),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("the credential service is down"));
    for (_, line) in my_lines() {
        assert!(!line.contains(SECRET) && !line.contains(TOKEN), "{line}");
    }
}

#[test]
fn expired_and_unrefreshable_is_an_error_that_says_so() {
    let clock = Clock::new();
    let cache = cache(&clock);
    cache.credentials().unwrap();
    cache.provider().failing.store(true, Ordering::SeqCst);
    clock.advance(HOUR);
    let e = cache.credentials().unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with(
            "credentials: the cached test credentials (access key id STS.fetch-1) expired at "
        ),
        "{text}"
    );
    assert!(text.ends_with("and could not be refreshed"), "{text}");
    let cause = std::error::Error::source(&e)
        .expect("the refresh's error")
        .to_string();
    assert_eq!(cause, "credentials: the credential service is down");
    // Once the service is back, the next call recovers.
    cache.provider().failing.store(false, Ordering::SeqCst);
    assert_eq!(cache.credentials().unwrap().access_key_id(), "STS.fetch-3");
}
