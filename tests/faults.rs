//! Fault injection against a scripted loopback server: retries replay the
//! identical body, give up after the configured attempts, survive resets and
//! early closes, learn the server clock from `RequestTimeTooSkewed`, and
//! timeouts and body limits fire within their bounds.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use common::{Reply, Server};
use oss_process::{Client, Credentials, Error, NoRetry, RetryPolicy, StandardRetry};

const PROCESS: &str = "image/resize,w_100|sys/saveas,o_dC5qcGc";

fn fast_retry() -> StandardRetry {
    StandardRetry::new().base_delay(Duration::from_millis(5))
}

fn client(server: &Server, policy: impl RetryPolicy + 'static, read_timeout: Duration) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("id", "secret"))
        .retry_policy(policy)
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(read_timeout)
        .build()
        .unwrap()
}

fn ok() -> Reply {
    Reply::process_ok("b", "t.jpg", 42, "RID-OK")
}

/// Captures `log` records so a test can see that retries are logged.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record<'_>) {
        if r.level() == log::Level::Debug {
            self.0.lock().unwrap().push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn captured_logs() -> &'static Capture {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(logger).unwrap();
        log::set_max_level(log::LevelFilter::Debug);
        logger
    })
}

#[test]
fn a_500_then_200_succeeds_and_the_retry_replays_the_identical_body() {
    let logs = captured_logs();
    let server = Server::start(2, Duration::from_secs(10), |i, _| match i {
        0 => Reply::xml_error(500, "InternalError", "try again", "RID-500", ""),
        _ => ok(),
    });
    let result = client(&server, fast_retry(), Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap();
    assert_eq!(result.request_id(), "RID-OK");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].body,
        format!("x-oss-process={PROCESS}").into_bytes()
    );
    assert_eq!(
        reqs[0].body, reqs[1].body,
        "the retry must send the identical body"
    );
    assert_eq!(reqs[0].header("content-md5"), reqs[1].header("content-md5"));
    assert_eq!(
        reqs[0].header("content-length"),
        reqs[1].header("content-length")
    );
    for r in &reqs {
        common::verify_v4(r, "bucket", "src.jpg", "secret", "cn-hangzhou").unwrap();
    }
    let logs = logs.0.lock().unwrap();
    assert!(
        logs.iter()
            .any(|l| l.contains("attempt 1/3") && l.contains("retrying")),
        "a retry is logged at debug level: {logs:?}"
    );
}

#[test]
fn a_503_three_times_fails_with_the_last_service_error() {
    let server = Server::start(5, Duration::from_secs(10), |i, _| {
        Reply::xml_error(
            503,
            "ServiceUnavailable",
            &format!("busy {i}"),
            &format!("RID-{i}"),
            "",
        )
    });
    let err = client(&server, fast_retry(), Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert_eq!(server.count(), 3, "3 attempts, the first included");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("RID-2"), "the last attempt's error");
}

#[test]
fn a_configured_attempt_count_is_honoured() {
    let server = Server::always(10, Reply::xml_error(500, "InternalError", "x", "R", ""));
    let _ = client(
        &server,
        fast_retry().max_attempts(5),
        Duration::from_secs(5),
    )
    .process_object("bucket", "src.jpg", PROCESS)
    .unwrap_err();
    assert_eq!(server.count(), 5);

    let server = Server::always(10, Reply::xml_error(500, "InternalError", "x", "R", ""));
    let _ = client(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert_eq!(server.count(), 1, "NoRetry turns retries off");
}

#[test]
fn other_4xx_are_never_retried() {
    for (status, code) in [
        (403, "SignatureDoesNotMatch"),
        (404, "NoSuchKey"),
        (400, "InvalidArgument"),
        (403, "AccessDenied"),
    ] {
        let server = Server::always(5, Reply::xml_error(status, code, "no", "R", ""));
        let err = client(&server, fast_retry(), Duration::from_secs(5))
            .process_object("bucket", "src.jpg", PROCESS)
            .unwrap_err();
        assert_eq!(err.code(), Some(code));
        assert_eq!(server.count(), 1, "{code} must not be retried");
    }
    for (status, code) in [(408, "RequestTimeout"), (429, "TooManyRequests")] {
        let server = Server::start(2, Duration::from_secs(10), move |i, _| match i {
            0 => Reply::xml_error(status, code, "later", "R", ""),
            _ => ok(),
        });
        client(&server, fast_retry(), Duration::from_secs(5))
            .process_object("bucket", "src.jpg", PROCESS)
            .unwrap();
        assert_eq!(server.count(), 2, "{status} is retried");
    }
}

#[test]
fn a_reset_in_the_middle_of_the_response_is_retried() {
    let server = Server::start(2, Duration::from_secs(10), |i, _| match i {
        0 => Reply::ResetMidBody {
            status: 200,
            declared_len: 80,
            sent: br#"{"bucket": "b", "fileS"#.to_vec(),
        },
        _ => ok(),
    });
    let result = client(&server, fast_retry(), Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap();
    assert_eq!(result.file_size(), 42);
    assert_eq!(server.count(), 2);

    let server = Server::always(
        1,
        Reply::ResetMidBody {
            status: 200,
            declared_len: 80,
            sent: b"{".to_vec(),
        },
    );
    let err = client(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. }),
        "a truncated answer is a transport error: {err:?}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_close_before_any_header_is_retried() {
    let server = Server::start(2, Duration::from_secs(10), |i, _| match i {
        0 => Reply::CloseBeforeHeaders,
        _ => ok(),
    });
    client(&server, fast_retry(), Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[test]
fn a_connection_refused_is_a_transport_error_after_the_attempts() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    #[derive(Debug)]
    struct Counting(StandardRetry, Arc<AtomicUsize>);
    impl RetryPolicy for Counting {
        fn attempts(&self) -> u32 {
            self.0.attempts()
        }
        fn is_retryable(&self, e: &Error, attempt: u32) -> bool {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.is_retryable(e, attempt)
        }
        fn backoff(&self, retry: u32) -> Duration {
            self.0.backoff(retry)
        }
    }
    let seen = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("id", "secret"))
        .retry_policy(Counting(fast_retry(), Arc::clone(&seen)))
        .build()
        .unwrap();
    let err = client
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "two failed attempts were judged retryable, the third ended it"
    );
}

