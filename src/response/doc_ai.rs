//! Document AI answers: the JSON `{"RequestId", "Output": {"Text",
//! "FinishReason"}}` ([`DocAiAnswer`]; the SSE page's example spells the id
//! `RequestID`, the action pages `RequestId`: both are read), and the event
//! stream whose every event is such an answer holding the whole text so far
//! ([`DocAiEvents`]; the enrich page: "Each packet contains the full output
//! accumulated to that point. The stream ends when FinishReason changes
//! from null to stop").

use std::fmt;

use serde_json::Value;

use crate::error::Error;
use crate::events::{Event, EventStream};
use crate::redact::preview;

use super::{decode_error, parse_json_object};

/// A document AI answer (`doc/translate` and the others): the text, and
/// whether it is finished. What the client's `doc_translate` and its
/// siblings return, and each item of [`DocAiEvents`].
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// use oss_process::process::DocLanguage;
///
/// let answer = client.doc_translate("examplebucket", "any.txt", "你好，世界", DocLanguage::EnUs)?;
/// println!("{} ({:?})", answer.text(), answer.finish_reason());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocAiAnswer {
    text: String,
    finish_reason: Option<String>,
    process_request_id: String,
    request_id: String,
}

impl DocAiAnswer {
    /// `Output.Text`: the result (in an event, the whole text so far).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, by value.
    #[must_use]
    pub fn into_text(self) -> String {
        self.text
    }

    /// `Output.FinishReason`: `None` (JSON `null`) while the text is being
    /// generated, `Some("stop")` when it is finished.
    pub fn finish_reason(&self) -> Option<&str> {
        self.finish_reason.as_deref()
    }

    /// Whether the service said the text is finished (a `FinishReason`
    /// other than `null`).
    pub fn is_finished(&self) -> bool {
        self.finish_reason.is_some()
    }

