//! A self-test of the hostile-server kit in `tests/common`: each scenario
//! of the "trustworthy on hostile networks" work is a row of a table, and
//! a raw client checks that the server really does it on the wire (what
//! bytes come, how fast, and whether the connection ends with a close, a
//! reset or silence); then the skewed clock with 16 threads, the queued-task
//! count, and the server's own bounds.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{Reply, Server, iso_basic, parse_iso_basic};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// How a connection looked from the client.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Ended {
    /// The server closed (FIN).
    Closed,
    /// The server reset the connection (RST).
    Reset,
    /// Nothing more came for the quiet period; the connection stayed open.
    Quiet,
}

/// What a raw client saw after sending one request.
#[derive(Debug)]
struct Seen {
    bytes: Vec<u8>,
    ended: Ended,
    /// When the first byte came, from the end of the request.
    first_byte: Option<Duration>,
    /// When the last byte came.
    last_byte: Option<Duration>,
    /// How many reads returned bytes.
    reads: usize,
}

impl Seen {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Sends `request` and reads until the server closes, resets, or is quiet
/// for `quiet`.
fn exchange_on(stream: &mut TcpStream, request: &[u8], quiet: Duration) -> Seen {
    stream.set_read_timeout(Some(quiet)).unwrap();
    stream.write_all(request).unwrap();
    let sent = Instant::now();
    let mut seen = Seen {
        bytes: Vec::new(),
        ended: Ended::Quiet,
        first_byte: None,
        last_byte: None,
        reads: 0,
    };
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => {
                seen.ended = Ended::Closed;
                break;
            }
            Ok(n) => {
                seen.bytes.extend_from_slice(&buf[..n]);
                seen.first_byte.get_or_insert(sent.elapsed());
                seen.last_byte = Some(sent.elapsed());
                seen.reads += 1;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                seen.ended = Ended::Quiet;
                break;
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                seen.ended = Ended::Reset;
                break;
            }
            Err(e) => panic!("unexpected read error {e:?}"),
        }
    }
    seen
}

/// Sends `request` and reads one whole response (head and
/// `Content-Length` body), leaving the connection open.
fn round_trip(stream: &mut TcpStream, request: &[u8]) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).expect("a response");
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n")
            && body.len() >= declared_len(head)
        {
            return text;
        }
    }
}

fn exchange(addr: SocketAddr, request: &[u8], quiet: Duration) -> Seen {
    let mut stream = TcpStream::connect(addr).unwrap();
    exchange_on(&mut stream, request, quiet)
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: kit\r\n\r\n").into_bytes()
}

