//! A local OSS emulator for tests and offline demos (cargo feature
//! `emulator`): it serves objects from a directory, checks every request's
//! V4 signature, really processes images for `x-oss-process`, and answers
//! as OSS does, so that any OSS client (this crate's, an official SDK, a
//! presigned URL in a browser) can be pointed at it.
//!
//! # Starting
//!
//! [`Emulator::builder`] configures one, [`EmulatorBuilder::start`] binds
//! it (on `127.0.0.1` and a free port unless told otherwise) and starts its
//! threads; [`Emulator::endpoint`] is the address to give a client. It
//! stops, joining every thread it started, when dropped, on
//! [`Emulator::stop`], or from another thread through a [`StopHandle`].
//! Without [`EmulatorBuilder::root`] it keeps its objects in a fresh
//! temporary directory that it deletes when it stops.
//!
//! ```no_run
//! use oss_process::Credentials;
//! use oss_process::emulator::Emulator;
//!
//! let emulator = Emulator::builder()
//!     .credentials(Credentials::new("test-id", "test-secret"))
//!     .start()?;
//! emulator.put_object("examplebucket", "photo.jpg", &std::fs::read("photo.jpg")?)?;
//! println!("OSS emulator at {}", emulator.endpoint());
//! // ... run a client against it; the emulator stops when dropped.
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Objects live at `<root>/<bucket>/<key>`: buckets are the directories
//! directly under the root ([`Emulator::create_bucket`], or a `PUT
//! /bucket`), and [`Emulator::put_object`] seeds objects without a client.
//!
//! # Credentials
//!
//! [`EmulatorBuilder::credentials`] names the access keys it accepts (call
//! it once per key; at least one is needed). Credentials with an STS token
//! are accepted only from requests that carry that token
//! (`x-oss-security-token`), and credentials without one only from requests
//! that carry none. [`EmulatorBuilder::region`] and
//! [`EmulatorBuilder::product`] fix the signing scope (default
//! `cn-hangzhou` and `oss`).
//!
//! # Styles of address
//!
//! Virtual-hosted (`bucket.oss-cn-hangzhou.aliyuncs.com/key`,
//! `bucket.localhost/key`) and path-style (`/bucket/key`) requests both
//! work. A Host that is an IP address, `localhost`, a service endpoint
//! (`oss-<region>.aliyuncs.com`) or a name of one or two labels means
//! path-style, as the SDKs assume; otherwise the first label of the Host is
//! the bucket.
//!
//! # What it checks
//!
//! In OSS's order, answering OSS's error codes: the bucket name and that
//! the bucket exists (`InvalidBucketName`, `NoSuchBucket`); the signature,
//! in the `Authorization` header or presigned query form, recomputed by the
//! published algorithm (`AccessDenied`, `InvalidAccessKeyId`,
//! `InvalidSecurityToken`, `SignatureDoesNotMatch` with the server's
//! `StringToSign` and `CanonicalRequest`); the signing time against its
//! clock, within 15 minutes, and presign expiry (`RequestTimeTooSkewed`,
//! `AccessDenied`; [`EmulatorBuilder::relax_time_check`] turns this off for
//! replaying requests signed at pinned times, and
//! [`EmulatorBuilder::clock_offset_secs`] runs its clock off the real one);
//! `Content-MD5` (`InvalidDigest`); then the operation (`NoSuchKey`,
//! `InvalidObjectName`, `InvalidArgument` naming the bad process parameter,
//! `MethodNotAllowed`, `NotImplemented`). Errors come back as OSS shapes
//! them: an XML body, `x-oss-request-id` and `x-oss-ec`.
//!
//! # What it performs
//!
//! - GET, HEAD, PUT and DELETE of objects (a HEAD's error is in the
//!   base64 `x-oss-err` header, as OSS sends it); PUT of a bucket (creates
//!   the directory).
//! - ListObjectsV2 (`GET /bucket/?list-type=2`): keys in byte order, with
//!   `prefix`, `delimiter` and common prefixes, `start-after`,
//!   continuation tokens, `max-keys` (1 to 1000, default 100),
//!   `encoding-type=url` and `fetch-owner`.
//! - `POST ?x-oss-process`: with `sys/saveas` it saves the result and
//!   answers the JSON OSS answers; without it the processed bytes come back.
//! - `GET ?x-oss-process`: the processed bytes, so presigned processing URLs
//!   work (`sys/saveas` over GET is a 400, as in OSS).
//! - `POST ?x-oss-async-process`: the process is read and checked at once
//!   (it must be an asynchronous one; the source and the `sys/saveas`
//!   bucket must exist), the task is queued and answered with an
//!   `EventId`, `RequestId` and `TaskId`, as OSS answers. A worker thread
//!   runs the tasks in order, writes their `sys/saveas` targets and
//!   publishes each one's notification message (see
//!   [Asynchronous tasks](#asynchronous-tasks)).
//! - Every typed image action, on real pixels: resize in every mode, crop,
//!   indexcrop, rotate, circle, rounded-corners, blur, bright, contrast,
//!   sharpen, watermark (text, drawn with one embedded Latin font, and
//!   images from the same bucket), format, quality, interlace
//!   (progressive JPEG), auto-orient, blindwatermark (an invisible text
//!   mark, [`watermark`], read back by `image/deblindwatermark` tasks), and
//!   the JSON of `info` and `average-hue`. A documented parameter the
//!   emulator cannot honour (tiff/heic/avif output, `quality` on WebP, a
//!   character outside its font) is refused with `InvalidArgument` naming
//!   it, never passed over. Other APIs answer `NotImplemented` or
//!   `MethodNotAllowed`.
//! - Styles: PutStyle, GetStyle, ListStyle and DeleteStyle (`?style`), kept
//!   per bucket under the root; `style/<name>` (also followed by
//!   `|sys/saveas`) is resolved to the style's process before it runs. The
//!   official SDKs' style calls work against it.
//! - Document, video and audio actions: read and checked like OSS, then
//!   answered as a bucket with no IMM project, unless a test takes them
//!   (see [Documents, video and audio](#documents-video-and-audio)).
//! - `response-content-type` and `response-content-disposition` in a GET's
//!   (signed) query set those headers of the answer, so document preview
//!   URLs can be tried offline.
//!
//! # Documents, video and audio
//!
//! Every `doc/`, `video/` and `audio/` process is parsed with the crate's
//! parser, so a bad parameter is `InvalidArgument` naming it, a
//! POST-only action over GET is refused (`operation not support get`), and
//! a task sent as a synchronous process (or the reverse) too. Then, by
//! default, the IMM-backed ones (all but `video/snapshot`) are answered as
//! a bucket with no IMM project bound answers them, synchronous and
//! asynchronous alike: 404, Code `Imm Client`, "ResourceNotFound, The
//! specified resource Attachment is not found." (the client reads it as
//! [`KnownError::NoImmProject`](crate::KnownError::NoImmProject)).
//! `video/snapshot` is 501 `NotImplemented`: the emulator decodes no video.
//!
//! [`EmulatorBuilder::imm_handler`] registers a handler for a family or an
//! action, so document and video code can be tested offline: it sees the
//! [`ImmRequest`] (the parsed process, the source object) and answers an
//! [`ImmAnswer`]: bytes, JSON, an event stream, document AI text (as JSON
//! or as an event stream, as the request asked), pages or an error. A
//! task's answer is saved to its `sys/saveas` target (`{index}` numbering
//! pages from 1) before its notification is published.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use oss_process::emulator::{Emulator, ImmAnswer};
//! use oss_process::process::{DocConvert, DocLanguage, DocTarget, Process, SaveAs};
//! use oss_process::{Client, Credentials};
//!
//! let credentials = Credentials::new("test-id", "test-secret");
//! let emulator = Emulator::builder()
//!     .credentials(credentials.clone())
//!     .imm_handler("doc/translate", |request| {
//!         let text = &request.doc_ai().expect("document AI").content;
//!         ImmAnswer::doc_ai([format!("[en] {text}")])
//!     })
//!     .imm_handler("doc/convert", |_| ImmAnswer::pages([b"page 1".to_vec(), b"page 2".to_vec()]))
//!     .start()?;
//! emulator.put_object("docs", "report.docx", b"PK...")?;
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .endpoint(emulator.endpoint())
//!     .credentials(credentials)
//!     .build()?;
//!
//! let answer = client.doc_translate("docs", "report.docx", "你好", DocLanguage::EnUs)?;
//! assert_eq!(answer.text(), "[en] 你好");
//!
//! let convert = Process::doc()
//!     .convert(DocConvert::new(DocTarget::Png))
//!     .save_as(SaveAs::new("pages/{index}.png"))
//!     .build()?;
//! let task = client.async_process_object("docs", "report.docx", &convert)?;
//! let message = emulator.wait_for_task(task.task_id(), Duration::from_secs(30)).expect("ended");
//! assert!(message.notification().succeeded());
//! assert!(emulator.object_path("docs", "pages/2.png")?.exists());
//! # Ok(())
//! # }
//! ```
//!
//! # Asynchronous tasks
//!
//! `image/deblindwatermark` tasks are performed: the message carries the
//! text read from the picture. `doc/`, `video/` and `audio/` tasks are
//! checked at once, then refused as a bucket without an IMM project
//! refuses them, or, with a handler, queued and run (see above).
//!
//! When a task ends, its message is published as IMM shapes it (an
//! envelope whose `content` is the task's fields as a JSON string; read it
//! with [`crate::TaskNotification`]). [`Emulator::wait_for_task`] waits for
//! one task's message, [`Emulator::notifications`] lists them all, and
//! [`EmulatorBuilder::on_notification`] hands each one to your code as it
//! is published (the emulator example appends them to a file with
//! `--notify_log FILE`, one JSON line each). A message is published for
//! every task, with or without a notify topic in its process. At most 64
//! tasks wait; beyond that a submission is answered 503
//! `ServiceUnavailable`. Dropping the emulator ends the worker after the
//! task it is running.
//!
//! ```no_run
//! # fn demo(emulator: &oss_process::emulator::Emulator, client: &oss_process::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use oss_process::process::{DeBlindWatermark, Process};
//!
//! let decode = Process::deblind_watermark(DeBlindWatermark::new())
//!     .notify_topic("marks")
//!     .build()?;
//! let task = client.async_process_object("examplebucket", "marked.jpg", &decode)?;
//! let message = emulator
//!     .wait_for_task(task.task_id(), Duration::from_secs(60))
//!     .ok_or("the task did not end in time")?;
//! assert_eq!(message.topic(), Some("marks"));
//! println!("hidden text: {:?}", message.notification().decoded_text());
//! # Ok(()) }
//! ```
//!
//! # Fault injection
//!
//! To test how a program copes with a flaky service, [`Emulator::inject`]
//! arms a [`Fault`]: the next call, the next N, or every call until
//! removed, of any object or only one key, bucket or [`RequestKind`], is
//! answered with the status and Code you choose (with a `Retry-After` if
//! you like), answered late ([`Fault::delay`]), or not answered at all
//! (the connection closed, [`Fault::reset`]). Faults come before any other
//! check, in the order they were armed; each handle counts its hits. The
//! request log shows a caught call with the injected code, and a reset
//! with status 0 and `(reset)`.
//!
//! ```no_run
//! # fn demo(emulator: &oss_process::emulator::Emulator) {
//! use std::time::Duration;
//! use oss_process::emulator::{Fault, RequestKind};
//!
//! // Throttle the next three processing calls, asking for a 2 s pause.
//! let throttled = emulator.inject(
//!     Fault::error(503, "ServiceUnavailable")
//!         .retry_after(Duration::from_secs(2))
//!         .on(RequestKind::Process)
//!         .times(3),
//! );
//! // Drop the connection of the next call for one key.
//! emulator.inject(Fault::reset().key("photos/cat.jpg"));
//! // Answer every call 5 s late until removed.
//! let slow = emulator.inject(Fault::delay(Duration::from_secs(5)).always());
//! // ... run the code under test ...
//! slow.remove();
//! assert!(throttled.hits() <= 3);
//! # }
//! ```
//!
//! # Limits
//!
//! - PUT bodies up to 64 MiB, POST bodies up to 64 KiB; image sources and
//!   outputs as the OSS image docs limit them.
//! - Keys are stored as files, so a key may not start or end with `/`, hold
//!   `//`, `.` or `..` segments, NUL or a backslash (`InvalidObjectName`),
//!   and a key that is a prefix directory of another collides with it
//!   (`ObjectConflict`). Any other key OSS accepts (up to 1023 bytes) is
//!   stored: a segment too long for a file name is kept under a hashed
//!   name ([`Emulator::object_path`] gives the file).
//! - Slow clients hold nothing others need. Each open connection is read
//!   by a thread of its own, and [`EmulatorBuilder::threads`] requests are
//!   handled at once once they have fully arrived. A request's head must
//!   arrive within [`EmulatorBuilder::request_timeout`] of its first byte
//!   (10 s), however it is dripped, and its body within as long again plus
//!   a second per MiB; otherwise it is answered `RequestTimeout` and its
//!   connection closed. A connection waiting for a request is closed after
//!   [`EmulatorBuilder::idle_timeout`] (15 s). At most
//!   [`EmulatorBuilder::max_connections`] (256) are open; beyond that, the
//!   one that has waited longest for a request or its head makes room.
//! - Framing is strict, so that no two readers of the same bytes disagree
//!   on where a request ends: one `Content-Length` at most, of digits only;
//!   one `Transfer-Encoding` at most, `chunked` only; never both. Anything
//!   else is answered `InvalidRequest` (400) and the connection closed.
//!
//! # Request log
//!
//! [`EmulatorBuilder::on_request`] is called once per answered request,
//! refusals included (bad framing, missed deadlines, no room), with a
//! [`RequestLog`] whose `Display` is one line:
//! `POST /bucket/key?x-oss-process 200 <request id>`, plus the error code
//! for errors, e.g. `PUT /bucket/key 400 <request id> InvalidRequest`, or
//! `- - 400 <request id> RequestTimeout` for a request whose first line
//! never arrived. Security tokens in presigned URLs are redacted.

