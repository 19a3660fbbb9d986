//! Thumbnails for every key listed in a file: N worker threads share one
//! `Client` (and its connection pool); a live progress line shows done/total,
//! rate and errors; a failed key is reported and the batch goes on; the exit
//! status says whether every key succeeded.
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=...
//! cargo run --release --example batch -- --region cn-hangzhou --bucket photos \
//!     --keys keys.txt --style image/resize,m_lfit,w_256,h_256 \
//!     --target_bucket thumbs --target_prefix 256/ --threads 8
//! ```
//!
//! Each key `k` (one per line; blank lines and `#` comments skipped) is saved
//! as `<target_prefix>k` in the target bucket. `--endpoint` points it
//! elsewhere, e.g. at the local emulator.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oss_process::process::{Process, SaveAs};
use oss_process::{Client, Error};

// A path relative to this file, so the module also resolves when a test
// includes this example with #[path].
#[path = "common/mod.rs"]
mod common;

use common::Flags;

const USAGE: &str = "usage: batch --region REGION --bucket BUCKET --keys FILE --style STYLE \
--target_bucket BUCKET --target_prefix PREFIX [--threads N] [--endpoint ENDPOINT]";

/// The command line.
pub struct Args {
    /// `--region`.
    pub region: String,
    /// `--endpoint`, optional.
    pub endpoint: Option<String>,
    /// `--bucket`: where the source keys are.
    pub bucket: String,
    /// `--keys`: the file listing the keys.
    pub keys: String,
    /// `--style`: the processing, e.g. `image/resize,m_lfit,w_256,h_256`.
    pub style: String,
    /// `--target_bucket`.
    pub target_bucket: String,
    /// `--target_prefix`: prepended to each key to name its thumbnail.
    pub target_prefix: String,
    /// `--threads`.
    pub threads: usize,
}

/// What a batch did.
pub struct Summary {
    /// Keys listed.
    pub total: usize,
    /// The keys that failed, with the error.
    pub failures: Vec<(String, String)>,
}

fn parse_args() -> Result<Args, String> {
    let mut flags = Flags::from_env(USAGE, &[])?;
    let threads = flags.parsed_or("threads", 4usize)?;
    if !(1..=256).contains(&threads) {
        return Err(format!("--threads must be 1 to 256, not {threads}"));
    }
    let args = Args {
        region: flags.required("region")?,
        bucket: flags.required("bucket")?,
        keys: flags.required("keys")?,
        style: flags.required("style")?,
        target_bucket: flags.required("target_bucket")?,
        target_prefix: flags.required("target_prefix")?,
        endpoint: flags.optional("endpoint"),
        threads,
    };
    flags.finish()?;
    Ok(args)
}

fn read_keys(path: &str) -> Result<Vec<String>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open --keys {path}: {e}"))?;
    let mut keys = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| format!("cannot read --keys {path}: {e}"))?;
        let key = line.trim_end_matches('\r');
        if !key.trim().is_empty() && !key.starts_with('#') {
            keys.push(key.to_string());
        }
    }
    Ok(keys)
}

/// Shared counters and the failures, for the progress line and the summary.
struct Progress {
    total: usize,
    done: AtomicUsize,
    failed: AtomicUsize,
    failures: Mutex<Vec<(String, String)>>,
    started: Instant,
}

impl Progress {
    fn line(&self) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        format!(
            "{done}/{} done, {:.1} keys/s, {} errors",
            self.total,
            done as f64 / secs,
            self.failed.load(Ordering::Relaxed)
        )
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let client = match client_from_env(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("batch: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args, &client) {
        Ok(summary) if summary.failures.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("batch: {message}");
            ExitCode::from(2)
        }
    }
}

fn client_from_env(args: &Args) -> Result<Client, Error> {
    let mut builder = Client::builder()
        .region(&args.region)
        .credentials_provider(oss_process::DefaultChain::new()?);
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint);
    }
    builder.build()
}

/// Runs the batch with `client`, printing progress on stderr and a summary
/// on stdout; `Err` only when nothing could start (bad style, unreadable
/// key file).
pub fn run(args: &Args, client: &Client) -> Result<Summary, String> {
    let keys = read_keys(&args.keys)?;
    // Check the style and the targets once, before any request.
    let style = Process::parse(&args.style).map_err(|e| e.to_string())?;
    let process_for = |key: &str| -> Result<Process, Error> {
        style.clone().with_save_as(
            SaveAs::new(format!("{}{key}", args.target_prefix)).bucket(&args.target_bucket),
        )
    };
    if let Some(first) = keys.first() {
        process_for(first).map_err(|e| e.to_string())?;
    }

    let progress = Arc::new(Progress {
        total: keys.len(),
        done: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
        started: Instant::now(),
    });
    let next = AtomicUsize::new(0);
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // The live progress line, redrawn in place on stderr.
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                eprint!("\r{}", progress.line());
                let _ = std::io::stderr().flush();
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        let workers: Vec<_> = (0..args.threads.min(keys.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(key) = keys.get(i) else { break };
                        let outcome = process_for(key)
                            .and_then(|p| client.process_object(&args.bucket, key, &p));
                        if let Err(e) = outcome {
                            progress.failed.fetch_add(1, Ordering::Relaxed);
                            eprintln!("\rfailed: {key}: {e}");
                            progress
                                .failures
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((key.clone(), e.to_string()));
                        }
                        progress.done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
        finished.store(true, Ordering::Relaxed);
    });
    eprintln!("\r{}", progress.line());

    let failures =
        std::mem::take(&mut *progress.failures.lock().unwrap_or_else(|p| p.into_inner()));
    println!(
        "{} keys, {} saved, {} failed in {:.1} s",
        progress.total,
        progress.total - failures.len(),
        failures.len(),
        progress.started.elapsed().as_secs_f64()
    );
    for (key, error) in &failures {
        println!("failed {key}: {error}");
    }
    Ok(Summary {
        total: progress.total,
        failures,
    })
}
