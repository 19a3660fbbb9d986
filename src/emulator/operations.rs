//! The operations, and the handler the server calls: checks a routed
//! request in OSS's order (bucket, signature, `Content-MD5`), performs its
//! operation (GET, HEAD, PUT, DELETE of objects, PUT of buckets,
//! ListObjectsV2 (in `listing.rs`),
//! `x-oss-process` over GET and POST, `x-oss-async-process`) and shapes
//! every answer like OSS: the `x-oss-request-id`, `Date` and `Server`
//! headers, and XML error bodies. Every answer, refusals included, goes to
//! the request logger.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use md5::{Digest, Md5};

use crate::encoding::{base64_std, base64_std_decode, percent_decode};
use crate::time::Timestamp;

use super::async_process;
use super::auth::{SignedParts, Verifier};
use super::errors::OssError;
use super::faults::{Caught, Faults};
use super::imaging;
use super::imm::{self, ImmHandlers};
use super::listing;
use super::overrides;
use super::router::{Operation, Route};
use super::server::{self, MAX_HEAD, Refusal, Request, Response};
use super::store::{self, Store};
use super::styles;
use super::tasks::Tasks;
use super::{RequestLog, RequestLogger};

/// The largest PUT body the emulator takes.
pub(crate) const MAX_PUT_BODY: usize = 64 * 1024 * 1024;
/// The largest POST body (a process string) the emulator takes.
pub(crate) const MAX_POST_BODY: usize = 64 * 1024;

/// The emulator's request handler.
pub(crate) struct Service {
    pub verifier: Verifier,
    pub store: Store,
    pub logger: Option<RequestLogger>,
    pub fallback_host: String,
    /// Seconds added to the real clock (tests of client clock correction).
    pub clock_offset_secs: i64,
    /// The queue of asynchronous tasks.
    pub tasks: Arc<Tasks>,
    /// The armed faults.
    pub faults: Arc<Faults>,
    /// The handlers of document, video and audio actions.
    pub imm: Arc<ImmHandlers>,
    counter: AtomicU64,
    seed: RandomState,
}

impl Service {
    pub fn new(
        verifier: Verifier,
        store: Store,
        logger: Option<RequestLogger>,
        fallback_host: String,
        tasks: Arc<Tasks>,
    ) -> Self {
        Service {
            verifier,
            store,
            logger,
            fallback_host,
            clock_offset_secs: 0,
            tasks,
            faults: Arc::new(Faults::default()),
            imm: Arc::new(ImmHandlers::default()),
            counter: AtomicU64::new(0),
            seed: RandomState::new(),
        }
    }

    /// The emulator's idea of now: the real clock plus the configured offset.
    fn now(&self) -> SystemTime {
        let offset = Duration::from_secs(self.clock_offset_secs.unsigned_abs());
        if self.clock_offset_secs >= 0 {
            SystemTime::now() + offset
        } else {
            SystemTime::now() - offset
        }
    }

