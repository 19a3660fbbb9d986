//! Reading a HeadObject answer: the object's metadata, all of it in the
//! headers (a HEAD answer has no body).

use std::time::SystemTime;

use crate::error::Error;
use crate::time::parse_http_date;

/// What [`Client::head_object`](crate::Client::head_object) returns for an
/// object that exists: its size, ETag, content type and last
/// modification.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// match client.head_object("examplebucket", "thumbs/cat.jpg")? {
///     Some(meta) => println!("{} bytes of {}", meta.size(), meta.content_type()),
///     None => println!("no such object"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectMeta {
    size: u64,
    etag: String,
    content_type: String,
    last_modified: Option<SystemTime>,
    storage_class: String,
    object_type: String,
    request_id: String,
}

impl ObjectMeta {
    /// `Content-Length`: the object's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// `ETag`, quotes included.
    pub fn etag(&self) -> &str {
        &self.etag
    }
    /// `Content-Type`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }
    /// `Last-Modified`, when present and readable.
    pub fn last_modified(&self) -> Option<SystemTime> {
        self.last_modified
    }
    /// `x-oss-storage-class` (empty when not reported).
    pub fn storage_class(&self) -> &str {
        &self.storage_class
    }
    /// `x-oss-object-type`: `Normal`, `Multipart`, `Appendable`, `Symlink`
    /// (empty when not reported).
    pub fn object_type(&self) -> &str {
        &self.object_type
    }
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

/// Reads the metadata of a 2xx HEAD answer from its headers (`header`
/// looks one up by name, any case). A missing or unreadable
/// `Content-Length` is an error: the size is what callers rely on.
pub(crate) fn parse_object_meta<'a>(
    request_id: &str,
    header: impl Fn(&str) -> Option<&'a str>,
) -> Result<ObjectMeta, Error> {
    let text = |name| header(name).unwrap_or_default().to_string();
    let size = header("content-length")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| Error::Decode {
            message: format!(
                "the HEAD answer has no readable Content-Length ({:?})",
                header("content-length").unwrap_or("absent")
            ),
            request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
            source: None,
        })?;
    Ok(ObjectMeta {
        size,
        etag: text("etag"),
        content_type: text("content-type"),
        last_modified: header("last-modified").and_then(parse_http_date),
        storage_class: text("x-oss-storage-class"),
        object_type: text("x-oss-object-type"),
        request_id: request_id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_from_headers() {
        let headers = [
            ("Content-Length", "344606"),
            ("ETag", "\"5B3C1A2E053D763E1B002CC607C5A0FE\""),
            ("Content-Type", "image/jpeg"),
            ("Last-Modified", "Fri, 24 Feb 2012 06:07:48 GMT"),
            ("x-oss-storage-class", "Standard"),
            ("x-oss-object-type", "Normal"),
        ];
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let meta = parse_object_meta("R", get).unwrap();
        assert_eq!(meta.size(), 344_606);
        assert_eq!(meta.etag(), "\"5B3C1A2E053D763E1B002CC607C5A0FE\"");
        assert_eq!(meta.content_type(), "image/jpeg");
        assert_eq!(
            meta.last_modified(),
            Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_330_063_668))
        );
        assert_eq!(meta.storage_class(), "Standard");
        assert_eq!(meta.object_type(), "Normal");
        assert_eq!(meta.request_id(), "R");
        let e = parse_object_meta("R", |_| None).unwrap_err();
        assert!(e.to_string().contains("Content-Length"), "{e}");
    }
}
