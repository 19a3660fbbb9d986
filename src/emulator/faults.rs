//! Fault injection: the emulator answers chosen calls with an error of
//! your choosing (status, Code, Message, `Retry-After`), late, or not at
//! all (the connection closed), so that a program's retry handling can be
//! tested against the real request path without writing a server.
//!
//! A [`Fault`] says what to do and to which calls: the next one by default,
//! the next N ([`Fault::times`]), or every one until removed
//! ([`Fault::always`]); of any object, one key ([`Fault::key`]), one bucket
//! ([`Fault::bucket`]) or one kind of call ([`Fault::on`]).
//! [`Emulator::inject`](super::Emulator::inject) arms it and returns an
//! [`InjectedFault`] that counts the calls it caught. Faults are checked in
//! the order they were injected, before anything else (the bucket, the
//! signature); the first one that matches and has calls left takes the
//! call.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::errors;
use super::router::{Operation, Route};
use super::server::{Request, Response};

/// A kind of call, for [`Fault::on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// `GET` or `HEAD` of an object.
    GetObject,
    /// `PUT` of an object.
    PutObject,
    /// `DELETE` of an object.
    DeleteObject,
    /// `PUT` of a bucket.
    PutBucket,
    /// ListObjectsV2: `GET /bucket/?list-type=2`.
    ListObjects,
    /// Synchronous processing: `x-oss-process` over GET or POST
    /// (`process_object`, `get_processed`, presigned processing URLs).
    Process,
    /// Asynchronous processing: `x-oss-async-process`
    /// (`async_process_object`).
    AsyncProcess,
    /// The bucket's styles: `?style` (PutStyle, GetStyle, ListStyle,
    /// DeleteStyle).
    Style,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Answer as usual (after the delay).
    Serve,
    /// Answer this error.
    Error {
        status: u16,
        code: String,
        message: Option<String>,
        retry_after: Option<Duration>,
    },
    /// Close the connection without answering.
    Reset,
}

/// What the emulator does to the calls it catches, and which calls; arm it
/// with [`Emulator::inject`](super::Emulator::inject).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use oss_process::emulator::{Emulator, Fault, RequestKind};
/// use oss_process::{Client, Credentials, StandardRetry};
///
/// let credentials = Credentials::new("test-id", "test-secret");
/// let emulator = Emulator::builder().credentials(credentials.clone()).start()?;
/// # let mut png = Vec::new();
/// # image::RgbImage::from_pixel(64, 48, image::Rgb([200, 100, 50]))
/// #     .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
/// emulator.put_object("examplebucket", "photo.png", &png)?;
///
/// // The next two processing calls are throttled, asking for a 1 s pause.
/// let throttle = emulator.inject(
///     Fault::error(503, "ServiceUnavailable")
///         .message("Please reduce your request rate.")
///         .retry_after(Duration::from_secs(1))
///         .on(RequestKind::Process)
///         .times(2),
/// );
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .endpoint(emulator.endpoint())
///     .credentials(credentials)
///     .retry_policy(StandardRetry::new().max_attempts(3))
///     .build()?;
/// let result = client.process_object(
///     "examplebucket",
///     "photo.png",
///     "image/resize,w_32|sys/saveas,o_dGh1bWIucG5n",
/// )?;
/// assert_eq!(result.key(), "thumb.png");
/// assert_eq!(throttle.hits(), 2); // the third attempt went through
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    action: Action,
    delay: Duration,
    /// `None`: every matching call until removed.
    times: Option<u32>,
    bucket: Option<String>,
    key: Option<String>,
    kind: Option<RequestKind>,
}

impl Fault {
    fn new(action: Action) -> Fault {
        Fault {
            action,
            delay: Duration::ZERO,
            times: Some(1),
            bucket: None,
            key: None,
            kind: None,
        }
    }

    /// Answers an OSS error: this HTTP status and `Code`, with an XML body
    /// as OSS shapes it (`Message`, `RequestId`, `HostId`, `EC`) and the
    /// `x-oss-request-id` header. E.g. `(503, "ServiceUnavailable")`,
    /// `(429, "QpsLimitExceeded")`, `(500, "InternalError")`.
    pub fn error(status: u16, code: impl Into<String>) -> Fault {
        Fault::new(Action::Error {
            status,
            code: code.into(),
            message: None,
            retry_after: None,
        })
    }

    /// Closes the connection without answering, after reading the request:
    /// the client sees the connection end before any answer, as after a
    /// reset or a crash. (The close is a FIN: the standard library cannot
    /// send an RST.)
    pub fn reset() -> Fault {
        Fault::new(Action::Reset)
    }

    /// Answers as usual, but only after `delay` (for testing read
    /// timeouts and deadlines). The handler is not held meanwhile.
    pub fn delay(delay: Duration) -> Fault {
        Fault::new(Action::Serve).after(delay)
    }

