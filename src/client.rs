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

use md5::{Digest, Md5};
use ureq::http::Response;

use crate::config::{AddressStyle, ClientBuilder, Config, Target};
use crate::credentials::Credentials;
use crate::download::ProcessedObject;
use crate::encoding::{base64_std, percent_encode_into};
use crate::error::{Error, ServiceError};
use crate::names::{check_bucket, check_key};
use crate::redact::Secrets;
use crate::response::{
    AsyncProcessObjectResult, AverageHue, ErrorHeaders, ImageInfo, ProcessObjectResult,
    parse_async_result, parse_average_hue, parse_image_info, parse_process_result,
    parse_service_error,
};
use crate::sign::{Presigned, SignableRequest, Signer};
use crate::time::parse_http_date;

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
            .field(
                "clock_offset_ms",
                &self.inner.clock_offset_ms.load(Ordering::Relaxed),
            )
            .finish()
    }
}

/// Which processing sub-resource a POST carries.
#[derive(Clone, Copy)]
enum ProcessKind {
    Sync,
    Async,
}

impl ProcessKind {
    fn param(self) -> &'static str {
        match self {
            ProcessKind::Sync => "x-oss-process",
            ProcessKind::Async => "x-oss-async-process",
        }
    }
}

/// One request, formed once and replayed identically by every attempt.
struct Prepared<'a> {
    method: &'static str,
    bucket: &'a str,
    key: &'a str,
    /// Wire query without `?`.
    query: String,
    target: Target,
    /// The URL sent to: the connect base and the query, formed once.
    url: String,
    body: Option<Vec<u8>>,
    content_md5: Option<String>,
    /// The caller reads the body as a stream (processed downloads).
    streaming: bool,
}

impl Prepared<'_> {
    fn describe(&self) -> String {
        if self.query.is_empty() {
            format!("{} {}", self.method, self.target.base)
        } else {
            format!("{} {}?{}", self.method, self.target.base, self.query)
        }
    }
}

