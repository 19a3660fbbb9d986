//! A small HTTP/1.1 server on `std::net`: one accept thread and a fixed
//! pool of worker threads, keep-alive, `Content-Length` and chunked request
//! bodies with a size cap, `Expect: 100-continue`, and a stop that joins
//! every thread it started within about a tenth of a second.
//!
//! It is written here rather than taken from a crate because the emulator
//! must answer with a bounded number of threads and leave none behind when
//! it stops (tests start many emulators); the handler never sees a
//! malformed request, and a panicking handler becomes a 500.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(50);
/// The longest a request head may be.
const MAX_HEAD: usize = 64 * 1024;
/// A keep-alive connection idle this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// A request whose head or body takes longer than this to arrive is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections accepted but not yet served, beyond which new ones are closed.
const MAX_QUEUED: usize = 256;

/// A parsed request, body read.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The request target as sent, e.g. `/key?x-oss-process=`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The raw (still percent-encoded) path.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The raw query, without `?`.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The first header named `name` (any case) in `headers`.
pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// An answer to send.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
}

/// What the server needs from the code above it.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Answers one request. Must not block for long.
    fn handle(&self, request: &Request) -> Response;
    /// The largest body accepted for `method`.
    fn body_limit(&self, method: &str) -> usize;
    /// The answer to a request that could not be read (bad syntax, body too
    /// large) or whose handler panicked; `status` is 400, 413 or 500.
    fn refuse(&self, status: u16, message: &str) -> Response;
}

struct Shared {
    stop: AtomicBool,
    queue: Mutex<VecDeque<TcpStream>>,
    ready: Condvar,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn waiting(&self) -> bool {
        !self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<TcpStream>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running server. Dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts serving `listener` with `workers` worker threads.
    pub fn start(
        listener: TcpListener,
        workers: usize,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
        });
        let mut threads = Vec::with_capacity(workers + 1);
        let accept_shared = Arc::clone(&shared);
        threads.push(
            std::thread::Builder::new()
                .name(format!("oss-emulator-accept-{}", addr.port()))
                .spawn(move || accept_loop(&listener, &accept_shared))?,
        );
        let mut server = Server {
            addr,
            shared,
            threads,
        };
        for i in 0..workers.max(1) {
            let shared = Arc::clone(&server.shared);
            let handler = Arc::clone(&handler);
            let spawned = std::thread::Builder::new()
                .name(format!("oss-emulator-{}-{i}", addr.port()))
                .spawn(move || worker_loop(&shared, &*handler));
            match spawned {
                Ok(t) => server.threads.push(t),
                Err(e) => return Err(e), // `server` drops here and stops the others
            }
        }
        Ok(server)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A flag and waker that stop this server from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            addr: self.addr,
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops accepting, closes connections and joins every thread.
    pub fn stop(&mut self) {
        self.stopper().stop();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Blocks until the server is stopped (through a [`Stopper`]).
    pub fn wait(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops a [`Server`] from any thread.
#[derive(Clone)]
pub(crate) struct Stopper {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Stopper {
    pub fn stop(&self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept thread: it is blocked in accept().
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        self.shared.ready.notify_all();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Shared) {
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            std::thread::sleep(POLL);
            continue;
        };
        let mut queue = shared.lock();
        if queue.len() >= MAX_QUEUED {
            drop(queue);
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        queue.push_back(stream);
        drop(queue);
        shared.ready.notify_one();
    }
    // Close what was accepted but never served.
    shared.lock().clear();
    shared.ready.notify_all();
}

fn worker_loop(shared: &Shared, handler: &dyn Handler) {
    loop {
        let stream = {
            let mut queue = shared.lock();
            loop {
                if shared.stopping() {
                    return;
                }
                if let Some(s) = queue.pop_front() {
                    break s;
                }
                queue = shared
                    .ready
                    .wait_timeout(queue, POLL * 4)
                    .map(|(q, _)| q)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
        };
        serve_connection(stream, shared, handler);
    }
}

/// Why reading a request stopped.
enum ReadEnd {
    /// The peer closed, the server is stopping, or the connection idled out:
    /// close without answering.
    Close,
    /// A malformed or oversized request: answer with this status and close.
    Refuse(u16, String),
}

fn serve_connection(stream: TcpStream, shared: &Shared, handler: &dyn Handler) {
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = io::BufWriter::new(write_half);
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader, &mut writer, shared, handler) {
            Ok(r) => r,
            Err(ReadEnd::Close) => break,
            Err(ReadEnd::Refuse(status, message)) => {
                let response = handler.refuse(status, &message);
                let _ = write_response(&mut writer, &response, false, false);
                linger(&mut reader);
                break;
            }
        };
        let keep_alive = wants_keep_alive(&request) && !shared.stopping();
        let head_only = request.method.eq_ignore_ascii_case("HEAD");
        let response = catch_unwind(AssertUnwindSafe(|| handler.handle(&request)))
            .unwrap_or_else(|_| handler.refuse(500, "the emulator failed on this request"));
        if write_response(&mut writer, &response, keep_alive, head_only).is_err() || !keep_alive {
            break;
        }
    }
    let _ = writer.flush();
    let _ = reader.get_ref().shutdown(Shutdown::Both);
}

/// After refusing a request whose body was not read: stop writing, then
/// read and drop what the client still sends for a moment, so that closing
/// does not reset the connection before the client has read the answer.
fn linger(reader: &mut BufReader<TcpStream>) {
    let _ = reader.get_ref().shutdown(Shutdown::Write);
    let started = Instant::now();
    let mut drained = 0usize;
    let mut buf = [0u8; 16 * 1024];
    while started.elapsed() < Duration::from_millis(500) && drained < 8 * 1024 * 1024 {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if is_transient(&e) => {}
            Err(_) => break,
        }
    }
}

/// A read that timed out (the socket's short poll timeout) or was
/// interrupted: try again.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn wants_keep_alive(request: &Request) -> bool {
    let connection = request.header("connection").unwrap_or("");
    !connection
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case("close"))
}

