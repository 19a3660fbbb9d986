//! The blocking client: forms each request as the official SDKs do, signs
//! it, sends it over one pooled `ureq` agent, retries what is transient, and
//! parses the answer.
//!
//! A [`Client`] is cheap to clone (one `Arc`) and `Send + Sync`: share one
//! across threads so they share its connection pool.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use crate::config::{AddressStyle, ClientBuilder, Config};
use crate::download::ProcessedObject;
use crate::error::Error;
use crate::response::{
    AsyncProcessObjectResult, AverageHue, ImageInfo, ProcessObjectResult, parse_async_result,
    parse_average_hue, parse_image_info, parse_process_result,
};
use crate::sign::{Presigned, Signer};
use crate::transport::AgentSettings;

use self::observe::AttemptObserver;
use self::request::ProcessKind;
#[cfg(test)]
use self::request::check_process;
use self::send::header;

/// The largest clock offset learned from a server `Date`: anything further
/// off is taken for a broken header, not a clock.
const MAX_CLOCK_OFFSET: Duration = Duration::from_secs(24 * 3600);

/// A blocking OSS client for processing requests. Build one with
/// [`Client::builder`].
///
/// ```no_run
/// use oss_process::{Client, EnvironmentProvider};
///
/// let client = Client::builder()
///     .region("cn-hangzhou")
///     .credentials_provider(EnvironmentProvider::new()?)
///     .build()?;
/// // "thumbs/cat.jpg" in URL-safe base64 is dGh1bWJzL2NhdC5qcGc
/// let process = "image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGh1bWJzL2NhdC5qcGc";
/// let result = client.process_object("examplebucket", "cat.jpg", process)?;
/// println!("saved {} bytes as {}", result.file_size(), result.key());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    deadlines: Deadlines,
    /// Told of every attempt of this handle's calls (the batch's shared
    /// rate limiter), when set.
    observer: Option<Arc<dyn AttemptObserver>>,
}

/// The time limits of this handle's calls: the configured ones, or those a
/// `with_*` method set for some calls.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    attempt: Option<Duration>,
    call: Option<Duration>,
    download: Option<Duration>,
}

struct Inner {
    config: Config,
    agent: ureq::Agent,
    signer: Signer,
    /// Server time minus local time, in milliseconds, learned from
    /// `RequestTimeTooSkewed` answers.
    clock_offset_ms: AtomicI64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("deadlines", &self.deadlines)
            .field(
                "clock_offset_ms",
                &self.inner.clock_offset_ms.load(Ordering::Relaxed),
            )
            .finish()
    }
}

