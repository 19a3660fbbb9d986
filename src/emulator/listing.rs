//! ListObjectsV2 (`GET /<bucket>/?list-type=2`) over the store's
//! directories, as OSS answers it: keys in byte order, `prefix`,
//! `delimiter` (common prefixes, each counted once against `max-keys`),
//! `start-after`, continuation tokens, `max-keys` (1 to 1000, default 100),
//! `encoding-type=url`, and `fetch-owner`.
//!
//! A page costs the directories it walks, not the bucket: the walk visits
//! directory entries in key order (a directory `d` holds the keys that
//! begin `d/`, so entries sort by their name, with `/` after a
//! directory's), skips whole directories before the start or outside the
//! prefix, and stops at the first key past either. A common prefix
//! restarts the walk after everything it rolls up. The continuation token
//! names the last key or common prefix returned (URL-safe base64, so it
//! reads the same encoded or not).

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use crate::encoding::{base64_url, base64_url_decode, percent_decode, percent_encode_into};
use crate::time::Timestamp;

use super::errors::{OssError, escape_into};
use super::router::query_params;
use super::server::Response;
use super::store::{self, Store};

/// OSS's default page size.
const DEFAULT_MAX_KEYS: usize = 100;
/// The largest page OSS answers.
const MAX_MAX_KEYS: usize = 1000;
/// The longest prefix, start-after or delimiter OSS takes.
const MAX_PARAM_BYTES: usize = 1023;
/// The owner id listed with `fetch-owner=true`.
const OWNER_ID: &str = "1000000000000000";

/// The parameters of a ListObjectsV2 request, decoded.
#[derive(Debug, Default)]
struct Params {
    prefix: String,
    delimiter: Option<String>,
    start_after: Option<String>,
    /// As given, to be echoed.
    continuation_token: Option<String>,
    max_keys: usize,
    url: bool,
    fetch_owner: bool,
}

/// Where a page starts: after nothing, after a key, or after every key a
/// common prefix rolls up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Start,
    AfterKey(String),
    AfterPrefix(String),
}

impl Bound {
    /// Whether `key` comes after the bound.
    fn admits(&self, key: &str) -> bool {
        match self {
            Bound::Start => true,
            Bound::AfterKey(after) => key > after.as_str(),
            Bound::AfterPrefix(prefix) => key > prefix.as_str() && !key.starts_with(prefix),
        }
    }

    /// Whether no key beginning with `dir` comes after the bound.
    fn excludes_all_under(&self, dir: &str) -> bool {
        match self {
            Bound::Start => false,
            Bound::AfterKey(after) => after.as_str() > dir && !after.starts_with(dir),
            Bound::AfterPrefix(prefix) => {
                dir.starts_with(prefix.as_str())
                    || (dir < prefix.as_str() && !prefix.starts_with(dir))
            }
        }
    }

    /// The continuation token that resumes after this bound.
    fn token(&self) -> String {
        match self {
            Bound::Start => String::new(),
            Bound::AfterKey(key) => base64_url(&format!("k{key}")),
            Bound::AfterPrefix(prefix) => base64_url(&format!("p{prefix}")),
        }
    }

    fn from_token(token: &str) -> Option<Bound> {
        let marker = base64_url_decode(token)?;
        match marker.split_at_checked(1)? {
            ("k", key) => Some(Bound::AfterKey(key.to_string())),
            ("p", prefix) => Some(Bound::AfterPrefix(prefix.to_string())),
            _ => None,
        }
    }
}

/// One entry of a directory, sorted where its keys sort.
struct Child {
    /// The key segment, with `/` after a directory's.
    sort_key: String,
    path: PathBuf,
    is_dir: bool,
}

/// A directory being walked: the key prefix its entries continue, and the
/// entries not yet visited.
struct Level {
    key_prefix: String,
    children: std::vec::IntoIter<Child>,
}

