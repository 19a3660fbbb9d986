//! What a process does before its `|sys/...` part ([`Pipeline`]), and the
//! three facts the client needs about it: whether the service runs it
//! synchronously or as a task ([`Mode`]), whether its result can, must or
//! cannot be saved with `sys/saveas` ([`SaveAsRule`]), and which HTTP
//! method it is answered to ([`Method`]).

use super::audio::AudioAction;
use super::check;
use super::doc::DocAction;
use super::image::{DeBlindWatermark, Format, ImageAction};
use super::video::VideoAction;
use crate::error::Error;

/// WebP output is at most this many px a side (the format's own limit; the
/// service's is 16,384).
const WEBP_SIDE: u32 = 16383;

/// How the service runs a process: answered at once (`x-oss-process`,
/// GET or POST) or queued as a task (`x-oss-async-process`, POST, answered
/// with a task id).
///
/// ```
/// use oss_process::process::{Mode, Process};
///
/// assert_eq!(Process::parse("image/rotate,90")?.mode(), Some(Mode::Sync));
/// assert_eq!(Process::parse("video/convert,f_mp4|sys/saveas,o_eA")?.mode(), Some(Mode::Async));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// `x-oss-process`: the answer is the result (or, with `sys/saveas`,
    /// where it was saved).
    Sync,
    /// `x-oss-async-process`: the answer is a task id; the result is saved
    /// with `sys/saveas` and announced to the notify topic.
    Async,
}

/// Whether a process's result can be saved with `sys/saveas`.
///
/// ```
/// use oss_process::process::{Process, SaveAsRule};
///
/// assert_eq!(Process::parse("image/rotate,90")?.save_as_rule(), Some(SaveAsRule::Optional));
/// assert_eq!(Process::parse("doc/snapshot,target_png")?.save_as_rule(), Some(SaveAsRule::Never));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SaveAsRule {
    /// Image chains and styles: saved with `sys/saveas` over POST
    /// (`process_object`), or returned as bytes over GET without it.
    Optional,
    /// Asynchronous tasks that write objects: `sys/saveas` is required.
    Required,
    /// Answers that cannot be saved: document pages and snapshots, video
    /// snapshots, info JSON (all GET), and `image/deblindwatermark`, whose
    /// result comes in the notification.
    Never,
}

/// Which HTTP method the service answers a process to, as the OSS pages
/// document it.
///
/// ```
/// use oss_process::process::{Method, Process};
///
/// assert_eq!(Process::parse("image/resize,w_100")?.method(), Some(Method::GetOrPost));
/// assert_eq!(Process::parse("image/info")?.method(), Some(Method::Get));
/// assert_eq!(Process::parse("image/rotate,90|sys/saveas,o_eA")?.method(), Some(Method::Post));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// GET only: a URL (presigned or not) or the client's `get_processed`
    /// (`image/info`, `image/average-hue`, document pages and snapshots,
    /// video snapshots, video and audio info).
    Get,
    /// POST only: anything that saves (`sys/saveas`), the asynchronous
    /// tasks, and document AI.
    Post,
    /// Either: image chains and styles that do not save.
    GetOrPost,
}

impl SaveAsRule {
    /// The rule of a single document, video or audio action: a task writes
    /// objects and must save them; a synchronous answer cannot be saved.
    pub(crate) fn of_single_action(mode: Mode) -> SaveAsRule {
        match mode {
            Mode::Async => SaveAsRule::Required,
            Mode::Sync => SaveAsRule::Never,
        }
    }
}

