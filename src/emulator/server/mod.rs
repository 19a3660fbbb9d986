//! A small HTTP/1.1 server on `std::net` for the emulator: an accepting
//! thread, one thread per open connection, and a bound on how many
//! requests are handled at once.
//!
//! No slow client holds anything another client needs. A connection thread
//! reads its own socket under overall deadlines (the head from its first
//! byte, then the body; see [`wire`]), and only a complete request takes
//! one of the handler permits, so clients that drip a header line every few
//! seconds or send one byte and fall silent wait alone until their deadline
//! and are then refused. Open connections are bounded: when the bound is
//! reached, the connection that has waited longest for a request or its
//! head is closed to make room (one mid-head is answered `Busy`); if every
//! connection is busy with a request, the newcomer is refused.
//!
//! It is written here rather than taken from a crate because the emulator
//! must leave no thread behind when it stops (tests start many emulators):
//! a stop shuts every socket down and joins every thread within about a
//! tenth of a second. The handler never sees a malformed request, and a
//! panicking handler becomes a 500.

mod wire;

use std::collections::HashMap;
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::wire::{Deadlines, Part, ReadEnd, Reader};
pub(crate) use self::wire::{MAX_HEAD, Refusal, Request, Response, find_header};

/// What the server needs from the code above it.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Answers one request. Must not block for long.
    fn handle(&self, request: &Request) -> Response;
    /// The largest body accepted for `method`.
    fn body_limit(&self, method: &str) -> usize;
    /// The answer to a request refused before it reached [`Handler::handle`]
    /// (or whose handler panicked), given its method and target if they
    /// were read.
    fn refuse(&self, refusal: &Refusal, line: Option<(&str, &str)>) -> Response;
}

/// How the server runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Requests handled at once.
    pub handlers: usize,
    /// Connections open at once.
    pub max_connections: usize,
    /// How long a connection may wait for a request.
    pub idle_timeout: Duration,
    /// The deadline of a request's head, and the base of its body's.
    pub request_timeout: Duration,
}

/// Where a connection is, for choosing which one to close when full.
#[derive(Debug)]
struct ConnState {
    /// A [`Part`], or [`BUSY`] while a request is handled and answered.
    part: AtomicU8,
    /// When it entered that part, in milliseconds since the server started.
    since: AtomicU64,
    /// Closed by the server to make room.
    evicted: AtomicBool,
}

const IDLE: u8 = 0;
const HEAD: u8 = 1;
const BODY: u8 = 2;
const BUSY: u8 = 3;

/// One open connection, as the accepting thread sees it.
struct Open {
    stream: TcpStream,
    state: Arc<ConnState>,
}

/// What the accepting thread, the connection threads and stoppers share.
struct Shared {
    stop: AtomicBool,
    settings: Settings,
    started: Instant,
    handler: Arc<dyn Handler>,
    open: Mutex<HashMap<u64, Open>>,
    free_permits: Mutex<usize>,
    permit_freed: Condvar,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn open(&self) -> MutexGuard<'_, HashMap<u64, Open>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn deadlines(&self) -> Deadlines {
        Deadlines {
            idle: self.settings.idle_timeout,
            request: self.settings.request_timeout,
        }
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn enter(&self, state: &ConnState, part: u8) {
        state.since.store(self.millis(), Ordering::SeqCst);
        state.part.store(part, Ordering::SeqCst);
    }

    /// Waits for a handler permit; `None` when the server stops.
    fn permit(&self) -> Option<Permit<'_>> {
        let mut free = self.free_permits.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if self.stopping() {
                return None;
            }
            if *free > 0 {
                *free -= 1;
                return Some(Permit(self));
            }
            free = self
                .permit_freed
                .wait_timeout(free, Duration::from_millis(100))
                .map_or_else(|p| p.into_inner().0, |(f, _)| f);
        }
    }
}

/// A handler permit, given back when dropped.
struct Permit<'a>(&'a Shared);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self
            .0
            .free_permits
            .lock()
            .unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.permit_freed.notify_one();
    }
}

