//! Reading OSS answers: the typed results of the processing calls
//! (this file), the answers read by their `Content-Type` ([`answer`]),
//! document AI answers ([`doc_ai`]), video and audio info ([`media`]),
//! bucket styles ([`style`]), bucket listings ([`list`]), object metadata
//! from a HEAD ([`head`]), service errors parsed from whatever an error
//! body holds ([`service_error`]), and the message an asynchronous task
//! sends to its notify topic ([`notification`]).
//!
//! Results have private fields and getters, so that a field OSS adds later
//! is not a breaking change.

pub(crate) mod answer;
pub(crate) mod doc_ai;
pub(crate) mod head;
pub(crate) mod list;
pub(crate) mod media;
pub(crate) mod notification;
pub(crate) mod service_error;
pub(crate) mod style;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Error;
use crate::redact::preview;

pub use notification::TaskNotification;

/// What [`Client::process_object`](crate::Client::process_object) returns:
/// where the processed object was saved.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let result = client.process_object(
///     "examplebucket",
///     "cat.jpg",
///     "image/resize,w_100|sys/saveas,o_dGh1bWIuanBn",
/// )?;
/// assert_eq!(result.process_status(), "OK");
/// println!("{} bytes saved as {}/{}", result.file_size(), result.bucket(), result.key());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcessObjectResult {
    bucket: String,
    key: String,
    file_size: u64,
    process_status: String,
    request_id: String,
    status_code: u16,
}

impl ProcessObjectResult {
    /// Target bucket (`bucket`); empty when OSS leaves it out (saved into
    /// the source bucket).
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
    /// Target object key (`object`).
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Size of the saved object in bytes (`fileSize`).
    pub fn file_size(&self) -> u64 {
        self.file_size
    }
    /// Processing status (`status`): `OK` on success, empty when the
    /// service answered an empty body (old doc pages show one).
    pub fn process_status(&self) -> &str {
        &self.process_status
    }
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// HTTP status code (200).
    pub fn status_code(&self) -> u16 {
        self.status_code
    }
}

/// What [`Client::async_process_object`](crate::Client::async_process_object)
/// returns: the ids of the queued task.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let task = client.async_process_object(
///     "examplebucket",
///     "talk.docx",
///     "doc/convert,target_pdf,source_docx|sys/saveas,o_dGFsay5wZGY",
/// )?;
/// println!("queued task {} (event {})", task.task_id(), task.event_id());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AsyncProcessObjectResult {
    event_id: String,
    process_request_id: String,
    task_id: String,
    request_id: String,
    status_code: u16,
}

impl AsyncProcessObjectResult {
    /// `EventId` of the task.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }
    /// `TaskId` of the task, e.g. `MediaConvert-e4a737df-...`; the task's
    /// notification names it.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }
    /// `RequestId` in the body: the processing request's id.
    pub fn process_request_id(&self) -> &str {
        &self.process_request_id
    }
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// HTTP status code.
    pub fn status_code(&self) -> u16 {
        self.status_code
    }
}

/// What [`Client::image_info`](crate::Client::image_info) returns: the
/// image's size and format, and every field OSS reported (EXIF included),
/// as text.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let info = client.image_info("examplebucket", "cat.jpg")?;
/// println!("{}x{} {}", info.width(), info.height(), info.format());
/// if let Some(orientation) = info.field("Orientation") {
///     println!("EXIF orientation {orientation}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageInfo {
    width: u32,
    height: u32,
    format: String,
    file_size: u64,
    fields: BTreeMap<String, String>,
    request_id: String,
}

