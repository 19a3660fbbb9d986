//! Forming a request: the URL, the query, the body and its Content-MD5,
//! formed once per call and replayed identically by every attempt.

use md5::{Digest, Md5};

use crate::config::Target;
use crate::encoding::{base64_std, percent_encode_into};
use crate::error::Error;
use crate::names::{check_bucket, check_key};

use super::Client;

/// Which processing sub-resource a POST carries.
#[derive(Clone, Copy)]
pub(super) enum ProcessKind {
    Sync,
    Async,
}

impl ProcessKind {
    pub(super) fn param(self) -> &'static str {
        match self {
            ProcessKind::Sync => "x-oss-process",
            ProcessKind::Async => "x-oss-async-process",
        }
    }
}

/// One request, formed once and replayed identically by every attempt.
pub(super) struct Prepared<'a> {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub(super) method: &'static str,
    pub(super) bucket: &'a str,
    /// `None` for a bucket-level request (`/?style`).
    pub(super) key: Option<&'a str>,
    /// Wire query without `?`.
    pub(super) query: String,
    pub(super) target: Target,
    /// The URL sent to: the connect base and the query, formed once.
    pub(super) url: String,
    pub(super) body: Option<Vec<u8>>,
    pub(super) content_md5: Option<String>,
    /// A `Content-Type` to send (and sign), e.g. `application/xml`.
    pub(super) content_type: Option<&'static str>,
    /// The caller reads the body as a stream (processed downloads, answers
    /// that may be bytes or events): the body has the download deadline.
    pub(super) streaming: bool,
    /// Running it twice does no harm (false for asynchronous tasks: a
    /// second request queues a second task).
    pub(super) idempotent: bool,
}

impl Prepared<'_> {
    pub(super) fn describe(&self) -> String {
        if self.query.is_empty() {
            format!("{} {}", self.method, self.target.base)
        } else {
            format!("{} {}?{}", self.method, self.target.base, self.query)
        }
    }
}

impl Client {
    pub(super) fn prepare_get<'a>(
        &self,
        bucket: &'a str,
        key: &'a str,
        process: &str,
        streaming: bool,
    ) -> Result<Prepared<'a>, Error> {
        check_bucket(bucket)?;
        check_key(key)?;
        check_process(process)?;
        Ok(self.prepare(
            "GET",
            bucket,
            Some(key),
            process_query(process),
            None,
            streaming,
        ))
    }

    pub(super) fn prepare_post<'a>(
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
        let mut prepared = self.prepare(
            "POST",
            bucket,
            Some(key),
            param.to_string(),
            Some(body),
            false,
        );
        prepared.idempotent = matches!(kind, ProcessKind::Sync);
        Ok(prepared)
    }

    /// Forms what every attempt replays: the URL, the body and its MD5.
    /// Bucket and key must have been checked; no key is a bucket-level
    /// request (`/bucket/`).
    pub(super) fn prepare<'a>(
        &self,
        method: &'static str,
        bucket: &'a str,
        key: Option<&'a str>,
        query: String,
        body: Option<Vec<u8>>,
        streaming: bool,
    ) -> Prepared<'a> {
        let target = self.inner.config.target(bucket, key.unwrap_or(""));
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
            content_type: None,
            streaming,
            idempotent: true,
        }
    }
}

/// `x-oss-process=<process, percent-encoded>`, the query of processing GETs.
pub(super) fn process_query(process: &str) -> String {
    let mut query = String::with_capacity(process.len() * 2 + 16);
    query.push_str("x-oss-process=");
    percent_encode_into(&mut query, process, false);
    query
}

/// Checks a raw process string: non-empty and free of control characters
/// (a CR or LF would corrupt the form body). The process module's rule.
pub(super) use crate::process::check_process_string as check_process;
