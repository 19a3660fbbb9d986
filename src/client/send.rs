//! Sending: the attempts (each signed afresh with the identical body) under
//! the call's deadlines, the retry loop (with `Retry-After`, and never a
//! second asynchronous task), reading capped bodies within a deadline,
//! turning failures into errors with every secret scrubbed, and learning
//! the server's clock.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use ureq::http::Response;

use crate::credentials::Credentials;
use crate::error::{Error, ServiceError};
use crate::redact::Secrets;
use crate::response::service_error::{ErrorHeaders, parse_service_error};
use crate::sign::SignableRequest;
use crate::time::parse_http_date;

use super::request::Prepared;
use super::{Client, MAX_CLOCK_OFFSET};

/// Whether a failed attempt's request may have reached the service: what
/// decides if a request that must not run twice may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Surely not: the connection was never made, or refused.
    NotSent,
    /// The service answered with an error status; `oss` when the body was an
    /// OSS error (so the service itself, not a proxy, refused it).
    Refused { oss: bool },
    /// Sent, and then the answer was lost, cut or unreadable; or a 2xx
    /// answer whose body could not be read.
    Unknown,
}

/// A failed attempt.
struct Failure {
    error: Error,
    reach: Reach,
}

impl Failure {
    fn unknown(error: Error) -> Self {
        Failure {
            error,
            reach: Reach::Unknown,
        }
    }
}

impl Client {
    pub(super) fn credentials(&self) -> Result<Credentials, Error> {
        let credentials = self.inner.config.credentials.credentials()?;
        credentials.validate()?;
        Ok(credentials)
    }

    /// Local time plus the learned clock offset.
    pub(super) fn now(&self) -> SystemTime {
        shift(
            SystemTime::now(),
            self.inner.clock_offset_ms.load(Ordering::Relaxed),
        )
    }

