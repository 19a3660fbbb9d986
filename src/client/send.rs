//! Sending: the attempts (each signed afresh with the identical body), the
//! retry loop, reading capped bodies, turning failures into errors with
//! every secret scrubbed, and learning the server's clock.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use ureq::http::Response;

use crate::credentials::Credentials;
use crate::error::{Error, ServiceError};
use crate::redact::Secrets;
use crate::response::service_error::{ErrorHeaders, parse_service_error};
use crate::sign::SignableRequest;
use crate::time::parse_http_date;

use super::request::Prepared;
use super::{Client, MAX_CLOCK_OFFSET};

impl Client {
    pub(super) fn credentials(&self) -> Result<Credentials, Error> {
        let credentials = self.inner.config.credentials.credentials()?;
        credentials.validate()?;
        Ok(credentials)
    }

    /// Local time plus the learned clock offset.
    pub(super) fn now(&self) -> SystemTime {
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
    pub(super) fn execute<T>(
        &self,
        prepared: &Prepared<'_>,
        handle: impl Fn(u16, &str, Response<ureq::Body>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let policy = &self.inner.config.retry;
        let max_attempts = policy.attempts().max(1);
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
            .sign_headers(&signable, &credentials, signing_time);

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
        // header ids; what was read (up to the cap) is parsed as far as it
        // goes, so a cut body keeps the Code and RequestId it began with.
        let mut body = Vec::new();
        let mut reader = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(limit.saturating_add(1));
        let read = reader.read_to_end(&mut body);
        let truncated = body.len() as u64 > limit;
        body.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        if let Err(e) = read
            && body.is_empty()
        {
            body = format!("<error body unreadable: {e}>").into_bytes();
        }
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
        scrub_secrets(&mut error, credentials);
        error
    }

    pub(super) fn learn_clock_offset(&self, error: &ServiceError, signing_time: SystemTime) {
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

    pub(super) fn read_capped(
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

pub(super) fn header<'r>(response: &'r Response<ureq::Body>, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
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

/// A decode error quotes the answer's first bytes: scrub them too.
fn scrub_decode_error(mut error: Error, credentials: &Credentials) -> Error {
    if let Error::Decode { message, .. } = &mut error {
        Secrets::of(credentials).scrub(message);
    }
    error
}
