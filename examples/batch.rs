//! Thumbnails for a whole prefix (or every key listed in a file): a thin
//! command line over the library's `batch` module. N threads share one
//! `Client`; a live progress line shows done/skipped/failed, rate and ETA;
//! a failed key is reported and the batch goes on; the exit status is 0
//! only when every key succeeded or was skipped.
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=...
//! cargo run --release --example batch -- --region cn-hangzhou --bucket photos \
//!     --prefix 2024/ --style image/resize,m_lfit,w_256,h_256 \
//!     --target_bucket thumbs --target_prefix 256/ --threads 16 \
//!     --journal thumbs.journal --skip_existing --report report.json
//! ```
//!
//! Each key `k` is saved as `<target_prefix>k` in the target bucket.
//! `--keys FILE` reads the keys from a file instead (one per line; blank
//! lines and `#` comments skipped). `--journal` makes a rerun skip what an
//! earlier run finished; `--skip_existing` skips keys whose thumbnail
//! exists; `--max_rps` caps the requests per second of the whole run.
//!
//! Sharded runs: `--shard I/N` runs shard I of N. Without it, inside a
//! Slurm job array (`SLURM_ARRAY_TASK_ID`) or a Kubernetes Indexed Job
//! (`JOB_COMPLETION_INDEX`, with `--shard_count N` or `JOB_COMPLETIONS`)
//! the shard comes from the environment, and the run says which it took.
//! Each shard writes its own journal and report: `{}` in their paths is the
//! shard index, otherwise `.shard-I-of-N` goes before the extension.
//! `--endpoint` points it elsewhere, e.g. at the local emulator.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oss_process::batch::{Batch, Progress, Report, Shard, Template};
use oss_process::process::Process;
use oss_process::{Client, Error};

// A path relative to this file, so the module also resolves when a test
// includes this example with #[path].
#[path = "common/mod.rs"]
mod common;

use common::Flags;

const USAGE: &str = "usage: batch --region REGION --bucket BUCKET (--prefix PREFIX | --keys FILE) \
--style STYLE --target_bucket BUCKET --target_prefix PREFIX [--threads N] [--endpoint ENDPOINT] \
[--skip_existing] [--journal FILE] [--shard I/N | --shard_count N] [--max_rps R] [--report FILE]";

/// The most threads the command line takes.
const MAX_THREADS: usize = 1024;

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum Keys {
    /// `--prefix`: list the bucket.
    Prefix(String),
    /// `--keys`: a file of keys.
    File(PathBuf),
}

/// The command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// `--region`.
    pub region: String,
    /// `--endpoint`, optional.
    pub endpoint: Option<String>,
    /// `--bucket`: where the source keys are.
    pub bucket: String,
    /// `--prefix` or `--keys`.
    pub keys: Keys,
    /// `--style`: the processing, e.g. `image/resize,m_lfit,w_256,h_256`.
    pub style: String,
    /// `--target_bucket`.
    pub target_bucket: String,
    /// `--target_prefix`: prepended to each key to name its thumbnail.
    pub target_prefix: String,
    /// `--threads` (default 4).
    pub threads: usize,
    /// `--skip_existing`.
    pub skip_existing: bool,
    /// `--journal`.
    pub journal: Option<PathBuf>,
    /// `--shard I/N`.
    pub shard: Option<Shard>,
    /// `--shard_count N`: the count of a job array whose environment lacks it.
    pub shard_count: Option<u32>,
    /// `--max_rps`.
    pub max_rps: Option<f64>,
    /// `--report`: where the JSON report goes.
    pub report: Option<PathBuf>,
}

/// Reads the command line (without the program name); every problem is
/// found here, before any request.
pub fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut flags = Flags::parse(argv, USAGE, &["skip_existing"])?;
    let threads = flags.parsed_or("threads", 4usize)?;
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(format!(
            "--threads must be 1 to {MAX_THREADS}, not {threads}"
        ));
    }
    let keys = match (flags.optional("prefix"), flags.optional("keys")) {
        (Some(prefix), None) => Keys::Prefix(prefix),
        (None, Some(file)) => Keys::File(PathBuf::from(file)),
        (Some(_), Some(_)) => return Err(format!("give --prefix or --keys, not both\n{USAGE}")),
        (None, None) => {
            return Err(format!(
                "give --prefix PREFIX (\"\" for the whole bucket) or --keys FILE\n{USAGE}"
            ));
        }
    };
    let shard = flags
        .optional("shard")
        .map(|s| Shard::parse(&s).map_err(|e| format!("--shard: {e}")))
        .transpose()?;
    let shard_count = flags
        .optional("shard_count")
        .map(|n| match n.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "--shard_count must be a count of shards, 1 or more, not {n:?}"
            )),
        })
        .transpose()?;
    if shard.is_some() && shard_count.is_some() {
        return Err("give --shard I/N or --shard_count N, not both".to_string());
    }
    let max_rps = flags
        .optional("max_rps")
        .map(|r| match r.parse::<f64>() {
            Ok(rps) if rps.is_finite() && rps > 0.0 => Ok(rps),
            _ => Err(format!(
                "--max_rps must be a number of requests per second above 0, not {r:?}"
            )),
        })
        .transpose()?;
    let args = Args {
        region: flags.required("region")?,
        bucket: flags.required("bucket")?,
        style: flags.required("style")?,
        target_bucket: flags.required("target_bucket")?,
        target_prefix: flags.required("target_prefix")?,
        endpoint: flags.optional("endpoint"),
        journal: flags.optional("journal").map(PathBuf::from),
        report: flags.optional("report").map(PathBuf::from),
        skip_existing: flags.switch("skip_existing"),
        keys,
        threads,
        shard,
        shard_count,
        max_rps,
    };
    flags.finish()?;
    Ok(args)
}