    /// Runs the attempts: sign afresh, send the identical body, hand a 2xx
    /// answer to `handle`, turn anything else into an error, and retry what
    /// the policy calls transient, within the call's deadline.
    ///
    /// A request that must not run twice (`prepared.idempotent == false`:
    /// an asynchronous task) is sent again only when it surely did not
    /// reach the service, or the service refused it with an OSS error.
    pub(super) fn execute<T>(
        &self,
        prepared: &Prepared<'_>,
        handle: impl Fn(u16, &str, Response<ureq::Body>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let started = Instant::now();
        let call_deadline = self.deadlines.call.map(|d| started + d);
        let policy = &self.inner.config.retry;
        let max_attempts = policy.attempts().max(1);
        let mut attempt = 1;
        loop {
            let budget = match call_deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Err(self.call_deadline_passed(prepared, attempt)),
                },
                None => None,
            };
            self.before_attempt();
            let failure = match self.attempt(prepared, &handle, budget) {
                Ok(value) => {
                    self.after_attempt(None);
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            self.after_attempt(Some(&failure.error));
            let error = if prepared.idempotent {
                failure.error
            } else {
                at_most_once(prepared, failure)?
            };
            if attempt >= max_attempts || !policy.is_retryable(&error, attempt) {
                return Err(self.final_failure(prepared, error, attempt));
            }
            let mut delay = policy.backoff(attempt);
            if let Some(hint) = error.as_service().and_then(|e| e.retry_after) {
                delay = delay.max(hint.min(policy.max_delay()));
            }
            if let Some(deadline) = call_deadline
                && Instant::now() + delay >= deadline
            {
                // No time left for another attempt: the last error says why.
                return Err(self.final_failure(prepared, error, attempt));
            }
            log::debug!(
                "oss-process: attempt {attempt}/{max_attempts} of {} failed ({error}); retrying in {delay:?}",
                prepared.describe()
            );
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    /// Logs the error a call ends with, and hands it back.
    fn final_failure(&self, prepared: &Prepared<'_>, error: Error, attempts: u32) -> Error {
        // A HEAD's 404 is how a missing object answers: an answer, not a
        // failure worth a warning.
        let level = if prepared.method == "HEAD" && error.status() == Some(404) {
            log::Level::Debug
        } else {
            log::Level::Warn
        };
        log::log!(
            level,
            "oss-process: {} failed after {attempts} attempt(s): {error} (code {}, request id {})",
            prepared.describe(),
            error.code().unwrap_or("-"),
            error.request_id().unwrap_or("-"),
        );
        error
    }

    fn call_deadline_passed(&self, prepared: &Prepared<'_>, attempt: u32) -> Error {
        let limit = self.deadlines.call.unwrap_or_default();
        let error = Error::Timeout {
            target: prepared.describe(),
            source: format!(
                "the call's deadline of {limit:?} passed before attempt {attempt} (ClientBuilder::call_timeout)"
            )
            .into(),
        };
        self.final_failure(prepared, error, attempt.saturating_sub(1))
    }

    fn attempt<T>(
        &self,
        prepared: &Prepared<'_>,
        handle: &impl Fn(u16, &str, Response<ureq::Body>) -> Result<T, Error>,
        call_budget: Option<Duration>,
    ) -> Result<T, Failure> {
        let not_sent = |error| Failure {
            error,
            reach: Reach::NotSent,
        };
        let credentials = self.credentials().map_err(not_sent)?;
        let signing_time = self.now();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(2);
        if let Some(md5) = &prepared.content_md5 {
            headers.push(("Content-MD5", md5));
        }
        if let Some(content_type) = prepared.content_type {
            headers.push(("Content-Type", content_type));
        }
        let signable = SignableRequest {
            method: prepared.method,
            bucket: Some(prepared.bucket),
            key: prepared.key,
            query: &prepared.query,
            headers: &headers,
            additional_headers: &[],
        };
        let signed = self
            .inner
            .signer
            .sign_headers(&signable, &credentials, signing_time)
            .map_err(not_sent)?;

        let agent = &self.inner.agent;
        let config = &self.inner.config;
        // The attempt's whole budget: its own deadline, within the call's.
        let budget = match (self.deadlines.attempt, call_budget) {
            (Some(a), Some(c)) => Some(a.min(c)),
            (a, c) => a.or(c),
        };
        let limits = if prepared.streaming {
            // The body is the caller's to read, for as long as the download
            // deadline allows; each read is bounded, and the way to the
            // answer's head keeps the budget.
            let clamp = |d: Duration| Some(budget.map_or(d, |b| b.min(d)));
            Limits::Streaming {
                connect: clamp(config.connect_timeout),
                send: clamp(config.write_timeout),
                head: clamp(config.read_timeout),
                body: self.deadlines.download,
                per_read: Some(config.read_timeout),
            }
        } else {
            Limits::Global(budget)
        };
        // Every header and the time limits go on through one helper,
        // whatever the method.
        let url = &prepared.url;
        // The proxy for this request's host (NO_PROXY may exempt it).
        let route = config.proxying.route_for_url(url);
        let head = Head {
            host: prepared.target.host_header(),
            headers: &headers,
            signed: &signed.headers,
            proxy: route.map(|r| r.proxy().clone()),
            limits,
        };
        let result = match (prepared.method, &prepared.body) {
            ("PUT", Some(body)) => head.put_on(agent.put(url)).send(&body[..]),
            (_, Some(body)) => head.put_on(agent.post(url)).send(&body[..]),
            ("DELETE", None) => head.put_on(agent.delete(url)).call(),
            ("HEAD", None) => head.put_on(agent.head(url)).call(),
            (_, None) => head.put_on(agent.get(url)).call(),
        };
        let mut response = result.map_err(|e| {
            let reach = reach_of(&e);
            Failure {
                error: crate::transport::request_error(prepared.describe(), route, e),
                reach,
            }
        })?;
        let arrived = SystemTime::now();
        let status = response.status().as_u16();
        let request_id = header(&response, "x-oss-request-id")
            .unwrap_or("")
            .to_string();
        if (200..300).contains(&status) {
            return undecoded_encoding(prepared, &request_id, &response)
                .and_then(|()| handle(status, &request_id, response))
                .map_err(|e| Failure::unknown(scrub_error(e, &credentials)));
        }
        let error = self
            .service_error(prepared, &credentials, status, &mut response, arrived)
            .map_err(Failure::unknown)?;
        if error.code == "RequestTimeTooSkewed" && config.correct_clock_skew {
            self.learn_clock_offset(&error.date, arrived);
        }
        let oss = error.code != "BadErrorResponse";
        Err(Failure {
            error: Error::from(error),
            reach: Reach::Refused { oss },
        })
    }

    fn service_error(
        &self,
        prepared: &Prepared<'_>,
        credentials: &Credentials,
        status: u16,
        response: &mut Response<ureq::Body>,
        arrived: SystemTime,
    ) -> Result<ServiceError, Error> {
        let limit = self.inner.config.max_response_body;
        // A broken or oversized error body still yields the status and the
        // header ids; what was read (up to the cap) is parsed as far as it
        // goes, so a cut body keeps the Code and RequestId it began with.
        // A streamed call's body has no total budget of its own: the read
        // timeout bounds the whole error body here.
        let deadline = Instant::now() + self.inner.config.read_timeout;
        let (body, truncated, failure) = read_up_to(response, limit, deadline);
        let body = match failure {
            // An error body that does not come in time is a timeout, as any
            // answer that does not.
            Some(e) if is_timeout(&e) => {
                return Err(Error::Timeout {
                    target: prepared.describe(),
                    source: Box::new(e),
                });
            }
            Some(e) if body.is_empty() => format!("<error body unreadable: {e}>").into_bytes(),
            _ => body,
        };
        let headers = ErrorHeaders {
            content_type: header(response, "content-type"),
            request_id: header(response, "x-oss-request-id"),
            ec: header(response, "x-oss-ec"),
            oss_err: header(response, "x-oss-err"),
            error_type: header(response, "x-oss-error-type"),
            date: header(response, "date"),
        };
        let mut error =
            parse_service_error(status, &headers, &body, truncated, &prepared.describe());
        if matches!(status, 429 | 503) {
            error.retry_after =
                header(response, "retry-after").and_then(|v| parse_retry_after(v, arrived));
        }
        scrub_secrets(&mut error, credentials);
        Ok(error)
    }

    /// Sets the clock offset to the server's `Date` minus the local time the
    /// answer arrived: set, never summed, so any number of threads learning
    /// the same skew agree on it. An offset over a day is taken for a broken
    /// header and ignored.
    pub(super) fn learn_clock_offset(&self, server_date: &str, arrived: SystemTime) {
        let Some(server) = parse_http_date(server_date) else {
            return;
        };
        let offset_ms: i64 = match server.duration_since(arrived) {
            Ok(ahead) if ahead <= MAX_CLOCK_OFFSET => ahead.as_millis() as i64,
            Err(behind) if behind.duration() <= MAX_CLOCK_OFFSET => {
                -(behind.duration().as_millis() as i64)
            }
            _ => {
                log::debug!("oss-process: ignoring an implausible server Date {server_date:?}");
                return;
            }
        };
        let old = self
            .inner
            .clock_offset_ms
            .swap(offset_ms, Ordering::Relaxed);
        // The Date header has whole seconds: only a real change is news.
        if (old - offset_ms).abs() >= 1_000 {
            log::info!(
                "oss-process: the server clock differs from ours by {offset_ms} ms; signing with it from now on"
            );
        }
    }

    /// Reads a result or error body whole, up to `max_response_body`.
    pub(super) fn read_capped(
        &self,
        response: &mut Response<ureq::Body>,
        request_id: &str,
        target: &str,
    ) -> Result<Vec<u8>, Error> {
        let limit = self.inner.config.max_response_body;
        read_body_up_to(response, limit, request_id, target)
    }
}

/// The time limits of one attempt.
enum Limits {
    /// One deadline for the whole exchange (`None`: the phases' own).
    Global(Option<Duration>),
    /// Each phase bounded, the body by the download deadline: the caller
    /// reads it as a stream after the call returns.
    Streaming {
        connect: Option<Duration>,
        send: Option<Duration>,
        head: Option<Duration>,
        body: Option<Duration>,
        per_read: Option<Duration>,
    },
}

/// What goes on every attempt's request besides its method, URL and body:
/// the connect `Host`, the signed headers, the proxy and the time limits.
struct Head<'a> {
    host: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
    signed: &'a [(&'static str, String)],
    proxy: Option<ureq::Proxy>,
    limits: Limits,
}