/// The keys of a bucket in byte order, from a bound, within a prefix.
struct Walk<'a> {
    prefix: &'a str,
    bound: Bound,
    stack: Vec<Level>,
}

impl<'a> Walk<'a> {
    fn new(bucket_dir: &Path, prefix: &'a str, bound: Bound) -> Result<Walk<'a>, OssError> {
        let children = read_children(bucket_dir)?;
        Ok(Walk {
            prefix,
            bound,
            stack: vec![Level {
                key_prefix: String::new(),
                children: children.into_iter(),
            }],
        })
    }

    /// The next key and its file, or `None` past the last.
    fn next_key(&mut self) -> Result<Option<(String, PathBuf)>, OssError> {
        while let Some(level) = self.stack.last_mut() {
            let Some(child) = level.children.next() else {
                self.stack.pop();
                continue;
            };
            let mut name = String::with_capacity(level.key_prefix.len() + child.sort_key.len());
            name.push_str(&level.key_prefix);
            name.push_str(&child.sort_key);
            let in_prefix = name.starts_with(self.prefix)
                || (child.is_dir && self.prefix.starts_with(name.as_str()));
            if !in_prefix {
                if name.as_str() > self.prefix {
                    // Everything from here on sorts after the prefix's keys.
                    self.stack.clear();
                    return Ok(None);
                }
                continue;
            }
            if child.is_dir {
                if !self.bound.excludes_all_under(&name) {
                    let children = read_children(&child.path)?;
                    self.stack.push(Level {
                        key_prefix: name,
                        children: children.into_iter(),
                    });
                }
            } else if self.bound.admits(&name) {
                return Ok(Some((name, child.path)));
            }
        }
        Ok(None)
    }
}

/// A directory's entries that stand for keys or key prefixes, sorted in
/// key order.
fn read_children(dir: &Path) -> Result<Vec<Child>, OssError> {
    let failed = |e: std::io::Error| {
        OssError::internal(format!(
            "The emulator failed listing {}: {e}.",
            dir.display()
        ))
    };
    let mut children = Vec::new();
    for entry in fs::read_dir(dir).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        let Ok(disk) = entry.file_name().into_string() else {
            continue; // not UTF-8: not a name the store made
        };
        let Some(segment) = store::key_segment(dir, &disk) else {
            continue;
        };
        let path = entry.path();
        // A link is listed as what it points to.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        let mut sort_key = segment;
        if meta.is_dir() {
            sort_key.push('/');
        } else if !meta.is_file() {
            continue;
        }
        children.push(Child {
            sort_key,
            path,
            is_dir: meta.is_dir(),
        });
    }
    children.sort_unstable_by(|a, b| a.sort_key.cmp(&b.sort_key));
    Ok(children)
}

/// One item of a page.
enum Item {
    Object { key: String, path: PathBuf },
    Prefix(String),
}

/// Answers `GET /<bucket>/?list-type=2&<raw_query>`.
pub(crate) fn list_objects_v2(
    store: &Store,
    bucket: &str,
    raw_query: &str,
) -> Result<Response, OssError> {
    let params = parse_params(raw_query)?;
    let bucket_dir = store.require_bucket(bucket)?;
    let start = match &params.continuation_token {
        Some(token) => Bound::from_token(token).ok_or_else(|| {
            OssError::invalid_argument("The continuation-token is not one this emulator gave.")
                .with("ArgumentName", "continuation-token")
        })?,
        None => params
            .start_after
            .clone()
            .map_or(Bound::Start, Bound::AfterKey),
    };
    let prefix = params.prefix.as_str();
    let mut walk = Walk::new(&bucket_dir, prefix, start)?;
    let mut items: Vec<Item> = Vec::new();
    let mut truncated = false;
    while let Some((key, path)) = walk.next_key()? {
        if items.len() == params.max_keys {
            truncated = true;
            break;
        }
        let rolled = params.delimiter.as_deref().and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|at| prefix.len() + at + d.len())
        });
        match rolled {
            Some(end) => {
                let common = key[..end].to_string();
                walk = Walk::new(&bucket_dir, prefix, Bound::AfterPrefix(common.clone()))?;
                items.push(Item::Prefix(common));
            }
            None => items.push(Item::Object { key, path }),
        }
    }
    let next = truncated.then(|| match items.last() {
        Some(Item::Object { key, .. }) => Bound::AfterKey(key.clone()).token(),
        Some(Item::Prefix(p)) => Bound::AfterPrefix(p.clone()).token(),
        None => String::new(),
    });
    let xml = render(bucket, &params, &items, next.as_deref())?;
    Ok(Response::new(200)
        .header("Content-Type", "application/xml")
        .body(xml.into_bytes()))
}

