//! The HTTP/1.1 wire format as the emulator speaks it: a request read under
//! overall deadlines (one for the head, from its first byte; one for the
//! body) with strict framing, and an answer written under a deadline.
//!
//! Strict framing, so that no two readers of the same bytes can disagree on
//! where a request ends: at most one `Content-Length`, of decimal digits
//! only (`+3`, `3, 3` and `0x3` are refused); at most one
//! `Transfer-Encoding`, and only `chunked`; never both; chunk sizes of hex
//! digits only. Anything else is a refusal ([`Refusal`]), answered and
//! followed by a close.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The longest a request head may be.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// How much a read takes from the socket at most.
const READ_CHUNK: usize = 16 * 1024;
/// The body and answer deadlines grow by this much per MiB.
const PER_MIB: Duration = Duration::from_secs(1);

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

    /// Whether the client asked to keep the connection open.
    pub fn keep_alive(&self) -> bool {
        !self
            .header("connection")
            .unwrap_or("")
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("close"))
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
    /// Wait this long before writing it (an injected delay); the handler
    /// permit is given back first.
    pub delay: Option<Duration>,
    /// Write nothing and close the connection (an injected reset).
    pub close_without_answer: bool,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            close_without_answer: false,
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

/// Why a request was refused before it reached the handler (or when the
/// handler failed). The handler turns it into an answer and a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Bad syntax or framing; the text says what.
    Malformed(String),
    /// The head is longer than [`MAX_HEAD`].
    HeadTooLarge,
    /// The body is longer than the limit for its method.
    BodyTooLarge { limit: usize },
    /// The head or the body did not arrive within its deadline.
    Timeout { part: &'static str, after: Duration },
    /// The emulator closed the connection to make room for others.
    Busy,
    /// The handler failed (panicked).
    Failed,
}

impl Refusal {
    fn malformed(message: impl Into<String>) -> ReadEnd {
        ReadEnd::Refuse(Refusal::Malformed(message.into()))
    }
}

/// Why reading a request stopped.
#[derive(Debug)]
pub(crate) enum ReadEnd {
    /// The peer closed or failed, or the server is stopping: close without
    /// answering.
    Closed,
    /// Answer this refusal, then close.
    Refuse(Refusal),
}

/// The part of a request being read, for deadlines and for the server's
/// choice of which connection to close when it is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Waiting for the first byte of a request.
    Idle,
    /// Reading the head.
    Head,
    /// Reading the body.
    Body,
}

/// The deadlines a request is read under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    /// Between requests: how long to wait for the first byte of one.
    pub idle: Duration,
    /// The whole head, from its first byte; the body, from the end of the
    /// head, gets this plus [`PER_MIB`] per MiB it may hold.
    pub request: Duration,
}

impl Deadlines {
    /// The deadline of a body (or an answer) of up to `len` bytes.
    pub fn for_bytes(&self, len: usize) -> Duration {
        let mib = u32::try_from(len / (1024 * 1024)).unwrap_or(u32::MAX);
        self.request.saturating_add(PER_MIB.saturating_mul(mib))
    }
}

/// A connection's reading side: the socket and the bytes read from it
/// that the current request has not used yet.
pub(crate) struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
}

