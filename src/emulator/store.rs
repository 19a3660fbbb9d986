//! The object store behind the emulator: `<root>/<bucket>/<key>` on the
//! local file system, with OSS's bucket and key name rules, atomic writes,
//! and the metadata answers need (ETag, Content-Type, Last-Modified).
//!
//! Each `/`-separated segment of a key is a directory or file name. A
//! segment longer than a file name may be (255 bytes), or one that begins
//! with the emulator's own prefix `.~oss-emu.`, is stored under
//! `.~oss-emu.<SHA-256 of the segment, hex>` instead, so that every key OSS
//! accepts up to 1023 bytes is stored, and no key can name the emulator's
//! temporary files (`.~oss-emu.tmp-…`, short, in the object's directory).
//! Beside each hashed name, `.~oss-emu.name-<the same hex>` holds the
//! segment itself, so that a listing gives every key back as written.
//! Should a file system still refuse a name as too long, the key is
//! answered `InvalidObjectName`, never a 500.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use md5::{Digest, Md5};
use sha2::Sha256;

use super::errors::OssError;

/// The longest object key OSS accepts, in bytes.
const MAX_KEY_BYTES: usize = 1023;
/// The longest file name the common file systems hold, in bytes.
const MAX_NAME_BYTES: usize = 255;
/// The prefix of every name the emulator makes on disk itself.
pub(crate) const RESERVED_PREFIX: &str = ".~oss-emu.";

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// An object read from the store.
#[derive(Debug)]
pub(crate) struct Object {
    pub bytes: Vec<u8>,
    pub modified: SystemTime,
}

/// Buckets are directories under `root`, objects are files under them.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: PathBuf) -> Self {
        Store { root }
    }

    /// Checks a bucket name by the client's rule ([`crate::names::check_bucket`]),
    /// answering as OSS does.
    pub fn check_bucket_name(bucket: &str) -> Result<(), OssError> {
        crate::names::check_bucket(bucket).map_err(|_| {
            OssError::new(
                400,
                "InvalidBucketName",
                "0015-00000201",
                "The specified bucket is not valid.",
            )
            .with("BucketName", bucket)
        })
    }

    /// Checks that a key is valid for OSS and can be a file below the
    /// bucket directory (no empty, `.` or `..` segments, no trailing `/`).
    pub fn check_key(key: &str) -> Result<(), OssError> {
        let invalid = |why: &str| Err(invalid_key(key, why));
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return invalid("it must be 1 to 1023 bytes long");
        }
        if key.contains(['\0', '\\']) {
            return invalid("this emulator does not store keys holding NUL or a backslash");
        }
        if key
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..")
        {
            return invalid(
                "this emulator stores keys as files, so a key may not start or end with `/`, hold `//`, or have `.` or `..` segments",
            );
        }
        Ok(())
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join(bucket)
    }

    /// The directory of an existing bucket, else `NoSuchBucket`.
    pub fn require_bucket(&self, bucket: &str) -> Result<PathBuf, OssError> {
        Self::check_bucket_name(bucket)?;
        let dir = self.bucket_dir(bucket);
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(OssError::no_such_bucket(bucket))
        }
    }

    /// Creates a bucket directory (no error if it exists).
    pub fn create_bucket(&self, bucket: &str) -> Result<PathBuf, OssError> {
        Self::check_bucket_name(bucket)?;
        let dir = self.bucket_dir(bucket);
        fs::create_dir_all(&dir).map_err(|e| io_error("creating the bucket", &e))?;
        Ok(dir)
    }

    /// Where an object lives (checks the bucket exists and the key is
    /// valid): each key segment a name below the bucket's directory, a long
    /// or reserved one under its hashed name (see the module docs).
    pub fn object_path(&self, bucket: &str, key: &str) -> Result<PathBuf, OssError> {
        let mut path = self.require_bucket(bucket)?;
        Self::check_key(key)?;
        for segment in key.split('/') {
            let name = disk_name(segment);
            debug_assert!(matches!(
                Path::new(name.as_ref()).components().next(),
                Some(Component::Normal(_))
            ));
            path.push(name.as_ref());
        }
        Ok(path)
    }

    /// The object's size, else `NoSuchKey`.
    pub fn size(&self, bucket: &str, key: &str) -> Result<u64, OssError> {
        let path = self.object_path(bucket, key)?;
        match fs::metadata(&path) {
            Ok(m) if m.is_file() => Ok(m.len()),
            _ => Err(OssError::no_such_key(key)),
        }
    }

    /// Reads an object, else `NoSuchKey`.
    pub fn get(&self, bucket: &str, key: &str) -> Result<Object, OssError> {
        let path = self.object_path(bucket, key)?;
        let meta = match fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            _ => return Err(OssError::no_such_key(key)),
        };
        let bytes = fs::read(&path).map_err(|e| io_error("reading the object", &e))?;
        Ok(Object {
            bytes,
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        })
    }

    /// Writes an object atomically (a temporary file renamed over the key).
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<(), OssError> {
        let path = self.object_path(bucket, key)?;
        let parent = path.parent().unwrap_or(&self.root);
        if path.is_dir() {
            return Err(conflict(key, "a directory of longer keys"));
        }
        if let Err(e) = fs::create_dir_all(parent) {
            return Err(
                if e.kind() == io::ErrorKind::AlreadyExists || parent.is_file() {
                    conflict(key, "an object that is a prefix of this key")
                } else {
                    write_error(key, "creating the object's directory", &e)
                },
            );
        }
        if let Err(e) = remember_hashed_names(&self.bucket_dir(bucket), key) {
            return Err(write_error(key, "naming the object's hashed segments", &e));
        }
        if let Err(e) = write_whole(&path, bytes) {
            return Err(if parent.is_file() || path.is_dir() {
                conflict(key, "an existing object or directory")
            } else {
                write_error(key, "writing the object", &e)
            });
        }
        Ok(())
    }

    /// Deletes an object; a missing one is not an error (as in OSS).
    pub fn delete(&self, bucket: &str, key: &str) -> Result<(), OssError> {
        let path = self.object_path(bucket, key)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(_) if path.is_dir() => Ok(()),
            Err(e) => Err(io_error("deleting the object", &e)),
        }
    }
}

