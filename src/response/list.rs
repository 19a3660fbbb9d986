//! Reading a ListObjectsV2 answer (`<ListBucketResult>`): one page of
//! entries and common prefixes, with the continuation token of the next.
//!
//! Parsed with `quick-xml` (entities, CDATA and namespace prefixes read as
//! XML says), strictly: a page that is cut short or malformed is an error,
//! never a shorter listing. With `EncodingType` `url` the keys, prefixes,
//! delimiter, start-after and tokens are percent-decoded for the caller, as
//! the official SDKs do. This runs only for listings, never on the path of
//! the processing calls.

use std::time::SystemTime;

use quick_xml::events::Event;

use crate::encoding::percent_decode;
use crate::error::Error;
use crate::redact::preview;
use crate::time::parse_iso_extended;

use super::service_error::push_reference;

/// One object of a listing (a `<Contents>` entry).
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// for entry in client.list_objects("examplebucket").prefix("photos/") {
///     let entry = entry?;
///     println!("{} ({} bytes, {})", entry.key(), entry.size(), entry.storage_class());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectSummary {
    key: String,
    size: u64,
    etag: String,
    last_modified: Option<SystemTime>,
    storage_class: String,
    object_type: String,
}

impl ObjectSummary {
    /// The object key, decoded.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The key, by value.
    #[must_use]
    pub fn into_key(self) -> String {
        self.key
    }
    /// `Size` in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// `ETag` as OSS writes it, quotes included (`"5B3C1A2E..."`).
    pub fn etag(&self) -> &str {
        &self.etag
    }
    /// `LastModified`, when present and readable.
    pub fn last_modified(&self) -> Option<SystemTime> {
        self.last_modified
    }
    /// `StorageClass`: `Standard`, `IA`, `Archive`, `ColdArchive`, ...
    pub fn storage_class(&self) -> &str {
        &self.storage_class
    }
    /// `Type`: `Normal`, `Multipart`, `Appendable` or `Symlink` (empty when
    /// not reported).
    pub fn object_type(&self) -> &str {
        &self.object_type
    }
}

/// One page of a listing: what
/// [`ListObjects::pages`](crate::ListObjects::pages) yields.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// // The "folders" directly under photos/, and the objects beside them.
/// for page in client.list_objects("examplebucket").prefix("photos/").delimiter("/").pages() {
///     let page = page?;
///     for folder in page.common_prefixes() {
///         println!("{folder}");
///     }
///     for entry in page.entries() {
///         println!("{}", entry.key());
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListObjectsPage {
    entries: Vec<ObjectSummary>,
    common_prefixes: Vec<String>,
    truncated: bool,
    next_continuation_token: Option<String>,
    key_count: Option<u64>,
    request_id: String,
}

impl ListObjectsPage {
    /// The objects of this page, in key order.
    pub fn entries(&self) -> &[ObjectSummary] {
        &self.entries
    }
    /// The objects, by value.
    #[must_use]
    pub fn into_entries(self) -> Vec<ObjectSummary> {
        self.entries
    }
    /// With a delimiter: the key prefixes rolled up on this page (each up to
    /// and including the delimiter), decoded.
    pub fn common_prefixes(&self) -> &[String] {
        &self.common_prefixes
    }
    /// `IsTruncated`: whether another page follows.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
    /// `NextContinuationToken`: where the next page starts, when one
    /// follows.
    pub fn next_continuation_token(&self) -> Option<&str> {
        self.next_continuation_token.as_deref()
    }
    /// `KeyCount`: entries plus common prefixes on this page, as reported.
    pub fn key_count(&self) -> Option<u64> {
        self.key_count
    }
    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}

