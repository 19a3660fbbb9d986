//! The client against a hostile network, one scenario per row: servers and
//! proxies that skew their clocks, drip, stall, cut, reset, queue a task and
//! then vanish, answer over the cap, throttle with `Retry-After`, or answer
//! a page instead of an image. Every scenario runs on the loopback kit in
//! `tests/common`, bounded in requests and time. The races repeat inside
//! their test.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::{Recorded, Reply, Server};
use oss_process::{Client, Credentials, Error, NoRetry, RetryPolicy, StandardRetry};

const PROCESS: &str = "image/resize,w_100|sys/saveas,o_dC5qcGc";
const ASYNC: &str = "doc/convert,target_pdf,source_docx|sys/saveas,o_dC5wZGY";

fn fast_retry() -> StandardRetry {
    StandardRetry::new().base_delay(Duration::from_millis(2))
}

fn builder(server: &Server) -> oss_process::ClientBuilder {
    Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("id", "secret"))
        .connect_timeout(Duration::from_secs(2))
}

fn client_for(
    server: &Server,
    policy: impl RetryPolicy + 'static,
    read_timeout: Duration,
) -> Client {
    builder(server)
        .retry_policy(policy)
        .read_timeout(read_timeout)
        .build()
        .unwrap()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

// --- 1. Clock skew: learned by setting, never by summing -------------------

/// `|a - b|`.
fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or(Duration::MAX)
}

/// 16 threads x 16 calls on one client against a server `skew_secs` off;
/// returns the requests the server saw.
fn skewed_run(skew_secs: i64) -> (Vec<Recorded>, usize) {
    let server = Server::builder()
        .clock_offset(skew_secs)
        .max_requests(16 * 16 * 3)
        .start(|i, _| Reply::process_ok("b", "t.jpg", 1, &format!("R{i}")));
    let client = client_for(&server, fast_retry(), Duration::from_secs(5));
    std::thread::scope(|scope| {
        for _ in 0..16 {
            let client = client.clone();
            scope.spawn(move || {
                for _ in 0..16 {
                    client
                        .process_object("bucket", "src.jpg", PROCESS)
                        .expect("every call succeeds");
                }
            });
        }
    });
    let offset = client.clock_offset_millis();
    assert!(
        (offset - skew_secs * 1000).abs() <= 2_000,
        "learned {offset} ms for a skew of {skew_secs} s"
    );
    (server.requests(), server.skew_refusals())
}

#[test]
fn sixteen_threads_learning_one_skew_agree_on_it() {
    for round in 0..20 {
        for skew in [-8 * 3600, 3600] {
            let (requests, refusals) = skewed_run(skew);
            // Each thread needs one extra attempt at most: its first call.
            assert!(
                requests.len() <= 256 + 16,
                "round {round}, skew {skew}: {} requests, {refusals} refused",
                requests.len()
            );
            assert_eq!(requests.len(), 256 + refusals, "round {round}");
            for r in &requests {
                let signed = r.signed_at().expect("x-oss-date");
                let off = distance(signed, r.received);
                assert!(
                    off <= Duration::from_secs(skew.unsigned_abs() + 2),
                    "round {round}, skew {skew}: a request signed {} s from the local clock",
                    secs(off)
                );
            }
        }
    }
}

// --- 3. Atomic saves between threads ----------------------------------------

/// Body number `i`: its number, then 32 KiB of one byte that depends on
/// it, so that a file mixing two bodies, or cut short, is told apart.
fn body_of(i: usize) -> Vec<u8> {
    let mut body = vec![fill_of(i); 32 * 1024];
    body[..8].copy_from_slice(&(i as u64).to_le_bytes());
    body
}

fn fill_of(i: usize) -> u8 {
    (i % 251) as u8 + 1
}

/// Whether `file` is exactly one body.
fn is_one_body(file: &[u8]) -> bool {
    if file.len() != 32 * 1024 {
        return false;
    }
    let i = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    file[8..].iter().all(|&b| b == fill_of(i))
}

