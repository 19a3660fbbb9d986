//! The six document AI actions (`doc/translate`, `doc/polish`,
//! `doc/summarize`, `doc/continue`, `doc/enrich`, `doc/rephrase`), backed by
//! IMM: synchronous, sent with POST only, never saved. The object key only
//! selects the bucket (whose IMM project does the work); the text to work
//! on is the `content_` parameter, URL-safe base64 encoded, at most 19,500
//! bytes. The answer is JSON `{"RequestId", "Output": {"Text",
//! "FinishReason"}}`, or with `format_event-stream` a server-sent event
//! stream whose every event holds the whole text so far.
//!
//! Parameters, as the OSS pages document them (help.aliyun.com, "smart
//! document translation", "intelligent document tone rewriting", and the
//! polish, summarize, continue and enrich pages): every action takes
//! `content_` (required) and `format_` (`json`, the default, or
//! `event-stream`); `doc/translate` also takes `language_` (`zh_CN`,
//! `en_US`, `ja_JP`, `fr_FR`), `doc/rephrase` `tone_` (`professional`,
//! `relaxed`, `straightforward`, `confident`, `friendly`). The continue page
//! was not retrieved; it is taken to take what its siblings take.

use crate::encoding::base64_url;
use crate::error::Error;
use crate::process::check;
use crate::process::params::{decoded, param, params, required, unknown, wire_enum, word};

wire_enum! {
    /// The language `doc/translate` translates into (`language_`).
    ///
    /// ```
    /// use oss_process::process::DocLanguage;
    ///
    /// assert_eq!(DocLanguage::EnUs.as_str(), "en_US");
    /// ```
    DocLanguage ("language") {
        /// `zh_CN`: Chinese.
        ZhCn => "zh_CN",
        /// `en_US`: English.
        EnUs => "en_US",
        /// `ja_JP`: Japanese.
        JaJp => "ja_JP",
        /// `fr_FR`: French.
        FrFr => "fr_FR",
    }
}

wire_enum! {
    /// The tone `doc/rephrase` rewrites in (`tone_`).
    ///
    /// ```
    /// use oss_process::process::DocTone;
    ///
    /// assert_eq!(DocTone::Straightforward.as_str(), "straightforward");
    /// ```
    DocTone ("tone") {
        /// `professional`.
        Professional => "professional",
        /// `relaxed`.
        Relaxed => "relaxed",
        /// `straightforward`.
        Straightforward => "straightforward",
        /// `confident`.
        Confident => "confident",
        /// `friendly`.
        Friendly => "friendly",
    }
}

wire_enum! {
    /// How a document AI answer comes (`format_`): one JSON object, or a
    /// server-sent event stream.
    ///
    /// ```
    /// use oss_process::process::DocAiFormat;
    ///
    /// assert_eq!(DocAiFormat::EventStream.as_str(), "event-stream");
    /// ```
    DocAiFormat ("format") {
        /// `json` (the service's default): one answer with the whole text.
        Json => "json",
        /// `event-stream`: events, each with the whole text so far.
        EventStream => "event-stream",
    }
}

/// Which document AI action, with the parameter only it takes.
///
/// ```
/// use oss_process::process::{DocAiTask, DocLanguage};
///
/// assert_eq!(DocAiTask::Translate(DocLanguage::JaJp).name(), "translate");
/// assert_eq!(DocAiTask::Continue.name(), "continue");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocAiTask {
    /// `doc/translate,language_...`: translate into the language.
    Translate(DocLanguage),
    /// `doc/polish`: improve clarity and readability.
    Polish,
    /// `doc/summarize`: a short summary.
    Summarize,
    /// `doc/continue`: more text in the same vein.
    Continue,
    /// `doc/enrich`: richer wording.
    Enrich,
    /// `doc/rephrase,tone_...`: rewrite in the tone.
    Rephrase(DocTone),
}

impl DocAiTask {
    /// The action's name, e.g. `translate` for `doc/translate`.
    pub fn name(&self) -> &'static str {
        match self {
            DocAiTask::Translate(_) => "translate",
            DocAiTask::Polish => "polish",
            DocAiTask::Summarize => "summarize",
            DocAiTask::Continue => "continue",
            DocAiTask::Enrich => "enrich",
            DocAiTask::Rephrase(_) => "rephrase",
        }
    }
}

