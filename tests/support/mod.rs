//! A scripted HTTP/1.1 test server on 127.0.0.1 for the integration tests,
//! and an independent V4 signature check.
//!
//! The server records every request (method, path, query, headers, body)
//! and answers each with what the test's script returns: a response, or a
//! fault (close before headers, reset mid-body, slow drip, silence, an
//! endless body). It is bounded: it serves at most `max_requests` requests
//! and stops by itself after `max_time`, or when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of a header (case-insensitive), if present once or more.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The names of all headers, lower-cased.
    pub fn header_names(&self) -> Vec<String> {
        self.headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect()
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    CloseBeforeHeaders,
    /// Send the headers announcing `declared_len` bytes, then `sent`, then
    /// close.
    ResetMidBody {
        status: u16,
        declared_len: usize,
        sent: Vec<u8>,
    },
    /// Send the headers, then the body one byte every `interval`.
    Drip {
        status: u16,
        body: Vec<u8>,
        interval: Duration,
    },
    /// Never answer (until the client gives up or the server stops).
    Silent,
    /// A chunked body that never ends (until the client gives up).
    Endless { status: u16 },
}

impl Reply {
    /// A response with a body and `Content-Type`.
    pub fn with(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A 200 JSON process_object result.
    pub fn process_ok(bucket: &str, key: &str, size: u64, request_id: &str) -> Reply {
        Reply::Respond {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("x-oss-request-id".into(), request_id.into()),
            ],
            body: format!(
                r#"{{"bucket": "{bucket}", "fileSize": {size}, "object": "{key}", "status": "OK"}}"#
            )
            .into_bytes(),
        }
    }

    /// An OSS XML error.
    pub fn xml_error(status: u16, code: &str, message: &str, request_id: &str, ec: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![
                ("Content-Type".into(), "application/xml".into()),
                ("x-oss-request-id".into(), request_id.into()),
                ("x-oss-ec".into(), ec.into()),
            ],
            body: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <EC>{ec}</EC>\n  <RecommendDoc>https://api.aliyun.com/troubleshoot?q={ec}</RecommendDoc>\n</Error>\n"
            )
            .into_bytes(),
        }
    }

    /// Adds a header to a `Respond`.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Script = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;

/// The running server. Dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server that answers request number `i` (from 0) with
    /// `script(i, &request)`, for at most `max_requests` requests and
    /// `max_time`.
    pub fn start(
        max_requests: usize,
        max_time: Duration,
        script: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let script: Arc<Script> = Arc::new(script);
        let handle = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            let connections = Arc::clone(&connections);
            std::thread::spawn(move || {
                accept_loop(
                    listener,
                    requests,
                    connections,
                    stop,
                    script,
                    max_requests,
                    max_time,
                )
            })
        };
        Server {
            addr,
            requests,
            connections,
            stop,
            handle: Some(handle),
        }
    }

    /// A server answering every request with the same reply.
    pub fn always(max_requests: usize, reply: Reply) -> Server {
        Server::start(max_requests, Duration::from_secs(20), move |_, _| {
            reply.clone()
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The number of connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The number of requests received so far.
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    script: Arc<Script>,
    max_requests: usize,
    max_time: Duration,
) {
    let deadline = Instant::now() + max_time;
    let served = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                connections.fetch_add(1, Ordering::SeqCst);
                if workers.len() >= 256 {
                    break;
                }
                let requests = Arc::clone(&requests);
                let stop = Arc::clone(&stop);
                let script = Arc::clone(&script);
                let served = Arc::clone(&served);
                workers.push(std::thread::spawn(move || {
                    serve_connection(
                        stream,
                        requests,
                        stop,
                        script,
                        served,
                        max_requests,
                        deadline,
                    )
                }));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Err(_) => break,
        }
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.join();
    }
}

