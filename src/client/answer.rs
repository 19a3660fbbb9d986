//! Answers read by their `Content-Type`: [`Client::post_process`], the
//! synchronous processing POST that returns what the service sent (the
//! saveas result, document AI or other JSON, an event stream, or the
//! processed bytes as a stream), and the helpers every call that streams
//! an answer's body shares.

use ureq::http::Response;

use crate::download::{Download, ProcessedObject};
use crate::error::Error;
use crate::events::EventStream;
use crate::response::answer::{JsonAnswer, ProcessAnswer};
use crate::response::doc_ai::doc_ai_from_value;
use crate::response::{decode_error, parse_process_result};

use super::Client;
use super::request::ProcessKind;
use super::route;
use super::send::header;

/// What an answer's `Content-Type` says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `application/json`, `text/json`, `*+json`.
    Json,
    /// `text/event-stream`.
    Events,
    /// `image/*`, `video/*`, `audio/*`, `application/octet-stream`, PDF:
    /// bytes that are never read as JSON.
    Binary,
    /// Anything else, or nothing.
    Other,
}

impl Kind {
    pub(super) fn of(content_type: &str) -> Kind {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "application/json" | "text/json" => Kind::Json,
            m if m.ends_with("+json") => Kind::Json,
            "text/event-stream" => Kind::Events,
            "application/octet-stream" | "application/pdf" => Kind::Binary,
            m if m.starts_with("image/") || m.starts_with("video/") || m.starts_with("audio/") => {
                Kind::Binary
            }
            _ => Kind::Other,
        }
    }
}

impl Client {
    /// Sends a synchronous process with POST (`POST /<key>?x-oss-process`)
    /// and returns what the service answered, read as its `Content-Type`
    /// says: see [`ProcessAnswer`]. The one call for any synchronous
    /// action: an image chain or style without `sys/saveas` answers the
    /// processed bytes (a stream, like [`get_processed`](Self::get_processed),
    /// never parsed as JSON); with it, where it saved them; document AI
    /// answers JSON or an event stream.
    ///
    /// Bucket, key and process are checked before any I/O; an asynchronous
    /// task is refused (send it with
    /// [`async_process_object`](Self::async_process_object)). The bytes
    /// and the events have the download deadline and cap, JSON the answer
    /// cap.
    ///
    /// ```no_run
    /// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
    /// use oss_process::ProcessAnswer;
    /// use oss_process::process::{Process, Resize};
    ///
    /// let thumb = Process::image().resize(Resize::lfit(100, 100)).build()?;
    /// let ProcessAnswer::Bytes(image) = client.post_process("examplebucket", "cat.jpg", &thumb)? else {
    ///     panic!("an image chain without saveas answers the image");
    /// };
    /// println!("{} bytes of {}", image.save_to("cat-100.jpg")?, "image/jpeg");
    /// # Ok(()) }
    /// ```
    pub fn post_process(
        &self,
        bucket: &str,
        key: &str,
        process: impl AsRef<str>,
    ) -> Result<ProcessAnswer, Error> {
        let process = process.as_ref();
        let typed = route::for_answer(process)?;
        let saves = typed
            .as_ref()
            .map_or_else(|| process.contains("sys/saveas"), |p| p.save_as().is_some());
        let expect_image = route::expects_image(process, typed.as_ref());
        let mut prepared = self.prepare_post(bucket, key, ProcessKind::Sync, process)?;
        prepared.streaming = true;
        let target = prepared.describe();
        self.execute(&prepared, |status, request_id, mut response| {
            let content_type = header(&response, "content-type").unwrap_or("").to_string();
            let kind = Kind::of(&content_type);
            if kind == Kind::Events {
                let body = self.download(response, request_id, &target, false)?;
                return Ok(ProcessAnswer::Events(self.event_stream(body)));
            }
            if saves && kind != Kind::Binary {
                let body = self.read_capped(&mut response, request_id, &target)?;
                return parse_process_result(status, request_id, &body).map(ProcessAnswer::Saved);
            }
            if kind != Kind::Json {
                let body = self.download(response, request_id, &target, expect_image)?;
                return Ok(ProcessAnswer::Bytes(body));
            }
            let body = self.read_capped(&mut response, request_id, &target)?;
            let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
                decode_error(
                    format!(
                        "the answer to {target} says it is JSON ({content_type}) but is not: {}",
                        crate::redact::preview(&body)
                    ),
                    request_id,
                    Some(e),
                )
            })?;
            let is_doc_ai = value
                .get("Output")
                .is_some_and(|output| output.get("Text").is_some());
            if is_doc_ai
                && let Ok(answer) = doc_ai_from_value(value.clone(), request_id, Some(&body))
            {
                return Ok(ProcessAnswer::DocAi(answer));
            }
            Ok(ProcessAnswer::Json(JsonAnswer::new(
                value,
                content_type,
                request_id.to_string(),
            )))
        })
    }

    /// The answer's body as a [`ProcessedObject`]: refused at once when its
    /// `Content-Length` is over the download cap, then read by the caller
    /// within the download deadline and cap.
    pub(super) fn download(
        &self,
        response: Response<ureq::Body>,
        request_id: &str,
        target: &str,
        expect_image: bool,
    ) -> Result<ProcessedObject, Error> {
        let cap = self.inner.config.max_download_size;
        let content_type = header(&response, "content-type").unwrap_or("").to_string();
        let content_length = header(&response, "content-length").and_then(|v| v.parse().ok());
        if let (Some(limit), Some(length)) = (cap, content_length)
            && length > limit
        {
            return Err(Error::ResponseTooLarge {
                target: target.to_string(),
                limit,
                request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
            });
        }
        let reader = response
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .reader();
        Ok(ProcessedObject::new(
            Box::new(reader),
            Download {
                content_type,
                content_length,
                request_id: request_id.to_string(),
                target: target.to_string(),
                cap,
                expect_image,
            },
        ))
    }

    /// An event stream over a downloaded body, each event capped at the
    /// answer cap.
    pub(super) fn event_stream(&self, body: ProcessedObject) -> EventStream {
        EventStream::new(body, self.inner.config.max_response_body)
    }
}

/// Refuses a `process_object` answer that is the processed bytes rather
/// than where they were saved: it is never read as JSON.
pub(super) fn refuse_bytes(
    content_type: &str,
    request_id: &str,
    target: &str,
) -> Result<(), Error> {
    if Kind::of(content_type) == Kind::Binary {
        return Err(decode_error(
            format!(
                "the answer to {target} is the processed bytes ({content_type}), not where they were saved: \
                 the service did not save them (read such answers with Client::post_process)"
            ),
            request_id,
            None,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for (ct, kind) in [
            ("application/json", Kind::Json),
            ("application/json;charset=UTF-8", Kind::Json),
            ("Application/JSON ; charset=utf-8", Kind::Json),
            ("application/problem+json", Kind::Json),
            ("text/event-stream;charset=UTF-8", Kind::Events),
            ("image/jpeg", Kind::Binary),
            ("IMAGE/WEBP", Kind::Binary),
            ("application/octet-stream", Kind::Binary),
            ("text/html", Kind::Other),
            ("text/plain", Kind::Other),
            ("", Kind::Other),
        ] {
            assert_eq!(Kind::of(ct), kind, "{ct}");
        }
    }
}
