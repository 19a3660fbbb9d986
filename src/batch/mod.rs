//! A whole bucket in one call: [`Batch`] processes every key of a prefix
//! (or of any list of keys) with a pool of threads sharing one [`Client`],
//! resumable, sharded over machines, and polite when the service
//! throttles.
//!
//! ```no_run
//! use oss_process::batch::{Batch, Template};
//! use oss_process::{Client, DefaultChain, Process};
//!
//! let client = Client::builder()
//!     .region("cn-hangzhou")
//!     .credentials_provider(DefaultChain::new()?)
//!     .max_idle_connections_per_host(16)
//!     .build()?;
//! let style = Process::parse("image/resize,m_lfit,w_256,h_256")?;
//! let report = Batch::new(&client, "photos")
//!     .prefix("2024/")
//!     .template(Template::new(style).target_bucket("thumbs").target_prefix("256/"))
//!     .threads(16)
//!     .journal("thumbs-2024.journal")
//!     .skip_existing(true)
//!     .max_rps(200.0)
//!     .on_progress(|p| eprintln!("{p}"))
//!     .run()?;
//! println!("{} done, {} skipped, {} failed", report.done(), report.journaled() + report.existing(), report.failed());
//! for failure in report.failures() {
//!     println!("{}: {:?} (request id {:?})", failure.key(), failure.code(), failure.request_id());
//! }
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! # How it runs
//!
//! One thread reads the source (a listing, page by page, or the caller's
//! iterator of keys) and hands each key of this [`Shard`] that the journal
//! does not hold to the workers through a bounded queue, so memory does not
//! grow with the prefix: it holds a page of the listing, the queue, and the
//! journal's set of finished keys. Each worker builds the key's
//! [`Process`] (from a [`Template`] or the caller's function), asks with a
//! HEAD whether the target exists (with [`Batch::skip_existing`]), and
//! calls [`Client::process_object`] (or
//! [`Client::async_process_object`] for an asynchronous process). A key
//! that fails is reported (with its Code and RequestId) and the batch goes
//! on.
//!
//! - **Journal** ([`Batch::journal`]): each finished key is appended as it
//!   finishes (one write, synced in batches); a rerun with the same file
//!   skips them, so a batch that was killed resumes where it stopped, and
//!   only the keys in flight at the kill are done again. A last line cut by
//!   the kill is ignored. A file that is not a journal, or a journal of
//!   another bucket, is an error before any request.
//! - **Shards** ([`Batch::shard`], [`Shard`]): shard `i` of `n` takes the
//!   keys whose FNV-1a hash is `i` modulo `n`, on every machine alike, so
//!   `n` processes listing the same prefix split it exactly.
//!   [`Shard::from_scheduler`] reads a Slurm job array's or a Kubernetes
//!   Indexed Job's environment; [`Shard::path_for`] names each shard's
//!   journal and report.
//! - **Rate** ([`Batch::max_rps`]): every request of the batch (HEADs,
//!   retries and listing pages too) takes its turn from one shared limiter.
//!   A throttled answer (429, 503, or an OSS throttling code) halves the
//!   rate for every thread at once and a `Retry-After` holds them all; the
//!   rate climbs back as requests succeed. A key still throttled after the
//!   client's retries is tried again, up to [`THROTTLED_ROUNDS`] times,
//!   before it counts as failed.
//! - **Progress** ([`Batch::on_progress`]): a [`Progress`] every
//!   [`Batch::progress_interval`] and at the end; the `log` facade gets a
//!   progress line at `info` every 10 s, each key at `debug` and each
//!   failure at `warn`.
//! - **Cancelling** ([`Batch::cancel_token`]): workers finish the keys in
//!   hand (and journal them), take no new ones, and [`Batch::run`] returns
//!   a report that says it was cancelled.
//!
//! Build the client with
//! [`max_idle_connections_per_host`](crate::ClientBuilder::max_idle_connections_per_host)
//! at least the thread count, so that no connection is closed between
//! calls.