/// Writes `path` whole or not at all: a temporary file of the emulator's
/// own beside it (a short name made anew: never an existing file or a link
/// planted there), renamed over it; removed on failure.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = path.with_file_name(format!(
        "{RESERVED_PREFIX}tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

fn conflict(key: &str, what: &str) -> OssError {
    OssError::new(
        409,
        "ObjectConflict",
        "0016-00000006",
        format!("This emulator stores objects as files, and the key {key:?} collides with {what}."),
    )
}

fn io_error(what: &str, e: &io::Error) -> OssError {
    OssError::internal(format!("The emulator failed {what}: {e}."))
}

/// A failed write: a name the file system cannot hold is the key's fault
/// (`InvalidObjectName`), anything else the emulator's.
fn write_error(key: &str, what: &str, e: &io::Error) -> OssError {
    if name_too_long(e) {
        invalid_key(
            key,
            "the emulator's file system cannot hold a file of this name (a key segment or the whole path is too long for it)",
        )
    } else {
        io_error(what, e)
    }
}

/// Whether `e` says a file name or path is too long (`ENAMETOOLONG`).
fn name_too_long(e: &io::Error) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const CODES: &[i32] = &[36];
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    const CODES: &[i32] = &[63];
    // ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME
    #[cfg(windows)]
    const CODES: &[i32] = &[206, 123];
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly",
        windows
    )))]
    const CODES: &[i32] = &[];
    e.raw_os_error().is_some_and(|code| CODES.contains(&code))
}

/// The name a key segment has on disk: itself, or for one too long to be a
/// file name or beginning with the emulator's prefix, the prefix and the
/// hex SHA-256 of the segment (`.~oss-emu.` and 64 digits: 74 bytes).
fn disk_name(segment: &str) -> Cow<'_, str> {
    if segment.len() <= MAX_NAME_BYTES && !segment.starts_with(RESERVED_PREFIX) {
        return Cow::Borrowed(segment);
    }
    let mut name = String::with_capacity(RESERVED_PREFIX.len() + 64);
    name.push_str(RESERVED_PREFIX);
    for b in Sha256::digest(segment.as_bytes()) {
        let _ = write!(name, "{b:02x}");
    }
    Cow::Owned(name)
}

