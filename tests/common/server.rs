//! The loopback HTTP/1.1 test server, and a kit for playing a hostile
//! network: a scripted server on 127.0.0.1 that records every request and
//! answers each with what the test's script returns ([`Reply`]), from a
//! plain response to a hostile one; and a fast fixed-reply mode for the
//! bench ([`Builder::fixed`]).
//!
//! What a reply can do (see `reply.rs`): answer normally; wait first
//! ([`Reply::delay`]); drip the head or the body a byte at a time
//! ([`Reply::drip_head`], [`Reply::drip_body`]); announce a body and stay
//! silent ([`Reply::silent_after_head`]); cut the body short with a close
//! ([`Reply::cut_after`]) or a reset ([`Reply::reset_after`]); reset or
//! close before any header ([`Reply::Reset`], [`Reply::CloseBeforeHeaders`]);
//! never answer ([`Reply::Silent`]); send arbitrary bytes
//! ([`Reply::bytes`]); stream forever ([`Reply::Endless`]). Shapes combine:
//! `Reply::xml_error(..).pad_body_to(2 << 20).drip_body(ms(300))`.
//!
//! What the server can do besides: run its clock off the real one
//! ([`Builder::clock_offset`]): a header-signed request whose `x-oss-date`
//! is more than 15 minutes from that clock gets OSS's
//! `RequestTimeTooSkewed` (403, with the server's `Date`) without reaching
//! the script, and every answer carries that `Date`. It counts requests
//! ([`Server::count`]), refusals for skew ([`Server::skew_refusals`]) and
//! queued tasks ([`Server::queued`]: a `POST ?x-oss-async-process` that
//! reached the script counts as queued unless the script answered it with
//! an error status, even if the reply then stalls, cuts or resets).
//!
//! A scenario is a row: a name, a reply, and what the client should see
//! (`tests/hostile_server_kit.rs` has a table of every one).
//!
//! ```ignore
//! let rows = [
//!     ("drips its headers", ok().drip_head(ms(300))),
//!     ("silent after headers", ok().silent_after_head()),
//!     ("queues, then resets", Reply::Reset),
//!     ("queues, answers late", Reply::async_ok("RID").delay(secs(3))),
//! ];
//! for (name, reply) in rows {
//!     let server = Server::always(4, reply);
//!     // ... call the client against server.url(), assert on the outcome
//! }
//! ```
//!
//! To reset a connection (RST) with std alone, the server leaves the last
//! byte of each request unread until the reply is chosen: closing a socket
//! with unread data resets it. Other replies read that byte first, so their
//! closes are clean (FIN).
//!
//! Bounded: it serves at most `max_requests` requests and 1,024
//! connections, stops by itself after `max_time` (drips, delays and
//! silences end there too) or when dropped, and joins every thread it
//! started.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::dates::{http_date, iso_extended, parse_iso_basic};
pub use super::reply::Reply;
use super::reply::{End, Wire, status_line};

/// The longest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body the server reads.
const MAX_BODY: usize = 16 << 20;
/// The most connections it serves over its life; later ones are closed.
const MAX_CONNECTIONS: usize = 1024;
/// How often a waiting thread looks at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// The clock difference OSS accepts for header signatures.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

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
    /// When the whole request had arrived (the real clock).
    pub received: SystemTime,
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

    /// The signing time of a header-signed request (`x-oss-date`).
    pub fn signed_at(&self) -> Option<SystemTime> {
        parse_iso_basic(self.header("x-oss-date")?)
    }

    /// Whether this is an async process request (`POST ?x-oss-async-process`).
    pub fn is_async_process(&self) -> bool {
        self.method == "POST"
            && self
                .query
                .split('&')
                .any(|p| p.split('=').next() == Some("x-oss-async-process"))
    }
}

type Script = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;
type ThreadStart = dyn Fn() + Send + Sync;

/// Configures a [`Server`]: its bounds, its clock, and what each
/// connection thread does first. Get one from [`Server::builder`].
#[must_use]
pub struct Builder {
    max_requests: usize,
    max_time: Duration,
    clock_offset_secs: Option<i64>,
    on_thread_start: Option<Arc<ThreadStart>>,
}

impl Builder {
    /// Serves at most `n` requests (default 1,000); a request over the
    /// bound is not answered and its connection is closed.
    pub fn max_requests(mut self, n: usize) -> Builder {
        self.max_requests = n;
        self
    }

    /// Stops by itself after `d` (default 20 s).
    pub fn max_time(mut self, d: Duration) -> Builder {
        self.max_time = d;
        self
    }