mod async_process;
mod auth;
mod blind;
mod effects;
mod errors;
mod faults;
mod imaging;
mod imm;
mod listing;
mod operations;
mod overlay;
mod overrides;
mod router;
mod server;
mod shapes;
mod store;
mod styles;
mod tasks;
pub mod watermark;

pub use faults::{Fault, InjectedFault, RequestKind};
pub use imm::{ImmAnswer, ImmRequest};
pub use tasks::TaskMessage;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;

use self::auth::Verifier;
use self::operations::Service;
use self::store::Store;
use self::tasks::Tasks;

/// The region an emulator signs for unless told otherwise.
pub const DEFAULT_REGION: &str = "cn-hangzhou";
/// How many requests an emulator handles at once unless told otherwise.
pub const DEFAULT_THREADS: usize = 4;
/// The most requests an emulator handles at once.
pub const MAX_THREADS: usize = 64;
/// How many connections an emulator keeps open unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// How long an open connection may wait for a request unless told
/// otherwise.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// The deadline of a request's head unless told otherwise (see
/// [`EmulatorBuilder::request_timeout`]).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) type RequestLogger = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// One answered request, as handed to [`EmulatorBuilder::on_request`].
///
/// Its `Display` is one line: `POST /bucket/key?x-oss-process 200 <request id>`,
/// plus the error code for errors.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestLog {
    /// The HTTP method (`-` for a request whose first line could not be
    /// read).
    pub method: String,
    /// The request target as sent: path and query (`-` if unread),
    /// with any `x-oss-security-token` value redacted.
    pub target: String,
    /// The status answered.
    pub status: u16,
    /// The `x-oss-request-id` answered.
    pub request_id: String,
    /// The OSS error code, for an error answer.
    pub error_code: Option<String>,
    /// How long the emulator took.
    pub elapsed: Duration,
}