/// Reads one line (without CRLF) into `line`, polling the stop flag.
/// `idle` is true while waiting for the first byte of a new request.
fn read_line(
    reader: &mut BufReader<TcpStream>,
    line: &mut Vec<u8>,
    limit: usize,
    shared: &Shared,
    idle: bool,
) -> Result<(), ReadEnd> {
    let started = Instant::now();
    loop {
        if shared.stopping() {
            return Err(ReadEnd::Close);
        }
        let waiting = line.is_empty() && idle;
        match reader.fill_buf() {
            Ok([]) => return Err(ReadEnd::Close),
            Ok(buf) => {
                let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (&buf[..=i], true),
                    None => (buf, false),
                };
                let n = chunk.len();
                line.extend_from_slice(chunk);
                reader.consume(n);
                if line.len() > limit {
                    return Err(ReadEnd::Refuse(431, "the request head is too large".into()));
                }
                if done {
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    return Ok(());
                }
            }
            Err(e) if is_transient(&e) => {
                let elapsed = started.elapsed();
                if waiting {
                    // Between requests: give the worker to a waiting
                    // connection rather than sit on an idle one.
                    if elapsed > IDLE_TIMEOUT || shared.waiting() {
                        return Err(ReadEnd::Close);
                    }
                } else if elapsed > READ_TIMEOUT {
                    return Err(ReadEnd::Close);
                }
            }
            Err(_) => return Err(ReadEnd::Close),
        }
    }
}

fn read_exact(
    reader: &mut BufReader<TcpStream>,
    out: &mut Vec<u8>,
    mut n: usize,
    shared: &Shared,
) -> Result<(), ReadEnd> {
    let started = Instant::now();
    let mut buf = [0u8; 16 * 1024];
    while n > 0 {
        if shared.stopping() || started.elapsed() > READ_TIMEOUT {
            return Err(ReadEnd::Close);
        }
        let want = n.min(buf.len());
        match reader.read(&mut buf[..want]) {
            Ok(0) => return Err(ReadEnd::Close),
            Ok(got) => {
                out.extend_from_slice(&buf[..got]);
                n -= got;
            }
            Err(e) if is_transient(&e) => {}
            Err(_) => return Err(ReadEnd::Close),
        }
    }
    Ok(())
}

fn bad(message: &str) -> ReadEnd {
    ReadEnd::Refuse(400, message.to_string())
}

