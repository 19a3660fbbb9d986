//! What a batch tells: [`Progress`] while it runs (to a callback, and to
//! the `log` facade), and a [`Report`] at the end (counts, and every
//! failed key with its Code and RequestId), which serialises to JSON.

use std::time::Duration;

use serde_json::{Value, json};

use crate::error::Error;

use super::Shard;

/// A key that failed, with what the service said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFailure {
    pub(crate) key: String,
    pub(crate) status: Option<u16>,
    pub(crate) code: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) message: String,
}

impl KeyFailure {
    pub(crate) fn new(key: &str, error: &Error) -> KeyFailure {
        KeyFailure {
            key: key.to_string(),
            status: error.status(),
            code: error.code().map(str::to_string),
            request_id: error.request_id().map(str::to_string),
            message: error.to_string(),
        }
    }

    /// The source key.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// The service's error Code (`NoSuchKey`, `InvalidArgument`, ...), when
    /// it answered one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    /// The RequestId of the failed answer, for support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The whole error, as text.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn to_json(&self) -> Value {
        json!({
            "key": self.key,
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "message": self.message,
        })
    }
}

/// Where a batch is: handed to the progress callback every
/// [`Batch::progress_interval`](super::Batch::progress_interval) and once
/// at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub(crate) listed: u64,
    pub(crate) queued: u64,
    pub(crate) done: u64,
    pub(crate) journaled: u64,
    pub(crate) existing: u64,
    pub(crate) failed: u64,
    pub(crate) source_finished: bool,
    pub(crate) elapsed: Duration,
    pub(crate) request_rate: Option<f64>,
    pub(crate) throttled: u64,
}

impl Progress {
    /// Keys the source gave so far (listed, or read), all shards.
    pub fn listed(&self) -> u64 {
        self.listed
    }
    /// Keys handed to the workers so far: in this shard, not in the
    /// journal, not ignored.
    pub fn queued(&self) -> u64 {
        self.queued
    }
    /// Keys processed.
    pub fn done(&self) -> u64 {
        self.done
    }
    /// Keys skipped: in the journal, or their target exists.
    pub fn skipped(&self) -> u64 {
        self.journaled + self.existing
    }
    /// Keys that failed.
    pub fn failed(&self) -> u64 {
        self.failed
    }
    /// Whether the source has given its last key (the total is known).
    pub fn source_finished(&self) -> bool {
        self.source_finished
    }
    /// Time since the batch started.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
    /// Keys finished by the workers (done, failed, or skipped because the
    /// target exists) per second, since the start.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.finished_by_workers() as f64 / secs
        } else {
            0.0
        }
    }
    /// The time left at [`rate`](Self::rate), once the source has finished
    /// (before that the total is unknown).
    pub fn eta(&self) -> Option<Duration> {
        let rate = self.rate();
        if !self.source_finished || rate <= 0.0 {
            return None;
        }
        let left = self.queued.saturating_sub(self.finished_by_workers());
        Some(Duration::from_secs_f64(left as f64 / rate))
    }
    /// The request rate the shared limiter allows now, when it limits
    /// (a cap, or throttling).
    pub fn request_rate(&self) -> Option<f64> {
        self.request_rate
    }
    /// Throttled answers so far.
    pub fn throttled(&self) -> u64 {
        self.throttled
    }

    /// Keys the workers finished; keys skipped from the journal never
    /// reach them.
    fn finished_by_workers(&self) -> u64 {
        self.done + self.failed + self.existing
    }
}

impl std::fmt::Display for Progress {
    /// One line: `1200 done, 3 skipped, 1 failed of 5000, 98.2 keys/s, ETA 39 s`
    /// (`of 5000+` while the source is still giving keys).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} done, {} skipped, {} failed of {}{}, {:.1} keys/s",
            self.done,
            self.skipped(),
            self.failed,
            self.listed,
            if self.source_finished { "" } else { "+" },
            self.rate()
        )?;
        if let Some(eta) = self.eta() {
            write!(f, ", ETA {} s", eta.as_secs())?;
        }
        if let Some(rate) = self.request_rate {
            write!(f, ", limited to {rate:.1} requests/s")?;
        }
        if self.throttled > 0 {
            write!(f, ", {} throttled", self.throttled)?;
        }
        Ok(())
    }
}

