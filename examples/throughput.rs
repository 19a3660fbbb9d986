//! Load generator: `process_object` calls against any endpoint from T
//! threads sharing one `Client`, counting errors and reporting peak memory.
//! The last line is `calls/s <number>` (successful calls per second).
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=...
//! cargo run --release --example throughput -- --endpoint https://oss-cn-hangzhou.aliyuncs.com \
//!     --bucket examplebucket --key example.jpg --calls 1000 --threads 2
//!
//! # Against a local server that checks nothing (e.g. nginx answering 200 JSON):
//! cargo run --release --example throughput -- --endpoint http://127.0.0.1:8080 \
//!     --calls 100000 --threads 1 --dummy-credentials
//! ```
//!
//! Credentials come from the default chain (the `ALIBABA_CLOUD_*` or `OSS_*`
//! variables, a CLI profile, ...); `--dummy-credentials` signs with made-up keys
//! instead, for servers that do not check signatures. Retries are off, so
//! every failed call counts as an error. Peak RSS (`VmHWM`) is printed after
//! 10,000 calls and at the end, to show whether memory grows with the count.

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;

use common::Flags;
use oss_process::{Client, Credentials, Error, NoRetry};

const USAGE: &str = "usage: throughput --endpoint URL [--calls N] [--threads T] [--bucket BUCKET] \
[--key KEY] [--region REGION] [--process PROCESS] [--dummy-credentials]";

/// The call count after which peak memory is reported a first time.
const RSS_CHECKPOINT: u64 = 10_000;

struct Args {
    endpoint: String,
    calls: u64,
    threads: usize,
    bucket: String,
    key: String,
    region: String,
    process: String,
    dummy_credentials: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut flags = Flags::from_env(USAGE, &["dummy-credentials"])?;
    let args = Args {
        endpoint: flags.required("endpoint")?,
        calls: flags.parsed_or("calls", 10_000u64)?,
        threads: flags.parsed_or("threads", 1usize)?,
        bucket: flags
            .optional("bucket")
            .unwrap_or_else(|| "examplebucket".into()),
        key: flags
            .optional("key")
            .unwrap_or_else(|| "example.jpg".into()),
        region: flags
            .optional("region")
            .unwrap_or_else(|| "cn-hangzhou".into()),
        // Resize, then save as example-resized.jpg (URL-safe base64).
        process: flags.optional("process").unwrap_or_else(|| {
            "image/resize,m_fixed,w_100,h_100|sys/saveas,o_ZXhhbXBsZS1yZXNpemVkLmpwZw".into()
        }),
        dummy_credentials: flags.switch("dummy-credentials"),
    };
    flags.finish()?;
    if args.calls == 0 || !(1..=1024).contains(&args.threads) {
        return Err(format!(
            "--calls must be at least 1 and --threads 1 to 1024\n{USAGE}"
        ));
    }
    Ok(args)
}

fn build_client(args: &Args) -> Result<Client, Error> {
    let builder = Client::builder()
        .region(&args.region)
        .endpoint(&args.endpoint)
        .retry_policy(NoRetry);
    let builder = if args.dummy_credentials {
        builder.credentials(Credentials::new(
            "LTAI5tDummyKeyId",
            "DummySecretForServersThatDoNotCheck",
        ))
    } else {
        builder.credentials_provider(oss_process::DefaultChain::new()?)
    };
    builder.build()
}

/// A value of `/proc/self/status` in KiB (`VmHWM`: peak resident memory).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

fn kib(value: Option<u64>) -> String {
    value.map_or_else(|| "unknown".into(), |k| format!("{k} KiB"))
}

fn main() -> ExitCode {
    let setup = parse_args().and_then(|args| match build_client(&args) {
        Ok(client) => Ok((args, client)),
        Err(e) => Err(format!("cannot build the client: {e}")),
    });
    let (args, client) = match setup {
        Ok(ready) => ready,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{} calls of process_object on {} thread(s) to {} ({}/{})",
        args.calls, args.threads, args.endpoint, args.bucket, args.key
    );

    // Threads take call numbers from one counter until all are handed out.
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let checkpoint_rss: Mutex<Option<u64>> = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.threads {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < args.calls {
                    if let Err(e) = client.process_object(&args.bucket, &args.key, &args.process) {
                        errors.fetch_add(1, Ordering::Relaxed);
                        let mut first = first_error.lock().unwrap_or_else(|p| p.into_inner());
                        first.get_or_insert_with(|| e.to_string());
                    }
                    if done.fetch_add(1, Ordering::Relaxed) + 1 == RSS_CHECKPOINT {
                        *checkpoint_rss.lock().unwrap_or_else(|p| p.into_inner()) =
                            status_kib("VmHWM");
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed().max(Duration::from_nanos(1));
    let errors = errors.into_inner();
    let ok = args.calls - errors;
    println!(
        "ok {ok}, errors {errors}, in {:.3} s",
        elapsed.as_secs_f64()
    );
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        println!("first error: {e}");
    }
    if let Some(at_checkpoint) = checkpoint_rss
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
    {
        println!("peak RSS after {RSS_CHECKPOINT} calls: {at_checkpoint} KiB");
    }
    println!(
        "peak RSS after {} calls: {}",
        args.calls,
        kib(status_kib("VmHWM"))
    );
    println!("calls/s {:.0}", ok as f64 / elapsed.as_secs_f64());
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
