//! The crate's one error type, [`Error`], and the parts of a service error.
//!
//! Every failure a caller can see is a variant of [`Error`]: bad input found
//! before any I/O, missing or malformed credentials, transport failures and
//! timeouts, errors answered by OSS (with status, Code, Message, RequestId,
//! HostId and EC kept), and answers that could not be decoded. None of them
//! ever carries an access key secret or STS token in its text.

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
    InvalidArgument {
        /// What was rejected, e.g. `bucket`, `resize.w`, `endpoint`.
        name: String,
        /// Why, naming the allowed values.
        message: String,
    },
    /// Credentials are missing or malformed, or a provider failed to give them.
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
    Transport {
        /// What was being attempted, e.g. `POST https://bucket.host/key`.
        target: String,
        /// The underlying I/O or HTTP error.
        source: BoxError,
    },
    /// A connect, read or write timeout fired.
    Timeout {
        /// What was being attempted, e.g. `POST https://bucket.host/key`.
        target: String,
        /// The underlying timeout error.
        source: BoxError,
    },
    /// A 2xx answer whose body is not what the operation returns.
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
    /// own, or an I/O read that timed out) is [`Error::Timeout`], anything
    /// else [`Error::Transport`]. The one place that draws this line.
    pub(crate) fn from_ureq(target: String, e: ureq::Error) -> Self {
        match e {
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

    /// Builds an [`Error::Credentials`] without a source.
    pub(crate) fn credentials(message: impl Into<String>) -> Self {
        Error::Credentials {
            message: message.into(),
            source: None,
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
            Error::Decode { request_id, .. } => request_id.as_deref(),
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { name, message } => write!(f, "invalid {name}: {message}"),
            Error::Credentials { message, .. } => write!(f, "credentials: {message}"),
            Error::Service(e) => fmt::Display::fmt(e, f),
            Error::Transport { target, source } => {
                write!(f, "transport error on {target}: {source}")
            }
            Error::Timeout { target, source } => write!(f, "timed out on {target}: {source}"),
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
            Error::Io(e) => write!(f, "writing the processed bytes failed: {e}"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Credentials { source, .. } | Error::Decode { source, .. } => {
                source.as_deref().map(|e| e as &(dyn StdError + 'static))
            }
            Error::Transport { source, .. } | Error::Timeout { source, .. } => {
                Some(source.as_ref() as &(dyn StdError + 'static))
            }
            Error::Io(e) => Some(e),
            Error::Service(_) | Error::InvalidArgument { .. } => None,
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