impl Head<'_> {
    /// Puts it all on a request of any method.
    fn put_on<B>(&self, mut rb: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if let Some(host) = self.host {
            rb = rb.header("Host", host);
        }
        for (name, value) in self.headers {
            rb = rb.header(*name, *value);
        }
        for (name, value) in self.signed {
            rb = rb.header(*name, value);
        }
        // A request of its own config only when it needs one: the copy
        // costs about a microsecond on the hot path.
        if self.proxy.is_none() && matches!(self.limits, Limits::Global(None)) {
            return rb;
        }
        let config = rb.config().proxy(self.proxy.clone());
        match self.limits {
            Limits::Global(budget) => config.timeout_global(budget).build(),
            Limits::Streaming {
                connect,
                send,
                head,
                body,
                per_read,
            } => config
                .timeout_connect(connect)
                .timeout_send_request(send)
                .timeout_recv_response(head)
                .timeout_recv_body(body)
                .timeout_per_read(per_read)
                .build(),
        }
    }
}

/// Refuses a 2xx answer whose body is still encoded (`Content-Encoding`
/// other than `identity`): the HTTP layer decodes gzip when the crate's
/// `gzip` feature is on (and then drops the header), so what is left would
/// be read as garbage: JSON that does not parse, an "image" that is gzip.
fn undecoded_encoding(
    prepared: &Prepared<'_>,
    request_id: &str,
    response: &Response<ureq::Body>,
) -> Result<(), Error> {
    let Some(encoding) = header(response, "content-encoding")
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"))
    else {
        return Ok(());
    };
    let hint = if encoding.eq_ignore_ascii_case("gzip") && !cfg!(feature = "gzip") {
        "; build with the crate's `gzip` feature to have it decoded"
    } else {
        ""
    };
    Err(Error::Decode {
        message: format!(
            "the answer to {} is encoded with Content-Encoding {:?}, which this client does not decode{hint}",
            prepared.describe(),
            crate::redact::truncate(encoding, 40),
        ),
        request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
        source: None,
    })
}