/// Where the reader is: which element's text is being collected.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// A child of `<ListBucketResult>`.
    Top(TopField),
    /// A child of `<Contents>`.
    Entry(EntryField),
    /// `<CommonPrefixes><Prefix>`.
    CommonPrefix,
    /// Anything else: read past.
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TopField {
    IsTruncated,
    NextContinuationToken,
    KeyCount,
    EncodingType,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryField {
    Key,
    Size,
    ETag,
    LastModified,
    StorageClass,
    Type,
}

/// Parses a 2xx ListObjectsV2 body.
pub(crate) fn parse_list_page(request_id: &str, body: &[u8]) -> Result<ListObjectsPage, Error> {
    let fail = |message: String, source: Option<quick_xml::Error>| Error::Decode {
        message,
        request_id: (!request_id.is_empty()).then(|| request_id.to_string()),
        source: source.map(|e| Box::new(e) as _),
    };
    let text_body = std::str::from_utf8(body)
        .map_err(|_| fail(format!("the listing is not UTF-8: {}", preview(body)), None))?;
    let mut page = ListObjectsPage {
        request_id: request_id.to_string(),
        ..Default::default()
    };
    let mut encoding = String::new();
    let mut reader = quick_xml::Reader::from_str(text_body);
    // Local names of the open elements, outermost first.
    let mut path: Vec<String> = Vec::with_capacity(4);
    let mut field: Option<Field> = None;
    let mut text = String::new();
    let mut entry = ObjectSummary::default();
    let mut closed_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            fail(
                format!(
                    "the listing is not well-formed XML (at byte {}): {}",
                    reader.buffer_position(),
                    preview(body)
                ),
                Some(e),
            )
        })?;
        match event {
            Event::Start(start) => {
                if closed_root {
                    return Err(fail("the listing has a second root element".into(), None));
                }
                let name = start.local_name();
                let name = name.as_ref();
                if path.is_empty() && name != "ListBucketResult" {
                    return Err(fail(
                        format!("the listing's root is <{name}>, not <ListBucketResult>"),
                        None,
                    ));
                }
                if path.len() == 1 && name == "Contents" {
                    entry = ObjectSummary::default();
                }
                path.push(name.to_string());
                field = Some(field_of(&path));
                text.clear();
            }
            // `<ListBucketResult/>`: a listing of nothing. An empty child
            // (`<Prefix/>`, `<Key/>`) holds no text to keep.
            Event::Empty(empty) if path.is_empty() => {
                if empty.local_name().as_ref() != "ListBucketResult" {
                    return Err(fail("the listing has no <ListBucketResult>".into(), None));
                }
                closed_root = true;
            }
            Event::End(_) => {
                if let Some(f) = field.take() {
                    let value = std::mem::take(&mut text);
                    store(&mut page, &mut entry, &mut encoding, f, value)
                        .map_err(|message| fail(message, None))?;
                }
                if path.len() == 2 && path[1] == "Contents" {
                    page.entries.push(std::mem::take(&mut entry));
                }
                path.pop();
                if path.is_empty() {
                    closed_root = true;
                }
            }
            Event::Text(t) if field.is_some() => text.push_str(&t.xml10_content()),
            Event::CData(c) if field.is_some() => text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) if field.is_some() => push_reference(&mut text, &r),
            Event::Eof => break,
            _ => {}
        }
    }
    if !closed_root {
        return Err(fail(
            format!(
                "the listing ends before </ListBucketResult>: {}",
                preview(body)
            ),
            None,
        ));
    }
    if encoding.eq_ignore_ascii_case("url") {
        decode_url(&mut page).map_err(|message| fail(message, None))?;
    }
    Ok(page)
}

