//! `oss-process`: a blocking Alibaba Cloud OSS client for synchronous image
//! and document processing (`x-oss-process`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod credentials;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod encoding;
pub mod error;
pub mod process;
pub mod sign;

pub use credentials::{Credentials, CredentialsProvider, EnvironmentProvider, StaticProvider};
pub use error::{Error, ServiceError};
pub use process::{ImageAction, Pipeline, Process, Resize, ResizeMode, SaveAs};