impl Client {
    /// A builder with the official SDKs' defaults.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_config(config: Config) -> Self {
        let agent = AgentSettings {
            connect_timeout: config.connect_timeout,
            send_timeout: config.write_timeout,
            recv_timeout: config.read_timeout,
            user_agent: config.user_agent.clone(),
            pool: config.pool,
            // Chosen per request (NO_PROXY applies to each request's host).
            proxy: None,
            roots: config.roots.clone(),
        }
        .agent();
        let signer = Signer::new(&config.region, &config.product);
        Client {
            observer: None,
            deadlines: Deadlines {
                attempt: config.attempt_timeout,
                call: config.call_timeout,
                download: config.download_timeout,
            },
            inner: Arc::new(Inner {
                agent,
                signer,
                config,
                clock_offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// The signing region.
    pub fn region(&self) -> &str {
        &self.inner.config.region
    }

    /// `scheme://host[:port]` of the endpoint requests go to.
    pub fn endpoint(&self) -> String {
        self.inner.config.endpoint_url()
    }

    /// The address style in force (path-style when the endpoint is an IP).
    pub fn address_style(&self) -> AddressStyle {
        self.inner.config.address_style
    }

    /// The server clock minus the local clock, in milliseconds, as learned
    /// from the last `RequestTimeTooSkewed` answer (its `Date` minus the
    /// local time it arrived) and added to the local time when signing:
    /// positive when the server is ahead, zero until one is learned. Every
    /// clone of the client shares it.
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// The deadline of a whole call, when one is set.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.deadlines.call
    }

    /// The deadline of one attempt, when one is set.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.deadlines.attempt
    }

    /// The deadline of a processed download's body, when one is set.
    pub fn download_timeout(&self) -> Option<Duration> {
        self.deadlines.download
    }

    /// This client with another whole-call deadline (see
    /// [`ClientBuilder::call_timeout`]), for the calls made through the
    /// returned handle; it shares the connection pool, the credentials and
    /// the learned clock offset with `self`.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let client = oss_process::Client::builder().region("cn-hangzhou")
    /// #     .credentials(oss_process::Credentials::new("id", "secret")).build()?;
    /// let hurried = client.with_call_timeout(Some(Duration::from_secs(2)));
    /// assert_eq!(hurried.call_timeout(), Some(Duration::from_secs(2)));
    /// assert_eq!(client.call_timeout(), None);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    #[must_use]
    pub fn with_call_timeout(&self, timeout: Option<Duration>) -> Client {
        self.with_deadlines(|d| d.call = timeout)
    }

    /// This client with another per-attempt deadline (see
    /// [`ClientBuilder::attempt_timeout`]); shares everything else.
    #[must_use]
    pub fn with_attempt_timeout(&self, timeout: Option<Duration>) -> Client {
        self.with_deadlines(|d| d.attempt = timeout)
    }

    /// This client with another download-body deadline (see
    /// [`ClientBuilder::download_timeout`]); shares everything else.
    #[must_use]
    pub fn with_download_timeout(&self, timeout: Option<Duration>) -> Client {
        self.with_deadlines(|d| d.download = timeout)
    }

    fn with_deadlines(&self, change: impl FnOnce(&mut Deadlines)) -> Client {
        let mut client = self.clone();
        change(&mut client.deadlines);
        client
    }

    /// Processes `bucket`/`key` on the server and saves the result
    /// (`POST /<key>?x-oss-process`, body `x-oss-process=<process>`).
    ///
    /// `process` is a typed [`Process`](crate::Process) or a raw string such
    /// as `image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc`; it
    /// must carry `sys/saveas`, which is what makes OSS store the result.
    /// Bucket, key and process string are checked before any I/O: a process
    /// without `sys/saveas`, an asynchronous task or an answer that cannot
    /// be saved is refused with the call to use instead
    /// ([`post_process`](Self::post_process) to get the processed bytes
    /// back with POST, [`get_processed`](Self::get_processed) with GET,
    /// [`async_process_object`](Self::async_process_object) for tasks). An
    /// answer that is the processed bytes after all (`image/*`) is an
    /// [`Error::Decode`] saying so, never parsed as JSON.
    pub fn process_object(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<ProcessObjectResult, Error> {
        let process = process.as_ref();
        let prepared = self.prepare_post(bucket, key, ProcessKind::Sync, process)?;
        route::for_saving(process)?;
        let target = prepared.describe();
        self.execute(&prepared, |status, request_id, mut response| {
            let content_type = header(&response, "content-type").unwrap_or("");
            answer::refuse_bytes(content_type, request_id, &target)?;
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_process_result(status, request_id, &body)
        })
    }

    /// Queues an asynchronous processing task (documents, video, audio,
    /// `image/deblindwatermark`): `POST /<key>?x-oss-async-process`. The
    /// bucket must have an IMM project bound (else the service answers
    /// [`KnownError::NoImmProject`](crate::KnownError::NoImmProject)); the
    /// process string must carry `sys/saveas` and may add
    /// `/notify,topic_<base64>`. A synchronous process is refused before
    /// any I/O, naming the call that sends it.
    pub fn async_process_object(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<AsyncProcessObjectResult, Error> {
        let prepared = self.prepare_post(bucket, key, ProcessKind::Async, process.as_ref())?;
        route::for_task(process.as_ref())?;
        let target = prepared.describe();
        self.execute(&prepared, |status, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_async_result(status, request_id, &body)
        })
    }

    /// A presigned GET URL that returns `bucket`/`key` processed by
    /// `process` (e.g. `image/resize,w_100`), valid for `expires` (1 s to
    /// 7 days). The STS token, if any, is in the URL. No I/O; the signing
    /// time is now (plus any learned clock offset).
    pub fn presign_process(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
        expires: Duration,
    ) -> Result<Presigned, Error> {
        self.presign_process_at(bucket, key, process, expires, self.now())
    }

    /// [`presign_process`](Self::presign_process) with a given signing time.
    pub fn presign_process_at(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
        expires: Duration,
        time: SystemTime,
    ) -> Result<Presigned, Error> {
        self.presign_get(bucket, key, process.as_ref(), None, expires, time)
    }

    /// Downloads `bucket`/`key` processed by `process` (e.g.
    /// `image/resize,w_100/format,webp`) as a stream, without saving
    /// anything on the server: `GET /<key>?x-oss-process=<process>`.
    ///
    /// The answer is retried like any call until its headers arrive; the
    /// body is then the caller's to read, and a failure while reading it is
    /// reported, never hidden.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// let thumb = client.get_processed("examplebucket", "cat.jpg", "image/resize,w_100")?;
    /// println!("{} bytes of {}", thumb.content_length().unwrap_or(0), thumb.content_type());
    /// thumb.save_to("cat-100.jpg")?; // written whole, or not at all
    /// # Ok(()) }
    /// ```
    pub fn get_processed(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<ProcessedObject, Error> {
        let process = process.as_ref();
        let prepared = self.prepare_get(bucket, key, process, true)?;
        let typed = route::for_get(process)?;
        let target = prepared.describe();
        // An image action answers image bytes, never an empty body or a page
        // (a captive portal's, a proxy's): those are refused, not saved.
        let expect_image = route::expects_image(process, typed.as_ref());
        self.execute(&prepared, |_, request_id, response| {
            self.download(response, request_id, &target, expect_image)
        })
    }

    /// [`get_processed`](Self::get_processed) copied into `sink`; returns
    /// the number of bytes. On error `sink` may hold a partial image.
    pub fn download_processed(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
        sink: &mut impl Write,
    ) -> Result<u64, Error> {
        self.get_processed(bucket, key, process)?.copy_to(sink)
    }

    /// The image's width, height, format, size and EXIF fields
    /// (`image/info`).
    pub fn image_info(&self, bucket: &str, key: &str) -> Result<ImageInfo, Error> {
        let prepared = self.prepare_get(bucket, key, "image/info", false)?;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_image_info(request_id, &body)
        })
    }

    /// The image's average colour (`image/average-hue`).
    pub fn average_hue(&self, bucket: &str, key: &str) -> Result<AverageHue, Error> {
        let prepared = self.prepare_get(bucket, key, "image/average-hue", false)?;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id, &target)?;
            parse_average_hue(request_id, &body)
        })
    }
}