#[test]
fn threads_saving_to_one_path_leave_one_whole_body_and_no_temporary_file() {
    // On a memory file system where there is one: the race is in names and
    // renames, and 8,000 disk syncs would only make the test slow.
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("oss-process-saves-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("thumb.jpg");
    for round in 0..20 {
        let server = Server::builder()
            .max_requests(8 * 50)
            .start(|i, _| Reply::with(200, "image/jpeg", body_of(i)));
        let client = client_for(&server, NoRetry, Duration::from_secs(5));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                let (client, dest) = (client.clone(), &dest);
                scope.spawn(move || {
                    for _ in 0..50 {
                        let object = client
                            .get_processed("bucket", "src.jpg", "image/resize,w_10")
                            .unwrap();
                        object.save_to(dest).unwrap();
                        let now = std::fs::read(dest).unwrap();
                        assert!(is_one_body(&now), "round {round}: a mixed or cut file");
                    }
                });
            }
        });
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["thumb.jpg"], "round {round}: {left:?}");
    }
    // A cut and a reset in the middle of the body leave the old file.
    std::fs::write(&dest, b"old").unwrap();
    let whole = Reply::with(200, "image/jpeg", body_of(1));
    let server =
        Server::builder().sequence(vec![whole.clone().cut_after(1000), whole.reset_after(1000)]);
    let client = client_for(&server, NoRetry, Duration::from_secs(5));
    for _ in 0..2 {
        let object = client
            .get_processed("bucket", "src.jpg", "image/resize,w_10")
            .unwrap();
        let err = object.save_to(&dest).unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

// --- 4. Deadlines ------------------------------------------------------------

/// Runs `call` and checks it fails with a timeout within `deadline + 1 s`.
fn times_out_within<T: std::fmt::Debug>(
    name: &str,
    deadline: Duration,
    call: impl FnOnce() -> Result<T, Error>,
) {
    let started = Instant::now();
    let err = call().expect_err(name);
    let took = started.elapsed();
    assert!(err.is_timeout(), "{name}: {err:?}");
    assert!(
        took <= deadline + Duration::from_secs(1),
        "{name}: took {} s for a deadline of {} s",
        secs(took),
        secs(deadline)
    );
}

#[test]
fn every_slow_shape_of_answer_ends_within_its_deadline() {
    let deadline = Duration::from_secs(2);
    let slow = Duration::from_millis(300);
    let error = Reply::xml_error(503, "ServiceUnavailable", "busy", "RID-503", "0001-0000");
    let rows: Vec<(&str, Reply)> = vec![
        (
            "headers dripped",
            Reply::process_ok("b", "t", 1, "R").drip_head(slow),
        ),
        ("error body dripped", error.drip_body(slow)),
        (
            "result body dripped",
            Reply::process_ok("b", "t", 1, "R")
                .pad_body_to(4096)
                .drip_body(slow),
        ),
        (
            "silent after the headers",
            Reply::process_ok("b", "t", 1, "R").silent_after_head(),
        ),
        ("silent", Reply::Silent),
    ];
    for (name, reply) in rows {
        let server = Server::builder()
            .max_requests(10)
            .max_time(Duration::from_secs(20))
            .start(move |_, _| reply.clone());
        // The whole call's deadline, every retry included.
        let client = builder(&server)
            .retry_policy(fast_retry())
            .read_timeout(Duration::from_secs(10))
            .call_timeout(deadline)
            .build()
            .unwrap();
        times_out_within(name, deadline, || {
            client.process_object("bucket", "src.jpg", PROCESS)
        });
    }
}

#[test]
fn a_download_is_bounded_by_its_own_deadline_and_a_stall_by_the_read_timeout() {
    let image = Reply::with(200, "image/jpeg", body_of(7));
    // A body that drips: fine per read, too slow in all.
    let server = Server::builder().max_requests(2).start({
        let image = image.clone();
        move |_, _| image.clone().drip_body(Duration::from_millis(50))
    });
    let client = builder(&server)
        .retry_policy(NoRetry)
        .read_timeout(Duration::from_secs(5))
        .download_timeout(Some(Duration::from_secs(2)))
        .build()
        .unwrap();
    times_out_within("download dripped", Duration::from_secs(2), || {
        client
            .get_processed("bucket", "src.jpg", "image/resize,w_10")?
            .copy_to(&mut std::io::sink())
    });
    // A body that stops: the read timeout says so, as a timeout.
    let server = Server::builder()
        .max_requests(2)
        .start(move |_, _| image.clone().silent_after_head());
    let client = builder(&server)
        .retry_policy(NoRetry)
        .read_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    times_out_within("download stalled", Duration::from_millis(500), || {
        client
            .get_processed("bucket", "src.jpg", "image/resize,w_10")?
            .copy_to(&mut std::io::sink())
    });
    // Per call: a handle with a shorter deadline, sharing the pool.
    let server = Server::always(5, Reply::Silent);
    let client = client_for(&server, fast_retry(), Duration::from_secs(30));
    let hurried = client.with_call_timeout(Some(Duration::from_millis(800)));
    times_out_within("per-call deadline", Duration::from_millis(800), || {
        hurried.process_object("bucket", "src.jpg", PROCESS)
    });
}

// --- 5. Asynchronous tasks are queued at most once ---------------------------

#[test]
fn an_async_task_that_may_be_queued_is_never_sent_again() {
    let rows: Vec<(&str, Reply)> = vec![
        // Queued, then the answer comes after the read timeout.
        (
            "answer too late",
            Reply::async_ok("R1").delay(Duration::from_millis(1500)),
        ),
        // Queued, then the connection is reset before any answer.
        ("reset", Reply::Reset),
        // Queued, then the answer is cut in its body.
        ("cut", Reply::async_ok("R2").cut_after(10)),
        // A gateway's 502 page: the service behind it may have queued it.
        (
            "gateway page",
            Reply::with(502, "text/html", "<html>Bad Gateway</html>"),
        ),
    ];
    for (name, reply) in rows {
        let server = Server::builder()
            .max_requests(5)
            .start(move |_, _| reply.clone());
        let client = client_for(&server, fast_retry(), Duration::from_millis(500));
        let err = client
            .async_process_object("bucket", "talk.docx", ASYNC)
            .unwrap_err();
        assert!(
            matches!(err, Error::TaskMayBeQueued { .. }),
            "{name}: {err:?}"
        );
        assert!(
            err.to_string().contains("may have been queued"),
            "{name}: {err}"
        );
        assert_eq!(server.count(), 1, "{name}: sent once");
        assert!(server.queued() <= 1, "{name}");
    }
}

#[test]
fn an_async_task_refused_by_the_service_or_never_sent_is_retried() {
    // OSS refused it (an OSS error body): nothing queued, so try again.
    let server = Server::builder().sequence(vec![
        Reply::xml_error(503, "ServiceUnavailable", "busy", "R1", "0001-0000"),
        Reply::xml_error(429, "Throttling", "slow down", "R2", "0001-0001"),
        Reply::async_ok("R3"),
    ]);
    let client = client_for(
        &server,
        fast_retry().max_attempts(3),
        Duration::from_secs(2),
    );
    let task = client
        .async_process_object("bucket", "talk.docx", ASYNC)
        .unwrap();
    assert_eq!(task.task_id(), "AsyncProcess-kit-R3");
    assert_eq!((server.count(), server.queued()), (3, 1));

    // Nothing listens: surely not sent, retried, and a transport error.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("id", "secret"))
        .retry_policy(fast_retry())
        .build()
        .unwrap();
    let err = client
        .async_process_object("bucket", "talk.docx", ASYNC)
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    // A sync saveas rewrites the same target: still retried after a reset.
    let server = Server::builder().sequence(vec![
        Reply::Reset,
        Reply::process_ok("b", "t.jpg", 1, "R-OK"),
    ]);
    let client = client_for(&server, fast_retry(), Duration::from_secs(2));
    client.process_object("bucket", "src.jpg", PROCESS).unwrap();
    assert_eq!(server.count(), 2);
}

// --- 6. The smaller ones -----------------------------------------------------

#[test]
fn an_error_body_over_the_cap_keeps_its_code_and_ids() {
    let reply = Reply::xml_error(
        503,
        "ServiceUnavailable",
        "busy",
        "RID-BIG",
        "0001-00000503",
    )
    .pad_body_to(3 << 20)
    .header("x-oss-request-id", "RID-BIG");
    let server = Server::always(1, reply);
    let err = client_for(&server, NoRetry, Duration::from_secs(5))
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    let service = err.as_service().expect("a service error");
    assert_eq!(
        (
            service.code.as_str(),
            service.request_id.as_str(),
            service.ec.as_str()
        ),
        ("ServiceUnavailable", "RID-BIG", "0001-00000503"),
        "{err}"
    );
    assert!(service.message.contains("cut"), "{err}");
}

#[test]
fn tls_failures_are_not_retried_and_say_tls() {
    // An https endpoint whose server answers the TLS hello in plain HTTP:
    // the handshake cannot work, and trying again cannot mend it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let server = std::thread::spawn(move || {
        let mut accepted = 0;
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    use std::io::{Read, Write};
                    accepted += 1;
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut hello = [0u8; 512];
                    let _ = stream.read(&mut hello);
                    let _ =
                        stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        accepted
    });
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(format!("https://{addr}"))
        .credentials(Credentials::new("id", "secret"))
        .retry_policy(fast_retry())
        .build()
        .unwrap();
    let err = client
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    // Time for a retry to connect, were there one.
    std::thread::sleep(Duration::from_millis(300));
    done.store(true, Ordering::SeqCst);
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().starts_with("TLS handshake failed"), "{err}");
    assert!(!err.is_transient());
    assert_eq!(server.join().unwrap(), 1, "one attempt");
}

