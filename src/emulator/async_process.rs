//! `POST ?x-oss-async-process`: reads the process, checks it at once as
//! OSS does (a typed asynchronous process, the source object, the
//! `sys/saveas` target's bucket), queues its task ([`super::tasks`]) and
//! answers the ids: `{"EventId", "RequestId", "TaskId"}`.
//!
//! Which task a process becomes is decided in [`task_for`]: one arm per
//! kind of task the emulator performs (today `image/deblindwatermark`).
//! Kinds it does not perform are queued all the same, as OSS would, and
//! their notification says `Failed` with Code `NotImplemented`, so a
//! program waiting for them is told rather than left waiting.

use crate::process::{Mode, Pipeline, Process};

use super::blind;
use super::errors::OssError;
use super::imaging;
use super::server::Response;
use super::store::Store;
use super::tasks::{Failure, NewTask, Tasks};

/// Queues the task `text` asks for on `bucket`/`key` and answers its ids.
pub(crate) fn submit(
    tasks: &Tasks,
    store: &Store,
    bucket: &str,
    key: &str,
    text: &str,
    request_id: &str,
) -> Result<Response, OssError> {
    let process = Process::parse(text)
        .map_err(|e| imaging::image_error(format!("The process is invalid: {e}")))?;
    if process.mode() != Some(Mode::Async) {
        return Err(OssError::invalid_argument(format!(
            "{} is synchronous: send it with x-oss-process, not x-oss-async-process.",
            process.pipeline().describe()
        )));
    }
    if let Some(target) = process.save_as() {
        store.require_bucket(target.bucket.as_deref().unwrap_or(bucket))?;
        Store::check_key(&target.key)?;
    }
    imaging::check_source_size(store.size(bucket, key)?)?;
    let task = task_for(&process, store, bucket, key, request_id)?;
    let ticket = tasks.submit(task)?;
    let body = serde_json::json!({
        "EventId": ticket.event_id,
        "RequestId": request_id,
        "TaskId": ticket.task_id,
    });
    Ok(Response::new(200)
        .header("Content-Type", "application/json")
        .body(body.to_string().into_bytes()))
}

/// The task a checked asynchronous process becomes.
fn task_for(
    process: &Process,
    store: &Store,
    bucket: &str,
    key: &str,
    request_id: &str,
) -> Result<NewTask, OssError> {
    let topic = process.notify_topic().map(str::to_string);
    let request_id = request_id.to_string();
    Ok(match process.pipeline() {
        Pipeline::DeBlindWatermark(d) => NewTask {
            task_type: blind::DECODE_TASK_TYPE.into(),
            topic,
            request_id,
            job: blind::decode_job(store.get(bucket, key)?.bytes, d),
        },
        other => {
            let what = other.describe();
            let task_type = match other {
                Pipeline::Video(_) | Pipeline::Audio(_) => "MediaConvert",
                Pipeline::Doc(_) => "DocConvert",
                _ => "AsyncProcess",
            };
            NewTask {
                task_type: task_type.into(),
                topic,
                request_id,
                job: Box::new(move || {
                    Err(Failure::new(
                        "NotImplemented",
                        format!("This emulator does not perform {what} tasks."),
                    ))
                }),
            }
        }
    })
}