    /// 24 upper-case hex digits, like OSS: the time, then a per-emulator
    /// random-looking counter.
    fn next_request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        format!("{:08X}{:016X}", secs as u32, self.seed.hash_one(n))
    }

    fn host_id(&self, request: Option<&Request>) -> String {
        request
            .and_then(|r| r.header("host"))
            .filter(|h| !h.is_empty())
            .map_or_else(|| self.fallback_host.clone(), str::to_string)
    }

    /// Adds the headers every answer carries.
    fn finish(&self, mut response: Response, request_id: &str) -> Response {
        let now = Timestamp::new(self.now());
        response.headers.push(("Server".into(), "AliyunOSS".into()));
        response.headers.push(("Date".into(), now.http_date()));
        response
            .headers
            .push(("x-oss-request-id".into(), request_id.into()));
        response
    }

    fn error_response(
        &self,
        error: &OssError,
        request_id: &str,
        request: Option<&Request>,
    ) -> Response {
        let xml = error.to_xml(request_id, &self.host_id(request));
        let mut response = Response::new(error.status).header("Content-Type", "application/xml");
        if !error.ec.is_empty() {
            response = response.header("x-oss-ec", error.ec);
        }
        if request.is_some_and(|r| r.method.eq_ignore_ascii_case("HEAD")) {
            // HEAD answers have no body; OSS puts the error in a header.
            response = response.header("x-oss-err", base64_std(xml.as_bytes()));
        }
        response.body(xml.into_bytes())
    }

    /// Hands one line to the request logger. `line` is the request's
    /// method and target, if they could be read.
    fn log(
        &self,
        line: Option<(&str, &str)>,
        response: &Response,
        code: Option<&str>,
        request_id: &str,
        started: Instant,
    ) {
        if let Some(logger) = &self.logger {
            logger(&RequestLog {
                method: line.map_or_else(|| "-".into(), |(m, _)| m.to_string()),
                // A presigned STS URL carries the token: never log it.
                target: line.map_or_else(|| "-".into(), |(_, t)| crate::redact::redact_token(t)),
                status: response.status,
                request_id: request_id.to_string(),
                error_code: code.map(str::to_string),
                elapsed: started.elapsed(),
            });
        }
    }

    /// Routes and checks a request in OSS's order (bucket, signature,
    /// `Content-MD5`), then performs its operation.
    fn serve(&self, request: &Request, request_id: &str) -> Result<Response, OssError> {
        let route = Route::new(
            request.header("host").unwrap_or(""),
            request.path(),
            request.query(),
        )?;
        if let Some(bucket) = &route.bucket
            && !route.creates_bucket(&request.method)
        {
            self.store.require_bucket(bucket)?;
        }
        self.verifier.verify(
            &SignedParts {
                method: &request.method,
                bucket: route.bucket.as_deref(),
                key: route.key.as_deref(),
                query: request.query(),
                headers: &request.headers,
            },
            self.now(),
        )?;
        check_content_md5(request)?;
        match route.operation(&request.method)? {
            Operation::PutBucket { bucket } => {
                self.store.create_bucket(bucket)?;
                Ok(Response::new(200).header("Location", format!("/{bucket}")))
            }
            Operation::ListObjectsV2 { bucket } => {
                listing::list_objects_v2(&self.store, bucket, request.query())
            }
            Operation::GetObject { bucket, key } => self
                .get_object(bucket, key)
                .map(|r| overrides::apply(request.query(), r)),
            Operation::PutObject { bucket, key } => {
                self.store.put(bucket, key, &request.body)?;
                Ok(Response::new(200).header("ETag", store::etag(&request.body)))
            }
            Operation::DeleteObject { bucket, key } => {
                self.store.delete(bucket, key)?;
                Ok(Response::new(204))
            }
            Operation::GetProcess {
                bucket,
                key,
                process,
            } => self
                .get_process(bucket, key, process, request_id)
                .map(|r| overrides::apply(request.query(), r)),
            Operation::PostProcess { bucket, key } => {
                self.post_process(request, bucket, key, request_id)
            }
            Operation::AsyncProcess { bucket, key } => {
                self.async_process(request, bucket, key, request_id)
            }
            Operation::Style { bucket } => styles::handle(
                &self.store,
                &request.method,
                bucket,
                request.query(),
                &request.body,
                self.now(),
            ),
        }
    }

    fn get_object(&self, bucket: &str, key: &str) -> Result<Response, OssError> {
        let object = self.store.get(bucket, key)?;
        Ok(Response::new(200)
            .header("Content-Type", store::content_type(key, &object.bytes))
            .header("ETag", store::etag(&object.bytes))
            .header("Last-Modified", Timestamp::new(object.modified).http_date())
            .header("x-oss-object-type", "Normal")
            .header("x-oss-storage-class", "Standard")
            .body(object.bytes))
    }

    fn source(&self, bucket: &str, key: &str) -> Result<Vec<u8>, OssError> {
        let size = self.store.size(bucket, key)?;
        imaging::check_source_size(size)?;
        Ok(self.store.get(bucket, key)?.bytes)
    }

    fn get_process(
        &self,
        bucket: &str,
        key: &str,
        process: &str,
        request_id: &str,
    ) -> Result<Response, OssError> {
        let process = match self.resolve("GET", bucket, key, process, request_id)? {
            Resolved::Answered(answer) => return Ok(answer),
            Resolved::Image(process) => process,
        };
        let plan = imaging::Plan::parse(&process)?;
        if plan.save_as().is_some() {
            return Err(OssError::invalid_argument(
                "sys/saveas is only allowed with POST: use process_object (POST ?x-oss-process) to save a result.",
            ));
        }
        let output = plan.apply(&self.source(bucket, key)?, &|k: &str| {
            self.source(bucket, k)
        })?;
        Ok(Response::new(200)
            .header("Content-Type", output.content_type)
            .header("ETag", store::etag(&output.bytes))
            .body(output.bytes))
    }

    fn post_process(
        &self,
        request: &Request,
        bucket: &str,
        key: &str,
        request_id: &str,
    ) -> Result<Response, OssError> {
        let process = form_value(&request.body, "x-oss-process")?;
        let process = match self.resolve("POST", bucket, key, &process, request_id)? {
            Resolved::Answered(answer) => return Ok(answer),
            Resolved::Image(process) => process,
        };
        let plan = imaging::Plan::parse(&process)?;
        let save_as = plan.save_as();
        if let Some(target) = &save_as {
            let target_bucket = target.bucket.as_deref().unwrap_or(bucket);
            self.store.require_bucket(target_bucket)?;
            store::Store::check_key(&target.key)?;
        }
        let output = plan.apply(&self.source(bucket, key)?, &|k: &str| {
            self.source(bucket, k)
        })?;
        let Some(target) = save_as else {
            // Without sys/saveas the processed bytes come back, as for GET.
            return Ok(Response::new(200)
                .header("Content-Type", output.content_type)
                .body(output.bytes));
        };
        let target_bucket = target.bucket.as_deref().unwrap_or(bucket);
        self.store.put(target_bucket, &target.key, &output.bytes)?;
        // OSS echoes `b_` as given: empty when the source bucket was implied.
        let body = format!(
            "{{\"bucket\": {}, \"fileSize\": {}, \"object\": {}, \"status\": \"OK\"}}",
            json_string(target.bucket.as_deref().unwrap_or("")),
            output.bytes.len(),
            json_string(&target.key),
        );
        Ok(Response::new(200)
            .header("Content-Type", "application/json")
            .body(body.into_bytes()))
    }

    /// A synchronous process, its `style/<name>` resolved: answered at once
    /// when it is a document, video or audio action, else left for the
    /// image path.
    fn resolve(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        process: &str,
        request_id: &str,
    ) -> Result<Resolved, OssError> {
        let process = styles::resolve(&self.store, bucket, process)?;
        let answer = imm::answer(
            &self.imm,
            &self.store,
            method,
            bucket,
            key,
            &process,
            request_id,
        )?;
        Ok(match answer {
            Some(answer) => Resolved::Answered(answer),
            None => Resolved::Image(process.into_owned()),
        })
    }

    fn async_process(
        &self,
        request: &Request,
        bucket: &str,
        key: &str,
        request_id: &str,
    ) -> Result<Response, OssError> {
        let process = form_value(&request.body, "x-oss-async-process")?;
        async_process::submit(
            &self.tasks,
            &self.imm,
            &self.store,
            bucket,
            key,
            &process,
            request_id,
        )
    }
}

