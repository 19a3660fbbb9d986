//! A property test of the one redaction, end to end: servers and proxies
//! echo the access key secret and the STS token back in every form they
//! use (as is, percent-encoded in either hex case, JSON-escaped,
//! XML-escaped, folded over lines, cut short) in error bodies, headers and
//! 2xx bodies; no run of 12 characters of either may survive in the
//! error's `Display`, its `Debug`, its `source()` chain, or the log.
//! (Its own test binary: it installs a logger.)

mod common;

use std::error::Error as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use common::{Reply, Server};
use oss_process::{Client, Credentials, Error, NoRetry, StandardRetry};

const SECRET: &str = "Xq7+Kp/2mZ9wLr4TcV8bN1sD6fGhYt3u";
const TOKEN: &str = "CAIS+gF1q6Ft5B2yfSjIr5bkKN/eo7Rl0a2xOkfQ3zUiRHl4kaDS/Tz2IHhMeHdtAe0bsP8/lG5R6fkYlqp4S5cMR0DMNJO+vJPVq3N+ZAKE5afBHxSDt9+nKAzq6WKIb5mnQ5TrSxZ/vO8KVDpv0GPYkZqiz1zX6v6KwOXyMA4UxGgsQp3i/W9AJ7YTUi3dDqTcSAjsLu5hjsYpfE8P5Ma+1IYGrh3MFxuFMx8GDQPVtlVJgDS+sAfsyy0vpyhmmtGjOp5Be5LWH/T0wLG6rzW1F2nKy+dTYlZq";

/// Every log record of this crate, whatever its level. (ureq's own wire
/// dump at `trace`, target `ureq_proto`, holds every byte sent, headers
/// included, as any HTTP client's wire dump does: the crate docs say to keep
/// that target below `trace` in production.)
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target().starts_with("oss_process")
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            self.0.lock().unwrap().push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn logs() -> &'static Capture {
    static LOGGER: OnceLock<&'static Capture> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(logger).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        logger
    })
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn percent(s: &str, lower: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ if lower => format!("%{b:02x}"),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `secret` as a server or proxy would echo it, in form `form`.
fn echo(secret: &str, form: usize, rng: &mut Rng) -> String {
    match form {
        0 => secret.to_string(),
        1 => percent(secret, false),
        2 => percent(secret, true),
        3 => serde_json::to_string(secret)
            .unwrap()
            .trim_matches('"')
            .replace('/', "\\/"),
        4 => secret
            .replace('&', "&amp;")
            .replace('+', "&#43;")
            .replace('/', "&#x2F;"),
        5 => {
            let mut out = String::new();
            for (i, c) in secret.chars().enumerate() {
                if i > 0 && i % (10 + rng.below(50)) == 0 {
                    out.push_str(["\r\n ", "\n", " "][rng.below(3)]);
                }
                out.push(c);
            }
            out
        }
        _ => secret
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect(),
    }
}

/// Some 12 characters of `secret` in a row found in `text`, if any.
fn leak<'a>(text: &str, secret: &'a str) -> Option<&'a str> {
    (0..=secret.len() - 12)
        .map(|i| &secret[i..i + 12])
        .find(|w| text.contains(w))
}

fn assert_clean(case: usize, what: &str, text: &str) {
    for secret in [SECRET, TOKEN] {
        if let Some(window) = leak(text, secret) {
            panic!("case {case}: {what} holds {window:?}: {text}");
        }
    }
}

