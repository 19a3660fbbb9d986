//! The loopback HTTP/1.1 test server: a scripted server on 127.0.0.1 that
//! records every request (method, target, headers, body) and answers each
//! with what the test's script returns, a response or a fault; and a fast
//! fixed-reply mode for the bench.
//!
//! Bounded: it serves at most `max_requests` requests and stops by itself
//! after `max_time`, or when dropped, joining every thread it started.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body the server keeps.
const MAX_BODY: usize = 16 << 20;
/// The most connections it serves over its life; later ones are closed.
const MAX_CONNECTIONS: usize = 1024;
/// How often a waiting thread looks at the stop flag.
const POLL: Duration = Duration::from_millis(20);

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
    /// A complete response (`Content-Length` is added).
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

    /// The bytes of a `Respond`, head and body, as one write.
    fn respond_bytes(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
        let mut head = status_line(status);
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }
}

type Script = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;
type ThreadStart = dyn Fn() + Send + Sync;

/// Configures a [`Server`]: its bounds, and what each connection thread
/// does first. Get one from [`Server::builder`].
#[must_use]
pub struct Builder {
    max_requests: usize,
    max_time: Duration,
    on_thread_start: Option<Arc<ThreadStart>>,
}

impl Builder {
    /// Serves at most `n` requests (default 1,000); later ones are not
    /// answered, and their connections closed.
    pub fn max_requests(mut self, n: usize) -> Builder {
        self.max_requests = n;
        self
    }

    /// Stops by itself after `d` (default 20 s).
    pub fn max_time(mut self, d: Duration) -> Builder {
        self.max_time = d;
        self
    }

    /// Runs `f` first on every connection thread (the bench pins them to
    /// a CPU).
    pub fn on_thread_start(mut self, f: impl Fn() + Send + Sync + 'static) -> Builder {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Starts a server that answers request number `i` (from 0) with
    /// `script(i, &request)`, recording every request.
    pub fn start(
        self,
        script: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        self.spawn(Mode::Scripted(Arc::new(script)))
    }

    /// Starts a server answering every request with the same `Respond`,
    /// fast: requests are counted, not recorded, and the answer is formed
    /// once. Pipelined requests are answered in order. For the bench.
    pub fn fixed(self, reply: Reply) -> Server {
        let Reply::Respond {
            status,
            headers,
            body,
        } = reply
        else {
            panic!("the fixed mode answers with a Respond only");
        };
        let bytes = Reply::respond_bytes(status, &headers, &body);
        self.spawn(Mode::Fixed(Arc::new(bytes)))
    }

    fn spawn(self, mode: Mode) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            served: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            deadline: Instant::now() + self.max_time,
            max_requests: self.max_requests,
        });
        let handle = {
            let shared = Arc::clone(&shared);
            let on_start = self.on_thread_start;
            std::thread::spawn(move || accept_loop(&listener, &shared, &mode, on_start.as_ref()))
        };
        Server {
            addr,
            shared,
            handle: Some(handle),
        }
    }
}

/// How connections are served.
#[derive(Clone)]
enum Mode {
    Scripted(Arc<Script>),
    Fixed(Arc<Vec<u8>>),
}

/// What the accepting thread and the connection threads share.
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    /// Requests taken so far (also those over `max_requests`).
    served: AtomicUsize,
    stop: AtomicBool,
    deadline: Instant,
    max_requests: usize,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || Instant::now() >= self.deadline
    }

    /// Takes the next request number, or `None` over the bound.
    fn take(&self) -> Option<usize> {
        let index = self.served.fetch_add(1, Ordering::SeqCst);
        (index < self.max_requests).then_some(index)
    }
}

