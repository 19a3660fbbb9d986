//! The ECS RAM role provider against a loopback stand-in of the metadata
//! service (role discovery, the credentials answer and its failures,
//! metadata tokens, retries, timeouts), and the caching wrapper's refresh
//! rule driven by a fake clock: cached while fresh, refreshed near expiry,
//! old credentials kept when a refresh fails, one fetch for many threads.
//! Secrets never show in `Debug` or error text.

mod common;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use common::{Recorded, Reply, Server, verify_v4};
use oss_process::credentials::{EcsRamRoleBuilder, EcsRamRoleFetcher, MetadataToken};
use oss_process::{
    CachingProvider, Client, Credentials, CredentialsProvider, EcsRamRoleProvider, Error, NoRetry,
};

const ROLE: &str = "oss-reader";
const LIST_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/oss-reader";
const SECRET: &str = "RoleSecretValue0123456789";
const TOKEN: &str = "RoleStsTokenValue0123456789";
const METADATA_TOKEN: &str = "MetadataTokenValue0123456789";
/// 2024-01-15T03:30:00Z, when the stand-in's credentials were issued.
const ISSUED: u64 = 1_705_289_400;
const HOUR: u64 = 3600;
const LIMIT: Duration = Duration::from_secs(20);

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// `2024-01-15T09:30:00Z` for a time.
fn iso8601(t: SystemTime) -> String {
    let compact = common::iso_basic(t);
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &compact[0..4],
        &compact[4..6],
        &compact[6..8],
        &compact[9..11],
        &compact[11..13],
        &compact[13..15]
    )
}

/// The metadata service's credentials answer.
fn credentials_json(id: &str, expiration: SystemTime) -> String {
    format!(
        r#"{{
  "AccessKeyId" : "{id}",
  "AccessKeySecret" : "{SECRET}",
  "Expiration" : "{}",
  "SecurityToken" : "{TOKEN}",
  "LastUpdated" : "2024-01-15T03:30:00Z",
  "Code" : "Success"
}}"#,
        iso8601(expiration)
    )
}

fn json(body: impl Into<Vec<u8>>) -> Reply {
    Reply::with(200, "text/plain", body)
}

fn plain(status: u16, body: &str) -> Reply {
    Reply::with(status, "text/plain", body)
}

/// A builder pointed at the stand-in, quick to give up.
fn builder(server: &Server) -> EcsRamRoleBuilder {
    EcsRamRoleProvider::builder()
        .endpoint(server.url())
        .metadata_token(MetadataToken::Disabled)
        .read_timeout(Duration::from_secs(5))
        .retry_delay(Duration::from_millis(10))
}

fn fetcher(server: &Server) -> EcsRamRoleFetcher {
    builder(server).role_name(ROLE).build_fetcher().unwrap()
}

/// A fetcher that does not try again, so each fetch is one request.
fn one_try_fetcher(server: &Server) -> EcsRamRoleFetcher {
    builder(server)
        .role_name(ROLE)
        .max_attempts(1)
        .build_fetcher()
        .unwrap()
}

