//! Reading the message an asynchronous task sends to its notify topic
//! (`sys/notify,topic_...`) when it ends: [`TaskNotification`].
//!
//! OSS hands asynchronous processing to IMM, and the message is IMM's: a
//! JSON envelope (`id`, `source`, `type`, `subject`, `time`) whose
//! `content` is a JSON *string* holding the task's own fields (`TaskId`,
//! `TaskType`, `Status`, `Code`, `Message`, `RequestId`, `StartTime`,
//! `EndTime`, `UserData`, and for `image/deblindwatermark` the decoded text
//! in `Content`). A program that reads its MNS (SMQ) queue hands the message
//! body to [`TaskNotification::parse`] as it comes: the envelope itself, the
//! JSON a topic pushes to a queue subscription (`TopicOwner`, `TopicName`,
//! `Message`, ...), or either of those base64-encoded (MNS SDKs encode
//! message bodies in base64 by default).

use serde_json::{Map, Value};

use crate::encoding::base64_std_decode;
use crate::error::Error;
use crate::redact::preview;

/// The longest body [`TaskNotification::parse`] reads: MNS messages are at
/// most 64 KiB, so this leaves room for base64 and a push envelope.
const MAX_BODY: usize = 256 * 1024;

/// The message a finished asynchronous task sends to its notify topic,
/// parsed: the task's id, type and status, its error code and message when
/// it failed, and for `image/deblindwatermark` the decoded text.
///
/// ```
/// use oss_process::TaskNotification;
///
/// // The body an MNS queue receives (here in its documented form).
/// let body = r#"{"id":"9A9E6F5C-1","source":"acs.imm","type":"imm:Task:DecodeBlindWatermark",
///     "subject":"acs:imm:cn-hangzhou:1234:proj/imm:Task:DecodeBlindWatermark","time":"1724133063161",
///     "content":"{\"TaskType\":\"DecodeBlindWatermark\",\"TaskId\":\"DecodeBlindWatermark-c09b\",\"Status\":\"Succeeded\",\"Code\":\"\",\"Message\":\"\",\"Content\":\"阿里云版权所有\"}"}"#;
/// let n = TaskNotification::parse(body)?;
/// assert_eq!(n.task_id(), "DecodeBlindWatermark-c09b");
/// assert!(n.succeeded());
/// assert_eq!(n.decoded_text(), Some("阿里云版权所有"));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskNotification {
    id: String,
    source: String,
    event_type: String,
    subject: String,
    time: String,
    task_id: String,
    task_type: String,
    status: String,
    code: String,
    message: String,
    request_id: String,
    content: Map<String, Value>,
}

impl TaskNotification {
    /// Reads a message body: the IMM envelope whose `content` is the task's
    /// fields as a JSON string (or, leniently, as an object), the JSON a
    /// topic pushes to a queue (the envelope in its `Message`), or either
    /// of these in standard base64. Surrounding whitespace is ignored.
    ///
    /// Fails with [`Error::Decode`] when the body is none of these, or
    /// names no `TaskId`.
    ///
    /// ```
    /// use oss_process::TaskNotification;
    ///
    /// let failed = r#"{"type":"imm:Task:DecodeBlindWatermark","content":"{\"TaskId\":\"t-1\",\"Status\":\"Failed\",\"Code\":\"ResourceNotFound\",\"Message\":\"The specified resource project is not found.\"}"}"#;
    /// let n = TaskNotification::parse(failed)?;
    /// assert!(n.failed());
    /// assert_eq!(n.code(), "ResourceNotFound");
    /// assert_eq!(n.decoded_text(), None);
    /// assert!(TaskNotification::parse("not a message").is_err());
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn parse(body: impl AsRef<[u8]>) -> Result<TaskNotification, Error> {
        let body = body.as_ref();
        if body.len() > MAX_BODY {
            return Err(decode(format!(
                "the notification is {} bytes, more than the {MAX_BODY} a message can be",
                body.len()
            )));
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| decode("the notification is not UTF-8".to_string()))?
            .trim();
        let envelope = object_or_base64(text, 0)?;
        Self::from_envelope(envelope)
    }