/// One hostile answer carrying echoes, cut at a random length.
fn hostile_reply(rng: &mut Rng) -> Reply {
    let mut message = String::from("The request signature we calculated does not match: ");
    for _ in 0..1 + rng.below(3) {
        let secret = if rng.below(2) == 0 { SECRET } else { TOKEN };
        message.push_str(&echo(secret, rng.below(7), rng));
        message.push_str(" | ");
    }
    let cut = rng.below(message.len() + 1);
    let mut cut_at = cut;
    while !message.is_char_boundary(cut_at) {
        cut_at -= 1;
    }
    let message = &message[..cut_at];
    match rng.below(5) {
        // An OSS XML error quoting the echoes (XML-escaped as a server would).
        0 => Reply::xml_error(
            403,
            "SignatureDoesNotMatch",
            &message.replace('&', "&amp;").replace('<', "&lt;"),
            "RID-XML",
            "0002-00000040",
        ),
        // A JSON error.
        1 => Reply::json(
            400,
            format!(
                r#"{{"Error":{{"Code":"InvalidArgument","Message":{},"RequestId":"RID-JSON"}}}}"#,
                serde_json::to_string(message).unwrap()
            ),
        ),
        // A proxy's page, which the client quotes as it is.
        2 => Reply::with(502, "text/html", format!("<html>{message}</html>")),
        // A 2xx that is not the JSON result: a decode error quotes it.
        3 => Reply::with(200, "application/json", format!("oops {message}")),
        // Echoes in headers the client reads.
        _ => Reply::xml_error(403, "AccessDenied", "denied", "RID-H", "0003-00000001")
            .header("x-oss-ec", &message.replace(['\r', '\n'], " "))
            .header("x-oss-request-id", &echo(TOKEN, rng.below(3), rng)),
    }
}

#[test]
fn no_echo_of_a_secret_survives_in_errors_or_logs() {
    let capture = logs();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let cases = 400;
    let replies: Vec<Reply> = (0..cases).map(|_| hostile_reply(&mut rng)).collect();
    let server = Server::builder()
        .max_requests(cases * 2)
        .max_time(Duration::from_secs(60))
        .start(move |i, _| replies[i / 2 % replies.len()].clone());
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("LTAI5tRedactionTest", SECRET).with_security_token(TOKEN))
        // Two attempts each, so the retry's log line is checked too.
        .retry_policy(
            StandardRetry::new()
                .max_attempts(2)
                .base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    for case in 0..cases {
        let err: Error = client
            .process_object("bucket", "src.jpg", "image/resize,w_1|sys/saveas,o_dC5qcGc")
            .expect_err("every answer is hostile");
        assert_clean(case, "Display", &err.to_string());
        assert_clean(case, "Debug", &format!("{err:?}"));
        let mut source = err.source();
        while let Some(inner) = source {
            assert_clean(case, "source", &inner.to_string());
            assert_clean(case, "source Debug", &format!("{inner:?}"));
            source = inner.source();
        }
        // Ordinary fields keep their values.
        if let Some(service) = err.as_service() {
            assert!(!service.code.is_empty());
        }
    }
    let lines = capture.0.lock().unwrap();
    assert!(lines.len() >= cases, "retries and failures are logged");
    for line in lines.iter() {
        assert_clean(0, "log", line);
    }
    // A client without retries logs its final failure too.
    drop(lines);
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("LTAI5tRedactionTest", SECRET).with_security_token(TOKEN))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let _ = client.process_object("bucket", "src.jpg", "image/resize,w_1|sys/saveas,o_dC5qcGc");
    for line in capture.0.lock().unwrap().iter() {
        assert_clean(1, "log", line);
    }
}

#[test]
fn ordinary_errors_keep_code_message_request_id_and_ec() {
    let server = Server::always(
        2,
        Reply::xml_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
            "65A4E2C8B1E0C53230000001",
            "0002-00000040",
        ),
    );
    let client = Client::builder()
        .region("cn-hangzhou")
        .endpoint(server.url())
        .credentials(Credentials::new("LTAI5tRedactionTest", SECRET).with_security_token(TOKEN))
        .retry_policy(NoRetry)
        .build()
        .unwrap();
    let err = client
        .process_object("bucket", "src.jpg", "image/resize,w_1|sys/saveas,o_dC5qcGc")
        .unwrap_err();
    let e = err.as_service().unwrap();
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert_eq!(
        e.message,
        "The request signature we calculated does not match the signature you provided."
    );
    assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
    assert_eq!(e.ec, "0002-00000040");
}
