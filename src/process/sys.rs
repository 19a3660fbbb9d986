//! The `sys/` part after the `|`: where the result is saved (`saveas`, with
//! its object key and bucket) and which message-queue topic hears when an
//! asynchronous task ends (`notify`). Both values are URL-safe base64
//! without padding on the wire; this module encodes, decodes and checks
//! them.

use super::check;
use super::params::{decoded, params, required, shorten, split_action, unknown};
use crate::encoding::base64_url;
use crate::error::Error;
use crate::names;

/// MNS topic names are at most 256 characters.
const TOPIC_MAX_BYTES: usize = 256;

/// Where `sys/saveas` writes the result: an object key and an optional
/// bucket (the source bucket when absent; same account and region).
///
/// Both are sent URL-safe base64 encoded without padding (`o_`, `b_`). The
/// key must be 1 to 1023 bytes without control characters; it may hold the
/// service's `{variable}` templates (e.g. `{index}` for document pages). The
/// bucket must be 3 to 63 characters of `a-z`, `0-9` and `-`, not starting
/// or ending with `-`.
///
/// ```
/// use oss_process::process::{Process, SaveAs};
///
/// let target = SaveAs::new("test.jpg").bucket("test");
/// assert_eq!(target.key, "test.jpg");
/// assert_eq!(target.bucket.as_deref(), Some("test"));
/// let p = Process::image().rotate(90).save_as(target).build()?;
/// assert_eq!(p.as_str(), "image/rotate,90|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SaveAs {
    /// The target object key, decoded (`o_`).
    pub key: String,
    /// The target bucket, decoded (`b_`); `None` saves to the source bucket.
    pub bucket: Option<String>,
}

impl SaveAs {
    /// Saves to `key` in the source bucket.
    ///
    /// ```
    /// use oss_process::process::SaveAs;
    ///
    /// assert_eq!(SaveAs::new("dest.jpg").bucket, None);
    /// ```
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        SaveAs {
            key: key.into(),
            bucket: None,
        }
    }

    /// Saves to another bucket of the same account and region.
    ///
    /// ```
    /// use oss_process::process::SaveAs;
    ///
    /// assert_eq!(SaveAs::new("dest.jpg").bucket("other").bucket.as_deref(), Some("other"));
    /// ```
    #[must_use]
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        names::check_key_as("saveas.o", &self.key)?;
        if let Some(bucket) = &self.bucket {
            names::check_bucket_as("saveas.b", bucket)?;
        }
        Ok(())
    }

    fn render(&self, out: &mut String, bucket_first: bool) {
        let key = base64_url(&self.key);
        let bucket = self.bucket.as_deref().map(base64_url);
        let push_bucket = |out: &mut String| {
            if let Some(b) = &bucket {
                out.push_str(",b_");
                out.push_str(b);
            }
        };
        if bucket_first {
            push_bucket(out);
        }
        out.push_str(",o_");
        out.push_str(&key);
        if !bucket_first {
            push_bucket(out);
        }
    }
}

/// A notify topic: 1 to 256 bytes, no control characters.
pub(crate) fn check_topic(topic: &str) -> Result<(), Error> {
    const NAME: &str = "notify.topic";
    check::not_empty(NAME, topic)?;
    check::max_bytes(NAME, topic, TOPIC_MAX_BYTES)?;
    check::no_control(NAME, topic)
}

/// Appends the `|sys/...` part: `saveas` (with `b_` first when
/// `bucket_first`, as the docs' asynchronous example writes it) and then
/// `notify`, each only when there is one.
pub(crate) fn render(
    out: &mut String,
    save_as: Option<&SaveAs>,
    notify_topic: Option<&str>,
    bucket_first: bool,
) {
    if save_as.is_none() && notify_topic.is_none() {
        return;
    }
    out.push_str("|sys/");
    if let Some(target) = save_as {
        out.push_str("saveas");
        target.render(out, bucket_first);
        if notify_topic.is_some() {
            out.push('/');
        }
    }
    if let Some(topic) = notify_topic {
        out.push_str("notify,topic_");
        out.push_str(&base64_url(topic));
    }
}

