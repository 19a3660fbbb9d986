//! Processed downloads: the body of a `GET /<key>?x-oss-process=...`
//! (the processed image itself, never saved on the server) as a stream, so
//! that a large result never has to sit in memory; bounded in size and time,
//! and saved to a file whole or not at all.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// What the client knows of a download besides its bytes.
pub(crate) struct Download {
    pub(crate) content_type: String,
    pub(crate) content_length: Option<u64>,
    pub(crate) request_id: String,
    pub(crate) target: String,
    /// The most bytes accepted (`ClientBuilder::max_download_size`).
    pub(crate) cap: Option<u64>,
    /// The process was an image action: an empty body or an HTML page is
    /// not its answer.
    pub(crate) expect_image: bool,
}

/// The processed bytes of an object, read as a stream. Made by
/// [`Client::get_processed`](crate::Client::get_processed).
///
/// The body has the client's download deadline
/// ([`ClientBuilder::download_timeout`](crate::ClientBuilder::download_timeout))
/// and each read its read timeout; it is capped at
/// [`ClientBuilder::max_download_size`](crate::ClientBuilder::max_download_size).
/// A broken, short, stalled or oversized transfer surfaces as an error,
/// never as a silently truncated image.
///
/// ```no_run
/// # fn demo(client: &oss_process::Client) -> Result<(), oss_process::Error> {
/// let thumb = client.get_processed("examplebucket", "cat.jpg", "image/resize,w_100")?;
/// println!("{} ({:?} bytes)", thumb.content_type(), thumb.content_length());
/// let bytes = thumb.save_to("cat-100.jpg")?; // whole, or the old file stays
/// # Ok(()) }
/// ```
pub struct ProcessedObject {
    reader: Box<dyn Read + Send>,
    meta: Download,
    /// Bytes read so far.
    read: u64,
}

impl fmt::Debug for ProcessedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessedObject")
            .field("content_type", &self.meta.content_type)
            .field("content_length", &self.meta.content_length)
            .field("request_id", &self.meta.request_id)
            .finish_non_exhaustive()
    }
}

/// The error a read returns when the body grows past the cap, recognised
/// again by [`ProcessedObject::read_error`].
#[derive(Debug)]
struct OverCap;

impl fmt::Display for OverCap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the download is larger than the size cap")
    }
}

impl std::error::Error for OverCap {}

impl ProcessedObject {
    pub(crate) fn new(reader: Box<dyn Read + Send>, meta: Download) -> Self {
        ProcessedObject {
            reader,
            meta,
            read: 0,
        }
    }

    /// `Content-Type` of the answer, e.g. `image/jpeg`.
    pub fn content_type(&self) -> &str {
        &self.meta.content_type
    }

    /// `Content-Length` of the answer, when the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.meta.content_length
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.meta.request_id
    }

    /// Copies the whole stream into `sink`, returning the number of bytes.
    ///
    /// A failure while reading is [`Error::Transport`] or
    /// [`Error::Timeout`]; a body over the cap is
    /// [`Error::ResponseTooLarge`]; an image action's answer that is empty
    /// or an HTML page is [`Error::Decode`]; a failure while writing is
    /// [`Error::Io`]. Either way `sink` may hold a partial image: discard it
    /// (or use [`save_to`](Self::save_to), which never leaves one behind).
    pub fn copy_to(mut self, sink: &mut impl Write) -> Result<u64, Error> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match self.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(e)),
            };
            if total == 0 && self.meta.expect_image && looks_like_html(&buf[..n]) {
                return Err(self.not_an_image("an HTML page (a proxy's or captive portal's?)"));
            }
            sink.write_all(&buf[..n]).map_err(Error::Io)?;
            total += n as u64;
        }
        if total == 0 && self.meta.expect_image {
            return Err(self.not_an_image("empty"));
        }
        sink.flush().map_err(Error::Io)?;
        Ok(total)
    }

    /// Writes the stream to `path`, whole or not at all: into a new
    /// temporary file beside it (a name no other thread or process picks,
    /// created afresh, never through an existing file or link), synced,
    /// then renamed over `path`. On any error the file at `path` is left as
    /// it was and the temporary file is removed.
    pub fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let (mut file, part) = create_part_file(path).map_err(Error::Io)?;
        let result = (|| {
            let n = self.copy_to(&mut file)?;
            file.sync_all().map_err(Error::Io)?;
            drop(file);
            fs::rename(&part, path).map_err(Error::Io)?;
            sync_parent(path);
            Ok(n)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&part);
        }
        result
    }

    fn not_an_image(&self, what: &str) -> Error {
        Error::Decode {
            message: format!(
                "the answer to {} is {what}, not the processed image (Content-Type {:?})",
                self.meta.target, self.meta.content_type
            ),
            request_id: (!self.meta.request_id.is_empty()).then(|| self.meta.request_id.clone()),
            source: None,
        }
    }

    pub(crate) fn read_error(&self, e: io::Error) -> Error {
        let meta = &self.meta;
        let request_id = (!meta.request_id.is_empty()).then(|| meta.request_id.clone());
        if e.get_ref().is_some_and(|inner| inner.is::<OverCap>()) {
            return Error::ResponseTooLarge {
                target: meta.target.clone(),
                limit: meta.cap.unwrap_or(u64::MAX),
                request_id,
            };
        }
        let target = format!("{} (request id {})", meta.target, meta.request_id);
        // The HTTP layer's own errors (a stalled read is its timeout) keep
        // their classification.
        match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
            Some(Ok(ureq_error)) => Error::from_ureq(target, *ureq_error),
            Some(Err(other)) => Error::Transport {
                target,
                source: other,
            },
            None => Error::Transport {
                target,
                source: "the download failed".into(),
            },
        }
        .timeout_if_timed_out()
    }
}