mod journal;
mod limiter;
mod report;
mod shard;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::Error;
use crate::names::check_bucket;
use crate::process::{Mode, Process, SaveAs};

use self::journal::Journal;
use self::limiter::{Limiter, is_throttling};
pub use self::report::{KeyFailure, Progress, Report};
pub use self::shard::Shard;

/// How many times a key whose call is still throttled after the client's
/// own retries is tried again before it counts as failed.
pub const THROTTLED_ROUNDS: u32 = 10;
/// The most worker threads.
const MAX_THREADS: usize = 1024;
/// How often progress goes to the log.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// A style applied to every key, saved under a target prefix: the key `k`
/// becomes `<target_prefix>k` in the target bucket.
///
/// ```
/// use oss_process::Process;
/// use oss_process::batch::Template;
///
/// let template = Template::new(Process::parse("image/resize,w_100")?)
///     .target_bucket("thumbs")
///     .target_prefix("100/");
/// let process = template.process_for("a/cat.jpg")?;
/// let target = process.save_as().unwrap();
/// assert_eq!((target.key.as_str(), target.bucket.as_deref()), ("100/a/cat.jpg", Some("thumbs")));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    style: Process,
    target_bucket: Option<String>,
    target_prefix: String,
}

impl Template {
    /// Applies `style` (a typed process, e.g. from [`Process::parse`];
    /// its own `sys/saveas`, if any, is replaced), saving into the source
    /// bucket with no prefix until told otherwise.
    pub fn new(style: Process) -> Template {
        Template {
            style,
            target_bucket: None,
            target_prefix: String::new(),
        }
    }

    /// Saves into `bucket` (default: the source bucket).
    #[must_use]
    pub fn target_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.target_bucket = Some(bucket.into());
        self
    }

    /// Puts `prefix` before each key to name its result.
    #[must_use]
    pub fn target_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.target_prefix = prefix.into();
        self
    }

    /// The process for `key`: the style, saved as `<target_prefix><key>`.
    pub fn process_for(&self, key: &str) -> Result<Process, Error> {
        let mut target = SaveAs::new(format!("{}{key}", self.target_prefix));
        if let Some(bucket) = &self.target_bucket {
            target = target.bucket(bucket);
        }
        self.style.clone().with_save_as(target)
    }

    /// Whether a key of `source_bucket` is one of this template's results.
    fn is_own_target(&self, source_bucket: &str, key: &str) -> bool {
        self.target_bucket
            .as_deref()
            .is_none_or(|b| b == source_bucket)
            && !self.target_prefix.is_empty()
            && key.starts_with(&self.target_prefix)
    }
}

/// Stops a running batch from another thread (or from its own progress
/// callback or process function): workers finish the keys in hand and
/// take no new ones.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks the batch to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

type KeySource<'a> = Box<dyn Iterator<Item = Result<String, Error>> + Send + 'a>;
type ProcessFn<'a> = Box<dyn Fn(&str) -> Result<Process, Error> + Send + Sync + 'a>;
type ProgressFn<'a> = Box<dyn Fn(&Progress) + Send + Sync + 'a>;

/// Where the keys come from.
enum Source<'a> {
    Prefix(String),
    Keys(KeySource<'a>),
}

/// What each key becomes.
enum Work<'a> {
    Template(Box<Template>),
    Function(ProcessFn<'a>),
}

impl Work<'_> {
    fn process_for(&self, key: &str) -> Result<Process, Error> {
        match self {
            Work::Template(t) => t.process_for(key),
            Work::Function(f) => f(key),
        }
    }
}

/// A batch over a bucket: configure it, then [`run`](Self::run) it. See the
/// [module docs](self).
#[must_use = "a batch does nothing until it is run"]
pub struct Batch<'a> {
    client: Client,
    bucket: String,
    source: Source<'a>,
    work: Option<Work<'a>>,
    threads: usize,
    shard: Shard,
    journal: Option<PathBuf>,
    skip_existing: bool,
    max_rps: Option<f64>,
    on_progress: Option<ProgressFn<'a>>,
    progress_interval: Duration,
    cancel: CancelToken,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("bucket", &self.bucket)
            .field("threads", &self.threads)
            .field("shard", &self.shard)
            .field("journal", &self.journal)
            .field("skip_existing", &self.skip_existing)
            .field("max_rps", &self.max_rps)
            .finish_non_exhaustive()
    }
}