/// Error text and its whole source chain.
fn full_text(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(" / ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn assert_no_secrets(text: &str) {
    for secret in [SECRET, TOKEN, METADATA_TOKEN] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

/// The error of a fetch from a stand-in answering `replies` in turn.
fn fetch_error(builder: impl Fn(&Server) -> EcsRamRoleBuilder, replies: Vec<Reply>) -> String {
    let count = replies.len();
    let server = Server::start(count, LIMIT, move |i, _| replies[i].clone());
    let e = builder(&server).build().unwrap().credentials().unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
    let text = full_text(&e);
    assert_no_secrets(&text);
    assert_no_secrets(&format!("{e:?}"));
    text
}

#[test]
fn discovers_the_role_then_fetches_its_credentials() {
    let expiration = at(ISSUED + 6 * HOUR);
    let server = Server::start(2, LIMIT, move |i, _| match i {
        0 => plain(200, "oss-reader\n"),
        _ => json(credentials_json("STS.first", expiration)),
    });
    let c = builder(&server).build().unwrap().credentials().unwrap();
    assert_eq!(c.access_key_id(), "STS.first");
    assert_eq!(c.access_key_secret(), SECRET);
    assert_eq!(c.security_token(), Some(TOKEN));
    assert_eq!(c.expiration(), Some(expiration));

    let requests = server.requests();
    let paths: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(paths, [("GET", LIST_PATH), ("GET", ROLE_PATH)]);
    assert!(
        requests
            .iter()
            .all(|r| r.header("x-aliyun-ecs-metadata-token").is_none())
    );
}

#[test]
fn a_configured_role_skips_discovery() {
    let server = Server::always(1, json(credentials_json("STS.first", at(ISSUED + HOUR))));
    let c = fetcher(&server).fetch().unwrap();
    assert_eq!(c.access_key_id(), "STS.first");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, ROLE_PATH);
}

#[test]
fn code_other_than_success_is_an_error() {
    let body = credentials_json("STS.first", at(ISSUED + HOUR)).replace("Success", "Failed");
    let text = fetch_error(|s| builder(s).role_name(ROLE), vec![json(body)]);
    assert!(text.contains("role `oss-reader`"), "{text}");
    assert!(text.contains("Code \"Failed\""), "{text}");
}

#[test]
fn malformed_answers_are_clear_errors() {
    let good = credentials_json("STS.first", at(ISSUED + HOUR));
    let cases = [
        (format!("{good}}}"), "is not valid JSON"),
        ("[1, 2]".to_string(), "is not a JSON object"),
        (
            good.replace("\"SecurityToken\"", "\"Token\""),
            "has no SecurityToken",
        ),
        (
            good.replace("\"AccessKeyId\" : \"STS.first\"", "\"AccessKeyId\" : 7"),
            "has a AccessKeyId that is not a string",
        ),
        (
            good.replace(&format!("\"{SECRET}\""), "\"\""),
            "has an empty AccessKeySecret",
        ),
        (
            good.replace("2024-01-15T04:30:00Z", "next tuesday"),
            "has Expiration \"next tuesday\"",
        ),
    ];
    for (body, expected) in cases {
        let text = fetch_error(|s| builder(s).role_name(ROLE), vec![json(body)]);
        assert!(text.contains(expected), "{expected}: {text}");
        assert!(text.contains("oss-reader"), "{text}");
    }
}

#[test]
fn http_404_names_the_step_and_is_not_retried() {
    let text = fetch_error(
        |s| builder(s).role_name(ROLE),
        vec![plain(404, "Not Found")],
    );
    assert!(text.contains("GET http://"), "{text}");
    assert!(text.contains(ROLE_PATH), "{text}");
    assert!(text.contains("answered HTTP 404"), "{text}");
    assert!(
        text.contains("no such role is attached to this instance"),
        "{text}"
    );
    assert!(!text.contains("tries"), "404 is not retried: {text}");

    let text = fetch_error(builder, vec![plain(404, "Not Found")]);
    assert!(
        text.contains("asking for the instance's RAM role"),
        "{text}"
    );
    assert!(text.contains("no RAM role is attached"), "{text}");

    let text = fetch_error(builder, vec![plain(200, "  \n")]);
    assert!(text.contains("no RAM role is attached"), "{text}");

    let text = fetch_error(builder, vec![plain(200, "<html>oops</html>")]);
    assert!(text.contains("is not a role name"), "{text}");
}

#[test]
fn transient_failures_are_retried_a_bounded_number_of_times() {
    let good = json(credentials_json("STS.first", at(ISSUED + HOUR)));
    let server = Server::start(2, LIMIT, move |i, _| match i {
        0 => plain(503, "busy"),
        _ => good.clone(),
    });
    assert!(fetcher(&server).fetch().is_ok());
    assert_eq!(server.count(), 2);

    let server = Server::always(10, plain(500, "broken"));
    let e = fetcher(&server).fetch().unwrap_err();
    let text = full_text(&e);
    assert!(text.contains("ECS RAM role, after 3 tries: "), "{text}");
    assert!(text.contains("answered HTTP 500"), "{text}");
    assert_eq!(server.count(), 3);

    let server = Server::always(10, Reply::CloseBeforeHeaders);
    let e = builder(&server)
        .role_name(ROLE)
        .max_attempts(2)
        .build_fetcher()
        .unwrap()
        .fetch()
        .unwrap_err();
    assert!(full_text(&e).contains("failed"), "{}", full_text(&e));
    assert_eq!(server.count(), 2);
}

#[test]
fn a_silent_service_times_out() {
    let server = Server::always(1, Reply::Silent);
    let started = std::time::Instant::now();
    let e = builder(&server)
        .role_name(ROLE)
        .read_timeout(Duration::from_millis(300))
        .max_attempts(1)
        .build_fetcher()
        .unwrap()
        .fetch()
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = full_text(&e);
    assert!(text.contains("timed out"), "{text}");
    let Error::Credentials {
        source: Some(source),
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    let inner = source
        .downcast_ref::<Error>()
        .expect("an oss_process::Error");
    assert!(inner.is_timeout(), "{inner:?}");
}

#[test]
fn an_oversized_answer_is_rejected() {
    let text = fetch_error(
        |s| builder(s).role_name(ROLE),
        vec![json(vec![b' '; 65 * 1024])],
    );
    assert!(text.contains("larger than 64 KiB"), "{text}");
}

#[test]
fn required_token_mode_sends_the_token_on_every_get() {
    let expiration = at(ISSUED + HOUR);
    let server = Server::start(3, LIMIT, move |i, _| match i {
        0 => plain(200, METADATA_TOKEN),
        1 => plain(200, ROLE),
        _ => json(credentials_json("STS.first", expiration)),
    });
    let provider = builder(&server)
        .metadata_token(MetadataToken::Required)
        .build()
        .unwrap();
    assert!(provider.credentials().is_ok());
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].path, "/latest/api/token");
    assert_eq!(
        requests[0].header("x-aliyun-ecs-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(requests[0].header("x-aliyun-ecs-metadata-token"), None);
    for r in &requests[1..] {
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.header("x-aliyun-ecs-metadata-token"),
            Some(METADATA_TOKEN),
            "{}",
            r.path
        );
    }
    assert_no_secrets(&format!("{provider:?}"));
}

#[test]
fn required_token_mode_fails_without_a_token() {
    let text = fetch_error(
        |s| {
            builder(s)
                .role_name(ROLE)
                .metadata_token(MetadataToken::Required)
        },
        vec![plain(403, "forbidden")],
    );
    assert!(text.contains("getting a metadata token"), "{text}");
    assert!(text.contains("PUT http://"), "{text}");
}

#[test]
fn token_if_available_falls_back_to_plain_gets() {
    let expiration = at(ISSUED + HOUR);
    let server = Server::start(2, LIMIT, move |i, _| match i {
        0 => plain(404, "no tokens here"),
        _ => json(credentials_json("STS.first", expiration)),
    });
    let fetcher = builder(&server)
        .role_name(ROLE)
        .metadata_token(MetadataToken::IfAvailable)
        .build_fetcher()
        .unwrap();
    assert!(fetcher.fetch().is_ok());
    let requests = server.requests();
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[1].path, ROLE_PATH);
    assert_eq!(requests[1].header("x-aliyun-ecs-metadata-token"), None);
}

