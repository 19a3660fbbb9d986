//! `oss-process`: a blocking Alibaba Cloud OSS client for synchronous image
//! and document processing (`x-oss-process`, the official SDKs'
//! `process_object`), with document AI, video and audio info, bucket
//! styles and asynchronous tasks besides.
//!
//! - [`Client`] forms each request exactly as the official SDKs do, signs it
//!   with V4 (OSS4-HMAC-SHA256, module [`sign`], which does no I/O), sends it
//!   over one pooled `ureq` agent and blocks until OSS answers. No async
//!   runtime, no proc-macro crate.
//! - [`Process`] (module [`process`]) writes and reads process strings with
//!   every action typed and its documented ranges checked.
//! - [`Client::list_objects`] lists a bucket page by page (ListObjectsV2)
//!   and [`Client::head_object`] says whether an object exists; module
//!   [`batch`] runs a style over a whole prefix with a pool of threads,
//!   resumable from a journal, sharded over machines (Slurm job arrays,
//!   Kubernetes Indexed Jobs) and slowing down together when OSS throttles.
//! - [`Error`] is the one error type; service errors keep status, Code,
//!   Message, RequestId, HostId and EC.
//! - The `emulator` feature adds [`emulator::Emulator`], a local OSS that
//!   checks signatures and really processes images, for tests and demos.
//!
//! # Quick start
//!
//! ```no_run
//! use oss_process::{Client, EnvironmentProvider, Process, Resize, SaveAs};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     // OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and, for STS, OSS_SESSION_TOKEN.
//!     .credentials_provider(EnvironmentProvider::new()?)
//!     .build()?;
//! let process = Process::image()
//!     .resize(Resize::lfit(256, 256))
//!     .save_as(SaveAs::new("thumbs/cat.jpg"))
//!     .build()?;
//! let result = client.process_object("examplebucket", "cat.jpg", &process)?;
//! println!("saved {} ({} bytes)", result.key(), result.file_size());
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! A [`Client`] is cheap to clone and `Send + Sync`: build one and share it
//! between threads, which then share its connection pool and its learned
//! clock offset.
//!
//! # Without an account: the emulator
//!
//! With the `emulator` feature, the same client code runs against a local
//! stand-in that checks every signature and performs the processing on real
//! pixels. Only the endpoint changes:
//!
//! ```
//! # #[cfg(feature = "emulator")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use oss_process::emulator::Emulator;
//! use oss_process::{Client, Credentials, Process, Resize, SaveAs};
//!
//! let credentials = Credentials::new("test-id", "test-secret");
//! let emulator = Emulator::builder().credentials(credentials.clone()).start()?;
//! # let mut png = Vec::new();
//! # image::RgbImage::from_pixel(64, 48, image::Rgb([200, 100, 50]))
//! #     .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
//! emulator.put_object("examplebucket", "photo.png", &png)?;
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .endpoint(emulator.endpoint())
//!     .credentials(credentials)
//!     .build()?;
//! let process = Process::image()
//!     .resize(Resize::fixed(32, 24))
//!     .save_as(SaveAs::new("thumb.png"))
//!     .build()?;
//! let result = client.process_object("examplebucket", "photo.png", &process)?;
//! assert_eq!(result.key(), "thumb.png");
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "emulator"))]
//! # fn main() {}
//! ```
//!
//! # Timeouts and retries
//!
//! Every wait is bounded: connecting (10 s by default), sending (20 s), and
//! receiving the answer's head and then its body (20 s each), as the official
//! SDKs set them; see [`ClientBuilder`]. Answer bodies are capped
//! ([`ClientBuilder::max_response_body`], 1 MiB).
//!
//! A failed attempt is retried by the [`RetryPolicy`] in force, by default
//! [`StandardRetry`]: at most 3 attempts with full-jitter backoff, on server
//! faults, throttling, clock skew, timeouts and broken connections
//! ([`Error::is_transient`]). Every attempt is signed afresh and sends the
//! identical body. [`NoRetry`] turns retries off.
//!
//! ```
//! use std::time::Duration;
//! use oss_process::{Client, Credentials, StandardRetry};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .credentials(Credentials::new("id", "secret"))
//!     .connect_timeout(Duration::from_secs(3))
//!     .read_timeout(Duration::from_secs(60))
//!     .retry_policy(StandardRetry::new().max_attempts(5).max_delay(Duration::from_secs(5)))
//!     .build()?;
//! # let _ = client;
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! When OSS answers `RequestTimeTooSkewed`, the client learns the server's
//! clock from the answer's `Date` and signs later requests with it (like the
//! Go SDK; [`ClientBuilder::correct_clock_skew`] turns it off).
//!
//! # Credentials
//!
//! A [`CredentialsProvider`] hands credentials to the client before every
//! attempt: [`DefaultChain`] (Alibaba Cloud's standard chain: environment,
//! OIDC role, CLI profile, credentials file, ECS RAM role, credentials URI),
//! fixed [`Credentials`], [`EnvironmentProvider`] (`ALIBABA_CLOUD_*` or the
//! OSS SDKs' `OSS_*` variables), the STS, ECS and URI providers of
//! [`credentials`] (refreshed before expiry), any closure returning
//! `Result<Credentials, Error>`, and [`CachingProvider`] around any of them.
//! The secret and the STS token never appear in `Debug`, `Display`, logs or
//! error text, whatever form a server echoes them in.
//!
//! # Presigned URLs
//!
//! [`Client::presign_process`] signs a GET that returns the processed image,
//! for a browser or a CDN, without I/O:
//!
//! ```
//! use std::time::Duration;
//! use oss_process::{Client, Credentials};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .credentials(Credentials::new("id", "secret"))
//!     .build()?;
//! let url = client.presign_process(
//!     "examplebucket",
//!     "cat.jpg",
//!     "image/resize,w_100",
//!     Duration::from_secs(3600),
//! )?;
//! assert!(url.url().starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/cat.jpg?x-oss-process=image%2Fresize%2Cw_100&"));
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! # Downloads
//!
//! [`Client::get_processed`] streams a processed image without saving it on
//! the server; [`ProcessedObject::save_to`] writes it to a file whole or not
//! at all (a temporary file beside the target, renamed into place).
//!
//! # Which call sends what
//!
//! Every processing call reads its process string and refuses, before any
//! I/O, what would fail or answer in a shape it cannot read, naming the
//! call that fits: [`Client::process_object`] saves (it needs
//! `sys/saveas`); [`Client::post_process`] sends any synchronous process
//! with POST and returns what came back, read by its `Content-Type`
//! ([`ProcessAnswer`]: the saveas result, document AI or other JSON, an
//! [`EventStream`], or the bytes as a stream, never parsed as JSON);
//! [`Client::get_processed`] and presigned URLs are GETs (no `sys/saveas`,
//! no POST-only action); [`Client::async_process_object`] sends tasks only.
//!
//! Document AI (`doc/translate` and its five siblings) has calls of its
//! own, [`Client::doc_translate`] and the others, answering
//! [`DocAiAnswer`], and [`Client::doc_ai_events`] for the event-stream
//! form, read as it comes ([`DocAiEvents`]; a stream cut midway is an
//! error). [`Client::video_info`] and [`Client::audio_info`] read
//! [`MediaInfo`]. Bucket styles: [`Client::put_style`],
//! [`Client::get_style`], [`Client::list_styles`],
//! [`Client::delete_style`]. Document previews:
//! [`Client::presign_process_overriding`] with [`ResponseOverrides`] (on a
//! custom domain).
//!
//! Well-known failures (no IMM project bound, source-image protection, no
//! such style, an image too large, a process string too long) are
//! recognised for you: [`Error::known`] gives a [`KnownError`].
//!
//! # Errors
//!
//! [`Error`] is `#[non_exhaustive]`. Its `Display` says what failed once;
//! the cause is its [`source`](std::error::Error::source). Bad input
//! (bucket, key, region, endpoint, any process parameter) is refused before
//! any I/O with [`Error::InvalidArgument`] naming the parameter and the
//! allowed values. Errors answered by OSS are [`Error::Service`] with every
//! field of the answer ([`ServiceError`]).
//!
//! ```no_run
//! # fn demo(client: &oss_process::Client) {
//! match client.process_object("examplebucket", "missing.jpg", "image/resize,w_100|sys/saveas,o_dC5qcGc") {
//!     Ok(result) => println!("saved {}", result.key()),
//!     Err(e) if e.code() == Some("NoSuchKey") => println!("no such object"),
//!     Err(e) => eprintln!("failed: {e} (request id {:?})", e.request_id()),
//! }
//! # }
//! ```
//!
//! # Logging
//!
//! The crate logs through the [`log`](https://docs.rs/log) facade: each
//! retry at `debug`, a learned clock offset and each credential fetch at
//! `info`, a failed credential refresh that falls back to cached
//! credentials at `warn`, and a call's final failure at `warn` (with its
//! code, request id and attempts). Nothing it logs holds a secret.
//!
//! One caution for production: at `trace` level the HTTP layer (target
//! `ureq_proto`) dumps every byte it sends, headers included, so an STS
//! token would be in that dump, as in any HTTP client's wire dump. Keep
//! that target at `debug` or quieter (`RUST_LOG=trace,ureq_proto=debug`
//! with `env_logger`); its `debug` lines redact every sensitive header.
//!
//! # Naming
//!
//! Builders and configurable types take setters named for what they set
//! ([`ClientBuilder::region`], [`StandardRetry::max_attempts`]). A finished
//! value that has a getter of the same name is changed into a new value with
//! `with_<name>` ([`Credentials::with_security_token`]), after std's
//! `Path::with_extension`. Results are read through getters.
//!
//! # Features
//!
//! - `emulator` (off): the local OSS emulator, [`emulator`]. It adds the
//!   `image` crate for real image processing.
//! - `gzip` (off): asks for gzip-compressed answers and decodes them (the
//!   documentation shows document AI answers gzipped for clients that ask).
//!   It adds flate2 and four small crates (adler2, crc32fast, miniz_oxide,
//!   simd-adler32). Without it the client asks for none, and an encoded
//!   answer is refused with an error saying so, never misread.
//! - `platform-verifier` (off): `ClientBuilder::platform_verifier`, TLS
//!   verified with the operating system's verifier and trust store.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod batch;
mod client;
mod config;
pub mod credentials;
mod download;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod encoding;
mod error;
mod events;
mod known;
mod names;
pub mod process;
mod redact;
mod response;
mod retry;
pub mod sign;
mod time;
mod transport;