impl Error {
    /// A transport error whose cause is an I/O timeout, as a timeout.
    fn timeout_if_timed_out(self) -> Error {
        match self {
            Error::Transport { target, source }
                if source
                    .downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut) =>
            {
                Error::Timeout { target, source }
            }
            other => other,
        }
    }
}

impl Read for ProcessedObject {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.read += n as u64;
        if self.meta.cap.is_some_and(|cap| self.read > cap) {
            return Err(io::Error::other(OverCap));
        }
        Ok(n)
    }
}

/// Whether a body starts like an HTML document.
fn looks_like_html(start: &[u8]) -> bool {
    let text = start.trim_ascii_start();
    let head = &text[..text.len().min(16)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html")
}

/// Temporary names handed out by this process, so threads never collide.
static PART_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a new, empty temporary file beside `path`:
/// `.<first bytes of the name>.<pid>-<counter>-<random>.part`, short enough
/// for any name the file system takes, and opened with `create_new`, so an
/// existing file or a link planted at that name is never followed or reused.
fn create_part_file(path: &Path) -> io::Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} names no file", path.display()),
            )
        })?
        .to_string_lossy();
    // At most 32 bytes of the name, cut on a character boundary.
    let mut cut = name.len().min(32);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = &name[..cut];
    let mut last_error = None;
    for _ in 0..16 {
        let part = path.with_file_name(format!(
            ".{stem}.{}-{}-{:08x}.part",
            std::process::id(),
            PART_COUNTER.fetch_add(1, Ordering::Relaxed),
            crate::retry::random_u64() as u32,
        ));
        match open_new(&part) {
            Ok(file) => return Ok((file, part)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Opens `path` as a new file: fails if anything (a file, a link, even a
/// dangling one) is there.
fn open_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Syncs the directory holding `path`, so the rename survives a crash
/// (best effort: not every platform can open a directory).
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(handle) = File::open(dir) {
            let _ = handle.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
            }
            self.0 -= 1;
            buf[0] = b'x';
            Ok(1)
        }
    }

    fn object(reader: impl Read + Send + 'static) -> ProcessedObject {
        ProcessedObject::new(
            Box::new(reader),
            Download {
                content_type: "image/jpeg".into(),
                content_length: None,
                request_id: "RID".into(),
                target: "GET x".into(),
                cap: Some(1000),
                expect_image: true,
            },
        )
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("oss-process-dl-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn copy_counts_bytes() {
        let mut out = Vec::new();
        assert_eq!(object(&b"hello"[..]).copy_to(&mut out).unwrap(), 5);
        assert_eq!(out, b"hello");
    }

    #[test]
    fn a_broken_stream_leaves_no_file_behind() {
        let dir = scratch("broken");
        let dest = dir.join("thumb.jpg");
        fs::write(&dest, b"old").unwrap();
        let err = object(Failing(3)).save_to(&dest).unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(err.to_string().contains("RID"));
        assert_eq!(fs::read(&dest).unwrap(), b"old", "the old file is kept");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "no part file is left"
        );
        assert_eq!(object(&b"new"[..]).save_to(&dest).unwrap(), 3);
        assert_eq!(fs::read(&dest).unwrap(), b"new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_and_html_answers_to_image_actions_are_refused() {
        let dir = scratch("html");
        let dest = dir.join("thumb.jpg");
        fs::write(&dest, b"old").unwrap();
        for body in [
            &b""[..],
            b"  <!DOCTYPE html><html>login</html>",
            b"<HTML><body>",
        ] {
            let err = object(body).save_to(&dest).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{err:?}");
            assert_eq!(err.request_id(), Some("RID"));
            assert_eq!(fs::read(&dest).unwrap(), b"old");
        }
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_body_over_the_cap_names_the_cap() {
        let err = object(io::repeat(b'x').take(5000))
            .copy_to(&mut io::sink())
            .unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit: 1000, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("1000-byte cap"), "{err}");
    }

    #[test]
    fn long_names_and_planted_links_at_temporary_names() {
        let dir = scratch("names");
        // 250 bytes: legal, but no room for a suffix.
        let long = dir.join("n".repeat(246) + ".jpg");
        assert_eq!(object(&b"long"[..]).save_to(&long).unwrap(), 4);
        assert_eq!(fs::read(&long).unwrap(), b"long");
        let (file, part) = create_part_file(&long).unwrap();
        drop(file);
        assert!(part.file_name().unwrap().len() < 100, "{part:?}");
        fs::remove_file(part).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_temporary_name_is_never_followed() {
        let dir = scratch("link");
        let victim = dir.join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let planted = dir.join(".thumb.jpg.1-2-3.part");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let err = open_new(&planted).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let dangling = dir.join(".thumb.jpg.4-5-6.part");
        std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
        assert_eq!(
            open_new(&dangling).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert!(!dir.join("nowhere").exists());
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        fs::remove_dir_all(&dir).unwrap();
    }
}
