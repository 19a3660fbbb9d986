//! Asynchronous tasks (`x-oss-async-process`): a bounded queue, one worker
//! thread that runs the tasks in order, and the notification message each
//! finished task publishes.
//!
//! # Interface
//!
//! A request handler checks an asynchronous request at once (answering
//! errors as OSS does), then [`Tasks::submit`]s a [`NewTask`]: its IMM task
//! type (which names the task id, `DecodeBlindWatermark-...`), the notify
//! topic if any, the request id, and a [`Job`], a closure that does the work
//! on the worker thread and returns either [`Done`] (the objects to save
//! and the fields to add to the notification's content, e.g. `Content` for
//! a decoded watermark) or a [`Failure`] (the notification's `Code` and
//! `Message`). The worker writes the saved objects (before publishing, so a
//! program that hears the message finds them), then publishes the message:
//! kept for [`Emulator::notifications`](super::Emulator::notifications) and
//! [`Emulator::wait_for_task`](super::Emulator::wait_for_task), and handed
//! to the [`EmulatorBuilder::on_notification`](super::EmulatorBuilder::on_notification)
//! observer. A job that panics is published as `Failed` with `InternalError`.
//!
//! The message is shaped as IMM's (see [`crate::TaskNotification`]): an
//! envelope whose `content` is the task's fields as a JSON string.
//!
//! # Bounds
//!
//! At most [`MAX_PENDING`] tasks wait; a submission beyond that is refused
//! (503 `ServiceUnavailable`, nothing queued). At most [`MAX_KEPT`] messages
//! are kept, the oldest dropped first. Stopping (the emulator's drop) ends
//! the worker after the task it is running; tasks still waiting are
//! dropped unrun.

use std::collections::VecDeque;
use std::fmt;
use std::hash::{BuildHasher as _, RandomState};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value};

use crate::response::TaskNotification;
use crate::time::Timestamp;

use super::errors::OssError;
use super::store::Store;

/// The most tasks waiting to run.
pub(crate) const MAX_PENDING: usize = 64;
/// The most notification messages kept.
pub(crate) const MAX_KEPT: usize = 10_000;
/// The IMM project name the emulator's messages carry.
const PROJECT: &str = "oss-emulator";
/// The account id the emulator's messages carry.
const ACCOUNT: &str = "1000000000000000";

/// The work of a task, run on the worker thread.
pub(crate) type Job = Box<dyn FnOnce() -> Result<Done, Failure> + Send + 'static>;

/// Called with every published message (the builder's `on_notification`).
pub(crate) type Observer = Arc<dyn Fn(&TaskMessage) + Send + Sync>;

/// A task to queue.
pub(crate) struct NewTask {
    /// The IMM task type: `DecodeBlindWatermark`, `MediaConvert`, ...
    pub task_type: String,
    /// The notify topic, decoded, if the process names one.
    pub topic: Option<String>,
    /// The asynchronous request's id (the content's `RequestId`).
    pub request_id: String,
    /// The work.
    pub job: Job,
}

/// What a job that succeeded produced.
#[derive(Debug, Default)]
pub(crate) struct Done {
    /// Objects the worker writes before publishing.
    pub saved: Vec<SavedObject>,
    /// Fields added to the notification's content (e.g. `Content`).
    pub fields: Vec<(String, Value)>,
}

/// An object a task writes.
#[derive(Debug)]
pub(crate) struct SavedObject {
    pub bucket: String,
    pub key: String,
    pub bytes: Vec<u8>,
}

/// Why a job failed: the notification's `Code` and `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The ids a queued task is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub event_id: String,
    pub task_id: String,
}

/// A published notification message: what a subscriber of the task's
/// topic receives, and the task it is about. Get them from
/// [`Emulator::notifications`](super::Emulator::notifications) and
/// [`Emulator::wait_for_task`](super::Emulator::wait_for_task).
#[derive(Clone, PartialEq, Eq)]
pub struct TaskMessage {
    topic: Option<String>,
    body: String,
    notification: TaskNotification,
}

impl fmt::Debug for TaskMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskMessage")
            .field("topic", &self.topic)
            .field("body", &self.body)
            .finish()
    }
}

