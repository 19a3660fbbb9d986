//! Runs the local OSS emulator in the foreground, so any OSS client (this
//! crate, the official SDKs, curl with a presigned URL) can be pointed at it.
//!
//! ```text
//! export OSS_ACCESS_KEY_ID=test-id OSS_ACCESS_KEY_SECRET=test-secret   # OSS_SESSION_TOKEN for STS
//! mkdir -p /tmp/oss-root/examplebucket && cp photo.jpg /tmp/oss-root/examplebucket/
//! cargo run --example emulator --features emulator -- --addr 127.0.0.1:9000 --root /tmp/oss-root
//! ```
//!
//! It prints `listening on http://127.0.0.1:9000` once ready, then one line
//! per request: method, target, status, request id (and the error code).
//! Buckets are the directories under `--root`. Stop it with Ctrl-C.
//!
//! With `--notify_log FILE`, every notification an asynchronous task
//! publishes (e.g. the text an `image/deblindwatermark` task read) is
//! appended to FILE as one line: the message body as an MNS subscriber
//! receives it (JSON; its `content` is the task's fields as a JSON string,
//! with `TaskId`, `Status` and, for a decode, `Content`). A script in any
//! language waits for its task by reading the file for its `TaskId`.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

mod common;

use common::Flags;
use oss_process::EnvironmentProvider;
use oss_process::emulator::{DEFAULT_REGION, Emulator};

const USAGE: &str = "usage: emulator --root DIR [--addr 127.0.0.1:PORT] [--region REGION] [--threads N] [--notify_log FILE]
credentials: OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN for STS)";

struct Args {
    addr: SocketAddr,
    root: PathBuf,
    region: String,
    threads: usize,
    notify_log: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut flags = Flags::from_env(USAGE, &[])?;
    let args = Args {
        addr: flags.parsed_or("addr", SocketAddr::from(([127, 0, 0, 1], 9000)))?,
        root: PathBuf::from(flags.required("root")?),
        region: flags
            .optional("region")
            .unwrap_or_else(|| DEFAULT_REGION.to_string()),
        threads: flags.parsed_or("threads", 8)?,
        notify_log: flags.optional("notify_log").map(PathBuf::from),
    };
    flags.finish()?;
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let credentials = match EnvironmentProvider::new() {
        Ok(p) => p.get().clone(),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Emulator::builder();
    if let Some(path) = &args.notify_log {
        let file = OpenOptions::new().create(true).append(true).open(path);
        let file = match file {
            Ok(f) => Mutex::new(f),
            Err(e) => {
                eprintln!("cannot open --notify_log {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        builder = builder.on_notification(move |message| {
            // One write per line, so a reader never sees half a message.
            let line = format!("{}\n", message.body());
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.flush()) {
                eprintln!("--notify_log: {e}");
            }
        });
    }
    let started = builder
        .root(&args.root)
        .credentials(credentials)
        .region(&args.region)
        .bind(args.addr)
        .threads(args.threads)
        .on_request(|log| {
            println!("{log}");
            let _ = std::io::stdout().flush();
        })
        .start();
    let emulator = match started {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot start the emulator on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", emulator.endpoint());
    let _ = std::io::stdout().flush();
    eprintln!(
        "serving {} (buckets are its directories), region {}",
        emulator.root().display(),
        emulator.region()
    );
    emulator.wait();
    ExitCode::SUCCESS
}