/// A document AI action: the task, the text it works on, and how the answer
/// comes. What [`DocAction::Ai`](super::DocAction::Ai) holds; the client's
/// `doc_translate` and its siblings build one for you.
///
/// The text is encoded for you (`content_`, URL-safe base64) and must be 1
/// to [`DocAi::MAX_CONTENT_BYTES`] bytes before encoding.
///
/// ```
/// use oss_process::process::{DocAi, DocLanguage, DocTone, Mode, Method, Process, SaveAsRule};
///
/// let p = Process::doc().ai(DocAi::translate("你好", DocLanguage::EnUs)).build()?;
/// assert_eq!(p.as_str(), "doc/translate,language_en_US,content_5L2g5aW9");
/// assert_eq!((p.mode(), p.save_as_rule()), (Some(Mode::Sync), Some(SaveAsRule::Never)));
/// assert_eq!(p.method(), Some(Method::Post));
///
/// let p = Process::doc().ai(DocAi::rephrase("hi", DocTone::Friendly).events()).build()?;
/// assert_eq!(p.as_str(), "doc/rephrase,tone_friendly,content_aGk,format_event-stream");
/// assert_eq!(Process::parse(p.as_str())?, p);
///
/// let long = "x".repeat(DocAi::MAX_CONTENT_BYTES + 1);
/// let err = Process::doc().ai(DocAi::summarize(long)).build().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid doc/summarize.content: must be at most 19500 bytes before encoding, got 19501"
/// );
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DocAi {
    /// The action and its own parameter.
    pub task: DocAiTask,
    /// `content_`: the text, decoded.
    pub content: String,
    /// `format_`: how the answer comes; `None` is the service's default,
    /// JSON.
    pub format: Option<DocAiFormat>,
}

impl DocAi {
    /// The most bytes of text (before encoding) the service takes.
    pub const MAX_CONTENT_BYTES: usize = 19_500;

    /// `task` on `text`, answered as JSON.
    ///
    /// ```
    /// use oss_process::process::{DocAi, DocAiTask};
    ///
    /// assert_eq!(DocAi::new(DocAiTask::Enrich, "x"), DocAi::enrich("x"));
    /// ```
    #[must_use]
    pub fn new(task: DocAiTask, text: impl Into<String>) -> Self {
        DocAi {
            task,
            content: text.into(),
            format: None,
        }
    }

    /// `doc/translate`: `text` into `language`.
    #[must_use]
    pub fn translate(text: impl Into<String>, language: DocLanguage) -> Self {
        DocAi::new(DocAiTask::Translate(language), text)
    }

    /// `doc/polish`.
    #[must_use]
    pub fn polish(text: impl Into<String>) -> Self {
        DocAi::new(DocAiTask::Polish, text)
    }

    /// `doc/summarize`.
    #[must_use]
    pub fn summarize(text: impl Into<String>) -> Self {
        DocAi::new(DocAiTask::Summarize, text)
    }

    /// `doc/continue` (named so because `continue` is a Rust keyword).
    #[must_use]
    pub fn continue_writing(text: impl Into<String>) -> Self {
        DocAi::new(DocAiTask::Continue, text)
    }

    /// `doc/enrich`.
    #[must_use]
    pub fn enrich(text: impl Into<String>) -> Self {
        DocAi::new(DocAiTask::Enrich, text)
    }

    /// `doc/rephrase`: `text` in `tone`.
    #[must_use]
    pub fn rephrase(text: impl Into<String>, tone: DocTone) -> Self {
        DocAi::new(DocAiTask::Rephrase(tone), text)
    }

