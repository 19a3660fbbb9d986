//! Print a presigned URL that serves an object processed on the fly (a
//! thumbnail, a format conversion) to anyone holding it, until it expires.
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=...   # OSS_SESSION_TOKEN for STS
//! cargo run --example presign -- --region cn-hangzhou --bucket examplebucket \
//!     --key example.jpg --style image/resize,w_100 --expires 3600
//! ```
//!
//! The URL is alone on the last line, so `URL=$(cargo run -q --example presign -- ... | tail -n1)`
//! works. `--endpoint` points it elsewhere (e.g. `http://127.0.0.1:9000`).

use std::process::ExitCode;
use std::time::Duration;

mod common;

use common::Flags;
use oss_process::process::Process;
use oss_process::{Client, Error};

const USAGE: &str = "usage: presign --region REGION --bucket BUCKET --key KEY --style STYLE \
[--expires SECONDS (1 to 604800, default 900)] [--endpoint ENDPOINT]";

fn main() -> ExitCode {
    let parsed = Flags::from_env(USAGE, &[]).and_then(|mut flags| {
        let values = Values {
            region: flags.required("region")?,
            bucket: flags.required("bucket")?,
            key: flags.required("key")?,
            style: flags.required("style")?,
            endpoint: flags.optional("endpoint"),
            expires: Duration::from_secs(flags.parsed_or("expires", 900u64)?),
        };
        flags.finish()?;
        Ok(values)
    });
    let values = match parsed {
        Ok(v) => v,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&values) {
        Ok(url) => {
            println!("{url}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            common::print_error("presign failed", &e);
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Values {
    region: String,
    bucket: String,
    key: String,
    style: String,
    endpoint: Option<String>,
    expires: Duration,
}

fn run(values: &Values) -> Result<String, Error> {
    let mut builder = Client::builder()
        .region(&values.region)
        .credentials_provider(oss_process::DefaultChain::new()?);
    if let Some(endpoint) = &values.endpoint {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build()?;
    // Parsing checks the style before anything is signed.
    let process = Process::parse(&values.style)?;
    let presigned =
        client.presign_process(&values.bucket, &values.key, &process, values.expires)?;
    eprintln!("expires in {} s", values.expires.as_secs());
    Ok(presigned.into_url())
}