mod answer;
mod doc_ai;
mod media;
mod presign;
pub use presign::ResponseOverrides;
mod bucket;
pub(crate) mod observe;
mod request;
mod route;
mod send;
mod style;

pub use self::bucket::{ListObjects, ListObjectsEntries, ListObjectsPages};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::error::ServiceError;

    /// A client with made-up credentials, for tests that send nothing.
    pub(super) fn client() -> Client {
        Client::builder()
            .region("cn-hangzhou")
            .credentials(Credentials::new("id", "secret"))
            .build()
            .unwrap()
    }

    #[test]
    fn client_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
        let a = client();
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }

    #[test]
    fn process_strings_are_checked() {
        assert!(check_process("image/resize,w_100").is_ok());
        assert!(check_process("").is_err());
        assert!(
            check_process("image/resize,w_100\r\nx")
                .unwrap_err()
                .to_string()
                .contains("control")
        );
    }

    #[test]
    fn post_body_and_md5_match_the_sdk_vector() {
        let c = client();
        let p = c
            .prepare_post(
                "examplebucket",
                "example.jpg",
                ProcessKind::Sync,
                "image/resize,w_100",
            )
            .unwrap();
        assert_eq!(
            p.body.as_deref(),
            Some(&b"x-oss-process=image/resize,w_100"[..])
        );
        assert_eq!(p.content_md5.as_deref(), Some("hGT5ZufNzYaV12SFcAMmfQ=="));
        assert_eq!(p.query, "x-oss-process");
        let p = c
            .prepare_post("examplebucket", "k", ProcessKind::Async, "doc/convert")
            .unwrap();
        assert_eq!(
            p.body.as_deref(),
            Some(&b"x-oss-async-process=doc/convert"[..])
        );
    }

    #[test]
    fn secrets_are_scrubbed_from_service_errors() {
        let creds = Credentials::new("id", "the-secret").with_security_token("the-token");
        let mut e = ServiceError {
            message: "canonical x-oss-security-token:the-token and the-secret".into(),
            ..Default::default()
        };
        send::scrub_secrets(&mut e, &creds);
        assert!(
            !e.message.contains("the-token") && !e.message.contains("the-secret"),
            "{}",
            e.message
        );
    }

    #[test]
    fn clock_offset_learning_ignores_absurd_dates() {
        let c = client();
        let now = SystemTime::now();
        c.learn_clock_offset("Mon, 01 Jan 1990 00:00:00 GMT", now);
        assert_eq!(c.clock_offset_millis(), 0);
        let ahead = crate::time::Timestamp::new(now + Duration::from_secs(3600)).http_date();
        c.learn_clock_offset(&ahead, now);
        let offset = c.clock_offset_millis();
        assert!((3_599_000..=3_601_000).contains(&offset), "{offset}");
    }

    #[test]
    fn the_offset_is_set_not_summed() {
        let c = client();
        let now = SystemTime::now();
        let ahead = crate::time::Timestamp::new(now + Duration::from_secs(3600)).http_date();
        // Sixteen threads learning the same skew agree on it.
        for _ in 0..16 {
            c.learn_clock_offset(&ahead, now);
        }
        let offset = c.clock_offset_millis();
        assert!((3_599_000..=3_601_000).contains(&offset), "{offset}");
        let behind = crate::time::Timestamp::new(now - Duration::from_secs(8 * 3600)).http_date();
        c.learn_clock_offset(&behind, now);
        let offset = c.clock_offset_millis();
        assert!((-28_801_000..=-28_799_000).contains(&offset), "{offset}");
    }
}