/// The file beside a hashed name that holds its segment.
fn name_file(hashed: &str) -> String {
    format!("{RESERVED_PREFIX}name-{}", &hashed[RESERVED_PREFIX.len()..])
}

/// Writes, beside each hashed segment of `key` below `bucket_dir` whose
/// directory exists, the file naming it (once).
fn remember_hashed_names(bucket_dir: &Path, key: &str) -> io::Result<()> {
    let mut dir = bucket_dir.to_path_buf();
    for segment in key.split('/') {
        let name = disk_name(segment);
        if let Cow::Owned(hashed) = &name {
            let file = dir.join(name_file(hashed));
            if dir.is_dir() && !file.exists() {
                fs::write(&file, segment)?;
            }
        }
        dir.push(name.as_ref());
    }
    Ok(())
}

/// The key segment a directory entry named `disk` in `dir` stands for:
/// itself, or for a hashed name the segment its name file holds; `None`
/// for the emulator's own files (temporary and name files).
pub(crate) fn key_segment(dir: &Path, disk: &str) -> Option<String> {
    let Some(rest) = disk.strip_prefix(RESERVED_PREFIX) else {
        return Some(disk.to_string());
    };
    if rest.len() != 64 || !rest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    fs::read_to_string(dir.join(name_file(disk))).ok()
}

fn invalid_key(key: &str, why: &str) -> OssError {
    OssError::new(
        400,
        "InvalidObjectName",
        "0016-00000005",
        format!("The specified object name is not valid: {why}."),
    )
    .with("ObjectName", key)
}

/// The `ETag` OSS gives a simple upload: the upper-case hex MD5, quoted.
pub(crate) fn etag(bytes: &[u8]) -> String {
    let digest = Md5::digest(bytes);
    let mut s = String::with_capacity(34);
    s.push('"');
    for b in digest {
        s.push_str(&format!("{b:02X}"));
    }
    s.push('"');
    s
}

/// The Content-Type of an object: sniffed for images, else by extension.
pub(crate) fn content_type(key: &str, bytes: &[u8]) -> &'static str {
    if let Some(t) = super::imaging::sniff_content_type(bytes) {
        return t;
    }
    let ext = key
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_and_key_rules() {
        assert!(Store::check_bucket_name("examplebucket").is_ok());
        assert!(Store::check_bucket_name("a-1").is_ok());
        for bad in ["ab", "-ab", "ab-", "Ab1", "a_b", &"a".repeat(64)] {
            assert!(Store::check_bucket_name(bad).is_err(), "{bad}");
        }
        assert!(Store::check_key("a/b c+d/猫.jpg").is_ok());
        for bad in ["", "/a", "a/", "a//b", "../a", "a/./b", "a\\b"] {
            let e = Store::check_key(bad).unwrap_err();
            assert_eq!(e.code, "InvalidObjectName", "{bad}");
        }
    }

    #[test]
    fn long_and_reserved_segments_get_hashed_names_and_others_their_own() {
        assert_eq!(disk_name("photo.jpg"), "photo.jpg");
        let at_limit = "a".repeat(MAX_NAME_BYTES);
        assert_eq!(disk_name(&at_limit), at_limit.as_str());
        for segment in ["a".repeat(256), "猫".repeat(100), ".~oss-emu.x".to_string()] {
            let name = disk_name(&segment);
            assert!(name.starts_with(RESERVED_PREFIX), "{name}");
            assert_eq!(name.len(), RESERVED_PREFIX.len() + 64);
            assert!(
                name[RESERVED_PREFIX.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit())
            );
        }
        assert_ne!(disk_name(&"a".repeat(256)), disk_name(&"a".repeat(257)));
    }

    #[test]
    fn etag_is_quoted_upper_hex_md5() {
        assert_eq!(etag(b""), "\"D41D8CD98F00B204E9800998ECF8427E\"");
    }
}