impl TaskMessage {
    /// The notify topic the process named (`sys/notify,topic_...`),
    /// decoded; `None` for a task without one (its message is kept all the
    /// same, so tests can wait for any task).
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// The message body as a subscriber receives it: one line of JSON, the
    /// IMM envelope with the task's fields as a JSON string in `content`.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The body parsed, as [`crate::TaskNotification::parse`] reads it.
    pub fn notification(&self) -> &TaskNotification {
        &self.notification
    }

    /// The task's id (`TaskId`).
    pub fn task_id(&self) -> &str {
        self.notification.task_id()
    }
}

struct Queued {
    task: NewTask,
    task_id: String,
    event_id: String,
}

#[derive(Default)]
struct State {
    pending: VecDeque<Queued>,
    messages: VecDeque<TaskMessage>,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled when a task is queued or the queue stops.
    queued: Condvar,
    /// Signalled when a message is published.
    published: Condvar,
    store: Store,
    region: String,
    observer: Option<Observer>,
    seed: RandomState,
    counter: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The queue and its worker. Cheap to share (`Arc`); [`Tasks::stop`] (the
/// emulator's drop) ends the worker.
pub(crate) struct Tasks {
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Tasks {
    /// Starts the worker.
    pub fn start(store: Store, region: String, observer: Option<Observer>) -> io::Result<Tasks> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            queued: Condvar::new(),
            published: Condvar::new(),
            store,
            region,
            observer,
            seed: RandomState::new(),
            counter: AtomicU64::new(0),
        });
        let worker_shared = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("oss-emulator-tasks".into())
            .spawn(move || work(&worker_shared))?;
        Ok(Tasks {
            shared,
            worker: Mutex::new(Some(worker)),
        })
    }

    /// Queues a task; refused when [`MAX_PENDING`] wait already or the
    /// emulator is stopping.
    pub fn submit(&self, task: NewTask) -> Result<Ticket, OssError> {
        let mut state = self.shared.state();
        if state.stop || state.pending.len() >= MAX_PENDING {
            return Err(OssError::new(
                503,
                "ServiceUnavailable",
                "0000-00000002",
                format!(
                    "The emulator's task queue is full ({MAX_PENDING} tasks wait); retry later."
                ),
            ));
        }
        let n = self.shared.counter.fetch_add(1, Ordering::Relaxed);
        let a = self.shared.seed.hash_one((n, "task"));
        let b = self.shared.seed.hash_one((n, "event"));
        let task_id = format!("{}-{}", task.task_type, uuid_like(a, b));
        let event_id = format!("2C2-{:016X}{:08X}", b, a as u32);
        let ticket = Ticket {
            event_id: event_id.clone(),
            task_id: task_id.clone(),
        };
        state.pending.push_back(Queued {
            task,
            task_id,
            event_id,
        });
        drop(state);
        self.shared.queued.notify_one();
        Ok(ticket)
    }

    /// Every message kept, oldest first.
    pub fn messages(&self) -> Vec<TaskMessage> {
        self.shared.state().messages.iter().cloned().collect()
    }