/// A running server. Dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving `listener`.
    pub fn start(
        listener: TcpListener,
        settings: Settings,
        handler: Arc<dyn Handler>,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            settings,
            started: Instant::now(),
            handler,
            open: Mutex::new(HashMap::new()),
            free_permits: Mutex::new(settings.handlers.max(1)),
            permit_freed: Condvar::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = std::thread::Builder::new()
            .name(format!("oss-emulator-accept-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops this server from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            addr: self.addr,
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops accepting, closes every connection and joins every thread.
    pub fn stop(&mut self) {
        self.stopper().stop();
        self.wait();
    }

    /// Blocks until the server is stopped (through a [`Stopper`]) and its
    /// threads are gone.
    pub fn wait(&mut self) {
        if let Some(t) = self.accept.take() {
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
        // Wake the accepting thread: it is blocked in accept().
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(if wake.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        // Wake every connection thread: reads and writes fail at once.
        for open in self.shared.open().values() {
            let _ = open.stream.shutdown(Shutdown::Both);
        }
        self.shared.permit_freed.notify_all();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id = 0u64;
    let port = listener.local_addr().map_or(0, |a| a.port());
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            // EMFILE and friends: back off instead of spinning.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        // Join the threads of connections that have ended.
        let (ended, live): (Vec<_>, Vec<_>) = threads.into_iter().partition(|t| t.is_finished());
        threads = live;
        for t in ended {
            let _ = t.join();
        }
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let state = Arc::new(ConnState {
            part: AtomicU8::new(IDLE),
            since: AtomicU64::new(shared.millis()),
            evicted: AtomicBool::new(false),
        });
        {
            let mut open = shared.open();
            if shared.stopping() {
                break;
            }
            if !make_room(&open, shared.settings.max_connections) {
                drop(open);
                refuse_connection(stream, shared);
                continue;
            }
            next_id += 1;
            open.insert(
                next_id,
                Open {
                    stream: registered,
                    state: Arc::clone(&state),
                },
            );
        }
        let id = next_id;
        let conn_shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name(format!("oss-emulator-{port}-{id}"))
            .spawn(move || {
                serve_connection(stream, &conn_shared, &state);
                conn_shared.open().remove(&id);
            });
        match spawned {
            Ok(t) => threads.push(t),
            Err(_) => {
                if let Some(open) = shared.open().remove(&id) {
                    let _ = open.stream.shutdown(Shutdown::Both);
                }
            }
        }
    }
    // Close what is still open (a connection registered while stopping),
    // then wait for every connection thread.
    for open in shared.open().values() {
        let _ = open.stream.shutdown(Shutdown::Both);
    }
    for t in threads {
        let _ = t.join();
    }
}

/// Makes room for one more connection under `max`: when full, closes the
/// connection that has waited longest for a request or for the rest of
/// its head. False when every connection is busy with a request.
fn make_room(open: &HashMap<u64, Open>, max: usize) -> bool {
    let live = open
        .values()
        .filter(|o| !o.state.evicted.load(Ordering::SeqCst));
    if live.clone().count() < max {
        return true;
    }
    let oldest = live
        .filter(|o| matches!(o.state.part.load(Ordering::SeqCst), IDLE | HEAD))
        .min_by_key(|o| o.state.since.load(Ordering::SeqCst));
    let Some(oldest) = oldest else {
        return false;
    };
    oldest.state.evicted.store(true, Ordering::SeqCst);
    // Only the reading side: the thread wakes, and can still answer.
    let _ = oldest.stream.shutdown(Shutdown::Read);
    true
}

/// Answers a connection there is no room for with `Busy`, and closes it.
fn refuse_connection(stream: TcpStream, shared: &Shared) {
    let response = shared.handler.refuse(&Refusal::Busy, None);
    let deadlines = Deadlines {
        idle: Duration::from_secs(1),
        request: Duration::from_secs(1),
    };
    let _ = wire::write_response(&stream, &response, false, false, deadlines);
    let _ = stream.shutdown(Shutdown::Both);
}

fn serve_connection(stream: TcpStream, shared: &Shared, state: &ConnState) {
    let _ = stream.set_nodelay(true);
    let deadlines = shared.deadlines();
    let handler = &*shared.handler;
    let mut reader = Reader::new(stream);
    loop {
        shared.enter(state, IDLE);
        if reader.wait_for_request(deadlines.idle).is_err() || shared.stopping() {
            break;
        }
        shared.enter(state, HEAD);
        let mut line = None;
        let read = wire::read_request(
            &mut reader,
            deadlines,
            |method| handler.body_limit(method),
            |part| {
                if part == Part::Body {
                    shared.enter(state, BODY);
                }
            },
            &mut line,
        );
        let line_ref = line
            .as_ref()
            .map(|(m, t): &(String, String)| (m.as_str(), t.as_str()));
        let request = match read {
            Ok(request) => request,
            Err(ReadEnd::Closed) => {
                if state.evicted.load(Ordering::SeqCst) && !shared.stopping() {
                    refuse(&mut reader, handler, &Refusal::Busy, line_ref, deadlines);
                }
                break;
            }
            Err(ReadEnd::Refuse(refusal)) => {
                refuse(&mut reader, handler, &refusal, line_ref, deadlines);
                break;
            }
        };
        shared.enter(state, BUSY);
        let keep_alive = request.keep_alive() && !shared.stopping();
        let head_only = request.method.eq_ignore_ascii_case("HEAD");
        let Some(permit) = shared.permit() else {
            break;
        };
        let response = catch_unwind(AssertUnwindSafe(|| handler.handle(&request)))
            .unwrap_or_else(|_| handler.refuse(&Refusal::Failed, line_ref));
        drop(permit);
        if let Some(delay) = response.delay
            && !sleep_unless_stopping(shared, delay)
        {
            break;
        }
        if response.close_without_answer {
            break;
        }
        let written =
            wire::write_response(reader.stream(), &response, keep_alive, head_only, deadlines);
        if written.is_err() || !keep_alive {
            break;
        }
    }
    let _ = reader.stream().shutdown(Shutdown::Both);
}

/// Sleeps for `delay` in short steps; false if the server began stopping.
fn sleep_unless_stopping(shared: &Shared, delay: Duration) -> bool {
    let until = Instant::now() + delay;
    loop {
        if shared.stopping() {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Answers a refusal and closes: stops writing, then reads and drops what
/// the client still sends for a moment, so that closing does not reset the
/// connection before the client has read the answer.
fn refuse(
    reader: &mut Reader,
    handler: &dyn Handler,
    refusal: &Refusal,
    line: Option<(&str, &str)>,
    deadlines: Deadlines,
) {
    let response = handler.refuse(refusal, line);
    let mut stream = reader.stream();
    if wire::write_response(stream, &response, false, false, deadlines).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let started = Instant::now();
    let mut drained = 0usize;
    let mut buf = [0u8; 16 * 1024];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    while started.elapsed() < Duration::from_millis(500) && drained < 8 * 1024 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
        fn refuse(&self, refusal: &Refusal, line: Option<(&str, &str)>) -> Response {
            let status = match refusal {
                Refusal::BodyTooLarge { .. } => 413,
                Refusal::Failed => 500,
                Refusal::Busy => 503,
                _ => 400,
            };
            Response::new(status).body(format!("{refusal:?} {line:?}").into_bytes())
        }
    }

    fn start_with(max_connections: usize, request_timeout: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let settings = Settings {
            handlers: 2,
            max_connections,
            idle_timeout: Duration::from_secs(15),
            request_timeout,
        };
        Server::start(listener, settings, Arc::new(Echo)).unwrap()
    }

    fn start() -> Server {
        start_with(64, Duration::from_secs(10))
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
        assert!(out.contains(r#"Some(("PUT", "/x"))"#), "{out}");
        let out = exchange(&server, b"GARBAGE\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        let out = exchange(&server, b"GET /panic HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
        let out = exchange(&server, b"GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    }

    #[test]
    fn stop_is_prompt_with_idle_and_half_open_connections() {
        let mut server = start();
        let _idle = TcpStream::connect(server.addr()).unwrap();
        let mut half_open = TcpStream::connect(server.addr()).unwrap();
        half_open.write_all(b"G").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        server.stop();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn when_full_the_longest_waiting_connection_makes_room() {
        let server = start_with(2, Duration::from_secs(10));
        // Two connections mid-head, the first one older.
        let mut first = TcpStream::connect(server.addr()).unwrap();
        first.write_all(b"GET /first HTTP/1.1\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let mut second = TcpStream::connect(server.addr()).unwrap();
        second.write_all(b"G").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // A third is served; the first is answered Busy and closed.
        let out = exchange(&server, b"GET /third HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
        first
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = String::new();
        let _ = first.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(answer.contains("Busy"), "{answer}");
        // The second is still waiting for the rest of its head.
        second
            .write_all(b"ET /second HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        second
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = String::new();
        let _ = second.read_to_string(&mut answer);
        assert!(answer.ends_with("GET /second "), "{answer}");
    }
}
