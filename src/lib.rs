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
#![warn(missing_docs)]

pub mod client;
pub mod config;
pub mod credentials;
pub mod download;
pub mod ecs_role;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod encoding;
pub mod error;
pub mod names;
pub mod process;
mod redact;
pub mod refresh;
pub mod response;
pub mod retry;
pub mod sign;
mod time;

pub use crate::{ecs_role::EcsRamRoleProvider, refresh::CachingProvider};
pub use client::Client;
pub use config::{AddressStyle, ClientBuilder, EndpointKind};
pub use credentials::{Credentials, CredentialsProvider, EnvironmentProvider, StaticProvider};
pub use download::ProcessedObject;
pub use error::{Error, ServiceError};
pub use process::{ImageAction, Pipeline, Process, Resize, ResizeMode, SaveAs};
pub use response::{AsyncProcessObjectResult, AverageHue, ImageInfo, ProcessObjectResult};
pub use retry::{NoRetry, RetryPolicy, StandardRetry};
pub use sign::Presigned;

/// The README's code blocks, compiled and run as doctests (with the
/// `emulator` feature, which one of them uses).
#[cfg(all(doctest, feature = "emulator"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