impl fmt::Display for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.method, self.target, self.status, self.request_id
        )?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        Ok(())
    }
}

/// Configures and starts an [`Emulator`]. Get one from [`Emulator::builder`].
#[must_use]
pub struct EmulatorBuilder {
    root: Option<PathBuf>,
    credentials: Vec<Credentials>,
    region: String,
    product: String,
    bind: SocketAddr,
    threads: usize,
    max_connections: usize,
    idle_timeout: Duration,
    request_timeout: Duration,
    check_time: bool,
    clock_offset_secs: i64,
    logger: Option<RequestLogger>,
    notification_observer: Option<tasks::Observer>,
    imm_handlers: Vec<(String, imm::Handler)>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("root", &self.root)
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("product", &self.product)
            .field("bind", &self.bind)
            .field("threads", &self.threads)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("check_time", &self.check_time)
            .field("clock_offset_secs", &self.clock_offset_secs)
            .field("logger", &self.logger.is_some())
            .field(
                "notification_observer",
                &self.notification_observer.is_some(),
            )
            .field(
                "imm_handlers",
                &self.imm_handlers.iter().map(|(a, _)| a).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl EmulatorBuilder {
    /// Serves `<root>/<bucket>/<key>`. Buckets are the directories directly
    /// under `root`. Without a root the emulator makes a fresh directory
    /// under [`std::env::temp_dir`] and deletes it when it stops.
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// Accepts requests signed with these credentials (call it again to
    /// accept several). With an STS token, requests must carry that token
    /// (`x-oss-security-token`); without one, they must carry none.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// The signing region requests must use; default [`DEFAULT_REGION`].
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// The signing product requests must use: `oss` (default), or
    /// `oss-cloudbox` to stand in for a CloudBox (whose region is the box id).
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.product = product.into();
        self
    }

    /// Where to listen; default `127.0.0.1:0` (port 0 picks a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// How many requests are handled at once; default
    /// [`DEFAULT_THREADS`], at most [`MAX_THREADS`]. Reading requests does
    /// not count: each open connection is read by a thread of its own (see
    /// [`EmulatorBuilder::max_connections`]), and only a request that has
    /// fully arrived waits for one of these.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.clamp(1, MAX_THREADS);
        self
    }

