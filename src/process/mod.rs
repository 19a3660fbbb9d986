//! Typed `x-oss-process` strings: build them, check them, read them back.
//!
//! A [`Process`] is a finished, validated process string such as
//! `image/resize,m_fixed,w_100,h_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA`.
//! It comes from one of four places:
//!
//! - [`Process::image`]: a chain of typed [`ImageAction`]s, applied in call order;
//! - [`Process::style`]: a style stored in the bucket (`style/<name>`);
//! - [`Process::async_action`]: a document, video or audio task for
//!   `x-oss-async-process`, with its `sys/saveas` target and notify topic;
//! - [`Process::parse`]: any process string, read back into the typed form;
//! - [`Process::raw`]: an escape hatch for actions this crate does not model.
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

mod check;
mod image;
mod media;
mod parse;

use std::fmt;

use crate::encoding::base64_url;
use crate::error::Error;
use crate::names;

pub use image::{
    Axis, BlindWatermark, Blur, Color, Crop, Format, Gravity, ImageAction, IndexCrop, Quality,
    Resize, ResizeMode, Watermark, WatermarkAlign, WatermarkOrder,
};
pub use media::AsyncProcessBuilder;

/// A finished, validated `x-oss-process` (or `x-oss-async-process`) string,
/// with its typed form.
///
/// Build one with [`Process::image`], [`Process::style`] or
/// [`Process::async_action`]; read one with [`Process::parse`] (or
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

/// What a [`Process`] does before its optional `|sys/saveas` part.
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
    /// An asynchronous task (`doc/...`, `video/...`, `audio/...` or
    /// `image/deblindwatermark...`), held as its action text.
    Async(String),
    /// Text given to [`Process::raw`]: not interpreted.
    Raw,
}

impl Process {
    /// Starts a chain of image actions (`image/...`). Actions render in the
    /// order they are added.
    ///
    /// ```
    /// use oss_process::process::{Gravity, Crop, Process};
    ///
    /// let p = Process::image()
    ///     .crop(Crop::new().width(100).height(100).gravity(Gravity::SouthEast))
    ///     .rotate(90)
    ///     .build()?;
    /// assert_eq!(p.as_str(), "image/crop,w_100,h_100,g_se/rotate,90");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn image() -> ImageProcessBuilder {
        ImageProcessBuilder::default()
    }

    /// Starts a process that applies a style stored in the bucket
    /// (`style/<name>`). A style name is 1 to 63 letters, digits, `_`, `-`
    /// or `.`; it is checked by [`StyleProcessBuilder::build`].
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::style("thumb").save_as(SaveAs::new("x.jpg")).build()?;
    /// assert_eq!(p.as_str(), "style/thumb|sys/saveas,o_eC5qcGc");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn style(name: impl Into<String>) -> StyleProcessBuilder {
        StyleProcessBuilder {
            name: name.into(),
            save_as: None,
        }
    }

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
        check::not_empty("process", &text)?;
        check::no_control("process", &text)?;
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

    /// Checks every part and renders the text; the one way a typed
    /// `Process` comes to be, so its text always matches its typed form.
    fn assemble(
        pipeline: Pipeline,
        save_as: Option<SaveAs>,
        notify_topic: Option<String>,
    ) -> Result<Process, Error> {
        let is_async = matches!(pipeline, Pipeline::Async(_));
        match &pipeline {
            Pipeline::Image(actions) => {
                if actions.is_empty() {
                    return Err(Error::invalid(
                        "image",
                        "needs at least one action (resize, crop, ...)",
                    ));
                }
                actions.iter().try_for_each(ImageAction::validate)?;
            }
            Pipeline::Style(name) => check::style_name(name)?,
            Pipeline::Async(action) => media::check_action(action)?,
            // Process::raw keeps its text as given: there is nothing to render.
            Pipeline::Raw => {
                return Err(Error::invalid("process", "raw text is not assembled"));
            }
        }
        if let Some(target) = &save_as {
            target.validate()?;
        }
        if is_async && save_as.is_none() {
            return Err(Error::invalid(
                "saveas",
                "an asynchronous process must say where to save its result (sys/saveas)",
            ));
        }
        if let Some(topic) = &notify_topic {
            if !is_async {
                return Err(Error::invalid(
                    "notify.topic",
                    "only an asynchronous process can notify a topic",
                ));
            }
            media::check_topic(topic)?;
        }
        let text = render(&pipeline, save_as.as_ref(), notify_topic.as_deref());
        Ok(Process {
            text,
            pipeline,
            save_as,
            notify_topic,
        })
    }
}