/// What a [`Process`](super::Process) does before its optional `|sys/...`
/// part.
///
/// ```
/// use oss_process::process::{ImageAction, Pipeline, Process};
///
/// let p = Process::parse("image/rotate,90/info")?;
/// match p.pipeline() {
///     Pipeline::Image(actions) => {
///         assert_eq!(actions, &[ImageAction::Rotate(90), ImageAction::Info]);
///     }
///     other => panic!("not an image chain: {other:?}"),
/// }
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pipeline {
    /// `image/<action>/<action>...`: image actions, applied in order.
    Image(Vec<ImageAction>),
    /// `style/<name>`: a style stored in the bucket; the name is held here.
    Style(String),
    /// `doc/...`: a document action.
    Doc(DocAction),
    /// `video/...`: a video action.
    Video(VideoAction),
    /// `audio/...`: an audio action.
    Audio(AudioAction),
    /// `image/deblindwatermark...`: read a blind watermark back (async).
    DeBlindWatermark(DeBlindWatermark),
    /// An asynchronous task this crate does not type (`doc/`, `video/` or
    /// `audio/` actions other than the ones above, e.g. `audio/concat`),
    /// held as its action text.
    Async(String),
    /// Text given to [`Process::raw`](super::Process::raw): not interpreted.
    Raw,
}

impl Pipeline {
    /// How the service runs it; `None` for [`Pipeline::Raw`], whose text is
    /// not read.
    ///
    /// ```
    /// use oss_process::process::{Mode, Pipeline};
    ///
    /// assert_eq!(Pipeline::Style("thumb".into()).mode(), Some(Mode::Sync));
    /// assert_eq!(Pipeline::Raw.mode(), None);
    /// ```
    pub fn mode(&self) -> Option<Mode> {
        match self {
            Pipeline::Image(_) | Pipeline::Style(_) => Some(Mode::Sync),
            Pipeline::Doc(a) => Some(a.mode()),
            Pipeline::Video(a) => Some(a.mode()),
            Pipeline::Audio(a) => Some(a.mode()),
            Pipeline::DeBlindWatermark(_) | Pipeline::Async(_) => Some(Mode::Async),
            Pipeline::Raw => None,
        }
    }

    /// Which HTTP method it is answered to (before any `sys/saveas`, which
    /// makes every process POST-only); `None` for [`Pipeline::Raw`].
    ///
    /// ```
    /// use oss_process::process::{Method, Pipeline};
    ///
    /// assert_eq!(Pipeline::Style("thumb".into()).method(), Some(Method::GetOrPost));
    /// assert_eq!(Pipeline::Async("audio/concat".into()).method(), Some(Method::Post));
    /// ```
    pub fn method(&self) -> Option<Method> {
        match self {
            Pipeline::Image(actions) => Some(
                if actions
                    .iter()
                    .any(|a| matches!(a, ImageAction::Info | ImageAction::AverageHue))
                {
                    Method::Get
                } else {
                    Method::GetOrPost
                },
            ),
            Pipeline::Style(_) => Some(Method::GetOrPost),
            Pipeline::Doc(a) => Some(a.method()),
            Pipeline::Video(a) => Some(a.method()),
            Pipeline::Audio(a) => Some(a.method()),
            Pipeline::DeBlindWatermark(_) | Pipeline::Async(_) => Some(Method::Post),
            Pipeline::Raw => None,
        }
    }

    /// Whether its result can, must or cannot be saved; `None` for
    /// [`Pipeline::Raw`].
    ///
    /// ```
    /// use oss_process::process::{Pipeline, SaveAsRule};
    ///
    /// assert_eq!(Pipeline::Async("audio/concat,f_aac".into()).save_as_rule(), Some(SaveAsRule::Required));
    /// ```
    pub fn save_as_rule(&self) -> Option<SaveAsRule> {
        match self {
            Pipeline::Image(_) | Pipeline::Style(_) => Some(SaveAsRule::Optional),
            Pipeline::Doc(a) => Some(a.save_as_rule()),
            Pipeline::Video(a) => Some(a.save_as_rule()),
            Pipeline::Audio(a) => Some(a.save_as_rule()),
            Pipeline::DeBlindWatermark(_) => Some(SaveAsRule::Never),
            Pipeline::Async(_) => Some(SaveAsRule::Required),
            Pipeline::Raw => None,
        }
    }