    /// `RequestId` (or `RequestID`) in the body.
    pub fn process_request_id(&self) -> &str {
        &self.process_request_id
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

/// Reads a document AI answer from JSON already parsed. `body` is quoted
/// in errors when given: a whole answer's body, read within the call (whose
/// errors are scrubbed of secrets); an event's data, read after the call
/// returned, is not quoted.
pub(crate) fn doc_ai_from_value(
    value: Value,
    request_id: &str,
    body: Option<&[u8]>,
) -> Result<DocAiAnswer, Error> {
    let quoted = || body.map_or_else(|| "(the event's data is not shown)".into(), preview);
    let Value::Object(mut map) = value else {
        return Err(decode_error(
            format!(
                "the document AI answer is JSON but not an object: {}",
                quoted()
            ),
            request_id,
            None,
        ));
    };
    let process_request_id = ["RequestId", "RequestID"]
        .iter()
        .find_map(|name| match map.remove(*name) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        })
        .unwrap_or_default();
    let missing = |what: &str| {
        decode_error(
            format!("the document AI answer has no {what}: {}", quoted()),
            request_id,
            None,
        )
    };
    let Some(Value::Object(mut output)) = map.remove("Output") else {
        return Err(missing("Output object"));
    };
    let text = match output.remove("Text") {
        Some(Value::String(text)) => text,
        _ => return Err(missing("Output.Text string")),
    };
    let finish_reason = match output.remove("FinishReason") {
        None | Some(Value::Null) => None,
        Some(Value::String(reason)) if reason.is_empty() || reason == "null" => None,
        Some(Value::String(reason)) => Some(reason),
        Some(other) => Some(other.to_string()),
    };
    Ok(DocAiAnswer {
        text,
        finish_reason,
        process_request_id,
        request_id: request_id.to_string(),
    })
}

/// Parses a JSON document AI answer body.
pub(crate) fn parse_doc_ai(request_id: &str, body: &[u8]) -> Result<DocAiAnswer, Error> {
    let map = parse_json_object(body, request_id, "document AI")?;
    doc_ai_from_value(Value::Object(map), request_id, Some(body))
}

/// Reads one event of a document AI stream.
fn doc_ai_event(event: &Event, request_id: &str) -> Result<DocAiAnswer, Error> {
    let data = event.data().as_bytes();
    let value = serde_json::from_slice(data).map_err(|e| {
        decode_error(
            format!(
                "a document AI event's data ({} bytes) is not JSON",
                data.len()
            ),
            request_id,
            Some(e),
        )
    })?;
    doc_ai_from_value(value, request_id, None)
}

/// The event-stream form of a document AI answer, read as it comes: each
/// item is a [`DocAiAnswer`] with the whole text so far; the last has a
/// `FinishReason`. A stream that ends before such an event, or is cut
/// midway, yields an error, never a quiet end. Made by
/// [`Client::doc_ai_events`](crate::Client::doc_ai_events).
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// use oss_process::process::DocAi;
///
/// let mut shown = 0;
/// let events = client.doc_ai_events("examplebucket", "any.txt", DocAi::summarize("A long text."))?;
/// for answer in events {
///     let answer = answer?;
///     print!("{}", &answer.text()[shown..]); // each event holds the whole text so far
///     shown = answer.text().len();
/// }
/// # Ok(()) }
/// ```
pub struct DocAiEvents {
    events: EventStream,
    finished: bool,
    done: bool,
}

impl fmt::Debug for DocAiEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocAiEvents")
            .field("events", &self.events)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl DocAiEvents {
    pub(crate) fn new(events: EventStream) -> Self {
        DocAiEvents {
            events,
            finished: false,
            done: false,
        }
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        self.events.request_id()
    }

    /// Reads the stream to its end and returns the last answer: the whole,
    /// finished text.
    pub fn finish(self) -> Result<DocAiAnswer, Error> {
        let mut last = None;
        for answer in self {
            last = Some(answer?);
        }
        // The iterator yields an error when no event finished the text.
        last.ok_or_else(|| Error::Decode {
            message: "the document AI event stream held no event".into(),
            request_id: None,
            source: None,
        })
    }
}

impl Iterator for DocAiEvents {
    type Item = Result<DocAiAnswer, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let request_id = self.events.request_id().to_string();
        let item = match self.events.next() {
            Some(Ok(event)) => doc_ai_event(&event, &request_id).inspect(|answer| {
                self.finished |= answer.is_finished();
            }),
            Some(Err(e)) => Err(e),
            None if self.finished => {
                self.done = true;
                return None;
            }
            None => Err(decode_error(
                "the document AI event stream ended before an event with a FinishReason: it was cut midway".into(),
                &request_id,
                None,
            )),
        };
        if item.is_err() {
            self.done = true;
        }
        Some(item)
    }
}

impl std::iter::FusedIterator for DocAiEvents {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_the_request_id_and_a_null_finish_reason() {
        let a = parse_doc_ai(
            "H",
            br#"{"RequestID": "64D0", "Output": {"Text": "A Ghost", "FinishReason": "stop"}}"#,
        )
        .unwrap();
        assert_eq!(
            (
                a.text(),
                a.finish_reason(),
                a.process_request_id(),
                a.request_id()
            ),
            ("A Ghost", Some("stop"), "64D0", "H")
        );
        assert!(a.is_finished());
        let a = parse_doc_ai(
            "H",
            br#"{"RequestId": "R", "Output": {"Text": "A", "FinishReason": null}}"#,
        )
        .unwrap();
        assert_eq!((a.process_request_id(), a.finish_reason()), ("R", None));
        assert!(!a.is_finished());
    }

    #[test]
    fn what_is_not_an_answer_is_a_decode_error() {
        for bad in [
            &b"\xff\xd8\xff"[..],
            b"[]",
            br#"{"RequestId": "R"}"#,
            br#"{"Output": {"FinishReason": "stop"}}"#,
            br#"{"Output": {"Text": 3}}"#,
        ] {
            let e = parse_doc_ai("H", bad).unwrap_err();
            assert!(matches!(e, Error::Decode { .. }), "{e:?}");
            assert_eq!(e.request_id(), Some("H"));
        }
    }
}