    /// How many connections are kept open at once (at least 1); default
    /// [`DEFAULT_MAX_CONNECTIONS`]. When a new one comes and the emulator
    /// is full, the connection that has waited longest for a request, or
    /// for the rest of its head, is closed to make room (answered
    /// `ServiceUnavailable` if it had begun a request); if every connection
    /// is busy with a request, the newcomer is answered so and closed.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// How long an open connection may wait for its next request before it
    /// is closed (without an answer, as keep-alive connections close);
    /// default [`DEFAULT_IDLE_TIMEOUT`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The overall deadline of a request's head, from its first byte, however
    /// it is dripped; default [`DEFAULT_REQUEST_TIMEOUT`]. The body has the
    /// same from the end of the head, plus a second per MiB it may hold (a
    /// 64 MiB PUT: 74 s by default), and so does writing an answer. A
    /// request that misses its deadline is answered `RequestTimeout` (400)
    /// and its connection closed.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Stops comparing signing times with the clock: `x-oss-date` may be any
    /// time and presigned URLs do not expire. Only for replaying requests
    /// signed at pinned times (test vectors); the signature is still checked.
    pub fn relax_time_check(mut self, relax: bool) -> Self {
        self.check_time = !relax;
        self
    }

    /// Runs the emulator's clock `seconds` ahead of the real one (behind
    /// when negative): signatures are checked against it and the `Date`
    /// header shows it. For testing how a client handles
    /// `RequestTimeTooSkewed` and learns the server's time.
    pub fn clock_offset_secs(mut self, seconds: i64) -> Self {
        self.clock_offset_secs = seconds;
        self
    }