impl<'a> Batch<'a> {
    /// A batch over `bucket` with `client` (shared by every thread): every
    /// key of the bucket until [`prefix`](Self::prefix) or
    /// [`keys`](Self::keys) says otherwise; 4 threads, one shard, no
    /// journal, no rate cap.
    pub fn new(client: &Client, bucket: impl Into<String>) -> Batch<'a> {
        Batch {
            client: client.clone(),
            bucket: bucket.into(),
            source: Source::Prefix(String::new()),
            work: None,
            threads: 4,
            shard: Shard::ALL,
            journal: None,
            skip_existing: false,
            max_rps: None,
            on_progress: None,
            progress_interval: Duration::from_secs(1),
            cancel: CancelToken::new(),
        }
    }

    /// Processes the keys under `prefix`, listed page by page as the
    /// workers take them. "Folder" markers (keys ending in `/`) and, with a
    /// [`Template`] saving into the source bucket, keys under its target
    /// prefix (the batch's own results) are not processed
    /// ([`Report::ignored`]).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.source = Source::Prefix(prefix.into());
        self
    }

    /// Processes these keys, read as the workers take them.
    pub fn keys<I>(self, keys: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
        I::IntoIter: Send + 'a,
    {
        self.try_keys(keys.into_iter().map(|k| Ok(k.into())))
    }

    /// Processes these keys; an `Err` stops reading them (the batch
    /// finishes what it was given and reports the error as
    /// [`Report::source_error`]).
    pub fn try_keys<I>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = Result<String, Error>>,
        I::IntoIter: Send + 'a,
    {
        self.source = Source::Keys(Box::new(keys.into_iter()));
        self
    }

    /// Each key becomes `template`'s process (required: this or
    /// [`process_with`](Self::process_with)).
    pub fn template(mut self, template: Template) -> Self {
        self.work = Some(Work::Template(Box::new(template)));
        self
    }

    /// Each key becomes the process `f` returns (an `Err` fails that key).
    /// With [`skip_existing`](Self::skip_existing), the process's typed
    /// `sys/saveas` names the target to look for.
    pub fn process_with(
        mut self,
        f: impl Fn(&str) -> Result<Process, Error> + Send + Sync + 'a,
    ) -> Self {
        self.work = Some(Work::Function(Box::new(f)));
        self
    }

    /// Worker threads, 1 to 1024 (default 4).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Processes only this shard's keys (default: all).
    pub fn shard(mut self, shard: Shard) -> Self {
        self.shard = shard;
        self
    }

    /// Keeps the journal of finished keys in `path`, skipping those it
    /// already holds (see the [module docs](self)).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// Skips a key whose target object exists (a HEAD before each key).
    pub fn skip_existing(mut self, yes: bool) -> Self {
        self.skip_existing = yes;
        self
    }

    /// At most `requests_per_second` requests from the whole batch (every
    /// thread, HEADs and listing pages included).
    pub fn max_rps(mut self, requests_per_second: f64) -> Self {
        self.max_rps = Some(requests_per_second);
        self
    }

    /// Called with the [`Progress`] every
    /// [`progress_interval`](Self::progress_interval), and once at the end.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'a) -> Self {
        self.on_progress = Some(Box::new(f));
        self
    }

    /// How often [`on_progress`](Self::on_progress) is called (default 1 s).
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.progress_interval = interval;
        self
    }

    /// Stops the batch when `token` is cancelled.
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// Checks every setting before any request.
    fn check(&self) -> Result<(), Error> {
        check_bucket(&self.bucket)?;
        if !(1..=MAX_THREADS).contains(&self.threads) {
            return Err(Error::invalid(
                "threads",
                format!("{}: must be 1 to {MAX_THREADS}", self.threads),
            ));
        }
        if let Some(rps) = self.max_rps
            && !(rps.is_finite() && rps > 0.0)
        {
            return Err(Error::invalid(
                "max_rps",
                format!("{rps}: must be a number of requests per second above 0"),
            ));
        }
        if self.progress_interval.is_zero() {
            return Err(Error::invalid(
                "progress_interval",
                "must be longer than zero",
            ));
        }
        match &self.work {
            None => Err(Error::invalid(
                "process",
                "a batch needs to know what to do with each key: give a template(..) or process_with(..)",
            )),
            // A template is checked once, on a key of its own.
            Some(Work::Template(t)) => t.process_for("k").map(drop),
            Some(Work::Function(_)) => Ok(()),
        }?;
        if let Source::Prefix(prefix) = &self.source
            && prefix.len() > 1023
        {
            return Err(Error::invalid(
                "prefix",
                format!("{} bytes: must be at most 1023", prefix.len()),
            ));
        }
        Ok(())
    }

    /// Runs the batch to its end (or its cancellation), blocking.
    ///
    /// `Err` only for what stops it before any request: a bad setting, or
    /// a journal that cannot be read or is not a journal of this bucket.
    /// Everything after that is in the [`Report`].
    pub fn run(self) -> Result<Report, Error> {
        let started = Instant::now();
        self.check()?;
        let Batch {
            client,
            bucket,
            source,
            work,
            threads,
            shard,
            journal,
            skip_existing,
            max_rps,
            on_progress,
            progress_interval,
            cancel,
        } = self;
        let work = work.expect("checked");
        let (journal, finished) = match &journal {
            Some(path) => {
                let (journal, keys) = Journal::open(path, &bucket)?;
                (Some(journal), keys)
            }
            None => (None, HashSet::new()),
        };
        let limiter = Arc::new(Limiter::new(max_rps));
        let run = Run {
            client: client.with_observer(limiter.clone()),
            bucket,
            work,
            skip_existing,
            shard,
            limiter,
            cancel,
            journal: Mutex::new(journal),
            counters: Counters::default(),
            failures: Mutex::new(Vec::new()),
            source_error: Mutex::new(None),
            journal_error: Mutex::new(None),
            started,
        };
        let (sender, receiver) = sync_channel::<String>(threads * 2);
        let receiver = Mutex::new(receiver);
        let workers_done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let run = &run;
            let finished = &finished;
            scope.spawn(move || run.produce(source, finished, sender));
            let workers: Vec<_> = (0..threads)
                .map(|_| scope.spawn(|| run.work(&receiver)))
                .collect();
            let monitor = scope.spawn(|| {
                run.monitor(on_progress.as_deref(), progress_interval, &workers_done);
            });
            for worker in workers {
                if let Err(panic) = worker.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            workers_done.store(true, Ordering::SeqCst);
            monitor.thread().unpark();
            let _ = monitor.join();
        });
        if let Some(journal) = lock(&run.journal).as_mut()
            && let Err(e) = journal.sync()
        {
            lock(&run.journal_error).get_or_insert_with(|| e.to_string());
        }
        Ok(run.report())
    }
}