/// `saveas,o_..,b_..`, the values decoded and checked.
pub(crate) fn parse_saveas(text: &str) -> Result<SaveAs, Error> {
    let (action, args) = split_action(text);
    if action != "saveas" {
        return Err(Error::invalid(
            "sys",
            format!(
                "has no action {:?} (only saveas and notify)",
                shorten(action)
            ),
        ));
    }
    let (mut key, mut bucket) = (None, None);
    for (name, value) in params("saveas", &args)? {
        match name {
            "o" => key = Some(decoded("saveas.o", value)?),
            "b" => bucket = Some(decoded("saveas.b", value)?),
            _ => return Err(unknown("saveas", name, "o, b")),
        }
    }
    let target = SaveAs {
        key: required("saveas.o", key)?,
        bucket,
    };
    target.validate()?;
    Ok(target)
}

/// `notify,topic_..`, the topic decoded and checked.
pub(crate) fn parse_notify(text: &str) -> Result<String, Error> {
    let (action, args) = split_action(text);
    if action != "notify" {
        return Err(Error::invalid(
            "sys",
            format!(
                "has no action {:?} after saveas (only notify)",
                shorten(action)
            ),
        ));
    }
    let mut topic = None;
    for (name, value) in params("notify", &args)? {
        match name {
            "topic" => topic = Some(decoded("notify.topic", value)?),
            _ => return Err(unknown("notify", name, "topic")),
        }
    }
    let topic = required("notify.topic", topic)?;
    check_topic(&topic)?;
    Ok(topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(save_as: Option<&SaveAs>, topic: Option<&str>, bucket_first: bool) -> String {
        let mut out = String::new();
        render(&mut out, save_as, topic, bucket_first);
        out
    }

    #[test]
    fn renders_saveas_and_notify_as_the_docs_write_them() {
        let target = SaveAs::new("doc_images/{index}.png").bucket("test-bucket");
        assert_eq!(
            rendered(Some(&target), Some("test-topic"), true),
            "|sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw/notify,topic_dGVzdC10b3BpYw"
        );
        assert_eq!(
            rendered(Some(&SaveAs::new("test.jpg").bucket("test")), None, false),
            "|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
        );
        assert_eq!(rendered(None, None, false), "");
    }

    #[test]
    fn saveas_is_url_safe_and_unpadded() {
        let text = rendered(Some(&SaveAs::new("测试.jpg")), None, false);
        assert_eq!(text, "|sys/saveas,o_5rWL6K-VLmpwZw");
    }

    #[test]
    fn saveas_checks_key_and_bucket() {
        let cases = [
            (SaveAs::new(""), "saveas.o"),
            (SaveAs::new("a".repeat(1024)), "saveas.o"),
            (SaveAs::new("a\nb"), "saveas.o"),
            (SaveAs::new("k").bucket("ab"), "saveas.b"),
            (SaveAs::new("k").bucket("-abc"), "saveas.b"),
            (SaveAs::new("k").bucket("abc-"), "saveas.b"),
            (SaveAs::new("k").bucket("Abc"), "saveas.b"),
            (SaveAs::new("k").bucket("a".repeat(64)), "saveas.b"),
        ];
        for (target, expected) in cases {
            match target.validate() {
                Err(Error::InvalidArgument { name, .. }) => {
                    assert_eq!(name, expected, "{target:?}")
                }
                other => panic!("{target:?}: {other:?}"),
            }
        }
        assert!(
            SaveAs::new("a".repeat(1023))
                .bucket("a".repeat(63))
                .validate()
                .is_ok()
        );
        assert!(
            SaveAs::new("dir/{index}.png")
                .bucket("a-1")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn topics_are_checked() {
        assert!(check_topic("t").is_ok());
        assert!(check_topic("").is_err());
        assert!(check_topic(&"t".repeat(257)).is_err());
        assert!(check_topic("a\nb").is_err());
        assert_eq!(
            parse_notify("notify,topic_dGVzdC10b3BpYw").unwrap(),
            "test-topic"
        );
        assert!(parse_notify("notify,topic_").is_err());
        assert!(parse_notify("notice,topic_eA").is_err());
    }
}