/// What a synchronous process comes to before the image path.
enum Resolved {
    /// A document, video or audio action, answered.
    Answered(Response),
    /// An image process (a style resolved to its content).
    Image(String),
}

impl server::Handler for Service {
    fn handle(&self, request: &Request) -> Response {
        let started = Instant::now();
        let request_id = self.next_request_id();
        let caught = self
            .faults
            .catch(request, &self.host_id(Some(request)), &request_id);
        let (response, code) = match caught {
            Some(Caught::Answer(response, code)) => (response, code),
            caught => {
                let (mut response, code) = match self.serve(request, &request_id) {
                    Ok(r) => (r, None),
                    Err(e) => (
                        self.error_response(&e, &request_id, Some(request)),
                        Some(e.code.to_string()),
                    ),
                };
                if let Some(Caught::Delay(delay)) = caught {
                    response.delay = Some(delay);
                }
                (response, code)
            }
        };
        let response = self.finish(response, &request_id);
        self.log(
            Some((&request.method, &request.target)),
            &response,
            code.as_deref(),
            &request_id,
            started,
        );
        response
    }

    fn body_limit(&self, method: &str) -> usize {
        match method {
            "PUT" => MAX_PUT_BODY,
            _ => MAX_POST_BODY,
        }
    }

    fn refuse(&self, refusal: &Refusal, line: Option<(&str, &str)>) -> Response {
        let started = Instant::now();
        let request_id = self.next_request_id();
        let invalid =
            |message: String| OssError::new(400, "InvalidRequest", "0016-00000001", message);
        let error = match refusal {
            Refusal::Malformed(what) => invalid(format!("The request is malformed: {what}.")),
            Refusal::HeadTooLarge => invalid(format!(
                "The request head is larger than the emulator's limit of {MAX_HEAD} bytes."
            )),
            Refusal::BodyTooLarge { limit } => OssError::new(
                400,
                "EntityTooLarge",
                "0016-00000010",
                format!("The request body is larger than the emulator's limit of {limit} bytes."),
            ),
            Refusal::Timeout { part, after } => OssError::new(
                400,
                "RequestTimeout",
                "0016-00000002",
                format!(
                    "Your socket connection to the server was not read from or written to within the timeout period: the request {part} did not arrive within {} ms.",
                    after.as_millis()
                ),
            ),
            Refusal::Busy => OssError::new(
                503,
                "ServiceUnavailable",
                "0000-00000002",
                "The emulator has too many open connections and closed this one to make room; retry.",
            ),
            Refusal::Failed => OssError::internal("The emulator failed on this request."),
        };
        let response = self.finish(self.error_response(&error, &request_id, None), &request_id);
        self.log(line, &response, Some(error.code), &request_id, started);
        response
    }
}