    fn from_envelope(mut envelope: Map<String, Value>) -> Result<TaskNotification, Error> {
        let content = match envelope.remove("content") {
            Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(decode(format!(
                        "the notification's content is not a JSON object: {}",
                        preview(s.as_bytes())
                    )));
                }
            },
            Some(Value::Object(map)) => map,
            _ => {
                return Err(decode(
                    "the notification has no content (the task's fields)".to_string(),
                ));
            }
        };
        let field = |map: &Map<String, Value>, name: &str| super::json_string(map, name);
        let n = TaskNotification {
            id: field(&envelope, "id"),
            source: field(&envelope, "source"),
            event_type: field(&envelope, "type"),
            subject: field(&envelope, "subject"),
            time: field(&envelope, "time"),
            task_id: field(&content, "TaskId"),
            task_type: field(&content, "TaskType"),
            status: field(&content, "Status"),
            code: field(&content, "Code"),
            message: field(&content, "Message"),
            request_id: field(&content, "RequestId"),
            content,
        };
        if n.task_id.is_empty() {
            return Err(decode(
                "the notification's content names no TaskId".to_string(),
            ));
        }
        Ok(n)
    }

    /// The task's id (`TaskId`), as
    /// [`AsyncProcessObjectResult::task_id`](crate::AsyncProcessObjectResult::task_id)
    /// gave it.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The task's type (`TaskType`), e.g. `DecodeBlindWatermark`.
    pub fn task_type(&self) -> &str {
        &self.task_type
    }

    /// The task's status (`Status`): `Succeeded` or `Failed`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Whether the status is `Succeeded`.
    pub fn succeeded(&self) -> bool {
        self.status == "Succeeded"
    }

    /// Whether the status is `Failed`.
    pub fn failed(&self) -> bool {
        self.status == "Failed"
    }

    /// The error code of a failed task (`Code`); empty otherwise.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The error message of a failed task (`Message`); empty otherwise.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request id of the task (`RequestId` in the content).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The text an `image/deblindwatermark` task read (`Content`); `None`
    /// for other tasks and for failures.
    pub fn decoded_text(&self) -> Option<&str> {
        self.content
            .get("Content")
            .and_then(Value::as_str)
            .filter(|_| !self.failed())
    }

    /// Any field of the task's content, as text (strings as they are,
    /// numbers written out); `None` when absent or not a string or number.
    ///
    /// ```
    /// use oss_process::TaskNotification;
    ///
    /// let n = TaskNotification::parse(r#"{"content":"{\"TaskId\":\"t\",\"StartTime\":\"2024-08-20T05:51:03.160Z\"}"}"#)?;
    /// assert_eq!(n.field("StartTime"), Some("2024-08-20T05:51:03.160Z"));
    /// assert_eq!(n.field("EndTime"), None);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn field(&self, name: &str) -> Option<&str> {
        self.content.get(name).and_then(Value::as_str)
    }

    /// Every field of the task's content.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.content
    }

    /// The message id (`id` of the envelope).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Who sent the message (`source`), `acs.imm`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The event type (`type`), e.g. `imm:Task:DecodeBlindWatermark`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The event subject (`subject`): the project and task type.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When the message was sent (`time`), milliseconds since the epoch as
    /// text.
    pub fn time(&self) -> &str {
        &self.time
    }
}

/// The JSON object `text` holds: the IMM envelope, or a queue push whose
/// `Message` holds it; either may be base64. `depth` bounds the unwrapping.
fn object_or_base64(text: &str, depth: u8) -> Result<Map<String, Value>, Error> {
    if depth > 3 {
        return Err(decode(
            "the notification is wrapped too many times".to_string(),
        ));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut map)) => {
            if map.contains_key("content") {
                return Ok(map);
            }
            // A topic's push to a queue subscription (JSON format): the
            // published message is in `Message`.
            match map.remove("Message") {
                Some(Value::String(inner)) => object_or_base64(inner.trim(), depth + 1),
                Some(Value::Object(inner)) => Ok(inner),
                _ => Err(decode(format!(
                    "the notification is JSON without content or Message: {}",
                    preview(text.as_bytes())
                ))),
            }
        }
        Ok(_) => Err(decode(format!(
            "the notification is JSON but not an object: {}",
            preview(text.as_bytes())
        ))),
        Err(_) => {
            let Some(bytes) = base64_std_decode(text) else {
                return Err(decode(format!(
                    "the notification is neither JSON nor base64: {}",
                    preview(text.as_bytes())
                )));
            };
            let inner = std::str::from_utf8(&bytes)
                .map_err(|_| decode("the notification's base64 does not hold UTF-8".to_string()))?;
            object_or_base64(inner.trim(), depth + 1)
        }
    }
}