impl ImageInfo {
    /// `ImageWidth` in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// `ImageHeight` in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// `Format`, e.g. `jpg`.
    pub fn format(&self) -> &str {
        &self.format
    }
    /// `FileSize` in bytes (0 when not reported).
    pub fn file_size(&self) -> u64 {
        self.file_size
    }
    /// `FrameCount`: frames of an animated image (GIF, WebP), 1 for a still
    /// one, `None` when not reported.
    pub fn frame_count(&self) -> Option<u32> {
        self.field("FrameCount").and_then(|v| v.trim().parse().ok())
    }
    /// `XResolution` and `YResolution` (EXIF dots per `ResolutionUnit`), as
    /// reported, when both are.
    pub fn resolution(&self) -> Option<(&str, &str)> {
        Some((self.field("XResolution")?, self.field("YResolution")?))
    }
    /// One reported field by name (`Orientation`, `DateTimeOriginal`, ...).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
    /// Every reported field, by name (`{"Name": {"value": "..."}}`
    /// flattened).
    pub fn fields(&self) -> &BTreeMap<String, String> {
        &self.fields
    }
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

/// What [`Client::average_hue`](crate::Client::average_hue) returns: the
/// image's average colour.
///
/// ```
/// use oss_process::AverageHue;
///
/// let hue = AverageHue::new(0x5c, 0x78, 0x3b);
/// assert_eq!(hue.hex(), "5C783B"); // the form resize's `color` takes
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AverageHue {
    red: u8,
    green: u8,
    blue: u8,
}

impl AverageHue {
    /// A colour from its channels.
    pub fn new(red: u8, green: u8, blue: u8) -> Self {
        AverageHue { red, green, blue }
    }
    /// Red, 0..=255.
    pub fn red(&self) -> u8 {
        self.red
    }
    /// Green, 0..=255.
    pub fn green(&self) -> u8 {
        self.green
    }
    /// Blue, 0..=255.
    pub fn blue(&self) -> u8 {
        self.blue
    }
    /// The colour as 6 upper-case hex digits (`RRGGBB`), the form resize's
    /// `color` parameter takes.
    pub fn hex(&self) -> String {
        format!("{:02X}{:02X}{:02X}", self.red, self.green, self.blue)
    }
}

/// Parses an `image/info` answer.
pub(crate) fn parse_image_info(request_id: &str, body: &[u8]) -> Result<ImageInfo, Error> {
    let map = parse_json_object(body, request_id, "image/info")?;
    let mut info = ImageInfo {
        request_id: request_id.to_string(),
        ..Default::default()
    };
    for (name, value) in &map {
        let text = match value {
            Value::Object(inner) => json_string(inner, "value"),
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        info.fields.insert(name.clone(), text);
    }
    let number = |name: &str| -> Result<u64, Error> {
        let text = info
            .fields
            .get(name)
            .ok_or_else(|| decode_error(format!("image/info has no {name}"), request_id, None))?;
        text.trim().parse().map_err(|_| {
            decode_error(
                format!("image/info {name} {text:?} is not a number"),
                request_id,
                None,
            )
        })
    };
    let too_big = |name: &str| {
        decode_error(
            format!("image/info {name} is out of range"),
            request_id,
            None,
        )
    };
    info.width = u32::try_from(number("ImageWidth")?).map_err(|_| too_big("ImageWidth"))?;
    info.height = u32::try_from(number("ImageHeight")?).map_err(|_| too_big("ImageHeight"))?;
    info.file_size = number("FileSize").unwrap_or(0);
    info.format = info.fields.get("Format").cloned().unwrap_or_default();
    Ok(info)
}

/// Parses an `image/average-hue` answer: the current documented form, a
/// plain `0xRRGGBB`, or the older JSON `{"RGB": "0xRRGGBB"}`.
pub(crate) fn parse_average_hue(request_id: &str, body: &[u8]) -> Result<AverageHue, Error> {
    let text = std::str::from_utf8(body).unwrap_or("").trim();
    let rgb = if text.starts_with('{') {
        let map = parse_json_object(body, request_id, "image/average-hue")?;
        json_string(&map, "RGB")
    } else {
        text.to_string()
    };
    let hex = rgb
        .strip_prefix("0x")
        .or_else(|| rgb.strip_prefix("0X"))
        .unwrap_or(&rgb);
    let value = (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
        .ok_or_else(|| {
            decode_error(
                format!(
                    "image/average-hue answered {}, not 0xRRGGBB",
                    preview(rgb.as_bytes())
                ),
                request_id,
                None,
            )
        })?;
    Ok(AverageHue {
        red: (value >> 16) as u8,
        green: (value >> 8) as u8,
        blue: value as u8,
    })
}

pub(crate) fn decode_error(
    message: String,
    request_id: &str,
    source: Option<serde_json::Error>,
) -> Error {
    Error::Decode {
        message,
        request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
        source: source.map(|e| Box::new(e) as _),
    }
}

pub(crate) fn parse_json_object(
    body: &[u8],
    request_id: &str,
    what: &str,
) -> Result<serde_json::Map<String, Value>, Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(decode_error(
            format!(
                "the {what} result is JSON but not an object: {}",
                preview(body)
            ),
            request_id,
            None,
        )),
        Err(e) => Err(decode_error(
            format!("the {what} result is not JSON: {}", preview(body)),
            request_id,
            Some(e),
        )),
    }
}

/// A string or number field of a JSON object as text; empty when absent.
pub(crate) fn json_string(map: &serde_json::Map<String, Value>, name: &str) -> String {
    match map.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// [`json_string`] moving the text out instead of copying it (results are
/// parsed on every call).
fn take_string(map: &mut serde_json::Map<String, Value>, name: &str) -> String {
    match map.remove(name) {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Parses a 2xx `process_object` body. An empty body is a success (old doc
/// pages show one, and the official SDKs accept it); anything else must be
/// a JSON object whose `fileSize`, if present, is a non-negative integer
/// and whose `status`, if present, is `OK`.
pub(crate) fn parse_process_result(
    status_code: u16,
    request_id: &str,
    body: &[u8],
) -> Result<ProcessObjectResult, Error> {
    let mut result = ProcessObjectResult {
        request_id: request_id.to_string(),
        status_code,
        ..Default::default()
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(result);
    }
    let mut map = parse_json_object(body, request_id, "process_object")?;
    result.bucket = take_string(&mut map, "bucket");
    result.key = take_string(&mut map, "object");
    result.process_status = take_string(&mut map, "status");
    result.file_size = match map.get("fileSize") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
            decode_error(
                format!("fileSize {n} is not a byte count"),
                request_id,
                None,
            )
        })?,
        Some(Value::String(s)) => s.parse().map_err(|_| {
            decode_error(
                format!("fileSize {s:?} is not a byte count"),
                request_id,
                None,
            )
        })?,
        Some(other) => {
            return Err(decode_error(
                format!("fileSize {other} is not a byte count"),
                request_id,
                None,
            ));
        }
    };
    if !result.process_status.is_empty() && result.process_status != "OK" {
        return Err(decode_error(
            format!(
                "the processing status is {}, not OK: the object may not have been saved",
                preview(result.process_status.as_bytes())
            ),
            request_id,
            None,
        ));
    }
    Ok(result)
}

/// Parses a 2xx `async_process_object` body (`EventId`, `RequestId`,
/// `TaskId`).
pub(crate) fn parse_async_result(
    status_code: u16,
    request_id: &str,
    body: &[u8],
) -> Result<AsyncProcessObjectResult, Error> {
    let mut map = parse_json_object(body, request_id, "async_process_object")?;
    Ok(AsyncProcessObjectResult {
        event_id: take_string(&mut map, "EventId"),
        process_request_id: take_string(&mut map, "RequestId"),
        task_id: take_string(&mut map, "TaskId"),
        request_id: request_id.to_string(),
        status_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_results() {
        let r = parse_process_result(
            200,
            "RID",
            br#"{"bucket": "", "fileSize": 3267, "object": "dest.jpg", "status": "OK"}"#,
        )
        .unwrap();
        assert_eq!(
            (
                r.bucket(),
                r.file_size(),
                r.key(),
                r.process_status(),
                r.request_id()
            ),
            ("", 3267, "dest.jpg", "OK", "RID")
        );
        assert_eq!(
            parse_process_result(200, "RID", b"").unwrap().file_size(),
            0
        );
        let e = parse_process_result(200, "RID", b"<html>").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }));
        assert_eq!(e.request_id(), Some("RID"));
        assert!(parse_process_result(200, "RID", br#"{"fileSize": -1}"#).is_err());
        assert!(parse_process_result(200, "RID", b"[1]").is_err());
    }

    #[test]
    fn a_status_other_than_ok_is_an_error_with_the_request_id() {
        let e = parse_process_result(200, "RID", br#"{"object": "d.jpg", "status": "Failed"}"#)
            .unwrap_err();
        assert_eq!(e.request_id(), Some("RID"));
        assert!(e.to_string().contains("\"Failed\", not OK"), "{e}");
    }

    #[test]
    fn async_results() {
        let a = parse_async_result(200, "R", br#"{"EventId":"E","RequestId":"P","TaskId":"T"}"#)
            .unwrap();
        assert_eq!(
            (
                a.event_id(),
                a.task_id(),
                a.process_request_id(),
                a.request_id()
            ),
            ("E", "T", "P", "R")
        );
    }

    #[test]
    fn image_info() {
        let body = br#"{"FileSize": {"value": "21839"}, "Format": {"value": "gif"}, "FrameCount": {"value": "12"}, "ImageHeight": {"value": "267"}, "ImageWidth": {"value": "400"}, "ResolutionUnit": {"value": "1"}, "XResolution": {"value": "72/1"}, "YResolution": {"value": "72/1"}}"#;
        let info = parse_image_info("R", body).unwrap();
        assert_eq!(
            (info.width(), info.height(), info.format(), info.file_size()),
            (400, 267, "gif", 21839)
        );
        assert_eq!(info.field("ResolutionUnit"), Some("1"));
        assert_eq!(info.frame_count(), Some(12));
        assert_eq!(info.resolution(), Some(("72/1", "72/1")));
        assert!(parse_image_info("R", br#"{"Format": {"value": "jpg"}}"#).is_err());
        assert!(
            parse_image_info(
                "R",
                br#"{"ImageWidth": {"value": "x"}, "ImageHeight": {"value": "1"}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn average_hue_in_both_documented_forms() {
        for body in [&br#"{"RGB": "0x5c783b"}"#[..], b"0x5c783b", b"0x5C783B\n"] {
            let hue = parse_average_hue("R", body).unwrap();
            assert_eq!((hue.red(), hue.green(), hue.blue()), (0x5c, 0x78, 0x3b));
            assert_eq!(hue.hex(), "5C783B");
        }
        for bad in [
            &br#"{"RGB": "0x5c78"}"#[..],
            br#"{"RGB": "0x5c783bZZ"}"#,
            b"0x+c783b",
            b"",
            b"red",
        ] {
            assert!(parse_average_hue("R", bad).is_err(), "{bad:?}");
        }
    }
}