    /// The error's `Message` (default: one saying the fault was injected).
    /// Only for [`Fault::error`].
    pub fn message(mut self, message: impl Into<String>) -> Fault {
        if let Action::Error { message: m, .. } = &mut self.action {
            *m = Some(message.into());
        }
        self
    }

    /// Adds a `Retry-After` header (whole seconds) to the error. Only for
    /// [`Fault::error`].
    pub fn retry_after(mut self, after: Duration) -> Fault {
        if let Action::Error { retry_after, .. } = &mut self.action {
            *retry_after = Some(after);
        }
        self
    }

    /// Waits `delay` before answering the error or closing.
    pub fn after(mut self, delay: Duration) -> Fault {
        self.delay = delay;
        self
    }

    /// Catches the next `n` matching calls (default 1). `times(0)` catches
    /// none.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    /// Catches every matching call until the fault is removed
    /// ([`InjectedFault::remove`] or
    /// [`Emulator::clear_faults`](super::Emulator::clear_faults)).
    pub fn always(mut self) -> Fault {
        self.times = None;
        self
    }

    /// Only calls for this object key (any bucket unless
    /// [`Fault::bucket`] says).
    pub fn key(mut self, key: impl Into<String>) -> Fault {
        self.key = Some(key.into());
        self
    }

    /// Only calls to this bucket.
    pub fn bucket(mut self, bucket: impl Into<String>) -> Fault {
        self.bucket = Some(bucket.into());
        self
    }

    /// Only calls of this kind.
    pub fn on(mut self, kind: RequestKind) -> Fault {
        self.kind = Some(kind);
        self
    }

    fn matches(&self, route: Option<&Route>, method: &str) -> bool {
        if self.bucket.is_none() && self.key.is_none() && self.kind.is_none() {
            return true;
        }
        let Some(route) = route else {
            return false;
        };
        if self.bucket.is_some() && self.bucket != route.bucket {
            return false;
        }
        if self.key.is_some() && self.key != route.key {
            return false;
        }
        match self.kind {
            None => true,
            Some(kind) => route.operation(method).is_ok_and(|op| kind_of(&op) == kind),
        }
    }
}

fn kind_of(op: &Operation<'_>) -> RequestKind {
    match op {
        Operation::PutBucket { .. } => RequestKind::PutBucket,
        Operation::ListObjectsV2 { .. } => RequestKind::ListObjects,
        Operation::GetObject { .. } => RequestKind::GetObject,
        Operation::PutObject { .. } => RequestKind::PutObject,
        Operation::DeleteObject { .. } => RequestKind::DeleteObject,
        Operation::GetProcess { .. } | Operation::PostProcess { .. } => RequestKind::Process,
        Operation::AsyncProcess { .. } => RequestKind::AsyncProcess,
        Operation::Style { .. } => RequestKind::Style,
    }
}

/// An armed fault: counts the calls it caught, and can be removed.
#[derive(Clone)]
pub struct InjectedFault {
    armed: Arc<Armed>,
    faults: Arc<Faults>,
}

impl fmt::Debug for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InjectedFault")
            .field("fault", &self.armed.fault)
            .field("hits", &self.hits())
            .finish()
    }
}

impl InjectedFault {
    /// How many calls it has caught so far.
    pub fn hits(&self) -> u32 {
        self.armed.hits.load(Ordering::SeqCst)
    }

    /// How many more calls it will catch; `None` for [`Fault::always`].
    pub fn remaining(&self) -> Option<u32> {
        self.armed
            .fault
            .times
            .map(|n| n.saturating_sub(self.hits()))
    }

    /// Disarms it: later calls are served as usual.
    pub fn remove(&self) {
        self.faults.list().retain(|a| !Arc::ptr_eq(a, &self.armed));
    }
}

struct Armed {
    fault: Fault,
    hits: AtomicU32,
}

/// The armed faults of one emulator.
#[derive(Default)]
pub(crate) struct Faults {
    armed: Mutex<Vec<Arc<Armed>>>,
}

/// What the handler does with a call a fault caught.
pub(crate) enum Caught {
    /// Answer this (an error, or a close), after the fault's delay.
    Answer(Response, Option<String>),
    /// Serve as usual, then wait this long before answering.
    Delay(Duration),
}

impl Faults {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Armed>>> {
        self.armed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Arms `fault`.
    pub fn inject(self: &Arc<Self>, fault: Fault) -> InjectedFault {
        let armed = Arc::new(Armed {
            fault,
            hits: AtomicU32::new(0),
        });
        self.list().push(Arc::clone(&armed));
        InjectedFault {
            armed,
            faults: Arc::clone(self),
        }
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        self.list().clear();
    }