    /// Waits up to `timeout` for the message of task `task_id`.
    pub fn wait_for(&self, task_id: &str, timeout: Duration) -> Option<TaskMessage> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state();
        loop {
            if let Some(m) = state.messages.iter().find(|m| m.task_id() == task_id) {
                return Some(m.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            state = self
                .shared
                .published
                .wait_timeout(state, left)
                .map_or_else(|p| p.into_inner().0, |(s, _)| s);
        }
    }

    /// Stops the worker after its current task and joins it; waiting tasks
    /// are dropped.
    pub fn stop(&self) {
        {
            let mut state = self.shared.state();
            state.stop = true;
            state.pending.clear();
        }
        self.shared.queued.notify_all();
        self.shared.published.notify_all();
        let worker = self.worker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(worker) = worker {
            let _ = worker.join();
        }
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        self.stop();
    }
}

fn work(shared: &Shared) {
    loop {
        let queued = {
            let mut state = shared.state();
            loop {
                if state.stop {
                    return;
                }
                if let Some(q) = state.pending.pop_front() {
                    break q;
                }
                state = shared.queued.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        };
        let started = SystemTime::now();
        let Queued {
            task,
            task_id,
            event_id,
        } = queued;
        let NewTask {
            task_type,
            topic,
            request_id,
            job,
        } = task;
        let outcome = catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|_| {
            Err(Failure::new(
                "InternalError",
                "The emulator failed while running this task.",
            ))
        });
        let outcome = outcome.and_then(|done| {
            for object in &done.saved {
                shared
                    .store
                    .put(&object.bucket, &object.key, &object.bytes)
                    .map_err(|e| Failure::new(e.code, e.message))?;
            }
            Ok(done.fields)
        });
        let content = content(
            &Fields {
                task_type: &task_type,
                task_id: &task_id,
                event_id: &event_id,
                request_id: &request_id,
                started,
            },
            outcome,
        );
        let body = envelope(shared, &task_type, content);
        let Ok(notification) = TaskNotification::parse(&body) else {
            continue; // cannot happen: the body is built above
        };
        let message = TaskMessage {
            topic,
            body,
            notification,
        };
        if let Some(observer) = &shared.observer {
            let _ = catch_unwind(AssertUnwindSafe(|| observer(&message)));
        }
        let mut state = shared.state();
        if state.messages.len() >= MAX_KEPT {
            state.messages.pop_front();
        }
        state.messages.push_back(message);
        drop(state);
        shared.published.notify_all();
    }
}

struct Fields<'a> {
    task_type: &'a str,
    task_id: &'a str,
    event_id: &'a str,
    request_id: &'a str,
    started: SystemTime,
}

/// The task's fields, as IMM's messages carry them.
fn content(f: &Fields<'_>, outcome: Result<Vec<(String, Value)>, Failure>) -> Map<String, Value> {
    let mut map = Map::new();
    let mut put = |name: &str, value: &str| {
        map.insert(name.to_string(), Value::from(value));
    };
    put("ProjectName", PROJECT);
    put("RequestId", f.request_id);
    put("StartTime", &iso_millis(f.started));
    put("EndTime", &iso_millis(SystemTime::now()));
    put("UserData", "");
    put("TaskType", f.task_type);
    put("TaskId", f.task_id);
    put("EventId", f.event_id);
    match outcome {
        Ok(fields) => {
            put("Status", "Succeeded");
            put("Code", "");
            put("Message", "");
            for (name, value) in fields {
                map.insert(name, value);
            }
        }
        Err(failure) => {
            put("Status", "Failed");
            put("Code", &failure.code);
            put("Message", &failure.message);
        }
    }
    map
}

/// The envelope: `content` is the fields as a JSON string.
fn envelope(shared: &Shared, task_type: &str, content: Map<String, Value>) -> String {
    let n = shared.counter.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut map = Map::new();
    map.insert(
        "id".into(),
        Value::from(uuid_like(
            shared.seed.hash_one((n, "message")),
            shared.seed.hash_one((n, "id")),
        )),
    );
    map.insert("source".into(), Value::from("acs.imm"));
    map.insert("type".into(), Value::from(format!("imm:Task:{task_type}")));
    map.insert(
        "subject".into(),
        Value::from(format!(
            "acs:imm:{}:{ACCOUNT}:{PROJECT}/imm:Task:{task_type}",
            shared.region
        )),
    );
    map.insert("time".into(), Value::from(millis.to_string()));
    map.insert(
        "content".into(),
        Value::from(Value::Object(content).to_string()),
    );
    Value::Object(map).to_string()
}

