//! Processed downloads: the body of a `GET /<key>?x-oss-process=...`
//! (the processed image itself, never saved on the server) as a stream, so
//! that a large result never has to sit in memory.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The processed bytes of an object, read as a stream.
///
/// Reads are bounded by the client's read timeout each. A broken or short
/// transfer surfaces as an `io::Error` from [`Read::read`], never as a
/// silently truncated image.
pub struct ProcessedObject {
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) content_type: String,
    pub(crate) content_length: Option<u64>,
    pub(crate) request_id: String,
    pub(crate) target: String,
}

impl fmt::Debug for ProcessedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessedObject")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl ProcessedObject {
    /// `Content-Type` of the answer, e.g. `image/jpeg`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// `Content-Length` of the answer, when the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// `x-oss-request-id` of the answer.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Copies the whole stream into `sink`, returning the number of bytes.
    ///
    /// A failure while reading is [`Error::Transport`] or
    /// [`Error::Timeout`]; a failure while writing is [`Error::Io`]. Either
    /// way `sink` may hold a partial image: discard it (or use
    /// [`save_to`](Self::save_to), which never leaves one behind).
    pub fn copy_to(mut self, sink: &mut impl Write) -> Result<u64, Error> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match self.reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(e)),
            };
            sink.write_all(&buf[..n]).map_err(Error::Io)?;
            total += n as u64;
        }
        sink.flush().map_err(Error::Io)?;
        Ok(total)
    }

    /// Writes the stream to `path` through a temporary file in the same
    /// directory, renamed into place only when the whole image arrived: on
    /// any error nothing is left at `path` (and an older file there is kept).
    pub fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let part = part_path(path);
        let result = (|| {
            let mut file = fs::File::create(&part).map_err(Error::Io)?;
            let n = self.copy_to(&mut file)?;
            file.sync_all().map_err(Error::Io)?;
            fs::rename(&part, path).map_err(Error::Io)?;
            Ok(n)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&part);
        }
        result
    }

    fn read_error(&self, e: io::Error) -> Error {
        let target = format!("{} (request id {})", self.target, self.request_id);
        if e.kind() == io::ErrorKind::TimedOut {
            Error::Timeout {
                target,
                source: Box::new(e),
            }
        } else {
            Error::Transport {
                target,
                source: Box::new(e),
            }
        }
    }
}

impl Read for ProcessedObject {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

/// `dir/.name.part-<pid>`, beside the destination so the rename is atomic.
fn part_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_string());
    path.with_file_name(format!(".{name}.part-{}", std::process::id()))
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
        ProcessedObject {
            reader: Box::new(reader),
            content_type: "image/jpeg".into(),
            content_length: None,
            request_id: "RID".into(),
            target: "GET x".into(),
        }
    }

    #[test]
    fn copy_counts_bytes() {
        let mut out = Vec::new();
        assert_eq!(object(&b"hello"[..]).copy_to(&mut out).unwrap(), 5);
        assert_eq!(out, b"hello");
    }

    #[test]
    fn a_broken_stream_leaves_no_file_behind() {
        let dir = std::env::temp_dir().join(format!("oss-process-dl-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
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
}