/// The counts a run keeps, shared by its threads.
#[derive(Default)]
struct Counters {
    listed: AtomicU64,
    other_shards: AtomicU64,
    ignored: AtomicU64,
    journaled: AtomicU64,
    queued: AtomicU64,
    existing: AtomicU64,
    done: AtomicU64,
    failed: AtomicU64,
    /// Keys taken from the queue but left undone because of a cancel.
    dropped: AtomicU64,
    source_finished: AtomicBool,
}

fn add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// What became of one key.
enum Outcome {
    Done,
    Existing,
    Failed(KeyFailure),
}

/// A running batch: what its threads share.
struct Run<'a> {
    client: Client,
    bucket: String,
    work: Work<'a>,
    skip_existing: bool,
    shard: Shard,
    limiter: Arc<Limiter>,
    cancel: CancelToken,
    journal: Mutex<Option<Journal>>,
    counters: Counters,
    failures: Mutex<Vec<KeyFailure>>,
    source_error: Mutex<Option<String>>,
    journal_error: Mutex<Option<String>>,
    started: Instant,
}

impl Run<'_> {
    /// The source's thread: reads keys and queues those this shard and
    /// journal leave to do.
    fn produce(&self, source: Source<'_>, finished: &HashSet<String>, queue: SyncSender<String>) {
        let listing = matches!(source, Source::Prefix(_));
        let keys: KeySource<'_> = match source {
            Source::Prefix(prefix) => Box::new(
                self.client
                    .list_objects(self.bucket.clone())
                    .prefix(prefix)
                    .into_iter()
                    .map(|entry| entry.map(|e| e.into_key())),
            ),
            Source::Keys(keys) => keys,
        };
        let c = &self.counters;
        for key in keys {
            if self.cancel.is_cancelled() {
                return;
            }
            let key = match key {
                Ok(key) => key,
                Err(e) => {
                    log::warn!("oss-process batch: the key source failed, no more keys: {e}");
                    *lock(&self.source_error) = Some(e.to_string());
                    return;
                }
            };
            add(&c.listed);
            if !self.shard.contains(&key) {
                add(&c.other_shards);
            } else if listing && self.ignores(&key) {
                add(&c.ignored);
            } else if finished.contains(&key) {
                add(&c.journaled);
            } else {
                add(&c.queued);
                if queue.send(key).is_err() {
                    return;
                }
            }
        }
        c.source_finished.store(true, Ordering::SeqCst);
    }

    /// Whether a listed key is not to be processed: a "folder" marker, or
    /// one of the template's own results.
    fn ignores(&self, key: &str) -> bool {
        key.ends_with('/')
            || matches!(&self.work, Work::Template(t) if t.is_own_target(&self.bucket, key))
    }

    /// A worker: takes keys from the queue until it closes.
    fn work(&self, queue: &Mutex<Receiver<String>>) {
        loop {
            let key = match lock(queue).recv() {
                Ok(key) => key,
                Err(_) => return,
            };
            if self.cancel.is_cancelled() {
                // Keep taking keys, so the source's thread is never left
                // blocked on a full queue; it stops at its next key.
                add(&self.counters.dropped);
                continue;
            }
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(&key)))
                    .unwrap_or_else(|_| {
                        Outcome::Failed(KeyFailure::new(
                            &key,
                            &Error::invalid("process", "the batch's process function panicked"),
                        ))
                    });
            let c = &self.counters;
            match outcome {
                Outcome::Done => {
                    log::debug!("oss-process batch: {key} done");
                    add(&c.done);
                    self.record(&key);
                }
                Outcome::Existing => {
                    log::debug!("oss-process batch: {key} skipped, its target exists");
                    add(&c.existing);
                    self.record(&key);
                }
                Outcome::Failed(failure) => {
                    log::warn!(
                        "oss-process batch: {key} failed (code {}, request id {}): {}",
                        failure.code().unwrap_or("-"),
                        failure.request_id().unwrap_or("-"),
                        failure.message()
                    );
                    add(&c.failed);
                    lock(&self.failures).push(failure);
                }
            }
        }
    }

    /// Processes one key.
    fn handle(&self, key: &str) -> Outcome {
        let failed = |e: &Error| Outcome::Failed(KeyFailure::new(key, e));
        let process = match self.work.process_for(key) {
            Ok(p) => p,
            Err(e) => return failed(&e),
        };
        if self.skip_existing {
            let Some(target) = process.save_as() else {
                return failed(&Error::invalid(
                    "skip_existing",
                    "the process has no typed sys/saveas naming a target to look for",
                ));
            };
            let bucket = target.bucket.as_deref().unwrap_or(&self.bucket);
            match self.throttled_rounds(|| self.client.head_object(bucket, &target.key)) {
                Ok(Some(_)) => return Outcome::Existing,
                Ok(None) => {}
                Err(e) => return failed(&e),
            }
        }
        let processed = self.throttled_rounds(|| match process.mode() {
            Some(Mode::Async) => self
                .client
                .async_process_object(&self.bucket, key, &process)
                .map(drop),
            _ => self
                .client
                .process_object(&self.bucket, key, &process)
                .map(drop),
        });
        match processed {
            Ok(()) => Outcome::Done,
            Err(e) => failed(&e),
        }
    }

    /// Runs `call` again while it ends throttled, up to
    /// [`THROTTLED_ROUNDS`] times (the limiter spaces the rounds).
    fn throttled_rounds<T>(&self, mut call: impl FnMut() -> Result<T, Error>) -> Result<T, Error> {
        let mut round = 1;
        loop {
            match call() {
                Err(e)
                    if is_throttling(&e)
                        && round < THROTTLED_ROUNDS
                        && !self.cancel.is_cancelled() =>
                {
                    log::debug!("oss-process batch: still throttled after round {round}: {e}");
                    round += 1;
                }
                other => return other,
            }
        }
    }

    /// Journals a finished key; a journal that cannot be written stops the
    /// batch (the keys it would lose would only be done again).
    fn record(&self, key: &str) {
        let mut journal = lock(&self.journal);
        if let Some(j) = journal.as_mut()
            && let Err(e) = j.record(key)
        {
            log::error!("oss-process batch: {e}; stopping");
            lock(&self.journal_error).get_or_insert_with(|| e.to_string());
            self.cancel.cancel();
        }
    }

    fn progress(&self) -> Progress {
        let c = &self.counters;
        Progress {
            listed: get(&c.listed),
            queued: get(&c.queued),
            done: get(&c.done),
            journaled: get(&c.journaled),
            existing: get(&c.existing),
            failed: get(&c.failed),
            source_finished: c.source_finished.load(Ordering::SeqCst),
            elapsed: self.started.elapsed(),
            request_rate: self.limiter.rate(),
            throttled: self.limiter.throttled_count(),
        }
    }

    /// The progress thread: calls back every `interval` and logs every
    /// [`LOG_EVERY`], until the workers are done; then once more.
    fn monitor(
        &self,
        on_progress: Option<&(dyn Fn(&Progress) + Send + Sync + '_)>,
        interval: Duration,
        workers_done: &AtomicBool,
    ) {
        let mut next_call = Instant::now() + interval;
        let mut next_log = Instant::now() + LOG_EVERY;
        while !workers_done.load(Ordering::SeqCst) {
            // Woken early when the workers are done.
            let wake = next_call.min(next_log);
            std::thread::park_timeout(wake.saturating_duration_since(Instant::now()));
            if workers_done.load(Ordering::SeqCst) {
                break;
            }
            let now = Instant::now();
            if now >= next_call {
                next_call = now + interval;
                if let Some(f) = on_progress {
                    f(&self.progress());
                }
            }
            if now >= next_log {
                next_log = now + LOG_EVERY;
                log::info!("oss-process batch: {}", self.progress());
            }
        }
        let last = self.progress();
        log::info!("oss-process batch: finished: {last}");
        if let Some(f) = on_progress {
            f(&last);
        }
    }

    fn report(self) -> Report {
        let c = &self.counters;
        let source_finished = c.source_finished.load(Ordering::SeqCst);
        Report {
            shard: self.shard,
            listed: get(&c.listed),
            other_shards: get(&c.other_shards),
            ignored: get(&c.ignored),
            journaled: get(&c.journaled),
            existing: get(&c.existing),
            done: get(&c.done),
            failed: get(&c.failed),
            throttled: self.limiter.throttled_count(),
            lowest_rate: self.limiter.lowest(),
            cancelled: self.cancel.is_cancelled() && (!source_finished || get(&c.dropped) > 0),
            failures: self
                .failures
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
            source_error: self
                .source_error
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
            journal_error: self
                .journal_error
                .into_inner()
                .unwrap_or_else(|p| p.into_inner()),
            elapsed: self.started.elapsed(),
            bucket: self.bucket,
        }
    }
}
