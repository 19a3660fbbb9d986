//! The object store behind the emulator: `<root>/<bucket>/<key>` on the
//! local file system, with OSS's bucket and key name rules, atomic writes,
//! and the metadata answers need (ETag, Content-Type, Last-Modified).

use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use md5::{Digest, Md5};

use super::errors::OssError;

/// The longest object key OSS accepts, in bytes.
const MAX_KEY_BYTES: usize = 1023;

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
        let invalid = |why: &str| {
            Err(OssError::new(
                400,
                "InvalidObjectName",
                "0016-00000005",
                format!("The specified object name is not valid: {why}."),
            )
            .with("ObjectName", key))
        };
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

    /// Where an object lives (checks the bucket exists and the key is valid).
    pub fn object_path(&self, bucket: &str, key: &str) -> Result<PathBuf, OssError> {
        let dir = self.require_bucket(bucket)?;
        Self::check_key(key)?;
        let relative = Path::new(key);
        debug_assert!(
            relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        );
        Ok(dir.join(relative))
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
                    io_error("creating the object's directory", &e)
                },
            );
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = parent.join(format!(
            ".{name}.oss-emulator-{}-{}.tmp",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = fs::File::create(&temp)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|()| fs::rename(&temp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(if parent.is_file() || path.is_dir() {
                conflict(key, "an existing object or directory")
            } else {
                io_error("writing the object", &e)
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
    fn etag_is_quoted_upper_hex_md5() {
        assert_eq!(etag(b""), "\"D41D8CD98F00B204E9800998ECF8427E\"");
    }
}
