//! Loopback stand-ins for the transport tests: a CONNECT proxy (tunnels to
//! 127.0.0.1 only; may demand `Proxy-Authorization` or refuse every
//! tunnel) and a TLS server with the test CA of `tests/data/tls` that
//! answers every request like `process_object`. Both are bounded in
//! connections and time and stop by themselves, or when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The test CA that signed the TLS server's certificate.
pub const CA_PEM: &str = include_str!("../data/tls/ca.pem");
const SERVER_PEM: &str = include_str!("../data/tls/server.pem");
const SERVER_KEY: &str = include_str!("../data/tls/server.key");

/// How long a stand-in serves.
const LIMIT: Duration = Duration::from_secs(30);
/// The most connections a stand-in accepts.
const MAX_CONNECTIONS: usize = 64;

/// What the proxy does with a CONNECT.
#[derive(Clone, Debug)]
pub enum ProxyMode {
    /// Tunnel it (to 127.0.0.1 targets; 502 for anything else).
    Tunnel,
    /// Answer 407 unless `Proxy-Authorization: Basic <this>` is sent.
    RequireAuth(String),
    /// Answer every CONNECT with this status.
    Refuse(u16),
}

/// One CONNECT as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Connect {
    pub target: String,
    pub authorization: Option<String>,
}

/// A running stand-in: its address, what it saw, and its stop switch.
pub struct StandIn {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    connects: Arc<Mutex<Vec<Connect>>>,
    handle: Option<JoinHandle<()>>,
}

