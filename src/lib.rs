//! `oss-process`: a blocking Alibaba Cloud OSS client for synchronous image
//! and document processing (`x-oss-process`, the official SDKs'
//! `process_object`).
//!
//! - [`Client`] forms each request exactly as the official SDKs do, signs it
//!   with V4 (OSS4-HMAC-SHA256, module [`sign`], which does no I/O), sends it
//!   over one pooled `ureq` agent and blocks until OSS answers.
//! - [`Process`] (module [`process`]) writes and reads process strings with
//!   every image action typed and its documented ranges checked.
//! - [`Error`] is the one error type; service errors keep status, Code,
//!   Message, RequestId, HostId and EC.
//!
//! ```no_run
//! use oss_process::{Client, EnvironmentProvider, Process, Resize, SaveAs};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
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
//! The README has the configuration table, the error table and the image
//! action reference; the `emulator` feature adds a local OSS emulator.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod client;
mod config;
pub mod credentials;
mod download;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod encoding;
mod error;
mod names;
pub mod process;
mod redact;
mod response;
mod retry;
pub mod sign;
mod time;
mod transport;

pub use client::Client;
pub use config::{AddressStyle, ClientBuilder, EndpointKind};
pub use credentials::{
    CachingProvider, Credentials, CredentialsProvider, EcsRamRoleProvider, EnvironmentProvider,
};
pub use download::ProcessedObject;
pub use error::{BoxError, Error, ServiceError};
pub use process::{Process, Resize, SaveAs};
pub use response::{AsyncProcessObjectResult, AverageHue, ImageInfo, ProcessObjectResult};
pub use retry::{NoRetry, RetryPolicy, StandardRetry};
pub use sign::Presigned;

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

    pub fn results(request_id: &str, body: &[u8]) -> [Result<(), Error>; 4] {
        use crate::response::*;
        [
            parse_process_result(200, request_id, body).map(drop),
            parse_async_result(200, request_id, body).map(drop),
            parse_image_info(request_id, body).map(drop),
            parse_average_hue(request_id, body).map(drop),
        ]
    }
}

/// The README's code blocks, compiled and run as doctests (with the
/// `emulator` feature, which one of them uses).
#[cfg(all(doctest, feature = "emulator"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
