//! Typed `x-oss-process` strings: build them, check them, read them back.
//!
//! A [`Process`] is a finished, validated process string such as
//! `image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA`.
//! It comes from one of these places:
//!
//! - [`Process::image`]: a chain of typed [`ImageAction`]s, applied in call order;
//! - [`Process::style`]: a style stored in the bucket (`style/<name>`);
//! - [`Process::doc`], [`Process::video`], [`Process::audio`]: one typed
//!   document, video or audio action ([`DocAction`], [`VideoAction`],
//!   [`AudioAction`]);
//! - [`Process::deblind_watermark`]: reading a blind watermark back;
//! - [`Process::async_action`]: an asynchronous task given as text, typed
//!   when this crate knows it, kept as text when not;
//! - [`Process::parse`]: any process string, read back into the typed form;
//! - [`Process::raw`]: an escape hatch for actions this crate does not model.
//!
//! What an action allows shows in its type. [`Process::mode`] says whether
//! the service runs it at once (`x-oss-process`) or as a task
//! (`x-oss-async-process`), and [`Process::save_as_rule`] whether
//! `sys/saveas` is optional, required or impossible; each action type says
//! the same through its `mode` and `save_as_rule`, and the builder an entry
//! point returns offers only what the action allows: `save_as` where saving
//! is possible, `notify_topic` on asynchronous tasks, neither on the
//! synchronous answers only a GET gets.
//!
//! Every parameter is checked against the range the OSS documentation gives
//! when the process is built, so a bad value fails before any I/O, naming the
//! parameter and its range. Values that are free text (object keys, bucket
//! names, watermark text, font names) are URL-safe base64 encoded without
//! padding, as the service requires, so no typed value can inject `,`, `/` or
//! `|` into the string.
//!
//! ```
//! use oss_process::process::{Format, Process, Quality, Resize, SaveAs};
//!
//! let p = Process::image()
//!     .resize(Resize::fixed(100, 100))
//!     .save_as(SaveAs::new("test.jpg").bucket("test"))
//!     .build()?;
//! assert_eq!(
//!     p.as_str(),
//!     "image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA"
//! );
//!
//! let p = Process::image()
//!     .resize(Resize::new().width(300))
//!     .quality(Quality::relative(90))
//!     .format(Format::Jpg)
//!     .build()?;
//! assert_eq!(p.as_str(), "image/resize,w_300/quality,q_90/format,jpg");
//!
//! // Reading a string back gives the same typed value.
//! assert_eq!(Process::parse(p.as_str())?, p);
//! # Ok::<(), oss_process::Error>(())
//! ```
//!
//! # Rules this module keeps
//!
//! - **Value types are `#[non_exhaustive]` with public fields.** [`Resize`],
//!   [`Crop`], [`Watermark`], [`SaveAs`] and the other parameter types are
//!   read through their fields (or by `match`), and made with their
//!   constructors and setters; a struct literal is not possible outside the
//!   crate. A parameter the service adds later becomes a new field and a new
//!   setter, never a breaking change. The enums are `#[non_exhaustive]` too.
//! - **Setters are named for the parameter, without a `with_` prefix**:
//!   `Resize::new().width(100)`, `SaveAs::new("k").bucket("b")`. A setter and
//!   the field it sets share their name (`resize.width`, `resize.width(100)`);
//!   Rust keeps fields and methods apart, so value types need no getters.
//! - **[`Process`] is the one type with private fields and getters**
//!   ([`Process::as_str`], [`Process::pipeline`], [`Process::save_as`], ...):
//!   its text must always match its typed form. [`Process::with_save_as`]
//!   keeps `with_` because `save_as` is its getter and because it is not a
//!   builder setter: it returns a new, re-checked `Process` and can fail
//!   (the convention of std's `Path::with_extension`).
//! - **Nothing is checked by a setter**; `build` (or [`Process::parse`])
//!   checks everything and names the first bad parameter as it is written in
//!   the string (`resize.w`), with the allowed values.
//!
//! # Layout
//!
//! `builder` holds the builders, `parse` cuts a string into parts and hands
//! each to the family that owns it, `task` does the same for the actions
//! named by family path (`doc/`, `video/`, `audio/`,
//! `image/deblindwatermark`) and keeps the untyped ones as text, `pipeline`
//! holds [`Pipeline`], [`Mode`] and [`SaveAsRule`], `params` reads and
//! writes the `name_value` parameters, `check` holds the shared checks (and
//! the one raw-string check the client uses too), `sys` the `saveas` and
//! `notify` parts. The families: `image/` (one file per group of image
//! actions), `doc`, `video/` (frames, transcoding), `audio`, and
//! `transcode` for what video and audio transcoding share. A family file
//! holds its types, their validation, their rendering and the parsing of
//! their parameters; nothing in a family imports the parser or the
//! builders.

