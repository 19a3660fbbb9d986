//! The builders that make a [`Process`], one entry point per family:
//! [`Process::image`] (a chain of image actions), [`Process::style`] (a
//! stored style), [`Process::doc`], [`Process::video`] and
//! [`Process::audio`] (one action each), [`Process::deblind_watermark`] and
//! [`Process::async_action`] (an asynchronous task given as text).
//!
//! The builder each entry returns shows what the action allows: an
//! [`ImageProcessBuilder`] or [`StyleProcessBuilder`] may save
//! (`save_as`); a [`GetProcessBuilder`] cannot (synchronous answers only a
//! GET gets), nor can a [`PostProcessBuilder`] (document AI, answered to
//! POST); an [`AsyncProcessBuilder`] must save and may notify; a
//! [`NotifyProcessBuilder`] must notify and cannot save. Builders collect
//! values without failing; `build` checks them all and renders the string.

use super::{
    AudioAction, AudioConvert, BlindWatermark, Blur, Crop, DeBlindWatermark, DocAction, DocAi,
    DocConvert, DocSnapshot, Format, ImageAction, IndexCrop, Mode, Pipeline, Process, Quality,
    Resize, SaveAs, VideoAction, VideoAnimation, VideoConcat, VideoConvert, VideoSnapshot,
    VideoSnapshots, VideoSprite, Watermark, WebOffice, task,
};
use crate::error::Error;

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

    /// Starts a document action (`doc/...`): pick it with the returned
    /// [`DocFamily`].
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, Process, SnapshotFormat};
    ///
    /// let p = Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png)).build()?;
    /// assert_eq!(p.as_str(), "doc/snapshot,target_png");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn doc() -> DocFamily {
        DocFamily { _private: () }
    }

    /// Starts a video action (`video/...`): pick it with the returned
    /// [`VideoFamily`].
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::video().info().build()?.as_str(), "video/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn video() -> VideoFamily {
        VideoFamily { _private: () }
    }

    /// Starts an audio action (`audio/...`): pick it with the returned
    /// [`AudioFamily`].
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::audio().info().build()?.as_str(), "audio/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn audio() -> AudioFamily {
        AudioFamily { _private: () }
    }

    /// Starts `image/deblindwatermark`: reading a blind watermark back, as
    /// an asynchronous task whose result (the text) comes in the message to
    /// the notify topic, which is required.
    ///
    /// ```
    /// use oss_process::process::{DeBlindWatermark, Process};
    ///
    /// let p = Process::deblind_watermark(DeBlindWatermark::new()).notify_topic("wm").build()?;
    /// assert_eq!(p.as_str(), "image/deblindwatermark,s_low,t_text|sys/notify,topic_d20");
    /// assert!(Process::deblind_watermark(DeBlindWatermark::new()).build().is_err());
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn deblind_watermark(decode: DeBlindWatermark) -> NotifyProcessBuilder {
        NotifyProcessBuilder {
            decode,
            notify_topic: None,
        }
    }

    /// Starts an asynchronous task given as text: a document, video or audio
    /// task (`doc/...`, `video/...`, `audio/...`) or `image/deblindwatermark`.
    /// An action this crate types is read into its typed form and checked
    /// (`doc/convert,target_png` is a [`DocConvert`]); any other is kept as
    /// text, for tasks the crate does not model (`audio/concat`). Send it
    /// with the client's asynchronous call; the bucket needs an IMM project
    /// bound to it.
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
        AsyncProcessBuilder::new(Pipeline::Async(action.into()))
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

/// The document actions, one method each; made by [`Process::doc`]. The
/// method's return type says what the action allows: the synchronous pages
/// and snapshots return a [`GetProcessBuilder`] (no `sys/saveas`), the
/// conversion task an [`AsyncProcessBuilder`] (`sys/saveas` required).
///
/// ```
/// use oss_process::process::{DocConvert, DocTarget, Mode, Process, SaveAs};
///
/// let p = Process::doc().convert(DocConvert::new(DocTarget::Pdf)).save_as(SaveAs::new("a.pdf")).build()?;
/// assert_eq!(p.mode(), Some(Mode::Async));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "pick an action, then build it"]
pub struct DocFamily {
    _private: (),
}