fn main() -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    ExitCode::from(cli(std::env::args().skip(1), &env))
}

/// The whole program: 0 when every key succeeded or was skipped, 1 when
/// some failed or the run stopped early, 2 when it could not start (bad
/// flags, credentials, style, shard, journal or key file) or its report
/// could not be written.
pub fn cli(argv: impl IntoIterator<Item = String>, env: &dyn Fn(&str) -> Option<String>) -> u8 {
    let args = match parse_args(argv) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let client = match client_from_env(&args) {
        Ok(c) => c,
        Err(e) => {
            common::print_error("batch", &e);
            return 2;
        }
    };
    match run(&args, &client, env) {
        Ok(report) if report.is_success() => 0,
        Ok(_) => 1,
        Err(message) => {
            eprintln!("batch: {message}");
            2
        }
    }
}

fn client_from_env(args: &Args) -> Result<Client, Error> {
    let mut builder = Client::builder()
        .region(&args.region)
        .credentials_provider(oss_process::DefaultChain::new()?)
        // One idle connection per thread: none closed between calls.
        .max_idle_connections(args.threads.max(128))
        .max_idle_connections_per_host(args.threads);
    if let Some(endpoint) = &args.endpoint {
        builder = builder.endpoint(endpoint);
    }
    builder.build()
}

/// The shard to run: `--shard`, else the job array's, else all keys.
fn choose_shard(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
    if let Some(shard) = args.shard {
        return Ok(shard);
    }
    match Shard::from_scheduler(env, args.shard_count).map_err(|e| e.to_string())? {
        Some((shard, said)) => {
            eprintln!("batch: {said}");
            Ok(shard)
        }
        None if args.shard_count.is_some() => Err(
            "--shard_count needs a job array's index (SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); \
             outside one, give --shard I/N"
                .to_string(),
        ),
        None => Ok(Shard::ALL),
    }
}

/// The keys of a `--keys` file, read as the workers take them.
fn key_lines(path: &PathBuf) -> Result<impl Iterator<Item = Result<String, Error>> + Send, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open --keys {}: {e}", path.display()))?;
    Ok(std::io::BufReader::new(file)
        .lines()
        .map(|line| {
            line.map(|l| l.trim_end_matches('\r').to_string())
                .map_err(Error::Io)
        })
        .filter(|line| {
            line.as_ref()
                .map_or(true, |k| !k.trim().is_empty() && !k.starts_with('#'))
        }))
}

/// The live progress line: redrawn in place on a terminal, a line every
/// 10 s otherwise (a scheduler's log).
struct ProgressLine {
    terminal: bool,
    last: Mutex<Option<Instant>>,
}

impl ProgressLine {
    fn show(&self, progress: &Progress) {
        if self.terminal {
            eprint!("\r{progress}\x1b[K");
            let _ = std::io::stderr().flush();
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
            *last = Some(Instant::now());
            eprintln!("{progress}");
        }
    }
}

/// Runs the batch with `client`, printing progress on stderr and a summary
/// on stdout, and writing the JSON report if asked; `Err` when nothing
/// could start (bad style or shard, unreadable key file or journal) or the
/// report could not be written.
pub fn run(
    args: &Args,
    client: &Client,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Report, String> {
    let shard = choose_shard(args, env)?;
    // Check the style once, before any request.
    let style = Process::parse(&args.style).map_err(|e| format!("--style: {e}"))?;
    let template = Template::new(style)
        .target_bucket(&args.target_bucket)
        .target_prefix(&args.target_prefix);
    let line = ProgressLine {
        terminal: std::io::stderr().is_terminal(),
        last: Mutex::new(None),
    };
    let mut batch = Batch::new(client, &args.bucket)
        .template(template)
        .threads(args.threads)
        .shard(shard)
        .skip_existing(args.skip_existing)
        .progress_interval(Duration::from_millis(250))
        .on_progress(|p| line.show(p));
    batch = match &args.keys {
        Keys::Prefix(prefix) => batch.prefix(prefix),
        Keys::File(path) => batch.try_keys(key_lines(path)?),
    };
    if let Some(journal) = &args.journal {
        let path = shard.path_for(journal);
        eprintln!("batch: journal {}", path.display());
        batch = batch.journal(path);
    }
    if let Some(rps) = args.max_rps {
        batch = batch.max_rps(rps);
    }
    let report = batch.run().map_err(|e| e.to_string())?;
    if line.terminal {
        eprintln!();
    }

    println!(
        "shard {}: {} keys listed, {} done, {} skipped ({} in the journal, {} existing), {} failed, {} for other shards, {} ignored, in {:.2} s{}",
        report.shard(),
        report.listed(),
        report.done(),
        report.journaled() + report.existing(),
        report.journaled(),
        report.existing(),
        report.failed(),
        report.other_shards(),
        report.ignored(),
        report.elapsed().as_secs_f64(),
        if report.throttled() > 0 {
            format!(", throttled {} times", report.throttled())
        } else {
            String::new()
        }
    );
    for failure in report.failures() {
        println!(
            "failed {}: {} (request id {})",
            failure.key(),
            failure.code().unwrap_or("-"),
            failure.request_id().unwrap_or("-")
        );
    }
    if let Some(error) = report.source_error() {
        println!("stopped early: the keys could not be read: {error}");
    }
    if let Some(error) = report.journal_error() {
        println!("stopped early: {error}");
    }
    if report.cancelled() {
        println!("stopped early: cancelled");
    }
    if let Some(path) = &args.report {
        let path = shard.path_for(path);
        std::fs::write(&path, report.to_json())
            .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
        eprintln!("batch: report {}", path.display());
    }
    Ok(report)
}