fn serve_connection(
    stream: TcpStream,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    script: Arc<Script>,
    served: Arc<AtomicUsize>,
    max_requests: usize,
    deadline: Instant,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader, &stop, deadline) else {
            return;
        };
        let index = served.fetch_add(1, Ordering::SeqCst);
        if index >= max_requests {
            return;
        }
        requests.lock().unwrap().push(request.clone());
        let reply = script(index, &request);
        if !write_reply(&mut writer, reply, &stop, deadline) {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn stopped(stop: &AtomicBool, deadline: Instant) -> bool {
    stop.load(Ordering::SeqCst) || Instant::now() >= deadline
}

/// Reads a line, retrying on the short read timeouts used to watch `stop`.
fn read_line(
    reader: &mut BufReader<TcpStream>,
    stop: &AtomicBool,
    deadline: Instant,
) -> Option<String> {
    let mut buf = Vec::new();
    loop {
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) if buf.ends_with(b"\n") => return String::from_utf8(buf).ok(),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stopped(stop, deadline) {
                    return None;
                }
            }
            Err(_) => return None,
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    stop: &AtomicBool,
    deadline: Instant,
) -> Option<Recorded> {
    let line = read_line(reader, stop, deadline)?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, stop, deadline)?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len.min(16 << 20)];
    let mut filled = 0;
    while filled < body.len() {
        match reader.read(&mut body[filled..]) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stopped(stop, deadline) {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    Some(Recorded {
        method,
        target,
        path,
        query,
        headers,
        body,
    })
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// Writes the reply; false when the connection must close afterwards.
fn write_reply(w: &mut TcpStream, reply: Reply, stop: &AtomicBool, deadline: Instant) -> bool {
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut head = status_line(status);
            for (n, v) in &headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(&body);
            w.write_all(&bytes).is_ok() && w.flush().is_ok()
        }
        Reply::CloseBeforeHeaders => false,
        Reply::ResetMidBody {
            status,
            declared_len,
            sent,
        } => {
            let head = format!(
                "{}Content-Type: application/json\r\nContent-Length: {declared_len}\r\n\r\n",
                status_line(status)
            );
            let _ = w.write_all(head.as_bytes());
            let _ = w.write_all(&sent);
            let _ = w.flush();
            false
        }
        Reply::Drip {
            status,
            body,
            interval,
        } => {
            let head = format!(
                "{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                status_line(status),
                body.len()
            );
            if w.write_all(head.as_bytes()).is_err() {
                return false;
            }
            for b in body {
                if stopped(stop, deadline) || w.write_all(&[b]).is_err() || w.flush().is_err() {
                    return false;
                }
                std::thread::sleep(interval);
            }
            true
        }
        Reply::Silent => {
            while !stopped(stop, deadline) {
                std::thread::sleep(Duration::from_millis(10));
            }
            false
        }
        Reply::Endless { status } => {
            let head = format!(
                "{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                status_line(status)
            );
            if w.write_all(head.as_bytes()).is_err() {
                return false;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
            while !stopped(stop, deadline) {
                if w.write_all(chunk.as_bytes()).is_err() {
                    return false;
                }
            }
            false
        }
    }
}

/// An independent V4 check (written apart from `src/sign.rs`, from the
/// published algorithm): recomputes the signature of a recorded header-signed
/// request and compares it with its `Authorization`. `bucket` and `key` are
/// what the canonical URI names (the bucket is there whatever the style).
pub fn verify_v4(
    req: &Recorded,
    bucket: &str,
    key: &str,
    secret: &str,
    region: &str,
) -> Result<(), String> {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};
    type H = Hmac<Sha256>;
    fn mac(k: &[u8], d: &str) -> Vec<u8> {
        let mut m = <H as KeyInit>::new_from_slice(k).unwrap();
        m.update(d.as_bytes());
        m.finalize().into_bytes().to_vec()
    }
    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    fn enc(s: &str, slash: bool) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b'/' if slash => "/".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let auth = req.header("authorization").ok_or("no Authorization")?;
    let rest = auth
        .strip_prefix("OSS4-HMAC-SHA256 ")
        .ok_or("not OSS4-HMAC-SHA256")?;
    let mut credential = "";
    let mut provided = "";
    for part in rest.split(',') {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = v;
        } else if let Some(v) = part.strip_prefix("Signature=") {
            provided = v;
        } else if part.starts_with("AdditionalHeaders=") {
            return Err("additional headers not expected here".into());
        }
    }
    let scope_parts: Vec<&str> = credential.split('/').collect();
    if scope_parts.len() != 5
        || scope_parts[2] != region
        || scope_parts[3] != "oss"
        || scope_parts[4] != "aliyun_v4_request"
    {
        return Err(format!("bad credential scope {credential}"));
    }
    let date_time = req.header("x-oss-date").ok_or("no x-oss-date")?;
    if !date_time.starts_with(scope_parts[1]) {
        return Err("x-oss-date does not match the scope date".into());
    }
    let mut items: Vec<(String, String)> = req
        .query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (s.to_string(), String::new()),
        })
        .collect();
    items.sort();
    let query = items
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut signed: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(n, _)| n.starts_with("x-oss-") || n == "content-type" || n == "content-md5")
        .collect();
    signed.sort();
    let headers: String = signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let canonical = format!(
        "{}\n/{}/{}\n{}\n{}\n\nUNSIGNED-PAYLOAD",
        req.method,
        enc(bucket, true),
        enc(key, true),
        query,
        headers
    );
    let scope = format!("{}/{region}/oss/aliyun_v4_request", scope_parts[1]);
    let to_sign = format!(
        "OSS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k = mac(format!("aliyun_v4{secret}").as_bytes(), scope_parts[1]);
    let k = mac(&k, region);
    let k = mac(&k, "oss");
    let k = mac(&k, "aliyun_v4_request");
    let expected = hex(&mac(&k, &to_sign));
    if expected == provided {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request was:\n{canonical}"
        ))
    }
}

/// `YYYYMMDDTHHMMSSZ`, the `x-oss-date` form of `t` (UTC, whole seconds).
pub fn iso_basic(t: std::time::SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// The RFC 1123 `Date` header form of `t`: `Mon, 15 Jan 2024 08:30:00 GMT`.
pub fn http_date(t: std::time::SystemTime) -> String {
    let d = utc(t);
    let weekday = &d.weekday().to_string()[..3];
    let month = &d.month().to_string()[..3];
    format!(
        "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        d.day(),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Parses the `x-oss-date` form.
pub fn parse_iso_basic(s: &str) -> Option<std::time::SystemTime> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    if s.len() != 16 || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let clock = time::Time::from_hms(n(9..11)? as u8, n(11..13)? as u8, n(13..15)? as u8).ok()?;
    let secs = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

fn utc(t: std::time::SystemTime) -> time::OffsetDateTime {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a time after 1970")
        .as_secs();
    time::OffsetDateTime::from_unix_timestamp(secs as i64).expect("a representable time")
}