impl Reader {
    pub fn new(stream: TcpStream) -> Reader {
        Reader {
            stream,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// The socket.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    fn buffered(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Reads more bytes before `deadline`.
    fn fill(&mut self, deadline: Instant, part: Part, timeout: Duration) -> Result<(), ReadEnd> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + READ_CHUNK, 0);
        let result = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break Err(expired(part, timeout));
            }
            if self.stream.set_read_timeout(Some(left)).is_err() {
                break Err(ReadEnd::Closed);
            }
            match self.stream.read(&mut self.buf[old..]) {
                Ok(0) => break Err(ReadEnd::Closed),
                Ok(n) => break Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break Err(ReadEnd::Closed),
            }
        };
        self.buf.truncate(old + *result.as_ref().unwrap_or(&0));
        result.map(|_| ())
    }

    /// Waits until a byte of a new request is there (or was already read).
    pub fn wait_for_request(&mut self, idle: Duration) -> Result<(), ReadEnd> {
        if self.buffered().is_empty() {
            // Not a refusal: an idle keep-alive connection just closes.
            self.fill(Instant::now() + idle, Part::Idle, idle)
                .map_err(|e| match e {
                    ReadEnd::Refuse(Refusal::Timeout { .. }) => ReadEnd::Closed,
                    e => e,
                })?;
        }
        Ok(())
    }

    /// One line without its line end; refuses lines over `limit` bytes.
    fn line(
        &mut self,
        limit: usize,
        deadline: Instant,
        part: Part,
        timeout: Duration,
    ) -> Result<Vec<u8>, ReadEnd> {
        loop {
            let buffered = self.buffered();
            if let Some(i) = buffered.iter().position(|&b| b == b'\n') {
                if i > limit {
                    return Err(ReadEnd::Refuse(Refusal::HeadTooLarge));
                }
                let mut line = buffered[..i].to_vec();
                self.consume(i + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if buffered.len() > limit {
                return Err(ReadEnd::Refuse(Refusal::HeadTooLarge));
            }
            self.fill(deadline, part, timeout)?;
        }
    }

    /// Appends exactly `n` bytes to `out`.
    fn exact(
        &mut self,
        out: &mut Vec<u8>,
        mut n: usize,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), ReadEnd> {
        while n > 0 {
            if self.buffered().is_empty() {
                self.fill(deadline, Part::Body, timeout)?;
            }
            let take = n.min(self.buffered().len());
            out.extend_from_slice(&self.buffered()[..take]);
            self.consume(take);
            n -= take;
        }
        Ok(())
    }
}

fn expired(part: Part, after: Duration) -> ReadEnd {
    ReadEnd::Refuse(Refusal::Timeout {
        part: match part {
            Part::Body => "body",
            Part::Idle | Part::Head => "head",
        },
        after,
    })
}

/// How a request's body is framed.
enum Framing {
    None,
    Length(usize),
    Chunked,
}

/// Reads one request whose first byte has arrived (see
/// [`Reader::wait_for_request`]). `at` is told when the body starts (for
/// the server's bookkeeping), `limit` gives the body limit of a method, and
/// `line` receives the method and target as soon as they are read (for the
/// log line of a refusal).
pub(crate) fn read_request(
    reader: &mut Reader,
    deadlines: Deadlines,
    limit: impl Fn(&str) -> usize,
    at: impl Fn(Part),
    line: &mut Option<(String, String)>,
) -> Result<Request, ReadEnd> {
    let head_deadline = Instant::now() + deadlines.request;
    let read_line = |reader: &mut Reader, limit| {
        reader.line(limit, head_deadline, Part::Head, deadlines.request)
    };
    // Tolerate blank lines before a request line (RFC 9112 2.2).
    let mut head_size = 0;
    let request_line = loop {
        let text = read_line(reader, MAX_HEAD - head_size)?;
        head_size += text.len() + 2;
        if !text.is_empty() {
            break String::from_utf8(text)
                .map_err(|_| Refusal::malformed("the request line is not UTF-8"))?;
        }
    };
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::malformed("malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Refusal::malformed("malformed method"));
    }
    *line = Some((method.to_string(), target.to_string()));
    if !target.starts_with('/') {
        return Err(Refusal::malformed(
            "the request target must be an absolute path",
        ));
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => {
            return Err(Refusal::malformed(
                "only HTTP/1.0 and HTTP/1.1 are supported",
            ));
        }
    };

    let mut headers = Vec::new();
    loop {
        let text = read_line(reader, MAX_HEAD.saturating_sub(head_size))?;
        head_size += text.len() + 2;
        if text.is_empty() {
            break;
        }
        let text =
            String::from_utf8(text).map_err(|_| Refusal::malformed("a header is not UTF-8"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| Refusal::malformed("malformed header line"))?;
        if name.is_empty()
            || name
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(Refusal::malformed("malformed header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    if http10
        && !find_header(&headers, "connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("keep-alive"))
    {
        headers.push(("Connection".into(), "close".into()));
    }
    let framing = framing(&headers)?;
    let limit = limit(method);
    if let Framing::Length(n) = framing
        && n > limit
    {
        return Err(ReadEnd::Refuse(Refusal::BodyTooLarge { limit }));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    };
    let expects_continue = request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let sends_body = match framing {
        Framing::None => false,
        Framing::Length(n) => n > 0,
        Framing::Chunked => true,
    };
    if expects_continue && sends_body {
        let mut stream = reader.stream();
        stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| ReadEnd::Closed)?;
    }
    at(Part::Body);
    match framing {
        Framing::None => {}
        Framing::Length(n) => {
            let timeout = deadlines.for_bytes(n);
            request.body.reserve(n.min(1024 * 1024));
            reader.exact(&mut request.body, n, Instant::now() + timeout, timeout)?;
        }
        Framing::Chunked => {
            let timeout = deadlines.for_bytes(limit);
            read_chunked(
                reader,
                &mut request.body,
                limit,
                Instant::now() + timeout,
                timeout,
            )?;
        }
    }
    Ok(request)
}

/// The body framing the headers declare, strictly.
fn framing(headers: &[(String, String)]) -> Result<Framing, ReadEnd> {
    let mut length = None;
    let mut encoding = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length") {
            if length.is_some() {
                return Err(Refusal::malformed(
                    "more than one Content-Length header: a request has exactly one",
                ));
            }
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refusal::malformed(format!(
                    "Content-Length {value:?} is not a decimal number (digits only)"
                )));
            }
            length = Some(value.parse::<usize>().map_err(|_| {
                Refusal::malformed(format!("Content-Length {value:?} is too large"))
            })?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            if encoding.is_some() {
                return Err(Refusal::malformed("more than one Transfer-Encoding header"));
            }
            encoding = Some(value);
        }
    }
    match (length, encoding) {
        (Some(_), Some(_)) => Err(Refusal::malformed(
            "Transfer-Encoding and Content-Length together: a request has one or the other",
        )),
        (_, Some(te)) if !te.eq_ignore_ascii_case("chunked") => Err(Refusal::malformed(format!(
            "Transfer-Encoding {te:?} is not supported: only chunked"
        ))),
        (_, Some(_)) => Ok(Framing::Chunked),
        (Some(n), None) => Ok(Framing::Length(n)),
        (None, None) => Ok(Framing::None),
    }
}

fn read_chunked(
    reader: &mut Reader,
    body: &mut Vec<u8>,
    limit: usize,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), ReadEnd> {
    loop {
        let line = reader.line(1024, deadline, Part::Body, timeout)?;
        let size_text = line.split(|&b| b == b';').next().unwrap_or(&[]);
        let size_text = size_text.trim_ascii();
        if size_text.is_empty()
            || size_text.len() > 16
            || !size_text.iter().all(u8::is_ascii_hexdigit)
        {
            return Err(Refusal::malformed("malformed chunk size (hex digits only)"));
        }
        let size = std::str::from_utf8(size_text)
            .ok()
            .and_then(|t| usize::from_str_radix(t, 16).ok())
            .ok_or_else(|| Refusal::malformed("malformed chunk size (too large)"))?;
        if size == 0 {
            // Trailers, up to the blank line.
            let mut trailers = 0;
            loop {
                let line = reader.line(MAX_HEAD - trailers, deadline, Part::Body, timeout)?;
                trailers += line.len() + 2;
                if line.is_empty() {
                    return Ok(());
                }
            }
        }
        if body.len().saturating_add(size) > limit {
            return Err(ReadEnd::Refuse(Refusal::BodyTooLarge { limit }));
        }
        reader.exact(body, size, deadline, timeout)?;
        if !reader.line(1024, deadline, Part::Body, timeout)?.is_empty() {
            return Err(Refusal::malformed(
                "malformed chunk: no line end after the data",
            ));
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

/// Writes an answer before its deadline (see [`Deadlines::for_bytes`]).
pub(crate) fn write_response(
    stream: &TcpStream,
    response: &Response,
    keep_alive: bool,
    head_only: bool,
    deadlines: Deadlines,
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
    let body: &[u8] = if head_only { &[] } else { &response.body };
    let deadline = Instant::now() + deadlines.for_bytes(body.len());
    let mut out = head.into_bytes();
    if body.len() <= READ_CHUNK {
        out.extend_from_slice(body);
        write_before(stream, &out, deadline)
    } else {
        write_before(stream, &out, deadline)?;
        write_before(stream, body, deadline)
    }
}

/// Writes all of `bytes` before `deadline`.
fn write_before(mut stream: &TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
