//! Turning a non-2xx answer into a [`ServiceError`], as the official SDKs
//! read them: the XML `<Error>` body (with `quick-xml`, so entities, CDATA,
//! namespaces and a body cut short by the size cap all read as far as they
//! go), the JSON forms, the base64 `x-oss-err` header of bodiless answers,
//! and the `x-oss-request-id`/`x-oss-ec` headers when the body lacks them.

use quick_xml::events::Event;
use serde_json::Value;

use crate::encoding::base64_std_decode;
use crate::error::ServiceError;
use crate::redact::preview;

use super::json_string;

/// The response headers that error parsing reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ErrorHeaders<'a> {
    /// `Content-Type`.
    pub(crate) content_type: Option<&'a str>,
    /// `x-oss-request-id`.
    pub(crate) request_id: Option<&'a str>,
    /// `x-oss-ec`.
    pub(crate) ec: Option<&'a str>,
    /// `x-oss-err`: the base64 XML error of bodiless answers (HEAD).
    pub(crate) oss_err: Option<&'a str>,
    /// `x-oss-error-type`: names the code of some JSON errors.
    pub(crate) error_type: Option<&'a str>,
    /// `Date`.
    pub(crate) date: Option<&'a str>,
}

/// Builds a [`ServiceError`] from a non-2xx answer, never failing: an
/// unreadable body gives the code `BadErrorResponse` with the body's first
/// bytes in the message. `truncated` says the body was cut at the size cap;
/// what was read is parsed as far as it goes.
pub(crate) fn parse_service_error(
    status: u16,
    headers: &ErrorHeaders<'_>,
    body: &[u8],
    truncated: bool,
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
    if body.iter().all(u8::is_ascii_whitespace)
        && let Some(bytes) = headers.oss_err.and_then(|v| base64_std_decode(v.trim()))
    {
        decoded = bytes;
        body = &decoded;
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
    if truncated {
        e.message
            .push_str(" (the error body was larger than the size cap and was cut)");
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

/// Reads the children of a root `<Error>` element (any namespace prefix)
/// into `e`, stopping quietly at the first malformed or missing byte: a
/// body cut at the size cap still gives the fields before the cut.
fn fill_from_xml(e: &mut ServiceError, body: &[u8]) -> bool {
    // A body cut at the cap may end inside a character: read what is whole.
    let text_body = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default(),
    };
    let mut reader = quick_xml::Reader::from_str(text_body);
    let mut depth = 0usize;
    let mut in_error = false;
    let mut field: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        match event {
            Event::Start(start) => {
                depth += 1;
                let name = start.local_name();
                if depth == 1 {
                    if name.as_ref() != "Error" {
                        return false;
                    }
                    in_error = true;
                } else if depth == 2 {
                    field = Some(name.as_ref().to_string());
                    text.clear();
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some(name) = field.take()
                {
                    let value = std::mem::take(&mut text);
                    match name.as_str() {
                        "Code" => e.code = value,
                        "Message" => e.message = value,
                        "RequestId" => e.request_id = value,
                        "HostId" => e.host_id = value,
                        "EC" => e.ec = value,
                        "RecommendDoc" => e.recommend_doc = value,
                        _ => {}
                    }
                }
                depth = depth.saturating_sub(1);
            }
            // `<Error/>` holds no code: not an error body.
            Event::Empty(_) if depth == 0 => return false,
            Event::Text(t) if depth == 2 => text.push_str(&t.xml10_content()),
            Event::CData(c) if depth == 2 => text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) if depth == 2 => push_reference(&mut text, &r),
            _ => {}
        }
    }
    in_error && !e.code.is_empty()
}

/// Appends what an entity between text runs stands for (`&amp;`, `&#65;`):
/// the predefined and numeric ones resolved, others kept as written.
pub(super) fn push_reference(text: &mut String, name: &str) {
    match resolve_entity(name) {
        Some(c) => text.push(c),
        None => {
            text.push('&');
            text.push_str(name);
            text.push(';');
        }
    }
}

/// The character an XML entity name stands for: the five predefined ones
/// and character references (`#65`, `#x42`).
pub(crate) fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let digits = name.strip_prefix('#')?;
            let code = match digits.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => digits.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
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

    fn parse(status: u16, headers: &ErrorHeaders<'_>, body: &[u8]) -> ServiceError {
        parse_service_error(status, headers, body, false, "POST x")
    }

    #[test]
    fn xml_error() {
        let e = parse(403, &ErrorHeaders::default(), XML.as_bytes());
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(e.message.ends_with("Check your key & signing method."));
        assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
        assert_eq!(e.host_id, "examplebucket.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec, "0002-00000040");
        assert_eq!(
            e.recommend_doc,
            "https://api.aliyun.com/troubleshoot?q=0002-00000040"
        );
        assert_eq!(e.target, "POST x");
    }

    #[test]
    fn entities_cdata_and_namespaces() {
        let body = br#"<?xml version="1.0"?>
<oss:Error xmlns:oss="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <oss:Code>InvalidArgument</oss:Code>
  <oss:Message><![CDATA[a <raw> & text]]> then &lt;b&gt; &#65;&#x42; &bogus;</oss:Message>
  <oss:RequestId>R1</oss:RequestId>
</oss:Error>"#;
        let e = parse(400, &ErrorHeaders::default(), body);
        assert_eq!(e.code, "InvalidArgument");
        assert_eq!(e.message, "a <raw> & text then <b> AB &bogus;");
        assert_eq!(e.request_id, "R1");
        let plain =
            br#"<Error xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><Code>X</Code></Error>"#;
        assert_eq!(parse(400, &ErrorHeaders::default(), plain).code, "X");
    }

    #[test]
    fn a_body_cut_at_the_cap_keeps_what_came_before_the_cut() {
        let cut = &XML.as_bytes()[..XML.find("<HostId>").unwrap() + 12];
        let e = parse_service_error(503, &ErrorHeaders::default(), cut, true, "t");
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.request_id, "65A4E2C8B1E0C53230000001");
        assert!(e.message.ends_with("was cut)"), "{}", e.message);
    }

    #[test]
    fn other_roots_and_nested_lookalikes_are_not_errors() {
        let h = ErrorHeaders::default();
        assert_eq!(
            parse(500, &h, b"<Errors><Error><Code>X</Code></Error></Errors>").code,
            "BadErrorResponse"
        );
        assert_eq!(parse(500, &h, b"<Error/>").code, "BadErrorResponse");
        assert_eq!(
            parse(500, &h, b"<Error><Code></Code></Error>").code,
            "BadErrorResponse"
        );
        let e = parse(
            500,
            &h,
            b"<Error><Detail><Code>inner</Code></Detail><Code>outer</Code></Error>",
        );
        assert_eq!(e.code, "outer");
    }

    #[test]
    fn json_errors() {
        let h = ErrorHeaders {
            content_type: Some("application/json;charset=utf-8"),
            request_id: Some("RID"),
            ..Default::default()
        };
        let body = br#"{"Error":{"Code":"InvalidArgument","Message":"bad","RequestId":"R1","EC":"0040-00000311"}}"#;
        let e = parse(400, &h, body);
        assert_eq!(
            (
                e.code.as_str(),
                e.message.as_str(),
                e.request_id.as_str(),
                e.ec.as_str()
            ),
            ("InvalidArgument", "bad", "R1", "0040-00000311")
        );
        let e = parse(400, &h, br#"{"Code":"Flat","Message":"m"}"#);
        assert_eq!((e.code.as_str(), e.request_id.as_str()), ("Flat", "RID"));
        let typed = ErrorHeaders {
            error_type: Some("Imm Client"),
            ..h
        };
        let e = parse(400, &typed, br#"{"message":"ResourceNotFound"}"#);
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
        let e = parse(403, &h, b"");
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
        let e = parse(502, &h, b"<html>Bad Gateway</html>");
        assert_eq!(e.code, "BadErrorResponse");
        assert!(e.message.contains("Bad Gateway"), "{}", e.message);
        assert_eq!((e.request_id.as_str(), e.ec.as_str()), ("HDR", "0001-1"));
        let e = parse(500, &h, b"");
        assert_eq!(e.code, "BadErrorResponse");
        let e = parse(500, &h, &[0xff; 2000]);
        assert!(e.message.len() < 1200);
    }
}