impl DocFamily {
    /// `doc/snapshot`: see [`DocSnapshot`].
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, Process, SnapshotFormat};
    ///
    /// let p = Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Jpg).page(3)).build()?;
    /// assert_eq!(p.as_str(), "doc/snapshot,target_jpg,page_3");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn snapshot(self, snapshot: DocSnapshot) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Doc(DocAction::Snapshot(snapshot)))
    }

    /// `doc/preview`: see [`WebOffice`].
    ///
    /// ```
    /// use oss_process::process::{Process, WebOffice};
    ///
    /// let p = Process::doc().preview(WebOffice::new().copy(false)).build()?;
    /// assert_eq!(p.as_str(), "doc/preview,copy_0");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn preview(self, page: WebOffice) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Doc(DocAction::Preview(page)))
    }

    /// `doc/edit`: see [`WebOffice`].
    ///
    /// ```
    /// use oss_process::process::{Process, WebOffice};
    ///
    /// let p = Process::doc().edit(WebOffice::new().export(true)).build()?;
    /// assert_eq!(p.as_str(), "doc/edit,export_1");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn edit(self, page: WebOffice) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Doc(DocAction::Edit(page)))
    }

    /// `doc/convert`: see [`DocConvert`].
    ///
    /// ```
    /// use oss_process::process::{DocConvert, DocTarget, Process, SaveAs};
    ///
    /// let p = Process::doc()
    ///     .convert(DocConvert::new(DocTarget::Jpg))
    ///     .save_as(SaveAs::new("pages/{index}.jpg"))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "doc/convert,target_jpg|sys/saveas,o_cGFnZXMve2luZGV4fS5qcGc");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn convert(self, convert: DocConvert) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Doc(DocAction::Convert(convert)))
    }

    /// `doc/translate`, `doc/polish`, `doc/summarize`, `doc/continue`,
    /// `doc/enrich` or `doc/rephrase`: see [`DocAi`]. The client's
    /// `doc_translate` and its siblings send these for you.
    ///
    /// ```
    /// use oss_process::process::{DocAi, Process};
    ///
    /// let p = Process::doc().ai(DocAi::summarize("Long text.")).build()?;
    /// assert_eq!(p.as_str(), "doc/summarize,content_TG9uZyB0ZXh0Lg");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn ai(self, request: DocAi) -> PostProcessBuilder {
        PostProcessBuilder {
            pipeline: Pipeline::Doc(DocAction::Ai(request)),
        }
    }
}

/// The video actions, one method each; made by [`Process::video`]. The
/// snapshot and info return a [`GetProcessBuilder`] (synchronous, no
/// `sys/saveas`), the tasks an [`AsyncProcessBuilder`] (`sys/saveas`
/// required).
///
/// ```
/// use oss_process::process::{Process, SaveAsRule};
///
/// assert_eq!(Process::video().info().build()?.save_as_rule(), Some(SaveAsRule::Never));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "pick an action, then build it"]
pub struct VideoFamily {
    _private: (),
}

impl VideoFamily {
    /// `video/snapshot`: see [`VideoSnapshot`].
    ///
    /// ```
    /// use oss_process::process::{Process, SnapshotFormat, VideoSnapshot};
    ///
    /// let p = Process::video().snapshot(VideoSnapshot::new(50_000, SnapshotFormat::Jpg)).build()?;
    /// assert_eq!(p.as_str(), "video/snapshot,t_50000,f_jpg");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn snapshot(self, snapshot: VideoSnapshot) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Video(VideoAction::Snapshot(snapshot)))
    }

    /// `video/info`: the video's metadata as JSON.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::video().info().build()?.as_str(), "video/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn info(self) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Video(VideoAction::Info))
    }

    /// `video/convert`: see [`VideoConvert`].
    ///
    /// ```
    /// use oss_process::process::{Container, Process, SaveAs, VideoConvert};
    ///
    /// let p = Process::video().convert(VideoConvert::new(Container::Mp4)).save_as(SaveAs::new("o.mp4")).build()?;
    /// assert_eq!(p.as_str(), "video/convert,f_mp4|sys/saveas,o_by5tcDQ");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn convert(self, convert: VideoConvert) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Video(VideoAction::Convert(convert)))
    }

    /// `video/concat`: see [`VideoConcat`].
    ///
    /// ```
    /// use oss_process::process::{ConcatSegment, Container, Process, SaveAs, VideoConcat, VideoConvert};
    ///
    /// let concat = VideoConcat::new(VideoConvert::new(Container::Mp4)).segment(ConcatSegment::after("b.mp4"));
    /// let p = Process::video().concat(concat).save_as(SaveAs::new("ab.mp4")).build()?;
    /// assert_eq!(p.as_str(), "video/concat,f_mp4/sur,o_Yi5tcDQ|sys/saveas,o_YWIubXA0");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn concat(self, concat: VideoConcat) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Video(VideoAction::Concat(concat)))
    }

    /// `video/snapshots`: see [`VideoSnapshots`].
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs, SnapshotFormat, VideoSnapshots};
    ///
    /// let p = Process::video()
    ///     .snapshots(VideoSnapshots::new(SnapshotFormat::Png).count(3))
    ///     .save_as(SaveAs::new("frames/f"))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "video/snapshots,f_png,num_3|sys/saveas,o_ZnJhbWVzL2Y");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn snapshots(self, snapshots: VideoSnapshots) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Video(VideoAction::Snapshots(snapshots)))
    }

    /// `video/sprite`: see [`VideoSprite`].
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs, SnapshotFormat, VideoSprite};
    ///
    /// let p = Process::video()
    ///     .sprite(VideoSprite::new(SnapshotFormat::Jpg).tiles(5, 5))
    ///     .save_as(SaveAs::new("s.jpg"))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "video/sprite,f_jpg,tw_5,th_5|sys/saveas,o_cy5qcGc");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn sprite(self, sprite: VideoSprite) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Video(VideoAction::Sprite(sprite)))
    }

    /// `video/animation`: see [`VideoAnimation`].
    ///
    /// ```
    /// use oss_process::process::{AnimationFormat, Process, SaveAs, VideoAnimation};
    ///
    /// let p = Process::video()
    ///     .animation(VideoAnimation::new(AnimationFormat::Webp))
    ///     .save_as(SaveAs::new("a.webp"))
    ///     .build()?;
    /// assert_eq!(p.as_str(), "video/animation,f_webp|sys/saveas,o_YS53ZWJw");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn animation(self, animation: VideoAnimation) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Video(VideoAction::Animation(animation)))
    }
}