    /// Runs the server's clock `seconds` ahead of the real one (behind when
    /// negative), as OSS's clock may be from the client's, and checks the
    /// time of header-signed requests against it as OSS does: those more
    /// than 15 minutes off get `RequestTimeTooSkewed`. Every answer then
    /// carries its `Date`. Without this call nothing is checked (0 checks
    /// against the real clock).
    pub fn clock_offset(mut self, seconds: i64) -> Builder {
        self.clock_offset_secs = Some(seconds);
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

    /// Starts a server answering every request from a list: request `i`
    /// gets `replies[i]`, and the last reply repeats.
    pub fn sequence(self, replies: Vec<Reply>) -> Server {
        assert!(!replies.is_empty(), "a sequence needs a reply");
        self.start(move |i, _| replies[i.min(replies.len() - 1)].clone())
    }

    /// Starts a server answering every request with the same `Respond`,
    /// fast: requests are counted, not recorded, and the answer is formed
    /// once. Pipelined requests are answered in order. For the bench.
    pub fn fixed(self, reply: Reply) -> Server {
        let Reply::Respond { .. } = reply else {
            panic!("the fixed mode answers with a Respond only");
        };
        let wire = reply.into_wire();
        let mut bytes = wire.head_bytes(&[]);
        bytes.extend_from_slice(wire.body_sent());
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
            queued: AtomicUsize::new(0),
            skew_refusals: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            deadline: Instant::now() + self.max_time,
            max_requests: self.max_requests,
            clock_offset_secs: self.clock_offset_secs,
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
    queued: AtomicUsize,
    skew_refusals: AtomicUsize,
    stop: AtomicBool,
    deadline: Instant,
    max_requests: usize,
    /// `None`: no clock check, no `Date`.
    clock_offset_secs: Option<i64>,
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

    /// Sleeps `d` (`None`: for ever), or until the server stops; false if
    /// it stopped.
    fn sleep(&self, d: Option<Duration>) -> bool {
        let until = d.map(|d| Instant::now() + d);
        loop {
            if self.stopped() {
                return false;
            }
            let left = until.map_or(POLL, |u| u.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(POLL));
        }
    }

    /// The server's clock: the real one plus the offset.
    fn now(&self) -> SystemTime {
        let secs = self.clock_offset_secs.unwrap_or(0);
        let offset = Duration::from_secs(secs.unsigned_abs());
        if secs >= 0 {
            SystemTime::now() + offset
        } else {
            SystemTime::now() - offset
        }
    }

    /// The reply to `request`: `RequestTimeTooSkewed` if it was signed
    /// too far from the server's clock, else the script's.
    fn reply(&self, index: usize, request: &Recorded, script: &Script) -> Reply {
        let now = self.now();
        if let (Some(_), Some(signed)) = (self.clock_offset_secs, request.signed_at()) {
            let skew = now
                .duration_since(signed)
                .or_else(|_| signed.duration_since(now))
                .unwrap_or(Duration::MAX);
            if skew > MAX_SKEW {
                self.skew_refusals.fetch_add(1, Ordering::SeqCst);
                let signed_text = request.header("x-oss-date").unwrap_or_default();
                let server_time = iso_extended(now);
                return Reply::xml_error_with(
                    403,
                    "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.",
                    &format!("SKEW{index:020}"),
                    "0002-00000504",
                    &[
                        ("RequestTime", signed_text),
                        ("ServerTime", &server_time),
                        ("MaxAllowedSkewMilliseconds", "900000"),
                    ],
                );
            }
        }
        let reply = script(index, request);
        if request.is_async_process() && reply.status().is_none_or(|s| s < 400) {
            self.queued.fetch_add(1, Ordering::SeqCst);
        }
        reply
    }

    /// Headers every answer carries: the `Date` of a skewed clock.
    fn extra_headers(&self) -> Vec<(String, String)> {
        match self.clock_offset_secs {
            Some(_) => vec![("Date".to_string(), http_date(self.now()))],
            None => Vec::new(),
        }
    }
}

/// The running server. Dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    /// A builder with the defaults: 1,000 requests, 20 s, the real clock.
    pub fn builder() -> Builder {
        Builder {
            max_requests: 1000,
            max_time: Duration::from_secs(20),
            clock_offset_secs: None,
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

    /// The async process tasks queued so far (see the module docs).
    pub fn queued(&self) -> usize {
        self.shared.queued.load(Ordering::SeqCst)
    }

    /// The requests refused with `RequestTimeTooSkewed` so far.
    pub fn skew_refusals(&self) -> usize {
        self.shared.skew_refusals.load(Ordering::SeqCst)
    }

    /// The server's clock (the real one plus the offset).
    pub fn now(&self) -> SystemTime {
        self.shared.now()
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
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
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
        // The request's last byte stays unread until the reply is chosen.
        let Some(request) = conn.read_holding_last_byte(shared) else {
            return;
        };
        let Some(index) = shared.take() else {
            conn.close();
            return;
        };
        shared.requests.lock().unwrap().push(request.clone());
        let keep_open = match shared.reply(index, &request, script) {
            Reply::Endless { status } => {
                conn.consume_held_byte();
                stream_endless(&mut conn.stream, status, shared);
                false
            }
            reply => conn.send(&reply.into_wire(), shared),
        };
        if !keep_open {
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
    /// request is too large or the server stops. (The fixed mode.)
    fn next_request_end(&mut self, shared: &Shared) -> Option<usize> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(end) = complete_request_len(&self.buf) {
                return Some(end);
            }
            if self.buf.len() > MAX_HEAD + MAX_BODY {
                return None;
            }
            let n = self.wait(shared, |s| s.read(&mut chunk))?;
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads one whole request, but leaves its last byte unread in the
    /// kernel (peeked, so the request is complete): a reset is then a
    /// plain close. (The scripted mode.)
    fn read_holding_last_byte(&mut self, shared: &Shared) -> Option<Recorded> {
        let mut bytes: Vec<u8> = Vec::new();
        let mut peeked = vec![0u8; MAX_HEAD];
        // The head: peek, and take what holds no end of head; at the end
        // of the head, the request's whole length is known.
        let total = loop {
            let n = self.wait(shared, |s| s.peek(&mut peeked))?;
            let from = bytes.len().saturating_sub(3);
            let mut window = bytes[from..].to_vec();
            window.extend_from_slice(&peeked[..n]);
            if let Some(end) = head_end(&window) {
                let head_len = from + end;
                let mut head = bytes.clone();
                head.extend_from_slice(&peeked[..head_len - bytes.len()]);
                let body_len = content_length(&head).filter(|&n| n <= MAX_BODY)?;
                break head_len + body_len;
            }
            if bytes.len() + n > MAX_HEAD {
                return None;
            }
            self.take_exactly(&mut bytes, n, shared)?;
        };
        let rest = total - 1 - bytes.len();
        self.take_exactly(&mut bytes, rest, shared)?;
        let n = self.wait(shared, |s| s.peek(&mut peeked[..1]))?;
        bytes.extend_from_slice(&peeked[..n]);
        let mut request = parse_request(&bytes)?;
        request.received = SystemTime::now();
        Some(request)
    }

    /// Reads exactly `n` more bytes into `out`.
    fn take_exactly(&mut self, out: &mut Vec<u8>, mut n: usize, shared: &Shared) -> Option<()> {
        let mut chunk = [0u8; 16 * 1024];
        while n > 0 {
            let want = n.min(chunk.len());
            let got = self.wait(shared, |s| s.read(&mut chunk[..want]))?;
            out.extend_from_slice(&chunk[..got]);
            n -= got;
        }
        Some(())
    }

    /// Runs a read (or peek) until it gives bytes; `None` when the peer
    /// closed, the read failed or the server stops.
    fn wait(
        &mut self,
        shared: &Shared,
        mut read: impl FnMut(&mut TcpStream) -> std::io::Result<usize>,
    ) -> Option<usize> {
        loop {
            match read(&mut self.stream) {
                Ok(0) => return None,
                Ok(n) => return Some(n),
                Err(e) if is_transient(&e) => {
                    if shared.stopped() {
                        return None;
                    }
                }
                Err(_) => return None,
            }
        }
    }

    /// Reads the request byte left unread.
    fn consume_held_byte(&mut self) {
        let mut byte = [0u8; 1];
        let _ = self.stream.read(&mut byte);
    }

    /// Closes cleanly (FIN): the held byte read first.
    fn close(&mut self) {
        self.consume_held_byte();
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Sends a reply as shaped; true when the connection stays open for
    /// the next request.
    fn send(&mut self, wire: &Wire, shared: &Shared) -> bool {
        if !shared.sleep(Some(wire.delay())) {
            return false;
        }
        if wire.end() != End::Reset {
            self.consume_held_byte();
        }
        let (head_interval, body_interval) = wire.intervals();
        let sent = write_paced(
            &mut self.stream,
            &wire.head_bytes(&shared.extra_headers()),
            head_interval,
            shared,
        ) && write_paced(&mut self.stream, wire.body_sent(), body_interval, shared);
        match wire.end() {
            End::KeepAlive if sent => true,
            End::KeepAlive | End::Close => {
                let _ = self.stream.shutdown(Shutdown::Both);
                false
            }
            // Dropped with the request's last byte unread: the kernel resets.
            End::Reset => false,
            End::Silent => {
                shared.sleep(None);
                false
            }
        }
    }
}

/// Writes `bytes` at once, or one byte every `interval`; false if the
/// write failed or the server stopped.
fn write_paced(
    w: &mut TcpStream,
    bytes: &[u8],
    interval: Option<Duration>,
    shared: &Shared,
) -> bool {
    let Some(interval) = interval else {
        return w.write_all(bytes).and_then(|()| w.flush()).is_ok();
    };
    for (i, b) in bytes.iter().enumerate() {
        if (i > 0 && !shared.sleep(Some(interval))) || w.write_all(&[*b]).is_err() {
            return false;
        }
    }
    true
}

/// A chunked body that never ends, until the peer goes or the server stops.
fn stream_endless(w: &mut TcpStream, status: u16, shared: &Shared) {
    let head = format!(
        "{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        status_line(status)
    );
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
    while !shared.stopped() {
        if w.write_all(chunk.as_bytes()).is_err() {
            return;
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
        received: SystemTime::now(),
    })
}
