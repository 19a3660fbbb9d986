//! Resize an object on the server and save the result: the Rust twin of the
//! official Python SDK V2 sample `process_object.py`, with the same flags.
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=...   # OSS_SESSION_TOKEN for STS
//! cargo run --example process_object -- --region cn-hangzhou --bucket examplebucket \
//!     --key example.jpg --style image/resize,m_fixed,w_100,h_100 \
//!     --target_image example-resized.jpg --target_bucket examplebucket
//! ```
//!
//! `--endpoint` (optional) points it elsewhere, e.g. `http://127.0.0.1:9000`
//! for the local emulator.

use std::process::ExitCode;

use oss_process::process::{Process, SaveAs};
use oss_process::{Client, EnvironmentProvider, Error};

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
    let mut values = std::collections::HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let name = match flag.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            f => f
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {f:?}\n{USAGE}"))?
                .to_string(),
        };
        let (name, value) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => {
                let v = it
                    .next()
                    .ok_or_else(|| format!("--{name} needs a value\n{USAGE}"))?;
                (name, v)
            }
        };
        values.insert(name, value);
    }
    let mut take = |name: &str| values.remove(name);
    let mut required =
        |name: &str| take(name).ok_or_else(|| format!("--{name} is required\n{USAGE}"));
    let args = Args {
        region: required("region")?,
        bucket: required("bucket")?,
        key: required("key")?,
        style: required("style")?,
        target_image: required("target_image")?,
        target_bucket: required("target_bucket")?,
        endpoint: take("endpoint"),
    };
    if let Some(extra) = values.keys().next() {
        return Err(format!("unknown flag --{extra}\n{USAGE}"));
    }
    Ok(args)
}

fn run(args: &Args) -> Result<(), Error> {
    let mut builder = Client::builder()
        .region(&args.region)
        .credentials_provider(EnvironmentProvider::new()?);
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
            eprintln!("process_object failed: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}
