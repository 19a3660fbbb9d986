//! Reading OSS answers: the typed results of the processing calls, and
//! service errors parsed from whatever the error body holds (XML, JSON, an
//! empty body with the `x-oss-err` header, or garbage), as the official SDKs
//! read them.

use serde_json::Value;

use crate::encoding::base64_std_decode;
use crate::error::{Error, ServiceError};

/// What `process_object` returns: where the processed object was saved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ProcessObjectResult {
    /// Target bucket (`bucket`); empty when OSS leaves it out (saved into
    /// the source bucket).
    pub bucket: String,
    /// Target object key (`object`).
    pub key: String,
    /// Size of the saved object in bytes (`fileSize`).
    pub file_size: u64,
    /// Processing status (`status`), `OK` on success.
    pub process_status: String,
    /// `x-oss-request-id` of the answer.
    pub request_id: String,
    /// HTTP status, 200.
    pub status_code: u16,
}

impl ProcessObjectResult {
    /// Target bucket; empty when saved into the source bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
    /// Target object key.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Size of the saved object in bytes.
    pub fn file_size(&self) -> u64 {
        self.file_size
    }
    /// Processing status, `OK` on success.
    pub fn process_status(&self) -> &str {
        &self.process_status
    }
    /// Request id of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// HTTP status code.
    pub fn status_code(&self) -> u16 {
        self.status_code
    }
}

/// What `async_process_object` returns: the ids of the queued task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AsyncProcessObjectResult {
    /// `EventId`.
    pub event_id: String,
    /// `RequestId` from the body (the processing request).
    pub process_request_id: String,
    /// `TaskId`, e.g. `MediaConvert-e4a737df-...`.
    pub task_id: String,
    /// `x-oss-request-id` of the answer.
    pub request_id: String,
    /// HTTP status code.
    pub status_code: u16,
}

impl AsyncProcessObjectResult {
    /// `EventId` of the task.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }
    /// `TaskId` of the task.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }
    /// Request id of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// HTTP status code.
    pub fn status_code(&self) -> u16 {
        self.status_code
    }
}

/// What `image/info` returns: the image's size and format, and every field
/// OSS reported (EXIF included), as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ImageInfo {
    /// `ImageWidth` in pixels.
    pub width: u32,
    /// `ImageHeight` in pixels.
    pub height: u32,
    /// `Format`, e.g. `jpg`.
    pub format: String,
    /// `FileSize` in bytes.
    pub file_size: u64,
    /// Every field as reported (`{"Name": {"value": "..."}}` flattened).
    pub fields: std::collections::BTreeMap<String, String>,
    /// `x-oss-request-id` of the answer.
    pub request_id: String,
}

/// What `image/average-hue` returns: the image's average colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AverageHue {
    /// Red, 0..=255.
    pub red: u8,
    /// Green, 0..=255.
    pub green: u8,
    /// Blue, 0..=255.
    pub blue: u8,
}

impl AverageHue {
    /// The colour as 6 upper-case hex digits (`RRGGBB`), the form resize's
    /// `color` parameter takes.
    pub fn hex(&self) -> String {
        format!("{:02X}{:02X}{:02X}", self.red, self.green, self.blue)
    }
}