mod audio;
mod builder;
mod check;
mod color;
mod doc;
mod doc_ai;
mod image;
mod params;
mod parse;
mod pipeline;
mod sys;
mod task;
mod transcode;
mod video;

use std::fmt;

use crate::error::Error;

pub use audio::{AudioAction, AudioConvert};
pub use builder::{
    AsyncProcessBuilder, AudioFamily, DocFamily, GetProcessBuilder, ImageProcessBuilder,
    NotifyProcessBuilder, PostProcessBuilder, StyleProcessBuilder, VideoFamily,
};
pub(crate) use check::{check_process_string, style_name as check_style_name};
pub use color::Color;
pub use doc::{DocAction, DocConvert, DocSnapshot, DocSource, DocTarget, DocWatermark, WebOffice};
pub use doc_ai::{DocAi, DocAiFormat, DocAiTask, DocLanguage, DocTone};
pub use image::{
    Axis, BlindStrength, BlindWatermark, BlindWatermarkType, Blur, Crop, DeBlindWatermark, Format,
    Gravity, ImageAction, IndexCrop, Quality, Resize, ResizeMode, SnapshotFormat, Watermark,
    WatermarkAlign, WatermarkOrder,
};
pub use pipeline::{Method, Mode, Pipeline, SaveAsRule};
pub use sys::SaveAs;
pub use transcode::{AudioSettings, Container};
pub use video::{
    AnimationFormat, AutoRotate, ConcatPosition, ConcatSegment, SpriteMode, VideoAction,
    VideoAnimation, VideoCodec, VideoConcat, VideoConvert, VideoSnapshot, VideoSnapshots,
    VideoSprite,
};

/// A finished, validated `x-oss-process` (or `x-oss-async-process`) string,
/// with its typed form.
///
/// Build one with [`Process::image`], [`Process::style`], [`Process::doc`],
/// [`Process::video`], [`Process::audio`], [`Process::deblind_watermark`]
/// or [`Process::async_action`]; read one with [`Process::parse`] (or
/// [`str::parse`]); wrap an untyped one with [`Process::raw`]. The text is
/// rendered once, from the typed form, so [`Process::as_str`] is cheap and two
/// processes are equal when they mean the same thing.
///
/// ```
/// use oss_process::process::{Process, Resize};
///
/// let p = Process::image().resize(Resize::new().width(100)).build()?;
/// assert_eq!(p.as_str(), "image/resize,w_100");
/// assert_eq!(p.to_string(), "image/resize,w_100");
/// let text: &str = p.as_ref();
/// assert_eq!(text, "image/resize,w_100");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Process {
    text: String,
    pipeline: Pipeline,
    save_as: Option<SaveAs>,
    notify_topic: Option<String>,
}

impl Process {
    /// Wraps a process string this crate does not model, unchanged.
    ///
    /// The text must not be empty and must not contain control characters
    /// (CR, LF, tab and the rest): they would corrupt the request body.
    /// Nothing else is checked, so the service is the judge. Prefer the typed
    /// builders or [`Process::parse`] where they cover what you need.
    ///
    /// ```
    /// use oss_process::process::{Pipeline, Process};
    ///
    /// let p = Process::raw("image/resize,w_100|sys/saveas,o_dGVzdC5qcGc")?;
    /// assert_eq!(p.as_str(), "image/resize,w_100|sys/saveas,o_dGVzdC5qcGc");
    /// assert_eq!(p.pipeline(), &Pipeline::Raw);
    /// assert!(Process::raw("image/resize,w_100\r\n").is_err());
    /// assert!(Process::raw("").is_err());
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn raw(text: impl Into<String>) -> Result<Process, Error> {
        let text = text.into();
        check_process_string(&text)?;
        Ok(Process {
            text,
            pipeline: Pipeline::Raw,
            save_as: None,
            notify_topic: None,
        })
    }