pub use client::{Client, ListObjects, ListObjectsEntries, ListObjectsPages, ResponseOverrides};
pub use config::{AddressStyle, ClientBuilder, EndpointKind};
pub use credentials::{
    CachingProvider, Credentials, CredentialsProvider, DefaultChain, EcsRamRoleProvider,
    EnvironmentProvider,
};
pub use download::ProcessedObject;
pub use error::{BoxError, Error, ServiceError};
pub use events::{Event, EventStream};
pub use known::KnownError;
pub use process::{Process, Resize, SaveAs};
pub use response::answer::{JsonAnswer, ProcessAnswer};
pub use response::doc_ai::{DocAiAnswer, DocAiEvents};
pub use response::head::ObjectMeta;
pub use response::list::{ListObjectsPage, ObjectSummary};
pub use response::media::MediaInfo;
pub use response::style::{Style, StyleCategory};
pub use response::{
    AsyncProcessObjectResult, AverageHue, ImageInfo, ProcessObjectResult, TaskNotification,
};
pub use retry::{NoRetry, RetryPolicy, StandardRetry};
pub use sign::Presigned;
pub use transport::ProxyConfig;

/// The answer parsers, for the fuzz targets in `fuzz/` only (`cargo fuzz`
/// builds with `--cfg fuzzing`): not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
#[allow(missing_docs)]
pub mod fuzzing {
    use crate::response::service_error::{ErrorHeaders, parse_service_error};
    use crate::{Error, ServiceError};