fn render(pipeline: &Pipeline, save_as: Option<&SaveAs>, notify_topic: Option<&str>) -> String {
    let mut out = String::new();
    match pipeline {
        Pipeline::Image(actions) => {
            out.push_str("image");
            for action in actions {
                out.push('/');
                action.render(&mut out);
            }
        }
        Pipeline::Style(name) => {
            out.push_str("style/");
            out.push_str(name);
        }
        Pipeline::Async(action) => out.push_str(action),
        Pipeline::Raw => {}
    }
    if let Some(target) = save_as {
        out.push_str("|sys/saveas");
        // The docs' asynchronous example puts b_ first, the synchronous one o_.
        let bucket_first = matches!(pipeline, Pipeline::Async(_));
        target.render(&mut out, bucket_first);
    }
    if let Some(topic) = notify_topic {
        out.push_str("/notify,topic_");
        out.push_str(&base64_url(topic));
    }
    out
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

/// Builds an image process: a chain of [`ImageAction`]s and an optional
/// [`SaveAs`] target. Made by [`Process::image`]; every value is checked by
/// [`ImageProcessBuilder::build`].
///
/// ```
/// use oss_process::process::{Blur, Process};
///
/// let p = Process::image().blur(Blur::new(3, 2)).bright(50).contrast(-50).build()?;
/// assert_eq!(p.as_str(), "image/blur,r_3,s_2/bright,50/contrast,-50");
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ImageProcessBuilder {
    actions: Vec<ImageAction>,
    save_as: Option<SaveAs>,
}

impl ImageProcessBuilder {
    /// Adds any [`ImageAction`], for code that builds actions as values.
    ///
    /// ```
    /// use oss_process::process::{ImageAction, Process};
    ///
    /// let p = Process::image().action(ImageAction::AutoOrient(true)).build()?;
    /// assert_eq!(p.as_str(), "image/auto-orient,1");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn action(mut self, action: ImageAction) -> Self {
        self.actions.push(action);
        self
    }

    /// Adds `resize`: see [`Resize`].
    ///
    /// ```
    /// use oss_process::process::{Process, Resize, ResizeMode};
    ///
    /// let p = Process::image()
    ///     .resize(Resize::new().mode(ResizeMode::Pad).width(100).height(100).color("00FF00"))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "image/resize,m_pad,w_100,h_100,color_00FF00");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn resize(self, resize: Resize) -> Self {
        self.action(ImageAction::Resize(resize))
    }

    /// Adds `crop`: see [`Crop`].
    ///
    /// ```
    /// use oss_process::process::{Crop, Process};
    ///
    /// let p = Process::image().crop(Crop::new().x(100).y(50)).build()?;
    /// assert_eq!(p.as_str(), "image/crop,x_100,y_50");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn crop(self, crop: Crop) -> Self {
        self.action(ImageAction::Crop(crop))
    }

    /// Adds `rotate,<degrees>`: clockwise rotation, 0 to 360 degrees.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().rotate(90).build()?.as_str(), "image/rotate,90");
    /// assert!(Process::image().rotate(361).build().is_err());
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn rotate(self, degrees: u32) -> Self {
        self.action(ImageAction::Rotate(degrees))
    }

    /// Adds `format,<format>`: converts the output format. The docs advise
    /// putting it after any resize.
    ///
    /// ```
    /// use oss_process::process::{Format, Process};
    ///
    /// assert_eq!(Process::image().format(Format::Webp).build()?.as_str(), "image/format,webp");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn format(self, format: Format) -> Self {
        self.action(ImageAction::Format(format))
    }

    /// Adds `quality`: see [`Quality`]. JPG and WebP only.
    ///
    /// ```
    /// use oss_process::process::{Process, Quality};
    ///
    /// let p = Process::image().quality(Quality::absolute(80)).build()?;
    /// assert_eq!(p.as_str(), "image/quality,Q_80");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn quality(self, quality: Quality) -> Self {
        self.action(ImageAction::Quality(quality))
    }

    /// Adds `auto-orient,<0|1>`: whether to rotate by the EXIF orientation.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().auto_orient(false).build()?.as_str(), "image/auto-orient,0");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn auto_orient(self, enabled: bool) -> Self {
        self.action(ImageAction::AutoOrient(enabled))
    }

    /// Adds `circle,r_<radius>`: a circular crop centred on the image,
    /// radius 1 to 4096.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().circle(100).build()?.as_str(), "image/circle,r_100");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn circle(self, radius: u32) -> Self {
        self.action(ImageAction::Circle(radius))
    }

    /// Adds `rounded-corners,r_<radius>`: corner radius 1 to 4096 (not for
    /// GIF).
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let p = Process::image().rounded_corners(30).build()?;
    /// assert_eq!(p.as_str(), "image/rounded-corners,r_30");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn rounded_corners(self, radius: u32) -> Self {
        self.action(ImageAction::RoundedCorners(radius))
    }

    /// Adds `indexcrop`: see [`IndexCrop`].
    ///
    /// ```
    /// use oss_process::process::{IndexCrop, Process};
    ///
    /// let p = Process::image().index_crop(IndexCrop::x(100).index(1)).build()?;
    /// assert_eq!(p.as_str(), "image/indexcrop,x_100,i_1");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn index_crop(self, index_crop: IndexCrop) -> Self {
        self.action(ImageAction::IndexCrop(index_crop))
    }

    /// Adds `blur`: see [`Blur`].
    ///
    /// ```
    /// use oss_process::process::{Blur, Process};
    ///
    /// assert_eq!(Process::image().blur(Blur::new(3, 2)).build()?.as_str(), "image/blur,r_3,s_2");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn blur(self, blur: Blur) -> Self {
        self.action(ImageAction::Blur(blur))
    }

    /// Adds `bright,<value>`: brightness, -100 to 100 (0 keeps it).
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().bright(-50).build()?.as_str(), "image/bright,-50");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn bright(self, value: i32) -> Self {
        self.action(ImageAction::Bright(value))
    }

    /// Adds `contrast,<value>`: contrast, -100 to 100 (0 keeps it).
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().contrast(50).build()?.as_str(), "image/contrast,50");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn contrast(self, value: i32) -> Self {
        self.action(ImageAction::Contrast(value))
    }

    /// Adds `sharpen,<value>`: sharpening, 50 to 399 (100 is the docs'
    /// suggestion).
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().sharpen(100).build()?.as_str(), "image/sharpen,100");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn sharpen(self, value: u32) -> Self {
        self.action(ImageAction::Sharpen(value))
    }

    /// Adds `interlace,<0|1>`: progressive JPEG output.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().interlace(true).build()?.as_str(), "image/interlace,1");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn interlace(self, enabled: bool) -> Self {
        self.action(ImageAction::Interlace(enabled))
    }

    /// Adds `watermark`: see [`Watermark`].
    ///
    /// ```
    /// use oss_process::process::{Gravity, Process, Watermark};
    ///
    /// let p = Process::image()
    ///     .watermark(Watermark::new().text("Hello").gravity(Gravity::SouthEast))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "image/watermark,text_SGVsbG8,g_se");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn watermark(self, watermark: Watermark) -> Self {
        self.action(ImageAction::Watermark(watermark))
    }

    /// Adds `blindwatermark`: see [`BlindWatermark`].
    ///
    /// ```
    /// use oss_process::process::{BlindWatermark, Process};
    ///
    /// let p = Process::image().blind_watermark(BlindWatermark::new("owner")).build()?;
    /// assert_eq!(p.as_str(), "image/blindwatermark,content_b3duZXI");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn blind_watermark(self, blind_watermark: BlindWatermark) -> Self {
        self.action(ImageAction::BlindWatermark(blind_watermark))
    }

    /// Adds `info`: the image's metadata as JSON. The service answers it on
    /// GET only; a process with it and a saveas still renders, the service
    /// decides.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().info().build()?.as_str(), "image/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn info(self) -> Self {
        self.action(ImageAction::Info)
    }

    /// Adds `average-hue`: the dominant colour. GET only, like
    /// [`ImageProcessBuilder::info`].
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::image().average_hue().build()?.as_str(), "image/average-hue");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn average_hue(self) -> Self {
        self.action(ImageAction::AverageHue)
    }

    /// Saves the result instead of returning it (`|sys/saveas`, POST only).
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::image().rotate(90).save_as(SaveAs::new("测试.jpg")).build()?;
    /// assert_eq!(p.as_str(), "image/rotate,90|sys/saveas,o_5rWL6K-VLmpwZw");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn save_as(mut self, target: SaveAs) -> Self {
        self.save_as = Some(target);
        self
    }

    /// Checks every action and the target and renders the process string.
    ///
    /// Fails with [`Error::InvalidArgument`] naming the first bad parameter
    /// and its range (e.g. `invalid resize.w: must be 1..=16384, got 0`), or
    /// when there are no actions.
    ///
    /// ```
    /// use oss_process::process::{Process, Resize};
    ///
    /// let err = Process::image().resize(Resize::new().width(0)).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid resize.w: must be 1..=16384, got 0");
    /// assert!(Process::image().build().is_err());
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(Pipeline::Image(self.actions), self.save_as, None)
    }
}

