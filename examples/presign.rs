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

use oss_process::process::Process;
use oss_process::{Client, EnvironmentProvider, Error};

const USAGE: &str = "usage: presign --region REGION --bucket BUCKET --key KEY --style STYLE \
[--expires SECONDS (1 to 604800, default 900)] [--endpoint ENDPOINT]";

fn main() -> ExitCode {
    let mut values = std::collections::HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let Some(name) = flag.strip_prefix("--").filter(|_| flag != "--help") else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        };
        let Some(value) = it.next() else {
            eprintln!("--{name} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        values.insert(name.to_string(), value);
    }
    for name in ["region", "bucket", "key", "style"] {
        if !values.contains_key(name) {
            eprintln!("--{name} is required\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let expires = match values.get("expires").map(|s| s.parse::<u64>()) {
        None => 900,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("--expires takes whole seconds, 1 to 604800\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&values, Duration::from_secs(expires)) {
        Ok(url) => {
            println!("{url}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("presign failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    values: &std::collections::HashMap<String, String>,
    expires: Duration,
) -> Result<String, Error> {
    let mut builder = Client::builder()
        .region(&values["region"])
        .credentials_provider(EnvironmentProvider::new()?);
    if let Some(endpoint) = values.get("endpoint") {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build()?;
    // Parsing checks the style before anything is signed.
    let process = Process::parse(&values["style"])?;
    let presigned = client.presign_process(&values["bucket"], &values["key"], &process, expires)?;
    eprintln!("expires in {} s", expires.as_secs());
    Ok(presigned.url)
}