    /// `headers`: Content-Type, x-oss-request-id, x-oss-ec, x-oss-err,
    /// x-oss-error-type, Date.
    pub fn service_error(
        status: u16,
        headers: [Option<&str>; 6],
        body: &[u8],
        truncated: bool,
    ) -> ServiceError {
        let [content_type, request_id, ec, oss_err, error_type, date] = headers;
        let headers = ErrorHeaders {
            content_type,
            request_id,
            ec,
            oss_err,
            error_type,
            date,
        };
        parse_service_error(status, &headers, body, truncated, "POST fuzz")
    }

    pub fn results(request_id: &str, body: &[u8]) -> [Result<(), Error>; 7] {
        use crate::response::*;
        [
            parse_process_result(200, request_id, body).map(drop),
            parse_async_result(200, request_id, body).map(drop),
            parse_image_info(request_id, body).map(drop),
            parse_average_hue(request_id, body).map(drop),
            doc_ai::parse_doc_ai(request_id, body).map(drop),
            media::parse_media_info(request_id, body, "video/info").map(drop),
            style::parse_styles(request_id, body).map(drop),
        ]
    }
}

/// The README's code blocks, compiled and run as doctests (with the
/// `emulator` feature, which one of them uses).
#[cfg(all(doctest, feature = "emulator"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
