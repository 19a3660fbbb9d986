//! The documentation's own scenario, end to end: hide a text in a photo with
//! `image/blindwatermark` (synchronous: `process_object` with `sys/saveas`),
//! then read it back with an `image/deblindwatermark` task
//! (`async_process_object` with `sys/notify`), whose notification message
//! carries the text.
//!
//! On the local emulator (the default; no account needed):
//!
//! ```text
//! cargo run --example blind_watermark --features emulator
//! cargo run --example blind_watermark --features emulator -- --text "id-42" --photo my.jpg --strength medium
//! ```
//!
//! Against a live bucket (an IMM project bound to it, an SMQ/MNS topic in
//! the same region, a queue subscribed to it), credentials from the
//! default chain (environment, profile, ECS role, ...):
//!
//! ```text
//! cargo run --example blind_watermark --features emulator -- --region cn-hangzhou \
//!     --bucket examplebucket --key photo.jpg --topic imm-blindwatermark-test \
//!     [--endpoint URL] [--text TEXT] [--notify_log FILE --wait SECS]
//! ```
//!
//! Live, the decoded text arrives in the message your queue receives: hand
//! its body to `oss_process::TaskNotification::parse`. Given
//! `--notify_log FILE` (a file your queue reader appends message bodies to,
//! one per line, as the emulator example's `--notify_log` does), the
//! example waits for its task's line and prints the text; otherwise it
//! prints the task id to look for.

use std::error::Error as StdError;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use oss_process::emulator::{Emulator, watermark};
use oss_process::process::{BlindStrength, BlindWatermark, DeBlindWatermark, Process, SaveAs};
use oss_process::{
    AsyncProcessObjectResult, Client, Credentials, ProcessObjectResult, TaskNotification,
};

// A path relative to this file, so the module also resolves when a test
// includes this example with #[path].
#[path = "common/mod.rs"]
mod common;

use common::Flags;

const USAGE: &str =
    "usage: blind_watermark [--text TEXT] [--strength low|medium|high] [--photo FILE]
       blind_watermark --region REGION --bucket BUCKET --key KEY --topic TOPIC
                       [--endpoint URL] [--text TEXT] [--strength S] [--notify_log FILE --wait SECS]
Without --bucket it runs on a local emulator. Live credentials come from the default chain.";

/// The documentation's example text (\"Alibaba Cloud, all rights reserved\").
pub const DEFAULT_TEXT: &str = "阿里云版权所有";

/// What to mark and where.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The bucket holding the photo.
    pub bucket: String,
    /// The photo's key.
    pub key: String,
    /// Where the marked copy is saved (same bucket).
    pub marked_key: String,
    /// The hidden text.
    pub text: String,
    /// The embedding strength, also used to decode.
    pub strength: BlindStrength,
    /// The notify topic of the decode task.
    pub topic: String,
}

/// What the scenario did.
#[derive(Debug)]
pub struct Outcome {
    /// The embed's answer (where the marked copy was saved).
    pub saved: ProcessObjectResult,
    /// The decode task's answer (its ids).
    pub task: AsyncProcessObjectResult,
    /// The task's notification, when it arrived.
    pub notification: Option<TaskNotification>,
    /// PSNR of the saved copy against the photo, mark and JPEG
    /// re-encoding together (emulator runs only).
    pub psnr: Option<f64>,
}

/// Embeds the text (saved as `marked_key`) and submits the decode task.
pub fn embed_and_submit(
    client: &Client,
    s: &Scenario,
) -> Result<(ProcessObjectResult, AsyncProcessObjectResult), Box<dyn StdError>> {
    let embed = Process::image()
        .blind_watermark(BlindWatermark::new(&s.text).strength(s.strength))
        .save_as(SaveAs::new(&s.marked_key))
        .build()?;
    println!("embed:  {embed}");
    let saved = client.process_object(&s.bucket, &s.key, &embed)?;
    println!(
        "saved:  {} ({} bytes, request {})",
        saved.key(),
        saved.file_size(),
        saved.request_id()
    );
    let decode = Process::deblind_watermark(DeBlindWatermark::new().strength(s.strength))
        .notify_topic(&s.topic)
        .build()?;
    println!("decode: {decode}");
    let task = client.async_process_object(&s.bucket, &s.marked_key, &decode)?;
    println!(
        "task:   {} (event {}, request {})",
        task.task_id(),
        task.event_id(),
        task.process_request_id()
    );
    Ok((saved, task))
}