/// Reads a 2xx body whole, up to `limit` bytes: more is
/// [`Error::ResponseTooLarge`].
pub(super) fn read_body_up_to(
    response: &mut Response<ureq::Body>,
    limit: u64,
    request_id: &str,
    target: &str,
) -> Result<Vec<u8>, Error> {
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::ResponseTooLarge {
                target: target.to_string(),
                limit,
                request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
            },
            other => body_error(other, request_id, target),
        })
}

/// Applies the at-most-once rule of asynchronous tasks to a failure: passes
/// on what may be retried (the request never left, or the service refused
/// it with an OSS error), and ends the call with
/// [`Error::TaskMayBeQueued`] when the service may have queued the task.
fn at_most_once(prepared: &Prepared<'_>, failure: Failure) -> Result<Error, Error> {
    let queued = match failure.reach {
        Reach::NotSent => false,
        // An OSS error: the service refused the task, queued nothing.
        Reach::Refused { oss: true } => false,
        // A 5xx that is not OSS's: a proxy or gateway answered, and the
        // service behind it may have queued the task.
        Reach::Refused { oss: false } => failure.error.status().is_some_and(|s| s >= 500),
        Reach::Unknown => true,
    };
    if queued {
        return Err(Error::TaskMayBeQueued {
            target: prepared.describe(),
            source: Box::new(failure.error),
        });
    }
    Ok(failure.error)
}

/// Whether a request whose sending failed with `e` may have reached the
/// server. Only failures before the request could leave count as not sent.
fn reach_of(e: &ureq::Error) -> Reach {
    use ureq::Timeout;
    match e {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => Reach::NotSent,
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            ) =>
        {
            Reach::NotSent
        }
        _ => Reach::Unknown,
    }
}