#[test]
fn a_refused_plain_get_hints_at_metadata_tokens() {
    let text = fetch_error(|s| builder(s).role_name(ROLE), vec![plain(403, "denied")]);
    assert!(text.contains("require a metadata token"), "{text}");
}

/// A clock that only moves when told to.
#[derive(Clone)]
struct FakeClock(Arc<AtomicU64>);

impl FakeClock {
    fn at(secs: u64) -> Self {
        FakeClock(Arc::new(AtomicU64::new(secs)))
    }
    fn now(&self) -> SystemTime {
        at(self.0.load(Ordering::SeqCst))
    }
    fn set(&self, secs: u64) {
        self.0.store(secs, Ordering::SeqCst);
    }
}

/// The access key id a provider hands out now.
fn key_id(provider: &impl CredentialsProvider) -> String {
    provider.credentials().unwrap().access_key_id().to_string()
}

fn cached<P: CredentialsProvider>(provider: P, clock: &FakeClock) -> CachingProvider<P> {
    let clock = clock.clone();
    CachingProvider::new(provider).clock(move || clock.now())
}

/// A stand-in whose `n`th answer (from 0) is `replies[n]`, with fake-clock
/// credentials expiring 6 hours after issue.
fn scripted(replies: Vec<Reply>) -> Server {
    let count = replies.len();
    Server::start(count, LIMIT, move |i, _| replies[i].clone())
}

