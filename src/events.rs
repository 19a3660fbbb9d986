//! Server-sent event streams (`Content-Type: text/event-stream`), read as a
//! blocking iterator of [`Event`]s: the answer form of document AI with
//! `format_event-stream`, and of any POST answer that comes as one.
//!
//! A line reader over the answer's body, written here rather than taken
//! from a crate: lines end with LF, CRLF or CR; `field: value` lines fill
//! the event (`data` lines joined by LF, `id`, `event`; `retry` and
//! comments, lines starting with `:`, are skipped); a blank line ends it.
//! The body has the client's download deadline, each read its read
//! timeout, and the whole stream the download cap; one event is capped at
//! [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body).
//!
//! A stream cut midway is an error, never a quiet end: a broken connection
//! is a transport error, and a body that ends inside a line or an event
//! (with no blank line after its last field, as every event the service
//! sends has, so that a browser's `EventSource` dispatches it) is
//! [`Error::Decode`]. A stream that ends cleanly between events ends the
//! iterator; document AI also checks that its last event said it was the
//! last ([`DocAiEvents`](crate::DocAiEvents)).

use std::fmt;
use std::io::{self, Read};

use serde_json::Value;

use crate::download::ProcessedObject;
use crate::error::Error;

/// One server-sent event.
///
/// ```
/// # fn demo(event: oss_process::Event) -> Result<(), oss_process::Error> {
/// println!("event {:?} #{:?}: {}", event.event(), event.id(), event.data());
/// let json = event.json()?; // the data as JSON
/// # let _ = json; Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    id: Option<String>,
    event: Option<String>,
    data: String,
}

impl Event {
    /// The event's `id`, or the last one the stream gave (as `EventSource`
    /// keeps it); `None` before any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The event's type (`event:`); `None` for the default, `message`.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The event's data: its `data:` lines joined by LF.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The data read as JSON. (The error does not quote the data: an
    /// event is read after the call returned, where a server's echo of a
    /// secret could no longer be scrubbed.)
    pub fn json(&self) -> Result<Value, Error> {
        serde_json::from_str(&self.data).map_err(|e| Error::Decode {
            message: format!("an event's data ({} bytes) is not JSON", self.data.len()),
            request_id: None,
            source: Some(Box::new(e)),
        })
    }
}

/// The events of a `text/event-stream` answer, read as they come: an
/// `Iterator` of `Result<Event, Error>` that ends after the last event, or
/// after the first error (a cut, a stall past the deadline, an event over
/// the cap). Made by [`Client::post_process`](crate::Client::post_process).
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// use oss_process::ProcessAnswer;
///
/// let process = "doc/summarize,content_SGVsbG8,format_event-stream";
/// if let ProcessAnswer::Events(events) = client.post_process("examplebucket", "any.txt", process)? {
///     for event in events {
///         println!("{}", event?.data());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct EventStream {
    body: ProcessedObject,
    /// Bytes read and not yet cut into lines.
    buffer: Vec<u8>,
    /// Where the scan for a line end resumes in `buffer`.
    scanned: usize,
    /// The event being read.
    pending: Pending,
    /// The last `id` given.
    last_id: Option<String>,
    /// The most bytes one event (its lines together) may hold.
    max_event: usize,
    /// The body has ended.
    eof: bool,
    /// The iterator has ended (after the last event or an error).
    done: bool,
}

/// The fields of the event being read.
#[derive(Debug, Default)]
struct Pending {
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
    /// `data` lines so far (the next is joined with LF).
    data_lines: usize,
    /// A field line has been read since the last blank line.
    started: bool,
    /// Bytes in its lines so far.
    size: usize,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("content_type", &self.body.content_type())
            .field("request_id", &self.body.request_id())
            .finish_non_exhaustive()
    }
}

impl EventStream {
    pub(crate) fn new(body: ProcessedObject, max_event: u64) -> Self {
        EventStream {
            body,
            buffer: Vec::new(),
            scanned: 0,
            pending: Pending::default(),
            last_id: None,
            max_event: usize::try_from(max_event).unwrap_or(usize::MAX),
            eof: false,
            done: false,
        }
    }

    /// `Content-Type` of the answer, e.g. `text/event-stream;charset=UTF-8`.
    pub fn content_type(&self) -> &str {
        self.body.content_type()
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        self.body.request_id()
    }

    /// An error about the stream's content.
    fn malformed(&self, what: &str) -> Error {
        let id = self.body.request_id();
        Error::Decode {
            message: format!("the event stream {what}"),
            request_id: (!id.is_empty()).then(|| id.to_string()),
            source: None,
        }
    }

    /// The next whole line in the buffer (without its end), if there is
    /// one; a CR at the very end waits for what follows it unless the body
    /// has ended.
    fn take_line(&mut self) -> Option<Vec<u8>> {
        let at = self.buffer[self.scanned..]
            .iter()
            .position(|b| matches!(b, b'\n' | b'\r'))
            .map(|i| i + self.scanned);
        let Some(at) = at else {
            self.scanned = self.buffer.len();
            return None;
        };
        let end = match self.buffer[at] {
            b'\r' if at + 1 == self.buffer.len() && !self.eof => {
                // CR LF may be split between two reads.
                self.scanned = at;
                return None;
            }
            b'\r' if self.buffer.get(at + 1) == Some(&b'\n') => at + 2,
            _ => at + 1,
        };
        let mut line: Vec<u8> = self.buffer.drain(..end).collect();
        line.truncate(at);
        self.scanned = 0;
        Some(line)
    }

