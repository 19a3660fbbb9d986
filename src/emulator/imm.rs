//! The document, video and audio families in the emulator: their process
//! strings are read and checked with the crate's parser, as OSS checks
//! them, and then answered the way a real bucket answers when nothing more
//! is known: IMM-backed actions (every `doc/`, `video/` and `audio/` action
//! but `video/snapshot`) as a bucket with no IMM project bound, 404
//! `Imm Client` with "ResourceNotFound, The specified resource Attachment
//! is not found." (the official SDKs' integration tests), synchronous and
//! asynchronous alike; `video/snapshot`, which the emulator cannot perform
//! (it decodes no video), 501 `NotImplemented`.
//!
//! A test registers a handler per action or family
//! ([`EmulatorBuilder::imm_handler`](super::EmulatorBuilder::imm_handler)):
//! it sees the request ([`ImmRequest`]) and returns an [`ImmAnswer`] (bytes,
//! JSON, an event stream, document AI text in whichever form the request
//! asked for, pages, or an error). A synchronous action's answer goes back
//! at once; an asynchronous task's handler runs on the task worker, and
//! what it returns is saved to the `sys/saveas` target (`{index}` in the
//! key numbering pages from 1) before the task's notification is
//! published.

use std::fmt;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::process::{DocAction, DocAi, DocAiFormat, Mode, Pipeline, Process, VideoAction};

use super::errors::OssError;
use super::server::Response;
use super::store::Store;
use super::tasks::{Done, Failure, NewTask, SavedObject};

/// A registered handler.
pub(crate) type Handler = Arc<dyn Fn(&ImmRequest<'_>) -> ImmAnswer + Send + Sync>;

/// The families a handler may be registered for.
const FAMILIES: [&str; 3] = ["doc", "video", "audio"];

/// The handlers of an emulator, by action (`doc/translate`) or family
/// (`doc`); the action's own wins.
#[derive(Default, Clone)]
pub(crate) struct ImmHandlers {
    handlers: Vec<(String, Handler)>,
}

impl fmt::Debug for ImmHandlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.handlers.iter().map(|(name, _)| name))
            .finish()
    }
}

impl ImmHandlers {
    /// Registers `handler` for `action`: a family (`doc`, `video`, `audio`)
    /// or one action of one (`doc/translate`, `video/info`).
    pub fn add(&mut self, action: String, handler: Handler) -> Result<(), String> {
        let family = action.split('/').next().unwrap_or("");
        let name = action.split_once('/').map(|(_, name)| name);
        let valid = FAMILIES.contains(&family)
            && name.is_none_or(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            });
        if !valid {
            return Err(format!(
                "an IMM handler is registered for doc, video, audio or one of their actions (e.g. doc/translate), not {action:?}"
            ));
        }
        self.handlers.retain(|(a, _)| *a != action);
        self.handlers.push((action, handler));
        Ok(())
    }

    fn find(&self, action: &str) -> Option<&Handler> {
        let family = action.split('/').next().unwrap_or(action);
        let by = |name: &str| {
            self.handlers
                .iter()
                .find(|(a, _)| a == name)
                .map(|(_, h)| h)
        };
        by(action).or_else(|| by(family))
    }
}

/// What a handler is asked: the action, its parsed process, and the source
/// object. Given to the closure of
/// [`EmulatorBuilder::imm_handler`](super::EmulatorBuilder::imm_handler).
#[derive(Debug)]
pub struct ImmRequest<'a> {
    method: &'a str,
    bucket: &'a str,
    key: &'a str,
    action: &'a str,
    process: &'a Process,
    source: Option<&'a [u8]>,
}

impl ImmRequest<'_> {
    /// `GET` or `POST`.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        self.bucket
    }

    /// The object key.
    pub fn key(&self) -> &str {
        self.key
    }

    /// The action, e.g. `doc/translate`.
    pub fn action(&self) -> &str {
        self.action
    }

    /// The process, parsed (with its `sys/saveas` and notify, for a task).
    pub fn process(&self) -> &Process {
        self.process
    }

    /// Whether this is an asynchronous task (its answer is saved).
    pub fn is_task(&self) -> bool {
        self.process.mode() == Some(Mode::Async)
    }

    /// The source object's bytes; `None` for document AI, whose key only
    /// names the bucket (the text is in the process).
    pub fn source(&self) -> Option<&[u8]> {
        self.source
    }

    /// The document AI request (task, text, format), for `doc/translate`
    /// and its siblings.
    pub fn doc_ai(&self) -> Option<&DocAi> {
        match self.process.pipeline() {
            Pipeline::Doc(DocAction::Ai(ai)) => Some(ai),
            _ => None,
        }
    }
}

