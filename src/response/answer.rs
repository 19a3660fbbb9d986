//! What [`Client::post_process`](crate::Client::post_process) returns: the
//! answer read as what its `Content-Type` says it is ([`ProcessAnswer`]),
//! and JSON answers of no shape this crate types ([`JsonAnswer`]).

use serde_json::Value;

use crate::download::ProcessedObject;
use crate::events::EventStream;

use super::ProcessObjectResult;
use super::doc_ai::DocAiAnswer;

/// The answer to a synchronous processing POST, read as what the service
/// sent:
///
/// | answer | variant |
/// |---|---|
/// | the `sys/saveas` result (JSON, or an empty body) | [`Saved`](Self::Saved) |
/// | document AI JSON (`{"RequestId", "Output": {"Text", "FinishReason"}}`) | [`DocAi`](Self::DocAi) |
/// | any other JSON (`application/json`) | [`Json`](Self::Json) |
/// | `text/event-stream` | [`Events`](Self::Events), read as it comes |
/// | anything else (`image/*`, `application/octet-stream`, text, ...) | [`Bytes`](Self::Bytes), streamed like [`Client::get_processed`](crate::Client::get_processed) |
///
/// Bytes are never parsed as JSON, whatever they hold.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// use oss_process::ProcessAnswer;
///
/// match client.post_process("examplebucket", "cat.jpg", "image/resize,w_100")? {
///     ProcessAnswer::Bytes(image) => {
///         image.save_to("cat-100.jpg")?;
///     }
///     ProcessAnswer::Saved(saved) => println!("saved as {}", saved.key()),
///     other => println!("answered {other:?}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ProcessAnswer {
    /// The process saved its result: where (`sys/saveas`).
    Saved(ProcessObjectResult),
    /// A document AI answer.
    DocAi(DocAiAnswer),
    /// JSON of another shape.
    Json(JsonAnswer),
    /// A server-sent event stream, read as it comes.
    Events(EventStream),
    /// The processed bytes (an image, a page, ...), as a stream.
    Bytes(ProcessedObject),
}

impl ProcessAnswer {
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        match self {
            ProcessAnswer::Saved(r) => r.request_id(),
            ProcessAnswer::DocAi(r) => r.request_id(),
            ProcessAnswer::Json(r) => r.request_id(),
            ProcessAnswer::Events(r) => r.request_id(),
            ProcessAnswer::Bytes(r) => r.request_id(),
        }
    }
}

/// A JSON answer of no shape this crate types, as parsed.
///
/// ```
/// # fn demo(answer: oss_process::JsonAnswer) {
/// if let Some(format) = answer.value().get("Format") {
///     println!("{format}");
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JsonAnswer {
    value: Value,
    content_type: String,
    request_id: String,
}

impl JsonAnswer {
    pub(crate) fn new(value: Value, content_type: String, request_id: String) -> Self {
        JsonAnswer {
            value,
            content_type,
            request_id,
        }
    }

    /// The parsed JSON.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The parsed JSON, by value.
    #[must_use]
    pub fn into_value(self) -> Value {
        self.value
    }

    /// `Content-Type` of the answer.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}