#[test]
fn a_silent_server_times_out_within_the_bound() {
    let server = Server::always(4, Reply::Silent);
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = client(&server, NoRetry, timeout)
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < timeout + Duration::from_secs(2), "{elapsed:?}");

    // With retries, the whole call stays within attempts x timeout + backoff.
    let server = Server::always(4, Reply::Silent);
    let policy = fast_retry();
    let started = Instant::now();
    let err = client(&server, policy, timeout)
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.count(), 3);
    let bound = timeout * 3
        + policy.backoff_ceiling(1)
        + policy.backoff_ceiling(2)
        + Duration::from_secs(2);
    assert!(elapsed < bound, "{elapsed:?} >= {bound:?}");
}

#[test]
fn a_slow_drip_past_the_timeout_is_a_timeout() {
    let server = Server::always(
        1,
        Reply::Drip {
            status: 200,
            body: br#"{"bucket": "b", "fileSize": 1, "object": "k", "status": "OK"}"#.to_vec(),
            interval: Duration::from_millis(50),
        },
    );
    let started = Instant::now();
    let err = client(&server, NoRetry, Duration::from_millis(400))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_oversized_or_endless_body_is_an_error_not_unbounded_memory() {
    let big = format!(
        r#"{{"bucket": "{}", "fileSize": 1, "object": "k", "status": "OK"}}"#,
        "x".repeat(2 << 20)
    );
    let server = Server::always(
        1,
        Reply::with(200, "application/json", big).header("x-oss-request-id", "RID-BIG"),
    );
    let err = client(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("RID-BIG"));
    assert!(err.to_string().contains("1048576-byte cap"), "{err}");

    let server = Server::always(1, Reply::Endless { status: 200 });
    let started = Instant::now();
    let err = client(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // An endless error body still yields a service error with the status.
    let server = Server::always(1, Reply::Endless { status: 500 });
    let err = client(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
}

#[test]
fn request_time_too_skewed_teaches_the_server_clock() {
    let hour = Duration::from_secs(3600);
    let server = Server::start(3, Duration::from_secs(10), move |i, req| {
        let server_now = SystemTime::now() + hour;
        let date = common::http_date(server_now);
        let signed = req
            .header("x-oss-date")
            .and_then(common::parse_iso_basic)
            .unwrap();
        let skew = server_now
            .duration_since(signed)
            .unwrap_or_else(|e| e.duration());
        if i == 0 || skew > Duration::from_secs(15 * 60) {
            Reply::xml_error(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                "RID-SKEW",
                "0002-00000504",
            )
            .header("Date", &date)
        } else {
            ok()
        }
    });
    let client = client(&server, fast_retry(), Duration::from_secs(5));
    client.process_object("bucket", "src.jpg", PROCESS).unwrap();
    assert_eq!(
        server.count(),
        2,
        "the second attempt, signed with the learned offset, succeeds"
    );
    let offset = client.clock_offset_millis();
    assert!((3_590_000..3_610_000).contains(&offset), "{offset}");
    // Later calls sign with the offset from the start.
    client.process_object("bucket", "src.jpg", PROCESS).unwrap();
    assert_eq!(server.count(), 3);
}

#[test]
fn an_absurd_server_date_is_not_trusted() {
    let server = Server::always(
        3,
        Reply::xml_error(403, "RequestTimeTooSkewed", "skewed", "R", "")
            .header("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
    );
    let client = client(&server, fast_retry(), Duration::from_secs(5));
    let err = client
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(client.clock_offset_millis(), 0);
}