/// What a handler answers. Made by its constructors.
///
/// ```
/// use oss_process::emulator::ImmAnswer;
///
/// let translated = ImmAnswer::doc_ai(["Hello", ", world"]);
/// let info = ImmAnswer::json(serde_json::json!({"FormatName": "mp4", "Duration": 12.5}));
/// let frame = ImmAnswer::bytes("image/jpeg", vec![0xff, 0xd8]);
/// let refused = ImmAnswer::error(403, "AccessDenied", "not today");
/// # let _ = (translated, info, frame, refused);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImmAnswer(Reply);

#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Bytes {
        content_type: String,
        body: Vec<u8>,
    },
    Json(Value),
    Events(Vec<Value>),
    DocAi(Vec<String>),
    Pages(Vec<Vec<u8>>),
    Error {
        status: u16,
        code: &'static str,
        message: String,
    },
    NoImmProject,
}

impl ImmAnswer {
    /// Bytes of a `Content-Type` (a frame, a converted document). For a
    /// task: the object saved.
    pub fn bytes(content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        ImmAnswer(Reply::Bytes {
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    /// A JSON answer (`video/info`, `audio/info`, ...).
    pub fn json(value: Value) -> Self {
        ImmAnswer(Reply::Json(value))
    }

    /// A server-sent event stream, one event per value (its `data:` line,
    /// the JSON as text), ending with a blank line.
    pub fn events(events: impl IntoIterator<Item = Value>) -> Self {
        ImmAnswer(Reply::Events(events.into_iter().collect()))
    }

    /// Document AI text in the form the request asked for: JSON
    /// `{"RequestId", "Output": {"Text", "FinishReason": "stop"}}` with the
    /// parts joined, or with `format_event-stream` one event per part, each
    /// holding the text so far, the last one finished, as OSS streams it.
    pub fn doc_ai<S: Into<String>>(parts: impl IntoIterator<Item = S>) -> Self {
        ImmAnswer(Reply::DocAi(parts.into_iter().map(Into::into).collect()))
    }

    /// Several objects, for a task whose `sys/saveas` key holds `{index}`
    /// (`doc/convert` to images: one per page, numbered from 1).
    pub fn pages(pages: impl IntoIterator<Item = Vec<u8>>) -> Self {
        ImmAnswer(Reply::Pages(pages.into_iter().collect()))
    }

    /// An OSS error answer (for a task: its notification's `Code` and
    /// `Message`).
    pub fn error(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ImmAnswer(Reply::Error {
            status,
            code,
            message: message.into(),
        })
    }

    /// What a bucket with no IMM project bound answers: 404 `Imm Client`.
    pub fn no_imm_project() -> Self {
        ImmAnswer(Reply::NoImmProject)
    }
}

/// The error of a bucket with no IMM project bound.
pub(crate) fn no_imm_project() -> OssError {
    OssError::new(
        404,
        "Imm Client",
        "",
        "ResourceNotFound, The specified resource Attachment is not found.",
    )
}

/// `doc/translate`, `video/info`, ... of a typed family process; `None`
/// for image chains, styles, `image/deblindwatermark` and raw text.
fn action_of(process: &Process) -> Option<String> {
    let name = |family: &str, name: &str| Some(format!("{family}/{name}"));
    match process.pipeline() {
        Pipeline::Doc(a) => name("doc", a.name()),
        Pipeline::Video(a) => name("video", a.name()),
        Pipeline::Audio(a) => name("audio", a.name()),
        Pipeline::Async(text) => Some(text.split(',').next().unwrap_or(text).to_string()),
        _ => None,
    }
}

/// What the emulator answers an action without a handler.
fn unhandled(process: &Process, action: &str) -> OssError {
    if matches!(
        process.pipeline(),
        Pipeline::Video(VideoAction::Snapshot(_))
    ) {
        return OssError::new(
            501,
            "NotImplemented",
            "0016-00000007",
            format!(
                "This emulator does not decode video, so it cannot answer {action}; register a handler for it (EmulatorBuilder::imm_handler)."
            ),
        );
    }
    no_imm_project()
}

/// Answers a synchronous `doc/`, `video/` or `audio/` process (GET or
/// POST); `Ok(None)` for anything else (image chains and the rest, and
/// text the parser refuses, which the image path reports).
pub(crate) fn answer(
    handlers: &ImmHandlers,
    store: &Store,
    method: &str,
    bucket: &str,
    key: &str,
    text: &str,
    request_id: &str,
) -> Result<Option<Response>, OssError> {
    let Ok(process) = Process::parse(text) else {
        return Ok(None);
    };
    let Some(action) = action_of(&process) else {
        return Ok(None);
    };
    if process.mode() == Some(Mode::Async) {
        return Err(OssError::invalid_argument(format!(
            "{action} is asynchronous: send it with x-oss-async-process."
        )));
    }
    if method == "GET" && process.method() == Some(crate::process::Method::Post) {
        return Err(OssError::invalid_argument(format!(
            "operation not support get: {action}"
        )));
    }
    let handler = handlers
        .find(&action)
        .ok_or_else(|| unhandled(&process, &action))?;
    let source = match process.pipeline() {
        Pipeline::Doc(DocAction::Ai(_)) => None,
        _ => Some(store.get(bucket, key)?.bytes),
    };
    let answer = handler(&ImmRequest {
        method,
        bucket,
        key,
        action: &action,
        process: &process,
        source: source.as_deref(),
    });
    render(answer, &process, request_id).map(Some)
}

/// A synchronous answer on the wire.
fn render(answer: ImmAnswer, process: &Process, request_id: &str) -> Result<Response, OssError> {
    let json_answer = |value: &Value| {
        Response::new(200)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(value.to_string().into_bytes())
    };
    let events_answer = |events: &[Value]| {
        let mut body = String::new();
        for (i, event) in events.iter().enumerate() {
            body.push_str(&format!("id:{i}\ndata:{event}\n\n"));
        }
        Response::new(200)
            .header("Content-Type", "text/event-stream;charset=UTF-8")
            .body(body.into_bytes())
    };
    Ok(match answer.0 {
        Reply::Bytes { content_type, body } => Response::new(200)
            .header("Content-Type", content_type)
            .body(body),
        Reply::Json(value) => json_answer(&value),
        Reply::Events(events) => events_answer(&events),
        Reply::DocAi(parts) => {
            let streamed = match process.pipeline() {
                Pipeline::Doc(DocAction::Ai(ai)) => ai.format == Some(DocAiFormat::EventStream),
                _ => false,
            };
            let output = |text: &str, done: bool| {
                json!({
                    "RequestId": request_id,
                    "Output": {"Text": text, "FinishReason": if done { Value::from("stop") } else { Value::Null }},
                })
            };
            if streamed {
                let mut text = String::new();
                let events: Vec<Value> = parts
                    .iter()
                    .enumerate()
                    .map(|(i, part)| {
                        text.push_str(part);
                        output(&text, i + 1 == parts.len())
                    })
                    .collect();
                events_answer(&events)
            } else {
                json_answer(&output(&parts.concat(), true))
            }
        }
        Reply::Pages(_) => {
            return Err(OssError::internal(
                "An IMM handler answered pages to a synchronous action; pages are for tasks that save them.",
            ));
        }
        Reply::Error {
            status,
            code,
            message,
        } => return Err(OssError::new(status, code, "", message)),
        Reply::NoImmProject => return Err(no_imm_project()),
    })
}

/// The task an asynchronous `doc/`, `video/` or `audio/` process becomes,
/// when a handler is registered for it; otherwise the request is refused
/// as a bucket with no IMM project refuses it.
pub(crate) fn task(
    handlers: &ImmHandlers,
    store: &Store,
    process: &Process,
    bucket: &str,
    key: &str,
    request_id: &str,
) -> Result<NewTask, OssError> {
    let action = action_of(process).unwrap_or_else(|| process.pipeline().describe());
    let handler = Arc::clone(handlers.find(&action).ok_or_else(no_imm_project)?);
    let source = store.get(bucket, key)?.bytes;
    let target = process.save_as().cloned();
    let (bucket, key, process_owned) = (bucket.to_string(), key.to_string(), process.clone());
    let task_type = match process.pipeline() {
        Pipeline::Video(_) | Pipeline::Audio(_) => "MediaConvert",
        Pipeline::Doc(_) => "DocConvert",
        _ => "AsyncProcess",
    };
    Ok(NewTask {
        task_type: task_type.into(),
        topic: process.notify_topic().map(str::to_string),
        request_id: request_id.to_string(),
        job: Box::new(move || {
            let answer = handler(&ImmRequest {
                method: "POST",
                bucket: &bucket,
                key: &key,
                action: &action,
                process: &process_owned,
                source: Some(&source),
            });
            let target_bucket = target
                .as_ref()
                .and_then(|t| t.bucket.clone())
                .unwrap_or_else(|| bucket.clone());
            let target_key = target.map(|t| t.key).unwrap_or_default();
            let object = |index: usize, bytes: Vec<u8>| SavedObject {
                bucket: target_bucket.clone(),
                key: target_key.replace("{index}", &index.to_string()),
                bytes,
            };
            match answer.0 {
                Reply::Bytes { body, .. } => Ok(Done {
                    saved: vec![object(1, body)],
                    fields: Vec::new(),
                }),
                Reply::Pages(pages) => Ok(Done {
                    saved: pages
                        .into_iter()
                        .enumerate()
                        .map(|(i, page)| object(i + 1, page))
                        .collect(),
                    fields: Vec::new(),
                }),
                Reply::Error { code, message, .. } => Err(Failure::new(code, message)),
                Reply::NoImmProject => {
                    let e = no_imm_project();
                    Err(Failure::new(e.code, e.message))
                }
                Reply::Json(_) | Reply::Events(_) | Reply::DocAi(_) => Err(Failure::new(
                    "InternalError",
                    "An IMM handler answered JSON or events to a task; a task saves bytes or pages.",
                )),
            }
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_register_by_family_or_action_and_the_action_wins() {
        let mut handlers = ImmHandlers::default();
        let answer =
            |text: &'static str| -> Handler { Arc::new(move |_| ImmAnswer::doc_ai([text])) };
        handlers.add("doc".into(), answer("family")).unwrap();
        handlers
            .add("doc/translate".into(), answer("action"))
            .unwrap();
        for bad in ["", "image", "doc/", "doc/Translate", "hls/m3u8", "docs"] {
            assert!(handlers.add(bad.into(), answer("x")).is_err(), "{bad}");
        }
        let process = Process::parse("doc/translate,language_en_US,content_eA").unwrap();
        let request = |action| ImmRequest {
            method: "POST",
            bucket: "b",
            key: "k",
            action,
            process: &process,
            source: None,
        };
        assert_eq!(
            handlers.find("doc/translate").unwrap()(&request("doc/translate")),
            ImmAnswer::doc_ai(["action"])
        );
        assert_eq!(
            handlers.find("doc/polish").unwrap()(&request("doc/polish")),
            ImmAnswer::doc_ai(["family"])
        );
        assert!(handlers.find("video/info").is_none());
    }

    #[test]
    fn document_ai_text_renders_as_the_request_asked() {
        let json = Process::parse("doc/polish,content_eA").unwrap();
        let r = render(ImmAnswer::doc_ai(["a", "b"]), &json, "RID").unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body,
            json!({"RequestId": "RID", "Output": {"Text": "ab", "FinishReason": "stop"}})
        );
        let events = Process::parse("doc/polish,content_eA,format_event-stream").unwrap();
        let r = render(ImmAnswer::doc_ai(["a", "b"]), &events, "RID").unwrap();
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "id:0\ndata:{\"Output\":{\"FinishReason\":null,\"Text\":\"a\"},\"RequestId\":\"RID\"}\n\n\
             id:1\ndata:{\"Output\":{\"FinishReason\":\"stop\",\"Text\":\"ab\"},\"RequestId\":\"RID\"}\n\n"
        );
    }
}