impl Client {
    /// A builder with the official SDKs' defaults.
    #[must_use]
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_config(config: Config) -> Self {
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_send_request(Some(config.write_timeout))
            .timeout_send_body(Some(config.write_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_recv_body(Some(config.read_timeout))
            .user_agent(config.user_agent.as_str())
            .max_idle_connections(100)
            .max_idle_connections_per_host(32)
            .build();
        let signer = Signer::new(&config.region, &config.product);
        Client {
            inner: Arc::new(Inner {
                agent: ureq::Agent::new_with_config(agent_config),
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
    /// from `RequestTimeTooSkewed` answers and added to the local time when
    /// signing: positive when the server is ahead, zero until one is learned.
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Processes `bucket`/`key` on the server and saves the result
    /// (`POST /<key>?x-oss-process`, body `x-oss-process=<process>`).
    ///
    /// `process` is a typed [`Process`](crate::Process) or a raw string such
    /// as `image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc`; it
    /// should end in `sys/saveas`, which is what makes OSS store the result.
    /// Bucket, key and process string are checked before any I/O.
    pub fn process_object(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<ProcessObjectResult, Error> {
        let prepared = self.prepare_post(bucket, key, ProcessKind::Sync, process.as_ref())?;
        self.execute(&prepared, |status, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id)?;
            parse_process_result(status, request_id, &body)
        })
    }

    /// Queues an asynchronous processing task (documents, video, audio,
    /// `image/deblindwatermark`): `POST /<key>?x-oss-async-process`. The
    /// bucket must have an IMM project bound; the process string must carry
    /// `sys/saveas` and may add `/notify,topic_<base64>`.
    pub fn async_process_object(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<AsyncProcessObjectResult, Error> {
        let prepared = self.prepare_post(bucket, key, ProcessKind::Async, process.as_ref())?;
        self.execute(&prepared, |status, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id)?;
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
        let process = process.as_ref();
        check_bucket(bucket)?;
        check_key(key)?;
        check_process(process)?;
        crate::sign::check_presign_expiry(expires)?;
        let credentials = self.credentials()?;
        let query = process_query(process);
        let target = self.inner.config.target(bucket, key);
        let request = SignableRequest {
            method: "GET",
            bucket: Some(bucket),
            key: Some(key),
            query: &query,
            headers: &[],
            additional_headers: &[],
        };
        self.inner
            .signer
            .presign(&target.base, &request, &credentials, time, expires)
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
        let prepared = self.prepare_get(bucket, key, process.as_ref(), true)?;
        let target = prepared.describe();
        self.execute(&prepared, |_, request_id, response| {
            let content_type = header(&response, "content-type").unwrap_or("").to_string();
            let content_length = header(&response, "content-length").and_then(|v| v.parse().ok());
            Ok(ProcessedObject {
                reader: Box::new(response.into_body().into_reader()),
                content_type,
                content_length,
                request_id: request_id.to_string(),
                target: target.clone(),
            })
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
        self.execute(&prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id)?;
            parse_image_info(request_id, &body)
        })
    }

    /// The image's average colour (`image/average-hue`).
    pub fn average_hue(&self, bucket: &str, key: &str) -> Result<AverageHue, Error> {
        let prepared = self.prepare_get(bucket, key, "image/average-hue", false)?;
        self.execute(&prepared, |_, request_id, mut response| {
            let body = self.read_capped(&mut response, request_id)?;
            parse_average_hue(request_id, &body)
        })
    }

    fn prepare_get<'a>(
        &self,
        bucket: &'a str,
        key: &'a str,
        process: &str,
        streaming: bool,
    ) -> Result<Prepared<'a>, Error> {
        check_bucket(bucket)?;
        check_key(key)?;
        check_process(process)?;
        Ok(self.prepare("GET", bucket, key, process_query(process), None, streaming))
    }

    fn prepare_post<'a>(
        &self,
        bucket: &'a str,
        key: &'a str,
        kind: ProcessKind,
        process: &str,
    ) -> Result<Prepared<'a>, Error> {
        check_bucket(bucket)?;
        check_key(key)?;
        check_process(process)?;
        let param = kind.param();
        let mut body = Vec::with_capacity(param.len() + 1 + process.len());
        body.extend_from_slice(param.as_bytes());
        body.push(b'=');
        body.extend_from_slice(process.as_bytes());
        Ok(self.prepare("POST", bucket, key, param.to_string(), Some(body), false))
    }

    /// Forms what every attempt replays: the URL, the body and its MD5.
    fn prepare<'a>(
        &self,
        method: &'static str,
        bucket: &'a str,
        key: &'a str,
        query: String,
        body: Option<Vec<u8>>,
        streaming: bool,
    ) -> Prepared<'a> {
        let target = self.inner.config.target(bucket, key);
        let connect_base = target.connect_base();
        let mut url = String::with_capacity(connect_base.len() + 1 + query.len());
        url.push_str(connect_base);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Prepared {
            method,
            bucket,
            key,
            content_md5: body.as_deref().map(|b| base64_std(&Md5::digest(b))),
            query,
            target,
            url,
            body,
            streaming,
        }
    }

    fn credentials(&self) -> Result<Credentials, Error> {
        let credentials = self.inner.config.credentials.credentials()?;
        credentials.validate()?;
        Ok(credentials)
    }

    /// Local time plus the learned clock offset.
    fn now(&self) -> SystemTime {
        let ms = self.inner.clock_offset_ms.load(Ordering::Relaxed);
        let now = SystemTime::now();
        let offset = Duration::from_millis(ms.unsigned_abs());
        if ms >= 0 {
            now + offset
        } else {
            now.checked_sub(offset).unwrap_or(now)
        }
    }