fn post(target: &str, body: &str, date: Option<&str>) -> Vec<u8> {
    let date = date.map_or(String::new(), |d| format!("x-oss-date: {d}\r\n"));
    format!(
        "POST {target} HTTP/1.1\r\nHost: kit\r\n{date}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn ok() -> Reply {
    Reply::process_ok("b", "k.jpg", 3, "RID-OK")
}

fn xml_503() -> Reply {
    Reply::xml_error(
        503,
        "ServiceUnavailable",
        "busy",
        "RID-503",
        "0000-00000002",
    )
}

/// The length a head announces.
fn declared_len(text: &str) -> usize {
    text.lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn body_of(text: &str) -> &str {
    text.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// What a row expects of the wire.
struct Expect {
    ended: Ended,
    /// A text the bytes start with.
    starts: &'static str,
    /// Body bytes that arrive, if the head says how many the body has.
    body_bytes: Option<fn(usize) -> usize>,
    /// Least time before the first byte.
    first_byte_after: Duration,
    /// Least time before the last byte.
    last_byte_after: Duration,
    /// Least number of reads the bytes took (a drip arrives in pieces).
    min_reads: usize,
}

const EXPECT: Expect = Expect {
    ended: Ended::Quiet,
    starts: "HTTP/1.1 200 OK\r\n",
    body_bytes: Some(|n| n),
    first_byte_after: Duration::ZERO,
    last_byte_after: Duration::ZERO,
    min_reads: 1,
};

#[test]
fn every_hostile_scenario_is_a_row_and_does_what_it_says_on_the_wire() {
    let small = || Reply::with(200, "text/plain", "0123456789");
    let rows: Vec<(&str, Reply, Expect)> = vec![
        ("a plain answer, kept alive", ok(), EXPECT),
        (
            "delayed (queues, then answers after the client's timeout)",
            Reply::async_ok("RID-A").delay(ms(300)),
            Expect {
                first_byte_after: ms(300),
                ..EXPECT
            },
        ),
        (
            "drips its headers",
            small().drip_head(ms(5)),
            Expect {
                last_byte_after: ms(5 * 50),
                min_reads: 10,
                ..EXPECT
            },
        ),
        (
            "drips an error body",
            xml_503().drip_body(ms(1)),
            Expect {
                starts: "HTTP/1.1 503 ",
                last_byte_after: ms(300),
                min_reads: 10,
                ..EXPECT
            },
        ),
        (
            "drips a 200 body",
            small().drip_body(ms(30)),
            Expect {
                last_byte_after: ms(9 * 30),
                min_reads: 5,
                ..EXPECT
            },
        ),
        (
            "silent after headers",
            ok().silent_after_head(),
            Expect {
                body_bytes: Some(|_| 0),
                ..EXPECT
            },
        ),
        (
            "cut mid-body (close)",
            ok().cut_after(5),
            Expect {
                ended: Ended::Closed,
                body_bytes: Some(|_| 5),
                ..EXPECT
            },
        ),
        (
            "reset mid-body",
            ok().reset_after(5),
            Expect {
                ended: Ended::Reset,
                body_bytes: Some(|_| 5),
                ..EXPECT
            },
        ),
        (
            "queues, then resets",
            Reply::Reset,
            Expect {
                ended: Ended::Reset,
                starts: "",
                body_bytes: None,
                ..EXPECT
            },
        ),
        (
            "closes before headers",
            Reply::CloseBeforeHeaders,
            Expect {
                ended: Ended::Closed,
                starts: "",
                body_bytes: None,
                ..EXPECT
            },
        ),
        (
            "never answers",
            Reply::Silent,
            Expect {
                starts: "",
                body_bytes: None,
                ..EXPECT
            },
        ),
        (
            "answers arbitrary bytes",
            Reply::bytes("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n"),
            Expect {
                ended: Ended::Closed,
                body_bytes: None,
                ..EXPECT
            },
        ),
        (
            "an oversized error body, Code first",
            xml_503().pad_body_to(2 << 20),
            Expect {
                starts: "HTTP/1.1 503 ",
                ..EXPECT
            },
        ),
        (
            "Retry-After on 503",
            xml_503().header("Retry-After", "2"),
            Expect {
                starts: "HTTP/1.1 503 ",
                ..EXPECT
            },
        ),
        (
            "a zero-byte 200",
            Reply::with(200, "image/jpeg", ""),
            EXPECT,
        ),
        ("an HTML 200 (a captive portal)", Reply::html_page(), EXPECT),
        (
            "a JSON status that is not OK",
            Reply::process_status("b", "k.jpg", 0, "RID-F", "Failed"),
            EXPECT,
        ),
    ];
    for (name, reply, expect) in rows {
        let server = Server::always(1, reply);
        let request = post("/b/k.jpg?x-oss-process", "x-oss-process=a", None);
        let seen = exchange(server.addr(), &request, ms(300));
        let text = seen.text();
        assert_eq!(seen.ended, expect.ended, "{name}: {seen:?}");
        assert!(text.starts_with(expect.starts), "{name}: {text:?}");
        if let Some(body_bytes) = expect.body_bytes {
            let declared = declared_len(&text);
            assert_eq!(
                body_of(&text).len(),
                body_bytes(declared),
                "{name}: {text:?}"
            );
        }
        if !expect.first_byte_after.is_zero() {
            assert!(
                seen.first_byte.unwrap() >= expect.first_byte_after,
                "{name}: {seen:?}"
            );
        }
        if !expect.last_byte_after.is_zero() {
            assert!(
                seen.last_byte.unwrap() >= expect.last_byte_after,
                "{name}: {seen:?}"
            );
        }
        assert!(
            seen.reads >= expect.min_reads.min(seen.bytes.len()),
            "{name}: {seen:?}"
        );
        assert_eq!(server.count(), 1, "{name}");
    }
}

#[test]
fn the_specific_rows_keep_what_the_client_needs() {
    // The oversized error body keeps its Code and RequestId in the first bytes.
    let server = Server::always(1, xml_503().pad_body_to(2 << 20));
    let seen = exchange(server.addr(), &get("/b/k"), ms(400));
    let body = body_of(&seen.text()).to_string();
    assert_eq!(body.len(), 2 << 20);
    assert!(
        body[..400].contains("<Code>ServiceUnavailable</Code>"),
        "{body:.400}"
    );
    assert!(body[..400].contains("<RequestId>RID-503</RequestId>"));
    // Retry-After rides on the error.
    let server = Server::always(1, xml_503().header("Retry-After", "2"));
    let seen = exchange(server.addr(), &get("/b/k"), ms(400));
    assert!(
        seen.text().contains("\r\nRetry-After: 2\r\n"),
        "{}",
        seen.text()
    );
    // A JSON status other than OK.
    let server = Server::always(1, Reply::process_status("b", "k", 0, "R", "Failed"));
    let seen = exchange(server.addr(), &get("/b/k"), ms(400));
    assert!(
        seen.text().ends_with(r#""status": "Failed"}"#),
        "{}",
        seen.text()
    );
}

#[test]
fn a_sequence_answers_in_order_on_one_keep_alive_connection() {
    let server = Server::builder().sequence(vec![xml_503(), ok()]);
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    let first = round_trip(&mut stream, &get("/1"));
    let second = round_trip(&mut stream, &get("/2"));
    let third = round_trip(&mut stream, &get("/3"));
    assert!(first.starts_with("HTTP/1.1 503 "), "{first}");
    assert!(second.starts_with("HTTP/1.1 200 "), "{second}");
    assert!(third.starts_with("HTTP/1.1 200 "), "the last reply repeats");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/1", "/2", "/3"]);
    assert_eq!(server.connections(), 1);
}

/// The skewed clock: 16 threads, a server 8 h behind and one 1 h ahead.
/// A request signed by the real clock is refused with the server's `Date`;
/// signed by that `Date`, it reaches the script.
#[test]
fn a_skewed_clock_refuses_until_signed_by_its_date_from_16_threads() {
    for offset in [-8 * 3600, 3600] {
        let server = Arc::new(
            Server::builder()
                .clock_offset(offset)
                .max_requests(16 * 16 * 2)
                .start(|_, _| ok()),
        );
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let server = Arc::clone(&server);
                std::thread::spawn(move || {
                    let mut stream = TcpStream::connect(server.addr()).unwrap();
                    for _ in 0..16 {
                        let real = iso_basic(SystemTime::now());
                        let text = round_trip(
                            &mut stream,
                            &post("/b/k?x-oss-process", "x-oss-process=a", Some(&real)),
                        );
                        assert!(text.starts_with("HTTP/1.1 403 "), "{text}");
                        assert!(text.contains("<Code>RequestTimeTooSkewed</Code>"), "{text}");
                        assert!(text.contains(&format!("<RequestTime>{real}</RequestTime>")));
                        let date = text
                            .lines()
                            .find_map(|l| l.strip_prefix("Date: "))
                            .expect("a Date header")
                            .to_string();
                        let server_now = httpdate_to_iso(&date);
                        let text = round_trip(
                            &mut stream,
                            &post("/b/k?x-oss-process", "x-oss-process=a", Some(&server_now)),
                        );
                        assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
                        assert!(text.contains("\r\nDate: "), "every answer has a Date");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(server.skew_refusals(), 256, "offset {offset}");
        assert_eq!(server.count(), 512);
        // Each accepted request was signed within the window of the server clock.
        for r in server.requests() {
            let signed = r.signed_at().unwrap();
            let real_skew = signed
                .duration_since(r.received)
                .map_or_else(|e| -(e.duration().as_secs() as i64), |d| d.as_secs() as i64);
            assert!(
                (real_skew - offset).abs() <= 2 || real_skew.abs() <= 2,
                "signed {real_skew} s from the real clock, offset {offset}"
            );
        }
    }
}

/// `Date` (`Mon, 15 Jan 2024 08:30:00 GMT`) to `x-oss-date`.
fn httpdate_to_iso(date: &str) -> String {
    let parts: Vec<&str> = date.split([' ', ':']).collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[2])
    .unwrap()
        + 1;
    let iso = format!(
        "{}{month:02}{}T{}{}{}Z",
        parts[3], parts[1], parts[4], parts[5], parts[6]
    );
    assert!(parse_iso_basic(&iso).is_some(), "{date} -> {iso}");
    iso
}

#[test]
fn queued_tasks_count_async_posts_that_reached_the_server() {
    let replies = vec![
        Reply::async_ok("R1").delay(ms(200)), // answered after the client gave up
        Reply::Reset,                         // queued, then reset
        Reply::async_ok("R3").silent_after_head(),
        xml_503(), // an OSS error: nothing queued
        Reply::xml_error(403, "RequestTimeTooSkewed", "x", "R5", "0002-00000504"),
        ok(),
    ];
    let server = Server::builder()
        .max_time(Duration::from_secs(5))
        .sequence(replies);
    for _ in 0..5 {
        exchange(
            server.addr(),
            &post("/b/k?x-oss-async-process", "x-oss-async-process=a", None),
            ms(50),
        );
    }
    // A synchronous process is no task.
    exchange(
        server.addr(),
        &post("/b/k?x-oss-process", "x-oss-process=a", None),
        ms(50),
    );
    assert_eq!(server.count(), 6);
    assert_eq!(server.queued(), 3);
}

#[test]
fn the_server_is_bounded_in_requests_and_time_and_stops_by_itself() {
    // Over max_requests: not answered, closed.
    let server = Server::always(1, ok());
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    assert!(round_trip(&mut stream, &get("/1")).starts_with("HTTP/1.1 200"));
    let over = exchange_on(&mut stream, &get("/2"), ms(300));
    assert!(
        over.bytes.is_empty() && over.ended == Ended::Closed,
        "{over:?}"
    );
    assert_eq!(server.count(), 1);

    // A silence, a drip and a delay all end at max_time.
    for reply in [
        Reply::Silent,
        ok().drip_body(ms(100)).pad_body_to(1000),
        ok().delay(Duration::from_secs(60)),
    ] {
        let server = Server::start(4, ms(300), move |_, _| reply.clone());
        let started = Instant::now();
        let seen = exchange(server.addr(), &get("/"), Duration::from_secs(5));
        assert_ne!(seen.ended, Ended::Quiet, "{seen:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        let dropping = Instant::now();
        drop(server);
        assert!(dropping.elapsed() < Duration::from_secs(1));
    }

    // Dropped while a client holds a silent connection: it stops at once.
    let server = Server::always(1, ok().silent_after_head());
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    exchange_on(&mut stream, &get("/"), ms(100));
    let dropping = Instant::now();
    drop(server);
    assert!(dropping.elapsed() < Duration::from_secs(1));
}