/// Reads at most `limit` bytes of a body before `deadline` (checked before
/// every read, each of which is bounded by the read timeout): the bytes,
/// whether there were more, and the error that stopped the read, if any.
fn read_up_to(
    response: &mut Response<ureq::Body>,
    limit: u64,
    deadline: Instant,
) -> (Vec<u8>, bool, Option<std::io::Error>) {
    let mut body = Vec::new();
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let mut chunk = [0u8; 8 * 1024];
    loop {
        if Instant::now() >= deadline {
            let e = std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the error body did not arrive within the read timeout",
            );
            return (body, false, Some(e));
        }
        match reader.read(&mut chunk) {
            Ok(0) => return (body, false, None),
            Ok(n) => {
                let room = usize::try_from(limit)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(body.len());
                body.extend_from_slice(&chunk[..n.min(room)]);
                if n > room {
                    return (body, true, None);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (body, false, Some(e)),
        }
    }
}

/// Whether a body read failed for time: its own timeout, or ureq's.
fn is_timeout(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}

/// `Retry-After`: delay seconds, or an HTTP date (taken from when the
/// answer arrived).
fn parse_retry_after(value: &str, arrived: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(arrived).unwrap_or(Duration::ZERO))
}

/// `t` moved by `offset_ms` milliseconds.
fn shift(t: SystemTime, offset_ms: i64) -> SystemTime {
    let offset = Duration::from_millis(offset_ms.unsigned_abs());
    if offset_ms >= 0 {
        t.checked_add(offset).unwrap_or(t)
    } else {
        t.checked_sub(offset).unwrap_or(t)
    }
}

pub(super) fn header<'r>(response: &'r Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn body_error(e: ureq::Error, request_id: &str, target: &str) -> Error {
    let target = if request_id.is_empty() {
        format!("reading the answer to {target}")
    } else {
        format!("reading the answer to {target} (request id {request_id})")
    };
    Error::from_ureq(target, e)
}

/// Servers echo request parts (e.g. the canonical request with the STS
/// token) in error bodies; none of that may reach error text.
pub(super) fn scrub_secrets(error: &mut ServiceError, credentials: &Credentials) {
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

/// Scrubs the text of an error raised while handling a 2xx answer (a
/// decode error quotes the answer's first bytes).
fn scrub_error(mut error: Error, credentials: &Credentials) -> Error {
    let secrets = Secrets::of(credentials);
    match &mut error {
        Error::Decode {
            message,
            request_id,
            ..
        } => {
            secrets.scrub(message);
            if let Some(id) = request_id {
                secrets.scrub(id);
            }
        }
        Error::Service(service) => scrub_secrets(service, credentials),
        _ => {}
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let arrived = SystemTime::UNIX_EPOCH + Duration::from_secs(1_705_307_400);
        assert_eq!(
            parse_retry_after("7", arrived),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Mon, 15 Jan 2024 08:30:05 GMT", arrived),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Mon, 15 Jan 2024 08:29:00 GMT", arrived),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-3", arrived), None);
        assert_eq!(parse_retry_after("soon", arrived), None);
    }

    #[test]
    fn what_counts_as_not_sent() {
        assert_eq!(reach_of(&ureq::Error::ConnectionFailed), Reach::NotSent);
        assert_eq!(reach_of(&ureq::Error::HostNotFound), Reach::NotSent);
        assert_eq!(
            reach_of(&ureq::Error::Timeout(ureq::Timeout::Connect)),
            Reach::NotSent
        );
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(reach_of(&ureq::Error::Io(refused)), Reach::NotSent);
        for sent in [
            ureq::Error::Timeout(ureq::Timeout::RecvResponse),
            ureq::Error::Timeout(ureq::Timeout::SendBody),
            ureq::Error::Timeout(ureq::Timeout::Global),
            ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
            ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
        ] {
            assert_eq!(reach_of(&sent), Reach::Unknown, "{sent}");
        }
    }

    #[test]
    fn shifting_by_an_offset() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        assert_eq!(shift(t, 1_500), t + Duration::from_millis(1_500));
        assert_eq!(shift(t, -1_500), t - Duration::from_millis(1_500));
    }
}