    /// Runs the attempts: sign afresh, send the identical body, hand a 2xx
    /// answer to `handle`, turn anything else into an error, and retry what
    /// the policy calls transient.
    fn execute<T>(
        &self,
        prepared: &Prepared<'_>,
        handle: impl Fn(u16, &str, Response<ureq::Body>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let policy = &self.inner.config.retry;
        let max_attempts = policy.max_attempts().max(1);
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(prepared, &handle);
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            if attempt >= max_attempts || !policy.is_retryable(&error, attempt) {
                return Err(error);
            }
            let delay = policy.backoff(attempt);
            log::debug!(
                "oss-process: attempt {attempt}/{max_attempts} of {} failed ({error}); retrying in {delay:?}",
                prepared.describe()
            );
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    fn attempt<T>(
        &self,
        prepared: &Prepared<'_>,
        handle: &impl Fn(u16, &str, Response<ureq::Body>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let credentials = self.credentials()?;
        let signing_time = self.now();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(2);
        if let Some(md5) = &prepared.content_md5 {
            headers.push(("Content-MD5", md5));
        }
        let signable = SignableRequest {
            method: prepared.method,
            bucket: Some(prepared.bucket),
            key: Some(prepared.key),
            query: &prepared.query,
            headers: &headers,
            additional_headers: &[],
        };
        let signed = self
            .inner
            .signer
            .sign_headers(&signable, &credentials, signing_time)?;

        let agent = &self.inner.agent;
        // Every header goes on through one helper, whatever the method.
        fn with_headers<B>(
            mut rb: ureq::RequestBuilder<B>,
            host: Option<&str>,
            headers: &[(&str, &str)],
            signed: &[(&'static str, String)],
        ) -> ureq::RequestBuilder<B> {
            if let Some(host) = host {
                rb = rb.header("Host", host);
            }
            for (name, value) in headers {
                rb = rb.header(*name, *value);
            }
            for (name, value) in signed {
                rb = rb.header(*name, value);
            }
            rb
        }
        let host = prepared.target.host_header();
        let url = &prepared.url;
        let result = match &prepared.body {
            Some(body) => {
                with_headers(agent.post(url), host, &headers, &signed.headers).send(&body[..])
            }
            None => {
                let rb = with_headers(agent.get(url), host, &headers, &signed.headers);
                if prepared.streaming {
                    // A streamed body may be large: bound each read, not the whole transfer.
                    rb.config()
                        .timeout_recv_body(None)
                        .timeout_per_read(Some(self.inner.config.read_timeout))
                        .build()
                        .call()
                } else {
                    rb.call()
                }
            }
        };
        let mut response = result.map_err(|e| Error::from_ureq(prepared.describe(), e))?;
        let status = response.status().as_u16();
        let request_id = header(&response, "x-oss-request-id")
            .unwrap_or("")
            .to_string();
        if (200..300).contains(&status) {
            return handle(status, &request_id, response)
                .map_err(|e| scrub_decode_error(e, &credentials));
        }
        let error = self.service_error(prepared, &credentials, status, &mut response);
        if error.code == "RequestTimeTooSkewed" && self.inner.config.correct_clock_skew {
            self.learn_clock_offset(&error, signing_time);
        }
        Err(Error::from(error))
    }

    fn service_error(
        &self,
        prepared: &Prepared<'_>,
        credentials: &Credentials,
        status: u16,
        response: &mut Response<ureq::Body>,
    ) -> ServiceError {
        let limit = self.inner.config.max_response_body;
        // A broken or oversized error body still yields the status and the
        // header ids; what was read is parsed as far as it goes.
        let body = match response.body_mut().with_config().limit(limit).read_to_vec() {
            Ok(body) => body,
            Err(e) => format!("<error body unreadable: {e}>").into_bytes(),
        };
        let headers = ErrorHeaders {
            content_type: header(response, "content-type"),
            request_id: header(response, "x-oss-request-id"),
            ec: header(response, "x-oss-ec"),
            oss_err: header(response, "x-oss-err"),
            error_type: header(response, "x-oss-error-type"),
            date: header(response, "date"),
        };
        let mut error = parse_service_error(status, &headers, &body, &prepared.describe());
        scrub_secrets(&mut error, credentials);
        error
    }

    fn learn_clock_offset(&self, error: &ServiceError, signing_time: SystemTime) {
        let Some(server) = parse_http_date(&error.date) else {
            return;
        };
        let offset_ms: i64 = match server.duration_since(signing_time) {
            Ok(ahead) if ahead <= MAX_CLOCK_OFFSET => ahead.as_millis() as i64,
            Err(behind) if behind.duration() <= MAX_CLOCK_OFFSET => {
                -(behind.duration().as_millis() as i64)
            }
            _ => {
                log::debug!(
                    "oss-process: ignoring an implausible server Date {:?}",
                    error.date
                );
                return;
            }
        };
        let old = self.inner.clock_offset_ms.load(Ordering::Relaxed);
        let total = old.saturating_add(offset_ms);
        if total.unsigned_abs() as u128 <= MAX_CLOCK_OFFSET.as_millis() {
            log::debug!(
                "oss-process: server clock differs by {total} ms; signing with it from now on"
            );
            self.inner.clock_offset_ms.store(total, Ordering::Relaxed);
        }
    }

    fn read_capped(
        &self,
        response: &mut Response<ureq::Body>,
        request_id: &str,
    ) -> Result<Vec<u8>, Error> {
        let limit = self.inner.config.max_response_body;
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::Decode {
                    message: format!("the answer body is larger than the {limit}-byte limit"),
                    request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
                    source: Some(Box::new(e)),
                },
                other => body_error(other, request_id),
            })
    }
}

/// `x-oss-process=<process, percent-encoded>`, the query of processing GETs.
fn process_query(process: &str) -> String {
    let mut query = String::with_capacity(process.len() * 2 + 16);
    query.push_str("x-oss-process=");
    percent_encode_into(&mut query, process, false);
    query
}

fn header<'r>(response: &'r Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Checks a raw process string: non-empty and free of control characters
/// (a CR or LF would corrupt the form body).
fn check_process(process: &str) -> Result<(), Error> {
    if process.is_empty() {
        return Err(Error::invalid(
            "process",
            "the process string is empty; e.g. image/resize,w_100|sys/saveas,o_<base64 key>",
        ));
    }
    if let Some((i, c)) = process.char_indices().find(|(_, c)| c.is_control()) {
        return Err(Error::invalid(
            "process",
            format!(
                "the process string must not contain control characters; found {c:?} at byte {i}"
            ),
        ));
    }
    Ok(())
}

fn body_error(e: ureq::Error, request_id: &str) -> Error {
    let target = if request_id.is_empty() {
        "reading the answer body".to_string()
    } else {
        format!("reading the answer body (request id {request_id})")
    };
    Error::from_ureq(target, e)
}

/// Servers echo request parts (e.g. the canonical request with the STS
/// token) in error bodies; none of that may reach error text.
fn scrub_secrets(error: &mut ServiceError, credentials: &Credentials) {
    let secrets = Secrets::of(credentials);
    for field in [
        &mut error.code,
        &mut error.message,
        &mut error.request_id,
        &mut error.host_id,
        &mut error.ec,
        &mut error.recommend_doc,
        &mut error.target,
        &mut error.date,
    ] {
        secrets.scrub(field);
    }
}

/// A decode error quotes the answer's first bytes: scrub them too.
fn scrub_decode_error(mut error: Error, credentials: &Credentials) -> Error {
    if let Error::Decode { message, .. } = &mut error {
        Secrets::of(credentials).scrub(message);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
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
        scrub_secrets(&mut e, &creds);
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
        let mut e = ServiceError {
            date: "Mon, 01 Jan 1990 00:00:00 GMT".into(),
            ..Default::default()
        };
        c.learn_clock_offset(&e, now);
        assert_eq!(c.clock_offset_millis(), 0);
        let ahead = crate::time::Timestamp::new(now + Duration::from_secs(3600)).http_date();
        e.date = ahead;
        c.learn_clock_offset(&e, now);
        let offset = c.clock_offset_millis();
        assert!((3_599_000..=3_601_000).contains(&offset), "{offset}");
    }
}