/// The audio actions, one method each; made by [`Process::audio`].
///
/// ```
/// use oss_process::process::{Mode, Process};
///
/// assert_eq!(Process::audio().info().build()?.mode(), Some(Mode::Sync));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "pick an action, then build it"]
pub struct AudioFamily {
    _private: (),
}

impl AudioFamily {
    /// `audio/info`: the audio's metadata as JSON.
    ///
    /// ```
    /// use oss_process::process::Process;
    ///
    /// assert_eq!(Process::audio().info().build()?.as_str(), "audio/info");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn info(self) -> GetProcessBuilder {
        GetProcessBuilder::new(Pipeline::Audio(AudioAction::Info))
    }

    /// `audio/convert`: see [`AudioConvert`].
    ///
    /// ```
    /// use oss_process::process::{AudioConvert, Container, Process, SaveAs};
    ///
    /// let p = Process::audio().convert(AudioConvert::new(Container::Mp3)).save_as(SaveAs::new("a.mp3")).build()?;
    /// assert_eq!(p.as_str(), "audio/convert,f_mp3|sys/saveas,o_YS5tcDM");
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn convert(self, convert: AudioConvert) -> AsyncProcessBuilder {
        AsyncProcessBuilder::new(Pipeline::Audio(AudioAction::Convert(convert)))
    }
}

/// Builds a synchronous action whose answer cannot be saved: a document
/// page or snapshot, a video snapshot, video or audio info. The service
/// answers it to a GET (presign it, or fetch it with the client's
/// `get_processed`); it has no `save_as`.
///
/// ```
/// use oss_process::process::{Mode, Process, SaveAsRule};
///
/// let p = Process::audio().info().build()?;
/// assert_eq!((p.mode(), p.save_as_rule()), (Some(Mode::Sync), Some(SaveAsRule::Never)));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct GetProcessBuilder {
    pipeline: Pipeline,
}

impl GetProcessBuilder {
    fn new(pipeline: Pipeline) -> Self {
        GetProcessBuilder { pipeline }
    }

    /// Checks every parameter and renders the process string.
    ///
    /// ```
    /// use oss_process::process::{DocSnapshot, Process, SnapshotFormat};
    ///
    /// let err = Process::doc().snapshot(DocSnapshot::new(SnapshotFormat::Png).page(0)).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid doc/snapshot.page: must be 1..=2000, got 0");
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(self.pipeline, None, None)
    }
}

/// Builds a synchronous action answered to POST only and never saved: the
/// document AI actions. Made by [`DocFamily::ai`].
///
/// ```
/// use oss_process::process::{DocAi, Method, Process, SaveAsRule};
///
/// let p = Process::doc().ai(DocAi::enrich("x")).build()?;
/// assert_eq!((p.method(), p.save_as_rule()), (Some(Method::Post), Some(SaveAsRule::Never)));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PostProcessBuilder {
    pipeline: Pipeline,
}

impl PostProcessBuilder {
    /// Checks every parameter and renders the process string.
    ///
    /// ```
    /// use oss_process::process::{DocAi, Process};
    ///
    /// let err = Process::doc().ai(DocAi::polish("")).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid doc/polish.content: must not be empty");
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(self.pipeline, None, None)
    }
}