/// Parses an `image/info` answer.
pub fn parse_image_info(request_id: &str, body: &[u8]) -> Result<ImageInfo, Error> {
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

/// Parses an `image/average-hue` answer, `{"RGB": "0x5c783b"}`.
pub fn parse_average_hue(request_id: &str, body: &[u8]) -> Result<AverageHue, Error> {
    let map = parse_json_object(body, request_id, "image/average-hue")?;
    let rgb = json_string(&map, "RGB");
    let hex = rgb
        .strip_prefix("0x")
        .or_else(|| rgb.strip_prefix("0X"))
        .unwrap_or(&rgb);
    let value = (hex.len() == 6)
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
        .ok_or_else(|| {
            decode_error(
                format!("image/average-hue RGB {rgb:?} is not 0xRRGGBB"),
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

fn decode_error(message: String, request_id: &str, source: Option<serde_json::Error>) -> Error {
    Error::Decode {
        message,
        request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
        source: source.map(|e| Box::new(e) as _),
    }
}

fn parse_json_object(
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

fn json_string(map: &serde_json::Map<String, Value>, name: &str) -> String {
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

/// Parses a 2xx `process_object` body. An empty body is accepted (old doc
/// pages show one); anything else must be a JSON object whose `fileSize`,
/// if present, is a non-negative integer.
pub fn parse_process_result(
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
    Ok(result)
}

/// Parses a 2xx `async_process_object` body (`EventId`, `RequestId`,
/// `TaskId`).
pub fn parse_async_result(
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

/// The response headers that error parsing reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorHeaders<'a> {
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
    /// `x-oss-request-id`.
    pub request_id: Option<&'a str>,
    /// `x-oss-ec`.
    pub ec: Option<&'a str>,
    /// `x-oss-err`: the base64 XML error of bodiless answers (HEAD).
    pub oss_err: Option<&'a str>,
    /// `x-oss-error-type`: names the code of some JSON errors.
    pub error_type: Option<&'a str>,
    /// `Date`.
    pub date: Option<&'a str>,
}

/// Builds a [`ServiceError`] from a non-2xx answer, never failing: an
/// unreadable body gives the code `BadErrorResponse` with the body's first
/// bytes in the message.
pub fn parse_service_error(
    status: u16,
    headers: &ErrorHeaders<'_>,
    body: &[u8],
    target: &str,
) -> ServiceError {
    let mut e = ServiceError {
        status,
        target: target.to_string(),
        date: headers.date.unwrap_or_default().to_string(),
        ..Default::default()
    };

    let decoded;
    let mut body = body;
    if body.iter().all(u8::is_ascii_whitespace) {
        if let Some(bytes) = headers.oss_err.and_then(|v| base64_std_decode(v.trim())) {
            decoded = bytes;
            body = &decoded;
        }
    }

    let is_json = headers
        .content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"));
    let parsed = if is_json {
        fill_from_json(&mut e, headers, body)
    } else {
        fill_from_xml(&mut e, body)
    };
    if !parsed {
        e.code = "BadErrorResponse".to_string();
        e.message = if body.is_empty() {
            "the error answer has an empty body".to_string()
        } else {
            format!("could not parse the error body: {}", preview(body))
        };
    }
    if e.request_id.is_empty() {
        e.request_id = headers.request_id.unwrap_or_default().to_string();
    }
    if e.ec.is_empty() {
        e.ec = headers.ec.unwrap_or_default().to_string();
    }
    e
}

fn fill_from_json(e: &mut ServiceError, headers: &ErrorHeaders<'_>, body: &[u8]) -> bool {
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    if let Some(kind) = headers.error_type {
        e.code = kind.to_string();
        e.message = json_string(&root, "message");
        return true;
    }
    let fields = match root.get("Error") {
        Some(Value::Object(inner)) => inner,
        _ => &root,
    };
    e.code = json_string(fields, "Code");
    e.message = json_string(fields, "Message");
    e.request_id = json_string(fields, "RequestId");
    e.host_id = json_string(fields, "HostId");
    e.ec = json_string(fields, "EC");
    e.recommend_doc = json_string(fields, "RecommendDoc");
    !e.code.is_empty()
}

fn fill_from_xml(e: &mut ServiceError, body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let Some(inner) = element_text(text, "Error") else {
        return false;
    };
    let field = |name: &str| {
        element_text(inner, name)
            .map(xml_unescape)
            .unwrap_or_default()
    };
    e.code = field("Code");
    e.message = field("Message");
    e.request_id = field("RequestId");
    e.host_id = field("HostId");
    e.ec = field("EC");
    e.recommend_doc = field("RecommendDoc");
    !e.code.is_empty()
}

/// The text between `<name>` (or `<name attr...>`) and `</name>`.
fn element_text<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(pos) = text[from..].find('<') {
        let start = from + pos + 1;
        let rest = &text[start..];
        if let Some(after) = rest.strip_prefix(name) {
            if after.starts_with('>') || after.starts_with(|c: char| c.is_ascii_whitespace()) {
                let open_end = start + name.len() + after.find('>')? + 1;
                let close = format!("</{name}>");
                let len = text[open_end..].find(&close)?;
                return Some(&text[open_end..open_end + len]);
            }
        }
        from = start;
    }
    None
}

fn xml_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first 256 bytes of a body, lossily as text, for error messages.
pub(crate) fn preview(body: &[u8]) -> String {
    const MAX: usize = 256;
    let cut = &body[..body.len().min(MAX)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if body.len() > MAX {
        s.push_str("...");
    }
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match the signature you provided. Check your key &amp; signing method.</Message>
  <RequestId>65A4E2C8B1E0C53230000001</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <SignatureProvided>abc</SignatureProvided>
  <EC>0002-00000040</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000040</RecommendDoc>
</Error>"#;

    #[test]
    fn xml_error() {
        let e = parse_service_error(403, &ErrorHeaders::default(), XML.as_bytes(), "POST x");
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(e.message.ends_with("Check your key & signing method."));
        assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
        assert_eq!(e.host_id, "examplebucket.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec, "0002-00000040");
        assert_eq!(e.target, "POST x");
    }

    #[test]
    fn json_errors() {
        let h = ErrorHeaders {
            content_type: Some("application/json;charset=utf-8"),
            request_id: Some("RID"),
            ..Default::default()
        };
        let body = br#"{"Error":{"Code":"InvalidArgument","Message":"bad","RequestId":"R1","EC":"0040-00000311"}}"#;
        let e = parse_service_error(400, &h, body, "t");
        assert_eq!(
            (
                e.code.as_str(),
                e.message.as_str(),
                e.request_id.as_str(),
                e.ec.as_str()
            ),
            ("InvalidArgument", "bad", "R1", "0040-00000311")
        );
        let e = parse_service_error(400, &h, br#"{"Code":"Flat","Message":"m"}"#, "t");
        assert_eq!((e.code.as_str(), e.request_id.as_str()), ("Flat", "RID"));
        let typed = ErrorHeaders {
            error_type: Some("Imm Client"),
            ..h
        };
        let e = parse_service_error(400, &typed, br#"{"message":"ResourceNotFound"}"#, "t");
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("Imm Client", "ResourceNotFound")
        );
    }

    #[test]
    fn empty_body_uses_x_oss_err() {
        let encoded = crate::encoding::base64_std(XML.as_bytes());
        let h = ErrorHeaders {
            oss_err: Some(&encoded),
            request_id: Some("HDR"),
            ec: Some("9999"),
            ..Default::default()
        };
        let e = parse_service_error(403, &h, b"", "t");
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
    }

    #[test]
    fn garbage_is_bad_error_response_with_header_ids() {
        let h = ErrorHeaders {
            request_id: Some("HDR"),
            ec: Some("0001-1"),
            ..Default::default()
        };
        let e = parse_service_error(502, &h, b"<html>Bad Gateway</html>", "t");
        assert_eq!(e.code, "BadErrorResponse");
        assert!(e.message.contains("Bad Gateway"), "{}", e.message);
        assert_eq!((e.request_id.as_str(), e.ec.as_str()), ("HDR", "0001-1"));
        let e = parse_service_error(500, &h, b"", "t");
        assert_eq!(e.code, "BadErrorResponse");
        let e = parse_service_error(500, &h, &[0xff; 2000], "t");
        assert!(e.message.len() < 1200);
    }

    #[test]
    fn results() {
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
        assert_eq!(parse_process_result(200, "RID", b"").unwrap().file_size, 0);
        let e = parse_process_result(200, "RID", b"<html>").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }));
        assert_eq!(e.request_id(), Some("RID"));
        assert!(parse_process_result(200, "RID", br#"{"fileSize": -1}"#).is_err());
        assert!(parse_process_result(200, "RID", b"[1]").is_err());
        let a = parse_async_result(200, "R", br#"{"EventId":"E","RequestId":"P","TaskId":"T"}"#)
            .unwrap();
        assert_eq!(
            (a.event_id(), a.task_id(), a.process_request_id.as_str()),
            ("E", "T", "P")
        );
    }

    #[test]
    fn image_info_and_average_hue() {
        let body = br#"{"FileSize": {"value": "21839"}, "Format": {"value": "jpg"}, "ImageHeight": {"value": "267"}, "ImageWidth": {"value": "400"}, "ResolutionUnit": {"value": "1"}}"#;
        let info = parse_image_info("R", body).unwrap();
        assert_eq!(
            (
                info.width,
                info.height,
                info.format.as_str(),
                info.file_size
            ),
            (400, 267, "jpg", 21839)
        );
        assert_eq!(info.fields["ResolutionUnit"], "1");
        assert!(parse_image_info("R", br#"{"Format": {"value": "jpg"}}"#).is_err());
        assert!(
            parse_image_info(
                "R",
                br#"{"ImageWidth": {"value": "x"}, "ImageHeight": {"value": "1"}}"#
            )
            .is_err()
        );
        let hue = parse_average_hue("R", br#"{"RGB": "0x5c783b"}"#).unwrap();
        assert_eq!((hue.red, hue.green, hue.blue), (0x5c, 0x78, 0x3b));
        assert_eq!(hue.hex(), "5C783B");
        assert!(parse_average_hue("R", br#"{"RGB": "0x5c78"}"#).is_err());
        assert!(parse_average_hue("R", br#"{"RGB": "0x5c783bZZ"}"#).is_err());
    }

    #[test]
    fn unescape_edge_cases() {
        assert_eq!(
            xml_unescape("a &lt;b&gt; &#65;&#x42; & &bogus; &"),
            "a <b> AB & &bogus; &"
        );
        assert_eq!(element_text("<Errors><Error>x</Error>", "Error"), Some("x"));
        assert_eq!(element_text("<Error a='1'>y</Error>", "Error"), Some("y"));
        assert_eq!(element_text("<Error>unclosed", "Error"), None);
    }
}
