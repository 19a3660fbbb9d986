//! The crate's one error type, [`Error`], and the parts of a service error.
//!
//! Every failure a caller can see is a variant of [`Error`]: bad input found
//! before any I/O, missing or malformed credentials, transport failures and
//! timeouts, errors answered by OSS (with status, Code, Message, RequestId,
//! HostId and EC kept), and answers that could not be decoded. None of them
//! ever carries an access key secret or STS token in its text.
//!
//! Each error's `Display` says what failed, once; the cause (an I/O error, a
//! TLS error, a JSON syntax error) is its [`source`](std::error::Error::source),
//! so a report that walks the chain says each thing once:
//!
//! ```
//! use std::error::Error as _;
//!
//! fn report(error: &oss_process::Error) -> String {
//!     let mut text = error.to_string();
//!     let mut cause = error.source();
//!     while let Some(inner) = cause {
//!         text.push_str(": ");
//!         text.push_str(&inner.to_string());
//!         cause = inner.source();
//!     }
//!     text
//! }
//! # let e = oss_process::Client::builder().build().unwrap_err();
//! # assert!(report(&e).starts_with("invalid region"));
//! ```

use std::error::Error as StdError;
use std::fmt;

/// A boxed error used as the `source()` of an [`Error`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Everything that can go wrong in this crate.
///
/// The enum is `#[non_exhaustive]`: match the variants you handle and keep a
/// wildcard arm. [`Error::source`](std::error::Error::source) gives the
/// underlying cause where there is one.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before any I/O: a bucket name, an object key,
    /// a region, an endpoint, a processing parameter, a presign expiry.
    #[non_exhaustive]
    InvalidArgument {
        /// What was rejected, e.g. `bucket`, `resize.w`, `endpoint`.
        name: String,
        /// Why, naming the allowed values.
        message: String,
    },
    /// Credentials are missing or malformed, or a provider failed to give them.
    #[non_exhaustive]
    Credentials {
        /// What is wrong (never the secret itself).
        message: String,
        /// The provider's underlying error, if any.
        source: Option<BoxError>,
    },
    /// OSS (or something answering in its place) returned a non-2xx status.
    Service(Box<ServiceError>),
    /// The connection could not be made, or broke while the request or the
    /// response was in flight.
    #[non_exhaustive]
    Transport {
        /// What was being attempted, e.g. `POST https://bucket.host/key`.
        target: String,
        /// The underlying I/O or HTTP error.
        source: BoxError,
    },
    /// A TLS handshake failed: most often the server's certificate was not
    /// accepted (an intercepting proxy, a private CA not added with
    /// [`ClientBuilder::root_certificates`](crate::ClientBuilder)). Never
    /// retried: another attempt cannot mend it.
    #[non_exhaustive]
    Tls {
        /// What was being attempted, e.g. `POST https://bucket.host/key`.
        target: String,
        /// The TLS library's error, which says why.
        source: BoxError,
    },
    /// A deadline passed: connecting, sending, waiting for the answer,
    /// reading its body, or the whole call.
    #[non_exhaustive]
    Timeout {
        /// What was being attempted, e.g. `POST https://bucket.host/key`.
        target: String,
        /// The underlying timeout error.
        source: BoxError,
    },
    /// An asynchronous processing request was sent, but no answer says
    /// whether OSS queued the task (the connection broke or timed out after
    /// the request went out). It is not retried, since a second request
    /// would queue (and bill) a second task: check for the task (its
    /// notification, or the target object) before sending it again.
    #[non_exhaustive]
    TaskMayBeQueued {
        /// The request, e.g. `POST https://bucket.host/key?x-oss-async-process`.
        target: String,
        /// What went wrong after the request was sent.
        source: BoxError,
    },
    /// An answer body is larger than the configured cap (results and errors:
    /// [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body);
    /// processed downloads:
    /// [`ClientBuilder::max_download_size`](crate::ClientBuilder::max_download_size)).
    #[non_exhaustive]
    ResponseTooLarge {
        /// The request, e.g. `GET https://bucket.host/key?x-oss-process=...`.
        target: String,
        /// The cap, in bytes.
        limit: u64,
        /// The `x-oss-request-id` of the answer, if it had one.
        request_id: Option<String>,
    },
    /// A 2xx answer whose body is not what the operation returns.
    #[non_exhaustive]
    Decode {
        /// What could not be decoded.
        message: String,
        /// The `x-oss-request-id` of the answer, if it had one.
        request_id: Option<String>,
        /// The parser's error, if any.
        source: Option<BoxError>,
    },
    /// Writing processed bytes to the caller's sink failed.
    Io(std::io::Error),
}

