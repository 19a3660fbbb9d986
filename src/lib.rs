//! `oss-process`: a blocking Alibaba Cloud OSS client for synchronous image
//! and document processing (`x-oss-process`).
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
pub mod refresh;
pub mod response;
pub mod retry;
pub mod sign;

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