/// What the innermost element of `path` holds. Only leaves are fields:
/// any element that opens inside one makes its text `Other`.
fn field_of(path: &[String]) -> Field {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    match names.as_slice() {
        [_, "IsTruncated"] => Field::Top(TopField::IsTruncated),
        [_, "NextContinuationToken"] => Field::Top(TopField::NextContinuationToken),
        [_, "KeyCount"] => Field::Top(TopField::KeyCount),
        [_, "EncodingType"] => Field::Top(TopField::EncodingType),
        [_, "Contents", "Key"] => Field::Entry(EntryField::Key),
        [_, "Contents", "Size"] => Field::Entry(EntryField::Size),
        [_, "Contents", "ETag"] => Field::Entry(EntryField::ETag),
        [_, "Contents", "LastModified"] => Field::Entry(EntryField::LastModified),
        [_, "Contents", "StorageClass"] => Field::Entry(EntryField::StorageClass),
        [_, "Contents", "Type"] => Field::Entry(EntryField::Type),
        [_, "CommonPrefixes", "Prefix"] => Field::CommonPrefix,
        _ => Field::Other,
    }
}

/// Keeps the text of a closed field where it belongs.
fn store(
    page: &mut ListObjectsPage,
    entry: &mut ObjectSummary,
    encoding: &mut String,
    field: Field,
    value: String,
) -> Result<(), String> {
    match field {
        Field::Top(TopField::IsTruncated) => {
            page.truncated = match value.trim() {
                "true" => true,
                "false" => false,
                other => return Err(format!("IsTruncated is {other:?}, not true or false")),
            };
        }
        Field::Top(TopField::NextContinuationToken) => {
            page.next_continuation_token = (!value.is_empty()).then_some(value);
        }
        Field::Top(TopField::KeyCount) => {
            page.key_count = Some(
                value
                    .trim()
                    .parse()
                    .map_err(|_| format!("KeyCount {value:?} is not a count"))?,
            );
        }
        Field::Top(TopField::EncodingType) => *encoding = value,
        Field::Entry(EntryField::Key) => entry.key = value,
        Field::Entry(EntryField::Size) => {
            entry.size = value.trim().parse().map_err(|_| {
                format!("the Size of {:?} is {value:?}, not a byte count", entry.key)
            })?;
        }
        Field::Entry(EntryField::ETag) => entry.etag = value,
        Field::Entry(EntryField::LastModified) => {
            entry.last_modified = parse_iso_extended(value.trim());
        }
        Field::Entry(EntryField::StorageClass) => entry.storage_class = value,
        Field::Entry(EntryField::Type) => entry.object_type = value,
        Field::CommonPrefix => page.common_prefixes.push(value),
        Field::Other => {}
    }
    Ok(())
}