fn too_large(limit: usize) -> ReadEnd {
    ReadEnd::Refuse(
        413,
        format!("the request body is larger than the emulator's limit of {limit} bytes"),
    )
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut impl Write,
    shared: &Shared,
    handler: &dyn Handler,
) -> Result<Request, ReadEnd> {
    let mut line = Vec::new();
    // Tolerate blank lines before a request line (RFC 9112 2.2).
    loop {
        read_line(reader, &mut line, MAX_HEAD, shared, true)?;
        if !line.is_empty() {
            break;
        }
    }
    let request_line = String::from_utf8(std::mem::take(&mut line))
        .map_err(|_| bad("the request line is not UTF-8"))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad("malformed method"));
    }
    if !target.starts_with('/') {
        return Err(bad("the request target must be an absolute path"));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(ReadEnd::Refuse(
                505,
                "only HTTP/1.0 and HTTP/1.1 are supported".into(),
            ));
        }
    };

    let mut headers = Vec::new();
    let mut head_size = request_line.len();
    loop {
        read_line(reader, &mut line, MAX_HEAD, shared, false)?;
        if line.is_empty() {
            break;
        }
        head_size += line.len();
        if head_size > MAX_HEAD {
            return Err(ReadEnd::Refuse(431, "the request head is too large".into()));
        }
        let text = String::from_utf8(std::mem::take(&mut line))
            .map_err(|_| bad("a header is not UTF-8"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| bad("malformed header line"))?;
        if name.is_empty()
            || name
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(bad("malformed header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    if http10
        && !headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("keep-alive")
        })
    {
        headers.push(("Connection".into(), "close".into()));
    }

    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    };
    let limit = handler.body_limit(method);
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("content-length") {
        Some(v) if !chunked => Some(
            v.parse::<usize>()
                .map_err(|_| bad("malformed Content-Length"))?,
        ),
        _ => None,
    };
    if length.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let expects_continue = request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    if expects_continue && (chunked || length.is_some_and(|n| n > 0)) {
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .and_then(|()| writer.flush())
            .map_err(|_| ReadEnd::Close)?;
    }
    if chunked {
        read_chunked(reader, &mut request.body, limit, shared)?;
    } else if let Some(n) = length {
        request.body.reserve_exact(n);
        read_exact(reader, &mut request.body, n, shared)?;
    }
    Ok(request)
}

fn read_chunked(
    reader: &mut BufReader<TcpStream>,
    body: &mut Vec<u8>,
    limit: usize,
    shared: &Shared,
) -> Result<(), ReadEnd> {
    let mut line = Vec::new();
    loop {
        read_line(reader, &mut line, 1024, shared, false)?;
        let text = std::str::from_utf8(&line).map_err(|_| bad("malformed chunk size"))?;
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("malformed chunk size"))?;
        line.clear();
        if size == 0 {
            // Trailers, up to the blank line.
            loop {
                read_line(reader, &mut line, MAX_HEAD, shared, false)?;
                if line.is_empty() {
                    return Ok(());
                }
                line.clear();
            }
        }
        if body.len().saturating_add(size) > limit {
            return Err(too_large(limit));
        }
        read_exact(reader, body, size, shared)?;
        read_line(reader, &mut line, 2, shared, false)?;
        if !line.is_empty() {
            return Err(bad("malformed chunk"));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

fn write_response(
    writer: &mut impl Write,
    response: &Response,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        // Values come from the handler; never let one end the head early.
        let clean: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        head.push_str(name);
        head.push_str(": ");
        head.push_str(&clean);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    writer.write_all(head.as_bytes())?;
    if !head_only {
        writer.write_all(&response.body)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl Handler for Echo {
        fn handle(&self, request: &Request) -> Response {
            if request.path() == "/panic" {
                panic!("handler panic (expected in this test)");
            }
            let text = format!(
                "{} {} {}",
                request.method,
                request.target,
                String::from_utf8_lossy(&request.body)
            );
            Response::new(200).body(text.into_bytes())
        }
        fn body_limit(&self, _method: &str) -> usize {
            16
        }
        fn refuse(&self, status: u16, message: &str) -> Response {
            Response::new(status).body(message.as_bytes().to_vec())
        }
    }

    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        Server::start(listener, 2, Arc::new(Echo)).unwrap()
    }

    fn exchange(server: &Server, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(raw).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn serves_content_length_and_chunked_bodies_then_stops() {
        let server = start();
        let out = exchange(
            &server,
            b"POST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        );
        assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(out.ends_with("POST /a?b abc"), "{out}");
        let out = exchange(
            &server,
            b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nhi\r\n1;x=y\r\n!\r\n0\r\n\r\n",
        );
        assert!(out.ends_with("PUT /c hi!"), "{out}");
        let started = Instant::now();
        drop(server);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn keep_alive_serves_two_requests_on_one_connection() {
        let server = start();
        let out = exchange(
            &server,
            b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
        assert!(out.contains("Connection: keep-alive"), "{out}");
    }

    #[test]
    fn refuses_oversized_and_malformed_requests_and_survives_a_panic() {
        let server = start();
        let out = exchange(&server, b"PUT /x HTTP/1.1\r\nContent-Length: 17\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 413 "), "{out}");
        let out = exchange(&server, b"GARBAGE\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        let out = exchange(&server, b"GET /panic HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
        let out = exchange(&server, b"GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    }

    #[test]
    fn stop_is_prompt_with_an_idle_connection_open() {
        let mut server = start();
        let _idle = TcpStream::connect(server.addr()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        server.stop();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
}