    /// The action's name as the service knows it, for messages:
    /// `image`, `style`, `doc/convert`, ...
    pub(crate) fn describe(&self) -> String {
        match self {
            Pipeline::Image(_) => "an image chain".to_owned(),
            Pipeline::Style(_) => "a style".to_owned(),
            Pipeline::Doc(a) => format!("doc/{}", a.name()),
            Pipeline::Video(a) => format!("video/{}", a.name()),
            Pipeline::Audio(a) => format!("audio/{}", a.name()),
            Pipeline::DeBlindWatermark(_) => "image/deblindwatermark".to_owned(),
            Pipeline::Async(text) => text.split(',').next().unwrap_or(text).to_owned(),
            Pipeline::Raw => "raw text".to_owned(),
        }
    }

    /// Checks every parameter. An untyped task's text was checked when it
    /// was read (`task::resolve`), and raw text is never assembled.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            Pipeline::Image(actions) => validate_chain(actions),
            Pipeline::Style(name) => check::style_name(name),
            Pipeline::Doc(a) => a.validate(),
            Pipeline::Video(a) => a.validate(),
            Pipeline::Audio(a) => a.validate(),
            Pipeline::DeBlindWatermark(_) | Pipeline::Async(_) => Ok(()),
            Pipeline::Raw => Err(Error::invalid("process", "raw text is not assembled")),
        }
    }

    /// Appends the text before `|`.
    pub(crate) fn render(&self, out: &mut String) {
        match self {
            Pipeline::Image(actions) => {
                out.push_str("image");
                for action in actions {
                    out.push('/');
                    action.render(out);
                }
            }
            Pipeline::Style(name) => {
                out.push_str("style/");
                out.push_str(name);
            }
            Pipeline::Doc(a) => a.render(out),
            Pipeline::Video(a) => a.render(out),
            Pipeline::Audio(a) => a.render(out),
            Pipeline::DeBlindWatermark(a) => a.render(out),
            Pipeline::Async(text) => out.push_str(text),
            Pipeline::Raw => {}
        }
    }
}

/// An image chain: at least one action, each valid, and no side over
/// WebP's limit when the chain writes WebP.
fn validate_chain(actions: &[ImageAction]) -> Result<(), Error> {
    if actions.is_empty() {
        return Err(Error::invalid(
            "image",
            "needs at least one action (resize, crop, ...)",
        ));
    }
    actions.iter().try_for_each(ImageAction::validate)?;
    if !actions.contains(&ImageAction::Format(Format::Webp)) {
        return Ok(());
    }
    let sides = actions.iter().flat_map(|action| match action {
        ImageAction::Resize(r) => vec![
            ("resize.w", r.width),
            ("resize.h", r.height),
            ("resize.l", r.long_side),
            ("resize.s", r.short_side),
        ],
        ImageAction::Crop(c) => vec![("crop.w", c.width), ("crop.h", c.height)],
        _ => Vec::new(),
    });
    for (name, side) in sides {
        if let Some(side) = side.filter(|side| *side > WEBP_SIDE) {
            return Err(Error::invalid(
                name,
                format!(
                    "WebP output is at most {WEBP_SIDE} px a side, got {side} \
                     (the docs' fix: resize,l_16382/format,webp)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{Crop, Resize};

    #[test]
    fn webp_chains_stop_at_16383() {
        let chain = |first: ImageAction| vec![first, ImageAction::Format(Format::Webp)];
        assert!(
            validate_chain(&chain(ImageAction::Resize(Resize::new().long_side(16383)))).is_ok()
        );
        let err = validate_chain(&chain(ImageAction::Resize(Resize::new().width(16384))))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid resize.w: WebP output is at most 16383"),
            "{err}"
        );
        assert!(validate_chain(&chain(ImageAction::Crop(Crop::new().height(16384)))).is_err());
        let jpg = vec![
            ImageAction::Resize(Resize::new().width(16384)),
            ImageAction::Format(Format::Jpg),
        ];
        assert!(validate_chain(&jpg).is_ok());
    }
}