    /// Reads one field line into the pending event; `Some` with the event
    /// when the line is blank and ends one that has data.
    fn field(&mut self, line: &[u8]) -> Result<Option<Event>, Error> {
        if line.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            if let Some(id) = pending.id {
                self.last_id = Some(id);
            }
            return Ok(pending.data.map(|data| Event {
                id: self.last_id.clone(),
                event: pending.event,
                data,
            }));
        }
        self.pending.started = true;
        self.pending.size += line.len() + 1;
        if self.pending.size > self.max_event {
            return Err(self.malformed(&format!(
                "has an event larger than {} bytes (ClientBuilder::max_response_body)",
                self.max_event
            )));
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| self.malformed("has a line that is not UTF-8"))?;
        if text.starts_with(':') {
            return Ok(None);
        }
        let (name, value) = match text.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (text, ""),
        };
        match name {
            "data" => {
                let data = self.pending.data.get_or_insert_with(String::new);
                if self.pending.data_lines > 0 {
                    data.push('\n');
                }
                data.push_str(value);
                self.pending.data_lines += 1;
            }
            "id" if !value.contains('\0') => self.pending.id = Some(value.to_string()),
            "event" => self.pending.event = Some(value.to_string()),
            _ => {}
        }
        Ok(None)
    }

    fn next_event(&mut self) -> Result<Option<Event>, Error> {
        let mut chunk = [0u8; 8 * 1024];
        loop {
            while let Some(line) = self.take_line() {
                if let Some(event) = self.field(&line)? {
                    return Ok(Some(event));
                }
            }
            if self.eof {
                if !self.buffer.is_empty() {
                    return Err(self.malformed(
                        "ended inside a line: it was cut midway (no blank line ended its last event)",
                    ));
                }
                if self.pending.started {
                    return Err(self.malformed(
                        "ended inside an event: it was cut midway (no blank line after its last field)",
                    ));
                }
                return Ok(None);
            }
            if self.buffer.len() + self.pending.size > self.max_event {
                return Err(self.malformed(&format!(
                    "has a line longer than {} bytes (ClientBuilder::max_response_body)",
                    self.max_event
                )));
            }
            match self.body.read(&mut chunk) {
                Ok(0) => self.eof = true,
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.body.read_error(e)),
            }
        }
    }
}

impl Iterator for EventStream {
    type Item = Result<Event, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_event();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.transpose()
    }
}

impl std::iter::FusedIterator for EventStream {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::download::Download;

    /// Hands out its bytes `step` at a time, so lines and line ends are
    /// split between reads.
    struct Dribble {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len() - self.at);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn stream(bytes: &[u8], step: usize, max_event: u64) -> EventStream {
        let body = ProcessedObject::new(
            Box::new(Dribble {
                bytes: bytes.to_vec(),
                at: 0,
                step,
            }),
            Download {
                content_type: "text/event-stream".into(),
                content_length: None,
                request_id: "RID".into(),
                target: "POST x".into(),
                cap: Some(1 << 20),
                expect_image: false,
            },
        );
        EventStream::new(body, max_event)
    }

    fn events(bytes: &[u8], step: usize) -> Result<Vec<Event>, Error> {
        stream(bytes, step, 1024).collect()
    }

    #[test]
    fn fields_line_ends_and_comments_in_any_split() {
        let body = b": a comment\r\nid: 7\r\nevent: Result\r\ndata: {\"a\":\r\ndata:1}\r\n\r\ndata\rretry: 5\r\r\nunknown: x\ndata: last\n\n";
        for step in [1, 2, 3, 7, 1000] {
            let got = events(body, step).unwrap();
            assert_eq!(got.len(), 3, "step {step}: {got:?}");
            assert_eq!((got[0].id(), got[0].event()), (Some("7"), Some("Result")));
            assert_eq!(got[0].data(), "{\"a\":\n1}");
            assert_eq!(got[0].json().unwrap()["a"], 1);
            // An empty `data` line makes an event with empty data; the id
            // carries over.
            assert_eq!(
                (got[1].data(), got[1].id(), got[1].event()),
                ("", Some("7"), None)
            );
            assert_eq!(got[2].data(), "last");
        }
        // Blank lines alone and fields without data make no event.
        assert!(events(b"\n\nid: 1\nevent: x\n\n", 1).unwrap().is_empty());
    }

    #[test]
    fn a_stream_that_ends_inside_an_event_or_a_line_is_an_error() {
        for (body, words) in [
            (&b"data: a\n\ndata: b\n"[..], "ended inside an event"),
            (b"data: a\n\ndata: b", "ended inside a line"),
            (b"data: a\n\nid: 1\n", "ended inside an event"),
        ] {
            let mut s = stream(body, 3, 1024);
            assert_eq!(s.next().unwrap().unwrap().data(), "a");
            let e = s.next().unwrap().unwrap_err();
            assert!(e.to_string().contains(words), "{e}");
            assert_eq!(e.request_id(), Some("RID"));
            assert!(s.next().is_none(), "the iterator ends after an error");
        }
    }

    #[test]
    fn events_and_lines_are_capped() {
        let big = format!("data: {}\n\n", "x".repeat(100));
        let e = stream(big.as_bytes(), 1000, 50)
            .next()
            .unwrap()
            .unwrap_err();
        assert!(e.to_string().contains("larger than 50 bytes"), "{e}");
        let endless = "x".repeat(200);
        let e = stream(endless.as_bytes(), 10, 50)
            .next()
            .unwrap()
            .unwrap_err();
        assert!(e.to_string().contains("longer than 50 bytes"), "{e}");
    }

    #[test]
    fn not_utf8_is_an_error() {
        let e = events(b"data: \xff\n\n", 100).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }
}