#[test]
fn a_200_whose_status_is_not_ok_is_an_error_but_an_empty_200_is_not() {
    let server = Server::builder().sequence(vec![
        Reply::process_status("b", "t.jpg", 0, "RID-F", "Failed"),
        Reply::with(200, "application/json", ""),
    ]);
    let client = client_for(&server, NoRetry, Duration::from_secs(2));
    let err = client
        .process_object("bucket", "src.jpg", PROCESS)
        .unwrap_err();
    assert_eq!(err.request_id(), Some("RID-F"), "{err:?}");
    assert!(err.to_string().contains("not OK"), "{err}");
    let ok = client.process_object("bucket", "src.jpg", PROCESS).unwrap();
    assert_eq!(ok.file_size(), 0);
}

#[test]
fn save_to_refuses_an_empty_or_html_answer_and_keeps_the_old_file() {
    let dir = std::env::temp_dir().join(format!("oss-process-portal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("cat.jpg");
    std::fs::write(&dest, b"old").unwrap();
    let server =
        Server::builder().sequence(vec![Reply::html_page(), Reply::with(200, "image/jpeg", "")]);
    let client = client_for(&server, NoRetry, Duration::from_secs(2));
    for what in ["html", "empty"] {
        let err = client
            .get_processed("bucket", "cat.jpg", "image/resize,w_10")
            .unwrap()
            .save_to(&dest)
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{what}: {err:?}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"old", "{what}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn retry_after_is_honoured_within_the_policy() {
    // (header value, at least, at most) for a policy capped at 1.5 s. The
    // HTTP date is 2 s ahead when made, so 1 to 2 s away once whole seconds
    // are cut: at least 0.9 s, and capped at 1.5 s.
    type Value = Box<dyn Fn() -> String>;
    let rows: Vec<(Value, Duration, Duration)> = vec![
        (
            Box::new(|| "1".into()),
            Duration::from_millis(950),
            Duration::from_millis(1400),
        ),
        (
            Box::new(|| common::http_date(SystemTime::now() + Duration::from_secs(2))),
            Duration::from_millis(900),
            Duration::from_millis(2000),
        ),
        (
            Box::new(|| "60".into()),
            Duration::from_millis(1450),
            Duration::from_millis(2000),
        ),
    ];
    for (value, at_least, at_most) in rows {
        for status in [429, 503] {
            let value = value();
            let throttled = Reply::xml_error(status, "Throttling", "slow", "R", "0001")
                .header("Retry-After", &value);
            let server =
                Server::builder().sequence(vec![throttled, Reply::process_ok("b", "t", 1, "R")]);
            let policy = StandardRetry::new()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(1500));
            let client = client_for(&server, policy, Duration::from_secs(2));
            let started = Instant::now();
            client.process_object("bucket", "src.jpg", PROCESS).unwrap();
            let waited = started.elapsed();
            assert!(
                waited >= at_least && waited <= at_most,
                "Retry-After {value:?} on {status}: waited {} s",
                secs(waited)
            );
        }
    }
}

// --- Issue 18: sizes, names and endpoints ------------------------------------

#[test]
fn a_download_over_the_cap_fails_before_its_body_is_read() {
    // Announces 2 GiB and sends a little: refused at the headers.
    let server = Server::always(
        2,
        Reply::ResetMidBody {
            status: 200,
            declared_len: 2 << 30,
            sent: vec![b'x'; 100],
        },
    );
    let client = builder(&server)
        .retry_policy(NoRetry)
        .max_download_size(Some(1 << 20))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get_processed("bucket", "src.jpg", "image/resize,w_10")
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Without a Content-Length, the cap stops the body as it grows.
    let server = Server::always(2, Reply::Endless { status: 200 });
    let client = builder(&server)
        .retry_policy(NoRetry)
        .max_download_size(Some(1 << 20))
        .build()
        .unwrap();
    let err = client
        .get_processed("bucket", "src.jpg", "image/resize,w_10")
        .unwrap()
        .copy_to(&mut std::io::sink())
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("1048576-byte cap"), "{err}");
}

#[test]
fn save_to_takes_any_name_the_file_system_does() {
    let dir = std::env::temp_dir().join(format!("oss-process-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::always(2, Reply::with(200, "image/jpeg", body_of(3)));
    let client = client_for(&server, NoRetry, Duration::from_secs(2));
    let long = dir.join(format!("{}.jpg", "猫".repeat(82))); // 250 bytes
    client
        .get_processed("bucket", "src.jpg", "image/resize,w_10")
        .unwrap()
        .save_to(&long)
        .unwrap();
    assert_eq!(std::fs::read(&long).unwrap(), body_of(3));
    std::fs::remove_dir_all(&dir).unwrap();
}