impl StandIn {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (the proxy) or `https://127.0.0.1:PORT`
    /// (the TLS server).
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// CONNECT requests seen so far (the proxy).
    pub fn connects(&self) -> Vec<Connect> {
        self.connects.lock().unwrap().clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

type Handler = dyn Fn(TcpStream, &Shared) + Send + Sync;

/// What a connection handler may use.
pub struct Shared {
    stop: Arc<AtomicBool>,
    deadline: Instant,
    connects: Arc<Mutex<Vec<Connect>>>,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || Instant::now() >= self.deadline
    }
}

/// Accepts up to `MAX_CONNECTIONS` connections for `LIMIT`, each handled
/// on its own thread.
fn serve(handler: Arc<Handler>) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let connections = Arc::new(AtomicUsize::new(0));
    let connects = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        stop: Arc::clone(&stop),
        deadline: Instant::now() + LIMIT,
        connects: Arc::clone(&connects),
    });
    let accepted = Arc::clone(&connections);
    let handle = std::thread::spawn(move || {
        let mut workers = Vec::new();
        while !shared.stopped() && workers.len() < MAX_CONNECTIONS {
            match listener.accept() {
                Ok((stream, _)) => {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
                    let handler = Arc::clone(&handler);
                    let shared = Arc::clone(&shared);
                    workers.push(std::thread::spawn(move || handler(stream, &shared)));
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
    });
    StandIn {
        addr,
        stop,
        connections,
        connects,
        handle: Some(handle),
    }
}

/// Reads a request head (up to the blank line), retrying on the short
/// read timeouts used to watch the stop switch.
fn read_head(reader: &mut impl BufRead, shared: &Shared) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    let mut line = Vec::new();
    loop {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) if line.ends_with(b"\n") => {
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                line.clear();
                if text.is_empty() {
                    return Some(lines);
                }
                lines.push(text);
                if lines.len() > 100 {
                    return None;
                }
            }
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if shared.stopped() {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Starts the CONNECT proxy.
pub fn start_proxy(mode: ProxyMode) -> StandIn {
    serve(Arc::new(move |stream: TcpStream, shared: &Shared| {
        let Ok(mut writer) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        let Some(head) = read_head(&mut reader, shared) else {
            return;
        };
        let mut parts = head[0].split(' ');
        let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
            let _ =
                writer.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
            return;
        };
        let authorization = header(&head, "proxy-authorization").map(str::to_string);
        shared.connects.lock().unwrap().push(Connect {
            target: target.to_string(),
            authorization: authorization.clone(),
        });
        let refuse = |w: &mut TcpStream, status: u16, reason: &str| {
            let _ = w.write_all(
                format!("HTTP/1.1 {status} {reason}\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
                    .as_bytes(),
            );
        };
        match &mode {
            ProxyMode::Refuse(status) => return refuse(&mut writer, *status, "Refused"),
            ProxyMode::RequireAuth(expected)
                if authorization.as_deref() != Some(&format!("Basic {expected}")) =>
            {
                return refuse(&mut writer, 407, "Proxy Authentication Required");
            }
            _ => {}
        }
        let upstream = target
            .strip_prefix("127.0.0.1:")
            .and_then(|port| port.parse::<u16>().ok())
            .and_then(|port| TcpStream::connect(("127.0.0.1", port)).ok());
        let Some(upstream) = upstream else {
            return refuse(&mut writer, 502, "Bad Gateway");
        };
        if writer
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .is_err()
        {
            return;
        }
        // Bytes the client sent after the head are in the reader's buffer.
        let buffered = reader.buffer().to_vec();
        let client = reader.into_inner();
        let _ = upstream.set_read_timeout(Some(Duration::from_millis(50)));
        let (Ok(mut up_write), Ok(up_read)) = (upstream.try_clone(), upstream.try_clone()) else {
            return;
        };
        if up_write.write_all(&buffered).is_err() {
            return;
        }
        let Ok(client_write) = client.try_clone() else {
            return;
        };
        let stop = Arc::clone(&shared.stop);
        let deadline = shared.deadline;
        let back = std::thread::spawn(move || pump(up_read, client_write, &stop, deadline));
        pump(client, up_write, &shared.stop, shared.deadline);
        let _ = back.join();
    }))
}

/// Copies `from` to `to` until either closes or the stand-in stops.
fn pump(mut from: TcpStream, mut to: TcpStream, stop: &AtomicBool, deadline: Instant) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        if stop.load(Ordering::SeqCst) || Instant::now() >= deadline {
            break;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Starts the TLS server: every request gets a `process_object` answer.
pub fn start_tls_server() -> StandIn {
    let config = Arc::new(server_config());
    serve(Arc::new(move |stream: TcpStream, shared: &Shared| {
        let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&config)) else {
            return;
        };
        let mut tls = rustls::StreamOwned::new(connection, stream);
        loop {
            let mut reader = BufReader::new(&mut tls);
            let Some(head) = read_head(&mut reader, shared) else {
                return;
            };
            let length: usize = header(&head, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; length.min(1 << 20)];
            let mut filled = 0;
            while filled < body.len() {
                match reader.read(&mut body[filled..]) {
                    Ok(0) => return,
                    Ok(n) => filled += n,
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        if shared.stopped() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
            drop(reader);
            let answer = r#"{"bucket": "examplebucket", "fileSize": 1234, "object": "thumb.jpg", "status": "OK"}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-oss-request-id: TLS-STAND-IN\r\nContent-Length: {}\r\n\r\n{answer}",
                answer.len()
            );
            if tls.write_all(response.as_bytes()).is_err() || tls.flush().is_err() {
                return;
            }
        }
    }))
}

fn server_config() -> rustls::ServerConfig {
    let certificates: Vec<rustls::pki_types::CertificateDer<'static>> =
        ureq::tls::parse_pem(SERVER_PEM.as_bytes())
            .filter_map(|item| match item.unwrap() {
                ureq::tls::PemItem::Certificate(c) => {
                    Some(rustls::pki_types::CertificateDer::from(c.der().to_vec()))
                }
                _ => None,
            })
            .collect();
    let key = ureq::tls::parse_pem(SERVER_KEY.as_bytes())
        .find_map(|item| match item.unwrap() {
            ureq::tls::PemItem::PrivateKey(k) => Some(rustls::pki_types::PrivateKeyDer::Pkcs8(
                k.der().to_vec().into(),
            )),
            _ => None,
        })
        .expect("the test key");
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap()
}

/// A loopback port on which nothing listens.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// An error with its chain of causes, as one line.
pub fn full_text(e: &oss_process::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
