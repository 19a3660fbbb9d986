//! OSS-shaped error answers: the [`OssError`] the emulator's handlers return,
//! and its XML body (`<Error><Code>…</Code><Message>…</Message>…</Error>`)
//! with the code-specific children OSS adds (`SignatureProvided`,
//! `StringToSign`, `CanonicalRequest`, `OSSAccessKeyId`, …).

use std::fmt::Write as _;

/// An error answer: HTTP status, OSS `Code`, `Message`, `EC` and the extra
/// XML children some codes carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OssError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub ec: &'static str,
    /// Extra children, in order, after `HostId` and before `EC`.
    pub details: Vec<(&'static str, String)>,
}

impl OssError {
    pub fn new(
        status: u16,
        code: &'static str,
        ec: &'static str,
        message: impl Into<String>,
    ) -> Self {
        OssError {
            status,
            code,
            message: message.into(),
            ec,
            details: Vec::new(),
        }
    }

    /// Adds an extra XML child.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.details.push((name, value.into()));
        self
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        OssError::new(400, "InvalidArgument", "0016-00000502", message)
    }

    pub fn access_denied(ec: &'static str, message: impl Into<String>) -> Self {
        OssError::new(403, "AccessDenied", ec, message)
    }

    pub fn no_such_bucket(bucket: &str) -> Self {
        OssError::new(
            404,
            "NoSuchBucket",
            "0015-00000101",
            "The specified bucket does not exist.",
        )
        .with("BucketName", bucket)
    }

    pub fn no_such_key(key: &str) -> Self {
        OssError::new(
            404,
            "NoSuchKey",
            "0026-00000001",
            "The specified key does not exist.",
        )
        .with("Key", key)
    }

    pub fn method_not_allowed(method: &str, resource: &str) -> Self {
        OssError::new(
            405,
            "MethodNotAllowed",
            "0016-00000101",
            format!(
                "The specified method is not allowed against this resource: {method} {resource}"
            ),
        )
        .with("Method", method)
        .with("ResourceType", resource)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        OssError::new(500, "InternalError", "0000-00000001", message)
    }

    /// The XML body, `RequestId` and `HostId` filled in.
    pub fn to_xml(&self, request_id: &str, host_id: &str) -> String {
        error_xml(
            self.code,
            &self.message,
            self.ec,
            &self.details,
            request_id,
            host_id,
        )
    }
}

/// An OSS error body: `Code`, `Message`, `RequestId`, `HostId`, the
/// code-specific `details`, `EC` and `RecommendDoc`.
pub(crate) fn error_xml(
    code: &str,
    message: &str,
    ec: &str,
    details: &[(&'static str, String)],
    request_id: &str,
    host_id: &str,
) -> String {
    let mut out = String::with_capacity(256 + message.len());
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
    element(&mut out, "Code", code);
    element(&mut out, "Message", message);
    element(&mut out, "RequestId", request_id);
    element(&mut out, "HostId", host_id);
    for (name, value) in details {
        element(&mut out, name, value);
    }
    element(&mut out, "EC", ec);
    element(
        &mut out,
        "RecommendDoc",
        &format!("https://api.aliyun.com/troubleshoot?q={ec}"),
    );
    out.push_str("</Error>\n");
    out
}

fn element(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "  <{name}>");
    escape_into(out, value);
    let _ = writeln!(out, "</{name}>");
}

/// Escapes text for an XML element; control characters other than tab and
/// newline (not allowed in XML 1.0) become `\u{..}` text.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_body_has_the_oss_children_in_order() {
        let e = OssError::new(
            403,
            "SignatureDoesNotMatch",
            "0002-00000040",
            "bad <sig> & co",
        )
        .with("SignatureProvided", "abc");
        let xml = e.to_xml("5C3D9175B6FC201293AD4890", "b.host");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"));
        let order = [
            "<Code>SignatureDoesNotMatch</Code>",
            "<Message>bad &lt;sig&gt; &amp; co</Message>",
            "<RequestId>5C3D9175B6FC201293AD4890</RequestId>",
            "<HostId>b.host</HostId>",
            "<SignatureProvided>abc</SignatureProvided>",
            "<EC>0002-00000040</EC>",
            "<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0002-00000040</RecommendDoc>",
        ];
        let mut at = 0;
        for part in order {
            let found = xml[at..]
                .find(part)
                .unwrap_or_else(|| panic!("{part} in {xml}"));
            at += found + part.len();
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut s = String::new();
        escape_into(&mut s, "a\u{1}b\nc");
        assert_eq!(s, "a\\u{1}b\nc");
    }
}