fn decode(message: String) -> Error {
    Error::Decode {
        message,
        request_id: None,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64_std;

    /// The reference's probable shape of a decode task's message.
    const SUCCEEDED: &str = r#"{"id":"2C2-1I0EG57VR37J4rQ8oKG6C9*****","source":"acs.imm","type":"imm:Task:DecodeBlindWatermark","subject":"acs:imm:cn-hangzhou:1234567890:imm-test/imm:Task:DecodeBlindWatermark","time":"1724133063161","content":"{\"ProjectName\":\"imm-test\",\"RequestId\":\"R-1\",\"StartTime\":\"2024-08-20T05:51:03.160Z\",\"EndTime\":\"2024-08-20T05:51:04.001Z\",\"UserData\":\"\",\"TaskType\":\"DecodeBlindWatermark\",\"TaskId\":\"DecodeBlindWatermark-c09b0943-0000\",\"Status\":\"Succeeded\",\"Code\":\"\",\"Message\":\"\",\"Content\":\"阿里云版权所有\"}"}"#;

    #[test]
    fn reads_the_envelope_and_its_content_string() {
        let n = TaskNotification::parse(SUCCEEDED).unwrap();
        assert_eq!(n.task_id(), "DecodeBlindWatermark-c09b0943-0000");
        assert_eq!(n.task_type(), "DecodeBlindWatermark");
        assert!(n.succeeded() && !n.failed());
        assert_eq!(n.decoded_text(), Some("阿里云版权所有"));
        assert_eq!(n.request_id(), "R-1");
        assert_eq!(n.source(), "acs.imm");
        assert_eq!(n.event_type(), "imm:Task:DecodeBlindWatermark");
        assert_eq!(n.time(), "1724133063161");
        assert_eq!(n.id(), "2C2-1I0EG57VR37J4rQ8oKG6C9*****");
        assert!(n.subject().ends_with("/imm:Task:DecodeBlindWatermark"));
        assert_eq!(n.field("ProjectName"), Some("imm-test"));
    }

    #[test]
    fn reads_failures() {
        let body = r#"{"content":"{\"TaskType\":\"DecodeBlindWatermark\",\"TaskId\":\"t-2\",\"Status\":\"Failed\",\"Code\":\"ResourceNotFound\",\"Message\":\"The specified resource project is not found.\",\"Content\":\"\"}"}"#;
        let n = TaskNotification::parse(body).unwrap();
        assert!(n.failed());
        assert_eq!(
            (n.code(), n.message()),
            (
                "ResourceNotFound",
                "The specified resource project is not found."
            )
        );
        assert_eq!(n.decoded_text(), None);
    }

    #[test]
    fn reads_base64_and_queue_pushes() {
        let wrapped = base64_std(SUCCEEDED.as_bytes());
        assert_eq!(
            TaskNotification::parse(format!("{wrapped}\n")).unwrap(),
            TaskNotification::parse(SUCCEEDED).unwrap()
        );
        let push = serde_json::json!({
            "TopicOwner": "1234567890",
            "TopicName": "imm-blindwatermark-test",
            "Subscriber": "1234567890",
            "SubscriptionName": "sub",
            "MessageId": "5DA8B4E0",
            "Message": SUCCEEDED,
            "PublishTime": "1724133063170",
        })
        .to_string();
        let n = TaskNotification::parse(&push).unwrap();
        assert_eq!(n.decoded_text(), Some("阿里云版权所有"));
        // The push with a base64 message inside, and the whole in base64.
        let push64 = serde_json::json!({"TopicName": "t", "Message": wrapped}).to_string();
        let n = TaskNotification::parse(base64_std(push64.as_bytes())).unwrap();
        assert_eq!(n.task_id(), "DecodeBlindWatermark-c09b0943-0000");
        // Content given as an object rather than a string.
        let n =
            TaskNotification::parse(r#"{"content":{"TaskId":"t","Status":"Succeeded"}}"#).unwrap();
        assert!(n.succeeded());
    }

    #[test]
    fn refuses_what_is_not_a_notification() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"content":"not json"}"#,
            r#"{"content":"{\"Status\":\"Succeeded\"}"}"#,
            r#"{"Message":"bm90IGpzb24"}"#,
            "%%%",
            "\u{ff}",
        ] {
            let e = TaskNotification::parse(bad).unwrap_err();
            assert!(matches!(e, Error::Decode { .. }), "{bad:?}: {e}");
        }
        assert!(TaskNotification::parse(vec![b' '; MAX_BODY + 1]).is_err());
        // Base64 nested without end is bounded.
        let mut nested = SUCCEEDED.to_string();
        for _ in 0..6 {
            nested = base64_std(nested.as_bytes());
        }
        assert!(TaskNotification::parse(&nested).is_err());
    }
}
