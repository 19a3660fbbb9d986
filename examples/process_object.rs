//! Resize an object on the server and save the result: the Rust twin of the
//! official Python SDK V2 sample `process_object.py`, with the same flags.
//!
//! ```text
//! export ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=...
//! cargo run --example process_object -- --region cn-hangzhou --bucket examplebucket \
//!     --key example.jpg --style image/resize,m_fixed,w_100,h_100 \
//!     --target_image example-resized.jpg --target_bucket examplebucket
//! ```
//!
//! Credentials come from the default chain, as the official SDKs find them:
//! the `ALIBABA_CLOUD_*` (or `OSS_*`) variables, an RRSA OIDC role,
//! `~/.aliyun/config.json`, `~/.alibabacloud/credentials`, the ECS RAM role
//! or `ALIBABA_CLOUD_CREDENTIALS_URI` (see `examples/default_chain.rs`).
//! `--endpoint` (optional) points it elsewhere, e.g. `http://127.0.0.1:9000`
//! for the local emulator.

use std::process::ExitCode;

mod common;

use common::Flags;

use oss_process::credentials::DefaultChain;
use oss_process::process::{Process, SaveAs};
use oss_process::{Client, Error};

const USAGE: &str = "usage: process_object --region REGION --bucket BUCKET [--endpoint ENDPOINT] \
--key KEY --style STYLE --target_image KEY --target_bucket BUCKET";

struct Args {
    region: String,
    bucket: String,
    endpoint: Option<String>,
    key: String,
    style: String,
    target_image: String,
    target_bucket: String,
}

fn parse_args() -> Result<Args, String> {
    let mut flags = Flags::from_env(USAGE, &[])?;
    let args = Args {
        region: flags.required("region")?,
        bucket: flags.required("bucket")?,
        key: flags.required("key")?,
        style: flags.required("style")?,
        target_image: flags.required("target_image")?,
        target_bucket: flags.required("target_bucket")?,
        endpoint: flags.optional("endpoint"),
    };
    flags.finish()?;
    Ok(args)
}

fn run(args: &Args) -> Result<(), Error> {
    let mut builder = Client::builder()
        .region(&args.region)
        .credentials_provider(DefaultChain::new()?);
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build()?;

    // The style (e.g. image/resize,m_fixed,w_100,h_100) followed by the save
    // step; the builder writes the target names in URL-safe base64, as the
    // service requires, and checks everything before any request.
    let process = Process::parse(&args.style)?
        .with_save_as(SaveAs::new(&args.target_image).bucket(&args.target_bucket))?;
    let result = client.process_object(&args.bucket, &args.key, &process)?;
    println!(
        "status code: {}, request id: {}, bucket: {}, file size: {}, key: {}, process status: {}",
        result.status_code(),
        result.request_id(),
        result.bucket(),
        result.file_size(),
        result.key(),
        result.process_status(),
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            common::print_error("process_object failed", &e);
            ExitCode::FAILURE
        }
    }
}