/// The value of a `name=value` POST body. SDKs send the value unencoded;
/// one that was percent-encoded anyway (it holds `%`, which a process
/// string never does) is decoded.
fn form_value(body: &[u8], name: &str) -> Result<String, OssError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| OssError::invalid_argument("The request body is not UTF-8."))?;
    let value = text
        .trim_end_matches(['\r', '\n'])
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('='))
        .ok_or_else(|| {
            OssError::invalid_argument(format!("The request body must be {name}=<process>."))
        })?;
    let value = if value.contains('%') {
        percent_decode(value).unwrap_or_else(|| value.to_string())
    } else {
        value.to_string()
    };
    if value.is_empty() {
        return Err(OssError::invalid_argument(format!("{name} is empty.")));
    }
    Ok(value)
}

fn check_content_md5(request: &Request) -> Result<(), OssError> {
    let Some(given) = request.header("content-md5") else {
        return Ok(());
    };
    let actual = Md5::digest(&request.body);
    match base64_std_decode(given) {
        Some(bytes) if bytes.len() == 16 => {
            if bytes[..] == actual[..] {
                Ok(())
            } else {
                Err(OssError::new(
                    400,
                    "InvalidDigest",
                    "0016-00000103",
                    "The Content-MD5 you specified did not match what we received.",
                )
                .with("ContentMD5", given)
                .with("CalculatedMD5", base64_std(&actual)))
            }
        }
        _ => Err(OssError::new(
            400,
            "InvalidDigest",
            "0016-00000102",
            "The Content-MD5 you specified is not valid.",
        )
        .with("ContentMD5", given)),
    }
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_taken_raw_or_decoded() {
        assert_eq!(
            form_value(
                b"x-oss-process=image/resize,w_100|sys/saveas,o_YQ",
                "x-oss-process"
            )
            .unwrap(),
            "image/resize,w_100|sys/saveas,o_YQ"
        );
        assert_eq!(
            form_value(b"x-oss-process=image%2Fresize%2Cw_100", "x-oss-process").unwrap(),
            "image/resize,w_100"
        );
        assert!(form_value(b"process=x", "x-oss-process").is_err());
        assert!(form_value(b"x-oss-process=", "x-oss-process").is_err());
    }
}