    /// Calls `log` after every answered request (from the worker thread
    /// that answered it; keep it quick).
    pub fn on_request(mut self, log: impl Fn(&RequestLog) + Send + Sync + 'static) -> Self {
        self.logger = Some(Arc::new(log));
        self
    }

    /// Calls `observe` with every notification message an asynchronous
    /// task publishes, as it is published (from the task worker's thread;
    /// keep it quick). The emulator example uses it to append each message
    /// to a file (`--notify_log`).
    pub fn on_notification(
        mut self,
        observe: impl Fn(&TaskMessage) + Send + Sync + 'static,
    ) -> Self {
        self.notification_observer = Some(Arc::new(observe));
        self
    }

    /// Answers the document, video or audio `action` with `handler`
    /// instead of as a bucket with no IMM project (see
    /// [Documents, video and audio](#documents-video-and-audio)). `action`
    /// is a family (`doc`, `video`, `audio`) or one action of one
    /// (`doc/translate`, `video/info`); an action's own handler wins over
    /// its family's. A name that is neither makes
    /// [`start`](Self::start) fail.
    ///
    /// ```
    /// use oss_process::Credentials;
    /// use oss_process::emulator::{Emulator, ImmAnswer};
    ///
    /// let emulator = Emulator::builder()
    ///     .credentials(Credentials::new("id", "secret"))
    ///     .imm_handler("doc/translate", |request| {
    ///         let text = request.doc_ai().map(|ai| ai.content.to_uppercase()).unwrap_or_default();
    ///         ImmAnswer::doc_ai([text])
    ///     })
    ///     .imm_handler("video", |_| ImmAnswer::json(serde_json::json!({"Duration": 12.5})))
    ///     .start()?;
    /// # drop(emulator);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn imm_handler(
        mut self,
        action: impl Into<String>,
        handler: impl Fn(&ImmRequest<'_>) -> ImmAnswer + Send + Sync + 'static,
    ) -> Self {
        self.imm_handlers.push((action.into(), Arc::new(handler)));
        self
    }

