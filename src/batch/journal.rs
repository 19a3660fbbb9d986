//! The journal of finished keys: a text file a batch appends each key to
//! as soon as it is done (processed, or skipped because its target
//! exists), so that a rerun skips them.
//!
//! The first line names the format and the bucket
//! (`# oss-process batch journal v1 bucket="photos"`); each further line is
//! one key as a JSON string, so any key (newlines, quotes, any Unicode)
//! fits on one line. Every key is written by one `write` as soon as it is
//! done, so a killed process loses none it finished; the file is synced to
//! disk every [`SYNC_EVERY`] keys or [`SYNC_INTERVAL`], and at the end. A
//! last line cut short by a crash is ignored, and cut off before the next
//! key is appended. A file that is not a journal, a damaged line or one of
//! another bucket is an error before any request.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::redact::preview;

/// What the first line begins with.
const MAGIC: &str = "# oss-process batch journal v1 bucket=";
/// Keys written between two syncs to disk, at most...
pub(crate) const SYNC_EVERY: usize = 1000;
/// ...and the longest time between them.
pub(crate) const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// An open journal, appending.
#[derive(Debug)]
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
    unsynced: usize,
    last_sync: Instant,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for `bucket`, and reads the
    /// keys it holds.
    pub(crate) fn open(path: &Path, bucket: &str) -> Result<(Journal, HashSet<String>), Error> {
        let fail = |why: String| Error::invalid("journal", format!("{}: {why}", path.display()));
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| fail(format!("cannot open it: {e}")))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read it: {e}")))?;
        let header = format!("{MAGIC}{}\n", json(bucket));
        let mut keys = HashSet::new();
        // Only whole lines count: a last line without its newline was cut
        // short while being written.
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole == 0 {
            if !header.as_bytes().starts_with(&bytes) {
                return Err(fail(format!(
                    "this is not a batch journal (it begins {}); give a new file, or move this one aside",
                    preview(&bytes)
                )));
            }
            file.set_len(0)
                .and_then(|()| file.write_all(header.as_bytes()))
                .and_then(|()| file.sync_data())
                .map_err(|e| fail(format!("cannot write it: {e}")))?;
        } else {
            let text = std::str::from_utf8(&bytes[..whole])
                .map_err(|_| fail("this is not a batch journal (it is not UTF-8 text)".into()))?;
            let mut lines = text.lines();
            let first = lines.next().unwrap_or_default();
            let Some(named) = first.strip_prefix(MAGIC) else {
                return Err(fail(format!(
                    "this is not a batch journal (its first line is {}); give a new file, or move this one aside",
                    preview(first.as_bytes())
                )));
            };
            if named != json(bucket) {
                return Err(fail(format!(
                    "this journal is of bucket {named}, not {}: give each bucket its own journal",
                    json(bucket)
                )));
            }
            for (i, line) in lines.enumerate() {
                let key: String = serde_json::from_str(line).map_err(|_| {
                    fail(format!(
                        "line {} is damaged ({}): a key is a JSON string on its own line; repair or remove the line",
                        i + 2,
                        preview(line.as_bytes())
                    ))
                })?;
                keys.insert(key);
            }
            if whole < bytes.len() {
                log::warn!(
                    "oss-process batch: ignoring the last line of {}, cut short ({} bytes)",
                    path.display(),
                    bytes.len() - whole
                );
                file.set_len(whole as u64)
                    .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
                    .map_err(|e| fail(format!("cannot cut its torn last line: {e}")))?;
            }
        }
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
                unsynced: 0,
                last_sync: Instant::now(),
            },
            keys,
        ))
    }

    /// Appends a finished key (one `write`), syncing when due.
    pub(crate) fn record(&mut self, key: &str) -> Result<(), Error> {
        let mut line = json(key);
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| self.failed("write", &e))?;
        self.unsynced += 1;
        if self.unsynced >= SYNC_EVERY || self.last_sync.elapsed() >= SYNC_INTERVAL {
            self.sync()?;
        }
        Ok(())
    }

    /// Syncs what was written to disk.
    pub(crate) fn sync(&mut self) -> Result<(), Error> {
        if self.unsynced > 0 {
            self.file.sync_data().map_err(|e| self.failed("sync", &e))?;
            self.unsynced = 0;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    fn failed(&self, what: &str, e: &std::io::Error) -> Error {
        Error::invalid(
            "journal",
            format!("{}: cannot {what} it: {e}", self.path.display()),
        )
    }
}

/// `s` as a JSON string.
fn json(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("oss-process-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    #[test]
    fn keys_survive_a_reopen_and_a_torn_line_is_dropped() {
        let path = temp("torn");
        let keys = ["a.jpg", "with\nnewline \"quoted\"", "猫/照片 1+2.jpg", ""];
        {
            let (mut journal, held) = Journal::open(&path, "photos").unwrap();
            assert!(held.is_empty());
            for key in keys {
                journal.record(key).unwrap();
            }
            journal.sync().unwrap();
        }
        // A crash in the middle of a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"\"half-writ").unwrap();
        drop(file);
        let (mut journal, held) = Journal::open(&path, "photos").unwrap();
        assert_eq!(held, keys.iter().map(|k| k.to_string()).collect());
        journal.record("after.jpg").unwrap();
        drop(journal);
        let (_, held) = Journal::open(&path, "photos").unwrap();
        assert!(held.contains("after.jpg") && !held.iter().any(|k| k.contains("half")));
        assert_eq!(held.len(), keys.len() + 1);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn what_is_not_a_journal_is_refused() {
        let path = temp("bad");
        for (content, says) in [
            (&b"hello\n"[..], "not a batch journal"),
            (&b"\xff\xfe\n"[..], "not UTF-8"),
            (&b"{\"some\": \"json\"}"[..], "not a batch journal"),
            (
                &b"# oss-process batch journal v1 bucket=\"other\"\n"[..],
                "of bucket \"other\"",
            ),
            (
                &b"# oss-process batch journal v1 bucket=\"photos\"\n\"a\"\nnot json\n\"b\"\n"[..],
                "line 3 is damaged",
            ),
        ] {
            std::fs::write(&path, content).unwrap();
            let e = Journal::open(&path, "photos").unwrap_err();
            let text = e.to_string();
            assert!(text.contains(says) && text.contains("journal"), "{text}");
            assert!(text.contains(&path.display().to_string()), "{text}");
        }
        // A torn header (the very first write cut) starts over.
        std::fs::write(&path, b"# oss-process batch").unwrap();
        let (_, held) = Journal::open(&path, "photos").unwrap();
        assert!(held.is_empty());
        assert!(std::fs::read_to_string(&path).unwrap().starts_with(MAGIC));
        let _ = std::fs::remove_file(&path);
        let dir = std::env::temp_dir();
        let e = Journal::open(&dir, "photos").unwrap_err();
        assert!(e.to_string().contains("cannot"), "{e}");
    }
}