/// Builds a `style/<name>` process. Made by [`Process::style`].
///
/// ```
/// use oss_process::process::Process;
///
/// assert_eq!(Process::style("small.v2").build()?.as_str(), "style/small.v2");
/// assert!(Process::style("a/b").build().is_err());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct StyleProcessBuilder {
    name: String,
    save_as: Option<SaveAs>,
}

impl StyleProcessBuilder {
    /// Saves the result instead of returning it (`|sys/saveas`, POST only).
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let p = Process::style("thumb").save_as(SaveAs::new("x.jpg").bucket("test")).build()?;
    /// assert_eq!(p.as_str(), "style/thumb|sys/saveas,o_eC5qcGc,b_dGVzdA");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn save_as(mut self, target: SaveAs) -> Self {
        self.save_as = Some(target);
        self
    }

    /// Checks the style name (1 to 63 letters, digits, `_`, `-`, `.`) and the
    /// target, and renders the process string.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// let err = Process::style("").build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid style:"), "{err}");
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(Pipeline::Style(self.name), self.save_as, None)
    }
}

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

    fn validate(&self) -> Result<(), Error> {
        names::check_key_as("saveas.o", &self.key)?;
        if let Some(bucket) = &self.bucket {
            names::check_bucket_as("saveas.b", bucket)?;
        }
        Ok(())
    }

    fn render(&self, out: &mut String, bucket_first: bool) {
        let key = base64_url(&self.key);
        let bucket = self.bucket.as_deref().map(base64_url);
        if bucket_first {
            if let Some(b) = &bucket {
                out.push_str(",b_");
                out.push_str(b);
            }
            out.push_str(",o_");
            out.push_str(&key);
        } else {
            out.push_str(",o_");
            out.push_str(&key);
            if let Some(b) = &bucket {
                out.push_str(",b_");
                out.push_str(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saveas_is_url_safe_and_unpadded() {
        let p = Process::style("thumb")
            .save_as(SaveAs::new("测试.jpg"))
            .build()
            .unwrap();
        assert_eq!(p.as_str(), "style/thumb|sys/saveas,o_5rWL6K-VLmpwZw");
        assert!(!p.as_str().contains('+') && !p.as_str().contains('='));
    }

    #[test]
    fn saveas_checks_key_and_bucket() {
        let build = |target: SaveAs| Process::image().info().save_as(target).build();
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
            match build(target.clone()) {
                Err(Error::InvalidArgument { name, .. }) => {
                    assert_eq!(name, expected, "{target:?}")
                }
                other => panic!("{target:?}: {other:?}"),
            }
        }
        assert!(build(SaveAs::new("a".repeat(1023)).bucket("a".repeat(63))).is_ok());
        assert!(build(SaveAs::new("dir/{index}.png").bucket("a-1")).is_ok());
    }

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