/// The whole scenario on a fresh local emulator, `photo` being the
/// encoded source image.
pub fn run_on_emulator(
    s: &Scenario,
    photo: &[u8],
    wait: Duration,
) -> Result<Outcome, Box<dyn StdError>> {
    let credentials = Credentials::new("emulator-id", "emulator-secret");
    let emulator = Emulator::builder()
        .credentials(credentials.clone())
        .start()?;
    emulator.put_object(&s.bucket, &s.key, photo)?;
    println!("emulator at {}", emulator.endpoint());
    let client = Client::builder()
        .region(emulator.region())
        .endpoint(emulator.endpoint())
        .credentials(credentials)
        .build()?;
    let (saved, task) = embed_and_submit(&client, s)?;
    let message = emulator
        .wait_for_task(task.task_id(), wait)
        .ok_or("the decode task did not end in time")?;
    println!(
        "message on topic {:?}: {}",
        message.topic().unwrap_or(""),
        message.body()
    );
    let marked = std::fs::read(emulator.object_path(&s.bucket, &s.marked_key)?)?;
    let psnr = watermark::psnr(
        &image::load_from_memory(photo)?,
        &image::load_from_memory(&marked)?,
    );
    Ok(Outcome {
        saved,
        task,
        notification: Some(message.notification().clone()),
        psnr,
    })
}

/// Waits up to `wait` for a line of `log` that is the notification of
/// `task_id` (lines that are not notifications are skipped).
pub fn wait_in_log(
    log: &PathBuf,
    task_id: &str,
    wait: Duration,
) -> Result<Option<TaskNotification>, Box<dyn StdError>> {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(log) {
            let found = text
                .lines()
                .filter_map(|line| TaskNotification::parse(line).ok())
                .find(|n| n.task_id() == task_id);
            if found.is_some() {
                return Ok(found);
            }
        }
        if started.elapsed() >= wait {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn report(outcome: &Outcome, text: &str) -> ExitCode {
    if let Some(psnr) = outcome.psnr {
        println!(
            "PSNR of the saved copy against the photo (the mark, then JPEG at the default q_90): {psnr:.2} dB"
        );
    }
    let Some(n) = &outcome.notification else {
        println!(
            "no message yet: look for TaskId {} in the queue subscribed to the topic",
            outcome.task.task_id()
        );
        return ExitCode::SUCCESS;
    };
    if !n.succeeded() {
        eprintln!("the task {}: {} {}", n.status(), n.code(), n.message());
        return ExitCode::FAILURE;
    }
    let found = n.decoded_text().unwrap_or("");
    println!("recovered text: {found}");
    if found == text {
        println!("it matches the embedded text");
        ExitCode::SUCCESS
    } else {
        eprintln!("it differs from the embedded text {text:?}");
        ExitCode::FAILURE
    }
}

fn strength(name: &str) -> Result<BlindStrength, String> {
    name.parse().map_err(|e| format!("--strength: {e}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            common::print_error("blind_watermark", e.as_ref());
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, Box<dyn StdError>> {
    let mut flags = Flags::from_env(USAGE, &[])?;
    let text = flags
        .optional("text")
        .unwrap_or_else(|| DEFAULT_TEXT.to_string());
    let strength = strength(&flags.optional("strength").unwrap_or_else(|| "low".into()))?;
    let wait = Duration::from_secs(flags.parsed_or("wait", 120u64)?);
    let Some(bucket) = flags.optional("bucket") else {
        let photo = flags.optional("photo").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/photos/coffee.jpg"),
            PathBuf::from,
        );
        flags.finish()?;
        let bytes = std::fs::read(&photo).map_err(|e| format!("{}: {e}", photo.display()))?;
        let scenario = Scenario {
            bucket: "examplebucket".into(),
            key: "photo.jpg".into(),
            marked_key: "wm/photo.jpg".into(),
            text: text.clone(),
            strength,
            topic: "imm-blindwatermark-test".into(),
        };
        let outcome = run_on_emulator(&scenario, &bytes, wait)?;
        return Ok(report(&outcome, &text));
    };
    let region = flags.required("region")?;
    let key = flags.required("key")?;
    let topic = flags.required("topic")?;
    let endpoint = flags.optional("endpoint");
    let log = flags.optional("notify_log").map(PathBuf::from);
    flags.finish()?;
    let mut builder = Client::builder()
        .region(&region)
        .credentials_provider(oss_process::DefaultChain::new()?);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build()?;
    let marked_key = format!("wm/{key}");
    let scenario = Scenario {
        bucket,
        key,
        marked_key,
        text: text.clone(),
        strength,
        topic,
    };
    let (saved, task) = embed_and_submit(&client, &scenario)?;
    let notification = match &log {
        Some(log) => wait_in_log(log, task.task_id(), wait)?,
        None => None,
    };
    Ok(report(
        &Outcome {
            saved,
            task,
            notification,
            psnr: None,
        },
        &text,
    ))
}
