//! Fault injection in the emulator, as a user's retry tests would use it:
//! injected errors reach the client with their status, Code and
//! `Retry-After`; the client's retries get through once the fault is spent;
//! filters by key, bucket and kind of call; resets and delays; the request
//! log names what was injected.

#![cfg(feature = "emulator")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{AK, SK, png, signed};
use oss_process::emulator::{Emulator, Fault, RequestKind};
use oss_process::{Client, Credentials, Error, NoRetry, RetryPolicy, StandardRetry};

const BUCKET: &str = "examplebucket";
const SAVE: &str = "image/resize,w_32|sys/saveas,o_dGh1bWIucG5n";

fn setup() -> Emulator {
    let emulator = common::emulator();
    emulator.put_object(BUCKET, "a.png", &png(64, 48)).unwrap();
    emulator.put_object(BUCKET, "b.png", &png(64, 48)).unwrap();
    emulator
}

fn client(emulator: &Emulator, policy: impl RetryPolicy + 'static) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .retry_policy(policy)
        .read_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn fast_retry() -> StandardRetry {
    StandardRetry::new()
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(50))
}

#[test]
fn an_injected_error_reaches_the_client_with_its_code_and_retry_after() {
    let emulator = setup();
    let fault = emulator.inject(
        Fault::error(503, "ServiceUnavailable")
            .message("Please reduce your request rate.")
            .retry_after(Duration::from_secs(7)),
    );
    let e = client(&emulator, NoRetry)
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap_err();
    let Error::Service(s) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (s.status, s.code.as_str(), s.message.as_str()),
        (
            503,
            "ServiceUnavailable",
            "Please reduce your request rate."
        )
    );
    assert_eq!(s.retry_after, Some(Duration::from_secs(7)));
    assert!(common::is_request_id(s.request_id.as_str()), "{s:?}");
    assert_eq!((fault.hits(), fault.remaining()), (1, Some(0)));
    // Spent: the next call is served.
    client(&emulator, NoRetry)
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap();
}

#[test]
fn retries_get_through_once_the_fault_is_spent() {
    // Repeated: each round arms two failures and must succeed on the third try.
    let emulator = setup();
    let client = client(&emulator, fast_retry().max_attempts(3));
    for round in 0..5 {
        let fault = emulator.inject(Fault::error(500, "InternalError").times(2));
        let result = client.process_object(BUCKET, "a.png", SAVE).unwrap();
        assert_eq!(result.key(), "thumb.png");
        assert_eq!(fault.hits(), 2, "round {round}");
    }
    // Three failures exhaust three attempts.
    let fault = emulator.inject(Fault::error(500, "InternalError").times(3));
    let e = client.process_object(BUCKET, "a.png", SAVE).unwrap_err();
    assert_eq!(e.code(), Some("InternalError"));
    assert_eq!(fault.hits(), 3);
}

#[test]
fn faults_catch_only_their_key_bucket_or_kind() {
    let emulator = setup();
    let client = client(&emulator, NoRetry);
    let by_key = emulator.inject(Fault::error(500, "InternalError").key("b.png").always());
    for _ in 0..3 {
        client.process_object(BUCKET, "a.png", SAVE).unwrap();
        let e = client.process_object(BUCKET, "b.png", SAVE).unwrap_err();
        assert_eq!(e.code(), Some("InternalError"));
    }
    assert_eq!(by_key.hits(), 3);
    by_key.remove();
    client.process_object(BUCKET, "b.png", SAVE).unwrap();

    // Only asynchronous processing is throttled; synchronous calls pass.
    let by_kind = emulator.inject(
        Fault::error(429, "QpsLimitExceeded")
            .on(RequestKind::AsyncProcess)
            .always(),
    );
    client.process_object(BUCKET, "a.png", SAVE).unwrap();
    let e = client
        .async_process_object(
            BUCKET,
            "a.png",
            "image/deblindwatermark,s_low,t_text|sys/notify,topic_dA",
        )
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(429), Some("QpsLimitExceeded"))
    );
    assert_eq!(by_kind.hits(), 1);
    emulator.clear_faults();

    // A bucket filter: another bucket is not affected.
    emulator
        .put_object("otherbucket", "a.png", &png(8, 8))
        .unwrap();
    emulator.inject(Fault::error(403, "AccessDenied").bucket("otherbucket"));
    client.process_object(BUCKET, "a.png", SAVE).unwrap();
    let e = client
        .process_object("otherbucket", "a.png", SAVE)
        .unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
}

#[test]
fn faults_come_before_the_signature_check_and_are_answered_to_head() {
    let emulator = setup();
    emulator.inject(Fault::error(503, "ServiceUnavailable").times(2));
    let wrong = Credentials::new(AK, "not-the-secret");
    let send = |request: &str, credentials: &Credentials| {
        signed(
            &emulator,
            BUCKET,
            request,
            &[],
            &[],
            credentials,
            SystemTime::now(),
        )
    };
    let raw = send("GET a.png", &wrong);
    assert_eq!(
        (raw.status, raw.error_code()),
        (503, "ServiceUnavailable".into())
    );
    let raw = send("HEAD a.png", &Credentials::new(AK, SK));
    assert_eq!(raw.status, 503);
    assert!(raw.header("x-oss-err").is_some(), "{raw:?}");
    let raw = send("GET a.png", &wrong);
    assert_eq!(raw.error_code(), "SignatureDoesNotMatch");
}

#[test]
fn a_reset_is_a_transient_transport_error_and_is_retried() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let emulator = Emulator::builder()
        .credentials(Credentials::new(AK, SK))
        .on_request(move |r| log.lock().unwrap().push(r.to_string()))
        .start()
        .unwrap();
    emulator.put_object(BUCKET, "a.png", &png(64, 48)).unwrap();
    let reset = emulator.inject(Fault::reset().on(RequestKind::Process));
    let e = client(&emulator, NoRetry)
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport { .. }) && e.is_transient(),
        "{e:?}"
    );
    assert_eq!(reset.hits(), 1);
    emulator.inject(Fault::reset().times(2));
    client(&emulator, fast_retry().max_attempts(3))
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap();
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains(" 0 ") && lines[0].ends_with("(reset)"),
        "{lines:?}"
    );
    assert!(lines[3].contains(" 200 "), "{lines:?}");
}

#[test]
fn a_delay_trips_the_client_read_timeout_then_answers() {
    let emulator = setup();
    emulator.inject(Fault::delay(Duration::from_secs(3)));
    let impatient = Client::builder()
        .region("cn-hangzhou")
        .endpoint(emulator.endpoint())
        .credentials(Credentials::new(AK, SK))
        .retry_policy(NoRetry)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = impatient.process_object(BUCKET, "a.png", SAVE).unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // A delayed error, and a delayed answer that arrives in time.
    emulator.inject(Fault::error(500, "InternalError").after(Duration::from_millis(200)));
    let started = Instant::now();
    let e = client(&emulator, NoRetry)
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap_err();
    assert_eq!(e.code(), Some("InternalError"));
    assert!(started.elapsed() >= Duration::from_millis(200));
    emulator.inject(Fault::delay(Duration::from_millis(200)));
    let started = Instant::now();
    client(&emulator, NoRetry)
        .process_object(BUCKET, "a.png", SAVE)
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
}