/// `8-4-4-4-12` lower-case hex digits from two hashes.
fn uuid_like(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `2024-08-20T05:51:03.160Z`.
fn iso_millis(t: SystemTime) -> String {
    let ts = Timestamp::new(t);
    let iso = ts.iso(); // YYYYMMDDTHHMMSSZ
    let millis = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_millis());
    format!(
        "{}-{}-{}T{}:{}:{}.{millis:03}Z",
        &iso[0..4],
        &iso[4..6],
        &iso[6..8],
        &iso[9..11],
        &iso[11..13],
        &iso[13..15]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(observer: Option<Observer>) -> (Tasks, std::path::PathBuf) {
        let root = std::env::temp_dir().join(format!(
            "oss-emulator-tasks-test-{}-{:x}",
            std::process::id(),
            RandomState::new().hash_one(0)
        ));
        std::fs::create_dir_all(root.join("bk1")).unwrap();
        let tasks = Tasks::start(Store::new(root.clone()), "cn-hangzhou".into(), observer).unwrap();
        (tasks, root)
    }

    fn new_task(job: Job) -> NewTask {
        NewTask {
            task_type: "DecodeBlindWatermark".into(),
            topic: Some("t".into()),
            request_id: "R1".into(),
            job,
        }
    }

    #[test]
    fn runs_saves_and_publishes_in_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let (tasks, root) = tasks(Some(Arc::new(move |m: &TaskMessage| {
            log.lock().unwrap().push(m.task_id().to_string());
        })));
        let ok = tasks
            .submit(new_task(Box::new(|| {
                Ok(Done {
                    saved: vec![SavedObject {
                        bucket: "bk1".into(),
                        key: "out/x.txt".into(),
                        bytes: b"hi".to_vec(),
                    }],
                    fields: vec![("Content".into(), Value::from("text"))],
                })
            })))
            .unwrap();
        let failed = tasks
            .submit(new_task(Box::new(|| Err(Failure::new("X", "no")))))
            .unwrap();
        let panicked = tasks
            .submit(new_task(Box::new(|| {
                panic!("job panic (expected in this test)")
            })))
            .unwrap();
        assert!(ok.task_id.starts_with("DecodeBlindWatermark-"), "{ok:?}");
        assert_ne!(ok.task_id, failed.task_id);
        let m = tasks
            .wait_for(&panicked.task_id, Duration::from_secs(10))
            .unwrap();
        assert_eq!(m.notification().code(), "InternalError");
        let m = tasks.wait_for(&ok.task_id, Duration::ZERO).unwrap();
        let n = m.notification();
        assert!(n.succeeded(), "{m:?}");
        assert_eq!(n.decoded_text(), Some("text"));
        assert_eq!(n.request_id(), "R1");
        assert_eq!(n.field("EventId"), Some(ok.event_id.as_str()));
        assert_eq!(m.topic(), Some("t"));
        assert_eq!(std::fs::read(root.join("bk1/out/x.txt")).unwrap(), b"hi");
        let m = tasks.wait_for(&failed.task_id, Duration::ZERO).unwrap();
        assert_eq!(
            (m.notification().code(), m.notification().message()),
            ("X", "no")
        );
        assert!(m.notification().failed());
        assert_eq!(
            *seen.lock().unwrap(),
            [ok.task_id, failed.task_id, panicked.task_id]
        );
        assert_eq!(tasks.messages().len(), 3);
        assert!(tasks.wait_for("nope", Duration::from_millis(10)).is_none());
        drop(tasks);
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn the_queue_is_bounded_and_stop_drops_waiting_tasks() {
        let (tasks, root) = tasks(None);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // The first task holds the worker until the channel closes.
        tasks
            .submit(new_task(Box::new(move || {
                let _ = rx.recv_timeout(Duration::from_secs(10));
                Ok(Done::default())
            })))
            .unwrap();
        let mut refused = None;
        for _ in 0..=MAX_PENDING + 1 {
            if let Err(e) = tasks.submit(new_task(Box::new(|| Ok(Done::default())))) {
                refused = Some(e);
                break;
            }
        }
        let e = refused.expect("a full queue refuses");
        assert_eq!((e.status, e.code), (503, "ServiceUnavailable"));
        drop(tx);
        let started = Instant::now();
        tasks.stop();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(tasks.messages().len() <= 1);
        assert!(
            tasks
                .submit(new_task(Box::new(|| Ok(Done::default()))))
                .is_err()
        );
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn times_have_milliseconds() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_724_133_063_160);
        assert_eq!(iso_millis(t), "2024-08-20T05:51:03.160Z");
    }
}