fn parse_params(raw_query: &str) -> Result<Params, OssError> {
    let mut params = Params {
        max_keys: DEFAULT_MAX_KEYS,
        ..Params::default()
    };
    for (raw_name, raw_value) in query_params(raw_query) {
        let name = percent_decode(raw_name).unwrap_or_else(|| raw_name.to_string());
        let value = percent_decode(&raw_value.replace('+', "%20"))
            .ok_or_else(|| invalid(&name, "is not valid percent-encoded UTF-8"))?;
        let checked = |value: String| {
            if value.len() > MAX_PARAM_BYTES {
                Err(invalid(&name, "must be shorter than 1024 bytes"))
            } else {
                Ok(value)
            }
        };
        match name.as_str() {
            "prefix" => params.prefix = checked(value)?,
            "delimiter" => params.delimiter = Some(checked(value)?).filter(|d| !d.is_empty()),
            "start-after" => params.start_after = Some(checked(value)?).filter(|s| !s.is_empty()),
            "continuation-token" => {
                params.continuation_token = Some(value).filter(|t| !t.is_empty());
            }
            "max-keys" => {
                params.max_keys = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_MAX_KEYS).contains(n))
                    .ok_or_else(|| invalid(&name, "must be a number from 1 to 1000"))?;
            }
            "encoding-type" => match value.as_str() {
                "url" => params.url = true,
                "" => {}
                _ => return Err(invalid(&name, "must be url")),
            },
            "fetch-owner" => params.fetch_owner = value == "true",
            _ => {}
        }
    }
    Ok(params)
}

fn invalid(name: &str, why: &str) -> OssError {
    OssError::invalid_argument(format!("The {name} parameter {why}.")).with("ArgumentName", name)
}

/// The `<ListBucketResult>` document.
fn render(
    bucket: &str,
    params: &Params,
    items: &[Item],
    next: Option<&str>,
) -> Result<String, OssError> {
    let mut xml = String::with_capacity(512 + items.len() * 300);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n");
    let text = |xml: &mut String, name: &str, value: &str, encode: bool| {
        xml.push_str("  <");
        xml.push_str(name);
        xml.push('>');
        if encode && params.url {
            percent_encode_into(xml, value, false);
        } else {
            escape_into(xml, value);
        }
        xml.push_str("</");
        xml.push_str(name);
        xml.push_str(">\n");
    };
    text(&mut xml, "Name", bucket, false);
    text(&mut xml, "Prefix", &params.prefix, true);
    if let Some(start_after) = &params.start_after {
        text(&mut xml, "StartAfter", start_after, true);
    }
    if let Some(token) = &params.continuation_token {
        text(&mut xml, "ContinuationToken", token, true);
    }
    text(&mut xml, "MaxKeys", &params.max_keys.to_string(), false);
    if let Some(delimiter) = &params.delimiter {
        text(&mut xml, "Delimiter", delimiter, true);
    }
    if params.url {
        text(&mut xml, "EncodingType", "url", false);
    }
    text(&mut xml, "IsTruncated", &next.is_some().to_string(), false);
    if let Some(next) = next {
        text(&mut xml, "NextContinuationToken", next, true);
    }
    let mut prefixes = Vec::new();
    for item in items {
        match item {
            Item::Prefix(p) => prefixes.push(p),
            Item::Object { key, path } => {
                let (size, modified, etag) = describe(path)?;
                xml.push_str("  <Contents>\n  ");
                text(&mut xml, "Key", key, true);
                xml.push_str("  ");
                text(&mut xml, "LastModified", &modified, false);
                xml.push_str("  ");
                text(&mut xml, "ETag", &etag, false);
                xml.push_str("    <Type>Normal</Type>\n");
                xml.push_str("  ");
                text(&mut xml, "Size", &size.to_string(), false);
                xml.push_str("    <StorageClass>Standard</StorageClass>\n");
                if params.fetch_owner {
                    xml.push_str(&format!(
                        "    <Owner>\n      <ID>{OWNER_ID}</ID>\n      <DisplayName>{OWNER_ID}</DisplayName>\n    </Owner>\n"
                    ));
                }
                xml.push_str("  </Contents>\n");
            }
        }
    }
    for prefix in prefixes {
        xml.push_str("  <CommonPrefixes>\n  ");
        text(&mut xml, "Prefix", prefix, true);
        xml.push_str("  </CommonPrefixes>\n");
    }
    text(&mut xml, "KeyCount", &items.len().to_string(), false);
    xml.push_str("</ListBucketResult>\n");
    Ok(xml)
}