/// The running server. Dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    /// A builder with the defaults: 1,000 requests, 20 s.
    pub fn builder() -> Builder {
        Builder {
            max_requests: 1000,
            max_time: Duration::from_secs(20),
            on_thread_start: None,
        }
    }

    /// Starts a server that answers request number `i` (from 0) with
    /// `script(i, &request)`, for at most `max_requests` requests and
    /// `max_time`.
    pub fn start(
        max_requests: usize,
        max_time: Duration,
        script: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::builder()
            .max_requests(max_requests)
            .max_time(max_time)
            .start(script)
    }

    /// A server answering every request with the same reply (for 20 s).
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

    /// The requests received so far (none in the fixed mode).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The number of connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The number of requests received so far (within `max_requests`).
    pub fn count(&self) -> usize {
        self.shared
            .served
            .load(Ordering::SeqCst)
            .min(self.shared.max_requests)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    mode: &Mode,
    on_start: Option<&Arc<ThreadStart>>,
) {
    let mut workers = Vec::new();
    while !shared.stopped() {
        match listener.accept() {
            Ok((stream, _)) => {
                if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    continue; // dropped, so closed
                }
                let shared = Arc::clone(shared);
                let mode = mode.clone();
                let on_start = on_start.cloned();
                workers.push(std::thread::spawn(move || {
                    if let Some(f) = on_start {
                        f();
                    }
                    serve_connection(stream, &shared, &mode);
                }));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Err(_) => break,
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.join();
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared, mode: &Mode) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let mut conn = Conn {
        stream,
        buf: Vec::with_capacity(8 * 1024),
    };
    match mode {
        Mode::Fixed(answer) => serve_fixed(&mut conn, shared, answer),
        Mode::Scripted(script) => serve_scripted(&mut conn, shared, &**script),
    }
}

fn serve_fixed(conn: &mut Conn, shared: &Shared, answer: &[u8]) {
    loop {
        let Some(end) = conn.next_request_end(shared) else {
            return;
        };
        if shared.take().is_none() || conn.stream.write_all(answer).is_err() {
            return;
        }
        conn.buf.drain(..end);
    }
}

fn serve_scripted(conn: &mut Conn, shared: &Shared, script: &Script) {
    loop {
        let Some(end) = conn.next_request_end(shared) else {
            return;
        };
        let Some(request) = parse_request(&conn.buf[..end]) else {
            return;
        };
        conn.buf.drain(..end);
        let Some(index) = shared.take() else {
            return;
        };
        shared.requests.lock().unwrap().push(request.clone());
        let reply = script(index, &request);
        if !write_reply(&mut conn.stream, reply, shared) {
            let _ = conn.stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// A connection and the bytes read from it but not yet answered.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Reads until `buf` holds a whole request (head and `Content-Length`
    /// body) and returns its length; `None` when the peer closed, the
    /// request is too large or the server stops.
    fn next_request_end(&mut self, shared: &Shared) -> Option<usize> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(end) = complete_request_len(&self.buf) {
                return Some(end);
            }
            if self.buf.len() > MAX_HEAD + MAX_BODY {
                return None;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if is_transient(&e) => {
                    if shared.stopped() {
                        return None;
                    }
                }
                Err(_) => return None,
            }
        }
    }
}

fn is_transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// The end of the request head (after its blank line) in `buf`.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// The `Content-Length` of a request head (0 when absent).
fn content_length(head: &[u8]) -> Option<usize> {
    let head = std::str::from_utf8(head).ok()?;
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .map_or(Some(0), |(_, value)| value.trim().parse().ok())
}

/// The length of the first request in `buf` (head plus `Content-Length`
/// body) once all of it has arrived.
fn complete_request_len(buf: &[u8]) -> Option<usize> {
    let end = head_end(buf)?;
    let total = end + content_length(&buf[..end])?.min(MAX_BODY);
    (buf.len() >= total).then_some(total)
}

/// Takes a whole request apart.
fn parse_request(bytes: &[u8]) -> Option<Recorded> {
    let end = head_end(bytes)?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.splitn(3, ' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':')?;
            Some((name.trim().to_string(), value.trim().to_string()))
        })
        .collect::<Option<Vec<_>>>()?;
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
        body: bytes[end..].to_vec(),
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
fn write_reply(w: &mut TcpStream, reply: Reply, shared: &Shared) -> bool {
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let bytes = Reply::respond_bytes(status, &headers, &body);
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
                if shared.stopped() || w.write_all(&[b]).is_err() || w.flush().is_err() {
                    return false;
                }
                std::thread::sleep(interval);
            }
            true
        }
        Reply::Silent => {
            while !shared.stopped() {
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
            while !shared.stopped() {
                if w.write_all(chunk.as_bytes()).is_err() {
                    return false;
                }
            }
            false
        }
    }
}
