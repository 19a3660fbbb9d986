//! Asynchronous process strings (`x-oss-async-process`): a document, video
//! or audio task, where its result is saved, and the topic told when it ends.
//!
//! The task itself (`doc/convert,target_png,source_docx`, `video/convert,...`)
//! is kept as text: its parameters belong to IMM and change with it. This
//! module only checks that the text cannot break out of its place in the
//! string, and renders `sys/saveas` and `notify` the way the docs show them.

use super::{Pipeline, Process, SaveAs, check};
use crate::error::Error;

/// The families the docs process asynchronously, besides
/// `image/deblindwatermark`.
const FAMILIES: [&str; 3] = ["doc/", "video/", "audio/"];
const DEBLIND: &str = "image/deblindwatermark";
/// MNS topic names are at most 256 characters.
const TOPIC_MAX_BYTES: usize = 256;

impl Process {
    /// Starts an asynchronous process: a document, video or audio task
    /// (`doc/...`, `video/...`, `audio/...`) or `image/deblindwatermark`,
    /// given as its action text. Send it with the client's asynchronous
    /// call; the bucket needs an IMM project bound to it.
    ///
    /// The docs' example, exactly (note `b_` before `o_`, as there):
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::async_action("doc/convert,target_png,source_docx")
    ///     .save_as(SaveAs::new("doc_images/{index}.png").bucket("test-bucket"))
    ///     .notify_topic("test-topic")
    ///     .build()?;
    /// assert_eq!(
    ///     p.as_str(),
    ///     "doc/convert,target_png,source_docx\
    ///      |sys/saveas,b_dGVzdC1idWNrZXQ,o_ZG9jX2ltYWdlcy97aW5kZXh9LnBuZw\
    ///      /notify,topic_dGVzdC10b3BpYw"
    /// );
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn async_action(action: impl Into<String>) -> AsyncProcessBuilder {
        AsyncProcessBuilder {
            action: action.into(),
            save_as: None,
            notify_topic: None,
        }
    }
}

/// Builds an asynchronous process. Made by [`Process::async_action`].
///
/// ```
/// use oss_process::process::{Pipeline, Process, SaveAs};
///
/// let p = Process::async_action("video/convert,f_mp4")
///     .save_as(SaveAs::new("out.mp4"))
///     .build()?;
/// assert_eq!(p.as_str(), "video/convert,f_mp4|sys/saveas,o_b3V0Lm1wNA");
/// assert_eq!(p.pipeline(), &Pipeline::Async("video/convert,f_mp4".into()));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct AsyncProcessBuilder {
    action: String,
    save_as: Option<SaveAs>,
    notify_topic: Option<String>,
}

impl AsyncProcessBuilder {
    /// Where to save the result (`|sys/saveas`); required. The key may hold
    /// templates such as `{index}`.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// assert!(Process::async_action("doc/convert,target_pdf").build().is_err());
    /// let p = Process::async_action("doc/convert,target_pdf")
    ///     .save_as(SaveAs::new("a.pdf"))
    ///     .build()?;
    /// assert_eq!(p.save_as().map(|t| t.key.as_str()), Some("a.pdf"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn save_as(mut self, target: SaveAs) -> Self {
        self.save_as = Some(target);
        self
    }

    /// The MNS topic told when the task ends (`/notify,topic_...`); the
    /// crate encodes it.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::async_action("audio/convert,f_mp3")
    ///     .save_as(SaveAs::new("a.mp3"))
    ///     .notify_topic("done")
    ///     .build()?;
    /// assert!(p.as_str().ends_with("/notify,topic_ZG9uZQ"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn notify_topic(mut self, topic: impl Into<String>) -> Self {
        self.notify_topic = Some(topic.into());
        self
    }

    /// Checks the action text, the target and the topic, and renders the
    /// process string.
    ///
    /// The action must start with `doc/`, `video/`, `audio/` or
    /// `image/deblindwatermark`, and must not contain `|` or control
    /// characters; the target is required.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let target = SaveAs::new("x");
    /// for bad in ["", "doc/", "image/resize,w_1", "doc/a|sys/saveas,o_eA", "doc/a\r\n"] {
    ///     assert!(Process::async_action(bad).save_as(target.clone()).build().is_err(), "{bad:?}");
    /// }
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(
            Pipeline::Async(self.action),
            self.save_as,
            self.notify_topic,
        )
    }
}

/// Whether `main` (the text before any `|`) is an asynchronous task.
pub(crate) fn is_async(main: &str) -> bool {
    FAMILIES.iter().any(|family| main.starts_with(family))
        || main
            .strip_prefix(DEBLIND)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(','))
}

pub(crate) fn check_action(action: &str) -> Result<(), Error> {
    const NAME: &str = "async.action";
    check::not_empty(NAME, action)?;
    check::no_control(NAME, action)?;
    if let Some(at) = action.find('|') {
        return Err(Error::invalid(
            NAME,
            format!("must not contain `|` (found at byte {at}); give the target with save_as"),
        ));
    }
    if !is_async(action) {
        return Err(Error::invalid(
            NAME,
            format!(
                "must start with doc/, video/, audio/ or {DEBLIND}, got {:?}",
                super::parse::shorten(action)
            ),
        ));
    }
    if FAMILIES.contains(&action) {
        return Err(Error::invalid(
            NAME,
            format!("names no task after {action}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_topic(topic: &str) -> Result<(), Error> {
    const NAME: &str = "notify.topic";
    check::not_empty(NAME, topic)?;
    check::max_bytes(NAME, topic, TOPIC_MAX_BYTES)?;
    check::no_control(NAME, topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_async_families() {
        for yes in [
            "doc/convert",
            "video/x",
            "audio/y",
            "image/deblindwatermark",
            "image/deblindwatermark,s_low",
        ] {
            assert!(is_async(yes), "{yes}");
        }
        for no in [
            "image/resize,w_1",
            "image/deblindwatermarkx",
            "style/a",
            "docs/x",
        ] {
            assert!(!is_async(no), "{no}");
        }
    }

    #[test]
    fn needs_a_target_and_a_sane_topic() {
        let err = Process::async_action("doc/x").build().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { ref name, .. } if name == "saveas"));
        let err = Process::async_action("doc/x")
            .save_as(SaveAs::new("k"))
            .notify_topic("")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { ref name, .. } if name == "notify.topic"));
    }
}