fn six_hour_credentials(id: &str) -> Reply {
    json(credentials_json(id, at(ISSUED + 6 * HOUR)))
}

#[test]
fn cached_while_fresh_then_refreshed_near_expiry() {
    let server = scripted(vec![
        six_hour_credentials("STS.first"),
        json(credentials_json("STS.second", at(ISSUED + 12 * HOUR))),
    ]);
    let clock = FakeClock::at(ISSUED);
    let provider = cached(fetcher(&server), &clock);

    assert_eq!(key_id(&provider), "STS.first");
    // Fresh until 72 minutes (20 % of 6 h) before expiry: no new request.
    for now in [ISSUED + 1, ISSUED + 2 * HOUR, ISSUED + 6 * HOUR - 73 * 60] {
        clock.set(now);
        assert_eq!(key_id(&provider), "STS.first");
    }
    assert_eq!(server.count(), 1);

    clock.set(ISSUED + 6 * HOUR - 72 * 60);
    assert_eq!(key_id(&provider), "STS.second");
    assert_eq!(key_id(&provider), "STS.second");
    assert_eq!(server.count(), 2);
}

#[test]
fn a_failed_refresh_keeps_the_old_credentials_until_they_expire() {
    let server = scripted(vec![
        six_hour_credentials("STS.first"),
        plain(500, "broken"),
        plain(500, "still broken"),
        plain(500, "broken for good"),
    ]);
    let clock = FakeClock::at(ISSUED);
    let provider = cached(one_try_fetcher(&server), &clock);
    assert_eq!(key_id(&provider), "STS.first");

    // Due: the refresh fails, the old credentials are still good.
    clock.set(ISSUED + 5 * HOUR);
    assert_eq!(key_id(&provider), "STS.first");
    assert_eq!(server.count(), 2);
    // No new try within the minimum refresh interval (30 s)...
    clock.set(ISSUED + 5 * HOUR + 29);
    assert_eq!(key_id(&provider), "STS.first");
    assert_eq!(server.count(), 2);
    // ...then one, which fails again.
    clock.set(ISSUED + 5 * HOUR + 30);
    assert_eq!(key_id(&provider), "STS.first");
    assert_eq!(server.count(), 3);

    // Expired (10 s of safety before the expiration): the error comes out.
    clock.set(ISSUED + 6 * HOUR - 10);
    let e = provider.credentials().unwrap_err();
    let text = full_text(&e);
    assert!(text.contains("answered HTTP 500"), "{text}");
    assert_no_secrets(&text);
    assert_eq!(server.count(), 4);
}

#[test]
fn a_refresh_after_a_failure_recovers() {
    let server = scripted(vec![
        six_hour_credentials("STS.first"),
        plain(500, "broken"),
        json(credentials_json("STS.second", at(ISSUED + 12 * HOUR))),
    ]);
    let clock = FakeClock::at(ISSUED);
    let provider = cached(one_try_fetcher(&server), &clock);
    provider.credentials().unwrap();
    clock.set(ISSUED + 5 * HOUR);
    assert_eq!(key_id(&provider), "STS.first");
    clock.set(ISSUED + 5 * HOUR + 60);
    assert_eq!(key_id(&provider), "STS.second");
    assert_eq!(server.count(), 3);
}