/// An object's size, `LastModified` and `ETag` (the MD5 of its bytes, read
/// in chunks).
fn describe(path: &Path) -> Result<(u64, String, String), OssError> {
    let failed = |e: std::io::Error| {
        OssError::internal(format!(
            "The emulator failed reading {}: {e}.",
            path.display()
        ))
    };
    let mut file = fs::File::open(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    let mut md5 = Md5::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => md5.update(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(failed(e)),
        }
    }
    let mut etag = String::with_capacity(34);
    etag.push('"');
    for b in md5.finalize() {
        etag.push_str(&format!("{b:02X}"));
    }
    etag.push('"');
    let mut modified =
        Timestamp::new(meta.modified().unwrap_or(std::time::SystemTime::UNIX_EPOCH)).iso_extended();
    modified.insert_str(modified.len() - 1, ".000");
    Ok((meta.len(), modified, etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_admit_and_exclude_in_byte_order() {
        let after = Bound::AfterKey("a/b".into());
        assert!(after.admits("a/c") && after.admits("a/b0") && !after.admits("a/b"));
        assert!(after.excludes_all_under("a/a/") && !after.excludes_all_under("a/b/"));
        assert!(!after.excludes_all_under("a/c/") && !after.excludes_all_under("a/"));
        let rolled = Bound::AfterPrefix("a/b/".into());
        assert!(!rolled.admits("a/b/x") && rolled.admits("a/b0") && !rolled.admits("a/a"));
        assert!(rolled.excludes_all_under("a/b/c/") && rolled.excludes_all_under("a/a/"));
        assert!(!rolled.excludes_all_under("a/") && !rolled.excludes_all_under("a/c/"));
        for bound in [after, rolled, Bound::AfterKey("猫 + %".into())] {
            assert_eq!(Bound::from_token(&bound.token()), Some(bound));
        }
        assert_eq!(Bound::from_token("!!"), None);
    }

    #[test]
    fn parameters_are_checked() {
        let p =
            parse_params("list-type=2&max-keys=7&prefix=a%20b%2F&delimiter=%2F&encoding-type=url")
                .unwrap();
        assert_eq!((p.max_keys, p.prefix.as_str()), (7, "a b/"));
        assert_eq!(p.delimiter.as_deref(), Some("/"));
        assert!(p.url);
        for bad in [
            "max-keys=0",
            "max-keys=1001",
            "max-keys=x",
            "encoding-type=base64",
            "prefix=%ZZ",
        ] {
            let e = parse_params(bad).unwrap_err();
            assert_eq!(e.code, "InvalidArgument", "{bad}");
        }
    }
}