    /// Binds, starts the threads and returns the running emulator.
    ///
    /// Fails if no credentials were given, the root cannot be created, or
    /// the address cannot be bound.
    pub fn start(self) -> io::Result<Emulator> {
        if self.credentials.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the emulator needs at least one set of credentials to accept",
            ));
        }
        for c in &self.credentials {
            c.validate()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        }
        let mut imm_handlers = imm::ImmHandlers::default();
        for (action, handler) in self.imm_handlers {
            imm_handlers
                .add(action, handler)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        let (root, owned_root) = match self.root {
            Some(root) => {
                std::fs::create_dir_all(&root)?;
                (root, false)
            }
            None => (make_temp_root()?, true),
        };
        let cleanup = TempRoot(owned_root.then(|| root.clone()));
        let listener = TcpListener::bind(self.bind)?;
        let addr = listener.local_addr()?;
        let endpoint = match addr {
            SocketAddr::V4(a) if a.ip().is_unspecified() => {
                format!("http://127.0.0.1:{}", a.port())
            }
            SocketAddr::V6(a) if a.ip().is_unspecified() => format!("http://[::1]:{}", a.port()),
            SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
            SocketAddr::V4(a) => format!("http://{a}"),
        };
        let tasks = Arc::new(Tasks::start(
            Store::new(root.clone()),
            self.region.clone(),
            self.notification_observer,
        )?);
        let mut service = Service::new(
            Verifier {
                credentials: self.credentials,
                region: self.region.clone(),
                product: self.product,
                check_time: self.check_time,
            },
            Store::new(root.clone()),
            self.logger,
            endpoint.trim_start_matches("http://").to_string(),
            Arc::clone(&tasks),
        );
        service.clock_offset_secs = self.clock_offset_secs;
        service.imm = Arc::new(imm_handlers);
        let settings = server::Settings {
            handlers: self.threads,
            max_connections: self.max_connections,
            idle_timeout: self.idle_timeout,
            request_timeout: self.request_timeout,
        };
        let faults = Arc::clone(&service.faults);
        let server = server::Server::start(listener, settings, Arc::new(service))?;
        Ok(Emulator {
            server,
            endpoint,
            root,
            region: self.region,
            tasks: TaskWorker(tasks),
            faults,
            _cleanup: cleanup,
        })
    }
}