    /// The process string, as sent after `x-oss-process=`.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let p = Process::image().rotate(90).build()?;
    /// assert_eq!(p.as_str(), "image/rotate,90");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The process string, by value.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let text: String = Process::image().info().build()?.into_string();
    /// assert_eq!(text, "image/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    #[must_use]
    pub fn into_string(self) -> String {
        self.text
    }

    /// What the process does before its `|sys/saveas` part.
    ///
    /// ```
    /// use oss_process::process::{Pipeline, Process};
    ///
    /// let p = Process::parse("style/thumb")?;
    /// assert_eq!(p.pipeline(), &Pipeline::Style("thumb".into()));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The image actions, in order; empty unless this is an image chain.
    ///
    /// ```
    /// use oss_process::process::{ImageAction, Process, ResizeMode};
    ///
    /// let p = Process::parse("image/resize,m_pad,w_100,h_50,color_FF0000/rotate,90")?;
    /// let ImageAction::Resize(resize) = &p.image_actions()[0] else { panic!() };
    /// assert_eq!(resize.mode, Some(ResizeMode::Pad));
    /// assert_eq!((resize.width, resize.height), (Some(100), Some(50)));
    /// assert_eq!(resize.color.map(|c| c.to_string()).as_deref(), Some("FF0000"));
    /// assert_eq!(p.image_actions()[1], ImageAction::Rotate(90));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn image_actions(&self) -> &[ImageAction] {
        match &self.pipeline {
            Pipeline::Image(actions) => actions,
            _ => &[],
        }
    }

    /// The style name, for a `style/<name>` process.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::parse("style/thumb")?.style_name(), Some("thumb"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn style_name(&self) -> Option<&str> {
        match &self.pipeline {
            Pipeline::Style(name) => Some(name),
            _ => None,
        }
    }

    /// Where the result is saved (`sys/saveas`), with the key and bucket
    /// decoded. `None` for raw processes even if their text saves.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let p = Process::parse("image/resize,w_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA")?;
    /// let target = p.save_as().expect("saves");
    /// assert_eq!(target.key, "test.jpg");
    /// assert_eq!(target.bucket.as_deref(), Some("test"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn save_as(&self) -> Option<&SaveAs> {
        self.save_as.as_ref()
    }

    /// The notify topic of an asynchronous process (`/notify,topic_...`),
    /// decoded.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::async_action("doc/convert,target_png,source_docx")
    ///     .save_as(SaveAs::new("out/{index}.png"))
    ///     .notify_topic("test-topic")
    ///     .build()?;
    /// assert_eq!(p.notify_topic(), Some("test-topic"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn notify_topic(&self) -> Option<&str> {
        self.notify_topic.as_deref()
    }

    /// The same processing, saved to `target` instead (replacing any
    /// `sys/saveas` it had): how a batch turns one style into a process per
    /// key. A [`Process::raw`] has no typed form to extend and is refused.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let style = Process::parse("image/resize,m_lfit,w_256,h_256")?;
    /// let p = style.with_save_as(SaveAs::new("thumbs/a.jpg").bucket("thumbs"))?;
    /// assert_eq!(
    ///     p.as_str(),
    ///     "image/resize,m_lfit,w_256,h_256|sys/saveas,o_dGh1bWJzL2EuanBn,b_dGh1bWJz"
    /// );
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn with_save_as(self, target: SaveAs) -> Result<Process, Error> {
        if self.pipeline == Pipeline::Raw {
            return Err(Error::invalid(
                "process",
                "a raw process string cannot be given a typed sys/saveas; parse it with Process::parse instead",
            ));
        }
        Process::assemble(self.pipeline, Some(target), self.notify_topic)
    }

    /// How the service runs this process: at once (`x-oss-process`) or as
    /// a task (`x-oss-async-process`). `None` for [`Process::raw`], whose
    /// text is not read.
    ///
    /// ```
    /// use oss_process::process::{Mode, Process};
    ///
    /// assert_eq!(Process::parse("doc/snapshot,target_png")?.mode(), Some(Mode::Sync));
    /// assert_eq!(
    ///     Process::parse("doc/convert,target_pdf|sys/saveas,o_YS5wZGY")?.mode(),
    ///     Some(Mode::Async)
    /// );
    /// assert_eq!(Process::raw("doc/convert,target_pdf")?.mode(), None);
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn mode(&self) -> Option<Mode> {
        self.pipeline.mode()
    }

    /// Whether this process's result can, must or cannot be saved with
    /// `sys/saveas`. `None` for [`Process::raw`].
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAsRule};
    ///
    /// assert_eq!(Process::parse("style/thumb")?.save_as_rule(), Some(SaveAsRule::Optional));
    /// assert_eq!(Process::parse("video/info")?.save_as_rule(), Some(SaveAsRule::Never));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn save_as_rule(&self) -> Option<SaveAsRule> {
        self.pipeline.save_as_rule()
    }

    /// Which HTTP method the service answers this process to: POST when it
    /// saves (`sys/saveas`) or is a task, GET for the answers only a GET
    /// gets, either for image chains and styles. `None` for
    /// [`Process::raw`].
    ///
    /// ```
    /// use oss_process::process::{Method, Process};
    ///
    /// assert_eq!(Process::parse("style/thumb")?.method(), Some(Method::GetOrPost));
    /// assert_eq!(Process::parse("style/thumb|sys/saveas,o_eA")?.method(), Some(Method::Post));
    /// assert_eq!(Process::parse("video/info")?.method(), Some(Method::Get));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn method(&self) -> Option<Method> {
        if self.save_as.is_some() {
            return Some(Method::Post);
        }
        self.pipeline.method()
    }

    /// Checks every part and renders the text; the one way a typed
    /// `Process` comes to be, so its text always matches its typed form.
    /// `pipeline` is typed already (the parser and the builders resolve
    /// task text first).
    fn assemble(
        pipeline: Pipeline,
        save_as: Option<SaveAs>,
        notify_topic: Option<String>,
    ) -> Result<Process, Error> {
        pipeline.validate()?;
        match (pipeline.save_as_rule(), &save_as) {
            (Some(SaveAsRule::Required), None) => {
                return Err(Error::invalid(
                    "saveas",
                    format!(
                        "{} is an asynchronous task: say where to save its result (sys/saveas)",
                        pipeline.describe()
                    ),
                ));
            }
            (Some(SaveAsRule::Never), Some(_)) => {
                return Err(Error::invalid(
                    "saveas",
                    format!(
                        "{} cannot be saved with sys/saveas{}",
                        pipeline.describe(),
                        if pipeline.mode() == Some(Mode::Async) {
                            ": its result comes in the notification"
                        } else {
                            ": fetch it with a GET (get_processed or a presigned URL)"
                        }
                    ),
                ));
            }
            (_, Some(target)) => target.validate()?,
            _ => {}
        }
        match (&pipeline, &notify_topic) {
            (_, Some(topic)) => {
                if pipeline.mode() != Some(Mode::Async) {
                    return Err(Error::invalid(
                        "notify.topic",
                        "only an asynchronous process can notify a topic",
                    ));
                }
                sys::check_topic(topic)?;
            }
            (Pipeline::DeBlindWatermark(_), None) => {
                return Err(Error::invalid(
                    "notify.topic",
                    "is required: image/deblindwatermark sends the decoded text to the topic",
                ));
            }
            _ => {}
        }
        let mut text = String::new();
        pipeline.render(&mut text);
        // The docs' asynchronous examples put b_ first, the synchronous one o_.
        let bucket_first = pipeline.mode() == Some(Mode::Async);
        sys::render(
            &mut text,
            save_as.as_ref(),
            notify_topic.as_deref(),
            bucket_first,
        );
        Ok(Process {
            text,
            pipeline,
            save_as,
            notify_topic,
        })
    }
}

impl AsRef<str> for Process {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<Process> for String {
    fn from(p: Process) -> String {
        p.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_rejects_only_empty_and_control_characters() {
        assert!(Process::raw("image/whatever,x_1|sys/saveas,o_eA").is_ok());
        for bad in ["", "image/resize,w_1\n", "a\rb", "a\tb", "a\u{7f}b"] {
            assert!(Process::raw(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_image_chain_is_an_error() {
        let err = Process::image().build().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { ref name, .. } if name == "image"));
    }

    #[test]
    fn get_only_actions_render_with_saveas() {
        let p = Process::image()
            .info()
            .average_hue()
            .save_as(SaveAs::new("x.json"))
            .build()
            .unwrap();
        assert_eq!(p.as_str(), "image/info/average-hue|sys/saveas,o_eC5qc29u");
    }
}