#[test]
fn eight_threads_with_nothing_cached_trigger_one_fetch() {
    let expiration = SystemTime::now() + Duration::from_secs(6 * HOUR);
    let server = Server::start(8, LIMIT, move |_, _| {
        // Slow enough that every thread arrives while the fetch is on.
        std::thread::sleep(Duration::from_millis(200));
        json(credentials_json("STS.shared", expiration))
    });
    let provider = builder(&server).role_name(ROLE).build().unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let provider = provider.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                provider.credentials()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap().access_key_id(), "STS.shared");
    }
    assert_eq!(server.count(), 1);
}

#[test]
fn eight_threads_with_stale_credentials_trigger_one_refresh() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    let clock = FakeClock::at(ISSUED);
    let provider = Arc::new(cached(
        move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n > 0 {
                std::thread::sleep(Duration::from_millis(300));
            }
            Ok(Credentials::new(format!("STS.{n}"), SECRET)
                .with_security_token(TOKEN)
                .with_expiration(at(ISSUED + 6 * HOUR)))
        },
        &clock,
    ));
    provider.credentials().unwrap();
    clock.set(ISSUED + 5 * HOUR);
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let provider = Arc::clone(&provider);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                key_id(&*provider)
            })
        })
        .collect();
    let ids: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "one initial, one refresh"
    );
    // The refreshing thread got the new ones; the others (all of them, unless
    // one was held up until the refresh was over) went on with the old ones.
    assert!(ids.iter().any(|id| id == "STS.1"), "{ids:?}");
    assert!(
        ids.iter().all(|id| id == "STS.0" || id == "STS.1"),
        "{ids:?}"
    );
}

#[test]
fn threads_waiting_on_a_failed_fetch_share_its_error() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    let provider = Arc::new(CachingProvider::new(
        move || -> Result<Credentials, Error> {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
            Err(Error::credentials("the service is down"))
        },
    ));
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let provider = Arc::clone(&provider);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                provider.credentials().unwrap_err().to_string()
            })
        })
        .collect();
    for t in threads {
        let text = t.join().unwrap();
        assert!(text.contains("the service is down"), "{text}");
    }
    // One, unless a thread was held up for the whole first fetch.
    assert!(fetches.load(Ordering::SeqCst) <= 2);
}

#[test]
fn debug_never_shows_secrets() {
    let server = Server::always(1, six_hour_credentials("STS.first"));
    let provider = builder(&server).role_name(ROLE).build().unwrap();
    let c = provider.credentials().unwrap();
    for text in [
        format!("{provider:?}"),
        format!("{provider:#?}"),
        format!("{:?}", provider.fetcher()),
        format!("{c:?}"),
    ] {
        assert_no_secrets(&text);
    }
    assert!(format!("{provider:?}").contains("STS.first"));

    let wrapped = CachingProvider::new(Credentials::new("id", SECRET).with_security_token(TOKEN));
    wrapped.credentials().unwrap();
    assert_no_secrets(&format!("{wrapped:?}"));
}

#[test]
fn the_client_signs_with_the_role_credentials() {
    let metadata = Server::always(1, six_hour_credentials("STS.first"));
    let oss = Server::always(1, Reply::process_ok("photos", "out.jpg", 10, "RID-1"));
    let provider = builder(&metadata).role_name(ROLE).build().unwrap();
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(oss.url())
        .retry_policy(NoRetry)
        .credentials_provider(provider)
        .build()
        .unwrap();
    client
        .process_object("photos", "in.jpg", "image/resize,w_10|sys/saveas,o_dC5qcGc")
        .unwrap();
    let request: Recorded = oss.requests().remove(0);
    assert_eq!(request.header("x-oss-security-token"), Some(TOKEN));
    verify_v4(&request, "photos", "in.jpg", SECRET, "cn-hangzhou").unwrap();
    assert_eq!(metadata.count(), 1);
}