/// A running OSS emulator. It stops, and joins all its threads, when
/// dropped or on [`Emulator::stop`].
pub struct Emulator {
    server: server::Server,
    endpoint: String,
    root: PathBuf,
    region: String,
    // After the server: no task comes in once the worker stops.
    tasks: TaskWorker,
    faults: Arc<faults::Faults>,
    // Declared last: the directory goes after the threads have stopped.
    _cleanup: TempRoot,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("root", &self.root)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder with the defaults: a temporary root, region
    /// [`DEFAULT_REGION`], `127.0.0.1:0`, [`DEFAULT_THREADS`] threads, the
    /// 15-minute time check on, no credentials (add at least one).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            root: None,
            credentials: Vec::new(),
            region: DEFAULT_REGION.to_string(),
            product: "oss".to_string(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            threads: DEFAULT_THREADS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            check_time: true,
            clock_offset_secs: 0,
            logger: None,
            notification_observer: None,
            imm_handlers: Vec::new(),
        }
    }

    /// `http://127.0.0.1:PORT`: the endpoint to give a client.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The signing region the emulator expects.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The directory objects are served from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates a bucket (a directory under the root) if it does not exist.
    pub fn create_bucket(&self, bucket: &str) -> io::Result<PathBuf> {
        Store::new(self.root.clone())
            .create_bucket(bucket)
            .map_err(into_io)
    }

    /// Writes an object straight to the store, creating the bucket if
    /// needed (for seeding tests and demos without a client).
    pub fn put_object(&self, bucket: &str, key: &str, bytes: &[u8]) -> io::Result<()> {
        let store = Store::new(self.root.clone());
        store.create_bucket(bucket).map_err(into_io)?;
        store.put(bucket, key, bytes).map_err(into_io)
    }

    /// The file an object is (or would be) stored in: a key segment too
    /// long for a file name appears under a hashed name. Fails for an
    /// invalid bucket name or key, or a bucket that does not exist.
    pub fn object_path(&self, bucket: &str, key: &str) -> io::Result<PathBuf> {
        Store::new(self.root.clone())
            .object_path(bucket, key)
            .map_err(into_io)
    }

    /// Every notification message the asynchronous tasks have published,
    /// oldest first (the last 10,000 are kept). A task publishes one when it
    /// ends, whether or not its process named a notify topic.
    pub fn notifications(&self) -> Vec<TaskMessage> {
        self.tasks.0.messages()
    }

    /// Waits up to `timeout` for the notification of task `task_id` (the
    /// [`TaskId`](crate::AsyncProcessObjectResult::task_id) an
    /// `async_process_object` answered); `None` if it has not ended by then.
    ///
    /// ```no_run
    /// # fn demo(emulator: &oss_process::emulator::Emulator, client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use std::time::Duration;
    ///
    /// let task = client.async_process_object(
    ///     "examplebucket",
    ///     "marked.jpg",
    ///     "image/deblindwatermark,s_low,t_text|sys/notify,topic_dGVzdA",
    /// )?;
    /// let message = emulator
    ///     .wait_for_task(task.task_id(), Duration::from_secs(30))
    ///     .expect("the task ends");
    /// println!("{:?}", message.notification().decoded_text());
    /// # Ok(()) }
    /// ```
    pub fn wait_for_task(&self, task_id: &str, timeout: Duration) -> Option<TaskMessage> {
        self.tasks.0.wait_for(task_id, timeout)
    }

    /// Arms a [`Fault`]: the calls it names are answered with its error,
    /// late, or not at all, until it has caught as many as it was told
    /// (see [Fault injection](#fault-injection)). The returned handle
    /// counts its hits and can remove it.
    pub fn inject(&self, fault: Fault) -> InjectedFault {
        self.faults.inject(fault)
    }

    /// Disarms every injected fault.
    pub fn clear_faults(&self) {
        self.faults.clear();
    }

    /// A handle that stops the emulator from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.server.stopper())
    }

    /// Stops serving and joins every thread; returns once they are gone.
    pub fn stop(mut self) {
        self.server.stop();
    }

    /// Serves until a [`StopHandle`] stops the emulator (for programs that
    /// run it in the foreground).
    pub fn wait(mut self) {
        self.server.wait();
    }
}

/// Stops an [`Emulator`] from any thread (see [`Emulator::stop_handle`]).
#[derive(Clone)]
pub struct StopHandle(server::Stopper);

impl fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StopHandle")
    }
}

impl StopHandle {
    /// Asks the emulator to stop; its threads end within about 200 ms.
    pub fn stop(&self) {
        self.0.stop();
    }
}

fn into_io(e: errors::OssError) -> io::Error {
    let kind = match e.status {
        404 => io::ErrorKind::NotFound,
        400 => io::ErrorKind::InvalidInput,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("{}: {}", e.code, e.message))
}

/// Stops the task worker when the emulator goes (the service, and with it
/// the queue, may outlive the emulator in a [`StopHandle`]).
struct TaskWorker(Arc<Tasks>);

impl Drop for TaskWorker {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// A temporary root the emulator made, deleted when the emulator goes.
struct TempRoot(Option<PathBuf>);

impl Drop for TempRoot {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn make_temp_root() -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "oss-emulator-{}-{nanos:08x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