/// Builds an asynchronous task (`x-oss-async-process`) that writes its
/// result: `save_as` is required, `notify_topic` optional. Made by the
/// tasks of [`Process::doc`], [`Process::video`] and [`Process::audio`],
/// and by [`Process::async_action`].
///
/// ```
/// use oss_process::process::{Mode, Pipeline, Process, SaveAs, SaveAsRule};
///
/// let p = Process::async_action("audio/concat,f_aac")
///     .save_as(SaveAs::new("out.aac"))
///     .build()?;
/// assert_eq!(p.as_str(), "audio/concat,f_aac|sys/saveas,o_b3V0LmFhYw");
/// assert_eq!(p.pipeline(), &Pipeline::Async("audio/concat,f_aac".into()));
/// assert_eq!((p.mode(), p.save_as_rule()), (Some(Mode::Async), Some(SaveAsRule::Required)));
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct AsyncProcessBuilder {
    pipeline: Pipeline,
    save_as: Option<SaveAs>,
    notify_topic: Option<String>,
}

impl AsyncProcessBuilder {
    fn new(pipeline: Pipeline) -> Self {
        AsyncProcessBuilder {
            pipeline,
            save_as: None,
            notify_topic: None,
        }
    }

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

    /// The message-queue (MNS) topic told when the task ends
    /// (`/notify,topic_...`); the crate encodes it.
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

    /// Checks the action, the target and the topic, and renders the process
    /// string.
    ///
    /// Text given to [`Process::async_action`] must start with `doc/`,
    /// `video/`, `audio/` or `image/deblindwatermark`, must name an
    /// asynchronous action, and must not contain `|` or control characters.
    ///
    /// ```
    /// use oss_process::process::{Process, SaveAs};
    ///
    /// let target = SaveAs::new("x");
    /// for bad in ["", "doc/", "image/resize,w_1", "doc/a|sys/saveas,o_eA", "doc/a\r\n", "video/info"] {
    ///     assert!(Process::async_action(bad).save_as(target.clone()).build().is_err(), "{bad:?}");
    /// }
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        let pipeline = match self.pipeline {
            Pipeline::Async(text) => task::resolve(&text)?,
            typed => typed,
        };
        if pipeline.mode() != Some(Mode::Async) {
            return Err(Error::invalid(
                "action",
                format!(
                    "{} is synchronous: build it with Process::{} and send it without x-oss-async-process",
                    pipeline.describe(),
                    pipeline.describe().split('/').next().unwrap_or("image"),
                ),
            ));
        }
        Process::assemble(pipeline, self.save_as, self.notify_topic)
    }
}

/// Builds `image/deblindwatermark`, an asynchronous task whose result comes
/// only in the notification: `notify_topic` is required and there is no
/// `save_as`. Made by [`Process::deblind_watermark`].
///
/// ```
/// use oss_process::process::{BlindStrength, DeBlindWatermark, Process};
///
/// let p = Process::deblind_watermark(DeBlindWatermark::new().strength(BlindStrength::High))
///     .notify_topic("marks")
///     .build()?;
/// assert_eq!(p.notify_topic(), Some("marks"));
/// assert!(p.save_as().is_none());
/// # Ok::<(), oss_process::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct NotifyProcessBuilder {
    decode: DeBlindWatermark,
    notify_topic: Option<String>,
}

impl NotifyProcessBuilder {
    /// The message-queue (MNS) topic the decoded text is sent to
    /// (`sys/notify,topic_...`); required. Same region as the bucket.
    ///
    /// ```
    /// use oss_process::process::{DeBlindWatermark, Process};
    ///
    /// let p = Process::deblind_watermark(DeBlindWatermark::new()).notify_topic("t").build()?;
    /// assert!(p.as_str().ends_with("|sys/notify,topic_dA"));
    /// # Ok::<(), oss_process::Error>(())
    /// ```
    pub fn notify_topic(mut self, topic: impl Into<String>) -> Self {
        self.notify_topic = Some(topic.into());
        self
    }

    /// Checks the topic and renders the process string.
    ///
    /// ```
    /// use oss_process::process::{DeBlindWatermark, Process};
    ///
    /// let err = Process::deblind_watermark(DeBlindWatermark::new()).build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid notify.topic: is required"), "{err}");
    /// ```
    pub fn build(self) -> Result<Process, Error> {
        Process::assemble(
            Pipeline::DeBlindWatermark(self.decode),
            None,
            self.notify_topic,
        )
    }
}