    /// The fault that catches `request`, if any (counted as a hit).
    pub fn catch(&self, request: &Request, host_id: &str, request_id: &str) -> Option<Caught> {
        let mut list = self.list();
        if list.is_empty() {
            return None;
        }
        let route = Route::new(
            request.header("host").unwrap_or(""),
            request.path(),
            request.query(),
        )
        .ok();
        let at = list.iter().position(|a| {
            let left = a
                .fault
                .times
                .is_none_or(|n| a.hits.load(Ordering::SeqCst) < n);
            left && a.fault.matches(route.as_ref(), &request.method)
        })?;
        let armed = Arc::clone(&list[at]);
        let hits = armed.hits.fetch_add(1, Ordering::SeqCst) + 1;
        if armed.fault.times.is_some_and(|n| hits >= n) {
            list.remove(at);
        }
        drop(list);
        let fault = &armed.fault;
        let delay = (!fault.delay.is_zero()).then_some(fault.delay);
        match &fault.action {
            Action::Serve => Some(Caught::Delay(fault.delay)),
            Action::Reset => {
                let mut response = Response::new(0);
                response.close_without_answer = true;
                response.delay = delay;
                Some(Caught::Answer(response, Some("(reset)".into())))
            }
            Action::Error {
                status,
                code,
                message,
                retry_after,
            } => {
                const EC: &str = "0000-00000000";
                let message = message
                    .clone()
                    .unwrap_or_else(|| format!("A fault injected into the emulator: {code}."));
                let xml = errors::error_xml(code, &message, EC, &[], request_id, host_id);
                let mut response = Response::new(*status)
                    .header("Content-Type", "application/xml")
                    .header("x-oss-ec", EC);
                if let Some(after) = retry_after {
                    response = response.header("Retry-After", after.as_secs().to_string());
                }
                if request.method.eq_ignore_ascii_case("HEAD") {
                    response =
                        response.header("x-oss-err", crate::encoding::base64_std(xml.as_bytes()));
                }
                let mut response = response.body(xml.into_bytes());
                response.delay = delay;
                Some(Caught::Answer(response, Some(code.clone())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, target: &str) -> Request {
        Request {
            method: method.into(),
            target: target.into(),
            headers: vec![("Host".into(), "127.0.0.1:9000".into())],
            body: Vec::new(),
        }
    }

    fn caught_status(faults: &Faults, method: &str, target: &str) -> Option<u16> {
        match faults.catch(&request(method, target), "h", "r")? {
            Caught::Answer(r, _) => Some(r.status),
            Caught::Delay(_) => Some(200),
        }
    }

    #[test]
    fn counts_filters_and_order() {
        let faults = Arc::new(Faults::default());
        let by_key = faults.inject(Fault::error(500, "InternalError").key("a.jpg").times(2));
        let by_kind = faults.inject(Fault::error(503, "X").on(RequestKind::AsyncProcess));
        let any = faults.inject(Fault::error(429, "Y").bucket("bk1").always());
        assert_eq!(caught_status(&faults, "GET", "/bk1/a.jpg"), Some(500));
        assert_eq!(caught_status(&faults, "GET", "/bk2/b.jpg"), None);
        assert_eq!(
            caught_status(&faults, "POST", "/bk2/a.jpg?x-oss-async-process"),
            Some(500)
        );
        assert_eq!(by_key.remaining(), Some(0));
        assert_eq!(
            caught_status(&faults, "POST", "/bk2/a.jpg?x-oss-async-process"),
            Some(503)
        );
        assert_eq!(
            caught_status(&faults, "POST", "/bk2/a.jpg?x-oss-async-process"),
            None
        );
        for _ in 0..3 {
            assert_eq!(caught_status(&faults, "PUT", "/bk1/z"), Some(429));
        }
        assert_eq!((by_key.hits(), by_kind.hits(), any.hits()), (2, 1, 3));
        assert_eq!(any.remaining(), None);
        any.remove();
        assert_eq!(caught_status(&faults, "PUT", "/bk1/z"), None);
        faults.inject(Fault::reset().times(0));
        assert_eq!(caught_status(&faults, "PUT", "/bk1/z"), None);
        faults.inject(Fault::delay(Duration::from_millis(5)));
        faults.clear();
        assert_eq!(caught_status(&faults, "PUT", "/bk1/z"), None);
    }

    #[test]
    fn error_answers_are_shaped_like_oss() {
        let faults = Arc::new(Faults::default());
        faults.inject(
            Fault::error(503, "SlowDown")
                .message("Please <slow> down")
                .retry_after(Duration::from_secs(2))
                .after(Duration::from_millis(10)),
        );
        let Some(Caught::Answer(r, code)) = faults.catch(&request("HEAD", "/bk1/k"), "h", "RID")
        else {
            panic!("not caught");
        };
        assert_eq!(code.as_deref(), Some("SlowDown"));
        assert_eq!(r.delay, Some(Duration::from_millis(10)));
        let header = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("Retry-After").as_deref(), Some("2"));
        assert!(header("x-oss-err").is_some());
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
        assert!(body.contains("<Message>Please &lt;slow&gt; down</Message>"));
        assert!(body.contains("<RequestId>RID</RequestId>"));
        faults.inject(Fault::reset());
        let Some(Caught::Answer(r, _)) = faults.catch(&request("GET", "/bk1/k"), "h", "RID") else {
            panic!("not caught");
        };
        assert!(r.close_without_answer);
    }
}