/// What a batch did: counts, and every failed key with its Code and
/// RequestId. [`is_success`](Self::is_success) says whether every key of
/// the shard was processed or skipped; [`to_json`](Self::to_json) writes it
/// for a scheduler's logs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub(crate) bucket: String,
    pub(crate) shard: Shard,
    pub(crate) listed: u64,
    pub(crate) other_shards: u64,
    pub(crate) ignored: u64,
    pub(crate) journaled: u64,
    pub(crate) existing: u64,
    pub(crate) done: u64,
    pub(crate) failed: u64,
    pub(crate) throttled: u64,
    pub(crate) lowest_rate: Option<f64>,
    pub(crate) failures: Vec<KeyFailure>,
    pub(crate) source_error: Option<String>,
    pub(crate) journal_error: Option<String>,
    pub(crate) cancelled: bool,
    pub(crate) elapsed: Duration,
}

impl Report {
    /// The source bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
    /// The shard this batch ran.
    pub fn shard(&self) -> Shard {
        self.shard
    }
    /// Keys the source gave (listed, or read), all shards.
    pub fn listed(&self) -> u64 {
        self.listed
    }
    /// Keys left to the other shards.
    pub fn other_shards(&self) -> u64 {
        self.other_shards
    }
    /// Keys not processed by design: "folder" markers (keys ending in `/`)
    /// of a listing, and keys under the target prefix in the source bucket
    /// (a batch's own results).
    pub fn ignored(&self) -> u64 {
        self.ignored
    }
    /// Keys skipped because the journal holds them (done by an earlier run).
    pub fn journaled(&self) -> u64 {
        self.journaled
    }
    /// Keys skipped because their target exists (`skip_existing`).
    pub fn existing(&self) -> u64 {
        self.existing
    }
    /// Keys processed.
    pub fn done(&self) -> u64 {
        self.done
    }
    /// Keys that failed (see [`failures`](Self::failures)).
    pub fn failed(&self) -> u64 {
        self.failed
    }
    /// Throttled answers (each slowed the whole batch).
    pub fn throttled(&self) -> u64 {
        self.throttled
    }
    /// The lowest request rate throttling brought the batch to, if it did.
    pub fn lowest_rate(&self) -> Option<f64> {
        self.lowest_rate
    }
    /// Every key that failed, with its Code and RequestId.
    pub fn failures(&self) -> &[KeyFailure] {
        &self.failures
    }
    /// Why the source stopped early (a listing that failed after its
    /// retries, an unreadable key file), if it did: keys after that were
    /// not seen.
    pub fn source_error(&self) -> Option<&str> {
        self.source_error.as_deref()
    }
    /// Why the journal could not be written, if so: the batch stopped.
    pub fn journal_error(&self) -> Option<&str> {
        self.journal_error.as_deref()
    }
    /// Whether the batch was cancelled before its source was exhausted.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }
    /// How long it ran.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Whether every key of the shard was processed or skipped: nothing
    /// failed, the source was read to its end, the journal kept up and
    /// nobody cancelled.
    pub fn is_success(&self) -> bool {
        self.failed == 0
            && self.source_error.is_none()
            && self.journal_error.is_none()
            && !self.cancelled
    }

    /// The report as a JSON document (pretty-printed).
    ///
    /// ```
    /// let report = oss_process::batch::Report::default();
    /// let json: serde_json::Value = serde_json::from_str(&report.to_json())?;
    /// assert_eq!(json["done"], 0);
    /// assert_eq!(json["success"], true);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let value = json!({
            "bucket": self.bucket,
            "shard": self.shard.to_string(),
            "success": self.is_success(),
            "listed": self.listed,
            "other_shards": self.other_shards,
            "ignored": self.ignored,
            "journaled": self.journaled,
            "existing": self.existing,
            "done": self.done,
            "failed": self.failed,
            "throttled": self.throttled,
            "lowest_rate": self.lowest_rate,
            "source_error": self.source_error,
            "journal_error": self.journal_error,
            "cancelled": self.cancelled,
            "elapsed_seconds": self.elapsed.as_secs_f64(),
            "failures": self.failures.iter().map(KeyFailure::to_json).collect::<Vec<_>>(),
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }
}