/// Decodes what `encoding-type=url` encoded.
fn decode_url(page: &mut ListObjectsPage) -> Result<(), String> {
    let decode = |what: &str, s: &mut String| -> Result<(), String> {
        *s = percent_decode(s).ok_or_else(|| {
            format!(
                "the listing's {what} {} is not valid percent-encoded UTF-8 (encoding-type url)",
                preview(s.as_bytes())
            )
        })?;
        Ok(())
    };
    for entry in &mut page.entries {
        decode("key", &mut entry.key)?;
    }
    for prefix in &mut page.common_prefixes {
        decode("common prefix", prefix)?;
    }
    if let Some(token) = &mut page.next_continuation_token {
        decode("continuation token", token)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
  <Name>examplebucket</Name>
  <Prefix>a%20b%2F</Prefix>
  <MaxKeys>3</MaxKeys>
  <Delimiter>%2F</Delimiter>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>CgJiYw--</NextContinuationToken>
  <Contents>
    <Key>a%20b%2F%E7%8C%AB%2B1%25.jpg</Key>
    <LastModified>2020-05-18T05:45:54.000Z</LastModified>
    <ETag>"35A27C2B9EAEEB6F48FD7FB5861D3FC9"</ETag>
    <Type>Normal</Type>
    <Size>25</Size>
    <StorageClass>Standard</StorageClass>
    <Owner>
      <ID>1250000000</ID>
      <DisplayName>1250000000</DisplayName>
    </Owner>
  </Contents>
  <CommonPrefixes>
    <Prefix>a%20b%2Fc%2F</Prefix>
  </CommonPrefixes>
  <KeyCount>2</KeyCount>
</ListBucketResult>"#;

    #[test]
    fn a_page_with_url_encoding_is_decoded() {
        let page = parse_list_page("RID", PAGE.as_bytes()).unwrap();
        assert_eq!(page.request_id(), "RID");
        assert!(page.is_truncated());
        assert_eq!(page.next_continuation_token(), Some("CgJiYw--"));
        assert_eq!(page.key_count(), Some(2));
        assert_eq!(page.common_prefixes(), ["a b/c/"]);
        let [entry] = page.entries() else {
            panic!("{page:?}")
        };
        assert_eq!(entry.key(), "a b/猫+1%.jpg");
        assert_eq!(entry.size(), 25);
        assert_eq!(entry.etag(), "\"35A27C2B9EAEEB6F48FD7FB5861D3FC9\"");
        assert_eq!(entry.storage_class(), "Standard");
        assert_eq!(entry.object_type(), "Normal");
        assert_eq!(
            entry.last_modified(),
            Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_589_780_754))
        );
    }

    #[test]
    fn entities_cdata_and_namespaces_without_url_encoding() {
        let body = r#"<?xml version="1.0"?>
<oss:ListBucketResult xmlns:oss="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <oss:IsTruncated>false</oss:IsTruncated>
  <oss:Contents><oss:Key>a &amp; b &lt;c&gt; &#x732B;&#43;.jpg</oss:Key><oss:Size>1</oss:Size></oss:Contents>
  <oss:Contents><oss:Key><![CDATA[raw <tag> & more]]>+%41 </oss:Key><oss:Size>2</oss:Size></oss:Contents>
  <oss:Contents><oss:Key>  spaced  </oss:Key><oss:Size>3</oss:Size></oss:Contents>
</oss:ListBucketResult>"#;
        let page = parse_list_page("", body.as_bytes()).unwrap();
        let keys: Vec<&str> = page.entries().iter().map(ObjectSummary::key).collect();
        assert_eq!(
            keys,
            ["a & b <c> 猫+.jpg", "raw <tag> & more+%41 ", "  spaced  "]
        );
        assert!(!page.is_truncated());
        assert_eq!(page.next_continuation_token(), None);
    }

    #[test]
    fn thousands_of_entries() {
        let mut body = String::from("<ListBucketResult><IsTruncated>false</IsTruncated>");
        for i in 0..5000 {
            body.push_str(&format!(
                "<Contents><Key>k{i:05}</Key><Size>{i}</Size></Contents>"
            ));
        }
        body.push_str("</ListBucketResult>");
        let page = parse_list_page("", body.as_bytes()).unwrap();
        assert_eq!(page.entries().len(), 5000);
        assert_eq!(page.entries()[4321].key(), "k04321");
        assert_eq!(page.entries()[4321].size(), 4321);
    }

    #[test]
    fn broken_pages_are_errors_not_short_listings() {
        let cut = &PAGE[..PAGE.find("<CommonPrefixes>").unwrap()];
        for (body, says) in [
            (cut, "ends before"),
            ("<Error><Code>X</Code></Error>", "not <ListBucketResult>"),
            ("", "ends before"),
            (
                "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
                "not a byte count",
            ),
            (
                "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
                "IsTruncated",
            ),
            (
                "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%ZZ</Key></Contents></ListBucketResult>",
                "percent-encoded",
            ),
            ("<ListBucketResult><Key></ListBucketResult>", "well-formed"),
        ] {
            let e = parse_list_page("R1", body.as_bytes()).unwrap_err();
            assert!(matches!(e, Error::Decode { .. }), "{e:?}");
            assert!(e.to_string().contains(says), "{body:?}: {e}");
            assert_eq!(e.request_id(), Some("R1"));
        }
        let empty = parse_list_page("", b"<ListBucketResult/>").unwrap();
        assert!(empty.entries().is_empty() && !empty.is_truncated());
    }
}