impl Error {
    /// Builds an [`Error::InvalidArgument`].
    pub(crate) fn invalid(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            message: message.into(),
        }
    }

    /// Classifies a failure of the HTTP layer on `target`: a timeout (ureq's
    /// own, or an I/O read that timed out) is [`Error::Timeout`], a TLS
    /// failure [`Error::Tls`], anything else [`Error::Transport`]. The one
    /// place that draws this line.
    pub(crate) fn from_ureq(target: String, e: ureq::Error) -> Self {
        match e {
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => Error::Tls {
                target,
                source: Box::new(e),
            },
            ureq::Error::Io(io)
                if io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
            {
                Error::Tls {
                    target,
                    source: Box::new(io),
                }
            }
            ureq::Error::Timeout(_) => Error::Timeout {
                target,
                source: Box::new(e),
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::Timeout {
                target,
                source: Box::new(io),
            },
            other => Error::Transport {
                target,
                source: Box::new(other),
            },
        }
    }

    /// An [`Error::Credentials`], for [`CredentialsProvider`](crate::CredentialsProvider)
    /// implementations: `message` says what is wrong (never the secret).
    ///
    /// ```
    /// use oss_process::{Credentials, Error};
    ///
    /// let provider = || -> Result<Credentials, Error> {
    ///     Err(Error::credentials("the vault is sealed"))
    /// };
    /// let client = oss_process::Client::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials_provider(provider)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn credentials(message: impl Into<String>) -> Self {
        Error::Credentials {
            message: message.into(),
            source: None,
        }
    }

    /// An [`Error::Credentials`] with its cause, for providers that wrap
    /// another library's error.
    pub fn credentials_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Credentials {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The OSS error code (`SignatureDoesNotMatch`, `NoSuchKey`, ...), if this
    /// is a service error.
    pub fn code(&self) -> Option<&str> {
        self.as_service().map(|e| e.code.as_str())
    }

    /// The request id of the answer, for a service or decode error.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => Some(e.request_id.as_str()).filter(|s| !s.is_empty()),
            Error::Decode { request_id, .. } | Error::ResponseTooLarge { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status, for a service error.
    pub fn status(&self) -> Option<u16> {
        self.as_service().map(|e| e.status)
    }

    /// True for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether another attempt may succeed, as the official SDKs' standard
    /// retryer judges it: server faults (5xx), throttling (408, 429), clock
    /// skew (`RequestTimeTooSkewed`), timeouts and broken connections are
    /// transient; bad input, credentials, other 4xx, TLS certificate and URL
    /// errors are not. [`StandardRetry`](crate::StandardRetry) retries
    /// exactly these; a custom [`RetryPolicy`](crate::RetryPolicy) can start
    /// from it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_process::{Error, RetryPolicy};
    ///
    /// /// Retries transient failures for up to 10 attempts, 1 s apart.
    /// #[derive(Debug)]
    /// struct Patient;
    ///
    /// impl RetryPolicy for Patient {
    ///     fn attempts(&self) -> u32 {
    ///         10
    ///     }
    ///     fn is_retryable(&self, error: &Error, _attempt: u32) -> bool {
    ///         error.is_transient()
    ///     }
    ///     fn backoff(&self, _retry: u32) -> Duration {
    ///         Duration::from_secs(1)
    ///     }
    /// }
    /// ```
    pub fn is_transient(&self) -> bool {
        crate::retry::is_transient(self)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { name, message } => write!(f, "invalid {name}: {message}"),
            Error::Credentials { message, .. } => write!(f, "credentials: {message}"),
            Error::Service(e) => fmt::Display::fmt(e, f),
            Error::Transport { target, .. } => write!(f, "transport error on {target}"),
            Error::Tls { target, .. } => write!(f, "TLS handshake failed on {target}"),
            Error::Timeout { target, .. } => write!(f, "timed out on {target}"),
            Error::TaskMayBeQueued { target, .. } => write!(
                f,
                "the async task may have been queued: {target} was sent but no answer said so; it is not sent again (check for the task before retrying)"
            ),
            Error::ResponseTooLarge {
                target,
                limit,
                request_id,
            } => {
                write!(
                    f,
                    "the answer to {target} is larger than the {limit}-byte cap"
                )?;
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Decode {
                message,
                request_id,
                ..
            } => {
                write!(f, "could not decode the answer: {message}")?;
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Io(_) => write!(f, "writing the processed bytes failed"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Credentials { source, .. } | Error::Decode { source, .. } => {
                source.as_deref().map(|e| e as &(dyn StdError + 'static))
            }
            Error::Transport { source, .. }
            | Error::Tls { source, .. }
            | Error::Timeout { source, .. }
            | Error::TaskMayBeQueued { source, .. } => {
                Some(source.as_ref() as &(dyn StdError + 'static))
            }
            Error::Io(e) => Some(e),
            Error::Service(_) | Error::InvalidArgument { .. } | Error::ResponseTooLarge { .. } => {
                None
            }
        }
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(Box::new(e))
    }
}

/// An error answered by OSS: a non-2xx status with its body parsed.
///
/// Fields the answer did not carry are empty strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status, e.g. 403.
    pub status: u16,
    /// OSS error code, e.g. `SignatureDoesNotMatch`; `BadErrorResponse` when
    /// the body could not be parsed.
    pub code: String,
    /// Human-readable message from OSS.
    pub message: String,
    /// Request id (`RequestId` in the body, else the `x-oss-request-id` header).
    pub request_id: String,
    /// `HostId` from the body.
    pub host_id: String,
    /// Error code detail `EC` (body, else the `x-oss-ec` header), e.g. `0002-00000040`.
    pub ec: String,
    /// `RecommendDoc` link from the body, if any.
    pub recommend_doc: String,
    /// The request that failed, e.g. `POST http://bucket.host/key?x-oss-process`.
    pub target: String,
    /// The `Date` header of the answer, as sent.
    pub date: String,
    /// The `Retry-After` of a 429 or 503 answer (seconds, or an HTTP date
    /// turned into the time from the answer's arrival), when it had one.
    pub retry_after: Option<std::time::Duration>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OSS error {} {}: {}",
            self.status,
            if self.code.is_empty() {
                "(no code)"
            } else {
                &self.code
            },
            self.message
        )?;
        if !self.request_id.is_empty() {
            write!(f, " (request id {}", self.request_id)?;
            if !self.ec.is_empty() {
                write!(f, ", EC {}", self.ec)?;
            }
            write!(f, ")")?;
        } else if !self.ec.is_empty() {
            write!(f, " (EC {})", self.ec)?;
        }
        if !self.target.is_empty() {
            write!(f, " on {}", self.target)?;
        }
        Ok(())
    }
}

impl StdError for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_display_names_code_request_id_and_target() {
        let e = Error::from(ServiceError {
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "The request signature we calculated does not match".into(),
            request_id: "5C3D9175B6FC201293AD4890".into(),
            ec: "0002-00000040".into(),
            target: "POST http://b.host/k?x-oss-process".into(),
            ..Default::default()
        });
        let text = e.to_string();
        assert!(text.contains("403 SignatureDoesNotMatch"), "{text}");
        assert!(
            text.contains("request id 5C3D9175B6FC201293AD4890"),
            "{text}"
        );
        assert!(text.contains("EC 0002-00000040"), "{text}");
        assert!(
            text.ends_with("on POST http://b.host/k?x-oss-process"),
            "{text}"
        );
        assert_eq!(e.code(), Some("SignatureDoesNotMatch"));
        assert_eq!(e.request_id(), Some("5C3D9175B6FC201293AD4890"));
        assert_eq!(e.status(), Some(403));
    }

    #[test]
    fn transport_error_chains_its_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::Transport {
            target: "POST http://127.0.0.1:1/k".into(),
            source: Box::new(io),
        };
        let src = e.source().expect("source");
        assert_eq!(src.to_string(), "refused");
        assert!(!e.is_timeout());
    }
}