    /// Sets how the answer comes (`format_`).
    ///
    /// ```
    /// use oss_process::process::{DocAi, DocAiFormat};
    ///
    /// let ai = DocAi::polish("x").format(DocAiFormat::Json);
    /// assert_eq!(ai.format, Some(DocAiFormat::Json));
    /// ```
    #[must_use]
    pub fn format(mut self, format: DocAiFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The answer as a server-sent event stream (`format_event-stream`).
    #[must_use]
    pub fn events(self) -> Self {
        self.format(DocAiFormat::EventStream)
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let name = format!("doc/{}.content", self.task.name());
        check::not_empty(&name, &self.content)?;
        if self.content.len() > Self::MAX_CONTENT_BYTES {
            return Err(Error::invalid(
                name,
                format!(
                    "must be at most {} bytes before encoding, got {}",
                    Self::MAX_CONTENT_BYTES,
                    self.content.len()
                ),
            ));
        }
        Ok(())
    }

    /// Appends the parameters after `doc/<name>`.
    pub(crate) fn render_params(&self, out: &mut String) {
        match self.task {
            DocAiTask::Translate(language) => param(out, "language", Some(language)),
            DocAiTask::Rephrase(tone) => param(out, "tone", Some(tone)),
            _ => {}
        }
        param(out, "content", Some(base64_url(&self.content)));
        param(out, "format", self.format);
    }

    /// Reads the parameters of `doc/<name>`; `Ok(None)` when `name` is not a
    /// document AI action.
    pub(crate) fn parse(name: &str, args: &[&str]) -> Result<Option<DocAi>, Error> {
        let action = format!("doc/{name}");
        let at = |p: &str| format!("{action}.{p}");
        let (takes_language, takes_tone) = match name {
            "translate" => (true, false),
            "rephrase" => (false, true),
            "polish" | "summarize" | "continue" | "enrich" => (false, false),
            _ => return Ok(None),
        };
        let known = match (takes_language, takes_tone) {
            (true, _) => "language, content, format",
            (_, true) => "tone, content, format",
            _ => "content, format",
        };
        let (mut language, mut tone, mut content, mut format) = (None, None, None, None);
        for (param, value) in params(&action, args)? {
            match param {
                "language" if takes_language => language = Some(word(&at("language"), value)?),
                "tone" if takes_tone => tone = Some(word(&at("tone"), value)?),
                "content" => content = Some(decoded(&at("content"), value)?),
                "format" => format = Some(word(&at("format"), value)?),
                _ => return Err(unknown(&action, param, known)),
            }
        }
        let task = match name {
            "translate" => DocAiTask::Translate(required(&at("language"), language)?),
            "rephrase" => DocAiTask::Rephrase(required(&at("tone"), tone)?),
            "polish" => DocAiTask::Polish,
            "summarize" => DocAiTask::Summarize,
            "continue" => DocAiTask::Continue,
            _ => DocAiTask::Enrich,
        };
        Ok(Some(DocAi {
            task,
            content: required(&at("content"), content)?,
            format,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(name: &str, args: &[&str]) -> Result<DocAi, Error> {
        DocAi::parse(name, args).map(|ai| ai.expect("a document AI action"))
    }

    #[test]
    fn every_task_renders_and_parses_back() {
        for ai in [
            DocAi::translate("Hello", DocLanguage::ZhCn),
            DocAi::polish("Hello").events(),
            DocAi::summarize("Hello").format(DocAiFormat::Json),
            DocAi::continue_writing("Hello"),
            DocAi::enrich("Hello"),
            DocAi::rephrase("Hello", DocTone::Confident),
        ] {
            ai.validate().unwrap();
            let mut text = String::new();
            ai.render_params(&mut text);
            let args: Vec<&str> = text[1..].split(',').collect();
            assert_eq!(parsed(ai.task.name(), &args).unwrap(), ai, "{text}");
        }
        assert_eq!(DocAi::parse("convert", &[]).unwrap(), None);
    }

    #[test]
    fn content_is_checked_before_encoding() {
        let at_limit = "字".repeat(DocAi::MAX_CONTENT_BYTES / 3);
        assert!(DocAi::polish(at_limit.clone()).validate().is_ok());
        let over = format!("{at_limit}xx");
        let err = DocAi::polish(over).validate().unwrap_err().to_string();
        assert!(
            err.contains("at most 19500 bytes before encoding, got 19502"),
            "{err}"
        );
        assert!(DocAi::polish("").validate().is_err());
        // Newlines are text like any other: the encoding carries them.
        assert!(DocAi::polish("a\nb").validate().is_ok());
    }

    #[test]
    fn parameters_belong_to_their_action() {
        for (name, args, expected) in [
            (
                "translate",
                &["content_eA"][..],
                "doc/translate.language: is required",
            ),
            (
                "translate",
                &["language_de_DE", "content_eA"],
                "must be one of zh_CN",
            ),
            (
                "rephrase",
                &["content_eA"],
                "doc/rephrase.tone: is required",
            ),
            (
                "polish",
                &["tone_friendly", "content_eA"],
                "has no parameter \"tone\"",
            ),
            (
                "summarize",
                &["language_en_US", "content_eA"],
                "has no parameter",
            ),
            ("enrich", &[], "doc/enrich.content: is required"),
            (
                "continue",
                &["content_eA", "format_xml"],
                "must be one of json, event-stream",
            ),
            ("polish", &["content_%%"], "must be URL-safe base64"),
        ] {
            let err = parsed(name, args).unwrap_err().to_string();
            assert!(err.contains(expected), "{name} {args:?}: {err}");
        }
    }
}
